package scoring

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"skillscore/levels"
)

// SchemaV1 identifies the rule language described in docs/rules.md.
const SchemaV1 = "skillscore.rules/v1"

// EventKind is competition (ranked, awards) or assessment (pass/fail).
type EventKind string

const (
	Competition EventKind = "competition" // 职业技能竞赛
	Assessment  EventKind = "assessment"  // 职业技能等级认定
)

// AspectKind is the kind of one rubric line.
type AspectKind string

const (
	Measurement AspectKind = "measurement" // 客观评分: met or not, or a measured value mapped to marks
	Judgement   AspectKind = "judgement"   // 主观评分: each judge 0–scale, scaled to the aspect's marks
	Deduction   AspectKind = "deduction"   // 扣分项
	Veto        AspectKind = "veto"        // 否决项
)

// Name is the kind as the printed sheets, the transcripts and the paper
// entry page name it; "" for an unknown kind.
func (k AspectKind) Name() string {
	switch k {
	case Measurement:
		return "测量"
	case Judgement:
		return "评价"
	case Deduction:
		return "扣分"
	case Veto:
		return "否决项"
	}
	return ""
}

// Parts of an event; tie-breaks and pass rules refer to them.
const (
	PartTheory    = "theory"    // 理论知识
	PartPractical = "practical" // 操作技能 / 实操
	PartReview    = "review"    // 综合评审
	PartOther     = "other"
)

var partNames = map[string]string{PartTheory: "理论", PartPractical: "实操", PartReview: "综合评审", PartOther: "其他"}

// Rules is one event's scoring policy: the rubric (modules and aspects) and
// everything that turns marks into results. Build it with ParseRules (or
// fill it in Go and call Validate); the zero value is not valid.
type Rules struct {
	Schema     string       `json:"schema,omitempty"`
	Name       string       `json:"name"`
	Kind       EventKind    `json:"kind"`
	Occupation string       `json:"occupation,omitempty"`
	Tier       string       `json:"tier,omitempty"`  // national | provincial | city
	Class      int          `json:"class,omitempty"` // 1 一类 | 2 二类
	Level      levels.Level `json:"level,omitempty"` // assessment: the level assessed
	Year       int          `json:"year,omitempty"`  // default for Input.Year

	Groups       []Group           `json:"groups,omitempty"`
	Modules      []Module          `json:"modules"`
	Total        TotalRule         `json:"total"`
	Parts        *PartsRule        `json:"parts,omitempty"`
	TieBreaks    []string          `json:"tie_breaks,omitempty"`
	Awards       *AwardRule        `json:"awards,omitempty"`
	Promotion    *PromotionRule    `json:"promotion,omitempty"`
	Titles       []TitleRule       `json:"titles,omitempty"`
	Pass         *PassRule         `json:"pass,omitempty"`
	Standardised *StandardisedRule `json:"standardised,omitempty"`
	Consistency  *ConsistencyRule  `json:"consistency,omitempty"`
	Notes        string            `json:"notes,omitempty"`
	// RunningTotals asks for each contestant's cumulative total and rank
	// after each unit (modules in rule order, grouped by Module.Unit).
	RunningTotals bool      `json:"running_totals,omitempty"`
	Team          *TeamRule `json:"team,omitempty"`   // team entries (teams.go); nil = individual entries
	Rounds        []Round   `json:"rounds,omitempty"` // stages (预赛 → 决赛), scoring/rounds.go
	c             *compiled // set by Validate
}

// Group is a ranking group such as 职工组 (employee) or 学生组 (student).
type Group struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// Module is a weighted part of the event (理论, 实操 A …).
type Module struct {
	Code string `json:"code"`
	Name string `json:"name"`
	Part string `json:"part"` // theory | practical | review | other
	// Weight is a percentage of the total: contribution = score / max × weight.
	// Factor is a constant: contribution = score × factor. One of the two, the
	// same form for every module.
	Weight   *Decimal `json:"weight,omitempty"`
	Factor   *Decimal `json:"factor,omitempty"`
	Max      Decimal  `json:"max"`
	Imported bool     `json:"imported,omitempty"` // score supplied as one mark (judge "", aspect "")
	Panel    *Panel   `json:"panel,omitempty"`
	// Floor: "zero" (default) keeps the module score from going below 0
	// after deductions; "none" lets it.
	Floor                string    `json:"floor,omitempty"`
	Rounding             *Rounding `json:"rounding,omitempty"`              // the module score
	ContributionRounding *Rounding `json:"contribution_rounding,omitempty"` // after weight/factor
	Aspects              []Aspect  `json:"aspects,omitempty"`
	// Signed lets an imported score be negative, down to −max (ski jumping's
	// wind and gate points); it needs floor "none".
	Signed bool `json:"signed,omitempty"`
	// Multiplier is a constant applied to the module score (a fixed degree
	// of difficulty), after floor and veto, before the module rounding.
	Multiplier *Decimal `json:"multiplier,omitempty"`
	// DeductionsFrom: a module of deductions only starts from "max" (score =
	// max − deductions) or "zero" (score = −deductions, needs floor "none").
	DeductionsFrom string `json:"deductions_from,omitempty"`
	// Unit groups consecutive modules into one unit of the running totals
	// (a round, a dive); "" makes the module a unit of its own.
	Unit string `json:"unit,omitempty"`
}

