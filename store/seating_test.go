package store

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"skillscore"
	"skillscore/seating"
)

// newBatch creates an assessment batch with two modules, the given rooms
// and n candidates imported with their details (every third a 补考).
func newBatch(t *testing.T, s *Store, code, no string, rooms []ExamRoom, n int) (Event, []Contestant) {
	t.Helper()
	ctx := context.Background()
	ev, _, err := s.CreateBatch(ctx, NewEvent{Event: Event{Code: code, Name: "养老护理员四级认定", Kind: "assessment",
		Occupation: "养老护理员", OccupationCode: "4-10-01-05", Level: 4, Year: 2026, StartsOn: "2026-06-10", Rules: `{"modules":[]}`},
		Groups: []Group{{Code: "all", Name: "考生"}},
		Modules: []Module{{Code: "theory", Name: "理论知识考试", Kind: "theory", Weight: 300000, MaxMarks: 1000000, Imported: true},
			{Code: "skill", Name: "操作技能考核", Kind: "practical", Weight: 700000, MaxMarks: 1000000}}},
		Batch{BatchNo: no, EndsOn: "2026-06-11", PublicityDays: 5, RetakeMonths: 12}, rooms, "organizer")
	if err != nil {
		t.Fatal(err)
	}
	cs := rosterOf(t, n, "all")
	details := make([]Candidate, n)
	for i := range details {
		details[i] = Candidate{Ethnicity: "汉族", Education: "大学专科", Source: SourceNew}
		if i%3 == 2 {
			details[i].Source = SourceRetake
		}
	}
	if n > 0 {
		if _, err := s.ImportCandidates(ctx, RosterImport{EventID: ev.ID, FileName: "考生.xlsx", SHA256: sha(byte(len(code))), Actor: "organizer",
			Basis: BasisDuty}, cs, details, nil); err != nil {
			t.Fatal(err)
		}
	}
	all, err := s.Contestants(ctx, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	return ev, all
}

func twoRooms() []ExamRoom {
	return []ExamRoom{{Code: "K01", Site: "江西卫生职业学院", Name: "第一考场", Seats: 4}, {Code: "K02", Site: "江西卫生职业学院", Name: "第二考场", Seats: 3}}
}

func TestCreateBatchAllOrNothing(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		s := open(Options{})
		ctx := context.Background()
		ne := NewEvent{Event: Event{Code: "jx-rd-a", Name: "认定", Kind: "assessment", Occupation: "养老护理员", OccupationCode: "4-10-01-05",
			Level: 4, Year: 2026, StartsOn: "2026-06-10", Rules: `{"modules":[]}`}, Groups: []Group{{Code: "all", Name: "考生"}}}
		b := Batch{BatchNo: "2026-KY-01", PublicityDays: 5, RetakeMonths: 12, PhotoSpec: PhotoSpec{MinWidth: 358, MinHeight: 441, MaxWidth: 358, MaxHeight: 441, MaxKB: 100}}
		for _, bad := range []struct {
			what   string
			ne     NewEvent
			b      Batch
			rooms  []ExamRoom
			phrase string
		}{
			{"a competition", NewEvent{Event: Event{Code: "jx-rd-a", Kind: "competition"}}, b, nil, "assessment"},
			{"a room without seats", ne, b, []ExamRoom{{Code: "K01", Name: "一", Seats: 0}}, "座位数"},
			{"two rooms of one name", ne, b, []ExamRoom{{Code: "K01", Site: "甲", Name: "一", Seats: 3}, {Code: "K02", Site: "甲", Name: "一", Seats: 3}}, "名称相同"},
			{"a photo spec upside down", ne, Batch{BatchNo: "x", PublicityDays: 5, RetakeMonths: 12, PhotoSpec: PhotoSpec{MinWidth: 400, MaxWidth: 300}}, nil, "大于最大尺寸"},
			{"a photo spec past the store", ne, Batch{BatchNo: "x", PublicityDays: 5, RetakeMonths: 12, PhotoSpec: PhotoSpec{MaxKB: 5000}}, nil, "KB"},
		} {
			_, _, err := s.CreateBatch(ctx, bad.ne, bad.b, bad.rooms, "organizer")
			wantRefused(t, bad.what, err, skillscore.EInvalid, bad.phrase)
		}
		ev, got, err := s.CreateBatch(ctx, ne, b, twoRooms(), "organizer")
		if err != nil {
			t.Fatal(err)
		}
		if got.PhotoSpec != b.PhotoSpec || got.EventID != ev.ID {
			t.Errorf("batch = %+v", got)
		}
		if read, err := s.Batch(ctx, ev.ID); err != nil || read.PhotoSpec != b.PhotoSpec || read.BatchNo != "2026-KY-01" {
			t.Errorf("read back %+v %v", read, err)
		}
		// The second batch's number is taken: its event is not created either.
		ne2 := ne
		ne2.Event.Code = "jx-rd-b"
		_, _, err = s.CreateBatch(ctx, ne2, b, twoRooms(), "organizer")
		wantRefused(t, "a batch number taken", err, skillscore.EConflict, "批次号")
		if _, err := s.EventByCode(ctx, "jx-rd-b"); skillscore.ErrorCode(err) != skillscore.ENotFound {
			t.Errorf("the refused batch's event was stored: %v", err)
		}
		rooms, err := s.ExamRooms(ctx, ev.ID)
		if err != nil || len(rooms) != 2 || rooms[0].Site != "江西卫生职业学院" {
			t.Errorf("rooms %+v %v", rooms, err)
		}
		audit, err := s.AuditTrail(ctx, ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, a := range audit {
			actions = append(actions, a.Action)
		}
		if got := strings.Join(actions, ","); !strings.Contains(got, "event.create") || !strings.Contains(got, "batch.save") || !strings.Contains(got, "batch.rooms") {
			t.Errorf("audit = %s", got)
		}
	})
}

