package store

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"skillscore"
	"skillscore/idnumber"
)

// rosterOf builds n valid contestants with distinct resident-card numbers.
func rosterOf(t testing.TB, n int, group string) []Contestant {
	t.Helper()
	out := make([]Contestant, n)
	birth := time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range out {
		id, err := idnumber.Make("361102", birth.AddDate(0, 0, i/500), i%500*2+1)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = Contestant{Name: fmt.Sprintf("选手%04d", i), Gender: "男", IDType: "居民身份证", IDNumber: id,
			Organization: "上饶市养老服务中心", City: "上饶", GroupCode: group, Level: 4}
	}
	return out
}

func sha(b byte) string { return strings.Repeat(string("0123456789abcdef"[b%16]), 64) }

func TestImportRosterStoresBatchesAndRecordsFile(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		s := open(Options{})
		ctx := context.Background()
		d := seed(t, s)
		cs := rosterOf(t, 1203, "employee") // three batches, the last one short
		var reported []int
		imp, err := s.ImportRoster(ctx, RosterImport{EventID: d.ev.ID, FileName: "名单.xlsx", SHA256: sha(1), Actor: "组织者", Basis: BasisConsent},
			cs, func(n int) { reported = append(reported, n) })
		if err != nil {
			t.Fatal(err)
		}
		if imp.ID == 0 || imp.Contestants != 1203 {
			t.Errorf("import record = %+v", imp)
		}
		if fmt.Sprint(reported) != "[500 1000 1203]" {
			t.Errorf("progress = %v, want [500 1000 1203]", reported)
		}
		got, err := s.Contestants(ctx, d.ev.ID)
		if err != nil || len(got) != 2+1203 {
			t.Fatalf("roster has %d contestants (%v), want %d", len(got), err, 2+1203)
		}
		last := got[len(got)-1]
		if last.Name != "选手1202" || last.IDNumber != cs[1202].IDNumber || last.City != "上饶" || last.Level != 4 ||
			last.Organization != "上饶市养老服务中心" || last.Code != nil || last.CreatedAt.IsZero() {
			t.Errorf("last stored contestant = %+v", last)
		}
		imps, err := s.RosterImports(ctx, d.ev.ID)
		if err != nil || len(imps) != 1 || imps[0].SHA256 != sha(1) || imps[0].FileName != "名单.xlsx" {
			t.Fatalf("roster imports = %+v, %v", imps, err)
		}
		trail, err := s.AuditTrail(ctx, d.ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		if e := trail[len(trail)-1]; e.Action != "roster.import" || e.Subject != "名单.xlsx" || !strings.Contains(e.Detail, `"contestants":1203`) {
			t.Errorf("last audit entry = %+v", e)
		}
		if bad, _, err := s.VerifyAudit(ctx); err != nil || bad != 0 {
			t.Errorf("audit chain broken at %d: %v", bad, err)
		}
	})
}

func TestImportRosterAllOrNothing(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		s := open(Options{})
		ctx := context.Background()
		d := seed(t, s)
		before, _ := s.AuditTrail(ctx, d.ev.ID)
		imp := RosterImport{EventID: d.ev.ID, FileName: "a.csv", SHA256: sha(2), Actor: "组织者", Basis: BasisDuty}

		// One person of 700 is already on the roster: the second batch
		// would fail, and the first must not stay behind.
		cs := rosterOf(t, 700, "employee")
		cs[650].IDType, cs[650].IDNumber = d.cs[0].IDType, d.cs[0].IDNumber
		_, err := s.ImportRoster(ctx, imp, cs, nil)
		if skillscore.ErrorCode(err) != skillscore.EConflict || !strings.Contains(skillscore.ErrorMessage(err), "第 651 名") {
			t.Fatalf("existing identity: got %v, want conflict naming 第 651 名", err)
		}
		cs = rosterOf(t, 700, "employee")
		cs[699].IDNumber = cs[3].IDNumber
		if _, err := s.ImportRoster(ctx, imp, cs, nil); skillscore.ErrorCode(err) != skillscore.EInvalid {
			t.Fatalf("identity twice in the batch: got %v, want invalid", err)
		}
		cs = rosterOf(t, 700, "employee")
		cs[600].GroupCode = "retired"
		if _, err := s.ImportRoster(ctx, imp, cs, nil); skillscore.ErrorCode(err) != skillscore.EInvalid {
			t.Fatalf("unknown group: got %v, want invalid", err)
		}
		if _, err := s.ImportRoster(ctx, RosterImport{EventID: d.ev.ID + 99, FileName: "x", SHA256: sha(3), Basis: BasisConsent}, rosterOf(t, 1, "employee"), nil); skillscore.ErrorCode(err) != skillscore.ENotFound {
			t.Fatalf("unknown event: got %v, want not found", err)
		}
		if _, err := s.ImportRoster(ctx, imp, nil, nil); skillscore.ErrorCode(err) != skillscore.EInvalid {
			t.Fatalf("empty roster: got %v, want invalid", err)
		}

		got, _ := s.Contestants(ctx, d.ev.ID)
		imps, _ := s.RosterImports(ctx, d.ev.ID)
		after, _ := s.AuditTrail(ctx, d.ev.ID)
		if len(got) != 2 || len(imps) != 0 || len(after) != len(before) {
			t.Fatalf("after rejected imports: %d contestants, %d imports, %d audit entries; want 2, 0, %d",
				len(got), len(imps), len(after), len(before))
		}
	})
}

func TestImportRosterSameFileTwiceIsRefused(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		s := open(Options{})
		ctx := context.Background()
		d := seed(t, s)
		imp := RosterImport{EventID: d.ev.ID, FileName: "职工组.xlsx", SHA256: sha(4), Actor: "组织者", Basis: BasisContract}
		if _, err := s.ImportRoster(ctx, imp, rosterOf(t, 3, "employee"), nil); err != nil {
			t.Fatal(err)
		}
		if err := s.CheckRosterFile(ctx, d.ev.ID, sha(4)); skillscore.ErrorCode(err) != skillscore.EConflict ||
			!strings.Contains(skillscore.ErrorMessage(err), "重复名单") {
			t.Fatalf("CheckRosterFile on an imported file: %v", err)
		}
		if err := s.CheckRosterFile(ctx, d.ev.ID, sha(5)); err != nil {
			t.Fatalf("CheckRosterFile on a new file: %v", err)
		}
		// The same file again: refused by its hash even if the people differed.
		_, err := s.ImportRoster(ctx, imp, rosterOf(t, 1, "student")[:1], nil)
		if skillscore.ErrorCode(err) != skillscore.EConflict || !strings.Contains(skillscore.ErrorMessage(err), "重复名单") {
			t.Fatalf("same file twice: got %v, want a duplicate-roster conflict", err)
		}
		got, _ := s.Contestants(ctx, d.ev.ID)
		if len(got) != 5 {
			t.Fatalf("roster has %d contestants, want 5", len(got))
		}
	})
}
