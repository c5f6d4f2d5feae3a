package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"skillscore/internal/browsertest"
	"skillscore/internal/testenv"
)

// TestPublicAppealFormInBrowser is a contestant on a 10-inch tablet during
// the publication period: a wrong name is refused without the ID number
// shown again, then the appeal with the right name is filed.
func TestPublicAppealFormInBrowser(t *testing.T) {
	o := newOffice(t)
	ctx := context.Background()
	testenv.Decrypted(t, o.st, o.ev.ID)
	now := time.Now()
	if _, err := o.st.PublishResults(ctx, o.ev.ID, now.Add(-time.Hour), now.Add(time.Hour), "org"); err != nil {
		t.Fatal(err)
	}
	cs, err := o.st.Contestants(ctx, o.ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	c := cs[1]
	b := browsertest.New(t, 1280, 800)
	err = chromedp.Do(b,
		chromedp.Navigate(o.srv.URL+"/events/"+o.ev.Code+"/appeal"),
		chromedp.WaitVisible(chromedp.CSS(`#id_number`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	browsertest.Navigates(t, b,
		chromedp.SendKeys(chromedp.CSS(`#id_number`), strings.ToLower(c.IDNumber)),
		chromedp.SendKeys(chromedp.CSS(`#name`), "无此人"),
		chromedp.SendKeys(chromedp.CSS(`#body`), "实操模块评分偏低，请求复核"),
		chromedp.Click(chromedp.CSS(`#submit`)),
	)
	browsertest.Shows(t, b, `#error`)
	html := browsertest.Eval[string](t, b, `document.documentElement.outerHTML`)
	if !strings.Contains(html, "不匹配") || strings.Contains(strings.ToUpper(html), c.IDNumber) ||
		!strings.Contains(html, "实操模块评分偏低") {
		t.Fatalf("refused appeal page:\n%s", html)
	}
	if got := browsertest.Eval[string](t, b, `document.querySelector('#id_number').value`); got != "" {
		t.Fatalf("the ID number field kept %q", got)
	}
	browsertest.Navigates(t, b,
		chromedp.SendKeys(chromedp.CSS(`#id_number`), c.IDNumber),
		chromedp.SetValue(chromedp.CSS(`#name`), c.Name),
		chromedp.Click(chromedp.CSS(`#submit`)),
	)
	browsertest.Shows(t, b, `#done`)
	if text := browsertest.Eval[string](t, b, `document.querySelector('#done').innerText`); !strings.Contains(text, "申诉已提交") {
		t.Fatalf("done: %q", text)
	}
	list, err := o.st.Appeals(ctx, o.ev.ID)
	if err != nil || len(list) != 1 || list[0].ContestantID != c.ID || list[0].Source != "contestant" ||
		list[0].Body != "实操模块评分偏低，请求复核" {
		t.Fatalf("stored appeals: %+v %v", list, err)
	}
}
