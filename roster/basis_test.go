package roster

import (
	"context"
	"strings"
	"testing"

	"skillscore"
	"skillscore/store"
)

// A real import needs the legal basis the organizer confirms; a dry run
// does not. The refusal comes before any row is read (no report) and stores
// nothing; the import that follows records the basis and the notice.
func TestImportNeedsBasis(t *testing.T) {
	forEachStore(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		ev := newEvent(t, st)
		data := workbook(t, sheetSpec{name: "名单", rows: rosterRows(t, 5, "报名表")})
		before := countsOf(t, st, ev.ID)
		for _, basis := range []string{"", "agreed"} {
			rep, err := Import(ctx, st, ev.ID, "名单.xlsx", data, Options{Actor: "组织者", Basis: basis})
			if skillscore.ErrorCode(err) != skillscore.EInvalid || !strings.Contains(skillscore.ErrorMessage(err), "合法性基础") || rep != nil {
				t.Fatalf("basis %q: %v, report %v; want invalid naming 合法性基础 and no report", basis, err, rep)
			}
		}
		if got := countsOf(t, st, ev.ID); got != before {
			t.Fatalf("refused imports stored %+v, want %+v", got, before)
		}
		if rep, err := Import(ctx, st, ev.ID, "名单.xlsx", data, Options{DryRun: true}); err != nil || rep.Accepted != 5 {
			t.Fatalf("dry run without a basis: %v", err)
		}

		// The organizer was shown the default notice; it changed before
		// the confirmation arrived: refused, nothing stored.
		shown, err := st.EventPrivacy(ctx, ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		n, err := st.SetPrivacyNotice(ctx, ev.ID, "新的告知书：{赛事名称}", "组织者")
		if err != nil {
			t.Fatal(err)
		}
		before = countsOf(t, st, ev.ID)
		_, err = Import(ctx, st, ev.ID, "名单.xlsx", data, Options{Actor: "组织者", Basis: store.BasisContract, NoticeSHA256: shown.Notice.SHA256})
		if skillscore.ErrorCode(err) != skillscore.EConflict || !strings.Contains(skillscore.ErrorMessage(err), "第 1 版") {
			t.Fatalf("stale notice: %v, want a conflict naming 第 1 版", err)
		}
		if got := countsOf(t, st, ev.ID); got != before {
			t.Fatalf("a stale notice stored %+v, want %+v", got, before)
		}

		rep, err := Import(ctx, st, ev.ID, "名单.xlsx", data, Options{Actor: "组织者", Basis: store.BasisContract, NoticeSHA256: n.SHA256})
		if err != nil {
			t.Fatal(err)
		}
		if s := rep.Stored; s.Basis != store.BasisContract || s.NoticeID == nil || *s.NoticeID != n.ID || s.NoticeSHA256 != n.SHA256 {
			t.Fatalf("import record = %+v, want contract and notice %d", s, n.ID)
		}
	})
}
