package web_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"skillscore/internal/browsertest"
	"skillscore/internal/testenv"
	"skillscore/judges"
	"skillscore/store"
)

// The tablet at a 10-inch tablet's sizes, landscape and portrait, scrolled
// down the sheet as a judge working down it: every refusal is shown inside
// the viewport (next to its field, in the PIN box, or in the fixed message
// bar), a refused value is never stored as another one, and a successful
// submit is confirmed in view.
//
// J01's module A sheets are drafts in the demo: every aspect marked, none
// submitted. A3 is a measurement in degrees 0–90, A8 (the sheet's last
// aspect) a deduction counted in minutes, 1 point each, at most 5.

// tabletRig is the demo on a real server, J01's draft sheets in module A,
// and a headless Chromium.
type tabletRig struct {
	st      *store.Store
	ev      store.Event
	v       *venue
	base    string
	judge   store.Judge
	modA    store.Module
	sheets  []draftSheet
	browser context.Context
}

func newTabletRig(t *testing.T) *tabletRig {
	t.Helper()
	ctx := context.Background()
	st, ev := testenv.Demo(t)
	v := &venue{t: t, st: st, addr: "127.0.0.1:0"}
	v.start()
	t.Cleanup(v.stop)
	r := &tabletRig{st: st, ev: ev, v: v, base: "http://" + v.addr}
	js, _ := st.Judges(ctx, ev.ID)
	r.judge = js[0]
	mods, _ := st.Modules(ctx, ev.ID)
	for _, m := range mods {
		if m.Code == "A" {
			r.modA = m
		}
	}
	r.sheets = draftSheets(t, st, ev.ID, r.judge.ID, r.modA.ID)
	if len(r.sheets) < 4 || r.judge.Code != "J01" {
		t.Fatalf("demo: %s has %d draft sheets in module A, want J01 with at least 4", r.judge.Code, len(r.sheets))
	}
	r.browser = browsertest.NewWithin(t, 1024, 768, 3*time.Minute)
	return r
}

// tabletSizes runs f on a tablet of each size, its own device (storage,
// login), each with a sheet of its own.
func (r *tabletRig) tabletSizes(t *testing.T, f func(t *testing.T, tb *tabletTab)) {
	for i, size := range [][2]int{{1024, 768}, {768, 1024}} {
		w, h := size[0], size[1]
		t.Run(fmt.Sprintf("%dx%d", w, h), func(t *testing.T) {
			login, err := r.v.svc.IssueLogin(context.Background(), r.judge.ID, "organizer")
			if err != nil {
				t.Fatal(err)
			}
			tb := &tabletTab{rig: r, b: browsertest.Device(t, r.browser, w, h), w: w, h: h, login: login,
				sheet: r.sheets[i], other: r.sheets[len(r.sheets)-1-i]}
			if err := chromedp.Do(tb.b, chromedp.Navigate(r.base+"/judge?t="+login.Ticket)); err != nil {
				t.Fatal(err)
			}
			browsertest.WaitTrue(t, tb.b, `document.querySelector('#pinpad button')`)
			f(t, tb)
		})
	}
}

type tabletTab struct {
	rig          *tabletRig
	b            context.Context
	w, h         int
	login        judges.Login
	sheet, other draftSheet
}

func (tb *tabletTab) logIn(t *testing.T) {
	t.Helper()
	typePad(t, tb.b, tb.login.PIN)
	tap(t, tb.b, `#login-go`)
	browsertest.WaitTrue(t, tb.b, `document.getElementById('sync').textContent === '已同步'`)
}

// open shows a sheet of module A, down to its last aspect.
func (tb *tabletTab) open(t *testing.T, s draftSheet) {
	t.Helper()
	tap(t, tb.b, `#modules button[data-code="`+s.code+`"][data-module="A"]`)
	browsertest.WaitTrue(t, tb.b, `document.querySelector('#aspects [data-aspect="A8"] input')`)
}

func (tb *tabletTab) marks(t *testing.T, s draftSheet) map[string]int64 {
	t.Helper()
	return sheetMarks(t, tb.rig.st, tb.rig.ev.ID, s.contestantID, tb.rig.judge.Code)
}

func (tb *tabletTab) screenshot(t *testing.T, what string) {
	t.Helper()
	screenshot(t, tb.b, fmt.Sprintf("tablet-%s-%dx%d.png", what, tb.w, tb.h))
}

const (
	fieldA3 = `#aspects [data-aspect="A3"] input`
	fieldA8 = `#aspects [data-aspect="A8"] input`
)

