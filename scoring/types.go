package scoring

import (
	"fmt"

	"skillscore/levels"
)

// Input is everything Compute needs besides the rules.
type Input struct {
	Year        int // the event's year, for "one promotion per person per year"; 0 = Rules.Year
	Contestants []Contestant
	Marks       []Mark
	Recusals    []Recusal // judges who may not score a contestant (回避)
	// Advanced is, for rules with rounds, the confirmed list of who went on
	// from each round (by round code); a round without one advances its
	// computed cut.
	Advanced map[string][]string
	// Absences are modules a contestant did not sit (缺考 in a theory
	// export): scored 0, complete, and shown as 缺考 rather than a real 0.
	Absences []Absence `json:"absences,omitempty"`
	// Carried are parts a 补考 candidate passed in an earlier batch: the
	// part's modules take the carried score, are not expected to be sat
	// again, and the part counts as passed (pass.go).
	Carried []CarriedPart `json:"carried,omitempty"`
	// Seated is the panel actually seated for a module (by module code),
	// for panels whose rule states a range (Panel.SeatedMin): that many
	// judges make the panel complete. Ignored for other modules.
	Seated map[string]int `json:"seated,omitempty"`
}

// Absence: Contestant did not sit Module (缺考).
type Absence struct {
	Contestant string `json:"contestant"`
	Module     string `json:"module"`
}

// CarriedPart is a part (theory, practical, review) a candidate passed in an
// earlier batch and carries into this one (补考), with where it was passed.
type CarriedPart struct {
	Contestant string      `json:"contestant"`
	Part       string      `json:"part"`
	Score      Decimal     `json:"score"` // the part score as passed, on the part's 100-point scale
	Source     CarrySource `json:"source"`
}

// CarrySource names the batch a carried part was passed in.
type CarrySource struct {
	Event   string `json:"event,omitempty"`    // its event code
	BatchNo string `json:"batch_no,omitempty"` // 批次号, e.g. 2026-KY-01
	Date    string `json:"date,omitempty"`     // its date, YYYY-MM-DD
}

// cite names a source inside a sentence: "2026-KY-01 批次（2026-06-10）".
func (s CarrySource) cite() string {
	d := s.Date
	s.Date = ""
	if d == "" {
		return s.Text()
	}
	return s.Text() + "（" + d + "）"
}

// Text is how a source is named on results: "2026-KY-01 批次，2026-06-10".
func (s CarrySource) Text() string {
	t := s.BatchNo
	if t == "" {
		t = s.Event
	}
	if t == "" {
		t = "以往"
	}
	t += " 批次"
	if s.Date != "" {
		t += "，" + s.Date
	}
	return t
}

// Contestant carries the attributes rules need.
type Contestant struct {
	ID                string       `json:"id"`                            // anonymous code or any stable id
	Group             string       `json:"group,omitempty"`               // a Rules.Groups code; "" = the only group
	Level             levels.Level `json:"level,omitempty"`               // current level (a code of package levels), 0 = none
	LastPromotionYear int          `json:"last_promotion_year,omitempty"` // 0 = never
	CompletionTime    int64        `json:"completion_time_ms,omitempty"`  // milliseconds, 0 = unknown
	TargetLevel       levels.Level `json:"target_level,omitempty"`        // assessment: level applied for, 0 = Rules.Level
	Status            string       `json:"status,omitempty"`              // "" competing, or a Status* constant (status.go)
	StatusReason      string       `json:"status_reason,omitempty"`       // why, as stated by whoever set the status
}

// Mark is one judge's value for one contestant and aspect. Its meaning by
// aspect kind: judgement: the judge's 0..scale score (scaled to the aspect's
// marks by the core); measurement: 1 met / 0 not met, or the measured value
// when the aspect has a measure table; deduction: the points taken off (or the
// number of occurrences when the aspect has a unit); veto: 1 triggered / 0
// not. For an imported module (theory test) Judge and Aspect are "" and Value
// is the module score itself (0..max).
type Mark struct {
	Contestant string  `json:"contestant"`
	Module     string  `json:"module"`
	Aspect     string  `json:"aspect,omitempty"`
	Judge      string  `json:"judge,omitempty"`
	Value      Decimal `json:"value"`
	Multiplier Decimal `json:"multiplier,omitempty"` // per-performance (e.g. degree of difficulty); 0 = none
}

// Recusal: Judge does not score Contestant in Module; the panel is smaller
// for that contestant rather than missing a mark.
type Recusal struct {
	Contestant string `json:"contestant"`
	Module     string `json:"module"`
	Judge      string `json:"judge"`
}

// Result is the outcome of Compute.
type Result struct {
	Event       string             `json:"event"`
	Contestants []ContestantResult `json:"contestants"` // ordered by group, then rank
	Groups      []GroupSummary     `json:"groups"`
	Flags       []Flag             `json:"flags,omitempty"`  // panels whose spread exceeds the limit
	Judges      []JudgeStats       `json:"judges,omitempty"` // each judge against the panel consensus
	Units       []string           `json:"units,omitempty"`  // running-total units in rule order (running_totals)
}

