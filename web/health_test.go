package web

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"skillscore/templates"
)

// countingStore counts /healthz's database checks and fails writes on
// demand.
type countingStore struct {
	Store
	checks atomic.Int32
	broken atomic.Bool
}

func (c *countingStore) Ping(context.Context) error { return nil }

func (c *countingStore) CheckWrite(context.Context) error {
	c.checks.Add(1)
	if c.broken.Load() {
		return errors.New("disk full")
	}
	return nil
}

// TestHealthzChecksOncePerSecond: a burst of polls costs one database check;
// a failing write turns /healthz to 503 within about a second.
func TestHealthzChecksOncePerSecond(t *testing.T) {
	tmpl, err := templates.New()
	if err != nil {
		t.Fatal(err)
	}
	st := &countingStore{}
	srv := New(Config{Store: st, Templates: tmpl, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	get := func() int {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest("GET", "/healthz", nil))
		return rec.Code
	}
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if code := get(); code != http.StatusOK {
				t.Errorf("healthz %d", code)
			}
		}()
	}
	wg.Wait()
	if n := st.checks.Load(); n != 1 {
		t.Fatalf("50 concurrent polls made %d database checks, want 1", n)
	}
	st.broken.Store(true)
	start := time.Now()
	for get() != http.StatusServiceUnavailable {
		if time.Since(start) > 3*time.Second {
			t.Fatal("no 503 within 3 s of writes failing")
		}
		time.Sleep(20 * time.Millisecond) // polling a condition, bounded above
	}
	took := time.Since(start)
	if n := st.checks.Load(); n > 2+int32(took/time.Second) {
		t.Errorf("%d database checks in %v of polling every 20 ms", n, took)
	}
	t.Logf("503 after %v, %d checks", took, st.checks.Load())
}
