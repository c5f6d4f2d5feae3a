package scoring

import (
	"cmp"
	"slices"
)

// Standings keeps per-contestant aggregates so that one new or corrected
// mark updates the ranking without a full recompute: the contestant's
// modules are rescored, the contestant is moved within its group by binary
// search, and ranks are renumbered in one pass over that group. It is not
// safe for concurrent use; the live hub owns one per event.
type Standings struct {
	e      *engine
	states []*cstate
	ids    map[string]int
	lists  [][]*cstate
}

// Standing is one leaderboard row.
type Standing struct {
	ID           string  `json:"id"`
	Group        string  `json:"group"`
	Total        Decimal `json:"total"`
	Rank         int     `json:"rank"`
	Shared       bool    `json:"shared,omitempty"`
	Complete     bool    `json:"complete"`
	Disqualified bool    `json:"disqualified,omitempty"`
	Award        string  `json:"award,omitempty"`
	AwardName    string  `json:"award_name,omitempty"`
}

// NewStandings builds the standings from the marks so far.
func NewStandings(r *Rules, in Input) (s *Standings, err error) {
	defer catchOverflow(&err)
	e, err := newEngine(r, in.Year)
	if err != nil {
		return nil, err
	}
	states, ids, err := e.load(&in)
	if err != nil {
		return nil, err
	}
	for _, cs := range states {
		e.score(cs, nil)
	}
	return &Standings{e: e, states: states, ids: ids, lists: e.rank(states)}, nil
}

// Apply adds a mark, or replaces the same judge's earlier mark for the same
// contestant, module and aspect (a correction), and updates the ranking.
func (s *Standings) Apply(m Mark) (err error) {
	defer catchOverflow(&err)
	e := s.e
	ci, ok := s.ids[m.Contestant]
	if !ok {
		return markErr(-1, "未知选手 %q", "unknown contestant %q", m.Contestant)
	}
	slot, err := e.slotOf(-1, &m)
	if err != nil {
		return err
	}
	cs := s.states[ci]
	jm := jmark{judge: e.judge(m.Judge), v: m.Value, mult: m.Multiplier}
	pos, err := e.checkSlot(-1, cs, slot, jm, &m, true)
	if err != nil {
		return err
	}
	if pos >= 0 {
		cs.marks[slot][pos] = jm
	} else {
		cs.marks[slot] = append(cs.marks[slot], jm)
	}
	e.score(cs, nil)
	s.reposition(cs)
	return nil
}

func (s *Standings) reposition(cs *cstate) {
	e := s.e
	l := s.lists[cs.group]
	l = slices.Delete(l, cs.pos, cs.pos+1)
	i, _ := slices.BinarySearchFunc(l, cs, func(a, b *cstate) int {
		if c, _ := e.compareRank(a, b); c != 0 {
			return c
		}
		return cmp.Compare(a.c.ID, b.c.ID)
	})
	l = slices.Insert(l, i, cs)
	s.lists[cs.group] = l
	e.assignRanks(l)
}

// Rows returns the leaderboard, by group then rank, with provisional awards.
func (s *Standings) Rows() []Standing {
	out := make([]Standing, 0, len(s.states))
	for gi, l := range s.lists {
		s.e.awards(l, nil)
		g := ""
		if len(s.e.r.Groups) > 0 {
			g = s.e.r.Groups[gi].Code
		}
		for _, cs := range l {
			st := Standing{ID: cs.c.ID, Group: g, Total: cs.total, Rank: cs.rank, Shared: cs.shared, Complete: cs.complete, Disqualified: cs.disq}
			if cs.award >= 0 {
				b := s.e.r.Awards.Bands[cs.award]
				st.Award, st.AwardName = b.Code, b.Name
			}
			out = append(out, st)
		}
	}
	return out
}

// Result is the full explained result of the current marks, as Compute
// would give it.
func (s *Standings) Result() (res *Result, err error) {
	defer catchOverflow(&err)
	xs := make([]ContestantResult, len(s.states))
	for i, cs := range s.states {
		s.e.score(cs, &xs[i])
	}
	for _, l := range s.lists {
		s.e.assignRanks(l)
	}
	return s.e.result(s.states, xs, s.lists), nil
}
