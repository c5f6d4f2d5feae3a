package roster

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"skillscore"
	"skillscore/store"
)

func rosterRows(t testing.TB, n int, title string) [][]any {
	rows := [][]any{{title}, header()}
	for i := 0; i < n; i++ {
		rows = append(rows, []any{i + 1, "选手", "", "居民身份证", makeID(t, "360402", 1988, 1+i/100, 1, i%100*2+1),
			"九江市第一人民医院", "九江市", "职工组", "三级/高级工", fmt.Sprintf("139 0792 %04d", i)})
	}
	return rows
}

type counts struct{ contestants, imports, audit int }

func countsOf(t *testing.T, st *store.Store, eventID int64) counts {
	t.Helper()
	ctx := context.Background()
	cs, err := st.Contestants(ctx, eventID)
	if err != nil {
		t.Fatal(err)
	}
	imps, err := st.RosterImports(ctx, eventID)
	if err != nil {
		t.Fatal(err)
	}
	trail, err := st.AuditTrail(ctx, eventID)
	if err != nil {
		t.Fatal(err)
	}
	return counts{len(cs), len(imps), len(trail)}
}

func TestImportDryRunThenRealThenSameFileTwice(t *testing.T) {
	forEachStore(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		ev := newEvent(t, st)
		data := workbook(t, sheetSpec{name: "名单", rows: rosterRows(t, 120, "九江市报名表")})
		empty := countsOf(t, st, ev.ID)

		rep, err := Import(ctx, st, ev.ID, "九江.xlsx", data, Options{DryRun: true, Actor: "组织者"})
		if err != nil || rep.Accepted != 120 || rep.Stored != nil {
			t.Fatalf("dry run: %v, %+v", err, rep)
		}
		if got := countsOf(t, st, ev.ID); got != empty {
			t.Fatalf("dry run stored something: %+v, want %+v", got, empty)
		}

		var stages []Progress
		rep, err = Import(ctx, st, ev.ID, "九江.xlsx", data, Options{Actor: "组织者", Basis: store.BasisConsent, Progress: func(p Progress) { stages = append(stages, p) }})
		if err != nil || rep.Stored == nil || rep.Stored.Contestants != 120 {
			t.Fatalf("import: %v, %+v", err, rep)
		}
		if n := len(stages); n != 3 || stages[1] != (Progress{"check", 120, 120}) || stages[2] != (Progress{"store", 120, 120}) {
			t.Errorf("progress = %v", stages)
		}
		cs, _ := st.Contestants(ctx, ev.ID)
		if len(cs) != 120 || cs[0].City != "九江" || cs[0].Level != 3 || cs[0].Gender != "男" || cs[0].GroupCode != "employee" ||
			cs[0].Phone != "13907920000" || cs[119].Phone != "13907920119" {
			t.Fatalf("stored %d, first %+v", len(cs), cs[0])
		}
		after := countsOf(t, st, ev.ID)

		// The same bytes again: refused as a duplicate roster, dry run or not.
		for _, dry := range []bool{true, false} {
			_, err = Import(ctx, st, ev.ID, "九江(1).xlsx", data, Options{DryRun: dry, Actor: "组织者", Basis: store.BasisConsent})
			if skillscore.ErrorCode(err) != skillscore.EConflict || !strings.Contains(skillscore.ErrorMessage(err), "重复名单") {
				t.Fatalf("same file again (dry run %v): %v", dry, err)
			}
		}
		// Saved again with another title: new bytes, same people — every
		// row is a duplicate of the roster, nothing is doubled.
		resaved := workbook(t, sheetSpec{name: "名单", rows: rosterRows(t, 120, "九江市报名表（修订）")})
		rep, err = Import(ctx, st, ev.ID, "九江-修订.xlsx", resaved, Options{Actor: "组织者", Basis: store.BasisConsent})
		if skillscore.ErrorCode(err) != skillscore.EInvalid || rep.Rejected != 120 || reasonsOf(rep.Verdicts[0]) != "id_duplicate" {
			t.Fatalf("re-saved file: %v, rejected %d", err, rep.Rejected)
		}
		if got := countsOf(t, st, ev.ID); got != after {
			t.Fatalf("after refused imports: %+v, want %+v", got, after)
		}
	})
}

// One bad row among many: the report names it and nothing is stored.
func TestImportOneBadRowStoresNothing(t *testing.T) {
	forEachStore(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		ev := newEvent(t, st)
		rows := rosterRows(t, 600, "名单")
		rows[2+456][6] = "长沙" // spreadsheet row 459
		before := countsOf(t, st, ev.ID)
		rep, err := Import(ctx, st, ev.ID, "bad.xlsx", workbook(t, sheetSpec{name: "S", rows: rows}), Options{Actor: "组织者", Basis: store.BasisDuty})
		if skillscore.ErrorCode(err) != skillscore.EInvalid || !strings.Contains(skillscore.ErrorMessage(err), "未导入任何选手") {
			t.Fatalf("got %v, want invalid with nothing imported", err)
		}
		if rep.Rejected != 1 || rep.Accepted != 599 {
			t.Fatalf("rejected %d accepted %d", rep.Rejected, rep.Accepted)
		}
		for _, v := range rep.Verdicts {
			if !v.Accepted && (v.Row != 459 || reasonsOf(v) != "city_unknown" || v.Problems[0].Column != "G") {
				t.Errorf("rejected row %d %s %+v", v.Row, reasonsOf(v), v.Problems)
			}
		}
		if got := countsOf(t, st, ev.ID); got != before {
			t.Fatalf("stored after a rejected file: %+v, want %+v", got, before)
		}
	})
}

func TestImportNeedsGroups(t *testing.T) {
	forEachStore(t, func(t *testing.T, st *store.Store) {
		ev, err := st.CreateEvent(context.Background(), store.NewEvent{Event: store.Event{Code: "nogroups", Name: "无组别",
			Kind: "assessment", Occupation: "养老护理员", Year: 2026, Rules: "{}"}}, "tester")
		if err != nil {
			t.Fatal(err)
		}
		_, err = Import(context.Background(), st, ev.ID, "x.csv", []byte("姓名,证件号码,设区市\n"), Options{DryRun: true})
		if skillscore.ErrorCode(err) != skillscore.EInvalid || !strings.Contains(skillscore.ErrorMessage(err), "组别") {
			t.Fatalf("got %v", err)
		}
	})
}
