package web

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"skillscore"
	"skillscore/roster"
	"skillscore/stats"
	"skillscore/store"
)

// StatsStore is what the statistics page needs: the report's reads and the
// organizer's target edits. Like DrawStore it is the judging store.
type StatsStore interface {
	stats.Store
	SetTarget(ctx context.Context, t store.Target, actor string) (store.Target, error)
}

func (s *Server) statsStore() (StatsStore, error) {
	ss, ok := s.judging.(StatsStore)
	if !ok {
		return nil, skillscore.Errorf(skillscore.EUnavailable, "统计功能未启用")
	}
	return ss, nil
}

type statsRow struct {
	stats.Row
	LevelName string
}

type statsProgress struct {
	stats.Progress
	Rate string
}

type statsChart struct {
	Occupation string
	SVG        template.HTML
}

type statsPage struct {
	Title, CSRF, User, Message string
	Year                       int
	Rows                       []statsRow
	Progress                   []statsProgress
	Charts                     []statsChart
	Cities                     []string
}

// statsYear reads ?year=, defaulting to the current year.
func statsYear(r *http.Request) (int, error) {
	v := strings.TrimSpace(r.FormValue("year"))
	if v == "" {
		return time.Now().In(skillscore.China()).Year(), nil
	}
	y, err := strconv.Atoi(v)
	if err != nil || y < 2000 || y > 2100 {
		return 0, skillscore.Errorf(skillscore.EInvalid, "年份 %q 无效：应为 2000 至 2100 之间的四位年份", v)
	}
	return y, nil
}

func (s *Server) statsReport(r *http.Request) (*stats.Report, error) {
	ss, err := s.statsStore()
	if err != nil {
		return nil, err
	}
	year, err := statsYear(r)
	if err != nil {
		return nil, err
	}
	return stats.Build(r.Context(), ss, year)
}

func (s *Server) handleStats(w http.ResponseWriter, r *http.Request, u *authed) {
	rep, err := s.statsReport(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := statsPage{Title: fmt.Sprintf("%d 年统计", rep.Year), CSRF: u.CSRF, User: u.User.Name,
		Message: r.URL.Query().Get("msg"), Year: rep.Year, Cities: stats.Cities()}
	for _, x := range rep.Rows {
		page.Rows = append(page.Rows, statsRow{x, stats.LevelName(x.Level)})
	}
	seen := map[string]bool{}
	for _, p := range rep.Progress {
		page.Progress = append(page.Progress, statsProgress{p, stats.Rate(p.Achieved, p.Target)})
		if !seen[p.Occupation] {
			seen[p.Occupation] = true
			// stats.Chart escapes every text it writes
			page.Charts = append(page.Charts, statsChart{p.Occupation, template.HTML(stats.Chart(rep.Progress, p.Occupation))})
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, "stats", page)
}

func (s *Server) handleStatsXLSX(w http.ResponseWriter, r *http.Request, _ *authed) {
	rep, err := s.statsReport(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	data, err := rep.XLSX()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	name := fmt.Sprintf("统计-%d.xlsx", rep.Year)
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(name))
	w.Header().Set("Cache-Control", "no-store")
	w.Write(data)
}

// handleSetTarget enters one target from the page's form.
func (s *Server) handleSetTarget(w http.ResponseWriter, r *http.Request, u *authed) {
	ss, err := s.statsStore()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	year, err := statsYear(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := strings.TrimSpace(r.PostFormValue("target"))
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		s.fail(w, r, skillscore.Errorf(skillscore.EInvalid, "目标人数 %q 无效：请填写不小于 0 的整数", v))
		return
	}
	city, ok := roster.City(r.PostFormValue("city"))
	if !ok {
		s.fail(w, r, skillscore.Errorf(skillscore.EInvalid, "设区市 %q 不是江西省的 11 个设区市之一", r.PostFormValue("city")))
		return
	}
	t, err := ss.SetTarget(r.Context(), store.Target{Year: year, City: city,
		Occupation: r.PostFormValue("occupation"), Target: n}, u.User.Username)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.log.Info("target set", "year", t.Year, "city", t.City, "occupation", t.Occupation, "target", t.Target, "by", u.User.Username)
	http.Redirect(w, r, noticeURL(fmt.Sprintf("/statistics?year=%d", t.Year), "target-saved", t.Year, int(t.Target)), http.StatusSeeOther)
}
