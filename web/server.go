// Package web serves skillscore over HTTP: the pages for spectators,
// organizers and chief judges, the JSON API, /healthz and /metrics. Handlers
// stay small; the work is done by the packages they call.
package web

import (
	"cmp"
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"skillscore/certificates"
	"skillscore/judges"
	"skillscore/live"
	"skillscore/store"
	"skillscore/templates"
)

// Store is what the web layer needs from the database.
type Store interface {
	Ping(ctx context.Context) error
	// CheckWrite commits a small write, for /healthz.
	CheckWrite(ctx context.Context) error
	Events(ctx context.Context) ([]store.Event, error)
	EventByCode(ctx context.Context, code string) (store.Event, error)
	Snapshot(ctx context.Context, eventID int64) (store.Snapshot, error)
}

// Config wires a Server.
type Config struct {
	Store     Store
	Templates *templates.Set
	Logger    *slog.Logger
	// Registry receives the server's metrics; /metrics serves it. A fresh
	// registry per server keeps tests independent.
	Registry *prometheus.Registry
	// Judges runs the judge tablets' protocol, logins and assignments;
	// Judging is the database behind the organizer's, chief judge's and
	// scorekeeper's pages and the logins. Nil answers those routes with
	// "unavailable".
	Judges  *judges.Service
	Judging JudgingStore
	// Live serves the spectator streams (big screen, phones, JSON board);
	// nil answers them with "unavailable".
	Live *live.Service
	// LiveChiefAuth admits a request to the chief judge's unfrozen live
	// view; nil refuses everyone.
	LiveChiefAuth func(*http.Request) error
	// LiveAdmin stores the organizer's publication, freeze and ceremony
	// changes (POST /api/v1/events/{code}/live/{action}); nil answers
	// them with "unavailable".
	LiveAdmin LiveAdmin
	// Verifier answers the public certificate lookups (/verify); nil
	// answers them with "unavailable".
	Verifier Verifier
	// Certificates serves the organizer's certificate pages (batches,
	// downloads, revocation); nil answers them with "unavailable".
	Certificates CertificateAdmin
	// Photos imports holders' photos uploaded on the certificate page; nil
	// hides the upload.
	Photos PhotoAdmin
	// Roster serves the organizer's roster page and its imports, run in
	// goroutines the server owns (Close stops them); nil answers them
	// with "unavailable".
	Roster RosterStore
	// Exports builds the organizer's downloads; nil answers them with
	// "unavailable".
	Exports Exporter
	// Personal opens one person's full numbers and records every full
	// view (查看 on the roster and certificate pages, downloads of level
	// certificates, which print the full 证件号码); nil refuses 查看 and
	// certificate downloads.
	Personal PersonalViews
	// Person answers a person's own requests on the organizer's page
	// 个人信息查阅与更正 (export, corrections) and purges events whose
	// retention period has ended; nil answers those pages with
	// "unavailable".
	Person PersonRequests
	// Programmes serves the organizer's programme (大赛) pages; nil
	// answers them with "unavailable". The public programme boards are
	// Live's (live.Config.Programmes).
	Programmes ProgrammeAdmin
	// Reports builds an assessment batch's certificate data and papers
	// (issue 15, docs/reporting.md); nil answers those routes with
	// "unavailable".
	Reports BatchReports
	// Evidence keeps the photos and clips attached to sheets and appeals
	// (issue 16, package evidence); nil answers its routes with
	// "unavailable".
	Evidence EvidenceService
	// SongFont and KaiFont are the CJK TrueType files for the PDFs the
	// organizer prints from the web (draw sheet, judge cards); empty means
	// certificates' defaults (Debian's Arphic fonts).
	SongFont, KaiFont string
	// TrustedProxies are the reverse proxies in front of the server: for
	// requests from them the client is read from X-Forwarded-For (see
	// clientIP). Empty trusts none.
	TrustedProxies []netip.Prefix
	// Archiver builds an event's signed archive (issue 16); nil leaves the
	// archive page unavailable (no certificate signing key).
	Archiver Archiver
}

// Server is the HTTP side of skillscore.
type Server struct {
	store   Store
	tmpl    *templates.Set
	log     *slog.Logger
	reg     *prometheus.Registry
	metrics *metrics
	// Judge tablets, logins, the chief judge's desk, paper entry.
	judges     *judges.Service
	judging    JudgingStore
	accounts   AccountStore
	loginLimit *judges.Limiter
	live       liveConfig
	verify     verifyConfig
	feedback   feedbackConfig // the 成绩单 lookup's rate limits (feedback.go)
	certs      CertificateAdmin
	photos     PhotoAdmin
	roster     RosterStore
	rosterJobs *rosterJobs
	exports    Exporter
	personal   PersonalViews
	person     PersonRequests
	programmes ProgrammeAdmin
	reports    BatchReports
	evidence   EvidenceService // issue 16 evidence
	// issue 16 archive: the signed archive's builder and its background jobs.
	archiver    Archiver
	archiveJobs *archiveJobs
	fonts       [2]string // Song, Kai
	proxies     []netip.Prefix
	health      health
	handler     http.Handler
	// patterns are the routes registered with handle, in order.
	patterns []string
}

// New builds a Server and its routes.
func New(cfg Config) *Server {
	if cfg.Registry == nil {
		cfg.Registry = prometheus.NewRegistry()
	}
	s := &Server{
		store:      cfg.Store,
		tmpl:       cfg.Templates,
		log:        cfg.Logger,
		reg:        cfg.Registry,
		metrics:    newMetrics(cfg.Registry),
		judges:     cfg.Judges,
		judging:    cfg.Judging,
		loginLimit: newLoginLimiter(),
		live:       newLiveConfig(cfg.Live, cfg.LiveChiefAuth, cfg.LiveAdmin),
		verify:     newVerifyConfig(cfg.Verifier),
		feedback:   newFeedbackConfig(),
		certs:      cfg.Certificates,
		photos:     cfg.Photos,
		roster:     cfg.Roster,
		exports:    cfg.Exports,
		personal:   cfg.Personal,
		person:     cfg.Person,
		programmes: cfg.Programmes,
		reports:    cfg.Reports,
		evidence:   cfg.Evidence, // issue 16 evidence
		proxies:    cfg.TrustedProxies,
		fonts:      [2]string{cmp.Or(cfg.SongFont, certificates.DefaultSongFont), cmp.Or(cfg.KaiFont, certificates.DefaultKaiFont)},
	}
	cfg.Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if cfg.Judging != nil {
		s.accounts = cfg.Judging
		if cfg.LiveChiefAuth == nil {
			// The chief judge's unfrozen live view admits the logins here.
			s.live.chiefAuth = s.ChiefAuth
		}
	}
	if cfg.Roster != nil {
		s.rosterJobs = newRosterJobs(cfg.Roster)
	}
	if cfg.Archiver != nil { // issue 16 archive
		s.archiver, s.archiveJobs = cfg.Archiver, newArchiveJobs(cfg.Archiver)
	}
	s.handler = s.securityHeaders(resolveNotices(s.routes()))
	return s
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// HTTPServer returns an http.Server with timeouts fit for tablets on flaky
// Wi-Fi: slow headers are cut off, idle connections reaped.
func (s *Server) HTTPServer(addr string) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
}
