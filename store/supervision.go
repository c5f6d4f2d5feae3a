package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"skillscore"
	"skillscore/supervision"
)

// SupervisionInput reads what the 督导 progress board of a batch is counted
// from (supervision.Board): its exam rooms, sittings with their sign-in
// states, modules, panels, assignments, score sheets, candidate statuses,
// the modules 补考 candidates carry and the records filed. It opens no
// personal data.
func (s *Store) SupervisionInput(ctx context.Context, eventID int64) (supervision.Input, error) {
	var in supervision.Input
	rooms, err := s.ExamRooms(ctx, eventID)
	if err != nil {
		return in, err
	}
	for _, r := range rooms {
		in.Rooms = append(in.Rooms, supervision.InRoom{Code: r.Code, Site: r.Site, Name: r.Name, Seats: r.Seats})
	}
	ss, err := schedule(ctx, s.r, eventID, "")
	if err != nil {
		return in, err
	}
	for _, x := range ss {
		it := supervision.InSitting{Code: x.Code, Name: x.Name, Venue: x.Venue, Module: x.Module, Day: x.Day,
			Starts: x.Starts, Ends: x.Ends, Closed: x.ClosedAt.Valid()}
		for _, r := range x.Rows {
			it.Entries = append(it.Entries, supervision.InEntry{ContestantID: r.ContestantID, EntryNo: r.EntryNo, Name: r.Name,
				Seat: r.Station, Outcome: r.Outcome})
		}
		in.Sittings = append(in.Sittings, it)
	}
	var mods []struct {
		Code     string `db:"code"`
		Name     string `db:"name"`
		Imported bool   `db:"imported"`
	}
	if err := s.r.SelectContext(ctx, &mods, "SELECT code, name, imported FROM modules WHERE event_id = ? ORDER BY position", eventID); err != nil {
		return in, fmt.Errorf("supervision modules: %w", err)
	}
	for _, m := range mods {
		in.Modules = append(in.Modules, supervision.InModule{Code: m.Code, Name: m.Name, Imported: m.Imported})
	}
	var panels []struct {
		Module  string `db:"module"`
		JudgeID int64  `db:"judge_id"`
		Code    string `db:"code"`
		Name    string `db:"name"`
	}
	if err := s.r.SelectContext(ctx, &panels, `SELECT m.code AS module, p.judge_id, j.code, j.name FROM panel_members p
		JOIN modules m ON m.id = p.module_id JOIN judges j ON j.id = p.judge_id
		WHERE m.event_id = ? ORDER BY m.position, p.chief DESC, j.code`, eventID); err != nil {
		return in, fmt.Errorf("supervision panels: %w", err)
	}
	for _, p := range panels {
		in.Panels = append(in.Panels, supervision.InPanelSeat{Module: p.Module, JudgeID: p.JudgeID, JudgeCode: p.Code, Name: p.Name})
	}
	var as []struct {
		Module       string `db:"module"`
		JudgeID      int64  `db:"judge_id"`
		ContestantID int64  `db:"contestant_id"`
		Status       string `db:"status"`
	}
	if err := s.r.SelectContext(ctx, &as, `SELECT m.code AS module, a.judge_id, a.contestant_id, '' AS status FROM assignments a
		JOIN modules m ON m.id = a.module_id WHERE m.event_id = ?`, eventID); err != nil {
		return in, fmt.Errorf("supervision assignments: %w", err)
	}
	for _, a := range as {
		in.Assignments = append(in.Assignments, supervision.InAssignment{Module: a.Module, JudgeID: a.JudgeID, ContestantID: a.ContestantID})
	}
	as = as[:0]
	if err := s.r.SelectContext(ctx, &as, `SELECT m.code AS module, x.judge_id, x.contestant_id, x.status FROM sheets x
		JOIN modules m ON m.id = x.module_id WHERE m.event_id = ?`, eventID); err != nil {
		return in, fmt.Errorf("supervision sheets: %w", err)
	}
	for _, x := range as {
		in.Sheets = append(in.Sheets, supervision.InSheet{Module: x.Module, JudgeID: x.JudgeID, ContestantID: x.ContestantID, Status: x.Status})
	}
	var sts []struct {
		ID     int64  `db:"id"`
		Status string `db:"status"`
	}
	if err := s.r.SelectContext(ctx, &sts, "SELECT id, status FROM contestants WHERE event_id = ? AND status <> ''", eventID); err != nil {
		return in, fmt.Errorf("supervision statuses: %w", err)
	}
	in.Statuses = make(map[int64]string, len(sts))
	for _, x := range sts {
		in.Statuses[x.ID] = x.Status
	}
	var carried []struct {
		Module       string `db:"module"`
		ContestantID int64  `db:"contestant_id"`
	}
	if err := s.r.SelectContext(ctx, &carried, `SELECT m.code AS module, cp.contestant_id FROM carried_parts cp
		JOIN modules m ON m.event_id = cp.event_id AND m.kind = cp.part WHERE cp.event_id = ?`, eventID); err != nil {
		return in, fmt.Errorf("supervision carried parts: %w", err)
	}
	for _, c := range carried {
		in.Carried = append(in.Carried, supervision.InCarried{Module: c.Module, ContestantID: c.ContestantID})
	}
	in.Records, err = s.SupervisionRecords(ctx, eventID)
	return in, err
}

