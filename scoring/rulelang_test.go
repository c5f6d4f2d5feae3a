package scoring

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// The rule-language extensions of issue 14: signed values, linear measures,
// module multipliers, deduction-only and status modules, aspect panels and
// running totals.

// sportRules is a small factor event built from module JSON fragments.
func sportRules(t testing.TB, extra string, modules ...string) *Rules {
	t.Helper()
	return mustRules(t, []byte(`{"name": "t", "kind": "competition", "total": {"rounding": {"mode": "half_up", "places": 2}}`+extra+`, "modules": [`+strings.Join(modules, ",")+`]}`))
}

// marksIn is an input with the contestants the marks name.
func marksIn(lines string) Input {
	in := Input{Marks: mk(lines)}
	seen := map[string]bool{}
	for _, m := range in.Marks {
		if !seen[m.Contestant] {
			seen[m.Contestant] = true
			in.Contestants = append(in.Contestants, Contestant{ID: m.Contestant})
		}
	}
	return in
}

func problems(t *testing.T, doc string) string {
	t.Helper()
	_, err := ParseRules([]byte(doc))
	if err == nil {
		t.Fatalf("rules accepted:\n%s", doc)
	}
	return err.Error()
}

const distance = `{"code": "jump", "name": "跳", "part": "other", "factor": 1, "max": 80, "panel": {"judges": 1, "method": "sum"},
 "aspects": [{"code": "d", "name": "距离", "kind": "measurement", "max": 80,
  "measure": {"min": 0, "max": 130, "step": 0.5, "linear": {"base": 60, "k": 120, "per": 1.8, "rounding": {"mode": "half_up", "places": 1}, "floor": 0}}}]}`

func TestLinearMeasure(t *testing.T) {
	r := sportRules(t, "", distance)
	// the large-hill slope, 1.8 points a metre from K = 120, with base 60
	for _, tc := range []struct{ d, want string }{{"120", "60"}, {"125.5", "69.9"}, {"130", "78"}, {"100", "24"}, {"86.5", "0"}, {"0", "0"}, {"119.5", "59.1"}} {
		res, err := Compute(r, marksIn("C1 jump d J "+tc.d))
		if err != nil {
			t.Fatal(err)
		}
		c := byID(res, "C1")
		if c.Total != MustDecimal(tc.want) || !hasReason(c, "aspect.linear") {
			t.Errorf("distance %s: total %s, want %s", tc.d, c.Total, tc.want)
		}
		if m := c.Modules[0].Aspects[0].Marks[0].Mapped; m == nil || *m != MustDecimal(tc.want) {
			t.Errorf("distance %s: mapped %v", tc.d, m)
		}
	}
	if _, err := Compute(r, marksIn("C1 jump d J 130.5")); err == nil {
		t.Error("a distance beyond measure.max was accepted")
	}
}

func TestLinearValidation(t *testing.T) {
	for _, tc := range []struct{ linear, measure, want string }{
		{`{"base": 60, "k": 120, "per": 1.8}`, `"min": 0, "max": 130`, "measure.linear.rounding: 必须说明舍入方式"},
		{`{"base": 60, "k": 120, "per": 0, "rounding": {"mode": "half_up", "places": 1}}`, `"min": 0, "max": 130`, "per must not be 0"},
		{`{"base": 60, "k": 120, "per": 1.8, "rounding": {"mode": "half_up", "places": 1}}`, `"min": 0, "max": 130`, "lowest marks -156 below 0"},
		{`{"base": 60, "k": 120, "per": 1.8, "rounding": {"mode": "half_up", "places": 1}, "floor": 0}`, `"min": 0`, "give cap, or measure min/max"},
		{`{"base": 60, "k": 120, "per": 1.8, "rounding": {"mode": "half_up", "places": 1}, "floor": 0}`, `"min": 0, "max": 150`, "highest marks 114 exceed the aspect max 80"},
		{`{"base": 60, "k": 120, "per": 1.8, "rounding": {"mode": "half_up", "places": 1}, "floor": 5, "cap": 2}`, `"min": 0, "max": 130`, "floor is above cap"},
	} {
		m := strings.Replace(distance, `"min": 0, "max": 130, "step": 0.5, "linear": {"base": 60, "k": 120, "per": 1.8, "rounding": {"mode": "half_up", "places": 1}, "floor": 0}`, tc.measure+`, "linear": `+tc.linear, 1)
		got := problems(t, `{"name": "t", "kind": "competition", "total": {"rounding": {"mode": "half_up", "places": 2}}, "modules": [`+m+`]}`)
		if !strings.Contains(got, "modules[0].aspects[0].measure") || !strings.Contains(got, tc.want) {
			t.Errorf("want %q in\n%s", tc.want, got)
		}
	}
}

