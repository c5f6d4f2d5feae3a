package imports

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"skillscore"
	"skillscore/idnumber"
	"skillscore/roster"
	"skillscore/scoring"
	"skillscore/store"
)

// ScoresInput is what a theory-score file is checked against.
type ScoresInput struct {
	Modules     []store.Module
	Contestants []store.Contestant
	// EntryNos are the contestants' 准考证号 / 参赛证号 by id, the number an
	// assessment's exam system exports.
	EntryNos map[int64]string
	// Module names the imported module (its code or name); empty picks the
	// event's only imported module.
	Module string
	// Rules is the event's rules document (JSON); a module marked signed
	// there takes scores from −max to max (ski jumping's gate points).
	Rules string
	// Terms are the event's words for its people (选手 or 考生); the zero
	// value is a competition's.
	Terms scoring.Terms
	// Complete asks for a row for everyone on the roster, as an
	// assessment's exam system exports every candidate (缺考 included): one
	// with no row is a problem unless AllowMissing. Either way the plan
	// names them.
	Complete, AllowMissing bool
}

// ScoresPlan is a checked score file, ready for store.ImportScores, and
// its reconciliation with the roster.
type ScoresPlan struct {
	Module store.Module
	Scores []store.ImportedScore
	Absent int // rows that say 缺考
	// Missing are those on the roster the file has no row for: they get
	// no score from this import.
	Missing []Missing
}

// Missing is one on the roster without a row in the file.
type Missing struct {
	ContestantID int64  `json:"contestant_id"`
	Name         string `json:"name"`
	EntryNo      string `json:"entry_no,omitempty"`
	Code         string `json:"code,omitempty"`
}

func (m Missing) String() string {
	switch {
	case m.EntryNo != "":
		return m.Name + "（" + m.EntryNo + "）"
	case m.Code != "":
		return m.Name + "（" + m.Code + "）"
	}
	return m.Name
}

var scoreFields = []field{
	{"id", []string{"证件号码", "身份证号码", "身份证号", "证件号", "公民身份号码"}},
	{"entry", []string{"准考证号", "参赛证号", "准考证编号"}},
	{"code", []string{"加密号", "参赛编号", "考号"}},
	{"name", []string{"姓名"}},
	{"score", []string{"成绩", "分数", "得分", "理论成绩", "理论知识成绩", "理论考试成绩"}},
}

// PickModule finds the imported module a score file is for.
func PickModule(mods []store.Module, want string) (store.Module, error) {
	var imported []store.Module
	for _, m := range mods {
		if m.Imported {
			imported = append(imported, m)
		}
	}
	want = strings.TrimSpace(want)
	for _, m := range imported {
		if want != "" && (m.Code == want || m.Name == want) {
			return m, nil
		}
	}
	if want == "" && len(imported) == 1 {
		return imported[0], nil
	}
	names := make([]string, len(imported))
	for i, m := range imported {
		names[i] = m.Code + " " + m.Name
	}
	if len(imported) == 0 {
		return store.Module{}, skillscore.Errorf(skillscore.EInvalid, "本赛事没有导入成绩的模块（如理论知识）")
	}
	if want == "" {
		return store.Module{}, skillscore.Errorf(skillscore.EInvalid, "本赛事有多个导入成绩的模块，请指定模块：%s", strings.Join(names, "、"))
	}
	return store.Module{}, skillscore.Errorf(skillscore.EInvalid, "模块 %q 不是本赛事导入成绩的模块；可选：%s", want, strings.Join(names, "、"))
}

// AbsentCell is what a score cell says for a contestant who did not sit the
// test: recorded as 缺考, not as 0.
const AbsentCell = "缺考"

// scientific is an ID an exam system's .csv carries after Excel has
// turned it into a number: 3.60102E+17 has lost its last digits.
var scientific = regexp.MustCompile(`^[0-9](\.[0-9]+)?E\+?[0-9]+$`)

