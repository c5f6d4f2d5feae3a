package store

import (
	"context"
	"strings"
	"testing"
	"time"

	"skillscore"
)

func TestSetContestantStatus(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		clk := &clock{time.Date(2026, 5, 20, 9, 0, 0, 0, time.UTC)}
		s := open(Options{Now: clk.now})
		ctx := context.Background()
		d := seed(t, s)
		c := d.cs[0]
		rev := func() int64 {
			ev, err := s.Event(ctx, d.ev.ID)
			if err != nil {
				t.Fatal(err)
			}
			return ev.Revision
		}
		stored := func(id int64) Contestant {
			got, err := s.Contestant(ctx, d.ev.ID, id)
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		audits := func() int {
			trail, err := s.AuditTrail(ctx, d.ev.ID)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, e := range trail {
				if e.Action == "contestant.status" {
					n++
				}
			}
			return n
		}
		// Refusals store nothing.
		before := rev()
		wantRefused(t, "unknown status", s.SetContestantStatus(ctx, d.ev.ID, c.ID, "sick", "", "organizer"), skillscore.EInvalid, "未知的选手状态")
		wantRefused(t, "disqualified without reason", s.SetContestantStatus(ctx, d.ev.ID, c.ID, "disqualified", "  ", "chief"), skillscore.EInvalid, "取消资格须填写原因")
		wantRefused(t, "ineligible without reason", s.SetContestantStatus(ctx, d.ev.ID, c.ID, "ineligible", "", "organizer"), skillscore.EInvalid, "不参与评奖须填写原因")
		wantRefused(t, "other event's contestant", s.SetContestantStatus(ctx, d.ev.ID+1000, c.ID, "absent", "", "organizer"), skillscore.ENotFound, "没有该选手")
		if got := stored(c.ID); got.Status != "" || rev() != before || audits() != 0 {
			t.Fatalf("a refusal changed something: %+v rev %d→%d", got, before, rev())
		}
		// 缺考 needs no reason; it is stored with who and when, audited, and moves the revision.
		if err := s.SetContestantStatus(ctx, d.ev.ID, c.ID, "absent", "", "检录员"); err != nil {
			t.Fatal(err)
		}
		got := stored(c.ID)
		if got.Status != "absent" || got.StatusBy != "检录员" || !got.StatusAt.Equal(clk.t) || rev() != before+1 || audits() != 1 {
			t.Fatalf("absent: %+v rev %d", got, rev())
		}
		if err := s.SetContestantStatus(ctx, d.ev.ID, d.cs[1].ID, "disqualified", " 冒名顶替 ", "chief"); err != nil {
			t.Fatal(err)
		}
		if got := stored(d.cs[1].ID); got.Status != "disqualified" || got.StatusReason != "冒名顶替" {
			t.Fatalf("disqualified: %+v", got)
		}
		snap, err := s.Snapshot(ctx, d.ev.ID)
		if err != nil || snap.Contestants[1].Status != "disqualified" || snap.Contestants[1].StatusReason != "冒名顶替" {
			t.Fatalf("snapshot: %v %+v", err, snap.Contestants)
		}
		// clear
		if err := s.SetContestantStatus(ctx, d.ev.ID, c.ID, "", "核实到场", "organizer"); err != nil {
			t.Fatal(err)
		}
		if got := stored(c.ID); got.Status != "" || got.StatusReason != "" || got.StatusBy != "" || got.StatusAt.Valid() || audits() != 3 {
			t.Fatalf("cleared: %+v", got)
		}
		// Final results refuse a change.
		toPublication(t, s, d, clk.t)
		clk.t = clk.t.Add(80 * time.Hour)
		if err := s.Finalize(ctx, d.ev.ID, "organizer"); err != nil {
			t.Fatal(err)
		}
		wantRefused(t, "after final", s.SetContestantStatus(ctx, d.ev.ID, c.ID, "withdrew", "", "organizer"), skillscore.EConflict, "最终确认")
		if got := stored(c.ID); got.Status != "" {
			t.Fatalf("changed after final: %+v", got)
		}
	})
}

// An absent contestant's assignments without a sheet do not hold up the
// workflow: nobody will ever score them.
func TestAbsentContestantDoesNotBlockWorkflow(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		s := open(Options{})
		ctx := context.Background()
		d := seed(t, s)
		assignAll(t, s, d)
		w, err := s.Workflow(ctx, d.ev.ID)
		if err != nil || w.Unlocked != 2 {
			t.Fatalf("before: %v %+v", err, w)
		}
		if err := s.SetContestantStatus(ctx, d.ev.ID, d.cs[0].ID, "absent", "", "organizer"); err != nil {
			t.Fatal(err)
		}
		if w, err = s.Workflow(ctx, d.ev.ID); err != nil || w.Unlocked != 1 {
			t.Fatalf("after: %v %+v", err, w)
		}
	})
}

// 缺考 in a score file: recorded as absent; a contestant with nothing else
// becomes 缺考, one with a judge's mark keeps competing.
func TestImportScoresAbsent(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		s := open(Options{})
		ctx := context.Background()
		d := seed(t, s)
		assignAll(t, s, d)
		op := SheetOp{OpID: "m1", Kind: OpMark, EventID: d.ev.ID, ModuleID: d.pra.ID, ContestantID: d.cs[1].ID, JudgeID: d.judge.ID,
			AspectID: d.pra.Aspects[0].ID, Value: 20000, Actor: "judge:1", Subject: "x"}
		if res, err := s.ApplyOps(ctx, []SheetOp{op}); err != nil || res[0].Err != nil {
			t.Fatalf("mark: %v %v", err, res)
		}
		if _, err := s.ImportScores(ctx, d.ev.ID, d.theory.ID, []ImportedScore{
			{ContestantID: d.cs[0].ID, ModuleCode: "T", Absent: true},
			{ContestantID: d.cs[1].ID, ModuleCode: "T", Absent: true},
		}, "理论.xlsx", "organizer"); err != nil {
			t.Fatal(err)
		}
		if c, _ := s.Contestant(ctx, d.ev.ID, d.cs[0].ID); c.Status != "absent" || !strings.Contains(c.StatusReason, "理论.xlsx") || c.StatusBy != "organizer" {
			t.Errorf("no other marks: %+v", c)
		}
		if c, _ := s.Contestant(ctx, d.ev.ID, d.cs[1].ID); c.Status != "" {
			t.Errorf("with a judge's mark: %+v", c)
		}
		got, err := s.ImportedScores(ctx, d.ev.ID)
		if err != nil || len(got) != 2 || !got[0].Absent || !got[1].Absent || got[0].Value != 0 {
			t.Fatalf("stored: %v %+v", err, got)
		}
	})
}
