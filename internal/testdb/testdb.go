// Package testdb gives tests a MySQL/MariaDB database of their own. It uses
// plain database/sql, never the store, so the store's own tests can use it
// and the server's shared database (the DSN's own) is never migrated.
package testdb

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"testing"

	"github.com/go-sql-driver/mysql"
)

// Env names the DSN of the MySQL/MariaDB server tests may use, e.g.
// root@tcp(127.0.0.1:3306)/test.
const Env = "SKILLSCORE_TEST_MYSQL_DSN"

// DSN returns the server DSN from the environment, or "" when MySQL tests
// should not run. With CI=true an unset DSN fails the test: CI must run them.
func DSN(tb testing.TB) string {
	tb.Helper()
	dsn := os.Getenv(Env)
	if dsn == "" && os.Getenv("CI") == "true" {
		tb.Fatalf("CI=true but %s is not set: the MySQL/MariaDB tests must run in CI", Env)
	}
	return dsn
}

// Scratch creates a fresh utf8mb4 database on the server of dsn, drops it
// when the test ends, and returns the DSN of the new database. An
// unreachable server fails the test.
func Scratch(tb testing.TB, dsn, prefix string) string {
	tb.Helper()
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		tb.Fatalf("%s: %v", Env, err)
	}
	admin, err := sql.Open("mysql", dsn)
	if err == nil {
		err = admin.Ping()
	}
	if err != nil {
		tb.Fatalf("MySQL at %s is unreachable (%s): %v", cfg.Addr, Env, err)
	}
	buf := make([]byte, 6)
	rand.Read(buf)
	name := prefix + hex.EncodeToString(buf)
	if _, err := admin.Exec("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"); err != nil {
		admin.Close()
		tb.Fatalf("create test database: %v", err)
	}
	tb.Cleanup(func() {
		defer admin.Close()
		if _, err := admin.Exec("DROP DATABASE " + name); err != nil {
			tb.Errorf("drop test database %s: %v", name, err)
		}
	})
	cfg.DBName = name
	return cfg.FormatDSN()
}
