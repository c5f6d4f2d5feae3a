package results

import (
	"fmt"

	"skillscore"
	"skillscore/scoring"
	"skillscore/store"
)

// Rounds computes an event's rounds (scoring.ComputeRounds) with the
// confirmed advancement of its snapshot; nil when its rules have no rounds.
func Rounds(st *Standings) (*scoring.RoundsResult, error) {
	if len(st.Rules.Rounds) == 0 {
		return nil, nil
	}
	confirmed := map[string][]string{}
	for code, ids := range store.ConfirmedAdvancement(st.Snapshot.Rounds) {
		keys := make([]string, len(ids))
		for i, id := range ids {
			keys[i] = Key(id)
		}
		confirmed[code] = keys
	}
	in, _ := Input(st.Snapshot)
	res, err := scoring.ComputeRounds(st.Rules, in, confirmed)
	if err != nil {
		return nil, skillscore.Wrap(skillscore.EConflict, err,
			fmt.Sprintf("赛事 %s 的轮次成绩无法计算：晋级名单与规则或名单不符", st.Snapshot.Event.Code))
	}
	return res, nil
}
