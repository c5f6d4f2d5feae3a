package web

import (
	"context"
	"encoding/base64"
	"fmt"
	"html/template"
	"net/http"
	"sort"
	"strconv"
	"strings"

	qrcode "github.com/skip2/go-qrcode"

	"skillscore"
	"skillscore/judges"
	"skillscore/results"
	"skillscore/scoring"
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
	SubmitPaperEntry(ctx context.Context, e store.PaperEntry) (store.PaperOutcome, error)
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

// ---- the judge's tablet -------------------------------------------------

type tabletPage struct {
	Title string
}

// handleTablet serves the tablet app; a scanned QR code opens it with ?t=TICKET.
func (s *Server) handleTablet(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, "tablet", tabletPage{Title: "裁判评分"})
}

func (s *Server) handleJudgeLogin(w http.ResponseWriter, r *http.Request) {
	if !s.needJudging(w, r) {
		return
	}
	s.judges.ServeLogin(w, r, s.clientIP(r), func(err error) { s.fail(w, r, err) })
}

func (s *Server) handleJudgeWS(w http.ResponseWriter, r *http.Request) {
	if !s.needJudging(w, r) {
		return
	}
	s.judges.ServeWS(w, r, s.clientIP(r))
}

func (s *Server) handleJudgeSync(w http.ResponseWriter, r *http.Request) {
	if !s.needJudging(w, r) {
		return
	}
	s.judges.ServeSync(w, r, s.clientIP(r), func(err error) { s.fail(w, r, err) })
}

func (s *Server) handleJudgeState(w http.ResponseWriter, r *http.Request) {
	if !s.needJudging(w, r) {
		return
	}
	s.judges.ServeState(w, r, s.clientIP(r), func(err error) { s.fail(w, r, err) })
}

// ---- the organizer's judges page ----------------------------------------

type judgesPage struct {
	Title, CSRF, EventCode, EventName string
	User                              string
	Judges                            []judgeRow
	Modules                           []store.Module
	Message, Error                    string
	Conflicts                         []judges.Conflict
}

type judgeRow struct {
	ID                    int64
	Code, Name, Org, City string
	Panels                string
	Assigned              int
	Chief                 bool
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
	page := judgesPage{Title: ev.Name + " · 裁判管理", CSRF: u.CSRF, EventCode: ev.Code, EventName: ev.Name, User: u.User.Name}
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
					name += "（裁判长）"
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
	return page, nil
}

type judgeCardPage struct {
	Title, EventName, JudgeCode, JudgeName, PIN, URL, Expires string
	QR                                                        template.URL // a data: URL made here, not user input
}

// handleIssueLogin issues a one-time judge login and shows the printable card.
func (s *Server) handleIssueLogin(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	id, err := strconv.ParseInt(r.PathValue("judge"), 10, 64)
	if err != nil {
		s.fail(w, r, skillscore.Errorf(skillscore.EInvalid, "裁判编号无效"))
		return
	}
	l, err := s.judges.IssueLogin(r.Context(), id, u.User.Username)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if l.Judge.EventID != ev.ID {
		s.fail(w, r, skillscore.Errorf(skillscore.ENotFound, "裁判不属于本赛事"))
		return
	}
	scheme := "http"
	if secureRequest(r) {
		scheme = "https"
	}
	loginURL := scheme + "://" + r.Host + "/judge?t=" + l.Ticket
	png, err := qrcode.Encode(loginURL, qrcode.Medium, 320)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, "judgecard", judgeCardPage{Title: "裁判登录卡 " + l.Judge.Code, EventName: ev.Name,
		JudgeCode: l.Judge.Code, JudgeName: l.Judge.Name, PIN: l.PIN, URL: loginURL,
		QR:      template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png)),
		Expires: l.ExpiresAt.Local().Format("2006-01-02 15:04")})
}

