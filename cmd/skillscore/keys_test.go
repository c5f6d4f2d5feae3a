package main

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"skillscore/demo"
	"skillscore/privacy"
	"skillscore/store"
	"skillscore/web"
)

// TestKeysRotateWhileServing: a key file made by `keys new`, a database
// with the demo's people under it and a server running on both; `keys
// rotate` moves every value to a new key while the server serves, and the
// server, which re-reads its key file, still opens everything after.
func TestKeysRotateWhileServing(t *testing.T) {
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "personal.key")
	out := runOK(t, "keys", "new", "--key-file", keyFile)
	if !strings.Contains(out, "已生成密钥文件") {
		t.Fatalf("keys new said %q", out)
	}
	if err := exec.Command(binary(t), "keys", "new", "--key-file", keyFile).Run(); err == nil {
		t.Fatal("keys new overwrote an existing key file")
	}
	keys, err := privacy.LoadFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	db := "sqlite:" + filepath.Join(dir, "k.db")
	st, err := store.Open(context.Background(), db, store.Options{Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	ev, err := demo.Create(context.Background(), st)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := st.Contestants(context.Background(), ev.ID)
	if err != nil || len(cs) == 0 {
		t.Fatalf("demo roster: %v", err)
	}
	hash, err := web.HashPassword("organizer-pass-1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateUser(context.Background(), store.User{Username: "org", Name: "组织者", Role: web.RoleOrganizer,
		PasswordHash: hash}, "tester"); err != nil {
		t.Fatal(err)
	}
	st.Close()
	srv := start(t, "serve", "--addr", "127.0.0.1:0", "--db", db, "--key-file", keyFile)

	if out := runOK(t, "keys", "status", "--db", db, "--key-file", keyFile); !strings.Contains(out, "k1：") || strings.Contains(out, "k2") {
		t.Fatalf("status before rotation:\n%s", out)
	}
	out = runOK(t, "keys", "rotate", "--db", db, "--key-file", keyFile, "--by", "tester")
	if !strings.Contains(out, "已加入新密钥 k2") || !strings.Contains(out, "轮换完成") {
		t.Fatalf("rotate said:\n%s", out)
	}
	status := runOK(t, "keys", "status", "--db", db, "--key-file", keyFile)
	if !strings.Contains(status, "k2：") || strings.Contains(status, "k1：") {
		t.Fatalf("status after rotation:\n%s", status)
	}
	// The running server opens values under the key it started without.
	client, _ := session(t, srv.base, "org", "organizer-pass-1", "/")
	resp, err := client.Get(srv.base + "/events/" + ev.Code + "/roster")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(page), cs[0].Name) {
		t.Fatalf("roster page after rotation: %d, has %s: %v", resp.StatusCode, cs[0].Name, strings.Contains(string(page), cs[0].Name))
	}
	if out := runOK(t, "audit", "verify", "--db", db); !strings.Contains(out, "审计链完整") {
		t.Fatalf("audit verify: %s", out)
	}
	data, _ := os.ReadFile(keyFile)
	if strings.Count(string(data), "\nk") != 2 {
		t.Errorf("key file after rotation:\n%s", data)
	}
}
