package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"skillscore/internal/browsertest"
	"skillscore/store"
)

// TestPaperInBrowser: two scorekeepers transcribe the same paper sheet at
// 1024×768 with one value different; the second sees the mismatch as an
// error (red), with the typed values still in the fields. The judge list
// offers only the chosen module's panel, and an agreed entry names no
// revision number.
func TestPaperInBrowser(t *testing.T) {
	o := newOffice(t)
	ctx := context.Background()
	js, _ := o.st.Judges(ctx, o.ev.ID)
	mods, _ := o.st.Modules(ctx, o.ev.ID)
	var j07 store.Judge
	for _, j := range js {
		if j.Code == "J07" {
			j07 = j
		}
	}
	var modC store.Module
	for _, m := range mods {
		if m.Code == "C" {
			modC = m
		}
	}
	code, _ := emptySheet(t, o.st, o.ev.ID, j07.ID, modC.ID)
	panel := map[string]bool{}
	ps, _ := o.st.Panels(ctx, o.ev.ID)
	for _, p := range ps {
		if p.ModuleID == modC.ID {
			for _, j := range js {
				if j.ID == p.JudgeID {
					panel[j.Code] = true
				}
			}
		}
	}

	enter := func(user string, values map[string]string) context.Context {
		b := browsertest.New(t, 1024, 768)
		browsertest.Navigates(t, b, chromedp.Navigate(o.srv.URL+"/events/"+o.ev.Code+"/paper"))
		browsertest.Navigates(t, b,
			chromedp.SendKeys(chromedp.CSS(`input[name=username]`), user),
			chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "pass-"+user),
			chromedp.Submit(chromedp.CSS(`input[name=password]`)),
		)
		browsertest.WaitTrue(t, b, `document.getElementById('paper')`)
		if err := chromedp.Do(b, chromedp.SetValue(chromedp.CSS(`#module`), "C")); err != nil {
			t.Fatal(err)
		}
		browsertest.Eval[bool](t, b, `document.getElementById('module').dispatchEvent(new Event('change'))`)
		offered := browsertest.Eval[[]string](t, b, `[].filter.call(document.getElementById('judge').options,
			function(o){ return !o.disabled && !o.hidden; }).map(function(o){ return o.value; })`)
		if len(offered) != len(panel) {
			t.Fatalf("module C's judge list offers %v, its panel is %v", offered, panel)
		}
		for _, j := range offered {
			if !panel[j] {
				t.Fatalf("module C's judge list offers %s, not on its panel %v", j, panel)
			}
		}
		if err := chromedp.Do(b, chromedp.SetValue(chromedp.CSS(`#judge`), "J07"),
			chromedp.SendKeys(chromedp.CSS(`input[name=contestant]`), code)); err != nil {
			t.Fatal(err)
		}
		for _, a := range modC.Aspects {
			if err := chromedp.Do(b, chromedp.SendKeys(chromedp.CSS(`fieldset[data-module="C"] input[name="v_`+a.Code+`"]`), values[a.Code])); err != nil {
				t.Fatal(err)
			}
		}
		browsertest.Navigates(t, b, chromedp.Click(chromedp.CSS(`#paper button[type=submit]`)))
		return b
	}
	first, second := map[string]string{}, map[string]string{}
	var differ string
	for _, a := range modC.Aspects {
		v := "1"
		if a.Kind == "measurement" || a.Kind == "veto" || a.Kind == "deduction" {
			v = "0"
		}
		first[a.Code], second[a.Code] = v, v
		if differ == "" && a.Kind == "judgement" {
			differ, second[a.Code] = a.Code, "2"
		}
	}
	b1 := enter("keeper1", first)
	if text := browsertest.Eval[string](t, b1, `(document.getElementById('outcome')||{}).innerText || ''`); !strings.Contains(text, "已保存第一遍录入") {
		t.Fatalf("first entry: %q (page %q)", text, browsertest.Eval[string](t, b1, `document.body.innerText`))
	}
	b2 := enter("keeper2", second)
	errText := browsertest.Eval[string](t, b2, `(document.querySelector('p.error[role=alert]')||{}).innerText || ''`)
	if !strings.Contains(errText, "两遍录入不一致") {
		t.Fatalf("the mismatch is not shown as an error: error %q, page %q", errText, browsertest.Eval[string](t, b2, `document.body.innerText`))
	}
	if !browsertest.Eval[bool](t, b2, `!!document.querySelector('form#logout')`) {
		t.Fatal("the mismatch page has no 退出登录")
	}
	if browsertest.Eval[bool](t, b2, `!!document.querySelector('p.ok')`) {
		t.Fatalf("the mismatch also shows as a success notice: %q", browsertest.Eval[string](t, b2, `document.querySelector('p.ok').innerText`))
	}
	color := browsertest.Eval[string](t, b2, `getComputedStyle(document.querySelector('p.error[role=alert]')).color`)
	if color == "rgb(27, 122, 58)" { // .ok's green
		t.Fatalf("the mismatch is green: %s", color)
	}
	for a, want := range second {
		if got := browsertest.Eval[string](t, b2, `document.querySelector('fieldset[data-module="C"] input[name="v_`+a+`"]').value`); got != want {
			t.Fatalf("after the mismatch %s holds %q, typed %q", a, got, want)
		}
	}
	if !browsertest.Eval[bool](t, b2, `!!document.querySelector('fieldset[data-module="C"] label.mismatch input[name="v_`+differ+`"]')`) {
		t.Fatalf("the differing aspect %s is not marked", differ)
	}
}

// TestPaperUnassignedJudgeKeepsValues: an entry for a judge not on the
// module's panel is refused with the typed values still in their fields.
func TestPaperUnassignedJudgeKeepsValues(t *testing.T) {
	o := newOffice(t)
	ctx := context.Background()
	js, _ := o.st.Judges(ctx, o.ev.ID)
	mods, _ := o.st.Modules(ctx, o.ev.ID)
	var j07 store.Judge
	for _, j := range js {
		if j.Code == "J07" {
			j07 = j
		}
	}
	var modC store.Module
	for _, m := range mods {
		if m.Code == "C" {
			modC = m
		}
	}
	code, _ := emptySheet(t, o.st, o.ev.ID, j07.ID, modC.ID)
	b := o.browser()
	b.login("keeper1", "pass-keeper1")
	b.get("/events/" + o.ev.Code + "/paper")
	form := url.Values{"csrf": {b.csrf}, "module": {"C"}, "judge": {"J01"}, "contestant": {code}}
	form.Set("v_"+modC.Aspects[0].Code, "2.5")
	status, body := b.post("/events/"+o.ev.Code+"/paper", form)
	if status == 200 || !strings.Contains(body, "未被分配") {
		t.Fatalf("status %d, body lacks the refusal", status)
	}
	if !strings.Contains(body, `name="v_`+modC.Aspects[0].Code+`" value="2.5"`) {
		t.Fatal("the typed value is gone after the refusal")
	}
	if !strings.Contains(body, `class="error"`) {
		t.Fatal("the refusal is not an error")
	}
}
