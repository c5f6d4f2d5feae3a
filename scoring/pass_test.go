package scoring

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"skillscore/examples"
)

// assessmentDoc has three imported parts, so that scores are set exactly;
// 综合评审 applies to candidates for 技师 and 高级技师 only.
const assessmentDoc = `{"name": "认定", "kind": "assessment", "level": 2,
 "modules": [
  {"code": "T", "name": "理论知识考试", "part": "theory", "weight": 30, "max": 100, "imported": true},
  {"code": "S", "name": "操作技能考核", "part": "practical", "weight": 50, "max": 100, "imported": true},
  {"code": "R", "name": "综合评审", "part": "review", "weight": 20, "max": 100, "imported": true}],
 "total": {"rounding": {"mode": "half_up", "places": 1}},
 "pass": {"conditions": [{"part": "theory", "name": "理论知识", "min": 60}, {"part": "practical", "min": 60},
   {"part": "review", "min": 60, "levels": [1, 2]}]}}`

func verdictTexts(c *ContestantResult) string {
	var b []string
	for _, v := range c.Verdicts {
		b = append(b, v.Name+"="+v.Text())
	}
	return strings.Join(b, " ")
}

func TestAssessmentVerdicts(t *testing.T) {
	r := mustRules(t, []byte(assessmentDoc))
	src := CarrySource{Event: "jd-2026-06", BatchNo: "2026-KY-01", Date: "2026-06-10"}
	in := Input{
		Contestants: []Contestant{{ID: "A"}, {ID: "B"}, {ID: "C"}, {ID: "D", Status: StatusAbsent}, {ID: "E", TargetLevel: 3}, {ID: "F"}},
		Marks: mk(`
A T - - 60
A S - - 75
A R - - 60
B S - - 90
B R - - 90
C T - - 40
C S - - 80
C R - - 70
E T - - 70
E S - - 70
F T - - 90
F S - - 59.9999
F R - - 90`),
		Absences: []Absence{{Contestant: "B", Module: "T"}},
		Carried: []CarriedPart{{Contestant: "C", Part: PartTheory, Score: MustDecimal("72.5"), Source: src},
			{Contestant: "D", Part: PartPractical, Score: MustDecimal("66"), Source: src}},
	}
	res, err := Compute(r, in)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]struct {
		pass     bool
		verdicts string
	}{
		"A": {true, "理论知识=合格 实操=合格 综合评审=合格"},
		"B": {false, "理论知识=缺考 实操=合格 综合评审=合格"},
		"C": {true, "理论知识=合格（沿用 2026-KY-01 批次，2026-06-10） 实操=合格 综合评审=合格"},
		"D": {false, "理论知识=缺考 实操=合格（沿用 2026-KY-01 批次，2026-06-10） 综合评审=缺考"},
		"E": {true, "理论知识=合格 实操=合格"}, // a 高级工 candidate: no 综合评审
		"F": {false, "理论知识=合格 实操=不合格 综合评审=合格"},
	}
	for id, w := range want {
		c := byID(res, id)
		if c.Pass == nil || *c.Pass != w.pass || verdictTexts(c) != w.verdicts {
			t.Errorf("%s: pass %v verdicts %q, want %v %q\n%+v", id, *c.Pass, verdictTexts(c), w.pass, w.verdicts, c.Reasons)
		}
	}
	// C's carried theory replaces the 40 marked in this batch, and the
	// part adds up to the carried score in the total too.
	c := byID(res, "C")
	if c.Modules[0].Score != MustDecimal("72.5") || !c.Modules[0].Complete || c.Parts[0].Score != MustDecimal("72.5") {
		t.Errorf("carried module %+v part %+v", c.Modules[0], c.Parts[0])
	}
	if !strings.Contains(c.Modules[0].Reasons[0].Text, "沿用 2026-KY-01 批次（2026-06-10）的理论合格成绩 72.5 分") ||
		!strings.Contains(c.Modules[0].Reasons[0].Text, "本批次的 1 条评分不计") {
		t.Errorf("carried reason: %+v", c.Modules[0].Reasons)
	}
	if c.Total != MustDecimal("75.8") { // 72.5×0.3 + 80×0.5 + 70×0.2 = 75.75
		t.Errorf("C total %s", c.Total)
	}
	if v := c.Verdicts[0]; v.Verdict != VerdictCarried || v.Source == nil || v.Source.Event != "jd-2026-06" || v.Score != MustDecimal("72.5") || !v.Passed() {
		t.Errorf("C theory verdict %+v", v)
	}
	// B sat no theory: 缺考, 0, complete, said so once per part.
	b := byID(res, "B")
	if !b.Modules[0].Complete || !b.Complete || !hasReason(b, "module.absent") || !hasReason(b, "pass.absent") {
		t.Errorf("B: %+v", b)
	}
	// D did not come at all: still carries its practical (valid for a
	// later batch), and the one status reason says why it failed.
	d := byID(res, "D")
	if hasReason(d, "pass.absent") || !hasReason(d, "pass.carried") || !hasReason(d, "pass.failed") {
		t.Errorf("D reasons: %+v", d.Reasons)
	}
	// E has no 综合评审 mark and needs none; F's fail is shown with its score.
	if f := byID(res, "F"); !strings.Contains(fmt.Sprint(f.Reasons), "实操成绩 59.9999 < 60，不合格") {
		t.Errorf("F reasons: %+v", f.Reasons)
	}
}

