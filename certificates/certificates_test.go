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
	"time"

	"skillscore"
	"skillscore/templates"
)

// tool returns the path of a command-line program the tests read PDFs
// with, failing with the Debian package to install when it is missing.
func tool(t *testing.T, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s not found: install the Debian package %s (scripts/setup.sh does)", name, pkg)
	}
	return p
}

func testRenderer(t testing.TB) *Renderer {
	t.Helper()
	fonts, err := LoadFonts(DefaultSongFont, DefaultKaiFont)
	if err != nil {
		t.Fatalf("fonts: %v", err)
	}
	layouts, err := LoadLayouts(templates.CertificateLayouts())
	if err != nil {
		t.Fatal(err)
	}
	r, err := NewRenderer(fonts, layouts, nil)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func testKeys(t testing.TB) (*Keyring, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "keys")
	if _, err := GenerateKey(dir, time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	kr, err := LoadKeyring(dir)
	if err != nil {
		t.Fatal(err)
	}
	return kr, dir
}

func levelFacts() Facts {
	return Facts{Version: 1, Kind: KindLevel, Number: "S000036000001262000001", Name: "欧阳秀英", IDType: "居民身份证",
		IDMasked: "360***********002X", Occupation: "养老护理员", Specialty: "--", Level: "二级/技师",
		Issuer: "江西省康养职业技能评价中心（演示）", Date: "2026-12-05"}
}

func awardFacts() Facts {
	return Facts{Version: 1, Kind: KindAward, Number: "HJ362026000007", Name: "赖春梅", IDType: "居民身份证",
		IDMasked: "360***********0021", Occupation: "养老护理员", Issuer: "江西省康养职业技能竞赛组委会（演示）",
		Date: "2026-12-05", Event: "2026年江西省养老护理员职业技能竞赛", Group: "职工组", Award: "一等奖", Rank: 1,
		Promotion: "二级/技师", Organization: "赣州市章贡区福康养老院"}
}

func sealed(t testing.TB, kr *Keyring, f Facts, id string) Document {
	t.Helper()
	tok, err := kr.Signer.Seal(f)
	if err != nil {
		t.Fatal(err)
	}
	return Document{Facts: f, Token: tok, IDNumber: id, VerifyURL: "https://cert.example.cn/verify"}
}

func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool(t, "pdftotext", "poppler-utils"), "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

// qrCodes renders every page at 150 dpi, what an office scan or a phone at
// arm's length sees, and returns what zbarimg decodes.
func qrCodes(t *testing.T, pdf []byte) []string {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "doc.pdf")
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(tool(t, "pdftoppm", "poppler-utils"), "-r", "150", "-png", path,
		filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v: %s", err, out)
	}
	pages, _ := filepath.Glob(filepath.Join(dir, "page*.png"))
	if len(pages) == 0 {
		t.Fatal("pdftoppm rendered no page")
	}
	var codes []string
	for _, p := range pages {
		out, err := exec.Command(tool(t, "zbarimg", "zbar-tools"), "-q", "--raw", "-Sdisable", "-Sqrcode.enable", p).Output()
		if err != nil {
			t.Fatalf("zbarimg found no QR code on %s: %v", filepath.Base(p), err)
		}
		codes = append(codes, strings.TrimSpace(string(out)))
	}
	return codes
}

// compact drops the white space pdftotext puts between cells and lines.
func compact(s string) string { return strings.Join(strings.Fields(s), "") }

func TestLevelCertificateReadsBack(t *testing.T) {
	r := testRenderer(t)
	kr, _ := testKeys(t)
	doc := sealed(t, kr, levelFacts(), "36010219900307002X")
	pdf, err := r.Single(doc)
	if err != nil {
		t.Fatal(err)
	}
	text := compact(pdfText(t, pdf))
	for _, want := range []string{"职业技能等级证书", "江西表嫂", "姓名", "欧阳秀英", "证件类型", "居民身份证", "证件号码",
		"36010219900307002X", "职业名称", "养老护理员", "工种/职业方向", "职业技能等级", "二级/技师", "证书编号",
		"S000036000001262000001", "评价机构名称", "江西省康养职业技能评价中心（演示）", "发证日期", "2026年12月05日",
		"https://cert.example.cn/verify", "zscx.osta.org.cn"} {
		if !strings.Contains(text, compact(want)) {
			t.Errorf("pdftotext lacks %q\n%s", want, text)
		}
	}
	codes := qrCodes(t, pdf)
	if len(codes) != 1 || codes[0] != doc.QRContent() {
		t.Fatalf("QR codes %q, want [%q]", codes, doc.QRContent())
	}
	tok, err := VerifyToken(TokenFromText(codes[0]), kr.Public)
	if err != nil {
		t.Fatalf("token from the printed QR code does not verify: %v", err)
	}
	if tok.Facts != levelFacts() {
		t.Fatalf("facts %+v, want %+v", tok.Facts, levelFacts())
	}
}

