package web_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// getPDF fetches a PDF link as the browser's user and reads it back.
func (b *browser) getPDF(path string) string {
	b.t.Helper()
	resp, err := b.c.Get(b.base + path)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/pdf" {
		b.t.Fatalf("GET %s: %d %s\n%.300s", path, resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	file := filepath.Join(b.t.TempDir(), "f.pdf")
	if err := os.WriteFile(file, body, 0o600); err != nil {
		b.t.Fatal(err)
	}
	text, err := exec.Command("pdftotext", "-layout", file, "-").CombinedOutput()
	if err != nil {
		b.t.Fatalf("pdftotext %s: %v %s", path, err, text)
	}
	return string(text)
}

var hrefRE = regexp.MustCompile(`href="([^"]+)"`)

// links are a page's links whose path contains part.
func links(page, part string) []string {
	var out []string
	for _, m := range hrefRE.FindAllStringSubmatch(page, -1) {
		if strings.Contains(m[1], part) {
			out = append(out, strings.ReplaceAll(m[1], "&amp;", "&"))
		}
	}
	return out
}

// TestPaperTrailLinksOnDeskAndSessions: the chief judge's desk links each
// module's blank and filled 评分记录表, every submitted sheet's own and the
// 裁判分工表; the organizer's sessions page links each session's 签到表;
// every link gives a PDF that reads back with its signature lines.
func TestPaperTrailLinksOnDeskAndSessions(t *testing.T) {
	o := newOffice(t)
	chief := o.browser()
	if code := chief.login("chief", "pass-chief"); code != http.StatusSeeOther {
		t.Fatalf("chief login: %d", code)
	}
	code, desk := chief.get("/events/" + o.ev.Code + "/desk")
	if code != http.StatusOK {
		t.Fatalf("desk: %d", code)
	}
	blank, filled, one, duties := links(desk, "/blank.pdf"), links(desk, "/filled.pdf"), links(desk, "/record.pdf"), links(desk, "/duties.pdf")
	if len(blank) != 3+9 || len(filled) != 3 || len(one) == 0 || len(duties) != 1 {
		t.Fatalf("desk links: %d blank, %d filled, %d sheets, %d duties", len(blank), len(filled), len(one), len(duties))
	}
	perJudge := links(desk, "/blank.pdf?judge=")
	if len(perJudge) != 9 {
		t.Errorf("%d per-judge blank links, want one per panel place (9)", len(perJudge))
	} else if text := chief.getPDF(perJudge[0]); strings.Count(text, "空白表（纸质评分用）") < 2 || strings.Contains(text, "J02") {
		t.Errorf("J01's blank stack:\n%.1500s", text)
	}
	if strings.Contains(desk, `id="paper-settings"`) {
		t.Error("the chief judge is offered the organizer's paper setting")
	}
	text := chief.getPDF(blank[0])
	for _, w := range []string{"评分记录表", "空白表（纸质评分用）", "裁判（签字）", "裁判长（签字）"} {
		if !strings.Contains(text, w) {
			t.Errorf("blank PDF lacks %q", w)
		}
	}
	text = chief.getPDF(one[0])
	for _, w := range []string{"已提交", "本表得分", "裁判组结果", "签名方式", "裁判长（签字）"} {
		if !strings.Contains(text, w) {
			t.Errorf("sheet PDF lacks %q", w)
		}
	}
	if strings.Count(text, "评分记录表 · 打印于") != 1 {
		t.Errorf("one sheet's PDF has %d pages", strings.Count(text, "评分记录表 · 打印于"))
	}
	text = chief.getPDF(filled[0])
	if n := strings.Count(text, "签名方式"); n < 2 {
		t.Errorf("the module's filled PDF has %d sheets", n)
	}
	if text = chief.getPDF(duties[0]); !strings.Contains(text, "裁判分工表") || !strings.Contains(text, "本人签名") {
		t.Errorf("duties PDF:\n%s", text)
	}
	// Bad requests are refused with a reason, not a PDF.
	for path, want := range map[string]int{
		"/events/" + o.ev.Code + "/records/A/other.pdf":                                  http.StatusNotFound,
		"/events/" + o.ev.Code + "/records/Z/blank.pdf":                                  http.StatusNotFound,
		"/events/" + o.ev.Code + "/records/A/blank.pdf?judge=" + strings.Repeat("J", 40): http.StatusBadRequest,
		"/events/" + o.ev.Code + "/sheets/999999/record.pdf":                             http.StatusNotFound,
	} {
		if code, _ := chief.get(path); code != want {
			t.Errorf("GET %s: %d, want %d", path, code, want)
		}
	}

	org := o.browser()
	org.login("org", "pass-org")
	_, sessions := org.get("/events/" + o.ev.Code + "/sessions")
	sj, sc := links(sessions, "/signin-judges.pdf"), links(sessions, "/signin-contestants.pdf")
	if len(sj) == 0 || len(sj) != len(sc) || len(links(sessions, "/duties.pdf")) != 1 {
		t.Fatalf("sessions links: %d judges', %d contestants'", len(sj), len(sc))
	}
	if text := org.getPDF(sj[0]); !strings.Contains(text, "裁判签到表") || !strings.Contains(text, "裁判签名") || !strings.Contains(text, "监督（签字）") {
		t.Errorf("judges' sign-in PDF:\n%s", text)
	}
	if text := org.getPDF(sc[0]); !strings.Contains(text, "选手签到表") || !strings.Contains(text, "选手签名") || !strings.Contains(text, "检录员（签字）") {
		t.Errorf("contestants' sign-in PDF:\n%s", text)
	}
}

// TestPaperSettingOrganizerOnlyAudited: the organizer turns the
// contestant's line on from the desk (audited), after which a filled
// sheet carries it; the chief judge cannot change it; a bad value is
// refused and stores nothing.
func TestPaperSettingOrganizerOnlyAudited(t *testing.T) {
	o := newOffice(t)
	path := "/events/" + o.ev.Code + "/records/settings"
	chief := o.browser()
	chief.login("chief", "pass-chief")
	chief.get("/events/" + o.ev.Code + "/desk")
	if code, _ := chief.post(path, url.Values{"csrf": {chief.csrf}, "contestant_signs": {"1"}}); code != http.StatusForbidden {
		t.Errorf("chief sets the paper setting: %d", code)
	}
	org := o.browser()
	org.login("org", "pass-org")
	_, desk := org.get("/events/" + o.ev.Code + "/desk")
	if !strings.Contains(desk, `id="paper-settings"`) || !strings.Contains(desk, "<strong>不印</strong>选手签字栏") {
		t.Fatal("the organizer's desk lacks the paper setting")
	}
	if code, _ := org.post(path, url.Values{"csrf": {org.csrf}, "contestant_signs": {"yes"}}); code != http.StatusBadRequest {
		t.Errorf("a bad value: %d", code)
	}
	if code, _ := org.post(path, url.Values{"csrf": {org.csrf}, "contestant_signs": {"1"}}); code != http.StatusSeeOther {
		t.Fatalf("set: %d", code)
	}
	_, desk = org.get("/events/" + o.ev.Code + "/desk?msg=paper-signs-on")
	if !strings.Contains(desk, "<strong>加印</strong>选手签字栏") || !strings.Contains(desk, "已设置：已填评分记录表加印选手签字栏") {
		t.Error("the desk does not show the new setting")
	}
	entries, err := o.st.AuditFor(context.Background(), o.ev.ID, "", "org")
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Action != "paper.settings" {
		t.Errorf("audit: %+v", entries)
	}
	if text := org.getPDF(links(desk, "/record.pdf")[0]); !strings.Contains(text, "选手（签字）") {
		t.Error("a filled sheet without the contestant's line after the setting")
	}
}
