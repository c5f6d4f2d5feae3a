package scoring

import (
	"fmt"
	"strings"
	"testing"

	"skillscore/levels"
)

func mustRules(t testing.TB, doc []byte) *Rules {
	t.Helper()
	r, err := ParseRules(doc)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// mk builds marks: "C1 P a1 J1 2" lines (judge "-" = none, aspect "-" = none).
func mk(lines string) []Mark {
	var out []Mark
	for _, l := range strings.Split(strings.TrimSpace(lines), "\n") {
		f := strings.Fields(l)
		if len(f) == 0 {
			continue
		}
		m := Mark{Contestant: f[0], Module: f[1], Aspect: f[2], Judge: f[3], Value: MustDecimal(f[4])}
		if m.Aspect == "-" {
			m.Aspect = ""
		}
		if m.Judge == "-" {
			m.Judge = ""
		}
		if len(f) > 5 {
			m.Multiplier = MustDecimal(f[5])
		}
		out = append(out, m)
	}
	return out
}

func byID(res *Result, id string) *ContestantResult {
	for i := range res.Contestants {
		if res.Contestants[i].ID == id {
			return &res.Contestants[i]
		}
	}
	return nil
}

func hasReason(c *ContestantResult, code string) bool {
	for _, r := range c.Reasons {
		if r.Code == code {
			return true
		}
	}
	for _, m := range c.Modules {
		for _, r := range m.Reasons {
			if r.Code == code {
				return true
			}
		}
		for _, a := range m.Aspects {
			for _, r := range a.Reasons {
				if r.Code == code {
					return true
				}
			}
		}
	}
	return false
}

func emp(ids ...string) []Contestant {
	var cs []Contestant
	for _, id := range ids {
		cs = append(cs, Contestant{ID: id, Group: "employee"})
	}
	return cs
}

func TestJudgementScalingAndWeights(t *testing.T) {
	r := mustRules(t, []byte(base))
	// a1 max 6: judges 2,3,3 → mean 8/3 × 6/3 = 16/3; a2 max 4 met by 2 of 3 → 8/3; d: 0,1,2 → 1
	// P = 16/3 + 8/3 − 1 = 7; T = 80 → total 80×0.3 + 7/10×70 = 24 + 49 = 73
	res, err := Compute(r, Input{Contestants: emp("C1"), Marks: mk(`
C1 T - - 80
C1 P a1 J1 2
C1 P a1 J2 3
C1 P a1 J3 3
C1 P a2 J1 1
C1 P a2 J2 1
C1 P a2 J3 0
C1 P d J1 0
C1 P d J2 1
C1 P d J3 2
C1 P v J1 0
C1 P v J2 0
C1 P v J3 0`)})
	if err != nil {
		t.Fatal(err)
	}
	c := byID(res, "C1")
	if c.Total != Points(73) || c.Modules[1].Score != Points(7) || !c.Complete || c.Rank != 1 {
		t.Fatalf("total %s P %s complete %v rank %d", c.Total, c.Modules[1].Score, c.Complete, c.Rank)
	}
	if got := c.Modules[1].Aspects[0].ScoreExact; got != "16/3" {
		t.Errorf("a1 exact = %q, want 16/3 (no rounding stated for the panel)", got)
	}
}

func TestRoundingOnlyWhereStated(t *testing.T) {
	// three aspects of 1/3 each: unrounded they add up to exactly 1 (10% of
	// 10 → weight 70 → 7); rounding each to 0.01 first gives 0.99 → 6.93.
	doc := func(round bool) []byte {
		return mutate(t, base, func(m map[string]any) {
			p := module(m, 1)
			p["max"] = 3
			p["aspects"] = []any{
				map[string]any{"code": "x", "name": "x", "kind": "judgement", "max": 1},
				map[string]any{"code": "y", "name": "y", "kind": "judgement", "max": 1},
				map[string]any{"code": "z", "name": "z", "kind": "judgement", "max": 1}}
			if round {
				p["panel"].(map[string]any)["rounding"] = map[string]any{"mode": "half_up", "places": 2}
			}
		})
	}
	marks := mk(`
C1 P x J1 1
C1 P y J1 1
C1 P z J1 1`)
	for _, tc := range []struct {
		round bool
		want  string
	}{{false, "23.33"}, {true, "23.10"}} {
		res, err := Compute(mustRules(t, doc(tc.round)), Input{Contestants: emp("C1"), Marks: marks})
		if err != nil {
			t.Fatal(err)
		}
		if got := res.Contestants[0].Total.Format(2); got != tc.want {
			t.Errorf("round=%v: total %s, want %s", tc.round, got, tc.want)
		}
	}
}

func panelRules(t *testing.T, panel map[string]any) *Rules {
	return mustRules(t, mutate(t, base, func(m map[string]any) {
		p := module(m, 1)
		p["panel"] = panel
		p["max"] = 3
		p["aspects"] = []any{map[string]any{"code": "a", "name": "a", "kind": "judgement", "max": 3, "judges": panel["judges"]}}
	}))
}

func TestPanelAggregation(t *testing.T) {
	five := `
C1 P a J1 0
C1 P a J2 1
C1 P a J3 3
C1 P a J4 3
C1 P a J5 2`
	for _, tc := range []struct {
		name  string
		panel map[string]any
		marks string
		want  string // module score
		code  string
	}{
		{"mean", map[string]any{"judges": 5, "method": "mean"}, five, "1.8", ""},
		{"drop 1 mean", map[string]any{"judges": 5, "method": "mean", "drop": 1}, five, "2", "module.formula"},
		{"drop 2 mean", map[string]any{"judges": 5, "method": "mean", "drop": 2}, five, "2", ""},
		{"drop 1 sum", map[string]any{"judges": 5, "method": "sum", "drop": 1}, five, "6", ""},
		{"median", map[string]any{"judges": 5, "method": "median"}, five, "2", ""},
		{"median even", map[string]any{"judges": 5, "method": "median"}, "C1 P a J1 1\nC1 P a J2 2", "1.5", "aspect.missing"},
		{"missing present", map[string]any{"judges": 3, "method": "mean", "missing": "present"}, "C1 P a J1 1\nC1 P a J2 2", "1.5", "aspect.missing"},
		{"missing zero", map[string]any{"judges": 3, "method": "mean", "missing": "zero"}, "C1 P a J1 1\nC1 P a J2 2", "1", "aspect.missing_zero"},
		{"missing sum rescaled", map[string]any{"judges": 5, "method": "sum", "drop": 1}, "C1 P a J1 1\nC1 P a J2 2\nC1 P a J3 3\nC1 P a J4 3", "7.5", "aspect.rescaled"},
		{"drop reduced", map[string]any{"judges": 5, "method": "mean", "drop": 2}, "C1 P a J1 1\nC1 P a J2 2\nC1 P a J3 3", "2", "aspect.drop_reduced"},
		{"too few", map[string]any{"judges": 3, "method": "mean", "min_judges": 2}, "C1 P a J1 3", "0", "aspect.too_few"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Compute(panelRules(t, tc.panel), Input{Contestants: emp("C1"), Marks: mk(tc.marks)})
			if err != nil {
				t.Fatal(err)
			}
			c := res.Contestants[0]
			if got := c.Modules[1].Score.String(); got != tc.want {
				t.Errorf("score %s, want %s", got, tc.want)
			}
			dropped := 0
			for _, m := range c.Modules[1].Aspects[0].Marks {
				if m.Dropped {
					dropped++
				}
			}
			if d, _ := tc.panel["drop"].(int); tc.name != "drop reduced" && d > 0 && dropped != 2*d {
				t.Errorf("%d marks flagged dropped, want %d", dropped, 2*d)
			}
			if tc.code != "" && !hasReason(&c, tc.code) {
				t.Errorf("no reason %s: %+v", tc.code, c.Modules[1].Aspects[0].Reasons)
			}
		})
	}
}

