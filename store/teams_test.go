package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"skillscore"
	"skillscore/internal/testdb"
	"skillscore/privacy"
)

func teamsOf(t testing.TB, n, size int, group string) []Team {
	people := rosterOf(t, n*size, group)
	out := make([]Team, n)
	for i := range out {
		out[i] = Team{Name: "队" + string(rune('甲'+i)), GroupCode: group, Members: people[i*size : (i+1)*size]}
		out[i].Members[0].Level = 3
	}
	return out
}

func TestImportTeamsEntriesAndMembers(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		s := open(Options{})
		ctx := context.Background()
		d := seed(t, s)
		teams := teamsOf(t, 3, 2, "employee")
		var reported []int
		imp, err := s.ImportTeams(ctx, RosterImport{EventID: d.ev.ID, FileName: "团体.xlsx", SHA256: sha(2), Actor: "组织者", Basis: BasisConsent},
			teams, func(n int) { reported = append(reported, n) })
		if err != nil {
			t.Fatal(err)
		}
		if imp.Contestants != 6 || len(reported) != 3 || reported[2] != 6 {
			t.Errorf("import %+v, progress %v", imp, reported)
		}
		snap, err := s.Snapshot(ctx, d.ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		// The seeded two people and the three team entries; no member.
		if len(snap.Contestants) != 5 {
			t.Fatalf("snapshot has %d entries, want 5", len(snap.Contestants))
		}
		entries := snap.Contestants[2:]
		for i, e := range entries {
			if e.Kind != KindTeam || e.Name != teams[i].Name || e.IDType != TeamIDType || e.IDCipher != "" || e.PhoneCipher != "" ||
				e.TeamID != nil || e.GroupCode != "employee" || e.Organization != teams[i].Members[0].Organization {
				t.Errorf("entry %d = %+v", i, e)
			}
		}
		if snap.Contestants[0].Kind != KindPerson {
			t.Errorf("a person's kind = %q", snap.Contestants[0].Kind)
		}
		members, err := s.TeamMembers(ctx, d.ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		for i, e := range entries {
			ms := members[e.ID]
			if len(ms) != 2 || ms[0].IDNumber != teams[i].Members[0].IDNumber || ms[0].Level != 3 || ms[1].Name != teams[i].Members[1].Name ||
				ms[0].Kind != KindMember || *ms[0].TeamID != e.ID || ms[0].Code != nil || ms[0].IDCipher == "" ||
				strings.Contains(ms[0].IDCipher, ms[0].IDNumber) {
				t.Errorf("members of %s = %+v", e.Name, ms)
			}
		}
		// The draw deals codes to the five entries, none to a member.
		if _, err := s.Draw(ctx, d.ev.ID, 1, "0123456789abcdef0123456789abcdef", "主裁"); err != nil {
			t.Fatal(err)
		}
		all, err := s.Contestants(ctx, d.ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		coded := 0
		for _, c := range all {
			if (c.Code != nil) != (c.Kind != KindMember) {
				t.Errorf("%s (%s) code %v", c.Name, c.Kind, c.Code)
			}
			if c.Code != nil {
				coded++
			}
		}
		if coded != 5 || len(all) != 11 {
			t.Errorf("%d coded of %d rows, want 5 of 11", coded, len(all))
		}
		trail, err := s.AuditTrail(ctx, d.ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, e := range trail {
			if e.Action == "roster.import" && strings.Contains(e.Detail, `"teams":3`) && strings.Contains(e.Detail, `"contestants":6`) {
				found = true
			}
		}
		if !found {
			t.Errorf("no roster.import audit entry with 3 teams and 6 members: %+v", trail)
		}
	})
}

func TestImportTeamsRefusals(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		s := open(Options{})
		ctx := context.Background()
		d := seed(t, s)
		imp := RosterImport{EventID: d.ev.ID, FileName: "团体.xlsx", SHA256: sha(3), Actor: "组织者", Basis: BasisConsent}
		if _, err := s.ImportTeams(ctx, imp, teamsOf(t, 2, 2, "employee"), nil); err != nil {
			t.Fatal(err)
		}
		count := func() int {
			all, err := s.Contestants(ctx, d.ev.ID)
			if err != nil {
				t.Fatal(err)
			}
			return len(all)
		}
		before := count()
		// Same team name again (other people): a duplicate roster.
		again := teamsOf(t, 1, 2, "student")
		again[0].Name = "队甲"
		for i := range again[0].Members {
			again[0].Members[i].IDNumber = rosterOf(t, 40, "student")[30+i].IDNumber
		}
		imp.SHA256 = sha(4)
		if _, err := s.ImportTeams(ctx, imp, again, nil); skillscore.ErrorCode(err) != skillscore.EConflict || !strings.Contains(err.Error(), "队伍 队甲 已在本赛事名单中") {
			t.Errorf("same team name: %v", err)
		}
		// A member already on the roster.
		dup := teamsOf(t, 1, 2, "employee")
		dup[0].Name = "新队"
		imp.SHA256 = sha(5)
		if _, err := s.ImportTeams(ctx, imp, dup, nil); skillscore.ErrorCode(err) != skillscore.EConflict {
			t.Errorf("member on the roster: %v", err)
		}
		// Members of two groups in one team.
		mixed := teamsOf(t, 1, 2, "employee")
		mixed[0].Name, mixed[0].Members[1].GroupCode = "混合队", "student"
		imp.SHA256 = sha(6)
		if _, err := s.ImportTeams(ctx, imp, mixed, nil); skillscore.ErrorCode(err) != skillscore.EInvalid {
			t.Errorf("mixed groups: %v", err)
		}
		// Members of two delegations in one team.
		one, two := int64(1), int64(2)
		split := teamsOf(t, 1, 2, "employee")
		split[0].Name, split[0].DelegationID = "两地队", &one
		split[0].Members[0].DelegationID, split[0].Members[1].DelegationID = &one, &two
		imp.SHA256 = sha(7)
		if _, err := s.ImportTeams(ctx, imp, split, nil); skillscore.ErrorCode(err) != skillscore.EInvalid || !strings.Contains(err.Error(), "同一代表队") {
			t.Errorf("two delegations: %v", err)
		}
		if got := count(); got != before {
			t.Errorf("refused imports stored rows: %d, want %d", got, before)
		}
	})
}

