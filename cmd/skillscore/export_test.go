package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"skillscore/demo"
	"skillscore/exports"
	"skillscore/internal/testenv"
	"skillscore/results"
	"skillscore/store"
)

// TestExportCommand runs `skillscore export` on the demo event: the results
// workbook's totals are results.Compute's, the audit CSV has every entry,
// the promotion list is refused before the final results, a bad --what fails in
// one line.
func TestExportCommand(t *testing.T) {
	bin := binary(t)
	ctx := context.Background()
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "x.db")
	st, err := store.Open(ctx, db, store.Options{Keys: testenv.Keys(t)})
	if err != nil {
		t.Fatal(err)
	}
	ev, err := demo.Create(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := st.Snapshot(ctx, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	want, err := results.Compute(snap)
	if err != nil {
		t.Fatal(err)
	}
	trail, err := st.AuditTrail(ctx, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()

	xlsx := filepath.Join(dir, "r.xlsx")
	if out, err := exec.Command(bin, "export", "--db", db, "--event", ev.Code, "--what", "results-xlsx", "--out", xlsx).CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	f, err := excelize.OpenFile(xlsx)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows("成绩汇总表")
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != exports.HeaderRow+len(want.Result.Contestants) {
		t.Fatalf("%d rows for %d contestants", len(rows), len(want.Result.Contestants))
	}
	totalCol := 5 + len(want.Rules.Modules)
	for i, c := range want.Result.Contestants {
		row := rows[exports.HeaderRow+i]
		// 缺考 shows instead of a total (results.TotalText).
		if total := results.TotalText(c, results.Plain); row[exports.ColCode] != results.DisplayCode(want.Contestants[c.ID]) || row[totalCol] != total {
			t.Errorf("row %d: %q, want code %s total %s", i, row, results.DisplayCode(want.Contestants[c.ID]), total)
		}
	}

	csvPath := filepath.Join(dir, "a.csv")
	if out, err := exec.Command(bin, "export", "--db", db, "--event", ev.Code, "--what", "audit-csv", "--out", csvPath).CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	data, err := os.ReadFile(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\uFEFF")))).ReadAll()
	if err != nil || !bytes.HasPrefix(data, []byte("\uFEFF")) {
		t.Fatalf("audit csv: %v (BOM %v)", err, bytes.HasPrefix(data, []byte("\uFEFF")))
	}
	if len(recs) != len(trail)+1 || recs[len(recs)-1][7] != trail[len(trail)-1].Hash {
		t.Fatalf("%d records for %d entries", len(recs), len(trail))
	}

	promo := filepath.Join(dir, "p.xlsx")
	runFail(t, exec.Command(bin, "export", "--db", db, "--event", ev.Code, "--what", "promotions-xlsx", "--out", promo), "尚未最终确认")
	if _, err := os.Stat(promo); err == nil {
		t.Error("a refused export left a file behind")
	}
	runFail(t, exec.Command(bin, "export", "--db", db, "--event", ev.Code, "--what", "names", "--out", promo), "未知的导出类型")
	if !strings.Contains(usage, "skillscore export") {
		t.Error("usage does not list export")
	}
}
