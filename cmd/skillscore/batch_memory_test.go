package main

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"compress/zlib"
	"context"
	be "encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"mime/multipart"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"skillscore/internal/testenv"
	"skillscore/store"
	"skillscore/web"
)

// pngOf is a PNG whose header declares w×h RGB pixels and whose data is
// idat (zlib); the caller decides whether the data fits the header.
func pngOf(w, h uint32, idat []byte) []byte {
	var buf bytes.Buffer
	buf.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		be.Write(&buf, be.BigEndian, uint32(len(data)))
		buf.WriteString(typ)
		buf.Write(data)
		be.Write(&buf, be.BigEndian, crc32.ChecksumIEEE(append([]byte(typ), data...)))
	}
	ihdr := make([]byte, 13)
	be.BigEndian.PutUint32(ihdr[0:], w)
	be.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 2
	chunk("IHDR", ihdr)
	chunk("IDAT", idat)
	chunk("IEND", nil)
	return buf.Bytes()
}

// hostilePhotoZips are the photo uploads an attacker (or a broken tool)
// could send, each within the 20 MB upload bound:
//   - 炸弹.zip: 6,000 entries of 3 MB of zeros each (3 KB compressed), 18 GB
//     declared in all;
//   - 条目过多.zip: 20,001 empty entries;
//   - 巨图.zip: 300 PNGs of 77 bytes declaring 60000×60000 pixels (10.8 GB
//     decoded each);
//   - 最大解码.zip: 12 PNGs of 4000×4000 zero pixels, the largest the
//     bounds decode (48 MB each, about 50 KB compressed), all named after
//     one candidate;
//   - 谎报.zip: an entry whose directory says 1,000 bytes and which
//     inflates to 3 MB.
func hostilePhotoZips(t *testing.T) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	build := func(name string, add func(zw *zip.Writer)) {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		add(zw)
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		if buf.Len() > 20<<20 {
			t.Fatalf("%s is %d MB, over the upload bound", name, buf.Len()>>20)
		}
		out[name] = buf.Bytes()
	}
	var zeros bytes.Buffer
	fw, _ := flate.NewWriter(&zeros, flate.BestCompression)
	fw.Write(make([]byte, 3<<20))
	fw.Close()
	crc := crc32.ChecksumIEEE(make([]byte, 3<<20))
	build("炸弹.zip", func(zw *zip.Writer) {
		for i := range 6000 {
			w, err := zw.CreateRaw(&zip.FileHeader{Name: fmt.Sprintf("%04d.jpg", i), Method: zip.Deflate, CRC32: crc,
				CompressedSize64: uint64(zeros.Len()), UncompressedSize64: 3 << 20})
			if err != nil {
				t.Fatal(err)
			}
			w.Write(zeros.Bytes())
		}
	})
	build("条目过多.zip", func(zw *zip.Writer) {
		for i := range 20001 {
			zw.CreateHeader(&zip.FileHeader{Name: fmt.Sprintf("%05d.jpg", i), Method: zip.Store})
		}
	})
	tiny := pngOf(60000, 60000, []byte{0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01})
	build("巨图.zip", func(zw *zip.Writer) {
		for i := range 300 {
			w, _ := zw.Create(fmt.Sprintf("d%03d/0001.png", i))
			w.Write(tiny)
		}
	})
	var idat bytes.Buffer
	zl, _ := zlib.NewWriterLevel(&idat, zlib.BestCompression)
	zl.Write(make([]byte, 4000*(1+4000*3)))
	zl.Close()
	largest := pngOf(4000, 4000, idat.Bytes())
	build("最大解码.zip", func(zw *zip.Writer) {
		for i := range 12 {
			w, _ := zw.CreateHeader(&zip.FileHeader{Name: fmt.Sprintf("d%02d/0001.png", i), Method: zip.Store})
			w.Write(largest)
		}
	})
	build("谎报.zip", func(zw *zip.Writer) {
		w, _ := zw.CreateRaw(&zip.FileHeader{Name: "0001.jpg", Method: zip.Deflate, CompressedSize64: uint64(zeros.Len()), UncompressedSize64: 1000})
		w.Write(zeros.Bytes())
	})
	return out
}

