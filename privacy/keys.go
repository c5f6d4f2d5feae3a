// Package privacy keeps personal data unreadable at rest: 证件号码 and phone
// numbers are sealed with AES-256-GCM under a key named in each value, so
// keys can rotate, and equality lookups use a keyed HMAC index instead of
// the plaintext. The keys live in a key file or the environment, never in
// the database: a copied database file or backup holds ciphertext only.
package privacy

import (
	"bufio"
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"skillscore"
)

// Field names the kind of value sealed; it is bound into the ciphertext
// (GCM's additional data) and the index, so a value copied from one column
// into another neither opens nor matches.
type Field string

const (
	IDNumber Field = "id_number"
	Phone    Field = "phone"
)

// Environment variables a key can come from (the CLI's --key-file wins).
const (
	EnvKeyFile = "SKILLSCORE_KEY_FILE" // path of a key file
	EnvKeys    = "SKILLSCORE_KEYS"     // the keys themselves: "k1:BASE64 k2:BASE64", the last one current
)

// KeySize is the size of each key's secret: 32 bytes, AES-256.
const KeySize = 32

// separator ends the key id at the front of a sealed value ("k2$…"). It is
// outside the key ids' and base64url's alphabets.
const separator = "$"

var keyIDPattern = regexp.MustCompile(`^[a-z][a-z0-9-]{0,15}$`)

// key is one named secret and the sub-keys derived from it.
type key struct {
	id    string
	aead  cipher.AEAD
	index []byte // HMAC key of the lookup index
}

func newKey(id string, secret []byte) (key, error) {
	if !keyIDPattern.MatchString(id) {
		return key{}, fmt.Errorf("key id %q: want a lower-case letter then up to 15 of a-z 0-9 -", id)
	}
	if len(secret) != KeySize {
		return key{}, fmt.Errorf("key %s: %d bytes, want %d", id, len(secret), KeySize)
	}
	// Separate sub-keys for sealing and indexing, so neither use of the
	// secret can help attack the other.
	encKey, err := hkdf.Key(sha256.New, secret, nil, "skillscore personal data encryption v1", 32)
	if err != nil {
		return key{}, err
	}
	idxKey, err := hkdf.Key(sha256.New, secret, nil, "skillscore personal data index v1", 32)
	if err != nil {
		return key{}, err
	}
	block, err := aes.NewCipher(encKey)
	if err != nil {
		return key{}, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return key{}, err
	}
	return key{id: id, aead: aead, index: idxKey}, nil
}

// keySet is one reading of the keys; the last is current.
type keySet struct {
	keys []key
	byID map[string]int
}

func (ks *keySet) current() key { return ks.keys[len(ks.keys)-1] }

// Keyring holds the keys. It is safe for concurrent use. A keyring read from
// a file notices when the file changes (a rotation adding a key while the
// server runs) and reads it again, at most every refreshEvery.
type Keyring struct {
	path string // "" when the keys came from the environment or memory

	mu      sync.Mutex
	set     *keySet
	stamp   fileStamp
	checked time.Time
}

type fileStamp struct {
	mod  time.Time
	size int64
}

const refreshEvery = 5 * time.Second

// RefreshPeriod is the longest a running process keeps sealing with a key
// after another key became current in its key file: a rotation waits this
// long before its last pass.
const RefreshPeriod = refreshEvery + time.Second

// errNoKey is what every use of personal data meets when no key was given.
var errNoKey = skillscore.Errorf(skillscore.EUnavailable,
	"没有个人信息加密密钥：请用 --key-file 或环境变量 %s 指定密钥文件（skillscore keys new 可生成）", EnvKeyFile)

// NoKeyError is the error of a keyring that was not given: an exported copy,
// so callers can say the same words.
func NoKeyError() error { return errNoKey }

// LoadFile reads a key file.
func LoadFile(path string) (*Keyring, error) {
	set, stamp, err := readKeyFile(path)
	if err != nil {
		return nil, err
	}
	return &Keyring{path: path, set: set, stamp: stamp, checked: time.Now()}, nil
}

