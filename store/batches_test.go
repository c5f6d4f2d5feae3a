package store

import (
	"context"
	"testing"

	"skillscore"
)

func TestBatchRoomsAndCandidates(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		s := open(Options{})
		ctx := context.Background()
		d := seed(t, s)
		_, err := s.SaveBatch(ctx, Batch{EventID: d.ev.ID, BatchNo: "2026-01", PublicityDays: 5, RetakeMonths: 12}, "organizer")
		wantRefused(t, "competition as batch", err, skillscore.EInvalid, "是竞赛")

		ev, err := s.CreateEvent(ctx, NewEvent{Event: Event{Code: "jx-rd-2026-01", Name: "养老护理员三级认定", Kind: "assessment",
			Occupation: "养老护理员", OccupationCode: "4-10-01-05", Level: 3, Year: 2026, StartsOn: "2026-06-10", Rules: `{"modules":[]}`},
			Groups: []Group{{Code: "g", Name: "考生"}}}, "tester")
		if err != nil {
			t.Fatal(err)
		}
		for _, bad := range []struct {
			b      Batch
			phrase string
		}{
			{Batch{EventID: ev.ID, BatchNo: "坏 号", PublicityDays: 5, RetakeMonths: 12}, "批次号"},
			{Batch{EventID: ev.ID, BatchNo: "2026-01", PublicityDays: 0, RetakeMonths: 12}, "公示期"},
			{Batch{EventID: ev.ID, BatchNo: "2026-01", PublicityDays: 5, RetakeMonths: 0}, "补考有效期"},
			{Batch{EventID: ev.ID, BatchNo: "2026-01", EndsOn: "2026-06-01", PublicityDays: 5, RetakeMonths: 12}, "早于开始日期"},
			{Batch{EventID: ev.ID, BatchNo: "2026-01", EndsOn: "2026-13-01", PublicityDays: 5, RetakeMonths: 12}, "结束日期"},
		} {
			_, err := s.SaveBatch(ctx, bad.b, "organizer")
			wantRefused(t, bad.phrase, err, skillscore.EInvalid, bad.phrase)
		}
		if _, err := s.Batch(ctx, ev.ID); skillscore.ErrorCode(err) != skillscore.ENotFound {
			t.Fatalf("refused batch stored: %v", err)
		}
		b, err := s.SaveBatch(ctx, Batch{EventID: ev.ID, BatchNo: "2026-KY-01", EndsOn: "2026-06-11", PublicityDays: 5, RetakeMonths: 12}, "organizer")
		if err != nil {
			t.Fatal(err)
		}
		b.PublicityDays = 10
		if _, err := s.SaveBatch(ctx, b, "organizer"); err != nil {
			t.Fatal(err)
		}
		if got, err := s.Batch(ctx, ev.ID); err != nil || got.PublicityDays != 10 || got.BatchNo != "2026-KY-01" || got.CreatedAt.IsZero() {
			t.Fatalf("batch: %+v %v", got, err)
		}
		if bs, err := s.Batches(ctx); err != nil || len(bs) != 1 {
			t.Fatalf("batches: %v %v", bs, err)
		}

		wantRefused(t, "duplicate room", s.SetExamRooms(ctx, ev.ID, []ExamRoom{{Code: "K01", Name: "一", Seats: 30}, {Code: "K01", Name: "二", Seats: 30}}, "organizer"),
			skillscore.EInvalid, "重复")
		wantRefused(t, "no seats", s.SetExamRooms(ctx, ev.ID, []ExamRoom{{Code: "K01", Name: "一", Seats: 0}}, "organizer"),
			skillscore.EInvalid, "座位数")
		wantRefused(t, "rooms of a competition", s.SetExamRooms(ctx, d.ev.ID, []ExamRoom{{Code: "K01", Name: "一", Seats: 3}}, "organizer"),
			skillscore.EInvalid, "是竞赛")
		if err := s.SetExamRooms(ctx, ev.ID, []ExamRoom{{Code: "K01", Site: "江西卫生职业学院", Name: "第一考场", Seats: 30},
			{Code: "K02", Site: "江西卫生职业学院", Name: "第二考场", Seats: 20}}, "organizer"); err != nil {
			t.Fatal(err)
		}
		rooms, err := s.ExamRooms(ctx, ev.ID)
		if err != nil || len(rooms) != 2 || rooms[1].Code != "K02" || rooms[1].Position != 2 {
			t.Fatalf("rooms: %+v %v", rooms, err)
		}

		cs, err := s.AddContestants(ctx, ev.ID, []Contestant{{Name: "李华", Gender: "女", IDType: "居民身份证",
			IDNumber: "360103199001010028", GroupCode: "g", Level: 4}}, "tester")
		if err != nil {
			t.Fatal(err)
		}
		wantRefused(t, "foreign contestant", s.SaveCandidates(ctx, ev.ID, []Candidate{{ContestantID: d.cs[0].ID}}, "organizer"),
			skillscore.ENotFound, "不在本批次")
		wantRefused(t, "bad source", s.SaveCandidates(ctx, ev.ID, []Candidate{{ContestantID: cs[0].ID, Source: "x"}}, "organizer"),
			skillscore.EInvalid, "考生来源")
		want := Candidate{ContestantID: cs[0].ID, EventID: ev.ID, Ethnicity: "汉族", Education: "大专", Source: SourceRetake,
			Qualification: "取得四级证书后从事本职业 4 年", LevelCertNo: "S000036000001244000123"}
		if err := s.SaveCandidates(ctx, ev.ID, []Candidate{want}, "organizer"); err != nil {
			t.Fatal(err)
		}
		got, err := s.Candidates(ctx, ev.ID)
		if err != nil || got[cs[0].ID] != want {
			t.Fatalf("candidates: %+v %v", got, err)
		}
	})
}
