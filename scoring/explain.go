package scoring

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// fmtRat shows an exact value: the decimal when exact, else "≈" and four
// places (the exact fraction is in the *_exact fields).
func fmtRat(r rat) string {
	d, ex := r.display()
	if ex == "" {
		return d.String()
	}
	return "≈" + d.String()
}

func roundText(r *Rounding) string {
	return r.Mode.zh() + "保留 " + strconv.Itoa(r.Places) + " 位小数"
}

func methodZh(p *Panel) string {
	switch p.Method {
	case "median":
		return "取中位数"
	case "sum":
		return "求和"
	}
	return "取平均"
}

func (e *engine) explainMarks(ca *caspect, ms []jmark, es []entry, as *AspectScore) {
	as.Marks = e.takeMarks(len(ms) + len(es))
	// Fields are written in place into the zeroed slab: copying whole
	// JudgeMarks (which hold pointers) costs a write barrier each.
	as.Marks = as.Marks[:len(ms)]
	sorted := true
	for k, m := range ms {
		jm := &as.Marks[k]
		jm.Judge = e.judgeName(m.judge)
		jm.Value = m.v
		if ca.bands {
			mv := mapped(ca, m.v)
			jm.Mapped = &mv
		}
		if k > 0 && jm.Judge < as.Marks[k-1].Judge {
			sorted = false
		}
	}
	for _, en := range es {
		if en.pos >= 0 {
			as.Marks[en.pos].Dropped = en.dropped
		} else {
			as.Marks = append(as.Marks, JudgeMark{Filled: true, Dropped: en.dropped})
			sorted = false
		}
	}
	if len(as.Marks) > 1 && !sorted && !slices.IsSortedFunc(as.Marks, func(a, b JudgeMark) int { return cmp.Compare(a.Judge, b.Judge) }) {
		slices.SortStableFunc(as.Marks, func(a, b JudgeMark) int { return cmp.Compare(a.Judge, b.Judge) })
	}
}

// explainAspect writes the non-obvious steps of an aspect's aggregation; a
// plain mean of a full panel needs no words beyond the marks and the score.
func (e *engine) explainAspect(ca *caspect, p *Panel, ms []jmark, expected, filled int, info aggInfo, mult Decimal, as *AspectScore) {
	name := ca.a.Name
	if len(ms) == 0 {
		return // not marked yet: Complete=false says it, and the module reason too
	}
	if info.tooFew {
		as.Reasons = append(as.Reasons, Reason{Code: "aspect.too_few", Aspect: ca.a.Code,
			Text: name + "：仅 " + strconv.Itoa(len(ms)) + " 名裁判评分，少于规定的 " + strconv.Itoa(p.MinJudges) + " 名，暂计 0 分"})
		return
	}
	if len(ms) < expected {
		miss := strconv.Itoa(expected - len(ms))
		if filled > 0 {
			as.Reasons = append(as.Reasons, Reason{Code: "aspect.missing_zero", Aspect: ca.a.Code, Text: name + "：缺 " + miss + " 名裁判评分，按规则以 0 分计入"})
		} else {
			as.Reasons = append(as.Reasons, Reason{Code: "aspect.missing", Aspect: ca.a.Code, Text: name + "：缺 " + miss + " 名裁判评分，按已有 " + strconv.Itoa(len(ms)) + " 名裁判的评分计算"})
		}
	}
	// A regular drop is stated once per module (module.formula) and marked on
	// each dropped mark; an aspect only gets words for what is irregular.
	if info.drop > 0 && (len(ms) < expected || filled > 0) {
		var b strings.Builder
		b.WriteString(name)
		b.WriteString("：去掉最高分")
		e.writeDropped(&b, as.Marks, ms, true)
		b.WriteString("和最低分")
		e.writeDropped(&b, as.Marks, ms, false)
		b.WriteString("，其余 ")
		b.WriteString(strconv.Itoa(info.kept))
		b.WriteString(" 个")
		b.WriteString(methodZh(p))
		as.Reasons = append(as.Reasons, Reason{Code: "aspect.dropped", Aspect: ca.a.Code, Text: b.String()})
	}
	if p.Method != "median" && info.drop < p.Drop && len(ms) > 0 {
		as.Reasons = append(as.Reasons, Reason{Code: "aspect.drop_reduced", Aspect: ca.a.Code,
			Text: name + "：评分人数不足，只去掉最高最低各 " + strconv.Itoa(info.drop) + " 个（规则为 " + strconv.Itoa(p.Drop) + " 个）"})
	}
	if info.rescaled {
		as.Reasons = append(as.Reasons, Reason{Code: "aspect.rescaled", Aspect: ca.a.Code,
			Text: name + "：有效分 " + strconv.Itoa(info.kept) + " 个，按满员 " + strconv.Itoa(e.aspectJudges(ca)-2*p.Drop) + " 个折算求和"})
	}
	if l := ca.lin; l != nil {
		for _, m := range ms {
			t := name + "：" + l.Base.String() + " + (" + m.v.String() + " − " + l.K.String() + ") × " + l.Per.String() + " = " + fmtRat(linearExact(l, m.v)) + "，" + roundText(l.Rounding) + "为 " + linearMarks(l, m.v).Format(l.Rounding.Places)
			if l.Floor != nil {
				t += "（不低于 " + l.Floor.String() + "）"
			}
			if l.Cap != nil {
				t += "（不高于 " + l.Cap.String() + "）"
			}
			as.Reasons = append(as.Reasons, Reason{Code: "aspect.linear", Aspect: ca.a.Code, Judge: e.judgeName(m.judge), Text: t})
		}
	}
	if ca.a.Multiplier {
		if mult == 0 {
			as.Reasons = append(as.Reasons, Reason{Code: "aspect.multiplier_missing", Aspect: ca.a.Code, Text: name + "：未给出系数，暂按 1 计"})
		} else {
			as.Reasons = append(as.Reasons, Reason{Code: "aspect.multiplier", Aspect: ca.a.Code, Text: name + "：裁判组得分乘以系数（难度）" + mult.String() + "，得 " + fmtRatDisplay(as.Score, as.ScoreExact)})
		}
	}
}

