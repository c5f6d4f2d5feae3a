package live_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"skillscore/demo"
	"skillscore/live"
	"skillscore/live/livetest"
	"skillscore/store"
)

// progEnv is the demo programme, with one more running event whose marks
// move that event's line on the board, served by a live service over real
// websockets the way web serves it.
type progEnv struct {
	st     *store.Store
	svc    *live.Service
	srv    *httptest.Server
	marker *livetest.Marker
}

const runningCode = "prog-ws-running"

func newProgEnv(t *testing.T, cfg live.Config) *progEnv {
	t.Helper()
	st := demoProgramme(t)
	ctx := context.Background()
	p, err := st.ProgrammeByCode(ctx, demo.ProgrammeCode)
	if err != nil {
		t.Fatal(err)
	}
	dels, err := st.Delegations(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	m, err := livetest.AddProgrammeEvent(ctx, st, p.ID, dels, 0, runningCode, "看板测试赛项", 40)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Source, cfg.Programmes = st, st
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.MinInterval == 0 {
		cfg.MinInterval = time.Millisecond
	}
	if cfg.PollInterval == 0 {
		cfg.PollInterval = time.Hour // only notifications move the board here
	}
	svc := live.New(cfg)
	up := websocket.Upgrader{ReadBufferSize: 256}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		feed, err := svc.ProgrammeFeed(r.Context(), demo.ProgrammeCode)
		if err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		since, _ := strconv.ParseInt(q.Get("since"), 10, 64)
		conn, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		if q.Get("sndbuf") != "" {
			// A small kernel send buffer: a viewer that stops reading fills
			// it within a few frames instead of megabytes.
			n, _ := strconv.Atoi(q.Get("sndbuf"))
			conn.NetConn().(*net.TCPConn).SetWriteBuffer(n)
		}
		feed.Attach(conn, q.Get("epoch"), since)
	}))
	t.Cleanup(func() {
		svc.Close()
		srv.Close()
	})
	return &progEnv{st: st, svc: svc, srv: srv, marker: m}
}

func (e *progEnv) url(query string) string {
	return "ws" + strings.TrimPrefix(e.srv.URL, "http") + "/live" + query
}

