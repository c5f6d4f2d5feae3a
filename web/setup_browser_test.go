package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"skillscore/internal/browsertest"
)

// TestSetupInBrowser: the organizer logs in, creates an event from the
// provincial preset, breaks the weights (the core's message shows with the
// weights), fixes them and sees them saved.
func TestSetupInBrowser(t *testing.T) {
	o := newOffice(t)
	ctx := context.Background()
	b := browsertest.New(t, 1280, 900)
	if err := chromedp.Do(b, chromedp.Navigate(o.srv.URL+"/")); err != nil {
		t.Fatal(err)
	}
	browsertest.Navigates(t, b, chromedp.Click(chromedp.CSS(`#new-event`)))
	browsertest.Shows(t, b, `input[name=username]`)
	browsertest.Navigates(t, b,
		chromedp.SendKeys(chromedp.CSS(`input[name=username]`), "org"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "pass-org"),
		chromedp.Submit(chromedp.CSS(`input[name=password]`)),
	)
	browsertest.Shows(t, b, `#create`)
	browsertest.Navigates(t, b,
		chromedp.SendKeys(chromedp.CSS(`#code`), "jx-ylhly-2027"),
		chromedp.SendKeys(chromedp.CSS(`#name`), "2027年江西省养老护理员职业技能竞赛"),
		chromedp.SendKeys(chromedp.CSS(`#year`), "2027"),
		chromedp.Click(chromedp.CSS(`#create`)),
	)
	browsertest.Shows(t, b, `#msg`)
	browsertest.Navigates(t, b,
		chromedp.SetValue(chromedp.CSS(`input[name="weight.A"]`), "35"),
		chromedp.Click(chromedp.CSS(`#save`)),
	)
	browsertest.Shows(t, b, `.weights-error`)
	if text := browsertest.Eval[string](t, b, `document.querySelector('.weights-error').innerText`); !strings.Contains(text, "模块权重之和为 110%") {
		t.Fatalf("weights error: %q", text)
	}
	if v := browsertest.Eval[string](t, b, `document.querySelector('input[name="weight.A"]').value`); v != "35" {
		t.Fatalf("the typed weight was lost: %q", v)
	}
	browsertest.Navigates(t, b,
		chromedp.SetValue(chromedp.CSS(`input[name="weight.theory"]`), "20"),
		chromedp.Click(chromedp.CSS(`#save`)),
	)
	browsertest.Shows(t, b, `#msg`)
	if text := browsertest.Eval[string](t, b, `document.querySelector('#msg').innerText`); text != "评分规则已保存" {
		t.Fatalf("message: %q", text)
	}
	ev, err := o.st.EventByCode(ctx, "jx-ylhly-2027")
	if err != nil {
		t.Fatal(err)
	}
	mods, _ := o.st.Modules(ctx, ev.ID)
	if mods[0].Weight != 200000 || mods[1].Weight != 350000 {
		t.Fatalf("weights stored: %d %d", mods[0].Weight, mods[1].Weight)
	}
}
