package live

import (
	"context"
	"sync"
)

// Notice says that an event reached a revision; Origin is the instance that
// published it, so an instance can skip its own. A notice with Judge set
// is about that judge's tablets instead (see Service.JudgeChanged).
type Notice struct {
	EventID  int64  `json:"e"`
	Revision int64  `json:"r"`
	Origin   string `json:"o"`
	Judge    int64  `json:"j,omitempty"`
	Revoked  bool   `json:"x,omitempty"`
}

// Broker carries notices between the instances that serve one database.
type Broker interface {
	// Publish sends a notice to every instance. It may fail (the broker is
	// down): hubs then rely on their revision polls.
	Publish(ctx context.Context, n Notice) error
	// Run delivers every instance's notices to deliver until ctx ends, and
	// calls resync whenever it (re)connects, since notices may have been
	// lost before.
	Run(ctx context.Context, deliver func(Notice), resync func())
}

// Local is the in-process broker: it joins Services in one process (a test
// of two instances, or one instance, where it is not needed at all).
type Local struct {
	mu   sync.Mutex
	subs map[int]func(Notice)
	next int
}

var _ Broker = (*Local)(nil)

// NewLocal returns an in-process broker.
func NewLocal() *Local { return &Local{subs: map[int]func(Notice){}} }

// Publish delivers n to every running subscriber.
func (l *Local) Publish(_ context.Context, n Notice) error {
	l.mu.Lock()
	subs := make([]func(Notice), 0, len(l.subs))
	for _, fn := range l.subs {
		subs = append(subs, fn)
	}
	l.mu.Unlock()
	for _, fn := range subs {
		fn(n)
	}
	return nil
}

// Run subscribes until ctx ends.
func (l *Local) Run(ctx context.Context, deliver func(Notice), resync func()) {
	l.mu.Lock()
	id := l.next
	l.next++
	l.subs[id] = deliver
	l.mu.Unlock()
	resync()
	<-ctx.Done()
	l.mu.Lock()
	delete(l.subs, id)
	l.mu.Unlock()
}
