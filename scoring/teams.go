package scoring

import (
	"fmt"
	"strconv"
)

// TeamRule makes an event's entries teams (团体赛项): each entry is a team of
// Min..Max contestants scored and ranked as one, with one result. Its members
// are not scored themselves; each is promoted by its own level (see
// MemberPromotions).
type TeamRule struct {
	Min int `json:"min"`
	Max int `json:"max"`
}

// TeamMaxSize bounds a team: the roster sheet and certificates are laid out
// for a handful of members, and no 康养 team skill has more.
const TeamMaxSize = 6

// problems checks a team rule; a nil rule (individual entries) has none.
func (t *TeamRule) problems() []Problem {
	if t == nil {
		return nil
	}
	v := &validator{}
	if t.Min < 2 {
		v.add("team.min", "队伍人数下限须 ≥ 2，得到 %d", "team.min must be >= 2, got %d", t.Min)
	}
	if t.Max < t.Min {
		v.add("team.max", "队伍人数上限 %d 小于下限 %d", "team.max %d is below team.min %d", t.Max, t.Min)
	}
	if t.Max > TeamMaxSize {
		v.add("team.max", "队伍人数上限须 ≤ %d，得到 %d", "team.max must be <= %d, got %d", TeamMaxSize, t.Max)
	}
	return v.probs
}

// Size describes the allowed team size in Chinese: "2 人" or "2–3 人".
func (t *TeamRule) Size() string {
	if t.Min == t.Max {
		return strconv.Itoa(t.Min) + " 人"
	}
	return strconv.Itoa(t.Min) + "–" + strconv.Itoa(t.Max) + " 人"
}

// MemberPromotions decides the promotion of each member of a team entry:
// entry is the entry as given to Compute under r for the year, result its
// result there (rank, award, group, pass, disqualification). Each member is
// the entry with the member's own ID, current level, last promotion year
// and target level (whatever else the entry carries, the members share),
// judged exactly as an individual with the entry's result would be: the
// same promotion table line, the same reasons. Each returned result carries
// the member's ID, the entry's rank, award, titles and pass, and the
// member's Promotion and promotion reasons.
func MemberPromotions(r *Rules, year int, entry Contestant, result ContestantResult, members []Contestant) ([]ContestantResult, error) {
	e, err := newEngine(r, year)
	if err != nil {
		return nil, err
	}
	group := 0
	if len(r.Groups) > 0 {
		g, ok := e.c.groups[result.Group]
		if !ok {
			return nil, &InputError{Kind: "contestant", Index: -1, Message: fmt.Sprintf("队伍 %s 的组别 %q 不在规则中", result.ID, result.Group),
				English: fmt.Sprintf("team %s: unknown group %q", result.ID, result.Group)}
		}
		group = g
	}
	award := -1
	if result.Award != "" {
		a, ok := e.c.awardBands[result.Award]
		if !ok {
			return nil, &InputError{Kind: "contestant", Index: -1, Message: fmt.Sprintf("队伍 %s 的奖项 %q 不在规则中", result.ID, result.Award),
				English: fmt.Sprintf("team %s: unknown award %q", result.ID, result.Award)}
		}
		award = a
	}
	out := make([]ContestantResult, len(members))
	for i, m := range members {
		c := entry
		c.ID, c.Level, c.LastPromotionYear, c.TargetLevel = m.ID, m.Level, m.LastPromotionYear, m.TargetLevel
		cs := &cstate{c: c, group: group, rank: result.Rank, shared: result.SharedRank, award: award, disq: result.Disqualified}
		x := ContestantResult{ID: m.ID, Group: result.Group, GroupName: result.GroupName, Rank: result.Rank, SharedRank: result.SharedRank,
			Award: result.Award, AwardName: result.AwardName, Titles: result.Titles, Pass: result.Pass, Disqualified: result.Disqualified,
			Total: result.Total, Complete: result.Complete}
		erank := result.Rank
		if result.EligibleRank != 0 {
			erank = result.EligibleRank
		}
		e.promote(cs, &x, erank)
		out[i] = x
	}
	return out, nil
}
