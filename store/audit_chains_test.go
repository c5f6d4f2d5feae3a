package store

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"skillscore/internal/testdb"
)

// twoEvents makes the seed event and a second one, each with a few audit
// entries of its own beyond those the setup wrote.
func twoEvents(t *testing.T, s *Store) (a, b Event) {
	t.Helper()
	ctx := context.Background()
	a = seed(t, s).ev
	b, err := s.CreateEvent(ctx, NewEvent{Event: Event{Code: "jx-other", Name: "另一赛项", Kind: "competition",
		Occupation: "育婴员", Year: 2026, Rules: `{"modules":[]}`}}, "tester")
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 4; i++ {
		for _, ev := range []int64{a.ID, b.ID} {
			appendOne(t, s, &ev, i)
		}
	}
	appendOne(t, s, nil, 0) // a system-wide entry
	return a, b
}

func appendOne(t *testing.T, s *Store, eventID *int64, i int) {
	t.Helper()
	ctx := context.Background()
	if err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		return s.appendAudit(ctx, tx, eventID, "t", "test.append", "", map[string]int{"i": i}, s.now())
	}); err != nil {
		t.Fatal(err)
	}
}

// chainEntries returns an event's chained entries in order.
func chainEntries(t *testing.T, s *Store, eventID int64) []AuditEntry {
	t.Helper()
	var es []AuditEntry
	if err := s.r.SelectContext(context.Background(), &es,
		"SELECT * FROM audit_log WHERE event_id = ? AND seq IS NOT NULL ORDER BY seq", eventID); err != nil {
		t.Fatal(err)
	}
	return es
}

// TestAuditChainsPerEvent: each event's entries form their own chain,
// numbered from 1, and every chain verifies, alone and together.
func TestAuditChainsPerEvent(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		s := open(Options{})
		ctx := context.Background()
		a, b := twoEvents(t, s)
		for _, ev := range []Event{a, b} {
			es := chainEntries(t, s, ev.ID)
			if len(es) < 5 {
				t.Fatalf("event %s: %d chained entries", ev.Code, len(es))
			}
			for i, e := range es {
				if *e.Seq != int64(i+1) {
					t.Fatalf("event %s: entry %d has seq %d", ev.Code, i, *e.Seq)
				}
			}
			rep, err := s.VerifyEventAudit(ctx, ev.ID)
			if err != nil || rep.Break != nil || rep.Checked != len(es) {
				t.Fatalf("event %s: %+v %v, want %d checked", ev.Code, rep, err, len(es))
			}
		}
		rep, err := s.VerifyAuditChains(ctx)
		if err != nil || rep.Break != nil || rep.Chains != 3 {
			t.Fatalf("whole trail: %+v %v, want 3 chains intact", rep, err)
		}
		if bad, n, err := s.VerifyAudit(ctx); err != nil || bad != 0 || n != rep.Checked {
			t.Fatalf("VerifyAudit: bad %d, %d checked, %v", bad, n, err)
		}
	})
}

