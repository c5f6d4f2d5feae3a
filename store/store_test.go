package store

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"skillscore"
	"skillscore/internal/testdb"
	"skillscore/privacy"
)

// The one store test suite. Every test runs against SQLite (a fresh temp file
// each) and, when SKILLSCORE_TEST_MYSQL_DSN is set, against MySQL/MariaDB in a
// database of its own that is dropped afterwards. With CI=true a missing or
// unreachable MySQL fails the run instead of skipping it.

type backend struct {
	name string
	open func(t *testing.T, opts Options) *Store
}

func backends(t *testing.T) []backend {
	t.Helper()
	bs := []backend{{name: "sqlite", open: openTestSQLite}}
	if dsn := testdb.DSN(t); dsn != "" {
		bs = append(bs, backend{name: "mysql", open: func(t *testing.T, opts Options) *Store { return openTestMySQL(t, dsn, opts) }})
	}
	return bs
}

// forEach runs fn as a subtest per backend: TestX/sqlite, TestX/mysql.
func forEach(t *testing.T, fn func(t *testing.T, open func(opts Options) *Store)) {
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			fn(t, func(opts Options) *Store { return b.open(t, opts) })
		})
	}
}

// withTestKeys gives a test store a fresh in-memory key unless the test
// brings its own.
func withTestKeys(t testing.TB, opts Options) Options {
	t.Helper()
	if opts.Keys == nil {
		k, err := privacy.NewMemory()
		if err != nil {
			t.Fatal(err)
		}
		opts.Keys = k
	}
	return opts
}

