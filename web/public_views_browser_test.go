package web_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"skillscore/demo"
	"skillscore/internal/browsertest"
	"skillscore/internal/testenv"
	"skillscore/live"
	"skillscore/live/livetest"
)

// TestLeaderboardFitsPhone: on a 360 or 390 px phone the leaderboard page
// scrolls only up and down, the first row's 总成绩 and 奖项 (and their
// headings) are on the screen, and no visible heading is squeezed to one
// character per line.
func TestLeaderboardFitsPhone(t *testing.T) {
	srv, _ := demoServer(t)
	fitsPhone(t, srv.URL+"/events/"+demo.EventCode+"/leaderboard", "table.standings tbody tr[data-key]")
}

// TestPublishedFitsPhone: the 公示 page, the same on a phone: each row a
// card whose 总分 and 奖项 are on the screen, 单位 never one character
// per line.
func TestPublishedFitsPhone(t *testing.T) {
	s := newSealed(t)
	testenv.Final(t, s.o.st, s.ev.ID)
	fitsPhone(t, s.o.srv.URL+"/events/"+demo.EventCode+"/published", "table.published tbody tr")
}

// fitsPhone opens a page at 360 and 390 px: it scrolls only up and down,
// the first row's (rowSel) 总成绩 and 奖项 and their headings are on the
// screen, and no visible heading or cell is squeezed to one character per
// line.
func fitsPhone(t *testing.T, page, rowSel string) {
	t.Helper()
	ctx := browsertest.New(t, 1024, 768)
	for _, size := range [][2]int{{360, 740}, {390, 844}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			dev := browsertest.Device(t, ctx, size[0], size[1])
			browsertest.Navigates(t, dev, chromedp.Navigate(page))
			widths := browsertest.Eval[[]int](t, dev, `[document.documentElement.scrollWidth, window.innerWidth]`)
			if widths[0] > widths[1] {
				t.Errorf("the page is %d px wide in a %d px window", widths[0], widths[1])
			}
			outside := browsertest.Eval[[]string](t, dev, `(() => {
				const out = [];
				const row = document.querySelector(`+"`"+rowSel+"`"+`);
				if (!row) return ['no row'];
				const table = row.closest('table');
				for (const el of [row.querySelector('td.total'), row.querySelector('td.award'), table.querySelector('th.total'), table.querySelector('th.award')]) {
					const b = el.getBoundingClientRect();
					if (b.width === 0 || b.left < 0 || b.right > window.innerWidth) out.push(el.tagName + '.' + el.className + ' ' + b.left + '–' + b.right);
				}
				return out;
			})()`)
			for _, o := range outside {
				t.Errorf("not on the screen: %s", o)
			}
			squeezed := browsertest.Eval[[]string](t, dev, `[...document.querySelectorAll('th, h1, h2, td')].filter(h => {
				const b = h.getBoundingClientRect();
				const text = h.innerText.trim();
				return b.width > 0 && [...text].length >= 2 && b.width < 1.8 * parseFloat(getComputedStyle(h).fontSize);
			}).map(h => h.innerText.trim())`)
			if len(squeezed) > 0 {
				t.Errorf("one character per line: %q", squeezed)
			}
		})
	}
}

