package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"skillscore/demo"
	"skillscore/internal/browsertest"
)

// TestUsersPageInBrowser: the site organizer opens 用户与授权 from the
// events page on a portrait tablet, adds a chief judge of the demo event,
// who then holds exactly that grant, and revokes it again.
func TestUsersPageInBrowser(t *testing.T) {
	o := newOffice(t)
	ctx := context.Background()
	b := browsertest.New(t, 768, 1024)
	if err := chromedp.Do(b, chromedp.Navigate(o.srv.URL+"/login")); err != nil {
		t.Fatal(err)
	}
	browsertest.Navigates(t, b,
		chromedp.SendKeys(chromedp.CSS(`input[name=username]`), "org"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "pass-org"),
		chromedp.Submit(chromedp.CSS(`input[name=password]`)),
	)
	browsertest.Shows(t, b, `#users`)
	browsertest.Navigates(t, b, chromedp.Click(chromedp.CSS(`#users`)))
	browsertest.Shows(t, b, `#add-user`)
	browsertest.Navigates(t, b,
		chromedp.SendKeys(chromedp.CSS(`#add-user input[name=username]`), "chief2"),
		chromedp.SendKeys(chromedp.CSS(`#add-user input[name=name]`), "第二裁判长"),
		chromedp.SendKeys(chromedp.CSS(`#add-user input[name=password]`), "pass-chief2"),
		chromedp.SetValue(chromedp.CSS(`#add-user select[name=role]`), "chief"),
		chromedp.SetValue(chromedp.CSS(`#add-user select[name=scope]`), "event:"+demo.EventCode),
		chromedp.Submit(chromedp.CSS(`#add-user input[name=password]`)),
	)
	browsertest.Shows(t, b, `tr[data-user=chief2] .grant`)
	if text := browsertest.Eval[string](t, b, `document.querySelector('tr[data-user=chief2] .grant').innerText`); !strings.Contains(text, "裁判长 · 赛项 "+demo.EventCode) {
		t.Fatalf("grant shown: %q", text)
	}
	if over := browsertest.Eval[bool](t, b, `document.documentElement.scrollWidth > window.innerWidth`); over {
		t.Fatal("the users page scrolls sideways at 768 px")
	}
	u, err := o.st.UserByUsername(ctx, "chief2")
	if err != nil {
		t.Fatal(err)
	}
	acc, err := o.st.UserAccess(ctx, u.ID)
	if err != nil || !acc.InEvent(demo.EventCode, "chief") || acc.AllEvents() {
		t.Fatalf("access of the new chief: %v %+v", err, acc)
	}
	err = chromedp.Do(b,
		chromedp.Click(chromedp.CSS(`tr[data-user=chief2] .grant button`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	// The page after the add already has a notice: wait for the revoke's.
	browsertest.WaitTrue(t, b, `(document.querySelector('[role=status]') || {}).innerText === '授权已撤销'`)
	if n := browsertest.Eval[int](t, b, `document.querySelectorAll('tr[data-user=chief2] .grant').length`); n != 0 {
		t.Fatalf("revoked grant still shown: %d (%s)", n, browsertest.Eval[string](t, b, `document.querySelector("[role=status]").innerText`))
	}
}
