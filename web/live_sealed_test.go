package web_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"skillscore/demo"
	"skillscore/internal/testenv"
	"skillscore/judges"
	"skillscore/live"
	"skillscore/live/livetest"
	"skillscore/scoring"
	"skillscore/store"
	"skillscore/templates"
	"skillscore/web"
)

// sealed is the demo event served with live streams, the organizer's live
// controls and logins, at the event's default settings: judges' marks
// sealed, drafts not public.
type sealed struct {
	t                 *testing.T
	o                 *office
	svc               *live.Service
	ev                store.Event
	anon, org, chief  *browser
	judgeCodes        []string
	modC              store.Module
	contestant        store.Contestant // a contestant nobody has marked in module C yet
	panel             []int64          // the judges assigned to contestant in module C
	standingsPath     string
	leaderboardPath   string
	boardPath         string
	livePath          string
	livePagePaths     []string
	liveControlPrefix string
}

func newSealed(t *testing.T) *sealed {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "sealed.db"), store.Options{Keys: testenv.Keys(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ev, err := demo.Create(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	addStaff(t, st, "org", "chief")
	tmpl, err := templates.New()
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	// Pings every 200 ms: a chief viewer's login is checked again at each pong.
	svc := live.New(live.Config{Source: st, Logger: log, MinInterval: time.Millisecond, PingInterval: 200 * time.Millisecond})
	judgeSvc := judges.New(st, judges.Config{Logger: log})
	t.Cleanup(judgeSvc.Close)
	srv := httptest.NewServer(web.New(web.Config{Store: st, Templates: tmpl, Logger: log, Judges: judgeSvc, Judging: st,
		Live: svc, LiveAdmin: st}))
	t.Cleanup(func() {
		svc.Close()
		srv.Close()
	})
	o := &office{t: t, st: st, srv: srv, ev: ev}
	code := demo.EventCode
	s := &sealed{t: t, o: o, svc: svc, ev: ev, anon: o.browser(), org: o.browser(), chief: o.browser(),
		standingsPath:     "/api/v1/events/" + code + "/standings",
		leaderboardPath:   "/events/" + code + "/leaderboard",
		boardPath:         "/api/v1/events/" + code + "/board",
		livePath:          "/api/v1/events/" + code + "/live",
		livePagePaths:     []string{"/events/" + code + "/phone", "/events/" + code + "/bigscreen"},
		liveControlPrefix: "/api/v1/events/" + code + "/live/",
	}
	if s.org.login("org", "pass-org") != http.StatusSeeOther || s.chief.login("chief", "pass-chief") != http.StatusSeeOther {
		t.Fatal("staff login failed")
	}
	s.org.get("/events/" + code + "/judges") // a page with a form, for the session's form token
	js, err := st.Judges(ctx, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range js {
		s.judgeCodes = append(s.judgeCodes, j.Code)
	}
	mods, _ := st.Modules(ctx, ev.ID)
	for _, m := range mods {
		if m.Code == "C" {
			s.modC = m
		}
	}
	sheets, _ := st.Sheets(ctx, ev.ID)
	started := map[int64]bool{}
	for _, sh := range sheets {
		if sh.ModuleID == s.modC.ID {
			started[sh.ContestantID] = true
		}
	}
	as, _ := st.Assignments(ctx, ev.ID)
	panels := map[int64][]int64{}
	for _, a := range as {
		if a.ModuleID == s.modC.ID && !started[a.ContestantID] {
			panels[a.ContestantID] = append(panels[a.ContestantID], a.JudgeID)
		}
	}
	cs, _ := st.Contestants(ctx, ev.ID)
	for _, c := range cs {
		if len(panels[c.ID]) == 3 {
			s.contestant, s.panel = c, panels[c.ID]
			break
		}
	}
	if s.contestant.ID == 0 {
		t.Fatal("the demo has no unmarked contestant with a full module C panel")
	}
	return s
}

// submit has a judge fill and submit a sheet of module C for the test's
// contestant: every judgement aspect at points, the rest at 0. It returns
// the revision it committed, which the live service has been told of.
func (s *sealed) submit(judgeID int64, points int64) int64 {
	s.t.Helper()
	var ops []store.SheetOp
	for _, a := range s.modC.Aspects {
		v := int64(0)
		if a.Kind == string(scoring.Judgement) {
			v = int64(scoring.Points(points))
		}
		ops = append(ops, store.SheetOp{OpID: fmt.Sprintf("sealed-%d-%d", judgeID, a.ID), Kind: store.OpMark, EventID: s.ev.ID,
			ModuleID: s.modC.ID, ContestantID: s.contestant.ID, JudgeID: judgeID, AspectID: a.ID, Value: v, Actor: "test"})
	}
	ops = append(ops, store.SheetOp{OpID: fmt.Sprintf("sealed-%d-submit", judgeID), Kind: store.OpSubmit, EventID: s.ev.ID,
		ModuleID: s.modC.ID, ContestantID: s.contestant.ID, JudgeID: judgeID, Actor: "test"})
	return s.apply(ops)
}

func (s *sealed) apply(ops []store.SheetOp) int64 {
	s.t.Helper()
	res, err := s.o.st.ApplyOps(context.Background(), ops)
	if err != nil {
		s.t.Fatal(err)
	}
	for _, r := range res {
		if r.Err != nil {
			s.t.Fatalf("sheet op: %v", r.Err)
		}
	}
	rev := res[len(res)-1].Revision
	s.svc.EventChanged(context.Background(), s.ev.ID, rev)
	return rev
}

// views is what anybody without a login gets from every public path.
type views struct {
	standings, leaderboard, board, socket string
	pages                                 []string // phone and big screen
}

func (v views) all() map[string]string {
	out := map[string]string{"standings API": v.standings, "leaderboard page": v.leaderboard, "board JSON": v.board,
		"websocket snapshot": v.socket}
	for i, p := range v.pages {
		out[fmt.Sprintf("live page %d", i)] = p
	}
	return out
}

func (s *sealed) public() views {
	s.t.Helper()
	var v views
	get := func(path string) string {
		s.t.Helper()
		code, body := s.anon.get(path)
		if code != 200 {
			s.t.Fatalf("%s: %d %.300s", path, code, body)
		}
		return body
	}
	v.standings = get(s.standingsPath)
	v.leaderboard = get(s.leaderboardPath)
	v.board = get(s.boardPath)
	for _, p := range s.livePagePaths {
		v.pages = append(v.pages, get(p))
	}
	c, _, err := livetest.Dial(context.Background(), "ws"+strings.TrimPrefix(s.o.srv.URL, "http")+s.livePath)
	if err != nil {
		s.t.Fatal(err)
	}
	defer c.Close()
	m, err := c.Read(10 * time.Second)
	if err != nil {
		s.t.Fatal(err)
	}
	v.socket = string(m.Raw)
	return v
}

// standingsDoc is the part of a standings document the tests read.
type standingsDoc struct {
	Event struct {
		Revision int64 `json:"revision"`
	} `json:"event"`
	Mode        string `json:"mode"`
	Published   bool   `json:"published"`
	Contestants []struct {
		Code  string      `json:"code"`
		Total json.Number `json:"total"`
		Draft bool        `json:"draft"`
	} `json:"contestants"`
	Groups []struct {
		Code   string `json:"code"`
		Hidden int    `json:"hidden"`
	} `json:"groups"`
}

func (s *sealed) doc(b *browser, query string) (standingsDoc, string) {
	s.t.Helper()
	code, body := b.get(s.standingsPath + query)
	var d standingsDoc
	if err := json.Unmarshal([]byte(body), &d); code != 200 || err != nil {
		s.t.Fatalf("standings%s: %d %v %.300s", query, code, err, body)
	}
	return d, body
}

// total is a contestant's total in the chief judge's standings.
func (s *sealed) chiefTotal(code string) (string, bool) {
	s.t.Helper()
	d, _ := s.doc(s.chief, "?view=chief")
	for _, c := range d.Contestants {
		if c.Code == code {
			return c.Total.String(), c.Draft
		}
	}
	s.t.Fatalf("%s is not in the chief judge's standings", code)
	return "", false
}

// waitFor polls a condition the live service reaches asynchronously.
func (s *sealed) waitFor(what string, cond func() bool) {
	s.t.Helper()
	for deadline := time.Now().Add(15 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			s.t.Fatalf("waited 15 s in vain for %s", what)
		}
		time.Sleep(10 * time.Millisecond) // polling a condition, bounded by the deadline
	}
}

func (s *sealed) boardMode() (mode string, rev int64, published bool) {
	s.t.Helper()
	var m livetest.Message
	if err := json.Unmarshal([]byte(s.public().board), &m); err != nil || m.Board == nil {
		s.t.Fatalf("board JSON: %v", err)
	}
	return m.Board.Mode, m.Revision, m.Board.Published
}

func (s *sealed) control(action string, form url.Values) (int, string) {
	s.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf", s.org.csrf)
	return s.org.post(s.liveControlPrefix+action, form)
}

func sameViews(t *testing.T, what string, before, after views) {
	t.Helper()
	b, a := before.all(), after.all()
	for name, was := range b {
		if a[name] != was {
			t.Errorf("%s changed the %s:\nbefore %.600s\nafter  %.600s", what, name, was, a[name])
		}
	}
}

// TestFrozenPublicViewsIgnoreSubmittedMarks: after 封榜 a submitted mark
// that changes a total moves the chief judge's view and nothing public:
// not the standings API, the leaderboard page, the board JSON, a new
// websocket's snapshot or the live pages. The ceremony then reveals the
// same rows on every path.
func TestFrozenPublicViewsIgnoreSubmittedMarks(t *testing.T) {
	s := newSealed(t)
	code := *s.contestant.Code
	s.submit(s.panel[0], 1)
	s.submit(s.panel[1], 2)
	if status, body := s.control("freeze", url.Values{"reason": {"测试：实操C模块仍在评分"}}); status != 200 {
		t.Fatalf("freeze: %d %s", status, body)
	}
	s.waitFor("the frozen public board", func() bool { mode, _, _ := s.boardMode(); return mode == live.ModeFrozen })
	before := s.public()
	chiefBefore, _ := s.chiefTotal(code)

	rev := s.submit(s.panel[2], 3)
	s.waitFor("the chief judge's view of the new mark", func() bool { total, _ := s.chiefTotal(code); return total != chiefBefore })
	d, _ := s.doc(s.chief, "?view=chief")
	if d.Event.Revision < rev {
		t.Fatalf("the chief judge's view is at revision %d, the mark at %d", d.Event.Revision, rev)
	}
	sameViews(t, "a submitted mark after the freeze", before, s.public())

	// The ceremony reveals the last place of each group, on every path alike.
	if status, body := s.control("reveal", url.Values{"step": {"1"}, "reason": {"测试：实操C模块仍在评分"}}); status != 200 {
		t.Fatalf("reveal: %d %s", status, body)
	}
	s.waitFor("the ceremony on the board", func() bool { mode, _, _ := s.boardMode(); return mode == live.ModeCeremony })
	var m livetest.Message
	if err := json.Unmarshal([]byte(s.public().board), &m); err != nil {
		t.Fatal(err)
	}
	var shown []string
	for _, g := range m.Board.Groups {
		if len(g.Rows) != 1 || g.Hidden == 0 {
			t.Fatalf("step 1, group %s: %d rows shown, %d hidden", g.Code, len(g.Rows), g.Hidden)
		}
		shown = append(shown, g.Rows[0].Code)
	}
	pub, _ := s.doc(s.anon, "")
	var listed []string
	for _, c := range pub.Contestants {
		listed = append(listed, c.Code)
	}
	if pub.Mode != live.ModeCeremony || !slices.Equal(listed, shown) {
		t.Fatalf("the standings API in the ceremony lists %v (mode %s); the board shows %v", listed, pub.Mode, shown)
	}
	for _, g := range pub.Groups {
		if g.Hidden == 0 {
			t.Errorf("the standings API does not count group %s's hidden rows", g.Code)
		}
	}
	_, page := s.anon.get(s.leaderboardPath)
	for _, c := range s.contestantCodes() {
		if strings.Contains(page, c) != slices.Contains(shown, c) {
			t.Errorf("the leaderboard page in the ceremony: %s shown %v, on the board %v", c, strings.Contains(page, c), slices.Contains(shown, c))
		}
	}
}

func (s *sealed) contestantCodes() []string {
	cs, err := s.o.st.Contestants(context.Background(), s.ev.ID)
	if err != nil {
		s.t.Fatal(err)
	}
	var out []string
	for _, c := range cs {
		out = append(out, *c.Code)
	}
	return out
}

// TestDraftMarksMoveNoPublicView: marks of sheets their judges have not
// submitted move the chief judge's view, flagged 草稿, and no public one.
func TestDraftMarksMoveNoPublicView(t *testing.T) {
	s := newSealed(t)
	ctx := context.Background()
	rev := s.submit(s.panel[0], 2)
	s.waitFor("the submitted sheet on the public board", func() bool { _, r, _ := s.boardMode(); return r >= rev })
	before := s.public()

	// A judge turns every judgement mark of an open (unsubmitted) module A
	// sheet to 0: the panel's mean for that contestant changes.
	marks, err := s.o.st.Marks(ctx, s.ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	js, _ := s.o.st.Judges(ctx, s.ev.ID)
	judgeCode := map[int64]string{}
	for _, j := range js {
		judgeCode[j.ID] = j.Code
	}
	mods, _ := s.o.st.Modules(ctx, s.ev.ID)
	var modA store.Module
	for _, m := range mods {
		if m.Code == "A" {
			modA = m
		}
	}
	aspectID := map[string]int64{}
	judgement := map[string]bool{}
	for _, a := range modA.Aspects {
		aspectID[a.Code], judgement[a.Code] = a.ID, a.Kind == string(scoring.Judgement)
	}
	sheets, _ := s.o.st.Sheets(ctx, s.ev.ID)
	var ops []store.SheetOp
	var target store.Contestant
	cs, _ := s.o.st.Contestants(ctx, s.ev.ID)
	for _, sh := range sheets {
		if sh.ModuleID != modA.ID || sh.Status != "open" {
			continue
		}
		ops = ops[:0]
		for _, m := range marks {
			if m.ContestantID == sh.ContestantID && m.ModuleCode == "A" && m.JudgeCode == judgeCode[sh.JudgeID] &&
				judgement[m.AspectCode] && m.Value != 0 {
				ops = append(ops, store.SheetOp{OpID: "draft-" + m.AspectCode, Kind: store.OpMark, EventID: s.ev.ID,
					ModuleID: modA.ID, ContestantID: sh.ContestantID, JudgeID: sh.JudgeID, AspectID: aspectID[m.AspectCode], Value: 0, Actor: "test"})
			}
		}
		if len(ops) > 0 {
			i := slices.IndexFunc(cs, func(c store.Contestant) bool { return c.ID == sh.ContestantID })
			target = cs[i]
			break
		}
	}
	if target.ID == 0 {
		t.Fatal("the demo has no open module A sheet with a judgement mark above 0")
	}
	chiefBefore, _ := s.chiefTotal(*target.Code)
	s.apply(ops)
	s.waitFor("the chief judge's view of the drafts", func() bool { total, _ := s.chiefTotal(*target.Code); return total != chiefBefore })
	if _, draft := s.chiefTotal(*target.Code); !draft {
		t.Errorf("the chief judge's standings do not flag %s's drafts", *target.Code)
	}
	if _, page := s.chief.get(s.leaderboardPath + "?view=chief"); !strings.Contains(page, "草稿") {
		t.Errorf("the chief judge's leaderboard does not mark drafts")
	}
	sameViews(t, "a draft mark", before, s.public())
	if strings.Contains(before.standings, `"draft"`) {
		t.Errorf("the public standings mention drafts")
	}
}

var missingJudge = regexp.MustCompile(`缺 \d+ 名裁判`)

// TestJudgeMarksSealedUntilPublishedAndAllowed: no unauthenticated path
// shows a judge's code next to a mark, nor a missing judge (a recusal),
// before publication; after it only once the event's setting allows.
func TestJudgeMarksSealedUntilPublishedAndAllowed(t *testing.T) {
	s := newSealed(t)
	s.submit(s.panel[0], 1)
	rev := s.submit(s.panel[1], 2)
	s.waitFor("the submitted sheets on the public board", func() bool { _, r, _ := s.boardMode(); return r >= rev })
	noJudges := func(when string, v views) {
		t.Helper()
		for name, body := range v.all() {
			for _, j := range s.judgeCodes {
				if strings.Contains(body, j) {
					t.Errorf("%s: the %s names judge %s", when, name, j)
				}
			}
			// The panel rule ("由 3 名裁判评分") is the same for everyone; a
			// missing judge or a judge's subtotal is about one contestant.
			if missingJudge.MatchString(body) || strings.Contains(body, "名裁判各自小计") {
				t.Errorf("%s: the %s tells that a judge is missing or what each judge gave", when, name)
			}
		}
	}
	noJudges("before publication", s.public())
	// The chief judge's view has them: the check above looks at real data.
	_, chief := s.doc(s.chief, "?view=chief")
	if !strings.Contains(chief, `"judge":"`) || !strings.Contains(chief, "缺 1 名裁判评分") {
		t.Fatalf("the chief judge's standings lack judges' marks or the missing judge")
	}

	testenv.Decrypted(t, s.o.st, s.ev.ID)
	if status, body := s.control("publish", nil); status != 200 {
		t.Fatalf("publish: %d %s", status, body)
	}
	s.waitFor("publication on the board", func() bool { _, _, published := s.boardMode(); return published })
	noJudges("after publication, setting off", s.public())

	if status, body := s.control("settings", url.Values{"judge_marks": {"1"}}); status != 200 || !strings.Contains(body, `"show_judge_marks":true`) {
		t.Fatalf("settings: %d %s", status, body)
	}
	s.waitFor("judges' marks in the public standings", func() bool {
		_, body := s.doc(s.anon, "")
		return strings.Contains(body, `"judge":"`)
	})
	if v := s.public(); slices.ContainsFunc(s.judgeCodes, func(j string) bool { return strings.Contains(v.board, j) }) {
		t.Errorf("the board JSON names a judge")
	}
}

// TestFreezeAndRevealNeedLockedSheetsOrReason: while sheets are unlocked a
// freeze and a reveal are refused (409, in Chinese, nothing changed) unless
// a reason is given, which the audit trail keeps; once every sheet is
// locked no reason is asked. The chief judge's view needs a login.
func TestFreezeAndRevealNeedLockedSheetsOrReason(t *testing.T) {
	s := newSealed(t)
	ctx := context.Background()
	before, _ := s.o.st.LiveState(ctx, s.ev.ID)
	trail, _ := s.o.st.AuditTrail(ctx, s.ev.ID)
	for _, bad := range []struct {
		form   url.Values
		status int
		code   string
	}{
		{url.Values{}, 409, `"conflict"`},
		{url.Values{"reason": {"   "}}, 409, `"conflict"`},
		{url.Values{"reason": {strings.Repeat("理", 501)}}, 400, `"invalid"`},
	} {
		status, body := s.control("freeze", bad.form)
		if status != bad.status || !strings.Contains(body, bad.code) {
			t.Errorf("freeze %v: %d %s", bad.form, status, body)
		}
		if bad.status == 409 && !strings.Contains(body, "未锁定") {
			t.Errorf("the refusal does not say why: %s", body)
		}
	}
	if after, _ := s.o.st.LiveState(ctx, s.ev.ID); after != before {
		t.Fatalf("refused freezes changed the live state: %+v → %+v", before, after)
	}
	if again, _ := s.o.st.AuditTrail(ctx, s.ev.ID); len(again) != len(trail) {
		t.Fatalf("refused freezes were audited")
	}
	const reason = "闭幕式提前，实操C模块复核中"
	if status, body := s.control("freeze", url.Values{"reason": {reason}}); status != 200 || !strings.Contains(body, `"frozen":true`) {
		t.Fatalf("freeze with a reason: %d %s", status, body)
	}
	lastAudit := func() store.AuditEntry {
		t.Helper()
		trail, err := s.o.st.AuditTrail(ctx, s.ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		return trail[len(trail)-1]
	}
	if e := lastAudit(); e.Action != "live.freeze" || e.Actor != "org" || !strings.Contains(e.Detail, `"override_reason":"`+reason+`"`) {
		t.Fatalf("the freeze's override is not audited: %+v", e)
	}
	if status, body := s.control("reveal", nil); status != 409 || !strings.Contains(body, "未锁定") {
		t.Fatalf("reveal without a reason: %d %s", status, body)
	}
	if status, body := s.control("reveal", url.Values{"reason": {reason}}); status != 200 || !strings.Contains(body, `"ceremony_step":0`) {
		t.Fatalf("reveal with a reason: %d %s", status, body)
	}
	if e := lastAudit(); e.Action != "live.ceremony" || !strings.Contains(e.Detail, reason) {
		t.Fatalf("the reveal's override is not audited: %+v", e)
	}
	// Every sheet locked: no reason needed, none recorded.
	testenv.Decrypted(t, s.o.st, s.ev.ID)
	if status, body := s.control("reveal", url.Values{"end": {"1"}}); status != 200 {
		t.Fatalf("end the ceremony: %d %s", status, body)
	}
	if status, body := s.control("freeze", nil); status != 200 {
		t.Fatalf("freeze with every sheet locked: %d %s", status, body)
	}
	if e := lastAudit(); e.Action != "live.freeze" || strings.Contains(e.Detail, "override_reason") {
		t.Fatalf("a freeze of locked results: %+v", e)
	}

	// The chief judge's unfrozen view: the chief's or organizer's login only.
	for _, path := range []string{s.standingsPath, s.boardPath} {
		if status, _ := s.anon.get(path + "?view=chief"); status != http.StatusUnauthorized {
			t.Errorf("%s?view=chief without a login: %d", path, status)
		}
		if status, _ := s.chief.get(path + "?view=chief"); status != 200 {
			t.Errorf("%s?view=chief for the chief judge: %d", path, status)
		}
	}
	// Its pages send someone not logged in to the login page and back,
	// instead of a page waiting forever for a stream it will not get.
	for _, path := range append([]string{s.leaderboardPath}, s.livePagePaths...) {
		resp, err := s.anon.c.Get(s.anon.base + path + "?view=chief")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if want := "/login?next=" + url.QueryEscape(path+"?view=chief"); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != want {
			t.Errorf("%s?view=chief without a login: %d to %q, want 303 to %q", path, resp.StatusCode, resp.Header.Get("Location"), want)
		}
		if status, _ := s.chief.get(path + "?view=chief"); status != 200 {
			t.Errorf("%s?view=chief for the chief judge: %d", path, status)
		}
	}
	keeperLogin := s.o.browser()
	addStaff(t, s.o.st, "keeper1")
	if keeperLogin.login("keeper1", "pass-keeper1") != http.StatusSeeOther {
		t.Fatal("keeper login failed")
	}
	if status, _ := keeperLogin.get(s.livePagePaths[1] + "?view=chief"); status != http.StatusForbidden {
		t.Errorf("the big screen's chief view for a score keeper: %d, want 403", status)
	}
}

// TestChiefStreamEndsWithItsLogin: the chief judge's unsealed stream stays
// open only while the login that opened it lasts. After 退出登录 (in
// another tab, say) the stream closes with 4001 within a few pings, while
// a public viewer's stream goes on.
func TestChiefStreamEndsWithItsLogin(t *testing.T) {
	s := newSealed(t)
	ws := "ws" + strings.TrimPrefix(s.o.srv.URL, "http") + s.livePath
	header := http.Header{"Origin": {s.o.srv.URL}}
	u, _ := url.Parse(s.o.srv.URL)
	for _, c := range s.chief.c.Jar.Cookies(u) {
		header.Add("Cookie", c.Name+"="+c.Value)
	}
	chief, _, err := websocket.DefaultDialer.Dial(ws+"?view=chief", header)
	if err != nil {
		t.Fatal(err)
	}
	defer chief.Close()
	public, _, err := livetest.Dial(context.Background(), ws)
	if err != nil {
		t.Fatal(err)
	}
	defer public.Close()
	if _, err := public.Read(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	// The chief's stream is read as a tablet would, answering pings, until
	// it ends; ended reports how.
	ended := make(chan error, 1)
	snapshot := make(chan struct{})
	go func() {
		first := true
		for {
			chief.SetReadDeadline(time.Now().Add(20 * time.Second))
			if _, _, err := chief.ReadMessage(); err != nil {
				ended <- err
				return
			}
			if first {
				close(snapshot)
				first = false
			}
		}
	}()
	select {
	case <-snapshot:
	case err := <-ended:
		t.Fatalf("the chief's snapshot: %v", err)
	}
	// Still logged in: the stream outlives five pings (each checks the login).
	select {
	case err := <-ended:
		t.Fatalf("the chief's stream ended while logged in: %v", err)
	case <-time.After(time.Second):
	}

	s.chief.get("/events/" + demo.EventCode + "/desk") // a page with the form token
	if status, _ := s.chief.post("/logout", url.Values{"csrf": {s.chief.csrf}}); status != http.StatusSeeOther {
		t.Fatalf("logout: %d", status)
	}
	select {
	case err := <-ended:
		var ce *websocket.CloseError
		if !errors.As(err, &ce) || ce.Code != live.CloseLoginEnded {
			t.Fatalf("after logout the chief's stream ended with %v, want close %d", err, live.CloseLoginEnded)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the chief's stream is still open 10 s after logout")
	}
	// The public viewer is still there and still told of changes.
	s.submit(s.panel[0], 3)
	if _, err := public.Read(10 * time.Second); err != nil {
		t.Fatalf("the public stream after the chief's logout: %v", err)
	}
}
