package judges_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"skillscore"
	"skillscore/internal/testenv"
	"skillscore/judges"
	"skillscore/store"
	"skillscore/web"
)

// env is a real server (httptest on a random port) over a real SQLite store
// holding the demo event, with the judge routes mounted as web mounts them.
type env struct {
	t     *testing.T
	st    *store.Store
	svc   *judges.Service
	srv   *httptest.Server
	ev    store.Event
	judge store.Judge // J01, on module A's panel
	mods  map[string]store.Module
	codes []string // contestant codes J01 is assigned in module A
}

func newEnv(t *testing.T, cfg judges.Config) *env {
	t.Helper()
	st, ev := testenv.Demo(t)
	return newEnvOn(t, cfg, st, ev)
}

// newEnvOn serves the judge protocol for an event of st.
func newEnvOn(t *testing.T, cfg judges.Config, st *store.Store, ev store.Event) *env {
	t.Helper()
	ctx := context.Background()
	svc := judges.New(st, cfg)
	t.Cleanup(svc.Close)
	mux := http.NewServeMux()
	fail := func(w http.ResponseWriter) func(error) {
		return func(err error) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(web.HTTPStatus(err))
			json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": skillscore.ErrorCode(err), "message": skillscore.ErrorMessage(err)}})
		}
	}
	mux.HandleFunc("GET /api/v1/judge/ws", func(w http.ResponseWriter, r *http.Request) {
		host, _, _ := net.SplitHostPort(r.RemoteAddr)
		svc.ServeWS(w, r, host)
	})
	mux.HandleFunc("POST /api/v1/judge/sync", func(w http.ResponseWriter, r *http.Request) {
		host, _, _ := net.SplitHostPort(r.RemoteAddr) // the address without the port, as web's clientIP
		svc.ServeSync(w, r, host, fail(w))
	})
	mux.HandleFunc("GET /api/v1/judge/state", func(w http.ResponseWriter, r *http.Request) {
		host, _, _ := net.SplitHostPort(r.RemoteAddr)
		svc.ServeState(w, r, host, fail(w))
	})
	mux.HandleFunc("POST /api/v1/judge/login", func(w http.ResponseWriter, r *http.Request) {
		svc.ServeLogin(w, r, r.RemoteAddr, fail(w))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	e := &env{t: t, st: st, svc: svc, srv: srv, ev: ev, mods: map[string]store.Module{}}
	mods, _ := st.Modules(ctx, ev.ID)
	for _, m := range mods {
		e.mods[m.Code] = m
	}
	js, _ := st.Judges(ctx, ev.ID)
	e.judge = js[0]
	as, _ := st.Assignments(ctx, ev.ID)
	cs, _ := st.Contestants(ctx, ev.ID)
	byID := map[int64]string{}
	for _, c := range cs {
		byID[c.ID] = *c.Code
	}
	for _, a := range as {
		if a.JudgeID == e.judge.ID && a.ModuleID == e.mods["A"].ID {
			e.codes = append(e.codes, byID[a.ContestantID])
		}
	}
	return e
}

// login issues a ticket for the judge and redeems it: a device token and the PIN.
func (e *env) login(j store.Judge) (token, pin string) {
	e.t.Helper()
	l, err := e.svc.IssueLogin(context.Background(), j.ID, "organizer")
	if err != nil {
		e.t.Fatal(err)
	}
	body, _ := json.Marshal(judges.LoginRequest{Ticket: l.Ticket, PIN: l.PIN, Device: "test tablet"})
	resp, err := http.Post(e.srv.URL+"/api/v1/judge/login", "application/json", strings.NewReader(string(body)))
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var lr judges.LoginResponse
	if err := json.NewDecoder(resp.Body).Decode(&lr); err != nil || lr.Token == "" {
		e.t.Fatalf("login: %d %v", resp.StatusCode, err)
	}
	return lr.Token, l.PIN
}

// client is a real websocket client speaking the judge protocol.
type client struct {
	t  *testing.T
	ws *websocket.Conn
}

func (e *env) dial() *client {
	e.t.Helper()
	url := "ws" + strings.TrimPrefix(e.srv.URL, "http") + "/api/v1/judge/ws"
	ws, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { ws.Close() })
	return &client{t: e.t, ws: ws}
}