func openTestSQLite(t *testing.T, opts Options) *Store {
	t.Helper()
	opts = withTestKeys(t, opts)
	s, err := Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "test.db"), opts)
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func openTestMySQL(t *testing.T, dsn string, opts Options) *Store {
	t.Helper()
	opts = withTestKeys(t, opts)
	s, err := Open(context.Background(), "mysql:"+testdb.Scratch(t, dsn, "skillscore_t_"), opts)
	if err != nil {
		t.Fatalf("open mysql test database: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// seed creates a small event: one imported and one judged module, two
// groups, two contestants and a judge on the judged panel.
type seeded struct {
	ev          Event
	theory, pra Module
	cs          []Contestant
	judge       Judge
	outsider    Judge
}

func seed(t testing.TB, s *Store) seeded {
	t.Helper()
	ctx := context.Background()
	ev, err := s.CreateEvent(ctx, NewEvent{
		Event: Event{Code: "jx-test", Name: "江西省养老护理员职业技能竞赛（测试）", Kind: "competition",
			Occupation: "养老护理员", Year: 2026, Rules: `{"modules":[]}`},
		Groups: []Group{{Code: "employee", Name: "职工组"}, {Code: "student", Name: "学生组"}},
		Modules: []Module{
			{Code: "T", Name: "理论知识", Kind: "theory", Weight: 300000, MaxMarks: 1000000, Imported: true,
				Aspects: []Aspect{{Code: "T", Name: "理论考试", Kind: "measurement", MaxMarks: 1000000}}},
			{Code: "A", Name: "生活照护", Kind: "practical", Weight: 700000, MaxMarks: 1000000,
				Aspects: []Aspect{
					{Code: "A1", Name: "沟通评估", Kind: "judgement", MaxMarks: 100000},
					{Code: "A2", Name: "安全违规", Kind: "veto", MaxMarks: 0},
				}},
		},
	}, "tester")
	if err != nil {
		t.Fatalf("create event: %v", err)
	}
	mods, err := s.Modules(ctx, ev.ID)
	if err != nil || len(mods) != 2 {
		t.Fatalf("modules: %v %d", err, len(mods))
	}
	cs, err := s.AddContestants(ctx, ev.ID, []Contestant{
		{Name: "李秀英", Gender: "女", IDType: "居民身份证", IDNumber: "36010219900307002X", City: "南昌", GroupCode: "employee"},
		{Name: "王建华", Gender: "男", IDType: "居民身份证", IDNumber: "360402200101010013", City: "九江", GroupCode: "student"},
	}, "tester")
	if err != nil {
		t.Fatalf("add contestants: %v", err)
	}
	j, err := s.AddJudge(ctx, Judge{EventID: ev.ID, Code: "J01", Name: "陈裁判"},
		[]PanelMember{{ModuleID: mods[1].ID, Chief: true}}, "tester")
	if err != nil {
		t.Fatalf("add judge: %v", err)
	}
	o, err := s.AddJudge(ctx, Judge{EventID: ev.ID, Code: "J09", Name: "场外裁判"}, nil, "tester")
	if err != nil {
		t.Fatalf("add judge: %v", err)
	}
	return seeded{ev: ev, theory: mods[0], pra: mods[1], cs: cs, judge: j, outsider: o}
}

func TestMigrateTwiceIsNoop(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		s := open(Options{})
		ctx := context.Background()
		if err := s.migrate(ctx); err != nil {
			t.Fatalf("second migrate: %v", err)
		}
		var n int
		if err := s.r.GetContext(ctx, &n, "SELECT COUNT(*) FROM schema_migrations"); err != nil {
			t.Fatal(err)
		}
		if want := len(migrations()); n != want {
			t.Fatalf("schema_migrations has %d rows, want %d", n, want)
		}
	})
}

func TestRoundTripTextDecimalsTime(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		start := time.Date(2026, 11, 30, 9, 30, 15, 123456000, skillscore.China())
		s := open(Options{Now: func() time.Time { return start }})
		ctx := context.Background()
		// A 4-byte character (𠮷, outside the BMP) catches a utf8 (3-byte) MySQL column.
		name := "江西省第一届“江西表嫂”养老护理员技能竞赛 𠮷"
		ev, err := s.CreateEvent(ctx, NewEvent{
			Event:  Event{Code: "rt", Name: name, Kind: "assessment", Occupation: "养老护理员", Specialty: "--", Year: 2026, Rules: "{}"},
			Groups: []Group{{Code: "g", Name: "职工组"}},
			Modules: []Module{{Code: "T", Name: "理论知识", Kind: "theory", Weight: 333333, MaxMarks: 9223372036854775807, Imported: true,
				Aspects: []Aspect{{Code: "T", Name: "理论", Kind: "measurement", MaxMarks: -12345}}}},
		}, "测试员")
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.EventByCode(ctx, "rt")
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != name || got.Specialty != "--" {
			t.Errorf("name round-trip: got %q, want %q", got.Name, name)
		}
		if !got.CreatedAt.Equal(start) || got.CreatedAt.Location() != time.UTC {
			t.Errorf("created_at round-trip: got %v, want %v in UTC", got.CreatedAt.Time, start)
		}
		if got.ID != ev.ID {
			t.Errorf("id: got %d want %d", got.ID, ev.ID)
		}
		mods, err := s.Modules(ctx, ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		if m := mods[0]; m.Weight != 333333 || m.MaxMarks != 9223372036854775807 || !m.Imported || m.Aspects[0].MaxMarks != -12345 {
			t.Errorf("fixed-point round-trip: %+v", m)
		}
		trail, err := s.AuditTrail(ctx, ev.ID)
		if err != nil || len(trail) != 1 || trail[0].Actor != "测试员" {
			t.Fatalf("audit trail: %v %+v", err, trail)
		}
	})
}

