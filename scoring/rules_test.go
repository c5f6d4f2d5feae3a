package scoring

import (
	"encoding/json"
	"io/fs"
	"strings"
	"testing"

	"skillscore/examples"
)

func TestExamplesParse(t *testing.T) {
	names, err := fs.Glob(examples.Files, "*.json")
	if err != nil || len(names) < 5 {
		t.Fatalf("examples: %v %v", names, err)
	}
	for _, n := range names {
		b, _ := examples.Files.ReadFile(n)
		r, err := ParseRules(b)
		if err != nil {
			t.Errorf("%s: %v", n, err)
			continue
		}
		// what we print can be parsed back to the same rules
		out, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ParseRules(out); err != nil {
			t.Errorf("%s: round trip: %v", n, err)
		}
	}
}

func TestDemoRulesShape(t *testing.T) {
	b, _ := examples.Files.ReadFile("jiangxi-yanglao-provincial.json")
	r, err := ParseRules(b)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[AspectKind]int{}
	n := 0
	for _, m := range r.Modules {
		for _, a := range m.Aspects {
			kinds[a.Kind]++
			n++
		}
		if m.Part == PartPractical && m.Panel.Judges != 3 {
			t.Errorf("module %s: %d judges", m.Code, m.Panel.Judges)
		}
	}
	if n < 15 || kinds[Veto] != 1 || kinds[Measurement] == 0 || kinds[Judgement] == 0 || kinds[Deduction] == 0 {
		t.Errorf("aspects: %d, kinds %v", n, kinds)
	}
}

// base is a valid minimal rules document that tests mutate.
const base = `{
 "name": "t", "kind": "competition",
 "groups": [{"code": "employee", "name": "职工组"}, {"code": "student", "name": "学生组"}],
 "modules": [
  {"code": "T", "name": "理论", "part": "theory", "weight": 30, "max": 100, "imported": true},
  {"code": "P", "name": "实操", "part": "practical", "weight": 70, "max": 10,
   "panel": {"judges": 3, "method": "mean"},
   "aspects": [
    {"code": "a1", "name": "评价", "kind": "judgement", "max": 6},
    {"code": "a2", "name": "测量", "kind": "measurement", "max": 4},
    {"code": "d", "name": "扣分", "kind": "deduction", "max": 5},
    {"code": "v", "name": "否决", "kind": "veto", "effect": "zero_module"}]}],
 "total": {"rounding": {"mode": "half_up", "places": 2}},
 "tie_breaks": ["total", "completion_time", "practical", "theory"]
}`

func mutate(t *testing.T, doc string, f func(m map[string]any)) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(doc), &m); err != nil {
		t.Fatal(err)
	}
	f(m)
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func module(m map[string]any, i int) map[string]any { return m["modules"].([]any)[i].(map[string]any) }
func aspect(m map[string]any, i, j int) map[string]any {
	return module(m, i)["aspects"].([]any)[j].(map[string]any)
}

func TestValidationErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    func(m map[string]any)
		want []string
	}{
		{"weights", func(m map[string]any) { module(m, 0)["weight"] = 20 }, []string{"modules: 模块权重之和为 90%", "module weights add up to 90%, not 100%"}},
		{"aspect sum", func(m map[string]any) { aspect(m, 1, 0)["max"] = 5 }, []string{"modules[1].aspects: ", "aspect marks add up to 9, not the module max 10"}},
		{"total rounding", func(m map[string]any) { m["total"] = map[string]any{} }, []string{"total.rounding: ", "rounding must be stated"}},
		{"rounding mode", func(m map[string]any) {
			m["total"] = map[string]any{"rounding": map[string]any{"mode": "bankers", "places": 7}}
		},
			[]string{"total.rounding.mode", "total.rounding.places"}},
		{"kind", func(m map[string]any) { aspect(m, 1, 1)["kind"] = "opinion" }, []string{`modules[1].aspects[1].kind: `, `unknown aspect kind "opinion"`}},
		{"veto effect", func(m map[string]any) { delete(aspect(m, 1, 3), "effect") }, []string{"modules[1].aspects[3].effect"}},
		{"drop", func(m map[string]any) { module(m, 1)["panel"].(map[string]any)["drop"] = 2 }, []string{"modules[1].panel.drop", "leaves no mark"}},
		{"dup aspect", func(m map[string]any) { aspect(m, 1, 1)["code"] = "a1" }, []string{"modules[1].aspects[1].code", "duplicate aspect code"}},
		{"tie", func(m map[string]any) { m["tie_breaks"] = []any{"total", "height"} }, []string{"tie_breaks[1]", `unknown tie-break "height"`}},
		{"unknown field", func(m map[string]any) { m["wieght"] = 1 }, []string{`unknown field "wieght"`}},
		{"overlapping ranks", func(m map[string]any) {
			m["promotion"] = map[string]any{"rules": []any{
				map[string]any{"ranks": map[string]any{"from": 1, "to": 3}, "to": 1},
				map[string]any{"group": "employee", "ranks": map[string]any{"from": 3, "to": 10}, "to": 2}}}
		}, []string{"promotion.rules[1].ranks", "ranks 3-10 overlap promotion.rules[0] ranks 1-3"}},
		{"unknown level", func(m map[string]any) {
			m["promotion"] = map[string]any{"rules": []any{map[string]any{"ranks": map[string]any{"from": 1, "to": 3}, "to": 9}}}
		}, []string{"promotion.rules[0].to", "unknown level 9"}},
		{"unknown preset", func(m map[string]any) { m["promotion"] = map[string]any{"preset": "olympic"} }, []string{"promotion.preset", `unknown promotion preset "olympic"`}},
		{"award bands", func(m map[string]any) {
			m["awards"] = map[string]any{"bands": []any{
				map[string]any{"code": "a", "name": "一等奖", "percent": 60},
				map[string]any{"code": "b", "name": "二等奖", "percent": 50, "count": 3}}}
		}, []string{"awards.bands[1]: ", "exactly one of percent", "over 100%", "awards.count_rounding"}},
		{"measure bands", func(m map[string]any) {
			aspect(m, 1, 1)["measure"] = map[string]any{"bands": []any{
				map[string]any{"from": 0, "to": 10, "marks": 4}, map[string]any{"from": 5, "to": 20, "marks": 9}}}
		}, []string{"modules[1].aspects[1].measure.bands[1]: ", "overlaps bands[0]", "band marks 9 outside 0..4"}},
		{"pass part", func(m map[string]any) {
			m["pass"] = map[string]any{"conditions": []any{map[string]any{"part": "review", "min": 60}}}
		}, []string{"pass.conditions[0].part", `no module has part "review"`}},
		{"count unit on a judgement", func(m map[string]any) { aspect(m, 1, 1)["count_unit"] = "分钟" },
			[]string{"modules[1].aspects[1].count_unit", "only deduction aspects with a unit take count_unit"}},
		{"count unit too long", func(m map[string]any) {
			a := aspect(m, 1, 1)
			a["kind"], a["unit"], a["count_unit"] = "deduction", 1, "超过规定时间的分钟数目"
		}, []string{"modules[1].aspects[1].count_unit", "at most 8 characters"}},
		{"group ref", func(m map[string]any) {
			m["titles"] = []any{map[string]any{"code": "x", "name": "技术能手", "top": 3, "group": "retired"}}
		}, []string{"titles[0].group", `unknown group "retired"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseRules(mutate(t, base, tc.f))
			if err == nil {
				t.Fatal("no error")
			}
			re, ok := err.(*RulesError)
			if !ok {
				t.Fatalf("error type %T", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
			for _, p := range re.Problems {
				if p.Message == "" || p.English == "" {
					t.Errorf("problem without both languages: %+v", p)
				}
			}
		})
	}
	if _, err := ParseRules([]byte(base)); err != nil {
		t.Fatalf("base: %v", err)
	}
}

func TestCheckValue(t *testing.T) {
	u := Points(2)
	lo, hi, step := Points(0), Points(10), MustDecimal("0.5")
	for _, tc := range []struct {
		a  Aspect
		v  string
		ok bool
	}{
		{Aspect{Kind: Judgement, Max: Points(6)}, "3", true},
		{Aspect{Kind: Judgement, Max: Points(6)}, "4", false},
		{Aspect{Kind: Judgement, Max: Points(6)}, "1.5", false},
		{Aspect{Kind: Judgement, Max: Points(6)}, "-1", false},
		{Aspect{Kind: Judgement, Max: Points(6), Scale: 5}, "5", true},
		{Aspect{Kind: Measurement, Max: Points(4)}, "1", true},
		{Aspect{Kind: Measurement, Max: Points(4)}, "2", false},
		{Aspect{Kind: Measurement, Max: Points(10), Measure: &Measure{Direct: true, Min: &lo, Max: &hi, Step: &step}}, "9.5", true},
		{Aspect{Kind: Measurement, Max: Points(10), Measure: &Measure{Direct: true, Min: &lo, Max: &hi, Step: &step}}, "9.7", false},
		{Aspect{Kind: Measurement, Max: Points(10), Measure: &Measure{Direct: true, Min: &lo, Max: &hi}}, "10.5", false},
		{Aspect{Kind: Deduction, Max: Points(5)}, "5", true},
		{Aspect{Kind: Deduction, Max: Points(5)}, "5.5", false},
		{Aspect{Kind: Deduction, Max: Points(5), Unit: &u}, "2", true},
		{Aspect{Kind: Deduction, Max: Points(5), Unit: &u}, "3", false},
		{Aspect{Kind: Deduction, Max: Points(5), Unit: &u}, "922337203685477", false},
		{Aspect{Kind: Veto}, "1", true},
		{Aspect{Kind: Veto}, "0.5", false},
	} {
		err := tc.a.CheckValue(MustDecimal(tc.v))
		if (err == nil) != tc.ok {
			t.Errorf("%s %+v value %s: err = %v", tc.a.Kind, tc.a, tc.v, err)
		}
	}
}

func TestAspectHint(t *testing.T) {
	d := Decimal(5 * 10000)
	for _, c := range []struct {
		a    Aspect
		want string
	}{
		{Aspect{Kind: Judgement}, "0～3 整数"},
		{Aspect{Kind: Judgement, Scale: 5}, "0～5 整数"},
		{Aspect{Kind: Measurement}, "1 达到 / 0 未达到"},
		{Aspect{Kind: Measurement, Measure: &Measure{Unit: "秒"}}, "测量值 秒"},
		{Aspect{Kind: Deduction, Unit: &d, CountUnit: "分钟"}, "扣分分钟数"},
		{Aspect{Kind: Deduction, Unit: &d}, "扣分次数"},
		{Aspect{Kind: Deduction}, "扣分值"},
		{Aspect{Kind: Veto}, "1 触发 / 0 未触发"},
	} {
		if got := c.a.Hint(); got != c.want {
			t.Errorf("%+v: hint %q, want %q", c.a, got, c.want)
		}
	}
}

func TestAspectKindNames(t *testing.T) {
	for k, want := range map[AspectKind]string{Judgement: "评价", Measurement: "测量", Deduction: "扣分", Veto: "否决项", "other": ""} {
		if got := k.Name(); got != want {
			t.Errorf("%q: name %q, want %q", k, got, want)
		}
	}
}

func TestAspectEntryText(t *testing.T) {
	unit := Decimal(5 * 10000)
	two, half := Decimal(2*10000), Decimal(5000)
	for _, c := range []struct {
		a    Aspect
		v    Decimal
		want string
	}{
		{Aspect{Kind: Judgement, Scale: 5}, two, "2"},
		{Aspect{Kind: Measurement}, Decimal(10000), "达到"},
		{Aspect{Kind: Measurement}, 0, "未达到"},
		{Aspect{Kind: Measurement, Measure: &Measure{Unit: "秒"}}, half, "0.5 秒"},
		{Aspect{Kind: Deduction, Unit: &unit, CountUnit: "分钟"}, two, "2 分钟"},
		{Aspect{Kind: Deduction, Unit: &unit}, two, "2 次"},
		{Aspect{Kind: Deduction}, half, "扣 0.5 分"},
		{Aspect{Kind: Veto}, Decimal(10000), "触发"},
		{Aspect{Kind: Veto}, 0, "未触发"},
	} {
		if got := c.a.EntryText(c.v); got != c.want {
			t.Errorf("%+v %s: %q, want %q", c.a, c.v, got, c.want)
		}
	}
}