// GroupSummary counts a group's contestants and awards.
type GroupSummary struct {
	Code        string       `json:"code"`
	Name        string       `json:"name"`
	Contestants int          `json:"contestants"`
	Ranked      int          `json:"ranked"`
	Complete    int          `json:"complete"`
	Awards      []AwardCount `json:"awards,omitempty"`
	AwardBase   int          `json:"award_base,omitempty"` // contestants the award percentages count (AwardRule.Base)
}

// AwardCount is how many contestants of a group got an award band, against
// the band's nominal number.
type AwardCount struct {
	Code    string `json:"code"`
	Name    string `json:"name"`
	Nominal int    `json:"nominal"`
	Count   int    `json:"count"`
}

// ContestantResult is one contestant's full, explained result.
type ContestantResult struct {
	ID           string        `json:"id"`
	Group        string        `json:"group"`
	GroupName    string        `json:"group_name,omitempty"`
	Modules      []ModuleScore `json:"modules"`
	Parts        []PartScore   `json:"parts,omitempty"`
	Total        Decimal       `json:"total"`
	TotalExact   string        `json:"total_exact,omitempty"` // unrounded total as a fraction when it is not exact
	Complete     bool          `json:"complete"`
	Disqualified bool          `json:"disqualified,omitempty"`
	Rank         int           `json:"rank,omitempty"` // 0 = unranked (assessment, disqualified)
	SharedRank   bool          `json:"shared_rank,omitempty"`
	DecidedBy    string        `json:"decided_by,omitempty"` // tie-break key that separated it from an equal total
	Award        string        `json:"award,omitempty"`
	AwardName    string        `json:"award_name,omitempty"`
	Promotion    *Promotion    `json:"promotion,omitempty"`
	Titles       []string      `json:"titles,omitempty"`
	Pass         *bool         `json:"pass,omitempty"` // nil when the rules have no pass conditions
	// Verdicts is each applicable pass condition's verdict (合格, 不合格,
	// 缺考 or 沿用), in the rules' order; nil without pass conditions.
	Verdicts     []PartVerdict `json:"verdicts,omitempty"`
	Standardised *Decimal      `json:"standardised,omitempty"`
	Reasons      []Reason      `json:"reasons"`

	// Progress is the running total and rank after each unit (running_totals).
	Progress     []UnitStanding `json:"progress,omitempty"`
	Status       string         `json:"status,omitempty"`      // Contestant.Status
	StatusName   string         `json:"status_name,omitempty"` // 缺考, 弃权, 取消资格, 不参与评奖
	StatusReason string         `json:"status_reason,omitempty"`
	// EligibleRank is the rank among those who may take an award, title or
	// promotion, when 不参与评奖 contestants above make it differ from Rank.
	EligibleRank int `json:"eligible_rank,omitempty"`
}

// PartScore is the score of a part (理论, 实操 …) on its own 100-point scale
// (weighted events) or as a plain sum (factor events).
type PartScore struct {
	Part  string  `json:"part"`
	Name  string  `json:"name"`
	Score Decimal `json:"score"`
	Exact string  `json:"exact,omitempty"`
}

// Part verdicts (PartVerdict.Verdict).
const (
	VerdictPass    = "pass"    // 合格
	VerdictFail    = "fail"    // 不合格
	VerdictAbsent  = "absent"  // 缺考
	VerdictCarried = "carried" // 合格, carried from an earlier batch (补考)
)

// PartVerdict is one pass condition's verdict for one candidate: the part
// (or module) score against its threshold.
type PartVerdict struct {
	Part       string       `json:"part,omitempty"`   // the condition's part, or the module's
	Module     string       `json:"module,omitempty"` // set when the condition names a module
	Name       string       `json:"name"`             // 理论, 实操, 综合评审, or the condition's own name
	Score      Decimal      `json:"score"`            // 0 when absent
	ScoreExact string       `json:"score_exact,omitempty"`
	Min        Decimal      `json:"min"`
	Verdict    string       `json:"verdict"`          // pass | fail | absent | carried
	Source     *CarrySource `json:"source,omitempty"` // carried: where it was passed
	// Pending: the part's marks are not all in, so a pass or fail is
	// provisional (暂计).
	Pending bool `json:"pending,omitempty"`
}

// Passed reports whether the verdict counts as passed (a carried part does).
func (v PartVerdict) Passed() bool { return v.Verdict == VerdictPass || v.Verdict == VerdictCarried }

