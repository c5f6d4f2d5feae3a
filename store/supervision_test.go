package store

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"skillscore"
	"skillscore/scoring"
	"skillscore/sessions"
	"skillscore/supervision"
)

// supervised is a small assessment batch under way: rooms K01 and K02,
// six candidates, a computer-based theory sitting in K01 (S01), the skills
// sittings S02 in 第一考场 (named by the room's name) and S03 in K02, and
// S04 at a venue that is no exam room.
type supervised struct {
	ev         Event
	skill      Module
	cs         []Contestant
	j1, j2, j3 Judge
}

func seedSupervised(t *testing.T, s *Store) supervised {
	t.Helper()
	ctx := context.Background()
	ev, err := s.CreateEvent(ctx, NewEvent{Event: Event{Code: "jx-rd-2026-07", Name: "养老护理员三级认定 2026-07 批", Kind: "assessment",
		Occupation: "养老护理员", OccupationCode: "4-10-01-05", Level: 3, Year: 2026, StartsOn: "2026-07-10", Rules: `{"modules":[]}`},
		Groups: []Group{{Code: "g", Name: "考生"}},
		Modules: []Module{
			{Code: "theory", Name: "理论知识考试", Kind: "theory", Weight: 300000, MaxMarks: 1000000, Imported: true,
				Aspects: []Aspect{{Code: "T", Name: "理论", Kind: "measurement", MaxMarks: 1000000}}},
			{Code: "skill", Name: "操作技能考核", Kind: "practical", Weight: 700000, MaxMarks: 1000000,
				Aspects: []Aspect{{Code: "S1", Name: "照护操作", Kind: "judgement", MaxMarks: 1000000}}},
		}}, "tester")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveBatch(ctx, Batch{EventID: ev.ID, BatchNo: "2026-KY-07", PublicityDays: 5, RetakeMonths: 12}, "organizer"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetExamRooms(ctx, ev.ID, []ExamRoom{{Code: "K01", Site: "江西卫生职业学院", Name: "第一考场", Seats: 10},
		{Code: "K02", Site: "江西卫生职业学院", Name: "第二考场", Seats: 10}}, "organizer"); err != nil {
		t.Fatal(err)
	}
	var add []Contestant
	for i := 1; i <= 6; i++ {
		add = append(add, Contestant{Name: fmt.Sprintf("考生%d", i), Gender: "女", IDType: "居民身份证",
			IDNumber: fmt.Sprintf("3601031990010100%d%d", i, i), Organization: "南昌市社会福利院", GroupCode: "g", Level: 4})
	}
	cs, err := s.AddContestants(ctx, ev.ID, add, "tester")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AssignEntryNumbers(ctx, ev.ID, "organizer"); err != nil {
		t.Fatal(err)
	}
	mods, err := s.Modules(ctx, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	skill := mods[1]
	judge := func(code, name string) Judge {
		j, err := s.AddJudge(ctx, Judge{EventID: ev.ID, Code: code, Name: name}, []PanelMember{{ModuleID: skill.ID}}, "tester")
		if err != nil {
			t.Fatal(err)
		}
		return j
	}
	j1, j2, j3 := judge("J01", "周考评"), judge("J02", "吴考评"), judge("J03", "郑考评")
	var as []Assignment
	for i, c := range cs {
		if i < 3 {
			as = append(as, Assignment{ModuleID: skill.ID, JudgeID: j1.ID, ContestantID: c.ID}, Assignment{ModuleID: skill.ID, JudgeID: j2.ID, ContestantID: c.ID})
		} else {
			as = append(as, Assignment{ModuleID: skill.ID, JudgeID: j3.ID, ContestantID: c.ID})
		}
	}
	if err := s.AddAssignments(ctx, ev.ID, as, "organizer"); err != nil {
		t.Fatal(err)
	}
	entries := func(from, to int) []sessions.Entry {
		var out []sessions.Entry
		for i := from; i < to; i++ {
			out = append(out, sessions.Entry{ContestantID: cs[i].ID, Station: fmt.Sprintf("%02d", i-from+1), Order: i - from + 1})
		}
		return out
	}
	seats := []string{"01", "02", "03", "04", "05", "06"}
	ss := []sessions.Session{
		{Code: "S01", Name: "理论机考", Venue: "K01", Module: "theory", Stations: seats, Day: "2026-07-10", Starts: "08:00", Ends: "09:30", Entries: entries(0, 6)},
		{Code: "S02", Name: "操作技能 第1场", Venue: "第一考场", Module: "skill", Stations: seats, Day: "2026-07-10", Starts: "10:00", Ends: "11:30", Entries: entries(0, 3)},
		{Code: "S03", Name: "操作技能 第2场", Venue: "K02", Module: "skill", Stations: seats, Day: "2026-07-10", Starts: "10:00", Ends: "11:30", Entries: entries(3, 6)},
		{Code: "S04", Name: "补测", Venue: "实训楼大厅", Module: "skill", Stations: seats, Day: "2026-07-10", Starts: "14:00", Ends: "15:00", Entries: entries(5, 6)},
	}
	if err := s.SaveSchedule(ctx, ev.ID, ss, "organizer"); err != nil {
		t.Fatal(err)
	}
	people, err := s.SchedulePeople(ctx, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	no := map[int64]string{}
	for _, p := range people {
		no[p.ContestantID] = p.EntryNo
	}
	// S02: 考生1 signs in, 考生2's 证件号码 does not match, 考生3 does not come;
	// the close records both 缺考.
	for i, digits := range []string{cs[0].IDNumber[14:], "0000"} {
		if _, err := s.CheckIn(ctx, CheckinRequest{EventID: ev.ID, Session: "S02", EntryNo: no[cs[i].ID], Digits: digits, Actor: "keeper"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.CloseSession(ctx, ev.ID, "S02", "chief"); err != nil {
		t.Fatal(err)
	}
	// S03: 考生4 is 缺考 by status; 考生5 signs in.
	if err := s.SetContestantStatus(ctx, ev.ID, cs[3].ID, scoring.StatusAbsent, "", "organizer"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CheckIn(ctx, CheckinRequest{EventID: ev.ID, Session: "S03", EntryNo: no[cs[4].ID], Digits: cs[4].IDNumber[14:], Actor: "keeper"}); err != nil {
		t.Fatal(err)
	}
	// J01 submits 考生1's sheet; J02 has marked it, not submitted.
	res, err := s.ApplyOps(ctx, []SheetOp{
		{OpID: "m1", Kind: OpMark, EventID: ev.ID, ModuleID: skill.ID, ContestantID: cs[0].ID, JudgeID: j1.ID, AspectID: skill.Aspects[0].ID, Value: 20000, Actor: "judge:1"},
		{OpID: "s1", Kind: OpSubmit, EventID: ev.ID, ModuleID: skill.ID, ContestantID: cs[0].ID, JudgeID: j1.ID, Actor: "judge:1"},
		{OpID: "m2", Kind: OpMark, EventID: ev.ID, ModuleID: skill.ID, ContestantID: cs[0].ID, JudgeID: j2.ID, AspectID: skill.Aspects[0].ID, Value: 30000, Actor: "judge:2"},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.Err != nil {
			t.Fatal(r.Err)
		}
	}
	return supervised{ev: ev, skill: skill, cs: cs, j1: j1, j2: j2, j3: j3}
}

func observations(order string) supervision.Observations {
	o := supervision.Observations{Values: map[string]string{"order": order, "examiners": "all", "conduct": "compliant", "violations": "none"},
		Notes: map[string]string{}, Remarks: "考场布置符合要求。"}
	if order != "good" {
		o.Notes["order"] = "开考 10 分钟后仍有考生走动"
	}
	return o
}

func TestSupervisionBoard(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		s := open(Options{})
		ctx := context.Background()
		d := seedSupervised(t, s)
		in, err := s.SupervisionInput(ctx, d.ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		rooms := supervision.Board(in)
		if len(rooms) != 3 || rooms[0].Code != "K01" || rooms[1].Code != "K02" || rooms[2].Code != "" {
			t.Fatalf("rooms: %+v", rooms)
		}
		if len(rooms[0].Sittings) != 2 || rooms[0].Sittings[0].Code != "S01" || rooms[0].Sittings[1].Code != "S02" ||
			len(rooms[1].Sittings) != 1 || rooms[1].Sittings[0].Code != "S03" || rooms[2].Sittings[0].Code != "S04" {
			t.Fatalf("sittings by room: %+v", rooms)
		}
		theory, s02, s03 := rooms[0].Sittings[0], rooms[0].Sittings[1], rooms[1].Sittings[0]
		if len(theory.Modules) != 1 || !theory.Modules[0].Imported || theory.Counts.SheetsDue != 0 || len(theory.Examiners) != 0 {
			t.Errorf("theory sitting: %+v", theory)
		}
		want := supervision.Counts{Expected: 3, Present: 1, Absent: 2, SheetsDone: 1, SheetsDue: 2}
		if s02.Counts != want {
			t.Errorf("S02 counts %+v, want %+v", s02.Counts, want)
		}
		if len(s02.Examiners) != 2 || s02.Examiners[0].Code != "J01" || s02.Examiners[1].Name != "吴考评" {
			t.Errorf("S02 examiners: %+v", s02.Examiners)
		}
		if s02.Candidates[1].State != sessions.Absent || s02.Candidates[1].Name != "考生2" || s02.Candidates[0].EntryNo == "" {
			t.Errorf("S02 candidates: %+v", s02.Candidates)
		}
		want = supervision.Counts{Expected: 3, Present: 1, Absent: 1, Pending: 1, SheetsDone: 0, SheetsDue: 2}
		if s03.Counts != want || len(s03.Examiners) != 1 || s03.Examiners[0].Code != "J03" || s03.Candidates[0].State != sessions.Absent {
			t.Errorf("S03: %+v", s03)
		}
		if rooms[0].Counts.Expected != 9 || rooms[0].Counts.Absent != 3 {
			t.Errorf("K01 totals (考生4 缺考 by status in S01 too): %+v", rooms[0].Counts)
		}
	})
}

func TestSupervisionRecordsSignedAppendOnly(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		now := time.Date(2026, 7, 10, 3, 0, 0, 123456789, time.UTC)
		s := open(Options{Now: func() time.Time { return now }})
		ctx := context.Background()
		d := seedSupervised(t, s)
		sup, err := s.CreateUser(ctx, User{Username: "sup1", Name: "督导甲", Role: RoleSupervisor, PasswordHash: "x"}, "test")
		if err != nil {
			t.Fatal(err)
		}
		other, err := s.CreateUser(ctx, User{Username: "sup2", Name: "督导乙", Role: RoleSupervisor, PasswordHash: "x"}, "test")
		if err != nil {
			t.Fatal(err)
		}
		first := Signature{UserID: sup.ID, Username: sup.Username, Name: sup.Name, NewPINHash: "$2a$10$hash-of-first-pin"}
		rec := supervision.Record{EventID: d.ev.ID, Session: "S02", Obs: observations("fair"),
			Progress: supervision.Progress{Expected: 3, Present: 1, Absent: 2, SheetsDone: 1, SheetsDue: 2}}

		// Refusals: an incomplete record, a competition, an unknown sitting.
		bad := rec
		bad.Obs = observations("poor")
		bad.Obs.Notes["order"] = ""
		_, err = s.FileSupervisionRecord(ctx, bad, first)
		wantRefused(t, "no note", err, skillscore.EInvalid, "须写明具体情况")
		comp := seed(t, s)
		bad = rec
		bad.EventID = comp.ev.ID
		_, err = s.FileSupervisionRecord(ctx, bad, first)
		wantRefused(t, "competition", err, skillscore.EInvalid, "是竞赛")
		bad = rec
		bad.Session = "S99"
		_, err = s.FileSupervisionRecord(ctx, bad, first)
		wantRefused(t, "unknown sitting", err, skillscore.ENotFound, "S99")
		if _, err := s.SigningPIN(ctx, sup.ID); skillscore.ErrorCode(err) != skillscore.ENotFound {
			t.Fatalf("a refused record set the PIN: %v", err)
		}

		// The first signature sets the PIN; the room and label come from the schedule.
		rec.RoomCode, rec.SessionLabel = "K99", "forged"
		r1, err := s.FileSupervisionRecord(ctx, rec, first)
		if err != nil {
			t.Fatal(err)
		}
		if r1.No != 1 || r1.RoomCode != "K01" || r1.RoomName != "第一考场" || r1.SessionLabel != "S02 操作技能 第1场 2026-07-10 10:00至11:30" ||
			r1.Event != d.ev.Code || r1.Digest != supervision.Digest(r1) || len(r1.Digest) != 64 {
			t.Fatalf("record 1: %+v", r1)
		}
		pin, err := s.SigningPIN(ctx, sup.ID)
		if err != nil || pin.Hash != first.NewPINHash || !pin.SetAt.Equal(r1.PINSetAt) {
			t.Fatalf("pin after first signature: %+v %v", pin, err)
		}
		_, err = s.FileSupervisionRecord(ctx, rec, first)
		wantRefused(t, "second new PIN", err, skillscore.EConflict, "已设置签名 PIN")
		stale := Signature{UserID: sup.ID, Username: sup.Username, Name: sup.Name, PINSetAt: pin.SetAt.Add(time.Second)}
		_, err = s.FileSupervisionRecord(ctx, rec, stale)
		wantRefused(t, "changed PIN", err, skillscore.EConflict, "已更换")

		signed := Signature{UserID: sup.ID, Username: sup.Username, Name: sup.Name, PINSetAt: pin.SetAt.Time}
		now = now.Add(time.Minute)
		rec3 := supervision.Record{EventID: d.ev.ID, Session: "S03", Obs: observations("good")}
		r2, err := s.FileSupervisionRecord(ctx, rec3, signed)
		if err != nil || r2.No != 2 || r2.RoomCode != "K02" {
			t.Fatalf("record 2: %+v %v", r2, err)
		}

		// Corrections: of the same sitting, by the signer, with a reason, once.
		fix := supervision.Record{EventID: d.ev.ID, Session: "S02", Obs: observations("good"), Supersedes: r1.ID}
		_, err = s.FileSupervisionRecord(ctx, fix, signed)
		wantRefused(t, "no reason", err, skillscore.EInvalid, "更正原因")
		fix.CorrectionReason = "误选“一般”，实为良好"
		_, err = s.FileSupervisionRecord(ctx, fix, Signature{UserID: other.ID, Username: other.Username, Name: other.Name, NewPINHash: "h2"})
		wantRefused(t, "another's record", err, skillscore.EForbidden, "本人")
		if _, err := s.SigningPIN(ctx, other.ID); skillscore.ErrorCode(err) != skillscore.ENotFound {
			t.Fatalf("a refused correction set the PIN: %v", err)
		}
		wrong := fix
		wrong.Session = "S03"
		_, err = s.FileSupervisionRecord(ctx, wrong, signed)
		wantRefused(t, "other sitting", err, skillscore.EInvalid, "同一场次")
		r3, err := s.FileSupervisionRecord(ctx, fix, signed)
		if err != nil || r3.No != 3 || r3.Supersedes != r1.ID {
			t.Fatalf("correction: %+v %v", r3, err)
		}
		_, err = s.FileSupervisionRecord(ctx, fix, signed)
		wantRefused(t, "corrected twice", err, skillscore.EConflict, "已被更正")

		all, err := s.SupervisionRecords(ctx, d.ev.ID)
		if err != nil || len(all) != 3 {
			t.Fatalf("records: %d %v", len(all), err)
		}
		for _, r := range all {
			if got := supervision.Digest(r); got != r.Digest {
				t.Errorf("record %d read back does not match its digest", r.No)
			}
		}
		if all[0].SupersededBy != r3.ID || all[2].Supersedes != r1.ID || all[0].Obs.Notes["order"] == "" || all[0].Progress.Absent != 2 {
			t.Errorf("record 1 as read: %+v", all[0])
		}
		got, err := s.SupervisionRecord(ctx, d.ev.ID, r3.ID)
		if err != nil || got.CorrectionReason != fix.CorrectionReason || got.SignerName != "督导甲" {
			t.Fatalf("record 3: %+v %v", got, err)
		}
		if _, err := s.SupervisionRecord(ctx, comp.ev.ID, r3.ID); skillscore.ErrorCode(err) != skillscore.ENotFound {
			t.Fatalf("record through another event: %v", err)
		}
		in, err := s.SupervisionInput(ctx, d.ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		if b := supervision.Board(in); b[0].Sittings[1].Records != 2 || b[1].Sittings[0].Records != 1 {
			t.Errorf("records per sitting on the board: %d, %d", b[0].Sittings[1].Records, b[1].Sittings[0].Records)
		}

		// Audited: the PIN's setting and each record with its digest.
		trail, err := s.AuditTrail(ctx, d.ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		counts := map[string]int{}
		for _, e := range trail {
			counts[e.Action]++
		}
		if counts["supervision.record"] != 3 || counts["supervision.pin_set"] != 1 {
			t.Errorf("audit: %v", counts)
		}

		// Wrong PINs lock signing for a while; a good one after clears the count.
		var locked SigningPIN
		for i := 1; i <= supervision.MaxPINFailures; i++ {
			if locked, err = s.SigningPINFailed(ctx, sup.ID, d.ev.ID, sup.Username); err != nil {
				t.Fatal(err)
			}
			if l := locked.Locked(now); l != (i == supervision.MaxPINFailures) {
				t.Fatalf("after %d wrong PINs locked = %v", i, l)
			}
		}
		_, err = s.FileSupervisionRecord(ctx, rec3, signed)
		// The end is told in China time: from 03:0x UTC, 11:xx.
		wantRefused(t, "locked", err, skillscore.ERateLimited, "已锁定至 "+locked.LockedUntil.In(skillscore.China()).Format("15:04"))
		now = now.Add(supervision.PINLockout + time.Second)
		if _, err := s.SigningPINFailed(ctx, sup.ID, d.ev.ID, sup.Username); err != nil {
			t.Fatal(err)
		}
		if _, err := s.FileSupervisionRecord(ctx, rec3, signed); err != nil {
			t.Fatal(err)
		}
		if p, _ := s.SigningPIN(ctx, sup.ID); p.Failures != 0 || p.LockedUntil.Valid() {
			t.Errorf("after a good PIN: %+v", p)
		}

		// A forgotten PIN is reset; the records stay as signed.
		if had, err := s.ResetSigningPIN(ctx, "sup1", "admin"); err != nil || !had {
			t.Fatalf("reset: %v %v", had, err)
		}
		if _, err := s.SigningPIN(ctx, sup.ID); skillscore.ErrorCode(err) != skillscore.ENotFound {
			t.Fatalf("pin after reset: %v", err)
		}
		if had, err := s.ResetSigningPIN(ctx, "sup1", "admin"); err != nil || had {
			t.Fatalf("second reset: %v %v", had, err)
		}
		if all, err := s.SupervisionRecords(ctx, d.ev.ID); err != nil || len(all) != 4 || all[0].Digest != r1.Digest {
			t.Fatalf("records after reset: %d %v", len(all), err)
		}
		if rep, err := s.VerifyAuditChains(ctx); err != nil || rep.Break != nil {
			t.Fatalf("audit chains: %+v %v", rep, err)
		}

		// A record changed in the database no longer verifies: with its
		// digest kept, against its content; with the digest recomputed,
		// against the audit trail.
		audited, err := s.SupervisionAuditDigests(ctx, d.ev.ID)
		if err != nil || len(audited) != 4 {
			t.Fatalf("audited digests: %v %v", audited, err)
		}
		for _, r := range all {
			if problem := supervision.Verify(r, audited); problem != "" {
				t.Fatalf("record %d: %s", r.No, problem)
			}
		}
		if _, err := s.w.ExecContext(ctx, "UPDATE supervision_records SET obs_violations = 'found', obs_violations_note = '补记' WHERE id = ?", r2.ID); err != nil {
			t.Fatal(err)
		}
		changed, err := s.SupervisionRecord(ctx, d.ev.ID, r2.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got := supervision.Verify(changed, audited); got == "" || !strings.Contains(got, "签名摘要不符") {
			t.Errorf("edited record verifies: %q", got)
		}
		changed.Obs.Values["order"] = "poor"
		if _, err := s.w.ExecContext(ctx, "UPDATE supervision_records SET obs_order = 'poor', digest = ? WHERE id = ?", supervision.Digest(changed), r2.ID); err != nil {
			t.Fatal(err)
		}
		if changed, err = s.SupervisionRecord(ctx, d.ev.ID, r2.ID); err != nil {
			t.Fatal(err)
		}
		if got := supervision.Verify(changed, audited); !strings.Contains(got, "审计记录") {
			t.Errorf("record with a recomputed digest verifies: %q", got)
		}
	})
}
