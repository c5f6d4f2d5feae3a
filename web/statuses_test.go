package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"skillscore/demo"
	"skillscore/results"
	"skillscore/store"
)

func (o *office) contestant(id int64) store.Contestant {
	o.t.Helper()
	c, err := o.st.Contestant(context.Background(), o.ev.ID, id)
	if err != nil {
		o.t.Fatal(err)
	}
	return c
}

// The chief judge's 取消资格: refused without a reason, refused for other
// statuses, refused to a scorekeeper; nothing changes on a refusal.
func TestChiefDisqualifiesWithReason(t *testing.T) {
	o := newOffice(t)
	cs, err := o.st.Contestants(context.Background(), o.ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	var target store.Contestant
	for _, c := range cs {
		if c.Status == "" {
			target = c
			break
		}
	}
	path := "/api/v1/events/" + demo.EventCode + "/contestants/" + strconv.FormatInt(target.ID, 10) + "/status"
	revision := func() int64 {
		ev, err := o.st.Event(context.Background(), o.ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		return ev.Revision
	}
	unchanged := func(step string, rev int64) {
		t.Helper()
		if c := o.contestant(target.ID); c.Status != "" || c.StatusReason != "" || revision() != rev {
			t.Fatalf("%s changed the contestant: %+v", step, c)
		}
	}

	keeper := o.browser()
	keeper.login("keeper1", "pass-keeper1")
	keeper.get("/events/" + demo.EventCode + "/paper")
	rev := revision()
	if code, body := keeper.post(path, url.Values{"csrf": {keeper.csrf}, "status": {"disqualified"}, "reason": {"作弊"}}); code != http.StatusForbidden {
		t.Fatalf("scorekeeper: %d %s", code, body)
	}
	unchanged("a scorekeeper", rev)

	chief := o.browser()
	chief.login("chief", "pass-chief")
	if code, body := chief.get("/events/" + demo.EventCode + "/desk"); code != 200 || !strings.Contains(body, `id="status-dialog"`) || !strings.Contains(body, "取消资格…") ||
		strings.Contains(body, `value="absent"`) {
		t.Fatalf("desk: %d, no 取消资格 control, or one for 缺考", code)
	}
	if code, body := chief.post(path, url.Values{"csrf": {chief.csrf}, "status": {"disqualified"}, "reason": {"  "}}); code != http.StatusBadRequest || !strings.Contains(body, "取消资格须填写原因") {
		t.Fatalf("without reason: %d %s", code, body)
	}
	unchanged("no reason", rev)
	if code, body := chief.post(path, url.Values{"csrf": {chief.csrf}, "status": {"absent"}}); code != http.StatusForbidden || !strings.Contains(body, "由组织者设置") {
		t.Fatalf("chief sets 缺考: %d %s", code, body)
	}
	unchanged("chief's 缺考", rev)
	if code, body := chief.post(path, url.Values{"csrf": {chief.csrf}, "status": {"disqualified"}, "reason": {"冒名顶替参赛"}}); code != 200 {
		t.Fatalf("with reason: %d %s", code, body)
	}
	if c := o.contestant(target.ID); c.Status != "disqualified" || c.StatusReason != "冒名顶替参赛" || c.StatusBy != "chief" || revision() <= rev {
		t.Fatalf("after 取消资格: %+v", c)
	}
	if _, body := chief.get("/events/" + demo.EventCode + "/desk"); !strings.Contains(body, "冒名顶替参赛") {
		t.Fatal("desk does not show the status's reason")
	}
	// The organizer may clear it (the roster page's dialog: statuses_browser_test.go).
	org := o.browser()
	org.login("org", "pass-org")
	if code, body := org.get("/events/" + demo.EventCode + "/desk"); code != 200 || !strings.Contains(body, `value="ineligible"`) {
		t.Fatalf("the organizer's desk offers no 不参与评奖: %d", code)
	}
	if code, body := org.post(path, url.Values{"csrf": {org.csrf}, "status": {"clear"}}); code != 200 {
		t.Fatalf("organizer clears: %d %s", code, body)
	}
	if c := o.contestant(target.ID); c.Status != "" {
		t.Fatalf("not cleared: %+v", c)
	}
}

// The demo has one 缺考 and one 不参与评奖 contestant; the results say so
// with the reasons, and the leaderboard shows 缺考 where there is no score.
func TestDemoStatusesShown(t *testing.T) {
	o := newOffice(t)
	ctx := context.Background()
	snap, err := o.st.Snapshot(ctx, o.ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	st, err := results.Compute(snap)
	if err != nil {
		t.Fatal(err)
	}
	absent, ineligible := snap.Contestants[demo.Absent], snap.Contestants[demo.Ineligible]
	if absent.Status != "absent" || ineligible.Status != "ineligible" || ineligible.StatusReason != demo.IneligibleReason {
		t.Fatalf("demo statuses: %+v %+v", absent, ineligible)
	}
	for _, c := range st.Result.Contestants {
		switch c.ID {
		case results.Key(absent.ID):
			if c.Rank != 0 || c.StatusName != "缺考" || results.TotalText(c, results.Fixed2) != "缺考" {
				t.Errorf("absent: %+v", c)
			}
			if !results.ModuleAbsent(c.Modules[0]) && !results.ModuleAbsent(c.Modules[len(c.Modules)-1]) {
				t.Errorf("the theory module is not marked 缺考: %+v", c.Modules)
			}
		case results.Key(ineligible.ID):
			if c.Rank == 0 || c.Award != "" || c.Promotion != nil || len(c.Titles) > 0 || results.AwardText(c) != "不参与评奖" || c.StatusReason != demo.IneligibleReason {
				t.Errorf("ineligible: %+v", c)
			}
		}
	}
	for _, g := range st.Result.Groups {
		if g.Code == "student" && (g.Ranked != g.Contestants-1 || g.AwardBase != g.Contestants-1) {
			t.Errorf("student group counts the absent contestant: %+v", g)
		}
	}
	anon := o.browser()
	code, body := anon.get("/events/" + demo.EventCode + "/leaderboard")
	if code != 200 || !strings.Contains(body, `<td class="num total">缺考</td>`) ||
		!strings.Contains(body, `不参与评奖<small class="status-note">`+demo.IneligibleReason+`</small>`) {
		t.Fatalf("leaderboard: %d, no 缺考 or no 不参与评奖 with its reason", code)
	}
}
