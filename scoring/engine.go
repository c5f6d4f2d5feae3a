package scoring

import (
	"cmp"
	"slices"
	"strconv"
)

// engine holds the compiled rules and the judge-name table for one
// computation (or one Standings); nothing in it is shared between calls.
type engine struct {
	r        *Rules
	c        *compiled
	year     int
	nSlots   int   // aspects plus one slot per imported module
	impSlot  []int // module → its slot, -1 when not imported
	slotMod  []int
	judgeIdx map[string]int32
	judges   []string
	// scratch buffers reused across contestants
	buf  []entry
	buf2 []entry
	// slabs for explanations
	jmSlab []JudgeMark
	asSlab []AspectScore
	// byPlace: ranks are the rounds' final places (placeByRounds)
	byPlace bool
	// seated is each module's full panel for this event when its rule
	// states a range (Panel.SeatedMin), 0 = the rule's judges
	seated []int
	// carried holds Input.Carried; a contestant's carry indexes it
	carried []CarriedPart
}

type jmark struct {
	judge int32
	v     Decimal
	mult  Decimal
}

type entry struct {
	v       rat
	judge   int32 // -1 for a filled-in missing judge
	pos     int32 // index in the slot's marks, -1 filled (int32 keeps entry at 32 bytes for the sort)
	dropped bool
}

type mstate struct {
	pos, ded rat // aspect marks earned and deductions, for the explanation
	score    rat
	contrib  rat
	complete bool
	vetoed   bool
}

type cstate struct {
	idx      int // position in Input.Contestants
	c        Contestant
	group    int
	marks    [][]jmark // per slot
	recused  [][]int32 // per module
	mods     []mstate
	parts    []rat // per compiled part
	exact    rat   // unrounded total
	total    Decimal
	disq     bool
	disqBy   int // slot of the veto that disqualified
	complete bool
	// ranking
	rank    int
	shared  bool
	decided int // tie-break index that separated it from an equal total above, -1 none
	award   int // band index, -1 none
	pos     int // position in its ranking list
	// rounds (placeByRounds): the final place over all rounds, 0 = none
	place       int
	placeShared bool
	// absent marks the modules not sat (Input.Absences), nil when none
	absent []bool
	// carry is, per compiled part, 1 + the index of its carried part in
	// engine.carried (Input.Carried), 0 when not carried; nil when none
	carry []int32
}

func newEngine(r *Rules, year int) (*engine, error) {
	c := r.c
	if c == nil {
		var probs []Problem
		c, probs = r.compile()
		if len(probs) > 0 {
			return nil, &RulesError{Problems: probs}
		}
	}
	if year == 0 {
		year = r.Year
	}
	e := &engine{r: r, c: c, year: year, judgeIdx: map[string]int32{}}
	e.nSlots = len(c.aspects)
	e.impSlot = make([]int, len(c.mods))
	e.slotMod = make([]int, 0, len(c.aspects)+len(c.mods))
	for _, a := range c.aspects {
		e.slotMod = append(e.slotMod, a.mod)
	}
	for i, m := range c.mods {
		e.impSlot[i] = -1
		if m.m.Imported {
			e.impSlot[i] = e.nSlots
			e.nSlots++
			e.slotMod = append(e.slotMod, i)
		}
	}
	return e, nil
}

func (e *engine) judge(name string) int32 {
	// A panel has a handful of judges: comparing a few short strings is
	// cheaper than hashing, and this runs once per mark.
	if len(e.judges) <= 16 {
		for j, n := range e.judges {
			if n == name {
				return int32(j)
			}
		}
	} else if j, ok := e.judgeIdx[name]; ok {
		return j
	}
	j := int32(len(e.judges))
	e.judges = append(e.judges, name)
	e.judgeIdx[name] = j
	return j
}

func (e *engine) judgeName(j int32) string {
	if j < 0 {
		return ""
	}
	return e.judges[j]
}

func markErr(i int, zh, en string, args ...any) *InputError {
	v := &validator{}
	v.add("", zh, en, args...)
	return &InputError{Kind: "mark", Index: i, Message: v.probs[0].Message, English: v.probs[0].English}
}

