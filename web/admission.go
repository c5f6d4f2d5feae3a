package web

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"time"

	"skillscore"
	"skillscore/certificates"
	"skillscore/scoring"
	"skillscore/sheets"
	"skillscore/store"
)

// An assessment batch's admission (issue 15): 准考证 (one PDF of the batch,
// a page per candidate, or one candidate's), 签到表 with photos per room and
// sitting, door lists (门贴), the batch's 考生须知, and 准考证号. The files
// with personal data (photos, masked 证件号码) are the organizer's only
// and each download is audited as personal.export; the door lists carry
// names and 准考证号 like the 检录表 and go to the chief and scorekeepers.

// AdmissionStore is what the admission pages need: the judging store
// (*store.Store), like SessionsStore.
type AdmissionStore interface {
	SessionsStore
	Batch(ctx context.Context, eventID int64) (store.Batch, error)
	ExamRooms(ctx context.Context, eventID int64) ([]store.ExamRoom, error)
	Modules(ctx context.Context, eventID int64) ([]store.Module, error)
	Contestants(ctx context.Context, eventID int64) ([]store.Contestant, error)
	AdmissionNotice(ctx context.Context, eventID int64) (store.AdmissionNotice, error)
	SaveAdmissionNotice(ctx context.Context, eventID int64, body, actor string) error
	RecordPersonalAccess(ctx context.Context, a store.PersonalAccess) error
}

// admissionRoute is eventRoute for an assessment batch's admission pages:
// the event must be an assessment, and personal (a file with photos or
// masked 证件号码) admits only the organizer of the event, never the
// read-only roles nor the chief or scorekeepers.
func (s *Server) admissionRoute(h func(http.ResponseWriter, *http.Request, *authed, store.Event, AdmissionStore), personal bool, roles ...string) http.HandlerFunc {
	return s.eventRoute(func(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
		st, ok := s.judging.(AdmissionStore)
		if !ok {
			s.fail(w, r, skillscore.Errorf(skillscore.EUnavailable, "准考证与签到功能未启用"))
			return
		}
		if !scoring.TermsFor(ev.Kind).Assessment() {
			s.fail(w, r, skillscore.Errorf(skillscore.EInvalid, "%s 是竞赛，不是等级认定批次：准考证只用于认定批次，竞赛请在“场次安排”页打印参赛证", ev.Code))
			return
		}
		if personal && !scopeHas(r, u.Access, RoleOrganizer) {
			s.fail(w, r, skillscore.Errorf(skillscore.EForbidden, "只有组织者能下载含照片或证件号码的文件"))
			return
		}
		h(w, r, u, ev, st)
	}, roles...)
}

// batchRoster reads everything the admission papers are built from.
func batchRoster(ctx context.Context, st AdmissionStore, ev store.Event) (sheets.BatchRoster, error) {
	return sheets.LoadBatchRoster(ctx, st, ev)
}

// photoSource reads candidates' photos: nil bytes for everyone on a server
// without a photo store (the papers print an empty frame).
func (s *Server) photoSource(ctx context.Context) func(int64) ([]byte, error) {
	pr, ok := s.photos.(PhotoReader)
	return func(id int64) ([]byte, error) {
		if !ok {
			return nil, nil
		}
		return pr.Photo(ctx, id)
	}
}

type admissionSitting struct {
	sheets.Sitting
	People, Present, Absent int
	Closed                  bool
}

type admissionPage struct {
	Title, CSRF, EventCode, EventName, User, Message, Error string
	Terms                                                   scoring.Terms
	Organizer                                               bool
	BatchNo                                                 string
	Candidates, Unnumbered, Unseated, Photos                int
	PhotoStore                                              bool
	Sittings                                                []admissionSitting
	Rules                                                   string // the notice as it prints
	OwnRules                                                bool   // the batch wrote its own
	MaxRules                                                int
}

func (s *Server) handleAdmissionPage(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, st AdmissionStore) {
	s.renderAdmission(w, r, u, ev, st, r.URL.Query().Get("msg"), "", http.StatusOK)
}

