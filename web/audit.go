package web

import (
	"net/http"
	"strconv"
	"strings"

	"skillscore/store"
)

// ---- the audit trail ----------------------------------------------------

type auditPage struct {
	Title, EventCode, Contestant, Judge string
	Entries                             []auditRow
	ChainOK                             bool
	ChainBad                            int64
	Checked                             int
}

type auditRow struct {
	ID                                 int64
	At, Actor, Action, Subject, Detail string
	Hash                               string
}

func (s *Server) handleAudit(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	ctx := r.Context()
	q := r.URL.Query()
	page := auditPage{Title: ev.Name + " · 审计记录", EventCode: ev.Code, Contestant: strings.TrimSpace(q.Get("contestant")),
		Judge: strings.TrimSpace(q.Get("judge"))}
	actor := ""
	if page.Judge != "" {
		js, err := s.judging.Judges(ctx, ev.ID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		actor = "judge:?"
		for _, j := range js {
			if j.Code == page.Judge {
				actor = "judge:" + strconv.FormatInt(j.ID, 10)
			}
		}
	}
	entries, err := s.judging.AuditFor(ctx, ev.ID, page.Contestant, actor)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	const maxRows = 2000
	if len(entries) > maxRows {
		entries = entries[len(entries)-maxRows:]
	}
	for i := len(entries) - 1; i >= 0; i-- { // newest first
		e := entries[i]
		page.Entries = append(page.Entries, auditRow{ID: e.ID, At: e.At.Local().Format("01-02 15:04:05"), Actor: e.Actor,
			Action: e.Action, Subject: e.Subject, Detail: e.Detail, Hash: e.Hash[:12]})
	}
	page.ChainBad, page.Checked, err = s.judging.VerifyAudit(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page.ChainOK = page.ChainBad == 0
	s.render(w, r, "audit", page)
}
