package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"skillscore/demo"
)

func TestUserAddAndAuditVerify(t *testing.T) {
	bin := binary(t)
	db := "sqlite:" + filepath.Join(t.TempDir(), "u.db")
	// user add never creates a database: migrate sets it up.
	if out, err := exec.Command(bin, "migrate", "--db", db).CombinedOutput(); err != nil {
		t.Fatalf("migrate: %v %s", err, out)
	}
	if out, err := addCmd(bin, db, "a-long-password\n", "--username", "chief1", "--name", "张裁判长", "--role", "chief").CombinedOutput(); err != nil || !strings.Contains(string(out), "裁判长") {
		t.Fatalf("user add: %v %s", err, out)
	}
	runFail(t, addCmd(bin, db, "a-long-password\n", "--username", "chief1", "--role", "chief"), "已存在")
	runFail(t, addCmd(bin, db, "short\n", "--username", "x2", "--role", "chief"), "至少 8 个字符")
	runFail(t, addCmd(bin, db, "a-long-password\n", "--username", "x3", "--role", "judge"), "--role")

	out, err := exec.Command(bin, "audit", "verify", "--db", db).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "审计链完整") {
		t.Fatalf("audit verify: %v %s", err, out)
	}
	// Edit history behind the program's back: verify must notice.
	raw, err := sql.Open("sqlite", strings.TrimPrefix(db, "sqlite:"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.ExecContext(context.Background(), "UPDATE audit_log SET actor = 'someone else' WHERE id = 1"); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	runFail(t, exec.Command(bin, "audit", "verify", "--db", db), "审计链在第 1 条记录处断裂")
}

func addCmd(bin, db, stdin string, args ...string) *exec.Cmd {
	cmd := exec.Command(bin, append([]string{"user", "add", "--db", db, "--password-stdin"}, args...)...)
	cmd.Stdin = strings.NewReader(stdin)
	return cmd
}

// TestDemoPrintsWorkingLogins follows what the demo prints: the chief judge's
// login opens the desk, and the judge's one-time URL and PIN log a tablet in.
func TestDemoPrintsWorkingLogins(t *testing.T) {
	p := start(t, "demo", "--addr", "127.0.0.1:0", "--data", t.TempDir())
	defer p.stop(t)
	out := p.waitOutput(t, bannerEnd)
	ticket := regexp.MustCompile(`/judge\?t=(\S+)`).FindStringSubmatch(out)
	pin := regexp.MustCompile(`PIN: (\d{6})`).FindStringSubmatch(out)
	if ticket == nil || pin == nil || !strings.Contains(out, "chief / demo-chief") {
		t.Fatalf("demo output lacks the logins:\n%s", out)
	}
	body, _ := json.Marshal(map[string]string{"ticket": ticket[1], "pin": pin[1]})
	resp, err := http.Post(p.base+"/api/v1/judge/login", "application/json", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("the printed judge login: %d", resp.StatusCode)
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	resp, err = c.Get(p.base + "/login")
	if err != nil {
		t.Fatal(err)
	}
	var page strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		page.WriteString(string(buf[:n]))
		if err != nil {
			break
		}
	}
	resp.Body.Close()
	csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(page.String())
	if csrf == nil {
		t.Fatal("login form without a CSRF token")
	}
	resp, err = c.PostForm(p.base+"/login", url.Values{"csrf": {csrf[1]}, "username": {"chief"}, "password": {"demo-chief"},
		"next": {"/events/jx-ylhly-2026/desk"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasSuffix(resp.Request.URL.Path, "/desk") {
		t.Fatalf("chief login → %d %s", resp.StatusCode, resp.Request.URL)
	}

	// issue 16: the printed 监督 and 仲裁 logins reach the finished event's
	// 复核 and 仲裁 pages (and its 赛场记录), and the 监督 is the one the
	// demo's 复核 was signed off by.
	fin := p.base + "/events/" + demo.FinishedCode
	for _, l := range []struct{ user, pass, page, want string }{
		{"monitor", "demo-monitor", "/recheck", "邹卫东"},
		{"arbiter", "demo-arbiter", "/arbitration", "申诉不成立"},
	} {
		line := l.user + " / " + l.pass + " → " + fin + l.page
		if !strings.Contains(out, line) {
			t.Fatalf("demo output lacks %q:\n%s", line, out)
		}
		code, body := demoLogin(t, p.base, l.user, l.pass, fin+l.page)
		if code != 200 || !strings.Contains(body, l.want) {
			t.Fatalf("%s's login → %s: %d, want 200 with %q", l.user, l.page, code, l.want)
		}
		if code, _ := demoLogin(t, p.base, l.user, l.pass, fin+"/incidents"); code != 200 {
			t.Fatalf("%s's login → 赛场记录: %d", l.user, code)
		}
	}
	for _, page := range []string{"/recheck", "/arbitration", "/incidents", "/evidence", "/archive", "/judges/reports", "/transcript"} {
		if !strings.Contains(out, fin+page+" ") && !strings.Contains(out, fin+page+"\n") {
			t.Errorf("demo output lacks %s", fin+page)
		}
	}
}

// demoLogin logs a fresh client in as user through the login form with
// next, and returns the status and body of the page it lands on.
func demoLogin(t *testing.T, base, user, pass, next string) (int, string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	resp, err := c.Get(base + "/login")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(page)
	if csrf == nil {
		t.Fatal("login form without a CSRF token")
	}
	u, err := url.Parse(next)
	if err != nil {
		t.Fatal(err)
	}
	resp, err = c.PostForm(base+"/login", url.Values{"csrf": {string(csrf[1])}, "username": {user}, "password": {pass}, "next": {u.Path}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.Request.URL.Path != u.Path {
		t.Fatalf("%s's login landed on %s, not %s", user, resp.Request.URL.Path, u.Path)
	}
	return resp.StatusCode, string(body)
}

// TestUserGrantsPerScope: user add with a scope, grant, revoke and list.
func TestUserGrantsPerScope(t *testing.T) {
	bin := binary(t)
	path := filepath.Join(t.TempDir(), "g.db")
	db := "sqlite:" + path
	if out, err := exec.Command(bin, "migrate", "--db", db).CombinedOutput(); err != nil {
		t.Fatalf("migrate: %v %s", err, out)
	}
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.ExecContext(context.Background(), `INSERT INTO programmes (code, name, year, rules, created_at, updated_at)
		VALUES ('jx-2026', '大赛', 2026, '{}', 0, 0)`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	if out, err := addCmd(bin, db, "a-long-password\n", "--username", "porg", "--role", "organizer", "--programme", "jx-2026").CombinedOutput(); err != nil ||
		!strings.Contains(string(out), "大赛组织者 · 大赛 jx-2026") {
		t.Fatalf("user add --programme: %v %s", err, out)
	}
	runFail(t, addCmd(bin, db, "a-long-password\n", "--username", "c2", "--role", "chief", "--programme", "jx-2026"), "不能授予整个大赛")
	runFail(t, addCmd(bin, db, "a-long-password\n", "--username", "c3", "--role", "chief", "--event", "no-such"), "不存在")
	if out, err := exec.Command(bin, "user", "grant", "--db", db, "--username", "porg", "--role", "observer").CombinedOutput(); err != nil {
		t.Fatalf("user grant: %v %s", err, out)
	}
	runFail(t, exec.Command(bin, "user", "grant", "--db", db, "--username", "porg", "--role", "observer"), "已有该授权")
	out, err := exec.Command(bin, "user", "list", "--db", db).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "观察员 · 全站；大赛组织者 · 大赛 jx-2026") || strings.Contains(string(out), "c2") {
		t.Fatalf("user list: %v %s", err, out)
	}
	if out, err := exec.Command(bin, "user", "revoke", "--db", db, "--username", "porg", "--role", "organizer", "--programme", "jx-2026").CombinedOutput(); err != nil {
		t.Fatalf("user revoke: %v %s", err, out)
	}
	runFail(t, exec.Command(bin, "user", "revoke", "--db", db, "--username", "porg", "--role", "organizer", "--programme", "jx-2026"), "没有该授权")
	out, _ = exec.Command(bin, "user", "list", "--db", db).CombinedOutput()
	if strings.Contains(string(out), "大赛 jx-2026") {
		t.Fatalf("revoked grant listed: %s", out)
	}
	out, _ = exec.Command(bin, "audit", "verify", "--db", db).CombinedOutput()
	if !strings.Contains(string(out), "审计链完整") {
		t.Fatalf("audit: %s", out)
	}
}
