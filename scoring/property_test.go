package scoring

import (
	"bytes"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"strings"
	"testing"

	"skillscore/examples"
	"skillscore/levels"
)

func demoRules(t testing.TB) *Rules {
	b, _ := examples.Files.ReadFile("jiangxi-yanglao-provincial.json")
	r, err := ParseRules(b)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// randomEvent makes a random, valid event for the demo rules: some marks
// missing, judges 0–3, measured values, deductions, the odd veto.
func randomEvent(r *Rules, rng *rand.Rand, n int) Input {
	in := Input{Year: 2024}
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("P%03d", i)
		g := []string{"employee", "student"}[rng.IntN(2)]
		in.Contestants = append(in.Contestants, Contestant{ID: id, Group: g, Level: levels.Level(rng.IntN(9)), CompletionTime: int64(rng.IntN(4)) * 60_000})
		for _, m := range r.Modules {
			if m.Imported {
				if rng.IntN(10) > 0 {
					in.Marks = append(in.Marks, Mark{Contestant: id, Module: m.Code, Value: Points(int64(40 + rng.IntN(61)))})
				}
				continue
			}
			for _, a := range m.Aspects {
				for j := 1; j <= 3; j++ {
					if rng.IntN(12) == 0 {
						continue
					}
					var v Decimal
					switch a.Kind {
					case Judgement:
						v = Points(int64(rng.IntN(4)))
					case Measurement:
						if a.Measure == nil {
							v = Points(int64(rng.IntN(2)))
						} else {
							v = Points(int64(rng.IntN(60)))
						}
					case Deduction:
						v = Points(int64(rng.IntN(3)))
					case Veto:
						if rng.IntN(30) == 0 {
							v = Points(1)
						}
					}
					in.Marks = append(in.Marks, Mark{Contestant: id, Module: m.Code, Aspect: a.Code, Judge: fmt.Sprintf("%s-J%d", m.Code, j), Value: v})
				}
			}
		}
	}
	return in
}

type outcome struct {
	total       Decimal
	rank        int
	award, prom string
}

func outcomes(res *Result) map[string]outcome {
	o := map[string]outcome{}
	for _, c := range res.Contestants {
		p := ""
		if c.Promotion != nil {
			p = fmt.Sprint(c.Promotion.To)
		}
		o[c.ID] = outcome{c.Total, c.Rank, c.Award, p}
	}
	return o
}

// Judge order (and the order of marks) never changes a result.
func TestPropertyMarkOrderDoesNotMatter(t *testing.T) {
	r := demoRules(t)
	for seed := uint64(1); seed <= 20; seed++ {
		rng := rand.New(rand.NewPCG(seed, 7))
		in := randomEvent(r, rng, 15)
		a, err := Compute(r, in)
		if err != nil {
			t.Fatal(err)
		}
		rng.Shuffle(len(in.Marks), func(i, j int) { in.Marks[i], in.Marks[j] = in.Marks[j], in.Marks[i] })
		rng.Shuffle(len(in.Contestants), func(i, j int) { in.Contestants[i], in.Contestants[j] = in.Contestants[j], in.Contestants[i] })
		b, err := Compute(r, in)
		if err != nil {
			t.Fatal(err)
		}
		oa, ob := outcomes(a), outcomes(b)
		for id, x := range oa {
			if ob[id] != x {
				t.Fatalf("seed %d %s: %+v vs %+v after shuffling", seed, id, x, ob[id])
			}
		}
	}
}

// Raising one of the leader's marks never lowers their rank.
func TestPropertyMoreMarksNeverLowerLeader(t *testing.T) {
	r := demoRules(t)
	for seed := uint64(1); seed <= 30; seed++ {
		rng := rand.New(rand.NewPCG(seed, 9))
		in := randomEvent(r, rng, 12)
		res, err := Compute(r, in)
		if err != nil {
			t.Fatal(err)
		}
		leader := res.Contestants[0]
		if leader.Disqualified {
			continue
		}
		// add the first missing positive mark, or raise a judgement mark
		for i, m := range in.Marks {
			if m.Contestant == leader.ID && m.Module == "A" && m.Aspect == "A1" && m.Value < Points(3) {
				in.Marks[i].Value = Points(3)
				break
			}
		}
		res2, err := Compute(r, in)
		if err != nil {
			t.Fatal(err)
		}
		if got := byID(res2, leader.ID); got.Rank > leader.Rank || got.Total < leader.Total {
			t.Fatalf("seed %d: leader %s went from rank %d (%s) to %d (%s)", seed, leader.ID, leader.Rank, leader.Total, got.Rank, got.Total)
		}
	}
}

