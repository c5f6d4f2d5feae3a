package main

import (
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// TestEveryNavigationLinkWorks: on the real demo server, every link in the
// header and the event navigation of an organizer page answers 200 for the
// organizer (the 公示页 before publication too, saying 尚未公示), and the
// icon browsers ask for on every page is there.
func TestEveryNavigationLinkWorks(t *testing.T) {
	p := start(t, "demo", "--addr", "127.0.0.1:0", "--data", t.TempDir())
	p.waitOutput(t, bannerEnd)
	org, _ := session(t, p.base, "organizer", "demo-organizer", "/events/jx-ylhly-2026/setup")
	fetch := func(path string) (int, string) {
		t.Helper()
		resp, err := org.Get(p.base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	_, body := fetch("/events/jx-ylhly-2026/setup")
	parts := regexp.MustCompile(`(?s)<header class="top">.*?</header>|<nav class="eventnav".*?</nav>`).FindAllString(body, -1)
	if len(parts) != 2 {
		t.Fatalf("header and navigation not found (%d parts)", len(parts))
	}
	links := regexp.MustCompile(`href="(/[^"]*)"`).FindAllStringSubmatch(strings.Join(parts, ""), -1)
	if len(links) < 14 {
		t.Fatalf("only %d links", len(links))
	}
	for _, l := range links {
		if status, body := fetch(l[1]); status != http.StatusOK {
			t.Errorf("%s: %d\n%.300s", l[1], status, body)
		}
	}
	if _, body := fetch("/events/jx-ylhly-2026/published"); !strings.Contains(body, "尚未公示") {
		t.Error("the 公示页 before publication does not say 尚未公示")
	}
	if status, _ := fetch("/favicon.ico"); status != http.StatusOK {
		t.Errorf("/favicon.ico: %d", status)
	}
}
