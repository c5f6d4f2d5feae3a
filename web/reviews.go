package web

import (
	"net/http"
	"time"

	"skillscore"
	"skillscore/scoring"
	"skillscore/store"
)

// A reviewer (审核员) of the supervising office reads the batches of its
// scope and has one action: approve a submitted batch, or return it with
// reasons. An organizer may do everything else in its scope but not this:
// the body does not approve its own results.

// reviewerAnywhere admits a user who reviews some scope: the reviewers'
// list shows only the batches of their scopes.
func reviewerAnywhere(r *http.Request, a store.Access) error {
	if a.InSite(RoleReviewer) {
		return nil
	}
	for _, held := range a.Programmes {
		if held[RoleReviewer] {
			return nil
		}
	}
	for _, held := range a.Events {
		if held[RoleReviewer] {
			return nil
		}
	}
	return skillscore.Errorf(skillscore.EForbidden, "只有监管部门的审核员可以查看待审核的认定批次")
}

// reviewerOnly admits a reviewer of the request's event, and no one else
// (an organizer of the event included).
func reviewerOnly(r *http.Request, a store.Access) error {
	if err := outOfScope(r, a); err != nil {
		return err
	}
	if !scopeHas(r, a, RoleReviewer) {
		return skillscore.Errorf(skillscore.EForbidden, "只有本批次的审核员（监管部门）可以批准或退回认定批次")
	}
	return nil
}

// reviewRow is one batch on the reviewers' list.
type reviewRow struct {
	Code, Name, Occupation, Level, BatchNo string
	StateName, State, At, Actor, Reason    string
}

type reviewsPage struct {
	Title          string
	Waiting, Other []reviewRow
}

// handleReviews is the reviewer's list: the batches of its scopes awaiting
// review, then those it or others decided or that wait for resubmission.
func (s *Server) handleReviews(w http.ResponseWriter, r *http.Request, u *authed) {
	rs, err := s.reviewStore()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	items, err := rs.ReviewQueue(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := reviewsPage{Title: "认定批次审核"}
	for _, it := range items {
		if !u.Access.InEvent(it.Code, RoleReviewer) {
			continue
		}
		row := reviewRow{Code: it.Code, Name: it.Name, Occupation: it.Occupation, Level: scoring.LevelName(it.Level), BatchNo: it.BatchNo,
			State: it.State(), StateName: store.ReviewStateName(it.State()), At: cnFormat(it.ActedAt), Actor: it.Actor, Reason: it.Reason}
		if row.State == store.ReviewSubmitted {
			page.Waiting = append(page.Waiting, row)
		} else {
			page.Other = append(page.Other, row)
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, "reviews", page)
}

type approvalPage struct {
	Title, CSRF, EventCode, EventName, Message string
	BatchNo, Occupation, OccupationCode        string
	Specialty, Level, Dates                    string
	State, StateName                           string
	Publicity                                  publicityView
	Submitted                                  *reviewStepRow
	CanDecide                                  bool // a reviewer of the batch, and the batch awaits a decision
	DecideRefused                              string
	History                                    []reviewStepRow
	// Verdicts are the results as the body's results page shows them:
	// each part's score and verdict (沿用 with its source for a 补考).
	Verdicts *assessmentVerdicts
	Codes    bool // some candidate holds a code (准考证号 or draw code): its column shows
}

// handleBatchApproval is the reviewer's page of one batch: what was
// submitted and its 公示, the results read-only, approve or return.
func (s *Server) handleBatchApproval(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	ctx := r.Context()
	_, rev, err := s.batchReview(ctx, ev)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := approvalPage{Title: ev.Name + " · 批次审核", CSRF: u.CSRF, EventCode: ev.Code, EventName: ev.Name,
		Message: r.URL.Query().Get("msg"), BatchNo: rev.BatchNo, Occupation: ev.Occupation, OccupationCode: ev.OccupationCode,
		Specialty: ev.Specialty, Level: scoring.LevelName(ev.Level), Dates: ev.StartsOn, State: rev.State,
		StateName: store.ReviewStateName(rev.State), Publicity: publicityOf(rev, time.Now()), History: reviewHistory(rev),
		DecideRefused: refusal(rev.DecideAllowed())}
	page.CanDecide = page.DecideRefused == "" && scopeHas(r, u.Access, RoleReviewer)
	if st, ok := rev.LastOf(store.ReviewSubmit); ok && rev.State == store.ReviewSubmitted {
		row := reviewHistory(store.Review{Steps: []store.ReviewStep{st}})[0]
		page.Submitted = &row
	}
	if page.Verdicts, err = s.assessmentVerdicts(ctx, ev, rev.Workflow); err != nil {
		s.fail(w, r, err)
		return
	}
	for _, row := range page.Verdicts.Rows {
		page.Codes = page.Codes || row.Code != ""
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, "batchapproval", page)
}

// handleBatchApprove records the reviewer's approval.
func (s *Server) handleBatchApprove(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	s.reviewStep(w, r, u, ev, "batch approved", "approval", "batch-approved", func(rs ReviewStore) error {
		return rs.ApproveBatch(r.Context(), ev.ID, u.User.Username)
	})
}

// handleBatchReturn returns the batch to the body with the reviewer's
// reasons.
func (s *Server) handleBatchReturn(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	s.reviewStep(w, r, u, ev, "batch returned", "approval", "batch-returned", func(rs ReviewStore) error {
		return rs.ReturnBatch(r.Context(), ev.ID, r.PostFormValue("reason"), u.User.Username)
	})
}

// reviewRoute is the reviewer's action on one batch: admitted by
// reviewerOnly, with the judging store wired and the event loaded.
func (s *Server) reviewRoute(h func(http.ResponseWriter, *http.Request, *authed, store.Event)) http.HandlerFunc {
	return s.requireAccess(func(w http.ResponseWriter, r *http.Request, u *authed) {
		if !s.needJudging(w, r) {
			return
		}
		ev, err := s.eventFor(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		h(w, r, u, ev)
	}, reviewerOnly)
}
