package certificates

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"skillscore/templates"
)

// The single PDFs split out of one batch document must read back exactly
// like the same certificates drawn one document each by gofpdf: the same
// text from pdftotext, and a QR code zbarimg decodes to the same token.
func TestSplitSinglesMatchGofpdf(t *testing.T) {
	r := testRenderer(t)
	kr, _ := testKeys(t)
	docs := []Document{sealed(t, kr, awardFacts(), "360702199001010021"), sealed(t, kr, levelFacts(), "36010219900307002X")}
	second := awardFacts()
	second.Name, second.Number, second.Organization = "欧阳丽华", "HJ362026000008", "九江市庐山区福寿康养院"
	docs = append(docs, sealed(t, kr, second, "360402198805050024"))
	var singles [][]byte
	err := renderEach(context.Background(), r, docs, func(i int, pdf []byte) error {
		singles = append(singles, pdf)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(singles) != len(docs) {
		t.Fatalf("%d PDFs for %d documents", len(singles), len(docs))
	}
	for i, d := range docs {
		direct, err := r.Single(d)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := pdfText(t, singles[i]), pdfText(t, direct); got != want {
			t.Fatalf("document %d: split PDF reads\n%s\nthe directly drawn one\n%s", i, got, want)
		}
		if strings.Count(pdfText(t, singles[i]), "\f") != 1 {
			t.Fatalf("document %d: not one page", i)
		}
		if codes := qrCodes(t, singles[i]); len(codes) != 1 || codes[0] != d.QRContent() {
			t.Fatalf("document %d: QR codes %q", i, codes)
		}
		// Another page's name must not leak into this file's text.
		other := docs[(i+1)%len(docs)].Facts.Name
		if strings.Contains(compact(pdfText(t, singles[i])), other) {
			t.Fatalf("document %d carries %s from another page", i, other)
		}
	}
}

// A holder's photo and an organizer's seal with transparency (a soft mask)
// travel into the split PDFs like everything else on the page.
func TestPhotoAndSealSurviveSplitting(t *testing.T) {
	assets := t.TempDir()
	seal := image.NewNRGBA(image.Rect(0, 0, 64, 64))
	for y := 0; y < 64; y++ {
		for x := 0; x < 64; x++ {
			if (x-32)*(x-32)+(y-32)*(y-32) < 900 {
				seal.Set(x, y, color.NRGBA{R: 200, A: 160})
			}
		}
	}
	writePNG(t, filepath.Join(assets, "seal.png"), seal)
	// A 2-inch ID photo is a JPEG.
	photo := image.NewRGBA(image.Rect(0, 0, 60, 80))
	for y := 0; y < 80; y++ {
		for x := 0; x < 60; x++ {
			photo.Set(x, y, color.RGBA{R: byte(3 * x), G: byte(2 * y), B: 180, A: 255})
		}
	}
	var photoJPEG bytes.Buffer
	if err := jpeg.Encode(&photoJPEG, photo, nil); err != nil {
		t.Fatal(err)
	}
	fonts, err := LoadFonts(DefaultSongFont, DefaultKaiFont)
	if err != nil {
		t.Fatal(err)
	}
	layouts, err := LoadLayouts(templates.CertificateLayouts())
	if err != nil {
		t.Fatal(err)
	}
	r, err := NewRenderer(fonts, layouts, os.DirFS(assets))
	if err != nil {
		t.Fatal(err)
	}
	kr, _ := testKeys(t)
	withPhoto := sealed(t, kr, levelFacts(), "36010219900307002X")
	withPhoto.Photo = photoJPEG.Bytes()
	docs := []Document{withPhoto, sealed(t, kr, awardFacts(), "360702199001010021")}
	var singles [][]byte
	if err := renderEach(context.Background(), r, docs, func(i int, pdf []byte) error {
		singles = append(singles, pdf)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for i, d := range docs {
		direct, err := r.Single(d)
		if err != nil {
			t.Fatal(err)
		}
		got, want := pdfImages(t, singles[i]), pdfImages(t, direct)
		if got != want {
			t.Fatalf("document %d: split PDF images\n%s\ndirect\n%s", i, got, want)
		}
	}
	if n := strings.Count(pdfImages(t, singles[0]), "\n"); n != 4 {
		t.Fatalf("level certificate with photo and seal lists %d images, want 4 (QR, photo, seal and its mask):\n%s",
			n, pdfImages(t, singles[0]))
	}
}

// pdfImages is pdfimages' list of a PDF's images without object numbers.
func pdfImages(t *testing.T, pdf []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool(t, "pdfimages", "poppler-utils"), "-list", path).Output()
	if err != nil {
		t.Fatalf("pdfimages: %v", err)
	}
	var rows []string
	for _, line := range strings.Split(string(out), "\n")[2:] {
		f := strings.Fields(line)
		if len(f) > 9 {
			rows = append(rows, strings.Join(f[2:9], " ")) // type, size, colour, bits
		}
	}
	return strings.Join(rows, "\n") + "\n"
}

func writePNG(t *testing.T, path string, img image.Image) {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}
