package imports

import (
	"fmt"
	"regexp"
	"strings"

	"skillscore"
	"skillscore/roster"
	"skillscore/store"
)

// JudgesInput is what a judges file is checked against.
type JudgesInput struct {
	Modules []store.Module
	Judges  []store.Judge // already in the event
	Panels  []store.PanelMember
}

var judgeFields = []field{
	{"name", []string{"姓名"}},
	{"org", []string{"单位", "工作单位"}},
	{"city", []string{"设区市", "地市", "市"}},
	{"module", []string{"模块", "裁判组", "考评组", "评分模块", "赛项模块"}},
	{"chief", []string{"裁判长", "是否裁判长", "考评组长", "是否考评组长"}},
	{"code", []string{"编号", "裁判编号", "考评员编号"}},
}

var judgeCodeRE = regexp.MustCompile(`^[A-Z0-9-]{1,32}$`)

// Judges reads and checks a judges .xlsx (姓名, 单位, 设区市, 模块, 裁判长
// 是/否, optional 编号): each row becomes a judge on one or more judged
// modules (several separated by 、，,；;). A missing 编号 is given the next
// free J01-style code. Any problem rejects the file.
func Judges(name string, data []byte, in JudgesInput) ([]store.NewJudge, []Problem, error) {
	t, err := readTable(name, data, judgeFields, []string{"name", "module"})
	if err != nil {
		return nil, nil, err
	}
	mods := map[string]store.Module{}
	for _, m := range in.Modules {
		if !m.Imported {
			mods[m.Code], mods[headerKey(m.Name)] = m, m
		}
	}
	used, people := map[string]bool{}, map[string]int{}
	for _, j := range in.Judges {
		used[j.Code] = true
		people[j.Name+"|"+j.Organization] = 0
	}
	chief := map[int64]int{}
	for _, p := range in.Panels {
		if p.Chief {
			chief[p.ModuleID] = 0
		}
	}
	var out []store.NewJudge
	var ps []Problem
	for _, r := range t.rows {
		bad := len(ps)
		nj := store.NewJudge{Row: r.num, Judge: store.Judge{Name: roster.Name(r.get(t.col("name"))),
			Organization: roster.Text(r.get(t.col("org")))}}
		j := &nj.Judge
		if j.Name == "" {
			ps = append(ps, t.problem(r, "name", "姓名为空"))
		} else if prev, dup := people[j.Name+"|"+j.Organization]; dup {
			if prev == 0 {
				ps = append(ps, t.problem(r, "name", "%s（%s）已是本赛事的裁判", j.Name, j.Organization))
			} else {
				ps = append(ps, t.problem(r, "name", "与第 %d 行重复", prev))
			}
		} else {
			people[j.Name+"|"+j.Organization] = r.num
		}
		if raw := r.get(t.col("city")); raw != "" {
			city, ok := roster.City(raw)
			if !ok {
				ps = append(ps, t.problem(r, "city", "设区市 %q 不是江西省的 11 个设区市之一", raw))
			}
			j.City = city
		}
		isChief, ok := yesNo(r.get(t.col("chief")))
		if !ok {
			ps = append(ps, t.problem(r, "chief", "裁判长一栏应填“是”或“否”，现为 %q", r.get(t.col("chief"))))
		}
		names := moduleNames(r.get(t.col("module")), mods)
		if len(names) == 0 {
			ps = append(ps, t.problem(r, "module", "模块为空：请填写裁判所在的评分模块"))
		}
		if isChief && len(names) > 1 {
			ps = append(ps, t.problem(r, "module", "裁判长只能负责一个模块，现填了 %d 个", len(names)))
			isChief = false // the row is rejected; it must not claim the chief's place for later rows
		}
		for _, n := range names {
			m, ok := mods[headerKey(n)]
			if !ok {
				ps = append(ps, t.problem(r, "module", "模块 %q 不是本赛事由裁判评分的模块", n))
				continue
			}
			if isChief {
				if prev, has := chief[m.ID]; has {
					where := "本赛事已有"
					if prev > 0 {
						where = fmt.Sprintf("第 %d 行已是", prev)
					}
					ps = append(ps, t.problem(r, "chief", "模块 %s %s裁判长，每个模块只能有一位", m.Name, where))
					continue
				}
				chief[m.ID] = r.num
			}
			nj.Panels = append(nj.Panels, store.PanelMember{ModuleID: m.ID, Chief: isChief})
		}
		if code := strings.ToUpper(roster.IDNumber(r.get(t.col("code")))); code != "" {
			switch {
			case !judgeCodeRE.MatchString(code):
				ps = append(ps, t.problem(r, "code", "裁判编号 %q 只能由字母、数字和连字符组成", code))
			case used[code]:
				ps = append(ps, t.problem(r, "code", "裁判编号 %s 已被使用", code))
			default:
				j.Code, used[code] = code, true
			}
		}
		if len(ps) == bad {
			out = append(out, nj)
		}
	}
	if len(ps) > 0 {
		return nil, ps, nil
	}
	if len(out) == 0 {
		return nil, nil, skillscore.Errorf(skillscore.EInvalid, "文件 %s 的表头下没有裁判", name)
	}
	next := 1
	for i := range out {
		if out[i].Judge.Code != "" {
			continue
		}
		for used[fmt.Sprintf("J%02d", next)] {
			next++
		}
		out[i].Judge.Code = "J" + fmt.Sprintf("%02d", next)
		used[out[i].Judge.Code] = true
	}
	return out, nil, nil
}

// moduleNames splits a 模块 cell into module names. Names hold spaces
// ("实操A 生活照护", as the page lists them), so a space separates only
// when the pieces it makes are all known modules ("A B C").
func moduleNames(cell string, mods map[string]store.Module) []string {
	var out []string
	for _, n := range strings.FieldsFunc(cell, func(c rune) bool { return strings.ContainsRune("、，,；;/", c) }) {
		if n = strings.TrimSpace(n); n == "" {
			continue
		}
		if _, ok := mods[headerKey(n)]; ok {
			out = append(out, n)
			continue
		}
		parts := strings.Fields(strings.ReplaceAll(n, "\u3000", " "))
		all := len(parts) > 1
		for _, p := range parts {
			if _, ok := mods[headerKey(p)]; !ok {
				all = false
			}
		}
		if all {
			out = append(out, parts...)
		} else {
			out = append(out, n)
		}
	}
	return out
}

func yesNo(s string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "是", "y", "yes", "1", "√", "✓", "true", "裁判长", "考评组长":
		return true, true
	case "", "否", "n", "no", "0", "×", "false":
		return false, true
	}
	return false, false
}
