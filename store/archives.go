package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"skillscore"
)

// Archives and the retention lock (issue 16, docs/oversight-archive.md).
// Building an archive (package archive) records it here with its digests
// and a retention date; until the latest of its archives' dates the event
// cannot be deleted. The personal-data purge (purge.go) is not held by the
// lock: it follows the retention promised in the privacy notice, and the
// archive, a separate signed copy, keeps what it kept.

// Archive retention, in whole years from the archive's building.
const (
	// DefaultArchiveYears is 5 years: the electronic-records rule of an
	// assessment body (paper 3 years, electronic 5).
	DefaultArchiveYears = 5
	MinArchiveYears     = 1
	MaxArchiveYears     = 30
)

// EventArchive is one archive of an event as recorded.
type EventArchive struct {
	ID             int64  `db:"id"`
	EventID        int64  `db:"event_id"`
	EventCode      string `db:"event_code"`
	ArchivedAt     Time   `db:"archived_at"`
	ArchivedBy     string `db:"archived_by"`
	ZipSHA256      string `db:"zip_sha256"`
	ManifestSHA256 string `db:"manifest_sha256"`
	AuditSeq       int64  `db:"audit_seq"`
	AuditHash      string `db:"audit_hash"`
	KeyID          string `db:"key_id"`
	Files          int    `db:"files"`
	Bytes          int64  `db:"bytes"`
	RetainUntil    Time   `db:"retain_until"`
}

// ArchiveRecord is what RecordArchive stores: the built archive's facts and
// the retention chosen (Years, 0 for DefaultArchiveYears).
type ArchiveRecord struct {
	EventID        int64
	ZipSHA256      string
	ManifestSHA256 string
	AuditSeq       int64
	AuditHash      string
	KeyID          string
	Files          int
	Bytes          int64
	Years          int
}

// CheckArchiveYears refuses a retention outside MinArchiveYears..MaxArchiveYears.
func CheckArchiveYears(years int) error {
	if years < MinArchiveYears || years > MaxArchiveYears {
		return skillscore.Errorf(skillscore.EInvalid, "归档保存年限应为 %d 至 %d 年（默认 %d 年），不能是 %d",
			MinArchiveYears, MaxArchiveYears, DefaultArchiveYears, years)
	}
	return nil
}

// AuditHead is the head of one event's audit chain: its last position and
// hash (0 and the zero hash for a chain without entries).
type AuditHead struct {
	Seq  int64  `db:"seq" json:"seq"`
	Hash string `db:"hash" json:"hash"`
}

// EventAuditHead reads the head of the event's audit chain. Entries with
// a Seq up to head.Seq are the ones it covers: an archive that reads the
// head first and the trail after cuts the trail there, so the two agree
// even while the event's people keep working.
func (s *Store) EventAuditHead(ctx context.Context, eventID int64) (AuditHead, error) {
	var h AuditHead
	err := s.r.GetContext(ctx, &h, "SELECT seq, hash FROM audit_head WHERE chain = ?", chainOf(&eventID))
	if errors.Is(err, sql.ErrNoRows) {
		return AuditHead{Seq: 0, Hash: zeroHash}, nil
	}
	if err != nil {
		return AuditHead{}, fmt.Errorf("audit head: %w", err)
	}
	if h.Seq < 0 {
		// Parked by a transaction that has not committed: a read never
		// sees that (the update is uncommitted), so this is corruption.
		return AuditHead{}, fmt.Errorf("audit head of event %d is parked (%d)", eventID, h.Seq)
	}
	return h, nil
}

