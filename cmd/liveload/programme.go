package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"strings"
	"syscall"
	"time"

	"skillscore/demo"
	"skillscore/live/livetest"
	"skillscore/store"
)

// The programme modes measure the programme big screen. In "programme" every
// viewer holds the board's websocket (GET /api/v1/programmes/{code}/live),
// as templates/static/programme.js does: a snapshot, then an update frame
// per change with the changed event lines. In "programme-poll" every viewer
// holds one long poll of GET /api/v1/programmes/{code}/board?since=ETAG
// open on a keep-alive connection and asks again as soon as it is
// answered, as the page does when websockets are refused. The programme is the demo programme
// (its final and published events fill the delegation table) plus
// -events running events in which the marks are written. Each of their
// events has one judged module of one aspect, so each mark on a contestant
// not yet marked completes one (contestant, module) pair: the sum of the
// board's "done" figures counts the marks it shows, which ties every answer
// (or update frame) to the marks' commit times without anything added to
// the board.

// setupProgramme builds the programme in st (opened with clock) and returns
// a marker per running event. Each of the events gets perEvent contestants,
// enough that no contestant is marked twice in the run.
func setupProgramme(ctx context.Context, st *store.Store, clock *demo.Clock, events, perEvent int) ([]*livetest.Marker, error) {
	u, err := st.CreateUser(ctx, store.User{Username: "chief", Name: "裁判长", Role: "chief", PasswordHash: "x"}, "liveload")
	if err != nil {
		return nil, err
	}
	pr, err := demo.CreateProgramme(ctx, st, clock, demo.People{Organizer: "organizer", Chief: "chief", ChiefUserID: u.ID})
	if err != nil {
		return nil, err
	}
	dels, err := st.Delegations(ctx, pr.ID)
	if err != nil {
		return nil, err
	}
	var markers []*livetest.Marker
	for e := range events {
		code := fmt.Sprintf("liveload-p%02d", e+1)
		m, err := livetest.AddProgrammeEvent(ctx, st, pr.ID, dels, e, code, fmt.Sprintf("看板压测赛项%d", e+1), perEvent)
		if err != nil {
			return nil, err
		}
		markers = append(markers, m)
	}
	return markers, nil
}

func programmePath(since []byte) string {
	p := "/api/v1/programmes/" + demo.ProgrammeCode + "/board"
	if since != nil {
		p += "?since=" + strings.ReplaceAll(string(since), `"`, "%22")
	}
	return p
}

// dialPoll opens a keep-alive connection from the local address ip and sends
// the first request (no since: answered at once).
func dialPoll(ip net.IP, addr *net.TCPAddr) (int, error) {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, err
	}
	var local, remote syscall.SockaddrInet4
	copy(local.Addr[:], ip.To4())
	copy(remote.Addr[:], addr.IP.To4())
	remote.Port = addr.Port
	if err = syscall.Bind(fd, &local); err != nil {
		syscall.Close(fd)
		return -1, fmt.Errorf("bind %s: %w", ip, err)
	}
	for {
		if err = syscall.Connect(fd, &remote); err != syscall.EINTR {
			break
		}
	}
	if err == nil {
		err = writeAll(fd, pollRequest(addr.String(), nil))
	}
	if err == nil {
		err = syscall.SetNonblock(fd, true)
	}
	if err != nil {
		syscall.Close(fd)
		return -1, fmt.Errorf("connect %s: %w", addr, err)
	}
	return fd, nil
}

