package web_test

import (
	"context"
	"encoding/json"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"skillscore/demo"
	"skillscore/store"
	"skillscore/web"
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
	// A sheet of the 预赛 reopened: the right list is refused too until it is submitted again.
	sheets, _ := o.st.Sheets(context.Background(), ev.ID)
	if _, _, err := o.st.SetSheetStatus(context.Background(), ev.ID, sheets[0].ID, "open", "复核", "chief"); err != nil {
		t.Fatal(err)
	}
	list := regexp.MustCompile(`name="advancing" value="([^"]*)"`).FindStringSubmatch(body)
	if code, body := b.post("/events/"+ev.Code+"/rounds/prelim/confirm", url.Values{"csrf": {b.csrf}, "advancing": {list[1]}}); code != 409 ||
		!strings.Contains(body, "预赛还有 1 份评分表未提交") {
		t.Fatalf("confirm with a sheet open: %d\n%s", code, body)
	}
	rs, _ := o.st.Rounds(context.Background(), ev.ID)
	if rs[0].Status != store.RoundOpen || len(rs[1].Entries) != 0 {
		t.Fatalf("a refused confirmation changed the rounds: %+v", rs)
	}
}

// TestDeskListsOnlyEntrantsOfALaterRound: the chief's desk shows every
// contestant in the 预赛's module and only the finalists, at the stations
// of the 决赛's draw, in the 决赛's; the rounds page shows the recorded draw
// and, marks being in, no redraw and (last round) no confirmation.
func TestDeskListsOnlyEntrantsOfALaterRound(t *testing.T) {
	o := newOffice(t)
	ctx := context.Background()
	ev, err := demo.CreateRounds(ctx, o.st, demo.RoundsCode, "chief", true)
	if err != nil {
		t.Fatal(err)
	}
	rs, _ := o.st.Rounds(ctx, ev.ID)
	station := map[string]string{}
	for _, e := range rs[1].Entries {
		station[*e.Code] = *e.Station
	}
	b := o.browser()
	b.login("chief", "pass-chief")
	code, body := b.get("/api/v1/events/" + ev.Code + "/desk")
	var d web.Desk
	if err := json.Unmarshal([]byte(body), &d); code != 200 || err != nil {
		t.Fatalf("desk: %d %v", code, err)
	}
	rows := map[string]int{}
	for _, m := range d.Modules {
		rows[m.Code] = len(m.Rows)
		if m.Code == "F1" {
			for _, r := range m.Rows {
				if s, ok := station[r.Contestant]; !ok || s != r.Station {
					t.Fatalf("final row %+v: entrant %v at %q", r, ok, s)
				}
			}
		}
	}
	if rows["P"] != 10 || rows["F1"] != len(rs[1].Entries) || rows["F2"] != len(rs[1].Entries) {
		t.Fatalf("desk rows per module %v, %d finalists", rows, len(rs[1].Entries))
	}
	// With the final's marks coming in, its draw is shown but offers no redraw.
	code, body = b.get("/events/" + ev.Code + "/rounds")
	if code != 200 || strings.Contains(body, "draw-round") || !strings.Contains(body, `<code class="seed">`+demo.RoundsSeed) ||
		!strings.Contains(body, "职工组") || strings.Contains(body, "confirm-round") || !strings.Contains(body, "含带入预赛成绩") ||
		!strings.Contains(body, "名次 10：预赛第 10 名") {
		t.Fatalf("rounds page of the final under way: %d\n%s", code, body)
	}
}
