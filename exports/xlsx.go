package exports

import (
	"bytes"
	"fmt"

	"github.com/xuri/excelize/v2"
)

// XLSX writes the results table: a title row, the header, one row per
// contestant; every cell is text, so decimals stay exactly as computed.
func (t *Table) XLSX() ([]byte, error) {
	return writeXLSX("成绩汇总表", sheetTitle(t.Event, "成绩汇总表"), t.Header, t.Rows)
}

// XLSX writes the promotion list the same way.
func (p *PromotionList) XLSX() ([]byte, error) {
	return writeXLSX("晋升名单", sheetTitle(p.Event, "晋升名单"), p.Header, p.Rows)
}

// HeaderRow is the spreadsheet row of the exports' column headers: row 1
// holds the title.
const HeaderRow = 2

func writeXLSX(sheet, title string, header []string, rows [][]string) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, fmt.Errorf("xlsx sheet: %w", err)
	}
	put := func(row int, vals []string) error {
		for i, v := range vals {
			cell, err := excelize.CoordinatesToCellName(i+1, row)
			if err != nil {
				return err
			}
			if err := f.SetCellStr(sheet, cell, v); err != nil {
				return fmt.Errorf("xlsx cell %s: %w", cell, err)
			}
		}
		return nil
	}
	if err := put(1, []string{title}); err != nil {
		return nil, err
	}
	if err := put(HeaderRow, header); err != nil {
		return nil, err
	}
	for i, r := range rows {
		if err := put(HeaderRow+1+i, r); err != nil {
			return nil, err
		}
	}
	if err := f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: HeaderRow, TopLeftCell: "A3", ActivePane: "bottomLeft"}); err != nil {
		return nil, fmt.Errorf("xlsx panes: %w", err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, fmt.Errorf("xlsx write: %w", err)
	}
	return buf.Bytes(), nil
}
