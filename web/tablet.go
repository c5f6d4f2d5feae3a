package web

// The judge's tablet: the page, and the judge protocol's endpoints handed
// to the judges service (docs/protocol.md).

import (
	"net/http"
)

type tabletPage struct {
	Title string
}

// handleTablet serves the tablet app; a scanned QR code opens it with ?t=TICKET.
func (s *Server) handleTablet(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, "tablet", tabletPage{Title: "裁判评分"})
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