// TestTabletPINScreen: no 离线 badge before a login; a wrong PIN is named
// in view and cleared from the box.
func TestTabletPINScreen(t *testing.T) {
	r := newTabletRig(t)
	r.tabletSizes(t, func(t *testing.T, tb *tabletTab) {
		b := tb.b
		if browsertest.Eval[bool](t, b, shown(`#sync`)) {
			t.Errorf("the PIN screen shows the sync badge %q before any login", browsertest.Eval[string](t, b, `document.getElementById('sync').textContent`))
		}
		typePad(t, b, wrongPIN(tb.login.PIN))
		tap(t, b, `#login-go`)
		browsertest.WaitTrue(t, b, `document.getElementById('login-error').textContent.indexOf('PIN 错误') >= 0`)
		expectInView(t, b, `#login-error`)
		if got := browsertest.Eval[string](t, b, `document.getElementById('pin').value`); got != "" {
			t.Errorf("after a wrong PIN the PIN box holds %q, want it empty", got)
			browsertest.Eval[string](t, b, `document.getElementById('pin').value = ''`) // and go on
		}
		tb.screenshot(t, "login")
		tb.logIn(t)
		if !browsertest.Eval[bool](t, b, shown(`#sync`)) {
			t.Error("no sync badge once logged in")
		}
	})
}

// TestTabletRefusesBadValuesAtTheField: out of range, negative, not a
// number, more decimals than the rubric keeps, over a deduction's cap:
// each refused next to its field, in view, the typed text kept, the stored
// value named apart, the badge not 已同步, nothing sent, nothing stored.
// Units are the rubric's.
func TestTabletRefusesBadValuesAtTheField(t *testing.T) {
	r := newTabletRig(t)
	r.tabletSizes(t, func(t *testing.T, tb *tabletTab) {
		b := tb.b
		tb.logIn(t)
		tb.open(t, tb.sheet)
		stored := tb.marks(t, tb.sheet)
		// Degrees for A3; A8 counts minutes, as its rubric's count_unit says.
		if u := browsertest.Eval[string](t, b, `document.querySelector('#aspects [data-aspect="A3"] .stepper').innerText`); !strings.Contains(u, "°") {
			t.Errorf("A3's field shows %q, want its unit °", u)
		}
		if u := browsertest.Eval[string](t, b, `document.querySelector('#aspects [data-aspect="A8"] .stepper .unit').innerText`); u != "分钟" {
			t.Errorf("A8's field shows the unit %q, want the rubric's 分钟", u)
		}
		if h := browsertest.Eval[string](t, b, `document.querySelector('#aspects [data-aspect="A8"] .hint').innerText`); !strings.Contains(h, "每 1 分钟扣 1 分") {
			t.Errorf("A8's hint %q does not say what a minute costs", h)
		}
		scrollTo(t, b, fieldA3)
		refused := []struct{ aspect, typed, message string }{
			{"A3", "999", "超出允许范围 0–90 °"},
			{"A3", "-5", "超出允许范围 0–90 °"},
			{"A3", "abc", "不是数字"},
			{"A3", "26.32125", "最多 4 位小数"},
			{"A8", "6", "扣分超过本项上限 5"},
		}
		for _, rf := range refused {
			card := `#aspects [data-aspect="` + rf.aspect + `"]`
			field := card + ` input`
			if rf.aspect == "A8" {
				tb.screenshot(t, "refused-A3")
				scrollTo(t, b, field)
			}
			typeInto(t, b, field, rf.typed)
			// Whatever was sent has been answered: nothing of it is stored.
			browsertest.WaitTrue(t, b, `window.__tablet.pending.length === 0`)
			if got := tb.marks(t, tb.sheet); got[rf.aspect] != stored[rf.aspect] {
				t.Fatalf("%s: stored %s = %d, want it unchanged at %d", rf.typed, rf.aspect, got[rf.aspect], stored[rf.aspect])
			}
			browsertest.WaitTrue(t, b, `(function(){var e=document.querySelector(`+strconv.Quote(card+` .field-error`)+`);return e&&e.textContent.indexOf(`+strconv.Quote(rf.message)+`)>=0})()`)
			expectInView(t, b, card+` .field-error`)
			if got := browsertest.Eval[string](t, b, `document.querySelector(`+strconv.Quote(field)+`).value`); got != rf.typed {
				t.Errorf("%s: the field shows %q after the refusal, want the typed %q", rf.typed, got, rf.typed)
			}
			if s := browsertest.Eval[string](t, b, `document.getElementById('sync').textContent`); s == "已同步" {
				t.Errorf("%s refused, yet the badge says 已同步", rf.typed)
			}
			was := storedText(stored[rf.aspect])
			if got := browsertest.Eval[string](t, b, `document.querySelector(`+strconv.Quote(card+` .field-stored`)+`).textContent`); !strings.Contains(got, was) {
				t.Errorf("%s: the field says %q, want the stored value %s named", rf.typed, got, was)
			}
			if n := browsertest.Eval[int](t, b, `window.__tablet.pending.length`); n != 0 {
				t.Errorf("%s: %d operations queued for the server", rf.typed, n)
			}
		}
		tb.screenshot(t, "refused-A8")
		// A value the rubric takes: stored as typed; A3's refused text is
		// still unsaved, and the badge says so.
		typeInto(t, b, fieldA8, "2")
		browsertest.WaitTrue(t, b, `window.__tablet.pending.length === 0 && !document.querySelector('#aspects [data-aspect="A8"] .field-error')`)
		if got := tb.marks(t, tb.sheet); got["A8"] != 20000 {
			t.Errorf("A8 typed 2, stored %d", got["A8"])
		}
		if s := browsertest.Eval[string](t, b, `document.getElementById('sync').textContent`); s != "1 项未保存" {
			t.Errorf("with A3 refused the badge says %q, want 1 项未保存", s)
		}
		// The sheet is not signed while a refused value is in its field:
		// the judge is sent to it.
		tap(t, b, `#submit`)
		browsertest.WaitTrue(t, b, `!document.getElementById('toast').hidden`)
		expectTextInView(t, b, "1 项未保存（红框）")
		expectInView(t, b, `#aspects [data-aspect="A3"] .field-error`)
		if !browsertest.Eval[bool](t, b, `document.getElementById('submit-box').hidden`) {
			t.Error("the PIN box opened with A3's refused value unsettled")
		}
		// Emptying the field keeps the stored value.
		typeInto(t, b, fieldA3, kb.Backspace)
		browsertest.WaitTrue(t, b, `document.getElementById('sync').textContent === '已同步'`)
		if got, want := browsertest.Eval[string](t, b, `document.querySelector(`+strconv.Quote(fieldA3)+`).value`), storedText(stored["A3"]); got != want {
			t.Errorf("emptied, A3's field shows %q, want the stored %s", got, want)
		}
	})
}

