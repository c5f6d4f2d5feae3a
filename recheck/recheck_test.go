package recheck

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"skillscore/scoring"
)

const seed = "00112233445566778899aabbccddeeff"

// event makes n contestants in g groups, each with j sheets, ranked within
// their group by index (every fifth rank shared with the one before).
func event(r *rand.Rand, n, g, j int) ([]Sheet, []Standing) {
	var sheets []Sheet
	var st []Standing
	ranks := map[int]int{}
	id := int64(1000)
	for c := 1; c <= n; c++ {
		grp := c % g
		ranks[grp]++
		rank := ranks[grp]
		if rank%5 == 0 {
			rank-- // a tie
		}
		if r.IntN(10) == 0 {
			rank = 0 // unranked
		}
		st = append(st, Standing{ContestantID: int64(c), Group: fmt.Sprint(grp), Rank: rank})
		for range j {
			id += int64(1 + r.IntN(3))
			sheets = append(sheets, Sheet{ID: id, ContestantID: int64(c)})
		}
	}
	r.Shuffle(len(sheets), func(a, b int) { sheets[a], sheets[b] = sheets[b], sheets[a] })
	return sheets, st
}

func seedFor(r *rand.Rand) string {
	b := make([]byte, 16+r.IntN(17))
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return fmt.Sprintf("%x", b)
}

// checkSample is the sampler's contract: every top-N sheet is in, at least
// the sample percent of the rest (rounded up) is in, nothing twice, nothing
// that is not a sheet.
func checkSample(t *testing.T, set Settings, sheets []Sheet, st []Standing, s Sample) {
	t.Helper()
	top := map[int64]bool{}
	for _, x := range st {
		if x.Rank >= 1 && x.Rank <= set.TopN {
			top[x.ContestantID] = true
		}
	}
	picked := map[int64]string{}
	for _, p := range s.Picks {
		if _, dup := picked[p.SheetID]; dup {
			t.Fatalf("sheet %d picked twice", p.SheetID)
		}
		picked[p.SheetID] = p.Reason
	}
	rest, drawn := 0, 0
	for _, sh := range sheets {
		reason, in := picked[sh.ID]
		if top[sh.ContestantID] {
			if !in || reason != ReasonTop {
				t.Fatalf("top sheet %d (contestant %d): %q %v", sh.ID, sh.ContestantID, reason, in)
			}
			continue
		}
		rest++
		if in {
			if reason != ReasonSample {
				t.Fatalf("rest sheet %d picked as %q", sh.ID, reason)
			}
			drawn++
		}
		delete(picked, sh.ID)
	}
	for id, reason := range picked {
		if reason != ReasonTop {
			t.Fatalf("picked %d (%s) is no sheet of the event", id, reason)
		}
	}
	// fraction ≥ p: drawn × 100 ≥ rest × p, exactly; and no more than one over.
	if int64(drawn)*100*scoring.DecimalScale < int64(rest)*int64(set.SamplePercent) {
		t.Fatalf("drew %d of %d, under %s%%", drawn, rest, set.SamplePercent)
	}
	if drawn > 0 && int64(drawn-1)*100*scoring.DecimalScale >= int64(rest)*int64(set.SamplePercent) {
		t.Fatalf("drew %d of %d, more than ⌈%s%%⌉", drawn, rest, set.SamplePercent)
	}
	if s.Rest != rest || s.Drawn != drawn {
		t.Fatalf("counts: %+v, want rest %d drawn %d", s, rest, drawn)
	}
	if !slices.IsSortedFunc(s.Picks, func(a, b Pick) int { return cmpInt64(a.SheetID, b.SheetID) }) {
		t.Fatal("picks not in sheet order")
	}
}

func TestDrawProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 300 {
		set := Defaults("competition")
		set.TopN = r.IntN(15)
		set.SamplePercent = scoring.Decimal(1 + r.IntN(100*scoring.DecimalScale))
		sheets, st := event(r, r.IntN(120), 1+r.IntN(3), 1+r.IntN(4))
		sd := seedFor(r)
		s, err := Draw(sd, set, sheets, st)
		if err != nil {
			t.Fatal(err)
		}
		checkSample(t, set, sheets, st, s)
		// Same seed and sheets, in another order: the same sample.
		again := slices.Clone(sheets)
		r.Shuffle(len(again), func(a, b int) { again[a], again[b] = again[b], again[a] })
		s2, err := Draw(sd, set, again, st)
		if err != nil || !slices.Equal(s.Picks, s2.Picks) {
			t.Fatalf("case %d: same seed gave another sample: %v %v", i, s.Picks, s2.Picks)
		}
	}
}

func TestDrawSeedMatters(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	sheets, st := event(r, 200, 2, 3)
	set := Defaults("competition")
	a, _ := Draw(seed, set, sheets, st)
	b, _ := Draw("ffeeddccbbaa99887766554433221100", set, sheets, st)
	if slices.Equal(a.Picks, b.Picks) {
		t.Fatal("two seeds drew the same 87 sheets of 540")
	}
}

