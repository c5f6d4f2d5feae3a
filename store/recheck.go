package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"skillscore"
	"skillscore/recheck"
	"skillscore/scoring"
)

// 成绩复核 (docs/oversight-recheck.md): the sample is drawn by the recheck
// package from the current ranking, which the caller computes (results);
// the store keeps the round, the verdicts, the chief judge's corrections and
// the 监督's sign-off, and refuses publication until then (Workflow).

// RecheckRound is an event's 复核.
type RecheckRound struct {
	ID               int64           `db:"id"`
	EventID          int64           `db:"event_id"`
	Seed             string          `db:"seed"`
	TopN             int             `db:"top_n"`
	SamplePercent    scoring.Decimal `db:"sample_pct"`
	EscalationPct    scoring.Decimal `db:"escalation_pct"`
	TopCount         int             `db:"top_count"`
	RestCount        int             `db:"rest_count"`
	DrawnCount       int             `db:"drawn_count"`
	StartedAt        Time            `db:"started_at"`
	StartedBy        string          `db:"started_by"`
	EscalatedAt      Time            `db:"escalated_at"`
	EscalatedFlagged int             `db:"escalated_flagged"`
	SignedOffAt      Time            `db:"signed_off_at"`
	SignedOffBy      *string         `db:"signed_off_by"`
	SignedOffName    *string         `db:"signed_off_name"`
}

// Sampled is the size of the drawn sample (top N and the share of the
// rest): the base of the escalation threshold.
func (r RecheckRound) Sampled() int { return r.TopCount + r.DrawnCount }

// RecheckItem is one sheet in the 复核, with what identifies it on paper.
type RecheckItem struct {
	ID           int64   `db:"id"`
	SheetID      int64   `db:"sheet_id"`
	Reason       string  `db:"reason"`
	Verdict      string  `db:"verdict"` // "" | confirmed | flagged
	Category     string  `db:"category"`
	Note         string  `db:"note"`
	CheckedAt    Time    `db:"checked_at"`
	CheckedBy    *string `db:"checked_by"`
	Correction   string  `db:"correction"`
	CorrectedAt  Time    `db:"corrected_at"`
	CorrectedBy  *string `db:"corrected_by"`
	SheetStatus  string  `db:"sheet_status"`
	ModuleID     int64   `db:"module_id"`
	ModuleCode   string  `db:"module_code"`
	ModuleName   string  `db:"module_name"`
	ContestantID int64   `db:"contestant_id"`
	// ContestantCode is the anonymous code (nil before a draw): the 复核
	// works from codes like the paper sheets do.
	ContestantCode *string `db:"contestant_code"`
	GroupCode      string  `db:"group_code"`
	JudgeID        int64   `db:"judge_id"`
	JudgeCode      string  `db:"judge_code"`
	JudgeName      string  `db:"judge_name"`
}

// Verdicts of a checked sheet.
const (
	VerdictConfirmed = "confirmed"
	VerdictFlagged   = "flagged"
)

// maxRecheckNote bounds a note or a correction reason.
const maxRecheckNote = 500

// RecheckSettings returns the event's 复核 settings: the stored row, else
// the defaults with the 复核 not required (events from before it existed).
func (s *Store) RecheckSettings(ctx context.Context, eventID int64) (recheck.Settings, error) {
	return recheckSettings(ctx, s.r, eventID)
}

func recheckSettings(ctx context.Context, q sqlx.QueryerContext, eventID int64) (recheck.Settings, error) {
	var row struct {
		Required   int             `db:"required"`
		TopN       int             `db:"top_n"`
		Sample     scoring.Decimal `db:"sample_pct"`
		Escalation scoring.Decimal `db:"escalation_pct"`
	}
	err := sqlx.GetContext(ctx, q, &row, "SELECT required, top_n, sample_pct, escalation_pct FROM recheck_settings WHERE event_id = ?", eventID)
	if errors.Is(err, sql.ErrNoRows) {
		set := recheck.Defaults("")
		set.Required = false
		return set, nil
	}
	if err != nil {
		return recheck.Settings{}, fmt.Errorf("recheck settings: %w", err)
	}
	return recheck.Settings{Required: row.Required == 1, TopN: row.TopN, SamplePercent: row.Sample, EscalationPercent: row.Escalation}, nil
}

