package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// TestRecheckRoles: only the 监督 draws, gives verdicts and signs off;
// only the chief judge (or the organizer) corrects; only the organizer
// changes the settings, and not once the 复核 has started; every refusal
// stores nothing.
func TestRecheckRoles(t *testing.T) {
	o := newRecheckOffice(t)
	ctx := context.Background()
	base := "/events/" + o.ev.Code + "/recheck"
	login := func(user string) *browser {
		t.Helper()
		b := o.browser()
		if code := b.login(user, "pass-"+user); code != http.StatusSeeOther {
			t.Fatalf("login %s: %d", user, code)
		}
		if code, _ := b.get(base); code != 200 {
			t.Fatalf("%s reads the page: %d", user, code)
		}
		return b
	}
	org, chief, mon := login("org"), login("chief"), login("mon")
	for who, b := range map[string]*browser{"org": org, "chief": chief} {
		if code, body := b.post(base+"/start", url.Values{"csrf": {b.csrf}}); code != http.StatusForbidden || who == "org" && !strings.Contains(body, "只有本赛事的监督") {
			t.Errorf("%s starts the 复核: %d", who, code)
		}
	}
	if _, _, err := o.st.Recheck(ctx, o.ev.ID); err == nil {
		t.Fatal("a refused start stored a round")
	}
	// Settings: the organizer's, bounded and exact.
	if code, body := org.post(base+"/settings", url.Values{"csrf": {org.csrf}, "required": {"1"}, "top_n": {"3"},
		"sample_pct": {"12.5"}, "escalation_pct": {"5"}}); code != http.StatusSeeOther {
		t.Fatalf("settings: %d %s", code, body)
	}
	if code, body := org.post(base+"/settings", url.Values{"csrf": {org.csrf}, "top_n": {"3"}, "sample_pct": {"0.1234567"},
		"escalation_pct": {"5"}}); code != http.StatusBadRequest || !strings.Contains(body, "抽样比例须为百分数") {
		t.Fatalf("bad percent: %d", code)
	}
	if code, _ := mon.post(base+"/settings", url.Values{"csrf": {mon.csrf}, "top_n": {"1"}, "sample_pct": {"1"}, "escalation_pct": {"50"}}); code != http.StatusForbidden {
		t.Fatalf("monitor changes the settings: %d", code)
	}
	set, _ := o.st.RecheckSettings(ctx, o.ev.ID)
	if !set.Required || set.TopN != 3 || set.SamplePercent.String() != "12.5" {
		t.Fatalf("settings: %+v", set)
	}
	if code, _ := mon.post(base+"/start", url.Values{"csrf": {mon.csrf}}); code != http.StatusSeeOther {
		t.Fatalf("monitor starts: %d", code)
	}
	_, items, err := o.st.Recheck(ctx, o.ev.ID)
	if err != nil || len(items) == 0 {
		t.Fatal(items, err)
	}
	item := base + "/items/" + recheckItemID(items[0].ID)
	for who, b := range map[string]*browser{"org": org, "chief": chief} {
		if code, _ := b.post(item, url.Values{"csrf": {b.csrf}, "verdict": {"confirmed"}}); code != http.StatusForbidden {
			t.Errorf("%s gives a verdict: %d", who, code)
		}
		if code, _ := b.post(base+"/signoff", url.Values{"csrf": {b.csrf}}); code != http.StatusForbidden {
			t.Errorf("%s signs off: %d", who, code)
		}
	}
	if code, _ := mon.post(item, url.Values{"csrf": {mon.csrf}, "verdict": {"flagged"}, "category": {"rule"}, "note": {"扣分项适用错误"}}); code != http.StatusSeeOther {
		t.Fatalf("monitor flags: %d", code)
	}
	if code, _ := mon.post(item+"/correct", url.Values{"csrf": {mon.csrf}, "reason": {"我来改"}}); code != http.StatusForbidden {
		t.Errorf("monitor corrects: %d", code)
	}
	if code, body := chief.post(item+"/correct", url.Values{"csrf": {chief.csrf}, "reason": {"  "}}); code != http.StatusBadRequest || !strings.Contains(body, "更正须填写原因") {
		t.Errorf("correction without reason: %d", code)
	}
	if _, items, _ = o.st.Recheck(ctx, o.ev.ID); items[0].CorrectedAt.Valid() {
		t.Fatal("a refused correction was stored")
	}
	if code, body := org.post(base+"/settings", url.Values{"csrf": {org.csrf}, "top_n": {"1"}, "sample_pct": {"15"}, "escalation_pct": {"5"}}); code != http.StatusConflict || !strings.Contains(body, "已经开始") {
		t.Errorf("settings after the start: %d", code)
	}
	if code, body := org.post("/events/"+o.ev.Code+"/results/publish", url.Values{"csrf": {org.csrf}, "start": {"2026-05-01T09:00"}, "end": {"2026-05-06T09:00"}}); code == http.StatusSeeOther || !strings.Contains(body, "成绩复核尚未完成") {
		t.Errorf("publish during the 复核: %d", code)
	}
}

// TestNewCompetitionRequiresRecheck: an event made on the set-up page gets
// the defaults, the 复核 required for a competition only.
func TestNewCompetitionRequiresRecheck(t *testing.T) {
	o := newOffice(t)
	org := o.browser()
	if code := org.login("org", "pass-org"); code != http.StatusSeeOther {
		t.Fatal(code)
	}
	org.get("/events/new")
	for code, kind := range map[string]string{"jx-second-2027": "competition", "jx-rd-2027": "assessment"} {
		if status, body := org.post("/events/new", url.Values{"csrf": {org.csrf}, "preset": {"scratch"}, "code": {code},
			"name": {"新赛事"}, "kind": {kind}, "occupation": {"养老护理员"}, "year": {"2027"}}); status != http.StatusSeeOther {
			t.Fatalf("%s: %d\n%s", code, status, body)
		}
		ev, err := o.st.EventByCode(context.Background(), code)
		if err != nil {
			t.Fatal(err)
		}
		set, err := o.st.RecheckSettings(context.Background(), ev.ID)
		if err != nil || set.Required != (kind == "competition") || set.TopN != 10 || set.SamplePercent.String() != "15" || set.EscalationPercent.String() != "5" {
			t.Errorf("%s: %+v %v", kind, set, err)
		}
	}
}

func recheckItemID(n int64) string { return strconv.FormatInt(n, 10) }
