package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"skillscore"
	"skillscore/exports"
	"skillscore/judges"
	"skillscore/live"
	"skillscore/photos"
	batchreport "skillscore/report"
	"skillscore/store"
	"skillscore/templates"
	"skillscore/web"
)

// serveConfig is what serve and demo share.
type serveConfig struct {
	addr string
	db   string
	// keyFile names the personal-data key file (--key-file).
	keyFile   *string
	logFormat string
	logLevel  string
	// redis joins several instances' live streams (--redis HOST:PORT).
	redis       string
	redisPrefix string
	// trustedProxies: the reverse proxies whose X-Forwarded-For is believed
	// (the flag as given, and parsed by check).
	trustedProxies string
	proxies        []netip.Prefix
	// certs configures certificate verification (and, for organizers, issuing).
	certs certConfig
	// evidence is the evidence store (issue 16).
	evidence evidenceConfig
}

func (c *serveConfig) bind(fs *flag.FlagSet, defaultAddr string) {
	fs.StringVar(&c.addr, "addr", envOr("SKILLSCORE_ADDR", defaultAddr), "监听地址 HOST:PORT (env SKILLSCORE_ADDR)")
	fs.StringVar(&c.logFormat, "log-format", envOr("SKILLSCORE_LOG_FORMAT", "json"), "日志格式 json|text")
	fs.StringVar(&c.logLevel, "log-level", envOr("SKILLSCORE_LOG_LEVEL", "info"), "日志级别 debug|info|warn|error")
	fs.StringVar(&c.redis, "redis", envOr("SKILLSCORE_REDIS", ""), "Redis 地址 HOST:PORT：多个实例经 Redis 同步实时成绩 (env SKILLSCORE_REDIS)")
	fs.StringVar(&c.trustedProxies, "trusted-proxy", envOr("SKILLSCORE_TRUSTED_PROXIES", ""),
		"前置反向代理的确切地址，逗号分隔（如 10.0.0.2）：仅对其请求采用 X-Forwarded-For 作为客户端地址；勿填包含平板或观众的网段，否则它们可伪造地址绕过限流 (env SKILLSCORE_TRUSTED_PROXIES)")
	fs.StringVar(&c.redisPrefix, "redis-prefix", envOr("SKILLSCORE_REDIS_PREFIX", "skillscore:"), "Redis 频道前缀，区分共用一个 Redis 的部署")
	c.certs.bind(fs, "./keys")
	c.evidence.bind(fs) // issue 16 evidence
	c.keyFile = bindKeyFile(fs)
}

// check parses the flags that need more than a string, before anything
// is opened or created.
func (c *serveConfig) check() error {
	var err error
	if c.proxies, err = web.ParseTrustedProxies(c.trustedProxies); err != nil {
		return skillscore.Wrap(skillscore.EInvalid, err, err.Error()+" (bad --trusted-proxy)")
	}
	return nil
}

func (c *serveConfig) logger(w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.logLevel)); err != nil {
		return nil, skillscore.Errorf(skillscore.EInvalid, "日志级别 --log-level %q 无效：应为 debug|info|warn|error (bad --log-level)", c.logLevel)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch c.logFormat {
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	}
	return nil, skillscore.Errorf(skillscore.EInvalid, "日志格式 --log-format %q 无效：应为 json 或 text (bad --log-format)", c.logFormat)
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg serveConfig
	cfg.bind(fs, "127.0.0.1:8080")
	fs.StringVar(&cfg.db, "db", envOr("SKILLSCORE_DB", "sqlite:./skillscore.db"), "数据库 sqlite:PATH 或 mysql:DSN (env SKILLSCORE_DB)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := cfg.check(); err != nil {
		return err
	}
	// The photo store sits beside a SQLite database; MySQL needs --photos.
	cfg.certs.photos = cmp.Or(cfg.certs.photos, photos.DefaultDir(cfg.db))
	log, err := cfg.logger(stderr)
	if err != nil {
		return err
	}
	// Listen before opening the database: a port in use then fails the start
	// before anything is created on disk.
	ln, err := listen(ctx, cfg.addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	keys, err := loadKeys(*cfg.keyFile)
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, cfg.db, store.Options{Keys: keys})
	if err != nil {
		return err
	}
	defer st.Close()
	// Without its key the server would fail at the first roster page or
	// certificate: refuse now, in one line.
	if err := st.CheckKeys(ctx); err != nil {
		return err
	}
	if keys == nil {
		log.Warn("no personal-data key (--key-file): rosters with 证件号码 cannot be imported until one is given")
	}
	log.Info("database ready", "dialect", st.Dialect())
	return serve(ctx, ln, st, cfg, log, func(base string) {
		fmt.Fprintf(stdout, "skillscore 已启动: %s\n", base)
	})
}

// listen opens the TCP listener with a clear message for the common failures.
func listen(ctx context.Context, addr string) (net.Listener, error) {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	switch {
	case err == nil:
		return ln, nil
	case errors.Is(err, syscall.EADDRINUSE):
		return nil, skillscore.Wrap(skillscore.EUnavailable, err, fmt.Sprintf("端口已被占用: %s (address already in use)", addr))
	case errors.Is(err, syscall.EACCES):
		return nil, skillscore.Wrap(skillscore.EUnavailable, err, fmt.Sprintf("无权监听 %s (permission denied)", addr))
	}
	return nil, skillscore.Wrap(skillscore.EInvalid, err, fmt.Sprintf("无法监听 %s: %v", addr, err))
}

