package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"

	"skillscore"
)

// PaperSettings are an event's settings for its printed 评分记录表
// (issue 16, docs/oversight-papertrail.md). The zero value is the default.
type PaperSettings struct {
	// ContestantSigns adds a line for the contestant's signature to every
	// filled 评分记录表 (some competitions' rules ask for it).
	ContestantSigns bool   `db:"contestant_signs"`
	UpdatedAt       Time   `db:"updated_at"`
	UpdatedBy       string `db:"updated_by"`
}

// PaperSettings returns an event's paper settings, the defaults when the
// organizer changed nothing.
func (s *Store) PaperSettings(ctx context.Context, eventID int64) (PaperSettings, error) {
	var p PaperSettings
	err := s.r.GetContext(ctx, &p, "SELECT contestant_signs, updated_at, updated_by FROM paper_settings WHERE event_id = ?", eventID)
	if errors.Is(err, sql.ErrNoRows) {
		return PaperSettings{}, nil
	}
	if err != nil {
		return PaperSettings{}, fmt.Errorf("paper settings: %w", err)
	}
	return p, nil
}

// SetPaperSettings stores an event's paper settings, audited as
// paper.settings; saving what is already stored changes nothing and
// writes no audit entry.
func (s *Store) SetPaperSettings(ctx context.Context, eventID int64, p PaperSettings, actor string) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		var n int
		if err := tx.GetContext(ctx, &n, "SELECT COUNT(*) FROM events WHERE id = ?", eventID); err != nil {
			return err
		}
		if n == 0 {
			return skillscore.Errorf(skillscore.ENotFound, "赛事 %d 不存在", eventID)
		}
		var cur PaperSettings
		err := tx.GetContext(ctx, &cur, "SELECT contestant_signs, updated_at, updated_by FROM paper_settings WHERE event_id = ?", eventID)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("paper settings: %w", err)
		}
		if cur.ContestantSigns == p.ContestantSigns {
			return nil
		}
		now := s.now()
		if _, err := tx.ExecContext(ctx, "DELETE FROM paper_settings WHERE event_id = ?", eventID); err != nil {
			return fmt.Errorf("replace paper settings: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO paper_settings (event_id, contestant_signs, updated_at, updated_by)
			VALUES (?, ?, ?, ?)`, eventID, p.ContestantSigns, micros(now), actor); err != nil {
			return fmt.Errorf("insert paper settings: %w", err)
		}
		return s.appendAudit(ctx, tx, &eventID, actor, "paper.settings", "", map[string]any{"contestant_signs": p.ContestantSigns}, now)
	})
}

// SheetSignature is what the audit trail says of a sheet's signing: who
// sent its last submission ("judge:12" for a tablet, "paper:a+b" for two
// scorekeepers' agreed transcription) and when, and who last locked it.
type SheetSignature struct {
	ModuleID, ContestantID, JudgeID int64
	SubmittedBy                     string
	SubmittedAt                     Time
	LockedBy                        string
	LockedAt                        Time
}

// SheetSignatures reads, from the event's audit trail, how each of its
// sheets was last submitted and locked, keyed by [module, contestant,
// judge] ids. A sheet reopened and submitted again keeps its latest
// submission; one never submitted is absent.
func (s *Store) SheetSignatures(ctx context.Context, eventID int64) (map[[3]int64]SheetSignature, error) {
	sheetKey := map[int64][3]int64{} // sheet id → key, for the locks
	if err := func() error {
		var ids []struct {
			ID           int64 `db:"id"`
			ModuleID     int64 `db:"module_id"`
			ContestantID int64 `db:"contestant_id"`
			JudgeID      int64 `db:"judge_id"`
		}
		if err := s.r.SelectContext(ctx, &ids, `SELECT sh.id, sh.module_id, sh.contestant_id, sh.judge_id
			FROM sheets sh JOIN modules m ON m.id = sh.module_id WHERE m.event_id = ?`, eventID); err != nil {
			return err
		}
		for _, r := range ids {
			sheetKey[r.ID] = [3]int64{r.ModuleID, r.ContestantID, r.JudgeID}
		}
		return nil
	}(); err != nil {
		return nil, fmt.Errorf("sheet signatures: %w", err)
	}
	rows, err := s.r.QueryxContext(ctx, `SELECT action, actor, at, detail FROM audit_log
		WHERE event_id = ? AND action IN ('sheet.submit', 'sheet.lock') ORDER BY id`, eventID)
	if err != nil {
		return nil, fmt.Errorf("sheet signatures: %w", err)
	}
	defer rows.Close()
	out := map[[3]int64]SheetSignature{}
	for rows.Next() {
		var e struct {
			Action string `db:"action"`
			Actor  string `db:"actor"`
			At     Time   `db:"at"`
			Detail string `db:"detail"`
		}
		if err := rows.StructScan(&e); err != nil {
			return nil, fmt.Errorf("sheet signatures: %w", err)
		}
		var d struct {
			SheetID      int64 `json:"sheet_id"`
			ModuleID     int64 `json:"module_id"`
			ContestantID int64 `json:"contestant_id"`
			JudgeID      int64 `json:"judge_id"`
		}
		if err := json.Unmarshal([]byte(e.Detail), &d); err != nil {
			continue // an entry this reader does not understand tells nothing of a signature
		}
		k := [3]int64{d.ModuleID, d.ContestantID, d.JudgeID}
		if e.Action == "sheet.lock" {
			if k2, ok := sheetKey[d.SheetID]; ok {
				k = k2
			}
		}
		sig := out[k]
		sig.ModuleID, sig.ContestantID, sig.JudgeID = k[0], k[1], k[2]
		if e.Action == "sheet.submit" {
			sig.SubmittedBy, sig.SubmittedAt = e.Actor, e.At
			sig.LockedBy, sig.LockedAt = "", Time{} // a resubmission follows a reopening: the old lock is gone
		} else {
			sig.LockedBy, sig.LockedAt = e.Actor, e.At
		}
		out[k] = sig
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sheet signatures: %w", err)
	}
	return out, nil
}
