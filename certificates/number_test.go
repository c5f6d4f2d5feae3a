package certificates

import (
	"testing"

	"skillscore"
)

func TestLevelNumberFormat(t *testing.T) {
	n := DefaultNumbering()
	scope, err := n.LevelScope(2026, 2)
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
	if p.Numbering != n || p.Year != 26 || p.Level != 2 || p.Serial != 42 {
		t.Fatalf("parsed %+v", p)
	}
	own := Numbering{Letter: "Y", BodyCode: "1234", Province: "36", BodySerial: "000777"}
	scope, _ = own.LevelScope(2027, 5)
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

func TestNumberingRejectsBadParts(t *testing.T) {
	for _, n := range []Numbering{
		{Letter: "X", BodyCode: "0000", Province: "36", BodySerial: "000001"},
		{Letter: "S", BodyCode: "000", Province: "36", BodySerial: "000001"},
		{Letter: "S", BodyCode: "0000", Province: "3a", BodySerial: "000001"},
		{Letter: "S", BodyCode: "0000", Province: "36", BodySerial: "1"},
	} {
		if err := n.Validate(); skillscore.ErrorCode(err) != skillscore.EInvalid {
			t.Errorf("%+v: %v, want EInvalid", n, err)
		}
	}
	if _, err := DefaultNumbering().LevelScope(2026, 6); err == nil {
		t.Error("level 6 accepted")
	}
	for _, s := range []string{"", "S00003600000126200004", "X000036000001262000042", "S000036000001266000042",
		"S00003600000126200004A", "S000036000001262000000"} {
		if _, err := ParseLevelNumber(s); skillscore.ErrorCode(err) != skillscore.EInvalid {
			t.Errorf("ParseLevelNumber(%q) = %v, want EInvalid", s, err)
		}
	}
}
