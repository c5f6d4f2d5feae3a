package certificates

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"math/bits"
	"strings"
	"sync"
)

// A QR code encoder (ISO/IEC 18004) for what certificates need: byte and
// alphanumeric mode segments, error correction level M (15 %), versions 1–25. Why not skip2/go-qrcode:
// it spends about 3 ms of allocations per symbol in its Reed–Solomon and mask
// scoring, which was most of the cost of a page in a printed batch; this one
// takes a small fraction of that. zbarimg decodes every version
// (TestQRDecodesEveryVersion).

// qrBlocks is a version's error correction block structure at level M:
// up to two groups of (blocks, codewords per block, data codewords per block).
type qrBlocks [2][3]int

// qrVersionsM is indexed by version - 1.
var qrVersionsM = [...]qrBlocks{
	{{1, 26, 16}}, {{1, 44, 28}}, {{1, 70, 44}}, {{2, 50, 32}}, {{2, 67, 43}},
	{{4, 43, 27}}, {{4, 49, 31}}, {{2, 60, 38}, {2, 61, 39}}, {{3, 58, 36}, {2, 59, 37}}, {{4, 69, 43}, {1, 70, 44}},
	{{1, 80, 50}, {4, 81, 51}}, {{6, 58, 36}, {2, 59, 37}}, {{8, 59, 37}, {1, 60, 38}}, {{4, 64, 40}, {5, 65, 41}},
	{{5, 65, 41}, {5, 66, 42}}, {{7, 73, 45}, {3, 74, 46}}, {{10, 74, 46}, {1, 75, 47}}, {{9, 69, 43}, {4, 70, 44}},
	{{3, 70, 44}, {11, 71, 45}}, {{3, 67, 41}, {13, 68, 42}}, {{17, 68, 42}}, {{17, 74, 46}}, {{4, 75, 47}, {14, 76, 48}},
	{{6, 73, 45}, {14, 74, 46}}, {{8, 75, 47}, {13, 76, 48}},
}

// qrAlignment holds the alignment pattern centres by version - 1.
var qrAlignment = [...][]int{
	{}, {6, 18}, {6, 22}, {6, 26}, {6, 30}, {6, 34}, {6, 22, 38}, {6, 24, 42}, {6, 26, 46}, {6, 28, 50},
	{6, 30, 54}, {6, 32, 58}, {6, 34, 62}, {6, 26, 46, 66}, {6, 26, 48, 70}, {6, 26, 50, 74}, {6, 30, 54, 78},
	{6, 30, 56, 82}, {6, 30, 58, 86}, {6, 34, 62, 90}, {6, 28, 50, 72, 94}, {6, 26, 50, 74, 98},
	{6, 30, 54, 78, 102}, {6, 28, 54, 80, 106}, {6, 32, 58, 84, 110},
}

func (b qrBlocks) dataCodewords() int { return b[0][0]*b[0][2] + b[1][0]*b[1][2] }

// qrCode is an encoded symbol: size × size modules, row by row, 1 = dark.
type qrCode struct {
	size    int
	modules []byte
	isFunc  []bool
}

func (q *qrCode) dark(x, y int) bool { return q.modules[y*q.size+x] == 1 }

func (q *qrCode) setFunc(x, y int, dark bool) {
	q.modules[y*q.size+x] = b2u(dark)
	q.isFunc[y*q.size+x] = true
}

func b2u(b bool) byte {
	if b {
		return 1
	}
	return 0
}

var errQRTooLong = errors.New("qr: content too long for a version 25 symbol")

// qrEncoder encodes QR codes, keeping per version the tables that make
// choosing a mask cheap. It is safe for concurrent use.
type qrEncoder struct {
	// exp and log are GF(2^8) tables for Reed–Solomon, filled once.
	exp    [512]byte
	log    [256]int
	mu     sync.Mutex
	tables map[int]*qrTables
}