// slotOf resolves a mark's module and aspect to a slot.
func (e *engine) slotOf(i int, m *Mark) (int, error) {
	mi, ok := e.c.modules[m.Module]
	if !ok {
		return 0, markErr(i, "未知模块 %q", "unknown module %q", m.Module)
	}
	cm := &e.c.mods[mi]
	if cm.m.Imported {
		if m.Aspect != "" || m.Judge != "" {
			return 0, markErr(i, "模块 %s 为导入成绩，评分项与裁判须为空", "module %s is imported: aspect and judge must be empty", m.Module)
		}
		lo := Decimal(0)
		if cm.m.Signed {
			lo = -cm.m.Max
		}
		if m.Value < lo || m.Value > cm.m.Max {
			return 0, markErr(i, "模块 %s 成绩 %s 超出 %s–%s", "module %s score %s outside %s..%s", m.Module, m.Value, lo, cm.m.Max)
		}
		if m.Multiplier != 0 {
			return 0, markErr(i, "导入成绩不能带系数", "an imported score takes no multiplier")
		}
		return e.impSlot[mi], nil
	}
	s, ok := cm.aspIdx[m.Aspect]
	if !ok {
		return 0, markErr(i, "模块 %s 中没有评分项 %q", "module %s has no aspect %q", m.Module, m.Aspect)
	}
	if m.Judge == "" {
		return 0, markErr(i, "缺少裁判", "judge is required")
	}
	a := e.c.aspects[s].a
	if err := a.CheckValue(m.Value); err != nil {
		ve := err.(*ValueError)
		return 0, &InputError{Kind: "mark", Index: i, Message: "评分项 " + m.Module + "/" + m.Aspect + " 的值 " + m.Value.String() + "：" + ve.Message, English: "aspect " + m.Module + "/" + m.Aspect + " value " + m.Value.String() + ": " + ve.English}
	}
	if m.Multiplier < 0 || m.Multiplier != 0 && !a.Multiplier {
		return 0, markErr(i, "评分项 %s/%s 不接受系数 %s", "aspect %s/%s takes no multiplier %s", m.Module, m.Aspect, m.Multiplier)
	}
	return s, nil
}

// addMark checks a mark against the ones already in its slot (duplicates,
// panel size, multiplier agreement) and returns the position to write.
// replace allows a judge to change their own mark (Standings).
func (e *engine) checkSlot(i int, cs *cstate, slot int, jm jmark, m *Mark, replace bool) (pos int, err error) {
	ms := cs.marks[slot]
	pos = -1
	for k, o := range ms {
		if o.judge == jm.judge {
			if !replace {
				if m.Judge == "" {
					return 0, markErr(i, "选手 %s 模块 %s 的成绩重复", "duplicate score for contestant %s module %s", m.Contestant, m.Module)
				}
				return 0, markErr(i, "重复评分：选手 %s %s/%s 裁判 %s", "duplicate mark: contestant %s %s/%s judge %s", m.Contestant, m.Module, m.Aspect, m.Judge)
			}
			pos = k
		} else if jm.mult != 0 && o.mult != 0 && o.mult != jm.mult {
			return 0, markErr(i, "同一表现的系数不一致：%s 与 %s", "multipliers disagree for one performance: %s and %s", o.mult, jm.mult)
		}
	}
	mi := e.slotMod[slot]
	for _, r := range cs.recused[mi] {
		if r == jm.judge {
			return 0, markErr(i, "裁判 %s 已回避选手 %s 的模块 %s", "judge %s is recused from contestant %s module %s", m.Judge, m.Contestant, m.Module)
		}
	}
	if pos < 0 && slot < len(e.c.aspects) && len(ms) >= e.c.aspects[slot].judges {
		return 0, markErr(i, "评分项 %s/%s 的裁判超过 %d 名", "more than %d judges on aspect %s/%s", e.c.aspects[slot].judges, m.Module, m.Aspect)
	}
	return pos, nil
}