func (s *Server) handleRevokeJudge(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	id, err := strconv.ParseInt(r.PathValue("judge"), 10, 64)
	if err != nil {
		s.fail(w, r, skillscore.Errorf(skillscore.EInvalid, "裁判编号无效"))
		return
	}
	js, err := s.judging.Judges(r.Context(), ev.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !hasJudge(js, id) {
		s.fail(w, r, skillscore.Errorf(skillscore.ENotFound, "裁判不属于本赛事"))
		return
	}
	n, err := s.judges.Revoke(r.Context(), id, u.User.Username)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, noticeURL("/events/"+ev.Code+"/judges", "logins-revoked", n), http.StatusSeeOther)
}

func hasJudge(js []store.Judge, id int64) bool {
	for _, j := range js {
		if j.ID == id {
			return true
		}
	}
	return false
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
			if err := s.tmpl.Render(w, "judges", page); err != nil {
				s.log.Error("render judges", "err", err)
			}
			return
		}
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, noticeURL("/events/"+ev.Code+"/judges", "sheets-assigned", n), http.StatusSeeOther)
}

// ---- the chief judge's desk ---------------------------------------------

// Desk is the chief judge's live view of an event (also served as JSON).
type Desk struct {
	Event    string               `json:"event"`
	Name     string               `json:"name"`
	Revision int64                `json:"revision"`
	Modules  []deskModule         `json:"modules"`
	Flags    []scoring.Flag       `json:"flags"`
	Judges   []scoring.JudgeStats `json:"judges"`
}

type deskModule struct {
	ID        int64      `json:"id"`
	Code      string     `json:"code"`
	Name      string     `json:"name"`
	Aspects   int        `json:"aspects"`
	SignedOff bool       `json:"signed_off"`
	Judges    []string   `json:"judges"`
	Rows      []deskRow  `json:"rows"`
	Counts    deskCounts `json:"counts"`
}

type deskCounts struct {
	Open, Progress, Submitted, Locked int
}

type deskRow struct {
	Contestant string     `json:"contestant"`
	Station    string     `json:"station"`
	Cells      []deskCell `json:"cells"`
}

type deskCell struct {
	Sheet  int64  `json:"sheet,omitempty"`
	Status string `json:"status"` // recused | todo | progress | submitted | locked
	Label  string `json:"label"`
	Marked int    `json:"marked"`
}

