package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"skillscore"
	"skillscore/archive"
	"skillscore/certificates"
	"skillscore/internal/browsertest"
	"skillscore/internal/testenv"
	"skillscore/store"
	"skillscore/templates"
	"skillscore/web"
)

// heldArchiver holds a build after its first part until the test lets it
// go, so the page is seen while the build runs.
type heldArchiver struct {
	*archive.Archiver
	held    chan struct{} // closed when the build is held
	release chan struct{}
}

func (h *heldArchiver) WriteFile(ctx context.Context, ev store.Event, path string, years int, opts archive.Options) (archive.Result, store.EventArchive, error) {
	inner := opts.Progress
	once := false
	opts.Progress = func(p archive.Progress) {
		inner(p)
		if p.PartsDone == 1 && !once {
			once = true
			close(h.held)
			select {
			case <-h.release:
			case <-ctx.Done():
			}
		}
	}
	return h.Archiver.WriteFile(ctx, ev, path, years, opts)
}

// TestArchiveButtonInBrowser: the organizer presses the button on the
// event's archive page, sees the build's progress while it runs, then the
// download, whose SHA-256 (computed in the browser) is the one recorded,
// and the retention lock it started.
func TestArchiveButtonInBrowser(t *testing.T) {
	st, ev := testenv.Demo(t)
	testenv.Final(t, st, ev.ID)
	addStaff(t, st, "org")
	keys := filepath.Join(t.TempDir(), "keys")
	if _, err := certificates.GenerateKey(keys, time.Now()); err != nil {
		t.Fatal(err)
	}
	kr, err := certificates.LoadKeyring(keys)
	if err != nil {
		t.Fatal(err)
	}
	a, err := archive.New(archive.Config{Store: st, Signer: kr.Signer})
	if err != nil {
		t.Fatal(err)
	}
	held := &heldArchiver{Archiver: a, held: make(chan struct{}), release: make(chan struct{})}
	tmpl, err := templates.New()
	if err != nil {
		t.Fatal(err)
	}
	w := web.New(web.Config{Store: st, Templates: tmpl, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Judging: st,
		Archiver: held})
	srv := httptest.NewServer(w)
	t.Cleanup(w.Close)
	t.Cleanup(srv.Close)

	ctx := browsertest.New(t, 1024, 768)
	err = chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/events/"+ev.Code+"/archive"),
		chromedp.WaitVisible(chromedp.CSS(`input[name=username]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	browsertest.Navigates(t, ctx,
		chromedp.SendKeys(chromedp.CSS(`input[name=username]`), "org"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "pass-org"),
		chromedp.Submit(chromedp.CSS(`input[name=password]`)),
	)
	browsertest.Shows(t, ctx, `#start-archive`)
	if got := browsertest.Eval[string](t, ctx, `document.getElementById('lock-until').innerText`); !strings.HasPrefix(got, "尚未归档") {
		t.Fatalf("lock before archiving: %q", got)
	}
	if fp := browsertest.Eval[string](t, ctx, `document.getElementById('fingerprint').innerText`); fp != archive.Fingerprint(kr.Signer.PublicKey()) {
		t.Fatalf("fingerprint shown %q", fp)
	}
	// One page load: the build is held running until released below.
	browsertest.Navigates(t, ctx,
		chromedp.SetValue(chromedp.CSS(`#years`), "7"),
		chromedp.Click(chromedp.CSS(`#start-archive`)),
	)
	browsertest.Shows(t, ctx, `#job[data-state=running] #job-progress`)
	<-held.held
	browsertest.WaitTrue(t, ctx, `document.getElementById('job-progress').value === 1 && document.getElementById('job-part').innerText !== ''`)
	if browsertest.Eval[bool](t, ctx, `!document.getElementById('start-archive').disabled`) {
		t.Error("the button is not disabled while the build runs")
	}
	if os.Getenv("ARCHIVE_SCREENSHOT") != "" {
		png, _ := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		os.WriteFile(os.Getenv("ARCHIVE_SCREENSHOT")+"-running.png", png, 0o644)
	}
	close(held.release)
	// The running page reloads itself when the build ends.
	browsertest.Shows(t, ctx, `#job[data-state=done] #download`)
	as, err := st.EventArchives(context.Background(), ev.ID)
	if err != nil || len(as) != 1 {
		t.Fatalf("archives recorded: %d, %v", len(as), err)
	}
	if want := "已归档，保存期限至 " + as[0].RetainUntil.In(skillscore.China()).Format("2006年1月2日") + "：期满前不能删除本赛事。"; browsertest.Eval[string](t, ctx, `document.getElementById('lock-until').innerText`) != want ||
		as[0].RetainUntil.Year() != time.Now().Year()+7 {
		t.Errorf("lock shown %q, recorded %v", browsertest.Eval[string](t, ctx, `document.getElementById('lock-until').innerText`), as[0].RetainUntil)
	}
	sum, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(async () => {
		const b = await (await fetch(document.getElementById('download').href)).arrayBuffer();
		const d = new Uint8Array(await crypto.subtle.digest('SHA-256', b));
		return [...d].map(x => x.toString(16).padStart(2, '0')).join('');
	})()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if sum != as[0].ZipSHA256 || browsertest.Eval[string](t, ctx, `document.getElementById('zip-sha').innerText`) != sum {
		t.Fatalf("downloaded SHA-256 %s, recorded %s", sum, as[0].ZipSHA256)
	}
	if n := browsertest.Eval[int](t, ctx, `document.querySelectorAll('#archive-list tbody tr').length`); n != 1 {
		t.Errorf("%d archive rows shown", n)
	}
	if browsertest.Eval[bool](t, ctx, `!!document.getElementById('delete-form')`) {
		t.Error("deletion offered while the lock holds")
	}
	if os.Getenv("ARCHIVE_SCREENSHOT") != "" {
		png, _ := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		os.WriteFile(os.Getenv("ARCHIVE_SCREENSHOT")+"-done.png", png, 0o644)
	}
}