func TestRecusal(t *testing.T) {
	r := panelRules(t, map[string]any{"judges": 3, "method": "mean", "missing": "zero"})
	in := Input{Contestants: emp("C1"), Marks: mk("C1 P a J1 3\nC1 P a J2 2"), Recusals: []Recusal{{"C1", "P", "J3"}}}
	res, err := Compute(r, in)
	if err != nil {
		t.Fatal(err)
	}
	c := res.Contestants[0]
	// a recused judge is left out, not counted as zero, and the panel is complete
	if c.Modules[1].Score.String() != "2.5" || !c.Modules[1].Complete {
		t.Errorf("score %s complete %v", c.Modules[1].Score, c.Modules[1].Complete)
	}
	in.Marks = append(in.Marks, mk("C1 P a J3 1")...)
	if _, err := Compute(r, in); err == nil || !strings.Contains(err.Error(), "recused") {
		t.Errorf("mark by a recused judge: %v", err)
	}
}

func TestPerModulePanel(t *testing.T) {
	r := mustRules(t, mutate(t, base, func(m map[string]any) {
		p := module(m, 1)
		p["panel"] = map[string]any{"judges": 5, "level": "module", "method": "mean", "drop": 1}
	}))
	var b strings.Builder
	// judge subtotals: a1 (×2) + a2 (×4) − d
	for j, v := range [][3]int{{3, 1, 0}, {2, 1, 0}, {1, 0, 0}, {3, 1, 1}, {0, 0, 0}} {
		fmt.Fprintf(&b, "C1 P a1 J%d %d\nC1 P a2 J%d %d\nC1 P d J%d %d\n", j, v[0], j, v[1], j, v[2])
	}
	res, err := Compute(r, Input{Contestants: emp("C1"), Marks: mk(b.String())})
	if err != nil {
		t.Fatal(err)
	}
	// subtotals 10, 8, 2, 9, 0 → drop 10 and 0 → mean(8, 2, 9) = 19/3
	m := res.Contestants[0].Modules[1]
	if m.ScoreExact != "19/3" || len(m.JudgeTotals) != 5 || !hasReason(&res.Contestants[0], "module.panel") {
		t.Errorf("module %+v", m)
	}
}

