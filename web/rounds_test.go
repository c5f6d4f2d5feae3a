package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"skillscore/demo"
	"skillscore/store"
)

// roundsEvent adds a two-round event to the office's store with the 预赛
// marked and not yet confirmed.
func roundsEvent(t *testing.T, o *office) store.Event {
	t.Helper()
	ev, err := demo.CreateRounds(context.Background(), o.st, "jx-rounds-test", "chief", false)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// TestRoundsConfirmRefusesAChangedList: the confirm form carries the list
// the chief saw; a different one (the marks changed since) is refused with
// nothing stored, and a keeper may not confirm at all.
func TestRoundsConfirmRefusesAChangedList(t *testing.T) {
	o := newOffice(t)
	ev := roundsEvent(t, o)
	k := o.browser()
	k.login("keeper1", "pass-keeper1")
	if code, _ := k.get("/events/" + ev.Code + "/rounds"); code != 403 {
		t.Fatalf("keeper on the rounds page: %d", code)
	}
	b := o.browser()
	b.login("chief", "pass-chief")
	code, body := b.get("/events/" + ev.Code + "/rounds")
	if code != 200 || !strings.Contains(body, "晋级决赛（前 6 名）") || !strings.Contains(body, "未进入前 6 名") {
		t.Fatalf("rounds page: %d\n%s", code, body)
	}
	if code, _ := b.post("/events/"+ev.Code+"/rounds/prelim/confirm", url.Values{"csrf": {b.csrf}, "advancing": {"1,2"}}); code != 409 {
		t.Fatalf("confirm a stale list: %d", code)
	}
	rs, _ := o.st.Rounds(context.Background(), ev.ID)
	if rs[0].Status != store.RoundOpen || len(rs[1].Entries) != 0 {
		t.Fatalf("a refused confirmation changed the rounds: %+v", rs)
	}
}
