package web

import (
	"sync"
	"time"
)

// rateLimiter is a token bucket per client address, for the public
// certificate lookups: query-by-证件号码 could otherwise be used to sweep
// ID numbers. It needs no goroutine: idle buckets are dropped as new clients
// arrive.
type rateLimiter struct {
	mu      sync.Mutex
	buckets map[string]*bucket
	every   time.Duration // one token per interval
	burst   float64
	now     func() time.Time
}

type bucket struct {
	tokens float64
	last   time.Time
}

// maxBuckets bounds the limiter's memory under a flood of addresses.
const maxBuckets = 50_000

func newRateLimiter(every time.Duration, burst int, now func() time.Time) *rateLimiter {
	return &rateLimiter{buckets: map[string]*bucket{}, every: every, burst: float64(burst), now: now}
}

// allow takes a token for key, reporting false when none is left.
func (l *rateLimiter) allow(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) >= maxBuckets {
			l.prune(now)
		}
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[key] = b
	}
	b.tokens = min(l.burst, b.tokens+float64(now.Sub(b.last))/float64(l.every))
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// prune drops buckets that have refilled: forgetting them changes nothing.
// If every bucket is still draining (a flood), it drops them all rather
// than grow without bound.
func (l *rateLimiter) prune(now time.Time) {
	full := time.Duration(l.burst) * l.every
	for k, b := range l.buckets {
		if now.Sub(b.last) >= full {
			delete(l.buckets, k)
		}
	}
	if len(l.buckets) >= maxBuckets {
		clear(l.buckets)
	}
}
