package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"

	"skillscore"
	"skillscore/retakes"
	"skillscore/scoring"
	"skillscore/store"
)

// RetakesStore is what 核对补考 needs: the lookup and the results of earlier
// batches (retakes.Store), and the parts a batch carries now. The judging
// store provides it (the same *store.Store).
type RetakesStore interface {
	retakes.Store
	CarriedParts(ctx context.Context, eventID int64) ([]store.CarriedPart, error)
	Contestants(ctx context.Context, eventID int64) ([]store.Contestant, error)
}

// retakesPage is the data of templates/html/retakes.html.
type retakesPage struct {
	Title, CSRF, EventCode, EventName, User, Message string
	Organizer                                        bool // may run 核对补考; read-only roles see the page
	BatchNo, StartsOn                                string
	RetakeMonths                                     int
	CheckError                                       string // why no check can run (no batch, no date)
	Found, Refused                                   []retakeRow
	Saved                                            []retakeRow // what the results use now
	CheckedBy, CheckedAt                             string
	Stale                                            bool // a fresh check differs from what is saved
}

// retakeRow is one 补考 candidate with the parts they carry, or why none.
type retakeRow struct {
	ID        int64
	Name, Org string
	Parts     []retakePart
	Notes     []string
	Reason    string
}

type retakePart struct {
	Name, Score, Verdict, ValidUntil string
}

func carriedRow(cp store.CarriedPart) retakePart {
	src := scoring.CarrySource{Event: cp.SourceEvent, BatchNo: cp.SourceBatchNo, Date: cp.SourceDate}
	return retakePart{Name: retakes.PartName(cp.Part), Score: scoring.Decimal(cp.Score).String(),
		Verdict: scoring.PartVerdict{Verdict: scoring.VerdictCarried, Source: &src}.Text(), ValidUntil: cp.ValidUntil}
}

func (s *Server) retakesStore(w http.ResponseWriter, r *http.Request, ev store.Event) (RetakesStore, bool) {
	st, ok := s.judging.(RetakesStore)
	switch {
	case !ok:
		s.fail(w, r, skillscore.Errorf(skillscore.EUnavailable, "核对补考功能未启用"))
	case ev.Kind != string(scoring.Assessment):
		s.fail(w, r, skillscore.Errorf(skillscore.ENotFound, "%s 是竞赛，不是等级认定批次，没有补考", ev.Code))
		ok = false
	}
	return st, ok
}

// handleRetakesPage is 核对补考: the 补考 candidates of a batch, what a
// check finds for each now (the parts that carry, with their source batch,
// or why none does), and what the results use, saved by the last check.
func (s *Server) handleRetakesPage(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	st, ok := s.retakesStore(w, r, ev)
	if !ok {
		return
	}
	ctx := r.Context()
	page := retakesPage{Title: ev.Name + " · 核对补考", CSRF: u.CSRF, EventCode: ev.Code, EventName: ev.Name, User: u.User.Name,
		Message: r.URL.Query().Get("msg"), Organizer: scopeHas(r, u.Access, RoleOrganizer), StartsOn: ev.StartsOn}
	saved, err := st.CarriedParts(ctx, ev.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	people, err := st.Contestants(ctx, ev.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	who := map[int64]store.Contestant{}
	for _, c := range people {
		who[c.ID] = c
	}
	for _, cp := range saved {
		if n := len(page.Saved); n == 0 || page.Saved[n-1].ID != cp.ContestantID {
			c := who[cp.ContestantID]
			page.Saved = append(page.Saved, retakeRow{ID: c.ID, Name: c.Name, Org: c.Organization})
		}
		row := &page.Saved[len(page.Saved)-1]
		row.Parts = append(row.Parts, carriedRow(cp))
		page.CheckedBy, page.CheckedAt = cp.CheckedBy, cnFormat(cp.CheckedAt)
	}
	rep, err := retakes.Check(ctx, st, ev.ID)
	switch {
	case err != nil && HTTPStatus(err) < 500:
		page.CheckError = skillscore.ErrorMessage(err)
	case err != nil:
		s.fail(w, r, err)
		return
	default:
		page.BatchNo, page.RetakeMonths = rep.Batch.BatchNo, rep.Batch.RetakeMonths
		for _, c := range rep.Candidates {
			row := retakeRow{ID: c.ContestantID, Name: c.Name, Org: c.Organization, Notes: c.Notes, Reason: c.Refused}
			for _, cp := range c.Carried {
				row.Parts = append(row.Parts, carriedRow(cp))
			}
			if c.Refused != "" {
				page.Refused = append(page.Refused, row)
			} else {
				page.Found = append(page.Found, row)
			}
		}
		page.Stale = !sameCarried(saved, rep.Parts())
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, "retakes", page)
}

// sameCarried: the saved parts are what a check gives now.
func sameCarried(saved, fresh []store.CarriedPart) bool {
	key := func(cp store.CarriedPart) string {
		return fmt.Sprint(cp.ContestantID, cp.Part, cp.Score, cp.SourceEventID, cp.SourceBatchNo, cp.SourceDate, cp.ValidUntil)
	}
	a, b := make([]string, len(saved)), make([]string, len(fresh))
	for i, cp := range saved {
		a[i] = key(cp)
	}
	for i, cp := range fresh {
		b[i] = key(cp)
	}
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// handleRetakesCheck runs 核对补考 and saves its outcome: the carried
// parts replace the batch's (audited with who was refused and why), the
// tablets drop the parts no one sits, the results recompute.
func (s *Server) handleRetakesCheck(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	st, ok := s.retakesStore(w, r, ev)
	if !ok {
		return
	}
	rep, err := retakes.Apply(r.Context(), st, ev.ID, u.User.Username)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.judges.CarriedChanged(r.Context(), ev.ID); err != nil {
		s.log.Warn("reload tablets after 核对补考", "event", ev.Code, "err", err)
	}
	s.log.Info("retakes checked", "event", ev.Code, "found", len(rep.Found()), "refused", len(rep.Refused()), "by", u.User.Username)
	http.Redirect(w, r, noticeURL("/events/"+ev.Code+"/batch/retakes", "retakes-checked", len(rep.Found()), len(rep.Refused())), http.StatusSeeOther)
}
