package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"skillscore"
)

// CarriedPart is a part (theory, practical, 综合评审) a 补考 candidate passed
// in an earlier batch and carries into this one: its score and its source.
// Only passed parts carry, so a row is a pass.
type CarriedPart struct {
	ContestantID  int64  `db:"contestant_id"`
	EventID       int64  `db:"event_id"`
	Part          string `db:"part"`  // theory | practical | review (modules.kind)
	Score         int64  `db:"score"` // 1/10000 point, 0–100
	SourceEventID int64  `db:"source_event_id"`
	SourceEvent   string `db:"source_event"`    // its event code
	SourceBatchNo string `db:"source_batch_no"` // its 批次号
	SourceDate    string `db:"source_date"`     // YYYY-MM-DD
	// ValidUntil is the last day a later 补考 may still carry the part: the
	// source date plus the source batch's validity period. A part carried
	// on keeps it, so a chain of retakes never extends it.
	ValidUntil string `db:"valid_until"`
	CheckedBy  string `db:"checked_by"`
	CheckedAt  Time   `db:"checked_at"`
}

// EarlierAttempt is a 补考 candidate's sitting of an earlier batch of the
// same occupation and level: the same person found by 证件类型 and the keyed
// 证件号码 index (never the number itself), on an earlier date.
type EarlierAttempt struct {
	ContestantID int64  `db:"contestant_id"` // the candidate in this batch
	EarlierID    int64  `db:"earlier_id"`    // the person's contestant row in the earlier batch
	EarlierName  string `db:"earlier_name"`  // the name recorded there
	EventID      int64  `db:"event_id"`
	EventCode    string `db:"event_code"`
	BatchNo      string `db:"batch_no"`
	Date         string `db:"starts_on"`     // the earlier batch's date
	RetakeMonths int    `db:"retake_months"` // its stated validity period
	Final        bool   `db:"final"`         // its results are confirmed (最终成绩)
}

// RetakeLookup is what 核对补考 starts from: the batch, its 补考 candidates
// (sealed rows) and their earlier attempts, newest first per candidate, read
// in one transaction.
type RetakeLookup struct {
	Event      Event
	Batch      Batch
	Candidates []Contestant
	Attempts   []EarlierAttempt
}

// RetakeRefusal is a 补考 candidate 核对补考 could not carry a part for, and
// why (for the audit: contestant id and the reason, never a name).
type RetakeRefusal struct {
	ContestantID int64  `json:"contestant"`
	Reason       string `json:"reason"`
}

// RetakeLookup finds the earlier attempts of a batch's 补考 candidates:
// assessment batches of the same occupation and level dated before this
// one, where a contestant has the candidate's 证件类型 and 证件号码 index.
// Which of them still count (validity period, passed parts, name) is the
// caller's rule, not the store's.
func (s *Store) RetakeLookup(ctx context.Context, eventID int64) (RetakeLookup, error) {
	tx, err := s.r.BeginTxx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return RetakeLookup{}, fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	var out RetakeLookup
	if out.Event, err = batchEvent(ctx, tx, eventID); err != nil {
		return RetakeLookup{}, err
	}
	err = tx.GetContext(ctx, &out.Batch, "SELECT * FROM batches WHERE event_id = ?", eventID)
	if errors.Is(err, sql.ErrNoRows) {
		return RetakeLookup{}, skillscore.Errorf(skillscore.EConflict, "%s 尚未登记批次信息（批次号、补考有效期），不能核对补考", out.Event.Code)
	}
	if err != nil {
		return RetakeLookup{}, fmt.Errorf("load batch: %w", err)
	}
	if out.Event.StartsOn == "" {
		return RetakeLookup{}, skillscore.Errorf(skillscore.EConflict, "%s 尚未设定开始日期，无法计算补考有效期", out.Event.Code)
	}
	if err := tx.SelectContext(ctx, &out.Candidates, `SELECT c.* FROM contestants c JOIN candidates k ON k.contestant_id = c.id
		WHERE k.event_id = ? AND k.source = ? ORDER BY c.id`, eventID, SourceRetake); err != nil {
		return RetakeLookup{}, fmt.Errorf("retake candidates: %w", err)
	}
	if err := tx.SelectContext(ctx, &out.Attempts, `SELECT me.id AS contestant_id, c.id AS earlier_id, c.name AS earlier_name,
			e.id AS event_id, e.code AS event_code, b.batch_no, e.starts_on, b.retake_months,
			CASE WHEN f.event_id IS NULL THEN 0 ELSE 1 END AS final
		FROM candidates k
		JOIN contestants me ON me.id = k.contestant_id
		JOIN contestants c ON c.id_index = me.id_index AND c.id_type = me.id_type AND c.event_id <> me.event_id
		JOIN events e ON e.id = c.event_id
		JOIN batches b ON b.event_id = e.id
		LEFT JOIN finals f ON f.event_id = e.id
		WHERE k.event_id = ? AND k.source = ? AND me.id_index <> '' AND e.kind = 'assessment'
			AND e.occupation = ? AND e.level = ? AND e.starts_on <> '' AND e.starts_on < ?
		ORDER BY me.id, e.starts_on DESC, e.id DESC`,
		eventID, SourceRetake, out.Event.Occupation, out.Event.Level, out.Event.StartsOn); err != nil {
		return RetakeLookup{}, fmt.Errorf("earlier attempts: %w", err)
	}
	return out, nil
}

