package web_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"skillscore/internal/browsertest"
)

// TestArbitrationInBrowser is the 仲裁 at the venue desk with a 10-inch
// tablet (1024×768): a late appeal about module B is refused naming its
// deadline, with the form kept; an appeal about module A is filed, heard
// and decided; the decision is final (no forms left); the joint appeals
// page lists it beside the 公示 appeal, each with its kind and status.
func TestArbitrationInBrowser(t *testing.T) {
	o := newArbitrationOffice(t)
	base := o.srv.URL + "/events/" + o.ev.Code + "/arbitration"
	ctx := browsertest.NewWithin(t, 1024, 768, 150*time.Second)
	browsertest.Navigates(t, ctx, chromedp.Navigate(base))
	browsertest.Navigates(t, ctx,
		chromedp.SendKeys(chromedp.CSS(`input[name=username]`), "arb"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "pass-arb"),
		chromedp.Submit(chromedp.CSS(`input[name=password]`)),
	)
	browsertest.WaitTrue(t, ctx, `document.querySelector('#file-form')`)
	fits := func(page string) {
		t.Helper()
		if sw := browsertest.Eval[int](t, ctx, `document.documentElement.scrollWidth`); sw > 1024 {
			t.Errorf("%s is %d px wide on a 1024 px tablet", page, sw)
		}
		small := browsertest.Eval[[]string](t, ctx, `[...document.querySelectorAll('section :is(.choices label, button, select, input[type=text], input[type=datetime-local], .links a, td a)')]
			.filter(e => e.getClientRects().length && e.getBoundingClientRect().height < 44).map(e => e.textContent.trim() || e.id || e.name)`)
		if len(small) > 0 {
			t.Errorf("%s: targets under 44 px: %v", page, small)
		}
	}
	label := func(module string) string {
		return browsertest.Eval[string](t, ctx, `document.querySelector('[data-module=`+module+`]').textContent.replace(/\s+/g, ' ')`)
	}
	if a, b := label("A"), label("B"); !strings.Contains(a, "前可申诉") || !strings.Contains(b, "截止") {
		t.Fatalf("module deadlines: A %q, B %q", a, b)
	}
	fits("filing form")
	screenshot(t, ctx, "arbitration-1024x768.png")

	fill := func(module, kind, role string, facts string) {
		t.Helper()
		err := chromedp.Do(ctx,
			chromedp.Click(chromedp.CSS(`[data-module=`+module+`] input`)),
			chromedp.Click(chromedp.CSS(`input[name=kind][value=`+kind+`]`)),
			chromedp.Click(chromedp.CSS(`input[name=role][value=`+role+`]`)),
		)
		if err != nil {
			t.Fatal(err)
		}
		browsertest.Eval[any](t, ctx, fmt.Sprintf(`document.querySelector('#contestant').value = '%d'; document.querySelector('#facts').value = %q`, o.cs[0].ID, facts))
	}
	// Late: B's window has passed, so it cannot be chosen; a form loaded
	// before its deadline (the input enabled then) is refused naming the
	// deadline, the form as typed.
	if !browsertest.Eval[bool](t, ctx, `document.querySelector('[data-module=B] input').disabled`) {
		t.Fatal("closed module B can be chosen")
	}
	browsertest.Eval[any](t, ctx, `document.querySelector('[data-module=B] input').disabled = false`)
	fill("B", "score", "contestant", "协助进食一项扣分过多")
	browsertest.Navigates(t, ctx, chromedp.Click(chromedp.CSS(`#file`)))
	browsertest.WaitTrue(t, ctx, `document.querySelector('#form-error')`)
	if msg := browsertest.Eval[string](t, ctx, `document.querySelector('#form-error').textContent`); !strings.Contains(msg, "已超过现场仲裁申诉时限") ||
		!strings.Contains(msg, "基础照护") || !strings.Contains(msg, "前提出（时限 2 小时）") {
		t.Fatalf("late filing: %q", msg)
	}
	if got := browsertest.Eval[string](t, ctx, `document.querySelector('#facts').value`); got != "协助进食一项扣分过多" {
		t.Fatalf("facts not kept: %q", got)
	}
	if browsertest.Eval[bool](t, ctx, `!!document.querySelector('#cases')`) {
		t.Fatal("a late filing was listed")
	}
	screenshot(t, ctx, "arbitration-late-1024x768.png")

	// In time: filed, then the case page.
	fill("A", "score", "contestant", "沟通评估被扣 4 分，选手认为已完成全部沟通步骤。")
	browsertest.Navigates(t, ctx, chromedp.Click(chromedp.CSS(`#file`)))
	browsertest.WaitTrue(t, ctx, `document.querySelector('#hearing-form')`)
	if msg := browsertest.Eval[string](t, ctx, `document.querySelector('#notice').textContent`); !strings.Contains(msg, "第 1 号") {
		t.Fatalf("filed notice: %q", msg)
	}
	facts := browsertest.Eval[string](t, ctx, `document.querySelector('#facts').innerText`)
	for _, want := range []string{"已受理，待听证", "成绩评判", "A 生活照护", "李秀英", "选手本人 李秀英", "最后一个场次 S01 计划结束于", "沟通评估被扣 4 分"} {
		if !strings.Contains(facts, want) {
			t.Errorf("case lacks %q: %s", want, facts)
		}
	}
	fits("case page")
	screenshot(t, ctx, "arbitration-case-1024x768.png")

	// The hearing.
	err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`#heard`), "申诉人李秀英；当值裁判陈裁判"),
		chromedp.SendKeys(chromedp.CSS(`#findings`), "调阅现场录像：沟通评估第 3 步确未完成。"),
	)
	if err != nil {
		t.Fatal(err)
	}
	browsertest.Navigates(t, ctx, chromedp.Click(chromedp.CSS(`#hear`)))
	browsertest.WaitTrue(t, ctx, `document.querySelector('[data-hearing="0"]')`)
	if got := browsertest.Eval[string](t, ctx, `document.querySelector('#status').textContent`); got != "已听证，待决定" {
		t.Fatalf("status after hearing: %q", got)
	}
	// The decision.
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`input[name=outcome][value=rejected]`)),
		chromedp.SendKeys(chromedp.CSS(`#reasons`), "经调阅录像，扣分符合评分标准。"),
	)
	if err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "arbitration-decide-1024x768.png")
	browsertest.Navigates(t, ctx, chromedp.Click(chromedp.CSS(`#decide`)))
	browsertest.WaitTrue(t, ctx, `document.querySelector('#decision')`)
	decision := browsertest.Eval[string](t, ctx, `document.querySelector('#decision').textContent`)
	for _, want := range []string{"申诉不成立（驳回）", "经调阅录像，扣分符合评分标准。", "本决定为最终决定"} {
		if !strings.Contains(decision, want) {
			t.Errorf("decision lacks %q: %s", want, decision)
		}
	}
	if browsertest.Eval[bool](t, ctx, `!!(document.querySelector('#hearing-form') || document.querySelector('#decide-form'))`) {
		t.Error("forms remain after the final decision")
	}
	if !browsertest.Eval[bool](t, ctx, `!!document.querySelector('#decision-pdf')`) {
		t.Error("no decision PDF link")
	}
	fits("decided case")
	screenshot(t, ctx, "arbitration-decided-1024x768.png")

	// One appeals page with both kinds.
	browsertest.Navigates(t, ctx, chromedp.Click(chromedp.CSS(`.links a[href$="/appeals"]`)))
	browsertest.WaitTrue(t, ctx, `document.querySelector('#all-appeals')`)
	rows := browsertest.Eval[[]string](t, ctx, `[...document.querySelectorAll('#all-appeals tbody tr')].map(r => r.innerText.replace(/\s+/g, ' '))`)
	if len(rows) != 2 {
		t.Fatalf("joint appeals: %q", rows)
	}
	joined := strings.Join(rows, "\n")
	for _, want := range []string{"现场仲裁 第 1 号 选手本人 李秀英 成绩评判 · 模块 A", "申诉不成立（驳回） 经调阅录像，扣分符合评分标准。",
		"公示申诉 第", "王建华 公示成绩", "待处理"} {
		if !strings.Contains(joined, want) {
			t.Errorf("joint appeals lack %q: %s", want, joined)
		}
	}
	if sw := browsertest.Eval[int](t, ctx, `document.documentElement.scrollWidth`); sw > 1024 {
		t.Errorf("appeals page is %d px wide", sw)
	}
	screenshot(t, ctx, "appeals-joint-1024x768.png")
}
