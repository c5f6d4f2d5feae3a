package roster

import (
	"context"
	"os"
	"strings"
	"testing"

	"skillscore"
	"skillscore/store"
)

func candidateHeader() []any {
	return []any{"序号", "姓名", "性别", "证件类型", "证件号码", "民族", "文化程度", "工作单位", "设区市", "考生来源", "申报条件", "现等级", "现等级证书编号", "手机"}
}

// TestCandidateColumnsEachRefusal builds an assessment roster with a row
// per defect of the office columns, each refused with its reason in its
// column, and good rows read and normalised.
func TestCandidateColumnsEachRefusal(t *testing.T) {
	ok := func(seq int) string { return makeID(t, "360902", 1979, 3, 3, seq) }
	cert := "S000036000001243000017" // 2024, level 3, serial 17
	rows := []struct {
		cells  []any
		reason string
		column string
	}{
		{[]any{1, "甲", "", "", ok(1), "汉族", "大学专科", "宜春市中医院", "宜春", "新考", "从事本职业 5 年", "三级", cert, ""}, "ok", ""},
		{[]any{2, "乙", "", "", ok(3), "畲", "本科", "", "宜春", "补考", "取得四级证书后 4 年", "", "", ""}, "ok", ""},
		{[]any{3, "丙", "", "", ok(5), "火星族", "大专", "", "宜春", "新考", "条件", "", "", ""}, "ethnicity_unknown", "F"},
		{[]any{4, "丁", "", "", ok(7), "", "大专", "", "宜春", "新考", "条件", "", "", ""}, "ethnicity_unknown", "F"},
		{[]any{5, "戊", "", "", ok(9), "汉族", "幼儿园", "", "宜春", "新考", "条件", "", "", ""}, "education_unknown", "G"},
		{[]any{6, "己", "", "", ok(11), "汉族", "", "", "宜春", "新考", "条件", "", "", ""}, "education_unknown", "G"},
		{[]any{7, "庚", "", "", ok(13), "汉族", "高中", "", "宜春", "重考", "条件", "", "", ""}, "source_unknown", "J"},
		{[]any{8, "辛", "", "", ok(15), "汉族", "高中", "", "宜春", "", "条件", "", "", ""}, "source_unknown", "J"},
		{[]any{9, "壬", "", "", ok(17), "汉族", "高中", "", "宜春", "新考", "", "", "", ""}, "qualification_empty", "K"},
		{[]any{10, "癸", "", "", ok(19), "汉族", "高中", "", "宜春", "新考", strings.Repeat("条", 201), "", "", ""}, "too_long", "K"},
		{[]any{11, "子", "", "", ok(21), "汉族", "高中", "", "宜春", "新考", "条件", "三级", "S00003600000124300001", ""}, "cert_no_invalid", "M"},
		{[]any{12, "丑", "", "", ok(23), "汉族", "高中", "", "宜春", "新考", "条件", "三级", "X000036000001243000017", ""}, "cert_no_invalid", "M"},
		{[]any{13, "寅", "", "", ok(25), "汉族", "高中", "", "宜春", "新考", "条件", "", cert, ""}, "cert_no_invalid", "M"},
		{[]any{14, "卯", "", "", ok(27), "汉族", "高中", "", "宜春", "新考", "条件", "四级/中级工", cert, ""}, "cert_no_invalid", "M"},
		{[]any{15, "辰", "", "", ok(29), "其它", "其他", "", "宜春", "首考", "条件", "", "", ""}, "ok", ""},
		{[]any{16, "巳", "", "", ok(31), "98", "技校", "", "宜春", "补考", "条件", "", "", ""}, "ok", ""},
		{[]any{17, "午", "", "", ok(33), "维族", "中专", "", "北京", "补考", "条件", "", "", ""}, "city_unknown", "I"},
		{[]any{18, "", "", "", ok(35), "苗族", "小学", "", "宜春", "其他", "", "", "", ""}, "name_empty,source_unknown,qualification_empty", ""},
	}
	sheet := [][]any{candidateHeader()}
	for _, r := range rows {
		sheet = append(sheet, r.cells)
	}
	ev := Event{Groups: []store.Group{{Code: "all", Name: "考生"}}, Assessment: true}
	rep := check(t, "考生.xlsx", workbook(t, sheetSpec{name: "考生", rows: sheet}), ev)
	if len(rep.Verdicts) != len(rows) {
		t.Fatalf("%d verdicts, want %d", len(rep.Verdicts), len(rows))
	}
	seen := map[Reason]bool{}
	for i, r := range rows {
		v := rep.Verdicts[i]
		if got := reasonsOf(v); got != r.reason {
			t.Errorf("row %d: reasons %s, want %s (%+v)", v.Row, got, r.reason, v.Problems)
			continue
		}
		for _, p := range v.Problems {
			seen[p.Reason] = true
			if r.column != "" && p.Column != r.column {
				t.Errorf("row %d: %s in column %s, want %s", v.Row, p.Reason, p.Column, r.column)
			}
			if p.Message == "" {
				t.Errorf("row %d: %s without a message", v.Row, p.Reason)
			}
		}
	}
	for _, ri := range CandidateReasons() {
		if !seen[ri.Code] {
			t.Errorf("no row exercised %s", ri.Code)
		}
	}
	got := []Person{rep.Verdicts[0].Person, rep.Verdicts[1].Person, rep.Verdicts[14].Person, rep.Verdicts[15].Person}
	want := []Person{
		{Ethnicity: "汉族", Education: "大学专科", Source: store.SourceNew, Qualification: "从事本职业 5 年", LevelCertNo: cert},
		{Ethnicity: "畲族", Education: "大学本科", Source: store.SourceRetake, Qualification: "取得四级证书后 4 年"},
		{Ethnicity: "其他", Education: "其他", Source: store.SourceNew, Qualification: "条件"},
		{Ethnicity: "外国血统中国籍人士", Education: "技工学校", Source: store.SourceRetake, Qualification: "条件"},
	}
	for i := range want {
		g := got[i]
		if g.Ethnicity != want[i].Ethnicity || g.Education != want[i].Education || g.Source != want[i].Source ||
			g.Qualification != want[i].Qualification || g.LevelCertNo != want[i].LevelCertNo {
			t.Errorf("accepted row %d = %+v\nwant %+v", i, g, want[i])
		}
	}
	if g := rep.Verdicts[0].Person; g.Level != 3 {
		t.Errorf("current level = %d, want 3", g.Level)
	}
	cols := ""
	for _, c := range rep.Sheets[0].Columns {
		cols += c.Column + ":" + c.Field + " "
	}
	for _, w := range []string{"F:ethnicity", "G:education", "J:source", "K:qualification", "M:level_cert_no"} {
		if !strings.Contains(cols, w) {
			t.Errorf("columns %s lack %s", cols, w)
		}
	}
	// The rejected-rows workbook names every problem of the office columns.
	out, err := RejectedXLSX("考生.xlsx", workbook(t, sheetSpec{name: "考生", rows: sheet}), rep)
	if err != nil || len(out) == 0 {
		t.Fatalf("rejected rows: %v", err)
	}
}

