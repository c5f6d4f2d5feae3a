package judges

import (
	"sync"
)

// hub knows the open tablet connections of each judge, so the chief judge's
// lock or reopen and the organizer's revocation reach the tablet at once.
// It is in-process: changes made on other instances arrive through
// Config.Peers (PeerChanged); without them a tablet connected elsewhere
// learns of a change at its next reconnect or operation (the database
// decides either way).
type hub struct {
	mu    sync.Mutex
	conns map[int64]map[*conn]struct{}
}

func newHub() *hub { return &hub{conns: map[int64]map[*conn]struct{}{}} }

func (h *hub) add(judgeID int64, c *conn) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.conns[judgeID] == nil {
		h.conns[judgeID] = map[*conn]struct{}{}
	}
	h.conns[judgeID][c] = struct{}{}
}

func (h *hub) remove(judgeID int64, c *conn) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.conns[judgeID], c)
	if len(h.conns[judgeID]) == 0 {
		delete(h.conns, judgeID)
	}
}

func (h *hub) of(judgeID int64) []*conn {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]*conn, 0, len(h.conns[judgeID]))
	for c := range h.conns[judgeID] {
		out = append(out, c)
	}
	return out
}

// send pushes a message to every connection of a judge.
func (h *hub) send(judgeID int64, msg any) {
	for _, c := range h.of(judgeID) {
		c.send(msg)
	}
}

// reload tells every connection of a judge to reload its view and resend
// the welcome (assignments changed).
func (h *hub) reload(judgeID int64) {
	for _, c := range h.of(judgeID) {
		c.requestReload()
	}
}

func (h *hub) revoke(judgeID int64) {
	for _, c := range h.of(judgeID) {
		c.revoke()
	}
}

func (h *hub) closeAll() {
	h.mu.Lock()
	var all []*conn
	for _, cs := range h.conns {
		for c := range cs {
			all = append(all, c)
		}
	}
	h.mu.Unlock()
	for _, c := range all {
		c.shutdown()
	}
}
