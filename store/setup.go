package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"

	"skillscore"
)

// EventSetup is an event's edited rule document with the rows that mirror
// it: groups, and modules with their aspects.
type EventSetup struct {
	Rules   string // JSON, already validated by scoring.ParseRules
	Groups  []Group
	Modules []Module // each with its Aspects
}

// ReplaceRules stores an event's new rule document and brings its groups,
// modules and aspects in line with it, matched by code, in one transaction.
// Once marks or imported scores exist the rubric structure (module and
// aspect codes, kinds and maxima) must stay as it is: EConflict otherwise;
// names, weights and the rest of the document may still change, and the
// revision bump makes every view recompute.
func (s *Store) ReplaceRules(ctx context.Context, eventID int64, es EventSetup, actor string) error {
	now := s.now()
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		var scored int
		if err := tx.GetContext(ctx, &scored, `SELECT
			(SELECT COUNT(*) FROM marks JOIN sheets ON sheets.id = marks.sheet_id JOIN modules ON modules.id = sheets.module_id WHERE modules.event_id = ?) +
			(SELECT COUNT(*) FROM imported_scores JOIN modules ON modules.id = imported_scores.module_id WHERE modules.event_id = ?)`,
			eventID, eventID); err != nil {
			return fmt.Errorf("count marks: %w", err)
		}
		var old []Module
		if err := tx.SelectContext(ctx, &old, "SELECT * FROM modules WHERE event_id = ? ORDER BY position", eventID); err != nil {
			return fmt.Errorf("load modules: %w", err)
		}
		for i := range old {
			if err := tx.SelectContext(ctx, &old[i].Aspects, "SELECT * FROM aspects WHERE module_id = ? ORDER BY position", old[i].ID); err != nil {
				return fmt.Errorf("load aspects: %w", err)
			}
		}
		if scored > 0 {
			if why := structureChange(old, es.Modules); why != "" {
				return skillscore.Errorf(skillscore.EConflict, "已有 %d 条评分，不能再修改评分细则的结构（%s）；权重、奖项和晋升规则仍可修改", scored, why)
			}
		}
		res, err := tx.ExecContext(ctx, "UPDATE events SET rules = ?, revision = revision + 1, updated_at = ? WHERE id = ?",
			es.Rules, Time{now}, eventID)
		if err != nil {
			return fmt.Errorf("update rules: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return skillscore.Errorf(skillscore.ENotFound, "赛事 %d 不存在", eventID)
		}
		if err := s.syncRounds(ctx, tx, eventID, es.Rules); err != nil { // rounds (store/rounds.go)
			return err
		}
		if err := syncGroups(ctx, tx, eventID, es.Groups); err != nil {
			return err
		}
		if err := syncModules(ctx, tx, eventID, old, es.Modules); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, &eventID, actor, "event.rules", fmt.Sprint(eventID),
			map[string]any{"modules": len(es.Modules), "groups": len(es.Groups), "scored": scored}, now)
	})
}

// structureChange says how the new modules differ in structure from the
// stored ones, or "" when only names and weights differ.
func structureChange(old, neu []Module) string {
	if len(old) != len(neu) {
		return fmt.Sprintf("模块数由 %d 变为 %d", len(old), len(neu))
	}
	for i, o := range old {
		n := neu[i]
		if o.Code != n.Code || o.Kind != n.Kind || o.MaxMarks != n.MaxMarks || o.Imported != n.Imported {
			return "模块 " + o.Code + " 已改变"
		}
		if len(o.Aspects) != len(n.Aspects) {
			return "模块 " + o.Code + " 的评分项数已改变"
		}
		for j, a := range o.Aspects {
			b := n.Aspects[j]
			if a.Code != b.Code || a.Kind != b.Kind || a.MaxMarks != b.MaxMarks {
				return "评分项 " + o.Code + "/" + a.Code + " 已改变"
			}
		}
	}
	return ""
}