func newQREncoder() *qrEncoder {
	e := &qrEncoder{tables: map[int]*qrTables{}}
	x := byte(1)
	for i := 0; i < 255; i++ {
		e.exp[i], e.exp[i+255] = x, x
		e.log[x] = i
		x = gfMul(x, 2)
	}
	return e
}

// qrTables hold, for one version and each mask, the modules the mask flips
// (data modules only) and how the format bits differ from mask 0's, as
// bit rows and bit columns.
type qrTables struct {
	maskRows, maskCols [8][]bits128
	fmtRows, fmtCols   [8][]bits128
}

func (e *qrEncoder) tablesFor(version int) *qrTables {
	e.mu.Lock()
	defer e.mu.Unlock()
	if t, ok := e.tables[version]; ok {
		return t
	}
	size := 17 + 4*version
	q := &qrCode{size: size, modules: make([]byte, size*size), isFunc: make([]bool, size*size)}
	q.drawFunctionPatterns(version)
	format0 := append([]byte(nil), q.modules...)
	t := &qrTables{}
	for mask := 0; mask < 8; mask++ {
		t.maskRows[mask], t.maskCols[mask] = make([]bits128, size), make([]bits128, size)
		t.fmtRows[mask], t.fmtCols[mask] = make([]bits128, size), make([]bits128, size)
		q.drawFormatBits(mask)
		for y := 0; y < size; y++ {
			for x := 0; x < size; x++ {
				i := y*size + x
				if !q.isFunc[i] && maskBit(mask, x, y) {
					t.maskRows[mask][y].set(x)
					t.maskCols[mask][x].set(y)
				}
				if q.modules[i] != format0[i] {
					t.fmtRows[mask][y].set(x)
					t.fmtCols[mask][x].set(y)
				}
			}
		}
	}
	e.tables[version] = t
	return t
}

// encodeQR encodes data with a one-off encoder.
func encodeQR(data []byte) (*qrCode, error) { return newQREncoder().encode(data) }

// qrSegment is a run of the content in one mode.
type qrSegment struct {
	alnum bool // alphanumeric mode: 0-9 A-Z space $%*+-./: at 5.5 bits each; else byte mode
	data  []byte
}

const qrAlnumChars = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"

// qrSegments splits data into a byte-mode head and the longest
// alphanumeric tail, when that tail is long enough to pay for the second
// segment header: a verification URL ending in an upper-case token.
func qrSegments(data []byte) []qrSegment {
	i := len(data)
	for i > 0 && strings.IndexByte(qrAlnumChars, data[i-1]) >= 0 {
		i--
	}
	switch {
	case i == 0 && len(data) > 0:
		return []qrSegment{{alnum: true, data: data}}
	case len(data)-i >= 12: // 8 bits a character against 5.5 plus a 15–20 bit header
		return []qrSegment{{data: data[:i]}, {alnum: true, data: data[i:]}}
	}
	return []qrSegment{{data: data}}
}

// countBits is the width of a segment's character count in a version.
func (s qrSegment) countBits(version int) int {
	switch {
	case s.alnum && version < 10:
		return 9
	case s.alnum:
		return 11
	case version < 10:
		return 8
	}
	return 16
}

// bits is the length of the segment's stream in a version.
func (s qrSegment) bits(version int) int {
	n := len(s.data)
	if s.alnum {
		return 4 + s.countBits(version) + 11*(n/2) + 6*(n%2)
	}
	return 4 + s.countBits(version) + 8*n
}

