package web

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"time"

	"skillscore"
	"skillscore/certificates"
	"skillscore/scoring"
	"skillscore/sheets"
	"skillscore/store"
)

// ---- the signed paper trail (issue 16) -----------------------------------
//
// The 评分记录表 (blank for paper judging, filled after submission), per
// sheet and per module, the 签到表 of judges and contestants per session
// and the 裁判分工表, all printed with signature lines; and the one paper
// setting, whether the contestant signs the 评分记录表 too.

// PaperTrailStore is what the paper trail reads and sets
// (*store.Store); without it its routes answer "unavailable".
type PaperTrailStore interface {
	sheets.RecordReader
	PaperSettings(ctx context.Context, eventID int64) (store.PaperSettings, error)
	SetPaperSettings(ctx context.Context, eventID int64, p store.PaperSettings, actor string) error
}

func (s *Server) paperTrail(w http.ResponseWriter, r *http.Request) (PaperTrailStore, bool) {
	st, ok := s.judging.(PaperTrailStore)
	if !ok {
		s.fail(w, r, skillscore.Errorf(skillscore.EUnavailable, "纸质记录功能未启用"))
	}
	return st, ok
}

// paperDesk is what the desk shows of the paper trail: the setting.
type paperDesk struct {
	Available       bool
	ContestantSigns bool
}

// deskPaper reads the paper setting for the desk; a store without the
// paper trail hides its links.
func (s *Server) deskPaper(ctx context.Context, ev store.Event) paperDesk {
	st, ok := s.judging.(PaperTrailStore)
	if !ok {
		return paperDesk{}
	}
	p, err := st.PaperSettings(ctx, ev.ID)
	if err != nil {
		return paperDesk{Available: true}
	}
	return paperDesk{Available: true, ContestantSigns: p.ContestantSigns}
}

// Bounds of a record query: codes are short.
const maxRecordCode = 32

// handleRecords prints a module's 评分记录表 as one PDF: blank.pdf (for
// paper judging) or filled.pdf (the submitted sheets), optionally for one
// judge (?judge=J01) or contestant (?contestant=A001).
func (s *Server) handleRecords(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	st, ok := s.paperTrail(w, r)
	if !ok {
		return
	}
	kind := r.PathValue("kind")
	if kind != "blank.pdf" && kind != "filled.pdf" {
		s.fail(w, r, skillscore.Errorf(skillscore.ENotFound, "评分记录表只有 blank.pdf（空白）和 filled.pdf（已填）两种"))
		return
	}
	q := sheets.RecordQuery{Module: r.PathValue("module"), Blank: kind == "blank.pdf",
		Judge: r.URL.Query().Get("judge"), Contestant: r.URL.Query().Get("contestant")}
	if len(q.Module) > maxRecordCode || len(q.Judge) > maxRecordCode || len(q.Contestant) > maxRecordCode {
		t := scoring.TermsFor(ev.Kind)
		s.fail(w, r, skillscore.Errorf(skillscore.EInvalid, "模块、%s或%s编号过长（最多 %d 个字符）", t.Judge, t.Contestant, maxRecordCode))
		return
	}
	s.writeRecords(w, r, st, ev, q)
}

// handleSheetRecord prints one sheet's filled 评分记录表, by the sheet's
// id as the desk links it.
func (s *Server) handleSheetRecord(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	st, ok := s.paperTrail(w, r)
	if !ok {
		return
	}
	id, err := strconv.ParseInt(r.PathValue("sheet"), 10, 64)
	if err != nil {
		s.fail(w, r, skillscore.Errorf(skillscore.EInvalid, "评分表编号无效"))
		return
	}
	d, err := sheets.LoadRecords(r.Context(), st, ev)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q, err := d.SheetQuery(id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderRecords(w, r, ev, d, q)
}

func (s *Server) writeRecords(w http.ResponseWriter, r *http.Request, st PaperTrailStore, ev store.Event, q sheets.RecordQuery) {
	d, err := sheets.LoadRecords(r.Context(), st, ev)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderRecords(w, r, ev, d, q)
}

func (s *Server) renderRecords(w http.ResponseWriter, r *http.Request, ev store.Event, d *sheets.Records, q sheets.RecordQuery) {
	ss, err := d.ScoreSheets(q)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writePDF(w, r, sheets.RecordFileName(ev.Code, q), func(buf *bytes.Buffer, fonts certificates.Fonts) error {
		return sheets.WriteScoreSheets(buf, fonts, ss, time.Now())
	})
}

// handleSignIn prints a session's 签到表: signin-judges.pdf or
// signin-contestants.pdf.
func (s *Server) handleSignIn(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, _ SessionsStore) {
	staff, err := s.staffOf(r.Context(), ev)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	t := scoring.TermsFor(ev.Kind)
	var tab sheets.SignedTable
	name := ""
	switch r.PathValue("who") {
	case "signin-judges.pdf":
		tab, err = staff.JudgeSignIn(r.PathValue("session"), time.Now())
		name = t.Judge + "签到表"
	case "signin-contestants.pdf":
		tab, err = staff.ContestantSignIn(r.PathValue("session"), time.Now())
		name = t.Contestant + "签到表"
	default:
		err = skillscore.Errorf(skillscore.ENotFound, "签到表只有 signin-judges.pdf（%s）和 signin-contestants.pdf（%s）两种", t.Judge, t.Contestant)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writePDF(w, r, sheets.FileName(ev.Code, name, r.PathValue("session")), func(buf *bytes.Buffer, fonts certificates.Fonts) error {
		return sheets.WriteSignedTable(buf, fonts, tab)
	})
}

// handleDuties prints the 裁判分工表.
func (s *Server) handleDuties(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	staff, err := s.staffOf(r.Context(), ev)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	tab, err := staff.Duties(time.Now())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writePDF(w, r, sheets.FileName(ev.Code, scoring.TermsFor(ev.Kind).Judge+"分工表", ""), func(buf *bytes.Buffer, fonts certificates.Fonts) error {
		return sheets.WriteSignedTable(buf, fonts, tab)
	})
}

func (s *Server) staffOf(ctx context.Context, ev store.Event) (sheets.Staff, error) {
	st, ok := s.judging.(sheets.StaffReader)
	if !ok {
		return sheets.Staff{}, skillscore.Errorf(skillscore.EUnavailable, "纸质记录功能未启用")
	}
	return sheets.LoadStaff(ctx, st, ev)
}

// handlePaperSettings saves whether the contestant signs the 评分记录表
// (organizer only; audited as paper.settings).
func (s *Server) handlePaperSettings(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	st, ok := s.paperTrail(w, r)
	if !ok {
		return
	}
	var signs bool
	switch r.PostFormValue("contestant_signs") {
	case "1":
		signs = true
	case "0":
	default:
		s.fail(w, r, skillscore.Errorf(skillscore.EInvalid, "请选择评分记录表是否需要选手签字"))
		return
	}
	if err := st.SetPaperSettings(r.Context(), ev.ID, store.PaperSettings{ContestantSigns: signs}, u.User.Username); err != nil {
		s.fail(w, r, err)
		return
	}
	key := "paper-signs-off"
	if signs {
		key = "paper-signs-on"
	}
	http.Redirect(w, r, noticeURL("/events/"+ev.Code+"/desk", key)+"#paper", http.StatusSeeOther)
}
