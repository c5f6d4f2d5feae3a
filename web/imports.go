package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"time"

	"skillscore"
	"skillscore/certificates"
	"skillscore/imports"
	"skillscore/scoring"
	"skillscore/sessions"
	"skillscore/sheets"
	"skillscore/store"
)

// ImportStore is what the organizer's imports page needs. Like DrawStore it
// is the judging store (*store.Store), found on Config.Judging.
type ImportStore interface {
	Modules(ctx context.Context, eventID int64) ([]store.Module, error)
	Contestants(ctx context.Context, eventID int64) ([]store.Contestant, error)
	Judges(ctx context.Context, eventID int64) ([]store.Judge, error)
	Panels(ctx context.Context, eventID int64) ([]store.PanelMember, error)
	ImportScores(ctx context.Context, eventID, moduleID int64, scores []store.ImportedScore, source, actor string) (int64, error)
	ImportJudges(ctx context.Context, eventID int64, js []store.NewJudge, source, actor string) ([]store.Judge, error)
	SchedulePeople(ctx context.Context, eventID int64) ([]sessions.Person, error)
}

func (s *Server) importStore() (ImportStore, error) {
	is, ok := s.judging.(ImportStore)
	if !ok {
		return nil, skillscore.Errorf(skillscore.EUnavailable, "导入功能未启用")
	}
	return is, nil
}

type importedModule struct{ Code, Name, Max string }

type importsPage struct {
	Title, CSRF, EventCode, EventName, User, Message string
	Terms                                            scoring.Terms // 选手/参赛证号 or 考生/准考证号
	Imported                                         []importedModule
	Judged                                           []store.Module
	Judges                                           int
	OnPanels                                         int
	ProblemTitle                                     string
	Problems                                         []imports.Problem
	// Missing are those on the roster a file just imported had no row
	// for: they have no score from it.
	Missing []imports.Missing
}

func (s *Server) importsPage(ctx context.Context, is ImportStore, u *authed, ev store.Event) (importsPage, error) {
	t := scoring.TermsFor(ev.Kind)
	page := importsPage{Title: ev.Name + " · 导入成绩与" + t.Judge, CSRF: u.CSRF, EventCode: ev.Code, EventName: ev.Name, User: u.User.Name, Terms: t}
	mods, err := is.Modules(ctx, ev.ID)
	if err != nil {
		return page, err
	}
	for _, m := range mods {
		if m.Imported {
			page.Imported = append(page.Imported, importedModule{m.Code, m.Name, scoring.Decimal(m.MaxMarks).String()})
		} else {
			page.Judged = append(page.Judged, m)
		}
	}
	js, err := is.Judges(ctx, ev.ID)
	if err != nil {
		return page, err
	}
	ps, err := is.Panels(ctx, ev.ID)
	if err != nil {
		return page, err
	}
	on := map[int64]bool{}
	for _, p := range ps {
		on[p.JudgeID] = true
	}
	page.Judges, page.OnPanels = len(js), len(on)
	return page, nil
}

func (s *Server) handleImportsPage(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	is, err := s.importStore()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page, err := s.importsPage(r.Context(), is, u, ev)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page.Message = r.URL.Query().Get("msg")
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, "imports", page)
}

// uploaded reads the form's file, refusing one over the limit.
func uploaded(r *http.Request) (string, []byte, error) {
	return uploadedFile(r, "file")
}

// uploadedFile reads the file of the form field, refusing one over the limit.
func uploadedFile(r *http.Request, field string) (string, []byte, error) {
	f, hdr, err := r.FormFile(field)
	if err != nil {
		return "", nil, skillscore.Wrap(skillscore.EInvalid, err, "请选择要上传的 .xlsx 文件")
	}
	defer f.Close()
	// One byte over the limit is enough to refuse it.
	data, err := io.ReadAll(io.LimitReader(f, imports.MaxFileBytes+1))
	if err != nil {
		return "", nil, skillscore.Wrap(skillscore.EInvalid, err, "文件无法读取，请重新上传")
	}
	if len(data) > imports.MaxFileBytes {
		return "", nil, skillscore.Errorf(skillscore.ETooLarge, "文件超过 %d MB 上限", imports.MaxFileBytes>>20)
	}
	return filepath.Base(hdr.Filename), data, nil
}

// showProblems renders the page again with every bad row; nothing was stored.
func (s *Server) showProblems(w http.ResponseWriter, r *http.Request, is ImportStore, u *authed, ev store.Event, title string, ps []imports.Problem) {
	page, err := s.importsPage(r.Context(), is, u, ev)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page.ProblemTitle = fmt.Sprintf("%s有 %d 处错误，未导入任何数据。请改正后重新上传：", title, len(ps))
	page.Problems = ps
	s.renderStatus(w, r, http.StatusUnprocessableEntity, "imports", page)
}

