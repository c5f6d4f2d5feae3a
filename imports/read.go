// Package imports reads the organizer's theory-score and judge spreadsheets
// (.xlsx or .csv) and checks every row against the event, reporting each bad row by
// its row and column as the spreadsheet shows them. It stores nothing: the
// callers hand the checked rows to the store, all or nothing.
package imports

import (
	"bytes"
	"fmt"
	"path"
	"strings"

	"github.com/xuri/excelize/v2"

	"skillscore"
	"skillscore/roster"
	"skillscore/tabular"
)

// MaxFileBytes bounds one upload: a score or judge list is at most a few
// thousand rows.
const MaxFileBytes = 20 << 20

// Problem is one bad cell or row.
type Problem struct {
	Row     int    `json:"row"`    // as the spreadsheet shows it, from 1; 0 for the file as a whole
	Column  string `json:"column"` // column letter, empty for a whole row
	Header  string `json:"header"` // the column's header text
	Message string `json:"message"`
}

func (p Problem) String() string {
	if p.Row == 0 {
		return p.Message // about the file as a whole (the roster's people it lacks)
	}
	if p.Column == "" {
		return fmt.Sprintf("第 %d 行：%s", p.Row, p.Message)
	}
	return fmt.Sprintf("第 %d 行 %s 列（%s）：%s", p.Row, p.Column, p.Header, p.Message)
}

// Rejected is the error for a file with bad rows: nothing was imported.
func Rejected(what string, ps []Problem) error {
	lines := make([]string, 0, len(ps))
	for _, p := range ps {
		lines = append(lines, p.String())
	}
	return skillscore.Errorf(skillscore.EInvalid, "%s有 %d 处错误，未导入任何数据：%s", what, len(ps), strings.Join(lines, "；"))
}

// table is the data rows under the header of the first visible sheet that
// has one.
type table struct {
	cols   map[string]int // field → column index
	header []string
	rows   []row
}

type row struct {
	num     int // spreadsheet row number
	cells   []string
	numeric map[int]bool // column index → the cell holds a number
}

func (r row) get(col int) string {
	if col < 0 || col >= len(r.cells) {
		return ""
	}
	return strings.TrimSpace(roster.Text(r.cells[col]))
}

// field names a column by the header texts it may carry.
type field struct {
	name    string
	headers []string
}

func headerKey(s string) string {
	return strings.NewReplacer(" ", "", "\u3000", "", "*", "", "（", "(", "）", ")").Replace(roster.Text(s))
}

// readTable finds the header row (a row holding every required field; title
// rows above it are common) in the first visible sheet that has one.
func readTable(name string, data []byte, fields []field, required []string) (*table, error) {
	if len(data) > MaxFileBytes {
		return nil, skillscore.Errorf(skillscore.ETooLarge, "文件 %s 超过 %d MB 上限", name, MaxFileBytes>>20)
	}
	lim := tabular.Default()
	lim.FileBytes = MaxFileBytes
	var sheets []*tabular.Table
	switch {
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		book, err := tabular.ReadXLSX(name, data, lim)
		if skillscore.ErrorCode(err) == skillscore.EInvalid {
			return nil, skillscore.Wrap(skillscore.EInvalid, err, fmt.Sprintf("无法读取工作簿 %s：文件已损坏或不是 .xlsx", name))
		}
		if err != nil {
			return nil, err
		}
		sheets = book.Sheets
	case strings.EqualFold(path.Ext(name), ".csv"):
		// Exam systems export .csv as often as .xlsx (UTF-8 with or
		// without BOM, or GB18030: tabular finds which).
		c, err := tabular.ReadCSV(name, data, lim)
		if err != nil {
			return nil, err
		}
		sheets = append(sheets, &c.Table)
	default:
		return nil, skillscore.Errorf(skillscore.EInvalid, "文件 %s 不是 .xlsx 工作簿或 .csv 文件：请在 Excel 中“另存为” .xlsx 后再导入", name)
	}
	for _, sh := range sheets {
		rows := sh.Rows
		for hi := 0; hi < len(rows) && hi < 30; hi++ {
			cols := map[string]int{}
			for ci, h := range rows[hi] {
				k := headerKey(h)
				for _, fd := range fields {
					for _, want := range fd.headers {
						if _, seen := cols[fd.name]; !seen && k == want {
							cols[fd.name] = ci
						}
					}
				}
			}
			if !hasAll(cols, required) {
				continue
			}
			t := &table{cols: cols, header: rows[hi]}
			for ri := hi + 1; ri < len(rows); ri++ {
				if strings.TrimSpace(strings.Join(rows[ri], "")) == "" {
					continue
				}
				// Whether a cell holds a number matters for IDs (an ID in a
				// numeric cell has already lost digits).
				r := row{num: ri + 1, cells: rows[ri], numeric: map[int]bool{}}
				for _, ci := range cols {
					if sh.Numeric(ri, ci) {
						r.numeric[ci] = true
					}
				}
				t.rows = append(t.rows, r)
			}
			return t, nil
		}
	}
	var names []string
	for _, r := range required {
		for _, fd := range fields {
			if fd.name == r {
				names = append(names, fd.headers[0])
			}
		}
	}
	return nil, skillscore.Errorf(skillscore.EInvalid, "文件 %s 中找不到表头：需要一行包含 %s 的列标题", name, strings.Join(names, "、"))
}

func hasAll(cols map[string]int, names []string) bool {
	for _, n := range names {
		alts := strings.Split(n, "|")
		ok := false
		for _, a := range alts {
			if _, has := cols[a]; has {
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// col returns a field's column index, or -1.
func (t *table) col(name string) int {
	if c, ok := t.cols[name]; ok {
		return c
	}
	return -1
}

// problem builds a Problem for a cell of field name in row r.
func (t *table) problem(r row, name, format string, args ...any) Problem {
	c := t.col(name)
	p := Problem{Row: r.num, Message: fmt.Sprintf(format, args...)}
	if c >= 0 {
		p.Column, _ = excelize.ColumnNumberToName(c + 1)
		p.Header = strings.TrimSpace(t.header[c])
	}
	return p
}
