package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"

	"skillscore"
	"skillscore/incidents"
	"skillscore/privacy"
)

// Incident is one entry of the 赛场记录 (docs/oversight-incidents.md) with
// the contestant it concerns. Name and EntryNo are for staff pages and the
// printed log; a judge's tablet gets Code (the anonymous code) instead.
type Incident struct {
	ID               int64  `db:"id"`
	EventID          int64  `db:"event_id"`
	No               int    `db:"incident_no"`
	Session          string `db:"session_code"`
	SessionLabel     string `db:"session_label"`
	Station          string `db:"station"`
	ContestantID     int64  `db:"contestant_id"`
	Name             string `db:"name"`
	Code             string `db:"code"` // the anonymous code, "" before the draw
	EntryNo          string `db:"entry_no"`
	Kind             string `db:"kind"`
	Occurred         string `db:"occurred"`
	AddedSeconds     int    `db:"added_seconds"`
	Description      string `db:"description"`
	Corrects         *int64 `db:"corrects"`
	CorrectionReason string `db:"correction_reason"`
	CorrectedBy      *int64 `db:"corrected_by"` // the entry that corrects this one
	EnteredBy        string `db:"entered_by"`
	EnteredName      string `db:"entered_name"`
	EnteredRole      string `db:"entered_role"`
	EnteredAt        Time   `db:"entered_at"`
	Ack              string `db:"ack"`
	AckAt            Time   `db:"ack_at"`
	AckBy            string `db:"ack_by"`
	AckNote          string `db:"ack_note"`
	AckFailures      int    `db:"ack_failures"`
}

// Current reports whether no later entry corrects this one: only current
// entries count (time added, the session page).
func (i Incident) Current() bool { return i.CorrectedBy == nil }

// NewIncident is an entry to record: where, about whom, what and by whom.
type NewIncident struct {
	EventID int64
	Session string // session code
	Station string
	incidents.Input
	Actor       string // judge:ID or a username, as audited
	EnteredName string
	EnteredRole string // "judge" | "chief"
}

// IncidentStation is a station of a session a judge may enter incidents
// for: a contestant assigned to the judge sits there in a session of that
// module (or of no module).
type IncidentStation struct {
	Session      string `db:"session_code" json:"session"`
	SessionLabel string `db:"session_label" json:"session_label"`
	Station      string `db:"station" json:"station"`
	ContestantID int64  `db:"contestant_id" json:"-"`
	Code         string `db:"code" json:"contestant"` // the anonymous code
	Position     int    `db:"position" json:"-"`      // the session's place in the schedule
}

const incidentSelect = `SELECT i.*, c.name, COALESCE(c.code, '') AS code, COALESCE(e.entry_no, '') AS entry_no,
	(SELECT n.id FROM incidents n WHERE n.corrects = i.id) AS corrected_by
	FROM incidents i JOIN contestants c ON c.id = i.contestant_id LEFT JOIN entry_cards e ON e.contestant_id = i.contestant_id`

// Incidents lists an event's 赛场记录 in the order entered, of one session
// when session is not "".
func (s *Store) Incidents(ctx context.Context, eventID int64, session string) ([]Incident, error) {
	q, args := incidentSelect+" WHERE i.event_id = ?", []any{eventID}
	if session != "" {
		q, args = q+" AND i.session_code = ?", append(args, session)
	}
	var out []Incident
	if err := s.r.SelectContext(ctx, &out, q+" ORDER BY i.incident_no", args...); err != nil {
		return nil, fmt.Errorf("incidents: %w", err)
	}
	return out, nil
}

// Incident is one entry of an event's 赛场记录 by id.
func (s *Store) Incident(ctx context.Context, eventID, id int64) (Incident, error) {
	return incident(ctx, s.r, eventID, id)
}

func incident(ctx context.Context, q sqlx.QueryerContext, eventID, id int64) (Incident, error) {
	var out Incident
	err := sqlx.GetContext(ctx, q, &out, incidentSelect+" WHERE i.event_id = ? AND i.id = ?", eventID, id)
	if errors.Is(err, sql.ErrNoRows) {
		return out, skillscore.Errorf(skillscore.ENotFound, "本赛项没有这条赛场记录")
	}
	if err != nil {
		return out, fmt.Errorf("incident: %w", err)
	}
	return out, nil
}

// IncidentStations lists the stations a judge may enter incidents for, by
// session and station.
func (s *Store) IncidentStations(ctx context.Context, judgeID int64) ([]IncidentStation, error) {
	var out []IncidentStation
	if err := s.r.SelectContext(ctx, &out, `SELECT DISTINCT x.code AS session_code, x.name AS session_label, se.station, se.contestant_id,
			COALESCE(c.code, '') AS code, x.position
		FROM assignments a JOIN modules m ON m.id = a.module_id
		JOIN session_entries se ON se.contestant_id = a.contestant_id
		JOIN sessions x ON x.id = se.session_id AND x.event_id = m.event_id AND (x.module = m.code OR x.module = '')
		JOIN contestants c ON c.id = a.contestant_id
		WHERE a.judge_id = ? ORDER BY x.position, se.station`, judgeID); err != nil {
		return nil, fmt.Errorf("incident stations: %w", err)
	}
	return out, nil
}

