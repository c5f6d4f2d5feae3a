package report

import (
	"skillscore/levels"
	"skillscore/results"
	"skillscore/scoring"
)

// Part is one part of a candidate's assessment (理论知识, 操作技能,
// 综合评审) as the report and the documents show it.
type Part struct {
	Code string // scoring.PartTheory | PartPractical | PartReview
	Name string // 理论知识 | 操作技能 | 综合评审
	// Score is the part's score on its own 100-point scale, exact as the
	// scoring core computed it ("78", "82.5"); "缺考" for a part the
	// candidate missed; "" before any of its modules has a score.
	Score string
	// Standard is the pass mark the rules set for the part ("≥ 60"), ""
	// when they set none; Verdict is 合格 or 不合格 against it, "" without
	// a mark.
	Standard, Verdict string
}

// partOrder and partTitles are the parts a level certificate reports, in
// the order offices list them.
var (
	partOrder  = []string{scoring.PartTheory, scoring.PartPractical, scoring.PartReview}
	partTitles = map[string]string{scoring.PartTheory: "理论知识", scoring.PartPractical: "操作技能", scoring.PartReview: "综合评审"}
)

// partResults is the one place the report reads a candidate's part scores
// and their verdicts: everything else takes its []Part. For now it reads
// each part's score from the computed result (the parts of the modules:
// theory, practical, review) and judges it against the rules' pass
// condition for that part at the batch's level; a part a 补考 candidate
// carries from an earlier batch takes the scoring core's verdict, which
// names its source: 合格（沿用 2025-KY-07 批次，2025-10-18）.
//
// A part applies when the rules have a module of it and, if a pass
// condition for it names the levels it applies to (综合评审: 技师 and
// above), the batch's level is one of them. Parts that do not apply are
// left out.
func partResults(rules *scoring.Rules, level levels.Level, c scoring.ContestantResult) []Part {
	has := map[string]bool{}
	for _, m := range rules.Modules {
		has[m.Part] = true
	}
	type cond struct {
		min     scoring.Decimal
		applies bool
	}
	conds := map[string]cond{}
	if rules.Pass != nil {
		partOf := map[string]string{}
		for _, m := range rules.Modules {
			partOf[m.Code] = m.Part
		}
		for _, pc := range rules.Pass.Conditions {
			part := pc.Part
			if part == "" {
				part = partOf[pc.Module]
			}
			applies := pc.TargetLevelAtMost == levels.None || (level != levels.None && level.AtLeast(pc.TargetLevelAtMost))
			if old, ok := conds[part]; ok && old.applies && !applies {
				continue
			}
			conds[part] = cond{pc.Min, applies}
		}
	}
	scores := map[string]scoring.Decimal{}
	for _, ps := range c.Parts {
		scores[ps.Part] = ps.Score
	}
	// A part a 补考 candidate carries from an earlier batch is passed
	// whatever its score, and says where: the core's verdict has the words.
	carried := map[string]scoring.PartVerdict{}
	for _, v := range c.Verdicts {
		if v.Verdict == scoring.VerdictCarried {
			carried[v.Part] = v
		}
	}
	var out []Part
	for _, code := range partOrder {
		cd, ruled := conds[code]
		if !has[code] || (ruled && !cd.applies) {
			continue
		}
		pt := Part{Code: code, Name: partTitles[code]}
		absent, scored := results.NoScore(c), false
		for _, m := range c.Modules {
			if m.Part != code {
				continue
			}
			absent = absent || results.ModuleAbsent(m)
			scored = scored || m.Complete
		}
		switch {
		case absent:
			pt.Score = "缺考"
		case scored:
			pt.Score = results.Plain(scores[code])
		}
		if ruled {
			pt.Standard = "≥ " + cd.min.String()
			switch {
			case absent:
				pt.Verdict = "不合格"
			case scored && scores[code] >= cd.min:
				pt.Verdict = "合格"
			case scored:
				pt.Verdict = "不合格"
			}
			if v, ok := carried[code]; ok {
				pt.Score, pt.Verdict = results.Plain(v.Score), v.Text()
			}
		}
		out = append(out, pt)
	}
	return out
}

// verdictOf is the overall verdict: the status of one who did not sit or
// was disqualified, else 合格 or 不合格 by the rules ("" while scores are
// missing or the rules set no pass conditions).
func verdictOf(c scoring.ContestantResult) string {
	switch {
	case c.Status == scoring.StatusAbsent || c.Status == scoring.StatusWithdrew || c.Status == scoring.StatusDisqualified:
		return c.StatusName
	case c.Pass == nil || !c.Complete:
		return ""
	case *c.Pass:
		return "合格"
	}
	return "不合格"
}
