// Package recheck is the 成绩复核 before publication: which score sheets a
// 监督 checks against the paper (every sheet of the top N of each group and
// a random share of the rest, drawn from a recorded seed), and when the
// share of flagged sheets sends the whole event to be checked. It is pure:
// no database, network or clock; thresholds are exact (scoring.Decimal
// percents, integer counts), never floats.
//
// The draw, fixed so a third party can re-run it from the seed and the list
// of sheets (docs/oversight-recheck.md):
//
//  1. A sheet is "top" when its contestant's rank in their group is 1..N
//     (shared ranks included, so a tie at N takes every tied contestant).
//  2. The other sheets ("the rest") are sorted by sheet id.
//  3. k = ⌈rest × p / 100⌉ for the sample percent p, computed in integers.
//  4. p = draw.Permutation(seed, "recheck", len(rest)) — the same SHA-256
//     stream and Fisher–Yates as the 加密 draw; the sheets at positions
//     p[0], …, p[k−1] of the sorted rest (counting from 0) are sampled.
package recheck

import (
	"slices"

	"skillscore"
	"skillscore/draw"
	"skillscore/scoring"
)

// Default thresholds (DESIGN.md "Oversight"): each is a per-event setting.
const (
	DefaultTopN = 10
	// MaxTopN bounds the setting: past it the "top" is the whole event.
	MaxTopN = 1000
)

var (
	DefaultSamplePercent     = scoring.Points(15)
	DefaultEscalationPercent = scoring.Points(5)
)

// Purpose is the label of the seed's byte stream (draw's step 2).
const Purpose = "recheck"

// Settings are an event's 复核 thresholds.
type Settings struct {
	// Required: publication (公示) waits until the 复核 is signed off.
	Required          bool
	TopN              int             // every sheet of ranks 1..TopN of each group
	SamplePercent     scoring.Decimal // at least this share of the rest, rounded up
	EscalationPercent scoring.Decimal // more than this share flagged → check everything
}

// Defaults are the thresholds of a new event of kind: the 复核 is required
// for a competition (竞赛), whose technical documents ask for it; an
// assessment batch has its own chain (督导, review) and may switch it on.
func Defaults(kind string) Settings {
	return Settings{Required: kind == "competition", TopN: DefaultTopN,
		SamplePercent: DefaultSamplePercent, EscalationPercent: DefaultEscalationPercent}
}

// Validate refuses thresholds that make no sense, in Chinese.
func (s Settings) Validate() error {
	hundred := scoring.Points(100)
	switch {
	case s.TopN < 0 || s.TopN > MaxTopN:
		return skillscore.Errorf(skillscore.EInvalid, "前几名全部复核的名次数须在 0 到 %d 之间，现为 %d", MaxTopN, s.TopN)
	case s.SamplePercent <= 0 || s.SamplePercent > hundred:
		return skillscore.Errorf(skillscore.EInvalid, "抽样比例须大于 0%% 且不超过 100%%，现为 %s%%", s.SamplePercent)
	case s.EscalationPercent < 0 || s.EscalationPercent >= hundred:
		return skillscore.Errorf(skillscore.EInvalid, "全面复核的差错率阈值须在 0%% 到 100%% 之间（不含 100%%），现为 %s%%", s.EscalationPercent)
	}
	return nil
}

// Reasons a sheet is in the 复核.
const (
	ReasonTop        = "top"        // a sheet of the top N
	ReasonSample     = "sample"     // drawn from the rest
	ReasonEscalation = "escalation" // added when the whole event is checked
	ReasonAdded      = "added"      // entered the top N after a correction
)

// ReasonNames are the reasons in Chinese.
var ReasonNames = map[string]string{ReasonTop: "前列必查", ReasonSample: "随机抽查", ReasonEscalation: "全面复核", ReasonAdded: "更正后进入前列"}

// Verdict categories of a flagged sheet.
const (
	CategoryTranscription = "transcription" // 录入: the stored mark is not the paper's
	CategoryArithmetic    = "arithmetic"    // 计算: a sum or deduction is wrong
	CategoryRule          = "rule"          // 规则适用: the rule was applied wrongly
)

