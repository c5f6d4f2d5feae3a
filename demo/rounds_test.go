package demo_test

import (
	"context"
	"testing"

	"skillscore/demo"
	"skillscore/internal/testenv"
	"skillscore/results"
	"skillscore/store"
)

func TestCreateRounds(t *testing.T) {
	ctx := context.Background()
	st := testenv.SQLite(t)
	ev, err := demo.CreateRounds(ctx, st, demo.RoundsCode, "chief", true)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := st.Rounds(ctx, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 2 || rs[0].Status != store.RoundConfirmed || rs[1].Status != store.RoundOpen || len(rs[1].Entries) < 6 ||
		rs[1].DrawSeed == nil || *rs[1].DrawSeed != demo.RoundsSeed {
		t.Fatalf("rounds %+v", rs)
	}
	snap, err := st.Snapshot(ctx, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	sd, err := results.Compute(snap)
	if err != nil {
		t.Fatal(err)
	}
	res, err := results.Rounds(sd)
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Contestants) != 10 || !res.Rounds[0].Complete || res.Rounds[1].Provisional || len(res.Rounds[1].Standings) != len(rs[1].Entries) {
		t.Fatalf("computed rounds: %d contestants, %+v", len(snap.Contestants), res.Rounds)
	}
	// The final is under way: its first module marked, its second not.
	if u := res.Rounds[1].Units; len(u) != 2 || u[0].Rows[0].Score == 0 || res.Rounds[1].Complete {
		t.Fatalf("final units %+v", u)
	}
}
