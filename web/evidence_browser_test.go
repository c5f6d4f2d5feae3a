package web_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"skillscore/internal/browsertest"
	"skillscore/store"
)

// evidenceFiles writes a real photo and a text file named like a photo.
func evidenceFiles(t *testing.T) (good, fake string) {
	t.Helper()
	dir := t.TempDir()
	good, fake = filepath.Join(dir, "现场照片.jpg"), filepath.Join(dir, "伪装照片.jpg")
	if err := os.WriteFile(good, photo(t, 77), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(fake, []byte("这是一段文字，不是照片。"), 0o600); err != nil {
		t.Fatal(err)
	}
	return good, fake
}

// The chief judge uploads on the staff page in Chromium: a text file named
// .jpg is refused with the reason and nothing stored; the real photo is
// stored and shown (the browser decodes the image served back).
func TestEvidenceUploadInBrowser(t *testing.T) {
	o := newEvidenceOffice(t)
	good, fake := evidenceFiles(t)
	b := browsertest.New(t, 1024, 768)
	page := fmt.Sprintf("%s/events/%s/evidence?kind=sheet&target=%d", o.srv.URL, o.ev.Code, o.sheet.ID)
	browsertest.Navigates(t, b, chromedp.Navigate(page))
	browsertest.Navigates(t, b,
		chromedp.SendKeys(chromedp.CSS(`input[name=username]`), "chief"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "pass-chief"),
		chromedp.Submit(chromedp.CSS(`input[name=password]`)),
	)
	browsertest.WaitTrue(t, b, `document.getElementById('evidence-file') !== null`)
	if v := browsertest.Eval[string](t, b, `document.getElementById('evidence-target').value`); v != strconv.FormatInt(o.sheet.ID, 10) {
		t.Fatalf("the target field holds %q", v)
	}
	browsertest.Navigates(t, b,
		chromedp.SetUploadFiles(chromedp.CSS(`#evidence-file`), []string{fake}),
		chromedp.Click(chromedp.CSS(`#evidence-upload`)),
	)
	browsertest.WaitTrue(t, b, `document.getElementById('evidence-error') !== null`)
	if msg := browsertest.Eval[string](t, b, `document.getElementById('evidence-error').innerText`); !strings.Contains(msg, "文件内容不是照片或视频（按文件内容判断，与扩展名无关）") {
		t.Fatalf("refusal reads %q", msg)
	}
	if rows, files := o.stored(); rows != 0 || files != 0 {
		t.Fatalf("a refused file stored %d rows, %d files", rows, files)
	}
	browsertest.Navigates(t, b,
		chromedp.SetUploadFiles(chromedp.CSS(`#evidence-file`), []string{good}),
		chromedp.SendKeys(chromedp.CSS(`#evidence-note`), "赛位 5 设备故障时的屏幕"),
		chromedp.Click(chromedp.CSS(`#evidence-upload`)),
	)
	browsertest.WaitTrue(t, b, `document.getElementById('evidence-msg') !== null`)
	if msg := browsertest.Eval[string](t, b, `document.getElementById('evidence-msg').innerText`); !strings.Contains(msg, "已上传并保存") {
		t.Fatalf("notice reads %q", msg)
	}
	// The image is served back and decoded by the browser.
	browsertest.WaitTrue(t, b, `(function(){var i=document.querySelector('#evidence-list img');return i&&i.complete&&i.naturalWidth===64})()`)
	if text := browsertest.Eval[string](t, b, `document.getElementById('evidence-list').innerText`); !strings.Contains(text, "赛位 5 设备故障时的屏幕") ||
		!strings.Contains(text, "评分表 "+strconv.FormatInt(o.sheet.ID, 10)) {
		t.Fatalf("the list reads %q", text)
	}
	if rows, files := o.stored(); rows != 1 || files != 1 {
		t.Fatalf("stored %d rows, %d files, want 1 and 1", rows, files)
	}
	shot(t, b, "evidence-staff")
}

// The judge's tablet offers the camera (a file input with capture and
// image/video accept) on the sheet; a photo chosen there goes to the
// judge's own sheet; a text file named .jpg is refused with the reason.
func TestTabletEvidenceCaptureInBrowser(t *testing.T) {
	o := newEvidenceOffice(t)
	ctx := context.Background()
	good, fake := evidenceFiles(t)
	js, _ := o.st.Judges(ctx, o.ev.ID)
	var judge store.Judge
	for _, j := range js {
		if j.Code == "J07" {
			judge = j
		}
	}
	mods, _ := o.st.Modules(ctx, o.ev.ID)
	var modC store.Module
	for _, m := range mods {
		if m.Code == "C" {
			modC = m
		}
	}
	code, contestantID := emptySheet(t, o.st, o.ev.ID, judge.ID, modC.ID)
	login, err := o.svc.IssueLogin(ctx, judge.ID, "organizer")
	if err != nil {
		t.Fatal(err)
	}
	b := browsertest.New(t, 1024, 768)
	click := func(sel string) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for !browsertest.Eval[bool](t, b, `(function(){var e=document.querySelector(`+strconv.Quote(sel)+`);if(!e)return false;e.click();return true})()`) {
			if time.Now().After(deadline) {
				t.Fatalf("no %s to tap", sel)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	browsertest.Navigates(t, b, chromedp.Navigate(o.srv.URL+"/judge?t="+login.Ticket), chromedp.WaitVisible(chromedp.CSS(`#pinpad`)))
	for _, d := range login.PIN {
		click(`#pinpad button:nth-child(` + pinPadIndex(d) + `)`)
	}
	click(`#login-go`)
	browsertest.WaitTrue(t, b, `document.getElementById('sync').textContent.indexOf('已同步') >= 0`)
	click(`#modules button[data-code="` + code + `"][data-module="C"]`)
	browsertest.WaitTrue(t, b, `document.querySelector('#aspects [data-aspect="C1"]') !== null`)
	// The sheet begins with its first mark.
	click(`#aspects [data-aspect="C1"] button[data-value="2"]`)
	browsertest.WaitTrue(t, b, `document.getElementById('sync').textContent.indexOf('已同步') >= 0`)

	browsertest.WaitTrue(t, b, `document.getElementById('evidence-count').textContent === '本表尚无证据'`)
	type input struct{ Accept, Capture string }
	if in := browsertest.Eval[input](t, b, `(function(){var e=document.getElementById('evidence-file');return {Accept:e.accept,Capture:e.getAttribute('capture')}})()`); in.Accept != "image/*,video/*" || in.Capture != "environment" {
		t.Fatalf("the camera input: %+v", in)
	}
	// Choosing a file on the tablet stays on the page (no navigation).
	if err := chromedp.Do(b, chromedp.SetUploadFiles(chromedp.CSS(`#evidence-file`), []string{fake})); err != nil {
		t.Fatal(err)
	}
	browsertest.WaitTrue(t, b, `document.getElementById('evidence-msg').textContent.indexOf('按文件内容判断') >= 0`)
	shot(t, b, "evidence-tablet-refused")
	// The refusal is readable: white on the red message bar, red (not the
	// grey of a hint) beside the camera button.
	colours := browsertest.Eval[[]string](t, b, `[getComputedStyle(document.getElementById('toast')).color, getComputedStyle(document.getElementById('evidence-msg')).color]`)
	if colours[0] != "rgb(255, 255, 255)" || colours[1] != "rgb(179, 38, 30)" {
		t.Errorf("refusal colours: toast %s, beside the button %s", colours[0], colours[1])
	}
	if rows, files := o.stored(); rows != 0 || files != 0 {
		t.Fatalf("a refused file stored %d rows, %d files", rows, files)
	}
	if err := chromedp.Do(b, chromedp.SetUploadFiles(chromedp.CSS(`#evidence-file`), []string{good})); err != nil {
		t.Fatal(err)
	}
	browsertest.WaitTrue(t, b, `document.getElementById('evidence-msg').textContent.indexOf('照片已上传') >= 0`)
	browsertest.WaitTrue(t, b, `document.getElementById('evidence-count').textContent === '本表已附证据：1 张照片'`)
	shot(t, b, "evidence-tablet")
	// Back on the list and into the sheet again: the count is the server's.
	click(`#back`)
	click(`#modules button[data-code="` + code + `"][data-module="C"]`)
	browsertest.WaitTrue(t, b, `document.getElementById('evidence-count').textContent === '本表已附证据：1 张照片' && document.getElementById('evidence-msg').textContent === ''`)
	es, err := o.st.EventEvidence(ctx, o.ev.ID, "sheet", 0)
	if err != nil || len(es) != 1 || es[0].CreatedBy != "judge:"+strconv.FormatInt(judge.ID, 10) || es[0].Media != store.MediaPhoto {
		t.Fatalf("stored %+v %v", es, err)
	}
	sheets, _ := o.st.Sheets(ctx, o.ev.ID)
	for _, sh := range sheets {
		if sh.ID == es[0].TargetID && (sh.JudgeID != judge.ID || sh.ContestantID != contestantID || sh.ModuleID != modC.ID) {
			t.Fatalf("attached to sheet %+v, not the judge's sheet on screen", sh)
		}
	}
}
