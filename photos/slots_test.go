package photos

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
)

// TestDecodeSlotsBoundPixelsInFlight has many goroutines take slots for
// images of every size at once: the pixels held never pass MaxSide²
// (rounded up to whole slots), a largest image is decoded alone, and a
// cancelled wait gives back what it took.
func TestDecodeSlotsBoundPixelsInFlight(t *testing.T) {
	for _, n := range []int{1, 2, 4} {
		d := newDecodeSlots(n)
		var held, most atomic.Int64
		sizes := []int{0, 358 * 441, d.per, d.per + 1, 3000 * 3000, MaxSide * MaxSide}
		var wg sync.WaitGroup
		for i := range 60 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				px := sizes[i%len(sizes)]
				k, err := d.acquire(context.Background(), px)
				if err != nil {
					t.Error(err)
					return
				}
				now := held.Add(int64(k))
				for {
					m := most.Load()
					if now <= m || most.CompareAndSwap(m, now) {
						break
					}
				}
				if px == MaxSide*MaxSide && k != n {
					t.Errorf("n=%d: a largest image took %d slots", n, k)
				}
				held.Add(-int64(k))
				d.release(k)
			}()
		}
		wg.Wait()
		if most.Load() > int64(n) {
			t.Errorf("n=%d: %d slots held at once", n, most.Load())
		}
		if len(d.tokens) != n {
			t.Errorf("n=%d: %d slots free after all returned", n, len(d.tokens))
		}
		// A cancelled wait for several slots returns those it took.
		if n > 1 {
			k, _ := d.acquire(context.Background(), 1)
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			if _, err := d.acquire(ctx, MaxSide*MaxSide); err == nil {
				t.Errorf("n=%d: acquire with a cancelled context succeeded", n)
			}
			d.release(k)
			if len(d.tokens) != n {
				t.Errorf("n=%d: %d slots free after a cancelled wait", n, len(d.tokens))
			}
		}
	}
}