// TestAuditChainTamperingNamed: an edit, deletion or insertion in one
// event's chain, its tail cut off or the whole chain removed is found in
// that event's chain, named with the entry, while the other event's chain
// still verifies.
func TestAuditChainTamperingNamed(t *testing.T) {
	type tamper struct {
		name string
		do   func(t *testing.T, s *Store, es []AuditEntry)
		// the entry (index into es) the break names; -1 none
		at      int
		atSeq   int64
		wantMsg string
	}
	exec := func(t *testing.T, s *Store, q string, args ...any) {
		t.Helper()
		if _, err := s.w.ExecContext(context.Background(), q, args...); err != nil {
			t.Fatal(err)
		}
	}
	cases := []tamper{
		{name: "edit", do: func(t *testing.T, s *Store, es []AuditEntry) {
			exec(t, s, "UPDATE audit_log SET actor = 'mallory' WHERE id = ?", es[2].ID)
		}, at: 2, atSeq: 3, wantMsg: "内容被改动"},
		{name: "delete", do: func(t *testing.T, s *Store, es []AuditEntry) {
			exec(t, s, "DELETE FROM audit_log WHERE id = ?", es[2].ID)
		}, at: 3, atSeq: 4, wantMsg: "缺少第 3 条"},
		{name: "insert", do: func(t *testing.T, s *Store, es []AuditEntry) {
			// A forged entry taking the place of the third, linked to the
			// second and hashed as the store would.
			e := es[2]
			e.Actor, e.Detail = "mallory", `{"forged":true}`
			e.Hash = auditHash(e)
			exec(t, s, `INSERT INTO audit_log (event_id, seq, at, actor, action, subject, detail, prev_hash, hash)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, e.EventID, e.Seq, e.At, e.Actor, e.Action, e.Subject, e.Detail, e.PrevHash, e.Hash)
		}, at: -2, atSeq: 3, wantMsg: "多出一条"},
		{name: "truncate", do: func(t *testing.T, s *Store, es []AuditEntry) {
			exec(t, s, "DELETE FROM audit_log WHERE id = ?", es[len(es)-1].ID)
		}, at: -3, wantMsg: "此后的记录缺失"},
		{name: "remove chain", do: func(t *testing.T, s *Store, es []AuditEntry) {
			exec(t, s, "DELETE FROM audit_log WHERE event_id = ?", *es[0].EventID)
		}, at: -1, wantMsg: "一条也不在"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			forEach(t, func(t *testing.T, open func(Options) *Store) {
				s := open(Options{})
				ctx := context.Background()
				a, b := twoEvents(t, s)
				es := chainEntries(t, s, b.ID)
				c.do(t, s, es)
				for _, rep := range func() []AuditReport {
					whole, err := s.VerifyAuditChains(ctx)
					if err != nil {
						t.Fatal(err)
					}
					one, err := s.VerifyEventAudit(ctx, b.ID)
					if err != nil {
						t.Fatal(err)
					}
					return []AuditReport{whole, one}
				}() {
					br := rep.Break
					if br == nil || br.Legacy || br.EventID == nil || *br.EventID != b.ID {
						t.Fatalf("break %+v: want it in event %d's chain", br, b.ID)
					}
					switch {
					case c.at >= 0 && (br.ID != es[c.at].ID || br.Seq != c.atSeq):
						t.Errorf("break at entry %d (seq %d), want %d (seq %d)", br.ID, br.Seq, es[c.at].ID, c.atSeq)
					case c.at == -2 && br.Seq != c.atSeq:
						t.Errorf("break at seq %d, want %d", br.Seq, c.atSeq)
					case c.at == -3 && br.ID != es[len(es)-2].ID:
						t.Errorf("break after entry %d, want %d", br.ID, es[len(es)-2].ID)
					}
					if msg := br.Message(); !strings.Contains(msg, c.wantMsg) || !strings.Contains(msg, fmt.Sprintf("赛事 #%d", b.ID)) {
						t.Errorf("message %q: want %q and the event", msg, c.wantMsg)
					}
				}
				if rep, err := s.VerifyEventAudit(ctx, a.ID); err != nil || rep.Break != nil {
					t.Fatalf("the untouched event's chain: %+v %v", rep, err)
				}
				if bad, _, err := s.VerifyAudit(ctx); err != nil || bad == 0 {
					t.Fatalf("VerifyAudit after %s: bad %d, %v", c.name, bad, err)
				}
			})
		})
	}
}

// TestAuditChainsConcurrentEventsNeverFork: transactions of two events (and
// system-wide ones) that read and then append, all at once, and two
// judges' batches of different events applied concurrently, leave every
// chain intact.
func TestAuditChainsConcurrentEventsNeverFork(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		s := open(Options{})
		ctx := context.Background()
		a, b := twoEvents(t, s)
		const writers = 24
		var wg sync.WaitGroup
		errs := make(chan error, writers)
		start := make(chan struct{})
		for i := 0; i < writers; i++ {
			var ev *int64
			switch i % 3 {
			case 0:
				ev = &a.ID
			case 1:
				ev = &b.ID
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				errs <- s.inTx(ctx, func(tx *sqlx.Tx) error {
					var n int
					// The read that fixes an InnoDB snapshot before the append.
					if err := tx.GetContext(ctx, &n, "SELECT COUNT(*) FROM audit_log"); err != nil {
						return err
					}
					return s.appendAudit(ctx, tx, ev, "t", "test.append", "", map[string]int{"seen": n}, s.now())
				})
			}()
		}
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		rep, err := s.VerifyAuditChains(ctx)
		if err != nil || rep.Break != nil || rep.Chains != 3 {
			t.Fatalf("after %d concurrent appends over three chains: %+v %v", writers, rep, err)
		}
	})
}

// TestAuditUpgradeKeepsLegacyChain: a database from before per-event chains
// (one chain, one head) upgrades with its history verifiable; new entries
// chain per event after it; tampering with the old history is still found.
func TestAuditUpgradeKeepsLegacyChain(t *testing.T) {
	type target struct{ name, url string }
	targets := []target{{"sqlite", "sqlite:" + filepath.Join(t.TempDir(), "old.db")}}
	if dsn := testdb.DSN(t); dsn != "" {
		targets = append(targets, target{"mysql", "mysql:" + testdb.Scratch(t, dsn, "skillscore_t_")})
	}
	for _, tg := range targets {
		t.Run(tg.name, func(t *testing.T) {
			ctx := context.Background()
			exec, done := olderRelease(t, tg.url, 26)
			for _, id := range []int{1, 2} {
				exec(fmt.Sprintf(`INSERT INTO events (id, code, name, kind, occupation, year, rules, created_at, updated_at)
					VALUES (%d, 'old%d', '旧赛事', 'competition', '养老护理员', 2025, '{}', 0, 0)`, id, id))
			}
			// The old single chain, written as the earlier release did.
			prev := zeroHash
			var evs = []*int64{ptr(1), ptr(2), nil, ptr(1), ptr(2), ptr(1)}
			for i, ev := range evs {
				e := AuditEntry{ID: int64(i + 1), EventID: ev, At: Time{time.Date(2025, 5, 1, 9, 0, i, 0, time.UTC)}, Actor: "old", Action: "test.old",
					Detail: "{}", PrevHash: prev}
				e.Hash = auditHash(e)
				exec(`INSERT INTO audit_log (id, event_id, at, actor, action, subject, detail, prev_hash, hash)
					VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, e.ID, e.EventID, e.At, e.Actor, e.Action, e.Subject, e.Detail, e.PrevHash, e.Hash)
				prev = e.Hash
			}
			exec("UPDATE audit_head SET last_id = ?, hash = ? WHERE id = 1", len(evs), prev)
			done()

			s, err := Open(ctx, tg.url, withTestKeys(t, Options{}))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			rep, err := s.VerifyAuditChains(ctx)
			if err != nil || rep.Break != nil || rep.Checked != len(evs) {
				t.Fatalf("upgraded trail: %+v %v", rep, err)
			}
			// New entries: per event, after the legacy ones.
			for _, ev := range []int64{1, 2, 1} {
				appendOne(t, s, &ev, 0)
			}
			appendOne(t, s, nil, 0)
			if es := chainEntries(t, s, 1); len(es) != 2 || *es[0].Seq != 1 || es[0].PrevHash != zeroHash || es[0].ID <= int64(len(evs)) {
				t.Fatalf("event 1's new chain: %+v", es)
			}
			rep, err = s.VerifyAuditChains(ctx)
			if err != nil || rep.Break != nil || rep.Checked != len(evs)+4 || rep.Chains != 4 {
				t.Fatalf("legacy and new chains: %+v %v", rep, err)
			}
			one, err := s.VerifyEventAudit(ctx, 2)
			if err != nil || one.Break != nil || one.Checked != len(evs)+1 {
				t.Fatalf("event 2 with the legacy chain: %+v %v", one, err)
			}
			// An edit of the old history is still found, and named as such.
			if _, err := s.w.ExecContext(ctx, "UPDATE audit_log SET actor = 'mallory' WHERE id = 4"); err != nil {
				t.Fatal(err)
			}
			for _, verify := range []func() (AuditReport, error){
				func() (AuditReport, error) { return s.VerifyAuditChains(ctx) },
				func() (AuditReport, error) { return s.VerifyEventAudit(ctx, 2) },
			} {
				rep, err := verify()
				if err != nil || rep.Break == nil || !rep.Break.Legacy || rep.Break.ID != 4 || !strings.Contains(rep.Break.Message(), "升级前") {
					t.Fatalf("edited legacy entry: %+v %v", rep.Break, err)
				}
			}
			// So is an entry cut from its end: the legacy head remembers it.
			if _, err := s.w.ExecContext(ctx, "UPDATE audit_log SET actor = 'old' WHERE id = 4"); err != nil {
				t.Fatal(err)
			}
			if _, err := s.w.ExecContext(ctx, "DELETE FROM audit_log WHERE id = ?", len(evs)); err != nil {
				t.Fatal(err)
			}
			if bad, _, err := s.VerifyAudit(ctx); err != nil || bad != int64(len(evs)-1) {
				t.Fatalf("legacy chain cut short: bad %d, want %d (%v)", bad, len(evs)-1, err)
			}
		})
	}
}