// TestTabletFieldFitsRubricPrecision: a value with the rubric's four
// decimals fits in its field and is stored exactly as typed.
func TestTabletFieldFitsRubricPrecision(t *testing.T) {
	r := newTabletRig(t)
	r.tabletSizes(t, func(t *testing.T, tb *tabletTab) {
		b := tb.b
		tb.logIn(t)
		tb.open(t, tb.sheet)
		scrollTo(t, b, fieldA3)
		typeInto(t, b, fieldA3, "26.3212")
		browsertest.WaitTrue(t, b, `document.getElementById('sync').textContent === '已同步'`)
		if fits := browsertest.Eval[bool](t, b, `(function(){var e=document.querySelector(`+strconv.Quote(fieldA3)+`);return e.value==='26.3212'&&e.scrollWidth<=e.clientWidth})()`); !fits {
			t.Errorf("26.3212 does not fit in A3's field (%s)", browsertest.Eval[string](t, b,
				`(function(){var e=document.querySelector(`+strconv.Quote(fieldA3)+`);return e.value+': '+e.scrollWidth+' px in '+e.clientWidth})()`))
		}
		if got := tb.marks(t, tb.sheet); got["A3"] != 263212 {
			t.Errorf("A3 typed 26.3212, stored %d", got["A3"])
		}
	})
}

