package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"skillscore/idnumber"
	"skillscore/internal/testenv"
	"skillscore/store"
)

// rosterEvent makes a SQLite database with one event and two groups.
func rosterEvent(t *testing.T) (db string, eventID int64) {
	t.Helper()
	db = "sqlite:" + filepath.Join(t.TempDir(), "roster.db")
	st, err := store.Open(context.Background(), db, store.Options{Keys: testenv.Keys(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ev, err := st.CreateEvent(context.Background(), store.NewEvent{
		Event: store.Event{Code: "jx-cli", Name: "江西省养老护理员职业技能竞赛", Kind: "competition", Occupation: "养老护理员",
			Year: 2026, Rules: `{"modules":[]}`},
		Groups: []store.Group{{Code: "employee", Name: "职工组"}, {Code: "student", Name: "学生组"}},
	}, "tester")
	if err != nil {
		t.Fatal(err)
	}
	return db, ev.ID
}

// rosterFile writes an .xlsx roster with a title row above the header.
func rosterFile(t *testing.T, name string, rows [][]string) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	all := append([][]string{{"2026年江西省养老护理员职业技能竞赛报名表"}, {"姓名", "性别", "身份证号码", "工作单位", "设区市", "组别", "现等级"}}, rows...)
	for r, row := range all {
		for c, v := range row {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			if err := f.SetCellStr("Sheet1", cell, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	path := filepath.Join(t.TempDir(), name)
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	return path
}

func cliID(t *testing.T, seq int) string {
	t.Helper()
	id, err := idnumber.Make("360102", time.Date(1986, 4, 5, 0, 0, 0, 0, time.UTC), seq)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func countContestants(t *testing.T, db string, eventID int64) int {
	t.Helper()
	st, err := store.Open(context.Background(), db, store.Options{Keys: testenv.Keys(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cs, err := st.Contestants(context.Background(), eventID)
	if err != nil {
		t.Fatal(err)
	}
	return len(cs)
}

func runOK(t *testing.T, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(binary(t), args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v: %v\nstdout: %s\nstderr: %s", args, err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

func TestRosterImportCommand(t *testing.T) {
	db, eventID := rosterEvent(t)
	good := rosterFile(t, "名单.xlsx", [][]string{
		{"张三", "男", cliID(t, 11), "南昌市社会福利院", "南昌市", "职工组", "三级/高级工"},
		{"李秀英", "女", cliID(t, 12), "九江职业技术学院", "九江", "学生组", ""},
		{"王　芳", "", strings.ToLower(cliID(t, 22)), "赣州市颐养院", "赣州", "职工组", "四级"},
	})

	// Dry run, flags after the file: every row listed, nothing stored.
	out := runOK(t, "roster", "import", "--db", db, good, "--event", "jx-cli", "--dry-run")
	for _, want := range []string{"表头在第 2 行", "共 3 行，合格 3 行，不合格 0 行", "预检通过", "王芳"} {
		if !strings.Contains(out, want) {
			t.Errorf("dry-run output lacks %q:\n%s", want, out)
		}
	}
	if lines := strings.Count(out, "合格  "); lines < 3 {
		t.Errorf("dry run should list each row:\n%s", out)
	}
	if n := countContestants(t, db, eventID); n != 0 {
		t.Fatalf("dry run stored %d contestants", n)
	}

	// The JSON form of the dry run, with the event given by number.
	var js struct {
		DryRun   bool `json:"dry_run"`
		Imported bool `json:"imported"`
		Report   struct {
			Accepted int `json:"accepted"`
			Verdicts []struct {
				Row      int  `json:"row"`
				Accepted bool `json:"accepted"`
			} `json:"verdicts"`
		} `json:"report"`
	}
	out = runOK(t, "roster", "import", "--db", db, "--event", strconv.FormatInt(eventID, 10), "--dry-run", "--json", good)
	if err := json.Unmarshal([]byte(out), &js); err != nil {
		t.Fatalf("--json output is not JSON: %v\n%s", err, out)
	}
	if !js.DryRun || js.Imported || js.Report.Accepted != 3 || len(js.Report.Verdicts) != 3 || js.Report.Verdicts[2].Row != 5 {
		t.Fatalf("--json dry run = %+v", js)
	}

	out = runOK(t, "roster", "import", "--db", db, "--event", "jx-cli", "--by", "省职鉴中心", "--basis", "consent", good)
	if !strings.Contains(out, "已导入 3 名选手") {
		t.Fatalf("import output:\n%s", out)
	}
	if n := countContestants(t, db, eventID); n != 3 {
		t.Fatalf("import stored %d contestants, want 3", n)
	}

	// The same file twice: refused as a duplicate roster, nothing doubled.
	runFail(t, exec.Command(binary(t), "roster", "import", "--db", db, "--event", "jx-cli", "--basis", "consent", good), "重复名单")
	// With --json the refusal is a JSON document too.
	var stdout bytes.Buffer
	cmd := exec.Command(binary(t), "roster", "import", "--db", db, "--event", "jx-cli", "--basis", "consent", "--json", good)
	cmd.Stdout = &stdout
	if err := cmd.Run(); err == nil {
		t.Fatal("--json on the same file twice should exit non-zero")
	}
	var refusal struct {
		Imported  bool            `json:"imported"`
		ErrorCode string          `json:"error_code"`
		Error     string          `json:"error"`
		Report    json.RawMessage `json:"report"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &refusal); err != nil || refusal.Imported || refusal.ErrorCode != "conflict" ||
		!strings.Contains(refusal.Error, "重复名单") || string(refusal.Report) != "null" {
		t.Fatalf("--json refusal = %+v (%v)\n%s", refusal, err, stdout.String())
	}
	if n := countContestants(t, db, eventID); n != 3 {
		t.Fatalf("second import left %d contestants, want 3", n)
	}
}

func TestRosterImportCommandRejectsBadRows(t *testing.T) {
	db, eventID := rosterEvent(t)
	valid := cliID(t, 13)
	bad := valid[:17] + "0" // one wrong check character
	if valid[17] == '0' {
		bad = valid[:17] + "1"
	}
	file := rosterFile(t, "bad.xlsx", [][]string{
		{"赵六", "男", cliID(t, 15), "上饶市养老院", "上饶", "职工组", ""},
		{"钱七", "男", bad, "上饶市养老院", "上海", "职工组", ""},
	})
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(binary(t), "roster", "import", "--db", db, "--event", "jx-cli", "--basis", "duty", file)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Fatalf("want exit status 1, got %v\n%s", err, stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{"合格 1 行，不合格 1 行", "4     不合格  钱七", "C 身份证号码", "id_checksum", "E 设区市", "city_unknown", "请填写"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	if msg := strings.TrimSpace(stderr.String()); strings.Contains(msg, "\n") || !strings.Contains(msg, "未导入任何选手") {
		t.Errorf("stderr should be one line saying nothing was imported: %q", msg)
	}

	cmd = exec.Command(binary(t), "roster", "import", "--db", db, "--event", "jx-cli", "--basis", "duty", "--json", file)
	stdout.Reset()
	cmd.Stdout = &stdout
	if err := cmd.Run(); err == nil {
		t.Fatal("--json with a bad row should exit non-zero")
	}
	var js struct {
		Imported  bool   `json:"imported"`
		ErrorCode string `json:"error_code"`
		Report    struct {
			Verdicts []struct {
				Row      int `json:"row"`
				Problems []struct {
					Reason string `json:"reason"`
					Column string `json:"column"`
				} `json:"problems"`
			} `json:"verdicts"`
		} `json:"report"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &js); err != nil {
		t.Fatalf("--json: %v\n%s", err, stdout.String())
	}
	v := js.Report.Verdicts[1]
	if js.Imported || js.ErrorCode != "invalid" || v.Row != 4 || len(v.Problems) != 2 || v.Problems[0].Reason != "id_checksum" ||
		v.Problems[1].Reason != "city_unknown" || v.Problems[1].Column != "E" {
		t.Fatalf("--json = %+v", js)
	}
	if n := countContestants(t, db, eventID); n != 0 {
		t.Fatalf("a file with a bad row stored %d contestants", n)
	}

	// Usage mistakes exit 2; an unknown event or file exits 1 in one line.
	if err := exec.Command(binary(t), "roster", "import", "--db", db, file).Run(); !errors.As(err, &ee) || ee.ExitCode() != 2 {
		t.Errorf("missing --event: %v, want exit status 2", err)
	}
	runFail(t, exec.Command(binary(t), "roster", "import", "--db", db, "--event", "nope", "--dry-run", file), "不存在")
	runFail(t, exec.Command(binary(t), "roster", "import", "--db", db, "--event", "jx-cli", "--dry-run", filepath.Join(t.TempDir(), "none.xlsx")), "无法读取名单文件")
}

// A CSV saved by Excel on Chinese Windows is GBK: imported as such.
func TestRosterImportCommandGBKCSV(t *testing.T) {
	db, eventID := rosterEvent(t)
	text := "序号,姓名,身份证号,单位,设区市,组别\r\n1,周　杰,\t" + cliID(t, 31) + ",景德镇陶瓷大学,景德镇市,学生组\r\n"
	gbk, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "名单.csv")
	if err := os.WriteFile(path, gbk, 0o644); err != nil {
		t.Fatal(err)
	}
	out := runOK(t, "roster", "import", "--db", db, "--event", "jx-cli", "--basis", "contract", path)
	if !strings.Contains(out, "csv, gb18030") || !strings.Contains(out, "周杰") || !strings.Contains(out, "已导入 1 名选手") {
		t.Fatalf("output:\n%s", out)
	}
	if n := countContestants(t, db, eventID); n != 1 {
		t.Fatalf("stored %d contestants, want 1", n)
	}
}

// A real import names its legal basis (--basis): without it, or with an
// unknown one, it is a usage mistake (exit 2) and nothing is stored; a dry
// run needs none. The import records the basis and the notice in force.
func TestRosterImportCommandNeedsBasis(t *testing.T) {
	db, eventID := rosterEvent(t)
	file := rosterFile(t, "名单.xlsx", [][]string{{"孙八", "男", cliID(t, 41), "抚州市养老院", "抚州", "职工组", ""}})
	for _, args := range [][]string{
		{"roster", "import", "--db", db, "--event", "jx-cli", file},
		{"roster", "import", "--db", db, "--event", "jx-cli", "--json", file},
		{"roster", "import", "--db", db, "--event", "jx-cli", "--basis", "agreed", file},
		{"roster", "import", "--db", db, "--event", "jx-cli", "--basis", "agreed", "--dry-run", file},
	} {
		var stderr bytes.Buffer
		cmd := exec.Command(binary(t), args...)
		cmd.Stderr = &stderr
		err := cmd.Run()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 2 || !strings.Contains(stderr.String(), "--basis") ||
			!strings.Contains(stderr.String(), "consent") {
			t.Errorf("%v: %v, want exit status 2 naming --basis\nstderr: %s", args[3:], err, stderr.String())
		}
	}
	if n := countContestants(t, db, eventID); n != 0 {
		t.Fatalf("refused imports stored %d contestants", n)
	}
	runOK(t, "roster", "import", "--db", db, "--event", "jx-cli", "--dry-run", file)

	// The organizer saves a notice of their own before the import.
	st, err := store.Open(context.Background(), db, store.Options{Keys: testenv.Keys(t)})
	if err != nil {
		t.Fatal(err)
	}
	notice, err := st.SetPrivacyNotice(context.Background(), eventID, "{赛事名称}个人信息处理告知书（第一版）", "org")
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	out := runOK(t, "roster", "import", "--db", db, "--event", "jx-cli", "--basis", "duty", file)
	if !strings.Contains(out, "已导入 1 名选手") || !strings.Contains(out, "合法性基础：法定职责；告知书：第 1 版（SHA-256 "+notice.SHA256[:12]) {
		t.Fatalf("output:\n%s", out)
	}
	st, err = store.Open(context.Background(), db, store.Options{Keys: testenv.Keys(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	imps, err := st.RosterImports(context.Background(), eventID)
	if err != nil || len(imps) != 1 || imps[0].Basis != store.BasisDuty || imps[0].NoticeID == nil || *imps[0].NoticeID != notice.ID ||
		imps[0].NoticeSHA256 != notice.SHA256 {
		t.Fatalf("stored import: %+v, %v", imps, err)
	}
}
