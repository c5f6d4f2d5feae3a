package web_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"skillscore/demo"
	"skillscore/internal/browsertest"
	"skillscore/internal/testenv"
	"skillscore/judges"
	"skillscore/live"
	"skillscore/live/livetest"
	"skillscore/store"
	"skillscore/templates"
	"skillscore/web"
)

// liveServer serves the demo event with its live service.
func liveServer(t *testing.T) (*httptest.Server, *live.Service, *livetest.Marker, *store.Store) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "demo.db"), store.Options{Keys: testenv.Keys(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ev, err := demo.Create(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	// The marker's marks are never submitted: the public board moves with
	// them as sports-style live marks, the setting these stream tests run on.
	if _, err := st.SetLiveSettings(ctx, ev.ID, false, true, "test"); err != nil {
		t.Fatal(err)
	}
	tmpl, err := templates.New()
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := live.New(live.Config{Source: st, Logger: log, MinInterval: time.Millisecond})
	srv := httptest.NewServer(web.New(web.Config{Store: st, Templates: tmpl, Logger: log, Live: svc}))
	t.Cleanup(func() {
		svc.Close()
		srv.Close()
	})
	m, err := livetest.NewMarker(ctx, st, demo.EventCode)
	if err != nil {
		t.Fatal(err)
	}
	return srv, svc, m, st
}

// board fetches the public JSON board.
func board(t *testing.T, base string) (livetest.Message, http.Header) {
	t.Helper()
	resp, err := http.Get(base + "/api/v1/events/" + demo.EventCode + "/board")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m livetest.Message
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil || resp.StatusCode != 200 || m.Board == nil {
		t.Fatalf("board: %d %v", resp.StatusCode, err)
	}
	return m, resp.Header
}

func TestLiveBoardJSONAndCacheHeaders(t *testing.T) {
	srv, svc, m, _ := liveServer(t)
	url := srv.URL + "/api/v1/events/" + demo.EventCode + "/board"
	first, h := board(t, srv.URL)
	etag := h.Get("ETag")
	if first.Type != "snapshot" || etag == "" || !strings.Contains(h.Get("Cache-Control"), "public, max-age=1") {
		t.Fatalf("board: type %s, ETag %q, Cache-Control %q", first.Type, etag, h.Get("Cache-Control"))
	}
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("If-None-Match", etag)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotModified {
		t.Fatalf("revalidation with the current ETag: %d, want 304", resp.StatusCode)
	}
	rev, err := m.Next(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	svc.EventChanged(context.Background(), m.Event.ID, rev)
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, h := board(t, srv.URL)
		if got.Revision == rev {
			if h.Get("ETag") == etag {
				t.Fatalf("the ETag did not change with the board")
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("board still at revision %d, want %d", got.Revision, rev)
		}
		time.Sleep(10 * time.Millisecond) // polling a condition
	}
	cases := []struct {
		path   string
		status int
	}{
		{"/api/v1/events/nope/board", 404},
		{"/api/v1/events/" + demo.EventCode + "/board?view=judge", 400},
		{"/api/v1/events/" + demo.EventCode + "/board?view=chief", 401},
		{"/api/v1/events/" + demo.EventCode + "/live?since=-1", 400},
		{"/api/v1/events/" + demo.EventCode + "/live?since=abc", 400},
		{"/events/nope/bigscreen", 404},
	}
	for _, c := range cases {
		resp, err := http.Get(srv.URL + c.path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.status {
			t.Errorf("%s: %d, want %d: %s", c.path, resp.StatusCode, c.status, b)
		}
	}
}

// TestBigScreenUpdatesLiveInBrowser opens the 大屏 in headless Chromium at
// 1920×1080: it shows codes and no names before publication, and a judge's
// mark changes the board without a reload.
func TestBigScreenUpdatesLiveInBrowser(t *testing.T) {
	srv, svc, m, st := liveServer(t)
	ctx := browsertest.New(t, 1920, 1080)
	before, _ := board(t, srv.URL)
	if err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/events/"+demo.EventCode+"/bigscreen"),
		chromedp.WaitVisible(chromedp.CSS(`.live-table tbody tr[data-key]`)),
	); err != nil {
		t.Fatal(err)
	}
	text := browsertest.Eval[string](t, ctx, `document.body.innerText`)
	cs, err := st.Contestants(context.Background(), m.Event.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		if strings.Contains(text, c.Name) || strings.Contains(text, c.IDNumber) {
			t.Errorf("the big screen shows %s's name or ID number before publication", *c.Code)
		}
	}
	if !strings.Contains(text, before.Board.Groups[0].Rows[0].Code) || !strings.Contains(text, "已完成评分") ||
		!strings.Contains(text, before.Board.Event.Name) {
		t.Fatalf("the big screen lacks codes, progress or the event name:\n%s", text)
	}
	// Every contestant is on the page (one group shown at a time).
	if n := browsertest.Eval[int](t, ctx, `document.querySelectorAll('.live-table tbody tr[data-key]').length`); n != len(before.Board.Groups[0].Rows)+len(before.Board.Groups[1].Rows) {
		t.Errorf("%d rows on the big screen", n)
	}
	reload := browsertest.Eval[float64](t, ctx, `performance.timeOrigin`)
	rev, err := m.Next(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	svc.EventChanged(context.Background(), m.Event.ID, rev)
	// Bounded polls: were the board to reload (the check below), a
	// chromedp wait across the reload could hang.
	browsertest.WaitTrue(t, ctx, `document.querySelector('.live[data-revision="`+strconv.FormatInt(rev, 10)+`"]')`)
	after, _ := board(t, srv.URL)
	shown := browsertest.Eval[[]string](t, ctx, `[...document.querySelectorAll('.live-table tbody tr[data-key]')].map(tr => tr.dataset.key + ' ' + tr.querySelector('td.total').innerText)`)
	var want []string
	for _, g := range after.Board.Groups {
		for _, r := range g.Rows {
			want = append(want, r.Key+" "+r.Total)
		}
	}
	if strings.Join(shown, "|") != strings.Join(want, "|") {
		t.Fatalf("after the mark the big screen shows\n%v\nwant\n%v", shown, want)
	}
	if strings.Join(shown, "|") == strings.Join(rowsOf(before), "|") {
		t.Fatalf("the mark changed nothing on the board; the test proves nothing")
	}
	if again := browsertest.Eval[float64](t, ctx, `performance.timeOrigin`); again != reload {
		t.Errorf("the page reloaded instead of updating live")
	}
}

func rowsOf(m livetest.Message) []string {
	var out []string
	for _, g := range m.Board.Groups {
		for _, r := range g.Rows {
			out = append(out, r.Key+" "+r.Total)
		}
	}
	return out
}

// TestOrganizerLiveControls: only the organizer may publish, freeze and run
// the ceremony; bad input changes nothing; spectators see each change; the
// chief judge's unfrozen view needs a chief judge's login.
// liveOffice serves the demo event with live streams and the organizer's
// live controls to an organizer (org) and a chief judge (chief).
func liveOffice(t *testing.T) (*office, *httptest.Server) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "live.db"), store.Options{Keys: testenv.Keys(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ev, err := demo.Create(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	addStaff(t, st, "org", "chief")
	tmpl, err := templates.New()
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := live.New(live.Config{Source: st, Logger: log, MinInterval: time.Millisecond})
	judgeSvc := judges.New(st, judges.Config{Logger: log})
	t.Cleanup(judgeSvc.Close)
	srv := httptest.NewServer(web.New(web.Config{Store: st, Templates: tmpl, Logger: log, Judges: judgeSvc, Judging: st,
		Live: svc, LiveAdmin: st}))
	t.Cleanup(func() {
		svc.Close()
		srv.Close()
	})
	return &office{t: t, st: st, srv: srv, ev: ev}, srv
}

func TestOrganizerLiveControls(t *testing.T) {
	ctx := context.Background()
	o, srv := liveOffice(t)
	st, ev := o.st, o.ev
	api := "/api/v1/events/" + demo.EventCode + "/live/"

	anon := o.browser()
	if code, _ := anon.post(api+"publish", nil); code != http.StatusUnauthorized {
		t.Fatalf("publish without a login: %d", code)
	}
	chief := o.browser()
	if chief.login("chief", "pass-chief") != http.StatusSeeOther {
		t.Fatal("chief login failed")
	}
	chief.get("/events/" + demo.EventCode + "/desk")
	if code, _ := chief.post(api+"publish", url.Values{"csrf": {chief.csrf}}); code != http.StatusForbidden {
		t.Fatalf("publish by the chief judge: %d, want 403", code)
	}
	// The chief judge's unfrozen view: a chief's login, nobody else's.
	if code, _ := chief.get("/api/v1/events/" + demo.EventCode + "/board?view=chief"); code != 200 {
		t.Fatalf("chief view for the chief judge: %d", code)
	}
	if code, _ := anon.get("/api/v1/events/" + demo.EventCode + "/board?view=chief"); code != http.StatusUnauthorized {
		t.Fatalf("chief view without a login: %d", code)
	}

	org := o.browser()
	if org.login("org", "pass-org") != http.StatusSeeOther {
		t.Fatal("organizer login failed")
	}
	org.get("/events/" + demo.EventCode + "/judges")
	viewer, _, err := livetest.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/api/v1/events/"+demo.EventCode+"/live")
	if err != nil {
		t.Fatal(err)
	}
	defer viewer.Close()
	m, err := viewer.Read(10 * time.Second)
	if err != nil || viewer.Apply(m) != nil {
		t.Fatalf("first frame: %v", err)
	}
	if code, body := org.post(api+"publish", url.Values{}); code != http.StatusForbidden {
		t.Fatalf("publish without the CSRF token: %d %s", code, body)
	}
	before, _ := st.LiveState(ctx, ev.ID)
	for _, bad := range []struct {
		action string
		form   url.Values
		status int
	}{
		{"freeze", url.Values{"at": {"tomorrow"}}, 400},
		{"reveal", url.Values{"step": {"x"}}, 400},
		{"reveal", url.Values{}, 409}, // not frozen yet
		{"explode", url.Values{}, 404},
		{"publish", url.Values{}, 409}, // sheets not locked: the results workflow's refusal
	} {
		bad.form.Set("csrf", org.csrf)
		if code, body := org.post(api+bad.action, bad.form); code != bad.status || !strings.Contains(body, `"message"`) {
			t.Errorf("%s %v: %d %s, want %d", bad.action, bad.form, code, body, bad.status)
		}
	}
	if after, _ := st.LiveState(ctx, ev.ID); after != before {
		t.Fatalf("refused controls changed the live state: %+v → %+v", before, after)
	}
	testenv.Decrypted(t, st, ev.ID)
	code, body := org.post(api+"publish", url.Values{"csrf": {org.csrf}})
	var state struct {
		Revision  int64
		Published bool
	}
	if err := json.Unmarshal([]byte(body), &state); code != 200 || err != nil || !state.Published {
		t.Fatalf("publish: %d %s", code, body)
	}
	for viewer.Revision < state.Revision {
		m, err := viewer.Read(10 * time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if err := viewer.Apply(m); err != nil {
			t.Fatal(err)
		}
	}
	if !viewer.Board.Published || viewer.Board.Groups[0].Rows[0].Name == "" {
		t.Fatalf("the viewer's board after publication: published=%v first row %+v", viewer.Board.Published, viewer.Board.Groups[0].Rows[0])
	}
	if code, body := org.post(api+"freeze", url.Values{"csrf": {org.csrf}}); code != 200 || !strings.Contains(body, `"frozen":true`) {
		t.Fatalf("freeze: %d %s", code, body)
	}
	if code, body := org.post(api+"reveal", url.Values{"csrf": {org.csrf}}); code != 200 || !strings.Contains(body, `"ceremony_step":0`) {
		t.Fatalf("reveal: %d %s", code, body)
	}
	// The hub captures the frozen board on its own ("live" writes
	// live.frozen when it sees the freeze), which may land after the
	// reveal: the organizer's own last entry is the one to check.
	trail, _ := st.AuditTrail(ctx, ev.ID)
	var last store.AuditEntry
	for _, e := range trail {
		if e.Actor == "org" {
			last = e
		}
	}
	if last.Action != "live.ceremony" {
		t.Errorf("the organizer's last audit entry: %+v", last)
	}
}

// TestScreenControlInBrowser is the organizer at the ceremony: a freeze
// while sheets are unlocked is refused until a reason is written, which
// lands in the audit trail; then freeze the public board, start the reveal,
// reveal one place, end it; a reveal after unfreezing is refused with the
// reason on the page, and nothing changes.
func TestScreenControlInBrowser(t *testing.T) {
	ctx := context.Background()
	o, _ := liveOffice(t)
	b := browsertest.New(t, 1280, 900)
	if err := chromedp.Do(b, chromedp.Navigate(o.srv.URL+"/events/"+demo.EventCode+"/screen"),
		chromedp.WaitVisible(chromedp.CSS(`input[name=username]`))); err != nil {
		t.Fatal(err)
	}
	browsertest.Navigates(t, b,
		chromedp.SendKeys(chromedp.CSS(`input[name=username]`), "org"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "pass-org"),
		chromedp.Submit(chromedp.CSS(`input[name=password]`)))
	state := func(id, want string) {
		t.Helper()
		browsertest.WaitTrue(t, b, `document.getElementById('`+id+`').textContent.includes('`+want+`')`)
	}
	state("state-frozen", "未封榜")
	state("state-step", "不在颁奖揭晓中")
	click := func(id string) {
		t.Helper()
		if err := chromedp.Do(b, chromedp.Click(chromedp.CSS(`#`+id))); err != nil {
			t.Fatal(err)
		}
	}
	unfrozen, _ := o.st.LiveState(ctx, o.ev.ID)
	click("freeze-now")
	browsertest.WaitTrue(t, b, `!document.getElementById('error').hidden`)
	if msg := browsertest.Eval[string](t, b, `document.getElementById('error').textContent`); !strings.Contains(msg, "未锁定") ||
		!strings.Contains(msg, "理由") {
		t.Fatalf("a freeze with unlocked sheets and no reason: %q", msg)
	}
	if after, _ := o.st.LiveState(ctx, o.ev.ID); after != unfrozen {
		t.Fatalf("a refused freeze changed the state: %+v → %+v", unfrozen, after)
	}
	const reason = "闭幕式时间已定，实操C模块仍在评分"
	if err := chromedp.Do(b, chromedp.SendKeys(chromedp.CSS(`#reason`), reason)); err != nil {
		t.Fatal(err)
	}
	click("freeze-now")
	state("state-frozen", "已封榜")
	trail, err := o.st.AuditTrail(ctx, o.ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	if last := trail[len(trail)-1]; last.Action != "live.freeze" || !strings.Contains(last.Detail, reason) {
		t.Fatalf("the override is not in the audit trail: %+v", last)
	}
	click("reveal-restart")
	state("state-step", "尚未揭晓名次")
	click("reveal-next")
	state("state-step", "已从最后一名起揭晓 1 名")
	l, err := o.st.LiveState(ctx, o.ev.ID)
	if err != nil || !l.Frozen(time.Now()) || l.CeremonyStep != 1 {
		t.Fatalf("stored live state: %+v %v", l, err)
	}
	click("reveal-end")
	state("state-step", "不在颁奖揭晓中")
	browsertest.Eval[bool](t, b, `(window.confirm = () => true, true)`)
	click("unfreeze")
	state("state-frozen", "未封榜")
	before, _ := o.st.LiveState(ctx, o.ev.ID)
	click("reveal-next")
	browsertest.WaitTrue(t, b, `!document.getElementById('error').hidden`)
	if msg := browsertest.Eval[string](t, b, `document.getElementById('error').textContent`); !strings.Contains(msg, "封榜") {
		t.Fatalf("a reveal without a freeze: %q", msg)
	}
	if after, _ := o.st.LiveState(ctx, o.ev.ID); after != before {
		t.Fatalf("a refused reveal changed the state: %+v → %+v", before, after)
	}
	// 公开范围: both settings start off; the organizer allows judges' marks
	// after publication.
	if browsertest.Eval[bool](t, b, `document.getElementById('judge-marks').checked || document.getElementById('draft-marks').checked`) {
		t.Fatal("a public-scope setting is on by default")
	}
	click("judge-marks")
	click("save-settings")
	browsertest.WaitTrue(t, b, `document.getElementById('error').hidden`)
	for deadline := time.Now().Add(10 * time.Second); ; {
		l, _ := o.st.LiveState(ctx, o.ev.ID)
		if l.ShowJudgeMarks && !l.LiveDraftMarks {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the settings were not stored: %+v", l)
		}
		time.Sleep(20 * time.Millisecond) // polling the store, bounded by the deadline
	}
}
