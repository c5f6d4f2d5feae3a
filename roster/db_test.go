package roster

import (
	"context"
	"testing"

	"skillscore/internal/testdb"
	"skillscore/internal/testenv"
	"skillscore/store"
)

// Import tests run on a fresh SQLite file and, when SKILLSCORE_TEST_MYSQL_DSN
// is set (as make test sets it), on a scratch MariaDB/MySQL database, like
// the store suite. With CI=true a missing DSN fails instead of skipping.
type backend struct {
	name string
	open func(tb testing.TB) *store.Store
}

func backends(tb testing.TB) []backend {
	bs := []backend{{"sqlite", func(tb testing.TB) *store.Store { return testenv.SQLite(tb) }}}
	if dsn := testdb.DSN(tb); dsn != "" {
		bs = append(bs, backend{"mysql", func(tb testing.TB) *store.Store {
			return openStore(tb, "mysql:"+testdb.Scratch(tb, dsn, "skillscore_r_"))
		}})
	}
	return bs
}

func forEachStore(t *testing.T, fn func(t *testing.T, st *store.Store)) {
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) { fn(t, b.open(t)) })
	}
}

func openStore(tb testing.TB, url string) *store.Store {
	tb.Helper()
	st, err := store.Open(context.Background(), url, store.Options{Keys: testenv.Keys(tb)})
	if err != nil {
		tb.Fatalf("open %s: %v", url, err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

// newEvent creates an event with the two usual groups.
func newEvent(tb testing.TB, st *store.Store) store.Event {
	tb.Helper()
	ev, err := st.CreateEvent(context.Background(), store.NewEvent{
		Event: store.Event{Code: "jx-roster", Name: "江西省养老护理员职业技能竞赛", Kind: "competition",
			Occupation: "养老护理员", Year: 2026, Rules: `{"modules":[]}`},
		Groups: testGroups(),
	}, "tester")
	if err != nil {
		tb.Fatalf("create event: %v", err)
	}
	return ev
}
