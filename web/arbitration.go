package web

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"skillscore"
	"skillscore/arbitration"
	"skillscore/certificates"
	"skillscore/sheets"
	"skillscore/store"
)

// 仲裁 (issue 16, docs/oversight-arbitration.md): appeals filed at the
// venue desk within a window after a module ends, entered by the 仲裁 or
// an organizer; heard and decided by the 仲裁 alone, whose decision is
// final. The pages are for a 10-inch tablet at the desk.

// ArbitrationStore is what the 仲裁 pages need; the judging store provides it.
type ArbitrationStore interface {
	ArbitrationWindow(ctx context.Context, eventID int64) (time.Duration, error)
	SetArbitrationWindow(ctx context.Context, eventID int64, minutes int, actor string) error
	ModuleEnds(ctx context.Context, eventID int64) ([]store.ModuleEndInfo, time.Duration, error)
	FileArbitration(ctx context.Context, eventID int64, f arbitration.Filing, actor string) (arbitration.Case, error)
	Arbitrations(ctx context.Context, eventID int64) ([]arbitration.Case, error)
	Arbitration(ctx context.Context, eventID, id int64) (arbitration.Case, error)
	RecordHearing(ctx context.Context, eventID, id int64, h arbitration.Hearing, actor string) error
	DecideArbitration(ctx context.Context, eventID, id int64, d arbitration.Decision, actor string) error
	Contestants(ctx context.Context, eventID int64) ([]store.Contestant, error)
	Sheets(ctx context.Context, eventID int64) ([]store.Sheet, error)
}

// arbitrationRoute is an event route whose handler gets the store.
func (s *Server) arbitrationRoute(h func(http.ResponseWriter, *http.Request, *authed, store.Event, ArbitrationStore), roles ...string) http.HandlerFunc {
	return s.eventRoute(func(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
		st, ok := s.judging.(ArbitrationStore)
		if !ok {
			s.fail(w, r, skillscore.Errorf(skillscore.EUnavailable, "仲裁功能未启用"))
			return
		}
		h(w, r, u, ev, st)
	}, roles...)
}

// arbiterOnly refuses everyone but a 仲裁 of the event: hearing and
// deciding are the 仲裁's own; an organizer files and reads, never decides.
func arbiterOnly(r *http.Request, u *authed) error {
	if !scopeHas(r, u.Access, RoleArbiter) {
		return skillscore.Errorf(skillscore.EForbidden, "只有本赛事的仲裁可以记录听证和作出仲裁决定；组织者只能登记申诉和查看")
	}
	return nil
}

func caseID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("case"), 10, 64)
	if err != nil || id <= 0 {
		return 0, skillscore.Errorf(skillscore.ENotFound, "仲裁申诉不存在")
	}
	return id, nil
}

func fmtCST(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(skillscore.China()).Format("2006-01-02 15:04")
}

// ---- the list and the filing form ------------------------------------------

type arbitrationModule struct {
	ID              int64
	Code, Name      string
	Basis, Deadline string
	Closed, Ended   bool
	Selected        bool
}

type arbitrationCaseRow struct {
	arbitration.Case
	KindLabel, StatusLabel, Filed, Decided, Appellant string
	Final                                             bool
}

type arbitrationPage struct {
	Title, CSRF, EventCode, EventName, User, Message, Error string
	CanFile, Arbiter, Organizer                             bool
	AllClosed                                               bool // every module ended and past its window: nothing can be filed
	LastDeadline                                            string
	Window                                                  string
	WindowMinutes                                           int
	Modules                                                 []arbitrationModule
	Contestants                                             []store.Contestant
	Kinds, Roles                                            []arbitration.Choice
	Form                                                    url.Values
	Cases                                                   []arbitrationCaseRow
	Now                                                     string
}

func caseRow(c arbitration.Case) arbitrationCaseRow {
	return arbitrationCaseRow{Case: c, KindLabel: arbitration.KindLabel(c.Kind), StatusLabel: arbitration.StatusLabels[c.Status],
		Filed: fmtCST(c.FiledAt), Decided: fmtCST(c.DecidedAt), Appellant: c.AppellantText(), Final: arbitration.Decided(c.Status)}
}