func TestRecordMarkStoresOnceAndAdvancesRevision(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		s := open(Options{})
		ctx := context.Background()
		d := seed(t, s)
		op := MarkOp{OpID: "tab-1:0001", EventID: d.ev.ID, ModuleID: d.pra.ID, ContestantID: d.cs[0].ID,
			JudgeID: d.judge.ID, AspectID: d.pra.Aspects[0].ID, Value: 25000, Actor: "J01"}
		first, err := s.RecordMark(ctx, op)
		if err != nil {
			t.Fatal(err)
		}
		if first.Duplicate || first.Revision != 1 {
			t.Fatalf("first ack: %+v", first)
		}
		for i := 0; i < 20; i++ {
			again, err := s.RecordMark(ctx, op)
			if err != nil {
				t.Fatal(err)
			}
			if !again.Duplicate || again.Revision != first.Revision {
				t.Fatalf("replay %d ack: %+v", i, again)
			}
		}
		// A new op on the same aspect replaces the value, not adds a row.
		op2 := op
		op2.OpID, op2.Value = "tab-1:0002", 30000
		if _, err := s.RecordMark(ctx, op2); err != nil {
			t.Fatal(err)
		}
		marks, err := s.Marks(ctx, d.ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(marks) != 1 || marks[0].Value != 30000 || marks[0].JudgeCode != "J01" || marks[0].AspectCode != "A1" {
			t.Fatalf("marks after replays and edit: %+v", marks)
		}
		ev, _ := s.Event(ctx, d.ev.ID)
		if ev.Revision != 2 {
			t.Errorf("revision = %d, want 2", ev.Revision)
		}
	})
}

func TestRecordMarkRejectsWithoutChange(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		s := open(Options{})
		ctx := context.Background()
		d := seed(t, s)
		good := MarkOp{OpID: "x", EventID: d.ev.ID, ModuleID: d.pra.ID, ContestantID: d.cs[0].ID,
			JudgeID: d.judge.ID, AspectID: d.pra.Aspects[0].ID, Value: 10000}
		cases := []struct {
			name string
			mut  func(*MarkOp)
			code string
		}{
			{"empty op id", func(o *MarkOp) { o.OpID = "" }, skillscore.EInvalid},
			{"op id too long", func(o *MarkOp) { o.OpID = strings.Repeat("x", 65) }, skillscore.EInvalid},
			{"aspect of another module", func(o *MarkOp) { o.AspectID = d.theory.Aspects[0].ID }, skillscore.ENotFound},
			{"imported module", func(o *MarkOp) { o.ModuleID, o.AspectID = d.theory.ID, d.theory.Aspects[0].ID }, skillscore.ENotFound},
			{"unknown contestant", func(o *MarkOp) { o.ContestantID = 999999 }, skillscore.ENotFound},
			{"judge not on panel", func(o *MarkOp) { o.JudgeID = d.outsider.ID }, skillscore.EForbidden},
		}
		for _, c := range cases {
			op := good
			c.mut(&op)
			_, err := s.RecordMark(ctx, op)
			if got := skillscore.ErrorCode(err); got != c.code {
				t.Errorf("%s: code %q (%v), want %q", c.name, got, err, c.code)
			}
		}
		marks, _ := s.Marks(ctx, d.ev.ID)
		ev, _ := s.Event(ctx, d.ev.ID)
		if len(marks) != 0 || ev.Revision != 0 {
			t.Fatalf("rejected ops changed data: %d marks, revision %d", len(marks), ev.Revision)
		}
	})
}

func TestAddContestantsAllOrNothing(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		s := open(Options{})
		ctx := context.Background()
		d := seed(t, s)
		_, err := s.AddContestants(ctx, d.ev.ID, []Contestant{
			{Name: "新选手", Gender: "女", IDType: "居民身份证", IDNumber: "360103199001010028", GroupCode: "employee"},
			{Name: "重复", Gender: "女", IDType: "居民身份证", IDNumber: d.cs[0].IDNumber, GroupCode: "employee"},
		}, "tester")
		if skillscore.ErrorCode(err) != skillscore.EConflict {
			t.Fatalf("duplicate identity: got %v, want conflict", err)
		}
		_, err = s.AddContestants(ctx, d.ev.ID, []Contestant{
			{Name: "未知组", Gender: "女", IDType: "居民身份证", IDNumber: "360103199001010044", GroupCode: "nope"},
		}, "tester")
		if skillscore.ErrorCode(err) != skillscore.EInvalid {
			t.Fatalf("unknown group: got %v, want invalid", err)
		}
		cs, _ := s.Contestants(ctx, d.ev.ID)
		if len(cs) != 2 {
			t.Fatalf("roster has %d contestants after rejected batches, want 2", len(cs))
		}
	})
}

