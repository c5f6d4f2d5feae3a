package live

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Wire messages (docs/live.md).

type snapshotMsg struct {
	Type     string `json:"type"` // "snapshot"
	Epoch    string `json:"epoch"`
	View     string `json:"view"`
	Revision int64  `json:"revision"`
	At       int64  `json:"at"` // unix microseconds: when the change was heard of
	Board    *Board `json:"board"`
}

type updateMsg struct {
	Type     string      `json:"type"` // "update"
	Epoch    string      `json:"epoch"`
	From     int64       `json:"from"` // the revision this update applies to
	Revision int64       `json:"revision"`
	At       int64       `json:"at"`
	Progress Progress    `json:"progress"`
	Groups   []GroupDiff `json:"groups"`
}

// frame is one message for viewers, encoded and framed once: wire holds
// the websocket frame every viewer's socket gets. In plain mode (the load
// test's baseline) updates carry only msg, and each viewer's writer encodes
// it.
type frame struct {
	from, rev int64
	msg       any
	data      []byte // the JSON message
	wire      []byte // data as a websocket text frame
	ping      bool
}

var pingFrame = &frame{ping: true, wire: wsFrame(0x89, nil)}

func (s *Service) newFrame(from, rev int64, msg any, encode bool) (*frame, error) {
	f := &frame{from: from, rev: rev, msg: msg}
	if s.cfg.Plain && !encode {
		return f, nil
	}
	var err error
	if f.data, err = json.Marshal(msg); err != nil {
		return nil, fmt.Errorf("encode live frame: %w", err)
	}
	f.wire = wsFrame(0x81, f.data)
	return f, nil
}

// stream is one view of one event: its current board, the recent updates
// for viewers catching up, and the viewers.
type stream struct {
	view    View
	epoch   string
	board   *Board
	rev     int64 // the revision of the last change of board
	at      int64
	snap    *frame // the snapshot of board, encoded on first need
	doc     *Standings
	docData []byte // doc encoded on first need
	docETag string
	history []*frame // the latest updates, oldest first
	audience
}

// audience is the viewers of one stream or programme board.
type audience struct {
	viewers map[*viewer]struct{}
	list    []*viewer // viewers as a slice for the fan-out; nil after a change
}

func newAudience() audience { return audience{viewers: map[*viewer]struct{}{}} }

func (a *audience) add(v *viewer) {
	a.viewers[v] = struct{}{}
	a.list = nil
}

func (a *audience) remove(v *viewer) {
	delete(a.viewers, v)
	a.list = nil
}

// all returns the viewers, rebuilt only after one joined or left: viewers
// come and go far less often than updates, which each walk all of them.
func (a *audience) all() []*viewer {
	if a.list == nil {
		a.list = make([]*viewer, 0, len(a.viewers))
		for v := range a.viewers {
			a.list = append(a.list, v)
		}
	}
	return a.list
}

// broadcast hands f to every viewer, dropping those too far behind. The
// caller holds the lock that guards a; it never waits for a viewer.
func (a *audience) broadcast(svc *Service, f *frame) {
	for _, v := range svc.fanOut(a.all(), f) {
		a.remove(v)
		svc.metrics.dropped("slow")
		v.kill()
	}
}

// takeAll empties the audience and returns who was in it.
func (a *audience) takeAll() []*viewer {
	all := make([]*viewer, 0, len(a.viewers))
	for v := range a.viewers {
		all = append(all, v)
	}
	clear(a.viewers)
	a.list = nil
	return all
}

func newEpoch() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// hub keeps the streams of one event. Its goroutine (run) recomputes the
// standings when the event's revision moves, at most once per MinInterval,
// always catching up to the newest revision.
type hub struct {
	svc     *Service
	eventID int64
	code    string
	wake    chan struct{}
	ready   chan struct{} // closed after the first refresh

	// heard is apart from mu, which a fan-out holds for a while: a writer's
	// EventChanged must never wait for viewers.
	heard   sync.Mutex
	known   int64     // newest revision heard of
	heardAt time.Time // when the oldest change not yet shown was heard of

	mu      sync.Mutex
	streams [numViews]*stream
	err     error // the last refresh's failure, for joins before any board
	stopped bool  // shut down: no viewer may join
}

func newHub(svc *Service, eventID int64, code string) *hub {
	h := &hub{svc: svc, eventID: eventID, code: code, wake: make(chan struct{}, 1), ready: make(chan struct{})}
	for v := range h.streams {
		h.streams[v] = &stream{view: View(v), epoch: newEpoch(), audience: newAudience()}
	}
	return h
}

// notify records that the event reached rev; the hub catches up soon.
func (h *hub) notify(rev int64, at time.Time) {
	h.heard.Lock()
	if rev <= h.known {
		h.heard.Unlock()
		return
	}
	h.known = rev
	if h.heardAt.IsZero() {
		h.heardAt = at
	}
	h.heard.Unlock()
	h.poke()
}

