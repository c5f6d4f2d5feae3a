package web

import (
	"net/http"

	"skillscore/store"
)

// navAdmits reports whether the user may open the navigation's step from
// the event page r: the same checks as the step's route in routes.go
// (TestEventNavigationShowsWhatOpens holds the two together).
func navAdmits(step string, r *http.Request, a store.Access) bool {
	var err error
	switch step {
	case "appeals", "desk", "audit", "rounds":
		err = permit(r, a, []string{RoleChief})
	case "recheck":
		err = permit(r, a, []string{RoleChief, RoleMonitor})
	case "arbitration":
		err = permit(r, a, []string{RoleArbiter, RoleChief})
	case "checkin":
		err = permit(r, a, []string{RoleChief, RoleScorekeeper})
	case "incidents":
		err = permit(r, a, []string{RoleChief, RoleMonitor, RoleArbiter})
		if err == nil && !incidentReader(r, &authed{Access: a}) {
			return false
		}
	case "evidence":
		err = evidenceAccess(r, a)
	case "archive":
		return scopeHas(r, a, RoleOrganizer)
	case "published":
		return true // the public 公示页
	case "person", "statistics":
		// Site-wide pages: judged as a request without the event.
		site := r.Clone(r.Context())
		site.SetPathValue("code", "")
		err = permit(site, a, nil)
	default:
		err = permit(r, a, nil)
	}
	return err == nil
}

// navHidden lists the steps of the event navigation (the data-step names
// of templates' "eventnav") the user may not open from the event page r;
// the layout hides them, so a chief judge, 监督 or 仲裁 sees only the links
// that open for them, not a row of pages that answer 403. Nil outside an
// event.
func navHidden(r *http.Request, a store.Access) []string {
	if r.PathValue("code") == "" {
		return nil
	}
	steps := [...]string{"setup", "roster", "draw", "imports", "judges", "results", "appeals",
		"certificates", "desk", "rounds", "sessions", "checkin", "incidents", "recheck", "arbitration", "screen", "published",
		"evidence", "audit", "privacy", "person", "purge", "archive", "statistics"}
	var out []string
	for _, step := range steps {
		if !navAdmits(step, r, a) {
			out = append(out, step)
		}
	}
	return out
}
