package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"

	"skillscore"
)

// JudgeTicket is a one-time judge login: the hashes of the QR code's ticket
// and of the PIN. The caller makes both secrets; the store keeps hashes only.
type JudgeTicket struct {
	ID         int64  `db:"id"`
	JudgeID    int64  `db:"judge_id"`
	TicketHash string `db:"ticket_hash"`
	PINHash    string `db:"pin_hash"`
	Failures   int    `db:"failures"`
	CreatedAt  Time   `db:"created_at"`
	ExpiresAt  Time   `db:"expires_at"`
	UsedAt     Time   `db:"used_at"`
	RevokedAt  Time   `db:"revoked_at"`
}

// JudgeDevice is a tablet bound to a judge.
type JudgeDevice struct {
	TokenHash string `db:"token_hash"`
	JudgeID   int64  `db:"judge_id"`
	TicketID  int64  `db:"ticket_id"`
	Label     string `db:"label"`
	CreatedAt Time   `db:"created_at"`
	RevokedAt Time   `db:"revoked_at"`
}

// IssueTicket stores a new one-time login for a judge. Earlier tickets of the
// judge that were never used die with it; bound devices stay until revoked.
func (s *Store) IssueTicket(ctx context.Context, t JudgeTicket, actor string) (JudgeTicket, error) {
	now := s.now()
	t.CreatedAt = Time{now}
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var j Judge
		if err := tx.GetContext(ctx, &j, "SELECT * FROM judges WHERE id = ?", t.JudgeID); errors.Is(err, sql.ErrNoRows) {
			return skillscore.Errorf(skillscore.ENotFound, "裁判不存在")
		} else if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE judge_tickets SET revoked_at = ?
			WHERE judge_id = ? AND used_at IS NULL AND revoked_at IS NULL`, micros(now), t.JudgeID); err != nil {
			return err
		}
		res, err := tx.NamedExecContext(ctx, `INSERT INTO judge_tickets (judge_id, ticket_hash, pin_hash, failures, created_at, expires_at)
			VALUES (:judge_id, :ticket_hash, :pin_hash, 0, :created_at, :expires_at)`, t)
		if err != nil {
			return fmt.Errorf("insert ticket: %w", err)
		}
		if t.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, &j.EventID, actor, "judge.ticket", j.Code, map[string]any{"ticket_id": t.ID}, now)
	})
	return t, err
}

// TicketByHash returns the ticket with that hash, whatever its state.
func (s *Store) TicketByHash(ctx context.Context, hash string) (JudgeTicket, error) {
	var t JudgeTicket
	err := s.w.GetContext(ctx, &t, "SELECT * FROM judge_tickets WHERE ticket_hash = ?", hash)
	if errors.Is(err, sql.ErrNoRows) {
		return JudgeTicket{}, skillscore.Errorf(skillscore.EUnauthorized, "登录码无效")
	}
	if err != nil {
		return JudgeTicket{}, fmt.Errorf("load ticket: %w", err)
	}
	return t, nil
}

// TicketFailed counts a wrong PIN against a ticket and returns the count.
func (s *Store) TicketFailed(ctx context.Context, ticketID int64) (int, error) {
	var n int
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, "UPDATE judge_tickets SET failures = failures + 1 WHERE id = ?", ticketID); err != nil {
			return err
		}
		return tx.GetContext(ctx, &n, "SELECT failures FROM judge_tickets WHERE id = ?", ticketID)
	})
	return n, err
}

// RedeemTicket uses a ticket once and binds a device to its judge. A ticket
// already used, revoked or expired is unauthorized.
func (s *Store) RedeemTicket(ctx context.Context, ticketID int64, d JudgeDevice) error {
	now := s.now()
	d.CreatedAt = Time{now}
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE judge_tickets SET used_at = ?
			WHERE id = ? AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ?`, micros(now), ticketID, micros(now))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return skillscore.Errorf(skillscore.EUnauthorized, "登录码已使用、已作废或已过期，请向组织者重新领取")
		}
		var j Judge
		if err := tx.GetContext(ctx, &j, "SELECT j.* FROM judges j JOIN judge_tickets t ON t.judge_id = j.id WHERE t.id = ?", ticketID); err != nil {
			return err
		}
		d.JudgeID, d.TicketID = j.ID, ticketID
		if _, err := tx.NamedExecContext(ctx, `INSERT INTO judge_devices (token_hash, judge_id, ticket_id, label, created_at)
			VALUES (:token_hash, :judge_id, :ticket_id, :label, :created_at)`, d); err != nil {
			return fmt.Errorf("insert device: %w", err)
		}
		return s.appendAudit(ctx, tx, &j.EventID, "judge:"+j.Code, "judge.login", j.Code, map[string]any{"device": d.Label}, now)
	})
}