// SessionTimeAdded is the time added per contestant of a session, in
// seconds, from its current (uncorrected) equipment-fault entries.
func (s *Store) SessionTimeAdded(ctx context.Context, eventID int64, session string) (map[int64]int, error) {
	var rows []struct {
		ContestantID int64 `db:"contestant_id"`
		Seconds      int   `db:"seconds"`
	}
	if err := s.r.SelectContext(ctx, &rows, `SELECT i.contestant_id, SUM(i.added_seconds) AS seconds FROM incidents i
		WHERE i.event_id = ? AND i.session_code = ? AND i.added_seconds > 0
			AND NOT EXISTS (SELECT 1 FROM incidents n WHERE n.corrects = i.id)
		GROUP BY i.contestant_id`, eventID, session); err != nil {
		return nil, fmt.Errorf("time added: %w", err)
	}
	out := make(map[int64]int, len(rows))
	for _, r := range rows {
		out[r.ContestantID] = r.Seconds
	}
	return out, nil
}

// RecordIncident stores one entry of the 赛场记录 after checking it
// (incidents.Check), that the station is the session's and who sits there,
// and that a corrected entry is the same station's and not yet corrected.
// Who may enter for the station is the caller's check (a judge's stations,
// IncidentStations; the chief any). Audited in the event's trail.
func (s *Store) RecordIncident(ctx context.Context, n NewIncident) (Incident, error) {
	in, err := incidents.Check(n.Input)
	if err != nil {
		return Incident{}, err
	}
	if n.EnteredRole != "judge" && n.EnteredRole != "chief" {
		return Incident{}, fmt.Errorf("record incident: role %q", n.EnteredRole)
	}
	now := s.now()
	var id int64
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		var sess struct {
			ID   int64  `db:"id"`
			Name string `db:"name"`
		}
		err := tx.GetContext(ctx, &sess, "SELECT id, name FROM sessions WHERE event_id = ? AND code = ?", n.EventID, n.Session)
		if errors.Is(err, sql.ErrNoRows) {
			return skillscore.Errorf(skillscore.ENotFound, "本赛项没有场次 %s", n.Session)
		}
		if err != nil {
			return fmt.Errorf("incident session: %w", err)
		}
		var cids []int64
		if err := tx.SelectContext(ctx, &cids, "SELECT contestant_id FROM session_entries WHERE session_id = ? AND station = ?", sess.ID, n.Station); err != nil {
			return fmt.Errorf("incident station: %w", err)
		}
		if len(cids) != 1 {
			return skillscore.Errorf(skillscore.ENotFound, "场次 %s 没有赛位 %s 的选手", n.Session, n.Station)
		}
		var corrects any
		if in.Corrects != 0 {
			old, err := incident(ctx, tx, n.EventID, in.Corrects)
			if err != nil {
				return err
			}
			switch {
			case old.Session != n.Session || old.Station != n.Station:
				return skillscore.Errorf(skillscore.EInvalid, "更正记录须与第 %d 号记录同一场次、同一赛位", old.No)
			case old.CorrectedBy != nil:
				return skillscore.Errorf(skillscore.EConflict, "第 %d 号记录已被更正：请更正最新的那一条", old.No)
			}
			corrects = in.Corrects
		}
		var no int
		if err := tx.GetContext(ctx, &no, "SELECT COALESCE(MAX(incident_no), 0) + 1 FROM incidents WHERE event_id = ?", n.EventID); err != nil {
			return fmt.Errorf("next incident number: %w", err)
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO incidents (event_id, incident_no, session_code, session_label, station, contestant_id,
			kind, occurred, added_seconds, description, corrects, correction_reason, entered_by, entered_name, entered_role, entered_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			n.EventID, no, n.Session, sess.Name, n.Station, cids[0], in.Kind, in.Occurred, in.Added(), in.Description,
			corrects, in.Reason, n.Actor, n.EnteredName, n.EnteredRole, micros(now))
		if isUniqueViolation(err) {
			return skillscore.Errorf(skillscore.EConflict, "另一条记录同时录入或已更正同一条记录：请刷新后重试")
		}
		if err != nil {
			return fmt.Errorf("insert incident: %w", err)
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}
		detail := map[string]any{"no": no, "session": n.Session, "station": n.Station, "kind": in.Kind, "occurred": in.Occurred,
			"added_seconds": in.Added(), "description": in.Description}
		if in.Corrects != 0 {
			detail["corrects"], detail["reason"] = in.Corrects, in.Reason
		}
		// Subject the contestant, so their own data request finds it.
		return s.appendAudit(ctx, tx, &n.EventID, n.Actor, "incident.record", "contestant:"+strconv.FormatInt(cids[0], 10), detail, now)
	})
	if err != nil {
		return Incident{}, err
	}
	return s.Incident(ctx, n.EventID, id)
}

