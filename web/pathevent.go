package web

import (
	"net/http"

	"skillscore"
	"skillscore/store"
)

// pathEvent answers "unavailable" with offMsg when the service a page needs
// is not configured, and otherwise loads the event named by the {code} path
// value; on any failure it has already written the error response.
func (s *Server) pathEvent(w http.ResponseWriter, r *http.Request, enabled bool, offMsg string) (store.Event, bool) {
	if !enabled {
		s.fail(w, r, skillscore.Errorf(skillscore.EUnavailable, "%s", offMsg))
		return store.Event{}, false
	}
	ev, err := s.store.EventByCode(r.Context(), r.PathValue("code"))
	if err != nil {
		s.fail(w, r, err)
		return store.Event{}, false
	}
	return ev, true
}