// SaveCarriedParts records the outcome of 核对补考: it replaces the batch's
// carried parts with parts, all or nothing, and audits what was carried
// and who was refused. Each part must belong to a 补考 candidate of the
// batch and to a part the batch has modules for, and this batch must hold
// no score of that candidate in that part (a score sat here counts; it is
// never overwritten by an earlier one).
func (s *Store) SaveCarriedParts(ctx context.Context, eventID int64, parts []CarriedPart, refused []RetakeRefusal, actor string) error {
	now := s.now()
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		ev, err := batchEvent(ctx, tx, eventID)
		if err != nil {
			return err
		}
		var final int
		if err := tx.GetContext(ctx, &final, "SELECT COUNT(*) FROM finals WHERE event_id = ?", eventID); err != nil {
			return fmt.Errorf("final: %w", err)
		}
		if final > 0 {
			return skillscore.Errorf(skillscore.EConflict, "本批次成绩已确认，不能再核对补考")
		}
		seen := map[[2]any]bool{}
		detail := make([]map[string]any, 0, len(parts))
		for i := range parts {
			p := &parts[i]
			p.EventID, p.CheckedBy, p.CheckedAt = eventID, actor, Time{now}
			k := [2]any{p.ContestantID, p.Part}
			if seen[k] {
				return skillscore.Errorf(skillscore.EInvalid, "考生 %d 的%s沿用了两次", p.ContestantID, partName(p.Part))
			}
			seen[k] = true
			if p.Score < 0 || p.Score > 100*10000 {
				return skillscore.Errorf(skillscore.EInvalid, "沿用成绩应在 0–100 之间")
			}
			if !validDay(p.SourceDate) || !validDay(p.ValidUntil) || p.ValidUntil < p.SourceDate || p.SourceBatchNo == "" {
				return skillscore.Errorf(skillscore.EInvalid, "沿用成绩须注明来源批次号、日期和有效期（YYYY-MM-DD）")
			}
			var c struct {
				Retake  int `db:"retake"`
				Modules int `db:"modules"`
				Scored  int `db:"scored"`
			}
			if err := tx.GetContext(ctx, &c, `SELECT
				(SELECT COUNT(*) FROM candidates WHERE contestant_id = ? AND event_id = ? AND source = ?) AS retake,
				(SELECT COUNT(*) FROM modules WHERE event_id = ? AND kind = ?) AS modules,
				(SELECT COUNT(*) FROM sheets sh JOIN modules m ON m.id = sh.module_id
					WHERE sh.contestant_id = ? AND m.event_id = ? AND m.kind = ?
					AND EXISTS (SELECT 1 FROM marks mk WHERE mk.sheet_id = sh.id)) +
				(SELECT COUNT(*) FROM imported_scores i JOIN modules m ON m.id = i.module_id
					WHERE i.contestant_id = ? AND m.event_id = ? AND m.kind = ? AND i.absent = 0) AS scored`,
				p.ContestantID, eventID, SourceRetake, eventID, p.Part,
				p.ContestantID, eventID, p.Part, p.ContestantID, eventID, p.Part); err != nil {
				return fmt.Errorf("check carried part: %w", err)
			}
			switch {
			case c.Retake == 0:
				return skillscore.Errorf(skillscore.EInvalid, "考生 %d 不是本批次的补考考生", p.ContestantID)
			case c.Modules == 0:
				return skillscore.Errorf(skillscore.EInvalid, "本批次没有%s部分的模块，不能沿用", partName(p.Part))
			case c.Scored > 0:
				return skillscore.Errorf(skillscore.EConflict, "考生 %d 在本批次已有%s成绩，不能再沿用以往成绩；请重新核对补考", p.ContestantID, partName(p.Part))
			}
			detail = append(detail, map[string]any{"contestant": p.ContestantID, "part": p.Part, "score": p.Score,
				"source_event": p.SourceEvent, "source_batch_no": p.SourceBatchNo, "source_date": p.SourceDate, "valid_until": p.ValidUntil})
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM carried_parts WHERE event_id = ?", eventID); err != nil {
			return fmt.Errorf("clear carried parts: %w", err)
		}
		for _, p := range parts {
			if _, err := tx.NamedExecContext(ctx, `INSERT INTO carried_parts (contestant_id, event_id, part, score,
					source_event_id, source_event, source_batch_no, source_date, valid_until, checked_by, checked_at)
				VALUES (:contestant_id, :event_id, :part, :score, :source_event_id, :source_event, :source_batch_no,
					:source_date, :valid_until, :checked_by, :checked_at)`, p); err != nil {
				return fmt.Errorf("insert carried part: %w", err)
			}
		}
		if _, err := bumpRevision(ctx, tx, eventID); err != nil {
			return err
		}
		if refused == nil {
			refused = []RetakeRefusal{}
		}
		return s.appendAudit(ctx, tx, &eventID, actor, "batch.retakes", batchSubject(ev.Code),
			map[string]any{"carried": detail, "refused": refused}, now)
	})
}