func (e *engine) groupOf(i int, c *Contestant) (int, error) {
	bad := func(zh, en string, args ...any) error {
		v := &validator{}
		v.add("", zh, en, args...)
		return &InputError{Kind: "contestant", Index: i, Message: v.probs[0].Message, English: v.probs[0].English}
	}
	if c.ID == "" {
		return 0, bad("缺少选手编号", "contestant id is required")
	}
	if !c.Level.ValidOrNone() {
		return 0, bad("选手 %s 的等级 %d 未知（代码 0–8）", "contestant %s has unknown level %d (codes 0..8)", c.ID, c.Level)
	}
	if !c.TargetLevel.ValidOrNone() {
		return 0, bad("选手 %s 的申报等级 %d 未知", "contestant %s has unknown target level %d", c.ID, c.TargetLevel)
	}
	if c.CompletionTime < 0 {
		return 0, bad("选手 %s 的完成用时为负", "contestant %s has a negative completion time", c.ID)
	}
	if len(e.r.Groups) == 0 {
		if c.Group != "" {
			return 0, bad("规则未设组别，选手 %s 的组别 %q 无效", "the rules define no groups; contestant %s has group %q", c.ID, c.Group)
		}
		return 0, nil
	}
	if c.Group == "" {
		if len(e.r.Groups) == 1 {
			return 0, nil
		}
		return 0, bad("选手 %s 缺少组别", "contestant %s has no group", c.ID)
	}
	g, ok := e.c.groups[c.Group]
	if !ok {
		return 0, bad("选手 %s 的组别 %q 未知", "contestant %s has unknown group %q", c.ID, c.Group)
	}
	return g, nil
}

