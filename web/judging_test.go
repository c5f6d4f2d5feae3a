package web_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"skillscore/demo"
	"skillscore/internal/testenv"
	"skillscore/judges"
	"skillscore/store"
	"skillscore/templates"
	"skillscore/web"
)

type office struct {
	t   *testing.T
	st  *store.Store
	srv *httptest.Server
	ev  store.Event
}

func newOffice(t *testing.T) *office {
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
	srv := httptest.NewServer(web.New(web.Config{Store: st, Templates: tmpl, Logger: log, Judges: svc, Judging: st}))
	t.Cleanup(srv.Close)
	return &office{t: t, st: st, srv: srv, ev: ev}
}

// addStaff creates the logins the tests use, each with the password
// "pass-" + its name: org (organizer), chief, keeper1 and keeper2
// (scorekeepers).
func addStaff(t *testing.T, st *store.Store, names ...string) {
	t.Helper()
	roles := map[string]string{"org": web.RoleOrganizer, "chief": web.RoleChief, "keeper1": web.RoleScorekeeper, "keeper2": web.RoleScorekeeper}
	for _, name := range names {
		hash, err := web.HashPassword("pass-" + name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.CreateUser(context.Background(), store.User{Username: name, Name: name, Role: roles[name], PasswordHash: hash}, "test"); err != nil {
			t.Fatal(err)
		}
	}
}

// browser is an HTTP client with cookies that does not follow redirects.
type browser struct {
	t    *testing.T
	base string
	c    *http.Client
	csrf string
}

func (o *office) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: o.t, base: o.srv.URL, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (b *browser) get(path string) (int, string) {
	b.t.Helper()
	resp, err := b.c.Get(b.base + path)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if m := csrfRE.FindStringSubmatch(string(body)); m != nil {
		b.csrf = m[1]
	}
	return resp.StatusCode, string(body)
}

func (b *browser) post(path string, form url.Values) (int, string) {
	b.t.Helper()
	resp, err := b.c.PostForm(b.base+path, form)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if m := csrfRE.FindStringSubmatch(string(body)); m != nil && resp.StatusCode != 303 {
		b.csrf = m[1]
	}
	return resp.StatusCode, string(body)
}

func (b *browser) login(user, pass string) int {
	b.t.Helper()
	b.get("/login")
	code, _ := b.post("/login", url.Values{"csrf": {b.csrf}, "username": {user}, "password": {pass}, "next": {"/"}})
	return code
}

func TestLoginRolesAndCSRF(t *testing.T) {
	o := newOffice(t)
	desk := "/events/" + demo.EventCode + "/desk"
	anon := o.browser()
	if code, _ := anon.get(desk); code != http.StatusSeeOther {
		t.Fatalf("desk without login: %d, want a redirect to the login page", code)
	}
	if code, body := anon.get("/api/v1/events/" + demo.EventCode + "/desk"); code != 401 || !strings.Contains(body, `"unauthorized"`) {
		t.Fatalf("desk API without login: %d %s", code, body)
	}
	if code := anon.login("chief", "wrong-password"); code != 401 {
		t.Fatalf("wrong password: %d", code)
	}
	// The login form itself is protected: a post without its token fails.
	if code, _ := anon.post("/login", url.Values{"username": {"chief"}, "password": {"pass-chief"}}); code != 403 {
		t.Fatalf("login without the form token: %d", code)
	}
	keeper := o.browser()
	if code := keeper.login("keeper1", "pass-keeper1"); code != http.StatusSeeOther {
		t.Fatalf("keeper login: %d", code)
	}
	if code, _ := keeper.get(desk); code != 403 {
		t.Fatalf("scorekeeper at the chief's desk: %d", code)
	}
	chief := o.browser()
	chief.login("chief", "pass-chief")
	if code, body := chief.get(desk); code != 200 || !strings.Contains(body, "裁判长工作台") {
		t.Fatalf("chief's desk: %d", code)
	}
	if code, _ := chief.get("/events/" + demo.EventCode + "/judges"); code != 403 {
		t.Fatalf("chief on the organizer's judges page: %d", code)
	}
	before, _ := o.st.Sheets(context.Background(), o.ev.ID)
	// A form post without the CSRF token (a forged cross-site form) is refused.
	if code, _ := chief.post("/events/"+demo.EventCode+"/modules/1/signoff", url.Values{}); code != 403 {
		t.Fatalf("post without CSRF: %d", code)
	}
	after, _ := o.st.Sheets(context.Background(), o.ev.ID)
	if len(before) != len(after) {
		t.Fatal("a refused post changed data")
	}
	// Logout ends the session.
	if code, _ := chief.post("/logout", url.Values{"csrf": {chief.csrf}}); code != http.StatusSeeOther {
		t.Fatalf("logout: %d", code)
	}
	if code, _ := chief.get(desk); code != http.StatusSeeOther {
		t.Fatalf("desk after logout: %d", code)
	}
}

func TestPaperDoubleEntryThenChiefLocksAndReopens(t *testing.T) {
	o := newOffice(t)
	ctx := context.Background()
	js, _ := o.st.Judges(ctx, o.ev.ID)
	var j07 store.Judge
	for _, j := range js {
		if j.Code == "J07" {
			j07 = j
		}
	}
	mods, _ := o.st.Modules(ctx, o.ev.ID)
	var modC store.Module
	for _, m := range mods {
		if m.Code == "C" {
			modC = m
		}
	}
	code, cid := emptySheet(t, o.st, o.ev.ID, j07.ID, modC.ID)
	paper := "/events/" + demo.EventCode + "/paper"
	form := func(b *browser, c1 string) url.Values {
		return url.Values{"csrf": {b.csrf}, "module": {"C"}, "judge": {"J07"}, "contestant": {code},
			"v_C1": {c1}, "v_C2": {"1"}, "v_C3": {"2"}, "v_C4": {"3"}, "v_C5": {"2"}, "v_C6": {"1"}}
	}
	k1, k2 := o.browser(), o.browser()
	k1.login("keeper1", "pass-keeper1")
	k2.login("keeper2", "pass-keeper2")
	k1.get(paper)
	k2.get(paper)
	// A paper sheet of a judge recused from the contestant is refused.
	cs, _ := o.st.Contestants(ctx, o.ev.ID)
	for _, c := range cs {
		if judges.ConflictReason(j07, c, "") != "" {
			f := form(k1, "2")
			f.Set("contestant", *c.Code)
			if status, body := k1.post(paper, f); status != 403 || !strings.Contains(body, "回避") {
				t.Fatalf("paper sheet of a recused judge: %d", status)
			}
			break
		}
	}
	// Bad input: nothing stored.
	bad := form(k1, "7")
	if status, body := k1.post(paper, bad); status != 400 || !strings.Contains(body, "录入有误") {
		t.Fatalf("out-of-range paper entry: %d", status)
	}
	if status, body := k1.post(paper, form(k1, "2")); status != 200 || !strings.Contains(body, "第一遍") {
		t.Fatalf("first entry: %d %s", status, body)
	}
	// The same person twice is not double entry.
	if status, body := k1.post(paper, form(k1, "2")); status != 200 || !strings.Contains(body, "第一遍") {
		t.Fatalf("same keeper again: %d", status)
	}
	if len(sheetMarks(t, o.st, o.ev.ID, cid, "J07")) != 0 {
		t.Fatal("marks stored before a second person entered them")
	}
	if status, body := k2.post(paper, form(k2, "3")); status != 409 || !strings.Contains(body, `class="mismatch"`) {
		t.Fatalf("mismatching second entry: %d", status)
	}
	if len(sheetMarks(t, o.st, o.ev.ID, cid, "J07")) != 0 {
		t.Fatal("marks stored although the two entries disagree")
	}
	if status, body := k2.post(paper, form(k2, "2")); status != 200 || !strings.Contains(body, "两遍录入一致") {
		t.Fatalf("agreeing second entry: %d %s", status, body)
	}
	got := sheetMarks(t, o.st, o.ev.ID, cid, "J07")
	if len(got) != 6 || got["C1"] != 20000 || got["C6"] != 10000 {
		t.Fatalf("marks after agreement: %v", got)
	}
	var sheetID int64
	sheets, _ := o.st.Sheets(ctx, o.ev.ID)
	for _, sh := range sheets {
		if sh.ContestantID == cid && sh.JudgeID == j07.ID && sh.ModuleID == modC.ID {
			sheetID = sh.ID
			if sh.Status != "submitted" {
				t.Fatalf("paper sheet status %s, want submitted", sh.Status)
			}
		}
	}

	chief := o.browser()
	chief.login("chief", "pass-chief")
	chief.get("/events/" + demo.EventCode + "/desk")
	sheetPath := "/events/" + demo.EventCode + "/sheets/" + strconv.FormatInt(sheetID, 10)
	if status, _ := chief.post(sheetPath+"/lock", url.Values{"csrf": {chief.csrf}}); status != http.StatusSeeOther {
		t.Fatalf("lock: %d", status)
	}
	if status, _ := chief.post(sheetPath+"/reopen", url.Values{"csrf": {chief.csrf}}); status != 400 {
		t.Fatalf("reopen without a reason: %d", status)
	}
	if status, _ := chief.post(sheetPath+"/reopen", url.Values{"csrf": {chief.csrf}, "reason": {"纸质表誊写错误，复核更正"}}); status != http.StatusSeeOther {
		t.Fatalf("reopen: %d", status)
	}
	// Sign-off needs every sheet locked.
	if status, body := chief.post("/events/"+demo.EventCode+"/modules/"+strconv.FormatInt(modC.ID, 10)+"/signoff",
		url.Values{"csrf": {chief.csrf}}); status != 409 || !strings.Contains(body, "未锁定") {
		t.Fatalf("sign-off with open sheets: %d", status)
	}
	status, body := chief.get("/events/" + demo.EventCode + "/audit?contestant=" + code)
	if status != 200 {
		t.Fatalf("audit page: %d", status)
	}
	for _, want := range []string{"sheet.submit", "sheet.lock", "sheet.reopen", "纸质表誊写错误", "审计链完整", "paper.mismatch"} {
		if !strings.Contains(body, want) {
			t.Errorf("audit for %s lacks %q", code, want)
		}
	}
	// The desk JSON shows the sheet open again, and names contestants by code.
	status, body = chief.get("/api/v1/events/" + demo.EventCode + "/desk")
	if status != 200 || !strings.Contains(body, `"contestant":"`+code+`"`) {
		t.Fatalf("desk API: %d", status)
	}
	for _, c := range cs {
		if strings.Contains(body, c.Name) {
			t.Fatalf("the desk shows the name of %s", *c.Code)
		}
	}
}

func TestOrganizerIssuesCardsRevokesAndAssigns(t *testing.T) {
	o := newOffice(t)
	ctx := context.Background()
	org := o.browser()
	org.login("org", "pass-org")
	page := "/events/" + demo.EventCode + "/judges"
	status, body := org.get(page)
	if status != 200 || !strings.Contains(body, "J01") {
		t.Fatalf("judges page: %d", status)
	}
	js, _ := o.st.Judges(ctx, o.ev.ID)
	j := js[0]
	status, body = org.post(page+"/"+strconv.FormatInt(j.ID, 10)+"/login", url.Values{"csrf": {org.csrf}})
	if status != 200 || !strings.Contains(body, "data:image/png;base64,") || !regexp.MustCompile(`data-pin="\d{6}"`).MatchString(body) {
		t.Fatalf("judge card: %d", status)
	}
	org.get(page)
	if status, body = org.post(page+"/"+strconv.FormatInt(j.ID, 10)+"/revoke", url.Values{"csrf": {org.csrf}}); status != http.StatusSeeOther {
		t.Fatalf("revoke: %d %s", status, body)
	}
	// A conflicting assignment is refused with the reasons, then stored with
	// a written override.
	cs, _ := o.st.Contestants(ctx, o.ev.ID)
	var conflicted store.Contestant
	for _, c := range cs {
		if judges.ConflictReason(j, c, "") != "" {
			conflicted = c
		}
	}
	mods, _ := o.st.Modules(ctx, o.ev.ID)
	var modA store.Module
	for _, m := range mods {
		if m.Code == "A" {
			modA = m
		}
	}
	org.get(page)
	form := url.Values{"csrf": {org.csrf}, "judge": {strconv.FormatInt(j.ID, 10)}, "module": {strconv.FormatInt(modA.ID, 10)},
		"contestants": {*conflicted.Code}}
	if status, body = org.post("/events/"+demo.EventCode+"/assignments", form); status != 409 || !strings.Contains(body, "回避") {
		t.Fatalf("conflicting assignment: %d", status)
	}
	if !strings.Contains(body, `action="/logout"`) {
		t.Error("the refused assignment's page has no 退出登录")
	}
	form.Set("csrf", org.csrf)
	form.Set("override", "经仲裁委员会同意")
	if status, _ = org.post("/events/"+demo.EventCode+"/assignments", form); status != http.StatusSeeOther {
		t.Fatalf("override: %d", status)
	}
}

// TestPaperFirstEntryOnALockedSheetIsRefused: once the chief judge has
// locked a sheet, a scorekeeper's first paper entry of it is refused (409)
// like the second, and nothing of it is kept: after a reopen the next entry
// is a first entry again.
func TestPaperFirstEntryOnALockedSheetIsRefused(t *testing.T) {
	o := newOffice(t)
	ctx := context.Background()
	js, _ := o.st.Judges(ctx, o.ev.ID)
	var j07 store.Judge
	for _, j := range js {
		if j.Code == "J07" {
			j07 = j
		}
	}
	mods, _ := o.st.Modules(ctx, o.ev.ID)
	var modC store.Module
	for _, m := range mods {
		if m.Code == "C" {
			modC = m
		}
	}
	code, cid := emptySheet(t, o.st, o.ev.ID, j07.ID, modC.ID)
	paper := "/events/" + demo.EventCode + "/paper"
	form := func(b *browser, c1 string) url.Values {
		return url.Values{"csrf": {b.csrf}, "module": {"C"}, "judge": {"J07"}, "contestant": {code},
			"v_C1": {c1}, "v_C2": {"1"}, "v_C3": {"2"}, "v_C4": {"3"}, "v_C5": {"2"}, "v_C6": {"1"}}
	}
	k1, k2 := o.browser(), o.browser()
	k1.login("keeper1", "pass-keeper1")
	k2.login("keeper2", "pass-keeper2")
	k1.get(paper)
	k2.get(paper)
	k1.post(paper, form(k1, "2"))
	if status, body := k2.post(paper, form(k2, "2")); status != 200 || !strings.Contains(body, "两遍录入一致") {
		t.Fatalf("agreeing entries: %d", status)
	}
	var sheetID int64
	sheets, _ := o.st.Sheets(ctx, o.ev.ID)
	for _, sh := range sheets {
		if sh.ContestantID == cid && sh.JudgeID == j07.ID && sh.ModuleID == modC.ID {
			sheetID = sh.ID
		}
	}
	if _, _, err := o.st.SetSheetStatus(ctx, o.ev.ID, sheetID, "locked", "", "chief"); err != nil {
		t.Fatal(err)
	}
	snapshot := func() string {
		trail, _ := o.st.AuditFor(ctx, o.ev.ID, code, "")
		ev, _ := o.st.Event(ctx, o.ev.ID)
		return fmt.Sprint(len(trail), ev.Revision, sheetMarks(t, o.st, o.ev.ID, cid, "J07"))
	}
	before := snapshot()
	for _, k := range []*browser{k1, k2} {
		if status, body := k.post(paper, form(k, "3")); status != http.StatusConflict || !strings.Contains(body, "已锁定") {
			t.Fatalf("paper entry on a locked sheet: %d", status)
		}
	}
	if after := snapshot(); after != before {
		t.Fatalf("refused paper entries changed the store:\n%s\n→\n%s", before, after)
	}
	if _, _, err := o.st.SetSheetStatus(ctx, o.ev.ID, sheetID, "open", "纸质表誊写错误，复核更正", "chief"); err != nil {
		t.Fatal(err)
	}
	// Had the refused entries been kept, this one would agree with them.
	if status, body := k2.post(paper, form(k2, "3")); status != 200 || !strings.Contains(body, "第一遍") {
		t.Fatalf("first entry after the reopen: %d", status)
	}
}
