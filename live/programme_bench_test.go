package live

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"testing"

	"skillscore/demo"
	"skillscore/internal/testenv"
	"skillscore/programme"
	"skillscore/store"
)

// bigProgramme is the store's demo programme grown to the scale:
// 82 more published events of 36 entries each (3,000 contestants in all)
// and 66 delegations. The added events are already computed (cached at
// their revision), as they are on a running board after its first pass.
type bigProgramme struct {
	*store.Store
	extra []store.Event
	dels  []store.Delegation
}

func (b *bigProgramme) ProgrammeEvents(ctx context.Context, id int64) ([]store.Event, error) {
	evs, err := b.Store.ProgrammeEvents(ctx, id)
	return append(evs, b.extra...), err
}

func (b *bigProgramme) Delegations(ctx context.Context, id int64) ([]store.Delegation, error) {
	ds, err := b.Store.Delegations(ctx, id)
	return append(ds, b.dels...), err
}

// BenchmarkProgrammeRefreshAfterMark is one refresh of the programme board
// after a mark in one event of a programme of 85 events and 3,000
// contestants: the changed event read and computed again, the other 84
// taken from the cache, the delegation table of all 85 rebuilt and the
// board encoded once.
func BenchmarkProgrammeRefreshAfterMark(b *testing.B) {
	ctx := context.Background()
	clock := &demo.Clock{}
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(b.TempDir(), "big.db"), store.Options{Keys: testenv.Keys(b), Now: clock.Now})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	u, err := st.CreateUser(ctx, store.User{Username: "chief", Name: "裁判长", Role: "chief", PasswordHash: "x"}, "bench")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := demo.CreateProgramme(ctx, st, clock, demo.People{Organizer: "organizer", Chief: "chief", ChiefUserID: u.ID}); err != nil {
		b.Fatal(err)
	}
	big := &bigProgramme{Store: st}
	for i := range 61 {
		big.dels = append(big.dels, store.Delegation{ID: int64(900000 + i), Code: fmt.Sprintf("x%02d", i), Name: fmt.Sprintf("代表队%02d", i)})
	}
	svc := New(Config{Source: st, Programmes: big, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	defer svc.Close()
	h := newProgHub(svc, demo.ProgrammeCode)
	if err := h.refresh(ctx); err != nil {
		b.Fatal(err)
	}
	awards := []string{"first", "second", "second", "third", "third", "third"}
	for e := range 82 {
		ev := store.Event{ID: int64(800000 + e), Code: fmt.Sprintf("big-%02d", e), Name: fmt.Sprintf("赛项%02d", e), Revision: 1}
		pe := &progEvent{rev: 1, final: true, people: map[string]*int64{},
			status: EventStatus{Code: ev.Code, Name: ev.Name, Contestants: 36, Progress: &Progress{Done: 108, Expected: 108}}}
		for i := range 36 {
			id := fmt.Sprint(i)
			d := big.dels[(e*7+i*13)%len(big.dels)].ID
			pe.people[id] = &d
			en := programme.Entry{ID: id, Group: "employee", Rank: i + 1}
			if i < len(awards) {
				en.Award = awards[i]
			}
			pe.entries = append(pe.entries, en)
		}
		big.extra = append(big.extra, ev)
		h.events[ev.ID] = pe
	}
	running, err := st.EventByCode(ctx, demo.RoundsCode)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		// The mark moved the event's revision: its cached computation is
		// stale and the board's inputs changed.
		h.mu.Lock()
		h.events[running.ID].rev = -1
		h.key = ""
		h.mu.Unlock()
		if err := h.refresh(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	var rows int
	h.mu.Lock()
	rows = len(h.events)
	h.mu.Unlock()
	if rows != 85 {
		b.Fatalf("%d events on the board, want 85", rows)
	}
}
