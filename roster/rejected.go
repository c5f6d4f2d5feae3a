package roster

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/xuri/excelize/v2"

	"skillscore"
)

// RejectedXLSX returns the rejected rows of a checked roster file as an
// .xlsx the organizer sends back to the cities: for each sheet that has
// any, the rows down to its header as the file had them, then each
// rejected row's own cells, with one more column 问题 saying in Chinese
// what to fix. rep is Check's report on the same bytes, which are read
// again with the same bounds (a report keeps no cells). Every cell is text,
// so an ID number keeps its digits and nothing becomes a formula.
func RejectedXLSX(name string, data []byte, rep *Report) ([]byte, error) {
	if rep == nil || rep.Rejected == 0 {
		return nil, skillscore.Errorf(skillscore.ENotFound, "名单文件 %s 没有不合格的行", name)
	}
	f, err := readFile(name, data)
	if err != nil {
		return nil, err
	}
	tables := map[string]table{}
	for _, t := range f.tables {
		tables[t.sheet] = t
	}
	bySheet := map[string][]Verdict{}
	for _, v := range rep.Verdicts {
		if !v.Accepted {
			bySheet[v.Sheet] = append(bySheet[v.Sheet], v)
		}
	}
	out := excelize.NewFile()
	defer out.Close()
	first := true
	for _, sh := range rep.Sheets {
		rejected := bySheet[sh.Name]
		t, ok := tables[sh.Name]
		if len(rejected) == 0 || !ok || sh.HeaderRow < 1 || sh.HeaderRow > len(t.rows) {
			continue
		}
		title := sh.Name
		if title == "" {
			title = "问题行" // a CSV file has no sheet names
		}
		if first {
			if err := out.SetSheetName("Sheet1", title); err != nil {
				return nil, fmt.Errorf("rejected rows: sheet %s: %w", title, err)
			}
			first = false
		} else if _, err := out.NewSheet(title); err != nil {
			return nil, fmt.Errorf("rejected rows: sheet %s: %w", title, err)
		}
		if err := writeRejected(out, title, t, sh.HeaderRow, rejected); err != nil {
			return nil, err
		}
	}
	if first {
		return nil, skillscore.Errorf(skillscore.ENotFound, "名单文件 %s 没有不合格的行", name)
	}
	var buf bytes.Buffer
	if err := out.Write(&buf); err != nil {
		return nil, fmt.Errorf("rejected rows: write: %w", err)
	}
	return buf.Bytes(), nil
}

// writeRejected streams one sheet: the rows down to the header (a title,
// the header), the rejected rows, and 问题 after the widest of them.
func writeRejected(out *excelize.File, sheet string, t table, headerRow int, rejected []Verdict) error {
	width := 0
	for _, r := range t.rows[:headerRow] {
		width = max(width, len(r))
	}
	for _, v := range rejected {
		if v.Row-1 < len(t.rows) {
			width = max(width, len(t.rows[v.Row-1]))
		}
	}
	sw, err := out.NewStreamWriter(sheet)
	if err != nil {
		return fmt.Errorf("rejected rows: %w", err)
	}
	if err := sw.SetColWidth(width+1, width+1, 70); err != nil {
		return fmt.Errorf("rejected rows: %w", err)
	}
	line := func(cells []string, extra string) []any {
		row := make([]any, width+1)
		for i := range width {
			v := ""
			if i < len(cells) {
				v = cells[i]
			}
			row[i] = excelize.Cell{Value: v}
		}
		row[width] = excelize.Cell{Value: extra}
		return row
	}
	n := 0
	for i, r := range t.rows[:headerRow] {
		extra := ""
		if i == headerRow-1 {
			extra = "问题"
		}
		n++
		if err := sw.SetRow(cellName(n), line(r, extra)); err != nil {
			return fmt.Errorf("rejected rows: %w", err)
		}
	}
	for _, v := range rejected {
		var cells []string
		if v.Row-1 < len(t.rows) {
			cells = t.rows[v.Row-1]
		}
		n++
		if err := sw.SetRow(cellName(n), line(cells, problemText(v))); err != nil {
			return fmt.Errorf("rejected rows: %w", err)
		}
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("rejected rows: %w", err)
	}
	return nil
}

func cellName(row int) string { return fmt.Sprintf("A%d", row) }

// problemText is the 问题 cell of a rejected row: where it was in the
// file and every problem with its column.
func problemText(v Verdict) string {
	parts := make([]string, 0, len(v.Problems))
	for _, p := range v.Problems {
		where := ""
		if p.Column != "" {
			where = p.Column + " 列"
			if h := strings.TrimSpace(p.Header); h != "" {
				where += "（" + h + "）"
			}
			where += "："
		}
		parts = append(parts, where+p.Message)
	}
	return fmt.Sprintf("原表第 %d 行：%s", v.Row, strings.Join(parts, "；"))
}
