package scoring

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"skillscore/levels"
)

// CSVError is a bad row in a marks or contestants CSV; Row counts from 1
// with the header as row 1, as a spreadsheet shows it.
type CSVError struct {
	Row     int
	Column  string
	Message string // Simplified Chinese
	English string
}

func (e *CSVError) Error() string {
	loc := "row " + strconv.Itoa(e.Row)
	if e.Column != "" {
		loc += " column " + e.Column
	}
	return loc + ": " + e.English + " / 第 " + strconv.Itoa(e.Row) + " 行：" + e.Message
}

// MarksTable is a marks CSV read into marks, plus completion times.
type MarksTable struct {
	Marks []Mark
	// Absences are the rows whose value is 缺考 (or absent): a module
	// score the contestant did not sit, aspect and judge empty.
	Absences []Absence
	// Times is each contestant's completion time in milliseconds: the sum of
	// the per-module times given in the completion_time column.
	Times map[string]int64
}

type csvHeader struct {
	idx map[string]int
}

func readHeader(cr *csv.Reader, known, required []string) (*csvHeader, error) {
	rec, err := cr.Read()
	if err == io.EOF {
		return nil, &CSVError{Row: 1, Message: "文件为空，缺少表头", English: "empty file: header missing"}
	}
	if err != nil {
		return nil, csvReadErr(err)
	}
	h := &csvHeader{idx: map[string]int{}}
	for i, name := range rec {
		name = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(name, "\ufeff")))
		ok := false
		for _, k := range known {
			ok = ok || k == name
		}
		if !ok {
			return nil, &CSVError{Row: 1, Column: name, Message: "未知列 " + name + "（可用：" + strings.Join(known, ", ") + "）", English: "unknown column " + name + " (known: " + strings.Join(known, ", ") + ")"}
		}
		if _, dup := h.idx[name]; dup {
			return nil, &CSVError{Row: 1, Column: name, Message: "列 " + name + " 重复", English: "duplicate column " + name}
		}
		h.idx[name] = i
	}
	for _, r := range required {
		if _, ok := h.idx[r]; !ok {
			return nil, &CSVError{Row: 1, Column: r, Message: "缺少必需列 " + r, English: "required column " + r + " is missing"}
		}
	}
	return h, nil
}

func (h *csvHeader) get(rec []string, name string) string {
	i, ok := h.idx[name]
	if !ok || i >= len(rec) {
		return ""
	}
	return strings.TrimSpace(rec[i])
}

func csvReadErr(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &CSVError{Row: pe.Line, Message: "CSV 格式错误：" + pe.Err.Error(), English: "CSV syntax: " + pe.Err.Error()}
	}
	return err
}

// MarksCSVColumns are the columns of a marks CSV (header required, any
// order): contestant, module, value always; aspect and judge empty only for
// imported module scores; multiplier and completion_time optional.
var MarksCSVColumns = []string{"contestant", "module", "aspect", "judge", "value", "multiplier", "completion_time"}

