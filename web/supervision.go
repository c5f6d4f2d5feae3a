package web

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"

	"skillscore"
	"skillscore/certificates"
	"skillscore/scoring"
	"skillscore/sheets"
	"skillscore/store"
	"skillscore/supervision"
)

// SupervisionStore is what the 督导 pages need (docs/supervision.md). The
// judging store provides it (the same *store.Store), as with SessionsStore.
type SupervisionStore interface {
	Batch(ctx context.Context, eventID int64) (store.Batch, error)
	SupervisionInput(ctx context.Context, eventID int64) (supervision.Input, error)
	SupervisionRecords(ctx context.Context, eventID int64) ([]supervision.Record, error)
	SupervisionRecord(ctx context.Context, eventID, id int64) (supervision.Record, error)
	SupervisionAuditDigests(ctx context.Context, eventID int64) (map[int]string, error)
	SigningPIN(ctx context.Context, userID int64) (store.SigningPIN, error)
	SigningPINFailed(ctx context.Context, userID, eventID int64, actor string) (store.SigningPIN, error)
	FileSupervisionRecord(ctx context.Context, rec supervision.Record, sig store.Signature) (supervision.Record, error)
}

// supervisionRoute is eventRoute for the 督导 pages of an assessment batch:
// a competition has no exam rooms to supervise.
func (s *Server) supervisionRoute(h func(http.ResponseWriter, *http.Request, *authed, store.Event, SupervisionStore), roles ...string) http.HandlerFunc {
	return s.eventRoute(func(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
		st, ok := s.judging.(SupervisionStore)
		if !ok {
			s.fail(w, r, skillscore.Errorf(skillscore.EUnavailable, "督导功能未启用"))
			return
		}
		if ev.Kind != "assessment" {
			s.fail(w, r, skillscore.Errorf(skillscore.EInvalid, "%s 不是等级认定批次：没有考场督导", ev.Name))
			return
		}
		h(w, r, u, ev, st)
	}, roles...)
}

// supervisorOnly refuses everyone but a 督导员 of the batch: the record is
// the 督导员's own statement about the organizer's sitting, so an organizer
// may read and print it but not file one.
func supervisorOnly(r *http.Request, u *authed) error {
	if !scopeHas(r, u.Access, RoleSupervisor) {
		return skillscore.Errorf(skillscore.EForbidden, "只有本批次的督导员可以填写督导记录；组织者、裁判长等只能查看")
	}
	return nil
}

// ---- the progress board ---------------------------------------------------

type supervisionPage struct {
	Title, CSRF, EventCode, EventName, User, BatchNo string
	Supervisor                                       bool // may file records
	Rooms                                            []supervision.Room
	Totals                                           supervision.Counts
	Poll                                             int // seconds between refreshes
	Updated                                          string
	Message                                          string
}

// pollSeconds is the page's refresh interval: ?poll=N within 2–120 s,
// else 15.
func pollSeconds(r *http.Request) int {
	if n, err := strconv.Atoi(r.URL.Query().Get("poll")); err == nil && n >= 2 && n <= 120 {
		return n
	}
	return 15
}

func (s *Server) supervisionBoard(ctx context.Context, ev store.Event, st SupervisionStore) ([]supervision.Room, error) {
	in, err := st.SupervisionInput(ctx, ev.ID)
	if err != nil {
		return nil, err
	}
	return supervision.Board(in), nil
}

func batchNo(ctx context.Context, ev store.Event, st SupervisionStore) (string, error) {
	b, err := st.Batch(ctx, ev.ID)
	switch {
	case skillscore.ErrorCode(err) == skillscore.ENotFound:
		return "", nil
	case err != nil:
		return "", err
	}
	return b.BatchNo, nil
}

// handleSupervision is the 督导员's view of every room: per sitting the
// candidates expected, signed in and 缺考, the score sheets per module, the
// 考评员 and the records filed, refreshed in place every Poll seconds. It
// shows no candidate's data beyond name, 准考证号 and seat.
func (s *Server) handleSupervision(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, st SupervisionStore) {
	rooms, err := s.supervisionBoard(r.Context(), ev, st)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	no, err := batchNo(r.Context(), ev, st)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := supervisionPage{Title: ev.Name + " · 考场督导", CSRF: u.CSRF, EventCode: ev.Code, EventName: ev.Name, User: u.User.Name,
		BatchNo: no, Supervisor: supervisorOnly(r, u) == nil, Rooms: rooms, Poll: pollSeconds(r),
		Updated: time.Now().In(skillscore.China()).Format("15:04:05"), Message: r.URL.Query().Get("msg")}
	for _, room := range rooms {
		page.Totals.Expected += room.Counts.Expected
		page.Totals.Present += room.Counts.Present
		page.Totals.Absent += room.Counts.Absent
		page.Totals.SheetsDone += room.Counts.SheetsDone
		page.Totals.SheetsDue += room.Counts.SheetsDue
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, "supervision", page)
}