// setKnown records a revision the hub has reached (or 0 to forget).
func (h *hub) setKnown(rev int64, always bool) {
	h.heard.Lock()
	if always || rev > h.known {
		h.known = rev
	}
	h.heard.Unlock()
}

func (h *hub) poke() {
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

func (h *hub) run(ctx context.Context) {
	defer h.shutdown()
	freeze := time.NewTimer(time.Hour)
	freeze.Stop()
	ping := time.NewTicker(h.svc.cfg.PingInterval)
	defer ping.Stop()
	var last time.Time
	lastErr := ""
	for first := true; ; first = false {
		if !first {
			select {
			case <-ctx.Done():
				return
			case <-h.wake:
			case <-freeze.C:
			case <-ping.C:
				h.broadcastAll(pingFrame)
				continue
			}
			// Coalesce bursts: at most one recompute per MinInterval.
			if wait := h.svc.cfg.MinInterval - time.Since(last); wait > 0 {
				select {
				case <-ctx.Done():
					return
				case <-time.After(wait):
				}
			}
		}
		last = time.Now()
		next, err := h.refresh(ctx)
		h.mu.Lock()
		h.err = err
		h.mu.Unlock()
		if err != nil {
			// Forget what was heard, so the next poll retries.
			h.setKnown(0, true)
		}
		if first {
			close(h.ready)
		}
		switch {
		case err == nil:
			lastErr = ""
		case ctx.Err() == nil && err.Error() != lastErr:
			// Logged once per distinct failure, not once per retry.
			lastErr = err.Error()
			h.svc.log.Error("live: refresh failed", "event", h.code, "err", err)
		}
		if !next.IsZero() {
			freeze.Reset(time.Until(next))
		}
	}
}

// refresh loads the event, recomputes its standings and advances every
// stream. It returns the time of the next scheduled change (a freeze).
func (h *hub) refresh(ctx context.Context) (time.Time, error) {
	h.heard.Lock()
	at := h.heardAt
	h.heardAt = time.Time{}
	h.heard.Unlock()
	now := h.svc.now()
	if at.IsZero() {
		at = now
	}
	src := h.svc.cfg.Source
	state, err := src.LiveState(ctx, h.eventID)
	if err != nil {
		return time.Time{}, err
	}
	snap, err := src.Snapshot(ctx, h.eventID)
	if err != nil {
		return time.Time{}, err
	}
	if snap.Event.Revision != state.Revision {
		// A change landed between the two reads: take the state again so it
		// is at least as new as the scores.
		if state, err = src.LiveState(ctx, h.eventID); err != nil {
			return time.Time{}, err
		}
	}
	c, err := compute(snap, state)
	if err != nil {
		return time.Time{}, err
	}
	var views [numViews]*shown
	captured := int64(0)
	for v := range views {
		var sh *shown
		var got bool
		if sh, state, got, err = c.show(ctx, src, h.eventID, View(v), state, now); err != nil {
			return time.Time{}, err
		}
		if got {
			captured = state.Revision
		}
		views[v] = sh
	}
	h.setKnown(c.revision, false)
	if captured > c.revision {
		// The capture advanced the revision: show the frozen board under it.
		h.setKnown(captured, false)
		h.poke()
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for v, sh := range views {
		s := h.streams[v]
		if err := h.advance(s, sh.board, c.revision, at.UnixMicro()); err != nil {
			return time.Time{}, err
		}
		// The document follows its board: the public one is sealed (no
		// judge's marks) unless they are public now.
		doc := c.standingsDoc(View(v), sh, View(v) == Public && !state.JudgeMarksPublic(), state.Published())
		doc.Event.Revision = s.rev
		s.doc, s.docData = doc, nil
	}
	if !state.FreezeAt.IsZero() && state.FreezeAt.After(now) {
		return state.FreezeAt.Time, nil
	}
	return time.Time{}, nil
}

// advance moves a stream to board b at revision rev and sends the change to
// its viewers: an update when the board kept its shape, else a snapshot.
// Called with h.mu held.
func (h *hub) advance(s *stream, b *Board, rev, at int64) error {
	if s.board == nil {
		s.board, s.rev, s.at = b, rev, at
		return nil
	}
	if rev <= s.rev {
		return nil
	}
	var msg any
	if sameShape(s.board, b) {
		groups, changed := diff(s.board, b)
		if !changed {
			return nil
		}
		msg = &updateMsg{Type: "update", Epoch: s.epoch, From: s.rev, Revision: rev, At: at, Progress: b.Progress, Groups: groups}
	} else {
		msg = &snapshotMsg{Type: "snapshot", Epoch: s.epoch, View: s.view.String(), Revision: rev, At: at, Board: b}
	}
	f, err := h.svc.newFrame(s.rev, rev, msg, false)
	if err != nil {
		return err
	}
	s.board, s.rev, s.at, s.snap = b, rev, at, nil
	s.history = append(s.history, f)
	if n := len(s.history) - h.svc.cfg.History; n > 0 {
		s.history = append(s.history[:0:0], s.history[n:]...)
	}
	start := time.Now()
	h.broadcast(s, f)
	h.svc.metrics.fanOut.Observe(time.Since(start).Seconds())
	h.svc.metrics.delay.Observe(time.Since(time.UnixMicro(at)).Seconds())
	return nil
}

// snapshot returns the encoded snapshot of a stream's board. Called with
// h.mu held.
func (h *hub) snapshot(s *stream) (*frame, error) {
	if s.snap == nil {
		msg := &snapshotMsg{Type: "snapshot", Epoch: s.epoch, View: s.view.String(), Revision: s.rev, At: s.at, Board: s.board}
		f, err := h.svc.newFrame(0, s.rev, msg, true)
		if err != nil {
			return nil, err
		}
		s.snap = f
	}
	return s.snap, nil
}

// catchUp returns what a viewer at (epoch, since) needs to reach the
// stream's revision: nothing, the updates it missed, or a snapshot. Called
// with h.mu held.
func (h *hub) catchUp(s *stream, epoch string, since int64) ([]*frame, error) {
	if frames, ok := missed(s.epoch, s.rev, s.history, h.svc.cfg.SendQueue/2, epoch, since); ok {
		return frames, nil
	}
	f, err := h.snapshot(s)
	if err != nil {
		return nil, err
	}
	return []*frame{f}, nil
}

// missed returns what a viewer at (epoch, since) lacks of a history that
// is at rev in cur: nothing when it is up to date, else the updates since
// its revision when the history still has them and number at most most;
// false when it needs a snapshot.
func missed(cur string, rev int64, history []*frame, most int, epoch string, since int64) ([]*frame, bool) {
	if epoch != cur {
		return nil, false
	}
	if since == rev {
		return nil, true
	}
	for i, f := range history {
		if f.from == since && len(history)-i <= most {
			return history[i:], true
		}
	}
	return nil, false
}

// broadcast hands f to every viewer of s. Called with h.mu held.
func (h *hub) broadcast(s *stream, f *frame) { s.broadcast(h.svc, f) }

// fanOut hands f to every viewer in vs without waiting for any, and
// returns those too far behind to take it. Large audiences are split
// across one goroutine per CPU (the writes are system calls), which it
// waits for.
func (s *Service) fanOut(vs []*viewer, f *frame) []*viewer {
	workers := min(runtime.GOMAXPROCS(0), len(vs)/256+1)
	slow := make([][]*viewer, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(vs); i += workers {
				if !vs[i].enqueue(f) {
					slow[w] = append(slow[w], vs[i])
				}
			}
		}()
	}
	wg.Wait()
	var out []*viewer
	for _, part := range slow {
		out = append(out, part...)
	}
	return out
}

func (h *hub) broadcastAll(f *frame) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, s := range h.streams {
		h.broadcast(s, f)
	}
}

