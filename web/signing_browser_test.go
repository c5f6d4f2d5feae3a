package web_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"skillscore/internal/browsertest"
	"skillscore/internal/testenv"
	"skillscore/signkeys"
	"skillscore/store"
)

// TestJudgeSetsOwnSigningPINInBrowser: in an event that requires own
// signing PINs, a judge's first login with the card leads to the set-up
// screen (no way around it), which refuses a short PIN, the card's PIN and
// a mistyped confirmation in Chinese; the submit then asks for that PIN,
// refuses a wrong one with the tries left, and signs with the right one.
func TestJudgeSetsOwnSigningPINInBrowser(t *testing.T) {
	ctx := context.Background()
	st, ev := testenv.Demo(t)
	if err := st.SetJudgeSigningRequired(ctx, ev.ID, true, "organizer"); err != nil {
		t.Fatal(err)
	}
	v := &venue{t: t, st: st, addr: "127.0.0.1:0"}
	v.start()
	t.Cleanup(v.stop)
	js, _ := st.Judges(ctx, ev.ID)
	var judge store.Judge
	for _, j := range js {
		if j.Code == "J01" { // module A, whose sheets the demo marked fully
			judge = j
		}
	}
	login, err := v.svc.IssueLogin(ctx, judge.ID, "organizer")
	if err != nil {
		t.Fatal(err)
	}

	b := browsertest.New(t, 1024, 768)
	click := func(sel string) {
		t.Helper()
		browsertest.WaitTrue(t, b, `(function(){var e=document.querySelector(`+strconv.Quote(sel)+`);if(!e||e.disabled)return false;e.click();return true})()`)
	}
	pad := func(padID, digits string) {
		t.Helper()
		for _, d := range digits {
			click(`#` + padID + ` button:nth-child(` + pinPadIndex(d) + `)`)
		}
	}
	textOf := func(id string) string {
		return browsertest.Eval[string](t, b, `document.getElementById('`+id+`').textContent`)
	}
	waitText := func(id, want string) {
		t.Helper()
		browsertest.WaitTrue(t, b, `document.getElementById('`+id+`').textContent.indexOf(`+strconv.Quote(want)+`) >= 0`)
	}

	if err := chromedp.Do(b, chromedp.Navigate("http://"+v.addr+"/judge?t="+login.Ticket),
		chromedp.WaitVisible(chromedp.CSS(`#pinpad`))); err != nil {
		t.Fatal(err)
	}
	pad("pinpad", login.PIN)
	click(`#login-go`)
	// The set-up screen comes first; where it is required it cannot be put off.
	browsertest.WaitTrue(t, b, `!document.getElementById('signset').hidden`)
	if !browsertest.Eval[bool](t, b, `document.getElementById('signset-later').hidden && document.getElementById('list').hidden`) {
		t.Fatal("a required signing PIN can be skipped")
	}
	screenshot(t, b, "signset-1024x768.png")
	if err := chromedp.Do(b, chromedp.EmulateViewport(768, 1024)); err != nil {
		t.Fatal(err)
	}
	screenshot(t, b, "signset-768x1024.png")
	if err := chromedp.Do(b, chromedp.EmulateViewport(1024, 768)); err != nil {
		t.Fatal(err)
	}

	// Too short: said at once, in Chinese.
	pad("signset-pad", "12345")
	click(`#signset-go`)
	waitText("signset-error", "至少 6 位数字")
	// The card's PIN: refused by the server (the organizer knows it).
	if signkeysOK(login.PIN) {
		pad("signset-pad", login.PIN)
		click(`#signset-go`)
		waitText("signset-step", "第 2 步")
		pad("signset-pad", login.PIN)
		click(`#signset-go`)
		waitText("signset-error", "不能与登录卡上的 PIN 相同")
	}
	// A mistyped confirmation starts over.
	pad("signset-pad", "583920")
	click(`#signset-go`)
	waitText("signset-step", "第 2 步")
	screenshot(t, b, "signset-step2-1024x768.png")
	pad("signset-pad", "583921")
	click(`#signset-go`)
	waitText("signset-error", "两次输入不一致")
	if !strings.Contains(textOf("signset-step"), "第 1 步") {
		t.Fatalf("after a mismatch the screen shows %q", textOf("signset-step"))
	}
	pad("signset-pad", "583920")
	click(`#signset-go`)
	waitText("signset-step", "第 2 步")
	pad("signset-pad", "583920")
	click(`#signset-go`)
	browsertest.WaitTrue(t, b, `!document.getElementById('list').hidden && document.querySelector('#modules button[data-module="A"]')`)
	k, err := st.JudgeSigningKey(ctx, judge.ID)
	if err != nil {
		t.Fatalf("no key stored after the set-up: %v", err)
	}
	if browsertest.Eval[bool](t, b, `JSON.stringify(localStorage).indexOf('583920') >= 0`) {
		t.Error("the signing PIN is kept in the tablet's storage")
	}

	// Submit: the box asks for the judge's own PIN on a keypad.
	code := browsertest.Eval[string](t, b, `document.querySelector('#modules button[data-module="A"]').dataset.code`)
	click(`#modules button[data-module="A"][data-code="` + code + `"]`)
	click(`#submit`)
	browsertest.WaitTrue(t, b, `!document.getElementById('submit-box').hidden && !document.getElementById('submit-pad').hidden`)
	if ask := textOf("submit-ask"); !strings.Contains(ask, "您自己设置的签名密码") {
		t.Fatalf("the submit asks: %q", ask)
	}
	pad("submit-pad", "000999")
	click(`#submit-go`)
	waitText("submit-error", "签名密码错误，还可尝试 4 次")
	browsertest.WaitTrue(t, b, `document.getElementById('submit-box').scrollIntoView({block: 'center'}) || true`)
	screenshot(t, b, "submit-signing-1024x768.png")
	if err := chromedp.Do(b, chromedp.EmulateViewport(768, 1024)); err != nil {
		t.Fatal(err)
	}
	screenshot(t, b, "submit-signing-768x1024.png")
	pad("submit-pad", "583920")
	click(`#submit-go`)
	browsertest.WaitTrue(t, b, `document.getElementById('sheet-status').textContent.indexOf('已提交') >= 0`)

	sheets, _ := st.JudgeSheets(ctx, judge.ID)
	signed := 0
	for _, sh := range sheets {
		if sh.Status != "submitted" {
			continue
		}
		v, err := st.VerifySheet(ctx, sh.ID)
		if err != nil || !v.OK || v.Method != signkeys.MethodOwnKey || v.KeyID != k.KeyID {
			t.Fatalf("sheet %d: %+v %v", sh.ID, v, err)
		}
		signed++
	}
	if signed != 1 {
		t.Fatalf("%d signed sheets, want 1", signed)
	}
	if k, _ := st.JudgeSigningKey(ctx, judge.ID); k.Failures != 0 {
		t.Errorf("the right PIN left %d wrong tries counted", k.Failures)
	}
}