// Scores reads and checks a theory-score .xlsx or .csv against the roster:
// each row is matched to a contestant by 证件号码, by 准考证号 (参赛证号) or
// by anonymous code; the score must be 0 to the module's maximum with at
// most four decimals, or 缺考. Every mismatch is a problem naming its row:
// someone not on the roster, a name that differs from the roster's, a
// second row for one person, a score out of range, and, when in.Complete,
// anyone on the roster without a row. Any problem rejects the file.
func Scores(name string, data []byte, in ScoresInput) (ScoresPlan, []Problem, error) {
	t := in.Terms
	if t.Contestant == "" {
		t = scoring.TermsFor("")
	}
	mod, err := PickModule(in.Modules, in.Module)
	if err != nil {
		return ScoresPlan{}, nil, err
	}
	fields := append(append([]field(nil), scoreFields...), field{"module", []string{headerKey(mod.Name)}})
	tab, err := readTable(name, data, fields, []string{"id|entry|code", "score|module"})
	if err != nil {
		return ScoresPlan{}, nil, err
	}
	scoreField := "score"
	if tab.col("score") < 0 {
		scoreField = "module"
	}
	byID, byCode, byEntry := map[string]store.Contestant{}, map[string]store.Contestant{}, map[string]store.Contestant{}
	for _, c := range in.Contestants {
		byID[c.IDNumber] = c
		if c.Code != nil {
			byCode[strings.ToUpper(*c.Code)] = c
		}
		if no := in.EntryNos[c.ID]; no != "" {
			byEntry[strings.ToUpper(no)] = c
		}
	}
	plan := ScoresPlan{Module: mod}
	lo := scoring.Decimal(0)
	if signedModule(in.Rules, mod.Code) {
		lo = -scoring.Decimal(mod.MaxMarks)
	}
	var ps []Problem
	seen := map[int64]int{}
	for _, r := range tab.rows {
		var c store.Contestant
		var found bool
		id := roster.IDNumber(r.get(tab.col("id")))
		entry := strings.ToUpper(roster.IDNumber(r.get(tab.col("entry"))))
		code := strings.ToUpper(roster.IDNumber(r.get(tab.col("code"))))
		by := "id" // the field the row was matched by
		switch {
		case id != "" && (r.numeric[tab.col("id")] || scientific.MatchString(id)):
			ps = append(ps, tab.problem(r, "id", "证件号码存成了数字，末几位已丢失：请把该列设为“文本”格式后重新输入"))
			continue
		case id != "":
			if c, found = byID[id]; !found {
				ps = append(ps, tab.problem(r, "id", "证件号码 %s 不在本%s名单中", idnumber.Mask(id), t.Event))
				continue
			}
			if c.Kind == store.KindMember {
				// A team entry has one result: its members hold none of their own.
				ps = append(ps, tab.problem(r, "id", "%s 是团体赛项的队员，成绩按队伍录入：请改填其队伍的加密号", c.Name))
				continue
			}
			if entry != "" && !strings.EqualFold(in.EntryNos[c.ID], entry) {
				ps = append(ps, tab.problem(r, "entry", "%s %s 与证件号码不是同一位%s：名单中该证件号码的%s是 %s（%s）", t.CardNo, entry,
					t.Contestant, t.CardNo, in.EntryNos[c.ID], c.Name))
				continue
			}
		case entry != "":
			by = "entry"
			if c, found = byEntry[entry]; !found {
				ps = append(ps, tab.problem(r, "entry", "%s %s 不在本%s名单中", t.CardNo, entry, t.Event))
				continue
			}
		case code != "":
			by = "code"
			if c, found = byCode[code]; !found {
				ps = append(ps, tab.problem(r, "code", "加密号 %s 不在本%s中（尚未抽签，或号码有误）", code, t.Event))
				continue
			}
		default:
			field := "id"
			if tab.col("id") < 0 {
				field = "entry"
				if tab.col("entry") < 0 {
					field = "code"
				}
			}
			ps = append(ps, tab.problem(r, field, "缺少证件号码、%s或加密号，无法确定是哪位%s", t.CardNo, t.Contestant))
			continue
		}
		// A name in the file must be the roster's, however the row was
		// matched: a right number with another name is a typo somewhere.
		if n := roster.Name(r.get(tab.col("name"))); n != "" && n != c.Name && c.Kind != store.KindTeam {
			ps = append(ps, tab.problem(r, "name", "姓名 %s 与名单中该%s的姓名 %s 不符", n, matchedBy(by, t), c.Name))
			continue
		}
		if prev, dup := seen[c.ID]; dup {
			ps = append(ps, tab.problem(r, by, "与第 %d 行是同一位%s（%s）：每人只能有一个成绩", prev, t.Contestant, c.Name))
			continue
		}
		seen[c.ID] = r.num
		raw := strings.TrimSpace(r.get(tab.col(scoreField)))
		if raw == "" {
			ps = append(ps, tab.problem(r, scoreField, "成绩为空：请填成绩；未参加考试的填“缺考”"))
			continue
		}
		if strings.ReplaceAll(raw, " ", "") == AbsentCell {
			plan.Scores = append(plan.Scores, store.ImportedScore{ContestantID: c.ID, ModuleCode: mod.Code, Absent: true})
			plan.Absent++
			continue
		}
		v, err := scoring.ParseDecimal(raw)
		if err != nil {
			ps = append(ps, tab.problem(r, scoreField, "成绩 %q 不是最多 4 位小数的数字，也不是“缺考”", raw))
			continue
		}
		if v < lo || int64(v) > mod.MaxMarks {
			ps = append(ps, tab.problem(r, scoreField, "成绩 %s 超出范围：应在 %s 到 %s 之间", raw, lo, scoring.Decimal(mod.MaxMarks)))
			continue
		}
		plan.Scores = append(plan.Scores, store.ImportedScore{ContestantID: c.ID, ModuleCode: mod.Code, Value: int64(v)})
	}
	if len(plan.Scores) == 0 && len(ps) == 0 {
		return plan, nil, skillscore.Errorf(skillscore.EInvalid, "文件 %s 的表头下没有成绩", name)
	}
	// Whom the file leaves out: everyone with a result of their own (not a
	// team's member), save those who withdrew or were disqualified before.
	for _, c := range in.Contestants {
		if _, ok := seen[c.ID]; ok || c.Kind == store.KindMember || c.Status == scoring.StatusWithdrew || c.Status == scoring.StatusDisqualified {
			continue
		}
		m := Missing{ContestantID: c.ID, Name: c.Name, EntryNo: in.EntryNos[c.ID]}
		if c.Code != nil {
			m.Code = *c.Code
		}
		plan.Missing = append(plan.Missing, m)
	}
	if in.Complete && !in.AllowMissing && len(plan.Missing) > 0 {
		names := make([]string, len(plan.Missing))
		for i, m := range plan.Missing {
			names[i] = m.String()
		}
		ps = append(ps, Problem{Message: fmt.Sprintf("名单中有 %d 名%s在文件中没有成绩：%s。未参加考试的应填“缺考”；若确要只导入文件中的成绩，请勾选“允许文件缺少名单中的%s”",
			len(plan.Missing), t.Contestant, strings.Join(names, "、"), t.Contestant)})
	}
	return plan, ps, nil
}

// matchedBy names what a row was matched by, for messages.
func matchedBy(by string, t scoring.Terms) string {
	switch by {
	case "entry":
		return t.CardNo
	case "code":
		return "加密号"
	}
	return "证件号码"
}

// signedModule reports whether the rules let module code take negative
// scores; stored rules were validated when saved, so a document that does
// not decode simply has no signed module.
func signedModule(rules, code string) bool {
	var r scoring.Rules
	if rules == "" || json.Unmarshal([]byte(rules), &r) != nil {
		return false
	}
	for _, m := range r.Modules {
		if m.Code == code {
			return m.Imported && m.Signed
		}
	}
	return false
}
