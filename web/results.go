package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"time"

	"skillscore"
	"skillscore/arbitration"
	"skillscore/results"
	"skillscore/scoring"
	"skillscore/store"
)

// ResultsStore is what the results workflow needs: the stage, publication
// (公示), final results. The judging store provides it (the same
// *store.Store), so it is found on Config.Judging like the draw.
type ResultsStore interface {
	Workflow(ctx context.Context, eventID int64) (store.Workflow, error)
	PublishResults(ctx context.Context, eventID int64, start, end time.Time, actor string) (int64, error)
	Finalize(ctx context.Context, eventID int64, actor string) error
}

func (s *Server) resultsStore() (ResultsStore, error) {
	rs, ok := s.judging.(ResultsStore)
	if !ok {
		return nil, skillscore.Errorf(skillscore.EUnavailable, "成绩发布流程未启用")
	}
	return rs, nil
}

// requireFinal refuses what may only follow the final results.
func (s *Server) requireFinal(ctx context.Context, eventID int64) error {
	rs, err := s.resultsStore()
	if err != nil {
		return err
	}
	w, err := rs.Workflow(ctx, eventID)
	if err != nil {
		return err
	}
	return w.FinalRequired()
}

// workflowStep is one line of the organizer's checklist.
type workflowStep struct {
	Name, State string
	Done        bool
}

type resultsPage struct {
	Title, CSRF, EventCode, EventName, User, Message string
	Flow                                             store.Workflow
	Steps                                            []workflowStep
	PublishRefused, AppealRefused, FinalRefused      string
	PublishedAt, PublicationEnd, FinalizedAt         string
	DefaultStart, DefaultEnd                         string
	// Assessment: each candidate's verdict per part (web/passverdicts.go);
	// nil for a competition.
	Assessment *assessmentVerdicts
	// Batch is an assessment batch's 公示 and review (报审): its end is
	// counted in working days, and certificates wait for approval.
	Batch *resultsBatch
	// The 仲裁 (docs/oversight-arbitration.md): the undecided on-site
	// appeals, which hold publication and the final results ("第 1、2 号"),
	// and the modules still within their filing window, a warning only.
	Undecided    string
	WindowOpenIn []string
}

// resultsBatch is what the results page shows of an assessment batch's
// 公示 and review.
type resultsBatch struct {
	PublicityDays          int
	EndIfNow               string // the end a 公示 published now gets
	WorkingDays            int    // in the period set
	State, StateName       string
	ReturnedBy, ReturnedAt string
	ReturnReason           string
}

func refusal(err error) string {
	if err == nil {
		return ""
	}
	return skillscore.ErrorMessage(err)
}

func cnFormat(t store.Time) string {
	if !t.Valid() {
		return ""
	}
	return t.In(skillscore.China()).Format("2006-01-02 15:04")
}

