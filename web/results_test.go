package web_test

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"skillscore"
	"skillscore/internal/testenv"
)

// cstForm formats a time for the publication period's datetime-local fields.
func cstForm(t time.Time) string {
	return t.In(skillscore.China()).Format("2006-01-02T15:04")
}

func TestResultsWorkflowPages(t *testing.T) {
	o := newOffice(t)
	ctx := context.Background()
	base := "/events/" + o.ev.Code
	chief := o.browser()
	chief.login("chief", "pass-chief")
	if code, _ := chief.get(base + "/results"); code != 403 {
		t.Fatalf("chief on the results page: %d", code)
	}
	org := o.browser()
	org.login("org", "pass-org")
	code, body := org.get(base + "/results")
	if code != 200 || !strings.Contains(body, `id="publish-refused"`) || !strings.Contains(body, "未锁定") {
		t.Fatalf("results page before locks: %d\n%s", code, body)
	}
	org.get(base + "/judges") // a page with a form, for the session's form token
	now := time.Now()
	period := url.Values{"csrf": {org.csrf}, "start": {cstForm(now.Add(-time.Hour))}, "end": {cstForm(now.Add(time.Hour))}}
	if code, body := org.post(base+"/results/publish", period); code != 409 || !strings.Contains(body, "未锁定") {
		t.Fatalf("publish before locks: %d\n%s", code, body)
	}
	public := o.browser()
	// The 公示页 exists before publication (every organizer page links it)
	// and says it has not begun, listing nobody.
	if code, body := public.get(base + "/published"); code != 200 || !strings.Contains(body, `id="not-yet"`) || strings.Contains(body, `id="published"`) {
		t.Fatalf("public results before publication: %d\n%s", code, body)
	}
	if code, body := public.get(base + "/appeal"); code != 200 || !strings.Contains(body, "尚未公示") || strings.Contains(body, `id="submit"`) {
		t.Fatalf("appeal form before publication: %d\n%s", code, body)
	}

	testenv.Decrypted(t, o.st, o.ev.ID)
	if code, body := org.post(base+"/results/publish", url.Values{"csrf": {org.csrf}, "start": {"明天"}, "end": {"后天"}}); code != 400 ||
		!strings.Contains(body, "公示开始时间") {
		t.Fatalf("publish with a bad start: %d\n%s", code, body)
	}
	if code, _ := org.post(base+"/results/publish", period); code != 303 {
		t.Fatalf("publish: %d", code)
	}
	if _, body := org.get(base + "/results"); !strings.Contains(body, `id="published"`) || !strings.Contains(body, `id="final-refused"`) ||
		!strings.Contains(body, "公示期至") {
		t.Fatalf("results page during publication:\n%s", body)
	}

	cs, err := o.st.Contestants(ctx, o.ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	c := cs[0]
	code, body = public.get(base + "/published")
	if code != 200 || !strings.Contains(body, string([]rune(c.Name)[:1])+"*") || strings.Contains(body, c.Name) ||
		strings.Contains(body, c.IDNumber) {
		t.Fatalf("public results should show masked names only: %d\n%s", code, body)
	}

	// The contestant's appeal: a wrong name is refused without echoing the ID.
	code, body = public.post(base+"/appeal", url.Values{"id_number": {c.IDNumber}, "name": {"无此人"}, "body": {"理论成绩有误"}})
	if code != 404 || !strings.Contains(body, "不匹配") || strings.Contains(body, c.IDNumber) {
		t.Fatalf("appeal with a wrong name: %d\n%s", code, body)
	}
	code, body = public.post(base+"/appeal", url.Values{"id_number": {c.IDNumber}, "name": {c.Name}, "body": {"理论成绩有误"}})
	if code != 200 || !strings.Contains(body, "申诉已提交") || strings.Contains(body, c.IDNumber) {
		t.Fatalf("appeal: %d\n%s", code, body)
	}
	// Lookups by ID number are rate-limited per address.
	limited := false
	for i := 0; i < 6 && !limited; i++ {
		code, _ = public.post(base+"/appeal", url.Values{"id_number": {c.IDNumber}, "name": {"无此人"}, "body": {"x"}})
		limited = code == 429
	}
	if !limited {
		t.Fatal("public appeals are not rate-limited")
	}

	_, body = org.get(base + "/appeals")
	if !strings.Contains(body, "选手本人提交") || !strings.Contains(body, "理论成绩有误") {
		t.Fatalf("appeals page:\n%s", body)
	}
	list, err := o.st.Appeals(ctx, o.ev.ID)
	if err != nil || len(list) != 1 {
		t.Fatalf("appeals: %v %v", list, err)
	}
	decide := base + "/appeals/" + strconv.FormatInt(list[0].ID, 10) + "/decide"
	if code, body := org.post(decide, url.Values{"csrf": {org.csrf}, "outcome": {"rejected"}, "reason": {" "}}); code != 400 || !strings.Contains(body, "理由") {
		t.Fatalf("reject without a reason: %d\n%s", code, body)
	}
	if code, _ := org.post(base+"/results/final", url.Values{"csrf": {org.csrf}}); code != 409 {
		t.Fatalf("final during the period with an open appeal: %d", code)
	}
	if code, _ := org.post(decide, url.Values{"csrf": {org.csrf}, "outcome": {"rejected"}, "reason": {"经核对理论成绩无误"}}); code != 303 {
		t.Fatalf("reject: %d", code)
	}
	if _, body := org.get(base + "/appeals"); !strings.Contains(body, "已驳回：经核对理论成绩无误") {
		t.Fatalf("decided appeal not shown:\n%s", body)
	}
	// The organizer shortens the period to end now; then the results are final.
	ended := url.Values{"csrf": {org.csrf}, "start": {cstForm(now.Add(-2 * time.Hour))}, "end": {cstForm(now.Add(-time.Minute))}}
	if code, _ := org.post(base+"/results/publish", ended); code != 303 {
		t.Fatalf("end the period: %d", code)
	}
	if _, body := public.get(base + "/appeal"); !strings.Contains(body, "不再受理申诉") {
		t.Fatalf("appeal form after the period:\n%s", body)
	}
	if code, _ := org.post(base+"/results/final", url.Values{"csrf": {org.csrf}}); code != 303 {
		t.Fatalf("final: %d", code)
	}
	if _, body := org.get(base + "/results"); !strings.Contains(body, `id="final"`) {
		t.Fatalf("results page after final:\n%s", body)
	}
	if _, body := public.get(base + "/published"); !strings.Contains(body, "成绩已最终确认") {
		t.Fatalf("public results after final:\n%s", body)
	}
}

// TestAppealRemarkPages is a re-mark through the pages: the organizer
// records an appeal and sends one sheet for re-marking; the chief judge may
// then reopen it, and the results cannot be made final until it is locked
// and its module signed off again.
func TestAppealRemarkPages(t *testing.T) {
	o := newOffice(t)
	ctx := context.Background()
	base := "/events/" + o.ev.Code
	testenv.Decrypted(t, o.st, o.ev.ID)
	now := time.Now()
	if _, err := o.st.PublishResults(ctx, o.ev.ID, now.Add(-time.Hour), now.Add(time.Hour), "org"); err != nil {
		t.Fatal(err)
	}
	sheets, err := o.st.Sheets(ctx, o.ev.ID)
	if err != nil || len(sheets) == 0 {
		t.Fatalf("sheets: %v", err)
	}
	sh := sheets[0]
	org := o.browser()
	org.login("org", "pass-org")
	org.get(base + "/appeals")
	if code, body := org.post(base+"/appeals", url.Values{"csrf": {org.csrf}, "contestant": {""}, "body": {"复核"}}); code != 400 ||
		!strings.Contains(body, "请选择申诉的选手") {
		t.Fatalf("appeal without a contestant: %d\n%s", code, body)
	}
	if code, _ := org.post(base+"/appeals", url.Values{"csrf": {org.csrf}, "contestant": {strconv.FormatInt(sh.ContestantID, 10)},
		"body": {"选手现场提交书面申诉：操作步骤漏评"}}); code != 303 {
		t.Fatalf("record an appeal: %d", code)
	}
	_, body := org.get(base + "/appeals")
	if !strings.Contains(body, "组织者登记") || !strings.Contains(body, `name="sheet" value="`+strconv.FormatInt(sh.ID, 10)+`"`) {
		t.Fatalf("appeals page offers no sheet to re-mark:\n%s", body)
	}
	list, _ := o.st.Appeals(ctx, o.ev.ID)
	decide := base + "/appeals/" + strconv.FormatInt(list[0].ID, 10) + "/decide"
	if code, body := org.post(decide, url.Values{"csrf": {org.csrf}, "outcome": {"remark"}, "reason": {"漏评"}}); code != 400 ||
		!strings.Contains(body, "至少选择一份评分表") {
		t.Fatalf("re-mark without a sheet: %d\n%s", code, body)
	}
	if code, _ := org.post(decide, url.Values{"csrf": {org.csrf}, "outcome": {"remark"}, "reason": {"操作步骤漏评，需复评"},
		"sheet": {strconv.FormatInt(sh.ID, 10)}}); code != 303 {
		t.Fatalf("re-mark: %d", code)
	}
	chief := o.browser()
	chief.login("chief", "pass-chief")
	chief.get(base + "/desk")
	if code, _ := chief.post(base+"/sheets/"+strconv.FormatInt(sh.ID, 10)+"/reopen", url.Values{"csrf": {chief.csrf}, "reason": {"申诉复评"}}); code != 303 {
		t.Fatalf("chief reopens the sheet: %d", code)
	}
	_, body = org.get(base + "/results")
	if !strings.Contains(body, "未锁定 1 份") || !strings.Contains(body, `id="final-refused"`) {
		t.Fatalf("results page during the re-mark:\n%s", body)
	}
}
