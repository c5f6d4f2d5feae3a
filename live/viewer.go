package live

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"net"
	"sync"
	"syscall"
	"time"

	"github.com/gorilla/websocket"

	"skillscore"
)

// viewer is one spectator connection. Frames reach it one of two ways:
//
//   - shared (the default): the hub's fan-out writes the frame's bytes to the
//     socket itself with one non-blocking write; only when the socket is
//     full does the rest wait in a bounded backlog drained by a short-lived
//     flusher goroutine, all of it at once. An idle viewer has no writer
//     goroutine at all.
//   - plain (the load test's baseline): a queue per viewer drained by its own
//     writer goroutine, which encodes and frames every message itself.
type viewer struct {
	conn  *websocket.Conn
	svc   *Service
	raw   net.Conn
	limit int           // frames a viewer may lag behind before it is slow
	wait  time.Duration // bounds one blocking write (the backlog, a plain message)
	done  chan struct{}
	once  sync.Once

	mu sync.Mutex
	// fd is raw's descriptor, written directly by the fan-out (-1: none, the
	// flusher writes everything). Going around net.Conn saves its locking
	// and poller bookkeeping on every write, which was a tenth of the
	// fan-out's CPU. It is safe because dead is set under mu before raw is
	// closed, and writes happen under mu only while dead is false: the
	// descriptor cannot be closed, or reused by another socket, mid-write.
	fd       int
	dead     bool
	backlog  net.Buffers
	inflight int // frames the flusher took and is writing
	flushing bool

	send chan *frame // plain mode only
}

func newViewer(svc *Service, conn *websocket.Conn) *viewer {
	v := &viewer{conn: conn, svc: svc, raw: conn.NetConn(), limit: svc.cfg.SendQueue, wait: svc.cfg.WriteWait,
		done: make(chan struct{}), fd: -1}
	if svc.cfg.Plain {
		v.send = make(chan *frame, svc.cfg.SendQueue)
		return v
	}
	if sc, ok := v.raw.(syscall.Conn); ok {
		if rc, err := sc.SyscallConn(); err == nil {
			rc.Control(func(fd uintptr) { v.fd = int(fd) })
		}
	}
	// Pongs go in line with the data frames: a control frame written on its
	// own could land inside a frame the backlog has half sent.
	conn.SetPingHandler(func(payload string) error {
		v.enqueue(&frame{wire: wsFrame(0x8A, []byte(payload))})
		return nil
	})
	return v
}

// wsFrame frames a payload as one final websocket frame from the server
// (unmasked): opcode 0x81 text, 0x89 ping, 0x8A pong.
func wsFrame(opcode byte, payload []byte) []byte {
	n := len(payload)
	var b []byte
	switch {
	case n < 126:
		b = append(make([]byte, 0, 2+n), opcode, byte(n))
	case n < 1<<16:
		b = append(make([]byte, 0, 4+n), opcode, 126, byte(n>>8), byte(n))
	default:
		b = append(make([]byte, 0, 10+n), opcode, 127)
		b = binary.BigEndian.AppendUint64(b, uint64(n))
	}
	return append(b, payload...)
}