// ReadMarksCSV reads a marks CSV (UTF-8, optional BOM).
func ReadMarksCSV(r io.Reader) (*MarksTable, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	h, err := readHeader(cr, MarksCSVColumns, []string{"contestant", "module", "value"})
	if err != nil {
		return nil, err
	}
	t := &MarksTable{Times: map[string]int64{}}
	moduleTimes := map[[2]string]int64{}
	for row := 2; ; row++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvReadErr(err)
		}
		if blank(rec) {
			continue
		}
		if len(rec) > len(h.idx) {
			return nil, &CSVError{Row: row, Message: "列数多于表头", English: "more fields than the header"}
		}
		m := Mark{Contestant: h.get(rec, "contestant"), Module: h.get(rec, "module"), Aspect: h.get(rec, "aspect"), Judge: h.get(rec, "judge")}
		if m.Contestant == "" || m.Module == "" {
			return nil, &CSVError{Row: row, Message: "选手与模块不能为空", English: "contestant and module are required"}
		}
		if v := h.get(rec, "value"); v == "缺考" || strings.EqualFold(v, "absent") {
			if m.Aspect != "" || m.Judge != "" {
				return nil, &CSVError{Row: row, Column: "value", Message: "缺考只用于导入成绩（评分项与裁判为空）", English: "absent is for an imported score (aspect and judge empty)"}
			}
			t.Absences = append(t.Absences, Absence{Contestant: m.Contestant, Module: m.Module})
			continue
		}
		if m.Value, err = ParseDecimal(h.get(rec, "value")); err != nil {
			return nil, &CSVError{Row: row, Column: "value", Message: "分值无效：" + err.Error(), English: "bad value: " + err.Error()}
		}
		if s := h.get(rec, "multiplier"); s != "" {
			if m.Multiplier, err = ParseDecimal(s); err != nil || m.Multiplier < 0 {
				return nil, &CSVError{Row: row, Column: "multiplier", Message: "系数无效", English: "bad multiplier"}
			}
		}
		if s := h.get(rec, "completion_time"); s != "" {
			ms, err := ParseDuration(s)
			if err != nil {
				return nil, &CSVError{Row: row, Column: "completion_time", Message: "用时无效：" + err.Error(), English: "bad completion_time: " + err.Error()}
			}
			k := [2]string{m.Contestant, m.Module}
			if old, ok := moduleTimes[k]; ok && old != ms {
				return nil, &CSVError{Row: row, Column: "completion_time", Message: "同一选手同一模块的用时不一致", English: "completion times disagree for one contestant and module"}
			} else if !ok {
				moduleTimes[k] = ms
				t.Times[m.Contestant] += ms
			}
		}
		t.Marks = append(t.Marks, m)
	}
	return t, nil
}

func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// ParseDuration reads a completion time: seconds ("754", "754.25") or
// "m:ss", "h:mm:ss", each with up to 3 decimals; it returns milliseconds.
func ParseDuration(s string) (int64, error) {
	parts := strings.Split(strings.TrimSpace(s), ":")
	if len(parts) > 3 || parts[0] == "" {
		return 0, fmt.Errorf("duration %q: want seconds, m:ss or h:mm:ss", s)
	}
	var ms int64
	for i, p := range parts {
		last := i == len(parts)-1
		whole, frac, hasDot := strings.Cut(p, ".")
		if hasDot && (!last || len(frac) == 0 || len(frac) > 3) {
			return 0, fmt.Errorf("duration %q: bad fraction", s)
		}
		if whole == "" || len(whole) > 9 || (i > 0 && len(whole) != 2) {
			return 0, fmt.Errorf("duration %q: bad field %q", s, p)
		}
		n, err := strconv.ParseInt(whole, 10, 64)
		if err != nil || n < 0 || i > 0 && n >= 60 {
			return 0, fmt.Errorf("duration %q: bad field %q", s, p)
		}
		ms = ms*60 + n
		if last {
			ms *= 1000
			if frac != "" {
				f, err := strconv.ParseInt(frac+strings.Repeat("0", 3-len(frac)), 10, 64)
				if err != nil || f < 0 {
					return 0, fmt.Errorf("duration %q: bad fraction", s)
				}
				ms += f
			}
		}
	}
	return ms, nil
}

// ContestantsCSVColumns are the columns of a contestants CSV: id required;
// group (code), level (a code of package levels, 0..8, or a name such as
// 三级/高级工, 技师 or 特级技师; empty = none), last_promotion_year,
// completion_time and target_level optional.
var ContestantsCSVColumns = []string{"id", "group", "level", "last_promotion_year", "completion_time", "target_level"}

// ParseLevel reads a level as its stored code (0..8: 1 = 一级 … 5 = 五级,
// 6 学徒工, 7 特级技师, 8 首席技师) or a Chinese name (五级, 初级工, 技师,
// 一级/高级技师, 学徒工 …); "" is none. A CSV is machine-written, so a
// number is a code here, where a roster's bare digit is a 级 (levels.Parse).
func ParseLevel(s string) (levels.Level, error) {
	s = strings.TrimSpace(s)
	if n, err := strconv.Atoi(s); err == nil {
		if l, ok := levels.FromCode(n); ok {
			return l, nil
		}
		return levels.None, fmt.Errorf("unknown level code %d", n)
	}
	if l, ok := levels.Parse(s); ok {
		return l, nil
	}
	return levels.None, fmt.Errorf("unknown level %q", s)
}

