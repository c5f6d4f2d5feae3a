package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

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
		{"roster", "import", "--db", db, "--event", "jx", file},
		{"scores", "import", "--db", db, "--event", "jx", file},
		{"judges", "import", "--db", db, "--event", "jx", file},
		{"certs", "revoke", "--db", db, "--number", "1", "--reason", "r"},
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
