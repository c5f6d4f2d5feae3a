package certificates

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Single PDFs by splitting: gofpdf's cost per document (it re-derives and
// re-encodes both fonts' tables for every document, whatever their size)
// is most of the cost of a one-page certificate, while a page inside one
// document costs a fraction of a millisecond. So a batch is drawn once as a
// single gofpdf document, and each page is then copied out into a PDF of
// its own together with the objects it uses, its fonts cut down to the
// glyphs of that page. The page's drawing is gofpdf's, byte for byte.

// pdfDoc is a gofpdf document read back as objects.
type pdfDoc struct {
	objs  map[int][]byte // object number → "<<…>>" or "<<…>>\nstream\n…\nendstream"
	pages []int          // page object numbers, in order
	info  int
	// fontFiles maps a FontFile2 object to its font program and the
	// rune → glyph id map of its font (from the CIDToGIDMap).
	fontFiles map[int]*splitFont
}

type splitFont struct {
	ttf   *ttfFont
	gidOf map[rune]uint16
}

var (
	objRE      = regexp.MustCompile(`(?m)^(\d+) 0 obj\n`)
	refRE      = regexp.MustCompile(`(\d+) 0 R`)
	doRE       = regexp.MustCompile(`/(I[0-9a-f]+) Do`)
	lengthRE   = regexp.MustCompile(`/Length (\d+)`)
	fontFileRE = regexp.MustCompile(`/FontFile2 (\d+) 0 R`)
	cidMapRE   = regexp.MustCompile(`/CIDToGIDMap (\d+) 0 R`)
	descRE     = regexp.MustCompile(`/FontDescriptor (\d+) 0 R`)
	infoRE     = regexp.MustCompile(`/Info (\d+) 0 R`)
)

// readPDF parses the objects of a document gofpdf wrote (uncompressed page
// content, no object streams).
func readPDF(pdf []byte) (*pdfDoc, error) {
	d := &pdfDoc{objs: map[int][]byte{}, fontFiles: map[int]*splitFont{}}
	locs := objRE.FindAllSubmatchIndex(pdf, -1)
	for _, m := range locs {
		num, _ := strconv.Atoi(string(pdf[m[2]:m[3]]))
		body := pdf[m[1]:]
		end := bytes.Index(body, []byte("\nendobj"))
		if s := bytes.Index(body, []byte(">>\nstream\n")); s >= 0 && (end < 0 || s < end) {
			// A stream: its length says where it ends, whatever its bytes.
			lm := lengthRE.FindSubmatch(body[:s])
			if lm == nil {
				return nil, fmt.Errorf("split: object %d: stream without /Length", num)
			}
			n, _ := strconv.Atoi(string(lm[1]))
			endData := s + len(">>\nstream\n") + n
			if endData > len(body) {
				return nil, fmt.Errorf("split: object %d: stream runs past the end", num)
			}
			end = endData + bytes.Index(body[endData:], []byte("\nendobj"))
		}
		if end < 0 {
			return nil, fmt.Errorf("split: object %d has no end", num)
		}
		d.objs[num] = body[:end]
	}
	// The page tree lists the pages in order; the trailer names the info.
	for _, o := range d.objs {
		k := bytes.Index(o, []byte("/Kids ["))
		if bytes.HasPrefix(o, []byte("<</Type /Pages")) && k >= 0 {
			kids := o[k:]
			for _, m := range refRE.FindAllSubmatch(kids[:bytes.IndexByte(kids, ']')+1], -1) {
				n, _ := strconv.Atoi(string(m[1]))
				d.pages = append(d.pages, n)
			}
		}
	}
	if t := bytes.LastIndex(pdf, []byte("trailer")); t >= 0 {
		if m := infoRE.FindSubmatch(pdf[t:]); m != nil {
			d.info, _ = strconv.Atoi(string(m[1]))
		}
	}
	for _, o := range d.objs {
		if !bytes.Contains(o, []byte("/Subtype /CIDFontType2")) {
			continue
		}
		dm, cm := descRE.FindSubmatch(o), cidMapRE.FindSubmatch(o)
		if dm == nil || cm == nil {
			return nil, errors.New("split: CID font without descriptor or CIDToGIDMap")
		}
		descNum, _ := strconv.Atoi(string(dm[1]))
		fm := fontFileRE.FindSubmatch(d.objs[descNum])
		if fm == nil {
			return nil, errors.New("split: font descriptor without FontFile2")
		}
		fileNum, _ := strconv.Atoi(string(fm[1]))
		cidNum, _ := strconv.Atoi(string(cm[1]))
		program, err := d.streamData(fileNum)
		if err != nil {
			return nil, err
		}
		ttf, err := parseTTF(program)
		if err != nil {
			return nil, err
		}
		cidMap, err := d.streamData(cidNum)
		if err != nil {
			return nil, err
		}
		gidOf := map[rune]uint16{}
		for cid := 0; cid+1 < len(cidMap); cid += 2 {
			if g := binary.BigEndian.Uint16(cidMap[cid:]); g != 0 {
				gidOf[rune(cid/2)] = g
			}
		}
		d.fontFiles[fileNum] = &splitFont{ttf: ttf, gidOf: gidOf}
	}
	if len(d.pages) == 0 {
		return nil, errors.New("split: no pages")
	}
	return d, nil
}