// RecordArchive records a built archive, retained for Years from now, and
// appends event.archive to the event's audit chain.
func (s *Store) RecordArchive(ctx context.Context, rec ArchiveRecord, actor string) (EventArchive, error) {
	if rec.Years == 0 {
		rec.Years = DefaultArchiveYears
	}
	if err := CheckArchiveYears(rec.Years); err != nil {
		return EventArchive{}, err
	}
	now := s.now()
	a := EventArchive{EventID: rec.EventID, ArchivedAt: Time{now.Truncate(time.Microsecond).UTC()}, ArchivedBy: actor,
		ZipSHA256: rec.ZipSHA256, ManifestSHA256: rec.ManifestSHA256, AuditSeq: rec.AuditSeq, AuditHash: rec.AuditHash,
		KeyID: rec.KeyID, Files: rec.Files, Bytes: rec.Bytes,
		RetainUntil: Time{now.AddDate(rec.Years, 0, 0).Truncate(time.Microsecond).UTC()}}
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		chain, err := openChain(ctx, tx, &rec.EventID)
		if err != nil {
			return err
		}
		if err := tx.GetContext(ctx, &a.EventCode, "SELECT code FROM events WHERE id = ?", rec.EventID); errors.Is(err, sql.ErrNoRows) {
			return skillscore.Errorf(skillscore.ENotFound, "赛事 %d 不存在", rec.EventID)
		} else if err != nil {
			return fmt.Errorf("archive event: %w", err)
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO event_archives (event_id, event_code, archived_at, archived_by, zip_sha256,
			manifest_sha256, audit_seq, audit_hash, key_id, files, bytes, retain_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			a.EventID, a.EventCode, micros(a.ArchivedAt.Time), a.ArchivedBy, a.ZipSHA256, a.ManifestSHA256, a.AuditSeq, a.AuditHash,
			a.KeyID, a.Files, a.Bytes, micros(a.RetainUntil.Time))
		if err != nil {
			return fmt.Errorf("record archive: %w", err)
		}
		id, err := res.LastInsertId()
		if err != nil {
			return fmt.Errorf("record archive: %w", err)
		}
		a.ID = id
		if err := chain.append(ctx, actor, "event.archive", a.EventCode, map[string]any{
			"archive": id, "zip_sha256": a.ZipSHA256, "manifest_sha256": a.ManifestSHA256, "audit_seq": a.AuditSeq,
			"audit_hash": a.AuditHash, "key_id": a.KeyID, "files": a.Files, "bytes": a.Bytes, "years": rec.Years,
			"retain_until": a.RetainUntil.Time.Format(time.RFC3339)}, now); err != nil {
			return err
		}
		return chain.close(ctx)
	})
	if err != nil {
		return EventArchive{}, err
	}
	return a, nil
}

// EventArchives lists the event's archives, newest first.
func (s *Store) EventArchives(ctx context.Context, eventID int64) ([]EventArchive, error) {
	var out []EventArchive
	if err := s.r.SelectContext(ctx, &out, "SELECT * FROM event_archives WHERE event_id = ? ORDER BY id DESC", eventID); err != nil {
		return nil, fmt.Errorf("event archives: %w", err)
	}
	return out, nil
}

// RetentionLock is an event's retention lock: the latest retention date of
// its archives (zero when never archived) and the archive that set it.
type RetentionLock struct {
	Until   Time
	Archive *EventArchive
}

// Locked reports whether the lock still holds at now.
func (l RetentionLock) Locked(now time.Time) bool { return l.Until.Valid() && now.Before(l.Until.Time) }

// RetentionLock reads the event's retention lock.
func (s *Store) RetentionLock(ctx context.Context, eventID int64) (RetentionLock, error) {
	return retentionLock(ctx, s.r, eventID)
}

func retentionLock(ctx context.Context, q sqlx.QueryerContext, eventID int64) (RetentionLock, error) {
	var as []EventArchive
	if err := sqlx.SelectContext(ctx, q, &as, "SELECT * FROM event_archives WHERE event_id = ? ORDER BY retain_until DESC, id DESC", eventID); err != nil {
		return RetentionLock{}, fmt.Errorf("retention lock: %w", err)
	}
	if len(as) == 0 {
		return RetentionLock{}, nil
	}
	return RetentionLock{Until: as[0].RetainUntil, Archive: &as[0]}, nil
}