// TestTabletSubmitMessagesInView: scrolled to the foot of the sheet, a
// wrong submit PIN is named in view and cleared from the box; the right one
// is confirmed in view.
func TestTabletSubmitMessagesInView(t *testing.T) {
	r := newTabletRig(t)
	r.tabletSizes(t, func(t *testing.T, tb *tabletTab) {
		b := tb.b
		tb.logIn(t)
		tb.open(t, tb.sheet)
		tap(t, b, `#submit`)
		browsertest.WaitTrue(t, b, `!document.getElementById('submit-box').hidden`)
		if err := chromedp.Do(b, chromedp.SendKeys(chromedp.CSS(`#submit-pin`), wrongPIN(tb.login.PIN))); err != nil {
			t.Fatal(err)
		}
		tap(t, b, `#submit-go`)
		browsertest.WaitTrue(t, b, `document.body.innerText.indexOf('PIN 错误') >= 0`)
		expectTextInView(t, b, "PIN 错误")
		if got := browsertest.Eval[string](t, b, `document.getElementById('submit-pin').value`); got != "" {
			t.Errorf("after a wrong submit PIN the box holds %q, want it empty", got)
		}
		tb.screenshot(t, "submit-pin")
		if s := sheetStatus(t, r.st, r.ev.ID, r.judge.ID, r.modA.ID, tb.sheet.contestantID); s != "open" {
			t.Errorf("sheet %s after a wrong PIN", s)
		}
		// The box may have been closed by the old tablet; open it again.
		if browsertest.Eval[bool](t, b, `document.getElementById('submit-box').hidden`) {
			tap(t, b, `#submit`)
		}
		browsertest.Eval[string](t, b, `document.getElementById('submit-pin').value = ''`)
		if err := chromedp.Do(b, chromedp.SendKeys(chromedp.CSS(`#submit-pin`), tb.login.PIN)); err != nil {
			t.Fatal(err)
		}
		tap(t, b, `#submit-go`)
		browsertest.WaitTrue(t, b, `document.getElementById('sheet-status').textContent === '已提交'`)
		expectTextInView(t, b, "评分表已提交")
		tb.screenshot(t, "submitted")
		if s := sheetStatus(t, r.st, r.ev.ID, r.judge.ID, r.modA.ID, tb.sheet.contestantID); s != "submitted" {
			t.Errorf("sheet %s after the submit", s)
		}
	})
}

// TestTabletServerRefusalAtTheField: a refusal only the server can make
// (the sheet was submitted from another device meanwhile) is shown at its
// field too, the typed text kept and nothing stored.
func TestTabletServerRefusalAtTheField(t *testing.T) {
	r := newTabletRig(t)
	r.tabletSizes(t, func(t *testing.T, tb *tabletTab) {
		b := tb.b
		tb.logIn(t)
		tb.open(t, tb.other)
		before := tb.marks(t, tb.other)
		if _, err := r.st.ApplyOps(context.Background(), []store.SheetOp{{OpID: "elsewhere-" + tb.other.code, Kind: store.OpSubmit,
			EventID: r.ev.ID, ModuleID: r.modA.ID, ContestantID: tb.other.contestantID, JudgeID: r.judge.ID,
			Actor: "judge:" + strconv.FormatInt(r.judge.ID, 10)}}); err != nil {
			t.Fatal(err)
		}
		next := "45"
		if before["A3"] == 450000 {
			next = "46"
		}
		scrollTo(t, b, fieldA3)
		typeInto(t, b, fieldA3, next)
		browsertest.WaitTrue(t, b, `window.__tablet.pending.length === 0 && document.querySelector('#aspects [data-aspect="A3"] .field-error')`)
		expectInView(t, b, `#aspects [data-aspect="A3"] .field-error`)
		tb.screenshot(t, "server-refused")
		if got := browsertest.Eval[string](t, b, `document.querySelector(`+strconv.Quote(fieldA3)+`).value`); got != next {
			t.Errorf("after the server's refusal the field shows %q, want the typed %q", got, next)
		}
		if got := tb.marks(t, tb.other); got["A3"] != before["A3"] {
			t.Errorf("refused by the server, yet A3 stored %d (was %d)", got["A3"], before["A3"])
		}
	})
}

type draftSheet struct {
	code         string
	contestantID int64
}

// draftSheets lists the judge's open sheets in the module that hold marks.
func draftSheets(t *testing.T, st *store.Store, eventID, judgeID, moduleID int64) []draftSheet {
	t.Helper()
	ctx := context.Background()
	sheets, err := st.Sheets(ctx, eventID)
	if err != nil {
		t.Fatal(err)
	}
	cs, _ := st.Contestants(ctx, eventID)
	code := map[int64]string{}
	for _, c := range cs {
		if c.Code != nil {
			code[c.ID] = *c.Code
		}
	}
	var out []draftSheet
	for _, sh := range sheets {
		if sh.JudgeID == judgeID && sh.ModuleID == moduleID && sh.Status == "open" && code[sh.ContestantID] != "" {
			out = append(out, draftSheet{code: code[sh.ContestantID], contestantID: sh.ContestantID})
		}
	}
	return out
}

func sheetStatus(t *testing.T, st *store.Store, eventID, judgeID, moduleID, contestantID int64) string {
	t.Helper()
	sheets, err := st.Sheets(context.Background(), eventID)
	if err != nil {
		t.Fatal(err)
	}
	for _, sh := range sheets {
		if sh.JudgeID == judgeID && sh.ModuleID == moduleID && sh.ContestantID == contestantID {
			return sh.Status
		}
	}
	return ""
}

