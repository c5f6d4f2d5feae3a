package demo

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand/v2"
)

// portrait draws an invented ID photo (证件照) of w×h pixels as a JPEG: a
// plain background, shoulders in a jacket, a face and hair, all shapes,
// no one's likeness. The colours vary with rng so the photos of a batch
// tell apart on a 签到表; the shapes are flat, so the file stays a few KB,
// well under any office's size limit.
func portrait(w, h int, female bool, rng *rand.Rand) []byte {
	bgs := []color.RGBA{{67, 142, 219, 255}, {236, 240, 244, 255}} // 蓝底, 白底: what offices ask for
	bg := bgs[rng.IntN(len(bgs))]
	skins := []color.RGBA{{241, 204, 176, 255}, {229, 186, 152, 255}, {214, 170, 134, 255}, {246, 214, 190, 255}}
	skin := skins[rng.IntN(len(skins))]
	hairs := []color.RGBA{{28, 24, 22, 255}, {45, 34, 28, 255}, {70, 60, 55, 255}, {105, 100, 98, 255}}
	hair := hairs[rng.IntN(len(hairs))]
	jackets := []color.RGBA{{33, 45, 72, 255}, {40, 40, 44, 255}, {92, 36, 48, 255}, {56, 82, 70, 255}, {230, 232, 235, 255}}
	jacket := jackets[rng.IntN(len(jackets))]
	if jacket == bg {
		jacket = jackets[0]
	}
	shirt := color.RGBA{250, 250, 250, 255}
	dark := color.RGBA{40, 30, 28, 255}
	lip := color.RGBA{190, 110, 105, 255}

	// Proportions of a 2-inch photo: the head about 60 % of the height.
	cx := float64(w)/2 + float64(rng.IntN(9)-4)
	fy := float64(h) * 0.43 // face centre
	frx, fry := float64(w)*0.21, float64(h)*0.2
	hairTop := fy - fry*1.25
	longHair := female && rng.IntN(3) > 0
	in := func(x, y, ex, ey, rx, ry float64) bool {
		dx, dy := (x-ex)/rx, (y-ey)/ry
		return dx*dx+dy*dy <= 1
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for py := 0; py < h; py++ {
		y := float64(py) + 0.5
		for px := 0; px < w; px++ {
			x := float64(px) + 0.5
			c := bg
			if longHair && y > fy-fry*0.2 && y < fy+fry*1.5 && in(x, y, cx, fy+fry*0.2, frx*1.35, fry*1.45) {
				c = hair // hair falling behind the shoulders' top
			}
			// Shoulders and jacket: a wide ellipse from below the chin.
			if in(x, y, cx, float64(h)*1.02, float64(w)*0.52, float64(h)*0.3) {
				c = jacket
				// The collar: a white V at the neck.
				if y < float64(h)*0.86 && abs(x-cx) < (float64(h)*0.86-y)*0.55 {
					c = shirt
				}
			}
			// Neck.
			if abs(x-cx) < frx*0.45 && y > fy && y < fy+fry*1.45 && c != jacket {
				c = skin
			}
			if in(x, y, cx, fy, frx, fry) {
				c = skin
				// Ears are left out; the eyes, brows and mouth are enough
				// for a keeper's glance.
				ey := fy - fry*0.08
				switch {
				case in(x, y, cx-frx*0.4, ey, frx*0.13, fry*0.06) || in(x, y, cx+frx*0.4, ey, frx*0.13, fry*0.06):
					c = dark
				case abs(y-(ey-fry*0.2)) < fry*0.03 && (abs(x-(cx-frx*0.4)) < frx*0.2 || abs(x-(cx+frx*0.4)) < frx*0.2):
					c = hair
				case in(x, y, cx, fy+fry*0.5, frx*0.28, fry*0.06) && y > fy+fry*0.49:
					c = lip
				}
			}
			// Hair on top of the head, with a parting.
			if y < fy-fry*0.35 && in(x, y, cx, fy-fry*0.2, frx*1.08, fry*1.05) && y > hairTop {
				c = hair
			}
			img.SetRGBA(px, py, c)
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85}); err != nil {
		panic(err) // encoding to memory does not fail
	}
	return buf.Bytes()
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}