func syncGroups(ctx context.Context, tx *sqlx.Tx, eventID int64, groups []Group) error {
	keep := map[string]bool{}
	for i, g := range groups {
		keep[g.Code] = true
		res, err := tx.ExecContext(ctx, "UPDATE event_groups SET name = ?, position = ? WHERE event_id = ? AND code = ?",
			g.Name, i+1, eventID, g.Code)
		if err != nil {
			return fmt.Errorf("update group %s: %w", g.Code, err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			continue
		}
		// MySQL reports 0 rows for an unchanged row: look before inserting.
		var exists int
		if err := tx.GetContext(ctx, &exists, "SELECT COUNT(*) FROM event_groups WHERE event_id = ? AND code = ?", eventID, g.Code); err != nil {
			return fmt.Errorf("find group %s: %w", g.Code, err)
		}
		if exists > 0 {
			continue
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO event_groups (event_id, code, name, position) VALUES (?, ?, ?, ?)",
			eventID, g.Code, g.Name, i+1); err != nil {
			return fmt.Errorf("insert group %s: %w", g.Code, err)
		}
	}
	var codes []string
	if err := tx.SelectContext(ctx, &codes, "SELECT code FROM event_groups WHERE event_id = ?", eventID); err != nil {
		return fmt.Errorf("list groups: %w", err)
	}
	for _, c := range codes {
		if keep[c] {
			continue
		}
		var used int
		if err := tx.GetContext(ctx, &used, "SELECT COUNT(*) FROM contestants WHERE event_id = ? AND group_code = ?", eventID, c); err != nil {
			return fmt.Errorf("count group %s: %w", c, err)
		}
		if used > 0 {
			return skillscore.Errorf(skillscore.EConflict, "组别 %s 已有 %d 名选手，不能删除", c, used)
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM event_groups WHERE event_id = ? AND code = ?", eventID, c); err != nil {
			return fmt.Errorf("delete group %s: %w", c, err)
		}
	}
	return nil
}

// syncModules updates modules and aspects kept by code, inserts new ones
// and deletes the ones gone (only reachable before any mark exists).
func syncModules(ctx context.Context, tx *sqlx.Tx, eventID int64, old, neu []Module) error {
	byCode := map[string]Module{}
	for _, m := range old {
		byCode[m.Code] = m
	}
	keep := map[int64]bool{}
	for i, m := range neu {
		o, ok := byCode[m.Code]
		if !ok {
			if err := insertModule(ctx, tx, eventID, i+1, m); err != nil {
				return err
			}
			continue
		}
		keep[o.ID] = true
		if _, err := tx.ExecContext(ctx, `UPDATE modules SET name = ?, kind = ?, weight = ?, max_marks = ?, imported = ?, position = ?
			WHERE id = ?`, m.Name, m.Kind, m.Weight, m.MaxMarks, m.Imported, i+1, o.ID); err != nil {
			return fmt.Errorf("update module %s: %w", m.Code, err)
		}
		if err := syncAspects(ctx, tx, o, m.Aspects); err != nil {
			return err
		}
	}
	for _, o := range old {
		if keep[o.ID] {
			continue
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM modules WHERE id = ?", o.ID); err != nil {
			return fmt.Errorf("delete module %s: %w", o.Code, err)
		}
	}
	return nil
}

func syncAspects(ctx context.Context, tx *sqlx.Tx, mod Module, neu []Aspect) error {
	byCode := map[string]Aspect{}
	for _, a := range mod.Aspects {
		byCode[a.Code] = a
	}
	keep := map[int64]bool{}
	for j, a := range neu {
		o, ok := byCode[a.Code]
		if !ok {
			if _, err := tx.ExecContext(ctx, "INSERT INTO aspects (module_id, code, name, kind, max_marks, position) VALUES (?, ?, ?, ?, ?, ?)",
				mod.ID, a.Code, a.Name, a.Kind, a.MaxMarks, j+1); err != nil {
				if isUniqueViolation(err) {
					return skillscore.Errorf(skillscore.EInvalid, "模块 %s 的评分项代码 %s 重复", mod.Code, a.Code)
				}
				return fmt.Errorf("insert aspect %s/%s: %w", mod.Code, a.Code, err)
			}
			continue
		}
		keep[o.ID] = true
		if _, err := tx.ExecContext(ctx, "UPDATE aspects SET name = ?, kind = ?, max_marks = ?, position = ? WHERE id = ?",
			a.Name, a.Kind, a.MaxMarks, j+1, o.ID); err != nil {
			return fmt.Errorf("update aspect %s/%s: %w", mod.Code, a.Code, err)
		}
	}
	for _, o := range mod.Aspects {
		if !keep[o.ID] {
			if _, err := tx.ExecContext(ctx, "DELETE FROM aspects WHERE id = ?", o.ID); err != nil {
				return fmt.Errorf("delete aspect %s/%s: %w", mod.Code, o.Code, err)
			}
		}
	}
	return nil
}

// EventDetails are the parts of an event the organizer may change at any
// time: what it is called, where and when it takes place.
type EventDetails struct {
	Name     string `json:"name"`
	Venue    string `json:"venue"`
	StartsOn string `json:"starts_on"` // YYYY-MM-DD or ""
}

// UpdateEventDetails stores an event's name, venue and start date, audited;
// the revision bump redraws every live view that shows the name.
func (s *Store) UpdateEventDetails(ctx context.Context, eventID int64, d EventDetails, actor string) error {
	now := s.now()
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		var old EventDetails
		err := tx.QueryRowxContext(ctx, "SELECT name, venue, starts_on FROM events WHERE id = ?", eventID).Scan(&old.Name, &old.Venue, &old.StartsOn)
		if errors.Is(err, sql.ErrNoRows) {
			return skillscore.Errorf(skillscore.ENotFound, "赛事 %d 不存在", eventID)
		}
		if err != nil {
			return fmt.Errorf("load event details: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "UPDATE events SET name = ?, venue = ?, starts_on = ?, revision = revision + 1, updated_at = ? WHERE id = ?",
			d.Name, d.Venue, d.StartsOn, Time{now}, eventID); err != nil {
			return fmt.Errorf("update event details: %w", err)
		}
		return s.appendAudit(ctx, tx, &eventID, actor, "event.details", fmt.Sprint(eventID),
			map[string]any{"from": old, "to": d}, now)
	})
}
