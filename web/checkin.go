package web

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"skillscore"
	"skillscore/certificates"
	"skillscore/scoring"
	"skillscore/sessions"
	"skillscore/sheets"
	"skillscore/store"
)

// SessionsStore is what the sessions and 检录 pages need. The judging store
// provides it (the same *store.Store), as with DrawStore.
type SessionsStore interface {
	SchedulePeople(ctx context.Context, eventID int64) ([]sessions.Person, error)
	AssignEntryNumbers(ctx context.Context, eventID int64, actor string) (int, error)
	SaveSchedule(ctx context.Context, eventID int64, ss []sessions.Session, actor string) error
	Schedule(ctx context.Context, eventID int64) ([]store.SessionState, error)
	Session(ctx context.Context, eventID int64, code string) (store.SessionState, error)
	CheckIn(ctx context.Context, req store.CheckinRequest) (store.CheckinResult, error)
	DecideMismatch(ctx context.Context, eventID int64, session string, contestantID int64, admit bool, note, actor string) error
	CloseSession(ctx context.Context, eventID int64, session, actor string) ([]int64, error)
	CardToken(eventID, contestantID int64) (string, error)
}

func (s *Server) sessionsStore() (SessionsStore, error) {
	ss, ok := s.judging.(SessionsStore)
	if !ok {
		return nil, skillscore.Errorf(skillscore.EUnavailable, "场次与检录功能未启用")
	}
	return ss, nil
}

type checkinPage struct {
	Title, CSRF, EventCode, EventName, User string
	Chief                                   bool // may decide 人证不符 and close a session
	Sessions                                []store.SessionState
	Current                                 *store.SessionState
	Counts                                  map[string]int
	Last                                    *store.EntryState // the contestant just checked in
	Already                                 bool
	Error                                   string
	Confirming                              bool               // the close step
	Closing                                 []store.EntryState // who the close will record absent
	Outcomes                                map[string]string
}

// handleCheckinPage is the 检录 tablet: pick a session, check people in by
// 参赛证号 + last 4 of the 证件号码 or by the entry card's QR code.
func (s *Server) handleCheckinPage(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	s.renderCheckin(w, r, u, ev, r.URL.Query().Get("s"), func(p *checkinPage) {
		if c, err := strconv.ParseInt(r.URL.Query().Get("c"), 10, 64); err == nil && p.Current != nil {
			for i := range p.Current.Rows {
				if p.Current.Rows[i].ContestantID == c {
					p.Last = &p.Current.Rows[i]
				}
			}
			p.Already = r.URL.Query().Get("again") == "1"
		}
	}, http.StatusOK)
}

