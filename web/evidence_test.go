package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"skillscore/evidence"
	"skillscore/internal/testenv"
	"skillscore/judges"
	"skillscore/store"
	"skillscore/templates"
	"skillscore/web"
)

// evidenceOffice is the demo event with every role the evidence pages
// distinguish, a chief judge of another event, and an evidence store with
// small limits (1 MB photos, 2 MB clips, 5 a target).
type evidenceOffice struct {
	office
	svc   *judges.Service
	dir   string
	sheet store.Sheet // a submitted sheet of the demo event
}

var evidenceUsers = map[string]string{"org": web.RoleOrganizer, "chief": web.RoleChief, "mon": web.RoleMonitor,
	"arb": web.RoleArbiter, "obs": web.RoleObserver, "keeper": web.RoleScorekeeper}

func newEvidenceOffice(t *testing.T) *evidenceOffice {
	t.Helper()
	ctx := context.Background()
	st, ev := testenv.Demo(t)
	for name, role := range evidenceUsers {
		hash, err := web.HashPassword("pass-" + name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.CreateUser(ctx, store.User{Username: name, Name: name, Role: role, PasswordHash: hash}, "test"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.CreateEvent(ctx, store.NewEvent{Event: store.Event{Code: "jx-other", Name: "另一赛项", Kind: "competition",
		Occupation: "育婴员", Year: 2026, Rules: ev.Rules}}, "test"); err != nil {
		t.Fatal(err)
	}
	hash, _ := web.HashPassword("pass-chief-x")
	if _, err := st.CreateUserWithGrant(ctx, store.User{Username: "chief-x", Name: "他项裁判长", Role: web.RoleChief, PasswordHash: hash},
		store.Grant{Role: web.RoleChief, EventCode: "jx-other"}, "test"); err != nil {
		t.Fatal(err)
	}
	tmpl, err := templates.New()
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := judges.New(st, judges.Config{Logger: log})
	t.Cleanup(svc.Close)
	dir := filepath.Join(t.TempDir(), "evidence")
	ev2 := evidence.New(st, dir, evidence.Limits{PhotoBytes: 1 << 20, ClipBytes: 2 << 20, PerTarget: 5})
	srv := httptest.NewServer(web.New(web.Config{Store: st, Templates: tmpl, Logger: log, Judges: svc, Judging: st, Evidence: ev2}))
	t.Cleanup(srv.Close)
	sheets, err := st.Sheets(ctx, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	o := &evidenceOffice{office: office{t: t, st: st, srv: srv, ev: ev}, svc: svc, dir: dir}
	for _, sh := range sheets {
		if sh.Status == "submitted" {
			o.sheet = sh
			break
		}
	}
	if o.sheet.ID == 0 {
		t.Fatal("the demo has no submitted sheet")
	}
	return o
}

func (o *evidenceOffice) as(name string) *browser {
	b := o.browser()
	if code := b.login(name, "pass-"+name); code != http.StatusSeeOther {
		o.t.Fatalf("login %s: %d", name, code)
	}
	return b
}

// photo is a real JPEG; seed varies its pixels (and so its SHA-256).
func photo(t testing.TB, seed uint8) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for y := range 48 {
		for x := range 64 {
			img.Set(x, y, color.RGBA{seed, uint8(x * 4), uint8(y * 5), 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// attach posts the staff page's form as a browser does: fields first,
// then the file.
func (b *browser) attach(code, kind string, target int64, note, name string, data []byte) (int, string, string) {
	b.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf", b.csrf)
	mw.WriteField("kind", kind)
	mw.WriteField("target", fmt.Sprint(target))
	mw.WriteField("note", note)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	resp, err := b.c.Post(b.base+"/events/"+code+"/evidence", mw.FormDataContentType(), &body)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(out), resp.Header.Get("Location")
}

// stored counts the evidence rows and the files of the store (temporary
// ones included).
func (o *evidenceOffice) stored() (rows, files int) {
	o.t.Helper()
	es, err := o.st.EventEvidence(context.Background(), o.ev.ID, "", 0)
	if err != nil {
		o.t.Fatal(err)
	}
	filepath.WalkDir(o.dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files++
		}
		return nil
	})
	return len(es), files
}

// tabletToken logs a judge's tablet in and returns its bearer token.
func (o *evidenceOffice) tabletToken(judgeID int64) string {
	o.t.Helper()
	login, err := o.svc.IssueLogin(context.Background(), judgeID, "org")
	if err != nil {
		o.t.Fatal(err)
	}
	req, _ := json.Marshal(map[string]string{"ticket": login.Ticket, "pin": login.PIN, "device": "tablet"})
	resp, err := http.Post(o.srv.URL+"/api/v1/judge/login", "application/json", bytes.NewReader(req))
	if err != nil {
		o.t.Fatal(err)
	}
	defer resp.Body.Close()
	var lr struct{ Token string }
	if err := json.NewDecoder(resp.Body).Decode(&lr); err != nil || lr.Token == "" {
		o.t.Fatalf("tablet login: %d %v", resp.StatusCode, err)
	}
	return lr.Token
}

func (o *evidenceOffice) tabletUpload(token, module, contestant string, data []byte) (int, string) {
	o.t.Helper()
	req, _ := http.NewRequest("POST", o.srv.URL+"/api/v1/judge/evidence?module="+url.QueryEscape(module)+"&contestant="+url.QueryEscape(contestant), bytes.NewReader(data))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "image/jpeg")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		o.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(out)
}

// tabletCount asks, as the tablet does, how many photos and clips a
// sheet carries; the body is the JSON answer without its newline.
func (o *evidenceOffice) tabletCount(token, module, contestant string) (int, string) {
	o.t.Helper()
	req, _ := http.NewRequest("GET", o.srv.URL+"/api/v1/judge/evidence?module="+url.QueryEscape(module)+"&contestant="+url.QueryEscape(contestant), nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		o.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(out))
}

// sheetNames are the module code and contestant code of a sheet, as the
// tablet names it.
func (o *evidenceOffice) sheetNames(sh store.Sheet) (string, string) {
	o.t.Helper()
	ctx := context.Background()
	mods, _ := o.st.Modules(ctx, o.ev.ID)
	cs, _ := o.st.Contestants(ctx, o.ev.ID)
	var m, c string
	for _, x := range mods {
		if x.ID == sh.ModuleID {
			m = x.Code
		}
	}
	for _, x := range cs {
		if x.ID == sh.ContestantID && x.Code != nil {
			c = *x.Code
		}
	}
	return m, c
}

// Who may see and attach: the chief judge, 监督, 仲裁 and organizer see
// and attach; observers and scorekeepers of the event get 403, another
// event's chief 404, no login the login page (401 for the upload); a
// judge's tablet attaches to its own sheet only (another's is 404) and
// never reads evidence back. Uploads and deletions are audited; deletion is
// the organizer's, before publication only.
func TestEvidenceAccessByRole(t *testing.T) {
	o := newEvidenceOffice(t)
	ctx := context.Background()
	code := o.ev.Code
	page := "/events/" + code + "/evidence?kind=sheet&target=" + fmt.Sprint(o.sheet.ID)

	chief := o.as("chief")
	if c, body := chief.get(page); c != 200 || !strings.Contains(body, "暂无证据") || !strings.Contains(body, `id="evidence-file"`) {
		t.Fatalf("chief's page: %d\n%s", c, body)
	}
	jpg := photo(t, 1)
	c, body, loc := chief.attach(code, "sheet", o.sheet.ID, "赛位 3 的血压计读数", "现场.jpg", jpg)
	if c != http.StatusSeeOther || !strings.Contains(loc, "msg=evidence-added") {
		t.Fatalf("chief's upload: %d %s\n%s", c, loc, body)
	}
	es, _ := o.st.EventEvidence(ctx, o.ev.ID, "sheet", o.sheet.ID)
	if len(es) != 1 || es[0].CreatedBy != "chief" || es[0].Note != "赛位 3 的血压计读数" {
		t.Fatalf("stored: %+v", es)
	}
	fileURL := fmt.Sprintf("/events/%s/evidence/%d", code, es[0].ID)
	// The same file again: one row.
	if c, _, loc := chief.attach(code, "sheet", o.sheet.ID, "", "again.jpg", jpg); c != 303 || !strings.Contains(loc, "evidence-duplicate") {
		t.Fatalf("duplicate: %d %s", c, loc)
	}
	if rows, files := o.stored(); rows != 1 || files != 1 {
		t.Fatalf("after a duplicate: %d rows, %d files", rows, files)
	}

	for _, name := range []string{"chief", "mon", "arb", "org"} {
		b := chief
		if name != "chief" {
			b = o.as(name)
		}
		if c, body := b.get(page); c != 200 || !strings.Contains(body, "赛位 3 的血压计读数") || !strings.Contains(body, es[0].SHA256) {
			t.Errorf("%s: page %d", name, c)
		}
		resp, err := b.c.Get(b.base + fileURL)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !bytes.Equal(got, jpg) || resp.Header.Get("Content-Type") != "image/jpeg" ||
			resp.Header.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(resp.Header.Get("Cache-Control"), "no-store") {
			t.Errorf("%s: file %d %q, %d bytes", name, resp.StatusCode, resp.Header.Get("Content-Type"), len(got))
		}
	}
	mon := o.as("mon")
	mon.get(page)
	if c, _, _ := mon.attach(code, "sheet", o.sheet.ID, "监督复核时拍的原始记录", "m.jpg", photo(t, 2)); c != 303 {
		t.Fatalf("监督 upload: %d", c)
	}

	// Refused: read-only roles of the event (403), another event's chief
	// (404), no login.
	for name, want := range map[string]int{"obs": 403, "keeper": 403, "chief-x": 404} {
		b := o.browser()
		pass := "pass-" + name
		if b.login(name, pass) != http.StatusSeeOther {
			t.Fatalf("login %s", name)
		}
		b.get("/")
		if c, body := b.get(page); c != want || strings.Contains(body, es[0].SHA256) {
			t.Errorf("%s: page %d, want %d", name, c, want)
		}
		if c, body := b.get(fileURL); c != want || strings.Contains(body, string(jpg[:20])) {
			t.Errorf("%s: file %d, want %d", name, c, want)
		}
		b.csrf = "whatever"
		if c, _, _ := b.attach(code, "sheet", o.sheet.ID, "", "x.jpg", photo(t, 3)); c != want {
			t.Errorf("%s: upload %d, want %d", name, c, want)
		}
	}
	anon := o.browser()
	if c, _ := anon.get(fileURL); c != http.StatusSeeOther {
		t.Errorf("anonymous file: %d, want the login redirect", c)
	}
	if c, _, _ := anon.attach(code, "sheet", o.sheet.ID, "", "x.jpg", photo(t, 3)); c != 401 {
		t.Errorf("anonymous upload: %d, want 401", c)
	}
	// A forged form (no CSRF token) stores nothing.
	forged := o.as("chief")
	forged.csrf = ""
	if c, _, _ := forged.attach(code, "sheet", o.sheet.ID, "", "x.jpg", photo(t, 4)); c != 403 {
		t.Errorf("upload without CSRF: %d", c)
	}
	if rows, files := o.stored(); rows != 2 || files != 2 {
		t.Fatalf("after refusals: %d rows, %d files, want 2 and 2", rows, files)
	}

	// The judge of the sheet attaches from the tablet; another judge
	// cannot, and a tablet token opens no staff page.
	module, contestant := o.sheetNames(o.sheet)
	own := o.tabletToken(o.sheet.JudgeID)
	if c, body := o.tabletUpload(own, module, contestant, photo(t, 5)); c != 200 || !strings.Contains(body, "照片已上传") {
		t.Fatalf("judge's own sheet: %d %s", c, body)
	}
	js, _ := o.st.Judges(ctx, o.ev.ID)
	var other store.Judge
	for _, j := range js {
		if j.ID != o.sheet.JudgeID {
			other = j
			break
		}
	}
	if c, body := o.tabletUpload(o.tabletToken(other.ID), module, contestant, photo(t, 6)); c != 404 {
		t.Errorf("another judge's sheet from a tablet: %d %s", c, body)
	}
	if c, _ := o.tabletUpload("not-a-token", module, contestant, photo(t, 6)); c != 401 {
		t.Errorf("no tablet login: %d", c)
	}
	req, _ := http.NewRequest("GET", o.srv.URL+fileURL, nil)
	req.Header.Set("Authorization", "Bearer "+own)
	if resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req); err != nil || resp.StatusCode != 303 {
		t.Errorf("a judge's token on the staff file: %v %v", resp.StatusCode, err)
	}
	es, _ = o.st.EventEvidence(ctx, o.ev.ID, "", 0)
	if len(es) != 3 || es[2].CreatedBy != fmt.Sprintf("judge:%d", o.sheet.JudgeID) {
		t.Fatalf("after the tablet: %+v", es)
	}
	// The tablet shows how much the sheet carries (all three photos, the
	// chief's too); another judge has no such sheet; no token, no answer.
	if c, body := o.tabletCount(own, module, contestant); c != 200 || body != `{"photos":3,"clips":0}` {
		t.Errorf("count on the judge's sheet: %d %s", c, body)
	}
	if c, body := o.tabletCount(o.tabletToken(other.ID), module, contestant); c != 200 || body != `{"photos":0,"clips":0}` {
		t.Errorf("count for another judge: %d %s", c, body)
	}
	if c, _ := o.tabletCount("not-a-token", module, contestant); c != 401 {
		t.Errorf("count without a tablet login: %d", c)
	}
	if c, _ := o.tabletCount(own, "", contestant); c != 400 {
		t.Errorf("count without a module: %d", c)
	}

	// Deletion: not by the chief; by the organizer with a reason.
	if c, _ := chief.post(fmt.Sprintf("/events/%s/evidence/%d/delete", code, es[1].ID), url.Values{"csrf": {chief.csrf}, "reason": {"x"}}); c != 403 {
		t.Errorf("chief deletes: %d", c)
	}
	org := o.as("org")
	org.get(page)
	if c, body := org.post(fmt.Sprintf("/events/%s/evidence/%d/delete", code, es[1].ID), url.Values{"csrf": {org.csrf}, "reason": {""}}); c != 400 || !strings.Contains(body, "请填写删除理由") {
		t.Errorf("delete without a reason: %d", c)
	}
	if c, _ := org.post(fmt.Sprintf("/events/%s/evidence/%d/delete", code, es[1].ID), url.Values{"csrf": {org.csrf}, "reason": {"拍到了无关人员"}}); c != 303 {
		t.Errorf("organizer deletes: %d", c)
	}
	if rows, files := o.stored(); rows != 2 || files != 2 {
		t.Errorf("after a deletion: %d rows, %d files, want 2 and 2", rows, files)
	}
	trail, _ := o.st.AuditTrail(ctx, o.ev.ID)
	var adds, dels int
	for _, e := range trail {
		switch e.Action {
		case "evidence.add":
			adds++
		case "evidence.delete":
			dels++
			if !strings.Contains(e.Detail, "拍到了无关人员") {
				t.Errorf("deletion audited without its reason: %s", e.Detail)
			}
		}
	}
	if adds != 3 || dels != 1 {
		t.Errorf("audit: %d uploads, %d deletions; want 3 and 1", adds, dels)
	}
}

// Hostile files over HTTP: a text file named .jpg, zero bytes, a photo
// over its bound, a clip with a box past its end: each refused with the
// precise Chinese reason and its status, nothing stored (no row, no file,
// no temporary file).
func TestEvidenceHostileUploads(t *testing.T) {
	o := newEvidenceOffice(t)
	code := o.ev.Code
	chief := o.as("chief")
	chief.get("/events/" + code + "/evidence")
	big := append(photo(t, 1), make([]byte, 1<<20)...)
	mp4 := append([]byte("\x00\x00\x00\x14ftypisom\x00\x00\x02\x00isom"), []byte("\x40\x00\x00\x00mdat0123")...)
	for _, c := range []struct {
		name   string
		data   []byte
		status int
		words  string
	}{
		{"证据.jpg", []byte("这不是照片，是一段伪装成照片的文字。"), 400, "文件内容不是照片或视频（按文件内容判断，与扩展名无关）"},
		{"empty.jpg", nil, 400, "文件是空的（0 字节）"},
		{"huge.jpg", big, 413, "照片超过 1 MB 上限"},
		{"clip.mp4", mp4, 400, "视频文件不完整或已损坏"},
		{"anim.gif", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), 400, "不支持的图片格式（image/gif）"},
		{"bad-crc.png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\xea\x60\x00\x00\xea\x60\x08\x02\x00\x00\x00\x00\x00\x00\x00"), 400, "图片已损坏，无法读取尺寸"},
	} {
		st, body, _ := chief.attach(code, "sheet", o.sheet.ID, "", c.name, c.data)
		if st != c.status || !strings.Contains(body, c.words) {
			t.Errorf("%s: %d, want %d naming %q", c.name, st, c.status, c.words)
		}
	}
	if st, body, _ := chief.attach(code, "sheet", 999999, "", "p.jpg", photo(t, 2)); st != 404 || !strings.Contains(body, "没有编号为 999999 的评分表") {
		t.Errorf("unknown sheet: %d", st)
	}
	if st, body, _ := chief.attach(code, "contestant", 1, "", "p.jpg", photo(t, 2)); st != 400 || !strings.Contains(body, "只能附在评分表、公示申诉、赛场记录或现场仲裁上") {
		t.Errorf("unknown kind: %d", st)
	}
	if rows, files := o.stored(); rows != 0 || files != 0 {
		t.Fatalf("hostile uploads stored %d rows and %d files", rows, files)
	}
	// The tablet's route refuses the same way.
	module, contestant := o.sheetNames(o.sheet)
	tok := o.tabletToken(o.sheet.JudgeID)
	if st, body := o.tabletUpload(tok, module, contestant, []byte("<html>not a photo</html>")); st != 400 || !strings.Contains(body, "按文件内容判断") {
		t.Errorf("tablet text: %d %s", st, body)
	}
	if st, body := o.tabletUpload(tok, module, contestant, big); st != 413 || !strings.Contains(body, "照片超过 1 MB 上限") {
		t.Errorf("tablet oversize: %d %s", st, body)
	}
	if rows, files := o.stored(); rows != 0 || files != 0 {
		t.Fatalf("hostile tablet uploads stored %d rows and %d files", rows, files)
	}
}

// Evidence is never public: after photos are attached (with a note
// nobody else would write), no public page or API — results, verify,
// live boards, leaderboards, the published list, the appeal form — shows
// the note, the checksum or an evidence link, at any stage of the event.
func TestEvidenceNeverPublic(t *testing.T) {
	o := newEvidenceOffice(t)
	ctx := context.Background()
	code := o.ev.Code
	chief := o.as("chief")
	chief.get("/events/" + code + "/evidence")
	const note = "仅供仲裁的现场照片说明Q7"
	if c, _, _ := chief.attach(code, "sheet", o.sheet.ID, note, "p.jpg", photo(t, 9)); c != 303 {
		t.Fatalf("upload: %d", c)
	}
	// Every kind of target: an incident (赛场记录) and an on-site 仲裁 case
	// too (the 公示 appeal below, after publication).
	inc, cs := o.evidenceTargets()
	if c, _, _ := chief.attach(code, "incident", inc.ID, note, "i.jpg", photo(t, 10)); c != 303 {
		t.Fatalf("upload on the incident: %d", c)
	}
	if c, _, _ := chief.attach(code, "arbitration", cs.ID, note, "a.jpg", photo(t, 11)); c != 303 {
		t.Fatalf("upload on the case: %d", c)
	}
	es, _ := o.st.EventEvidence(ctx, o.ev.ID, "", 0)
	public := []string{"/", "/events/" + code + "/leaderboard", "/events/" + code + "/phone", "/events/" + code + "/bigscreen",
		"/api/v1/events", "/api/v1/events/" + code + "/standings", "/api/v1/events/" + code + "/board",
		"/events/" + code + "/published", "/events/" + code + "/appeal", "/verify", "/judge"}
	look := func(stage string) {
		t.Helper()
		for _, p := range public {
			resp, err := http.Get(o.srv.URL + p)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			for _, leak := range []string{note, es[0].SHA256, es[1].SHA256, es[2].SHA256, "/evidence/", "/evidence?"} {
				if strings.Contains(string(body), leak) {
					t.Errorf("%s: public %s (%d) shows %q", stage, p, resp.StatusCode, leak)
				}
			}
		}
	}
	look("scoring")
	// Published (公示) once the case is decided, and final: still nothing,
	// and deletion is refused.
	o.decideCase(cs)
	testenv.Decrypted(t, o.st, o.ev.ID)
	now := time.Now()
	if _, err := o.st.PublishResults(ctx, o.ev.ID, now.Add(-time.Hour), now.Add(72*time.Hour), "org"); err != nil {
		t.Fatal(err)
	}
	ap, err := o.st.FileAppeal(ctx, o.ev.ID, store.AppealFiling{ContestantID: o.sheet.ContestantID, Body: "对评分有异议"}, "org")
	if err != nil {
		t.Fatal(err)
	}
	arb := o.as("arb")
	arb.get("/events/" + code + "/evidence")
	clip := append(append([]byte("\x00\x00\x00\x14ftypisom\x00\x00\x02\x00isom"), []byte("\x00\x00\x00\x10moov\x00\x00\x00\x08mvhd")...), []byte("\x00\x00\x00\x0cmdat1234")...)
	if c, body, _ := arb.attach(code, "appeal", ap.ID, note, "hearing.mp4", clip); c != 303 {
		t.Fatalf("仲裁 attaches a clip to the appeal: %d\n%s", c, body)
	}
	if c, body := arb.get(fmt.Sprintf("/events/%s/evidence?kind=appeal&target=%d", code, ap.ID)); c != 200 || !strings.Contains(body, "<video") || !strings.Contains(body, "公示申诉") {
		t.Fatalf("appeal evidence page: %d", c)
	}
	look("publication")
	org := o.as("org")
	org.get("/events/" + code + "/evidence")
	if c, body := org.post(fmt.Sprintf("/events/%s/evidence/%d/delete", code, es[0].ID), url.Values{"csrf": {org.csrf}, "reason": {"重复"}}); c != 409 || !strings.Contains(body, "不能删除") {
		t.Errorf("delete after publication: %d", c)
	}
}