// streamData returns a stream's decoded bytes (FlateDecode or none).
func (d *pdfDoc) streamData(num int) ([]byte, error) {
	o, ok := d.objs[num]
	if !ok {
		return nil, fmt.Errorf("split: no object %d", num)
	}
	s := bytes.Index(o, []byte(">>\nstream\n"))
	if s < 0 {
		return nil, fmt.Errorf("split: object %d is not a stream", num)
	}
	data := o[s+len(">>\nstream\n"):]
	data = data[:len(data)-len("\nendstream")]
	if !bytes.Contains(o[:s], []byte("/FlateDecode")) {
		return data, nil
	}
	zr, err := zlib.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("split: object %d: %w", num, err)
	}
	return io.ReadAll(zr)
}

// splitter writes single-page PDFs out of a document; safe for concurrent
// use (compressors are pooled).
type splitter struct {
	doc *pdfDoc
	zw  sync.Pool
}

// page writes page i (0-based) as a PDF of its own; runes are the
// characters drawn on it, whose glyphs its fonts keep.
func (sp *splitter) page(i int, runes map[rune]bool) ([]byte, error) {
	d := sp.doc
	w := &pdfWriter{src: d, newNum: map[int]int{}}
	pageNum := d.pages[i]
	page := d.objs[pageNum]
	ci, ri, mi := bytes.Index(page, []byte("/Contents")), bytes.Index(page, []byte("/Resources")),
		bytes.Index(page, []byte("/MediaBox"))
	if ci < 0 || ri < 0 || mi < 0 {
		return nil, fmt.Errorf("split: page %d lacks contents, resources or media box", i+1)
	}
	contents, resources := refRE.FindSubmatch(page[ci:]), refRE.FindSubmatch(page[ri:])
	if contents == nil || resources == nil {
		return nil, fmt.Errorf("split: page %d without contents or resources", i+1)
	}
	contentNum, _ := strconv.Atoi(string(contents[1]))
	resNum, _ := strconv.Atoi(string(resources[1]))
	used := map[string]bool{}
	for _, m := range doRE.FindAllSubmatch(d.objs[contentNum], -1) {
		used[string(m[1])] = true
	}
	// The resources: the fonts, and of the images only this page's.
	var res bytes.Buffer
	for _, line := range strings.Split(string(d.objs[resNum]), "\n") {
		if strings.HasPrefix(line, "/I") {
			if name, _, _ := strings.Cut(line[1:], " "); !used[name] {
				continue
			}
		}
		res.WriteString(line)
		res.WriteByte('\n')
	}
	w.fontRunes = runes
	w.zw = &sp.zw
	catalog := w.reserve()
	pages := w.reserve()
	pageOut := w.reserve()
	resOut, err := w.copyDict(res.Bytes())
	if err != nil {
		return nil, err
	}
	contentOut, err := w.copy(contentNum)
	if err != nil {
		return nil, err
	}
	media := page[mi:]
	media = media[:bytes.IndexByte(media, ']')+1]
	w.set(pageOut, fmt.Sprintf("<</Type /Page\n/Parent %d 0 R\n%s\n/Resources %d 0 R\n/Contents %d 0 R>>",
		pages, media, resOut, contentOut))
	w.set(pages, fmt.Sprintf("<</Type /Pages\n/Kids [%d 0 R]\n/Count 1>>", pageOut))
	w.set(catalog, fmt.Sprintf("<</Type /Catalog\n/Pages %d 0 R>>", pages))
	info := 0
	if d.info != 0 {
		if info, err = w.copy(d.info); err != nil {
			return nil, err
		}
	}
	return w.bytes(catalog, info), nil
}

