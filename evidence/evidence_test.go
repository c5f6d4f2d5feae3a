package evidence_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"skillscore"
	"skillscore/evidence"
	"skillscore/internal/testenv"
	"skillscore/store"
)

// JPEG is a small real photo (w×h pixels, one colour).
func JPEG(t testing.TB, w, h int, c color.Color) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func pngOf(t testing.TB) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 40, 30))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// webp is a lossless WebP of 1×1 pixel.
func webp() []byte {
	body := []byte("WEBPVP8L\x0a\x00\x00\x00\x2f\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00")
	out := append([]byte("RIFF"), binary.LittleEndian.AppendUint32(nil, uint32(len(body)))...)
	return append(out, body...)
}

// box is an ISO base media box.
func box(typ string, body []byte) []byte {
	out := binary.BigEndian.AppendUint32(nil, uint32(8+len(body)))
	return append(append(out, typ...), body...)
}

// movie is a minimal MP4 (brand isom) or QuickTime (qt) file: ftyp, a
// movie header and media data.
func movie(brand string) []byte {
	ftyp := box("ftyp", []byte(brand+"\x00\x00\x02\x00"+brand+"mp41"))
	if brand == "qt  " {
		ftyp = box("ftyp", []byte("qt  \x00\x00\x02\x00qt  "))
	}
	mdat := box("mdat", bytes.Repeat([]byte{7}, 4000))
	return append(append(ftyp, box("moov", box("mvhd", make([]byte, 100)))...), mdat...)
}

// webm is an EBML header naming the webm doc type, and a segment.
func webm() []byte {
	return append([]byte("\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81\x08\x42\x82\x84webm\x42\x87\x81\x04\x42\x85\x81\x02"),
		bytes.Repeat([]byte{0}, 300)...)
}

type fixture struct {
	st    *store.Store
	svc   *evidence.Service
	dir   string
	ev    store.Event
	sheet store.Sheet
}

func setup(t *testing.T, limits evidence.Limits) fixture {
	t.Helper()
	st, ev := testenv.Demo(t)
	sheets, err := st.Sheets(context.Background(), ev.ID)
	if err != nil || len(sheets) == 0 {
		t.Fatalf("demo sheets: %d %v", len(sheets), err)
	}
	dir := filepath.Join(t.TempDir(), "evidence")
	return fixture{st: st, svc: evidence.New(st, dir, limits), dir: dir, ev: ev, sheet: sheets[0]}
}

func (f fixture) upload(data []byte) evidence.Upload {
	return evidence.Upload{EvidenceCheck: store.EvidenceCheck{EventID: f.ev.ID, TargetKind: "sheet", TargetID: f.sheet.ID},
		Actor: "chief", Body: bytes.NewReader(data)}
}

// files lists what the store directory holds (received and temporary).
func files(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, p)
		}
		return nil
	})
	return out
}

