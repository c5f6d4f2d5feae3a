package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"skillscore/internal/testenv"
	"skillscore/judges"
	"skillscore/store"
	"skillscore/templates"
	"skillscore/web"
)

// brokenChain is the store with the event's audit chain reported broken.
type brokenChain struct {
	*store.Store
	asked []int64
}

func (b *brokenChain) VerifyEventAudit(ctx context.Context, eventID int64) (store.AuditReport, error) {
	b.asked = append(b.asked, eventID)
	return store.AuditReport{Checked: 5, Break: &store.AuditBreak{EventID: &eventID, ID: 42, Seq: 3, Reason: "内容被改动（哈希不符）"}}, nil
}

// TestAuditPageVerifiesItsEventsChain: the audit page checks its own
// event's chain and, when it breaks, says where in Chinese; intact, it
// says so.
func TestAuditPageVerifiesItsEventsChain(t *testing.T) {
	st, ev := testenv.Demo(t)
	addStaff(t, st, "chief")
	tmpl, err := templates.New()
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := judges.New(st, judges.Config{Logger: log})
	t.Cleanup(svc.Close)
	broken := &brokenChain{Store: st}
	for _, tc := range []struct {
		judging web.JudgingStore
		want    string
	}{
		{st, "本赛事审计链完整"},
		{broken, "赛事 #" + strconv.FormatInt(ev.ID, 10) + " 的审计链第 3 条（记录号 42）：内容被改动"},
	} {
		srv := httptest.NewServer(web.New(web.Config{Store: st, Templates: tmpl, Logger: log, Judges: svc, Judging: tc.judging}))
		o := &office{t: t, st: st, srv: srv, ev: ev}
		chief := o.browser()
		chief.login("chief", "pass-chief")
		status, body := chief.get("/events/" + ev.Code + "/audit")
		srv.Close()
		if status != 200 || !strings.Contains(body, tc.want) {
			t.Errorf("audit page: %d, want %q", status, tc.want)
		}
	}
	if len(broken.asked) != 1 || broken.asked[0] != ev.ID {
		t.Errorf("verified chains %v, want only event %d's", broken.asked, ev.ID)
	}
}
