package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"skillscore"
	"skillscore/certificates"
	"skillscore/demo"
	"skillscore/internal/testenv"
	"skillscore/store"
)

// TestArchiveCommands archives the final demo event with `skillscore
// archive`, checks it with `archive verify` (by key directory and by the
// printed fingerprint), changes one byte of the ZIP and sees the file
// named and the exit status non-zero, then finds `event delete` refused
// while the archive's retention lasts.
func TestArchiveCommands(t *testing.T) {
	bin := binary(t)
	ctx := context.Background()
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "a.db")
	st, err := store.Open(ctx, db, store.Options{Keys: testenv.Keys(t)})
	if err != nil {
		t.Fatal(err)
	}
	ev, err := demo.Create(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	testenv.Final(t, st, ev.ID)
	st.Close()
	keys := filepath.Join(dir, "keys")
	if _, err := certificates.GenerateKey(keys, time.Now()); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "archive.zip")
	res := runOK(t, "archive", "--db", db, "--keys", keys, "--event", ev.Code, "--out", out, "--by", "张组织")
	fp := regexp.MustCompile(`指纹 ([0-9a-f]{64})`).FindStringSubmatch(res)
	if fp == nil || !strings.Contains(res, "保存期限至 "+time.Now().AddDate(5, 0, 0).In(skillscore.China()).Format("2006年1月2日")) {
		t.Fatalf("archive output:\n%s", res)
	}
	if got := runOK(t, "archive", "verify", "--keys", keys, out); !strings.Contains(got, "归档核验通过：签名有效") ||
		!strings.Contains(got, "由 张组织 生成") {
		t.Fatalf("verify:\n%s", got)
	}
	runOK(t, "archive", "verify", "--fingerprint", fp[1], out)

	// One byte of the first file's stored data changed.
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	data[120] ^= 0x01
	bad := filepath.Join(dir, "bad.zip")
	os.WriteFile(bad, data, 0o644)
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(bin, "archive", "verify", "--keys", keys, bad)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 || !strings.Contains(stdout.String(), "已改动：rules/规则与评分标准.json") ||
		!strings.Contains(stderr.String(), "归档核验未通过：1 处问题") {
		t.Fatalf("verify of a changed byte: %v\nstdout: %s\nstderr: %s", err, stdout.String(), stderr.String())
	}
	// A wrong fingerprint: the signer is not the one expected.
	runFail(t, exec.Command(bin, "archive", "verify", "--fingerprint", strings.Repeat("0", 64), out), "归档核验未通过")

	// Deletion: the code must be repeated, then the lock refuses.
	del := exec.Command(bin, "event", "delete", "--db", db, "--event", ev.Code, "--confirm", "x")
	del.Stderr = &stderr
	if err := del.Run(); !errors.As(err, &ee) || ee.ExitCode() != 2 {
		t.Fatalf("delete without the code repeated: %v", err)
	}
	runFail(t, exec.Command(bin, "event", "delete", "--db", db, "--event", ev.Code, "--confirm", ev.Code),
		"已于 "+time.Now().In(skillscore.China()).Format("2006年1月2日")+" 归档，保存期限至 "+time.Now().AddDate(5, 0, 0).In(skillscore.China()).Format("2006年1月2日")+"：期满前不能删除")
}
