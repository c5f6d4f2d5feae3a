package scoring

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"skillscore/levels"
)

// LevelName is the Chinese name of a skill level ("三级/高级工", "特级技师",
// "无等级"): level.String(), kept for the callers that use it.
func LevelName(level levels.Level) string { return level.String() }

// levelRange is how validation messages name the valid levels.
const levelRange = "（学徒工、五级/初级工 … 一级/高级技师、特级技师、首席技师：代码 1–8）"

// Promotion presets, named after the patterns in DESIGN.md.
const (
	PresetNational           = "national"             // 优胜奖及以上 → 技师; already 技师 → 高级技师
	PresetProvincialClassOne = "provincial_class_one" // 1–3 → 高级技师, 4–10 → 技师, others who pass → 高级工
	PresetProvincialClassTwo = "provincial_class_two" // 1 → 高级技师, 2–5 → 技师
	PresetTianjin            = "tianjin"              // 职工 top 10 → 技师 (技师 → 高级技师), 学生 → 高级工
	PresetOneLevelUp         = "one_level_up"         // pass → one level up, capped (default 技师)
)

// PromotionPreset returns the promotion table of a preset; cap is used by
// one_level_up (0 = 技师). The boolean is false for an unknown name.
func PromotionPreset(name string, cap levels.Level) ([]PromotionStep, bool) {
	switch name {
	case PresetNational:
		return []PromotionStep{{Awards: []string{"*"}, To: levels.Technician, Already: "up", Cap: levels.SeniorTechnician}}, true
	case PresetProvincialClassOne:
		return []PromotionStep{
			{Ranks: &RankRange{1, 3}, To: levels.SeniorTechnician},
			{Ranks: &RankRange{4, 10}, To: levels.Technician, Already: "up", Cap: levels.SeniorTechnician},
			{Passed: true, To: levels.Senior},
		}, true
	case PresetProvincialClassTwo:
		return []PromotionStep{
			{Ranks: &RankRange{1, 1}, To: levels.SeniorTechnician},
			{Ranks: &RankRange{2, 5}, To: levels.Technician, Already: "up", Cap: levels.SeniorTechnician},
		}, true
	case PresetTianjin:
		return []PromotionStep{
			{Group: "employee", Ranks: &RankRange{1, 10}, To: levels.Technician, Already: "up", Cap: levels.SeniorTechnician},
			{Group: "student", Passed: true, To: levels.Senior},
		}, true
	case PresetOneLevelUp:
		if cap == levels.None {
			cap = levels.Technician
		}
		return []PromotionStep{{Passed: true, Up: 1, Cap: cap}}, true
	}
	return nil, false
}

type compiled struct {
	groups     map[string]int
	modules    map[string]int
	mods       []cmodule
	aspects    []caspect
	tie        []tieKey
	awardBands map[string]int
	promo      []PromotionStep
	parts      []string // parts that have modules, in a fixed order
	partWeight map[string]rat
	weighted   bool
	judgeLimit rat // default max spread for judgement aspects, -1 none
	bias       rat
	erratic    rat
	units      []string // running-total units in rule order (nil without running_totals)
	modUnit    []int    // module → its unit
}

type cmodule struct {
	m        *Module
	idx      int
	first    int // global index of the first aspect
	aspIdx   map[string]int
	panel    Panel
	byModule bool
	floor    bool
	contrib  rat // contribution = score × contrib
	hasVeto  bool
	ruleText string // the panel rule in words, the same for every contestant
	status   bool   // vetoes only: carries a status, scores nothing
	dedOnly  bool   // deductions only, from DeductionsFrom
	mult     rat    // the module multiplier; {0, 0} when none
}

type caspect struct {
	a       *Aspect
	mod     int
	judges  int
	scale   int
	k       rat // points = raw × k (raw = judge value, or band marks)
	bands   bool
	trigger string
	effect  string
	panel   Panel   // the module panel with the aspect's overrides
	lin     *Linear // a linear measure (bands is set too: the value is mapped)
}

type tieKey struct {
	kind   string // completion_time | part | module
	part   string
	module int
	raw    string
}

type validator struct{ probs []Problem }

func (v *validator) add(path, zh, en string, args ...any) {
	v.probs = append(v.probs, Problem{Path: path, Message: fmt.Sprintf(zh, args...), English: fmt.Sprintf(en, args...)})
}

func (v *validator) rounding(path string, r *Rounding, required bool) {
	if r == nil {
		if required {
			v.add(path, "必须说明舍入方式（mode 与 places）", "rounding must be stated (mode and places)")
		}
		return
	}
	if !r.Mode.valid() {
		v.add(path+".mode", "未知舍入方式 %q（half_up、half_even、down、up）", "unknown rounding mode %q (half_up, half_even, down, up)", r.Mode)
	}
	if r.Places < 0 || r.Places > decimalPlaces {
		v.add(path+".places", "小数位数须在 0–4 之间，得到 %d", "places must be 0..4, got %d", r.Places)
	}
}

// Validate checks the rules, expands presets and prepares them for Compute.
// It returns *RulesError listing every problem with its JSON path.
func (r *Rules) Validate() error {
	c, probs := r.compile()
	if len(probs) > 0 {
		return &RulesError{Problems: probs}
	}
	r.c = c
	return nil
}

