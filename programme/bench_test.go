package programme

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkTable85x3000 is the programme: 85 events of about 35
// entries (3,000 contestants) over 66 delegations, recomputed whole.
func BenchmarkTable85x3000(b *testing.B) {
	rng := rand.New(rand.NewPCG(85, 3000))
	ds, evs := randomProgramme(rng, 66, 85, 3000/85)
	for i := range evs {
		evs[i].Counted = true
	}
	r := teamRules()
	r.Order = OrderPoints
	b.ReportAllocs()
	for b.Loop() {
		Compute(r, ds, evs)
	}
}
