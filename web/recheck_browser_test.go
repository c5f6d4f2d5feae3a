package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"skillscore"
	"skillscore/internal/browsertest"
	"skillscore/internal/testenv"
	"skillscore/judges"
	"skillscore/recheck"
	"skillscore/scoring"
	"skillscore/store"
	"skillscore/templates"
	"skillscore/web"
)

// recheckOffice is the demo event with every sheet locked, signed off and
// decrypted, its 复核 required (top 1 of each group, 15 % of the rest, a
// 50 % escalation threshold so one flag does not check everything), a 监督
// "mon", the chief judge "chief" and the organizer "org".
func newRecheckOffice(t *testing.T) *office {
	t.Helper()
	st, ev := testenv.Demo(t)
	addStaff(t, st, "org", "chief")
	hash, err := web.HashPassword("pass-mon")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateUserWithGrant(context.Background(), store.User{Username: "mon", Name: "监督甲", Role: web.RoleMonitor, PasswordHash: hash},
		store.Grant{Role: web.RoleMonitor, EventCode: ev.Code}, "test"); err != nil {
		t.Fatal(err)
	}
	set := recheck.Settings{Required: true, TopN: 1, SamplePercent: recheck.DefaultSamplePercent, EscalationPercent: scoring.Points(50)}
	if err := st.SetRecheckSettings(context.Background(), ev.ID, set, "org"); err != nil {
		t.Fatal(err)
	}
	testenv.Decrypted(t, st, ev.ID)
	tmpl, err := templates.New()
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := judges.New(st, judges.Config{Logger: log})
	t.Cleanup(svc.Close)
	srv := httptest.NewServer(web.New(web.Config{Store: st, Templates: tmpl, Logger: log, Judges: svc, Judging: st}))
	t.Cleanup(srv.Close)
	return &office{t: t, st: st, srv: srv, ev: ev}
}

