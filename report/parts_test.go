package report

import (
	"testing"

	"skillscore/report/reporttest"
	"skillscore/results"
	"skillscore/scoring"
)

// TestPartResultsFollowTheLevel: 综合评审 is a part of a 技师 batch and not
// of a 高级工 one (its condition names the levels), a part without a
// condition has no verdict, and a part a score file marked 缺考 fails.
func TestPartResultsFollowTheLevel(t *testing.T) {
	rules, err := scoring.ParseRules([]byte(reporttest.Rules))
	if err != nil {
		t.Fatal(err)
	}
	res := scoring.ContestantResult{Complete: true,
		Parts: []scoring.PartScore{{Part: "theory", Score: 590000}, {Part: "practical", Score: 600000}, {Part: "review", Score: 800000}},
		Modules: []scoring.ModuleScore{{Code: "theory", Part: "theory", Complete: true}, {Code: "skill", Part: "practical", Complete: true},
			{Code: "review", Part: "review", Complete: true}}}
	got := partResults(rules, 2, res)
	want := []Part{{"theory", "理论知识", "59", "≥ 60", "不合格"}, {"practical", "操作技能", "60", "≥ 60", "合格"},
		{"review", "综合评审", "80", "≥ 60", "合格"}}
	if len(got) != len(want) {
		t.Fatalf("技师: %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("技师 part %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	if got := partResults(rules, 3, res); len(got) != 2 || got[1].Code != "practical" {
		t.Errorf("高级工: %+v, want no 综合评审", got)
	}
	rules.Pass = nil
	if got := partResults(rules, 2, res); len(got) != 3 || got[0].Verdict != "" || got[0].Standard != "" {
		t.Errorf("no pass rule: %+v", got)
	}
	res.Modules[1].Reasons = []scoring.Reason{{Code: results.ReasonModuleAbsent}}
	rules, _ = scoring.ParseRules([]byte(reporttest.Rules))
	if got := partResults(rules, 2, res); got[1].Score != "缺考" || got[1].Verdict != "不合格" {
		t.Errorf("absent module: %+v", got[1])
	}
	// A 补考's theory carried from an earlier batch: passed, with its source,
	// though below this batch's line.
	carried := res
	carried.Verdicts = []scoring.PartVerdict{{Part: "theory", Score: 590000, Min: 600000, Verdict: scoring.VerdictCarried,
		Source: &scoring.CarrySource{BatchNo: "2025-KY-07", Date: "2025-10-18"}}}
	if got := partResults(rules, 2, carried); got[0].Score != "59" || got[0].Verdict != "合格（沿用 2025-KY-07 批次，2025-10-18）" {
		t.Errorf("carried part: %+v", got[0])
	}
	res.Modules[0].Complete = false
	if got := partResults(rules, 2, res); got[0].Score != "" || got[0].Verdict != "" {
		t.Errorf("no score yet: %+v", got[0])
	}
}
