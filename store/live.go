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

// LiveState is what the public may see of an event's standings: whether the
// results are published (names shown masked), whether and since when the
// public board is frozen, and how far the award ceremony has revealed it.
type LiveState struct {
	EventID        int64  `db:"event_id"`
	Revision       int64  `db:"revision"` // the event's revision when the state was read
	PublishedAt    Time   `db:"published_at"`
	PublicationEnd Time   `db:"publication_ends_at"` // end of the publication period (公示期); zero: none set
	FreezeAt       Time   `db:"freeze_at"`
	FrozenRevision int64  `db:"frozen_revision"`
	FrozenBoard    string `db:"frozen_board"` // JSON written by live; "" until the freeze began
	CeremonyStep   int    `db:"ceremony_step"`
}

// Published reports whether the results have been decrypted and published.
func (l LiveState) Published() bool { return !l.PublishedAt.IsZero() }

// Frozen reports whether the public board is frozen at time now.
func (l LiveState) Frozen(now time.Time) bool {
	return !l.FreezeAt.IsZero() && !now.Before(l.FreezeAt.Time)
}

// Ceremony reports whether the award ceremony is revealing the board.
func (l LiveState) Ceremony() bool { return l.CeremonyStep >= 0 }

// maxCeremonyStep bounds a reveal step; no group is anywhere near that large.
const maxCeremonyStep = 100000

const liveStateQuery = `SELECT e.id AS event_id, e.revision, l.published_at, l.publication_ends_at, l.freeze_at,
		COALESCE(l.frozen_revision, 0) AS frozen_revision, COALESCE(l.frozen_board, '') AS frozen_board,
		COALESCE(l.ceremony_step, -1) AS ceremony_step
	FROM events e LEFT JOIN live_states l ON l.event_id = e.id WHERE e.id = ?`

// LiveState returns an event's live state with its current revision.
func (s *Store) LiveState(ctx context.Context, eventID int64) (LiveState, error) {
	return liveState(ctx, s.r, eventID)
}

func liveState(ctx context.Context, q sqlx.QueryerContext, eventID int64) (LiveState, error) {
	var l LiveState
	err := sqlx.GetContext(ctx, q, &l, liveStateQuery, eventID)
	if errors.Is(err, sql.ErrNoRows) {
		return LiveState{}, skillscore.Errorf(skillscore.ENotFound, "赛事 %d 不存在", eventID)
	}
	if err != nil {
		return LiveState{}, fmt.Errorf("load live state: %w", err)
	}
	return l, nil
}

// EventRevision returns an event's current revision: the cheap query live
// hubs poll so that a change made through another instance is never missed.
func (s *Store) EventRevision(ctx context.Context, eventID int64) (int64, error) {
	var rev int64
	err := s.r.GetContext(ctx, &rev, "SELECT revision FROM events WHERE id = ?", eventID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, skillscore.Errorf(skillscore.ENotFound, "赛事 %d 不存在", eventID)
	}
	if err != nil {
		return 0, fmt.Errorf("event revision: %w", err)
	}
	return rev, nil
}

// SetPublished publishes an event's results (names shown masked, with their
// 单位) or withdraws the publication. It returns the new revision.
func (s *Store) SetPublished(ctx context.Context, eventID int64, published bool, actor string) (int64, error) {
	now := s.now()
	var at any
	action := "live.unpublish"
	if published {
		at, action = micros(now), "live.publish"
	}
	return s.changeLive(ctx, eventID, actor, action, map[string]any{"published": published}, now,
		func(tx *sqlx.Tx, _ LiveState) error {
			// Publishing shows names: the same checks as the results page's 公示.
			if published {
				w, err := workflow(ctx, tx, eventID)
				if err != nil {
					return err
				}
				if err := w.PublishAllowed(); err != nil {
					return err
				}
			}
			_, err := tx.ExecContext(ctx, "UPDATE live_states SET published_at = ?, updated_at = ? WHERE event_id = ?",
				at, micros(now), eventID)
			return err
		})
}

