package privacy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"skillscore"
)

func newFileKeyring(t *testing.T) (*Keyring, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "personal.key")
	if err := CreateFile(path); err != nil {
		t.Fatal(err)
	}
	k, err := LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return k, path
}

func TestSealOpensOnlyWithItsKeyAndField(t *testing.T) {
	k, _ := newFileKeyring(t)
	const id = "36010219900101123X"
	a, err := k.Seal(IDNumber, id)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := k.Seal(IDNumber, id)
	if a == b {
		t.Error("two seals of one value are equal: the nonce is not random")
	}
	if strings.Contains(a, id) || !strings.HasPrefix(a, "k1$") {
		t.Errorf("sealed %q: want k1$… without the plaintext", a)
	}
	if got, err := k.Open(IDNumber, a); err != nil || got != id {
		t.Fatalf("open = %q, %v", got, err)
	}
	// The same ciphertext read as another field does not open.
	if _, err := k.Open(Phone, a); err == nil {
		t.Error("an ID number opened as a phone")
	}
	// One flipped character does not open either.
	flipped := []byte(a)
	flipped[len(flipped)-3] ^= 1
	if _, err := k.Open(IDNumber, string(flipped)); err == nil {
		t.Error("an altered value opened")
	}
	other, err := NewMemory()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Open(IDNumber, a); skillscore.ErrorCode(err) != skillscore.EUnavailable {
		t.Errorf("another installation's k1 opened it or said %v", err)
	}
	if s, err := k.Seal(Phone, ""); err != nil || s != "" {
		t.Errorf("empty phone sealed to %q, %v", s, err)
	}
}

func TestIndexIsKeyedAndStable(t *testing.T) {
	k, _ := newFileKeyring(t)
	other, _ := NewMemory()
	i1, _ := k.Index(IDNumber, "360102199001011234")
	i2, _ := k.Index(IDNumber, "360102199001011234")
	i3, _ := k.Index(IDNumber, "360102199001011242")
	o1, _ := other.Index(IDNumber, "360102199001011234")
	p1, _ := k.Index(Phone, "360102199001011234")
	if i1 != i2 || len(i1) != IndexSize {
		t.Errorf("index not stable or wrong size: %q %q", i1, i2)
	}
	if i1 == i3 || i1 == o1 || i1 == p1 {
		t.Error("index does not depend on the value, the key and the field")
	}
}

func TestNoKeyIsRefusedInOneLine(t *testing.T) {
	var k *Keyring
	for _, err := range []error{
		func() error { _, err := k.Seal(IDNumber, "1"); return err }(),
		func() error { _, err := k.Open(IDNumber, "k1$AAAA"); return err }(),
		func() error { _, err := k.Indexes(IDNumber, "1"); return err }(),
	} {
		if skillscore.ErrorCode(err) != skillscore.EUnavailable || strings.Contains(skillscore.ErrorMessage(err), "\n") {
			t.Errorf("without a key: %v", err)
		}
	}
}

func TestAddKeyRotatesAndKeepsOldValuesReadable(t *testing.T) {
	k, path := newFileKeyring(t)
	old, _ := k.Seal(IDNumber, "360102199001011234")
	oldIdx, _ := k.Index(IDNumber, "360102199001011234")
	// A second process (the running server) reads the same file.
	server, err := LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	id, err := k.AddKey()
	if err != nil || id != "k2" || k.Current() != "k2" {
		t.Fatalf("AddKey = %q, %v; current %q", id, err, k.Current())
	}
	fresh, _ := k.Seal(IDNumber, "360102199001011234")
	if KeyOf(fresh) != "k2" || KeyOf(old) != "k1" {
		t.Errorf("keys of values: %q %q", KeyOf(old), KeyOf(fresh))
	}
	if got, err := k.Open(IDNumber, old); err != nil || got != "360102199001011234" {
		t.Errorf("old value after rotation: %q, %v", got, err)
	}
	idx, _ := k.Indexes(IDNumber, "360102199001011234")
	if len(idx) != 2 || idx[1] != oldIdx || idx[0] == oldIdx {
		t.Errorf("indexes %v: want the new key's first, then k1's %s", idx, oldIdx)
	}
	// The server has not looked at the file yet, but a value under a key it
	// has not seen makes it read the file again.
	if got, err := server.Open(IDNumber, fresh); err != nil || got != "360102199001011234" {
		t.Errorf("server opening a k2 value: %q, %v", got, err)
	}
	if server.Current() != "k2" {
		t.Errorf("server's current key %q after reading the file again", server.Current())
	}
	data, _ := os.ReadFile(path)
	if n := strings.Count(string(data), "\nk"); n != 2 {
		t.Errorf("key file has %d keys:\n%s", n, data)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", fi.Mode().Perm())
	}
}

func TestKeyFileErrorsNeverShowTheSecret(t *testing.T) {
	dir := t.TempDir()
	cases := map[string]string{
		"short":   "k1 AAAA\n",
		"notb64":  "k1 ****\n",
		"badid":   "K1 " + strings.Repeat("A", 43) + "=\n",
		"twice":   "k1 " + strings.Repeat("A", 43) + "=\nk1 " + strings.Repeat("B", 43) + "=\n",
		"empty":   "# only a comment\n",
		"3fields": "k1 x y\n",
	}
	for name, body := range cases {
		path := filepath.Join(dir, name)
		os.WriteFile(path, []byte(body), 0o600)
		_, err := LoadFile(path)
		if skillscore.ErrorCode(err) != skillscore.EInvalid {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if strings.Contains(err.Error(), "AAAA") || strings.Contains(err.Error(), "BBBB") {
			t.Errorf("%s: error shows key material: %v", name, err)
		}
	}
	if err := CreateFile(filepath.Join(dir, "short")); skillscore.ErrorCode(err) != skillscore.EConflict {
		t.Errorf("CreateFile over an existing file: %v", err)
	}
}

func TestKeysFromEnvironment(t *testing.T) {
	t.Setenv(EnvKeyFile, "")
	line, _ := NewKeyLine("k1")
	id, b64, _ := strings.Cut(line, " ")
	line2, _ := NewKeyLine("k2")
	id2, b642, _ := strings.Cut(line2, " ")
	t.Setenv(EnvKeys, id+":"+b64+" "+id2+":"+b642)
	k, err := FromEnv()
	if err != nil || k == nil || k.Current() != "k2" || len(k.IDs()) != 2 {
		t.Fatalf("FromEnv = %v, %v", k, err)
	}
	if _, err := k.AddKey(); skillscore.ErrorCode(err) != skillscore.EInvalid {
		t.Errorf("AddKey on environment keys: %v", err)
	}
	t.Setenv(EnvKeys, "k1:"+b64[:10])
	if _, err := FromEnv(); err == nil || strings.Contains(err.Error(), b64[:10]) {
		t.Errorf("bad environment key: %v", err)
	}
}

func FuzzParseKeyFile(f *testing.F) {
	line, _ := NewKeyLine("k1")
	f.Add([]byte(fileHeader + line + "\n"))
	f.Add([]byte("k1 AAAA\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ks, err := parseKeyFile(data)
		if err == nil && (len(ks.keys) == 0 || len(ks.byID) != len(ks.keys)) {
			t.Fatalf("parsed %d keys, %d ids", len(ks.keys), len(ks.byID))
		}
	})
}
