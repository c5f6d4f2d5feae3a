package judges_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"skillscore"
	"skillscore/judges"
	"skillscore/store"
)

// clock is a test clock the service reads (Config.Now): rate limits refill
// only when a test advances it.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Now()} }

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// sync posts operations to /api/v1/judge/sync: the HTTP status and, on 200,
// the results.
func (e *env) sync(token string, ops []map[string]any) (int, []reply) {
	e.t.Helper()
	body, _ := json.Marshal(map[string]any{"ops": ops})
	req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/judge/sync", strings.NewReader(string(body)))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Results []json.RawMessage
		Error   struct{ Code string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		e.t.Fatalf("sync answer: %v", err)
	}
	if resp.StatusCode != 200 {
		return resp.StatusCode, []reply{{Code: out.Error.Code}}
	}
	rs := make([]reply, len(out.Results))
	for i, raw := range out.Results {
		json.Unmarshal(raw, &rs[i])
		rs[i].raw = raw
	}
	return resp.StatusCode, rs
}

// audited is how many operations the audit holds (sheet.mark, sheet.clear,
// sheet.submit): one per stored operation.
func (e *env) audited() int {
	e.t.Helper()
	trail, err := e.st.AuditFor(context.Background(), e.ev.ID, "", "")
	if err != nil {
		e.t.Fatal(err)
	}
	n := 0
	for _, a := range trail {
		if strings.HasPrefix(a.Action, "sheet.") {
			n++
		}
	}
	return n
}

// marks makes n distinct valid marks of the judge's (J01's) module A sheets.
func (e *env) marks(prefix string, n int) []map[string]any {
	ops := make([]map[string]any, n)
	for i := range ops {
		ops[i] = mark(fmt.Sprintf("%s-%d", prefix, i), e.codes[i%2], "A", "A1", i%4)
	}
	return ops
}

// closeCode reads until the connection closes and returns its close code
// and the messages before it.
func (c *client) closeCode() (int, []reply) {
	c.t.Helper()
	var before []reply
	for {
		c.ws.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			if ce, ok := err.(*websocket.CloseError); ok {
				return ce.Code, before
			}
			c.t.Fatalf("read until close: %v (after %d messages)", err, len(before))
		}
		var r reply
		json.Unmarshal(data, &r)
		r.raw = data
		before = append(before, r)
	}
}

// otherJudge is a second judge on module A's panel with a sheet there: its
// code and one assigned contestant code.
func (e *env) otherJudge() (store.Judge, string) {
	e.t.Helper()
	ctx := context.Background()
	as, _ := e.st.Assignments(ctx, e.ev.ID)
	js, _ := e.st.Judges(ctx, e.ev.ID)
	cs, _ := e.st.Contestants(ctx, e.ev.ID)
	for _, a := range as {
		if a.ModuleID != e.mods["A"].ID || a.JudgeID == e.judge.ID {
			continue
		}
		for _, j := range js {
			for _, c := range cs {
				if j.ID == a.JudgeID && c.ID == a.ContestantID && c.Code != nil {
					return j, *c.Code
				}
			}
		}
	}
	e.t.Fatal("the demo has no second judge on module A")
	return store.Judge{}, ""
}

