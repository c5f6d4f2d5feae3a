package web_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"skillscore/demo"
	"skillscore/internal/browsertest"
	"skillscore/internal/testenv"
	"skillscore/live"
	"skillscore/results"
	"skillscore/store"
	"skillscore/templates"
	"skillscore/web"
)

// TestLiveBoardShowsTheCurrentRound: the two-round demo's live standings
// are the 决赛's: only the finalists, ranked on their 决赛 standing (carry
// included), over the 决赛's modules, named with the last unit marked; the
// leaderboard page says so.
func TestLiveBoardShowsTheCurrentRound(t *testing.T) {
	ctx := context.Background()
	st := testenv.SQLite(t)
	ev, err := demo.CreateRounds(ctx, st, demo.RoundsCode, "chief", true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.SetLiveSettings(ctx, ev.ID, false, true, "test"); err != nil {
		t.Fatal(err)
	}
	tmpl, err := templates.New()
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := live.New(live.Config{Source: st, Logger: log, MinInterval: time.Millisecond})
	srv := httptest.NewServer(web.New(web.Config{Store: st, Templates: tmpl, Logger: log, Live: svc}))
	t.Cleanup(func() {
		svc.Close()
		srv.Close()
	})
	resp, err := http.Get(srv.URL + "/api/v1/events/" + ev.Code + "/standings")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc live.Standings
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil || resp.StatusCode != 200 {
		t.Fatalf("standings: %d %v", resp.StatusCode, err)
	}
	snap, _ := st.Snapshot(ctx, ev.ID)
	sd, err := results.Compute(snap)
	if err != nil {
		t.Fatal(err)
	}
	rr, err := results.Rounds(sd)
	if err != nil {
		t.Fatal(err)
	}
	final := rr.Rounds[1]
	if doc.Round == nil || doc.Round.Name != "决赛" || doc.Round.After != "决赛 实操一 失智照护" || len(doc.Modules) != 2 ||
		len(doc.Contestants) != len(final.Standings) {
		t.Fatalf("standings round %+v, %d modules, %d rows (final has %d)", doc.Round, len(doc.Modules), len(doc.Contestants), len(final.Standings))
	}
	for i, c := range doc.Contestants {
		want := final.Standings[i]
		if c.Total != want.Score || c.Rank != want.Rank || len(c.Modules) != 2 || c.Reasons[0].Code != "round.carried" {
			t.Fatalf("row %d: %+v, want %+v", i, c.ContestantResult, want)
		}
	}
	resp, err = http.Get(srv.URL + "/events/" + ev.Code + "/leaderboard")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), "决赛排名（决赛 实操一 失智照护 之后）") || !strings.Contains(string(body), "本轮成绩") {
		t.Fatalf("leaderboard page:\n%s", body)
	}
	// The big screen names the round and shows only the finalists.
	b := browsertest.New(t, 1280, 720)
	browsertest.Navigates(t, b, chromedp.Navigate(srv.URL+"/events/"+ev.Code+"/bigscreen"))
	browsertest.WaitTrue(t, b, `(() => { const r = document.querySelector('.live-round'); return r && !r.hidden && r.textContent === '决赛排名（决赛 实操一 失智照护 之后）'; })()`)
	if n := browsertest.Eval[int](t, b, `document.querySelectorAll('.live-group:not([hidden]) tbody tr').length`); n != len(final.Standings) {
		t.Fatalf("big screen shows %d rows, the final has %d", n, len(final.Standings))
	}
	// A mark in the final's second unit: the screen now shows the standings after it.
	var f2 store.Module
	for _, m := range snap.Modules {
		if m.Code == "F2" {
			f2 = m
		}
	}
	var judge int64
	for _, p := range snap.Panels {
		if p.ModuleID == f2.ID {
			judge = p.JudgeID
		}
	}
	finalist := sd.Contestants[final.Standings[0].ID]
	ack, err := st.RecordMark(ctx, store.MarkOp{OpID: "live-f2", EventID: ev.ID, ModuleID: f2.ID, ContestantID: finalist.ID,
		JudgeID: judge, AspectID: f2.Aspects[0].ID, Value: 30000, Actor: "test"})
	if err != nil {
		t.Fatal(err)
	}
	svc.EventChanged(ctx, ev.ID, ack.Revision)
	browsertest.WaitTrue(t, b, `document.querySelector('.live-round').textContent === '决赛排名（决赛 实操二 康复服务 之后）'`)
}
