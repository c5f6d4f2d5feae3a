// Package roster reads, normalises and checks a competition's or assessment
// sitting's roster (名单) from an .xlsx workbook or a CSV file, and imports it
// all or nothing. Reading and checking are pure: they see only the bytes and
// the event facts handed to them; Import reaches the database only through
// the small Store interface.
package roster

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"skillscore"
	"skillscore/idnumber"
	"skillscore/levels"
	"skillscore/scoring"
	"skillscore/store"
)

// Reason is a documented code saying why a row is rejected (docs/roster.md).
type Reason string

const (
	NameEmpty      Reason = "name_empty"
	TooLong        Reason = "too_long"
	IDEmpty        Reason = "id_empty"
	IDTypeUnknown  Reason = "id_type_unknown"
	IDLength       Reason = "id_length"
	IDChars        Reason = "id_chars"
	IDBirthdate    Reason = "id_birthdate"
	IDChecksum     Reason = "id_checksum"
	IDNotText      Reason = "id_not_text"
	IDDuplicate    Reason = "id_duplicate"
	GenderUnknown  Reason = "gender_unknown"
	GenderMismatch Reason = "gender_mismatch"
	CityUnknown    Reason = "city_unknown"
	GroupUnknown   Reason = "group_unknown"
	LevelUnknown   Reason = "level_unknown"
	PhoneInvalid   Reason = "phone_invalid"
	// DelegationUnknown: the 代表队 is empty or not one of the programme's.
	DelegationUnknown Reason = "delegation_unknown"
)

// ReasonInfo is a reason code with its meaning.
type ReasonInfo struct {
	Code    Reason
	Meaning string
}

// Reasons lists every reason code with its meaning, in the order
// docs/roster.md documents them.
func Reasons() []ReasonInfo {
	return []ReasonInfo{
		{NameEmpty, "姓名为空"},
		{TooLong, "姓名、单位等文字超过数据库允许的长度"},
		{IDEmpty, "证件号码为空"},
		{IDTypeUnknown, "证件类型不是可接受的类型"},
		{IDLength, "证件号码位数不对"},
		{IDChars, "证件号码含有不允许的字符或格式不对"},
		{IDBirthdate, "身份证号码中的出生日期不存在"},
		{IDChecksum, "身份证号码校验位错误"},
		{IDNotText, "证件号码保存在数字格式的单元格中，后几位已丢失"},
		{IDDuplicate, "证件号码在文件中重复，或已在本赛事名单中"},
		{GenderUnknown, "性别不是 男/女，且无法从证件号码得出"},
		{GenderMismatch, "性别与身份证号码不一致"},
		{CityUnknown, "设区市为空或不是江西省的 11 个设区市之一"},
		{GroupUnknown, "组别为空或不是本赛事的组别"},
		{LevelUnknown, "现等级无法识别"},
		{PhoneInvalid, "手机号码格式不对"},
		{DelegationUnknown, "代表队为空或不是本赛事所在大赛的代表队"},
	}
}

// field is a roster column the import understands.
type field string

const (
	fName         field = "name"
	fGender       field = "gender"
	fIDType       field = "id_type"
	fIDNumber     field = "id_number"
	fOrganization field = "organization"
	fCity         field = "city"
	fGroup        field = "group"
	fLevel        field = "level"
	fPhone        field = "phone"
	fTeam         field = "team" // teams.go
	fDelegation   field = "delegation"
)

