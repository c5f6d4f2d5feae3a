package main

import (
	"archive/zip"
	"bytes"
	"io"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"skillscore/demo"
	"skillscore/internal/browsertest"
)

// pageText is a page's text without tags, whitespace collapsed, so a test
// can look for what a reader sees.
func pageText(html string) string {
	html = regexp.MustCompile(`(?s)<script.*?</script>`).ReplaceAllString(html, " ")
	return strings.Join(strings.Fields(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(html, " ")), " ")
}

// TestDemoFinishedEventTellsTheWholeStory starts the real demo and opens
// every step of its finished event as the organizer: sheets locked, modules
// signed off, decrypted, published, both appeals decided (one re-marked),
// final, certificates issued. The certificates `certs --demo` renders for
// the demo's data directory carry QR codes that point at the demo server
// and verify there, as does the certificate link the banner prints.
func TestDemoFinishedEventTellsTheWholeStory(t *testing.T) {
	dir := t.TempDir()
	p := start(t, "demo", "--addr", "127.0.0.1:0", "--data", dir)
	banner := p.waitOutput(t, bannerEnd)
	ev := "/events/" + demo.FinishedCode
	for _, want := range []string{ev + "/results", ev + "/published", ev + "/appeals", ev + "/certificates", strings.ToUpper(p.base + "/verify?t="),
		"评价机构代码为演示值"} {
		if !strings.Contains(strings.ToUpper(banner), strings.ToUpper(want)) {
			t.Errorf("banner lacks %s:\n%s", want, banner)
		}
	}
	org, _ := session(t, p.base, "organizer", "demo-organizer", ev+"/results")
	page := func(c *http.Client, path string) string {
		t.Helper()
		resp, err := c.Get(p.base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || resp.Request.URL.Path != path {
			t.Fatalf("GET %s: %d at %s", path, resp.StatusCode, resp.Request.URL.Path)
		}
		return pageText(string(b))
	}
	results := page(org, ev+"/results")
	for _, want := range []string{"评分表全部锁定：✓ 已完成", "各模块裁判长签字确认：✓ 已完成", "解密：✓ 已完成",
		"成绩公示：✓ 已完成", "申诉处理完毕：✓ 已完成", "最终成绩确认：✓ 已完成", "公示期：2026-04-20 09:00 至 2026-04-25 09:00", "共 2 件，待处理 0 件"} {
		if !strings.Contains(results, want) {
			t.Errorf("results page lacks %q:\n%s", want, results)
		}
	}
	desk := page(org, ev+"/desk")
	// Each judged module's summary: nothing unmarked, open or merely
	// submitted; sheets locked; signed off.
	mods := regexp.MustCompile(`未评 (\d+) · 进行中 (\d+) · 已提交 (\d+) · 已锁定 (\d+) · 已签字确认`).FindAllStringSubmatch(desk, -1)
	if len(mods) != 3 {
		t.Errorf("desk shows %d signed-off modules, want 3:\n%.3000s", len(mods), desk)
	}
	for _, m := range mods {
		if m[1] != "0" || m[2] != "0" || m[3] != "0" || m[4] == "0" {
			t.Errorf("desk: %s", m[0])
		}
	}
	appeals := page(org, ev+"/appeals")
	for _, want := range []string{"已决定复评", "已驳回", "选手本人提交", "组织者登记"} {
		if !strings.Contains(appeals, want) {
			t.Errorf("appeals page lacks %q:\n%s", want, appeals)
		}
	}
	certs := page(org, ev+"/certificates")
	m := regexp.MustCompile(`已签发证书 (\d+) 张`).FindStringSubmatch(certs)
	if m == nil || m[1] == "0" || !strings.Contains(certs, "2026-04-28") || !strings.Contains(certs, "有效") {
		t.Errorf("certificates page lists none:\n%.3000s", certs)
	}
	published := page(http.DefaultClient, ev+"/published")
	if !strings.Contains(published, "成绩已最终确认") || !strings.Contains(published, "职工组") || !strings.Contains(published, "学生组") ||
		len(regexp.MustCompile(`\bY\d{3}\b`).FindAllString(published, -1)) < 18 ||
		!strings.Contains(published, "一等奖") {
		t.Errorf("公示 page lacks the rows:\n%.3000s", published)
	}

	verify := func(link string) {
		t.Helper()
		// Compared without case: a QR code may carry the URL in capitals
		// (its alphanumeric mode), which browsers open all the same.
		prefix := p.base + "/verify?t="
		if len(link) <= len(prefix) || !strings.EqualFold(link[:len(prefix)], prefix) {
			t.Fatalf("QR link %q does not point at the demo server %s", link, p.base)
		}
		token := link[len(prefix):]
		code, body := get(t, p.base+"/api/v1/certificates/verify?token="+url.QueryEscape(token))
		if code != 200 || !strings.Contains(body, `"status":"valid"`) || !strings.Contains(body, `"signature_verified":true`) {
			t.Fatalf("demo server's verification of %q: %d %s", link, code, body)
		}
	}
	verify(regexp.MustCompile(`(?i)http://\S+/verify\?t=\S+`).FindString(banner))

	out := filepath.Join(t.TempDir(), "certs")
	cmd := exec.Command(binary(t), "certs", "--demo", "--out", out, "--data", dir, "--addr", strings.TrimPrefix(p.base, "http://"))
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("certs --demo: %v\n%s", err, b)
	}
	levels, _ := filepath.Glob(filepath.Join(out, "S*.pdf"))
	awards, _ := filepath.Glob(filepath.Join(out, "HJ*.pdf"))
	if len(levels) == 0 || len(awards) == 0 || m == nil || strconv.Itoa(len(levels)+len(awards)) != m[1] {
		t.Fatalf("certs --demo rendered %d level and %d award certificates; the demo server lists %v", len(levels), len(awards), m)
	}
	png := filepath.Join(t.TempDir(), "page")
	if err := exec.Command("pdftoppm", "-r", "200", "-png", "-singlefile", levels[0], png).Run(); err != nil {
		t.Fatal(err)
	}
	qr, err := exec.Command("zbarimg", "-q", "--raw", "-Sdisable", "-Sqrcode.enable", png+".png").Output()
	if err != nil {
		t.Fatalf("zbarimg (zbar-tools) read no QR code: %v", err)
	}
	verify(strings.TrimSpace(string(qr)))
	p.stop(t)

	// Every step went through the store's audited methods.
	if b, err := exec.Command(binary(t), "audit", "verify", "--db", "sqlite:"+filepath.Join(dir, demoDBName)).CombinedOutput(); err != nil {
		t.Fatalf("audit verify: %v\n%s", err, b)
	}
	demoArchiveHoldsOversight(t, dir)
}