// SetFreeze sets the time from which the public board stops changing (the
// zero time lifts the freeze). Either way a board captured earlier and any
// ceremony are cleared; a running ceremony must be ended first.
func (s *Store) SetFreeze(ctx context.Context, eventID int64, at time.Time, actor string) (int64, error) {
	now := s.now()
	var freeze any
	action := "live.unfreeze"
	detail := map[string]any{}
	if !at.IsZero() {
		freeze, action = micros(at), "live.freeze"
		detail["freeze_at"] = at.UTC().Format(time.RFC3339)
	}
	return s.changeLive(ctx, eventID, actor, action, detail, now, func(tx *sqlx.Tx, l LiveState) error {
		if l.Ceremony() {
			return skillscore.Errorf(skillscore.EConflict, "颁奖揭晓正在进行，请先结束揭晓再更改封榜")
		}
		_, err := tx.ExecContext(ctx, `UPDATE live_states SET freeze_at = ?, frozen_revision = NULL, frozen_board = NULL,
			ceremony_step = -1, updated_at = ? WHERE event_id = ?`, freeze, micros(now), eventID)
		return err
	})
}

// SetCeremonyStep moves the award ceremony to step n: the last n places of
// each group are revealed; -1 ends the ceremony. The board must be frozen.
func (s *Store) SetCeremonyStep(ctx context.Context, eventID int64, step int, actor string) (int64, error) {
	if step < -1 || step > maxCeremonyStep {
		return 0, skillscore.Errorf(skillscore.EInvalid, "揭晓步数 %d 无效：应为 -1（结束）到 %d", step, maxCeremonyStep)
	}
	now := s.now()
	return s.changeLive(ctx, eventID, actor, "live.ceremony", map[string]any{"step": step}, now,
		func(tx *sqlx.Tx, l LiveState) error {
			if step >= 0 && !l.Frozen(now) {
				return skillscore.Errorf(skillscore.EConflict, "尚未封榜：颁奖揭晓只能在封榜之后进行")
			}
			_, err := tx.ExecContext(ctx, "UPDATE live_states SET ceremony_step = ?, updated_at = ? WHERE event_id = ?",
				step, micros(now), eventID)
			return err
		})
}

// changeLive runs one change of an event's live state: it makes sure the
// row exists, applies fn, advances the revision and records the audit entry,
// all in one transaction.
func (s *Store) changeLive(ctx context.Context, eventID int64, actor, action string, detail map[string]any,
	now time.Time, fn func(tx *sqlx.Tx, l LiveState) error) (int64, error) {
	var rev int64
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		l, err := liveState(ctx, tx, eventID)
		if err != nil {
			return err
		}
		var n int
		if err := tx.GetContext(ctx, &n, "SELECT COUNT(*) FROM live_states WHERE event_id = ?", eventID); err != nil {
			return fmt.Errorf("live state: %w", err)
		}
		if n == 0 {
			if _, err := tx.ExecContext(ctx, "INSERT INTO live_states (event_id, updated_at) VALUES (?, ?)",
				eventID, micros(now)); err != nil {
				return fmt.Errorf("create live state: %w", err)
			}
		}
		if err := fn(tx, l); err != nil {
			var se *skillscore.Error
			if errors.As(err, &se) {
				return err
			}
			return fmt.Errorf("%s: %w", action, err)
		}
		if rev, err = bumpRevision(ctx, tx, eventID); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, &eventID, actor, action, fmt.Sprint(eventID), detail, now)
	})
	return rev, err
}

// CaptureFrozenBoard stores the public board a freeze holds, once: the first
// instance to see the freeze time pass writes it and advances the revision
// (the public board has just changed mode), every other instance gets that
// same board back. It returns the state after the attempt.
func (s *Store) CaptureFrozenBoard(ctx context.Context, eventID, revision int64, board string) (LiveState, error) {
	var l LiveState
	now := s.now()
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE live_states SET frozen_board = ?, frozen_revision = ?
			WHERE event_id = ? AND frozen_board IS NULL AND freeze_at IS NOT NULL AND freeze_at <= ?`,
			board, revision, eventID, micros(now))
		if err != nil {
			return fmt.Errorf("capture frozen board: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 1 {
			if _, err := bumpRevision(ctx, tx, eventID); err != nil {
				return err
			}
			if err := s.appendAudit(ctx, tx, &eventID, "live", "live.frozen", fmt.Sprint(eventID),
				map[string]any{"revision": revision}, now); err != nil {
				return err
			}
		}
		l, err = liveState(ctx, tx, eventID)
		return err
	})
	return l, err
}
