package web

import (
	"context"
	"encoding/base64"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	qrcode "github.com/skip2/go-qrcode"

	"skillscore"
	"skillscore/judges"
	"skillscore/scoring"
	"skillscore/sheets"
	"skillscore/store"
)

// JudgingStore is what the organizer's judge pages, the chief judge's desk,
// the audit pages and the paper fallback need from the database.
type JudgingStore interface {
	AccountStore
	EventByCode(ctx context.Context, code string) (store.Event, error)
	Modules(ctx context.Context, eventID int64) ([]store.Module, error)
	Contestants(ctx context.Context, eventID int64) ([]store.Contestant, error)
	Judges(ctx context.Context, eventID int64) ([]store.Judge, error)
	Panels(ctx context.Context, eventID int64) ([]store.PanelMember, error)
	Assignments(ctx context.Context, eventID int64) ([]store.Assignment, error)
	Sheets(ctx context.Context, eventID int64) ([]store.Sheet, error)
	Snapshot(ctx context.Context, eventID int64) (store.Snapshot, error)
	SignOffModule(ctx context.Context, eventID, moduleID, userID int64, actor string) error
	AuditFor(ctx context.Context, eventID int64, subject, actor string) ([]store.AuditEntry, error)
	VerifyAudit(ctx context.Context) (badID int64, checked int, err error)
	VerifyEventAudit(ctx context.Context, eventID int64) (store.AuditReport, error) // issue 14 scale: per-event chains
	SubmitPaperEntry(ctx context.Context, e store.PaperEntry) (store.PaperOutcome, error)
	SetContestantStatus(ctx context.Context, eventID, contestantID int64, status, reason, actor string) error
}

// eventFor loads the event named in the path.
func (s *Server) eventFor(r *http.Request) (store.Event, error) {
	return s.judging.EventByCode(r.Context(), r.PathValue("code"))
}

// eventRoute is requireRole for the pages of one event: it also answers
// "unavailable" when the judges service is not wired, and loads the event
// named in the path (after the login check, so no one learns which exist).
func (s *Server) eventRoute(h func(http.ResponseWriter, *http.Request, *authed, store.Event), roles ...string) http.HandlerFunc {
	return s.requireRole(func(w http.ResponseWriter, r *http.Request, u *authed) {
		if !s.needJudging(w, r) {
			return
		}
		ev, err := s.eventFor(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		h(w, r, u, ev)
	}, roles...)
}

func (s *Server) needJudging(w http.ResponseWriter, r *http.Request) bool {
	if s.judges == nil || s.judging == nil {
		s.fail(w, r, skillscore.Errorf(skillscore.EUnavailable, "裁判功能未启用"))
		return false
	}
	return true
}

// ---- the organizer's judges page ----------------------------------------

type judgesPage struct {
	Title, CSRF, EventCode, EventName string
	Terms                             scoring.Terms // 裁判/选手 or 考评员/考生
	User                              string
	Judges                            []judgeRow
	Modules                           []store.Module
	Message, Error                    string
	Conflicts                         []judges.Conflict
	// Judges' own signing keys (web/signing.go).
	SigningShown, SigningRequired bool
}

type judgeRow struct {
	ID                    int64
	Code, Name, Org, City string
	Panels                string
	Assigned              int
	Chief                 bool
	Signing               signingRow
}

func (s *Server) handleJudgesPage(w http.ResponseWriter, r *http.Request, u *authed) {
	if !s.needJudging(w, r) {
		return
	}
	page, err := s.judgesPage(r, u)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page.Message = r.URL.Query().Get("msg")
	s.render(w, r, "judges", page)
}

func (s *Server) judgesPage(r *http.Request, u *authed) (judgesPage, error) {
	ctx := r.Context()
	ev, err := s.eventFor(r)
	if err != nil {
		return judgesPage{}, err
	}
	js, err := s.judging.Judges(ctx, ev.ID)
	if err != nil {
		return judgesPage{}, err
	}
	mods, err := s.judging.Modules(ctx, ev.ID)
	if err != nil {
		return judgesPage{}, err
	}
	panels, err := s.judging.Panels(ctx, ev.ID)
	if err != nil {
		return judgesPage{}, err
	}
	as, err := s.judging.Assignments(ctx, ev.ID)
	if err != nil {
		return judgesPage{}, err
	}
	modName := map[int64]string{}
	for _, m := range mods {
		modName[m.ID] = m.Name
	}
	t := scoring.TermsFor(ev.Kind)
	page := judgesPage{Title: ev.Name + " · " + t.Judge + "管理", CSRF: u.CSRF, EventCode: ev.Code, EventName: ev.Name, User: u.User.Name, Terms: t}
	for _, m := range mods {
		if !m.Imported {
			page.Modules = append(page.Modules, m)
		}
	}
	for _, j := range js {
		row := judgeRow{ID: j.ID, Code: j.Code, Name: j.Name, Org: j.Organization, City: j.City}
		var ps []string
		for _, p := range panels {
			if p.JudgeID == j.ID {
				name := modName[p.ModuleID]
				if p.Chief {
					name += "（" + t.Chief + "）"
					row.Chief = true
				}
				ps = append(ps, name)
			}
		}
		row.Panels = strings.Join(ps, "、")
		for _, a := range as {
			if a.JudgeID == j.ID {
				row.Assigned++
			}
		}
		page.Judges = append(page.Judges, row)
	}
	return page, s.fillSigning(ctx, ev.ID, &page)
}

type judgeCardPage struct {
	Title, EventName, JudgeCode, JudgeName, PIN, URL, Expires string
	Terms                                                     scoring.Terms
	QR                                                        template.URL // a data: URL made here, not user input
}

// handleIssueLogin issues a one-time judge login and shows the printable card.
func (s *Server) handleIssueLogin(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	id, ok := s.eventJudge(w, r, ev)
	if !ok {
		return
	}
	l, err := s.judges.IssueLogin(r.Context(), id, u.User.Username)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	scheme := "http"
	if secureRequest(r) {
		scheme = "https"
	}
	loginURL := sheets.JudgeLoginURL(scheme+"://"+r.Host, l.Ticket, ev.Code)
	png, err := qrcode.Encode(loginURL, qrcode.Medium, 320)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	t := scoring.TermsFor(ev.Kind)
	s.render(w, r, "judgecard", judgeCardPage{Title: t.Judge + "登录卡 " + l.Judge.Code, EventName: ev.Name, Terms: t,
		JudgeCode: l.Judge.Code, JudgeName: l.Judge.Name, PIN: l.PIN, URL: loginURL,
		QR:      template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png)),
		Expires: l.ExpiresAt.In(skillscore.China()).Format("2006-01-02 15:04")})
}

