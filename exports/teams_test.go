package exports_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"skillscore/demo"
	"skillscore/exports"
	"skillscore/internal/testenv"
	"skillscore/results"
	"skillscore/store"
)

// In a team event the results table names each team with its members and
// their own promotions, and the promotion list (晋升名单) lists the promoted
// members by their own identity and level, never the team.
func TestTeamResultsTableAndPromotions(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "t.db"), store.Options{Keys: testenv.Keys(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ev, err := demo.CreateTeams(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := st.Snapshot(ctx, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.OpenPersonal(snap.Members); err != nil {
		t.Fatal(err)
	}
	std, err := results.Compute(snap)
	if err != nil {
		t.Fatal(err)
	}
	table := exports.NewTable(std, true)
	var want [][]string
	for i, c := range std.Result.Contestants {
		ms := std.Members[c.ID]
		name := table.Rows[i][exports.ColName]
		if !strings.HasPrefix(name, std.Contestants[c.ID].Name+"（"+ms[0].Row.Name+"、"+ms[1].Row.Name+"）") {
			t.Errorf("row %d name %q", i, name)
		}
		for _, m := range ms {
			if p := m.Result.Promotion; p != nil {
				want = append(want, []string{m.Row.Name, m.Row.IDNumber, p.FromName, p.ToName, exports.PromotionReason(m.Result)})
				if !strings.Contains(strings.Join(table.Rows[i], "|"), m.Row.Name+" "+p.FromName+"→"+p.ToName) {
					t.Errorf("row %d lacks %s's promotion: %q", i, m.Row.Name, table.Rows[i])
				}
			}
		}
	}
	if len(want) == 0 {
		t.Fatal("no member promoted in the demo team event")
	}
	pl, err := table.Promotions()
	if err != nil {
		t.Fatal(err)
	}
	if len(pl.Rows) != len(want) {
		t.Fatalf("%d promotion rows, want %d: %q", len(pl.Rows), len(want), pl.Rows)
	}
	for i, w := range want {
		r := pl.Rows[i]
		if r[0] != w[0] || r[1] != w[1] || r[3] != w[2] || r[4] != w[3] || r[5] != w[4] || w[4] == "" {
			t.Errorf("promotion row %d %q, want %q", i, r, w)
		}
	}
}
