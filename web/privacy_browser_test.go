package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"skillscore/internal/browsertest"
	"skillscore/internal/testenv"
)

// TestPublicPagesShowPrivacyNoticeOnPhone: the public pages that take a
// 证件号码 — the certificate lookup and the appeal form during publication —
// show their short privacy notice on a 360 and a 390 px phone, whole on the
// screen's width, the page scrolling only up and down.
func TestPublicPagesShowPrivacyNoticeOnPhone(t *testing.T) {
	o := newOffice(t)
	testenv.Decrypted(t, o.st, o.ev.ID)
	now := time.Now()
	if _, err := o.st.PublishResults(context.Background(), o.ev.ID, now.Add(-time.Hour), now.Add(time.Hour), "org"); err != nil {
		t.Fatal(err)
	}
	ctx := browsertest.New(t, 1024, 768)
	pages := []struct{ path, field, want string }{
		{"/verify", "#mode-number", "仅用于本次查询，系统不保存、不记录"},
		{"/events/" + o.ev.Code + "/appeal", "#id_number", "申诉内容和提交时间将与您在本赛事的选手记录一并保存"},
	}
	for _, size := range [][2]int{{360, 740}, {390, 844}} {
		for _, p := range pages {
			t.Run(fmt.Sprintf("%s@%dx%d", strings.TrimPrefix(p.path, "/"), size[0], size[1]), func(t *testing.T) {
				dev := browsertest.Device(t, ctx, size[0], size[1])
				browsertest.Navigates(t, dev, chromedp.Navigate(o.srv.URL+p.path))
				if n := browsertest.Eval[int](t, dev, `document.querySelectorAll('`+p.field+`').length`); n != 1 {
					t.Fatalf("the page has no %s: is its form shown?", p.field)
				}
				type box struct {
					Text                      string
					Left, Right, Top, Bottom  float64
					Width, Window, Page, Seen int
				}
				b := browsertest.Eval[box](t, dev, `(() => {
					const el = document.getElementById('privacy-note');
					if (!el) return {text: ''};
					const r = el.getBoundingClientRect();
					return {text: el.innerText, left: r.left, right: r.right, top: r.top, bottom: r.bottom,
						width: Math.round(r.width), window: window.innerWidth, page: document.documentElement.scrollWidth,
						seen: getComputedStyle(el).visibility === 'visible' && getComputedStyle(el).display !== 'none' ? 1 : 0};
				})()`)
				if !strings.Contains(b.Text, p.want) || !strings.Contains(b.Text, "证件号码") {
					t.Fatalf("privacy notice %q, want it to say %q", b.Text, p.want)
				}
				if b.Seen != 1 || b.Width < 200 || b.Left < 0 || b.Right > float64(b.Window) {
					t.Errorf("privacy notice at %.0f–%.0f px (%d px wide, shown %d) in a %d px window", b.Left, b.Right, b.Width, b.Seen, b.Window)
				}
				if b.Page > b.Window {
					t.Errorf("the page is %d px wide in a %d px window", b.Page, b.Window)
				}
				// Near the fields it is about: within the first two screens.
				if b.Bottom > 2*float64(size[1]) {
					t.Errorf("privacy notice ends %.0f px down the page", b.Bottom)
				}
			})
		}
	}
}

