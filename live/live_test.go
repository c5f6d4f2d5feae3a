package live_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"skillscore/demo"
	"skillscore/internal/testenv"
	"skillscore/live"
	"skillscore/live/livetest"
	"skillscore/store"
)

// env is one server with the demo event, its live service and a marker.
type env struct {
	st     *store.Store
	svc    *live.Service
	srv    *httptest.Server
	marker *livetest.Marker
}

func newStore(t *testing.T) *store.Store {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "live.db"), store.Options{Keys: testenv.Keys(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ev, err := demo.Create(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	// The marker's marks are never submitted: the public board moves with
	// them as sports-style live marks, the setting these stream tests run on.
	if _, err := st.SetLiveSettings(ctx, ev.ID, false, true, "test"); err != nil {
		t.Fatal(err)
	}
	return st
}

func newEnv(t *testing.T, st *store.Store, cfg live.Config) *env {
	t.Helper()
	cfg.Source = st
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	svc := live.New(cfg)
	srv := httptest.NewServer(handler(svc))
	t.Cleanup(func() {
		svc.Close()
		srv.Close()
	})
	m, err := livetest.NewMarker(context.Background(), st, demo.EventCode)
	if err != nil {
		t.Fatal(err)
	}
	return &env{st: st, svc: svc, srv: srv, marker: m}
}

// handler serves the stream the way web does, without the rest of web.
func handler(svc *live.Service) http.Handler {
	up := websocket.Upgrader{ReadBufferSize: 256}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		view, ok := live.ParseView(q.Get("view"))
		if !ok {
			http.Error(w, "bad view", http.StatusBadRequest)
			return
		}
		feed, err := svc.Feed(r.Context(), demo.EventCode, view)
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
		feed.Attach(conn, q.Get("epoch"), since, nil)
	})
}

func (e *env) url(query string) string {
	return "ws" + strings.TrimPrefix(e.srv.URL, "http") + "/live" + query
}

