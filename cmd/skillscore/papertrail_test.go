package main

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"skillscore/demo"
	"skillscore/internal/testenv"
	"skillscore/store"
)

// TestSheetsCommands: the office prints the paper trail from the command
// line — a module's blank and filled 评分记录表, one judge's, a session's
// two 签到表, the 裁判分工表 — and turns the contestant's line on; each
// PDF reads back, and a bad request fails in one line.
func TestSheetsCommands(t *testing.T) {
	bin := binary(t)
	ctx := context.Background()
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "x.db")
	st, err := store.Open(ctx, db, store.Options{Keys: testenv.Keys(t)})
	if err != nil {
		t.Fatal(err)
	}
	ev, err := demo.Create(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	sched, err := st.Schedule(ctx, ev.ID)
	if err != nil || len(sched) == 0 {
		t.Fatalf("schedule: %v", err)
	}
	st.Close()
	run := func(args ...string) string {
		t.Helper()
		out, err := exec.Command(bin, append([]string{"sheets"}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("sheets %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	text := func(pdf string) string {
		t.Helper()
		out, err := exec.Command("pdftotext", "-layout", pdf, "-").CombinedOutput()
		if err != nil {
			t.Fatalf("pdftotext %s: %v %s", pdf, err, out)
		}
		return string(out)
	}
	check := func(pdf string, want ...string) {
		t.Helper()
		got := text(pdf)
		for _, w := range want {
			if !strings.Contains(got, w) {
				t.Errorf("%s lacks %q", filepath.Base(pdf), w)
			}
		}
	}
	blank := filepath.Join(dir, "blank.pdf")
	if out := run("record", "--db", db, "--event", ev.Code, "--module", "A", "--blank", "--out", blank); !strings.Contains(out, "空白评分记录表已写入") || !strings.Contains(out, "只印加密号") {
		t.Errorf("record --blank: %s", out)
	}
	check(blank, "空白表（纸质评分用）", "A1 评估与沟通", "裁判（签字）", "裁判长（签字）")
	filled := filepath.Join(dir, "filled.pdf")
	run("record", "--db", db, "--event", ev.Code, "--module", "A", "--filled", "--judge", "J02", "--out", filled)
	got := text(filled)
	if !strings.Contains(got, "J02") || strings.Contains(got, "J03 ") || !strings.Contains(got, "签名方式") {
		t.Errorf("J02's filled sheets:\n%.2000s", got)
	}
	if strings.Contains(got, "选手（签字）") {
		t.Error("the contestant's line before the setting")
	}
	if out := run("settings", "--db", db, "--event", ev.Code, "--contestant-signs", "on", "--by", "办公室"); !strings.Contains(out, "加印选手签字栏") {
		t.Errorf("settings: %s", out)
	}
	run("record", "--db", db, "--event", ev.Code, "--module", "A", "--filled", "--judge", "J02", "--out", filled)
	check(filled, "选手（签字）")
	sj, sc, duties := filepath.Join(dir, "sj.pdf"), filepath.Join(dir, "sc.pdf"), filepath.Join(dir, "duties.pdf")
	run("signin", "--db", db, "--event", ev.Code, "--session", sched[0].Code, "--who", "judges", "--out", sj)
	check(sj, "裁判签到表", "裁判签名", "裁判长（签字）")
	run("signin", "--db", db, "--event", ev.Code, "--session", sched[0].Code, "--who", "contestants", "--out", sc)
	check(sc, "选手签到表", sched[0].Rows[0].Name, "选手签名", "检录员（签字）")
	run("duties", "--db", db, "--event", ev.Code, "--out", duties)
	check(duties, "裁判分工表", "裁判长", "本人签名", "编制人（签字）")

	runFail(t, exec.Command(bin, "sheets", "record", "--db", db, "--event", ev.Code, "--module", "Z", "--blank", "--out", blank), "没有模块")
	runFail(t, exec.Command(bin, "sheets", "signin", "--db", db, "--event", ev.Code, "--session", "NOPE", "--who", "judges", "--out", sj), "没有场次 NOPE")
	for _, args := range [][]string{
		{"record", "--event", ev.Code, "--module", "A", "--out", blank},                 // neither --blank nor --filled
		{"signin", "--event", ev.Code, "--session", "S01", "--who", "all", "--out", sj}, // bad --who
		{"settings", "--event", ev.Code, "--contestant-signs", "maybe"},
		{"print", "--event", ev.Code},
	} {
		cmd := exec.Command(bin, append([]string{"sheets"}, args...)...)
		if err := cmd.Run(); err == nil || cmd.ProcessState.ExitCode() != 2 {
			t.Errorf("sheets %v: %v, want exit status 2", args, err)
		}
	}
	// The setting changed once, audited under the name given.
	st, err = store.Open(ctx, db, store.Options{Keys: testenv.Keys(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	entries, err := st.AuditFor(ctx, ev.ID, "", "办公室")
	if err != nil || len(entries) != 1 || entries[0].Action != "paper.settings" {
		t.Errorf("audit: %+v %v", entries, err)
	}
}
