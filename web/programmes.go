package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"skillscore"
	"skillscore/store"
)

// ProgrammeAdmin is the database behind the organizer's programme pages.
type ProgrammeAdmin interface {
	Programmes(ctx context.Context) ([]store.Programme, error)
	ProgrammeByCode(ctx context.Context, code string) (store.Programme, error)
	CreateProgramme(ctx context.Context, p store.Programme, actor string) (store.Programme, error)
	SetProgrammeRules(ctx context.Context, programmeID int64, rules, actor string) error
	ProgrammeEvents(ctx context.Context, programmeID int64) ([]store.Event, error)
	AddEventToProgramme(ctx context.Context, programmeID, eventID int64, actor string) error
	Delegations(ctx context.Context, programmeID int64) ([]store.Delegation, error)
	ImportDelegations(ctx context.Context, programmeID int64, ds []store.Delegation, rows []int, actor string) (int, int, error)
}

var _ ProgrammeAdmin = (*store.Store)(nil)

func (s *Server) programmeAdmin() (ProgrammeAdmin, error) {
	if s.programmes == nil {
		return nil, skillscore.Errorf(skillscore.EUnavailable, "本服务未启用大赛管理")
	}
	return s.programmes, nil
}

type programmesPage struct {
	Title, CSRF string
	Programmes  []store.Programme
	Error       string
	Form        store.Programme
}

// handleProgrammes lists the programmes with a form for a new one.
func (s *Server) handleProgrammes(w http.ResponseWriter, r *http.Request, u *authed) {
	s.renderProgrammes(w, r, u, "", store.Programme{})
}

func (s *Server) renderProgrammes(w http.ResponseWriter, r *http.Request, u *authed, msg string, form store.Programme) {
	pa, err := s.programmeAdmin()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ps, err := pa.Programmes(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if msg != "" {
		w.WriteHeader(http.StatusUnprocessableEntity)
	}
	s.render(w, r, "programmes", programmesPage{Title: "大赛", CSRF: u.CSRF, Programmes: ps, Error: msg, Form: form})
}

// handleProgrammeCreate stores a new programme with the default rules; a
// refusal shows the form again with what was typed.
func (s *Server) handleProgrammeCreate(w http.ResponseWriter, r *http.Request, u *authed) {
	pa, err := s.programmeAdmin()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	form := store.Programme{Code: strings.TrimSpace(r.PostFormValue("code")), Name: strings.TrimSpace(r.PostFormValue("name"))}
	year, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("year")))
	if err != nil {
		s.renderProgrammes(w, r, u, "年份应为四位数字，如 2026", form)
		return
	}
	form.Year = year
	p, err := pa.CreateProgramme(r.Context(), form, u.User.Username)
	if err != nil {
		if code := skillscore.ErrorCode(err); code == skillscore.EInvalid || code == skillscore.EConflict {
			s.renderProgrammes(w, r, u, skillscore.ErrorMessage(err), form)
			return
		}
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, noticeURL("/programmes/"+p.Code+"/manage", "programme-created"), http.StatusSeeOther)
}
