package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"skillscore/demo"
	"skillscore/internal/testenv"
	"skillscore/store"
)

// TestNoPersonalDataInPlainTextAfterTheDemo builds the whole demo — the
// event in progress and the finished one taken through marking, decryption,
// publication, appeals and certificates — on SQLite and MariaDB, takes a
// backup, and then reads what an intruder with the files would: the SQLite
// file and WAL byte by byte, every MariaDB table's contents, the backup's
// bytes. None holds a contestant's 证件号码 (either case of the x) or phone.
func TestNoPersonalDataInPlainTextAfterTheDemo(t *testing.T) {
	for _, tg := range dbTargets(t) {
		t.Run(tg.name, func(t *testing.T) {
			ctx := context.Background()
			url := tg.make(t)
			clock := &demo.Clock{}
			st, err := store.Open(ctx, url, store.Options{Now: clock.Now, Keys: testenv.Keys(t)})
			if err != nil {
				t.Fatal(err)
			}
			var cc certConfig
			fs := flag.NewFlagSet("demo", flag.ContinueOnError)
			cc.bind(fs, filepath.Join(t.TempDir(), "keys"))
			if err := fs.Parse(nil); err != nil {
				t.Fatal(err)
			}
			cc.photos = filepath.Join(t.TempDir(), "photos") // the batches' candidates' photos, as the demo keeps them
			if err := ensureKey(cc.keys); err != nil {
				t.Fatal(err)
			}
			cc.useDemoBody() // as serveDemo does: the demo's level certificates need body codes
			if _, err := buildDemo(ctx, st, clock, cc); err != nil {
				t.Fatal(err)
			}
			events, err := st.Events(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var needles []string
			for _, ev := range events {
				cs, err := st.Contestants(ctx, ev.ID)
				if err != nil {
					t.Fatal(err)
				}
				for _, c := range cs {
					if c.Kind == store.KindTeam {
						continue // a team entry holds no personal data; its members are rows of their own
					}
					needles = append(needles, c.IDNumber, strings.ToLower(c.IDNumber))
					if c.Phone != "" {
						needles = append(needles, c.Phone)
					}
				}
				certs, err := st.EventCertificates(ctx, ev.ID)
				if err != nil || (ev.Code == demo.FinishedCode && len(certs) == 0) {
					t.Fatalf("%s certificates: %d, %v", ev.Code, len(certs), err)
				}
			}
			if len(needles) < 100 {
				t.Fatalf("only %d numbers to look for: the demo has fewer people than expected", len(needles))
			}
			backup := filepath.Join(t.TempDir(), "backup.skillscore")
			if _, err := st.Backup(ctx, backup); err != nil {
				t.Fatal(err)
			}
			haystacks := map[string]string{}
			if dsn, ok := strings.CutPrefix(url, "mysql:"); ok {
				haystacks["MariaDB tables"] = dumpMySQL(t, dsn)
			}
			st.Close()
			if path, ok := strings.CutPrefix(url, "sqlite:"); ok {
				for _, f := range []string{path, path + "-wal"} {
					if raw, err := os.ReadFile(f); err == nil {
						haystacks[filepath.Base(f)] = string(raw)
					}
				}
			}
			raw, err := os.ReadFile(backup)
			if err != nil {
				t.Fatal(err)
			}
			haystacks["backup"] = string(raw)
			for where, hay := range haystacks {
				if len(hay) < 10000 {
					t.Fatalf("%s: only %d bytes read", where, len(hay))
				}
				for _, n := range needles {
					if strings.Contains(hay, n) {
						t.Errorf("%s holds %s in plain text", where, n)
					}
				}
			}
		})
	}
}

// dumpMySQL returns every value of every table of the database, as text.
func dumpMySQL(t *testing.T, dsn string) string {
	t.Helper()
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query("SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()")
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	var b strings.Builder
	for _, tb := range tables {
		rs, err := db.Query("SELECT * FROM `" + tb + "`")
		if err != nil {
			t.Fatalf("dump %s: %v", tb, err)
		}
		cols, _ := rs.Columns()
		vals := make([]sql.RawBytes, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rs.Next() {
			if err := rs.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for _, v := range vals {
				fmt.Fprintf(&b, "%s\t", v)
			}
			b.WriteByte('\n')
		}
		rs.Close()
	}
	return b.String()
}
