package live

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis is the broker between instances: notices go over Redis pub/sub on
// one channel; MariaDB stays the source of truth. When Redis goes away each
// instance keeps serving its own viewers from the database (hubs poll), the
// fault is logged once, and hubs resync when Redis is back.
type Redis struct {
	client  *redis.Client
	channel string
	log     *slog.Logger

	mu   sync.Mutex
	down bool
}

var _ Broker = (*Redis)(nil)

// NewRedis connects lazily to the Redis at addr (HOST:PORT). prefix
// separates deployments (and tests) sharing one Redis.
func NewRedis(addr, prefix string, log *slog.Logger) *Redis {
	return &Redis{
		client: redis.NewClient(&redis.Options{
			Addr: addr,
			// Notices are fire-and-forget: fail fast rather than hold a hub.
			DialTimeout: 2 * time.Second, ReadTimeout: 2 * time.Second, WriteTimeout: 2 * time.Second,
			MaxRetries: -1,
		}),
		channel: prefix + "live",
		log:     log,
	}
}

// Ping checks that Redis answers (for a clear start-up error).
func (r *Redis) Ping(ctx context.Context) error { return r.client.Ping(ctx).Err() }

// Close releases the connections.
func (r *Redis) Close() error { return r.client.Close() }

// Publish sends a notice to every instance.
func (r *Redis) Publish(ctx context.Context, n Notice) error {
	b, err := json.Marshal(n)
	if err != nil {
		return err
	}
	err = r.client.Publish(ctx, r.channel, b).Err()
	r.health(ctx, err)
	return err
}

// health logs a change between up and down, once each way.
func (r *Redis) health(ctx context.Context, err error) {
	if ctx.Err() != nil {
		return // shutting down: not a fault
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case err != nil && !r.down:
		r.down = true
		r.log.Error("live: Redis unreachable; serving from the database until it returns", "addr", r.client.Options().Addr, "err", err)
	case err == nil && r.down:
		r.down = false
		r.log.Info("live: Redis is back; resyncing", "addr", r.client.Options().Addr)
	}
}

// Run subscribes to the channel until ctx ends, resubscribing after a fault.
func (r *Redis) Run(ctx context.Context, deliver func(Notice), resync func()) {
	for ctx.Err() == nil {
		r.session(ctx, deliver, resync)
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}

// session is one subscription: it ends at the first fault.
func (r *Redis) session(ctx context.Context, deliver func(Notice), resync func()) {
	ps := r.client.Subscribe(ctx, r.channel)
	defer ps.Close()
	// A blocked receive does not watch ctx: closing the subscription ends it.
	defer context.AfterFunc(ctx, func() { ps.Close() })()
	if _, err := ps.Receive(ctx); err != nil {
		r.health(ctx, err)
		return
	}
	r.health(ctx, nil)
	// Notices published while we were not subscribed are lost: catch up
	// from the database.
	resync()
	for {
		msg, err := ps.ReceiveTimeout(ctx, 5*time.Second)
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			// Quiet channel: make sure the connection is alive.
			if err := ps.Ping(ctx); err != nil {
				r.health(ctx, err)
				return
			}
			continue
		}
		if err != nil {
			r.health(ctx, err)
			return
		}
		if m, ok := msg.(*redis.Message); ok {
			var n Notice
			if json.Unmarshal([]byte(m.Payload), &n) == nil {
				deliver(n)
			}
		}
	}
}

// DriverLog carries the Redis driver's own messages (one per failed dial)
// into slog at debug level, so an outage shows in the log once, as the
// broker's error, instead of once a second. Install it with redis.SetLogger
// where the program is wired.
type DriverLog struct{ Log *slog.Logger }

// Printf implements the driver's logging interface.
func (d DriverLog) Printf(ctx context.Context, format string, v ...any) {
	d.Log.DebugContext(ctx, "redis driver", "msg", fmt.Sprintf(format, v...))
}