// Categories lists the categories in the order the page shows them.
var Categories = []string{CategoryTranscription, CategoryArithmetic, CategoryRule}

// CategoryNames are the categories in Chinese.
var CategoryNames = map[string]string{CategoryTranscription: "录入", CategoryArithmetic: "计算", CategoryRule: "规则适用"}

// Sheet is one score sheet as the draw sees it.
type Sheet struct {
	ID           int64
	ContestantID int64
}

// Standing is a contestant's place in the current ranking; Rank 0 is
// unranked (an assessment, a contestant without a score).
type Standing struct {
	ContestantID int64
	Group        string
	Rank         int
}

// Pick is one sampled sheet and why.
type Pick struct {
	SheetID int64
	Reason  string
}

// Sample is the draw's result: picks in sheet-id order, and the counts the
// report prints.
type Sample struct {
	Picks []Pick
	Top   int // sheets of the top N
	Rest  int // the other sheets
	Drawn int // sampled of the rest: SampleSize(Rest, p)
}

// SampleSize is ⌈rest × percent / 100⌉ in exact integers.
func SampleSize(rest int, percent scoring.Decimal) int {
	if rest <= 0 || percent <= 0 {
		return 0
	}
	den := int64(100 * scoring.DecimalScale)
	n := (int64(rest)*int64(percent) + den - 1) / den
	return int(min(n, int64(rest)))
}

// Escalates reports whether flagged sheets out of sampled exceed percent:
// flagged/sampled > percent/100, compared exactly (flagged × 100 > percent ×
// sampled). At exactly the threshold it does not escalate.
func Escalates(flagged, sampled int, percent scoring.Decimal) bool {
	if sampled <= 0 {
		return false
	}
	return int64(flagged)*100*scoring.DecimalScale > int64(percent)*int64(sampled)
}

// Draw picks the sheets to check from a hex seed (draw.ParseSeed's rules).
// The same seed, sheets and standings always give the same sample,
// whatever order the sheets come in.
func Draw(seedHex string, set Settings, sheets []Sheet, standings []Standing) (Sample, error) {
	seed, err := draw.ParseSeed(seedHex)
	if err != nil {
		return Sample{}, err
	}
	if err := set.Validate(); err != nil {
		return Sample{}, err
	}
	top := map[int64]bool{}
	for _, st := range standings {
		if st.Rank >= 1 && st.Rank <= set.TopN {
			top[st.ContestantID] = true
		}
	}
	sorted := slices.Clone(sheets)
	slices.SortFunc(sorted, func(a, b Sheet) int { return cmpInt64(a.ID, b.ID) })
	sorted = slices.CompactFunc(sorted, func(a, b Sheet) bool { return a.ID == b.ID })
	var out Sample
	var rest []Sheet
	for _, sh := range sorted {
		if top[sh.ContestantID] {
			out.Picks = append(out.Picks, Pick{SheetID: sh.ID, Reason: ReasonTop})
			continue
		}
		rest = append(rest, sh)
	}
	out.Top, out.Rest = len(out.Picks), len(rest)
	out.Drawn = SampleSize(len(rest), set.SamplePercent)
	perm := draw.Permutation(seed, Purpose, len(rest))
	for _, i := range perm[:out.Drawn] {
		out.Picks = append(out.Picks, Pick{SheetID: rest[i].ID, Reason: ReasonSample})
	}
	slices.SortFunc(out.Picks, func(a, b Pick) int { return cmpInt64(a.SheetID, b.SheetID) })
	return out, nil
}

// Missing returns the sheets of the top N (by standings now) not in
// checked: after a correction the ranking may change and bring a sheet into
// the top that the draw did not pick.
func Missing(set Settings, sheets []Sheet, standings []Standing, checked map[int64]bool) []int64 {
	top := map[int64]bool{}
	for _, st := range standings {
		if st.Rank >= 1 && st.Rank <= set.TopN {
			top[st.ContestantID] = true
		}
	}
	var out []int64
	for _, sh := range sheets {
		if top[sh.ContestantID] && !checked[sh.ID] {
			out = append(out, sh.ID)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
