package web_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"skillscore/internal/browsertest"
	"skillscore/internal/testenv"
	"skillscore/judges"
	"skillscore/store"
	"skillscore/templates"
	"skillscore/web"
)

// venue is a server that can be lost and brought back on the same address,
// as a venue's server is when its Wi-Fi or power drops.
type venue struct {
	t    *testing.T
	st   *store.Store
	addr string
	svc  *judges.Service
	srv  *http.Server
}

func (v *venue) start() {
	v.t.Helper()
	tmpl, err := templates.New()
	if err != nil {
		v.t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	var ln net.Listener
	for i := 0; i < 50; i++ { // the old socket may linger a moment
		if ln, err = net.Listen("tcp", v.addr); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		v.t.Fatal(err)
	}
	v.addr = ln.Addr().String()
	v.svc = judges.New(v.st, judges.Config{Logger: log})
	v.srv = web.New(web.Config{Store: v.st, Templates: tmpl, Logger: log, Judges: v.svc, Judging: v.st}).HTTPServer(v.addr)
	go v.srv.Serve(ln)
}

// stop drops every connection at once, like a pulled cable.
func (v *venue) stop() {
	v.svc.Close()
	v.srv.Close()
}

// TestTabletOfflineAndBackInBrowser drives the real tablet page in headless
// Chromium: log in with the PIN, enter marks, lose the server mid-sheet, keep
// entering (and reload the page) offline, get the server back, see every
// operation synced exactly once, then submit with the PIN.
func TestTabletOfflineAndBackInBrowser(t *testing.T) {
	ctx := context.Background()
	st, ev := testenv.Demo(t)
	v := &venue{t: t, st: st, addr: "127.0.0.1:0"}
	v.start()
	t.Cleanup(v.stop)

	// J07 is on module C's panel, where most sheets are still empty.
	js, _ := st.Judges(ctx, ev.ID)
	var judge store.Judge
	for _, j := range js {
		if j.Code == "J07" {
			judge = j
		}
	}
	mods, _ := st.Modules(ctx, ev.ID)
	var modC store.Module
	for _, m := range mods {
		if m.Code == "C" {
			modC = m
		}
	}
	code, contestantID := emptySheet(t, st, ev.ID, judge.ID, modC.ID)
	login, err := v.svc.IssueLogin(ctx, judge.ID, "organizer")
	if err != nil {
		t.Fatal(err)
	}

	b := browsertest.New(t, 1280, 800)
	base := "http://" + v.addr
	sync := `document.getElementById('sync').textContent`
	waitText := func(expr, want string, within time.Duration) {
		t.Helper()
		deadline := time.Now().Add(within)
		for {
			got := browsertest.Eval[string](t, b, expr)
			if strings.Contains(got, want) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s = %q, want it to contain %q within %v", expr, got, want, within)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	// click taps an element through the page's own DOM: the tablet
	// re-renders on every change, so a node found a moment earlier may be
	// gone; this finds and taps it in one step, waiting until it exists.
	click := func(sel string) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for !browsertest.Eval[bool](t, b, `(function(){var e=document.querySelector(`+strconv.Quote(sel)+`);if(!e)return false;e.click();return true})()`) {
			if time.Now().After(deadline) {
				t.Fatalf("no %s to tap", sel)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	aspect := func(a, value string) string {
		return `#aspects [data-aspect="` + a + `"] button[data-value="` + value + `"]`
	}

	// Log in: the QR code's URL, then the PIN on the pad.
	if err := chromedp.Do(b, chromedp.Navigate(base+"/judge?t="+login.Ticket),
		chromedp.WaitVisible(chromedp.CSS(`#pinpad`))); err != nil {
		t.Fatal(err)
	}
	for _, d := range login.PIN {
		click(`#pinpad button:nth-child(` + pinPadIndex(d) + `)`)
	}
	click(`#login-go`)
	waitText(sync, "已同步", 15*time.Second)
	if names := browsertest.Eval[string](t, b, `document.body.innerText`); strings.Contains(names, "居民身份证") {
		t.Fatal("the tablet shows identity documents")
	}
	click(`#modules button[data-code="` + code + `"][data-module="C"]`)
	if err := chromedp.Do(b, chromedp.WaitVisible(chromedp.CSS(`#aspects [data-aspect="C1"]`))); err != nil {
		t.Fatal(err)
	}
	click(aspect("C1", "2"))
	click(aspect("C2", "1"))
	click(aspect("C3", "3"))
	waitText(sync, "已同步", 10*time.Second)

	// The server goes away mid-sheet.
	v.stop()
	waitText(sync, "离线", 15*time.Second)
	click(aspect("C4", "1"))
	click(aspect("C5", "2"))
	click(aspect("C6", "0")) // 无扣分
	click(`#aspects [data-aspect="C6"] .stepper button[aria-label="增加"]`)
	click(`#undo`)           // back to no deduction
	click(aspect("C1", "3")) // a change of mind, offline
	waitText(sync, "6 条待同步", 5*time.Second)
	// The queue is in localStorage: close the page while offline (nothing
	// of it survives but the browser's storage), bring the server back and
	// open the tablet again; it replays the queue by itself.
	if n := browsertest.Eval[int](t, b, `JSON.parse(localStorage.getItem('skillscore.judge.pending')).length`); n != 6 {
		t.Fatalf("localStorage holds %d pending operations, want 6", n)
	}
	if err := chromedp.Do(b, chromedp.Navigate("about:blank")); err != nil {
		t.Fatal(err)
	}
	v.start()
	if err := chromedp.Do(b, chromedp.Navigate(base+"/judge")); err != nil {
		t.Fatal(err)
	}
	waitText(sync, "已同步", 30*time.Second)

	got := sheetMarks(t, st, ev.ID, contestantID, judge.Code)
	want := map[string]int64{"C1": 30000, "C2": 10000, "C3": 30000, "C4": 10000, "C5": 20000, "C6": 0}
	for a, w := range want {
		if got[a] != w {
			t.Errorf("stored %s = %d, want %d (all: %v)", a, got[a], w, got)
		}
	}
	// Every operation the tablet made is in the audit exactly once: 3
	// online, 6 offline.
	trail, err := st.AuditFor(ctx, ev.ID, code, "judge:"+strconv.FormatInt(judge.ID, 10))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, e := range trail {
		if e.Action == "sheet.mark" || e.Action == "sheet.clear" {
			seen[e.Detail]++
		}
	}
	if len(trail) != 9 || len(seen) != 9 {
		t.Errorf("audit holds %d operations (%d distinct) for the sheet, want 9 once each", len(trail), len(seen))
	}

	// Submit, signed with the PIN.
	click(`#modules button[data-code="` + code + `"][data-module="C"]`)
	if err := chromedp.Do(b, chromedp.WaitVisible(chromedp.CSS(`#submit`))); err != nil {
		t.Fatal(err)
	}
	click(`#submit`)
	if err := chromedp.Do(b, chromedp.SendKeys(chromedp.CSS(`#submit-pin`), login.PIN)); err != nil {
		t.Fatal(err)
	}
	click(`#submit-go`)
	waitText(`document.getElementById('sheet-status').textContent`, "已提交", 10*time.Second)
	sheets, _ := st.Sheets(ctx, ev.ID)
	for _, sh := range sheets {
		if sh.ContestantID == contestantID && sh.JudgeID == judge.ID && sh.ModuleID == modC.ID && sh.Status != "submitted" {
			t.Fatalf("sheet status %s after submit", sh.Status)
		}
	}
	// Submitted sheets are read-only on the tablet.
	if dis := browsertest.Eval[bool](t, b, `document.getElementById('submit').disabled && document.getElementById('undo').disabled`); !dis {
		t.Error("a submitted sheet can still be changed on the tablet")
	}
}

// pinPadIndex maps a digit to its button on the pad (1–9, ⌫, 0).
func pinPadIndex(d rune) string {
	if d == '0' {
		return "11"
	}
	return string(d)
}

// emptySheet finds a contestant assigned to the judge in the module with no
// marks yet.
func emptySheet(t *testing.T, st *store.Store, eventID, judgeID, moduleID int64) (string, int64) {
	t.Helper()
	ctx := context.Background()
	as, _ := st.Assignments(ctx, eventID)
	marks, _ := st.JudgeMarks(ctx, judgeID)
	marked := map[int64]bool{}
	for _, m := range marks {
		if m.ModuleID == moduleID {
			marked[m.ContestantID] = true
		}
	}
	cs, _ := st.Contestants(ctx, eventID)
	for _, a := range as {
		if a.JudgeID == judgeID && a.ModuleID == moduleID && !marked[a.ContestantID] {
			for _, c := range cs {
				if c.ID == a.ContestantID {
					return *c.Code, c.ID
				}
			}
		}
	}
	t.Fatal(errors.New("no empty sheet for the judge"))
	return "", 0
}

func sheetMarks(t *testing.T, st *store.Store, eventID, contestantID int64, judgeCode string) map[string]int64 {
	t.Helper()
	rows, err := st.Marks(context.Background(), eventID)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, r := range rows {
		if r.ContestantID == contestantID && r.JudgeCode == judgeCode {
			out[r.AspectCode] = r.Value
		}
	}
	return out
}