// pdfWriter collects renumbered objects for one output document.
type pdfWriter struct {
	src       *pdfDoc
	newNum    map[int]int
	out       [][]byte
	fontRunes map[rune]bool
	zw        *sync.Pool
}

func (w *pdfWriter) reserve() int {
	w.out = append(w.out, nil)
	return len(w.out)
}

func (w *pdfWriter) set(num int, body string) { w.out[num-1] = []byte(body) }

// copy copies source object num and everything it refers to, once.
func (w *pdfWriter) copy(num int) (int, error) {
	if n, ok := w.newNum[num]; ok {
		return n, nil
	}
	o, ok := w.src.objs[num]
	if !ok {
		return 0, fmt.Errorf("split: reference to missing object %d", num)
	}
	n := w.reserve()
	w.newNum[num] = n
	if f, ok := w.src.fontFiles[num]; ok {
		body, err := w.fontFile(f)
		if err != nil {
			return 0, err
		}
		w.out[n-1] = body
		return n, nil
	}
	dict, stream := o, []byte(nil)
	if s := bytes.Index(o, []byte(">>\nstream\n")); s >= 0 {
		dict, stream = o[:s+2], o[s+2:]
	}
	nd, err := w.renumber(dict)
	if err != nil {
		return 0, err
	}
	w.out[n-1] = append(nd, stream...)
	return n, nil
}

// copyDict adds a new object from a dictionary, copying what it refers to.
func (w *pdfWriter) copyDict(dict []byte) (int, error) {
	nd, err := w.renumber(dict)
	if err != nil {
		return 0, err
	}
	n := w.reserve()
	w.out[n-1] = nd
	return n, nil
}

// renumber rewrites the references ("12 0 R") of a dictionary, never of
// stream data, where "1 0 0 RG" is a colour, not a reference. It scans by
// hand: font dictionaries hold long width arrays a regexp crawls through.
func (w *pdfWriter) renumber(dict []byte) ([]byte, error) {
	out := make([]byte, 0, len(dict)+16)
	rest := dict
	for {
		i := bytes.Index(rest, []byte(" 0 R"))
		if i < 0 {
			break
		}
		j := i
		for j > 0 && rest[j-1] >= '0' && rest[j-1] <= '9' {
			j--
		}
		end := i + len(" 0 R")
		if j == i || (end < len(rest) && isRegular(rest[end])) || (j > 0 && isRegular(rest[j-1])) {
			out = append(out, rest[:end]...) // not a reference
			rest = rest[end:]
			continue
		}
		num, _ := strconv.Atoi(string(rest[j:i]))
		n, err := w.copy(num)
		if err != nil {
			return nil, err
		}
		out = append(out, rest[:j]...)
		out = strconv.AppendInt(out, int64(n), 10)
		out = append(out, " 0 R"...)
		rest = rest[end:]
	}
	return append(out, rest...), nil
}