const signedMods = `{"code": "wind", "name": "风", "part": "other", "factor": 1, "max": 20, "imported": true, "signed": true, "floor": "none"},
 {"code": "style", "name": "姿势", "part": "other", "factor": 1, "max": 10, "panel": {"judges": 1, "method": "sum"},
  "aspects": [{"code": "w", "name": "风力补偿", "kind": "measurement", "max": 10, "measure": {"direct": true, "min": -10, "max": 10, "step": 0.1}}]}`

func TestSignedValues(t *testing.T) {
	r := sportRules(t, "", signedMods)
	res, err := Compute(r, marksIn("C1 wind - - -7.5\nC1 style w J -2.3\nC2 wind - - 3\nC2 style w J 1.2"))
	if err != nil {
		t.Fatal(err)
	}
	// the measured module keeps floor zero: its −2.3 is cut to 0, as stated
	if c := byID(res, "C1"); c.Total != MustDecimal("-7.5") || c.Modules[0].Score != MustDecimal("-7.5") || !hasReason(c, "module.floor") {
		t.Errorf("C1 %s", c.Total)
	}
	if c := byID(res, "C2"); c.Total != MustDecimal("4.2") || c.Rank != 1 {
		t.Errorf("C2 %s rank %d", c.Total, c.Rank)
	}
	// beyond −max, and negatives where the rule does not allow them
	if _, err := Compute(r, marksIn("C1 wind - - -20.5")); err == nil || !strings.Contains(err.Error(), "outside -20..20") {
		t.Errorf("−20.5: %v", err)
	}
	unsigned := sportRules(t, "", strings.NewReplacer(`"signed": true, "floor": "none"`, `"floor": "none"`, `"min": -10`, `"min": 0`).Replace(signedMods))
	if _, err := Compute(unsigned, marksIn("C1 wind - - -1")); err == nil || !strings.Contains(err.Error(), "outside 0..20") {
		t.Errorf("unsigned imported −1: %v", err)
	}
	if _, err := Compute(unsigned, marksIn("C1 style w J -1")); err == nil || !strings.Contains(err.Error(), "outside the accepted range") {
		t.Errorf("unsigned measure −1: %v", err)
	}
}

func TestSignedValidation(t *testing.T) {
	doc := func(mods string) string {
		return `{"name": "t", "kind": "competition", "total": {"rounding": {"mode": "half_up", "places": 2}}, "modules": [` + mods + `]}`
	}
	for _, tc := range []struct{ mods, want string }{
		{strings.Replace(signedMods, `, "floor": "none"`, ``, 1), `modules[0].floor: 可为负的导入成绩（signed）须写明 floor: none`},
		{strings.Replace(signedMods, `"min": -10`, `"min": -11`, 1), `modules[1].aspects[0].measure.max: direct 测量须给出 min、max，且在 −10–10 之内`},
		{`{"code": "m", "name": "m", "part": "other", "factor": 1, "max": 10, "signed": true, "panel": {"judges": 1, "method": "sum"}, "aspects": [{"code": "a", "name": "a", "kind": "measurement", "max": 10}]}`, "modules[0].signed: signed 只用于导入成绩的模块"},
		{`{"code": "m", "name": "m", "part": "other", "factor": 1, "max": 10, "panel": {"judges": 1, "method": "sum"}, "aspects": [{"code": "a", "name": "a", "kind": "measurement", "max": 10, "measure": {"min": 0, "bands": [{"to": 5, "marks": -2}, {"from": 5, "marks": 10}]}}]}`, "band marks -2 outside 0..10 (only a measure with min below 0 gives negative marks)"},
	} {
		if got := problems(t, doc(tc.mods)); !strings.Contains(got, tc.want) {
			t.Errorf("want %q in\n%s", tc.want, got)
		}
	}
	// a signed band table is fine
	sportRules(t, "", `{"code": "m", "name": "m", "part": "other", "factor": 1, "max": 10, "panel": {"judges": 1, "method": "sum"}, "aspects": [{"code": "a", "name": "a", "kind": "measurement", "max": 10, "measure": {"min": -5, "bands": [{"to": 0, "marks": -2}, {"from": 0, "marks": 10}]}}]}`)
}

