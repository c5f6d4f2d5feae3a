package imports

import (
	"bytes"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"skillscore"
	"skillscore/scoring"
	"skillscore/store"
)

// xlsx builds a workbook: a hidden decoy sheet first, then a visible sheet
// with a title row above rows. A value starting with "#" is written as a
// number cell.
func xlsx(t *testing.T, rows [][]string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", "隐藏"); err != nil {
		t.Fatal(err)
	}
	f.SetCellStr("隐藏", "A1", "证件号码")
	f.SetCellStr("隐藏", "B1", "成绩")
	f.SetCellStr("隐藏", "A2", "999")
	idx, err := f.NewSheet("成绩")
	if err != nil {
		t.Fatal(err)
	}
	f.SetActiveSheet(idx)
	if err := f.SetSheetVisible("隐藏", false); err != nil {
		t.Fatal(err)
	}
	f.SetCellStr("成绩", "A1", "2026年理论考试成绩")
	for r, row := range rows {
		for c, v := range row {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+2)
			if strings.HasPrefix(v, "#") {
				f.SetCellFloat("成绩", cell, mustFloat(v[1:]), -1, 64)
			} else {
				f.SetCellStr("成绩", cell, v)
			}
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func mustFloat(s string) float64 {
	var v float64
	for _, c := range s {
		v = v*10 + float64(c-'0')
	}
	return v
}

func ptr(s string) *string { return &s }

var mods = []store.Module{
	{ID: 1, Code: "T", Name: "理论知识", Kind: "theory", MaxMarks: 1000000, Imported: true},
	{ID: 2, Code: "A", Name: "生活照护", Kind: "practical", MaxMarks: 1000000},
	{ID: 3, Code: "B", Name: "基础照护", Kind: "practical", MaxMarks: 1000000},
}

var people = []store.Contestant{
	{ID: 11, Name: "李秀英", IDNumber: "36010219900307002X", Code: ptr("A001")},
	{ID: 12, Name: "王建华", IDNumber: "360402200101010013", Code: ptr("A002")},
	{ID: 13, Name: "张丽", IDNumber: "360102198604050021", Code: ptr("A003")},
}

func TestScoresGood(t *testing.T) {
	data := xlsx(t, [][]string{
		{"序号", "姓名", "证件号码", "加密号", "成绩"},
		{"1", "李秀英", "36010219900307002x", "", "85.5"},
		{"2", "", "", "a002", "#90"},
		{},
		{"3", "张丽", "３６０１０２１９８６０４０５００２１", "", "0.1234"},
	})
	plan, ps, err := Scores("t.xlsx", data, ScoresInput{Modules: mods, Contestants: people})
	if err != nil || len(ps) > 0 {
		t.Fatalf("%v %v", err, ps)
	}
	want := map[int64]int64{11: 855000, 12: 900000, 13: 1234}
	if plan.Module.Code != "T" || len(plan.Scores) != 3 {
		t.Fatalf("plan %+v", plan)
	}
	for _, s := range plan.Scores {
		if want[s.ContestantID] != s.Value {
			t.Errorf("contestant %d: %d, want %d", s.ContestantID, s.Value, want[s.ContestantID])
		}
	}
}

// TestScoresSigned: a module the rules mark signed (ski jumping's gate
// points) takes negative scores down to −max; the same file against rules
// without signed is refused.
func TestScoresSigned(t *testing.T) {
	data := xlsx(t, [][]string{
		{"加密号", "成绩"},
		{"A001", "-2.4"},
		{"A002", "-100"},
		{"A003", "-100.5"},
	})
	rules := `{"modules": [{"code": "T", "imported": true, "signed": true, "floor": "none", "max": 100}]}`
	_, ps, err := Scores("t.xlsx", data, ScoresInput{Modules: mods, Contestants: people, Rules: rules})
	if err != nil || len(ps) != 1 || ps[0].Row != 5 || !strings.Contains(ps[0].String(), "应在 -100 到 100 之间") {
		t.Fatalf("%v %v", err, ps)
	}
	data = xlsx(t, [][]string{{"加密号", "成绩"}, {"A001", "-2.4"}, {"A002", "3"}})
	plan, ps, err := Scores("t.xlsx", data, ScoresInput{Modules: mods, Contestants: people, Rules: rules})
	if err != nil || len(ps) > 0 || plan.Scores[0].Value != -24000 {
		t.Fatalf("%v %v %+v", err, ps, plan)
	}
	_, ps, _ = Scores("t.xlsx", data, ScoresInput{Modules: mods, Contestants: people, Rules: strings.Replace(rules, `"signed": true, `, "", 1)})
	if len(ps) != 1 || !strings.Contains(ps[0].String(), "应在 0 到 100 之间") {
		t.Fatalf("unsigned: %v", ps)
	}
}

// 缺考 in a score cell is recorded as absent, not as 0; an empty cell is
// refused with a message that says to write 缺考, never 0.
func TestScoresAbsent(t *testing.T) {
	data := xlsx(t, [][]string{
		{"加密号", "成绩"},
		{"A001", "85"},
		{"A002", " 缺考 "},
	})
	plan, ps, err := Scores("t.xlsx", data, ScoresInput{Modules: mods, Contestants: people})
	if err != nil || len(ps) > 0 || len(plan.Scores) != 2 {
		t.Fatalf("%v %v %+v", err, ps, plan)
	}
	if s := plan.Scores[1]; s.ContestantID != 12 || !s.Absent || s.Value != 0 || plan.Scores[0].Absent {
		t.Errorf("absent row: %+v", plan.Scores)
	}
	_, ps, _ = Scores("t.xlsx", xlsx(t, [][]string{{"加密号", "成绩"}, {"A001", ""}}), ScoresInput{Modules: mods, Contestants: people})
	if len(ps) != 1 || !strings.Contains(ps[0].String(), "填“缺考”") || strings.Contains(ps[0].String(), "填 0") {
		t.Errorf("empty cell: %v", ps)
	}
}

func TestScoresEveryBadRowReported(t *testing.T) {
	data := xlsx(t, [][]string{
		{"姓名", "证件号码", "加密号", "成绩"},
		{"李秀英", "#360102199003070", "", "80"},   // row 3: ID in a number cell
		{"某人", "360102199901010000", "", "80"},  // row 4: not on the roster
		{"王小华", "360402200101010013", "", "80"}, // row 5: name differs
		{"", "", "A009", "80"},                  // row 6: unknown code
		{"张丽", "", "", "80"},                    // row 7: neither ID nor code
		{"", "", "A003", "80"},                  // row 8: good
		{"张丽", "360102198604050021", "", "81"},  // row 9: same person as row 8
		{"", "", "A001", ""},                    // row 10: empty score
		{"", "", "A002", "80.12345"},            // row 11: five decimals
		{"", "", "A004", "100.5"},               // row 12: above the maximum
		{"", "", "A005", "-1"},                  // row 13: negative
		{"", "", "A006", "八十"},                  // row 14: not a number
	})
	more := append([]store.Contestant(nil), people...)
	for i, code := range []string{"A004", "A005", "A006"} {
		more = append(more, store.Contestant{ID: int64(20 + i), Name: code, IDNumber: code, Code: ptr(code)})
	}
	_, ps, err := Scores("t.xlsx", data, ScoresInput{Modules: mods, Contestants: more})
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]string{3: "B 列（证件号码）：证件号码存成了数字", 4: "证件号码 360***********0000 不在本赛项名单中", 5: "A 列（姓名）：姓名 王小华 与名单",
		6: "C 列（加密号）：加密号 A009", 7: "缺少证件号码、参赛证号或加密号", 9: "B 列（证件号码）：与第 8 行是同一位选手", 10: "D 列（成绩）：成绩为空",
		11: "最多 4 位小数", 12: "超出范围：应在 0 到 100", 13: "超出范围", 14: "不是最多 4 位小数的数字"}
	got := map[int]string{}
	for _, p := range ps {
		got[p.Row] = p.String()
	}
	for row, w := range want {
		if !strings.Contains(got[row], w) || !strings.HasPrefix(got[row], "第 ") {
			t.Errorf("row %d: got %q, want it to contain %q", row, got[row], w)
		}
	}
	if len(ps) != len(want) {
		t.Errorf("%d problems, want %d: %v", len(ps), len(want), ps)
	}
	err = Rejected("成绩文件", ps)
	if skillscore.ErrorCode(err) != skillscore.EInvalid || !strings.Contains(skillscore.ErrorMessage(err), "第 14 行") {
		t.Fatalf("Rejected: %v", err)
	}
}

