package certificates

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"skillscore"
)

// A key directory holds one Ed25519 key pair per key id:
//
//	<kid>.key   the private key (PKCS #8 PEM, mode 0600): never leaves the issuing machine
//	<kid>.pub   the public key (PKIX PEM) with a Created header
//	active      the key id new certificates are signed with
//
// Rotation adds a pair and points active at it; the old public keys stay, so
// every certificate ever issued stays verifiable (docs/certificates.md).

// KeyID is the first 8 bytes of the SHA-256 of the raw public key, in hex.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// PublicKey is one published verification key.
type PublicKey struct {
	KeyID   string            `json:"kid"`
	Alg     string            `json:"alg"`        // "Ed25519"
	Key     ed25519.PublicKey `json:"public_key"` // 32 bytes, base64 in JSON
	Created time.Time         `json:"created"`
	Active  bool              `json:"active"`
}

// PublicKeys is the set of keys tokens are checked against, as published at
// /.well-known/skillscore-certificate-keys.json.
type PublicKeys struct {
	Keys []PublicKey `json:"keys"`
}

// Key returns the public key with that id.
func (p PublicKeys) Key(kid string) (ed25519.PublicKey, bool) {
	for _, k := range p.Keys {
		if k.KeyID == kid {
			return k.Key, true
		}
	}
	return nil, false
}

// ParsePublicKeys reads a published key set, rejecting keys whose id does
// not match their bytes.
func ParsePublicKeys(data []byte) (PublicKeys, error) {
	var p PublicKeys
	if err := json.Unmarshal(data, &p); err != nil {
		return PublicKeys{}, skillscore.Wrap(skillscore.EInvalid, err, "公钥文件不是有效的 JSON 公钥集")
	}
	for _, k := range p.Keys {
		if len(k.Key) != ed25519.PublicKeySize || KeyID(k.Key) != k.KeyID {
			return PublicKeys{}, skillscore.Errorf(skillscore.EInvalid, "公钥 %s 与其编号不符", k.KeyID)
		}
	}
	return p, nil
}

// Signer signs certificate facts with the active key.
type Signer struct {
	kid  string
	priv ed25519.PrivateKey
}

// KeyID is the id of the signing key.
func (s *Signer) KeyID() string { return s.kid }

// Sign signs msg with the active key: the archive's manifest (package
// archive) is signed with the same key its certificates are, so the one
// published key set checks both.
func (s *Signer) Sign(msg []byte) []byte { return ed25519.Sign(s.priv, msg) }

// PublicKey is the active key's public half.
func (s *Signer) PublicKey() ed25519.PublicKey { return s.priv.Public().(ed25519.PublicKey) }

// Seal signs facts and returns the token.
func (s *Signer) Seal(f Facts) (string, error) {
	return seal(f, s.kid, s.priv)
}

// Keyring is a key directory loaded: the active signer (nil when the
// directory holds public keys only) and every public key.
type Keyring struct {
	Signer *Signer
	Public PublicKeys
}

// GenerateKey adds a new key pair to dir (created if missing) and makes it
// the active key. It returns the new key id.
func GenerateKey(dir string, now time.Time) (string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", skillscore.Wrap(skillscore.EInvalid, err, fmt.Sprintf("无法创建密钥目录 %s: %v", dir, err))
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return "", fmt.Errorf("generate key: %w", err)
	}
	kid := KeyID(pub)
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return "", fmt.Errorf("encode key: %w", err)
	}
	pubDER, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "", fmt.Errorf("encode key: %w", err)
	}
	privPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Headers: map[string]string{
		"Created": now.UTC().Format(time.RFC3339)}, Bytes: pubDER})
	// Write the pair before switching active, so a crash half-way leaves the
	// old key in charge and never an active id without its key.
	if err := writeFileAtomic(filepath.Join(dir, kid+".key"), privPEM, 0o600); err != nil {
		return "", err
	}
	if err := writeFileAtomic(filepath.Join(dir, kid+".pub"), pubPEM, 0o644); err != nil {
		return "", err
	}
	if err := writeFileAtomic(filepath.Join(dir, "active"), []byte(kid+"\n"), 0o644); err != nil {
		return "", err
	}
	return kid, nil
}

