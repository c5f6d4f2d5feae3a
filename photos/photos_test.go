package photos

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"skillscore"
	"skillscore/idnumber"
	"skillscore/internal/testenv"
	"skillscore/store"
)

// photo is a w×h image, different for each n, as JPEG or PNG.
func photo(t testing.TB, w, h, n int, asPNG bool) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{R: byte(x + 37*n), G: byte(y + 11*n), B: byte(90 + n), A: 255})
		}
	}
	var buf bytes.Buffer
	var err error
	if asPNG {
		err = png.Encode(&buf, img)
	} else {
		err = jpeg.Encode(&buf, img, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// png16 is a 16-bit-a-channel PNG, which Go decodes and gofpdf cannot print.
func png16(t testing.TB) []byte {
	img := image.NewRGBA64(image.Rect(0, 0, 120, 160))
	for i := range img.Pix {
		img.Pix[i] = byte(i * 7)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func writeFiles(t *testing.T, dir string, files map[string][]byte) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// storeNames lists the photo store's files.
func storeNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

type fixture struct {
	st     *store.Store
	ev     store.Event
	people []store.Contestant
	lib    *Library
	dir    string
}

// newFixture is an event of 12 contestants, drawn (each has a 参赛编号),
// the eleventh with a 证件号码 ending in X, and an empty photo store.
func newFixture(t *testing.T) fixture {
	t.Helper()
	ctx := context.Background()
	st := testenv.SQLite(t)
	ev, err := st.CreateEvent(ctx, store.NewEvent{
		Event: store.Event{Code: "jx-photos", Name: "照片导入测试", Kind: "competition", Occupation: "养老护理员",
			Year: 2026, Rules: `{"modules":[]}`},
		Groups: []store.Group{{Code: "employee", Name: "职工组"}},
	}, "tester")
	if err != nil {
		t.Fatal(err)
	}
	var cs []store.Contestant
	for seq := 10; len(cs) < 12; seq++ {
		id, err := idnumber.Make("360102", time.Date(1990, 3, 7, 0, 0, 0, 0, time.UTC), seq)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(id, "X") != (len(cs) == 10) {
			continue
		}
		code := fmt.Sprintf("Y%03d", 101+len(cs))
		cs = append(cs, store.Contestant{Name: fmt.Sprintf("选手%02d", len(cs)+1), Gender: idnumber.Gender(id),
			IDType: "居民身份证", IDNumber: id, City: "南昌", GroupCode: "employee", Code: &code})
	}
	people, err := st.AddContestants(ctx, ev.ID, cs, "tester")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "photos")
	return fixture{st: st, ev: ev, people: people, lib: New(st, dir), dir: dir}
}

// byFile maps a report's (masked) file names to their results.
func byFile(rep *Report) map[string]FileResult {
	out := map[string]FileResult{}
	for _, f := range rep.Files {
		out[f.File] = f
	}
	return out
}

// A directory of photos named by 证件号码 or 参赛编号 comes in under opaque
// names: no file of the photo store is named by, or contains in its name,
// anyone's 证件号码; each bad file is named (its 证件号码 masked) with the
// reason; the report never carries a full 证件号码.
func TestImportDirectory(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	p := f.people
	var withX *store.Contestant
	for i := range p {
		if strings.HasSuffix(p[i].IDNumber, "X") {
			withX = &p[i]
			break
		}
	}
	if withX == nil || withX.ID == p[0].ID || p[1].Code == nil {
		t.Fatal("the fixture needs a 证件号码 ending in X (not the first) and drawn codes")
	}
	truncated := photo(t, 200, 260, 9, false)
	truncated = truncated[:len(truncated)/2]
	huge := make([]byte, MaxBytes+1)
	rand.Read(huge)
	src := t.TempDir()
	files := map[string][]byte{
		p[0].IDNumber + ".jpg":        photo(t, 413, 579, 0, false),
		"南昌/" + *p[1].Code + ".JPG":   photo(t, 200, 260, 1, false), // by 参赛编号, in a folder per city
		p[2].IDNumber + ".jpg":        photo(t, 200, 260, 2, true),  // a PNG named .jpg: the content decides
		p[3].IDNumber + ".txt":        []byte("这不是照片"),
		p[4].IDNumber + ".jpg":        photo(t, 60, 80, 4, false),
		p[5].IDNumber + ".png":        png16(t),
		p[6].IDNumber + ".jpg":        truncated,
		p[7].IDNumber + ".jpg":        huge,
		p[8].IDNumber + ".jpg":        photo(t, 200, 260, 8, false), // and a second file for the same person:
		p[8].IDNumber + ".png":        photo(t, 200, 260, 18, true),
		p[9].IDNumber + ".jpg":        photo(t, 4100, 200, 19, true),
		"360102199001011234.jpg":      photo(t, 200, 260, 20, false), // no one of this event
		".DS_Store":                   []byte("mac"),
		"Thumbs.db":                   []byte("win"),
		"__MACOSX/._" + p[0].IDNumber: []byte("fork"),
	}
	files[strings.ToLower(withX.IDNumber)+".jpeg"] = photo(t, 300, 400, 30, false) // x in place of X
	writeFiles(t, src, files)
	s, err := Open(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := f.lib.Import(ctx, f.ev.ID, s, Options{Actor: "organizer"})
	if err != nil {
		t.Fatal(err)
	}
	got := byFile(rep)
	mask := func(c store.Contestant, ext string) string {
		return c.IDNumber[:3] + strings.Repeat("*", 11) + c.IDNumber[14:] + ext
	}
	want := map[string]string{ // file → status or a part of the reason
		mask(p[0], ".jpg"):          Imported,
		"南昌/" + *p[1].Code + ".JPG": Imported,
		mask(p[2], ".jpg"):          Imported,
		mask(p[3], ".txt"):          "不是 JPEG 或 PNG",
		mask(p[4], ".jpg"):          "太小",
		mask(p[5], ".png"):          "16 位",
		mask(p[6], ".jpg"):          "损坏",
		mask(p[7], ".jpg"):          "超过 2.0 MB",
		mask(p[8], ".jpg"):          "2 个照片文件",
		mask(p[8], ".png"):          "2 个照片文件",
		mask(p[9], ".jpg"):          "太大",
		"360***********1234.jpg":    "不是本赛事任何选手",
	}
	want[strings.ToLower(mask(*withX, ".jpeg"))] = Imported
	for file, w := range want {
		r, ok := got[file]
		switch {
		case !ok:
			t.Errorf("%s is not in the report:\n%+v", file, rep.Files)
		case w == Imported && r.Status != Imported:
			t.Errorf("%s: %s (%s), want imported", file, r.Status, r.Reason)
		case w != Imported && (r.Status != Rejected || !strings.Contains(r.Reason, w)):
			t.Errorf("%s: %s %q, want rejected with %q", file, r.Status, r.Reason, w)
		}
	}
	if len(rep.Files) != len(want) {
		t.Errorf("the report lists %d files, want %d (hidden files and thumbnails skipped):\n%+v", len(rep.Files), len(want), rep.Files)
	}
	if rep.Imported != len(want)-9 || rep.Rejected != 9 || rep.ImportError() == nil {
		t.Errorf("counts: imported %d, rejected %d (error %v)", rep.Imported, rep.Rejected, rep.ImportError())
	}
	out, _ := json.Marshal(rep)
	for _, c := range p {
		if strings.Contains(string(out), c.IDNumber) || strings.Contains(strings.ToUpper(string(out)), c.IDNumber) {
			t.Errorf("the report carries %s's full 证件号码", c.Name)
		}
	}
	if strings.Contains(string(out), "360102199001011234") {
		t.Error("the report carries the unknown file's full number")
	}

	// The photo store: one opaque file per imported photo, of the content's
	// type, and not a 证件号码 (or any part of one beyond chance) in a name.
	names := storeNames(t, f.dir)
	opaque := regexp.MustCompile(`^[0-9a-f]{32}\.(jpg|png)$`)
	if len(names) != rep.Imported {
		t.Errorf("the photo store holds %d files for %d photos: %v", len(names), rep.Imported, names)
	}
	for _, n := range names {
		if !opaque.MatchString(n) {
			t.Errorf("photo store file %q is not an opaque id", n)
		}
		for _, c := range p {
			if strings.Contains(strings.ToUpper(n), c.IDNumber) || strings.Contains(n, c.IDNumber[6:14]) {
				t.Errorf("photo store file %q carries %s's 证件号码 or birth date", n, c.Name)
			}
		}
	}
	if fi, err := os.Stat(f.dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("photo store directory mode %v (%v), want 0700", fi.Mode().Perm(), err)
	}
	rec, err := f.st.PhotoOf(ctx, p[2].ID)
	if err != nil || rec.ContentType != "image/png" || !strings.HasSuffix(rec.File, ".png") || rec.Width != 200 || rec.Height != 260 {
		t.Errorf("the PNG named .jpg is recorded as %+v (%v), want image/png 200×260 in a .png file", rec, err)
	}
	data, err := f.lib.Photo(ctx, p[0].ID)
	if err != nil || !bytes.Equal(data, photo(t, 413, 579, 0, false)) {
		t.Errorf("photo of %s reads back %d bytes (%v)", p[0].Name, len(data), err)
	}
	if data, err := f.lib.Photo(ctx, p[3].ID); err != nil || data != nil {
		t.Errorf("a contestant whose file was refused has a photo: %d bytes, %v", len(data), err)
	}
	if len(rep.Missing) != len(p)-rep.Imported {
		t.Errorf("%d contestants reported without a photo, want %d", len(rep.Missing), len(p)-rep.Imported)
	}

	// Again: nothing changes. Then a new photo replaces the old, whose file goes.
	again, err := f.lib.Import(ctx, f.ev.ID, s, Options{Actor: "organizer"})
	if err != nil || again.Unchanged != rep.Imported || again.Imported+again.Replaced != 0 {
		t.Fatalf("a second import of the same files: %+v %v", again, err)
	}
	if n := len(storeNames(t, f.dir)); n != rep.Imported {
		t.Errorf("after a second import the store holds %d files, want %d", n, rep.Imported)
	}
	old, _ := f.st.PhotoOf(ctx, p[0].ID)
	one := t.TempDir()
	writeFiles(t, one, map[string][]byte{p[0].IDNumber + ".jpg": photo(t, 413, 579, 50, false)})
	s2, err := Open(ctx, one)
	if err != nil {
		t.Fatal(err)
	}
	re, err := f.lib.Import(ctx, f.ev.ID, s2, Options{Actor: "organizer"})
	if err != nil || re.Replaced != 1 {
		t.Fatalf("replace: %+v %v", re, err)
	}
	if _, err := os.Stat(filepath.Join(f.dir, old.File)); !os.IsNotExist(err) {
		t.Errorf("the replaced photo's file %s is still there (%v)", old.File, err)
	}
}

// A dry run reports what an import would do and writes nothing.
func TestImportDryRunWritesNothing(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	src := t.TempDir()
	writeFiles(t, src, map[string][]byte{f.people[0].IDNumber + ".jpg": photo(t, 200, 260, 1, false)})
	s, err := Open(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := f.lib.Import(ctx, f.ev.ID, s, Options{DryRun: true})
	if err != nil || rep.Imported != 1 || !rep.DryRun {
		t.Fatalf("dry run: %+v %v", rep, err)
	}
	if _, err := os.Stat(f.dir); !os.IsNotExist(err) {
		t.Errorf("a dry run made the photo store (%v)", err)
	}
	if ps, _ := f.st.EventPhotos(ctx, f.ev.ID); len(ps) != 0 {
		t.Errorf("a dry run recorded %d photos", len(ps))
	}
}

// One image given for two people is refused for both, and so is an image
// another contestant already has.
func TestImportRefusesOneImageForTwoPeople(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	p := f.people
	if _, err := f.lib.Save(ctx, f.ev.ID, p[2].ID, photo(t, 200, 260, 7, false), "organizer"); err != nil {
		t.Fatal(err)
	}
	src := t.TempDir()
	same := photo(t, 200, 260, 5, false)
	writeFiles(t, src, map[string][]byte{
		p[0].IDNumber + ".jpg": same,
		p[1].IDNumber + ".jpg": same,
		p[3].IDNumber + ".jpg": photo(t, 200, 260, 7, false), // p[2]'s
		p[4].IDNumber + ".jpg": photo(t, 200, 260, 8, false),
	})
	s, err := Open(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := f.lib.Import(ctx, f.ev.ID, s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Imported != 1 || rep.Rejected != 3 {
		t.Fatalf("imported %d, rejected %d, want 1 and 3: %+v", rep.Imported, rep.Rejected, rep.Files)
	}
	for _, r := range rep.Files {
		if r.Status == Rejected && !strings.Contains(r.Reason, "同一张图片") {
			t.Errorf("%s: %q", r.File, r.Reason)
		}
	}
}

func zipOf(t *testing.T, files map[string][]byte, method uint16) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, data := range files {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: method})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// A ZIP is read within bounds: an entry that decompresses past 2 MB or
// shrank more than 100:1 is refused on its own without being decompressed,
// its neighbours still come in; a ZIP with too many entries, or not a ZIP
// at all, is refused whole.
func TestImportZip(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	p := f.people
	data := zipOf(t, map[string][]byte{
		"照片/" + p[0].IDNumber + ".jpg": photo(t, 200, 260, 1, false),
		p[1].IDNumber + ".jpg":         make([]byte, 3<<20),    // zeros: a bomb in miniature
		p[2].IDNumber + ".jpg":         make([]byte, 1500<<10), // 1.5 MB of zeros: 1000:1
	}, zip.Deflate)
	path := filepath.Join(t.TempDir(), "照片.zip")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rep, err := f.lib.Import(ctx, f.ev.ID, s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := byFile(rep)
	mask := func(c store.Contestant) string {
		return c.IDNumber[:3] + strings.Repeat("*", 11) + c.IDNumber[14:] + ".jpg"
	}
	if r := got["照片/"+mask(p[0])]; r.Status != Imported {
		t.Errorf("the good entry: %+v", r)
	}
	if r := got[mask(p[1])]; r.Status != Rejected || !strings.Contains(r.Reason, "解压后 3.0 MB") {
		t.Errorf("the 3 MB entry: %+v", r)
	}
	if r := got[mask(p[2])]; r.Status != Rejected || !strings.Contains(r.Reason, "压缩比") {
		t.Errorf("the 1000:1 entry: %+v", r)
	}

	many := map[string][]byte{}
	for i := 0; i <= MaxFiles; i++ {
		many[strings.Repeat("x", 3)+string(rune('a'+i%26))+"/"+time.Duration(i).String()] = nil
	}
	if _, err := ZipBytes(ctx, "many.zip", zipOf(t, many, zip.Store)); skillscore.ErrorCode(err) != skillscore.EUnprocessable {
		t.Errorf("a ZIP of %d entries: %v, want EUnprocessable", len(many), err)
	}
	if _, err := ZipBytes(ctx, "bad.zip", []byte("PK\x03\x04 not really")); skillscore.ErrorCode(err) != skillscore.EInvalid {
		t.Errorf("a broken ZIP: %v, want EInvalid", err)
	}
}

// Files no record names and older than an hour go; recorded ones and new
// ones (an import in flight elsewhere) stay.
func TestPrune(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	kept, err := f.lib.Save(ctx, f.ev.ID, f.people[0].ID, photo(t, 200, 260, 1, false), "organizer")
	if err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-2 * time.Hour)
	writeFiles(t, f.dir, map[string][]byte{
		"0123456789abcdef0123456789abcdef.jpg": []byte("orphan"),
		"fedcba9876543210fedcba9876543210.png": []byte("young orphan"),
		".incoming-123":                        []byte("cut short"),
		"README.txt":                           []byte("not ours"),
	})
	for _, n := range []string{"0123456789abcdef0123456789abcdef.jpg", ".incoming-123", "README.txt", kept.File} {
		if err := os.Chtimes(filepath.Join(f.dir, n), old, old); err != nil {
			t.Fatal(err)
		}
	}
	would, err := f.lib.Prune(ctx, time.Now(), true)
	if err != nil || len(would) != 2 || len(storeNames(t, f.dir)) != 5 {
		t.Fatalf("dry run: %v %v", would, err)
	}
	gone, err := f.lib.Prune(ctx, time.Now(), false)
	if err != nil || strings.Join(gone, " ") != ".incoming-123 0123456789abcdef0123456789abcdef.jpg" {
		t.Fatalf("prune removed %v (%v)", gone, err)
	}
	if data, err := f.lib.Photo(ctx, f.people[0].ID); err != nil || len(data) == 0 {
		t.Fatalf("the recorded photo after prune: %v", err)
	}
}

// A directory of <证件号码>.jpg (the layout read before) is recognised, so
// a server pointed at it refuses to start instead of printing no photos.
func TestLegacyFiles(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string][]byte{
		"36010219900307002X.jpg": nil, "36040220010101001x.png": nil, "Y101.jpg": nil,
		"0123456789abcdef0123456789abcdef.jpg": nil, "360102199003070021.txt": nil,
	})
	if n := LegacyFiles(dir); n != 2 {
		t.Errorf("LegacyFiles = %d, want 2 (named like 证件号码, with a photo extension)", n)
	}
	if n := LegacyFiles(filepath.Join(dir, "none")); n != 0 {
		t.Errorf("a missing directory: %d", n)
	}
}

// hugePNG is a PNG of a few dozen bytes whose header declares w×h pixels:
// decoding it would allocate w×h×3 bytes.
func hugePNG(w, h uint32) []byte {
	var buf bytes.Buffer
	buf.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		binary.Write(&buf, binary.BigEndian, uint32(len(data)))
		buf.WriteString(typ)
		buf.Write(data)
		binary.Write(&buf, binary.BigEndian, crc32.ChecksumIEEE(append([]byte(typ), data...)))
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 2 // 8 bits, RGB
	chunk("IHDR", ihdr)
	chunk("IDAT", []byte{0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01})
	chunk("IEND", nil)
	return buf.Bytes()
}

// lyingEntry is a ZIP entry whose directory says 1,000 bytes while its
// data inflates to 3 MB: archive/zip must stop at what it was told.
func lyingZip(t *testing.T, name string, good map[string][]byte) []byte {
	t.Helper()
	var comp bytes.Buffer
	fw, _ := flate.NewWriter(&comp, flate.BestCompression)
	fw.Write(make([]byte, 3<<20))
	fw.Close()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: name, Method: zip.Deflate, CompressedSize64: uint64(comp.Len()), UncompressedSize64: 1000})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(comp.Bytes())
	for n, data := range good {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// batchFixture is an assessment batch asking for 358×441 photos of at most
// 200 KB, with 4 candidates given 准考证号 0001–0004.
func batchFixture(t *testing.T) fixture {
	t.Helper()
	ctx := context.Background()
	st := testenv.SQLite(t)
	ev, _, err := st.CreateBatch(ctx, store.NewEvent{Event: store.Event{Code: "jx-rd-photos", Name: "认定照片", Kind: "assessment",
		Occupation: "养老护理员", Level: 4, Year: 2026, StartsOn: "2026-06-10", Rules: `{"modules":[]}`},
		Groups: []store.Group{{Code: "all", Name: "考生"}}},
		store.Batch{BatchNo: "P-01", PublicityDays: 5, RetakeMonths: 12,
			PhotoSpec: store.PhotoSpec{MinWidth: 358, MinHeight: 441, MaxWidth: 358, MaxHeight: 441, MaxKB: 200}}, nil, "tester")
	if err != nil {
		t.Fatal(err)
	}
	var cs []store.Contestant
	for i := range 4 {
		id, err := idnumber.Make("360102", time.Date(1985, 1, 2, 0, 0, 0, 0, time.UTC), 20+i)
		if err != nil {
			t.Fatal(err)
		}
		cs = append(cs, store.Contestant{Name: fmt.Sprintf("考生%d", i+1), Gender: idnumber.Gender(id), IDType: "居民身份证", IDNumber: id,
			City: "南昌", GroupCode: "all"})
	}
	people, err := st.AddContestants(ctx, ev.ID, cs, "tester")
	if err != nil {
		t.Fatal(err)
	}
	if n, err := st.AssignEntryNumbers(ctx, ev.ID, "tester"); err != nil || n != 4 {
		t.Fatalf("entry numbers: %d %v", n, err)
	}
	dir := filepath.Join(t.TempDir(), "photos")
	return fixture{st: st, ev: ev, people: people, lib: New(st, dir), dir: dir}
}

// A batch's photos come by 准考证号 or 证件号码 and must meet its spec:
// a 2-inch photo where 358×441 is asked, one over the batch's size limit,
// a PNG declaring 60000×60000 pixels in a few dozen bytes (refused from its
// header, never decoded), an entry that inflates past what its ZIP says,
// and a name no one has are each refused, named, and the rest imported.
func TestImportBatchPhotosByEntryNumberAndSpec(t *testing.T) {
	ctx := context.Background()
	f := batchFixture(t)
	p := f.people
	noise := image.NewNRGBA(image.Rect(0, 0, 358, 441))
	rand.Read(noise.Pix)
	for i := 3; i < len(noise.Pix); i += 4 {
		noise.Pix[i] = 255
	}
	var nb bytes.Buffer
	if err := png.Encode(&nb, noise); err != nil {
		t.Fatal(err)
	}
	big := nb.Bytes() // noise does not compress: about 470 KB
	if len(big) <= 200<<10 {
		t.Fatalf("the over-size photo is only %d KB", len(big)>>10)
	}
	data := lyingZip(t, "0004.jpg", map[string][]byte{
		"0001.jpg":             photo(t, 358, 441, 1, false),
		p[0].IDNumber + ".jpg": photo(t, 358, 441, 5, false),
		p[1].IDNumber + ".JPG": photo(t, 358, 441, 2, false),
		"0003.jpg":             photo(t, 413, 579, 3, false),
		"0009.jpg":             photo(t, 358, 441, 4, false),
		"照片/0003.png":          hugePNG(60000, 60000),
		"0002.png":             big,
	})
	src, err := ZipBytes(ctx, "照片.zip", data)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := f.lib.Import(ctx, f.ev.ID, src, Options{Actor: "org"})
	if err != nil {
		t.Fatal(err)
	}
	got := byFile(rep)
	for _, r := range rep.Files {
		t.Logf("%s %s %s", r.File, r.Status, r.Reason)
	}
	mask := func(c store.Contestant, ext string) string {
		return c.IDNumber[:3] + strings.Repeat("*", 11) + c.IDNumber[14:] + ext
	}
	want := map[string]string{
		"0001.jpg":         "rejected:有 2 个照片文件",
		mask(p[0], ".jpg"): "rejected:有 2 个照片文件",
		mask(p[1], ".JPG"): "imported",
		"0002.png":         "rejected:超过本批次要求的 200 KB",
		"0003.jpg":         "rejected:照片 413×579 像素，本批次要求 358×441 像素",
		"照片/0003.png":      "rejected:60000×60000 像素，太大",
		"0004.jpg":         "rejected:无法读取文件",
		"0009.jpg":         "rejected:文件名不是本赛事任何选手的证件号码、准考证号",
	}
	for file, w := range want {
		status, phrase, _ := strings.Cut(w, ":")
		r := got[file]
		if r.Status != status || !strings.Contains(r.Reason, phrase) {
			t.Errorf("%s: %s %q, want %s containing %q", file, r.Status, r.Reason, status, phrase)
		}
	}
	if rep.Imported != 1 || rep.Rejected != 7 || len(rep.Missing) != 3 {
		t.Errorf("imported %d rejected %d missing %v", rep.Imported, rep.Rejected, rep.Missing)
	}
	// The 2-MB-wide checks stand for an event without a spec.
	if _, why := CheckSpec(photo(t, 413, 579, 3, false), store.PhotoSpec{}); why != "" {
		t.Errorf("no spec: %s", why)
	}
	if _, why := CheckSpec(photo(t, 300, 400, 3, false), store.PhotoSpec{MinWidth: 295, MinHeight: 413}); !strings.Contains(why, "宽 ≥295、高 ≥413") {
		t.Errorf("a range: %q", why)
	}
}