func (c *client) sendRaw(s string) {
	c.t.Helper()
	if err := c.ws.WriteMessage(websocket.TextMessage, []byte(s)); err != nil {
		c.t.Fatal(err)
	}
}

func (c *client) send(v any) {
	c.t.Helper()
	b, _ := json.Marshal(v)
	c.sendRaw(string(b))
}

type reply struct {
	Type    string `json:"type"`
	Op      string `json:"op"`
	Code    string `json:"code"`
	Message string `json:"message"`
	Rev     int64  `json:"rev"`
	Dup     bool   `json:"dup"`
	Status  string `json:"status"`
	LastAck string `json:"last_ack"`
	raw     []byte
}

func (c *client) recv() reply {
	c.t.Helper()
	c.ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, data, err := c.ws.ReadMessage()
	if err != nil {
		c.t.Fatalf("read: %v", err)
	}
	var r reply
	if err := json.Unmarshal(data, &r); err != nil {
		c.t.Fatalf("reply %s: %v", data, err)
	}
	r.raw = data
	return r
}

func (c *client) hello(token string) judges.Welcome {
	c.t.Helper()
	c.send(map[string]any{"type": "hello", "v": 1, "token": token})
	r := c.recv()
	if r.Type != "welcome" {
		c.t.Fatalf("hello: %s", r.raw)
	}
	var w judges.Welcome
	json.Unmarshal(r.raw, &w)
	return w
}

func mark(op, code, module, aspect string, value any) map[string]any {
	return map[string]any{"type": "mark", "op": op, "contestant": code, "module": module, "aspect": aspect, "value": value}
}

