package archive_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"skillscore"
	"skillscore/archive"
	"skillscore/certificates"
	"skillscore/demo"
	"skillscore/internal/testdb"
	"skillscore/internal/testenv"
	"skillscore/store"
)

type clock struct {
	mu sync.Mutex
	at time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.at.IsZero() {
		return time.Now()
	}
	return c.at
}

func (c *clock) set(t time.Time) { c.mu.Lock(); c.at = t; c.mu.Unlock() }

// TestArchivedDemoEventDeletedAfterRetention takes a whole event (the
// demo's: sheets, marks, judges, sessions, certificates) through archive,
// a refused deletion, and the deletion five years on, on both databases:
// no row of the event is left in any table but the audit chain and the
// archive records, and every audit chain still verifies.
func TestArchivedDemoEventDeletedAfterRetention(t *testing.T) {
	targets := map[string]string{"sqlite": ""}
	if dsn := testdb.DSN(t); dsn != "" {
		targets["mysql"] = dsn
	}
	for name, dsn := range targets {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			url := "sqlite:" + filepath.Join(t.TempDir(), "d.db")
			if dsn != "" {
				url = "mysql:" + testdb.Scratch(t, dsn, "skillscore_ar_")
			}
			c := &clock{}
			st, err := store.Open(ctx, url, store.Options{Keys: testenv.Keys(t), Now: c.now})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			ev, err := demo.Create(ctx, st)
			if err != nil {
				t.Fatal(err)
			}
			other, err := st.CreateEvent(ctx, store.NewEvent{Event: store.Event{Code: "other", Name: "另一赛事", Kind: "competition",
				Occupation: "养老护理员", Year: 2026, Rules: `{"modules":[]}`}, Groups: []store.Group{{Code: "all", Name: "全体"}}}, "t")
			if err != nil {
				t.Fatal(err)
			}
			testenv.Final(t, st, ev.ID)
			keys := filepath.Join(t.TempDir(), "keys")
			certificates.GenerateKey(keys, time.Now())
			kr, err := certificates.LoadKeyring(keys)
			if err != nil {
				t.Fatal(err)
			}
			svc, err := certificates.New(certificates.Config{Store: st, Numbering: certificates.Numbering{Letter: "S", BodyCode: "0000",
				Province: "36", BodySerial: "000001"}, Issuer: "评价中心", AwardIssuers: "组委会", VerifyURL: "http://x/verify", Keys: kr})
			if err != nil {
				t.Fatal(err)
			}
			if res, err := svc.Issue(ctx, ev.ID, "organizer"); err != nil || res.New == 0 {
				t.Fatalf("issue: %+v, %v", res, err)
			}
			a, err := archive.New(archive.Config{Store: st, Signer: kr.Signer, Now: c.now})
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := a.WriteFile(ctx, ev, filepath.Join(t.TempDir(), "a.zip"), 0, archive.Options{Actor: "organizer"}); err != nil {
				t.Fatal(err)
			}
			if _, err := st.DeleteEvent(ctx, ev.ID, "organizer"); skillscore.ErrorCode(err) != skillscore.EConflict {
				t.Fatalf("deletion within the retention: %v", err)
			}
			if before, err := st.EventRowsLeft(ctx, ev.ID); err != nil || before["contestants.event_id"] == 0 || before["certificates.event_id"] == 0 {
				t.Fatalf("rows counted before the deletion: %v, %v", before, err)
			}
			c.set(time.Now().AddDate(5, 0, 1))
			del, err := st.DeleteEvent(ctx, ev.ID, "organizer")
			if err != nil {
				t.Fatal(err)
			}
			if del.Rows["certificates"] == 0 || del.Rows["contestants"] == 0 || del.Rows["modules"] == 0 {
				t.Errorf("rows deleted: %v", del.Rows)
			}
			left, err := st.EventRowsLeft(ctx, ev.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(left) != 0 {
				t.Errorf("rows of the deleted event left: %v", left)
			}
			if _, err := st.Event(ctx, other.ID); err != nil {
				t.Errorf("the other event: %v", err)
			}
			if rep, err := st.VerifyAuditChains(ctx); err != nil || rep.Break != nil {
				t.Errorf("audit after the deletion: %+v, %v", rep, err)
			}
		})
	}
}
