package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"skillscore"
	"skillscore/incidents"
	"skillscore/scoring"
	"skillscore/sessions"
	"skillscore/store"
)

type checkinPage struct {
	Title, CSRF, EventCode, EventName, User string
	Terms                                   scoring.Terms // 参赛证/选手/赛场 or 准考证/考生/考场
	Chief                                   bool          // may decide 人证不符 and close a session
	Organizer                               bool          // may print the 签到表 with photos
	// Places names an assessment's rooms by the sessions' venue (a room's
	// code): 第一考场（江西卫生职业学院）.
	Places     map[string]string
	Sessions   []store.SessionState
	Current    *store.SessionState
	Counts     map[string]int
	Last       *store.EntryState // the contestant just checked in
	Already    bool
	Error      string
	Confirming bool               // the close step
	Closing    []store.EntryState // who the close will record absent
	Outcomes   map[string]string
	// Identity is the person a good card or number named at an
	// assessment's 签到, shown (photo, masked 证件号码, seat) for the
	// keeper's identity check before anything is recorded; Again carries
	// what was scanned or typed, sent back with the keeper's verdict.
	Identity *store.CheckinResult
	Again    checkinAgain
	// TimeAdded is the current session's time added per contestant from
	// the 赛场记录's equipment faults (docs/oversight-incidents.md), as
	// text: the session staff see when each one's time ends.
	TimeAdded map[int64]string
}

