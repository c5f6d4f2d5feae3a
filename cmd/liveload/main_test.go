package main

import (
	"context"
	"os"
	"testing"
	"time"
)

// TestMain lets the test binary be the server child too: runMode starts
// os.Executable() with "server".
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "server" {
		if err := runServer(context.Background(), os.Args[2:]); err != nil {
			os.Stderr.WriteString("liveload server: " + err.Error() + "\n")
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestProgrammeModesSmoke: 20 programme viewers over two source addresses,
// 10 marks in two running events, once over the websocket and once by long
// poll; every viewer is served every mark, in order, and each delay is
// timed from its mark's commit.
func TestProgrammeModesSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server process")
	}
	for _, mode := range []string{"programme", "programme-poll"} {
		t.Run(mode, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			r, err := runMode(ctx, mode, 20, 5, 2*time.Second, 2, 1, time.Millisecond, "", 2)
			if err != nil {
				t.Fatal(err)
			}
			if r.connected != 20 {
				t.Errorf("%d viewers on the server, want 20", r.connected)
			}
			if r.updates < 5 {
				t.Fatalf("%d marks written in 2 s at 5/s", r.updates)
			}
			if r.gaps != 0 || r.dropped != 0 || r.errors != 0 {
				t.Errorf("gaps %d, dropped %d, errors %d; want none", r.gaps, r.dropped, r.errors)
			}
			if want := r.updates * 20; r.marksSeen != want {
				t.Errorf("%d (mark, viewer) deliveries timed, want %d", r.marksSeen, want)
			}
			// A long poll answers the whole board; the websocket sends
			// the changed event line.
			if r.frames == 0 || (mode == "programme-poll") != (r.frameBytes > 1000) {
				t.Errorf("%d boards of %.0f bytes on average", r.frames, r.frameBytes)
			}
			if r.p50 <= 0 || r.p99 < r.p50 || r.max < r.p99 || r.max > time.Minute {
				t.Errorf("delays p50 %v p99 %v max %v", r.p50, r.p99, r.max)
			}
			if mode == "programme" && (r.atP50 <= 0 || r.atP99 < r.atP50 || r.atMax > time.Minute) {
				t.Errorf("frame delays p50 %v p99 %v max %v", r.atP50, r.atP99, r.atMax)
			}
		})
	}
}
