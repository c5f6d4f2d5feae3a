package scoring

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"skillscore/levels"
)

// everyLevel is None and the eight levels.
func everyLevel() []levels.Level { return append([]levels.Level{levels.None}, levels.All()...) }

// Whatever a step says, a promotion never goes down or sideways, never
// past its cap, and without a cap never past 高级技师 unless the step's
// own level is higher.
func TestPropertyPromotionNeverGoesDown(t *testing.T) {
	granted := 0
	for _, to := range everyLevel() {
		ups := []int{0}
		if to == levels.None {
			ups = []int{1, 2, 3, 4, 5, 6, 7}
		}
		for _, up := range ups {
			for _, cap := range everyLevel() {
				for _, noneTo := range everyLevel() {
					for _, already := range []string{"", "none", "up"} {
						s := PromotionStep{Passed: true, To: to, Up: up, Cap: cap, NoneTo: noneTo, Already: already}
						for _, cur := range everyLevel() {
							got, why := promoteTo(cur, s)
							if why != "" {
								if got != levels.None {
									t.Fatalf("%+v from %v: refused (%s) but gives %v", s, cur, why, got)
								}
								continue
							}
							granted++
							ceiling := cap
							if ceiling == levels.None {
								ceiling = levels.SeniorTechnician
								if to.Above(ceiling) {
									ceiling = to
								}
							}
							switch {
							case !got.Valid():
								t.Fatalf("%+v from %v: grants invalid %d", s, cur, got)
							case cur != levels.None && !got.Above(cur):
								t.Fatalf("%+v from %v: grants %v, not above", s, cur, got)
							case got.Above(ceiling):
								t.Fatalf("%+v from %v: grants %v above the ceiling %v", s, cur, got, ceiling)
							}
						}
					}
				}
			}
		}
	}
	if granted == 0 {
		t.Fatal("no step granted anything")
	}
}

// The same through Compute: random events whose contestants hold any of the
// eight levels, under random promotion tables naming any level.
func TestPropertyComputedPromotionsGoUp(t *testing.T) {
	all := levels.All()
	for seed := uint64(1); seed <= 40; seed++ {
		rng := rand.New(rand.NewPCG(seed, 15))
		step := map[string]any{"passed": true}
		if rng.IntN(2) == 0 {
			step["to"] = int(all[rng.IntN(len(all))])
			if rng.IntN(2) == 0 {
				step["already"] = "up"
			}
		} else {
			step["up"] = 1 + rng.IntN(7)
		}
		if rng.IntN(2) == 0 {
			// a cap at or above the step's level, as validation requires
			lo := 0
			if to, ok := step["to"].(int); ok {
				lo = levels.Level(to).Rank() - 1
			}
			step["cap"] = int(all[lo+rng.IntN(len(all)-lo)])
		}
		r := promoRules(t, map[string]any{"rules": []any{step}})
		var totals []string
		for range 12 {
			totals = append(totals, fmt.Sprint(40+rng.IntN(60)))
		}
		in := totalsInput(totals...)
		for i := range in.Contestants {
			in.Contestants[i].Level = everyLevel()[rng.IntN(9)]
		}
		res, err := Compute(r, in)
		if err != nil {
			t.Fatalf("seed %d %v: %v", seed, step, err)
		}
		for _, c := range res.Contestants {
			if p := c.Promotion; p != nil && (!p.To.Valid() || (p.From != levels.None && !p.To.Above(p.From))) {
				t.Fatalf("seed %d %v: %s promoted from %v to %v", seed, step, c.ID, p.From, p.To)
			}
		}
	}
}