func putRecheckSettings(ctx context.Context, tx *sqlx.Tx, eventID int64, set recheck.Settings, actor string, now time.Time) error {
	req := 0
	if set.Required {
		req = 1
	}
	res, err := tx.ExecContext(ctx, `UPDATE recheck_settings SET required = ?, top_n = ?, sample_pct = ?, escalation_pct = ?,
		updated_at = ?, updated_by = ? WHERE event_id = ?`, req, set.TopN, int64(set.SamplePercent), int64(set.EscalationPercent),
		micros(now), actor, eventID)
	if err != nil {
		return fmt.Errorf("update recheck settings: %w", err)
	}
	// MySQL counts changed rows: an update to the same values reports 0, so
	// check for the row before inserting.
	if n, _ := res.RowsAffected(); n > 0 {
		return nil
	}
	var have int
	if err := tx.GetContext(ctx, &have, "SELECT COUNT(*) FROM recheck_settings WHERE event_id = ?", eventID); err != nil {
		return err
	}
	if have > 0 {
		return nil
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO recheck_settings (event_id, required, top_n, sample_pct, escalation_pct, updated_at, updated_by)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, eventID, req, set.TopN, int64(set.SamplePercent), int64(set.EscalationPercent), micros(now), actor)
	if err != nil {
		return fmt.Errorf("insert recheck settings: %w", err)
	}
	return nil
}

// SetRecheckSettings changes an event's 复核 settings: refused once the
// 复核 has started (its sample was drawn with the old ones) or the results
// are published.
func (s *Store) SetRecheckSettings(ctx context.Context, eventID int64, set recheck.Settings, actor string) error {
	if err := set.Validate(); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := recheckRound(ctx, tx, eventID); err == nil {
			return skillscore.Errorf(skillscore.EConflict, "成绩复核已经开始，复核设置不能再改")
		} else if skillscore.ErrorCode(err) != skillscore.ENotFound {
			return err
		}
		w, err := workflow(ctx, tx, eventID)
		if err != nil {
			return err
		}
		if w.PublishedAt.Valid() || w.FinalizedAt.Valid() {
			return skillscore.Errorf(skillscore.EConflict, "成绩已公示，复核设置不能再改")
		}
		now := s.now()
		if err := putRecheckSettings(ctx, tx, eventID, set, actor, now); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, &eventID, actor, "recheck.settings", "recheck", map[string]any{"required": set.Required,
			"top_n": set.TopN, "sample_pct": set.SamplePercent.String(), "escalation_pct": set.EscalationPercent.String()}, now)
	})
}

// RecheckSheets lists the event's sheets as the draw sees them.
func (s *Store) RecheckSheets(ctx context.Context, eventID int64) ([]recheck.Sheet, error) {
	var out []recheck.Sheet
	err := s.r.SelectContext(ctx, &out, `SELECT sh.id AS id, sh.contestant_id AS contestantid
		FROM sheets sh JOIN modules m ON m.id = sh.module_id WHERE m.event_id = ? ORDER BY sh.id`, eventID)
	if err != nil {
		return nil, fmt.Errorf("recheck sheets: %w", err)
	}
	return out, nil
}