// A verdict on an incomplete part is provisional and says so.
func TestVerdictPending(t *testing.T) {
	raw, _ := examples.Files.ReadFile("assessment-yanglao-technician.json")
	r := mustRules(t, raw)
	in := Input{Contestants: []Contestant{{ID: "K"}}, Marks: mk(`
K theory - - 80
K review R1 R-J1 30`)}
	res, err := Compute(r, in)
	if err != nil {
		t.Fatal(err)
	}
	if got := verdictTexts(&res.Contestants[0]); got != "理论知识=合格 操作技能=不合格（暂计） 综合评审=不合格（暂计）" {
		t.Errorf("verdicts %q", got)
	}
}

func TestPassRuleValidation(t *testing.T) {
	with := func(pass string) error {
		doc := strings.Replace(assessmentDoc, assessmentDoc[strings.Index(assessmentDoc, `"pass"`):], `"pass": `+pass+`}`, 1)
		_, err := ParseRules([]byte(doc))
		return err
	}
	for _, c := range []struct{ pass, want string }{
		{`{"conditions": [{"part": "theory", "min": 60, "levels": [2], "target_level_at_most": 2}]}`, "levels 与 target_level_at_most 只能填一个"},
		{`{"conditions": [{"part": "theory", "min": 60, "levels": [0]}]}`, "pass.conditions[0].levels[0]: 未知等级 0"},
		{`{"conditions": [{"part": "theory", "min": 60, "levels": [2, 2]}]}`, "等级 2 重复"},
		{`{"conditions": [{"part": "theory", "min": 60}, {"part": "theory", "min": 70, "levels": [1]}]}`, "pass.conditions[1]: 与 pass.conditions[0] 对同一部分、同一申报等级（一级/高级技师）重复"},
		{`{"conditions": [{"part": "review", "min": 60, "target_level_at_most": 2}, {"part": "review", "min": 70, "levels": [1]}]}`, "对同一部分"},
		{`{"conditions": [{"part": "theory", "min": 60, "name": "一个非常非常非常非常长的部分名称超出十六字"}]}`, "名称最多 16 个字符"},
	} {
		err := with(c.pass)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.pass, err, c.want)
		}
	}
	// Different thresholds for different target levels are fine.
	if err := with(`{"conditions": [{"part": "theory", "min": 60, "levels": [3, 4, 5]}, {"part": "theory", "min": 70, "levels": [1, 2]}]}`); err != nil {
		t.Errorf("thresholds per level: %v", err)
	}
}