// FromEnv returns the keyring the environment names (SKILLSCORE_KEY_FILE,
// else SKILLSCORE_KEYS), or nil when it names none.
func FromEnv() (*Keyring, error) {
	if path := os.Getenv(EnvKeyFile); path != "" {
		return LoadFile(path)
	}
	if inline := os.Getenv(EnvKeys); inline != "" {
		set, err := parseInline(inline)
		if err != nil {
			return nil, skillscore.Wrap(skillscore.EInvalid, err, "环境变量 "+EnvKeys+" 无效："+err.Error())
		}
		return &Keyring{set: set}, nil
	}
	return nil, nil
}

// Path is the key file the keyring reads, "" for keys from the environment.
func (k *Keyring) Path() string { return k.path }

func parseInline(s string) (*keySet, error) {
	ks := &keySet{byID: map[string]int{}}
	for _, part := range strings.Fields(strings.ReplaceAll(s, ",", " ")) {
		id, b64, ok := strings.Cut(part, ":")
		if !ok {
			return nil, fmt.Errorf("want id:base64, got %q", redact(part))
		}
		if err := ks.add(id, b64); err != nil {
			return nil, err
		}
	}
	if len(ks.keys) == 0 {
		return nil, errors.New("no key")
	}
	return ks, nil
}

// redact keeps a key's secret out of an error message.
func redact(s string) string {
	if id, _, ok := strings.Cut(s, ":"); ok {
		return id + ":…"
	}
	if len(s) > 4 {
		return s[:4] + "…"
	}
	return s
}

func (ks *keySet) add(id, b64 string) error {
	secret, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return fmt.Errorf("key %s: not base64", id)
	}
	if _, dup := ks.byID[id]; dup {
		return fmt.Errorf("key %s twice", id)
	}
	k, err := newKey(id, secret)
	if err != nil {
		return err
	}
	ks.byID[id] = len(ks.keys)
	ks.keys = append(ks.keys, k)
	return nil
}

// A key file has one key per line, "ID BASE64", oldest first; the last line
// seals new values. Blank lines and lines starting with # are comments.
func readKeyFile(path string) (*keySet, fileStamp, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fileStamp{}, skillscore.Wrap(skillscore.EUnavailable, err, fmt.Sprintf("无法读取密钥文件 %s", path))
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fileStamp{}, skillscore.Wrap(skillscore.EUnavailable, err, fmt.Sprintf("无法读取密钥文件 %s", path))
	}
	if fi.Size() > 64<<10 {
		return nil, fileStamp{}, skillscore.Errorf(skillscore.EInvalid, "密钥文件 %s 过大，不是 skillscore 密钥文件", path)
	}
	data := make([]byte, fi.Size())
	if _, err := f.ReadAt(data, 0); err != nil && fi.Size() > 0 {
		return nil, fileStamp{}, skillscore.Wrap(skillscore.EUnavailable, err, fmt.Sprintf("无法读取密钥文件 %s", path))
	}
	ks, err := parseKeyFile(data)
	if err != nil {
		return nil, fileStamp{}, skillscore.Wrap(skillscore.EInvalid, err, fmt.Sprintf("密钥文件 %s 无效：%v", path, err))
	}
	return ks, fileStamp{mod: fi.ModTime(), size: fi.Size()}, nil
}

func parseKeyFile(data []byte) (*keySet, error) {
	ks := &keySet{byID: map[string]int{}}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 2 {
			return nil, fmt.Errorf("line %d: want \"ID BASE64\"", n)
		}
		if err := ks.add(f[0], f[1]); err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
	}
	if len(ks.keys) == 0 {
		return nil, errors.New("no key in it")
	}
	return ks, nil
}

// keys returns the current key set, first reading the file again if it
// changed since the last look (at most every refreshEvery, or at once when
// force is set: a value under a key this process has not seen yet).
func (k *Keyring) keys(force bool) *keySet {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.path == "" {
		return k.set
	}
	now := time.Now()
	if !force && now.Sub(k.checked) < refreshEvery {
		return k.set
	}
	k.checked = now
	fi, err := os.Stat(k.path)
	if err != nil || (fi.ModTime().Equal(k.stamp.mod) && fi.Size() == k.stamp.size) {
		return k.set
	}
	// A file being rewritten may be read half-way; a bad read keeps the
	// keys we have, which still open everything they sealed.
	if set, stamp, err := readKeyFile(k.path); err == nil && containsAll(set, k.set) {
		k.set, k.stamp = set, stamp
	}
	return k.set
}