func (r *Rules) compile() (*compiled, []Problem) {
	v := &validator{}
	c := &compiled{groups: map[string]int{}, modules: map[string]int{}, awardBands: map[string]int{}, partWeight: map[string]rat{}}
	if r.Schema != "" && r.Schema != SchemaV1 {
		v.add("schema", "未知规则版本 %q，应为 %q", "unknown schema %q, want %q", r.Schema, SchemaV1)
	}
	if strings.TrimSpace(r.Name) == "" {
		v.add("name", "缺少赛事名称", "name is required")
	}
	if r.Kind != Competition && r.Kind != Assessment {
		v.add("kind", "赛事类型须为 competition 或 assessment，得到 %q", "kind must be competition or assessment, got %q", r.Kind)
	}
	if !r.Level.ValidOrNone() {
		v.add("level", "未知等级 %d"+levelRange, "unknown level %d (codes 1..8)", r.Level)
	}
	if r.Class < 0 || r.Class > 2 {
		v.add("class", "竞赛类别须为 1（一类）或 2（二类）", "class must be 1 or 2")
	}
	for i, g := range r.Groups {
		p := fmt.Sprintf("groups[%d]", i)
		if g.Code == "" {
			v.add(p+".code", "缺少组别代码", "group code is required")
		} else if _, dup := c.groups[g.Code]; dup {
			v.add(p+".code", "组别代码 %q 重复", "duplicate group code %q", g.Code)
		}
		if g.Name == "" {
			v.add(p+".name", "缺少组别名称", "group name is required")
		}
		c.groups[g.Code] = i
	}
	r.compileModules(v, c)
	v.rounding("total.rounding", r.Total.Rounding, true)
	if r.Parts != nil {
		v.rounding("parts.rounding", r.Parts.Rounding, false)
	}
	r.compileTieBreaks(v, c)
	r.compileRounds(v, c)
	r.compileAwards(v, c)
	r.compilePromotion(v, c)
	for i, t := range r.Titles {
		p := fmt.Sprintf("titles[%d]", i)
		if t.Code == "" || t.Name == "" {
			v.add(p, "称号须有 code 与 name", "a title needs code and name")
		}
		if t.Top < 1 {
			v.add(p+".top", "名额须 ≥ 1", "top must be >= 1")
		}
		r.checkGroupRef(v, c, p+".group", t.Group)
		if t.RequirePass && r.Pass == nil {
			v.add(p+".require_pass", "要求合格但未定义合格规则 pass", "require_pass needs pass rules")
		}
	}
	if r.Pass != nil {
		if len(r.Pass.Conditions) == 0 {
			v.add("pass.conditions", "至少需要一个合格条件", "at least one condition is required")
		}
		for i, pc := range r.Pass.Conditions {
			p := fmt.Sprintf("pass.conditions[%d]", i)
			switch {
			case pc.Part != "" && pc.Module != "":
				v.add(p, "part 与 module 只能填一个", "give part or module, not both")
			case pc.Part != "":
				if _, ok := c.partWeight[pc.Part]; !ok {
					v.add(p+".part", "没有属于 %q 的模块", "no module has part %q", pc.Part)
				}
			case pc.Module != "":
				if _, ok := c.modules[pc.Module]; !ok {
					v.add(p+".module", "未知模块 %q", "unknown module %q", pc.Module)
				}
			default:
				v.add(p, "须指定 part 或 module", "part or module is required")
			}
			if pc.Min < 0 {
				v.add(p+".min", "合格线不能为负", "min must not be negative")
			}
			if !pc.TargetLevelAtMost.ValidOrNone() {
				v.add(p+".target_level_at_most", "未知等级 %d"+levelRange, "unknown level %d (codes 1..8)", pc.TargetLevelAtMost)
			}
			if len(pc.Levels) > 0 && pc.TargetLevelAtMost != levels.None {
				v.add(p+".levels", "levels 与 target_level_at_most 只能填一个", "give levels or target_level_at_most, not both")
			}
			for k, l := range pc.Levels {
				if !l.Valid() {
					v.add(fmt.Sprintf("%s.levels[%d]", p, k), "未知等级 %d"+levelRange, "unknown level %d (codes 1..8)", l)
				} else if slices.Index(pc.Levels, l) < k {
					v.add(fmt.Sprintf("%s.levels[%d]", p, k), "等级 %d 重复", "level %d is listed twice", l)
				}
			}
			if utf8.RuneCountInString(pc.Name) > 16 || strings.TrimSpace(pc.Name) != pc.Name {
				v.add(p+".name", "名称最多 16 个字符，且首尾不能有空格", "name takes at most 16 characters, no surrounding spaces")
			}
			// Two conditions on one part for one level would leave the
			// verdict of that part ambiguous (which threshold is shown?).
			for j, o := range r.Pass.Conditions[:i] {
				if o.Part != pc.Part || o.Module != pc.Module {
					continue
				}
				for _, l := range append([]levels.Level{levels.None}, levels.All()...) {
					if o.Applies(l) && pc.Applies(l) {
						v.add(p, "与 pass.conditions[%d] 对同一部分、同一申报等级（%s）重复", "overlaps pass.conditions[%d] on the same part for the same target level (%s)", j, l.String())
						break
					}
				}
			}
		}
	}
	if s := r.Standardised; s != nil {
		if s.Spread <= 0 {
			v.add("standardised.spread", "须大于 0", "must be > 0")
		}
		if s.Per != "" && s.Per != "group" && s.Per != "all" {
			v.add("standardised.per", "须为 group 或 all", "must be group or all")
		}
		v.rounding("standardised.rounding", s.Rounding, true)
	}
	c.judgeLimit, c.bias, c.erratic = rat{-1, 1}, ratFromDecimal(MustDecimal("0.5")), ratFromDecimal(MustDecimal("1"))
	if cr := r.Consistency; cr != nil {
		for _, f := range []struct {
			name string
			d    *Decimal
			dst  *rat
		}{{"max_spread", cr.MaxSpread, &c.judgeLimit}, {"bias", cr.Bias, &c.bias}, {"erratic", cr.Erratic, &c.erratic}} {
			if f.d == nil {
				continue
			}
			if *f.d < 0 {
				v.add("consistency."+f.name, "不能为负", "must not be negative")
			}
			*f.dst = ratFromDecimal(*f.d)
		}
	}
	v.probs = append(v.probs, r.Team.problems()...)
	return c, v.probs
}

func (r *Rules) checkGroupRef(v *validator, c *compiled, path, g string) {
	if g == "" {
		return
	}
	if _, ok := c.groups[g]; !ok {
		v.add(path, "未知组别 %q", "unknown group %q", g)
	}
}

