package main

import (
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"skillscore/demo"
)

// TestDemoBatchesShowEachStage starts the real demo and follows what it
// prints of its assessment batches as each role would: the banner names
// every role's pages and logins; in the current batch the 补考 candidate's
// theory is carried from the earlier batch, with that batch's number and
// date, on the results page and on their 成绩单 (PDF read back), the absent
// candidate's theory is 缺考 and the overview counts them, the admission
// page lists the sittings; the 督导员 sees both rooms' progress; the earlier
// batch is approved on the 报审 page and the reviewer's list, and its
// certificates verify on the public /verify page.
func TestDemoBatchesShowEachStage(t *testing.T) {
	p := start(t, "demo", "--addr", "127.0.0.1:0", "--data", t.TempDir())
	defer p.stop(t)
	banner := p.waitOutput(t, bannerEnd)
	cur, prev := "/events/"+demo.BatchCode, "/events/"+demo.EarlierBatchCode
	for _, want := range []string{cur + "/batch\n", cur + "/batch/admission", cur + "/batch/supervision", cur + "/batch/review",
		cur + "/batch/report", cur + "/batch/retakes", prev + "/batch/review", prev + "/batch/approval", prev + "/batch/report",
		"supervisor / demo-supervisor", "reviewer / demo-reviewer"} {
		if !strings.Contains(banner, p.base+want) && !strings.Contains(banner, want) {
			t.Errorf("banner lacks %q:\n%s", want, banner)
		}
	}
	page := func(c *http.Client, path string) (string, []byte) {
		t.Helper()
		resp, err := c.Get(p.base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if want, _, _ := strings.Cut(path, "?"); resp.StatusCode != 200 || resp.Request.URL.Path != want {
			t.Fatalf("GET %s: %d at %s", path, resp.StatusCode, resp.Request.URL.Path)
		}
		return pageText(string(b)), b
	}
	org, _ := session(t, p.base, "organizer", "demo-organizer", "/")

	// The results: the carried theory with its source, the 缺考.
	results, _ := page(org, cur+"/results")
	carried := "合格（沿用 " + demo.EarlierBatchNo + " 批次，2026-06-13）"
	if !strings.Contains(results, carried) {
		t.Errorf("results page lacks the carried theory %q:\n%s", carried, results)
	}
	if n := strings.Count(results, "缺考"); n < 2 {
		t.Errorf("results page shows no candidate 缺考:\n%s", results)
	}

	// The 成绩单 of the 补考 candidate: the report lists each candidate's,
	// the 补考 one with the carried part.
	_, raw := page(org, cur+"/batch/report")
	row := regexp.MustCompile(`(?s)<tr>\s*<td>\d+</td><td>([^<]+)</td>\s*<td><a href="(/events/[^"]+/transcripts/\d+)">PDF</a></td>\s*<td>补考</td>`).
		FindSubmatch(raw)
	if row == nil {
		t.Fatalf("report page lists no 补考 candidate with a 成绩单:\n%s", raw)
	}
	resp, err := org.Get(p.base + string(row[2]))
	if err != nil {
		t.Fatal(err)
	}
	pdf, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(string(pdf), "%PDF") {
		t.Fatalf("成绩单 %s: %d %.200s", row[2], resp.StatusCode, pdf)
	}
	file := filepath.Join(t.TempDir(), "transcript.pdf")
	if err := os.WriteFile(file, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	text, err := exec.Command("pdftotext", "-raw", file, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext (poppler-utils): %v", err)
	}
	// The cell wraps its words over lines: read it without the breaks.
	flat := strings.Join(strings.Fields(string(text)), "")
	if !strings.Contains(flat, string(row[1])) || !strings.Contains(flat, strings.ReplaceAll(carried, " ", "")) {
		t.Errorf("成绩单 of %s does not carry the theory from %s:\n%s", row[1], demo.EarlierBatchNo, text)
	}

	// The overview counts the 缺考 (absent from the theory, no status: the
	// skills may follow); the admission page lists the rooms' sittings.
	overview, _ := page(org, cur+"/batch")
	if !regexp.MustCompile(`缺考 1 0 1`).MatchString(overview) {
		t.Errorf("overview does not count the one 缺考:\n%s", overview)
	}
	admission, _ := page(org, cur+"/batch/admission")
	for _, want := range []string{"下载全部准考证", "K01-theory", "K02-skill", "全部签到表"} {
		if !strings.Contains(admission, want) {
			t.Errorf("admission page lacks %q:\n%.3000s", want, admission)
		}
	}

	// The 督导员: both rooms, the skills under way.
	sup, _ := session(t, p.base, "supervisor", "demo-supervisor", "/")
	board, _ := page(sup, cur+"/batch/supervision")
	for _, want := range []string{"K01", "K02", "操作技能考核：评分表已提交", "综合评审"} {
		if !strings.Contains(board, want) {
			t.Errorf("督导 board lacks %q:\n%.3000s", want, board)
		}
	}
	if m := regexp.MustCompile(`评分表 (\d+) / (\d+)`).FindStringSubmatch(board); m == nil || m[1] == "0" || m[1] == m[2] {
		t.Errorf("督导 board shows no progress part-way: %v", m)
	}

	// The approved batch: submitted by the body, approved by the 审核员,
	// on the organizer's 报审 page and the reviewer's list.
	review, _ := page(org, prev+"/batch/review")
	for _, want := range []string{"审核状态 已批准", "共 5 个工作日", "批准 reviewer", "报审 organizer"} {
		if !strings.Contains(review, want) {
			t.Errorf("报审 page of the approved batch lacks %q:\n%.3000s", want, review)
		}
	}
	rev, _ := session(t, p.base, "reviewer", "demo-reviewer", "/")
	if reviews, _ := page(rev, "/reviews"); !strings.Contains(reviews, demo.EarlierBatchNo) || !strings.Contains(reviews, "已批准") {
		t.Errorf("the reviewer's list lacks the approved batch:\n%s", reviews)
	}

	// The approved batch's certificates: each verifies on the public page.
	certs, _ := page(org, prev+"/certificates")
	m := regexp.MustCompile(`已签发证书 (\d+) 张`).FindStringSubmatch(certs)
	if m == nil || m[1] == "0" {
		t.Fatalf("approved batch lists no certificates:\n%.3000s", certs)
	}
	cert := regexp.MustCompile(`(S\d{21}) 职业技能等级证书 演示 (\p{Han}+) `).FindStringSubmatch(certs)
	if cert == nil {
		t.Fatalf("no level certificate on the approved batch's page:\n%.3000s", certs)
	}
	verified, _ := page(http.DefaultClient, "/verify?number="+url.QueryEscape(cert[1])+"&name="+url.QueryEscape(cert[2]))
	for _, want := range []string{cert[1], "有效", "演示", "二级/技师"} {
		if !strings.Contains(verified, want) {
			t.Errorf("/verify of %s lacks %q:\n%s", cert[1], want, verified)
		}
	}
}