// containsAll refuses a re-read that dropped a key still in use here.
func containsAll(next, prev *keySet) bool {
	for _, key := range prev.keys {
		if _, ok := next.byID[key.id]; !ok {
			return false
		}
	}
	return true
}

// Current is the id of the key that seals new values.
func (k *Keyring) Current() string {
	if k == nil {
		return ""
	}
	return k.keys(false).current().id
}

// IDs lists the key ids, oldest first.
func (k *Keyring) IDs() []string {
	if k == nil {
		return nil
	}
	set := k.keys(false)
	out := make([]string, len(set.keys))
	for i, key := range set.keys {
		out[i] = key.id
	}
	return out
}

// Seal encrypts a value under the current key: "ID$" + base64url(nonce ‖
// ciphertext ‖ tag). The empty string stays empty (no value to protect, and
// "no phone" must stay cheap to tell).
func (k *Keyring) Seal(f Field, plain string) (string, error) {
	if plain == "" {
		return "", nil
	}
	if k == nil {
		return "", errNoKey
	}
	cur := k.keys(false).current()
	nonce := make([]byte, cur.aead.NonceSize(), cur.aead.NonceSize()+len(plain)+cur.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("seal: %w", err)
	}
	sealed := cur.aead.Seal(nonce, nonce, []byte(plain), []byte(f))
	return cur.id + separator + base64.RawURLEncoding.EncodeToString(sealed), nil
}

// Open decrypts a sealed value. A value whose key is not in the keyring, or
// that was altered, is an error naming the key, never garbage.
func (k *Keyring) Open(f Field, sealed string) (string, error) {
	if sealed == "" {
		return "", nil
	}
	if k == nil {
		return "", errNoKey
	}
	id, body, ok := strings.Cut(sealed, separator)
	if !ok {
		return "", skillscore.Errorf(skillscore.EInternal, "个人信息字段不是密文（%s）", f)
	}
	set := k.keys(false)
	i, ok := set.byID[id]
	if !ok {
		set = k.keys(true)
		if i, ok = set.byID[id]; !ok {
			return "", skillscore.Errorf(skillscore.EUnavailable, "个人信息用密钥 %s 加密，但密钥文件中没有该密钥", id)
		}
	}
	raw, err := base64.RawURLEncoding.DecodeString(body)
	key := set.keys[i]
	if err != nil || len(raw) < key.aead.NonceSize()+key.aead.Overhead() {
		return "", skillscore.Errorf(skillscore.EInternal, "个人信息密文已损坏（%s，密钥 %s）", f, id)
	}
	n := key.aead.NonceSize()
	plain, err := key.aead.Open(nil, raw[:n], raw[n:], []byte(f))
	if err != nil {
		return "", skillscore.Errorf(skillscore.EUnavailable, "个人信息无法用密钥 %s 解密：密钥文件中的 %s 不是加密时用的密钥，或密文已被改动", id, id)
	}
	return string(plain), nil
}

// KeyOf returns the id of the key a sealed value is under, "" for none.
func KeyOf(sealed string) string {
	id, _, ok := strings.Cut(sealed, separator)
	if !ok {
		return ""
	}
	return id
}

// IndexSize is the length of an index value: 32 hex digits, 128 bits of
// HMAC-SHA256, ample against collisions among any event's people.
const IndexSize = 32

// Index is the lookup index of a value under the current key: equal values
// have equal indexes, and without the key an index tells nothing (unlike a
// plain hash, which anyone could compute for every possible 证件号码).
func (k *Keyring) Index(f Field, plain string) (string, error) {
	if k == nil {
		return "", errNoKey
	}
	return index(k.keys(false).current(), f, plain), nil
}

// Indexes are the value's index under every key, current first: a lookup
// must match rows not yet re-indexed by a rotation under way.
func (k *Keyring) Indexes(f Field, plain string) ([]string, error) {
	if k == nil {
		return nil, errNoKey
	}
	set := k.keys(false)
	out := make([]string, 0, len(set.keys))
	for i := len(set.keys) - 1; i >= 0; i-- {
		out = append(out, index(set.keys[i], f, plain))
	}
	return out, nil
}

func index(k key, f Field, plain string) string {
	m := hmac.New(sha256.New, k.index)
	m.Write([]byte(f))
	m.Write([]byte{0})
	m.Write([]byte(plain))
	return hex.EncodeToString(m.Sum(nil)[:IndexSize/2])
}