// importUpload runs one all-or-nothing import of the uploaded file: run
// checks it against the event and either returns every bad row (nothing is
// stored) or stores it and says what it imported.
func (s *Server) importUpload(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, what string,
	run func(ctx context.Context, is ImportStore, name string, data []byte) ([]imports.Problem, string, error)) {
	is, err := s.importStore()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	name, data, err := uploaded(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ps, done, err := run(r.Context(), is, name, data)
	switch {
	case err != nil:
		s.fail(w, r, err)
	case len(ps) > 0:
		s.showProblems(w, r, is, u, ev, what+" "+name+" ", ps)
	default:
		http.Redirect(w, r, noticeURL("/events/"+ev.Code+"/imports", done), http.StatusSeeOther)
	}
}

// handleScoresImport imports a theory-score file (.xlsx or .csv),
// reconciled with the roster (imports.Scores): every mismatch is named and
// nothing stored; an assessment's file must also hold every candidate
// unless the organizer allows otherwise. Those a stored file left out are
// named on the page.
func (s *Server) handleScoresImport(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	is, err := s.importStore()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	name, data, err := uploaded(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ctx := r.Context()
	in, err := imports.LoadScoresInput(ctx, is, ev, r.FormValue("module"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	in.AllowMissing = r.FormValue("allow_missing") == "1"
	plan, ps, err := imports.Scores(name, data, in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if len(ps) > 0 {
		s.showProblems(w, r, is, u, ev, "成绩文件 "+name+" ", ps)
		return
	}
	if _, err := is.ImportScores(ctx, ev.ID, plan.Module.ID, plan.Scores, name, u.User.Username); err != nil {
		s.fail(w, r, err)
		return
	}
	s.log.Info("scores imported", "event", ev.Code, "module", plan.Module.Code, "count", len(plan.Scores), "absent", plan.Absent,
		"missing", len(plan.Missing), "by", u.User.Username)
	if len(plan.Missing) == 0 {
		http.Redirect(w, r, noticeURL("/events/"+ev.Code+"/imports", "scores-reconciled", len(plan.Scores), plan.Absent), http.StatusSeeOther)
		return
	}
	page, err := s.importsPage(ctx, is, u, ev)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page.Message = noticeText(noticeValue("scores-reconciled", len(plan.Scores), plan.Absent))
	page.Missing = plan.Missing
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, "imports", page)
}

func (s *Server) handleJudgesImport(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	s.importUpload(w, r, u, ev, "裁判文件", func(ctx context.Context, is ImportStore, name string, data []byte) ([]imports.Problem, string, error) {
		in, err := imports.LoadJudgesInput(ctx, is, ev.ID)
		if err != nil {
			return nil, "", err
		}
		js, ps, err := imports.Judges(name, data, in)
		if err != nil || len(ps) > 0 {
			return ps, "", err
		}
		out, err := is.ImportJudges(ctx, ev.ID, js, name, u.User.Username)
		if err != nil {
			return nil, "", err
		}
		s.log.Info("judges imported", "event", ev.Code, "count", len(out), "by", u.User.Username)
		return nil, noticeValue("judges-imported", len(out)), nil
	})
}

// handleJudgeCards issues a fresh one-time login for every judge on a panel
// and answers one PDF of their cards (QR code + PIN), six to a page.
func (s *Server) handleJudgeCards(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	is, err := s.importStore()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ctx := r.Context()
	in, err := imports.LoadJudgesInput(ctx, is, ev.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	fonts, err := certificates.LoadFonts(s.fonts[0], s.fonts[1])
	if err != nil {
		s.fail(w, r, err)
		return
	}
	scheme := "http"
	if secureRequest(r) {
		scheme = "https"
	}
	cards, err := sheets.IssueJudgeCards(ctx, s.judges, ev, in.Judges, in.Panels, in.Modules, scheme+"://"+r.Host, u.User.Username)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := sheets.WriteJudgeCards(&buf, fonts, ev.Name, scoring.TermsFor(ev.Kind), cards, time.Now()); err != nil {
		s.fail(w, r, err)
		return
	}
	s.log.Info("judge cards issued", "event", ev.Code, "count", len(cards), "by", u.User.Username)
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`inline; filename="judge-cards-%s.pdf"`, ev.Code))
	// A write error means the client went away.
	_, _ = buf.WriteTo(w)
}

// maxImportBody is the largest upload request: the file plus the form
// around it (formAllowance), so the limit a user is told is the file's.
const (
	formAllowance = 1 << 20
	maxImportBody = imports.MaxFileBytes + formAllowance
)

// limitBody caps a public form's request body (logged-in users' forms are
// capped in requireRole) before anything parses it.
func limitBody(n int64, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, n)
		h(w, r)
	}
}