func TestVetoAndFloor(t *testing.T) {
	marks := `
C1 T - - 90
C1 P a1 J1 3
C1 P a1 J2 3
C1 P a1 J3 3
C1 P v J1 1
C1 P v J2 1
C1 P v J3 0
C2 T - - 50
C2 P d J1 5
C2 P d J2 5
C2 P d J3 5
C2 P a1 J1 1
C2 P a1 J2 1
C2 P a1 J3 1
C3 T - - 40`
	r := mustRules(t, []byte(base))
	res, err := Compute(r, Input{Contestants: emp("C1", "C2", "C3"), Marks: mk(marks)})
	if err != nil {
		t.Fatal(err)
	}
	c1, c2 := byID(res, "C1"), byID(res, "C2")
	if !c1.Modules[1].Vetoed || c1.Modules[1].Score != 0 || c1.Total != Points(27) || !hasReason(c1, "module.veto") {
		t.Errorf("veto: %+v", c1.Modules[1])
	}
	if c2.Modules[1].Score != 0 || !hasReason(c2, "module.floor") {
		t.Errorf("floor: %s", c2.Modules[1].Score)
	}
	// floor none lets the module go negative: 2 − 5 = −3 → −3/10×70 = −21
	r2 := mustRules(t, mutate(t, base, func(m map[string]any) { module(m, 1)["floor"] = "none" }))
	res, _ = Compute(r2, Input{Contestants: emp("C1", "C2", "C3"), Marks: mk(marks)})
	if c := byID(res, "C2"); c.Modules[1].Score != Points(-3) || c.Total != Points(-6) {
		t.Errorf("no floor: %s total %s", c.Modules[1].Score, c.Total)
	}
	// disqualify: unranked, no award
	r3 := mustRules(t, mutate(t, base, func(m map[string]any) { aspect(m, 1, 3)["effect"] = "disqualify" }))
	res, _ = Compute(r3, Input{Contestants: emp("C1", "C2", "C3"), Marks: mk(marks)})
	c1 = byID(res, "C1")
	if !c1.Disqualified || c1.Rank != 0 || res.Contestants[len(res.Contestants)-1].ID != "C1" || !hasReason(c1, "disqualified") {
		t.Errorf("disqualified: %+v", c1)
	}
	// trigger "all": 2 of 3 is not enough
	r4 := mustRules(t, mutate(t, base, func(m map[string]any) { aspect(m, 1, 3)["trigger"] = "all" }))
	res, _ = Compute(r4, Input{Contestants: emp("C1", "C2", "C3"), Marks: mk(marks)})
	if byID(res, "C1").Modules[1].Vetoed {
		t.Error("trigger all fired on 2 of 3")
	}
}

