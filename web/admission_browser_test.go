package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"skillscore/idnumber"
	"skillscore/internal/browsertest"
	"skillscore/sessions"
	"skillscore/sheets"
	"skillscore/store"
)

// TestAssessmentSignInInBrowser is a scorekeeper signing candidates in at
// a room's door on a tablet (1024×768, then upright 768×1024): the page
// speaks of 准考证, 考生 and 签到; a scanned 准考证 (the scanner types its
// code) shows the candidate's photo, masked 证件号码 and seat for the
// identity check before anything is stored, and "人证一致" signs them in; a
// typed 准考证号 with the right last 4 shows the same check, and "人证不符"
// records the mismatch; a candidate without a photo says so.
func TestAssessmentSignInInBrowser(t *testing.T) {
	o := newAdmitOffice(t)
	li, zhang, liu := o.cs[0], o.cs[2], o.cs[3]
	tok, err := o.st.CardToken(o.ev.ID, li.ID)
	if err != nil {
		t.Fatal(err)
	}
	ctx := browsertest.New(t, 1024, 768)
	page := o.srv.URL + "/events/" + o.ev.Code + "/checkin?s=T01"
	err = chromedp.Do(ctx,
		chromedp.Navigate(page),
		chromedp.WaitVisible(chromedp.CSS(`input[name=username]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	browsertest.Navigates(t, ctx,
		chromedp.SendKeys(chromedp.CSS(`input[name=username]`), "keeper1"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "pass-keeper1"),
		chromedp.Submit(chromedp.CSS(`input[name=password]`)),
	)
	browsertest.Shows(t, ctx, `#entry-no`)
	text := browsertest.Eval[string](t, ctx, `document.querySelector('#checkin').innerText`)
	for _, want := range []string{"签到 · " + o.ev.Name, "准考证号", "准考证二维码", "扫码签到", "座位", "待签到"} {
		if !strings.Contains(text, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	for _, competition := range []string{"参赛证", "选手", "检录", "赛位", "赛场"} {
		if strings.Contains(text, competition) {
			t.Errorf("an assessment's sign-in says %q:\n%s", competition, text)
		}
	}
	fits := func(w int, targets string) {
		t.Helper()
		if sw := browsertest.Eval[int](t, ctx, `document.documentElement.scrollWidth`); sw > w {
			t.Errorf("page is %d px wide on a %d px tablet", sw, w)
		}
		small := browsertest.Eval[[]string](t, ctx, `[...document.querySelectorAll('`+targets+`')]
			.filter(e => e.getBoundingClientRect().height < 44).map(e => e.id || e.textContent.trim())`)
		if len(small) > 0 {
			t.Errorf("targets under 44 px at %d px: %v", w, small)
		}
	}
	fits(1024, `#code-form input:not([type=hidden]), #qr-form input:not([type=hidden]), #checkin-submit, #qr-submit, nav.picker a`)
	screenshot(t, ctx, "signin-1024.png")

	// The scanner types the 准考证's code and its Enter submits the form:
	// the identity check, nothing stored.
	browsertest.Navigates(t, ctx, chromedp.SendKeys(chromedp.CSS(`#token`), tok+"\n"))
	browsertest.Shows(t, ctx, `#identity`)
	browsertest.WaitTrue(t, ctx, `document.querySelector('#identity-photo') && document.querySelector('#identity-photo').complete && document.querySelector('#identity-photo').naturalWidth === 300`)
	if got := browsertest.Eval[string](t, ctx, `document.querySelector('#identity-id').innerText`); got != idnumber.Mask(li.IDNumber) {
		t.Errorf("identity check shows %q, want the masked %q", got, idnumber.Mask(li.IDNumber))
	}
	if text := browsertest.Eval[string](t, ctx, `document.querySelector('#identity').innerText`); !strings.Contains(text, li.Name) ||
		!strings.Contains(text, o.entryNo[li.ID]) || strings.Contains(text, li.IDNumber) {
		t.Errorf("identity check: %q", text)
	}
	// The check and its buttons are in view on the tablet, big enough for a finger.
	if bottom := browsertest.Eval[float64](t, ctx, `document.querySelector('#identity-mismatch').getBoundingClientRect().bottom`); bottom > 768 {
		t.Errorf("the identity buttons end at %.0f px, below the screen", bottom)
	}
	fits(1024, `#identity-match, #identity-mismatch`)
	screenshot(t, ctx, "signin-identity-1024.png")
	outcome := func(id int64) string {
		t.Helper()
		s, err := o.st.Session(t.Context(), o.ev.ID, "T01")
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range s.Rows {
			if r.ContestantID == id {
				return r.Outcome
			}
		}
		return "not in T01"
	}
	if got := outcome(li.ID); got != "" {
		t.Fatalf("the scan stored %q before the identity check", got)
	}
	browsertest.Navigates(t, ctx, chromedp.Click(chromedp.CSS(`#identity-match`)))
	browsertest.WaitTrue(t, ctx, `document.querySelector('#checkin-result[data-outcome=present]')`)
	if text := browsertest.Eval[string](t, ctx, `document.querySelector('#checkin-result').innerText`); !strings.Contains(text, "签到成功") || !strings.Contains(text, li.Name) {
		t.Fatalf("result: %q", text)
	}

	// Typed: the 准考证号 and the right last 4; the face differs.
	browsertest.Navigates(t, ctx,
		chromedp.SendKeys(chromedp.CSS(`#entry-no`), o.entryNo[zhang.ID]),
		chromedp.SendKeys(chromedp.CSS(`#digits`), zhang.IDNumber[len(zhang.IDNumber)-4:]),
		chromedp.Click(chromedp.CSS(`#checkin-submit`)),
	)
	browsertest.Shows(t, ctx, `#identity`)
	if who := browsertest.Eval[string](t, ctx, `document.querySelector('#identity-who').innerText`); who != zhang.Name {
		t.Fatalf("identity check of %q, want %s", who, zhang.Name)
	}
	browsertest.Navigates(t, ctx, chromedp.Click(chromedp.CSS(`#identity-mismatch`)))
	browsertest.WaitTrue(t, ctx, `document.querySelector('#checkin-result[data-outcome=identity_mismatch]')`)
	if got := outcome(zhang.ID); got != sessions.IdentityMismatch {
		t.Fatalf("stored %q for the mismatch", got)
	}

	// Upright; the other room's candidate has no photo on the roster.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(768, 1024), chromedp.Navigate(o.srv.URL+"/events/"+o.ev.Code+"/checkin?s=T02"),
		chromedp.WaitVisible(chromedp.CSS(`#entry-no`))); err != nil {
		t.Fatal(err)
	}
	fits(768, `#code-form input:not([type=hidden]), #qr-form input:not([type=hidden]), #checkin-submit, #qr-submit, nav.picker a`)
	screenshot(t, ctx, "signin-768.png")
	browsertest.Navigates(t, ctx,
		chromedp.SendKeys(chromedp.CSS(`#entry-no`), o.entryNo[liu.ID]),
		chromedp.SendKeys(chromedp.CSS(`#digits`), liu.IDNumber[len(liu.IDNumber)-4:]),
		chromedp.Click(chromedp.CSS(`#checkin-submit`)),
	)
	browsertest.Shows(t, ctx, `#no-photo`)
	fits(768, `#identity-match, #identity-mismatch`)
	screenshot(t, ctx, "signin-identity-768.png")
	browsertest.Navigates(t, ctx, chromedp.Click(chromedp.CSS(`#identity-match`)))
	browsertest.WaitTrue(t, ctx, `document.querySelector('#checkin-result[data-outcome=present]')`)
	s, err := o.st.Session(t.Context(), o.ev.ID, "T02")
	if err != nil || s.Rows[0].Outcome != sessions.Present || s.Rows[0].Method != sessions.MethodCode || s.Rows[0].Note != "人证核验一致" {
		t.Fatalf("T02: %+v %v", s.Rows, err)
	}
}

// TestAssessorTabletInBrowser is a 考评员 with an assessment's login card:
// the card's QR code names the batch, so the login screen already says
// 考评员; after the login the list shows the candidates' seats (座位) and
// the tablet never says 裁判, 选手 or 赛位; a competition's card keeps them.
func TestAssessorTabletInBrowser(t *testing.T) {
	o := newAdmitOffice(t)
	ctx := t.Context()
	if _, err := o.st.Draw(ctx, o.ev.ID, 1, "0123456789abcdef0123456789abcdef", "org"); err != nil {
		t.Fatal(err)
	}
	mods, err := o.st.Modules(ctx, o.ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	j, err := o.st.AddJudge(ctx, store.Judge{EventID: o.ev.ID, Code: "K01", Name: "陈考评"}, []store.PanelMember{{ModuleID: mods[1].ID, Chief: true}}, "org")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := o.judges.AssignPanels(ctx, o.ev.ID, "org"); err != nil {
		t.Fatal(err)
	}
	login, err := o.judges.IssueLogin(ctx, j.ID, "org")
	if err != nil {
		t.Fatal(err)
	}
	b := browsertest.New(t, 1024, 768)
	if err := chromedp.Do(b, chromedp.Navigate(sheets.JudgeLoginURL(o.srv.URL, login.Ticket, o.ev.Code)),
		chromedp.WaitVisible(chromedp.CSS(`#pinpad`))); err != nil {
		t.Fatal(err)
	}
	if h := browsertest.Eval[string](t, b, `document.querySelector('#login h1').innerText + document.querySelector('#login-hint').innerText + document.title`); !strings.Contains(h, "考评员登录") ||
		!strings.Contains(h, "考评员登录卡上的 6 位 PIN") || !strings.HasPrefix(browsertest.Eval[string](t, b, `document.title`), "考评员评分") || strings.Contains(h, "裁判") {
		t.Fatalf("login screen: %q", h)
	}
	screenshot(t, b, "assessor-login-1024.png")
	for _, d := range login.PIN {
		browsertest.WaitTrue(t, b, `(function(){var e=document.querySelector('#pinpad button:nth-child(`+pinPadIndex(d)+`)');if(!e)return false;e.click();return true})()`)
	}
	browsertest.WaitTrue(t, b, `(function(){var e=document.querySelector('#login-go');if(!e)return false;e.click();return true})()`)
	browsertest.WaitTrue(t, b, `document.querySelectorAll('#modules button[data-code]').length === 4`)
	text := browsertest.Eval[string](t, b, `document.body.innerText`)
	if !strings.Contains(text, "座位 ") {
		t.Errorf("the list shows no 座位:\n%s", text)
	}
	for _, competition := range []string{"裁判", "选手", "赛位"} {
		if strings.Contains(text, competition) {
			t.Errorf("an assessment's tablet says %q:\n%s", competition, text)
		}
	}
	if got := browsertest.Eval[string](t, b, `JSON.parse(localStorage.getItem('skillscore.judge.terms')).judge`); got != "考评员" {
		t.Errorf("stored terms: %q", got)
	}
	// The submit box's words too.
	browsertest.WaitTrue(t, b, `(function(){var e=document.querySelector('#modules button[data-code]');if(!e)return false;e.click();return true})()`)
	browsertest.WaitTrue(t, b, `!document.querySelector('#sheet').hidden`)
	if box := browsertest.Eval[string](t, b, `document.querySelector('#submit-box').textContent`); !strings.Contains(box, "需考评组长重新开放") {
		t.Errorf("submit box: %q", box)
	}
	screenshot(t, b, "assessor-sheet-1024.png")
	// Another tablet with a card of no known event keeps a competition's words.
	other := browsertest.Device(t, b, 1024, 768)
	if err := chromedp.Do(other, chromedp.Navigate(o.srv.URL+"/judge?t=x&e=nosuch"), chromedp.WaitVisible(chromedp.CSS(`#pinpad`))); err != nil {
		t.Fatal(err)
	}
	if h := browsertest.Eval[string](t, other, `document.querySelector('#login h1').innerText`); h != "裁判登录" {
		t.Errorf("unknown event's login screen: %q", h)
	}
}

// TestAdmissionPageInBrowser: the organizer's admission page fits a
// 1024-px screen, its sittings table names each room and the single
// ticket's form opens that candidate's 准考证.
func TestAdmissionPageInBrowser(t *testing.T) {
	o := newAdmitOffice(t)
	b := browsertest.New(t, 1024, 768)
	err := chromedp.Do(b,
		chromedp.Navigate(o.srv.URL+"/events/"+o.ev.Code+"/batch/admission"),
		chromedp.WaitVisible(chromedp.CSS(`input[name=username]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	browsertest.Navigates(t, b,
		chromedp.SendKeys(chromedp.CSS(`input[name=username]`), "org"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "pass-org"),
		chromedp.Submit(chromedp.CSS(`input[name=password]`)),
	)
	browsertest.Shows(t, b, `#sittings`)
	if sw := browsertest.Eval[int](t, b, `document.documentElement.scrollWidth`); sw > 1024 {
		t.Errorf("page is %d px wide", sw)
	}
	rows := browsertest.Eval[[]string](t, b, `[...document.querySelectorAll('#sittings tbody tr')].map(r => r.cells[3].innerText)`)
	if strings.Join(rows, ",") != "第一考场,第二考场,第一考场" {
		t.Errorf("rooms: %v", rows)
	}
	if href := browsertest.Eval[string](t, b, `document.querySelector('#ticket-one').action`); !strings.HasSuffix(href, "/batch/admission/tickets.pdf") {
		t.Errorf("single ticket form: %s", href)
	}
	screenshot(t, b, "admission-1024.png")
	if err := chromedp.Do(b, chromedp.Navigate(o.srv.URL+"/events/"+o.ev.Code+"/imports"), chromedp.WaitVisible(chromedp.CSS(`#allow-missing`))); err != nil {
		t.Fatal(err)
	}
	screenshot(t, b, "imports-assessment-1024.png")
}
