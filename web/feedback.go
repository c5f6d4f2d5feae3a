package web

import (
	"bytes"
	"context"
	"net/http"
	"time"

	"skillscore"
	"skillscore/certificates"
	"skillscore/feedback"
	"skillscore/results"
	"skillscore/sheets"
	"skillscore/store"
)

// A contestant's own 成绩单 (issue 16, docs/oversight-feedback.md): after
// publication, looked up by 证件号码 + 姓名 on a public page for phones,
// also as PDF. The number is only ever posted, matched by its keyed index
// (store.FindOwnResults), and every lookup is audited without it.

// FeedbackStore is what the 成绩单 and the judges' reports need of the
// judging store (the same *store.Store).
type FeedbackStore interface {
	Workflow(ctx context.Context, eventID int64) (store.Workflow, error)
	LiveState(ctx context.Context, eventID int64) (store.LiveState, error)
	FindOwnResults(ctx context.Context, eventID int64, idNumber, name, client string) (int64, error)
}

func (s *Server) feedbackStore() (FeedbackStore, error) {
	fs, ok := s.judging.(FeedbackStore)
	if !ok || s.judging == nil {
		return nil, skillscore.Errorf(skillscore.EUnavailable, "本服务未启用成绩单查询")
	}
	return fs, nil
}

// feedbackConfig holds the lookup's rate limits, the certificate lookup's
// limiter reused: per client address and event tightly (a lookup by
// 证件号码 could be used to sweep numbers), and per event overall, so that
// a sweep from many addresses is slowed as well.
type feedbackConfig struct {
	byClient *rateLimiter
	byEvent  *rateLimiter
	// reports limits each judge's own report (it computes the event's
	// results): plenty for reading and printing, not for a loop.
	reports *rateLimiter
}

func newFeedbackConfig() feedbackConfig {
	return feedbackConfig{
		byClient: newRateLimiter(12*time.Second, 5, time.Now),
		byEvent:  newRateLimiter(200*time.Millisecond, 300, time.Now),
		reports:  newRateLimiter(3*time.Second, 20, time.Now),
	}
}

// Inputs of the form, in bytes: the store bounds them again in characters.
const maxTranscriptForm = 4 << 10

// transcriptGate says why no contestant may look up their 成绩单 now, or
// nil: before publication (or before its start), during a re-mark after an
// appeal (a sheet reopened or a module's sign-off withdrawn), and while the
// public board is frozen or the award ceremony is revealing it — the
// 成绩单 never tells more than the public board does.
func transcriptGate(w store.Workflow, l store.LiveState, now time.Time) error {
	switch {
	case !w.PublishedAt.Valid() || !w.PublicationEnd.Valid():
		return skillscore.Errorf(skillscore.EConflict, "成绩尚未公示，公示开始后才能查询成绩单")
	case now.Before(w.PublishedAt.Time):
		return skillscore.Errorf(skillscore.EConflict, "成绩公示将于 %s 开始，届时才能查询成绩单", cnFormat(w.PublishedAt))
	case w.Unlocked > 0 || len(w.Unsigned) > 0:
		return skillscore.Errorf(skillscore.EConflict, "成绩正在复评，复评完成后才能查询成绩单")
	case l.Ceremony():
		return skillscore.Errorf(skillscore.EConflict, "颁奖揭晓正在进行，揭晓结束后才能查询成绩单")
	case l.Frozen(now):
		return skillscore.Errorf(skillscore.EConflict, "成绩榜已封榜，解除封榜后才能查询成绩单")
	}
	return nil
}

// transcriptPage is the data of templates/html/transcript.html.
type transcriptPage struct {
	Title, EventCode, EventName string
	// Refused is why no lookup is possible now (the form is not shown).
	Refused string
	Error   string
	// Name and IDNumber are the form as typed, posted again by the PDF
	// button; the page is never cached.
	Name, IDNumber string
	T              *feedback.Transcript
}

// handleTranscriptForm is the empty form, or why there is none yet.
func (s *Server) handleTranscriptForm(w http.ResponseWriter, r *http.Request) {
	ev, fs, ok := s.transcriptEvent(w, r)
	if !ok {
		return
	}
	page := transcriptPage{Title: ev.Name + " · 成绩单查询", EventCode: ev.Code, EventName: ev.Name}
	if err := s.transcriptOpen(r.Context(), fs, ev); err != nil {
		if HTTPStatus(err) >= 500 {
			s.fail(w, r, err)
			return
		}
		page.Refused = skillscore.ErrorMessage(err)
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, "transcript", page)
}

func (s *Server) transcriptEvent(w http.ResponseWriter, r *http.Request) (store.Event, FeedbackStore, bool) {
	fs, err := s.feedbackStore()
	if err != nil {
		s.fail(w, r, err)
		return store.Event{}, nil, false
	}
	ev, err := s.store.EventByCode(r.Context(), r.PathValue("code"))
	if err != nil {
		s.fail(w, r, err)
		return store.Event{}, nil, false
	}
	return ev, fs, true
}

