package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"skillscore/demo"
	"skillscore/internal/testenv"
	"skillscore/privacy"
	"skillscore/store"
)

// These tests build the real binary and run it as a user would.

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// binary builds skillscore once per test run into a world-readable
// directory (a test runs it as an unprivileged user too).
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "skillscore-bin-")
		if err != nil {
			buildErr = err
			return
		}
		os.Chmod(dir, 0o755)
		binPath = filepath.Join(dir, "skillscore")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = errors.New(string(out))
		}
	})
	if buildErr != nil {
		t.Fatalf("build: %v", buildErr)
	}
	return binPath
}

// proc is a running skillscore process.
type proc struct {
	cmd    *exec.Cmd
	base   string
	stdout *syncBuffer
	stderr *syncBuffer
	done   chan error
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var urlRE = regexp.MustCompile(`http://[0-9a-zA-Z.\[\]:]+`)

// start runs skillscore with args and waits until it prints its URL.
func start(t *testing.T, args ...string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command(binary(t), args...), stdout: &syncBuffer{}, stderr: &syncBuffer{}, done: make(chan error, 1)}
	p.cmd.Stderr = p.stderr
	out, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		sent := false
		for sc.Scan() {
			p.stdout.Write([]byte(sc.Text() + "\n"))
			if u := urlRE.FindString(sc.Text()); u != "" && !sent {
				urls <- u
				sent = true
			}
		}
		p.done <- p.cmd.Wait()
	}()
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			p.cmd.Process.Kill()
		}
	})
	select {
	case p.base = <-urls:
		return p
	case err := <-p.done:
		t.Fatalf("skillscore %v exited before serving: %v\nstderr: %s", args, err, p.stderr.String())
	case <-time.After(60 * time.Second):
		t.Fatalf("skillscore %v did not print its URL within 60 s\nstderr: %s", args, p.stderr.String())
	}
	return nil
}

// stop sends SIGTERM and expects a clean exit.
func (p *proc) stop(t *testing.T) {
	t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\nstderr: %s", err, p.stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("no exit within 15 s of SIGTERM")
	}
}

// bannerEnd is the last line the demo prints once it serves.
const bannerEnd = "按 Ctrl+C 停止"

// waitOutput waits until the process has printed want on stdout (start
// returns at the first URL, before the rest of a banner may have arrived)
// and returns everything printed so far.
func (p *proc) waitOutput(t *testing.T, want string) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		out := p.stdout.String()
		if strings.Contains(out, want) {
			return out
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %q on stdout within 30 s; got:\n%s", want, out)
		}
		time.Sleep(10 * time.Millisecond) // polling a condition, bounded by the deadline
	}
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

func TestServeHealthMetricsAndGracefulShutdown(t *testing.T) {
	dir := t.TempDir()
	p := start(t, "serve", "--addr", "127.0.0.1:0", "--db", "sqlite:"+filepath.Join(dir, "s.db"))
	if code, body := get(t, p.base+"/healthz"); code != 200 || !strings.Contains(body, `"ok"`) {
		t.Fatalf("/healthz: %d %s", code, body)
	}
	if code, body := get(t, p.base+"/"); code != 200 || !strings.Contains(body, "暂无赛事") {
		t.Fatalf("index on an empty database: %d %s", code, body)
	}
	if code, body := get(t, p.base+"/events/nope/leaderboard"); code != 404 || !strings.Contains(body, "不存在") {
		t.Fatalf("unknown event page: %d", code)
	}
	if code, body := get(t, p.base+"/api/v1/events/nope/standings"); code != 404 || !strings.Contains(body, `"code":"not_found"`) {
		t.Fatalf("unknown event API: %d %s", code, body)
	}
	code, metrics := get(t, p.base+"/metrics")
	if code != 200 {
		t.Fatalf("/metrics: %d", code)
	}
	for _, want := range []string{`skillscore_http_requests_total{code="200",route="GET /healthz"} 1`,
		`skillscore_http_requests_total{code="404",route="GET /events/{code}/leaderboard"} 1`, "go_goroutines"} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	p.stop(t)
	// Structured logs: every stderr line is a JSON object.
	for _, line := range strings.Split(strings.TrimSpace(p.stderr.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Errorf("log line is not JSON: %q", line)
		}
	}
	if !strings.Contains(p.stderr.String(), `"msg":"stopped"`) {
		t.Errorf("no graceful stop in the log:\n%s", p.stderr.String())
	}
}

