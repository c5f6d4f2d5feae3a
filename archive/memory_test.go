package archive

import (
	"context"
	"fmt"
	"io"
	"math"
	mrand "math/rand/v2"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"skillscore/certificates"
	"skillscore/privacy"
	"skillscore/store"
)

// TestBuildStreamsInBoundedMemory writes an archive of 3,000 files of
// 40 KB each (117 MB, incompressible, as many as a large event's signed
// score sheets) and samples the heap after every file: it stays far below
// what holding the files would take, so the ZIP is written as a stream.
func TestBuildStreamsInBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 117 MB")
	}
	ctx := context.Background()
	keys, err := privacy.NewMemory()
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "m.db"), store.Options{Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ev, err := st.CreateEvent(ctx, store.NewEvent{Event: store.Event{Code: "big", Name: "大型赛事", Kind: "competition",
		Occupation: "养老护理员", Year: 2026, Rules: `{"modules":[]}`}, Groups: []store.Group{{Code: "all", Name: "全体"}}}, "t")
	if err != nil {
		t.Fatal(err)
	}
	end := time.Now().Add(-time.Second)
	if _, err := st.PublishResults(ctx, ev.ID, end.Add(-time.Hour), end, "t"); err != nil {
		t.Fatal(err)
	}
	if err := st.Finalize(ctx, ev.ID, "t"); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := certificates.GenerateKey(dir, time.Now()); err != nil {
		t.Fatal(err)
	}
	kr, err := certificates.LoadKeyring(dir)
	if err != nil {
		t.Fatal(err)
	}
	a, err := New(Config{Store: st, Signer: kr.Signer})
	if err != nil {
		t.Fatal(err)
	}
	const files, size = 3000, 40 << 10
	a.parts = []Part{{Name: "sheets", Title: "评分记录表", Files: func(ctx context.Context, env *Env, ev store.Event) ([]File, error) {
		out := make([]File, files)
		for i := range out {
			out[i] = File{Name: fmt.Sprintf("%04d.pdf", i), Write: func(w io.Writer) error {
				r := mrand.NewChaCha8([32]byte{byte(i), byte(i >> 8)})
				buf := make([]byte, size)
				r.Read(buf)
				_, err := w.Write(buf)
				return err
			}}
		}
		return out, nil
	}}}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	var peak uint64
	n := 0
	res, err := a.Build(ctx, ev, io.Discard, Options{Actor: "t", Progress: func(p Progress) {
		if n++; n%100 == 0 {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Manifest.Files) != files || res.Size < files*size {
		t.Fatalf("%d files, %d bytes", len(res.Manifest.Files), res.Size)
	}
	grew := float64(peak-min(peak, base)) / (1 << 20)
	t.Logf("archive of %d MB: heap grew by at most %.1f MB over %.1f MB", res.Size>>20, grew, float64(base)/(1<<20))
	if grew > 48 || math.IsNaN(grew) {
		t.Fatalf("heap grew by %.1f MB writing %d MB: not streamed", grew, res.Size>>20)
	}
}
