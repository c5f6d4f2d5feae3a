package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"skillscore/idnumber"
	"skillscore/internal/browsertest"
	"skillscore/store"
)

// lastAudit returns an event's last audit entry.
func lastAudit(t *testing.T, st *store.Store, eventID int64) store.AuditEntry {
	t.Helper()
	trail, err := st.AuditTrail(context.Background(), eventID)
	if err != nil || len(trail) == 0 {
		t.Fatalf("audit trail: %v", err)
	}
	return trail[len(trail)-1]
}

// TestRevealNeedsAReasonAndIsAudited: the roster page shows nobody's full
// number; the reveal API refuses without a reason, for another event's
// person and for a chief judge, and otherwise answers with the numbers after
// recording who saw whose and why.
func TestRevealNeedsAReasonAndIsAudited(t *testing.T) {
	o := newRosterOffice(t)
	ctx := context.Background()
	people, err := o.st.Contestants(ctx, o.demo.ID)
	if err != nil || len(people) == 0 {
		t.Fatalf("demo roster: %v", err)
	}
	org := (&certOffice{t: t, srv: o.srv}).browser()
	if code := org.login("org", "pass-org"); code != 303 {
		t.Fatalf("login: %d", code)
	}
	code, page := org.get("/events/" + o.demo.Code + "/roster")
	if code != 200 {
		t.Fatalf("roster page: %d", code)
	}
	for _, p := range people {
		if strings.Contains(page, p.IDNumber) || p.Phone != "" && strings.Contains(page, p.Phone) {
			t.Fatalf("the roster page shows %s's full number", p.Name)
		}
		if !strings.Contains(page, idnumber.Mask(p.IDNumber)) {
			t.Fatalf("the roster page lacks %s's masked number", p.Name)
		}
	}
	before := lastAudit(t, o.st, o.demo.ID)
	reveal := func(b *browser, event string, id int64, reason string) (int, map[string]any) {
		t.Helper()
		code, body := b.post(fmt.Sprintf("/api/v1/events/%s/contestants/%d/reveal", event, id),
			url.Values{"csrf": {b.csrf}, "reason": {reason}, "page": {"roster"}})
		var out map[string]any
		json.Unmarshal([]byte(body), &out)
		return code, out
	}
	p := people[0]
	if code, body := reveal(org, o.demo.Code, p.ID, "  "); code != 400 || !strings.Contains(fmt.Sprint(body), "原因") {
		t.Errorf("reveal without a reason: %d %v", code, body)
	}
	if code, _ := reveal(org, o.ev.Code, p.ID, "核对"); code != 404 {
		t.Errorf("reveal of another event's person: %d", code)
	}
	if got := lastAudit(t, o.st, o.demo.ID); got.ID != before.ID {
		t.Fatalf("a refused reveal was audited: %+v", got)
	}
	code, body := reveal(org, o.demo.Code, p.ID, "核对选手身份")
	if code != 200 || body["id_number"] != p.IDNumber || body["phone"] != p.Phone {
		t.Fatalf("reveal: %d %v", code, body)
	}
	e := lastAudit(t, o.st, o.demo.ID)
	want := fmt.Sprintf(`{"contestants":[%d],"count":1,"reason":"核对选手身份"}`, p.ID)
	if e.Action != "personal.reveal" || e.Actor != "org" || e.Subject != "roster" || e.Detail != want {
		t.Errorf("audit entry %+v, want detail %s", e, want)
	}
	chief := (&certOffice{t: t, srv: o.srv}).browser()
	chief.login("chief", "pass-chief")
	chief.get("/")
	if code, _ := reveal(chief, o.demo.Code, p.ID, "看看"); code != 403 {
		t.Errorf("a chief judge's reveal: %d", code)
	}
}

// TestRevealInBrowser: the organizer taps 查看, is asked why (an empty
// choice is refused in the dialog), and sees that row's numbers in full.
func TestRevealInBrowser(t *testing.T) {
	o := newRosterOffice(t)
	people, err := o.st.Contestants(context.Background(), o.demo.ID)
	if err != nil {
		t.Fatal(err)
	}
	ctx := browsertest.New(t, 1024, 768)
	err = chromedp.Do(ctx,
		chromedp.Navigate(o.srv.URL+"/events/"+o.demo.Code+"/roster"),
		chromedp.WaitVisible(chromedp.CSS(`input[name=username]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	browsertest.Navigates(t, ctx,
		chromedp.SendKeys(chromedp.CSS(`input[name=username]`), "org"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "pass-org"),
		chromedp.Submit(chromedp.CSS(`input[name=password]`)),
	)
	browsertest.Shows(t, ctx, `#roster`)
	// The dialog and its answer are the page's own (fetch): no page load.
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#roster tbody tr:nth-child(2) button.reveal`)),
		chromedp.WaitVisible(chromedp.CSS(`#reveal-dialog`)),
		chromedp.Click(chromedp.CSS(`#reveal-ok`)),
		chromedp.WaitVisible(chromedp.CSS(`#reveal-error`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if msg := browsertest.Eval[string](t, ctx, `document.getElementById('reveal-error').innerText`); !strings.Contains(msg, "原因") {
		t.Fatalf("empty reason: %q", msg)
	}
	p := people[1]
	err = chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS(`#reveal-reason`), "回复选手本人查询"),
		chromedp.SendKeys(chromedp.CSS(`#reveal-note`), "电话来询"),
		chromedp.Click(chromedp.CSS(`#reveal-ok`)),
		chromedp.WaitVisible(chromedp.CSS(`#roster tbody tr:nth-child(2) .revealed`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	got := browsertest.Eval[string](t, ctx, `document.querySelector('#roster tbody tr:nth-child(2) .id').innerText`)
	if !strings.Contains(got, p.IDNumber) {
		t.Errorf("revealed cell %q, want %s", got, p.IDNumber)
	}
	if others := browsertest.Eval[int](t, ctx, `document.querySelectorAll('#roster .revealed').length`); others != 2 {
		t.Errorf("%d cells revealed, want that row's number and phone", others)
	}
	e := lastAudit(t, o.st, o.demo.ID)
	if e.Action != "personal.reveal" || !strings.Contains(e.Detail, "回复选手本人查询：电话来询") || !strings.Contains(e.Detail, fmt.Sprintf("[%d]", p.ID)) {
		t.Errorf("audit entry %+v", e)
	}
}
