package web_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"skillscore/internal/browsertest"
	"skillscore/store"
)

// TestSupervisionInBrowser is a 督导员 with a tablet: the board of every
// room fits 1024×768, 768×1024 and a 390 px phone with finger-sized
// targets; a candidate signing in at P01 shows up without a reload; the
// 督导员 files a 督导记录 for P01, setting their PIN at this first
// signature; and every other POST of the batch is refused them.
func TestSupervisionInBrowser(t *testing.T) {
	o := newSupervisedOffice(t)
	ev := o.batch.Event
	base := o.srv.URL + "/events/" + ev.Code + "/batch/supervision"
	ctx := browsertest.NewWithin(t, 1024, 768, 150*time.Second)
	browsertest.Navigates(t, ctx, chromedp.Navigate(base+"?poll=2"))
	browsertest.Navigates(t, ctx,
		chromedp.SendKeys(chromedp.CSS(`input[name=username]`), "sup"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "pass-sup"),
		chromedp.Submit(chromedp.CSS(`input[name=password]`)),
	)
	browsertest.WaitTrue(t, ctx, `document.querySelector('[data-sitting=P01]')`)
	fits := func(w int, page string) {
		t.Helper()
		if sw := browsertest.Eval[int](t, ctx, `document.documentElement.scrollWidth`); sw > w {
			t.Errorf("%s is %d px wide on a %d px screen", page, sw, w)
		}
		small := browsertest.Eval[[]string](t, ctx, `[...document.querySelectorAll('.actions a, details summary, .links a, .choices label, #sign, #pin')]
			.filter(e => e.getClientRects().length && e.getBoundingClientRect().height < 44).map(e => e.textContent.trim() || e.id)`)
		if len(small) > 0 {
			t.Errorf("%s at %d px: targets under 44 px: %v", page, w, small)
		}
	}
	present := `document.querySelector('[data-sitting=P01] dd.present').textContent.trim()`
	if got := browsertest.Eval[string](t, ctx, present); got != "9" {
		t.Fatalf("P01 signed in: %q, want 9", got)
	}
	fits(1024, "board")
	screenshot(t, ctx, "supervision-board-1024x768.png")

	// Live: a sign-in at the door shows on the board with no reload.
	browsertest.Eval[any](t, ctx, `window.__sameBoard = true`)
	c := o.batch.Candidates[10]
	if _, err := o.st.CheckIn(context.Background(), store.CheckinRequest{EventID: ev.ID, Session: "P01", EntryNo: o.batch.EntryNo[c.ID],
		Digits: c.IDNumber[len(c.IDNumber)-4:], Actor: "keeper1"}); err != nil {
		t.Fatal(err)
	}
	browsertest.WaitTrue(t, ctx, present+` === '10' && window.__sameBoard === true`)

	for _, size := range [][2]int{{768, 1024}, {390, 844}} {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(size[0]), int64(size[1]))); err != nil {
			t.Fatal(err)
		}
		browsertest.WaitTrue(t, ctx, `document.documentElement.clientWidth === `+strconv.Itoa(size[0]))
		fits(size[0], "board")
		screenshot(t, ctx, "supervision-board-"+strconv.Itoa(size[0])+"x"+strconv.Itoa(size[1])+".png")
	}
	// On the phone, the name list opens: names and 准考证号, nothing more.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-sitting=P01] details summary`))); err != nil {
		t.Fatal(err)
	}
	head := browsertest.Eval[string](t, ctx, `document.querySelector('[data-sitting=P01] table.people thead').innerText`)
	if !strings.Contains(head, "准考证号") || !strings.Contains(head, "姓名") || strings.Contains(head, "证件") || strings.Contains(head, "单位") {
		t.Errorf("name list columns: %q", head)
	}
	fits(390, "board with the name list")
	screenshot(t, ctx, "supervision-names-390x844.png")

	// The record, filed on the tablet.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1024, 768)); err != nil {
		t.Fatal(err)
	}
	browsertest.Navigates(t, ctx, chromedp.Click(chromedp.CSS(`[data-sitting=P01] a.file`)))
	browsertest.WaitTrue(t, ctx, `document.querySelector('#first-pin') && document.querySelector('#pin2')`)
	fits(1024, "form")
	screenshot(t, ctx, "supervision-form-1024x768.png")
	err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`input[name=v_order][value=fair]`)),
		chromedp.SendKeys(chromedp.CSS(`textarea[name=n_order]`), "开考 10 分钟后仍有考生走动"),
		chromedp.Click(chromedp.CSS(`input[name=v_examiners][value=all]`)),
		chromedp.Click(chromedp.CSS(`input[name=v_conduct][value=compliant]`)),
		chromedp.Click(chromedp.CSS(`input[name=v_violations][value=none]`)),
		chromedp.SendKeys(chromedp.CSS(`#pin`), "480213"),
		chromedp.SendKeys(chromedp.CSS(`#pin2`), "480213"),
	)
	if err != nil {
		t.Fatal(err)
	}
	for _, size := range [][2]int{{768, 1024}, {390, 844}} {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(size[0]), int64(size[1]))); err != nil {
			t.Fatal(err)
		}
		browsertest.WaitTrue(t, ctx, `document.documentElement.clientWidth === `+strconv.Itoa(size[0]))
		fits(size[0], "form")
		screenshot(t, ctx, "supervision-form-"+strconv.Itoa(size[0])+"x"+strconv.Itoa(size[1])+".png")
	}
	browsertest.Navigates(t, ctx, chromedp.Click(chromedp.CSS(`#sign`)))
	browsertest.WaitTrue(t, ctx, `document.querySelector('#notice')`)
	if got := browsertest.Eval[string](t, ctx, `document.querySelector('#notice').textContent`); got != "督导记录第 1 号已签名提交" {
		t.Fatalf("notice: %q", got)
	}
	text := browsertest.Eval[string](t, ctx, `document.querySelector('article.record').innerText`)
	for _, want := range []string{"第 1 号", "一般：开考 10 分钟后仍有考生走动", "应考 12 人，已签到 10 人", "督导员 督导sup（账号 sup）", "SHA-256"} {
		if !strings.Contains(text, want) {
			t.Errorf("filed record lacks %q: %s", want, text)
		}
	}
	fits(390, "records")
	screenshot(t, ctx, "supervision-records-390x844.png")
	for _, size := range [][2]int{{1024, 768}, {768, 1024}} {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(size[0]), int64(size[1]))); err != nil {
			t.Fatal(err)
		}
		browsertest.WaitTrue(t, ctx, `document.documentElement.clientWidth === `+strconv.Itoa(size[0]))
		fits(size[0], "records")
		screenshot(t, ctx, "supervision-records-"+strconv.Itoa(size[0])+"x"+strconv.Itoa(size[1])+".png")
	}
	recs, err := o.st.SupervisionRecords(context.Background(), ev.ID)
	if err != nil || len(recs) != 1 || recs[0].Progress.Present != 10 || recs[0].Obs.Values["order"] != "fair" {
		t.Fatalf("stored: %+v %v", recs, err)
	}

	// Any other POST of the batch, with the session's own CSRF token, is refused.
	statuses, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]int](`(async () => {
		const csrf = document.querySelector('#logout input[name=csrf]').value, out = {};
		for (const p of ['checkin', 'checkin/close', 'sessions/numbers', 'results/publish', 'imports/scores', 'setup/details', 'draw', 'decrypt']) {
			const r = await fetch('/events/`+ev.Code+`/' + p, {method: 'POST', headers: {'X-CSRF-Token': csrf, 'Content-Type': 'application/x-www-form-urlencoded'},
				body: 'session=P01', redirect: 'manual'});
			out[p] = r.status;
		}
		return out;
	})()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	for p, code := range statuses {
		if code != 403 {
			t.Errorf("督导员 POST %s: %d, want 403", p, code)
		}
	}
	if len(statuses) != 8 {
		t.Errorf("statuses: %v", statuses)
	}
	if recs, _ := o.st.SupervisionRecords(context.Background(), ev.ID); len(recs) != 1 {
		t.Error("a refused POST stored something")
	}
}
