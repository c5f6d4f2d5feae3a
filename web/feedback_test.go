package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"skillscore/internal/testenv"
	"skillscore/judges"
	"skillscore/results"
	"skillscore/scoring"
	"skillscore/store"
	"skillscore/templates"
	"skillscore/web"
)

// fbOffice is the demo event behind a server, with the judges' service for
// tablet logins.
type fbOffice struct {
	*office
	svc *judges.Service
}

func newFeedbackOffice(t *testing.T) fbOffice {
	t.Helper()
	st, ev := testenv.Demo(t)
	addStaff(t, st, "org", "chief")
	tmpl, err := templates.New()
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := judges.New(st, judges.Config{Logger: log})
	t.Cleanup(svc.Close)
	srv := httptest.NewServer(web.New(web.Config{Store: st, Templates: tmpl, Logger: log, Judges: svc, Judging: st}))
	t.Cleanup(srv.Close)
	return fbOffice{office: &office{t: t, st: st, srv: srv, ev: ev}, svc: svc}
}

// publish takes the demo event to its publication period.
func (o fbOffice) publish(t *testing.T) {
	t.Helper()
	testenv.Decrypted(t, o.st, o.ev.ID)
	now := time.Now()
	if _, err := o.st.PublishResults(context.Background(), o.ev.ID, now.Add(-time.Hour), now.Add(time.Hour), "org"); err != nil {
		t.Fatal(err)
	}
}

// person returns a competing contestant of the demo with their 证件号码 opened.
func (o fbOffice) person(t *testing.T) store.Contestant {
	t.Helper()
	cs, err := o.st.Contestants(context.Background(), o.ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		if c.Status == "" && c.Kind != store.KindTeam && c.IDNumber != "" {
			return c
		}
	}
	t.Fatal("no competing contestant")
	return store.Contestant{}
}

