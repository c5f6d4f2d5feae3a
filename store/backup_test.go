package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"skillscore"
)

// fillForBackup writes rows that are easy to get subtly wrong in a copy:
// 4-byte characters, int64 extremes, NULL beside ”, microsecond times,
// marks with multipliers and an audit chain of several entries.
func fillForBackup(t *testing.T, s *Store) seeded {
	t.Helper()
	ctx := context.Background()
	d := seed(t, s)
	for i, v := range []int64{25000, 100000, 33333} {
		if _, err := s.RecordMark(ctx, MarkOp{OpID: fmt.Sprintf("tab-1:%04d", i), EventID: d.ev.ID, ModuleID: d.pra.ID,
			ContestantID: d.cs[i%2].ID, JudgeID: d.judge.ID, AspectID: d.pra.Aspects[0].ID, Value: v, Multiplier: 12345,
			Actor: "J01"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.ImportScores(ctx, d.ev.ID, d.theory.ID, []ImportedScore{{ContestantID: d.cs[0].ID, Value: 987654}},
		"理论成绩.xlsx", "测试员"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateUser(ctx, User{Username: "chief𠮷", Name: "𠮷野家裁判长", Role: "chief", PasswordHash: "$2a$10$x"}, "测试员"); err != nil {
		t.Fatal(err)
	}
	// Values no store method writes but the columns allow.
	for _, q := range []string{
		"UPDATE contestants SET completion_ms = 9223372036854775807, organization = '𠀾𡃁 养老院' WHERE id = " + fmt.Sprint(d.cs[0].ID),
		"UPDATE contestants SET completion_ms = -9223372036854775808 WHERE id = " + fmt.Sprint(d.cs[1].ID),
		"UPDATE modules SET signed_off_at = 1764567890123456, signed_off_by = NULL WHERE id = " + fmt.Sprint(d.pra.ID),
	} {
		if _, err := s.w.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	return d
}

// dumpAll reads every table of the database (its own catalogue, not the
// backup's discovery) into sorted text rows, NULL distinct from ”.
func dumpAll(t *testing.T, s *Store) map[string][]string {
	t.Helper()
	ctx := context.Background()
	var names []string
	q := "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
	if s.dialect == MySQL {
		q = "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()"
	}
	if err := s.r.SelectContext(ctx, &names, q); err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, n := range names {
		if n == migrationsTable {
			continue
		}
		rows, err := s.r.QueryxContext(ctx, "SELECT * FROM "+n)
		if err != nil {
			t.Fatal(err)
		}
		var lines []string
		for rows.Next() {
			m := map[string]any{}
			if err := rows.MapScan(m); err != nil {
				t.Fatal(err)
			}
			var cells []string
			for k, v := range m {
				switch v := v.(type) {
				case nil:
					cells = append(cells, k+"=NULL")
				case []byte: // MySQL's text protocol: every value
					cells = append(cells, fmt.Sprintf("%s=%q", k, v))
				default:
					cells = append(cells, fmt.Sprintf("%s=%q", k, fmt.Sprint(v)))
				}
			}
			sort.Strings(cells)
			lines = append(lines, strings.Join(cells, " "))
		}
		rows.Close()
		sort.Strings(lines)
		out[n] = lines
	}
	return out
}

func sameDump(t *testing.T, want, got map[string][]string) {
	t.Helper()
	if len(want) != len(got) {
		t.Errorf("%d tables restored, %d in the source", len(got), len(want))
	}
	for n, rows := range want {
		g := got[n]
		if len(g) != len(rows) {
			t.Errorf("table %s: %d rows restored, %d in the source", n, len(g), len(rows))
			continue
		}
		for i := range rows {
			if rows[i] != g[i] {
				t.Errorf("table %s row %d:\n source   %s\n restored %s", n, i, rows[i], g[i])
			}
		}
	}
}

// TestBackupRestoreAcrossDatabases backs each database up and restores the
// file into each database (SQLite → MariaDB is how an event outgrows a
// laptop): every row comes back exactly, the audit chain verifies and goes
// on, and new rows get ids after the restored ones.
func TestBackupRestoreAcrossDatabases(t *testing.T) {
	bs := backends(t)
	for _, from := range bs {
		for _, to := range bs {
			t.Run(from.name+"_to_"+to.name, func(t *testing.T) {
				ctx := context.Background()
				src := from.open(t, Options{})
				d := fillForBackup(t, src)
				file := filepath.Join(t.TempDir(), "备份.skillscore")
				info, err := src.Backup(ctx, file)
				if err != nil {
					t.Fatal(err)
				}
				want := dumpAll(t, src)
				if len(want["marks"]) != 2 || len(want["audit_log"]) == 0 || len(want["targets"]) == 0 {
					t.Fatalf("source lacks the rows this test is about: %d marks, %d audit, %d targets",
						len(want["marks"]), len(want["audit_log"]), len(want["targets"]))
				}
				if info.Revisions[d.ev.Code] == 0 || info.AuditLastID != int64(len(want["audit_log"])) || info.Source != src.dialect {
					t.Errorf("backup info %+v: want revision > 0, audit id %d", info, len(want["audit_log"]))
				}
				if got, err := ReadBackupInfo(ctx, file); err != nil || got.AuditHash != info.AuditHash || got.Rows["marks"] != 2 {
					t.Errorf("ReadBackupInfo: %+v %v", got, err)
				}

				if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
					t.Errorf("backup file mode: %v %v, want 0600 (it holds ID numbers)", fi.Mode(), err)
				}
				dst := to.open(t, Options{})
				if _, err := dst.Restore(ctx, file, false); err != nil {
					t.Fatal(err)
				}
				sameDump(t, want, dumpAll(t, dst))
				if bad, n, err := dst.VerifyAudit(ctx); err != nil || bad != 0 || n != len(want["audit_log"]) {
					t.Fatalf("audit after restore: bad %d, %d checked, %v", bad, n, err)
				}
				// The restored database takes new work: auto-increment ids
				// continue after the restored rows and the chain goes on.
				users, _ := src.Users(ctx)
				u, err := dst.CreateUser(ctx, User{Username: "new", Name: "新用户", Role: "organizer", PasswordHash: "x"}, "测试员")
				if err != nil {
					t.Fatal(err)
				}
				if u.ID != users[len(users)-1].ID+1 {
					t.Errorf("new user id %d, want %d (after the restored ones)", u.ID, users[len(users)-1].ID+1)
				}
				if _, err := dst.RecordMark(ctx, MarkOp{OpID: "after-restore", EventID: d.ev.ID, ModuleID: d.pra.ID,
					ContestantID: d.cs[1].ID, JudgeID: d.judge.ID, AspectID: d.pra.Aspects[0].ID, Value: 5000, Actor: "J01"}); err != nil {
					t.Fatal(err)
				}
				if bad, _, err := dst.VerifyAudit(ctx); err != nil || bad != 0 {
					t.Fatalf("audit after new work on the restored database: bad %d, %v", bad, err)
				}
			})
		}
	}
}

// TestRestoreRefusesNonEmptyTarget: restoring over an event's data would
// destroy it, so it is refused (nothing changes) unless forced.
func TestRestoreRefusesNonEmptyTarget(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		ctx := context.Background()
		src := open(Options{})
		fillForBackup(t, src)
		file := filepath.Join(t.TempDir(), "b.skillscore")
		if _, err := src.Backup(ctx, file); err != nil {
			t.Fatal(err)
		}
		dst := open(Options{})
		if _, err := dst.CreateUser(ctx, User{Username: "keep", Name: "留着", Role: "organizer", PasswordHash: "x"}, "测试员"); err != nil {
			t.Fatal(err)
		}
		before := dumpAll(t, dst)
		_, err := dst.Restore(ctx, file, false)
		var se *skillscore.Error
		if !errors.As(err, &se) || se.Code != skillscore.EConflict || !strings.Contains(se.Message, "不是空的") || !strings.Contains(se.Message, "not empty") {
			t.Fatalf("restore over data: want a conflict saying the target is not empty, got %v", err)
		}
		sameDump(t, before, dumpAll(t, dst))
		if _, err := dst.Restore(ctx, file, true); err != nil {
			t.Fatalf("forced restore: %v", err)
		}
		sameDump(t, dumpAll(t, src), dumpAll(t, dst))
	})
}

// TestRestoreIsAllOrNothing: a backup file that lost rows is refused and
// leaves the target exactly as it was, even when most rows were already
// inserted (one transaction).
func TestRestoreIsAllOrNothing(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		ctx := context.Background()
		src := open(Options{})
		fillForBackup(t, src)
		file := filepath.Join(t.TempDir(), "b.skillscore")
		if _, err := src.Backup(ctx, file); err != nil {
			t.Fatal(err)
		}
		// Damage the file: the audit trail loses its last entry (the table
		// copied late, after events, marks and the rest).
		db, err := sql.Open("sqlite", "file:"+file)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec("DELETE FROM audit_log WHERE id = (SELECT MAX(id) FROM audit_log)"); err != nil {
			t.Fatal(err)
		}
		db.Close()
		dst := open(Options{})
		before := dumpAll(t, dst)
		_, err = dst.Restore(ctx, file, false)
		if err == nil || !strings.Contains(err.Error(), "不完整") {
			t.Fatalf("restore of a damaged backup: want 不完整, got %v", err)
		}
		sameDump(t, before, dumpAll(t, dst))
	})
}

