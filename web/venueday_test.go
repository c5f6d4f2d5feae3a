package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"skillscore/internal/testenv"
	"skillscore/judges"
	"skillscore/templates"
	"skillscore/web"
)

// newVenueOffice serves the demo event with every staff page a venue day
// uses: the desk and paper sheets (judging), set-up, the roster.
func newVenueOffice(t *testing.T) *office {
	t.Helper()
	st, ev := testenv.Demo(t)
	addStaff(t, st, "org", "chief", "keeper1", "keeper2")
	tmpl, err := templates.New()
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := judges.New(st, judges.Config{Logger: log})
	t.Cleanup(svc.Close)
	w := web.New(web.Config{Store: st, Templates: tmpl, Logger: log, Judges: svc, Judging: st, Roster: st})
	srv := httptest.NewServer(w)
	t.Cleanup(w.Close)
	t.Cleanup(srv.Close)
	return &office{t: t, st: st, srv: srv, ev: ev}
}

// loginTo logs in through the form without naming a page (as the login
// link does) and returns where the server sends the user.
func loginTo(t *testing.T, b *browser, user string) string {
	t.Helper()
	if code, _ := b.get("/login"); code != 200 {
		t.Fatalf("login page: %d", code)
	}
	resp, err := b.c.PostForm(b.base+"/login", url.Values{"csrf": {b.csrf}, "username": {user}, "password": {"pass-" + user}, "next": {""}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login %s: %d", user, resp.StatusCode)
	}
	return resp.Header.Get("Location")
}

// TestLoginNextStaysOnSite: a next that leads off the site is ignored,
// including one a browser would turn into //evil.example by dropping its
// tab or newline.
func TestLoginNextStaysOnSite(t *testing.T) {
	o := newVenueOffice(t)
	for _, next := range []string{"//evil.example", "https://evil.example", "/\t/evil.example", "/\r\n/evil.example"} {
		b := o.browser()
		b.get("/login")
		resp, err := b.c.PostForm(b.base+"/login", url.Values{"csrf": {b.csrf}, "username": {"chief"}, "password": {"pass-chief"}, "next": {next}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if loc := resp.Header.Get("Location"); strings.Contains(loc, "evil") || !strings.HasPrefix(loc, "/") {
			t.Errorf("login with next %q goes to %q", next, loc)
		}
	}
}

// TestLandingPerRole: after logging in, the organizer lands on the events,
// the chief judge on the desk and a scorekeeper on the paper sheets of the
// one event under way; with two events under way both land on the events
// list, which links their own pages (not 管理, which would refuse them).
func TestLandingPerRole(t *testing.T) {
	o := newVenueOffice(t)
	code := o.ev.Code
	want := map[string]string{"org": "/", "chief": "/events/" + code + "/desk", "keeper1": "/events/" + code + "/paper"}
	for user, page := range want {
		b := o.browser()
		if got := loginTo(t, b, user); got != page {
			t.Fatalf("%s lands on %q, want %q", user, got, page)
		}
		if status, _ := b.get(page); status != 200 {
			t.Fatalf("%s at %s: %d", user, page, status)
		}
	}
	// A page asked for before the login still wins.
	b := o.browser()
	b.get("/login")
	resp, err := b.c.PostForm(b.base+"/login", url.Values{"csrf": {b.csrf}, "username": {"chief"}, "password": {"pass-chief"},
		"next": {"/events/" + code + "/audit"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); loc != "/events/"+code+"/audit" {
		t.Fatalf("login with next: %q", loc)
	}
	org := o.browser()
	loginTo(t, org, "org")
	org.get("/events/new")
	if status, body := org.post("/events/new", url.Values{"csrf": {org.csrf}, "preset": {"scratch"}, "code": {"jx-second-2027"},
		"name": {"第二个赛事"}, "kind": {"competition"}, "occupation": {"养老护理员"}, "year": {"2027"}}); status != http.StatusSeeOther {
		t.Fatalf("second event: %d\n%s", status, body)
	}
	for user, link := range map[string]string{"chief": "desk", "keeper1": "paper"} {
		b := o.browser()
		if got := loginTo(t, b, user); got != "/" {
			t.Fatalf("%s with two events lands on %q, want the list", user, got)
		}
		_, body := b.get("/")
		for _, ev := range []string{code, "jx-second-2027"} {
			if !strings.Contains(body, `href="/events/`+ev+`/`+link+`"`) {
				t.Fatalf("%s's list lacks %s's %s link", user, ev, link)
			}
		}
		if strings.Contains(body, `class="manage"`) || strings.Contains(body, `id="new-event"`) {
			t.Fatalf("%s's list offers the organizer's pages", user)
		}
		if !strings.Contains(body, `id="logout-button"`) {
			t.Fatalf("%s's list has no logout", user)
		}
	}
}

// TestLogoutOverHTTP: the header's form ends the session on the server
// (the old cookie no longer opens a staff page) and returns to the login
// page with a notice; without the page's token it is refused.
func TestLogoutOverHTTP(t *testing.T) {
	o := newVenueOffice(t)
	b := o.browser()
	loginTo(t, b, "chief")
	desk := "/events/" + o.ev.Code + "/desk"
	_, body := b.get(desk)
	m := regexp.MustCompile(`<form method="post" action="/logout"[^>]*>[\s\S]*?name="csrf" value="([^"]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("the desk has no logout form with a token")
	}
	u, _ := url.Parse(o.srv.URL)
	old := b.c.Jar.Cookies(u)
	if status, _ := b.post("/logout", url.Values{"csrf": {"forged"}}); status != http.StatusForbidden {
		t.Fatalf("logout with a forged token: %d", status)
	}
	resp, err := b.c.PostForm(b.base+"/logout", url.Values{"csrf": {m[1]}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != "/login?msg=logged-out" {
		t.Fatalf("logout: %d → %q", resp.StatusCode, loc)
	}
	if _, body := b.get("/login?msg=logged-out"); !strings.Contains(body, "已退出登录") {
		t.Fatal("the login page does not say the user logged out")
	}
	// The old cookie, replayed (a copy kept on a shared PC), opens nothing.
	jar, _ := cookiejar.New(nil)
	jar.SetCookies(u, old)
	replay := &browser{t: t, base: o.srv.URL, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
	if status, _ := replay.get(desk); status != http.StatusSeeOther {
		t.Fatalf("the desk with the logged-out cookie: %d, want the login page", status)
	}
	// Logging out again after the session is gone just returns to the login.
	if status, _ := replay.post("/logout", url.Values{}); status != http.StatusSeeOther {
		t.Fatalf("logout of an ended session: %d", status)
	}
}

// TestNewAssessmentEvent: the 等级认定 template makes an assessment even
// when the 类型 select still says 竞赛 (as it did before any script ran),
// and the set-up page says 职业技能等级认定.
func TestNewAssessmentEvent(t *testing.T) {
	o := newVenueOffice(t)
	org := o.browser()
	loginTo(t, org, "org")
	_, body := org.get("/events/new")
	if !strings.Contains(body, `value="assessment" data-kind="assessment"`) {
		t.Fatal("the assessment template does not carry its kind")
	}
	status, body := org.post("/events/new", url.Values{"csrf": {org.csrf}, "preset": {"assessment"}, "code": {"jx-rd-2027"},
		"name": {"2027年养老护理员技师等级认定"}, "kind": {"competition"}, "occupation": {"养老护理员"}, "year": {"2027"},
		"tier": {"provincial"}, "class": {"two"}})
	if status != http.StatusSeeOther {
		t.Fatalf("create: %d\n%s", status, body)
	}
	ev, err := o.st.EventByCode(context.Background(), "jx-rd-2027")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Kind  string `json:"kind"`
		Level int    `json:"level"`
	}
	if err := json.Unmarshal([]byte(ev.Rules), &doc); err != nil {
		t.Fatal(err)
	}
	if ev.Kind != "assessment" || doc.Kind != "assessment" || doc.Level != 2 || ev.Tier != "" || ev.Class != "" {
		t.Fatalf("stored kind %q, rules kind %q level %d", ev.Kind, doc.Kind, doc.Level)
	}
	if _, body := org.get("/events/jx-rd-2027/setup"); !strings.Contains(body, `<span id="event-kind">职业技能等级认定</span>`) {
		t.Fatal("the set-up page does not say 职业技能等级认定")
	}
	if _, body := org.get("/"); !strings.Contains(body, `<tr data-event="jx-rd-2027">`) ||
		!regexp.MustCompile(`data-event="jx-rd-2027">\s*<td>[^<]*</td><td class="kind">职业技能等级认定</td>`).MatchString(body) {
		t.Fatal("the events list does not show the new event as 职业技能等级认定")
	}
}

// TestPromotionPresetNames: the set-up page offers the promotion presets by
// their Chinese names; the rule document keeps the scoring core's codes.
func TestPromotionPresetNames(t *testing.T) {
	o := newVenueOffice(t)
	org := o.browser()
	loginTo(t, org, "org")
	page := "/events/" + o.ev.Code + "/setup"
	_, body := org.get(page)
	sel := regexp.MustCompile(`(?s)<select name="promotion_preset" id="promotion_preset">(.*?)</select>`).FindStringSubmatch(body)
	if sel == nil {
		t.Fatal("no promotion preset select")
	}
	opts := regexp.MustCompile(`<option value="([^"]*)"[^>]*>([^<]*)</option>`).FindAllStringSubmatch(sel[1], -1)
	if len(opts) != 6 {
		t.Fatalf("%d options: %q", len(opts), opts)
	}
	han := regexp.MustCompile(`\p{Han}`)
	for _, op := range opts {
		if !han.MatchString(op[2]) || regexp.MustCompile(`[a-z]{3,}`).MatchString(op[2]) {
			t.Errorf("option %q shows %q, want a Chinese name", op[1], op[2])
		}
	}
	if !strings.Contains(sel[1], `<option value="provincial_class_two" selected>省级二类竞赛`) {
		t.Fatalf("the demo's preset is not shown selected by its name:\n%s", sel[1])
	}
}

// TestPublishedBeforeAndFavicon: the 公示页, linked from every organizer
// page, says 尚未公示 before publication instead of answering 404, and
// /favicon.ico is a small icon the browser caches and revalidates.
func TestPublishedBeforeAndFavicon(t *testing.T) {
	o := newVenueOffice(t)
	org := o.browser()
	loginTo(t, org, "org")
	if status, body := org.get("/events/" + o.ev.Code + "/published"); status != 200 || !strings.Contains(body, "尚未公示") {
		t.Errorf("the 公示页 before publication: %d, want 200 saying 尚未公示", status)
	}
	resp, err := http.Get(o.srv.URL + "/favicon.ico")
	if err != nil {
		t.Fatal(err)
	}
	ico, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/x-icon" || !bytes.HasPrefix(ico, []byte{0, 0, 1, 0}) ||
		!strings.Contains(resp.Header.Get("Cache-Control"), "max-age=") || len(ico) > 4096 {
		t.Fatalf("/favicon.ico: %d %q %q, %d bytes", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Cache-Control"), len(ico))
	}
	req, _ := http.NewRequest(http.MethodGet, o.srv.URL+"/favicon.ico", nil)
	req.Header.Set("If-None-Match", resp.Header.Get("ETag"))
	again, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	again.Body.Close()
	if again.StatusCode != http.StatusNotModified {
		t.Fatalf("/favicon.ico revalidated: %d, want 304", again.StatusCode)
	}
}

// TestRosterRejectedRows: after a dry run with bad rows the page lists the
// rejected rows first, filters to them, names no English code in its
// banner, and gives them as .xlsx: the file's own header and cells plus a
// 问题 column in Chinese.
func TestRosterRejectedRows(t *testing.T) {
	o := newRosterOffice(t)
	page := "/events/" + o.ev.Code + "/roster"
	org := o.browser()
	org.login("org", "pass-org")
	org.get(page)
	good1, bad, good2 := testID(t, 11), badCheckDigit(testID(t, 22)), testID(t, 31)
	csv := "姓名,性别,身份证号码,工作单位,设区市,组别,备注\r\n" +
		"张三,男," + good1 + ",南昌市第一养老院,南昌市,职工组,\r\n" +
		"李四,女," + bad + ",九江康养中心,九江,职工组,=1+1\r\n" +
		"王五,男," + good2 + ",江西卫生职业学院,赣州,学生组,\r\n" +
		"赵六,男," + good1 + ",萍乡养老院,火星,职工组,重复\r\n"
	resp := org.uploadResp(page+"/upload", "南昌市名单.csv", []byte(csv))
	job := strings.TrimPrefix(resp.Header.Get("Location"), page+"?job=")
	status := "/api/v1/events/" + o.ev.Code + "/roster/jobs/" + job
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, body := org.get(status)
		if !strings.Contains(body, `"state":"running"`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the dry run did not end")
		}
		time.Sleep(20 * time.Millisecond) // polling the job's state, as the page does
	}
	_, body := org.get(page + "?job=" + job)
	banner := regexp.MustCompile(`<p class="error" role="alert" id="job-error">([^<]*)</p>`).FindStringSubmatch(body)
	if banner == nil || regexp.MustCompile(`[A-Za-z]`).MatchString(banner[1]) || !strings.Contains(banner[1], "2 行不合格") {
		t.Fatalf("banner %q, want Chinese only", banner)
	}
	rows := regexp.MustCompile(`<tr data-row="(\d+)" class="(accepted|rejected)"`).FindAllStringSubmatch(body, -1)
	var order []string
	for _, r := range rows {
		order = append(order, r[2]+r[1])
	}
	// Row 5 has two problems (the duplicate ID, the city): one line each.
	if got := strings.Join(order, " "); got != "rejected3 rejected5 rejected5 accepted2 accepted4" {
		t.Fatalf("verdict order %q, want the rejected rows first", got)
	}
	_, only := org.get(page + "?job=" + job + "&show=problems")
	if strings.Contains(only, `class="accepted"`) || !strings.Contains(only, `data-row="3" class="rejected"`) {
		t.Fatal("仅问题行 still lists accepted rows")
	}
	if !strings.Contains(body, `id="download-rejected"`) || !strings.Contains(body, "下载问题行 (.xlsx)") {
		t.Fatal("no download of the rejected rows")
	}
	r, err := org.c.Get(org.base + page + "/jobs/" + job + "/rejected.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(r.Body)
	r.Body.Close()
	if r.StatusCode != 200 || !strings.Contains(r.Header.Get("Content-Disposition"), url.PathEscape("问题行-南昌市名单.xlsx")) {
		t.Fatalf("download: %d %q", r.StatusCode, r.Header.Get("Content-Disposition"))
	}
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := f.GetRows(f.GetSheetList()[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("%d rows, want the header and the 2 rejected rows: %q", len(got), got)
	}
	if h := strings.Join(got[0], ","); h != "姓名,性别,身份证号码,工作单位,设区市,组别,备注,问题" {
		t.Fatalf("header %q", h)
	}
	if c := strings.Join(got[1][:7], ","); c != "李四,女,"+bad+",九江康养中心,九江,职工组,=1+1" {
		t.Fatalf("row 1 cells %q", c)
	}
	if p := got[1][7]; !strings.Contains(p, "原表第 3 行") || !strings.Contains(p, "C 列（身份证号码）") || !strings.Contains(p, "校验位错误") {
		t.Fatalf("row 1 问题 %q", p)
	}
	if p := got[2][7]; got[2][0] != "赵六" || !strings.Contains(p, "原表第 5 行") || !strings.Contains(p, "重复") || !strings.Contains(p, "设区市") {
		t.Fatalf("row 2 %q", got[2])
	}
	if formula, _ := f.GetCellFormula(f.GetSheetList()[0], "G2"); formula != "" {
		t.Fatalf("a cell became a formula: %q", formula)
	}
}