// lookups counts the audit trail's 成绩单 lookups.
func (o fbOffice) lookups(t *testing.T) []store.AuditEntry {
	t.Helper()
	trail, err := o.st.AuditTrail(context.Background(), o.ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	return slices.DeleteFunc(trail, func(e store.AuditEntry) bool { return e.Action != "feedback.lookup" })
}

func postTranscript(t *testing.T, base, path, id, name string) (int, []byte) {
	t.Helper()
	resp, err := http.PostForm(base+path, url.Values{"id_number": {id}, "name": {name}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, body
}

// keepPDF saves a PDF beside the screenshots, when they are kept, to be
// rendered and looked at.
func keepPDF(t *testing.T, name string, pdf []byte) {
	t.Helper()
	if dir := os.Getenv("SKILLSCORE_SCREENSHOTS"); dir != "" {
		if err := os.WriteFile(filepath.Join(dir, name), pdf, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// pdfText reads a PDF back with pdftotext.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "f.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", path, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v %s", err, out)
	}
	return string(out)
}

// Every refusal of the 成绩单 lookup, each with its Chinese reason and
// nothing written: before publication, before the period starts, during a
// re-mark, during the ceremony and while the board is frozen. Then the PDF
// of the published 成绩单 read back.
func TestTranscriptRefusalsAndPDF(t *testing.T) {
	o := newFeedbackOffice(t)
	ctx := context.Background()
	c := o.person(t)
	path := "/events/" + o.ev.Code + "/transcript"
	refused := func(step, want string) {
		t.Helper()
		code, body := postTranscript(t, o.srv.URL, path, c.IDNumber, c.Name)
		if code != http.StatusConflict || !strings.Contains(string(body), want) {
			t.Errorf("%s: %d, want 409 %q:\n%.400s", step, code, want, body)
		}
		if n := len(o.lookups(t)); n != 0 {
			t.Errorf("%s: a refused lookup was audited (%d entries)", step, n)
		}
	}
	refused("before publication", "成绩尚未公示")
	if code, body := postTranscript(t, o.srv.URL, path+".pdf", c.IDNumber, c.Name); code != http.StatusConflict || !strings.Contains(string(body), "成绩尚未公示") {
		t.Errorf("PDF before publication: %d %.300s", code, body)
	}
	resp, err := http.Get(o.srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(page), `id="refused"`) || strings.Contains(string(page), `id="lookup"`) {
		t.Errorf("the form before publication:\n%s", page)
	}
	testenv.Decrypted(t, o.st, o.ev.ID)
	now := time.Now()
	if _, err := o.st.PublishResults(ctx, o.ev.ID, now.Add(time.Hour), now.Add(2*time.Hour), "org"); err != nil {
		t.Fatal(err)
	}
	refused("before the period starts", "成绩公示将于")
	if _, err := o.st.PublishResults(ctx, o.ev.ID, now.Add(-time.Hour), now.Add(time.Hour), "org"); err != nil {
		t.Fatal(err)
	}
	if _, err := o.st.SetFreeze(ctx, o.ev.ID, now.Add(-time.Minute), "封榜", "org"); err != nil {
		t.Fatal(err)
	}
	refused("frozen", "封榜")
	if _, err := o.st.SetCeremonyStep(ctx, o.ev.ID, 0, "颁奖", "org"); err != nil {
		t.Fatal(err)
	}
	refused("during the ceremony", "颁奖揭晓正在进行")
	if _, err := o.st.SetCeremonyStep(ctx, o.ev.ID, -1, "结束", "org"); err != nil {
		t.Fatal(err)
	}
	refused("frozen after the ceremony", "封榜")
	if _, err := o.st.SetFreeze(ctx, o.ev.ID, time.Time{}, "解除", "org"); err != nil {
		t.Fatal(err)
	}
	// A re-mark after an appeal withdraws a module's sign-off: the results
	// are moving until the chief judge signs it off again.
	sheets, err := o.st.Sheets(ctx, o.ev.ID)
	if err != nil || len(sheets) == 0 {
		t.Fatal(err)
	}
	a, err := o.st.FileAppeal(ctx, o.ev.ID, store.AppealFiling{ContestantID: sheets[0].ContestantID, Body: "请求复核"}, "org")
	if err != nil {
		t.Fatal(err)
	}
	if err := o.st.DecideAppeal(ctx, o.ev.ID, a.ID, store.AppealDecision{Outcome: "remark", Reason: "复评", SheetIDs: []int64{sheets[0].ID}}, "org"); err != nil {
		t.Fatal(err)
	}
	refused("during a re-mark", "成绩正在复评")
	if err := o.st.SignOffModule(ctx, o.ev.ID, sheets[0].ModuleID, 0, "chief"); err != nil {
		t.Fatal(err)
	}

	code, pdf := postTranscript(t, o.srv.URL, path+".pdf", c.IDNumber, c.Name)
	if code != 200 || !bytes.HasPrefix(pdf, []byte("%PDF")) {
		t.Fatalf("PDF: %d %.300s", code, pdf)
	}
	keepPDF(t, "transcript.pdf", pdf)
	text := pdfText(t, pdf)
	want := expectedTranscript(t, o.st, o.ev.ID, c)
	for _, w := range append([]string{"成绩单", c.Name, string([]rune(o.ev.Name)[:6]), "总分", want.total}, want.modules...) {
		if !strings.Contains(text, w) {
			t.Errorf("the PDF lacks %q:\n%s", w, text)
		}
	}
	if strings.Contains(text, c.IDNumber) {
		t.Error("the PDF prints the 证件号码")
	}
	if n := len(o.lookups(t)); n != 1 {
		t.Errorf("%d lookups audited, want the PDF's one", n)
	}
	// Sealed by default (above, the browser test); the event's setting
	// lets the public see judges' marks, and the 成绩单 then lists them.
	code, page = postTranscript(t, o.srv.URL, path, c.IDNumber, c.Name)
	if code != 200 || strings.Contains(string(page), "各裁判评分") {
		t.Errorf("marks sealed: %d, marks listed %v", code, strings.Contains(string(page), "各裁判评分"))
	}
	if _, err := o.st.SetLiveSettings(ctx, o.ev.ID, true, false, "org"); err != nil {
		t.Fatal(err)
	}
	snap, err := o.st.Snapshot(ctx, o.ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	code, page = postTranscript(t, o.srv.URL, path, c.IDNumber, c.Name)
	named := slices.ContainsFunc(snap.Judges, func(j store.Judge) bool { return strings.Contains(string(page), j.Code+"：") })
	if code != 200 || !strings.Contains(string(page), "各裁判评分") || !named {
		t.Errorf("marks public: %d, want each judge's mark listed:\n%s", code, page)
	}
}

type wantTranscript struct {
	total   string
	modules []string
}

// expectedTranscript is what the scoring core makes of the contestant.
func expectedTranscript(t *testing.T, st *store.Store, eventID int64, c store.Contestant) wantTranscript {
	t.Helper()
	snap, err := st.Snapshot(context.Background(), eventID)
	if err != nil {
		t.Fatal(err)
	}
	res, err := results.Compute(snap)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res.Result.Contestants {
		if r.ID == results.Key(c.ID) {
			w := wantTranscript{total: r.Total.String()}
			if r.TotalExact != "" {
				w.total = "≈" + w.total
			}
			for _, m := range r.Modules {
				w.modules = append(w.modules, m.Name)
			}
			return w
		}
	}
	t.Fatalf("no result for %s", c.Name)
	return wantTranscript{}
}

// A judge's report, on the tablet (by its token) and for the chief judge,
// holds the desk's figures for that judge and, line by line, scoring's
// deviations; another judge's token gets that judge's own report only.
func TestJudgeReportMatchesDesk(t *testing.T) {
	o := newFeedbackOffice(t)
	ctx := context.Background()
	snap, err := o.st.Snapshot(ctx, o.ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	judge := snap.Judges[0]
	token := func(j store.Judge) string {
		t.Helper()
		l, err := o.svc.IssueLogin(ctx, j.ID, "org")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := json.Marshal(map[string]string{"ticket": l.Ticket, "pin": l.PIN, "device": "tablet-" + j.Code})
		resp, err := http.Post(o.srv.URL+"/api/v1/judge/login", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var lr struct{ Token string }
		if err := json.NewDecoder(resp.Body).Decode(&lr); err != nil || lr.Token == "" {
			t.Fatalf("login: %d %v", resp.StatusCode, err)
		}
		return lr.Token
	}
	tok := token(judge)
	get := func(path, tok string) (int, []byte) {
		t.Helper()
		req, _ := http.NewRequest("GET", o.srv.URL+path, nil)
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	if code, _ := get("/api/v1/judge/report", ""); code != http.StatusUnauthorized {
		t.Errorf("report without a token: %d", code)
	}
	type report struct {
		Judge   string
		Pending []string
		Stats   *scoring.JudgeStats
		Modules []struct {
			Code string
			Rows []struct{ Contestant, Aspect, Mine, PanelMean, Deviation string }
		}
	}
	read := func(tok string) report {
		t.Helper()
		code, body := get("/api/v1/judge/report", tok)
		var r report
		if code != 200 || json.Unmarshal(body, &r) != nil {
			t.Fatalf("report: %d %s", code, body)
		}
		return r
	}
	// The demo is still being judged: nothing is released yet unless the
	// chief has signed a module off.
	before := read(tok)
	if before.Stats != nil && len(before.Pending) > 0 {
		t.Errorf("figures shown with modules pending: %+v", before)
	}
	testenv.Decrypted(t, o.st, o.ev.ID)
	rep := read(tok)
	if rep.Judge != judge.Code || len(rep.Pending) != 0 || len(rep.Modules) == 0 || rep.Stats == nil {
		t.Fatalf("released report: %+v", rep)
	}
	// The desk's figures, through the desk's own API, for the same judge.
	chief := o.browser()
	if code := chief.login("chief", "pass-chief"); code != http.StatusSeeOther {
		t.Fatalf("chief login: %d", code)
	}
	code, body := chief.get("/api/v1/events/" + o.ev.Code + "/desk")
	var desk web.Desk
	if code != 200 || json.Unmarshal([]byte(body), &desk) != nil {
		t.Fatalf("desk: %d %.300s", code, body)
	}
	i := slices.IndexFunc(desk.Judges, func(s scoring.JudgeStats) bool { return s.Judge == judge.Code })
	if i < 0 {
		t.Fatalf("the desk has no figures for %s", judge.Code)
	}
	if d := desk.Judges[i]; d.Marks != rep.Stats.Marks || d.MeanSigned != rep.Stats.MeanSigned || d.MeanAbs != rep.Stats.MeanAbs ||
		d.MaxAbs != rep.Stats.MaxAbs || !slices.Equal(d.Flags, rep.Stats.Flags) {
		t.Errorf("report figures %+v, desk %+v", *rep.Stats, d)
	}
	// Line by line: scoring's deviations for the judge, on the same data.
	snap, err = o.st.Snapshot(ctx, o.ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	st, err := results.Compute(snap)
	if err != nil {
		t.Fatal(err)
	}
	devs := scoring.JudgeDeviations(st.Result, judge.Code)
	got := map[string]string{}
	n := 0
	for _, m := range rep.Modules {
		for _, r := range m.Rows {
			if r.Deviation != "" {
				got[m.Code+"|"+r.Contestant+"|"+r.Aspect] = r.PanelMean + " " + r.Deviation
				n++
			}
		}
	}
	if n != len(devs) || n != rep.Stats.Marks {
		t.Errorf("%d deviation lines in the report, scoring has %d, the desk counts %d", n, len(devs), rep.Stats.Marks)
	}
	for _, d := range devs {
		c := st.Contestants[d.Contestant]
		k := d.Module + "|" + results.DisplayCode(c) + "|" + d.AspectName
		sign := map[bool]string{true: "+", false: ""}[d.Deviation > 0]
		dev := sign + d.Deviation.String()
		if d.Deviation < 0 {
			dev = "−" + (-d.Deviation).String()
		}
		if got[k] != d.Mean.String()+" "+dev {
			t.Errorf("%s: report %q, scoring %s %s", k, got[k], d.Mean, dev)
		}
	}
	if sum := scoring.SummarizeDeviations(judge.Code, devs); sum.MeanAbs != desk.Judges[i].MeanAbs || sum.MeanSigned != desk.Judges[i].MeanSigned {
		t.Errorf("scoring's lines sum to %+v, the desk says %+v", sum, desk.Judges[i])
	}
	// Another judge's token: their own report, never this one's.
	other := snap.Judges[1]
	if r := read(token(other)); r.Judge != other.Code {
		t.Errorf("judge %s's token read %s's report", other.Code, r.Judge)
	}
	// The PDFs: the tablet's own and the chief judge's print of everyone.
	code, pdf := get("/api/v1/judge/report.pdf", tok)
	if code != 200 {
		t.Fatalf("tablet PDF: %d %s", code, pdf)
	}
	text := pdfText(t, pdf)
	for _, w := range []string{"裁判员评分自评报告", judge.Code, judge.Name, rep.Stats.MeanAbs.String(), "裁判员（签字）", "裁判长（签字）"} {
		if !strings.Contains(text, w) {
			t.Errorf("tablet PDF lacks %q:\n%s", w, text)
		}
	}
	if strings.Contains(text, "裁判员 "+other.Code+" 评分自评报告") {
		t.Error("the tablet PDF holds another judge's report")
	}
	code, body = chief.get("/events/" + o.ev.Code + "/judges/reports.pdf")
	if code != 200 {
		t.Fatalf("chief PDF: %d %.300s", code, body)
	}
	keepPDF(t, "judgereports.pdf", []byte(body))
	all := pdfText(t, []byte(body))
	for _, j := range snap.Judges {
		if !strings.Contains(all, "裁判员 "+j.Code+" 评分自评报告") {
			t.Errorf("the chief's print lacks %s", j.Code)
		}
	}
}
