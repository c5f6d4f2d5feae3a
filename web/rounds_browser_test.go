package web_test

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"skillscore/draw"
	"skillscore/internal/browsertest"
	"skillscore/store"
)

// TestRoundsPageInBrowser is the chief's path in Chromium: the 预赛
// standings with the computed advancement and its reasons, confirmation
// (which opens the 决赛), then the 决赛's draw from a chosen seed, shown
// with the seed and reproducible.
func TestRoundsPageInBrowser(t *testing.T) {
	o := newOffice(t)
	ctx := context.Background()
	ev := roundsEvent(t, o)
	const seed = "00112233445566778899aabbccddeeff"
	b := browsertest.New(t, 1024, 768)
	err := chromedp.Do(b,
		chromedp.Navigate(o.srv.URL+"/events/"+ev.Code+"/rounds"),
		chromedp.WaitVisible(chromedp.CSS(`input[name=username]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	browsertest.Navigates(t, b,
		chromedp.SendKeys(chromedp.CSS(`input[name=username]`), "chief"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "pass-chief"),
		chromedp.Submit(chromedp.CSS(`input[name=password]`)),
	)
	browsertest.Shows(t, b, `#round-prelim form.confirm-round button`)
	text := browsertest.Eval[string](t, b, `document.querySelector('#round-prelim').innerText`)
	if !strings.Contains(text, "预赛第 1 名，晋级决赛（前 6 名）") || !strings.Contains(text, "未进入前 6 名") || !strings.Contains(text, "进行中") {
		t.Fatalf("prelim before confirmation:\n%s", text)
	}
	if n := browsertest.Eval[int](t, b, `document.querySelectorAll('#round-prelim tr.advances').length`); n < 6 {
		t.Fatalf("%d rows marked advancing", n)
	}
	browsertest.Eval[bool](t, b, `(window.confirm = () => true, true)`)
	browsertest.Navigates(t, b, chromedp.Click(chromedp.CSS(`#round-prelim form.confirm-round button`)))
	browsertest.Shows(t, b, `#round-final form.draw-round`)
	browsertest.Navigates(t, b,
		chromedp.SendKeys(chromedp.CSS(`#round-final form.draw-round input[name=seed]`), seed),
		chromedp.Click(chromedp.CSS(`#round-final form.draw-round button`)),
	)
	browsertest.Shows(t, b, `#round-final .draw-seed`)
	text = browsertest.Eval[string](t, b, `document.body.innerText`)
	if !strings.Contains(text, "晋级名单由 chief 于") || !strings.Contains(text, "已抽签：种子 "+seed) || !strings.Contains(text, "出场顺序与赛位已抽签") {
		t.Fatalf("after confirmation and draw:\n%s", text)
	}
	rs, err := o.st.Rounds(ctx, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	if rs[0].Status != store.RoundConfirmed || rs[0].ConfirmedBy == nil || *rs[0].ConfirmedBy != "chief" || rs[1].Status != store.RoundOpen {
		t.Fatalf("stored rounds %+v", rs)
	}
	// The draw replays from the seed: entries sorted by code, permuted.
	sb, _ := draw.ParseSeed(seed)
	order := draw.Permutation(sb, "round-final-order", len(rs[1].Entries))
	byCode := slices.Clone(rs[1].Entries)
	slices.SortFunc(byCode, func(a, b store.RoundEntry) int {
		return cmp.Or(cmp.Compare(*a.Code, *b.Code), cmp.Compare(a.ContestantID, b.ContestantID))
	})
	for i, e := range byCode {
		if e.Appearance == nil || *e.Appearance != order[i]+1 {
			t.Fatalf("entry %s appears %v, the seed gives %d", *e.Code, e.Appearance, order[i]+1)
		}
	}
	trail, _ := o.st.AuditFor(ctx, ev.ID, "", "chief")
	if len(trail) < 2 || trail[len(trail)-2].Action != "round.confirm" || trail[len(trail)-1].Action != "round.draw" {
		t.Fatalf("audit %+v", trail)
	}
}