func (r *Rules) compileModules(v *validator, c *compiled) {
	if len(r.Modules) == 0 {
		v.add("modules", "至少需要一个模块", "at least one module is required")
		return
	}
	var weightSum Decimal
	nWeight, nFactor := 0, 0
	partWeights := map[string]Decimal{}
	for i := range r.Modules {
		m := &r.Modules[i]
		p := fmt.Sprintf("modules[%d]", i)
		cm := cmodule{m: m, idx: i, first: len(c.aspects), aspIdx: map[string]int{}, floor: true}
		cm.contrib = ratZero
		cm.status, cm.dedOnly = moduleShape(m)
		if m.Code == "" {
			v.add(p+".code", "缺少模块代码", "module code is required")
		} else if _, dup := c.modules[m.Code]; dup {
			v.add(p+".code", "模块代码 %q 重复", "duplicate module code %q", m.Code)
		}
		c.modules[m.Code] = i
		if m.Name == "" {
			v.add(p+".name", "缺少模块名称", "module name is required")
		}
		switch m.Part {
		case PartTheory, PartPractical, PartReview, PartOther:
		case "":
			if !cm.status {
				v.add(p+".part", "part 须为 theory、practical、review 或 other，得到 %q", "part must be theory, practical, review or other, got %q", m.Part)
			}
		default:
			v.add(p+".part", "part 须为 theory、practical、review 或 other，得到 %q", "part must be theory, practical, review or other, got %q", m.Part)
		}
		switch {
		case cm.status:
			if m.Max != 0 {
				v.add(p+".max", "状态模块（只有否决项）不计分，max 须为 0 或省略", "a status module (vetoes only) scores nothing: max must be 0 or omitted")
			}
		case m.Max <= 0:
			v.add(p+".max", "满分须大于 0", "max must be > 0")
		}
		switch {
		case cm.status:
			if m.Weight != nil || m.Factor != nil || m.Multiplier != nil || m.Rounding != nil || m.ContributionRounding != nil || m.Floor != "" {
				v.add(p, "状态模块（只有否决项）不计分，不能有 weight、factor、multiplier、rounding 或 floor", "a status module (vetoes only) scores nothing: no weight, factor, multiplier, rounding or floor")
			}
		case m.Weight != nil && m.Factor != nil:
			v.add(p, "weight 与 factor 只能填一个", "give weight or factor, not both")
		case m.Weight != nil:
			nWeight++
			if *m.Weight <= 0 {
				v.add(p+".weight", "权重须大于 0", "weight must be > 0")
			} else if m.Max > 0 {
				weightSum += *m.Weight
				partWeights[m.Part] += *m.Weight
				// score / max × weight: the weights add up to 100, so the total is out of 100
				cm.contrib = newRat(int64(*m.Weight), int64(m.Max))
			}
		case m.Factor != nil:
			nFactor++
			if *m.Factor <= 0 {
				v.add(p+".factor", "系数须大于 0", "factor must be > 0")
			}
			cm.contrib = ratFactor(*m.Factor)
		default:
			v.add(p, "须给出 weight（百分比权重）或 factor（常数系数）", "weight (percent) or factor is required")
		}
		switch m.Floor {
		case "", "zero":
		case "none":
			cm.floor = false
		default:
			v.add(p+".floor", "floor 须为 zero 或 none", "floor must be zero or none")
		}
		v.rounding(p+".rounding", m.Rounding, false)
		v.rounding(p+".contribution_rounding", m.ContributionRounding, false)
		if m.Multiplier != nil {
			if *m.Multiplier <= 0 {
				v.add(p+".multiplier", "模块系数须大于 0", "the module multiplier must be > 0")
			} else {
				cm.mult = ratFactor(*m.Multiplier)
			}
		}
		if m.Signed {
			if !m.Imported {
				v.add(p+".signed", "signed 只用于导入成绩的模块；测量值可否为负由 measure.min 决定", "signed is for imported modules; a measured value may be negative when measure.min is")
			} else if m.Floor != "none" {
				v.add(p+".floor", "可为负的导入成绩（signed）须写明 floor: none，否则负分会被截为 0", "a signed imported module needs floor none, or its negative scores would be cut to 0")
			}
		}
		switch {
		case cm.dedOnly:
			switch m.DeductionsFrom {
			case "max":
			case "zero":
				if m.Floor != "none" {
					v.add(p+".floor", "从 0 起扣（deductions_from: zero）须写明 floor: none，否则成绩恒为 0", "deductions from zero need floor none, or the score is always 0")
				}
			case "":
				v.add(p+".deductions_from", "只有扣分项的模块须说明从满分（max）还是从 0（zero）起扣", "a module of deductions only must state deductions_from: max or zero")
			default:
				v.add(p+".deductions_from", "deductions_from 须为 max 或 zero，得到 %q", "deductions_from must be max or zero, got %q", m.DeductionsFrom)
			}
		case m.DeductionsFrom != "":
			v.add(p+".deductions_from", "只有全部评分项都是扣分项（及否决项）的模块才能有 deductions_from", "only a module of deductions (and vetoes) only takes deductions_from")
		}
		if m.Imported {
			if len(m.Aspects) > 0 || m.Panel != nil {
				v.add(p, "导入成绩的模块不能有评分项或裁判组", "an imported module has no aspects or panel")
			}
			c.mods = append(c.mods, cm)
			continue
		}
		if m.Panel == nil {
			v.add(p+".panel", "缺少裁判组规则 panel", "panel is required")
			cm.panel = Panel{Judges: 1, Method: "mean", Missing: "present", MinJudges: 1}
		} else {
			cm.panel = *m.Panel
			pp := p + ".panel"
			pn := &cm.panel
			if pn.Level == "" {
				pn.Level = "aspect"
			}
			if pn.Missing == "" {
				pn.Missing = "present"
			}
			if pn.MinJudges == 0 {
				pn.MinJudges = 1
			}
			cm.byModule = pn.Level == "module"
			if pn.Level != "aspect" && pn.Level != "module" {
				v.add(pp+".level", "level 须为 aspect 或 module", "level must be aspect or module")
			}
			if pn.Judges < 1 {
				v.add(pp+".judges", "裁判人数须 ≥ 1", "judges must be >= 1")
			}
			switch pn.Method {
			case "mean", "sum":
			case "median":
				if pn.Drop != 0 {
					v.add(pp+".drop", "中位数不需要去掉最高最低分", "median takes no drop")
				}
			default:
				v.add(pp+".method", "method 须为 mean、median 或 sum，得到 %q", "method must be mean, median or sum, got %q", pn.Method)
			}
			if pn.Drop < 0 || pn.Judges-2*pn.Drop < 1 {
				v.add(pp+".drop", "去掉最高最低各 %d 个后，%d 名裁判不剩分数", "dropping %d highest and lowest leaves no mark of %d judges", pn.Drop, pn.Judges)
			}
			if pn.Missing != "present" && pn.Missing != "zero" {
				v.add(pp+".missing", "missing 须为 present 或 zero", "missing must be present or zero")
			}
			if pn.MinJudges < 1 || pn.MinJudges > max(pn.Judges, 1) {
				v.add(pp+".min_judges", "min_judges 须在 1 与 judges 之间", "min_judges must be 1..judges")
			}
			if pn.SeatedMin != 0 {
				switch {
				case pn.SeatedMin < 1 || pn.SeatedMin > pn.Judges:
					v.add(pp+".seated_min", "seated_min 须在 1 与 judges 之间（如 3–5 人的评审组：seated_min 3，judges 5）", "seated_min must be 1..judges (a panel of 3-5: seated_min 3, judges 5)")
				case pn.SeatedMin < pn.MinJudges:
					v.add(pp+".seated_min", "seated_min 不能小于 min_judges", "seated_min must not be below min_judges")
				case pn.Method != "median" && pn.SeatedMin-2*pn.Drop < 1:
					v.add(pp+".seated_min", "%d 人的评审组去掉最高最低各 %d 个后不剩分数", "a panel of %d dropping %d highest and lowest leaves no mark", pn.SeatedMin, pn.Drop)
				}
			}
			v.rounding(pp+".rounding", pn.Rounding, false)
		}
		if len(m.Aspects) == 0 {
			v.add(p+".aspects", "至少需要一个评分项", "at least one aspect is required")
		}
		var sumMax Decimal
		for j := range m.Aspects {
			a := &m.Aspects[j]
			ap := fmt.Sprintf("%s.aspects[%d]", p, j)
			ca := caspect{a: a, mod: i, judges: cm.panel.Judges, scale: 3, k: rat{1, 1}}
			if a.Code == "" {
				v.add(ap+".code", "缺少评分项代码", "aspect code is required")
			} else if _, dup := cm.aspIdx[a.Code]; dup {
				v.add(ap+".code", "评分项代码 %q 在本模块中重复", "duplicate aspect code %q in this module", a.Code)
			}
			cm.aspIdx[a.Code] = len(c.aspects)
			if a.Name == "" {
				v.add(ap+".name", "缺少评分项名称", "aspect name is required")
			}
			if a.Judges != 0 {
				if cm.byModule {
					v.add(ap+".judges", "按模块汇总时各评分项裁判人数须相同", "per-module panels need the same judges on every aspect")
				} else if a.Panel != nil && a.Panel.Judges != 0 {
					v.add(ap+".judges", "judges 与 panel.judges 只能填一个", "give judges or panel.judges, not both")
				} else if a.Judges < 1 || a.Judges-2*effDrop(a, cm.panel) < 1 && effMethod(a, cm.panel) != "median" {
					v.add(ap+".judges", "裁判人数 %d 不足以去掉最高最低各 %d 个", "%d judges cannot drop %d highest and lowest", a.Judges, effDrop(a, cm.panel))
				}
				ca.judges = a.Judges
			}
			ca.panel = cm.panel
			if a.Panel != nil {
				compileAspectPanel(v, ap+".panel", a.Panel, &ca, cm.byModule)
			}
			if a.Kind != Veto && a.Max <= 0 {
				v.add(ap+".max", "分值须大于 0", "max must be > 0")
			}
			if a.Kind != Measurement && a.Measure != nil {
				v.add(ap+".measure", "只有 measurement 评分项可以有 measure", "only measurement aspects take measure")
			}
			if a.Kind != Deduction && a.Unit != nil {
				v.add(ap+".unit", "只有 deduction 评分项可以有 unit", "only deduction aspects take unit")
			}
			if a.CountUnit != "" && (a.Kind != Deduction || a.Unit == nil) {
				v.add(ap+".count_unit", "只有按次计的扣分项（有 unit）可以有 count_unit", "only deduction aspects with a unit take count_unit")
			} else if n := utf8.RuneCountInString(a.CountUnit); n > 8 || strings.TrimSpace(a.CountUnit) != a.CountUnit {
				v.add(ap+".count_unit", "count_unit 最多 8 个字符，且首尾不能有空格", "count_unit takes at most 8 characters, no surrounding spaces")
			}
			if a.Kind != Veto && (a.Effect != "" || a.Trigger != "") {
				v.add(ap+".effect", "只有 veto 评分项可以有 effect/trigger", "only veto aspects take effect/trigger")
			}
			if a.Kind != Judgement && (a.Scale != 0 || len(a.Descriptors) > 0) {
				v.add(ap+".scale", "只有 judgement 评分项可以有 scale/descriptors", "only judgement aspects take scale/descriptors")
			}
			if a.MaxSpread != nil && *a.MaxSpread < 0 {
				v.add(ap+".max_spread", "不能为负", "must not be negative")
			}
			if a.Multiplier && cm.byModule {
				v.add(ap+".multiplier", "按模块汇总时系数（难度）不能按评分项给出", "per-module panels cannot take per-aspect multipliers")
			}
			switch a.Kind {
			case Measurement:
				sumMax += a.Max
				switch {
				case a.Measure == nil:
					ca.k = ratFactor(a.Max) // 1 → full marks
				case a.Measure.Direct:
					validateMeasure(v, ap+".measure", a.Measure, a.Max)
				default:
					ca.bands = true
					ca.lin = a.Measure.Linear
					validateMeasure(v, ap+".measure", a.Measure, a.Max)
				}
			case Judgement:
				sumMax += a.Max
				if a.Scale != 0 {
					ca.scale = a.Scale
				}
				if ca.scale < 1 || ca.scale > 100 {
					v.add(ap+".scale", "评价等级上限须在 1–100 之间", "scale must be 1..100")
					ca.scale = 3
				}
				if len(a.Descriptors) > 0 && len(a.Descriptors) != ca.scale+1 {
					v.add(ap+".descriptors", "描述须有 %d 条（0–%d 分各一条）", "need %d descriptors (one per score 0..%d)", ca.scale+1, ca.scale)
				}
				ca.k = newRat(int64(a.Max), mul64(int64(ca.scale), DecimalScale))
			case Deduction:
				if a.Unit != nil {
					if *a.Unit <= 0 {
						v.add(ap+".unit", "每次扣分须大于 0", "unit must be > 0")
					} else {
						ca.k = ratFactor(*a.Unit)
					}
				}
			case Veto:
				cm.hasVeto = true
				if a.Max != 0 {
					v.add(ap+".max", "否决项没有分值（max 须为 0 或省略）", "a veto aspect has no marks (max must be 0 or omitted)")
				}
				ca.effect, ca.trigger = a.Effect, a.Trigger
				if ca.trigger == "" {
					ca.trigger = "majority"
				}
				if ca.effect != "zero_module" && ca.effect != "disqualify" {
					v.add(ap+".effect", "否决效果须为 zero_module（本模块记零分）或 disqualify（取消资格）", "effect must be zero_module or disqualify")
				}
				if ca.trigger != "any" && ca.trigger != "majority" && ca.trigger != "all" {
					v.add(ap+".trigger", "trigger 须为 any、majority 或 all", "trigger must be any, majority or all")
				}
				if a.Multiplier {
					v.add(ap+".multiplier", "否决项不能有系数", "a veto aspect takes no multiplier")
				}
				if a.Panel != nil {
					v.add(ap+".panel", "否决项按 trigger 判定，不能有 panel", "a veto aspect is decided by its trigger and takes no panel")
				}
				if cm.status && ca.effect == "zero_module" {
					v.add(ap+".effect", "状态模块不计分，其否决项须为 disqualify", "a status module scores nothing: its veto must disqualify")
				}
			default:
				v.add(ap+".kind", "未知评分项类型 %q（measurement、judgement、deduction、veto）", "unknown aspect kind %q (measurement, judgement, deduction, veto)", a.Kind)
			}
			c.aspects = append(c.aspects, ca)
		}
		cm.ruleText = panelText(&cm, c.aspects[cm.first:])
		if len(m.Aspects) > 0 && m.Max > 0 && !cm.dedOnly && sumMax != m.Max {
			v.add(p+".aspects", "评分项分值之和 %s 不等于模块满分 %s", "aspect marks add up to %s, not the module max %s", sumMax, m.Max)
		}
		c.mods = append(c.mods, cm)
	}
	r.compileUnits(v, c)
	if nWeight > 0 && nFactor > 0 {
		v.add("modules", "所有模块须统一使用 weight 或 factor", "use weight on every module or factor on every module")
	}
	c.weighted = nWeight > 0 && nFactor == 0
	if c.weighted && weightSum != Points(100) {
		v.add("modules", "模块权重之和为 %s%%，应为 100%%", "module weights add up to %s%%, not 100%%", weightSum)
	}
	for _, part := range []string{PartTheory, PartPractical, PartReview, PartOther} {
		found := false
		for i, m := range r.Modules {
			if m.Part == part && !c.mods[i].status {
				found = true
			}
		}
		if !found {
			continue
		}
		c.parts = append(c.parts, part)
		if c.weighted && partWeights[part] > 0 {
			c.partWeight[part] = ratFactor(partWeights[part])
		} else {
			c.partWeight[part] = rat{1, 1}
		}
	}
}

