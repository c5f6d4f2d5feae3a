package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"skillscore/internal/testdb"
)

// TestSmallBatchRunsEveryStep runs the chain at 60 candidates (24 补考) on
// SQLite, and on MariaDB when the suite has one: every step must succeed
// (the chain checks its own counts: parts carried, everyone passed, one
// certificate each), and each is reported.
func TestSmallBatchRunsEveryStep(t *testing.T) {
	dbs := []string{""}
	if dsn := testdb.DSN(t); dsn != "" {
		dbs = append(dbs, "mysql:"+testdb.Scratch(t, dsn, "assessbench_"))
	}
	for _, db := range dbs {
		var out bytes.Buffer
		steps, err := run(context.Background(), config{db: db, dir: t.TempDir(), candidates: 60, retakes: 24, out: &out})
		if err != nil {
			t.Fatalf("%s: %v\n%s", db, err, out.String())
		}
		want := []string{"roster import", "photo ZIP import", "核对补考", "seats", "theory import", "practical sheets",
			"lock and sign-off", "pass computation", "公示", "certificates", "report export"}
		if len(steps) != len(want) {
			t.Fatalf("%d steps, want %d: %+v", len(steps), len(want), steps)
		}
		for i, s := range steps {
			if !strings.HasPrefix(s.name, want[i]) || s.took <= 0 {
				t.Errorf("step %d: %+v, want %q timed", i, s, want[i])
			}
		}
		if !strings.Contains(steps[9].note, "60 issued") || !strings.Contains(steps[2].note, "24 parts carried") {
			t.Errorf("notes: %q, %q", steps[9].note, steps[2].note)
		}
		printSteps(os.Stderr, steps)
	}
}