// DeviceJudge returns the judge a device token belongs to and the device's
// ticket (whose PIN signs submissions). A revoked device is unauthorized.
func (s *Store) DeviceJudge(ctx context.Context, tokenHash string) (Judge, JudgeTicket, error) {
	var row struct {
		Judge
		T JudgeTicket `db:"t"`
	}
	err := s.w.GetContext(ctx, &row, `SELECT j.*, t.id AS "t.id", t.judge_id AS "t.judge_id", t.ticket_hash AS "t.ticket_hash",
			t.pin_hash AS "t.pin_hash", t.failures AS "t.failures", t.created_at AS "t.created_at",
			t.expires_at AS "t.expires_at", t.used_at AS "t.used_at", t.revoked_at AS "t.revoked_at"
		FROM judge_devices d JOIN judges j ON j.id = d.judge_id JOIN judge_tickets t ON t.id = d.ticket_id
		WHERE d.token_hash = ? AND d.revoked_at IS NULL`, tokenHash)
	if errors.Is(err, sql.ErrNoRows) {
		return Judge{}, JudgeTicket{}, skillscore.Errorf(skillscore.EUnauthorized, "该平板的登录已失效或被撤销，请重新登录")
	}
	if err != nil {
		return Judge{}, JudgeTicket{}, fmt.Errorf("load device: %w", err)
	}
	return row.Judge, row.T, nil
}

// RevokeJudgeAccess revokes every device and unused ticket of a judge.
func (s *Store) RevokeJudgeAccess(ctx context.Context, judgeID int64, actor string) (int, error) {
	var n int64
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var j Judge
		if err := tx.GetContext(ctx, &j, "SELECT * FROM judges WHERE id = ?", judgeID); errors.Is(err, sql.ErrNoRows) {
			return skillscore.Errorf(skillscore.ENotFound, "裁判不存在")
		} else if err != nil {
			return err
		}
		now := micros(s.now())
		res, err := tx.ExecContext(ctx, "UPDATE judge_devices SET revoked_at = ? WHERE judge_id = ? AND revoked_at IS NULL", now, judgeID)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		if _, err := tx.ExecContext(ctx, `UPDATE judge_tickets SET revoked_at = ?
			WHERE judge_id = ? AND used_at IS NULL AND revoked_at IS NULL`, now, judgeID); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, &j.EventID, actor, "judge.revoke", j.Code, map[string]any{"devices": n}, s.now())
	})
	return int(n), err
}

// Judge returns one judge by id.
func (s *Store) Judge(ctx context.Context, id int64) (Judge, error) {
	var j Judge
	err := s.r.GetContext(ctx, &j, "SELECT * FROM judges WHERE id = ?", id)
	if errors.Is(err, sql.ErrNoRows) {
		return Judge{}, skillscore.Errorf(skillscore.ENotFound, "裁判不存在")
	}
	if err != nil {
		return Judge{}, fmt.Errorf("load judge: %w", err)
	}
	return j, nil
}