func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, mode); err != nil {
		return skillscore.Wrap(skillscore.EUnavailable, err, fmt.Sprintf("无法写入 %s: %v", path, err))
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return skillscore.Wrap(skillscore.EUnavailable, err, fmt.Sprintf("无法写入 %s: %v", path, err))
	}
	return nil
}

// LoadKeyring reads a key directory. A directory without an active key
// loads its public keys only (enough to verify, not to issue).
func LoadKeyring(dir string) (*Keyring, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, skillscore.Errorf(skillscore.ENotFound,
				"证书密钥目录 %s 不存在：请先运行 skillscore certs keygen --keys %s", dir, dir)
		}
		return nil, skillscore.Wrap(skillscore.EUnavailable, err, fmt.Sprintf("无法读取证书密钥目录 %s: %v", dir, err))
	}
	kr := &Keyring{}
	active := ""
	if b, err := os.ReadFile(filepath.Join(dir, "active")); err == nil {
		active = strings.TrimSpace(string(b))
	}
	for _, e := range entries {
		kid, ok := strings.CutSuffix(e.Name(), ".pub")
		if !ok || e.IsDir() {
			continue
		}
		k, err := readPublicKey(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		if k.KeyID != kid {
			return nil, skillscore.Errorf(skillscore.EInvalid, "公钥文件 %s 的内容与文件名不符", e.Name())
		}
		k.Active = kid == active
		kr.Public.Keys = append(kr.Public.Keys, k)
	}
	sort.Slice(kr.Public.Keys, func(i, j int) bool { return kr.Public.Keys[i].Created.Before(kr.Public.Keys[j].Created) })
	if active == "" {
		return kr, nil
	}
	pub, ok := kr.Public.Key(active)
	if !ok {
		return nil, skillscore.Errorf(skillscore.EInvalid, "密钥目录 %s 的 active 指向不存在的公钥 %s", dir, active)
	}
	priv, err := readPrivateKey(filepath.Join(dir, active+".key"))
	if err != nil {
		return nil, err
	}
	if !pub.Equal(priv.Public()) {
		return nil, skillscore.Errorf(skillscore.EInvalid, "密钥 %s 的私钥与公钥不配对", active)
	}
	kr.Signer = &Signer{kid: active, priv: priv}
	return kr, nil
}

func readPEM(path, typ string) (*pem.Block, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, skillscore.Wrap(skillscore.EUnavailable, err, fmt.Sprintf("无法读取密钥文件 %s: %v", path, err))
	}
	b, _ := pem.Decode(data)
	if b == nil || b.Type != typ {
		return nil, skillscore.Errorf(skillscore.EInvalid, "密钥文件 %s 不是 %s PEM", path, typ)
	}
	return b, nil
}

func readPublicKey(path string) (PublicKey, error) {
	b, err := readPEM(path, "PUBLIC KEY")
	if err != nil {
		return PublicKey{}, err
	}
	k, err := x509.ParsePKIXPublicKey(b.Bytes)
	pub, ok := k.(ed25519.PublicKey)
	if err != nil || !ok {
		return PublicKey{}, skillscore.Errorf(skillscore.EInvalid, "密钥文件 %s 不是 Ed25519 公钥", path)
	}
	created, _ := time.Parse(time.RFC3339, b.Headers["Created"])
	return PublicKey{KeyID: KeyID(pub), Alg: "Ed25519", Key: pub, Created: created}, nil
}

func readPrivateKey(path string) (ed25519.PrivateKey, error) {
	b, err := readPEM(path, "PRIVATE KEY")
	if err != nil {
		return nil, err
	}
	k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
	priv, ok := k.(ed25519.PrivateKey)
	if err != nil || !ok {
		return nil, skillscore.Errorf(skillscore.EInvalid, "密钥文件 %s 不是 Ed25519 私钥", path)
	}
	return priv, nil
}
