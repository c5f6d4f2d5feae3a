package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

	"skillscore"
	"skillscore/draw"
	"skillscore/seating"
	"skillscore/sessions"
)

// Seating records how a batch's candidates were last seated (migration
// 030): the method, the seed of a shuffled seating, the sittings a session
// was made for in every room, and how many were seated.
type Seating struct {
	EventID   int64  `db:"event_id"`
	Method    string `db:"method"` // seating.ByEntryNo | seating.BySeed
	Seed      string `db:"seed"`
	Sittings  string `db:"sittings"` // JSON []seating.Sitting
	Seated    int    `db:"seated"`
	CreatedAt Time   `db:"created_at"`
	CreatedBy string `db:"created_by"`
}

// Parts decodes the sittings.
func (s Seating) Parts() []seating.Sitting {
	var out []seating.Sitting
	_ = json.Unmarshal([]byte(s.Sittings), &out) // written by AssignSeats only
	return out
}

// SeatAssignment is one candidate's exam room and seat.
type SeatAssignment struct {
	ContestantID int64  `db:"contestant_id"`
	EventID      int64  `db:"event_id"`
	RoomID       int64  `db:"room_id"`
	Seat         string `db:"seat"`
}

// AssignSeats seats every candidate of a batch and makes its sessions,
// all in one transaction: candidates without a 准考证号 get the next ones
// (AssignEntryNumbers), then the seats are dealt by package seating (in
// 准考证号 order, or shuffled from seed: "" makes a fresh one, recorded)
// and one session is made per room and sitting (each sitting's module must
// be the event's, its day within the batch's dates). The previous seating
// and schedule are replaced; refused once 检录 has begun, and when the
// seats run out (naming how many are missing).
func (s *Store) AssignSeats(ctx context.Context, eventID int64, method, seed string, sittings []seating.Sitting, actor string) (Seating, error) {
	if method == seating.BySeed && seed == "" {
		var err error
		if seed, err = draw.NewSeed(); err != nil {
			return Seating{}, err
		}
	}
	if method != seating.BySeed {
		seed = ""
	}
	now := s.now()
	rec := Seating{EventID: eventID, Method: method, Seed: strings.ToLower(strings.TrimSpace(seed)), CreatedAt: Time{now}, CreatedBy: actor}
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		ev, err := batchEvent(ctx, tx, eventID)
		if err != nil {
			return err
		}
		if err := scheduleStarted(ctx, tx, eventID); err != nil {
			return err
		}
		var b Batch
		if err := tx.GetContext(ctx, &b, "SELECT * FROM batches WHERE event_id = ?", eventID); errors.Is(err, sql.ErrNoRows) {
			return skillscore.Errorf(skillscore.EInvalid, "%s 还没有批次信息：请先填写批次号和日期", ev.Code)
		} else if err != nil {
			return fmt.Errorf("load batch: %w", err)
		}
		var mods []Module
		if err := tx.SelectContext(ctx, &mods, "SELECT * FROM modules WHERE event_id = ? ORDER BY position", eventID); err != nil {
			return fmt.Errorf("modules: %w", err)
		}
		named := map[string]string{}
		for _, m := range mods {
			named[m.Code] = m.Name
		}
		for i := range sittings {
			sit := &sittings[i]
			name, ok := named[sit.Module]
			if !ok {
				return skillscore.Errorf(skillscore.EInvalid, "本批次没有模块 %q", sit.Module)
			}
			sit.Name = name
			if !isoDay.MatchString(sit.Day) {
				return skillscore.Errorf(skillscore.EInvalid, "%s的日期“%s”无效：应为 2026-06-10 这样的日期", name, sit.Day)
			}
			if last := cmp.Or(b.EndsOn, ev.StartsOn); ev.StartsOn != "" && (sit.Day < ev.StartsOn || sit.Day > last) {
				return skillscore.Errorf(skillscore.EInvalid, "%s的日期 %s 不在本批次的考核日期（%s）内", name, sit.Day, batchDays(ev, b))
			}
		}
		var rooms []ExamRoom
		if err := tx.SelectContext(ctx, &rooms, "SELECT * FROM exam_rooms WHERE event_id = ? ORDER BY position", eventID); err != nil {
			return fmt.Errorf("exam rooms: %w", err)
		}
		if _, err := s.assignEntryNumbersTx(ctx, tx, eventID, actor, now); err != nil {
			return err
		}
		people, err := schedulePeople(ctx, tx, eventID)
		if err != nil {
			return err
		}
		rs := make([]seating.Room, len(rooms))
		for i, r := range rooms {
			rs[i] = seating.Room{ID: r.ID, Code: r.Code, Site: r.Site, Name: r.Name, Seats: r.Seats}
		}
		cands := make([]seating.Candidate, len(people))
		for i, p := range people {
			cands[i] = seating.Candidate{ContestantID: p.ContestantID, Name: p.Name, EntryNo: p.EntryNo}
		}
		seats, err := seating.Assign(rs, cands, method, rec.Seed)
		if err != nil {
			return err
		}
		ss, err := seating.Sessions(rs, seats, cands, sittings)
		if err != nil {
			return err
		}
		if err := sessions.Validate(ss); err != nil {
			return err
		}
		if err := s.saveScheduleTx(ctx, tx, eventID, ss, actor, now); err != nil {
			return err
		}
		for _, q := range []string{"DELETE FROM seat_assignments WHERE event_id = ?", "DELETE FROM seatings WHERE event_id = ?"} {
			if _, err := tx.ExecContext(ctx, q, eventID); err != nil {
				return fmt.Errorf("clear seating: %w", err)
			}
		}
		rows := make([][]any, len(seats))
		for i, st := range seats {
			rows[i] = []any{st.ContestantID, eventID, st.RoomID, st.Seat}
		}
		if err := insertRows(ctx, tx, "seat_assignments", []string{"contestant_id", "event_id", "room_id", "seat"}, rows); err != nil {
			return fmt.Errorf("insert seats: %w", err)
		}
		parts, err := json.Marshal(sittings)
		if err != nil {
			return err
		}
		rec.Sittings, rec.Seated = string(parts), len(seats)
		if _, err := tx.NamedExecContext(ctx, `INSERT INTO seatings (event_id, method, seed, sittings, seated, created_at, created_by)
			VALUES (:event_id, :method, :seed, :sittings, :seated, :created_at, :created_by)`, rec); err != nil {
			return fmt.Errorf("record seating: %w", err)
		}
		return s.appendAudit(ctx, tx, &eventID, actor, "batch.seating", batchSubject(ev.Code), map[string]any{
			"method": method, "seed": rec.Seed, "seated": len(seats), "rooms": len(rooms), "sessions": len(ss), "sittings": sittings}, now)
	})
	if err != nil {
		return Seating{}, err
	}
	return rec, nil
}

