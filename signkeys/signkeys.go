// Package signkeys is a judge's own signing key: an Ed25519 key pair made
// when the judge chooses a signing PIN or passphrase, whose private half is
// kept only sealed under that secret (argon2id, then AES-256-GCM), and the
// signature it makes over a score sheet's canonical content at submission.
// It is pure: no database, network or clock; the store keeps what it
// returns and the judges package opens a key with the secret the judge
// types.
//
// Why Ed25519 and not an HMAC keyed by the secret: checking an HMAC needs
// its key, so whoever verifies a sheet could also forge one. An Ed25519
// signature is checked with the public key alone, which the database may
// hold and print; only the sealed private key, opened with the judge's
// secret, can make one.
package signkeys

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Signature methods, as recorded with each submitted sheet.
const (
	// MethodOwnKey: signed with the judge's own key (Ed25519), opened by
	// the signing PIN or passphrase the judge chose and nobody else knows.
	MethodOwnKey = "judge-key-ed25519"
	// MethodCardPIN: confirmed with the PIN printed on the organizer's
	// login card; only the content's digest is recorded.
	MethodCardPIN = "card-pin"
)

// MaxFailures is how many wrong signing secrets in a row lock a key until
// the organizer resets it (as the 督导员's signing PIN).
const MaxFailures = 5

// The argon2id cost: OWASP's minimum (19 MiB, 2 passes, 1 lane), tens of
// milliseconds per submission on a server core. Stored with each key, so a
// later change of cost leaves older keys openable.
const (
	kdfTime    = 2
	kdfMemory  = 19 * 1024
	kdfThreads = 1
)

// ErrWrongSecret is Open's answer to a secret that does not open the key.
var ErrWrongSecret = errors.New("signkeys: wrong secret")

// CheckSecret says in Chinese what is wrong with a secret a judge chose,
// or nil: 6–12 digits that are not one digit repeated or a run (123456,
// 987654), or a passphrase of 8–64 characters that is not only digits.
func CheckSecret(secret string) error {
	if !utf8.ValidString(secret) {
		return errors.New("签名密码含有无效字符")
	}
	for _, r := range secret {
		if unicode.IsControl(r) {
			return errors.New("签名密码不能含有控制字符")
		}
	}
	if allDigits(secret) {
		switch {
		case len(secret) < 6:
			return errors.New("签名密码至少 6 位数字")
		case len(secret) > 12:
			return errors.New("数字签名密码最多 12 位；更长的请改用文字密码")
		case trivial(secret):
			return errors.New("签名密码太简单（同一数字重复或连续数字），请换一个别人猜不到的")
		}
		return nil
	}
	n := utf8.RuneCountInString(secret)
	switch {
	case strings.TrimSpace(secret) != secret:
		return errors.New("文字密码的开头和结尾不能是空格")
	case n < 8:
		return errors.New("文字密码至少 8 个字符（或使用 6–12 位数字）")
	case n > 64:
		return errors.New("文字密码最多 64 个字符")
	}
	return nil
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// trivial: one digit repeated, or each digit one more (or one less) than
// the one before.
func trivial(d string) bool {
	same, up, down := true, true, true
	for i := 1; i < len(d); i++ {
		same = same && d[i] == d[0]
		up = up && d[i] == d[i-1]+1
		down = down && d[i] == d[i-1]-1
	}
	return same || up || down
}

// Sealed is what the store keeps of a judge's key: the public key, its
// fingerprint, the KDF's parameters and salt, and the private key's seed
// sealed under the key the secret derives. None of it opens the key
// without the secret.
type Sealed struct {
	PublicKey []byte // 32 bytes
	KeyID     string // the public key's fingerprint: the first 16 hex digits of its SHA-256
	KDF       string // "argon2id$v=19$m=19456,t=2,p=1$<salt, base64>"
	Sealed    string // base64 of nonce ‖ AES-256-GCM(seed), the public key as additional data
}

// KeyID is a public key's fingerprint, printed beside signatures.
func KeyID(pub []byte) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// New makes a key pair and seals its private half under secret (which the
// caller has checked with CheckSecret).
func New(secret string) (Sealed, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return Sealed{}, fmt.Errorf("generate key: %w", err)
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return Sealed{}, fmt.Errorf("salt: %w", err)
	}
	kdf := fmt.Sprintf("argon2id$v=%d$m=%d,t=%d,p=%d$%s", argon2.Version, kdfMemory, kdfTime, kdfThreads,
		base64.RawStdEncoding.EncodeToString(salt))
	aead, err := keyCipher(kdf, secret)
	if err != nil {
		return Sealed{}, err
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return Sealed{}, fmt.Errorf("nonce: %w", err)
	}
	box := aead.Seal(nonce, nonce, priv.Seed(), pub)
	clear(priv)
	return Sealed{PublicKey: pub, KeyID: KeyID(pub), KDF: kdf, Sealed: base64.StdEncoding.EncodeToString(box)}, nil
}

