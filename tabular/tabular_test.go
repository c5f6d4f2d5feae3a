package tabular

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"skillscore"
)

// workbook builds a minimal .xlsx around the given sheet data XML (the
// rows inside <sheetData>) and extra parts.
func workbook(t *testing.T, rows string, extra map[string]string) []byte {
	t.Helper()
	parts := map[string]string{
		"_rels/.rels": `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
		"xl/workbook.xml": `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">` +
			`<sheets><sheet name="名单" sheetId="1" r:id="rId1"/></sheets></workbook>`,
		"xl/_rels/workbook.xml.rels": `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>` +
			`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`,
		"xl/worksheets/sheet1.xml": `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` + rows + `</sheetData></worksheet>`,
	}
	for k, v := range extra {
		parts[k] = v
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range parts {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, body)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func small() Limits {
	lim := Default()
	lim.Rows, lim.Columns, lim.Cells, lim.CellChars, lim.LineBytes = 100, 8, 50, 20, 64
	return lim
}

// refused checks that err is a *skillscore.Error of code whose message
// names the limit.
func refused(t *testing.T, what string, err error, code, want string) {
	t.Helper()
	if skillscore.ErrorCode(err) != code || !strings.Contains(skillscore.ErrorMessage(err), want) || !strings.Contains(skillscore.ErrorMessage(err), "上限") {
		t.Errorf("%s: got %v (%s), want %s naming %q and 上限", what, err, skillscore.ErrorCode(err), code, want)
	}
}

func TestXLSXBounds(t *testing.T) {
	inline := func(ref, v string) string { return `<c r="` + ref + `" t="inlineStr"><is><t>` + v + `</t></is></c>` }
	var manyRows, manyCells strings.Builder
	for r := 1; r <= 101; r++ {
		fmt.Fprintf(&manyRows, `<row r="%d">%s</row>`, r, inline(fmt.Sprint("A", r), "x"))
	}
	for r := 1; r <= 51; r++ {
		fmt.Fprintf(&manyCells, `<row r="%d">%s</row>`, r, inline(fmt.Sprint("A", r), "x"))
	}
	lim := small()
	lim.Cells = 1000
	_, err := ReadXLSX("f.xlsx", workbook(t, `<row r="1">`+inline("A1", "姓名")+inline("XFD1", "x")+`</row>`, nil), lim)
	refused(t, "a cell in XFD", err, skillscore.EUnprocessable, "XFD 列")
	_, err = ReadXLSX("f.xlsx", workbook(t, `<row r="2">`+inline("I2", "x")+`</row>`, nil), lim)
	refused(t, "a cell one column past", err, skillscore.EUnprocessable, "8 列上限")
	_, err = ReadXLSX("f.xlsx", workbook(t, manyRows.String(), nil), lim)
	refused(t, "rows", err, skillscore.ETooLarge, "100 行上限")
	lim.Rows, lim.Cells = 1000, 50
	_, err = ReadXLSX("f.xlsx", workbook(t, manyCells.String(), nil), lim)
	refused(t, "cells", err, skillscore.ETooLarge, "50 个非空单元格上限")
	_, err = ReadXLSX("f.xlsx", workbook(t, `<row r="1">`+inline("A1", strings.Repeat("长", 21))+`</row>`, nil), lim)
	refused(t, "a long cell", err, skillscore.EUnprocessable, "20 个字符上限")

	// The shared strings: their size, their count, each one's length.
	sst := `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` + strings.Repeat(`<si><t>x</t></si>`, 51) + `</sst>`
	_, err = ReadXLSX("f.xlsx", workbook(t, `<row r="1"><c r="A1" t="s"><v>0</v></c></row>`, map[string]string{"xl/sharedStrings.xml": sst}), lim)
	refused(t, "shared strings count", err, skillscore.ETooLarge, "50 条上限")
	lim.SharedStringsBytes = 100
	_, err = ReadXLSX("f.xlsx", workbook(t, `<row r="1"><c r="A1" t="s"><v>0</v></c></row>`, map[string]string{"xl/sharedStrings.xml": sst}), lim)
	refused(t, "shared strings size", err, skillscore.ETooLarge, "共享字符串表")

	// The zip: a part's and the whole's decompressed size, the ratio, the
	// number of parts; all from the central directory.
	lim = small()
	lim.PartBytes = 1 << 10
	_, err = ReadXLSX("f.xlsx", workbook(t, strings.Repeat(`<row/>`, 200), nil), lim)
	refused(t, "part size", err, skillscore.ETooLarge, "每个部件 0 MB")
	lim = small()
	lim.UnzipBytes = 1 << 10
	_, err = ReadXLSX("f.xlsx", workbook(t, strings.Repeat(`<row/>`, 200), nil), lim)
	refused(t, "unzipped size", err, skillscore.ETooLarge, "解压后超过")
	_, err = ReadXLSX("f.xlsx", workbook(t, strings.Repeat(" ", 3<<20), nil), small())
	refused(t, "ratio", err, skillscore.EUnprocessable, "100:1 上限")
	extra := map[string]string{}
	for i := 0; i < 20; i++ {
		extra[fmt.Sprintf("xl/media/%d.txt", i)] = ""
	}
	lim = small()
	lim.Parts = 10
	_, err = ReadXLSX("f.xlsx", workbook(t, "", extra), lim)
	refused(t, "parts", err, skillscore.EUnprocessable, "10 个部件")
	lim.FileBytes = 100
	_, err = ReadXLSX("f.xlsx", workbook(t, "", nil), lim)
	refused(t, "file size", err, skillscore.ETooLarge, "0 MB 上限")

	// An empty cell far to the right is no content: ignored.
	b, err := ReadXLSX("f.xlsx", workbook(t, `<row r="1">`+inline("A1", "姓名")+`<c r="XFD1" s="1"/></row>`, nil), small())
	if err != nil || !reflect.DeepEqual(b.Sheets[0].Rows, [][]string{{"姓名"}}) {
		t.Errorf("an empty far cell: %v %+v", err, b)
	}
}

func TestXLSXReadsAsExcelize(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	set := func(cell string, v any) {
		if err := f.SetCellValue("Sheet1", cell, v); err != nil {
			t.Fatal(err)
		}
	}
	set("A1", "姓名")
	set("B1", "证件号码")
	set("C1", "成绩")
	set("E1", "备注")
	set("A2", "李秀英")
	set("B2", 360102198604050012)
	set("C2", 85.5)
	set("D2", true)
	set("E2", "a_x000D_b")
	set("A4", "张三")
	set("B4", "36010219860405001X")
	set("C4", 0.1+0.2)
	if err := f.SetCellFormula("Sheet1", "D4", "C2*2"); err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellRichText("Sheet1", "E4", []excelize.RichTextRun{{Text: "富"}, {Text: "文本"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.NewSheet("隐藏"); err != nil {
		t.Fatal(err)
	}
	f.SetCellValue("隐藏", "A1", "x")
	if err := f.SetSheetVisible("隐藏", false); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	want, err := f.GetRows("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	b, err := ReadXLSX("f.xlsx", buf.Bytes(), Default())
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Sheets) != 1 || b.Sheets[0].Name != "Sheet1" || !reflect.DeepEqual(b.Hidden, []string{"隐藏"}) {
		t.Fatalf("sheets %+v hidden %v", b.Sheets, b.Hidden)
	}
	got := b.Sheets[0]
	if !reflect.DeepEqual(got.Rows, want) {
		t.Errorf("rows:\n got %q\nwant %q", got.Rows, want)
	}
	for r := range want {
		for c := range want[r] {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			ct, _ := f.GetCellType("Sheet1", cell)
			numeric := want[r][c] != "" && (ct == excelize.CellTypeNumber || ct == excelize.CellTypeUnset)
			if got.Numeric(r, c) != numeric {
				t.Errorf("%s (%q): numeric %v, excelize type %v", cell, want[r][c], got.Numeric(r, c), ct)
			}
		}
	}
}

func TestCSVBounds(t *testing.T) {
	lim := small()
	_, err := ReadCSV("f.csv", []byte("姓名,证件号码\n"+strings.Repeat(",", 100)+"\n"), lim)
	refused(t, "a long line", err, skillscore.EUnprocessable, "第 2 行超过每行 0 KB 上限")
	_, err = ReadCSV("f.csv", []byte("姓名,证件号码\n,,,,,,,,x\n"), lim)
	refused(t, "a value past the last column", err, skillscore.EUnprocessable, "第 2 行第 I 列")
	lim.Cells = 1000
	_, err = ReadCSV("f.csv", []byte("姓名\n"+strings.Repeat("x\n", 100)), lim)
	refused(t, "rows", err, skillscore.ETooLarge, "100 行上限")
	lim.Rows, lim.Cells = 1000, 50
	_, err = ReadCSV("f.csv", []byte(strings.Repeat("x,y\n", 26)), lim)
	refused(t, "cells", err, skillscore.ETooLarge, "50 个非空单元格上限")

	// Excel pads every line to the widest: empty fields past the last
	// column are no content. Blank lines keep the row numbers.
	c, err := ReadCSV("f.csv", []byte("姓名,证件号码,,,,,,,,,,\n\n李秀英,1,,,,,,,,,,\n"), small())
	if err != nil || !reflect.DeepEqual(c.Rows, [][]string{{"姓名", "证件号码"}, nil, {"李秀英", "1"}}) || c.Encoding != "utf-8" {
		t.Errorf("padded CSV: %v %+v", err, c)
	}
}

// TestLargeRealRosterFits: the default bounds take a roster of 10,000
// people with 30 columns whole (a fifth of the row bound, under a third of
// the cell bound).
func TestLargeRealRosterFits(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	const rows, cols = 10_000, 30
	for r := 1; r <= rows; r++ {
		vals := make([]any, cols)
		for c := range vals {
			vals[c] = fmt.Sprintf("江西省南昌市第%d行第%d列", r, c)
		}
		cell, _ := excelize.CoordinatesToCellName(1, r)
		if err := sw.SetRow(cell, vals); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	b, err := ReadXLSX("大名单.xlsx", buf.Bytes(), Default())
	if err != nil {
		t.Fatalf("%d KB workbook: %v", buf.Len()>>10, err)
	}
	t.Logf("%d KB workbook read in %v", buf.Len()>>10, time.Since(start))
	got := b.Sheets[0].Rows
	if len(got) != rows || len(got[rows-1]) != cols || got[rows-1][cols-1] != fmt.Sprintf("江西省南昌市第%d行第%d列", rows, cols-1) {
		t.Fatalf("read %d rows, last %q", len(got), got[len(got)-1])
	}
}

// CountZipEntries counts what archive/zip lists, read in place, for a
// plain directory, one after prepended bytes (a self-extracting archive)
// and a zip64 one (over 65,535 entries), and stops just past the limit.
func TestCountZipEntriesMatchesArchiveZip(t *testing.T) {
	build := func(n int, prefix string) []byte {
		var buf bytes.Buffer
		buf.WriteString(prefix)
		zw := zip.NewWriter(&buf)
		zw.SetOffset(int64(len(prefix)))
		for i := 0; i < n; i++ {
			if _, err := zw.CreateHeader(&zip.FileHeader{Name: fmt.Sprintf("%d.jpg", i), Method: zip.Store}); err != nil {
				t.Fatal(err)
			}
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	for _, c := range []struct {
		n      int
		prefix string
	}{{0, ""}, {3, ""}, {5, "MZ self-extractor stub"}, {70_000, ""}} {
		data := build(c.n, c.prefix)
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		if got := CountZipEntries(bytes.NewReader(data), int64(len(data)), 1<<30); got != len(zr.File) || got != c.n {
			t.Errorf("%d entries (prefix %q): counted %d, archive/zip lists %d", c.n, c.prefix, got, len(zr.File))
		}
		if c.n > 2 {
			if got := CountZipEntries(bytes.NewReader(data), int64(len(data)), 2); got != 3 {
				t.Errorf("%d entries with limit 2: counted %d, want 3 (stop just past the limit)", c.n, got)
			}
		}
	}
	if got := CountZipEntries(strings.NewReader("not a zip at all, just text"), 27, 10); got != -1 {
		t.Errorf("not a zip: %d, want -1", got)
	}
}