func TestTieBreakChain(t *testing.T) {
	r := mustRules(t, []byte(base))
	// all total 7×... : theory/practical combinations with equal totals
	// C1, C2: T 70, P 10 → 21 + 70 = 91; C3: T 100, P 8.7142.. not equal; use equal totals by construction:
	// C4: T 100 (30) + P 61/70·10 … keep it simple: equal totals, different parts.
	marks := `
C1 T - - 70
C1 P a1 J1 3
C1 P a2 J1 1
C2 T - - 70
C2 P a1 J1 3
C2 P a2 J1 1
C3 T - - 70
C3 P a1 J1 3
C3 P a2 J1 1
C4 T - - 70
C4 P a1 J1 3
C4 P a2 J1 1`
	cs := emp("C1", "C2", "C3", "C4")
	cs[0].CompletionTime = 600_000
	cs[1].CompletionTime = 590_000
	cs[2].CompletionTime = 0 // unknown counts as slower
	cs[3].CompletionTime = 600_000
	res, err := Compute(r, Input{Contestants: cs, Marks: mk(marks)})
	if err != nil {
		t.Fatal(err)
	}
	order := []string{}
	for _, c := range res.Contestants {
		order = append(order, fmt.Sprintf("%s:%d", c.ID, c.Rank))
	}
	if got := strings.Join(order, " "); got != "C2:1 C1:2 C4:2 C3:4" {
		t.Errorf("order %s", got)
	}
	if c := byID(res, "C2"); c.DecidedBy != "completion_time" || !hasReason(c, "rank.tiebreak") {
		t.Errorf("C2 decided by %q", c.DecidedBy)
	}
	if c := byID(res, "C1"); !c.SharedRank || !hasReason(c, "rank.shared") {
		t.Errorf("C1 not shared")
	}
}

func TestPracticalThenTheoryTieBreak(t *testing.T) {
	// weights 30/70 with P max 10: T 100 + P 0 = 30 = T 0 + P 30/70×10 is not
	// whole; use 50/50 weights so 60/40 and 40/60 tie exactly.
	r := mustRules(t, mutate(t, base, func(m map[string]any) {
		module(m, 0)["weight"] = 50
		module(m, 1)["weight"] = 50
		m["tie_breaks"] = []any{"total", "practical", "theory"}
	}))
	marks := `
C1 T - - 60
C1 P a1 J1 3
C1 P a2 J1 0
C1 P a1 J2 3
C1 P a2 J2 0
C1 P a1 J3 0
C1 P a2 J3 0
C2 T - - 40
C2 P a1 J1 3
C2 P a2 J1 0
C2 P a1 J2 3
C2 P a2 J2 0
C2 P a1 J3 3
C2 P a2 J3 0`
	res, err := Compute(r, Input{Contestants: emp("C1", "C2"), Marks: mk(marks)})
	if err != nil {
		t.Fatal(err)
	}
	// C1: 30 + (4/10)·50 = 50; C2: 20 + (6/10)·50 = 50 → practical decides for C2
	if res.Contestants[0].ID != "C2" || res.Contestants[0].Total != Points(50) || res.Contestants[0].DecidedBy != "practical" {
		t.Errorf("got %s %s %q", res.Contestants[0].ID, res.Contestants[0].Total, res.Contestants[0].DecidedBy)
	}
}

// ranked builds n contestants with the given totals through imported theory
// (weight 100) so award tests control totals exactly.
func awardRules(t *testing.T, awards map[string]any, extra func(m map[string]any)) *Rules {
	doc := `{"name": "a", "kind": "competition",
	 "groups": [{"code": "employee", "name": "职工组"}, {"code": "student", "name": "学生组"}],
	 "modules": [{"code": "T", "name": "理论", "part": "theory", "weight": 100, "max": 100, "imported": true}],
	 "total": {"rounding": {"mode": "half_up", "places": 2}}}`
	return mustRules(t, mutate(t, doc, func(m map[string]any) {
		m["awards"] = awards
		if extra != nil {
			extra(m)
		}
	}))
}

