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
	in, _ := Input(st.Snapshot)
	res, err := scoring.ComputeRounds(st.Rules, in, in.Advanced)
	if err != nil {
		return nil, skillscore.Wrap(skillscore.EConflict, err,
			fmt.Sprintf("赛事 %s 的轮次成绩无法计算：晋级名单与规则或名单不符", st.Snapshot.Event.Code))
	}
	return res, nil
}

// advanced is the confirmed advancement of each round of the snapshot, by
// the core's contestant keys; nil for an event without rounds.
func advanced(snap store.Snapshot) map[string][]string {
	if len(snap.Rounds) == 0 {
		return nil
	}
	confirmed := map[string][]string{}
	for code, ids := range store.ConfirmedAdvancement(snap.Rounds) {
		keys := make([]string, len(ids))
		for i, id := range ids {
			keys[i] = Key(id)
		}
		confirmed[code] = keys
	}
	return confirmed
}

// RoundEntrants maps each module of a later round to who takes part in that
// round (with their station of its draw); modules of the first round, and
// every module of an event without rounds, are absent: everyone takes part.
func RoundEntrants(st *Standings) map[string]map[int64]store.RoundEntry {
	out := map[string]map[int64]store.RoundEntry{}
	for i, rd := range st.Rules.Rounds {
		if i == 0 {
			continue
		}
		in := map[int64]store.RoundEntry{}
		for _, s := range st.Snapshot.Rounds {
			if s.Code == rd.Code {
				for _, e := range s.Entries {
					in[e.ContestantID] = e
				}
			}
		}
		for _, m := range rd.Modules {
			out[m] = in
		}
	}
	return out
}