// SigningPIN is a 督导员's signing PIN as stored: its bcrypt hash (made and
// checked by the web layer; the store never sees a PIN), when it was set,
// the wrong tries since the last good one and the end of a lock.
type SigningPIN struct {
	UserID      int64  `db:"user_id"`
	Hash        string `db:"pin_hash"`
	SetAt       Time   `db:"set_at"`
	Failures    int    `db:"failures"`
	LockedUntil Time   `db:"locked_until"`
}

// Locked reports whether signing is locked at t after too many wrong PINs.
func (p SigningPIN) Locked(t time.Time) bool {
	return p.LockedUntil.Valid() && t.Before(p.LockedUntil.Time)
}

// SigningPIN returns a user's signing PIN; ENotFound when they have not set
// one (their first signature sets it).
func (s *Store) SigningPIN(ctx context.Context, userID int64) (SigningPIN, error) {
	return signingPIN(ctx, s.r, userID)
}

func signingPIN(ctx context.Context, q sqlx.QueryerContext, userID int64) (SigningPIN, error) {
	var p SigningPIN
	err := sqlx.GetContext(ctx, q, &p, "SELECT user_id, pin_hash, set_at, failures, locked_until FROM signing_pins WHERE user_id = ?", userID)
	if errors.Is(err, sql.ErrNoRows) {
		return p, skillscore.Errorf(skillscore.ENotFound, "尚未设置签名 PIN")
	}
	if err != nil {
		return p, fmt.Errorf("signing pin: %w", err)
	}
	return p, nil
}

// lockedError is the refusal while signing is locked.
func lockedError(until time.Time) error {
	return skillscore.Errorf(skillscore.ERateLimited, "签名 PIN 连续输错 %d 次，签名已锁定至 %s，请稍后再试",
		supervision.MaxPINFailures, until.In(skillscore.China()).Format("15:04"))
}

// SigningPINFailed records a wrong PIN at a signature on eventID's page:
// after supervision.MaxPINFailures in a row signing is locked for
// supervision.PINLockout. Audited in the event's trail. It returns the PIN's
// state after the failure.
func (s *Store) SigningPINFailed(ctx context.Context, userID, eventID int64, actor string) (SigningPIN, error) {
	now := s.now()
	var p SigningPIN
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		if p, err = signingPIN(ctx, tx, userID); err != nil {
			return err
		}
		p.Failures++
		detail := map[string]any{"failures": p.Failures}
		if p.Failures >= supervision.MaxPINFailures {
			p.Failures, p.LockedUntil = 0, Time{now.Add(supervision.PINLockout)}
			detail["locked_until"] = p.LockedUntil.UTC().Format(time.RFC3339)
		}
		if _, err := tx.ExecContext(ctx, "UPDATE signing_pins SET failures = ?, locked_until = ? WHERE user_id = ?",
			p.Failures, p.LockedUntil, userID); err != nil {
			return fmt.Errorf("count wrong pin: %w", err)
		}
		return s.appendAudit(ctx, tx, &eventID, actor, "supervision.pin_failed", "督导员 "+actor, detail, now)
	})
	return p, err
}