func ptr(v int64) *int64 { return &v }

// BenchmarkApplyOpsEvents: batches of 20 or 200 marks spread over 85
// events, or all in one (SQLite, no network): the cost of opening one audit
// chain per event of a batch.
func BenchmarkApplyOpsEvents(b *testing.B) {
	for _, c := range []struct{ events, batch int }{{1, 200}, {85, 200}, {1, 20}, {85, 20}} {
		events, batch := c.events, c.batch
		b.Run(fmt.Sprintf("events=%d/batch=%d", events, batch), func(b *testing.B) {
			s, err := Open(context.Background(), "sqlite:"+b.TempDir()+"/bench.db", withTestKeys(b, Options{}))
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			ctx := context.Background()
			type target struct {
				ev, mod, aspect, judge, contestant int64
			}
			var ts []target
			for e := 0; e < events; e++ {
				ev, err := s.CreateEvent(ctx, NewEvent{
					Event: Event{Code: fmt.Sprintf("b%02d", e), Name: "压测", Kind: "competition", Occupation: "养老护理员",
						Year: 2026, Rules: `{"modules":[]}`},
					Groups: []Group{{Code: "g", Name: "职工组"}},
					Modules: []Module{{Code: "A", Name: "实操", Kind: "practical", Weight: 1000000, MaxMarks: 1000000,
						Aspects: []Aspect{{Code: "A1", Name: "要点", Kind: "judgement", MaxMarks: 100000}}}},
				}, "bench")
				if err != nil {
					b.Fatal(err)
				}
				mods, _ := s.Modules(ctx, ev.ID)
				code := "Y001"
				cs, err := s.AddContestants(ctx, ev.ID, []Contestant{{Name: "压测选手", Gender: "女", IDType: "其他",
					IDNumber: fmt.Sprintf("B-%d", e), GroupCode: "g", Code: &code}}, "bench")
				if err != nil {
					b.Fatal(err)
				}
				j, err := s.AddJudge(ctx, Judge{EventID: ev.ID, Code: "J01", Name: "裁判"}, []PanelMember{{ModuleID: mods[0].ID}}, "bench")
				if err != nil {
					b.Fatal(err)
				}
				if err := s.AddAssignments(ctx, ev.ID, []Assignment{{ModuleID: mods[0].ID, JudgeID: j.ID, ContestantID: cs[0].ID}}, "bench"); err != nil {
					b.Fatal(err)
				}
				ts = append(ts, target{ev.ID, mods[0].ID, mods[0].Aspects[0].ID, j.ID, cs[0].ID})
			}
			n := 0
			b.ResetTimer()
			start := time.Now()
			for i := 0; i < b.N; i++ {
				ops := make([]SheetOp, batch)
				for k := range ops {
					n++
					t := ts[k%len(ts)]
					ops[k] = SheetOp{OpID: fmt.Sprintf("o%d", n), Kind: OpMark, EventID: t.ev, ModuleID: t.mod, ContestantID: t.contestant,
						JudgeID: t.judge, AspectID: t.aspect, Value: int64(n%10) * 10000, Actor: "judge:1", Subject: "Y001"}
				}
				if _, err := s.ApplyOps(ctx, ops); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(time.Since(start).Microseconds())/float64(n), "µs/mark")
		})
	}
}

