// Package rubric imports an event's rubric from an .xlsx sheet (one row per
// aspect: 模块, 评分项, 类型, 分值, 评分标准 and the 0–3 descriptors) into a
// rule document, and writes the blank template. Problems are reported at
// the cell as the spreadsheet shows it, including the scoring core's
// validation problems mapped back from their JSON paths.
package rubric

import (
	"bytes"
	"cmp"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"skillscore"
	"skillscore/roster"
	"skillscore/scoring"
	"skillscore/tabular"
)

// MaxFileBytes bounds one upload: a rubric is at most a few hundred rows.
const MaxFileBytes = 5 << 20

// MaxRulesBytes bounds an uploaded rule document (.json): the provincial
// preset is 11 KB, and every JSON value costs the decoder far more memory
// than its bytes (a few bytes of {} become a whole module).
const MaxRulesBytes = 1 << 20

// Columns of the template, in order; the reader finds them by these names
// wherever the header row sits.
var columns = []struct{ key, header string }{
	{"module", "模块"},
	{"code", "评分项代码"},
	{"name", "评分项"},
	{"kind", "类型"},
	{"max", "分值"},
	{"description", "评分标准"},
	{"d0", "0分描述"},
	{"d1", "1分描述"},
	{"d2", "2分描述"},
	{"d3", "3分描述"},
}

var required = []string{"module", "name", "kind", "max"}

// kinds maps the sheet's 类型 to aspect kinds; the English names are
// accepted as they are.
var kinds = map[string]scoring.AspectKind{
	"客观": scoring.Measurement, "测量": scoring.Measurement, "measurement": scoring.Measurement,
	"主观": scoring.Judgement, "评价": scoring.Judgement, "judgement": scoring.Judgement,
	"扣分": scoring.Deduction, "deduction": scoring.Deduction,
	"否决": scoring.Veto, "veto": scoring.Veto,
	"否决(取消资格)": scoring.Veto, "否决(本模块记0分)": scoring.Veto, "否决(本模块零分)": scoring.Veto,
}

// vetoEffects are the 类型 spellings that name a veto's effect: 取消资格
// (disqualify: no total, no award, no promotion) or 本模块记 0 分. A bare
// 否决 keeps the effect the aspect has, and zeroes the module when new.
var vetoEffects = map[string]string{"否决(取消资格)": "disqualify", "否决(本模块记0分)": "zero_module", "否决(本模块零分)": "zero_module"}

// Problem is one bad cell (or row, when Column is empty).
type Problem struct {
	Row     int    `json:"row"` // as the spreadsheet shows it, from 1
	Column  string `json:"column"`
	Header  string `json:"header"`
	Message string `json:"message"`
}

// Cell names the problem's place as the organizer sees it.
func (p Problem) Cell() string {
	if p.Column == "" {
		return fmt.Sprintf("第 %d 行", p.Row)
	}
	return fmt.Sprintf("第 %d 行 %s 列（%s）", p.Row, p.Column, p.Header)
}

// Row is one aspect as read from the sheet.
type Row struct {
	Num         int // spreadsheet row
	Module      string
	Code        string
	Name        string
	Kind        scoring.AspectKind
	Effect      string // a veto's, when its 类型 names one: zero_module or disqualify
	Max         scoring.Decimal
	Description string
	Descriptors []string
}

// Sheet is the rows read and where each column sits.
type Sheet struct {
	Rows   []Row
	cols   map[string]int
	header []string
}

func (s *Sheet) problem(row int, key, format string, args ...any) Problem {
	p := Problem{Row: row, Message: fmt.Sprintf(format, args...)}
	if c, ok := s.cols[key]; ok {
		p.Column, _ = excelize.ColumnNumberToName(c + 1)
		p.Header = strings.TrimSpace(s.header[c])
	}
	return p
}

func headerKey(s string) string {
	return strings.NewReplacer(" ", "", "\u3000", "", "*", "", "（", "", "）", "", "(", "", ")", "").Replace(roster.Text(s))
}