// TestRosterImportNeedsBasisInBrowser: after a clean dry run the browser
// will not send "确认导入" until a legal basis is chosen and the notice
// confirmed; a form sent anyway (validation off) comes back with the
// reason and stores nothing; chosen and confirmed, the file is imported and
// the list of imports names the basis and the notice.
func TestRosterImportNeedsBasisInBrowser(t *testing.T) {
	o := newRosterOffice(t)
	good := rosterXLSX(t, [][]string{
		{"张三", "男", testID(t, 11), "南昌市第一养老院", "南昌市", "职工组"},
		{"王五", "男", testID(t, 31), "江西卫生职业学院", "赣州", "学生组"},
	})
	ctx := browsertest.New(t, 1024, 768)
	err := chromedp.Do(ctx,
		chromedp.Navigate(o.srv.URL+"/events/"+o.ev.Code+"/roster"),
		chromedp.WaitVisible(chromedp.CSS(`input[name=username]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	browsertest.Navigates(t, ctx,
		chromedp.SendKeys(chromedp.CSS(`input[name=username]`), "org"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "pass-org"),
		chromedp.Submit(chromedp.CSS(`input[name=password]`)),
	)
	browsertest.Shows(t, ctx, `#roster-file`)
	err = chromedp.Do(ctx,
		chromedp.SetUploadFiles(chromedp.CSS(`#roster-file`), []string{good}),
		chromedp.Click(chromedp.CSS(`#check`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	// The check submits the form, and its page reloads when the dry run ends.
	browsertest.Shows(t, ctx, `#job[data-state=done] #confirm`)
	if got := browsertest.Eval[[]string](t, ctx, `[...document.querySelectorAll('#basis input[type=radio]')].map(i => i.value + ':' + i.required)`); strings.Join(got, " ") != "consent:true contract:true duty:true" {
		t.Fatalf("basis choices: %v", got)
	}
	// Clicked with nothing chosen: the browser keeps the form.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#confirm`))); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	if ok := browsertest.Eval[bool](t, ctx, `!!document.getElementById('confirm-form') && !document.getElementById('confirm-form').checkValidity() &&
		document.querySelector('#basis input:invalid') !== null && document.getElementById('notified').matches(':invalid')`); !ok {
		t.Fatal("the confirmation form was not held back by the browser")
	}
	if n := rosterCount(t, o); n != 0 {
		t.Fatalf("an unconfirmed import stored %d contestants", n)
	}
	// A basis but no confirmation, the browser's checks off: the server
	// refuses, keeps the choice, stores nothing.
	browsertest.Navigates(t, ctx, chromedp.Evaluate[chromedp.Void](`(() => {
		const f = document.getElementById('confirm-form');
		f.noValidate = true;
		document.getElementById('basis-contract').checked = true;
		f.submit();
	})()`))
	msg := browsertest.Eval[string](t, ctx, `document.getElementById('confirm-error') ? document.getElementById('confirm-error').innerText : ''`)
	if !strings.Contains(msg, "已向选手告知上述告知书内容") || !strings.Contains(msg, "未导入任何选手") {
		t.Fatalf("refusal: %q", msg)
	}
	if !browsertest.Eval[bool](t, ctx, `document.getElementById('basis-contract').checked`) {
		t.Error("the chosen basis was not kept")
	}
	if n := rosterCount(t, o); n != 0 {
		t.Fatalf("a refused confirmation stored %d contestants", n)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#basis-consent`)),
		chromedp.Click(chromedp.CSS(`#notified`)),
		chromedp.Click(chromedp.CSS(`#confirm`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	// Wait for the import to end either way, so a failure names itself: the
	// imports list (a finished job's page moves on to it) or a job that
	// stopped short of done.
	browsertest.WaitTrue(t, ctx, `!!document.getElementById('imports') && !document.querySelector('#job[data-state=running]') ||
		!['', 'running', 'done'].includes((document.getElementById('job') || {dataset: {}}).dataset.state || '')`)
	if state := browsertest.Eval[string](t, ctx, `document.getElementById('imports') ? 'done' :
		document.getElementById('job').dataset.state + ': ' + document.getElementById('job').innerText`); state != "done" {
		t.Fatalf("the confirmed import ended %q", state)
	}
	browsertest.Shows(t, ctx, `#imports`)
	if n := rosterCount(t, o); n != 2 {
		t.Fatalf("%d contestants stored, want 2", n)
	}
	row := browsertest.Eval[string](t, ctx, `[...document.querySelectorAll('#imports tbody tr')].map(tr => tr.querySelector('.basis').innerText + ' ' + tr.querySelector('.notice').innerText).join('|')`)
	if row != "报名同意 默认模板" {
		t.Fatalf("imports list: %q", row)
	}
}
