package archive_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/csv"
	"image"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"skillscore"
	"skillscore/archive"
	"skillscore/certificates"
	"skillscore/demo"
	"skillscore/evidence"
	"skillscore/internal/testenv"
	"skillscore/sheets"
	"skillscore/store"
	"skillscore/web"
)

// TestArchiveOversightParts archives the demo's finished event (its
// signed-off 复核, decided 仲裁, two incidents, filled sheets) with one
// evidence photo on a sheet: all five parts hold their files, verify
// passes, and one changed byte in the evidence file is named.
func TestArchiveOversightParts(t *testing.T) {
	ctx := context.Background()
	var clock demo.Clock
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "demo.db"), store.Options{Keys: testenv.Keys(t), Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ev, err := demo.CreateFinished(ctx, st, &clock, demo.People{Organizer: "organizer", Chief: "chief", ChiefUserID: 1})
	if err != nil {
		t.Fatal(err)
	}
	all, err := st.Sheets(ctx, ev.ID)
	if err != nil || len(all) == 0 {
		t.Fatalf("sheets: %d %v", len(all), err)
	}
	var img bytes.Buffer
	if err := png.Encode(&img, image.NewGray(image.Rect(0, 0, 40, 30))); err != nil {
		t.Fatal(err)
	}
	svc := evidence.New(st, filepath.Join(t.TempDir(), "evidence"), evidence.Limits{})
	e, _, err := svc.Attach(ctx, evidence.Upload{EvidenceCheck: store.EvidenceCheck{EventID: ev.ID, TargetKind: "sheet", TargetID: all[0].ID},
		Note: "作品照片", Actor: "chief", Body: bytes.NewReader(img.Bytes())})
	if err != nil {
		t.Fatal(err)
	}

	dir := filepath.Join(t.TempDir(), "keys")
	if _, err := certificates.GenerateKey(dir, time.Now()); err != nil {
		t.Fatal(err)
	}
	kr, err := certificates.LoadKeyring(dir)
	if err != nil {
		t.Fatal(err)
	}
	recheckReport := func(ctx context.Context, ev store.Event) (sheets.RecheckReport, error) {
		return web.RecheckReportFor(ctx, st, ev)
	}
	// Without the 复核 report or the evidence store the event is refused,
	// not archived short of them.
	for _, cfg := range []archive.Config{
		{Store: st, Signer: kr.Signer, Evidence: svc},
		{Store: st, Signer: kr.Signer, RecheckReport: recheckReport},
	} {
		a, _ := archive.New(cfg)
		if _, err := a.Build(ctx, ev, io.Discard, archive.Options{Actor: "organizer"}); skillscore.ErrorCode(err) != skillscore.EUnavailable {
			t.Errorf("archive without 复核 report or evidence store: %v", err)
		}
	}

	a, err := archive.New(archive.Config{Store: st, Signer: kr.Signer, Evidence: svc, RecheckReport: recheckReport})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "a.zip")
	res, _, err := a.WriteFile(ctx, ev, path, 0, archive.Options{Actor: "organizer"})
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, p := range res.Manifest.Parts {
		count[p.Name] = p.Files
	}
	mods, _ := st.Modules(ctx, ev.ID)
	want := map[string]int{"recheck": 1, "arbitration": 2, "incidents": 1, "evidence": 2}
	for name, n := range want {
		if count[name] != n {
			t.Errorf("part %s: %d files, want %d (%+v)", name, count[name], n, res.Manifest.Parts)
		}
	}
	if count["scoresheets"] == 0 || count["scoresheets"] > len(mods) {
		t.Errorf("score sheets: %d files for %d modules", count["scoresheets"], len(mods))
	}
	evName := "evidence/sheet-" + itoa(all[0].ID) + "-" + itoa(e.ID) + ".png"
	texts := map[string]string{}
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		rc, _ := f.Open()
		data, _ := io.ReadAll(rc)
		rc.Close()
		switch {
		case strings.HasSuffix(f.Name, ".pdf") && !strings.HasPrefix(f.Name, "results/") && !strings.HasPrefix(f.Name, "signin/"):
			texts[f.Name] = pdfText(t, data)
		case f.Name == evName:
			if !bytes.Equal(data, img.Bytes()) {
				t.Errorf("%s is not the uploaded file", f.Name)
			}
		case f.Name == "evidence/证据索引.csv":
			rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\uFEFF")))).ReadAll()
			if err != nil || len(rows) != 2 {
				t.Fatalf("index: %v %v", rows, err)
			}
			r := rows[1]
			if r[1] != "评分表" || r[3] != evName || r[4] != "image/png" || r[5] != itoa(int64(img.Len())) || r[6] != e.SHA256 ||
				r[7] != "作品照片" || r[8] != "chief" || r[9] == "" {
				t.Errorf("index row %q", r)
			}
		}
	}
	zr.Close()
	for name, words := range map[string][]string{
		"recheck/成绩复核报告.pdf":      {"成绩复核报告", demo.RecheckSeed[:8]},
		"arbitration/仲裁决定书.pdf":   {"仲裁决定书"},
		"arbitration/仲裁决定书-1.pdf": {"仲裁决定书"},
		"incidents/赛场记录.pdf":      {"赛场记录"},
	} {
		txt, ok := texts[name]
		if !ok {
			t.Errorf("archive lacks %s", name)
			continue
		}
		for _, w := range words {
			if !strings.Contains(strings.Join(strings.Fields(txt), ""), w) {
				t.Errorf("%s lacks %q:\n%s", name, w, txt)
			}
		}
	}
	sheetsSeen := 0
	for name, txt := range texts {
		if strings.HasPrefix(name, "scoresheets/") {
			sheetsSeen++
			if !strings.Contains(txt, "签名方式") {
				t.Errorf("%s does not say how it was signed:\n%.600s", name, txt)
			}
		}
	}
	if sheetsSeen != count["scoresheets"] {
		t.Errorf("read %d score-sheet PDFs of %d", sheetsSeen, count["scoresheets"])
	}

	keys := kr.Public
	if rep := verifyFile(t, path, archive.Trust{Keys: &keys}); !rep.OK() {
		t.Fatalf("verify: %+v", rep)
	}
	changed := rewrite(t, path, func(name string, d []byte) []byte {
		if name == evName {
			d = bytes.Clone(d)
			d[len(d)/2] ^= 1
		}
		return d
	}, nil)
	if rep := verifyFile(t, changed, archive.Trust{Keys: &keys}); rep.OK() || !slices.Equal(rep.Changed, []string{evName}) {
		t.Errorf("evidence byte changed: %+v", rep)
	}

	// An evidence file changed in the store is refused, not archived.
	if err := os.WriteFile(filepath.Join(svc.Dir(), e.SHA256[:2], e.SHA256), append(img.Bytes(), 0), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Build(ctx, ev, io.Discard, archive.Options{Actor: "organizer"}); skillscore.ErrorCode(err) != skillscore.EConflict {
		t.Errorf("archive of a changed evidence file: %v", err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func pdfText(t *testing.T, data []byte) string {
	t.Helper()
	cmd := exec.Command("pdftotext", "-layout", "-", "-")
	cmd.Stdin = bytes.NewReader(data)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

// TestArchiveOversightPartsEmpty: an assessment batch with imported
// scores and no 复核, 仲裁, incident or evidence archives with the five
// parts in the manifest at 0 files, and no 复核 report or evidence store
// is needed for it.
func TestArchiveOversightPartsEmpty(t *testing.T) {
	ctx := context.Background()
	st := testenv.SQLite(t)
	ev, _ := testenv.Assessment(t, st, "B-ARCH")
	testenv.Approved(t, st, ev.ID) // final once approved
	dir := filepath.Join(t.TempDir(), "keys")
	if _, err := certificates.GenerateKey(dir, time.Now()); err != nil {
		t.Fatal(err)
	}
	kr, _ := certificates.LoadKeyring(dir)
	a, err := archive.New(archive.Config{Store: st, Signer: kr.Signer})
	if err != nil {
		t.Fatal(err)
	}
	res, err := a.Build(ctx, ev, io.Discard, archive.Options{Actor: "organizer"})
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, p := range res.Manifest.Parts {
		switch p.Name {
		case "recheck", "arbitration", "incidents", "scoresheets", "evidence":
			seen++
			if p.Files != 0 {
				t.Errorf("part %s of a batch without it: %d files", p.Name, p.Files)
			}
		}
	}
	if seen != 5 {
		t.Errorf("manifest parts %+v", res.Manifest.Parts)
	}
}

// pattern is n bytes of a pattern seeded by seed, never held whole.
type pattern struct {
	n    int64
	seed byte
}

func (p *pattern) Read(b []byte) (int, error) {
	if p.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(b)) > p.n {
		b = b[:p.n]
	}
	for i := range b {
		b[i] = byte(i*7) ^ p.seed
	}
	p.n -= int64(len(b))
	return len(b), nil
}

// heapWriter discards what it is given and samples the heap every 4 MB.
type heapWriter struct {
	n, next int64
	peak    uint64
}

func (h *heapWriter) Write(p []byte) (int, error) {
	h.n += int64(len(p))
	if h.n >= h.next {
		h.next = h.n + 4<<20
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		h.peak = max(h.peak, ms.HeapAlloc)
	}
	return len(p), nil
}

// TestArchiveEvidenceStreamsInBoundedMemory attaches three 45 MB clips
// (streamed in, never held) and archives the event: the heap, sampled
// every 4 MB of ZIP written, grows far less than one clip, so the evidence
// files are streamed from the store into the ZIP.
func TestArchiveEvidenceStreamsInBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 135 MB of evidence")
	}
	ctx := context.Background()
	st, ev, _, kr := finishedDemo(t)
	all, err := st.Sheets(ctx, ev.ID)
	if err != nil || len(all) == 0 {
		t.Fatalf("sheets: %d %v", len(all), err)
	}
	svc := evidence.New(st, filepath.Join(t.TempDir(), "evidence"), evidence.Limits{})
	const clip = 45 << 20
	for i := range 3 {
		box := func(typ string, n int) []byte {
			return append(binary.BigEndian.AppendUint32(nil, uint32(8+n)), typ...)
		}
		ftyp := append(box("ftyp", 12), "isom\x00\x00\x02\x00isom"...)
		moov := append(box("moov", 108), box("mvhd", 100)...)
		moov = append(moov, make([]byte, 100)...)
		mdat := clip - len(ftyp) - len(moov)
		body := io.MultiReader(bytes.NewReader(ftyp), bytes.NewReader(moov), bytes.NewReader(box("mdat", mdat-8)),
			&pattern{n: int64(mdat - 8), seed: byte(i + 1)})
		if _, _, err := svc.Attach(ctx, evidence.Upload{EvidenceCheck: store.EvidenceCheck{EventID: ev.ID, TargetKind: "sheet", TargetID: all[i%len(all)].ID},
			Actor: "chief", Body: body}); err != nil {
			t.Fatal(err)
		}
	}
	a, err := archive.New(archive.Config{Store: st, Signer: kr.Signer, Evidence: svc})
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	hw := &heapWriter{}
	res, err := a.Build(ctx, ev, hw, archive.Options{Actor: "organizer"})
	if err != nil {
		t.Fatal(err)
	}
	var evBytes int64
	for _, f := range res.Manifest.Files {
		if strings.HasPrefix(f.Path, "evidence/") && strings.HasSuffix(f.Path, ".mp4") {
			evBytes += f.Size
		}
	}
	if evBytes != 3*clip {
		t.Fatalf("evidence in the archive: %d bytes, want %d", evBytes, 3*clip)
	}
	grew := float64(hw.peak-min(hw.peak, base)) / (1 << 20)
	t.Logf("archive with %d MB of evidence: heap grew by at most %.1f MB over %.1f MB", evBytes>>20, grew, float64(base)/(1<<20))
	if grew > 40 {
		t.Fatalf("heap grew by %.1f MB archiving %d MB of evidence: not streamed", grew, evBytes>>20)
	}
}
