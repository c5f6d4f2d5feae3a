package results

import (
	"fmt"
	"strings"

	"skillscore"
	"skillscore/scoring"
	"skillscore/store"
)

// Member is one member of a team entry with its own result: the entry's
// rank and award, and the promotion its own level earns.
type Member struct {
	Row    store.Contestant
	Result scoring.ContestantResult
}

// membersReason replaces a team entry's own promotion verdict: the entry
// has no level, each member is promoted by its own.
const membersReason = "团体赛项：晋升按每名队员本人的现等级分别认定"

// entry is the scoring core's contestant of a key, as Input made it.
func (st *Standings) entry(key string) scoring.Contestant {
	in, _ := Input(store.Snapshot{Contestants: []store.Contestant{st.Contestants[key]}})
	return in.Contestants[0]
}

// teams fills Members from the snapshot's members and the entries' results
// and takes the promotion off each team entry, whose level is nobody's.
func (st *Standings) teams(year int) error {
	if len(st.Snapshot.Members) == 0 {
		return nil
	}
	byTeam := map[int64][]store.Contestant{}
	for _, m := range st.Snapshot.Members {
		if m.TeamID != nil {
			byTeam[*m.TeamID] = append(byTeam[*m.TeamID], m)
		}
	}
	st.Members = make(map[string][]Member, len(byTeam))
	for i := range st.Result.Contestants {
		x := &st.Result.Contestants[i]
		row, ok := st.Contestants[x.ID]
		if !ok || row.Kind != store.KindTeam {
			continue
		}
		rows := byTeam[row.ID]
		in := make([]scoring.Contestant, len(rows))
		for j, m := range rows {
			in[j] = scoring.Contestant{ID: Key(m.ID), Group: m.GroupCode, Level: m.Level, LastPromotionYear: m.LastPromotionYear}
		}
		rs, err := scoring.MemberPromotions(st.Rules, year, st.entry(x.ID), *x, in)
		if err != nil {
			return skillscore.Wrap(skillscore.EConflict, err, fmt.Sprintf("队伍 %s 的队员晋升无法认定", row.Name))
		}
		ms := make([]Member, len(rows))
		for j := range rows {
			ms[j] = Member{Row: rows[j], Result: rs[j]}
		}
		st.Members[x.ID] = ms
		if st.Rules.Promotion != nil {
			x.Promotion = nil
			kept := x.Reasons[:0:0]
			for _, r := range x.Reasons {
				if !strings.HasPrefix(r.Code, "promotion.") {
					kept = append(kept, r)
				}
			}
			x.Reasons = append(kept, scoring.Reason{Code: "promotion.members", Text: membersReason})
		}
	}
	return nil
}
