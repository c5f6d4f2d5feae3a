package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"skillscore/store"
)

// importsEvent adds an event with a theory module and two judged modules
// and three contestants to the office's store.
func importsEvent(t *testing.T, o *office) store.Event {
	t.Helper()
	ctx := context.Background()
	asp := []store.Aspect{{Code: "X1", Name: "评估", Kind: "judgement", MaxMarks: 100000}}
	ev, err := o.st.CreateEvent(ctx, store.NewEvent{
		Event: store.Event{Code: "jx-web-imp", Name: "江西省养老护理员职业技能竞赛（导入）", Kind: "competition",
			Occupation: "养老护理员", Year: 2026, Rules: `{"modules":[]}`},
		Groups: []store.Group{{Code: "employee", Name: "职工组"}},
		Modules: []store.Module{
			{Code: "T", Name: "理论知识", Kind: "theory", Weight: 300000, MaxMarks: 1000000, Imported: true,
				Aspects: []store.Aspect{{Code: "T", Name: "理论考试", Kind: "measurement", MaxMarks: 1000000}}},
			{Code: "A", Name: "生活照护", Kind: "practical", Weight: 400000, MaxMarks: 1000000, Aspects: asp},
			{Code: "B", Name: "基础照护", Kind: "practical", Weight: 300000, MaxMarks: 1000000, Aspects: asp},
		},
	}, "test")
	if err != nil {
		t.Fatal(err)
	}
	var cs []store.Contestant
	for i, name := range []string{"李秀英", "王建华", "张丽"} {
		cs = append(cs, store.Contestant{Name: name, Gender: "女", IDType: "护照", IDNumber: "E0000000" + string(rune('1'+i)),
			GroupCode: "employee"})
	}
	if _, err := o.st.AddContestants(ctx, ev.ID, cs, "test"); err != nil {
		t.Fatal(err)
	}
	return ev
}

