package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"skillscore/internal/browsertest"
)

// TestPaperTrailInBrowser: on a 1024×768 tablet the organizer finds the
// paper trail on the desk (the 裁判分工表, each module's 评分记录表, each
// submitted sheet's), turns the contestant's line on with one tap, and
// finds each session's 签到表 on the sessions page; neither page scrolls
// sideways.
func TestPaperTrailInBrowser(t *testing.T) {
	o := newOffice(t)
	b := browsertest.New(t, 1024, 768)
	err := chromedp.Do(b,
		chromedp.Navigate(o.srv.URL+"/events/"+o.ev.Code+"/desk"),
		chromedp.WaitVisible(chromedp.CSS(`input[name=username]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	browsertest.Navigates(t, b,
		chromedp.SendKeys(chromedp.CSS(`input[name=username]`), "org"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "pass-org"),
		chromedp.Submit(chromedp.CSS(`input[name=password]`)),
	)
	browsertest.Shows(t, b, `#paper-settings button`)
	noSidewaysScroll(t, b, "desk")
	shot(t, b, "papertrail-desk-1024")
	counts := browsertest.Eval[string](t, b, `[document.querySelectorAll('a.blank-records').length, document.querySelectorAll('a.filled-records').length,
		document.querySelectorAll('td.cell a.record').length > 0, !!document.querySelector('#duties-pdf')].join('|')`)
	if counts != "3|3|true|true" {
		t.Errorf("desk links (blank|filled|sheet|duties): %s", counts)
	}
	browsertest.Navigates(t, b, chromedp.Click(chromedp.CSS(`#paper-settings button`)))
	browsertest.Shows(t, b, `p.ok`)
	if got := browsertest.Eval[string](t, b, `document.querySelector('#paper').textContent + document.querySelector('p.ok').textContent`); !strings.Contains(got, "加印选手签字栏") || !strings.Contains(got, "已设置") {
		t.Errorf("after the tap: %s", got)
	}
	if err := chromedp.Do(b,
		chromedp.Navigate(o.srv.URL+"/events/"+o.ev.Code+"/sessions"),
		chromedp.WaitVisible(chromedp.CSS(`#sessions a.signin-judges`)),
	); err != nil {
		t.Fatal(err)
	}
	noSidewaysScroll(t, b, "sessions")
	if err := chromedp.Do(b, chromedp.ScrollIntoView(chromedp.CSS(`#sessions`))); err != nil {
		t.Fatal(err)
	}
	shot(t, b, "papertrail-sessions-1024")
}