func validateMeasure(v *validator, p string, ms *Measure, max Decimal) {
	if ms.Min != nil && ms.Max != nil && *ms.Min > *ms.Max {
		v.add(p+".min", "测量范围下限大于上限", "min is above max")
	}
	if ms.Step != nil && *ms.Step <= 0 {
		v.add(p+".step", "步长须大于 0", "step must be > 0")
	}
	if ms.Direct {
		if len(ms.Bands) > 0 {
			v.add(p+".bands", "direct 与 bands 只能填一个", "give direct or bands, not both")
		}
		if ms.Linear != nil {
			v.add(p+".linear", "direct 与 linear 只能填一个", "give direct or linear, not both")
		}
		// a negative min is the rule's statement that the marks are signed
		if ms.Min == nil || ms.Max == nil || *ms.Min < -max || *ms.Max > max {
			v.add(p+".max", "direct 测量须给出 min、max，且在 −%s–%s 之内（min 小于 0 表示可为负）", "a direct measure needs min and max within -%s..%s (a min below 0 makes it signed)", max, max)
		}
		return
	}
	lowest := Decimal(0)
	if ms.Min != nil && *ms.Min < 0 {
		lowest = -max
	}
	if ms.Linear != nil {
		if len(ms.Bands) > 0 {
			v.add(p+".bands", "bands 与 linear 只能填一个", "give bands or linear, not both")
		}
		validateLinear(v, p+".linear", ms, lowest, max)
		return
	}
	if len(ms.Bands) == 0 {
		v.add(p+".bands", "至少需要一个分段（或 direct、linear）", "at least one band is required (or direct, linear)")
	}
	lo := func(b Band) Decimal {
		if b.From == nil {
			return Decimal(-1 << 63)
		}
		return *b.From
	}
	hi := func(b Band) Decimal {
		if b.To == nil {
			return Decimal(1<<63 - 1)
		}
		return *b.To
	}
	for i, b := range ms.Bands {
		bp := fmt.Sprintf("%s.bands[%d]", p, i)
		if lo(b) >= hi(b) {
			v.add(bp, "分段下限须小于上限", "from must be below to")
		}
		if b.Marks < lowest || b.Marks > max {
			v.add(bp+".marks", "分段得分 %s 超出 %s–%s（min 小于 0 的测量才可为负分）", "band marks %s outside %s..%s (only a measure with min below 0 gives negative marks)", b.Marks, lowest, max)
		}
		for j := 0; j < i; j++ {
			o := ms.Bands[j]
			if lo(b) < hi(o) && lo(o) < hi(b) {
				v.add(bp, "与 bands[%d] 重叠", "overlaps bands[%d]", j)
			}
		}
	}
}

