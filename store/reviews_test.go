package store

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"skillscore"
	"skillscore/workdays"
)

func cstAt(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, skillscore.China())
	if err != nil {
		panic(err)
	}
	return t
}

// reviewSeed makes an assessment batch (5 working days of 公示) with two
// candidates, and users: org (organizer, site), rev and rev2 (reviewers of
// the batch), both (organizer and reviewer of the batch), obs (observer of
// the batch), far (reviewer of another event only).
func reviewSeed(t *testing.T, s *Store, code string) (Event, []Contestant) {
	t.Helper()
	ctx := context.Background()
	ev, err := s.CreateEvent(ctx, NewEvent{Event: Event{Code: code, Name: "养老护理员四级认定（" + code + "）", Kind: "assessment",
		Occupation: "养老护理员", OccupationCode: "4-10-01-05", Level: 4, Year: 2026, StartsOn: "2026-02-26", Rules: `{"modules":[]}`},
		Groups: []Group{{Code: "g", Name: "考生"}}}, "tester")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveBatch(ctx, Batch{EventID: ev.ID, BatchNo: code, PublicityDays: 5, RetakeMonths: 12}, "org"); err != nil {
		t.Fatal(err)
	}
	cs, err := s.AddContestants(ctx, ev.ID, []Contestant{
		{Name: "李华", Gender: "女", IDType: "居民身份证", IDNumber: "360103199001010028", GroupCode: "g", Level: 5},
		{Name: "王芳", Gender: "女", IDType: "居民身份证", IDNumber: "360103199202020046", GroupCode: "g", Level: 5}}, "tester")
	if err != nil {
		t.Fatal(err)
	}
	return ev, cs
}

func addUser(t *testing.T, s *Store, username string, grants ...Grant) {
	t.Helper()
	ctx := context.Background()
	u, err := s.CreateUserWithGrant(ctx, User{Username: username, Name: username, Role: grants[0].Role, PasswordHash: "x"}, grants[0], "tester")
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range grants[1:] {
		g.UserID = u.ID
		if _, err := s.Grant(ctx, g, "tester"); err != nil {
			t.Fatal(err)
		}
	}
}

