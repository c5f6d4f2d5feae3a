package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"
)

// AuditEntry is one line of the append-only audit trail.
type AuditEntry struct {
	ID       int64  `db:"id"`
	EventID  *int64 `db:"event_id"`
	At       Time   `db:"at"`
	Actor    string `db:"actor"`
	Action   string `db:"action"`
	Subject  string `db:"subject"`
	Detail   string `db:"detail"` // JSON
	PrevHash string `db:"prev_hash"`
	Hash     string `db:"hash"`
}

// auditHash is the chain link: it covers the entry's content and the hash of
// the entry before it, so editing or deleting any entry breaks every later one.
func auditHash(e AuditEntry) string {
	h := sha256.New()
	ev := ""
	if e.EventID != nil {
		ev = strconv.FormatInt(*e.EventID, 10)
	}
	for _, field := range []string{
		e.PrevHash, strconv.FormatInt(e.ID, 10), ev, strconv.FormatInt(micros(e.At.Time), 10),
		e.Actor, e.Action, e.Subject, e.Detail,
	} {
		// Length-prefixed, so no two different entries hash the same text.
		fmt.Fprintf(h, "%d:%s;", len(field), field)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// appendAudit adds an entry inside the caller's transaction, so the trail
// records exactly the changes that committed.
func (s *Store) appendAudit(ctx context.Context, tx *sqlx.Tx, eventID *int64, actor, action, subject string, detail any, at time.Time) error {
	c, err := openChain(ctx, tx)
	if err != nil {
		return err
	}
	if err := c.append(ctx, eventID, actor, action, subject, detail, at); err != nil {
		return err
	}
	return c.close(ctx)
}

// chain appends several audit entries in one transaction: the head is read
// (and locked) once and written back once, so a batch of judges' marks costs
// two statements per entry instead of five.
type chain struct {
	tx   execer
	prev string
	last int64
	rows [][]any // entries not yet written
}

// openChain locks the audit head inside tx and reads the previous hash.
func openChain(ctx context.Context, tx execer) (*chain, error) {
	// Updating the head first takes its row lock (write lock on SQLite), so
	// concurrent appends queue here. The update must really change the row:
	// InnoDB then shows this transaction its own, current version of it,
	// whereas after a no-op update a plain read would still return the
	// snapshot taken at the transaction's first read, which may predate an
	// append committed while this one waited, and fork the chain. last_id is
	// parked at -1-last_id until close writes the new head.
	if _, err := tx.ExecContext(ctx, "UPDATE audit_head SET last_id = -1 - last_id WHERE id = 1"); err != nil {
		return nil, fmt.Errorf("audit head: %w", err)
	}
	c := &chain{tx: tx}
	var head struct {
		Parked int64  `db:"last_id"`
		Hash   string `db:"hash"`
	}
	if err := tx.GetContext(ctx, &head, "SELECT last_id, hash FROM audit_head WHERE id = 1"); err != nil {
		return nil, fmt.Errorf("audit head: %w", err)
	}
	c.last, c.prev = -1-head.Parked, head.Hash
	return c, nil
}

func (c *chain) append(ctx context.Context, eventID *int64, actor, action, subject string, detail any, at time.Time) error {
	raw, err := json.Marshal(detail)
	if err != nil {
		return fmt.Errorf("audit detail: %w", err)
	}
	// The head holds the id of the last entry and is locked by this
	// transaction, so the next id is known: entries are written with their
	// ids and hashes, many rows to a statement, when the chain closes.
	e := AuditEntry{ID: c.last + 1, EventID: eventID, At: Time{at.Truncate(time.Microsecond).UTC()}, Actor: actor,
		Action: action, Subject: subject, Detail: string(raw), PrevHash: c.prev}
	e.Hash = auditHash(e)
	c.rows = append(c.rows, []any{e.ID, e.EventID, e.At, e.Actor, e.Action, e.Subject, e.Detail, e.PrevHash, e.Hash})
	c.prev, c.last = e.Hash, e.ID
	return nil
}

// close writes the entries and the new head; the caller's commit makes them
// final.
func (c *chain) close(ctx context.Context) error {
	if len(c.rows) > 0 {
		if err := c.flush(ctx); err != nil {
			return err
		}
	}
	// Always written back: openChain parked last_id.
	if _, err := c.tx.ExecContext(ctx, "UPDATE audit_head SET last_id = ?, hash = ? WHERE id = 1", c.last, c.prev); err != nil {
		return fmt.Errorf("audit head: %w", err)
	}
	return nil
}

func (c *chain) flush(ctx context.Context) error {
	if err := insertRows(ctx, c.tx, "audit_log",
		[]string{"id", "event_id", "at", "actor", "action", "subject", "detail", "prev_hash", "hash"}, c.rows); err != nil {
		return fmt.Errorf("audit insert: %w", err)
	}
	c.rows = nil
	return nil
}

// AuditTrail returns an event's audit entries in order.
func (s *Store) AuditTrail(ctx context.Context, eventID int64) ([]AuditEntry, error) {
	var out []AuditEntry
	err := s.r.SelectContext(ctx, &out, "SELECT * FROM audit_log WHERE event_id = ? ORDER BY id", eventID)
	if err != nil {
		return nil, fmt.Errorf("audit trail: %w", err)
	}
	return out, nil
}

// VerifyAudit walks the whole chain and returns the id of the first entry
// whose hash or link does not hold, or 0 when the chain is intact.
func (s *Store) VerifyAudit(ctx context.Context) (badID int64, checked int, err error) {
	// One read transaction: the entries and the head are checked at the same
	// state, so a concurrent append cannot look like a broken chain.
	tx, err := s.r.BeginTxx(ctx, nil)
	if err != nil {
		return 0, 0, fmt.Errorf("audit verify: %w", err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryxContext(ctx, "SELECT * FROM audit_log ORDER BY id")
	if err != nil {
		return 0, 0, fmt.Errorf("audit verify: %w", err)
	}
	defer rows.Close()
	prev := "0000000000000000000000000000000000000000000000000000000000000000"
	var lastID int64
	for rows.Next() {
		var e AuditEntry
		if err := rows.StructScan(&e); err != nil {
			return 0, checked, err
		}
		checked++
		if e.PrevHash != prev || auditHash(e) != e.Hash {
			return e.ID, checked, nil
		}
		prev, lastID = e.Hash, e.ID
	}
	if err := rows.Err(); err != nil {
		return 0, checked, err
	}
	// The head names the last entry appended: entries deleted from the end
	// of the chain leave every remaining link intact but not the head.
	var head struct {
		Last int64  `db:"last_id"`
		Hash string `db:"hash"`
	}
	if err := tx.GetContext(ctx, &head, "SELECT last_id, hash FROM audit_head WHERE id = 1"); err != nil {
		return 0, checked, fmt.Errorf("audit verify: %w", err)
	}
	if head.Last != lastID || head.Hash != prev {
		return lastID + 1, checked, nil
	}
	return 0, checked, nil
}
