package sessions

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"skillscore"
	"skillscore/tabular"
)

// Columns of the schedule sheet, one row per contestant in a session; the
// session's own columns repeat on each of its rows.
var Columns = []string{"场次编号", "场次名称", "赛场", "模块", "日期", "开始时间", "结束时间", "赛位号", "检录顺序", "参赛证号", "姓名"}

const (
	colCode = iota
	colName
	colVenue
	colModule
	colDay
	colStarts
	colEnds
	colStation
	colOrder
	colEntryNo
	colPerson
)

// Template is the schedule sheet to fill in: the header and one row per
// contestant with their 参赛证号 and name, the session columns blank.
func Template(people []Person) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "场次安排"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, err
	}
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49}) // "@": typed codes stay text
	if err != nil {
		return nil, err
	}
	if err := f.SetColStyle(sheet, "A:K", text); err != nil {
		return nil, err
	}
	if err := f.SetColWidth(sheet, "A", "K", 14); err != nil {
		return nil, err
	}
	if err := f.SetSheetRow(sheet, "A1", &Columns); err != nil {
		return nil, err
	}
	for i, p := range people {
		cell, _ := excelize.CoordinatesToCellName(colEntryNo+1, i+2)
		if err := f.SetSheetRow(sheet, cell, &[]string{p.EntryNo, p.Name}); err != nil {
			return nil, err
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// RowError is one refused row of an import, by its row number in the sheet.
type RowError struct {
	Row     int
	Message string
}

func (e RowError) String() string { return fmt.Sprintf("第 %d 行：%s", e.Row, e.Message) }

// ImportError names every bad row of a refused import.
func ImportError(rows []RowError) error {
	msgs := make([]string, 0, min(len(rows), 20))
	for _, r := range rows[:min(len(rows), 20)] {
		msgs = append(msgs, r.String())
	}
	more := ""
	if len(rows) > 20 {
		more = fmt.Sprintf("；另有 %d 行有误", len(rows)-20)
	}
	return skillscore.Errorf(skillscore.EInvalid, "场次表有 %d 行有误，未导入任何内容：%s%s", len(rows), strings.Join(msgs, "；"), more)
}

// Read reads a schedule sheet (.xlsx or .csv, by file name) against the
// event's contestants. It returns the sessions, or every bad row: a
// contestant not found, a session whose columns disagree between its rows,
// a bad date or time. The schedule as a whole is checked by Problems.
func Read(file string, data []byte, people []Person) ([]Session, []RowError, error) {
	var t *tabular.Table
	if strings.HasSuffix(strings.ToLower(file), ".csv") {
		c, err := tabular.ReadCSV(file, data, tabular.Default())
		if err != nil {
			return nil, nil, err
		}
		t = &c.Table
	} else {
		b, err := tabular.ReadXLSX(file, data, tabular.Default())
		if err != nil {
			return nil, nil, err
		}
		if len(b.Sheets) == 0 {
			return nil, nil, skillscore.Errorf(skillscore.EInvalid, "文件 %s 没有工作表", file)
		}
		t = b.Sheets[0]
	}
	header := -1
	for i, r := range t.Rows {
		if len(r) > 0 && strings.TrimSpace(r[0]) == Columns[0] {
			header = i
			break
		}
	}
	if header < 0 {
		return nil, nil, skillscore.Errorf(skillscore.EInvalid, "没有找到表头：第一列应为“场次编号”，请使用下载的场次表模板")
	}
	cols := map[int]int{} // our column → sheet column
	for c, h := range t.Rows[header] {
		if i := slices.Index(Columns, strings.TrimSpace(h)); i >= 0 {
			cols[i] = c
		}
	}
	for i, name := range Columns {
		if _, ok := cols[i]; !ok && i != colModule {
			return nil, nil, skillscore.Errorf(skillscore.EInvalid, "表头缺少“%s”列，请使用下载的场次表模板", name)
		}
	}
	byNo, byName := map[string]Person{}, map[string][]Person{}
	for _, p := range people {
		if p.EntryNo != "" {
			byNo[p.EntryNo] = p
		}
		byName[p.Name] = append(byName[p.Name], p)
	}
	var (
		out  []Session
		errs []RowError
		at   = map[string]int{} // session code → index in out
		seen = map[string]int{} // session code → first row
	)
	for i := header + 1; i < len(t.Rows); i++ {
		row := t.Rows[i]
		get := func(col int) string {
			c, ok := cols[col]
			if !ok || c >= len(row) {
				return ""
			}
			return strings.TrimSpace(row[c])
		}
		if strings.Join(row, "") == "" {
			continue
		}
		n := i + 1
		bad := func(format string, args ...any) { errs = append(errs, RowError{n, fmt.Sprintf(format, args...)}) }
		code := get(colCode)
		if code == "" {
			if get(colEntryNo) != "" || get(colPerson) != "" {
				// A template row left without a session: that person has
				// no session, which is the organizer's choice.
				continue
			}
			bad("没有场次编号")
			continue
		}
		day, ok := cellDay(get(colDay), t.Numeric(i, cols[colDay]))
		if !ok {
			bad("日期“%s”无效：应为 2026-05-20 这样的日期", get(colDay))
			continue
		}
		starts, ok1 := cellTime(get(colStarts))
		ends, ok2 := cellTime(get(colEnds))
		if !ok1 || !ok2 {
			bad("时间“%s–%s”无效：应为 08:30 这样的时间", get(colStarts), get(colEnds))
			continue
		}
		s := Session{Code: code, Name: get(colName), Venue: get(colVenue), Module: get(colModule), Day: day, Starts: starts, Ends: ends}
		k, known := at[code]
		if known {
			o := out[k]
			if o.Name != s.Name || o.Venue != s.Venue || o.Module != s.Module || o.Day != s.Day || o.Starts != s.Starts || o.Ends != s.Ends {
				bad("场次 %s 的名称、赛场、模块、日期或时间与第 %d 行不一致", code, seen[code])
				continue
			}
		}
		p, msg := findPerson(get(colEntryNo), get(colPerson), byNo, byName)
		if msg != "" {
			bad("%s", msg)
			continue
		}
		order := 0
		if o := get(colOrder); o != "" {
			v, err := strconv.Atoi(o)
			if err != nil || v < 1 {
				bad("检录顺序“%s”应为正整数", o)
				continue
			}
			order = v
		}
		if !known {
			k = len(out)
			at[code], seen[code] = k, n
			out = append(out, s)
		}
		if order == 0 {
			order = len(out[k].Entries) + 1
		}
		station := get(colStation)
		out[k].Entries = append(out[k].Entries, Entry{ContestantID: p.ContestantID, Name: p.Name, EntryNo: p.EntryNo,
			Station: station, Order: order})
		if station != "" && !slices.Contains(out[k].Stations, station) {
			out[k].Stations = append(out[k].Stations, station)
		}
	}
	if len(errs) == 0 && len(out) == 0 {
		return nil, nil, skillscore.Errorf(skillscore.EInvalid, "场次表没有任何场次：请在“场次编号”列填写场次")
	}
	for i := range out {
		slices.SortFunc(out[i].Stations, naturalCompare)
	}
	return out, errs, nil
}

func findPerson(no, name string, byNo map[string]Person, byName map[string][]Person) (Person, string) {
	if no != "" {
		p, ok := byNo[no]
		switch {
		case !ok:
			return Person{}, fmt.Sprintf("本赛项没有参赛证号为 %s 的选手", no)
		case name != "" && name != p.Name:
			return Person{}, fmt.Sprintf("参赛证号 %s 是 %s，不是 %s", no, p.Name, name)
		}
		return p, ""
	}
	if name == "" {
		return Person{}, "没有填写参赛证号或姓名"
	}
	switch ps := byName[name]; len(ps) {
	case 0:
		return Person{}, fmt.Sprintf("名单中没有名为 %s 的选手", name)
	case 1:
		return ps[0], ""
	default:
		return Person{}, fmt.Sprintf("名单中有 %d 位 %s：请填写参赛证号", len(ps), name)
	}
}

// excelEpoch is day 0 of Excel's 1900 date system (with its leap-year bug).
var excelEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

// cellDay accepts 2026-05-20, 2026/5/20 or a date cell (a day serial).
func cellDay(v string, numeric bool) (string, bool) {
	if numeric {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 1 || f > 2958465 {
			return "", false
		}
		return excelEpoch.AddDate(0, 0, int(f)).Format("2006-01-02"), true
	}
	for _, layout := range []string{"2006-01-02", "2006-1-2", "2006/1/2", "2006年1月2日"} {
		if d, err := time.Parse(layout, v); err == nil {
			return d.Format("2006-01-02"), true
		}
	}
	return "", false
}

// cellTime accepts 8:30, 08:30, 08:30:00 or a time cell (a fraction of a day).
func cellTime(v string) (string, bool) {
	if f, err := strconv.ParseFloat(v, 64); err == nil && f >= 0 && f < 1 {
		m := int(math.Round(f * 24 * 60))
		return hhmm(m), m < 24*60
	}
	for _, layout := range []string{"15:04", "15:04:05"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.Format("15:04"), true
		}
	}
	return "", false
}
