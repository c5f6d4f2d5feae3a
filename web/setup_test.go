package web_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"skillscore/examples"
	"skillscore/levels"
	"skillscore/rubric"
	"skillscore/scoring"
)

func TestEventNewFromPresetAndScratch(t *testing.T) {
	o := newOffice(t)
	ctx := context.Background()
	chief := o.browser()
	chief.login("chief", "pass-chief")
	if code, _ := chief.get("/events/new"); code != 403 {
		t.Fatalf("chief on the new-event page: %d", code)
	}
	org := o.browser()
	org.login("org", "pass-org")
	if code, body := org.get("/events/new"); code != 200 || !strings.Contains(body, "江西省养老护理员职业技能竞赛（省级二类）") {
		t.Fatalf("new-event page: %d\n%s", code, body)
	}
	form := url.Values{"csrf": {org.csrf}, "preset": {"provincial"}, "code": {"jx-ylhly-2027"}, "name": {"2027年江西省养老护理员职业技能竞赛"},
		"kind": {"competition"}, "occupation": {"养老护理员"}, "tier": {"provincial"}, "class": {"two"}, "year": {"2027"},
		"venue": {"南昌"}, "starts_on": {"2027-05-20"}}
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("code", "JX 2027")
	bad.Set("year", "27")
	code, body := org.post("/events/new", bad)
	if code != 400 || !strings.Contains(body, `id="err-code"`) || !strings.Contains(body, `id="err-year"`) ||
		!strings.Contains(body, "2027年江西省养老护理员职业技能竞赛") {
		t.Fatalf("bad form: %d\n%s", code, body)
	}
	if _, err := o.st.EventByCode(ctx, "jx-ylhly-2027"); err == nil {
		t.Fatal("a refused form stored an event")
	}
	if code, _ := org.post("/events/new", form); code != 303 {
		t.Fatalf("create: %d", code)
	}
	ev, err := o.st.EventByCode(ctx, "jx-ylhly-2027")
	if err != nil {
		t.Fatal(err)
	}
	rules, err := scoring.ParseRules([]byte(ev.Rules))
	if err != nil || rules.Year != 2027 || rules.Name != ev.Name || len(rules.Modules) != 4 {
		t.Fatalf("stored rules: %v %+v", err, rules)
	}
	mods, _ := o.st.Modules(ctx, ev.ID)
	gs, _ := o.st.Groups(ctx, ev.ID)
	if len(mods) != 4 || mods[0].Weight != 300000 || len(mods[1].Aspects) == 0 || len(gs) != 2 || ev.Status != "setup" {
		t.Fatalf("rows: %+v %+v %s", mods, gs, ev.Status)
	}
	if code, body := org.post("/events/new", form); code != 400 || !strings.Contains(body, "已存在") {
		t.Fatalf("same code twice: %d\n%s", code, body)
	}
	scratch := url.Values{"csrf": {org.csrf}, "preset": {"scratch"}, "code": {"jx-hlgy-2027"}, "name": {"2027年护理员等级认定"},
		"kind": {"assessment"}, "occupation": {"养老护理员"}, "level": {"3"}, "year": {"2027"}}
	if code, body := org.post("/events/new", scratch); code != 303 {
		t.Fatalf("scratch: %d\n%s", code, body)
	}
	ev2, _ := o.st.EventByCode(ctx, "jx-hlgy-2027")
	if r2, err := scoring.ParseRules([]byte(ev2.Rules)); err != nil || r2.Kind != "assessment" || r2.Level != 3 {
		t.Fatalf("scratch rules: %v %+v", err, r2)
	}
	// The 认定等级 select offers the eight levels by code; 特级技师 is 7.
	_, page := org.get("/events/new")
	for _, opt := range []string{`<option value="6">学徒工</option>`, `<option value="3">三级/高级工</option>`,
		`<option value="7">特级技师</option>`, `<option value="8">首席技师</option>`} {
		if !strings.Contains(page, opt) {
			t.Errorf("the level select lacks %s", opt)
		}
	}
	scratch.Set("code", "jx-tjjs-2027")
	scratch.Set("level", "7")
	if code, body := org.post("/events/new", scratch); code != 303 {
		t.Fatalf("特级技师: %d\n%s", code, body)
	}
	ev3, _ := o.st.EventByCode(ctx, "jx-tjjs-2027")
	if r3, err := scoring.ParseRules([]byte(ev3.Rules)); err != nil || r3.Level != levels.SpecialTechnician || ev3.Level != levels.SpecialTechnician {
		t.Fatalf("特级技师 rules: %v %+v", err, r3)
	}
	scratch.Set("code", "jx-bad-2027")
	scratch.Set("level", "9")
	if code, body := org.post("/events/new", scratch); code != 400 || !strings.Contains(body, "请选择认定等级") {
		t.Fatalf("level 9: %d\n%s", code, body)
	}
}