func TestDemoTwiceGivesOneEvent(t *testing.T) {
	dir := t.TempDir()
	var standings, finished [2]string
	for run := 0; run < 2; run++ {
		p := start(t, "demo", "--addr", "127.0.0.1:0", "--data", dir)
		banner := p.waitOutput(t, bannerEnd)
		for _, want := range []string{"/events/" + demo.EventCode + "/leaderboard", "/healthz", "/events/" + demo.RoundsCode + "/rounds",
			"/programmes/" + demo.ProgrammeCode + "/bigscreen", "/events/" + demo.TeamsCode + "/"} {
			if !strings.Contains(banner, want) {
				t.Errorf("run %d: demo did not print %s:\n%s", run, want, banner)
			}
		}
		if code, _ := get(t, p.base+"/healthz"); code != 200 {
			t.Fatalf("run %d: /healthz %d", run, code)
		}
		_, body := get(t, p.base+"/api/v1/events")
		var evs struct{ Events []struct{ Code string } }
		err := json.Unmarshal([]byte(body), &evs)
		var codes []string
		for _, e := range evs.Events {
			codes = append(codes, e.Code)
		}
		slices.Sort(codes)
		want := []string{demo.EventCode, demo.FinishedCode, demo.ProgrammeElderCode, demo.TeamsCode, demo.RoundsCode,
			demo.EarlierBatchCode, demo.BatchCode}
		slices.Sort(want)
		if err != nil || !slices.Equal(codes, want) {
			t.Fatalf("run %d: events %s (%v), want the event in progress, the finished one, the programme's three (individual, team, two-round) and the two assessment batches, once each", run, body, err)
		}
		_, standings[run] = get(t, p.base+"/api/v1/events/"+demo.EventCode+"/standings")
		_, finished[run] = get(t, p.base+"/api/v1/events/"+demo.FinishedCode+"/standings")
		p.stop(t)
	}
	if standings[0] != standings[1] || finished[0] != finished[1] {
		t.Errorf("the second run changed a demo event's standings")
	}
	var st struct {
		Contestants []struct {
			Code  string      `json:"code"`
			Total json.Number `json:"total"`
		} `json:"contestants"`
	}
	if err := json.Unmarshal([]byte(standings[0]), &st); err != nil {
		t.Fatal(err)
	}
	if len(st.Contestants) < 24 {
		t.Fatalf("demo has %d contestants, want at least 24", len(st.Contestants))
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".building") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
}