// Person is one row's values after normalisation.
type Person struct {
	Name         string       `json:"name"`
	Gender       string       `json:"gender"`
	IDType       string       `json:"id_type"`
	IDNumber     string       `json:"id_number"`
	Organization string       `json:"organization"`
	City         string       `json:"city"`
	Group        string       `json:"group"` // the event group's code
	Level        levels.Level `json:"level"` // a code of package levels, 0 = none
	Phone        string       `json:"phone,omitempty"`
	Team         string       `json:"team,omitempty"` // 队伍名称 of a team event (teams.go)
	// Delegation is the 代表队's name as the programme has it; DelegationID
	// its id (events in a programme only).
	Delegation   string `json:"delegation,omitempty"`
	DelegationID *int64 `json:"-"`
	// What an assessment office asks of a candidate (candidates.go), read
	// for an assessment only: 民族, 文化程度, 考生来源 (store.SourceNew or
	// SourceRetake), 申报条件 and the current level's certificate number.
	Ethnicity     string `json:"ethnicity,omitempty"`
	Education     string `json:"education,omitempty"`
	Source        string `json:"source,omitempty"`
	Qualification string `json:"qualification,omitempty"`
	LevelCertNo   string `json:"level_cert_no,omitempty"`
}

// Problem is one reason a row is rejected, with the cell to fix.
type Problem struct {
	Reason  Reason `json:"reason"`
	Column  string `json:"column"` // the spreadsheet's column letter, e.g. "D"
	Header  string `json:"header"` // that column's header as the file has it
	Message string `json:"message"`
}

// Verdict is the outcome of one data row.
type Verdict struct {
	Sheet    string    `json:"sheet,omitempty"`
	Row      int       `json:"row"` // as the spreadsheet shows it
	Accepted bool      `json:"accepted"`
	Person   Person    `json:"person"`
	Problems []Problem `json:"problems,omitempty"`
}

// Column is a recognised column of a sheet.
type Column struct {
	Column string `json:"column"`
	Header string `json:"header"`
	Field  string `json:"field"`
}

// Sheet describes one sheet the roster was read from.
type Sheet struct {
	Name      string   `json:"name,omitempty"`
	HeaderRow int      `json:"header_row"`
	Columns   []Column `json:"columns"`
	Rows      int      `json:"rows"`
	// Ignored are columns the import knows but does not read for this
	// event: a competition's 民族, 文化程度 … (candidates.go).
	Ignored []Column `json:"ignored_columns,omitempty"`
}

// Report is the verdict on a whole file: a dry run's answer, and the real
// import's too.
type Report struct {
	File     string    `json:"file"`
	SHA256   string    `json:"sha256"`
	Format   string    `json:"format"`
	Encoding string    `json:"encoding,omitempty"`
	Sheets   []Sheet   `json:"sheets"`
	Skipped  []string  `json:"skipped_sheets,omitempty"` // hidden sheets and sheets without a roster header
	Rows     int       `json:"rows"`
	Accepted int       `json:"accepted"`
	Rejected int       `json:"rejected"`
	Verdicts []Verdict `json:"verdicts"`
	// Stored is the import record once the file is stored; nil on a dry run
	// or when any row is rejected.
	Stored *store.RosterImport `json:"stored,omitempty"`
	// TeamCount is the number of teams of a team event's file (teams.go).
	TeamCount int `json:"teams,omitempty"`
}

// Progress is reported while a large file is checked and then stored.
type Progress struct {
	Stage string `json:"stage"` // check | store
	Done  int    `json:"done"`
	Total int    `json:"total"`
}

// Event is what checking needs to know of the event: its groups and the
// identities already on its roster; Team, for a team event, the team size
// its rules allow (nil: individual entries).
type Event struct {
	Groups []store.Group
	Roster []store.Contestant
	Team   *scoring.TeamRule
	// InProgramme: the event belongs to a programme (大赛), whose
	// Delegations a 代表队 column names; for an event in no programme such
	// a column is refused.
	InProgramme bool
	Delegations []store.Delegation
	// Assessment: the event is a skill-level assessment, whose rows carry
	// the candidate columns (民族, 文化程度, 考生来源, 申报条件, 现等级证书编号).
	Assessment bool
}

// progressEvery is how many rows pass between progress reports: often
// enough for a smooth bar, rare enough to cost nothing.
const progressEvery = 100