func fmtRatDisplay(d Decimal, exact string) string {
	if exact == "" {
		return d.String()
	}
	return "≈" + d.String()
}

func (e *engine) writeDropped(b *strings.Builder, marks []JudgeMark, ms []jmark, high bool) {
	// marks are sorted by judge; the dropped ones at the top (or bottom) are
	// those whose value is on that side of the kept ones.
	var vals []JudgeMark
	for _, m := range marks {
		if m.Dropped {
			vals = append(vals, m)
		}
	}
	slices.SortStableFunc(vals, func(a, c JudgeMark) int { return cmp.Compare(a.Value, c.Value) })
	half := len(vals) / 2
	part := vals[:half]
	if high {
		part = vals[half:]
	}
	for i, m := range part {
		if i > 0 {
			b.WriteString("、")
		}
		b.WriteString(" ")
		b.WriteString(m.Value.String())
		if m.Filled {
			b.WriteString("（缺评按 0）")
		} else {
			b.WriteString("（")
			b.WriteString(m.Judge)
			b.WriteString("）")
		}
	}
	b.WriteString(" ")
}

func (e *engine) explainPanel(module, aspect, name string, p *Panel, present, expected, filled int, info aggInfo, totals []JudgeTotal, rs *[]Reason, v rat) {
	var b strings.Builder
	b.WriteString(name)
	b.WriteString("：按模块汇总，")
	b.WriteString(strconv.Itoa(len(totals)))
	b.WriteString(" 名裁判各自小计 ")
	for i, t := range totals {
		if i > 0 {
			b.WriteString("、")
		}
		if t.Filled {
			b.WriteString("0（缺评）")
		} else {
			b.WriteString(fmtRatDisplay(t.Total, t.Exact))
			b.WriteString("（" + t.Judge + "）")
		}
		if t.Dropped {
			b.WriteString("[去掉]")
		}
	}
	if info.drop > 0 {
		b.WriteString("；去掉最高最低各 " + strconv.Itoa(info.drop) + " 个")
	}
	b.WriteString("，其余")
	b.WriteString(methodZh(p))
	if info.rescaled {
		b.WriteString("（按满员折算）")
	}
	b.WriteString(" = ")
	b.WriteString(fmtRat(v))
	if p.Rounding != nil {
		b.WriteString("（" + roundText(p.Rounding) + "）")
	}
	*rs = append(*rs, Reason{Code: "module.panel", Module: module, Text: b.String()})
	if present < expected {
		t := "缺 " + strconv.Itoa(expected-present) + " 名裁判评分，按已有评分计算"
		if filled > 0 {
			t = "缺 " + strconv.Itoa(expected-present) + " 名裁判评分，按规则以 0 分计入"
		}
		*rs = append(*rs, Reason{Code: "module.missing_judges", Module: module, Text: name + "：" + t})
	}
	if info.tooFew {
		*rs = append(*rs, Reason{Code: "module.too_few", Module: module, Text: name + "：评分裁判少于 " + strconv.Itoa(p.MinJudges) + " 名，暂计 0 分"})
	}
}

