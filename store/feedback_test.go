package store

import (
	"context"
	"strings"
	"testing"

	"skillscore"
)

// A contestant finds their own row by 证件号码 + 姓名 (the number typed in
// lower case with spaces, as people do), every other pair gets the same
// answer, bad input is refused before anything is written, and the audit
// trail records each lookup with neither the number nor its index.
func TestFindOwnResults(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		ctx := context.Background()
		s := open(Options{})
		d := seed(t, s)
		id, err := s.FindOwnResults(ctx, d.ev.ID, " 36010219900307002x ", "李秀英", "203.0.113.7")
		if err != nil || id != d.cs[0].ID {
			t.Fatalf("own lookup = %d, %v; want %d", id, err, d.cs[0].ID)
		}
		var msgs []string
		for _, q := range [][2]string{
			{"36010219900307002X", "王建华"}, // another contestant's name
			{"360402200101010013", "李秀英"}, // another contestant's number
			{"360102199003070000", "无此人"}, // nobody at all
		} {
			_, err := s.FindOwnResults(ctx, d.ev.ID, q[0], q[1], "203.0.113.7")
			if skillscore.ErrorCode(err) != skillscore.ENotFound {
				t.Fatalf("%v: %v, want not found", q, err)
			}
			msgs = append(msgs, skillscore.ErrorMessage(err))
		}
		if msgs[0] != msgs[1] || msgs[1] != msgs[2] {
			t.Errorf("a wrong pair must read like an unknown one: %q", msgs)
		}
		before, err := s.AuditTrail(ctx, d.ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range [][2]string{{"", "李秀英"}, {"36010219900307002X", ""}, {strings.Repeat("1", 41), "李秀英"},
			{"36010219900307002X", strings.Repeat("李", 51)}} {
			if _, err := s.FindOwnResults(ctx, d.ev.ID, q[0], q[1], "x"); skillscore.ErrorCode(err) != skillscore.EInvalid {
				t.Errorf("%q: %v, want invalid", q, err)
			}
		}
		trail, err := s.AuditTrail(ctx, d.ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(trail) != len(before) {
			t.Errorf("refused lookups wrote %d audit entries", len(trail)-len(before))
		}
		idx, _ := s.idIndexes("36010219900307002X")
		var lookups []AuditEntry
		for _, e := range trail {
			if e.Action == "feedback.lookup" {
				lookups = append(lookups, e)
			}
			for _, secret := range append(idx, "36010219900307002X", "360402200101010013", "360102199003070000") {
				if strings.Contains(e.Detail+e.Subject, secret) {
					t.Errorf("audit entry %s holds %q: %s %s", e.Action, secret, e.Subject, e.Detail)
				}
			}
		}
		if len(lookups) != 4 || lookups[0].Actor != "public" || !strings.Contains(lookups[0].Detail, `"found":true`) ||
			!strings.Contains(lookups[1].Detail, `"found":false`) || !strings.Contains(lookups[0].Detail, "203.0.113.7") {
			t.Errorf("lookups audited as %+v", lookups)
		}
		if rep, err := s.VerifyEventAudit(ctx, d.ev.ID); err != nil || rep.Break != nil {
			t.Errorf("audit chain after lookups: %+v %v", rep, err)
		}
	})
}
