package web

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"
)

const (
	// healthTTL is how long one database check answers /healthz: a load
	// balancer polling several times a second costs one small commit per
	// second, and a failure still shows within about a second.
	healthTTL = time.Second
	// healthTimeout bounds one check: a database that takes longer to
	// commit a one-row update is not serving judges either.
	healthTimeout = 2 * time.Second
)

// health caches the last database check of /healthz.
type health struct {
	mu  sync.Mutex // held during a check, so concurrent polls share it
	at  time.Time  // when err was found; zero before the first check
	err error
}

// handleHealthz answers 200 when the database takes a write, 503 otherwise,
// so a load balancer takes an instance out of rotation when its SQLite file
// can no longer be written or its MySQL database is gone, not only when the
// server stops answering.
func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if err := s.checkHealth(r.Context()); err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "database": "down"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "database": "ok"})
}

// checkHealth returns the database's state, at most healthTTL old: a read
// on the read pool and a committed write on the write path.
func (s *Server) checkHealth(ctx context.Context) error {
	h := &s.health
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.at.IsZero() && time.Since(h.at) < healthTTL {
		return h.err
	}
	// The check outlives a poller that hangs up: its answer serves the next.
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), healthTimeout)
	defer cancel()
	err := errors.Join(s.store.Ping(cctx), s.store.CheckWrite(cctx))
	switch {
	case err != nil && h.err == nil:
		s.log.WarnContext(ctx, "healthz: database check failed", "err", err)
	case err == nil && h.err != nil:
		s.log.InfoContext(ctx, "healthz: database check passes again")
	}
	h.at, h.err = time.Now(), err
	return err
}
