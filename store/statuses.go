package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"skillscore"
	"skillscore/scoring"
)

// SetContestantStatus sets (or, with status "", clears) a contestant's status:
// scoring.StatusAbsent 缺考, StatusWithdrew 弃权, StatusDisqualified 取消资格 or
// StatusIneligible 不参与评奖. 取消资格 and 不参与评奖 need a reason, since it
// shows in the published results. Refused once the results are final. It
// moves the event's revision so live boards show the change. Who may set
// which status is the caller's check (web, CLI).
func (s *Store) SetContestantStatus(ctx context.Context, eventID, contestantID int64, status, reason, actor string) error {
	reason = strings.TrimSpace(reason)
	if !scoring.ValidStatus(status) {
		return skillscore.Errorf(skillscore.EInvalid, "未知的选手状态“%s”（缺考 absent、弃权 withdrew、取消资格 disqualified、不参与评奖 ineligible，或 clear 恢复参赛）", status)
	}
	if reason == "" && scoring.StatusNeedsReason(status) {
		return skillscore.Errorf(skillscore.EInvalid, "%s须填写原因：原因将随成绩一并公示", scoring.StatusName(status))
	}
	if utf8.RuneCountInString(reason) > 500 {
		return skillscore.Errorf(skillscore.EInvalid, "原因过长：至多 500 字")
	}
	now := s.now()
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		var prev struct {
			Status string `db:"status"`
			Reason string `db:"status_reason"`
		}
		err := tx.GetContext(ctx, &prev, "SELECT status, status_reason FROM contestants WHERE id = ? AND event_id = ?", contestantID, eventID)
		if errors.Is(err, sql.ErrNoRows) {
			return skillscore.Errorf(skillscore.ENotFound, "本赛事没有该选手")
		}
		if err != nil {
			return fmt.Errorf("load contestant: %w", err)
		}
		w, err := workflow(ctx, tx, eventID)
		if err != nil {
			return err
		}
		if w.FinalizedAt.Valid() {
			return skillscore.Errorf(skillscore.EConflict, "成绩已最终确认，不能再更改选手状态")
		}
		// Clearing leaves no trace on the row; the audit trail keeps it,
		// with the reason given for clearing.
		at, by, kept := Time{}, "", ""
		if status != "" {
			at, by, kept = Time{now}, actor, reason
		}
		if _, err := tx.ExecContext(ctx, "UPDATE contestants SET status = ?, status_reason = ?, status_by = ?, status_at = ? WHERE id = ?",
			status, kept, by, at, contestantID); err != nil {
			return fmt.Errorf("set status: %w", err)
		}
		if _, err := bumpRevision(ctx, tx, eventID); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, &eventID, actor, "contestant.status", contestantSubject(ctx, tx, contestantID),
			map[string]any{"contestant_id": contestantID, "status": status, "reason": reason, "from": prev.Status, "from_reason": prev.Reason}, now)
	})
}

// absentFromImport makes a contestant whom a score file marks 缺考 absent
// from the whole event when nothing else shows they competed: no judge's
// mark, no other imported score, no status already.
func (s *Store) absentFromImport(ctx context.Context, tx *sqlx.Tx, eventID, contestantID int64, source, actor string) error {
	var n int
	if err := tx.GetContext(ctx, &n, `SELECT
		(SELECT COUNT(*) FROM marks mk JOIN sheets sh ON sh.id = mk.sheet_id WHERE sh.contestant_id = ?) +
		(SELECT COUNT(*) FROM imported_scores WHERE contestant_id = ? AND absent = 0) +
		(SELECT COUNT(*) FROM contestants WHERE id = ? AND status <> '')`, contestantID, contestantID, contestantID); err != nil {
		return fmt.Errorf("other marks: %w", err)
	}
	if n > 0 {
		return nil
	}
	now := s.now()
	reason := "成绩导入文件 " + source + " 记为缺考"
	if _, err := tx.ExecContext(ctx, "UPDATE contestants SET status = ?, status_reason = ?, status_by = ?, status_at = ? WHERE id = ?",
		scoring.StatusAbsent, reason, actor, Time{now}, contestantID); err != nil {
		return fmt.Errorf("set absent: %w", err)
	}
	return s.appendAudit(ctx, tx, &eventID, actor, "contestant.status", contestantSubject(ctx, tx, contestantID),
		map[string]any{"contestant_id": contestantID, "status": scoring.StatusAbsent, "reason": reason, "from": "", "from_reason": ""}, now)
}
