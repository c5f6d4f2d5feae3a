package certificates

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jung-kurt/gofpdf"
)

// render sets lines in both fonts, cut to their characters, as every PDF
// of the system does, and returns the PDF and its first page at 100 dpi.
func render(t *testing.T, fonts Fonts, lines ...string) ([]byte, image.Image) {
	t.Helper()
	sub, err := fonts.Subset(strings.Join(lines, ""))
	if err != nil {
		t.Fatal(err)
	}
	p := gofpdf.New("P", "mm", "A5", "")
	p.AddUTF8FontFromBytes("song", "", sub.Song)
	p.AddUTF8FontFromBytes("kai", "", sub.Kai)
	p.AddPage()
	for i, l := range lines {
		for j, f := range []string{"song", "kai"} {
			p.SetFont(f, "", 16)
			p.Text(10, 20+float64(2*i+j)*10, l)
		}
	}
	var buf bytes.Buffer
	if err := p.Output(&buf); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "doc.pdf")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(tool(t, "pdftoppm", "poppler-utils"), "-png", "-r", "100", "-singlefile", path, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	f, err := os.Open(filepath.Join(dir, "page.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), img
}

// The Arphic fonts have no en dash and no minus sign: a PDF keeps them as
// text and draws them as the hyphen-minus, where they drew nothing.
func TestDashesTheFontsLackPrint(t *testing.T) {
	fonts, err := LoadFonts(DefaultSongFont, DefaultKaiFont)
	if err != nil {
		t.Fatalf("fonts: %v", err)
	}
	pdf, dashes := render(t, fonts, "08:30–10:00 评价 0–3 偏差 −0.5 ——")
	text := pdfText(t, pdf)
	if !strings.Contains(text, "08:30–10:00 评价 0–3 偏差 −0.5 ——") {
		t.Errorf("the dashes do not read back:\n%s", text)
	}
	_, hyphens := render(t, fonts, "08:30-10:00 评价 0-3 偏差 -0.5 ——")
	b := dashes.Bounds()
	if b != hyphens.Bounds() {
		t.Fatalf("pages of %v and %v", b, hyphens.Bounds())
	}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if dashes.At(x, y) != hyphens.At(x, y) {
				t.Fatalf("the en dash and minus sign do not print as the hyphen-minus: pixel (%d, %d) differs", x, y)
			}
		}
	}
}