func totalsInput(totals ...string) Input {
	var in Input
	for i, v := range totals {
		id := fmt.Sprintf("C%03d", i+1)
		in.Contestants = append(in.Contestants, Contestant{ID: id, Group: "employee"})
		in.Marks = append(in.Marks, Mark{Contestant: id, Module: "T", Value: MustDecimal(v)})
	}
	return in
}

func awardsOf(res *Result) string {
	var b []string
	for _, c := range res.Contestants {
		a := c.Award
		if a == "" {
			a = "-"
		}
		b = append(b, a)
	}
	return strings.Join(b, " ")
}

func proportional() map[string]any {
	return map[string]any{"count_rounding": map[string]any{"mode": "half_up", "places": 0}, "bands": []any{
		map[string]any{"code": "1", "name": "一等奖", "percent": 10},
		map[string]any{"code": "2", "name": "二等奖", "percent": 20},
		map[string]any{"code": "3", "name": "三等奖", "percent": 30}}}
}

func TestAwardsProportional(t *testing.T) {
	r := awardRules(t, proportional(), nil)
	res, err := Compute(r, totalsInput("99", "98", "97", "96", "95", "94", "93", "92", "91", "90"))
	if err != nil {
		t.Fatal(err)
	}
	if got := awardsOf(res); got != "1 2 2 3 3 3 - - - -" {
		t.Errorf("awards %s", got)
	}
	// a tie across the first boundary: both get 一等, 二等 shrinks (名额被并列占用)
	res, _ = Compute(r, totalsInput("99", "99", "97", "96", "95", "94", "93", "92", "91", "90"))
	if got := awardsOf(res); got != "1 1 2 3 3 3 - - - -" {
		t.Errorf("tie include: %s", got)
	}
	ex := proportional()
	ex["ties"] = "exclude"
	res, _ = Compute(awardRules(t, ex, nil), totalsInput("99", "99", "97", "96", "95", "94", "93", "92", "91", "90"))
	if got := awardsOf(res); got != "2 2 2 3 3 3 - - - -" {
		t.Errorf("tie exclude: %s", got)
	}
	// min score floor for 一等 demotes, global floor excludes
	fl := proportional()
	fl["bands"].([]any)[0].(map[string]any)["min_score"] = 99.5
	fl["min_score"] = 95
	res, _ = Compute(awardRules(t, fl, nil), totalsInput("99", "98", "97", "96", "95", "94", "93", "92", "91", "90"))
	if got := awardsOf(res); got != "2 2 2 3 3 - - - - -" {
		t.Errorf("floors: %s", got)
	}
	if !hasReason(&res.Contestants[0], "award.floor") || !hasReason(&res.Contestants[5], "award.floor") {
		t.Error("floor reasons missing")
	}
}

func TestAwardsFixedAndMedals(t *testing.T) {
	var totals []string
	for i := 0; i < 128; i++ {
		totals = append(totals, fmt.Sprintf("%d.%d", 90-i/3, i%3)) // distinct
	}
	fixed := map[string]any{"bands": []any{
		map[string]any{"code": "1", "name": "一等奖", "count": 5},
		map[string]any{"code": "2", "name": "二等奖", "count": 15},
		map[string]any{"code": "3", "name": "三等奖", "count": 32}}}
	res, err := Compute(awardRules(t, fixed, nil), totalsInput(totals...))
	if err != nil {
		t.Fatal(err)
	}
	got := res.Groups[0].Awards
	if got[0].Count != 5 || got[1].Count != 15 || got[2].Count != 32 {
		t.Errorf("fixed counts %+v", got)
	}
	medals := map[string]any{"count_rounding": map[string]any{"mode": "down", "places": 0}, "bands": []any{
		map[string]any{"code": "gold", "name": "金牌", "count": 1},
		map[string]any{"code": "silver", "name": "银牌", "count": 1},
		map[string]any{"code": "bronze", "name": "铜牌", "count": 1},
		map[string]any{"code": "merit", "name": "优胜奖", "until_percent": 50}}}
	res, _ = Compute(awardRules(t, medals, nil), totalsInput("90", "90", "80", "70", "60", "50", "40", "30", "20", "10", "5"))
	// two golds share, so no silver; bronze third; 优胜奖 down to 50% of 11 = 5 (rounded down)
	if got := awardsOf(res); got != "gold gold bronze merit merit - - - - - -" {
		t.Errorf("medals %s", got)
	}
}

