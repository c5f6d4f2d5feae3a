package store

import (
	"context"
	"strings"
	"testing"

	"skillscore"
)

func TestProgrammeAndDelegations(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		s := open(Options{})
		ctx := context.Background()
		d := seed(t, s)
		p, err := s.CreateProgramme(ctx, Programme{Code: "jx-2026", Name: "江西省第二届职业技能大赛", Year: 2026}, "organizer")
		if err != nil {
			t.Fatal(err)
		}
		if p.Rules == "" {
			t.Fatal("no default rules stored")
		}
		_, err = s.CreateProgramme(ctx, Programme{Code: "jx-2026", Name: "重复", Year: 2026}, "organizer")
		wantRefused(t, "duplicate code", err, skillscore.EConflict, "已存在")
		_, err = s.CreateProgramme(ctx, Programme{Code: "x2", Name: "坏规则", Year: 2026, Rules: `{"bands":[]}`}, "organizer")
		wantRefused(t, "bad rules", err, skillscore.EInvalid, "至少需要一个奖项档次")
		wantRefused(t, "bad rules update", s.SetProgrammeRules(ctx, p.ID, `{"order":"x"}`, "organizer"), skillscore.EInvalid, "排序方式")
		if got, err := s.ProgrammeByCode(ctx, "jx-2026"); err != nil || got.ID != p.ID {
			t.Fatalf("by code: %v %v", got, err)
		}
		if ps, err := s.Programmes(ctx); err != nil || len(ps) != 1 {
			t.Fatalf("programmes: %v %v", ps, err)
		}

		// A contestant of an event in no programme has no delegation.
		nc, err := s.SaveDelegation(ctx, Delegation{ProgrammeID: p.ID, Code: "nc", Name: "南昌市代表队"}, "organizer")
		if err != nil {
			t.Fatal(err)
		}
		wantRefused(t, "delegation outside a programme",
			s.SetContestantDelegation(ctx, d.ev.ID, d.cs[0].ID, &nc.ID, "organizer"), skillscore.EInvalid, "不属于任何大赛")

		if err := s.AddEventToProgramme(ctx, p.ID, d.ev.ID, "organizer"); err != nil {
			t.Fatal(err)
		}
		wantRefused(t, "added twice", s.AddEventToProgramme(ctx, p.ID, d.ev.ID, "organizer"), skillscore.EConflict, "已在大赛")
		ev2, err := s.CreateEventInProgramme(ctx, p.ID, NewEvent{Event: Event{Code: "jx-jk", Name: "健康照护师", Kind: "competition",
			Year: 2026, Rules: `{"modules":[]}`}}, "organizer")
		if err != nil || ev2.ProgrammeID == nil {
			t.Fatalf("create in programme: %v %+v", err, ev2)
		}
		evs, err := s.ProgrammeEvents(ctx, p.ID)
		if err != nil || len(evs) != 2 || evs[0].ID != d.ev.ID || evs[1].Code != "jx-jk" {
			t.Fatalf("programme events: %v %v", evs, err)
		}

		added, updated, err := s.ImportDelegations(ctx, p.ID, []Delegation{
			{Code: "jj", Name: "九江市代表队"}, {Code: "nc", Name: "南昌代表队", Kind: ParseDelegationKind("设区市")},
			{Code: "yl", Name: "省民政厅代表队", Kind: ParseDelegationKind("行业")},
		}, nil, "organizer")
		if err != nil || added != 2 || updated != 1 {
			t.Fatalf("import: %d %d %v", added, updated, err)
		}
		_, _, err = s.ImportDelegations(ctx, p.ID, []Delegation{{Code: "gz", Name: "赣州"}, {Code: "gz", Name: "赣州2"}}, nil, "organizer")
		wantRefused(t, "duplicate row", err, skillscore.EInvalid, "第 2 行：代表队代码 gz 与第 1 行重复")
		_, _, err = s.ImportDelegations(ctx, p.ID, []Delegation{{Code: "gz", Name: "赣州", Kind: "planet"}}, nil, "organizer")
		wantRefused(t, "bad kind", err, skillscore.EInvalid, "第 1 行：代表队 gz 的类别")
		_, _, err = s.ImportDelegations(ctx, p.ID, []Delegation{{Code: "gz", Name: "九江市代表队"}}, nil, "organizer")
		wantRefused(t, "name taken", err, skillscore.EConflict, "已被本大赛另一代表队使用")
		ds, err := s.Delegations(ctx, p.ID)
		if err != nil || len(ds) != 3 || ds[0].Name != "南昌代表队" || ds[2].Kind != "industry" {
			t.Fatalf("delegations: %+v %v", ds, err)
		}
		if eds, err := s.EventDelegations(ctx, d.ev.ID); err != nil || len(eds) != 3 {
			t.Fatalf("event delegations: %v %v", eds, err)
		}

		if err := s.SetContestantDelegation(ctx, d.ev.ID, d.cs[0].ID, &nc.ID, "organizer"); err != nil {
			t.Fatal(err)
		}
		other, err := s.CreateProgramme(ctx, Programme{Code: "other", Name: "另一大赛", Year: 2026}, "organizer")
		if err != nil {
			t.Fatal(err)
		}
		foreign, err := s.SaveDelegation(ctx, Delegation{ProgrammeID: other.ID, Code: "nc", Name: "南昌"}, "organizer")
		if err != nil {
			t.Fatal(err)
		}
		wantRefused(t, "foreign delegation", s.SetContestantDelegation(ctx, d.ev.ID, d.cs[1].ID, &foreign.ID, "organizer"),
			skillscore.EInvalid, "不属于本赛事所在的大赛")
		_, err = s.AddContestants(ctx, d.ev.ID, []Contestant{{Name: "赵六", IDType: "居民身份证", IDNumber: "360102199001011234",
			GroupCode: "employee", DelegationID: &foreign.ID}}, "organizer")
		wantRefused(t, "foreign delegation on add", err, skillscore.EInvalid, "不属于本赛事所在的大赛")
		added2, err := s.AddContestants(ctx, d.ev.ID, []Contestant{{Name: "赵六", IDType: "居民身份证", IDNumber: "360102199001011234",
			GroupCode: "employee", DelegationID: &ds[1].ID}}, "organizer")
		if err != nil {
			t.Fatal(err)
		}
		cs, err := s.Contestants(ctx, d.ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			switch c.ID {
			case d.cs[0].ID:
				if c.DelegationID == nil || *c.DelegationID != nc.ID {
					t.Errorf("delegation not set: %+v", c.DelegationID)
				}
			case added2[0].ID:
				if c.DelegationID == nil || *c.DelegationID != ds[1].ID {
					t.Errorf("delegation on add not stored: %+v", c.DelegationID)
				}
			}
		}
		wantRefused(t, "delete with members", s.DeleteDelegation(ctx, p.ID, nc.ID, "organizer"), skillscore.EConflict, "还有 1 名选手")
		if err := s.DeleteDelegation(ctx, p.ID, ds[2].ID, "organizer"); err != nil {
			t.Fatal(err)
		}

		trail, err := s.ProgrammeAudit(ctx, "jx-2026")
		if err != nil {
			t.Fatal(err)
		}
		events, err := s.AuditTrail(ctx, d.ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		actions := map[string]int{}
		for _, e := range append(trail, events...) {
			actions[e.Action]++
		}
		for _, a := range []string{"programme.create", "programme.add_event", "delegation.create", "delegation.import",
			"contestant.delegation", "delegation.delete"} {
			if actions[a] == 0 {
				t.Errorf("no audit entry %s in %v", a, actions)
			}
		}
	})
}

