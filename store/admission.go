package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

	"skillscore"
)

// AdmissionNotice is the exam rules notice (考生须知) a batch prints on its
// 准考证; an empty Body means the batch has not written its own.
type AdmissionNotice struct {
	EventID   int64  `db:"event_id"`
	Body      string `db:"body"`
	UpdatedAt Time   `db:"updated_at"`
	UpdatedBy string `db:"updated_by"`
}

// MaxAdmissionNotice bounds the notice in characters: it must fit the
// lower half of an A4 准考证.
const MaxAdmissionNotice = 1200

// AdmissionNotice reads a batch's own notice; none gives an empty Body.
func (s *Store) AdmissionNotice(ctx context.Context, eventID int64) (AdmissionNotice, error) {
	var n AdmissionNotice
	err := s.r.GetContext(ctx, &n, "SELECT event_id, body, updated_at, updated_by FROM admission_notices WHERE event_id = ?", eventID)
	if errors.Is(err, sql.ErrNoRows) {
		return AdmissionNotice{EventID: eventID}, nil
	}
	if err != nil {
		return AdmissionNotice{}, fmt.Errorf("admission notice: %w", err)
	}
	return n, nil
}

// SaveAdmissionNotice stores a batch's own notice, audited; an empty body
// goes back to the default text. Only an assessment batch has one.
func (s *Store) SaveAdmissionNotice(ctx context.Context, eventID int64, body, actor string) error {
	body = strings.TrimSpace(strings.ReplaceAll(body, "\r\n", "\n"))
	if n := len([]rune(body)); n > MaxAdmissionNotice {
		return skillscore.Errorf(skillscore.EInvalid, "考生须知不能超过 %d 字（现有 %d 字）", MaxAdmissionNotice, n)
	}
	now := s.now()
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		ev, err := batchEvent(ctx, tx, eventID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM admission_notices WHERE event_id = ?", eventID); err != nil {
			return fmt.Errorf("replace admission notice: %w", err)
		}
		if body != "" {
			if _, err := tx.ExecContext(ctx, "INSERT INTO admission_notices (event_id, body, updated_at, updated_by) VALUES (?, ?, ?, ?)",
				eventID, body, micros(now), actor); err != nil {
				return fmt.Errorf("save admission notice: %w", err)
			}
		}
		return s.appendAudit(ctx, tx, &eventID, actor, "admission.notice", batchSubject(ev.Code),
			map[string]any{"chars": len([]rune(body)), "default": body == ""}, now)
	})
}
