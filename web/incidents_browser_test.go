package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"skillscore"
	"skillscore/incidents"
	"skillscore/internal/browsertest"
	"skillscore/internal/testenv"
	"skillscore/judges"
	"skillscore/store"
	"skillscore/templates"
	"skillscore/web"
)

// incidentOffice is the demo event with its staff, a 监督, a 仲裁 and an
// observer, served with the judges' service.
type incidentOffice struct {
	office
	svc *judges.Service
}

func newIncidentOffice(t *testing.T) *incidentOffice {
	t.Helper()
	st, ev := testenv.Demo(t)
	addStaff(t, st, "org", "chief", "keeper1")
	for name, role := range map[string]string{"mon": web.RoleMonitor, "arb": web.RoleArbiter, "obs": web.RoleObserver} {
		hash, err := web.HashPassword("pass-" + name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.CreateUserWithGrant(context.Background(), store.User{Username: name, Name: name, Role: role, PasswordHash: hash},
			store.Grant{Role: role, EventCode: ev.Code}, "test"); err != nil {
			t.Fatal(err)
		}
	}
	tmpl, err := templates.New()
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := judges.New(st, judges.Config{Logger: log})
	t.Cleanup(svc.Close)
	srv := httptest.NewServer(web.New(web.Config{Store: st, Templates: tmpl, Logger: log, Judges: svc, Judging: st}))
	t.Cleanup(srv.Close)
	return &incidentOffice{office: office{t: t, st: st, srv: srv, ev: ev}, svc: svc}
}

func (o *incidentOffice) as(name string) *browser {
	b := o.browser()
	if code := b.login(name, "pass-"+name); code != http.StatusSeeOther {
		o.t.Fatalf("login %s: %d", name, code)
	}
	return b
}

// TestIncidentOnTabletInBrowser: a judge on the 10-inch tablet opens 赛场记录
// from the list with one button, enters an equipment fault with time
// added at one of their stations, the contestant types a wrong last 4
// (refused, counted) and then the right one on the PIN pad; the entry
// shows as acknowledged on the tablet, on the chief's page and, as time
// added, on the session's 检录 page. A station the judge does not score is
// refused with nothing stored.
func TestIncidentOnTabletInBrowser(t *testing.T) {
	o := newIncidentOffice(t)
	ctx := context.Background()
	js, err := o.st.Judges(ctx, o.ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	judge := js[0]
	stations, err := o.st.IncidentStations(ctx, judge.ID)
	if err != nil || len(stations) == 0 {
		t.Fatalf("%s has no stations in the demo's sessions: %v", judge.Code, err)
	}
	at := stations[len(stations)-1]
	c, err := o.st.Contestant(ctx, o.ev.ID, at.ContestantID)
	if err != nil {
		t.Fatal(err)
	}
	right := c.IDNumber[len(c.IDNumber)-4:]
	wrong := "0000"
	if wrong == right {
		wrong = "1111"
	}

	login, err := o.svc.IssueLogin(ctx, judge.ID, "organizer")
	if err != nil {
		t.Fatal(err)
	}
	root := browsertest.NewWithin(t, 1024, 768, 150*time.Second)
	b := browsertest.Device(t, root, 1024, 768)
	browsertest.Navigates(t, b, chromedp.Navigate(o.srv.URL+"/judge?t="+login.Ticket))
	browsertest.WaitTrue(t, b, `document.querySelector('#pinpad button')`)
	typePad(t, b, login.PIN)
	tap(t, b, `#login-go`)
	browsertest.WaitTrue(t, b, `document.getElementById('sync').textContent === '已同步' && !document.getElementById('list').hidden`)
	screenshot(t, b, "incident-tablet-list-1024x768.png")

	before := time.Now().In(skillscore.China()).Format("15:04")
	tap(t, b, `#incident-open`)
	// The form proposes the venue's clock, whatever the tablet's zone
	// (this browser runs in the machine's, UTC here).
	if got, after := browsertest.Eval[string](t, b, `document.getElementById('inc-time').value`), time.Now().In(skillscore.China()).Format("15:04"); got != before && got != after {
		t.Fatalf("the incident time proposed is %s, want China time %s", got, before)
	}
	station := `#inc-stations button[data-session="` + at.Session + `"][data-station="` + at.Station + `"]`
	tap(t, b, station)
	tap(t, b, `#inc-kinds button[data-kind=equipment]`)
	browsertest.WaitTrue(t, b, `!document.getElementById('inc-added').hidden`)
	typeInto(t, b, `#inc-min`, "5")
	typeInto(t, b, `#inc-sec`, "30")
	typeInto(t, b, `#inc-desc`, "护理床升降摇杆卡死，更换备用床位")
	screenshot(t, b, "incident-tablet-form-1024x768.png")
	// Every target of the form is finger-sized.
	small := browsertest.Eval[[]string](t, b, `[...document.querySelectorAll('#incident button, #incident input, #incident textarea')]
		.filter(e => e.getClientRects().length && e.getBoundingClientRect().height < 44).map(e => e.id || e.textContent.trim())`)
	if len(small) > 0 {
		t.Errorf("targets under 44 px: %v", small)
	}
	if sw := browsertest.Eval[int](t, b, `document.documentElement.scrollWidth`); sw > 1024 {
		t.Errorf("the form is %d px wide on a 1024 px tablet", sw)
	}
	tap(t, b, `#inc-save`)
	browsertest.WaitTrue(t, b, `!document.getElementById('inc-ack').hidden`)
	if s := browsertest.Eval[string](t, b, `document.getElementById('inc-summary').textContent`); !strings.Contains(s, "补时 5 分 30 秒") || strings.Contains(s, c.Name) {
		t.Errorf("the acknowledgment shows %q", s)
	}
	pin := func(digits string) {
		t.Helper()
		for _, d := range digits {
			tap(t, b, `#inc-pad button[data-key="`+string(d)+`"]`)
		}
		tap(t, b, `#inc-ack-go`)
	}
	pin(wrong)
	browsertest.WaitTrue(t, b, `document.getElementById('inc-ack-error').textContent.indexOf('还可再试 4 次') >= 0`)
	screenshot(t, b, "incident-tablet-pin-1024x768.png")
	all, _ := o.st.Incidents(ctx, o.ev.ID, "")
	if len(all) != 1 || all[0].Ack != incidents.Pending || all[0].AckFailures != 1 {
		t.Fatalf("after a wrong last 4: %+v", all)
	}
	pin(right)
	browsertest.WaitTrue(t, b, `document.getElementById('inc-ack').hidden && document.querySelector('#inc-list [data-ack=pin]')`)
	screenshot(t, b, "incident-tablet-done-1024x768.png")
	all, _ = o.st.Incidents(ctx, o.ev.ID, "")
	e := all[0]
	if len(all) != 1 || e.Ack != incidents.PIN || e.AddedSeconds != 330 || e.EnteredRole != "judge" || e.EnteredName != judge.Name ||
		e.Session != at.Session || e.Station != at.Station || e.ContestantID != c.ID {
		t.Fatalf("stored: %+v", all)
	}

	// A station the judge does not score: refused before the store.
	token := browsertest.Eval[string](t, b, `window.__tablet.token`)
	req, _ := http.NewRequest("POST", o.srv.URL+"/api/v1/judge/incidents",
		strings.NewReader(`{"session":"`+at.Session+`","station":"99","kind":"breach","occurred":"09:00","description":"x"}`))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("another station: %d", resp.StatusCode)
	}
	if all, _ = o.st.Incidents(ctx, o.ev.ID, ""); len(all) != 1 {
		t.Fatalf("refused entry stored: %d entries", len(all))
	}

	// The chief's page, in the same browser.
	chief := browsertest.Device(t, root, 1024, 768)
	browsertest.Navigates(t, chief, chromedp.Navigate(o.srv.URL+"/events/"+o.ev.Code+"/incidents?s="+at.Session))
	browsertest.Navigates(t, chief,
		chromedp.SendKeys(chromedp.CSS(`input[name=username]`), "chief"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "pass-chief"),
		chromedp.Submit(chromedp.CSS(`input[name=password]`)),
	)
	row := `document.querySelector('#i` + strconv.FormatInt(e.ID, 10) + `')`
	browsertest.WaitTrue(t, chief, row)
	text := browsertest.Eval[string](t, chief, row+`.innerText`)
	for _, want := range []string{"设备故障补时", "5 分 30 秒", "护理床升降摇杆卡死", "选手已在平板确认", c.Name, judge.Name} {
		if !strings.Contains(text, want) {
			t.Errorf("chief's row lacks %q: %q", want, text)
		}
	}
	if n := browsertest.Eval[int](t, chief, row+`.querySelectorAll('button.paper, button.refused').length`); n != 0 {
		t.Errorf("an acknowledged entry offers %d answers", n)
	}
	if sw := browsertest.Eval[int](t, chief, `document.documentElement.scrollWidth`); sw > 1024 {
		t.Errorf("the chief's page is %d px wide on a 1024 px tablet", sw)
	}
	screenshot(t, chief, "incident-chief-1024x768.png")
	// The session's 检录 page shows the time added beside the contestant.
	browsertest.Navigates(t, chief, chromedp.Navigate(o.srv.URL+"/events/"+o.ev.Code+"/checkin?s="+at.Session))
	added := `document.querySelector('#entries tr[data-contestant="` + strconv.FormatInt(c.ID, 10) + `"] td.added').textContent.trim()`
	if got := browsertest.Eval[string](t, chief, added); got != "＋5 分 30 秒" {
		t.Errorf("检录 page's time added: %q", got)
	}
	screenshot(t, chief, "incident-checkin-1024x768.png")
}

// TestIncidentsPageRolesAndPDF: the chief enters a rule breach on the
// page (a bad entry refused with the form kept, nothing stored), marks it
// 待签字 and then refused; corrections are new linked entries; the 监督 and
// 仲裁 read and print but change nothing; an observer and the public never
// see it; the log prints with its signature columns, read back with
// pdftotext.
func TestIncidentsPageRolesAndPDF(t *testing.T) {
	o := newIncidentOffice(t)
	ctx := context.Background()
	sched, err := o.st.Schedule(ctx, o.ev.ID)
	if err != nil || len(sched) == 0 {
		t.Fatalf("demo schedule: %v", err)
	}
	sess := sched[0]
	row := sess.Rows[2]
	base := "/events/" + o.ev.Code + "/incidents"
	chief := o.as("chief")
	if code, _ := chief.get(base + "?s=" + sess.Code); code != 200 {
		t.Fatalf("chief's page: %d", code)
	}
	form := url.Values{"csrf": {chief.csrf}, "session": {sess.Code}, "station": {row.Station}, "kind": {incidents.Breach},
		"occurred": {"09:10"}, "added_min": {"3"}, "description": {"操作中未按规定佩戴口罩，经提醒后改正"}}
	code, body := chief.post(base, form)
	if code != 400 || !strings.Contains(body, "只有“设备故障补时”可以补时") || !strings.Contains(body, "操作中未按规定佩戴口罩") {
		t.Fatalf("breach with time added: %d", code)
	}
	if all, _ := o.st.Incidents(ctx, o.ev.ID, ""); len(all) != 0 {
		t.Fatalf("refused entry stored")
	}
	form.Set("added_min", "")
	if code, _ := chief.post(base, form); code != http.StatusSeeOther {
		t.Fatalf("breach: %d", code)
	}
	all, _ := o.st.Incidents(ctx, o.ev.ID, "")
	if len(all) != 1 || all[0].EnteredRole != "chief" || all[0].ContestantID != row.ContestantID {
		t.Fatalf("stored: %+v", all)
	}
	id := strconv.FormatInt(all[0].ID, 10)

	// Readers: the 监督 and the 仲裁 read and print, change nothing; an
	// observer and the public see nothing.
	for _, name := range []string{"mon", "arb"} {
		b := o.as(name)
		if code, body := b.get(base); code != 200 || !strings.Contains(body, "操作中未按规定佩戴口罩") || strings.Contains(body, `action="`+base+`"`) {
			t.Fatalf("%s reads the log: %d", name, code)
		}
		if code, _ := b.post(base+"/"+id+"/ack", url.Values{"csrf": {b.csrf}, "ack": {"refused"}}); code != 403 {
			t.Fatalf("%s answered for the contestant: %d", name, code)
		}
		if code, _ := b.post(base, url.Values{"csrf": {b.csrf}, "session": {sess.Code}, "station": {row.Station}, "kind": {"other"},
			"occurred": {"09:00"}, "description": {"x"}}); code != 403 {
			t.Fatalf("%s entered an incident: %d", name, code)
		}
		if code, _, _ := b.download(base + ".pdf"); code != 200 {
			t.Fatalf("%s prints the log: %d", name, code)
		}
	}
	if code, _ := o.as("obs").get(base); code != 403 {
		t.Fatalf("observer: %d", code)
	}
	if code, _ := o.browser().get(base); code != http.StatusSeeOther {
		t.Fatalf("public: %d", code)
	}

	// 待签字, then the contestant refuses to sign the paper; nothing after.
	if code, _ := chief.post(base+"/"+id+"/ack", url.Values{"csrf": {chief.csrf}, "ack": {"paper"}}); code != http.StatusSeeOther {
		t.Fatalf("paper: %d", code)
	}
	if code, _ := chief.post(base+"/"+id+"/ack", url.Values{"csrf": {chief.csrf}, "ack": {"refused"}, "note": {"选手称未违规，拒绝签字"}}); code != http.StatusSeeOther {
		t.Fatalf("refused: %d", code)
	}
	if code, body := chief.post(base+"/"+id+"/ack", url.Values{"csrf": {chief.csrf}, "ack": {"paper"}}); code != 409 || !strings.Contains(body, "更正记录") {
		t.Fatalf("answer after the refusal: %d", code)
	}
	// A correction: a new entry linked to the first.
	if code, body := chief.get(base + "?corrects=" + id); code != 200 || !strings.Contains(body, "更正第 1 号记录") {
		t.Fatalf("correction form: %d", code)
	}
	fix := url.Values{"csrf": {chief.csrf}, "session": {sess.Code}, "station": {row.Station}, "kind": {incidents.Breach}, "corrects": {id},
		"occurred": {"09:12"}, "description": {"操作中未按规定佩戴口罩，经提醒后改正"}, "reason": {"发生时间记错"}}
	if code, _ := chief.post(base, fix); code != http.StatusSeeOther {
		t.Fatalf("correction: %d", code)
	}
	all, _ = o.st.Incidents(ctx, o.ev.ID, "")
	if len(all) != 2 || all[0].Occurred != "09:10" || all[0].Ack != incidents.Refused || all[1].Corrects == nil || *all[1].Corrects != all[0].ID {
		t.Fatalf("after the correction: %+v", all)
	}

	code, hdr, pdf := chief.download(base + ".pdf?s=" + sess.Code)
	if code != 200 || hdr.Get("Content-Type") != "application/pdf" {
		t.Fatalf("PDF: %d %s", code, hdr.Get("Content-Type"))
	}
	if dir := os.Getenv("SKILLSCORE_SCREENSHOTS"); dir != "" {
		os.WriteFile(filepath.Join(dir, "incident-log.pdf"), pdf, 0o644)
	}
	text, _ := readPDF(t, pdf)
	flat := strings.Join(strings.Fields(text), "")
	for _, want := range []string{"赛场记录", o.ev.Name, "场次：" + sess.Code, "违规", "操作中未按规定佩戴口罩", "选手拒绝签字", "选手称未违规",
		"更正第1号", "发生时间记错", "录入裁判签字", "选手签字", "裁判长（签字）", "（拒绝签字）", row.Name} {
		if !strings.Contains(flat, strings.Join(strings.Fields(want), "")) {
			t.Errorf("PDF lacks %q:\n%s", want, text)
		}
	}
	var actions []string
	trail, _ := o.st.AuditFor(ctx, o.ev.ID, "contestant:"+strconv.FormatInt(row.ContestantID, 10), "chief")
	for _, a := range trail {
		actions = append(actions, a.Action)
	}
	if strings.Join(actions, " ") != "incident.record incident.ack incident.ack incident.record" {
		t.Fatalf("audit: %v", actions)
	}
}
