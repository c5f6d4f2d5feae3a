package main

import (
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"skillscore/demo"
)

// TestEveryNavigationLinkWorks: on the real demo server, every link in the
// header and the event navigation of an organizer page answers 200 for the
// organizer (the 公示页 before publication too, saying 尚未公示), and the
// icon browsers ask for on every page is there. For the chief judge, 监督,
// 仲裁 and 督导员 the navigation shows exactly the links that open for them,
// and the home page's row of the event links their pages (at least three).
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
	if hidden := navHiddenSteps(body); len(hidden) != 0 {
		t.Errorf("the organizer's navigation hides %v", hidden)
	}

	// Every role that opens an event page with the navigation sees exactly
	// the links that open for it: a shown link answers 200, a hidden one
	// 403 or 404.
	fin, batch := "/events/"+demo.FinishedCode, "/events/"+demo.BatchCode
	for _, c := range []struct {
		user, pass, page string
		shown, hidden    string // one step of each, so the split is not vacuous
	}{
		{"chief", "demo-chief", fin + "/appeals", "desk", "setup"},
		{demo.MonitorUser, "demo-monitor", fin + "/appeals", "incidents", "archive"},
		{demo.ArbiterUsername, "demo-arbiter", fin + "/appeals", "evidence", "archive"},
		{"supervisor", "demo-supervisor", batch + "/batch", "roster", "evidence"},
	} {
		client, _ := session(t, p.base, c.user, c.pass, c.page)
		get := func(path string) (int, string) {
			t.Helper()
			resp, err := client.Get(p.base + path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(b)
		}
		// The home page's row of the event links the role's own pages,
		// each of which opens.
		code := strings.Split(c.page, "/")[2]
		_, home := get("/")
		row := regexp.MustCompile(`(?s)<tr data-event="` + regexp.QuoteMeta(code) + `">.*?</tr>`).FindString(home)
		rowLinks := regexp.MustCompile(`href="(/[^"]*)"`).FindAllStringSubmatch(row, -1)
		if len(rowLinks) < 3 {
			t.Errorf("%s: the home page's row of %s has %d links", c.user, code, len(rowLinks))
		}
		for _, l := range rowLinks {
			if status, _ := get(l[1]); status != http.StatusOK {
				t.Errorf("%s: home page link %s answers %d", c.user, l[1], status)
			}
		}
		status, body := get(c.page)
		if status != http.StatusOK {
			t.Fatalf("%s → %s: %d", c.user, c.page, status)
		}
		hidden := navHiddenSteps(body)
		nav := regexp.MustCompile(`(?s)<nav class="eventnav".*?</nav>`).FindString(body)
		links := regexp.MustCompile(`href="(/[^"]*)" data-step="([a-z]+)"`).FindAllStringSubmatch(nav, -1)
		if len(links) < 20 {
			t.Fatalf("%s: %d links with a step in the navigation", c.user, len(links))
		}
		if hidden[c.shown] || !hidden[c.hidden] {
			t.Errorf("%s: %s hidden %v, %s hidden %v", c.user, c.shown, hidden[c.shown], c.hidden, hidden[c.hidden])
		}
		for _, l := range links {
			status, _ := get(l[1])
			refused := status == http.StatusForbidden || status == http.StatusNotFound
			switch {
			case hidden[l[2]] && !refused:
				t.Errorf("%s: %s (%s) is hidden but answers %d", c.user, l[2], l[1], status)
			case !hidden[l[2]] && status != http.StatusOK:
				t.Errorf("%s: %s (%s) is shown but answers %d", c.user, l[2], l[1], status)
			}
		}
	}
}

// navHiddenSteps reads the steps a page's layout hides from its event
// navigation (the style rule the layout writes for the user's role).
func navHiddenSteps(page string) map[string]bool {
	out := map[string]bool{}
	for _, m := range regexp.MustCompile(`nav\.eventnav \[data-step=([a-z]+)\]`).FindAllStringSubmatch(page, -1) {
		out[m[1]] = true
	}
	return out
}
