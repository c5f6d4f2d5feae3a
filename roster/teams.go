package roster

import (
	"fmt"
	"strconv"
	"strings"

	"skillscore/scoring"
	"skillscore/store"
)

// Reasons a row of a team event is rejected for its team as a whole.
const (
	TeamMissing    Reason = "team_missing"
	TeamSize       Reason = "team_size"
	TeamSplit      Reason = "team_split"
	TeamNotAllowed Reason = "team_not_allowed"
)

// TeamReasons lists the team reason codes with their meanings, in the order
// docs/roster.md documents them. They are whole-team checks, made after
// every row has its own verdict.
func TeamReasons() []ReasonInfo {
	return []ReasonInfo{
		{TeamMissing, "团体赛项的名单行没有填写队伍名称"},
		{TeamSize, "队伍人数不符合本赛项规则（如每队 2–3 人）"},
		{TeamSplit, "同一队伍的队员不在同一组别"},
		{TeamNotAllowed, "本赛项不是团体赛项，名单却填写了队伍名称"},
	}
}

// teamRows is one team of the file: its name and the indexes of its rows
// in the report's verdicts, in file order.
type teamRows struct {
	name string
	rows []int
}

// teamsOf groups the report's rows by team name in order of first
// appearance; rows without a team are left out.
func teamsOf(rep *Report) []teamRows {
	var out []teamRows
	at := map[string]int{}
	for i, v := range rep.Verdicts {
		name := v.Person.Team
		if name == "" {
			continue
		}
		j, ok := at[name]
		if !ok {
			j = len(out)
			at[name] = j
			out = append(out, teamRows{name: name})
		}
		out[j].rows = append(out[j].rows, i)
	}
	return out
}

// rowList names rows as the spreadsheet shows them: "第 3、4、7 行", each
// with its sheet when the file has several.
func rowList(rep *Report, idx []int) string {
	parts := make([]string, len(idx))
	for i, j := range idx {
		v := rep.Verdicts[j]
		parts[i] = strconv.Itoa(v.Row)
		if len(rep.Sheets) > 1 {
			parts[i] = sheetPrefix(v.Sheet) + "第 " + parts[i] + " 行"
		}
	}
	if len(rep.Sheets) > 1 {
		return strings.Join(parts, "、")
	}
	return "第 " + strings.Join(parts, "、") + " 行"
}

// checkTeams adds the team problems to the rows they concern and recounts
// the report: under a team rule every row names its team, each team has an
// allowed size and all its members are in one group; without one, no row
// may name a team.
func checkTeams(rep *Report, rule *scoring.TeamRule, groups []store.Group) {
	add := func(i int, reason Reason, msg string) {
		v := &rep.Verdicts[i]
		col, header := teamColumn(rep, v.Sheet)
		v.Problems = append(v.Problems, Problem{Reason: reason, Message: msg, Column: col, Header: header})
	}
	teams := teamsOf(rep)
	if rule == nil {
		for _, t := range teams {
			for _, i := range t.rows {
				add(i, TeamNotAllowed, fmt.Sprintf("本赛项是个人赛项（规则中没有 team），此行却填写了队伍“%s”：请删除“队伍名称”列，或先在规则中写明每队人数", t.name))
			}
		}
	} else {
		rep.TeamCount = len(teams)
		for i, v := range rep.Verdicts {
			if v.Person.Team == "" {
				add(i, TeamMissing, "队伍名称为空：本赛项是团体赛项（每队 "+rule.Size()+"），请填写此人所在队伍的名称")
			}
		}
		for _, t := range teams {
			if n := len(t.rows); n < rule.Min || n > rule.Max {
				msg := fmt.Sprintf("队伍“%s”有 %d 名队员（%s），本赛项每队须为 %s：请核对队员或队伍名称", t.name, n, rowList(rep, t.rows), rule.Size())
				for _, i := range t.rows {
					add(i, TeamSize, msg)
				}
			}
			byGroup := map[string][]int{}
			var order []string
			for _, i := range t.rows {
				g := rep.Verdicts[i].Person.Group
				if _, ok := byGroup[g]; !ok {
					order = append(order, g)
				}
				byGroup[g] = append(byGroup[g], i)
			}
			if len(order) > 1 {
				var parts []string
				for _, g := range order {
					parts = append(parts, rowList(rep, byGroup[g])+"为“"+groupName(groups, g)+"”")
				}
				msg := fmt.Sprintf("队伍“%s”的队员不在同一组别（%s）：同一队伍的队员须在同一组别", t.name, strings.Join(parts, "，"))
				for _, i := range t.rows {
					add(i, TeamSplit, msg)
				}
			}
		}
	}
	rep.Accepted, rep.Rejected = 0, 0
	for i := range rep.Verdicts {
		v := &rep.Verdicts[i]
		v.Accepted = len(v.Problems) == 0
		if v.Accepted {
			rep.Accepted++
		} else {
			rep.Rejected++
		}
	}
}

func groupName(groups []store.Group, code string) string {
	for _, g := range groups {
		if g.Code == code {
			return g.Name
		}
	}
	return code
}

// teamColumn returns the team column's letter and header in a sheet.
func teamColumn(rep *Report, sheet string) (col, header string) {
	for _, sh := range rep.Sheets {
		for _, c := range sh.Columns {
			if sh.Name == sheet && c.Field == string(fTeam) {
				return c.Column, c.Header
			}
		}
	}
	return "", ""
}

// Teams turns the accepted rows of a team event into team entries, in
// order of each team's first row; call it only on a report with no
// rejected rows.
func (r *Report) Teams() []store.Team {
	cs := r.Contestants()
	var out []store.Team
	k := 0
	byRow := make([]int, len(r.Verdicts))
	for i, v := range r.Verdicts {
		byRow[i] = -1
		if v.Accepted {
			byRow[i] = k
			k++
		}
	}
	for _, t := range teamsOf(r) {
		team := store.Team{Name: t.name}
		for _, i := range t.rows {
			if byRow[i] < 0 {
				continue
			}
			team.Members = append(team.Members, cs[byRow[i]])
		}
		if len(team.Members) == 0 {
			continue
		}
		team.GroupCode, team.DelegationID = team.Members[0].GroupCode, team.Members[0].DelegationID
		out = append(out, team)
	}
	return out
}