// NewKeyLine returns a fresh key as a key file line.
func NewKeyLine(id string) (string, error) {
	if !keyIDPattern.MatchString(id) {
		return "", fmt.Errorf("key id %q: want a lower-case letter then up to 15 of a-z 0-9 -", id)
	}
	secret := make([]byte, KeySize)
	if _, err := rand.Read(secret); err != nil {
		return "", err
	}
	return id + " " + base64.StdEncoding.EncodeToString(secret), nil
}

const fileHeader = `# skillscore 个人信息加密密钥（证件号码、手机号码）。
# 请妥善保管、单独备份：丢失后数据库中的证件号码和手机号码无法解密；泄露后请立即 skillscore keys rotate。
# 每行一把密钥：编号 base64；最后一行加密新数据，之前的行用于读取旧数据。
`

// CreateFile writes a new key file with one key, refusing to overwrite one
// that exists: losing a key loses every value it sealed.
func CreateFile(path string) error {
	line, err := NewKeyLine("k1")
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return skillscore.Errorf(skillscore.EConflict, "密钥文件 %s 已存在，不会覆盖", path)
		}
		return skillscore.Wrap(skillscore.EUnavailable, err, fmt.Sprintf("无法创建密钥文件 %s", path))
	}
	if _, err := fmt.Fprintf(f, "%s%s\n", fileHeader, line); err != nil {
		f.Close()
		return skillscore.Wrap(skillscore.EUnavailable, err, fmt.Sprintf("无法写入密钥文件 %s", path))
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return skillscore.Wrap(skillscore.EUnavailable, err, fmt.Sprintf("无法写入密钥文件 %s", path))
	}
	return f.Close()
}

// AddKey appends a new current key to the keyring's file and returns its id
// (k1, k2, … after the highest kN present). The file is replaced atomically
// (write, sync, rename), so a crash leaves the old or the new file, never a
// half.
func (k *Keyring) AddKey() (string, error) {
	if k.path == "" {
		return "", skillscore.Errorf(skillscore.EInvalid,
			"密钥来自环境变量 %s：请在那里加入新密钥（编号:base64，放在最后），或改用 --key-file", EnvKeys)
	}
	data, err := os.ReadFile(k.path)
	if err != nil {
		return "", skillscore.Wrap(skillscore.EUnavailable, err, fmt.Sprintf("无法读取密钥文件 %s", k.path))
	}
	set, err := parseKeyFile(data)
	if err != nil {
		return "", skillscore.Wrap(skillscore.EInvalid, err, fmt.Sprintf("密钥文件 %s 无效：%v", k.path, err))
	}
	next := 1
	for _, key := range set.keys {
		if n, err := strconv.Atoi(strings.TrimPrefix(key.id, "k")); err == nil && strings.HasPrefix(key.id, "k") && n >= next {
			next = n + 1
		}
	}
	id := "k" + strconv.Itoa(next)
	line, err := NewKeyLine(id)
	if err != nil {
		return "", err
	}
	if len(data) > 0 && data[len(data)-1] != '\n' {
		data = append(data, '\n')
	}
	data = append(data, line+"\n"...)
	if err := writeFileAtomic(k.path, data); err != nil {
		return "", skillscore.Wrap(skillscore.EUnavailable, err, fmt.Sprintf("无法写入密钥文件 %s", k.path))
	}
	k.keys(true)
	if k.Current() != id {
		return "", skillscore.Errorf(skillscore.EInternal, "密钥文件 %s 写入后读不到新密钥 %s", k.path, id)
	}
	return id, nil
}

func writeFileAtomic(path string, data []byte) error {
	tmp := path + ".new"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// NewMemory returns a keyring holding one fresh key that exists only in
// this process: for tests, benchmarks and load tools whose databases are
// thrown away with it.
func NewMemory() (*Keyring, error) {
	secret := make([]byte, KeySize)
	if _, err := rand.Read(secret); err != nil {
		return nil, err
	}
	ks := &keySet{byID: map[string]int{}}
	if err := ks.add("k1", base64.StdEncoding.EncodeToString(secret)); err != nil {
		return nil, err
	}
	return &Keyring{set: ks}, nil
}
