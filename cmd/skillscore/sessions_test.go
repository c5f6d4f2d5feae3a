package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// An office scripts the schedule: template, fill, import (a bad file is
// refused row by row), list, cards and sheets.
func TestSessionsCommands(t *testing.T) {
	bin := binary(t)
	db, _, _, _ := drawEvent(t)
	dir := t.TempDir()
	tmpl := filepath.Join(dir, "场次.xlsx")
	run := func(args ...string) string {
		t.Helper()
		out, err := exec.Command(bin, append([]string{"sessions"}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("sessions %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	// Cards assign the 参赛证号 the template then lists.
	run("cards", "--db", db, "--event", "jx-draw", "--out", filepath.Join(dir, "cards.pdf"))
	run("template", "--db", db, "--event", "jx-draw", "--out", tmpl)
	f, err := excelize.OpenFile(tmpl)
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows("场次安排")
	if len(rows) != 4 || rows[1][9] != "0001" || rows[1][10] != "李秀英" {
		t.Fatalf("template: %v", rows)
	}
	for r := 2; r <= 4; r++ {
		vals := []any{"S01", "第一场", "一号实训楼", "A", "2026-05-20", "08:30", "10:00", "0" + string(rune('0'+r-1))}
		if r == 4 {
			vals = []any{"S02", "第二场", "一号实训楼", "A", "2026-05-20", "08:00", "09:00", "01"}
		}
		f.SetSheetRow("场次安排", "A"+string(rune('0'+r)), &vals)
	}
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
	// S02 uses station 01 while S01 does: refused, nothing stored.
	runFail(t, exec.Command(bin, "sessions", "import", "--db", db, "--event", "jx-draw", tmpl), "赛位 01 同时被场次 S01 和 S02 占用")
	f.SetSheetRow("场次安排", "A4", &[]any{"S02", "第二场", "一号实训楼", "A", "2026-05-20", "10:30", "12:00", "01"})
	f.Save()
	if out := run("import", "--db", db, "--event", "jx-draw", "--dry-run", tmpl); !strings.Contains(out, "检查通过：2 个场次，3 人次") {
		t.Fatalf("dry run: %s", out)
	}
	if out := run("list", "--db", db, "--event", "jx-draw"); !strings.Contains(out, "尚未安排场次") {
		t.Fatalf("a dry run stored: %s", out)
	}
	run("import", "--db", db, "--event", "jx-draw", tmpl)
	var list []struct {
		Code    string `json:"code"`
		Entries int    `json:"entries"`
		Rows    []struct {
			Name   string `json:"name"`
			Status string `json:"status"`
		} `json:"rows"`
	}
	if err := json.Unmarshal([]byte(run("list", "--db", db, "--event", "jx-draw", "--session", "S01", "--json")), &list); err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Entries != 2 || list[0].Rows[0].Name != "李秀英" || list[0].Rows[0].Status != "待检录" {
		t.Fatalf("list: %+v", list)
	}
	sheet, tt := filepath.Join(dir, "s01.pdf"), filepath.Join(dir, "tt.pdf")
	run("sheet", "--db", db, "--event", "jx-draw", "--session", "S01", "--out", sheet)
	run("sheet", "--db", db, "--event", "jx-draw", "--timetable", "--out", tt)
	for path, want := range map[string]string{sheet: "李秀英", tt: "10:30–12:00"} {
		text, err := exec.Command("pdftotext", "-layout", path, "-").CombinedOutput()
		if err != nil || !strings.Contains(string(text), want) {
			t.Errorf("%s lacks %q: %v\n%s", path, want, err, text)
		}
	}
	// A command-line mistake exits 2 with the Chinese line first.
	out, err := exec.Command(bin, "sessions", "sheet", "--db", db, "--event", "jx-draw", "--out", sheet).CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 || !strings.Contains(string(out), "需要 --session 场次编号 或 --timetable") {
		t.Fatalf("sheet without --session: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "cards.pdf")); err != nil {
		t.Fatal(err)
	}
}
