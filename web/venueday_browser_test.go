package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"skillscore/internal/browsertest"
)

// TestLogoutOnStaffPagesInBrowser: on the desk, the paper sheets, the
// roster and the set-up page, the header shows who is logged in and a
// 退出登录 button within the screen; pressing it returns to the login page
// with a notice, and the staff page then asks for the login again.
func TestLogoutOnStaffPagesInBrowser(t *testing.T) {
	o := newVenueOffice(t)
	b := browsertest.New(t, 1024, 768)
	ev := "/events/" + o.ev.Code
	for _, c := range []struct{ page, user string }{
		{ev + "/desk", "chief"}, {ev + "/paper", "keeper1"}, {ev + "/roster", "org"}, {ev + "/setup", "org"},
	} {
		browsertest.Navigates(t, b, chromedp.Navigate(o.srv.URL+c.page))
		if p := browsertest.Eval[string](t, b, `location.pathname`); p != "/login" {
			t.Fatalf("%s before login: at %s", c.page, p)
		}
		act(t, b, chromedp.SendKeys(chromedp.CSS(`input[name=username]`), c.user),
			chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "pass-"+c.user))
		browsertest.Navigates(t, b, chromedp.Submit(chromedp.CSS(`input[name=password]`)))
		if p := browsertest.Eval[string](t, b, `location.pathname`); p != c.page {
			t.Fatalf("after login: at %s, want %s", p, c.page)
		}
		inView := browsertest.Eval[bool](t, b, `(() => { const r = document.getElementById('logout-button').getBoundingClientRect();
			return r.width > 0 && r.height > 0 && r.left >= 0 && r.right <= innerWidth && r.top >= 0 && r.bottom <= innerHeight; })()`)
		if !inView {
			t.Fatalf("%s: the logout button is not visible at the top of the page", c.page)
		}
		if who := browsertest.Eval[string](t, b, `document.getElementById('who').innerText`); !strings.Contains(who, c.user) {
			t.Fatalf("%s: the header says %q, want %s", c.page, who, c.user)
		}
		browsertest.Navigates(t, b, chromedp.Click(chromedp.CSS(`#logout-button`)))
		if p := browsertest.Eval[string](t, b, `location.pathname`); p != "/login" {
			t.Fatalf("%s: after logout at %s, want /login", c.page, p)
		}
		if msg := browsertest.Eval[string](t, b, `(document.getElementById('msg') || {}).innerText || ''`); msg != "已退出登录" {
			t.Fatalf("%s: after logout the login page says %q", c.page, msg)
		}
		browsertest.Navigates(t, b, chromedp.Navigate(o.srv.URL+c.page))
		if p := browsertest.Eval[string](t, b, `location.pathname`); p != "/login" ||
			!browsertest.Eval[bool](t, b, `!!document.querySelector('input[name=password]')`) {
			t.Fatalf("%s after logout: at %s, want the login form", c.page, p)
		}
	}
}

// TestNewAssessmentEventInBrowser: choosing the 等级认定 template sets and
// holds 类型 = 职业技能等级认定; the event is created as an assessment and
// its set-up page says so.
func TestNewAssessmentEventInBrowser(t *testing.T) {
	o := newVenueOffice(t)
	b := browsertest.New(t, 1024, 768)
	browsertest.Navigates(t, b, chromedp.Navigate(o.srv.URL+"/events/new"))
	act(t, b, chromedp.SendKeys(chromedp.CSS(`input[name=username]`), "org"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "pass-org"))
	browsertest.Navigates(t, b, chromedp.Submit(chromedp.CSS(`input[name=password]`)))
	act(t, b, chromedp.Evaluate[chromedp.Void](`(() => { const p = document.getElementById('preset'); p.value = 'assessment';
		p.dispatchEvent(new Event('change')); })()`))
	if k := browsertest.Eval[string](t, b, `(() => { const k = document.getElementById('kind'); return k.selectedOptions[0].text + (k.disabled ? ' 固定' : ''); })()`); k != "职业技能等级认定 固定" {
		t.Fatalf("after choosing the 等级认定 template, 类型 shows %q", k)
	}
	act(t, b, chromedp.SendKeys(chromedp.CSS(`#code`), "jx-rd-2027"),
		chromedp.SendKeys(chromedp.CSS(`#name`), "2027年养老护理员技师等级认定"),
		chromedp.SendKeys(chromedp.CSS(`#year`), "2027"))
	browsertest.Navigates(t, b, chromedp.Click(chromedp.CSS(`#create`)))
	if k := browsertest.Eval[string](t, b, `(document.getElementById('event-kind') || {}).innerText || location.pathname`); k != "职业技能等级认定" {
		t.Fatalf("the set-up page says %q", k)
	}
	ev, err := o.st.EventByCode(context.Background(), "jx-rd-2027")
	if err != nil {
		t.Fatal(err)
	}
	if ev.Kind != "assessment" {
		t.Fatalf("stored kind %q", ev.Kind)
	}
}

// act runs browser actions that stay on the page.
func act(t *testing.T, ctx context.Context, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatal(err)
	}
}
