package web

import (
	"bufio"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"skillscore"
)

type metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newMetrics(reg *prometheus.Registry) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "skillscore_http_requests_total",
			Help: "HTTP requests by route pattern and status code.",
		}, []string{"route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "skillscore_http_request_duration_seconds",
			Help:    "HTTP request latency by route pattern.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route"}),
	}
	reg.MustRegister(m.requests, m.duration)
	return m
}

// statusWriter remembers the status a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the real writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Hijack hands the connection to a websocket upgrade: gorilla/websocket
// asserts http.Hijacker on the writer it is given and does not unwrap.
func (w *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if w.status == 0 {
		w.status = http.StatusSwitchingProtocols
	}
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

// instrument counts and times a route by its pattern (not its path, which
// would make one series per event code) and logs the request.
func (s *Server) instrument(route string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		h.ServeHTTP(sw, r)
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		elapsed := time.Since(start)
		s.metrics.requests.WithLabelValues(route, strconv.Itoa(sw.status)).Inc()
		s.metrics.duration.WithLabelValues(route).Observe(elapsed.Seconds())
		// Only when debugging: every request passes here.
		if s.log.Enabled(r.Context(), slog.LevelDebug) {
			s.log.DebugContext(r.Context(), "http", "method", r.Method, "path", r.URL.Path, "status", sw.status,
				"duration_ms", elapsed.Milliseconds(), "remote", s.clientIP(r))
		}
	})
}

// recoverPanics turns a handler panic into a logged 500 instead of a dropped
// connection.
func (s *Server) recoverPanics(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.fail(w, r, skillscore.Wrap(skillscore.EInternal, fmt.Errorf("panic: %v", v), "服务器内部错误"))
			}
		}()
		h.ServeHTTP(w, r)
	})
}

// embeddable are the pages another site may show in a frame: the
// spectators' public views (a venue's or organizer's site showing the live
// standings) and the public results (公示). They are read-only and carry no
// form, so framing them cannot trick anyone into a click. Every other page
// refuses framing.
var embeddable = []string{
	"GET /events/{code}/leaderboard",
	"GET /events/{code}/bigscreen",
	"GET /events/{code}/phone",
	"GET /events/{code}/published",
}

// securityHeaders sets on every response, error pages, static files and
// /metrics included: nosniff (a browser must trust the Content-Type, so an
// uploaded or echoed file is never run as a script), a Referrer-Policy that
// sends no address to other sites (staff URLs carry event codes and job
// ids), and framing refused except for the embeddable pages. They are set
// before the handler runs, which may still change them.
func (s *Server) securityHeaders(h http.Handler) http.Handler {
	frames := http.NewServeMux()
	for _, p := range embeddable {
		frames.Handle(p, http.NotFoundHandler())
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "same-origin")
		// The phone page's chief judge view rides on a login: not for frames.
		if _, pattern := frames.Handler(r); pattern != "" && publicView(r.URL.Query().Get("view")) {
			hd.Set("Content-Security-Policy", "frame-ancestors *")
		} else {
			hd.Set("Content-Security-Policy", "frame-ancestors 'none'")
			hd.Set("X-Frame-Options", "DENY")
		}
		h.ServeHTTP(w, r)
	})
}

// publicView reports whether a view parameter names the public view.
func publicView(v string) bool { return v == "" || v == "public" }