// TestCandidateHeaderVariants: the headers offices use for each column.
func TestCandidateHeaderVariants(t *testing.T) {
	for want, hs := range map[field][]string{
		fEthnicity:     {"民族", "民 族", "民族名称", "*民族"},
		fEducation:     {"文化程度", "学历", "最高学历", "学历层次", "文化程度（学历）"},
		fSource:        {"考生来源", "考生类别", "考生类型", "报考类型", "考试类型", "新考/补考", "考生来源（新考/补考）"},
		fQualification: {"申报条件", "报考条件", "申报资格", "申报条件（对应条款）"},
		fLevelCertNo:   {"现等级证书编号", "原证书编号", "证书编号", "原职业技能等级证书编号", "职业技能等级证书编号"},
	} {
		for _, h := range hs {
			if got := headerField(h); got != want {
				t.Errorf("header %q = %q, want %q", h, got, want)
			}
		}
	}
}

// TestEthnicityNamesAndCodes: every name of GB 3304 by name, short name
// and code; nothing else.
func TestEthnicityNamesAndCodes(t *testing.T) {
	all := Ethnicities()
	if len(all) != 58 {
		t.Fatalf("%d names, want 56 民族 + 其他 + 外国血统中国籍人士", len(all))
	}
	for i, e := range all[:56] {
		for _, in := range []string{e, strings.TrimSuffix(e, "族"), " " + e + " ", string(rune('0'+(i+1)/10)) + string(rune('0'+(i+1)%10))} {
			if got, ok := Ethnicity(in); !ok || got != e {
				t.Errorf("Ethnicity(%q) = %q %v, want %s", in, got, ok, e)
			}
		}
	}
	for in, want := range map[string]string{"97": "其他", "其它": "其他", "98": "外国血统中国籍人士", "外国血统": "外国血统中国籍人士",
		"蒙族": "蒙古族", "维族": "维吾尔族"} {
		if got, ok := Ethnicity(in); !ok || got != want {
			t.Errorf("Ethnicity(%q) = %q %v, want %s", in, got, ok, want)
		}
	}
	for _, bad := range []string{"", "00", "57", "96", "99", "汉人", "火星族", "穿青人", "族"} {
		if got, ok := Ethnicity(bad); ok {
			t.Errorf("Ethnicity(%q) = %q accepted", bad, got)
		}
	}
	for _, e := range Educations() {
		if got, ok := Education(e); !ok || got != e {
			t.Errorf("Education(%q) = %q %v", e, got, ok)
		}
	}
}