func (s *Server) desk(ctx context.Context, ev store.Event) (Desk, error) {
	snap, err := s.judging.Snapshot(ctx, ev.ID)
	if err != nil {
		return Desk{}, err
	}
	sheets, err := s.judging.Sheets(ctx, ev.ID)
	if err != nil {
		return Desk{}, err
	}
	d := Desk{Event: ev.Code, Name: ev.Name, Revision: snap.Event.Revision, Modules: []deskModule{}}
	if st, err := results.Compute(snap); err == nil {
		d.Flags, d.Judges = st.Result.Flags, st.Result.Judges
		// The flags name contestants by internal id; the desk shows codes.
		for i := range d.Flags {
			if c, ok := st.Contestants[d.Flags[i].Contestant]; ok {
				code := results.DisplayCode(c)
				d.Flags[i].Text = strings.Replace(d.Flags[i].Text, "选手 "+d.Flags[i].Contestant+" ", "选手 "+code+" ", 1)
				d.Flags[i].Contestant = code
			}
		}
	}
	type key struct{ m, j, c int64 }
	sheetOf := map[key]store.Sheet{}
	for _, sh := range sheets {
		sheetOf[key{sh.ModuleID, sh.JudgeID, sh.ContestantID}] = sh
	}
	assigned := map[key]bool{}
	for _, a := range snap.Assignments {
		assigned[key{a.ModuleID, a.JudgeID, a.ContestantID}] = true
	}
	judgeByID := map[int64]store.Judge{}
	for _, j := range snap.Judges {
		judgeByID[j.ID] = j
	}
	cs := append([]store.Contestant(nil), snap.Contestants...)
	sort.Slice(cs, func(i, k int) bool { return results.DisplayCode(cs[i]) < results.DisplayCode(cs[k]) })
	for _, m := range snap.Modules {
		if m.Imported {
			continue
		}
		dm := deskModule{ID: m.ID, Code: m.Code, Name: m.Name, Aspects: len(m.Aspects), SignedOff: m.SignedOffAt.Valid()}
		var panel []int64
		for _, p := range snap.Panels {
			if p.ModuleID == m.ID {
				panel = append(panel, p.JudgeID)
				dm.Judges = append(dm.Judges, judgeByID[p.JudgeID].Code)
			}
		}
		for _, c := range cs {
			row := deskRow{Contestant: results.DisplayCode(c)}
			if c.Station != nil {
				row.Station = *c.Station
			}
			for _, jid := range panel {
				k := key{m.ID, jid, c.ID}
				sh, has := sheetOf[k]
				cell := deskCell{}
				switch {
				case has && sh.Status == "locked":
					cell = deskCell{Sheet: sh.ID, Status: "locked", Label: "已锁定"}
					dm.Counts.Locked++
				case has && sh.Status == "submitted":
					cell = deskCell{Sheet: sh.ID, Status: "submitted", Label: "已提交"}
					dm.Counts.Submitted++
				case !assigned[k] && len(snap.Assignments) > 0 && !has:
					cell = deskCell{Status: "recused", Label: "回避"}
				case has && sh.Marked >= len(m.Aspects):
					cell = deskCell{Sheet: sh.ID, Status: "progress", Label: fmt.Sprintf("待提交 %d/%d", sh.Marked, len(m.Aspects))}
					dm.Counts.Progress++
				case has && sh.Marked > 0:
					cell = deskCell{Sheet: sh.ID, Status: "progress", Label: fmt.Sprintf("进行中 %d/%d", sh.Marked, len(m.Aspects))}
					dm.Counts.Progress++
				default:
					cell = deskCell{Sheet: sh.ID, Status: "todo", Label: "未评"}
					dm.Counts.Open++
				}
				cell.Marked = sh.Marked
				row.Cells = append(row.Cells, cell)
			}
			dm.Rows = append(dm.Rows, row)
		}
		d.Modules = append(d.Modules, dm)
	}
	return d, nil
}

type deskPage struct {
	Title, CSRF, EventCode, User, Message string
	Organizer                             bool
	Desk                                  Desk
}

func (s *Server) handleDesk(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	d, err := s.desk(r.Context(), ev)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, "desk", deskPage{Title: ev.Name + " · 裁判长工作台", CSRF: u.CSRF, EventCode: ev.Code,
		User: u.User.Name, Message: r.URL.Query().Get("msg"), Organizer: u.User.Role == RoleOrganizer, Desk: d})
}

