package imports

import (
	"encoding/json"
	"strings"

	"skillscore"
	"skillscore/roster"
	"skillscore/scoring"
	"skillscore/store"
)

// ScoresInput is what a theory-score file is checked against.
type ScoresInput struct {
	Modules     []store.Module
	Contestants []store.Contestant
	// Module names the imported module (its code or name); empty picks the
	// event's only imported module.
	Module string
	// Rules is the event's rules document (JSON); a module marked signed
	// there takes scores from −max to max (ski jumping's gate points).
	Rules string
}

// ScoresPlan is a checked score file, ready for store.ImportScores.
type ScoresPlan struct {
	Module store.Module
	Scores []store.ImportedScore
}

var scoreFields = []field{
	{"id", []string{"证件号码", "身份证号码", "身份证号", "证件号", "公民身份号码"}},
	{"code", []string{"加密号", "参赛编号", "考号", "准考证号"}},
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

// Scores reads and checks a theory-score .xlsx: each row is matched to a
// contestant by 证件号码 or, when that cell is empty or the column absent,
// by anonymous code; the score must be 0 to the module's maximum with at
// most four decimals, or 缺考. Any problem rejects the file.
func Scores(name string, data []byte, in ScoresInput) (ScoresPlan, []Problem, error) {
	mod, err := PickModule(in.Modules, in.Module)
	if err != nil {
		return ScoresPlan{}, nil, err
	}
	fields := append(append([]field(nil), scoreFields...), field{"module", []string{headerKey(mod.Name)}})
	t, err := readTable(name, data, fields, []string{"id|code", "score|module"})
	if err != nil {
		return ScoresPlan{}, nil, err
	}
	scoreField := "score"
	if t.col("score") < 0 {
		scoreField = "module"
	}
	byID, byCode := map[string]store.Contestant{}, map[string]store.Contestant{}
	for _, c := range in.Contestants {
		byID[c.IDNumber] = c
		if c.Code != nil {
			byCode[strings.ToUpper(*c.Code)] = c
		}
	}
	plan := ScoresPlan{Module: mod}
	lo := scoring.Decimal(0)
	if signedModule(in.Rules, mod.Code) {
		lo = -scoring.Decimal(mod.MaxMarks)
	}
	var ps []Problem
	seen := map[int64]int{}
	for _, r := range t.rows {
		var c store.Contestant
		var found bool
		id, code := roster.IDNumber(r.get(t.col("id"))), strings.ToUpper(roster.IDNumber(r.get(t.col("code"))))
		switch {
		case id != "" && r.numeric[t.col("id")]:
			ps = append(ps, t.problem(r, "id", "证件号码存成了数字，末几位已丢失：请把该列设为“文本”格式后重新输入"))
			continue
		case id != "":
			if c, found = byID[id]; !found {
				ps = append(ps, t.problem(r, "id", "证件号码 %s 不在本赛事名单中", id))
				continue
			}
			if c.Kind == store.KindMember {
				// A team entry has one result: its members hold none of their own.
				ps = append(ps, t.problem(r, "id", "%s 是团体赛项的队员，成绩按队伍录入：请改填其队伍的加密号", c.Name))
				continue
			}
			if n := roster.Name(r.get(t.col("name"))); n != "" && n != c.Name {
				ps = append(ps, t.problem(r, "name", "姓名 %s 与名单中该证件号码的姓名 %s 不符", n, c.Name))
				continue
			}
		case code != "":
			if c, found = byCode[code]; !found {
				ps = append(ps, t.problem(r, "code", "加密号 %s 不在本赛事中（尚未抽签，或号码有误）", code))
				continue
			}
		default:
			field := "id"
			if t.col("id") < 0 {
				field = "code"
			}
			ps = append(ps, t.problem(r, field, "缺少证件号码或加密号，无法确定是哪位选手"))
			continue
		}
		if prev, dup := seen[c.ID]; dup {
			field := "id"
			if id == "" {
				field = "code"
			}
			ps = append(ps, t.problem(r, field, "与第 %d 行是同一位选手：每人只能有一个成绩", prev))
			continue
		}
		seen[c.ID] = r.num
		raw := strings.TrimSpace(r.get(t.col(scoreField)))
		if raw == "" {
			ps = append(ps, t.problem(r, scoreField, "成绩为空：请填成绩；未参加考试的填“缺考”"))
			continue
		}
		if raw == AbsentCell {
			plan.Scores = append(plan.Scores, store.ImportedScore{ContestantID: c.ID, ModuleCode: mod.Code, Absent: true})
			continue
		}
		v, err := scoring.ParseDecimal(raw)
		if err != nil {
			ps = append(ps, t.problem(r, scoreField, "成绩 %q 不是最多 4 位小数的数字，也不是“缺考”", raw))
			continue
		}
		if v < lo || int64(v) > mod.MaxMarks {
			ps = append(ps, t.problem(r, scoreField, "成绩 %s 超出范围：应在 %s 到 %s 之间", raw, lo, scoring.Decimal(mod.MaxMarks)))
			continue
		}
		plan.Scores = append(plan.Scores, store.ImportedScore{ContestantID: c.ID, ModuleCode: mod.Code, Value: int64(v)})
	}
	if len(plan.Scores) == 0 && len(ps) == 0 {
		return plan, nil, skillscore.Errorf(skillscore.EInvalid, "文件 %s 的表头下没有成绩", name)
	}
	return plan, ps, nil
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
