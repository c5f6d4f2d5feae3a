package store

import (
	"context"
	"strings"
	"testing"

	"skillscore"
	"skillscore/sessions"
)

// batchSeeded is an assessment batch with three candidates, 准考证号, and
// a theory sitting in room K01 (sessions with venue = room, stations =
// seats), as the batch seat assignment builds them.
type batchSeeded struct {
	ev      Event
	theory  Module
	cs      []Contestant
	entryNo map[int64]string
}

func seedBatch(t *testing.T, s *Store) batchSeeded {
	t.Helper()
	ctx := context.Background()
	ev, err := s.CreateEvent(ctx, NewEvent{Event: Event{Code: "jx-rd-2026-07", Name: "2026年第7批养老护理员三级认定", Kind: "assessment",
		Occupation: "养老护理员", OccupationCode: "4-10-01-05", Level: 3, Year: 2026, StartsOn: "2026-07-10", Rules: `{"modules":[]}`},
		Groups: []Group{{Code: "g", Name: "考生"}},
		Modules: []Module{
			{Code: "T", Name: "理论知识", Kind: "theory", Weight: 500000, MaxMarks: 1000000, Imported: true,
				Aspects: []Aspect{{Code: "T", Name: "理论考试", Kind: "measurement", MaxMarks: 1000000}}},
			{Code: "A", Name: "操作技能", Kind: "practical", Weight: 500000, MaxMarks: 1000000,
				Aspects: []Aspect{{Code: "A1", Name: "照护操作", Kind: "judgement", MaxMarks: 1000000}}},
		}}, "tester")
	if err != nil {
		t.Fatal(err)
	}
	mods, err := s.Modules(ctx, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := s.AddContestants(ctx, ev.ID, []Contestant{
		{Name: "李秀英", Gender: "女", IDType: "居民身份证", IDNumber: "36010219900307002X", GroupCode: "g", Level: 4},
		{Name: "王建华", Gender: "男", IDType: "居民身份证", IDNumber: "360402200101010013", GroupCode: "g", Level: 4},
		{Name: "张丽", Gender: "女", IDType: "居民身份证", IDNumber: "360102198604050021", GroupCode: "g", Level: 4},
	}, "tester")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetExamRooms(ctx, ev.ID, []ExamRoom{{Code: "K01", Site: "江西卫生职业学院", Name: "第一考场", Seats: 30}}, "organizer"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AssignEntryNumbers(ctx, ev.ID, "organizer"); err != nil {
		t.Fatal(err)
	}
	people, err := s.SchedulePeople(ctx, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	d := batchSeeded{ev: ev, theory: mods[0], cs: cs, entryNo: map[int64]string{}}
	var entries []sessions.Entry
	for i, p := range people {
		d.entryNo[p.ContestantID] = p.EntryNo
		entries = append(entries, sessions.Entry{ContestantID: p.ContestantID, Station: []string{"01", "02", "03"}[i], Order: i + 1})
	}
	err = s.SaveSchedule(ctx, ev.ID, []sessions.Session{{Code: "T01", Name: "理论知识", Venue: "K01", Module: "T",
		Stations: []string{"01", "02", "03"}, Day: "2026-07-10", Starts: "09:00", Ends: "10:30", Entries: entries}}, "organizer")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestCheckInIdentityAtAssessment: at an assessment a good 准考证 or number
// is held for the keeper's identity check (nothing stored, the masked
// 证件号码 and whether there is a photo returned), the keeper's verdict is
// recorded, a wrong last 4 is recorded at once, and every message says
// 准考证/考生/签到.
func TestCheckInIdentityAtAssessment(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		s := open(Options{})
		ctx := context.Background()
		d := seedBatch(t, s)
		li, wang, zhang := d.cs[0], d.cs[1], d.cs[2]
		req := func(r CheckinRequest) CheckinRequest {
			r.EventID, r.Session, r.Actor, r.AskIdentity = d.ev.ID, "T01", "keeper", true
			return r
		}
		for _, c := range []struct {
			req  CheckinRequest
			code string
			msg  string
		}{
			{req(CheckinRequest{EntryNo: "0099", Digits: "002X"}), skillscore.ENotFound, "本批次没有准考证号为 0099 的考生：未记录签到"},
			{req(CheckinRequest{Digits: "002X"}), skillscore.EInvalid, "请输入准考证号"},
			{req(CheckinRequest{Token: "SKC1:1:1:00"}), skillscore.EInvalid, "准考证二维码的签名不符"},
			{req(CheckinRequest{Token: "hello"}), skillscore.EInvalid, "这不是本系统的准考证二维码"},
			{req(CheckinRequest{EntryNo: d.entryNo[li.ID], Digits: "002X", Verdict: "maybe"}), skillscore.EInvalid, "人证核验结果"},
		} {
			if _, err := s.CheckIn(ctx, c.req); skillscore.ErrorCode(err) != c.code || !strings.Contains(skillscore.ErrorMessage(err), c.msg) {
				t.Errorf("%+v: %v, want %s %q", c.req, err, c.code, c.msg)
			}
		}
		tok, err := s.CardToken(d.ev.ID, li.ID)
		if err != nil {
			t.Fatal(err)
		}
		// The scanned card: held for the identity check, nothing stored.
		res, err := s.CheckIn(ctx, req(CheckinRequest{Token: tok}))
		if err != nil || !res.NeedsIdentity || res.Outcome != "" || res.Name != "李秀英" || res.Gender != "女" ||
			res.IDMasked != "360***********002X" || res.IDType != "居民身份证" || res.Station != "01" || res.EntryNo != d.entryNo[li.ID] || res.Photo {
			t.Fatalf("held for the identity check: %+v %v", res, err)
		}
		outcomes := func() map[int64]string {
			t.Helper()
			st, err := s.Session(ctx, d.ev.ID, "T01")
			if err != nil {
				t.Fatal(err)
			}
			out := map[int64]string{}
			for _, r := range st.Rows {
				out[r.ContestantID] = r.Outcome + "/" + r.Method + "/" + r.Note
			}
			return out
		}
		if got := outcomes(); got[li.ID] != "//" {
			t.Fatalf("the held check-in stored %q", got[li.ID])
		}
		// With a photo on the roster the check says so.
		if _, err := s.SetPhotos(ctx, d.ev.ID, []Photo{{ID: strings.Repeat("ab", 16), ContestantID: li.ID, File: strings.Repeat("ab", 16) + ".jpg",
			SHA256: strings.Repeat("0", 64), ContentType: "image/jpeg", Width: 300, Height: 400, Size: 1000}}, "organizer"); err != nil {
			t.Fatal(err)
		}
		if res, err = s.CheckIn(ctx, req(CheckinRequest{Token: tok})); err != nil || !res.Photo {
			t.Fatalf("photo: %+v %v", res, err)
		}
		// The keeper's verdict: they agree.
		res, err = s.CheckIn(ctx, req(CheckinRequest{Token: tok, Verdict: sessions.VerdictMatch}))
		if err != nil || res.NeedsIdentity || res.Outcome != sessions.Present {
			t.Fatalf("match: %+v %v", res, err)
		}
		// A wrong last 4 fails at once: nothing to look at.
		res, err = s.CheckIn(ctx, req(CheckinRequest{EntryNo: d.entryNo[wang.ID], Digits: "1234"}))
		if err != nil || res.NeedsIdentity || res.Outcome != sessions.IdentityMismatch {
			t.Fatalf("wrong digits: %+v %v", res, err)
		}
		// The right last 4 is held too; the keeper finds the face differs.
		if res, err = s.CheckIn(ctx, req(CheckinRequest{EntryNo: d.entryNo[zhang.ID], Digits: "0021"})); err != nil || !res.NeedsIdentity {
			t.Fatalf("right digits: %+v %v", res, err)
		}
		if res, err = s.CheckIn(ctx, req(CheckinRequest{EntryNo: d.entryNo[zhang.ID], Digits: "0021", Verdict: sessions.VerdictMismatch})); err != nil ||
			res.Outcome != sessions.IdentityMismatch {
			t.Fatalf("mismatch verdict: %+v %v", res, err)
		}
		// A verdict never overrides wrong digits.
		if res, err = s.CheckIn(ctx, req(CheckinRequest{EntryNo: d.entryNo[wang.ID], Digits: "9999", Verdict: sessions.VerdictMatch})); err != nil ||
			res.Outcome != sessions.IdentityMismatch {
			t.Fatalf("match over wrong digits: %+v %v", res, err)
		}
		got := outcomes()
		if got[li.ID] != "present/qr/人证核验一致" || got[wang.ID] != "identity_mismatch/code/" || got[zhang.ID] != "identity_mismatch/code/人证核验不符" {
			t.Fatalf("stored: %v", got)
		}
		// Present already: nothing held, nothing new.
		if res, err = s.CheckIn(ctx, req(CheckinRequest{Token: tok})); err != nil || !res.Already || res.NeedsIdentity {
			t.Fatalf("again: %+v %v", res, err)
		}
		wantRefused(t, "decide a present one", s.DecideMismatch(ctx, d.ev.ID, "T01", li.ID, true, "核对无误", "chief"),
			skillscore.EConflict, "该考生在场次 T01 没有待处理的人证不符记录")
		if _, err := s.CloseSession(ctx, d.ev.ID, "T01", "chief"); err != nil {
			t.Fatal(err)
		}
		_, err = s.CheckIn(ctx, req(CheckinRequest{Token: tok}))
		wantRefused(t, "closed", err, skillscore.EConflict, "已结束签到")
	})
}

// TestTheoryAbsentIsThePartOnly: 缺考 in an assessment's theory file is
// stored as that part's absence (absent, not a 0 score); a candidate with
// a sitting still to come (the practical may follow) keeps no status, one
// with none becomes 缺考 as at a competition.
func TestTheoryAbsentIsThePartOnly(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		s := open(Options{})
		ctx := context.Background()
		d := seedBatch(t, s)
		late, err := s.AddContestants(ctx, d.ev.ID, []Contestant{{Name: "赵敏", Gender: "女", IDType: "居民身份证",
			IDNumber: "360102199001010027", GroupCode: "g", Level: 4}}, "tester")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.ImportScores(ctx, d.ev.ID, d.theory.ID, []ImportedScore{{ContestantID: d.cs[0].ID, Value: 820000},
			{ContestantID: d.cs[1].ID, Absent: true}, {ContestantID: late[0].ID, Absent: true}}, "理论成绩.csv", "organizer"); err != nil {
			t.Fatal(err)
		}
		got, err := s.ImportedScores(ctx, d.ev.ID)
		if err != nil || len(got) != 3 || !got[1].Absent || got[1].Value != 0 || got[0].Absent {
			t.Fatalf("imported: %+v %v", got, err)
		}
		status := func() map[int64]string {
			t.Helper()
			cs, err := s.Contestants(ctx, d.ev.ID)
			if err != nil {
				t.Fatal(err)
			}
			out := map[int64]string{}
			for _, c := range cs {
				out[c.ID] = c.Status
			}
			return out
		}
		// 王建华's sitting T01 is open: the practical may follow.
		if st := status(); st[d.cs[1].ID] != "" || st[late[0].ID] != "absent" {
			t.Fatalf("statuses after the theory file: %v", st)
		}
		// Once T01 has closed without him, the file's 缺考 is his whole absence.
		if _, err := s.CloseSession(ctx, d.ev.ID, "T01", "chief"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ImportScores(ctx, d.ev.ID, d.theory.ID, []ImportedScore{{ContestantID: d.cs[1].ID, Absent: true}}, "理论成绩.csv", "organizer"); err != nil {
			t.Fatal(err)
		}
		if st := status(); st[d.cs[1].ID] != "absent" {
			t.Fatalf("after T01 closed: %v", st)
		}
		c := seed(t, s)
		if _, err := s.ImportScores(ctx, c.ev.ID, c.theory.ID, []ImportedScore{{ContestantID: c.cs[0].ID, Absent: true}}, "理论成绩.xlsx", "organizer"); err != nil {
			t.Fatal(err)
		}
		cs, err := s.Contestants(ctx, c.ev.ID)
		if err != nil || cs[0].Status != "absent" {
			t.Fatalf("competition: status %q (%v)", cs[0].Status, err)
		}
	})
}

func TestAdmissionNotice(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		s := open(Options{})
		ctx := context.Background()
		d := seedBatch(t, s)
		if n, err := s.AdmissionNotice(ctx, d.ev.ID); err != nil || n.Body != "" {
			t.Fatalf("no notice yet: %+v %v", n, err)
		}
		c := seed(t, s)
		wantRefused(t, "competition", s.SaveAdmissionNotice(ctx, c.ev.ID, "须知", "organizer"), skillscore.EInvalid, "是竞赛")
		wantRefused(t, "too long", s.SaveAdmissionNotice(ctx, d.ev.ID, strings.Repeat("字", MaxAdmissionNotice+1), "organizer"),
			skillscore.EInvalid, "不能超过")
		if err := s.SaveAdmissionNotice(ctx, d.ev.ID, "  1. 提前 30 分钟入场。\r\n2. 凭准考证和身份证入场。  ", "organizer"); err != nil {
			t.Fatal(err)
		}
		n, err := s.AdmissionNotice(ctx, d.ev.ID)
		if err != nil || n.Body != "1. 提前 30 分钟入场。\n2. 凭准考证和身份证入场。" || n.UpdatedBy != "organizer" || !n.UpdatedAt.Valid() {
			t.Fatalf("saved: %+v %v", n, err)
		}
		// Saved again, then emptied: back to the default, each step audited.
		if err := s.SaveAdmissionNotice(ctx, d.ev.ID, "1. 新须知", "organizer"); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveAdmissionNotice(ctx, d.ev.ID, " ", "organizer"); err != nil {
			t.Fatal(err)
		}
		if n, err := s.AdmissionNotice(ctx, d.ev.ID); err != nil || n.Body != "" {
			t.Fatalf("reset: %+v %v", n, err)
		}
		var audits int
		if err := s.r.GetContext(ctx, &audits, "SELECT COUNT(*) FROM audit_log WHERE action = 'admission.notice' AND event_id = ?", d.ev.ID); err != nil || audits != 3 {
			t.Fatalf("audited %d times (%v), want 3", audits, err)
		}
	})
}