func TestImportCandidatesWithTheirDetails(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		s := open(Options{})
		ctx := context.Background()
		d := seed(t, s)
		ev, cs := newBatch(t, s, "jx-rd-c", "2026-KY-02", twoRooms(), 620) // two INSERT batches
		got, err := s.Candidates(ctx, ev.ID)
		if err != nil || len(got) != 620 {
			t.Fatalf("candidates %d %v", len(got), err)
		}
		byName := map[string]Contestant{}
		for _, c := range cs {
			byName[c.Name] = c
		}
		if c := got[byName["选手0002"].ID]; c.Source != SourceRetake || c.Ethnicity != "汉族" || c.Education != "大学专科" {
			t.Errorf("选手0002 = %+v", c)
		}
		if c := got[byName["选手0003"].ID]; c.Source != SourceNew {
			t.Errorf("选手0003 = %+v", c)
		}
		imps, err := s.RosterImports(ctx, ev.ID)
		if err != nil || len(imps) != 1 || imps[0].Contestants != 620 {
			t.Errorf("imports %+v %v", imps, err)
		}
		// A competition takes no candidate details; the file stores nothing.
		more := rosterOf(t, 3, "employee")
		_, err = s.ImportCandidates(ctx, RosterImport{EventID: d.ev.ID, FileName: "x.xlsx", SHA256: sha(9), Basis: BasisConsent},
			more, make([]Candidate, 3), nil)
		wantRefused(t, "competition", err, skillscore.EInvalid, "是竞赛")
		// A detail that cannot be stored refuses the whole file.
		fresh := rosterOf(t, 700, "all")[650:]
		details := make([]Candidate, len(fresh))
		details[10].Source = "again"
		_, err = s.ImportCandidates(ctx, RosterImport{EventID: ev.ID, FileName: "y.xlsx", SHA256: sha(10), Basis: BasisConsent},
			fresh, details, nil)
		wantRefused(t, "bad source", err, skillscore.EInvalid, "考生来源")
		details[10].Source = ""
		details[11].Qualification = strings.Repeat("长", 201)
		_, err = s.ImportCandidates(ctx, RosterImport{EventID: ev.ID, FileName: "y.xlsx", SHA256: sha(10), Basis: BasisConsent},
			fresh, details, nil)
		wantRefused(t, "long qualification", err, skillscore.EInvalid, "长度上限")
		_, err = s.ImportCandidates(ctx, RosterImport{EventID: ev.ID, FileName: "y.xlsx", SHA256: sha(10), Basis: BasisConsent},
			fresh, details[:3], nil)
		wantRefused(t, "details missing", err, skillscore.EInvalid, "考生信息")
		if all, _ := s.Contestants(ctx, ev.ID); len(all) != 620 {
			t.Errorf("refused imports left %d contestants, want 620", len(all))
		}
		p, err := s.BatchProgressOf(ctx, ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		if p.Imported.New != 414 || p.Imported.Retake != 206 || p.Photo.Total() != 0 || p.Seated.Total() != 0 {
			t.Errorf("progress = %+v", p)
		}
	})
}

