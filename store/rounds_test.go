package store

import (
	"context"
	"testing"

	"skillscore"
	"skillscore/draw"
)

const roundsRules = `{"rounds":[{"code":"prelim","name":"预赛","modules":["T"],"advance":{"top":1,"ties":"include"}},
	{"code":"final","name":"决赛","modules":["A"],"start":"reset"}]}`

func TestRoundsConfirmDrawAndBarredMarks(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		s := open(Options{})
		ctx := context.Background()
		d := seed(t, s)
		es := EventSetup{Rules: roundsRules, Groups: []Group{{Code: "employee", Name: "职工组"}, {Code: "student", Name: "学生组"}}}
		mods, err := s.Modules(ctx, d.ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		es.Modules = mods
		if err := s.ReplaceRules(ctx, d.ev.ID, es, "organizer"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Draw(ctx, d.ev.ID, 1, "0123456789abcdef0123456789abcdef", "organizer"); err != nil {
			t.Fatal(err)
		}
		if err := s.AddAssignments(ctx, d.ev.ID, []Assignment{{ModuleID: d.pra.ID, JudgeID: d.judge.ID, ContestantID: d.cs[0].ID},
			{ModuleID: d.pra.ID, JudgeID: d.judge.ID, ContestantID: d.cs[1].ID}}, "organizer"); err != nil {
			t.Fatal(err)
		}
		rs, err := s.Rounds(ctx, d.ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) != 2 || rs[0].Status != RoundOpen || rs[1].Status != RoundPending || !rs[0].OpenedAt.Valid() {
			t.Fatalf("rounds after setup: %+v", rs)
		}
		aspect := d.pra.Aspects[0].ID
		mark := func(op string, c int64) error {
			_, err := s.RecordMark(ctx, MarkOp{OpID: op, EventID: d.ev.ID, ModuleID: d.pra.ID, ContestantID: c, JudgeID: d.judge.ID,
				AspectID: aspect, Value: 20000, Actor: "judge:1"})
			return err
		}
		// Nobody is in the final before the prelim is confirmed.
		if err := mark("m0", d.cs[0].ID); skillscore.ErrorCode(err) != skillscore.ENotAdvanced {
			t.Fatalf("final mark before confirmation: %v", err)
		}
		if as, err := s.JudgeAssignments(ctx, d.judge.ID); err != nil || len(as) != 2 || !as[0].NotAdvanced || !as[1].NotAdvanced {
			t.Fatalf("final assignments before confirmation: %v %+v", err, as)
		}
		if err := s.ConfirmRound(ctx, d.ev.ID, "final", []RoundEntry{{ContestantID: d.cs[0].ID}}, "chief"); skillscore.ErrorCode(err) != skillscore.EConflict {
			t.Fatalf("confirm the pending final: %v", err)
		}
		if err := s.ConfirmRound(ctx, d.ev.ID, "prelim", []RoundEntry{{ContestantID: 999999}}, "chief"); skillscore.ErrorCode(err) != skillscore.EInvalid {
			t.Fatalf("confirm a stranger: %v", err)
		}
		if err := s.ConfirmRound(ctx, d.ev.ID, "prelim", []RoundEntry{{ContestantID: d.cs[0].ID, Reason: "预赛第 1 名，晋级决赛（前 1 名）"}}, "chief"); err != nil {
			t.Fatal(err)
		}
		if err := s.ConfirmRound(ctx, d.ev.ID, "prelim", []RoundEntry{{ContestantID: d.cs[1].ID}}, "chief"); skillscore.ErrorCode(err) != skillscore.EConflict {
			t.Fatalf("confirm twice: %v", err)
		}
		rs, _ = s.Rounds(ctx, d.ev.ID)
		if rs[0].Status != RoundConfirmed || rs[0].ConfirmedBy == nil || *rs[0].ConfirmedBy != "chief" || !rs[0].ConfirmedAt.Valid() ||
			rs[1].Status != RoundOpen || len(rs[1].Entries) != 1 || rs[1].Entries[0].Reason != "预赛第 1 名，晋级决赛（前 1 名）" {
			t.Fatalf("rounds after confirmation: %+v", rs)
		}
		if got := ConfirmedAdvancement(rs); len(got["prelim"]) != 1 || got["prelim"][0] != d.cs[0].ID {
			t.Fatalf("confirmed advancement %v", got)
		}
		// The final's draw is reproducible from its seed.
		if _, err := s.DrawRound(ctx, d.ev.ID, "prelim", "0123456789abcdef0123456789abcdef", "chief"); skillscore.ErrorCode(err) != skillscore.EInvalid {
			t.Fatalf("draw the first round: %v", err)
		}
		const seed2 = "00112233445566778899aabbccddeeff"
		r, err := s.DrawRound(ctx, d.ev.ID, "final", seed2, "chief")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := draw.ParseSeed(seed2)
		if r.DrawSeed == nil || *r.DrawSeed != seed2 || r.Entries[0].Appearance == nil ||
			*r.Entries[0].Appearance != draw.Permutation(b, "round-final-order", 1)[0]+1 || r.Entries[0].Station == nil || *r.Entries[0].Station != "01" {
			t.Fatalf("round draw %+v", r)
		}
		as, err := s.JudgeAssignments(ctx, d.judge.ID)
		if err != nil || len(as) != 2 {
			t.Fatalf("final assignments: %v %+v", err, as)
		}
		for _, a := range as {
			if a.NotAdvanced != (a.ContestantID != d.cs[0].ID) || a.ContestantID == d.cs[0].ID && (a.Station == nil || *a.Station != "01") {
				t.Fatalf("final assignments: %+v", as)
			}
		}
		if err := mark("m1", d.cs[0].ID); err != nil {
			t.Fatalf("mark an advanced contestant: %v", err)
		}
		if err := mark("m2", d.cs[1].ID); skillscore.ErrorCode(err) != skillscore.ENotAdvanced || skillscore.ErrorMessage(err) != "该选手未晋级决赛，不能在本轮评分" {
			t.Fatalf("mark a non-advanced contestant: %v", err)
		}
		if _, err := s.DrawRound(ctx, d.ev.ID, "final", seed2, "chief"); skillscore.ErrorCode(err) != skillscore.EConflict {
			t.Fatalf("redraw after marks: %v", err)
		}
		audit, err := s.AuditFor(ctx, d.ev.ID, "", "chief")
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, a := range audit {
			actions = append(actions, a.Action)
		}
		if len(actions) != 2 || actions[0] != "round.confirm" || actions[1] != "round.draw" {
			t.Fatalf("audit %v", actions)
		}
		// Rules without rounds: no rounds, nothing barred.
		es.Rules = `{"modules":[]}`
		if err := s.ReplaceRules(ctx, d.ev.ID, es, "organizer"); err != nil {
			t.Fatal(err)
		}
		if rs, _ := s.Rounds(ctx, d.ev.ID); len(rs) != 0 {
			t.Fatalf("rounds left: %+v", rs)
		}
		if err := mark("m3", d.cs[1].ID); err != nil {
			t.Fatalf("mark without rounds: %v", err)
		}
	})
}
