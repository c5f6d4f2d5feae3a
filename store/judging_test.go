package store

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"skillscore"
)

// assignAll gives the seeded judge both contestants in the judged module.
func assignAll(t *testing.T, s *Store, d seeded) {
	t.Helper()
	var as []Assignment
	for _, c := range d.cs {
		as = append(as, Assignment{ModuleID: d.pra.ID, JudgeID: d.judge.ID, ContestantID: c.ID})
	}
	if err := s.AddAssignments(context.Background(), d.ev.ID, as, "organizer"); err != nil {
		t.Fatal(err)
	}
}

func TestApplyOpsBatchRejectsOneAndKeepsTheRest(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		s := open(Options{})
		ctx := context.Background()
		d := seed(t, s)
		assignAll(t, s, d)
		op := func(id string, aspect int, value int64) SheetOp {
			return SheetOp{OpID: id, Kind: OpMark, EventID: d.ev.ID, ModuleID: d.pra.ID, ContestantID: d.cs[0].ID,
				JudgeID: d.judge.ID, AspectID: d.pra.Aspects[aspect].ID, Value: value, Actor: "judge:1", Subject: "Y001"}
		}
		before, _ := s.Event(ctx, d.ev.ID)
		bad := op("b2", 0, 20000)
		bad.JudgeID = d.outsider.ID
		noEvent := op("b4", 1, 10000)
		noEvent.EventID = 999999
		res, err := s.ApplyOps(ctx, []SheetOp{op("b1", 0, 10000), bad, op("b3", 1, 20000), op("b1", 0, 10000), noEvent})
		if err != nil {
			t.Fatal(err)
		}
		if skillscore.ErrorCode(res[4].Err) != skillscore.ENotFound {
			t.Fatalf("an operation on an unknown event: %+v", res[4])
		}
		if res[0].Err != nil || res[0].Duplicate || skillscore.ErrorCode(res[1].Err) != skillscore.EForbidden ||
			res[2].Err != nil || !res[3].Duplicate || res[0].Revision != res[2].Revision {
			t.Fatalf("batch results: %+v", res)
		}
		marks, _ := s.Marks(ctx, d.ev.ID)
		if len(marks) != 2 {
			t.Fatalf("%d marks after a batch with one rejection, want 2", len(marks))
		}
		ev, _ := s.Event(ctx, d.ev.ID)
		if ev.Revision != before.Revision+1 {
			t.Errorf("one batch advanced the revision from %d to %d, want by 1", before.Revision, ev.Revision)
		}
		if bad, n, err := s.VerifyAudit(ctx); err != nil || bad != 0 || n == 0 {
			t.Fatalf("audit chain after a batch: bad %d, %d entries, %v", bad, n, err)
		}
		if last, _ := s.LastOp(ctx, "judge:1"); last != "b3" {
			t.Errorf("last op = %q, want b3", last)
		}
	})
}