// keyCipher derives the sealing key from secret with the KDF's parameters.
func keyCipher(kdf, secret string) (cipher.AEAD, error) {
	parts := strings.Split(kdf, "$")
	if len(parts) != 4 || parts[0] != "argon2id" || parts[1] != "v="+strconv.Itoa(argon2.Version) {
		return nil, fmt.Errorf("signkeys: unknown KDF %q", kdf)
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[2], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m < 8*1024 || m > 256*1024 || t < 1 || t > 10 || p < 1 {
		return nil, fmt.Errorf("signkeys: bad KDF parameters %q", parts[2])
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[3])
	if err != nil || len(salt) < 16 {
		return nil, fmt.Errorf("signkeys: bad KDF salt")
	}
	key := argon2.IDKey([]byte(secret), salt, t, m, p, 32)
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// Open unseals the private key with secret: ErrWrongSecret when the secret
// is not the one it was sealed under.
func Open(s Sealed, secret string) (ed25519.PrivateKey, error) {
	aead, err := keyCipher(s.KDF, secret)
	if err != nil {
		return nil, err
	}
	box, err := base64.StdEncoding.DecodeString(s.Sealed)
	if err != nil || len(box) < aead.NonceSize() {
		return nil, fmt.Errorf("signkeys: damaged sealed key")
	}
	seed, err := aead.Open(nil, box[:aead.NonceSize()], box[aead.NonceSize():], s.PublicKey)
	if err != nil {
		return nil, ErrWrongSecret
	}
	if len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("signkeys: damaged sealed key")
	}
	priv := ed25519.NewKeyFromSeed(seed)
	clear(seed)
	if !priv.Public().(ed25519.PublicKey).Equal(ed25519.PublicKey(s.PublicKey)) {
		return nil, fmt.Errorf("signkeys: sealed key does not match its public key")
	}
	return priv, nil
}

// Mark is one aspect's mark as signed: fixed-point with 4 decimals.
type Mark struct {
	Aspect     string
	Value      int64
	Multiplier int64
}

// Sheet is the canonical content of a submitted sheet: what a signature
// covers. Marks in aspect-code order; times in UTC to the microsecond.
type Sheet struct {
	SheetID     int64
	Event       string
	Module      string
	Contestant  string // the anonymous code the judge saw
	Judge       string // the judge's code
	SubmittedAt time.Time
	Marks       []Mark
}

// Canonical is the exact bytes signed: one line per field, fixed order,
// values exact (never through a float).
func (c Sheet) Canonical() []byte {
	var b strings.Builder
	b.WriteString("skillscore score sheet v1\n")
	fmt.Fprintf(&b, "sheet: %d\nevent: %s\nmodule: %s\ncontestant: %s\njudge: %s\nsubmitted_at: %s\n",
		c.SheetID, line(c.Event), line(c.Module), line(c.Contestant), line(c.Judge),
		c.SubmittedAt.UTC().Format("2006-01-02T15:04:05.000000Z"))
	for _, m := range c.Marks {
		fmt.Fprintf(&b, "mark: %s = %s", line(m.Aspect), fixed(m.Value))
		if m.Multiplier != 0 {
			fmt.Fprintf(&b, " x %s", fixed(m.Multiplier))
		}
		b.WriteByte('\n')
	}
	return []byte(b.String())
}

// line keeps a code on its line: codes have no newlines, but a signed text
// must not be ambiguous if one did.
func line(s string) string { return strconv.Quote(s) }

// fixed writes a 4-decimal fixed-point value exactly.
func fixed(v int64) string {
	sign := ""
	u := uint64(v)
	if v < 0 {
		sign, u = "-", uint64(-v)
	}
	return fmt.Sprintf("%s%d.%04d", sign, u/10000, u%10000)
}

// Digest is the hex SHA-256 of the canonical content.
func (c Sheet) Digest() string {
	sum := sha256.Sum256(c.Canonical())
	return hex.EncodeToString(sum[:])
}

// Sign signs the canonical content with a judge's private key and returns
// the signature (64 bytes).
func Sign(priv ed25519.PrivateKey, c Sheet) []byte {
	return ed25519.Sign(priv, c.Canonical())
}

// Verify reports whether sig is pub's signature over c.
func Verify(pub []byte, c Sheet, sig []byte) bool {
	return len(pub) == ed25519.PublicKeySize && ed25519.Verify(ed25519.PublicKey(pub), c.Canonical(), sig)
}