// TestRecheckInBrowser: publication is refused before the 复核; the 监督
// draws the sample on a 1024×768 tablet, confirms one sheet and flags
// another (a category and a note required), the sign-off waits; the chief
// judge corrects the flagged sheet with a reason, which reopens it; once it
// is locked and signed off again the 监督 signs off, publication goes
// through, and the report PDF reads back with the seed, the verdicts, the
// correction and both signature lines.
func TestRecheckInBrowser(t *testing.T) {
	o := newRecheckOffice(t)
	ctx := context.Background()
	w, err := o.st.Workflow(ctx, o.ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.PublishAllowed(); skillscore.ErrorCode(err) != skillscore.EConflict || !strings.Contains(skillscore.ErrorMessage(err), "成绩复核尚未开始") {
		t.Fatalf("publish before the 复核: %v", err)
	}
	page := o.srv.URL + "/events/" + o.ev.Code + "/recheck"
	b := browsertest.NewWithin(t, 1024, 768, 150*time.Second)
	login := func(user string) {
		t.Helper()
		browsertest.Navigates(t, b, chromedp.Navigate(o.srv.URL+"/login?next="+url.QueryEscape("/events/"+o.ev.Code+"/recheck")))
		browsertest.Navigates(t, b,
			chromedp.SendKeys(chromedp.CSS(`input[name=username]`), user),
			chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "pass-"+user),
			chromedp.Submit(chromedp.CSS(`input[name=password]`)),
		)
	}
	fits := func(what string) {
		t.Helper()
		if sw := browsertest.Eval[int](t, b, `document.documentElement.scrollWidth`); sw > 1024 {
			t.Errorf("%s is %d px wide on a 1024 px tablet", what, sw)
		}
		small := browsertest.Eval[[]string](t, b, `[...document.querySelectorAll('#recheck button, .choices label, .links a')]
			.filter(e => e.getClientRects().length && e.getBoundingClientRect().height < 44).map(e => e.textContent.trim())`)
		if len(small) > 0 {
			t.Errorf("%s: targets under 44 px: %v", what, small)
		}
	}
	login("mon")
	browsertest.WaitTrue(t, b, `document.querySelector('#start')`)
	browsertest.Navigates(t, b, chromedp.Click(chromedp.CSS(`#start`)))
	browsertest.WaitTrue(t, b, `document.querySelector('#seed')`)
	round, items, err := o.st.Recheck(ctx, o.ev.ID)
	if err != nil || len(items) < 3 {
		t.Fatalf("round %+v, %d items: %v", round, len(items), err)
	}
	if got := browsertest.Eval[string](t, b, `document.querySelector('#seed').textContent`); got != round.Seed {
		t.Fatalf("seed shown %q, stored %q", got, round.Seed)
	}
	if n := browsertest.Eval[int](t, b, `document.querySelectorAll('article.item').length`); n != len(items) {
		t.Fatalf("%d items shown, %d stored", n, len(items))
	}
	// The panel's computation beside the stored marks.
	if got := browsertest.Eval[string](t, b, `document.querySelector('article.item .module-score').textContent`); !strings.Contains(got, "模块得分") {
		t.Errorf("first item's module score: %q", got)
	}
	fits("recheck page")
	screenshot(t, b, "recheck-1024x768.png")
	if err := chromedp.Do(b, chromedp.ScrollIntoView(`article.item .flag-form`)); err != nil {
		t.Fatal(err)
	}
	screenshot(t, b, "recheck-item-1024x768.png")

	first, second := items[0], items[1]
	item := func(id int64) string { return `#i` + strconv.FormatInt(id, 10) }
	browsertest.Navigates(t, b, chromedp.Click(chromedp.CSS(item(first.ID)+` button.confirm`)))
	browsertest.WaitTrue(t, b, `document.querySelector('`+item(first.ID)+`').dataset.verdict === 'confirmed'`)
	// A flag without a category is refused on the page, nothing stored.
	browsertest.Navigates(t, b,
		chromedp.SendKeys(chromedp.CSS(item(second.ID)+` input[name=note]`), "A1 纸质 8 分，系统 6 分"),
		chromedp.Click(chromedp.CSS(item(second.ID)+` button.flag`)))
	browsertest.WaitTrue(t, b, `document.querySelector('#error')`)
	if got := browsertest.Eval[string](t, b, `document.querySelector('#error').textContent`); !strings.Contains(got, "差错类别") {
		t.Fatalf("refusal: %q", got)
	}
	browsertest.Navigates(t, b,
		chromedp.Click(chromedp.CSS(item(second.ID)+` input[name=category][value=transcription]`)),
		chromedp.SendKeys(chromedp.CSS(item(second.ID)+` input[name=note]`), "A1 纸质 8 分，系统 6 分"),
		chromedp.Click(chromedp.CSS(item(second.ID)+` button.flag`)))
	browsertest.WaitTrue(t, b, `document.querySelector('`+item(second.ID)+`').dataset.verdict === 'flagged'`)
	// The rest confirmed from the page's own forms.
	if _, err := chromedp.Run(b, chromedp.Evaluate[bool](`(async () => {
		for (const f of document.querySelectorAll('article.item:not([data-verdict]) form, article.item[data-verdict=""] form')) {
			if (f.querySelector('input[name=verdict]')?.value !== 'confirmed') continue;
			const r = await fetch(f.action, {method: 'POST', body: new URLSearchParams(new FormData(f)), redirect: 'manual'});
			if (r.type !== 'opaqueredirect') throw new Error('confirm: ' + r.status);
		}
		return true;
	})()`, chromedp.EvalAwaitPromise)); err != nil {
		t.Fatal(err)
	}
	browsertest.Navigates(t, b, chromedp.Navigate(page))
	browsertest.WaitTrue(t, b, `document.querySelector('#signoff')`)
	if !browsertest.Eval[bool](t, b, `document.querySelector('#signoff').disabled`) ||
		!strings.Contains(browsertest.Eval[string](t, b, `document.querySelector('#sign-refused').textContent`), "等待裁判长更正") {
		t.Fatal("sign-off offered before the flagged sheet is corrected")
	}
	if browsertest.Eval[bool](t, b, `!!document.querySelector('.correct-form')`) {
		t.Error("the 监督 is offered the correction")
	}
	screenshot(t, b, "recheck-flagged-1024x768.png")

	// The chief judge corrects with a reason: the sheet reopens.
	browsertest.Navigates(t, b, chromedp.Click(chromedp.CSS(`#logout-button`)))
	login("chief")
	browsertest.WaitTrue(t, b, `document.querySelector('#flagged-list') && document.querySelector('`+item(second.ID)+` .correct-form')`)
	if browsertest.Eval[bool](t, b, `!!document.querySelector('button.confirm, #signoff')`) {
		t.Error("the chief judge is offered the 监督's buttons")
	}
	fits("recheck page (chief)")
	browsertest.Navigates(t, b,
		chromedp.SendKeys(chromedp.CSS(item(second.ID)+` input[name=reason]`), "按纸质评分表更正 A1 为 8 分"),
		chromedp.Click(chromedp.CSS(item(second.ID)+` button.correct`)))
	browsertest.WaitTrue(t, b, `document.querySelector('`+item(second.ID)+` .correction')`)
	if err := chromedp.Do(b, chromedp.ScrollIntoView(item(second.ID))); err != nil {
		t.Fatal(err)
	}
	screenshot(t, b, "recheck-corrected-1024x768.png")
	sheets, err := o.st.Sheets(ctx, o.ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	var sh store.Sheet
	for _, x := range sheets {
		if x.ID == second.SheetID {
			sh = x
		}
	}
	if sh.Status != "open" {
		t.Fatalf("corrected sheet: %+v, want reopened", sh)
	}
	// The judge resubmits; the chief locks and signs the module off again.
	res, err := o.st.ApplyOps(ctx, []store.SheetOp{{OpID: "recheck-resubmit", Kind: store.OpSubmit, EventID: o.ev.ID, ModuleID: sh.ModuleID,
		ContestantID: sh.ContestantID, JudgeID: sh.JudgeID, Actor: "judge", Subject: "x"}})
	if err != nil || res[0].Err != nil {
		t.Fatalf("resubmit: %v %v", err, res)
	}
	if _, _, err := o.st.SetSheetStatus(ctx, o.ev.ID, sh.ID, "locked", "", "chief"); err != nil {
		t.Fatal(err)
	}
	if err := o.st.SignOffModule(ctx, o.ev.ID, sh.ModuleID, 0, "chief"); err != nil {
		t.Fatal(err)
	}

	// The 监督 signs off; publication then goes through.
	browsertest.Navigates(t, b, chromedp.Click(chromedp.CSS(`#logout-button`)))
	login("mon")
	browsertest.WaitTrue(t, b, `document.querySelector('#signoff') && !document.querySelector('#signoff').disabled`)
	browsertest.Navigates(t, b, chromedp.Click(chromedp.CSS(`#signoff`)))
	browsertest.WaitTrue(t, b, `document.querySelector('#signed')`)
	if got := browsertest.Eval[string](t, b, `document.querySelector('#signed').textContent`); !strings.Contains(got, "监督甲（账号 mon）") {
		t.Errorf("signed: %q", got)
	}
	fits("signed-off page")
	screenshot(t, b, "recheck-signed-1024x768.png")
	// The organizer's checklist shows the step done, with a link here.
	browsertest.Navigates(t, b, chromedp.Navigate(o.srv.URL+"/events/"+o.ev.Code+"/results"))
	browsertest.WaitTrue(t, b, `document.querySelector('#recheck-link')`)
	if got := browsertest.Eval[string](t, b, `document.body.innerText`); !strings.Contains(got, "成绩复核（监督签字确认）：✓ 已完成") {
		t.Errorf("results page: %s", got)
	}
	if _, err := o.st.PublishResults(ctx, o.ev.ID, time.Now(), time.Now().Add(72*time.Hour), "org"); err != nil {
		t.Fatalf("publish after the 复核: %v", err)
	}

	// The report, read back.
	mon := o.browser()
	if code := mon.login("mon", "pass-mon"); code != 303 {
		t.Fatalf("login: %d", code)
	}
	code, pdf := mon.get("/events/" + o.ev.Code + "/recheck/report.pdf")
	if code != 200 || !strings.HasPrefix(pdf, "%PDF") {
		t.Fatalf("report: %d %.80s", code, pdf)
	}
	if dir := os.Getenv("SKILLSCORE_SCREENSHOTS"); dir != "" {
		if err := os.WriteFile(filepath.Join(dir, "recheck-report.pdf"), []byte(pdf), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	text, _ := readPDF(t, []byte(pdf))
	flat := strings.Join(strings.Fields(text), "")
	for _, want := range []string{"成绩复核报告", round.Seed[:32], "每组前1名", "不少于15%", "有误（录入）", "A1纸质8分", "按纸质评分表更正",
		"无误", "监督（签字）", "裁判长（签字）", "监督甲（账号mon）"} {
		if !strings.Contains(flat, want) {
			t.Errorf("report lacks %q:\n%s", want, text)
		}
	}
}
