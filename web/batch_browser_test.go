package web_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"skillscore/internal/browsertest"
)

// noSidewaysScroll fails when the page is wider than the screen: tables
// may scroll inside their box, the page itself must not.
func noSidewaysScroll(t *testing.T, b context.Context, page string) {
	t.Helper()
	if w := browsertest.Eval[float64](t, b, `document.documentElement.scrollWidth - window.innerWidth`); w > 0 {
		t.Errorf("%s scrolls sideways by %.0f px", page, w)
	}
}

// shot saves the viewport (screenshot) and the whole page beside it to
// $SKILLSCORE_SCREENSHOTS, when set: a batch page is longer than a screen.
func shot(t *testing.T, b context.Context, name string) {
	t.Helper()
	screenshot(t, b, name+".png")
	dir := os.Getenv("SKILLSCORE_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(b, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+"-full.png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestBatchSetupAndOverviewInBrowser: an organizer on a 1024×768 tablet
// creates a batch from the list (a mistake shown at its field first), sees
// its overview, adds a room on the set-up page, seats the candidates, and
// reads the overview again on a 390 px phone.
func TestBatchSetupAndOverviewInBrowser(t *testing.T) {
	o := newBatchOffice(t)
	b := browsertest.New(t, 1024, 768)
	fill := func(sel, v string) chromedp.Action[chromedp.Void] { return chromedp.SetValue(chromedp.CSS(sel), v) }
	err := chromedp.Do(b,
		chromedp.Navigate(o.srv.URL+"/batches"),
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
	browsertest.Shows(t, b, `#no-batches`)
	browsertest.Navigates(t, b, chromedp.Click(chromedp.CSS(`#new-batch`)))
	browsertest.Shows(t, b, `#create`)
	noSidewaysScroll(t, b, "new batch")
	shot(t, b, "batch-new-1024")
	browsertest.Navigates(t, b,
		fill(`#code`, "jx-rd-2026-06"),
		fill(`#name`, "2026年6月养老护理员四级认定"),
		fill(`#occupation-code`, "4-10-1-5"), // a mistake
		fill(`#starts-on`, "2026-06-10"),
		fill(`#ends-on`, "2026-06-11"),
		fill(`#venue`, "江西卫生职业学院"),
		fill(`#batch-no`, "2026-KY-06"),
		fill(`#photo`, "358x441"),
		fill(`#photo-kb`, "100"),
		chromedp.Evaluate[chromedp.Void](`(() => { const r = document.querySelectorAll('#room-rows tbody tr');
			const set = (tr, v) => ['code', 'site', 'name', 'seats'].forEach((k, i) => tr.querySelector('input[name="room.' + k + '"]').value = v[i]);
			set(r[0], ['K01', '江西卫生职业学院', '第一考场', '3']); set(r[1], ['K02', '江西卫生职业学院', '第二考场', '2']); })()`),
		chromedp.Click(chromedp.CSS(`#create`)),
	)
	browsertest.Shows(t, b, `#err-occupation_code`)
	// What was typed stays; the mistake is named at its field.
	if v := browsertest.Eval[string](t, b, `document.querySelector('#batch-no').value + '|' + document.querySelectorAll('#room-rows input[name="room.code"]')[1].value`); v != "2026-KY-06|K02" {
		t.Errorf("the form lost what was typed: %q", v)
	}
	browsertest.Navigates(t, b,
		fill(`#occupation-code`, "4-10-01-05"),
		chromedp.Click(chromedp.CSS(`#create`)),
	)
	browsertest.Shows(t, b, `#facts`)
	facts := browsertest.Eval[string](t, b, `document.querySelector('#facts').innerText`)
	for _, want := range []string{"2026-KY-06", "养老护理员（4-10-01-05）", "四级/中级工", "2026-06-10 至 2026-06-11", "358×441 像素，100 KB 以内"} {
		if !strings.Contains(facts, want) {
			t.Errorf("facts lack %q:\n%s", want, facts)
		}
	}
	if msg := browsertest.Eval[string](t, b, `document.querySelector('#message').innerText`); msg != "已创建认定批次，下一步：导入考生名单" {
		t.Errorf("message %q", msg)
	}
	if s := browsertest.Eval[string](t, b, `document.querySelector('#rooms-summary').innerText`); s != "2 个考场，5 个座位，已用 0" {
		t.Errorf("rooms summary %q", s)
	}
	// The batch nav leads to each batch page.
	links := browsertest.Eval[string](t, b, `[...document.querySelectorAll('nav.batchnav a')].map(a => a.dataset.batch).join(',')`)
	if !strings.HasPrefix(links, "overview,setup,roster,photos,seats") {
		t.Errorf("batch nav %s", links)
	}

	o.candidates("jx-rd-2026-06", 6)
	browsertest.Navigates(t, b, chromedp.Click(chromedp.CSS(`nav.batchnav a[data-batch=setup]`)))
	browsertest.Shows(t, b, `#save-rooms`)
	browsertest.Navigates(t, b,
		chromedp.Evaluate[chromedp.Void](`(() => { const tr = document.querySelectorAll('#room-rows tbody tr')[2];
			['K03', '江西卫生职业学院', '第三考场', '2'].forEach((v, i) => tr.querySelectorAll('input')[i].value = v); })()`),
		chromedp.Click(chromedp.CSS(`#save-rooms`)),
	)
	browsertest.Shows(t, b, `#message`)
	if msg := browsertest.Eval[string](t, b, `document.querySelector('#message').innerText`); msg != "已保存 3 个考场，共 7 个座位" {
		t.Errorf("rooms saved: %q", msg)
	}
	noSidewaysScroll(t, b, "batch setup")
	shot(t, b, "batch-setup-1024")
	browsertest.Navigates(t, b, chromedp.Click(chromedp.CSS(`nav.batchnav a[data-batch=seats]`)))
	browsertest.Shows(t, b, `#assign-seats`)
	browsertest.Navigates(t, b, chromedp.Click(chromedp.CSS(`#assign-seats`)))
	browsertest.Shows(t, b, `#message`)
	if msg := browsertest.Eval[string](t, b, `document.querySelector('#message').innerText`); !strings.Contains(msg, "已为 6 名考生按准考证号顺序分配考场座位") {
		t.Errorf("seated: %q", msg)
	}
	noSidewaysScroll(t, b, "seats")
	shot(t, b, "batch-seats-1024")
	browsertest.Navigates(t, b, chromedp.Click(chromedp.CSS(`nav.batchnav a[data-batch=overview]`)))
	browsertest.Shows(t, b, `#stages`)
	seated := browsertest.Eval[string](t, b, `[...document.querySelectorAll('#stages tr[data-stage=seated] td')].slice(1, 4).map(td => td.innerText).join('/')`)
	if seated != "4/2/6" {
		t.Errorf("seated new/retake/total = %s", seated)
	}
	used := browsertest.Eval[string](t, b, `[...document.querySelectorAll('#rooms tr[data-room] td.used')].map(td => td.innerText).join(',')`)
	if used != "3,2,1" {
		t.Errorf("seats in use per room %s", used)
	}
	noSidewaysScroll(t, b, "overview")
	shot(t, b, "batch-overview-1024")

	// The same overview on a phone: nothing wider than the screen, the
	// nav's links still 44 px tall.
	if err := chromedp.Do(b, chromedp.EmulateViewport(390, 844), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`#stages`))); err != nil {
		t.Fatal(err)
	}
	noSidewaysScroll(t, b, "overview on a phone")
	if h := browsertest.Eval[float64](t, b, `Math.min(...[...document.querySelectorAll('nav.batchnav a')].map(a => a.getBoundingClientRect().height))`); h < 44 {
		t.Errorf("batch nav links %.0f px tall on a phone", h)
	}
	shot(t, b, "batch-overview-390")
	for _, p := range []struct{ path, wait, name string }{
		{"/batches/new", "#create", "batch-new-390"},
		{"/events/jx-rd-2026-06/batch/setup", "#save-rooms", "batch-setup-390"},
		{"/events/jx-rd-2026-06/batch/seats", "#assign-seats", "batch-seats-390"},
		{"/events/jx-rd-2026-06/batch/photos", "#upload-photos", "batch-photos-390"},
		{"/events/jx-rd-2026-06/roster", "#roster", "batch-roster-390"},
	} {
		if err := chromedp.Do(b, chromedp.Navigate(o.srv.URL+p.path), chromedp.WaitVisible(chromedp.CSS(p.wait))); err != nil {
			t.Fatalf("%s: %v", p.path, err)
		}
		noSidewaysScroll(t, b, p.path+" on a phone")
		shot(t, b, p.name)
	}
	// The roster of a batch shows what the office columns said.
	if src := browsertest.Eval[string](t, b, `[...document.querySelectorAll('#roster td.source')].map(td => td.innerText).join('')`); src != "新考新考补考新考新考补考" {
		t.Errorf("考生来源 on the roster: %q", src)
	}
}