func TestSheetLifecycle(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		s := open(Options{})
		ctx := context.Background()
		d := seed(t, s)
		assignAll(t, s, d)
		base := SheetOp{EventID: d.ev.ID, ModuleID: d.pra.ID, ContestantID: d.cs[0].ID, JudgeID: d.judge.ID, Actor: "judge:1"}
		apply := func(o SheetOp) OpResult {
			t.Helper()
			res, err := s.ApplyOps(ctx, []SheetOp{o})
			if err != nil {
				t.Fatal(err)
			}
			return res[0]
		}
		with := func(id, kind string, aspect int, v int64) SheetOp {
			o := base
			o.OpID, o.Kind, o.Value = id, kind, v
			if aspect >= 0 {
				o.AspectID = d.pra.Aspects[aspect].ID
			}
			return o
		}
		apply(with("m1", OpMark, 0, 10000))
		if r := apply(with("s1", OpSubmit, -1, 0)); skillscore.ErrorCode(r.Err) != skillscore.EConflict {
			t.Fatalf("submit of an incomplete sheet: %+v", r)
		}
		for i := range d.pra.Aspects {
			apply(with(fmt.Sprintf("m%d", 10+i), OpMark, i, 10000))
		}
		if r := apply(with("c1", OpClear, 0, 0)); r.Err != nil {
			t.Fatal(r.Err)
		}
		apply(with("m20", OpMark, 0, 20000))
		if r := apply(with("s2", OpSubmit, -1, 0)); r.Err != nil {
			t.Fatalf("submit: %v", r.Err)
		}
		if r := apply(with("m21", OpMark, 0, 30000)); skillscore.ErrorCode(r.Err) != skillscore.EConflict {
			t.Fatalf("mark on a submitted sheet: %+v", r)
		}
		sheets, _ := s.Sheets(ctx, d.ev.ID)
		if len(sheets) != 1 || sheets[0].Status != "submitted" || sheets[0].Marked != len(d.pra.Aspects) {
			t.Fatalf("sheets: %+v", sheets)
		}
		id := sheets[0].ID
		if _, _, err := s.SetSheetStatus(ctx, d.ev.ID, id, "open", "", "chief"); skillscore.ErrorCode(err) != skillscore.EInvalid {
			t.Fatalf("reopen without reason: %v", err)
		}
		if _, _, err := s.SetSheetStatus(ctx, d.ev.ID, id, "locked", "", "chief"); err != nil {
			t.Fatal(err)
		}
		if err := s.SignOffModule(ctx, d.ev.ID, d.pra.ID, 0, "chief"); skillscore.ErrorCode(err) != skillscore.EConflict {
			t.Fatalf("sign-off with the second contestant's sheet missing: %v", err)
		}
		if _, _, err := s.SetSheetStatus(ctx, d.ev.ID, id, "open", "复核更正", "chief"); err != nil {
			t.Fatal(err)
		}
		if r := apply(with("m22", OpMark, 0, 30000)); r.Err != nil {
			t.Fatalf("mark after reopen: %v", r.Err)
		}
		trail, _ := s.AuditFor(ctx, d.ev.ID, "", "chief")
		if len(trail) != 2 || trail[0].Action != "sheet.lock" || !strings.Contains(trail[1].Detail, "复核更正") {
			t.Fatalf("chief's audit: %+v", trail)
		}
	})
}

func TestTicketsDevicesAndRevocation(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		s := open(Options{})
		ctx := context.Background()
		d := seed(t, s)
		exp := Time{time.Now().Add(time.Hour)}
		tk, err := s.IssueTicket(ctx, JudgeTicket{JudgeID: d.judge.ID, TicketHash: "t1", PINHash: "x", ExpiresAt: exp}, "org")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.RedeemTicket(ctx, tk.ID, JudgeDevice{TokenHash: "dev1"}); err != nil {
			t.Fatal(err)
		}
		if err := s.RedeemTicket(ctx, tk.ID, JudgeDevice{TokenHash: "dev2"}); skillscore.ErrorCode(err) != skillscore.EUnauthorized {
			t.Fatalf("second use of a ticket: %v", err)
		}
		if j, _, err := s.DeviceJudge(ctx, "dev1"); err != nil || j.ID != d.judge.ID {
			t.Fatalf("device judge: %v", err)
		}
		if _, err := s.RevokeJudgeAccess(ctx, d.judge.ID, "org"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.DeviceJudge(ctx, "dev1"); skillscore.ErrorCode(err) != skillscore.EUnauthorized {
			t.Fatalf("revoked device: %v", err)
		}
		old, _ := s.IssueTicket(ctx, JudgeTicket{JudgeID: d.judge.ID, TicketHash: "t2", PINHash: "x", ExpiresAt: exp}, "org")
		s.IssueTicket(ctx, JudgeTicket{JudgeID: d.judge.ID, TicketHash: "t3", PINHash: "x", ExpiresAt: exp}, "org")
		if err := s.RedeemTicket(ctx, old.ID, JudgeDevice{TokenHash: "dev3"}); skillscore.ErrorCode(err) != skillscore.EUnauthorized {
			t.Fatalf("a ticket replaced by a newer one: %v", err)
		}
		expired, _ := s.IssueTicket(ctx, JudgeTicket{JudgeID: d.judge.ID, TicketHash: "t4", PINHash: "x", ExpiresAt: Time{time.Now().Add(-time.Minute)}}, "org")
		if err := s.RedeemTicket(ctx, expired.ID, JudgeDevice{TokenHash: "dev4"}); skillscore.ErrorCode(err) != skillscore.EUnauthorized {
			t.Fatalf("an expired ticket: %v", err)
		}
	})
}

