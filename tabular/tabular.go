// Package tabular reads the spreadsheets organizers upload (.xlsx workbooks
// and .csv files) within bounds, so that no file, however it is built, can
// make the server hold more than a bounded amount of memory: the upload's
// size, the zip's parts and their decompressed size and ratio (checked from
// the central directory before anything is decompressed), the shared
// strings, rows, columns, cells and the length of a cell or a CSV line.
// A file past a bound is refused with a *skillscore.Error naming the limit:
// ETooLarge (413) for "too much", EUnprocessable (422) for a structure no
// real roster, score list or rubric has.
//
// The roster, theory-score, judge and rubric imports all read through it.
package tabular

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"skillscore"
)

// Limits bound one file. Default is what every import uses; tests pass
// smaller ones to reach a bound cheaply.
type Limits struct {
	FileBytes int64 // the uploaded file
	Rows      int   // the last row number that may hold a value
	Columns   int   // the last column that may hold a value (at most 64)
	Cells     int   // non-empty cells in the whole file
	CellChars int   // characters in one cell
	LineBytes int   // one CSV line

	Parts              int   // entries in the .xlsx zip
	PartBytes          int64 // one decompressed part (a worksheet)
	UnzipBytes         int64 // all parts decompressed
	SharedStringsBytes int64 // the decompressed shared-strings part
	Ratio              int64 // decompressed / compressed, for parts over 1 MB
}

// Default bounds: a roster of 10,000 people with 30 columns is 300,000
// cells and a worksheet of about 15 MB; a score list or rubric is far
// smaller. Each bound leaves several times that room.
func Default() Limits {
	return Limits{
		FileBytes: 20 << 20,
		Rows:      50_100, // 50,000 data rows with title rows and blank lines around them
		Columns:   64,
		Cells:     1_000_000,
		CellChars: 32_767, // Excel's own limit
		LineBytes: 64 << 10,

		Parts:              1_000,
		PartBytes:          64 << 20,
		UnzipBytes:         128 << 20,
		SharedStringsBytes: 32 << 20,
		Ratio:              100,
	}
}

// Table is the cells of one sheet (or a CSV file): Rows[i] is the
// spreadsheet's row i+1, each row as long as its last non-empty cell
// (empty rows are nil).
type Table struct {
	Name string // the sheet's name; empty for a CSV file
	Rows [][]string
	// numeric[i] has bit c set when cell (i, c) holds a number rather
	// than text, which for an ID means its last digits are lost.
	numeric []uint64
}

// Numeric reports whether the cell at (row index, column index) holds a
// number; a cell without a type is a number, as the spreadsheet's default.
func (t *Table) Numeric(row, col int) bool {
	return row >= 0 && row < len(t.numeric) && col >= 0 && col < 64 && t.numeric[row]&(1<<col) != 0
}

// counter keeps the file-wide cell count and places values in a table,
// refusing any past the bounds.
type counter struct {
	lim   Limits
	file  string
	cells int
}

// put stores a non-empty value at (row, col), both from 1.
func (c *counter) put(t *Table, row, col int, v string, numeric bool) error {
	if row > c.lim.Rows {
		return skillscore.Errorf(skillscore.ETooLarge, "%s%s第 %d 行有内容：超过 %s 行上限", c.prefix(), sheetOf(t), row, thousands(c.lim.Rows))
	}
	if col > c.lim.Columns {
		return skillscore.Errorf(skillscore.EUnprocessable, "%s%s第 %d 行第 %s 列有内容：超过 %d 列上限（最后一列为 %s 列），请删除多余的列后重新上传",
			c.prefix(), sheetOf(t), row, ColumnName(col), c.lim.Columns, ColumnName(c.lim.Columns))
	}
	if n := utf8.RuneCountInString(v); n > c.lim.CellChars {
		return skillscore.Errorf(skillscore.EUnprocessable, "%s%s第 %d 行 %s 列有 %d 个字符：超过每格 %s 个字符上限",
			c.prefix(), sheetOf(t), row, ColumnName(col), n, thousands(c.lim.CellChars))
	}
	if c.cells++; c.cells > c.lim.Cells {
		return skillscore.Errorf(skillscore.ETooLarge, "%s超过 %s 个非空单元格上限", c.prefix(), thousands(c.lim.Cells))
	}
	for len(t.Rows) < row {
		t.Rows = append(t.Rows, nil)
	}
	r := t.Rows[row-1]
	for len(r) < col {
		r = append(r, "")
	}
	r[col-1] = v
	t.Rows[row-1] = r
	if numeric {
		for len(t.numeric) < row {
			t.numeric = append(t.numeric, 0)
		}
		t.numeric[row-1] |= 1 << (col - 1)
	}
	return nil
}

func (c *counter) prefix() string {
	if c.file == "" {
		return "文件"
	}
	return "文件 " + c.file + " "
}

func sheetOf(t *Table) string {
	if t == nil || t.Name == "" {
		return ""
	}
	return "工作表“" + t.Name + "”"
}

// ColumnName is a column's letters (1 → A, 27 → AA, 16384 → XFD).
func ColumnName(col int) string {
	var b []byte
	for col > 0 {
		col--
		b = append([]byte{byte('A' + col%26)}, b...)
		col /= 26
	}
	return string(b)
}

// thousands writes n with thousands separators (50,000), as the limits
// are named in messages.
func thousands(n int) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func mb(n int64) string { return fmt.Sprintf("%d MB", n>>20) }
