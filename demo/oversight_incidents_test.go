package demo_test

import (
	"context"
	"path/filepath"
	"testing"

	"skillscore/demo"
	"skillscore/incidents"
	"skillscore/internal/testenv"
	"skillscore/store"
)

// TestOversightIncidents: the finished event gets its two incidents — an
// acknowledged equipment fault with time added, a breach to be signed on
// paper — recorded while CreateFinished builds it.
func TestOversightIncidents(t *testing.T) {
	ctx := context.Background()
	clock := &demo.Clock{}
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "test.db"), store.Options{Keys: testenv.Keys(t), Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	chief, err := st.CreateUser(ctx, store.User{Username: "chief", Name: "演示裁判长", Role: store.RoleChief, PasswordHash: "x"}, "test")
	if err != nil {
		t.Fatal(err)
	}
	p := demo.People{Organizer: "organizer", Chief: "chief", ChiefName: chief.Name, ChiefUserID: chief.ID}
	ev, err := demo.CreateFinished(ctx, st, clock, p)
	if err != nil {
		t.Fatal(err)
	}
	// CreateFinished records them (OversightIncidents, on the competition
	// day); the rest of its steps then run on.
	all, err := st.Incidents(ctx, ev.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || all[0].Kind != incidents.Equipment || all[0].AddedSeconds != 390 || all[0].Ack != incidents.PIN ||
		all[0].EnteredRole != "judge" || all[1].Kind != incidents.Breach || all[1].Ack != incidents.Paper || all[1].EnteredRole != "chief" || all[1].EnteredName != "演示裁判长" {
		t.Fatalf("incidents: %+v", all)
	}
	if at := all[0].EnteredAt.In(demo.FinishedAt(18, 9).Location()); at.Day() != 18 || at.Hour() != 9 {
		t.Fatalf("entered at %v", at)
	}
	added, err := st.SessionTimeAdded(ctx, ev.ID, all[0].Session)
	if err != nil || added[all[0].ContestantID] != 390 {
		t.Fatalf("time added: %v %v", added, err)
	}
}