// Panel says how the judges' marks of a module are combined.
type Panel struct {
	Judges int    `json:"judges"`          // expected panel size per contestant
	Level  string `json:"level,omitempty"` // "aspect" (default) | "module"
	Method string `json:"method"`          // mean | median | sum
	Drop   int    `json:"drop,omitempty"`  // drop this many highest and lowest first
	// Missing: "present" aggregates the marks present (a sum is rescaled to
	// the full panel); "zero" counts a missing judge as 0. A recused judge is
	// always left out as under "present".
	Missing   string    `json:"missing,omitempty"`
	MinJudges int       `json:"min_judges,omitempty"` // fewer marks than this: the aspect scores 0 for now
	Rounding  *Rounding `json:"rounding,omitempty"`   // each panel aggregate
	// SeatedMin states a panel of SeatedMin..Judges judges (综合评审 by a
	// panel of 3–5): the panel seated for the event (Input.Seated) is then
	// the full panel. 0: the panel is always Judges.
	SeatedMin int `json:"seated_min,omitempty"`
}

// Rounding is one stated rounding step.
type Rounding struct {
	Mode   RoundingMode `json:"mode"`
	Places int          `json:"places"`
}

// Aspect is one rubric line.
type Aspect struct {
	Code        string     `json:"code"`
	Name        string     `json:"name"`
	Kind        AspectKind `json:"kind"`
	Max         Decimal    `json:"max,omitempty"` // marks; for a deduction the largest deduction
	Description string     `json:"description,omitempty"`
	Judges      int        `json:"judges,omitempty"`      // overrides panel.judges (aspect-level panels)
	Scale       int        `json:"scale,omitempty"`       // judgement: top of the judge scale, default 3
	Descriptors []string   `json:"descriptors,omitempty"` // judgement: text for 0..scale
	Measure     *Measure   `json:"measure,omitempty"`     // measurement: value → marks
	Unit        *Decimal   `json:"unit,omitempty"`        // deduction: points per occurrence; value is a count
	CountUnit   string     `json:"count_unit,omitempty"`  // deduction with unit: what is counted (分钟, 次), shown beside the field
	Effect      string     `json:"effect,omitempty"`      // veto: zero_module | disqualify
	Trigger     string     `json:"trigger,omitempty"`     // veto: any | majority (default) | all
	Multiplier  bool       `json:"multiplier,omitempty"`  // marks carry a per-performance multiplier
	MaxSpread   *Decimal   `json:"max_spread,omitempty"`  // flag panels whose raw marks spread more
	// Panel overrides the module panel for this aspect alone (5 style
	// judges dropping highest and lowest beside one measured distance).
	Panel *AspectPanel `json:"panel,omitempty"`
}

// AspectPanel is an aspect's own panel rule; a field left zero keeps the
// module panel's value (missing judges are always treated as the module says).
type AspectPanel struct {
	Judges    int       `json:"judges,omitempty"`
	Method    string    `json:"method,omitempty"` // mean | median | sum
	Drop      int       `json:"drop,omitempty"`
	MinJudges int       `json:"min_judges,omitempty"`
	Rounding  *Rounding `json:"rounding,omitempty"`
}

// Measure maps a measured value to marks. Without it a measurement aspect is
// met (1 → full marks) or not (0 → 0). With Direct the value is the marks
// (a judge's 0–10 award in diving); otherwise Bands or Linear map it. A
// measure whose Min is below 0 is signed: its marks may be negative, down to
// −max of the aspect.
type Measure struct {
	Unit   string   `json:"unit,omitempty"`
	Min    *Decimal `json:"min,omitempty"` // accepted value range, inclusive
	Max    *Decimal `json:"max,omitempty"`
	Step   *Decimal `json:"step,omitempty"` // values must be multiples of this (e.g. 0.5)
	Direct bool     `json:"direct,omitempty"`
	Bands  []Band   `json:"bands,omitempty"`
	Linear *Linear  `json:"linear,omitempty"`
}