// Check reads a roster file and gives every data row a verdict. File-level
// problems (unreadable file, no header row, a required column missing) are
// a *skillscore.Error; row problems are in the report. progress may be nil.
func Check(ctx context.Context, name string, data []byte, ev Event, progress func(Progress)) (*Report, error) {
	sum := sha256.Sum256(data)
	f, err := readFile(name, data)
	if err != nil {
		return nil, err
	}
	rep := &Report{File: name, SHA256: hex.EncodeToString(sum[:]), Format: f.format, Encoding: f.encoding,
		Skipped: f.hidden, Verdicts: []Verdict{}}

	type located struct {
		t      table
		header int
		cols   map[field]int
		group  string // the group a sheet without a 组别 column stands for
	}
	var sheets []located
	for _, t := range f.tables {
		hdr, cols := findHeader(t.rows)
		if hdr < 0 {
			if t.sheet != "" {
				rep.Skipped = append(rep.Skipped, t.sheet)
			}
			continue
		}
		l := located{t: t, header: hdr, cols: cols}
		if err := requireColumns(t, hdr, cols); err != nil {
			return nil, err
		}
		if i, ok := cols[fDelegation]; ok && !ev.InProgramme {
			return nil, skillscore.Errorf(skillscore.EInvalid,
				"%s第 %d 行的表头有“%s”列（%s 列），但本赛事不属于任何大赛，没有代表队：请删除该列，或先把赛事加入大赛",
				sheetPrefix(t.sheet), hdr+1, headerText(t.rows, hdr, i), colName(i))
		}
		if _, ok := cols[fGroup]; !ok {
			if l.group = defaultGroup(t.sheet, ev.Groups); l.group == "" {
				return nil, skillscore.Errorf(skillscore.EInvalid,
					"%s第 %d 行的表头缺少“组别”列：本赛事有 %s，请加一列“组别”", sheetPrefix(t.sheet), hdr+1, groupList(ev.Groups))
			}
		}
		sheets = append(sheets, l)
	}
	if len(sheets) == 0 {
		return nil, skillscore.Errorf(skillscore.EInvalid,
			"名单文件 %s 中没有找到表头：需要一行同时含有“姓名”和“证件号码”（或“身份证号”）两列", name)
	}

	total := 0
	for _, l := range sheets {
		for _, r := range l.t.rows[l.header+1:] {
			if !blankRow(r, l.cols) {
				total++
			}
		}
	}
	if total > MaxRows {
		return nil, skillscore.Errorf(skillscore.ETooLarge, "名单文件 %s 有 %d 行，超过上限 %d 行", name, total, MaxRows)
	}
	rep.Rows = total
	c := newChecker(ev)
	done := 0
	for _, l := range sheets {
		sh := Sheet{Name: l.t.sheet, HeaderRow: l.header + 1}
		for _, fl := range fieldOrder() {
			if i, ok := l.cols[fl]; ok {
				sh.Columns = append(sh.Columns, Column{Column: colName(i), Header: headerText(l.t.rows, l.header, i), Field: string(fl)})
			}
		}
		for _, fl := range candidateFields() {
			if i, ok := l.cols[fl]; ok {
				col := Column{Column: colName(i), Header: headerText(l.t.rows, l.header, i), Field: string(fl)}
				if ev.Assessment {
					sh.Columns = append(sh.Columns, col)
				} else {
					sh.Ignored = append(sh.Ignored, col)
				}
			}
		}
		for ri := l.header + 1; ri < len(l.t.rows); ri++ {
			if blankRow(l.t.rows[ri], l.cols) {
				continue
			}
			v := c.row(l.t, l.header, ri, l.cols, l.group)
			rep.Verdicts = append(rep.Verdicts, v)
			sh.Rows++
			if v.Accepted {
				rep.Accepted++
			} else {
				rep.Rejected++
			}
			done++
			if done%progressEvery == 0 {
				if err := ctx.Err(); err != nil {
					return nil, err
				}
				if progress != nil {
					progress(Progress{Stage: "check", Done: done, Total: total})
				}
			}
		}
		rep.Sheets = append(rep.Sheets, sh)
	}
	if progress != nil && done%progressEvery != 0 {
		progress(Progress{Stage: "check", Done: done, Total: total})
	}
	checkTeams(rep, ev.Team, ev.Groups)
	return rep, nil
}

