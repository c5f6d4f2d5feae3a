package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"skillscore/demo"
	"skillscore/signkeys"
)

// TestOrganizerResetsSigningKeyAndRequiresIt: the judges page shows each
// judge's signing key by fingerprint, never a secret; the organizer resets
// one with a reason (audited, the judge has none afterwards) and switches
// the event's requirement; a chief judge may do neither.
func TestOrganizerResetsSigningKeyAndRequiresIt(t *testing.T) {
	o := newOffice(t)
	ctx := context.Background()
	js, _ := o.st.Judges(ctx, o.ev.ID)
	j := js[0]
	sealed, err := signkeys.New("wo de mi ma")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := o.st.SetJudgeSigningKey(ctx, j.ID, sealed, "judge:"+strconv.FormatInt(j.ID, 10)); err != nil {
		t.Fatal(err)
	}
	page := "/events/" + demo.EventCode + "/judges"
	reset := page + "/" + strconv.FormatInt(j.ID, 10) + "/signing-key/reset"
	setting := "/events/" + demo.EventCode + "/judge-signing"

	chief := o.browser()
	chief.login("chief", "pass-chief")
	chief.get("/events/" + demo.EventCode + "/desk")
	if status, _ := chief.post(reset, url.Values{"csrf": {chief.csrf}, "reason": {"忘记"}}); status != http.StatusForbidden {
		t.Fatalf("a chief judge resets a signing key: %d", status)
	}
	if status, _ := chief.post(setting, url.Values{"csrf": {chief.csrf}, "required": {"1"}}); status != http.StatusForbidden {
		t.Fatalf("a chief judge changes the setting: %d", status)
	}

	org := o.browser()
	org.login("org", "pass-org")
	status, body := org.get(page)
	if status != 200 || !strings.Contains(body, sealed.KeyID) || !strings.Contains(body, "本人签名密码<strong>可选</strong>") {
		t.Fatalf("judges page: %d, key %s shown: %v", status, sealed.KeyID, strings.Contains(body, sealed.KeyID))
	}
	if status, body = org.post(reset, url.Values{"csrf": {org.csrf}, "reason": {""}}); status != http.StatusBadRequest || !strings.Contains(body, "重置原因") {
		t.Fatalf("reset without a reason: %d", status)
	}
	if status, _ = org.post(reset, url.Values{"csrf": {org.csrf}, "reason": {"裁判忘记签名密码"}}); status != http.StatusSeeOther {
		t.Fatalf("reset: %d", status)
	}
	if _, err := o.st.JudgeSigningKey(ctx, j.ID); err == nil {
		t.Fatal("the judge still has a key after the reset")
	}
	org.get(page)
	if status, _ = org.post(setting, url.Values{"csrf": {org.csrf}, "required": {"yes"}}); status != http.StatusBadRequest {
		t.Fatalf("a bad setting: %d", status)
	}
	if status, _ = org.post(setting, url.Values{"csrf": {org.csrf}, "required": {"1"}}); status != http.StatusSeeOther {
		t.Fatalf("require: %d", status)
	}
	if req, _ := o.st.JudgeSigningRequired(ctx, o.ev.ID); !req {
		t.Fatal("the setting did not stick")
	}
	_, body = org.get(page + "?msg=judge-signing-required")
	if !strings.Contains(body, "已要求裁判使用本人签名密码") || !strings.Contains(body, "<strong>要求</strong>") {
		t.Fatal("the page does not show the requirement")
	}
	trail, err := o.st.AuditFor(ctx, o.ev.ID, "", "org")
	if err != nil {
		t.Fatal(err)
	}
	var acts []string
	for _, e := range trail {
		acts = append(acts, e.Action)
	}
	if s := strings.Join(acts, " "); !strings.Contains(s, "judge.signing_key_reset") || !strings.Contains(s, "event.judge_signing") {
		t.Fatalf("audit of the organizer: %s", s)
	}
}