// The eight levels in promotion tables and presets.
func TestPromotionAcrossEightLevels(t *testing.T) {
	for _, tc := range []struct {
		name  string
		promo map[string]any
		held  levels.Level
		want  string // the level granted, or the reason code
	}{
		{"national: an apprentice becomes 技师", map[string]any{"preset": "national"}, levels.Apprentice, "二级/技师"},
		{"national: 高级技师 stays (capped at 高级技师)", map[string]any{"preset": "national"}, levels.SeniorTechnician, "promotion.capped"},
		{"national: 特级技师 stays", map[string]any{"preset": "national"}, levels.SpecialTechnician, "promotion.capped"},
		{"one up: 学徒工 → 五级", map[string]any{"preset": "one_level_up"}, levels.Apprentice, "五级/初级工"},
		{"one up capped at 特级技师: 高级技师 → 特级技师", map[string]any{"preset": "one_level_up", "cap": 7}, levels.SeniorTechnician, "特级技师"},
		{"one up capped at 首席技师: 特级技师 → 首席技师", map[string]any{"preset": "one_level_up", "cap": 8}, levels.SpecialTechnician, "首席技师"},
		{"one up: 首席技师 has nowhere to go", map[string]any{"preset": "one_level_up", "cap": 8}, levels.ChiefTechnician, "promotion.capped"},
		{"up without a cap stops at 高级技师", map[string]any{"rules": []any{map[string]any{"passed": true, "up": 3}}}, levels.Technician, "一级/高级技师"},
		{"to 特级技师", map[string]any{"rules": []any{map[string]any{"passed": true, "to": 7}}}, levels.SeniorTechnician, "特级技师"},
		{"to 特级技师, already up → 首席技师", map[string]any{"rules": []any{map[string]any{"passed": true, "to": 7, "already": "up", "cap": 8}}}, levels.SpecialTechnician, "首席技师"},
		{"to 技师 for a 特级技师 is no promotion", map[string]any{"rules": []any{map[string]any{"passed": true, "to": 2}}}, levels.SpecialTechnician, "promotion.already"},
		{"none_to 学徒工", map[string]any{"rules": []any{map[string]any{"passed": true, "up": 1, "none_to": 6}}}, levels.None, "学徒工"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// ten contestants, so that the first has an award (national)
			in := totalsInput("99", "98", "97", "96", "95", "94", "93", "92", "91", "90")
			in.Contestants[0].Level = tc.held
			res, err := Compute(promoRules(t, tc.promo), in)
			if err != nil {
				t.Fatal(err)
			}
			c := res.Contestants[0]
			if c.ID != "C001" {
				t.Fatalf("first is %s", c.ID)
			}
			got := ""
			if c.Promotion != nil {
				got = c.Promotion.ToName
				if c.Promotion.FromName != tc.held.String() {
					t.Errorf("from %q, want %q", c.Promotion.FromName, tc.held)
				}
			} else {
				for _, r := range c.Reasons {
					if strings.HasPrefix(r.Code, "promotion.") {
						got = r.Code
					}
				}
			}
			if got != tc.want {
				t.Errorf("got %q, want %q (%v)", got, tc.want, c.Reasons)
			}
		})
	}
}

// A pass condition for 技师 and above holds for candidates for 特级技师 and
// 首席技师 too, and not for a 学徒工 candidate, whatever their codes.
func TestPassConditionForTechnicianAndAbove(t *testing.T) {
	doc := `{"name": "a", "kind": "assessment", "level": 2,
	 "modules": [{"code": "T", "name": "理论", "part": "theory", "weight": 50, "max": 100, "imported": true},
	             {"code": "R", "name": "综合评审", "part": "review", "weight": 50, "max": 100, "imported": true}],
	 "total": {"rounding": {"mode": "half_up", "places": 2}},
	 "pass": {"conditions": [{"part": "theory", "min": 60}, {"part": "review", "min": 60, "target_level_at_most": 2}]}}`
	r := mustRules(t, []byte(doc))
	for _, tc := range []struct {
		target levels.Level
		pass   bool
	}{
		{levels.Apprentice, true}, {levels.Junior, true}, {levels.Senior, true},
		{levels.Technician, false}, {levels.SeniorTechnician, false}, {levels.SpecialTechnician, false}, {levels.ChiefTechnician, false},
	} {
		in := Input{Contestants: []Contestant{{ID: "C1", TargetLevel: tc.target}},
			Marks: []Mark{{Contestant: "C1", Module: "T", Value: MustDecimal("80")}, {Contestant: "C1", Module: "R", Value: MustDecimal("40")}}}
		res, err := Compute(r, in)
		if err != nil {
			t.Fatal(err)
		}
		if p := res.Contestants[0].Pass; p == nil || *p != tc.pass {
			t.Errorf("target %v: pass %v, want %v", tc.target, p, tc.pass)
		}
	}
}

// The contestants CSV reads stored codes and names alike.
func TestParseLevelCodesAndNames(t *testing.T) {
	for in, want := range map[string]levels.Level{"": levels.None, "0": levels.None, "3": levels.Senior, "6": levels.Apprentice,
		"7": levels.SpecialTechnician, "8": levels.ChiefTechnician, "学徒工": levels.Apprentice, "特级技师": levels.SpecialTechnician,
		"二级/技师": levels.Technician, "首席技师": levels.ChiefTechnician} {
		if got, err := ParseLevel(in); err != nil || got != want {
			t.Errorf("ParseLevel(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"9", "-1", "六级"} {
		if _, err := ParseLevel(in); err == nil {
			t.Errorf("ParseLevel(%q) accepted", in)
		}
	}
}