func TestModuleMultiplier(t *testing.T) {
	r := sportRules(t, "", `{"code": "dive", "name": "第1跳", "part": "other", "factor": 1, "max": 10, "multiplier": 2.0, "rounding": {"mode": "half_up", "places": 2},
	 "panel": {"judges": 5, "method": "sum", "drop": 1}, "aspects": [{"code": "s", "name": "裁判分", "kind": "measurement", "max": 10, "measure": {"direct": true, "min": 0, "max": 10, "step": 0.5}}]}`)
	res, err := Compute(r, marksIn("C1 dive s J1 7\nC1 dive s J2 7.5\nC1 dive s J3 6.5\nC1 dive s J4 8\nC1 dive s J5 7"))
	if err != nil {
		t.Fatal(err)
	}
	// kept 7, 7, 7.5 = 21.5 × 2.0 = 43
	c := byID(res, "C1")
	if c.Total != Points(43) || c.Modules[0].Score != Points(43) || !hasReason(c, "module.multiplier") {
		t.Errorf("total %s", c.Total)
	}
	if got := problems(t, `{"name": "t", "kind": "competition", "total": {"rounding": {"mode": "half_up", "places": 2}}, "modules": [{"code": "m", "name": "m", "part": "other", "factor": 1, "max": 10, "multiplier": 0, "imported": true}]}`); !strings.Contains(got, "modules[0].multiplier: 模块系数须大于 0") {
		t.Error(got)
	}
}

const dedOnly = `{"code": "safety", "name": "安全文明", "part": "practical", "weight": 10, "max": 10, "deductions_from": "max", "panel": {"judges": 3, "method": "mean"},
 "aspects": [{"code": "x", "name": "违规操作", "kind": "deduction", "max": 10, "unit": 2, "count_unit": "次"}]}`

const scored = `{"code": "A", "name": "实操", "part": "practical", "weight": 90, "max": 10, "panel": {"judges": 1, "method": "mean"},
 "aspects": [{"code": "a", "name": "a", "kind": "measurement", "max": 10}]}`

const status = `{"code": "check", "name": "安全检查", "panel": {"judges": 1, "method": "mean"},
 "aspects": [{"code": "v", "name": "严重安全事故", "kind": "veto", "effect": "disqualify", "trigger": "any"}]}`

func TestDeductionOnlyAndStatusModules(t *testing.T) {
	r := sportRules(t, "", scored, dedOnly, status)
	res, err := Compute(r, marksIn(`C1 A a J 1
C1 safety x J1 1
C1 safety x J2 2
C1 safety x J3 0
C1 check v S 0
C2 A a J 1
C2 safety x J1 0
C2 safety x J2 0
C2 safety x J3 0
C2 check v S 1`))
	if err != nil {
		t.Fatal(err)
	}
	// C1: 10 − mean(2, 4, 0) = 8 → 8 of 10 × 10% = 8; plus 90
	c1 := byID(res, "C1")
	if c1.Total != Points(98) || c1.Modules[1].Score != Points(8) || c1.Rank != 1 || len(c1.Modules) != 3 || c1.Modules[2].Contribution != 0 || !hasReason(c1, "module.status") {
		t.Errorf("C1 total %s rank %d modules %+v", c1.Total, c1.Rank, c1.Modules)
	}
	if len(c1.Parts) != 1 || c1.Parts[0].Score != Points(98) {
		t.Errorf("a status module makes no part: %+v", c1.Parts)
	}
	if c2 := byID(res, "C2"); !c2.Disqualified || c2.Rank != 0 || c2.Total != Points(100) {
		t.Errorf("C2 %+v", c2)
	}
}

