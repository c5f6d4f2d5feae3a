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

// TestDrawAndImportsInBrowser is the organizer's path in Chromium: log in,
// draw with a chosen seed, run the second draw, see the sheet link; decrypt
// after the chief's sign-off; upload a theory-score file with a bad row and
// see that row named, then the fixed file imported.
func TestDrawAndImportsInBrowser(t *testing.T) {
	o := newOffice(t)
	ctx := context.Background()
	ev := importsEvent(t, o)
	const seed = "00112233445566778899aabbccddeeff"
	b := browsertest.New(t, 1280, 900)
	base := o.srv.URL + "/events/" + ev.Code
	err := chromedp.Do(b,
		chromedp.Navigate(base+"/draw"),
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
	browsertest.Shows(t, b, `#draw1`)
	browsertest.Navigates(t, b,
		chromedp.SendKeys(chromedp.CSS(`#seed1`), seed),
		chromedp.Click(chromedp.CSS(`#draw1`)),
	)
	browsertest.Shows(t, b, `#draw2`)
	browsertest.Navigates(t, b, chromedp.Click(chromedp.CSS(`#draw2`)))
	// #sheet is on the page before the second draw too: look for what
	// only the page after it shows.
	browsertest.Shows(t, b, `#layer2 code.seed`)
	if text := browsertest.Eval[string](t, b, `document.body.innerText`); !strings.Contains(text, "已抽签：种子 "+seed) ||
		!strings.Contains(text, "已二次加密") || !strings.Contains(text, "生活照护、基础照护") {
		t.Fatalf("draw page:\n%s", text)
	}
	mods, _ := o.st.Modules(ctx, ev.ID)
	for _, m := range mods[1:] {
		if err := o.st.SignOffModule(ctx, ev.ID, m.ID, 1, "chief"); err != nil {
			t.Fatal(err)
		}
	}
	err = chromedp.Do(b,
		chromedp.Navigate(base+"/draw"),
		chromedp.WaitVisible(chromedp.CSS(`#decrypt`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	// The button asks for confirmation; the test answers yes.
	browsertest.Eval[bool](t, b, `(window.confirm = () => true, true)`)
	browsertest.Navigates(t, b, chromedp.Click(chromedp.CSS(`#decrypt`)))
	browsertest.Shows(t, b, `#decrypted`)
	st, _ := o.st.DrawState(ctx, ev.ID)
	if !st.DecryptedAt.Valid() || st.DecryptedBy != "org" {
		t.Fatalf("decryption not recorded: %+v", st)
	}

	cs, _ := o.st.Contestants(ctx, ev.ID)
	dir := t.TempDir()
	bad, good := filepath.Join(dir, "bad.xlsx"), filepath.Join(dir, "good.xlsx")
	os.WriteFile(bad, workbook(t, [][]string{{"加密号", "成绩"}, {*cs[0].Code, "80"}, {*cs[1].Code, "120"}}), 0o600)
	os.WriteFile(good, workbook(t, [][]string{{"加密号", "成绩"}, {*cs[0].Code, "80"}, {*cs[1].Code, "60.5"}}), 0o600)
	err = chromedp.Do(b,
		chromedp.Navigate(base+"/imports"),
		chromedp.WaitVisible(chromedp.CSS(`#scores-file`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	browsertest.Navigates(t, b,
		chromedp.SetUploadFiles(chromedp.CSS(`#scores-file`), []string{bad}),
		chromedp.Click(chromedp.CSS(`#import-scores`)),
	)
	browsertest.Shows(t, b, `#problem-title`)
	problems := browsertest.Eval[string](t, b, `document.querySelector('table.problems').innerText`)
	if !strings.Contains(problems, "3") || !strings.Contains(problems, "B（成绩）") || !strings.Contains(problems, "超出范围") {
		t.Fatalf("problems shown: %q", problems)
	}
	if got, _ := o.st.ImportedScores(ctx, ev.ID); len(got) != 0 {
		t.Fatal("a rejected file stored scores")
	}
	browsertest.Navigates(t, b,
		chromedp.SetUploadFiles(chromedp.CSS(`#scores-file`), []string{good}),
		chromedp.Click(chromedp.CSS(`#import-scores`)),
	)
	browsertest.Shows(t, b, `p.ok`)
	if got, _ := o.st.ImportedScores(ctx, ev.ID); len(got) != 2 {
		t.Fatalf("stored %d scores", len(got))
	}
}