func fieldOrder() []field {
	return []field{fName, fGender, fIDType, fIDNumber, fOrganization, fCity, fGroup, fLevel, fPhone, fTeam, fDelegation}
}

// headerScan is how far down a sheet the header row is looked for: title
// rows, dates and notes above it take a few rows, never dozens.
const headerScan = 30

// findHeader returns the index of the (last) header row, naming both the
// name and the ID number column, and the column of every field it names.
// A two-row header counts too, as registration forms often have: a merged
// group heading above its parts ("身份证件" over "类型" and "号码") and
// single headings merged down across both rows (the lower cell is then
// empty).
func findHeader(rows [][]string) (int, map[field]int) {
	for i := 0; i < len(rows) && i < headerScan; i++ {
		if cols := headerColumns(rows[i], nil); cols != nil {
			// The upper row may name enough on its own while the row below
			// holds its sub-headings ("联系方式" over 手机 and 座机).
			if i+1 < len(rows) && subHeadings(rows[i+1], cols) {
				if both := headerColumns(rows[i+1], rows[i]); both != nil && len(both) >= len(cols) {
					return i + 1, both
				}
			}
			return i, cols
		}
		if i > 0 {
			if cols := headerColumns(rows[i], rows[i-1]); cols != nil {
				return i, cols
			}
		}
	}
	return -1, nil
}

// subHeadings reports whether the row under a header row is the second
// row of a two-row header rather than data: empty under the name and ID
// number headings (merged down) and naming at least one field itself.
func subHeadings(row []string, cols map[field]int) bool {
	cell := func(j int) string {
		if j < len(row) {
			return strings.TrimSpace(row[j])
		}
		return ""
	}
	if cell(cols[fName]) != "" || cell(cols[fIDNumber]) != "" {
		return false
	}
	for _, c := range row {
		if headerField(c) != "" {
			return true
		}
	}
	return false
}

// headerColumns maps a header row's cells to fields, or nil when the row
// lacks the name or the ID number column. With the row above (upper), a
// cell is read as itself, else as its heading above (a horizontally merged
// heading spans the empty cells to its right) joined with it, or as the
// heading above alone when the cell is empty.
func headerColumns(row, upper []string) map[field]int {
	cols := map[field]int{}
	heading := ""
	width := len(row)
	if len(upper) > width {
		width = len(upper)
	}
	for j := 0; j < width; j++ {
		cell := ""
		if j < len(row) {
			cell = strings.TrimSpace(row[j])
		}
		f := headerField(cell)
		if upper != nil {
			above := ""
			if j < len(upper) {
				above = strings.TrimSpace(upper[j])
			}
			if above != "" {
				heading = above
			} else if cell == "" {
				heading = "" // an empty column ends a merged heading
			}
			switch {
			case f != "":
			case cell == "":
				f = headerField(above)
			default:
				f = headerField(heading + cell)
			}
		}
		if f != "" {
			if _, dup := cols[f]; !dup {
				cols[f] = j
			}
		}
	}
	_, hasName := cols[fName]
	_, hasID := cols[fIDNumber]
	if !hasName || !hasID {
		return nil
	}
	return cols
}

// headerText is a column's heading as the file shows it: the header row's
// cell, or for a two-row header the cell above when that one is empty.
func headerText(rows [][]string, hdr, col int) string {
	for r := hdr; r >= 0 && r >= hdr-1; r-- {
		if col < len(rows[r]) {
			if s := strings.TrimSpace(rows[r][col]); s != "" {
				return s
			}
		}
	}
	return ""
}

// requireColumns insists on the 设区市 column besides name and ID: the
// province's statistics are per city.
func requireColumns(t table, hdr int, cols map[field]int) error {
	if _, ok := cols[fCity]; !ok {
		return skillscore.Errorf(skillscore.EInvalid, "%s第 %d 行的表头缺少“设区市”列，请加一列“设区市”（如 南昌、九江）", sheetPrefix(t.sheet), hdr+1)
	}
	return nil
}

