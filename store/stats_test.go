package store_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"skillscore"
	"skillscore/demo"
	"skillscore/internal/testdb"
	"skillscore/internal/testenv"
	"skillscore/store"
)

// eachBackend runs fn on SQLite and, with the MariaDB DSN set, on MariaDB,
// like forEach; it lives in package store_test because the demo data it
// counts imports store.
func eachBackend(t *testing.T, fn func(t *testing.T, st *store.Store)) {
	open := map[string]func(t *testing.T) string{
		"sqlite": func(t *testing.T) string { return "sqlite:" + filepath.Join(t.TempDir(), "test.db") },
	}
	if dsn := testdb.DSN(t); dsn != "" {
		open["mysql"] = func(t *testing.T) string { return "mysql:" + testdb.Scratch(t, dsn, "skillscore_t_") }
	}
	for _, name := range []string{"sqlite", "mysql"} {
		if open[name] == nil {
			continue
		}
		t.Run(name, func(t *testing.T) {
			st, err := store.Open(context.Background(), open[name](t), store.Options{Keys: testenv.Keys(t)})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			fn(t, st)
		})
	}
}

// The demo roster deals its 28 contestants to the 11 cities in annex order
// (demo.roster: cities[i%11]): the first six cities get 3, the other five 2.
var demoPerCity = map[string]int{"南昌": 3, "九江": 3, "宜春": 3, "上饶": 3, "抚州": 3, "景德镇": 3,
	"萍乡": 2, "吉安": 2, "新余": 2, "鹰潭": 2, "赣州": 2}

func TestStatCountsDemo(t *testing.T) {
	eachBackend(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		ev, err := demo.Create(ctx, st)
		if err != nil {
			t.Fatal(err)
		}
		cs, err := st.Contestants(ctx, ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		// two certificates for people of 南昌, one of them revoked: one counts
		var reqs []store.CertificateIssue
		for _, c := range cs {
			if c.City == "南昌" && len(reqs) < 2 {
				reqs = append(reqs, store.CertificateIssue{Kind: "award", EventID: ev.ID, ContestantID: c.ID,
					Name: c.Name, IDType: c.IDType, IDNumber: c.IDNumber, Scope: "T2026"})
			}
		}
		seal := func(r store.CertificateIssue, serial int64) (store.SealedCertificate, error) {
			n := fmt.Sprintf("T2026%04d", serial)
			return store.SealedCertificate{Number: n, Facts: "{}", Token: n, KeyID: "k"}, nil
		}
		certs, _, err := st.IssueCertificates(ctx, reqs, seal, "test")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.RevokeCertificate(ctx, certs[0].Number, "测试撤销", "test"); err != nil {
			t.Fatal(err)
		}

		got, err := st.StatCounts(ctx, 2026)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(demoPerCity) {
			t.Fatalf("%d rows, want one per city (%d): %+v", len(got), len(demoPerCity), got)
		}
		for _, r := range got {
			wantCerts := 0
			if r.City == "南昌" {
				wantCerts = 1
			}
			if r.Occupation != "养老护理员" || r.Level != 0 || r.Kind != "competition" ||
				r.Contestants != demoPerCity[r.City] || r.Certificates != wantCerts {
				t.Errorf("row %+v: want %d contestants, %d certificates", r, demoPerCity[r.City], wantCerts)
			}
		}
		if other, err := st.StatCounts(ctx, 2025); err != nil || len(other) != 0 {
			t.Errorf("2025: %v, %v; want no rows", other, err)
		}
	})
}

// annex2 is the seed's annex 2 (2021-2022 康养职业技能培训计划任务分解表) as
// printed: 养老护理员 and 育婴员、保育员 per city for 2021, then for 2022.
var annex2 = map[string][4]int64{
	"南昌": {2400, 1500, 1000, 1000}, "九江": {3000, 1500, 1250, 1000}, "宜春": {3900, 1500, 1500, 1000},
	"上饶": {3000, 1500, 1300, 1000}, "抚州": {2400, 1500, 1000, 1000}, "景德镇": {800, 1000, 350, 750},
	"萍乡": {1300, 1250, 500, 750}, "吉安": {3500, 1500, 1400, 1000}, "新余": {1500, 1250, 600, 750},
	"鹰潭": {600, 1000, 250, 750}, "赣州": {6000, 1500, 2450, 1000},
}

// annex2Total is the annex's 全省合计 row.
var annex2Total = [4]int64{28400, 15000, 11600, 10000}

func TestDefaultTargetsAreAnnex2(t *testing.T) {
	eachBackend(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		var total [4]int64
		for yi, year := range []int{2021, 2022} {
			ts, err := st.Targets(ctx, year)
			if err != nil {
				t.Fatal(err)
			}
			if len(ts) != 22 {
				t.Fatalf("%d: %d targets, want 22", year, len(ts))
			}
			for _, tg := range ts {
				row, ok := annex2[tg.City]
				col := 2 * yi
				switch tg.Occupation {
				case "养老护理员":
				case "育婴员/保育员":
					col++
				default:
					t.Fatalf("unexpected occupation %q", tg.Occupation)
				}
				if !ok || tg.Target != row[col] {
					t.Errorf("%d %s %s = %d, annex says %d", year, tg.City, tg.Occupation, tg.Target, row[col])
				}
				total[col] += tg.Target
			}
		}
		if total != annex2Total {
			t.Errorf("city sums %v, annex 全省合计 %v", total, annex2Total)
		}
	})
}

func TestSetTarget(t *testing.T) {
	eachBackend(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		if _, err := st.SetTarget(ctx, store.Target{Year: 2021, City: "南昌", Occupation: "养老护理员", Target: 2500}, "organizer"); err != nil {
			t.Fatal(err)
		}
		if _, err := st.SetTarget(ctx, store.Target{Year: 2026, City: " 九江 ", Occupation: "养老护理员", Target: 800}, "organizer"); err != nil {
			t.Fatal(err)
		}
		for _, bad := range []store.Target{
			{Year: 21, City: "南昌", Occupation: "养老护理员", Target: 1},
			{Year: 2021, City: "", Occupation: "养老护理员", Target: 1},
			{Year: 2021, City: "南昌", Occupation: "", Target: 1},
			{Year: 2021, City: "南昌", Occupation: "养老护理员", Target: -1},
		} {
			_, err := st.SetTarget(ctx, bad, "organizer")
			var se *skillscore.Error
			if !errors.As(err, &se) || se.Code != skillscore.EInvalid || se.Message == "" {
				t.Errorf("SetTarget(%+v) = %v, want EInvalid with a message", bad, err)
			}
		}
		ts, err := st.Targets(ctx, 2021)
		if err != nil {
			t.Fatal(err)
		}
		for _, tg := range ts {
			if tg.City == "南昌" && tg.Occupation == "养老护理员" && (tg.Target != 2500 || tg.UpdatedBy != "organizer" || tg.UpdatedAt == 0) {
				t.Errorf("edited target %+v", tg)
			}
		}
		if len(ts) != 22 {
			t.Errorf("%d targets for 2021 after edit, want 22 (replaced, not doubled)", len(ts))
		}
		ts, err = st.Targets(ctx, 2026)
		if err != nil || len(ts) != 1 || ts[0].City != "九江" || ts[0].Target != 800 {
			t.Errorf("2026 targets %+v, %v", ts, err)
		}
		if bad, _, err := st.VerifyAudit(ctx); err != nil || bad != 0 {
			t.Errorf("audit chain after target edits: bad entry %d, %v", bad, err)
		}
	})
}