// isRegular reports a PDF regular character: one that would make a number
// or an R part of a longer token.
func isRegular(c byte) bool {
	return c > ' ' && !strings.ContainsRune("()<>[]{}/%", rune(c))
}

// fontFile writes a FontFile2 stream holding only the glyphs of the page.
func (w *pdfWriter) fontFile(f *splitFont) ([]byte, error) {
	keep := map[uint16]bool{0: true}
	for r := range w.fontRunes {
		if g, ok := f.gidOf[r]; ok {
			keep[g] = true
		}
	}
	program, err := f.ttf.subset(keep)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	zw, _ := w.zw.Get().(*zlib.Writer)
	if zw == nil {
		// Huffman coding only: a third less CPU than BestSpeed on glyph
		// outlines for files an eighth larger, and the fonts are most of
		// the work of a split page.
		zw, _ = zlib.NewWriterLevel(&buf, zlib.HuffmanOnly)
	} else {
		zw.Reset(&buf)
	}
	zw.Write(program)
	if err := zw.Close(); err != nil {
		return nil, err
	}
	w.zw.Put(zw)
	head := fmt.Sprintf("<</Length %d\n/Filter /FlateDecode\n/Length1 %d\n>>\nstream\n", buf.Len(), len(program))
	return append(append([]byte(head), buf.Bytes()...), "\nendstream"...), nil
}

// bytes serialises the document with its cross-reference table.
func (w *pdfWriter) bytes(root, info int) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.3\n")
	offsets := make([]int, len(w.out))
	for i, o := range w.out {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n", i+1)
		b.Write(o)
		b.WriteString("\nendobj\n")
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(w.out)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<<\n/Size %d\n/Root %d 0 R\n", len(w.out)+1, root)
	if info != 0 {
		fmt.Fprintf(&b, "/Info %d 0 R\n", info)
	}
	fmt.Fprintf(&b, ">>\nstartxref\n%d\n%%%%EOF\n", xref)
	return b.Bytes()
}

// ttfFont is a TrueType font's tables, enough to keep some glyphs.
type ttfFont struct {
	tables    map[string][]byte
	numGlyphs int
	loca      []uint32 // numGlyphs+1 offsets into glyf
}

func parseTTF(b []byte) (*ttfFont, error) {
	bad := errors.New("split: font program is not a TrueType font gofpdf wrote")
	if len(b) < 12 {
		return nil, bad
	}
	n := int(binary.BigEndian.Uint16(b[4:]))
	t := &ttfFont{tables: map[string][]byte{}}
	for i := 0; i < n; i++ {
		e := 12 + 16*i
		if e+16 > len(b) {
			return nil, bad
		}
		off, length := binary.BigEndian.Uint32(b[e+8:]), binary.BigEndian.Uint32(b[e+12:])
		if uint64(off)+uint64(length) > uint64(len(b)) {
			return nil, bad
		}
		t.tables[string(b[e:e+4])] = b[off : off+length]
	}
	head, maxp, loca := t.tables["head"], t.tables["maxp"], t.tables["loca"]
	if len(head) < 54 || len(maxp) < 6 || t.tables["glyf"] == nil {
		return nil, bad
	}
	t.numGlyphs = int(binary.BigEndian.Uint16(maxp[4:]))
	long := binary.BigEndian.Uint16(head[50:]) == 1
	t.loca = make([]uint32, t.numGlyphs+1)
	for i := range t.loca {
		switch {
		case long && 4*i+4 <= len(loca):
			t.loca[i] = binary.BigEndian.Uint32(loca[4*i:])
		case !long && 2*i+2 <= len(loca):
			t.loca[i] = 2 * uint32(binary.BigEndian.Uint16(loca[2*i:]))
		default:
			return nil, bad
		}
	}
	return t, nil
}