// TestLeaderboardUpdatesInPlace: a submitted mark reaches the open
// leaderboard page through the live stream: the contestant's new total
// appears without a reload (the page's own variable survives), and the
// 成绩说明 the spectator opened stays open. The page names no revision.
func TestLeaderboardUpdatesInPlace(t *testing.T) {
	s := newSealed(t)
	code := *s.contestant.Code
	ctx := browsertest.New(t, 390, 844)
	browsertest.Navigates(t, ctx, chromedp.Navigate(s.o.srv.URL+s.leaderboardPath))
	if text := browsertest.Eval[string](t, ctx, `document.body.innerText`); strings.Contains(text, "版") {
		t.Errorf("the leaderboard shows a revision: %.300s", text)
	}
	if n := browsertest.Eval[int](t, ctx, `document.querySelectorAll('meta[http-equiv=refresh]').length`); n != 0 {
		t.Errorf("the leaderboard still reloads itself (%d meta refresh)", n)
	}
	row := fmt.Sprintf(`document.querySelector('tr[data-key=%q]')`, code)
	details := fmt.Sprintf(`document.querySelector('tr.reasons[data-for=%q] details')`, code)
	browsertest.WaitTrue(t, ctx, `document.querySelector('.live-status').dataset.state === 'ok'`)
	// Totals compared as the API gives them ("68"); the page shows the
	// rules' two decimals ("68.00"), compared as numbers.
	total := func() string {
		d, _ := s.doc(s.anon, "")
		for _, c := range d.Contestants {
			if c.Code == code {
				return c.Total.String()
			}
		}
		return ""
	}
	before := total()
	if shown := browsertest.Eval[string](t, ctx, row+`.querySelector('td.total').textContent`); before == "" || !browsertest.Eval[bool](t, ctx, `Number(`+strconv.Quote(shown)+`) === `+before) {
		t.Fatalf("before the sheet: the page shows %q, the API %q", shown, before)
	}
	browsertest.Eval[bool](t, ctx, `(() => { window.__notReloaded = true; `+details+`.open = true; return true; })()`)

	s.submit(s.panel[0], 3)
	var after string
	s.waitFor("the new public total", func() bool {
		after = total()
		return after != "" && after != before
	})
	browsertest.WaitTrue(t, ctx, `Number(`+row+`.querySelector('td.total').textContent) === `+after)
	state := browsertest.Eval[[]bool](t, ctx, `[window.__notReloaded === true, `+details+`.open]`)
	if !state[0] {
		t.Errorf("the page reloaded to show %s's new total", code)
	}
	if !state[1] {
		t.Errorf("the opened 成绩说明 of %s closed when its total changed to %s", code, after)
	}

	// A freeze changes the board's shape: the page reloads to say so.
	if status, body := s.control("freeze", url.Values{"reason": {"测试：封榜"}}); status != 200 {
		t.Fatalf("freeze: %d %s", status, body)
	}
	browsertest.WaitTrue(t, ctx, `document.querySelector('#mode') && document.querySelector('#mode').textContent.includes('已封榜')`)
}

// TestBigScreenUnscoredModuleDash: a module nobody has marked shows "—" on
// the big screen (and "" on the board), not "0.00" like a real zero; the
// first submitted sheet turns it into a score.
func TestBigScreenUnscoredModuleDash(t *testing.T) {
	s := newSealed(t)
	code := *s.contestant.Code
	m := s.board()
	col := slices.IndexFunc(m.Board.Modules, func(mi live.ModuleInfo) bool { return mi.Code == "C" })
	if r, ok := boardRow(m, code); !ok || col < 0 || r.Scores[col] != "" {
		t.Fatalf("the board's module C score of unmarked %s: %q (column %d)", code, r.Scores, col)
	}
	ctx := browsertest.New(t, 1920, 1080)
	browsertest.Navigates(t, ctx, chromedp.Navigate(s.o.srv.URL+"/events/"+demo.EventCode+"/bigscreen#"+s.contestant.GroupCode))
	cellC := fmt.Sprintf(`document.querySelectorAll('tr[data-key=%q] td.module')[%d]`, code, col)
	browsertest.WaitTrue(t, ctx, cellC)
	if got := browsertest.Eval[string](t, ctx, cellC+`.textContent`); got != "—" {
		t.Errorf("module C of unmarked %s shows %q on the big screen", code, got)
	}
	if n := browsertest.Eval[int](t, ctx, `[...document.querySelectorAll('td.module')].filter(td => td.textContent === '—').length`); n == 0 {
		t.Error("no module shows —")
	}
	s.submit(s.panel[0], 3)
	browsertest.WaitTrue(t, ctx, cellC+`.textContent !== '—' && /^\d+\.\d\d$/.test(`+cellC+`.textContent)`)
}

