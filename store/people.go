package store

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"

	"skillscore"
)

// AddContestants adds contestants to an event, all or none: one duplicate
// identity or unknown group rejects the whole batch and stores nothing.
func (s *Store) AddContestants(ctx context.Context, eventID int64, cs []Contestant, actor string) ([]Contestant, error) {
	now := s.now()
	out := make([]Contestant, len(cs))
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		groups := map[string]bool{}
		var codes []string
		if err := tx.SelectContext(ctx, &codes, "SELECT code FROM event_groups WHERE event_id = ?", eventID); err != nil {
			return fmt.Errorf("groups: %w", err)
		}
		for _, g := range codes {
			groups[g] = true
		}
		if err := checkContestantDelegations(ctx, tx, eventID, cs); err != nil {
			return err
		}
		for i, c := range cs {
			if !groups[c.GroupCode] {
				return skillscore.Errorf(skillscore.EInvalid, "第 %d 名选手 %s 的组别 %q 不属于本赛事", i+1, c.Name, c.GroupCode)
			}
			c.EventID, c.CreatedAt = eventID, Time{now}
			if err := sealContestant(s.keys, &c); err != nil {
				return err
			}
			res, err := tx.NamedExecContext(ctx, `INSERT INTO contestants
				(event_id, name, gender, id_type, id_cipher, id_index, organization, city, phone_cipher, group_code, level,
				 last_promotion_year, code, station, completion_ms, delegation_id, created_at)
				VALUES (:event_id, :name, :gender, :id_type, :id_cipher, :id_index, :organization, :city, :phone_cipher,
				 :group_code, :level, :last_promotion_year, :code, :station, :completion_ms, :delegation_id, :created_at)`, c)
			if isUniqueViolation(err) {
				return skillscore.Errorf(skillscore.EConflict, "第 %d 名选手 %s：证件号码或参赛编号已在本赛事名单中", i+1, c.Name)
			}
			if err != nil {
				return fmt.Errorf("insert contestant %d: %w", i+1, err)
			}
			if c.ID, err = res.LastInsertId(); err != nil {
				return err
			}
			out[i] = c
		}
		return s.appendAudit(ctx, tx, &eventID, actor, "roster.add", "", map[string]any{"count": len(cs)}, now)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Contestants returns an event's contestants in the order they were added,
// their 证件号码 and phone opened.
func (s *Store) Contestants(ctx context.Context, eventID int64) ([]Contestant, error) {
	var out []Contestant
	if err := s.r.SelectContext(ctx, &out, "SELECT * FROM contestants WHERE event_id = ? ORDER BY id", eventID); err != nil {
		return nil, fmt.Errorf("list contestants: %w", err)
	}
	return out, s.OpenPersonal(out)
}

// AddJudge adds a judge to an event and places them on the given panels.
func (s *Store) AddJudge(ctx context.Context, j Judge, panels []PanelMember, actor string) (Judge, error) {
	now := s.now()
	j.CreatedAt = Time{now}
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.NamedExecContext(ctx, `INSERT INTO judges (event_id, code, name, organization, city, created_at)
			VALUES (:event_id, :code, :name, :organization, :city, :created_at)`, j)
		if isUniqueViolation(err) {
			return skillscore.Errorf(skillscore.EConflict, "裁判编号 %s 已存在", j.Code)
		}
		if err != nil {
			return fmt.Errorf("insert judge: %w", err)
		}
		if j.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		for _, p := range panels {
			var n int
			if err := tx.GetContext(ctx, &n, "SELECT COUNT(*) FROM modules WHERE id = ? AND event_id = ?", p.ModuleID, j.EventID); err != nil {
				return err
			}
			if n == 0 {
				return skillscore.Errorf(skillscore.ENotFound, "模块 %d 不属于本赛事", p.ModuleID)
			}
			p.JudgeID = j.ID
			if _, err := tx.NamedExecContext(ctx, `INSERT INTO panel_members (module_id, judge_id, chief)
				VALUES (:module_id, :judge_id, :chief)`, p); err != nil {
				return fmt.Errorf("insert panel member: %w", err)
			}
		}
		return s.appendAudit(ctx, tx, &j.EventID, actor, "judge.add", j.Code, map[string]any{"name": j.Name, "panels": panels}, now)
	})
	if err != nil {
		return Judge{}, err
	}
	return j, nil
}

// Judges returns an event's judges by code.
func (s *Store) Judges(ctx context.Context, eventID int64) ([]Judge, error) {
	var out []Judge
	if err := s.r.SelectContext(ctx, &out, "SELECT * FROM judges WHERE event_id = ? ORDER BY code", eventID); err != nil {
		return nil, fmt.Errorf("list judges: %w", err)
	}
	return out, nil
}

// Panels returns every panel membership of an event.
func (s *Store) Panels(ctx context.Context, eventID int64) ([]PanelMember, error) {
	var out []PanelMember
	if err := s.r.SelectContext(ctx, &out, `SELECT p.* FROM panel_members p JOIN modules m ON m.id = p.module_id
		WHERE m.event_id = ? ORDER BY m.position, p.chief DESC, p.judge_id`, eventID); err != nil {
		return nil, fmt.Errorf("list panels: %w", err)
	}
	return out, nil
}