// Assignment is one contestant a panel judge scores in a module.
type Assignment struct {
	ModuleID       int64  `db:"module_id"`
	JudgeID        int64  `db:"judge_id"`
	ContestantID   int64  `db:"contestant_id"`
	OverrideReason string `db:"override_reason"`
	CreatedAt      Time   `db:"created_at"`
}

// Relation is a relation a judge declared with a contestant.
type Relation struct {
	JudgeID      int64  `db:"judge_id"`
	ContestantID int64  `db:"contestant_id"`
	Relation     string `db:"relation"`
	CreatedAt    Time   `db:"created_at"`
}

// AddAssignments stores assignments, all or none. The caller (the judges
// package) has checked conflicts; an override reason is recorded and audited.
func (s *Store) AddAssignments(ctx context.Context, eventID int64, as []Assignment, actor string) error {
	now := s.now()
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		for _, a := range as {
			var n int
			if err := tx.GetContext(ctx, &n, `SELECT COUNT(*) FROM panel_members p JOIN modules m ON m.id = p.module_id
				JOIN contestants c ON c.event_id = m.event_id
				WHERE p.module_id = ? AND p.judge_id = ? AND c.id = ? AND m.event_id = ?`,
				a.ModuleID, a.JudgeID, a.ContestantID, eventID); err != nil {
				return err
			}
			if n == 0 {
				return skillscore.Errorf(skillscore.EInvalid, "裁判不在该模块的裁判组中，或选手不属于本赛事")
			}
			a.CreatedAt = Time{now}
			if _, err := tx.NamedExecContext(ctx, `INSERT INTO assignments (module_id, judge_id, contestant_id, override_reason, created_at)
				VALUES (:module_id, :judge_id, :contestant_id, :override_reason, :created_at)`, a); err != nil {
				if isUniqueViolation(err) {
					continue // already assigned: assigning twice is harmless
				}
				return fmt.Errorf("insert assignment: %w", err)
			}
			if a.OverrideReason != "" {
				if err := s.appendAudit(ctx, tx, &eventID, actor, "assignment.override", contestantSubject(ctx, tx, a.ContestantID),
					map[string]any{"module_id": a.ModuleID, "judge_id": a.JudgeID, "reason": a.OverrideReason}, now); err != nil {
					return err
				}
			}
		}
		if _, err := bumpRevision(ctx, tx, eventID); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, &eventID, actor, "assignment.add", "", map[string]any{"count": len(as)}, now)
	})
}

// Assignments returns an event's assignments.
func (s *Store) Assignments(ctx context.Context, eventID int64) ([]Assignment, error) {
	var out []Assignment
	if err := s.r.SelectContext(ctx, &out, `SELECT a.* FROM assignments a JOIN modules m ON m.id = a.module_id
		WHERE m.event_id = ? ORDER BY m.position, a.judge_id, a.contestant_id`, eventID); err != nil {
		return nil, fmt.Errorf("list assignments: %w", err)
	}
	return out, nil
}

// AddRelation records a relation a judge declared with a contestant.
func (s *Store) AddRelation(ctx context.Context, eventID int64, r Relation, actor string) error {
	now := s.now()
	r.CreatedAt = Time{now}
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.NamedExecContext(ctx, `INSERT INTO judge_relations (judge_id, contestant_id, relation, created_at)
			VALUES (:judge_id, :contestant_id, :relation, :created_at)`, r); err != nil {
			if isUniqueViolation(err) {
				return skillscore.Errorf(skillscore.EConflict, "该关系已登记")
			}
			return fmt.Errorf("insert relation: %w", err)
		}
		return s.appendAudit(ctx, tx, &eventID, actor, "relation.add", contestantSubject(ctx, tx, r.ContestantID),
			map[string]any{"judge_id": r.JudgeID, "relation": r.Relation}, now)
	})
}

