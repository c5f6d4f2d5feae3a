package certificates

import (
	"context"
	"strings"
	"testing"
	"time"

	"skillscore"
	"skillscore/internal/testenv"
	"skillscore/store"
)

// TestAssessmentCertificatesWaitForApproval: an assessment batch's level
// certificates get no number before the supervising office approves the
// batch; then each candidate who passed gets one.
func TestAssessmentCertificatesWaitForApproval(t *testing.T) {
	ctx := context.Background()
	st := testenv.SQLite(t)
	ev, cs := testenv.Assessment(t, st, "jx-rd-cert")
	kr, _ := testKeys(t)
	svc, err := New(Config{Store: st, Numbering: testNumbering(), Issuer: "江西省康养职业技能评价中心（测试）", Keys: kr,
		Now: func() time.Time { return time.Date(2026, 3, 20, 2, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	refused := func(step, phrase string) {
		t.Helper()
		_, err := svc.Issue(ctx, ev.ID, "organizer")
		if skillscore.ErrorCode(err) != skillscore.EConflict || !strings.Contains(skillscore.ErrorMessage(err), phrase) {
			t.Fatalf("%s: %v, want a conflict naming %q", step, err, phrase)
		}
	}
	refused("before 公示", "未报审")
	testenv.Submitted(t, st, ev.ID, "organizer")
	refused("submitted", "待审核")
	u, err := st.CreateUserWithGrant(ctx, store.User{Username: "rev", Name: "审核员", Role: store.RoleReviewer, PasswordHash: "x"},
		store.Grant{Role: store.RoleReviewer, EventCode: ev.Code}, "test")
	if err != nil {
		t.Fatal(err)
	}
	if err := st.ApproveBatch(ctx, ev.ID, u.Username); err != nil {
		t.Fatal(err)
	}
	if list, _ := st.EventCertificates(ctx, ev.ID); len(list) != 0 {
		t.Fatalf("certificates before the issue: %d", len(list))
	}
	res, err := svc.Issue(ctx, ev.ID, "organizer")
	if err != nil {
		t.Fatalf("issue after approval: %v", err)
	}
	var holders []string
	for _, c := range res.Certificates {
		if c.Kind != KindLevel {
			t.Fatalf("an assessment issued a %s certificate", c.Kind)
		}
		holders = append(holders, c.Name)
	}
	if strings.Join(holders, "、") != cs[0].Name+"、"+cs[1].Name {
		t.Fatalf("level certificates for %v, want the two who passed", holders)
	}
}