func TestSetupPageWeightsErrorsAndLock(t *testing.T) {
	o := newOffice(t)
	ctx := context.Background()
	base := "/events/" + o.ev.Code + "/setup"
	chief := o.browser()
	chief.login("chief", "pass-chief")
	if code, _ := chief.get(base); code != 403 {
		t.Fatalf("chief on the setup page: %d", code)
	}
	org := o.browser()
	org.login("org", "pass-org")
	code, body := org.get(base)
	if code != 200 || !strings.Contains(body, `name="weight.theory" id="weight.theory" value="30"`) {
		t.Fatalf("setup page: %d\n%s", code, body)
	}
	raw := o.ev.Rules
	form := func(theory, a string) url.Values {
		return url.Values{"csrf": {org.csrf}, "rules": {raw}, "weight.theory": {theory}, "weight.A": {a},
			"weight.B": {"25"}, "weight.C": {"20"}, "band.first": {"10"}, "band.second": {"20"}, "band.third": {"30"},
			"promotion_preset": {"provincial_class_two"}}
	}
	before, _ := o.st.EventByCode(ctx, o.ev.Code)
	noToken := form("40", "15")
	noToken.Del("csrf")
	if code, _ := org.post(base, noToken); code != 403 {
		t.Fatalf("save without the form token: %d", code)
	}
	// Not a number: named at its field.
	if code, body := org.post(base, form("三十", "25")); code != 400 || !regexp.MustCompile(`理论知识\s*<input[^>]*value="三十"[^>]*>\s*<span class="error field-error">请填写数字`).MatchString(body) {
		t.Fatalf("non-number weight: %d\n%s", code, body)
	}
	// The sum is wrong: the core's message shown with the weights.
	if code, body := org.post(base, form("35", "25")); code != 400 || !strings.Contains(body, "模块权重之和为 105%") {
		t.Fatalf("weights over 100: %d\n%s", code, body)
	}
	// A raw document past the rule-document bound is refused before decoding.
	huge := form("30", "25")
	huge.Set("rules", `{"name":"`+strings.Repeat("大", 400_000)+`"}`)
	if code, body := org.post(base, huge); code != 413 || !strings.Contains(body, "规则文档超过 1024 KB 上限") {
		t.Fatalf("oversize rules: %d\n%.300s", code, body)
	}
	// A bad value in the raw document: shown with its path.
	bad := form("30", "25")
	bad.Set("rules", strings.Replace(raw, `"method": "mean"`, `"method": "avg"`, 1))
	if code, body := org.post(base, bad); code != 400 || !strings.Contains(body, "modules[1].panel.method") {
		t.Fatalf("bad method: %d\n%s", code, body)
	}
	if after, _ := o.st.EventByCode(ctx, o.ev.Code); after.Rules != before.Rules || after.Revision != before.Revision {
		t.Fatal("a refused edit changed the event")
	}
	// Weights may change after marks (the demo has marks); recompute follows.
	if code, body := org.post(base, form("40", "15")); code != 303 {
		t.Fatalf("weight change: %d\n%s", code, body)
	}
	after, _ := o.st.EventByCode(ctx, o.ev.Code)
	mods, _ := o.st.Modules(ctx, o.ev.ID)
	if after.Revision != before.Revision+1 || mods[0].Weight != 400000 || mods[1].Weight != 150000 || !strings.Contains(after.Rules, `"weight": 40`) {
		t.Fatalf("after save: rev %d, %+v", after.Revision, mods[:2])
	}
	// The rubric structure may not change once marks exist.
	lock := form("40", "15")
	lock.Set("rules", strings.Replace(after.Rules, `"code": "A1"`, `"code": "A1x"`, 1))
	if code, body := org.post(base, lock); code != 409 || !strings.Contains(body, "不能再修改评分细则的结构") {
		t.Fatalf("structure change after marks: %d\n%s", code, body)
	}
}

