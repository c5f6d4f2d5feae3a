package web_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"skillscore/internal/browsertest"
	"skillscore/results"
)

// TestRetakesInBrowser: the organizer checks the batch's 补考 candidates
// (核对补考): the page lists who carries what, with the source batch, and
// who is refused and why; saving it takes 李华's passed 操作技能 off the
// skill judge's tablet, while the 综合评审 panel (three of 3–5) scores 李华
// on the same tablets, and the results show both.
func TestRetakesInBrowser(t *testing.T) {
	o := newRetakeOffice(t)
	ctx := context.Background()
	b := browsertest.New(t, 1024, 768)
	page := o.srv.URL + "/events/jd-2026-06/batch/retakes"
	browsertest.Navigates(t, b, chromedp.Navigate(page))
	browsertest.Navigates(t, b,
		chromedp.SendKeys(chromedp.CSS(`input[name=username]`), "org"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "pass-org"),
		chromedp.Submit(chromedp.CSS(`input[name=password]`)))
	browsertest.WaitTrue(t, b, `document.querySelector('#found') && document.querySelector('#refused')`)
	found := browsertest.Eval[string](t, b, `document.querySelector('#found').innerText`)
	refused := browsertest.Eval[string](t, b, `document.querySelector('#refused').innerText`)
	if !strings.Contains(found, "李华") || !strings.Contains(found, "操作技能 100 分 合格（沿用 2025-KY-07 批次，2025-10-18）") ||
		!strings.Contains(found, "有效期至 2026-10-18") || strings.Contains(found, "钱多") {
		t.Fatalf("found: %q", found)
	}
	if !strings.Contains(refused, "钱多") || !strings.Contains(refused, "未找到本职业（养老护理员）、本等级的以往认定成绩") || strings.Contains(refused, "王芳") {
		t.Fatalf("refused: %q", refused)
	}
	if !browsertest.Eval[bool](t, b, `!!document.getElementById('stale') && !!document.getElementById('saved-none')`) {
		t.Fatal("before saving the page does not say the check is unsaved")
	}
	// The page fits the organizer's tablet: nothing wider than the screen.
	if w := browsertest.Eval[float64](t, b, `document.documentElement.scrollWidth`); w > 1024 {
		t.Errorf("the page is %v px wide on a 1024 px screen", w)
	}
	browsertest.Navigates(t, b, chromedp.Click(chromedp.CSS(`#retakes-check`)))
	browsertest.WaitTrue(t, b, `document.getElementById('message') && document.getElementById('saved-list')`)
	if msg := browsertest.Eval[string](t, b, `document.getElementById('message').innerText`); msg != "已核对补考并保存：1 名考生沿用已合格部分，1 名不能沿用" {
		t.Fatalf("notice %q", msg)
	}
	if saved := browsertest.Eval[string](t, b, `document.getElementById('saved-list').innerText`); !strings.Contains(saved, "李华") ||
		!strings.Contains(saved, "合格（沿用 2025-KY-07 批次，2025-10-18）") || browsertest.Eval[bool](t, b, `!!document.getElementById('stale')`) {
		t.Fatalf("saved: %q", saved)
	}
	trail, _ := o.st.AuditFor(ctx, o.cur.ID, "event:jd-2026-06", "org")
	if last := trail[len(trail)-1]; last.Action != "batch.retakes" || !strings.Contains(last.Detail, `"part":"practical"`) ||
		!strings.Contains(last.Detail, "未找到本职业") {
		t.Fatalf("audit: %+v", last)
	}

	// The skill judge's tablet: 李华 sits no 操作技能 in this batch.
	tablet := func(judge string) (context.Context, string) {
		t.Helper()
		login, err := o.svc.IssueLogin(ctx, o.judges[judge].ID, "org")
		if err != nil {
			t.Fatal(err)
		}
		tb := browsertest.New(t, 1024, 768)
		if err := chromedp.Do(tb, chromedp.Navigate(o.srv.URL+"/judge?t="+login.Ticket), chromedp.WaitVisible(chromedp.CSS(`#pinpad`))); err != nil {
			t.Fatal(err)
		}
		browsertest.Eval[bool](t, tb, `(document.getElementById('pin').value = `+strconv.Quote(login.PIN)+`, true)`)
		browsertest.Eval[bool](t, tb, `(document.getElementById('login-go').click(), true)`)
		browsertest.WaitTrue(t, tb, `document.getElementById('sync').textContent.includes('已同步') && document.querySelectorAll('#modules button[data-code]').length > 0`)
		return tb, login.PIN
	}
	code := func(name string) string { return *o.cs[name].Code }
	listed := func(tb context.Context, module, name string) bool {
		return browsertest.Eval[bool](t, tb, `!!document.querySelector('#modules button[data-module="`+module+`"][data-code="`+code(name)+`"]')`)
	}
	k01, _ := tablet("K01")
	if listed(k01, "skill", "李华") || !listed(k01, "skill", "王芳") || !listed(k01, "skill", "钱多") {
		t.Fatalf("the skill tablet lists %q", browsertest.Eval[string](t, k01, `document.getElementById('modules').innerText`))
	}

	// A 综合评审 examiner scores 李华's defence on the tablet: 论文质量,
	// 答辩表现, 指导与培训能力 typed as points, then signed with the PIN.
	r01, pin := tablet("R01")
	if !listed(r01, "review", "李华") {
		t.Fatalf("the review tablet lacks 李华: %q", browsertest.Eval[string](t, r01, `document.getElementById('modules').innerText`))
	}
	browsertest.Eval[bool](t, r01, `(document.querySelector('#modules button[data-module="review"][data-code="`+code("李华")+`"]').click(), true)`)
	browsertest.WaitTrue(t, r01, `document.querySelector('#aspects [data-aspect="R3"] input')`)
	for aspect, v := range map[string]string{"R1": "32.5", "R2": "30", "R3": "16"} {
		browsertest.Eval[bool](t, r01, `(function(){var i=document.querySelector('#aspects [data-aspect="`+aspect+`"] input');i.value='`+v+`';i.dispatchEvent(new Event('change'));return true})()`)
		browsertest.WaitTrue(t, r01, `document.querySelector('#aspects [data-aspect="`+aspect+`"]').dataset.value === '`+v+`'`)
	}
	browsertest.WaitTrue(t, r01, `document.getElementById('sync').textContent.includes('已同步') && !document.getElementById('submit').disabled`)
	if w := browsertest.Eval[float64](t, r01, `document.documentElement.scrollWidth`); w > 1024 {
		t.Errorf("the review sheet is %v px wide on a 1024 px tablet", w)
	}
	snap, err := o.st.Snapshot(ctx, o.cur.ID)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	for _, m := range snap.Marks {
		if m.ContestantID == o.cs["李华"].ID && m.JudgeCode == "R01" {
			got[m.AspectCode] = m.Value
		}
	}
	if got["R1"] != 325000 || got["R2"] != 300000 || got["R3"] != 160000 {
		t.Fatalf("stored review marks %v", got)
	}
	st, err := results.Compute(snap)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range st.Result.Contestants {
		if c.ID != results.Key(o.cs["李华"].ID) {
			continue
		}
		// One examiner of the three seated has scored: 78.5 so far, pending;
		// the carried 操作技能 waits for nothing.
		if m := c.Modules[2]; m.Score.String() != "78.5" || m.Complete {
			t.Errorf("review module %+v", m)
		}
		if m := c.Modules[1]; !m.Complete || m.Score.String() != "100" {
			t.Errorf("carried skill module %+v", m)
		}
	}
	// Submitting signs the sheet with the examiner's PIN.
	browsertest.Eval[bool](t, r01, `(document.getElementById('submit').click(), true)`)
	browsertest.WaitTrue(t, r01, `!document.getElementById('submit-box').hidden`)
	browsertest.Eval[bool](t, r01, `(document.getElementById('submit-pin').value = `+strconv.Quote(pin)+`, document.getElementById('submit-go').click(), true)`)
	browsertest.WaitTrue(t, r01, `document.getElementById('sheet-status').textContent.includes('已提交')`)
	sheets, _ := o.st.Sheets(ctx, o.cur.ID)
	submitted := false
	for _, sh := range sheets {
		submitted = submitted || sh.ContestantID == o.cs["李华"].ID && sh.JudgeID == o.judges["R01"].ID && sh.Status == "submitted"
	}
	if !submitted {
		t.Fatalf("李华's review sheet by R01 is not submitted: %+v", sheets)
	}
}