// batchDays is a batch's dates as the pages show them.
func batchDays(ev Event, b Batch) string {
	if b.EndsOn == "" || b.EndsOn == ev.StartsOn {
		return ev.StartsOn
	}
	return ev.StartsOn + " 至 " + b.EndsOn
}

// SeatingOf returns a batch's seating record and its seats; ENotFound when
// no one has been seated.
func (s *Store) SeatingOf(ctx context.Context, eventID int64) (Seating, []SeatAssignment, error) {
	var rec Seating
	err := s.r.GetContext(ctx, &rec, "SELECT * FROM seatings WHERE event_id = ?", eventID)
	if errors.Is(err, sql.ErrNoRows) {
		return Seating{}, nil, skillscore.Errorf(skillscore.ENotFound, "本批次还没有分配座位")
	}
	if err != nil {
		return Seating{}, nil, fmt.Errorf("load seating: %w", err)
	}
	var seats []SeatAssignment
	if err := s.r.SelectContext(ctx, &seats, `SELECT a.* FROM seat_assignments a JOIN exam_rooms r ON r.id = a.room_id
		WHERE a.event_id = ? ORDER BY r.position, a.seat`, eventID); err != nil {
		return Seating{}, nil, fmt.Errorf("load seats: %w", err)
	}
	return rec, seats, nil
}

// WithdrawSeating removes a batch's seating and the sessions it made, so
// its rooms may change; refused once 检录 has begun.
func (s *Store) WithdrawSeating(ctx context.Context, eventID int64, actor string) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		ev, err := batchEvent(ctx, tx, eventID)
		if err != nil {
			return err
		}
		if err := scheduleStarted(ctx, tx, eventID); err != nil {
			return err
		}
		var seated int
		if err := tx.GetContext(ctx, &seated, "SELECT COUNT(*) FROM seat_assignments WHERE event_id = ?", eventID); err != nil {
			return fmt.Errorf("count seats: %w", err)
		}
		if seated == 0 {
			return skillscore.Errorf(skillscore.ENotFound, "本批次还没有分配座位")
		}
		for _, q := range []string{"DELETE FROM seat_assignments WHERE event_id = ?", "DELETE FROM seatings WHERE event_id = ?",
			"DELETE FROM sessions WHERE event_id = ?"} {
			if _, err := tx.ExecContext(ctx, q, eventID); err != nil {
				return fmt.Errorf("withdraw seating: %w", err)
			}
		}
		return s.appendAudit(ctx, tx, &eventID, actor, "batch.seating_withdrawn", batchSubject(ev.Code),
			map[string]any{"seated": seated}, s.now())
	})
}
