package certificates

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"

	"skillscore"
)

// Facts are what a certificate attests, exactly as signed. The 证件号码 is
// in it masked only, so a token read off the paper reveals no more than the
// paper shows. The store keeps them as JSON; the token carries them in a
// compact binary form (encodeFacts) to keep the QR code small.
type Facts struct {
	Version      int    `json:"v"`
	Kind         string `json:"kind"` // level | award
	Number       string `json:"no"`
	Name         string `json:"name"`
	IDType       string `json:"idt"`
	IDMasked     string `json:"id"`
	Occupation   string `json:"occ"`
	Specialty    string `json:"spec,omitempty"` // 工种/职业方向, "--" if none
	Level        string `json:"lvl,omitempty"`  // level certificate: "二级/技师"
	Issuer       string `json:"iss"`
	Date         string `json:"date"` // 发证日期, YYYY-MM-DD
	Event        string `json:"ev,omitempty"`
	Group        string `json:"grp,omitempty"`
	Award        string `json:"award,omitempty"`
	Rank         int    `json:"rank,omitempty"`
	Promotion    string `json:"promo,omitempty"` // the level granted, "二级/技师"
	Organization string `json:"org,omitempty"`   // 单位
	Team         string `json:"team,omitempty"`  // the team of a team entry's member (SC2 flag bit 5)
}

// Kinds of certificate.
const (
	KindLevel = "level"
	KindAward = "award"
)

// tokenPrefix names the first token format, which certificates issued
// before the compact form carry and which therefore still verifies;
// tokenPrefix2 the compact form new certificates get (see seal).
const (
	tokenPrefix  = "SC1"
	tokenPrefix2 = "SC2"
)

// MaxTokenLen bounds what the parser accepts; real tokens are under 1 KB.
const MaxTokenLen = 4096

// Token is a parsed, not yet verified, certificate token, in one of two
// forms:
//
//	SC1.<key id>.<base64url payload>.<base64url signature>   the signature covers everything before its dot
//	SC2<BASE32(key id (8 bytes) | compact payload | signature)>   the signature covers "SC2" | key id | payload
//
// SC2 is what new certificates carry: upper-case base32 is in the QR code's
// alphanumeric set (5.5 bits a character against 8 in byte mode) and the
// compact payload holds Chinese in GB 18030 (2 bytes a character, not 3),
// so the printed symbol is a version 11–13 instead of 16–17 and reads
// from a 150 dpi render (docs/certificates.md).
type Token struct {
	KeyID  string
	Facts  Facts
	signed string
	sig    []byte
}

// b64 is strict: unused trailing bits must be zero, or two different
// strings would decode to the same signature and a changed character could
// go unnoticed.
var b64 = base64.RawURLEncoding.Strict()

// b32 is RFC 4648 base32 without padding: upper case and digits only.
var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// seal signs facts with a key and returns the compact (SC2) token.
func seal(f Facts, kid string, priv ed25519.PrivateKey) (string, error) {
	payload, err := encodeFacts2(f)
	if err != nil {
		return "", err
	}
	id, err := hex.DecodeString(kid)
	if err != nil || len(id) != 8 {
		return "", fmt.Errorf("seal: bad key id %q", kid)
	}
	signed := append(append([]byte(tokenPrefix2), id...), payload...)
	sig := ed25519.Sign(priv, signed)
	return tokenPrefix2 + b32.EncodeToString(append(signed[len(tokenPrefix2):], sig...)), nil
}

// sealV1 signs facts in the first token form; only tests use it now, to
// show that certificates issued before SC2 still verify.
func sealV1(f Facts, kid string, priv ed25519.PrivateKey) (string, error) {
	payload, err := encodeFacts(f)
	if err != nil {
		return "", err
	}
	signed := tokenPrefix + "." + kid + "." + b64.EncodeToString(payload)
	return signed + "." + b64.EncodeToString(ed25519.Sign(priv, []byte(signed))), nil
}

// Token payload: the version byte, the kind (1 level, 2 award), then each
// field of factFields as a uvarint length and its UTF-8 bytes, and the rank
// as a uvarint. Field order is the format: never reorder, only append under
// a new version.
const factsVersion = 1

