package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"skillscore/internal/browsertest"
	"skillscore/store"
)

// TestTranscriptLookupInBrowser is a contestant on a 390 px phone: refused
// before publication; after it, a wrong name gets the same answer as an
// unknown person (the number not shown again), the right pair the 成绩单
// with the core's total and no judge's mark, and the sixth lookup within a
// minute the Chinese rate-limit message.
func TestTranscriptLookupInBrowser(t *testing.T) {
	o := newFeedbackOffice(t)
	c := o.person(t)
	// A phone's viewport (a window cannot be narrower than 500 px).
	b := browsertest.Device(t, browsertest.NewWithin(t, 1024, 768, 4*time.Minute), 390, 844)
	url := o.srv.URL + "/events/" + o.ev.Code + "/transcript"
	if err := chromedp.Do(b, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS(`#refused`))); err != nil {
		t.Fatal(err)
	}
	if text := browsertest.Eval[string](t, b, `document.querySelector('#refused').innerText`); !strings.Contains(text, "成绩尚未公示") {
		t.Fatalf("before publication: %q", text)
	}
	screenshot(t, b, "transcript-refused-390.png")
	o.publish(t)

	lookup := func(id, name, wait string) {
		t.Helper()
		browsertest.Navigates(t, b, chromedp.Navigate(url))
		browsertest.Navigates(t, b,
			chromedp.SendKeys(chromedp.CSS(`#id_number`), id),
			chromedp.SetValue(chromedp.CSS(`#name`), name),
			chromedp.Click(chromedp.CSS(`#submit`)),
		)
		if err := chromedp.Do(b, chromedp.WaitVisible(chromedp.CSS(wait))); err != nil {
			t.Fatal(err)
		}
	}
	errText := `document.querySelector('#transcript-error').innerText`
	lookup(strings.ToLower(c.IDNumber), c.Name+"某", `#transcript-error`)
	wrong := browsertest.Eval[string](t, b, errText)
	html := browsertest.Eval[string](t, b, `document.documentElement.outerHTML`)
	if strings.Contains(strings.ToUpper(html), c.IDNumber) || browsertest.Eval[string](t, b, `document.querySelector('#id_number').value`) != "" {
		t.Fatal("a refused lookup shows the 证件号码 again")
	}
	lookup("110101199001010000", "无此人", `#transcript-error`)
	if unknown := browsertest.Eval[string](t, b, errText); unknown != wrong || !strings.Contains(wrong, "不匹配") {
		t.Fatalf("wrong pair %q, unknown person %q: want one answer", wrong, unknown)
	}
	screenshot(t, b, "transcript-wrong-390.png")

	lookup(c.IDNumber, c.Name, `#transcript`)
	want := expectedTranscript(t, o.st, o.ev.ID, c)
	if got := browsertest.Eval[string](t, b, `document.querySelector('#t-total').innerText`); got != want.total {
		t.Errorf("total %q, the scoring core says %q", got, want.total)
	}
	mods := browsertest.Eval[[]string](t, b, `[...document.querySelectorAll('section.module h2 span:first-child')].map(e => e.innerText)`)
	if strings.Join(mods, ",") != strings.Join(want.modules, ",") {
		t.Errorf("modules %v, want %v", mods, want.modules)
	}
	if n := browsertest.Eval[int](t, b, `document.querySelectorAll('li.aspect').length`); n == 0 {
		t.Error("no aspect lines")
	}
	page := browsertest.Eval[string](t, b, `document.body.innerText`)
	snap, err := o.st.Snapshot(context.Background(), o.ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range snap.Judges {
		if strings.Contains(page, j.Code+"：") || strings.Contains(page, "（"+j.Code+"）") {
			t.Errorf("judge %s's mark on the 成绩单 though the event keeps judges' marks sealed", j.Code)
		}
	}
	if strings.Contains(page, "各裁判评分") || !strings.Contains(page, "不公开各裁判的评分") {
		t.Error("judges' marks listed, or the page does not say they are not public")
	}
	if w := browsertest.Eval[int](t, b, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("the 成绩单 is %d px wide on a 390 px phone: %s", w, browsertest.Eval[string](t, b, `[...document.querySelectorAll("body *")].filter(e => e.getBoundingClientRect().right > 391).map(e => e.tagName + "." + e.className + "#" + e.id + " " + Math.round(e.getBoundingClientRect().right)).slice(0, 12).join("; ")`))
	}
	shot(t, b, "transcript-found-390")

	// Three lookups so far; the burst allows five per client and event.
	lookup(c.IDNumber, c.Name, `#transcript`)
	lookup(c.IDNumber, c.Name, `#transcript`)
	lookup(c.IDNumber, c.Name, `#transcript-error`)
	if got := browsertest.Eval[string](t, b, errText); got != "查询过于频繁，请稍后再试" {
		t.Errorf("sixth lookup: %q", got)
	}
	screenshot(t, b, "transcript-limited-390.png")
	if n := len(o.lookups(t)); n != 5 {
		t.Errorf("%d lookups audited, want the five let through", n)
	}
}

