package web

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"skillscore"
	"skillscore/live"
	"skillscore/programme"
	"skillscore/store"
)

type programmeManagePage struct {
	Title, CSRF string
	Programme   store.Programme
	Events      []live.EventStatus
	Standalone  []store.Event // events in no programme, to add
	Delegations []delegationLine
	Table       *live.DelegationTable
	Rules       string
	Error       string
	Message     string // a form's notice after its redirect
}

type delegationLine struct {
	store.Delegation
	KindName string
}

// handleProgrammeManage is the organizer's page of one programme: its events
// with their live status, its delegations and its rules.
func (s *Server) handleProgrammeManage(w http.ResponseWriter, r *http.Request, u *authed) {
	s.renderProgrammeManage(w, r, u, "", "")
}

func (s *Server) renderProgrammeManage(w http.ResponseWriter, r *http.Request, u *authed, msg, rules string) {
	pa, err := s.programmeAdmin()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ctx := r.Context()
	p, err := pa.ProgrammeByCode(ctx, r.PathValue("programme"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := programmeManagePage{Title: p.Name + " · 大赛管理", CSRF: u.CSRF, Programme: p, Rules: p.Rules, Error: msg,
		Message: r.URL.Query().Get("msg")}
	if rules != "" {
		page.Rules = rules // what was typed, refused
	}
	dels, err := pa.Delegations(ctx, p.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, d := range dels {
		page.Delegations = append(page.Delegations, delegationLine{Delegation: d, KindName: store.DelegationKindName(d.Kind)})
	}
	all, err := s.store.Events(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, ev := range all {
		if ev.ProgrammeID == nil {
			page.Standalone = append(page.Standalone, ev)
		}
	}
	// The statuses and the table are the public board's: the organizer sees
	// what the hall sees.
	if s.live.svc != nil {
		data, _, err := s.live.svc.ProgrammeBoard(ctx, p.Code, "", 0)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		var b live.ProgrammeBoard
		if err := json.Unmarshal(data, &b); err != nil {
			s.fail(w, r, err)
			return
		}
		page.Events, page.Table = b.Events, &b.Table
	} else {
		evs, err := pa.ProgrammeEvents(ctx, p.ID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for _, ev := range evs {
			page.Events = append(page.Events, live.EventStatus{Code: ev.Code, Name: ev.Name, Occupation: ev.Occupation, StatusName: "—"})
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	if msg != "" {
		w.WriteHeader(http.StatusUnprocessableEntity)
	}
	s.render(w, r, "programme", page)
}

// programmeOf finds the programme of the request's path.
func (s *Server) programmeOf(r *http.Request) (ProgrammeAdmin, store.Programme, error) {
	pa, err := s.programmeAdmin()
	if err != nil {
		return nil, store.Programme{}, err
	}
	p, err := pa.ProgrammeByCode(r.Context(), r.PathValue("programme"))
	return pa, p, err
}

// manageRefused shows the page again with a refusal the organizer can fix;
// anything else is an error page.
func (s *Server) manageRefused(w http.ResponseWriter, r *http.Request, u *authed, err error, rules string) {
	if code := skillscore.ErrorCode(err); code == skillscore.EInvalid || code == skillscore.EConflict ||
		code == skillscore.ETooLarge || code == skillscore.EUnprocessable {
		s.renderProgrammeManage(w, r, u, skillscore.ErrorMessage(err), rules)
		return
	}
	s.fail(w, r, err)
}

// handleProgrammeAddEvent puts a standing-alone event into the programme.
func (s *Server) handleProgrammeAddEvent(w http.ResponseWriter, r *http.Request, u *authed) {
	pa, p, err := s.programmeOf(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ev, err := s.store.EventByCode(r.Context(), strings.TrimSpace(r.PostFormValue("event")))
	if err == nil {
		err = pa.AddEventToProgramme(r.Context(), p.ID, ev.ID, u.User.Username)
	}
	if err != nil {
		s.manageRefused(w, r, u, err, "")
		return
	}
	if s.live.svc != nil {
		s.live.svc.EventChanged(r.Context(), ev.ID, ev.Revision)
	}
	http.Redirect(w, r, noticeURL("/programmes/"+p.Code+"/manage", "programme-event-added"), http.StatusSeeOther)
}

// handleProgrammeDelegations imports the delegations sheet, all or none.
func (s *Server) handleProgrammeDelegations(w http.ResponseWriter, r *http.Request, u *authed) {
	pa, p, err := s.programmeOf(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	name, data, err := uploaded(r)
	if err != nil {
		s.manageRefused(w, r, u, err, "")
		return
	}
	rows, err := programme.ReadDelegations(name, data)
	if err != nil {
		s.manageRefused(w, r, u, err, "")
		return
	}
	ds := make([]store.Delegation, len(rows))
	nums := make([]int, len(rows))
	for i, row := range rows {
		ds[i] = store.Delegation{ProgrammeID: p.ID, Code: row.Code, Name: row.Name, Kind: store.ParseDelegationKind(row.Kind)}
		nums[i] = row.Row
	}
	added, updated, err := pa.ImportDelegations(r.Context(), p.ID, ds, nums, u.User.Username)
	if err != nil {
		s.manageRefused(w, r, u, err, "")
		return
	}
	s.log.Info("delegations imported", "programme", p.Code, "added", added, "updated", updated, "by", u.User.Username)
	http.Redirect(w, r, noticeURL("/programmes/"+p.Code+"/manage", "delegations-imported", added, updated), http.StatusSeeOther)
}

// handleProgrammeRules replaces the programme's rules; a refused document
// stays in the form with every problem listed.
func (s *Server) handleProgrammeRules(w http.ResponseWriter, r *http.Request, u *authed) {
	pa, p, err := s.programmeOf(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rules := r.PostFormValue("rules")
	if err := pa.SetProgrammeRules(r.Context(), p.ID, rules, u.User.Username); err != nil {
		s.manageRefused(w, r, u, err, rules)
		return
	}
	http.Redirect(w, r, noticeURL("/programmes/"+p.Code+"/manage", "programme-rules-saved"), http.StatusSeeOther)
}

// programmeWait is how long a long poll of the programme board is held.
const programmeWait = 25 * time.Second