// serve runs the HTTP server on ln until ctx ends, then shuts down
// gracefully: in-flight requests get up to 10 s to finish.
func serve(ctx context.Context, ln net.Listener, st *store.Store, cfg serveConfig, log *slog.Logger, ready func(base string)) error {
	tmpl, err := templates.New()
	if err != nil {
		return err
	}
	reg := prometheus.NewRegistry()
	liveCfg := live.Config{Source: st, Logger: log, Registry: reg}
	if cfg.redis != "" {
		redis.SetLogger(live.DriverLog{Log: log})
		rb := live.NewRedis(cfg.redis, cfg.redisPrefix, log)
		defer rb.Close()
		liveCfg.Broker = rb
		log.Info("live streams joined through Redis", "addr", cfg.redis, "prefix", cfg.redisPrefix)
	}
	// Other instances' judge notices reach this instance's tablets; the
	// judges service exists only after the live one it publishes through.
	var judgesRef atomic.Pointer[judges.Service]
	liveCfg.OnJudge = func(judgeID int64, revoked bool) {
		if js := judgesRef.Load(); js != nil {
			js.PeerChanged(judgeID, revoked)
		}
	}
	liveCfg.Programmes = st // issue 14 programme: programme boards
	liveSvc := live.New(liveCfg)
	// Stopped before the HTTP server: spectators' websockets are hijacked
	// connections that Shutdown would not close.
	defer liveSvc.Close()
	// Judge tablets: a mark is acknowledged after its commit, and the live
	// streams hear of the new revision right after.
	judgeSvc := judges.New(st, judges.Config{Logger: log, Peers: liveSvc, OnCommit: func(eventID, revision int64) {
		liveSvc.EventChanged(context.Background(), eventID, revision)
	}})
	judgesRef.Store(judgeSvc)
	defer judgeSvc.Close()
	certSvc, err := cfg.certs.serverService(st, log)
	if err != nil {
		return err
	}
	// Closed when serve returns, after the HTTP server has shut down: a
	// batch in progress is cancelled and its goroutine waited for.
	defer certSvc.Close()
	// The organizer uploads photos only where a photo store is configured.
	var photoAdmin web.PhotoAdmin
	if cfg.certs.photos != "" {
		photoAdmin = photos.New(st, cfg.certs.photos)
	}
	// The batch report reads holders' photos from the same store.
	reportCfg := batchreport.Config{Store: st, Body: cfg.certs.reportBody(), SongFont: cfg.certs.fontSong, KaiFont: cfg.certs.fontKai}
	if cfg.certs.photos != "" {
		reportCfg.Photos = photos.New(st, cfg.certs.photos)
	}
	// issue 16 archive: signed with the certificate key; without one the
	// archive page says so.
	var archiver web.Archiver
	if a, err := newArchiver(st, cfg.certs, cfg.db, cfg.evidence.service(st, cfg.db)); err == nil {
		archiver = a
	} else {
		log.Warn("no certificate signing key: event archives cannot be built", "keys", cfg.certs.keys, "err", err)
	}
	webSrv := web.New(web.Config{Archiver: archiver, Store: st, Templates: tmpl, Logger: log, Registry: reg, Live: liveSvc,
		Judges: judgeSvc, Judging: st, Verifier: certSvc, Certificates: certSvc, Photos: photoAdmin, LiveAdmin: st,
		Roster: st, Personal: st, Person: personService(st, certSvc, cfg.certs.photos), Exports: exports.New(st, cfg.certs.fontSong, cfg.certs.fontKai),
		SongFont: cfg.certs.fontSong, KaiFont: cfg.certs.fontKai, TrustedProxies: cfg.proxies,
		Programmes: st,                               // issue 14 programme
		Evidence:   cfg.evidence.service(st, cfg.db), // issue 16 evidence
		Reports:    batchreport.New(reportCfg)})
	// Runs after the HTTP server has shut down (defers run last in, first
	// out): a roster import still running is cancelled and waited for.
	defer webSrv.Close()
	srv := webSrv.HTTPServer(ln.Addr().String())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	base := "http://" + hostForURL(ln.Addr().String())
	log.Info("listening", "addr", ln.Addr().String())
	ready(base)
	select {
	case err := <-errc:
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	liveSvc.Close()
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}

// hostForURL turns a listen address into one a browser can open: a wildcard
// host becomes 127.0.0.1.
func hostForURL(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return host + ":" + port
}

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", envOr("SKILLSCORE_DB", "sqlite:./skillscore.db"), "数据库 sqlite:PATH 或 mysql:DSN")
	keyFile := bindKeyFile(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	keys, err := loadKeys(*keyFile)
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, *db, store.Options{Keys: keys})
	if err != nil {
		return err
	}
	defer st.Close()
	fmt.Fprintln(stdout, "数据库结构已是最新 (schema up to date)")
	return nil
}
