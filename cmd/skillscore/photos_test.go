package main

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"skillscore/demo"
	"skillscore/internal/testenv"
	"skillscore/store"
)

// idPhoto is a 150×200 JPEG, different for each n.
func idPhoto(t *testing.T, n int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 150, 200))
	for y := 0; y < 200; y++ {
		for x := 0; x < 150; x++ {
			img.Set(x, y, color.RGBA{R: byte(x + 7*n), G: byte(y + 3*n), B: byte(n), A: 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestPhotosImportAndCertificates runs the organizer's path on the command
// line: certificates refused while photos are required and missing, the
// photos imported from a directory named by 证件号码 into the photo store
// beside the database (opaque names only, a bad file named with its reason
// and exit status 1), then certificates issued with the photos printed.
// The backup reminds that photo files are not in it; a photo store
// directory holding <证件号码>.jpg files is refused.
func TestPhotosImportAndCertificates(t *testing.T) {
	bin := binary(t)
	ctx := context.Background()
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "event.db")
	st, err := store.Open(ctx, db, store.Options{Keys: testenv.Keys(t)})
	if err != nil {
		t.Fatal(err)
	}
	ev, err := demo.Create(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	testenv.Final(t, st, ev.ID)
	people, err := st.Contestants(ctx, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	keys := filepath.Join(dir, "keys")
	if out, err := exec.Command(bin, "certs", "keygen", "--keys", keys).CombinedOutput(); err != nil {
		t.Fatalf("keygen: %v\n%s", err, out)
	}
	certs := func(extra ...string) *exec.Cmd {
		return exec.Command(bin, append([]string{"certs", "--db", db, "--event", demo.EventCode, "--keys", keys,
			"--out", filepath.Join(dir, "out"), "--require-photos", "--cert-body", "0000", "--cert-body-serial", "000001"}, extra...)...)
	}
	runFail(t, certs(), "缺少照片")

	src := filepath.Join(dir, "照片")
	if err := os.MkdirAll(src, 0o755); err != nil {
		t.Fatal(err)
	}
	for i, c := range people {
		if err := os.WriteFile(filepath.Join(src, c.IDNumber+".jpg"), idPhoto(t, i), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	bad := filepath.Join(src, "360102199001011234.jpg")
	if err := os.WriteFile(bad, idPhoto(t, 99), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "photos", "import", "--db", db, "--event", demo.EventCode, "--by", "组织者", src)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Fatalf("an import with a bad file: %v, want exit status 1\n%s%s", err, stdout.String(), stderr.String())
	}
	out := stdout.String() + stderr.String()
	for _, want := range []string{"360***********1234.jpg", "不是本赛事任何选手", "1 个文件不合格", "已导入 " + strconv.Itoa(len(people)) + " 张"} {
		if !strings.Contains(out, want) {
			t.Errorf("the import's output lacks %q:\n%s", want, out)
		}
	}
	for _, c := range append(people, store.Contestant{IDNumber: "360102199001011234"}) {
		if strings.Contains(out, c.IDNumber) {
			t.Errorf("the import's output carries a full 证件号码 %s…", c.IDNumber[:6])
		}
	}
	photoDir := filepath.Join(dir, "photos")
	entries, err := os.ReadDir(photoDir)
	if err != nil || len(entries) != len(people) {
		t.Fatalf("the photo store beside the database holds %d files (%v), want %d", len(entries), err, len(people))
	}
	opaque := regexp.MustCompile(`^[0-9a-f]{32}\.jpg$`)
	for _, e := range entries {
		if !opaque.MatchString(e.Name()) {
			t.Errorf("photo store file %q is not named by an opaque id", e.Name())
		}
		for _, c := range people {
			if strings.Contains(strings.ToUpper(e.Name()), c.IDNumber) {
				t.Errorf("photo store file %q carries %s's 证件号码", e.Name(), c.Name)
			}
		}
	}

	if err := os.Remove(bad); err != nil {
		t.Fatal(err)
	}
	again, err := exec.Command(bin, "photos", "import", "--db", db, "--event", demo.EventCode, src).CombinedOutput()
	if err != nil || !strings.Contains(string(again), "未变 "+strconv.Itoa(len(people))+" 张") {
		t.Fatalf("the same photos again: %v\n%s", err, again)
	}

	res, err := certs().CombinedOutput()
	if err != nil {
		t.Fatalf("certs with every photo: %v\n%s", err, res)
	}
	levels, _ := filepath.Glob(filepath.Join(dir, "out", "S*.pdf"))
	if len(levels) == 0 {
		t.Fatal("no level certificates")
	}
	list, err := exec.Command("pdfimages", "-list", levels[0]).Output()
	if err != nil {
		t.Fatalf("pdfimages (poppler-utils): %v", err)
	}
	if !strings.Contains(string(list), " 150   200 ") {
		t.Errorf("%s lists no 150×200 photo:\n%s", filepath.Base(levels[0]), list)
	}

	// The backup holds the records, not the images: it says so.
	bk, err := exec.Command(bin, "backup", "--db", db, "--out", filepath.Join(dir, "备份.skillscore")).CombinedOutput()
	if err != nil || !strings.Contains(string(bk), "记录了 "+strconv.Itoa(len(people))+" 张照片") || !strings.Contains(string(bk), "一并复制该目录") {
		t.Errorf("backup with photos recorded: %v\n%s", err, bk)
	}

	legacy := filepath.Join(dir, "old")
	if err := os.MkdirAll(legacy, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(legacy, people[0].IDNumber+".jpg"), idPhoto(t, 0), 0o644); err != nil {
		t.Fatal(err)
	}
	runFail(t, certs("--photos", legacy), "photos import")
}