// DeletedEvent is what DeleteEvent removed.
type DeletedEvent struct {
	Event  Event
	Rows   map[string]int64 // rows deleted per table, cascades not counted
	Photos []Photo          // photo records deleted: their files are the caller's to remove
}

// keptOnDelete are the tables an event's deletion leaves alone: its audit
// chain (entries hold no personal data; `audit verify` still checks it) and
// the record of its archives.
var keptOnDelete = map[string]bool{"audit_log": true, "audit_head": true, "event_archives": true, "events": true}

// DeleteEvent removes an event and everything recorded under it, except its
// audit chain and archive records, once its retention lock has expired. An
// event whose results were made final must have been archived first: its
// records would otherwise be lost without a kept copy. The deletion is
// appended to the system-wide audit chain (the event's own chain stays as
// it was, its head the one its last archive names).
func (s *Store) DeleteEvent(ctx context.Context, eventID int64, actor string) (DeletedEvent, error) {
	now := s.now()
	var out DeletedEvent
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		out = DeletedEvent{Rows: map[string]int64{}}
		// The system chain's head first, before any read (see issueCertificates).
		chain, err := openChain(ctx, tx, nil)
		if err != nil {
			return err
		}
		var ev Event
		if err := tx.GetContext(ctx, &ev, "SELECT * FROM events WHERE id = ?", eventID); errors.Is(err, sql.ErrNoRows) {
			return skillscore.Errorf(skillscore.ENotFound, "赛事 %d 不存在", eventID)
		} else if err != nil {
			return fmt.Errorf("delete event: %w", err)
		}
		out.Event = ev
		lock, err := retentionLock(ctx, tx, eventID)
		if err != nil {
			return err
		}
		if lock.Locked(now) {
			return skillscore.Errorf(skillscore.EConflict, "赛事 %s 已于 %s 归档，保存期限至 %s：期满前不能删除",
				ev.Code, cnDate(lock.Archive.ArchivedAt.Time), cnDate(lock.Until.Time))
		}
		var finals int
		if err := tx.GetContext(ctx, &finals, "SELECT COUNT(*) FROM finals WHERE event_id = ?", eventID); err != nil {
			return fmt.Errorf("delete event: %w", err)
		}
		if finals > 0 && lock.Archive == nil {
			return skillscore.Errorf(skillscore.EConflict, "赛事 %s 的成绩已确认为最终成绩，但尚未归档：请先归档（skillscore archive），保存期满后才能删除", ev.Code)
		}
		if err := tx.SelectContext(ctx, &out.Photos, `SELECT `+photoCols+` FROM photos WHERE contestant_id IN
			(SELECT id FROM contestants WHERE event_id = ?)`, eventID); err != nil {
			return fmt.Errorf("delete photos: %w", err)
		}
		head, err := eventAuditHead(ctx, tx, eventID)
		if err != nil {
			return err
		}
		// Rows whose foreign keys do not cascade, children first; then
		// every table with an event_id, children before parents (the
		// catalogue's foreign-key order reversed), so a table a later
		// migration adds is deleted from without anyone editing a list.
		for _, q := range []struct{ table, sql string }{
			{"certificate_reissues", "DELETE FROM certificate_reissues WHERE certificate_id IN (SELECT id FROM certificates WHERE event_id = ?)"},
			{"contestants (team_id)", "UPDATE contestants SET team_id = NULL WHERE event_id = ? AND team_id IS NOT NULL"},
		} {
			res, err := tx.ExecContext(ctx, q.sql, eventID)
			if err != nil {
				return fmt.Errorf("delete %s: %w", q.table, err)
			}
			if n, _ := res.RowsAffected(); n > 0 && q.table != "contestants (team_id)" {
				out.Rows[q.table] = n
			}
		}
		tables, err := schemaTables(ctx, tx, s.dialect)
		if err != nil {
			return err
		}
		for i := len(tables) - 1; i >= 0; i-- {
			t := tables[i]
			if keptOnDelete[t.name] || !hasColumn(t, "event_id") {
				continue
			}
			res, err := tx.ExecContext(ctx, "DELETE FROM `"+t.name+"` WHERE event_id = ?", eventID)
			if err != nil {
				return fmt.Errorf("delete %s: %w", t.name, err)
			}
			if n, _ := res.RowsAffected(); n > 0 {
				out.Rows[t.name] = n
			}
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM events WHERE id = ?", eventID); err != nil {
			return fmt.Errorf("delete event: %w", err)
		}
		detail := map[string]any{"event": eventID, "code": ev.Code, "name": ev.Name, "rows": out.Rows,
			"audit_seq": head.Seq, "audit_hash": head.Hash}
		if a := lock.Archive; a != nil {
			detail["archive"] = map[string]any{"id": a.ID, "zip_sha256": a.ZipSHA256, "manifest_sha256": a.ManifestSHA256,
				"archived_at": a.ArchivedAt.Time.Format(time.RFC3339), "retain_until": a.RetainUntil.Time.Format(time.RFC3339)}
		}
		if err := chain.append(ctx, actor, "event.delete", ev.Code, detail, now); err != nil {
			return err
		}
		return chain.close(ctx)
	})
	if err != nil {
		return DeletedEvent{}, err
	}
	return out, nil
}