func TestConcurrentBatchesStoreEachOpOnce(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		s := open(Options{})
		ctx := context.Background()
		d := seed(t, s)
		assignAll(t, s, d)
		// Four writers replay the same 50 operations at once.
		var wg sync.WaitGroup
		for w := 0; w < 4; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 50; i++ {
					_, err := s.ApplyOps(ctx, []SheetOp{{OpID: fmt.Sprintf("op-%d", i), Kind: OpMark, EventID: d.ev.ID,
						ModuleID: d.pra.ID, ContestantID: d.cs[i%2].ID, JudgeID: d.judge.ID,
						AspectID: d.pra.Aspects[i%len(d.pra.Aspects)].ID, Value: 10000, Actor: "judge:1"}})
					if err != nil && !isUniqueViolation(err) {
						t.Error(err)
					}
				}
			}()
		}
		wg.Wait()
		var n int
		if err := s.r.GetContext(ctx, &n, "SELECT COUNT(*) FROM client_ops WHERE op_id LIKE 'op-%'"); err != nil {
			t.Fatal(err)
		}
		if n != 50 {
			t.Fatalf("%d operations stored, want 50", n)
		}
		if bad, _, _ := s.VerifyAudit(ctx); bad != 0 {
			t.Fatalf("audit chain broken at %d", bad)
		}
	})
}

func TestPaperEntriesNeedTwoPeopleWhoAgree(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		s := open(Options{})
		ctx := context.Background()
		d := seed(t, s)
		u1, _ := s.CreateUser(ctx, User{Username: "k1", Name: "甲", Role: "scorekeeper", PasswordHash: "x"}, "t")
		u2, _ := s.CreateUser(ctx, User{Username: "k2", Name: "乙", Role: "scorekeeper", PasswordHash: "x"}, "t")
		marks := map[int64]int64{}
		for _, a := range d.pra.Aspects {
			marks[a.ID] = 10000
		}
		e := PaperEntry{EventID: d.ev.ID, ModuleID: d.pra.ID, ContestantID: d.cs[0].ID, JudgeID: d.judge.ID, Marks: marks}
		e1, e2 := e, e
		e1.UserID, e1.Username = u1.ID, "k1"
		e2.UserID, e2.Username = u2.ID, "k2"
		if out, err := s.SubmitPaperEntry(ctx, e1); err != nil || out.Status != "waiting" {
			t.Fatalf("first: %+v %v", out, err)
		}
		other := map[int64]int64{}
		for k, v := range marks {
			other[k] = v
		}
		other[d.pra.Aspects[0].ID] = 20000
		e2.Marks = other
		if out, err := s.SubmitPaperEntry(ctx, e2); err != nil || out.Status != "mismatch" || len(out.Mismatch) != 1 {
			t.Fatalf("mismatch: %+v %v", out, err)
		}
		if m, _ := s.Marks(ctx, d.ev.ID); len(m) != 0 {
			t.Fatal("marks stored on a mismatch")
		}
		e2.Marks = marks
		if out, err := s.SubmitPaperEntry(ctx, e2); err != nil || out.Status != "agreed" {
			t.Fatalf("agree: %+v %v", out, err)
		}
		if m, _ := s.Marks(ctx, d.ev.ID); len(m) != len(d.pra.Aspects) {
			t.Fatalf("%d marks after agreement", len(m))
		}
	})
}