// TestCompetitionIgnoresCandidateColumns: a competition's 报名表 often
// has 民族 and 文化程度; the import does not read them (nothing about them
// can reject a row) and says so in the report.
func TestCompetitionIgnoresCandidateColumns(t *testing.T) {
	sheet := [][]any{candidateHeader(),
		{1, "甲", "", "", makeID(t, "360902", 1979, 3, 3, 1), "火星族", "幼儿园", "单位", "宜春", "重考", "", "三级", "乱写的编号", ""}}
	rep := check(t, "名单.xlsx", workbook(t, sheetSpec{name: "名单", rows: sheet}), Event{Groups: []store.Group{{Code: "employee", Name: "职工组"}}})
	if rep.Accepted != 1 {
		t.Fatalf("competition row refused: %+v", rep.Verdicts[0].Problems)
	}
	p := rep.Verdicts[0].Person
	if p.Ethnicity != "" || p.Education != "" || p.Source != "" || p.LevelCertNo != "" {
		t.Errorf("competition person carries candidate fields: %+v", p)
	}
	var ignored []string
	for _, c := range rep.Sheets[0].Ignored {
		ignored = append(ignored, c.Column+"("+c.Header+")")
	}
	if got := strings.Join(ignored, " "); got != "F(民族) G(文化程度) J(考生来源) K(申报条件) M(现等级证书编号)" {
		t.Errorf("ignored = %s", got)
	}
	for _, c := range rep.Sheets[0].Columns {
		if c.Field == string(fEthnicity) {
			t.Error("民族 listed as read")
		}
	}
}

func TestDocsListCandidateReasons(t *testing.T) {
	doc, err := os.ReadFile("../docs/roster.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range CandidateReasons() {
		if !strings.Contains(string(doc), "`"+string(r.Code)+"`") {
			t.Errorf("docs/roster.md does not document reason %s", r.Code)
		}
	}
}

// TestImportBatchRosterStoresCandidates imports an assessment batch's
// roster into the database, both backends: the office fields are stored
// with the people, in the same import; a rejected row stores nothing.
func TestImportBatchRosterStoresCandidates(t *testing.T) {
	forEachStore(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		ev, _, err := st.CreateBatch(ctx, store.NewEvent{Event: store.Event{Code: "jx-rd-2026-06", Name: "养老护理员三级认定", Kind: "assessment",
			Occupation: "养老护理员", OccupationCode: "4-10-01-05", Level: 3, Year: 2026, StartsOn: "2026-06-10", Rules: `{"modules":[]}`},
			Groups: []store.Group{{Code: "all", Name: "考生"}}}, store.Batch{BatchNo: "2026-06", PublicityDays: 5, RetakeMonths: 12}, nil, "tester")
		if err != nil {
			t.Fatal(err)
		}
		rows := [][]any{candidateHeader()}
		for i := range 30 {
			src, eth := "新考", "汉族"
			if i%5 == 0 {
				src, eth = "补考", "畲族"
			}
			rows = append(rows, []any{i + 1, "考生", "", "", makeID(t, "360902", 1980, 1, 1+i%28, i*2+1), eth, "高中", "宜春市养老院", "宜春",
				src, "从事本职业 6 年", "四级", "S000036000001234" + strings.Repeat("0", 5) + string(rune('1'+i%9)), ""})
		}
		bad := append([][]any(nil), rows...)
		bad = append(bad, []any{31, "错", "", "", makeID(t, "360902", 1980, 1, 1, 99), "汉族", "幼儿园", "", "宜春", "新考", "条件", "", "", ""})
		rep, err := Import(ctx, st, ev.ID, "坏.xlsx", workbook(t, sheetSpec{name: "考生", rows: bad}), Options{Actor: "org", Basis: store.BasisDuty})
		if skillscore.ErrorCode(err) != skillscore.EInvalid || rep == nil || rep.Rejected != 1 {
			t.Fatalf("bad file: %v %+v", err, rep)
		}
		if cs, _ := st.Contestants(ctx, ev.ID); len(cs) != 0 {
			t.Fatalf("a rejected file stored %d people", len(cs))
		}
		rep, err = Import(ctx, st, ev.ID, "考生.xlsx", workbook(t, sheetSpec{name: "考生", rows: rows}), Options{Actor: "org", Basis: store.BasisDuty})
		if err != nil || rep.Stored == nil || rep.Stored.Contestants != 30 {
			t.Fatalf("import: %v %+v", err, rep)
		}
		cands, err := st.Candidates(ctx, ev.ID)
		if err != nil || len(cands) != 30 {
			t.Fatalf("candidates %d %v", len(cands), err)
		}
		retake := 0
		for _, c := range cands {
			if c.Source == store.SourceRetake {
				retake++
				if c.Ethnicity != "畲族" {
					t.Errorf("补考 candidate %+v", c)
				}
			}
			if c.Education != "普通高中" || c.Qualification != "从事本职业 6 年" || len(c.LevelCertNo) != 22 {
				t.Errorf("candidate %+v", c)
			}
		}
		if retake != 6 {
			t.Errorf("%d 补考, want 6", retake)
		}
		trail, _ := st.AuditTrail(ctx, ev.ID)
		last := trail[len(trail)-1]
		if last.Action != "roster.import" || !strings.Contains(last.Detail, `"candidates":30`) {
			t.Errorf("audit %s %s", last.Action, last.Detail)
		}
	})
}
