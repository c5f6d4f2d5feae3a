// Package results turns an event's stored data into the scoring core's input
// and runs the core on it. It is the one bridge between store rows and
// scoring's pure types, shared by the pages, the API and (later) the live
// streams and certificates.
package results

import (
	"fmt"
	"strconv"
	"strings"

	"skillscore"
	"skillscore/levels"
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
	// Members maps a team entry's key to its members (teams.go).
	Members map[string][]Member
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
	if err := st.teams(in.Year); err != nil {
		return nil, err
	}
	for _, c := range res.Contestants {
		if NoScore(c) {
			continue // nobody will score a contestant who was absent or withdrew
		}
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
		Advanced:    advanced(snap),
	}
	byID := make(map[string]store.Contestant, len(snap.Contestants))
	// A batch assesses one level: every candidate applies for it, and the
	// pass conditions for that level apply (scoring: PassCondition.Applies).
	target := levels.None
	if snap.Event.Kind == string(scoring.Assessment) {
		target = snap.Event.Level
	}
	for _, c := range snap.Contestants {
		key := Key(c.ID)
		byID[key] = c
		in.Contestants = append(in.Contestants, scoring.Contestant{
			ID:                key,
			Group:             c.GroupCode,
			Level:             c.Level,
			LastPromotionYear: c.LastPromotionYear,
			CompletionTime:    c.CompletionMillis,
			TargetLevel:       target,
			Status:            c.Status,
			StatusReason:      c.StatusReason,
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
		// 缺考 in a score file is a module not sat: scored 0 and shown as
		// 缺考, never a mark (and so no mark of one absent altogether).
		if s.Absent {
			in.Absences = append(in.Absences, scoring.Absence{Contestant: Key(s.ContestantID), Module: s.ModuleCode})
			continue
		}
		in.Marks = append(in.Marks, scoring.Mark{
			Contestant: Key(s.ContestantID),
			Module:     s.ModuleCode,
			Value:      scoring.Decimal(s.Value),
		})
	}
	for _, cp := range snap.Carried {
		in.Carried = append(in.Carried, scoring.CarriedPart{Contestant: Key(cp.ContestantID), Part: cp.Part,
			Score: scoring.Decimal(cp.Score), Source: scoring.CarrySource{Event: cp.SourceEvent, BatchNo: cp.SourceBatchNo, Date: cp.SourceDate}})
	}
	in.Seated = seated(snap)
	return in, byID
}

// seated counts the judges seated on each judged module's panel: for a
// panel whose rule states a range (综合评审 by 3–5), the panel seated is
// the full panel; the core ignores it for the others.
func seated(snap store.Snapshot) map[string]int {
	if len(snap.Panels) == 0 {
		return nil
	}
	code := make(map[int64]string, len(snap.Modules))
	for _, m := range snap.Modules {
		code[m.ID] = m.Code
	}
	out := map[string]int{}
	for _, p := range snap.Panels {
		if c, ok := code[p.ModuleID]; ok {
			out[c]++
		}
	}
	return out
}

// ReasonModuleAbsent marks a module a score file recorded as 缺考 (the
// scoring core's reason for an Input.Absences entry).
const ReasonModuleAbsent = "module.absent"

// ModuleAbsent reports whether a module's result was recorded as 缺考.
func ModuleAbsent(m scoring.ModuleScore) bool {
	for _, r := range m.Reasons {
		if r.Code == ReasonModuleAbsent {
			return true
		}
	}
	return false
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

// WithoutDrafts returns the snapshot with the marks of unsubmitted sheets
// left out: what the public may be shown, since a judge's draft is not yet
// the judge's mark. The snapshot's other slices are shared, not copied.
func WithoutDrafts(snap store.Snapshot) store.Snapshot {
	if len(snap.Drafts) == 0 {
		return snap
	}
	draft := make(map[[3]string]bool, len(snap.Drafts))
	for _, d := range snap.Drafts {
		draft[[3]string{Key(d.ContestantID), d.ModuleCode, d.JudgeCode}] = true
	}
	marks := make([]store.MarkRow, 0, len(snap.Marks))
	for _, m := range snap.Marks {
		if !draft[[3]string{Key(m.ContestantID), m.ModuleCode, m.JudgeCode}] {
			marks = append(marks, m)
		}
	}
	snap.Marks = marks
	return snap
}

// DraftContestants returns the contestants (by stored id) who have a mark
// on an unsubmitted sheet, for the chief judge's view to flag as 草稿.
func DraftContestants(snap store.Snapshot) map[int64]bool {
	if len(snap.Drafts) == 0 {
		return nil
	}
	draft := make(map[[3]string]bool, len(snap.Drafts))
	for _, d := range snap.Drafts {
		draft[[3]string{Key(d.ContestantID), d.ModuleCode, d.JudgeCode}] = true
	}
	out := map[int64]bool{}
	for _, m := range snap.Marks {
		if draft[[3]string{Key(m.ContestantID), m.ModuleCode, m.JudgeCode}] {
			out[m.ContestantID] = true
		}
	}
	return out
}

// publicReasons are the reason codes that say nothing about any single
// judge: module and total arithmetic, ranks, awards, passes, promotions,
// titles. Everything else (the panel's marks, dropped marks, missing judges,
// which would show a recusal) stays on the logged-in pages. A list of what
// may go out, so that a reason added to the core later stays off the public
// paths until it is listed here.
var publicReasons = map[string]bool{
	"module.missing": true, "module.imported": true, "module.floor": true, "module.rounded": true,
	"module.formula": true, "module.veto": true, "module.contribution": true, "module.incomplete": true,
	"total.formula": true, "total.incomplete": true, "disqualified": true,
	"rank.position": true, "rank.tiebreak": true, "rank.shared": true,
	"award.none": true, "award.floor": true, "award.band": true,
	"pass.met": true, "pass.failed": true,
	"promotion.granted": true, "promotion.none": true, "promotion.not_passed": true, "promotion.this_year": true,
	"promotion.already": true, "promotion.capped": true,
	"title.granted": true, "title.not_passed": true, "standardised": true,
	// assessments (issue 15): a part carried from an earlier batch, a part not sat
	"module.carried": true, "pass.carried": true, "pass.absent": true,
	// rule-language extensions (issue 14): module arithmetic, no judge in them
	"module.multiplier": true, "module.status": true,
	// statuses show in the published results with their reasons
	"status.absent": true, "status.withdrew": true, "status.disqualified": true, "status.ineligible": true,
	"award.ineligible": true, "award.moved_up": true, "title.ineligible": true, "title.moved_up": true,
	"promotion.ineligible": true, "promotion.moved_up": true, ReasonModuleAbsent: true,
	// rounds (scoring/rounds.go)
	"round.carried": true, "round.reset": true, "round.rank": true, "round.advance": true, "round.out": true,
	"round.disqualified": true, "final.place": true, "round.not_reached": true,
}

// Redact returns a contestant's result as the public may see it while
// judges' marks are sealed: module scores, totals, ranks, awards and the
// reasons that name no judge; no aspect marks, no judge subtotals, no word
// of a missing judge. display turns a scoring key into the contestant's
// public code, since a tie-break reason names the other contestant.
func Redact(c scoring.ContestantResult, display func(key string) string) scoring.ContestantResult {
	mods := make([]scoring.ModuleScore, len(c.Modules))
	for i, m := range c.Modules {
		mods[i] = scoring.ModuleScore{Code: m.Code, Name: m.Name, Part: m.Part, Max: m.Max, Score: m.Score,
			ScoreExact: m.ScoreExact, Contribution: m.Contribution, ContributionExact: m.ContributionExact,
			Complete: m.Complete, Vetoed: m.Vetoed, Reasons: publicOnly(m.Reasons, nil)}
	}
	c.Modules = mods
	c.Reasons = publicOnly(c.Reasons, display)
	return c
}

func publicOnly(rs []scoring.Reason, display func(string) string) []scoring.Reason {
	var out []scoring.Reason
	for _, r := range rs {
		if !publicReasons[r.Code] || r.Judge != "" {
			continue
		}
		r.Aspect = ""
		if r.Code == "rank.tiebreak" && display != nil {
			r.Text = tieText(r.Text, display)
		}
		out = append(out, r)
	}
	return out
}

// tieText replaces the scoring key in a tie-break reason ("与 17 总分同为…")
// with the contestant's public code: the key is a stored row id.
func tieText(text string, display func(string) string) string {
	const pre, post = "与 ", " 总分同为"
	rest, ok := strings.CutPrefix(text, pre)
	if !ok {
		return text
	}
	key, tail, ok := strings.Cut(rest, post)
	if !ok {
		return text
	}
	return pre + display(key) + post + tail
}
