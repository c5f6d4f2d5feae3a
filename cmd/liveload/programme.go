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

// The programme mode measures the programme big screen: every viewer holds
// one long poll of GET /api/v1/programmes/{code}/board?since=ETAG open on a
// keep-alive connection and asks again as soon as it is answered, as
// templates/static/programme.js does. The programme is the demo programme
// (its final and published events fill the delegation table) plus
// -events running events in which the marks are written. Each of their
// events has one judged module of one aspect, so each mark on a contestant
// not yet marked completes one (contestant, module) pair: the sum of the
// board's "done" figures counts the marks it shows, which ties every answer
// to the marks' commit times without anything added to the board.

func progEventRules() string {
	return `{"schema":"skillscore.rules/v1","name":"大赛看板压测","kind":"competition","groups":[{"code":"g","name":"职工组"}],` +
		`"modules":[{"code":"P","name":"实操","part":"practical","weight":100,"max":10,` +
		`"panel":{"judges":1,"method":"mean","missing":"present","min_judges":1},` +
		`"aspects":[{"code":"P1","name":"操作要点","kind":"judgement","max":10}]}],` +
		`"total":{"rounding":{"mode":"half_up","places":2}}}`
}

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
		ev, err := st.CreateEventInProgramme(ctx, pr.ID, store.NewEvent{
			Event: store.Event{Code: code, Name: fmt.Sprintf("看板压测赛项%d", e+1), Kind: "competition", Occupation: "养老护理员",
				Year: 2026, Status: "running", Rules: progEventRules()},
			Groups: []store.Group{{Code: "g", Name: "职工组"}},
			Modules: []store.Module{{Code: "P", Name: "实操", Kind: "practical", Weight: 1000000, MaxMarks: 100000,
				Aspects: []store.Aspect{{Code: "P1", Name: "操作要点", Kind: "judgement", MaxMarks: 100000}}}},
		}, "liveload")
		if err != nil {
			return nil, fmt.Errorf("event %s: %w", code, err)
		}
		mods, err := st.Modules(ctx, ev.ID)
		if err != nil {
			return nil, err
		}
		var cs []store.Contestant
		for i := range perEvent {
			c, s := fmt.Sprintf("P%d%04d", e+1, i+1), fmt.Sprintf("%04d", i+1)
			cs = append(cs, store.Contestant{Name: fmt.Sprintf("看板选手%d", i+1), Gender: "女", IDType: "其他",
				IDNumber: fmt.Sprintf("PROG-%s-%d", code, i+1), GroupCode: "g", Code: &c, Station: &s,
				DelegationID: &dels[(e+i)%len(dels)].ID})
		}
		if cs, err = st.AddContestants(ctx, ev.ID, cs, "liveload"); err != nil {
			return nil, fmt.Errorf("event %s roster: %w", code, err)
		}
		jd, err := st.AddJudge(ctx, store.Judge{EventID: ev.ID, Code: "J001", Name: "看板裁判长"},
			[]store.PanelMember{{ModuleID: mods[0].ID, Chief: true}}, "liveload")
		if err != nil {
			return nil, err
		}
		as := make([]store.Assignment, len(cs))
		for i, c := range cs {
			as[i] = store.Assignment{ModuleID: mods[0].ID, JudgeID: jd.ID, ContestantID: c.ID}
		}
		if err := st.AddAssignments(ctx, ev.ID, as, "liveload"); err != nil {
			return nil, err
		}
		// Unsubmitted marks move the public board (sports-style live
		// marks), as in the event board's mode.
		if _, err := st.SetLiveSettings(ctx, ev.ID, false, true, "liveload"); err != nil {
			return nil, err
		}
		m, err := livetest.NewMarker(ctx, st, code)
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
