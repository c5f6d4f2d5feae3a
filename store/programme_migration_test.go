package store

import (
	"context"
	"path/filepath"
	"testing"

	"skillscore/internal/testdb"
)

// TestProgrammeMigrationKeepsEventsAndUsers builds a database as the release
// before programmes (step 019) left it, with an event, a contestant and two
// users, and opens it: the event stands alone with everything it had, and
// each user keeps what it could do as a site-wide grant of its role.
func TestProgrammeMigrationKeepsEventsAndUsers(t *testing.T) {
	type target struct{ name, url string }
	targets := []target{{"sqlite", "sqlite:" + filepath.Join(t.TempDir(), "old.db")}}
	if dsn := testdb.DSN(t); dsn != "" {
		targets = append(targets, target{"mysql", "mysql:" + testdb.Scratch(t, dsn, "skillscore_t_")})
	}
	for _, tg := range targets {
		t.Run(tg.name, func(t *testing.T) {
			ctx := context.Background()
			exec, done := olderRelease(t, tg.url, 19)
			exec(`INSERT INTO events (id, code, name, kind, occupation, year, rules, revision, created_at, updated_at)
				VALUES (1, 'old', '旧赛事', 'competition', '养老护理员', 2025, '{}', 41, 0, 0)`)
			exec(`INSERT INTO event_groups (event_id, code, name, position) VALUES (1, 'staff', '职工组', 0)`)
			exec(`INSERT INTO contestants (event_id, name, gender, id_type, id_index, id_cipher, group_code, created_at)
				VALUES (1, '张三', '女', '居民身份证', 'idx1', 'k$c', 'staff', 0)`)
			exec(`INSERT INTO users (id, username, name, role, password_hash, created_at) VALUES (7, 'chief', '裁判长', 'chief', 'h', 5)`)
			exec(`INSERT INTO users (id, username, name, role, password_hash, created_at) VALUES (8, 'org', '组织者', 'organizer', 'h', 6)`)
			done()

			s, err := Open(ctx, tg.url, withTestKeys(t, Options{}))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			ev, err := s.EventByCode(ctx, "old")
			if err != nil || ev.ProgrammeID != nil || ev.Name != "旧赛事" || ev.Revision != 41 {
				t.Fatalf("event after the upgrade: %+v, %v", ev, err)
			}
			var cs []struct {
				Name       string `db:"name"`
				Delegation *int64 `db:"delegation_id"`
			}
			if err := s.r.SelectContext(ctx, &cs, "SELECT name, delegation_id FROM contestants WHERE event_id = 1"); err != nil ||
				len(cs) != 1 || cs[0].Name != "张三" || cs[0].Delegation != nil {
				t.Fatalf("contestants after the upgrade: %+v, %v", cs, err)
			}
			var grants []struct {
				UserID    int64  `db:"user_id"`
				Role      string `db:"role"`
				Programme *int64 `db:"programme_id"`
				Event     *int64 `db:"event_id"`
			}
			if err := s.r.SelectContext(ctx, &grants, "SELECT user_id, role, programme_id, event_id FROM user_grants ORDER BY user_id"); err != nil {
				t.Fatal(err)
			}
			if len(grants) != 2 || grants[0].UserID != 7 || grants[0].Role != "chief" || grants[1].Role != "organizer" ||
				grants[0].Programme != nil || grants[0].Event != nil || grants[1].Programme != nil || grants[1].Event != nil {
				t.Fatalf("grants after the upgrade: %+v", grants)
			}
		})
	}
}
