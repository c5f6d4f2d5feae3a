package rubric_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"skillscore/examples"
	"skillscore/rubric"
	"skillscore/scoring"
)

func preset(t *testing.T) *scoring.Rules {
	t.Helper()
	raw, err := examples.Files.ReadFile("jiangxi-yanglao-provincial.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc scoring.Rules
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	return &doc
}

// workbook writes rows from A1 on a visible sheet, after a hidden sheet
// that also looks like a rubric (it must be ignored).
func workbook(t *testing.T, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	if err := f.SetSheetRow("Sheet1", "A1", &[]any{"模块", "评分项", "类型", "分值"}); err != nil {
		t.Fatal(err)
	}
	if err := f.SetSheetRow("Sheet1", "A2", &[]any{"A", "隐藏表中的行", "主观", "100"}); err != nil {
		t.Fatal(err)
	}
	idx, err := f.NewSheet("细则")
	if err != nil {
		t.Fatal(err)
	}
	f.SetActiveSheet(idx)
	if err := f.SetSheetVisible("Sheet1", false); err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("细则", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

var header = []any{"模块", "评分项代码", "评分项", "类型", "分值", "评分标准", "0分描述", "1分描述", "2分描述", "3分描述"}

func TestReadApplyValid(t *testing.T) {
	data := workbook(t, [][]any{
		{"2027 年省赛 实操A 评分细则"},
		{},
		header,
		{"A", "A1", "评估与沟通", "主观", "40", "", "未完成", "部分完成", "基本达到", "完全达到"},
		{"实操A 生活照护", "", "协助进食", "客观", "60"},
		{},
		{"A", "", "操作中的失误", "扣分", "10"},
		{"A", "", "严重安全事故", "否决", ""},
		{"A", "", "弄虚作假", "否决（取消资格）", ""},
		{"A", "", "违反操作规程", "否决（本模块记 0 分）", ""},
	})
	s, probs, err := rubric.Read(data)
	if err != nil || len(probs) != 0 || len(s.Rows) != 6 || s.Rows[0].Num != 4 || s.Rows[3].Num != 8 {
		t.Fatalf("read: %v %v %+v", err, probs, s)
	}
	doc := preset(t)
	spread := doc.Modules[1].Aspects[0].MaxSpread
	if _, probs := rubric.Apply(doc, s); len(probs) != 0 {
		t.Fatal(probs)
	}
	a := doc.Modules[1].Aspects
	if len(a) != 6 || a[5].Effect != "zero_module" || a[0].Code != "A1" || a[0].MaxSpread != spread || len(a[0].Descriptors) != 4 || a[1].Code != "A2" ||
		a[1].Kind != scoring.Measurement || a[3].Kind != scoring.Veto || a[3].Effect != "zero_module" ||
		a[4].Kind != scoring.Veto || a[4].Effect != "disqualify" {
		t.Fatalf("aspects: %+v", a)
	}
	raw, _ := json.Marshal(doc)
	if _, err := scoring.ParseRules(raw); err != nil {
		t.Fatalf("imported rubric does not validate: %v", err)
	}
}

func TestReadApplyProblemsAtCells(t *testing.T) {
	data := workbook(t, [][]any{
		header,
		{"A", "A1", "评估与沟通", "打分", "40"},
		{"A", "A2", "协助进食", "客观", "五十"},
		{"Z", "Z1", "不存在的模块", "客观", "10"},
		{"theory", "T1", "理论", "客观", "10"},
		{"B", "B1", "沟通", "主观", "60", "", "未完成", "部分完成"},
		{"B", "B2", "观察", "客观", "30"},
	})
	s, probs, err := rubric.Read(data)
	if err != nil {
		t.Fatal(err)
	}
	cells := func(ps []rubric.Problem) string {
		var out []string
		for _, p := range ps {
			out = append(out, p.Cell()+" "+p.Message)
		}
		return strings.Join(out, "\n")
	}
	got := cells(probs)
	if !strings.Contains(got, "第 2 行 D 列（类型）") || !strings.Contains(got, "第 3 行 E 列（分值）") || len(probs) != 2 {
		t.Fatalf("read problems:\n%s", got)
	}
	doc := preset(t)
	pl, probs := rubric.Apply(doc, s)
	got = cells(probs)
	if !strings.Contains(got, "第 4 行 A 列（模块） 模块“Z”不在规则中") ||
		!strings.Contains(got, "第 5 行 A 列（模块） 模块“theory”的成绩为导入") {
		t.Fatalf("apply problems:\n%s", got)
	}
	// The core's problems come back at their cells: B1's descriptors are
	// two, not four, and B's aspects add up to 90, not 100.
	raw, _ := json.Marshal(doc)
	_, err = scoring.ParseRules(raw)
	var re *scoring.RulesError
	if !errors.As(err, &re) {
		t.Fatalf("want a rules error, got %v", err)
	}
	var placed []rubric.Problem
	for _, p := range re.Problems {
		if c, ok := pl.Place(p.Path, p.Message); ok {
			placed = append(placed, c)
		}
	}
	got = cells(placed)
	if !strings.Contains(got, "第 6 行 G 列（0分描述） 描述须有 4 条") || !strings.Contains(got, "第 6 行 A 列（模块） 评分项分值之和 90 不等于模块满分 100") {
		t.Fatalf("placed core problems:\n%s", got)
	}
}

func TestTemplateReadsBack(t *testing.T) {
	doc := preset(t)
	// A disqualifying veto survives the round trip (the preset's zeroes
	// the module; the fresh copy below still has that).
	b8 := &doc.Modules[2].Aspects[7]
	if b8.Kind != scoring.Veto {
		t.Fatalf("preset B8 is %s, not a veto", b8.Kind)
	}
	b8.Effect = "disqualify"
	data, err := rubric.Template(doc)
	if err != nil {
		t.Fatal(err)
	}
	s, probs, err := rubric.Read(data)
	if err != nil || len(probs) != 0 || len(s.Rows) != 22 || s.Rows[0].Num != 3 {
		t.Fatalf("template read back: %v %v %d", err, probs, len(s.Rows))
	}
	again := preset(t)
	if _, probs := rubric.Apply(again, s); len(probs) != 0 {
		t.Fatal(probs)
	}
	a, _ := json.Marshal(doc)
	b, _ := json.Marshal(again)
	if string(a) != string(b) {
		t.Fatalf("template round trip changed the rules:\n%s\n%s", a, b)
	}
	if _, _, err := rubric.Read([]byte("模块,评分项\n")); err == nil {
		t.Fatal("a CSV was read as a workbook")
	}
}

// TestBareVetoKeepsItsEffect: re-importing an older sheet that writes a
// disqualifying veto as plain 否决 does not quietly turn it into a module
// zero.
func TestBareVetoKeepsItsEffect(t *testing.T) {
	doc := preset(t)
	b := &doc.Modules[2]
	b.Aspects[7].Effect = "disqualify"
	var rows [][]any
	rows = append(rows, header)
	for _, a := range b.Aspects {
		kind := map[scoring.AspectKind]string{scoring.Measurement: "客观", scoring.Judgement: "主观", scoring.Deduction: "扣分", scoring.Veto: "否决"}[a.Kind]
		max := a.Max.String()
		if a.Kind == scoring.Veto {
			max = ""
		}
		rows = append(rows, []any{b.Code, a.Code, a.Name, kind, max})
	}
	s, probs, err := rubric.Read(workbook(t, rows))
	if err != nil || len(probs) != 0 {
		t.Fatalf("read: %v %v", err, probs)
	}
	if _, probs := rubric.Apply(doc, s); len(probs) != 0 {
		t.Fatal(probs)
	}
	if got := doc.Modules[2].Aspects[7].Effect; got != "disqualify" {
		t.Fatalf("B8's effect after a bare 否决: %q, want disqualify kept", got)
	}
}