// TestBigScreenStaysOnRevealedGroup: during the ceremony the big screen
// stops turning through the groups: it stays on the group being revealed
// over several rotation intervals, and moves on to a group with places
// left to reveal once its own are all revealed.
func TestBigScreenStaysOnRevealedGroup(t *testing.T) {
	s := newSealed(t)
	reason := url.Values{"reason": {"测试：颁奖揭晓"}}
	groups := s.board().Board.Groups
	if len(groups) < 2 {
		t.Fatal("the demo needs two groups")
	}
	// The smaller group is finished first; the screen starts on it.
	small, large := groups[0], groups[1]
	if len(small.Rows) > len(large.Rows) {
		small, large = large, small
	}
	if len(small.Rows) == len(large.Rows) {
		t.Fatal("the demo's groups have the same size")
	}
	ctx := browsertest.New(t, 1920, 1080)
	browsertest.Navigates(t, ctx, chromedp.Navigate(s.o.srv.URL+"/events/"+demo.EventCode+"/bigscreen?rotate=2#"+small.Code))
	browsertest.WaitTrue(t, ctx, fmt.Sprintf(`(() => { const g = document.querySelector('.live-group[data-group=%q]'); return g && !g.hidden; })()`, small.Code))

	if status, body := s.control("freeze", reason); status != 200 {
		t.Fatalf("freeze: %d %s", status, body)
	}
	reveal := func(step int) {
		t.Helper()
		form := url.Values{"step": {fmt.Sprint(step)}, "reason": reason["reason"]}
		if status, body := s.control("reveal", form); status != 200 {
			t.Fatalf("reveal %d: %d %s", step, status, body)
		}
		browsertest.WaitTrue(t, ctx, fmt.Sprintf(`(() => { const t = document.querySelector('table[data-group=%q]'); return t && t.querySelectorAll('tr[data-key]').length === %d; })()`,
			large.Code, min(step, len(large.Rows))))
	}
	// stays checks at each of the next two turns of the screen that it
	// shows only group (with two groups, checking after both turns alone
	// would miss a screen that turned twice).
	stays := func(what, group string) {
		t.Helper()
		n := browsertest.Eval[int](t, ctx, `Number(document.querySelector('[data-live]').dataset.ticks || 0)`)
		for turn := n + 1; turn <= n+2; turn++ {
			browsertest.WaitTrue(t, ctx, fmt.Sprintf(`Number(document.querySelector('[data-live]').dataset.ticks || 0) >= %d`, turn))
			shown := browsertest.Eval[[]string](t, ctx, `[...document.querySelectorAll('.live-group')].filter(g => !g.hidden).map(g => g.dataset.group)`)
			if !slices.Equal(shown, []string{group}) {
				t.Errorf("%s: at turn %d the big screen shows %v, want group %s", what, turn, shown, group)
				return
			}
		}
	}
	reveal(1)
	stays("step 1", small.Code)
	reveal(len(small.Rows))
	stays("the smaller group's first place revealed", small.Code)
	reveal(len(small.Rows) + 1)
	stays("the larger group's next place revealed", large.Code)
}

// board is the public board JSON.
func (s *sealed) board() livetest.Message {
	s.t.Helper()
	code, body := s.anon.get(s.boardPath)
	var m livetest.Message
	if err := json.Unmarshal([]byte(body), &m); code != 200 || err != nil || m.Board == nil {
		s.t.Fatalf("board JSON: %d %v %.300s", code, err, body)
	}
	return m
}

func boardRow(m livetest.Message, code string) (live.Row, bool) {
	for _, g := range m.Board.Groups {
		for _, r := range g.Rows {
			if r.Code == code {
				return r, true
			}
		}
	}
	return live.Row{}, false
}

// TestChiefBigScreenAsksToLogIn: the chief judge's big screen opened
// without a login goes to the login page and, once logged in, back to the
// live chief view; when the session ends behind its back (a logout in
// another tab) the server ends its stream and the screen returns to the
// login page, instead of going on with unsealed marks or showing 重新连接中
// for ever.
func TestChiefBigScreenAsksToLogIn(t *testing.T) {
	s := newSealed(t)
	ctx := browsertest.New(t, 1920, 1080)
	path := "/events/" + demo.EventCode + "/bigscreen?view=chief"
	browsertest.Navigates(t, ctx, chromedp.Navigate(s.o.srv.URL+path))
	if got := browsertest.Eval[string](t, ctx, `location.pathname`); got != "/login" {
		t.Fatalf("the chief big screen without a login shows %s", got)
	}
	browsertest.Navigates(t, ctx,
		chromedp.SendKeys(chromedp.CSS(`input[name=username]`), "chief"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "pass-chief"),
		chromedp.Submit(chromedp.CSS(`input[name=password]`)),
	)
	if got := browsertest.Eval[string](t, ctx, `location.pathname + location.search`); got != path {
		t.Fatalf("after login the chief judge is at %s", got)
	}
	browsertest.WaitTrue(t, ctx, `document.querySelector('.live-status').dataset.state === 'ok'`)

	// Log out from another tab: the screen must go to the login page.
	browsertest.Eval[bool](t, ctx, `(function(){
		fetch('/events/`+demo.EventCode+`/desk').then(r => r.text()).then(function(html){
			const csrf = /name="csrf" value="([^"]+)"/.exec(html)[1];
			return fetch('/logout', {method: 'POST', credentials: 'same-origin', redirect: 'manual', body: new URLSearchParams({csrf: csrf})});
		});
		return true; })()`)
	// No wait on the logout's own promise: the screen may already have
	// left for the login page by the time it settles.
	browsertest.WaitTrue(t, ctx, `location.pathname === '/login' && decodeURIComponent(location.search).indexOf('view=chief') >= 0`)
}
