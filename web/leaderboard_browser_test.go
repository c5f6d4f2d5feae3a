package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"skillscore/demo"
	"skillscore/internal/browsertest"
	"skillscore/internal/testenv"
	"skillscore/store"
	"skillscore/templates"
	"skillscore/web"
)

// demoServer serves the demo event from a fresh SQLite file.
func demoServer(t *testing.T) (*httptest.Server, *store.Store) {
	t.Helper()
	st, _ := testenv.Demo(t)
	tmpl, err := templates.New()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(web.New(web.Config{Store: st, Templates: tmpl, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}))
	t.Cleanup(srv.Close)
	return srv, st
}

// TestLeaderboardInBrowser opens the leaderboard in headless Chromium at
// big-screen size and reads what a spectator sees: every contestant's
// anonymous code in its group's table, ranks, and no names.
func TestLeaderboardInBrowser(t *testing.T) {
	srv, st := demoServer(t)
	ctx := browsertest.New(t, 1920, 1080)
	err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/events/"+demo.EventCode+"/leaderboard"),
		chromedp.WaitVisible(chromedp.CSS(`table.standings`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	codes := browsertest.Eval[[]string](t, ctx, `[...document.querySelectorAll('table.standings td.code')].map(td => td.innerText.trim())`)
	employeeRows := browsertest.Eval[int](t, ctx, `document.querySelectorAll('table[data-group=employee] tbody tr[data-code]').length`)
	studentRows := browsertest.Eval[int](t, ctx, `document.querySelectorAll('table[data-group=student] tbody tr[data-code]').length`)
	text := browsertest.Eval[string](t, ctx, `document.body.innerText`)
	ev, err := st.EventByCode(context.Background(), demo.EventCode)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := st.Contestants(context.Background(), ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	groups := map[string]int{}
	for _, c := range cs {
		want[*c.Code] = c.Name
		groups[c.GroupCode]++
	}
	if len(codes) != len(cs) {
		t.Fatalf("browser shows %d codes, roster has %d", len(codes), len(cs))
	}
	for _, code := range codes {
		if _, ok := want[code]; !ok {
			t.Errorf("unknown code %q on the board", code)
		}
	}
	if employeeRows != groups["employee"] || studentRows != groups["student"] {
		t.Errorf("rows per group: 职工组 %d 学生组 %d, roster %v", employeeRows, studentRows, groups)
	}
	for _, name := range want {
		if strings.Contains(text, name) {
			t.Errorf("the board shows the name %s before publication", name)
		}
	}
	if !strings.Contains(text, "已完成评分") {
		t.Errorf("no progress line on the board")
	}
}
