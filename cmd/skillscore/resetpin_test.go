package main

import (
	"context"
	"database/sql"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestUserResetPIN: a 督导员's forgotten signing PIN is cleared, audited,
// and nobody else's is touched.
func TestUserResetPIN(t *testing.T) {
	bin := binary(t)
	path := filepath.Join(t.TempDir(), "p.db")
	db := "sqlite:" + path
	if out, err := exec.Command(bin, "migrate", "--db", db).CombinedOutput(); err != nil {
		t.Fatalf("migrate: %v %s", err, out)
	}
	for _, u := range []string{"sup1", "sup2"} {
		if out, err := addCmd(bin, db, "a-long-password\n", "--username", u, "--role", "supervisor").CombinedOutput(); err != nil {
			t.Fatalf("user add: %v %s", err, out)
		}
	}
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.ExecContext(context.Background(), `INSERT INTO signing_pins (user_id, pin_hash, set_at, failures)
		SELECT id, 'hash', 1, 0 FROM users WHERE username IN ('sup1', 'sup2')`); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "user", "reset-pin", "--db", db, "--username", "sup1").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "已清除 sup1 的签名 PIN") {
		t.Fatalf("reset-pin: %v %s", err, out)
	}
	var left []string
	rows, err := raw.QueryContext(context.Background(), "SELECT u.username FROM signing_pins p JOIN users u ON u.id = p.user_id")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var u string
		if err := rows.Scan(&u); err != nil {
			t.Fatal(err)
		}
		left = append(left, u)
	}
	rows.Close()
	if len(left) != 1 || left[0] != "sup2" {
		t.Fatalf("PINs left: %v", left)
	}
	if out, err := exec.Command(bin, "user", "reset-pin", "--db", db, "--username", "sup1").CombinedOutput(); err != nil || !strings.Contains(string(out), "无需重置") {
		t.Fatalf("second reset-pin: %v %s", err, out)
	}
	runFail(t, exec.Command(bin, "user", "reset-pin", "--db", db, "--username", "nobody"), "不存在")
	var n int
	if err := raw.QueryRowContext(context.Background(), "SELECT COUNT(*) FROM audit_log WHERE action = 'supervision.pin_reset'").Scan(&n); err != nil || n != 1 {
		t.Fatalf("audited resets: %d %v", n, err)
	}
}