func factFields(f *Facts) []*string {
	return []*string{&f.Number, &f.Name, &f.IDType, &f.IDMasked, &f.Occupation, &f.Specialty, &f.Level, &f.Issuer,
		&f.Date, &f.Event, &f.Group, &f.Award, &f.Promotion, &f.Organization}
}

// maxFactLen bounds one field; real ones are under a hundred bytes.
const maxFactLen = 600

func encodeFacts(f Facts) ([]byte, error) {
	if f.Version != factsVersion || (f.Kind != KindLevel && f.Kind != KindAward) || f.Rank < 0 {
		return nil, fmt.Errorf("facts: bad version, kind or rank: %+v", f)
	}
	kind := byte(1)
	if f.Kind == KindAward {
		kind = 2
	}
	if f.Team != "" {
		return nil, fmt.Errorf("facts: a team needs the compact form")
	}
	b := []byte{factsVersion, kind}
	for _, s := range factFields(&f) {
		if len(*s) > maxFactLen {
			return nil, fmt.Errorf("facts: field of %d bytes", len(*s))
		}
		b = binary.AppendUvarint(b, uint64(len(*s)))
		b = append(b, *s...)
	}
	return binary.AppendUvarint(b, uint64(f.Rank)), nil
}

func decodeFacts(b []byte) (Facts, bool) {
	if len(b) < 2 || b[0] != factsVersion || (b[1] != 1 && b[1] != 2) {
		return Facts{}, false
	}
	f := Facts{Version: factsVersion, Kind: KindLevel}
	if b[1] == 2 {
		f.Kind = KindAward
	}
	b = b[2:]
	for _, s := range factFields(&f) {
		n, k := binary.Uvarint(b)
		if k <= 0 || n > maxFactLen || uint64(len(b)-k) < n || !utf8.Valid(b[k:k+int(n)]) {
			return Facts{}, false
		}
		*s = string(b[k : k+int(n)])
		b = b[k+int(n):]
	}
	rank, k := binary.Uvarint(b)
	if k <= 0 || k != len(b) || rank > 1_000_000 {
		return Facts{}, false
	}
	f.Rank = int(rank)
	return f, true
}

// The compact payload (SC2): a flags byte, then each field of factFields as
// a uvarint length and its bytes, then the rank as a uvarint. Flags: bits
// 0–1 the kind (1 level, 2 award); bit 2: the fields are GB 18030 (else
// UTF-8, for text GB 18030 does not give back exactly); bit 3: the date is
// a uvarint day count from 2000-01-01 instead of a field; bit 4: the
// masked 证件号码 is a uvarint count of the '*' after its third character,
// the field holding the rest; bit 5: a team's name follows the fields (a
// member of a team entry). Every form is canonical: decoding re-encodes
// and must give back the same bytes, so one certificate has one token.
const (
	flagGB     = 1 << 2
	flagDate   = 1 << 3
	flagMasked = 1 << 4
	flagTeam   = 1 << 5
	flagsKnown = 3 | flagGB | flagDate | flagMasked | flagTeam
)

var dayZero = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// maxStars bounds the packed mask; an ID number is at most 32 characters.
const maxStars = 64

