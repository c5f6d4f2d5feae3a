// Package results turns an event's stored data into the scoring core's input
// and runs the core on it. It is the one bridge between store rows and
// scoring's pure types, shared by the pages, the API and (later) the live
// streams and certificates.
package results

import (
	"fmt"
	"strconv"

	"skillscore"
	"skillscore/scoring"
	"skillscore/store"
)

// Standings is an event's computed result together with the rows needed to
// show it.
type Standings struct {
	Snapshot store.Snapshot
	Rules    *scoring.Rules
	Result   *scoring.Result
	// Contestants maps the scoring core's contestant id to the stored row.
	Contestants map[string]store.Contestant
	// Done and Expected count (contestant, module) pairs whose marks are
	// complete, for "已完成评分 x/y".
	Done, Expected int
}

// Key is the contestant id used inside the scoring core: the stored id, so
// that results stay stable across a second draw of anonymous codes.
func Key(id int64) string { return strconv.FormatInt(id, 10) }

// Compute parses the event's rules and computes its standings.
func Compute(snap store.Snapshot) (*Standings, error) {
	rules, err := scoring.ParseRules([]byte(snap.Event.Rules))
	if err != nil {
		return nil, skillscore.Wrap(skillscore.EConflict, err,
			fmt.Sprintf("赛事 %s 的评分规则无效，请组织者修正", snap.Event.Code))
	}
	in, byID := Input(snap)
	res, err := scoring.Compute(rules, in)
	if err != nil {
		return nil, skillscore.Wrap(skillscore.EConflict, err,
			fmt.Sprintf("赛事 %s 的成绩数据与评分规则不符", snap.Event.Code))
	}
	st := &Standings{Snapshot: snap, Rules: rules, Result: res, Contestants: byID}
	for _, c := range res.Contestants {
		for _, m := range c.Modules {
			st.Expected++
			if m.Complete {
				st.Done++
			}
		}
	}
	return st, nil
}

// Input converts a snapshot to the scoring core's input.
func Input(snap store.Snapshot) (scoring.Input, map[string]store.Contestant) {
	in := scoring.Input{
		Year:        snap.Event.Year,
		Contestants: make([]scoring.Contestant, 0, len(snap.Contestants)),
		Marks:       make([]scoring.Mark, 0, len(snap.Marks)+len(snap.Imported)),
	}
	byID := make(map[string]store.Contestant, len(snap.Contestants))
	for _, c := range snap.Contestants {
		key := Key(c.ID)
		byID[key] = c
		in.Contestants = append(in.Contestants, scoring.Contestant{
			ID:                key,
			Group:             c.GroupCode,
			Level:             c.Level,
			LastPromotionYear: c.LastPromotionYear,
			CompletionTime:    c.CompletionMillis,
		})
	}
	for _, m := range snap.Marks {
		in.Marks = append(in.Marks, scoring.Mark{
			Contestant: Key(m.ContestantID),
			Module:     m.ModuleCode,
			Aspect:     m.AspectCode,
			Judge:      m.JudgeCode,
			Value:      scoring.Decimal(m.Value),
			Multiplier: scoring.Decimal(m.Multiplier),
		})
	}
	in.Recusals = recusals(snap)
	for _, s := range snap.Imported {
		in.Marks = append(in.Marks, scoring.Mark{
			Contestant: Key(s.ContestantID),
			Module:     s.ModuleCode,
			Value:      scoring.Decimal(s.Value),
		})
	}
	return in, byID
}

// DisplayCode is what the public sees for a contestant before decryption:
// the drawn anonymous code, or a placeholder until the draw.
func DisplayCode(c store.Contestant) string {
	if c.Code != nil && *c.Code != "" {
		return *c.Code
	}
	return "未抽签"
}

// recusals derives the scoring core's recusals (回避) from the assignments:
// in a module that has assignments, a panel judge not assigned to a
// contestant (and with no marks for them) does not score them, so the
// contestant's panel is smaller rather than missing a mark.
func recusals(snap store.Snapshot) []scoring.Recusal {
	if len(snap.Assignments) == 0 {
		return nil
	}
	type key struct{ module, judge, contestant int64 }
	assigned := map[key]bool{}
	hasAssignments := map[int64]bool{}
	for _, a := range snap.Assignments {
		assigned[key{a.ModuleID, a.JudgeID, a.ContestantID}] = true
		hasAssignments[a.ModuleID] = true
	}
	modCode := map[int64]string{}
	for _, m := range snap.Modules {
		modCode[m.ID] = m.Code
	}
	judgeCode := map[int64]string{}
	for _, j := range snap.Judges {
		judgeCode[j.ID] = j.Code
	}
	marked := map[[3]string]bool{}
	for _, m := range snap.Marks {
		marked[[3]string{Key(m.ContestantID), m.ModuleCode, m.JudgeCode}] = true
	}
	var out []scoring.Recusal
	for _, p := range snap.Panels {
		if !hasAssignments[p.ModuleID] {
			continue
		}
		for _, c := range snap.Contestants {
			if assigned[key{p.ModuleID, p.JudgeID, c.ID}] {
				continue
			}
			r := scoring.Recusal{Contestant: Key(c.ID), Module: modCode[p.ModuleID], Judge: judgeCode[p.JudgeID]}
			if !marked[[3]string{r.Contestant, r.Module, r.Judge}] {
				out = append(out, r)
			}
		}
	}
	return out
}