// ---- filing a record ------------------------------------------------------

type supervisionFormPage struct {
	Title, CSRF, EventCode, EventName, User string
	Room                                    supervision.Room
	Sitting                                 supervision.Sitting
	Items                                   []supervision.Item
	Values, Notes                           map[string]string
	Remarks, Reason                         string
	Corrects                                *supervision.Record
	HasPIN                                  bool
	LockedUntil                             string
	Error                                   string
}

// findSitting is a sitting of the board by code, with its room.
func findSitting(rooms []supervision.Room, code string) (supervision.Room, supervision.Sitting, bool) {
	for _, room := range rooms {
		for _, x := range room.Sittings {
			if x.Code == code {
				return room, x, true
			}
		}
	}
	return supervision.Room{}, supervision.Sitting{}, false
}

// handleSupervisionForm is the 督导记录 form for one sitting (?session=),
// or the correction of a record (?corrects=ID) filled with what it said.
func (s *Server) handleSupervisionForm(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, st SupervisionStore) {
	if err := supervisorOnly(r, u); err != nil {
		s.fail(w, r, err)
		return
	}
	page := supervisionFormPage{Values: map[string]string{}, Notes: map[string]string{}}
	code := r.URL.Query().Get("session")
	if c := r.URL.Query().Get("corrects"); c != "" {
		old, err := s.correctable(r, u, ev, st, c)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		page.Corrects, code = &old, old.Session
		page.Values, page.Notes, page.Remarks = old.Obs.Values, old.Obs.Notes, old.Obs.Remarks
	}
	s.renderSupervisionForm(w, r, u, ev, st, code, page, http.StatusOK)
}

// correctable loads the record a correction names: the signer's own, not
// yet corrected (the store checks again when it is filed).
func (s *Server) correctable(r *http.Request, u *authed, ev store.Event, st SupervisionStore, id string) (supervision.Record, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return supervision.Record{}, skillscore.Errorf(skillscore.ENotFound, "本批次没有这份督导记录")
	}
	old, err := st.SupervisionRecord(r.Context(), ev.ID, n)
	switch {
	case err != nil:
		return old, err
	case old.SignerID != u.User.ID:
		return old, skillscore.Errorf(skillscore.EForbidden, "第 %d 号督导记录由 %s 签名：只能更正本人签名的记录", old.No, old.SignerName)
	case old.SupersededBy != 0:
		return old, skillscore.Errorf(skillscore.EConflict, "第 %d 号督导记录已被更正：请更正最新的那一份", old.No)
	}
	return old, nil
}

func (s *Server) renderSupervisionForm(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, st SupervisionStore, code string,
	page supervisionFormPage, status int) {
	rooms, err := s.supervisionBoard(r.Context(), ev, st)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	room, sitting, ok := findSitting(rooms, code)
	if !ok {
		s.fail(w, r, skillscore.Errorf(skillscore.ENotFound, "本批次没有场次 %q", code))
		return
	}
	pin, err := st.SigningPIN(r.Context(), u.User.ID)
	switch {
	case err == nil:
		page.HasPIN = true
		if pin.Locked(time.Now()) {
			page.LockedUntil = pin.LockedUntil.In(skillscore.China()).Format("15:04")
		}
	case skillscore.ErrorCode(err) != skillscore.ENotFound:
		s.fail(w, r, err)
		return
	}
	page.Title, page.CSRF, page.EventCode, page.EventName, page.User = ev.Name+" · 督导记录", u.CSRF, ev.Code, ev.Name, u.User.Name
	page.Room, page.Sitting, page.Items = room, sitting, supervision.Items
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := s.tmpl.RenderChrome(w, "supervisionform", page, chrome(r)); err != nil {
		s.log.ErrorContext(r.Context(), "render supervision form", "err", err)
	}
}

