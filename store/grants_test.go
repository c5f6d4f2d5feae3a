package store

import (
	"context"
	"testing"

	"skillscore"
)

// addProgramme makes a programme and moves events into it; the programme
// store API belongs to another part, so the test writes the rows itself.
func addProgramme(t *testing.T, s *Store, code string, eventIDs ...int64) {
	t.Helper()
	ctx := context.Background()
	if _, err := s.w.ExecContext(ctx, `INSERT INTO programmes (code, name, year, rules, created_at, updated_at)
		VALUES (?, ?, 2026, '{}', 0, 0)`, code, "大赛 "+code); err != nil {
		t.Fatal(err)
	}
	for _, id := range eventIDs {
		if _, err := s.w.ExecContext(ctx, `UPDATE events SET programme_id = (SELECT id FROM programmes WHERE code = ?) WHERE id = ?`, code, id); err != nil {
			t.Fatal(err)
		}
	}
}

func TestGrantsAndAccess(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		s := open(Options{})
		ctx := context.Background()
		a := seed(t, s).ev
		b, err := s.CreateEvent(ctx, NewEvent{Event: Event{Code: "jx-b", Name: "乙赛项", Kind: "competition",
			Occupation: "育婴员", Year: 2026, Rules: `{"modules":[]}`}}, "tester")
		if err != nil {
			t.Fatal(err)
		}
		c, err := s.CreateEvent(ctx, NewEvent{Event: Event{Code: "jx-c", Name: "丙赛项", Kind: "competition",
			Occupation: "育婴员", Year: 2026, Rules: `{"modules":[]}`}}, "tester")
		if err != nil {
			t.Fatal(err)
		}
		addProgramme(t, s, "p1", a.ID, b.ID)
		addProgramme(t, s, "p2", c.ID)

		org, err := s.CreateUser(ctx, User{Username: "org", Name: "组织者", Role: RoleOrganizer, PasswordHash: "x"}, "tester")
		if err != nil {
			t.Fatal(err)
		}
		chief, err := s.CreateUserWithGrant(ctx, User{Username: "chief-a", Name: "裁判长", Role: RoleChief, PasswordHash: "x"},
			Grant{EventCode: a.Code}, "tester")
		if err != nil {
			t.Fatal(err)
		}
		porg, err := s.CreateUserWithGrant(ctx, User{Username: "porg", Name: "大赛组织者", Role: RoleOrganizer, PasswordHash: "x"},
			Grant{ProgrammeCode: "p1"}, "tester")
		if err != nil {
			t.Fatal(err)
		}
		// Refusals store nothing, the user included.
		for _, g := range []Grant{{Role: RoleChief, ProgrammeCode: "p1"}, {Role: "judge"}, {Role: RoleObserver, EventCode: "nope"},
			{Role: RoleObserver, EventCode: a.Code, ProgrammeCode: "p1"}} {
			if _, err := s.CreateUserWithGrant(ctx, User{Username: "bad", Name: "x", Role: RoleObserver, PasswordHash: "x"}, g, "tester"); err == nil {
				t.Fatalf("grant %+v accepted", g)
			}
		}
		if _, err := s.UserByUsername(ctx, "bad"); skillscore.ErrorCode(err) != skillscore.ENotFound {
			t.Fatalf("refused user stored: %v", err)
		}
		if _, err := s.Grant(ctx, Grant{UserID: org.ID, Role: RoleOrganizer}, "tester"); skillscore.ErrorCode(err) != skillscore.EConflict {
			t.Fatalf("repeated site grant: %v", err)
		}
		obs, err := s.Grant(ctx, Grant{UserID: chief.ID, Role: RoleObserver, ProgrammeCode: "p2"}, "tester")
		if err != nil {
			t.Fatal(err)
		}

		acc, err := s.UserAccess(ctx, chief.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !acc.InEvent(a.Code, RoleChief) || acc.InEvent(b.Code, RoleChief) || acc.AllEvents() ||
			!acc.InEvent(c.Code, RoleObserver) || !acc.InProgramme("p2", RoleObserver) || acc.InProgramme("p1", RoleObserver) {
			t.Fatalf("chief of A: %+v", acc)
		}
		acc, err = s.UserAccess(ctx, porg.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !acc.InEvent(a.Code, RoleOrganizer) || !acc.InEvent(b.Code, RoleOrganizer) || acc.InEvent(c.Code, RoleOrganizer) ||
			!acc.InProgramme("p1", RoleOrganizer) || acc.InProgramme("p2", RoleOrganizer) || acc.InSite(RoleOrganizer) {
			t.Fatalf("organizer of p1: %+v", acc)
		}
		acc, err = s.UserAccess(ctx, org.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !acc.InSite(RoleOrganizer) || !acc.InEvent(c.Code, RoleOrganizer) || !acc.InProgramme("p2", RoleOrganizer) {
			t.Fatalf("site organizer: %+v", acc)
		}

		gs, err := s.GrantsOf(ctx, chief.ID)
		if err != nil || len(gs) != 2 {
			t.Fatalf("grants of chief: %v %+v", err, gs)
		}
		if err := s.Revoke(ctx, obs.ID, "tester"); err != nil {
			t.Fatal(err)
		}
		if err := s.Revoke(ctx, obs.ID, "tester"); skillscore.ErrorCode(err) != skillscore.ENotFound {
			t.Fatalf("second revoke: %v", err)
		}
		acc, _ = s.UserAccess(ctx, chief.ID)
		if acc.InEvent(c.Code, RoleObserver) {
			t.Fatal("revoked grant still counts")
		}
		var audits []string
		if err := s.r.SelectContext(ctx, &audits, "SELECT action FROM audit_log WHERE action IN ('user.grant', 'user.revoke') ORDER BY id"); err != nil {
			t.Fatal(err)
		}
		if len(audits) != 5 || audits[4] != "user.revoke" {
			t.Fatalf("audit: %v", audits)
		}
		all, err := s.Grants(ctx)
		if err != nil || len(all) != 3 {
			t.Fatalf("all grants: %v %d", err, len(all))
		}
	})
}
