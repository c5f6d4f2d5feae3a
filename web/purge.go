package web

import (
	"net/http"
	"strings"

	"skillscore"
	"skillscore/person"
	"skillscore/store"
)

// purgePage is the data of templates/html/purge.html.
type purgePage struct {
	Title, EventCode, EventName, User, CSRF, Message, Error string
	Plan                                                    person.PurgePlan
	Ends, PurgedAt                                          string
}

func (s *Server) purgeEvent(w http.ResponseWriter, r *http.Request) (store.Event, bool) {
	return s.pathEvent(w, r, s.person != nil, "本服务未启用个人信息清除")
}

func (s *Server) renderPurge(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, status int, errMsg string) {
	plan, err := s.person.PurgePlan(r.Context(), ev.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := purgePage{Title: "个人信息清除", EventCode: ev.Code, EventName: ev.Name, User: u.User.Name, CSRF: u.CSRF,
		Message: r.URL.Query().Get("msg"), Error: errMsg, Plan: plan}
	if !plan.Ends.IsZero() {
		page.Ends = person.CNDate(plan.Ends)
	}
	if plan.PurgedAt.Valid() {
		page.PurgedAt = person.CNDate(plan.PurgedAt.Time)
	}
	w.Header().Set("Cache-Control", "no-store")
	s.renderStatus(w, r, status, "purge", page)
}

// handlePurgePage shows when the event's retention period ends, what a
// purge would remove, and (once it has ended) the confirmation form.
func (s *Server) handlePurgePage(w http.ResponseWriter, r *http.Request, u *authed) {
	ev, ok := s.purgeEvent(w, r)
	if !ok {
		return
	}
	s.renderPurge(w, r, u, ev, http.StatusOK, "")
}

// handlePurge removes the event's personal data for good, after the
// organizer ticked the confirmation and typed the event's code.
func (s *Server) handlePurge(w http.ResponseWriter, r *http.Request, u *authed) {
	ev, ok := s.purgeEvent(w, r)
	if !ok {
		return
	}
	if r.PostFormValue("confirm") != "1" || strings.TrimSpace(r.PostFormValue("code")) != ev.Code {
		s.renderPurge(w, r, u, ev, http.StatusBadRequest, "请勾选确认，并输入赛事代码 "+ev.Code+"：清除后无法恢复")
		return
	}
	done, err := s.person.Purge(r.Context(), ev.ID, u.User.Username)
	if err != nil {
		if status := HTTPStatus(err); status < 500 {
			s.renderPurge(w, r, u, ev, status, skillscore.ErrorMessage(err))
			return
		}
		s.fail(w, r, err)
		return
	}
	s.log.Info("event purged", "event", ev.Code, "contestants", done.Contestants, "phones", done.Phones,
		"certificates", done.Certificates, "appeals", done.Appeals, "photos", done.Photos, "by", u.User.Username)
	http.Redirect(w, r, noticeURL("/events/"+ev.Code+"/purge", "purged", done.Contestants, done.Phones, done.Certificates,
		done.Appeals, done.Photos), http.StatusSeeOther)
}