func encodeFacts2(f Facts) ([]byte, error) {
	if f.Version != factsVersion || (f.Kind != KindLevel && f.Kind != KindAward) || f.Rank < 0 {
		return nil, fmt.Errorf("facts: bad version, kind or rank: %+v", f)
	}
	flags := byte(1)
	if f.Kind == KindAward {
		flags = 2
	}
	fields := factFields(&f)
	var head []byte
	if d, err := time.Parse("2006-01-02", f.Date); err == nil && !d.Before(dayZero) && d.Format("2006-01-02") == f.Date {
		flags |= flagDate
		head = binary.AppendUvarint(head, uint64(d.Sub(dayZero).Hours()/24))
	}
	masked := f.IDMasked
	if r := []rune(masked); len(r) > 3 {
		stars := 0
		for stars < len(r)-3 && r[3+stars] == '*' {
			stars++
		}
		rest := string(r[:3]) + string(r[3+stars:])
		if stars > 0 && stars <= maxStars && !strings.Contains(rest, "*") {
			flags |= flagMasked
			head = binary.AppendUvarint(head, uint64(stars))
			masked = rest
		}
	}
	gb := simplifiedchinese.GB18030.NewEncoder()
	dec := simplifiedchinese.GB18030.NewDecoder()
	enc := func(s string) ([]byte, bool) {
		b, err := gb.Bytes([]byte(s))
		if err != nil {
			return nil, false
		}
		back, err := dec.Bytes(b)
		return b, err == nil && string(back) == s
	}
	values := make([]string, 0, len(fields))
	for _, p := range fields {
		switch {
		case p == &f.Date && flags&flagDate != 0:
			continue
		case p == &f.IDMasked:
			values = append(values, masked)
		default:
			values = append(values, *p)
		}
	}
	if f.Team != "" {
		flags |= flagTeam
		values = append(values, f.Team)
	}
	encoded := make([][]byte, len(values))
	flags |= flagGB
	for i, v := range values {
		b, ok := enc(v)
		if !ok {
			flags &^= flagGB
			break
		}
		encoded[i] = b
	}
	b := append([]byte{flags}, head...)
	for i, v := range values {
		e := []byte(v)
		if flags&flagGB != 0 {
			e = encoded[i]
		}
		if len(v) > maxFactLen || len(e) > maxFactLen {
			return nil, fmt.Errorf("facts: field of %d bytes", len(v))
		}
		b = binary.AppendUvarint(b, uint64(len(e)))
		b = append(b, e...)
	}
	return binary.AppendUvarint(b, uint64(f.Rank)), nil
}

func decodeFacts2(b []byte) (Facts, bool) {
	orig := b
	if len(b) < 1 || b[0]&^flagsKnown != 0 || (b[0]&3 != 1 && b[0]&3 != 2) {
		return Facts{}, false
	}
	flags := b[0]
	f := Facts{Version: factsVersion, Kind: KindLevel}
	if flags&3 == 2 {
		f.Kind = KindAward
	}
	b = b[1:]
	uvarint := func(limit uint64) (uint64, bool) {
		v, k := binary.Uvarint(b)
		if k <= 0 || v > limit {
			return 0, false
		}
		b = b[k:]
		return v, true
	}
	if flags&flagDate != 0 {
		days, ok := uvarint(1 << 20)
		if !ok {
			return Facts{}, false
		}
		f.Date = dayZero.AddDate(0, 0, int(days)).Format("2006-01-02")
	}
	stars := uint64(0)
	if flags&flagMasked != 0 {
		var ok bool
		if stars, ok = uvarint(maxStars); !ok {
			return Facts{}, false
		}
	}
	dec := simplifiedchinese.GB18030.NewDecoder()
	fields := factFields(&f)
	if flags&flagTeam != 0 {
		fields = append(fields, &f.Team)
	}
	for _, p := range fields {
		if p == &f.Date && flags&flagDate != 0 {
			continue
		}
		n, ok := uvarint(maxFactLen)
		if !ok || uint64(len(b)) < n {
			return Facts{}, false
		}
		raw := b[:n]
		b = b[n:]
		if flags&flagGB != 0 {
			var err error
			if raw, err = dec.Bytes(raw); err != nil {
				return Facts{}, false
			}
		}
		if !utf8.Valid(raw) {
			return Facts{}, false
		}
		*p = string(raw)
	}
	if flags&flagMasked != 0 {
		r := []rune(f.IDMasked)
		if len(r) < 3 {
			return Facts{}, false
		}
		f.IDMasked = string(r[:3]) + strings.Repeat("*", int(stars)) + string(r[3:])
	}
	rank, ok := uvarint(1_000_000)
	if !ok || len(b) != 0 {
		return Facts{}, false
	}
	f.Rank = int(rank)
	// Canonical: only the bytes seal would write for these facts.
	if again, err := encodeFacts2(f); err != nil || !bytes.Equal(again, orig) {
		return Facts{}, false
	}
	return f, true
}