func (r *Rules) compileTieBreaks(v *validator, c *compiled) {
	seen := map[string]bool{}
	for i, t := range r.TieBreaks {
		p := fmt.Sprintf("tie_breaks[%d]", i)
		if seen[t] {
			v.add(p, "重复的并列规则 %q", "duplicate tie-break %q", t)
		}
		seen[t] = true
		switch {
		case t == "total":
			if i != 0 {
				v.add(p, "total 只能是第一个", "total can only come first")
			}
		case t == "completion_time":
			c.tie = append(c.tie, tieKey{kind: t, raw: t})
		case t == PartTheory || t == PartPractical || t == PartReview || t == PartOther:
			if _, ok := c.partWeight[t]; !ok {
				v.add(p, "没有属于 %q 的模块", "no module has part %q", t)
			}
			c.tie = append(c.tie, tieKey{kind: "part", part: t, raw: t})
		case strings.HasPrefix(t, "module:"):
			code := strings.TrimPrefix(t, "module:")
			mi, ok := c.modules[code]
			if !ok {
				v.add(p, "未知模块 %q", "unknown module %q", code)
			}
			c.tie = append(c.tie, tieKey{kind: "module", module: mi, raw: t})
		default:
			v.add(p, "未知并列规则 %q（total、completion_time、theory、practical、review、module:代码）", "unknown tie-break %q (total, completion_time, theory, practical, review, module:CODE)", t)
		}
	}
}