// subset returns the font with every glyph outside keep (and the
// components of composite glyphs it keeps) emptied: glyph ids stay, so the
// CIDToGIDMap of the document still applies.
func (t *ttfFont) subset(keep map[uint16]bool) ([]byte, error) {
	glyf := t.tables["glyf"]
	glyph := func(g int) []byte {
		if g >= t.numGlyphs || t.loca[g] > t.loca[g+1] || int(t.loca[g+1]) > len(glyf) {
			return nil
		}
		return glyf[t.loca[g]:t.loca[g+1]]
	}
	// Composite glyphs draw other glyphs: keep those too.
	queue := make([]uint16, 0, len(keep))
	for g := range keep {
		queue = append(queue, g)
	}
	for len(queue) > 0 {
		g := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		data := glyph(int(g))
		if len(data) < 10 || int16(binary.BigEndian.Uint16(data)) >= 0 {
			continue
		}
		for p := 10; p+4 <= len(data); {
			flags, comp := binary.BigEndian.Uint16(data[p:]), binary.BigEndian.Uint16(data[p+2:])
			if !keep[comp] {
				keep[comp] = true
				queue = append(queue, comp)
			}
			p += 4
			if flags&0x1 != 0 {
				p += 4
			} else {
				p += 2
			}
			switch {
			case flags&0x8 != 0:
				p += 2
			case flags&0x40 != 0:
				p += 4
			case flags&0x80 != 0:
				p += 8
			}
			if flags&0x20 == 0 {
				break
			}
		}
	}
	var newGlyf []byte
	newLoca := make([]byte, 4*(t.numGlyphs+1))
	for g := 0; g < t.numGlyphs; g++ {
		binary.BigEndian.PutUint32(newLoca[4*g:], uint32(len(newGlyf)))
		if keep[uint16(g)] {
			newGlyf = append(newGlyf, glyph(g)...)
			for len(newGlyf)%4 != 0 {
				newGlyf = append(newGlyf, 0)
			}
		}
	}
	binary.BigEndian.PutUint32(newLoca[4*t.numGlyphs:], uint32(len(newGlyf)))
	head := append([]byte(nil), t.tables["head"]...)
	binary.BigEndian.PutUint32(head[8:], 0)  // checkSumAdjustment, left at 0
	binary.BigEndian.PutUint16(head[50:], 1) // long loca offsets
	tables := map[string][]byte{}
	for tag, data := range t.tables {
		// The name table (43 KB of copyright notices in Arphic's fonts) is
		// not one PDF needs from an embedded TrueType program.
		if tag != "name" {
			tables[tag] = data
		}
	}
	tables["glyf"], tables["loca"], tables["head"] = newGlyf, newLoca, head
	return writeTTF(tables), nil
}

func writeTTF(tables map[string][]byte) []byte {
	tags := make([]string, 0, len(tables))
	for tag := range tables {
		tags = append(tags, tag)
	}
	sort.Strings(tags)
	n := len(tags)
	entrySelector := 0
	for 1<<(entrySelector+1) <= n {
		entrySelector++
	}
	searchRange := 16 << entrySelector
	out := make([]byte, 12+16*n)
	binary.BigEndian.PutUint32(out, 0x00010000)
	binary.BigEndian.PutUint16(out[4:], uint16(n))
	binary.BigEndian.PutUint16(out[6:], uint16(searchRange))
	binary.BigEndian.PutUint16(out[8:], uint16(entrySelector))
	binary.BigEndian.PutUint16(out[10:], uint16(16*n-searchRange))
	for i, tag := range tags {
		data := tables[tag]
		e := 12 + 16*i
		copy(out[e:], tag)
		binary.BigEndian.PutUint32(out[e+4:], ttfChecksum(data))
		binary.BigEndian.PutUint32(out[e+8:], uint32(len(out)))
		binary.BigEndian.PutUint32(out[e+12:], uint32(len(data)))
		out = append(out, data...)
		for len(out)%4 != 0 {
			out = append(out, 0)
		}
	}
	return out
}

func ttfChecksum(b []byte) uint32 {
	var sum uint32
	for i := 0; i < len(b); i += 4 {
		var w [4]byte
		copy(w[:], b[i:])
		sum += binary.BigEndian.Uint32(w[:])
	}
	return sum
}
