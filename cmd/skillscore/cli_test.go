package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// cmdPrefix is the "skillscore[ COMMAND]: " that names where a message
// comes from; the message itself follows.
var cmdPrefix = regexp.MustCompile(`^skillscore(?: [a-z-]+)*: `)

// TestCommandLineMistakesInChinese walks every subcommand with a usage
// mistake and a bad flag value: the first line on stderr is the message,
// starting with Chinese (a usage mistake with its English after it in
// parentheses), exit status 2 for a mistake in the command line and 1 for
// a failure.
func TestCommandLineMistakesInChinese(t *testing.T) {
	bin := binary(t)
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "none.db")
	badRules := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(badRules, []byte(`{"name":"x","modules":[]`), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		status int
		args   []string
	}{
		{2, nil},
		{2, []string{"frobnicate"}},
		{2, []string{"serve", "--bogus"}},
		{2, []string{"serve", "--addr"}},
		{1, []string{"serve", "--addr", "127.0.0.1:0", "--db", db, "--log-format", "xml"}},
		{2, []string{"demo", "--redis-prefix"}},
		{2, []string{"migrate", "extra"}},
		{2, []string{"compute"}},
		{2, []string{"compute", "--rubric", badRules, "--marks", badRules, "--format", "xml"}},
		{2, []string{"compute", "--year", "abc"}},
		{1, []string{"compute", "--rubric", filepath.Join(dir, "missing.json"), "--marks", badRules}},
		{1, []string{"compute", "--rubric", badRules, "--marks", badRules}},
		{2, []string{"roster"}},
		{2, []string{"roster", "import"}},
		{2, []string{"roster", "import", "--json=maybe"}},
		{2, []string{"user"}},
		{2, []string{"user", "add", "--password-stdin=x"}},
		{1, []string{"user", "add", "--role", "judge"}},
		{2, []string{"audit", "check"}},
		{2, []string{"audit", "verify", "--db"}},
		{2, []string{"backup"}},
		{2, []string{"backup", "--force=x", "--out", "x"}},
		{2, []string{"restore"}},
		{2, []string{"restore", "--bogus", "f"}},
		{2, []string{"certs"}},
		{2, []string{"certs", "--out", dir, "--demo=x"}},
		{2, []string{"certs", "keygen"}},
		{2, []string{"certs", "revoke"}},
		{2, []string{"verify-cert"}},
		{2, []string{"verify-cert", "--keys"}},
		{2, []string{"live", "status"}},
		{2, []string{"live", "reveal", "--event", "x", "--step", "x"}},
		{1, []string{"live", "status", "--db", db, "--event", "x"}},
		{2, []string{"export"}},
		{2, []string{"export", "--font-song"}},
		{2, []string{"draw"}},
		{2, []string{"draw", "--event", "x", "--layer", "x"}},
		{2, []string{"draw", "--event", "x", "--print-only"}},
		{2, []string{"decrypt"}},
		{2, []string{"decrypt", "--event", "x", "extra"}},
		{2, []string{"stats", "--year", "abc"}},
		{2, []string{"stats", "--year", "99999999999999999999"}},
		{1, []string{"stats", "--db", db}},
		{2, []string{"scores"}},
		{2, []string{"scores", "import", "--event", "x"}},
		{2, []string{"scores", "import", "--json=2", "--event", "x", "f.xlsx"}},
		{2, []string{"admission"}},
		{2, []string{"admission", "print", "--event", "x"}},
		{2, []string{"admission", "tickets", "--event", "x"}},
		{2, []string{"admission", "doors", "--out", "d.pdf"}},
		{2, []string{"judges", "export"}},
		{2, []string{"judges", "import", "--event", "x"}},
		{2, []string{"judges", "cards", "--event", "x"}},
		{2, []string{"photos"}},
		{2, []string{"photos", "export"}},
		{2, []string{"photos", "import", "--event", "x"}},
		{2, []string{"photos", "import", "--event", "x", "--photos", ".", "."}},
		{2, []string{"photos", "import", "--event", "x", "--db", "mysql:root@tcp(127.0.0.1:1)/x", "."}},
		{2, []string{"photos", "prune", "extra"}},
		{2, []string{"purge"}},
		{2, []string{"purge", "--event", "x", "--dry-run=maybe"}},
		{2, []string{"person"}},
		{2, []string{"person", "export"}},
		{2, []string{"person", "export", "--id", "x", "--name", "y", "--reason", "r", "--out", "f.txt"}},
		{2, []string{"person", "correct", "--event", "x", "--reason", "r"}},
		{2, []string{"person", "correct", "--event", "x", "--reason", "r", "--contestant", "1", "--new-phone", "1", "--clear-phone"}},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			var stderr strings.Builder
			cmd := exec.Command(bin, c.args...)
			cmd.Dir = dir
			cmd.Stdin = strings.NewReader("")
			cmd.Stderr = &stderr
			err := cmd.Run()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != c.status {
				t.Fatalf("want exit status %d, got %v\nstderr: %s", c.status, err, stderr.String())
			}
			first, _, _ := strings.Cut(stderr.String(), "\n")
			msg := cmdPrefix.ReplaceAllString(first, "")
			if r, _ := utf8.DecodeRuneInString(msg); !unicode.Is(unicode.Han, r) {
				t.Errorf("first line does not start with Chinese: %q", first)
			}
			if c.status == 2 && !regexp.MustCompile(`\S \(.*[A-Za-z].*\)$`).MatchString(first) {
				t.Errorf("a usage mistake should end with its English in parentheses: %q", first)
			}
			if strings.Contains(stderr.String(), "goroutine") {
				t.Errorf("stack trace:\n%s", stderr.String())
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "none.db")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a failed command created none.db")
	}
}

