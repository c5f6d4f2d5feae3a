package judges_test

import (
	"context"
	"testing"

	"skillscore"
	"skillscore/demo"
	"skillscore/internal/testenv"
	"skillscore/judges"
	"skillscore/store"
)

// TestFinalRefusesNonAdvanced: in the two-round demo a judge of the 决赛
// sees only the contestants who advanced, and a mark for one who did not is
// refused with code not_advanced over the websocket and over HTTP sync,
// nothing stored.
func TestFinalRefusesNonAdvanced(t *testing.T) {
	ctx := context.Background()
	st := testenv.SQLite(t)
	ev, err := demo.CreateRounds(ctx, st, demo.RoundsCode, "chief", true)
	if err != nil {
		t.Fatal(err)
	}
	e := newEnvOn(t, judges.Config{}, st, ev)
	rs, err := st.Rounds(ctx, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	advanced := map[int64]bool{}
	for _, en := range rs[1].Entries {
		advanced[en.ContestantID] = true
	}
	// A judge of F2 (the final's second module, not yet marked), with one
	// advanced and one eliminated contestant assigned.
	as, _ := st.Assignments(ctx, ev.ID)
	js, _ := st.Judges(ctx, ev.ID)
	cs, _ := st.Contestants(ctx, ev.ID)
	code := map[int64]string{}
	for _, c := range cs {
		code[c.ID] = *c.Code
	}
	var judge store.Judge
	var in, out string
	for _, j := range js {
		in, out = "", ""
		for _, a := range as {
			if a.JudgeID != j.ID || a.ModuleID != e.mods["F2"].ID {
				continue
			}
			if advanced[a.ContestantID] {
				in = code[a.ContestantID]
			} else {
				out = code[a.ContestantID]
			}
		}
		if in != "" && out != "" {
			judge = j
			break
		}
	}
	if judge.ID == 0 {
		t.Fatal("no F2 judge with both an advanced and an eliminated contestant")
	}
	tok, _ := e.login(judge)
	c := e.dial()
	w := c.hello(tok)
	for _, a := range w.Assignments {
		if a.Contestant == out {
			t.Fatalf("welcome lists eliminated %s in the final", out)
		}
	}
	if len(w.Assignments) == 0 {
		t.Fatal("welcome lists no finalist")
	}
	before := e.state()
	c.send(mark("r-out", out, "F2", "F2a", 2))
	if r := c.recv(); r.Type != judges.TypeReject || r.Code != skillscore.ENotAdvanced {
		t.Fatalf("ws mark of an eliminated contestant: %s", r.raw)
	}
	status, res := e.sync(tok, []map[string]any{mark("r-out-http", out, "F2", "F2a", 2)})
	if status != 200 || len(res) != 1 || res[0].Code != skillscore.ENotAdvanced {
		t.Fatalf("sync mark of an eliminated contestant: %d %+v", status, res)
	}
	if e.state() != before {
		t.Fatal("a refused mark changed the state")
	}
	c.send(mark("r-in", in, "F2", "F2a", 2))
	if r := c.recv(); r.Type != judges.TypeAck {
		t.Fatalf("ws mark of a finalist: %s", r.raw)
	}
}