// BenchmarkApplyOps measures the store's share of a judge's mark: batches of
// 200 marks (the group commit's size with 200 judges), per mark.
func BenchmarkApplyOps(b *testing.B) {
	s, err := Open(context.Background(), "sqlite:"+b.TempDir()+"/bench.db", Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	d := seed(b, s)
	ctx := context.Background()
	var as []Assignment
	for _, c := range d.cs {
		as = append(as, Assignment{ModuleID: d.pra.ID, JudgeID: d.judge.ID, ContestantID: c.ID})
	}
	if err := s.AddAssignments(ctx, d.ev.ID, as, "bench"); err != nil {
		b.Fatal(err)
	}
	n := 0
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		ops := make([]SheetOp, 200)
		for k := range ops {
			n++
			ops[k] = SheetOp{OpID: fmt.Sprintf("o%d", n), Kind: OpMark, EventID: d.ev.ID, ModuleID: d.pra.ID,
				ContestantID: d.cs[k%2].ID, JudgeID: d.judge.ID, AspectID: d.pra.Aspects[0].ID, Value: 10000,
				Actor: "judge:1", Subject: "Y001"}
		}
		if _, err := s.ApplyOps(ctx, ops); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(time.Since(start).Microseconds())/float64(n), "µs/mark")
}

// TestOpIDOfAnotherSenderIsAConflict: op ids are scoped to their sender. A
// second judge reusing the first one's op id is refused as a conflict,
// never acknowledged as a duplicate: nothing of it is stored and it is not
// told the revision the first judge's mark produced. The first judge's own
// resend is still a duplicate.
func TestOpIDOfAnotherSenderIsAConflict(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		s := open(Options{})
		ctx := context.Background()
		d := seed(t, s)
		assignAll(t, s, d)
		second, err := s.AddJudge(ctx, Judge{EventID: d.ev.ID, Code: "J02", Name: "周裁判"},
			[]PanelMember{{ModuleID: d.pra.ID}}, "tester")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.AddAssignments(ctx, d.ev.ID, []Assignment{{ModuleID: d.pra.ID, JudgeID: second.ID, ContestantID: d.cs[0].ID}}, "organizer"); err != nil {
			t.Fatal(err)
		}
		op := func(id string, j Judge, value int64) SheetOp {
			return SheetOp{OpID: id, Kind: OpMark, EventID: d.ev.ID, ModuleID: d.pra.ID, ContestantID: d.cs[0].ID,
				JudgeID: j.ID, AspectID: d.pra.Aspects[0].ID, Value: value, Actor: fmt.Sprintf("judge:%d", j.ID), Subject: "Y001"}
		}
		first, err := s.ApplyOps(ctx, []SheetOp{op("shared-1", d.judge, 10000)})
		if err != nil || first[0].Err != nil {
			t.Fatalf("first judge's mark: %+v %v", first, err)
		}
		snapshot := func() string {
			marks, _ := s.Marks(ctx, d.ev.ID)
			ev, _ := s.Event(ctx, d.ev.ID)
			_, n, _ := s.VerifyAudit(ctx)
			var ops int
			s.r.GetContext(ctx, &ops, "SELECT COUNT(*) FROM client_ops")
			return fmt.Sprint(marks, ev.Revision, n, ops)
		}
		before := snapshot()
		// Alone, and in a batch behind a fresh op of the first judge's
		// that is itself reused by the second judge.
		res, err := s.ApplyOps(ctx, []SheetOp{op("shared-1", second, 20000)})
		if err != nil {
			t.Fatal(err)
		}
		if r := res[0]; skillscore.ErrorCode(r.Err) != skillscore.EConflict || r.Duplicate || r.Revision != 0 {
			t.Fatalf("another judge's reuse of an op id: %+v", r)
		}
		if after := snapshot(); after != before {
			t.Fatalf("the refused reuse changed the store:\n%s\n→\n%s", before, after)
		}
		res, err = s.ApplyOps(ctx, []SheetOp{op("shared-2", d.judge, 20000), op("shared-2", second, 30000), op("shared-1", d.judge, 10000)})
		if err != nil {
			t.Fatal(err)
		}
		if res[0].Err != nil || res[0].Duplicate {
			t.Fatalf("fresh op: %+v", res[0])
		}
		if r := res[1]; skillscore.ErrorCode(r.Err) != skillscore.EConflict || r.Duplicate || r.Revision != 0 {
			t.Fatalf("reuse inside one batch: %+v", r)
		}
		if r := res[2]; r.Err != nil || !r.Duplicate || r.Revision != first[0].Revision {
			t.Fatalf("the first judge's own resend: %+v, want a duplicate of revision %d", r, first[0].Revision)
		}
		var secondMarks int
		s.r.GetContext(ctx, &secondMarks, "SELECT COUNT(*) FROM sheets WHERE judge_id = ?", second.ID)
		if secondMarks != 0 {
			t.Fatalf("the second judge has %d sheets after only refused operations", secondMarks)
		}
	})
}

