package certificates

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"skillscore"
	"skillscore/photos"
)

// idPhoto is a 2-inch-like ID photo (120×160 JPEG), different for each n:
// the photo store refuses nothing here, and two holders never share one.
func idPhoto(t testing.TB, n int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 120, 160))
	for y := 0; y < 160; y++ {
		for x := 0; x < 120; x++ {
			img.Set(x, y, color.RGBA{R: byte(2*x + 13*n), G: byte(y + 29*n), B: 200, A: 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// A level certificate prints its holder's photo, read from the photo store
// by contestant id: the PDF holds the 120×160 photo beside the QR code and
// no 照片 label; without the photo store it holds the QR code alone. A
// recorded photo whose file has gone fails the certificate, naming the
// opaque file and never the 证件号码, instead of printing an empty frame.
func TestLevelCertificatePrintsStoredPhoto(t *testing.T) {
	ctx := context.Background()
	plain, st, ev, res := demoService(t)
	var number string
	var contestant int64
	var idNumber string
	for _, c := range res.Certificates {
		if c.Kind == KindLevel {
			number, contestant, idNumber = c.Number, c.ContestantID, c.IDNumber
			break
		}
	}
	if number == "" {
		t.Fatal("the demo issues no level certificate")
	}
	dir := t.TempDir()
	lib := photos.New(st, dir)
	p, err := lib.Save(ctx, ev.ID, contestant, idPhoto(t, 3), "organizer")
	if err != nil {
		t.Fatal(err)
	}
	kr, _ := testKeys(t)
	svc, err := New(Config{Store: st, Numbering: testNumbering(), Issuer: "江西省康养职业技能评价中心（演示）",
		AwardIssuers: "江西省康养职业技能竞赛组委会（演示）", VerifyURL: "https://cert.example.cn/verify", Keys: kr,
		Renderer: testRenderer(t), Photos: lib, Now: func() time.Time { return time.Date(2026, 12, 6, 2, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	d, pdf, err := svc.RenderOne(ctx, ev.ID, number)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(d.Photo, idPhoto(t, 3)) {
		t.Fatalf("the document's photo is not the stored one (%d bytes)", len(d.Photo))
	}
	imgs := pdfImages(t, pdf)
	if n := strings.Count(imgs, "\n"); n != 2 || !strings.Contains(imgs, "image 120 160 rgb") {
		t.Fatalf("with its photo the certificate lists %d images, want 2 (QR and the 120×160 photo):\n%s", n, imgs)
	}
	if text := compact(pdfText(t, pdf)); strings.Contains(text, "照片") {
		t.Errorf("the 照片 label is printed over the photo:\n%s", text)
	}
	_, bare, err := plain.RenderOne(ctx, ev.ID, number)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(pdfImages(t, bare), "\n"); n != 1 {
		t.Fatalf("without a photo store the certificate lists %d images, want 1 (the QR code)", n)
	}

	if err := os.Remove(filepath.Join(dir, p.File)); err != nil {
		t.Fatal(err)
	}
	_, _, err = svc.RenderOne(ctx, ev.ID, number)
	msg := skillscore.ErrorMessage(err)
	if skillscore.ErrorCode(err) != skillscore.EUnavailable || !strings.Contains(msg, p.File) || strings.Contains(msg, idNumber) {
		t.Fatalf("a recorded photo whose file is gone: %v, want EUnavailable naming %s without the 证件号码", err, p.File)
	}
}