func (e *engine) explainModule(cm *cmodule, st mstate, x *ModuleScore) {
	name := cm.m.Name
	if cm.status {
		x.Reasons = append(x.Reasons, Reason{Code: "module.status", Module: cm.m.Code, Text: cm.ruleText + "本模块不计入总分"})
		if !st.complete {
			x.Reasons = append(x.Reasons, Reason{Code: "module.incomplete", Module: cm.m.Code, Text: name + "：评分尚未全部完成，当前为暂计成绩"})
		}
		return
	}
	if !cm.m.Imported && !cm.byModule {
		t := cm.ruleText + "评分项得分合计 " + fmtRat(st.pos)
		if cm.dedOnly {
			t = cm.ruleText + "起点 " + fmtRat(st.pos)
		}
		if st.ded.sign() != 0 || cm.dedOnly {
			t += "，扣分 " + fmtRat(st.ded)
		}
		t += "，模块成绩 " + fmtRatDisplay(x.Score, x.ScoreExact) + "（满分 " + cm.m.Max.String() + "）"
		x.Reasons = append(x.Reasons, Reason{Code: "module.formula", Module: cm.m.Code, Text: t})
	}
	if st.vetoed {
		x.Reasons = append(x.Reasons, Reason{Code: "module.veto", Module: cm.m.Code, Text: name + "：触发否决项，本模块记 0 分"})
	}
	var t string
	if cm.m.Weight != nil {
		t = name + "：" + fmtRatDisplay(x.Score, x.ScoreExact) + " ÷ " + cm.m.Max.String() + " × 权重 " + cm.m.Weight.String() + "% = " + fmtRatDisplay(x.Contribution, x.ContributionExact)
	} else {
		t = name + "：" + fmtRatDisplay(x.Score, x.ScoreExact) + " × 系数 " + cm.m.Factor.String() + " = " + fmtRatDisplay(x.Contribution, x.ContributionExact)
	}
	if r := cm.m.ContributionRounding; r != nil {
		t += "（" + roundText(r) + "）"
	}
	x.Reasons = append(x.Reasons, Reason{Code: "module.contribution", Module: cm.m.Code, Text: t})
	if !st.complete {
		x.Reasons = append(x.Reasons, Reason{Code: "module.incomplete", Module: cm.m.Code, Text: name + "：评分尚未全部完成，当前为暂计成绩"})
	}
}

