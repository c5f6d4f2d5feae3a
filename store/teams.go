package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"skillscore"
)

// Contestant kinds (migration 025). A team entry is scored, drawn and
// ranked like a person; its members are only people to certify and promote.
const (
	KindPerson = "person"
	KindTeam   = "team"
	KindMember = "member"
	// TeamIDType is a team entry's id_type: with an id_index of its name
	// it keeps the roster's (event, id_type, id_index) uniqueness, one team
	// of a name per event, and never matches a person's lookup.
	TeamIDType = "队伍"
)

// teamIndex is a team entry's id_index.
func teamIndex(name string) string { return "team:" + name }

// Team is one team entry of a roster file: its name, group and delegation
// (those of all its members) and its members in roster order.
type Team struct {
	Name         string
	GroupCode    string
	DelegationID *int64
	Members      []Contestant
}

// ImportTeams stores the team entries of one roster file, all or nothing,
// as ImportRoster does for people: each team becomes an entry (kind team,
// no personal data) and each member a row of kind member pointing at it.
// The roster import counts the members; progress, if not nil, is called
// with the number of members stored so far.
func (s *Store) ImportTeams(ctx context.Context, imp RosterImport, teams []Team, progress func(stored int)) (RosterImport, error) {
	var members []Contestant
	for _, t := range teams {
		if len(t.Members) == 0 {
			return RosterImport{}, skillscore.Errorf(skillscore.EInvalid, "队伍 %s 没有队员", t.Name)
		}
		for _, m := range t.Members {
			if m.GroupCode != t.GroupCode {
				return RosterImport{}, skillscore.Errorf(skillscore.EInvalid, "队伍 %s 的队员 %s 与队伍不在同一组别", t.Name, m.Name)
			}
			if !sameDelegation(m.DelegationID, t.DelegationID) {
				return RosterImport{}, skillscore.Errorf(skillscore.EInvalid, "队伍 %s 的队员 %s 与队伍不属于同一代表队", t.Name, m.Name)
			}
			members = append(members, m)
		}
	}
	return s.importRoster(ctx, imp, len(members), map[string]any{"teams": len(teams)}, func(tx *sqlx.Tx, now time.Time) error {
		if err := checkRosterBatch(ctx, tx, s.keys, imp.EventID, members); err != nil {
			return err
		}
		if err := checkContestantDelegations(ctx, tx, imp.EventID, members); err != nil {
			return err
		}
		seen := map[string]bool{}
		stored := 0
		for _, t := range teams {
			if seen[t.Name] {
				return skillscore.Errorf(skillscore.EInvalid, "队伍名称 %s 重复，未导入任何选手", t.Name)
			}
			seen[t.Name] = true
			var n int
			if err := tx.GetContext(ctx, &n, "SELECT COUNT(*) FROM contestants WHERE event_id = ? AND id_type = ? AND id_index = ?",
				imp.EventID, TeamIDType, teamIndex(t.Name)); err != nil {
				return fmt.Errorf("team name: %w", err)
			}
			if n > 0 {
				return skillscore.Errorf(skillscore.EConflict, "队伍 %s 已在本赛事名单中（重复名单），未导入任何选手", t.Name)
			}
			res, err := tx.ExecContext(ctx, `INSERT INTO contestants (event_id, name, gender, id_type, id_cipher, id_index,
				organization, city, phone_cipher, group_code, level, last_promotion_year, completion_ms, created_at, delegation_id, kind)
				VALUES (?, ?, '', ?, '', ?, ?, ?, '', ?, 0, 0, 0, ?, ?, ?)`,
				imp.EventID, t.Name, TeamIDType, teamIndex(t.Name), t.Members[0].Organization, t.Members[0].City,
				t.GroupCode, Time{now}, t.DelegationID, KindTeam)
			if err != nil {
				return fmt.Errorf("insert team %s: %w", t.Name, err)
			}
			id, err := res.LastInsertId()
			if err != nil {
				return err
			}
			ms := make([]Contestant, len(t.Members))
			for i, m := range t.Members {
				m.Kind, m.TeamID = KindMember, &id
				m.Code, m.Station = nil, nil
				ms[i] = m
			}
			if err := insertContestants(ctx, tx, s.keys, imp.EventID, ms, now); err != nil {
				return err
			}
			stored += len(ms)
			if progress != nil {
				progress(stored)
			}
		}
		return nil
	})
}

func sameDelegation(a, b *int64) bool {
	return a == nil && b == nil || a != nil && b != nil && *a == *b
}

// TeamMembers returns the members of an event's team entries by entry id,
// in roster order, their 证件号码 and phone opened (for certificates and
// the organizer's roster).
func (s *Store) TeamMembers(ctx context.Context, eventID int64) (map[int64][]Contestant, error) {
	var rows []Contestant
	if err := s.r.SelectContext(ctx, &rows, "SELECT * FROM contestants WHERE event_id = ? AND kind = ? ORDER BY team_id, id",
		eventID, KindMember); err != nil {
		return nil, fmt.Errorf("team members: %w", err)
	}
	if err := s.OpenPersonal(rows); err != nil {
		return nil, err
	}
	out := map[int64][]Contestant{}
	for _, m := range rows {
		out[*m.TeamID] = append(out[*m.TeamID], m)
	}
	return out, nil
}
