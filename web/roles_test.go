package web_test

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"reflect"
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

// scopedOffice: the demo event D and a small event C in programme "q", a
// small event A in programme "p", and users scoped to each.
type scopedOffice struct {
	office
	web  *web.Server
	a, c store.Event
}

// scopedUsers: username → role and scope ("event:CODE", "programme:CODE"),
// each with the password "pass-" + username.
var scopedUsers = map[string][2]string{
	"org-a":   {web.RoleOrganizer, "event:jx-a"},
	"chief-a": {web.RoleChief, "event:jx-a"},
	"keep-a":  {web.RoleScorekeeper, "event:jx-a"},
	"obs-a":   {web.RoleObserver, "event:jx-a"},
	"porg-p":  {web.RoleOrganizer, "programme:p"},
	"pobs-p":  {web.RoleObserver, "programme:p"},
	"chief-d": {web.RoleChief, "event:" + demo.EventCode},
	"obs-d":   {web.RoleObserver, "event:" + demo.EventCode},
	"porg-q":  {web.RoleOrganizer, "programme:q"},
}

func newScopedOffice(t *testing.T) *scopedOffice {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "test.db")
	st, err := store.Open(ctx, "sqlite:"+path, store.Options{Keys: testenv.Keys(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	d, err := demo.Create(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	small := func(code string) store.Event {
		ev, err := st.CreateEvent(ctx, store.NewEvent{Event: store.Event{Code: code, Name: "赛项 " + code, Kind: "competition",
			Occupation: "育婴员", Year: 2026, Rules: d.Rules}}, "test")
		if err != nil {
			t.Fatal(err)
		}
		return ev
	}
	a, c := small("jx-a"), small("jx-c")
	// The programme store API is another part's; the rows are written here.
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{
		`INSERT INTO programmes (code, name, year, rules, created_at, updated_at) VALUES ('p', '大赛 P', 2026, '{}', 0, 0), ('q', '大赛 Q', 2026, '{}', 0, 0)`,
		`UPDATE events SET programme_id = (SELECT id FROM programmes WHERE code = 'p') WHERE code = 'jx-a'`,
		`UPDATE events SET programme_id = (SELECT id FROM programmes WHERE code = 'q') WHERE code IN ('jx-c', '` + demo.EventCode + `')`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	addStaff(t, st, "org")
	hash, err := web.HashPassword("pass-scoped")
	if err != nil {
		t.Fatal(err)
	}
	for name, rs := range scopedUsers {
		g := store.Grant{Role: rs[0]}
		kind, code, _ := strings.Cut(rs[1], ":")
		if kind == "event" {
			g.EventCode = code
		} else {
			g.ProgrammeCode = code
		}
		if _, err := st.CreateUserWithGrant(ctx, store.User{Username: name, Name: name, Role: rs[0], PasswordHash: hash}, g, "test"); err != nil {
			t.Fatal(err)
		}
	}
	tmpl, err := templates.New()
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := judges.New(st, judges.Config{Logger: log})
	t.Cleanup(svc.Close)
	w := web.New(web.Config{Store: st, Templates: tmpl, Logger: log, Judges: svc, Judging: st, Programmes: st})
	srv := httptest.NewServer(w)
	t.Cleanup(srv.Close)
	return &scopedOffice{office: office{t: t, st: st, srv: srv, ev: d}, web: w, a: a, c: c}
}

// as logs a scoped user in; its CSRF token comes from the events page.
func (o *scopedOffice) as(name string) *browser {
	b := o.browser()
	if code := b.login(name, "pass-scoped"); code != http.StatusSeeOther {
		o.t.Fatalf("login %s: %d", name, code)
	}
	b.get("/")
	return b
}

// do sends a request with the session's CSRF token in the header, so a
// refusal is the scope check's and not the token's.
func (b *browser) do(method, path string, form url.Values) (int, string) {
	b.t.Helper()
	req, err := http.NewRequest(method, b.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-CSRF-Token", b.csrf)
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// publicRoutes are the routes anyone may use (spectators, contestants,
// judge tablets with their own tokens, the login itself). Every other
// route registered in routes.go is walked by TestNoRouteCrossesScope.
var publicRoutes = map[string]bool{
	"GET /{$}": true, "GET /events/{code}/leaderboard": true, "GET /api/v1/events": true,
	"GET /api/v1/events/{code}/standings": true, "GET /events/{code}/bigscreen": true, "GET /events/{code}/phone": true,
	"GET /api/v1/events/{code}/live": true, "GET /api/v1/events/{code}/board": true,
	"GET /verify": true, "POST /verify": true, "GET /api/v1/certificates/verify": true, "POST /api/v1/certificates/verify": true,
	"GET " + web.KeysPath: true, "GET /login": true, "POST /login": true, "POST /logout": true,
	"GET /judge": true, "POST /api/v1/judge/login": true, "GET /api/v1/judge/ws": true, "POST /api/v1/judge/sync": true,
	"GET /api/v1/judge/state": true,
	// The 赛场记录 on the judge's tablet: the judge's login, not a user's.
	"GET /api/v1/judge/incidents": true, "POST /api/v1/judge/incidents": true, "POST /api/v1/judge/incidents/{incident}/ack": true,
	"POST /api/v1/judge/incidents/{incident}/evidence": true, "GET /events/{code}/appeal": true, "POST /events/{code}/appeal": true,
	"POST /api/v1/judge/evidence":    true, // the tablet camera, by the judge's token (issue 16 evidence)
	"GET /api/v1/judge/evidence":     true, // how many photos and clips the judge's own sheet carries, by the token
	"POST /api/v1/judge/signing-key": true, // the judge sets their own signing PIN, by the tablet's token
	"GET /events/{code}/published":   true, "GET /healthz": true,
	// A programme's public overview, big screen and their board (long poll
	// and websocket).
	"GET /programmes/{programme}": true, "GET /programmes/{programme}/bigscreen": true,
	"GET /api/v1/programmes/{programme}/board": true, "GET /api/v1/programmes/{programme}/live": true,
	// A contestant's own 成绩单 (by 证件号码 + 姓名) and a judge's own
	// self-review report (by the tablet's token), issue 16.
	"GET /events/{code}/transcript": true, "POST /events/{code}/transcript": true, "POST /events/{code}/transcript.pdf": true,
	"GET /judge/report": true, "GET /api/v1/judge/report": true, "GET /api/v1/judge/report.pdf": true,
}

// scopedAdmin are staff routes an organizer of any scope may open; the
// page then shows only that scope (checked below).
var scopedAdmin = map[string]bool{"GET /users": true}

type storeState struct {
	Audit  int
	Snap   store.Snapshot
	Events []store.Event
	Grants []store.Grant
	Users  []store.User
}

func stateOf(t *testing.T, st *store.Store, eventID int64) storeState {
	t.Helper()
	ctx := context.Background()
	var s storeState
	var err error
	if _, s.Audit, err = st.VerifyAudit(ctx); err != nil {
		t.Fatal(err)
	}
	if s.Snap, err = st.Snapshot(ctx, eventID); err != nil {
		t.Fatal(err)
	}
	if s.Events, err = st.Events(ctx); err != nil {
		t.Fatal(err)
	}
	if s.Grants, err = st.Grants(ctx); err != nil {
		t.Fatal(err)
	}
	if s.Users, err = st.Users(ctx); err != nil {
		t.Fatal(err)
	}
	return s
}

// eventState is one event's data and its audit entries.
type eventState struct {
	Snap  store.Snapshot
	Audit []store.AuditEntry
}

func eventStateOf(t *testing.T, st *store.Store, eventID int64) eventState {
	t.Helper()
	snap, err := st.Snapshot(context.Background(), eventID)
	if err != nil {
		t.Fatal(err)
	}
	audit, err := st.AuditFor(context.Background(), eventID, "", "")
	if err != nil {
		t.Fatal(err)
	}
	return eventState{snap, audit}
}

var pathValueRE = regexp.MustCompile(`\{([a-z$]+)(\.\.\.)?\}`)

// TestNoRouteCrossesScope walks every staff route registered in routes.go
// against the demo event (programme q) as each user scoped to event A or
// programme p: every request is refused (404 for the out-of-scope event or
// programme, 403 for a site-wide route) and nothing in the store changes.
func TestNoRouteCrossesScope(t *testing.T) {
	o := newScopedOffice(t)
	ctx := context.Background()
	sheets, err := o.st.Sheets(ctx, o.ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	sheet := sheets[0].ID
	for _, sh := range sheets {
		if sh.Status == "submitted" {
			sheet = sh.ID
		}
	}
	mods, _ := o.st.Modules(ctx, o.ev.ID)
	js, _ := o.st.Judges(ctx, o.ev.ID)
	cs, _ := o.st.Contestants(ctx, o.ev.ID)
	chiefD, _ := o.st.UserByUsername(ctx, "chief-d")
	gs, _ := o.st.GrantsOf(ctx, chiefD.ID)
	values := map[string]string{
		"code": o.ev.Code, "programme": "q", "sheet": strconv.FormatInt(sheet, 10), "action": "lock",
		"module": strconv.FormatInt(mods[0].ID, 10), "judge": strconv.FormatInt(js[0].ID, 10),
		"id": strconv.FormatInt(cs[0].ID, 10), "grant": strconv.FormatInt(gs[0].ID, 10), "what": "roster.xlsx",
	}
	// A form that would change the demo event if any handler ran it.
	form := url.Values{"role": {web.RoleOrganizer}, "scope": {"event:" + o.ev.Code}, "username": {"chief-a"},
		"password": {"intruder-pass"}, "name": {"闯入者"}, "reason": {"越权"}, "module": {mods[0].Code},
		"contestant": {"001"}, "judge": {js[0].Code}, "year": {"2026"}, "city": {"南昌"}, "target": {"1"}}

	walkers := []string{"org-a", "chief-a", "keep-a", "obs-a", "porg-p", "pobs-p"}
	browsers := map[string]*browser{}
	for _, name := range walkers {
		browsers[name] = o.as(name)
	}
	before := stateOf(t, o.st, o.ev.ID)
	patterns := o.web.RoutePatterns()
	seen := map[string]bool{}
	walked := 0
	for _, p := range patterns {
		seen[p] = true
		if publicRoutes[p] {
			continue
		}
		method, path, ok := strings.Cut(p, " ")
		if !ok {
			t.Fatalf("route %q names no method", p)
		}
		path = pathValueRE.ReplaceAllStringFunc(path, func(m string) string {
			name := pathValueRE.FindStringSubmatch(m)[1]
			if v, ok := values[name]; ok {
				return v
			}
			return "1"
		})
		scoped := strings.Contains(p, "{code}") || strings.Contains(p, "{programme}")
		for _, name := range walkers {
			code, body := browsers[name].do(method, path, form)
			switch {
			case scopedAdmin[p] && code == 200:
				if strings.Contains(body, "chief-d") || strings.Contains(body, "porg-q") {
					t.Errorf("%s by %s shows users of another scope", p, name)
				}
			case scoped && code != 404:
				t.Errorf("%s (%s) by %s: %d, want 404", p, path, name, code)
			case !scoped && code != 403 && code != 404:
				t.Errorf("%s (%s) by %s: %d, want 403", p, path, name, code)
			}
		}
		walked++
	}
	for p := range publicRoutes {
		if !seen[p] {
			t.Errorf("public route %q is not registered", p)
		}
	}
	if walked < 60 {
		t.Fatalf("walked only %d staff routes", walked)
	}
	if after := stateOf(t, o.st, o.ev.ID); !reflect.DeepEqual(before, after) {
		t.Fatalf("refused requests changed the store: audit %d → %d", before.Audit, after.Audit)
	}
	// The same walk through event A's own URLs, as A's organizer, with the
	// demo event's ids (sheets, modules, judges, contestants, grants): what
	// A's handlers do to A is allowed, the demo event must not change.
	beforeD := eventStateOf(t, o.st, o.ev.ID)
	orgA := browsers["org-a"]
	for _, p := range patterns {
		if publicRoutes[p] || !strings.Contains(p, "{code}") {
			continue
		}
		method, path, _ := strings.Cut(p, " ")
		path = pathValueRE.ReplaceAllStringFunc(path, func(m string) string {
			name := pathValueRE.FindStringSubmatch(m)[1]
			if name == "code" {
				return o.a.Code
			}
			if v, ok := values[name]; ok {
				return v
			}
			return "1"
		})
		orgA.do(method, path, form)
	}
	if afterD := eventStateOf(t, o.st, o.ev.ID); !reflect.DeepEqual(beforeD, afterD) {
		t.Fatalf("event A's routes changed the demo event: %d → %d audit entries", len(beforeD.Audit), len(afterD.Audit))
	}
	// An unknown event answers as an out-of-scope one does.
	if code, _ := browsers["chief-a"].do("GET", "/events/no-such-event/desk", nil); code != 404 {
		t.Fatalf("unknown event: %d", code)
	}
	// The chief's unfrozen live view (other packages' routes) checks the
	// event too.
	req := httptest.NewRequest("GET", "/api/v1/events/"+o.ev.Code+"/board?view=chief", nil)
	for _, c := range browsers["chief-a"].c.Jar.Cookies(mustURL(t, o.srv.URL)) {
		req.AddCookie(c)
	}
	req.SetPathValue("code", o.ev.Code)
	if err := o.web.ChiefAuth(req); err == nil {
		t.Fatal("chief of A admitted to D's chief live view")
	}
	req.SetPathValue("code", o.a.Code)
	if err := o.web.ChiefAuth(req); err != nil {
		t.Fatalf("chief of A refused A's chief live view: %v", err)
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestScopedRolesWithinScope: a chief of D does D's chief actions, an
// observer of D reads but cannot post, an organizer of programme q manages
// its events but not programme p's, and an event organizer grants only
// within its event.
func TestScopedRolesWithinScope(t *testing.T) {
	o := newScopedOffice(t)
	ctx := context.Background()
	d := "/events/" + o.ev.Code
	sheets, _ := o.st.Sheets(ctx, o.ev.ID)
	var sheet int64
	for _, sh := range sheets {
		if sh.Status == "submitted" {
			sheet = sh.ID
		}
	}
	if sheet == 0 {
		t.Fatal("the demo has no submitted sheet")
	}

	chief := o.as("chief-d")
	if code, _ := chief.get(d + "/desk"); code != 200 {
		t.Fatalf("chief of D at D's desk: %d", code)
	}
	if code, body := chief.do("POST", "/api/v1"+d+"/sheets/"+strconv.FormatInt(sheet, 10)+"/lock", nil); code != 200 {
		t.Fatalf("chief of D locks a sheet: %d %s", code, body)
	}
	if code, _ := chief.get(d + "/judges"); code != 403 {
		t.Fatalf("chief of D on the organizer's judges page: %d", code)
	}
	if code, _ := chief.get("/events/" + o.a.Code + "/desk"); code != 404 {
		t.Fatalf("chief of D at A's desk: %d", code)
	}
	if _, body := chief.get("/"); strings.Contains(body, `data-event="jx-a"`) || !strings.Contains(body, `data-event="`+o.ev.Code+`"`) {
		t.Fatal("the events page of chief of D lists other events or not D")
	}

	obs := o.as("obs-d")
	for _, p := range []string{d + "/desk", d + "/judges", d + "/results", d + "/audit"} {
		if code, _ := obs.get(p); code != 200 {
			t.Fatalf("observer of D reads %s: %d", p, code)
		}
	}
	// Personal data files are the organizer's, not an observer's.
	for _, p := range []string{d + "/exports/roster.xlsx", d + "/certificates/pdf/1", d + "/roster/jobs/1/rejected.xlsx"} {
		if code, body := obs.get(p); code != 403 || !strings.Contains(body, "观察员、督导员、审核员、监督、仲裁") {
			t.Fatalf("observer of D downloads %s: %d (the refusal names every read-only role?)", p, code)
		}
	}
	before := stateOf(t, o.st, o.ev.ID)
	if code, _ := obs.do("POST", "/api/v1"+d+"/sheets/"+strconv.FormatInt(sheet, 10)+"/reopen", url.Values{"reason": {"x"}}); code != 403 {
		t.Fatalf("observer posts: %d", code)
	}
	if code, _ := obs.do("POST", d+"/results/publish", nil); code != 403 {
		t.Fatalf("observer publishes: %d", code)
	}
	if after := stateOf(t, o.st, o.ev.ID); !reflect.DeepEqual(before, after) {
		t.Fatal("an observer's post changed the store")
	}

	porg := o.as("porg-q")
	for _, p := range []string{d + "/setup", d + "/judges", "/events/" + o.c.Code + "/judges", d + "/desk"} {
		if code, _ := porg.get(p); code != 200 {
			t.Fatalf("organizer of q opens %s: %d", p, code)
		}
	}
	if code, _ := porg.get("/events/" + o.a.Code + "/judges"); code != 404 {
		t.Fatalf("organizer of q at p's event: %d", code)
	}
	if code, _ := porg.get("/statistics"); code != 403 {
		t.Fatalf("organizer of q at the site's statistics: %d", code)
	}
	// Its home page lists its own programme with the organizer's page, not p.
	if _, body := porg.get("/"); !strings.Contains(body, `data-programme="q"`) || !strings.Contains(body, `href="/programmes/q/manage"`) ||
		strings.Contains(body, `data-programme="p"`) {
		t.Fatalf("home page of the organizer of q:\n%s", body)
	}
	// The programme organizer grants in its programme, not outside it.
	if code, body := porg.do("POST", "/users", url.Values{"username": {"chief-c"}, "name": {"丙裁判长"}, "password": {"pass-chief-c"},
		"role": {web.RoleChief}, "scope": {"event:" + o.c.Code}}); code != http.StatusSeeOther {
		t.Fatalf("organizer of q adds a chief of C: %d %s", code, body)
	}
	if code, _ := porg.do("POST", "/users/grants", url.Values{"username": {"chief-c"}, "role": {web.RoleChief},
		"scope": {"event:" + o.a.Code}}); code != 403 {
		t.Fatalf("organizer of q grants on p's event: %d", code)
	}
	if code, body := porg.get("/users"); code != 200 || !strings.Contains(body, "chief-c") || strings.Contains(body, "chief-a") {
		t.Fatalf("users page of organizer of q: %d", code)
	}
	chiefC := o.browser()
	if code := chiefC.login("chief-c", "pass-chief-c"); code != http.StatusSeeOther {
		t.Fatalf("new user logs in: %d", code)
	}
	if code, _ := chiefC.get("/events/" + o.c.Code + "/desk"); code != 200 {
		t.Fatalf("chief of C at C's desk: %d", code)
	}

	// An event organizer grants chief judges of its event, never organizers.
	orgA := o.as("org-a")
	if code, _ := orgA.do("POST", "/users/grants", url.Values{"username": {"chief-c"}, "role": {web.RoleChief},
		"scope": {"event:" + o.a.Code}}); code != http.StatusSeeOther {
		t.Fatalf("organizer of A grants a chief of A: %d", code)
	}
	if code, _ := orgA.do("POST", "/users/grants", url.Values{"username": {"chief-c"}, "role": {web.RoleOrganizer},
		"scope": {"event:" + o.a.Code}}); code != 403 {
		t.Fatalf("organizer of A grants an organizer: %d", code)
	}
	if code, _ := chiefC.get("/events/" + o.a.Code + "/desk"); code != 200 {
		t.Fatalf("chief of C and now A at A's desk: %d", code)
	}
}