// encode encodes data at level M in the smallest version, a long
// alphanumeric tail in alphanumeric mode (qrSegments).
func (e *qrEncoder) encode(data []byte) (*qrCode, error) {
	segs := qrSegments(data)
	version := 0
	for v := 1; v <= len(qrVersionsM); v++ {
		n := 0
		for _, s := range segs {
			n += s.bits(v)
		}
		if n <= 8*qrVersionsM[v-1].dataCodewords() {
			version = v
			break
		}
	}
	if version == 0 {
		return nil, errQRTooLong
	}
	blocks := qrVersionsM[version-1]
	codewords := e.codewords(segs, version, blocks)
	size := 17 + 4*version
	q := &qrCode{size: size, modules: make([]byte, size*size), isFunc: make([]bool, size*size)}
	q.drawFunctionPatterns(version)
	q.drawCodewords(codewords)
	// Score each mask on bit rows and columns: the unmasked symbol XOR the
	// mask's data modules XOR its format bits.
	t := e.tablesFor(version)
	baseRows, baseCols := make([]bits128, size), make([]bits128, size)
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			if q.modules[y*size+x] == 1 {
				baseRows[y].set(x)
				baseCols[x].set(y)
			}
		}
	}
	rows, cols := make([]bits128, size), make([]bits128, size)
	best, bestPenalty := 0, -1
	for mask := 0; mask < 8; mask++ {
		for i := range rows {
			rows[i] = baseRows[i].xor(t.maskRows[mask][i]).xor(t.fmtRows[mask][i])
			cols[i] = baseCols[i].xor(t.maskCols[mask][i]).xor(t.fmtCols[mask][i])
		}
		if p := qrPenalty(rows, cols, size); bestPenalty < 0 || p < bestPenalty {
			best, bestPenalty = mask, p
		}
	}
	q.applyMask(best)
	q.drawFormatBits(best)
	return q, nil
}

// qrCodewords builds the data bit stream, pads it, adds Reed–Solomon error
// correction per block and interleaves the blocks.
func (e *qrEncoder) codewords(segs []qrSegment, version int, blocks qrBlocks) []byte {
	capacity := blocks.dataCodewords()
	bits := make([]byte, 0, capacity)
	var acc uint32
	var n int
	put := func(v uint32, width int) {
		for i := width - 1; i >= 0; i-- {
			acc = acc<<1 | (v>>i)&1
			n++
			if n == 8 {
				bits = append(bits, byte(acc))
				acc, n = 0, 0
			}
		}
	}
	for _, s := range segs {
		if !s.alnum {
			put(0b0100, 4)
			put(uint32(len(s.data)), s.countBits(version))
			for _, b := range s.data {
				put(uint32(b), 8)
			}
			continue
		}
		put(0b0010, 4)
		put(uint32(len(s.data)), s.countBits(version))
		d := s.data
		for ; len(d) >= 2; d = d[2:] {
			put(uint32(45*strings.IndexByte(qrAlnumChars, d[0])+strings.IndexByte(qrAlnumChars, d[1])), 11)
		}
		if len(d) == 1 {
			put(uint32(strings.IndexByte(qrAlnumChars, d[0])), 6)
		}
	}
	// Terminator (up to four zero bits), then zero bits to a byte boundary.
	for i := 0; i < 4 && len(bits)*8+n < capacity*8; i++ {
		put(0, 1)
	}
	if n > 0 {
		put(0, 8-n)
	}
	for pad := byte(0xEC); len(bits) < capacity; pad ^= 0xEC ^ 0x11 {
		bits = append(bits, pad)
	}

	var dataBlocks, eccBlocks [][]byte
	off := 0
	for _, g := range blocks {
		count, total, dataLen := g[0], g[1], g[2]
		if count == 0 {
			continue
		}
		divisor := rsDivisor(total - dataLen)
		for i := 0; i < count; i++ {
			d := bits[off : off+dataLen]
			off += dataLen
			dataBlocks = append(dataBlocks, d)
			eccBlocks = append(eccBlocks, e.rsRemainder(d, divisor))
		}
	}
	out := make([]byte, 0, capacity+len(eccBlocks)*len(eccBlocks[0]))
	for i := 0; ; i++ {
		added := false
		for _, d := range dataBlocks {
			if i < len(d) {
				out = append(out, d[i])
				added = true
			}
		}
		if !added {
			break
		}
	}
	for i := range eccBlocks[0] {
		for _, e := range eccBlocks {
			out = append(out, e[i])
		}
	}
	return out
}