func TestDeductionOnlyFromZero(t *testing.T) {
	r := sportRules(t, "", `{"code": "A", "name": "完成", "part": "other", "factor": 1, "max": 10, "imported": true}`,
		`{"code": "pen", "name": "罚分", "part": "other", "factor": 1, "max": 10, "deductions_from": "zero", "floor": "none", "panel": {"judges": 1, "method": "mean"},
		 "aspects": [{"code": "x", "name": "犯规", "kind": "deduction", "max": 10}]}`)
	res, err := Compute(r, marksIn("C1 A - - 9\nC1 pen x J 2.5"))
	if err != nil {
		t.Fatal(err)
	}
	if c := byID(res, "C1"); c.Total != MustDecimal("6.5") || c.Modules[1].Score != MustDecimal("-2.5") {
		t.Errorf("total %s", c.Total)
	}
}

func TestDeductionAndStatusValidation(t *testing.T) {
	doc := func(mods ...string) string {
		return `{"name": "t", "kind": "competition", "total": {"rounding": {"mode": "half_up", "places": 2}}, "modules": [` + strings.Join(mods, ",") + `]}`
	}
	for _, tc := range []struct {
		doc, want string
	}{
		{doc(scored, strings.Replace(dedOnly, `"deductions_from": "max", `, ``, 1)), "modules[1].deductions_from: 只有扣分项的模块须说明从满分（max）还是从 0（zero）起扣"},
		{doc(scored, strings.Replace(dedOnly, `"max", `, `"top", `, 1)), `deductions_from must be max or zero, got "top"`},
		{doc(scored, strings.Replace(dedOnly, `"max", `, `"zero", `, 1)), "modules[1].floor: 从 0 起扣（deductions_from: zero）须写明 floor: none"},
		{doc(strings.Replace(scored, `"weight": 90`, `"weight": 90, "deductions_from": "max"`, 1), dedOnly), "modules[0].deductions_from: 只有全部评分项都是扣分项"},
		{doc(scored, dedOnly, strings.Replace(status, `"panel"`, `"weight": 5, "panel"`, 1)), "modules[2]: 状态模块（只有否决项）不计分，不能有 weight"},
		{doc(scored, dedOnly, strings.Replace(status, `"panel"`, `"max": 5, "panel"`, 1)), "modules[2].max: 状态模块（只有否决项）不计分，max 须为 0 或省略"},
		{doc(scored, dedOnly, strings.Replace(status, `"disqualify"`, `"zero_module"`, 1)), "modules[2].aspects[0].effect: 状态模块不计分，其否决项须为 disqualify"},
		{doc(scored, dedOnly, strings.Replace(status, `"aspects": [{"code": "v", "name": "严重安全事故", "kind": "veto", "effect": "disqualify", "trigger": "any"}]`, `"aspects": []`, 1)), "modules[2].part"},
	} {
		if got := problems(t, tc.doc); !strings.Contains(got, tc.want) {
			t.Errorf("want %q in\n%s", tc.want, got)
		}
	}
}