func (e *engine) explainTotal(cs *cstate, x *ContestantResult) {
	var b strings.Builder
	b.WriteString("总分 = ")
	for i, m := range x.Modules {
		if i > 0 {
			b.WriteString(" + ")
		}
		b.WriteString(fmtRatDisplay(m.Contribution, m.ContributionExact))
		b.WriteString("（")
		b.WriteString(m.Name)
		b.WriteString("）")
	}
	b.WriteString(" = ")
	b.WriteString(fmtRat(cs.exact))
	tr := e.r.Total.Rounding
	b.WriteString("，")
	b.WriteString(roundText(tr))
	b.WriteString("为 ")
	b.WriteString(cs.total.Format(tr.Places))
	x.Reasons = append(x.Reasons, Reason{Code: "total.formula", Text: b.String()})
	x.Total = cs.total
	if !cs.exact.exact() || Decimal(cs.exact.n) != cs.total {
		_, x.TotalExact = cs.exact.display()
		if x.TotalExact == "" {
			x.TotalExact = Decimal(cs.exact.n).String()
		}
	}
	x.Parts = x.Parts[:0]
	for pi, p := range e.c.parts {
		d, ex := cs.parts[pi].display()
		x.Parts = append(x.Parts, PartScore{Part: p, Name: partNames[p], Score: d, Exact: ex})
	}
	x.Complete = cs.complete
	x.Disqualified = cs.disq
	if cs.disq {
		a := e.c.aspects[cs.disqBy].a
		x.Reasons = append(x.Reasons, Reason{Code: "disqualified", Module: e.c.mods[e.c.aspects[cs.disqBy].mod].m.Code, Aspect: a.Code,
			Text: "触发否决项“" + a.Name + "”，取消比赛资格，不参加排名、评奖和晋升"})
	}
	if !cs.complete {
		x.Reasons = append(x.Reasons, Reason{Code: "total.incomplete", Text: "成绩尚未全部录入，总分与名次为暂计"})
	}
}

func fmtMillis(ms int64) string {
	if ms <= 0 {
		return "未记录"
	}
	s := ms / 1000
	frac := ms % 1000
	out := strconv.FormatInt(s/60, 10) + ":" + pad2(s%60)
	if frac != 0 {
		f := strconv.FormatInt(frac+1000, 10)[1:]
		out += "." + strings.TrimRight(f, "0")
	}
	return out
}

func pad2(v int64) string {
	if v < 10 {
		return "0" + strconv.FormatInt(v, 10)
	}
	return strconv.FormatInt(v, 10)
}

// takeMarks hands out JudgeMark slices from a shared slab: a full event has
// millions of marks and one allocation each would dominate the run time.
func (e *engine) takeMarks(n int) []JudgeMark {
	if len(e.jmSlab) < n {
		e.jmSlab = make([]JudgeMark, max(n, 1<<14))
	}
	s := e.jmSlab[:0:n]
	e.jmSlab = e.jmSlab[n:]
	return s
}

func (e *engine) takeAspects(n int) []AspectScore {
	if len(e.asSlab) < n {
		e.asSlab = make([]AspectScore, max(n, 1<<12))
	}
	s := e.asSlab[:0:n]
	e.asSlab = e.asSlab[n:]
	return s
}

// panelText states a module's panel rule once, for module.formula, with
// each aspect's own panel rule after it.
func panelText(cm *cmodule, as []caspect) string {
	if cm.status {
		return cm.m.Name + "：状态模块，只判定否决项，不计分；"
	}
	t := cm.m.Name + "：各评分项由 " + panelRuleText(cm.panel)
	for i := range as {
		if as[i].a.Panel != nil {
			t += "；其中“" + as[i].a.Name + "”由 " + panelRuleText(as[i].panel)
		}
	}
	if cm.dedOnly {
		if cm.m.DeductionsFrom == "max" {
			t += "；只有扣分项，从满分 " + cm.m.Max.String() + " 起扣"
		} else {
			t += "；只有扣分项，从 0 起扣"
		}
	}
	return t + "；"
}

func panelRuleText(p Panel) string {
	t := strconv.Itoa(p.Judges) + " 名裁判评分"
	if p.SeatedMin != 0 && p.SeatedMin < p.Judges {
		t = strconv.Itoa(p.SeatedMin) + "–" + strconv.Itoa(p.Judges) + " 名裁判（按实际组成的评审组）评分"
	}
	if p.Drop > 0 {
		t += "，去掉最高分和最低分各 " + strconv.Itoa(p.Drop) + " 个（见各评分的 dropped 标记）"
	}
	t += "后" + methodZh(&p)
	if p.Rounding != nil {
		t += "，" + roundText(p.Rounding)
	}
	return t
}