// Linear maps a measured value v to marks base + (v − K) × per, rounded as
// stated, then kept within floor and cap when given (ski-jumping distance
// points: 60 + (d − K) × 2 on a normal hill).
type Linear struct {
	Base     Decimal   `json:"base"`
	K        Decimal   `json:"k"`
	Per      Decimal   `json:"per"`
	Rounding *Rounding `json:"rounding"`
	Floor    *Decimal  `json:"floor,omitempty"`
	Cap      *Decimal  `json:"cap,omitempty"`
}

// Band gives marks to values v with From <= v < To (open ends when nil).
type Band struct {
	From  *Decimal `json:"from,omitempty"`
	To    *Decimal `json:"to,omitempty"`
	Marks Decimal  `json:"marks"`
}

// TotalRule: the final total's rounding must be stated.
type TotalRule struct {
	Rounding *Rounding `json:"rounding"`
}

// PartsRule optionally rounds part scores (theory, practical …) used by
// tie-breaks and pass rules; without it they are compared exactly.
type PartsRule struct {
	Rounding *Rounding `json:"rounding,omitempty"`
}

// AwardRule assigns award bands by rank, within each group.
type AwardRule struct {
	Counting      string      `json:"counting,omitempty"` // per_band (default) | cumulative
	CountRounding *Rounding   `json:"count_rounding,omitempty"`
	Ties          string      `json:"ties,omitempty"` // include (default) | exclude
	MinScore      *Decimal    `json:"min_score,omitempty"`
	Bands         []AwardBand `json:"bands"`
	Base          string      `json:"base,omitempty"` // whom percentages count: competed (default) | entered | eligible | roster (status.go)
}

// AwardBand is one award class; exactly one of Percent, Count, UntilPercent.
type AwardBand struct {
	Code         string   `json:"code"`
	Name         string   `json:"name"`
	Percent      *Decimal `json:"percent,omitempty"`       // this share of the ranked contestants
	Count        *int     `json:"count,omitempty"`         // this many
	UntilPercent *Decimal `json:"until_percent,omitempty"` // everyone down to this share from the top
	MinScore     *Decimal `json:"min_score,omitempty"`
}

// PromotionRule grants skill levels (晋升).
type PromotionRule struct {
	Preset      string          `json:"preset,omitempty"`
	Cap         levels.Level    `json:"cap,omitempty"` // for the one_level_up preset
	OncePerYear bool            `json:"once_per_year,omitempty"`
	RequirePass bool            `json:"require_pass,omitempty"`
	Rules       []PromotionStep `json:"rules,omitempty"`
}

// PromotionStep is one line of a promotion table; the first that matches a
// contestant applies. Exactly one selector (Ranks, Awards, Passed) and one
// grant (To, Up).
type PromotionStep struct {
	Group  string       `json:"group,omitempty"` // "" = every group
	Ranks  *RankRange   `json:"ranks,omitempty"`
	Awards []string     `json:"awards,omitempty"` // award codes; "*" = any award
	Passed bool         `json:"passed,omitempty"` // anyone who passes
	To     levels.Level `json:"to,omitempty"`     // grant this level
	Up     int          `json:"up,omitempty"`     // grant this many levels above the current one
	// Cap: never above this level. Without one a step grants at most
	// 高级技师 (一级), the top of the 五级…一级 scale rules were written for:
	// 特级技师 and 首席技师 are granted only by a step whose to or cap names them.
	Cap    levels.Level `json:"cap,omitempty"`
	NoneTo levels.Level `json:"none_to,omitempty"` // with Up: level for someone with none (default 五级)
	// Already: when the contestant already holds To or higher: "none"
	// (default, no promotion) or "up" (one level above the current, capped).
	Already string `json:"already,omitempty"`
}

// RankRange is an inclusive rank range.
type RankRange struct {
	From int `json:"from"`
	To   int `json:"to"`
}

// TitleRule grants an honorary title (技术能手) to the top N.
type TitleRule struct {
	Code        string `json:"code"`
	Name        string `json:"name"`
	Top         int    `json:"top"`
	Group       string `json:"group,omitempty"`
	RequirePass bool   `json:"require_pass,omitempty"`
}

