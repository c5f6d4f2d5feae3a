package scoring

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"skillscore/levels"
)

// benchRules: 4 practical modules × 10 aspects (judgement, measurement,
// deduction mixed), 5 judges per aspect, drop the highest and lowest, mean,
// rounded to 0.01; weights 25% each; two groups; awards, ties, promotion.
func benchRules(tb testing.TB) *Rules {
	var mods []any
	for m := 0; m < 4; m++ {
		var as []any
		for a := 0; a < 10; a++ {
			switch {
			case a == 9:
				as = append(as, map[string]any{"code": fmt.Sprintf("a%d", a), "name": "扣分", "kind": "deduction", "max": 5})
			case a%3 == 2:
				as = append(as, map[string]any{"code": fmt.Sprintf("a%d", a), "name": "客观", "kind": "measurement", "max": 10})
			default:
				mx := 12
				if a == 7 {
					mx = 100 - 30 - 60 // three measurements of 10, five judgements of 12
				}
				as = append(as, map[string]any{"code": fmt.Sprintf("a%d", a), "name": "主观", "kind": "judgement", "max": mx})
			}
		}
		mods = append(mods, map[string]any{"code": fmt.Sprintf("M%d", m), "name": fmt.Sprintf("模块%d", m), "part": "practical", "weight": 25, "max": 100,
			"panel": map[string]any{"judges": 5, "method": "mean", "drop": 1, "rounding": map[string]any{"mode": "half_up", "places": 2}}, "aspects": as})
	}
	doc := map[string]any{"name": "bench", "kind": "competition",
		"groups":     []any{map[string]any{"code": "employee", "name": "职工组"}, map[string]any{"code": "student", "name": "学生组"}},
		"modules":    mods,
		"total":      map[string]any{"rounding": map[string]any{"mode": "half_up", "places": 2}},
		"tie_breaks": []any{"total", "completion_time", "practical"},
		"awards": map[string]any{"count_rounding": map[string]any{"mode": "half_up", "places": 0}, "bands": []any{
			map[string]any{"code": "1", "name": "一等奖", "percent": 10}, map[string]any{"code": "2", "name": "二等奖", "percent": 20}, map[string]any{"code": "3", "name": "三等奖", "percent": 30}}},
		"promotion": map[string]any{"preset": "provincial_class_two"}}
	b, _ := json.Marshal(doc)
	r, err := ParseRules(b)
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

func benchInput(r *Rules, n int, seed uint64) Input {
	rng := rand.New(rand.NewPCG(seed, 1))
	in := Input{Year: 2024}
	judges := []string{"J1", "J2", "J3", "J4", "J5"}
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("C%05d", i)
		g := "employee"
		if i%3 == 0 {
			g = "student"
		}
		in.Contestants = append(in.Contestants, Contestant{ID: id, Group: g, Level: levels.Level(rng.IntN(6)), CompletionTime: int64(1_500_000 + rng.IntN(600_000))})
		skill := rng.IntN(4)
		for _, m := range r.Modules {
			for _, a := range m.Aspects {
				for _, j := range judges {
					var v int
					switch a.Kind {
					case Judgement:
						v = min(3, max(0, skill+rng.IntN(3)-1))
					case Measurement:
						v = rng.IntN(2)
					case Deduction:
						v = rng.IntN(3)
					}
					in.Marks = append(in.Marks, Mark{Contestant: id, Module: m.Code, Aspect: a.Code, Judge: j, Value: Points(int64(v))})
				}
			}
		}
	}
	return in
}

// BenchmarkComputeFull: full recompute, 10,000 contestants × 40 aspects × 5
// judges = 2,000,000 marks, with explanations.
func BenchmarkComputeFull(b *testing.B) {
	r := benchRules(b)
	in := benchInput(r, 10_000, 1)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := Compute(r, in); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(in.Marks)), "marks")
}

// BenchmarkStandingsApply: one new mark → updated standings (all rows with
// ranks and provisional awards) for 1,000 contestants, incremental.
func BenchmarkStandingsApply(b *testing.B) {
	r := benchRules(b)
	in := benchInput(r, 1_000, 2)
	// hold back the last judge's marks so each iteration applies a new one
	var held, base []Mark
	for _, m := range in.Marks {
		if m.Judge == "J5" {
			held = append(held, m)
		} else {
			base = append(base, m)
		}
	}
	in.Marks = base
	s, err := NewStandings(r, in)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	var times []time.Duration
	for b.Loop() {
		t0 := time.Now()
		m := held[i%len(held)]
		if i >= len(held) { // after one pass every mark is a correction
			m.Value = Points(int64(i % 2))
			if r.Modules[0].Aspects[0].Kind == Judgement {
				m.Value = Points(int64(i % 4))
			}
		}
		if err := s.Apply(m); err != nil {
			b.Fatal(err)
		}
		_ = s.Rows()
		times = append(times, time.Since(t0))
		i++
	}
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Nanoseconds()), "median-ns/op")
}

// BenchmarkNaiveRecomputePerMark is the baseline for StandingsApply: a full
// Compute of the same 1,000-contestant event after each new mark.
func BenchmarkNaiveRecomputePerMark(b *testing.B) {
	r := benchRules(b)
	in := benchInput(r, 1_000, 2)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := Compute(r, in); err != nil {
			b.Fatal(err)
		}
	}
}
