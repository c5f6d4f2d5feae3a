package scoring

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// The self-review lines of each judge, summarised, are the desk's
// JudgeStats for that judge: same marks, same means, same extremes. Panels
// of five with a drop and of varying size (a judge missing here and
// there), two judgement aspects, marks of other kinds that must not count.
func TestJudgeDeviationsAgreeWithDeskStats(t *testing.T) {
	r := mustRules(t, mutate(t, base, func(m map[string]any) {
		p := module(m, 1)
		p["panel"] = map[string]any{"judges": 5, "method": "mean", "drop": 1}
		p["aspects"] = []any{
			map[string]any{"code": "a1", "name": "评价一", "kind": "judgement", "max": 3},
			map[string]any{"code": "a2", "name": "评价二", "kind": "judgement", "max": 3},
			map[string]any{"code": "m", "name": "测量", "kind": "measurement", "max": 4},
			map[string]any{"code": "d", "name": "扣分", "kind": "deduction", "max": 5},
		}
	}))
	rng := rand.New(rand.NewPCG(16, 40))
	var b strings.Builder
	in := Input{}
	for c := 1; c <= 12; c++ {
		id := fmt.Sprintf("C%02d", c)
		in.Contestants = append(in.Contestants, Contestant{ID: id, Group: "employee"})
		for j := 1; j <= 5; j++ {
			if (c+j)%7 == 0 {
				continue // this judge did not mark this contestant
			}
			for _, a := range []string{"a1", "a2"} {
				fmt.Fprintf(&b, "%s P %s J%d %d\n", id, a, j, rng.IntN(4))
			}
			fmt.Fprintf(&b, "%s P m J%d %d\n%s P d J%d %d\n", id, j, rng.IntN(2), id, j, rng.IntN(3))
		}
	}
	in.Marks = mk(b.String())
	res, err := Compute(r, in)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Judges) != 5 {
		t.Fatalf("desk figures for %d judges, want 5", len(res.Judges))
	}
	for _, want := range res.Judges {
		ds := JudgeDeviations(res, want.Judge)
		got := SummarizeDeviations(want.Judge, ds)
		if got.Marks != want.Marks || got.MeanSigned != want.MeanSigned || got.MeanAbs != want.MeanAbs || got.MaxAbs != want.MaxAbs {
			t.Errorf("%s: lines sum to %+v, desk says %+v", want.Judge, got, want)
		}
		for _, d := range ds {
			if d.Aspect != "a1" && d.Aspect != "a2" {
				t.Errorf("%s: a line for %s aspect %s, only judgement aspects count", want.Judge, d.Contestant, d.Aspect)
			}
		}
		if s, ok := StatsOf(res, want.Judge); !ok || s.MeanAbs != want.MeanAbs {
			t.Errorf("StatsOf(%s) = %+v, %v", want.Judge, s, ok)
		}
	}
	if ds := JudgeDeviations(res, "J9"); len(ds) != 0 {
		t.Errorf("a judge with no marks has lines %+v", ds)
	}
}