// handleSupervisionFile files a signed 督导记录. The 督导员's PIN is
// checked here (the store keeps only its hash); at the first signature the
// PIN they choose is set. The sitting's counts are taken from the board at
// this moment, not from the form.
func (s *Server) handleSupervisionFile(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, st SupervisionStore) {
	if err := supervisorOnly(r, u); err != nil {
		s.fail(w, r, err)
		return
	}
	f := postForm{r}
	page := supervisionFormPage{Values: map[string]string{}, Notes: map[string]string{}, Remarks: f.Get("remarks"), Reason: f.Get("reason")}
	for _, it := range supervision.Items {
		page.Values[it.Key], page.Notes[it.Key] = f.Get("v_"+it.Key), f.Get("n_"+it.Key)
	}
	code := f.Get("session")
	again := func(err error) {
		page.Error = skillscore.ErrorMessage(err)
		status := HTTPStatus(err)
		if status >= 500 {
			s.fail(w, r, err)
			return
		}
		s.renderSupervisionForm(w, r, u, ev, st, code, page, status)
	}
	rec := supervision.Record{EventID: ev.ID, Session: code, CorrectionReason: strings.TrimSpace(page.Reason),
		Obs: supervision.Observations{Values: map[string]string{}, Notes: map[string]string{}, Remarks: page.Remarks}}
	for k, v := range page.Values {
		rec.Obs.Values[k], rec.Obs.Notes[k] = v, page.Notes[k]
	}
	if c := f.Get("corrects"); c != "" {
		old, err := s.correctable(r, u, ev, st, c)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		page.Corrects, rec.Supersedes, code, rec.Session = &old, old.ID, old.Session, old.Session
		if rec.CorrectionReason == "" {
			again(skillscore.Errorf(skillscore.EInvalid, "请写明更正原因"))
			return
		}
	}
	// A form that is not complete is refused before the PIN is looked at:
	// a slip in the form must not count as a wrong PIN.
	if err := rec.Obs.Check(); err != nil {
		again(err)
		return
	}
	rooms, err := s.supervisionBoard(r.Context(), ev, st)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	_, sitting, ok := findSitting(rooms, code)
	if !ok {
		s.fail(w, r, skillscore.Errorf(skillscore.ENotFound, "本批次没有场次 %q", code))
		return
	}
	rec.Progress = sitting.Counts.Progress()
	sig, err := s.signature(r, u, ev, st, f.Get("pin"), f.Get("pin2"))
	if err != nil {
		again(err)
		return
	}
	saved, err := st.FileSupervisionRecord(r.Context(), rec, sig)
	if err != nil {
		again(err)
		return
	}
	s.log.Info("supervision record", "event", ev.Code, "no", saved.No, "session", saved.Session, "by", u.User.Username)
	http.Redirect(w, r, noticeURL("/events/"+ev.Code+"/batch/supervision/records", "supervision-filed", saved.No)+"#r"+strconv.FormatInt(saved.ID, 10),
		http.StatusSeeOther)
}

// postForm reads a POST's fields whichever way the CSRF check left the
// body (parsed, or not when the token came in a header).
type postForm struct{ r *http.Request }

func (f postForm) Get(key string) string { return f.r.PostFormValue(key) }

// signature checks the signer's PIN, or on their first signature the new
// PIN they chose (twice), and says how the store should sign.
func (s *Server) signature(r *http.Request, u *authed, ev store.Event, st SupervisionStore, pin, pin2 string) (store.Signature, error) {
	sig := store.Signature{UserID: u.User.ID, Username: u.User.Username, Name: u.User.Name}
	stored, err := st.SigningPIN(r.Context(), u.User.ID)
	if skillscore.ErrorCode(err) == skillscore.ENotFound {
		if err := supervision.CheckNewPIN(pin, pin2); err != nil {
			return sig, err
		}
		h, err := bcrypt.GenerateFromPassword([]byte(pin), bcrypt.DefaultCost)
		if err != nil {
			return sig, err
		}
		sig.NewPINHash = string(h)
		return sig, nil
	}
	if err != nil {
		return sig, err
	}
	if stored.Locked(time.Now()) {
		return sig, skillscore.Errorf(skillscore.ERateLimited, "签名 PIN 连续输错 %d 次，签名已锁定至 %s，请稍后再试",
			supervision.MaxPINFailures, stored.LockedUntil.In(skillscore.China()).Format("15:04"))
	}
	if pin == "" {
		return sig, skillscore.Errorf(skillscore.EInvalid, "请输入您的签名 PIN")
	}
	if bcrypt.CompareHashAndPassword([]byte(stored.Hash), []byte(pin)) != nil {
		after, err := st.SigningPINFailed(r.Context(), u.User.ID, ev.ID, u.User.Username)
		if err != nil {
			return sig, err
		}
		if after.Locked(time.Now()) {
			return sig, skillscore.Errorf(skillscore.ERateLimited, "签名 PIN 错误，已连续输错 %d 次：签名锁定至 %s",
				supervision.MaxPINFailures, after.LockedUntil.In(skillscore.China()).Format("15:04"))
		}
		return sig, skillscore.Errorf(skillscore.EInvalid, "签名 PIN 错误（再错 %d 次将锁定 %d 分钟）。忘记 PIN 请联系系统管理员重置",
			supervision.MaxPINFailures-after.Failures, int(supervision.PINLockout.Minutes()))
	}
	sig.PINSetAt = stored.SetAt.Time
	return sig, nil
}

