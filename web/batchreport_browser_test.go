package web_test

import (
	"testing"

	"github.com/chromedp/chromedp"

	"skillscore/internal/browsertest"
	"skillscore/report/reporttest"
)

// TestBatchReportPageInBrowser: the organizer's page on a tablet in both
// orientations and on a phone: the check and the downloads show, and only
// the candidates' table scrolls sideways, never the page.
func TestBatchReportPageInBrowser(t *testing.T) {
	o := newReportOffice(t, reporttest.Complete)
	b := browsertest.New(t, 1024, 768)
	err := chromedp.Do(b,
		chromedp.Navigate(o.srv.URL+"/events/"+o.f.Event.Code+"/batch/report"),
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
	browsertest.Shows(t, b, `#data-xlsx`)
	for _, size := range [][2]int64{{1024, 768}, {768, 1024}, {390, 844}} {
		if err := chromedp.Do(b, chromedp.EmulateViewport(size[0], size[1]), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`#check`))); err != nil {
			t.Fatal(err)
		}
		if w := browsertest.Eval[int](t, b, `document.documentElement.scrollWidth - window.innerWidth`); w > 0 {
			t.Errorf("%dx%d: the page scrolls %d px sideways", size[0], size[1], w)
		}
		if !browsertest.Eval[bool](t, b, `(function () { const r = document.querySelector('#photos-zip').getBoundingClientRect(); return r.width > 0 && r.right <= window.innerWidth; })()`) {
			t.Errorf("%dx%d: the photo download is off the screen", size[0], size[1])
		}
		// On a tablet every candidate's 成绩单 link is in view without scrolling.
		if size[0] >= 768 && !browsertest.Eval[bool](t, b, `Array.from(document.querySelectorAll('#candidates a')).every(function (a) { return a.getBoundingClientRect().right <= window.innerWidth; })`) {
			t.Errorf("%dx%d: a 成绩单 link is off the screen", size[0], size[1])
		}
		if n := browsertest.Eval[int](t, b, `document.querySelectorAll('#candidates tbody tr').length`); n != 5 {
			t.Errorf("%dx%d: %d candidates listed", size[0], size[1], n)
		}
	}
}
