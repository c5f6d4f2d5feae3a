package main

import (
	"context"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"skillscore/demo"
	"skillscore/internal/testenv"
	"skillscore/store"
)

func TestStatusCommand(t *testing.T) {
	bin := binary(t)
	ctx := context.Background()
	db := "sqlite:" + filepath.Join(t.TempDir(), "s.db")
	st, err := store.Open(ctx, db, store.Options{Keys: testenv.Keys(t)})
	if err != nil {
		t.Fatal(err)
	}
	ev, err := demo.Create(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	cs, _ := st.Contestants(ctx, ev.ID)
	var c store.Contestant
	for _, x := range cs {
		if x.Status == "" {
			c = x
			break
		}
	}
	st.Close()
	status := func(args ...string) *exec.Cmd {
		return exec.Command(bin, append([]string{"status", "--db", db, "--event", ev.Code, "--by", "张组织"}, args...)...)
	}
	id := strconv.FormatInt(c.ID, 10)
	runFail(t, status("--contestant", id, "--set", "disqualified"), "取消资格须填写原因")
	runFail(t, status("--contestant", "no-such", "--set", "absent"), "没有参赛编号或选手编号为 no-such 的选手")
	out, err := status("--contestant", id, "--set", "disqualified", "--reason", "冒名顶替").Output()
	if err != nil || !strings.Contains(string(out), "已设为取消资格") {
		t.Fatalf("set: %v %s", err, out)
	}
	st, err = store.Open(ctx, db, store.Options{Keys: testenv.Keys(t)})
	if err != nil {
		t.Fatal(err)
	}
	got, err := st.Contestant(ctx, ev.ID, c.ID)
	st.Close()
	if err != nil || got.Status != "disqualified" || got.StatusReason != "冒名顶替" || got.StatusBy != "张组织" {
		t.Fatalf("stored: %v %+v", err, got)
	}
	if out, err := status("--contestant", id, "--set", "clear").Output(); err != nil || !strings.Contains(string(out), "已恢复参赛") {
		t.Fatalf("clear: %v %s", err, out)
	}
}
