package web_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"skillscore/internal/testenv"
	"skillscore/judges"
	"skillscore/photos"
	"skillscore/results"
	"skillscore/sessions"
	"skillscore/store"
	"skillscore/templates"
	"skillscore/web"
)

// admitOffice is an assessment batch served by the real server: four
// candidates (three with photos) with 准考证号, rooms K01 and K02 at one
// 考点, a theory sitting in each room and a practical sitting in K01, as
// the batch seat assignment makes them (sessions with venue = room,
// stations = seats); the staff of the office tests (org, chief, keeper1,
// keeper2) and an observer.
type admitOffice struct {
	*office
	judges  *judges.Service
	cs      []store.Contestant // with their 证件号码 opened
	entryNo map[int64]string
	theory  store.Module
}

func portrait(t *testing.T, tint uint8) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 300, 400))
	for y := range 400 {
		for x := range 300 {
			c := color.RGBA{230, 236, 245, 255}
			if dx, dy := float64(x-150)/85, float64(y-180)/115; dx*dx+dy*dy < 1 {
				c = color.RGBA{tint, 150, 120, 255}
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// batchRules are the batch's rules: theory imported, practical by one
// 考评员 on one judgement aspect; each part passes at 60.
const batchRules = `{"schema": "skillscore.rules/v1", "name": "养老护理员三级认定", "kind": "assessment", "occupation": "养老护理员", "level": 3,
  "groups": [{"code": "g", "name": "考生"}],
  "modules": [{"code": "T", "name": "理论知识", "part": "theory", "weight": 30, "max": 100, "imported": true},
    {"code": "A", "name": "操作技能", "part": "practical", "weight": 70, "max": 100, "panel": {"judges": 1, "method": "mean"},
     "aspects": [{"code": "A1", "name": "照护操作", "kind": "judgement", "max": 100}]}],
  "total": {"rounding": {"mode": "half_up", "places": 1}},
  "pass": {"conditions": [{"part": "theory", "min": 60}, {"part": "practical", "min": 60}]}}`

func newAdmitOffice(t *testing.T) *admitOffice {
	t.Helper()
	ctx := context.Background()
	st := testenv.SQLite(t)
	addStaff(t, st, "org", "chief", "keeper1", "keeper2")
	hash, err := web.HashPassword("pass-observer")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateUser(ctx, store.User{Username: "observer", Name: "观察员", Role: web.RoleObserver, PasswordHash: hash}, "test"); err != nil {
		t.Fatal(err)
	}
	ev, err := st.CreateEvent(ctx, store.NewEvent{Event: store.Event{Code: "jx-rd-2026-07", Name: "2026年第7批养老护理员职业技能等级认定",
		Kind: "assessment", Occupation: "养老护理员", OccupationCode: "4-10-01-05", Level: 3, Year: 2026, StartsOn: "2026-07-10",
		Venue: "江西卫生职业学院", Rules: batchRules},
		Groups: []store.Group{{Code: "g", Name: "考生"}},
		Modules: []store.Module{
			{Code: "T", Name: "理论知识", Kind: "theory", Weight: 300000, MaxMarks: 1000000, Imported: true,
				Aspects: []store.Aspect{{Code: "T", Name: "理论考试", Kind: "measurement", MaxMarks: 1000000}}},
			{Code: "A", Name: "操作技能", Kind: "practical", Weight: 700000, MaxMarks: 1000000,
				Aspects: []store.Aspect{{Code: "A1", Name: "照护操作", Kind: "judgement", MaxMarks: 1000000}}},
		}}, "test")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.SaveBatch(ctx, store.Batch{EventID: ev.ID, BatchNo: "2026-KY-07", PublicityDays: 5, RetakeMonths: 12}, "org"); err != nil {
		t.Fatal(err)
	}
	added, err := st.AddContestants(ctx, ev.ID, []store.Contestant{
		{Name: "李秀英", Gender: "女", IDType: "居民身份证", IDNumber: "36010219900307002X", Organization: "南昌市社会福利院", GroupCode: "g", Level: 4},
		{Name: "王建华", Gender: "男", IDType: "居民身份证", IDNumber: "360402200101010013", Organization: "九江市颐养中心", GroupCode: "g", Level: 4},
		{Name: "张丽", Gender: "女", IDType: "居民身份证", IDNumber: "360102198604050021", Organization: "赣州市养老院", GroupCode: "g", Level: 4},
		{Name: "刘芳", Gender: "女", IDType: "居民身份证", IDNumber: "360103199202020048", Organization: "上饶市护理院", GroupCode: "g", Level: 4},
	}, "test")
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetExamRooms(ctx, ev.ID, []store.ExamRoom{{Code: "K01", Site: "江西卫生职业学院", Name: "第一考场", Seats: 30},
		{Code: "K02", Site: "江西卫生职业学院", Name: "第二考场", Seats: 30}}, "org"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.AssignEntryNumbers(ctx, ev.ID, "org"); err != nil {
		t.Fatal(err)
	}
	lib := photos.New(st, filepath.Join(t.TempDir(), "photos"))
	for i, c := range added[:3] {
		rep, err := lib.Import(ctx, ev.ID, photos.FileBytes(c.IDNumber+".jpg", portrait(t, uint8(150+30*i))), photos.Options{Actor: "org"})
		if err != nil || rep.Rejected > 0 {
			t.Fatalf("photo of %s: %+v %v", c.Name, rep, err)
		}
	}
	cs, err := st.Contestants(ctx, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	people, err := st.SchedulePeople(ctx, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	entryNo := map[int64]string{}
	for _, p := range people {
		entryNo[p.ContestantID] = p.EntryNo
	}
	seat := func(c store.Contestant, station string, order int) sessions.Entry {
		return sessions.Entry{ContestantID: c.ID, Station: station, Order: order}
	}
	err = st.SaveSchedule(ctx, ev.ID, []sessions.Session{
		{Code: "T01", Name: "理论知识 第一考场", Venue: "K01", Module: "T", Stations: []string{"01", "02", "03"}, Day: "2026-07-10",
			Starts: "09:00", Ends: "10:30", Entries: []sessions.Entry{seat(cs[0], "01", 1), seat(cs[1], "02", 2), seat(cs[2], "03", 3)}},
		{Code: "T02", Name: "理论知识 第二考场", Venue: "K02", Module: "T", Stations: []string{"01"}, Day: "2026-07-10",
			Starts: "09:00", Ends: "10:30", Entries: []sessions.Entry{seat(cs[3], "01", 1)}},
		{Code: "P01", Name: "操作技能", Venue: "K01", Module: "A", Stations: []string{"01", "02", "03", "04"}, Day: "2026-07-10",
			Starts: "14:00", Ends: "15:00", Entries: []sessions.Entry{seat(cs[0], "01", 1), seat(cs[1], "02", 2), seat(cs[2], "03", 3), seat(cs[3], "04", 4)}},
	}, "org")
	if err != nil {
		t.Fatal(err)
	}
	mods, err := st.Modules(ctx, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := templates.New()
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := judges.New(st, judges.Config{Logger: log})
	t.Cleanup(svc.Close)
	srv := httptest.NewServer(web.New(web.Config{Store: st, Templates: tmpl, Logger: log, Judges: svc, Judging: st, Photos: lib, Personal: st}))
	t.Cleanup(srv.Close)
	return &admitOffice{office: &office{t: t, st: st, srv: srv, ev: ev}, judges: svc, cs: cs, entryNo: entryNo, theory: mods[0]}
}

// download GETs a file as the browser's user and returns its status and body.
func (b *browser) getFile(path string) (int, []byte) {
	b.t.Helper()
	resp, err := b.c.Get(b.base + path)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, body
}

// readPDF reads a PDF back: its text (pdftotext) and the QR codes on its
// pages rendered at 150 dpi (zbarimg), page by page.
func readPDF(t *testing.T, pdf []byte) (string, []string) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "f.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	text, err := exec.Command("pdftotext", "-layout", path, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v %s", err, text)
	}
	if out, err := exec.Command("pdftoppm", "-r", "150", "-png", path, filepath.Join(dir, "p")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	pngs, _ := filepath.Glob(filepath.Join(dir, "p*.png"))
	slices.Sort(pngs)
	var codes []string
	for _, p := range pngs {
		// Status 4 is "no symbol found": a page without a QR code.
		out, err := exec.Command("zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", p).Output()
		if ee, ok := err.(*exec.ExitError); err != nil && !(ok && ee.ExitCode() == 4) {
			t.Fatalf("zbarimg: %v", err)
		}
		codes = append(codes, strings.Fields(string(out))...)
	}
	return string(text), codes
}

func (o *admitOffice) personalExports(t *testing.T) []store.AuditEntry {
	t.Helper()
	entries, err := o.st.AuditTrail(context.Background(), o.ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	var out []store.AuditEntry
	for _, e := range entries {
		if e.Action == "personal.export" {
			out = append(out, e)
		}
	}
	return out
}

// TestAdmissionPapers: the organizer prints every candidate's 准考证 (one
// page each, masked 证件号码, the sittings, a QR code that is the
// candidate's card token) or one, the 签到表 of a sitting with its
// candidates and the door lists without 证件号码; each personal file is
// audited; the chief and scorekeepers get the page and door lists but not
// the personal files, an observer neither file, and a competition has no
// 准考证.
func TestAdmissionPapers(t *testing.T) {
	o := newAdmitOffice(t)
	base := "/events/" + o.ev.Code + "/batch/admission"
	org := o.browser()
	org.login("org", "pass-org")
	code, body := org.get(base)
	if code != 200 || !strings.Contains(body, "本批次 4 名考生") || !strings.Contains(body, "已有照片 3 人") || !strings.Contains(body, "第二考场") ||
		!strings.Contains(body, "批次号 2026-KY-07") || strings.Contains(body, "尚无准考证号") {
		t.Fatalf("admission page: %d\n%s", code, body)
	}
	code, pdf := org.getFile(base + "/tickets.pdf")
	if code != 200 {
		t.Fatalf("tickets: %d %s", code, pdf)
	}
	text, qrs := readPDF(t, pdf)
	if n := strings.Count(text, "准 考 证"); n != 4 {
		t.Errorf("%d tickets, want 4", n)
	}
	for _, want := range []string{"李秀英", "刘芳", "360***********002X", "养老护理员（4-10-01-05）", "三级/高级工", "批次号 2026-KY-07",
		"第一考场", "第二考场", "江西卫生职业学院", "09:00-10:30", "14:00-15:00", "理论知识", "操作技能", "考生须知"} {
		if !strings.Contains(text, want) {
			t.Errorf("tickets lack %q", want)
		}
	}
	for _, c := range o.cs {
		if strings.Contains(text, c.IDNumber) {
			t.Errorf("a ticket shows %s's full 证件号码", c.Name)
		}
	}
	if t.Failed() {
		t.Log(text)
	}
	// Page by page in 准考证号 order, each QR code the candidate's own token.
	if len(qrs) != 4 {
		t.Fatalf("QR codes %v, want 4", qrs)
	}
	for i, c := range o.cs {
		tok, err := o.st.CardToken(o.ev.ID, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if qrs[i] != tok {
			t.Errorf("page %d's QR %q, want %s's token %q", i+1, qrs[i], c.Name, tok)
		}
	}
	// One candidate's; an unknown number is named.
	code, pdf = org.getFile(base + "/tickets.pdf?entry=" + o.entryNo[o.cs[1].ID])
	if text, qrs = readPDF(t, pdf); code != 200 || strings.Count(text, "准 考 证") != 1 || !strings.Contains(text, "王建华") || len(qrs) != 1 {
		t.Fatalf("one ticket: %d %v\n%s", code, qrs, text)
	}
	if code, pdf = org.getFile(base + "/tickets.pdf?entry=0099"); code != 404 || !strings.Contains(string(pdf), "没有准考证号为 0099 的考生") {
		t.Fatalf("unknown number: %d %s", code, pdf)
	}
	// The 签到表 of T01: its three candidates with a signature column.
	code, pdf = org.getFile(base + "/signin.pdf?session=T01")
	text, _ = readPDF(t, pdf)
	if code != 200 || !strings.Contains(text, "考场签到表") || !strings.Contains(text, "考场：第一考场") || !strings.Contains(text, "张丽") ||
		!strings.Contains(text, "360***********0021") || !strings.Contains(text, "考生签名") || strings.Contains(text, "刘芳") || !strings.Contains(text, "应到 3 人") {
		t.Fatalf("sign-in sheet: %d\n%s", code, text)
	}
	// Every sitting's door list; no 证件号码 at all.
	code, pdf = org.getFile(base + "/doors.pdf")
	text, _ = readPDF(t, pdf)
	if code != 200 || strings.Count(text, "考生名单") != 3 || !strings.Contains(text, "刘芳") || strings.Contains(text, "360") {
		t.Fatalf("door lists: %d\n%s", code, text)
	}
	// The two personal files are audited with whose data they carry.
	ex := o.personalExports(t)
	if len(ex) != 3 || ex[0].Subject != "admission-tickets" || ex[2].Subject != "signin-sheets" {
		t.Fatalf("personal exports: %+v", ex)
	}
	// The rooms' staff: the page and door lists, not the personal files.
	keeper := o.browser()
	keeper.login("keeper1", "pass-keeper1")
	if code, body := keeper.get(base); code != 200 || strings.Contains(body, "tickets.pdf") || strings.Contains(body, "signin.pdf") {
		t.Fatalf("keeper's page: %d", code)
	}
	for path, want := range map[string]int{base + "/tickets.pdf": 403, base + "/signin.pdf": 403, base + "/doors.pdf?session=P01": 200} {
		if code, _ := keeper.getFile(path); code != want {
			t.Errorf("keeper %s: %d, want %d", path, code, want)
		}
	}
	observer := o.browser()
	observer.login("observer", "pass-observer")
	if code, _ := observer.getFile(base + "/tickets.pdf"); code != 403 {
		t.Errorf("observer's tickets: %d", code)
	}
	if code, _ := keeper.post(base+"/numbers", nil); code != 403 {
		t.Errorf("keeper assigns numbers: %d", code)
	}
	// A competition has 参赛证, not 准考证.
	comp, err := o.st.CreateEvent(context.Background(), store.NewEvent{Event: store.Event{Code: "jx-comp", Name: "竞赛", Kind: "competition",
		Occupation: "养老护理员", Year: 2026, Rules: `{"modules":[]}`}, Groups: []store.Group{{Code: "g", Name: "职工组"}}}, "test")
	if err != nil {
		t.Fatal(err)
	}
	if code, body := org.get("/events/" + comp.Code + "/batch/admission"); code != 400 || !strings.Contains(body, "不是等级认定批次") {
		t.Fatalf("competition: %d", code)
	}
}

// TestAdmissionNumbersAndRules: a candidate added later has no 准考证号,
// so no 准考证 prints until the organizer assigns one; the batch's own
// 考生须知 prints on its tickets, and an empty one is the default again.
func TestAdmissionNumbersAndRules(t *testing.T) {
	o := newAdmitOffice(t)
	ctx := context.Background()
	base := "/events/" + o.ev.Code + "/batch/admission"
	if _, err := o.st.AddContestants(ctx, o.ev.ID, []store.Contestant{{Name: "赵敏", Gender: "女", IDType: "居民身份证",
		IDNumber: "360102199001010027", GroupCode: "g", Level: 4}}, "test"); err != nil {
		t.Fatal(err)
	}
	org := o.browser()
	org.login("org", "pass-org")
	if code, body := org.get(base); code != 200 || !strings.Contains(body, "<strong>1</strong> 人尚无准考证号") || !strings.Contains(body, "<strong>1</strong> 人尚未安排考场座位") {
		t.Fatalf("page: %d\n%s", code, body)
	}
	if code, body := org.getFile(base + "/tickets.pdf"); code != 409 || !strings.Contains(string(body), "还有 1 名考生没有准考证号") {
		t.Fatalf("tickets before numbers: %d", code)
	}
	if code, _ := org.post(base+"/numbers", map[string][]string{"csrf": {org.csrf}}); code != 303 {
		t.Fatalf("numbers: %d", code)
	}
	if code, body := org.get(base + "?msg=entry-numbers.1"); code != 200 || !strings.Contains(body, "已为 1 名考生分配准考证号") {
		t.Fatalf("after numbers: %d", code)
	}
	code, pdf := org.getFile(base + "/tickets.pdf?entry=0005")
	text, _ := readPDF(t, pdf)
	if code != 200 || !strings.Contains(text, "赵敏") || !strings.Contains(text, "尚未安排") {
		t.Fatalf("the new candidate's ticket: %d\n%s", code, text)
	}
	if code, _ := org.post(base+"/rules", map[string][]string{"csrf": {org.csrf}, "rules": {"1. 本批次须自带蓝色工作服。\n2. 7:30 开始签到。"}}); code != 303 {
		t.Fatalf("rules: %d", code)
	}
	_, pdf = org.getFile(base + "/tickets.pdf?entry=0001")
	if text, _ = readPDF(t, pdf); !strings.Contains(text, "须自带蓝色工作服") || strings.Contains(text, "二者缺一不得入场") {
		t.Fatalf("own rules not printed:\n%s", text)
	}
	if code, body := org.post(base+"/rules", map[string][]string{"csrf": {org.csrf}, "rules": {strings.Repeat("长", store.MaxAdmissionNotice+1)}}); code != 400 ||
		!strings.Contains(body, "不能超过") {
		t.Fatalf("too long: %d", code)
	}
	if code, _ := org.post(base+"/rules", map[string][]string{"csrf": {org.csrf}, "rules": {""}}); code != 303 {
		t.Fatalf("reset: %d", code)
	}
	_, pdf = org.getFile(base + "/tickets.pdf?entry=0001")
	if text, _ = readPDF(t, pdf); !strings.Contains(text, "二者缺一不得入场") {
		t.Fatalf("default rules not back:\n%s", text)
	}
}

// uploadWith posts a file with more form fields, as the page's form does.
func (b *browser) uploadWith(path, name string, data []byte, fields map[string]string) (int, string) {
	b.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf", b.csrf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	resp, err := b.c.Post(b.base+path, mw.FormDataContentType(), &body)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(out)
}

// TestTheoryImportReconciled: the exam system's .csv by 准考证号, 缺考
// included, is reconciled with the batch's roster on the imports page:
// a candidate the file leaves out refuses it (nothing stored) until the
// organizer allows it, and is then named; 缺考 is the theory part's
// absence, not a 0 and not the candidate's status; a file with mismatches
// names each by its row.
func TestTheoryImportReconciled(t *testing.T) {
	o := newAdmitOffice(t)
	ctx := context.Background()
	base := "/events/" + o.ev.Code + "/imports"
	org := o.browser()
	org.login("org", "pass-org")
	code, body := org.get(base)
	if code != 200 || !strings.Contains(body, "导入成绩与考评员") || !strings.Contains(body, "允许文件缺少名单中的考生") || !strings.Contains(body, "准考证号") {
		t.Fatalf("imports page: %d\n%s", code, body)
	}
	no := func(i int) string { return o.entryNo[o.cs[i].ID] }
	csv := fmt.Sprintf("\ufeff准考证号,姓名,理论成绩\n%s,李秀英,86.5\n%s,王建华,缺考\n%s,张丽,61\n", no(0), no(1), no(2))
	code, body = org.uploadWith(base+"/scores", "理论成绩.csv", []byte(csv), nil)
	if code != 422 || !strings.Contains(body, "名单中有 1 名考生在文件中没有成绩：刘芳（"+no(3)+"）") || !strings.Contains(body, `<td class="num">—</td>`) {
		t.Fatalf("missing candidate: %d\n%s", code, body)
	}
	if got, _ := o.st.ImportedScores(ctx, o.ev.ID); len(got) != 0 {
		t.Fatalf("a refused file stored %d scores", len(got))
	}
	code, body = org.uploadWith(base+"/scores", "理论成绩.csv", []byte(csv), map[string]string{"allow_missing": "1"})
	if code != 200 || !strings.Contains(body, "已导入成绩 3 条（其中缺考 1 条）") || !strings.Contains(body, `id="missing"`) ||
		!strings.Contains(body, "刘芳（准考证号 "+no(3)+"）") {
		t.Fatalf("allowed: %d\n%s", code, body)
	}
	got, err := o.st.ImportedScores(ctx, o.ev.ID)
	if err != nil || len(got) != 3 {
		t.Fatalf("stored %+v %v", got, err)
	}
	for _, sc := range got {
		if sc.ContestantID == o.cs[1].ID && (!sc.Absent || sc.Value != 0) {
			t.Errorf("王建华's 缺考 stored as %+v", sc)
		}
	}
	cs, err := o.st.Contestants(ctx, o.ev.ID)
	if err != nil || cs[1].Status != "" {
		t.Fatalf("缺考 in theory gave the candidate status %q (%v)", cs[1].Status, err)
	}
	// The results say his theory was 缺考, as the part's absence.
	snap, err := o.st.Snapshot(ctx, o.ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	standings, err := results.Compute(snap)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range standings.Result.Contestants {
		if c.ID != results.Key(o.cs[1].ID) {
			continue
		}
		for _, m := range c.Modules {
			if m.Code == "T" && !results.ModuleAbsent(m) {
				t.Errorf("theory of 王建华: %+v", m)
			}
		}
	}
	// Every mismatch of a bad file, each by its row; nothing stored.
	bad := fmt.Sprintf("准考证号,姓名,成绩\n%s,李秀英,90\n0099,无名,80\n%s,王小华,70\n%s,张丽,120\n%s,李秀英,91\n%s,刘芳,缺考\n",
		no(0), no(1), no(2), no(0), no(3))
	code, body = org.uploadWith(base+"/scores", "理论成绩.csv", []byte(bad), nil)
	for _, want := range []string{"准考证号 0099 不在本批次名单中", "姓名 王小华 与名单中该准考证号的姓名 王建华 不符", "成绩 120 超出范围",
		"与第 2 行是同一位考生（李秀英）", "有 5 处错误"} {
		if !strings.Contains(body, want) {
			t.Errorf("bad file: lacks %q", want)
		}
	}
	if code != 422 {
		t.Errorf("bad file: %d", code)
	}
	if got, _ := o.st.ImportedScores(ctx, o.ev.ID); len(got) != 3 || t.Failed() {
		t.Fatalf("after the bad file: %d scores\n%s", len(got), body)
	}
}
