package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"skillscore/certificates"
	"skillscore/internal/browsertest"
	"skillscore/store"
)

// TestVerifyPageInBrowser is the public's path on a phone: open the page,
// look a certificate up by number and name, then by 证件号码 and name, then
// open the QR code's link after the organizer revoked it.
func TestVerifyPageInBrowser(t *testing.T) {
	o := newCertOffice(t)
	c := o.certs[0]
	ctx := browsertest.New(t, 412, 915)
	err := chromedp.Do(ctx,
		chromedp.Navigate(o.srv.URL+"/verify"),
		chromedp.WaitVisible(chromedp.CSS(`#number`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	browsertest.Navigates(t, ctx,
		chromedp.SendKeys(chromedp.CSS(`#number`), c.Number),
		chromedp.SendKeys(chromedp.CSS(`#name-number`), c.Name),
		chromedp.Click(chromedp.CSS(`#submit-number`)),
	)
	browsertest.Shows(t, ctx, `section.cert`)
	status := browsertest.Eval[string](t, ctx, `document.querySelector('section.cert .status').innerText`)
	id := browsertest.Eval[string](t, ctx, `document.querySelector('section.cert dd.id').innerText`)
	if status != "有效" || !strings.Contains(id, "*") || id == c.IDNumber {
		t.Fatalf("by number: status %q, ID %q", status, id)
	}

	err = chromedp.Do(ctx,
		chromedp.Navigate(o.srv.URL+"/verify"),
		chromedp.WaitVisible(chromedp.CSS(`label[for=mode-id]`)),
		chromedp.Click(chromedp.CSS(`label[for=mode-id]`)),
		chromedp.WaitVisible(chromedp.CSS(`#id_number`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	browsertest.Navigates(t, ctx,
		chromedp.SendKeys(chromedp.CSS(`#id_number`), c.IDNumber),
		chromedp.SendKeys(chromedp.CSS(`#name-id`), c.Name),
		chromedp.Click(chromedp.CSS(`#submit-id`)),
	)
	browsertest.Shows(t, ctx, `section.cert`)
	numbers := browsertest.Eval[[]string](t, ctx, `[...document.querySelectorAll('section.cert dd.number')].map(d => d.innerText)`)
	text := browsertest.Eval[string](t, ctx, `document.body.innerText`)
	if len(numbers) == 0 || !strings.Contains(strings.Join(numbers, " "), c.Number) || strings.Contains(text, c.IDNumber) {
		t.Fatalf("by ID number: %v (unmasked shown: %v)", numbers, strings.Contains(text, c.IDNumber))
	}

	if _, err := o.svc.Revoke(context.Background(), c.Number, "证书信息有误，已重新签发", "org"); err != nil {
		t.Fatal(err)
	}
	var qrURL string
	for _, d := range mustDocs(t, o) {
		if d.Facts.Number == c.Number {
			qrURL = d.QRContent()
		}
	}
	err = chromedp.Do(ctx,
		chromedp.Navigate(qrURL),
		chromedp.WaitVisible(chromedp.CSS(`section.cert.revoked`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	status = browsertest.Eval[string](t, ctx, `document.querySelector('section.cert .status').innerText`)
	if !strings.HasPrefix(status, "已撤销（") {
		t.Fatalf("after revocation the QR link shows %q", status)
	}
	if text := browsertest.Eval[string](t, ctx, `document.body.innerText`); !strings.Contains(text, "证书信息有误，已重新签发") ||
		!strings.Contains(text, "数字签名核验通过") {
		t.Fatalf("revoked page lacks the reason or the signature check:\n%s", text)
	}
}

// A demo level certificate on a 360 px phone: marked 演示 beside its
// number, and its 22-character number and the 评价机构名称 break rather
// than widen the page.
func TestDemoLevelCertificateOnAPhone(t *testing.T) {
	o := newCertOfficeWith(t, certificates.DemoNumbering(), true)
	var c store.Certificate
	for _, x := range o.certs {
		if x.Kind == certificates.KindLevel {
			c = x
			break
		}
	}
	if c.Number == "" {
		t.Fatal("no level certificate")
	}
	ctx := browsertest.Device(t, browsertest.New(t, 1024, 768), 360, 740)
	if err := chromedp.Do(ctx, chromedp.Navigate(o.srv.URL+"/verify?t="+c.Token), chromedp.WaitVisible(chromedp.CSS(`section.cert`))); err != nil {
		t.Fatal(err)
	}
	if tag := browsertest.Eval[string](t, ctx, `document.querySelector('section.cert dd.number .demo-tag').innerText`); tag != "演示" {
		t.Fatalf("tag %q", tag)
	}
	if w := browsertest.Eval[int](t, ctx, `document.documentElement.scrollWidth`); w > 360 {
		t.Errorf("the verify page is %d px wide on a 360 px phone: %s", w, browsertest.Eval[string](t, ctx, `[...document.querySelectorAll("body *")].filter(e => e.getBoundingClientRect().right > 361).map(e => e.tagName + "." + e.className + " " + Math.round(e.getBoundingClientRect().right)).slice(0, 12).join("; ")`))
	}
}