// load builds the per-contestant states, grouping marks by slot with a
// counting sort so two million marks cost two passes and no per-mark
// allocation.
func (e *engine) load(in *Input) ([]*cstate, map[string]int, error) {
	nC := len(in.Contestants)
	states := make([]cstate, nC)
	ptrs := make([]*cstate, nC)
	ids := make(map[string]int, nC)
	for i := range in.Contestants {
		c := in.Contestants[i]
		g, err := e.groupOf(i, &c)
		if err != nil {
			return nil, nil, err
		}
		if err := checkStatus(i, &c); err != nil {
			return nil, nil, err
		}
		if _, dup := ids[c.ID]; dup {
			return nil, nil, &InputError{Kind: "contestant", Index: i, Message: "选手编号 " + c.ID + " 重复", English: "duplicate contestant " + c.ID}
		}
		ids[c.ID] = i
		states[i] = cstate{idx: i, c: c, group: g, recused: make([][]int32, len(e.c.mods)), mods: make([]mstate, len(e.c.mods)), parts: make([]rat, len(e.c.parts)), decided: -1, award: -1, disqBy: -1}
		ptrs[i] = &states[i]
	}
	for i, rc := range in.Recusals {
		ci, ok := ids[rc.Contestant]
		mi, ok2 := e.c.modules[rc.Module]
		if !ok || !ok2 || rc.Judge == "" {
			return nil, nil, &InputError{Kind: "recusal", Index: i, Message: "回避记录的选手、模块或裁判无效", English: "recusal has an unknown contestant, module or empty judge"}
		}
		cs := &states[ci]
		cs.recused[mi] = append(cs.recused[mi], e.judge(rc.Judge))
	}
	if err := e.loadCarried(in, ids, ptrs); err != nil {
		return nil, nil, err
	}
	// pass 1: resolve and count
	nS := e.nSlots
	key := make([]int32, len(in.Marks))
	counts := make([]int32, nC*nS+1)
	lastC, lastCI := "", -1
	lastM, lastMI := "", -1
	lastA, lastS := "", -1 // a panel's marks for one aspect usually come together
	okS, okV := -1, Decimal(0)
	for i := range in.Marks {
		m := &in.Marks[i]
		ci := lastCI
		if m.Contestant != lastC || ci < 0 {
			var ok bool
			ci, ok = ids[m.Contestant]
			if !ok {
				return nil, nil, markErr(i, "未知选手 %q", "unknown contestant %q", m.Contestant)
			}
			lastC, lastCI = m.Contestant, ci
		}
		var slot int
		if m.Module == lastM && lastMI >= 0 && !e.c.mods[lastMI].m.Imported {
			s, ok := lastS, lastS >= 0 && m.Aspect == lastA
			if !ok {
				s, ok = e.c.mods[lastMI].aspIdx[m.Aspect]
				if ok {
					lastA, lastS = m.Aspect, s
				}
			}
			if !ok || m.Judge == "" {
				var err error
				if slot, err = e.slotOf(i, m); err != nil {
					return nil, nil, err
				}
			} else {
				a := e.c.aspects[s].a
				// the check depends only on the aspect and the value: skip
				// it when the previous mark passed it with the same pair
				if s != okS || m.Value != okV {
					if err := a.CheckValue(m.Value); err != nil {
						_, err := e.slotOf(i, m)
						return nil, nil, err
					}
					okS, okV = s, m.Value
				}
				if m.Multiplier < 0 || m.Multiplier != 0 && !a.Multiplier {
					_, err := e.slotOf(i, m)
					return nil, nil, err
				}
				slot = s
			}
		} else {
			var err error
			if slot, err = e.slotOf(i, m); err != nil {
				return nil, nil, err
			}
			lastM, lastMI = m.Module, e.c.modules[m.Module]
			lastA, lastS = "", -1
		}
		k := ci*nS + slot
		key[i] = int32(k)
		counts[k+1]++
	}
	for k := 1; k < len(counts); k++ {
		counts[k] += counts[k-1]
	}
	slab := make([]jmark, len(in.Marks))
	fill := make([]int32, nC*nS)
	slotSlab := make([][]jmark, nC*nS)
	lastJ := int32(-1)
	for i := range in.Marks {
		m := &in.Marks[i]
		k := key[i]
		p := counts[k] + fill[k]
		fill[k]++
		// a panel's judges usually come in the same order for every aspect,
		// so the judge after the last one is the first guess
		j := lastJ + 1
		if int(j) >= len(e.judges) || e.judges[j] != m.Judge {
			j = e.judge(m.Judge)
		}
		lastJ = j
		slab[p] = jmark{judge: j, v: m.Value, mult: m.Multiplier}
	}
	for ci := range states {
		cs := &states[ci]
		cs.marks = slotSlab[ci*nS : (ci+1)*nS : (ci+1)*nS]
		for s := 0; s < nS; s++ {
			k := ci*nS + s
			lo, hi := counts[k], counts[k+1]
			cs.marks[s] = slab[lo:hi:hi]
		}
	}
	// pass 2: per-slot checks (duplicates, panel size, multipliers, recusals)
	if err := e.checkLoaded(ptrs, in, key, counts); err != nil {
		return nil, nil, err
	}
	if err := e.checkAbsences(in, ids, ptrs); err != nil {
		return nil, nil, err
	}
	return ptrs, ids, nil
}

func (e *engine) checkLoaded(states []*cstate, in *Input, key []int32, counts []int32) error {
	nS := e.nSlots
	for ci, cs := range states {
		for s := 0; s < nS; s++ {
			ms := cs.marks[s]
			if len(ms) == 0 {
				continue
			}
			limit := 1
			if s < len(e.c.aspects) {
				limit = e.c.aspects[s].judges
			}
			bad := len(ms) > limit
			var mult Decimal
			rec := cs.recused[e.slotMod[s]]
			for a := range ms {
				if ms[a].mult != 0 {
					if mult != 0 && mult != ms[a].mult {
						bad = true
					}
					mult = ms[a].mult
				}
				for b := 0; b < a && !bad; b++ {
					bad = ms[a].judge == ms[b].judge
				}
				for _, r := range rec {
					bad = bad || r == ms[a].judge
				}
			}
			if !bad {
				continue
			}
			// find the offending mark to report it precisely
			k := int32(ci*nS + s)
			tmp := cstate{marks: make([][]jmark, nS), recused: cs.recused}
			for i := range in.Marks {
				if key[i] != k {
					continue
				}
				m := &in.Marks[i]
				jm := jmark{judge: e.judgeIdx[m.Judge], v: m.Value, mult: m.Multiplier}
				if _, err := e.checkSlot(i, &tmp, s, jm, m, false); err != nil {
					return err
				}
				tmp.marks[s] = append(tmp.marks[s], jm)
			}
		}
	}
	_ = counts
	return nil
}

