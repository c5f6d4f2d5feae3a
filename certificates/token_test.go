package certificates

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"skillscore"
)

func TestTokenRoundTrip(t *testing.T) {
	kr, _ := testKeys(t)
	for _, f := range []Facts{levelFacts(), awardFacts()} {
		tok, err := kr.Signer.Seal(f)
		if err != nil {
			t.Fatal(err)
		}
		got, err := VerifyToken(tok, kr.Public)
		if err != nil {
			t.Fatal(err)
		}
		if got.Facts != f || got.KeyID != kr.Signer.KeyID() {
			t.Fatalf("round trip: %+v, want %+v", got.Facts, f)
		}
		if !strings.HasPrefix(tok, "SC2") {
			t.Fatalf("new token %q is not in the compact form", tok)
		}
		payload, _ := b32.DecodeString(tok[3:])
		if strings.Contains(string(payload), "0307") {
			t.Fatal("the token carries an unmasked ID number")
		}
		t.Logf("%s token: %d characters", f.Kind, len(tok))
	}
	tok, _ := kr.Signer.Seal(levelFacts())
	// What a phone's scanner hands over: the whole URL.
	if TokenFromText("https://cert.example.cn/verify?t="+tok+"&x=1") != tok {
		t.Fatal("TokenFromText does not find the token in a URL")
	}
}

// Every single changed byte of a token must fail: in the key id, the
// payload, the signature or the separators.
func TestTokenWithOneChangedByteFails(t *testing.T) {
	kr, _ := testKeys(t)
	tok, err := kr.Signer.Seal(awardFacts())
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(tok); i++ {
		b := []byte(tok)
		// Swap within the token alphabet, so the change is not rejected for
		// a stray character alone.
		switch {
		case b[i] == 'A':
			b[i] = 'B'
		case b[i] == '.':
			b[i] = '_'
		default:
			b[i] = 'A'
		}
		if _, err := VerifyToken(string(b), kr.Public); err == nil {
			t.Fatalf("token with byte %d changed (%q→%q) verifies", i, tok[i], b[i])
		} else if skillscore.ErrorCode(err) != skillscore.EInvalid {
			t.Fatalf("byte %d: err %v, want EInvalid", i, err)
		}
	}
}

// Certificates issued before the compact form carry SC1 tokens, printed
// and stored; they must keep verifying, and tamper with neither form.
func TestFirstFormTokensStillVerify(t *testing.T) {
	kr, _ := testKeys(t)
	for _, f := range []Facts{levelFacts(), awardFacts()} {
		old, err := sealV1(f, kr.Signer.kid, kr.Signer.priv)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(old, "SC1.") {
			t.Fatalf("first-form token %q", old)
		}
		got, err := VerifyToken(TokenFromText("https://cert.example.cn/verify?t="+old), kr.Public)
		if err != nil {
			t.Fatalf("an SC1 token no longer verifies: %v", err)
		}
		if got.Facts != f || got.KeyID != kr.Signer.KeyID() {
			t.Fatalf("SC1 facts %+v, want %+v", got.Facts, f)
		}
		compact, _ := kr.Signer.Seal(f)
		t.Logf("%s: SC1 %d characters, SC2 %d", f.Kind, len(old), len(compact))
		if len(compact) >= len(old) {
			t.Fatalf("compact token (%d) is not shorter than the first form (%d)", len(compact), len(old))
		}
	}
}

// The compact payload gives back exactly the facts it was made from,
// whatever they hold: text GB 18030 cannot carry as is, dates and masks it
// cannot pack, empty fields.
func TestCompactFactsRoundTrip(t *testing.T) {
	kr, _ := testKeys(t)
	odd := awardFacts()
	odd.Name, odd.IDMasked, odd.Date, odd.Organization = "Ünal 李\u00e9😀", "****", "2026-2-5", ""
	passport := levelFacts()
	passport.IDType, passport.IDMasked = "护照", "E12*****89"
	for _, f := range []Facts{levelFacts(), awardFacts(), odd, passport} {
		tok, err := kr.Signer.Seal(f)
		if err != nil {
			t.Fatal(err)
		}
		got, err := VerifyToken(tok, kr.Public)
		if err != nil {
			t.Fatalf("%+v: %v", f, err)
		}
		if got.Facts != f {
			t.Fatalf("round trip: %+v, want %+v", got.Facts, f)
		}
	}
}

