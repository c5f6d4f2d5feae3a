package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"skillscore/store"
)

// TestPrivacyPageEditsNoticeRetentionAndOrganizer is the organizer's
// privacy page: the default notice, a new version, an unchanged save, bad
// values refused at their fields with nothing stored, the retention and the
// organizer, back to the default template; every change audited. Other
// roles are refused.
func TestPrivacyPageEditsNoticeRetentionAndOrganizer(t *testing.T) {
	o := newOffice(t)
	ctx := context.Background()
	page := "/events/" + o.ev.Code + "/privacy"
	chief := o.browser()
	chief.login("chief", "pass-chief")
	if code, _ := chief.get(page); code != http.StatusForbidden {
		t.Fatalf("chief on the privacy page: %d", code)
	}
	org := o.browser()
	org.login("org", "pass-org")
	code, body := org.get(page)
	if code != 200 || !strings.Contains(body, "默认模板") || !strings.Contains(body, "3 年（1095 天）") ||
		!strings.Contains(body, o.ev.Name+"组委会") || !strings.Contains(body, `id="history-empty"`) ||
		!strings.Contains(body, "最终成绩尚未确认") {
		t.Fatalf("privacy page: %d\n%s", code, body)
	}
	if code, _ := chief.post(page+"/retention", url.Values{"csrf": {chief.csrf}, "days": {"400"}}); code != http.StatusForbidden {
		t.Fatalf("chief sets the retention: %d", code)
	}
	if code, _ := org.post(page+"/notice", url.Values{"body": {"无 CSRF"}}); code != http.StatusForbidden {
		t.Fatalf("a form without its CSRF token: %d", code)
	}

	// A notice of the organizer's own, then the same words again.
	text := "{赛事名称}告知书\n请于 {保存期限} 内联系 {组织单位}。"
	if code, body := org.post(page+"/notice", url.Values{"csrf": {org.csrf}, "body": {text}}); code != http.StatusSeeOther {
		t.Fatalf("save notice: %d\n%s", code, body)
	}
	code, body = org.get(page + "?msg=privacy-notice-saved.1")
	if code != 200 || !strings.Contains(body, "告知书已保存为第 1 版") || !strings.Contains(body, "（org（org） 于") ||
		!strings.Contains(body, o.ev.Name+"告知书\n请于 3 年（1095 天） 内联系 "+o.ev.Name+"组委会。") || !strings.Contains(body, `id="history"`) {
		t.Fatalf("after saving: %d\n%s", code, body)
	}
	if code, _ := org.post(page+"/notice", url.Values{"csrf": {org.csrf}, "body": {text + "\n"}}); code != http.StatusSeeOther {
		t.Fatalf("save unchanged: %d", code)
	}
	if hist, _ := o.st.PrivacyNotices(ctx, o.ev.ID); len(hist) != 1 {
		t.Fatalf("an unchanged save made version %d", len(hist))
	}
	code, body = org.post(page+"/notice", url.Values{"csrf": {org.csrf}, "body": {"  \n "}})
	if code != http.StatusBadRequest || !strings.Contains(body, `id="err-body"`) || !strings.Contains(body, "告知书内容不能为空") {
		t.Fatalf("empty notice: %d\n%s", code, body)
	}

	// Retention: out of range and not a number refused, kept in the field.
	for _, bad := range []string{"29", "3651", "三年"} {
		code, body := org.post(page+"/retention", url.Values{"csrf": {org.csrf}, "days": {bad}})
		if code != http.StatusBadRequest || !strings.Contains(body, `id="err-days"`) || !strings.Contains(body, `value="`+bad+`"`) {
			t.Fatalf("retention %q: %d\n%s", bad, code, body)
		}
	}
	if days, _ := o.st.RetentionDays(ctx, o.ev.ID); days != 1095 {
		t.Fatalf("refused values stored %d days", days)
	}
	if code, _ := org.post(page+"/retention", url.Values{"csrf": {org.csrf}, "days": {"730"}}); code != http.StatusSeeOther {
		t.Fatalf("retention 730: %d", code)
	}
	if code, _ := org.post(page+"/organizer", url.Values{"csrf": {org.csrf}, "organizer": {"江西省职业技能鉴定指导中心"},
		"contact": {"0791-86000000"}}); code != http.StatusSeeOther {
		t.Fatalf("organizer: %d", code)
	}
	code, body = org.post(page+"/organizer", url.Values{"csrf": {org.csrf}, "organizer": {strings.Repeat("长", 201)}, "contact": {"x"}})
	if code != http.StatusBadRequest || !strings.Contains(body, `id="err-organizer"`) {
		t.Fatalf("a 201-character organizer: %d\n%s", code, body)
	}
	p, err := o.st.EventPrivacy(ctx, o.ev.ID)
	if err != nil || p.RetentionDays != 730 || p.Organizer != "江西省职业技能鉴定指导中心" ||
		p.Notice.Text != o.ev.Name+"告知书\n请于 2 年（730 天） 内联系 江西省职业技能鉴定指导中心。" {
		t.Fatalf("stored: %+v, %v", p, err)
	}

	// Back to the default template: version 2, with the organizer's name.
	if code, _ := org.post(page+"/notice", url.Values{"csrf": {org.csrf}, "reset": {"1"}}); code != http.StatusSeeOther {
		t.Fatalf("reset: %d", code)
	}
	code, body = org.get(page)
	if code != 200 || !strings.Contains(body, "第 2 版") || !strings.Contains(body, "个人信息处理者为江西省职业技能鉴定指导中心") ||
		!strings.Contains(body, "请通过0791-86000000联系") || strings.Contains(body, `id="reset-form"`) {
		t.Fatalf("after the reset: %d\n%s", code, body)
	}
	trail, err := o.st.AuditTrail(ctx, o.ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range trail {
		if strings.HasPrefix(e.Action, "privacy.") {
			kinds = append(kinds, e.Action)
		}
	}
	if strings.Join(kinds, " ") != "privacy.notice privacy.retention privacy.organizer privacy.notice" {
		t.Fatalf("audited: %v", kinds)
	}
	if code, body := org.get("/events/" + o.ev.Code + "/audit"); code != 200 || !strings.Contains(body, "修改个人信息保存期限") {
		t.Fatalf("audit page: %d", code)
	}
}

// TestRegistrationForm is the printable 报名表: the blank fields, the
// notice in force in full, the consent line and the signature; organizer
// only.
func TestRegistrationForm(t *testing.T) {
	o := newOffice(t)
	path := "/events/" + o.ev.Code + "/registration-form"
	chief := o.browser()
	chief.login("chief", "pass-chief")
	if code, _ := chief.get(path); code != http.StatusForbidden {
		t.Fatalf("chief on the registration form: %d", code)
	}
	if _, err := o.st.SetPrivacyNotice(context.Background(), o.ev.ID,
		"{赛事名称}\n报名告知书\n\n一、处理者\n{组织单位}处理您的信息，保存 {保存期限}。", "org"); err != nil {
		t.Fatal(err)
	}
	org := o.browser()
	org.login("org", "pass-org")
	code, body := org.get(path)
	if code != 200 {
		t.Fatalf("registration form: %d\n%s", code, body)
	}
	for _, want := range []string{"<h2>报名表</h2>", o.ev.Name, "姓　　名", "性　　别", "证件类型", "证件号码", "单　　位", "设区市", "手机号码",
		`id="photo"`, "职工组", "学生组", `<p class="title">报名告知书</p>`, `<p class="heading">一、处理者</p>`,
		o.ev.Name + "组委会处理您的信息，保存 3 年（1095 天）。", "本人已阅读并同意上述告知书", "选手签名：", "日期：", "@page { size: A4",
		`data-notice="第 1 版"`} {
		if !strings.Contains(body, want) {
			t.Errorf("registration form lacks %q", want)
		}
	}
	if n := strings.Count(body[strings.Index(body, `id="id-boxes"`):], "<span></span>"); n != 18 {
		t.Errorf("%d boxes for the ID number, want 18", n)
	}
}

// TestRosterConfirmNeedsBasisAndNotice: after a clean dry run, "确认导入"
// without a legal basis, without the notice confirmed, or from a stale page
// comes back with the reason and stores nothing; a notice changed after
// the page was shown fails the import; the confirmed import records the
// basis and the notice version.
func TestRosterConfirmNeedsBasisAndNotice(t *testing.T) {
	o := newRosterOffice(t)
	ctx := context.Background()
	org := o.browser()
	org.login("org", "pass-org")
	data, err := os.ReadFile(rosterXLSX(t, [][]string{
		{"张三", "男", testID(t, 11), "南昌市第一养老院", "南昌", "职工组"},
		{"王五", "男", testID(t, 31), "江西卫生职业学院", "赣州", "学生组"},
	}))
	if err != nil {
		t.Fatal(err)
	}
	base := "/events/" + o.ev.Code + "/roster"
	org.get(base) // the session's CSRF token
	dryRun := func() string {
		t.Helper()
		resp := org.uploadResp(base+"/upload", "报名表.xlsx", data)
		loc, err := url.Parse(resp.Header.Get("Location"))
		if resp.StatusCode != http.StatusSeeOther || err != nil {
			t.Fatalf("upload: %d %v", resp.StatusCode, err)
		}
		job := loc.Query().Get("job")
		waitJob(t, org, o.ev.Code, job)
		return job
	}
	job := dryRun()
	code, body := org.get(base + "?job=" + job)
	p, _ := o.st.EventPrivacy(ctx, o.ev.ID)
	if code != 200 || !strings.Contains(body, `id="confirm-form"`) || !strings.Contains(body, `value="`+p.Notice.SHA256+`"`) ||
		!strings.Contains(body, "已向选手告知上述告知书内容") || !strings.Contains(body, "报名同意") || !strings.Contains(body, "法定职责") {
		t.Fatalf("dry-run page: %d\n%s", code, body)
	}
	confirm := base + "/jobs/" + job + "/import"
	cases := []struct {
		form url.Values
		want string
	}{
		{url.Values{"notified": {"1"}, "notice_sha256": {p.Notice.SHA256}}, "请选择处理选手个人信息的合法性基础"},
		{url.Values{"basis": {"agreed"}, "notified": {"1"}, "notice_sha256": {p.Notice.SHA256}}, "请选择处理选手个人信息的合法性基础"},
		{url.Values{"basis": {"consent"}, "notice_sha256": {p.Notice.SHA256}}, "再勾选“已向选手告知上述告知书内容”"},
		{url.Values{"basis": {"consent"}, "notified": {"1"}}, "页面已过期"},
	}
	for _, c := range cases {
		c.form.Set("csrf", org.csrf)
		code, body := org.post(confirm, c.form)
		if code != http.StatusBadRequest || !strings.Contains(body, `id="confirm-error"`) || !strings.Contains(body, c.want) ||
			!strings.Contains(body, "未导入任何选手") || !strings.Contains(body, `id="confirm-form"`) {
			t.Fatalf("confirm %v: %d, want 400 saying %q\n%s", c.form, code, c.want, body)
		}
		if c.form.Get("basis") == "consent" && !strings.Contains(body, `value="consent" id="basis-consent" required checked`) {
			t.Errorf("the basis chosen is not kept:\n%s", body)
		}
	}
	if n := rosterCount(t, o); n != 0 {
		t.Fatalf("refused confirmations stored %d contestants", n)
	}

	// The notice changes after the page was shown: the import is refused.
	if err := o.st.SetRetentionDays(ctx, o.ev.ID, 500, "org"); err != nil {
		t.Fatal(err)
	}
	st := postJob(t, org, o.ev.Code, confirm, url.Values{"csrf": {org.csrf}, "basis": {"duty"}, "notified": {"1"}, "notice_sha256": {p.Notice.SHA256}})
	if st.State != "failed" || st.Code != "conflict" || !strings.Contains(st.Error, "告知书在您确认后已修改") {
		t.Fatalf("import after the notice changed: %+v", st)
	}
	if n := rosterCount(t, o); n != 0 {
		t.Fatalf("a stale notice stored %d contestants", n)
	}

	job = dryRun()
	p, _ = o.st.EventPrivacy(ctx, o.ev.ID)
	if st := postJob(t, org, o.ev.Code, base+"/jobs/"+job+"/import",
		url.Values{"csrf": {org.csrf}, "basis": {"duty"}, "notified": {"1"}, "notice_sha256": {p.Notice.SHA256}}); st.State != "done" {
		t.Fatalf("import: %+v", st)
	}
	imps, err := o.st.RosterImports(ctx, o.ev.ID)
	if err != nil || len(imps) != 1 || imps[0].Basis != store.BasisDuty || imps[0].NoticeID != nil || imps[0].NoticeSHA256 != p.Notice.SHA256 {
		t.Fatalf("stored import: %+v, %v", imps, err)
	}
	if _, body := org.get(base); !strings.Contains(body, `<td class="basis">法定职责</td><td class="notice">默认模板</td>`) {
		t.Fatalf("the roster page does not list the basis and notice:\n%s", body)
	}
}

type rosterJobState struct {
	ID    string `json:"id"`
	State string `json:"state"`
	Error string `json:"error"`
	Code  string `json:"code"`
}

// waitJob polls a roster job until it is no longer running.
func waitJob(t *testing.T, b *browser, event, job string) rosterJobState {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		code, body := b.get("/api/v1/events/" + event + "/roster/jobs/" + job)
		var st rosterJobState
		if code != 200 || json.Unmarshal([]byte(body), &st) != nil {
			t.Fatalf("job status: %d %s", code, body)
		}
		if st.State != "running" {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %s still running", job)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// postJob posts a form that starts a roster job and waits for that job
// (named in the redirect) to end.
func postJob(t *testing.T, b *browser, event, path string, form url.Values) rosterJobState {
	t.Helper()
	resp, err := b.c.PostForm(b.base+path, form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther || err != nil || loc.Query().Get("job") == "" {
		t.Fatalf("%s: %d, Location %q", path, resp.StatusCode, resp.Header.Get("Location"))
	}
	return waitJob(t, b, event, loc.Query().Get("job"))
}
