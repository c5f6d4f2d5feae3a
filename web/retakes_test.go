package web_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"skillscore/demo"
	"skillscore/examples"
	"skillscore/internal/testenv"
	"skillscore/judges"
	"skillscore/scoring"
	"skillscore/store"
	"skillscore/templates"
	"skillscore/web"
)

// retakeOffice is two 技师 batches of the technician preset: an earlier one,
// final, where 李华 passed 操作技能 and failed 理论知识, and the current one
// (2026-KY-01), where 李华 retakes with 王芳 (新考) and 钱多 (补考, no
// earlier result). Skill judges K01–K03 and a 综合评审 panel of three
// (R01–R03, of 3–5) sit in the current batch, every candidate assigned.
type retakeOffice struct {
	t          *testing.T
	st         *store.Store
	svc        *judges.Service
	srv        *httptest.Server
	early, cur store.Event
	mods       map[string]store.Module // the current batch's, by code
	cs         map[string]store.Contestant
	judges     map[string]store.Judge
}

func (o *retakeOffice) browser() *browser {
	return (&office{t: o.t, srv: o.srv}).browser()
}

func newRetakeOffice(t *testing.T) *retakeOffice {
	t.Helper()
	ctx := context.Background()
	st := testenv.SQLite(t)
	addStaff(t, st, "org", "chief")
	hash, _ := web.HashPassword("pass-watch")
	if _, err := st.CreateUser(ctx, store.User{Username: "watch", Name: "watch", Role: web.RoleObserver, PasswordHash: hash}, "test"); err != nil {
		t.Fatal(err)
	}
	o := &retakeOffice{t: t, st: st}
	raw, _ := examples.Files.ReadFile("assessment-yanglao-technician.json")
	rules, err := scoring.ParseRules(raw)
	if err != nil {
		t.Fatal(err)
	}
	batch := func(code, no, day string, people [][3]string, judgeCodes map[string]string) (store.Event, map[string]store.Module, map[string]store.Contestant, map[string]store.Judge) {
		ev, err := st.CreateEvent(ctx, store.NewEvent{Event: store.Event{Code: code, Name: "养老护理员二级/技师认定 " + no, Kind: "assessment",
			Occupation: "养老护理员", OccupationCode: "4-10-01-05", Level: 2, Year: 2026, StartsOn: day, Rules: string(raw)},
			Groups: []store.Group{{Code: "", Name: "考生"}}, Modules: demo.Modules(rules)}, "tester")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.SaveBatch(ctx, store.Batch{EventID: ev.ID, BatchNo: no, PublicityDays: 5, RetakeMonths: 12}, "org"); err != nil {
			t.Fatal(err)
		}
		var in []store.Contestant
		for _, p := range people {
			in = append(in, store.Contestant{Name: p[0], Gender: "女", IDType: "居民身份证", IDNumber: p[1], Organization: "南昌市社会福利院", Level: 3})
		}
		added, err := st.AddContestants(ctx, ev.ID, in, "tester")
		if err != nil {
			t.Fatal(err)
		}
		cs := map[string]store.Contestant{}
		var cands []store.Candidate
		for i, c := range added {
			cands = append(cands, store.Candidate{ContestantID: c.ID, Source: people[i][2]})
		}
		if err := st.SaveCandidates(ctx, ev.ID, cands, "org"); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Draw(ctx, ev.ID, 1, fmt.Sprintf("%064x", ev.ID), "org"); err != nil {
			t.Fatal(err)
		}
		all, _ := st.Contestants(ctx, ev.ID)
		for _, c := range all {
			cs[c.Name] = c
		}
		mods := map[string]store.Module{}
		list, _ := st.Modules(ctx, ev.ID)
		for _, m := range list {
			mods[m.Code] = m
		}
		js := map[string]store.Judge{}
		var as []store.Assignment
		for jc, mod := range judgeCodes {
			j, err := st.AddJudge(ctx, store.Judge{EventID: ev.ID, Code: jc, Name: "考评员" + jc}, []store.PanelMember{{ModuleID: mods[mod].ID}}, "tester")
			if err != nil {
				t.Fatal(err)
			}
			js[jc] = j
			for _, c := range all {
				as = append(as, store.Assignment{ModuleID: mods[mod].ID, JudgeID: j.ID, ContestantID: c.ID})
			}
		}
		if err := st.AddAssignments(ctx, ev.ID, as, "org"); err != nil {
			t.Fatal(err)
		}
		return ev, mods, cs, js
	}
	const li, wang, qian = "360103199001010028", "36010219900307002X", "360102198806060047"
	skill := map[string]string{"K01": "skill", "K02": "skill", "K03": "skill"}
	var emods map[string]store.Module
	var ecs map[string]store.Contestant
	var ejs map[string]store.Judge
	o.early, emods, ecs, ejs = batch("jd-2025-10", "2025-KY-07", "2025-10-18", [][3]string{{"李华", li, store.SourceNew}}, skill)
	if _, err := st.ImportScores(ctx, o.early.ID, emods["theory"].ID, []store.ImportedScore{{ContestantID: ecs["李华"].ID, ModuleCode: "theory", Value: 500000}}, "理论.xlsx", "org"); err != nil {
		t.Fatal(err)
	}
	// Every skill judge gives 李华 top marks (3 for judgements, met, no
	// deduction): 操作技能 100, passed.
	var ops []store.SheetOp
	for jc, j := range ejs {
		for _, a := range emods["skill"].Aspects {
			v := int64(30000)
			switch a.Kind {
			case "measurement":
				v = 10000
			case "deduction":
				v = 0
			}
			ops = append(ops, store.SheetOp{OpID: jc + a.Code, Kind: store.OpMark, EventID: o.early.ID, ModuleID: emods["skill"].ID,
				ContestantID: ecs["李华"].ID, JudgeID: j.ID, AspectID: a.ID, Value: v, Actor: "judge", Subject: "x"})
		}
		ops = append(ops, store.SheetOp{OpID: jc + "submit", Kind: store.OpSubmit, EventID: o.early.ID, ModuleID: emods["skill"].ID,
			ContestantID: ecs["李华"].ID, JudgeID: j.ID, Actor: "judge", Subject: "x"})
	}
	res, err := st.ApplyOps(ctx, ops)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.Err != nil {
			t.Fatal(r.Err)
		}
	}
	sheets, _ := st.Sheets(ctx, o.early.ID)
	for _, sh := range sheets {
		if _, _, err := st.SetSheetStatus(ctx, o.early.ID, sh.ID, "locked", "", "chief"); err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range emods {
		if !m.Imported {
			if err := st.SignOffModule(ctx, o.early.ID, m.ID, 0, "chief"); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := st.Decrypt(ctx, o.early.ID, "org"); err != nil {
		t.Fatal(err)
	}
	// An assessment's 公示 runs its working days (store/reviews.go): one
	// published in a past week has ended.
	if _, err := st.PublishResults(ctx, o.early.ID, testenv.PublicityStart, time.Time{}, "org"); err != nil {
		t.Fatal(err)
	}
	if err := st.Finalize(ctx, o.early.ID, "org"); err != nil {
		t.Fatal(err)
	}

	o.cur, o.mods, o.cs, o.judges = batch("jd-2026-06", "2026-KY-01", "2026-06-10",
		[][3]string{{"李华", li, store.SourceRetake}, {"王芳", wang, store.SourceNew}, {"钱多", qian, store.SourceRetake}},
		map[string]string{"K01": "skill", "R01": "review", "R02": "review", "R03": "review"})

	tmpl, err := templates.New()
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	o.svc = judges.New(st, judges.Config{Logger: log})
	t.Cleanup(o.svc.Close)
	o.srv = httptest.NewServer(web.New(web.Config{Store: st, Templates: tmpl, Logger: log, Judges: o.svc, Judging: st}))
	t.Cleanup(o.srv.Close)
	return o
}

// TestRetakesPage: the page lists what a check finds and what not before
// anything is saved; only the organizer saves it; the results page then
// shows the carried part with its source batch.
func TestRetakesPage(t *testing.T) {
	o := newRetakeOffice(t)
	ctx := context.Background()
	page := "/events/jd-2026-06/batch/retakes"
	watch := o.browser()
	watch.login("watch", "pass-watch")
	code, body := watch.get(page)
	if code != 200 || !strings.Contains(body, "可沿用（1 人）") || !strings.Contains(body, "不能沿用（1 人）") ||
		!strings.Contains(body, "合格（沿用 2025-KY-07 批次，2025-10-18）") || !strings.Contains(body, "未找到本职业（养老护理员）、本等级的以往认定成绩") ||
		!strings.Contains(body, "尚无沿用记录") || strings.Contains(body, `id="retakes-check"`) {
		t.Fatalf("observer's page: %d\n%s", code, body)
	}
	if code, _ := watch.post(page, url.Values{"csrf": {watch.csrf}}); code != http.StatusForbidden {
		t.Fatalf("observer runs 核对补考: %d", code)
	}
	chief := o.browser()
	chief.login("chief", "pass-chief")
	chief.get("/events/jd-2026-06/desk")
	if code, _ := chief.post(page, url.Values{"csrf": {chief.csrf}}); code != http.StatusForbidden {
		t.Fatalf("chief runs 核对补考: %d", code)
	}
	if got, _ := o.st.CarriedParts(ctx, o.cur.ID); len(got) != 0 {
		t.Fatalf("a refused post saved %+v", got)
	}
	org := o.browser()
	org.login("org", "pass-org")
	if code, body := org.get(page); code != 200 || !strings.Contains(body, `id="stale"`) {
		t.Fatalf("organizer's page before saving: %d\n%s", code, body)
	}
	code, _ = org.post(page, url.Values{"csrf": {org.csrf}})
	if code != http.StatusSeeOther {
		t.Fatalf("核对补考: %d", code)
	}
	got, _ := o.st.CarriedParts(ctx, o.cur.ID)
	if len(got) != 1 || got[0].ContestantID != o.cs["李华"].ID || got[0].Part != "practical" || got[0].Score != 1000000 || got[0].CheckedBy != "org" {
		t.Fatalf("saved: %+v", got)
	}
	code, body = org.get(page + "?msg=retakes-checked.1.1")
	if code != 200 || !strings.Contains(body, "已核对补考并保存：1 名考生沿用已合格部分，1 名不能沿用") || strings.Contains(body, `id="stale"`) ||
		!strings.Contains(body, `id="saved-list"`) {
		t.Fatalf("page after saving: %d\n%s", code, body)
	}
	// The results page: 李华's 操作技能 carried with its source, the other
	// parts still to come; 钱多 sits everything.
	code, body = org.get("/events/jd-2026-06/results")
	if code != 200 || !strings.Contains(body, `id="verdicts"`) || !strings.Contains(body, "100</span> <span class=\"verdict\">合格（沿用 2025-KY-07 批次，2025-10-18）") ||
		!strings.Contains(body, "<th>理论知识</th><th>操作技能</th><th>综合评审</th>") {
		t.Fatalf("results page: %d\n%s", code, body)
	}
	// A competition has no 补考.
	if _, err := o.st.CreateEvent(ctx, store.NewEvent{Event: store.Event{Code: "comp", Name: "竞赛", Kind: "competition", Occupation: "养老护理员",
		Year: 2026, Rules: "{}"}}, "tester"); err != nil {
		t.Fatal(err)
	}
	if code, body := org.get("/events/comp/batch/retakes"); code != http.StatusNotFound || !strings.Contains(body, "是竞赛，不是等级认定批次") {
		t.Fatalf("核对补考 of a competition: %d\n%s", code, body)
	}
}

// TestResultsVerdictsForAssessment: each part's score and verdict, 缺考 from
// a theory file, the overall verdict.
func TestResultsVerdictsForAssessment(t *testing.T) {
	o := newRetakeOffice(t)
	ctx := context.Background()
	if _, err := o.st.ImportScores(ctx, o.cur.ID, o.mods["theory"].ID, []store.ImportedScore{
		{ContestantID: o.cs["王芳"].ID, ModuleCode: "theory", Value: 820000},
		{ContestantID: o.cs["钱多"].ID, ModuleCode: "theory", Absent: true}}, "理论.xlsx", "org"); err != nil {
		t.Fatal(err)
	}
	org := o.browser()
	org.login("org", "pass-org")
	code, body := org.get("/events/jd-2026-06/results")
	if code != 200 {
		t.Fatalf("results: %d", code)
	}
	// Before decryption the table names candidates by their codes only.
	rows := map[string]string{}
	for _, tr := range strings.Split(body, "<tr>")[1:] {
		for name, c := range o.cs {
			if strings.Contains(tr, `<td class="code">`+*c.Code+"</td>") && !strings.Contains(tr, "<td>"+name+"</td>") {
				rows[name] = tr
			}
		}
	}
	for name, want := range map[string][]string{
		"王芳": {`<td class="v-pass"><span class="score">82</span> <span class="verdict">合格</span>`, "不合格（暂计）"},
		// a theory file's 缺考 takes the candidate out (issue 14's status)
		"钱多": {`<td class="v-absent"><span class="verdict">缺考</span>`, "<strong>缺考</strong>"},
	} {
		for _, w := range want {
			if !strings.Contains(rows[name], w) {
				t.Errorf("%s's row lacks %q:\n%s", name, w, rows[name])
			}
		}
	}
	if !strings.Contains(body, fmt.Sprintf("合格 <strong>%d</strong> 人，不合格 <strong>%d</strong> 人，缺考 <strong>%d</strong> 人", 0, 2, 1)) {
		t.Errorf("counts:\n%s", body)
	}
}
