package scoring

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

func withStatus(in Input, id, status, reason string) Input {
	in.Contestants = slices.Clone(in.Contestants)
	for i := range in.Contestants {
		if in.Contestants[i].ID == id {
			in.Contestants[i].Status, in.Contestants[i].StatusReason = status, reason
		}
	}
	return in
}

func TestStatusesRankingAndAwards(t *testing.T) {
	r := awardRules(t, proportional(), func(m map[string]any) {
		m["titles"] = []any{map[string]any{"code": "nengshou", "name": "技术能手", "top": 2}}
	})
	ten := totalsInput("99", "98", "97", "96", "95", "94", "93", "92", "91", "90")
	// 不参与评奖 at first place: ranked 1st, no award or title; 一等奖 passes to the next.
	res, err := Compute(r, withStatus(ten, "C001", StatusIneligible, "已获同类奖项"))
	if err != nil {
		t.Fatal(err)
	}
	if got := awardsOf(res); got != "- 1 2 2 3 3 3 - - -" {
		t.Errorf("ineligible awards %s", got)
	}
	c1, c2, c3 := byID(res, "C001"), byID(res, "C002"), byID(res, "C003")
	if c1.Rank != 1 || c1.Status != StatusIneligible || c1.StatusName != "不参与评奖" || c1.StatusReason != "已获同类奖项" ||
		len(c1.Titles) != 0 || !hasReason(c1, "status.ineligible") || !hasReason(c1, "award.ineligible") || !hasReason(c1, "title.ineligible") {
		t.Errorf("ineligible contestant: %+v", c1)
	}
	if !hasReason(c2, "award.moved_up") || !slices.Equal(c2.Titles, []string{"技术能手"}) {
		t.Errorf("first moved up: %+v", c2)
	}
	if !slices.Equal(c3.Titles, []string{"技术能手"}) || !hasReason(c3, "title.moved_up") {
		t.Errorf("title passes to 3rd: %+v", c3)
	}
	if g := res.Groups[0]; g.AwardBase != 10 || g.Ranked != 10 {
		t.Errorf("group %+v", g)
	}
	// 缺考: unranked, not counted in the base (10 → 9 competed: 1+2+3 → 1+2+3 half-up of 0.9, 1.8, 2.7).
	res, _ = Compute(r, withStatus(ten, "C001", StatusAbsent, ""))
	c1 = byID(res, "C001")
	if c1.Rank != 0 || c1.Award != "" || !hasReason(c1, "status.absent") || hasReason(c1, "total.incomplete") || res.Contestants[9].ID != "C001" {
		t.Errorf("absent: %+v", c1)
	}
	if g := res.Groups[0]; g.AwardBase != 9 || g.Ranked != 9 || byID(res, "C002").Rank != 1 {
		t.Errorf("absent group %+v", g)
	}
	// 取消资格 by status has the veto-disqualification shape.
	res, _ = Compute(r, withStatus(ten, "C002", StatusDisqualified, "冒名顶替"))
	if c := byID(res, "C002"); !c.Disqualified || c.Rank != 0 || c.Award != "" || !hasReason(c, "status.disqualified") {
		t.Errorf("disqualified: %+v", c)
	}
	// a stated base: roster counts the absent contestant too
	ro := proportional()
	ro["base"] = "roster"
	res, _ = Compute(awardRules(t, ro, nil), withStatus(ten, "C001", StatusAbsent, ""))
	if g := res.Groups[0]; g.AwardBase != 10 || g.Awards[0].Nominal != 1 {
		t.Errorf("roster base %+v", g)
	}
	bad := proportional()
	bad["base"] = "everyone"
	if _, err := ParseRules(mutate(t, `{"name": "a", "kind": "competition", "modules": [{"code": "T", "name": "理论", "part": "theory", "weight": 100, "max": 100, "imported": true}], "total": {"rounding": {"mode": "half_up", "places": 2}}}`, func(m map[string]any) { m["awards"] = bad })); err == nil {
		t.Error("unknown base accepted")
	}
	if _, err := Compute(r, withStatus(ten, "C001", "sick", "")); err == nil {
		t.Error("unknown status accepted")
	}
}