// ---- the records and their PDFs -------------------------------------------

type supervisionRecordsPage struct {
	Title, CSRF, EventCode, EventName, User, BatchNo, Message string
	UserID                                                    int64
	Supervisor                                                bool
	Records                                                   []recordView
	Session                                                   string // ?session= filter, "" for all
}

type recordView struct {
	supervision.Record
	Lines         [][2]string
	Summary       string
	CorrectsNo    int // the number of the record this one corrects
	CorrectedByNo int
	// Problem is what supervision.Verify found wrong ("" when the record
	// still gives its digest and the digest is the audited one).
	Problem string
}

// handleSupervisionRecords lists the batch's 督导记录 (?session= for one
// sitting), each with its rows, signature and digest, for organizers, the
// chief and every reader of the batch.
func (s *Server) handleSupervisionRecords(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, st SupervisionStore) {
	all, err := st.SupervisionRecords(r.Context(), ev.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	no, err := batchNo(r.Context(), ev, st)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := supervisionRecordsPage{Title: ev.Name + " · 督导记录", CSRF: u.CSRF, EventCode: ev.Code, EventName: ev.Name, User: u.User.Name,
		BatchNo: no, Message: r.URL.Query().Get("msg"), UserID: u.User.ID, Supervisor: supervisorOnly(r, u) == nil,
		Session: r.URL.Query().Get("session")}
	audited, err := st.SupervisionAuditDigests(r.Context(), ev.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	byID := recordNumbers(all)
	for i := len(all) - 1; i >= 0; i-- { // newest first
		rec := all[i]
		if page.Session != "" && rec.Session != page.Session {
			continue
		}
		page.Records = append(page.Records, recordView{Record: rec, Lines: sheets.RecordLines(rec, byID), Summary: sheets.Summary(rec),
			CorrectsNo: byID[rec.Supersedes], CorrectedByNo: byID[rec.SupersededBy], Problem: supervision.Verify(rec, audited)})
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, "supervisionrecords", page)
}

func recordNumbers(all []supervision.Record) map[int64]int {
	out := make(map[int64]int, len(all))
	for _, r := range all {
		out[r.ID] = r.No
	}
	return out
}

func (s *Server) supervisionHeader(ctx context.Context, ev store.Event, st SupervisionStore) (sheets.SupervisionHeader, error) {
	no, err := batchNo(ctx, ev, st)
	if err != nil {
		return sheets.SupervisionHeader{}, err
	}
	work := ev.Occupation
	if ev.Specialty != "" {
		work += "（" + ev.Specialty + "）"
	}
	if name := scoring.LevelName(ev.Level); name != "" {
		work += " " + name
	}
	return sheets.SupervisionHeader{EventName: ev.Name, BatchNo: no, Work: strings.TrimSpace(work)}, nil
}

// handleSupervisionRecordPDF prints one 督导记录 for the archive.
func (s *Server) handleSupervisionRecordPDF(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, st SupervisionStore) {
	id, err := strconv.ParseInt(r.PathValue("record"), 10, 64)
	if err != nil {
		s.fail(w, r, skillscore.Errorf(skillscore.ENotFound, "本批次没有这份督导记录"))
		return
	}
	rec, err := st.SupervisionRecord(r.Context(), ev.ID, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.printRecords(w, r, ev, st, []supervision.Record{rec}, false, fmt.Sprintf("%s-督导记录-%d.pdf", ev.Code, rec.No))
}

// handleSupervisionRecordsPDF prints every 督导记录 of the batch behind a
// summary page.
func (s *Server) handleSupervisionRecordsPDF(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, st SupervisionStore) {
	s.printRecords(w, r, ev, st, nil, true, ev.Code+"-督导记录汇总.pdf")
}

// printRecords prints recs, or with summary every record of the batch.
func (s *Server) printRecords(w http.ResponseWriter, r *http.Request, ev store.Event, st SupervisionStore, recs []supervision.Record, summary bool, name string) {
	all, err := st.SupervisionRecords(r.Context(), ev.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if summary {
		recs = all
	}
	h, err := s.supervisionHeader(r.Context(), ev, st)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writePDF(w, r, name, func(buf *bytes.Buffer, fonts certificates.Fonts) error {
		return sheets.WriteSupervisionRecords(buf, fonts, h, recs, all, summary, time.Now())
	})
}
