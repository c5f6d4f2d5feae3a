// Package retakes is 核对补考: for the 补考 candidates of an assessment
// batch it finds their earlier results of the same occupation and level
// (the store looks them up by the keyed 证件号码 index, never the number),
// decides which passed parts still carry — within the validity period
// counted from the batch where each part was passed — and records them,
// naming every candidate for whom nothing carries and why.
//
// The rules live here, not in the store: the store finds rows, the scoring
// core gives each earlier candidate's verdicts, and this package weighs them.
package retakes

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"skillscore/results"
	"skillscore/scoring"
	"skillscore/store"
)

// Store is what 核对补考 needs of the database.
type Store interface {
	RetakeLookup(ctx context.Context, eventID int64) (store.RetakeLookup, error)
	Snapshot(ctx context.Context, eventID int64) (store.Snapshot, error)
	SaveCarriedParts(ctx context.Context, eventID int64, parts []store.CarriedPart, refused []store.RetakeRefusal, actor string) error
}

// Candidate is one 补考 candidate's outcome.
type Candidate struct {
	ContestantID int64
	Name         string
	Organization string
	Carried      []store.CarriedPart // the parts that carry, in part order
	Notes        []string            // what was found and not carried, and why
	Refused      string              // nothing carries: why ("" when something does)
}

// Report is the outcome of 核对补考 for a batch: every 补考 candidate, in
// roster order.
type Report struct {
	Event      store.Event
	Batch      store.Batch
	Candidates []Candidate
}

// Found are the candidates with at least one carried part.
func (r Report) Found() []Candidate {
	return slices.DeleteFunc(slices.Clone(r.Candidates), func(c Candidate) bool { return c.Refused != "" })
}

// Refused are the candidates for whom nothing carries.
func (r Report) Refused() []Candidate {
	return slices.DeleteFunc(slices.Clone(r.Candidates), func(c Candidate) bool { return c.Refused == "" })
}

// Parts returns every carried part of the report.
func (r Report) Parts() []store.CarriedPart {
	var out []store.CarriedPart
	for _, c := range r.Candidates {
		out = append(out, c.Carried...)
	}
	return out
}

// partOrder is the order parts are listed in.
var partOrder = []string{scoring.PartTheory, scoring.PartPractical, scoring.PartReview, scoring.PartOther}

// PartName is a part's name on the page: 理论知识, 操作技能, 综合评审.
func PartName(part string) string {
	switch part {
	case scoring.PartTheory:
		return "理论知识"
	case scoring.PartPractical:
		return "操作技能"
	case scoring.PartReview:
		return "综合评审"
	}
	return "其他"
}

// Check works out what carries for each 补考 candidate of the batch,
// without recording anything.
func Check(ctx context.Context, st Store, eventID int64) (Report, error) {
	lk, err := st.RetakeLookup(ctx, eventID)
	if err != nil {
		return Report{}, err
	}
	cur, err := st.Snapshot(ctx, eventID)
	if err != nil {
		return Report{}, err
	}
	rep := Report{Event: lk.Event, Batch: lk.Batch}
	// The parts this batch assesses, and who has a score here already (a
	// part sat here counts as sat; an earlier pass never overrides it).
	kind := map[string]string{}
	present := map[string]bool{}
	for _, m := range cur.Modules {
		kind[m.Code] = m.Kind
		present[m.Kind] = true
	}
	scored := map[[2]any]bool{}
	for _, m := range cur.Marks {
		scored[[2]any{m.ContestantID, kind[m.ModuleCode]}] = true
	}
	for _, s := range cur.Imported {
		if !s.Absent {
			scored[[2]any{s.ContestantID, kind[s.ModuleCode]}] = true
		}
	}
	attempts := map[int64][]store.EarlierAttempt{}
	for _, a := range lk.Attempts {
		attempts[a.ContestantID] = append(attempts[a.ContestantID], a)
	}
	earlier := &earlierResults{st: st, got: map[int64]*results.Standings{}, failed: map[int64]error{}}
	for _, c := range lk.Candidates {
		out := Candidate{ContestantID: c.ID, Name: c.Name, Organization: c.Organization}
		best := map[string]store.CarriedPart{}
		for _, a := range attempts[c.ID] {
			batch := a.BatchNo + " 批次（" + a.Date + "）"
			switch {
			case a.EarlierName != c.Name:
				// The 证件号码 matches but the name does not: a typo in one
				// roster or another person's number; never guess.
				out.Notes = append(out.Notes, batch+"有证件号码相同但姓名不同的考生，不予沿用，请核实")
				continue
			case !a.Final:
				out.Notes = append(out.Notes, batch+"成绩尚未确认，不能沿用")
				continue
			}
			sd, err := earlier.of(ctx, a.EventID)
			if err != nil {
				out.Notes = append(out.Notes, batch+"成绩无法计算："+err.Error())
				continue
			}
			x := find(sd, a.EarlierID)
			if x == nil {
				continue
			}
			for _, part := range passedParts(x) {
				if !present[part] {
					continue // this batch does not assess it
				}
				if _, ok := best[part]; ok {
					continue // a newer batch gives it already
				}
				cp, ok := carriedFrom(sd, a, x, part)
				if !ok {
					continue
				}
				cp.ContestantID = c.ID
				switch {
				case lk.Event.StartsOn > cp.ValidUntil:
					out.Notes = append(out.Notes, PartName(part)+"："+cp.SourceBatchNo+" 批次（"+cp.SourceDate+"）合格，补考有效期至 "+cp.ValidUntil+"，已过期")
				case scored[[2]any{c.ID, part}]:
					out.Notes = append(out.Notes, PartName(part)+"："+cp.SourceBatchNo+" 批次合格，但本批次已有该部分成绩，按本批次成绩计")
				default:
					best[part] = cp
				}
			}
		}
		for _, p := range partOrder {
			if cp, ok := best[p]; ok {
				out.Carried = append(out.Carried, cp)
			}
		}
		switch n := len(attempts[c.ID]); {
		case n == 0:
			out.Refused = "未找到本职业（" + lk.Event.Occupation + "）、本等级的以往认定成绩（按证件号码查找）"
		case len(out.Carried) == 0 && len(out.Notes) > 0:
			out.Refused = strings.Join(out.Notes, "；")
		case len(out.Carried) == 0:
			out.Refused = "以往认定中没有合格的部分，无可沿用"
		case len(out.Carried) == countTrue(present):
			out.Refused = "以往认定中各部分均已合格，无需补考"
			out.Carried = nil
		}
		rep.Candidates = append(rep.Candidates, out)
	}
	return rep, nil
}

