// Package stats builds the organizer's statistics: per 设区市, occupation and
// level, the contestants of competitions, the candidates assessed, those who
// passed and the certificates issued, against the yearly targets per city
// and occupation. The web page and `skillscore stats` share it.
package stats

import (
	"context"
	"fmt"
	"sort"

	"skillscore/levels"
	"skillscore/results"
	"skillscore/store"
)

// Province is the row name of the whole-province totals (全省合计).
const Province = "全省"

// Cities are the 11 设区市 of Jiangxi in the order of the seed's annex 2.
func Cities() []string {
	return []string{"南昌", "九江", "宜春", "上饶", "抚州", "景德镇", "萍乡", "吉安", "新余", "鹰潭", "赣州"}
}

// Store is what a report reads.
type Store interface {
	StatCounts(ctx context.Context, year int) ([]store.StatCount, error)
	Targets(ctx context.Context, year int) ([]store.Target, error)
	Events(ctx context.Context) ([]store.Event, error)
	Snapshot(ctx context.Context, eventID int64) (store.Snapshot, error)
}

// Row is one city, occupation and level (0 = open) of a year.
type Row struct {
	City         string       `json:"city"`
	Occupation   string       `json:"occupation"`
	Level        levels.Level `json:"level"`
	Contestants  int          `json:"contestants"` // in competitions
	Assessed     int          `json:"assessed"`    // candidates of assessments
	Passed       int          `json:"passed"`
	Certificates int          `json:"certificates"`
}

// Progress is one city's achievement (contestants plus candidates
// assessed) against its target for one occupation.
type Progress struct {
	City       string `json:"city"`
	Occupation string `json:"occupation"`
	Achieved   int    `json:"achieved"`
	Target     int64  `json:"target"`
}

// Report is a year's statistics.
type Report struct {
	Year     int        `json:"year"`
	Rows     []Row      `json:"rows"`
	Progress []Progress `json:"progress"` // per occupation: the cities in annex order, then 全省
}

// Build reads the year's counts and targets; passes are computed from the
// scores of the year's assessments, since the rules decide who passes.
func Build(ctx context.Context, st Store, year int) (*Report, error) {
	counts, err := st.StatCounts(ctx, year)
	if err != nil {
		return nil, err
	}
	passed, err := passes(ctx, st, year)
	if err != nil {
		return nil, err
	}
	rows := map[rowKey]*Row{}
	for _, c := range counts {
		k := rowKey{c.City, c.Occupation, c.Level}
		r := rows[k]
		if r == nil {
			r = &Row{City: c.City, Occupation: c.Occupation, Level: c.Level}
			rows[k] = r
		}
		if c.Kind == "assessment" {
			r.Assessed += c.Contestants
		} else {
			r.Contestants += c.Contestants
		}
		r.Certificates += c.Certificates
	}
	for k, n := range passed {
		if r := rows[k]; r != nil {
			r.Passed += n
		}
	}
	rep := &Report{Year: year}
	for _, r := range rows {
		rep.Rows = append(rep.Rows, *r)
	}
	sort.Slice(rep.Rows, func(i, j int) bool {
		a, b := rep.Rows[i], rep.Rows[j]
		if a.City != b.City {
			return cityOrder(a.City) < cityOrder(b.City)
		}
		if a.Occupation != b.Occupation {
			return a.Occupation < b.Occupation
		}
		return levelFirst(a.Level, b.Level)
	})
	targets, err := st.Targets(ctx, year)
	if err != nil {
		return nil, err
	}
	rep.Progress = progress(rep.Rows, targets)
	return rep, nil
}

// levelFirst orders a report's levels: open events first, then from the
// highest level down (the order the codes 1 一级 … 5 五级 gave before the
// eight-level sequence, whose codes are no order).
func levelFirst(a, b levels.Level) bool {
	if (a == levels.None) != (b == levels.None) {
		return a == levels.None
	}
	return a.Above(b)
}

// rowKey is a report row's city, occupation and level.
type rowKey struct {
	city, occupation string
	level            levels.Level
}

// passes counts who passed the year's assessments per row.
func passes(ctx context.Context, st Store, year int) (map[rowKey]int, error) {
	evs, err := st.Events(ctx)
	if err != nil {
		return nil, err
	}
	out := map[rowKey]int{}
	for _, ev := range evs {
		if ev.Year != year || ev.Kind != "assessment" {
			continue
		}
		snap, err := st.Snapshot(ctx, ev.ID)
		if err != nil {
			return nil, err
		}
		res, err := results.Compute(snap)
		if err != nil {
			return nil, fmt.Errorf("stats: event %s: %w", ev.Code, err)
		}
		for _, c := range res.Result.Contestants {
			if c.Pass != nil && *c.Pass {
				out[rowKey{res.Contestants[c.ID].City, ev.Occupation, ev.Level}]++
			}
		}
	}
	return out, nil
}

// progress pairs achievements with targets for every occupation that has
// either, listing all 11 cities and the province total.
func progress(rows []Row, targets []store.Target) []Progress {
	type key struct{ city, occupation string }
	achieved := map[key]int{}
	target := map[key]int64{}
	occupations := map[string]bool{}
	for _, r := range rows {
		achieved[key{r.City, r.Occupation}] += r.Contestants + r.Assessed
		occupations[r.Occupation] = true
	}
	for _, t := range targets {
		target[key{t.City, t.Occupation}] = t.Target
		occupations[t.Occupation] = true
	}
	var occs []string
	for o := range occupations {
		occs = append(occs, o)
	}
	sort.Strings(occs)
	var out []Progress
	cities := Cities()
	for _, o := range occs {
		total := Progress{City: Province, Occupation: o}
		for _, c := range cities {
			p := Progress{City: c, Occupation: o, Achieved: achieved[key{c, o}], Target: target[key{c, o}]}
			total.Achieved += p.Achieved
			total.Target += p.Target
			out = append(out, p)
		}
		out = append(out, total)
	}
	return out
}

// cityOrder sorts the cities in annex order and anything else after them.
func cityOrder(c string) int {
	cities := Cities()
	for i, x := range cities {
		if x == c {
			return i
		}
	}
	return len(cities)
}
