package idnumber

import (
	"strings"
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

func TestCheckTypeRules(t *testing.T) {
	resident, err := Make("360102", time.Date(1990, 3, 7, 0, 0, 0, 0, time.UTC), 2)
	if err != nil {
		t.Fatal(err)
	}
	hk, err := Make("810000", time.Date(1988, 1, 2, 0, 0, 0, 0, time.UTC), 11)
	if err != nil {
		t.Fatal(err)
	}
	// 2023 foreigner card: 9 + province 11 + country 156-style code 840.
	first := "911840" + "19800115" + "003"
	c, err := CheckChar(first)
	if err != nil {
		t.Fatal(err)
	}
	foreigner := first + string(c)
	wrong := byte('0')
	if c == '0' {
		wrong = '1'
	}
	cases := []struct {
		typ, id string
		want    Problem
	}{
		{ResidentCard, resident, OK},
		{ResidentCard, resident[:17], BadLength},
		{HKMacaoTaiwanPermit, hk, OK},
		{HKMacaoTaiwanPermit, resident, BadChars}, // not an 81/82/83 region
		{HKMacaoPermit, "H12345678", OK},
		{HKMacaoPermit, "M1234567890", OK},
		{HKMacaoPermit, "X12345678", BadChars},
		{HKMacaoPermit, "H1234567", BadLength},
		{HKMacaoPermit, "H1234-678", BadChars},
		{TaiwanPermit, "12345678", OK},
		{TaiwanPermit, "1234567890", OK},
		{TaiwanPermit, "1234567", BadLength},
		{TaiwanPermit, "1234567A", BadChars},
		{Passport, "E12345678", OK},
		{Passport, "EA1234567", OK},
		{Passport, "X1", BadLength},
		{Passport, "ABCDEFGH", BadChars},
		{Passport, "E1234567Ä", BadChars},
		{ForeignerPermanent, foreigner, OK},
		{ForeignerPermanent, first + string(wrong), BadCheck},
		{ForeignerPermanent, "USA110012345678", OK},
		{ForeignerPermanent, "US1110012345678", BadChars},
		{ForeignerPermanent, "USA1100123", BadLength},
		{"军官证", "12345678", BadType},
	}
	for _, tc := range cases {
		if got := CheckType(tc.typ, tc.id); got != tc.want {
			t.Errorf("CheckType(%s, %s) = %q, want %q", tc.typ, tc.id, got, tc.want)
		}
	}
	if g, ok := GenderOf(ForeignerPermanent, foreigner); !ok || g != "男" {
		t.Errorf("GenderOf foreigner = %s %v, want 男", g, ok)
	}
	if _, ok := GenderOf(Passport, "E12345678"); ok {
		t.Error("a passport does not encode a gender")
	}
}

func TestCanonicalType(t *testing.T) {
	for name, want := range map[string]string{
		"": ResidentCard, "身份证": ResidentCard, "回乡证": HKMacaoPermit, "台胞证": TaiwanPermit,
		"护照": Passport, "外国人永久居留证": ForeignerPermanent, "港澳台居民居住证": HKMacaoTaiwanPermit,
	} {
		if got, ok := CanonicalType(name); !ok || got != want {
			t.Errorf("CanonicalType(%q) = %q %v, want %q", name, got, ok, want)
		}
	}
	if _, ok := CanonicalType("学生证"); ok {
		t.Error("学生证 is not an accepted document type")
	}
}

func TestMaskWithin(t *testing.T) {
	id, err := Make("360102", time.Date(1990, 3, 7, 0, 0, 0, 0, time.UTC), 2)
	if err != nil {
		t.Fatal(err)
	}
	lower := strings.ToLower(id)
	cases := map[string]string{
		"本人身份证号" + id + "，对实操A有异议": "本人身份证号" + Mask(id) + "，对实操A有异议",
		id:                        Mask(id),
		"号码 " + lower + " 请核查":    "号码 " + Mask(lower) + " 请核查",
		"电话13907910001，金额100元":    "电话13907910001，金额100元",
		"校验位写错 " + id[:17] + "Y0": "校验位写错 " + id[:17] + "Y0", // 17 digits then a letter: not a number
		"7" + id:                  "7" + id,                  // part of a longer digit run
	}
	for in, want := range cases {
		if got := MaskWithin(in); got != want {
			t.Errorf("MaskWithin(%q) = %q, want %q", in, got, want)
		}
	}
}
