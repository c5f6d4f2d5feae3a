package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"skillscore"
	"skillscore/scoring"
	"skillscore/sessions"
	"skillscore/store"
)

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
func (s *Server) handleCheckinPage(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, st SessionsStore) {
	s.renderCheckin(w, r, u, ev, st, r.URL.Query().Get("s"), func(p *checkinPage) {
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

func (s *Server) renderCheckin(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, st SessionsStore, code string, fill func(*checkinPage), status int) {
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
func (s *Server) checkinFailed(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, st SessionsStore, code string, err error) {
	var se *skillscore.Error
	if !errors.As(err, &se) || HTTPStatus(err) >= 500 || HTTPStatus(err) == http.StatusForbidden {
		s.fail(w, r, err)
		return
	}
	s.renderCheckin(w, r, u, ev, st, code, func(p *checkinPage) { p.Error = skillscore.ErrorMessage(err) }, HTTPStatus(err))
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
func (s *Server) handleCheckin(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, st SessionsStore) {
	code := r.PostFormValue("session")
	res, err := st.CheckIn(r.Context(), store.CheckinRequest{EventID: ev.ID, Session: code, Token: r.PostFormValue("token"),
		EntryNo: r.PostFormValue("entry_no"), Digits: r.PostFormValue("digits"), Actor: u.User.Username})
	if err != nil {
		s.checkinFailed(w, r, u, ev, st, code, err)
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
func (s *Server) handleCheckinDecide(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, st SessionsStore) {
	code := r.PostFormValue("session")
	cid, err := strconv.ParseInt(r.PostFormValue("contestant"), 10, 64)
	if err != nil {
		s.checkinFailed(w, r, u, ev, st, code, skillscore.Errorf(skillscore.EInvalid, "没有指定选手"))
		return
	}
	admit := r.PostFormValue("decision") == "admit"
	if err := st.DecideMismatch(r.Context(), ev.ID, code, cid, admit, r.PostFormValue("note"), u.User.Username); err != nil {
		s.checkinFailed(w, r, u, ev, st, code, err)
		return
	}
	s.log.Info("check-in decision", "event", ev.Code, "session", code, "admit", admit, "by", u.User.Username)
	http.Redirect(w, r, checkinURL(ev, code, url.Values{"c": {strconv.FormatInt(cid, 10)}}), http.StatusSeeOther)
}

// handleCheckinClose ends a session's 检录 in two steps: without confirm=1
// it shows who will be recorded 缺考; with it, records them.
func (s *Server) handleCheckinClose(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, st SessionsStore) {
	code := r.PostFormValue("session")
	if r.PostFormValue("confirm") != "1" {
		sess, err := st.Session(r.Context(), ev.ID, code)
		if err != nil {
			s.checkinFailed(w, r, u, ev, st, code, err)
			return
		}
		s.renderCheckin(w, r, u, ev, st, code, func(p *checkinPage) {
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
		s.checkinFailed(w, r, u, ev, st, code, err)
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
