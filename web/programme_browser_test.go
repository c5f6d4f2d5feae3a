package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"skillscore/demo"
	"skillscore/internal/browsertest"
	"skillscore/live"
)

// TestProgrammeViewsFollowARemark: the programme overview on a 390 px phone
// and the 1920×1080 big screen show every 赛项's status and the delegation
// table, the sealed event's awards not in it; after a re-mark in the
// published event both pages show the new table without a reload. The
// phone never scrolls sideways, the big screen not at all.
func TestProgrammeViewsFollowARemark(t *testing.T) {
	o, svc := programmeOffice(t)
	ctx := browsertest.New(t, 1920, 1080)
	tabs := []struct {
		name string
		ctx  context.Context
		path string
	}{
		{"phone", browsertest.Device(t, ctx, 390, 844), ""},
		{"big screen", browsertest.Device(t, ctx, 1920, 1080), "/bigscreen"},
	}
	base := o.srv.URL + "/programmes/" + demo.ProgrammeCode
	for _, tab := range tabs {
		browsertest.Navigates(t, tab.ctx, chromedp.Navigate(base+tab.path))
	}
	// shown is what a page shows of the table: each delegation's name and
	// numbers, in order; expected is the same from the board's JSON.
	const shown = `Array.from(document.querySelectorAll('.prog-table tbody tr[data-delegation]')).map(tr =>
		Array.from(tr.querySelectorAll('td.name, td.n')).map(td => td.textContent).join(' ')).join('|')`
	expected := func(b live.ProgrammeBoard) string {
		var rows []string
		for _, r := range b.Table.Rows {
			cells := []string{r.Name}
			for _, n := range r.Counts {
				cells = append(cells, fmt.Sprint(n))
			}
			cells = append(cells, fmt.Sprint(r.Awards), fmt.Sprint(r.Points))
			rows = append(rows, strings.Join(cells, " "))
		}
		return strings.Join(rows, "|")
	}
	b, etag, _ := programmeBoard(t, o.srv.URL, "")
	first := expected(b)
	for _, tab := range tabs {
		browsertest.WaitTrue(t, tab.ctx, shown+` === `+jsString(t, first))
		statuses := browsertest.Eval[string](t, tab.ctx, `Array.from(document.querySelectorAll('.prog-events .badge')).map(b => b.textContent).join(',')`)
		if statuses != "成绩已确认,公示中,比赛中" {
			t.Errorf("%s: statuses %q", tab.name, statuses)
		}
	}
	phone, screen := tabs[0].ctx, tabs[1].ctx
	if w := browsertest.Eval[[]int](t, phone, `[document.documentElement.scrollWidth, window.innerWidth]`); w[0] > w[1] {
		t.Errorf("the phone page is %d px wide in a %d px window", w[0], w[1])
	}
	if h := browsertest.Eval[[]int](t, screen, `[document.documentElement.scrollHeight, window.innerHeight]`); h[0] > h[1] {
		t.Errorf("the big screen is %d px high in a %d px window", h[0], h[1])
	}
	// A tap on a delegation shows its reasons on the phone.
	browsertest.WaitTrue(t, phone, `(() => { const tr = document.querySelector('.prog-table tbody tr[data-delegation]'); tr.click();
		return !tr.nextElementSibling.hidden && tr.nextElementSibling.textContent.includes('团体积分'); })()`)

	ev, _ := vetoTopContestant(t, o.st)
	svc.EventChanged(context.Background(), ev.ID, ev.Revision)
	// The re-mark is several writes (appeal, reopen, marks, submit): the
	// board may move through states in between. Long polls follow it until
	// the table shows the change.
	after := first
	for i := 0; after == first; i++ {
		if i == 10 {
			t.Fatalf("the re-mark did not change the table: %s", after)
		}
		b, etag, _ = programmeBoard(t, o.srv.URL, etag)
		after = expected(b)
	}
	for _, tab := range tabs {
		browsertest.WaitTrue(t, tab.ctx, shown+` === `+jsString(t, after))
	}
}

// jsString is s as a JavaScript string literal.
func jsString(t *testing.T, s string) string {
	t.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