// ReadContestantsCSV reads a contestants CSV (UTF-8, optional BOM).
func ReadContestantsCSV(r io.Reader) ([]Contestant, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	h, err := readHeader(cr, ContestantsCSVColumns, []string{"id"})
	if err != nil {
		return nil, err
	}
	var out []Contestant
	for row := 2; ; row++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvReadErr(err)
		}
		if blank(rec) {
			continue
		}
		c := Contestant{ID: h.get(rec, "id"), Group: h.get(rec, "group")}
		if c.ID == "" {
			return nil, &CSVError{Row: row, Column: "id", Message: "缺少选手编号", English: "id is required"}
		}
		if c.Level, err = ParseLevel(h.get(rec, "level")); err != nil {
			return nil, &CSVError{Row: row, Column: "level", Message: "未知等级 " + h.get(rec, "level"), English: err.Error()}
		}
		if c.TargetLevel, err = ParseLevel(h.get(rec, "target_level")); err != nil {
			return nil, &CSVError{Row: row, Column: "target_level", Message: "未知等级 " + h.get(rec, "target_level"), English: err.Error()}
		}
		if s := h.get(rec, "last_promotion_year"); s != "" {
			y, err := strconv.Atoi(s)
			if err != nil || y < 1900 || y > 9999 {
				return nil, &CSVError{Row: row, Column: "last_promotion_year", Message: "年份无效 " + s, English: "bad year " + s}
			}
			c.LastPromotionYear = y
		}
		if s := h.get(rec, "completion_time"); s != "" {
			if c.CompletionTime, err = ParseDuration(s); err != nil {
				return nil, &CSVError{Row: row, Column: "completion_time", Message: "用时无效", English: err.Error()}
			}
		}
		out = append(out, c)
	}
	return out, nil
}

// CarriedCSVColumns are the columns of a carried-parts CSV (补考): a part
// passed in an earlier batch, its score and where it was passed.
var CarriedCSVColumns = []string{"contestant", "part", "score", "batch_no", "date", "event"}

// ReadCarriedCSV reads a carried-parts CSV (UTF-8, optional BOM):
// contestant, part and score required; batch_no, date (YYYY-MM-DD) and
// event name the source batch.
func ReadCarriedCSV(r io.Reader) ([]CarriedPart, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	h, err := readHeader(cr, CarriedCSVColumns, []string{"contestant", "part", "score"})
	if err != nil {
		return nil, err
	}
	var out []CarriedPart
	for row := 2; ; row++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvReadErr(err)
		}
		if blank(rec) {
			continue
		}
		cp := CarriedPart{Contestant: h.get(rec, "contestant"), Part: h.get(rec, "part"),
			Source: CarrySource{BatchNo: h.get(rec, "batch_no"), Date: h.get(rec, "date"), Event: h.get(rec, "event")}}
		if cp.Contestant == "" || cp.Part == "" {
			return nil, &CSVError{Row: row, Message: "考生与部分不能为空", English: "contestant and part are required"}
		}
		if cp.Score, err = ParseDecimal(h.get(rec, "score")); err != nil {
			return nil, &CSVError{Row: row, Column: "score", Message: "成绩无效：" + err.Error(), English: "bad score: " + err.Error()}
		}
		if d := cp.Source.Date; d != "" && !isoDate(d) {
			return nil, &CSVError{Row: row, Column: "date", Message: "日期 " + d + " 无效：应为 YYYY-MM-DD", English: "bad date " + d + ": want YYYY-MM-DD"}
		}
		out = append(out, cp)
	}
	return out, nil
}

// isoDate checks the shape YYYY-MM-DD (the core has no calendar to consult).
func isoDate(s string) bool {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return false
	}
	for i, c := range s {
		if i != 4 && i != 7 && (c < '0' || c > '9') {
			return false
		}
	}
	mo, day := (s[5]-'0')*10+s[6]-'0', (s[8]-'0')*10+s[9]-'0'
	return mo >= 1 && mo <= 12 && day >= 1 && day <= 31
}
