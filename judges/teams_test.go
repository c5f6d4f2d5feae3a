package judges_test

import (
	"context"
	"strings"
	"testing"

	"skillscore/demo"
	"skillscore/internal/testenv"
	"skillscore/judges"
	"skillscore/store"
)

// A panel judge is assigned team entries, never their members, and 回避s a
// team when a member calls for it, the reason naming the member.
func TestTeamAssignmentsByEntryWithMembersConflicts(t *testing.T) {
	ctx := context.Background()
	st := testenv.SQLite(t)
	ev, err := demo.CreateTeams(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	mods, err := st.Modules(ctx, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	var mod store.Module
	for _, m := range mods {
		if !m.Imported {
			mod = m
			break
		}
	}
	j, err := st.AddJudge(ctx, store.Judge{EventID: ev.ID, Code: "J99", Name: "新裁判"}, []store.PanelMember{{ModuleID: mod.ID}}, "organizer")
	if err != nil {
		t.Fatal(err)
	}
	all, err := st.Contestants(ctx, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	var member store.Contestant
	teams := map[int64]bool{}
	for _, c := range all {
		if c.Kind == store.KindMember && member.ID == 0 {
			member = c
		}
		if c.Kind == store.KindTeam {
			teams[c.ID] = true
		}
	}
	if err := st.AddRelation(ctx, ev.ID, store.Relation{JudgeID: j.ID, ContestantID: member.ID, Relation: "同事"}, "organizer"); err != nil {
		t.Fatal(err)
	}
	svc := judges.New(st, judges.Config{})
	n, conflicts, err := svc.Assign(ctx, judges.AssignRequest{EventID: ev.ID, ModuleID: mod.ID, JudgeID: j.ID, SkipConflicts: true, Actor: "organizer"})
	if err != nil {
		t.Fatal(err)
	}
	if n != len(teams)-1 || len(conflicts) != 1 || conflicts[0].ContestantID != *member.TeamID ||
		!strings.Contains(conflicts[0].Reason, "队员 "+member.Name+"：申报的关系：同事") {
		t.Fatalf("assigned %d of %d teams, conflicts %+v", n, len(teams), conflicts)
	}
	as, err := st.Assignments(ctx, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range as {
		if !teams[a.ContestantID] {
			t.Errorf("assignment %+v is not a team entry's", a)
		}
	}
}
