package judges

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"skillscore"
	"skillscore/store"
)

// writer is the group commit: operations from every connection queue on one
// channel; one goroutine takes whatever has queued (up to maxBatch), applies
// it in one transaction and only then answers each operation. With SQLite's
// synchronous commits that turns one fsync per mark into one per batch, and
// a batch is never waited for: the next one starts as soon as the previous
// commits, so a lone mark is not delayed.
type writer struct {
	st       Store
	in       chan writeReq
	maxBatch int
	log      *slog.Logger
	onCommit func(eventID, revision int64)
	wg       sync.WaitGroup
	once     sync.Once
	quit     chan struct{}
}

type writeReq struct {
	op   store.SheetOp
	done func(store.OpResult, error)
}

// writers is the group commit split by event: each event's operations all
// go to one writer, so they keep their order, while different events'
// batches may commit at the same time (each event has its own revision and
// audit chain, so they lock nothing in common).
type writers []*writer

func newWriters(n int, st Store, maxBatch int, log *slog.Logger, onCommit func(int64, int64)) writers {
	ws := make(writers, n)
	for i := range ws {
		ws[i] = newWriter(st, maxBatch, log, onCommit)
	}
	return ws
}

func (ws writers) submit(ctx context.Context, op store.SheetOp, done func(store.OpResult, error)) {
	i := op.EventID % int64(len(ws))
	if i < 0 {
		i = -i
	}
	ws[i].submit(ctx, op, done)
}

// close stops every writer after what is queued is applied: all are told
// first, so they drain at the same time.
func (ws writers) close() {
	for _, w := range ws {
		w.once.Do(func() { close(w.quit) })
	}
	for _, w := range ws {
		w.wg.Wait()
	}
}

func newWriter(st Store, maxBatch int, log *slog.Logger, onCommit func(int64, int64)) *writer {
	w := &writer{st: st, in: make(chan writeReq, 4*maxBatch), maxBatch: maxBatch, log: log, onCommit: onCommit,
		quit: make(chan struct{})}
	w.wg.Add(1)
	go w.run()
	return w
}

// submit queues an operation; done is called once, from the writer
// goroutine, after the commit (or the failure). It must not block.
func (w *writer) submit(ctx context.Context, op store.SheetOp, done func(store.OpResult, error)) {
	select {
	case w.in <- writeReq{op: op, done: done}:
	case <-w.quit:
		done(store.OpResult{}, skillscore.Errorf(skillscore.EUnavailable, "服务器正在停止，请稍后重试"))
	case <-ctx.Done():
		done(store.OpResult{}, skillscore.Errorf(skillscore.EUnavailable, "连接已关闭"))
	}
}

func (w *writer) run() {
	defer w.wg.Done()
	batch := make([]writeReq, 0, w.maxBatch)
	for {
		batch = batch[:0]
		select {
		case r := <-w.in:
			batch = append(batch, r)
		case <-w.quit:
			// Apply what is queued, then stop.
			for {
				select {
				case r := <-w.in:
					batch = append(batch, r)
					if len(batch) == w.maxBatch {
						w.apply(batch)
						batch = batch[:0]
					}
					continue
				default:
				}
				break
			}
			if len(batch) > 0 {
				w.apply(batch)
			}
			return
		}
	fill:
		for len(batch) < w.maxBatch {
			select {
			case r := <-w.in:
				batch = append(batch, r)
			default:
				break fill
			}
		}
		w.apply(batch)
	}
}

func (w *writer) apply(batch []writeReq) {
	ops := make([]store.SheetOp, len(batch))
	for i, r := range batch {
		ops[i] = r.op
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	start := time.Now()
	res, err := w.st.ApplyOps(ctx, ops)
	if err != nil {
		w.log.Error("judge ops batch failed", "ops", len(ops), "err", err)
		err = skillscore.Wrap(skillscore.EUnavailable, err, "服务器暂时无法保存，请稍后重试（未保存）")
		for _, r := range batch {
			r.done(store.OpResult{}, err)
		}
		return
	}
	w.log.Debug("judge ops batch", "ops", len(ops), "ms", time.Since(start).Milliseconds())
	revs := map[int64]int64{}
	for i, r := range batch {
		r.done(res[i], nil)
		if res[i].Err == nil && !res[i].Duplicate && res[i].Revision > revs[ops[i].EventID] {
			revs[ops[i].EventID] = res[i].Revision
		}
	}
	if w.onCommit != nil {
		for ev, rev := range revs {
			w.onCommit(ev, rev)
		}
	}
}
