package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"skillscore/internal/testdb"
	"skillscore/internal/testenv"
	"skillscore/judges/loadgen"
	"skillscore/store"
)

// dbTargets are the databases a test can make: SQLite always, MariaDB when
// SKILLSCORE_TEST_MYSQL_DSN is set (with CI=true an unset DSN fails).
type dbTarget struct {
	name string
	make func(t *testing.T) string // a fresh, empty database's --db URL
}

func dbTargets(t *testing.T) []dbTarget {
	ts := []dbTarget{{"sqlite", func(t *testing.T) string {
		return "sqlite:" + filepath.Join(t.TempDir(), "skillscore.db")
	}}}
	if dsn := testdb.DSN(t); dsn != "" {
		ts = append(ts, dbTarget{"mysql", func(t *testing.T) string {
			return "mysql:" + testdb.Scratch(t, dsn, "skillscore_bk_")
		}})
	}
	return ts
}

// markAuditIDs maps each judge operation of the event to the id of its
// audit entry.
func markAuditIDs(t *testing.T, db, event string) map[string]int64 {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, db, store.Options{Keys: testenv.Keys(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ev, err := st.EventByCode(ctx, event)
	if err != nil {
		t.Fatal(err)
	}
	trail, err := st.AuditFor(ctx, ev.ID, "", "")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, e := range trail {
		if e.Action != "sheet.mark" {
			continue
		}
		var d struct{ Op string }
		json.Unmarshal([]byte(e.Detail), &d)
		out[d.Op] = e.ID
	}
	return out
}

// TestBackupWhileJudgesSend runs the real server with 20 simulated judges
// sending marks over websockets, takes `skillscore backup` in the middle,
// and restores the file with `skillscore restore` into SQLite and into
// MariaDB: `skillscore audit verify` passes on each, every operation
// acknowledged before the backup began is there, and the copy is exactly the
// database at its recorded point (every mark whose audit entry precedes it
// is there, none after it).
func TestBackupWhileJudgesSend(t *testing.T) {
	if testing.Short() {
		t.Skip("load test: not in -short")
	}
	targets := dbTargets(t)
	for _, source := range targets {
		t.Run("from_"+source.name, func(t *testing.T) {
			ctx := context.Background()
			db := source.make(t)
			st, err := store.Open(ctx, db, store.Options{Keys: testenv.Keys(t)})
			if err != nil {
				t.Fatal(err)
			}
			setup, err := loadgen.Prepare(ctx, st, "bk", 20, 3)
			st.Close()
			if err != nil {
				t.Fatal(err)
			}
			p := start(t, "serve", "--addr", "127.0.0.1:0", "--db", db)
			acked := make(chan loadgen.Op, 1<<16)
			done := make(chan *loadgen.Result, 1)
			go func() {
				done <- loadgen.Run(ctx, p.base, setup, loadgen.Options{Generate: 5 * time.Second, Drain: 30 * time.Second,
					OnAck: func(op loadgen.Op) {
						select {
						case acked <- op:
						default:
						}
					}})
			}()
			await := func(n int, what string) []loadgen.Op {
				var got []loadgen.Op
				for len(got) < n {
					select {
					case op := <-acked:
						got = append(got, op)
					case <-time.After(10 * time.Second):
						t.Fatalf("%s: only %d marks acknowledged", what, len(got))
					}
				}
				return got
			}
			before := await(200, "before the backup")
		drain:
			for {
				select {
				case op := <-acked:
					before = append(before, op)
				default:
					break drain
				}
			}
			file := filepath.Join(t.TempDir(), "event.skillscore")
			began := time.Now()
			out := runOK(t, "backup", "--db", db, "--out", file)
			took := time.Since(began)
			if !strings.Contains(out, "已备份到") || !strings.Contains(out, "一致性时点") {
				t.Errorf("backup output: %s", out)
			}
			await(100, "after the backup") // the judges kept sending
			res := <-done
			p.stop(t)
			if res.Rejected != 0 || len(res.Unacked) != 0 {
				t.Fatalf("%d rejected, %d never acknowledged (%v)", res.Rejected, len(res.Unacked), res.Errors)
			}
			info, err := store.ReadBackupInfo(ctx, file)
			if err != nil {
				t.Fatal(err)
			}
			auditID := markAuditIDs(t, db, "bk")
			for _, op := range before {
				if id, ok := auditID[op.ID]; !ok || id > info.AuditLastID {
					t.Errorf("op %s was acknowledged before the backup began but its audit entry %d is past the backup's point %d",
						op.ID, id, info.AuditLastID)
				}
			}
			in, after := 0, 0
			for _, op := range res.Ops {
				if auditID[op.ID] <= info.AuditLastID {
					in++
				} else {
					after++
				}
			}
			if after == 0 {
				t.Fatalf("no mark was committed after the backup's point: the backup did not run among the judges' marks")
			}
			t.Logf("backup of %s under load took %v: %d marks before its point, %d after", source.name, took, in, after)

			for _, target := range targets {
				t.Run("to_"+target.name, func(t *testing.T) {
					tdb := target.make(t)
					out := runOK(t, "restore", "--db", tdb, file)
					if !strings.Contains(out, "已从") || !strings.Contains(out, "审计链完整") {
						t.Errorf("restore output: %s", out)
					}
					if out := runOK(t, "audit", "verify", "--db", tdb); !strings.Contains(out, "审计链完整") {
						t.Errorf("audit verify: %s", out)
					}
					restored := markAuditIDs(t, tdb, "bk")
					for _, op := range res.Ops {
						src := auditID[op.ID]
						got, ok := restored[op.ID]
						switch {
						case src <= info.AuditLastID && (!ok || got != src):
							t.Errorf("op %s (audit entry %d, before the backup's point %d) restored as %d, present %v", op.ID, src, info.AuditLastID, got, ok)
						case src > info.AuditLastID && ok:
							t.Errorf("op %s (audit entry %d) came after the backup's point %d but was restored", op.ID, src, info.AuditLastID)
						}
					}
					if len(restored) != in {
						t.Errorf("%d marks restored, %d acknowledged before the backup's point", len(restored), in)
					}
					st, err := store.Open(ctx, tdb, store.Options{Keys: testenv.Keys(t)})
					if err != nil {
						t.Fatal(err)
					}
					defer st.Close()
					ev, err := st.EventByCode(ctx, "bk")
					if err != nil {
						t.Fatal(err)
					}
					if ev.Revision != info.Revisions["bk"] {
						t.Errorf("restored revision %d, the backup recorded %d", ev.Revision, info.Revisions["bk"])
					}
					// The marks themselves: each is the value of the last
					// operation on it before the backup's point.
					want := map[string]int64{}
					wantID := map[string]int64{}
					for _, op := range res.Ops {
						k := op.Judge + "|" + op.Contestant + "|" + op.Aspect
						if id := auditID[op.ID]; id <= info.AuditLastID && id > wantID[k] {
							want[k], wantID[k] = int64(op.Value)*10000, id
						}
					}
					marks, err := st.Marks(ctx, ev.ID)
					if err != nil {
						t.Fatal(err)
					}
					cs, err := st.Contestants(ctx, ev.ID)
					if err != nil {
						t.Fatal(err)
					}
					code := map[int64]string{}
					for _, c := range cs {
						code[c.ID] = *c.Code
					}
					for _, m := range marks {
						k := m.JudgeCode + "|" + code[m.ContestantID] + "|" + m.AspectCode
						if w, ok := want[k]; !ok || m.Value != w {
							t.Errorf("mark %s restored as %d, the last value before the backup's point was %d (known %v)", k, m.Value, w, ok)
						}
						delete(want, k)
					}
					if len(want) != 0 {
						t.Errorf("%d marks set before the backup's point are missing after restore", len(want))
					}
				})
			}
		})
	}
}

// TestBackupRestoreRefusals: the mistakes an organizer can make at night
// end in one line, in Chinese then English, and change nothing.
func TestBackupRestoreRefusals(t *testing.T) {
	bin := binary(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "live.db")
	file := filepath.Join(dir, "b.skillscore")
	st, err := store.Open(context.Background(), "sqlite:"+db, store.Options{Keys: testenv.Keys(t)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = st.CreateUser(context.Background(), store.User{Username: "org", Name: "组织者", Role: "organizer", PasswordHash: "x"}, "测试")
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	runOK(t, "backup", "--db", "sqlite:"+db, "--out", file)
	first, _ := os.ReadFile(file)

	runFail(t, exec.Command(bin, "backup", "--db", "sqlite:"+db, "--out", file), "已存在")
	runFail(t, exec.Command(bin, "backup", "--db", "sqlite:"+db, "--out", db, "--force"), "就是数据库本身")
	if again, _ := os.ReadFile(file); string(again) != string(first) {
		t.Errorf("a refused backup changed the existing file")
	}
	runFail(t, exec.Command(bin, "backup", "--db", "sqlite:"+filepath.Join(dir, "typo.db"), "--out", filepath.Join(dir, "c.skillscore")), "不存在")
	if _, err := os.Stat(filepath.Join(dir, "typo.db")); err == nil {
		t.Errorf("a backup of a missing database created it")
	}
	runFail(t, exec.Command(bin, "restore", "--db", "sqlite:"+db, file), "目标数据库不是空的")
	runFail(t, exec.Command(bin, "restore", "--db", "sqlite:"+filepath.Join(dir, "new.db"), db), "不是 skillscore 备份文件")
	if left, _ := filepath.Glob(filepath.Join(dir, "new.db*")); len(left) != 0 {
		t.Errorf("a failed restore left %v behind", left)
	}
	runFail(t, exec.Command(bin, "restore", "--db", "sqlite:"+filepath.Join(dir, "new2.db"), filepath.Join(dir, "missing")), "无法读取备份文件")
	// Restoring into a new file is the ordinary way back.
	if out := runOK(t, "restore", "--db", "sqlite:"+filepath.Join(dir, "new3.db"), "--in", file); !strings.Contains(out, "已从") {
		t.Errorf("restore output: %s", out)
	}
}
