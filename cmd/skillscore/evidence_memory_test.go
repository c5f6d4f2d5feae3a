package main

import (
	"bytes"
	"context"
	be "encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"skillscore/demo"
	"skillscore/internal/testenv"
	"skillscore/judges"
	"skillscore/store"
	"skillscore/web"
)

// evidenceSlack is how far above its idle peak the server's resident
// memory may go through one evidence upload: files are streamed to disk
// in 32 KB chunks, so an upload of any size costs about the same.
const evidenceSlack = 48 << 10 // KB

// endless is n bytes of a repeated pattern, never held whole.
type endless struct{ n int64 }

func (e *endless) Read(p []byte) (int, error) {
	if e.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > e.n {
		p = p[:e.n]
	}
	for i := range p {
		p[i] = byte(i*7 + 3)
	}
	e.n -= int64(len(p))
	return len(p), nil
}

// TestEvidenceUploadsKeepServerMemoryBounded sends the real server (a
// fresh one for each, so each peak is that upload's) oversize and hostile
// evidence, streamed from the client so neither side holds a file: a
// 200 MB "photo", a 300 MB "clip", a 49 MB MP4 whose box claims 2^63
// bytes, a PNG declaring 60000×60000 pixels, and 200 MB from a judge's
// tablet. Each is refused with its reason, nothing is stored, the server
// still answers, and its peak resident memory (VmHWM) stays within
// evidenceSlack of its idle peak. The figures are in
// docs/oversight-evidence.md.
func TestEvidenceUploadsKeepServerMemoryBounded(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "evidence.db")
	st, err := store.Open(ctx, db, store.Options{Keys: testenv.Keys(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ev, err := demo.Create(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	hash, err := web.HashPassword("chief-pass")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateUser(ctx, store.User{Username: "chief", Name: "裁判长", Role: web.RoleChief, PasswordHash: hash}, "test"); err != nil {
		t.Fatal(err)
	}
	sheets, err := st.Sheets(ctx, ev.ID)
	if err != nil || len(sheets) == 0 {
		t.Fatalf("sheets: %v", err)
	}
	sheet := sheets[0]
	jpegHead := []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
	mp4Head := []byte("\x00\x00\x00\x14ftypisom\x00\x00\x02\x00isom")
	// A box of 2^63-1 bytes, then 49 MB the box walk never reads.
	hostileMP4 := append(append([]byte{}, mp4Head...), []byte("\x00\x00\x00\x01mdat\x7f\xff\xff\xff\xff\xff\xff\xff")...)
	// A well-formed 49 MB clip: ftyp, a movie header, and media data to
	// the end — accepted, and as cheap to receive as a refusal.
	goodClip := append(append([]byte{}, mp4Head...), []byte("\x00\x00\x00\x10moov\x00\x00\x00\x08mvhd")...)
	goodClip = be.BigEndian.AppendUint32(goodClip, 8+49<<20)
	goodClip = append(goodClip, "mdat"...)
	png := pngOf(60000, 60000, []byte{0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01})
	cases := []struct {
		name   string
		head   []byte
		rest   int64
		tablet bool
		status int
		phrase string
	}{
		{"200 MB photo", jpegHead, 200 << 20, false, 413, "照片超过 10 MB 上限"},
		{"300 MB clip", mp4Head, 300 << 20, false, 413, "视频超过 50 MB 上限"},
		{"49 MB MP4 claiming 2^63 bytes", hostileMP4, 49 << 20, false, 400, "数据块长度超出文件"},
		{"PNG declaring 60000×60000", png, 0, false, 400, "60000×60000 像素"},
		{"200 MB from a tablet", jpegHead, 200 << 20, true, 413, "照片超过 10 MB 上限"},
		{"49 MB well-formed clip", goodClip, 49 << 20, false, 200, "已上传并保存"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := start(t, "serve", "--addr", "127.0.0.1:0", "--db", db)
			defer p.stop(t)
			pid := p.cmd.Process.Pid
			idle := peakKB(t, pid)
			var req *http.Request
			client := &http.Client{Timeout: 3 * time.Minute}
			body := io.MultiReader(bytes.NewReader(c.head), &endless{n: c.rest})
			if c.tablet {
				tok := tabletToken(t, st, p.base, sheet.JudgeID)
				module, contestant := sheetNames(t, st, ev.ID, sheet)
				req, _ = http.NewRequest("POST", fmt.Sprintf("%s/api/v1/judge/evidence?module=%s&contestant=%s", p.base, module, contestant), body)
				req.Header.Set("Authorization", "Bearer "+tok)
			} else {
				var csrf string
				client, csrf = session(t, p.base, "chief", "chief-pass", "/events/"+ev.Code+"/evidence")
				client.Timeout = 3 * time.Minute
				pr, pw := io.Pipe()
				mw := multipart.NewWriter(pw)
				go func() {
					mw.WriteField("csrf", csrf)
					mw.WriteField("kind", "sheet")
					mw.WriteField("target", fmt.Sprint(sheet.ID))
					fw, _ := mw.CreateFormFile("file", "photo.jpg")
					_, err := io.Copy(fw, body)
					if err == nil {
						err = mw.Close()
					}
					pw.CloseWithError(err)
				}()
				req, _ = http.NewRequest("POST", p.base+"/events/"+ev.Code+"/evidence", pr)
				req.Header.Set("Content-Type", mw.FormDataContentType())
			}
			began := time.Now()
			resp, err := client.Do(req)
			if err != nil {
				t.Fatalf("%s (did the server die?): %v\n%s", c.name, err, tail(p.stderr.String()))
			}
			page, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			kb := peakKB(t, pid)
			t.Logf("%s: %d, server peak %d MB (idle %d MB), %s", c.name, resp.StatusCode, kb>>10, idle>>10, time.Since(began).Round(time.Millisecond))
			if resp.StatusCode != c.status || !strings.Contains(string(page), c.phrase) {
				t.Errorf("%s: %d, want %d naming %q:\n%s", c.name, resp.StatusCode, c.status, c.phrase, tail(string(page)))
			}
			if kb > idle+evidenceSlack {
				t.Errorf("%s: server peak %d MB, more than %d MB over its idle %d MB", c.name, kb>>10, evidenceSlack>>10, idle>>10)
			}
			if code, body := get(t, p.base+"/healthz"); code != 200 {
				t.Fatalf("%s: /healthz %d %s", c.name, code, body)
			}
		})
	}
	// Only the well-formed clip is stored, under its SHA-256.
	es, err := st.EventEvidence(ctx, ev.ID, "", 0)
	if err != nil || len(es) != 1 || es[0].Media != store.MediaClip || es[0].Size != int64(len(goodClip))+49<<20 {
		t.Fatalf("stored %+v (%v), want the one clip", es, err)
	}
	var files []string
	filepath.WalkDir(filepath.Join(dir, "evidence"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, p)
		}
		return nil
	})
	if len(files) != 1 || filepath.Base(files[0]) != es[0].SHA256 {
		t.Errorf("the evidence directory beside the database holds %v, want the clip's file alone", files)
	}
}