func pollRequest(host string, since []byte) []byte {
	return []byte("GET " + programmePath(since) + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n")
}

var (
	keyDone          = []byte(`"done":`)
	hdrContentLength = []byte("\r\nContent-Length: ")
	hdrETag          = []byte("\r\nEtag: ") // net/http's canonical form of ETag
	status200        = []byte("HTTP/1.1 200 ")
)

// answer is one changed board as a viewer received it: it showed the marks
// numbered (from, to] (counted from the viewers' first board) at time at.
type answer struct {
	at       int64 // µs
	from, to int32
}

// parseHTTP handles the complete responses in b, keeping an incomplete one,
// asks again after each, and reports whether the connection may go on.
func (l *loop) parseHTTP(c *rawConn, b []byte, now int64) bool {
	for {
		end := bytes.Index(b, []byte("\r\n\r\n"))
		if end < 0 {
			break
		}
		head := b[:end+2]
		i := bytes.Index(head, hdrContentLength)
		if i < 0 {
			l.st.errors.Add(1)
			return false
		}
		size, _ := field(head[i:], hdrContentLength)
		if len(b) < end+4+int(size) {
			break
		}
		body := b[end+4 : end+4+int(size)]
		b = b[end+4+int(size):]
		if !bytes.HasPrefix(head, status200) {
			l.st.errors.Add(1)
			return false
		}
		j := bytes.Index(head, hdrETag)
		if j < 0 {
			l.st.errors.Add(1)
			return false
		}
		etag := head[j+len(hdrETag):]
		etag = etag[:bytes.IndexByte(etag, '\r')]
		var done int64
		for rest := body; ; {
			k := bytes.Index(rest, keyDone)
			if k < 0 {
				break
			}
			n, _ := field(rest[k:], keyDone)
			done += n
			rest = rest[k+len(keyDone):]
		}
		if l.st.measuring.Load() {
			l.st.polls.Add(1)
		}
		switch {
		case c.first:
			c.first = false
			l.st.base.CompareAndSwap(-1, done)
			l.ready.Done()
		case done != c.rev:
			if done < c.rev {
				l.st.gaps.Add(1) // a board older than one already seen
			}
			if l.st.measuring.Load() {
				l.st.frames.Add(1)
				l.st.bytes.Add(int64(len(body)))
				base := l.st.base.Load()
				l.answers = append(l.answers, answer{at: now, from: int32(c.rev - base), to: int32(done - base)})
			}
		}
		c.rev = done
		c.etag = append(c.etag[:0], etag...)
		if writeAll(c.fd, pollRequest(l.host, c.etag)) != nil {
			return false
		}
	}
	c.pending = append(c.pending[:0], b...)
	return true
}

// programmeLatencies turns the answers into one delay per (mark, viewer):
// from the mark's commit to the first answer that showed it.
func programmeLatencies(answers []answer, commits []int64) []time.Duration {
	var lat []time.Duration
	for _, a := range answers {
		for k := max(a.from, 0); k < a.to && int(k) < len(commits); k++ {
			lat = append(lat, time.Duration(a.at-commits[k])*time.Microsecond)
		}
	}
	return lat
}

var (
	keyCode    = []byte(`"code":"`)
	loadPrefix = []byte("liveload-p")
)

// marksShown counts the marks a programme websocket viewer's board shows
// after msg: the sum of the running events' "done" figures. A snapshot
// carries every event line; an update only the changed ones, whole. An
// event line is a "code" followed by its "done" before the next "code"
// (the table's rows carry a code and no done).
func (c *rawConn) marksShown(msg []byte, update bool) {
	if !update {
		clear(c.done)
		c.shown = 0
	}
	for rest := msg; ; {
		i := bytes.Index(rest, keyCode)
		if i < 0 {
			return
		}
		rest = rest[i+len(keyCode):]
		next := bytes.Index(rest, keyCode)
		seg := rest
		if next >= 0 {
			seg = rest[:next]
		}
		if !bytes.HasPrefix(seg, loadPrefix) {
			continue
		}
		n, _ := field(seg, loadPrefix)
		done, ok := field(seg, keyDone)
		if !ok {
			done = 0 // frozen or not started: shows none
		}
		for int(n) >= len(c.done) {
			c.done = append(c.done, 0)
		}
		c.shown += done - c.done[n]
		c.done[n] = done
	}
}
