package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

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
	// ShowJudgeMarks lets the public standings show individual judges'
	// marks once the results are published; off, they never leave the
	// logged-in pages.
	ShowJudgeMarks bool `db:"show_judge_marks"`
	// LiveDraftMarks lets marks of sheets their judges have not submitted
	// move the public board (sports-style live scoring); off, the public
	// sees submitted sheets only.
	LiveDraftMarks bool `db:"live_draft_marks"`
}

// JudgeMarksPublic reports whether the public may see individual judges'
// marks now: after publication, and only when the event's setting says so.
func (l LiveState) JudgeMarksPublic() bool { return l.Published() && l.ShowJudgeMarks }

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
		COALESCE(l.ceremony_step, -1) AS ceremony_step,
		COALESCE(l.show_judge_marks, 0) AS show_judge_marks, COALESCE(l.live_draft_marks, 0) AS live_draft_marks
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

// maxReasonRunes bounds an override reason: a sentence or two, not a file.
const maxReasonRunes = 500

// sealCheck refuses to seal the public board (a freeze, a ceremony step)
// while any sheet is unlocked, unless the organizer gives a written reason,
// which goes into the audit detail. The results are not final then: the
// reason is what answers for it afterwards.
func sealCheck(ctx context.Context, tx *sqlx.Tx, eventID int64, what, reason string, detail map[string]any) error {
	w, err := workflow(ctx, tx, eventID)
	if err != nil {
		return err
	}
	if w.Unlocked == 0 {
		return nil
	}
	if reason == "" {
		return skillscore.Errorf(skillscore.EConflict,
			"还有 %d 份评分表未锁定：%s需要全部评分表锁定后进行；如确需提前，请填写理由（记入审计日志）", w.Unlocked, what)
	}
	detail["override_reason"] = reason
	detail["unlocked_sheets"] = w.Unlocked
	return nil
}

// checkReason trims an override reason and refuses an overlong one.
func checkReason(reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	if n := utf8.RuneCountInString(reason); n > maxReasonRunes {
		return "", skillscore.Errorf(skillscore.EInvalid, "理由过长：%d 字，最多 %d 字", n, maxReasonRunes)
	}
	return reason, nil
}

// SetFreeze sets the time from which the public board stops changing (the
// zero time lifts the freeze). Either way a board captured earlier and any
// ceremony are cleared; a running ceremony must be ended first. A freeze is
// refused while any sheet is unlocked unless reason says why (audited).
func (s *Store) SetFreeze(ctx context.Context, eventID int64, at time.Time, reason, actor string) (int64, error) {
	reason, err := checkReason(reason)
	if err != nil {
		return 0, err
	}
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
		if !at.IsZero() {
			if err := sealCheck(ctx, tx, eventID, "封榜", reason, detail); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `UPDATE live_states SET freeze_at = ?, frozen_revision = NULL, frozen_board = NULL,
			ceremony_step = -1, updated_at = ? WHERE event_id = ?`, freeze, micros(now), eventID)
		return err
	})
}

// SetCeremonyStep moves the award ceremony to step n: the last n places of
// each group are revealed; -1 ends the ceremony, and the frozen board then
// shows every place the ceremony revealed. The board must be frozen, and a reveal is refused while any sheet is unlocked unless reason
// says why (audited).
func (s *Store) SetCeremonyStep(ctx context.Context, eventID int64, step int, reason, actor string) (int64, error) {
	if step < -1 || step > maxCeremonyStep {
		return 0, skillscore.Errorf(skillscore.EInvalid, "揭晓步数 %d 无效：应为 -1（结束）到 %d", step, maxCeremonyStep)
	}
	reason, err := checkReason(reason)
	if err != nil {
		return 0, err
	}
	now := s.now()
	detail := map[string]any{"step": step}
	return s.changeLive(ctx, eventID, actor, "live.ceremony", detail, now,
		func(tx *sqlx.Tx, l LiveState) error {
			if step >= 0 && !l.Frozen(now) {
				return skillscore.Errorf(skillscore.EConflict, "尚未封榜：颁奖揭晓只能在封榜之后进行")
			}
			if step >= 0 {
				if err := sealCheck(ctx, tx, eventID, "颁奖揭晓", reason, detail); err != nil {
					return err
				}
			}
			if step >= 0 && !l.Ceremony() {
				// The ceremony reveals the standings as they are when it
				// starts, captured anew like a freeze's board, not the board
				// of the freeze: marks since then count, later ones do not.
				_, err := tx.ExecContext(ctx, `UPDATE live_states SET ceremony_step = ?, frozen_board = NULL,
					frozen_revision = NULL, updated_at = ? WHERE event_id = ?`, step, micros(now), eventID)
				return err
			}
			_, err := tx.ExecContext(ctx, "UPDATE live_states SET ceremony_step = ?, updated_at = ? WHERE event_id = ?",
				step, micros(now), eventID)
			return err
		})
}

// SetLiveSettings stores what the event's public views may show: judges'
// marks after publication, and marks of unsubmitted sheets. Both are off
// until an organizer turns them on.
func (s *Store) SetLiveSettings(ctx context.Context, eventID int64, showJudgeMarks, liveDraftMarks bool, actor string) (int64, error) {
	now := s.now()
	detail := map[string]any{"show_judge_marks": showJudgeMarks, "live_draft_marks": liveDraftMarks}
	return s.changeLive(ctx, eventID, actor, "live.settings", detail, now, func(tx *sqlx.Tx, _ LiveState) error {
		_, err := tx.ExecContext(ctx, `UPDATE live_states SET show_judge_marks = ?, live_draft_marks = ?, updated_at = ?
			WHERE event_id = ?`, boolInt(showJudgeMarks), boolInt(liveDraftMarks), micros(now), eventID)
		return err
	})
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
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
