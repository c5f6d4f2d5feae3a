package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"skillscore/demo"
	"skillscore/internal/testenv"
	"skillscore/store"
)

// TestCertsDemoFromFreshClone renders the demo event's certificates as a
// user would, reads a level certificate back (text and QR code) and checks
// its token offline with verify-cert and the published key set.
func TestCertsDemoFromFreshClone(t *testing.T) {
	bin := binary(t)
	out := filepath.Join(t.TempDir(), "certs")
	cmd := exec.Command(bin, "certs", "--demo", "--out", out)
	stdout, err := cmd.Output()
	if err != nil {
		t.Fatalf("certs --demo: %v\n%s", err, stdout)
	}
	if !strings.Contains(string(stdout), "评价机构代码为演示值（S 0000 36 000001") {
		t.Errorf("certs --demo does not say its body codes are demo values:\n%s", stdout)
	}
	levels, _ := filepath.Glob(filepath.Join(out, "S*.pdf"))
	awards, _ := filepath.Glob(filepath.Join(out, "HJ*.pdf"))
	if len(levels) == 0 || len(awards) == 0 {
		t.Fatalf("want both kinds, got %d level and %d award PDFs\n%s", len(levels), len(awards), stdout)
	}
	for _, f := range []string{"certificates.zip", "certificates-print.pdf", "public-keys.json"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Fatalf("missing %s: %v", f, err)
		}
	}
	text, err := exec.Command("pdftotext", "-enc", "UTF-8", levels[0], "-").Output()
	if err != nil {
		t.Fatalf("pdftotext (poppler-utils): %v", err)
	}
	number := strings.TrimSuffix(filepath.Base(levels[0]), ".pdf")
	number = number[:strings.IndexByte(number, '-')]
	for _, want := range []string{"职业技能等级证书", "江西表嫂", number, "养老护理员"} {
		if !strings.Contains(strings.Join(strings.Fields(string(text)), ""), want) {
			t.Errorf("%s lacks %q", filepath.Base(levels[0]), want)
		}
	}
	// Every page of the printable PDF, rasterised at 150 dpi (an office
	// scan, or about what a phone at arm's length sees), reads with zbarimg
	// and verifies offline.
	pages := filepath.Join(t.TempDir(), "page")
	if err := exec.Command("pdftoppm", "-r", "150", "-png", filepath.Join(out, "certificates-print.pdf"), pages).Run(); err != nil {
		t.Fatal(err)
	}
	pngs, _ := filepath.Glob(pages + "*.png")
	if len(pngs) != len(levels)+len(awards) {
		t.Fatalf("%d pages rendered for %d certificates", len(pngs), len(levels)+len(awards))
	}
	keys := filepath.Join(out, "public-keys.json")
	var url string
	for _, p := range pngs {
		qr, err := exec.Command("zbarimg", "-q", "--raw", "-Sdisable", "-Sqrcode.enable", p).Output()
		if err != nil {
			t.Fatalf("zbarimg (zbar-tools) read no QR code on %s at 150 dpi: %v", filepath.Base(p), err)
		}
		u := strings.TrimSpace(string(qr))
		res, err := exec.Command(bin, "verify-cert", "--pubkeys", keys, u).CombinedOutput()
		if err != nil || !strings.Contains(string(res), "签名有效") {
			t.Fatalf("verify-cert %s: %v\n%s\nQR: %q", filepath.Base(p), err, res, u)
		}
		if strings.Contains(string(res), number) {
			url = u
		}
	}
	if url == "" {
		t.Fatalf("no page's QR code verifies as %s", number)
	}
	tampered := []byte(url)
	tampered[len(tampered)-20] ^= 1
	runFail(t, exec.Command(bin, "verify-cert", "--pubkeys", keys, string(tampered)), "证书验证码")
}

func TestCertsMissingFontNamesThePackage(t *testing.T) {
	bin := binary(t)
	runFail(t, exec.Command(bin, "certs", "--demo", "--out", t.TempDir(), "--font-kai", "/nonexistent/gkai00mp.ttf"),
		"fonts-arphic-gkai00mp")
}

