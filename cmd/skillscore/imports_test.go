package main

import (
	"context"
	"encoding/json"
	"net/url"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"skillscore/internal/testenv"
	"skillscore/judges"
	"skillscore/store"
)

// importEvent makes a database with a theory module (imported), two judged
// modules and three contestants.
func importEvent(t *testing.T) (db string, st *store.Store, ev store.Event) {
	t.Helper()
	ctx := context.Background()
	db = "sqlite:" + filepath.Join(t.TempDir(), "imports.db")
	st, err := store.Open(ctx, db, store.Options{Keys: testenv.Keys(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	asp := []store.Aspect{{Code: "X1", Name: "评估", Kind: "judgement", MaxMarks: 100000}}
	ev, err = st.CreateEvent(ctx, store.NewEvent{
		Event: store.Event{Code: "jx-imp", Name: "江西省养老护理员职业技能竞赛", Kind: "competition", Occupation: "养老护理员",
			Year: 2026, Rules: `{"modules":[]}`},
		Groups: []store.Group{{Code: "employee", Name: "职工组"}},
		Modules: []store.Module{
			{Code: "T", Name: "理论知识", Kind: "theory", Weight: 300000, MaxMarks: 1000000, Imported: true,
				Aspects: []store.Aspect{{Code: "T", Name: "理论考试", Kind: "measurement", MaxMarks: 1000000}}},
			{Code: "A", Name: "生活照护", Kind: "practical", Weight: 400000, MaxMarks: 1000000, Aspects: asp},
			{Code: "B", Name: "基础照护", Kind: "practical", Weight: 300000, MaxMarks: 1000000, Aspects: asp},
		},
	}, "tester")
	if err != nil {
		t.Fatal(err)
	}
	var cs []store.Contestant
	for i, name := range []string{"李秀英", "王建华", "张丽"} {
		cs = append(cs, store.Contestant{Name: name, Gender: "女", IDType: "居民身份证", IDNumber: cliID(t, i+1),
			City: "南昌", GroupCode: "employee"})
	}
	if _, err := st.AddContestants(ctx, ev.ID, cs, "tester"); err != nil {
		t.Fatal(err)
	}
	return db, st, ev
}

func sheetFile(t *testing.T, name string, rows [][]string) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for r, row := range rows {
		for c, v := range row {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			f.SetCellStr("Sheet1", cell, v)
		}
	}
	path := filepath.Join(t.TempDir(), name)
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestScoresImportCommand(t *testing.T) {
	bin := binary(t)
	db, st, ev := importEvent(t)
	ctx := context.Background()
	bad := sheetFile(t, "bad.xlsx", [][]string{{"理论考试成绩"}, {"姓名", "证件号码", "成绩"},
		{"李秀英", cliID(t, 1), "88"}, {"王建华", cliID(t, 2), "101"}, {"张丽", "360102198604059999", "70"}})
	cmd := exec.Command(bin, "scores", "import", "--db", db, "--event", "jx-imp", "--json", bad)
	out, err := cmd.Output()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("bad file: %v", err)
	}
	var rep struct {
		Problems []struct {
			Row     int
			Column  string
			Message string
		}
	}
	if err := json.Unmarshal(out, &rep); err != nil || len(rep.Problems) != 2 || rep.Problems[0].Row != 4 ||
		rep.Problems[0].Column != "C" || rep.Problems[1].Row != 5 || rep.Problems[1].Column != "B" {
		t.Fatalf("report: %v %s", err, out)
	}
	if got, _ := st.ImportedScores(ctx, ev.ID); len(got) != 0 {
		t.Fatalf("a rejected file stored %d scores", len(got))
	}
	good := sheetFile(t, "good.xlsx", [][]string{{"姓名", "证件号码", "成绩"},
		{"李秀英", cliID(t, 1), "88"}, {"王建华", cliID(t, 2), "99.25"}, {"张丽", cliID(t, 3), "70"}})
	if out, err := exec.Command(bin, "scores", "import", "--db", db, "--event", "jx-imp", good).CombinedOutput(); err != nil ||
		!strings.Contains(string(out), "已导入 理论知识 成绩 3 条") {
		t.Fatalf("good file: %v %s", err, out)
	}
	got, _ := st.ImportedScores(ctx, ev.ID)
	sum := int64(0)
	for _, s := range got {
		sum += s.Value
	}
	if len(got) != 3 || sum != 2572500 {
		t.Fatalf("stored scores: %+v", got)
	}
	runFail(t, exec.Command(bin, "scores", "import", "--db", db, "--event", "jx-imp", "--module", "生活照护", good), "不是本赛事导入成绩的模块")
}

func TestJudgesImportAndCardsCommand(t *testing.T) {
	bin := binary(t)
	db, st, ev := importEvent(t)
	ctx := context.Background()
	bad := sheetFile(t, "bad.xlsx", [][]string{{"姓名", "单位", "设区市", "模块", "裁判长"},
		{"陈明", "南昌市社会福利院", "南昌", "生活照护", "是"}, {"刘芳", "九江学院", "九江", "生活照护", "是"}})
	out, err := exec.Command(bin, "judges", "import", "--db", db, "--event", "jx-imp", bad).Output()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || !strings.Contains(string(out), "第 3 行 E 列（裁判长）") {
		t.Fatalf("bad judges: %v %s", err, out)
	}
	if js, _ := st.Judges(ctx, ev.ID); len(js) != 0 {
		t.Fatal("a rejected judges file stored judges")
	}
	good := sheetFile(t, "judges.xlsx", [][]string{{"姓名", "单位", "设区市", "模块", "裁判长"},
		{"陈明", "南昌市社会福利院", "南昌", "生活照护", "是"}, {"刘芳", "九江学院", "九江", "生活照护、基础照护", "否"},
		{"黄伟", "赣州市养老服务中心", "赣州", "基础照护", "是"}})
	if out, err := exec.Command(bin, "judges", "import", "--db", db, "--event", "jx-imp", good).CombinedOutput(); err != nil ||
		!strings.Contains(string(out), "已导入裁判 3 名") {
		t.Fatalf("judges import: %v %s", err, out)
	}
	ps, _ := st.Panels(ctx, ev.ID)
	if len(ps) != 4 {
		t.Fatalf("panels: %+v", ps)
	}
	pdf := filepath.Join(t.TempDir(), "cards.pdf")
	if out, err := exec.Command(bin, "judges", "cards", "--db", db, "--event", "jx-imp", "--url", "http://10.0.0.5:8080",
		"--out", pdf).CombinedOutput(); err != nil || !strings.Contains(string(out), "3 名裁判") {
		t.Fatalf("cards: %v %s", err, out)
	}
	// The first card (top left, 10..105 mm × 10..102 mm): its PIN as text,
	// its QR code as scanned, and the pair logs J01 in.
	text, err := exec.Command("pdftotext", "-f", "1", "-l", "1", "-x", "28", "-y", "28", "-W", "269", "-H", "260", pdf, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	pin := regexp.MustCompile(`\b\d{6}\b`).FindString(string(text))
	if !strings.Contains(string(text), "J01") || !strings.Contains(string(text), "陈明") || pin == "" {
		t.Fatalf("first card text:\n%s", text)
	}
	dir := t.TempDir()
	if out, err := exec.Command("pdftoppm", "-f", "1", "-l", "1", "-r", "150", "-x", "59", "-y", "59", "-W", "561", "-H", "543",
		"-png", pdf, filepath.Join(dir, "card")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	pngs, _ := filepath.Glob(filepath.Join(dir, "card*.png"))
	if len(pngs) != 1 {
		t.Fatalf("rendered %v", pngs)
	}
	qr, err := exec.Command("zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", pngs[0]).Output()
	if err != nil {
		t.Fatalf("zbarimg: %v", err)
	}
	login := strings.TrimSpace(string(qr))
	rest, ok := strings.CutPrefix(login, "http://10.0.0.5:8080/judge?")
	q, err := url.ParseQuery(rest)
	ticket := q.Get("t")
	if !ok || err != nil || ticket == "" || q.Get("e") == "" {
		t.Fatalf("QR holds %q", login)
	}
	svc := judges.New(st, judges.Config{})
	defer svc.Close()
	token, j, err := svc.Redeem(ctx, ticket, pin, "tablet-1", "127.0.0.1")
	if err != nil || token == "" || j.Code != "J01" {
		t.Fatalf("card login: %v %q %+v", err, token, j)
	}
}
