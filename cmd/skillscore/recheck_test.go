package main

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"skillscore/demo"
	"skillscore/internal/testenv"
	"skillscore/recheck"
	"skillscore/store"
)

// TestRecheckCommand: `recheck show` before and after `recheck start` with
// a given seed, a second start refused, and the report PDF read back.
func TestRecheckCommand(t *testing.T) {
	bin := binary(t)
	ctx := context.Background()
	db := "sqlite:" + filepath.Join(t.TempDir(), "r.db")
	st, err := store.Open(ctx, db, store.Options{Keys: testenv.Keys(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ev, err := demo.Create(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	set := recheck.Defaults("competition")
	set.TopN = 2
	if err := st.SetRecheckSettings(ctx, ev.ID, set, "org"); err != nil {
		t.Fatal(err)
	}
	testenv.Decrypted(t, st, ev.ID)
	cmd := func(args ...string) *exec.Cmd {
		return exec.Command(bin, append([]string{"recheck", args[0], "--db", db, "--event", ev.Code}, args[1:]...)...)
	}
	out, err := cmd("show").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "公示前必须复核：是；前 2 名全查，抽样 15%") || !strings.Contains(string(out), "尚未开始成绩复核") {
		t.Fatalf("show before: %v\n%s", err, out)
	}
	const seed = "00112233445566778899aabbccddeeff"
	out, err = cmd("start", "--seed", seed, "--by", "mon").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "随机种子 "+seed) {
		t.Fatalf("start: %v\n%s", err, out)
	}
	r, items, err := st.Recheck(ctx, ev.ID)
	if err != nil || r.StartedBy != "mon" || r.Sampled() != len(items) {
		t.Fatalf("round %+v, %d items, %v", r, len(items), err)
	}
	runFail(t, cmd("start"), "已经开始")
	out, err = cmd("show").CombinedOutput()
	if err != nil || strings.Count(string(out), "待核对") != len(items) || !strings.Contains(string(out), "尚未签字确认") {
		t.Fatalf("show after: %v\n%s", err, out)
	}
	pdf := filepath.Join(t.TempDir(), "recheck.pdf")
	if out, err := cmd("report", "--out", pdf).CombinedOutput(); err != nil {
		t.Fatalf("report: %v\n%s", err, out)
	}
	text, err := exec.Command("pdftotext", "-layout", pdf, "-").CombinedOutput()
	if err != nil {
		t.Fatal(err)
	}
	flat := strings.Join(strings.Fields(string(text)), "")
	for _, want := range []string{"成绩复核报告", seed, "每组前2名", "待核对", "监督（签字）", "裁判长（签字）"} {
		if !strings.Contains(flat, want) {
			t.Errorf("report lacks %q:\n%s", want, text)
		}
	}
	if out, err := cmd("report").CombinedOutput(); err == nil || !strings.Contains(string(out), "需要 --out FILE.pdf") {
		t.Errorf("report without --out: %v %s", err, out)
	}
}
