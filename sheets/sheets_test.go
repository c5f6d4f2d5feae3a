package sheets

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"skillscore/certificates"
	"skillscore/scoring"
)

func fonts(t *testing.T) certificates.Fonts {
	t.Helper()
	f, err := certificates.LoadFonts(certificates.DefaultSongFont, certificates.DefaultKaiFont)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// pdfText reads a PDF back with pdftotext (poppler-utils).
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "out.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", path, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	return string(out)
}

func TestDrawSheetReadsBack(t *testing.T) {
	d := DrawSheet{EventName: "2026年江西省养老护理员职业技能竞赛", TwoLayers: true,
		Seeds:   []string{"第一次加密 种子 0123abcd（抽签人 organizer）"},
		Printed: time.Date(2026, 5, 20, 9, 0, 0, 0, time.UTC)}
	for i := 1; i <= 60; i++ {
		d.Rows = append(d.Rows, DrawSheetRow{Station: fmt.Sprintf("%02d", i), Code1: fmt.Sprintf("A%03d", i),
			Code2: fmt.Sprintf("B%03d", i), Name: fmt.Sprintf("选手%02d号", i),
			Organization: "南昌市第一社会福利院养老护理服务中心（康养与照护技能实训基地）"})
	}
	var buf bytes.Buffer
	if err := WriteDrawSheet(&buf, fonts(t), d); err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, buf.Bytes())
	for _, want := range []string{"抽签结果表（密封）", "二次加密号", "选手01号", "选手60号", "A060", "B001",
		"抽签人（签字）", "监督员（签字）", "0123abcd", "第 2 页", "实训基地"} {
		if !strings.Contains(text, want) {
			t.Errorf("draw sheet lacks %q", want)
		}
	}
	if t.Failed() {
		t.Log(text)
	}
}

// decodeQRs renders a PDF at 150 dpi and reads every QR code with zbarimg.
func decodeQRs(t *testing.T, pdf []byte) []string {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "cards.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("pdftoppm", "-r", "150", "-png", path, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	pages, _ := filepath.Glob(filepath.Join(dir, "page*.png"))
	var codes []string
	for _, pg := range pages {
		out, err := exec.Command("zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", pg).Output()
		if err != nil {
			t.Fatalf("zbarimg %s: %v", pg, err)
		}
		codes = append(codes, strings.Fields(string(out))...)
	}
	return codes
}

func TestJudgeCardsReadBack(t *testing.T) {
	var cards []JudgeCard
	for i := 1; i <= 7; i++ {
		cards = append(cards, JudgeCard{JudgeCode: fmt.Sprintf("J%02d", i), JudgeName: fmt.Sprintf("裁判员%d", i),
			Modules: "生活照护（裁判长）、基础照护", URL: fmt.Sprintf("http://10.0.0.5:8080/judge?t=ticket-%02d", i),
			PIN: fmt.Sprintf("%06d", 123450+i), Expires: time.Date(2026, 5, 21, 18, 0, 0, 0, time.UTC)})
	}
	var buf bytes.Buffer
	if err := WriteJudgeCards(&buf, fonts(t), "2026年江西省养老护理员职业技能竞赛", scoring.TermsFor("competition"), cards, time.Date(2026, 5, 20, 9, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, buf.Bytes())
	for _, want := range []string{"裁判登录卡", "J01", "J07", "裁判员7", "123451", "123457", "生活照护（裁判长）", "第 2 页", "勿外传"} {
		if !strings.Contains(text, want) {
			t.Errorf("cards lack %q", want)
		}
	}
	got := decodeQRs(t, buf.Bytes())
	if len(got) != 7 {
		t.Fatalf("decoded %d QR codes, want 7: %v", len(got), got)
	}
	seen := map[string]bool{}
	for _, g := range got {
		seen[g] = true
	}
	for _, c := range cards {
		if !seen[c.URL] {
			t.Errorf("QR %s not decoded; got %v", c.URL, got)
		}
	}
	// An assessment's cards are the 考评员's.
	buf.Reset()
	if err := WriteJudgeCards(&buf, fonts(t), "2026年第7批养老护理员职业技能等级认定", scoring.TermsFor("assessment"), cards[:1], time.Date(2026, 7, 9, 9, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	if text := pdfText(t, buf.Bytes()); !strings.Contains(text, "考评员登录卡") || strings.Contains(text, "裁判登录卡") {
		t.Errorf("assessment's card:\n%s", text)
	}
}