func (r *Rules) compileAwards(v *validator, c *compiled) {
	a := r.Awards
	if a == nil {
		return
	}
	if r.Kind == Assessment {
		v.add("awards", "等级认定没有奖项", "an assessment has no awards")
	}
	if a.Counting != "" && a.Counting != "per_band" && a.Counting != "cumulative" {
		v.add("awards.counting", "须为 per_band 或 cumulative", "must be per_band or cumulative")
	}
	if a.Ties != "" && a.Ties != "include" && a.Ties != "exclude" {
		v.add("awards.ties", "须为 include 或 exclude", "must be include or exclude")
	}
	compileAwardBase(v, a)
	if len(a.Bands) == 0 {
		v.add("awards.bands", "至少需要一个奖项", "at least one band is required")
	}
	var pct Decimal
	hasPct := false
	for i, b := range a.Bands {
		p := fmt.Sprintf("awards.bands[%d]", i)
		if b.Code == "" || b.Name == "" {
			v.add(p, "奖项须有 code 与 name", "a band needs code and name")
		}
		if _, dup := c.awardBands[b.Code]; dup {
			v.add(p+".code", "奖项代码 %q 重复", "duplicate band code %q", b.Code)
		}
		c.awardBands[b.Code] = i
		n := 0
		if b.Percent != nil {
			n++
			hasPct = true
			if *b.Percent <= 0 {
				v.add(p+".percent", "比例须大于 0", "percent must be > 0")
			}
			pct += *b.Percent
		}
		if b.Count != nil {
			n++
			if *b.Count < 0 {
				v.add(p+".count", "名额不能为负", "count must not be negative")
			}
		}
		if b.UntilPercent != nil {
			n++
			hasPct = true
			if *b.UntilPercent <= 0 || *b.UntilPercent > Points(100) {
				v.add(p+".until_percent", "须在 0–100 之间", "must be in (0, 100]")
			}
		}
		if n != 1 {
			v.add(p, "percent、count、until_percent 须且只能填一个", "exactly one of percent, count, until_percent")
		}
	}
	if pct > Points(100) {
		v.add("awards.bands", "获奖比例之和 %s%% 超过 100%%", "award percentages add up to %s%%, over 100%%", pct)
	}
	if hasPct {
		if a.CountRounding == nil {
			v.add("awards.count_rounding", "按比例设奖时须说明名额取整方式", "proportional bands need count_rounding")
		} else {
			v.rounding("awards.count_rounding", a.CountRounding, true)
			if a.CountRounding.Places != 0 {
				v.add("awards.count_rounding.places", "名额取整须到整数（places 为 0）", "counts round to whole numbers (places 0)")
			}
		}
	}
}

func (r *Rules) compilePromotion(v *validator, c *compiled) {
	pr := r.Promotion
	if pr == nil {
		return
	}
	steps := pr.Rules
	if pr.Preset != "" {
		if len(pr.Rules) > 0 {
			v.add("promotion", "preset 与 rules 只能填一个", "give preset or rules, not both")
		}
		ps, ok := PromotionPreset(pr.Preset, pr.Cap)
		if !ok {
			v.add("promotion.preset", "未知晋升预设 %q", "unknown promotion preset %q", pr.Preset)
		}
		steps = ps
	} else if len(steps) == 0 {
		v.add("promotion.rules", "须给出 preset 或 rules", "preset or rules is required")
	}
	if !pr.Cap.ValidOrNone() {
		v.add("promotion.cap", "未知等级 %d"+levelRange, "unknown level %d (codes 1..8)", pr.Cap)
	}
	if pr.RequirePass && r.Pass == nil {
		v.add("promotion.require_pass", "要求合格但未定义合格规则 pass", "require_pass needs pass rules")
	}
	path := func(i int) string {
		if pr.Preset != "" {
			return fmt.Sprintf("promotion.preset(%s)[%d]", pr.Preset, i)
		}
		return fmt.Sprintf("promotion.rules[%d]", i)
	}
	for i, s := range steps {
		p := path(i)
		r.checkGroupRef(v, c, p+".group", s.Group)
		sel := 0
		if s.Ranks != nil {
			sel++
			if s.Ranks.From < 1 || s.Ranks.To < s.Ranks.From {
				v.add(p+".ranks", "名次范围无效 %d–%d", "invalid rank range %d-%d", s.Ranks.From, s.Ranks.To)
			}
		}
		if len(s.Awards) > 0 {
			sel++
			for _, a := range s.Awards {
				if _, ok := c.awardBands[a]; !ok && a != "*" {
					v.add(p+".awards", "未知奖项 %q", "unknown award %q", a)
				}
			}
		}
		if s.Passed {
			sel++
			if r.Pass == nil {
				v.add(p+".passed", "未定义合格规则 pass", "no pass rules are defined")
			}
		}
		if sel != 1 {
			v.add(p, "ranks、awards、passed 须且只能填一个", "exactly one of ranks, awards, passed")
		}
		switch {
		case s.To != 0 && s.Up != 0:
			v.add(p, "to 与 up 只能填一个", "give to or up, not both")
		case s.To != 0:
			if !s.To.Valid() {
				v.add(p+".to", "未知等级 %d"+levelRange, "unknown level %d (codes 1..8)", s.To)
			}
		case s.Up != 0:
			// At most from the lowest level to the highest.
			if most := len(levels.All()) - 1; s.Up < 1 || s.Up > most {
				v.add(p+".up", "up 须在 1–%d 之间", "up must be 1..%d", most)
			}
		default:
			v.add(p, "须给出 to（晋升到的等级）或 up（升几级）", "to or up is required")
		}
		if !s.Cap.ValidOrNone() {
			v.add(p+".cap", "未知等级 %d"+levelRange, "unknown level %d (codes 1..8)", s.Cap)
		}
		if s.Cap != levels.None && s.To.Above(s.Cap) {
			v.add(p+".to", "目标等级 %s 高于上限 %s", "target %s is above the cap %s", s.To, s.Cap)
		}
		if !s.NoneTo.ValidOrNone() {
			v.add(p+".none_to", "未知等级 %d"+levelRange, "unknown level %d (codes 1..8)", s.NoneTo)
		}
		if s.Already != "" && s.Already != "none" && s.Already != "up" {
			v.add(p+".already", "须为 none 或 up", "must be none or up")
		}
		if s.Ranks != nil {
			for j := 0; j < i; j++ {
				o := steps[j]
				if o.Ranks == nil || (o.Group != s.Group && o.Group != "" && s.Group != "") {
					continue
				}
				if s.Ranks.From <= o.Ranks.To && o.Ranks.From <= s.Ranks.To {
					v.add(p+".ranks", "名次 %d–%d 与 %s 的 %d–%d 重叠", "ranks %d-%d overlap %s ranks %d-%d", s.Ranks.From, s.Ranks.To, path(j), o.Ranks.From, o.Ranks.To)
				}
			}
		}
	}
	c.promo = slices.Clone(steps)
}