func TestAspectPanel(t *testing.T) {
	r := sportRules(t, "", `{"code": "jump", "name": "跳", "part": "other", "factor": 1, "max": 30, "panel": {"judges": 1, "method": "sum"},
	 "aspects": [{"code": "style", "name": "姿势", "kind": "measurement", "max": 20, "panel": {"judges": 5, "method": "sum", "drop": 1},
	   "measure": {"direct": true, "min": 0, "max": 20, "step": 0.5}},
	  {"code": "land", "name": "落地", "kind": "measurement", "max": 10, "panel": {"judges": 3, "method": "median"}, "measure": {"direct": true, "min": 0, "max": 10}}]}`)
	res, err := Compute(r, marksIn(`C1 jump style J1 17
C1 jump style J2 18.5
C1 jump style J3 18
C1 jump style J4 19.5
C1 jump style J5 18
C1 jump land L1 7
C1 jump land L2 9
C1 jump land L3 8`))
	if err != nil {
		t.Fatal(err)
	}
	// style: drop 17 and 19.5, 18 + 18 + 18.5 = 54.5; land: median 8
	c := byID(res, "C1")
	if c.Total != MustDecimal("62.5") {
		t.Errorf("total %s", c.Total)
	}
	dropped := 0
	for _, m := range c.Modules[0].Aspects[0].Marks {
		if m.Dropped {
			dropped++
		}
	}
	if dropped != 2 || !strings.Contains(c.Modules[0].Reasons[0].Text, "其中“姿势”由 5 名裁判评分，去掉最高分和最低分各 1 个") {
		t.Errorf("dropped %d, %s", dropped, c.Modules[0].Reasons[0].Text)
	}
	if _, err := Compute(r, marksIn("C1 jump land L1 7\nC1 jump land L2 7\nC1 jump land L3 7\nC1 jump land L4 7")); err == nil {
		t.Error("a fourth judge on a three-judge aspect panel was accepted")
	}
}

func TestAspectPanelValidation(t *testing.T) {
	mod := func(panel string, level string) string {
		return `{"name": "t", "kind": "competition", "total": {"rounding": {"mode": "half_up", "places": 2}}, "modules": [{"code": "m", "name": "m", "part": "other", "factor": 1, "max": 10,
		 "panel": {"judges": 3, "method": "mean"` + level + `}, "aspects": [{"code": "a", "name": "a", "kind": "measurement", "max": 10, "panel": ` + panel + `}]}]}`
	}
	for _, tc := range []struct{ doc, want string }{
		{mod(`{"judges": 2, "method": "sum", "drop": 1}`, ""), "modules[0].aspects[0].panel.drop: 去掉最高最低各 1 个后，2 名裁判不剩分数"},
		{mod(`{"method": "trimmed"}`, ""), `modules[0].aspects[0].panel.method: method 须为 mean、median 或 sum，得到 "trimmed"`},
		{mod(`{"method": "median", "drop": 1}`, ""), "modules[0].aspects[0].panel.drop: 中位数不需要去掉最高最低分"},
		{mod(`{"judges": 3, "min_judges": 4}`, ""), "modules[0].aspects[0].panel.min_judges"},
		{mod(`{"drop": 1}`, `, "level": "module"`), "modules[0].aspects[0].panel: 按模块汇总（level: module）时评分项不能有自己的 panel"},
	} {
		if got := problems(t, tc.doc); !strings.Contains(got, tc.want) {
			t.Errorf("want %q in\n%s", tc.want, got)
		}
	}
}

const rounds = `{"code": "d1", "name": "第1跳", "part": "other", "factor": 1, "max": 100, "imported": true, "unit": "R1"},
 {"code": "p1", "name": "第1跳补偿", "part": "other", "factor": 1, "max": 20, "imported": true, "signed": true, "floor": "none", "unit": "R1"},
 {"code": "d2", "name": "第2跳", "part": "other", "factor": 1, "max": 100, "imported": true},
 {"code": "d3", "name": "第3跳", "part": "other", "factor": 1, "max": 100, "imported": true}`