func TestBatchReviewRefusalsAndHistory(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		now := cstAt("2026-03-02 09:00") // a Monday
		var mu sync.Mutex
		s := open(Options{Now: func() time.Time { mu.Lock(); defer mu.Unlock(); return now }})
		setNow := func(v string) { mu.Lock(); now = cstAt(v); mu.Unlock() }
		ctx := context.Background()
		d := seed(t, s)
		ev, cs := reviewSeed(t, s, "jx-rd-2026-03")
		other, _ := reviewSeed(t, s, "jx-rd-2026-04")
		addUser(t, s, "org", Grant{Role: RoleOrganizer})
		addUser(t, s, "rev", Grant{Role: RoleReviewer, EventCode: ev.Code})
		addUser(t, s, "rev2", Grant{Role: RoleReviewer, EventCode: ev.Code})
		addUser(t, s, "both", Grant{Role: RoleOrganizer, EventCode: ev.Code}, Grant{Role: RoleReviewer, EventCode: ev.Code})
		addUser(t, s, "obs", Grant{Role: RoleObserver, EventCode: ev.Code})
		addUser(t, s, "far", Grant{Role: RoleReviewer, EventCode: other.Code})
		state := func(want string) Review {
			t.Helper()
			r, err := s.BatchReview(ctx, ev.ID)
			if err != nil || r.State != want {
				t.Fatalf("review state %q (%v), want %q", r.State, err, want)
			}
			return r
		}
		level := func() error {
			_, _, err := s.IssueCertificates(ctx, []CertificateIssue{issueReq(ev, cs[0], "level", testScope)}, testSeal, "org")
			return err
		}

		// Nothing to review yet; no level certificate before approval.
		state(ReviewNone)
		wantRefused(t, "submit before publication", s.SubmitBatch(ctx, ev.ID, "org"), skillscore.EConflict, "尚未公示")
		wantRefused(t, "approve before submission", s.ApproveBatch(ctx, ev.ID, "rev"), skillscore.EConflict, "尚未报审")
		wantRefused(t, "issue before approval", level(), skillscore.EConflict, "审核员批准后才能编号和签发")
		wantRefused(t, "RequireApproval", s.RequireApproval(ctx, ev.ID), skillscore.EConflict, "未报审")
		if err := s.RequireApproval(ctx, d.ev.ID); err != nil {
			t.Fatalf("a competition waits for approval: %v", err)
		}
		// A competition's certificates, level ones included, never wait.
		if _, _, err := s.IssueCertificates(ctx, []CertificateIssue{issueReq(d.ev, d.cs[0], "level", testScope)}, testSeal, "org"); err != nil {
			t.Fatalf("competition level certificate: %v", err)
		}
		wantRefused(t, "submit a competition", s.SubmitBatch(ctx, d.ev.ID, "org"), skillscore.EInvalid, "竞赛")

		// 公示 by working days: shorter refused, none given → computed.
		_, err := s.PublishResults(ctx, ev.ID, now, cstAt("2026-03-06 09:00"), "org")
		wantRefused(t, "publication too short", err, skillscore.EInvalid, "不足 5 个工作日")
		if _, err := s.PublishResults(ctx, ev.ID, now, time.Time{}, "org"); err != nil {
			t.Fatal(err)
		}
		r := state(ReviewNone)
		if !r.Workflow.PublicationEnd.Equal(cstAt("2026-03-07 00:00")) || r.WorkingDays != 5 || !r.Required.End.Equal(cstAt("2026-03-07 00:00")) {
			t.Fatalf("publication: end %v, %d working days, required %v", r.Workflow.PublicationEnd, r.WorkingDays, r.Required.End)
		}

		// Submitting: refused within the 公示, then the results become final.
		setNow("2026-03-06 18:00")
		wantRefused(t, "submit within the 公示", s.SubmitBatch(ctx, ev.ID, "org"), skillscore.EConflict, "公示期至 2026-03-07 00:00 才结束")
		setNow("2026-03-09 09:00")
		// The batch's days raised after publication: the period is short now.
		b, err := s.Batch(ctx, ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		b.PublicityDays = 10
		if _, err := s.SaveBatch(ctx, b, "org"); err != nil {
			t.Fatal(err)
		}
		wantRefused(t, "submit after a short 公示", s.SubmitBatch(ctx, ev.ID, "org"), skillscore.EConflict, "少于本批次规定的 10 个")
		b.PublicityDays = 5
		if _, err := s.SaveBatch(ctx, b, "org"); err != nil {
			t.Fatal(err)
		}
		if err := s.SubmitBatch(ctx, ev.ID, "org"); err != nil {
			t.Fatalf("submit: %v", err)
		}
		if r := state(ReviewSubmitted); r.Workflow.Stage != StageFinal || r.Workflow.FinalizedBy != "org" {
			t.Fatalf("submitted results not final: %+v", r.Workflow)
		}
		wantRefused(t, "submit twice", s.SubmitBatch(ctx, ev.ID, "org"), skillscore.EConflict, "正在等待审核")
		wantRefused(t, "issue while submitted", level(), skillscore.EConflict, "待审核")

		// Only a reviewer of the batch decides.
		for _, who := range []string{"org", "obs", "far", "nobody"} {
			wantRefused(t, "approve by "+who, s.ApproveBatch(ctx, ev.ID, who), skillscore.EForbidden, "不是本批次的审核员")
		}
		wantRefused(t, "return without a reason", s.ReturnBatch(ctx, ev.ID, "  ", "rev"), skillscore.EInvalid, "写明原因")
		wantRefused(t, "return by the organizer", s.ReturnBatch(ctx, ev.ID, "x", "org"), skillscore.EForbidden, "审核员")

		// Returned: the results are open again for corrections.
		reason := "李华的申报条件与所附证明不符，请核实后重新报审"
		if err := s.ReturnBatch(ctx, ev.ID, reason, "rev"); err != nil {
			t.Fatalf("return: %v", err)
		}
		r = state(ReviewReturned)
		if r.Workflow.Stage != StagePublication || r.Workflow.FinalizedAt.Valid() {
			t.Fatalf("returned batch still final: %+v", r.Workflow)
		}
		if last, _ := r.Last(); last.Reason != reason || last.Actor != "rev" {
			t.Fatalf("return step: %+v", last)
		}
		wantRefused(t, "approve a returned batch", s.ApproveBatch(ctx, ev.ID, "rev"), skillscore.EConflict, "退回，须由评价机构修改")
		if err := s.SetContestantStatus(ctx, ev.ID, cs[0].ID, "ineligible", "申报条件不符", "org"); err != nil {
			t.Fatalf("correction after the return: %v", err)
		}

		// Resubmitted by a user who also reviews: someone else must decide.
		if err := s.SubmitBatch(ctx, ev.ID, "both"); err != nil {
			t.Fatalf("resubmit: %v", err)
		}
		wantRefused(t, "approve own submission", s.ApproveBatch(ctx, ev.ID, "both"), skillscore.EForbidden, "自己报审")

		// Two reviewers at once: one decision stands.
		errs := make([]error, 2)
		var wg sync.WaitGroup
		for i, who := range []string{"rev", "rev2"} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = s.ApproveBatch(ctx, ev.ID, who)
			}()
		}
		wg.Wait()
		if (errs[0] == nil) == (errs[1] == nil) {
			t.Fatalf("two approvals at once: %v / %v, want exactly one", errs[0], errs[1])
		}
		for _, err := range errs {
			if err != nil && skillscore.ErrorCode(err) != skillscore.EConflict {
				t.Fatalf("the losing approval: %v", err)
			}
		}
		r = state(ReviewApproved)
		wantRefused(t, "approve twice", s.ApproveBatch(ctx, ev.ID, "rev"), skillscore.EConflict, "不能重复审核")
		wantRefused(t, "return after approval", s.ReturnBatch(ctx, ev.ID, "迟到的意见", "rev2"), skillscore.EConflict, "不能重复审核")
		wantRefused(t, "submit after approval", s.SubmitBatch(ctx, ev.ID, "org"), skillscore.EConflict, "无需再报审")

		// History kept, every step audited.
		var actions []string
		for _, st := range r.Steps {
			actions = append(actions, st.Action+":"+st.Actor)
		}
		if got := strings.Join(actions, " "); !strings.HasPrefix(got, "submit:org return:rev submit:both approve:rev") {
			t.Fatalf("history: %s", got)
		}
		trail, err := s.AuditTrail(ctx, ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		var audited []string
		for _, e := range trail {
			if strings.HasPrefix(e.Action, "batch.") && e.Action != "batch.save" || e.Action == "results.final" {
				audited = append(audited, e.Action)
			}
			if e.Action == "batch.return" && !strings.Contains(e.Detail, reason) {
				t.Errorf("the return's audit entry lacks the reason: %s", e.Detail)
			}
		}
		if want := []string{"results.final", "batch.submit", "batch.return", "results.final", "batch.submit", "batch.approve"}; !slices.Equal(audited, want) {
			t.Fatalf("audited %v, want %v", audited, want)
		}
		if bad, _, verr := s.VerifyAudit(ctx); verr != nil || bad != 0 {
			t.Fatalf("audit chain: %d %v", bad, verr)
		}

		// Approved: level certificates are numbered now.
		if err := level(); err != nil {
			t.Fatalf("issue after approval: %v", err)
		}
		queue, err := s.ReviewQueue(ctx)
		if err != nil || len(queue) != 1 || queue[0].Code != ev.Code || queue[0].State() != ReviewApproved || queue[0].Actor == "" {
			t.Fatalf("review queue: %+v %v", queue, err)
		}
	})
}