// TestPaperEntryOnALockedSheetIsRefused: a first paper entry of a sheet
// that is locked (or submitted) is refused and stores nothing, like the
// second.
func TestPaperEntryOnALockedSheetIsRefused(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		s := open(Options{})
		ctx := context.Background()
		d := seed(t, s)
		assignAll(t, s, d)
		u1, _ := s.CreateUser(ctx, User{Username: "k1", Name: "甲", Role: "scorekeeper", PasswordHash: "x"}, "t")
		marks := map[int64]int64{}
		var ops []SheetOp
		for i, a := range d.pra.Aspects {
			marks[a.ID] = 10000
			ops = append(ops, SheetOp{OpID: fmt.Sprint("m", i), Kind: OpMark, EventID: d.ev.ID, ModuleID: d.pra.ID,
				ContestantID: d.cs[0].ID, JudgeID: d.judge.ID, AspectID: a.ID, Value: 10000, Actor: "judge:1"})
		}
		ops = append(ops, SheetOp{OpID: "s", Kind: OpSubmit, EventID: d.ev.ID, ModuleID: d.pra.ID,
			ContestantID: d.cs[0].ID, JudgeID: d.judge.ID, Actor: "judge:1"})
		if res, err := s.ApplyOps(ctx, ops); err != nil || res[len(res)-1].Err != nil {
			t.Fatalf("tablet submit: %+v %v", res, err)
		}
		sheets, _ := s.Sheets(ctx, d.ev.ID)
		e := PaperEntry{EventID: d.ev.ID, ModuleID: d.pra.ID, ContestantID: d.cs[0].ID, JudgeID: d.judge.ID,
			UserID: u1.ID, Username: "k1", Marks: marks}
		count := func() (n int) {
			s.r.GetContext(ctx, &n, "SELECT COUNT(*) FROM paper_entries")
			_, audited, _ := s.VerifyAudit(ctx)
			return n*1000 + audited
		}
		before := count()
		if _, err := s.SubmitPaperEntry(ctx, e); skillscore.ErrorCode(err) != skillscore.EConflict {
			t.Fatalf("first paper entry on a submitted sheet: %v", err)
		}
		if _, _, err := s.SetSheetStatus(ctx, d.ev.ID, sheets[0].ID, "locked", "", "chief"); err != nil {
			t.Fatal(err)
		}
		before++ // the lock's audit entry
		if _, err := s.SubmitPaperEntry(ctx, e); skillscore.ErrorCode(err) != skillscore.EConflict || !strings.Contains(err.Error(), "锁定") {
			t.Fatalf("first paper entry on a locked sheet: %v", err)
		}
		if after := count(); after != before {
			t.Fatalf("refused paper entries stored something: %d → %d", before, after)
		}
	})
}

