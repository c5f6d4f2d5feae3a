package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"skillscore"
	"skillscore/demo"
	"skillscore/internal/testenv"
	"skillscore/judges"
	"skillscore/store"
	"skillscore/supervision"
	"skillscore/templates"
	"skillscore/web"
)

// chinaOffice is newOffice on a store whose clock stands at 07:00 UTC on
// 2026-04-18, which is 15:00 in China: a page formatting in the server's
// zone (UTC on this machine, and wherever TZ is unset) shows 07:00.
func chinaOffice(t *testing.T) *office {
	t.Helper()
	ctx := context.Background()
	clock := &demo.Clock{}
	clock.Set(time.Date(2026, 4, 18, 7, 0, 0, 0, time.UTC))
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "cst.db"), store.Options{Keys: testenv.Keys(t), Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ev, err := demo.Create(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	addStaff(t, st, "org", "chief", "keeper1")
	tmpl, err := templates.New()
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := judges.New(st, judges.Config{Logger: log})
	t.Cleanup(svc.Close)
	srv := httptest.NewServer(web.New(web.Config{Store: st, Templates: tmpl, Logger: log, Judges: svc, Judging: st}))
	t.Cleanup(srv.Close)
	return &office{t: t, st: st, srv: srv, ev: ev}
}

// Pages show China time whatever the server's zone: the check-in page's
// times and its closing banner, the audit trail and the draw page's
// decryption, all stamped at 07:00 UTC, read 15:00.
func TestPagesShowChinaTime(t *testing.T) {
	o := chinaOffice(t)
	ctx := context.Background()
	base := "/events/" + o.ev.Code
	sess, _ := demoSession(t, o)
	var pending int64
	for _, r := range sess.Rows {
		if r.Outcome == "" {
			pending = r.ContestantID
			break
		}
	}
	tok, err := o.st.CardToken(o.ev.ID, pending)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := o.st.CheckIn(ctx, store.CheckinRequest{EventID: o.ev.ID, Session: "S01", Token: tok, Actor: "keeper1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := o.st.CloseSession(ctx, o.ev.ID, "S01", "chief"); err != nil {
		t.Fatal(err)
	}
	chief := o.browser()
	chief.login("chief", "pass-chief")
	code, body := chief.get(base + "/checkin?s=S01")
	if code != 200 || !strings.Contains(body, "已于 15:00 由 chief 结束") || !strings.Contains(body, "<td>15:00</td>") || strings.Contains(body, "07:00") {
		t.Errorf("check-in page: %d, want its times at 15:00\n%s", code, body)
	}
	code, body = chief.get(base + "/audit")
	if code != 200 || !strings.Contains(body, "04-18 15:00:00") || strings.Contains(body, "04-18 07:00:00") {
		t.Errorf("audit page: %d, want its entries at 04-18 15:00:00\n%s", code, body)
	}
	testenv.Decrypted(t, o.st, o.ev.ID)
	org := o.browser()
	org.login("org", "pass-org")
	code, body = org.get(base + "/draw")
	if code != 200 || !strings.Contains(body, "已于 2026-04-18 15:00:00 由") {
		t.Errorf("draw page: %d, want decrypted at 2026-04-18 15:00:00\n%s", code, body)
	}
}

// The 督导 form's lockout after wrong PINs names its end in China time,
// on the page and in the refusal of a signature.
func TestSupervisionLockoutShowsChinaTime(t *testing.T) {
	o := newSupervisedOffice(t)
	ctx := context.Background()
	base := "/events/" + o.batch.Event.Code + "/batch/supervision"
	sup := o.as("sup")
	sup.get(base + "/new?session=P01")
	if code, body := sup.post(base+"/records", recordForm(sup.csrf, "P01", "480213", "480213")); code != 303 {
		t.Fatalf("first record: %d %s", code, body)
	}
	id := userID(t, o.st, "sup")
	var pin store.SigningPIN
	for range supervision.MaxPINFailures {
		var err error
		if pin, err = o.st.SigningPINFailed(ctx, id, o.batch.Event.ID, "sup"); err != nil {
			t.Fatal(err)
		}
	}
	// Eight hours apart, the two never coincide.
	cst, utc := pin.LockedUntil.In(skillscore.China()).Format("15:04"), pin.LockedUntil.UTC().Format("15:04")
	if code, body := sup.get(base + "/new?session=P02"); code != 200 || !strings.Contains(body, "签名已锁定至 "+cst+"。") {
		t.Errorf("form while locked: %d, want locked until %s (not %s)\n%s", code, cst, utc, body)
	}
	if code, body := sup.post(base+"/records", recordForm(sup.csrf, "P02", "480213")); code != 429 || !strings.Contains(body, "签名已锁定至 "+cst+"，") {
		t.Errorf("signature while locked: %d, want locked until %s (not %s)\n%s", code, cst, utc, body)
	}
}
