package demo

import (
	"bytes"
	"crypto/sha256"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand/v2"
)

// painter draws invented ID photos (证件照) of w×h pixels as JPEGs: a
// plain background, shoulders in a jacket, a face and hair, all flat
// shapes, no one's likeness. The shapes of each pose are worked out once
// and each photo only colours them, so a batch's photos cost little to
// make (the demo starts in seconds); flat colours keep a file to a few KB,
// well under any office's limit.
type painter struct {
	w, h  int
	poses map[pose][]uint8 // the part (bg, hair …) of each pixel, row by row
	made  map[[32]byte]bool
}

// pose is what changes the shapes: long hair, and the head a little off
// the centre.
type pose struct {
	longHair bool
	dx       int
}

// The parts of a photo, each painted one colour.
const (
	partBackground = iota
	partHair
	partSkin
	partJacket
	partShirt
	partEyes
	partLips
	parts
)

func newPainter(w, h int) *painter {
	return &painter{w: w, h: h, poses: map[pose][]uint8{}, made: map[[32]byte]bool{}}
}

var (
	backgrounds = []color.RGBA{{67, 142, 219, 255}, {236, 240, 244, 255}} // 蓝底, 白底: what offices ask for
	skins       = []color.RGBA{{241, 204, 176, 255}, {229, 186, 152, 255}, {214, 170, 134, 255}, {246, 214, 190, 255}}
	hairs       = []color.RGBA{{28, 24, 22, 255}, {45, 34, 28, 255}, {70, 60, 55, 255}, {105, 100, 98, 255}}
	jackets     = []color.RGBA{{33, 45, 72, 255}, {40, 40, 44, 255}, {92, 36, 48, 255}, {56, 82, 70, 255}, {110, 112, 118, 255}}
)

// portrait is one photo, its colours and pose drawn from rng. No two
// photos of a painter are the same file (a photo import refuses a photo
// another candidate has): a repeat is drawn again.
func (p *painter) portrait(female bool, rng *rand.Rand) []byte {
	for {
		ps := pose{longHair: female && rng.IntN(3) > 0, dx: 3 * (rng.IntN(3) - 1)}
		pal := [parts]color.RGBA{
			partBackground: backgrounds[rng.IntN(len(backgrounds))],
			partHair:       hairs[rng.IntN(len(hairs))],
			partSkin:       skins[rng.IntN(len(skins))],
			partJacket:     jackets[rng.IntN(len(jackets))],
			partShirt:      {250, 250, 250, 255},
			partEyes:       {40, 30, 28, 255},
			partLips:       {190, 110, 105, 255},
		}
		data := p.encode(p.shapes(ps), pal)
		sum := sha256.Sum256(data)
		if !p.made[sum] {
			p.made[sum] = true
			return data
		}
	}
}

// encode colours the parts and writes the JPEG from YCbCr planes, the
// encoder's own form (no conversion per block).
func (p *painter) encode(mask []uint8, pal [parts]color.RGBA) []byte {
	var y, cb, cr [parts]uint8
	for i, c := range pal {
		y[i], cb[i], cr[i] = color.RGBToYCbCr(c.R, c.G, c.B)
	}
	img := image.NewYCbCr(image.Rect(0, 0, p.w, p.h), image.YCbCrSubsampleRatio420)
	for row := 0; row < p.h; row++ {
		line := mask[row*p.w : (row+1)*p.w]
		ys := img.Y[row*img.YStride:]
		for x, part := range line {
			ys[x] = y[part]
		}
		if row%2 == 0 {
			cs := (row / 2) * img.CStride
			for x := 0; x < p.w; x += 2 {
				img.Cb[cs+x/2], img.Cr[cs+x/2] = cb[line[x]], cr[line[x]]
			}
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85}); err != nil {
		panic(err) // encoding to memory does not fail
	}
	return buf.Bytes()
}

// shapes returns the parts of a pose's pixels, worked out on first use.
func (p *painter) shapes(ps pose) []uint8 {
	if m, ok := p.poses[ps]; ok {
		return m
	}
	w, h := float64(p.w), float64(p.h)
	// Proportions of a 2-inch photo: the head about 60 % of the height.
	cx := w/2 + float64(ps.dx)
	fy := h * 0.43 // face centre
	frx, fry := w*0.21, h*0.2
	hairTop := fy - fry*1.25
	in := func(x, y, ex, ey, rx, ry float64) bool {
		dx, dy := (x-ex)/rx, (y-ey)/ry
		return dx*dx+dy*dy <= 1
	}
	m := make([]uint8, p.w*p.h)
	for py := 0; py < p.h; py++ {
		y := float64(py) + 0.5
		for px := 0; px < p.w; px++ {
			x := float64(px) + 0.5
			c := uint8(partBackground)
			if ps.longHair && y > fy-fry*0.2 && y < fy+fry*1.5 && in(x, y, cx, fy+fry*0.2, frx*1.35, fry*1.45) {
				c = partHair // hair falling behind the shoulders' top
			}
			// Shoulders and jacket: a wide ellipse from below the chin,
			// with a white collar in a V at the neck.
			if in(x, y, cx, h*1.02, w*0.52, h*0.3) {
				c = partJacket
				if y < h*0.86 && abs(x-cx) < (h*0.86-y)*0.55 {
					c = partShirt
				}
			}
			if abs(x-cx) < frx*0.45 && y > fy && y < fy+fry*1.45 && c != partJacket {
				c = partSkin // the neck
			}
			if in(x, y, cx, fy, frx, fry) {
				c = partSkin
				// The eyes, brows and mouth are enough for a keeper's glance.
				ey := fy - fry*0.08
				switch {
				case in(x, y, cx-frx*0.4, ey, frx*0.13, fry*0.06) || in(x, y, cx+frx*0.4, ey, frx*0.13, fry*0.06):
					c = partEyes
				case abs(y-(ey-fry*0.2)) < fry*0.03 && (abs(x-(cx-frx*0.4)) < frx*0.2 || abs(x-(cx+frx*0.4)) < frx*0.2):
					c = partHair
				case in(x, y, cx, fy+fry*0.5, frx*0.28, fry*0.06) && y > fy+fry*0.49:
					c = partLips
				}
			}
			if y < fy-fry*0.35 && y > hairTop && in(x, y, cx, fy-fry*0.2, frx*1.08, fry*1.05) {
				c = partHair // on top of the head
			}
			m[py*p.w+px] = c
		}
	}
	p.poses[ps] = m
	return m
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}