func TestAwardCertificatesCombinedReadBack(t *testing.T) {
	r := testRenderer(t)
	kr, _ := testKeys(t)
	docs := []Document{sealed(t, kr, awardFacts(), "360702199001010021"), sealed(t, kr, levelFacts(), "36010219900307002X")}
	br, err := r.ForBatch(docs)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	pages := 0
	if err := br.Combined(&buf, docs, func(done int) { pages = done }); err != nil {
		t.Fatal(err)
	}
	if pages != 2 {
		t.Fatalf("progress reached %d, want 2", pages)
	}
	text := compact(pdfText(t, buf.Bytes()))
	for _, want := range []string{"获奖证书", "赖春梅", "赣州市章贡区福康养老院", "2026年江西省养老护理员职业技能竞赛",
		"职工组", "第1名", "一等奖", "晋升为养老护理员二级/技师职业技能等级", "HJ362026000007",
		"江西省康养职业技能竞赛组委会（演示）", "职业技能等级证书", "欧阳秀英"} {
		if !strings.Contains(text, compact(want)) {
			t.Errorf("pdftotext lacks %q\n%s", want, text)
		}
	}
	codes := qrCodes(t, buf.Bytes())
	if len(codes) != 2 || codes[0] != docs[0].QRContent() || codes[1] != docs[1].QRContent() {
		t.Fatalf("QR codes %q", codes)
	}
	// The batch's cut-down fonts print the same text as the full fonts.
	single, err := br.Single(docs[0])
	if err != nil {
		t.Fatal(err)
	}
	full, err := r.Single(docs[0])
	if err != nil {
		t.Fatal(err)
	}
	if a, b := pdfText(t, single), pdfText(t, full); a != b {
		t.Fatalf("subset fonts print\n%s\nfull fonts print\n%s", a, b)
	}
	if len(single) >= len(full) {
		t.Logf("subset PDF %d bytes, full-font PDF %d bytes", len(single), len(full))
	}
}

// The printed QR code must be a small symbol printed large: modules of at
// least 0.6 mm, and for the usual facts a version of at most 13 (69
// modules; the first token form needed 16–17).
func TestPrintedQRSymbolSize(t *testing.T) {
	r := testRenderer(t)
	kr, _ := testKeys(t)
	long := awardFacts()
	long.Organization = "中国人民解放军联勤保障部队第九〇八医院康养中心"
	for _, f := range []Facts{levelFacts(), awardFacts(), long} {
		d := sealed(t, kr, f, "36010219900307002X")
		d.VerifyURL = "http://127.0.0.1:8080/verify"
		q, err := encodeQR([]byte(d.QRContent()))
		if err != nil {
			t.Fatal(err)
		}
		version := (q.size - 17) / 4
		var mm float64
		for _, e := range r.layouts[f.Kind].Elements {
			if e.Kind == "qr" {
				mm = e.Size
			}
		}
		t.Logf("%s %s: %d characters, version %d, %.0f mm, module %.2f mm", f.Kind, f.Organization,
			len(d.QRContent()), version, mm, mm/float64(q.size))
		if (version > 13 && f.Organization != long.Organization) || mm/float64(q.size) < 0.6 {
			t.Errorf("%s certificate: QR version %d printed %.0f mm wide (module %.2f mm), want version ≤ 13 and module ≥ 0.6 mm",
				f.Kind, version, mm, mm/float64(q.size))
		}
	}
}

// gofpdf's MultiCell drops a CJK character at each automatic line break;
// wrapText must not. Every character must come back from pdftotext.
func TestWrapKeepsEveryCharacter(t *testing.T) {
	r := testRenderer(t)
	para := "根据《江西省职业技能等级认定工作规程》，经综合评审，该同志在养老护理员职业技能竞赛中表现突出，" +
		"理论知识与操作技能考核成绩均合格，现予晋升二级/技师职业技能等级，特发此证以资鼓励。ABC-2026（第1名）"
	for _, width := range []float64{40, 63, 80, 121, 180} {
		l := &Layout{Orientation: "P", Elements: []Element{{Kind: "wrap", X: 10, Y: 10, W: width, Font: "song",
			Size: 12, Leading: 6, Text: "{issuer}"}}}
		rr := &Renderer{fonts: r.fonts, layouts: map[string]*Layout{KindLevel: l}, pngs: &pngPool{}, qr: newQREncoder()}
		f := levelFacts()
		f.Issuer = para
		pdf, err := rr.Single(Document{Facts: f})
		if err != nil {
			t.Fatal(err)
		}
		got := pdfText(t, pdf)
		if compact(got) != compact(para) {
			t.Errorf("width %v mm: pdftotext gave %d characters, want %d\n got %q\nwant %q",
				width, len([]rune(compact(got))), len([]rune(compact(para))), compact(got), compact(para))
		}
		if width < 100 && strings.Count(strings.TrimSpace(got), "\n") == 0 {
			t.Errorf("width %v mm: the paragraph was not wrapped", width)
		}
	}
}