// defaultGroup is the group rows of a sheet without a 组别 column belong
// to: the group the sheet is named after, or the event's only group.
func defaultGroup(sheet string, groups []store.Group) string {
	if g, ok := matchGroup(sheet, groups); ok {
		return g
	}
	if len(groups) == 1 {
		return groups[0].Code
	}
	return ""
}

// matchGroup finds the group a cell names by its name (职工组, or 职工
// without 组) or its code, ignoring case.
func matchGroup(s string, groups []store.Group) (string, bool) {
	s = strings.ReplaceAll(Text(s), " ", "")
	if s == "" {
		return "", false
	}
	for _, g := range groups {
		if s == g.Name || strings.TrimSuffix(s, "组") == strings.TrimSuffix(g.Name, "组") || strings.EqualFold(s, g.Code) {
			return g.Code, true
		}
	}
	return "", false
}

func groupList(groups []store.Group) string {
	names := make([]string, len(groups))
	for i, g := range groups {
		names[i] = g.Name
	}
	return strings.Join(names, "、")
}

func sheetPrefix(sheet string) string {
	if sheet == "" {
		return ""
	}
	return "工作表“" + sheet + "”"
}

func blankRow(r []string, cols map[field]int) bool {
	for _, i := range cols {
		if i < len(r) && strings.TrimFunc(r[i], isBlank) != "" {
			return false
		}
	}
	return true
}

func colName(i int) string {
	n, err := excelize.ColumnNumberToName(i + 1)
	if err != nil {
		return strconv.Itoa(i + 1)
	}
	return n
}

// checker holds what row checks share: the event's groups and the
// identities seen so far (the event's roster, then the file's rows).
type checker struct {
	groups []store.Group
	held   map[[2]string]string // identity → name on the event's roster
	seen   map[[2]string]string // identity → where in the file it first appeared

	delegations []store.Delegation
	assessment  bool
}

func newChecker(ev Event) *checker {
	c := &checker{groups: ev.Groups, held: make(map[[2]string]string, len(ev.Roster)), seen: map[[2]string]string{},
		delegations: ev.Delegations, assessment: ev.Assessment}
	for _, p := range ev.Roster {
		c.held[[2]string{p.IDType, p.IDNumber}] = p.Name
	}
	return c
}

// Column lengths of the contestants table (schema.sql), in characters.
const (
	maxName = 100
	maxOrg  = 200
)

