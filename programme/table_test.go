package programme

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func teamRules() *Rules {
	r := DefaultRules()
	r.Team = &TeamRule{By: ByPlace, Points: map[string]int{"1": 15, "2": 12, "3": 10, "4": 8, "5": 6, "6": 4},
		Best: 2, Ties: TiesShared, Prizes: []Prize{{Name: "团体一等奖", Count: 1}, {Name: "团体二等奖", Count: 2}}}
	return r
}

var dels = []Delegation{{"nc", "南昌代表队"}, {"jj", "九江代表队"}, {"gz", "赣州代表队"}}

func TestComputeExample(t *testing.T) {
	events := []Event{
		{Code: "yl", Name: "养老护理员", Counted: true, Entries: []Entry{
			{ID: "1", Delegation: "nc", Rank: 1, Award: "first"},
			{ID: "2", Delegation: "nc", Rank: 2, Award: "first"},
			{ID: "3", Delegation: "jj", Rank: 3, Award: "second"},
			{ID: "4", Delegation: "nc", Rank: 4, Award: "third"},
			{ID: "5", Delegation: "", Rank: 5, Award: "third"},
		}},
		{Code: "jk", Name: "健康照护师", Counted: true, Entries: []Entry{
			{ID: "6", Delegation: "jj", Rank: 1, Award: "gold"},
			{ID: "7", Delegation: "gz", Rank: 2, Award: "silver"},
		}},
		{Code: "sealed", Name: "未公示", Counted: false, Entries: []Entry{
			{ID: "8", Delegation: "gz", Rank: 1, Award: "first"},
		}},
	}
	tb := Compute(teamRules(), dels, events)
	if got := tb.Rows[0]; got.Code != "nc" || !slices.Equal(got.Counts, []int{2, 0, 1}) || got.Points != 27 {
		t.Fatalf("first row %+v", got)
	}
	if want := "南昌代表队：养老护理员 一等奖 2 个、三等奖 1 个"; tb.Rows[0].Reasons[0] != want {
		t.Errorf("reason %q, want %q", tb.Rows[0].Reasons[0], want)
	}
	if !strings.Contains(tb.Rows[0].Reasons[1], "只计最好的 2 个成绩，另有 1 个不计") {
		t.Errorf("points reason %q", tb.Rows[0].Reasons[1])
	}
	if tb.Rows[1].Code != "jj" || tb.Rows[1].Points != 25 || tb.Rows[0].Prize != "团体一等奖" || tb.Rows[1].Prize != "团体二等奖" {
		t.Errorf("rows %+v", tb.Rows)
	}
	if tb.Rows[2].Code != "gz" || tb.Rows[2].Counts[0] != 0 {
		t.Errorf("a sealed event's award counted: %+v", tb.Rows[2])
	}
	if !slices.Equal(tb.Pending, []string{"sealed"}) || !slices.Equal(tb.Unassigned, []int{0, 0, 1}) {
		t.Errorf("pending %v unassigned %v", tb.Pending, tb.Unassigned)
	}
}

func TestParseRulesProblems(t *testing.T) {
	_, err := ParseRules([]byte(`{"bands":[{"code":"first","name":"","awards":["first"]},{"code":"first","name":"二","awards":["first"]}],
		"order":"points","team_award":{"by":"place","points":{"0":-1},"ties":"x","prizes":[{"name":"","count":0}]}}`))
	if err == nil {
		t.Fatal("bad rules accepted")
	}
	for _, want := range []string{"缺少名称", "代码 first 重复", "同时计入", "积分不能为负数", "名次 \"0\" 应为正整数",
		"并列规则", "团体奖缺少名称", "名额应至少为 1", "negative"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in %v", want, err)
		}
	}
	if _, err := ParseRules([]byte(`{"bands":[],"order":"points"}`)); err == nil || !strings.Contains(err.Error(), "team_award") {
		t.Errorf("points without team rule: %v", err)
	}
	r, err := ParseRules([]byte(DefaultJSON()))
	if err != nil || len(r.Bands) != 3 || r.Order != OrderMedals {
		t.Fatalf("default: %v %+v", err, r)
	}
}

// randomProgramme makes events whose entries carry random places, awards
// (either award scheme) and delegations, some unassigned.
func randomProgramme(rng *rand.Rand, nDel, nEvents, perEvent int) ([]Delegation, []Event) {
	ds := make([]Delegation, nDel)
	for i := range ds {
		ds[i] = Delegation{Code: fmt.Sprintf("d%02d", i), Name: fmt.Sprintf("代表队%02d", i)}
	}
	awards := [][]string{{"first", "second", "third", "excellence"}, {"gold", "silver", "bronze", ""}}
	evs := make([]Event, nEvents)
	for e := range evs {
		scheme := awards[rng.IntN(2)]
		ev := Event{Code: fmt.Sprintf("e%02d", e), Name: fmt.Sprintf("赛项%02d", e), Counted: rng.IntN(5) > 0}
		for i := 0; i < perEvent; i++ {
			en := Entry{ID: fmt.Sprintf("%d-%d", e, i), Rank: i + 1}
			if rng.IntN(20) > 0 {
				en.Delegation = ds[rng.IntN(nDel)].Code
			}
			switch {
			case i < perEvent/10:
				en.Award = scheme[0]
			case i < perEvent*3/10:
				en.Award = scheme[1]
			case i < perEvent*6/10:
				en.Award = scheme[2]
			case i < perEvent*8/10:
				en.Award = scheme[3]
			}
			ev.Entries = append(ev.Entries, en)
		}
		evs[e] = ev
	}
	return ds, evs
}

