package roster

import (
	"bytes"
	"path/filepath"
	"regexp"
	"strings"

	"skillscore"
	"skillscore/tabular"
)

// Limits that keep one upload from exhausting the server: a provincial
// roster is hundreds of rows, a large assessment sitting a few thousand.
// The reading bounds (columns, cells, decompressed size…) are tabular's.
const (
	MaxFileBytes = 20 << 20
	MaxRows      = 50000
)

// table is one sheet of a roster file: rows[i] is the spreadsheet's row i+1.
type table struct {
	sheet string
	rows  [][]string
	// numeric reports whether the cell at (row index, column index) holds a
	// number rather than text, which for an ID means its digits are lost.
	numeric func(row, col int) bool
}

// file is a roster file as read: its visible sheets and what was skipped.
type file struct {
	format   string // xlsx | csv
	encoding string // CSV only: utf-8, utf-8-bom, utf-16, gb18030
	tables   []table
	hidden   []string
}

// limits are tabular's bounds with the roster's own file size.
func limits() tabular.Limits {
	lim := tabular.Default()
	lim.FileBytes = MaxFileBytes
	return lim
}

// readFile reads an .xlsx workbook or a CSV file, told apart by content
// (a file's name can lie; a ZIP header cannot).
func readFile(name string, data []byte) (*file, error) {
	if len(data) > MaxFileBytes {
		return nil, skillscore.Errorf(skillscore.ETooLarge, "名单文件 %s 超过 %d MB 上限", name, MaxFileBytes>>20)
	}
	switch {
	case len(data) == 0:
		return nil, skillscore.Errorf(skillscore.EInvalid, "名单文件 %s 是空文件", name)
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return readXLSX(name, data)
	case bytes.HasPrefix(data, []byte("\xD0\xCF\x11\xE0")):
		return nil, skillscore.Errorf(skillscore.EInvalid,
			"名单文件 %s 是旧版 .xls 或加密的工作簿：请在 Excel 中取消密码并“另存为” .xlsx 或 CSV 后再导入", name)
	case strings.EqualFold(filepath.Ext(name), ".xlsx"):
		return nil, skillscore.Errorf(skillscore.EInvalid, "名单文件 %s 不是有效的 .xlsx 工作簿（文件已损坏？）", name)
	}
	return readCSV(name, data)
}

func readXLSX(name string, data []byte) (*file, error) {
	book, err := tabular.ReadXLSX(name, data, limits())
	if err != nil {
		if skillscore.ErrorCode(err) == skillscore.EInvalid {
			return nil, skillscore.Wrap(skillscore.EInvalid, err, "无法读取工作簿 "+name+"：文件已损坏或不是 .xlsx")
		}
		return nil, err
	}
	out := &file{format: "xlsx", hidden: book.Hidden}
	for _, sh := range book.Sheets {
		out.tables = append(out.tables, table{sheet: sh.Name, rows: sh.Rows, numeric: sh.Numeric})
	}
	return out, nil
}

// scientific matches a number as Excel writes a long one to CSV
// (3.60102E+17): the ID's digits are gone.
var scientific = regexp.MustCompile(`^[0-9](\.[0-9]+)?[eE]\+[0-9]+$`)

func readCSV(name string, data []byte) (*file, error) {
	c, err := tabular.ReadCSV(name, data, limits())
	if err != nil {
		return nil, err
	}
	return &file{format: "csv", encoding: c.Encoding,
		tables: []table{{rows: c.Rows, numeric: func(int, int) bool { return false }}}}, nil
}
