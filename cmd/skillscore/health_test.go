//go:build linux

package main

import (
	"database/sql"
	"net/http"
	"path/filepath"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/go-sql-driver/mysql"

	"skillscore/internal/testdb"
)

// healthzBecomes polls /healthz until it answers want, failing after
// within; it returns how long that took.
func healthzBecomes(t *testing.T, base string, want int, within time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	last := 0
	for {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			last = resp.StatusCode
			if last == want {
				return time.Since(start)
			}
		}
		if time.Since(start) > within {
			t.Fatalf("/healthz did not answer %d within %v (last %d, err %v)", want, within, last, err)
		}
		time.Sleep(50 * time.Millisecond) // polling a condition, bounded by within
	}
}

// rlimInfinity is RLIM_INFINITY as the kernel's unsigned limit.
const rlimInfinity = ^uint64(0)

// setFileSizeLimit sets the process's RLIMIT_FSIZE: with 0 every write to a
// regular file fails (EFBIG), as on a full or read-only disk, including
// writes through files the process already has open, which a chmod would
// not stop. Go ignores the SIGXFSZ that comes with it.
func setFileSizeLimit(t *testing.T, pid int, limit uint64) {
	t.Helper()
	lim := syscall.Rlimit{Cur: limit, Max: rlimInfinity}
	if _, _, errno := syscall.RawSyscall6(syscall.SYS_PRLIMIT64, uintptr(pid), uintptr(syscall.RLIMIT_FSIZE),
		uintptr(unsafe.Pointer(&lim)), 0, 0, 0); errno != 0 {
		t.Fatalf("prlimit(%d, RLIMIT_FSIZE): %v", pid, errno)
	}
}

// TestHealthzFailsWhenSQLiteCannotBeWritten: the running server's SQLite
// file stops taking writes; /healthz answers 503 within seconds (it used to
// answer 200 "database ok" on a read), and 200 again once writes work.
func TestHealthzFailsWhenSQLiteCannotBeWritten(t *testing.T) {
	p := start(t, "serve", "--addr", "127.0.0.1:0", "--db", "sqlite:"+filepath.Join(t.TempDir(), "h.db"))
	healthzBecomes(t, p.base, 200, 5*time.Second)
	setFileSizeLimit(t, p.cmd.Process.Pid, 0)
	took := healthzBecomes(t, p.base, 503, 5*time.Second)
	t.Logf("503 after %v", took)
	setFileSizeLimit(t, p.cmd.Process.Pid, rlimInfinity)
	healthzBecomes(t, p.base, 200, 5*time.Second)
	p.stop(t)
}

// TestHealthzFailsWhenMySQLDatabaseDropped: the server's MariaDB database is
// dropped under it; /healthz answers 503 within seconds.
func TestHealthzFailsWhenMySQLDatabaseDropped(t *testing.T) {
	dsn := testdb.DSN(t)
	if dsn == "" {
		t.Skip(testdb.Env + " not set")
	}
	scratch := testdb.Scratch(t, dsn, "skillscore_hz_")
	cfg, err := mysql.ParseDSN(scratch)
	if err != nil {
		t.Fatal(err)
	}
	admin, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	p := start(t, "serve", "--addr", "127.0.0.1:0", "--db", "mysql:"+scratch)
	healthzBecomes(t, p.base, 200, 5*time.Second)
	if _, err := admin.Exec("DROP DATABASE " + cfg.DBName); err != nil {
		t.Fatal(err)
	}
	// testdb drops the database when the test ends: give it one to drop.
	t.Cleanup(func() { admin.Exec("CREATE DATABASE " + cfg.DBName) })
	took := healthzBecomes(t, p.base, 503, 5*time.Second)
	t.Logf("503 after %v", took)
	p.stop(t)
}
