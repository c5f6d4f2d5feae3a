package draw

import (
	"fmt"
	"testing"

	"skillscore"
)

const seed = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

func people(n int) []Person {
	out := make([]Person, n)
	for i := range out {
		out[i] = Person{ID: int64(i + 1), IDType: "居民身份证", IDNumber: fmt.Sprintf("36010219900101%04d", n-i)}
	}
	return out
}

func TestRunDeterministicAndComplete(t *testing.T) {
	a, err := Run(seed, 1, people(28))
	if err != nil {
		t.Fatal(err)
	}
	// Input order must not matter: the draw sorts by identity first.
	shuffled := people(28)
	shuffled[0], shuffled[27] = shuffled[27], shuffled[0]
	b, err := Run(seed, 1, shuffled)
	if err != nil {
		t.Fatal(err)
	}
	codes, stations := map[string]bool{}, map[string]bool{}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("same seed, different deal at %d: %+v vs %+v", i, a[i], b[i])
		}
		codes[a[i].Code], stations[a[i].Station] = true, true
	}
	if len(codes) != 28 || len(stations) != 28 || !codes["A001"] || !codes["A028"] || !stations["01"] || !stations["28"] {
		t.Fatalf("codes/stations are not a permutation: %v %v", codes, stations)
	}
	other, _ := Run("ff"+seed[2:], 1, people(28))
	same := 0
	for i := range a {
		if a[i].Code == other[i].Code {
			same++
		}
	}
	if same == 28 {
		t.Fatal("a different seed dealt the same codes")
	}
}

// TestRunKnownAnswer pins the documented algorithm: a change to it would
// break every recorded draw's re-check.
func TestRunKnownAnswer(t *testing.T) {
	got := fmt.Sprint(Permutation([]byte("skillscore-draw-test-seed"), "code-1", 8))
	const want = "[7 6 1 2 5 3 4 0]" // also what a 15-line Python re-implementation of the doc gives
	if got != want {
		t.Fatalf("Permutation = %s, want %s", got, want)
	}
}

func TestRunLayer2KeepsNoStations(t *testing.T) {
	d, err := Run(seed, 2, people(5))
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range d {
		if x.Station != "" || x.Code[0] != 'B' {
			t.Fatalf("layer 2 deal %+v", x)
		}
	}
}

func TestRunBadInput(t *testing.T) {
	for _, c := range []struct {
		seed  string
		layer int
	}{{"zz", 1}, {"abcd", 1}, {seed, 3}} {
		if _, err := Run(c.seed, c.layer, people(3)); skillscore.ErrorCode(err) != skillscore.EInvalid {
			t.Errorf("Run(%q, %d) = %v, want EInvalid", c.seed, c.layer, err)
		}
	}
}