// PassRule: a candidate passes when every applicable condition holds.
type PassRule struct {
	Conditions []PassCondition `json:"conditions"`
}

// PassCondition: Part (or Module) score >= Min. It applies to every
// candidate unless it says which target levels: TargetLevelAtMost for that
// level or higher (技师 = 2: 技师, 高级技师, 特级技师, 首席技师; the name is
// the JSON key rules were written with when a higher level was a smaller
// number), or Levels, the target levels it applies to. Name is the part's
// name on results (default 理论, 实操, 综合评审 or the module's name).
type PassCondition struct {
	Part              string         `json:"part,omitempty"`
	Module            string         `json:"module,omitempty"`
	Name              string         `json:"name,omitempty"`
	Min               Decimal        `json:"min"`
	TargetLevelAtMost levels.Level   `json:"target_level_at_most,omitempty"`
	Levels            []levels.Level `json:"levels,omitempty"`
}

// Applies reports whether the condition applies to a candidate for the
// target level (levels.None: none known, when only unconditional
// conditions apply). Levels compare by their order, never by code.
func (pc PassCondition) Applies(level levels.Level) bool {
	switch {
	case len(pc.Levels) > 0:
		return slices.Contains(pc.Levels, level)
	case pc.TargetLevelAtMost != levels.None:
		return level != levels.None && level.AtLeast(pc.TargetLevelAtMost)
	}
	return true
}

// StandardisedRule maps totals to a scale centred on the median:
// center + (total − median) × spread / MAD, MAD the median absolute deviation
// (an exact stand-in for a standard deviation).
type StandardisedRule struct {
	Center   Decimal   `json:"center"`
	Spread   Decimal   `json:"spread"`
	Per      string    `json:"per,omitempty"` // group (default) | all
	Rounding *Rounding `json:"rounding"`
}

// ConsistencyRule sets the limits for judge-consistency flags.
type ConsistencyRule struct {
	MaxSpread *Decimal `json:"max_spread,omitempty"` // default limit for judgement aspects (raw 0–3 units)
	Bias      *Decimal `json:"bias,omitempty"`       // mean signed deviation marking a judge harsh/lenient
	Erratic   *Decimal `json:"erratic,omitempty"`    // mean absolute deviation marking a judge erratic
}

// Problem is one thing wrong with a rules document.
type Problem struct {
	Path    string `json:"path"`
	Message string `json:"message"`    // Simplified Chinese
	English string `json:"message_en"` // English
}

func (p Problem) String() string {
	if p.Path == "" {
		return p.Message + " / " + p.English
	}
	return p.Path + ": " + p.Message + " / " + p.English
}

// RulesError lists every problem found, each with its JSON path.
type RulesError struct{ Problems []Problem }

func (e *RulesError) Error() string {
	var b strings.Builder
	b.WriteString("invalid rules (规则无效):")
	for _, p := range e.Problems {
		b.WriteString("\n  ")
		b.WriteString(p.String())
	}
	return b.String()
}

// ParseRules decodes a JSON rules document, expands presets and validates
// it. Errors are *RulesError listing every problem with its JSON path.
func ParseRules(data []byte) (*Rules, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var r Rules
	if err := dec.Decode(&r); err != nil {
		return nil, &RulesError{Problems: []Problem{jsonProblem(err)}}
	}
	if dec.More() {
		return nil, &RulesError{Problems: []Problem{{Message: "JSON 之后有多余内容", English: "trailing data after the JSON document"}}}
	}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	return &r, nil
}

func jsonProblem(err error) Problem {
	var ute *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &ute):
		return Problem{Path: ute.Field, Message: "类型错误：应为 " + ute.Type.String(), English: "wrong type: want " + ute.Type.String()}
	case errors.As(err, &se):
		return Problem{Message: fmt.Sprintf("JSON 语法错误（第 %d 字节）", se.Offset), English: "JSON syntax error: " + se.Error()}
	}
	msg := err.Error()
	if f, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		return Problem{Message: "未知字段 " + f, English: "unknown field " + f}
	}
	return Problem{Message: "无法解析：" + msg, English: "cannot decode: " + msg}
}

// MarshalJSON is the plain encoding; it exists so the unexported compiled
// state never leaks.
func (r *Rules) MarshalJSON() ([]byte, error) {
	type plain Rules
	return json.Marshal((*plain)(r))
}
