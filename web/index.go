package web

import (
	"net/http"

	"skillscore"
	"skillscore/store"
	"skillscore/templates"
)

type indexPage struct {
	Title  string
	Events []eventItem
	// Role is the logged-in user's role, "" for a visitor.
	Role string
	// SiteOrganizer: the site-wide links (new event, statistics, person)
	// are shown to a site-wide organizer and to visitors (who log in first);
	// Organizer: the user administration link, for an organizer of any scope.
	SiteOrganizer, Organizer bool
	// Reviewer: the user reviews assessment batches somewhere (审核员);
	// the page links the reviewers' list.
	Reviewer bool
	// Programmes are the 大赛 shown: all of them to visitors (their public
	// overviews), those of the user's grants to a logged-in user.
	Programmes []programmeItem
}

// programmeItem is one 大赛 on the index page; Manage links its organizer
// page for an organizer of it.
type programmeItem struct {
	Code, Name string
	Year       int
	Manage     bool
}

type eventItem struct {
	Code, Name, Occupation, Kind, KindName, StatusName string
	Year                                               int
	// Role is the logged-in user's role in this event: each row links the
	// pages that role works on (管理 for organizers, observers and visitors).
	Role string
}

// eventRole is the role a row's links are for: the strongest the user
// holds over that event.
func eventRole(a store.Access, code string) string {
	for _, role := range StaffRoles {
		if a.InEvent(code, role) {
			return role
		}
	}
	return ""
}

func eventItems(evs []store.Event) []eventItem {
	out := make([]eventItem, len(evs))
	for i, ev := range evs {
		out[i] = eventItem{Code: ev.Code, Name: ev.Name, Occupation: ev.Occupation, Kind: ev.Kind, Year: ev.Year,
			KindName: nameOr(kindNames, ev.Kind), StatusName: nameOr(statusNames, ev.Status)}
	}
	return out
}

// handleIndex lists the events: public, but a logged-in user sees only the
// events of their grants with the links of their role there and the logout
// form, since this is where a chief judge or scorekeeper with several
// events lands after logging in.
func (s *Server) handleIndex(w http.ResponseWriter, r *http.Request) {
	evs, err := s.store.Events(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := indexPage{Title: "首页", Events: eventItems(evs), SiteOrganizer: true}
	var progs []store.Programme
	if s.programmes != nil {
		if progs, err = s.programmes.Programmes(r.Context()); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	for _, p := range progs {
		page.Programmes = append(page.Programmes, programmeItem{Code: p.Code, Name: p.Name, Year: p.Year})
	}
	c := &templates.Chrome{LoginLink: true}
	if _, err := r.Cookie(sessionCookie); err == nil && s.accounts != nil {
		u, err := s.currentUser(r)
		switch {
		case err == nil:
			page.Role = u.User.Role
			page.SiteOrganizer = u.Access.InSite(RoleOrganizer)
			page.Organizer = page.SiteOrganizer || canAdminUsers(u.Access)
			page.Reviewer = reviewerAnywhere(r, u.Access) == nil
			var mine []eventItem
			for _, it := range page.Events {
				if it.Role = eventRole(u.Access, it.Code); it.Role != "" {
					mine = append(mine, it)
				}
			}
			page.Events = mine
			var ours []programmeItem
			for _, p := range page.Programmes {
				if held := u.Access.Programmes[p.Code]; len(held) > 0 || page.SiteOrganizer {
					p.Manage = page.SiteOrganizer || held[RoleOrganizer]
					ours = append(ours, p)
				}
			}
			page.Programmes = ours
			c = &templates.Chrome{User: u.User.Name, Role: roleLabel(u), CSRF: u.CSRF}
		case skillscore.ErrorCode(err) != skillscore.EUnauthorized:
			s.fail(w, r, err)
			return
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := s.tmpl.RenderChrome(w, "index", page, c); err != nil {
		s.fail(w, r, err)
	}
}

// handleAPIEvents lists events as JSON.
func (s *Server) handleAPIEvents(w http.ResponseWriter, r *http.Request) {
	evs, err := s.store.Events(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	type item struct {
		Code       string `json:"code"`
		Name       string `json:"name"`
		Kind       string `json:"kind"`
		Occupation string `json:"occupation"`
		Year       int    `json:"year"`
		Status     string `json:"status"`
		Revision   int64  `json:"revision"`
	}
	out := make([]item, len(evs))
	for i, ev := range evs {
		out[i] = item{ev.Code, ev.Name, ev.Kind, ev.Occupation, ev.Year, ev.Status, ev.Revision}
	}
	writeJSON(w, http.StatusOK, map[string]any{"events": out})
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, page string, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := s.tmpl.RenderChrome(w, page, data, chrome(r)); err != nil {
		s.fail(w, r, err)
	}
}