// enqueue hands f to the viewer without blocking; false means the viewer
// is too far behind and must be dropped.
func (v *viewer) enqueue(f *frame) bool {
	if v.send != nil {
		select {
		case v.send <- f:
			return true
		default:
			return false
		}
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.dead {
		return true
	}
	if v.flushing {
		if len(v.backlog)+v.inflight >= v.limit {
			return false
		}
		v.backlog = append(v.backlog, f.wire)
		return true
	}
	n := 0
	if v.fd >= 0 {
		var err error
		if n, err = v.tryWrite(f.wire); err != nil {
			v.dead = true
			v.close()
			return true
		}
	}
	if n == len(f.wire) {
		return true
	}
	v.backlog = append(v.backlog, f.wire[n:])
	v.flushing = true
	if v.svc.track(1) {
		go v.flush()
	}
	return true
}

// tryWrite writes as much of b as the socket takes now, without waiting.
// Called with v.mu held and v.dead false.
func (v *viewer) tryWrite(b []byte) (n int, err error) {
	for n < len(b) {
		m, e := syscall.Write(v.fd, b[n:])
		if m > 0 {
			n += m
		}
		switch e {
		case nil:
		case syscall.EINTR:
		case syscall.EAGAIN:
			return n, nil
		default:
			return n, e
		}
	}
	return n, nil
}

// flush drains the backlog with blocking writes bounded by WriteWait, every
// frame waiting in one system call, then hands writing back to the
// fan-out's fast path.
func (v *viewer) flush() {
	defer v.svc.wg.Done()
	for {
		v.mu.Lock()
		if len(v.backlog) == 0 || v.dead {
			// The fast path must not inherit this write deadline.
			v.raw.SetWriteDeadline(time.Time{})
			v.flushing = false
			v.mu.Unlock()
			return
		}
		bufs := v.backlog
		v.backlog, v.inflight = nil, len(bufs)
		v.mu.Unlock()
		v.raw.SetWriteDeadline(time.Now().Add(v.wait))
		_, err := bufs.WriteTo(v.raw)
		v.mu.Lock()
		v.inflight = 0
		v.mu.Unlock()
		if err != nil {
			v.kill()
		}
	}
}

// kill disconnects at once, without a goodbye.
func (v *viewer) kill() {
	v.mu.Lock()
	v.dead = true
	v.mu.Unlock()
	v.close()
}

// close closes the connection once; dead must be set, under mu, first.
func (v *viewer) close() {
	v.once.Do(func() {
		close(v.done)
		v.conn.Close()
	})
}

// goodbye sends a close frame with a reason, then disconnects.
// A viewer whose backlog is being written may have half a frame on the
// wire: a close frame then would land inside it, so it only disconnects.
func (v *viewer) goodbye(code int, reason string) {
	v.mu.Lock()
	v.dead = true
	midFrame := v.flushing
	v.mu.Unlock()
	v.once.Do(func() {
		close(v.done)
		if !midFrame {
			v.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(time.Second))
		}
		v.conn.Close()
	})
}

// writeLoop is the plain hub's writer: it encodes and frames every message
// for this viewer alone.
func (v *viewer) writeLoop() {
	for {
		select {
		case <-v.done:
			return
		case f := <-v.send:
			deadline := time.Now().Add(v.wait)
			var err error
			if f.ping {
				err = v.conn.WriteControl(websocket.PingMessage, nil, deadline)
			} else {
				v.conn.SetWriteDeadline(deadline)
				var b []byte
				if b, err = json.Marshal(f.msg); err == nil {
					err = v.conn.WriteMessage(websocket.TextMessage, b)
				}
			}
			if err != nil {
				v.kill()
				return
			}
		}
	}
}

// resyncMsg is the only message a viewer may send (docs/live.md).
type resyncMsg struct {
	Type     string `json:"type"`
	Epoch    string `json:"epoch"`
	Revision int64  `json:"revision"`
}

// Resync requests a viewer may send per minute before it counts as hostile.
const maxResyncsPerMinute = 12

// Feed is one view of one event's stream, found before the websocket
// upgrade so that an unknown event is a plain HTTP error.
type Feed struct {
	h    *hub
	view View
}

// Admit tells whether a viewer may go on watching a view behind a login
// (the chief judge's): an error coded unauthorized or forbidden ends the
// stream, any other error (a database hiccup) leaves it open.
type Admit func(context.Context) error

// errAdmissionEnded ends a viewer's read loop when its login has ended.
var errAdmissionEnded = errors.New("live: the viewer's login has ended")

// CloseLoginEnded is the close code sent to a viewer whose login ended
// while it watched (a logout elsewhere, an expired session).
const CloseLoginEnded = 4001

// View is the view this feed streams.
func (f *Feed) View() View { return f.view }

// Snapshot returns the view's current snapshot message, encoded once and
// shared by every caller, with its epoch and revision.
func (f *Feed) Snapshot() (data []byte, epoch string, revision int64, err error) {
	fr, epoch, err := f.h.state(f.view)
	if err != nil {
		return nil, "", 0, err
	}
	return fr.data, epoch, fr.rev, nil
}

// Attach streams the view to one websocket until the viewer leaves, is
// dropped, or the service stops. It returns at once: the connection's
// reader and writer goroutines belong to the service, so the HTTP handler
// (and the request's memory) can go. epoch and since are where a
// reconnecting viewer left off ("" and 0 for a new viewer).
//
// admit, when not nil, is asked again at every pong (each PingInterval):
// a view behind a login stays open only as long as the login does.
func (f *Feed) Attach(conn *websocket.Conn, epoch string, since int64, admit Admit) {
	attach(f.h.svc, eventRoom{f.h, f.view}, conn, epoch, since, admit)
}