func TestAssignSeatsMakesSessionsPerRoomAndPart(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		s := open(Options{})
		ctx := context.Background()
		ev, cs := newBatch(t, s, "jx-rd-d", "2026-KY-03", twoRooms(), 6)
		sits := func() []seating.Sitting {
			return []seating.Sitting{{Module: "theory", Day: "2026-06-10", Starts: "09:00", Ends: "10:30"},
				{Module: "skill", Day: "2026-06-11", Starts: "08:30", Ends: "11:30"}}
		}
		bad := sits()
		bad[1].Day = "2026-06-12"
		_, err := s.AssignSeats(ctx, ev.ID, seating.ByEntryNo, "", bad, "organizer")
		wantRefused(t, "a day after the batch", err, skillscore.EInvalid, "不在本批次的考核日期")
		bad = sits()
		bad[0].Module = "review"
		_, err = s.AssignSeats(ctx, ev.ID, seating.ByEntryNo, "", bad, "organizer")
		wantRefused(t, "an unknown module", err, skillscore.EInvalid, "没有模块")
		bad = sits()
		bad[1].Day, bad[1].Starts, bad[1].Ends = "2026-06-10", "10:00", "11:00"
		_, err = s.AssignSeats(ctx, ev.ID, seating.ByEntryNo, "", bad, "organizer")
		wantRefused(t, "two parts at once", err, skillscore.EInvalid, "同时在场次")
		if _, _, err := s.SeatingOf(ctx, ev.ID); skillscore.ErrorCode(err) != skillscore.ENotFound {
			t.Fatalf("a refused seating was stored: %v", err)
		}

		rec, err := s.AssignSeats(ctx, ev.ID, seating.ByEntryNo, "", sits(), "organizer")
		if err != nil {
			t.Fatal(err)
		}
		if rec.Seated != 6 || rec.Method != seating.ByEntryNo || rec.Seed != "" || len(rec.Parts()) != 2 || rec.Parts()[0].Name != "理论知识考试" {
			t.Errorf("seating = %+v", rec)
		}
		_, seats, err := s.SeatingOf(ctx, ev.ID)
		if err != nil || len(seats) != 6 {
			t.Fatalf("seats %v %v", seats, err)
		}
		people, err := s.SchedulePeople(ctx, ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		entry := map[int64]string{}
		for _, p := range people {
			if p.EntryNo == "" {
				t.Errorf("%s has no 准考证号 after seating", p.Name)
			}
			entry[p.ContestantID] = p.EntryNo
		}
		// In 准考证号 order: 0001–0004 in the first room, 0005–0006 in the second.
		var order []string
		for _, st := range seats {
			order = append(order, fmt.Sprintf("%s:%d/%s", entry[st.ContestantID], st.RoomID, st.Seat))
		}
		rooms, _ := s.ExamRooms(ctx, ev.ID)
		want := fmt.Sprintf("0001:%[1]d/01 0002:%[1]d/02 0003:%[1]d/03 0004:%[1]d/04 0005:%[2]d/01 0006:%[2]d/02", rooms[0].ID, rooms[1].ID)
		if strings.Join(order, " ") != want {
			t.Errorf("seats = %s\nwant    %s", strings.Join(order, " "), want)
		}
		sched, err := s.Schedule(ctx, ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		var codes []string
		for _, x := range sched {
			codes = append(codes, fmt.Sprintf("%s %s %s-%s %d/%d", x.Code, x.Day, x.Starts, x.Ends, len(x.Rows), len(x.Stations)))
		}
		if want := "K01-theory 2026-06-10 09:00-10:30 4/4,K02-theory 2026-06-10 09:00-10:30 2/3,K01-skill 2026-06-11 08:30-11:30 4/4,K02-skill 2026-06-11 08:30-11:30 2/3"; strings.Join(codes, ",") != want {
			t.Errorf("sessions = %s", strings.Join(codes, ","))
		}
		if p, _ := s.BatchProgressOf(ctx, ev.ID); p.Seated.Total() != 6 || p.Numbered.Total() != 6 || p.Seated.Retake != 2 {
			t.Errorf("progress = %+v", p)
		}

		// The rooms cannot change under seated candidates.
		wantRefused(t, "rooms while seated", s.SetExamRooms(ctx, ev.ID, twoRooms()[:1], "organizer"), skillscore.EConflict, "撤销座位安排")
		// A seed is recorded and replays the same seating.
		seed := strings.Repeat("ab", 32)
		if _, err := s.AssignSeats(ctx, ev.ID, seating.BySeed, seed, sits(), "organizer"); err != nil {
			t.Fatal(err)
		}
		rec2, seats2, _ := s.SeatingOf(ctx, ev.ID)
		if _, err := s.AssignSeats(ctx, ev.ID, seating.BySeed, rec2.Seed, sits(), "organizer"); err != nil {
			t.Fatal(err)
		}
		_, seats3, _ := s.SeatingOf(ctx, ev.ID)
		if rec2.Seed != seed || rec2.Method != seating.BySeed || fmt.Sprint(seats2) != fmt.Sprint(seats3) {
			t.Errorf("seed %q, replay %v vs %v", rec2.Seed, seats2, seats3)
		}
		if fmt.Sprint(seats2) == fmt.Sprint(seats) {
			t.Error("the seed seated everyone as the 准考证号 order did")
		}
		if rec, err := s.AssignSeats(ctx, ev.ID, seating.BySeed, "", sits(), "organizer"); err != nil || len(rec.Seed) != 64 {
			t.Errorf("a fresh seed: %+v %v", rec, err)
		}

		// One room fewer: the seats run out, naming how many.
		if err := s.WithdrawSeating(ctx, ev.ID, "organizer"); err != nil {
			t.Fatal(err)
		}
		if sched, _ := s.Schedule(ctx, ev.ID); len(sched) != 0 {
			t.Errorf("withdrawn seating left %d sessions", len(sched))
		}
		if err := s.SetExamRooms(ctx, ev.ID, twoRooms()[:1], "organizer"); err != nil {
			t.Fatal(err)
		}
		_, err = s.AssignSeats(ctx, ev.ID, seating.ByEntryNo, "", sits(), "organizer")
		wantRefused(t, "seats run out", err, skillscore.EConflict, "还差 2 个座位")
		if err := s.SetExamRooms(ctx, ev.ID, twoRooms(), "organizer"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AssignSeats(ctx, ev.ID, seating.ByEntryNo, "", sits(), "organizer"); err != nil {
			t.Fatal(err)
		}
		// Once 检录 has begun the seating stays.
		c := cs[0]
		if _, err := s.CheckIn(ctx, CheckinRequest{EventID: ev.ID, Session: "K01-theory", EntryNo: entry[c.ID], Digits: c.IDNumber[14:], Actor: "keeper"}); err != nil {
			t.Fatal(err)
		}
		_, err = s.AssignSeats(ctx, ev.ID, seating.ByEntryNo, "", sits(), "organizer")
		wantRefused(t, "after 检录", err, skillscore.EConflict, "已开始检录")
		wantRefused(t, "withdraw after 检录", s.WithdrawSeating(ctx, ev.ID, "organizer"), skillscore.EConflict, "已开始检录")

		// Purging the batch's personal data clears what points at the person.
		if err := s.SaveCandidates(ctx, ev.ID, []Candidate{{ContestantID: c.ID, Ethnicity: "畲族", Education: "初中",
			Qualification: "从事本职业 2 年", LevelCertNo: "S000036000001255000123"}}, "organizer"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.PurgeEvent(ctx, ev.ID, "organizer"); err != nil {
			t.Fatal(err)
		}
		after, _ := s.Candidates(ctx, ev.ID)
		if got := after[c.ID]; got.Qualification != "" || got.LevelCertNo != "" || got.Ethnicity != "畲族" {
			t.Errorf("after purge: %+v", got)
		}
	})
}