// TestLockSubmittedLocksAModuleAtOnce: the chief's 全部锁定 locks exactly
// the module's submitted sheets (an open one stays open), writes one
// sheet.lock entry per sheet and moves the revision once; an unknown
// module or another event's is refused and changes nothing.
func TestLockSubmittedLocksAModuleAtOnce(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		s := open(Options{})
		ctx := context.Background()
		d := seed(t, s)
		assignAll(t, s, d)
		var ops []SheetOp
		for ci, c := range d.cs {
			for ai, a := range d.pra.Aspects {
				ops = append(ops, SheetOp{OpID: fmt.Sprintf("m%d-%d", ci, ai), Kind: OpMark, EventID: d.ev.ID, ModuleID: d.pra.ID,
					ContestantID: c.ID, JudgeID: d.judge.ID, AspectID: a.ID, Value: 10000, Actor: "judge:1"})
			}
		}
		// Only the first contestant's sheet is submitted.
		ops = append(ops, SheetOp{OpID: "s0", Kind: OpSubmit, EventID: d.ev.ID, ModuleID: d.pra.ID,
			ContestantID: d.cs[0].ID, JudgeID: d.judge.ID, Actor: "judge:1"})
		if res, err := s.ApplyOps(ctx, ops); err != nil || res[len(res)-1].Err != nil {
			t.Fatalf("marks: %v", err)
		}
		if _, _, err := s.LockSubmitted(ctx, d.ev.ID, 999999, "chief"); skillscore.ErrorCode(err) != skillscore.ENotFound {
			t.Fatalf("unknown module: %v", err)
		}
		other, err := s.CreateEvent(ctx, NewEvent{Event: Event{Code: "jx-other", Name: "另一赛项", Kind: "competition",
			Occupation: "育婴员", Year: 2026, Rules: `{"modules":[]}`}}, "tester")
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.LockSubmitted(ctx, other.ID, d.pra.ID, "chief"); skillscore.ErrorCode(err) != skillscore.ENotFound {
			t.Fatalf("another event's module: %v", err)
		}
		before, _ := s.AuditFor(ctx, d.ev.ID, "", "chief")
		got, rev, err := s.LockSubmitted(ctx, d.ev.ID, d.pra.ID, "chief")
		if err != nil || len(got) != 1 || got[0].ContestantID != d.cs[0].ID || got[0].Status != "locked" || rev == 0 {
			t.Fatalf("lock: %+v rev %d %v", got, rev, err)
		}
		sheets, _ := s.Sheets(ctx, d.ev.ID)
		status := map[int64]string{}
		for _, sh := range sheets {
			status[sh.ContestantID] = sh.Status
		}
		if status[d.cs[0].ID] != "locked" || status[d.cs[1].ID] != "open" {
			t.Fatalf("statuses after lock: %v", status)
		}
		trail, _ := s.AuditFor(ctx, d.ev.ID, "", "chief")
		if len(trail) != len(before)+1 || trail[len(trail)-1].Action != "sheet.lock" {
			t.Fatalf("audit: %d entries before, %+v after", len(before), trail)
		}
		// Nothing left to lock: no change, no revision.
		if got, rev, err := s.LockSubmitted(ctx, d.ev.ID, d.pra.ID, "chief"); err != nil || len(got) != 0 || rev != 0 {
			t.Fatalf("second lock: %+v %d %v", got, rev, err)
		}
		if bad, _, err := s.VerifyAudit(ctx); err != nil || bad != 0 {
			t.Fatalf("audit chain: %d bad, %v", bad, err)
		}
	})
}
