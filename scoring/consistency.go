package scoring

import (
	"cmp"
	"slices"
	"strconv"
)

// consistency flags panels whose raw marks spread more than the rubric
// allows, and measures each judge against the panel consensus (the mean of
// all marks on the same contestant and aspect) over the event.
func (e *engine) consistency(states []*cstate, res *Result) {
	// Deviations are v − S/n for a panel of n marks summing to S; they are
	// accumulated as integer numerators per panel size n, so the hot loop
	// does no rational arithmetic.
	type acc struct {
		n      int64
		signed []int64 // indexed by panel size n: Σ (n·v − S); a slice, not a map, as this runs per mark
		abs    []int64
		maxAbs rat
	}
	stats := make([]*acc, len(e.judges))
	for _, cs := range states {
		for s := range e.c.aspects {
			ms := cs.marks[s]
			if len(ms) < 2 {
				continue
			}
			ca := &e.c.aspects[s]
			lo, hi := 0, 0
			var sum int64
			for i, m := range ms {
				if m.v < ms[lo].v || m.v == ms[lo].v && e.judges[m.judge] < e.judges[ms[lo].judge] {
					lo = i
				}
				if m.v > ms[hi].v || m.v == ms[hi].v && e.judges[m.judge] < e.judges[ms[hi].judge] {
					hi = i
				}
				sum = add64(sum, int64(m.v))
			}
			limit := rat{-1, 1}
			if ca.a.MaxSpread != nil {
				limit = ratFromDecimal(*ca.a.MaxSpread)
			} else if ca.a.Kind == Judgement {
				limit = e.c.judgeLimit
			}
			spread := ms[hi].v - ms[lo].v
			if limit.sign() >= 0 && ratFromDecimal(spread).cmp(limit) > 0 {
				mod := e.c.mods[ca.mod].m
				l := Decimal(limit.n)
				res.Flags = append(res.Flags, Flag{Code: "panel.spread", Contestant: cs.c.ID, Module: mod.Code, Aspect: ca.a.Code,
					Spread: spread, Limit: l, Low: e.judges[ms[lo].judge], High: e.judges[ms[hi].judge],
					Text: "选手 " + cs.c.ID + " " + mod.Name + "“" + ca.a.Name + "”：裁判评分相差 " + spread.String() + "（最高 " + ms[hi].v.String() + " " + e.judges[ms[hi].judge] + "，最低 " + ms[lo].v.String() + " " + e.judges[ms[lo].judge] + "），超过允许的 " + l.String() + "，请裁判长复核"})
			}
			if ca.a.Kind != Judgement {
				continue
			}
			n := int64(len(ms))
			for _, m := range ms {
				a := stats[m.judge]
				if a == nil {
					a = &acc{maxAbs: ratZero}
					stats[m.judge] = a
				}
				if int(n) >= len(a.signed) {
					a.signed = append(a.signed, make([]int64, int(n)+1-len(a.signed))...)
					a.abs = append(a.abs, make([]int64, int(n)+1-len(a.abs))...)
				}
				d := add64(mul64(n, int64(m.v)), -sum)
				a.n++
				a.signed[n] = add64(a.signed[n], d)
				if d < 0 {
					d = -d
				}
				a.abs[n] = add64(a.abs[n], d)
				if d > 0 && newRat(d, n).cmp(a.maxAbs) > 0 {
					a.maxAbs = newRat(d, n)
				}
			}
		}
	}
	total := func(m []int64) rat {
		r := ratZero
		for n, v := range m {
			if v != 0 {
				r = r.add(newRat(v, int64(n)))
			}
		}
		return r
	}
	for j, a := range stats {
		if a == nil {
			continue
		}
		ms := total(a.signed).divInt(a.n)
		ma := total(a.abs).divInt(a.n)
		js := JudgeStats{Judge: e.judges[j], Marks: int(a.n), MeanSigned: ms.mustRound(4, HalfUp), MeanAbs: ma.mustRound(4, HalfUp), MaxAbs: a.maxAbs.mustRound(4, HalfUp)}
		text := "裁判 " + js.Judge + "：" + strconv.Itoa(js.Marks) + " 个主观评分，与裁判组平均的偏差平均 " + js.MeanSigned.String() + "，绝对偏差平均 " + js.MeanAbs.String() + "，最大 " + js.MaxAbs.String()
		switch {
		case ms.cmp(e.c.bias.neg()) <= 0:
			js.Flags = append(js.Flags, "harsh")
			text += "；评分明显偏严"
		case ms.cmp(e.c.bias) >= 0:
			js.Flags = append(js.Flags, "lenient")
			text += "；评分明显偏宽"
		}
		if ma.cmp(e.c.erratic) >= 0 {
			js.Flags = append(js.Flags, "erratic")
			text += "；评分波动大"
		}
		js.Text = text
		res.Judges = append(res.Judges, js)
	}
	slices.SortFunc(res.Flags, func(a, b Flag) int {
		return cmp.Or(cmp.Compare(a.Contestant, b.Contestant), cmp.Compare(a.Module, b.Module), cmp.Compare(a.Aspect, b.Aspect))
	})
	slices.SortFunc(res.Judges, func(a, b JudgeStats) int { return cmp.Compare(a.Judge, b.Judge) })
}
