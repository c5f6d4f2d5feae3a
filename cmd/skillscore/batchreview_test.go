package main

import (
	"context"
	"encoding/json"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"skillscore/internal/testenv"
	"skillscore/store"
)

// TestBatchReviewCommands: an office scripts the batch's review: status, the
// refusals (approval before submission, by the organizer, twice; a return
// without a reason), submit, return, resubmit, approve, and the calendar.
func TestBatchReviewCommands(t *testing.T) {
	ctx := context.Background()
	db := "sqlite:" + filepath.Join(t.TempDir(), "batch.db")
	st, err := store.Open(ctx, db, store.Options{Keys: testenv.Keys(t)})
	if err != nil {
		t.Fatal(err)
	}
	ev, _ := testenv.Assessment(t, st, "jx-rd-cli")
	for _, u := range []struct{ name, role string }{{"org", store.RoleOrganizer}, {"rev", store.RoleReviewer}} {
		if _, err := st.CreateUserWithGrant(ctx, store.User{Username: u.name, Name: u.name, Role: u.role, PasswordHash: "x"},
			store.Grant{Role: u.role, EventCode: ev.Code}, "test"); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()

	batch := func(args ...string) []string { return append([]string{"batch"}, append(args, "--db", db)...) }
	want := func(out string, phrases ...string) {
		t.Helper()
		for _, p := range phrases {
			if !strings.Contains(out, p) {
				t.Fatalf("output lacks %q:\n%s", p, out)
			}
		}
	}
	fail := func(phrase string, args ...string) {
		t.Helper()
		runFail(t, exec.Command(binary(t), batch(args...)...), phrase)
	}
	mistake := func(args ...string) {
		t.Helper()
		err := exec.Command(binary(t), args...).Run()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 2 {
			t.Fatalf("%v: %v, want exit status 2", args, err)
		}
	}

	want(runOK(t, batch("status", "--event", ev.Code)...), "未报审", "尚未公示（本批次公示 5 个工作日）")
	fail("尚未公示", "submit", "--event", ev.Code, "--by", "org")
	mistake(batch("publish", "--event", ev.Code, "--start", "2026-03-02")...)
	runOK(t, batch("publish", "--event", ev.Code, "--start", "2026-03-02T09:00:00+08:00")...)
	want(runOK(t, batch("status", "--event", ev.Code)...), "未报审", "2026-03-02 09:00 至 2026-03-07 00:00", "5 个工作日", "可以报审")
	fail("尚未报审", "approve", "--event", ev.Code, "--by", "rev")
	want(runOK(t, batch("submit", "--event", ev.Code, "--by", "org")...), "待审核", "报审 org")
	fail("不是本批次的审核员", "approve", "--event", ev.Code, "--by", "org")
	mistake(batch("return", "--event", ev.Code, "--by", "rev")...)
	mistake(batch("approve", "--event", ev.Code)...)
	mistake("batch")
	mistake("batch", "frobnicate")
	want(runOK(t, batch("return", "--event", ev.Code, "--by", "rev", "--reason", "请补充张敏的理论考试答卷")...), "已退回", "退回 rev：请补充张敏的理论考试答卷")
	runOK(t, batch("submit", "--event", ev.Code, "--by", "org")...)
	want(runOK(t, batch("approve", "--event", ev.Code, "--by", "rev")...), "已批准")
	fail("不能重复审核", "approve", "--event", ev.Code, "--by", "rev")

	var status struct {
		State string `json:"state"`
		Steps []struct {
			Action, Actor, Reason string
		} `json:"steps"`
	}
	if err := json.Unmarshal([]byte(runOK(t, batch("status", "--event", ev.Code, "--json")...)), &status); err != nil ||
		status.State != store.ReviewApproved || len(status.Steps) != 4 || status.Steps[1].Reason == "" {
		t.Fatalf("status --json: %+v %v", status, err)
	}

	// The calendar: a range entered, listed, one day removed; mistakes named.
	want(runOK(t, batch("calendar", "set", "--from", "2027-02-06", "--to", "2027-02-08", "--kind", "holiday", "--name", "春节",
		"--source", "测试")...), "已录入 3 天（放假）")
	want(runOK(t, batch("calendar", "list", "--year", "2027")...), "2027-02-06 周六 放假 春节", "2027-02-08 周一 放假 春节")
	want(runOK(t, batch("calendar", "remove", "--day", "2027-02-06")...), "已从工作日历删除 2027-02-06")
	fail("日期 \"2027-13-01\" 无效", "calendar", "set", "--day", "2027-13-01", "--kind", "holiday", "--name", "x")
	fail("类型", "calendar", "set", "--day", "2027-01-01", "--kind", "off", "--name", "元旦")
	mistake(batch("calendar", "set", "--kind", "holiday", "--name", "x")...)
	if out := runOK(t, batch("calendar", "list", "--year", "2027")...); strings.Contains(out, "2027-02-06") {
		t.Fatalf("removed day still listed:\n%s", out)
	}
}
