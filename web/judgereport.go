package web

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"skillscore"
	"skillscore/certificates"
	"skillscore/feedback"
	"skillscore/results"
	"skillscore/sheets"
	"skillscore/store"
)

// Judges' self-review reports (issue 16): each judge's marks against the
// panel's per aspect, with the desk's deviation figures. A judge reads
// their own on the tablet (by its device token: no other judge's); the
// chief judge reads and prints anyone's. A module shows once its sheets
// are locked and signed off, or the results are published.

// judgeReports builds the reports of an event's judges (all when only is
// empty, else the one with that code).
func (s *Server) judgeReports(ctx context.Context, eventID int64, only string) ([]feedback.JudgeReport, error) {
	fs, err := s.feedbackStore()
	if err != nil {
		return nil, err
	}
	wf, err := fs.Workflow(ctx, eventID)
	if err != nil {
		return nil, err
	}
	published := wf.PublishedAt.Valid() && !time.Now().Before(wf.PublishedAt.Time)
	snap, err := s.judging.Snapshot(ctx, eventID)
	if err != nil {
		return nil, err
	}
	st, err := results.Compute(snap)
	if err != nil {
		return nil, err
	}
	// The desk's per-sheet scores: what one judge's marks alone make of a module.
	scores := sheetScores(snap)
	sheetScore := func(module, judge, key string) string { return scores[[3]string{module, judge, key}] }
	var out []feedback.JudgeReport
	for _, j := range snap.Judges {
		if only != "" && j.Code != only {
			continue
		}
		out = append(out, feedback.NewJudgeReport(st, j, published, sheetScore))
	}
	if only != "" && len(out) == 0 {
		return nil, skillscore.Errorf(skillscore.ENotFound, "本赛事没有裁判 %s", only)
	}
	return out, nil
}

// judgeReportsPage is the data of templates/html/judgereports.html: the
// chief judge's list, one report opened.
type judgeReportsPage struct {
	Title, EventCode, EventName, User string
	Reports                           []feedback.JudgeReport
	Open                              *feedback.JudgeReport
	FlagNames                         map[string]string
}

// handleJudgeReports is the chief judge's page of every judge's report.
func (s *Server) handleJudgeReports(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	reps, err := s.judgeReports(r.Context(), ev.ID, "")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := judgeReportsPage{Title: ev.Name + " · 裁判评分自评报告", EventCode: ev.Code, EventName: ev.Name, User: u.User.Name,
		Reports: reps, FlagNames: feedback.FlagNames}
	if code := r.URL.Query().Get("judge"); code != "" {
		for i := range reps {
			if reps[i].Judge == code {
				page.Open = &reps[i]
			}
		}
		if page.Open == nil {
			s.fail(w, r, skillscore.Errorf(skillscore.ENotFound, "本赛事没有裁判 %s", code))
			return
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, "judgereports", page)
}

// handleJudgeReportsPDF prints every judge's report, or one (?judge=J01).
func (s *Server) handleJudgeReportsPDF(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	only := r.URL.Query().Get("judge")
	reps, err := s.judgeReports(r.Context(), ev.ID, only)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if len(reps) == 0 {
		s.fail(w, r, skillscore.Errorf(skillscore.ENotFound, "本赛事还没有裁判"))
		return
	}
	name := ev.Code + "-裁判评分自评报告.pdf"
	if only != "" {
		name = ev.Code + "-" + only + "-评分自评报告.pdf"
	}
	s.writePDF(w, r, name, func(buf *bytes.Buffer, fonts certificates.Fonts) error {
		return sheets.WriteJudgeReports(buf, fonts, reps, time.Now().In(skillscore.China()))
	})
}

// tabletJudgeReport is the report of the judge whose tablet asks.
func (s *Server) tabletJudgeReport(r *http.Request) (feedback.JudgeReport, error) {
	if s.judges == nil || s.judging == nil {
		return feedback.JudgeReport{}, skillscore.Errorf(skillscore.EUnavailable, "裁判功能未启用")
	}
	tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	j, err := s.judges.JudgeFor(r.Context(), strings.TrimSpace(tok))
	if err != nil {
		return feedback.JudgeReport{}, err
	}
	if !s.feedback.reports.allow(strconv.FormatInt(j.ID, 10)) {
		return feedback.JudgeReport{}, skillscore.Errorf(skillscore.ERateLimited, "请求过于频繁，请稍后再试")
	}
	reps, err := s.judgeReports(r.Context(), j.EventID, j.Code)
	if err != nil {
		return feedback.JudgeReport{}, err
	}
	return reps[0], nil
}

// handleTabletReportPage is the tablet's report page: its script reads the
// tablet's token and asks the API below.
func (s *Server) handleTabletReportPage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, "judgereport", struct{ Title string }{"评分自评报告"})
}

// handleTabletReport is the judge's own report as JSON.
func (s *Server) handleTabletReport(w http.ResponseWriter, r *http.Request) {
	rep, err := s.tabletJudgeReport(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, judgeReportJSON{JudgeReport: rep, StatsText: reportStatsText(rep)})
}

// judgeReportJSON is the report with the desk's figures in words.
type judgeReportJSON struct {
	feedback.JudgeReport
	StatsText string
}

// reportStatsText says the desk's figures of a report in a sentence.
func reportStatsText(rep feedback.JudgeReport) string {
	return sheets.JudgeStatsText(rep)
}

// handleTabletReportPDF is the judge's own report as PDF.
func (s *Server) handleTabletReportPDF(w http.ResponseWriter, r *http.Request) {
	rep, err := s.tabletJudgeReport(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writePDF(w, r, rep.EventCode+"-"+rep.Judge+"-评分自评报告.pdf", func(buf *bytes.Buffer, fonts certificates.Fonts) error {
		return sheets.WriteJudgeReports(buf, fonts, []feedback.JudgeReport{rep}, time.Now().In(skillscore.China()))
	})
}
