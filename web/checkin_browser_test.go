package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"skillscore/internal/browsertest"
	"skillscore/sessions"
)

// TestCheckinTabletInBrowser is a scorekeeper at the 检录 desk with a tablet
// (1024×768, then turned to 768×1024): the page fits, its targets are big
// enough for a finger, a right 证件号码 ending checks in, a wrong one shows
// 人证不符, a pasted entry-card code checks in.
func TestCheckinTabletInBrowser(t *testing.T) {
	o := newOffice(t)
	sess, byID := demoSession(t, o)
	var pending []int64
	for _, r := range sess.Rows {
		if r.Outcome == "" {
			pending = append(pending, r.ContestantID)
		}
	}
	a, b, c := byID[pending[0]], byID[pending[1]], byID[pending[2]]
	b4 := "0000"
	if strings.HasSuffix(b.IDNumber, b4) {
		b4 = "1111"
	}
	tok, err := o.st.CardToken(o.ev.ID, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	ctx := browsertest.New(t, 1024, 768)
	page := o.srv.URL + "/events/" + o.ev.Code + "/checkin?s=S01"
	err = chromedp.Do(ctx,
		chromedp.Navigate(page),
		chromedp.WaitVisible(chromedp.CSS(`input[name=username]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	browsertest.Navigates(t, ctx,
		chromedp.SendKeys(chromedp.CSS(`input[name=username]`), "keeper1"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "pass-keeper1"),
		chromedp.Submit(chromedp.CSS(`input[name=password]`)),
	)
	browsertest.Shows(t, ctx, `#entry-no`)
	fits := func(w int) {
		t.Helper()
		if sw := browsertest.Eval[int](t, ctx, `document.documentElement.scrollWidth`); sw > w {
			t.Errorf("page is %d px wide on a %d px tablet", sw, w)
		}
		// Touch targets: at least 44 px tall.
		small := browsertest.Eval[[]string](t, ctx, `[...document.querySelectorAll('#code-form input:not([type=hidden]), #qr-form input:not([type=hidden]), #checkin-submit, #qr-submit, nav.picker a')]
			.filter(e => e.getBoundingClientRect().height < 44).map(e => e.id || e.textContent.trim())`)
		if len(small) > 0 {
			t.Errorf("targets under 44 px at %d px: %v", w, small)
		}
	}
	fits(1024)
	browsertest.Navigates(t, ctx,
		chromedp.SendKeys(chromedp.CSS(`#entry-no`), entryNo(t, o, a.ID)),
		chromedp.SendKeys(chromedp.CSS(`#digits`), a.IDNumber[len(a.IDNumber)-4:]),
		chromedp.Click(chromedp.CSS(`#checkin-submit`)),
	)
	browsertest.Shows(t, ctx, `#checkin-result[data-outcome=present]`)
	if text := browsertest.Eval[string](t, ctx, `document.querySelector('#checkin-result').innerText`); !strings.Contains(text, "检录成功") || !strings.Contains(text, a.Name) {
		t.Fatalf("result: %q", text)
	}
	browsertest.Navigates(t, ctx,
		chromedp.SendKeys(chromedp.CSS(`#entry-no`), entryNo(t, o, b.ID)),
		chromedp.SendKeys(chromedp.CSS(`#digits`), b4),
		chromedp.Click(chromedp.CSS(`#checkin-submit`)),
	)
	browsertest.Shows(t, ctx, `#checkin-result[data-outcome=identity_mismatch]`)
	if text := browsertest.Eval[string](t, ctx, `document.querySelector('#checkin-result').innerText`); !strings.Contains(text, "人证不符") || !strings.Contains(text, b.Name) {
		t.Fatalf("mismatch: %q", text)
	}
	// The red banner is what a keeper sees first: it is in view without scrolling.
	if top := browsertest.Eval[float64](t, ctx, `document.querySelector('#checkin-result').getBoundingClientRect().bottom`); top > 768 {
		t.Errorf("人证不符 banner ends at %.0f px, below the screen", top)
	}
	// Turned upright; a scanner (or pasting) fills the entry card's code.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(768, 1024), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`#token`))); err != nil {
		t.Fatal(err)
	}
	fits(768)
	// The scanner's Enter submits the form.
	browsertest.Navigates(t, ctx, chromedp.SendKeys(chromedp.CSS(`#token`), tok+"\n"))
	browsertest.Shows(t, ctx, `#checkin-result[data-outcome=present]`)
	if text := browsertest.Eval[string](t, ctx, `document.querySelector('#checkin-result').innerText`); !strings.Contains(text, c.Name) {
		t.Fatalf("QR result: %q", text)
	}
	s, _ := o.st.Session(t.Context(), o.ev.ID, "S01")
	states := map[int64]string{}
	for _, r := range s.Rows {
		states[r.ContestantID] = r.Outcome
	}
	if states[a.ID] != sessions.Present || states[b.ID] != sessions.IdentityMismatch || states[c.ID] != sessions.Present {
		t.Fatalf("stored: %v", states)
	}
}
