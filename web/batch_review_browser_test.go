package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"skillscore/internal/browsertest"
	"skillscore/internal/testenv"
	"skillscore/store"
)

// TestReviewerReturnsThenApprovesInBrowser: the reviewer of the
// supervising office, on a 1024×768 screen, finds the submitted batch in
// its list, cannot return it without a reason, returns it with one; the
// body sees the reason on its 报审 page and submits again; the reviewer
// approves. The approval page fits a phone without sideways scrolling.
func TestReviewerReturnsThenApprovesInBrowser(t *testing.T) {
	o := newReviewOffice(t)
	ctx := context.Background()
	testenv.Submitted(t, o.st, o.batch.ID, "org")
	state := func() string {
		t.Helper()
		r, err := o.st.BatchReview(ctx, o.batch.ID)
		if err != nil {
			t.Fatal(err)
		}
		return r.State
	}
	approval := o.srv.URL + "/events/" + o.batch.Code + "/batch/approval"

	reviewer := browsertest.New(t, 1024, 768)
	if err := chromedp.Do(reviewer,
		chromedp.Navigate(o.srv.URL+"/login?next=/reviews"),
		chromedp.WaitVisible(chromedp.CSS(`input[name=username]`)),
	); err != nil {
		t.Fatal(err)
	}
	browsertest.Navigates(t, reviewer,
		chromedp.SendKeys(chromedp.CSS(`input[name=username]`), "rev"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "pass-rev"),
		chromedp.Submit(chromedp.CSS(`input[name=password]`)),
	)
	browsertest.Shows(t, reviewer, `#waiting tr[data-event="`+o.batch.Code+`"] a.open`)
	browsertest.Navigates(t, reviewer, chromedp.Click(chromedp.CSS(`#waiting a.open`)))
	browsertest.WaitTrue(t, reviewer, `document.querySelector('#review-state').innerText === '待审核' && !!document.querySelector('#results')`)

	// The reason is required: the browser keeps the form, nothing is stored.
	if err := chromedp.Do(reviewer, chromedp.Click(chromedp.CSS(`#return`))); err != nil {
		t.Fatal(err)
	}
	if !browsertest.Eval[bool](t, reviewer, `document.querySelector('#reason').matches(':invalid') && location.pathname.endsWith('/batch/approval')`) {
		t.Fatal("an empty reason was not held back by the form")
	}
	if s := state(); s != store.ReviewSubmitted {
		t.Fatalf("state after an empty return: %q", s)
	}
	reason := "刘洋缺考，但签到表显示已签到：请核实并更正后重新报审"
	browsertest.Navigates(t, reviewer,
		chromedp.SendKeys(chromedp.CSS(`#reason`), reason),
		chromedp.Click(chromedp.CSS(`#return`)))
	browsertest.WaitTrue(t, reviewer, `document.querySelector('#review-state').innerText === '已退回'`)
	if text := browsertest.Eval[string](t, reviewer, `document.querySelector('#history tbody tr').innerText`); !strings.Contains(text, "退回") || !strings.Contains(text, reason) {
		t.Fatalf("history after the return: %q", text)
	}
	if s := state(); s != store.ReviewReturned {
		t.Fatalf("state after the return: %q", s)
	}

	// The body sees why and submits again.
	body := browsertest.Device(t, reviewer, 1024, 768)
	if err := chromedp.Do(body,
		chromedp.Navigate(o.srv.URL+"/events/"+o.batch.Code+"/batch/review"),
		chromedp.WaitVisible(chromedp.CSS(`input[name=username]`)),
	); err != nil {
		t.Fatal(err)
	}
	browsertest.Navigates(t, body,
		chromedp.SendKeys(chromedp.CSS(`input[name=username]`), "org"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "pass-org"),
		chromedp.Submit(chromedp.CSS(`input[name=password]`)),
	)
	browsertest.Shows(t, body, `#return-reason`)
	if got := browsertest.Eval[string](t, body, `document.querySelector('#return-reason').innerText`); got != reason {
		t.Fatalf("the body reads %q, want the reviewer's reason", got)
	}
	browsertest.Eval[bool](t, body, `(window.confirm = () => true, true)`)
	browsertest.Navigates(t, body, chromedp.Click(chromedp.CSS(`#submit`)))
	browsertest.WaitTrue(t, body, `document.querySelector('#review-state').innerText === '待审核' && !document.querySelector('#returned')`)

	// The reviewer approves.
	browsertest.Navigates(t, reviewer, chromedp.Navigate(approval))
	browsertest.Eval[bool](t, reviewer, `(window.confirm = () => true, true)`)
	browsertest.Navigates(t, reviewer, chromedp.Click(chromedp.CSS(`#approve`)))
	browsertest.WaitTrue(t, reviewer, `document.querySelector('#review-state').innerText === '已批准' && !document.querySelector('#approve')`)
	if s := state(); s != store.ReviewApproved {
		t.Fatalf("state after the approval: %q", s)
	}

	// On a phone the page scrolls down, never sideways.
	if err := chromedp.Do(reviewer, chromedp.EmulateViewport(390, 844), chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	browsertest.WaitTrue(t, reviewer, `document.readyState === 'complete' && !!document.querySelector('#results')`)
	if w := browsertest.Eval[float64](t, reviewer, `document.documentElement.scrollWidth`); w > 390 {
		t.Fatalf("the approval page is %v px wide on a 390 px phone", w)
	}
}