// TestPublicityCalendarIsData: a 公示 reaching into a year the calendar does
// not know is refused until the organizer enters that year's holidays; the
// entered days then count.
func TestPublicityCalendarIsData(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		s := open(Options{Now: func() time.Time { return cstAt("2026-12-29 10:00") }})
		ctx := context.Background()
		if days, err := s.CalendarDays(ctx, 2026); err != nil || len(days) != 39 {
			t.Fatalf("2026 as migration 033 seeds it: %d days, %v", len(days), err)
		}
		ev, _ := reviewSeed(t, s, "jx-rd-2026-12")
		start := cstAt("2026-12-29 10:00")
		_, err := s.PublishResults(ctx, ev.ID, start, time.Time{}, "org")
		wantRefused(t, "into 2027", err, skillscore.EConflict, "2027 年")

		for _, bad := range [][]CalendarDay{
			{{Day: "2027-1-1", Kind: workdays.Holiday, Name: "元旦"}},
			{{Day: "2027-01-01", Kind: "off", Name: "元旦"}},
			{{Day: "2027-01-01", Kind: workdays.Holiday}},
		} {
			if err := s.SetCalendarDays(ctx, bad, "org"); skillscore.ErrorCode(err) != skillscore.EInvalid {
				t.Fatalf("%+v accepted: %v", bad, err)
			}
		}
		if err := s.SetCalendarDays(ctx, []CalendarDay{{Day: "2027-01-01", Kind: workdays.Holiday, Name: "元旦", Source: "测试"}}, "org"); err != nil {
			t.Fatal(err)
		}
		p, days, ok, err := s.PublicityPeriod(ctx, ev.ID, start)
		if err != nil || !ok || days != 5 || !p.End.Equal(cstAt("2027-01-06 00:00")) || len(p.Unknown) != 0 {
			t.Fatalf("period: %+v %d %v %v", p, days, ok, err)
		}
		if _, err := s.PublishResults(ctx, ev.ID, start, time.Time{}, "org"); err != nil {
			t.Fatal(err)
		}
		r, err := s.BatchReview(ctx, ev.ID)
		if err != nil || !r.Workflow.PublicationEnd.Equal(cstAt("2027-01-06 00:00")) || r.WorkingDays != 5 {
			t.Fatalf("published: %+v %v", r.Workflow, err)
		}
		wantRefused(t, "remove an unlisted day", s.RemoveCalendarDay(ctx, "2027-01-02", "org"), skillscore.ENotFound, "没有")
		if err := s.RemoveCalendarDay(ctx, "2027-01-01", "org"); err != nil {
			t.Fatal(err)
		}
		var audited []string
		if err := s.r.SelectContext(ctx, &audited, "SELECT action FROM audit_log WHERE action LIKE 'calendar.%' ORDER BY id"); err != nil ||
			!slices.Equal(audited, []string{"calendar.set", "calendar.remove"}) {
			t.Fatalf("calendar audit: %v %v", audited, err)
		}
	})
}
