package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"skillscore/demo"
	"skillscore/internal/browsertest"
	"skillscore/internal/testenv"
	"skillscore/live"
	"skillscore/store"
	"skillscore/templates"
	"skillscore/web"
)

// teamXLSX writes a team event's roster: one member a row, with 队伍名称.
func teamXLSX(t *testing.T, name string, rows [][]string) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	all := append([][]string{{"姓名", "身份证号码", "工作单位", "设区市", "组别", "现等级", "队伍名称"}}, rows...)
	for r, row := range all {
		for c, v := range row {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			if err := f.SetCellStr("Sheet1", cell, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	path := filepath.Join(t.TempDir(), name)
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestTeamRosterInBrowser: the organizer of a team event (teams of 2)
// uploads a sheet with a team of three, sees each of its rows refused with
// the rows named, fixes it and imports; the roster then lists each team
// with its members under it, at a tablet's width.
func TestTeamRosterInBrowser(t *testing.T) {
	ctx0 := context.Background()
	st, err := store.Open(ctx0, "sqlite:"+filepath.Join(t.TempDir(), "teams.db"), store.Options{Keys: testenv.Keys(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ev, err := st.CreateEvent(ctx0, store.NewEvent{
		Event: store.Event{Code: "jx-team", Name: "江西省健康照护职业技能竞赛（团体赛）", Kind: "competition", Occupation: "健康照护师",
			Year: 2026, Rules: `{"modules":[],"team":{"min":2,"max":2}}`},
		Groups: []store.Group{{Code: "employee", Name: "职工组"}, {Code: "student", Name: "学生组"}},
	}, "tester")
	if err != nil {
		t.Fatal(err)
	}
	addStaff(t, st, "org")
	tmpl, err := templates.New()
	if err != nil {
		t.Fatal(err)
	}
	w := web.New(web.Config{Store: st, Templates: tmpl, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Judging: st, Roster: st, Personal: st})
	srv := httptest.NewServer(w)
	t.Cleanup(w.Close)
	t.Cleanup(srv.Close)

	ids := []string{testID(t, 11), testID(t, 23), testID(t, 35), testID(t, 47)}
	rows := [][]string{
		{"张三", ids[0], "南昌市第一养老院", "南昌市", "职工组", "三级/高级工", "南昌一队"},
		{"李四", ids[1], "南昌市第一养老院", "南昌市", "职工组", "", "南昌一队"},
		{"王五", ids[2], "九江康养中心", "九江", "职工组", "四级", "南昌一队"},
		{"赵六", ids[3], "九江康养中心", "九江", "职工组", "", "九江队"},
	}
	bad := teamXLSX(t, "团体赛名单.xlsx", rows)
	rows[2][6] = "九江队"
	good := teamXLSX(t, "团体赛名单（改）.xlsx", rows)

	ctx := browsertest.New(t, 1024, 768)
	err = chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/events/"+ev.Code+"/roster"),
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
	browsertest.Shows(t, ctx, `#job[data-state=failed] #job-summary`)
	type verdict struct {
		Row, Column, Message, Reason string
	}
	got := browsertest.Eval[[]verdict](t, ctx, `[...document.querySelectorAll('#verdicts tr.rejected')].map(tr => ({
		Row: tr.dataset.row, Column: tr.cells[4].innerText, Message: tr.querySelector('.message').innerText,
		Reason: tr.querySelector('.reason').innerText}))`)
	// 九江队 has one member, 南昌一队 three: all four rows are refused.
	if len(got) != 4 {
		t.Fatalf("rejected rows %+v, want all four", got)
	}
	for _, v := range got {
		if v.Reason != "team_size" || !strings.HasPrefix(v.Column, "G") {
			t.Errorf("row %s: %+v, want team_size in column G", v.Row, v)
		}
		if v.Row != "5" && !strings.Contains(v.Message, "队伍“南昌一队”有 3 名队员（第 2、3、4 行），本赛项每队须为 2 人") {
			t.Errorf("row %s: %q", v.Row, v.Message)
		}
	}
	if n := rosterCount(t, &rosterOffice{st: st, ev: ev}); n != 0 {
		t.Fatalf("a refused sheet stored %d rows", n)
	}

	err = chromedp.Do(ctx,
		chromedp.SetUploadFiles(chromedp.CSS(`#roster-file`), []string{good}),
		chromedp.Click(chromedp.CSS(`#check`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	browsertest.Shows(t, ctx, `#job[data-state=done] #confirm`)
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
	browsertest.Shows(t, ctx, `#roster`)
	shown := browsertest.Eval[[]string](t, ctx, `[...document.querySelectorAll('#roster tbody tr')].map(tr =>
		tr.className + ':' + tr.querySelector('.name').innerText)`)
	want := []string{"team:队伍：南昌一队（2 人）", "member:张三", "member:李四", "team:队伍：九江队（2 人）", "member:王五", "member:赵六"}
	if strings.Join(shown, "|") != strings.Join(want, "|") {
		t.Fatalf("roster shows %q\nwant %q", shown, want)
	}
	if sum := browsertest.Eval[string](t, ctx, `document.getElementById('job-summary').innerText`); !strings.Contains(sum, "合格 4 行，不合格 0 行，2 支队伍；已导入 4 名选手") {
		t.Errorf("job summary %q", sum)
	}
	if count := browsertest.Eval[string](t, ctx, `document.getElementById('roster-count').innerText`); count != "4 人，2 支队伍" {
		t.Errorf("count %q", count)
	}
	if wide := browsertest.Eval[bool](t, ctx, `document.documentElement.scrollWidth > window.innerWidth`); wide {
		t.Errorf("the roster page scrolls sideways at 1024 px")
	}
}

// TestTeamPublishedOnPhone: the 公示 of a team event names each team in full
// with its members' names masked, and fits a phone.
func TestTeamPublishedOnPhone(t *testing.T) {
	ctx0 := context.Background()
	st, err := store.Open(ctx0, "sqlite:"+filepath.Join(t.TempDir(), "teams.db"), store.Options{Keys: testenv.Keys(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ev, err := demo.CreateTeams(ctx0, st)
	if err != nil {
		t.Fatal(err)
	}
	testenv.Final(t, st, ev.ID)
	members, err := st.TeamMembers(ctx0, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := templates.New()
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := live.New(live.Config{Source: st, Logger: log})
	srv := httptest.NewServer(web.New(web.Config{Store: st, Templates: tmpl, Logger: log, Judging: st, Live: svc, LiveAdmin: st}))
	t.Cleanup(func() {
		svc.Close()
		srv.Close()
	})
	page := srv.URL + "/events/" + ev.Code + "/published"
	fitsPhone(t, page, "table.published tbody tr")

	ctx := browsertest.New(t, 390, 844)
	browsertest.Navigates(t, ctx, chromedp.Navigate(page))
	text := browsertest.Eval[string](t, ctx, `document.body.innerText`)
	if th := browsertest.Eval[string](t, ctx, `document.querySelector('table.published th.name').innerText`); th != "队伍（队员）" {
		t.Errorf("name heading %q", th)
	}
	snap, err := st.Snapshot(ctx0, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range snap.Contestants {
		ms := members[e.ID]
		want := e.Name + "（" + live.MaskName(ms[0].Name) + "、" + live.MaskName(ms[1].Name) + "）"
		if !strings.Contains(text, want) {
			t.Errorf("the 公示 lacks %q:\n%s", want, text)
		}
		for _, m := range ms {
			if strings.Contains(text, m.Name) {
				t.Errorf("the 公示 shows %s's full name", m.Name)
			}
		}
	}
}

// TestTeamMemberVerifies: /verify by a team member's own 证件号码 and name
// finds their award certificate, naming the team.
func TestTeamMemberVerifies(t *testing.T) {
	o := newCertOffice(t)
	ctx := context.Background()
	ev, err := demo.CreateTeams(ctx, o.st)
	if err != nil {
		t.Fatal(err)
	}
	res, err := o.svc.Issue(ctx, ev.ID, "org")
	if err != nil {
		t.Fatal(err)
	}
	members, err := o.st.TeamMembers(ctx, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	teamOf := map[int64]string{}
	snap, err := o.st.Snapshot(ctx, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range snap.Contestants {
		for _, m := range members[e.ID] {
			teamOf[m.ID] = e.Name
		}
	}
	// Lookups by 证件号码 are limited to 5 per client before slowing down:
	// four members of two teams.
	checked := 0
	for _, c := range res.Certificates {
		if c.Kind != "award" || checked == 4 {
			continue
		}
		code, body := o.browser().post("/verify", url.Values{"mode": {"id"}, "id_number": {c.IDNumber}, "name": {c.Name}})
		if code != 200 || !strings.Contains(body, "所在队伍") || !strings.Contains(body, teamOf[c.ContestantID]) || !strings.Contains(body, c.Number) ||
			strings.Contains(body, c.IDNumber) {
			t.Fatalf("verify %s (%s): %d\n%s", c.Name, teamOf[c.ContestantID], code, body)
		}
		checked++
	}
	if checked < 4 {
		t.Fatalf("%d award certificates in the team event, want at least 4", checked)
	}
}