// An event of the release before teams keeps its contestants, each an
// individual entry, through migration 025.
func TestUpgradeToTeamsKeepsPeople(t *testing.T) {
	urls := map[string]string{"sqlite": "sqlite:" + filepath.Join(t.TempDir(), "old.db")}
	if dsn := testdb.DSN(t); dsn != "" {
		urls["mysql"] = "mysql:" + testdb.Scratch(t, dsn, "skillscore_tm_")
	}
	for name, url := range urls {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			keys, err := privacy.NewMemory()
			if err != nil {
				t.Fatal(err)
			}
			exec, done := olderRelease(t, url, 20)
			exec(`INSERT INTO events (id, code, name, kind, occupation, year, rules, created_at, updated_at)
				VALUES (1, 'jx-old', '旧赛事', 'competition', '养老护理员', 2025, '{"modules":[]}', 1, 1)`)
			exec(`INSERT INTO event_groups (event_id, code, name, position) VALUES (1, 'employee', '职工组', 0)`)
			exec(`INSERT INTO contestants (id, event_id, name, gender, id_type, id_index, group_code, created_at)
				VALUES (1, 1, '老选手', '女', '居民身份证', 'idx', 'employee', 1)`)
			done()
			s, err := Open(ctx, url, Options{Keys: keys})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			snap, err := s.Snapshot(ctx, 1)
			if err != nil {
				t.Fatal(err)
			}
			if len(snap.Contestants) != 1 || snap.Contestants[0].Kind != KindPerson || snap.Contestants[0].TeamID != nil {
				t.Fatalf("after the upgrade: %+v", snap.Contestants)
			}
		})
	}
}