// ResetSigningPIN forgets a user's signing PIN (they forgot it): their next
// signature sets a new one. Records already signed keep theirs. Audited
// site-wide; it returns false when the user had none.
func (s *Store) ResetSigningPIN(ctx context.Context, username, actor string) (bool, error) {
	now := s.now()
	var had bool
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var id int64
		err := tx.GetContext(ctx, &id, "SELECT id FROM users WHERE username = ?", username)
		if errors.Is(err, sql.ErrNoRows) {
			return skillscore.Errorf(skillscore.ENotFound, "用户 %s 不存在", username)
		}
		if err != nil {
			return fmt.Errorf("load user: %w", err)
		}
		res, err := tx.ExecContext(ctx, "DELETE FROM signing_pins WHERE user_id = ?", id)
		if err != nil {
			return fmt.Errorf("reset pin: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if had = n > 0; !had {
			return nil
		}
		return s.appendAudit(ctx, tx, nil, actor, "supervision.pin_reset", "督导员 "+username, map[string]any{"username": username}, now)
	})
	return had, err
}

// Signature is who signs a 督导记录 and with which PIN: NewPINHash on the
// signer's first signature (the PIN they have just chosen, hashed), else
// PINSetAt, the setting time of the stored PIN the web layer has just
// checked (a PIN changed in between refuses the signature).
type Signature struct {
	UserID     int64
	Username   string
	Name       string
	NewPINHash string
	PINSetAt   time.Time
}

