package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"skillscore"
	"skillscore/internal/browsertest"
)

// TestOrganizerWholeFlowInBrowser runs one competition from an empty
// database to a verified certificate, through the pages only, in headless
// Chromium against the real binary: the organizer creates the event from
// the provincial preset, imports the roster, draws, imports judges (who form
// the panels) and theory scores, assigns the panels and prints login cards;
// three judges score every sheet on their own tablets; the chief judge
// locks and signs off; the organizer decrypts and publishes; an appeal is
// re-marked (the chief reopens the sheet, its judge re-scores, the chief
// locks and signs off again) and the results change; the organizer makes
// them final, exports the results workbook and issues certificates; a
// member of the public verifies one.
func TestOrganizerWholeFlowInBrowser(t *testing.T) {
	bin := binary(t)
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "flow.db")
	keys := filepath.Join(dir, "keys")
	// user add never creates a database: migrate sets it up.
	if out, err := exec.Command(bin, "migrate", "--db", db).CombinedOutput(); err != nil {
		t.Fatalf("migrate: %v\n%s", err, out)
	}
	for _, u := range [][]string{{"org", "组织者", "organizer"}, {"chief", "裁判长", "chief"}} {
		if out, err := addCmd(bin, db, "pass-"+u[0]+"-2027\n", "--username", u[0], "--name", u[1], "--role", u[2]).CombinedOutput(); err != nil {
			t.Fatalf("user add %s: %v\n%s", u[0], err, out)
		}
	}
	if out, err := exec.Command(bin, "certs", "keygen", "--keys", keys).CombinedOutput(); err != nil {
		t.Fatalf("keygen: %v\n%s", err, out)
	}
	srv := start(t, "serve", "--addr", "127.0.0.1:0", "--db", db, "--keys", keys, "--cert-body", "0000", "--cert-body-serial", "000001",
		"--cert-batches", filepath.Join(dir, "batches"), "--log-format", "text", "--log-level", "debug")
	base := srv.base
	const code = "jx-ylhly-2027"
	ev := base + "/events/" + code

	people := []struct{ name, gender, org, city, level string }{
		{"赵一", "男", "南昌市第一社会福利院", "南昌市", "四级/中级工"},
		{"钱二", "女", "九江市康养中心", "九江", "四级/中级工"},
		{"孙三", "女", "赣州市颐养院", "赣州", "三级/高级工"},
		{"李四", "男", "萍乡市老年公寓", "萍乡", ""},
	}
	ids := make([]string, len(people))
	var roster [][]string
	for i, p := range people {
		ids[i] = cliID(t, 101+2*i+map[string]int{"男": 0, "女": 1}[p.gender])
		roster = append(roster, []string{p.name, p.gender, ids[i], p.org, p.city, "职工组", p.level})
	}
	rosterPath := rosterFile(t, "报名表.xlsx", roster)
	// Judges come from cities none of the contestants is from, so the
	// avoidance rules leave every panel with every contestant.
	judgesPath := sheetFile(t, "裁判.xlsx", [][]string{
		{"姓名", "单位", "设区市", "模块", "裁判长"},
		{"周评", "上饶市人民医院", "上饶", "实操A 生活照护、实操B 基础照护、实操C 康复服务", "否"},
		{"吴评", "吉安市养老院", "吉安", "实操A 生活照护、实操B 基础照护、实操C 康复服务", "否"},
		{"郑评", "宜春市护理学校", "宜春", "实操A 生活照护、实操B 基础照护、实操C 康复服务", "否"},
	})
	theory := [][]string{{"证件号码", "成绩"}}
	for i, id := range ids {
		theory = append(theory, []string{id, strconv.Itoa(90 - 5*i)})
	}
	theoryPath := sheetFile(t, "理论成绩.xlsx", theory)

	b := browsertest.NewWithin(t, 1280, 900, 6*time.Minute)
	text := func(ctx context.Context, sel string) string {
		t.Helper()
		return browsertest.Eval[string](t, ctx, `(document.querySelector(`+strconv.Quote(sel)+`)||{innerText:''}).innerText`)
	}
	// Buttons that ask "确定？" are answered yes, as the organizer would.
	confirmYes := func(ctx context.Context) {
		browsertest.Eval[bool](t, ctx, `(window.confirm = () => true, true)`)
	}
	login := func(ctx context.Context, user string) {
		t.Helper()
		do(t, ctx, chromedp.WaitVisible(chromedp.CSS(`input[name=username]`)))
		browsertest.Navigates(t, ctx,
			chromedp.SendKeys(chromedp.CSS(`input[name=username]`), user),
			chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "pass-"+user+"-2027"),
			chromedp.Submit(chromedp.CSS(`input[name=password]`)))
	}
	step := func(name string) {
		t.Helper()
		browsertest.Navigates(t, b, chromedp.Click(chromedp.CSS(`nav.eventnav a[data-step=`+name+`]`)))
	}

	// 1. A new event from the provincial preset.
	do(t, b, chromedp.Navigate(base+"/"))
	browsertest.Navigates(t, b, chromedp.Click(chromedp.CSS(`#new-event`)))
	login(b, "org")
	browsertest.Navigates(t, b,
		chromedp.SendKeys(chromedp.CSS(`#code`), code),
		chromedp.SendKeys(chromedp.CSS(`#name`), "2027年江西省养老护理员职业技能竞赛"),
		chromedp.SendKeys(chromedp.CSS(`#year`), "2027"),
		chromedp.Click(chromedp.CSS(`#create`)))
	if msg := text(b, `#msg`); !strings.Contains(msg, "赛事已创建") {
		t.Fatalf("after create: %q\n%s", msg, text(b, `main`))
	}

	// 2. The roster: dry run, then the import.
	step("roster")
	// Each submit loads a new page: waiting on the old one's nodes across
	// it can hang chromedp, so every wait is a bounded poll of the page
	// that is there.
	do(t, b, chromedp.SetUploadFiles(chromedp.CSS(`#roster-file`), []string{rosterPath}))
	browsertest.Navigates(t, b, chromedp.Click(chromedp.CSS(`#check`)))
	browsertest.WaitTrue(t, b, `!!document.querySelector('#confirm')`)
	do(t, b, chromedp.Click(chromedp.CSS(`#basis-consent`)), chromedp.Click(chromedp.CSS(`#notified`)))
	browsertest.Navigates(t, b, chromedp.Click(chromedp.CSS(`#confirm`)))
	browsertest.WaitTrue(t, b, `document.querySelectorAll('#roster tbody tr').length === `+strconv.Itoa(len(people)))
	if n := browsertest.Eval[int](t, b, `document.querySelectorAll('#roster tbody tr').length`); n != len(people) {
		t.Fatalf("roster shows %d contestants, want %d", n, len(people))
	}

	// 3. The draw, with a random seed.
	step("draw")
	browsertest.Navigates(t, b, chromedp.Click(chromedp.CSS(`#draw1`)))
	if s := text(b, `#layer1`); !strings.Contains(s, "已抽签：种子") {
		t.Fatalf("after the draw: %q", s)
	}

	// 4. Judges (and so the panels) and theory scores from workbooks.
	step("imports")
	do(t, b, chromedp.SetUploadFiles(chromedp.CSS(`#judges-file`), []string{judgesPath}))
	browsertest.Navigates(t, b, chromedp.Click(chromedp.CSS(`#import-judges`)))
	if s := text(b, `p.ok`); !strings.Contains(s, "已导入裁判 3 名") {
		t.Fatalf("judges import: %q\n%s", s, text(b, `main`))
	}
	do(t, b, chromedp.SetUploadFiles(chromedp.CSS(`#scores-file`), []string{theoryPath}))
	browsertest.Navigates(t, b, chromedp.Click(chromedp.CSS(`#import-scores`)))
	if s := text(b, `p.ok`); !strings.Contains(s, "成绩 4 条") {
		t.Fatalf("theory import: %q\n%s", s, text(b, `main`))
	}

	// 5. Panels get every contestant; each judge's login card.
	step("judges")
	browsertest.Navigates(t, b, chromedp.Click(chromedp.CSS(`button[name=all]`)))
	assigned := browsertest.Eval[[]string](t, b, `[...document.querySelectorAll('tr[data-judge] td.num')].map(td => td.innerText)`)
	if strings.Join(assigned, ",") != "12,12,12" {
		t.Fatalf("assigned per judge: %v, want 12 each (4 contestants × 3 modules)\n%s", assigned, text(b, `main`))
	}
	type card struct{ URL, PIN string }
	var cards []card
	for _, j := range []string{"J01", "J02", "J03"} {
		// The card opens in a new window; here, in the same tab.
		browsertest.Navigates(t, b, chromedp.Evaluate[chromedp.Void](`(function(f){f.removeAttribute('target');f.submit()})(
			document.querySelector('tr[data-judge=`+j+`] form[action$="/login"]'))`))
		c := card{URL: strings.TrimSpace(text(b, `.judge-card .url`)),
			PIN: browsertest.Eval[string](t, b, `document.querySelector('.judge-card .pin').dataset.pin`)}
		if !strings.Contains(c.URL, "/judge?t=") || len(c.PIN) != 6 {
			t.Fatalf("login card of %s: %+v", j, c)
		}
		cards = append(cards, c)
		do(t, b, chromedp.Navigate(ev+"/judges"))
	}

	// 6. Three judges score every sheet on their tablets.
	tablets := make([]context.Context, len(cards))
	ownPINs := make([]string, len(cards))
	for i, c := range cards {
		tab := browsertest.Device(t, b, 1280, 800)
		tablets[i] = tab
		do(t, tab, chromedp.Navigate(c.URL), chromedp.WaitVisible(chromedp.CSS(`#pinpad`)))
		tap(t, tab, `#pin`) // focus, as a finger would
		for _, d := range c.PIN {
			tap(t, tab, `#pinpad button:nth-child(`+pinButton(d)+`)`)
		}
		tap(t, tab, `#login-go`)
		// An event made on the set-up page wants each judge's own signing
		// PIN before the first submission: set twice on the tablet, then
		// asked at every submit (the card's PIN no longer signs).
		own := fmt.Sprintf("5839%02d", 20+i)
		ownPINs[i] = own
		browsertest.WaitTrue(t, tab, `!document.getElementById('signset').hidden`)
		for _, step := range []string{"第 2 步", ""} {
			for _, d := range own {
				tap(t, tab, `#signset-pad button:nth-child(`+pinButton(d)+`)`)
			}
			tap(t, tab, `#signset-go`)
			if step != "" {
				browsertest.WaitTrue(t, tab, `document.getElementById('signset-step').textContent.includes('`+step+`')`)
			}
		}
		browsertest.WaitTrue(t, tab, `document.getElementById('sync').textContent.includes('已同步') && document.querySelectorAll('#modules button[data-code]').length === 12`)
		codes := browsertest.Eval[[]string](t, tab, `[...new Set([...document.querySelectorAll('#modules button[data-code]')].map(b => b.dataset.code))].sort()`)
		for _, m := range []string{"A", "B", "C"} {
			for p, cc := range codes {
				scoreSheet(t, tab, m, cc, p)
				submitSheet(t, tab, own)
			}
		}
	}

	// 7. The chief judge locks and signs off each module.
	chief := browsertest.Device(t, b, 1280, 900)
	do(t, chief, chromedp.Navigate(ev+"/desk"))
	login(chief, "chief")
	// lockAndSignOff locks each unsigned module's submitted sheets and
	// signs the module off, as the desk's two buttons do.
	lockAndSignOff := func() {
		t.Helper()
		for browsertest.Eval[bool](t, chief, `!!document.querySelector('form[action$="/signoff"]')`) {
			browsertest.Navigates(t, chief, chromedp.Evaluate[chromedp.Void](`document.querySelector('form[action*="/modules/"][action$="/lock"]').requestSubmit()`))
			failed(t, chief)
			confirmYes(chief)
			browsertest.Navigates(t, chief, chromedp.Evaluate[chromedp.Void](`document.querySelector('form[action$="/signoff"]').requestSubmit()`))
			failed(t, chief)
		}
	}
	lockAndSignOff()

	// 8. The organizer decrypts and publishes. A competition made on the
	// set-up page needs a 成绩复核 by a 监督 first (TestRecheckInBrowser
	// walks it); this organizer records that this event's results go out
	// without one, which the 复核 page lets it decide before a round starts.
	do(t, b, chromedp.Navigate(ev+"/recheck"))
	browsertest.Navigates(t, b, chromedp.Evaluate[chromedp.Void](`(function(){ var f = document.getElementById('settings-form');
		f.querySelector('input[name=required]').checked = false; f.requestSubmit(); })()`))
	failed(t, b)
	if s := text(b, `#settings`); !strings.Contains(s, "不是公示的前提") {
		t.Fatalf("复核 settings: %q", s)
	}
	do(t, b, chromedp.Navigate(ev+"/judges"))
	step("draw")
	confirmYes(b)
	browsertest.Navigates(t, b, chromedp.Click(chromedp.CSS(`#decrypt`)))
	if s := text(b, `#decrypted`); !strings.Contains(s, "已于") {
		t.Fatalf("decrypt: %q\n%s", s, text(b, `main`))
	}
	step("results")
	browsertest.Navigates(t, b, chromedp.Click(chromedp.CSS(`#publish`)))
	if s := text(b, `#published`); !strings.Contains(s, "公示期") {
		t.Fatalf("publish: %q\n%s", s, text(b, `main`))
	}
	before := exportTotals(t, b, ev)

	// 9. An appeal, decided as a re-mark of one sheet.
	step("appeals")
	do(t, b, chromedp.SetValue(chromedp.CSS(`#contestant`), browsertest.Eval[string](t, b,
		`[...document.querySelectorAll('#contestant option')].find(o => o.text.startsWith('赵一')).value`)),
		chromedp.SendKeys(chromedp.CSS(`#body`), "实操A 评估与沟通漏评，申请复核"))
	browsertest.Navigates(t, b, chromedp.Click(chromedp.CSS(`#file`)))
	sheetID := browsertest.Eval[string](t, b, `document.querySelector('article.appeal input[name=sheet]').value`)
	do(t, b, chromedp.SendKeys(chromedp.CSS(`article.appeal textarea[name=reason]`), "经核查评分表 A1 记录有误，安排复评"),
		chromedp.Click(chromedp.CSS(`article.appeal input[name=sheet][value="`+sheetID+`"]`)))
	browsertest.Navigates(t, b, chromedp.Click(chromedp.CSS(`article.appeal button[value=remark]`)))
	if s := text(b, `p.decided`); !strings.Contains(s, "已决定复评") {
		t.Fatalf("decision: %q", s)
	}

	// The chief judge reopens the sheet; its judge changes a mark and
	// submits again; the chief locks and signs off again.
	do(t, chief, chromedp.Navigate(ev+"/desk"))
	// The reopen form sits in a popover the chief judge opens first.
	do(t, chief, chromedp.Evaluate[chromedp.Void](`document.querySelector('form[action$="/sheets/`+sheetID+`/reopen"]').closest('details').querySelector('summary').click()`))
	do(t, chief, chromedp.SendKeys(chromedp.CSS(`form[action$="/sheets/`+sheetID+`/reopen"] input[name=reason]`), "申诉复评"))
	browsertest.Navigates(t, chief, chromedp.Click(chromedp.CSS(`form[action$="/sheets/`+sheetID+`/reopen"] button`)))
	// The reopened sheet reaches its judge's tablet by itself.
	open := `#modules button[data-code]:not([data-status=submitted]):not([data-status=locked])`
	judge := -1
	for deadline := time.Now().Add(30 * time.Second); judge < 0; {
		for i, tab := range tablets {
			if browsertest.Eval[bool](t, tab, `!!document.querySelector('`+open+`')`) {
				judge = i
			}
		}
		if judge < 0 && time.Now().After(deadline) {
			t.Fatal("no tablet shows the reopened sheet within 30 s")
		}
		time.Sleep(100 * time.Millisecond) // polling the tablets, bounded by the deadline
	}
	tab := tablets[judge]
	tap(t, tab, open)
	browsertest.WaitTrue(t, tab, `!!document.querySelector('#aspects .aspect')`)
	aspect := browsertest.Eval[string](t, tab, `document.querySelector('#aspects .aspect').dataset.aspect`)
	// The first aspect is a 0–3 judgement, scored at least 1 before: 0 is
	// a lower mark.
	tap(t, tab, `#aspects [data-aspect="`+aspect+`"] button[data-value="0"]`)
	submitSheet(t, tab, ownPINs[judge])
	do(t, chief, chromedp.Navigate(ev+"/desk"))
	lockAndSignOff()

	// 10. The period ends; the results are final and have changed.
	step("results")
	now := time.Now().In(skillscore.China())
	do(t, b, chromedp.SetValue(chromedp.CSS(`#start`), now.Add(-2*time.Hour).Format("2006-01-02T15:04")),
		chromedp.SetValue(chromedp.CSS(`#end`), now.Add(-time.Minute).Format("2006-01-02T15:04")))
	browsertest.Navigates(t, b, chromedp.Click(chromedp.CSS(`#publish`)))
	confirmYes(b)
	browsertest.Navigates(t, b, chromedp.Click(chromedp.CSS(`#finalize`)))
	if s := text(b, `#final`); !strings.Contains(s, "最终成绩已于") {
		t.Fatalf("finalize: %q\n%s", s, text(b, `main`))
	}
	after := exportTotals(t, b, ev)
	// Four contestants: 10 % of 4 rounds to no 一等奖, 20 % to one 二等奖,
	// 30 % to one 三等奖 (the preset's bands).
	if after["award:一等奖"] != "" || len([]rune(after["award:二等奖"])) != 2 || len([]rune(after["award:三等奖"])) != 2 {
		t.Fatalf("awards in the final results: %v", after)
	}
	for k := range after {
		if strings.HasPrefix(k, "award:") {
			delete(after, k)
		}
	}
	if len(after) != len(people) {
		t.Fatalf("final results workbook lists %d contestants, want %d: %v", len(after), len(people), after)
	}
	if after["赵一"] == before["赵一"] || after["赵一"] == "" {
		t.Fatalf("赵一's total did not change with the re-mark: before %q, after %q", before["赵一"], after["赵一"])
	}
	for _, p := range people[1:] {
		if after[p.name] != before[p.name] {
			t.Errorf("%s's total changed without a re-mark: %q → %q", p.name, before[p.name], after[p.name])
		}
	}

	// 11. Certificates, then the public verify page confirms one.
	step("certificates")
	browsertest.Navigates(t, b, chromedp.Click(chromedp.CSS(`#start-batch`)))
	browsertest.WaitTrue(t, b, `document.querySelector('#batch').dataset.state === 'done'`)
	numbers := browsertest.Eval[[]string](t, b, `[...document.querySelectorAll('tr[data-number]')].map(tr => tr.dataset.number)`)
	if len(numbers) == 0 {
		t.Fatalf("no certificates issued:\n%s", text(b, `main`))
	}
	holder := browsertest.Eval[string](t, b, `document.querySelector('tr[data-number] td:nth-child(3)').innerText`)
	phone := browsertest.Device(t, b, 390, 844)
	do(t, phone, chromedp.Navigate(base+"/verify"),
		chromedp.WaitVisible(chromedp.CSS(`#number`)),
		chromedp.SendKeys(chromedp.CSS(`#number`), numbers[0]),
		chromedp.SendKeys(chromedp.CSS(`#name-number`), holder))
	browsertest.Navigates(t, phone, chromedp.Click(chromedp.CSS(`#submit-number`)))
	if s := text(phone, `section.cert .status`); s != "有效" || !strings.Contains(text(phone, `section.cert`), numbers[0]) {
		t.Fatalf("verify %s (holder %s): status %q\n%s", numbers[0], holder, s, text(phone, `main`))
	}
	// The same certificate found by the holder's 证件号码 and name.
	holderID := ids[slices.IndexFunc(people, func(p struct{ name, gender, org, city, level string }) bool { return p.name == holder })]
	do(t, phone, chromedp.Navigate(base+"/verify"),
		chromedp.WaitVisible(chromedp.CSS(`label[for=mode-id]`)),
		chromedp.Click(chromedp.CSS(`label[for=mode-id]`)),
		chromedp.WaitVisible(chromedp.CSS(`#id_number`)),
		chromedp.SendKeys(chromedp.CSS(`#id_number`), holderID),
		chromedp.SendKeys(chromedp.CSS(`#name-id`), holder))
	browsertest.Navigates(t, phone, chromedp.Click(chromedp.CSS(`#submit-id`)))
	if s := text(phone, `main`); !strings.Contains(s, numbers[0]) || strings.Contains(s, holderID) {
		t.Fatalf("verify by 证件号码 + 姓名: want %s, the number masked\n%s", numbers[0], s)
	}

	// 12. What the whole flow left behind holds no full 证件号码: the
	// server's log (at debug level), the database file and a backup.
	srv.stop(t)
	backup := filepath.Join(dir, "flow-backup.db")
	if out, err := exec.Command(bin, "backup", "--db", db, "--out", backup).CombinedOutput(); err != nil {
		t.Fatalf("backup: %v\n%s", err, out)
	}
	leaks := map[string]string{"server log": srv.stderr.String()}
	for _, f := range []string{filepath.Join(dir, "flow.db"), filepath.Join(dir, "flow.db-wal"), backup} {
		if raw, err := os.ReadFile(f); err == nil {
			leaks[filepath.Base(f)] = string(raw)
		}
	}
	if len(leaks["server log"]) < 1000 || len(leaks["flow.db"]) == 0 {
		t.Fatalf("nothing to search: log %d bytes, database %d bytes", len(leaks["server log"]), len(leaks["flow.db"]))
	}
	for where, content := range leaks {
		for _, id := range ids {
			if strings.Contains(content, id) || strings.Contains(content, strings.ToLower(id)) {
				t.Errorf("%s holds the full 证件号码 %s", where, id)
			}
		}
	}
}

