package roster

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"github.com/go-sql-driver/mysql"

	"skillscore/store"
)

// Import tests run on a fresh SQLite file and, when SKILLSCORE_TEST_MYSQL_DSN
// is set (as make test sets it), on a scratch MariaDB/MySQL database, like
// the store suite. With CI=true a missing DSN fails instead of skipping.
const mysqlEnv = "SKILLSCORE_TEST_MYSQL_DSN"

type backend struct {
	name string
	open func(tb testing.TB) *store.Store
}

func backends(tb testing.TB) []backend {
	bs := []backend{{"sqlite", func(tb testing.TB) *store.Store {
		return openStore(tb, "sqlite:"+filepath.Join(tb.TempDir(), "roster.db"))
	}}}
	dsn := os.Getenv(mysqlEnv)
	switch {
	case dsn != "":
		bs = append(bs, backend{"mysql", func(tb testing.TB) *store.Store { return openScratchMySQL(tb, dsn) }})
	case os.Getenv("CI") == "true":
		tb.Fatalf("CI=true but %s is not set", mysqlEnv)
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
	st, err := store.Open(context.Background(), url, store.Options{})
	if err != nil {
		tb.Fatalf("open %s: %v", url, err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

// openScratchMySQL creates a database of its own for one test and drops it
// afterwards.
func openScratchMySQL(tb testing.TB, dsn string) *store.Store {
	tb.Helper()
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		tb.Fatalf("%s: %v", mysqlEnv, err)
	}
	admin, err := sql.Open("mysql", dsn)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { admin.Close() })
	buf := make([]byte, 6)
	rand.Read(buf)
	name := "skillscore_r_" + hex.EncodeToString(buf)
	if _, err := admin.Exec("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"); err != nil {
		tb.Fatalf("MariaDB at %s (%s): %v", cfg.Addr, mysqlEnv, err)
	}
	tb.Cleanup(func() {
		if _, err := admin.Exec("DROP DATABASE " + name); err != nil {
			tb.Errorf("drop %s: %v", name, err)
		}
	})
	cfg.DBName = name
	st := openStore(tb, "mysql:"+cfg.FormatDSN())
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
