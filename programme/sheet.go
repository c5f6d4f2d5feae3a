package programme

import (
	"bytes"
	"strings"

	"skillscore"
	"skillscore/tabular"
)

// SheetRow is one delegation as a sheet lists it.
type SheetRow struct {
	Row  int // as the spreadsheet shows it
	Code string
	Name string
	Kind string // as written: 设区市/行业/单位, city/industry/unit or ""
}

// ReadDelegations reads the delegations of an .xlsx or CSV sheet: a header
// row naming 代码 and 名称 (or 代表队), optionally 类别, then one delegation
// per row; blank rows are skipped. Only the first visible sheet with such a
// header is read.
func ReadDelegations(name string, data []byte) ([]SheetRow, error) {
	lim := tabular.Default()
	lim.FileBytes = 2 << 20 // 66 delegations fit in a few kilobytes
	var tables []*tabular.Table
	if bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		book, err := tabular.ReadXLSX(name, data, lim)
		if err != nil {
			return nil, err
		}
		tables = book.Sheets
	} else {
		c, err := tabular.ReadCSV(name, data, lim)
		if err != nil {
			return nil, err
		}
		tables = []*tabular.Table{{Rows: c.Rows}}
	}
	for _, t := range tables {
		for hi := 0; hi < len(t.Rows) && hi < 10; hi++ {
			code, nameCol, kind := -1, -1, -1
			for c, cell := range t.Rows[hi] {
				switch strings.TrimSpace(cell) {
				case "代码", "代表队代码", "编号", "code":
					code = c
				case "名称", "代表队", "代表队名称", "name":
					nameCol = c
				case "类别", "类型", "kind":
					kind = c
				}
			}
			if code < 0 || nameCol < 0 {
				continue
			}
			var out []SheetRow
			for ri := hi + 1; ri < len(t.Rows); ri++ {
				get := func(c int) string {
					if c >= 0 && c < len(t.Rows[ri]) {
						return strings.TrimSpace(t.Rows[ri][c])
					}
					return ""
				}
				r := SheetRow{Row: ri + 1, Code: get(code), Name: get(nameCol), Kind: get(kind)}
				if r.Code == "" && r.Name == "" && r.Kind == "" {
					continue
				}
				out = append(out, r)
			}
			if len(out) == 0 {
				return nil, skillscore.Errorf(skillscore.EInvalid, "代表队表 %s 第 %d 行的表头下没有代表队", name, hi+1)
			}
			return out, nil
		}
	}
	return nil, skillscore.Errorf(skillscore.EInvalid, "代表队表 %s 中没有找到表头：需要一行同时含有“代码”和“名称”（或“代表队”）两列", name)
}