func (c *checker) row(t table, hdr, ri int, cols map[field]int, group string) Verdict {
	v := Verdict{Sheet: t.sheet, Row: ri + 1}
	get := func(f field) string {
		if i, ok := cols[f]; ok && i < len(t.rows[ri]) {
			return t.rows[ri][i]
		}
		return ""
	}
	fail := func(f field, reason Reason, format string, args ...any) {
		p := Problem{Reason: reason, Message: fmt.Sprintf(format, args...)}
		if i, ok := cols[f]; ok {
			p.Column, p.Header = colName(i), headerText(t.rows, hdr, i)
		}
		v.Problems = append(v.Problems, p)
	}
	p := &v.Person

	p.Name = Name(get(fName))
	switch n := len([]rune(p.Name)); {
	case n == 0:
		fail(fName, NameEmpty, "姓名为空：请填写选手姓名")
	case n > maxName:
		fail(fName, TooLong, "姓名有 %d 个字，超过 %d 个字：请检查是否填错了列", n, maxName)
	}

	idOK := false
	typ, typeOK := idnumber.CanonicalType(Text(get(fIDType)))
	raw := strings.TrimFunc(get(fIDNumber), isBlank)
	p.IDType, p.IDNumber = typ, IDNumber(raw)
	switch {
	case !typeOK:
		p.IDType = Text(get(fIDType))
		fail(fIDType, IDTypeUnknown, "证件类型“%s”无法识别：请填写 %s 之一", p.IDType, strings.Join(idnumber.Types(), "、"))
	case raw == "":
		fail(fIDNumber, IDEmpty, "证件号码为空：请填写%s号码", typ)
	case t.numeric(ri, cols[fIDNumber]) || scientific.MatchString(raw):
		fail(fIDNumber, IDNotText, "证件号码“%s”保存为数字，末尾几位已经丢失：请把该列设置为“文本”格式后重新录入完整号码", raw)
	default:
		if reason, msg := idProblem(typ, p.IDNumber); reason == "" {
			idOK = true
		} else {
			fail(fIDNumber, reason, "%s", msg)
		}
	}
	if idOK {
		k := [2]string{p.IDType, p.IDNumber}
		if name, ok := c.held[k]; ok {
			fail(fIDNumber, IDDuplicate, "证件号码 %s 已在本赛事名单中（%s）：请删除此行，不要重复报名", idnumber.Mask(p.IDNumber), name)
		} else if where, ok := c.seen[k]; ok {
			fail(fIDNumber, IDDuplicate, "证件号码 %s 与%s重复：同一人只能报名一次，请删除重复的一行", idnumber.Mask(p.IDNumber), where)
		} else {
			c.seen[k] = fmt.Sprintf("%s第 %d 行", sheetPrefix(t.sheet), ri+1)
		}
	}

	g, gOK := Gender(get(fGender))
	fromID, encodes := "", false
	if idOK {
		fromID, encodes = idnumber.GenderOf(p.IDType, p.IDNumber)
	}
	switch {
	case !gOK:
		fail(fGender, GenderUnknown, "性别“%s”无法识别：请填写“男”或“女”", Text(get(fGender)))
	case g == "" && encodes:
		p.Gender = fromID
	case g == "" && idOK:
		fail(fGender, GenderUnknown, "性别为空，%s号码不含性别：请填写“男”或“女”", p.IDType)
	case g == "":
		// The row already fails on its document; once that is fixed the
		// gender either follows from the number or is asked for then.
	case encodes && g != fromID:
		p.Gender = g
		fail(fGender, GenderMismatch, "性别填的是“%s”，但身份证号码表明是“%s”：请核对性别或证件号码", g, fromID)
	default:
		p.Gender = g
	}

	city, ok := City(get(fCity))
	p.City = city
	switch {
	case city == "":
		fail(fCity, CityUnknown, "设区市为空：请填写 %s 之一", strings.Join(Cities(), "、"))
	case !ok:
		fail(fCity, CityUnknown, "设区市“%s”不是江西省的设区市：请填写 %s 之一", city, strings.Join(Cities(), "、"))
	}

	p.Organization = Text(get(fOrganization))
	if n := len([]rune(p.Organization)); n > maxOrg {
		fail(fOrganization, TooLong, "单位名称有 %d 个字，超过 %d 个字：请使用简称", n, maxOrg)
	}

	if group != "" {
		p.Group = group
	} else if code, ok := matchGroup(get(fGroup), c.groups); ok {
		p.Group = code
	} else if gs := Text(get(fGroup)); gs == "" {
		fail(fGroup, GroupUnknown, "组别为空：请填写 %s 之一", groupList(c.groups))
	} else {
		p.Group = gs
		fail(fGroup, GroupUnknown, "组别“%s”不是本赛事的组别：请填写 %s 之一", gs, groupList(c.groups))
	}

	if lv, ok := Level(get(fLevel)); ok {
		p.Level = lv
	} else {
		fail(fLevel, LevelUnknown, "现等级“%s”无法识别：请填写如“三级/高级工”“高级工”“三级”“学徒工”“特级技师”“首席技师”，没有等级的留空", Text(get(fLevel)))
	}

	p.Team = Text(get(fTeam))
	if n := len([]rune(p.Team)); n > maxName {
		fail(fTeam, TooLong, "队伍名称有 %d 个字，超过 %d 个字：请使用简称", n, maxName)
	}

	if p.Phone = Phone(get(fPhone)); p.Phone != "" && !validPhone(p.Phone) {
		fail(fPhone, PhoneInvalid, "手机号码“%s”格式不对：应为 11 位手机号（1 开头）或带区号的固定电话", p.Phone)
	}

	if _, ok := cols[fDelegation]; ok {
		ds := Text(get(fDelegation))
		if d, ok := matchDelegation(ds, c.delegations); ok {
			p.Delegation, p.DelegationID = d.Name, &d.ID
		} else if ds == "" {
			fail(fDelegation, DelegationUnknown, "代表队为空：请填写 %s 之一", delegationList(c.delegations))
		} else {
			p.Delegation = ds
			fail(fDelegation, DelegationUnknown, "代表队“%s”不是本大赛的代表队：请填写 %s 之一（名称或代码）", ds, delegationList(c.delegations))
		}
	}
	if c.assessment {
		checkCandidate(p, cols, get, fail)
	}
	v.Accepted = len(v.Problems) == 0
	return v
}