// handleResultsPage is the organizer's results workflow: where the event
// stands, the next step allowed, and why the others are refused.
func (s *Server) handleResultsPage(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	rs, err := s.resultsStore()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f, err := rs.Workflow(r.Context(), ev.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	now := time.Now()
	page := resultsPage{Title: ev.Name + " · 成绩发布", CSRF: u.CSRF, EventCode: ev.Code, EventName: ev.Name,
		User: u.User.Name, Message: r.URL.Query().Get("msg"), Flow: f,
		PublishRefused: refusal(f.PublishAllowed()), AppealRefused: refusal(f.AppealAllowed(now)),
		FinalRefused: refusal(f.FinalizeAllowed(now)), PublishedAt: cnFormat(f.PublishedAt),
		PublicationEnd: cnFormat(f.PublicationEnd), FinalizedAt: cnFormat(f.FinalizedAt),
		DefaultStart: now.In(skillscore.China()).Format("2006-01-02T15:04"), DefaultEnd: now.Add(5 * 24 * time.Hour).In(skillscore.China()).Format("2006-01-02T15:04")}
	if ev.Kind == "assessment" {
		if page.Batch, err = s.resultsBatch(r.Context(), ev, now); err != nil {
			s.fail(w, r, err)
			return
		}
		page.DefaultEnd = ""
	}
	published := f.PublishedAt.Valid() && f.PublicationEnd.Valid()
	page.Steps = []workflowStep{
		{Name: "评分表全部锁定", Done: f.Unlocked == 0, State: fmt.Sprintf("未锁定 %d 份", f.Unlocked)},
		{Name: "各模块裁判长签字确认", Done: len(f.Unsigned) == 0, State: fmt.Sprintf("未签字 %d 个模块", len(f.Unsigned))},
		{Name: "解密", Done: f.DecryptedAt.Valid() || f.Coded == 0, State: "未解密"},
		{Name: "成绩公示", Done: published, State: "未公示"},
		{Name: "申诉处理完毕", Done: published && f.OpenAppeals == 0, State: fmt.Sprintf("待处理 %d 件", f.OpenAppeals)},
		{Name: "最终成绩确认", Done: f.FinalizedAt.Valid(), State: "未确认"},
	}
	if f.RecheckRequired || f.RecheckStarted { // 成绩复核 before 公示 (docs/oversight-recheck.md)
		state := "未开始"
		if f.RecheckStarted {
			state = fmt.Sprintf("待核对 %d 份，监督未签字确认", f.RecheckUnchecked)
		}
		page.Steps = slices.Insert(page.Steps, 3, workflowStep{Name: "成绩复核（监督签字确认）", Done: f.RecheckSignedOff.Valid(), State: state})
	}
	if b := page.Batch; b != nil {
		page.Steps = append(page.Steps, workflowStep{Name: "报审并经监管部门批准", Done: b.State == store.ReviewApproved, State: b.StateName})
	}
	if err := s.arbitrationWarnings(r.Context(), ev, f, now, &page); err != nil {
		s.fail(w, r, err)
		return
	}
	if ev.Kind == string(scoring.Assessment) {
		if page.Assessment, err = s.assessmentVerdicts(r.Context(), ev, f); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, "results", page)
}

// arbitrationWarnings fills what the 仲裁 tells the publish page before
// its button is pressed: the undecided cases (the store refuses publication
// for them, store.Workflow.PublishAllowed) and, while the results are not
// final, the modules an on-site appeal may still be filed about.
func (s *Server) arbitrationWarnings(ctx context.Context, ev store.Event, f store.Workflow, now time.Time, page *resultsPage) error {
	if len(f.UndecidedArbitrations) > 0 {
		page.Undecided = arbitration.Numbers(f.UndecidedArbitrations)
	}
	st, ok := s.judging.(ArbitrationStore)
	if !ok || f.FinalizedAt.Valid() {
		return nil
	}
	ends, _, err := st.ModuleEnds(ctx, ev.ID)
	if err != nil {
		return err
	}
	for _, m := range ends {
		switch {
		case !m.End.Known:
			page.WindowOpenIn = append(page.WindowOpenIn, m.Code+" "+m.Name+"（模块尚未结束，申诉时限未开始计算）")
		case !now.After(m.Deadline):
			page.WindowOpenIn = append(page.WindowOpenIn, m.Code+" "+m.Name+"（可申诉至 "+fmtCST(m.Deadline)+"）")
		}
	}
	return nil
}

// resultsBatch reads an assessment batch's 公示 rule and review state.
func (s *Server) resultsBatch(ctx context.Context, ev store.Event, now time.Time) (*resultsBatch, error) {
	rs, err := s.reviewStore()
	if err != nil {
		return nil, err
	}
	rev, err := rs.BatchReview(ctx, ev.ID)
	if err != nil {
		return nil, err
	}
	b := &resultsBatch{PublicityDays: rev.PublicityDays, WorkingDays: rev.WorkingDays, State: rev.State,
		StateName: store.ReviewStateName(rev.State)}
	p, _, _, err := rs.PublicityPeriod(ctx, ev.ID, now)
	if err != nil {
		return nil, err
	}
	if len(p.Unknown) == 0 {
		b.EndIfNow = p.End.In(skillscore.China()).Format("2006-01-02 15:04")
	}
	if last, ok := rev.Last(); ok && rev.State == store.ReviewReturned {
		b.ReturnedBy, b.ReturnedAt, b.ReturnReason = last.Actor, cnFormat(last.ActedAt), last.Reason
	}
	return b, nil
}

// handlePublishResults publishes the results for a period entered in CST.
func (s *Server) handlePublishResults(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	rs, err := s.resultsStore()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var at [2]time.Time
	for i, field := range []string{"start", "end"} {
		v := r.PostFormValue(field)
		if field == "end" && v == "" && ev.Kind == "assessment" {
			continue // the store counts the batch's working days
		}
		if at[i], err = time.ParseInLocation("2006-01-02T15:04", v, skillscore.China()); err != nil {
			s.fail(w, r, skillscore.Errorf(skillscore.EInvalid, "公示%s时间 %q 无效：应为 年-月-日 时:分", map[string]string{"start": "开始", "end": "结束"}[field], v))
			return
		}
	}
	if _, err := rs.PublishResults(r.Context(), ev.ID, at[0], at[1], u.User.Username); err != nil {
		s.fail(w, r, err)
		return
	}
	s.log.Info("results published", "event", ev.Code, "by", u.User.Username, "end", at[1])
	s.resultsRedirect(w, r, ev, "results-published")
}

// handleFinalize records the final results.
func (s *Server) handleFinalize(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	rs, err := s.resultsStore()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := rs.Finalize(r.Context(), ev.ID, u.User.Username); err != nil {
		s.fail(w, r, err)
		return
	}
	s.log.Info("results final", "event", ev.Code, "by", u.User.Username)
	s.resultsRedirect(w, r, ev, "results-final")
}

func (s *Server) resultsRedirect(w http.ResponseWriter, r *http.Request, ev store.Event, notice string) {
	http.Redirect(w, r, noticeURL("/events/"+ev.Code+"/results", notice), http.StatusSeeOther)
}

// publishedRow is one line of the public results: masked name, 单位, code.
type publishedRow struct {
	Group, Code, Name, Org, Total, Award string
	Rank                                 int
	StatusReason                         string // shown beneath the award column
}

type publishedPage struct {
	Title, EventCode, EventName string
	Final                       bool
	NotYet                      bool // before publication: the page says so (a 404 looked like a broken link)
	PublicationEnd              string
	Groups                      []publishedGroup
	Teams                       bool // a team event: each row is a team, its members masked (live.teamNames)
}

// publishedGroup is one group's table: places are per group, so a reader
// looks up their group first.
type publishedGroup struct {
	Name string
	Rows []publishedRow
}

// handlePublished is the public results page during and after the
// publication period: names masked (张*), never ID numbers.
func (s *Server) handlePublished(w http.ResponseWriter, r *http.Request) {
	rs, err := s.resultsStore()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ctx := r.Context()
	ev, err := s.store.EventByCode(ctx, r.PathValue("code"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f, err := rs.Workflow(ctx, ev.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !f.PublishedAt.Valid() || !f.PublicationEnd.Valid() || time.Now().Before(f.PublishedAt.Time) {
		w.Header().Set("Cache-Control", "no-store")
		s.render(w, r, "published", publishedPage{Title: ev.Name + " · 成绩公示", EventCode: ev.Code, EventName: ev.Name, NotYet: true})
		return
	}
	// The public standings, as every other public path shows them: frozen
	// and revealed with the big screen, names masked.
	st, _, _, err := s.standings(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := publishedPage{Title: ev.Name + " · 成绩公示", EventCode: ev.Code, EventName: ev.Name,
		Final: f.FinalizedAt.Valid(), PublicationEnd: cnFormat(f.PublicationEnd)}
	var rules struct {
		Team *scoring.TeamRule `json:"team"`
	}
	page.Teams = json.Unmarshal([]byte(ev.Rules), &rules) == nil && rules.Team != nil
	// Tables in the rules' group order, keyed by group code (two groups may
	// share a name); an event without groups has one table and no heading.
	at := map[string]int{}
	for _, g := range st.Groups {
		at[g.Code] = len(page.Groups)
		page.Groups = append(page.Groups, publishedGroup{Name: g.Name})
	}
	for _, c := range st.Contestants {
		i, ok := at[c.Group]
		if !ok {
			i = len(page.Groups)
			at[c.Group] = i
			page.Groups = append(page.Groups, publishedGroup{Name: c.GroupName})
		}
		g := &page.Groups[i]
		g.Rows = append(g.Rows, publishedRow{Group: c.GroupName, Code: c.Code, Name: c.Name,
			Org: c.Org, Total: results.TotalText(c.ContestantResult, results.Plain), Award: results.AwardText(c.ContestantResult), Rank: c.Rank,
			StatusReason: c.StatusReason})
	}
	page.Groups = slices.DeleteFunc(page.Groups, func(g publishedGroup) bool { return len(g.Rows) == 0 })
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, "published", page)
}
