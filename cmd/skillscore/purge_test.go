package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"skillscore/demo"
	"skillscore/internal/testenv"
	"skillscore/person"
	"skillscore/photos"
	"skillscore/store"
)

// TestPurgeCommand takes the demo event, final two months ago, through
// `skillscore purge`: refused before its retention period ends (with the
// date), a dry run that changes nothing, the purge (photos too), a second
// purge that finds nothing, the audit chain intact, and no name or
// 证件号码 left in the SQLite file.
func TestPurgeCommand(t *testing.T) {
	bin := binary(t)
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "p.db")
	db := "sqlite:" + path
	final := time.Now().Add(-60 * 24 * time.Hour)
	st, err := store.Open(ctx, db, store.Options{Keys: testenv.Keys(t), Now: func() time.Time { return final }})
	if err != nil {
		t.Fatal(err)
	}
	ev, err := demo.Create(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	cs, _ := st.Contestants(ctx, ev.ID)
	// One holder's photo in the photo store beside the database, where the
	// command looks by default.
	saved, err := photos.New(st, photos.DefaultDir(db)).Save(ctx, ev.ID, cs[0].ID, idPhoto(t, 1), "org")
	if err != nil {
		t.Fatal(err)
	}
	photo := filepath.Join(photos.DefaultDir(db), saved.File)
	st.Close()
	purge := func(args ...string) *exec.Cmd {
		return exec.Command(bin, append([]string{"purge", "--db", db, "--event", ev.Code, "--by", "张组织"}, args...)...)
	}

	// Not final yet: the period has not begun.
	runFail(t, purge(), "尚未确认为最终成绩")
	st, err = store.Open(ctx, db, store.Options{Keys: testenv.Keys(t), Now: func() time.Time { return final }})
	if err != nil {
		t.Fatal(err)
	}
	// Final two months ago: published then for a period that had ended.
	testenv.Decrypted(t, st, ev.ID)
	if _, err := st.PublishResults(ctx, ev.ID, final.Add(-72*time.Hour), final.Add(-time.Minute), "org"); err != nil {
		t.Fatal(err)
	}
	if err := st.Finalize(ctx, ev.ID, "org"); err != nil {
		t.Fatal(err)
	}
	if err := st.SetRetentionDays(ctx, ev.ID, 1000, "org"); err != nil {
		t.Fatal(err)
	}
	ends, _, _ := st.RetentionEnds(ctx, ev.ID)
	st.Close()
	runFail(t, purge(), "个人信息保存期限至 "+person.CNDate(ends)+"，届满后方可清除")

	st, err = store.Open(ctx, db, store.Options{Keys: testenv.Keys(t)})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetRetentionDays(ctx, ev.ID, 30, "org"); err != nil {
		t.Fatal(err)
	}
	st.Close()
	out, err := purge("--dry-run").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "届满，可以清除") || !strings.Contains(string(out), "选手 28 人") ||
		!strings.Contains(string(out), "照片 1 张") || !strings.Contains(string(out), "试运行") {
		t.Fatalf("dry run: %v %s", err, out)
	}
	if _, err := os.Stat(photo); err != nil {
		t.Fatal("the dry run deleted a photo")
	}
	out, err = purge().CombinedOutput()
	if err != nil || !strings.Contains(string(out), "已永久清除 选手 28 人的姓名和证件号码") || !strings.Contains(string(out), "照片 1 张") {
		t.Fatalf("purge: %v %s", err, out)
	}
	if _, err := os.Stat(photo); !os.IsNotExist(err) {
		t.Fatal("the purge left the photo")
	}
	if out, err := purge().CombinedOutput(); err != nil || !strings.Contains(string(out), "没有需要清除的个人信息") {
		t.Fatalf("second purge: %v %s", err, out)
	}
	if out, err := exec.Command(bin, "audit", "verify", "--db", db).CombinedOutput(); err != nil || !strings.Contains(string(out), "审计链完整") {
		t.Fatalf("audit verify after the purge: %v %s", err, out)
	}
	for _, f := range []string{path, path + "-wal"} {
		raw, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, c := range cs {
			for _, v := range []string{c.Name, c.IDNumber} {
				if bytes.Contains(raw, []byte(v)) {
					t.Errorf("%q in the bytes of %s after the purge", v, filepath.Base(f))
				}
			}
		}
	}
}