// TestBackupRefusesWhatIsNotABackup: a database file or any other file given
// as a backup is refused with a message, and the file is left untouched.
func TestBackupRefusesWhatIsNotABackup(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	live := filepath.Join(dir, "live.db")
	s, err := Open(ctx, "sqlite:"+live, withTestKeys(t, Options{}))
	if err != nil {
		t.Fatal(err)
	}
	seed(t, s)
	s.Close()
	junk := filepath.Join(dir, "junk.bin")
	os.WriteFile(junk, []byte(strings.Repeat("这不是备份", 500)), 0o644)
	for _, f := range []string{live, junk, filepath.Join(dir, "missing")} {
		stat0, _ := os.ReadFile(f)
		dst := openTestSQLite(t, Options{})
		_, err := dst.Restore(ctx, f, false)
		var se *skillscore.Error
		if !errors.As(err, &se) || !(strings.Contains(se.Message, "不是 skillscore 备份文件") || strings.Contains(se.Message, "无法读取")) {
			t.Errorf("restore %s: want a refusal naming the file, got %v", filepath.Base(f), err)
		}
		if stat1, _ := os.ReadFile(f); string(stat0) != string(stat1) {
			t.Errorf("restore changed %s", filepath.Base(f))
		}
	}
	// A backup made by a newer release: its schema is ahead of this program.
	src := openTestSQLite(t, Options{})
	newer := filepath.Join(dir, "newer.skillscore")
	if _, err := src.Backup(ctx, newer); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", "file:"+newer)
	if err == nil {
		_, err = db.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, '999_future.sql', 0)")
		db.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	if _, err := openTestSQLite(t, Options{}).Restore(ctx, newer, false); err == nil || !strings.Contains(err.Error(), "来自更新版本的 skillscore") {
		t.Errorf("restore of a newer release's backup: want 来自更新版本的 skillscore, got %v", err)
	}
}