func TestSeatedPanel(t *testing.T) {
	doc := `{"name": "评审", "kind": "assessment", "level": 1,
	 "modules": [{"code": "R", "name": "综合评审", "part": "review", "weight": 100, "max": 10,
	   "panel": {"judges": 5, "seated_min": 3, "method": "mean"},
	   "aspects": [{"code": "R1", "name": "论文质量", "kind": "measurement", "max": 10, "measure": {"direct": true, "min": 0, "max": 10, "step": 0.5}}]}],
	 "total": {"rounding": {"mode": "half_up", "places": 2}}}`
	r := mustRules(t, []byte(doc))
	in := Input{Contestants: []Contestant{{ID: "X"}}, Marks: mk(`
X R R1 J1 6
X R R1 J2 7
X R R1 J3 8`)}
	for _, c := range []struct {
		seated   map[string]int
		complete bool
	}{{nil, false}, {map[string]int{"R": 3}, true}, {map[string]int{"R": 4}, false}, {map[string]int{"R": 2}, true}, {map[string]int{"R": 9}, false}} {
		in.Seated = c.seated
		res, err := Compute(r, in)
		if err != nil {
			t.Fatal(err)
		}
		x := res.Contestants[0]
		if x.Complete != c.complete || x.Total != Points(70) {
			t.Errorf("seated %v: complete %v total %s, want %v 70", c.seated, x.Complete, x.Total, c.complete)
		}
	}
	if _, err := Compute(r, Input{Contestants: []Contestant{{ID: "X"}}, Seated: map[string]int{"Q": 3}}); err == nil {
		t.Error("a seated panel for an unknown module was accepted")
	}
	for _, bad := range []struct{ panel, want string }{
		{`"judges": 5, "seated_min": 6, "method": "mean"`, "seated_min 须在 1 与 judges 之间"},
		{`"judges": 5, "seated_min": 2, "min_judges": 3, "method": "mean"`, "seated_min 不能小于 min_judges"},
		{`"judges": 5, "seated_min": 2, "drop": 1, "method": "mean"`, "2 人的评审组去掉最高最低各 1 个后不剩分数"},
	} {
		d := strings.Replace(doc, `"judges": 5, "seated_min": 3, "method": "mean"`, bad.panel, 1)
		if _, err := ParseRules([]byte(d)); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%s: %v", bad.panel, err)
		}
	}
}

func TestCarriedAndAbsenceErrors(t *testing.T) {
	r := mustRules(t, []byte(assessmentDoc))
	base := func() Input {
		return Input{Contestants: []Contestant{{ID: "A"}}, Marks: mk(`A T - - 70`)}
	}
	for _, c := range []struct {
		edit func(*Input)
		want string
	}{
		{func(in *Input) { in.Carried = []CarriedPart{{Contestant: "Z", Part: "theory", Score: Points(70)}} }, "考生 \"Z\" 未知"},
		{func(in *Input) { in.Carried = []CarriedPart{{Contestant: "A", Part: "other", Score: Points(70)}} }, "没有属于 \"other\" 的模块"},
		{func(in *Input) { in.Carried = []CarriedPart{{Contestant: "A", Part: "theory", Score: Points(101)}} }, "超出 0–100"},
		{func(in *Input) {
			in.Carried = []CarriedPart{{Contestant: "A", Part: "theory", Score: Points(70)}, {Contestant: "A", Part: "theory", Score: Points(80)}}
		}, "理论沿用成绩重复"},
		{func(in *Input) { in.Absences = []Absence{{Contestant: "A", Module: "T"}} }, "记为缺考，却有成绩"},
		{func(in *Input) { in.Absences = []Absence{{Contestant: "A", Module: "Q"}} }, "模块 \"Q\" 未知"},
		{func(in *Input) {
			in.Absences = []Absence{{Contestant: "A", Module: "S"}, {Contestant: "A", Module: "S"}}
		}, "缺考记录重复"},
	} {
		in := base()
		c.edit(&in)
		if _, err := Compute(r, in); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v, want %q", err, c.want)
		}
	}
	// With factors a part has no 100-point scale to carry a score on.
	fr := mustRules(t, []byte(`{"name": "f", "kind": "assessment",
	 "modules": [{"code": "T", "name": "理论", "part": "theory", "factor": 1, "max": 100, "imported": true}],
	 "total": {"rounding": {"mode": "half_up", "places": 1}}}`))
	_, err := Compute(fr, Input{Contestants: []Contestant{{ID: "A"}}, Carried: []CarriedPart{{Contestant: "A", Part: "theory", Score: Points(70)}}})
	if err == nil || !strings.Contains(err.Error(), "按权重计分") {
		t.Errorf("factor rules: %v", err)
	}
}