// state is what must not change when an operation is refused.
func (e *env) state() string {
	e.t.Helper()
	ctx := context.Background()
	marks, err := e.st.Marks(ctx, e.ev.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	ev, _ := e.st.Event(ctx, e.ev.ID)
	sheets, _ := e.st.Sheets(ctx, e.ev.ID)
	b, _ := json.Marshal([]any{marks, ev.Revision, sheets})
	return string(b)
}

func TestWelcomeShowsOnlyAssignedCodesNeverNames(t *testing.T) {
	e := newEnv(t, judges.Config{})
	tok, _ := e.login(e.judge)
	c := e.dial()
	w := c.hello(tok)
	if w.Judge.Code != e.judge.Code || len(w.Modules) != 1 || w.Modules[0].Code != "A" {
		t.Fatalf("welcome: judge %+v modules %d", w.Judge, len(w.Modules))
	}
	if len(w.Assignments) != len(e.codes) || len(e.codes) == 0 {
		t.Fatalf("welcome lists %d sheets, judge is assigned %d", len(w.Assignments), len(e.codes))
	}
	// The tablet's words come with the event: a competition's.
	if w.Event.Kind != "competition" || w.Event.Terms.Judge != "裁判" || w.Event.Terms.Station != "赛位" {
		t.Errorf("welcome event %+v", w.Event)
	}
	cs, _ := e.st.Contestants(context.Background(), e.ev.ID)
	raw, _ := json.Marshal(w)
	for _, ct := range cs {
		if strings.Contains(string(raw), ct.Name) || strings.Contains(string(raw), ct.IDNumber) {
			t.Errorf("welcome reveals contestant %s's name or ID number", *ct.Code)
		}
		if judges.ConflictReason(e.judge, ct, "") != "" && strings.Contains(string(raw), `"`+*ct.Code+`"`) {
			t.Errorf("welcome lists %s although the judge must recuse", *ct.Code)
		}
	}
}

func TestBadInputIsRejectedWithCodesAndChangesNothing(t *testing.T) {
	e := newEnv(t, judges.Config{})
	tok, _ := e.login(e.judge)
	c := e.dial()
	c.hello(tok)
	code := e.codes[0]
	other := "" // a contestant the judge is not assigned (recused)
	cs, _ := e.st.Contestants(context.Background(), e.ev.ID)
	for _, ct := range cs {
		if judges.ConflictReason(e.judge, ct, "") != "" {
			other = *ct.Code
		}
	}
	if other == "" {
		t.Fatal("demo has no recused contestant for J01")
	}
	before := e.state()
	cases := []struct {
		name, msg, typ, code string
	}{
		{"malformed JSON", `{"type":"mark",`, "error", skillscore.EInvalid},
		{"not an object", `[1,2,3]`, "error", skillscore.EInvalid},
		{"missing type", `{"op":"x1"}`, "reject", skillscore.EInvalid},
		{"wrong type of value field", `{"type":"mark","op":"x2","contestant":"` + code + `","module":"A","aspect":"A1","value":true}`, "reject", skillscore.EInvalid},
		{"wrong type of contestant field", `{"type":"mark","op":"x3","contestant":5,"module":"A","aspect":"A1","value":1}`, "reject", skillscore.EInvalid},
		{"value as text", `{"type":"mark","op":"x4","contestant":"` + code + `","module":"A","aspect":"A1","value":"two"}`, "reject", skillscore.EInvalid},
		{"unknown type", `{"type":"frobnicate","op":"x5"}`, "reject", skillscore.EInvalid},
		{"unknown contestant", `{"type":"mark","op":"x6","contestant":"Z999","module":"A","aspect":"A1","value":1}`, "reject", skillscore.EForbidden},
		{"unassigned contestant", `{"type":"mark","op":"x7","contestant":"` + other + `","module":"A","aspect":"A1","value":1}`, "reject", skillscore.EForbidden},
		{"module not on panel", `{"type":"mark","op":"x8","contestant":"` + code + `","module":"B","aspect":"B1","value":1}`, "reject", skillscore.ENotFound},
		{"unknown aspect", `{"type":"mark","op":"x9","contestant":"` + code + `","module":"A","aspect":"A99","value":1}`, "reject", skillscore.ENotFound},
		{"judgement above 3", `{"type":"mark","op":"x10","contestant":"` + code + `","module":"A","aspect":"A1","value":4}`, "reject", skillscore.EInvalid},
		{"judgement negative", `{"type":"mark","op":"x11","contestant":"` + code + `","module":"A","aspect":"A1","value":-1}`, "reject", skillscore.EInvalid},
		{"judgement fraction", `{"type":"mark","op":"x12","contestant":"` + code + `","module":"A","aspect":"A1","value":1.5}`, "reject", skillscore.EInvalid},
		{"measurement out of range", `{"type":"mark","op":"x13","contestant":"` + code + `","module":"A","aspect":"A3","value":91}`, "reject", skillscore.EInvalid},
		{"met-or-not neither", `{"type":"mark","op":"x14","contestant":"` + code + `","module":"A","aspect":"A2","value":2}`, "reject", skillscore.EInvalid},
		{"too many decimals", `{"type":"mark","op":"x15","contestant":"` + code + `","module":"A","aspect":"A3","value":"30.123456"}`, "reject", skillscore.EInvalid},
		{"empty op id", `{"type":"mark","op":"","contestant":"` + code + `","module":"A","aspect":"A1","value":1}`, "reject", skillscore.EInvalid},
		{"op id too long", `{"type":"mark","op":"` + strings.Repeat("x", 65) + `","contestant":"` + code + `","module":"A","aspect":"A1","value":1}`, "reject", skillscore.EInvalid},
		{"submit with wrong PIN", `{"type":"submit","op":"x16","contestant":"` + code + `","module":"A","pin":"000000x"}`, "reject", skillscore.EUnauthorized},
		{"second hello", `{"type":"hello","v":1,"token":"x"}`, "error", skillscore.EInvalid},
	}
	for _, tc := range cases {
		c.sendRaw(tc.msg)
		r := c.recv()
		if r.Type != tc.typ || r.Code != tc.code || r.Message == "" {
			t.Errorf("%s: got %s, want type %s code %s", tc.name, r.raw, tc.typ, tc.code)
		}
		if strings.Contains(r.Message, "json:") || strings.Contains(r.Message, "runtime") {
			t.Errorf("%s: internal detail in message %q", tc.name, r.Message)
		}
	}
	if e.state() != before {
		t.Fatal("rejected messages changed stored data")
	}
	// The connection is still usable: a good mark is acknowledged.
	c.send(mark("good-1", code, "A", "A1", 2))
	if r := c.recv(); r.Type != "ack" || r.Op != "good-1" || r.Dup {
		t.Fatalf("good mark after rejections: %s", r.raw)
	}
}

// TestOutOfRangeMarksAreRefusedNotClamped: a measured value outside the
// rubric's range, a negative one, text, more decimals than the rubric keeps
// and a deduction over the aspect's cap are each refused with invalid and a
// message naming what is allowed; nothing is stored, never a clamped value.
// The range's ends and the rubric's finest value are stored exactly.
func TestOutOfRangeMarksAreRefusedNotClamped(t *testing.T) {
	e := newEnv(t, judges.Config{})
	tok, _ := e.login(e.judge)
	c := e.dial()
	c.hello(tok)
	code := e.codes[0]
	before := e.state()
	cases := []struct {
		name    string
		aspect  string
		value   any
		message string // part of the reject's message
	}{
		{"above the range", "A3", 999, "测量值 999 超出允许范围 0–90 °"},
		{"above the range as text", "A3", "90.0001", "测量值 90.0001 超出允许范围 0–90 °"},
		{"negative", "A3", -5, "测量值 -5 超出允许范围 0–90 °"},
		{"not a number", "A3", "abc", "不是数字"},
		{"more decimals than kept", "A3", "26.32125", "最多 4 位小数"},
		{"deduction over the cap", "A8", 6, "扣分超过本项上限 5"},
		{"negative deduction", "A8", -1, "扣分不能为负"},
	}
	for i, tc := range cases {
		op := fmt.Sprintf("range-%d", i)
		c.send(mark(op, code, "A", tc.aspect, tc.value))
		r := c.recv()
		if r.Type != "reject" || r.Op != op || r.Code != skillscore.EInvalid || !strings.Contains(r.Message, tc.message) {
			t.Errorf("%s: got %s, want reject invalid naming %q", tc.name, r.raw, tc.message)
		}
	}
	if e.state() != before {
		t.Fatal("refused values changed stored data")
	}
	for i, v := range []string{"90", "0", "26.3212"} {
		op := fmt.Sprintf("edge-%d", i)
		c.send(mark(op, code, "A", "A3", v))
		if r := c.recv(); r.Type != "ack" || r.Op != op {
			t.Fatalf("A3 = %s: %s", v, r.raw)
		}
	}
	ctx := context.Background()
	var cid int64
	cs, _ := e.st.Contestants(ctx, e.ev.ID)
	for _, ct := range cs {
		if ct.Code != nil && *ct.Code == code {
			cid = ct.ID
		}
	}
	marks, _ := e.st.Marks(ctx, e.ev.ID)
	found := false
	for _, m := range marks {
		if m.JudgeCode == e.judge.Code && m.AspectCode == "A3" && m.ContestantID == cid {
			found = true
			if m.Value != 263212 {
				t.Errorf("A3 stored %d, want 263212 (26.3212)", m.Value)
			}
		}
	}
	if !found {
		t.Error("A3 not stored")
	}
}

func TestReplaysAreStoredOnceAndAckedAsDuplicates(t *testing.T) {
	e := newEnv(t, judges.Config{})
	tok, _ := e.login(e.judge)
	c := e.dial()
	c.hello(tok)
	code := e.codes[0]
	const n = 1000
	msg := mark("replay-op-1", code, "A", "A5", 3)
	for i := 0; i < n; i++ {
		c.send(msg)
	}
	acks, dups, rev := 0, 0, int64(0)
	for i := 0; i < n; i++ {
		r := c.recv()
		if r.Type != "ack" || r.Op != "replay-op-1" {
			t.Fatalf("reply %d: %s", i, r.raw)
		}
		if r.Dup {
			dups++
		} else {
			acks++
		}
		if rev == 0 {
			rev = r.Rev
		} else if r.Rev != rev {
			t.Fatalf("replay acknowledged with revision %d, first %d", r.Rev, rev)
		}
	}
	if acks != 1 || dups != n-1 {
		t.Fatalf("%d fresh acks and %d duplicates, want 1 and %d", acks, dups, n-1)
	}
	var count int
	ctx := context.Background()
	ops, _ := e.st.AuditFor(ctx, e.ev.ID, code, "judge:"+fmt.Sprint(e.judge.ID))
	for _, o := range ops {
		if strings.Contains(o.Detail, "replay-op-1") {
			count++
		}
	}
	if count != 1 {
		t.Errorf("audit holds the operation %d times", count)
	}
	// A reconnecting tablet is told its last acknowledged operation.
	c2 := e.dial()
	if w := c2.hello(tok); w.LastAck != "replay-op-1" {
		t.Errorf("last_ack after reconnect = %q", w.LastAck)
	}
}

func TestSubmitLockReopenAndPushes(t *testing.T) {
	e := newEnv(t, judges.Config{})
	tok, pin := e.login(e.judge)
	c := e.dial()
	w := c.hello(tok)
	// A sheet of the judge's with no marks yet? The demo marked module A
	// fully, so use one of its sheets, all aspects present.
	code := e.codes[0]
	var aspects []judges.AspectInfo
	for _, m := range w.Modules {
		if m.Code == "A" {
			aspects = m.Aspects
		}
	}
	c.send(map[string]any{"type": "clear", "op": "c1", "contestant": code, "module": "A", "aspect": aspects[0].Code})
	if r := c.recv(); r.Type != "ack" {
		t.Fatalf("clear: %s", r.raw)
	}
	c.send(map[string]any{"type": "submit", "op": "s1", "contestant": code, "module": "A", "pin": pin})
	if r := c.recv(); r.Type != "reject" || r.Code != skillscore.EConflict {
		t.Fatalf("submit of an incomplete sheet: %s", r.raw)
	}
	c.send(mark("m1", code, "A", aspects[0].Code, 1))
	c.recv()
	c.send(map[string]any{"type": "submit", "op": "s2", "contestant": code, "module": "A", "pin": pin})
	if r := c.recv(); r.Type != "ack" {
		t.Fatalf("submit: %s", r.raw)
	}
	before := e.state()
	c.send(mark("m2", code, "A", aspects[0].Code, 2))
	if r := c.recv(); r.Type != "reject" || r.Code != skillscore.EConflict {
		t.Fatalf("mark on a submitted sheet: %s", r.raw)
	}
	if e.state() != before {
		t.Fatal("a refused mark on a submitted sheet changed data")
	}
	// The chief judge locks it: the tablet is told.
	sheets, _ := e.st.Sheets(context.Background(), e.ev.ID)
	var sheetID int64
	for _, sh := range sheets {
		if sh.JudgeID == e.judge.ID && sh.Status == "submitted" {
			sheetID = sh.ID
		}
	}
	if _, err := e.svc.SetSheetStatus(context.Background(), e.ev.ID, sheetID, "locked", "", "chief"); err != nil {
		t.Fatal(err)
	}
	if r := c.recv(); r.Type != "sheet" || r.Status != "locked" {
		t.Fatalf("lock push: %s", r.raw)
	}
	c.send(mark("m3", code, "A", aspects[0].Code, 2))
	if r := c.recv(); r.Type != "reject" || r.Code != skillscore.EConflict {
		t.Fatalf("mark on a locked sheet: %s", r.raw)
	}
	if _, err := e.svc.SetSheetStatus(context.Background(), e.ev.ID, sheetID, "open", "", "chief"); skillscore.ErrorCode(err) != skillscore.EInvalid {
		t.Fatalf("reopen without a reason: %v", err)
	}
	if _, err := e.svc.SetSheetStatus(context.Background(), e.ev.ID, sheetID, "open", "裁判误判，复核后更正", "chief"); err != nil {
		t.Fatal(err)
	}
	if r := c.recv(); r.Type != "sheet" || r.Status != "open" {
		t.Fatalf("reopen push: %s", r.raw)
	}
	c.send(mark("m4", code, "A", aspects[0].Code, 2))
	if r := c.recv(); r.Type != "ack" {
		t.Fatalf("mark after reopen: %s", r.raw)
	}
	trail, _ := e.st.AuditFor(context.Background(), e.ev.ID, code, "")
	var actions []string
	for _, a := range trail {
		actions = append(actions, a.Action)
	}
	joined := strings.Join(actions, ",")
	for _, want := range []string{"sheet.submit", "sheet.lock", "sheet.reopen"} {
		if !strings.Contains(joined, want) {
			t.Errorf("audit for %s lacks %s: %s", code, want, joined)
		}
	}
}

func TestRevokedTokenIsRefused(t *testing.T) {
	e := newEnv(t, judges.Config{})
	tok, _ := e.login(e.judge)
	c := e.dial()
	c.hello(tok)
	if _, err := e.svc.Revoke(context.Background(), e.judge.ID, "organizer"); err != nil {
		t.Fatal(err)
	}
	if r := c.recv(); r.Type != "revoked" || r.Code != skillscore.EUnauthorized {
		t.Fatalf("revocation push: %s", r.raw)
	}
	c.ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, _, err := c.ws.ReadMessage()
	if ce, ok := err.(*websocket.CloseError); !ok || ce.Code != judges.CloseUnauthorized {
		t.Fatalf("after revocation: %v, want close %d", err, judges.CloseUnauthorized)
	}
	c2 := e.dial()
	c2.send(map[string]any{"type": "hello", "v": 1, "token": tok})
	if r := c2.recv(); r.Type != "error" || r.Code != skillscore.EUnauthorized {
		t.Fatalf("hello with a revoked token: %s", r.raw)
	}
	// Over HTTP too.
	req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/judge/sync", strings.NewReader(`{"ops":[]}`))
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Fatalf("HTTP sync with a revoked token: %d", resp.StatusCode)
	}
	// Operations before hello are refused too.
	c3 := e.dial()
	c3.send(mark("early", e.codes[0], "A", "A1", 1))
	if r := c3.recv(); r.Code != skillscore.EUnauthorized {
		t.Fatalf("mark before hello: %s", r.raw)
	}
}

