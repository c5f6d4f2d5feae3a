package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"sync"
	"syscall"
	"time"
)

// The spectators are raw sockets read by a few epoll loops instead of a
// websocket library with a goroutine per connection: the load generator
// shares the two cores with the server, and per frame the library costs a
// goroutine wake-up, a second read that ends in EAGAIN and its parsing.
// Every frame is still parsed, its revision chain checked and its delay
// measured.

// rawConn is one spectator socket, owned by one loop.
type rawConn struct {
	fd      int
	pending []byte // an incomplete frame carried to the next read
	message []byte // a fragmented message's payload so far
	rev     int64  // the last update's revision; a programme viewer's marks shown
	first   bool
	poll    bool    // a programme board long poll, not a websocket
	etag    []byte  // a programme viewer's board version
	prog    bool    // a programme board websocket
	shown   int64   // a programme websocket viewer's marks shown
	done    []int64 // …per running event (liveload-pNN at NN)
}

// dialRaw opens a spectator websocket from the local address ip with
// blocking system calls and returns its descriptor, non-blocking, with any
// bytes read past the handshake.
func dialRaw(ip net.IP, addr *net.TCPAddr, path string) (fd int, rest []byte, err error) {
	fd, err = syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, nil, err
	}
	sock := fd
	defer func() {
		if err != nil {
			syscall.Close(sock)
		}
	}()
	var local, remote syscall.SockaddrInet4
	copy(local.Addr[:], ip.To4())
	copy(remote.Addr[:], addr.IP.To4())
	remote.Port = addr.Port
	if err = syscall.Bind(fd, &local); err != nil {
		return -1, nil, fmt.Errorf("bind %s: %w", ip, err)
	}
	for {
		if err = syscall.Connect(fd, &remote); err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		return -1, nil, fmt.Errorf("connect %s: %w", addr, err)
	}
	// A bounded handshake: the server may be slow to accept 10,000 sockets.
	tv := syscall.Timeval{Sec: 30}
	syscall.SetsockoptTimeval(fd, syscall.SOL_SOCKET, syscall.SO_RCVTIMEO, &tv)
	req := "GET " + path + " HTTP/1.1\r\nHost: " + addr.String() + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
	if err = writeAll(fd, []byte(req)); err != nil {
		return -1, nil, err
	}
	buf := make([]byte, 0, 1024)
	for {
		end := bytes.Index(buf, []byte("\r\n\r\n"))
		if end >= 0 {
			if !bytes.HasPrefix(buf, []byte("HTTP/1.1 101 ")) {
				line, _, _ := bytes.Cut(buf, []byte("\r\n"))
				return -1, nil, fmt.Errorf("handshake: %s", line)
			}
			rest = append([]byte(nil), buf[end+4:]...)
			break
		}
		if len(buf) == cap(buf) {
			return -1, nil, errors.New("handshake: response too long")
		}
		n, rerr := syscall.Read(fd, buf[len(buf):cap(buf)])
		if rerr == syscall.EINTR {
			continue
		}
		if rerr != nil {
			return -1, nil, fmt.Errorf("handshake: %w", rerr)
		}
		if n == 0 {
			return -1, nil, errors.New("handshake: connection closed")
		}
		buf = buf[:len(buf)+n]
	}
	if err = syscall.SetNonblock(fd, true); err != nil {
		return -1, nil, err
	}
	return fd, rest, nil
}

// writeAll writes all of b: the handshake on the still blocking socket,
// later pongs, a few bytes for which a full socket counts as an error.
func writeAll(fd int, b []byte) error {
	for len(b) > 0 {
		n, err := syscall.Write(fd, b)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return err
		}
		b = b[n:]
	}
	return nil
}

// loop reads the spectator sockets handed to it until ctx ends. Its
// goroutine owns conns; dialers hand sockets over through added.
type loop struct {
	epfd  int
	st    *stats
	ready *sync.WaitGroup
	batch time.Duration
	host  string // the server, for the programme viewers' requests

	mu    sync.Mutex
	added []*rawConn

	conns   []*rawConn // by descriptor
	buf     []byte
	local   []time.Duration
	answers []answer // the programme viewers' changed boards
}

func newLoop(st *stats, ready *sync.WaitGroup, batch time.Duration) (*loop, error) {
	epfd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return nil, err
	}
	return &loop{epfd: epfd, st: st, ready: ready, batch: batch, buf: make([]byte, 256<<10)}, nil
}

// add hands a freshly opened socket to the loop.
func (l *loop) add(fd int, rest []byte, poll, prog bool) {
	l.mu.Lock()
	l.added = append(l.added, &rawConn{fd: fd, pending: rest, rev: -1, first: true, poll: poll, prog: prog})
	l.mu.Unlock()
}

// run is the loop's goroutine; it closes every socket it holds when ctx
// ends.
func (l *loop) run(ctx context.Context) {
	defer func() {
		l.mu.Lock()
		for _, c := range l.added {
			syscall.Close(c.fd)
		}
		l.mu.Unlock()
		for _, c := range l.conns {
			if c != nil {
				syscall.Close(c.fd)
			}
		}
		syscall.Close(l.epfd)
		l.st.add(l.local, l.answers)
	}()
	events := make([]syscall.EpollEvent, 512)
	for ctx.Err() == nil {
		l.mu.Lock()
		added := l.added
		l.added = nil
		l.mu.Unlock()
		for _, c := range added {
			l.register(ctx, c)
		}
		n, err := syscall.EpollWait(l.epfd, events, 100)
		if err != nil && err != syscall.EINTR {
			panic(fmt.Sprintf("liveload: epoll_wait: %v", err))
		}
		for _, ev := range events[:max(n, 0)] {
			if c := l.conns[ev.Fd]; c != nil {
				l.readFrom(ctx, c)
			}
		}
		if n < len(events) && l.batch > 0 {
			// Let frames gather instead of being woken for each: a
			// sleeping reader costs the writing side no wake-up.
			time.Sleep(l.batch)
		}
	}
}

