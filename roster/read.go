package roster

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"skillscore"
)

// Limits that keep one upload from exhausting the server: a provincial
// roster is hundreds of rows, a large assessment sitting a few thousand.
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
	close    func() error // releases the workbook the numeric callbacks read
}

// readFile reads an .xlsx workbook or a CSV file, told apart by content
// (a file's name can lie; a ZIP header cannot).
func readFile(name string, data []byte) (*file, error) {
	if len(data) > MaxFileBytes {
		return nil, skillscore.Errorf(skillscore.ETooLarge, "名单文件 %s 超过 %d MB", name, MaxFileBytes>>20)
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
	// A roster's XML is a few MB; the limit stops a small ZIP that unpacks
	// to gigabytes.
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: 256 << 20})
	if err != nil {
		return nil, skillscore.Wrap(skillscore.EInvalid, err, fmt.Sprintf("无法读取工作簿 %s：文件已损坏或不是 .xlsx", name))
	}
	out := &file{format: "xlsx", close: f.Close}
	for _, sh := range f.GetSheetList() {
		if visible, err := f.GetSheetVisible(sh); err != nil || !visible {
			out.hidden = append(out.hidden, sh)
			continue
		}
		rows, err := f.GetRows(sh)
		if err != nil {
			f.Close()
			return nil, skillscore.Wrap(skillscore.EInvalid, err, fmt.Sprintf("无法读取工作表 %s：%v", sh, err))
		}
		if len(rows) > MaxRows+50 {
			f.Close()
			return nil, skillscore.Errorf(skillscore.ETooLarge, "工作表 %s 超过 %d 行", sh, MaxRows)
		}
		out.tables = append(out.tables, table{sheet: sh, rows: rows, numeric: func(row, col int) bool {
			cellName, err := excelize.CoordinatesToCellName(col+1, row+1)
			if err != nil {
				return false
			}
			t, err := f.GetCellType(sh, cellName)
			// A cell without a type attribute holds a number (the
			// spreadsheet default); shared and inline strings are text.
			return err == nil && (t == excelize.CellTypeNumber || t == excelize.CellTypeUnset)
		}})
	}
	return out, nil
}

// scientific matches a number as Excel writes a long one to CSV
// (3.60102E+17): the ID's digits are gone.
var scientific = regexp.MustCompile(`^[0-9](\.[0-9]+)?[eE]\+[0-9]+$`)

func readCSV(name string, data []byte) (*file, error) {
	text, enc, err := decodeCSV(data)
	if err != nil {
		return nil, skillscore.Wrap(skillscore.EInvalid, err, fmt.Sprintf("无法识别名单文件 %s 的文字编码", name))
	}
	r := csv.NewReader(strings.NewReader(text))
	r.Comma = sniffComma(text)
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	var rows [][]string
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, skillscore.Wrap(skillscore.EInvalid, err, fmt.Sprintf("名单文件 %s 不是有效的 CSV：%v", name, err))
		}
		// csv.Reader skips blank lines; the line it reports keeps the row
		// numbers the same as Excel shows when it opens the file.
		line, _ := r.FieldPos(0)
		if line > MaxRows+50 {
			return nil, skillscore.Errorf(skillscore.ETooLarge, "名单文件 %s 超过 %d 行", name, MaxRows)
		}
		for len(rows) < line-1 {
			rows = append(rows, nil)
		}
		rows = append(rows, rec)
	}
	return &file{format: "csv", encoding: enc, close: func() error { return nil },
		tables: []table{{rows: rows, numeric: func(int, int) bool { return false }}}}, nil
}

// decodeCSV turns CSV bytes into text. Excel on Chinese Windows saves "CSV"
// in GBK (read as GB18030, its superset), "CSV UTF-8" with a byte-order mark,
// and "Unicode text" in UTF-16; anything that is valid UTF-8 is taken as is.
func decodeCSV(data []byte) (string, string, error) {
	switch {
	case bytes.HasPrefix(data, []byte("\xEF\xBB\xBF")):
		return string(data[3:]), "utf-8-bom", nil
	case bytes.HasPrefix(data, []byte("\xFF\xFE")), bytes.HasPrefix(data, []byte("\xFE\xFF")):
		dec := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewDecoder()
		out, _, err := transform.Bytes(dec, data)
		return string(out), "utf-16", err
	case utf8.Valid(data):
		return string(data), "utf-8", nil
	}
	out, _, err := transform.Bytes(simplifiedchinese.GB18030.NewDecoder(), data)
	return string(out), "gb18030", err
}

// sniffComma picks tab for tab-separated text (Excel's "Unicode text"),
// comma otherwise.
func sniffComma(text string) rune {
	first, _, _ := strings.Cut(text, "\n")
	if strings.Count(first, "\t") > strings.Count(first, ",") {
		return '\t'
	}
	return ','
}
