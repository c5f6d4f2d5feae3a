package store

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"skillscore"
)

// testClock is a settable clock for the retention tests.
type testClock struct {
	mu sync.Mutex
	at time.Time
}

func (c *testClock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.at }
func (c *testClock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.at = t }

func TestArchiveRetentionLock(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		ctx := context.Background()
		clock := &testClock{at: time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)}
		s := open(Options{Now: clock.Now})
		d := seed(t, s)

		head, err := s.EventAuditHead(ctx, d.ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		trail, err := s.AuditTrail(ctx, d.ev.ID)
		if err != nil || len(trail) == 0 {
			t.Fatalf("trail: %v", err)
		}
		if last := trail[len(trail)-1]; last.Hash != head.Hash || last.Seq == nil || *last.Seq != head.Seq {
			t.Fatalf("head %+v, last entry %+v", head, last)
		}
		if none, err := s.EventAuditHead(ctx, d.ev.ID+99); err != nil || none.Seq != 0 || none.Hash != zeroHash {
			t.Fatalf("head of an event without a chain: %+v, %v", none, err)
		}

		for _, bad := range []int{0, 31, -1} {
			if bad == 0 {
				continue // 0 means the default
			}
			if _, err := s.RecordArchive(ctx, ArchiveRecord{EventID: d.ev.ID, Years: bad}, "org"); skillscore.ErrorCode(err) != skillscore.EInvalid ||
				!strings.Contains(skillscore.ErrorMessage(err), "归档保存年限应为 1 至 30 年") {
				t.Errorf("years %d: %v", bad, err)
			}
		}
		if as, _ := s.EventArchives(ctx, d.ev.ID); len(as) != 0 {
			t.Fatalf("a refused archive was stored: %+v", as)
		}
		if _, err := s.RecordArchive(ctx, ArchiveRecord{EventID: d.ev.ID + 99}, "org"); skillscore.ErrorCode(err) != skillscore.ENotFound {
			t.Errorf("archive of an unknown event: %v", err)
		}

		// Final results but no archive: deletion asks for one first.
		if _, err := s.w.ExecContext(ctx, "INSERT INTO finals (event_id, finalized_at, finalized_by) VALUES (?, ?, 'org')",
			d.ev.ID, micros(clock.Now())); err != nil {
			t.Fatal(err)
		}
		if _, err := s.DeleteEvent(ctx, d.ev.ID, "org"); skillscore.ErrorCode(err) != skillscore.EConflict ||
			!strings.Contains(skillscore.ErrorMessage(err), "尚未归档：请先归档") {
			t.Fatalf("delete of a final, unarchived event: %v", err)
		}

		a, err := s.RecordArchive(ctx, ArchiveRecord{EventID: d.ev.ID, ZipSHA256: strings.Repeat("a", 64),
			ManifestSHA256: strings.Repeat("b", 64), AuditSeq: head.Seq, AuditHash: head.Hash, KeyID: "0123456789abcdef",
			Files: 7, Bytes: 12345}, "org")
		if err != nil {
			t.Fatal(err)
		}
		if want := time.Date(2031, 5, 1, 9, 0, 0, 0, time.UTC); !a.RetainUntil.Equal(want) || a.EventCode != d.ev.Code {
			t.Fatalf("archive %+v: retain until %v, want %v", a, a.RetainUntil, want)
		}
		// A shorter second archive does not shorten the lock.
		if _, err := s.RecordArchive(ctx, ArchiveRecord{EventID: d.ev.ID, ZipSHA256: strings.Repeat("c", 64), Years: 1}, "org"); err != nil {
			t.Fatal(err)
		}
		lock, err := s.RetentionLock(ctx, d.ev.ID)
		if err != nil || !lock.Until.Equal(a.RetainUntil.Time) || lock.Archive.ID != a.ID || !lock.Locked(clock.Now()) {
			t.Fatalf("lock %+v, %v", lock, err)
		}
		trail, _ = s.AuditTrail(ctx, d.ev.ID)
		if last := trail[len(trail)-1]; last.Action != "event.archive" || !strings.Contains(last.Detail, `"zip_sha256":"cccc`) {
			t.Fatalf("last entry %+v", last)
		}

		clock.Set(time.Date(2031, 5, 1, 8, 59, 59, 0, time.UTC))
		_, err = s.DeleteEvent(ctx, d.ev.ID, "org")
		if skillscore.ErrorCode(err) != skillscore.EConflict ||
			skillscore.ErrorMessage(err) != "赛事 jx-test 已于 2026年5月1日 归档，保存期限至 2031年5月1日：期满前不能删除" {
			t.Fatalf("delete while locked: %v", err)
		}
		if _, err := s.Event(ctx, d.ev.ID); err != nil {
			t.Fatalf("the refused deletion removed the event: %v", err)
		}

		clock.Set(time.Date(2031, 5, 1, 9, 0, 0, 0, time.UTC))
		del, err := s.DeleteEvent(ctx, d.ev.ID, "org")
		if err != nil {
			t.Fatal(err)
		}
		if del.Event.Code != "jx-test" || del.Rows["contestants"] != 2 || del.Rows["judges"] != 2 || del.Rows["modules"] != 2 {
			t.Fatalf("deleted %+v", del)
		}
		if _, err := s.Event(ctx, d.ev.ID); skillscore.ErrorCode(err) != skillscore.ENotFound {
			t.Fatalf("event after deletion: %v", err)
		}
		for _, q := range []string{"SELECT COUNT(*) FROM contestants WHERE event_id = ?", "SELECT COUNT(*) FROM modules WHERE event_id = ?",
			"SELECT COUNT(*) FROM aspects WHERE module_id IN (SELECT id FROM modules WHERE event_id = ?)"} {
			var n int
			if err := s.r.GetContext(ctx, &n, q, d.ev.ID); err != nil || n != 0 {
				t.Errorf("%s: %d, %v", q, n, err)
			}
		}
		// Kept: the archives' record and the event's chain, still intact,
		// with the deletion in the system chain.
		if as, err := s.EventArchives(ctx, d.ev.ID); err != nil || len(as) != 2 {
			t.Fatalf("archive records after deletion: %d, %v", len(as), err)
		}
		if trail, err := s.AuditTrail(ctx, d.ev.ID); err != nil || len(trail) == 0 {
			t.Fatalf("event chain after deletion: %d, %v", len(trail), err)
		}
		rep, err := s.VerifyAuditChains(ctx)
		if err != nil || rep.Break != nil {
			t.Fatalf("audit after deletion: %+v, %v", rep, err)
		}
		var sys AuditEntry
		if err := s.r.GetContext(ctx, &sys, "SELECT * FROM audit_log WHERE event_id IS NULL ORDER BY id DESC LIMIT 1"); err != nil {
			t.Fatal(err)
		}
		if sys.Action != "event.delete" || sys.Subject != "jx-test" || sys.Actor != "org" ||
			!strings.Contains(sys.Detail, `"manifest_sha256":"`+strings.Repeat("b", 64)) || !strings.Contains(sys.Detail, `"audit_seq":`+fmt.Sprint(head.Seq+2)) {
			t.Fatalf("deletion entry %+v", sys)
		}
		if _, err := s.DeleteEvent(ctx, d.ev.ID, "org"); skillscore.ErrorCode(err) != skillscore.ENotFound {
			t.Fatalf("second deletion: %v", err)
		}
	})
}

// An event never made final and never archived (a rehearsal, a mistake)
// may be deleted at once.
func TestDeleteUnarchivedDraftEvent(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		ctx := context.Background()
		s := open(Options{})
		d := seed(t, s)
		if _, err := s.DeleteEvent(ctx, d.ev.ID, "org"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.EventByCode(ctx, "jx-test"); skillscore.ErrorCode(err) != skillscore.ENotFound {
			t.Fatalf("event after deletion: %v", err)
		}
		// Its code is free again.
		seed(t, s)
	})
}