// Read finds the header in the first visible sheet that has one and reads
// every non-blank row under it. A file it cannot read at all is an
// EInvalid error; bad cells are Problems.
func Read(data []byte) (*Sheet, []Problem, error) {
	if len(data) > MaxFileBytes {
		return nil, nil, skillscore.Errorf(skillscore.ETooLarge, "评分细则文件超过 %d MB 上限", MaxFileBytes>>20)
	}
	if !bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		return nil, nil, skillscore.Errorf(skillscore.EInvalid, "文件不是 .xlsx 工作簿：请在 Excel 中“另存为” .xlsx 后再导入")
	}
	lim := tabular.Default()
	lim.FileBytes = MaxFileBytes
	book, err := tabular.ReadXLSX("", data, lim)
	if skillscore.ErrorCode(err) == skillscore.EInvalid {
		return nil, nil, skillscore.Wrap(skillscore.EInvalid, err, "无法读取工作簿：文件已损坏或不是 .xlsx")
	}
	if err != nil {
		return nil, nil, err
	}
	for _, sh := range book.Sheets {
		rows := sh.Rows
		for hi := 0; hi < len(rows) && hi < 30; hi++ {
			cols := map[string]int{}
			for ci, h := range rows[hi] {
				k := headerKey(h)
				for _, c := range columns {
					if _, seen := cols[c.key]; !seen && k == headerKey(c.header) {
						cols[c.key] = ci
					}
				}
			}
			if !hasAll(cols) {
				continue
			}
			s := &Sheet{cols: cols, header: rows[hi]}
			return s, s.read(rows[hi+1:], hi+2), nil
		}
	}
	return nil, nil, skillscore.Errorf(skillscore.EInvalid, "找不到表头：需要一行包含 模块、评分项、类型、分值 的列标题（可下载模板对照）")
}

func hasAll(cols map[string]int) bool {
	for _, k := range required {
		if _, ok := cols[k]; !ok {
			return false
		}
	}
	return true
}

func (s *Sheet) read(rows [][]string, first int) []Problem {
	var probs []Problem
	for i, cells := range rows {
		num := first + i
		get := func(key string) string {
			c, ok := s.cols[key]
			if !ok || c >= len(cells) {
				return ""
			}
			return strings.TrimSpace(strings.ReplaceAll(cells[c], "\u3000", " "))
		}
		if strings.TrimSpace(strings.Join(cells, "")) == "" {
			continue
		}
		r := Row{Num: num, Module: get("module"), Code: roster.Text(get("code")), Name: get("name"), Description: get("description")}
		if r.Module == "" {
			probs = append(probs, s.problem(num, "module", "缺少模块：填写规则中已有模块的代码或名称，如 A 或 实操A 生活照护"))
		}
		if r.Name == "" {
			probs = append(probs, s.problem(num, "name", "缺少评分项名称"))
		}
		kind := get("kind")
		key := strings.ToLower(strings.NewReplacer(" ", "", "（", "(", "）", ")").Replace(roster.Text(kind)))
		k, ok := kinds[key]
		if !ok {
			probs = append(probs, s.problem(num, "kind", "类型“%s”无法识别：应为 客观、主观、扣分、否决 或 否决（取消资格）", kind))
		}
		r.Kind = k
		r.Effect = vetoEffects[key]
		if mx := roster.Text(get("max")); mx != "" || k != scoring.Veto {
			d, err := scoring.ParseDecimal(mx)
			if err != nil || d < 0 {
				probs = append(probs, s.problem(num, "max", "分值“%s”不是非负数字（最多 4 位小数）", mx))
			}
			r.Max = d
		}
		for _, key := range []string{"d0", "d1", "d2", "d3"} {
			if d := get(key); d != "" {
				r.Descriptors = append(r.Descriptors, d)
			} else if len(r.Descriptors) > 0 || key == "d0" {
				break
			}
		}
		s.Rows = append(s.Rows, r)
	}
	return probs
}

// Placement maps the JSON paths of the aspects the sheet wrote back to the
// sheet's rows, so the core's problems can be shown at their cells.
type Placement struct {
	sheet   *Sheet
	aspects map[string]int // "modules[i].aspects[j]" → row
	modules map[int]int    // module index → its first row
}

// Apply replaces the aspects of every module the sheet names (by code or
// name) with the sheet's rows, in order. An aspect whose code already
// exists with the same kind keeps its other settings (panel spread, measure
// bands…). Rows without a code get the module code and their position.
func Apply(doc *scoring.Rules, s *Sheet) (*Placement, []Problem) {
	pl := &Placement{sheet: s, aspects: map[string]int{}, modules: map[int]int{}}
	var probs []Problem
	byModule := map[int][]Row{}
	var order []int
	for _, r := range s.Rows {
		mi := -1
		for i, m := range doc.Modules {
			if r.Module == m.Code || r.Module == m.Name {
				mi = i
			}
		}
		if mi < 0 {
			probs = append(probs, s.problem(r.Num, "module", "模块“%s”不在规则中：先在规则文档中添加该模块，或改为已有模块的代码/名称", r.Module))
			continue
		}
		if doc.Modules[mi].Imported {
			probs = append(probs, s.problem(r.Num, "module", "模块“%s”的成绩为导入（如理论考试），没有评分项", r.Module))
			continue
		}
		if _, seen := byModule[mi]; !seen {
			order = append(order, mi)
			pl.modules[mi] = r.Num
		}
		byModule[mi] = append(byModule[mi], r)
	}
	for _, mi := range order {
		m := &doc.Modules[mi]
		old := map[string]scoring.Aspect{}
		for _, a := range m.Aspects {
			old[a.Code] = a
		}
		var out []scoring.Aspect
		for j, r := range byModule[mi] {
			code := r.Code
			if code == "" {
				code = m.Code + strconv.Itoa(j+1)
			}
			a, ok := old[code]
			if !ok || a.Kind != r.Kind {
				a = scoring.Aspect{Code: code}
			}
			if r.Kind == scoring.Veto {
				a.Effect = cmp.Or(r.Effect, a.Effect, "zero_module")
			}
			a.Name, a.Kind, a.Max, a.Description, a.Descriptors = r.Name, r.Kind, r.Max, r.Description, r.Descriptors
			out = append(out, a)
			pl.aspects[fmt.Sprintf("modules[%d].aspects[%d]", mi, j)] = r.Num
		}
		m.Aspects = out
	}
	return pl, probs
}

