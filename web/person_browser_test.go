package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"skillscore/certificates"
	"skillscore/idnumber"
	"skillscore/internal/browsertest"
	"skillscore/store"
)

// TestPersonPageInBrowser is the organizer answering a person's request on
// a venue PC: from the index to 个人信息查阅与更正, the person found by
// 证件号码 + 姓名 (shown masked, never in the address bar), their name
// corrected with a reason, and the old certificate's QR link then saying
// the paper was replaced.
func TestPersonPageInBrowser(t *testing.T) {
	o := newPersonOffice(t, nil)
	ctx := context.Background()
	var c store.Certificate
	for _, x := range o.certs {
		if x.Kind == certificates.KindLevel {
			c = x
		}
	}
	holder, err := o.st.Contestant(ctx, o.ev.ID, c.ContestantID)
	if err != nil {
		t.Fatal(err)
	}
	bc := browsertest.New(t, 1024, 768)
	browsertest.Navigates(t, bc, chromedp.Navigate(o.srv.URL+"/login?next=/"))
	browsertest.Navigates(t, bc,
		chromedp.SendKeys(chromedp.CSS(`input[name=username]`), "org"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "pass-org"),
		chromedp.Submit(chromedp.CSS(`input[name=password]`)),
	)
	browsertest.Navigates(t, bc, chromedp.Click(chromedp.CSS(`a#person`)))
	browsertest.Navigates(t, bc,
		chromedp.SendKeys(chromedp.CSS(`#id_number`), strings.ToLower(holder.IDNumber)),
		chromedp.SendKeys(chromedp.CSS(`#name`), holder.Name),
		chromedp.Click(chromedp.CSS(`#find`)),
	)
	href := browsertest.Eval[string](t, bc, `location.href`)
	shown := browsertest.Eval[string](t, bc, `document.querySelector('#contestants td.id').innerText`)
	if strings.Contains(strings.ToUpper(href), holder.IDNumber) || !strings.Contains(shown, idnumber.Mask(holder.IDNumber)) {
		t.Fatalf("after the lookup: %s, shown %q", href, shown)
	}
	if n := browsertest.Eval[int](t, bc, `document.querySelectorAll('#certificates tbody tr').length`); n == 0 {
		t.Fatal("the holder's certificates are not listed")
	}
	// The correction form is folded away until asked for.
	if browsertest.Eval[bool](t, bc, `document.querySelector('form.correct-form').checkVisibility()`) {
		t.Fatal("the correction form shows before 更正 is opened")
	}
	err = chromedp.Do(bc,
		chromedp.Click(chromedp.CSS(`details.correct summary`)),
		chromedp.WaitVisible(chromedp.CSS(`form.correct-form input[name=new_name]`)),
		chromedp.SendKeys(chromedp.CSS(`form.correct-form input[name=new_name]`), "张更正"),
		chromedp.SendKeys(chromedp.CSS(`form.correct-form input[name=reason]`), "报名表录入错误，本人申请更正"),
	)
	if err != nil {
		t.Fatal(err)
	}
	browsertest.Navigates(t, bc, chromedp.Click(chromedp.CSS(`form.correct-form button[type=submit]`)))
	msg := browsertest.Eval[string](t, bc, `(document.querySelector('#message') || {}).innerText || document.body.innerText`)
	if !strings.Contains(msg, "已更正 1 项信息") || !strings.Contains(msg, "证书已按更正后的信息换发") {
		t.Fatalf("after the correction: %q", msg)
	}
	browsertest.Navigates(t, bc, chromedp.Navigate(o.srv.URL+"/verify?t="+url.QueryEscape(c.Token)))
	status := browsertest.Eval[string](t, bc, `document.querySelector('section.cert .status').innerText`)
	name := browsertest.Eval[string](t, bc, `document.querySelector('section.cert').innerText`)
	if status != "已更正换发，请以新证书为准" || !strings.Contains(name, holder.Name) {
		t.Fatalf("the old QR link: %q\n%s", status, name)
	}
}
