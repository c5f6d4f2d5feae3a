// Package browsertest starts a real headless Chromium for page tests.
// Tests drive it with chromedp; nothing stands in for the browser.
package browsertest

import (
	"context"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Path finds the Chromium binary: $CHROMIUM, else chromium or
// chromium-browser on PATH. Without one, the test is skipped, except under
// CI=true, where it fails: scripts/setup.sh installs Chromium.
func Path(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("Chromium is not installed (run scripts/setup.sh); browser tests must run in CI")
	}
	t.Skip("Chromium is not installed; run scripts/setup.sh")
	return ""
}

// New starts a headless Chromium with a fresh profile and returns a chromedp
// context for one tab, sized like the given screen. The browser is stopped
// when the test ends; everything done in it must end within 90 s.
func New(t testing.TB, width, height int) context.Context {
	t.Helper()
	return NewWithin(t, width, height, 90*time.Second)
}

// NewWithin is New for a longer story: everything done in the browser, in
// this tab and in the Device tabs opened from it, must end within d.
func NewWithin(t testing.TB, width, height int, d time.Duration) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(Path(t)),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(width, height),
		// This machine has no internet: without these Chromium keeps
		// trying to reach Google's services.
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	browserCtx, cancelTab := chromedp.NewContext(allocCtx)
	// The first action starts the browser, which lives as long as the
	// context of that call: run it without a timeout (chromedp's rule).
	if err := chromedp.Do(browserCtx); err != nil {
		cancelTab()
		cancelAlloc()
		t.Fatalf("start Chromium: %v", err)
	}
	// A bound on everything after, so a hung page fails the test instead
	// of the whole run.
	ctx, cancelTimeout := context.WithTimeout(browserCtx, d)
	t.Cleanup(func() {
		cancelTimeout()
		cancelTab()
		cancelAlloc()
	})
	return ctx
}

// Device opens a tab in a browser context of its own in the browser of
// ctx: its cookies and storage are its own, as on another person's device
// (a judge's tablet, a spectator's phone), and its viewport is that
// device's size.
func Device(t testing.TB, ctx context.Context, width, height int) context.Context {
	t.Helper()
	dev, cancel := chromedp.NewContext(ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(dev, chromedp.EmulateViewport(int64(width), int64(height))); err != nil {
		t.Fatalf("open a device tab: %v", err)
	}
	return dev
}

// Navigates runs actions that load a new page (a form's submit button, a
// link) and waits until that new page has loaded. Waiting for an element
// instead can be fooled by the same element on the page being left. The
// actions and the load get Wait's bound.
func Navigates(t testing.TB, ctx context.Context, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](`window.__leaving = true`)); err != nil {
		t.Fatalf("mark the page: %v", err)
	}
	bounded, cancel := context.WithTimeout(ctx, Wait)
	defer cancel()
	if err := chromedp.Do(bounded, actions...); err != nil {
		t.Fatalf("actions on %s: %v", location(ctx), err)
	}
	WaitTrue(t, ctx, `!window.__leaving && document.readyState === 'complete'`)
}

// Wait bounds each wait for a page or a condition: far more than a page
// on this machine needs, far less than the whole test's bound.
const Wait = 30 * time.Second

// WaitTrue polls a JavaScript condition until it holds, failing the test
// when it does not within Wait.
func WaitTrue(t testing.TB, ctx context.Context, cond string) {
	t.Helper()
	deadline := time.Now().Add(Wait)
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!!(`+cond+`)`))
		if err == nil && ok {
			return
		}
		if ctx.Err() != nil || time.Now().After(deadline) {
			t.Fatalf("waited %v in vain on %s for %s (last error: %v)", Wait, location(ctx), cond, err)
		}
		// Between polls: evaluations during a navigation fail and are retried.
		select {
		case <-ctx.Done():
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Shows waits until the element css selects is visible on a page that has
// loaded, as chromedp.WaitVisible does, but by WaitTrue's polls, which
// outlast a page load under way (a chromedp wait across one can hang).
// Across a load, css must select nothing on the page being left.
func Shows(t testing.TB, ctx context.Context, css string) {
	t.Helper()
	WaitTrue(t, ctx, `document.readyState === 'complete' && (e => e && (e.offsetWidth || e.offsetHeight || e.getClientRects().length))(document.querySelector(`+strconv.Quote(css)+`))`)
}

// location is the tab's URL, for failure messages.
func location(ctx context.Context) string {
	short, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	u, err := chromedp.Run(short, chromedp.Evaluate[string](`location.href`))
	if err != nil {
		return "(unknown page)"
	}
	return u
}

// Eval evaluates a JavaScript expression in the page and decodes its value.
func Eval[T any](t testing.TB, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}
