package web_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"skillscore/internal/browsertest"
)

// TestAuditInBrowser: the chief judge filters the demo's audit trail by a
// contestant code and by a judge code at 1024×768 and finds their entries,
// each a Chinese sentence naming the judge, the action, the contestant and
// aspect and the value, with the raw record folded away.
func TestAuditInBrowser(t *testing.T) {
	o := newOffice(t)
	ctx := context.Background()
	sheets, _ := o.st.Sheets(ctx, o.ev.ID)
	cs, _ := o.st.Contestants(ctx, o.ev.ID)
	code := ""
	for _, c := range cs {
		for _, sh := range sheets {
			if sh.ContestantID == c.ID && sh.Status == "submitted" && code == "" {
				code = *c.Code
			}
		}
	}
	b := browsertest.New(t, 1024, 768)
	browsertest.Navigates(t, b, chromedp.Navigate(o.srv.URL+"/events/"+o.ev.Code+"/audit"))
	browsertest.Navigates(t, b,
		chromedp.SendKeys(chromedp.CSS(`input[name=username]`), "chief"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "pass-chief"),
		chromedp.Submit(chromedp.CSS(`input[name=password]`)),
	)
	browsertest.WaitTrue(t, b, `document.getElementById('audit-filter')`)
	browsertest.Navigates(t, b,
		chromedp.SendKeys(chromedp.CSS(`#audit-filter input[name=contestant]`), code),
		chromedp.Click(chromedp.CSS(`#audit-filter button`)),
	)
	type row struct{ Who, What, Object, Change string }
	rows := func() []row {
		return browsertest.Eval[[]row](t, b, `[].map.call(document.querySelectorAll('li.entry'), function(tr){
			return {Who: tr.querySelector('.who').innerText, What: tr.querySelector('.what').innerText,
				Object: tr.querySelector('.object').innerText, Change: tr.querySelector('.change').innerText}; })`)
	}
	got := rows()
	if len(got) == 0 {
		t.Fatalf("filtering by %s finds nothing", code)
	}
	judgeRE := regexp.MustCompile(`^裁判 J\d\d \p{Han}+$`)
	marks := 0
	for _, r := range got {
		if !strings.Contains(r.Object, "选手 "+code) {
			t.Fatalf("entry about %q under the filter %s", r.Object, code)
		}
		if r.What == "评分" {
			marks++
			if !judgeRE.MatchString(r.Who) {
				t.Fatalf("a mark's actor reads %q, want 裁判 Jnn 姓名", r.Who)
			}
			if !regexp.MustCompile(`→ \S`).MatchString(r.Change) || !strings.Contains(r.Object, " · ") {
				t.Fatalf("a mark reads %+v", r)
			}
		}
		if regexp.MustCompile(`^[a-z]+\.[a-z_]+$`).MatchString(r.What) {
			t.Fatalf("action %q has no Chinese name", r.What)
		}
	}
	if marks == 0 {
		t.Fatalf("no mark among %s's entries: %+v", code, got)
	}
	if browsertest.Eval[bool](t, b, `document.querySelector('li.entry details.raw').open || document.querySelector('li.entry details.raw code').checkVisibility()`) {
		t.Fatal("the raw record shows without opening its toggle")
	}

	browsertest.Navigates(t, b, chromedp.Navigate(o.srv.URL+"/events/"+o.ev.Code+"/audit?judge=J09"))
	got = rows()
	if len(got) == 0 {
		t.Fatal("filtering by J09 finds nothing")
	}
	for _, r := range got {
		if !strings.HasPrefix(r.Who, "裁判 J09 ") && !strings.Contains(r.Object, "J09") {
			t.Fatalf("entry %+v under the filter J09", r)
		}
	}
}
