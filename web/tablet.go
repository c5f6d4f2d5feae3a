package web

// The judge's tablet: the page, and the judge protocol's endpoints handed
// to the judges service (docs/protocol.md).

import (
	"net/http"

	"skillscore/scoring"
)

type tabletPage struct {
	Title string
	// Terms are the words before the login: the login card's QR code names
	// the event (?e=CODE), whose kind decides them; after the login the
	// event's own come with the welcome (judges.EventInfo.Terms).
	Terms scoring.Terms
}

// handleTablet serves the tablet app; a scanned QR code opens it with
// ?t=TICKET&e=CODE.
func (s *Server) handleTablet(w http.ResponseWriter, r *http.Request) {
	t := scoring.TermsFor("")
	if code := r.URL.Query().Get("e"); code != "" && s.store != nil {
		// An unknown code is no error: the ticket decides the login, the
		// words are only the login screen's.
		if ev, err := s.store.EventByCode(r.Context(), code); err == nil {
			t = scoring.TermsFor(ev.Kind)
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, "tablet", tabletPage{Title: t.Judge + "评分", Terms: t})
}

func (s *Server) handleJudgeLogin(w http.ResponseWriter, r *http.Request) {
	if !s.needJudging(w, r) {
		return
	}
	s.judges.ServeLogin(w, r, s.clientIP(r), func(err error) { s.fail(w, r, err) })
}

func (s *Server) handleJudgeWS(w http.ResponseWriter, r *http.Request) {
	if !s.needJudging(w, r) {
		return
	}
	s.judges.ServeWS(w, r, s.clientIP(r))
}

func (s *Server) handleJudgeSync(w http.ResponseWriter, r *http.Request) {
	if !s.needJudging(w, r) {
		return
	}
	s.judges.ServeSync(w, r, s.clientIP(r), func(err error) { s.fail(w, r, err) })
}

func (s *Server) handleJudgeState(w http.ResponseWriter, r *http.Request) {
	if !s.needJudging(w, r) {
		return
	}
	s.judges.ServeState(w, r, s.clientIP(r), func(err error) { s.fail(w, r, err) })
}
