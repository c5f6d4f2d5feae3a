package seating

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"skillscore"
	"skillscore/tabular"
)

// roomHeaders maps the headers of a rooms sheet to its columns.
var roomHeaders = map[string]string{
	"代码": "code", "考场代码": "code", "考场编号": "code", "编号": "code",
	"考点": "site", "考点名称": "site", "考试地点": "site",
	"考场": "name", "考场名称": "name", "名称": "name",
	"座位数": "seats", "座位": "seats", "座位数量": "seats", "容量": "seats",
}

// ReadRooms reads a batch's rooms from an .xlsx or CSV sheet: a header row
// (within the first 10) naming 考场代码, 考点, 考场名称 and 座位数, then one
// room a row. Every bad row is named in the problems and no room is
// returned then; a file that cannot be read, or has no such header, is an
// error. The store checks codes and names once more when it saves them.
func ReadRooms(name string, data []byte) ([]Room, []string, error) {
	var rows [][]string
	if bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		book, err := tabular.ReadXLSX(name, data, tabular.Default())
		if err != nil {
			return nil, nil, err
		}
		if len(book.Sheets) == 0 {
			return nil, nil, skillscore.Errorf(skillscore.EInvalid, "考场表 %s 没有可见的工作表", name)
		}
		rows = book.Sheets[0].Rows
	} else {
		c, err := tabular.ReadCSV(name, data, tabular.Default())
		if err != nil {
			return nil, nil, err
		}
		rows = c.Rows
	}
	hdr, cols := -1, map[string]int{}
	for i := 0; i < len(rows) && i < 10 && hdr < 0; i++ {
		found := map[string]int{}
		for j, cell := range rows[i] {
			if f, ok := roomHeaders[strings.Join(strings.Fields(cell), "")]; ok {
				if _, dup := found[f]; !dup {
					found[f] = j
				}
			}
		}
		if _, ok := found["code"]; ok {
			if _, ok := found["seats"]; ok {
				hdr, cols = i, found
			}
		}
	}
	if hdr < 0 {
		return nil, nil, skillscore.Errorf(skillscore.EInvalid, "考场表 %s 中没有找到表头：需要一行含有“考场代码”“考点”“考场名称”“座位数”", name)
	}
	cell := func(r []string, f string) string {
		if j, ok := cols[f]; ok && j < len(r) {
			return strings.TrimSpace(r[j])
		}
		return ""
	}
	var out []Room
	var problems []string
	seen := map[string]int{}
	for i := hdr + 1; i < len(rows); i++ {
		r := rows[i]
		code, site, nm, seats := cell(r, "code"), cell(r, "site"), cell(r, "name"), cell(r, "seats")
		if code == "" && site == "" && nm == "" && seats == "" {
			continue
		}
		at := fmt.Sprintf("第 %d 行", i+1)
		n, err := strconv.Atoi(seats)
		switch {
		case code == "":
			problems = append(problems, at+"：考场代码为空")
		case seen[code] > 0:
			problems = append(problems, fmt.Sprintf("%s：考场代码 %s 与第 %d 行重复", at, code, seen[code]))
		case nm == "":
			problems = append(problems, fmt.Sprintf("%s：考场 %s 没有名称", at, code))
		case err != nil || n < 1 || n > 500:
			problems = append(problems, fmt.Sprintf("%s：考场 %s 的座位数“%s”应为 1–500 的整数", at, code, seats))
		default:
			out = append(out, Room{Code: code, Site: site, Name: nm, Seats: n})
		}
		if code != "" && seen[code] == 0 {
			seen[code] = i + 1
		}
	}
	if len(problems) > 0 {
		return nil, problems, nil
	}
	if len(out) == 0 {
		return nil, nil, skillscore.Errorf(skillscore.EInvalid, "考场表 %s 的表头下没有考场", name)
	}
	return out, nil, nil
}