// Every accepted kind goes in by its content, is stored under its
// SHA-256, comes back verified; the same file again on the same target is
// the same row and the same single file.
func TestAttachAcceptsPhotosAndClipsByContent(t *testing.T) {
	f := setup(t, evidence.Limits{})
	ctx := context.Background()
	for _, c := range []struct {
		name, ct, media string
		data            []byte
	}{
		{"jpeg", "image/jpeg", store.MediaPhoto, JPEG(t, 64, 48, color.RGBA{200, 30, 30, 255})},
		{"png", "image/png", store.MediaPhoto, pngOf(t)},
		{"webp", "image/webp", store.MediaPhoto, webp()},
		{"mp4", "video/mp4", store.MediaClip, movie("isom")},
		{"mov", "video/quicktime", store.MediaClip, movie("qt  ")},
		{"webm", "video/webm", store.MediaClip, webm()},
	} {
		e, dup, err := f.svc.Attach(ctx, f.upload(c.data))
		if err != nil || dup || e.ContentType != c.ct || e.Media != c.media || e.Size != int64(len(c.data)) {
			t.Fatalf("%s: %+v dup=%v %v", c.name, e, dup, err)
		}
		sum := sha256.Sum256(c.data)
		if e.SHA256 != hex.EncodeToString(sum[:]) {
			t.Errorf("%s: sha %s", c.name, e.SHA256)
		}
		if _, err := os.Stat(filepath.Join(f.dir, e.SHA256[:2], e.SHA256)); err != nil {
			t.Errorf("%s: not content-addressed: %v", c.name, err)
		}
		file, err := f.svc.Open(ctx, f.ev.ID, e.ID)
		if err != nil {
			t.Fatalf("%s: open: %v", c.name, err)
		}
		got, _ := io.ReadAll(file)
		file.Close()
		if !bytes.Equal(got, c.data) {
			t.Errorf("%s: read back %d bytes, want %d", c.name, len(got), len(c.data))
		}
	}
	jpg := JPEG(t, 64, 48, color.RGBA{200, 30, 30, 255})
	again, dup, err := f.svc.Attach(ctx, f.upload(jpg))
	if err != nil || !dup {
		t.Fatalf("the same photo again: dup=%v %v", dup, err)
	}
	if n := len(files(t, f.dir)); n != 6 {
		t.Errorf("%d files in the store, want 6 (no copy for the duplicate, no temporary left)", n)
	}
	// A changed file is never served.
	p := filepath.Join(f.dir, again.SHA256[:2], again.SHA256)
	data, _ := os.ReadFile(p)
	data[len(data)-3] ^= 1
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Open(ctx, f.ev.ID, again.ID); skillscore.ErrorCode(err) != skillscore.EConflict || !strings.Contains(err.Error(), "SHA-256") {
		t.Errorf("open a changed file: %v, want EConflict naming the SHA-256", err)
	}
	os.Remove(p)
	if _, err := f.svc.Open(ctx, f.ev.ID, again.ID); skillscore.ErrorCode(err) != skillscore.EUnavailable {
		t.Errorf("open a missing file: %v, want EUnavailable", err)
	}
}

