package live_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"skillscore/demo"
	"skillscore/internal/testenv"
	"skillscore/live"
	"skillscore/store"
)

// demoProgramme opens a store holding the demo programme, built on the
// demo's clock like `skillscore demo` does.
func demoProgramme(t *testing.T) *store.Store {
	t.Helper()
	ctx := context.Background()
	clock := &demo.Clock{}
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "prog.db"), store.Options{Keys: testenv.Keys(t), Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	u, err := st.CreateUser(ctx, store.User{Username: "chief", Name: "裁判长", Role: "chief", PasswordHash: "x"}, "demo")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.CreateProgramme(ctx, st, clock, demo.People{Organizer: "organizer", Chief: "chief", ChiefUserID: u.ID}); err != nil {
		t.Fatal(err)
	}
	return st
}

func TestProgrammeBoardSealsAndUpdates(t *testing.T) {
	st := demoProgramme(t)
	ctx := context.Background()
	svc := live.New(live.Config{Source: st, Programmes: st, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		PollInterval: time.Hour}) // only notifications move the board here
	t.Cleanup(svc.Close)
	data, etag, err := svc.ProgrammeBoard(ctx, demo.ProgrammeCode, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	var b live.ProgrammeBoard
	if err := json.Unmarshal(data, &b); err != nil {
		t.Fatal(err)
	}
	status := map[string]live.EventStatus{}
	for _, e := range b.Events {
		status[e.Code] = e
	}
	if status[demo.ProgrammeElderCode].Status != live.StatusFinal || status[demo.TeamsCode].Status != live.StatusPublication ||
		status[demo.RoundsCode].Status != live.StatusRunning || status[demo.RoundsCode].Counted {
		t.Fatalf("statuses %+v", b.Events)
	}
	if b.Table.Counted != 2 || b.Table.Pending != 1 || len(b.Table.Rows) != 5 {
		t.Fatalf("table %+v", b.Table)
	}
	total := 0
	for _, r := range b.Table.Rows {
		total += r.Awards
	}
	if total == 0 || b.Table.Rows[0].Prize != "团体一等奖" {
		t.Fatalf("table without awards or prize: %+v", b.Table.Rows)
	}

	// The same version again waits; withdrawing the team event's publication
	// moves the board (one long poll wakes with the new bytes).
	ev, err := st.EventByCode(ctx, demo.TeamsCode)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan string, 1)
	go func() {
		_, next, _ := svc.ProgrammeBoard(ctx, demo.ProgrammeCode, etag, 10*time.Second)
		done <- next
	}()
	// Withdrawing the team event's publication takes its awards out.
	rev, err := st.SetPublished(ctx, ev.ID, false, "test")
	if err != nil {
		t.Fatal(err)
	}
	svc.EventChanged(ctx, ev.ID, rev)
	select {
	case next := <-done:
		if next == etag {
			t.Fatal("long poll returned the old version")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the board did not move after the event changed")
	}
	data, _, err = svc.ProgrammeBoard(ctx, demo.ProgrammeCode, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	var after live.ProgrammeBoard
	if err := json.Unmarshal(data, &after); err != nil {
		t.Fatal(err)
	}
	if after.Table.Counted != 1 {
		t.Fatalf("unpublished event still counted: %+v", after.Table)
	}
}

// TestProgrammeBoardTenThousandWaiters: 10,000 viewers waiting on the board
// all get the new version after one change, the same bytes (one encoding),
// in one computation.
func TestProgrammeBoardTenThousandWaiters(t *testing.T) {
	st := demoProgramme(t)
	ctx := context.Background()
	svc := live.New(live.Config{Source: st, Programmes: st, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		PollInterval: time.Hour})
	t.Cleanup(svc.Close)
	_, etag, err := svc.ProgrammeBoard(ctx, demo.ProgrammeCode, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	const viewers = 10000
	type answer struct {
		data []byte
		etag string
	}
	answers := make(chan answer, viewers)
	for range viewers {
		go func() {
			data, next, _ := svc.ProgrammeBoard(ctx, demo.ProgrammeCode, etag, time.Minute)
			answers <- answer{data, next}
		}()
	}
	ev, err := st.EventByCode(ctx, demo.TeamsCode)
	if err != nil {
		t.Fatal(err)
	}
	// Every viewer is waiting before the change.
	for svc.ProgrammeWaiters(demo.ProgrammeCode) < viewers {
		runtime.Gosched()
	}
	start := time.Now()
	rev, err := st.SetPublished(ctx, ev.ID, false, "test")
	if err != nil {
		t.Fatal(err)
	}
	svc.EventChanged(ctx, ev.ID, rev)
	var first answer
	for i := range viewers {
		a := <-answers
		if a.etag == etag {
			t.Fatalf("viewer %d got the old version", i)
		}
		if i == 0 {
			first = a
		} else if &a.data[0] != &first.data[0] {
			t.Fatalf("viewer %d got a copy of its own, not the board's one encoding", i)
		}
	}
	t.Logf("%d viewers had the new board %v after the change", viewers, time.Since(start))
}