func validPhone(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	switch {
	case len(s) == 11 && s[0] == '1':
		return true
	case s[0] == '0' && len(s) >= 10 && len(s) <= 12: // 区号 + 7–8 digits
		return true
	}
	return false
}

// idProblem checks a normalised document number by its type's rule and
// returns the reason and message of its problem, "" when it is valid.
func idProblem(typ, id string) (Reason, string) {
	switch idnumber.CheckType(typ, id) {
	case idnumber.OK:
		return "", ""
	case idnumber.BadLength:
		return IDLength, fmt.Sprintf("%s号码“%s”有 %d 位，%s：请核对号码", typ, id, len([]rune(id)), wantLength(typ))
	case idnumber.BadDate:
		return IDBirthdate, fmt.Sprintf("身份证号码“%s”中的出生日期 %s 不存在：请核对第 7–14 位", id, id[6:14])
	case idnumber.BadCheck:
		hint := ""
		if strings.HasSuffix(id, "000") {
			hint = "（末尾为 000，多半是 Excel 按数字保存后丢失了最后几位）"
		}
		return IDChecksum, fmt.Sprintf("身份证号码“%s”校验位错误%s：请逐位核对号码", id, hint)
	}
	return IDChars, fmt.Sprintf("%s号码“%s”格式不对，%s：请核对号码", typ, id, wantChars(typ))
}

func wantLength(typ string) string {
	switch typ {
	case idnumber.ResidentCard, idnumber.HKMacaoTaiwanPermit:
		return "应为 18 位"
	case idnumber.HKMacaoPermit:
		return "应为 H 或 M 加 8 位数字（旧版 10 位数字）"
	case idnumber.TaiwanPermit:
		return "应为 8 位数字（旧版 10 位）"
	case idnumber.ForeignerPermanent:
		return "应为 18 位（2023 年版）或 15 位（2017 年版）"
	}
	return "应为 5–17 位字母和数字"
}

func wantChars(typ string) string {
	switch typ {
	case idnumber.ResidentCard:
		return "前 17 位应为数字，最后一位为数字或 X"
	case idnumber.HKMacaoTaiwanPermit:
		return "应以 810000、820000 或 830000 开头，最后一位为数字或 X"
	case idnumber.HKMacaoPermit:
		return "应为 H（香港）或 M（澳门）开头加数字"
	case idnumber.TaiwanPermit:
		return "应全部为数字"
	case idnumber.ForeignerPermanent:
		return "2023 年版以 9 开头，2017 年版为 3 个字母加 12 位数字"
	}
	return "只能有大写字母和数字，且至少有一位数字"
}

// Contestants turns the accepted rows into contestants to store.
func (r *Report) Contestants() []store.Contestant {
	out := make([]store.Contestant, 0, r.Accepted)
	for _, v := range r.Verdicts {
		if !v.Accepted {
			continue
		}
		p := v.Person
		out = append(out, store.Contestant{Name: p.Name, Gender: p.Gender, IDType: p.IDType, IDNumber: p.IDNumber,
			Organization: p.Organization, City: p.City, Phone: p.Phone, GroupCode: p.Group, Level: p.Level,
			DelegationID: p.DelegationID})
	}
	return out
}
