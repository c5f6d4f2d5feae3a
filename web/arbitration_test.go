package web_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"skillscore"
	"skillscore/internal/testenv"
	"skillscore/judges"
	"skillscore/store"
	"skillscore/templates"
	"skillscore/web"
)

// arbitrationOffice is a small competition whose module A ended 30 minutes
// ago (its scheduled sitting) and module B 3 hours ago, so an appeal about
// A is in time and one about B late under the default 2 hours; one 公示
// appeal is on file. Users: org (organizer), arb (仲裁 of the event),
// chief (chief judge), obs (observer), mon (监督 of the event).
type arbitrationOffice struct {
	office
	mods []store.Module
	cs   []store.Contestant
}

func newArbitrationOffice(t *testing.T) *arbitrationOffice {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "test.db")
	st, err := store.Open(ctx, "sqlite:"+path, store.Options{Keys: testenv.Keys(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ev, err := st.CreateEvent(ctx, store.NewEvent{
		Event: store.Event{Code: "jx-arb", Name: "江西省养老护理员职业技能竞赛（仲裁测试）", Kind: "competition",
			Occupation: "养老护理员", Year: 2026, Rules: `{"modules":[]}`},
		Groups: []store.Group{{Code: "employee", Name: "职工组"}},
		Modules: []store.Module{
			{Code: "A", Name: "生活照护", Kind: "practical", Weight: 500000, MaxMarks: 1000000,
				Aspects: []store.Aspect{{Code: "A1", Name: "沟通评估", Kind: "judgement", MaxMarks: 1000000}}},
			{Code: "B", Name: "基础照护", Kind: "practical", Weight: 500000, MaxMarks: 1000000,
				Aspects: []store.Aspect{{Code: "B1", Name: "协助进食", Kind: "judgement", MaxMarks: 1000000}}},
		},
	}, "tester")
	if err != nil {
		t.Fatal(err)
	}
	mods, err := st.Modules(ctx, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := st.AddContestants(ctx, ev.ID, []store.Contestant{
		{Name: "李秀英", Gender: "女", IDType: "居民身份证", IDNumber: "36010219900307002X", City: "南昌", Organization: "南昌市社会福利院", GroupCode: "employee"},
		{Name: "王建华", Gender: "男", IDType: "居民身份证", IDNumber: "360402200101010013", City: "九江", Organization: "九江市养老服务中心", GroupCode: "employee"},
	}, "tester")
	if err != nil {
		t.Fatal(err)
	}
	// A judge scores module B: the contestant's sheet a re-mark may name.
	j, err := st.AddJudge(ctx, store.Judge{EventID: ev.ID, Code: "J01", Name: "陈裁判"}, []store.PanelMember{{ModuleID: mods[1].ID}}, "tester")
	if err != nil {
		t.Fatal(err)
	}
	if err := st.AddAssignments(ctx, ev.ID, []store.Assignment{{ModuleID: mods[1].ID, JudgeID: j.ID, ContestantID: cs[0].ID}}, "tester"); err != nil {
		t.Fatal(err)
	}
	mods, err = st.Modules(ctx, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	res, err := st.ApplyOps(ctx, []store.SheetOp{{OpID: "arb-1", Kind: store.OpMark, EventID: ev.ID, ModuleID: mods[1].ID, ContestantID: cs[0].ID,
		JudgeID: j.ID, AspectID: mods[1].Aspects[0].ID, Value: 600000, Actor: "judge:1", Subject: "x"}})
	if err != nil || res[0].Err != nil {
		t.Fatalf("mark: %v %v", err, res)
	}
	// The schedule and the 公示 appeal are other parts' APIs; the rows are
	// written here.
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Now().In(skillscore.China())
	a, b := now.Add(-30*time.Minute), now.Add(-3*time.Hour)
	if _, err := db.ExecContext(ctx, `INSERT INTO sessions (event_id, code, name, venue, module, stations, day, starts, ends, position)
		VALUES (?, 'S01', '第一场 生活照护', '', 'A', '01', ?, ?, ?, 1), (?, 'S02', '第二场 基础照护', '', 'B', '01', ?, ?, ?, 2)`,
		ev.ID, a.Format("2006-01-02"), a.Format("15:04"), a.Format("15:04"), ev.ID, b.Format("2006-01-02"), b.Format("15:04"), b.Format("15:04")); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO appeals (event_id, contestant_id, source, body, filed_at, filed_by, status)
		VALUES (?, ?, 'contestant', '对公示的理论成绩有异议', ?, 'public', 'open')`, ev.ID, cs[1].ID, now.Add(-time.Hour).UnixMicro()); err != nil {
		t.Fatal(err)
	}
	addStaff(t, st, "org", "chief")
	for name, role := range map[string]string{"arb": web.RoleArbiter, "obs": web.RoleObserver, "mon": web.RoleMonitor} {
		hash, err := web.HashPassword("pass-" + name)
		if err != nil {
			t.Fatal(err)
		}
		g := store.Grant{Role: role, EventCode: ev.Code}
		if _, err := st.CreateUserWithGrant(ctx, store.User{Username: name, Name: "仲裁" + name, Role: role, PasswordHash: hash}, g, "test"); err != nil {
			t.Fatal(err)
		}
	}
	tmpl, err := templates.New()
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := judges.New(st, judges.Config{Logger: log})
	t.Cleanup(svc.Close)
	srv := httptest.NewServer(web.New(web.Config{Store: st, Templates: tmpl, Logger: log, Judges: svc, Judging: st, LiveAdmin: st}))
	t.Cleanup(srv.Close)
	return &arbitrationOffice{office: office{t: t, st: st, srv: srv, ev: ev}, mods: mods, cs: cs}
}

func (o *arbitrationOffice) as(name string) *browser {
	b := o.browser()
	if code := b.login(name, "pass-"+name); code != http.StatusSeeOther {
		o.t.Fatalf("login %s: %d", name, code)
	}
	b.get("/events/" + o.ev.Code + "/arbitration")
	return b
}

// TestArbitrationRolesWindowAndPDF: an organizer files and sets the window
// but cannot hear or decide; an observer reads only; a late filing is
// refused naming its deadline and stores nothing; the decision is final;
// the decisions PDF reads back.
func TestArbitrationRolesWindowAndPDF(t *testing.T) {
	o := newArbitrationOffice(t)
	ctx := context.Background()
	base := "/events/" + o.ev.Code + "/arbitration"
	org, arb, obs, chief := o.as("org"), o.as("arb"), o.as("obs"), o.as("chief")
	count := func() int {
		t.Helper()
		cs, err := o.st.Arbitrations(ctx, o.ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		return len(cs)
	}
	filing := func(b *browser, module store.Module, facts string) url.Values {
		return url.Values{"csrf": {b.csrf}, "module": {fmt.Sprint(module.ID)}, "kind": {"score"}, "role": {"contestant"},
			"contestant": {fmt.Sprint(o.cs[0].ID)}, "facts": {facts}}
	}

	// The 仲裁 lands on the events list with the way in.
	if code, body := arb.get("/"); code != 200 || !strings.Contains(body, `href="`+base+`" class="arbitration"`) || !strings.Contains(body, "进入现场仲裁") {
		t.Fatalf("index for the 仲裁: %d", code)
	}
	// Late: module B ended 3 hours ago.
	code, body := org.post(base, filing(org, o.mods[1], "协助进食一项扣分过多"))
	if code != http.StatusBadRequest || !strings.Contains(body, "已超过现场仲裁申诉时限") || !strings.Contains(body, "前提出（时限 2 小时）") ||
		!strings.Contains(body, "协助进食一项扣分过多") {
		t.Fatalf("late filing: %d %s", code, body)
	}
	if n := count(); n != 0 {
		t.Fatalf("a late filing was stored: %d", n)
	}
	// An observer can read, not file.
	if code, _ := obs.get(base); code != 200 {
		t.Fatalf("observer reads: %d", code)
	}
	if code, _ := obs.post(base, filing(obs, o.mods[0], "x")); code != http.StatusForbidden {
		t.Fatalf("observer files: %d", code)
	}
	// The organizer files about A, in time.
	code, _ = org.post(base, filing(org, o.mods[0], "沟通评估被扣 4 分"))
	if code != http.StatusSeeOther || count() != 1 {
		t.Fatalf("organizer files: %d", code)
	}
	c, err := o.st.Arbitrations(ctx, o.ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	caseURL := fmt.Sprintf("%s/%d", base, c[0].ID)
	hearing := func(b *browser) url.Values {
		return url.Values{"csrf": {b.csrf}, "heard_at": {time.Now().In(skillscore.China()).Format("2006-01-02T15:04")},
			"heard": {"申诉人李秀英"}, "findings": {"录像显示已完成"}}
	}
	// Hearing and deciding are the 仲裁's alone.
	for name, b := range map[string]*browser{"organizer": org, "chief": chief} {
		if code, body := b.post(caseURL+"/hearings", hearing(b)); code != http.StatusForbidden {
			t.Fatalf("%s hears: %d %s", name, code, body)
		}
	}
	if code, body := org.post(caseURL+"/decide", url.Values{"csrf": {org.csrf}, "outcome": {"rejected"}, "reasons": {"x"}}); code != http.StatusForbidden ||
		!strings.Contains(body, "只有本赛事的仲裁") {
		t.Fatalf("organizer decides: %d %s", code, body)
	}
	if code, body := arb.post(caseURL+"/hearings", hearing(arb)); code != http.StatusSeeOther {
		t.Fatalf("arbiter hears: %d %s", code, body)
	}
	decide := url.Values{"csrf": {arb.csrf}, "outcome": {"rejected"}, "reasons": {"经调阅录像，扣分符合评分标准。"}}
	if code, body := arb.post(caseURL+"/decide", decide); code != http.StatusSeeOther {
		t.Fatalf("arbiter decides: %d %s", code, body)
	}
	// Final: a second decision is refused with the reason on the page.
	decide.Set("outcome", "upheld")
	decide.Set("measures", "复评")
	if code, body := arb.post(caseURL+"/decide", decide); code != http.StatusConflict || !strings.Contains(body, "仲裁决定为最终决定，不能再修改") {
		t.Fatalf("second decision: %d %s", code, body)
	}
	// The window: the organizer's setting; 4 hours admits B.
	if code, _ := arb.post(base+"/window", url.Values{"csrf": {arb.csrf}, "minutes": {"240"}}); code != http.StatusForbidden {
		t.Fatalf("arbiter sets the window: %d", code)
	}
	if code, body := org.post(base+"/window", url.Values{"csrf": {org.csrf}, "minutes": {"10"}}); code != http.StatusBadRequest || !strings.Contains(body, "30 分钟") {
		t.Fatalf("window too short: %d", code)
	}
	if code, _ := org.post(base+"/window", url.Values{"csrf": {org.csrf}, "minutes": {"240"}}); code != http.StatusSeeOther {
		t.Fatalf("window: %d", code)
	}
	if code, body := org.post(base, filing(org, o.mods[1], "协助进食一项扣分过多")); code != http.StatusSeeOther {
		t.Fatalf("B within 4 hours: %d %s", code, body)
	}

	// B's case upheld with a re-mark of the contestant's sheet of B.
	all, err := o.st.Arbitrations(ctx, o.ev.ID)
	if err != nil || len(all) != 2 {
		t.Fatalf("cases: %v %v", all, err)
	}
	sheets, err := o.st.Sheets(ctx, o.ev.ID)
	if err != nil || len(sheets) != 1 {
		t.Fatalf("sheets: %v %v", sheets, err)
	}
	bURL := fmt.Sprintf("%s/%d", base, all[1].ID)
	if code, body := arb.get(bURL); code != 200 || !strings.Contains(body, fmt.Sprintf(`name="sheet" value="%d"`, sheets[0].ID)) {
		t.Fatalf("B's case offers no re-mark of sheet %d: %d", sheets[0].ID, code)
	}
	if code, body := arb.post(bURL+"/hearings", hearing(arb)); code != http.StatusSeeOther {
		t.Fatalf("hear B: %d %s", code, body)
	}
	upheld := url.Values{"csrf": {arb.csrf}, "outcome": {"upheld"}, "reasons": {"录像显示操作符合标准。"}}
	if code, body := arb.post(bURL+"/decide", upheld); code != http.StatusBadRequest || !strings.Contains(body, "须写明处理措施") ||
		!strings.Contains(body, "录像显示操作符合标准。") {
		t.Fatalf("upheld without measures: %d", code)
	}
	upheld.Set("measures", "交裁判长重新开放评分表复评。")
	upheld.Set("sheet", fmt.Sprint(sheets[0].ID))
	code, _ = arb.post(bURL+"/decide", upheld)
	if code != http.StatusSeeOther {
		t.Fatalf("upheld with re-mark: %d", code)
	}
	if code, body := arb.get(bURL + "?msg=arbitration-remark"); code != 200 || !strings.Contains(body, "请裁判长重新开放所选评分表") ||
		!strings.Contains(body, fmt.Sprintf("复评评分表：%d", sheets[0].ID)) {
		t.Fatalf("re-mark shown: %d %s", code, body)
	}

	// The decisions PDF: the decided cases, with their signature lines.
	code, hdr, pdf := chief.download(base + "/decisions.pdf")
	if code != 200 || hdr.Get("Content-Type") != "application/pdf" {
		t.Fatalf("decisions PDF: %d %v", code, hdr)
	}
	text := strings.Join(strings.Fields(webPDFText(t, string(pdf))), "")
	for _, want := range []string{"仲裁决定书第1号", "江西省养老护理员职业技能竞赛（仲裁测试）", "成绩评判", "A生活照护", "沟通评估被扣4分",
		"申诉人李秀英", "申诉不成立（驳回）", "经调阅录像，扣分符合评分标准。", "本决定为最终决定。", "仲裁组长（签字）", "仲裁组成员（签字）",
		"申诉人确认：本人已收到本决定。", "申诉人（签字）"} {
		if !strings.Contains(text, want) {
			t.Errorf("decisions PDF lacks %q", want)
		}
	}
	for _, want := range []string{"仲裁决定书第2号", "B基础照护", "申诉成立", "交裁判长重新开放评分表复评。", fmt.Sprintf("评分表%d交裁判长重新开放复评", sheets[0].ID)} {
		if !strings.Contains(text, want) {
			t.Errorf("decisions PDF lacks %q", want)
		}
	}
	if n := strings.Count(text, "申诉人确认"); n != 2 {
		t.Errorf("%d acknowledgment lines, want one per decision", n)
	}
	// One decision alone; none for an undecided case.
	code, _, pdf = chief.download(fmt.Sprintf("%s/%d/decision.pdf", base, c[0].ID))
	if one := strings.Join(strings.Fields(webPDFText(t, string(pdf))), ""); code != 200 || !strings.Contains(one, "仲裁决定书第1号") || strings.Contains(one, "第2号") {
		t.Fatalf("one decision PDF: %d %s", code, one)
	}
	if code, body := org.post(base, filing(org, o.mods[0], "第三件")); code != http.StatusSeeOther {
		t.Fatalf("third filing: %d %s", code, body)
	}
	if code, _ := org.get(fmt.Sprintf("%s/%d/decision.pdf", base, c[0].ID+2)); code != http.StatusConflict {
		t.Fatalf("undecided decision PDF: %d", code)
	}
	trail, err := o.st.AuditTrail(ctx, o.ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range trail {
		if strings.HasPrefix(e.Action, "arbitration.") {
			n++
		}
	}
	if n != 8 { // file ×3, hearing ×2, rejected, upheld, window
		t.Fatalf("audited arbitration steps: %d, want 8", n)
	}
}

// TestArbitrationFormClosesWithTheLastWindow: once every module's window
// has passed, the desk is told so instead of being shown a form that can
// only be refused; a closed module cannot be chosen while others are open.
func TestArbitrationFormClosesWithTheLastWindow(t *testing.T) {
	o := newArbitrationOffice(t)
	base := "/events/" + o.ev.Code + "/arbitration"
	org, arb := o.as("org"), o.as("arb")
	code, body := arb.get(base)
	if code != 200 || !strings.Contains(body, `id="file-form"`) || strings.Contains(body, `id="all-closed"`) {
		t.Fatalf("A open: %d", code)
	}
	// B (ended 3 hours ago) is shown but cannot be chosen; A can.
	bID, aID := fmt.Sprint(o.mods[1].ID), fmt.Sprint(o.mods[0].ID)
	if !strings.Contains(body, `value="`+bID+`" required disabled>`) || strings.Contains(body, `value="`+aID+`" required disabled>`) {
		t.Fatalf("closed module B not disabled, or open A disabled:\n%s", body)
	}
	// A 30-minute window closes A too (it ended 30 minutes ago).
	if code, _ := org.post(base+"/window", url.Values{"csrf": {org.csrf}, "minutes": {"30"}}); code != http.StatusSeeOther {
		t.Fatalf("window: %d", code)
	}
	for name, b := range map[string]*browser{"organizer": org, "arbiter": arb} {
		code, body := b.get(base)
		if code != 200 || strings.Contains(body, `id="file-form"`) || !strings.Contains(body, "各模块的申诉时限均已截止") {
			t.Fatalf("%s, all closed: %d %s", name, code, body)
		}
	}
	// Widened again, the form comes back.
	if code, _ := org.post(base+"/window", url.Values{"csrf": {org.csrf}, "minutes": {"240"}}); code != http.StatusSeeOther {
		t.Fatalf("window: %d", code)
	}
	if _, body := arb.get(base); !strings.Contains(body, `id="file-form"`) || strings.Contains(body, "disabled>") {
		t.Fatalf("4 hours: form or a disabled module:\n%s", body)
	}
}

// TestAppealsReadByOversightRoles: the 全部申诉 link of the 仲裁 pages
// opens for every role that reads the cases (chief judge, 仲裁, 监督,
// observer), read only; filing and deciding 公示 appeals stay the
// organizer's, on the page and at the routes.
func TestAppealsReadByOversightRoles(t *testing.T) {
	o := newArbitrationOffice(t)
	ctx := context.Background()
	appeals := "/events/" + o.ev.Code + "/appeals"
	list, err := o.st.Appeals(ctx, o.ev.ID)
	if err != nil || len(list) != 1 {
		t.Fatalf("appeals: %v %v", list, err)
	}
	decideURL := fmt.Sprintf("%s/%d/decide", appeals, list[0].ID)
	decideForm := `action="` + decideURL + `"`
	org := o.as("org")
	if code, body := org.get(appeals); code != 200 || !strings.Contains(body, decideForm) || !strings.Contains(body, "<h2>登记申诉</h2>") {
		t.Fatalf("organizer's appeals page: %d", code)
	}
	for _, name := range []string{"chief", "arb", "mon", "obs"} {
		b := o.as(name)
		// The way there: the link on the 仲裁 page.
		if code, body := b.get("/events/" + o.ev.Code + "/arbitration"); code != 200 || !strings.Contains(body, `href="`+appeals+`"`) {
			t.Fatalf("%s: 仲裁 page %d without the link to the appeals", name, code)
		}
		code, body := b.get(appeals)
		if code != 200 || !strings.Contains(body, `id="all-appeals"`) || !strings.Contains(body, "对公示的理论成绩有异议") ||
			!strings.Contains(body, "待组织者处理") {
			t.Fatalf("%s reads the appeals: %d", name, code)
		}
		if strings.Contains(body, decideForm) || strings.Contains(body, "<h2>登记申诉</h2>") {
			t.Errorf("%s is shown the organizer's filing or deciding", name)
		}
		if code, _ := b.post(decideURL, url.Values{"csrf": {b.csrf}, "outcome": {"rejected"}, "reason": {"x"}}); code != http.StatusForbidden {
			t.Errorf("%s decides a 公示 appeal: %d", name, code)
		}
		if code, _ := b.post(appeals, url.Values{"csrf": {b.csrf}, "contestant": {fmt.Sprint(o.cs[0].ID)}, "body": {"x"}}); code != http.StatusForbidden {
			t.Errorf("%s files a 公示 appeal: %d", name, code)
		}
	}
	if after, err := o.st.Appeals(ctx, o.ev.ID); err != nil || len(after) != 1 || after[0].Status != "open" {
		t.Fatalf("a refused post changed the appeals: %+v %v", after, err)
	}
}

// TestUndecidedArbitrationHoldsPublication: the results page warns of the
// modules still within their 仲裁 window; an undecided on-site appeal is
// named there before the button is pressed, and publishing (the page's
// form and the live API) is refused with its number until it is decided.
func TestUndecidedArbitrationHoldsPublication(t *testing.T) {
	o := newArbitrationOffice(t)
	ctx := context.Background()
	// Module B scored, locked and signed off; A has no sheets: the results
	// may be published (no draw, so nothing to decrypt).
	sheets, err := o.st.Sheets(ctx, o.ev.ID)
	if err != nil || len(sheets) != 1 {
		t.Fatalf("sheets: %v %v", sheets, err)
	}
	sh := sheets[0]
	if res, err := o.st.ApplyOps(ctx, []store.SheetOp{{OpID: "arb-submit", Kind: store.OpSubmit, EventID: o.ev.ID, ModuleID: sh.ModuleID,
		ContestantID: sh.ContestantID, JudgeID: sh.JudgeID, Actor: "judge:1", Subject: "x"}}); err != nil || res[0].Err != nil {
		t.Fatalf("submit: %v %v", err, res)
	}
	if _, _, err := o.st.SetSheetStatus(ctx, o.ev.ID, sh.ID, "locked", "", "chief"); err != nil {
		t.Fatal(err)
	}
	for _, m := range o.mods {
		if err := o.st.SignOffModule(ctx, o.ev.ID, m.ID, 1, "chief"); err != nil {
			t.Fatal(err)
		}
	}
	results := "/events/" + o.ev.Code + "/results"
	org := o.as("org")
	code, body := org.get(results)
	if code != 200 || !strings.Contains(body, `id="publish"`) || strings.Contains(body, `id="arbitration-undecided"`) {
		t.Fatalf("results page before any filing: %d", code)
	}
	// A ended 30 minutes ago (its appeals are open 90 minutes more); B's
	// window closed an hour ago.
	open := regexp.MustCompile(`<p id="arbitration-open"[^>]*>([^<]*)</p>`).FindStringSubmatch(body)
	if open == nil || !strings.Contains(open[1], "A 生活照护（可申诉至") || strings.Contains(open[1], "基础照护") {
		t.Fatalf("window warning: %q", open)
	}
	if code, body := org.post("/events/"+o.ev.Code+"/arbitration", url.Values{"csrf": {org.csrf}, "module": {fmt.Sprint(o.mods[0].ID)},
		"kind": {"equipment"}, "role": {"leader"}, "appellant": {"王领队"}, "facts": {"护理床故障"}}); code != http.StatusSeeOther {
		t.Fatalf("filing: %d %s", code, body)
	}
	const held = "现场仲裁申诉第 1 号尚未作出决定，不能发布成绩"
	code, body = org.get(results)
	if code != 200 || !strings.Contains(body, `id="arbitration-undecided"`) || !strings.Contains(body, held) || strings.Contains(body, `id="publish"`) {
		t.Fatalf("results page with an undecided case: %d", code)
	}
	code, body = org.post(results+"/publish", url.Values{"csrf": {org.csrf}, "start": {"2026-05-01T09:00"}, "end": {"2026-05-06T09:00"}})
	if code != http.StatusConflict || !strings.Contains(body, held) {
		t.Fatalf("publish with an undecided case: %d %s", code, body)
	}
	req, err := http.NewRequest(http.MethodPost, o.srv.URL+"/api/v1/events/"+o.ev.Code+"/live/publish", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-CSRF-Token", org.csrf)
	resp, err := org.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	api, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusConflict || !strings.Contains(string(api), `"code":"conflict"`) || !strings.Contains(string(api), held) {
		t.Fatalf("live publish API: %d %s", resp.StatusCode, api)
	}
	if w, err := o.st.Workflow(ctx, o.ev.ID); err != nil || w.PublishedAt.Valid() {
		t.Fatalf("published anyway: %+v %v", w, err)
	}
	// Decided by the 仲裁: publication goes through.
	arb := o.as("arb")
	cs, err := o.st.Arbitrations(ctx, o.ev.ID)
	if err != nil || len(cs) != 1 {
		t.Fatalf("cases: %v %v", cs, err)
	}
	caseURL := fmt.Sprintf("/events/%s/arbitration/%d", o.ev.Code, cs[0].ID)
	if code, body := arb.post(caseURL+"/hearings", url.Values{"csrf": {arb.csrf}, "heard_at": {time.Now().In(skillscore.China()).Format("2006-01-02T15:04")},
		"heard": {"王领队"}, "findings": {"故障属实，已补时"}}); code != http.StatusSeeOther {
		t.Fatalf("hearing: %d %s", code, body)
	}
	if code, body := arb.post(caseURL+"/decide", url.Values{"csrf": {arb.csrf}, "outcome": {"rejected"}, "reasons": {"已当场补时。"}}); code != http.StatusSeeOther {
		t.Fatalf("decision: %d %s", code, body)
	}
	code, body = org.get(results)
	if code != 200 || strings.Contains(body, held) || !strings.Contains(body, `id="publish"`) {
		t.Fatalf("results page after the decision: %d", code)
	}
	if code, body := org.post(results+"/publish", url.Values{"csrf": {org.csrf}, "start": {"2026-05-01T09:00"}, "end": {"2026-05-06T09:00"}}); code != http.StatusSeeOther {
		t.Fatalf("publish after the decision: %d %s", code, body)
	}
}