// TestBackupTablesFollowTheSchema: a table a later migration adds is backed
// up without editing any list, after the tables it references.
func TestBackupTablesFollowTheSchema(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		ctx := context.Background()
		s := open(Options{})
		if _, err := s.w.ExecContext(ctx, `CREATE TABLE aaa_later (
			id INTEGER PRIMARY KEY, sheet_id INTEGER NOT NULL, note TEXT,
			CONSTRAINT aaa_later_sheet FOREIGN KEY (sheet_id) REFERENCES sheets (id)
		) /*!40101 ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 */`); err != nil {
			t.Fatal(err)
		}
		ts, err := schemaTables(ctx, s.w, s.dialect)
		if err != nil {
			t.Fatal(err)
		}
		pos := map[string]int{}
		for i, tb := range ts {
			pos[tb.name] = i
		}
		later, ok := pos["aaa_later"]
		if !ok || later < pos["sheets"] || pos["sheets"] < pos["modules"] || pos["modules"] < pos["events"] {
			t.Fatalf("table order %v: aaa_later must follow sheets, sheets modules, modules events", pos)
		}
		if _, ok := pos[migrationsTable]; ok {
			t.Errorf("schema_migrations is copied: each database keeps its own")
		}
		if got := len(ts[later].cols); got != 3 {
			t.Errorf("aaa_later has %d columns, want 3", got)
		}
	})
}