// gfMul multiplies in GF(2^8) modulo x^8 + x^4 + x^3 + x^2 + 1.
func gfMul(x, y byte) byte {
	var z byte
	for i := 7; i >= 0; i-- {
		z = z<<1 ^ (z>>7)*0x1d
		z ^= (y >> i & 1) * x
	}
	return z
}

// rsDivisor is the Reed–Solomon generator polynomial of a degree, highest
// coefficient (always 1) omitted.
func rsDivisor(degree int) []byte {
	result := make([]byte, degree)
	result[degree-1] = 1
	root := byte(1)
	for i := 0; i < degree; i++ {
		for j := range result {
			result[j] = gfMul(result[j], root)
			if j+1 < len(result) {
				result[j] ^= result[j+1]
			}
		}
		root = gfMul(root, 2)
	}
	return result
}

func (e *qrEncoder) rsRemainder(data, divisor []byte) []byte {
	result := make([]byte, len(divisor))
	logs := make([]int, len(divisor))
	for i, c := range divisor {
		logs[i] = e.log[c] // generator coefficients are never 0
	}
	for _, b := range data {
		factor := b ^ result[0]
		copy(result, result[1:])
		result[len(result)-1] = 0
		if factor == 0 {
			continue
		}
		lf := e.log[factor]
		for i, lc := range logs {
			result[i] ^= e.exp[lc+lf]
		}
	}
	return result
}

func (q *qrCode) drawFunctionPatterns(version int) {
	size := q.size
	for i := 0; i < size; i++ {
		q.setFunc(6, i, i%2 == 0)
		q.setFunc(i, 6, i%2 == 0)
	}
	for _, c := range [][2]int{{3, 3}, {size - 4, 3}, {3, size - 4}} {
		for dy := -4; dy <= 4; dy++ {
			for dx := -4; dx <= 4; dx++ {
				x, y := c[0]+dx, c[1]+dy
				if x < 0 || x >= size || y < 0 || y >= size {
					continue
				}
				d := max(abs(dx), abs(dy))
				q.setFunc(x, y, d != 2 && d != 4)
			}
		}
	}
	pos := qrAlignment[version-1]
	last := len(pos) - 1
	for i, x := range pos {
		for j, y := range pos {
			if (i == 0 && j == 0) || (i == 0 && j == last) || (i == last && j == 0) {
				continue // under a finder pattern
			}
			for dy := -2; dy <= 2; dy++ {
				for dx := -2; dx <= 2; dx++ {
					q.setFunc(x+dx, y+dy, max(abs(dx), abs(dy)) != 1)
				}
			}
		}
	}
	q.drawFormatBits(0) // reserves the format areas; redrawn per mask
	if version >= 7 {
		rem := version
		for i := 0; i < 12; i++ {
			rem = rem<<1 ^ (rem>>11)*0x1f25
		}
		bits := version<<12 | rem
		for i := 0; i < 18; i++ {
			dark := bits>>i&1 == 1
			a, b := size-11+i%3, i/3
			q.setFunc(a, b, dark)
			q.setFunc(b, a, dark)
		}
	}
}

// drawFormatBits writes level M (format bits 00) and the mask, twice.
func (q *qrCode) drawFormatBits(mask int) {
	data := 0<<3 | mask
	rem := data
	for i := 0; i < 10; i++ {
		rem = rem<<1 ^ (rem>>9)*0x537
	}
	bits := (data<<10 | rem) ^ 0x5412
	bit := func(i int) bool { return bits>>i&1 == 1 }
	size := q.size
	for i := 0; i <= 5; i++ {
		q.setFunc(8, i, bit(i))
	}
	q.setFunc(8, 7, bit(6))
	q.setFunc(8, 8, bit(7))
	q.setFunc(7, 8, bit(8))
	for i := 9; i < 15; i++ {
		q.setFunc(14-i, 8, bit(i))
	}
	for i := 0; i < 8; i++ {
		q.setFunc(size-1-i, 8, bit(i))
	}
	for i := 8; i < 15; i++ {
		q.setFunc(8, size-15+i, bit(i))
	}
	q.setFunc(8, size-8, true) // the dark module
}

