package web_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"skillscore/demo"
	"skillscore/internal/testenv"
	"skillscore/judges"
	"skillscore/templates"
	"skillscore/web"
)

// TestNoticeCannotCarryText: every staff page that shows a success notice
// shows only the texts its redirects name by key; a link with ?msg=<any
// text> puts nothing of its own on the page, and neither does an unknown key
// or a key with counts that do not fit.
func TestNoticeCannotCarryText(t *testing.T) {
	st, _ := testenv.Demo(t)
	addStaff(t, st, "org", "chief")
	tmpl, err := templates.New()
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := judges.New(st, judges.Config{Logger: log})
	t.Cleanup(svc.Close)
	w := web.New(web.Config{Store: st, Templates: tmpl, Logger: log, Judges: svc, Judging: st, Roster: st})
	srv := httptest.NewServer(w)
	t.Cleanup(w.Close)
	t.Cleanup(srv.Close)
	o := &office{t: t, st: st, srv: srv}
	org, chief := o.browser(), o.browser()
	if org.login("org", "pass-org") != http.StatusSeeOther || chief.login("chief", "pass-chief") != http.StatusSeeOther {
		t.Fatal("login failed")
	}
	const forged = "系统通知：账号异常，请立即致电 400-000-0000 并提供密码"
	ev := "/events/" + demo.EventCode
	pages := []struct {
		who  *browser
		path string
	}{
		{org, ev + "/judges?"}, {org, ev + "/setup?"}, {org, ev + "/results?"}, {org, ev + "/appeals?"},
		{org, ev + "/draw?"}, {org, ev + "/imports?"}, {org, ev + "/roster?"}, {org, "/statistics?year=2026&"},
		{chief, ev + "/desk?"},
	}
	for _, p := range pages {
		for _, msg := range []string{forged, "sheets-assigned", "sheets-assigned.3.4", "sheets-assigned.-3", "no-such-key",
			"sheets-assigned.3" + forged} {
			code, body := p.who.get(p.path + "msg=" + url.QueryEscape(msg))
			if code != 200 {
				t.Fatalf("%s: %d", p.path, code)
			}
			if strings.Contains(body, forged) || strings.Contains(body, `role="status"`) {
				t.Errorf("%s?msg=%q shows a notice", p.path, msg)
			}
		}
		code, body := p.who.get(p.path + "msg=sheets-assigned.3")
		if code != 200 || !strings.Contains(body, "已分配 3 份评分表") {
			t.Errorf("%s?msg=sheets-assigned.3: %d, the notice is missing", p.path, code)
		}
	}
	// A real form's redirect names its notice by key, and the page shows it.
	code, _ := chief.get(ev + "/desk")
	if code != 200 {
		t.Fatalf("desk: %d", code)
	}
	resp, err := org.c.PostForm(srv.URL+ev+"/assignments", url.Values{"csrf": {org.csrf}, "all": {"1"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(loc, "msg=panels-assigned.") {
		t.Fatalf("assign all: %d, Location %q", resp.StatusCode, loc)
	}
	if _, body := org.get(loc); !strings.Contains(body, "份评分表；") {
		t.Errorf("after assigning, the judges page lacks the notice")
	}
}