// TestBackupWhileWriting: marks committed while the backup reads are either
// wholly in it or wholly out; the recorded revision says which.
func TestBackupWhileWriting(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		s := open(Options{})
		d := seed(t, s)
		revs := make(chan map[string]int64, 1)
		go func() {
			acked := map[string]int64{}
			defer func() { revs <- acked }()
			for i := 0; ctx.Err() == nil; i++ {
				id := fmt.Sprintf("w-%d", i)
				ack, err := s.RecordMark(ctx, MarkOp{OpID: id, EventID: d.ev.ID, ModuleID: d.pra.ID, ContestantID: d.cs[i%2].ID,
					JudgeID: d.judge.ID, AspectID: d.pra.Aspects[0].ID, Value: int64(i%10) * 10000, Actor: "J01"})
				if err != nil {
					return
				}
				acked[id] = ack.Revision
			}
		}()
		// Let some marks commit first, so the snapshot falls among them.
		for deadline := time.Now().Add(10 * time.Second); ; {
			var n int
			s.r.GetContext(ctx, &n, "SELECT COUNT(*) FROM client_ops")
			if n >= 20 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("no marks committed")
			}
			time.Sleep(5 * time.Millisecond) // polling a condition, bounded
		}
		file := filepath.Join(t.TempDir(), "b.skillscore")
		info, err := s.Backup(ctx, file)
		if err != nil {
			t.Fatal(err)
		}
		// Keep writing until some marks commit after the snapshot.
		for deadline := time.Now().Add(10 * time.Second); ; {
			ev, _ := s.EventByCode(ctx, d.ev.Code)
			if ev.Revision > info.Revisions[d.ev.Code]+5 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("no marks after the backup")
			}
			time.Sleep(5 * time.Millisecond) // polling a condition, bounded
		}
		cancel()
		acked := <-revs
		dst := openTestSQLite(t, Options{})
		if _, err := dst.Restore(context.Background(), file, false); err != nil {
			t.Fatal(err)
		}
		var restored []string
		if err := dst.r.SelectContext(context.Background(), &restored, "SELECT op_id FROM client_ops"); err != nil {
			t.Fatal(err)
		}
		have := map[string]bool{}
		for _, id := range restored {
			have[id] = true
		}
		in, out := 0, 0
		for id, rev := range acked {
			switch inSnap := rev <= info.Revisions[d.ev.Code]; {
			case inSnap && !have[id]:
				t.Errorf("op %s (revision %d) committed before the snapshot (revision %d) but is not in the backup", id, rev, info.Revisions[d.ev.Code])
			case !inSnap && have[id]:
				t.Errorf("op %s (revision %d) committed after the snapshot (revision %d) but is in the backup", id, rev, info.Revisions[d.ev.Code])
			case inSnap:
				in++
			default:
				out++
			}
		}
		if in == 0 || out == 0 {
			t.Fatalf("the backup did not fall among the marks: %d before, %d after", in, out)
		}
		if bad, _, err := dst.VerifyAudit(context.Background()); err != nil || bad != 0 {
			t.Fatalf("audit after restore: bad %d, %v", bad, err)
		}
	})
}

// TestBackupCopiesBytesExactly: no shipped table has a binary column yet, so
// one is made here and copied database → backup file → database: bytes that
// are not UTF-8, an empty value and NULL come back as they were.
func TestBackupCopiesBytesExactly(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		ctx := context.Background()
		mk := func(s *Store) []backupTable {
			if _, err := s.w.ExecContext(ctx,
				"CREATE TABLE zz_blobs (id INTEGER PRIMARY KEY, data BLOB, note TEXT) /*!40101 ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 */"); err != nil {
				t.Fatal(err)
			}
			ts, err := schemaTables(ctx, s.w, s.dialect)
			if err != nil {
				t.Fatal(err)
			}
			for _, tb := range ts {
				if tb.name == "zz_blobs" {
					return []backupTable{tb}
				}
			}
			t.Fatal("zz_blobs not found")
			return nil
		}
		src, file, back := open(Options{}), openTestSQLite(t, Options{}), open(Options{})
		tables := mk(src)
		mk(file)
		mk(back)
		if _, err := src.w.ExecContext(ctx, "INSERT INTO zz_blobs (id, data, note) VALUES (1, ?, NULL), (2, ?, 'x'), (3, NULL, '')",
			[]byte{0, 0xff, 0x80, 0xc3, 'a'}, []byte{}); err != nil {
			t.Fatal(err)
		}
		for _, hop := range []struct{ from, to *Store }{{src, file}, {file, back}} {
			n := map[string]int64{}
			if err := hop.to.inTx(ctx, func(tx *sqlx.Tx) error {
				return copyTables(ctx, hop.from.r, tx, hop.to.dialect, tables, n)
			}); err != nil || n["zz_blobs"] != 3 {
				t.Fatalf("copy: %v, %d rows", err, n["zz_blobs"])
			}
		}
		want, got := dumpAll(t, src)["zz_blobs"], dumpAll(t, back)["zz_blobs"]
		if strings.Join(want, "\n") != strings.Join(got, "\n") || !strings.Contains(strings.Join(got, " "), `data="\x00\xff\x80\xc3a"`) {
			t.Errorf("bytes after two copies:\n got  %q\n want %q", got, want)
		}
		var emptyNotNull int
		if err := back.r.GetContext(ctx, &emptyNotNull, "SELECT COUNT(*) FROM zz_blobs WHERE id = 2 AND data IS NOT NULL AND LENGTH(data) = 0"); err != nil || emptyNotNull != 1 {
			t.Errorf("an empty value became NULL (%v)", err)
		}
	})
}