func workbook(t *testing.T, rows [][]string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for r, row := range rows {
		for c, v := range row {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			f.SetCellStr("Sheet1", cell, v)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestImportsPageScoresJudgesAndCards(t *testing.T) {
	o := newOffice(t)
	ctx := context.Background()
	ev := importsEvent(t, o)
	base := "/events/" + ev.Code
	org := o.browser()
	org.login("org", "pass-org")
	if code, body := org.get(base + "/imports"); code != 200 || !strings.Contains(body, "理论知识（满分 100）") {
		t.Fatalf("imports page: %d\n%s", code, body)
	}

	bad := workbook(t, [][]string{{"证件号码", "成绩"}, {"E00000001", "88"}, {"E00000002", "88.123456"}, {"E99999999", "70"}})
	good0 := workbook(t, [][]string{{"证件号码", "成绩"}, {"E00000001", "88"}, {"E00000002", "91.5"}, {"E00000003", "70"}})
	code, body := org.upload(base+"/imports/scores", "theory.xlsx", bad)
	if code != 422 || !strings.Contains(body, "有 2 处错误") || !regexp.MustCompile(`<td class="num">3</td><td>B（成绩）</td>`).MatchString(body) ||
		!strings.Contains(body, "证件号码 E99**9999 不在本赛项名单中") {
		t.Fatalf("bad scores: %d\n%s", code, body)
	}
	if got, _ := o.st.ImportedScores(ctx, ev.ID); len(got) != 0 {
		t.Fatalf("a rejected file stored %d scores", len(got))
	}
	// A file over the limit is refused as too large (not as a failed CSRF
	// check, though the token is never reached), and nothing is stored.
	huge := append(append([]byte{}, good0...), bytes.Repeat([]byte{0}, 21<<20)...)
	if code, body := org.upload(base+"/imports/scores", "theory.xlsx", huge); code != 413 || !strings.Contains(body, "文件超过 20 MB 上限") {
		t.Fatalf("oversize upload: %d\n%s", code, body)
	}
	if got, _ := o.st.ImportedScores(ctx, ev.ID); len(got) != 0 {
		t.Fatalf("an oversize file stored %d scores", len(got))
	}
	good := good0
	if code, _ := org.upload(base+"/imports/scores", "theory.xlsx", good); code != 303 {
		t.Fatalf("good scores: %d", code)
	}
	if got, _ := o.st.ImportedScores(ctx, ev.ID); len(got) != 3 {
		t.Fatalf("stored %d scores", len(got))
	}

	org.get(base + "/imports")
	badJudges := workbook(t, [][]string{{"姓名", "单位", "设区市", "模块", "裁判长"}, {"陈明", "南昌市社会福利院", "南昌", "理论知识", "是"}})
	if code, body := org.upload(base+"/imports/judges", "judges.xlsx", badJudges); code != 422 || !strings.Contains(body, "不是本赛事由裁判评分的模块") {
		t.Fatalf("bad judges: %d\n%s", code, body)
	}
	judgesFile := workbook(t, [][]string{{"姓名", "单位", "设区市", "模块", "裁判长"},
		{"陈明", "南昌市社会福利院", "南昌", "生活照护", "是"}, {"刘芳", "九江学院", "九江", "基础照护", "是"}})
	if code, _ := org.upload(base+"/imports/judges", "judges.xlsx", judgesFile); code != 303 {
		t.Fatalf("judges import: %d", code)
	}
	if js, _ := o.st.Judges(ctx, ev.ID); len(js) != 2 {
		t.Fatalf("judges: %+v", js)
	}

	// The cards: one PDF; the first card's QR code and PIN log its judge in.
	_, body = org.get(base + "/imports")
	if !strings.Contains(body, `id="cards"`) {
		t.Fatalf("no cards button:\n%s", body)
	}
	resp, err := org.c.PostForm(o.srv.URL+base+"/judges/cards", url.Values{"csrf": {org.csrf}})
	if err != nil {
		t.Fatal(err)
	}
	pdf, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("cards: %d %s", resp.StatusCode, pdf)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "cards.pdf")
	os.WriteFile(path, pdf, 0o600)
	text, err := exec.Command("pdftotext", "-f", "1", "-l", "1", "-x", "28", "-y", "28", "-W", "269", "-H", "260", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	pin := regexp.MustCompile(`\b\d{6}\b`).FindString(string(text))
	if pin == "" || !strings.Contains(string(text), "陈明") || !strings.Contains(string(text), "生活照护（裁判长）") {
		t.Fatalf("first card:\n%s", text)
	}
	if out, err := exec.Command("pdftoppm", "-f", "1", "-l", "1", "-r", "150", "-x", "59", "-y", "59", "-W", "561", "-H", "543",
		"-png", path, filepath.Join(dir, "card")).CombinedOutput(); err != nil {
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
	loginURL := strings.TrimSpace(string(qr))
	// The tablet app with the ticket, and the event for the login screen's words.
	rest, ok := strings.CutPrefix(loginURL, o.srv.URL+"/judge?")
	q, err := url.ParseQuery(rest)
	ticket := q.Get("t")
	if !ok || err != nil || ticket == "" || q.Get("e") != ev.Code {
		t.Fatalf("QR holds %q, want the server's tablet login", loginURL)
	}
	req, _ := json.Marshal(map[string]string{"ticket": ticket, "pin": pin, "device": "tablet-1"})
	lr, err := o.srv.Client().Post(o.srv.URL+"/api/v1/judge/login", "application/json", bytes.NewReader(req))
	if err != nil {
		t.Fatal(err)
	}
	defer lr.Body.Close()
	var login struct {
		Token string
		Judge struct{ Code, Name string }
		Event string
	}
	if err := json.NewDecoder(lr.Body).Decode(&login); err != nil || lr.StatusCode != 200 || login.Token == "" ||
		login.Judge.Name != "陈明" || login.Event != ev.Code {
		t.Fatalf("card login: %d %v %+v", lr.StatusCode, err, login)
	}
}

// A theory file may say 缺考: the page takes it, the contestant with no
// other marks becomes 缺考, and an empty cell asks for 缺考, not 0.
func TestImportsScoresAbsent(t *testing.T) {
	o := newOffice(t)
	ctx := context.Background()
	ev := importsEvent(t, o)
	base := "/events/" + ev.Code
	org := o.browser()
	org.login("org", "pass-org")
	org.get(base + "/imports")
	empty := workbook(t, [][]string{{"证件号码", "成绩"}, {"E00000001", "88"}, {"E00000002", ""}})
	if code, body := org.upload(base+"/imports/scores", "theory.xlsx", empty); code != 422 || !strings.Contains(body, "未参加考试的填“缺考”") || strings.Contains(body, "缺考请填 0") {
		t.Fatalf("empty cell: %d\n%s", code, body)
	}
	org.get(base + "/imports")
	file := workbook(t, [][]string{{"证件号码", "成绩"}, {"E00000001", "88"}, {"E00000002", "缺考"}, {"E00000003", "70"}})
	if code, body := org.upload(base+"/imports/scores", "theory.xlsx", file); code != 303 {
		t.Fatalf("缺考 file: %d\n%s", code, body)
	}
	got, _ := o.st.ImportedScores(ctx, ev.ID)
	cs, _ := o.st.Contestants(ctx, ev.ID)
	if len(got) != 3 || !got[1].Absent || got[1].Value != 0 || cs[1].Status != "absent" || cs[0].Status != "" {
		t.Fatalf("stored %+v, statuses %q %q", got, cs[0].Status, cs[1].Status)
	}
}
