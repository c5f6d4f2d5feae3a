package web

import (
	"net/http"
	"strconv"

	"skillscore/results"
	"skillscore/scoring"
)

type leaderboardPage struct {
	Title          string
	EventName      string
	Occupation     string
	TierName       string
	Revision       int64
	Done, Expected int
	RefreshSeconds int
	Modules        []moduleHead
	Groups         []groupBoard
	ReasonSpan     int
	Error          string
}

type moduleHead struct{ Code, Name, Weight string }

type groupBoard struct {
	Code, Name string
	Rows       []boardRow
}

type boardRow struct {
	Rank     int
	Code     string
	Modules  []boardCell
	Total    string
	Award    string
	Complete bool
	Reasons  []string
}

type boardCell struct {
	Score    string
	Complete bool
	Note     string
}

// standings loads and computes an event's standings by its code.
func (s *Server) standings(r *http.Request) (*results.Standings, error) {
	ev, err := s.store.EventByCode(r.Context(), r.PathValue("code"))
	if err != nil {
		return nil, err
	}
	snap, err := s.store.Snapshot(r.Context(), ev.ID)
	if err != nil {
		return nil, err
	}
	return results.Compute(snap)
}

func (s *Server) handleLeaderboard(w http.ResponseWriter, r *http.Request) {
	st, err := s.standings(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ev := st.Snapshot.Event
	page := leaderboardPage{
		Title:          ev.Name + " · 成绩排行",
		EventName:      ev.Name,
		Occupation:     ev.Occupation,
		TierName:       nameOr(tierNames, ev.Tier) + nameOr(classNames, ev.Class),
		Revision:       ev.Revision,
		Done:           st.Done,
		Expected:       st.Expected,
		RefreshSeconds: s.refresh,
		ReasonSpan:     len(st.Rules.Modules) + 3,
	}
	for _, m := range st.Rules.Modules {
		page.Modules = append(page.Modules, moduleHead{Code: m.Code, Name: m.Name, Weight: weightText(m)})
	}
	groupIndex := map[string]int{}
	for _, g := range st.Snapshot.Groups {
		groupIndex[g.Code] = len(page.Groups)
		page.Groups = append(page.Groups, groupBoard{Code: g.Code, Name: g.Name})
	}
	for _, c := range st.Result.Contestants {
		row := boardRow{
			Rank:     c.Rank,
			Code:     results.DisplayCode(st.Contestants[c.ID]),
			Total:    c.Total.Format(2),
			Award:    c.AwardName,
			Complete: c.Complete,
		}
		for _, m := range c.Modules {
			note := "评分完成"
			if !m.Complete {
				note = "评分进行中"
			}
			row.Modules = append(row.Modules, boardCell{Score: m.Score.Format(2), Complete: m.Complete, Note: note})
		}
		for _, reason := range c.Reasons {
			row.Reasons = append(row.Reasons, reason.Text)
		}
		i, ok := groupIndex[c.Group]
		if !ok {
			i = len(page.Groups)
			groupIndex[c.Group] = i
			page.Groups = append(page.Groups, groupBoard{Code: c.Group, Name: c.GroupName})
		}
		page.Groups[i].Rows = append(page.Groups[i].Rows, row)
	}
	s.render(w, r, "leaderboard", page)
}

// weightText shows how a module counts: "30%" or "×0.5".
func weightText(m scoring.Module) string {
	switch {
	case m.Weight != nil:
		return m.Weight.String() + "%"
	case m.Factor != nil:
		return "×" + m.Factor.String()
	}
	return ""
}

// standingsJSON is the public standings document: contestants by anonymous
// code only, without the chief judge's consistency figures.
type standingsJSON struct {
	Event struct {
		Code     string `json:"code"`
		Name     string `json:"name"`
		Revision int64  `json:"revision"`
	} `json:"event"`
	Progress struct {
		Done     int `json:"done"`
		Expected int `json:"expected"`
	} `json:"progress"`
	Groups      []scoring.GroupSummary `json:"groups"`
	Contestants []contestantJSON       `json:"contestants"`
}

type contestantJSON struct {
	Code string `json:"code"`
	scoring.ContestantResult
	ID struct{} `json:"id,omitzero"` // hides the internal id of the embedded result
}

func (s *Server) handleAPIStandings(w http.ResponseWriter, r *http.Request) {
	st, err := s.standings(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var out standingsJSON
	out.Event.Code = st.Snapshot.Event.Code
	out.Event.Name = st.Snapshot.Event.Name
	out.Event.Revision = st.Snapshot.Event.Revision
	out.Progress.Done, out.Progress.Expected = st.Done, st.Expected
	out.Groups = st.Result.Groups
	for _, c := range st.Result.Contestants {
		out.Contestants = append(out.Contestants, contestantJSON{Code: results.DisplayCode(st.Contestants[c.ID]), ContestantResult: c})
	}
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("ETag", `"`+strconv.FormatInt(st.Snapshot.Event.Revision, 10)+`"`)
	writeJSON(w, http.StatusOK, out)
}