func (s *Server) renderCheckin(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, code string, fill func(*checkinPage), status int) {
	st, err := s.sessionsStore()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	all, err := st.Schedule(r.Context(), ev.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := checkinPage{Title: ev.Name + " · 检录", CSRF: u.CSRF, EventCode: ev.Code, EventName: ev.Name, User: u.User.Name,
		Chief: scopeHas(r, u.Access, RoleChief) || scopeHas(r, u.Access, RoleOrganizer), Sessions: all, Outcomes: sessions.OutcomeNames}
	for i := range all {
		if all[i].Code == code {
			page.Current = &all[i]
			page.Counts = all[i].Counts()
		}
	}
	if page.Current == nil && code != "" {
		page.Error = fmt.Sprintf("本赛项没有场次 %s", code)
		status = http.StatusNotFound
	}
	fill(&page)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := s.tmpl.RenderChrome(w, "checkin", page, chrome(r)); err != nil {
		s.log.ErrorContext(r.Context(), "render check-in", "err", err)
	}
}

// checkinFailed shows a refusal on the 检录 page itself, so the keeper at
// the tablet stays in the session; anything but a plain refusal is the
// error page.
func (s *Server) checkinFailed(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, code string, err error) {
	var se *skillscore.Error
	if !errors.As(err, &se) || HTTPStatus(err) >= 500 || HTTPStatus(err) == http.StatusForbidden {
		s.fail(w, r, err)
		return
	}
	s.renderCheckin(w, r, u, ev, code, func(p *checkinPage) { p.Error = skillscore.ErrorMessage(err) }, HTTPStatus(err))
}

func checkinURL(ev store.Event, session string, extra url.Values) string {
	q := url.Values{"s": {session}}
	for k, v := range extra {
		q[k] = v
	}
	return "/events/" + ev.Code + "/checkin?" + q.Encode()
}

// handleCheckin records one 检录 from the form: a scanned (or pasted) QR
// token, or the 参赛证号 with the last 4 characters of the 证件号码.
func (s *Server) handleCheckin(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	st, err := s.sessionsStore()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	code := r.PostFormValue("session")
	res, err := st.CheckIn(r.Context(), store.CheckinRequest{EventID: ev.ID, Session: code, Token: r.PostFormValue("token"),
		EntryNo: r.PostFormValue("entry_no"), Digits: r.PostFormValue("digits"), Actor: u.User.Username})
	if err != nil {
		s.checkinFailed(w, r, u, ev, code, err)
		return
	}
	s.log.Info("check-in", "event", ev.Code, "session", code, "outcome", res.Outcome, "by", u.User.Username)
	extra := url.Values{"c": {strconv.FormatInt(res.ContestantID, 10)}}
	if res.Already {
		extra.Set("again", "1")
	}
	http.Redirect(w, r, checkinURL(ev, code, extra), http.StatusSeeOther)
}

// handleCheckinDecide is the chief's decision on a 人证不符.
func (s *Server) handleCheckinDecide(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	st, err := s.sessionsStore()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	code := r.PostFormValue("session")
	cid, err := strconv.ParseInt(r.PostFormValue("contestant"), 10, 64)
	if err != nil {
		s.checkinFailed(w, r, u, ev, code, skillscore.Errorf(skillscore.EInvalid, "没有指定选手"))
		return
	}
	admit := r.PostFormValue("decision") == "admit"
	if err := st.DecideMismatch(r.Context(), ev.ID, code, cid, admit, r.PostFormValue("note"), u.User.Username); err != nil {
		s.checkinFailed(w, r, u, ev, code, err)
		return
	}
	s.log.Info("check-in decision", "event", ev.Code, "session", code, "admit", admit, "by", u.User.Username)
	http.Redirect(w, r, checkinURL(ev, code, url.Values{"c": {strconv.FormatInt(cid, 10)}}), http.StatusSeeOther)
}

// handleCheckinClose ends a session's 检录 in two steps: without confirm=1
// it shows who will be recorded 缺考; with it, records them.
func (s *Server) handleCheckinClose(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	st, err := s.sessionsStore()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	code := r.PostFormValue("session")
	if r.PostFormValue("confirm") != "1" {
		sess, err := st.Session(r.Context(), ev.ID, code)
		if err != nil {
			s.checkinFailed(w, r, u, ev, code, err)
			return
		}
		s.renderCheckin(w, r, u, ev, code, func(p *checkinPage) {
			p.Confirming = true
			for _, row := range sess.Rows {
				if row.Outcome != sessions.Present {
					p.Closing = append(p.Closing, row)
				}
			}
		}, http.StatusOK)
		return
	}
	absent, err := st.CloseSession(r.Context(), ev.ID, code, u.User.Username)
	if err != nil {
		s.checkinFailed(w, r, u, ev, code, err)
		return
	}
	if err := s.recordAbsences(r.Context(), ev, code, absent, u.User.Username); err != nil {
		s.fail(w, r, err)
		return
	}
	s.log.Info("session closed", "event", ev.Code, "session", code, "absent", len(absent), "by", u.User.Username)
	http.Redirect(w, r, checkinURL(ev, code, nil), http.StatusSeeOther)
}

// recordAbsences gives each contestant absent at a session's close the
// status 缺考: the one place 检录 sets a contestant status.
func (s *Server) recordAbsences(ctx context.Context, ev store.Event, session string, absent []int64, actor string) error {
	// The session is closed already: one refusal must not leave the others
	// without their status, so every one is tried and the failures named.
	var errs []error
	for _, cid := range absent {
		if err := s.judging.SetContestantStatus(ctx, ev.ID, cid, scoring.StatusAbsent, "场次 "+session+" 检录结束时未检录", actor); err != nil {
			errs = append(errs, fmt.Errorf("选手 #%d: %w", cid, err))
		}
	}
	return errors.Join(errs...)
}

// ---- printed: 检录表, timetable, entry cards --------------------------------

func (s *Server) writePDF(w http.ResponseWriter, r *http.Request, name string, render func(buf *bytes.Buffer, fonts certificates.Fonts) error) {
	fonts, err := certificates.LoadFonts(s.fonts[0], s.fonts[1])
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := render(&buf, fonts); err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Disposition", "inline; filename*=UTF-8''"+url.PathEscape(name))
	// A write error means the client went away.
	_, _ = buf.WriteTo(w)
}

// handleCheckinSheet prints one session's 检录表.
func (s *Server) handleCheckinSheet(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	st, err := s.sessionsStore()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sess, err := st.Session(r.Context(), ev.ID, r.PathValue("session"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writePDF(w, r, ev.Code+"-"+sess.Code+"-检录表.pdf", func(buf *bytes.Buffer, fonts certificates.Fonts) error {
		return sheets.WriteCheckinSheet(buf, fonts, ev.Name, sess, time.Now(), time.Local)
	})
}

// handleTimetable prints the judges' session timetable.
func (s *Server) handleTimetable(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	st, err := s.sessionsStore()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	all, err := st.Schedule(r.Context(), ev.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writePDF(w, r, ev.Code+"-场次时间表.pdf", func(buf *bytes.Buffer, fonts certificates.Fonts) error {
		return sheets.WriteTimetable(buf, fonts, ev.Name, all, time.Now(), time.Local)
	})
}

// handleEntryCards prints every contestant's 参赛证 with its QR code.
func (s *Server) handleEntryCards(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	st, err := s.sessionsStore()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	people, err := st.SchedulePeople(r.Context(), ev.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, p := range people {
		if p.EntryNo == "" {
			s.fail(w, r, skillscore.Errorf(skillscore.EConflict, "还有选手没有参赛证号：请先在场次页“分配参赛证号”"))
			return
		}
	}
	all, err := st.Schedule(r.Context(), ev.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	cards, err := sheets.EntryCardsFor(people, all, func(id int64) (string, error) { return st.CardToken(ev.ID, id) })
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.log.Info("entry cards printed", "event", ev.Code, "cards", len(cards), "by", u.User.Username)
	s.writePDF(w, r, ev.Code+"-参赛证.pdf", func(buf *bytes.Buffer, fonts certificates.Fonts) error {
		return sheets.WriteEntryCards(buf, fonts, ev.Name, cards, time.Now())
	})
}

// ---- the organizer's schedule: numbers, template, import, generation -------

type sessionsPage struct {
	Title, CSRF, EventCode, EventName, User, Message string
	Sessions                                         []store.SessionState
	Unnumbered, People                               int
	Errors                                           []string
}

func (s *Server) handleSessionsPage(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	s.renderSessions(w, r, u, ev, r.URL.Query().Get("msg"), nil, http.StatusOK)
}

func (s *Server) renderSessions(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, msg string, errs []string, status int) {
	st, err := s.sessionsStore()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	all, err := st.Schedule(r.Context(), ev.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	people, err := st.SchedulePeople(r.Context(), ev.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := sessionsPage{Title: ev.Name + " · 场次安排", CSRF: u.CSRF, EventCode: ev.Code, EventName: ev.Name, User: u.User.Name,
		Message: msg, Sessions: all, People: len(people), Errors: errs}
	for _, p := range people {
		if p.EntryNo == "" {
			page.Unnumbered++
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := s.tmpl.RenderChrome(w, "sessions", page, chrome(r)); err != nil {
		s.log.ErrorContext(r.Context(), "render sessions", "err", err)
	}
}

func (s *Server) handleEntryNumbers(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	st, err := s.sessionsStore()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	n, err := st.AssignEntryNumbers(r.Context(), ev.ID, u.User.Username)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/events/"+ev.Code+"/sessions?msg="+url.QueryEscape(fmt.Sprintf("已为 %d 名选手分配参赛证号", n)), http.StatusSeeOther)
}

// handleSessionsTemplate downloads the schedule sheet prefilled with the
// contestants' 参赛证号 and names.
func (s *Server) handleSessionsTemplate(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	st, err := s.sessionsStore()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	people, err := st.SchedulePeople(r.Context(), ev.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	data, err := sessions.Template(people)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(ev.Code+"-场次表模板.xlsx"))
	_, _ = w.Write(data)
}

// handleSessionsImport replaces the schedule from an uploaded sheet; every
// bad row is named on the page and nothing is stored.
func (s *Server) handleSessionsImport(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	st, err := s.sessionsStore()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	name, data, err := uploaded(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	people, err := st.SchedulePeople(r.Context(), ev.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ss, bad, err := sessions.Read(name, data, people)
	if err == nil && len(bad) == 0 {
		if probs := sessions.Problems(ss); len(probs) > 0 {
			s.renderSessions(w, r, u, ev, "", probs, http.StatusBadRequest)
			return
		}
		err = st.SaveSchedule(r.Context(), ev.ID, ss, u.User.Username)
	}
	if len(bad) > 0 {
		errs := make([]string, len(bad))
		for i, b := range bad {
			errs[i] = b.String()
		}
		s.renderSessions(w, r, u, ev, "", append([]string{fmt.Sprintf("%s 有 %d 行有误，未导入任何内容：", name, len(bad))}, errs...), http.StatusBadRequest)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/events/"+ev.Code+"/sessions?msg="+url.QueryEscape(fmt.Sprintf("已导入 %d 个场次", len(ss))), http.StatusSeeOther)
}

// handleSessionsGenerate builds the schedule from the draw: stations × slots.
func (s *Server) handleSessionsGenerate(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	st, err := s.sessionsStore()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	people, err := st.SchedulePeople(r.Context(), ev.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	mins, err1 := strconv.Atoi(r.PostFormValue("minutes"))
	gap, err2 := strconv.Atoi(cmp.Or(r.PostFormValue("gap"), "0"))
	if err1 != nil || err2 != nil {
		s.renderSessions(w, r, u, ev, "", []string{"每场时长和间隔应为整数分钟"}, http.StatusBadRequest)
		return
	}
	plan := sessions.Plan{Prefix: cmp.Or(strings.TrimSpace(r.PostFormValue("prefix")), "S"), Name: strings.TrimSpace(r.PostFormValue("name")),
		Venue: strings.TrimSpace(r.PostFormValue("venue")), Module: strings.TrimSpace(r.PostFormValue("module")),
		Stations: strings.FieldsFunc(r.PostFormValue("stations"), func(c rune) bool { return c == ',' || c == '，' || c == ' ' || c == '、' }),
		Day:      strings.TrimSpace(r.PostFormValue("day")), First: strings.TrimSpace(r.PostFormValue("first")), Minutes: mins, Gap: gap}
	ss, err := sessions.Generate(plan, people)
	if err == nil {
		err = st.SaveSchedule(r.Context(), ev.ID, ss, u.User.Username)
	}
	if err != nil {
		if HTTPStatus(err) < 500 {
			s.renderSessions(w, r, u, ev, "", []string{skillscore.ErrorMessage(err)}, HTTPStatus(err))
			return
		}
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/events/"+ev.Code+"/sessions?msg="+url.QueryEscape(fmt.Sprintf("已按抽签生成 %d 个场次", len(ss))), http.StatusSeeOther)
}