func (s *Server) handleRevokeJudge(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	id, ok := s.eventJudge(w, r, ev)
	if !ok {
		return
	}
	n, err := s.judges.Revoke(r.Context(), id, u.User.Username)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, noticeURL("/events/"+ev.Code+"/judges", "logins-revoked", n), http.StatusSeeOther)
}

// eventJudge is the path's judge id, checked to be this event's judge:
// another event's judge gets no login or revocation through this event's
// page (roles per scope, docs/roles.md). On an error it has answered the
// request and reports false.
func (s *Server) eventJudge(w http.ResponseWriter, r *http.Request, ev store.Event) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("judge"), 10, 64)
	if err != nil {
		s.fail(w, r, skillscore.Errorf(skillscore.EInvalid, "裁判编号无效"))
		return 0, false
	}
	js, err := s.judging.Judges(r.Context(), ev.ID)
	if err != nil {
		s.fail(w, r, err)
		return 0, false
	}
	for _, j := range js {
		if j.ID == id {
			return id, true
		}
	}
	s.fail(w, r, skillscore.Errorf(skillscore.ENotFound, "裁判不属于本赛事"))
	return 0, false
}

// handleAssign assigns judges: "all" assigns every panel judge to everyone
// without a conflict; otherwise one judge to listed contestant codes, with an
// optional written override reason.
func (s *Server) handleAssign(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	ctx := r.Context()
	if r.PostFormValue("all") != "" {
		n, conflicts, err := s.judges.AssignPanels(ctx, ev.ID, u.User.Username)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		http.Redirect(w, r, noticeURL("/events/"+ev.Code+"/judges", "panels-assigned", n, len(conflicts)), http.StatusSeeOther)
		return
	}
	judgeID, err1 := strconv.ParseInt(r.PostFormValue("judge"), 10, 64)
	moduleID, err2 := strconv.ParseInt(r.PostFormValue("module"), 10, 64)
	if err1 != nil || err2 != nil {
		s.fail(w, r, skillscore.Errorf(skillscore.EInvalid, "请选择裁判和模块"))
		return
	}
	cs, err := s.judging.Contestants(ctx, ev.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	byCode := map[string]int64{}
	for _, c := range cs {
		if c.Code != nil {
			byCode[*c.Code] = c.ID
		}
	}
	var ids []int64
	for _, code := range strings.FieldsFunc(r.PostFormValue("contestants"), func(r rune) bool {
		return r == ',' || r == '，' || r == ' ' || r == '\n' || r == '\r' || r == '、'
	}) {
		id, ok := byCode[code]
		if !ok {
			s.fail(w, r, skillscore.Errorf(skillscore.ENotFound, "参赛编号 %s 不存在", code))
			return
		}
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		s.fail(w, r, skillscore.Errorf(skillscore.EInvalid, "请填写至少一个参赛编号"))
		return
	}
	n, conflicts, err := s.judges.Assign(ctx, judges.AssignRequest{EventID: ev.ID, ModuleID: moduleID, JudgeID: judgeID,
		ContestantIDs: ids, Override: strings.TrimSpace(r.PostFormValue("override")), Actor: u.User.Username})
	if err != nil {
		if skillscore.ErrorCode(err) == skillscore.EConflict && len(conflicts) > 0 {
			page, perr := s.judgesPage(r, u)
			if perr != nil {
				s.fail(w, r, perr)
				return
			}
			page.Error, page.Conflicts = skillscore.ErrorMessage(err), conflicts
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(http.StatusConflict)
			if err := s.tmpl.RenderChrome(w, "judges", page, chrome(r)); err != nil {
				s.log.Error("render judges", "err", err)
			}
			return
		}
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, noticeURL("/events/"+ev.Code+"/judges", "sheets-assigned", n), http.StatusSeeOther)
}