func TestKeyRotationKeepsOldCertificatesVerifiable(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "keys")
	old, err := GenerateKey(dir, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	kr1, err := LoadKeyring(dir)
	if err != nil {
		t.Fatal(err)
	}
	oldTok, _ := kr1.Signer.Seal(levelFacts())
	fresh, err := GenerateKey(dir, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	kr2, err := LoadKeyring(dir)
	if err != nil {
		t.Fatal(err)
	}
	if kr2.Signer.KeyID() != fresh || fresh == old {
		t.Fatalf("active key %s, want the new %s", kr2.Signer.KeyID(), fresh)
	}
	if len(kr2.Public.Keys) != 2 || kr2.Public.Keys[0].KeyID != old || !kr2.Public.Keys[1].Active {
		t.Fatalf("public keys %+v", kr2.Public.Keys)
	}
	if _, err := VerifyToken(oldTok, kr2.Public); err != nil {
		t.Fatalf("a certificate signed before rotation no longer verifies: %v", err)
	}
	newTok, _ := kr2.Signer.Seal(levelFacts())
	if _, err := VerifyToken(newTok, kr1.Public); err == nil {
		t.Fatal("a token of the new key verifies against the old key set alone")
	}
	// A public-only copy (what a verifying server or the public needs).
	pubOnly := t.TempDir()
	for _, k := range []string{old, fresh} {
		b, _ := os.ReadFile(filepath.Join(dir, k+".pub"))
		os.WriteFile(filepath.Join(pubOnly, k+".pub"), b, 0o644)
	}
	kr3, err := LoadKeyring(pubOnly)
	if err != nil || kr3.Signer != nil {
		t.Fatalf("public-only key dir: %v, signer %v", err, kr3.Signer)
	}
	if _, err := VerifyToken(oldTok, kr3.Public); err != nil {
		t.Fatal(err)
	}
	if info, _ := os.Stat(filepath.Join(dir, fresh+".key")); info.Mode().Perm() != 0o600 {
		t.Fatalf("private key mode %v, want 0600", info.Mode().Perm())
	}
}

func TestParsePublicKeysRejectsMismatchedID(t *testing.T) {
	kr, _ := testKeys(t)
	k := kr.Public.Keys[0]
	bad := `{"keys":[{"kid":"0000000000000000","alg":"Ed25519","public_key":` + string(mustJSON(t, k.Key)) + `}]}`
	if _, err := ParsePublicKeys([]byte(bad)); err == nil {
		t.Fatal("a key whose id does not match its bytes was accepted")
	}
	good, err := ParsePublicKeys(mustJSON(t, kr.Public))
	if err != nil || len(good.Keys) != 1 {
		t.Fatalf("published key set does not parse back: %v", err)
	}
}

func FuzzParseToken(f *testing.F) {
	dir := filepath.Join(f.TempDir(), "keys")
	if _, err := GenerateKey(dir, time.Unix(0, 0)); err != nil {
		f.Fatal(err)
	}
	kr, err := LoadKeyring(dir)
	if err != nil {
		f.Fatal(err)
	}
	for _, facts := range []Facts{levelFacts(), awardFacts()} {
		tok, _ := kr.Signer.Seal(facts)
		f.Add(tok)
		f.Add(tok[:len(tok)/2])
	}
	f.Add("")
	f.Add("SC2")
	f.Add("SC2AAAAAAAAAAAAAAAAAAAAAAAA")
	f.Add("SC1....")
	f.Add("SC1.0123456789abcdef.e30.AAAA")
	f.Fuzz(func(t *testing.T, s string) {
		tok, err := ParseToken(s)
		if err != nil {
			if skillscore.ErrorCode(err) != skillscore.EInvalid {
				t.Fatalf("ParseToken error code %q, want EInvalid", skillscore.ErrorCode(err))
			}
			return
		}
		if tok.Facts.Number == "" || len(tok.KeyID) != 16 {
			t.Fatalf("accepted a token without number or key id: %+v", tok)
		}
		// Whatever parses either verifies or fails cleanly.
		if err := tok.Verify(kr.Public); err != nil && skillscore.ErrorCode(err) != skillscore.EInvalid {
			t.Fatalf("Verify error code %q", skillscore.ErrorCode(err))
		}
	})
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