// transcriptOpen applies transcriptGate to the event's state now.
func (s *Server) transcriptOpen(ctx context.Context, fs FeedbackStore, ev store.Event) error {
	wf, err := fs.Workflow(ctx, ev.ID)
	if err != nil {
		return err
	}
	l, err := fs.LiveState(ctx, ev.ID)
	if err != nil {
		return err
	}
	return transcriptGate(wf, l, time.Now())
}

// lookupTranscript runs one posted lookup: the gate, the rate limits, the
// match (audited) and the contestant's result.
func (s *Server) lookupTranscript(r *http.Request, fs FeedbackStore, ev store.Event, idNumber, name string) (feedback.Transcript, error) {
	ctx := r.Context()
	wf, err := fs.Workflow(ctx, ev.ID)
	if err != nil {
		return feedback.Transcript{}, err
	}
	l, err := fs.LiveState(ctx, ev.ID)
	if err != nil {
		return feedback.Transcript{}, err
	}
	if err := transcriptGate(wf, l, time.Now()); err != nil {
		return feedback.Transcript{}, err
	}
	// The limits count lookups that could match someone: a refusal above
	// tells nothing about anyone.
	if !s.feedback.byClient.allow(s.clientIP(r)+"|"+ev.Code) || !s.feedback.byEvent.allow(ev.Code) {
		return feedback.Transcript{}, skillscore.Errorf(skillscore.ERateLimited, "查询过于频繁，请稍后再试")
	}
	id, err := fs.FindOwnResults(ctx, ev.ID, idNumber, name, s.clientIP(r))
	if err != nil {
		return feedback.Transcript{}, err
	}
	snap, err := s.judging.Snapshot(ctx, ev.ID)
	if err != nil {
		return feedback.Transcript{}, err
	}
	// Published results have no drafts; left out all the same, as every
	// public view does.
	st, err := results.Compute(results.WithoutDrafts(snap))
	if err != nil {
		return feedback.Transcript{}, err
	}
	var c *store.Contestant
	for _, list := range [][]store.Contestant{snap.Contestants, snap.Members} {
		for i := range list {
			if list[i].ID == id {
				c = &list[i]
			}
		}
	}
	if c == nil {
		return feedback.Transcript{}, skillscore.Errorf(skillscore.ENotFound, "证件号码与姓名不匹配本赛事的任何选手，请核对后重新填写")
	}
	t, ok := feedback.NewTranscript(st, *c, l.JudgeMarksPublic(), wf.FinalizedAt.Valid())
	if !ok {
		return feedback.Transcript{}, skillscore.Errorf(skillscore.ENotFound, "本赛事没有您的成绩记录")
	}
	return t, nil
}

// handleTranscriptLookup answers the form with the 成绩单.
func (s *Server) handleTranscriptLookup(w http.ResponseWriter, r *http.Request) {
	ev, fs, ok := s.transcriptEvent(w, r)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxTranscriptForm)
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, skillscore.Wrap(skillscore.EInvalid, err, "表单无法解析"))
		return
	}
	page := transcriptPage{Title: ev.Name + " · 成绩单查询", EventCode: ev.Code, EventName: ev.Name,
		Name: r.PostForm.Get("name"), IDNumber: r.PostForm.Get("id_number")}
	w.Header().Set("Cache-Control", "no-store")
	t, err := s.lookupTranscript(r, fs, ev, page.IDNumber, page.Name)
	if err != nil {
		status := HTTPStatus(err)
		if status >= 500 {
			s.fail(w, r, err)
			return
		}
		page.Error = skillscore.ErrorMessage(err)
		page.IDNumber = "" // typed again: a wrong number is not echoed
		s.renderStatus(w, r, status, "transcript", page)
		return
	}
	page.T = &t
	s.render(w, r, "transcript", page)
}

// handleTranscriptPDF answers the PDF button (the pair posted again).
func (s *Server) handleTranscriptPDF(w http.ResponseWriter, r *http.Request) {
	ev, fs, ok := s.transcriptEvent(w, r)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxTranscriptForm)
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, skillscore.Wrap(skillscore.EInvalid, err, "表单无法解析"))
		return
	}
	t, err := s.lookupTranscript(r, fs, ev, r.PostForm.Get("id_number"), r.PostForm.Get("name"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// The file name names the event, not the person: it lands in a
	// download list.
	s.writePDF(w, r, ev.Code+"-成绩单.pdf", func(buf *bytes.Buffer, fonts certificates.Fonts) error {
		return sheets.WriteScoreTranscript(buf, fonts, t, time.Now().In(skillscore.China()))
	})
}