// demoArchiveHoldsOversight opens the finished event's archive the demo
// built (demo.ArchiveFinished): it verifies, and holds the 复核 report,
// the 仲裁 decision, the log with the two incidents and the filled
// 评分记录表, each PDF read back with pdftotext.
func demoArchiveHoldsOversight(t *testing.T, dir string) {
	t.Helper()
	zipPath := filepath.Join(dir, "archives", demo.FinishedCode+"-归档.zip")
	if b, err := exec.Command(binary(t), "archive", "verify", "--keys", filepath.Join(dir, "keys"), zipPath).CombinedOutput(); err != nil ||
		!strings.Contains(string(b), "归档核验通过") {
		t.Fatalf("archive verify of the demo's archive: %v\n%s", err, b)
	}
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	texts := map[string]string{}
	for _, f := range zr.File {
		if !strings.HasSuffix(f.Name, ".pdf") {
			continue
		}
		rc, _ := f.Open()
		data, _ := io.ReadAll(rc)
		rc.Close()
		cmd := exec.Command("pdftotext", "-layout", "-", "-")
		cmd.Stdin = bytes.NewReader(data)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("pdftotext %s: %v", f.Name, err)
		}
		texts[f.Name] = strings.Join(strings.Fields(string(out)), " ")
	}
	has := func(name string, words ...string) {
		t.Helper()
		txt, ok := texts[name]
		if !ok {
			t.Errorf("the demo's archive lacks %s", name)
		}
		for _, w := range words {
			if !strings.Contains(txt, w) {
				t.Errorf("%s lacks %q:\n%.2000s", name, w, txt)
			}
		}
	}
	has("recheck/成绩复核报告.pdf", demo.MonitorName)
	has("arbitration/仲裁决定书.pdf")
	has("arbitration/仲裁决定书-1.pdf")
	if _, ok := texts["arbitration/仲裁决定书-2.pdf"]; ok {
		t.Errorf("the demo decided one 仲裁, its archive holds a second decision")
	}
	has("incidents/赛场记录.pdf", "护理床", "口罩") // the equipment fault and the breach
	sheetsPDFs := 0
	for name, txt := range texts {
		if strings.HasPrefix(name, "scoresheets/评分记录表-") {
			sheetsPDFs++
			if !strings.Contains(txt, "签名方式") {
				t.Errorf("%s does not say how it was signed:\n%.1000s", name, txt)
			}
		}
	}
	if sheetsPDFs != 3 {
		t.Errorf("the demo's archive holds %d modules' 评分记录表, want the 3 judged modules", sheetsPDFs)
	}
}

// TestDemoFinishedPagesFitAPhone opens the finished event's step pages in
// Chromium on a phone's screen (390×844): none is wider than the screen
// (the certificates list, with a revoke form per row, made the whole page
// 943 px wide).
func TestDemoFinishedPagesFitAPhone(t *testing.T) {
	p := start(t, "demo", "--addr", "127.0.0.1:0", "--data", t.TempDir())
	b := browsertest.Device(t, browsertest.New(t, 1024, 768), 390, 844)
	browsertest.Navigates(t, b, chromedp.Navigate(p.base+"/login"))
	browsertest.Navigates(t, b,
		chromedp.SendKeys(chromedp.CSS(`input[name=username]`), "organizer"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "demo-organizer"),
		chromedp.Submit(chromedp.CSS(`input[name=password]`)))
	ev := "/events/" + demo.FinishedCode
	for _, path := range []string{ev + "/results", ev + "/appeals", ev + "/certificates", ev + "/published"} {
		browsertest.Navigates(t, b, chromedp.Navigate(p.base+path))
		if got := browsertest.Eval[string](t, b, `location.pathname`); got != path {
			t.Fatalf("opened %s, landed on %s", path, got)
		}
		if w := browsertest.Eval[int](t, b, `document.documentElement.scrollWidth`); w > 390 {
			t.Errorf("%s is %d px wide on a 390 px screen", path, w)
		}
	}
}