// drawCodewords places the bit stream in the zigzag of two-module columns,
// right to left, skipping the function patterns.
func (q *qrCode) drawCodewords(data []byte) {
	size, i := q.size, 0
	for right := size - 1; right >= 1; right -= 2 {
		if right == 6 {
			right = 5 // the vertical timing pattern
		}
		upward := (right+1)&2 == 0
		for vert := 0; vert < size; vert++ {
			y := vert
			if upward {
				y = size - 1 - vert
			}
			for j := 0; j < 2; j++ {
				x := right - j
				if q.isFunc[y*size+x] || i >= len(data)*8 {
					continue
				}
				q.modules[y*size+x] = data[i>>3] >> (7 - i&7) & 1
				i++
			}
		}
	}
}

func (q *qrCode) applyMask(mask int) {
	size := q.size
	for y := 0; y < size; y++ {
		row := q.modules[y*size : (y+1)*size]
		fn := q.isFunc[y*size : (y+1)*size]
		for x := range row {
			if !fn[x] && maskBit(mask, x, y) {
				row[x] ^= 1
			}
		}
	}
}

func maskBit(mask, x, y int) bool {
	switch mask {
	case 0:
		return (x+y)%2 == 0
	case 1:
		return y%2 == 0
	case 2:
		return x%3 == 0
	case 3:
		return (x+y)%3 == 0
	case 4:
		return (x/3+y/2)%2 == 0
	case 5:
		return x*y%2+x*y%3 == 0
	case 6:
		return (x*y%2+x*y%3)%2 == 0
	default:
		return ((x+y)%2+x*y%3)%2 == 0
	}
}

// qrPenalty scores a masked symbol by the standard's four rules, on its bit
// rows and columns; the encoder keeps the mask with the lowest score.
func qrPenalty(rows, cols []bits128, n int) int {
	all, pairs := lowBits(n), lowBits(n-1)
	p := linesPenalty(rows, all, pairs) + linesPenalty(cols, all, pairs)
	dark := 0
	for y, a := range rows {
		dark += a.count()
		if y+1 < n {
			// 2×2 blocks of one colour: 3 each.
			b := rows[y+1]
			same := a.xor(b).or(a.xor(a.shr(1))).or(b.xor(b.shr(1))).not().and(pairs)
			p += 3 * same.count()
		}
	}
	total := n * n
	k := (abs(dark*20-total*10) + total - 1) / total
	return p + (k-1)*10
}

// linesPenalty scores rows (or columns): a run of L ≥ 5 modules of one
// colour scores L-2; a 1:1:3:1:1 finder-like pattern with four light
// modules on a side (outside the symbol is light) scores 40 per side.
func linesPenalty(lines []bits128, all, pairs bits128) int {
	p := 0
	for _, r := range lines {
		s1 := r.shr(1)
		eq := r.xor(s1).not().and(pairs)                        // x equals x+1
		five := eq.and(eq.shr(1)).and(eq.shr(2)).and(eq.shr(3)) // x…x+4 equal
		// A run of L holds L-4 such starts; L-2 = (L-4) + 2 per run.
		p += five.count() + 2*five.and(five.shl(1).not()).count()
		core := r.and(s1.not()).and(r.shr(2)).and(r.shr(3)).and(r.shr(4)).and(r.shr(5).not()).and(r.shr(6)).and(all)
		if core == (bits128{}) {
			continue // the usual case: no 1:1:3:1:1 pattern on this line
		}
		left := r.shl(1).or(r.shl(2)).or(r.shl(3)).or(r.shl(4)).not()
		right := r.shr(7).or(r.shr(8)).or(r.shr(9)).or(r.shr(10)).not()
		p += 40 * (core.and(left).count() + core.and(right).count())
	}
	return p
}

// bits128 is a row or column of up to 117 modules, bit x = module x.
type bits128 [2]uint64

func lowBits(n int) bits128 {
	if n >= 64 {
		return bits128{^uint64(0), 1<<(n-64) - 1}
	}
	return bits128{1<<n - 1, 0}
}

