package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"skillscore/demo"
	"skillscore/internal/testenv"
	"skillscore/judges"
	"skillscore/live"
	"skillscore/live/livetest"
	"skillscore/results"
	"skillscore/scoring"
	"skillscore/store"
	"skillscore/templates"
	"skillscore/web"
)

// programmeOffice serves the demo programme with the live service, the
// organizer's pages and the staff logins of addStaff.
func programmeOffice(t *testing.T) (*office, *live.Service) {
	t.Helper()
	return programmeOfficeWith(t, nil)
}

// programmeOfficeWith is programmeOffice behind wrap (nil: none), e.g. a
// proxy that refuses websockets.
func programmeOfficeWith(t *testing.T, wrap func(http.Handler) http.Handler) (*office, *live.Service) {
	t.Helper()
	ctx := context.Background()
	clock := &demo.Clock{}
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "prog.db"), store.Options{Keys: testenv.Keys(t), Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	addStaff(t, st, "org", "chief")
	chief, err := st.UserByUsername(ctx, "chief")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.CreateProgramme(ctx, st, clock, demo.People{Organizer: "org", Chief: "chief", ChiefUserID: chief.ID}); err != nil {
		t.Fatal(err)
	}
	tmpl, err := templates.New()
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := live.New(live.Config{Source: st, Programmes: st, Logger: log, MinInterval: time.Millisecond, PollInterval: 200 * time.Millisecond})
	js := judges.New(st, judges.Config{Logger: log})
	var h http.Handler = web.New(web.Config{Store: st, Templates: tmpl, Logger: log, Live: svc, Judges: js, Judging: st,
		Programmes: st})
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(func() {
		svc.Close()
		js.Close()
		srv.Close()
	})
	return &office{t: t, st: st, srv: srv}, svc
}

func programmeBoard(t *testing.T, base, since string) (live.ProgrammeBoard, string, int) {
	t.Helper()
	req, _ := http.NewRequest("GET", base+"/api/v1/programmes/"+demo.ProgrammeCode+"/board?since="+url.QueryEscape(since), nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b live.ProgrammeBoard
	if resp.StatusCode == 200 {
		if err := json.NewDecoder(resp.Body).Decode(&b); err != nil {
			t.Fatal(err)
		}
	}
	return b, resp.Header.Get("ETag"), resp.StatusCode
}

func TestProgrammeOrganizerPages(t *testing.T) {
	o, _ := programmeOffice(t)
	anon := o.browser()
	if code, _ := anon.get("/programmes/" + demo.ProgrammeCode + "/manage"); code != http.StatusSeeOther {
		t.Fatalf("manage page without login: %d", code)
	}
	chief := o.browser()
	chief.login("chief", "pass-chief")
	if code, _ := chief.get("/programmes"); code != http.StatusForbidden {
		t.Fatalf("chief on the programmes page: %d", code)
	}
	org := o.browser()
	if code := org.login("org", "pass-org"); code != 303 {
		t.Fatalf("login: %d", code)
	}
	code, body := org.get("/programmes")
	if code != 200 || !strings.Contains(body, "江西省第二届职业技能大赛（康养赛区）") {
		t.Fatalf("programmes: %d", code)
	}
	code, body = org.post("/programmes", url.Values{"csrf": {org.csrf}, "name": {"测试大赛"}, "code": {"Bad Code"}, "year": {"2026"}})
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, "大赛代码 &#34;Bad Code&#34; 无效") || !strings.Contains(body, `value="测试大赛"`) {
		t.Fatalf("bad code: %d %s", code, body)
	}
	code, _ = org.post("/programmes", url.Values{"csrf": {org.csrf}, "name": {"测试大赛"}, "code": {"test-2026"}, "year": {"2026"}})
	if code != http.StatusSeeOther {
		t.Fatalf("create: %d", code)
	}
	code, body = org.get("/programmes/" + demo.ProgrammeCode + "/manage")
	for _, want := range []string{"成绩已确认", "公示中", "比赛中", "南昌市代表队", "省民政系统代表队", "团体一等奖", "team_award"} {
		if !strings.Contains(body, want) {
			t.Errorf("manage page lacks %q", want)
		}
	}
	if code != 200 {
		t.Fatalf("manage: %d", code)
	}
	// A delegations sheet with an unknown kind is refused with its row.
	code, body = org.upload("/programmes/test-2026/delegations", "代表队.csv", []byte("代码,名称,类别\nnc,南昌市代表队,设区市\ngz,赣州市代表队,海外\n"))
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, "第 3 行：代表队 gz 的类别") {
		t.Fatalf("bad sheet: %d", code)
	}
	org.get("/programmes/test-2026/manage")
	code, _ = org.upload("/programmes/test-2026/delegations", "代表队.csv", []byte("代码,名称,类别\nnc,南昌市代表队,设区市\ngz,赣州市代表队,行业\n"))
	if code != http.StatusSeeOther {
		t.Fatalf("import: %d", code)
	}
	if _, body := org.get("/programmes/test-2026/manage?msg=delegations-imported.2.0"); !strings.Contains(body, "代表队已导入：新增 2 个，更新 0 个") {
		t.Error("no notice after the import")
	}
	p, err := o.st.ProgrammeByCode(context.Background(), "test-2026")
	if err != nil {
		t.Fatal(err)
	}
	if ds, err := o.st.Delegations(context.Background(), p.ID); err != nil || len(ds) != 2 || ds[1].Kind != "industry" {
		t.Fatalf("delegations: %+v %v", ds, err)
	}
	org.get("/programmes/test-2026/manage")
	code, body = org.post("/programmes/test-2026/rules", url.Values{"csrf": {org.csrf}, "rules": {`{"bands":[],"order":"points"}`}})
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, "至少需要一个奖项档次") || !strings.Contains(body, "team_award") {
		t.Fatalf("bad rules: %d", code)
	}
	// Without a token nothing changes.
	if code, _ := org.post("/programmes/test-2026/rules", url.Values{"rules": {"{}"}}); code != http.StatusForbidden {
		t.Fatalf("rules without CSRF: %d", code)
	}
}

