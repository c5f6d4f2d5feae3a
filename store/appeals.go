package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"skillscore"
	"skillscore/idnumber"
)

// Appeal is one appeal (申诉) against published results.
type Appeal struct {
	ID             int64   `db:"id"`
	EventID        int64   `db:"event_id"`
	ContestantID   int64   `db:"contestant_id"`
	ContestantName string  `db:"contestant_name"`
	ContestantCode *string `db:"contestant_code"`
	Source         string  `db:"source"` // organizer | contestant
	Body           string  `db:"body"`
	FiledAt        Time    `db:"filed_at"`
	FiledBy        string  `db:"filed_by"`
	Status         string  `db:"status"` // open | rejected | remark
	Reason         *string `db:"reason"`
	Sheets         *string `db:"sheets"`
	DecidedAt      Time    `db:"decided_at"`
	DecidedBy      *string `db:"decided_by"`
}

// AppealFiling is a new appeal: the organizer names the contestant by id;
// a contestant names themself by 证件号码 and 姓名, which must both match.
type AppealFiling struct {
	ContestantID int64
	IDNumber     string
	Name         string
	Body         string
}

// maxAppealBody bounds an appeal's text in characters.
const maxAppealBody = 2000

// FileAppeal records an appeal within the publication period. A filing by
// 证件号码 + 姓名 is the contestant's own; one by contestant id the
// organizer's. A mismatch never says which of the two was wrong.
func (s *Store) FileAppeal(ctx context.Context, eventID int64, f AppealFiling, actor string) (Appeal, error) {
	// A 证件号码 typed into the appeal's words is kept masked: the
	// appeal is linked to the contestant, the number adds nothing.
	body := idnumber.MaskWithin(strings.TrimSpace(f.Body))
	if body == "" {
		return Appeal{}, skillscore.Errorf(skillscore.EInvalid, "请填写申诉内容")
	}
	if utf8.RuneCountInString(body) > maxAppealBody {
		return Appeal{}, skillscore.Errorf(skillscore.EInvalid, "申诉内容不能超过 %d 字", maxAppealBody)
	}
	now := s.now()
	a := Appeal{EventID: eventID, Body: body, FiledAt: Time{now}, FiledBy: actor, Status: "open", Source: "organizer"}
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		w, err := workflow(ctx, tx, eventID)
		if err != nil {
			return err
		}
		if err := w.AppealAllowed(now); err != nil {
			return err
		}
		if f.ContestantID == 0 {
			a.Source = "contestant"
			idx, ierr := s.idIndexes(f.IDNumber)
			if ierr != nil {
				return ierr
			}
			var ids []int64
			if ids, err = contestantIDsByIndex(ctx, tx, eventID, strings.TrimSpace(f.Name), idx); err == nil {
				if len(ids) == 0 {
					err = sql.ErrNoRows
				} else {
					a.ContestantID = ids[0]
				}
			}
		} else {
			err = tx.GetContext(ctx, &a.ContestantID, "SELECT id FROM contestants WHERE event_id = ? AND id = ?", eventID, f.ContestantID)
		}
		if errors.Is(err, sql.ErrNoRows) {
			if a.Source == "contestant" {
				return skillscore.Errorf(skillscore.ENotFound, "证件号码与姓名不匹配本赛事的任何选手，请核对后重新填写")
			}
			return skillscore.Errorf(skillscore.ENotFound, "本赛事没有该选手")
		}
		if err != nil {
			return fmt.Errorf("appeal contestant: %w", err)
		}
		var open int
		if err := tx.GetContext(ctx, &open, "SELECT COUNT(*) FROM appeals WHERE contestant_id = ? AND status = 'open'", a.ContestantID); err != nil {
			return err
		}
		if open > 0 {
			return skillscore.Errorf(skillscore.EConflict, "该选手已有一件申诉正在处理，请等待处理结果")
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO appeals (event_id, contestant_id, source, body, filed_at, filed_by, status)
			VALUES (?, ?, ?, ?, ?, ?, 'open')`, eventID, a.ContestantID, a.Source, body, micros(now), actor)
		if err != nil {
			return fmt.Errorf("insert appeal: %w", err)
		}
		if a.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, &eventID, actor, "appeal.file", contestantSubject(ctx, tx, a.ContestantID),
			map[string]any{"appeal_id": a.ID, "source": a.Source}, now)
	})
	if err != nil {
		return Appeal{}, err
	}
	return a, nil
}

// Appeals lists an event's appeals, newest first.
func (s *Store) Appeals(ctx context.Context, eventID int64) ([]Appeal, error) {
	var out []Appeal
	err := s.r.SelectContext(ctx, &out, `SELECT a.*, c.name AS contestant_name, c.code AS contestant_code
		FROM appeals a JOIN contestants c ON c.id = a.contestant_id WHERE a.event_id = ? ORDER BY a.id DESC`, eventID)
	if err != nil {
		return nil, fmt.Errorf("appeals: %w", err)
	}
	return out, nil
}

// AppealDecision decides an appeal: "rejected" with a reason, or "remark"
// naming the appellant's sheets to be re-scored.
type AppealDecision struct {
	Outcome  string
	Reason   string
	SheetIDs []int64
}

// DecideAppeal records a decision. A re-mark withdraws the sign-off of the
// modules holding the named sheets, so the chief judge can reopen them
// (the usual reopen) and sign off again after the judges re-score; the
// results recompute from the new marks and cannot be made final before.
func (s *Store) DecideAppeal(ctx context.Context, eventID, appealID int64, d AppealDecision, actor string) error {
	reason := strings.TrimSpace(d.Reason)
	switch {
	case d.Outcome != "rejected" && d.Outcome != "remark":
		return skillscore.Errorf(skillscore.EInvalid, "处理结果只能是驳回或复评")
	case reason == "":
		return skillscore.Errorf(skillscore.EInvalid, "请填写处理理由")
	case d.Outcome == "remark" && len(d.SheetIDs) == 0:
		return skillscore.Errorf(skillscore.EInvalid, "复评须至少选择一份评分表")
	}
	now := s.now()
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		var a Appeal
		err := tx.GetContext(ctx, &a, `SELECT a.*, c.name AS contestant_name, c.code AS contestant_code
			FROM appeals a JOIN contestants c ON c.id = a.contestant_id WHERE a.id = ? AND a.event_id = ?`, appealID, eventID)
		if errors.Is(err, sql.ErrNoRows) {
			return skillscore.Errorf(skillscore.ENotFound, "申诉不存在")
		}
		if err != nil {
			return fmt.Errorf("load appeal: %w", err)
		}
		if a.Status != "open" {
			return skillscore.Errorf(skillscore.EConflict, "该申诉已处理")
		}
		ids := make([]string, len(d.SheetIDs))
		modules := map[int64]bool{}
		for i, id := range d.SheetIDs {
			var mod int64
			err := tx.GetContext(ctx, &mod, `SELECT sh.module_id FROM sheets sh JOIN modules m ON m.id = sh.module_id
				WHERE sh.id = ? AND m.event_id = ? AND sh.contestant_id = ?`, id, eventID, a.ContestantID)
			if errors.Is(err, sql.ErrNoRows) {
				return skillscore.Errorf(skillscore.EInvalid, "评分表 %d 不是该申诉选手的评分表", id)
			}
			if err != nil {
				return fmt.Errorf("remark sheet: %w", err)
			}
			modules[mod] = true
			ids[i] = strconv.FormatInt(id, 10)
		}
		for mod := range modules {
			if _, err := tx.ExecContext(ctx, "UPDATE modules SET signed_off_at = NULL, signed_off_by = NULL WHERE id = ?", mod); err != nil {
				return fmt.Errorf("withdraw sign-off: %w", err)
			}
		}
		var sheets any
		if len(ids) > 0 {
			sheets = strings.Join(ids, ",")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE appeals SET status = ?, reason = ?, sheets = ?, decided_at = ?, decided_by = ?
			WHERE id = ?`, d.Outcome, reason, sheets, micros(now), actor, appealID); err != nil {
			return fmt.Errorf("decide appeal: %w", err)
		}
		if _, err := bumpRevision(ctx, tx, eventID); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, &eventID, actor, "appeal."+d.Outcome, contestantSubject(ctx, tx, a.ContestantID),
			map[string]any{"appeal_id": appealID, "reason": reason, "sheets": ids}, now)
	})
}