// room is what a viewer watches: one view of an event's board, or a
// programme's board. Both keep a numbered history under an epoch, so
// joining, catching up and leaving work alike.
type room interface {
	// join queues what a viewer at (epoch, since) needs and adds it, under
	// one lock, so it misses nothing in between.
	join(v *viewer, epoch string, since int64) error
	// resync answers a viewer's request for what it missed.
	resync(v *viewer, epoch string, since int64) error
	leave(v *viewer)
	name() string // for logs
}

// eventRoom is one view of an event's hub.
type eventRoom struct {
	h    *hub
	view View
}

func (r eventRoom) join(v *viewer, epoch string, since int64) error {
	return r.h.join(v, r.view, epoch, since)
}

func (r eventRoom) resync(v *viewer, epoch string, since int64) error {
	return r.h.resync(v, r.view, epoch, since)
}

func (r eventRoom) leave(v *viewer) { r.h.leave(v, r.view) }
func (r eventRoom) name() string    { return "event " + r.h.code }

// attach is Attach for any room: the viewer joins it, and its read loop
// (and, in plain mode, its writer) run as the service's goroutines.
func attach(svc *Service, r room, conn *websocket.Conn, epoch string, since int64, admit Admit) {
	v := newViewer(svc, conn)
	goroutines := 1
	if v.send != nil {
		goroutines = 2
	}
	if !svc.track(goroutines) {
		v.goodbye(websocket.CloseGoingAway, "服务器正在停止")
		return
	}
	if err := r.join(v, epoch, since); err != nil {
		svc.log.Warn("live: join failed", "room", r.name(), "err", err)
		v.goodbye(websocket.CloseTryAgainLater, "成绩暂不可用，请稍后重试")
		svc.wg.Add(-goroutines)
		return
	}
	svc.metrics.viewers.Inc()
	if v.send != nil {
		go func() {
			defer svc.wg.Done()
			v.writeLoop()
		}()
	}
	go func() {
		defer svc.wg.Done()
		defer svc.metrics.viewers.Dec()
		defer r.leave(v)
		readLoop(svc, r, v, admit)
	}()
}

// readLoop reads what the viewer sends: pongs, and resync requests; any
// other message, or too many requests, drops it.
func readLoop(svc *Service, r room, v *viewer, admit Admit) {
	cfg := &svc.cfg
	conn := v.conn
	conn.SetReadLimit(512)
	readWait := 2*cfg.PingInterval + 10*time.Second
	conn.SetReadDeadline(time.Now().Add(readWait))
	checked := time.Now() // the login was checked before the upgrade
	conn.SetPongHandler(func(string) error {
		conn.SetReadDeadline(time.Now().Add(readWait))
		if admit == nil {
			return nil
		}
		// Pongs a client sends unasked must not each cost a lookup.
		if time.Since(checked) < cfg.PingInterval/2 {
			return nil
		}
		checked = time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		switch skillscore.ErrorCode(admit(ctx)) {
		case skillscore.EUnauthorized, skillscore.EForbidden:
			return errAdmissionEnded
		}
		return nil
	})
	windowStart, resyncs := time.Now(), 0
	for {
		typ, data, err := conn.ReadMessage()
		if errors.Is(err, errAdmissionEnded) {
			svc.metrics.dropped("login_ended")
			v.goodbye(CloseLoginEnded, "登录已结束，请重新登录")
			return
		}
		if err != nil {
			v.kill()
			return
		}
		if admit == nil {
			// Behind a login only a pong extends the wait, so a client
			// that keeps sending resyncs but never answers a ping cannot
			// dodge the login check made at each pong.
			conn.SetReadDeadline(time.Now().Add(readWait))
		}
		req, ok := parseResync(typ, data)
		if time.Since(windowStart) > time.Minute {
			windowStart, resyncs = time.Now(), 0
		}
		resyncs++
		if !ok || resyncs > maxResyncsPerMinute {
			svc.metrics.dropped("hostile")
			v.goodbye(websocket.ClosePolicyViolation, "无效消息，连接已断开")
			return
		}
		if err := r.resync(v, req.Epoch, req.Revision); err != nil {
			v.goodbye(websocket.CloseInternalServerErr, "成绩暂不可用")
			return
		}
	}
}

func parseResync(typ int, data []byte) (resyncMsg, bool) {
	var req resyncMsg
	if typ != websocket.TextMessage {
		return req, false
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil || dec.More() || req.Type != "resync" || req.Revision < 0 || len(req.Epoch) > 64 {
		return req, false
	}
	return req, true
}