func TestRunningTotals(t *testing.T) {
	r := sportRules(t, `, "running_totals": true, "tie_breaks": ["total", "module:d3"]`, rounds)
	res, err := Compute(r, marksIn(`A d1 - - 50
A p1 - - -2
A d2 - - 40
A d3 - - 30
B d1 - - 45
B p1 - - 3
B d2 - - 40
B d3 - - 32
C d1 - - 30
C p1 - - 0
C d2 - - 60
C d3 - - 30`))
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(res.Units) != "[R1 d2 d3]" {
		t.Fatalf("units %v", res.Units)
	}
	got := map[string]string{}
	for _, c := range res.Contestants {
		for _, u := range c.Progress {
			got[c.ID] += fmt.Sprintf("%s=%s#%d%v ", u.Unit, u.Total, u.Rank, u.Shared)
		}
	}
	// after R1: A 48 and B 48 (a negative −2 and a positive 3) share rank
	// 1; after d2 C leads with 90; at the end B and C both have 120 and the
	// tie-break module:d3 (32 against 30), which only the final ranking
	// applies, puts B first
	want := map[string]string{
		"A": "R1=48#1true d2=88#2true d3=118#3false ",
		"B": "R1=48#1true d2=88#2true d3=120#1false ",
		"C": "R1=30#3false d2=90#1false d3=120#2false ",
	}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("%s: %s, want %s", id, got[id], w)
		}
	}
	if got := problems(t, `{"name": "t", "kind": "competition", "total": {"rounding": {"mode": "half_up", "places": 2}}, "modules": [`+rounds+`]}`); !strings.Contains(got, "modules[0].unit: unit 只在 running_totals: true 时有意义") {
		t.Error(got)
	}
	split := strings.Replace(rounds, `"max": 100, "imported": true},
 {"code": "d3", "name": "第3跳", "part": "other", "factor": 1, "max": 100, "imported": true}`, `"max": 100, "imported": true, "unit": "R2"},
 {"code": "d3", "name": "第3跳", "part": "other", "factor": 1, "max": 100, "imported": true, "unit": "R1"}`, 1)
	if got := problems(t, `{"name": "t", "kind": "competition", "running_totals": true, "total": {"rounding": {"mode": "half_up", "places": 2}}, "modules": [`+split+`]}`); !strings.Contains(got, `the modules of unit "R1" must be consecutive`) {
		t.Error(got)
	}
}

// TestPropertyLinearMonotonic: with per > 0 more distance never scores less,
// and every mapped value is the stated rounding of the exact formula, kept
// within floor and cap.
func TestPropertyLinearMonotonic(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 1))
	modes := []RoundingMode{HalfUp, HalfEven, Down, Up}
	for iter := 0; iter < 300; iter++ {
		per := Decimal(1 + rng.IntN(40000))
		l := &Linear{Base: Points(int64(rng.IntN(120))), K: Points(int64(50 + rng.IntN(100))), Per: per,
			Rounding: &Rounding{Mode: modes[rng.IntN(4)], Places: rng.IntN(3)}}
		if rng.IntN(2) == 0 {
			f := Points(0)
			l.Floor = &f
		}
		prev := Decimal(-1 << 62)
		for v := Decimal(0); v <= Points(200); v += Decimal(5000 * (1 + rng.IntN(3))) {
			got := linearMarks(l, v)
			want := linearExact(l, v).mustRound(l.Rounding.Places, l.Rounding.Mode)
			if l.Floor != nil && want < *l.Floor {
				want = *l.Floor
			}
			if got != want || got < prev {
				t.Fatalf("%+v at %s: %s (want %s, previous %s)", l, v, got, want, prev)
			}
			prev = got
		}
	}
}