// TestCertsIssueRevokeAndRotate runs the organizer's command-line path on a
// database: issue and render an event, revoke one certificate (once), and
// rotate the signing key with the old certificates still verifying.
func TestCertsIssueRevokeAndRotate(t *testing.T) {
	bin := binary(t)
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "event.db")
	st, err := store.Open(context.Background(), db, store.Options{Keys: testenv.Keys(t)})
	if err != nil {
		t.Fatal(err)
	}
	ev, err := demo.Create(context.Background(), st)
	if err != nil {
		t.Fatal(err)
	}
	keys := filepath.Join(dir, "keys")
	if out, err := exec.Command(bin, "certs", "keygen", "--keys", keys).CombinedOutput(); err != nil {
		t.Fatalf("keygen: %v\n%s", err, out)
	}
	out := filepath.Join(dir, "out")
	runFail(t, exec.Command(bin, "certs", "--db", db, "--event", demo.EventCode, "--keys", keys, "--out", out), "尚未最终确认")
	testenv.Final(t, st, ev.ID)
	st.Close()
	// The 评价机构代码 and 序列码 have no default: the event's level
	// certificates are refused, naming the settings, and nothing is issued.
	runFail(t, exec.Command(bin, "certs", "--db", db, "--event", demo.EventCode, "--keys", keys, "--out", out),
		"张职业技能等级证书待签发，未签发任何证书：尚未设置评价机构代码（4 位，先向省级人社部门备案的为 0000；--cert-body 或环境变量 SKILLSCORE_CERT_BODY）和评价机构序列码（6 位；--cert-body-serial")
	body := []string{"--cert-body", "0000", "--cert-body-serial", "000001"}
	certs := func() *exec.Cmd {
		return exec.Command(bin, append([]string{"certs", "--db", db, "--event", demo.EventCode, "--keys", keys, "--out", out}, body...)...)
	}
	if res, err := certs().CombinedOutput(); err != nil {
		t.Fatalf("certs: %v\n%s", err, res)
	}
	again, err := certs().CombinedOutput()
	if err != nil || !strings.Contains(string(again), "已签发 0 张新证书") {
		t.Fatalf("second run issued again: %v\n%s", err, again)
	}
	pdfs, _ := filepath.Glob(filepath.Join(out, "HJ*.pdf"))
	if len(pdfs) == 0 {
		t.Fatal("no award certificates")
	}
	number := strings.SplitN(filepath.Base(pdfs[0]), "-", 2)[0]
	res, err := exec.Command(bin, "certs", "revoke", "--db", db, "--number", number, "--reason", "获奖资格取消", "--by", "组织者").CombinedOutput()
	if err != nil || !strings.Contains(string(res), "已于") {
		t.Fatalf("revoke: %v\n%s", err, res)
	}
	runFail(t, exec.Command(bin, "certs", "revoke", "--db", db, "--number", number, "--reason", "再次"), "已于")
	runFail(t, exec.Command(bin, "certs", "revoke", "--db", db, "--number", number), "撤销证书必须填写原因")

	// Rotation: a new active key; a token of the old one still verifies.
	png := filepath.Join(dir, "page")
	if err := exec.Command("pdftoppm", "-r", "200", "-png", "-singlefile", pdfs[0], png).Run(); err != nil {
		t.Fatal(err)
	}
	qr, err := exec.Command("zbarimg", "-q", "--raw", "-Sdisable", "-Sqrcode.enable", png+".png").Output()
	if err != nil {
		t.Fatalf("zbarimg: %v", err)
	}
	if res, err := exec.Command(bin, "certs", "keygen", "--keys", keys).CombinedOutput(); err != nil {
		t.Fatalf("second keygen: %v\n%s", err, res)
	}
	if pubs, _ := filepath.Glob(filepath.Join(keys, "*.pub")); len(pubs) != 2 {
		t.Fatalf("%d public keys after rotation, want 2", len(pubs))
	}
	res, err = exec.Command(bin, "verify-cert", "--keys", keys, strings.TrimSpace(string(qr))).CombinedOutput()
	if err != nil || !strings.Contains(string(res), "签名有效") {
		t.Fatalf("old certificate after rotation: %v\n%s", err, res)
	}
}