func TestDrawDefaultsOnKnownEvent(t *testing.T) {
	// 30 contestants in two groups of 15, 3 sheets each: the top 10 of each
	// group is 20 contestants (60 sheets), the rest 30 sheets; 15 % of 30 is
	// 4.5, so 5 are drawn.
	var sheets []Sheet
	var st []Standing
	for c := int64(1); c <= 30; c++ {
		st = append(st, Standing{ContestantID: c, Group: fmt.Sprint(c % 2), Rank: int(c+1) / 2})
		for j := range int64(3) {
			sheets = append(sheets, Sheet{ID: c*10 + j, ContestantID: c})
		}
	}
	s, err := Draw(seed, Defaults("competition"), sheets, st)
	if err != nil {
		t.Fatal(err)
	}
	if s.Top != 60 || s.Rest != 30 || s.Drawn != 5 || len(s.Picks) != 65 {
		t.Fatalf("sample: top %d rest %d drawn %d picks %d", s.Top, s.Rest, s.Drawn, len(s.Picks))
	}
}

func TestSampleSizeRoundsUp(t *testing.T) {
	for _, c := range []struct {
		rest int
		pct  string
		want int
	}{{0, "15", 0}, {1, "15", 1}, {20, "15", 3}, {21, "15", 4}, {100, "15", 15}, {101, "15", 16},
		{7, "100", 7}, {3, "0.0001", 1}, {1000000, "0.0001", 1}, {1000001, "0.0001", 2}} {
		if got := SampleSize(c.rest, scoring.MustDecimal(c.pct)); got != c.want {
			t.Errorf("SampleSize(%d, %s%%) = %d, want %d", c.rest, c.pct, got, c.want)
		}
	}
}

// TestEscalationThresholdExact: more than 5 % escalates, exactly 5 % does not.
func TestEscalationThresholdExact(t *testing.T) {
	five := DefaultEscalationPercent
	for _, c := range []struct {
		flagged, sampled int
		pct              scoring.Decimal
		want             bool
	}{{1, 20, five, false}, {2, 20, five, true}, {5, 100, five, false}, {6, 100, five, true},
		{1, 19, five, true}, {0, 0, five, false}, {0, 10, 0, false}, {1, 10, 0, true},
		{1, 3, scoring.MustDecimal("33.3333"), true}, {1, 3, scoring.MustDecimal("33.3334"), false}} {
		if got := Escalates(c.flagged, c.sampled, c.pct); got != c.want {
			t.Errorf("Escalates(%d, %d, %s%%) = %v, want %v", c.flagged, c.sampled, c.pct, got, c.want)
		}
	}
	// Against the definition for every small case: flagged/sampled > pct/100.
	for sampled := 1; sampled <= 200; sampled++ {
		for flagged := 0; flagged <= sampled; flagged++ {
			want := flagged*100*10000 > 50000*sampled
			if Escalates(flagged, sampled, five) != want {
				t.Fatalf("%d of %d", flagged, sampled)
			}
		}
	}
}

func TestSettingsValidate(t *testing.T) {
	if err := Defaults("competition").Validate(); err != nil {
		t.Fatal(err)
	}
	if !Defaults("competition").Required || Defaults("assessment").Required {
		t.Fatal("required by default for competitions only")
	}
	for _, bad := range []Settings{{TopN: -1, SamplePercent: DefaultSamplePercent}, {TopN: 10},
		{TopN: 10, SamplePercent: scoring.Points(101)}, {TopN: 10, SamplePercent: DefaultSamplePercent, EscalationPercent: scoring.Points(100)},
		{TopN: MaxTopN + 1, SamplePercent: DefaultSamplePercent}} {
		if bad.Validate() == nil {
			t.Errorf("accepted %+v", bad)
		}
	}
	if _, err := Draw("zz", Defaults("competition"), nil, nil); err == nil {
		t.Error("accepted a seed that is not hex")
	}
}

func FuzzDraw(f *testing.F) {
	f.Add(seed, uint8(10), uint32(150000), uint16(40), uint8(3), uint64(1))
	f.Add("ffeeddccbbaa99887766554433221100ffee", uint8(0), uint32(1), uint16(0), uint8(1), uint64(9))
	f.Fuzz(func(t *testing.T, sd string, topN uint8, pct uint32, n uint16, j uint8, rs uint64) {
		set := Defaults("competition")
		set.TopN = int(topN)
		set.SamplePercent = scoring.Decimal(pct % (100*scoring.DecimalScale + 1))
		r := rand.New(rand.NewPCG(rs, 7))
		sheets, st := event(r, int(n%300), 1+int(j%3), 1+int(j%4))
		s, err := Draw(sd, set, sheets, st)
		if err != nil {
			return // a bad seed or percent is refused, nothing else
		}
		checkSample(t, set, sheets, st, s)
		s2, _ := Draw(sd, set, sheets, st)
		if !slices.Equal(s.Picks, s2.Picks) {
			t.Fatal("not reproducible")
		}
	})
}