// FileSupervisionRecord stores a signed 督导记录 for one sitting of an
// assessment batch, append-only. The room and the sitting's label come
// from the schedule, not the caller. A correction (Supersedes) must be of
// a record of the same sitting signed by the same 督导员 and not already
// corrected, with a reason. The record's digest (supervision.Digest) is
// stored and audited with it.
func (s *Store) FileSupervisionRecord(ctx context.Context, rec supervision.Record, sig Signature) (supervision.Record, error) {
	if err := rec.Obs.Check(); err != nil {
		return rec, err
	}
	rec.CorrectionReason = strings.TrimSpace(rec.CorrectionReason)
	switch {
	case rec.Supersedes != 0 && rec.CorrectionReason == "":
		return rec, skillscore.Errorf(skillscore.EInvalid, "更正记录须写明更正原因")
	case rec.Supersedes == 0 && rec.CorrectionReason != "":
		return rec, skillscore.Errorf(skillscore.EInvalid, "只有更正记录才有更正原因")
	case utf8.RuneCountInString(rec.CorrectionReason) > supervision.MaxReason:
		return rec, skillscore.Errorf(skillscore.EInvalid, "更正原因不能超过 %d 字", supervision.MaxReason)
	case sig.UserID == 0 || sig.Username == "":
		return rec, skillscore.Errorf(skillscore.EInvalid, "督导记录须由督导员签名")
	}
	now := s.now().Truncate(time.Microsecond)
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		ev, err := batchEvent(ctx, tx, rec.EventID)
		if err != nil {
			return err
		}
		var x struct {
			Code   string `db:"code"`
			Name   string `db:"name"`
			Venue  string `db:"venue"`
			Day    string `db:"day"`
			Starts string `db:"starts"`
			Ends   string `db:"ends"`
		}
		err = tx.GetContext(ctx, &x, "SELECT code, name, venue, day, starts, ends FROM sessions WHERE event_id = ? AND code = ?", ev.ID, rec.Session)
		if errors.Is(err, sql.ErrNoRows) {
			return skillscore.Errorf(skillscore.ENotFound, "本批次没有场次 %s", rec.Session)
		}
		if err != nil {
			return fmt.Errorf("load session: %w", err)
		}
		var rooms []ExamRoom
		if err := tx.SelectContext(ctx, &rooms, "SELECT * FROM exam_rooms WHERE event_id = ? ORDER BY position", ev.ID); err != nil {
			return fmt.Errorf("load rooms: %w", err)
		}
		in := make([]supervision.InRoom, len(rooms))
		for i, r := range rooms {
			in[i] = supervision.InRoom{Code: r.Code, Name: r.Name}
		}
		rec.Event, rec.RoomCode, rec.RoomName = ev.Code, "", ""
		if i := supervision.RoomOf(in, x.Venue); i >= 0 {
			rec.RoomCode, rec.RoomName = rooms[i].Code, rooms[i].Name
		}
		rec.SessionLabel = supervision.InSitting{Code: x.Code, Name: x.Name, Day: x.Day, Starts: x.Starts, Ends: x.Ends}.Label()
		if rec.Supersedes != 0 {
			old, err := supervisionRecord(ctx, tx, ev.ID, rec.Supersedes)
			if err != nil {
				return err
			}
			switch {
			case old.Session != rec.Session:
				return skillscore.Errorf(skillscore.EInvalid, "更正记录须针对原记录的同一场次 %s", old.Session)
			case old.SignerID != sig.UserID:
				return skillscore.Errorf(skillscore.EForbidden, "第 %d 号督导记录由 %s 签名：只能更正本人签名的记录", old.No, old.SignerName)
			case old.SupersededBy != 0:
				return skillscore.Errorf(skillscore.EConflict, "第 %d 号督导记录已被更正：请更正最新的那一份", old.No)
			}
		}
		if sig.NewPINHash != "" {
			if _, err := signingPIN(ctx, tx, sig.UserID); err == nil {
				return skillscore.Errorf(skillscore.EConflict, "您已设置签名 PIN：请刷新页面，用该 PIN 签名")
			} else if skillscore.ErrorCode(err) != skillscore.ENotFound {
				return err
			}
			if _, err := tx.ExecContext(ctx, "INSERT INTO signing_pins (user_id, pin_hash, set_at, failures) VALUES (?, ?, ?, 0)",
				sig.UserID, sig.NewPINHash, micros(now)); err != nil {
				if isUniqueViolation(err) {
					return skillscore.Errorf(skillscore.EConflict, "您已设置签名 PIN：请刷新页面，用该 PIN 签名")
				}
				return fmt.Errorf("set signing pin: %w", err)
			}
			if err := s.appendAudit(ctx, tx, &ev.ID, sig.Username, "supervision.pin_set", "督导员 "+sig.Username, map[string]any{}, now); err != nil {
				return err
			}
			rec.PINSetAt = now
		} else {
			p, err := signingPIN(ctx, tx, sig.UserID)
			if err != nil {
				return err
			}
			switch {
			case p.Locked(now):
				return lockedError(p.LockedUntil.Time)
			case !p.SetAt.Equal(sig.PINSetAt):
				return skillscore.Errorf(skillscore.EConflict, "签名 PIN 已更换：请重新输入")
			}
			if _, err := tx.ExecContext(ctx, "UPDATE signing_pins SET failures = 0, locked_until = NULL WHERE user_id = ?", sig.UserID); err != nil {
				return fmt.Errorf("clear pin failures: %w", err)
			}
			rec.PINSetAt = p.SetAt.Time
		}
		if err := tx.GetContext(ctx, &rec.No, "SELECT COALESCE(MAX(record_no), 0) + 1 FROM supervision_records WHERE event_id = ?", ev.ID); err != nil {
			return fmt.Errorf("next record number: %w", err)
		}
		rec.EventID, rec.SignerID, rec.Signer, rec.SignerName = ev.ID, sig.UserID, sig.Username, sig.Name
		rec.SignedAt, rec.PINSetAt = now.UTC(), rec.PINSetAt.UTC()
		rec.SupersededBy = 0
		rec.Digest = supervision.Digest(rec)
		var supersedes any
		if rec.Supersedes != 0 {
			supersedes = rec.Supersedes
		}
		o := rec.Obs
		res, err := tx.ExecContext(ctx, `INSERT INTO supervision_records (event_id, record_no, room_code, room_name, session_code, session_label,
			obs_order, obs_order_note, obs_examiners, obs_examiners_note, obs_conduct, obs_conduct_note, obs_violations, obs_violations_note, remarks,
			expected, present, absent, sheets_done, sheets_due, supersedes, correction_reason,
			signer_id, signer, signer_name, pin_set_at, signed_at, digest)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			rec.EventID, rec.No, rec.RoomCode, rec.RoomName, rec.Session, rec.SessionLabel,
			o.Values["order"], o.Notes["order"], o.Values["examiners"], o.Notes["examiners"], o.Values["conduct"], o.Notes["conduct"],
			o.Values["violations"], o.Notes["violations"], o.Remarks,
			rec.Progress.Expected, rec.Progress.Present, rec.Progress.Absent, rec.Progress.SheetsDone, rec.Progress.SheetsDue,
			supersedes, rec.CorrectionReason, rec.SignerID, rec.Signer, rec.SignerName, micros(rec.PINSetAt), micros(rec.SignedAt), rec.Digest)
		if isUniqueViolation(err) {
			return skillscore.Errorf(skillscore.EConflict, "另一份督导记录同时提交：请重新签名")
		}
		if err != nil {
			return fmt.Errorf("insert supervision record: %w", err)
		}
		if rec.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		detail := map[string]any{"no": rec.No, "room": rec.RoomCode, "session": rec.Session, "digest": rec.Digest}
		for _, it := range supervision.Items {
			detail[it.Key] = o.Values[it.Key]
		}
		if rec.Supersedes != 0 {
			detail["supersedes"], detail["reason"] = rec.Supersedes, rec.CorrectionReason
		}
		return s.appendAudit(ctx, tx, &ev.ID, sig.Username, "supervision.record", fmt.Sprintf("督导记录第 %d 号（%s）", rec.No, rec.Session), detail, now)
	})
	if err != nil {
		return supervision.Record{}, err
	}
	return rec, nil
}

type supervisionRow struct {
	ID               int64  `db:"id"`
	EventID          int64  `db:"event_id"`
	EventCode        string `db:"event_code"`
	No               int    `db:"record_no"`
	RoomCode         string `db:"room_code"`
	RoomName         string `db:"room_name"`
	Session          string `db:"session_code"`
	SessionLabel     string `db:"session_label"`
	Order            string `db:"obs_order"`
	OrderNote        string `db:"obs_order_note"`
	Examiners        string `db:"obs_examiners"`
	ExaminersNote    string `db:"obs_examiners_note"`
	Conduct          string `db:"obs_conduct"`
	ConductNote      string `db:"obs_conduct_note"`
	Violations       string `db:"obs_violations"`
	ViolationsNote   string `db:"obs_violations_note"`
	Remarks          string `db:"remarks"`
	Expected         int    `db:"expected"`
	Present          int    `db:"present"`
	Absent           int    `db:"absent"`
	SheetsDone       int    `db:"sheets_done"`
	SheetsDue        int    `db:"sheets_due"`
	Supersedes       *int64 `db:"supersedes"`
	CorrectionReason string `db:"correction_reason"`
	SignerID         int64  `db:"signer_id"`
	Signer           string `db:"signer"`
	SignerName       string `db:"signer_name"`
	PINSetAt         Time   `db:"pin_set_at"`
	SignedAt         Time   `db:"signed_at"`
	Digest           string `db:"digest"`
	SupersededBy     *int64 `db:"superseded_by"`
}

func (r supervisionRow) record() supervision.Record {
	out := supervision.Record{ID: r.ID, EventID: r.EventID, No: r.No, Event: r.EventCode, RoomCode: r.RoomCode, RoomName: r.RoomName,
		Session: r.Session, SessionLabel: r.SessionLabel,
		Obs: supervision.Observations{
			Values:  map[string]string{"order": r.Order, "examiners": r.Examiners, "conduct": r.Conduct, "violations": r.Violations},
			Notes:   map[string]string{"order": r.OrderNote, "examiners": r.ExaminersNote, "conduct": r.ConductNote, "violations": r.ViolationsNote},
			Remarks: r.Remarks},
		Progress:         supervision.Progress{Expected: r.Expected, Present: r.Present, Absent: r.Absent, SheetsDone: r.SheetsDone, SheetsDue: r.SheetsDue},
		CorrectionReason: r.CorrectionReason, SignerID: r.SignerID, Signer: r.Signer, SignerName: r.SignerName,
		PINSetAt: r.PINSetAt.UTC(), SignedAt: r.SignedAt.UTC(), Digest: r.Digest}
	if r.Supersedes != nil {
		out.Supersedes = *r.Supersedes
	}
	if r.SupersededBy != nil {
		out.SupersededBy = *r.SupersededBy
	}
	return out
}

const supervisionSelect = `SELECT r.*, e.code AS event_code,
	(SELECT n.id FROM supervision_records n WHERE n.supersedes = r.id) AS superseded_by
	FROM supervision_records r JOIN events e ON e.id = r.event_id`

// SupervisionRecords lists a batch's 督导记录 in the order they were
// signed, corrections and the records they correct alike.
func (s *Store) SupervisionRecords(ctx context.Context, eventID int64) ([]supervision.Record, error) {
	var rows []supervisionRow
	if err := s.r.SelectContext(ctx, &rows, supervisionSelect+" WHERE r.event_id = ? ORDER BY r.record_no", eventID); err != nil {
		return nil, fmt.Errorf("supervision records: %w", err)
	}
	out := make([]supervision.Record, len(rows))
	for i, r := range rows {
		out[i] = r.record()
	}
	return out, nil
}

// SupervisionAuditDigests are the digests the audit trail recorded for a
// batch's 督导记录 when each was signed, by record number
// (supervision.Verify compares them with the records).
func (s *Store) SupervisionAuditDigests(ctx context.Context, eventID int64) (map[int]string, error) {
	var details []string
	if err := s.r.SelectContext(ctx, &details, "SELECT detail FROM audit_log WHERE event_id = ? AND action = 'supervision.record' ORDER BY id", eventID); err != nil {
		return nil, fmt.Errorf("supervision audit: %w", err)
	}
	out := make(map[int]string, len(details))
	for _, d := range details {
		var x struct {
			No     int    `json:"no"`
			Digest string `json:"digest"`
		}
		if err := json.Unmarshal([]byte(d), &x); err != nil {
			return nil, fmt.Errorf("supervision audit detail: %w", err)
		}
		out[x.No] = x.Digest
	}
	return out, nil
}

// SupervisionRecord is one 督导记录 of a batch by its id.
func (s *Store) SupervisionRecord(ctx context.Context, eventID, id int64) (supervision.Record, error) {
	return supervisionRecord(ctx, s.r, eventID, id)
}

func supervisionRecord(ctx context.Context, q sqlx.QueryerContext, eventID, id int64) (supervision.Record, error) {
	var r supervisionRow
	err := sqlx.GetContext(ctx, q, &r, supervisionSelect+" WHERE r.event_id = ? AND r.id = ?", eventID, id)
	if errors.Is(err, sql.ErrNoRows) {
		return supervision.Record{}, skillscore.Errorf(skillscore.ENotFound, "本批次没有这份督导记录")
	}
	if err != nil {
		return supervision.Record{}, fmt.Errorf("supervision record: %w", err)
	}
	return r.record(), nil
}