// TestRosterImportKeepsDelegations: a roster import stores each
// contestant's delegation, and refuses one of another programme with nothing
// stored.
func TestRosterImportKeepsDelegations(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		s := open(Options{})
		ctx := context.Background()
		d := seed(t, s)
		p, err := s.CreateProgramme(ctx, Programme{Code: "jx-2026", Name: "大赛", Year: 2026}, "organizer")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.AddEventToProgramme(ctx, p.ID, d.ev.ID, "organizer"); err != nil {
			t.Fatal(err)
		}
		nc, err := s.SaveDelegation(ctx, Delegation{ProgrammeID: p.ID, Code: "nc", Name: "南昌市代表队"}, "organizer")
		if err != nil {
			t.Fatal(err)
		}
		other, err := s.CreateProgramme(ctx, Programme{Code: "other", Name: "另一大赛", Year: 2026}, "organizer")
		if err != nil {
			t.Fatal(err)
		}
		foreign, err := s.SaveDelegation(ctx, Delegation{ProgrammeID: other.ID, Code: "nc", Name: "南昌"}, "organizer")
		if err != nil {
			t.Fatal(err)
		}
		person := func(delegation int64) []Contestant {
			return []Contestant{{Name: "赵六", IDType: "居民身份证", IDNumber: "360102199001011234", City: "南昌",
				GroupCode: "employee", DelegationID: &delegation}}
		}
		imp := RosterImport{EventID: d.ev.ID, FileName: "名单.xlsx", SHA256: strings.Repeat("a", 64), Actor: "organizer", Basis: BasisConsent}
		_, err = s.ImportRoster(ctx, imp, person(foreign.ID), nil)
		wantRefused(t, "foreign delegation", err, skillscore.EInvalid, "不属于本赛事所在的大赛")
		if _, err := s.ImportRoster(ctx, imp, person(nc.ID), nil); err != nil {
			t.Fatal(err)
		}
		cs, err := s.Contestants(ctx, d.ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, c := range cs {
			if c.Name == "赵六" {
				found = c.DelegationID != nil && *c.DelegationID == nc.ID
			}
		}
		if !found || len(cs) != len(d.cs)+1 {
			t.Fatalf("imported contestants: %+v", cs)
		}
	})
}