// Hint says what a judge writes for this aspect, as the paper score sheet
// and the paper entry page print it beside the box.
func (a Aspect) Hint() string {
	switch a.Kind {
	case Judgement:
		scale := a.Scale
		if scale == 0 {
			scale = 3
		}
		return fmt.Sprintf("0～%d 整数", scale)
	case Measurement:
		if a.Measure == nil {
			return "1 达到 / 0 未达到"
		}
		return "测量值 " + a.Measure.Unit
	case Deduction:
		if a.Unit != nil {
			if a.CountUnit != "" {
				return "扣分" + a.CountUnit + "数"
			}
			return "扣分次数"
		}
		return "扣分值"
	case Veto:
		return "1 触发 / 0 未触发"
	}
	return ""
}

// EntryText prints one judge's stored entry for this aspect as the rubric
// reads it, for the filled score sheet and the audit page alike.
func (a Aspect) EntryText(v Decimal) string {
	switch a.Kind {
	case Veto:
		if v != 0 {
			return "触发"
		}
		return "未触发"
	case Measurement:
		switch {
		case a.Measure == nil && v != 0:
			return "达到"
		case a.Measure == nil:
			return "未达到"
		case a.Measure.Unit != "":
			return v.String() + " " + a.Measure.Unit
		}
	case Deduction:
		if a.Unit != nil {
			u := a.CountUnit
			if u == "" {
				u = "次"
			}
			return v.String() + " " + u
		}
		return "扣 " + v.String() + " 分"
	}
	return v.String()
}

// CheckValue reports whether v is an acceptable value for one judge's mark
// on this aspect: 0..scale whole numbers for judgement, 0/1 for a met-or-not
// measurement or a veto, the stated range for a measured value, 0..max
// points (or a whole count within max) for a deduction.
func (a Aspect) CheckValue(v Decimal) (err error) {
	bad := func(zh, en string, args ...any) error {
		return &ValueError{Aspect: a.Code, Value: v, Message: fmt.Sprintf(zh, args...), English: fmt.Sprintf(en, args...)}
	}
	switch a.Kind {
	case Judgement:
		scale := a.Scale
		if scale == 0 {
			scale = 3
		}
		if v < 0 || v > Points(int64(scale)) || v%DecimalScale != 0 {
			return bad("评价分须为 0–%d 的整数", "a judgement mark must be a whole number 0..%d", scale)
		}
	case Measurement:
		if a.Measure == nil {
			if v != 0 && v != Points(1) {
				return bad("客观项须为 0（未达到）或 1（达到）", "a met-or-not measurement is 0 or 1")
			}
			return nil
		}
		if (a.Measure.Min != nil && v < *a.Measure.Min) || (a.Measure.Max != nil && v > *a.Measure.Max) {
			return bad("测量值超出允许范围", "measured value outside the accepted range")
		}
		if st := a.Measure.Step; st != nil && *st > 0 && v%*st != 0 {
			return bad("测量值须为 %s 的整数倍", "value must be a multiple of %s", *st)
		}
	case Deduction:
		defer func() {
			if r := recover(); r != nil {
				if _, ok := r.(overflowPanic); !ok {
					panic(r)
				}
				err = bad("扣分超出范围", "deduction out of range")
			}
		}()
		if v < 0 {
			return bad("扣分不能为负", "a deduction cannot be negative")
		}
		if a.Unit != nil && *a.Unit > 0 {
			if v%DecimalScale != 0 {
				return bad("扣分次数须为整数", "a deduction count must be a whole number")
			}
			if ratFromDecimal(v).mul(ratFactor(*a.Unit)).cmp(ratFromDecimal(a.Max)) > 0 {
				return bad("扣分超过本项上限 %s", "deduction exceeds the aspect maximum %s", a.Max)
			}
			return nil
		}
		if v > a.Max {
			return bad("扣分超过本项上限 %s", "deduction exceeds the aspect maximum %s", a.Max)
		}
	case Veto:
		if v != 0 && v != Points(1) {
			return bad("否决项须为 0（未触发）或 1（触发）", "a veto mark is 0 (not triggered) or 1 (triggered)")
		}
	default:
		return bad("未知评分项类型", "unknown aspect kind")
	}
	return nil
}

// ValueError is an out-of-range mark.
type ValueError struct {
	Aspect  string
	Value   Decimal
	Message string // Simplified Chinese
	English string
}

func (e *ValueError) Error() string {
	return fmt.Sprintf("aspect %s value %s: %s / %s", e.Aspect, e.Value, e.Message, e.English)
}

// moduleShape tells a status module (aspects, all vetoes) and a module of
// deductions only (deductions and possibly vetoes) from a scoring one.
func moduleShape(m *Module) (status, dedOnly bool) {
	if m.Imported || len(m.Aspects) == 0 {
		return false, false
	}
	nVeto, nDed := 0, 0
	for _, a := range m.Aspects {
		switch a.Kind {
		case Veto:
			nVeto++
		case Deduction:
			nDed++
		}
	}
	return nVeto == len(m.Aspects), nDed > 0 && nVeto+nDed == len(m.Aspects)
}