func (e *progEnv) dial(t *testing.T, query string) *livetest.ProgrammeClient {
	t.Helper()
	c, _, err := livetest.DialProgramme(context.Background(), e.url(query))
	if err != nil {
		t.Fatalf("dial %s: %v", query, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// fresh is a new viewer that has applied its first frame.
func (e *progEnv) fresh(t *testing.T) *livetest.ProgrammeClient {
	t.Helper()
	c := e.dial(t, "")
	if err := c.Apply(readProg(t, c)); err != nil {
		t.Fatal(err)
	}
	return c
}

func readProg(t *testing.T, c *livetest.ProgrammeClient) *livetest.ProgrammeMessage {
	t.Helper()
	m, err := c.Read(10 * time.Second)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return m
}

// mark writes a mark in the running event and tells the service.
func (e *progEnv) mark(t *testing.T) {
	t.Helper()
	rev, err := e.marker.Next(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	e.svc.EventChanged(context.Background(), e.marker.Event.ID, rev)
}

// publishTeams publishes or withdraws the team event's results, which puts
// its awards in the table or takes them out.
func (e *progEnv) publishTeams(t *testing.T, on bool) {
	t.Helper()
	ctx := context.Background()
	ev, err := e.st.EventByCode(ctx, demo.TeamsCode)
	if err != nil {
		t.Fatal(err)
	}
	rev, err := e.st.SetPublished(ctx, ev.ID, on, "test")
	if err != nil {
		t.Fatal(err)
	}
	e.svc.EventChanged(ctx, ev.ID, rev)
}

// longPoll is the board the long poll answers now, with its version.
func (e *progEnv) longPoll(t *testing.T) (live.ProgrammeBoard, []byte, string) {
	t.Helper()
	data, etag, err := e.svc.ProgrammeBoard(context.Background(), demo.ProgrammeCode, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	var b live.ProgrammeBoard
	if err := json.Unmarshal(data, &b); err != nil {
		t.Fatal(err)
	}
	return b, data, etag
}

// TestProgrammeSocketSnapshotThenUpdates: a viewer gets the long poll's very
// board, then each change as an update of only what changed — a mark moves
// one event line, a withdrawn publication moves the table — and what it
// builds from them is, at every step, the board the long poll answers: the
// sealing is the long poll's.
func TestProgrammeSocketSnapshotThenUpdates(t *testing.T) {
	e := newProgEnv(t, live.Config{})
	c := e.dial(t, "")
	first := readProg(t, c)
	_, data, etag := e.longPoll(t)
	if first.Type != "snapshot" || !bytes.Contains(first.Raw, data) {
		t.Fatalf("first frame %s is not the long poll's board", first.Raw)
	}
	if want := `"` + first.Epoch + "-" + strconv.FormatInt(first.Revision, 10) + `"`; want != etag {
		t.Fatalf("snapshot at %s, the long poll's ETag %s", want, etag)
	}
	if err := c.Apply(first); err != nil {
		t.Fatal(err)
	}
	same := func(what string) {
		t.Helper()
		b, _, etag := e.longPoll(t)
		if !reflect.DeepEqual(*c.Board, b) {
			t.Fatalf("%s: the websocket viewer's board differs from the long poll's", what)
		}
		if want := `"` + c.Epoch + "-" + strconv.FormatInt(c.Revision, 10) + `"`; want != etag {
			t.Fatalf("%s: viewer at %s, the long poll at %s", what, want, etag)
		}
	}

	e.mark(t)
	m := readProg(t, c)
	if m.Type != "update" || m.From != first.Revision || m.Revision != first.Revision+1 || m.Table != nil ||
		len(m.Events) != 1 || m.Events[0].Code != runningCode {
		t.Fatalf("after a mark: %s", m.Raw)
	}
	if len(m.Raw) >= len(first.Raw)/2 {
		t.Errorf("the update (%d bytes) is not much smaller than the board (%d bytes)", len(m.Raw), len(first.Raw))
	}
	if err := c.Apply(m); err != nil {
		t.Fatal(err)
	}
	same("after a mark")

	// Withdrawn: the team event's awards leave the table; the update says
	// so, and nothing of the sealed event's standings is in it.
	pending := c.Board.Table.Pending
	e.publishTeams(t, false)
	m = readProg(t, c)
	if m.Type != "update" || m.Table == nil || m.Table.Counted != 1 || m.Table.Pending != pending+1 {
		t.Fatalf("after withdrawing a publication: %s", m.Raw)
	}
	if err := c.Apply(m); err != nil {
		t.Fatal(err)
	}
	same("after withdrawing a publication")
	for _, ev := range c.Board.Events {
		if ev.Code == demo.TeamsCode && (ev.Counted || ev.Status != live.StatusRunning) {
			t.Fatalf("the withdrawn event shows as %+v", ev)
		}
	}
	e.publishTeams(t, true)
	m = readProg(t, c)
	if err := c.Apply(m); err != nil {
		t.Fatal(err)
	}
	same("after publishing again")
	if c.Board.Table.Counted != 2 {
		t.Fatalf("published again, %d events counted", c.Board.Table.Counted)
	}
}

// TestProgrammeSocketResumes: a viewer that reconnects with its epoch and
// version gets only what it missed (or nothing, when up to date); one from
// another epoch, or too far back, a snapshot; a gap is answered on resync;
// and what it may send is the event board's: anything else drops it.
func TestProgrammeSocketResumes(t *testing.T) {
	e := newProgEnv(t, live.Config{History: 4, SendQueue: 16})
	c := e.fresh(t)
	epoch, since, base := c.Epoch, c.Revision, *c.Board
	c.Close()
	e.mark(t)
	e.mark(t)
	// Each mark may be its own change or the two one change: wait for the
	// long poll to show both.
	var now int64
	for deadline := time.Now().Add(10 * time.Second); ; {
		b, _, etag := e.longPoll(t)
		if done(b) == done(base)+2 {
			now = version(t, etag)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the board never showed both marks")
		}
		time.Sleep(5 * time.Millisecond) // polling the hub's state, which has no signal to wait on
	}
	r := e.dial(t, "?epoch="+epoch+"&since="+strconv.FormatInt(since, 10))
	r.Epoch, r.Revision, r.Board = epoch, since, &base
	for r.Revision < now {
		m := readProg(t, r)
		if m.Type != "update" {
			t.Fatalf("resuming viewer got a %s", m.Type)
		}
		if err := r.Apply(m); err != nil {
			t.Fatal(err)
		}
	}
	if b, _, _ := e.longPoll(t); !reflect.DeepEqual(*r.Board, b) {
		t.Fatal("the resumed board differs from the long poll's")
	}
	// Up to date: nothing until the next change, which is an update.
	u := e.dial(t, "?epoch="+epoch+"&since="+strconv.FormatInt(now, 10))
	u.Epoch, u.Revision, u.Board = epoch, now, r.Board
	e.mark(t)
	if m := readProg(t, u); m.Type != "update" || m.From != now {
		t.Fatalf("an up-to-date viewer got %s", m.Raw)
	} else if err := u.Apply(m); err != nil {
		t.Fatal(err)
	}
	// A gap: the viewer asks from where it was; a version the hub never had
	// gets a snapshot, as does another epoch.
	if err := u.Resync(epoch, now); err != nil {
		t.Fatal(err)
	}
	if m := readProg(t, u); m.Type != "update" || m.From != now {
		t.Fatalf("resync from %d: %s", now, m.Raw)
	}
	if err := u.Resync(epoch, now+1000); err != nil {
		t.Fatal(err)
	}
	if m := readProg(t, u); m.Type != "snapshot" || m.Revision != u.Revision {
		t.Fatalf("resync from an unknown version: %s", m.Raw)
	}
	o := e.dial(t, "?epoch=another&since=1")
	if m := readProg(t, o); m.Type != "snapshot" || m.Epoch != epoch {
		t.Fatalf("a viewer from another epoch got %s", m.Raw)
	}
	// Anything but a resync drops the sender, and only it.
	if err := o.Conn.WriteMessage(websocket.TextMessage, []byte(`{"type":"mark"}`)); err != nil {
		t.Fatal(err)
	}
	var err error
	for err == nil {
		_, err = o.Read(5 * time.Second)
	}
	if ce, ok := err.(*websocket.CloseError); !ok || ce.Code != websocket.ClosePolicyViolation {
		t.Fatalf("a hostile viewer's connection ended with %v, want close 1008", err)
	}
	e.mark(t)
	if err := u.Apply(readProg(t, u)); err != nil {
		t.Fatal(err)
	}
}

// version reads the board's version from the long poll's ETag "EPOCH-V".
func version(t *testing.T, etag string) int64 {
	t.Helper()
	v, err := strconv.ParseInt(strings.Trim(etag[strings.LastIndex(etag, "-")+1:], `"`), 10, 64)
	if err != nil {
		t.Fatalf("ETag %s: %v", etag, err)
	}
	return v
}

// done counts the marks a board shows.
func done(b live.ProgrammeBoard) int {
	n := 0
	for _, ev := range b.Events {
		if ev.Progress != nil {
			n += ev.Progress.Done
		}
	}
	return n
}

// TestProgrammeSlowViewerIsDroppedNotWaitedFor: a viewer that never reads,
// behind tiny socket buffers, is dropped once its backlog is full, while a
// reading viewer gets every change, in order, each as soon as it is made.
func TestProgrammeSlowViewerIsDroppedNotWaitedFor(t *testing.T) {
	e := newProgEnv(t, live.Config{SendQueue: 4, WriteWait: time.Minute})
	good := e.fresh(t)
	slow, _, err := smallBuffers().Dial(e.url("?sndbuf=4096"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	for deadline := time.Now().Add(5 * time.Second); e.svc.ProgrammeViewers(demo.ProgrammeCode) != 2; {
		if time.Now().After(deadline) {
			t.Fatal("the slow viewer never joined")
		}
		time.Sleep(5 * time.Millisecond) // polling a count that has no signal
	}
	published := true
	var longest time.Duration
	for changes := 0; e.svc.ProgrammeViewers(demo.ProgrammeCode) > 1; changes++ {
		if changes == 200 {
			t.Fatalf("the slow viewer was never dropped after %d changes", changes)
		}
		// Withdrawing and publishing again rewrites the table's rows and
		// their reasons: large frames, which fill the slow viewer fast.
		published = !published
		start := time.Now()
		e.publishTeams(t, published)
		m := readProg(t, good)
		if err := good.Apply(m); err != nil {
			t.Fatal(err)
		}
		longest = max(longest, time.Since(start))
	}
	if b, _, _ := e.longPoll(t); !reflect.DeepEqual(*good.Board, b) {
		t.Fatal("the reading viewer's board differs from the long poll's")
	}
	// The reading viewer was never held up by the slow one: every change
	// reached it well inside the slow viewer's write timeout (a minute).
	if longest > 5*time.Second {
		t.Errorf("a change took %v to reach the reading viewer", longest)
	}
}

// TestProgrammeSocketPingsAndGoodbye: viewers are pinged like the event
// board's, and told the server is going away when the service stops.
func TestProgrammeSocketPingsAndGoodbye(t *testing.T) {
	e := newProgEnv(t, live.Config{PingInterval: 20 * time.Millisecond})
	c := e.fresh(t)
	pinged := make(chan struct{}, 1)
	c.Conn.SetPingHandler(func(string) error {
		select {
		case pinged <- struct{}{}:
		default:
		}
		return nil
	})
	go func() {
		for {
			if _, err := c.Read(10 * time.Second); err != nil {
				return
			}
		}
	}()
	select {
	case <-pinged:
	case <-time.After(10 * time.Second):
		t.Fatal("no ping")
	}
	c.Close()
	d := e.fresh(t)
	e.svc.Close()
	var err error
	for err == nil {
		_, err = d.Read(10 * time.Second)
	}
	if ce, ok := err.(*websocket.CloseError); !ok || ce.Code != websocket.CloseGoingAway {
		t.Fatalf("after Close the viewer's connection ended with %v, want close 1001", err)
	}
}
