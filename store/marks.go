package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

	"skillscore"
	"skillscore/sessions"
)

// MarkOp sets one judge's mark for one aspect of one contestant. OpID is the
// client-generated operation id: the same OpID is stored once however often
// it arrives. Value and Multiplier are fixed-point with 4 decimals.
type MarkOp struct {
	OpID         string
	EventID      int64
	ModuleID     int64
	ContestantID int64
	JudgeID      int64
	AspectID     int64
	Value        int64
	Multiplier   int64
	Actor        string
}

// MarkAck says what happened to a MarkOp once its transaction committed.
type MarkAck struct {
	Revision  int64 // the event revision the operation produced
	Duplicate bool  // the OpID was applied before; nothing changed now
}

// RecordMark applies a MarkOp durably and returns only after the commit, so
// an acknowledgement sent on its return can never be lost by a crash.
func (s *Store) RecordMark(ctx context.Context, op MarkOp) (MarkAck, error) {
	res, err := s.ApplyOps(ctx, []SheetOp{{OpID: op.OpID, Kind: OpMark, EventID: op.EventID, ModuleID: op.ModuleID,
		ContestantID: op.ContestantID, JudgeID: op.JudgeID, AspectID: op.AspectID, Value: op.Value,
		Multiplier: op.Multiplier, Actor: op.Actor}})
	if err != nil {
		return MarkAck{}, err
	}
	if res[0].Err != nil {
		return MarkAck{}, res[0].Err
	}
	return MarkAck{Revision: res[0].Revision, Duplicate: res[0].Duplicate}, nil
}

// openSheet returns the id of the judge's sheet for the contestant and module,
// creating it if needed, and refuses when it is no longer open.
func (s *Store) openSheet(ctx context.Context, tx execer, moduleID, contestantID, judgeID int64) (int64, error) {
	var sh struct {
		ID     int64  `db:"id"`
		Status string `db:"status"`
	}
	err := tx.GetContext(ctx, &sh, "SELECT id, status FROM sheets WHERE module_id = ? AND contestant_id = ? AND judge_id = ?",
		moduleID, contestantID, judgeID)
	if errors.Is(err, sql.ErrNoRows) {
		res, err := tx.ExecContext(ctx, `INSERT INTO sheets (module_id, contestant_id, judge_id, status, created_at)
			VALUES (?, ?, ?, 'open', ?)`, moduleID, contestantID, judgeID, micros(s.now()))
		if err != nil {
			return 0, fmt.Errorf("create sheet: %w", err)
		}
		return res.LastInsertId()
	}
	if err != nil {
		return 0, fmt.Errorf("load sheet: %w", err)
	}
	switch sh.Status {
	case "open":
		return sh.ID, nil
	case "submitted":
		return 0, skillscore.Errorf(skillscore.EConflict, "评分表已提交，修改需裁判长重新开放")
	default:
		return 0, skillscore.Errorf(skillscore.EConflict, "评分表已锁定")
	}
}

// bumpRevision advances the event's revision inside the caller's transaction,
// so the revision a change produced commits together with the change.
func bumpRevision(ctx context.Context, tx execer, eventID int64) (int64, error) {
	if _, err := tx.ExecContext(ctx, "UPDATE events SET revision = revision + 1 WHERE id = ?", eventID); err != nil {
		return 0, fmt.Errorf("bump revision: %w", err)
	}
	var rev int64
	if err := tx.GetContext(ctx, &rev, "SELECT revision FROM events WHERE id = ?", eventID); err != nil {
		return 0, fmt.Errorf("read revision: %w", err)
	}
	return rev, nil
}

// MarkRow is one current mark with the codes the scoring core works with.
type MarkRow struct {
	ContestantID int64  `db:"contestant_id"`
	ModuleCode   string `db:"module_code"`
	AspectCode   string `db:"aspect_code"`
	JudgeCode    string `db:"judge_code"`
	Value        int64  `db:"value"`
	Multiplier   int64  `db:"multiplier"`
}

// Marks returns every current mark of an event.
func (s *Store) Marks(ctx context.Context, eventID int64) ([]MarkRow, error) {
	var out []MarkRow
	err := s.r.SelectContext(ctx, &out, marksQuery, eventID)
	if err != nil {
		return nil, fmt.Errorf("list marks: %w", err)
	}
	return out, nil
}

// ImportedScore is one contestant's score in an imported module (the theory test).
type ImportedScore struct {
	ContestantID int64  `db:"contestant_id"`
	ModuleCode   string `db:"module_code"`
	Value        int64  `db:"value"`
	Source       string `db:"source"`
	Absent       bool   `db:"absent"` // 缺考 in the score file: value 0, shown as 缺考
}

