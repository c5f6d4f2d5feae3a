package web_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"skillscore/internal/testenv"
	"skillscore/judges"
	"skillscore/sessions"
	"skillscore/store"
	"skillscore/templates"
	"skillscore/web"
)

// demoSession is the demo's first session, under way: its rows and the
// contestants (with their opened 证件号码) by id.
func demoSession(t *testing.T, o *office) (store.SessionState, map[int64]store.Contestant) {
	t.Helper()
	s, err := o.st.Session(context.Background(), o.ev.ID, "S01")
	if err != nil {
		t.Fatal(err)
	}
	cs, err := o.st.Contestants(context.Background(), o.ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[int64]store.Contestant{}
	for _, c := range cs {
		byID[c.ID] = c
	}
	return s, byID
}

func entryNo(t *testing.T, o *office, id int64) string {
	t.Helper()
	people, err := o.st.SchedulePeople(context.Background(), o.ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range people {
		if p.ContestantID == id {
			return p.EntryNo
		}
	}
	t.Fatalf("no entry number for %d", id)
	return ""
}

func checkins(t *testing.T, o *office) map[string]int {
	t.Helper()
	s, err := o.st.Session(context.Background(), o.ev.ID, "S01")
	if err != nil {
		t.Fatal(err)
	}
	return s.Counts()
}

func TestCheckinPage(t *testing.T) {
	o := newOffice(t)
	sess, byID := demoSession(t, o)
	before := sess.Counts()
	if before[""] < 3 || before[sessions.Present] == 0 || before[sessions.IdentityMismatch] != 1 {
		t.Fatalf("demo session S01: %v", before)
	}
	var pending []store.Contestant
	for _, r := range sess.Rows {
		if r.Outcome == "" {
			pending = append(pending, byID[r.ContestantID])
		}
	}
	base := "/events/" + o.ev.Code
	if code, _ := o.browser().get(base + "/checkin"); code != 303 {
		t.Fatalf("check-in page without login: %d", code)
	}
	keeper := o.browser()
	keeper.login("keeper1", "pass-keeper1")
	code, body := keeper.get(base + "/checkin?s=S01")
	if code != 200 || !strings.Contains(body, pending[0].Name) || !strings.Contains(body, "待检录") || !strings.Contains(body, "人证不符") {
		t.Fatalf("check-in page: %d\n%s", code, body)
	}
	// The page never carries a full 证件号码.
	for _, c := range byID {
		if strings.Contains(body, c.IDNumber) {
			t.Fatalf("page shows %s's 证件号码", c.Name)
		}
	}
	a, b, c3 := pending[0], pending[1], pending[2]
	noA, noB := entryNo(t, o, a.ID), entryNo(t, o, b.ID)
	post := func(form url.Values) (int, string) {
		form.Set("csrf", keeper.csrf)
		if _, ok := form["session"]; !ok {
			form.Set("session", "S01")
		}
		return keeper.post(base+"/checkin", form)
	}
	// Refusals: a precise message on the page, nothing stored.
	for _, c := range []struct {
		form url.Values
		code int
		msg  string
	}{
		{url.Values{"entry_no": {"9999"}, "digits": {"1234"}}, 404, "本赛项没有参赛证号为 9999 的选手"},
		{url.Values{"entry_no": {noA}, "digits": {"12"}}, 400, "请输入证件号码的后 4 位"},
		{url.Values{"token": {"SKC1:1:2:ABCDEF"}}, 400, "签名不符"},
		{url.Values{"entry_no": {noA}, "digits": {"1234"}, "session": {""}}, 400, "请先选择场次"},
	} {
		code, body := post(c.form)
		if code != c.code || !strings.Contains(body, c.msg) || !strings.Contains(body, `id="checkin-error"`) {
			t.Errorf("%v: %d, want %d %q\n%s", c.form, code, c.code, c.msg, body)
		}
	}
	if n := checkins(t, o); n[""] != before[""] {
		t.Fatalf("a refusal stored a check-in: %v", n)
	}
	// Another event's contestant, by their card: refused by name.
	ctx := context.Background()
	other, err := o.st.CreateEvent(ctx, store.NewEvent{Event: store.Event{Code: "jx-other", Name: "江西省健康照护师职业技能竞赛",
		Kind: "competition", Occupation: "健康照护师", Year: 2026, Rules: `{"modules":[]}`},
		Groups: []store.Group{{Code: "employee", Name: "职工组"}}}, "test")
	if err != nil {
		t.Fatal(err)
	}
	stranger, err := o.st.AddContestants(ctx, other.ID, []store.Contestant{{Name: "外赛项选手", Gender: "男", IDType: "护照",
		IDNumber: "E77777777", GroupCode: "employee"}}, "test")
	if err != nil {
		t.Fatal(err)
	}
	tok, err := o.st.CardToken(other.ID, stranger[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if code, body := post(url.Values{"token": {tok}}); code != 400 || !strings.Contains(body, "这张参赛证属于另一赛项（江西省健康照护师职业技能竞赛）") {
		t.Fatalf("another event's card: %d\n%s", code, body)
	}
	if n := checkins(t, o); n[""] != before[""] {
		t.Fatalf("another event's card stored a check-in: %v", n)
	}
	// Right digits: 检录成功.
	last4 := func(c store.Contestant) string { return c.IDNumber[len(c.IDNumber)-4:] }
	if code, _ := post(url.Values{"entry_no": {noA}, "digits": {strings.ToLower(last4(a))}}); code != 303 {
		t.Fatalf("check-in: %d", code)
	}
	_, body = keeper.get(base + "/checkin?s=S01&c=" + strconv.FormatInt(a.ID, 10))
	if !strings.Contains(body, "检录成功") || !strings.Contains(body, `data-outcome="present"`) {
		t.Fatalf("no success shown:\n%s", body)
	}
	// Wrong digits: recorded as 人证不符 and shown so.
	wrong := "0000"
	if last4(b) == wrong {
		wrong = "1111"
	}
	if code, _ := post(url.Values{"entry_no": {noB}, "digits": {wrong}}); code != 303 {
		t.Fatalf("mismatch: %d", code)
	}
	_, body = keeper.get(base + "/checkin?s=S01&c=" + strconv.FormatInt(b.ID, 10))
	if !strings.Contains(body, "人证不符！请裁判长核验证件") || strings.Contains(body, "核验无误，准予参赛") {
		t.Fatalf("mismatch not shown, or a keeper offered the chief's decision:\n%s", body)
	}
	// The QR of the event's own card checks in.
	tokC, _ := o.st.CardToken(o.ev.ID, c3.ID)
	if code, _ := post(url.Values{"token": {tokC}}); code != 303 {
		t.Fatalf("QR check-in: %d", code)
	}
	if n := checkins(t, o); n[sessions.Present] != before[sessions.Present]+2 || n[sessions.IdentityMismatch] != 2 {
		t.Fatalf("stored: %v", n)
	}
	// A keeper can neither decide nor close; the chief can.
	decide := url.Values{"csrf": {keeper.csrf}, "session": {"S01"}, "contestant": {strconv.FormatInt(b.ID, 10)}, "decision": {"admit"}, "note": {"核对原件无误"}}
	if code, _ := keeper.post(base+"/checkin/decide", decide); code != 403 {
		t.Fatalf("keeper decides: %d", code)
	}
	chief := o.browser()
	chief.login("chief", "pass-chief")
	if _, body := chief.get(base + "/checkin?s=S01"); strings.Count(body, "核验无误，准予参赛") != 2 {
		t.Fatalf("the chief is not offered a decision on both 人证不符 rows:\n%s", body)
	}
	decide.Set("csrf", chief.csrf)
	if code, body := chief.post(base+"/checkin/decide", decide); code != 303 {
		t.Fatalf("chief decides: %d %s", code, body)
	}
	code, body = chief.post(base+"/checkin/close", url.Values{"csrf": {chief.csrf}, "session": {"S01"}})
	if code != 200 || !strings.Contains(body, "将记为缺考") || !strings.Contains(body, pending[len(pending)-1].Name) || checkins(t, o)[sessions.Absent] != 0 {
		t.Fatalf("close step 1: %d\n%s", code, body)
	}
	if code, _ := chief.post(base+"/checkin/close", url.Values{"csrf": {chief.csrf}, "session": {"S01"}, "confirm": {"1"}}); code != 303 {
		t.Fatalf("close: %d", code)
	}
	// The demo's 人证不符 nobody admitted and those never checked in are 缺考.
	if n := checkins(t, o); n[sessions.Absent] != before[""]-3+1 || n[sessions.Present] != before[sessions.Present]+3 {
		t.Fatalf("after close: %v", n)
	}
	if code, body := post(url.Values{"entry_no": {noB}, "digits": {last4(b)}}); code != 409 || !strings.Contains(body, "已结束检录") {
		t.Fatalf("check-in after close: %d %s", code, body)
	}
	// The printed 检录表 shows the outcomes.
	resp, err := keeper.c.Get(o.srv.URL + base + "/sessions/S01/checkin.pdf")
	if err != nil {
		t.Fatal(err)
	}
	pdf, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("sheet: %d %s", resp.StatusCode, pdf)
	}
	path := filepath.Join(t.TempDir(), "s.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	text, err := exec.Command("pdftotext", "-layout", path, "-").CombinedOutput()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"检录表", a.Name, noA, "已检录", "缺考"} {
		if !strings.Contains(string(text), want) {
			t.Errorf("sheet lacks %q:\n%s", want, text)
		}
	}
}

// The organizer numbers the contestants, downloads the template, and an
// import with bad rows names each and stores nothing; a good one and a
// generated schedule replace the sessions.
func TestSessionsImportAndGenerate(t *testing.T) {
	o := newOffice(t)
	ctx := context.Background()
	ev, err := o.st.CreateEvent(ctx, store.NewEvent{Event: store.Event{Code: "jx-web-sessions", Name: "江西省养老护理员职业技能竞赛（场次）",
		Kind: "competition", Occupation: "养老护理员", Year: 2026, Rules: `{"modules":[]}`},
		Groups: []store.Group{{Code: "employee", Name: "职工组"}}}, "test")
	if err != nil {
		t.Fatal(err)
	}
	var cs []store.Contestant
	for i := 0; i < 6; i++ {
		cs = append(cs, store.Contestant{Name: "选手" + strconv.Itoa(i+1), Gender: "女", IDType: "护照",
			IDNumber: "E0000000" + strconv.Itoa(i+1), GroupCode: "employee"})
	}
	if _, err := o.st.AddContestants(ctx, ev.ID, cs, "test"); err != nil {
		t.Fatal(err)
	}
	o.ev = ev
	base := "/events/" + ev.Code + "/sessions"
	keeper := o.browser()
	keeper.login("keeper1", "pass-keeper1")
	if code, _ := keeper.get(base); code != 403 {
		t.Fatalf("keeper on the sessions page: %d", code)
	}
	org := o.browser()
	org.login("org", "pass-org")
	if code, body := org.get(base); code != 200 || !strings.Contains(body, "尚无参赛证号") {
		t.Fatalf("sessions page: %d\n%s", code, body)
	}
	if code, _ := org.post(base+"/numbers", url.Values{"csrf": {org.csrf}}); code != 303 {
		t.Fatalf("numbers: %d", code)
	}
	resp, err := org.c.Get(o.srv.URL + base + "/template.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	tmpl, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	f, err := excelize.OpenReader(bytes.NewReader(tmpl))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows("场次安排")
	if len(rows) < 3 || rows[1][9] != "0001" {
		t.Fatalf("template rows: %v", rows)
	}
	fill := func(r int, vals ...any) {
		if err := f.SetSheetRow("场次安排", "A"+strconv.Itoa(r), &vals); err != nil {
			t.Fatal(err)
		}
	}
	fill(2, "S01", "第一场", "一号实训楼", "", "2026-05-20", "08:30", "10:00", "01")
	fill(3, "S01", "第一场", "一号实训楼", "", "2026-05-20", "08:30", "10:00", "01")
	fill(4, "S02", "第二场", "一号实训楼", "", "2026-05-20", "9:70", "10:00", "02")
	var buf bytes.Buffer
	f.WriteTo(&buf)
	code, body := org.postForm(base+"/import", url.Values{"csrf": {org.csrf}}, "file", "场次.xlsx", buf.Bytes())
	if code != 400 || !strings.Contains(body, "第 4 行：时间“9:70–10:00”无效") {
		t.Fatalf("bad import: %d\n%s", code, body)
	}
	// Row-level fine, schedule-level wrong: station 01 twice.
	fill(4, "S02", "第二场", "一号实训楼", "", "2026-05-20", "10:30", "12:00", "02")
	buf.Reset()
	f.WriteTo(&buf)
	code, body = org.postForm(base+"/import", url.Values{"csrf": {org.csrf}}, "file", "场次.xlsx", buf.Bytes())
	if code != 400 || !strings.Contains(body, "场次 S01 的赛位 01 同时安排了") {
		t.Fatalf("double-booked import: %d\n%s", code, body)
	}
	if ss, _ := o.st.Schedule(context.Background(), o.ev.ID); len(ss) != 0 {
		t.Fatalf("a refused import stored %d sessions", len(ss))
	}
	fill(3, "S01", "第一场", "一号实训楼", "", "2026-05-20", "08:30", "10:00", "02")
	buf.Reset()
	f.WriteTo(&buf)
	if code, body := org.postForm(base+"/import", url.Values{"csrf": {org.csrf}}, "file", "场次.xlsx", buf.Bytes()); code != 303 {
		t.Fatalf("import: %d\n%s", code, body)
	}
	if ss, _ := o.st.Schedule(context.Background(), o.ev.ID); len(ss) != 2 || len(ss[0].Rows) != 2 {
		t.Fatalf("imported: %+v", ss)
	}
	gen := url.Values{"csrf": {org.csrf}, "prefix": {"P"}, "name": {"生活照护"}, "venue": {"二号实训楼"}, "stations": {"01,02，03"},
		"day": {"2026-05-21"}, "first": {"08:00"}, "minutes": {"60"}, "gap": {"15"}}
	if code, body := org.post(base+"/generate", gen); code != 303 {
		t.Fatalf("generate: %d %s", code, body)
	}
	code, body = org.get(base)
	if code != 200 || !strings.Contains(body, "P01") || !strings.Contains(body, "09:15–10:15") || !strings.Contains(body, "打印参赛证") {
		t.Fatalf("generated schedule: %d\n%s", code, body)
	}
	// The entry cards' QR codes, read off the printed page, check people in.
	resp, err = org.c.Get(o.srv.URL + base + "/cards.pdf")
	if err != nil {
		t.Fatal(err)
	}
	pdf, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "cards.pdf"), pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("pdftoppm", "-r", "150", "-png", filepath.Join(dir, "cards.pdf"), filepath.Join(dir, "p")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	pngs, _ := filepath.Glob(filepath.Join(dir, "p*.png"))
	var tokens []string
	for _, p := range pngs {
		out, err := exec.Command("zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", p).Output()
		if err != nil {
			t.Fatalf("zbarimg: %v", err)
		}
		tokens = append(tokens, strings.Fields(string(out))...)
	}
	if len(tokens) != len(cs) {
		t.Fatalf("read %d QR codes off %d cards", len(tokens), len(cs))
	}
	for _, c := range cs {
		for _, tok := range tokens {
			if strings.Contains(tok, c.IDNumber) || strings.Contains(tok, c.Name) {
				t.Fatalf("a card's QR carries personal data: %s", tok)
			}
		}
	}
	p01, err := o.st.Session(ctx, ev.ID, "P01")
	if err != nil {
		t.Fatal(err)
	}
	var tok string
	for _, x := range tokens {
		if strings.Contains(x, ":"+strconv.FormatInt(p01.Rows[0].ContestantID, 10)+":") {
			tok = x
		}
	}
	keeper.get("/events/" + ev.Code + "/checkin?s=P01")
	if code, body := keeper.post("/events/"+ev.Code+"/checkin", url.Values{"csrf": {keeper.csrf}, "session": {"P01"}, "token": {tok}}); code != 303 {
		t.Fatalf("check-in by a printed card: %d %s", code, body)
	}
}

func TestCloseSetsAbsentStatus(t *testing.T) {
	st, ev := testenv.Demo(t)
	addStaff(t, st, "chief")
	tmpl, err := templates.New()
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := judges.New(st, judges.Config{Logger: log})
	t.Cleanup(svc.Close)
	srv := httptest.NewServer(web.New(web.Config{Store: st, Templates: tmpl, Logger: log, Judges: svc, Judging: st}))
	t.Cleanup(srv.Close)
	o := &office{t: t, st: st, srv: srv, ev: ev}
	sess, _ := demoSession(t, o)
	var want []string
	inSession := map[int64]bool{}
	for _, r := range sess.Rows {
		inSession[r.ContestantID] = true
		if r.Outcome != sessions.Present {
			want = append(want, fmt.Sprintf("%d absent 场次 S01 检录结束时未检录 chief", r.ContestantID))
		}
	}
	// Contestants with a status before the close (the demo's 缺考 from the
	// theory file) keep theirs.
	before, err := st.Contestants(context.Background(), ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range before {
		if c.Status != "" {
			delete(inSession, c.ID)
			want = slices.DeleteFunc(want, func(w string) bool { return strings.HasPrefix(w, fmt.Sprintf("%d ", c.ID)) })
		}
	}
	chief := o.browser()
	chief.login("chief", "pass-chief")
	chief.get("/events/" + ev.Code + "/checkin?s=S01")
	if code, body := chief.post("/events/"+ev.Code+"/checkin/close", url.Values{"csrf": {chief.csrf}, "session": {"S01"}, "confirm": {"1"}}); code != 303 {
		t.Fatalf("close: %d %s", code, body)
	}
	cs, err := st.Contestants(context.Background(), ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range cs {
		if inSession[c.ID] && c.Status != "" {
			got = append(got, fmt.Sprintf("%d %s %s %s", c.ID, c.Status, c.StatusReason, c.StatusBy))
		}
	}
	slices.Sort(got)
	slices.Sort(want)
	if len(want) == 0 || !slices.Equal(got, want) {
		t.Fatalf("statuses set:\n%v\nwant\n%v", got, want)
	}
}
