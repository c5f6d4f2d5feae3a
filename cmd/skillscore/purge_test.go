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

// TestPurgeCommand: a dry run lists what a purge would remove and changes
// nothing; a purge whose retention period cannot be shown to have ended is
// refused in one line, and nothing is removed.
func TestPurgeCommand(t *testing.T) {
	bin := binary(t)
	ctx := context.Background()
	db := "sqlite:" + filepath.Join(t.TempDir(), "p.db")
	st, err := store.Open(ctx, db, store.Options{Keys: testenv.Keys(t)})
	if err != nil {
		t.Fatal(err)
	}
	ev, err := demo.Create(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	cs, _ := st.Contestants(ctx, ev.ID)
	st.Close()

	out, err := exec.Command(bin, "purge", "--db", db, "--event", ev.Code, "--dry-run").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "清除将处理：选手 28 人的姓名和证件号码") || !strings.Contains(string(out), "试运行") {
		t.Fatalf("dry run: %v %s", err, out)
	}
	runFail(t, exec.Command(bin, "purge", "--db", db, "--event", ev.Code), "不能清除")

	st, err = store.Open(ctx, db, store.Options{Keys: testenv.Keys(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	after, _ := st.Contestants(ctx, ev.ID)
	if len(after) != len(cs) || after[0].IDNumber != cs[0].IDNumber || after[0].Name != cs[0].Name {
		t.Fatal("a refused purge changed the roster")
	}
}