// storedText writes a stored mark (1/10000 points) as the tablet shows it.
func storedText(v int64) string {
	s := strconv.FormatInt(v/10000, 10)
	if f := v % 10000; f != 0 {
		s += strings.TrimRight(fmt.Sprintf(".%04d", f), "0")
	}
	return s
}

// wrongPIN is the PIN with its last digit changed.
func wrongPIN(pin string) string {
	return pin[:5] + string(rune('0'+(pin[5]-'0'+1)%10))
}

// typePad taps the digits on the PIN pad.
func typePad(t *testing.T, b context.Context, pin string) {
	t.Helper()
	for _, d := range pin {
		tap(t, b, `#pinpad button:nth-child(`+pinPadIndex(d)+`)`)
	}
}

// tap finds and taps an element in one step, waiting until it exists: the
// tablet re-renders on every change.
func tap(t *testing.T, b context.Context, sel string) {
	t.Helper()
	browsertest.WaitTrue(t, b, `(function(){var e=document.querySelector(`+strconv.Quote(sel)+`);if(!e||e.disabled)return false;e.click();return true})()`)
}

// typeInto replaces a field's text by typing, then leaves the field, as a
// judge does by tapping elsewhere.
func typeInto(t *testing.T, b context.Context, sel, text string) {
	t.Helper()
	browsertest.WaitTrue(t, b, `(function(){var e=document.querySelector(`+strconv.Quote(sel)+`);if(!e)return false;e.focus();e.select();return true})()`)
	if err := chromedp.Do(b, chromedp.SendKeys(chromedp.CSS(sel), text)); err != nil {
		t.Fatal(err)
	}
	browsertest.Eval[bool](t, b, `(function(){document.activeElement.blur();return true})()`)
}

// scrollTo brings an element to a third of the screen's height, the page
// scrolled well down from its top (where a message written there would be
// unseen).
func scrollTo(t *testing.T, b context.Context, sel string) {
	t.Helper()
	browsertest.Eval[bool](t, b, `(function(){var r=document.querySelector(`+strconv.Quote(sel)+`).getBoundingClientRect();
window.scrollTo(0,window.scrollY+r.top-window.innerHeight/3);return true})()`)
	if y := browsertest.Eval[float64](t, b, `window.scrollY`); y < 150 {
		t.Fatalf("scrolled only %.0f px to %s: the sheet is too short to test", y, sel)
	}
}

// shown: the element is rendered (not hidden, not display:none).
func shown(sel string) string {
	return `(function(){var e=document.querySelector(` + strconv.Quote(sel) + `);return !!e&&e.getClientRects().length>0})()`
}

// inViewJS: the element lies wholly inside the viewport and is the one seen
// at its middle (not under the sticky bar or anything else).
const inViewJS = `function(e){if(!e||!e.getClientRects().length)return false;var r=e.getBoundingClientRect();
if(r.top<0||r.left<0||r.bottom>window.innerHeight||r.right>window.innerWidth||r.height===0)return false;
var x=document.elementFromPoint(r.left+r.width/2,r.top+r.height/2);return !!x&&(e===x||e.contains(x))}`

func expectInView(t *testing.T, b context.Context, sel string) {
	t.Helper()
	if !browsertest.Eval[bool](t, b, `(`+inViewJS+`)(document.querySelector(`+strconv.Quote(sel)+`))`) {
		r := browsertest.Eval[string](t, b, `(function(){var e=document.querySelector(`+strconv.Quote(sel)+`);if(!e)return 'none';var r=e.getBoundingClientRect();return r.top+'..'+r.bottom+' of '+window.innerHeight})()`)
		t.Errorf("%s is not in view (%s)", sel, r)
	}
}

// expectTextInView: some element showing the text lies inside the viewport.
func expectTextInView(t *testing.T, b context.Context, text string) {
	t.Helper()
	js := `(function(){var f=` + inViewJS + `;var all=document.querySelectorAll('body *');for(var i=0;i<all.length;i++){var e=all[i];
if(e.children.length===0&&e.textContent.indexOf(` + strconv.Quote(text) + `)>=0&&f(e))return true}return false})()`
	if !browsertest.Eval[bool](t, b, js) {
		t.Errorf("%q is not shown anywhere in the viewport (scrollY %.0f)", text, browsertest.Eval[float64](t, b, `window.scrollY`))
	}
}

// screenshot saves the viewport to $SKILLSCORE_SCREENSHOTS, when set, for a
// person to look at.
func screenshot(t *testing.T, b context.Context, name string) {
	t.Helper()
	dir := os.Getenv("SKILLSCORE_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(b, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}
