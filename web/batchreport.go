package web

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"skillscore"
	"skillscore/report"
	"skillscore/scoring"
	"skillscore/store"
)

// BatchReports builds an assessment batch's certificate data and papers
// (docs/reporting.md); *report.Service satisfies it.
type BatchReports interface {
	Load(ctx context.Context, ev store.Event) (*report.Batch, error)
	Export(ctx context.Context, ev store.Event, format, photos, actor string) (report.File, error)
	Photos(ctx context.Context, ev store.Event, actor string) (string, func(ctx context.Context, w io.Writer) error, error)
	Document(ctx context.Context, ev store.Event, what string) (report.File, error)
	Transcript(ctx context.Context, ev store.Event, contestantID int64) (report.File, error)
}

var _ BatchReports = (*report.Service)(nil)

// The certificate data's downloads, beside report's documents.
const (
	reportDataXLSX = "data-xlsx"
	reportDataJSON = "data-json"
	reportPhotos   = "photos-zip"
)

// batchReportPage is the data of templates/html/batchreport.html.
type batchReportPage struct {
	Title, EventCode, EventName, User, CSRF string
	Batch                                   *report.Batch
	Level                                   string
	// Organizer sees the downloads; the read-only roles see the check.
	Organizer  bool
	Problems   []report.Problem
	Documents  []report.Kind
	PartNames  []string
	PhotosName string
}

func (s *Server) reportEvent(w http.ResponseWriter, r *http.Request) (store.Event, bool) {
	return s.pathEvent(w, r, s.reports != nil, "本服务未启用认定批次报送")
}

// handleBatchReport is the page 报送数据与文书 of an assessment batch: the
// check of every issued certificate's data (every problem named), the
// downloads of the data, the photos and the batch's papers.
func (s *Server) handleBatchReport(w http.ResponseWriter, r *http.Request, u *authed) {
	ev, ok := s.reportEvent(w, r)
	if !ok {
		return
	}
	b, err := s.reports.Load(r.Context(), ev)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := batchReportPage{Title: "报送数据与文书", EventCode: ev.Code, EventName: ev.Name, User: u.User.Name, CSRF: u.CSRF,
		Batch: b, Level: scoring.LevelName(b.Level), Organizer: scopeHas(r, u.Access, RoleOrganizer), Problems: b.Check(),
		Documents: report.Documents(), PhotosName: b.PhotosName()}
	if len(b.Candidates) > 0 {
		for _, p := range b.Candidates[0].Parts {
			page.PartNames = append(page.PartNames, p.Name)
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, "batchreport", page)
}

// handleBatchReportFile downloads the certificate data (.xlsx, JSON), the
// photos (ZIP) or one of the batch's papers. The data and the photos are
// recorded as the organizer's full view before they are sent.
func (s *Server) handleBatchReportFile(w http.ResponseWriter, r *http.Request, u *authed) {
	ev, ok := s.reportEvent(w, r)
	if !ok {
		return
	}
	ctx, what := r.Context(), r.PathValue("what")
	if what == reportPhotos {
		name, write, err := s.reports.Photos(ctx, ev, u.User.Username)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		batchFileHeaders(w, "application/zip", name)
		// Headers are gone once the first entry is written: a photo that
		// fails to read now cuts the download short, and the log says why.
		if err := write(ctx, w); err != nil {
			s.log.ErrorContext(ctx, "batch photos", "event", ev.Code, "err", err)
		}
		return
	}
	var f report.File
	var err error
	switch what {
	case reportDataXLSX:
		f, err = s.reports.Export(ctx, ev, report.FormatXLSX, "", u.User.Username)
	case reportDataJSON:
		f, err = s.reports.Export(ctx, ev, report.FormatJSON, "", u.User.Username)
	default:
		f, err = s.reports.Document(ctx, ev, what)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sendBatchFile(w, f)
}

// handleBatchTranscript downloads one candidate's 成绩单.
func (s *Server) handleBatchTranscript(w http.ResponseWriter, r *http.Request, _ *authed) {
	ev, ok := s.reportEvent(w, r)
	if !ok {
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.fail(w, r, skillscore.Errorf(skillscore.ENotFound, "本批次没有该考生"))
		return
	}
	f, err := s.reports.Transcript(r.Context(), ev, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sendBatchFile(w, f)
}

func batchFileHeaders(w http.ResponseWriter, contentType, name string) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(name))
	w.Header().Set("Cache-Control", "no-store")
}

func sendBatchFile(w http.ResponseWriter, f report.File) {
	batchFileHeaders(w, f.ContentType, f.Name)
	// A write error means the client went away.
	_, _ = w.Write(f.Data)
}