func TestPropertyCountsAddUp(t *testing.T) {
	for seed := uint64(1); seed <= 200; seed++ {
		rng := rand.New(rand.NewPCG(seed, 14))
		ds, evs := randomProgramme(rng, 1+rng.IntN(8), 1+rng.IntN(6), rng.IntN(40))
		r := DefaultRules()
		if seed%2 == 0 {
			r = teamRules()
			r.Order = OrderPoints
		}
		tb := Compute(r, ds, evs)
		want := make([]int, len(r.Bands))
		for _, ev := range evs {
			if !ev.Counted {
				continue
			}
			for _, e := range ev.Entries {
				for b, band := range r.Bands {
					if slices.Contains(band.Awards, e.Award) {
						want[b]++
					}
				}
			}
		}
		got := slices.Clone(tb.Unassigned)
		for _, row := range tb.Rows {
			sum := 0
			for b, n := range row.Counts {
				got[b] += n
				sum += n
			}
			if sum != row.Awards {
				t.Fatalf("seed %d: row %s awards %d, counts sum %d", seed, row.Code, row.Awards, sum)
			}
		}
		if !slices.Equal(got, want) {
			t.Fatalf("seed %d: counts %v, events' awards %v", seed, got, want)
		}
		if len(tb.Rows) != len(ds) {
			t.Fatalf("seed %d: %d rows for %d delegations", seed, len(tb.Rows), len(ds))
		}
	}
}

func TestPropertyOrderFollowsRule(t *testing.T) {
	for seed := uint64(1); seed <= 200; seed++ {
		rng := rand.New(rand.NewPCG(seed, 15))
		ds, evs := randomProgramme(rng, 2+rng.IntN(10), 1+rng.IntN(5), rng.IntN(30))
		r := teamRules()
		if seed%2 == 0 {
			r.Order = OrderPoints
		}
		tb := Compute(r, ds, evs)
		for i := 1; i < len(tb.Rows); i++ {
			a, b := tb.Rows[i-1], tb.Rows[i]
			c := 0
			if r.Order == OrderPoints {
				c = b.Points - a.Points
			}
			for k := 0; c == 0 && k < len(a.Counts); k++ {
				c = b.Counts[k] - a.Counts[k]
			}
			switch {
			case c > 0:
				t.Fatalf("seed %d (%s): %+v before %+v", seed, r.Order, a, b)
			case c == 0 && (a.Name > b.Name || a.Position != b.Position || !a.Shared || !b.Shared):
				t.Fatalf("seed %d: equal rows %+v %+v not shared in name order", seed, a, b)
			case c < 0 && b.Position != i+1:
				t.Fatalf("seed %d: row %d at position %d", seed, i+1, b.Position)
			}
		}
	}
}

func TestPropertyAddingAwardNeverLowersPoints(t *testing.T) {
	for seed := uint64(1); seed <= 200; seed++ {
		rng := rand.New(rand.NewPCG(seed, 16))
		ds, evs := randomProgramme(rng, 2+rng.IntN(6), 1+rng.IntN(5), 1+rng.IntN(25))
		for _, r := range []*Rules{teamRules(), bandRules()} {
			e := rng.IntN(len(evs))
			evs[e].Counted = true
			before := pointsOf(Compute(r, ds, evs))
			evs2 := slices.Clone(evs)
			d := ds[rng.IntN(len(ds))].Code
			evs2[e].Entries = append(slices.Clone(evs[e].Entries),
				Entry{ID: "new", Delegation: d, Rank: 1 + rng.IntN(6), Award: []string{"first", "silver", "third"}[rng.IntN(3)]})
			after := pointsOf(Compute(r, ds, evs2))
			for code, p := range before {
				switch {
				case code == d && after[code] < p:
					t.Fatalf("seed %d: adding an award lowered %s from %d to %d", seed, d, p, after[code])
				case code != d && after[code] != p:
					t.Fatalf("seed %d: adding %s's award changed %s's points", seed, d, code)
				}
			}
		}
	}
}

func bandRules() *Rules {
	r := DefaultRules()
	r.Team = &TeamRule{By: ByBand, Points: map[string]int{"first": 7, "second": 5, "third": 3}, Best: 3, Ties: TiesMedals}
	return r
}

func pointsOf(t *Table) map[string]int {
	out := map[string]int{}
	for _, r := range t.Rows {
		out[r.Code] = r.Points
	}
	return out
}

func TestTeamTiesMedals(t *testing.T) {
	r := bandRules()
	r.Team.Prizes = []Prize{{Name: "团体一等奖", Count: 1}}
	tb := Compute(r, dels, []Event{{Code: "a", Name: "甲", Counted: true, Entries: []Entry{
		{Delegation: "nc", Award: "first"}, {Delegation: "jj", Award: "second"}, {Delegation: "jj", Award: "second"},
		{Delegation: "gz", Award: "first"},
	}}})
	ranks := map[string]int{}
	for _, row := range tb.Rows {
		ranks[row.Code] = row.TeamRank
	}
	// nc and gz have 7 points and one 一等奖 each: tied at 2nd behind jj's 10.
	if ranks["jj"] != 1 || ranks["nc"] != 2 || ranks["gz"] != 2 {
		t.Errorf("team ranks %v", ranks)
	}
	r.Team.Prizes = []Prize{{Name: "团体一等奖", Count: 2}}
	tb = Compute(r, dels, tb2events())
	for _, row := range tb.Rows {
		if row.Prize != "团体一等奖" {
			t.Errorf("tied delegation %s inside the prize has none", row.Code)
		}
	}
}

func tb2events() []Event {
	return []Event{{Code: "a", Name: "甲", Counted: true, Entries: []Entry{
		{Delegation: "nc", Award: "first"}, {Delegation: "jj", Award: "first"}, {Delegation: "gz", Award: "first"},
	}}}
}
