package store

import (
	"context"
	"slices"
	"strings"
	"testing"

	"skillscore"
	"skillscore/sessions"
)

func TestSessionsCheckInAndClose(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		s := open(Options{})
		ctx := context.Background()
		d := seed(t, s)
		if n, err := s.AssignEntryNumbers(ctx, d.ev.ID, "organizer"); err != nil || n != 2 {
			t.Fatalf("assign: %d %v", n, err)
		}
		// Numbers already given never change.
		if n, err := s.AssignEntryNumbers(ctx, d.ev.ID, "organizer"); err != nil || n != 0 {
			t.Fatalf("reassign: %d %v", n, err)
		}
		people, err := s.SchedulePeople(ctx, d.ev.ID)
		if err != nil || len(people) != 2 || people[0].EntryNo != "0001" || people[1].EntryNo != "0002" {
			t.Fatalf("people: %+v %v", people, err)
		}
		li, wang := people[0], people[1]
		s1 := sessions.Session{Code: "S01", Name: "第一场", Venue: "一号赛场", Module: "A", Stations: []string{"01", "02"},
			Day: "2026-05-20", Starts: "08:30", Ends: "10:00",
			Entries: []sessions.Entry{{ContestantID: li.ContestantID, Station: "01", Order: 1}}}
		s2 := sessions.Session{Code: "S02", Name: "第二场", Venue: "一号赛场", Module: "A", Stations: []string{"01", "02"},
			Day: "2026-05-20", Starts: "09:30", Ends: "11:00",
			Entries: []sessions.Entry{{ContestantID: wang.ContestantID, Station: "01", Order: 1}}}
		// The same station of one venue at overlapping times: refused.
		if err := s.SaveSchedule(ctx, d.ev.ID, []sessions.Session{s1, s2}, "organizer"); skillscore.ErrorCode(err) != skillscore.EInvalid ||
			!strings.Contains(err.Error(), "赛位 01 同时被场次 S01 和 S02 占用") {
			t.Fatalf("double-booked station: %v", err)
		}
		s2.Starts, s2.Ends = "10:30", "12:00"
		if err := s.SaveSchedule(ctx, d.ev.ID, []sessions.Session{s1, s2}, "organizer"); err != nil {
			t.Fatal(err)
		}
		sched, err := s.Schedule(ctx, d.ev.ID)
		if err != nil || len(sched) != 2 || len(sched[0].Rows) != 1 || sched[0].Rows[0].Name != "李秀英" ||
			sched[0].Rows[0].EntryNo != "0001" || !slices.Equal(sched[1].Stations, []string{"01", "02"}) {
			t.Fatalf("schedule: %+v %v", sched, err)
		}
		// Refusals store nothing.
		for _, c := range []struct {
			req  CheckinRequest
			code string
			msg  string
		}{
			{CheckinRequest{Session: "S01", EntryNo: "0009", Digits: "002X"}, skillscore.ENotFound, "没有参赛证号为 0009"},
			{CheckinRequest{Session: "S01", EntryNo: "0001", Digits: "02X"}, skillscore.EInvalid, "后 4 位"},
			{CheckinRequest{Session: "S01", EntryNo: "0002", Digits: "0013"}, skillscore.EConflict, "王建华 不在场次 S01，应在场次 S02"},
			{CheckinRequest{Session: "S09", EntryNo: "0001", Digits: "002X"}, skillscore.ENotFound, "没有场次 S09"},
			{CheckinRequest{Session: "S01", Token: "SKC1:1:1:00"}, skillscore.EInvalid, "签名不符"},
		} {
			c.req.EventID, c.req.Actor = d.ev.ID, "keeper"
			if _, err := s.CheckIn(ctx, c.req); skillscore.ErrorCode(err) != c.code || !strings.Contains(err.Error(), c.msg) {
				t.Errorf("%+v: %v, want %s %q", c.req, err, c.code, c.msg)
			}
		}
		if st, _ := s.Session(ctx, d.ev.ID, "S01"); st.Rows[0].Outcome != "" {
			t.Fatalf("a refusal stored %+v", st.Rows[0])
		}
		// Wrong digits: recorded as 人证不符, then the chief admits.
		res, err := s.CheckIn(ctx, CheckinRequest{EventID: d.ev.ID, Session: "S01", EntryNo: "0001", Digits: "1234", Actor: "keeper"})
		if err != nil || res.Outcome != sessions.IdentityMismatch {
			t.Fatalf("mismatch: %+v %v", res, err)
		}
		if err := s.DecideMismatch(ctx, d.ev.ID, "S01", li.ContestantID, true, "", "chief"); skillscore.ErrorCode(err) != skillscore.EInvalid {
			t.Fatalf("decision without reason: %v", err)
		}
		if err := s.DecideMismatch(ctx, d.ev.ID, "S01", li.ContestantID, true, "核对身份证原件无误", "chief"); err != nil {
			t.Fatal(err)
		}
		// Right digits (lower-case x accepted) on an already present one stores nothing new.
		res, err = s.CheckIn(ctx, CheckinRequest{EventID: d.ev.ID, Session: "S01", EntryNo: "0001", Digits: "002x", Actor: "keeper"})
		if err != nil || !res.Already || res.Outcome != sessions.Present {
			t.Fatalf("again: %+v %v", res, err)
		}
		// The QR token checks in; another event's card is refused by name.
		tok, err := s.CardToken(d.ev.ID, wang.ContestantID)
		if err != nil {
			t.Fatal(err)
		}
		other, err := s.CreateEvent(ctx, NewEvent{Event: Event{Code: "jx-other", Name: "江西省健康照护师职业技能竞赛", Kind: "competition",
			Occupation: "健康照护师", Year: 2026, Rules: `{"modules":[]}`}, Groups: []Group{{Code: "employee", Name: "职工组"}}}, "tester")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CheckIn(ctx, CheckinRequest{EventID: other.ID, Session: "S02", Token: tok, Actor: "keeper"}); skillscore.ErrorCode(err) != skillscore.ENotFound {
			t.Fatalf("other event without sessions: %v", err)
		}
		if err := s.SaveSchedule(ctx, other.ID, []sessions.Session{{Code: "S02", Name: "第一场", Day: "2026-05-21", Starts: "08:00", Ends: "09:00"}}, "organizer"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CheckIn(ctx, CheckinRequest{EventID: other.ID, Session: "S02", Token: tok, Actor: "keeper"}); skillscore.ErrorCode(err) != skillscore.EInvalid ||
			!strings.Contains(err.Error(), "属于另一赛项（江西省养老护理员职业技能竞赛（测试）") {
			t.Fatalf("other event's card: %v", err)
		}
		// The schedule cannot be replaced once 检录 began.
		if err := s.SaveSchedule(ctx, d.ev.ID, []sessions.Session{s1}, "organizer"); skillscore.ErrorCode(err) != skillscore.EConflict {
			t.Fatalf("replace after check-in: %v", err)
		}
		// Closing S02 records 王建华 absent; S02 then takes no check-in.
		absent, err := s.CloseSession(ctx, d.ev.ID, "S02", "chief")
		if err != nil || !slices.Equal(absent, []int64{wang.ContestantID}) {
			t.Fatalf("close: %v %v", absent, err)
		}
		if _, err := s.CheckIn(ctx, CheckinRequest{EventID: d.ev.ID, Session: "S02", Token: tok, Actor: "keeper"}); skillscore.ErrorCode(err) != skillscore.EConflict {
			t.Fatalf("check-in after close: %v", err)
		}
		st, err := s.Session(ctx, d.ev.ID, "S02")
		if err != nil || !st.ClosedAt.Valid() || st.ClosedBy != "chief" || st.Rows[0].Outcome != sessions.Absent || st.Counts()[sessions.Absent] != 1 {
			t.Fatalf("closed session: %+v %v", st, err)
		}
		// 李秀英's own data request shows her check-ins.
		pd, err := s.PersonData(ctx, "36010219900307002X", "李秀英")
		if err != nil {
			t.Fatal(err)
		}
		var seen []string
		for _, a := range pd.Audit {
			if strings.HasPrefix(a.Action, "checkin.") {
				seen = append(seen, a.Action)
			}
		}
		if !slices.Equal(seen, []string{"checkin.record", "checkin.decide"}) {
			t.Fatalf("person's check-ins: %v", seen)
		}
		var audits int
		if err := s.r.GetContext(ctx, &audits, "SELECT COUNT(*) FROM audit_log WHERE action LIKE 'checkin.%' OR action LIKE 'sessions.%'"); err != nil || audits < 5 {
			t.Fatalf("audited: %d %v", audits, err)
		}
	})
}