// Compute turns rules and marks into explained results. Contestants with no
// or partial marks are included (and ranked on what they have), their
// modules marked incomplete.
func Compute(r *Rules, in Input) (res *Result, err error) {
	defer catchOverflow(&err)
	e, err := newEngine(r, in.Year)
	if err != nil {
		return nil, err
	}
	states, ids, err := e.load(&in)
	if err != nil {
		return nil, err
	}
	xs := make([]ContestantResult, len(states))
	for i, cs := range states {
		e.score(cs, &xs[i])
	}
	if len(r.Rounds) > 0 {
		if err := e.placeByRounds(states, ids, xs, in.Advanced); err != nil {
			return nil, err
		}
	}
	lists := e.rank(states)
	return e.result(states, xs, lists), nil
}

// score computes one contestant's module scores, parts and total; with x
// non-nil it also writes the explanation into x.
func (e *engine) score(cs *cstate, x *ContestantResult) {
	c := e.c
	cs.disq, cs.disqBy = false, -1
	cs.complete = true
	total := ratZero
	for i := range cs.parts {
		cs.parts[i] = ratZero
	}
	var ms *ModuleScore
	if x != nil && x.Modules == nil {
		x.Modules = make([]ModuleScore, 0, len(c.mods))
	}
	for mi := range c.mods {
		cm := &c.mods[mi]
		if x != nil {
			x.Modules = append(x.Modules, ModuleScore{Code: cm.m.Code, Name: cm.m.Name, Part: cm.m.Part, Max: cm.m.Max, Reasons: make([]Reason, 0, 3)})
			ms = &x.Modules[len(x.Modules)-1]
		}
		st := e.scoreModule(cs, mi, ms)
		cs.mods[mi] = st
		if !st.complete {
			cs.complete = false
		}
		total = total.add(st.contrib)
		for pi, p := range c.parts {
			if p == cm.m.Part {
				cs.parts[pi] = cs.parts[pi].add(st.contrib)
			}
		}
	}
	cs.exact = total
	tr := e.r.Total.Rounding
	cs.total = total.mustRound(tr.Places, tr.Mode)
	for pi, p := range c.parts {
		v := cs.parts[pi]
		if c.weighted {
			v = v.mulInt(100).div(c.partWeight[p])
		}
		if e.r.Parts != nil && e.r.Parts.Rounding != nil {
			pr := e.r.Parts.Rounding
			v = ratFromDecimal(v.mustRound(pr.Places, pr.Mode))
		}
		cs.parts[pi] = v
	}
	if x != nil {
		e.explainTotal(cs, x)
	}
}

