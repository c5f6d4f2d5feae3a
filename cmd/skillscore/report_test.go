package main

import (
	"archive/zip"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"skillscore/exports"
	"skillscore/internal/testenv"
	"skillscore/report/reporttest"
	"skillscore/store"
)

// reportDB builds the report fixture's batch in a SQLite file whose photo
// store is the default one beside it; the store is closed again.
func reportDB(t *testing.T, opt reporttest.Options) (string, *reporttest.Fixture) {
	t.Helper()
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "report.db")
	st, err := store.Open(context.Background(), db, store.Options{Keys: testenv.Keys(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	return db, reporttest.New(t, st, filepath.Join(dir, "photos"), opt)
}

// body are the settings the fixture's certificates were issued under.
var reportBodyFlags = []string{"--issuer", reporttest.Issuer, "--cert-letter", "S", "--cert-body", "0000",
	"--cert-province", "36", "--cert-body-serial", "000001"}

func reportArgs(db string, args ...string) []string {
	return append(append([]string{"report", "--db", db, "--batch", "RD2026-001", "--by", "tester"}, reportBodyFlags...), args...)
}

// TestReportCommandWritesDataAndPhotos: the .xlsx and JSON read back with
// every certificate, the ZIP holds the photos under the names the data
// gives, and each file is recorded as a personal.export.
func TestReportCommandWritesDataAndPhotos(t *testing.T) {
	db, f := reportDB(t, reporttest.Complete)
	out := t.TempDir()
	xlsx, zipPath, js := filepath.Join(out, "证书数据.xlsx"), filepath.Join(out, "报送照片.zip"), filepath.Join(out, "data.json")
	stdout := runOK(t, reportArgs(db, "--out", xlsx, "--photos", zipPath)...)
	if !strings.Contains(stdout, "RD2026-001-证书数据.xlsx") || !strings.Contains(stdout, zipPath) {
		t.Errorf("stdout %q", stdout)
	}
	x, err := excelize.OpenFile(xlsx)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := x.GetRows("证书数据")
	x.Close()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != exports.HeaderRow+len(f.Certs) || !strings.Contains(rows[0][0], "报送照片.zip") {
		t.Fatalf("%d rows, title %q", len(rows), rows[0][0])
	}
	var photos []string
	for i, c := range f.Certs {
		r := rows[exports.HeaderRow+i]
		p, _ := f.Holder(c.Name)
		if r[0] != c.Number || r[1] != p.Name || r[4] != p.IDNumber || r[13] != "S000036000001" {
			t.Errorf("row %d %q", i, r)
		}
		photos = append(photos, r[15])
	}
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range zr.File {
		names = append(names, e.Name)
	}
	zr.Close()
	if !slices.Equal(names, photos) {
		t.Errorf("zip entries %q, the data names %q", names, photos)
	}

	runOK(t, reportArgs(db, "--out", js)...)
	var doc struct {
		Photos       string              `json:"photos"`
		Certificates []map[string]string `json:"certificates"`
	}
	data, err := os.ReadFile(js)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Photos != "RD2026-001-照片.zip" || len(doc.Certificates) != len(f.Certs) || doc.Certificates[0]["id_type"] != "居民身份证" {
		t.Errorf("json %+v", doc)
	}

	st, err := store.Open(context.Background(), db, store.Options{Keys: testenv.Keys(t), MustExist: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	trail, err := st.AuditTrail(context.Background(), f.Event.ID)
	if err != nil {
		t.Fatal(err)
	}
	var what []string
	for _, e := range trail {
		if e.Action == "personal.export" && e.Actor == "tester" {
			what = append(what, e.Subject)
		}
	}
	if !slices.Equal(what, []string{"report-xlsx", "report-photos", "report-json"}) {
		t.Errorf("personal.export entries %q", what)
	}
}

// TestReportCommandRefusesWithEveryProblem: each incomplete certificate
// on its own line, exit status 1, no file written.
func TestReportCommandRefusesWithEveryProblem(t *testing.T) {
	db, _ := reportDB(t, reporttest.Options{NoGender: true, NoPhoto: true})
	out := filepath.Join(t.TempDir(), "data.xlsx")
	cmd := exec.Command(binary(t), reportArgs(db, "--out", out, "--photos", out+".zip")...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Fatalf("exit %v\n%s", err, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	if len(lines) != 4 {
		t.Fatalf("want 3 problem lines and the summary:\n%s", stderr.String())
	}
	for i, want := range []string{"李秀英）：缺少职业编码", "王建国）：缺少性别、职业编码", "陈静）：缺少职业编码、照片文件名", "3 张证书"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q", want)
		}
		if i < 3 && !strings.HasPrefix(lines[i], "证书 S") {
			t.Errorf("line %d %q", i, lines[i])
		}
	}
	for _, p := range []string{out, out + ".zip"} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s written", p)
		}
	}
}

// TestReportCommandDocuments: each paper in each of its formats, read back.
func TestReportCommandDocuments(t *testing.T) {
	db, f := reportDB(t, reporttest.Complete)
	out := t.TempDir()
	for _, c := range []struct {
		args []string
		file string
		want []string
	}{
		{[]string{"--doc", "summary"}, "汇总.pdf", []string{"成绩汇总表", "考评组长（签字）", "张丽", "55 不合格"}},
		{[]string{"--doc", "register"}, "登记.pdf", []string{"证书发放登记表", "领取人签名", f.Certs[0].Number}},
		{[]string{"--doc", "transcripts"}, "成绩单.pdf", []string{"职业技能等级认定成绩单", "刘洋", "陈静"}},
		{[]string{"--doc", "transcript", "--candidate", "0003"}, "张丽.pdf", []string{"张丽", "不合格"}},
	} {
		path := filepath.Join(out, c.file)
		runOK(t, reportArgs(db, append(c.args, "--out", path)...)...)
		text, err := exec.Command("pdftotext", "-layout", path, "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range c.want {
			if !strings.Contains(string(text), w) {
				t.Errorf("%s lacks %q", c.file, w)
			}
		}
	}
	xlsx := filepath.Join(out, "汇总.xlsx")
	runOK(t, reportArgs(db, "--doc", "summary", "--out", xlsx)...)
	x, err := excelize.OpenFile(xlsx)
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := x.GetRows("成绩汇总表")
	x.Close()
	if len(rows) != exports.HeaderRow+len(f.People) {
		t.Errorf("summary workbook: %d rows", len(rows))
	}
}

func TestReportCommandUsage(t *testing.T) {
	bin := binary(t)
	db, _ := reportDB(t, reporttest.Complete)
	for _, args := range [][]string{
		{"report", "--db", db, "--out", "x.xlsx"},
		{"report", "--db", db, "--batch", "RD2026-001", "--out", "x.csv"},
		{"report", "--db", db, "--batch", "RD2026-001", "--out", "x.xlsx", "--photos", "x.tar"},
		{"report", "--db", db, "--batch", "RD2026-001", "--doc", "transcript", "--out", "x.pdf"},
		{"report", "--db", db, "--batch", "RD2026-001", "--doc", "transcripts", "--out", "x.xlsx"},
		{"report", "--db", db, "--batch", "RD2026-001", "--doc", "summary", "--out", "x.pdf", "--photos", "p.zip"},
		{"report", "--db", db, "--batch", "RD2026-001", "--doc", "rooms", "--out", "x.pdf"},
	} {
		err := exec.Command(bin, args...).Run()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 2 {
			t.Errorf("%v: %v, want exit status 2", args[3:], err)
		}
	}
	runFail(t, exec.Command(bin, "report", "--db", db, "--batch", "RD2026-999", "--out", filepath.Join(t.TempDir(), "x.xlsx")), "RD2026-999")
	runFail(t, exec.Command(bin, reportArgs(db, "--doc", "transcript", "--candidate", "9999", "--out",
		filepath.Join(t.TempDir(), "x.pdf"))...), "9999")
}