func promoRules(t *testing.T, promo map[string]any) *Rules {
	return awardRules(t, proportional(), func(m map[string]any) {
		m["promotion"] = promo
		m["pass"] = map[string]any{"conditions": []any{map[string]any{"part": "theory", "min": 60}}}
	})
}

func TestPromotionPresets(t *testing.T) {
	totals := []string{"99", "98", "97", "96", "95", "94", "93", "92", "91", "90", "50"}
	held := []levels.Level{0, 2, 3, 2, 4, 1, 3, 5, 0, 3, 4}
	for _, tc := range []struct {
		name  string
		promo map[string]any
		year  map[int]int // contestant index → last promotion year
		want  string      // promoted level per contestant, "-" none
	}{
		{"class two", map[string]any{"preset": "provincial_class_two"}, nil, "1 1 2 1 2 - - - - - -"},
		{"class one", map[string]any{"preset": "provincial_class_one"}, nil, "1 1 1 1 2 - 2 2 2 2 -"},
		{"national", map[string]any{"preset": "national"}, nil, "2 1 2 1 2 - - - - - -"},
		{"one up capped", map[string]any{"preset": "one_level_up", "cap": 2}, nil, "5 - 2 - 3 - 2 4 5 2 -"},
		{"once a year", map[string]any{"preset": "provincial_class_two", "once_per_year": true}, map[int]int{0: 2024, 2: 2023}, "- 1 2 1 2 - - - - - -"},
		{"require pass", map[string]any{"preset": "one_level_up", "require_pass": true}, nil, "5 - 2 - 3 - 2 4 5 2 -"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := totalsInput(totals...)
			in.Year = 2024
			for i := range in.Contestants {
				in.Contestants[i].Level = held[i]
				in.Contestants[i].LastPromotionYear = tc.year[i]
			}
			res, err := Compute(promoRules(t, tc.promo), in)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range res.Contestants {
				if c.Promotion == nil {
					got = append(got, "-")
				} else {
					got = append(got, fmt.Sprint(int(c.Promotion.To)))
				}
				if c.Promotion == nil && !hasReasonPrefix(&c, "promotion.") {
					t.Errorf("%s: no promotion reason", c.ID)
				}
			}
			if g := strings.Join(got, " "); g != tc.want {
				t.Errorf("promotions %s, want %s", g, tc.want)
			}
		})
	}
}

func hasReasonPrefix(c *ContestantResult, p string) bool {
	for _, r := range c.Reasons {
		if strings.HasPrefix(r.Code, p) {
			return true
		}
	}
	return false
}

func TestPromotionTianjinAndTitles(t *testing.T) {
	r := awardRules(t, proportional(), func(m map[string]any) {
		m["promotion"] = map[string]any{"preset": "tianjin"}
		m["pass"] = map[string]any{"conditions": []any{map[string]any{"part": "theory", "min": 60}}}
		m["titles"] = []any{map[string]any{"code": "expert", "name": "江西省技术能手", "top": 2, "group": "employee"}}
	})
	in := totalsInput("99", "98", "97", "61", "59")
	in.Contestants[1].Level = 2
	in.Contestants[3].Group, in.Contestants[4].Group = "student", "student"
	res, err := Compute(r, in)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"C001": "2", "C002": "1", "C003": "2", "C004": "3", "C005": "-"}
	for _, c := range res.Contestants {
		got := "-"
		if c.Promotion != nil {
			got = fmt.Sprint(int(c.Promotion.To))
		}
		if got != want[c.ID] {
			t.Errorf("%s promoted to %s, want %s", c.ID, got, want[c.ID])
		}
	}
	if len(byID(res, "C001").Titles) != 1 || len(byID(res, "C003").Titles) != 0 || len(byID(res, "C004").Titles) != 0 {
		t.Error("titles wrong")
	}
}

