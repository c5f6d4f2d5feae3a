package certificates

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"skillscore"
	"skillscore/levels"
)

// testNumbering is a body whose codes are set, as a real one enters them
// from its filing.
func testNumbering() Numbering {
	return Numbering{Letter: "S", BodyCode: "0000", Province: "36", BodySerial: "000001"}
}

func TestLevelNumberFormat(t *testing.T) {
	n := testNumbering()
	scope, err := n.LevelScope(2026, levels.Technician)
	if err != nil {
		t.Fatal(err)
	}
	num, err := WithSerial(scope, 42)
	if err != nil {
		t.Fatal(err)
	}
	if num != "S000036000001262000042" || len(num) != 22 {
		t.Fatalf("number %q", num)
	}
	p, err := ParseLevelNumber(num)
	if err != nil {
		t.Fatal(err)
	}
	if p.Numbering != n || p.Year != 26 || p.Level != levels.Technician || p.Serial != 42 {
		t.Fatalf("parsed %+v", p)
	}
	own := Numbering{Letter: "Y", BodyCode: "1234", Province: "36", BodySerial: "000777"}
	scope, _ = own.LevelScope(2027, levels.Junior)
	if num, _ := WithSerial(scope, 999999); num != "Y123436000777275999999" {
		t.Fatalf("number %q", num)
	}
	if _, err := WithSerial(scope, 1_000_000); skillscore.ErrorCode(err) != skillscore.EConflict {
		t.Fatalf("serial overflow: %v", err)
	}
	award, _ := n.AwardScope(2026)
	if num, _ := WithSerial(award, 7); num != "HJ362026000007" {
		t.Fatalf("award number %q", num)
	}
}

// 特级技师 and 首席技师 numbers: two capital letters and 20 digits, the
// level letter in position 16; 学徒工 the same way with X.
func TestLevelNumbersWithoutAGrade(t *testing.T) {
	n := testNumbering()
	for _, tc := range []struct {
		level levels.Level
		want  string
	}{
		{levels.SpecialTechnician, "S00003600000126T000001"},
		{levels.ChiefTechnician, "S00003600000126S000001"},
		{levels.Apprentice, "S00003600000126X000001"},
	} {
		scope, err := n.LevelScope(2026, tc.level)
		if err != nil {
			t.Fatal(err)
		}
		num, _ := WithSerial(scope, 1)
		if num != tc.want {
			t.Errorf("%v: %q, want %q", tc.level, num, tc.want)
		}
		letters, digits := 0, 0
		for _, r := range num {
			switch {
			case r >= 'A' && r <= 'Z':
				letters++
			case r >= '0' && r <= '9':
				digits++
			}
		}
		if len(num) != 22 || letters != 2 || digits != 20 {
			t.Errorf("%q: %d letters, %d digits", num, letters, digits)
		}
		p, err := ParseLevelNumber(num)
		if err != nil || p.Level != tc.level || p.Serial != 1 || p.Numbering != n {
			t.Errorf("ParseLevelNumber(%q) = %+v, %v", num, p, err)
		}
	}
}

// format(parse(x)) == x and parse(format(n)) == n over every level and
// random parts.
func TestPropertyLevelNumberRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	digits := func(k int) string {
		var b strings.Builder
		for range k {
			b.WriteByte(byte('0' + rng.IntN(10)))
		}
		return b.String()
	}
	for range 2000 {
		want := LevelNumber{
			Numbering: Numbering{Letter: []string{"Y", "S"}[rng.IntN(2)], BodyCode: digits(4), Province: digits(2), BodySerial: digits(6)},
			Year:      rng.IntN(100), Level: levels.All()[rng.IntN(8)], Serial: 1 + rng.IntN(maxSerial),
		}
		s := want.String()
		got, err := ParseLevelNumber(s)
		if err != nil || got != want {
			t.Fatalf("ParseLevelNumber(%q) = %+v, %v; want %+v", s, got, err, want)
		}
		scope, err := want.Numbering.LevelScope(2000+want.Year, want.Level)
		if err != nil {
			t.Fatal(err)
		}
		if num, _ := WithSerial(scope, int64(want.Serial)); num != s {
			t.Fatalf("LevelScope+WithSerial %q, String %q", num, s)
		}
	}
}

func TestNumberingRejectsBadParts(t *testing.T) {
	for _, n := range []Numbering{
		{Letter: "X", BodyCode: "0000", Province: "36", BodySerial: "000001"},
		{Letter: "S", BodyCode: "000", Province: "36", BodySerial: "000001"},
		{Letter: "S", BodyCode: "0000", Province: "3a", BodySerial: "000001"},
		{Letter: "S", BodyCode: "0000", Province: "36", BodySerial: "1"},
		{Letter: "S", Province: "", BodySerial: "000001"},
	} {
		if err := n.Validate(); skillscore.ErrorCode(err) != skillscore.EInvalid {
			t.Errorf("%+v: %v, want EInvalid", n, err)
		}
	}
	if _, err := testNumbering().LevelScope(2026, 9); err == nil {
		t.Error("level code 9 accepted")
	}
	for _, s := range []string{"", "S00003600000126200004", "X000036000001262000042", "S000036000001266000042",
		"S000036000001260000042", "S00003600000126A000042", "S00003600000126t000042", "T00003600000126T000042",
		"S00003600000126200004A", "S000036000001262000000", "SS0003600000126T000042"} {
		if _, err := ParseLevelNumber(s); skillscore.ErrorCode(err) != skillscore.EInvalid {
			t.Errorf("ParseLevelNumber(%q) = %v, want EInvalid", s, err)
		}
	}
}

// The body's codes have no default: level numbers are refused while they
// are unset, naming the settings; award numbers do not need them.
func TestBodyCodesHaveNoDefault(t *testing.T) {
	n := DefaultNumbering()
	if n.BodySet() || n.BodyCode != "" || n.BodySerial != "" {
		t.Fatalf("default %+v has body codes", n)
	}
	if err := n.Validate(); err != nil {
		t.Fatalf("an unset body is a valid configuration: %v", err)
	}
	_, err := n.LevelScope(2026, levels.Senior)
	if skillscore.ErrorCode(err) != skillscore.EUnavailable || !errors.Is(err, ErrBodyUnset) {
		t.Fatalf("LevelScope without body codes: %v", err)
	}
	for _, want := range []string{"评价机构代码", "评价机构序列码", "--cert-body", "--cert-body-serial", "SKILLSCORE_CERT_BODY_SERIAL"} {
		if !strings.Contains(skillscore.ErrorMessage(err), want) {
			t.Errorf("message %q does not name %s", skillscore.ErrorMessage(err), want)
		}
	}
	n.BodyCode = "0000"
	if _, err := n.LevelScope(2026, levels.Senior); err == nil || strings.Contains(skillscore.ErrorMessage(err), "--cert-body ") ||
		!strings.Contains(skillscore.ErrorMessage(err), "--cert-body-serial") {
		t.Errorf("with the code set, the error should name only the 序列码: %v", err)
	}
	if _, err := DefaultNumbering().AwardScope(2026); err != nil {
		t.Errorf("award scope needs no body codes: %v", err)
	}
	if d := DemoNumbering(); !d.Demo || !d.BodySet() {
		t.Errorf("demo numbering %+v", d)
	}
}