func (e *engine) scoreModule(cs *cstate, mi int, x *ModuleScore) mstate {
	cm := &e.c.mods[mi]
	if cp := e.carriedFor(cs, cm.m.Part); cp != nil {
		return e.scoreCarried(cs, mi, cp, x)
	}
	if cs.absent != nil && cs.absent[mi] {
		return e.scoreAbsent(mi, x)
	}
	st := mstate{complete: true, pos: ratZero, ded: ratZero}
	raw := ratZero
	if cm.m.Imported {
		ms := cs.marks[e.impSlot[mi]]
		if len(ms) == 0 {
			st.complete = false
			if x != nil {
				x.Reasons = append(x.Reasons, Reason{Code: "module.missing", Module: cm.m.Code, Text: cm.m.Name + "：尚无成绩，暂按 0 分计"})
			}
		} else {
			raw = ratFromDecimal(ms[0].v)
			if x != nil {
				x.Reasons = append(x.Reasons, Reason{Code: "module.imported", Module: cm.m.Code, Text: cm.m.Name + "：导入成绩 " + ms[0].v.String() + " 分"})
			}
		}
	} else {
		raw = e.moduleRaw(cs, mi, &st, x)
	}
	if cm.floor && raw.sign() < 0 {
		if x != nil {
			x.Reasons = append(x.Reasons, Reason{Code: "module.floor", Module: cm.m.Code, Text: cm.m.Name + "：扣分后为 " + fmtRat(raw) + "，按规则以 0 分为底"})
		}
		raw = ratZero
	}
	if st.vetoed {
		raw = ratZero
	}
	if cm.mult.d != 0 {
		v := raw.mul(cm.mult)
		if x != nil {
			x.Reasons = append(x.Reasons, Reason{Code: "module.multiplier", Module: cm.m.Code, Text: cm.m.Name + "：" + fmtRat(raw) + " × 固定系数 " + cm.m.Multiplier.String() + " = " + fmtRat(v)})
		}
		raw = v
	}
	if r := cm.m.Rounding; r != nil {
		d := raw.mustRound(r.Places, r.Mode)
		if x != nil && !raw.exact() || x != nil && Decimal(raw.n) != d {
			x.Reasons = append(x.Reasons, Reason{Code: "module.rounded", Module: cm.m.Code, Text: cm.m.Name + "：模块成绩 " + fmtRat(raw) + " " + roundText(r) + "为 " + d.Format(r.Places)})
		}
		raw = ratFromDecimal(d)
	}
	st.score = raw
	st.contrib = raw.mul(cm.contrib)
	if r := cm.m.ContributionRounding; r != nil {
		st.contrib = ratFromDecimal(st.contrib.mustRound(r.Places, r.Mode))
	}
	if x != nil {
		x.Score, x.ScoreExact = st.score.display()
		x.Contribution, x.ContributionExact = st.contrib.display()
		x.Complete, x.Vetoed = st.complete, st.vetoed
		e.explainModule(cm, st, x)
	}
	return st
}

// moduleRaw is the module score before floor, veto zeroing and rounding.
func (e *engine) moduleRaw(cs *cstate, mi int, st *mstate, x *ModuleScore) rat {
	cm := &e.c.mods[mi]
	n := len(cm.m.Aspects)
	nRec := len(cs.recused[mi])
	st.pos, st.ded = ratZero, ratZero
	for s := cm.first; s < cm.first+n; s++ {
		ca := &e.c.aspects[s]
		ms := cs.marks[s]
		expected := max(e.aspectJudges(ca)-nRec, 0)
		if len(ms) < expected {
			st.complete = false
		}
		var as *AspectScore
		if x != nil {
			if x.Aspects == nil {
				x.Aspects = e.takeAspects(n)
			}
			// written in place: copying a whole AspectScore into the slab
			// costs a write barrier per pointer
			x.Aspects = x.Aspects[:len(x.Aspects)+1]
			as = &x.Aspects[len(x.Aspects)-1]
			as.Code, as.Name, as.Kind, as.Complete = ca.a.Code, ca.a.Name, ca.a.Kind, len(ms) >= expected
		}
		if ca.a.Kind == Veto {
			if e.vetoTriggered(ca, ms, as) {
				if ca.effect == "disqualify" {
					cs.disq, cs.disqBy = true, s
				} else {
					st.vetoed = true
				}
			}
			continue
		}
		if cm.byModule {
			if x != nil {
				e.explainMarks(ca, ms, nil, as)
			}
			continue
		}
		v := e.aggregateAspect(ca, &ca.panel, ms, expected, as)
		if ca.a.Kind == Deduction {
			st.ded = st.ded.add(v)
		} else {
			st.pos = st.pos.add(v)
		}
	}
	if cm.byModule && !cm.status { // a status module has no subtotals to aggregate
		v := e.aggregateModule(cs, mi, st, x)
		if cm.dedOnly && cm.m.DeductionsFrom == "max" {
			v = v.add(ratFromDecimal(cm.m.Max))
		}
		return v
	}
	if cm.dedOnly && cm.m.DeductionsFrom == "max" {
		st.pos = ratFromDecimal(cm.m.Max)
	}
	return st.pos.sub(st.ded)
}

