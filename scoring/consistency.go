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
	type acc struct {
		n              int64
		signed, absSum rat
		maxAbs         rat
	}
	stats := map[int32]*acc{}
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
			mean := rat{sum, int64(len(ms))}
			mean = newRat(mean.n, mean.d)
			for _, m := range ms {
				a := stats[m.judge]
				if a == nil {
					a = &acc{signed: ratZero, absSum: ratZero, maxAbs: ratZero}
					stats[m.judge] = a
				}
				d := ratFromDecimal(m.v).sub(mean)
				a.n++
				a.signed = a.signed.add(d)
				if d.sign() < 0 {
					d = d.neg()
				}
				a.absSum = a.absSum.add(d)
				if d.cmp(a.maxAbs) > 0 {
					a.maxAbs = d
				}
			}
		}
	}
	slices.SortFunc(res.Flags, func(a, b Flag) int {
		return cmp.Or(cmp.Compare(a.Contestant, b.Contestant), cmp.Compare(a.Module, b.Module), cmp.Compare(a.Aspect, b.Aspect))
	})
	for j, a := range stats {
		ms := a.signed.divInt(a.n)
		ma := a.absSum.divInt(a.n)
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
	slices.SortFunc(res.Judges, func(a, b JudgeStats) int { return cmp.Compare(a.Judge, b.Judge) })
}
