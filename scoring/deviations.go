package scoring

// Deviation is one judge's raw mark on a judgement aspect against the panel
// consensus: the mean of every raw mark the contestant got on that aspect,
// the very figure the desk's JudgeStats (consistency.go) average over the
// event. A judge's self-review report lists these lines, and its summary is
// the JudgeStats entry itself, so the two cannot disagree.
type Deviation struct {
	Contestant string  `json:"contestant"`
	Module     string  `json:"module"`
	Aspect     string  `json:"aspect"`
	Value      Decimal `json:"value"`       // the judge's raw mark (0–3 on a judgement aspect)
	Mean       Decimal `json:"mean"`        // the panel's mean raw mark, rounded half-up to 4 places
	Deviation  Decimal `json:"deviation"`   // Value − mean, rounded half-up to 4 places; < 0 harsher than the panel
	Panel      int     `json:"panel"`       // raw marks on the aspect, the judge's included
	Dropped    bool    `json:"dropped"`     // the judge's mark was dropped as an extreme
	AspectName string  `json:"aspect_name"` // as the rubric names it
	exact      rat     // the deviation unrounded, for Summary
}

// JudgeDeviations lists judge's deviations from the panel consensus in res,
// by contestant, module and aspect: judgement aspects with at least two raw
// marks, as consistency counts them (a mark filled in as 0 for a missing
// judge is no judge's mark and counts in no mean).
func JudgeDeviations(res *Result, judge string) []Deviation {
	var out []Deviation
	for _, c := range res.Contestants {
		for _, m := range c.Modules {
			for _, a := range m.Aspects {
				if a.Kind != Judgement {
					continue
				}
				n, sum, mine := int64(0), int64(0), -1
				for i, jm := range a.Marks {
					if jm.Filled {
						continue
					}
					n++
					sum = add64(sum, int64(jm.Value))
					if jm.Judge == judge {
						mine = i
					}
				}
				if n < 2 || mine < 0 {
					continue
				}
				v := a.Marks[mine]
				d := newRat(add64(mul64(n, int64(v.Value)), -sum), n)
				out = append(out, Deviation{Contestant: c.ID, Module: m.Code, Aspect: a.Code, AspectName: a.Name,
					Value: v.Value, Mean: newRat(sum, n).mustRound(4, HalfUp), Deviation: d.mustRound(4, HalfUp),
					Panel: int(n), Dropped: v.Dropped, exact: d})
			}
		}
	}
	return out
}

// SummarizeDeviations is what JudgeStats states of a judge, from the lines
// of JudgeDeviations: the count, the mean signed and absolute deviations
// and the largest absolute one, exact until rounded half-up to 4 places.
// It exists to prove the lines and the desk's figures agree.
func SummarizeDeviations(judge string, ds []Deviation) JudgeStats {
	js := JudgeStats{Judge: judge, Marks: len(ds)}
	if len(ds) == 0 {
		return js
	}
	signed, abs, maxAbs := ratZero, ratZero, ratZero
	for _, d := range ds {
		signed = signed.add(d.exact)
		a := d.exact
		if a.sign() < 0 {
			a = a.neg()
		}
		abs = abs.add(a)
		if a.cmp(maxAbs) > 0 {
			maxAbs = a
		}
	}
	n := int64(len(ds))
	js.MeanSigned = signed.divInt(n).mustRound(4, HalfUp)
	js.MeanAbs = abs.divInt(n).mustRound(4, HalfUp)
	js.MaxAbs = maxAbs.mustRound(4, HalfUp)
	return js
}

// StatsOf finds judge's JudgeStats in res (the desk's figures).
func StatsOf(res *Result, judge string) (JudgeStats, bool) {
	for _, j := range res.Judges {
		if j.Judge == judge {
			return j, true
		}
	}
	return JudgeStats{}, false
}
