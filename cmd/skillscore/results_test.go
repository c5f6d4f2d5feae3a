package main

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"skillscore"
	"skillscore/demo"
	"skillscore/internal/testenv"
	"skillscore/store"
)

// TestLivePublishWithPeriod publishes the results for a publication period
// from the command line: refused before the sheets are locked, then set.
func TestLivePublishWithPeriod(t *testing.T) {
	bin := binary(t)
	db := "sqlite:" + filepath.Join(t.TempDir(), "event.db")
	ctx := context.Background()
	st, err := store.Open(ctx, db, store.Options{Keys: testenv.Keys(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ev, err := demo.Create(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	end := time.Now().Add(72 * time.Hour).Truncate(time.Second)
	until := end.Format(time.RFC3339)
	runFail(t, exec.Command(bin, "live", "publish", "--db", db, "--event", demo.EventCode, "--until", "下周"), "--until")
	runFail(t, exec.Command(bin, "live", "publish", "--db", db, "--event", demo.EventCode, "--until", until), "未锁定")
	testenv.Decrypted(t, st, ev.ID)
	out, err := exec.Command(bin, "live", "publish", "--db", db, "--event", demo.EventCode, "--until", until, "--actor", "组织者").CombinedOutput()
	// The end given in the server's zone (UTC here) is told in China time.
	if err != nil || !strings.Contains(string(out), "公示期至 "+end.In(skillscore.China()).Format("2006-01-02 15:04:05")) {
		t.Fatalf("publish with a period: %v\n%s", err, out)
	}
	w, err := st.Workflow(ctx, ev.ID)
	if err != nil || w.Stage != store.StagePublication {
		t.Fatalf("workflow after publish: %+v %v", w, err)
	}
}