// TestHostilePhotoZipsKeepServerMemoryBounded uploads each hostile ZIP to
// a batch's photo page on the real server (a fresh one each, so each peak
// is that upload's): each is refused whole or file by file, naming why,
// nothing is stored, the server still answers and its peak resident memory
// stays under the bound every hostile upload is held to.
func TestHostilePhotoZipsKeepServerMemoryBounded(t *testing.T) {
	ctx := context.Background()
	db := "sqlite:" + filepath.Join(t.TempDir(), "photos.db")
	st, err := store.Open(ctx, db, store.Options{Keys: testenv.Keys(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	// No photo spec: the photo store's own bounds, the widest decoding.
	ev, _, err := st.CreateBatch(ctx, store.NewEvent{Event: store.Event{Code: "jx-rd-mem", Name: "照片内存", Kind: "assessment", Occupation: "养老护理员",
		Level: 4, Year: 2026, StartsOn: "2026-06-10", Rules: `{"modules":[]}`}, Groups: []store.Group{{Code: "all", Name: "考生"}}},
		store.Batch{BatchNo: "MEM-1", PublicityDays: 5, RetakeMonths: 12}, nil, "tester")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddContestants(ctx, ev.ID, []store.Contestant{{Name: "考生", Gender: "女", IDType: "居民身份证", IDNumber: cliID(t, 2),
		City: "南昌", GroupCode: "all"}}, "tester"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.AssignEntryNumbers(ctx, ev.ID, "tester"); err != nil {
		t.Fatal(err)
	}
	hash, err := web.HashPassword("organizer-pass")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateUser(ctx, store.User{Username: "org", Name: "组织者", Role: web.RoleOrganizer, PasswordHash: hash}, "test"); err != nil {
		t.Fatal(err)
	}
	zips := hostilePhotoZips(t)
	want := map[string]struct {
		status int
		phrase string
	}{
		"炸弹.zip":   {413, "解压后超过 4096.0 MB 上限"},
		"条目过多.zip": {422, "超过 20000 个"},
		"巨图.zip":   {200, "60000×60000 像素，太大"},
		"最大解码.zip": {200, "有 12 个照片文件"},
		"谎报.zip":   {200, "无法读取文件"},
	}
	for _, name := range []string{"炸弹.zip", "条目过多.zip", "巨图.zip", "最大解码.zip", "谎报.zip"} {
		t.Run(name, func(t *testing.T) {
			data := zips[name]
			p := start(t, "serve", "--addr", "127.0.0.1:0", "--db", db)
			defer p.stop(t)
			org, csrf := session(t, p.base, "org", "organizer-pass", "/events/jx-rd-mem/batch/photos")
			org.Timeout = 3 * time.Minute
			pid := p.cmd.Process.Pid
			idle := peakKB(t, pid)
			var body bytes.Buffer
			mw := multipart.NewWriter(&body)
			mw.WriteField("csrf", csrf)
			fw, _ := mw.CreateFormFile("file", name)
			fw.Write(data)
			mw.Close()
			began := time.Now()
			resp, err := org.Post(p.base+"/events/jx-rd-mem/batch/photos", mw.FormDataContentType(), &body)
			if err != nil {
				t.Fatalf("%s (did the server die?): %v\n%s", name, err, tail(p.stderr.String()))
			}
			page, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			kb := peakKB(t, pid)
			t.Logf("%s (%d KB): %d, server peak %d MB (idle %d MB), %s", name, len(data)>>10, resp.StatusCode, kb>>10, idle>>10,
				time.Since(began).Round(time.Millisecond))
			if w := want[name]; resp.StatusCode != w.status || !strings.Contains(string(page), w.phrase) {
				t.Errorf("%s: %d, want %d naming %q:\n%s", name, resp.StatusCode, w.status, w.phrase, tail(string(page)))
			}
			if kb > maxUploadPeakKB {
				t.Errorf("%s: server peak memory %d MB, over %d MB", name, kb>>10, maxUploadPeakKB>>10)
			}
			if code, body := get(t, p.base+"/healthz"); code != 200 {
				t.Fatalf("%s: /healthz %d %s", name, code, body)
			}
		})
	}
	if ps, err := st.EventPhotos(ctx, ev.ID); err != nil || len(ps) != 0 {
		t.Errorf("hostile uploads stored %d photos (%v)", len(ps), err)
	}
}
