package loadgen_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"skillscore/internal/testdb"
	"skillscore/internal/testenv"
	"skillscore/judges"
	"skillscore/judges/loadgen"
	"skillscore/store"
)

// TestLoadSmoke drives a few simulated judges for a moment against an
// in-process server: every mark acknowledged, none refused, each stored once.
func TestLoadSmoke(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "load.db"), store.Options{Keys: testenv.Keys(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	setup, err := loadgen.Prepare(ctx, st, "load-test", 20, 3)
	if err != nil {
		t.Fatal(err)
	}
	svc := judges.New(st, judges.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	defer svc.Close()
	mux := http.NewServeMux()
	mux.HandleFunc("/api/v1/judge/ws", func(w http.ResponseWriter, r *http.Request) { svc.ServeWS(w, r, r.RemoteAddr) })
	srv := httptest.NewServer(mux)
	defer srv.Close()
	d := 2 * time.Second
	if testing.Short() {
		d = 500 * time.Millisecond
	}
	res := loadgen.Run(ctx, srv.URL, setup, loadgen.Options{Generate: d, Drain: 5 * time.Second})
	if res.Acked == 0 || res.Rejected != 0 || len(res.Unacked) != 0 {
		t.Fatalf("acked %d, rejected %d (%v), unacked %d", res.Acked, res.Rejected, res.Errors, len(res.Unacked))
	}
	t.Logf("%d marks in %v (%.0f/s), p50 %v p99 %v", res.Acked, res.Elapsed, float64(res.Acked)/res.Elapsed.Seconds(),
		res.Percentile(50), res.Percentile(99))
	ev, _ := st.EventByCode(ctx, "load-test")
	trail, _ := st.AuditFor(ctx, ev.ID, "", "")
	marks := 0
	for _, e := range trail {
		if e.Action == "sheet.mark" {
			marks++
		}
	}
	if marks != res.Acked {
		t.Fatalf("audit holds %d marks, %d were acknowledged as new", marks, res.Acked)
	}
}

// TestLoadProgrammeSmoke spreads judges over several events at an offered
// rate, with three writers committing different events' batches at once
// (in parallel on MariaDB): every event gets marks, only from its own
// judges, none refused, and every audit chain verifies.
func TestLoadProgrammeSmoke(t *testing.T) {
	type target struct{ name, url string }
	targets := []target{{"sqlite", "sqlite:" + filepath.Join(t.TempDir(), "load.db")}}
	if dsn := testdb.DSN(t); dsn != "" {
		targets = append(targets, target{"mysql", "mysql:" + testdb.Scratch(t, dsn, "skillscore_t_")})
	}
	for _, tg := range targets {
		t.Run(tg.name, func(t *testing.T) { programmeSmoke(t, tg.url) })
	}
}

func programmeSmoke(t *testing.T, url string) {
	ctx := context.Background()
	st, err := store.Open(ctx, url, store.Options{Keys: testenv.Keys(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	setup, err := loadgen.PrepareProgramme(ctx, st, loadgen.Programme{Code: "prog", Events: 3, Contestants: 8, Judges: 7, Per: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(setup.Events) != 3 || len(setup.Judges) != 7 {
		t.Fatalf("prepared %d events, %d judges; want 3 and 7", len(setup.Events), len(setup.Judges))
	}
	svc := judges.New(st, judges.Config{Writers: 3, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	defer svc.Close()
	mux := http.NewServeMux()
	mux.HandleFunc("/api/v1/judge/ws", func(w http.ResponseWriter, r *http.Request) { svc.ServeWS(w, r, r.RemoteAddr) })
	srv := httptest.NewServer(mux)
	defer srv.Close()
	res := loadgen.Run(ctx, srv.URL, setup, loadgen.Options{Generate: time.Second, Drain: 5 * time.Second, Rate: 70})
	if res.Acked == 0 || res.Rejected != 0 || len(res.Unacked) != 0 {
		t.Fatalf("acked %d, rejected %d (%v), unacked %d", res.Acked, res.Rejected, res.Errors, len(res.Unacked))
	}
	// 70 marks/s for a second: far fewer than unpaced judges would send.
	if res.Acked > 140 {
		t.Errorf("%d marks acknowledged at an offered 70/s for 1 s", res.Acked)
	}
	sum := 0
	for _, code := range setup.Events {
		ev, err := st.EventByCode(ctx, code)
		if err != nil {
			t.Fatal(err)
		}
		trail, _ := st.AuditFor(ctx, ev.ID, "", "")
		marks := 0
		for _, e := range trail {
			if e.Action == "sheet.mark" {
				marks++
			}
		}
		if marks == 0 || marks != res.PerEvent[code] {
			t.Errorf("event %s: audit holds %d marks, %d acknowledged for it", code, marks, res.PerEvent[code])
		}
		sum += marks
	}
	if sum != res.Acked {
		t.Errorf("events hold %d marks, %d acknowledged", sum, res.Acked)
	}
	if rep, err := st.VerifyAuditChains(ctx); err != nil || rep.Break != nil {
		t.Fatalf("audit after the load: %+v %v", rep, err)
	}
}
