package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"skillscore"
	"skillscore/recheck"
)

// NewEvent is everything needed to create an event in one step: the event,
// its groups, and its modules with their rubric aspects.
type NewEvent struct {
	Event   Event
	Groups  []Group
	Modules []Module // each with its Aspects
	// Recheck, when set, stores the event's 成绩复核 settings with it (the
	// set-up page gives a new competition recheck.Defaults); nil leaves the
	// defaults with the 复核 not required.
	Recheck *recheck.Settings
}

// CreateEvent stores a new event with its groups, modules and aspects in one
// transaction and returns it with ids filled in.
func (s *Store) CreateEvent(ctx context.Context, ne NewEvent, actor string) (Event, error) {
	var ev Event
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		ev, err = s.createEventTx(ctx, tx, ne, actor, s.now())
		return err
	})
	if err != nil {
		return Event{}, err
	}
	return ev, nil
}

// createEventTx is CreateEvent inside a caller's transaction (a batch is
// created with its event, store/batches.go).
func (s *Store) createEventTx(ctx context.Context, tx *sqlx.Tx, ne NewEvent, actor string, now time.Time) (Event, error) {
	ev := ne.Event
	ev.CreatedAt, ev.UpdatedAt = Time{now}, Time{now}
	if ev.Status == "" {
		ev.Status = "setup"
	}
	res, err := tx.NamedExecContext(ctx, `INSERT INTO events
		(code, name, kind, occupation, occupation_code, specialty, level, tier, class, year, venue, starts_on,
		 status, rules, revision, programme_id, created_at, updated_at)
		VALUES (:code, :name, :kind, :occupation, :occupation_code, :specialty, :level, :tier, :class, :year, :venue,
		 :starts_on, :status, :rules, 0, :programme_id, :created_at, :updated_at)`, ev)
	if isUniqueViolation(err) {
		return Event{}, skillscore.Errorf(skillscore.EConflict, "赛事代码 %s 已存在", ev.Code)
	}
	if err != nil {
		return Event{}, fmt.Errorf("insert event: %w", err)
	}
	if ev.ID, err = res.LastInsertId(); err != nil {
		return Event{}, err
	}
	if ne.Recheck != nil {
		if err := ne.Recheck.Validate(); err != nil {
			return Event{}, err
		}
		if err := putRecheckSettings(ctx, tx, ev.ID, *ne.Recheck, actor, now); err != nil {
			return Event{}, err
		}
	}
	for i, g := range ne.Groups {
		g.EventID, g.Position = ev.ID, i+1
		if _, err := tx.NamedExecContext(ctx, `INSERT INTO event_groups (event_id, code, name, position)
			VALUES (:event_id, :code, :name, :position)`, g); err != nil {
			if isUniqueViolation(err) {
				return Event{}, skillscore.Errorf(skillscore.EInvalid, "组别代码 %s 重复", g.Code)
			}
			return Event{}, fmt.Errorf("insert group %s: %w", g.Code, err)
		}
	}
	for i, m := range ne.Modules {
		if err := insertModule(ctx, tx, ev.ID, i+1, m); err != nil {
			return Event{}, err
		}
	}
	if err := s.syncRounds(ctx, tx, ev.ID, ev.Rules); err != nil { // rounds (store/rounds.go)
		return Event{}, err
	}
	if err := s.appendAudit(ctx, tx, &ev.ID, actor, "event.create", ev.Code,
		map[string]any{"name": ev.Name, "kind": ev.Kind, "modules": len(ne.Modules)}, now); err != nil {
		return Event{}, err
	}
	return ev, nil
}

func insertModule(ctx context.Context, tx *sqlx.Tx, eventID int64, position int, m Module) error {
	m.EventID, m.Position = eventID, position
	res, err := tx.NamedExecContext(ctx, `INSERT INTO modules (event_id, code, name, kind, weight, max_marks, imported, position)
		VALUES (:event_id, :code, :name, :kind, :weight, :max_marks, :imported, :position)`, m)
	if isUniqueViolation(err) {
		return skillscore.Errorf(skillscore.EInvalid, "模块代码 %s 重复", m.Code)
	}
	if err != nil {
		return fmt.Errorf("insert module %s: %w", m.Code, err)
	}
	moduleID, err := res.LastInsertId()
	if err != nil {
		return err
	}
	for j, a := range m.Aspects {
		a.ModuleID, a.Position = moduleID, j+1
		if _, err := tx.NamedExecContext(ctx, `INSERT INTO aspects (module_id, code, name, kind, max_marks, position)
			VALUES (:module_id, :code, :name, :kind, :max_marks, :position)`, a); err != nil {
			if isUniqueViolation(err) {
				return skillscore.Errorf(skillscore.EInvalid, "模块 %s 的评分项代码 %s 重复", m.Code, a.Code)
			}
			return fmt.Errorf("insert aspect %s/%s: %w", m.Code, a.Code, err)
		}
	}
	return nil
}

// Event returns the event with the given id.
func (s *Store) Event(ctx context.Context, id int64) (Event, error) {
	return s.oneEvent(ctx, "SELECT * FROM events WHERE id = ?", id)
}

// EventByCode returns the event with the given code.
func (s *Store) EventByCode(ctx context.Context, code string) (Event, error) {
	return s.oneEvent(ctx, "SELECT * FROM events WHERE code = ?", code)
}

func (s *Store) oneEvent(ctx context.Context, query string, arg any) (Event, error) {
	var ev Event
	err := s.r.GetContext(ctx, &ev, query, arg)
	if errors.Is(err, sql.ErrNoRows) {
		return Event{}, skillscore.Errorf(skillscore.ENotFound, "赛事 %v 不存在", arg)
	}
	if err != nil {
		return Event{}, fmt.Errorf("load event %v: %w", arg, err)
	}
	return ev, nil
}

// Events lists all events, newest first.
func (s *Store) Events(ctx context.Context) ([]Event, error) {
	var out []Event
	if err := s.r.SelectContext(ctx, &out, "SELECT * FROM events ORDER BY id DESC"); err != nil {
		return nil, fmt.Errorf("list events: %w", err)
	}
	return out, nil
}

// Groups returns an event's groups in display order.
func (s *Store) Groups(ctx context.Context, eventID int64) ([]Group, error) {
	var out []Group
	if err := s.r.SelectContext(ctx, &out,
		"SELECT * FROM event_groups WHERE event_id = ? ORDER BY position", eventID); err != nil {
		return nil, fmt.Errorf("list groups: %w", err)
	}
	return out, nil
}

// Modules returns an event's modules in order, each with its aspects.
func (s *Store) Modules(ctx context.Context, eventID int64) ([]Module, error) {
	var mods []Module
	if err := s.r.SelectContext(ctx, &mods,
		"SELECT * FROM modules WHERE event_id = ? ORDER BY position", eventID); err != nil {
		return nil, fmt.Errorf("list modules: %w", err)
	}
	if err := attachAspects(ctx, s.r, eventID, mods); err != nil {
		return nil, err
	}
	return mods, nil
}
