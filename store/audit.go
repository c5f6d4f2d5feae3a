package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
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
	// Seq is the entry's position in its event's chain (the system-wide
	// chain for EventID nil), from 1; nil for an entry of the legacy chain
	// written before chains were per event (migration 027).
	Seq *int64 `db:"seq"`
}

// zeroHash is the previous hash of a chain's first entry.
const zeroHash = "0000000000000000000000000000000000000000000000000000000000000000"

// auditHash is the chain link: it covers the entry's content and the hash of
// the entry before it, so editing or deleting any entry breaks every later one.
// A legacy entry's hash covers its id (the one chain's position); a chained
// entry's covers its chain and position instead, since its id is given by
// the database when it is inserted.
func auditHash(e AuditEntry) string {
	if e.Seq != nil {
		return chainedHash(e)
	}
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

func chainedHash(e AuditEntry) string {
	h := sha256.New()
	ev := ""
	if e.EventID != nil {
		ev = strconv.FormatInt(*e.EventID, 10)
	}
	// "v2" keeps a chained entry's text apart from any legacy entry's.
	for _, field := range []string{
		"v2", e.PrevHash, strconv.FormatInt(*e.Seq, 10), ev, strconv.FormatInt(micros(e.At.Time), 10),
		e.Actor, e.Action, e.Subject, e.Detail,
	} {
		fmt.Fprintf(h, "%d:%s;", len(field), field)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Chains. Every event has its own audit chain and system-wide entries
// (event_id NULL) one more, each with its head row in audit_head: a
// transaction locks only the heads of the chains it appends to, so two
// events' transactions never wait for each other there. Entries written
// before migration 027 form the legacy chain (head -1), linked by id and
// verified as before.
const (
	systemChain = 0  // audit_head.chain of the entries with event_id NULL
	legacyChain = -1 // audit_head.chain of the single chain before 027
)

func chainOf(eventID *int64) int64 {
	if eventID == nil {
		return systemChain
	}
	return *eventID
}

// appendAudit adds an entry inside the caller's transaction, so the trail
// records exactly the changes that committed.
func (s *Store) appendAudit(ctx context.Context, tx *sqlx.Tx, eventID *int64, actor, action, subject string, detail any, at time.Time) error {
	c, err := openChain(ctx, tx, eventID)
	if err != nil {
		return err
	}
	if err := c.append(ctx, actor, action, subject, detail, at); err != nil {
		return err
	}
	return c.close(ctx)
}

// chain appends several audit entries of one chain in one transaction: the
// head is read (and locked) once and written back once, so a batch of
// judges' marks costs two statements per entry instead of five.
type chain struct {
	tx      execer
	eventID *int64
	key     int64
	prev    string
	seq     int64
	rows    [][]any // entries not yet written
}

// openChain locks the head of eventID's chain inside tx and reads the
// previous hash.
func openChain(ctx context.Context, tx execer, eventID *int64) (*chain, error) {
	c := &chain{tx: tx, eventID: eventID, key: chainOf(eventID)}
	// Updating the head first takes its row lock (write lock on SQLite), so
	// concurrent appends to this chain queue here. The update must really
	// change the row: InnoDB then shows this transaction its own, current
	// version of it, whereas after a no-op update a plain read would still
	// return the snapshot taken at the transaction's first read, which may
	// predate an append committed while this one waited, and fork the
	// chain. seq is parked at -1-seq until close writes the new head.
	res, err := tx.ExecContext(ctx, "UPDATE audit_head SET seq = -1 - seq WHERE chain = ?", c.key)
	if err != nil {
		return nil, fmt.Errorf("audit head: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return nil, fmt.Errorf("audit head: %w", err)
	} else if n == 0 {
		// The chain's first entry: normally the event's creation, in the
		// transaction that creates it, so no one else can append to it yet.
		if _, err := tx.ExecContext(ctx, "INSERT INTO audit_head (chain, seq, hash) VALUES (?, -1, ?)", c.key, zeroHash); err != nil {
			return nil, fmt.Errorf("audit head: %w", err)
		}
	}
	var head struct {
		Parked int64  `db:"seq"`
		Hash   string `db:"hash"`
	}
	if err := tx.GetContext(ctx, &head, "SELECT seq, hash FROM audit_head WHERE chain = ?", c.key); err != nil {
		return nil, fmt.Errorf("audit head: %w", err)
	}
	c.seq, c.prev = -1-head.Parked, head.Hash
	return c, nil
}

func (c *chain) append(ctx context.Context, actor, action, subject string, detail any, at time.Time) error {
	raw, err := json.Marshal(detail)
	if err != nil {
		return fmt.Errorf("audit detail: %w", err)
	}
	// The head holds the chain's last position and is locked by this
	// transaction, so the next is known: entries are written with their
	// positions and hashes, many rows to a statement, when the chain closes.
	seq := c.seq + 1
	e := AuditEntry{EventID: c.eventID, Seq: &seq, At: Time{at.Truncate(time.Microsecond).UTC()}, Actor: actor,
		Action: action, Subject: subject, Detail: string(raw), PrevHash: c.prev}
	e.Hash = auditHash(e)
	c.rows = append(c.rows, []any{e.EventID, seq, e.At, e.Actor, e.Action, e.Subject, e.Detail, e.PrevHash, e.Hash})
	c.prev, c.seq = e.Hash, seq
	return nil
}

// close writes the entries and the new head; the caller's commit makes them
// final.
func (c *chain) close(ctx context.Context) error {
	if len(c.rows) > 0 {
		if err := insertRows(ctx, c.tx, "audit_log",
			[]string{"event_id", "seq", "at", "actor", "action", "subject", "detail", "prev_hash", "hash"}, c.rows); err != nil {
			return fmt.Errorf("audit insert: %w", err)
		}
		c.rows = nil
	}
	// Always written back: openChain parked seq.
	if _, err := c.tx.ExecContext(ctx, "UPDATE audit_head SET seq = ?, hash = ? WHERE chain = ?", c.seq, c.prev, c.key); err != nil {
		return fmt.Errorf("audit head: %w", err)
	}
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

// AuditReport is what a verification of the audit trail found.
type AuditReport struct {
	Checked int         // entries checked
	Chains  int         // chains checked, the legacy chain included when it has entries
	Break   *AuditBreak // the first place where the trail does not hold; nil when intact
}

// AuditBreak names where a chain does not hold: an entry edited (its hash),
// deleted or inserted (its position or link), or entries missing at the
// chain's end (the head).
type AuditBreak struct {
	Legacy  bool   // in the chain written before chains were per event
	EventID *int64 // the chain's event; nil for the system-wide chain (or Legacy)
	// ID is the entry that does not hold; for entries missing at the
	// end, the last that remains (0 when none does).
	ID     int64
	Seq    int64  // its position in the chain (the id in the legacy chain)
	Reason string // what is wrong, in Chinese
}

// Message says in one Chinese sentence where the trail breaks.
func (b *AuditBreak) Message() string {
	where := "系统审计链"
	switch {
	case b.Legacy:
		where = "升级前的审计链"
	case b.EventID != nil:
		where = fmt.Sprintf("赛事 #%d 的审计链", *b.EventID)
	}
	if b.ID == 0 {
		return where + "：" + b.Reason
	}
	return fmt.Sprintf("%s第 %d 条（记录号 %d）：%s", where, b.Seq, b.ID, b.Reason)
}

// VerifyAudit walks every chain and returns the id of the first entry whose
// hash, position or link does not hold (for entries missing at a chain's
// end, the last that remains, or -1 when none does), or 0 when the whole
// trail is intact. VerifyAuditChains says more.
func (s *Store) VerifyAudit(ctx context.Context) (badID int64, checked int, err error) {
	rep, err := s.VerifyAuditChains(ctx)
	if err != nil || rep.Break == nil {
		return 0, rep.Checked, err
	}
	if rep.Break.ID == 0 {
		return -1, rep.Checked, nil
	}
	return rep.Break.ID, rep.Checked, nil
}

// VerifyAuditChains checks the legacy chain and every event's and the
// system's chain against their heads: an edited, deleted or inserted entry,
// a chain cut short or a whole chain removed is found and named.
func (s *Store) VerifyAuditChains(ctx context.Context) (AuditReport, error) {
	return s.verifyAudit(ctx, nil)
}

// VerifyEventAudit checks one event's chain and the legacy chain (which
// holds the event's entries from before chains were per event).
func (s *Store) VerifyEventAudit(ctx context.Context, eventID int64) (AuditReport, error) {
	return s.verifyAudit(ctx, &eventID)
}

func (s *Store) verifyAudit(ctx context.Context, only *int64) (rep AuditReport, err error) {
	// One read transaction: the entries and the heads are checked at the
	// same state, so a concurrent append cannot look like a broken chain.
	tx, err := s.r.BeginTxx(ctx, nil)
	if err != nil {
		return rep, fmt.Errorf("audit verify: %w", err)
	}
	defer tx.Rollback()
	var heads []struct {
		Chain int64  `db:"chain"`
		Seq   int64  `db:"seq"`
		Hash  string `db:"hash"`
	}
	q, args := "SELECT chain, seq, hash FROM audit_head", []any{}
	if only != nil {
		q, args = q+" WHERE chain IN (?, ?)", []any{legacyChain, *only}
	}
	if err := tx.SelectContext(ctx, &heads, q, args...); err != nil {
		return rep, fmt.Errorf("audit verify: %w", err)
	}
	type head struct {
		seq  int64
		hash string
		seen bool
	}
	byChain := map[int64]*head{}
	for _, h := range heads {
		byChain[h.Chain] = &head{seq: h.Seq, hash: h.Hash}
	}

	// The legacy chain: linked by id, its head the last id and hash.
	rows, err := tx.QueryxContext(ctx, "SELECT * FROM audit_log WHERE seq IS NULL ORDER BY id")
	if err != nil {
		return rep, fmt.Errorf("audit verify: %w", err)
	}
	prev, lastID := zeroHash, int64(0)
	for rows.Next() {
		var e AuditEntry
		if err := rows.StructScan(&e); err != nil {
			rows.Close()
			return rep, err
		}
		rep.Checked++
		if e.PrevHash != prev || auditHash(e) != e.Hash {
			rows.Close()
			rep.Break = &AuditBreak{Legacy: true, ID: e.ID, Seq: e.ID, Reason: brokenReason(e, prev)}
			return rep, nil
		}
		prev, lastID = e.Hash, e.ID
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return rep, fmt.Errorf("audit verify: %w", err)
	}
	if lastID > 0 {
		rep.Chains++
	}
	// The legacy head names the last entry before the upgrade: entries
	// deleted from its end leave every remaining link intact but not it.
	if h := byChain[legacyChain]; h == nil || h.seq != lastID || h.hash != prev {
		rep.Break = &AuditBreak{Legacy: true, ID: lastID, Seq: lastID, Reason: "链末尾的记录缺失（与链头不符）"}
		return rep, nil
	}

	// The chains, each in its order.
	q, args = "SELECT * FROM audit_log WHERE seq IS NOT NULL ORDER BY event_id, seq, id", nil
	if only != nil {
		q, args = "SELECT * FROM audit_log WHERE seq IS NOT NULL AND event_id = ? ORDER BY seq, id", []any{*only}
	}
	if rows, err = tx.QueryxContext(ctx, q, args...); err != nil {
		return rep, fmt.Errorf("audit verify: %w", err)
	}
	defer rows.Close()
	var (
		cur     *AuditEntry // the last entry of the chain being walked
		started bool
	)
	// end checks a walked chain against its head.
	end := func(last *AuditEntry) *AuditBreak {
		key := chainOf(last.EventID)
		h := byChain[key]
		if h == nil {
			return &AuditBreak{EventID: last.EventID, ID: last.ID, Seq: *last.Seq, Reason: "链头缺失"}
		}
		h.seen = true
		if h.seq != *last.Seq || h.hash != last.Hash {
			return &AuditBreak{EventID: last.EventID, ID: last.ID, Seq: *last.Seq, Reason: "此后的记录缺失（与链头不符）"}
		}
		return nil
	}
	for rows.Next() {
		var e AuditEntry
		if err := rows.StructScan(&e); err != nil {
			return rep, err
		}
		rep.Checked++
		if started && chainOf(e.EventID) != chainOf(cur.EventID) {
			if b := end(cur); b != nil {
				rep.Break = b
				return rep, nil
			}
			started = false
		}
		wantSeq, wantPrev := int64(1), zeroHash
		if started {
			wantSeq, wantPrev = *cur.Seq+1, cur.Hash
		} else {
			rep.Chains++
		}
		switch {
		case *e.Seq < wantSeq:
			rep.Break = &AuditBreak{EventID: e.EventID, ID: e.ID, Seq: *e.Seq, Reason: "位置重复：多出一条记录"}
		case *e.Seq > wantSeq:
			rep.Break = &AuditBreak{EventID: e.EventID, ID: e.ID, Seq: *e.Seq, Reason: fmt.Sprintf("缺少第 %d 条记录", wantSeq)}
		case e.PrevHash != wantPrev || auditHash(e) != e.Hash:
			rep.Break = &AuditBreak{EventID: e.EventID, ID: e.ID, Seq: *e.Seq, Reason: brokenReason(e, wantPrev)}
		}
		if rep.Break != nil {
			return rep, nil
		}
		cur, started = &e, true
	}
	if err := rows.Err(); err != nil {
		return rep, fmt.Errorf("audit verify: %w", err)
	}
	if started {
		if b := end(cur); b != nil {
			rep.Break = b
			return rep, nil
		}
	}
	// A head whose chain has no entry left: the whole chain was removed.
	keys := make([]int64, 0, len(byChain))
	for k := range byChain {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	for _, k := range keys {
		if h := byChain[k]; k != legacyChain && !h.seen && h.seq != 0 {
			var ev *int64
			if k != systemChain {
				ev = &k
			}
			rep.Break = &AuditBreak{EventID: ev, Reason: fmt.Sprintf("链头记有 %d 条记录，一条也不在", h.seq)}
			return rep, nil
		}
	}
	return rep, nil
}

// brokenReason tells an edited entry from one whose link does not hold (an
// entry before it deleted or inserted).
func brokenReason(e AuditEntry, wantPrev string) string {
	if auditHash(e) != e.Hash {
		return "内容被改动（哈希不符）"
	}
	return "与前一条记录不衔接：其前有记录被删除或插入"
}

// auditPoint is where the trail stands: the newest entry's id and a digest
// of every chain's head (a backup records both).
func auditPoint(ctx context.Context, q sqlx.QueryerContext) (lastID int64, digest string, err error) {
	if err := sqlx.GetContext(ctx, q, &lastID, "SELECT COALESCE(MAX(id), 0) FROM audit_log"); err != nil {
		return 0, "", err
	}
	rows, err := q.QueryxContext(ctx, "SELECT chain, seq, hash FROM audit_head ORDER BY chain")
	if err != nil {
		return 0, "", err
	}
	defer rows.Close()
	h := sha256.New()
	for rows.Next() {
		var chain, seq int64
		var hash string
		if err := rows.Scan(&chain, &seq, &hash); err != nil {
			return 0, "", err
		}
		fmt.Fprintf(h, "%d:%d:%s;", chain, seq, hash)
	}
	if err := rows.Err(); err != nil {
		return 0, "", err
	}
	return lastID, hex.EncodeToString(h.Sum(nil)), nil
}