func (e *env) dial(t *testing.T, query string) *livetest.Client {
	t.Helper()
	c, _, err := livetest.Dial(context.Background(), e.url(query))
	if err != nil {
		t.Fatalf("dial %s: %v", query, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// mark writes one mark and tells the live service, as the judges' side does
// after its commit.
func (e *env) mark(t *testing.T) int64 {
	t.Helper()
	rev, err := e.marker.Next(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	e.svc.EventChanged(context.Background(), e.marker.Event.ID, rev)
	return rev
}

func read(t *testing.T, c *livetest.Client) *livetest.Message {
	t.Helper()
	m, err := c.Read(10 * time.Second)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return m
}

// readApply reads frames until the client reaches revision rev, applying
// each and failing on any gap.
func readApply(t *testing.T, c *livetest.Client, rev int64) []*livetest.Message {
	t.Helper()
	var got []*livetest.Message
	for c.Revision < rev {
		m := read(t, c)
		if err := c.Apply(m); err != nil {
			t.Fatal(err)
		}
		got = append(got, m)
	}
	if c.Revision != rev {
		t.Fatalf("client at revision %d, want %d", c.Revision, rev)
	}
	return got
}

// fresh returns the board a new viewer of view gets now.
func (e *env) fresh(t *testing.T, query string) *livetest.Client {
	t.Helper()
	c := e.dial(t, query)
	if err := c.Apply(read(t, c)); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestSnapshotThenUpdatesInRevisionOrder(t *testing.T) {
	e := newEnv(t, newStore(t), live.Config{MinInterval: time.Millisecond})
	c := e.dial(t, "")
	first := read(t, c)
	if first.Type != "snapshot" || first.Board == nil || first.Revision != e.marker.Event.Revision {
		t.Fatalf("first frame: type %s revision %d, want a snapshot at %d", first.Type, first.Revision, e.marker.Event.Revision)
	}
	if err := c.Apply(first); err != nil {
		t.Fatal(err)
	}
	var last int64
	for i := 0; i < 12; i++ {
		last = e.mark(t)
	}
	frames := readApply(t, c, last)
	for _, f := range frames {
		if f.Type != "update" {
			t.Errorf("frame %d→%d is a %s, want an update", f.From, f.Revision, f.Type)
		}
	}
	// What the client built from updates is exactly what a new viewer sees.
	if want := e.fresh(t, ""); !reflect.DeepEqual(c.Board, want.Board) || want.Revision != last {
		t.Fatalf("board built from updates differs from a fresh snapshot at %d", want.Revision)
	}
}

func TestReconnectResumesFromRevision(t *testing.T) {
	e := newEnv(t, newStore(t), live.Config{MinInterval: time.Millisecond, History: 4, SendQueue: 16})
	c := e.fresh(t, "")
	epoch, since := c.Epoch, c.Revision
	c.Close()
	rev := e.mark(t)
	e.fresh(t, "") // waits until the hub has the new board
	r := e.dial(t, "?epoch="+epoch+"&since="+strconv.FormatInt(since, 10))
	r.Epoch, r.Revision, r.Board = c.Epoch, c.Revision, c.Board
	m := read(t, r)
	if m.Type != "update" || m.From != since || m.Revision != rev {
		t.Fatalf("resumed viewer got %s %d→%d, want the update %d→%d", m.Type, m.From, m.Revision, since, rev)
	}
	if err := r.Apply(m); err != nil {
		t.Fatal(err)
	}
	// Up to date already: nothing is sent until the next change.
	u := e.dial(t, "?epoch="+epoch+"&since="+strconv.FormatInt(rev, 10))
	next := e.mark(t)
	u.Epoch, u.Revision, u.Board = r.Epoch, r.Revision, r.Board
	if m := read(t, u); m.Type != "update" || m.From != rev || m.Revision != next {
		t.Fatalf("up-to-date viewer got %s %d→%d, want the update %d→%d", m.Type, m.From, m.Revision, rev, next)
	} else if err := u.Apply(m); err != nil {
		t.Fatal(err)
	}
	// Further back than the history reaches: a snapshot. Each mark is
	// waited for, so each makes its own update instead of coalescing.
	for i := 0; i < 6; i++ {
		next = e.mark(t)
		readApply(t, u, next)
	}
	old := e.dial(t, "?epoch="+epoch+"&since="+strconv.FormatInt(since, 10))
	if m := read(t, old); m.Type != "snapshot" || m.Revision != next {
		t.Fatalf("viewer behind the history got %s at %d, want a snapshot at %d", m.Type, m.Revision, next)
	}
}

func TestGapResyncAndEpochChange(t *testing.T) {
	st := newStore(t)
	e := newEnv(t, st, live.Config{MinInterval: time.Millisecond})
	c := e.fresh(t, "")
	base := c.Revision
	baseBoard := *c.Board
	r1 := e.mark(t)
	readApply(t, c, r1)
	r2 := e.mark(t)
	readApply(t, c, r2)
	// The client lost its place (as after a gap): it asks from base.
	if err := c.Resync(c.Epoch, base); err != nil {
		t.Fatal(err)
	}
	c.Revision, c.Board = base, &baseBoard
	readApply(t, c, r2)
	// A revision the hub never had: a snapshot.
	if err := c.Resync(c.Epoch, base+1000); err != nil {
		t.Fatal(err)
	}
	if m := read(t, c); m.Type != "snapshot" || m.Revision != r2 {
		t.Fatalf("resync from an unknown revision: %s at %d, want a snapshot at %d", m.Type, m.Revision, r2)
	}
	// Another instance (or a restarted one) has another epoch: a viewer
	// carrying the old epoch gets a snapshot with the new one.
	other := newEnv(t, st, live.Config{MinInterval: time.Millisecond})
	o := other.dial(t, "?epoch="+c.Epoch+"&since="+strconv.FormatInt(r2, 10))
	m := read(t, o)
	if m.Type != "snapshot" || m.Epoch == c.Epoch || m.Revision != r2 {
		t.Fatalf("viewer from another epoch got %s epoch %s at %d", m.Type, m.Epoch, m.Revision)
	}
	if !reflect.DeepEqual(m.Board, c.Board) {
		t.Errorf("two instances show different boards at revision %d", r2)
	}
}

func TestHostileViewersAreDroppedOthersKeepGoing(t *testing.T) {
	e := newEnv(t, newStore(t), live.Config{MinInterval: time.Millisecond})
	good := e.fresh(t, "")
	junk := []struct {
		name string
		typ  int
		data []byte
	}{
		{"text", websocket.TextMessage, []byte("hello")},
		{"binary", websocket.BinaryMessage, []byte{0, 1, 2}},
		{"unknown field", websocket.TextMessage, []byte(`{"type":"resync","epoch":"x","revision":1,"admin":true}`)},
		{"wrong type", websocket.TextMessage, []byte(`{"type":"mark","epoch":"x","revision":1}`)},
		{"negative revision", websocket.TextMessage, []byte(`{"type":"resync","epoch":"x","revision":-5}`)},
		{"oversized", websocket.TextMessage, []byte(`{"type":"resync","epoch":"` + strings.Repeat("x", 4096) + `","revision":1}`)},
	}
	for _, j := range junk {
		h := e.fresh(t, "")
		// The server may cut an oversized message off while it is still
		// being sent: then the write itself fails.
		if err := h.Conn.WriteMessage(j.typ, j.data); err != nil && j.name != "oversized" {
			t.Fatal(err)
		}
		_, err := h.Read(5 * time.Second)
		var ce *websocket.CloseError
		for err == nil {
			_, err = h.Read(5 * time.Second)
		}
		if j.name != "oversized" && (!asClose(err, &ce) || ce.Code != websocket.ClosePolicyViolation) {
			t.Errorf("%s: connection ended with %v, want close 1008", j.name, err)
		}
	}
	// Resync spam is hostile too.
	spam := e.fresh(t, "")
	var err error
	for i := 0; i < 100 && err == nil; i++ {
		err = spam.Resync(spam.Epoch, spam.Revision)
	}
	for err == nil {
		_, err = spam.Read(5 * time.Second)
	}
	rev := e.mark(t)
	readApply(t, good, rev)
	deadline := time.Now().Add(5 * time.Second)
	for e.svc.Viewers() != 1 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := e.svc.Viewers(); n != 1 {
		t.Fatalf("%d viewers left, want only the well-behaved one", n)
	}
}

func asClose(err error, ce **websocket.CloseError) bool {
	c, ok := err.(*websocket.CloseError)
	*ce = c
	return ok
}

// smallBuffers dials with a 1 KiB receive buffer, so a viewer that does not
// read fills up after a few frames (the server side asks for ?sndbuf=4096).
func smallBuffers() *websocket.Dialer {
	return &websocket.Dialer{NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		nd := net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
			return rc.Control(func(fd uintptr) {
				syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 1024)
			})
		}}
		return nd.DialContext(ctx, network, addr)
	}}
}

// TestSlowViewerIsDroppedNotWaitedFor connects a viewer that never reads,
// with a tiny receive buffer, and keeps the board changing: its queue fills,
// it is disconnected, and a reading viewer gets every frame in order.
func TestSlowViewerIsDroppedNotWaitedFor(t *testing.T) {
	e := newEnv(t, newStore(t), live.Config{MinInterval: time.Millisecond, SendQueue: 4, WriteWait: time.Minute})
	// Publishing follows the results workflow: scored, signed off, decrypted.
	testenv.Decrypted(t, e.st, e.marker.Event.ID)
	good := e.fresh(t, "")
	slow, _, err := smallBuffers().Dial(e.url("?sndbuf=4096"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	deadline := time.Now().Add(60 * time.Second)
	published := false
	var rev int64
	for e.svc.Viewers() > 1 {
		if time.Now().After(deadline) {
			t.Fatalf("the slow viewer was never dropped (%d viewers)", e.svc.Viewers())
		}
		// Publishing and withdrawing swaps the whole board (a snapshot
		// frame each time), which fills the slow viewer's buffers fast.
		published = !published
		if rev, err = e.st.SetPublished(context.Background(), e.marker.Event.ID, published, "test"); err != nil {
			t.Fatal(err)
		}
		e.svc.EventChanged(context.Background(), e.marker.Event.ID, rev)
		readApply(t, good, rev)
	}
	if !published && good.Board.Published {
		t.Errorf("the reading viewer's board is out of step")
	}
}

// completeOpenSheets marks every aspect of the sheets the marker left half
// done, so that the judges can submit them.
func completeOpenSheets(t *testing.T, st *store.Store, eventID int64) {
	t.Helper()
	ctx := context.Background()
	sheets, err := st.Sheets(ctx, eventID)
	if err != nil {
		t.Fatal(err)
	}
	mods, err := st.Modules(ctx, eventID)
	if err != nil {
		t.Fatal(err)
	}
	aspects := map[int64][]store.Aspect{}
	for _, m := range mods {
		aspects[m.ID] = m.Aspects
	}
	var ops []store.SheetOp
	for _, sh := range sheets {
		if sh.Status != "open" {
			continue
		}
		for _, a := range aspects[sh.ModuleID] {
			ops = append(ops, store.SheetOp{OpID: fmt.Sprintf("complete-%d", len(ops)), Kind: store.OpMark, EventID: eventID,
				ModuleID: sh.ModuleID, ContestantID: sh.ContestantID, JudgeID: sh.JudgeID, AspectID: a.ID,
				Actor: "test", Subject: "complete"})
		}
	}
	res, err := st.ApplyOps(ctx, ops)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.Err != nil {
			t.Fatalf("complete a sheet: %v", r.Err)
		}
	}
}

func TestFreezeCeremonyAndPublication(t *testing.T) {
	st := newStore(t)
	e := newEnv(t, st, live.Config{MinInterval: time.Millisecond})
	ctx := context.Background()
	id := e.marker.Event.ID
	pub := e.fresh(t, "")
	chief := e.fresh(t, "?view=chief")
	cs, err := st.Contestants(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	boardText := func(c *livetest.Client) string {
		b, _ := json.Marshal(c.Board)
		return string(b)
	}
	for _, c := range cs {
		if strings.Contains(boardText(pub), c.Name) || strings.Contains(boardText(pub), c.IDNumber) {
			t.Fatalf("the public board shows %s before publication", *c.Code)
		}
	}
	change := func(rev int64, err error) int64 {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		e.svc.EventChanged(ctx, id, rev)
		return rev
	}
	// Freeze now: the public board stops; the chief's goes on.
	frozenAt := change(st.SetFreeze(ctx, id, time.Now().Add(-time.Second), "测试：评分进行中封榜", "organizer"))
	readApply(t, pub, frozenAt)
	// The chief's board did not change: no frame, it stays where it was.
	if pub.Board.Mode != live.ModeFrozen || chief.Board.Mode != live.ModeLive {
		t.Fatalf("modes after freeze: public %s chief %s", pub.Board.Mode, chief.Board.Mode)
	}
	frozenBoard := boardText(pub)
	var rev int64
	for i := 0; i < 3; i++ {
		rev = e.mark(t)
	}
	readApply(t, chief, rev)
	if c := e.fresh(t, ""); boardText(c) != frozenBoard {
		t.Fatalf("the frozen public board changed after marks")
	}
	// Publication shows masked names and 单位, never 证件号码, even frozen;
	// it follows the results workflow: scored, signed off, decrypted.
	completeOpenSheets(t, st, id)
	testenv.Decrypted(t, st, id)
	rev = change(st.SetPublished(ctx, id, true, "organizer"))
	readApply(t, pub, rev)
	text := boardText(pub)
	for _, c := range cs {
		if strings.Contains(text, c.IDNumber) || strings.Contains(text, `"`+c.Name+`"`) {
			t.Errorf("published board reveals %s's name or ID number", *c.Code)
		}
		if !strings.Contains(text, `"name":"`+live.MaskName(c.Name)+`"`) || !strings.Contains(text, c.Organization) {
			t.Errorf("published board lacks %s as %s with %s", *c.Code, live.MaskName(c.Name), c.Organization)
		}
	}
	// The ceremony reveals the final standings from the last place up.
	final := e.fresh(t, "?view=chief").Board
	for step := 0; step <= 2; step++ {
		rev = change(st.SetCeremonyStep(ctx, id, step, "", "organizer"))
		readApply(t, pub, rev)
		for gi, g := range pub.Board.Groups {
			all := final.Groups[gi].Rows
			if len(g.Rows) != step || g.Hidden != len(all)-step {
				t.Fatalf("step %d, %s: %d rows shown, %d hidden", step, g.Code, len(g.Rows), g.Hidden)
			}
			if !reflect.DeepEqual(g.Rows, all[len(all)-step:]) {
				t.Fatalf("step %d, %s: shown rows are not the last places of the final standings", step, g.Code)
			}
		}
	}
	if pub.Board.Mode != live.ModeCeremony {
		t.Errorf("mode %s during the ceremony", pub.Board.Mode)
	}
}

// TestScheduledFreezeBeginsOnTime: a freeze set for a moment ahead turns the
// public board frozen when that moment comes, with no mark to trigger it,
// and marks after it no longer show there.
func TestScheduledFreezeBeginsOnTime(t *testing.T) {
	st := newStore(t)
	e := newEnv(t, st, live.Config{MinInterval: time.Millisecond, PollInterval: time.Hour})
	ctx := context.Background()
	pub := e.fresh(t, "")
	at := time.Now().Add(300 * time.Millisecond)
	rev, err := st.SetFreeze(ctx, e.marker.Event.ID, at, "测试：评分进行中定时封榜", "organizer")
	if err != nil {
		t.Fatal(err)
	}
	e.svc.EventChanged(ctx, e.marker.Event.ID, rev)
	for pub.Board.Mode != live.ModeFrozen {
		m := read(t, pub)
		if err := pub.Apply(m); err != nil {
			t.Fatal(err)
		}
	}
	if time.Now().Before(at) {
		t.Fatalf("the board froze before the freeze time")
	}
	frozen := pub.Board
	chief := e.fresh(t, "?view=chief")
	readApply(t, chief, e.mark(t))
	if fresh := e.fresh(t, ""); !reflect.DeepEqual(fresh.Board, frozen) || reflect.DeepEqual(chief.Board.Groups, frozen.Groups) {
		t.Fatalf("after a mark: the public board moved or the chief's did not")
	}
}

// A viewer that stops reading for a while but less than its backlog gets
// every frame, in order, once it reads again (the backlog goes out in
// batched writes).
func TestLaggingViewerCatchesUpInOrder(t *testing.T) {
	e := newEnv(t, newStore(t), live.Config{MinInterval: time.Millisecond, SendQueue: 64, WriteWait: time.Minute})
	testenv.Decrypted(t, e.st, e.marker.Event.ID)
	good := e.fresh(t, "")
	conn, _, err := smallBuffers().Dial(e.url("?sndbuf=4096"), nil)
	if err != nil {
		t.Fatal(err)
	}
	lagging := &livetest.Client{Conn: conn, Revision: -1}
	defer lagging.Close()
	if err := lagging.Apply(read(t, lagging)); err != nil {
		t.Fatal(err)
	}
	// Snapshots (publication swaps the board): many more bytes than the
	// lagging viewer's socket buffers hold.
	var rev int64
	sent := 0
	for i := range 24 {
		if rev, err = e.st.SetPublished(context.Background(), e.marker.Event.ID, i%2 == 0, "test"); err != nil {
			t.Fatal(err)
		}
		e.svc.EventChanged(context.Background(), e.marker.Event.ID, rev)
		sent += len(readApply(t, good, rev))
	}
	if n := e.svc.Viewers(); n != 2 {
		t.Fatalf("%d viewers, want 2: the lagging one was dropped", n)
	}
	got := readApply(t, lagging, rev)
	if len(got) != sent {
		t.Errorf("the lagging viewer got %d frames, the reading one %d", len(got), sent)
	}
	if !reflect.DeepEqual(lagging.Board, good.Board) {
		t.Errorf("boards differ after catching up")
	}
}

// TestUnaskedPongsDoNotEachCheckTheLogin: a view behind a login is checked
// again at the pongs that answer the server's pings, not at every pong a
// client sends unasked: a hundred of them cost no lookup, and the stream
// goes on answering.
func TestUnaskedPongsDoNotEachCheckTheLogin(t *testing.T) {
	e := newEnv(t, newStore(t), live.Config{MinInterval: time.Millisecond})
	var checks atomic.Int64
	up := websocket.Upgrader{ReadBufferSize: 256}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		feed, err := e.svc.Feed(r.Context(), demo.EventCode, live.Chief)
		if err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		conn, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		feed.Attach(conn, "", 0, func(context.Context) error { checks.Add(1); return nil })
	}))
	t.Cleanup(srv.Close)
	c, _, err := livetest.Dial(context.Background(), "ws"+strings.TrimPrefix(srv.URL, "http"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	snap, err := c.Read(5 * time.Second)
	if err != nil || c.Apply(snap) != nil {
		t.Fatalf("snapshot: %v", err)
	}
	for range 100 {
		if err := c.Conn.WriteControl(websocket.PongMessage, nil, time.Now().Add(time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	// A resync read after the pongs: the server has handled them all.
	if err := c.Resync(c.Epoch, c.Revision-1); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Read(5 * time.Second); err != nil {
		t.Fatalf("the stream after 100 pongs: %v", err)
	}
	if n := checks.Load(); n != 0 {
		t.Errorf("100 unasked pongs made %d login checks", n)
	}
}