// ParseToken splits and decodes a token without checking its signature.
// Whatever the input, it returns a token or an EInvalid error; it never
// panics (FuzzParseToken).
func ParseToken(s string) (Token, error) {
	bad := func(why string) (Token, error) {
		return Token{}, skillscore.Errorf(skillscore.EInvalid, "证书验证码无效：%s", why)
	}
	s = strings.TrimSpace(s)
	if len(s) > MaxTokenLen {
		return bad("过长")
	}
	if strings.HasPrefix(s, tokenPrefix2) {
		return parseToken2(s)
	}
	parts := strings.Split(s, ".")
	if len(parts) != 4 || parts[0] != tokenPrefix {
		return bad("格式不对")
	}
	if !validKeyID(parts[1]) {
		return bad("密钥编号不对")
	}
	payload, err := b64.DecodeString(parts[2])
	if err != nil {
		return bad("内容无法解码")
	}
	sig, err := b64.DecodeString(parts[3])
	if err != nil || len(sig) != ed25519.SignatureSize {
		return bad("签名无法解码")
	}
	f, ok := decodeFacts(payload)
	if !ok || f.Number == "" {
		return bad("内容不是有效的证书信息")
	}
	return Token{KeyID: parts[1], Facts: f, signed: s[:strings.LastIndexByte(s, '.')], sig: sig}, nil
}

func parseToken2(s string) (Token, error) {
	bad := func(why string) (Token, error) {
		return Token{}, skillscore.Errorf(skillscore.EInvalid, "证书验证码无效：%s", why)
	}
	body := s[len(tokenPrefix2):]
	raw, err := b32.DecodeString(body)
	// base32 ignores a short final group's unused bits: re-encoding must
	// give the same text, or a changed last character could go unnoticed.
	if err != nil || b32.EncodeToString(raw) != body {
		return bad("内容无法解码")
	}
	if len(raw) < 8+1+ed25519.SignatureSize {
		return bad("过短")
	}
	payload := raw[8 : len(raw)-ed25519.SignatureSize]
	f, ok := decodeFacts2(payload)
	if !ok || f.Number == "" {
		return bad("内容不是有效的证书信息")
	}
	signed := tokenPrefix2 + string(raw[:len(raw)-ed25519.SignatureSize])
	return Token{KeyID: hex.EncodeToString(raw[:8]), Facts: f, signed: signed,
		sig: raw[len(raw)-ed25519.SignatureSize:]}, nil
}

// validKeyID accepts the 16 lower-case hex digits of a key id.
func validKeyID(s string) bool {
	if len(s) != 16 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if (s[i] < '0' || s[i] > '9') && (s[i] < 'a' || s[i] > 'f') {
			return false
		}
	}
	return true
}

// Verify checks the token's signature against the public keys.
func (t Token) Verify(keys PublicKeys) error {
	pub, ok := keys.Key(t.KeyID)
	if !ok {
		return skillscore.Errorf(skillscore.EInvalid, "证书验证码的签名密钥 %s 不在已公布的公钥中", t.KeyID)
	}
	if !ed25519.Verify(pub, []byte(t.signed), t.sig) {
		return skillscore.Errorf(skillscore.EInvalid, "证书验证码签名不符：内容被改动或并非本系统签发")
	}
	return nil
}

// Fingerprint identifies a token by its signed bytes and signature, in
// whichever text form it was read: the hex SHA-256 a re-issue records for
// the token it replaces. Only the signing key can make a token, so the
// fingerprint tells nothing about the facts inside it.
func (t Token) Fingerprint() string {
	h := sha256.New()
	h.Write([]byte(t.signed))
	h.Write(t.sig)
	return hex.EncodeToString(h.Sum(nil))
}

// VerifyToken parses and verifies a token in one step.
func VerifyToken(s string, keys PublicKeys) (Token, error) {
	t, err := ParseToken(s)
	if err != nil {
		return Token{}, err
	}
	if err := t.Verify(keys); err != nil {
		return Token{}, err
	}
	return t, nil
}

// TokenFromText finds the token in a verification URL or returns the text
// itself: what a phone's scanner hands over is the whole URL.
func TokenFromText(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.Index(s, "t="); i >= 0 && strings.Contains(s, "://") {
		s = s[i+2:]
		if j := strings.IndexAny(s, "&#"); j >= 0 {
			s = s[:j]
		}
	}
	return s
}