// TestCommandsNeverCreateMissingDatabase: only serve, demo, migrate and
// restore set a database up. Any other command given a SQLite path that
// does not exist names it and leaves nothing behind, instead of creating an
// empty database and answering "赛事不存在" from it.
func TestCommandsNeverCreateMissingDatabase(t *testing.T) {
	bin := binary(t)
	dir := t.TempDir()
	typo := filepath.Join(dir, "typo.db")
	db := "sqlite:" + typo
	file := filepath.Join(dir, "名单.csv")
	if err := os.WriteFile(file, []byte("姓名,身份证号\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := [][]string{
		{"live", "status", "--db", db, "--event", "jx"},
		{"live", "publish", "--db", db, "--event", "jx"},
		{"stats", "--db", db, "--year", "2026"},
		{"audit", "verify", "--db", db},
		{"user", "add", "--db", db, "--password-stdin", "--username", "u1", "--role", "chief"},
		{"export", "--db", db, "--event", "jx", "--what", "audit-csv", "--out", filepath.Join(dir, "a.csv")},
		{"draw", "--db", db, "--event", "jx"},
		{"decrypt", "--db", db, "--event", "jx"},
		{"roster", "import", "--db", db, "--event", "jx", "--basis", "consent", file},
		{"scores", "import", "--db", db, "--event", "jx", file},
		{"judges", "import", "--db", db, "--event", "jx", file},
		{"certs", "revoke", "--db", db, "--number", "1", "--reason", "r"},
		{"photos", "import", "--db", db, "--event", "jx", file},
		{"photos", "prune", "--db", db},
		{"admission", "numbers", "--db", db, "--event", "jx"},
		{"admission", "tickets", "--db", db, "--event", "jx", "--out", filepath.Join(dir, "t.pdf")},
		{"purge", "--db", db, "--event", "jx", "--dry-run"},
		{"person", "export", "--db", db, "--id", "x", "--name", "y", "--reason", "r", "--out", filepath.Join(dir, "p.json")},
		{"person", "correct", "--db", db, "--event", "jx", "--contestant", "1", "--reason", "r"},
	}
	for _, args := range cases {
		t.Run(strings.Join(args[:2], " "), func(t *testing.T) {
			cmd := exec.Command(bin, args...)
			cmd.Stdin = strings.NewReader("a-long-password\n")
			runFail(t, cmd, "数据库文件不存在："+typo+"（database file does not exist）")
			for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
				if _, err := os.Stat(typo + suffix); !errors.Is(err, os.ErrNotExist) {
					t.Fatalf("%v created %s", args, typo+suffix)
				}
			}
		})
	}
	// migrate is how a new database is made; the others then open it.
	if out, err := exec.Command(bin, "migrate", "--db", db).CombinedOutput(); err != nil {
		t.Fatalf("migrate: %v %s", err, out)
	}
	if out, err := exec.Command(bin, "audit", "verify", "--db", db).CombinedOutput(); err != nil || !strings.Contains(string(out), "审计链完整") {
		t.Fatalf("audit verify after migrate: %v %s", err, out)
	}
}
