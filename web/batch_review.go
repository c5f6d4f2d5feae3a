package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"skillscore"
	"skillscore/store"
	"skillscore/workdays"
)

// ReviewStore is what 公示 by working days and the batch approval (报审)
// need. The judging store provides it (the same *store.Store), so it is
// found on Config.Judging like the results workflow.
type ReviewStore interface {
	BatchReview(ctx context.Context, eventID int64) (store.Review, error)
	SubmitBatch(ctx context.Context, eventID int64, actor string) error
	ApproveBatch(ctx context.Context, eventID int64, actor string) error
	ReturnBatch(ctx context.Context, eventID int64, reason, actor string) error
	ReviewQueue(ctx context.Context) ([]store.ReviewItem, error)
	CalendarDays(ctx context.Context, year int) ([]store.CalendarDay, error)
	PublicityPeriod(ctx context.Context, eventID int64, start time.Time) (workdays.Period, int, bool, error)
}

func (s *Server) reviewStore() (ReviewStore, error) {
	rs, ok := s.judging.(ReviewStore)
	if !ok {
		return nil, skillscore.Errorf(skillscore.EUnavailable, "报审功能未启用")
	}
	return rs, nil
}

// batchReview is an assessment batch's review, as its 报审 and approval
// pages read it; a competition has none.
func (s *Server) batchReview(ctx context.Context, ev store.Event) (ReviewStore, store.Review, error) {
	rs, err := s.reviewStore()
	if err != nil {
		return nil, store.Review{}, err
	}
	if ev.Kind != "assessment" {
		return nil, store.Review{}, skillscore.Errorf(skillscore.ENotFound, "%s 是竞赛，不是等级认定批次：竞赛没有报审", ev.Code)
	}
	rev, err := rs.BatchReview(ctx, ev.ID)
	return rs, rev, err
}

// requireApproval refuses an assessment batch's certificates before the
// supervising office approved it; nil for a competition.
func (s *Server) requireApproval(ctx context.Context, ev store.Event) error {
	if ev.Kind != "assessment" {
		return nil
	}
	rs, err := s.reviewStore()
	if err != nil {
		return err
	}
	r, err := rs.BatchReview(ctx, ev.ID)
	if err != nil {
		return err
	}
	return r.IssueAllowed()
}

// reviewStepRow is one line of a batch's review history.
type reviewStepRow struct {
	At, Action, ActionName, Actor, Reason string
}

func reviewHistory(r store.Review) []reviewStepRow {
	out := make([]reviewStepRow, 0, len(r.Steps))
	for i := len(r.Steps) - 1; i >= 0; i-- { // newest first
		st := r.Steps[i]
		out = append(out, reviewStepRow{At: cnFormat(st.ActedAt), Action: st.Action, ActionName: store.ReviewActionName(st.Action),
			Actor: st.Actor, Reason: st.Reason})
	}
	return out
}

// publicityView is the 公示 as the 报审 and review pages show it.
type publicityView struct {
	Days        int    // working days the batch requires
	Published   bool   // a period is set
	Start, End  string // the period set, CST
	WorkingDays int    // whole working days in it
	DayList     string // 3月2日、3月3日 …: the required days
	RequiredEnd string // the end the working days give
	Short       bool   // the period set holds fewer working days than required
	Ended       bool
	Unknown     string // years the calendar lacks, 2027、2028
	// IfNow is the end a 公示 published now would get (before publication).
	IfNow string
}

func publicityOf(r store.Review, now time.Time) publicityView {
	v := publicityView{Days: r.PublicityDays, Published: r.Published()}
	if !v.Published {
		return v
	}
	w := r.Workflow
	v.Start, v.End, v.WorkingDays = cnFormat(w.PublishedAt), cnFormat(w.PublicationEnd), r.WorkingDays
	v.RequiredEnd = r.Required.End.In(skillscore.China()).Format("2006-01-02 15:04")
	v.Short, v.Ended = r.Short(), !now.Before(w.PublicationEnd.Time)
	days := make([]string, len(r.Required.Days))
	for i, d := range r.Required.Days {
		days[i] = d.Format("1月2日")
	}
	v.DayList = strings.Join(days, "、")
	v.Unknown = yearList(r.Unknown)
	return v
}

func yearList(years []int) string {
	parts := make([]string, len(years))
	for i, y := range years {
		parts[i] = fmt.Sprint(y)
	}
	return strings.Join(parts, "、")
}

// calendarRow is one listed day of the working-day calendar.
type calendarRow struct {
	Day, Weekday, KindName, Name string
	Workday                      bool
}

