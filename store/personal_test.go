package store

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"skillscore"
	"skillscore/internal/testdb"
	"skillscore/privacy"
)

// People whose numbers must never be found in plain text at rest.
var personalFixture = []Contestant{
	{Name: "李秀英", Gender: "女", IDType: "居民身份证", IDNumber: "36012119850615402X", Phone: "13907910001", City: "南昌", GroupCode: "employee"},
	{Name: "王建华", Gender: "男", IDType: "居民身份证", IDNumber: "360781199208080517", Phone: "0791-86661234", City: "九江", GroupCode: "student"},
}

// crowd is enough further people for the old database's contestants to
// span many pages, so values overwritten in place would linger in freed
// space unless the upgrade scrubs it.
func crowd() []Contestant {
	out := make([]Contestant, 400)
	for i := range out {
		out[i] = Contestant{Name: fmt.Sprintf("选手%03d", i), Gender: "女", IDType: "居民身份证",
			IDNumber: fmt.Sprintf("3601021990%08d", i), Phone: fmt.Sprintf("139%08d", i), City: "南昌", GroupCode: "employee"}
	}
	return out
}

// plainNeedles are the forms a number could take in a dump: as typed, and
// with the letter in lower case.
func plainNeedles() []string {
	var out []string
	for _, c := range append(personalFixture, crowd()...) {
		out = append(out, c.IDNumber, strings.ToLower(c.IDNumber), c.Phone)
	}
	return out
}

// dumpTables returns every value of every table, as text, the way a copied
// database or a SELECT * by an intruder would show them.
func dumpTables(t *testing.T, db *sqlx.DB, d Dialect) string {
	t.Helper()
	ctx := context.Background()
	tables, err := schemaTables(ctx, db, d)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, tb := range tables {
		rows, err := db.QueryxContext(ctx, "SELECT * FROM "+tb.name)
		if err != nil {
			t.Fatalf("dump %s: %v", tb.name, err)
		}
		for rows.Next() {
			vals, err := rows.SliceScan()
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "%s %s\n", tb.name, vals)
		}
		rows.Close()
	}
	return b.String()
}

func TestPersonalDataSealedAndFoundByIndex(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		ctx := context.Background()
		s := open(Options{})
		d := seed(t, s)
		cs, err := s.AddContestants(ctx, d.ev.ID, personalFixture, "tester")
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.IssueCertificates(ctx, []CertificateIssue{issueReq(d.ev, cs[0], "award", "JX-TEST")}, testSeal, "tester"); err != nil {
			t.Fatal(err)
		}
		dump := dumpTables(t, s.r, s.dialect)
		for _, n := range plainNeedles() {
			if strings.Contains(dump, n) {
				t.Errorf("plain %s found in the tables", n)
			}
		}
		if !strings.Contains(dump, "k1$") {
			t.Fatal("no sealed value in the tables: the dump did not read them")
		}
		// The organizer's list opens them.
		got, err := s.Contestants(ctx, d.ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		if c := got[len(got)-1]; c.IDNumber != personalFixture[1].IDNumber || c.Phone != personalFixture[1].Phone {
			t.Errorf("opened %q %q", c.IDNumber, c.Phone)
		}
		// Lookups by 证件号码 use the index, whatever case the x is typed in.
		certs, err := s.CertificatesByIDNumber(ctx, " 36012119850615402x")
		if err != nil || len(certs) != 1 || certs[0].IDNumber != personalFixture[0].IDNumber {
			t.Fatalf("certificates by id number: %v %+v", err, certs)
		}
		if certs, err := s.CertificatesByIDNumber(ctx, "360781199208080517"); err != nil || len(certs) != 0 {
			t.Errorf("someone without a certificate found %d: %v", len(certs), err)
		}
		// The roster's uniqueness holds on the index.
		_, err = s.AddContestants(ctx, d.ev.ID, personalFixture[:1], "tester")
		if skillscore.ErrorCode(err) != skillscore.EConflict {
			t.Errorf("the same person twice: %v", err)
		}
		_, err = s.ImportRoster(ctx, RosterImport{EventID: d.ev.ID, FileName: "again.xlsx", SHA256: strings.Repeat("ab", 32), Actor: "t", Basis: BasisConsent},
			personalFixture[1:], nil)
		if skillscore.ErrorCode(err) != skillscore.EConflict {
			t.Errorf("import of someone on the roster: %v", err)
		}
		// Without keys nothing personal can be read or written.
		bare := *s
		bare.keys = nil
		if _, err := bare.Contestants(ctx, d.ev.ID); skillscore.ErrorCode(err) != skillscore.EUnavailable {
			t.Errorf("contestants without a key: %v", err)
		}
		if err := bare.CheckKeys(ctx); skillscore.ErrorCode(err) != skillscore.EUnavailable || strings.Contains(err.Error(), "\n") {
			t.Errorf("CheckKeys without a key: %v", err)
		}
		if err := s.CheckKeys(ctx); err != nil {
			t.Errorf("CheckKeys with the key: %v", err)
		}
		other := *s
		other.keys, _ = privacy.NewMemory()
		if err := other.CheckKeys(ctx); skillscore.ErrorCode(err) != skillscore.EUnavailable {
			t.Errorf("CheckKeys with another installation's k1: %v", err)
		}
		used, err := s.PersonalKeys(ctx)
		// 4 contestants' numbers, 2 phones, 1 certificate.
		if err != nil || len(used) != 1 || used["k1"] != 7 {
			t.Errorf("personal keys %v, %v", used, err)
		}
	})
}