// AckIncident records the contestant's answer to an entry: incidents.Paper
// (to be signed on the printed log) or incidents.Refused, with a note.
// The typed acknowledgment is AckIncidentPIN. Audited.
func (s *Store) AckIncident(ctx context.Context, eventID, id int64, ack, note, actor string) (Incident, error) {
	if ack == incidents.PIN {
		return Incident{}, skillscore.Errorf(skillscore.EInvalid, "平板确认须由选手输入证件号码后 4 位")
	}
	note, err := incidents.CheckNote(note)
	if err != nil {
		return Incident{}, err
	}
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		return s.setAck(ctx, tx, eventID, id, ack, note, actor)
	})
	if err != nil {
		return Incident{}, err
	}
	return s.Incident(ctx, eventID, id)
}

func (s *Store) setAck(ctx context.Context, tx *sqlx.Tx, eventID, id int64, ack, note, actor string) error {
	now := s.now()
	old, err := incident(ctx, tx, eventID, id)
	if err != nil {
		return err
	}
	if err := incidents.CheckAck(old.Ack, ack); err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, "UPDATE incidents SET ack = ?, ack_at = ?, ack_by = ?, ack_note = ? WHERE id = ? AND ack = ?",
		ack, micros(now), actor, note, id, old.Ack)
	if err != nil {
		return fmt.Errorf("acknowledge incident: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n != 1 {
		return skillscore.Errorf(skillscore.EConflict, "第 %d 号记录的确认状态刚被改变：请刷新后重试", old.No)
	}
	detail := map[string]any{"no": old.No, "ack": ack}
	if note != "" {
		detail["note"] = note
	}
	return s.appendAudit(ctx, tx, &eventID, actor, "incident.ack", "contestant:"+strconv.FormatInt(old.ContestantID, 10), detail, now)
}

// AckIncidentPIN is the contestant's acknowledgment on the tablet: they
// type the last 4 characters of their 证件号码 (as at 检录). A wrong entry is
// counted (audited, nothing else changes); after incidents.MaxPINFailures
// the tablet can only hand the entry to the printed log. The 证件号码 is
// opened here only, never returned.
func (s *Store) AckIncidentPIN(ctx context.Context, eventID, id int64, digits, actor string) (Incident, error) {
	digits = strings.ToUpper(strings.TrimSpace(digits))
	if !digitsPattern.MatchString(digits) {
		return Incident{}, skillscore.Errorf(skillscore.EInvalid, "请选手输入证件号码的后 4 位（数字或 X）")
	}
	var wrong error
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		old, err := incident(ctx, tx, eventID, id)
		if err != nil {
			return err
		}
		if err := incidents.CheckAck(old.Ack, incidents.PIN); err != nil {
			return err
		}
		if old.AckFailures >= incidents.MaxPINFailures {
			return skillscore.Errorf(skillscore.ERateLimited, "证件号码后 4 位已输错 %d 次：请改为“待签字”，由选手在打印的记录上签字", old.AckFailures)
		}
		var cipher string
		if err := tx.GetContext(ctx, &cipher, "SELECT id_cipher FROM contestants WHERE id = ?", old.ContestantID); err != nil {
			return fmt.Errorf("incident contestant: %w", err)
		}
		if s.keys == nil {
			return privacy.NoKeyError()
		}
		idno, err := s.keys.Open(privacy.IDNumber, cipher)
		if err != nil {
			return err
		}
		idno = strings.ToUpper(idno)
		if len(idno) >= 4 && idno[len(idno)-4:] == digits {
			return s.setAck(ctx, tx, eventID, id, incidents.PIN, "", actor)
		}
		failures := old.AckFailures + 1
		if _, err := tx.ExecContext(ctx, "UPDATE incidents SET ack_failures = ? WHERE id = ?", failures, id); err != nil {
			return fmt.Errorf("count wrong digits: %w", err)
		}
		if left := incidents.MaxPINFailures - failures; left > 0 {
			wrong = skillscore.Errorf(skillscore.EInvalid, "证件号码后 4 位不对，未确认（还可再试 %d 次）", left)
		} else {
			wrong = skillscore.Errorf(skillscore.EInvalid, "证件号码后 4 位不对，已输错 %d 次：请改为“待签字”，由选手在打印的记录上签字", failures)
		}
		return s.appendAudit(ctx, tx, &eventID, actor, "incident.ack_failed", "contestant:"+strconv.FormatInt(old.ContestantID, 10),
			map[string]any{"no": old.No, "failures": failures}, s.now())
	})
	if err != nil {
		return Incident{}, err
	}
	if wrong != nil {
		return Incident{}, wrong
	}
	return s.Incident(ctx, eventID, id)
}