// Text is the verdict as results show it: 合格, 不合格, 缺考, or
// 合格（沿用 2026-KY-01 批次，2026-06-10）; a provisional pass or fail
// says （暂计）.
func (v PartVerdict) Text() string {
	pending := ""
	if v.Pending {
		pending = "（暂计）"
	}
	switch v.Verdict {
	case VerdictPass:
		return "合格" + pending
	case VerdictFail:
		return "不合格" + pending
	case VerdictAbsent:
		return "缺考"
	case VerdictCarried:
		src := CarrySource{}
		if v.Source != nil {
			src = *v.Source
		}
		return "合格（沿用 " + src.Text() + "）"
	}
	return "不合格"
}

// ModuleScore explains one module.
type ModuleScore struct {
	Code              string        `json:"code"`
	Name              string        `json:"name"`
	Part              string        `json:"part"`
	Max               Decimal       `json:"max"`
	Score             Decimal       `json:"score"`
	ScoreExact        string        `json:"score_exact,omitempty"` // exact fraction when Score is a display rounding
	Contribution      Decimal       `json:"contribution"`          // after weight or factor
	ContributionExact string        `json:"contribution_exact,omitempty"`
	Complete          bool          `json:"complete"`
	Vetoed            bool          `json:"vetoed,omitempty"`
	Aspects           []AspectScore `json:"aspects,omitempty"`
	JudgeTotals       []JudgeTotal  `json:"judge_totals,omitempty"` // per-module panels
	Reasons           []Reason      `json:"reasons,omitempty"`
}

// AspectScore explains one aspect.
type AspectScore struct {
	Code       string      `json:"code"`
	Name       string      `json:"name"`
	Kind       AspectKind  `json:"kind"`
	Score      Decimal     `json:"score"` // marks earned; for a deduction the points taken off
	ScoreExact string      `json:"score_exact,omitempty"`
	Complete   bool        `json:"complete"`
	Triggered  bool        `json:"triggered,omitempty"` // veto
	Multiplier Decimal     `json:"multiplier,omitempty"`
	Marks      []JudgeMark `json:"marks,omitempty"`
	Reasons    []Reason    `json:"reasons,omitempty"`
}

// JudgeMark is one judge's mark as used.
type JudgeMark struct {
	Judge   string   `json:"judge,omitempty"`
	Value   Decimal  `json:"value"`
	Mapped  *Decimal `json:"mapped,omitempty"` // marks from a measure table
	Dropped bool     `json:"dropped,omitempty"`
	Filled  bool     `json:"filled,omitempty"` // a missing judge counted as 0
}

// JudgeTotal is one judge's subtotal in a per-module panel.
type JudgeTotal struct {
	Judge   string  `json:"judge,omitempty"`
	Total   Decimal `json:"total"`
	Exact   string  `json:"exact,omitempty"`
	Dropped bool    `json:"dropped,omitempty"`
	Filled  bool    `json:"filled,omitempty"`
}

// Promotion is a granted level.
type Promotion struct {
	From     levels.Level `json:"from"`
	To       levels.Level `json:"to"`
	FromName string       `json:"from_name"`
	ToName   string       `json:"to_name"`
	Rule     int          `json:"rule"` // index in the (expanded) promotion table
}

// Reason explains one step of a result; Code is stable for machines, Text is
// Simplified Chinese for people.
type Reason struct {
	Code   string `json:"code"`
	Text   string `json:"text"`
	Module string `json:"module,omitempty"`
	Aspect string `json:"aspect,omitempty"`
	Judge  string `json:"judge,omitempty"`
}

// InputError is a bad contestant or mark; Index is its position in
// Input.Contestants or Input.Marks (-1 when not about one item).
type InputError struct {
	Kind    string // "contestant" | "mark" | "recusal"
	Index   int
	Message string // Simplified Chinese
	English string
}

func (e *InputError) Error() string {
	if e.Index < 0 {
		return e.English + " / " + e.Message
	}
	return fmt.Sprintf("%s %d: %s / %s", e.Kind, e.Index, e.English, e.Message)
}

// Flag marks a panel whose marks spread more than the rubric allows.
type Flag struct {
	Code       string  `json:"code"`
	Contestant string  `json:"contestant"`
	Module     string  `json:"module"`
	Aspect     string  `json:"aspect"`
	Spread     Decimal `json:"spread"`
	Limit      Decimal `json:"limit"`
	Low        string  `json:"low_judge"`
	High       string  `json:"high_judge"`
	Text       string  `json:"text"`
}

// JudgeStats is one judge's deviation from the panel consensus over the
// event, on judgement aspects in raw scale units (0–3). Figures are exact
// values rounded half-up to 4 places for display.
type JudgeStats struct {
	Judge      string   `json:"judge"`
	Marks      int      `json:"marks"`
	MeanSigned Decimal  `json:"mean_signed_deviation"` // < 0 harsh, > 0 lenient
	MeanAbs    Decimal  `json:"mean_abs_deviation"`
	MaxAbs     Decimal  `json:"max_abs_deviation"`
	Flags      []string `json:"flags,omitempty"` // harsh | lenient | erratic
	Text       string   `json:"text"`
}