func effDrop(a *Aspect, p Panel) int {
	if a.Panel != nil && (a.Panel.Drop != 0 || a.Panel.Method != "") {
		return a.Panel.Drop
	}
	return p.Drop
}

func effMethod(a *Aspect, p Panel) string {
	if a.Panel != nil && a.Panel.Method != "" {
		return a.Panel.Method
	}
	return p.Method
}

// compileAspectPanel merges an aspect's panel override into ca.panel. A
// method given without drop drops nothing: the override is read as a whole
// rule, not mixed with the module's drop.
func compileAspectPanel(v *validator, path string, ap *AspectPanel, ca *caspect, byModule bool) {
	p := ca.panel
	p.Judges = ca.judges // the aspect's own judges, when it states them
	if byModule {
		v.add(path, "按模块汇总（level: module）时评分项不能有自己的 panel", "per-module panels (level module) allow no aspect panel")
	}
	if ap.Judges != 0 {
		p.Judges = ap.Judges
		ca.judges = ap.Judges
	}
	if ap.Method != "" {
		p.Method, p.Drop = ap.Method, ap.Drop
	} else if ap.Drop != 0 {
		p.Drop = ap.Drop
	}
	if ap.MinJudges != 0 {
		p.MinJudges = ap.MinJudges
	}
	if ap.Rounding != nil {
		p.Rounding = ap.Rounding
	}
	ca.panel = p
	switch p.Method {
	case "mean", "sum":
	case "median":
		if p.Drop != 0 {
			v.add(path+".drop", "中位数不需要去掉最高最低分", "median takes no drop")
		}
	default:
		v.add(path+".method", "method 须为 mean、median 或 sum，得到 %q", "method must be mean, median or sum, got %q", p.Method)
	}
	if p.Judges < 1 {
		v.add(path+".judges", "裁判人数须 ≥ 1", "judges must be >= 1")
	} else if p.Drop < 0 || p.Judges-2*p.Drop < 1 {
		v.add(path+".drop", "去掉最高最低各 %d 个后，%d 名裁判不剩分数", "dropping %d highest and lowest leaves no mark of %d judges", p.Drop, p.Judges)
	}
	if p.MinJudges < 1 || p.MinJudges > max(ca.judges, 1) {
		v.add(path+".min_judges", "min_judges 须在 1 与裁判人数之间", "min_judges must be 1..judges")
	}
	v.rounding(path+".rounding", ap.Rounding, false)
}

// validateLinear checks a linear measure: a stated rounding, a non-zero
// slope, and marks that stay within lowest..max over the accepted values
// (after floor and cap), so the aspect's max still bounds it.
func validateLinear(v *validator, p string, ms *Measure, lowest, max Decimal) {
	l := ms.Linear
	v.rounding(p+".rounding", l.Rounding, true)
	if l.Per == 0 {
		v.add(p+".per", "每单位分值 per 不能为 0", "per must not be 0")
	}
	if l.Floor != nil && l.Cap != nil && *l.Floor > *l.Cap {
		v.add(p+".floor", "floor 大于 cap", "floor is above cap")
	}
	if l.Rounding == nil || !l.Rounding.Mode.valid() || l.Per == 0 {
		return
	}
	// the end values of v that give the lowest and highest marks
	loV, hiV := ms.Min, ms.Max
	if l.Per < 0 {
		loV, hiV = hiV, loV
	}
	lo, hi := l.Floor, l.Cap
	if loV != nil {
		d := linearMarks(l, *loV)
		lo = &d
	}
	if hiV != nil {
		d := linearMarks(l, *hiV)
		hi = &d
	}
	if lo == nil {
		v.add(p+".floor", "须给出 floor，或给出 measure 的 min/max 使最低得分有界", "give floor, or measure min/max so that the lowest marks are bounded")
	} else if *lo < lowest {
		v.add(p, "最低得分 %s 低于 %s（min 小于 0 的测量才可为负分，否则用 floor: 0）", "lowest marks %s below %s (only a measure with min below 0 gives negative marks; else use floor 0)", *lo, lowest)
	}
	if hi == nil {
		v.add(p+".cap", "须给出 cap，或给出 measure 的 min/max 使最高得分有界", "give cap, or measure min/max so that the highest marks are bounded")
	} else if *hi > max {
		v.add(p, "最高得分 %s 超过本项分值 %s（调高 max 或给出 cap）", "highest marks %s exceed the aspect max %s (raise max or give cap)", *hi, max)
	}
}

// linearMarks is base + (v − K) × per, rounded as stated, within floor and
// cap. Exact: the product is formed as a fraction before the one rounding.
func linearMarks(l *Linear, v Decimal) Decimal {
	d := linearExact(l, v).mustRound(l.Rounding.Places, l.Rounding.Mode)
	if l.Floor != nil && d < *l.Floor {
		d = *l.Floor
	}
	if l.Cap != nil && d > *l.Cap {
		d = *l.Cap
	}
	return d
}

// compileUnits resolves the running-total units: consecutive modules with
// one unit label form a unit; a module without a label is a unit alone.
func (r *Rules) compileUnits(v *validator, c *compiled) {
	c.modUnit = make([]int, len(r.Modules))
	if !r.RunningTotals {
		for i, m := range r.Modules {
			if m.Unit != "" {
				v.add(fmt.Sprintf("modules[%d].unit", i), "unit 只在 running_totals: true 时有意义", "unit needs running_totals: true")
			}
		}
		return
	}
	seen := map[string]bool{}
	for i, m := range r.Modules {
		u := m.Unit
		if u == "" {
			u = m.Code
		}
		if n := len(c.units); n > 0 && c.units[n-1] == u && (m.Unit != "" && r.Modules[i-1].Unit == m.Unit) {
			c.modUnit[i] = n - 1
			continue
		}
		if seen[u] {
			v.add(fmt.Sprintf("modules[%d].unit", i), "单元 %q 的模块须前后相连", "the modules of unit %q must be consecutive", u)
		}
		seen[u] = true
		c.modUnit[i] = len(c.units)
		c.units = append(c.units, u)
	}
}

func linearExact(l *Linear, v Decimal) rat {
	return ratFromDecimal(l.Base).add(ratFromDecimal(v - l.K).mul(ratFactor(l.Per)))
}