func TestScoresFileErrors(t *testing.T) {
	if _, _, err := Scores("t.csv", []byte("a,b"), ScoresInput{Modules: mods}); !strings.Contains(skillscore.ErrorMessage(err), "找不到表头") {
		t.Errorf("csv without a header: %v", err)
	}
	if _, _, err := Scores("t.txt", []byte("准考证号,成绩\n0001,80"), ScoresInput{Modules: mods}); skillscore.ErrorCode(err) != skillscore.EInvalid ||
		!strings.Contains(skillscore.ErrorMessage(err), "不是 .xlsx 工作簿或 .csv 文件") {
		t.Errorf("txt: %v", err)
	}
	noHeader := xlsx(t, [][]string{{"姓名", "分组"}, {"李秀英", "1"}})
	if _, _, err := Scores("t.xlsx", noHeader, ScoresInput{Modules: mods}); !strings.Contains(skillscore.ErrorMessage(err), "找不到表头") {
		t.Errorf("no header: %v", err)
	}
	two := append([]store.Module{{ID: 9, Code: "R", Name: "综合评审", Imported: true}}, mods...)
	if _, _, err := Scores("t.xlsx", noHeader, ScoresInput{Modules: two}); !strings.Contains(skillscore.ErrorMessage(err), "请指定模块") {
		t.Errorf("two imported modules: %v", err)
	}
	// A column headed by the module's own name is its score column.
	byName := xlsx(t, [][]string{{"加密号", "理论知识"}, {"A001", "77"}})
	plan, ps, err := Scores("t.xlsx", byName, ScoresInput{Modules: two, Contestants: people, Module: "理论知识"})
	if err != nil || len(ps) > 0 || len(plan.Scores) != 1 || plan.Scores[0].Value != 770000 {
		t.Errorf("module-named column: %+v %v %v", plan, ps, err)
	}
}