func TestImportScores(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		s := open(Options{})
		ctx := context.Background()
		d := seed(t, s)
		if _, err := s.ImportScores(ctx, d.ev.ID, d.theory.ID, []ImportedScore{
			{ContestantID: d.cs[0].ID, Value: 875000}, {ContestantID: 424242, Value: 1},
		}, "theory.xlsx", "tester"); skillscore.ErrorCode(err) != skillscore.ENotFound {
			t.Fatalf("unknown contestant in import: %v", err)
		}
		if _, err := s.ImportScores(ctx, d.ev.ID, d.pra.ID, nil, "x", "tester"); skillscore.ErrorCode(err) != skillscore.ENotFound {
			t.Fatalf("import into judged module: %v", err)
		}
		for _, v := range []int64{875000, 912500} { // a re-import replaces
			if _, err := s.ImportScores(ctx, d.ev.ID, d.theory.ID, []ImportedScore{{ContestantID: d.cs[0].ID, Value: v}}, "theory.xlsx", "tester"); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.ImportedScores(ctx, d.ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].Value != 912500 || got[0].ModuleCode != "T" {
			t.Fatalf("imported scores: %+v", got)
		}
	})
}

// TestImportScoresInBatches: a file longer than one multi-row batch is
// stored whole; a contestant listed twice keeps the later row; a file
// naming someone off the roster (here in the last batch) stores nothing.
func TestImportScoresInBatches(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		s := open(Options{})
		ctx := context.Background()
		d := seed(t, s)
		var people []Contestant
		for i := range 2*importBatch + 1 {
			people = append(people, Contestant{Name: "机考考生", Gender: "女", IDType: "其他", IDNumber: fmt.Sprintf("T-%d", i), GroupCode: "employee"})
		}
		cs, err := s.AddContestants(ctx, d.ev.ID, people, "tester")
		if err != nil {
			t.Fatal(err)
		}
		var rows []ImportedScore
		for i, c := range cs {
			rows = append(rows, ImportedScore{ContestantID: c.ID, Value: int64(600000 + i)})
		}
		rows = append(rows, ImportedScore{ContestantID: cs[7].ID, Value: 990000})
		if _, err := s.ImportScores(ctx, d.ev.ID, d.theory.ID, append(rows, ImportedScore{ContestantID: 424242, Value: 1}), "theory.xlsx", "tester"); skillscore.ErrorCode(err) != skillscore.ENotFound {
			t.Fatalf("someone off the roster: %v", err)
		}
		if got, err := s.ImportedScores(ctx, d.ev.ID); err != nil || len(got) != 0 {
			t.Fatalf("a refused file stored %d scores (%v)", len(got), err)
		}
		if _, err := s.ImportScores(ctx, d.ev.ID, d.theory.ID, rows, "theory.xlsx", "tester"); err != nil {
			t.Fatal(err)
		}
		got, err := s.ImportedScores(ctx, d.ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := map[int64]int64{}
		for _, r := range rows {
			want[r.ContestantID] = r.Value
		}
		if len(got) != len(cs) {
			t.Fatalf("stored %d scores, want %d", len(got), len(cs))
		}
		for _, g := range got {
			if g.Value != want[g.ContestantID] {
				t.Fatalf("contestant %d: %d, want %d", g.ContestantID, g.Value, want[g.ContestantID])
			}
		}
	})
}

