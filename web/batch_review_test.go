package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"skillscore/internal/testenv"
	"skillscore/store"
	"skillscore/web"
)

// reviewOffice is the demo office with an assessment batch (two of four
// candidates pass) and a reviewer of that batch, rev (password
// pass-rev), besides org, chief and the keepers.
type reviewOffice struct {
	*office
	batch store.Event
	cs    []store.Contestant
}

func newReviewOffice(t *testing.T) *reviewOffice {
	t.Helper()
	o := newOffice(t)
	ev, cs := testenv.Assessment(t, o.st, "jx-rd-2026-03")
	hash, err := web.HashPassword("pass-rev")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := o.st.CreateUserWithGrant(context.Background(), store.User{Username: "rev", Name: "省职业技能鉴定指导中心 审核员",
		Role: web.RoleReviewer, PasswordHash: hash}, store.Grant{Role: web.RoleReviewer, EventCode: ev.Code}, "test"); err != nil {
		t.Fatal(err)
	}
	return &reviewOffice{office: o, batch: ev, cs: cs}
}

func (o *reviewOffice) as(user string) *browser {
	b := o.browser()
	if code := b.login(user, "pass-"+user); code != 303 {
		o.t.Fatalf("login %s: %d", user, code)
	}
	return b
}

func wantBody(t *testing.T, step string, code int, body string, wantCode int, phrases ...string) {
	t.Helper()
	if code != wantCode {
		t.Fatalf("%s: status %d, want %d\n%s", step, code, wantCode, body)
	}
	for _, p := range phrases {
		if !strings.Contains(body, p) {
			t.Fatalf("%s: the page lacks %q\n%s", step, p, body)
		}
	}
}

// TestBatchReviewPages walks a batch through 公示, 报审, a return with
// reasons, the resubmission and the approval over HTTP, with the
// refusals each role meets on the way.
func TestBatchReviewPages(t *testing.T) {
	o := newReviewOffice(t)
	ctx := context.Background()
	base := "/events/" + o.batch.Code
	org, rev := o.as("org"), o.as("rev")

	code, body := org.get(base + "/batch/review")
	wantBody(t, "before 公示", code, body, 200, "未报审", "尚未公示", "若现在公示", "2026-01-01")
	code, body = org.get(base + "/results")
	wantBody(t, "results page of a batch", code, body, 200, "留空则按本批次 5 个工作日计算", "报审并经监管部门批准")

	// Published from a Monday with no end: five working days.
	code, body = org.post(base+"/results/publish", url.Values{"csrf": {org.csrf}, "start": {"2026-03-02T09:00"}, "end": {""}})
	wantBody(t, "publish", code, body, 303)
	code, body = org.get(base + "/batch/review")
	wantBody(t, "after 公示", code, body, 200, `<span id="pub-end">2026-03-07 00:00</span>`, "共 5 个工作日", "3月2日、3月3日、3月4日、3月5日、3月6日", `id="submit"`)

	// Only a reviewer decides; only the body submits.
	code, body = org.post(base+"/batch/approval/approve", url.Values{"csrf": {org.csrf}})
	wantBody(t, "organizer approves", code, body, 403, "审核员")
	rev.get(base + "/batch/approval")
	code, body = rev.post(base+"/batch/review/submit", url.Values{"csrf": {rev.csrf}})
	wantBody(t, "reviewer submits", code, body, 403)
	code, body = rev.get("/reviews")
	wantBody(t, "nothing waiting", code, body, 200, "暂无待审核的批次")
	code, _ = o.browser().get("/reviews")
	if code != 303 {
		t.Fatalf("/reviews without a login: %d, want the login page", code)
	}
	code, _ = org.get("/reviews")
	if code != 403 {
		t.Fatalf("/reviews by an organizer: %d, want 403", code)
	}

	org.get(base + "/batch/review")
	code, body = org.post(base+"/batch/review/submit", url.Values{"csrf": {org.csrf}})
	wantBody(t, "submit", code, body, 303)
	code, body = rev.get("/reviews")
	wantBody(t, "waiting", code, body, 200, `id="waiting"`, `data-event="`+o.batch.Code+`"`, "养老护理员 · 四级/中级工")
	code, body = rev.get(base + "/batch/approval")
	wantBody(t, "approval page", code, body, 200, "待审核", "共 4 人：合格 <strong>2</strong> 人，不合格 1 人，缺考 1 人",
		o.cs[0].Name, "理论", "实操", `id="approve"`, `id="return"`)
	if strings.Contains(body, o.cs[0].IDNumber) {
		t.Fatal("the reviewer's summary shows a full 证件号码")
	}

	// Returned with reasons, shown to the body.
	code, body = rev.post(base+"/batch/approval/return", url.Values{"csrf": {rev.csrf}, "reason": {"  "}})
	wantBody(t, "return without reason", code, body, 400, "写明原因")
	reason := "张敏的理论成绩与考试系统导出不一致，请核对后重新报审"
	code, body = rev.post(base+"/batch/approval/return", url.Values{"csrf": {rev.csrf}, "reason": {reason}})
	wantBody(t, "return", code, body, 303)
	code, body = org.get(base + "/batch/review")
	wantBody(t, "returned", code, body, 200, `id="returned"`, reason, "重新报审")
	code, body = org.get(base + "/results")
	wantBody(t, "results page of a returned batch", code, body, 200, reason)

	code, body = org.post(base+"/batch/review/submit", url.Values{"csrf": {org.csrf}})
	wantBody(t, "resubmit", code, body, 303)
	rev.get(base + "/batch/approval")
	code, body = rev.post(base+"/batch/approval/approve", url.Values{"csrf": {rev.csrf}})
	wantBody(t, "approve", code, body, 303)
	code, body = rev.get(base + "/batch/approval")
	wantBody(t, "approved", code, body, 200, "已批准", "不能重复审核")
	code, body = rev.post(base+"/batch/approval/approve", url.Values{"csrf": {rev.csrf}})
	wantBody(t, "approve twice", code, body, 409, "不能重复审核")
	code, body = org.get(base + "/batch/review")
	wantBody(t, "approved for the body", code, body, 200, `id="approved"`, "编号并签发职业技能等级证书")

	r, err := o.st.BatchReview(ctx, o.batch.ID)
	if err != nil || r.State != store.ReviewApproved || len(r.Steps) != 4 {
		t.Fatalf("stored review: %+v %v", r.Steps, err)
	}
	// A competition has no 报审.
	if code, _ := org.get("/events/" + o.ev.Code + "/batch/review"); code != 404 {
		t.Fatalf("报审 page of a competition: %d", code)
	}
}