var weekdayNames = [...]string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}

// calendarYears lists the calendar's days of the years a 公示 touches (or
// of this year), so the organizer sees which holidays the count used.
func calendarYears(ctx context.Context, rs ReviewStore, r store.Review, now time.Time) (years []int, rows []calendarRow, err error) {
	seen := map[int]bool{}
	add := func(t time.Time) {
		if y := t.In(skillscore.China()).Year(); !seen[y] {
			seen[y] = true
			years = append(years, y)
		}
	}
	if r.Published() {
		add(r.Workflow.PublishedAt.Time)
		add(r.Workflow.PublicationEnd.Time)
		add(r.Required.End.Add(-time.Second))
	} else {
		add(now)
	}
	for _, y := range years {
		days, err := rs.CalendarDays(ctx, y)
		if err != nil {
			return nil, nil, err
		}
		for _, d := range days {
			t, _ := time.Parse(time.DateOnly, d.Day)
			rows = append(rows, calendarRow{Day: d.Day, Weekday: weekdayNames[t.Weekday()], KindName: d.KindName(), Name: d.Name,
				Workday: d.Kind == workdays.Workday})
		}
	}
	return years, rows, nil
}

// batchReviewPage is the data of templates/html/batchreview.html.
type batchReviewPage struct {
	Title, CSRF, EventCode, EventName, Message string
	BatchNo                                    string
	State, StateName                           string
	Publicity                                  publicityView
	SubmitRefused                              string
	CanSubmit                                  bool // an organizer of the batch, and nothing refuses
	Organizer                                  bool
	Returned                                   *reviewStepRow // the last return, while the batch stands returned
	Approved                                   *reviewStepRow
	Submitted                                  *reviewStepRow // the submission awaiting review
	History                                    []reviewStepRow
	CalendarYears                              string
	Calendar                                   []calendarRow
	CalendarUnknown                            bool
}

// handleBatchReviewPage is the body's 报审 page: where the batch stands,
// its 公示 counted in working days, the submission, and the history of
// the review with the reviewers' reasons.
func (s *Server) handleBatchReviewPage(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	ctx := r.Context()
	rs, rev, err := s.batchReview(ctx, ev)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	now := time.Now()
	page := batchReviewPage{Title: ev.Name + " · 报审", CSRF: u.CSRF, EventCode: ev.Code, EventName: ev.Name,
		Message: r.URL.Query().Get("msg"), BatchNo: rev.BatchNo, State: rev.State, StateName: store.ReviewStateName(rev.State),
		Publicity: publicityOf(rev, now), SubmitRefused: refusal(rev.SubmitAllowed(now)), History: reviewHistory(rev),
		Organizer: scopeHas(r, u.Access, RoleOrganizer)}
	page.CanSubmit = page.Organizer && page.SubmitRefused == ""
	if !page.Publicity.Published {
		p, _, _, err := rs.PublicityPeriod(ctx, ev.ID, now)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		page.Publicity.IfNow = p.End.In(skillscore.China()).Format("2006-01-02 15:04")
		page.Publicity.Unknown = yearList(p.Unknown)
	}
	if last, ok := rev.Last(); ok {
		row := reviewHistory(store.Review{Steps: []store.ReviewStep{last}})[0]
		switch rev.State {
		case store.ReviewReturned:
			page.Returned = &row
		case store.ReviewApproved:
			page.Approved = &row
		case store.ReviewSubmitted:
			page.Submitted = &row
		}
	}
	years, rows, err := calendarYears(ctx, rs, rev, now)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page.CalendarYears, page.Calendar, page.CalendarUnknown = yearList(years), rows, page.Publicity.Unknown != ""
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, "batchreview", page)
}

// handleBatchSubmit submits the batch for review (报审).
func (s *Server) handleBatchSubmit(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	s.reviewStep(w, r, u, ev, "batch submitted", "review", "batch-submitted", func(rs ReviewStore) error {
		return rs.SubmitBatch(r.Context(), ev.ID, u.User.Username)
	})
}

// reviewStep takes one step of a batch's review (报审, 批准, 退回) by
// step, logs it as logged and sends the user back to the batch's page
// (review or approval) with the notice.
func (s *Server) reviewStep(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, logged, page, notice string, step func(ReviewStore) error) {
	rs, err := s.reviewStore()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := step(rs); err != nil {
		s.fail(w, r, err)
		return
	}
	s.log.Info(logged, "event", ev.Code, "by", u.User.Username)
	http.Redirect(w, r, noticeURL("/events/"+ev.Code+"/batch/"+page, notice), http.StatusSeeOther)
}
