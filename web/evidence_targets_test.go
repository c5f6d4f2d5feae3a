package web_test

import (
	"context"
	"fmt"
	"html"
	"regexp"
	"strings"
	"testing"
	"time"

	"skillscore/arbitration"
	"skillscore/incidents"
	"skillscore/internal/testenv"
	"skillscore/store"
)

// evidenceTargets records, in the demo event, one 赛场记录 entry and one
// on-site 仲裁 case (through the store, as the pages do).
func (o *evidenceOffice) evidenceTargets() (store.Incident, arbitration.Case) {
	t := o.t
	t.Helper()
	ctx := context.Background()
	sched, err := o.st.Schedule(ctx, o.ev.ID)
	if err != nil || len(sched) == 0 || len(sched[0].Rows) == 0 {
		t.Fatalf("demo schedule: %v", err)
	}
	inc, err := o.st.RecordIncident(ctx, store.NewIncident{EventID: o.ev.ID, Session: sched[0].Code, Station: sched[0].Rows[0].Station,
		Actor: "chief", EnteredName: "chief", EnteredRole: "chief",
		Input: incidents.Input{Kind: incidents.Equipment, Occurred: "09:20", AddedMin: 4, Description: "血压计读数异常，更换设备"}})
	if err != nil {
		t.Fatal(err)
	}
	mods, err := o.st.Modules(ctx, o.ev.ID)
	if err != nil || len(mods) == 0 {
		t.Fatalf("modules: %v", err)
	}
	c, err := o.st.FileArbitration(ctx, o.ev.ID, arbitration.Filing{Kind: arbitration.KindEquipment, ModuleID: mods[len(mods)-1].ID,
		AppellantRole: arbitration.ByLeader, Appellant: "王领队", Facts: "3 号工位护理床升降故障，耽误约 5 分钟。"}, "org")
	if err != nil {
		t.Fatal(err)
	}
	return inc, c
}

// decideCase hears and decides the 仲裁 case: publication waits for every
// on-site case to be decided.
func (o *evidenceOffice) decideCase(c arbitration.Case) {
	t := o.t
	t.Helper()
	ctx := context.Background()
	if err := o.st.RecordHearing(ctx, o.ev.ID, c.ID, arbitration.Hearing{HeardAt: time.Now(), Heard: "王领队；3 号工位裁判", Findings: "护理床升降故障属实，已补时"}, "arb"); err != nil {
		t.Fatal(err)
	}
	if err := o.st.DecideArbitration(ctx, o.ev.ID, c.ID, arbitration.Decision{Outcome: arbitration.StatusRejected, Reasons: "故障已按规定补时，不影响成绩"}, "arb"); err != nil {
		t.Fatal(err)
	}
}

var evidenceHref = regexp.MustCompile(`href="(/events/[^"]*/evidence\?kind=[a-z]+&amp;target=\d+)"`)

// links are the evidence links a page shows, unescaped.
func evidenceLinks(body string) []string {
	var out []string
	for _, m := range evidenceHref.FindAllStringSubmatch(body, -1) {
		out = append(out, html.UnescapeString(m[1]))
	}
	return out
}

func hasLink(links []string, want string) bool {
	for _, l := range links {
		if l == want {
			return true
		}
	}
	return false
}