func TestMissingFontNamesThePackage(t *testing.T) {
	_, err := LoadFonts("/nonexistent/gbsn00lp.ttf", DefaultKaiFont)
	if skillscore.ErrorCode(err) != skillscore.EUnavailable || !strings.Contains(skillscore.ErrorMessage(err), "fonts-arphic-gbsn00lp") {
		t.Fatalf("err = %v, want EUnavailable naming fonts-arphic-gbsn00lp", err)
	}
	_, err = LoadFonts(DefaultSongFont, "/nonexistent/gkai00mp.ttf")
	if !strings.Contains(skillscore.ErrorMessage(err), "fonts-arphic-gkai00mp") {
		t.Fatalf("err = %v, want the Kai package named", err)
	}
	notTTF := filepath.Join(t.TempDir(), "x.ttf")
	os.WriteFile(notTTF, []byte("<html>not a font</html>"), 0o644)
	if _, err := LoadFonts(notTTF, DefaultKaiFont); skillscore.ErrorCode(err) != skillscore.EInvalid {
		t.Fatalf("non-font file: %v, want EInvalid", err)
	}
}

func TestParseLayoutRejectsBadElements(t *testing.T) {
	for _, raw := range []string{
		`{"orientation":"X","elements":[]}`,
		`{"orientation":"P","elements":[{"kind":"spiral"}]}`,
		`{"orientation":"P","elements":[{"kind":"text","font":"hei","size":12,"w":10}]}`,
		`{"orientation":"P","elements":[{"kind":"wrap","font":"song","size":12,"w":10}]}`,
		`{"orientation":"P","elements":[{"kind":"image","file":"../etc/passwd","w":1,"h":1}]}`,
		`{"orientation":"P","elements":[{"kind":"rect","w":1,"h":1,"color":"red"}]}`,
		`{"orientation":"P","elements":[],"extra":1}`,
	} {
		if _, err := ParseLayout([]byte(raw)); skillscore.ErrorCode(err) != skillscore.EInvalid {
			t.Errorf("ParseLayout(%s) = %v, want EInvalid", raw, err)
		}
	}
}

// The award certificate addresses its holder by group: a student is 同学,
// not 同志; the layout's salutation settings change both.
func TestAwardSalutationFollowsGroup(t *testing.T) {
	r := testRenderer(t)
	kr, _ := testKeys(t)
	student := awardFacts()
	student.Group, student.Organization = "学生组", "江西康养职业技术学校"
	for _, c := range []struct {
		f          Facts
		want, not  string
		layoutEdit func(l *Layout)
	}{
		{awardFacts(), "赖春梅同志（赣州市章贡区福康养老院）：", "同学", nil},
		{student, "赖春梅同学（江西康养职业技术学校）：", "同志", nil},
		{student, "赖春梅学员（江西康养职业技术学校）：", "同学", func(l *Layout) { l.SalutationByGroup = map[string]string{"学生组": "学员"} }},
		{awardFacts(), "赖春梅先生（赣州市章贡区福康养老院）：", "同志", func(l *Layout) { l.Salutation = "先生" }},
	} {
		rr := r
		if c.layoutEdit != nil {
			l := *r.layouts[KindAward]
			c.layoutEdit(&l)
			rr = &Renderer{fonts: r.fonts, layouts: map[string]*Layout{KindAward: &l}, pngs: &pngPool{}, qr: newQREncoder()}
		}
		d := sealed(t, kr, c.f, "360702199001010021")
		br, err := rr.ForBatch([]Document{d})
		if err != nil {
			t.Fatal(err)
		}
		pdf, err := br.Single(d)
		if err != nil {
			t.Fatal(err)
		}
		text := compact(pdfText(t, pdf))
		if !strings.Contains(text, c.want) || strings.Contains(text, c.not) {
			t.Errorf("%s: want %q and no %q in\n%s", c.f.Group, c.want, c.not, text)
		}
	}
}

// A level certificate without a photo shows a frame labelled 照片; with one,
// the photo and no label.
func TestLevelCertificatePhotoFrame(t *testing.T) {
	r := testRenderer(t)
	kr, _ := testKeys(t)
	d := sealed(t, kr, levelFacts(), "36010219900307002X")
	br, err := r.ForBatch([]Document{d})
	if err != nil {
		t.Fatal(err)
	}
	pdf, err := br.Single(d)
	if err != nil {
		t.Fatal(err)
	}
	if text := compact(pdfText(t, pdf)); !strings.Contains(text, "照片") {
		t.Errorf("a level certificate without a photo has no labelled frame:\n%s", text)
	}
	d.Photo = testPhoto(t)
	if pdf, err = br.Single(d); err != nil {
		t.Fatal(err)
	}
	if text := compact(pdfText(t, pdf)); strings.Contains(text, "照片") {
		t.Errorf("the label is printed over the photo:\n%s", text)
	}
}

// testPhoto is a small grey PNG.
func testPhoto(t *testing.T) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 33, 45))
	for i := range img.Pix {
		img.Pix[i] = 180
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
