package scoring

import (
	"cmp"
	"slices"
)

// UnitStanding is a contestant's running total and rank after one unit
// (a dive, a round, a module): the standings as they stood then.
type UnitStanding struct {
	Unit  string  `json:"unit"`
	Total Decimal `json:"total"` // Σ contributions of the modules so far, rounded as the total
	// Rank within the group by that running total; equal totals share a rank
	// (tie-breaks settle only the final ranking, which the last unit shows).
	// 0: unranked (assessment, or disqualified by a veto in a unit so far).
	Rank   int  `json:"rank,omitempty"`
	Shared bool `json:"shared,omitempty"`
}

// progress fills each contestant's running totals when the rules ask for
// them. The last unit is the final result: its total and rank are the
// contestant's own.
func (e *engine) progress(lists [][]*cstate, xs []ContestantResult) {
	units := e.c.units
	if len(units) == 0 {
		return
	}
	tr := e.r.Total.Rounding
	type row struct {
		cs    *cstate
		total Decimal
		disq  bool
	}
	for _, l := range lists {
		cum := make([]rat, len(l))
		for i := range cum {
			cum[i] = ratZero
		}
		rows := make([]row, len(l))
		mi := 0
		for u := range units {
			for ; mi < len(e.c.mods) && e.c.modUnit[mi] == u; mi++ {
				for i, cs := range l {
					cum[i] = cum[i].add(cs.mods[mi].contrib)
				}
			}
			last := u == len(units)-1
			for i, cs := range l {
				disq := cs.disq && e.c.modUnit[e.c.aspects[cs.disqBy].mod] <= u
				rows[i] = row{cs: cs, total: cum[i].mustRound(tr.Places, tr.Mode), disq: disq}
			}
			if !last {
				slices.SortStableFunc(rows, func(a, b row) int {
					if a.disq != b.disq {
						if a.disq {
							return 1
						}
						return -1
					}
					return cmp.Compare(b.total, a.total)
				})
			}
			for k, r := range rows {
				us := UnitStanding{Unit: units[u], Total: r.total}
				switch {
				case last:
					us.Total, us.Rank, us.Shared = r.cs.total, r.cs.rank, r.cs.shared
				case r.disq || e.r.Kind != Competition:
				default:
					us.Rank = k + 1
					if k > 0 && !rows[k-1].disq && rows[k-1].total == r.total {
						p := &xs[rows[k-1].cs.idx].Progress[u]
						us.Rank, us.Shared, p.Shared = p.Rank, true, true
					}
				}
				x := &xs[r.cs.idx]
				if x.Progress == nil {
					x.Progress = make([]UnitStanding, 0, len(units))
				}
				x.Progress = append(x.Progress, us)
			}
		}
	}
}

// result is finish plus the running totals.
func (e *engine) result(states []*cstate, xs []ContestantResult, lists [][]*cstate) *Result {
	e.progress(lists, xs)
	res := e.finish(states, xs, lists)
	res.Units = e.c.units
	return res
}
