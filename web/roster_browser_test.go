package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"skillscore/certificates"
	"skillscore/demo"
	"skillscore/exports"
	"skillscore/idnumber"
	"skillscore/internal/browsertest"
	"skillscore/internal/testenv"
	"skillscore/store"
	"skillscore/templates"
	"skillscore/web"
)

// rosterOffice serves one empty event (two groups) and the demo event to
// an organizer and a chief judge, with the roster page and the exports.
type rosterOffice struct {
	t    *testing.T
	st   *store.Store
	srv  *httptest.Server
	ev   store.Event
	demo store.Event
	web  *web.Server
}

func newRosterOffice(t *testing.T) *rosterOffice {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "roster.db"), store.Options{Keys: testenv.Keys(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ev, err := st.CreateEvent(ctx, store.NewEvent{
		Event: store.Event{Code: "jx-roster", Name: "江西省养老护理员职业技能竞赛", Kind: "competition", Occupation: "养老护理员",
			Year: 2026, Rules: `{"modules":[]}`},
		Groups: []store.Group{{Code: "employee", Name: "职工组"}, {Code: "student", Name: "学生组"}},
	}, "tester")
	if err != nil {
		t.Fatal(err)
	}
	dem, err := demo.Create(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	addStaff(t, st, "org", "chief")
	tmpl, err := templates.New()
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	w := web.New(web.Config{Store: st, Templates: tmpl, Logger: log, Judging: st, Roster: st, Personal: st,
		Exports: exports.New(st, certificates.DefaultSongFont, certificates.DefaultKaiFont)})
	srv := httptest.NewServer(w)
	// Cleanups run last in, first out: the HTTP server first, then the
	// server's import goroutines.
	t.Cleanup(w.Close)
	t.Cleanup(srv.Close)
	return &rosterOffice{t: t, st: st, srv: srv, ev: ev, demo: dem, web: w}
}

func (o *rosterOffice) browser() *browser {
	return (&certOffice{t: o.t, srv: o.srv}).browser()
}

// rosterXLSX writes a roster workbook with a title row above the header, so
// data rows start at spreadsheet row 3.
func rosterXLSX(t *testing.T, rows [][]string) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	all := append([][]string{{"2026年江西省养老护理员职业技能竞赛报名表"}, {"姓名", "性别", "身份证号码", "工作单位", "设区市", "组别"}}, rows...)
	for r, row := range all {
		for c, v := range row {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			if err := f.SetCellStr("Sheet1", cell, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	path := filepath.Join(t.TempDir(), "报名表.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	return path
}

func testID(t *testing.T, seq int) string {
	t.Helper()
	id, err := idnumber.Make("360102", time.Date(1988, 3, 9, 0, 0, 0, 0, time.UTC), seq)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// badCheckDigit changes an ID number's check digit to a wrong one.
func badCheckDigit(id string) string {
	last := id[17]
	if last == '0' {
		return id[:17] + "1"
	}
	return id[:17] + "0"
}

// TestRosterImportInBrowser is the organizer's path: log in, upload a
// workbook with one bad row, see that row's reason (nothing imported), fix
// it, import after the dry run, see the roster; the same file again is
// refused as a duplicate roster.
func TestRosterImportInBrowser(t *testing.T) {
	o := newRosterOffice(t)
	ids := []string{testID(t, 11), testID(t, 22), testID(t, 31)}
	rows := [][]string{
		{"张三", "男", ids[0], "南昌市第一养老院", "南昌市", "职工组"},
		{"李四", "女", badCheckDigit(ids[1]), "九江康养中心", "九江", "职工组"},
		{"王五", "男", ids[2], "江西卫生职业学院", "赣州", "学生组"},
	}
	bad := rosterXLSX(t, rows)
	rows[1][2] = ids[1]
	good := rosterXLSX(t, rows)

	ctx := browsertest.New(t, 1280, 900)
	page := o.srv.URL + "/events/" + o.ev.Code + "/roster"
	err := chromedp.Do(ctx,
		chromedp.Navigate(page),
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
	browsertest.Shows(t, ctx, `#roster-file`)
	err = chromedp.Do(ctx,
		chromedp.SetUploadFiles(chromedp.CSS(`#roster-file`), []string{bad}),
		chromedp.Click(chromedp.CSS(`#check`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	// The check submits the form and the page reloads when the job ends:
	// bounded polls, since a chromedp wait across a page load can hang.
	browsertest.WaitTrue(t, ctx, `document.querySelector('#job[data-state=failed] #job-summary')`)
	type verdict struct {
		Row     string `json:"row"`
		Column  string `json:"column"`
		Message string `json:"message"`
		Reason  string `json:"reason"`
	}
	got := browsertest.Eval[[]verdict](t, ctx, `[...document.querySelectorAll('#verdicts tr.rejected')].map(tr => ({
		row: tr.dataset.row, column: tr.cells[4].innerText, message: tr.querySelector('.message').innerText,
		reason: tr.querySelector('.reason').innerText}))`)
	if len(got) != 1 || got[0].Row != "4" || got[0].Reason != "id_checksum" || !strings.HasPrefix(got[0].Column, "C") ||
		!strings.Contains(got[0].Message, "校验") {
		t.Fatalf("rejected rows: %+v, want row 4 column C id_checksum", got)
	}
	if n := browsertest.Eval[int](t, ctx, `document.querySelectorAll('#verdicts tr.accepted').length`); n != 2 {
		t.Fatalf("%d accepted rows shown, want 2", n)
	}
	if browsertest.Eval[bool](t, ctx, `!!document.getElementById('confirm')`) {
		t.Fatal("a failed dry run offers 确认导入")
	}
	if n := rosterCount(t, o); n != 0 {
		t.Fatalf("a rejected file stored %d contestants", n)
	}

	err = chromedp.Do(ctx,
		chromedp.SetUploadFiles(chromedp.CSS(`#roster-file`), []string{good}),
		chromedp.Click(chromedp.CSS(`#check`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	browsertest.WaitTrue(t, ctx, `document.querySelector('#job[data-state=done]') && document.getElementById('confirm')`)
	if n := rosterCount(t, o); n != 0 {
		t.Fatalf("the dry run stored %d contestants", n)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#basis-consent`)),
		chromedp.Click(chromedp.CSS(`#notified`)),
		chromedp.Click(chromedp.CSS(`#confirm`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	// The dry run's page was done too: wait for the import's own words.
	browsertest.WaitTrue(t, ctx, `document.querySelector('#job[data-state=done] #job-summary') && document.getElementById('job-state').innerText === '已导入'`)
	shown := browsertest.Eval[[]string](t, ctx, `[...document.querySelectorAll('#roster tbody tr')].map(tr =>
		tr.querySelector('.name').innerText + ' ' + tr.querySelector('.id').innerText)`)
	want := []string{"张三 居民身份证 " + idnumber.Mask(ids[0]) + " 查看", "李四 居民身份证 " + idnumber.Mask(ids[1]) + " 查看",
		"王五 居民身份证 " + idnumber.Mask(ids[2]) + " 查看"}
	if strings.Join(shown, "|") != strings.Join(want, "|") {
		t.Fatalf("roster shows %q\nwant %q (masked, 查看 shows one in full)", shown, want)
	}
	if n := rosterCount(t, o); n != 3 {
		t.Fatalf("%d contestants stored, want 3", n)
	}

	err = chromedp.Do(ctx,
		chromedp.SetUploadFiles(chromedp.CSS(`#roster-file`), []string{good}),
		chromedp.Click(chromedp.CSS(`#check`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	browsertest.WaitTrue(t, ctx, `document.querySelector('#job[data-state=failed] #job-error')`)
	if msg := browsertest.Eval[string](t, ctx, `document.getElementById('job-error').innerText`); !strings.Contains(msg, "重复名单") {
		t.Fatalf("the same file again: %q, want a duplicate roster", msg)
	}
	if n := rosterCount(t, o); n != 3 {
		t.Fatalf("after the duplicate: %d contestants, want 3", n)
	}
}

func rosterCount(t *testing.T, o *rosterOffice) int {
	t.Helper()
	cs, err := o.st.Contestants(context.Background(), o.ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	return len(cs)
}