// TestAuditKeepsLargeDetails: an action naming thousands of things (核对补考
// of a big batch) writes one entry of more than MySQL's 64 KiB TEXT; it is
// stored whole and verifies on both databases.
func TestAuditKeepsLargeDetails(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		s := open(Options{})
		ctx := context.Background()
		a, _ := twoEvents(t, s)
		parts := make([]string, 5000)
		for i := range parts {
			parts[i] = fmt.Sprintf("考生 %04d：操作技能沿用 2026-KY-06 批次", i)
		}
		if err := s.inTx(ctx, func(tx *sqlx.Tx) error {
			return s.appendAudit(ctx, tx, &a.ID, "t", "retakes.apply", a.Code, map[string]any{"parts": parts}, s.now())
		}); err != nil {
			t.Fatal(err)
		}
		trail, err := s.AuditTrail(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		last := trail[len(trail)-1]
		if last.Action != "retakes.apply" || len(last.Detail) < 200_000 || !strings.Contains(last.Detail, "考生 4999") {
			t.Fatalf("last entry: %s, %d bytes of detail", last.Action, len(last.Detail))
		}
		if rep, err := s.VerifyEventAudit(ctx, a.ID); err != nil || rep.Break != nil {
			t.Fatalf("verify: %+v %v", rep, err)
		}
	})
}