func TestOversizeFrameClosesWithTooBig(t *testing.T) {
	e := newEnv(t, judges.Config{MaxMessageBytes: 4096})
	tok, _ := e.login(e.judge)
	c := e.dial()
	c.hello(tok)
	before := e.state()
	big := mark("big", e.codes[0], "A", "A1", 1)
	big["pad"] = strings.Repeat("x", 10000)
	b, _ := json.Marshal(big)
	// The server stops reading at the frame header and hangs up with 1009;
	// the rest of the frame may still be in flight, so the client sees the
	// close frame or, when the hang-up overtakes it, a reset.
	c.ws.WriteMessage(websocket.TextMessage, b)
	c.ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, _, err := c.ws.ReadMessage()
	if ce, ok := err.(*websocket.CloseError); ok && ce.Code != websocket.CloseMessageTooBig {
		t.Fatalf("oversize frame: %v, want close 1009", err)
	} else if !ok && !strings.Contains(fmt.Sprint(err), "reset") {
		t.Fatalf("oversize frame: %v, want close 1009", err)
	}
	if e.state() != before {
		t.Fatal("an oversize frame changed data")
	}
	// The server is fine: a new connection works.
	c2 := e.dial()
	c2.hello(tok)
	c2.send(mark("after-big", e.codes[0], "A", "A1", 1))
	if r := c2.recv(); r.Type != "ack" {
		t.Fatalf("after an oversize frame: %s", r.raw)
	}
}