func TestJudgesGoodAndCodes(t *testing.T) {
	data := xlsx(t, [][]string{
		{"序号", "姓名", "单位", "设区市", "模块", "裁判长", "编号"},
		{"1", "陈　明", "南昌市社会福利院", "南昌市", "生活照护", "是", ""},
		{"2", "刘芳", "九江职业技术学院", "九江", "生活照护、基础照护", "否", "j20"},
		{"3", "黄伟", "赣州市养老服务中心", "", "B", "", ""},
	})
	js, ps, err := Judges("j.xlsx", data, JudgesInput{Modules: mods, Judges: []store.Judge{{Code: "J01", Name: "老裁判"}}})
	if err != nil || len(ps) > 0 {
		t.Fatalf("%v %v", err, ps)
	}
	if len(js) != 3 || js[0].Judge.Name != "陈明" || js[0].Judge.City != "南昌" || js[0].Judge.Code != "J02" ||
		js[1].Judge.Code != "J20" || js[2].Judge.Code != "J03" || len(js[1].Panels) != 2 || !js[0].Panels[0].Chief ||
		js[2].Panels[0].ModuleID != 3 || js[0].Row != 3 {
		t.Fatalf("judges: %+v", js)
	}
}

// TestJudgesModuleNamesWithSpaces: the page lists modules by their full
// names, which hold spaces; a space still separates codes ("A B").
func TestJudgesModuleNamesWithSpaces(t *testing.T) {
	spaced := []store.Module{{ID: 2, Code: "A", Name: "实操A 生活照护"}, {ID: 3, Code: "B", Name: "实操B 基础照护"}}
	data := xlsx(t, [][]string{
		{"姓名", "单位", "设区市", "模块"},
		{"周评", "上饶市人民医院", "上饶", "实操A 生活照护、实操B 基础照护"},
		{"吴评", "吉安市养老院", "吉安", "A B"},
		{"郑评", "宜春市护理学校", "宜春", "实操A 康复"},
	})
	_, ps, err := Judges("j.xlsx", data, JudgesInput{Modules: spaced})
	if err != nil || len(ps) != 1 || ps[0].Row != 5 || !strings.Contains(ps[0].Message, `"实操A 康复"`) {
		t.Fatalf("problems %+v, %v; want only row 5's unknown module, named whole", ps, err)
	}
	data = xlsx(t, [][]string{
		{"姓名", "单位", "设区市", "模块"},
		{"周评", "上饶市人民医院", "上饶", "实操A 生活照护、实操B 基础照护"},
		{"吴评", "吉安市养老院", "吉安", "A B"},
	})
	js, ps, err := Judges("j.xlsx", data, JudgesInput{Modules: spaced})
	if err != nil || len(ps) > 0 || len(js) != 2 || len(js[0].Panels) != 2 || len(js[1].Panels) != 2 {
		t.Fatalf("judges %+v, problems %+v, %v", js, ps, err)
	}
}