// oldSchemaVersion is the last schema before personal data was sealed.
const oldSchemaVersion = 13

// olderRelease builds a database as the release whose last schema step was
// version left it (steps ≤ version applied through the ordinary runner) and
// returns a function running SQL on it; the database is closed when the
// test's function returns done.
func olderRelease(t *testing.T, url string, version int) (exec func(q string, args ...any), done func()) {
	t.Helper()
	ctx := context.Background()
	driver, dsn, dialect := "mysql", strings.TrimPrefix(url, "mysql:"), MySQL
	if path, ok := strings.CutPrefix(url, "sqlite:"); ok {
		driver, dsn, dialect = "sqlite", sqliteDSN(path, false, false), SQLite
	}
	w, err := sqlx.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	w.SetMaxOpenConns(1)
	s := &Store{dialect: dialect, w: w, r: w, now: time.Now}
	conn, err := s.w.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	done = func() { conn.Close(); w.Close() }
	if _, err := conn.ExecContext(ctx, `CREATE TABLE schema_migrations (version INTEGER NOT NULL PRIMARY KEY,
		name VARCHAR(200) NOT NULL, applied_at BIGINT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	for _, m := range migrations() {
		if m.version > version {
			break
		}
		if _, err := s.applyMigration(ctx, conn, m); err != nil {
			t.Fatalf("migration %d: %v", m.version, err)
		}
	}
	return func(q string, args ...any) {
		t.Helper()
		if _, err := conn.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}, done
}

// openOldSchema makes a database of the schema as it was before sealing
// (steps up to 013) holding plaintext people and a certificate, as an
// installation upgrading today has.
func openOldSchema(t *testing.T, url string) {
	t.Helper()
	exec, done := olderRelease(t, url, oldSchemaVersion)
	defer done()
	exec(`INSERT INTO events (id, code, name, kind, occupation, year, rules, created_at, updated_at)
		VALUES (1, 'jx-old', '旧赛事', 'competition', '养老护理员', 2025, '{"modules":[]}', 1, 1)`)
	exec(`INSERT INTO event_groups (event_id, code, name, position) VALUES (1, 'employee', '职工组', 0), (1, 'student', '学生组', 1)`)
	for i, c := range append(personalFixture, crowd()...) {
		exec(`INSERT INTO contestants (id, event_id, name, gender, id_type, id_number, city, phone, group_code, created_at)
			VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, 1)`, i+1, c.Name, c.Gender, c.IDType, c.IDNumber, c.City, c.Phone, c.GroupCode)
	}
	exec(`INSERT INTO certificates (number, kind, event_id, contestant_id, name, id_type, id_number, facts, token, key_id, issued_at, issued_by)
		VALUES ('JX-OLD-0001', 'award', 1, 1, ?, ?, ?, '{}', 'tok', 'sig1', 1, 'old')`, personalFixture[0].Name, personalFixture[0].IDType, personalFixture[0].IDNumber)
}

func TestUpgradeSealsPlaintextAndLeavesNoCopy(t *testing.T) {
	urls := map[string]string{}
	dir := t.TempDir()
	urls["sqlite"] = "sqlite:" + filepath.Join(dir, "old.db")
	if dsn := testdb.DSN(t); dsn != "" {
		urls["mysql"] = "mysql:" + testdb.Scratch(t, dsn, "skillscore_up_")
	}
	for name, url := range urls {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			openOldSchema(t, url)
			// Without a key the upgrade stops, in one line, and changes no row.
			_, err := Open(ctx, url, Options{})
			if err == nil || !strings.Contains(err.Error(), "没有提供密钥") {
				t.Fatalf("upgrade without a key: %v", err)
			}
			keys, err := privacy.NewMemory()
			if err != nil {
				t.Fatal(err)
			}
			s, err := Open(ctx, url, Options{Keys: keys})
			if err != nil {
				t.Fatalf("upgrade with a key: %v", err)
			}
			defer s.Close()
			cs, err := s.Contestants(ctx, 1)
			if err != nil || len(cs) != 2+len(crowd()) {
				t.Fatalf("contestants after upgrade: %v %d", err, len(cs))
			}
			for i, c := range cs[:2] {
				if c.IDNumber != personalFixture[i].IDNumber || c.Phone != personalFixture[i].Phone || c.Name != personalFixture[i].Name {
					t.Errorf("contestant %d after upgrade: %q %q %q", i, c.Name, c.IDNumber, c.Phone)
				}
			}
			if certs, err := s.CertificatesByIDNumber(ctx, personalFixture[0].IDNumber); err != nil || len(certs) != 1 || certs[0].Number != "JX-OLD-0001" {
				t.Errorf("old certificate by 证件号码: %v %+v", err, certs)
			}
			if _, err := s.AddContestants(ctx, 1, personalFixture[1:], "t"); skillscore.ErrorCode(err) != skillscore.EConflict {
				t.Errorf("uniqueness after the upgrade: %v", err)
			}
			dump := dumpTables(t, s.r, s.dialect)
			for _, n := range plainNeedles() {
				if strings.Contains(dump, n) {
					t.Errorf("plain %s in the upgraded tables", n)
				}
			}
			if s.dialect != SQLite {
				return
			}
			// The file itself, WAL included: no page keeps the old values.
			s.Close()
			path := strings.TrimPrefix(url, "sqlite:")
			for _, f := range []string{path, path + "-wal"} {
				raw, err := os.ReadFile(f)
				if err != nil {
					continue
				}
				for _, n := range plainNeedles() {
					if bytes.Contains(raw, []byte(n)) {
						t.Errorf("plain %s in the bytes of %s", n, filepath.Base(f))
					}
				}
			}
		})
	}
}

func TestPersonalAccessIsAuditedWithoutPersonalData(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		ctx := context.Background()
		s := open(Options{})
		d := seed(t, s)
		err := s.RecordPersonalAccess(ctx, PersonalAccess{EventID: d.ev.ID, Actor: "organizer", Kind: "reveal", What: "roster",
			Contestants: []int64{d.cs[0].ID}})
		if skillscore.ErrorCode(err) != skillscore.EInvalid {
			t.Errorf("reveal without a reason: %v", err)
		}
		if err := s.RecordPersonalAccess(ctx, PersonalAccess{EventID: d.ev.ID, Actor: "organizer", Kind: "reveal", What: "roster",
			Contestants: []int64{d.cs[0].ID}, Reason: "核对报名资格"}); err != nil {
			t.Fatal(err)
		}
		trail, err := s.AuditTrail(ctx, d.ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		last := trail[len(trail)-1]
		want := fmt.Sprintf(`{"contestants":[%d],"count":1,"reason":"核对报名资格"}`, d.cs[0].ID)
		if last.Action != "personal.reveal" || last.Actor != "organizer" || last.Detail != want {
			t.Errorf("entry %+v, want detail %s", last, want)
		}
		if bad, _, err := s.VerifyAudit(ctx); err != nil || bad != 0 {
			t.Errorf("chain: bad %d, %v", bad, err)
		}
	})
}

func TestResealMovesEverythingToTheNewKeyResumably(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		ctx := context.Background()
		path := filepath.Join(t.TempDir(), "personal.key")
		if err := privacy.CreateFile(path); err != nil {
			t.Fatal(err)
		}
		keys, err := privacy.LoadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		s := open(Options{Keys: keys})
		d := seed(t, s)
		cs, err := s.AddContestants(ctx, d.ev.ID, personalFixture, "tester")
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.IssueCertificates(ctx, []CertificateIssue{issueReq(d.ev, cs[1], "award", "JX-TEST")}, testSeal, "tester"); err != nil {
			t.Fatal(err)
		}
		if _, err := keys.AddKey(); err != nil {
			t.Fatal(err)
		}
		// Interrupted before its first batch: nothing half-done.
		cut, cancel := context.WithCancel(ctx)
		_, err = s.Reseal(cut, func(p ResealProgress) {
			if p.Left != 5 {
				t.Errorf("left %d, want 4 contestants + 1 certificate", p.Left)
			}
			cancel()
		})
		if err == nil {
			t.Fatal("an interrupted reseal reported success")
		}
		if used, _ := s.PersonalKeys(ctx); used["k1"] != 7 || used["k2"] != 0 {
			t.Errorf("after the interruption: %v", used)
		}
		n, err := s.Reseal(ctx, nil)
		if err != nil || n != 5 {
			t.Fatalf("resumed reseal: %d, %v", n, err)
		}
		if used, _ := s.PersonalKeys(ctx); used["k1"] != 0 || used["k2"] != 7 {
			t.Errorf("after the reseal: %v", used)
		}
		// Everything still opens and is found by the new index.
		got, err := s.Contestants(ctx, d.ev.ID)
		if err != nil || got[len(got)-1].Phone != personalFixture[1].Phone {
			t.Fatalf("contestants after reseal: %v", err)
		}
		if certs, err := s.CertificatesByIDNumber(ctx, personalFixture[1].IDNumber); err != nil || len(certs) != 1 {
			t.Errorf("certificate by 证件号码 after reseal: %v %d", err, len(certs))
		}
		if _, err := s.AddContestants(ctx, d.ev.ID, personalFixture[:1], "t"); skillscore.ErrorCode(err) != skillscore.EConflict {
			t.Errorf("uniqueness after reseal: %v", err)
		}
		if err := s.RecordKeyRotation(ctx, "tester", "k2", n); err != nil {
			t.Fatal(err)
		}
		if bad, _, err := s.VerifyAudit(ctx); bad != 0 || err != nil {
			t.Errorf("audit chain: %d %v", bad, err)
		}
	})
}