// Award counts follow the bands: without ties exactly the nominal counts;
// tied contestants always share rank and award.
func TestPropertyAwardsAndTies(t *testing.T) {
	r := awardRules(t, proportional(), nil)
	for seed := uint64(1); seed <= 200; seed++ {
		rng := rand.New(rand.NewPCG(seed, 3))
		n := 1 + rng.IntN(60)
		var totals []string
		distinct := seed%2 == 0
		for i := 0; i < n; i++ {
			if distinct {
				totals = append(totals, fmt.Sprintf("%d.%02d", 50+i/100, i%100))
			} else {
				totals = append(totals, fmt.Sprint(60+rng.IntN(8)))
			}
		}
		res, err := Compute(r, totalsInput(totals...))
		if err != nil {
			t.Fatal(err)
		}
		g := res.Groups[0]
		for i, a := range g.Awards {
			want := (n*[]int{10, 20, 30}[i] + 50) / 100 // half-up
			if a.Nominal != want {
				t.Fatalf("seed %d n %d band %s nominal %d want %d", seed, n, a.Code, a.Nominal, want)
			}
			if distinct && a.Count != a.Nominal {
				t.Fatalf("seed %d: distinct totals but band %s has %d, nominal %d", seed, a.Code, a.Count, a.Nominal)
			}
		}
		byTotal := map[Decimal]ContestantResult{}
		for _, c := range res.Contestants {
			if o, ok := byTotal[c.Total]; ok && (o.Rank != c.Rank || o.Award != c.Award) {
				t.Fatalf("seed %d: tied %s and %s split: rank %d/%d award %q/%q", seed, o.ID, c.ID, o.Rank, c.Rank, o.Award, c.Award)
			}
			byTotal[c.Total] = c
		}
	}
}

// Standings applying marks one by one agree with a full Compute.
func TestStandingsMatchCompute(t *testing.T) {
	r := demoRules(t)
	for seed := uint64(1); seed <= 5; seed++ {
		rng := rand.New(rand.NewPCG(seed, 11))
		in := randomEvent(r, rng, 20)
		all := in.Marks
		in.Marks = nil
		s, err := NewStandings(r, in)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range all {
			if err := s.Apply(m); err != nil {
				t.Fatal(err)
			}
		}
		// a correction replaces the judge's mark
		fix := all[len(all)/2]
		in.Marks = append([]Mark(nil), all...)
		in.Marks[len(all)/2].Value = 0
		fix.Value = 0
		if err := s.Apply(fix); err != nil {
			t.Fatal(err)
		}
		want, err := Compute(r, in)
		if err != nil {
			t.Fatal(err)
		}
		rows := s.Rows()
		for i, c := range want.Contestants {
			row := rows[i]
			if row.ID != c.ID || row.Total != c.Total || row.Rank != c.Rank || row.Award != c.Award {
				t.Fatalf("seed %d row %d: %+v, Compute %s %s %d %s", seed, i, row, c.ID, c.Total, c.Rank, c.Award)
			}
		}
		got, err := s.Result()
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(outcomes(got)) != fmt.Sprint(outcomes(want)) {
			t.Fatalf("seed %d: Result differs from Compute", seed)
		}
	}
}

func FuzzParseRules(f *testing.F) {
	names, _ := fs.Glob(examples.Files, "*.json")
	for _, n := range names {
		if testing.Short() { // the large examples slow the fuzzer's baseline run; -short seeds only base
			break
		}
		b, _ := examples.Files.ReadFile(n)
		f.Add(b)
	}
	f.Add([]byte(base))
	f.Add([]byte(`{"name":"x","kind":"competition","modules":[]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ParseRules(data)
		if err != nil {
			if _, ok := err.(*RulesError); !ok {
				t.Fatalf("error type %T: %v", err, err)
			}
			return
		}
		// valid rules must compute an empty event without panicking
		if _, err := Compute(r, Input{}); err != nil {
			t.Fatalf("empty event: %v", err)
		}
	})
}

func FuzzReadMarksCSV(f *testing.F) {
	f.Add([]byte("contestant,module,aspect,judge,value,multiplier,completion_time\nE01,A,A1,J1,2,,29:19\nE01,theory,,,85.5,,\n"))
	f.Add([]byte("\ufeffcontestant,module,value\nE1,T,100\n"))
	f.Add([]byte("contestant,module,aspect,judge,value\n\"E,1\",A,A1,J1,3\n\n"))
	f.Add([]byte("contestant,module,aspect,judge,value,completion_time\nE1,A,A1,J1,1,1:02:03.5\nE1,A,A2,J1,1,1:02:03.4\n"))
	r := demoRules(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		mt, err := ReadMarksCSV(bytes.NewReader(data))
		if err != nil {
			if _, ok := err.(*CSVError); !ok {
				t.Fatalf("error type %T: %v", err, err)
			}
			return
		}
		for _, m := range mt.Marks {
			if m.Contestant == "" || m.Module == "" || strings.TrimSpace(m.Contestant) != m.Contestant {
				t.Fatalf("bad mark %+v", m)
			}
		}
		// the core must reject or score whatever the reader lets through, never panic
		seen := map[string]bool{}
		var in Input
		for _, m := range mt.Marks {
			if !seen[m.Contestant] {
				seen[m.Contestant] = true
				in.Contestants = append(in.Contestants, Contestant{ID: m.Contestant, Group: "employee"})
			}
		}
		in.Marks = mt.Marks
		_, _ = Compute(r, in)
	})
}