// Hostile and mistaken files are refused with a precise Chinese reason,
// and nothing is stored: no row, no file, no temporary.
func TestAttachRefusesHostileFiles(t *testing.T) {
	f := setup(t, evidence.Limits{PhotoBytes: 1 << 20, ClipBytes: 2 << 20, PerTarget: 3})
	ctx := context.Background()
	jpg := JPEG(t, 64, 48, color.Black)
	truncatedBox := movie("isom")
	binary.BigEndian.PutUint32(truncatedBox[len(truncatedBox)-4008:], 1<<30) // mdat claims 1 GB
	noMoov := append(box("ftyp", []byte("isom\x00\x00\x02\x00isom")), box("mdat", make([]byte, 100))...)
	huge64 := append(box("ftyp", []byte("isom\x00\x00\x02\x00isom")), []byte("\x00\x00\x00\x01mdat\x7f\xff\xff\xff\xff\xff\xff\xff")...)
	for _, c := range []struct {
		name  string
		data  []byte
		code  string
		words string
	}{
		{"zero bytes", nil, skillscore.EInvalid, "文件是空的（0 字节）"},
		{"text named .jpg", []byte("这不是照片，只是一段文字。\n"), skillscore.EInvalid, "文件内容不是照片或视频（按文件内容判断，与扩展名无关）"},
		{"html named .jpg", []byte("<html><script>alert(1)</script></html>"), skillscore.EInvalid, "文件内容不是照片或视频"},
		{"GIF", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), skillscore.EInvalid, "不支持的图片格式（image/gif）"},
		{"HEIC", box("ftyp", []byte("heic\x00\x00\x00\x00mif1heic")), skillscore.EInvalid, "HEIC/HEIF 图片暂不支持"},
		{"JPEG marker then junk", append([]byte("\xff\xd8\xff"), bytes.Repeat([]byte{0x41}, 5000)...), skillscore.EInvalid, "图片已损坏，无法读取尺寸"},
		{"JPEG cut after 200 bytes", jpg[:200], skillscore.EInvalid, "图片已损坏"},
		{"photo over 1 MB", append(append([]byte{}, jpg...), make([]byte, 1<<20)...), skillscore.ETooLarge, "照片超过 1 MB 上限"},
		{"clip over 2 MB", append(movie("isom"), make([]byte, 2<<20)...), skillscore.ETooLarge, "视频超过 2 MB 上限"},
		{"MP4 box past the end", truncatedBox, skillscore.EInvalid, "视频文件不完整或已损坏（数据块长度超出文件）"},
		{"MP4 64-bit box of 2^63", huge64, skillscore.EInvalid, "数据块长度超出文件"},
		{"MP4 without moov", noMoov, skillscore.EInvalid, "缺少 moov 数据块"},
		{"PNG declaring 60000×60000", pngHeader(60000, 60000), skillscore.EInvalid, "图片 60000×60000 像素，超过 25000 万像素上限"},
	} {
		_, _, err := f.svc.Attach(ctx, f.upload(c.data))
		if skillscore.ErrorCode(err) != c.code || !strings.Contains(err.Error(), c.words) {
			t.Errorf("%s: %v, want %s naming %q", c.name, err, c.code, c.words)
		}
	}
	if fs := files(t, f.dir); len(fs) != 0 {
		t.Errorf("refused files left %v in the store", fs)
	}
	if es, err := f.st.EventEvidence(ctx, f.ev.ID, "", 0); err != nil || len(es) != 0 {
		t.Errorf("refused files left %d rows (%v)", len(es), err)
	}

	// The per-target bound refuses before reading: the body is never touched.
	for i := range 3 {
		if _, _, err := f.svc.Attach(ctx, f.upload(JPEG(t, 20+i, 20, color.White))); err != nil {
			t.Fatal(err)
		}
	}
	body := &countingReader{r: bytes.NewReader(JPEG(t, 50, 50, color.White))}
	u := f.upload(nil)
	u.Body = body
	if _, _, err := f.svc.Attach(ctx, u); skillscore.ErrorCode(err) != skillscore.EConflict || !strings.Contains(err.Error(), "每项 3 个的上限") {
		t.Errorf("a fourth file: %v", err)
	}
	if body.n != 0 {
		t.Errorf("a refused target read %d bytes of the body", body.n)
	}
	// A target of another event, or of no kind, is refused before reading too.
	u = f.upload(jpg)
	u.EventID = f.ev.ID + 1000
	if _, _, err := f.svc.Attach(ctx, u); skillscore.ErrorCode(err) != skillscore.ENotFound {
		t.Errorf("a sheet of another event: %v", err)
	}
	u = f.upload(jpg)
	u.TargetKind = "contestant"
	if _, _, err := f.svc.Attach(ctx, u); skillscore.ErrorCode(err) != skillscore.EInvalid {
		t.Errorf("an unknown kind: %v", err)
	}
	// No directory: refused, nothing read.
	none := evidence.New(f.st, "", evidence.Limits{})
	if _, _, err := none.Attach(ctx, f.upload(jpg)); skillscore.ErrorCode(err) != skillscore.EUnavailable {
		t.Errorf("no evidence directory: %v", err)
	}
}

// pngHeader is a PNG whose header declares w×h RGB pixels and whose data
// is a few bytes.
func pngHeader(w, h uint32) []byte {
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
	ihdr[8], ihdr[9] = 8, 2
	chunk("IHDR", ihdr)
	chunk("IDAT", []byte{0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01})
	chunk("IEND", nil)
	return buf.Bytes()
}

type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// Deletion removes the file only when no other attachment names it.
func TestDeleteKeepsSharedFiles(t *testing.T) {
	f := setup(t, evidence.Limits{})
	ctx := context.Background()
	sheets, _ := f.st.Sheets(ctx, f.ev.ID)
	jpg := JPEG(t, 30, 30, color.White)
	a, _, err := f.svc.Attach(ctx, f.upload(jpg))
	if err != nil {
		t.Fatal(err)
	}
	u := f.upload(jpg)
	u.TargetID = sheets[1].ID
	b, _, err := f.svc.Attach(ctx, u)
	if err != nil || b.ID == a.ID {
		t.Fatalf("second target: %+v %v", b, err)
	}
	if _, err := f.svc.Delete(ctx, f.ev.ID, a.ID, "拍错了", "org"); err != nil {
		t.Fatal(err)
	}
	if n := len(files(t, f.dir)); n != 1 {
		t.Fatalf("%d files after deleting one of two attachments, want 1", n)
	}
	if _, err := f.svc.Delete(ctx, f.ev.ID, b.ID, "拍错了", "org"); err != nil {
		t.Fatal(err)
	}
	if n := len(files(t, f.dir)); n != 0 {
		t.Fatalf("%d files after deleting both, want 0", n)
	}
}