// randomAssessment marks every candidate of the technician preset at
// random: theory imported, the practical by 3 judges, 综合评审 by a panel
// of 3–5, the odd mark missing.
func randomAssessment(r *Rules, rng *rand.Rand, n int) Input {
	in := Input{Seated: map[string]int{"review": 3 + rng.IntN(3)}}
	for i := range n {
		id := fmt.Sprintf("K%03d", i)
		in.Contestants = append(in.Contestants, Contestant{ID: id, Level: 3})
		for _, m := range r.Modules {
			if m.Imported {
				in.Marks = append(in.Marks, Mark{Contestant: id, Module: m.Code, Value: Points(int64(35 + rng.IntN(66)))})
				continue
			}
			judges := m.Panel.Judges
			if m.Panel.SeatedMin != 0 {
				judges = in.Seated[m.Code]
			}
			for _, a := range m.Aspects {
				for j := 1; j <= judges; j++ {
					if rng.IntN(40) == 0 {
						continue
					}
					in.Marks = append(in.Marks, Mark{Contestant: id, Module: m.Code, Aspect: a.Code, Judge: fmt.Sprintf("%s-J%d", m.Code, j), Value: randomValue(a, rng)})
				}
			}
		}
	}
	return in
}

func randomValue(a Aspect, rng *rand.Rand) Decimal {
	switch a.Kind {
	case Judgement:
		scale := a.Scale
		if scale == 0 {
			scale = 3
		}
		return Points(int64(rng.IntN(scale + 1)))
	case Measurement:
		if a.Measure == nil {
			return Points(int64(rng.IntN(2)))
		}
		steps := int64((*a.Measure.Max - *a.Measure.Min) / *a.Measure.Step)
		return *a.Measure.Min + Decimal(rng.Int64N(steps+1))*(*a.Measure.Step)
	case Deduction:
		return Points(int64(rng.IntN(int(a.Max/DecimalScale) + 1)))
	}
	return 0
}

func technicianRules(t testing.TB) *Rules {
	raw, _ := examples.Files.ReadFile("assessment-yanglao-technician.json")
	return mustRules(t, raw)
}

// A candidate passes exactly when every applicable part passes.
func TestPropertyPassingEveryPartPasses(t *testing.T) {
	r := technicianRules(t)
	passed := 0
	for seed := uint64(1); seed <= 30; seed++ {
		rng := rand.New(rand.NewPCG(seed, 15))
		res, err := Compute(r, randomAssessment(r, rng, 20))
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range res.Contestants {
			all := len(c.Verdicts) == 3
			for _, v := range c.Verdicts {
				all = all && v.Passed()
			}
			if c.Pass == nil || *c.Pass != all {
				t.Fatalf("seed %d %s: pass %v but verdicts %s", seed, c.ID, c.Pass, verdictTexts(&c))
			}
			if all {
				passed++
			}
		}
	}
	if passed == 0 {
		t.Fatal("no random candidate passed: the property was never tested")
	}
}