// randomStatuses gives some contestants of a random event a status.
func randomStatuses(in Input, rng *rand.Rand) Input {
	in.Contestants = slices.Clone(in.Contestants)
	for i := range in.Contestants {
		if rng.IntN(5) == 0 {
			in.Contestants[i].Status = Statuses()[rng.IntN(len(Statuses()))]
			in.Contestants[i].StatusReason = "理由"
		}
	}
	return in
}

func countAwards(res *Result) map[string]int {
	n := map[string]int{}
	for _, g := range res.Groups {
		for _, a := range g.Awards {
			n[g.Code+"/"+a.Code] += a.Count
		}
	}
	return n
}

// Making a contestant ineligible keeps the base (competed) and the number
// of awards: its place passes to the next, and nobody else's rank moves.
func TestPropertyIneligibleKeepsAwardCounts(t *testing.T) {
	r := awardRules(t, proportional(), nil)
	for seed := uint64(1); seed <= 200; seed++ {
		rng := rand.New(rand.NewPCG(seed, 21))
		n := 2 + rng.IntN(40)
		var totals []string
		for i := 0; i < n; i++ {
			totals = append(totals, fmt.Sprintf("%d.%02d", 50+i/100, i%100)) // distinct
		}
		in := totalsInput(totals...)
		before, err := Compute(r, in)
		if err != nil {
			t.Fatal(err)
		}
		who := in.Contestants[rng.IntN(n)].ID
		after, err := Compute(r, withStatus(in, who, StatusIneligible, "理由"))
		if err != nil {
			t.Fatal(err)
		}
		if before.Groups[0].AwardBase != after.Groups[0].AwardBase {
			t.Fatalf("seed %d: base %d → %d", seed, before.Groups[0].AwardBase, after.Groups[0].AwardBase)
		}
		// 递补 keeps the count unless the ineligible one was the last
		// contestant who could have held an award (nobody left to move up).
		bc, ac := countAwards(before), countAwards(after)
		total := func(m map[string]int) int {
			s := 0
			for _, v := range m {
				s += v
			}
			return s
		}
		if total(bc) != total(ac) && total(bc) != n {
			t.Fatalf("seed %d: awards %v → %v", seed, bc, ac)
		}
		for _, c := range after.Contestants {
			if b := byID(before, c.ID); b.Rank != c.Rank || b.Total != c.Total {
				t.Fatalf("seed %d: %s rank %d → %d", seed, c.ID, b.Rank, c.Rank)
			}
			if c.ID == who && (c.Award != "" || c.Promotion != nil || len(c.Titles) > 0) {
				t.Fatalf("seed %d: ineligible %s took %q", seed, who, c.Award)
			}
		}
	}
}