// handleArbitrationPage lists the event's on-site appeals with the filing
// form and each module's deadline.
func (s *Server) handleArbitrationPage(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, st ArbitrationStore) {
	s.renderArbitration(w, r, u, ev, st, nil, "", http.StatusOK)
}

func (s *Server) renderArbitration(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, st ArbitrationStore, form url.Values, errMsg string, status int) {
	ctx := r.Context()
	ends, win, err := st.ModuleEnds(ctx, ev.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	cs, err := st.Contestants(ctx, ev.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	list, err := st.Arbitrations(ctx, ev.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if form == nil {
		form = url.Values{}
	}
	now := time.Now()
	page := arbitrationPage{Title: ev.Name + " · 现场仲裁", CSRF: u.CSRF, EventCode: ev.Code, EventName: ev.Name, User: u.User.Name,
		Message: r.URL.Query().Get("msg"), Error: errMsg,
		CanFile:   scopeHas(r, u.Access, RoleOrganizer) || scopeHas(r, u.Access, RoleArbiter),
		Arbiter:   scopeHas(r, u.Access, RoleArbiter),
		Organizer: scopeHas(r, u.Access, RoleOrganizer),
		Window:    arbitration.WindowText(win), WindowMinutes: int(win / time.Minute), Contestants: cs,
		Kinds: arbitration.Kinds, Roles: arbitration.AppellantRoles, Form: form, Now: fmtCST(now)}
	page.AllClosed = len(ends) > 0
	var last time.Time
	for _, m := range ends {
		row := arbitrationModule{ID: m.ModuleID, Code: m.Code, Name: m.Name, Basis: m.End.Basis, Ended: m.End.Known,
			Selected: form.Get("module") == strconv.FormatInt(m.ModuleID, 10)}
		if m.End.Known {
			row.Deadline = fmtCST(m.Deadline)
			row.Closed = now.After(m.Deadline)
		}
		page.AllClosed = page.AllClosed && row.Closed
		if m.Deadline.After(last) {
			last = m.Deadline
		}
		page.Modules = append(page.Modules, row)
	}
	if page.AllClosed {
		page.LastDeadline = fmtCST(last)
	}
	for _, c := range list {
		page.Cases = append(page.Cases, caseRow(c))
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	s.render(w, r, "arbitration", page)
}

// maxArbitrationForm bounds a filing, hearing or decision form (limitBody
// in routes.go).
const maxArbitrationForm = 64 << 10

// handleFileArbitration records an appeal received at the venue desk. A
// refusal shows the form again, as typed, with the reason.
func (s *Server) handleFileArbitration(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, st ArbitrationStore) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, skillscore.Errorf(skillscore.EInvalid, "表单无效或过大"))
		return
	}
	f := arbitration.Filing{Kind: r.PostFormValue("kind"), AppellantRole: r.PostFormValue("role"),
		Appellant: r.PostFormValue("appellant"), AppellantOrg: r.PostFormValue("org"), Facts: r.PostFormValue("facts")}
	refuse := func(err error) {
		if skillscore.ErrorCode(err) == skillscore.EInternal {
			s.fail(w, r, err)
			return
		}
		s.renderArbitration(w, r, u, ev, st, r.PostForm, skillscore.ErrorMessage(err), HTTPStatus(err))
	}
	var err error
	if v := r.PostFormValue("module"); v != "" {
		if f.ModuleID, err = strconv.ParseInt(v, 10, 64); err != nil {
			refuse(skillscore.Errorf(skillscore.EInvalid, "模块 %q 无效", v))
			return
		}
	}
	if v := r.PostFormValue("contestant"); v != "" {
		if f.ContestantID, err = strconv.ParseInt(v, 10, 64); err != nil {
			refuse(skillscore.Errorf(skillscore.EInvalid, "选手 %q 无效", v))
			return
		}
	}
	c, err := st.FileArbitration(r.Context(), ev.ID, f, u.User.Username)
	if err != nil {
		refuse(err)
		return
	}
	s.log.Info("arbitration filed", "event", ev.Code, "no", c.No, "kind", c.Kind, "by", u.User.Username)
	http.Redirect(w, r, noticeURL("/events/"+ev.Code+"/arbitration/"+strconv.FormatInt(c.ID, 10), "arbitration-filed", c.No), http.StatusSeeOther)
}

// handleArbitrationWindow sets the event's filing window (organizer only).
func (s *Server) handleArbitrationWindow(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, st ArbitrationStore) {
	if !scopeHas(r, u.Access, RoleOrganizer) {
		s.fail(w, r, skillscore.Errorf(skillscore.EForbidden, "只有组织者可以设置仲裁申诉时限"))
		return
	}
	v := r.PostFormValue("minutes")
	m, err := strconv.Atoi(v)
	if err != nil {
		s.fail(w, r, skillscore.Errorf(skillscore.EInvalid, "申诉时限 %q 不是分钟数", v))
		return
	}
	if err := st.SetArbitrationWindow(r.Context(), ev.ID, m, u.User.Username); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, noticeURL("/events/"+ev.Code+"/arbitration", "arbitration-window", m), http.StatusSeeOther)
}