// TestJudgeReportOnTablet: a judge opens the report from the tablet's list
// (its token in the tablet's storage) on a 10-inch screen and reads their
// own figures; the chief judge's page lists every judge.
func TestJudgeReportOnTablet(t *testing.T) {
	o := newFeedbackOffice(t)
	ctx := context.Background()
	o.publish(t)
	snap, err := o.st.Snapshot(ctx, o.ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	var judge store.Judge = snap.Judges[0]
	l, err := o.svc.IssueLogin(ctx, judge.ID, "org")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(map[string]string{"ticket": l.Ticket, "pin": l.PIN, "device": "tablet-1"})
	resp, err := http.Post(o.srv.URL+"/api/v1/judge/login", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var lr struct{ Token string }
	err = json.NewDecoder(resp.Body).Decode(&lr)
	resp.Body.Close()
	if err != nil || lr.Token == "" {
		t.Fatalf("login: %v", err)
	}
	b := browsertest.NewWithin(t, 1024, 768, 3*time.Minute)
	err = chromedp.Do(b,
		chromedp.Navigate(o.srv.URL+"/judge/report"),
		chromedp.Evaluate[chromedp.Void](`localStorage.setItem('skillscore.judge.token', `+jsString(t, lr.Token)+`)`),
		chromedp.Navigate(o.srv.URL+"/judge/report"),
		chromedp.WaitVisible(chromedp.CSS(`#summary`)),
		chromedp.WaitVisible(chromedp.CSS(`#modules table`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	title := browsertest.Eval[string](t, b, `document.querySelector('#title').innerText`)
	summary := browsertest.Eval[string](t, b, `document.querySelector('#summary').innerText`)
	if !strings.Contains(title, judge.Code) || !strings.Contains(summary, "与裁判组平均的偏差平均") {
		t.Errorf("tablet report: %q / %q", title, summary)
	}
	if n := browsertest.Eval[int](t, b, `[...document.querySelectorAll('td.deviation')].filter(e => e.innerText !== '—').length`); n == 0 {
		t.Error("no deviation on the tablet report")
	}
	shot(t, b, "judgereport-tablet-1024")

	chief := browsertest.New(t, 1024, 768)
	browsertest.Navigates(t, chief, chromedp.Navigate(o.srv.URL+"/events/"+o.ev.Code+"/judges/reports?judge="+judge.Code))
	browsertest.Navigates(t, chief,
		chromedp.SendKeys(chromedp.CSS(`input[name=username]`), "chief"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "pass-chief"),
		chromedp.Submit(chromedp.CSS(`input[name=password]`)),
	)
	browsertest.WaitTrue(t, chief, `document.getElementById('report')`)
	if n := browsertest.Eval[int](t, chief, `document.querySelectorAll('#judge-reports tbody tr').length`); n != len(snap.Judges) {
		t.Errorf("the chief's list has %d judges, want %d", n, len(snap.Judges))
	}
	shot(t, chief, "judgereports-chief-1024")
}