func TestProgrammeBoardLongPoll(t *testing.T) {
	o, svc := programmeOffice(t)
	b, etag, code := programmeBoard(t, o.srv.URL, "")
	if code != 200 || etag == "" || len(b.Events) != 3 || b.Table.Counted != 2 {
		t.Fatalf("board: %d %q %+v", code, etag, b)
	}
	for _, e := range b.Events {
		if e.Code == demo.RoundsCode && e.Counted {
			t.Fatal("the two-round event in progress is counted")
		}
	}
	// A re-mark in the published event wakes the waiting poll with a new
	// table.
	got := make(chan string, 1)
	go func() {
		_, next, _ := programmeBoard(t, o.srv.URL, etag)
		got <- next
	}()
	ev, _ := vetoTopContestant(t, o.st)
	svc.EventChanged(context.Background(), ev.ID, ev.Revision)
	select {
	case next := <-got:
		if next == etag {
			t.Fatal("the long poll answered the old version")
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the long poll did not answer after the change")
	}
	// The re-mark is several writes; the board may move through states in
	// between. Long polls follow it until the table shows the change.
	after, next := b, etag
	for i := 0; fmt.Sprint(after.Table.Rows) == fmt.Sprint(b.Table.Rows); i++ {
		if i == 10 {
			t.Fatal("the table did not change after the re-mark")
		}
		after, next, _ = programmeBoard(t, o.srv.URL, next)
	}
}

// TestProgrammeSocket: the programme board's websocket behind the real web
// handler sends the long poll's board, then follows a re-mark in the
// published event to the board the long poll answers; bad parameters and
// an unknown programme are plain HTTP errors.
func TestProgrammeSocket(t *testing.T) {
	o, svc := programmeOffice(t)
	ws := "ws" + strings.TrimPrefix(o.srv.URL, "http") + "/api/v1/programmes/"
	c, _, err := livetest.DialProgramme(context.Background(), ws+demo.ProgrammeCode+"/live")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	m, err := c.Read(10 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Apply(m); err != nil {
		t.Fatal(err)
	}
	b, etag, _ := programmeBoard(t, o.srv.URL, "")
	if !reflect.DeepEqual(*c.Board, b) || etag != `"`+c.Epoch+"-"+strconv.FormatInt(c.Revision, 10)+`"` {
		t.Fatalf("the websocket's first board (%s-%d) is not the long poll's (%s)", c.Epoch, c.Revision, etag)
	}
	ev, _ := vetoTopContestant(t, o.st)
	svc.EventChanged(context.Background(), ev.ID, ev.Revision)
	// The re-mark is several writes: the viewer follows every version until
	// its board is the long poll's after the change.
	for i := 0; ; i++ {
		after, etag, _ := programmeBoard(t, o.srv.URL, "")
		if fmt.Sprint(after.Table.Rows) != fmt.Sprint(b.Table.Rows) && etag == `"`+c.Epoch+"-"+strconv.FormatInt(c.Revision, 10)+`"` {
			if !reflect.DeepEqual(*c.Board, after) {
				t.Fatal("the websocket viewer's board differs from the long poll's after the re-mark")
			}
			break
		}
		if i == 20 {
			t.Fatal("the viewer never reached the re-marked board")
		}
		m, err := c.Read(10 * time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Apply(m); err != nil {
			t.Fatal(err)
		}
	}
	for path, want := range map[string]int{
		"nope/live":                            http.StatusNotFound,
		demo.ProgrammeCode + "/live?since=-1":  http.StatusBadRequest,
		demo.ProgrammeCode + "/live?since=abc": http.StatusBadRequest,
	} {
		_, resp, err := livetest.DialProgramme(context.Background(), ws+path)
		if err == nil || resp == nil || resp.StatusCode != want {
			code := 0
			if resp != nil {
				code = resp.StatusCode
			}
			t.Errorf("%s: %v, status %d, want %d", path, err, code, want)
		}
	}
}

// vetoTopContestant re-marks the published team event the way an appeal
// does: the sheets of a module with a veto item of its best-placed team are
// reopened and the veto is marked, so the team drops out of the awards. It returns the event after the change and that contestant.
func vetoTopContestant(t *testing.T, st *store.Store) (store.Event, store.Contestant) {
	t.Helper()
	ctx := context.Background()
	ev, err := st.EventByCode(ctx, demo.TeamsCode)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := st.Snapshot(ctx, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	res, err := results.Compute(snap)
	if err != nil {
		t.Fatal(err)
	}
	// The best-placed team with an award: its delegation's count shows the
	// change.
	var top store.Contestant
	best := 0
	for _, r := range res.Result.Contestants {
		if c := res.Contestants[r.ID]; c.Kind == store.KindTeam && r.Rank > 0 && r.Award != "" && (best == 0 || r.Rank < best) {
			top, best = c, r.Rank
		}
	}
	mods, err := st.Modules(ctx, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	sheets, err := st.Sheets(ctx, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	// The veto counts when most of the module's judges mark it: every
	// sheet of the module is re-marked.
	for _, m := range mods {
		for _, a := range m.Aspects {
			if a.Kind != string(scoring.Veto) {
				continue
			}
			var ids []int64
			var judgeOf []int64
			for _, sh := range sheets {
				if sh.ModuleID == m.ID && sh.ContestantID == top.ID {
					ids, judgeOf = append(ids, sh.ID), append(judgeOf, sh.JudgeID)
				}
			}
			if len(ids) == 0 {
				continue
			}
			ap, err := st.FileAppeal(ctx, ev.ID, store.AppealFiling{ContestantID: top.ID, Body: "现场安全违规未计入"}, "org")
			if err != nil {
				t.Fatal(err)
			}
			if err := st.DecideAppeal(ctx, ev.ID, ap.ID, store.AppealDecision{Outcome: "remark", Reason: "经查看录像，复评",
				SheetIDs: ids}, "org"); err != nil {
				t.Fatal(err)
			}
			for i, id := range ids {
				if _, _, err := st.SetSheetStatus(ctx, ev.ID, id, "open", "申诉复评", "chief"); err != nil {
					t.Fatal(err)
				}
				actor := fmt.Sprintf("judge:%d", judgeOf[i])
				res, err := st.ApplyOps(ctx, []store.SheetOp{
					{OpID: fmt.Sprintf("test-veto-%d", i), Kind: store.OpMark, EventID: ev.ID, ModuleID: m.ID, ContestantID: top.ID,
						JudgeID: judgeOf[i], AspectID: a.ID, Value: int64(scoring.Points(1)), Actor: actor, Subject: "veto"},
					{OpID: fmt.Sprintf("test-veto-submit-%d", i), Kind: store.OpSubmit, EventID: ev.ID, ModuleID: m.ID,
						ContestantID: top.ID, JudgeID: judgeOf[i], Actor: actor, Subject: "veto"},
				})
				if err != nil || res[0].Err != nil || res[1].Err != nil {
					t.Fatalf("re-mark: %v %+v", err, res)
				}
			}
			if ev, err = st.EventByCode(ctx, demo.TeamsCode); err != nil {
				t.Fatal(err)
			}
			return ev, top
		}
	}
	t.Fatal("no sheet with a veto item for the first-placed team")
	return store.Event{}, store.Contestant{}
}
