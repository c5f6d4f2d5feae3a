package store

import (
	"context"
	"fmt"
	"testing"

	"skillscore"
)

// TestPaperSettingsDefaultSetAudited: no row is the default (the
// contestant does not sign); a change is stored and audited once, saving
// the same again writes nothing; an unknown event is not found.
func TestPaperSettingsDefaultSetAudited(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		s := open(Options{})
		ctx := context.Background()
		d := seed(t, s)
		p, err := s.PaperSettings(ctx, d.ev.ID)
		if err != nil || p.ContestantSigns {
			t.Fatalf("default: %+v %v", p, err)
		}
		for range 2 {
			if err := s.SetPaperSettings(ctx, d.ev.ID, PaperSettings{ContestantSigns: true}, "organizer"); err != nil {
				t.Fatal(err)
			}
		}
		if p, err = s.PaperSettings(ctx, d.ev.ID); err != nil || !p.ContestantSigns || p.UpdatedBy != "organizer" || !p.UpdatedAt.Valid() {
			t.Fatalf("after set: %+v %v", p, err)
		}
		if err := s.SetPaperSettings(ctx, d.ev.ID, PaperSettings{}, "organizer2"); err != nil {
			t.Fatal(err)
		}
		if p, _ = s.PaperSettings(ctx, d.ev.ID); p.ContestantSigns || p.UpdatedBy != "organizer2" {
			t.Fatalf("after unset: %+v", p)
		}
		var n int
		for _, e := range ptMust(s.AuditFor(ctx, d.ev.ID, "", "")) {
			if e.Action == "paper.settings" {
				n++
			}
		}
		if n != 2 {
			t.Errorf("%d paper.settings entries, want 2 (the repeated save writes none)", n)
		}
		if err := s.SetPaperSettings(ctx, 9999, PaperSettings{ContestantSigns: true}, "organizer"); skillscore.ErrorCode(err) != skillscore.ENotFound {
			t.Errorf("unknown event: %v", err)
		}
	})
}

func ptMust[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestSheetSignaturesFromAudit: a sheet submitted from a tablet names the
// judge's login and time; locking names the chief; a reopened and
// resubmitted sheet shows the new submission and no lock.
func TestSheetSignaturesFromAudit(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		s := open(Options{})
		ctx := context.Background()
		d := seed(t, s)
		assignAll(t, s, d)
		submit := func(c Contestant, tag string) {
			t.Helper()
			var ops []SheetOp
			for i, a := range d.pra.Aspects {
				ops = append(ops, SheetOp{OpID: fmt.Sprintf("%s-m%d-%d", tag, c.ID, i), Kind: OpMark, EventID: d.ev.ID, ModuleID: d.pra.ID,
					ContestantID: c.ID, JudgeID: d.judge.ID, AspectID: a.ID, Value: 10000, Actor: "judge:1"})
			}
			ops = append(ops, SheetOp{OpID: fmt.Sprintf("%s-s%d", tag, c.ID), Kind: OpSubmit, EventID: d.ev.ID, ModuleID: d.pra.ID,
				ContestantID: c.ID, JudgeID: d.judge.ID, Actor: "judge:1"})
			res, err := s.ApplyOps(ctx, ops)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range res {
				if r.Err != nil {
					t.Fatal(r.Err)
				}
			}
		}
		submit(d.cs[0], "a")
		submit(d.cs[1], "a")
		sheets := ptMust(s.Sheets(ctx, d.ev.ID))
		for _, sh := range sheets {
			if _, _, err := s.SetSheetStatus(ctx, d.ev.ID, sh.ID, "locked", "", "chief"); err != nil {
				t.Fatal(err)
			}
		}
		// The second contestant's sheet is reopened and submitted again.
		second := sheets[1]
		if _, _, err := s.SetSheetStatus(ctx, d.ev.ID, second.ID, "open", "复核更正", "chief"); err != nil {
			t.Fatal(err)
		}
		submit(d.cs[1], "b")
		sigs, err := s.SheetSignatures(ctx, d.ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(sigs) != 2 {
			t.Fatalf("%d signatures: %+v", len(sigs), sigs)
		}
		first := sigs[[3]int64{d.pra.ID, d.cs[0].ID, d.judge.ID}]
		if first.SubmittedBy != "judge:1" || !first.SubmittedAt.Valid() || first.LockedBy != "chief" || !first.LockedAt.Valid() {
			t.Errorf("first sheet: %+v", first)
		}
		again := sigs[[3]int64{d.pra.ID, d.cs[1].ID, d.judge.ID}]
		if again.SubmittedBy != "judge:1" || again.LockedBy != "" || !again.SubmittedAt.After(first.LockedAt.Time) {
			t.Errorf("resubmitted sheet: %+v (first locked at %v)", again, first.LockedAt)
		}
	})
}