// presetEvent creates an event from the provincial preset through the page.
func presetEvent(t *testing.T, o *office, org *browser, code string) {
	t.Helper()
	org.get("/events/new")
	form := url.Values{"csrf": {org.csrf}, "preset": {"provincial"}, "code": {code}, "name": {"2027年江西省养老护理员职业技能竞赛"},
		"kind": {"competition"}, "occupation": {"养老护理员"}, "tier": {"provincial"}, "class": {"two"}, "year": {"2027"}}
	if code, body := org.post("/events/new", form); code != 303 {
		t.Fatalf("create: %d\n%s", code, body)
	}
}

func rubricBook(t *testing.T, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestRubricImportXLSXAndJSON(t *testing.T) {
	o := newOffice(t)
	ctx := context.Background()
	org := o.browser()
	org.login("org", "pass-org")
	presetEvent(t, o, org, "jx-rubric-2027")
	ev, _ := o.st.EventByCode(ctx, "jx-rubric-2027")
	base := "/events/" + ev.Code + "/setup"
	resp, err := org.c.Get(o.srv.URL + base + "/rubric.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	tmpl, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.HasPrefix(tmpl, []byte("PK")) {
		t.Fatalf("template: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if _, probs, err := rubric.Read(tmpl); err != nil || len(probs) != 0 {
		t.Fatalf("template does not read back: %v %v", err, probs)
	}
	head := []any{"模块", "评分项代码", "评分项", "类型", "分值", "评分标准", "0分描述", "1分描述", "2分描述", "3分描述"}
	bad := rubricBook(t, [][]any{head,
		{"A", "A1", "评估与沟通", "打分", "40"},
		{"A", "A2", "协助进食", "客观", "50"},
		{"B", "B1", "沟通", "主观", "100", "", "未完成", "部分完成"},
	})
	code, body := org.upload(base+"/rubric", "细则.xlsx", bad)
	if code != 400 || !strings.Contains(body, "第 2 行 D 列（类型）") || !strings.Contains(body, "类型“打分”无法识别") {
		t.Fatalf("bad kind: %d\n%s", code, body)
	}
	// Kind fixed: the core's problems come back at their cells.
	bad = rubricBook(t, [][]any{head,
		{"A", "A1", "评估与沟通", "主观", "40"},
		{"A", "A2", "协助进食", "客观", "50"},
		{"B", "B1", "沟通", "主观", "100", "", "未完成", "部分完成"},
	})
	code, body = org.upload(base+"/rubric", "细则.xlsx", bad)
	if code != 400 || !strings.Contains(body, "第 2 行 A 列（模块）</td><td class=\"error\">评分项分值之和 90 不等于模块满分 100") ||
		!strings.Contains(body, "第 4 行 G 列（0分描述）</td><td class=\"error\">描述须有 4 条") {
		t.Fatalf("core problems at cells: %d\n%s", code, body)
	}
	if after, _ := o.st.EventByCode(ctx, ev.Code); after.Rules != ev.Rules {
		t.Fatal("a refused rubric changed the rules")
	}
	good := rubricBook(t, [][]any{{"实操 A 评分细则（2027）"}, head,
		{"A", "A1", "评估与沟通", "主观", "40", "", "未完成", "部分完成", "基本达到", "完全达到"},
		{"A", "", "协助进食", "客观", "60"},
		{"A", "", "严重安全事故", "否决", ""},
	})
	if code, body := org.upload(base+"/rubric", "细则.xlsx", good); code != 303 {
		t.Fatalf("good rubric: %d\n%s", code, body)
	}
	mods, _ := o.st.Modules(ctx, ev.ID)
	if a := mods[1].Aspects; len(a) != 3 || a[1].Code != "A2" || a[1].MaxMarks != 600000 || a[2].Kind != "veto" {
		t.Fatalf("aspects after import: %+v", a)
	}
	// A JSON rule document replaces the whole rules.
	raw, _ := examples.Files.ReadFile("assessment-yanglao-technician.json")
	if code, body := org.upload(base+"/rubric", "rules.json", []byte(`{"modules": [`)); code != 400 || !strings.Contains(body, "不是有效的规则 JSON") {
		t.Fatalf("broken json: %d\n%s", code, body)
	}
	if code, body := org.upload(base+"/rubric", "rules.json", raw); code != 303 {
		t.Fatalf("json rules: %d\n%s", code, body)
	}
	after, _ := o.st.EventByCode(ctx, ev.Code)
	mods, _ = o.st.Modules(ctx, ev.ID)
	if !strings.Contains(after.Rules, "技师职业技能等级认定") || len(mods) != 3 {
		t.Fatalf("after json: %d modules", len(mods))
	}
}

// TestSetupEventDetails: the organizer renames the event, moves its venue
// and date at any stage; bad values are named next to their field and
// change nothing.
func TestSetupEventDetails(t *testing.T) {
	o := newOffice(t)
	ctx := context.Background()
	base := "/events/" + o.ev.Code + "/setup"
	org := o.browser()
	org.login("org", "pass-org")
	if code, body := org.get(base); code != 200 || !strings.Contains(body, `id="detail-name" value="`+o.ev.Name+`"`) {
		t.Fatalf("setup page: %d\n%s", code, body)
	}
	before, _ := o.st.EventByCode(ctx, o.ev.Code)
	bad := url.Values{"csrf": {org.csrf}, "name": {"  "}, "venue": {"实训楼"}, "starts_on": {"2027-02-30"}}
	code, body := org.post(base+"/details", bad)
	if code != 400 || !strings.Contains(body, "请填写赛事名称") || !strings.Contains(body, "日期格式为 2027-05-20") ||
		!strings.Contains(body, `value="实训楼"`) {
		t.Fatalf("bad details: %d\n%s", code, body)
	}
	if after, _ := o.st.EventByCode(ctx, o.ev.Code); after.Name != before.Name || after.Venue != before.Venue || after.Revision != before.Revision {
		t.Fatalf("bad details changed the event: %+v", after)
	}
	good := url.Values{"csrf": {org.csrf}, "name": {"2026年江西省养老护理员职业技能竞赛（决赛）"}, "venue": {"江西卫生职业学院实训楼"}, "starts_on": {"2026-12-08"}}
	if code, _ := org.post(base+"/details", good); code != 303 {
		t.Fatalf("good details: %d", code)
	}
	after, _ := o.st.EventByCode(ctx, o.ev.Code)
	if after.Name != good.Get("name") || after.Venue != good.Get("venue") || after.StartsOn != "2026-12-08" || after.Revision != before.Revision+1 {
		t.Fatalf("saved details: %+v", after)
	}
	if _, body := org.get(base); !strings.Contains(body, "2026年江西省养老护理员职业技能竞赛（决赛） · 赛事设置") {
		t.Fatalf("the page keeps the old name:\n%s", body)
	}
}

// postForm posts a multipart form with an optional file, as the set-up
// page's main form sends it.
func (b *browser) postForm(path string, fields url.Values, fileField, fileName string, data []byte) (int, string) {
	b.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	if fileField != "" {
		fw, _ := mw.CreateFormFile(fileField, fileName)
		fw.Write(data)
	}
	mw.Close()
	resp, err := b.c.Post(b.base+path, mw.FormDataContentType(), &body)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(out)
}

// TestSetupGroupsAndModulesWithoutJSON: from the blank template (theory
// only), the organizer adds groups and a judged module with its rubric
// sheet, renames and removes them, all through form fields; a judged module
// without its rubric is refused and nothing changes.
func TestSetupGroupsAndModulesWithoutJSON(t *testing.T) {
	o := newOffice(t)
	ctx := context.Background()
	org := o.browser()
	org.login("org", "pass-org")
	org.get("/events/new")
	if code, body := org.post("/events/new", url.Values{"csrf": {org.csrf}, "preset": {"scratch"}, "code": {"jx-blank-2027"},
		"name": {"2027年养老护理员技能竞赛"}, "kind": {"competition"}, "occupation": {"养老护理员"}, "year": {"2027"}}); code != 303 {
		t.Fatalf("scratch event: %d\n%s", code, body)
	}
	ev, _ := o.st.EventByCode(ctx, "jx-blank-2027")
	base := "/events/" + ev.Code + "/setup"
	if code, body := org.get(base); code != 200 || !strings.Contains(body, `data-module="theory"`) || !strings.Contains(body, `id="module-new-code"`) {
		t.Fatalf("setup page: %d\n%s", code, body)
	}
	form := func(extra map[string]string) url.Values {
		cur, _ := o.st.EventByCode(ctx, ev.Code)
		f := url.Values{"csrf": {org.csrf}, "rules": {cur.Rules}}
		for k, v := range extra {
			f.Set(k, v)
		}
		return f
	}
	add := map[string]string{"weight.theory": "30", "group.new.code": "employee", "group.new.name": "职工组",
		"module.new.code": "A", "module.new.name": "实操A 生活照护", "module.new.part": "practical", "module.new.max": "100",
		"module.new.weight": "70"}
	code, body := org.postForm(base, form(add), "", "", nil)
	if code != 400 || !strings.Contains(body, "实操模块须同时上传其评分细则") || !strings.Contains(body, `value="实操A 生活照护"`) {
		t.Fatalf("a judged module without its rubric: %d\n%s", code, body)
	}
	if mods, _ := o.st.Modules(ctx, ev.ID); len(mods) != 1 {
		t.Fatalf("a refused form stored %d modules", len(mods))
	}
	head := []any{"模块", "评分项代码", "评分项", "类型", "分值", "评分标准", "0分描述", "1分描述", "2分描述", "3分描述"}
	sheet := rubricBook(t, [][]any{head,
		{"A", "A1", "评估与沟通", "主观", "40", "", "未完成", "部分完成", "基本达到", "完全达到"},
		{"实操A 生活照护", "A2", "协助进食", "客观", "60"},
	})
	if code, body := org.postForm(base, form(add), "module.new.rubric", "A.xlsx", sheet); code != 303 {
		t.Fatalf("add a group and a judged module: %d\n%s", code, body)
	}
	mods, _ := o.st.Modules(ctx, ev.ID)
	gs, _ := o.st.Groups(ctx, ev.ID)
	if len(mods) != 2 || mods[1].Code != "A" || mods[1].Weight != 700000 || len(mods[1].Aspects) != 2 || mods[0].Weight != 300000 ||
		len(gs) != 1 || gs[0].Name != "职工组" {
		t.Fatalf("after adding: modules %+v groups %+v", mods, gs)
	}
	if code, body := org.postForm(base, form(map[string]string{"group.name.employee": "职工组（在职）", "group.new.code": "student",
		"group.new.name": "学生组", "module.name.A": "实操A 生活照护与进食"}), "", "", nil); code != 303 {
		t.Fatalf("rename and add: %d\n%s", code, body)
	}
	mods, _ = o.st.Modules(ctx, ev.ID)
	gs, _ = o.st.Groups(ctx, ev.ID)
	if mods[1].Name != "实操A 生活照护与进食" || len(gs) != 2 || gs[0].Name != "职工组（在职）" || gs[1].Code != "student" {
		t.Fatalf("after renaming: modules %+v groups %+v", mods, gs)
	}
	if code, body := org.postForm(base, form(map[string]string{"group.remove.student": "1"}), "", "", nil); code != 303 {
		t.Fatalf("remove a group: %d\n%s", code, body)
	}
	if gs, _ = o.st.Groups(ctx, ev.ID); len(gs) != 1 {
		t.Fatalf("after removing: groups %+v", gs)
	}
	// Removing a module leaves the weights at 30 %: refused with the
	// weights' message, nothing changed.
	code, body = org.postForm(base, form(map[string]string{"module.remove.A": "1"}), "", "", nil)
	if code != 400 || !strings.Contains(body, "模块权重之和为 30%") {
		t.Fatalf("remove a module without fixing the weights: %d\n%s", code, body)
	}
	if mods, _ = o.st.Modules(ctx, ev.ID); len(mods) != 2 {
		t.Fatalf("a refused removal stored %d modules", len(mods))
	}
}

// TestSetupProblemsFollowRemovedModules: with module A removed, the core's
// problem with B's weight (now the second module) shows at B's field.
func TestSetupProblemsFollowRemovedModules(t *testing.T) {
	o := newOffice(t)
	org := o.browser()
	org.login("org", "pass-org")
	base := "/events/" + o.ev.Code + "/setup"
	org.get(base)
	code, body := org.post(base, url.Values{"csrf": {org.csrf}, "rules": {o.ev.Rules}, "weight.theory": {"30"}, "weight.A": {"25"},
		"weight.B": {"0"}, "weight.C": {"20"}, "module.remove.A": {"1"}})
	if code != 400 {
		t.Fatalf("status %d\n%s", code, body)
	}
	at := regexp.MustCompile(`name="weight\.([A-Za-z]+)"[^>]*>\s*<span class="error field-error">`).FindAllStringSubmatch(body, -1)
	if len(at) != 1 || at[0][1] != "B" {
		t.Fatalf("field errors at %v, want only at B\n%s", at, body)
	}
}
