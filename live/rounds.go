package live

import (
	"slices"

	"skillscore/results"
	"skillscore/scoring"
	"skillscore/store"
)

// RoundInfo names the round a board of an event with rounds shows: its
// current round (the open one), ranked on the round's standing over the
// round's modules, and the last of them with marks — the standings so far
// are after that unit.
type RoundInfo struct {
	Code  string `json:"code"`
	Name  string `json:"name"`
	After string `json:"after,omitempty"`
}

// currentRound is the index of the open round with the highest position (the
// first before any state is stored).
func currentRound(states []store.RoundState) int {
	cur := 0
	for i, s := range states {
		if s.Status == store.RoundOpen {
			cur = i
		}
	}
	return cur
}

// roundStandings is one audience's standings of the current round: its
// contestants in round order, each with a result cut down to the round's
// modules, its standing as total and rank, and the round's reasons.
func (c *computed) roundStandings(st *results.Standings, drafts map[int64]bool, sealed bool) (*standings, error) {
	res, err := results.Rounds(st)
	if err != nil {
		return nil, err
	}
	rr := res.Rounds[c.roundIdx]
	rd := st.Rules.Rounds[c.roundIdx]
	out := &standings{progress: Progress{}, round: &RoundInfo{Code: rr.Code, Name: rr.Name}}
	type pair struct {
		id     int64
		module string
	}
	marked := make(map[pair]bool)
	for _, m := range st.Snapshot.Marks {
		marked[pair{m.ContestantID, m.ModuleCode}] = true
	}
	for _, m := range st.Snapshot.Imported {
		marked[pair{m.ContestantID, m.ModuleCode}] = true
	}
	after := -1 // the last of the round's modules with a mark
	byID := make(map[string]*scoring.ContestantResult, len(st.Result.Contestants))
	for i := range st.Result.Contestants {
		byID[st.Result.Contestants[i].ID] = &st.Result.Contestants[i]
	}
	for _, x := range rr.Standings {
		p := st.Contestants[x.ID]
		r := *byID[x.ID]
		e := entry{ID: p.ID, Group: x.Group, Rank: x.Rank, Total: x.Score.Format(2), Complete: x.Complete, Draft: drafts[p.ID]}
		mods := make([]scoring.ModuleScore, 0, len(rd.Modules))
		for _, m := range r.Modules {
			if !slices.Contains(rd.Modules, m.Code) {
				continue
			}
			out.progress.Expected++
			if m.Complete {
				out.progress.Done++
			}
			score := ""
			if marked[pair{p.ID, m.Code}] {
				score = m.Score.Format(2)
				after = max(after, slices.Index(rd.Modules, m.Code))
			}
			e.Scores = append(e.Scores, score)
			mods = append(mods, m)
		}
		r.Modules, r.Total, r.TotalExact, r.Rank, r.SharedRank, r.Complete = mods, x.Score, "", x.Rank, x.Shared, x.Complete
		r.Award, r.AwardName, r.Promotion, r.Titles, r.Parts = "", "", nil, nil, nil
		// the core's total, rank and award are of the whole event, not the round's
		r.Reasons = slices.Clone(x.Reasons)
		if sealed {
			r = results.Redact(r, c.displayKey)
		}
		e.Detail = &r
		out.entries = append(out.entries, e)
	}
	if after >= 0 {
		for _, m := range st.Rules.Modules {
			if m.Code == rd.Modules[after] {
				out.round.After = m.Name
			}
		}
	}
	return out, nil
}

func sameRound(a, b *RoundInfo) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}