func TestAssessmentPass(t *testing.T) {
	doc := `{"name": "认定", "kind": "assessment", "level": 2,
	 "modules": [
	  {"code": "T", "name": "理论", "part": "theory", "weight": 30, "max": 100, "imported": true},
	  {"code": "S", "name": "技能", "part": "practical", "weight": 50, "max": 100, "imported": true},
	  {"code": "R", "name": "综合评审", "part": "review", "weight": 20, "max": 100, "imported": true}],
	 "total": {"rounding": {"mode": "half_up", "places": 1}},
	 "pass": {"conditions": [{"part": "theory", "min": 60}, {"part": "practical", "min": 60},
	   {"part": "review", "min": 60, "target_level_at_most": 2}]}}`
	r := mustRules(t, []byte(doc))
	in := Input{Contestants: []Contestant{{ID: "A"}, {ID: "B"}, {ID: "C", TargetLevel: 3}, {ID: "D"}}, Marks: mk(`
A T - - 60
A S - - 75
A R - - 60
B T - - 59.99
B S - - 90
B R - - 90
C T - - 70
C S - - 70
C R - - 10
D T - - 90
D S - - 90
D R - - 59.5`)}
	res, err := Compute(r, in)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"A": true, "B": false, "C": true, "D": false}
	for _, c := range res.Contestants {
		if c.Pass == nil || *c.Pass != want[c.ID] {
			t.Errorf("%s pass %v, want %v: %+v", c.ID, c.Pass, want[c.ID], c.Reasons)
		}
		if c.Rank != 0 || c.Award != "" {
			t.Errorf("%s: an assessment has no rank or award", c.ID)
		}
	}
}

func TestStandardisedScale(t *testing.T) {
	r := awardRules(t, proportional(), func(m map[string]any) {
		m["standardised"] = map[string]any{"center": 700, "spread": 100, "rounding": map[string]any{"mode": "half_up", "places": 0}}
	})
	res, err := Compute(r, totalsInput("90", "80", "70", "60", "50"))
	if err != nil {
		t.Fatal(err)
	}
	// median 70, MAD 10 → 700 + (x − 70) × 10
	want := []string{"900", "800", "700", "600", "500"}
	for i, c := range res.Contestants {
		if c.Standardised == nil || c.Standardised.String() != want[i] {
			t.Errorf("%s standardised %v, want %s", c.ID, c.Standardised, want[i])
		}
	}
}

func TestDivingMultiplier(t *testing.T) {
	doc := `{"name": "diving", "kind": "competition",
	 "modules": [{"code": "d1", "name": "第1跳", "part": "other", "factor": 1, "max": 10,
	   "panel": {"judges": 7, "method": "sum", "drop": 2},
	   "aspects": [{"code": "x", "name": "打分", "kind": "measurement", "max": 10, "multiplier": true,
	     "measure": {"direct": true, "min": 0, "max": 10, "step": 0.5}}]}],
	 "total": {"rounding": {"mode": "half_up", "places": 2}}}`
	r := mustRules(t, []byte(doc))
	var b strings.Builder
	for j, v := range []string{"8", "8.5", "9", "9", "9.5", "7", "10"} {
		fmt.Fprintf(&b, "D d1 x J%d %s 3.4\n", j+1, v)
	}
	res, err := Compute(r, Input{Contestants: []Contestant{{ID: "D"}}, Marks: mk(b.String())})
	if err != nil {
		t.Fatal(err)
	}
	// drop 7, 8 and 9.5, 10 → 8.5 + 9 + 9 = 26.5 × 3.4 = 90.10
	if got := res.Contestants[0].Total.Format(2); got != "90.10" {
		t.Errorf("dive %s", got)
	}
	bad := mk(b.String())
	bad[3].Multiplier = MustDecimal("3.2")
	if _, err := Compute(r, Input{Contestants: []Contestant{{ID: "D"}}, Marks: bad}); err == nil || !strings.Contains(err.Error(), "multipliers disagree") {
		t.Errorf("disagreeing multipliers: %v", err)
	}
}