func TestAuditChainDetectsTampering(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		s := open(Options{})
		ctx := context.Background()
		seed(t, s)
		bad, n, err := s.VerifyAudit(ctx)
		if err != nil || bad != 0 || n < 4 {
			t.Fatalf("intact chain: bad=%d checked=%d err=%v", bad, n, err)
		}
		var second int64
		if err := s.r.GetContext(ctx, &second, "SELECT id FROM audit_log ORDER BY id LIMIT 1 OFFSET 1"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.w.ExecContext(ctx, "UPDATE audit_log SET actor = 'mallory' WHERE id = ?", second); err != nil {
			t.Fatal(err)
		}
		bad, _, err = s.VerifyAudit(ctx)
		if err != nil || bad != second {
			t.Fatalf("tampered chain: bad=%d, want %d (err %v)", bad, second, err)
		}
	})
}

func TestConcurrentAuditAppendsKeepOneChain(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		s := open(Options{})
		ctx := context.Background()
		d := seed(t, s)
		var wg sync.WaitGroup
		errs := make(chan error, 16)
		for i := 0; i < 16; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				_, err := s.AddJudge(ctx, Judge{EventID: d.ev.ID, Code: "C" + hex.EncodeToString([]byte{byte(i)}), Name: "并发"}, nil, "t")
				errs <- err
			}(i)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if bad, n, err := s.VerifyAudit(ctx); err != nil || bad != 0 || n != 4+16 {
			t.Fatalf("chain after concurrent appends: bad=%d checked=%d err=%v", bad, n, err)
		}
	})
}

func TestOpenErrors(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	corrupt := filepath.Join(dir, "corrupt.db")
	if err := os.WriteFile(corrupt, []byte(strings.Repeat("this is not sqlite ", 300)), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		url, code, contains string
	}{
		{"postgres://x", skillscore.EInvalid, "不支持的数据库类型"},
		{"sqlite", skillscore.EInvalid, "无效"},
		{"sqlite:" + filepath.Join(dir, "missing", "x.db"), skillscore.EInvalid, "不存在"},
		{"sqlite:" + dir, skillscore.EInvalid, "目录"},
		{"sqlite:" + corrupt, skillscore.EUnavailable, "不是 SQLite 数据库"},
		{"mysql:root@tcp(127.0.0.1:1)/test?timeout=2s", skillscore.EUnavailable, "无法连接 MySQL"},
		{"mysql:not a dsn", skillscore.EInvalid, "DSN"},
	}
	for _, c := range cases {
		s, err := Open(ctx, c.url, Options{})
		if err == nil {
			s.Close()
			t.Errorf("%s: opened, want error", c.url)
			continue
		}
		var se *skillscore.Error
		if !errors.As(err, &se) || se.Code != c.code || !strings.Contains(se.Message, c.contains) {
			t.Errorf("%s: got %v, want code %s containing %q", c.url, err, c.code, c.contains)
		}
		if strings.Contains(se.Message, "\n") {
			t.Errorf("%s: message is not one line: %q", c.url, se.Message)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("failed opens left files behind: %v", names)
	}
}

func TestSplitStatements(t *testing.T) {
	script := "-- a comment; with a semicolon\nCREATE TABLE a (x VARCHAR(3) DEFAULT ';') /*!40101 ENGINE=InnoDB; */;\n" +
		"/* block; */ INSERT INTO a VALUES ('it''s; fine');\n-- trailing comment only\n"
	got := splitStatements(script)
	if len(got) != 2 {
		t.Fatalf("got %d statements: %q", len(got), got)
	}
	if !strings.HasPrefix(got[0], "-- a comment") || !strings.HasSuffix(got[0], "*/") {
		t.Errorf("first statement: %q", got[0])
	}
	if !strings.HasSuffix(got[1], "('it''s; fine')") {
		t.Errorf("second statement: %q", got[1])
	}
	if n := len(splitStatements(skillscore.Schema)); n < 14 {
		t.Errorf("schema.sql splits into %d statements; expected every table", n)
	}
}
