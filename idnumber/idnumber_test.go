package idnumber

import (
	"testing"
	"time"
)

func TestCheckKnownNumbers(t *testing.T) {
	// 11010519491231002X is the standard's worked example; the others are
	// computed by hand from the weights and differ in one place each.
	cases := map[string]Problem{
		"11010519491231002X": OK,
		"11010519491231002x": BadChars, // lower-case x must be normalised first
		"110105194912310021": BadCheck,
		"1101051949123100":   BadLength,
		"110105194913310028": BadDate,
		"11010519491231A02X": BadChars,
	}
	for id, want := range cases {
		if got := Check(id); got != want {
			t.Errorf("Check(%s) = %q, want %q", id, got, want)
		}
	}
}

func TestMakeIsValidAndCarriesGender(t *testing.T) {
	birth := time.Date(1985, 7, 9, 0, 0, 0, 0, time.UTC)
	for seq := 0; seq < 1000; seq += 37 {
		id, err := Make("360102", birth, seq)
		if err != nil {
			t.Fatal(err)
		}
		if p := Check(id); p != OK {
			t.Fatalf("Make(%d) = %s: %s", seq, id, p)
		}
		want := "女"
		if seq%2 == 1 {
			want = "男"
		}
		if Gender(id) != want {
			t.Errorf("Gender(%s) = %s, want %s", id, Gender(id), want)
		}
		// Changing any one digit must break the check.
		b := []byte(id)
		b[5] = '0' + (b[5]-'0'+1)%10
		if Check(string(b)) == OK {
			t.Errorf("%s with one digit changed still passes", b)
		}
	}
}

func TestMask(t *testing.T) {
	if got := Mask("11010519491231002X"); got != "110***********002X" {
		t.Errorf("Mask = %s", got)
	}
	if got := Mask("123"); got != "****" {
		t.Errorf("Mask short = %s", got)
	}
}