func TestInputErrors(t *testing.T) {
	r := mustRules(t, []byte(base))
	for _, tc := range []struct {
		in   Input
		want string
	}{
		{Input{Contestants: emp("C1"), Marks: mk("C9 T - - 50")}, `unknown contestant "C9"`},
		{Input{Contestants: emp("C1"), Marks: mk("C1 X - - 50")}, `unknown module "X"`},
		{Input{Contestants: emp("C1"), Marks: mk("C1 P zz J1 1")}, `no aspect "zz"`},
		{Input{Contestants: emp("C1"), Marks: mk("C1 P a1 - 1")}, "judge is required"},
		{Input{Contestants: emp("C1"), Marks: mk("C1 T - - 101")}, "outside 0..100"},
		{Input{Contestants: emp("C1"), Marks: mk("C1 P a1 J1 1\nC1 P a1 J1 2")}, "duplicate mark"},
		{Input{Contestants: emp("C1"), Marks: mk("C1 P a1 J1 1\nC1 P a1 J2 2\nC1 P a1 J3 2\nC1 P a1 J4 2")}, "more than 3 judges"},
		{Input{Contestants: emp("C1"), Marks: mk("C1 P a1 J1 1 2")}, "takes no multiplier"},
		{Input{Contestants: emp("C1", "C1")}, "duplicate contestant"},
		{Input{Contestants: []Contestant{{ID: "C1"}}}, "has no group"},
		{Input{Contestants: []Contestant{{ID: "C1", Group: "x"}}}, "unknown group"},
		{Input{Contestants: []Contestant{{ID: "C1", Group: "student", Level: 9}}}, "unknown level 9"},
	} {
		_, err := Compute(r, tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("err = %v, want %q", err, tc.want)
		}
	}
}

func TestPartialMarksStillRanked(t *testing.T) {
	r := mustRules(t, []byte(base))
	res, err := Compute(r, Input{Contestants: emp("C1", "C2", "C3"), Marks: mk("C1 T - - 80\nC2 P a1 J1 3")})
	if err != nil {
		t.Fatal(err)
	}
	// C2's one judgement mark (3 of 3 → 6 of 10 practical → 42) outranks C1's theory (24)
	if len(res.Contestants) != 3 || res.Contestants[0].ID != "C2" || res.Contestants[0].Total != Points(42) || res.Contestants[0].Complete || res.Contestants[2].Total != 0 || res.Contestants[2].Rank != 3 {
		t.Errorf("partial: %+v", res.Contestants)
	}
	if res.Groups[0].Complete != 0 || res.Groups[0].Contestants != 3 {
		t.Errorf("groups %+v", res.Groups)
	}
}

func TestJudgeConsistency(t *testing.T) {
	r := mustRules(t, []byte(base))
	var b strings.Builder
	for i := 1; i <= 6; i++ {
		fmt.Fprintf(&b, "C%d P a1 J1 3\nC%d P a1 J2 3\nC%d P a1 J3 %d\n", i, i, i, map[bool]int{true: 0, false: 2}[i == 1])
	}
	in := Input{Marks: mk(b.String())}
	for i := 1; i <= 6; i++ {
		in.Contestants = append(in.Contestants, Contestant{ID: fmt.Sprintf("C%d", i), Group: "employee"})
	}
	r.Consistency = nil
	res, err := Compute(r, in)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Flags) != 0 {
		t.Errorf("no limit set, but flags %v", res.Flags)
	}
	j3 := res.Judges[2]
	if j3.Judge != "J3" || j3.MeanSigned >= 0 || !strings.Contains(strings.Join(j3.Flags, ","), "harsh") {
		t.Errorf("J3 %+v", j3)
	}
	limit := Points(2)
	r2 := mustRules(t, mutate(t, base, func(m map[string]any) { aspect(m, 1, 0)["max_spread"] = 2 }))
	_ = limit
	res, _ = Compute(r2, in)
	if len(res.Flags) != 1 || res.Flags[0].Contestant != "C1" || res.Flags[0].Low != "J3" || res.Flags[0].Spread != Points(3) {
		t.Errorf("flags %+v", res.Flags)
	}
}
