package roster

import (
	"context"
	"fmt"
	"testing"

	"skillscore/store"
)

// BenchmarkImport5000 imports a 5,000-row .xlsx roster (read, normalise,
// check every row, store all or nothing) into a fresh event per iteration,
// on SQLite and, with SKILLSCORE_TEST_MYSQL_DSN set, MariaDB. The target is
// ≤ 2 s per import. "batched" is Import (multi-row INSERTs of 500);
// "rowbyrow" is the baseline: the same check, then store.AddContestants,
// one INSERT per contestant in one transaction. "check-only" reads and
// checks without storing.
//
//	go test ./roster -run '^$' -bench Import5000 -benchtime 3x
func BenchmarkImport5000(b *testing.B) {
	const n = 5000
	rows := [][]any{{"2026年江西省养老护理员职业技能竞赛（职工组、学生组）报名表"}, header()}
	cities := Cities()
	for i := 0; i < n; i++ {
		group := "职工组"
		if i%3 == 0 {
			group = "学生组"
		}
		rows = append(rows, []any{i + 1, fmt.Sprintf("选手%04d", i), "", "居民身份证",
			makeID(b, "360102", 1970+i/500, 1+i%12, 1+i%28, i%500*2), fmt.Sprintf("%s市第%d养老服务中心", cities[i%11], i%40),
			cities[i%11] + "市", group, []string{"", "五级/初级工", "四级", "高级工"}[i%4], fmt.Sprintf("139%08d", i)})
	}
	data := workbook(b, sheetSpec{name: "名单", rows: rows})
	b.Logf("roster file: %d rows, %d KB", n, len(data)>>10)
	// Reading and checking alone, to show where an import's time goes.
	b.Run("check-only", func(b *testing.B) {
		for range b.N {
			rep, err := Check(context.Background(), "名单.xlsx", data, Event{Groups: testGroups()}, nil)
			if err != nil || rep.Accepted != n {
				b.Fatal(err)
			}
		}
	})
	for _, be := range backends(b) {
		st := be.open(b)
		events := 0 // b.Run calls the body more than once; codes must stay unique
		for _, mode := range []string{"batched", "rowbyrow"} {
			b.Run(be.name+"/"+mode, func(b *testing.B) {
				ctx := context.Background()
				for range b.N {
					b.StopTimer()
					events++
					ev, err := st.CreateEvent(ctx, store.NewEvent{
						Event: store.Event{Code: fmt.Sprintf("bench-%d", events), Name: "基准", Kind: "competition",
							Occupation: "养老护理员", Year: 2026, Rules: "{}"},
						Groups: testGroups(),
					}, "bench")
					if err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
					stored := 0
					switch mode {
					case "batched":
						rep, err := Import(ctx, st, ev.ID, "名单.xlsx", data, Options{Actor: "bench", Basis: store.BasisConsent})
						if err != nil {
							b.Fatal(err)
						}
						stored = rep.Stored.Contestants
					case "rowbyrow":
						groups, _ := st.Groups(ctx, ev.ID)
						held, _ := st.Contestants(ctx, ev.ID)
						rep, err := Check(ctx, "名单.xlsx", data, Event{Groups: groups, Roster: held}, nil)
						if err != nil || rep.Rejected > 0 {
							b.Fatal(err, rep.Rejected)
						}
						cs, err := st.AddContestants(ctx, ev.ID, rep.Contestants(), "bench")
						if err != nil {
							b.Fatal(err)
						}
						stored = len(cs)
					}
					if stored != n {
						b.Fatalf("stored %d, want %d", stored, n)
					}
				}
			})
		}
	}
}