// do runs chromedp actions in ctx or fails the test.
func do(t *testing.T, ctx context.Context, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatal(err)
	}
}

// failed stops the test when the page is the error page.
func failed(t *testing.T, ctx context.Context) {
	t.Helper()
	if msg := browsertest.Eval[string](t, ctx, `(document.querySelector('.error-page')||{innerText:''}).innerText`); msg != "" {
		t.Fatalf("%s", msg)
	}
}

// tap finds an element and clicks it in one step, waiting until it exists:
// the tablet re-renders on every change, so a node found a moment earlier
// may be gone.
func tap(t *testing.T, ctx context.Context, sel string) {
	t.Helper()
	browsertest.WaitTrue(t, ctx, `(function(){var e=document.querySelector(`+strconv.Quote(sel)+`);if(!e)return false;e.focus();e.click();return true})()`)
}

// pinButton maps a digit to its button on the pad (1–9, ⌫, 0).
func pinButton(d rune) string {
	if d == '0' {
		return "11"
	}
	return string(d)
}

// scoreSheet opens a sheet and gives every aspect a mark through the
// tablet's own buttons and fields: contestant p of the judge's list gets
// judgement level 3, 2, 1, 3 …; the fourth differs from the first by its
// measurement, so no two totals tie.
func scoreSheet(t *testing.T, ctx context.Context, module, code string, p int) {
	t.Helper()
	tap(t, ctx, `#modules button[data-code="`+code+`"][data-module="`+module+`"]`)
	browsertest.WaitTrue(t, ctx, `document.getElementById('sheet-title').textContent.startsWith(`+strconv.Quote(code+" ·")+`)`)
	level := 3 - p%3
	angle, diff := 40, 1 // full marks on A3 (30°–50°) and B2 (≤ 2 mmHg)
	if p == 3 {
		angle, diff = 25, 3
	}
	// One aspect at a time: each tap re-renders the sheet.
	js := fmt.Sprintf(`(function(){
	  var codes = [...document.querySelectorAll('#aspects .aspect')].map(a => a.dataset.aspect);
	  for (var c of codes) {
	    var card = () => document.querySelector('#aspects [data-aspect="' + c + '"]');
	    var input = card().querySelector('.stepper input');
	    var levelBtn = card().querySelector('button[data-value="%d"]');
	    var zero = card().querySelector('button[data-value="0"]');
	    if (c === 'A3' || c === 'B2') { input.value = c === 'A3' ? '%d' : '%d'; input.dispatchEvent(new Event('change')); }
	    else if (card().querySelector('button[data-value="3"]')) levelBtn.click();
	    else if (card().querySelector('button[data-value="1"]') && !card().querySelector('.veto') && !input) card().querySelector('button[data-value="1"]').click();
	    else zero.click();
	  }
	  return codes.length;
	})()`, level, angle, diff)
	if n := browsertest.Eval[int](t, ctx, js); n == 0 {
		t.Fatalf("sheet %s/%s shows no aspects", code, module)
	}
	browsertest.WaitTrue(t, ctx, `document.querySelectorAll('#aspects .aspect:not(.done)').length === 0`)
}