func eventAuditHead(ctx context.Context, q sqlx.QueryerContext, eventID int64) (AuditHead, error) {
	var h AuditHead
	err := sqlx.GetContext(ctx, q, &h, "SELECT seq, hash FROM audit_head WHERE chain = ?", chainOf(&eventID))
	if errors.Is(err, sql.ErrNoRows) {
		return AuditHead{Hash: zeroHash}, nil
	}
	if err != nil {
		return AuditHead{}, fmt.Errorf("audit head: %w", err)
	}
	return h, nil
}

func hasColumn(t backupTable, name string) bool {
	for _, c := range t.cols {
		if c.name == name {
			return true
		}
	}
	return false
}

// cnDate is a moment's date in China, as the refusals print it.
func cnDate(t time.Time) string {
	return t.In(skillscore.China()).Format("2006年1月2日")
}

// orphanRefs are the id columns whose rows belong to a parent row of an
// event (a mark to its sheet, an aspect to its module …).
var orphanRefs = map[string]string{"module_id": "modules", "contestant_id": "contestants", "sheet_id": "sheets",
	"certificate_id": "certificates", "judge_id": "judges", "session_id": "sessions", "aspect_id": "aspects"}

// EventRowsLeft counts, per table, the rows an event's deletion should
// have removed and did not: rows with its event_id (outside the audit
// chain and archive records) and rows anywhere whose module, contestant,
// sheet, certificate, judge, session or aspect no longer exists. Empty
// after a clean deletion; the deletion's tests check it on both databases.
func (s *Store) EventRowsLeft(ctx context.Context, eventID int64) (map[string]int64, error) {
	tables, err := schemaTables(ctx, s.r, s.dialect)
	if err != nil {
		return nil, err
	}
	exists := map[string]bool{}
	for _, t := range tables {
		exists[t.name] = true
	}
	left := map[string]int64{}
	for _, t := range tables {
		if keptOnDelete[t.name] {
			continue
		}
		for _, c := range t.cols {
			var q string
			var args []any
			switch parent := orphanRefs[c.name]; {
			case c.name == "event_id":
				q, args = "SELECT COUNT(*) FROM `"+t.name+"` WHERE event_id = ?", []any{eventID}
			case parent != "" && exists[parent] && parent != t.name:
				q = "SELECT COUNT(*) FROM `" + t.name + "` WHERE `" + c.name + "` IS NOT NULL AND `" + c.name + "` NOT IN (SELECT id FROM `" + parent + "`)"
			default:
				continue
			}
			var n int64
			if err := s.r.GetContext(ctx, &n, q, args...); err != nil {
				return nil, fmt.Errorf("rows left in %s: %w", t.name, err)
			}
			if n > 0 {
				left[t.name+"."+c.name] = n
			}
		}
	}
	return left, nil
}
