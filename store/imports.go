package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

	"skillscore"
)

// NewJudge is one judge of a judges import with their panels.
type NewJudge struct {
	Judge  Judge
	Panels []PanelMember // JudgeID is filled in by ImportJudges
	Row    int           // the spreadsheet row, for messages
}

// ImportJudges adds judges and their panel memberships, all or none: a
// judge code already used, a module not of the event, or a second 裁判长
// for a module rejects the whole file and stores nothing.
func (s *Store) ImportJudges(ctx context.Context, eventID int64, js []NewJudge, source, actor string) ([]Judge, error) {
	now := s.now()
	out := make([]Judge, len(js))
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var mods []Module
		if err := tx.SelectContext(ctx, &mods, "SELECT * FROM modules WHERE event_id = ?", eventID); err != nil {
			return fmt.Errorf("modules: %w", err)
		}
		modName := map[int64]string{}
		for _, m := range mods {
			modName[m.ID] = m.Name
		}
		var chiefs []int64
		if err := tx.SelectContext(ctx, &chiefs, `SELECT p.module_id FROM panel_members p JOIN modules m ON m.id = p.module_id
			WHERE m.event_id = ? AND p.chief = 1`, eventID); err != nil {
			return fmt.Errorf("chiefs: %w", err)
		}
		hasChief := map[int64]bool{}
		for _, id := range chiefs {
			hasChief[id] = true
		}
		for i, nj := range js {
			j := nj.Judge
			j.EventID, j.CreatedAt = eventID, Time{now}
			res, err := tx.NamedExecContext(ctx, `INSERT INTO judges (event_id, code, name, organization, city, created_at)
				VALUES (:event_id, :code, :name, :organization, :city, :created_at)`, j)
			if isUniqueViolation(err) {
				return skillscore.Errorf(skillscore.EConflict, "第 %d 行：裁判编号 %s 已在本赛事中使用", nj.Row, j.Code)
			}
			if err != nil {
				return fmt.Errorf("insert judge: %w", err)
			}
			if j.ID, err = res.LastInsertId(); err != nil {
				return err
			}
			for _, p := range nj.Panels {
				name, ok := modName[p.ModuleID]
				if !ok {
					return skillscore.Errorf(skillscore.ENotFound, "第 %d 行：模块 %d 不属于本赛事", nj.Row, p.ModuleID)
				}
				if p.Chief {
					if hasChief[p.ModuleID] {
						return skillscore.Errorf(skillscore.EConflict, "第 %d 行：模块 %s 已有裁判长，每个模块只能有一位裁判长", nj.Row, name)
					}
					hasChief[p.ModuleID] = true
				}
				p.JudgeID = j.ID
				if _, err := tx.NamedExecContext(ctx, `INSERT INTO panel_members (module_id, judge_id, chief)
					VALUES (:module_id, :judge_id, :chief)`, p); err != nil {
					return fmt.Errorf("insert panel member: %w", err)
				}
			}
			out[i] = j
		}
		codes := make([]string, len(out))
		for i, j := range out {
			codes[i] = j.Code
		}
		return s.appendAudit(ctx, tx, &eventID, actor, "judges.import", source,
			map[string]any{"count": len(out), "codes": strings.Join(codes, ",")}, now)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