// Apply runs Check and records its outcome: the carried parts replace the
// batch's, and the audit names who was refused and why.
func Apply(ctx context.Context, st Store, eventID int64, actor string) (Report, error) {
	rep, err := Check(ctx, st, eventID)
	if err != nil {
		return Report{}, err
	}
	var refused []store.RetakeRefusal
	for _, c := range rep.Refused() {
		refused = append(refused, store.RetakeRefusal{ContestantID: c.ContestantID, Reason: c.Refused})
	}
	if err := st.SaveCarriedParts(ctx, eventID, rep.Parts(), refused, actor); err != nil {
		return Report{}, err
	}
	return rep, nil
}

func countTrue(m map[string]bool) int {
	n := 0
	for _, v := range m {
		if v {
			n++
		}
	}
	return n
}

// earlierResults computes each earlier batch's results once.
type earlierResults struct {
	st     Store
	got    map[int64]*results.Standings
	failed map[int64]error
}

func (e *earlierResults) of(ctx context.Context, eventID int64) (*results.Standings, error) {
	if sd, ok := e.got[eventID]; ok {
		return sd, nil
	}
	if err, ok := e.failed[eventID]; ok {
		return nil, err
	}
	snap, err := e.st.Snapshot(ctx, eventID)
	if err == nil {
		var sd *results.Standings
		if sd, err = results.Compute(results.WithoutDrafts(snap)); err == nil {
			e.got[eventID] = sd
			return sd, nil
		}
	}
	e.failed[eventID] = err
	return nil, err
}

func find(sd *results.Standings, contestantID int64) *scoring.ContestantResult {
	key := results.Key(contestantID)
	for i := range sd.Result.Contestants {
		if sd.Result.Contestants[i].ID == key {
			return &sd.Result.Contestants[i]
		}
	}
	return nil
}

// passedParts are the parts every verdict of which passed (a carried one
// included), in part order.
func passedParts(x *scoring.ContestantResult) []string {
	passed := map[string]bool{}
	for _, v := range x.Verdicts {
		if ok, seen := passed[v.Part]; seen && !ok {
			continue
		}
		passed[v.Part] = v.Passed() && !v.Pending
	}
	var out []string
	for _, p := range partOrder {
		if passed[p] {
			out = append(out, p)
		}
	}
	return out
}

// carriedFrom is the carried part for part as the earlier batch a gives it:
// passed there (its part score, validity from its date), or itself carried
// there from a batch before (kept as it was, validity unchanged).
func carriedFrom(sd *results.Standings, a store.EarlierAttempt, x *scoring.ContestantResult, part string) (store.CarriedPart, bool) {
	for _, cp := range sd.Snapshot.Carried {
		if cp.ContestantID == a.EarlierID && cp.Part == part {
			return store.CarriedPart{Part: part, Score: cp.Score, SourceEventID: cp.SourceEventID, SourceEvent: cp.SourceEvent,
				SourceBatchNo: cp.SourceBatchNo, SourceDate: cp.SourceDate, ValidUntil: cp.ValidUntil}, true
		}
	}
	for _, p := range x.Parts {
		if p.Part == part {
			if p.Score < 0 || p.Score > scoring.Points(100) {
				return store.CarriedPart{}, false // not on a 100-point scale: nothing to carry
			}
			until, err := AddMonths(a.Date, a.RetakeMonths)
			if err != nil {
				return store.CarriedPart{}, false
			}
			return store.CarriedPart{Part: part, Score: int64(p.Score), SourceEventID: a.EventID, SourceEvent: a.EventCode,
				SourceBatchNo: a.BatchNo, SourceDate: a.Date, ValidUntil: until}, true
		}
	}
	return store.CarriedPart{}, false
}

// AddMonths is the last day of a validity period of months counted from
// day (YYYY-MM-DD): the same day of the month that many months later, or
// that month's last day when it is shorter (2026-01-31 + 1 = 2026-02-28).
func AddMonths(day string, months int) (string, error) {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return "", fmt.Errorf("date %q: %w", day, err)
	}
	first := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, months, 0)
	last := first.AddDate(0, 1, -1).Day()
	return time.Date(first.Year(), first.Month(), min(t.Day(), last), 0, 0, 0, 0, time.UTC).Format(time.DateOnly), nil
}