// tabletToken logs a judge's tablet in on the running server.
func tabletToken(t *testing.T, st *store.Store, base string, judgeID int64) string {
	t.Helper()
	svc := judges.New(st, judges.Config{})
	defer svc.Close()
	login, err := svc.IssueLogin(context.Background(), judgeID, "test")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(map[string]string{"ticket": login.Ticket, "pin": login.PIN, "device": "tablet"})
	resp, err := http.Post(base+"/api/v1/judge/login", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var lr struct{ Token string }
	if err := json.NewDecoder(resp.Body).Decode(&lr); err != nil || lr.Token == "" {
		t.Fatalf("tablet login: %d %v", resp.StatusCode, err)
	}
	return lr.Token
}

// sheetNames are a sheet's module and contestant codes, as the tablet
// names them.
func sheetNames(t *testing.T, st *store.Store, eventID int64, sh store.Sheet) (module, contestant string) {
	t.Helper()
	ctx := context.Background()
	mods, _ := st.Modules(ctx, eventID)
	cs, _ := st.Contestants(ctx, eventID)
	for _, m := range mods {
		if m.ID == sh.ModuleID {
			module = m.Code
		}
	}
	for _, c := range cs {
		if c.ID == sh.ContestantID && c.Code != nil {
			contestant = *c.Code
		}
	}
	return module, contestant
}