func TestJudgesEveryBadRowReported(t *testing.T) {
	data := xlsx(t, [][]string{
		{"姓名", "单位", "设区市", "模块", "裁判长", "编号"},
		{"", "某单位", "南昌", "生活照护", "否", ""},       // 3: empty name
		{"刘芳", "九江学院", "九江", "生活照护", "否", ""},    // 4: good
		{"刘芳", "九江学院", "九江", "基础照护", "否", ""},    // 5: duplicate of row 4
		{"老裁判", "省厅", "南昌", "生活照护", "否", ""},     // 6: already a judge
		{"甲", "单位甲", "深圳", "生活照护", "否", ""},      // 7: city
		{"乙", "单位乙", "南昌", "生活照护", "可能", ""},     // 8: chief value
		{"丙", "单位丙", "南昌", "", "否", ""},          // 9: no module
		{"丁", "单位丁", "南昌", "生活照护、基础照护", "是", ""}, // 10: chief of two
		{"戊", "单位戊", "南昌", "理论知识", "否", ""},      // 11: imported module
		{"己", "单位己", "南昌", "基础照护", "是", ""},      // 12: chief of B (first)
		{"庚", "单位庚", "南昌", "基础照护", "是", ""},      // 13: second chief of B
		{"辛", "单位辛", "南昌", "生活照护", "是", ""},      // 14: A already has a chief
		{"壬", "单位壬", "南昌", "生活照护", "否", "J 01!"}, // 15: bad code
		{"癸", "单位癸", "南昌", "生活照护", "否", "j01"},   // 16: code used
	})
	in := JudgesInput{Modules: mods, Judges: []store.Judge{{ID: 5, Code: "J01", Name: "老裁判", Organization: "省厅"}},
		Panels: []store.PanelMember{{ModuleID: 2, JudgeID: 5, Chief: true}}}
	js, ps, err := Judges("j.xlsx", data, in)
	if err != nil || js != nil {
		t.Fatalf("%v %v", err, js)
	}
	want := map[int]string{3: "A 列（姓名）：姓名为空", 5: "与第 4 行重复", 6: "已是本赛事的裁判", 7: "C 列（设区市）",
		8: "E 列（裁判长）", 9: "D 列（模块）：模块为空", 10: "只能负责一个模块", 11: "不是本赛事由裁判评分的模块",
		13: "第 12 行已是裁判长", 14: "本赛事已有裁判长", 15: "只能由字母", 16: "J01 已被使用"}
	got := map[int]string{}
	for _, p := range ps {
		got[p.Row] += p.String()
	}
	for row, w := range want {
		if !strings.Contains(got[row], w) {
			t.Errorf("row %d: got %q, want %q", row, got[row], w)
		}
	}
	if _, bad := got[4]; bad {
		t.Errorf("row 4 is good: %s", got[4])
	}
	if _, bad := got[12]; bad {
		t.Errorf("row 12 is good: %s", got[12])
	}
}

// A team event's theory scores go to the team by its code: a member's
// 证件号码 is refused, naming the member, and nothing is planned for it.
func TestScoresTeamMemberRefused(t *testing.T) {
	team := int64(20)
	roster := append([]store.Contestant{
		{ID: team, Name: "南昌康养一队", Kind: store.KindTeam, Code: ptr("T001")},
		{ID: 21, Name: "赵敏", IDNumber: "360102199001010027", Kind: store.KindMember, TeamID: &team},
	}, people...)
	data := xlsx(t, [][]string{
		{"姓名", "证件号码", "加密号", "成绩"},
		{"赵敏", "360102199001010027", "", "80"},
		{"", "", "T001", "88"},
	})
	plan, ps, err := Scores("t.xlsx", data, ScoresInput{Modules: mods, Contestants: roster})
	if err != nil || len(ps) != 1 || !strings.Contains(ps[0].Message, "赵敏 是团体赛项的队员") {
		t.Fatalf("problems %+v, err %v", ps, err)
	}
	if len(plan.Scores) != 1 || plan.Scores[0].ContestantID != team {
		t.Fatalf("plan %+v, want the team's score only", plan.Scores)
	}
}