var aspectPath = regexp.MustCompile(`^(modules\[(\d+)\])(\.aspects\[\d+\])?(\.([a-z_]+))?`)

// pathColumns names the sheet column of an aspect's JSON field.
var pathColumns = map[string]string{"code": "code", "name": "name", "kind": "kind", "max": "max",
	"description": "description", "descriptors": "d0", "scale": "d0"}

// Place returns the cell of a core problem's path when it lies in a module
// the sheet wrote.
func (pl *Placement) Place(path, message string) (Problem, bool) {
	m := aspectPath.FindStringSubmatch(path)
	if m == nil {
		return Problem{}, false
	}
	if m[3] != "" {
		row, ok := pl.aspects[m[1]+m[3]]
		if !ok {
			return Problem{}, false
		}
		key, ok := pathColumns[m[5]]
		if !ok {
			key = "name"
		}
		return pl.sheet.problem(row, key, "%s", message), true
	}
	mi, _ := strconv.Atoi(m[2])
	row, ok := pl.modules[mi]
	if !ok || m[5] != "" && m[5] != "aspects" && m[5] != "max" {
		return Problem{}, false
	}
	return pl.sheet.problem(row, "module", "%s", message), true
}

// Template writes the blank rubric workbook with example rows taken from the
// given rule document's judged modules (the preset's own rubric).
func Template(doc *scoring.Rules) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	const sh = "评分细则"
	if err := f.SetSheetName("Sheet1", sh); err != nil {
		return nil, fmt.Errorf("rename sheet: %w", err)
	}
	put := func(row int, vals []any) error {
		cell, err := excelize.CoordinatesToCellName(1, row)
		if err != nil {
			return err
		}
		return f.SetSheetRow(sh, cell, &vals)
	}
	if err := put(1, []any{"评分细则导入模板：每行一个评分项。类型填 客观、主观、扣分、否决（本模块记 0 分）或 否决（取消资格）；主观项可填 0–3 分描述；否决项分值留空。"}); err != nil {
		return nil, fmt.Errorf("write title: %w", err)
	}
	var head []any
	for _, c := range columns {
		head = append(head, c.header)
	}
	if err := put(2, head); err != nil {
		return nil, fmt.Errorf("write header: %w", err)
	}
	names := map[scoring.AspectKind]string{scoring.Measurement: "客观", scoring.Judgement: "主观", scoring.Deduction: "扣分", scoring.Veto: "否决"}
	row := 3
	for _, m := range doc.Modules {
		for _, a := range m.Aspects {
			kind := names[a.Kind]
			if a.Kind == scoring.Veto && a.Effect == "disqualify" {
				kind = "否决（取消资格）" // so the sheet reads back with the same effect
			}
			vals := []any{m.Code, a.Code, a.Name, kind, "", a.Description}
			if a.Kind != scoring.Veto {
				vals[4] = a.Max.String()
			}
			for _, d := range a.Descriptors {
				vals = append(vals, d)
			}
			if err := put(row, vals); err != nil {
				return nil, fmt.Errorf("write row %d: %w", row, err)
			}
			row++
		}
	}
	// Every cell is text so that codes like 01 and values keep their form.
	style, err := f.NewStyle(&excelize.Style{NumFmt: 49})
	if err != nil {
		return nil, fmt.Errorf("text style: %w", err)
	}
	if err := f.SetColStyle(sh, "A:J", style); err != nil {
		return nil, fmt.Errorf("column style: %w", err)
	}
	if err := f.SetColWidth(sh, "C", "C", 40); err != nil {
		return nil, fmt.Errorf("column width: %w", err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, fmt.Errorf("write workbook: %w", err)
	}
	return buf.Bytes(), nil
}