// TestOpIDOfAnotherJudgeIsAConflictNotADuplicate: judge B reusing judge A's
// op id, over websocket and over HTTP, is refused as a conflict: nothing is
// stored and A's revision is not revealed. A's own resend after a
// reconnect is still acknowledged as a duplicate, once.
func TestOpIDOfAnotherJudgeIsAConflictNotADuplicate(t *testing.T) {
	e := newEnv(t, judges.Config{})
	tokA, _ := e.login(e.judge)
	a := e.dial()
	a.hello(tokA)
	a.send(mark("tablet-a-1", e.codes[0], "A", "A1", 2))
	first := a.recv()
	if first.Type != "ack" || first.Dup {
		t.Fatalf("A's mark: %s", first.raw)
	}
	a.ws.Close()

	judgeB, codeB := e.otherJudge()
	tokB, _ := e.login(judgeB)
	b := e.dial()
	b.hello(tokB)
	before, audited := e.state(), e.audited()
	b.send(mark("tablet-a-1", codeB, "A", "A1", 3))
	r := b.recv()
	if r.Type != "reject" || r.Code != skillscore.EConflict || r.Op != "tablet-a-1" || r.Dup ||
		strings.Contains(string(r.raw), `"rev"`) || strings.Contains(r.Message, fmt.Sprint(first.Rev)) {
		t.Fatalf("B reusing A's op id over websocket: %s", r.raw)
	}
	status, rs := e.sync(tokB, []map[string]any{mark("tablet-a-1", codeB, "A", "A1", 3)})
	if status != 200 || len(rs) != 1 || rs[0].Type != "reject" || rs[0].Code != skillscore.EConflict ||
		strings.Contains(string(rs[0].raw), `"rev"`) {
		t.Fatalf("B reusing A's op id over HTTP: %d %s", status, rs[0].raw)
	}
	if e.state() != before || e.audited() != audited {
		t.Fatal("another judge's reused op id changed the store")
	}

	// A reconnects and resends: one duplicate acknowledgement, with the
	// revision its mark produced; still stored once.
	a2 := e.dial()
	a2.hello(tokA)
	a2.send(mark("tablet-a-1", e.codes[0], "A", "A1", 2))
	if r := a2.recv(); r.Type != "ack" || !r.Dup || r.Rev != first.Rev {
		t.Fatalf("A's resend after a reconnect: %s, want a duplicate of revision %d", r.raw, first.Rev)
	}
	a2.send(map[string]any{"type": "ping", "id": "after"})
	if r := a2.recv(); r.Type != "pong" {
		t.Fatalf("one resend answered more than once: %s", r.raw)
	}
	trail, _ := e.st.AuditFor(context.Background(), e.ev.ID, "", "")
	n := 0
	for _, entry := range trail {
		if strings.Contains(entry.Detail, `"tablet-a-1"`) {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("the op is audited %d times, want once", n)
	}
}

// TestHTTPSyncIsRateLimitedPerLogin: one login's operations over HTTP are
// limited like a websocket's messages. Those over the allowance are
// refused (rate_limited) and not stored; a request with none left is 429.
func TestHTTPSyncIsRateLimitedPerLogin(t *testing.T) {
	clk := newClock()
	e := newEnv(t, judges.Config{RatePerSecond: 10, Burst: 40, Now: clk.now})
	tok, _ := e.login(e.judge)
	audited := e.audited()
	ops := e.marks("flood", 60)
	acked, limited := 0, 0
	for i := 0; i < 3; i++ {
		status, rs := e.sync(tok, ops[i*15:(i+1)*15])
		if status != 200 {
			t.Fatalf("request %d: %d", i, status)
		}
		for _, r := range rs {
			switch {
			case r.Type == "ack" && !r.Dup:
				acked++
			case r.Type == "reject" && r.Code == skillscore.ERateLimited:
				limited++
			default:
				t.Fatalf("request %d: %s", i, r.raw)
			}
		}
	}
	if acked != 40 || limited != 5 {
		t.Fatalf("45 operations against a burst of 40: %d acknowledged, %d rate-limited", acked, limited)
	}
	if status, rs := e.sync(tok, ops[45:60]); status != http.StatusTooManyRequests || rs[0].Code != skillscore.ERateLimited {
		t.Fatalf("a request with no allowance left: %d %+v", status, rs)
	}
	if got := e.audited() - audited; got != 40 {
		t.Fatalf("%d operations stored, want the 40 acknowledged", got)
	}
	// A second later the login has ten more: the refused operations were
	// not stored, so they are acknowledged fresh, not as duplicates.
	clk.advance(time.Second)
	status, rs := e.sync(tok, ops[40:55])
	if status != 200 {
		t.Fatalf("after a second: %d", status)
	}
	for i, r := range rs {
		if want := i < 10; (r.Type == "ack" && !r.Dup) != want || !want && r.Code != skillscore.ERateLimited {
			t.Fatalf("after a second, operation %d: %s", i, r.raw)
		}
	}
	if got := e.audited() - audited; got != 50 {
		t.Fatalf("%d operations stored, want 50", got)
	}
}

// TestHTTPStateIsRateLimited: each state read (a whole view from the
// database) counts against the login's allowance too.
func TestHTTPStateIsRateLimited(t *testing.T) {
	clk := newClock()
	e := newEnv(t, judges.Config{RatePerSecond: 1, Burst: 3, Now: clk.now})
	tok, _ := e.login(e.judge)
	get := func() int {
		req, _ := http.NewRequest("GET", e.srv.URL+"/api/v1/judge/state", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for i := 0; i < 3; i++ {
		if status := get(); status != 200 {
			t.Fatalf("state read %d: %d", i, status)
		}
	}
	if status := get(); status != http.StatusTooManyRequests {
		t.Fatalf("fourth state read at once: %d, want 429", status)
	}
	clk.advance(time.Second)
	if status := get(); status != 200 {
		t.Fatalf("state read a second later: %d", status)
	}
}

// TestHTTPSyncIsRateLimitedPerAddress: fresh logins do not buy a client
// address more than its share (ten logins' worth).
func TestHTTPSyncIsRateLimitedPerAddress(t *testing.T) {
	clk := newClock()
	e := newEnv(t, judges.Config{RatePerSecond: 1, Burst: 20, Now: clk.now})
	ctx := context.Background()
	audited := e.audited()
	acked, limited, status := 0, 0, 0
	for i := 0; i < 11; i++ {
		// A new device: a fresh login allowance (redeemed directly, as the
		// login route's own limit would stop eleven logins a minute).
		l, err := e.svc.IssueLogin(ctx, e.judge.ID, "organizer")
		if err != nil {
			t.Fatal(err)
		}
		tok, _, err := e.svc.Redeem(ctx, l.Ticket, l.PIN, "tablet", fmt.Sprintf("10.0.0.%d", i))
		if err != nil {
			t.Fatal(err)
		}
		var rs []reply
		status, rs = e.sync(tok, e.marks(fmt.Sprintf("addr%d", i), 20))
		if status != 200 {
			break
		}
		for _, r := range rs {
			switch {
			case r.Type == "ack" && !r.Dup:
				acked++
			case r.Code == skillscore.ERateLimited:
				limited++
			default:
				t.Fatalf("login %d: %s", i, r.raw)
			}
		}
	}
	// 200 per address, each request counting one more: nine requests
	// whole (189), ten of the tenth's twenty, and the eleventh refused.
	if acked != 190 || limited != 10 || status != http.StatusTooManyRequests {
		t.Fatalf("eleven logins from one address: %d acknowledged, %d rate-limited, last status %d", acked, limited, status)
	}
	if got := e.audited() - audited; got != acked {
		t.Fatalf("%d operations stored, %d acknowledged", got, acked)
	}
}

// TestHTTPReplayAfterOutageIsNotLimited: a tablet replaying the few hundred
// marks it queued during an outage, in its batches of 200 one after the
// other, is within the documented rate: nothing is refused.
func TestHTTPReplayAfterOutageIsNotLimited(t *testing.T) {
	e := newEnv(t, judges.Config{})
	tok, _ := e.login(e.judge)
	queued := e.marks("outage", 800)
	for start := 0; start < len(queued); start += 200 {
		status, rs := e.sync(tok, queued[start:start+200])
		if status != 200 {
			t.Fatalf("batch at %d: %d", start, status)
		}
		for i, r := range rs {
			if r.Type != "ack" || r.Dup {
				t.Fatalf("batch at %d, op %d: %s", start, i, r.raw)
			}
		}
	}
}

// TestSustainedFloodClosesWith4008: a client sending five times the rate
// gets one message through at every refill; counted over a window, its
// rejections close the connection with 4008 as documented.
func TestSustainedFloodClosesWith4008(t *testing.T) {
	clk := newClock()
	e := newEnv(t, judges.Config{RatePerSecond: 10000, Burst: 10, Now: clk.now})
	tok, _ := e.login(e.judge)
	c := e.dial()
	c.hello(tok)
	ping := func(n int) {
		for i := 0; i < n; i++ {
			c.sendRaw(`{"type":"ping"}`)
		}
	}
	ping(9) // the burst, less the hello
	for i := 0; i < 9; i++ {
		if r := c.recv(); r.Type != "pong" {
			t.Fatalf("within the burst: %s", r.raw)
		}
	}
	limited := 0
	for round := 0; round < 20; round++ {
		clk.advance(100 * time.Microsecond) // one message's worth
		// Five messages a refill, each sent once the one before is
		// answered: the server's answers and its close come in order, and
		// no ping is written into a socket the server has already closed.
		for i := 0; i < 5; i++ {
			c.sendRaw(`{"type":"ping"}`)
			c.ws.SetReadDeadline(time.Now().Add(10 * time.Second))
			_, data, err := c.ws.ReadMessage()
			if ce, ok := err.(*websocket.CloseError); ok {
				if ce.Code != judges.CloseRateLimited || limited != 41 {
					t.Fatalf("closed with %d after %d rejections, want %d after 41", ce.Code, limited, judges.CloseRateLimited)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var r reply
			json.Unmarshal(data, &r)
			if r.Code == skillscore.ERateLimited {
				limited++
			} else if r.Type != "pong" {
				t.Fatalf("flood reply: %s", data)
			}
		}
	}
	t.Fatalf("a flood at five times the rate was not closed after %d rejections", limited)
}

// TestOneMistakeAMinuteNeverCloses: a judge who goes over the limit once a
// minute (and sends one bad mark) for an hour stays connected.
func TestOneMistakeAMinuteNeverCloses(t *testing.T) {
	clk := newClock()
	e := newEnv(t, judges.Config{RatePerSecond: 10000, Burst: 10, Now: clk.now})
	tok, _ := e.login(e.judge)
	c := e.dial()
	c.hello(tok)
	for minute := 0; minute < 60; minute++ {
		clk.advance(time.Minute)
		c.send(mark(fmt.Sprintf("bad-%d", minute), e.codes[0], "A", "A1", 7))
		for i := 0; i < 10; i++ {
			c.sendRaw(`{"type":"ping"}`)
		}
		if r := c.recv(); r.Code != skillscore.EInvalid {
			t.Fatalf("minute %d, bad mark: %s", minute, r.raw)
		}
		limited := 0
		for i := 0; i < 10; i++ {
			if r := c.recv(); r.Code == skillscore.ERateLimited {
				limited++
			} else if r.Type != "pong" {
				t.Fatalf("minute %d: %s", minute, r.raw)
			}
		}
		if limited != 1 {
			t.Fatalf("minute %d: %d rate-limited, want 1", minute, limited)
		}
	}
	clk.advance(time.Minute)
	c.send(mark("after-an-hour", e.codes[0], "A", "A1", 1))
	if r := c.recv(); r.Type != "ack" {
		t.Fatalf("after an hour of one mistake a minute: %s", r.raw)
	}
}

// TestHelloTimeoutSendsAnErrorThenCloses: a connection that says no hello
// in time, even one that keeps sending pongs, is told why, then closed
// with 1008.
func TestHelloTimeoutSendsAnErrorThenCloses(t *testing.T) {
	e := newEnv(t, judges.Config{HelloTimeout: 300 * time.Millisecond})
	c := e.dial()
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				if c.ws.WriteControl(websocket.PongMessage, nil, time.Now().Add(time.Second)) != nil {
					return
				}
			}
		}
	}()
	code, before := c.closeCode()
	close(stop)
	<-done
	if code != websocket.ClosePolicyViolation || len(before) != 1 || before[0].Type != "error" ||
		before[0].Code != skillscore.EInvalid || !strings.Contains(before[0].Message, "hello") {
		t.Fatalf("no hello: close %d after %v", code, before)
	}
}

// TestUnreadableHelloCloses: a hello whose v (or token) has the wrong type
// is a wrong protocol: error, then close 1008, as a wrong version.
func TestUnreadableHelloCloses(t *testing.T) {
	e := newEnv(t, judges.Config{})
	tok, _ := e.login(e.judge)
	for _, hello := range []string{
		`{"type":"hello","v":"1","token":"` + tok + `"}`,
		`{"type":"hello","v":1,"token":7}`,
		`{"type":"hello","v":2,"token":"` + tok + `"}`,
		`{"type":"hello",`,
	} {
		c := e.dial()
		c.sendRaw(hello)
		code, before := c.closeCode()
		if code != websocket.ClosePolicyViolation || len(before) != 1 || before[0].Type != "error" || before[0].Code != skillscore.EInvalid {
			t.Fatalf("%s: close %d after %v", hello, code, before)
		}
	}
}

// TestBinaryFramesAreRefused: the protocol is JSON text; a binary frame,
// even one holding a valid mark, is refused and the connection closed with
// 1003; nothing is stored.
func TestBinaryFramesAreRefused(t *testing.T) {
	e := newEnv(t, judges.Config{})
	tok, _ := e.login(e.judge)
	c := e.dial()
	c.hello(tok)
	before := e.state()
	b, _ := json.Marshal(mark("binary-1", e.codes[0], "A", "A1", 3))
	if err := c.ws.WriteMessage(websocket.BinaryMessage, b); err != nil {
		t.Fatal(err)
	}
	code, replies := c.closeCode()
	if code != websocket.CloseUnsupportedData || len(replies) != 1 || replies[0].Type != "error" || replies[0].Code != skillscore.EInvalid {
		t.Fatalf("binary frame: close %d after %v", code, replies)
	}
	if e.state() != before {
		t.Fatal("a binary frame changed the store")
	}
}

// TestPongEchoesTheID: whatever JSON value the ping's id is, the pong
// carries it unchanged; a ping without one gets a pong without one.
func TestPongEchoesTheID(t *testing.T) {
	e := newEnv(t, judges.Config{})
	tok, _ := e.login(e.judge)
	c := e.dial()
	c.hello(tok)
	long := `"` + strings.Repeat("心跳", 40) + `"`
	for _, id := range []string{long, `7`, `{"seq":[1,2]}`, `"1733000000000"`} {
		c.sendRaw(`{"type":"ping","id":` + id + `}`)
		r := c.recv()
		var got struct {
			Type string          `json:"type"`
			ID   json.RawMessage `json:"id"`
		}
		json.Unmarshal(r.raw, &got)
		if got.Type != "pong" || string(got.ID) != id {
			t.Fatalf("ping id %s: %s", id, r.raw)
		}
	}
	c.sendRaw(`{"type":"ping"}`)
	if r := c.recv(); r.Type != "pong" || strings.Contains(string(r.raw), `"id"`) {
		t.Fatalf("ping without an id: %s", r.raw)
	}
}

// TestBadOpIDsGetOneAnswer: missing, empty, null, numeric, over-long and
// non-ASCII op ids all get the same reject (invalid, same message, no op
// echoed), over websocket and over HTTP, whatever else is wrong with the
// operation; nothing is stored.
func TestBadOpIDsGetOneAnswer(t *testing.T) {
	e := newEnv(t, judges.Config{})
	tok, _ := e.login(e.judge)
	c := e.dial()
	c.hello(tok)
	code := e.codes[0]
	rest := `"contestant":"` + code + `","module":"A","aspect":"A1","value":1`
	ops := []string{
		`{"type":"mark",` + rest + `}`,
		`{"type":"mark","op":"",` + rest + `}`,
		`{"type":"mark","op":null,` + rest + `}`,
		`{"type":"mark","op":12345,` + rest + `}`,
		`{"type":"mark","op":"` + strings.Repeat("x", 65) + `",` + rest + `}`,
		`{"type":"mark","op":"has space",` + rest + `}`,
		`{"type":"mark","op":"评分1",` + rest + `}`,
		`{"type":"mark","op":12345,"contestant":5,"module":"A","aspect":"A1","value":1}`,
		`{"type":"clear","op":["x"],"contestant":"` + code + `","module":"A","aspect":"A1"}`,
		`{"type":"submit","op":true,"contestant":"` + code + `","module":"A","pin":"000000"}`,
	}
	before := e.state()
	var want *reply
	same := func(how, msg string, r reply) {
		t.Helper()
		if r.Type != "reject" || r.Code != skillscore.EInvalid || r.Op != "" || strings.Contains(string(r.raw), `"op"`) {
			t.Fatalf("%s %s: %s", how, msg, r.raw)
		}
		if want == nil {
			want = &r
		} else if r.Message != want.Message {
			t.Fatalf("%s %s: message %q, others got %q", how, msg, r.Message, want.Message)
		}
	}
	for _, msg := range ops {
		c.sendRaw(msg)
		same("websocket", msg, c.recv())
	}
	raws := make([]json.RawMessage, len(ops))
	for i, msg := range ops {
		raws[i] = json.RawMessage(msg)
	}
	body, _ := json.Marshal(map[string]any{"ops": raws})
	req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/judge/sync", strings.NewReader(string(body)))
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ Results []json.RawMessage }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || len(out.Results) != len(ops) {
		t.Fatalf("sync: %d %v", resp.StatusCode, err)
	}
	for i, raw := range out.Results {
		var r reply
		json.Unmarshal(raw, &r)
		r.raw = raw
		same("HTTP", ops[i], r)
	}
	if e.state() != before {
		t.Fatal("operations with bad op ids changed the store")
	}
}

// TestWrongSubmitPINsRevokeTheJudge: wrong PINs on submit count against
// the login card with the login's; at the tenth in all every device of the
// judge is revoked (documented in docs/protocol.md).
func TestWrongSubmitPINsRevokeTheJudge(t *testing.T) {
	e := newEnv(t, judges.Config{})
	tok, pin := e.login(e.judge)
	wrong := "000000"
	if pin == wrong {
		wrong = "111111"
	}
	c := e.dial()
	c.hello(tok)
	for i := 1; i < 10; i++ {
		c.send(map[string]any{"type": "submit", "op": fmt.Sprintf("pin-%d", i), "contestant": e.codes[0], "module": "A", "pin": wrong})
		if r := c.recv(); r.Type != "reject" || r.Code != skillscore.EUnauthorized {
			t.Fatalf("wrong PIN %d: %s", i, r.raw)
		}
	}
	c.send(map[string]any{"type": "submit", "op": "pin-10", "contestant": e.codes[0], "module": "A", "pin": wrong})
	code, before := c.closeCode()
	revoked := false
	for _, r := range before {
		revoked = revoked || r.Type == "revoked"
	}
	if code != judges.CloseUnauthorized || !revoked {
		t.Fatalf("tenth wrong PIN: close %d after %v", code, before)
	}
	if status, _ := e.sync(tok, nil); status != http.StatusUnauthorized {
		t.Fatalf("the revoked token over HTTP: %d", status)
	}
}

// TestHelloWhenTheDatabaseFailsKeepsTheLogin: a hello the server cannot
// check (the database is gone) is not "unauthorized": the tablet must not
// drop its login, so the close is 1011, not 4001.
func TestHelloWhenTheDatabaseFailsKeepsTheLogin(t *testing.T) {
	e := newEnv(t, judges.Config{})
	tok, _ := e.login(e.judge)
	e.st.Close()
	c := e.dial()
	c.send(map[string]any{"type": "hello", "v": 1, "token": tok})
	code, before := c.closeCode()
	if code != websocket.CloseInternalServerErr || len(before) != 1 || before[0].Type != "error" || before[0].Code == skillscore.EUnauthorized {
		t.Fatalf("hello with the database closed: close %d after %v", code, before)
	}
}

// TestHellosAreRateLimited: a client that keeps opening connections gets a
// fresh per-connection limit each time, so hellos (each loads a whole view)
// count against the login's allowance: over it, rate_limited and 4008.
func TestHellosAreRateLimited(t *testing.T) {
	clk := newClock()
	e := newEnv(t, judges.Config{RatePerSecond: 1, Burst: 3, Now: clk.now})
	tok, _ := e.login(e.judge)
	for i := 0; i < 3; i++ {
		c := e.dial()
		c.hello(tok)
		c.ws.Close()
	}
	c := e.dial()
	c.send(map[string]any{"type": "hello", "v": 1, "token": tok})
	code, before := c.closeCode()
	if code != judges.CloseRateLimited || len(before) != 1 || before[0].Code != skillscore.ERateLimited {
		t.Fatalf("fourth hello at once: close %d after %v", code, before)
	}
	clk.advance(time.Second)
	e.dial().hello(tok)
}

// TestConnectionsOfOneLoginShareItsRate: a second connection with the same
// token buys no more rate: their messages count against one allowance.
func TestConnectionsOfOneLoginShareItsRate(t *testing.T) {
	clk := newClock()
	e := newEnv(t, judges.Config{RatePerSecond: 1, Burst: 10, Now: clk.now})
	tok, _ := e.login(e.judge)
	c1, c2 := e.dial(), e.dial()
	c1.hello(tok)
	c2.hello(tok) // the login has 8 left; each connection 9
	for i := 0; i < 4; i++ {
		c1.sendRaw(`{"type":"ping"}`)
		if r := c1.recv(); r.Type != "pong" {
			t.Fatalf("first connection, ping %d: %s", i, r.raw)
		}
	}
	pongs, limited := 0, 0
	for i := 0; i < 5; i++ {
		c2.sendRaw(`{"type":"ping"}`)
		switch r := c2.recv(); {
		case r.Type == "pong":
			pongs++
		case r.Code == skillscore.ERateLimited:
			limited++
		default:
			t.Fatalf("second connection: %s", r.raw)
		}
	}
	if pongs != 4 || limited != 1 {
		t.Fatalf("second connection: %d answered, %d rate-limited; want 4 and 1", pongs, limited)
	}
}