func (e *engine) vetoTriggered(ca *caspect, ms []jmark, as *AspectScore) bool {
	t := 0
	for _, m := range ms {
		if m.v != 0 {
			t++
		}
	}
	n := len(ms)
	var hit bool
	switch ca.trigger {
	case "any":
		hit = t > 0
	case "all":
		hit = n > 0 && t == n
	default:
		hit = 2*t > n
	}
	if as != nil {
		as.Triggered = hit
		e.explainMarks(ca, ms, nil, as)
		if t > 0 {
			txt := ca.a.Name + "：" + strconv.Itoa(n) + " 名裁判中 " + strconv.Itoa(t) + " 名判定触发（规则：" + triggerZh(ca.trigger) + "）"
			if hit {
				if ca.effect == "disqualify" {
					txt += "，取消比赛资格"
				} else {
					txt += "，本模块记 0 分"
				}
			} else {
				txt += "，未达到触发条件"
			}
			as.Reasons = append(as.Reasons, Reason{Code: "aspect.veto", Aspect: ca.a.Code, Text: txt})
		}
	}
	return hit
}

func triggerZh(t string) string {
	switch t {
	case "any":
		return "任一裁判判定即触发"
	case "all":
		return "全体裁判判定才触发"
	}
	return "过半数裁判判定即触发"
}

// mapped is a judge's value as marks before the aspect factor: the band
// marks for a measured value, else the value itself.
func mapped(ca *caspect, v Decimal) Decimal {
	if !ca.bands {
		return v
	}
	if ca.lin != nil {
		return linearMarks(ca.lin, v)
	}
	for _, b := range ca.a.Measure.Bands {
		if (b.From == nil || v >= *b.From) && (b.To == nil || v < *b.To) {
			return b.Marks
		}
	}
	return 0
}

func (e *engine) aggregateAspect(ca *caspect, p *Panel, ms []jmark, expected int, as *AspectScore) rat {
	es := e.buf[:0]
	var mult Decimal
	for k, m := range ms {
		es = append(es, entry{v: rat{int64(mapped(ca, m.v)), 1}, judge: m.judge, pos: int32(k)})
		if m.mult != 0 {
			mult = m.mult
		}
	}
	filled := 0
	if p.Missing == "zero" {
		for len(es) < expected {
			es = append(es, entry{v: ratZero, judge: -1, pos: -1})
			filled++
		}
	}
	e.buf = es
	var v rat
	var info aggInfo
	if len(ms) < p.MinJudges {
		v = ratZero
		info.tooFew = true
	} else {
		v, info = e.aggregate(p, e.aspectJudges(ca), es)
	}
	v = v.mul(ca.k)
	if p.Rounding != nil {
		v = ratFromDecimal(v.mustRound(p.Rounding.Places, p.Rounding.Mode))
	}
	if ca.a.Multiplier {
		m := mult
		if m == 0 {
			m = Points(1)
		}
		v = v.mul(ratFactor(m))
	}
	if as != nil {
		as.Score, as.ScoreExact = v.display()
		as.Multiplier = mult
		e.explainMarks(ca, ms, es, as)
		e.explainAspect(ca, p, ms, expected, filled, info, mult, as)
	}
	return v
}

type aggInfo struct {
	drop     int
	kept     int
	rescaled bool
	tooFew   bool
}

// aggregate combines panel values (sorted in place) by the panel method.
// full is the panel size the rubric expects, used to rescale a sum when
// judges are missing or recused.
func (e *engine) aggregate(p *Panel, full int, es []entry) (rat, aggInfo) {
	n := len(es)
	if n == 0 {
		return ratZero, aggInfo{}
	}
	e.sortEntries(es)
	info := aggInfo{}
	if p.Method == "median" {
		info.kept = n
		if n%2 == 1 {
			return es[n/2].v, info
		}
		return es[n/2-1].v.add(es[n/2].v).divInt(2), info
	}
	k := min(p.Drop, (n-1)/2)
	for i := 0; i < k; i++ {
		es[i].dropped = true
		es[n-1-i].dropped = true
	}
	info.drop, info.kept = k, n-2*k
	s := ratZero
	for i := k; i < n-k; i++ {
		s = s.add(es[i].v)
	}
	switch p.Method {
	case "sum":
		fullKept := full - 2*p.Drop
		if info.kept != fullKept {
			info.rescaled = true
			return s.mulInt(int64(fullKept)).divInt(int64(info.kept)), info
		}
		return s, info
	}
	return s.divInt(int64(info.kept)), info
}