func (s *Server) renderAdmission(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, st AdmissionStore, msg, errMsg string, status int) {
	ctx := r.Context()
	b, err := batchRoster(ctx, st, ev)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	notice, err := st.AdmissionNotice(ctx, ev.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	_, hasPhotos := s.photos.(PhotoReader)
	page := admissionPage{Title: ev.Name + " · 准考证与签到", CSRF: u.CSRF, EventCode: ev.Code, EventName: ev.Name, User: u.User.Name,
		Message: msg, Error: errMsg, Terms: scoring.TermsFor(ev.Kind), Organizer: scopeHas(r, u.Access, RoleOrganizer),
		BatchNo: b.Batch.BatchNo, Unnumbered: b.Unnumbered(), Unseated: b.Unseated(), PhotoStore: hasPhotos,
		Rules: notice.Body, OwnRules: notice.Body != "", MaxRules: store.MaxAdmissionNotice}
	if page.Rules == "" {
		page.Rules = sheets.DefaultExamRules
	}
	for _, c := range b.Candidates {
		if c.Kind != store.KindTeam {
			page.Candidates++
		}
	}
	if hasPhotos {
		if ps, ok := st.(interface {
			EventPhotos(ctx context.Context, eventID int64) ([]store.Photo, error)
		}); ok {
			photos, err := ps.EventPhotos(ctx, ev.ID)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			page.Photos = len(photos)
		}
	}
	for _, sess := range b.Schedule {
		c := sess.Counts()
		page.Sittings = append(page.Sittings, admissionSitting{Sitting: b.Sitting(sess), People: len(sess.Rows),
			Present: c["present"], Absent: c["absent"], Closed: sess.ClosedAt.Valid()})
	}
	w.Header().Set("Cache-Control", "no-store")
	s.renderStatus(w, r, status, "admission", page)
}

// handleAdmissionNumbers gives every candidate without one the next
// 准考证号 (the entry numbers of the sessions work).
func (s *Server) handleAdmissionNumbers(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, st AdmissionStore) {
	n, err := st.AssignEntryNumbers(r.Context(), ev.ID, u.User.Username)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, noticeURL("/events/"+ev.Code+"/batch/admission", "entry-numbers", n), http.StatusSeeOther)
}

// handleAdmissionNotice saves the batch's 考生须知; an empty one goes back
// to the default text.
func (s *Server) handleAdmissionNotice(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, st AdmissionStore) {
	body := r.PostFormValue("rules")
	if strings.TrimSpace(body) == strings.TrimSpace(sheets.DefaultExamRules) {
		body = "" // the default, unedited, stays the default
	}
	if err := st.SaveAdmissionNotice(r.Context(), ev.ID, body, u.User.Username); err != nil {
		if skillscore.ErrorCode(err) == skillscore.EInvalid {
			s.renderAdmission(w, r, u, ev, st, "", skillscore.ErrorMessage(err), http.StatusBadRequest)
			return
		}
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, noticeURL("/events/"+ev.Code+"/batch/admission", "admission-rules-saved"), http.StatusSeeOther)
}

// recordExport audits a download of personal data (personal.export).
func recordExport(ctx context.Context, st AdmissionStore, ev store.Event, u *authed, what string, ids []int64) error {
	return st.RecordPersonalAccess(ctx, store.PersonalAccess{EventID: ev.ID, Actor: u.User.Username, Kind: "export", What: what, Contestants: ids})
}

// handleAdmissionTickets prints the 准考证: every candidate's (one page
// each), or with ?entry=0001 (several may be given) that candidate's.
func (s *Server) handleAdmissionTickets(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, st AdmissionStore) {
	ctx := r.Context()
	b, err := batchRoster(ctx, st, ev)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var only []string
	for _, e := range r.URL.Query()["entry"] {
		if e = strings.TrimSpace(e); e != "" {
			only = append(only, e)
		}
	}
	tickets, ids, err := b.Tickets(only, s.photoSource(ctx), func(id int64) (string, error) { return st.CardToken(ev.ID, id) })
	if err != nil {
		s.fail(w, r, err)
		return
	}
	notice, err := st.AdmissionNotice(ctx, ev.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	name := sheets.FileName(ev.Code, "准考证", "")
	if len(only) == 1 {
		name = sheets.FileName(ev.Code, "准考证-"+only[0], "")
	}
	if err := recordExport(ctx, st, ev, u, "admission-tickets", ids); err != nil {
		s.fail(w, r, err)
		return
	}
	s.log.Info("admission tickets printed", "event", ev.Code, "tickets", len(tickets), "by", u.User.Username)
	s.writePDF(w, r, name, func(buf *bytes.Buffer, fonts certificates.Fonts) error {
		return sheets.WriteAdmissionTickets(buf, fonts, b.Admission(notice.Body, time.Now()), tickets)
	})
}

// handleSignInSheets prints the 签到表 with photos: every sitting's, or
// one's by ?session=.
func (s *Server) handleSignInSheets(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, st AdmissionStore) {
	ctx := r.Context()
	b, err := batchRoster(ctx, st, ev)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	session := r.URL.Query().Get("session")
	list, ids, err := b.SignInSheets(session, s.photoSource(ctx))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := recordExport(ctx, st, ev, u, "signin-sheets", ids); err != nil {
		s.fail(w, r, err)
		return
	}
	s.writePDF(w, r, sheets.FileName(ev.Code, "签到表", session), func(buf *bytes.Buffer, fonts certificates.Fonts) error {
		return sheets.WriteSignInSheets(buf, fonts, ev.Name, list, time.Now())
	})
}

// handleDoorLists prints the door lists: every sitting's, or one's by
// ?session=. Names and 准考证号 only.
func (s *Server) handleDoorLists(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, st AdmissionStore) {
	b, err := batchRoster(r.Context(), st, ev)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	session := r.URL.Query().Get("session")
	lists, err := b.DoorLists(session)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writePDF(w, r, sheets.FileName(ev.Code, "门贴", session), func(buf *bytes.Buffer, fonts certificates.Fonts) error {
		return sheets.WriteDoorLists(buf, fonts, ev.Name, lists, time.Now())
	})
}
