package signkeys

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestCheckSecret(t *testing.T) {
	for s, ok := range map[string]bool{
		"583920": true, "482913071": true, "我的签名密码很安全": true, "wo de mi ma": true,
		"12345": false, "111111": false, "123456": false, "987654": false, "4567890123456": false,
		"abcdefg": false, " leading space": false, "tab\there1": false, strings.Repeat("长", 65): false,
	} {
		if err := CheckSecret(s); (err == nil) != ok {
			t.Errorf("CheckSecret(%q) = %v, want ok %v", s, err, ok)
		}
	}
}

func sheet() Sheet {
	return Sheet{SheetID: 7, Event: "jx-2026", Module: "A", Contestant: "Y001", Judge: "J01",
		SubmittedAt: time.Date(2026, 12, 3, 10, 0, 0, 123456000, time.UTC),
		Marks:       []Mark{{Aspect: "A1", Value: 25000}, {Aspect: "A2", Value: -5000, Multiplier: 15000}}}
}

// TestSealSignVerify: only the secret opens the key; the signature holds
// for the content signed and fails after any change of it.
func TestSealSignVerify(t *testing.T) {
	k, err := New("583920")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(k.Sealed+k.KDF, "583920") || k.KeyID != KeyID(k.PublicKey) || len(k.KeyID) != 16 {
		t.Fatalf("sealed key: %+v", k)
	}
	if _, err := Open(k, "583921"); err != ErrWrongSecret {
		t.Fatalf("a wrong secret: %v", err)
	}
	priv, err := Open(k, "583920")
	if err != nil {
		t.Fatal(err)
	}
	c := sheet()
	want := "skillscore score sheet v1\nsheet: 7\nevent: \"jx-2026\"\nmodule: \"A\"\ncontestant: \"Y001\"\njudge: \"J01\"\n" +
		"submitted_at: 2026-12-03T10:00:00.123456Z\nmark: \"A1\" = 2.5000\nmark: \"A2\" = -0.5000 x 1.5000\n"
	if got := string(c.Canonical()); got != want {
		t.Fatalf("canonical:\n%s\nwant:\n%s", got, want)
	}
	sig := Sign(priv, c)
	if !Verify(k.PublicKey, c, sig) {
		t.Fatal("a fresh signature does not verify")
	}
	changes := []func(*Sheet){
		func(s *Sheet) { s.Marks[0].Value++ },
		func(s *Sheet) { s.Marks = s.Marks[:1] },
		func(s *Sheet) { s.SubmittedAt = s.SubmittedAt.Add(time.Microsecond) },
		func(s *Sheet) { s.Contestant = "Y002" },
	}
	for i, change := range changes {
		d := sheet()
		d.Marks = append([]Mark(nil), d.Marks...)
		change(&d)
		if Verify(k.PublicKey, d, sig) || d.Digest() == c.Digest() {
			t.Errorf("change %d still verifies", i)
		}
	}
	other, _ := New("771903")
	if Verify(other.PublicKey, c, sig) {
		t.Fatal("another judge's public key verifies the signature")
	}
	bad := bytes.Clone(sig)
	bad[0] ^= 1
	if Verify(k.PublicKey, c, bad) {
		t.Fatal("a changed signature verifies")
	}
}