// register parses what came with the handshake and starts watching the
// socket, edge-triggered: each arrival is reported once, so a socket is
// read once per frame instead of being polled again after it is drained.
func (l *loop) register(ctx context.Context, c *rawConn) {
	for c.fd >= len(l.conns) {
		l.conns = append(l.conns, nil)
	}
	l.conns[c.fd] = c
	if len(c.pending) > 0 && !l.parse(c, c.pending, time.Now().UnixMicro()) {
		l.drop(ctx, c)
		return
	}
	// Data that arrived before this is reported at once.
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN | syscall.EPOLLRDHUP | -syscall.EPOLLET, Fd: int32(c.fd)}
	if err := syscall.EpollCtl(l.epfd, syscall.EPOLL_CTL_ADD, c.fd, &ev); err != nil {
		l.drop(ctx, c)
	}
}

// readFrom reads everything one socket has and handles its complete
// frames.
func (l *loop) readFrom(ctx context.Context, c *rawConn) {
	for {
		b := append(l.buf[:0], c.pending...)
		n, err := syscall.Read(c.fd, b[len(b):cap(b)])
		if err == syscall.EINTR {
			continue
		}
		if err == syscall.EAGAIN {
			return
		}
		if err != nil || n == 0 {
			l.drop(ctx, c)
			return
		}
		full := len(b)+n == cap(b)
		if !l.parse(c, b[:len(b)+n], time.Now().UnixMicro()) {
			l.drop(ctx, c)
			return
		}
		if !full {
			// A short read drained the socket; what arrives next is
			// another edge.
			return
		}
	}
}

// parse handles the complete frames in b, keeps an incomplete one for
// later, and reports whether the connection may go on.
func (l *loop) parse(c *rawConn, b []byte, now int64) bool {
	if c.poll {
		return l.parseHTTP(c, b, now)
	}
	for len(b) >= 2 {
		fin, op, size, hdr := b[0]&0x80 != 0, b[0]&0x0f, int(b[1]&0x7f), 2
		if b[1]&0x80 != 0 {
			return false // a server never masks
		}
		if size == 126 {
			hdr = 4
		} else if size == 127 {
			hdr = 10
		}
		if len(b) < hdr {
			break
		}
		if hdr == 4 {
			size = int(binary.BigEndian.Uint16(b[2:]))
		} else if hdr == 10 {
			size = int(binary.BigEndian.Uint64(b[2:]))
		}
		if len(b) < hdr+size {
			break
		}
		payload := b[hdr : hdr+size]
		b = b[hdr+size:]
		switch op {
		case 0x8: // close
			return false
		case 0x9: // ping: answer with a masked pong
			if writeAll(c.fd, pong(payload)) != nil {
				return false
			}
		case 0xA:
		case 0x1, 0x0:
			if !fin {
				c.message = append(c.message, payload...)
				continue
			}
			if c.message != nil {
				payload = append(c.message, payload...)
				c.message = nil
			}
			l.frame(c, payload, now)
		default:
			return false
		}
	}
	c.pending = append(c.pending[:0], b...)
	return true
}

// frame checks one message's place in the revision chain and measures its
// delay.
func (l *loop) frame(c *rawConn, msg []byte, now int64) {
	update := bytes.HasPrefix(msg, updatePrefix)
	revision, _ := field(msg, keyRevision)
	if c.first {
		c.first = false
		c.rev = revision
		if c.prog {
			c.marksShown(msg, false)
			l.st.base.CompareAndSwap(-1, c.shown)
		}
		l.ready.Done()
		return
	}
	if c.prog {
		was := c.shown
		c.marksShown(msg, update)
		if c.shown < was {
			l.st.gaps.Add(1) // a board older than one already seen
		}
		if c.shown != was && l.st.measuring.Load() {
			base := l.st.base.Load()
			l.answers = append(l.answers, answer{at: now, from: int32(was - base), to: int32(c.shown - base)})
		}
	}
	if from, ok := field(msg, keyFrom); update && (!ok || from != c.rev) {
		l.st.gaps.Add(1)
	}
	c.rev = revision
	if at, ok := field(msg, keyAt); ok && l.st.measuring.Load() {
		l.st.frames.Add(1)
		l.st.bytes.Add(int64(len(msg)))
		l.local = append(l.local, time.Duration(now-at)*time.Microsecond)
	}
}

func (l *loop) drop(ctx context.Context, c *rawConn) {
	if ctx.Err() == nil {
		l.st.dropped.Add(1)
	}
	if c.first {
		l.ready.Done()
	}
	l.conns[c.fd] = nil
	syscall.Close(c.fd)
}

// pong frames a client's pong: clients mask every frame (a zero mask
// leaves the payload as it is).
func pong(payload []byte) []byte {
	b := append(make([]byte, 0, 6+len(payload)), 0x8A, 0x80|byte(len(payload)), 0, 0, 0, 0)
	return append(b, payload...)
}
