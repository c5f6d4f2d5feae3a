package web_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"

	"skillscore/demo"
	"skillscore/internal/testenv"
	"skillscore/templates"
	"skillscore/web"
)

// routeRE finds every route registered in routes.go: the method, the path
// (or the name of the constant that holds it).
var routeRE = regexp.MustCompile(`(?:handle|mux\.Handle)\("([A-Z]+) (?:"\+(\w+)|([^"]*)")`)

// embeddablePages are the pages meant to be shown in another site's frame
// (README, "Headers").
var embeddablePages = map[string]bool{
	"GET /events/{code}/leaderboard": true,
	"GET /events/{code}/bigscreen":   true,
	"GET /events/{code}/phone":       true,
	"GET /events/{code}/published":   true,
}

// TestSecurityHeadersOnEveryRoute requests every route of routes.go (most
// answer an error here: no login, no CSRF token, unknown ids), a static
// file, /metrics, an unknown path and a wrong method, and checks each
// response's nosniff, Referrer-Policy and framing headers.
func TestSecurityHeadersOnEveryRoute(t *testing.T) {
	src, err := os.ReadFile("routes.go")
	if err != nil {
		t.Fatal(err)
	}
	st, _ := testenv.Demo(t)
	tmpl, err := templates.New()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(web.New(web.Config{Store: st, Templates: tmpl, Judging: st,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}))
	t.Cleanup(srv.Close)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	type req struct{ route, method, path string }
	var reqs []req
	fill := strings.NewReplacer("{code}", demo.EventCode, "{$}", "")
	wildcard := regexp.MustCompile(`\{[a-z]+\}`)
	for _, m := range routeRE.FindAllStringSubmatch(string(src), -1) {
		method, constant, path := m[1], m[2], m[3]
		route := method + " " + path
		if constant != "" { // "GET "+KeysPath
			if constant != "KeysPath" {
				t.Fatalf("route %s: unknown path constant %s", route, constant)
			}
			route, path = method+" "+constant, web.KeysPath
		}
		reqs = append(reqs, req{route, method, wildcard.ReplaceAllString(fill.Replace(path), "1")})
	}
	if n := strings.Count(string(src), `handle("`) + strings.Count(string(src), `mux.Handle("`); len(reqs) != n || n < 70 {
		t.Fatalf("read %d of the %d routes in routes.go: the pattern no longer reads them", len(reqs), n)
	}
	// A real static file: the leaderboard links its stylesheet.
	_, page := fetch(t, client, "GET", srv.URL+"/events/"+demo.EventCode+"/leaderboard")
	static := regexp.MustCompile(`/static/[^"?]+`).FindString(page)
	if static == "" {
		t.Fatal("the leaderboard links no static file")
	}
	reqs = append(reqs, req{"GET /static/", "GET", static}, req{"unknown path", "GET", "/no/such/page"},
		req{"wrong method", "DELETE", "/healthz"}, req{"chief view", "GET", "/events/" + demo.EventCode + "/phone?view=chief"})

	codes := map[int]int{}
	for _, q := range reqs {
		code, _, h := do3(t, client, q.method, srv.URL+q.path)
		codes[code]++
		if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%s → %d: X-Content-Type-Options %q", q.route, code, got)
		}
		if got := h.Get("Referrer-Policy"); got != "same-origin" {
			t.Errorf("%s → %d: Referrer-Policy %q", q.route, code, got)
		}
		csp, xfo := h.Get("Content-Security-Policy"), h.Get("X-Frame-Options")
		if embeddablePages[q.route] {
			if csp != "frame-ancestors *" || xfo != "" {
				t.Errorf("%s → %d: embeddable page sends CSP %q, X-Frame-Options %q", q.route, code, csp, xfo)
			}
		} else if csp != "frame-ancestors 'none'" || xfo != "DENY" {
			t.Errorf("%s → %d: framing not refused (CSP %q, X-Frame-Options %q)", q.route, code, csp, xfo)
		}
	}
	t.Logf("%d requests, status codes %v", len(reqs), codes)
	// The table covered successes and errors alike.
	if codes[200] == 0 || codes[404] == 0 || codes[405] == 0 || len(codes) < 4 {
		t.Errorf("status codes seen %v: want 200s and errors of several kinds", codes)
	}
}

func fetch(t *testing.T, c *http.Client, method, url string) (int, string) {
	t.Helper()
	code, body, _ := do3(t, c, method, url)
	return code, body
}

func do3(t *testing.T, c *http.Client, method, url string) (int, string, http.Header) {
	t.Helper()
	r, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(r)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b), resp.Header
}