// An assessment's exam system exports one row per candidate by 准考证号 or
// 证件号码, 缺考 included, often as .csv: the file is reconciled with the
// roster and every mismatch named by its row, and a candidate the file
// leaves out is named too, refusing the file unless allowed.
func TestScoresAssessmentReconciliation(t *testing.T) {
	candidates := append([]store.Contestant(nil), people...)
	candidates = append(candidates, store.Contestant{ID: 14, Name: "刘芳", IDNumber: "360103199202020048"},
		store.Contestant{ID: 15, Name: "陈明", IDNumber: "360103199303030011"},
		store.Contestant{ID: 16, Name: "周强", IDNumber: "360103199404040012", Status: "withdrew"})
	entryNos := map[int64]string{11: "0001", 12: "0002", 13: "0003", 14: "0004", 15: "0005", 16: "0006"}
	in := ScoresInput{Modules: mods, Contestants: candidates, EntryNos: entryNos, Terms: scoring.TermsFor("assessment"), Complete: true}
	good := "\ufeff考试批次,准考证号,姓名,证件号码,理论成绩\n" +
		"2026-07,0001,李秀英,,86.5\n" +
		"2026-07,0002,王建华,,缺考\n" +
		"2026-07,,张丽,360102198604050021,59\n" +
		"2026-07,0004,刘 芳,,100\n"
	// 陈明 (0005) has no row: named, and the file refused until allowed.
	plan, ps, err := Scores("理论成绩.csv", []byte(good), in)
	if err != nil || len(ps) != 1 || ps[0].Row != 0 || !strings.Contains(ps[0].String(), "名单中有 1 名考生在文件中没有成绩：陈明（0005）") ||
		strings.HasPrefix(ps[0].String(), "第") {
		t.Fatalf("missing candidate: %v %v", ps, err)
	}
	in.AllowMissing = true
	plan, ps, err = Scores("理论成绩.csv", []byte(good), in)
	if err != nil || len(ps) != 0 || len(plan.Scores) != 4 || plan.Absent != 1 || len(plan.Missing) != 1 || plan.Missing[0].ContestantID != 15 {
		t.Fatalf("allowed: %+v %v %v", plan, ps, err)
	}
	want := map[int64]store.ImportedScore{11: {Value: 865000}, 12: {Absent: true}, 13: {Value: 590000}, 14: {Value: 1000000}}
	for _, sc := range plan.Scores {
		if w := want[sc.ContestantID]; sc.Value != w.Value || sc.Absent != w.Absent || sc.ModuleCode != "T" {
			t.Errorf("contestant %d: %+v, want %+v", sc.ContestantID, sc, w)
		}
	}
	in.AllowMissing = false
	bad := "准考证号,姓名,证件号码,成绩\n" +
		"0001,李秀英,,86\n" + // 2: good
		"0099,某人,,70\n" + // 3: not on the roster
		"0002,王小华,,70\n" + // 4: name differs
		"0003,张丽,,101\n" + // 5: out of range
		",李秀英,36010219900307002X,88\n" + // 6: the same person as row 2
		"0004,刘芳,360402200101010013,60\n" + // 7: number and 证件号码 of two people
		",陈明,3.60103E+17,60\n" + // 8: an ID Excel turned into a number
		"0005,陈明,,-1\n" // 9: negative
	_, ps, err = Scores("理论成绩.csv", []byte(bad), in)
	if err != nil {
		t.Fatal(err)
	}
	wantRows := map[int]string{3: "准考证号 0099 不在本批次名单中", 4: "姓名 王小华 与名单中该准考证号的姓名 王建华 不符", 5: "成绩 101 超出范围",
		6: "与第 2 行是同一位考生（李秀英）", 7: "准考证号 0004 与证件号码不是同一位考生", 8: "证件号码存成了数字", 9: "超出范围",
		0: "名单中有 2 名考生在文件中没有成绩：王建华（0002）、刘芳（0004）"}
	got := map[int]string{}
	for _, p := range ps {
		got[p.Row] += p.String()
	}
	for row, w := range wantRows {
		if !strings.Contains(got[row], w) {
			t.Errorf("row %d: got %q, want %q", row, got[row], w)
		}
	}
	if len(ps) != len(wantRows) {
		t.Errorf("%d problems, want %d: %v", len(ps), len(wantRows), ps)
	}
	// The withdrawn candidate is not asked for; no message carries a full 证件号码.
	for _, p := range ps {
		if strings.Contains(p.String(), "周强") || strings.Contains(p.String(), "360102198604050021") {
			t.Errorf("problem %q", p)
		}
	}
}
