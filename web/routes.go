package web

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// routes lists every route in one place.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	handle := func(pattern string, h http.HandlerFunc) {
		mux.Handle(pattern, s.instrument(pattern, h))
	}
	handle("GET /{$}", s.handleIndex)
	handle("GET /events/{code}/leaderboard", s.handleLeaderboard)
	handle("GET /api/v1/events", s.handleAPIEvents)
	handle("GET /api/v1/events/{code}/standings", s.handleAPIStandings)
	handle("GET /healthz", s.handleHealthz)
	mux.Handle("GET /metrics", s.instrument("GET /metrics", promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{})))
	mux.Handle("GET /static/", s.instrument("GET /static/", s.tmpl.StaticHandler()))
	return s.recoverPanics(mux)
}
