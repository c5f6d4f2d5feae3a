package certificates

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestQRDecodesEveryVersion encodes a payload sized for each version 1–25,
// draws it with a quiet zone and has zbarimg, a real decoder, read it back.
func TestQRDecodesEveryVersion(t *testing.T) {
	zbar := tool(t, "zbarimg", "zbar-tools")
	dir := t.TempDir()
	var files []string
	want := map[string]string{}
	for v := 1; v <= len(qrVersionsM); v++ {
		countBits := 8
		if v >= 10 {
			countBits = 16
		}
		n := (8*qrVersionsM[v-1].dataCodewords() - 4 - countBits) / 8 // the most bytes version v holds
		payload := ("https://cert.example.cn/verify?t=" + strings.Repeat("Zq9_", n))[:n]
		q, err := encodeQR([]byte(payload))
		if err != nil {
			t.Fatalf("version %d: %v", v, err)
		}
		if q.size != 17+4*v {
			t.Fatalf("%d bytes encoded as size %d, want version %d (size %d)", n, q.size, v, 17+4*v)
		}
		path := filepath.Join(dir, fmt.Sprintf("v%02d.png", v))
		writeQRPNG(t, q, path)
		files = append(files, path)
		want[path] = payload
	}
	for _, f := range files {
		out, err := exec.Command(zbar, "-q", "--raw", "-Sdisable", "-Sqrcode.enable", f).Output()
		if err != nil {
			t.Fatalf("zbarimg could not read %s: %v", filepath.Base(f), err)
		}
		if got := strings.TrimSuffix(string(out), "\n"); got != want[f] {
			t.Fatalf("%s decoded as %q, want %q", filepath.Base(f), got, want[f])
		}
	}
	if _, err := encodeQR(make([]byte, 2000)); err == nil {
		t.Fatal("2000 bytes accepted")
	}
}

// writeQRPNG draws the symbol at 4 px per module with a 4-module quiet zone.
func writeQRPNG(t *testing.T, q *qrCode, path string) {
	t.Helper()
	const scale, quiet = 4, 4
	side := (q.size + 2*quiet) * scale
	img := image.NewGray(image.Rect(0, 0, side, side))
	for y := 0; y < side; y++ {
		for x := 0; x < side; x++ {
			mx, my := x/scale-quiet, y/scale-quiet
			c := color.Gray{Y: 255}
			if mx >= 0 && my >= 0 && mx < q.size && my < q.size && q.dark(mx, my) {
				c.Y = 0
			}
			img.SetGray(x, y, c)
		}
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
}

// refPenalty is the four penalty rules module by module, the plain reading
// of the standard that qrPenalty's bit arithmetic must agree with.
func refPenalty(q *qrCode) int {
	n, p := q.size, 0
	at := func(dir, a, b int) bool {
		if b < 0 || b >= n {
			return false // outside is light
		}
		if dir == 0 {
			return q.dark(b, a)
		}
		return q.dark(a, b)
	}
	for dir := 0; dir < 2; dir++ {
		for a := 0; a < n; a++ {
			run := 1
			for b := 1; b <= n; b++ {
				if b < n && at(dir, a, b) == at(dir, a, b-1) {
					run++
					continue
				}
				if run >= 5 {
					p += run - 2
				}
				run = 1
			}
			for b := 0; b+7 <= n; b++ {
				pat := []bool{true, false, true, true, true, false, true}
				match := true
				for i, want := range pat {
					match = match && at(dir, a, b+i) == want
				}
				if !match {
					continue
				}
				for _, side := range [][2]int{{b - 4, b}, {b + 7, b + 11}} {
					light := true
					for i := side[0]; i < side[1]; i++ {
						light = light && !at(dir, a, i)
					}
					if light {
						p += 40
					}
				}
			}
		}
	}
	dark := 0
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			d := q.dark(x, y)
			if d {
				dark++
			}
			if x+1 < n && y+1 < n && d == q.dark(x+1, y) && d == q.dark(x, y+1) && d == q.dark(x+1, y+1) {
				p += 3
			}
		}
	}
	k := (abs(dark*20-n*n*10) + n*n - 1) / (n * n)
	return p + (k-1)*10
}

func TestQRPenaltyMatchesReference(t *testing.T) {
	e := newQREncoder()
	for _, n := range []int{10, 60, 150, 300, 480} {
		data := make([]byte, n)
		for i := range data {
			data[i] = byte(i*37 + n)
		}
		q, err := e.encode(data)
		if err != nil {
			t.Fatal(err)
		}
		version := (q.size - 17) / 4
		for mask := 0; mask < 8; mask++ {
			// The symbol as if mask had been chosen: undo the chosen one,
			// apply this one.
			c := &qrCode{size: q.size, modules: append([]byte(nil), q.modules...), isFunc: q.isFunc}
			c.applyMask(bestMaskOf(t, q))
			c.applyMask(mask)
			c.drawFormatBits(mask)
			rows, cols := make([]bits128, q.size), make([]bits128, q.size)
			for y := 0; y < q.size; y++ {
				for x := 0; x < q.size; x++ {
					if c.dark(x, y) {
						rows[y].set(x)
						cols[x].set(y)
					}
				}
			}
			if got, want := qrPenalty(rows, cols, q.size), refPenalty(c); got != want {
				t.Fatalf("version %d mask %d: penalty %d, reference %d", version, mask, got, want)
			}
		}
	}
}

// bestMaskOf reads the mask an encoded symbol uses back from its format bits.
func bestMaskOf(t *testing.T, q *qrCode) int {
	t.Helper()
	for mask := 0; mask < 8; mask++ {
		c := &qrCode{size: q.size, modules: append([]byte(nil), q.modules...), isFunc: make([]bool, len(q.isFunc))}
		c.drawFormatBits(mask)
		same := true
		for i := range c.modules {
			if c.isFunc[i] && c.modules[i] != q.modules[i] {
				same = false
			}
		}
		if same {
			return mask
		}
	}
	t.Fatal("no mask's format bits match")
	return 0
}

// writePNG's hand-packed PNG decodes, with image/png, to the symbol's
// modules at the scale asked.
func TestQRWritePNGDecodes(t *testing.T) {
	q, err := encodeQR([]byte("HTTP://CERT.EXAMPLE.CN/VERIFY?T=SC2ABCDEFGHIJKLMNOP234567"))
	if err != nil {
		t.Fatal(err)
	}
	pool := &pngPool{}
	for _, scale := range []int{1, 3, 8} {
		var buf bytes.Buffer
		if err := q.writePNG(&buf, scale, pool); err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(&buf)
		if err != nil {
			t.Fatalf("scale %d: %v", scale, err)
		}
		if b := img.Bounds(); b.Dx() != q.size*scale || b.Dy() != q.size*scale {
			t.Fatalf("scale %d: %v, want %d px square", scale, b, q.size*scale)
		}
		for y := 0; y < q.size*scale; y++ {
			for x := 0; x < q.size*scale; x++ {
				r, _, _, _ := img.At(x, y).RGBA()
				if dark := r == 0; dark != q.dark(x/scale, y/scale) {
					t.Fatalf("scale %d: pixel %d,%d dark=%v, module dark=%v", scale, x, y, dark, q.dark(x/scale, y/scale))
				}
			}
		}
	}
}
