package web

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"skillscore"
	"skillscore/certificates"
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
	Contestant(ctx context.Context, eventID, id int64) (store.Contestant, error)
}

// sessionsRoute is eventRoute for the pages of sessions and 检录, which
// also need the store's schedule.
func (s *Server) sessionsRoute(h func(http.ResponseWriter, *http.Request, *authed, store.Event, SessionsStore), roles ...string) http.HandlerFunc {
	return s.eventRoute(func(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
		st, ok := s.judging.(SessionsStore)
		if !ok {
			s.fail(w, r, skillscore.Errorf(skillscore.EUnavailable, "场次与检录功能未启用"))
			return
		}
		h(w, r, u, ev, st)
	}, roles...)
}

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
func (s *Server) handleCheckinSheet(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, st SessionsStore) {
	sess, err := st.Session(r.Context(), ev.ID, r.PathValue("session"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writePDF(w, r, ev.Code+"-"+sess.Code+"-检录表.pdf", func(buf *bytes.Buffer, fonts certificates.Fonts) error {
		return sheets.WriteCheckinSheet(buf, fonts, ev.Name, sess, time.Now())
	})
}

// handleTimetable prints the judges' session timetable.
func (s *Server) handleTimetable(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, st SessionsStore) {
	all, err := st.Schedule(r.Context(), ev.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writePDF(w, r, ev.Code+"-场次时间表.pdf", func(buf *bytes.Buffer, fonts certificates.Fonts) error {
		return sheets.WriteTimetable(buf, fonts, ev.Name, all, time.Now())
	})
}

// handleEntryCards prints every contestant's 参赛证 with its QR code.
func (s *Server) handleEntryCards(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, st SessionsStore) {
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

func (s *Server) handleSessionsPage(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, st SessionsStore) {
	s.renderSessions(w, r, u, ev, st, r.URL.Query().Get("msg"), nil, http.StatusOK)
}

func (s *Server) renderSessions(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, st SessionsStore, msg string, errs []string, status int) {
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

func (s *Server) handleEntryNumbers(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, st SessionsStore) {
	n, err := st.AssignEntryNumbers(r.Context(), ev.ID, u.User.Username)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/events/"+ev.Code+"/sessions?msg="+url.QueryEscape(fmt.Sprintf("已为 %d 名选手分配参赛证号", n)), http.StatusSeeOther)
}

// handleSessionsTemplate downloads the schedule sheet prefilled with the
// contestants' 参赛证号 and names.
func (s *Server) handleSessionsTemplate(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, st SessionsStore) {
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
func (s *Server) handleSessionsImport(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, st SessionsStore) {
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
			s.renderSessions(w, r, u, ev, st, "", probs, http.StatusBadRequest)
			return
		}
		err = st.SaveSchedule(r.Context(), ev.ID, ss, u.User.Username)
	}
	if len(bad) > 0 {
		errs := make([]string, len(bad))
		for i, b := range bad {
			errs[i] = b.String()
		}
		s.renderSessions(w, r, u, ev, st, "", append([]string{fmt.Sprintf("%s 有 %d 行有误，未导入任何内容：", name, len(bad))}, errs...), http.StatusBadRequest)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/events/"+ev.Code+"/sessions?msg="+url.QueryEscape(fmt.Sprintf("已导入 %d 个场次", len(ss))), http.StatusSeeOther)
}

// handleSessionsGenerate builds the schedule from the draw: stations × slots.
func (s *Server) handleSessionsGenerate(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, st SessionsStore) {
	people, err := st.SchedulePeople(r.Context(), ev.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	mins, err1 := strconv.Atoi(r.PostFormValue("minutes"))
	gap, err2 := strconv.Atoi(cmp.Or(r.PostFormValue("gap"), "0"))
	if err1 != nil || err2 != nil {
		s.renderSessions(w, r, u, ev, st, "", []string{"每场时长和间隔应为整数分钟"}, http.StatusBadRequest)
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
			s.renderSessions(w, r, u, ev, st, "", []string{skillscore.ErrorMessage(err)}, HTTPStatus(err))
			return
		}
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/events/"+ev.Code+"/sessions?msg="+url.QueryEscape(fmt.Sprintf("已按抽签生成 %d 个场次", len(ss))), http.StatusSeeOther)
}
