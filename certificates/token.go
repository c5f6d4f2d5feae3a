package certificates

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"strings"
	"unicode/utf8"

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
}

// Kinds of certificate.
const (
	KindLevel = "level"
	KindAward = "award"
)

// tokenPrefix names the token format; a later format gets a new prefix.
const tokenPrefix = "SC1"

// MaxTokenLen bounds what the parser accepts; real tokens are under 1 KB.
const MaxTokenLen = 4096

// Token is a parsed, not yet verified, certificate token:
// SC1.<key id>.<base64url payload>.<base64url signature>, the signature
// covering everything before its dot.
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

// seal signs facts with a key and returns the token.
func seal(f Facts, kid string, priv ed25519.PrivateKey) (string, error) {
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
