package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"

	"github.com/jmoiron/sqlx"

	"skillscore"
)

// PaperEntry is one scorekeeper's transcription of one paper sheet: the
// judge's marks by aspect id (fixed-point, 4 decimals).
type PaperEntry struct {
	EventID      int64
	ModuleID     int64
	ContestantID int64
	JudgeID      int64
	UserID       int64
	Username     string
	Subject      string // the contestant's code, for the audit
	Marks        map[int64]int64
}

// PaperOutcome says what a transcription led to.
type PaperOutcome struct {
	Status   string  // waiting (no second entry yet) | mismatch | agreed
	Mismatch []int64 // aspect ids whose values differ between the two entries
	Other    string  // the other scorekeeper's username
	Revision int64   // agreed: the revision that stored the marks
}

// SubmitPaperEntry stores a scorekeeper's transcription. When a different
// user's entry for the same sheet exists and agrees exactly, the marks are
// stored and the sheet submitted in the same transaction; when it differs,
// nothing becomes final and the differing aspects are returned. An entry by
// the same user replaces their earlier one: double entry needs two people.
func (s *Store) SubmitPaperEntry(ctx context.Context, e PaperEntry) (PaperOutcome, error) {
	var out PaperOutcome
	raw, err := json.Marshal(e.Marks)
	if err != nil {
		return out, err
	}
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		out = PaperOutcome{}
		now := s.now()
		// A sheet that is no longer open takes no entry, the first one
		// included: it could never become final, and would wait for a
		// second entry in vain.
		var status string
		err := tx.GetContext(ctx, &status, "SELECT status FROM sheets WHERE module_id = ? AND contestant_id = ? AND judge_id = ?",
			e.ModuleID, e.ContestantID, e.JudgeID)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return fmt.Errorf("load sheet: %w", err)
		case status == "submitted":
			return skillscore.Errorf(skillscore.EConflict, "该评分表已提交，不能再录入纸质评分表；修改需裁判长重新开放")
		case status == "locked":
			return skillscore.Errorf(skillscore.EConflict, "该评分表已锁定，不能再录入纸质评分表；修改需裁判长重新开放")
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM paper_entries
			WHERE module_id = ? AND contestant_id = ? AND judge_id = ? AND user_id = ?`,
			e.ModuleID, e.ContestantID, e.JudgeID, e.UserID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO paper_entries (module_id, contestant_id, judge_id, user_id, marks, created_at)
			VALUES (?, ?, ?, ?, ?, ?)`, e.ModuleID, e.ContestantID, e.JudgeID, e.UserID, string(raw), micros(now)); err != nil {
			return fmt.Errorf("insert paper entry: %w", err)
		}
		var others []struct {
			ID       int64  `db:"id"`
			Marks    string `db:"marks"`
			Username string `db:"username"`
		}
		if err := tx.SelectContext(ctx, &others, `SELECT p.id, p.marks, u.username FROM paper_entries p JOIN users u ON u.id = p.user_id
			WHERE p.module_id = ? AND p.contestant_id = ? AND p.judge_id = ? AND p.user_id <> ? ORDER BY p.id DESC`,
			e.ModuleID, e.ContestantID, e.JudgeID, e.UserID); err != nil {
			return err
		}
		detail := map[string]any{"module_id": e.ModuleID, "judge_id": e.JudgeID, "marks": e.Marks}
		if len(others) == 0 {
			out.Status = "waiting"
			return s.appendAudit(ctx, tx, &e.EventID, e.Username, "paper.entry", e.Subject, detail, now)
		}
		other := others[0]
		out.Other = other.Username
		var theirs map[int64]int64
		if err := json.Unmarshal([]byte(other.Marks), &theirs); err != nil {
			return fmt.Errorf("paper entry %d: %w", other.ID, err)
		}
		seen := map[int64]bool{}
		for id, v := range e.Marks {
			seen[id] = true
			if w, ok := theirs[id]; !ok || w != v {
				out.Mismatch = append(out.Mismatch, id)
			}
		}
		for id := range theirs {
			if !seen[id] {
				out.Mismatch = append(out.Mismatch, id)
			}
		}
		sort.Slice(out.Mismatch, func(i, j int) bool { return out.Mismatch[i] < out.Mismatch[j] })
		if len(out.Mismatch) > 0 {
			out.Status = "mismatch"
			detail["mismatch"] = out.Mismatch
			detail["other"] = other.Username
			return s.appendAudit(ctx, tx, &e.EventID, e.Username, "paper.mismatch", e.Subject, detail, now)
		}
		// Both agree: the marks become final, submitted on the judge's behalf.
		actor := "paper:" + other.Username + "+" + e.Username
		base := "paper-" + strconv.FormatInt(other.ID, 10) + "-" + strconv.FormatInt(micros(now), 36)
		ids := make([]int64, 0, len(e.Marks))
		for id := range e.Marks {
			ids = append(ids, id)
		}
		sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
		var ops []SheetOp
		for _, id := range ids {
			ops = append(ops, SheetOp{OpID: base + "-" + strconv.FormatInt(id, 10), Kind: OpMark, EventID: e.EventID,
				ModuleID: e.ModuleID, ContestantID: e.ContestantID, JudgeID: e.JudgeID, AspectID: id, Value: e.Marks[id],
				Actor: actor, Subject: e.Subject})
		}
		ops = append(ops, SheetOp{OpID: base + "-submit", Kind: OpSubmit, EventID: e.EventID, ModuleID: e.ModuleID,
			ContestantID: e.ContestantID, JudgeID: e.JudgeID, Actor: actor, Subject: e.Subject,
			Detail: map[string]any{"paper": true}})
		res, err := s.applyOps(ctx, tx, ops)
		if err != nil {
			return err
		}
		for _, r := range res {
			if r.Err != nil {
				// One refused mark means the sheet cannot be final: store nothing of it.
				return r.Err
			}
			out.Revision = r.Revision
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM paper_entries WHERE module_id = ? AND contestant_id = ? AND judge_id = ?`,
			e.ModuleID, e.ContestantID, e.JudgeID); err != nil {
			return err
		}
		out.Status = "agreed"
		return nil
	})
	if err != nil {
		return PaperOutcome{}, err
	}
	if out.Status == "" {
		return PaperOutcome{}, skillscore.Errorf(skillscore.EInternal, "paper entry without outcome")
	}
	return out, nil
}
