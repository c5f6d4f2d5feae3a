package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"skillscore/demo"
	"skillscore/internal/browsertest"
	"skillscore/live"
)

// TestProgrammeViewsFollowARemark: the programme overview on a 390 px phone
// and the 1920×1080 big screen show every 赛项's status and the delegation
// table, the sealed event's awards not in it; after a re-mark in the
// published event both pages show the new table without a reload, over
// the websocket. The phone never scrolls sideways, the big screen not at
// all.
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
	shown, expected := shownTable, tableText
	b, etag, _ := programmeBoard(t, o.srv.URL, "")
	first := expected(b)
	for _, tab := range tabs {
		browsertest.WaitTrue(t, tab.ctx, shown+` === `+jsString(t, first))
		statuses := browsertest.Eval[string](t, tab.ctx, `Array.from(document.querySelectorAll('.prog-events .badge')).map(b => b.textContent).join(',')`)
		if statuses != "成绩已确认,公示中,比赛中" {
			t.Errorf("%s: statuses %q", tab.name, statuses)
		}
	}
	for _, tab := range tabs {
		browsertest.WaitTrue(t, tab.ctx, `document.querySelector('[data-programme]').dataset.transport === 'websocket'`)
	}
	origin := make([]float64, len(tabs))
	for i, tab := range tabs {
		origin[i] = browsertest.Eval[float64](t, tab.ctx, `performance.timeOrigin`)
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
	for i, tab := range tabs {
		browsertest.WaitTrue(t, tab.ctx, shown+` === `+jsString(t, after))
		if again := browsertest.Eval[float64](t, tab.ctx, `performance.timeOrigin`); again != origin[i] {
			t.Errorf("%s: the page reloaded instead of updating live", tab.name)
		}
		if tr := browsertest.Eval[string](t, tab.ctx, `document.querySelector('[data-programme]').dataset.transport`); tr != "websocket" {
			t.Errorf("%s: updated by %q, want the websocket", tab.name, tr)
		}
	}
}

// TestProgrammeViewsLongPollWhenWebsocketRefused: behind a proxy that
// refuses websockets the big screen and the phone overview show the board
// and follow a re-mark by long poll, as before the websocket.
func TestProgrammeViewsLongPollWhenWebsocketRefused(t *testing.T) {
	var refused atomic.Int64
	o, svc := programmeOfficeWith(t, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/live") {
				refused.Add(1)
				http.Error(w, "websockets are not passed here", http.StatusForbidden)
				return
			}
			h.ServeHTTP(w, r)
		})
	})
	ctx := browsertest.New(t, 1920, 1080)
	tabs := []struct {
		name string
		ctx  context.Context
		path string
	}{
		{"phone", browsertest.Device(t, ctx, 390, 844), ""},
		{"big screen", browsertest.Device(t, ctx, 1920, 1080), "/bigscreen"},
	}
	for _, tab := range tabs {
		browsertest.Navigates(t, tab.ctx, chromedp.Navigate(o.srv.URL+"/programmes/"+demo.ProgrammeCode+tab.path))
	}
	b, _, _ := programmeBoard(t, o.srv.URL, "")
	for _, tab := range tabs {
		browsertest.WaitTrue(t, tab.ctx, `document.querySelector('[data-programme]').dataset.transport === 'poll' && `+
			shownTable+` === `+jsString(t, tableText(b)))
	}
	if refused.Load() < int64(len(tabs)) {
		t.Fatalf("%d websocket attempts for %d pages", refused.Load(), len(tabs))
	}
	ev, _ := vetoTopContestant(t, o.st)
	svc.EventChanged(context.Background(), ev.ID, ev.Revision)
	// Each page shows the board as the server has it, once the re-mark's
	// writes have all reached it.
	for _, tab := range tabs {
		for deadline := time.Now().Add(20 * time.Second); ; {
			now, _, _ := programmeBoard(t, o.srv.URL, "")
			want := tableText(now)
			if want != tableText(b) && browsertest.Eval[string](t, tab.ctx, shownTable) == want {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: shows %q, the board %q", tab.name, browsertest.Eval[string](t, tab.ctx, shownTable), want)
			}
			time.Sleep(50 * time.Millisecond) // polling the page for a condition, bounded by the deadline
		}
		if tr := browsertest.Eval[string](t, tab.ctx, `document.querySelector('[data-programme]').dataset.transport`); tr != "poll" {
			t.Errorf("%s: transport %q with websockets refused", tab.name, tr)
		}
		if st := browsertest.Eval[string](t, tab.ctx, `document.querySelector('.live-status').textContent`); st != "实时" {
			t.Errorf("%s: status %q while long polling", tab.name, st)
		}
	}
}

// shownTable is what a programme page shows of the table: each
// delegation's name and numbers, in order; tableText is the same from the
// board's JSON.
const shownTable = `Array.from(document.querySelectorAll('.prog-table tbody tr[data-delegation]')).map(tr =>
	Array.from(tr.querySelectorAll('td.name, td.n')).map(td => td.textContent).join(' ')).join('|')`

func tableText(b live.ProgrammeBoard) string {
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

// jsString is s as a JavaScript string literal.
func jsString(t *testing.T, s string) string {
	t.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