// Raising a candidate's mark in any part never turns a pass into a fail.
func TestPropertyRaisingAScoreKeepsAPass(t *testing.T) {
	r := technicianRules(t)
	raised := 0
	for seed := uint64(1); seed <= 40; seed++ {
		rng := rand.New(rand.NewPCG(seed, 16))
		in := randomAssessment(r, rng, 12)
		res, err := Compute(r, in)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range res.Contestants {
			if !*c.Pass {
				continue
			}
			// raise some of its marks that earn points in one module,
			// within their ranges
			mod := r.Modules[rng.IntN(len(r.Modules))].Code
			up := in
			up.Marks = append([]Mark(nil), in.Marks...)
			for i, m := range up.Marks {
				if m.Contestant == c.ID && m.Module == mod && !isDeduction(r, m) && rng.IntN(3) > 0 {
					up.Marks[i].Value = raise(r, m, rng)
				}
			}
			res2, err := Compute(r, up)
			if err != nil {
				t.Fatal(err)
			}
			if after := byID(res2, c.ID); !*after.Pass {
				t.Fatalf("seed %d %s: raising marks in %s turned a pass into %s", seed, c.ID, mod, verdictTexts(after))
			}
			raised++
		}
	}
	if raised == 0 {
		t.Fatal("nobody passed: the property was never tested")
	}
}

func aspectOf(r *Rules, m Mark) (Module, Aspect) {
	for _, mod := range r.Modules {
		if mod.Code == m.Module {
			for _, a := range mod.Aspects {
				if a.Code == m.Aspect {
					return mod, a
				}
			}
			return mod, Aspect{}
		}
	}
	return Module{}, Aspect{}
}

func isDeduction(r *Rules, m Mark) bool {
	_, a := aspectOf(r, m)
	return a.Kind == Deduction || a.Kind == Veto
}

// raise gives a mark a higher value within its aspect's range (or the same
// when it is at the top already).
func raise(r *Rules, m Mark, rng *rand.Rand) Decimal {
	mod, a := aspectOf(r, m)
	top, step := mod.Max, Decimal(1)
	switch {
	case mod.Imported:
	case a.Kind == Judgement:
		top = Points(3)
		if a.Scale != 0 {
			top = Points(int64(a.Scale))
		}
	case a.Measure == nil:
		top = Points(1)
	default:
		top, step = *a.Measure.Max, *a.Measure.Step
	}
	if a.Kind == Judgement || a.Kind == Measurement && a.Measure == nil {
		step = Points(1)
	}
	if m.Value >= top {
		return m.Value
	}
	return m.Value + step*Decimal(1+rng.Int64N(int64((top-m.Value)/step)))
}

// A carried part counts as passed whatever its score, and the candidate
// then passes exactly when the other parts do.
func TestPropertyCarriedPartCountsAsPassed(t *testing.T) {
	r := technicianRules(t)
	parts := []string{PartTheory, PartPractical, PartReview}
	for seed := uint64(1); seed <= 30; seed++ {
		rng := rand.New(rand.NewPCG(seed, 17))
		in := randomAssessment(r, rng, 10)
		for _, c := range in.Contestants {
			if rng.IntN(2) == 0 {
				in.Carried = append(in.Carried, CarriedPart{Contestant: c.ID, Part: parts[rng.IntN(3)],
					Score: Decimal(rng.Int64N(100*DecimalScale + 1)), Source: CarrySource{BatchNo: "2026-KY-01", Date: "2026-06-10"}})
			}
		}
		res, err := Compute(r, in)
		if err != nil {
			t.Fatal(err)
		}
		for _, cp := range in.Carried {
			c := byID(res, cp.Contestant)
			others := true
			for _, v := range c.Verdicts {
				if v.Part == cp.Part {
					if v.Verdict != VerdictCarried || !v.Passed() || v.Score != cp.Score {
						t.Fatalf("seed %d %s: carried %s gave %+v", seed, c.ID, cp.Part, v)
					}
					continue
				}
				others = others && v.Passed()
			}
			if *c.Pass != others {
				t.Fatalf("seed %d %s: pass %v with the others %v: %s", seed, c.ID, *c.Pass, others, verdictTexts(c))
			}
			for _, m := range c.Modules {
				if m.Part == cp.Part && !m.Complete {
					t.Fatalf("seed %d %s: carried module %s waits for marks", seed, c.ID, m.Code)
				}
			}
		}
	}
}