// checkinAgain is a check-in's own input, repeated in the identity
// check's form: the token, or the number and the last 4.
type checkinAgain struct{ Token, EntryNo, Digits string }

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
	t := scoring.TermsFor(ev.Kind)
	page := checkinPage{Title: ev.Name + " · " + t.CheckIn, CSRF: u.CSRF, EventCode: ev.Code, EventName: ev.Name, User: u.User.Name,
		Terms: t, Chief: scopeHas(r, u.Access, RoleChief) || scopeHas(r, u.Access, RoleOrganizer), Organizer: scopeHas(r, u.Access, RoleOrganizer),
		Sessions: all, Outcomes: outcomeNames(t)}
	if rs, ok := st.(interface {
		ExamRooms(ctx context.Context, eventID int64) ([]store.ExamRoom, error)
	}); ok && t.Assessment() {
		rooms, err := rs.ExamRooms(r.Context(), ev.ID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		page.Places = map[string]string{}
		for _, room := range rooms {
			place := room.Name
			if room.Site != "" {
				place += "（" + room.Site + "）"
			}
			page.Places[room.Code], page.Places[room.Name] = place, place
		}
	}
	for i := range all {
		if all[i].Code == code {
			page.Current = &all[i]
			page.Counts = all[i].Counts()
		}
	}
	if ta, ok := st.(interface {
		SessionTimeAdded(ctx context.Context, eventID int64, session string) (map[int64]int, error)
	}); ok && page.Current != nil {
		added, err := ta.SessionTimeAdded(r.Context(), ev.ID, page.Current.Code)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for id, sec := range added {
			if page.TimeAdded == nil {
				page.TimeAdded = map[int64]string{}
			}
			page.TimeAdded[id] = incidents.FormatAdded(sec)
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

// outcomeNames are the check-in states in the event's words: 待检录 …
// at a competition, 待签到 … at an assessment.
func outcomeNames(t scoring.Terms) map[string]string {
	out := map[string]string{}
	for k, v := range sessions.OutcomeNames {
		out[k] = strings.ReplaceAll(v, "检录", t.CheckIn)
	}
	return out
}

// handleCheckin records one 检录 from the form: a scanned (or pasted) QR
// token, or the 参赛证号 with the last 4 characters of the 证件号码. At an
// assessment a good card or number first shows the candidate (photo,
// masked 证件号码, seat) for the keeper's identity check; the keeper's
// verdict comes back with the same input and is recorded.
func (s *Server) handleCheckin(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, st SessionsStore) {
	code := r.PostFormValue("session")
	again := checkinAgain{Token: r.PostFormValue("token"), EntryNo: r.PostFormValue("entry_no"), Digits: r.PostFormValue("digits")}
	res, err := st.CheckIn(r.Context(), store.CheckinRequest{EventID: ev.ID, Session: code, Token: again.Token,
		EntryNo: again.EntryNo, Digits: again.Digits, Actor: u.User.Username,
		AskIdentity: scoring.TermsFor(ev.Kind).Assessment(), Verdict: r.PostFormValue("verdict")})
	if err != nil {
		s.checkinFailed(w, r, u, ev, st, code, err)
		return
	}
	if res.NeedsIdentity {
		s.renderCheckin(w, r, u, ev, st, code, func(p *checkinPage) { p.Identity, p.Again = &res, again }, http.StatusOK)
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
		s.checkinFailed(w, r, u, ev, st, code, skillscore.Errorf(skillscore.EInvalid, "没有指定%s", scoring.TermsFor(ev.Kind).Contestant))
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
	if err := s.recordAbsences(r.Context(), ev, st, code, absent, u.User.Username); err != nil {
		s.fail(w, r, err)
		return
	}
	s.log.Info("session closed", "event", ev.Code, "session", code, "absent", len(absent), "by", u.User.Username)
	http.Redirect(w, r, checkinURL(ev, code, nil), http.StatusSeeOther)
}

// recordAbsences gives each contestant absent at a session's close the
// status 缺考: the one place 检录 sets a contestant status. At an
// assessment a candidate sits several sittings (theory, practical), and
// missing one is that part's 缺考 (the theory import records it), not the
// whole batch's: only a candidate absent from every one of their sittings,
// all closed, gets the status.
func (s *Server) recordAbsences(ctx context.Context, ev store.Event, st SessionsStore, session string, absent []int64, actor string) error {
	t := scoring.TermsFor(ev.Kind)
	reason := map[int64]string{}
	if t.Assessment() {
		all, err := st.Schedule(ctx, ev.ID)
		if err != nil {
			return err
		}
		for cid, codes := range absentThroughout(all, absent) {
			reason[cid] = "所有场次（" + strings.Join(codes, "、") + "）均未签到"
		}
	} else {
		for _, cid := range absent {
			reason[cid] = "场次 " + session + " 检录结束时未检录"
		}
	}
	// The session is closed already: one refusal must not leave the others
	// without their status, so every one is tried and the failures named.
	var errs []error
	for _, cid := range absent {
		why, ok := reason[cid]
		if !ok {
			continue
		}
		if err := s.judging.SetContestantStatus(ctx, ev.ID, cid, scoring.StatusAbsent, why, actor); err != nil {
			errs = append(errs, fmt.Errorf("%s #%d: %w", t.Contestant, cid, err))
		}
	}
	return errors.Join(errs...)
}

// absentThroughout picks, of the contestants a close recorded absent, those
// absent from every session they are in with each of those sessions
// closed, and names the sessions: nobody who was present anywhere, or
// still has a sitting to come, is among them.
func absentThroughout(all []store.SessionState, absent []int64) map[int64][]string {
	out := map[int64][]string{}
	for _, cid := range absent {
		var codes []string
		whole := true
		for _, sess := range all {
			for _, row := range sess.Rows {
				if row.ContestantID != cid {
					continue
				}
				codes = append(codes, sess.Code)
				if !sess.ClosedAt.Valid() || row.Outcome == sessions.Present {
					whole = false
				}
			}
		}
		if whole && len(codes) > 0 {
			out[cid] = codes
		}
	}
	return out
}

// handleCheckinPhoto answers a contestant's photo for the identity check at
// 检录: to the organizer, chief and scorekeepers of the event, never to its
// read-only roles (a face is personal data), and never cached.
func (s *Server) handleCheckinPhoto(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, st SessionsStore) {
	if !scopeHas(r, u.Access, RoleOrganizer) && !scopeHas(r, u.Access, RoleChief) && !scopeHas(r, u.Access, RoleScorekeeper) {
		s.fail(w, r, skillscore.Errorf(skillscore.EForbidden, "只读角色不能查看考生照片"))
		return
	}
	cid, err := strconv.ParseInt(r.PathValue("contestant"), 10, 64)
	if err != nil {
		s.fail(w, r, skillscore.Errorf(skillscore.EInvalid, "编号无效"))
		return
	}
	data, err := s.contestantPhoto(r.Context(), st, ev.ID, cid)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if data == nil {
		s.fail(w, r, skillscore.Errorf(skillscore.ENotFound, "没有照片"))
		return
	}
	w.Header().Set("Content-Type", http.DetectContentType(data))
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(data)
}

// PhotoReader reads a holder's photo by contestant id (photos.Library): nil
// bytes when there is none.
type PhotoReader interface {
	Photo(ctx context.Context, contestantID int64) ([]byte, error)
}

// contestantOf finds one contestant of an event (store.Store.Contestant):
// another event's contestant is not found.
type contestantOf interface {
	Contestant(ctx context.Context, eventID, id int64) (store.Contestant, error)
}

// contestantPhoto is the photo of one of the event's contestants, nil when
// there is none or the server has no photo store.
func (s *Server) contestantPhoto(ctx context.Context, st contestantOf, eventID, contestantID int64) ([]byte, error) {
	pr, ok := s.photos.(PhotoReader)
	if !ok {
		return nil, nil
	}
	// The contestant must be the event's own: a photo is never reached
	// through another event's page.
	if _, err := st.Contestant(ctx, eventID, contestantID); err != nil {
		return nil, err
	}
	return pr.Photo(ctx, contestantID)
}

// ---- printed: 检录表, timetable, entry cards --------------------------------
