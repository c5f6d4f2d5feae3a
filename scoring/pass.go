package scoring

import (
	"slices"

	"skillscore/levels"
)

// passOf applies the pass conditions that apply to the candidate's target
// level: each gives a verdict (合格, 不合格, 缺考, or 沿用 for a part carried
// from an earlier batch, which counts as passed), and the candidate passes
// when every verdict is a pass and nothing took them out (缺考, 弃权,
// 取消资格).
func (e *engine) passOf(cs *cstate, x *ContestantResult) {
	pr := e.r.Pass
	if pr == nil {
		return
	}
	out := cs.c.Status == StatusAbsent || cs.c.Status == StatusWithdrew
	ok := !cs.unranked()
	tl := cs.c.TargetLevel
	if tl == levels.None {
		tl = e.r.Level
	}
	x.Verdicts = make([]PartVerdict, 0, len(pr.Conditions))
	for _, pc := range pr.Conditions {
		if !pc.Applies(tl) {
			continue
		}
		v := e.verdict(cs, pc, out)
		x.Verdicts = append(x.Verdicts, v)
		score := fmtVerdictScore(v)
		switch v.Verdict {
		case VerdictPass:
			x.Reasons = append(x.Reasons, Reason{Code: "pass.met", Module: v.Module, Text: v.Name + "成绩 " + score + " ≥ " + pc.Min.String() + "，合格"})
		case VerdictCarried:
			x.Reasons = append(x.Reasons, Reason{Code: "pass.carried", Module: v.Module, Text: v.Name + "成绩 " + score + "，沿用 " + v.Source.cite() + "的合格成绩，按合格计"})
		case VerdictAbsent:
			ok = false
			if !out { // the status reason below says it for every part at once
				x.Reasons = append(x.Reasons, Reason{Code: "pass.absent", Module: v.Module, Text: v.Name + "缺考，不合格"})
			}
		default:
			ok = false
			x.Reasons = append(x.Reasons, Reason{Code: "pass.failed", Module: v.Module, Text: v.Name + "成绩 " + score + " < " + pc.Min.String() + "，不合格"})
		}
	}
	if cs.unranked() {
		x.Reasons = append(x.Reasons, Reason{Code: "pass.failed", Text: cs.outText() + "，不合格"})
	}
	x.Pass = &ok
}

// verdict is one condition's verdict: carried when the part is carried
// (whatever the candidate's status: a carried part stays valid), absent
// when the candidate did not compete or sat none of the part's modules,
// else the score against the threshold.
func (e *engine) verdict(cs *cstate, pc PassCondition, out bool) PartVerdict {
	v := PartVerdict{Part: pc.Part, Module: pc.Module, Name: pc.Name, Min: pc.Min}
	var score rat
	var absent, pending bool
	if pc.Part != "" {
		score = cs.parts[slices.Index(e.c.parts, pc.Part)]
		absent = cs.absent != nil
		for mi, cm := range e.c.mods {
			if cm.m.Part != pc.Part || cm.status {
				continue
			}
			if cs.absent == nil || !cs.absent[mi] {
				absent = false
			}
			pending = pending || !cs.mods[mi].complete
		}
		if v.Name == "" {
			v.Name = partNames[pc.Part]
		}
	} else {
		mi := e.c.modules[pc.Module]
		cm := &e.c.mods[mi]
		v.Part = cm.m.Part
		score = cs.mods[mi].score
		absent = cs.absent != nil && cs.absent[mi]
		pending = !cs.mods[mi].complete
		if v.Name == "" {
			v.Name = cm.m.Name
		}
	}
	switch cp := e.carriedFor(cs, v.Part); {
	case cp != nil:
		v.Verdict = VerdictCarried
		src := cp.Source
		v.Source = &src
	case out || absent:
		v.Verdict = VerdictAbsent
		return v
	case score.cmp(ratFromDecimal(pc.Min)) >= 0:
		v.Verdict, v.Pending = VerdictPass, pending
	default:
		v.Verdict, v.Pending = VerdictFail, pending
	}
	v.Score, v.ScoreExact = score.display()
	return v
}

// fmtVerdictScore is a verdict's score as reasons show it: exact, or
// approximate with the fraction in score_exact.
func fmtVerdictScore(v PartVerdict) string {
	if v.ScoreExact == "" {
		return v.Score.String()
	}
	return "≈" + v.Score.String()
}