func (s *Server) handleDeskAPI(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	d, err := s.desk(r.Context(), ev)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

// handleSheetAction locks or reopens a sheet (POST, form or JSON client with
// X-CSRF-Token).
func (s *Server) handleSheetAction(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	id, err := strconv.ParseInt(r.PathValue("sheet"), 10, 64)
	if err != nil {
		s.fail(w, r, skillscore.Errorf(skillscore.EInvalid, "评分表编号无效"))
		return
	}
	status := map[string]string{"lock": "locked", "reopen": "open"}[r.PathValue("action")]
	if status == "" {
		s.fail(w, r, skillscore.Errorf(skillscore.ENotFound, "未知操作"))
		return
	}
	sh, err := s.judges.SetSheetStatus(r.Context(), ev.ID, id, status, strings.TrimSpace(r.PostFormValue("reason")), u.User.Username)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if strings.HasPrefix(r.URL.Path, "/api/") {
		writeJSON(w, http.StatusOK, map[string]any{"sheet": sh.ID, "status": sh.Status})
		return
	}
	http.Redirect(w, r, noticeURL("/events/"+ev.Code+"/desk", "sheet-"+status), http.StatusSeeOther)
}

// handleLockSubmitted locks every submitted sheet of a module at once.
func (s *Server) handleLockSubmitted(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	moduleID, err := strconv.ParseInt(r.PathValue("module"), 10, 64)
	if err != nil {
		s.fail(w, r, skillscore.Errorf(skillscore.EInvalid, "模块编号无效"))
		return
	}
	sheets, err := s.judging.Sheets(r.Context(), ev.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	n := 0
	for _, sh := range sheets {
		if sh.ModuleID == moduleID && sh.Status == "submitted" {
			if _, err := s.judges.SetSheetStatus(r.Context(), ev.ID, sh.ID, "locked", "", u.User.Username); err != nil {
				s.fail(w, r, err)
				return
			}
			n++
		}
	}
	http.Redirect(w, r, noticeURL("/events/"+ev.Code+"/desk", "sheets-locked", n), http.StatusSeeOther)
}

func (s *Server) handleSignOff(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	moduleID, err := strconv.ParseInt(r.PathValue("module"), 10, 64)
	if err != nil {
		s.fail(w, r, skillscore.Errorf(skillscore.EInvalid, "模块编号无效"))
		return
	}
	if err := s.judging.SignOffModule(r.Context(), ev.ID, moduleID, u.User.ID, u.User.Username); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, noticeURL("/events/"+ev.Code+"/desk", "signed-off"), http.StatusSeeOther)
}

// ---- the audit trail ----------------------------------------------------

type auditPage struct {
	Title, EventCode, Contestant, Judge string
	Entries                             []auditRow
	ChainOK                             bool
	ChainBad                            int64
	Checked                             int
}

type auditRow struct {
	ID                                 int64
	At, Actor, Action, Subject, Detail string
	Hash                               string
}

func (s *Server) handleAudit(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	ctx := r.Context()
	q := r.URL.Query()
	page := auditPage{Title: ev.Name + " · 审计记录", EventCode: ev.Code, Contestant: strings.TrimSpace(q.Get("contestant")),
		Judge: strings.TrimSpace(q.Get("judge"))}
	actor := ""
	if page.Judge != "" {
		js, err := s.judging.Judges(ctx, ev.ID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		actor = "judge:?"
		for _, j := range js {
			if j.Code == page.Judge {
				actor = "judge:" + strconv.FormatInt(j.ID, 10)
			}
		}
	}
	entries, err := s.judging.AuditFor(ctx, ev.ID, page.Contestant, actor)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	const maxRows = 2000
	if len(entries) > maxRows {
		entries = entries[len(entries)-maxRows:]
	}
	for i := len(entries) - 1; i >= 0; i-- { // newest first
		e := entries[i]
		page.Entries = append(page.Entries, auditRow{ID: e.ID, At: e.At.Local().Format("01-02 15:04:05"), Actor: e.Actor,
			Action: e.Action, Subject: e.Subject, Detail: e.Detail, Hash: e.Hash[:12]})
	}
	page.ChainBad, page.Checked, err = s.judging.VerifyAudit(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page.ChainOK = page.ChainBad == 0
	s.render(w, r, "audit", page)
}

// ---- paper fallback: double entry ---------------------------------------

type paperPage struct {
	Title, CSRF, EventCode, User string
	Modules                      []paperModule
	Judges                       []store.Judge
	Codes                        []string
	Module, Judge, Contestant    string
	Values                       map[string]string
	Outcome                      string
	Mismatch                     map[string]bool
	Error                        string
}

type paperModule struct {
	ID      int64
	Code    string
	Name    string
	Aspects []paperAspect
}

type paperAspect struct {
	Code, Name, Kind, Hint string
}

func (s *Server) paperPage(r *http.Request, u *authed, ev store.Event) (paperPage, map[string]scoring.Module, error) {
	ctx := r.Context()
	page := paperPage{Title: ev.Name + " · 纸质评分表录入", CSRF: u.CSRF, EventCode: ev.Code, User: u.User.Name,
		Values: map[string]string{}, Mismatch: map[string]bool{}}
	rules, err := scoring.ParseRules([]byte(ev.Rules))
	if err != nil {
		return page, nil, skillscore.Wrap(skillscore.EConflict, err, "赛事评分规则无效")
	}
	ruleMods := map[string]scoring.Module{}
	for _, m := range rules.Modules {
		ruleMods[m.Code] = m
	}
	mods, err := s.judging.Modules(ctx, ev.ID)
	if err != nil {
		return page, nil, err
	}
	for _, m := range mods {
		if m.Imported {
			continue
		}
		pm := paperModule{ID: m.ID, Code: m.Code, Name: m.Name}
		for _, a := range ruleMods[m.Code].Aspects {
			pm.Aspects = append(pm.Aspects, paperAspect{Code: a.Code, Name: a.Name, Kind: kindNamesZH[string(a.Kind)], Hint: aspectHint(a)})
		}
		page.Modules = append(page.Modules, pm)
	}
	if page.Judges, err = s.judging.Judges(ctx, ev.ID); err != nil {
		return page, nil, err
	}
	cs, err := s.judging.Contestants(ctx, ev.ID)
	if err != nil {
		return page, nil, err
	}
	for _, c := range cs {
		if c.Code != nil {
			page.Codes = append(page.Codes, *c.Code)
		}
	}
	sort.Strings(page.Codes)
	return page, ruleMods, nil
}

var kindNamesZH = map[string]string{"judgement": "评价 0–3", "measurement": "测量", "deduction": "扣分", "veto": "否决项"}

func aspectHint(a scoring.Aspect) string {
	switch a.Kind {
	case scoring.Judgement:
		scale := a.Scale
		if scale == 0 {
			scale = 3
		}
		return fmt.Sprintf("0–%d 整数", scale)
	case scoring.Measurement:
		if a.Measure == nil {
			return "1 达到 / 0 未达到"
		}
		return "测量值" + a.Measure.Unit
	case scoring.Deduction:
		if a.Unit != nil {
			return "扣分次数"
		}
		return "扣分值，最多 " + a.Max.String()
	case scoring.Veto:
		return "1 触发 / 0 未触发"
	}
	return ""
}

func (s *Server) handlePaper(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	page, _, err := s.paperPage(r, u, ev)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, "paper", page)
}

func (s *Server) handlePaperSubmit(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	ctx := r.Context()
	page, ruleMods, err := s.paperPage(r, u, ev)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page.Module, page.Judge, page.Contestant = r.PostFormValue("module"), r.PostFormValue("judge"), strings.TrimSpace(r.PostFormValue("contestant"))
	status := http.StatusOK
	outcome, err := s.paperEntry(ctx, r, u, ev, ruleMods, &page)
	switch {
	case err != nil && skillscore.ErrorCode(err) == skillscore.EInternal:
		s.fail(w, r, err)
		return
	case err != nil:
		page.Error = skillscore.ErrorMessage(err)
		status = HTTPStatus(err)
	case outcome.Status == "waiting":
		page.Outcome = "已保存第一遍录入。请另一位记分员独立录入同一张纸质评分表；两遍一致后成绩才生效。"
		page.Values = map[string]string{}
	case outcome.Status == "mismatch":
		page.Outcome = "两遍录入不一致（另一遍由 " + outcome.Other + " 录入），标红的评分项请对照纸质评分表核对后重新录入。成绩未生效。"
		status = http.StatusConflict
	case outcome.Status == "agreed":
		page.Outcome = fmt.Sprintf("两遍录入一致，成绩已生效并代裁判提交（第 %d 版）。", outcome.Revision)
		page.Values = map[string]string{}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := s.tmpl.Render(w, "paper", page); err != nil {
		s.log.Error("render paper", "err", err)
	}
}

// paperEntry validates a transcription against the rubric and stores it.
func (s *Server) paperEntry(ctx context.Context, r *http.Request, u *authed, ev store.Event, ruleMods map[string]scoring.Module,
	page *paperPage) (store.PaperOutcome, error) {
	mods, err := s.judging.Modules(ctx, ev.ID)
	if err != nil {
		return store.PaperOutcome{}, err
	}
	var mod *store.Module
	for i := range mods {
		if mods[i].Code == page.Module && !mods[i].Imported {
			mod = &mods[i]
		}
	}
	if mod == nil {
		return store.PaperOutcome{}, skillscore.Errorf(skillscore.EInvalid, "请选择模块")
	}
	var judge *store.Judge
	for i := range page.Judges {
		if page.Judges[i].Code == page.Judge {
			judge = &page.Judges[i]
		}
	}
	if judge == nil {
		return store.PaperOutcome{}, skillscore.Errorf(skillscore.EInvalid, "请选择裁判")
	}
	cs, err := s.judging.Contestants(ctx, ev.ID)
	if err != nil {
		return store.PaperOutcome{}, err
	}
	var contestant *store.Contestant
	for i := range cs {
		if cs[i].Code != nil && *cs[i].Code == page.Contestant {
			contestant = &cs[i]
		}
	}
	if contestant == nil {
		return store.PaperOutcome{}, skillscore.Errorf(skillscore.ENotFound, "参赛编号 %q 不存在", clipText(page.Contestant))
	}
	// A paper sheet obeys the same assignments (回避) as a tablet.
	as, err := s.judging.Assignments(ctx, ev.ID)
	if err != nil {
		return store.PaperOutcome{}, err
	}
	assigned, moduleAssigned := false, false
	for _, a := range as {
		if a.ModuleID == mod.ID {
			moduleAssigned = true
			assigned = assigned || a.JudgeID == judge.ID && a.ContestantID == contestant.ID
		}
	}
	if moduleAssigned && !assigned {
		return store.PaperOutcome{}, skillscore.Errorf(skillscore.EForbidden, "裁判 %s 未被分配评选手 %s 的%s（回避或不在裁判组），不能录入",
			judge.Code, page.Contestant, mod.Name)
	}
	aspectID := map[string]int64{}
	codeOf := map[int64]string{}
	for _, a := range mod.Aspects {
		aspectID[a.Code] = a.ID
		codeOf[a.ID] = a.Code
	}
	marks := map[int64]int64{}
	var problems []string
	for _, a := range ruleMods[mod.Code].Aspects {
		raw := strings.TrimSpace(r.PostFormValue("v_" + a.Code))
		page.Values[a.Code] = raw
		if raw == "" {
			problems = append(problems, a.Name+"：未填写")
			continue
		}
		v, err := scoring.ParseDecimal(raw)
		if err != nil {
			problems = append(problems, a.Name+"：不是有效的数字")
			continue
		}
		if err := a.CheckValue(v); err != nil {
			msg := err.Error()
			if ve, ok := err.(*scoring.ValueError); ok {
				msg = ve.Message
			}
			problems = append(problems, a.Name+"："+msg)
			continue
		}
		marks[aspectID[a.Code]] = int64(v)
	}
	if len(problems) > 0 {
		return store.PaperOutcome{}, skillscore.Errorf(skillscore.EInvalid, "录入有误，未保存：%s", strings.Join(problems, "；"))
	}
	out, err := s.judging.SubmitPaperEntry(ctx, store.PaperEntry{EventID: ev.ID, ModuleID: mod.ID, ContestantID: contestant.ID,
		JudgeID: judge.ID, UserID: u.User.ID, Username: u.User.Username, Subject: page.Contestant, Marks: marks})
	if err != nil {
		return out, err
	}
	for _, id := range out.Mismatch {
		page.Mismatch[codeOf[id]] = true
	}
	return out, nil
}

func clipText(s string) string {
	if r := []rune(s); len(r) > 32 {
		return string(r[:32]) + "…"
	}
	return s
}
