package demo

import (
	"math/rand/v2"
	"testing"

	"skillscore/scoring"
)

// The demo's measured values read like a judge's: whole units within the
// aspect's range, and a good contestant mostly inside the best band (a
// bed raised to 72.6586° is no judge's reading).
func TestMeasuredMarksAreWholeUnitsInRange(t *testing.T) {
	rules, _, err := demoRules()
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	seen := 0
	for _, m := range rules.Modules {
		for _, a := range m.Aspects {
			ms := a.Measure
			if a.Kind != scoring.Measurement || ms == nil || ms.Min == nil || ms.Max == nil {
				continue
			}
			seen++
			from, to, banded := bestBand(ms.Bands)
			for skill := range 3 {
				inBest := 0
				const draws = 400
				for range draws {
					v := markValue(a, skill, rng)
					if v%scoring.DecimalScale != 0 || v < *ms.Min || v > *ms.Max {
						t.Fatalf("%s: %s is not a whole reading within %s–%s", a.Code, v, *ms.Min, *ms.Max)
					}
					if banded && v >= from && v < to {
						inBest++
					}
				}
				if banded && skill == 2 && inBest < draws*7/10 {
					t.Errorf("%s: a good contestant in the best band %d times of %d", a.Code, inBest, draws)
				}
			}
		}
	}
	if seen == 0 {
		t.Fatal("the demo rules have no measured aspect with a range: nothing was checked")
	}
}
