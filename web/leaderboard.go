package web

import (
	"net/http"
	"strconv"
	"time"

	"skillscore"
	"skillscore/live"
	"skillscore/results"
)

type leaderboardPage struct {
	Title          string
	EventName      string
	Occupation     string
	TierName       string
	Code           string // the event's, for the live stream
	View           string
	Done, Expected int
	Mode           string // live.ModeLive, ModeFrozen or ModeCeremony
	Chief          bool   // the chief judge's unfrozen view, drafts shown
	Published      bool
	Modules        []live.ModuleHead
	Groups         []groupBoard
	ReasonSpan     int
	Error          string
	Round          *live.RoundInfo // an event with rounds: the round shown
}

type groupBoard struct {
	Code, Name string
	Rows       []boardRow
	Hidden     int // rows the ceremony has not revealed yet
}

type boardRow struct {
	Key      string // the live board's row key
	Rank     int
	Code     string
	Name     string
	Org      string
	Modules  []boardCell
	Total    string
	Award    string
	Complete bool
	Draft    bool
	Reasons  []string
	// StatusReason is why the contestant is 缺考, 弃权, 取消资格 or 不参与评奖.
	StatusReason string
}

type boardCell struct {
	Score    string
	Complete bool
	Note     string
}

// standings finds the requested view's standings document: the public one
// (frozen, revealed and sealed like the big screen, since it is the same
// board) or, for a logged-in chief judge, the unfrozen one. A server
// without a live service computes it the same way for each request.
func (s *Server) standings(r *http.Request) (*live.Standings, []byte, string, error) {
	if s.live.svc == nil {
		src, ok := s.store.(live.Source)
		if !ok {
			return nil, nil, "", skillscore.Errorf(skillscore.EUnavailable, "本服务未启用实时成绩")
		}
		view, err := s.liveView(r)
		if err != nil {
			return nil, nil, "", err
		}
		return live.StandingsOnce(r.Context(), src, r.PathValue("code"), view, time.Now())
	}
	feed, err := s.liveFeed(r)
	if err != nil {
		return nil, nil, "", err
	}
	return feed.Standings()
}

func (s *Server) handleLeaderboard(w http.ResponseWriter, r *http.Request) {
	ev, err := s.store.EventByCode(r.Context(), r.PathValue("code"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if _, ok := s.pageView(w, r); !ok {
		return
	}
	st, _, _, err := s.standings(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := leaderboardPage{
		Title:      st.Event.Name + " · 成绩排行",
		EventName:  st.Event.Name,
		Occupation: st.Event.Occupation,
		TierName:   nameOr(tierNames, ev.Tier) + nameOr(classNames, ev.Class),
		Code:       st.Event.Code,
		View:       st.View,
		Done:       st.Progress.Done,
		Expected:   st.Progress.Expected,
		Mode:       st.Mode,
		Chief:      st.View == live.Chief.String(),
		Published:  st.Published,
		Modules:    st.Modules,
		ReasonSpan: len(st.Modules) + 3,
		Round:      st.Round,
	}
	if st.Published {
		page.ReasonSpan += 2
	}
	groupIndex := map[string]int{}
	for _, g := range st.Groups {
		groupIndex[g.Code] = len(page.Groups)
		page.Groups = append(page.Groups, groupBoard{Code: g.Code, Name: g.Name, Hidden: g.Hidden})
	}
	for _, c := range st.Contestants {
		row := boardRow{
			Key:          c.Key,
			Rank:         c.Rank,
			Code:         c.Code,
			Name:         c.Name,
			Org:          c.Org,
			Total:        results.TotalText(c.ContestantResult, results.Fixed2),
			Award:        results.AwardText(c.ContestantResult),
			Complete:     c.Complete,
			Draft:        c.Draft,
			StatusReason: c.StatusReason,
		}
		for i, m := range c.Modules {
			cell := boardCell{Score: results.ModuleText(m, results.Fixed2), Complete: m.Complete, Note: "评分完成"}
			if !m.Complete {
				cell.Note = "评分进行中"
			}
			// The board's scores tell a module nobody has marked ("") from
			// a real 0.
			if i < len(c.Scores) && c.Scores[i] == "" {
				cell.Score, cell.Note = "—", "尚无评分"
			}
			row.Modules = append(row.Modules, cell)
		}
		for _, reason := range c.Reasons {
			row.Reasons = append(row.Reasons, reason.Text)
		}
		if i, ok := groupIndex[c.Group]; ok {
			page.Groups[i].Rows = append(page.Groups[i].Rows, row)
		}
	}
	if page.Chief {
		w.Header().Set("Cache-Control", "private, no-store")
	}
	s.render(w, r, "leaderboard", page)
}

func (s *Server) handleAPIStandings(w http.ResponseWriter, r *http.Request) {
	_, data, etag, err := s.standings(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	h := w.Header()
	h.Set("ETag", etag)
	if r.URL.Query().Get("view") == "chief" {
		h.Set("Cache-Control", "private, no-cache")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	if match := r.Header.Get("If-None-Match"); match != "" && match == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(data)))
	w.Write(data)
}