// join adds a viewer to a stream after queueing what it needs to catch up,
// under one lock, so it misses nothing in between.
func (h *hub) join(v *viewer, view View, epoch string, since int64) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := h.streams[view]
	if h.stopped {
		return fmt.Errorf("live: event %s: service stopping", h.code)
	}
	if s.board == nil {
		return h.unavailable()
	}
	frames, err := h.catchUp(s, epoch, since)
	if err != nil {
		return err
	}
	for _, f := range frames {
		v.enqueue(f)
	}
	s.add(v)
	return nil
}

// resync answers a viewer's request for what it missed.
func (h *hub) resync(v *viewer, view View, epoch string, since int64) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := h.streams[view]
	if _, ok := s.viewers[v]; !ok {
		return nil // already dropped
	}
	frames, err := h.catchUp(s, epoch, since)
	if err != nil {
		return err
	}
	for _, f := range frames {
		if !v.enqueue(f) {
			s.remove(v)
			h.svc.metrics.dropped("slow")
			v.kill()
			return nil
		}
	}
	return nil
}

func (h *hub) leave(v *viewer, view View) {
	h.mu.Lock()
	h.streams[view].remove(v)
	h.mu.Unlock()
}

func (h *hub) unavailable() error {
	if h.err != nil {
		return h.err
	}
	return fmt.Errorf("live: event %s has no board yet", h.code)
}

// viewerCount counts the viewers of every stream.
func (h *hub) viewerCount() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, s := range h.streams {
		n += len(s.viewers)
	}
	return n
}

// shutdown tells every viewer the server is going away and disconnects it.
func (h *hub) shutdown() {
	h.mu.Lock()
	h.stopped = true
	var all []*viewer
	for _, s := range h.streams {
		all = append(all, s.takeAll()...)
	}
	h.mu.Unlock()
	for _, v := range all {
		v.goodbye(websocket.CloseGoingAway, "服务器正在停止")
	}
}

// state reads a stream's current snapshot for the JSON endpoint.
func (h *hub) state(view View) (*frame, string, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := h.streams[view]
	if s.board == nil {
		return nil, "", h.unavailable()
	}
	f, err := h.snapshot(s)
	return f, s.epoch, err
}