func TestDemoLeaderboardShowsCodesNotNames(t *testing.T) {
	dir := t.TempDir()
	p := start(t, "demo", "--addr", "127.0.0.1:0", "--data", dir)
	code, page := get(t, p.base+"/events/"+demo.EventCode+"/leaderboard")
	p.stop(t)
	if code != 200 {
		t.Fatalf("leaderboard: %d", code)
	}
	st, err := store.Open(context.Background(), "sqlite:"+filepath.Join(dir, demoDBName), store.Options{Keys: testenv.Keys(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ev, err := st.EventByCode(context.Background(), demo.EventCode)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := st.Contestants(context.Background(), ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{ev.Name, "职工组", "学生组", "总成绩", "已完成评分"} {
		if !strings.Contains(page, want) {
			t.Errorf("leaderboard lacks %q", want)
		}
	}
	for _, c := range cs {
		if !strings.Contains(page, *c.Code) {
			t.Errorf("leaderboard lacks code %s", *c.Code)
		}
		if strings.Contains(page, c.Name) || strings.Contains(page, c.IDNumber) {
			t.Errorf("leaderboard reveals contestant %s before publication", *c.Code)
		}
	}
}

// runFail runs skillscore expecting a clean failure: exit status 1 and one
// line on stderr containing want, no stack trace.
func runFail(t *testing.T, cmd *exec.Cmd, want string) {
	t.Helper()
	var stderr strings.Builder
	cmd.Stderr = &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Fatalf("%v: want exit status 1, got %v\nstderr: %s", cmd.Args, err, stderr.String())
	}
	msg := strings.TrimRight(stderr.String(), "\n")
	if strings.Contains(msg, "\n") || !strings.Contains(msg, want) || strings.Contains(msg, "goroutine") {
		t.Errorf("%v: stderr should be one line containing %q, got:\n%s", cmd.Args[1:], want, msg)
	}
}

func TestBadStartsFailInOneLine(t *testing.T) {
	bin := binary(t)
	dir := t.TempDir()
	corrupt := filepath.Join(dir, "corrupt.db")
	if err := os.WriteFile(corrupt, []byte(strings.Repeat("not a database ", 400)), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ name, db, want string }{
		{"unknown scheme", "postgres:host=x", "不支持的数据库类型"},
		{"unreachable mysql", "mysql:root@tcp(127.0.0.1:1)/test?timeout=2s", "无法连接 MySQL"},
		{"corrupt sqlite", "sqlite:" + corrupt, "不是 SQLite 数据库"},
		{"missing directory", "sqlite:" + filepath.Join(dir, "no", "such", "x.db"), "不存在"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			runFail(t, exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--db", c.db), c.want)
		})
	}
	t.Run("bad trusted proxy", func(t *testing.T) {
		db := filepath.Join(dir, "proxy.db")
		runFail(t, exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--db", "sqlite:"+db, "--trusted-proxy", "10.0.0.0/8,nginx"),
			`可信代理 "nginx" 不是 IP 地址或网段`)
		if _, err := os.Stat(db); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("a failed start created %s", db)
		}
	})
	t.Run("port in use", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		db := filepath.Join(dir, "never.db")
		runFail(t, exec.Command(bin, "serve", "--addr", ln.Addr().String(), "--db", "sqlite:"+db), "端口已被占用")
		if _, err := os.Stat(db); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("a failed start created %s", db)
		}
	})
	t.Run("read-only sqlite", func(t *testing.T) {
		// Root may write any file, so the read-only case runs the binary as
		// the unprivileged user nobody when the test runs as root.
		ro, err := os.MkdirTemp("", "skillscore-ro-")
		if err != nil {
			t.Fatal(err)
		}
		defer os.RemoveAll(ro)
		path := filepath.Join(ro, "ro.db")
		st, err := store.Open(context.Background(), "sqlite:"+path, store.Options{Keys: testenv.Keys(t)})
		if err != nil {
			t.Fatal(err)
		}
		st.Close()
		for _, p := range []string{path, path + "-wal", path + "-shm"} {
			os.Chmod(p, 0o444)
		}
		os.Chmod(ro, 0o555)
		defer os.Chmod(ro, 0o755)
		cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--db", "sqlite:"+path)
		// The empty database needs no key (nobody could not read the test's).
		cmd.Env = append(os.Environ(), privacy.EnvKeyFile+"=")
		if os.Geteuid() == 0 {
			cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		}
		runFail(t, cmd, "不可写")
	})
	t.Run("personal data without its key", func(t *testing.T) {
		db := filepath.Join(dir, "people.db")
		st, err := store.Open(context.Background(), "sqlite:"+db, store.Options{Keys: testenv.Keys(t)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := demo.Create(context.Background(), st); err != nil {
			t.Fatal(err)
		}
		st.Close()
		noKey := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--db", "sqlite:"+db)
		noKey.Env = append(os.Environ(), privacy.EnvKeyFile+"=")
		runFail(t, noKey, "数据库中有加密的个人信息，但没有提供密钥")
		other := filepath.Join(dir, "other.key")
		if err := privacy.CreateFile(other); err != nil {
			t.Fatal(err)
		}
		runFail(t, exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--db", "sqlite:"+db, "--key-file", other),
			"不是加密时用的密钥")
	})
	t.Run("unknown command", func(t *testing.T) {
		err := exec.Command(bin, "frobnicate").Run()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 2 {
			t.Fatalf("unknown command: %v, want exit status 2", err)
		}
	})
}