// signkeysOK: the card's random PIN would pass the set-up's own checks
// (a card PIN like 111111 is refused as trivial before the server sees it).
func signkeysOK(pin string) bool { return signkeys.CheckSecret(pin) == nil }

// TestSigningPINOfferedWhereOptionalInBrowser: where the event does not
// require an own signing PIN the tablet goes straight to the tasks, with a
// banner offering one; the set-up it opens can be put off.
func TestSigningPINOfferedWhereOptionalInBrowser(t *testing.T) {
	ctx := context.Background()
	st, ev := testenv.Demo(t)
	v := &venue{t: t, st: st, addr: "127.0.0.1:0"}
	v.start()
	t.Cleanup(v.stop)
	js, _ := st.Judges(ctx, ev.ID)
	login, err := v.svc.IssueLogin(ctx, js[0].ID, "organizer")
	if err != nil {
		t.Fatal(err)
	}
	b := browsertest.New(t, 1024, 768)
	if err := chromedp.Do(b, chromedp.Navigate("http://"+v.addr+"/judge?t="+login.Ticket),
		chromedp.WaitVisible(chromedp.CSS(`#pinpad`))); err != nil {
		t.Fatal(err)
	}
	for _, d := range login.PIN {
		browsertest.WaitTrue(t, b, `(function(){var e=document.querySelector('#pinpad button:nth-child(`+pinPadIndex(d)+`)');if(!e)return false;e.click();return true})()`)
	}
	browsertest.WaitTrue(t, b, `(document.getElementById('login-go').click(), true)`)
	browsertest.WaitTrue(t, b, `!document.getElementById('list').hidden && document.getElementById('sign-now')`)
	screenshot(t, b, "list-offer-1024x768.png")
	browsertest.WaitTrue(t, b, `(document.getElementById('sign-now').click(), true)`)
	browsertest.WaitTrue(t, b, `!document.getElementById('signset').hidden && !document.getElementById('signset-later').hidden`)
	browsertest.WaitTrue(t, b, `(document.getElementById('signset-later').click(), true)`)
	browsertest.WaitTrue(t, b, `!document.getElementById('list').hidden && document.getElementById('signset').hidden`)
	if _, err := st.JudgeSigningKey(ctx, js[0].ID); err == nil {
		t.Fatal("a key exists though the judge put it off")
	}
}