// TestPropertySignedRunningTotals: random signed imported and measured
// values; every contestant's last running total and rank are the final ones,
// each unit's running total is the rounded sum of the contributions so far,
// and each unit's ranks follow the running totals (1 + the number ahead).
func TestPropertySignedRunningTotals(t *testing.T) {
	r := sportRules(t, `, "running_totals": true`, rounds,
		`{"code": "w", "name": "风", "part": "other", "factor": 1, "max": 10, "unit": "W", "panel": {"judges": 1, "method": "sum"}, "floor": "none",
		 "aspects": [{"code": "w", "name": "风力", "kind": "measurement", "max": 10, "measure": {"direct": true, "min": -10, "max": 10, "step": 0.1}}]}`)
	rng := rand.New(rand.NewPCG(14, 2))
	for iter := 0; iter < 50; iter++ {
		var in Input
		n := 2 + rng.IntN(12)
		for i := 0; i < n; i++ {
			id := fmt.Sprintf("C%02d", i)
			in.Contestants = append(in.Contestants, Contestant{ID: id})
			for _, m := range []string{"d1", "d2", "d3"} {
				if rng.IntN(8) > 0 {
					in.Marks = append(in.Marks, Mark{Contestant: id, Module: m, Value: Decimal(rng.IntN(4) * 50000)})
				}
			}
			in.Marks = append(in.Marks, Mark{Contestant: id, Module: "p1", Value: Decimal((rng.IntN(41) - 20) * 10000)},
				Mark{Contestant: id, Module: "w", Aspect: "w", Judge: "W", Value: Decimal((rng.IntN(201) - 100) * 1000)})
		}
		res, err := Compute(r, in)
		if err != nil {
			t.Fatal(err)
		}
		for u := range res.Units {
			for _, c := range res.Contestants {
				if len(c.Progress) != len(res.Units) || c.Progress[u].Unit != res.Units[u] {
					t.Fatalf("%s progress %+v", c.ID, c.Progress)
				}
				sum := Decimal(0)
				for mi := range c.Modules {
					if r.c.modUnit[mi] <= u {
						sum += c.Modules[mi].Contribution
					}
				}
				p := c.Progress[u]
				if p.Total != sum {
					t.Fatalf("%s unit %d: %s, contributions add up to %s", c.ID, u, p.Total, sum)
				}
				if u == len(res.Units)-1 {
					if p.Total != c.Total || p.Rank != c.Rank || p.Shared != c.SharedRank {
						t.Fatalf("%s last unit %+v, result %s #%d", c.ID, p, c.Total, c.Rank)
					}
					continue
				}
				ahead := 0
				for _, o := range res.Contestants {
					if o.Progress[u].Total > p.Total {
						ahead++
					}
				}
				if p.Rank != ahead+1 {
					t.Fatalf("%s unit %d: rank %d with %d ahead", c.ID, u, p.Rank, ahead)
				}
			}
		}
	}
}

// TestAspectPanelWithAspectJudges: an aspect's judges count (not the
// module's) is what its panel drops from.
func TestAspectPanelWithAspectJudges(t *testing.T) {
	doc := `{"name": "t", "kind": "competition", "total": {"rounding": {"mode": "half_up", "places": 2}}, "modules": [{"code": "m", "name": "m", "part": "other", "factor": 1, "max": 10,
	 "panel": {"judges": 5, "method": "mean"}, "aspects": [{"code": "a", "name": "a", "kind": "measurement", "max": 10, "judges": 2, "panel": {"method": "sum", "drop": 1}}]}]}`
	if got := problems(t, doc); !strings.Contains(got, "modules[0].aspects[0].panel.drop: 去掉最高最低各 1 个后，2 名裁判不剩分数") {
		t.Error(got)
	}
}

// TestStatusModulePerModulePanel: a status module under level "module" is
// complete once its veto is marked (it has no subtotals to wait for).
func TestStatusModulePerModulePanel(t *testing.T) {
	r := sportRules(t, "", `{"code": "A", "name": "A", "part": "other", "factor": 1, "max": 10, "imported": true}`,
		strings.Replace(status, `"method": "mean"`, `"method": "mean", "level": "module"`, 1))
	res, err := Compute(r, marksIn("C1 A - - 7\nC1 check v S 0"))
	if err != nil {
		t.Fatal(err)
	}
	if c := byID(res, "C1"); !c.Complete || c.Total != Points(7) || c.Rank != 1 {
		t.Errorf("%+v", c)
	}
}
