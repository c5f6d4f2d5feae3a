package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"skillscore"
	"skillscore/levels"
	"skillscore/sessions"
)

// retakeBatch creates an assessment batch of 养老护理员 at level with a
// theory (imported) and a practical module, the given people and their
// 考生来源.
func retakeBatch(t *testing.T, s *Store, code, batchNo, startsOn string, level levels.Level, people []Contestant, sources []string) (Event, []Module, []Contestant) {
	t.Helper()
	ctx := context.Background()
	ev, err := s.CreateEvent(ctx, NewEvent{Event: Event{Code: code, Name: "养老护理员认定 " + batchNo, Kind: "assessment",
		Occupation: "养老护理员", OccupationCode: "4-10-01-05", Level: level, Year: 2026, StartsOn: startsOn, Rules: `{"modules":[]}`},
		Groups: []Group{{Code: "g", Name: "考生"}},
		Modules: []Module{
			{Code: "theory", Name: "理论知识考试", Kind: "theory", Weight: 300000, MaxMarks: 1000000, Imported: true},
			{Code: "skill", Name: "操作技能考核", Kind: "practical", Weight: 700000, MaxMarks: 1000000,
				Aspects: []Aspect{{Code: "S1", Name: "照护", Kind: "judgement", MaxMarks: 1000000}}},
		}}, "tester")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveBatch(ctx, Batch{EventID: ev.ID, BatchNo: batchNo, PublicityDays: 5, RetakeMonths: 12}, "organizer"); err != nil {
		t.Fatal(err)
	}
	for i := range people {
		people[i].GroupCode = "g"
	}
	cs, err := s.AddContestants(ctx, ev.ID, people, "tester")
	if err != nil {
		t.Fatal(err)
	}
	var cands []Candidate
	for i, c := range cs {
		cands = append(cands, Candidate{ContestantID: c.ID, Source: sources[i]})
	}
	if err := s.SaveCandidates(ctx, ev.ID, cands, "organizer"); err != nil {
		t.Fatal(err)
	}
	mods, err := s.Modules(ctx, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	return ev, mods, cs
}

func person(name, id string) Contestant {
	return Contestant{Name: name, Gender: "女", IDType: "居民身份证", IDNumber: id, Level: 3}
}

func TestRetakeLookupAndCarriedParts(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		s := open(Options{})
		ctx := context.Background()
		const li, wang, zhao = "360103199001010028", "36010219900307002X", "360402200101010013"
		early, _, _ := retakeBatch(t, s, "jd-2025-10", "2025-KY-07", "2025-10-18", 2,
			[]Contestant{person("李华", li), person("王芳", wang)}, []string{SourceNew, SourceNew})
		// The same person in a batch of another level, and in a later one,
		// are no earlier attempt of a 技师 batch dated 2026-06-10.
		retakeBatch(t, s, "jd-2025-11-l3", "2025-KY-08", "2025-11-01", 3, []Contestant{person("李华", li)}, []string{SourceNew})
		retakeBatch(t, s, "jd-2026-09", "2026-KY-09", "2026-09-01", 2, []Contestant{person("李华", li)}, []string{SourceNew})
		if _, err := s.w.ExecContext(ctx, "INSERT INTO finals (event_id, finalized_at, finalized_by) VALUES (?, ?, ?)", early.ID, 1, "organizer"); err != nil {
			t.Fatal(err)
		}
		ev, mods, cs := retakeBatch(t, s, "jd-2026-06", "2026-KY-01", "2026-06-10", 2,
			[]Contestant{person("李华", li), person("王芳", wang), person("赵敏", zhao)}, []string{SourceRetake, SourceNew, SourceRetake})

		lk, err := s.RetakeLookup(ctx, ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		if lk.Batch.BatchNo != "2026-KY-01" || len(lk.Candidates) != 2 || lk.Candidates[0].ID != cs[0].ID || lk.Candidates[1].ID != cs[2].ID {
			t.Fatalf("lookup: batch %+v candidates %+v", lk.Batch, lk.Candidates)
		}
		if len(lk.Attempts) != 1 {
			t.Fatalf("attempts: %+v", lk.Attempts)
		}
		a := lk.Attempts[0]
		if a.ContestantID != cs[0].ID || a.EventID != early.ID || a.EventCode != "jd-2025-10" || a.BatchNo != "2025-KY-07" ||
			a.Date != "2025-10-18" || a.RetakeMonths != 12 || !a.Final || a.EarlierName != "李华" {
			t.Fatalf("attempt %+v", a)
		}
		// A competition is no batch; a batch without its date cannot count.
		if _, err := s.RetakeLookup(ctx, seed(t, s).ev.ID); skillscore.ErrorCode(err) != skillscore.EInvalid {
			t.Fatalf("lookup of a competition: %v", err)
		}

		part := CarriedPart{ContestantID: cs[0].ID, Part: "theory", Score: 780000, SourceEventID: early.ID, SourceEvent: early.Code,
			SourceBatchNo: "2025-KY-07", SourceDate: "2025-10-18", ValidUntil: "2026-10-18"}
		refused := []RetakeRefusal{{ContestantID: cs[2].ID, Reason: "未找到以往成绩"}}
		for _, bad := range []struct {
			p     CarriedPart
			code  string
			where string
		}{
			{func() CarriedPart { p := part; p.ContestantID = cs[1].ID; return p }(), skillscore.EInvalid, "不是本批次的补考考生"},
			{func() CarriedPart { p := part; p.Part = "review"; return p }(), skillscore.EInvalid, "没有综合评审部分的模块"},
			{func() CarriedPart { p := part; p.Score = 1000001; return p }(), skillscore.EInvalid, "0–100"},
			{func() CarriedPart { p := part; p.ValidUntil = ""; return p }(), skillscore.EInvalid, "有效期"},
		} {
			wantRefused(t, bad.where, s.SaveCarriedParts(ctx, ev.ID, []CarriedPart{bad.p}, nil, "organizer"), bad.code, bad.where)
		}
		before, _ := s.Event(ctx, ev.ID)
		if err := s.SaveCarriedParts(ctx, ev.ID, []CarriedPart{part}, refused, "organizer"); err != nil {
			t.Fatal(err)
		}
		got, err := s.CarriedParts(ctx, ev.ID)
		if err != nil || len(got) != 1 || got[0].Score != 780000 || got[0].SourceBatchNo != "2025-KY-07" || got[0].ValidUntil != "2026-10-18" ||
			got[0].CheckedBy != "organizer" || got[0].CheckedAt.IsZero() || got[0].EventID != ev.ID {
			t.Fatalf("carried parts: %+v %v", got, err)
		}
		if after, _ := s.Event(ctx, ev.ID); after.Revision <= before.Revision {
			t.Error("核对补考 did not advance the revision: results would not recompute")
		}
		snap, err := s.Snapshot(ctx, ev.ID)
		if err != nil || len(snap.Carried) != 1 || snap.Carried[0].Part != "theory" {
			t.Fatalf("snapshot carried: %+v %v", snap.Carried, err)
		}
		audit, _ := s.AuditFor(ctx, ev.ID, "event:jd-2026-06", "organizer")
		last := audit[len(audit)-1]
		if last.Action != "batch.retakes" || !strings.Contains(last.Detail, `"source_batch_no":"2025-KY-07"`) ||
			!strings.Contains(last.Detail, "未找到以往成绩") || strings.Contains(last.Detail, "李华") {
			t.Fatalf("audit: %+v", last)
		}

		// The tablets do not list the carried part, a mark in it is
		// refused, and a missing sheet for it holds neither the sign-off nor
		// the workflow up.
		judge, err := s.AddJudge(ctx, Judge{EventID: ev.ID, Code: "K01", Name: "考评员"}, []PanelMember{{ModuleID: mods[1].ID, Chief: true}}, "tester")
		if err != nil {
			t.Fatal(err)
		}
		var as []Assignment
		for _, c := range cs {
			as = append(as, Assignment{ModuleID: mods[1].ID, JudgeID: judge.ID, ContestantID: c.ID})
		}
		if err := s.AddAssignments(ctx, ev.ID, as, "organizer"); err != nil {
			t.Fatal(err)
		}
		// Now carry 李华's practical instead: the theory is no longer carried.
		practical := part
		practical.Part = "practical"
		if err := s.SaveCarriedParts(ctx, ev.ID, []CarriedPart{practical}, nil, "organizer"); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.CarriedParts(ctx, ev.ID); len(got) != 1 || got[0].Part != "practical" {
			t.Fatalf("carried parts after a second check: %+v", got)
		}
		// The 操作技能 sitting's 检录 closes: 李华, who carries it, is not 缺考.
		if _, err := s.AssignEntryNumbers(ctx, ev.ID, "organizer"); err != nil {
			t.Fatal(err)
		}
		var entries []sessions.Entry
		for i, c := range cs {
			entries = append(entries, sessions.Entry{ContestantID: c.ID, Station: fmt.Sprintf("%02d", i+1), Order: i + 1})
		}
		if err := s.SaveSchedule(ctx, ev.ID, []sessions.Session{{Code: "S01", Name: "操作技能", Venue: "第一考场", Module: "skill",
			Stations: []string{"01", "02", "03"}, Day: "2026-06-10", Starts: "08:30", Ends: "10:00", Entries: entries}}, "organizer"); err != nil {
			t.Fatal(err)
		}
		absent, err := s.CloseSession(ctx, ev.ID, "S01", "chief")
		if err != nil || len(absent) != 2 || slices.Contains(absent, cs[0].ID) {
			t.Fatalf("absent at close: %v %v", absent, err)
		}
		sup, err := s.SupervisionInput(ctx, ev.ID)
		if err != nil || len(sup.Carried) != 1 || sup.Carried[0].Module != "skill" || sup.Carried[0].ContestantID != cs[0].ID {
			t.Fatalf("督导 board input: %+v %v", sup.Carried, err)
		}
		ja, err := s.JudgeAssignments(ctx, judge.ID)
		if err != nil || len(ja) != 3 {
			t.Fatalf("judge assignments: %+v %v", ja, err)
		}
		for _, a := range ja {
			if a.Carried != (a.ContestantID == cs[0].ID) {
				t.Errorf("assignment %+v: carried flag wrong", a)
			}
		}
		mark := func(id string, c Contestant) SheetOp {
			return SheetOp{OpID: id, Kind: OpMark, EventID: ev.ID, ModuleID: mods[1].ID, ContestantID: c.ID, JudgeID: judge.ID,
				AspectID: mods[1].Aspects[0].ID, Value: 20000, Actor: "judge:1", Subject: c.Name}
		}
		res, err := s.ApplyOps(ctx, []SheetOp{mark("m1", cs[0]), mark("m2", cs[1]), mark("m3", cs[2])})
		if err != nil {
			t.Fatal(err)
		}
		if skillscore.ErrorCode(res[0].Err) != skillscore.EConflict || !strings.Contains(skillscore.ErrorMessage(res[0].Err), "沿用以往批次") ||
			res[1].Err != nil || res[2].Err != nil {
			t.Fatalf("marks: %+v", res)
		}
		// Carrying a part already scored in this batch is refused.
		other := practical
		other.ContestantID = cs[2].ID
		wantRefused(t, "a part scored here", s.SaveCarriedParts(ctx, ev.ID, []CarriedPart{practical, other}, nil, "organizer"),
			skillscore.EConflict, "已有操作技能成绩")
		submit := func(id string, c Contestant) SheetOp {
			o := mark(id, c)
			o.Kind = OpSubmit
			return o
		}
		if res, err := s.ApplyOps(ctx, []SheetOp{submit("s2", cs[1]), submit("s3", cs[2])}); err != nil || res[0].Err != nil || res[1].Err != nil {
			t.Fatalf("submit: %+v %v", res, err)
		}
		sheets, _ := s.Sheets(ctx, ev.ID)
		for _, sh := range sheets {
			if _, _, err := s.SetSheetStatus(ctx, ev.ID, sh.ID, "locked", "", "chief"); err != nil {
				t.Fatal(err)
			}
		}
		w, err := s.Workflow(ctx, ev.ID)
		if err != nil || w.Unlocked != 0 {
			t.Fatalf("workflow: %d unlocked, %v", w.Unlocked, err)
		}
		if err := s.SignOffModule(ctx, ev.ID, mods[1].ID, 1, "chief"); err != nil {
			t.Fatalf("sign-off with a carried part: %v", err)
		}
	})
}