// Relations returns the relations declared by an event's judges.
func (s *Store) Relations(ctx context.Context, eventID int64) ([]Relation, error) {
	var out []Relation
	if err := s.r.SelectContext(ctx, &out, `SELECT r.* FROM judge_relations r JOIN judges j ON j.id = r.judge_id
		WHERE j.event_id = ? ORDER BY r.judge_id, r.contestant_id`, eventID); err != nil {
		return nil, fmt.Errorf("list relations: %w", err)
	}
	return out, nil
}

// AuditFor returns an event's audit entries about one subject (a contestant's
// code) or by one actor, oldest first; both empty returns all of the event.
func (s *Store) AuditFor(ctx context.Context, eventID int64, subject, actor string) ([]AuditEntry, error) {
	q := "SELECT * FROM audit_log WHERE event_id = ?"
	args := []any{eventID}
	if subject != "" {
		q += " AND subject = ?"
		args = append(args, subject)
	}
	if actor != "" {
		q += " AND actor = ?"
		args = append(args, actor)
	}
	var out []AuditEntry
	if err := s.r.SelectContext(ctx, &out, q+" ORDER BY id", args...); err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	return out, nil
}

// JudgeAssignment is one sheet a judge is assigned, with the contestant's
// anonymous code and station (never the name).
type JudgeAssignment struct {
	ModuleID     int64   `db:"module_id"`
	ContestantID int64   `db:"contestant_id"`
	Code         *string `db:"code"`
	Station      *string `db:"station"`
	// NotAdvanced: the module belongs to a later round the contestant did
	// not advance to (store/rounds.go); the tablet neither lists nor marks it.
	NotAdvanced bool `db:"not_advanced"`
	// Carried: a 补考 candidate carries the module's part from an earlier
	// batch (store/retakes.go); the tablet neither lists nor marks it.
	Carried bool `db:"carried"`
}

// JudgeAssignments returns one judge's assignments, by module and code.
func (s *Store) JudgeAssignments(ctx context.Context, judgeID int64) ([]JudgeAssignment, error) {
	var out []JudgeAssignment
	// In a later round's module, who did not advance is flagged, and who did
	// sits at the station of that round's draw (store/rounds.go).
	if err := s.r.SelectContext(ctx, &out, `SELECT a.module_id, a.contestant_id, c.code, COALESCE(re.station, c.station) AS station,
			CASE WHEN rm.round_position > 0 AND re.contestant_id IS NULL THEN 1 ELSE 0 END AS not_advanced,
			CASE WHEN EXISTS (SELECT 1 FROM carried_parts cp WHERE cp.contestant_id = a.contestant_id AND cp.part = m.kind)
				THEN 1 ELSE 0 END AS carried
		FROM assignments a JOIN contestants c ON c.id = a.contestant_id JOIN modules m ON m.id = a.module_id
		LEFT JOIN round_modules rm ON rm.event_id = m.event_id AND rm.module_code = m.code
		LEFT JOIN round_entries re ON re.event_id = m.event_id AND re.round_code = rm.round_code AND re.contestant_id = a.contestant_id
		WHERE a.judge_id = ? ORDER BY a.module_id, c.code`, judgeID); err != nil {
		return nil, fmt.Errorf("judge assignments: %w", err)
	}
	return out, nil
}

// JudgeSheets returns one judge's sheets.
func (s *Store) JudgeSheets(ctx context.Context, judgeID int64) ([]Sheet, error) {
	var out []Sheet
	if err := s.r.SelectContext(ctx, &out, `SELECT sh.id, sh.module_id, sh.contestant_id, sh.judge_id, sh.status,
			sh.submitted_at, sh.locked_at, (SELECT COUNT(*) FROM marks mk WHERE mk.sheet_id = sh.id) AS marked
		FROM sheets sh WHERE sh.judge_id = ? ORDER BY sh.id`, judgeID); err != nil {
		return nil, fmt.Errorf("judge sheets: %w", err)
	}
	return out, nil
}