func TestFloodIsRateLimited(t *testing.T) {
	e := newEnv(t, judges.Config{RatePerSecond: 20, Burst: 50})
	tok, _ := e.login(e.judge)
	c := e.dial()
	c.hello(tok)
	const n = 150 // under 4×burst rejections in a row, after which the server hangs up
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < n; i++ {
			c.ws.WriteMessage(websocket.TextMessage, []byte(`{"type":"ping","id":"`+fmt.Sprint(i)+`"}`))
		}
	}()
	limited, pongs := 0, 0
	for i := 0; i < n; i++ {
		r := c.recv()
		switch {
		case r.Code == skillscore.ERateLimited:
			limited++
		case r.Type == "pong":
			pongs++
		default:
			t.Fatalf("flood reply: %s", r.raw)
		}
	}
	wg.Wait()
	if limited == 0 || pongs < 45 {
		t.Fatalf("flood of %d: %d rate-limited, %d answered", n, limited, pongs)
	}
	// After a pause the connection works again.
	time.Sleep(200 * time.Millisecond)
	c.send(mark("after-flood", e.codes[0], "A", "A1", 1))
	if r := c.recv(); r.Type != "ack" {
		t.Fatalf("mark after the flood: %s", r.raw)
	}
}

func TestPINGuessingIsLimited(t *testing.T) {
	e := newEnv(t, judges.Config{})
	l, err := e.svc.IssueLogin(context.Background(), e.judge.ID, "organizer")
	if err != nil {
		t.Fatal(err)
	}
	try := func(pin string) (int, string) {
		body, _ := json.Marshal(judges.LoginRequest{Ticket: l.Ticket, PIN: pin})
		resp, err := http.Post(e.srv.URL+"/api/v1/judge/login", "application/json", strings.NewReader(string(body)))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	wrong := "000000"
	if l.PIN == wrong {
		wrong = "111111"
	}
	for i := 0; i < 5; i++ {
		if code, _ := try(wrong); code != 401 {
			t.Fatalf("wrong PIN %d: %d", i, code)
		}
	}
	// The ticket is dead now, even with the right PIN.
	if code, body := try(l.PIN); code != 401 || !strings.Contains(body, "失效") {
		t.Fatalf("right PIN after 5 wrong: %d %s", code, body)
	}
	// The address is limited too (10 a minute).
	for i := 0; i < 10; i++ {
		try(wrong)
	}
	if code, _ := try(wrong); code != 429 {
		t.Fatalf("11th attempt within a minute: %d, want 429", code)
	}
}

func TestHTTPSyncHasTheSameSemantics(t *testing.T) {
	e := newEnv(t, judges.Config{})
	tok, _ := e.login(e.judge)
	code := e.codes[1]
	body := `{"ops":[` +
		`{"type":"mark","op":"h1","contestant":"` + code + `","module":"A","aspect":"A1","value":3},` +
		`{"type":"mark","op":"h1","contestant":"` + code + `","module":"A","aspect":"A1","value":3},` +
		`{"type":"mark","op":"h2","contestant":"` + code + `","module":"A","aspect":"A1","value":9},` +
		`{"type":"mark","op":"h3","contestant":5}` +
		`]}`
	post := func() []reply {
		req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/judge/sync", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out struct{ Results []reply }
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 200 {
			t.Fatalf("sync: %d %v", resp.StatusCode, err)
		}
		return out.Results
	}
	r := post()
	if len(r) != 4 || r[0].Type != "ack" || r[0].Dup || r[1].Type != "ack" || !r[1].Dup ||
		r[2].Type != "reject" || r[2].Code != skillscore.EInvalid || r[3].Type != "reject" || r[3].Op != "h3" {
		t.Fatalf("first sync: %+v", r)
	}
	r = post()
	if !r[0].Dup || !r[1].Dup {
		t.Fatalf("second sync should be all duplicates: %+v", r)
	}
}

func TestConflictingAssignmentNeedsAWrittenOverride(t *testing.T) {
	e := newEnv(t, judges.Config{})
	ctx := context.Background()
	cs, _ := e.st.Contestants(ctx, e.ev.ID)
	var conflicted store.Contestant
	for _, c := range cs {
		if judges.ConflictReason(e.judge, c, "") != "" {
			conflicted = c
		}
	}
	before, _ := e.st.Assignments(ctx, e.ev.ID)
	req := judges.AssignRequest{EventID: e.ev.ID, ModuleID: e.mods["A"].ID, JudgeID: e.judge.ID,
		ContestantIDs: []int64{conflicted.ID}, Actor: "organizer"}
	_, conflicts, err := e.svc.Assign(ctx, req)
	if skillscore.ErrorCode(err) != skillscore.EConflict || len(conflicts) != 1 || !strings.Contains(conflicts[0].Reason, "同一设区市") {
		t.Fatalf("conflicting assignment: %v %+v", err, conflicts)
	}
	after, _ := e.st.Assignments(ctx, e.ev.ID)
	if len(after) != len(before) {
		t.Fatal("a refused assignment was stored")
	}
	req.Override = "该市仅此一名具备资质的裁判，经仲裁委员会同意"
	if n, _, err := e.svc.Assign(ctx, req); err != nil || n != 1 {
		t.Fatalf("override: %d %v", n, err)
	}
	trail, _ := e.st.AuditFor(ctx, e.ev.ID, *conflicted.Code, "organizer")
	if len(trail) == 0 || trail[len(trail)-1].Action != "assignment.override" || !strings.Contains(trail[len(trail)-1].Detail, "仲裁委员会") {
		t.Fatalf("override not audited: %+v", trail)
	}
	// A declared relation is a conflict too.
	var plain store.Contestant
	for _, c := range cs {
		if judges.ConflictReason(e.judge, c, "") == "" {
			plain = c
			break
		}
	}
	if err := e.st.AddRelation(ctx, e.ev.ID, store.Relation{JudgeID: e.judge.ID, ContestantID: plain.ID, Relation: "表姐妹"}, "organizer"); err != nil {
		t.Fatal(err)
	}
	req = judges.AssignRequest{EventID: e.ev.ID, ModuleID: e.mods["A"].ID, JudgeID: e.judge.ID,
		ContestantIDs: []int64{plain.ID}, Actor: "organizer"}
	if _, _, err := e.svc.Assign(ctx, req); skillscore.ErrorCode(err) != skillscore.EConflict {
		t.Fatalf("assignment despite a declared relation: %v", err)
	}
}

// TestRevokedOnAnotherInstance: two server instances share the database;
// the organizer revokes the judge's logins through the other one, which
// cannot push to this tablet. The tablet's next mark is refused by the
// store, the connection closes as unauthorized, and nothing is written.
func TestRevokedOnAnotherInstance(t *testing.T) {
	e := newEnv(t, judges.Config{})
	ctx := context.Background()
	tok, _ := e.login(e.judge)
	c := e.dial()
	c.hello(tok)
	c.send(mark("before", e.codes[0], "A", "A1", 1))
	if r := c.recv(); r.Type != "ack" {
		t.Fatalf("mark before the revocation: %s", r.raw)
	}
	other := judges.New(e.st, judges.Config{})
	t.Cleanup(other.Close)
	if _, err := other.Revoke(ctx, e.judge.ID, "organizer"); err != nil {
		t.Fatal(err)
	}
	before := e.state()
	c.send(mark("after", e.codes[0], "A", "A1", 2))
	if r := c.recv(); r.Op != "after" || r.Code != skillscore.EUnauthorized || !strings.Contains(r.Message, "撤销") {
		t.Fatalf("mark after the revocation elsewhere: %s", r.raw)
	}
	c.ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, _, err := c.ws.ReadMessage()
	if ce, ok := err.(*websocket.CloseError); !ok || ce.Code != judges.CloseUnauthorized {
		t.Fatalf("after the refused mark: %v, want close %d", err, judges.CloseUnauthorized)
	}
	if after := e.state(); after != before {
		t.Fatalf("the refused mark changed the store:\n%s\n→\n%s", before, after)
	}
}

// peerLink stands for the broker between two instances (the live
// service's Redis pub/sub in production): what one tells, the other applies.
type peerLink struct{ to *judges.Service }

func (p *peerLink) JudgeChanged(_ context.Context, _, judgeID int64, revoked bool) {
	p.to.PeerChanged(judgeID, revoked)
}

// TestChangesReachTabletsOnAnotherInstance: the tablet is connected to
// this instance; the chief judge reopens its sheet and the organizer
// revokes its login through another one. The tablet hears both.
func TestChangesReachTabletsOnAnotherInstance(t *testing.T) {
	e := newEnv(t, judges.Config{})
	ctx := context.Background()
	other := judges.New(e.st, judges.Config{Peers: &peerLink{to: e.svc}})
	t.Cleanup(other.Close)
	tok, pin := e.login(e.judge)
	c := e.dial()
	c.hello(tok)
	code := e.codes[0]
	c.send(map[string]any{"type": "submit", "op": "s1", "contestant": code, "module": "A", "pin": pin})
	if r := c.recv(); r.Type != "ack" {
		t.Fatalf("submit: %s", r.raw)
	}
	sheets, _ := e.st.Sheets(ctx, e.ev.ID)
	var sheetID int64
	for _, sh := range sheets {
		if sh.JudgeID == e.judge.ID && sh.ModuleID == e.mods["A"].ID && sh.Status == "submitted" {
			sheetID = sh.ID
		}
	}
	if _, err := other.SetSheetStatus(ctx, e.ev.ID, sheetID, "open", "申诉复评", "chief"); err != nil {
		t.Fatal(err)
	}
	r := c.recv()
	var w judges.Welcome
	if err := json.Unmarshal(r.raw, &w); err != nil || w.Type != "welcome" {
		t.Fatalf("after a reopen elsewhere: %s", r.raw)
	}
	status := ""
	for _, a := range w.Assignments {
		if a.Contestant == code && a.Module == "A" {
			status = a.Status
		}
	}
	if status != "open" {
		t.Fatalf("the reloaded view shows the sheet %q, want open", status)
	}
	if _, err := other.Revoke(ctx, e.judge.ID, "organizer"); err != nil {
		t.Fatal(err)
	}
	if r := c.recv(); r.Type != "revoked" {
		t.Fatalf("after a revocation elsewhere: %s", r.raw)
	}
}