// ---- one case: hearing and decision ------------------------------------------

type hearingRow struct {
	arbitration.HeardRecord
	HeardAt, Recorded string
}

type arbitrationCasePage struct {
	Title, CSRF, EventCode, EventName, User, Message, Error string
	Case                                                    arbitrationCaseRow
	Deadline, ModuleEnd                                     string
	Hearings                                                []hearingRow
	Arbiter                                                 bool
	Sheets                                                  []store.Sheet // the contestant's sheets of the module, for a re-mark
	Form                                                    url.Values
	HeardAtDefault                                          string
	// Evidence: the evidence store is configured (the page links to the
	// case's photos and clips).
	Evidence bool
}

func (s *Server) handleArbitrationCase(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, st ArbitrationStore) {
	s.renderArbitrationCase(w, r, u, ev, st, nil, "", http.StatusOK)
}

func (s *Server) renderArbitrationCase(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, st ArbitrationStore, form url.Values, errMsg string, status int) {
	id, err := caseID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	c, err := st.Arbitration(r.Context(), ev.ID, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if form == nil {
		form = url.Values{}
	}
	page := arbitrationCasePage{Title: ev.Name + " · 现场仲裁第 " + strconv.Itoa(c.No) + " 号", CSRF: u.CSRF, EventCode: ev.Code,
		EventName: ev.Name, User: u.User.Name, Message: r.URL.Query().Get("msg"), Error: errMsg, Case: caseRow(c),
		Deadline: fmtCST(c.Deadline), ModuleEnd: fmtCST(c.ModuleEnd), Arbiter: scopeHas(r, u.Access, RoleArbiter), Form: form,
		HeardAtDefault: time.Now().In(skillscore.China()).Format("2006-01-02T15:04"), Evidence: s.evidence != nil}
	for _, h := range c.Hearings {
		page.Hearings = append(page.Hearings, hearingRow{HeardRecord: h, HeardAt: fmtCST(h.HeardAt), Recorded: fmtCST(h.RecordedAt)})
	}
	if c.Kind == arbitration.KindScore && !arbitration.Decided(c.Status) {
		all, err := st.Sheets(r.Context(), ev.ID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for _, sh := range all {
			if sh.ModuleID == c.ModuleID && sh.ContestantID == c.ContestantID {
				page.Sheets = append(page.Sheets, sh)
			}
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	s.render(w, r, "arbitrationcase", page)
}

// caseAction runs a 仲裁's action on a case; a refusal shows the case
// again with the form as typed.
func (s *Server) caseAction(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, st ArbitrationStore,
	do func(id int64) (notice string, err error)) {
	if err := arbiterOnly(r, u); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, skillscore.Errorf(skillscore.EInvalid, "表单无效或过大"))
		return
	}
	id, err := caseID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	notice, err := do(id)
	if err != nil {
		if skillscore.ErrorCode(err) == skillscore.EInternal || skillscore.ErrorCode(err) == skillscore.ENotFound {
			s.fail(w, r, err)
			return
		}
		s.renderArbitrationCase(w, r, u, ev, st, r.PostForm, skillscore.ErrorMessage(err), HTTPStatus(err))
		return
	}
	http.Redirect(w, r, noticeURL("/events/"+ev.Code+"/arbitration/"+strconv.FormatInt(id, 10), notice), http.StatusSeeOther)
}

// handleArbitrationHearing records a hearing of the case.
func (s *Server) handleArbitrationHearing(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, st ArbitrationStore) {
	s.caseAction(w, r, u, ev, st, func(id int64) (string, error) {
		h := arbitration.Hearing{Heard: r.PostFormValue("heard"), Findings: r.PostFormValue("findings")}
		if v := r.PostFormValue("heard_at"); v != "" {
			t, err := time.ParseInLocation("2006-01-02T15:04", v, skillscore.China())
			if err != nil {
				return "", skillscore.Errorf(skillscore.EInvalid, "听证时间 %q 无效", v)
			}
			h.HeardAt = t
		}
		return "arbitration-heard", st.RecordHearing(r.Context(), ev.ID, id, h, u.User.Username)
	})
}

// handleArbitrationDecide records the 仲裁's final decision.
func (s *Server) handleArbitrationDecide(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, st ArbitrationStore) {
	s.caseAction(w, r, u, ev, st, func(id int64) (string, error) {
		d := arbitration.Decision{Outcome: r.PostFormValue("outcome"), Reasons: r.PostFormValue("reasons"), Measures: r.PostFormValue("measures")}
		for _, v := range r.PostForm["sheet"] {
			sid, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return "", skillscore.Errorf(skillscore.EInvalid, "评分表编号 %q 无效", v)
			}
			d.RemarkSheets = append(d.RemarkSheets, sid)
		}
		if err := st.DecideArbitration(r.Context(), ev.ID, id, d, u.User.Username); err != nil {
			return "", err
		}
		s.log.Info("arbitration decided", "event", ev.Code, "case", id, "outcome", d.Outcome, "by", u.User.Username)
		if len(d.RemarkSheets) > 0 {
			return "arbitration-remark", nil
		}
		return "arbitration-decided", nil
	})
}

// ---- the decisions as PDF ----------------------------------------------------

// handleArbitrationDecisionsPDF prints every decision of the event.
func (s *Server) handleArbitrationDecisionsPDF(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, st ArbitrationStore) {
	all, err := st.Arbitrations(r.Context(), ev.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var decided []arbitration.Case
	for _, c := range all {
		if arbitration.Decided(c.Status) {
			decided = append(decided, c)
		}
	}
	s.printDecisions(w, r, ev, decided, ev.Code+"-仲裁决定书.pdf")
}

// handleArbitrationDecisionPDF prints one decision.
func (s *Server) handleArbitrationDecisionPDF(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, st ArbitrationStore) {
	id, err := caseID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	c, err := st.Arbitration(r.Context(), ev.ID, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !arbitration.Decided(c.Status) {
		s.fail(w, r, skillscore.Errorf(skillscore.EConflict, "第 %d 号仲裁申诉尚未作出决定，没有决定书", c.No))
		return
	}
	s.printDecisions(w, r, ev, []arbitration.Case{c}, ev.Code+"-仲裁决定书-"+strconv.Itoa(c.No)+".pdf")
}

func (s *Server) printDecisions(w http.ResponseWriter, r *http.Request, ev store.Event, cases []arbitration.Case, name string) {
	s.writePDF(w, r, name, func(buf *bytes.Buffer, fonts certificates.Fonts) error {
		return sheets.WriteArbitrationDecisions(buf, fonts, ev.Name, cases, time.Now())
	})
}
