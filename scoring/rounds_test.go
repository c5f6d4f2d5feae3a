package scoring_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"

	"skillscore/examples"
	"skillscore/scoring"
)

var updateRounds = flag.Bool("update-rounds", false, "rewrite testdata/rounds-*.golden.json")

func twoRounds(t testing.TB) *scoring.Rules {
	t.Helper()
	b, err := examples.Files.ReadFile("yanglao-two-rounds.json")
	if err != nil {
		t.Fatal(err)
	}
	r, err := scoring.ParseRules(b)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// roundsInput gives n contestants judgement marks from rng on every aspect
// of the modules listed (all when none), three judges each.
func roundsInput(r *scoring.Rules, n int, rng *rand.Rand, modules ...string) scoring.Input {
	var in scoring.Input
	for i := range n {
		c := scoring.Contestant{ID: fmt.Sprintf("C%02d", i+1)}
		if len(r.Groups) > 0 {
			c.Group = r.Groups[i%len(r.Groups)].Code
		}
		in.Contestants = append(in.Contestants, c)
		for _, m := range r.Modules {
			if len(modules) > 0 && !slices.Contains(modules, m.Code) {
				continue
			}
			for _, a := range m.Aspects {
				for j := range 3 {
					in.Marks = append(in.Marks, scoring.Mark{Contestant: c.ID, Module: m.Code, Aspect: a.Code, Judge: fmt.Sprintf("J%d", j+1), Value: scoring.Points(int64(rng.IntN(4)))})
				}
			}
		}
	}
	return in
}

func TestRoundsGolden(t *testing.T) {
	r := twoRounds(t)
	in := roundsInput(r, 10, rand.New(rand.NewPCG(14, 24)))
	res, err := scoring.ComputeRounds(r, in, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.MarshalIndent(res, "", "  ")
	got = append(got, '\n')
	path := "testdata/rounds-two-rounds.golden.json"
	if *updateRounds {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("ComputeRounds differs from %s (run with -update-rounds after checking):\n%s", path, got)
	}
	if len(res.Rounds[0].Advancing) < 6 || !res.Rounds[1].Provisional {
		t.Fatalf("prelim advances %d, final provisional %v", len(res.Rounds[0].Advancing), res.Rounds[1].Provisional)
	}
}

func TestRoundsReasons(t *testing.T) {
	r := twoRounds(t)
	r.Rounds[0].Advance = &scoring.Advance{MinScore: ptr(scoring.MustDecimal("75"))}
	r.Rounds[0].Rounding = &scoring.Rounding{Mode: scoring.HalfUp, Places: 2}
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	in := scoring.Input{Contestants: []scoring.Contestant{{ID: "A"}, {ID: "B"}}}
	// P1 30 + P2 40 + P3 30: A gets 3,3,3 / 3,3,3 / 3,3,0 → 30+40+20 = 90; B gets 1 on P1 (10), 3 on P2 (40), 2 on P3 (20) → 70
	add := func(c, asp string, vs ...int64) {
		for j, v := range vs {
			in.Marks = append(in.Marks, scoring.Mark{Contestant: c, Module: "P", Aspect: asp, Judge: fmt.Sprintf("J%d", j+1), Value: scoring.Points(v)})
		}
	}
	add("A", "P1", 3, 3, 3)
	add("A", "P2", 3, 3, 3)
	add("A", "P3", 2, 2, 2)
	add("B", "P1", 1, 1, 1)
	add("B", "P2", 3, 3, 3)
	add("B", "P3", 2, 2, 1)
	res, err := scoring.ComputeRounds(r, in, nil)
	if err != nil {
		t.Fatal(err)
	}
	texts := map[string]string{}
	for _, s := range res.Rounds[0].Standings {
		texts[s.ID] = s.Reasons[len(s.Reasons)-1].Text
	}
	if texts["A"] != "预赛 90.00 分，达到 75 分，晋级决赛" || texts["B"] != "预赛 66.67 分，未达 75 分，不晋级决赛" {
		t.Fatalf("reasons %q", texts)
	}
	if !slices.Equal(res.Rounds[0].Advancing, []string{"A"}) || len(res.Rounds[1].Standings) != 1 {
		t.Fatalf("advancing %v, final %v", res.Rounds[0].Advancing, res.Rounds[1].Standings)
	}
	f := res.Final
	if f[0].ID != "A" || f[0].Place != 1 || f[0].CarriedFrom != "prelim" || f[0].Carried != scoring.MustDecimal("27") ||
		f[1].ID != "B" || f[1].Place != 2 || f[1].Round != "prelim" {
		t.Fatalf("final %+v", f)
	}
	if !strings.Contains(f[0].Reasons[0].Text, "含带入预赛成绩 27.00 分") || !strings.Contains(f[1].Reasons[0].Text, "未晋级决赛") {
		t.Fatalf("final reasons %q / %q", f[0].Reasons[0].Text, f[1].Reasons[0].Text)
	}

	// rank cut text, with the confirmed list taken over the computed one
	r.Rounds[0].Advance = &scoring.Advance{Top: 1, Ties: scoring.TiesInclude}
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	res, err = scoring.ComputeRounds(r, in, map[string][]string{"prelim": {"A", "B"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Rounds[0].Standings[0].Reasons[0].Text; got != "预赛第 1 名，晋级决赛（前 1 名）" {
		t.Fatalf("rank reason %q", got)
	}
	if got := res.Rounds[0].Standings[1].Reasons[0].Text; got != "预赛第 2 名，未进入前 1 名" {
		t.Fatalf("rank reason %q", got)
	}
	if res.Rounds[1].Provisional || len(res.Rounds[1].Standings) != 2 {
		t.Fatalf("confirmed list not used: %+v", res.Rounds[1])
	}
	if _, err := scoring.ComputeRounds(r, in, map[string][]string{"prelim": {"X"}}); err == nil {
		t.Fatal("unknown contestant in a confirmed list accepted")
	}

	// both, combined as stated
	for _, tc := range []struct {
		adv  scoring.Advance
		a, b string
	}{
		{scoring.Advance{Top: 1, Ties: "include", MinScore: ptr(scoring.Points(75)), Combine: "all"},
			"预赛第 1 名（在前 1 名内），预赛 90.00 分（达到 75 分）；须两者都满足，晋级决赛",
			"预赛第 2 名（未进入前 1 名），预赛 66.67 分（未达 75 分）；须两者都满足，不晋级决赛"},
		{scoring.Advance{Top: 1, Ties: "include", MinScore: ptr(scoring.Points(60)), Combine: "any"},
			"预赛第 1 名（在前 1 名内），预赛 90.00 分（达到 60 分）；满足其一即可，晋级决赛",
			"预赛第 2 名（未进入前 1 名），预赛 66.67 分（达到 60 分）；满足其一即可，晋级决赛"},
	} {
		r.Rounds[0].Advance = &tc.adv
		if err := r.Validate(); err != nil {
			t.Fatal(err)
		}
		res, err := scoring.ComputeRounds(r, in, nil)
		if err != nil {
			t.Fatal(err)
		}
		got := []string{res.Rounds[0].Standings[0].Reasons[0].Text, res.Rounds[0].Standings[1].Reasons[0].Text}
		if got[0] != tc.a || got[1] != tc.b {
			t.Fatalf("combined reasons %q", got)
		}
	}
}

// TestRoundsCutProperty: for every form of cut (rank, score, both with all
// or any) a contestant advances exactly when the stated condition holds,
// and the advancing are a prefix of each group's ranking.
func TestRoundsCutProperty(t *testing.T) {
	for seed := range uint64(200) {
		rng := rand.New(rand.NewPCG(seed, 7))
		r := twoRounds(t)
		r.Groups = []scoring.Group{{Code: "employee", Name: "职工组"}, {Code: "student", Name: "学生组"}}
		top, line := 1+rng.IntN(5), scoring.Points(int64(30+rng.IntN(40)))
		adv := scoring.Advance{}
		switch seed % 4 {
		case 0:
			adv = scoring.Advance{Top: top, Ties: "include"}
		case 1:
			adv = scoring.Advance{MinScore: &line}
		case 2:
			adv = scoring.Advance{Top: top, Ties: "include", MinScore: &line, Combine: "all"}
		case 3:
			adv = scoring.Advance{Top: top, Ties: "include", MinScore: &line, Combine: "any"}
		}
		r.Rounds[0].Advance = &adv
		if err := r.Validate(); err != nil {
			t.Fatal(err)
		}
		in := roundsInput(r, 2+rng.IntN(16), rng)
		res, err := scoring.ComputeRounds(r, in, nil)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]bool{} // a group has had a non-advancing row
		for _, s := range res.Rounds[0].Standings {
			byRank, byScore := adv.Top > 0 && s.Rank <= adv.Top, adv.MinScore != nil && s.Score >= *adv.MinScore
			want := byRank || byScore
			if adv.Combine == "all" {
				want = byRank && byScore
			}
			if s.Advances != want {
				t.Fatalf("seed %d: %+v advances %v under %+v", seed, s, s.Advances, adv)
			}
			if s.Advances && out[s.Group] {
				t.Fatalf("seed %d: %s advances below a contestant who does not", seed, s.ID)
			}
			out[s.Group] = out[s.Group] || !s.Advances
			if len(s.Reasons) == 0 || (s.Reasons[0].Code == "round.advance") != s.Advances {
				t.Fatalf("seed %d: reasons %+v", seed, s.Reasons)
			}
		}
	}
}

func ptr[T any](v T) *T { return &v }

func TestRoundsValidation(t *testing.T) {
	cases := []struct {
		name string
		edit func(r *scoring.Rules)
		path string
	}{
		{"one round", func(r *scoring.Rules) { r.Rounds = r.Rounds[:1]; r.Rounds[0].Modules = []string{"P", "F1", "F2"} }, "rounds"},
		{"module twice", func(r *scoring.Rules) { r.Rounds[1].Modules = []string{"P", "F1", "F2"} }, "rounds[1].modules[0]"},
		{"module in no round", func(r *scoring.Rules) { r.Rounds[1].Modules = []string{"F1"} }, "rounds"},
		{"unknown module", func(r *scoring.Rules) { r.Rounds[1].Modules = append(r.Rounds[1].Modules, "Z") }, "rounds[1].modules[2]"},
		{"no start", func(r *scoring.Rules) { r.Rounds[1].Start = ""; r.Rounds[1].CarryFactor = nil }, "rounds[1].start"},
		{"first start", func(r *scoring.Rules) { r.Rounds[0].Start = "reset" }, "rounds[0].start"},
		{"factor with reset", func(r *scoring.Rules) { r.Rounds[1].Start = "reset" }, "rounds[1].carry_factor"},
		{"no advance", func(r *scoring.Rules) { r.Rounds[0].Advance = nil }, "rounds[0].advance"},
		{"advance on last", func(r *scoring.Rules) { r.Rounds[1].Advance = &scoring.Advance{Top: 3, Ties: "include"} }, "rounds[1].advance"},
		{"no ties", func(r *scoring.Rules) { r.Rounds[0].Advance.Ties = "" }, "rounds[0].advance.ties"},
		{"both no combine", func(r *scoring.Rules) { r.Rounds[0].Advance.MinScore = ptr(scoring.Points(60)) }, "rounds[0].advance.combine"},
		{"tie_break other round", func(r *scoring.Rules) {
			r.Rounds[0].Advance.Ties = "tie_break"
			r.Rounds[0].Advance.TieBreak = []string{"F1"}
		}, "rounds[0].advance.tie_break[0]"},
		{"empty advance", func(r *scoring.Rules) { r.Rounds[0].Advance = &scoring.Advance{} }, "rounds[0].advance"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := twoRounds(t)
			tc.edit(r)
			err := r.Validate()
			re, ok := err.(*scoring.RulesError)
			if !ok {
				t.Fatalf("want a RulesError, got %v", err)
			}
			for _, p := range re.Problems {
				if p.Path == tc.path && p.Message != "" {
					return
				}
			}
			t.Fatalf("no problem at %s: %v", tc.path, err)
		})
	}
}

// TestRoundsProperties: on random marks (many ties on a 0–3 scale) the cut
// advances exactly top N per group unless the N-th place is shared and ties
// are included; nobody outside the advancing set appears in the next round;
// carry adds the previous score × factor and reset adds nothing; the core
// result ranks and awards by the final places.
func TestRoundsProperties(t *testing.T) {
	for seed := range uint64(300) {
		rng := rand.New(rand.NewPCG(seed, 99))
		r := twoRounds(t)
		if seed%2 == 1 {
			r.Groups = []scoring.Group{{Code: "employee", Name: "职工组"}, {Code: "student", Name: "学生组"}}
		}
		top := 1 + rng.IntN(6)
		r.Rounds[0].Advance = &scoring.Advance{Top: top, Ties: scoring.TiesInclude}
		if seed%3 == 0 {
			r.Rounds[0].Advance.Ties, r.Rounds[0].Advance.TieBreak = scoring.TiesTieBreak, []string{"P"}
		}
		if err := r.Validate(); err != nil {
			t.Fatal(err)
		}
		n := 2 + rng.IntN(14)
		in := roundsInput(r, n, rng)
		res, err := scoring.ComputeRounds(r, in, nil)
		if err != nil {
			t.Fatal(err)
		}
		pre, fin := res.Rounds[0], res.Rounds[1]
		adv := map[string]bool{}
		for _, id := range pre.Advancing {
			adv[id] = true
		}
		perGroup := map[string]int{}
		nthShared := map[string]bool{}
		nthRank := map[string]int{}
		for _, s := range pre.Standings {
			if s.Advances != adv[s.ID] || s.Advances != (s.Rank <= top) {
				t.Fatalf("seed %d: %s rank %d advances %v (top %d)", seed, s.ID, s.Rank, s.Advances, top)
			}
			// standings are in rank order: the N-th advancer's rank must be
			// shared by everyone advancing beyond N
			if s.Advances {
				perGroup[s.Group]++
				switch {
				case perGroup[s.Group] == top:
					nthRank[s.Group], nthShared[s.Group] = s.Rank, s.Shared
				case perGroup[s.Group] > top && (s.Rank != nthRank[s.Group] || !s.Shared):
					t.Fatalf("seed %d: %s advances beyond top %d without sharing the last place", seed, s.ID, top)
				}
			}
		}
		groupSize := map[string]int{}
		for _, s := range pre.Standings {
			groupSize[s.Group]++
		}
		for g, size := range groupSize {
			want := min(top, size)
			if got := perGroup[g]; got != want && !(got > want && nthShared[g]) {
				t.Fatalf("seed %d group %q: %d advance, top %d of %d", seed, g, got, top, size)
			}
		}
		for _, s := range fin.Standings {
			if !adv[s.ID] {
				t.Fatalf("seed %d: %s in the final without advancing", seed, s.ID)
			}
		}
		for _, u := range fin.Units {
			for _, row := range u.Rows {
				if !adv[row.ID] {
					t.Fatalf("seed %d: %s in the final's unit standings without advancing", seed, row.ID)
				}
			}
		}
		if len(fin.Standings) != len(pre.Advancing) || len(res.Final) != n {
			t.Fatalf("seed %d: final %d of %d advancing, %d placed of %d", seed, len(fin.Standings), len(pre.Advancing), len(res.Final), n)
		}
		// final places: per group from 1, never decreasing, finalists first
		lastPlace, seenOut := map[string]int{}, map[string]bool{}
		for _, f := range res.Final {
			if f.Place == 0 {
				continue
			}
			if f.Place < lastPlace[f.Group] || lastPlace[f.Group] == 0 && f.Place != 1 {
				t.Fatalf("seed %d: place %d after %d in group %q", seed, f.Place, lastPlace[f.Group], f.Group)
			}
			if f.Round == "final" && seenOut[f.Group] {
				t.Fatalf("seed %d: finalist %s placed after an eliminated contestant", seed, f.ID)
			}
			seenOut[f.Group] = seenOut[f.Group] || f.Round != "final"
			lastPlace[f.Group] = f.Place
		}
		// the last unit's standings are the round's
		last := fin.Units[len(fin.Units)-1]
		for i, row := range last.Rows {
			if row.ID != fin.Standings[i].ID || row.Score != fin.Standings[i].Score {
				t.Fatalf("seed %d: last unit %v differs from the round %v", seed, row, fin.Standings[i])
			}
		}
		// carry vs reset
		prelim := map[string]scoring.Decimal{}
		for _, s := range pre.Standings {
			prelim[s.ID] = s.Score
		}
		reset := *r
		reset.Rounds = slices.Clone(r.Rounds)
		reset.Rounds[1].Start, reset.Rounds[1].CarryFactor = scoring.StartReset, nil
		if err := reset.Validate(); err != nil {
			t.Fatal(err)
		}
		rres, err := scoring.ComputeRounds(&reset, in, nil)
		if err != nil {
			t.Fatal(err)
		}
		own := map[string]scoring.Decimal{}
		for _, s := range rres.Rounds[1].Standings {
			if s.Carried != 0 || s.Score != s.Own || s.CarriedFrom != "" {
				t.Fatalf("seed %d: reset round carries %+v", seed, s)
			}
			own[s.ID] = s.Own
		}
		for _, s := range fin.Standings {
			want := (prelim[s.ID] * 3 / 10).Round(2, scoring.HalfUp)
			if s.Carried != want || s.Own != own[s.ID] || s.CarriedFrom != "prelim" {
				t.Fatalf("seed %d: carry %+v, want carried %v own %v", seed, s, want, own[s.ID])
			}
		}
		// the core's result ranks by the rounds' final places: each
		// contestant's rank and total are its final place and the score of
		// the last round it reached, and award bands follow those ranks
		a, err := scoring.Compute(r, in)
		if err != nil {
			t.Fatal(err)
		}
		all, err := scoring.ComputeRounds(r, in, nil)
		if err != nil {
			t.Fatal(err)
		}
		final := map[string]scoring.FinalEntry{}
		for _, f := range all.Final {
			final[f.ID] = f
		}
		awarded := 0
		bestAward := map[string]int{} // group → the worst rank holding an award so far
		for _, c := range a.Contestants {
			f, ok := final[c.ID]
			if !ok || c.Rank != f.Place || c.Total != f.Score || c.SharedRank != f.Shared {
				t.Fatalf("seed %d: %s ranked %d (%v) total %v, final place %+v", seed, c.ID, c.Rank, c.SharedRank, c.Total, f)
			}
			if c.Award != "" {
				if c.Rank < bestAward[c.Group] {
					t.Fatalf("seed %d: %s (rank %d) has an award after a lower rank", seed, c.ID, c.Rank)
				}
				bestAward[c.Group] = c.Rank
				awarded++
			}
		}
		if awarded == 0 && len(a.Contestants) > 0 {
			t.Fatalf("seed %d: no awards at all", seed)
		}
	}
	if res, err := scoring.ComputeRounds(&scoring.Rules{}, scoring.Input{}, nil); res != nil || err != nil {
		t.Fatalf("no rounds: %v %v", res, err)
	}
}

// TestRoundsDisqualification: a disqualifying veto counts from its own
// round on: in the 预赛 it stops advancement; in the 决赛 it leaves the
// 预赛 ranking as it was.
func TestRoundsDisqualification(t *testing.T) {
	r := twoRounds(t)
	r.Modules[0].Aspects = append(r.Modules[0].Aspects, scoring.Aspect{Code: "PV", Name: "严重违规", Kind: scoring.Veto, Effect: "disqualify"})
	r.Modules[1].Aspects = append(r.Modules[1].Aspects, scoring.Aspect{Code: "FV", Name: "严重违规", Kind: scoring.Veto, Effect: "disqualify"})
	r.Rounds[0].Advance = &scoring.Advance{Top: 2, Ties: "include"}
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	in := scoring.Input{Contestants: []scoring.Contestant{{ID: "A"}, {ID: "B"}, {ID: "C"}}}
	add := func(c, mod, asp string, v int64) {
		for j := range 3 {
			in.Marks = append(in.Marks, scoring.Mark{Contestant: c, Module: mod, Aspect: asp, Judge: fmt.Sprintf("J%d", j+1), Value: scoring.Points(v)})
		}
	}
	for i, c := range []string{"A", "B", "C"} {
		for _, a := range []string{"P1", "P2", "P3"} {
			add(c, "P", a, int64(3-i))
		}
		add(c, "P", "PV", 0)
	}
	in.Marks = in.Marks[:len(in.Marks)-3]
	add("C", "P", "PV", 1)  // C: disqualified in the 预赛
	add("A", "F1", "FV", 1) // A: disqualified in the 决赛
	res, err := scoring.ComputeRounds(r, in, nil)
	if err != nil {
		t.Fatal(err)
	}
	pre := res.Rounds[0].Standings
	if pre[0].ID != "A" || pre[0].Rank != 1 || pre[0].Disqualified || pre[2].ID != "C" || !pre[2].Disqualified || pre[2].Advances ||
		pre[2].Reasons[0].Text != "预赛被取消资格，不晋级决赛" {
		t.Fatalf("prelim %+v", pre)
	}
	fin := res.Rounds[1].Standings
	if len(fin) != 2 || fin[1].ID != "A" || !fin[1].Disqualified || fin[1].Rank != 0 || fin[0].Rank != 1 {
		t.Fatalf("final %+v", fin)
	}
}