func (a *bits128) set(i int)            { a[i>>6] |= 1 << (i & 63) }
func (a bits128) and(b bits128) bits128 { return bits128{a[0] & b[0], a[1] & b[1]} }
func (a bits128) or(b bits128) bits128  { return bits128{a[0] | b[0], a[1] | b[1]} }
func (a bits128) xor(b bits128) bits128 { return bits128{a[0] ^ b[0], a[1] ^ b[1]} }
func (a bits128) not() bits128          { return bits128{^a[0], ^a[1]} }
func (a bits128) count() int            { return bits.OnesCount64(a[0]) + bits.OnesCount64(a[1]) }

// shr moves bit x+k to bit x (0 < k < 64).
func (a bits128) shr(k int) bits128 { return bits128{a[0]>>k | a[1]<<(64-k), a[1] >> k} }

// shl moves bit x-k to bit x (0 < k < 64).
func (a bits128) shl(k int) bits128 { return bits128{a[0] << k, a[1]<<k | a[0]>>(64-k)} }

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// QRImage encodes data as a QR symbol at one pixel per module, without
// quiet zone, for the other printed sheets (judge cards).
func QRImage(data []byte) (image.Image, error) {
	q, err := encodeQR(data)
	if err != nil {
		return nil, err
	}
	return q.image(), nil
}

// image returns the symbol at one pixel per module, without quiet zone: a
// two-colour palette, so the PNG stores one bit per module.
func (q *qrCode) image() *image.Paletted { return q.imageScaled(1) }

// writePNG writes the symbol as a bilevel PNG (1 bit a pixel, palette
// white and black) at scale × scale pixels per module. It packs each
// module row once and repeats it, rather than asking image/png to read
// every pixel through an interface: at 8 pixels a module that was several
// times the cost of encoding the symbol.
func (q *qrCode) writePNG(w *bytes.Buffer, scale int, pool *pngPool) error {
	side := q.size * scale
	chunk := func(kind string, data []byte) {
		var n [4]byte
		binary.BigEndian.PutUint32(n[:], uint32(len(data)))
		w.Write(n[:])
		start := w.Len()
		w.WriteString(kind)
		w.Write(data)
		binary.BigEndian.PutUint32(n[:], crc32.ChecksumIEEE(w.Bytes()[start:]))
		w.Write(n[:])
	}
	w.WriteString("\x89PNG\r\n\x1a\n")
	var ihdr [13]byte
	binary.BigEndian.PutUint32(ihdr[0:], uint32(side))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(side))
	ihdr[8], ihdr[9] = 1, 3 // bit depth 1, palette colour
	chunk("IHDR", ihdr[:])
	chunk("PLTE", []byte{255, 255, 255, 0, 0, 0})
	var idat bytes.Buffer
	z := pool.writer(&idat)
	row := make([]byte, 1+(side+7)/8) // filter byte 0 (none), then the bits
	for y := 0; y < q.size; y++ {
		clear(row)
		for x := 0; x < side; x++ {
			if q.modules[y*q.size+x/scale] == 1 {
				row[1+x/8] |= 0x80 >> (x % 8)
			}
		}
		for range scale {
			if _, err := z.Write(row); err != nil {
				return err
			}
		}
	}
	if err := z.Close(); err != nil {
		return err
	}
	pool.p.Put(z)
	chunk("IDAT", idat.Bytes())
	chunk("IEND", nil)
	return nil
}

// imageScaled returns the symbol at scale × scale pixels per module.
func (q *qrCode) imageScaled(scale int) *image.Paletted {
	side := q.size * scale
	img := image.NewPaletted(image.Rect(0, 0, side, side), color.Palette{color.White, color.Black})
	for y := 0; y < side; y++ {
		row := img.Pix[y*side : (y+1)*side]
		src := q.modules[(y/scale)*q.size : (y/scale+1)*q.size]
		for x := range row {
			row[x] = src[x/scale]
		}
	}
	return img
}
