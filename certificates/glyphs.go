package certificates

import (
	"encoding/binary"
	"errors"
	"slices"
)

// standIns are characters the Arphic fonts lack, each drawn with the glyph
// of one they have: the en dash of 08:30–10:00 and 0–3, and the minus sign
// of −0.5, would otherwise print as nothing. The PDF keeps the character
// itself (its text reads back, and copies, as "–"); only the drawing is
// borrowed. A font that has the character keeps its own glyph.
var standIns = map[rune]rune{'–': '-', '−': '-'}

// borrowGlyphs maps each stand-in the font lacks to its substitute's glyph
// in the font's Unicode cmap. Every PDF's fonts pass through Subset, so
// this is the one place that makes those characters print.
func borrowGlyphs(ttf []byte) ([]byte, error) {
	font, err := parseTTF(ttf)
	if err != nil {
		return nil, err
	}
	glyphs, err := unicodeCmap(font.tables["cmap"])
	if err != nil {
		return nil, err
	}
	changed := false
	for r, sub := range standIns {
		if g, ok := glyphs[sub]; ok && glyphs[r] == 0 {
			glyphs[r], changed = g, true
		}
	}
	if !changed {
		return ttf, nil
	}
	cmap, ok := cmapTable(glyphs)
	if !ok {
		return ttf, nil // more characters than one format 4 subtable holds: no stand-ins
	}
	font.tables["cmap"] = cmap
	return writeTTF(font.tables), nil
}

// unicodeCmap reads the Windows Unicode (3, 1) format 4 subtable of a cmap
// table, the one gofpdf reads and writes: character → glyph, glyph 0 left out.
func unicodeCmap(cmap []byte) (map[rune]uint16, error) {
	bad := errors.New("font has no Unicode (3, 1) format 4 cmap")
	u16 := func(b []byte, at int) int {
		if at < 0 || at+2 > len(b) {
			return -1
		}
		return int(binary.BigEndian.Uint16(b[at:]))
	}
	var sub []byte
	for i := range u16(cmap, 2) {
		e := 4 + 8*i
		if e+8 > len(cmap) {
			return nil, bad
		}
		off := int(binary.BigEndian.Uint32(cmap[e+4:]))
		if u16(cmap, e) == 3 && u16(cmap, e+2) == 1 && u16(cmap, off) == 4 {
			sub = cmap[off:]
			break
		}
	}
	segs := u16(sub, 6) / 2
	if sub == nil || segs <= 0 || 16+8*segs > len(sub) {
		return nil, bad
	}
	ends, starts, deltas, ranges := 14, 16+2*segs, 16+4*segs, 16+6*segs
	out := map[rune]uint16{}
	for s := range segs {
		start, end := u16(sub, starts+2*s), u16(sub, ends+2*s)
		delta, ro := u16(sub, deltas+2*s), u16(sub, ranges+2*s)
		for c := start; c <= end && c != 0xFFFF; c++ {
			g := (c + delta) & 0xFFFF
			if ro != 0 {
				// idRangeOffset counts from its own place into glyphIdArray.
				if g = u16(sub, ranges+2*s+ro+2*(c-start)); g > 0 {
					g = (g + delta) & 0xFFFF
				}
			}
			if g > 0 {
				out[rune(c)] = uint16(g)
			}
		}
	}
	return out, nil
}

// cmapTable writes a cmap table of one Windows Unicode format 4 subtable
// mapping the characters of glyphs (those of the Basic Multilingual Plane),
// a segment for each run of consecutive characters on consecutive glyphs;
// false when the segments overflow the subtable's 16-bit length.
func cmapTable(glyphs map[rune]uint16) ([]byte, bool) {
	type seg struct{ start, end, delta uint16 }
	var segs []seg
	codes := make([]rune, 0, len(glyphs))
	for r := range glyphs {
		if r < 0xFFFF {
			codes = append(codes, r)
		}
	}
	slices.Sort(codes)
	for _, r := range codes {
		c, g := uint16(r), glyphs[r]
		if n := len(segs); n > 0 && segs[n-1].end+1 == c && segs[n-1].end+segs[n-1].delta+1 == g {
			segs[n-1].end = c
			continue
		}
		segs = append(segs, seg{c, c, g - c})
	}
	segs = append(segs, seg{0xFFFF, 0xFFFF, 1}) // the required last segment, to glyph 0
	n := len(segs)
	if 16+8*n > 0xFFFF {
		return nil, false
	}
	entrySelector := 0
	for 1<<(entrySelector+1) <= n {
		entrySelector++
	}
	searchRange := 2 << entrySelector
	sub := make([]byte, 16+8*n)
	put := func(at int, v uint16) { binary.BigEndian.PutUint16(sub[at:], v) }
	put(0, 4)
	put(2, uint16(len(sub)))
	put(6, uint16(2*n))
	put(8, uint16(searchRange))
	put(10, uint16(entrySelector))
	put(12, uint16(2*n-searchRange))
	for i, s := range segs {
		put(14+2*i, s.end)
		put(16+2*n+2*i, s.start)
		put(16+4*n+2*i, s.delta) // idRangeOffset stays 0
	}
	head := []byte{0, 0, 0, 1, 0, 3, 0, 1, 0, 0, 0, 12} // version 0, one subtable: (3, 1) at 12
	return append(head, sub...), true
}