// TestEvidenceOnIncidentsAndCases: the incidents page links each entry to
// its evidence, the 仲裁 case page its case, the appeals page both kinds of
// appeal; following the link, the chief attaches a photo to an incident
// and the 仲裁 to a case; 裁判长, 监督, 仲裁 and the organizer see them, an
// observer and another event's chief do not, and an incident or case id
// posted against another event is not found there.
func TestEvidenceOnIncidentsAndCases(t *testing.T) {
	o := newEvidenceOffice(t)
	ctx := context.Background()
	code := o.ev.Code
	inc, c := o.evidenceTargets()
	incLink := fmt.Sprintf("/events/%s/evidence?kind=incident&target=%d", code, inc.ID)
	caseLink := fmt.Sprintf("/events/%s/evidence?kind=arbitration&target=%d", code, c.ID)

	chief := o.as("chief")
	st, body := chief.get("/events/" + code + "/incidents")
	if st != 200 || !hasLink(evidenceLinks(body), incLink) {
		t.Fatalf("incidents page %d: links %v, want %s", st, evidenceLinks(body), incLink)
	}
	st, body = chief.get(incLink)
	if st != 200 || !strings.Contains(body, "赛场记录第 1 号") {
		t.Fatalf("incident's evidence page: %d", st)
	}
	if st, body, _ := chief.attach(code, "incident", inc.ID, "更换下来的血压计", "cuff.jpg", photo(t, 11)); st != 303 {
		t.Fatalf("chief attaches to the incident: %d\n%s", st, body)
	}

	arb := o.as("arb")
	st, body = arb.get(fmt.Sprintf("/events/%s/arbitration/%d", code, c.ID))
	if st != 200 || !hasLink(evidenceLinks(body), caseLink) {
		t.Fatalf("case page %d: links %v, want %s", st, evidenceLinks(body), caseLink)
	}
	arb.get(caseLink)
	if st, body, _ := arb.attach(code, "arbitration", c.ID, "听证时拍的护理床", "bed.jpg", photo(t, 12)); st != 303 {
		t.Fatalf("仲裁 attaches to the case: %d\n%s", st, body)
	}

	// Published (公示) once the case is decided, a 公示 appeal: the appeals
	// page (the organizer's) links both kinds, in the joint list and on the
	// 公示 appeal itself.
	o.decideCase(c)
	testenv.Decrypted(t, o.st, o.ev.ID)
	now := time.Now()
	if _, err := o.st.PublishResults(ctx, o.ev.ID, now.Add(-time.Hour), now.Add(72*time.Hour), "org"); err != nil {
		t.Fatal(err)
	}
	ap, err := o.st.FileAppeal(ctx, o.ev.ID, store.AppealFiling{ContestantID: o.sheet.ContestantID, Body: "对评分有异议"}, "org")
	if err != nil {
		t.Fatal(err)
	}
	apLink := fmt.Sprintf("/events/%s/evidence?kind=appeal&target=%d", code, ap.ID)
	org := o.as("org")
	st, body = org.get("/events/" + code + "/appeals")
	links := evidenceLinks(body)
	n := 0
	for _, l := range links {
		if l == apLink {
			n++
		}
	}
	if st != 200 || !hasLink(links, caseLink) || n != 2 {
		t.Errorf("appeals page %d: links %v, want the case's %s and the 公示 appeal's %s twice", st, links, caseLink, apLink)
	}
	if st, body := org.get(apLink); st != 200 || !strings.Contains(body, "公示申诉") {
		t.Errorf("the 公示 appeal's evidence page: %d", st)
	}

	staff := map[string]*browser{"chief": chief, "arb": arb, "org": org, "mon": o.as("mon")}
	for name, b := range staff {
		if st, body := b.get(incLink); st != 200 || !strings.Contains(body, "更换下来的血压计") || !strings.Contains(body, "赛场记录第 1 号") {
			t.Errorf("%s: incident evidence %d", name, st)
		}
		if st, body := b.get(caseLink); st != 200 || !strings.Contains(body, "听证时拍的护理床") || !strings.Contains(body, "现场仲裁第 1 号") {
			t.Errorf("%s: case evidence %d", name, st)
		}
	}
	x := o.as("chief-x")
	for name, want := range map[string]int{"obs": 403, "keeper": 403, "chief-x": 404} {
		b := x
		if name != "chief-x" {
			b = o.as(name)
		}
		for _, p := range []string{incLink, caseLink} {
			if st, body := b.get(p); st != want || strings.Contains(body, "更换下来的血压计") || strings.Contains(body, "听证时拍的护理床") {
				t.Errorf("%s: %s %d, want %d", name, p, st, want)
			}
		}
	}
	// Another event's incident and case: not found there, nothing stored.
	x.get("/events/jx-other/evidence")
	for kind, id := range map[string]int64{"incident": inc.ID, "arbitration": c.ID} {
		if st, body, _ := x.attach("jx-other", kind, id, "", "x.jpg", photo(t, 13)); st != 404 || !strings.Contains(body, "本赛事没有编号为") {
			t.Errorf("%s %d posted to another event: %d", kind, id, st)
		}
	}
	if rows, files := o.stored(); rows != 2 || files != 2 {
		t.Errorf("stored %d rows, %d files; want 2, 2", rows, files)
	}
}