// StartRecheck records the 复核 drawn with seed under settings set: allowed
// once every sheet is locked and every module signed off (the marks to check
// are final), once per event. The caller draws (recheck.Draw) from the
// ranking and passes the settings it drew with; they must be the event's.
func (s *Store) StartRecheck(ctx context.Context, eventID int64, seed string, set recheck.Settings, sample recheck.Sample, actor string) (RecheckRound, error) {
	var r RecheckRound
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := recheckRound(ctx, tx, eventID); err == nil {
			return skillscore.Errorf(skillscore.EConflict, "本赛事的成绩复核已经开始，不能重新抽样")
		} else if skillscore.ErrorCode(err) != skillscore.ENotFound {
			return err
		}
		cur, err := recheckSettings(ctx, tx, eventID)
		if err != nil {
			return err
		}
		if cur.TopN != set.TopN || cur.SamplePercent != set.SamplePercent || cur.EscalationPercent != set.EscalationPercent {
			return skillscore.Errorf(skillscore.EConflict, "复核设置刚被修改，请刷新页面后重新开始")
		}
		w, err := workflow(ctx, tx, eventID)
		if err != nil {
			return err
		}
		if w.PublishedAt.Valid() || w.FinalizedAt.Valid() {
			return skillscore.Errorf(skillscore.EConflict, "成绩已公示，不能再开始复核")
		}
		if err := w.scored(); err != nil {
			return skillscore.Errorf(skillscore.EConflict, "评分尚未全部锁定并签字确认，不能开始复核：%s", skillscore.ErrorMessage(err))
		}
		if len(sample.Picks) == 0 {
			return skillscore.Errorf(skillscore.EConflict, "本赛事没有评分表，无从复核")
		}
		now := s.now()
		res, err := tx.ExecContext(ctx, `INSERT INTO recheck_rounds (event_id, seed, top_n, sample_pct, escalation_pct, top_count,
			rest_count, drawn_count, started_at, started_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			eventID, seed, set.TopN, int64(set.SamplePercent), int64(set.EscalationPercent), sample.Top, sample.Rest, sample.Drawn, micros(now), actor)
		if isUniqueViolation(err) {
			return skillscore.Errorf(skillscore.EConflict, "本赛事的成绩复核已经开始，不能重新抽样")
		}
		if err != nil {
			return fmt.Errorf("insert recheck round: %w", err)
		}
		id, err := res.LastInsertId()
		if err != nil {
			return err
		}
		if err := addRecheckItems(ctx, tx, eventID, id, sample.Picks); err != nil {
			return err
		}
		if r, err = recheckRound(ctx, tx, eventID); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, &eventID, actor, "recheck.start", "recheck", map[string]any{"seed": seed,
			"top_n": set.TopN, "sample_pct": set.SamplePercent.String(), "escalation_pct": set.EscalationPercent.String(),
			"top": sample.Top, "rest": sample.Rest, "drawn": sample.Drawn}, now)
	})
	return r, err
}

// addRecheckItems adds picks, each a sheet of the event.
func addRecheckItems(ctx context.Context, tx *sqlx.Tx, eventID, roundID int64, picks []recheck.Pick) error {
	for _, p := range picks {
		var ok int
		if err := tx.GetContext(ctx, &ok, `SELECT COUNT(*) FROM sheets sh JOIN modules m ON m.id = sh.module_id
			WHERE sh.id = ? AND m.event_id = ?`, p.SheetID, eventID); err != nil {
			return err
		}
		if ok == 0 {
			return skillscore.Errorf(skillscore.EInvalid, "评分表 %d 不属于本赛事", p.SheetID)
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO recheck_items (round_id, sheet_id, reason) VALUES (?, ?, ?)",
			roundID, p.SheetID, p.Reason); err != nil {
			if isUniqueViolation(err) {
				return skillscore.Errorf(skillscore.EConflict, "评分表 %d 已在复核中", p.SheetID)
			}
			return fmt.Errorf("insert recheck item: %w", err)
		}
	}
	return nil
}

func recheckRound(ctx context.Context, q sqlx.QueryerContext, eventID int64) (RecheckRound, error) {
	var r RecheckRound
	err := sqlx.GetContext(ctx, q, &r, "SELECT * FROM recheck_rounds WHERE event_id = ?", eventID)
	if errors.Is(err, sql.ErrNoRows) {
		return r, skillscore.Errorf(skillscore.ENotFound, "本赛事尚未开始成绩复核")
	}
	if err != nil {
		return r, fmt.Errorf("recheck round: %w", err)
	}
	return r, nil
}

const recheckItemsQuery = `SELECT ri.id, ri.sheet_id, ri.reason, ri.verdict, ri.category, ri.note, ri.checked_at, ri.checked_by,
		ri.correction, ri.corrected_at, ri.corrected_by, sh.status AS sheet_status, sh.module_id, m.code AS module_code,
		m.name AS module_name, sh.contestant_id, c.code AS contestant_code, c.group_code, sh.judge_id, j.code AS judge_code,
		j.name AS judge_name
	FROM recheck_items ri JOIN sheets sh ON sh.id = ri.sheet_id JOIN modules m ON m.id = sh.module_id
	JOIN contestants c ON c.id = sh.contestant_id JOIN judges j ON j.id = sh.judge_id`

// Recheck returns the event's 复核 and its items in module, contestant
// code and judge order (the order of the paper sheets in their folders).
func (s *Store) Recheck(ctx context.Context, eventID int64) (RecheckRound, []RecheckItem, error) {
	tx, err := s.r.BeginTxx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return RecheckRound{}, nil, fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	r, err := recheckRound(ctx, tx, eventID)
	if err != nil {
		return r, nil, err
	}
	var items []RecheckItem
	if err := tx.SelectContext(ctx, &items, recheckItemsQuery+` WHERE ri.round_id = ?
		ORDER BY m.position, c.code, c.id, j.code, sh.id`, r.ID); err != nil {
		return r, nil, fmt.Errorf("recheck items: %w", err)
	}
	return r, items, nil
}

func recheckItem(ctx context.Context, tx *sqlx.Tx, round RecheckRound, itemID int64) (RecheckItem, error) {
	var it RecheckItem
	err := tx.GetContext(ctx, &it, recheckItemsQuery+" WHERE ri.id = ? AND ri.round_id = ?", itemID, round.ID)
	if errors.Is(err, sql.ErrNoRows) {
		return it, skillscore.Errorf(skillscore.ENotFound, "复核中没有第 %d 项", itemID)
	}
	if err != nil {
		return it, fmt.Errorf("recheck item: %w", err)
	}
	return it, nil
}

func itemSubject(it RecheckItem) string {
	code := "contestant:" + strconv.FormatInt(it.ContestantID, 10)
	if it.ContestantCode != nil {
		code = *it.ContestantCode
	}
	return code
}

// RecheckVerdict is the 监督's verdict on one sheet.
type RecheckVerdict struct {
	Verdict  string // confirmed | flagged
	Category string // flagged: recheck.Category*
	Note     string
}

// SetRecheckVerdict records the 监督's verdict on an item. A verdict may be
// changed until the sheet is corrected or the 复核 signed off. When the
// flagged sheets of the drawn sample pass the escalation threshold (more
// than escalation_pct of it, recheck.Escalates), every other sheet of the
// event joins the 复核 in the same transaction. It reports whether this
// verdict escalated.
func (s *Store) SetRecheckVerdict(ctx context.Context, eventID, itemID int64, v RecheckVerdict, actor string) (bool, error) {
	v.Note = strings.TrimSpace(v.Note)
	switch {
	case v.Verdict != VerdictConfirmed && v.Verdict != VerdictFlagged:
		return false, skillscore.Errorf(skillscore.EInvalid, "核对结果只能是“无误”或“有误”")
	case v.Verdict == VerdictFlagged && recheck.CategoryNames[v.Category] == "":
		return false, skillscore.Errorf(skillscore.EInvalid, "标记有误须选择差错类别：录入、计算或规则适用")
	case v.Verdict == VerdictFlagged && v.Note == "":
		return false, skillscore.Errorf(skillscore.EInvalid, "标记有误须写明差错所在（如：评分项 A2 纸质为 8，系统为 6）")
	case utf8.RuneCountInString(v.Note) > maxRecheckNote:
		return false, skillscore.Errorf(skillscore.EInvalid, "说明不能超过 %d 个字", maxRecheckNote)
	}
	if v.Verdict == VerdictConfirmed {
		v.Category = ""
	}
	escalated := false
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		r, err := recheckRound(ctx, tx, eventID)
		if err != nil {
			return err
		}
		if r.SignedOffAt.Valid() {
			return skillscore.Errorf(skillscore.EConflict, "成绩复核已签字确认，不能再改核对结果")
		}
		it, err := recheckItem(ctx, tx, r, itemID)
		if err != nil {
			return err
		}
		if it.CorrectedAt.Valid() {
			return skillscore.Errorf(skillscore.EConflict, "该评分表已由裁判长更正，不能再改核对结果")
		}
		now := s.now()
		if _, err := tx.ExecContext(ctx, `UPDATE recheck_items SET verdict = ?, category = ?, note = ?, checked_at = ?, checked_by = ?
			WHERE id = ?`, v.Verdict, v.Category, v.Note, micros(now), actor, it.ID); err != nil {
			return fmt.Errorf("recheck verdict: %w", err)
		}
		if err := s.appendAudit(ctx, tx, &eventID, actor, "recheck."+v.Verdict, itemSubject(it), map[string]any{"item": it.ID,
			"sheet_id": it.SheetID, "module": it.ModuleCode, "judge": it.JudgeCode, "category": v.Category, "note": v.Note}, now); err != nil {
			return err
		}
		if r.EscalatedAt.Valid() || v.Verdict != VerdictFlagged {
			return nil
		}
		var flagged int
		if err := tx.GetContext(ctx, &flagged, `SELECT COUNT(*) FROM recheck_items WHERE round_id = ? AND verdict = 'flagged'
			AND reason IN ('top', 'sample')`, r.ID); err != nil {
			return err
		}
		if !recheck.Escalates(flagged, r.Sampled(), r.EscalationPct) {
			return nil
		}
		escalated = true
		var rest []int64
		if err := tx.SelectContext(ctx, &rest, `SELECT sh.id FROM sheets sh JOIN modules m ON m.id = sh.module_id
			WHERE m.event_id = ? AND NOT EXISTS (SELECT 1 FROM recheck_items ri WHERE ri.round_id = ? AND ri.sheet_id = sh.id)
			ORDER BY sh.id`, eventID, r.ID); err != nil {
			return err
		}
		picks := make([]recheck.Pick, len(rest))
		for i, id := range rest {
			picks[i] = recheck.Pick{SheetID: id, Reason: recheck.ReasonEscalation}
		}
		if err := addRecheckItems(ctx, tx, eventID, r.ID, picks); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE recheck_rounds SET escalated_at = ?, escalated_flagged = ? WHERE id = ?",
			micros(now), flagged, r.ID); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, &eventID, actor, "recheck.escalate", "recheck", map[string]any{"flagged": flagged,
			"sampled": r.Sampled(), "escalation_pct": r.EscalationPct.String(), "added": len(rest)}, now)
	})
	return escalated, err
}

// CorrectRecheckItem is the chief judge's answer to a flagged sheet: with a
// reason, it withdraws the sign-off of the sheet's module (as a re-mark
// after an appeal does) and records the correction on the item; the caller
// then reopens the sheet by the usual path (judges.Service.SetSheetStatus,
// audited as sheet.reopen with the reason), the marks are corrected by the
// judge or from the paper, locked and signed off again.
func (s *Store) CorrectRecheckItem(ctx context.Context, eventID, itemID int64, reason, actor string) (RecheckItem, error) {
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "":
		return RecheckItem{}, skillscore.Errorf(skillscore.EInvalid, "更正须填写原因")
	case utf8.RuneCountInString(reason) > maxRecheckNote:
		return RecheckItem{}, skillscore.Errorf(skillscore.EInvalid, "更正原因不能超过 %d 个字", maxRecheckNote)
	}
	var it RecheckItem
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		r, err := recheckRound(ctx, tx, eventID)
		if err != nil {
			return err
		}
		if r.SignedOffAt.Valid() {
			return skillscore.Errorf(skillscore.EConflict, "成绩复核已签字确认，不能再更正")
		}
		if it, err = recheckItem(ctx, tx, r, itemID); err != nil {
			return err
		}
		switch {
		case it.Verdict != VerdictFlagged:
			return skillscore.Errorf(skillscore.EConflict, "只能更正监督标记有误的评分表")
		case it.CorrectedAt.Valid():
			return skillscore.Errorf(skillscore.EConflict, "该评分表已更正过（%s）", it.Correction)
		}
		now := s.now()
		if _, err := tx.ExecContext(ctx, "UPDATE modules SET signed_off_at = NULL, signed_off_by = NULL WHERE id = ?", it.ModuleID); err != nil {
			return fmt.Errorf("withdraw sign-off: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "UPDATE recheck_items SET correction = ?, corrected_at = ?, corrected_by = ? WHERE id = ?",
			reason, micros(now), actor, it.ID); err != nil {
			return fmt.Errorf("recheck correction: %w", err)
		}
		if _, err := bumpRevision(ctx, tx, eventID); err != nil {
			return err
		}
		it.Correction, it.CorrectedAt, it.CorrectedBy = reason, Time{now}, &actor
		return s.appendAudit(ctx, tx, &eventID, actor, "recheck.correct", itemSubject(it), map[string]any{"item": it.ID,
			"sheet_id": it.SheetID, "module": it.ModuleCode, "judge": it.JudgeCode, "reason": reason}, now)
	})
	return it, err
}

// AddRecheckItems adds sheets to a 复核 under way (reason recheck.ReasonAdded:
// a correction moved them into the top N).
func (s *Store) AddRecheckItems(ctx context.Context, eventID int64, sheetIDs []int64, actor string) error {
	if len(sheetIDs) == 0 {
		return nil
	}
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		r, err := recheckRound(ctx, tx, eventID)
		if err != nil {
			return err
		}
		if r.SignedOffAt.Valid() {
			return skillscore.Errorf(skillscore.EConflict, "成绩复核已签字确认")
		}
		picks := make([]recheck.Pick, len(sheetIDs))
		for i, id := range sheetIDs {
			picks[i] = recheck.Pick{SheetID: id, Reason: recheck.ReasonAdded}
		}
		if err := addRecheckItems(ctx, tx, eventID, r.ID, picks); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, &eventID, actor, "recheck.add", "recheck", map[string]any{"sheets": sheetIDs}, s.now())
	})
}

// SignOffRecheck is the 监督's sign-off: refused while a sheet is
// unchecked, a flagged sheet is uncorrected, a corrected sheet is not
// locked again or a module not signed off again.
func (s *Store) SignOffRecheck(ctx context.Context, eventID int64, actor, name string) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		r, err := recheckRound(ctx, tx, eventID)
		if err != nil {
			return err
		}
		if r.SignedOffAt.Valid() {
			return skillscore.Errorf(skillscore.EConflict, "成绩复核已于 %s 签字确认", cnTime(r.SignedOffAt.Time))
		}
		var c struct {
			Unchecked   int `db:"unchecked"`
			Uncorrected int `db:"uncorrected"`
			Relock      int `db:"relock"`
		}
		if err := tx.GetContext(ctx, &c, `SELECT
				COALESCE(SUM(CASE WHEN ri.verdict = '' THEN 1 ELSE 0 END), 0) AS unchecked,
				COALESCE(SUM(CASE WHEN ri.verdict = 'flagged' AND ri.corrected_at IS NULL THEN 1 ELSE 0 END), 0) AS uncorrected,
				COALESCE(SUM(CASE WHEN ri.corrected_at IS NOT NULL AND sh.status <> 'locked' THEN 1 ELSE 0 END), 0) AS relock
			FROM recheck_items ri JOIN sheets sh ON sh.id = ri.sheet_id WHERE ri.round_id = ?`, r.ID); err != nil {
			return fmt.Errorf("recheck counts: %w", err)
		}
		switch {
		case c.Unchecked > 0:
			return skillscore.Errorf(skillscore.EConflict, "还有 %d 份评分表未核对，不能签字确认复核", c.Unchecked)
		case c.Uncorrected > 0:
			return skillscore.Errorf(skillscore.EConflict, "还有 %d 份标记有误的评分表未经裁判长更正，不能签字确认复核", c.Uncorrected)
		case c.Relock > 0:
			return skillscore.Errorf(skillscore.EConflict, "还有 %d 份更正后的评分表未重新锁定，不能签字确认复核", c.Relock)
		}
		w, err := workflow(ctx, tx, eventID)
		if err != nil {
			return err
		}
		if err := w.scored(); err != nil {
			return err
		}
		now := s.now()
		if _, err := tx.ExecContext(ctx, "UPDATE recheck_rounds SET signed_off_at = ?, signed_off_by = ?, signed_off_name = ? WHERE id = ?",
			micros(now), actor, name, r.ID); err != nil {
			return fmt.Errorf("recheck sign-off: %w", err)
		}
		if _, err := bumpRevision(ctx, tx, eventID); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, &eventID, actor, "recheck.signoff", "recheck", map[string]any{"name": name}, now)
	})
}

// recheckState fills the workflow's 复核 fields.
func recheckState(ctx context.Context, tx *sqlx.Tx, eventID int64, w *Workflow) error {
	set, err := recheckSettings(ctx, tx, eventID)
	if err != nil {
		return err
	}
	w.RecheckRequired = set.Required
	r, err := recheckRound(ctx, tx, eventID)
	if skillscore.ErrorCode(err) == skillscore.ENotFound {
		return nil
	}
	if err != nil {
		return err
	}
	w.RecheckStarted, w.RecheckSignedOff = true, r.SignedOffAt
	return tx.GetContext(ctx, &w.RecheckUnchecked, "SELECT COUNT(*) FROM recheck_items WHERE round_id = ? AND verdict = ''", r.ID)
}

// recheckDone refuses publication while a required 复核 is not signed off.
func (w Workflow) recheckDone() error {
	switch {
	case !w.RecheckRequired || w.RecheckSignedOff.Valid():
		return nil
	case !w.RecheckStarted:
		return skillscore.Errorf(skillscore.EConflict, "成绩复核尚未开始：本赛事须经监督抽样复核并签字确认后才能公示成绩（成绩复核页）")
	case w.RecheckUnchecked > 0:
		return skillscore.Errorf(skillscore.EConflict, "成绩复核尚未完成：还有 %d 份评分表未核对，监督签字确认复核后才能公示成绩", w.RecheckUnchecked)
	}
	return skillscore.Errorf(skillscore.EConflict, "成绩复核尚未签字确认：监督签字确认复核后才能公示成绩")
}
