package web_test

import (
	"archive/zip"
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"os"
	"regexp"
	"strings"
	"testing"

	"skillscore/certificates"
)

func jpegPhoto(t *testing.T, n int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 130, 170))
	for y := 0; y < 170; y++ {
		for x := 0; x < 130; x++ {
			img.Set(x, y, color.RGBA{R: byte(x * n), G: byte(y), B: 77, A: 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// The organizer uploads a ZIP of photos named by 证件号码 on the
// certificate page: the good one is stored under an opaque name and printed
// on the holder's certificate; the bad ones are listed with their reasons,
// names masked. Only an organizer, with the form's CSRF token, may upload.
func TestOrganizerUploadsPhotos(t *testing.T) {
	o := newCertOffice(t)
	level, other := -1, -1
	for i, c := range o.certs {
		if c.Kind == certificates.KindLevel {
			level = i
			break
		}
	}
	for i, c := range o.certs {
		if level >= 0 && c.ContestantID != o.certs[level].ContestantID {
			other = i
			break
		}
	}
	if level < 0 || other < 0 {
		t.Fatal("the demo needs a level certificate and another holder")
	}
	holder, second := o.certs[level], o.certs[other]
	var zbuf bytes.Buffer
	zw := zip.NewWriter(&zbuf)
	for name, data := range map[string][]byte{
		"照片/" + holder.IDNumber + ".jpg": jpegPhoto(t, 1),
		"照片/" + second.IDNumber + ".jpg": []byte("not a photo"),
		"照片/360102199001011234.jpg":      jpegPhoto(t, 2),
	} {
		w, _ := zw.Create(name)
		w.Write(data)
	}
	zw.Close()

	path := "/events/" + o.ev.Code + "/certificates/photos"
	chief := o.browser()
	if code := chief.login("chief", "pass-chief"); code != 303 {
		t.Fatalf("chief login: %d", code)
	}
	chief.get("/")
	if code, _ := chief.upload(path, "照片.zip", zbuf.Bytes()); code != 403 {
		t.Fatalf("a chief judge's upload: %d, want 403", code)
	}
	org := o.browser()
	if code := org.login("org", "pass-org"); code != 303 {
		t.Fatalf("organizer login: %d", code)
	}
	code, body := org.get("/events/" + o.ev.Code + "/certificates")
	if code != 200 || !strings.Contains(body, `id="upload-photos"`) {
		t.Fatalf("certificate page without the photo upload: %d", code)
	}
	images := func() int {
		resp, err := org.c.Get(o.srv.URL + "/events/" + o.ev.Code + "/certificates/pdf/" + holder.Number)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("download: %v %v", err, resp.Status)
		}
		pdf, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return bytes.Count(pdf, []byte("/Subtype /Image"))
	}
	before := images()
	csrf := org.csrf
	org.csrf = "forged"
	if code, _ := org.upload(path, "照片.zip", zbuf.Bytes()); code != 403 {
		t.Fatalf("upload without the form's token: %d, want 403", code)
	}
	org.csrf = csrf
	code, body = org.upload(path, "照片.zip", zbuf.Bytes())
	if code != 200 || !strings.Contains(body, "已导入 1 张") || !strings.Contains(body, "不合格 2 个文件") {
		t.Fatalf("upload: %d\n%s", code, body)
	}
	report := regexp.MustCompile(`(?s)id="photo-report".*?</table>`).FindString(body)
	for _, want := range []string{"照片/360***********1234.jpg", "不是本赛事任何选手", "不是 JPEG 或 PNG", "已导入"} {
		if !strings.Contains(report, want) {
			t.Errorf("the upload's report lacks %q:\n%s", want, report)
		}
	}
	for _, id := range []string{holder.IDNumber, second.IDNumber, "360102199001011234"} {
		if strings.Contains(report, id) {
			t.Errorf("the upload's report carries a full 证件号码 %s…", id[:6])
		}
	}
	if after := images(); after != before+1 {
		t.Fatalf("%d images on the level certificate after the photo upload, %d before", after, before)
	}
	entries, err := os.ReadDir(o.lib.Dir())
	if err != nil || len(entries) != 1 || !regexp.MustCompile(`^[0-9a-f]{32}\.jpg$`).MatchString(entries[0].Name()) {
		t.Fatalf("the photo store holds %v (%v), want one opaque .jpg", entries, err)
	}
}