// CarriedParts lists a batch's carried parts by candidate and part.
func (s *Store) CarriedParts(ctx context.Context, eventID int64) ([]CarriedPart, error) {
	var out []CarriedPart
	if err := s.r.SelectContext(ctx, &out, carriedQuery, eventID); err != nil {
		return nil, fmt.Errorf("list carried parts: %w", err)
	}
	return out, nil
}

const carriedQuery = "SELECT * FROM carried_parts WHERE event_id = ? ORDER BY contestant_id, part"

// carriedBarredQuery is the check of checkTarget: 1 when the contestant
// carries the module's part from an earlier batch, so nobody marks it here.
const carriedBarredQuery = `(SELECT COUNT(*) FROM carried_parts cp JOIN modules m ON m.kind = cp.part
		WHERE m.id = ? AND cp.contestant_id = ?) AS carried`

// carriedRefusal is the refusal of a mark in a part carried over.
func carriedRefusal() error {
	return skillscore.Errorf(skillscore.EConflict, "该考生补考，此部分沿用以往批次的合格成绩，本批次不评分")
}

// partName is a part's Chinese name in messages.
func partName(part string) string {
	switch strings.TrimSpace(part) {
	case "theory":
		return "理论知识"
	case "practical":
		return "操作技能"
	case "review":
		return "综合评审"
	}
	return part
}

// validDay: a calendar date YYYY-MM-DD.
func validDay(d string) bool {
	_, err := time.Parse(time.DateOnly, d)
	return err == nil && isoDay.MatchString(d)
}
