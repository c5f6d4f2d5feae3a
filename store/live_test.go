package store

import (
	"context"
	"strings"
	"testing"
	"time"

	"skillscore"
)

func TestLiveStateChangesAdvanceRevisionAndAudit(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		now := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
		s := open(Options{Now: func() time.Time { return now }})
		ctx := context.Background()
		d := seed(t, s)
		id := d.ev.ID
		l, err := s.LiveState(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if l.Published() || l.Frozen(now) || l.Ceremony() || l.FrozenBoard != "" || l.Revision != 0 {
			t.Fatalf("default live state: %+v", l)
		}
		if _, err := s.LiveState(ctx, 424242); skillscore.ErrorCode(err) != skillscore.ENotFound {
			t.Fatalf("unknown event: %v", err)
		}
		// Refused changes leave state and revision alone.
		if _, err := s.SetPublished(ctx, id, true, "organizer"); skillscore.ErrorCode(err) != skillscore.EConflict ||
			!strings.Contains(skillscore.ErrorMessage(err), d.pra.Name) {
			t.Fatalf("publish before sign-off: %v", err)
		}
		if _, err := s.SetCeremonyStep(ctx, id, 1, "", "organizer"); skillscore.ErrorCode(err) != skillscore.EConflict {
			t.Fatalf("ceremony before a freeze: %v", err)
		}
		for _, step := range []int{-2, maxCeremonyStep + 1} {
			if _, err := s.SetCeremonyStep(ctx, id, step, "", "organizer"); skillscore.ErrorCode(err) != skillscore.EInvalid {
				t.Fatalf("step %d: %v", step, err)
			}
		}
		if rev, _ := s.EventRevision(ctx, id); rev != 0 {
			t.Fatalf("refused changes advanced the revision to %d", rev)
		}
		// Publishing names follows the results workflow: the only judged module signed off.
		if err := s.SignOffModule(ctx, id, d.pra.ID, 1, "chief"); err != nil {
			t.Fatal(err)
		}
		rev, err := s.SetPublished(ctx, id, true, "organizer")
		if err != nil || rev != 2 {
			t.Fatalf("publish: rev %d %v", rev, err)
		}
		// A freeze in the future is not frozen yet, and nothing can be
		// captured before its time.
		at := now.Add(time.Hour)
		if rev, err = s.SetFreeze(ctx, id, at, "", "organizer"); err != nil || rev != 3 {
			t.Fatalf("freeze: rev %d %v", rev, err)
		}
		if l, err = s.CaptureFrozenBoard(ctx, id, 3, `{"early":true}`); err != nil || l.FrozenBoard != "" {
			t.Fatalf("capture before the freeze time: %+v %v", l, err)
		}
		now = at
		// The capture is a change of the public board: a new revision.
		if l, err = s.CaptureFrozenBoard(ctx, id, 3, `{"first":true}`); err != nil || l.FrozenBoard != `{"first":true}` ||
			l.FrozenRevision != 3 || l.Revision != 4 {
			t.Fatalf("first capture: %+v %v", l, err)
		}
		// The second instance to capture gets the first one's board.
		if l, err = s.CaptureFrozenBoard(ctx, id, 4, `{"second":true}`); err != nil || l.FrozenBoard != `{"first":true}` || l.Revision != 4 {
			t.Fatalf("second capture: %+v %v", l, err)
		}
		if rev, err = s.SetCeremonyStep(ctx, id, 2, "", "organizer"); err != nil || rev != 5 {
			t.Fatalf("ceremony: rev %d %v", rev, err)
		}
		if _, err := s.SetFreeze(ctx, id, time.Time{}, "", "organizer"); skillscore.ErrorCode(err) != skillscore.EConflict {
			t.Fatalf("lifting the freeze during the ceremony: %v", err)
		}
		l, err = s.LiveState(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if !l.Published() || !l.Frozen(now) || l.CeremonyStep != 2 || !l.FreezeAt.Equal(at) || l.Revision != 5 {
			t.Fatalf("state after the changes: %+v", l)
		}
		if _, err := s.SetCeremonyStep(ctx, id, -1, "", "organizer"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SetFreeze(ctx, id, time.Time{}, "", "organizer"); err != nil {
			t.Fatal(err)
		}
		if l, _ = s.LiveState(ctx, id); l.Frozen(now) || l.FrozenBoard != "" || l.Ceremony() {
			t.Fatalf("after lifting the freeze: %+v", l)
		}
		trail, err := s.AuditTrail(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range trail {
			actions = append(actions, e.Action)
		}
		n := 0
		for _, a := range actions {
			if len(a) > 5 && a[:5] == "live." {
				n++
			}
		}
		if n != 6 {
			t.Errorf("audit has %d live entries, want 6: %v", n, actions)
		}
		if bad, _, err := s.VerifyAudit(ctx); err != nil || bad != 0 {
			t.Errorf("audit chain: bad=%d %v", bad, err)
		}
	})
}
