// Package draw is the 加密 draw: it deals anonymous codes (加密号) and
// station numbers (赛位号) to contestants from a recorded seed, so anyone
// holding the seed and the roster can re-run the draw and get the same
// result.
//
// The algorithm, fixed so a third party can re-implement it:
//
//  1. The contestants are sorted by (证件类型, 证件号码), byte order of the
//     UTF-8 strings.
//  2. A byte stream is made from the seed for a purpose label P ("station"
//     or "code-1" / "code-2"): block i is SHA-256(seed ‖ P ‖ 0x00 ‖ i as an
//     8-byte big-endian integer), blocks concatenated.
//  3. A number uniform in [0, k) takes the next 8 bytes of the stream as a
//     big-endian uint64 v, rejecting v ≥ 2^64 − (2^64 mod k) and taking the
//     next 8 bytes again (no modulo bias); the answer is v mod k.
//  4. Fisher–Yates: the identity permutation p[0..n) and, for i from n−1 down
//     to 1, j uniform in [0, i+1), swap p[i] and p[j].
//  5. The contestant at sorted position s gets number p[s]+1: the station
//     from the "station" stream, the code from the "code-L" stream of layer L,
//     written as prefix followed by the number zero-padded to at least three
//     digits (A001) — stations are the plain number zero-padded to two digits.
//
// A second draw (layer 2, 二次加密) re-deals only the codes with its own
// seed; stations stay as layer 1 dealt them.
package draw

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"sort"

	"skillscore"
)

// SeedBytes is the length of a generated seed.
const SeedBytes = 32

// NewSeed returns a fresh random seed, hex-encoded.
func NewSeed() (string, error) {
	b := make([]byte, SeedBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random seed: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// ParseSeed checks a hex seed given by a person (at least 16 bytes, so a
// guessed seed cannot be searched for) and returns its bytes.
func ParseSeed(s string) ([]byte, error) {
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil, skillscore.Errorf(skillscore.EInvalid, "随机种子必须是十六进制字符串（0-9、a-f）")
	}
	if len(b) < 16 || len(b) > 64 {
		return nil, skillscore.Errorf(skillscore.EInvalid, "随机种子长度须为 16 到 64 字节（32 到 128 个十六进制字符），现为 %d 字节", len(b))
	}
	return b, nil
}

// Person is one contestant as the draw sees them.
type Person struct {
	ID       int64
	IDType   string
	IDNumber string
}

// Deal is what one contestant drew.
type Deal struct {
	ID      int64
	Code    string
	Station string
}

// Prefix returns the letter codes of a layer start with: A for the first
// draw, B for the second, so a code never means two people across layers.
func Prefix(layer int) string {
	if layer == 2 {
		return "B"
	}
	return "A"
}

// Run deals codes (and, for layer 1, stations) to people from a hex seed.
// The result is in the people's sorted order (step 1 above); Station is
// empty for layer 2.
func Run(seedHex string, layer int, people []Person) ([]Deal, error) {
	if layer != 1 && layer != 2 {
		return nil, skillscore.Errorf(skillscore.EInvalid, "抽签层次只能是 1（第一次加密）或 2（二次加密）")
	}
	seed, err := ParseSeed(seedHex)
	if err != nil {
		return nil, err
	}
	sorted := append([]Person(nil), people...)
	sort.Slice(sorted, func(i, j int) bool {
		if sorted[i].IDType != sorted[j].IDType {
			return sorted[i].IDType < sorted[j].IDType
		}
		return sorted[i].IDNumber < sorted[j].IDNumber
	})
	n := len(sorted)
	codes := Permutation(seed, fmt.Sprintf("code-%d", layer), n)
	var stations []int
	if layer == 1 {
		stations = Permutation(seed, "station", n)
	}
	width := max(3, len(fmt.Sprint(n)))
	swidth := max(2, len(fmt.Sprint(n)))
	out := make([]Deal, n)
	for i, p := range sorted {
		out[i] = Deal{ID: p.ID, Code: fmt.Sprintf("%s%0*d", Prefix(layer), width, codes[i]+1)}
		if stations != nil {
			out[i].Station = fmt.Sprintf("%0*d", swidth, stations[i]+1)
		}
	}
	return out, nil
}

// Permutation is steps 2–4 above: a permutation of [0, n) from the seed's
// stream for one purpose.
func Permutation(seed []byte, purpose string, n int) []int {
	s := &stream{seed: seed, purpose: purpose}
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	for i := n - 1; i > 0; i-- {
		j := s.uniform(uint64(i + 1))
		p[i], p[j] = p[j], p[i]
	}
	return p
}

// stream is the SHA-256 counter-mode byte stream of step 2.
type stream struct {
	seed    []byte
	purpose string
	block   uint64
	buf     []byte
}

func (s *stream) next8() uint64 {
	if len(s.buf) < 8 {
		h := sha256.New()
		h.Write(s.seed)
		h.Write([]byte(s.purpose))
		h.Write([]byte{0})
		var ctr [8]byte
		binary.BigEndian.PutUint64(ctr[:], s.block)
		h.Write(ctr[:])
		s.block++
		s.buf = h.Sum(nil) // 32 bytes: four draws per block
	}
	v := binary.BigEndian.Uint64(s.buf[:8])
	s.buf = s.buf[8:]
	return v
}

func (s *stream) uniform(k uint64) int {
	// Accept v < 2^64 − (2^64 mod k), i.e. v ≤ MaxUint64 − (2^64 mod k),
	// written so nothing overflows uint64.
	last := uint64(math.MaxUint64) - (math.MaxUint64%k+1)%k
	for {
		if v := s.next8(); v <= last {
			return int(v % k)
		}
	}
}
