package web_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"skillscore/demo"
	"skillscore/internal/browsertest"
)

// TestStatusDialogInBrowser: the organizer sets 不参与评奖 from the roster
// page; the dialog refuses an empty reason, then the row shows the status
// with its reason; the dialog fits a tablet in portrait.
func TestStatusDialogInBrowser(t *testing.T) {
	o := newRosterOffice(t)
	cs, err := o.st.Contestants(context.Background(), o.demo.ID)
	if err != nil {
		t.Fatal(err)
	}
	target := cs[1]
	if target.Status != "" {
		t.Fatalf("the demo's second contestant has status %q", target.Status)
	}
	id := strconv.FormatInt(target.ID, 10)
	button := `#roster button.set-status[data-contestant="` + id + `"]`
	ctx := browsertest.New(t, 1024, 768)
	err = chromedp.Do(ctx,
		chromedp.Navigate(o.srv.URL+"/events/"+demo.EventCode+"/roster"),
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
	browsertest.Shows(t, ctx, button)
	// The dialog is the page's own: no page load until the status is set.
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(button)),
		chromedp.WaitVisible(chromedp.CSS(`#status-dialog`)),
		chromedp.SetValue(chromedp.CSS(`#status-value`), "ineligible"),
		chromedp.Click(chromedp.CSS(`#status-ok`)),
		chromedp.WaitVisible(chromedp.CSS(`#status-error`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if msg := browsertest.Eval[string](t, ctx, `document.getElementById('status-error').innerText`); !strings.Contains(msg, "须填写原因") {
		t.Fatalf("empty reason: %q", msg)
	}
	if c, _ := o.st.Contestant(context.Background(), o.demo.ID, target.ID); c.Status != "" {
		t.Fatalf("a refused dialog stored %q", c.Status)
	}
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`#status-reason`), "以交流身份参赛"),
		chromedp.Click(chromedp.CSS(`#status-ok`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	// The page reloads: wait for it to be whole before clicking on it again.
	browsertest.WaitTrue(t, ctx, `document.readyState === 'complete' && (document.querySelector('#roster tr[data-contestant="`+id+`"] td.status') || {innerText: ''}).innerText.includes('不参与评奖（以交流身份参赛）')`)
	if c, _ := o.st.Contestant(context.Background(), o.demo.ID, target.ID); c.Status != "ineligible" || c.StatusReason != "以交流身份参赛" || c.StatusBy != "org" {
		t.Fatalf("stored %+v", c)
	}
	// The dialog fits a 768-wide tablet in portrait.
	err = chromedp.Do(ctx, chromedp.EmulateViewport(768, 1024), chromedp.Click(chromedp.CSS(button)), chromedp.WaitVisible(chromedp.CSS(`#status-dialog`)))
	if err != nil {
		t.Fatal(err)
	}
	if w := browsertest.Eval[float64](t, ctx, `document.getElementById('status-dialog').getBoundingClientRect().right`); w > 768 {
		t.Fatalf("the dialog overflows a 768 px screen: right edge %v", w)
	}
}
