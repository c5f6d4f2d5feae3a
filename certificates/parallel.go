package certificates

import (
	"context"
	"runtime"
	"sync"
)

// inOrder runs work(i) for every i in [0, n) on all CPUs and hands each
// result to use in index order, so a document's pages come out in order while
// the expensive part (QR codes, page splitting) runs in parallel. It stops at
// the first error, from work or use, or when ctx ends, and returns only after
// every goroutine it started has finished.
func inOrder[T any](ctx context.Context, n int, work func(i int) (T, error), use func(i int, v T) error) error {
	ctx, cancel := context.WithCancel(ctx)
	type result struct {
		v   T
		err error
	}
	// One buffered slot per item: workers never block on a slow consumer.
	slots := make([]chan result, n)
	for i := range slots {
		slots[i] = make(chan result, 1)
	}
	jobs := make(chan int)
	var wg sync.WaitGroup
	defer func() {
		cancel()
		wg.Wait()
	}()
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(jobs)
		for i := 0; i < n; i++ {
			select {
			case jobs <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				v, err := work(i)
				slots[i] <- result{v, err}
			}
		}()
	}
	for i := 0; i < n; i++ {
		var res result
		select {
		case res = <-slots[i]:
		case <-ctx.Done():
			return ctx.Err()
		}
		if res.err != nil {
			return res.err
		}
		if err := use(i, res.v); err != nil {
			return err
		}
	}
	return nil
}
