package demo_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"skillscore"
	"skillscore/arbitration"
	"skillscore/demo"
	"skillscore/internal/testenv"
	"skillscore/store"
)

// TestFinishedArbitration: the finished event is built with its one 仲裁,
// decided (rejected) on the competition day, and the rest of the workflow
// (sign-off, publication, final) goes through after it.
func TestFinishedArbitration(t *testing.T) {
	ctx := context.Background()
	clock := &demo.Clock{}
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "demo.db"), store.Options{Keys: testenv.Keys(t), Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	chief, err := st.CreateUser(ctx, store.User{Username: "chief", Name: "演示裁判长", Role: store.RoleChief, PasswordHash: "x"}, "test")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateUser(ctx, store.User{Username: demo.ArbiterUsername, Name: "演示仲裁", Role: store.RoleArbiter, PasswordHash: "x"}, "test"); err != nil {
		t.Fatal(err)
	}
	ev, err := demo.CreateFinished(ctx, st, clock, demo.People{Organizer: "organizer", Chief: "chief", ChiefUserID: chief.ID})
	if err != nil {
		t.Fatal(err)
	}
	cs, err := st.Arbitrations(ctx, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 1 {
		t.Fatalf("arbitrations: %+v", cs)
	}
	c := cs[0]
	cst := skillscore.China()
	if c.Status != arbitration.StatusRejected || c.Kind != arbitration.KindScore || c.DeciderName != "演示仲裁" || len(c.Hearings) != 1 ||
		!c.DecidedAt.Equal(time.Date(2026, 4, 18, 11, 40, 0, 0, cst)) || !c.Deadline.Equal(c.ModuleEnd.Add(2*time.Hour)) ||
		!c.FiledAt.Before(c.Deadline) {
		t.Fatalf("the demo's 仲裁: %+v", c)
	}
	if ev.Status != "final" {
		t.Fatalf("finished event: %s", ev.Status)
	}
}