// aggregateModule applies a per-module panel: each judge's subtotal over the
// module's aspects, then the panel method over the subtotals.
func (e *engine) aggregateModule(cs *cstate, mi int, st *mstate, x *ModuleScore) rat {
	cm := &e.c.mods[mi]
	p := &cm.panel
	n := len(cm.m.Aspects)
	// judges present in the module
	var js []int32
	var mult Decimal
	for s := cm.first; s < cm.first+n; s++ {
		if e.c.aspects[s].a.Kind == Veto {
			continue
		}
		for _, m := range cs.marks[s] {
			if !slices.Contains(js, m.judge) {
				js = append(js, m.judge)
			}
		}
	}
	es := e.buf2[:0]
	for _, j := range js {
		sub := ratZero
		for s := cm.first; s < cm.first+n; s++ {
			ca := &e.c.aspects[s]
			if ca.a.Kind == Veto {
				continue
			}
			found := false
			for _, m := range cs.marks[s] {
				if m.judge == j {
					found = true
					v := rat{int64(mapped(ca, m.v)), 1}.mul(ca.k)
					if ca.a.Kind == Deduction {
						sub = sub.sub(v)
					} else {
						sub = sub.add(v)
					}
					if m.mult != 0 {
						mult = m.mult
					}
				}
			}
			if !found {
				st.complete = false
			}
		}
		es = append(es, entry{v: sub, judge: j, pos: -1})
	}
	full := e.panelJudges(mi)
	expected := max(full-len(cs.recused[mi]), 0)
	filled := 0
	if p.Missing == "zero" {
		for len(es) < expected {
			es = append(es, entry{v: ratZero, judge: -1, pos: -1})
			filled++
		}
	}
	if len(js) < expected {
		st.complete = false
	}
	e.buf2 = es
	v := ratZero
	info := aggInfo{}
	if len(js) < p.MinJudges {
		info.tooFew = true
	} else {
		v, info = e.aggregate(p, full, es)
	}
	if p.Rounding != nil {
		v = ratFromDecimal(v.mustRound(p.Rounding.Places, p.Rounding.Mode))
	}
	_ = mult
	if x != nil {
		for _, en := range es {
			d, ex := en.v.display()
			x.JudgeTotals = append(x.JudgeTotals, JudgeTotal{Judge: e.judgeName(en.judge), Total: d, Exact: ex, Dropped: en.dropped, Filled: en.judge < 0})
		}
		slices.SortStableFunc(x.JudgeTotals, func(a, b JudgeTotal) int { return cmp.Compare(a.Judge, b.Judge) })
		e.explainPanel(cm.m.Code, "", cm.m.Name, p, len(js), expected, filled, info, x.JudgeTotals, &x.Reasons, v)
	}
	return v
}

// sortEntries orders panel values by value, then judge name. Panels are a
// few values, so an insertion sort with the comparison inlined beats a
// generic sort with a closure; it runs once per aspect per contestant.
func (e *engine) sortEntries(es []entry) {
	for i := 1; i < len(es); i++ {
		for j := i; j > 0 && e.entryCmp(&es[j], &es[j-1]) < 0; j-- {
			es[j], es[j-1] = es[j-1], es[j]
		}
	}
}

func (e *engine) entryCmp(a, b *entry) int {
	var c int
	if a.v.d == b.v.d {
		c = cmp64(a.v.n, b.v.n)
	} else {
		c = a.v.cmp(b.v)
	}
	if c != 0 {
		return c
	}
	return cmp.Compare(e.judgeName(a.judge), e.judgeName(b.judge))
}
