package store

import (
	"context"
	"sync"
	"testing"

	"github.com/jmoiron/sqlx"
)

// TestAuditAppendsAfterReadsKeepOneChain: transactions that read before they
// append (most do) must still link to the true previous entry. On InnoDB a
// plain read after waiting for the head's lock would see the transaction's
// older snapshot and fork the chain.
func TestAuditAppendsAfterReadsKeepOneChain(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		s := open(Options{})
		ctx := context.Background()
		d := seed(t, s)
		const writers = 24
		var wg sync.WaitGroup
		errs := make(chan error, writers)
		start := make(chan struct{})
		for i := 0; i < writers; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				errs <- s.inTx(ctx, func(tx *sqlx.Tx) error {
					var n int
					// The read that fixes an InnoDB snapshot before the append.
					if err := tx.GetContext(ctx, &n, "SELECT COUNT(*) FROM audit_log"); err != nil {
						return err
					}
					return s.appendAudit(ctx, tx, &d.ev.ID, "t", "test.append", "", map[string]int{"seen": n}, s.now())
				})
			}()
		}
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		bad, n, err := s.VerifyAudit(ctx)
		if err != nil || bad != 0 {
			t.Fatalf("chain after %d concurrent read-then-append transactions: bad=%d checked=%d err=%v", writers, bad, n, err)
		}
	})
}

// TestVerifyAuditDetectsTruncation: deleting the newest entries leaves every
// remaining link valid; the chain's head still gives them away.
func TestVerifyAuditDetectsTruncation(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		s := open(Options{})
		ctx := context.Background()
		d := seed(t, s)
		// The newest entry is the seed event's; the break is after the one
		// before it in that event's chain.
		var es []AuditEntry
		if err := s.r.SelectContext(ctx, &es, "SELECT * FROM audit_log WHERE event_id = ? ORDER BY seq DESC LIMIT 2", d.ev.ID); err != nil || len(es) != 2 {
			t.Fatal(err, len(es))
		}
		if _, err := s.w.ExecContext(ctx, "DELETE FROM audit_log WHERE id = ?", es[0].ID); err != nil {
			t.Fatal(err)
		}
		bad, _, err := s.VerifyAudit(ctx)
		if err != nil || bad != es[1].ID {
			t.Fatalf("truncated chain: bad=%d, want %d (err %v)", bad, es[1].ID, err)
		}
	})
}