// An absent or withdrawn contestant never changes the others' ranks: with
// random statuses on the demo rules, the others rank as in an event without
// those contestants at all, and every status shows with its reason.
func TestPropertyAbsentNeverAffectsOthers(t *testing.T) {
	r := demoRules(t)
	for seed := uint64(1); seed <= 20; seed++ {
		rng := rand.New(rand.NewPCG(seed, 5))
		in := randomStatuses(randomEvent(r, rng, 30), rng)
		res, err := Compute(r, in)
		if err != nil {
			t.Fatal(err)
		}
		gone := map[string]bool{}
		var rest Input
		rest.Year = in.Year
		for _, c := range in.Contestants {
			if c.Status == StatusAbsent || c.Status == StatusWithdrew {
				gone[c.ID] = true
				continue
			}
			rest.Contestants = append(rest.Contestants, c)
		}
		for _, m := range in.Marks {
			if !gone[m.Contestant] {
				rest.Marks = append(rest.Marks, m)
			}
		}
		without, err := Compute(r, rest)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range res.Contestants {
			if gone[c.ID] {
				if c.Rank != 0 || c.Award != "" || c.Promotion != nil || len(c.Titles) > 0 || !hasReasonPrefix(&c, "status.") {
					t.Fatalf("seed %d: %s %s ranked or rewarded: %+v", seed, c.ID, c.Status, c)
				}
				continue
			}
			w := byID(without, c.ID)
			if w.Rank != c.Rank || w.Award != c.Award || fmt.Sprint(w.Promotion) != fmt.Sprint(c.Promotion) {
				t.Fatalf("seed %d: %s rank %d award %q, without the absent %d %q", seed, c.ID, c.Rank, c.Award, w.Rank, w.Award)
			}
			if c.Status != "" && (c.StatusName == "" || c.StatusReason != "理由" || !hasReason(&c, "status."+c.Status)) {
				t.Fatalf("seed %d: status not shown: %+v", seed, c)
			}
			if c.Status == StatusIneligible && (c.Award != "" || c.Promotion != nil || len(c.Titles) > 0) {
				t.Fatalf("seed %d: ineligible %s rewarded", seed, c.ID)
			}
		}
	}
}

// Standings with statuses agree with Compute.
func TestStandingsWithStatuses(t *testing.T) {
	r := demoRules(t)
	rng := rand.New(rand.NewPCG(3, 3))
	in := randomStatuses(randomEvent(r, rng, 25), rng)
	s, err := NewStandings(r, in)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := Compute(r, in)
	for i, row := range s.Rows() {
		c := want.Contestants[i]
		if row.ID != c.ID || row.Rank != c.Rank || row.Award != c.Award {
			t.Fatalf("row %d %+v, Compute %s %d %s", i, row, c.ID, c.Rank, c.Award)
		}
	}
}

// Adding an ineligible contestant adds one to a "competed" base and
// nothing to an "eligible" one; under "eligible" nobody else's award
// changes, and an absent newcomer changes nothing under either.
func TestPropertyAddingStatusContestantBase(t *testing.T) {
	for _, base := range []string{BaseCompeted, BaseEligible} {
		aw := proportional()
		aw["base"] = base
		r := awardRules(t, aw, nil)
		for seed := uint64(1); seed <= 100; seed++ {
			rng := rand.New(rand.NewPCG(seed, 33))
			n := 1 + rng.IntN(40)
			var totals []string
			for i := 0; i < n; i++ {
				totals = append(totals, fmt.Sprint(50+rng.IntN(40)))
			}
			in := totalsInput(totals...)
			before, err := Compute(r, in)
			if err != nil {
				t.Fatal(err)
			}
			for _, st := range []string{StatusIneligible, StatusAbsent} {
				more := in
				more.Contestants = append(slices.Clone(in.Contestants), Contestant{ID: "NEW", Group: "employee", Status: st, StatusReason: "理由"})
				more.Marks = append(slices.Clone(in.Marks), Mark{Contestant: "NEW", Module: "T", Value: MustDecimal(fmt.Sprint(50 + rng.IntN(50)))})
				after, err := Compute(r, more)
				if err != nil {
					t.Fatal(err)
				}
				want := before.Groups[0].AwardBase
				if st == StatusIneligible && base == BaseCompeted {
					want++
				}
				if got := after.Groups[0].AwardBase; got != want {
					t.Fatalf("%s seed %d: adding a %s contestant: base %d, want %d", base, seed, st, got, want)
				}
				if base == BaseEligible || st == StatusAbsent {
					for _, c := range before.Contestants {
						if a := byID(after, c.ID); a.Award != c.Award {
							t.Fatalf("%s seed %d: adding a %s contestant changed %s's award %q → %q", base, seed, st, c.ID, c.Award, a.Award)
						}
					}
				}
			}
		}
	}
}