// ImportScores stores the scores of an imported module, all or none,
// replacing earlier imports for the same contestants. A score marked Absent
// (缺考) is recorded as such; a contestant absent here with no other marks
// and no status becomes 缺考 (absentFromImport), except at an assessment
// while the candidate has a sitting to come or attended one: then it is
// the imported part's absence only.
func (s *Store) ImportScores(ctx context.Context, eventID, moduleID int64, scores []ImportedScore, source, actor string) (int64, error) {
	var rev int64
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var n int
		if err := tx.GetContext(ctx, &n, "SELECT COUNT(*) FROM modules WHERE id = ? AND event_id = ? AND imported = 1",
			moduleID, eventID); err != nil {
			return err
		}
		if n == 0 {
			return skillscore.Errorf(skillscore.ENotFound, "模块不存在或不是导入成绩的模块")
		}
		if err := storeImportedScores(ctx, tx, eventID, moduleID, scores, source, micros(s.now())); err != nil {
			return err
		}
		// At an assessment 缺考 in the theory file is that part's absence;
		// the candidate is 缺考 altogether only with no sitting still to
		// come and none attended (the practical may follow the theory, and
		// 检录 gives 缺考 to one absent from every sitting).
		t, err := eventTerms(ctx, tx, eventID)
		if err != nil {
			return err
		}
		for _, sc := range scores {
			if !sc.Absent {
				continue
			}
			if t.Assessment() {
				var n int
				if err := tx.GetContext(ctx, &n, `SELECT COUNT(*) FROM session_entries x JOIN sessions ss ON ss.id = x.session_id
					WHERE x.contestant_id = ? AND (ss.closed_at IS NULL OR EXISTS (SELECT 1 FROM checkins c
					WHERE c.session_id = ss.id AND c.contestant_id = x.contestant_id AND c.outcome = ?))`, sc.ContestantID, sessions.Present); err != nil {
					return fmt.Errorf("sittings to come: %w", err)
				}
				if n > 0 {
					continue
				}
			}
			if err := s.absentFromImport(ctx, tx, eventID, sc.ContestantID, source, actor); err != nil {
				return err
			}
		}
		if rev, err = bumpRevision(ctx, tx, eventID); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, &eventID, actor, "scores.import", source,
			map[string]any{"module_id": moduleID, "count": len(scores)}, s.now())
	})
	return rev, err
}

// importBatch is the number of imported scores per multi-row statement:
// 6 placeholders each, far below both databases' limits, and a round trip
// per batch instead of three per row (5,000 rows took 4 s on MariaDB).
const importBatch = 500

// storeImportedScores replaces the module's imported score of each
// contestant in scores, every one of whom must be on the event's roster;
// a contestant listed twice keeps the later row.
func storeImportedScores(ctx context.Context, tx *sqlx.Tx, eventID, moduleID int64, scores []ImportedScore, source string, now int64) error {
	var ids []int64
	if err := tx.SelectContext(ctx, &ids, "SELECT id FROM contestants WHERE event_id = ?", eventID); err != nil {
		return fmt.Errorf("roster for imported scores: %w", err)
	}
	onRoster := make(map[int64]bool, len(ids))
	for _, id := range ids {
		onRoster[id] = true
	}
	at := map[int64]int{}
	rows := make([]ImportedScore, 0, len(scores))
	for _, sc := range scores {
		if !onRoster[sc.ContestantID] {
			return skillscore.Errorf(skillscore.ENotFound, "选手 %d 不在本赛事中", sc.ContestantID)
		}
		if i, ok := at[sc.ContestantID]; ok {
			rows[i] = sc
			continue
		}
		at[sc.ContestantID] = len(rows)
		rows = append(rows, sc)
	}
	for start := 0; start < len(rows); start += importBatch {
		batch := rows[start:min(start+importBatch, len(rows))]
		del := []any{moduleID}
		ins := make([]any, 0, 6*len(batch))
		for _, sc := range batch {
			del = append(del, sc.ContestantID)
			ins = append(ins, moduleID, sc.ContestantID, sc.Value, source, now, sc.Absent)
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM imported_scores WHERE module_id = ? AND contestant_id IN ("+inList(len(batch))+")", del...); err != nil {
			return fmt.Errorf("replace imported scores: %w", err)
		}
		values := strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?), ", len(batch)), ", ")
		if _, err := tx.ExecContext(ctx, "INSERT INTO imported_scores (module_id, contestant_id, value, source, imported_at, absent) VALUES "+values, ins...); err != nil {
			return fmt.Errorf("insert imported scores: %w", err)
		}
	}
	return nil
}

// ImportedScores returns every imported module score of an event.
func (s *Store) ImportedScores(ctx context.Context, eventID int64) ([]ImportedScore, error) {
	var out []ImportedScore
	err := s.r.SelectContext(ctx, &out, importedQuery, eventID)
	if err != nil {
		return nil, fmt.Errorf("list imported scores: %w", err)
	}
	return out, nil
}

const marksQuery = `SELECT sh.contestant_id, m.code AS module_code, a.code AS aspect_code,
			j.code AS judge_code, mk.value, mk.multiplier
		FROM marks mk
		JOIN sheets sh ON sh.id = mk.sheet_id
		JOIN modules m ON m.id = sh.module_id
		JOIN aspects a ON a.id = mk.aspect_id
		JOIN judges j ON j.id = sh.judge_id
		WHERE m.event_id = ?
		ORDER BY sh.contestant_id, m.position, a.position, j.code`

const importedQuery = `SELECT i.contestant_id, m.code AS module_code, i.value, i.source, i.absent
		FROM imported_scores i JOIN modules m ON m.id = i.module_id
		WHERE m.event_id = ? ORDER BY i.contestant_id, m.position`
