package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/gorilla/websocket"

	"skillscore/demo"
	"skillscore/examples"
	"skillscore/idnumber"
	"skillscore/internal/testenv"
	"skillscore/judges"
	"skillscore/live/livetest"
	"skillscore/scoring"
	"skillscore/store"
	"skillscore/web"
)

// need returns a required service's address for the two-instance test: with
// CI=true a missing one fails the test, elsewhere it skips.
func need(t *testing.T, what, why string, ok bool) {
	t.Helper()
	if ok {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is required in CI: %s", what, why)
	}
	t.Skipf("%s: %s", what, why)
}

// TestTwoInstancesShareMariaDBAndRedis runs two skillscore processes on one
// fresh MariaDB database, joined through the local Redis: a judge submits a
// mark through instance A, and a spectator watching instance B sees it.
func TestTwoInstancesShareMariaDBAndRedis(t *testing.T) {
	dsn := os.Getenv("SKILLSCORE_TEST_MYSQL_DSN")
	need(t, "MariaDB", "SKILLSCORE_TEST_MYSQL_DSN is not set", dsn != "")
	rc, err := net.DialTimeout("tcp", "127.0.0.1:6379", 2*time.Second)
	need(t, "Redis at 127.0.0.1:6379", fmt.Sprint(err), err == nil)
	rc.Close()
	ctx := context.Background()

	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		t.Fatal(err)
	}
	// Test set-up only: a fresh database of its own, dropped afterwards.
	admin, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatalf("MariaDB: %v", err)
	}
	defer admin.Close()
	b := make([]byte, 6)
	rand.Read(b)
	name := "skillscore_live_" + hex.EncodeToString(b)
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name+" CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"); err != nil {
		t.Fatalf("MariaDB at %s: %v", cfg.Addr, err)
	}
	defer admin.ExecContext(context.Background(), "DROP DATABASE "+name)
	cfg.DBName = name
	db := "mysql:" + cfg.FormatDSN()
	st, err := store.Open(ctx, db, store.Options{Keys: testenv.Keys(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	event, judgeID, code, aspect, contestant := smallEvent(t, st)

	prefix := "skillscore-test-" + hex.EncodeToString(b) + ":"
	args := []string{"serve", "--addr", "127.0.0.1:0", "--db", db, "--redis", "127.0.0.1:6379", "--redis-prefix", prefix}
	a := start(t, args...)
	bb := start(t, args...)
	defer a.stop(t)
	defer bb.stop(t)

	viewer, _, err := livetest.Dial(ctx, "ws"+strings.TrimPrefix(bb.base, "http")+"/api/v1/events/"+event+"/live")
	if err != nil {
		t.Fatal(err)
	}
	defer viewer.Close()
	first, err := viewer.Read(20 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if err := viewer.Apply(first); err != nil {
		t.Fatal(err)
	}

	// A judge logs in at A and submits a mark there.
	login, err := judges.New(st, judges.Config{}).IssueLogin(ctx, judgeID, "test")
	if err != nil {
		t.Fatal(err)
	}
	var tok struct{ Token string }
	post(t, a.base+"/api/v1/judge/login", "", map[string]string{"ticket": login.Ticket, "pin": login.PIN, "device": "平板 1"}, &tok)
	var res struct {
		Results []struct {
			Type    string `json:"type"`
			Rev     int64  `json:"rev"`
			Message string `json:"message"`
		} `json:"results"`
	}
	post(t, a.base+"/api/v1/judge/sync", tok.Token, map[string]any{"ops": []map[string]any{{
		"type": "mark", "op": "two-instances-1", "contestant": contestant, "module": code, "aspect": aspect, "value": 3,
	}}}, &res)
	if len(res.Results) != 1 || res.Results[0].Type != "ack" {
		t.Fatalf("the mark through A was not acknowledged: %+v", res)
	}
	rev := res.Results[0].Rev
	deadline := time.Now().Add(20 * time.Second)
	for viewer.Revision < rev {
		m, err := viewer.Read(time.Until(deadline))
		if err != nil {
			t.Fatalf("the viewer on B never saw revision %d: %v\nA: %s\nB: %s", rev, err, a.stderr.String(), bb.stderr.String())
		}
		if err := viewer.Apply(m); err != nil {
			t.Fatal(err)
		}
	}
	found := false
	for _, g := range viewer.Board.Groups {
		for _, r := range g.Rows {
			found = found || r.Code == contestant
		}
	}
	if !found {
		t.Errorf("contestant %s is not on B's board", contestant)
	}

	// A second tablet of the judge is connected to B; the organizer
	// revokes the judge's logins through A. B's tablet is told at once.
	login2, err := judges.New(st, judges.Config{}).IssueLogin(ctx, judgeID, "test")
	if err != nil {
		t.Fatal(err)
	}
	var tok2 struct{ Token string }
	post(t, bb.base+"/api/v1/judge/login", "", map[string]string{"ticket": login2.Ticket, "pin": login2.PIN, "device": "平板 2"}, &tok2)
	tablet, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(bb.base, "http")+"/api/v1/judge/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tablet.Close()
	readType := func(want string) {
		t.Helper()
		tablet.SetReadDeadline(time.Now().Add(20 * time.Second))
		for {
			var m struct{ Type string }
			if err := tablet.ReadJSON(&m); err != nil {
				t.Fatalf("tablet on B, waiting for %q: %v\nA: %s\nB: %s", want, err, a.stderr.String(), bb.stderr.String())
			}
			if m.Type == want {
				return
			}
		}
	}
	if err := tablet.WriteJSON(map[string]any{"type": "hello", "v": judges.ProtocolVersion, "token": tok2.Token}); err != nil {
		t.Fatal(err)
	}
	readType("welcome")
	hash, err := web.HashPassword("organizer-pass")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateUser(ctx, store.User{Username: "org", Name: "组织者", Role: web.RoleOrganizer, PasswordHash: hash}, "test"); err != nil {
		t.Fatal(err)
	}
	org, csrf := session(t, a.base, "org", "organizer-pass", "/events/"+event+"/judges")
	resp, err := org.PostForm(fmt.Sprintf("%s/events/%s/judges/%d/revoke", a.base, event, judgeID), url.Values{"csrf": {csrf}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("revoke through A: %d", resp.StatusCode)
	}
	readType("revoked")
}

// session logs a user in on a server and returns the client (cookies) and
// the form token of the page at next.
func session(t *testing.T, base, user, pass, next string) (*http.Client, string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	csrfRE := regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	page := func(resp *http.Response, err error) string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		m := csrfRE.FindStringSubmatch(string(b))
		if m == nil {
			t.Fatalf("%s: %d, no form token", resp.Request.URL, resp.StatusCode)
		}
		return m[1]
	}
	tok := page(c.Get(base + "/login"))
	return c, page(c.PostForm(base+"/login", url.Values{"csrf": {tok}, "username": {user}, "password": {pass}, "next": {next}}))
}

// smallEvent creates a four-contestant event on the demo's rules, with one
// chief judge assigned everyone in the last practical module: enough for
// the board, and quick to create on MariaDB.
func smallEvent(t *testing.T, st *store.Store) (code string, judgeID int64, module, aspect string, contestant string) {
	t.Helper()
	ctx := context.Background()
	raw, err := examples.Files.ReadFile(demo.RulesFile)
	if err != nil {
		t.Fatal(err)
	}
	rules, err := scoring.ParseRules(raw)
	if err != nil {
		t.Fatal(err)
	}
	ne := store.NewEvent{
		Event:   store.Event{Code: "live-two", Name: "双实例实时成绩测试赛", Kind: "competition", Occupation: "养老护理员", Year: 2026, Rules: string(raw)},
		Modules: demo.Modules(rules),
	}
	for _, g := range rules.Groups {
		ne.Groups = append(ne.Groups, store.Group{Code: g.Code, Name: g.Name})
	}
	ev, err := st.CreateEvent(ctx, ne, "test")
	if err != nil {
		t.Fatal(err)
	}
	// The judge's one mark is never submitted: the spectators see it as a
	// sports-style live mark, the setting this cross-instance test runs on.
	if _, err := st.SetLiveSettings(ctx, ev.ID, false, true, "test"); err != nil {
		t.Fatal(err)
	}
	mods, err := st.Modules(ctx, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	var people []store.Contestant
	for i, g := range []string{"employee", "employee", "student", "student"} {
		id, err := idnumber.Make("360102", time.Date(1990+i, 3, 7, 0, 0, 0, 0, time.UTC), 100+2*i)
		if err != nil {
			t.Fatal(err)
		}
		c := fmt.Sprintf("Z%03d", 101+i)
		people = append(people, store.Contestant{Name: "测试选手" + c, Gender: "女", IDType: "居民身份证", IDNumber: id,
			Organization: "南昌市颐康养老服务中心", City: "南昌", GroupCode: g, Code: &c})
	}
	cs, err := st.AddContestants(ctx, ev.ID, people, "test")
	if err != nil {
		t.Fatal(err)
	}
	m := mods[len(mods)-1]
	j, err := st.AddJudge(ctx, store.Judge{EventID: ev.ID, Code: "J01", Name: "测试裁判", Organization: "九江市养老服务指导中心", City: "九江"},
		[]store.PanelMember{{ModuleID: m.ID, Chief: true}}, "test")
	if err != nil {
		t.Fatal(err)
	}
	var as []store.Assignment
	for _, c := range cs {
		as = append(as, store.Assignment{ModuleID: m.ID, JudgeID: j.ID, ContestantID: c.ID})
	}
	if err := st.AddAssignments(ctx, ev.ID, as, "test"); err != nil {
		t.Fatal(err)
	}
	for _, a := range m.Aspects {
		if a.Kind == string(scoring.Judgement) {
			return ev.Code, j.ID, m.Code, a.Code, *cs[2].Code
		}
	}
	t.Fatal("the demo rules have no judgement aspect")
	return
}

func post(t *testing.T, url, token string, body, out any) {
	t.Helper()
	data, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", url, bytes.NewReader(data))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		var e map[string]any
		json.NewDecoder(resp.Body).Decode(&e)
		t.Fatalf("POST %s: %d %v", url, resp.StatusCode, e)
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatal(err)
	}
}

// TestLiveCommands drives the organizer's live controls on the command line:
// each change is stored with a new revision and reported in one line; bad
// input fails with a precise message and changes nothing.
func TestLiveCommands(t *testing.T) {
	bin := binary(t)
	dir := t.TempDir()
	dbPath := dir + "/live.db"
	st, err := store.Open(context.Background(), "sqlite:"+dbPath, store.Options{Keys: testenv.Keys(t)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Create(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	ev, _ := st.EventByCode(context.Background(), demo.EventCode)
	st.Close()
	db := "sqlite:" + dbPath
	live := func(args ...string) string {
		t.Helper()
		out, err := exec.Command(bin, append([]string{"live"}, append(args, "--db", db, "--event", demo.EventCode)...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("live %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	if out := live("status"); !strings.Contains(out, "未公示") || !strings.Contains(out, "未封榜") {
		t.Fatalf("status of a new event: %s", out)
	}
	runFail(t, exec.Command(bin, "live", "reveal", "--db", db, "--event", demo.EventCode), "尚未封榜")
	runFail(t, exec.Command(bin, "live", "freeze", "--at", "tomorrow", "--db", db, "--event", demo.EventCode), "--at")
	runFail(t, exec.Command(bin, "live", "publish", "--db", db, "--event", "nope"), "不存在")
	if err := exec.Command(bin, "live", "explode", "--db", db, "--event", demo.EventCode).Run(); err == nil {
		t.Errorf("an unknown live action succeeded")
	}
	runFail(t, exec.Command(bin, "live", "publish", "--db", db, "--event", demo.EventCode), "未锁定")
	// A freeze needs every sheet locked, or a written reason, which the
	// audit trail keeps.
	runFail(t, exec.Command(bin, "live", "freeze", "--db", db, "--event", demo.EventCode), "未锁定")
	const reason = "闭幕式提前，实操C模块仍在评分"
	if out := live("freeze", "--reason", reason); !strings.Contains(out, "已封榜") {
		t.Fatalf("freeze with a reason: %s", out)
	}
	runFail(t, exec.Command(bin, "live", "reveal", "--db", db, "--event", demo.EventCode), "未锁定")
	if out := live("unfreeze"); !strings.Contains(out, "未封榜") {
		t.Fatalf("unfreeze: %s", out)
	}
	if out := live("settings", "--judge-marks", "on"); !strings.Contains(out, "公示后公开各裁判评分") || strings.Contains(out, "未提交的评分") {
		t.Fatalf("settings: %s", out)
	}
	runFail(t, exec.Command(bin, "live", "settings", "--draft-marks", "maybe", "--db", db, "--event", demo.EventCode), "--draft-marks")
	runFail(t, exec.Command(bin, "live", "settings", "--db", db, "--event", demo.EventCode), "--judge-marks")
	if st, err = store.Open(context.Background(), db, store.Options{Keys: testenv.Keys(t)}); err != nil {
		t.Fatal(err)
	}
	trail, err := st.AuditTrail(context.Background(), ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	overridden := false
	for _, e := range trail {
		overridden = overridden || e.Action == "live.freeze" && strings.Contains(e.Detail, reason) && strings.Contains(e.Detail, "override_reason")
	}
	if !overridden {
		t.Fatalf("the freeze's reason is not in the audit trail")
	}
	st.Close()
	// Publishing follows the results workflow: scored, signed off, decrypted.
	if st, err = store.Open(context.Background(), db, store.Options{Keys: testenv.Keys(t)}); err != nil {
		t.Fatal(err)
	}
	testenv.Decrypted(t, st, ev.ID)
	ev, _ = st.EventByCode(context.Background(), demo.EventCode)
	st.Close()
	if out := live("publish"); !strings.Contains(out, "已公示") {
		t.Fatalf("publish: %s", out)
	}
	if out := live("freeze"); !strings.Contains(out, "已封榜") {
		t.Fatalf("freeze: %s", out)
	}
	live("reveal")
	if out := live("reveal"); !strings.Contains(out, "颁奖揭晓第 1 步") {
		t.Fatalf("second reveal: %s", out)
	}
	if out := live("reveal", "--end"); strings.Contains(out, "颁奖揭晓") {
		t.Fatalf("reveal --end: %s", out)
	}
	st, err = store.Open(context.Background(), db, store.Options{Keys: testenv.Keys(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	l, err := st.LiveState(context.Background(), ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	// publish, freeze, reveal ×2, end: five changes, five revisions.
	if l.Revision != ev.Revision+5 || !l.Published() || l.Ceremony() {
		t.Fatalf("after the commands: %+v (event was at %d)", l, ev.Revision)
	}
}