// submitSheet submits the open sheet, signed with the PIN, once every mark
// is acknowledged, and goes back to the list.
func submitSheet(t *testing.T, ctx context.Context, pin string) {
	t.Helper()
	browsertest.WaitTrue(t, ctx, `document.getElementById('sync').textContent.includes('已同步') && !document.getElementById('submit').disabled`)
	tap(t, ctx, `#submit`)
	do(t, ctx, chromedp.SendKeys(chromedp.CSS(`#submit-pin`), pin))
	tap(t, ctx, `#submit-go`)
	browsertest.WaitTrue(t, ctx, `document.getElementById('sheet-status').textContent === '已提交'`)
	tap(t, ctx, `#back`)
}

// exportTotals downloads the results workbook (成绩汇总表) through the
// organizer's session in the page and reads each contestant's total (by
// name) and who won each award ("award:" + the award's name).
func exportTotals(t *testing.T, ctx context.Context, ev string) map[string]string {
	t.Helper()
	b64, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch(`+strconv.Quote(ev+"/exports/results-xlsx")+`, {credentials: 'same-origin'})
	  .then(r => { if (!r.ok) throw new Error('HTTP ' + r.status); return r.arrayBuffer(); })
	  .then(buf => { var s = ''; new Uint8Array(buf).forEach(x => s += String.fromCharCode(x)); return btoa(s); })`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("download the results workbook: %v", err)
	}
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("results workbook: %v", err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetList()[0])
	if err != nil {
		t.Fatal(err)
	}
	nameCol, totalCol, awardCol := -1, -1, -1
	out := map[string]string{}
	for _, row := range rows {
		if nameCol < 0 {
			for i, h := range row {
				switch strings.TrimSpace(h) {
				case "姓名":
					nameCol = i
				case "总分":
					totalCol = i
				case "奖项":
					awardCol = i
				}
			}
			continue
		}
		if nameCol < len(row) && totalCol < len(row) && row[nameCol] != "" {
			out[row[nameCol]] = row[totalCol]
			if awardCol < len(row) && row[awardCol] != "" {
				out["award:"+row[awardCol]] += row[nameCol]
			}
		}
	}
	if nameCol < 0 || totalCol < 0 || awardCol < 0 {
		t.Fatalf("results workbook has no 姓名/总分/奖项 header: %v", rows)
	}
	return out
}
