package web

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"skillscore"
	"skillscore/draw"
	"skillscore/results"
	"skillscore/scoring"
	"skillscore/store"
)

// RoundsStore is what the rounds page needs; the judging store provides it
// (the same *store.Store), like the draw page's DrawStore.
type RoundsStore interface {
	ConfirmRound(ctx context.Context, eventID int64, code string, advancing []store.RoundEntry, actor string) error
	DrawRound(ctx context.Context, eventID int64, code, seed, actor string) (store.RoundState, error)
}

func (s *Server) roundsStore() (RoundsStore, error) {
	rs, ok := s.judging.(RoundsStore)
	if !ok {
		return nil, skillscore.Errorf(skillscore.EUnavailable, "轮次功能未启用")
	}
	return rs, nil
}

// eventRounds is an event's computed rounds with their stored state.
type eventRounds struct {
	st     *results.Standings
	states []store.RoundState
	res    *scoring.RoundsResult
}

func (s *Server) loadRounds(ctx context.Context, ev store.Event) (eventRounds, error) {
	snap, err := s.judging.Snapshot(ctx, ev.ID)
	if err != nil {
		return eventRounds{}, err
	}
	st, err := results.Compute(snap)
	if err != nil {
		return eventRounds{}, err
	}
	res, err := results.Rounds(st)
	if err != nil {
		return eventRounds{}, err
	}
	return eventRounds{st: st, states: snap.Rounds, res: res}, nil
}

type roundsPage struct {
	Title, CSRF, EventCode, EventName, User, Message string
	Rounds                                           []roundView
	Final                                            []finalRow // places over all rounds, provisional until the last is complete
}

type finalRow struct {
	Place         int
	Shared        bool
	Code, Group   string
	Round, Reason string
}

type roundView struct {
	Code, Name, Status, StatusName string
	Open, Confirmable, Drawable    bool
	Provisional, Complete          bool
	ConfirmedAt, ConfirmedBy       string
	DrawSeed, DrawnBy              string
	NextName                       string
	Advancing                      string // ids of the computed cut, posted back on confirmation
	Rows                           []roundRow
	Units                          []unitView
	Entries                        []entryView
}

type roundRow struct {
	Code, Group                  string
	Rank                         int
	Shared, Advances, Complete   bool
	Score, Own, Carried, Reasons string // Carried "" when the round carries nothing
}

type unitView struct {
	Name string
	Rows []unitRowView
}

type unitRowView struct {
	Code, Score string
	Rank        int
}

type entryView struct {
	Code, Station, Reason string
	Appearance            int
}

var roundStatusNames = map[string]string{store.RoundPending: "未开始", store.RoundOpen: "进行中", store.RoundConfirmed: "晋级名单已确认"}

func (s *Server) handleRoundsPage(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	er, err := s.loadRounds(r.Context(), ev)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := roundsPage{Title: ev.Name + " · 轮次与晋级", CSRF: u.CSRF, EventCode: ev.Code, EventName: ev.Name,
		User: u.User.Name, Message: r.URL.Query().Get("msg")}
	if er.res != nil {
		page.Rounds = roundViews(er)
		for _, f := range er.res.Final {
			page.Final = append(page.Final, finalRow{Place: f.Place, Shared: f.Shared, Code: results.DisplayCode(er.st.Contestants[f.ID]),
				Group: er.st.Contestants[f.ID].GroupCode, Round: f.RoundName, Reason: f.Reasons[0].Text})
			for _, g := range er.st.Rules.Groups {
				if g.Code == f.Group {
					page.Final[len(page.Final)-1].Group = g.Name
				}
			}
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, "rounds", page)
}

func roundViews(er eventRounds) []roundView {
	code := func(id string) string { return results.DisplayCode(er.st.Contestants[id]) }
	places := er.st.Rules.Total.Rounding.Places
	groupName := map[string]string{}
	for _, g := range er.st.Rules.Groups {
		groupName[g.Code] = g.Name
	}
	out := make([]roundView, 0, len(er.res.Rounds))
	for i, rr := range er.res.Rounds {
		rd := er.st.Rules.Rounds[i]
		if rd.Rounding != nil {
			places = rd.Rounding.Places
		}
		v := roundView{Code: rr.Code, Name: rr.Name, Provisional: rr.Provisional, Complete: rr.Complete, Status: store.RoundPending}
		for _, st := range er.states {
			if st.Code != rr.Code {
				continue
			}
			v.Status = st.Status
			v.ConfirmedAt, v.ConfirmedBy = cnFormat(st.ConfirmedAt), roundStr(st.ConfirmedBy)
			v.DrawSeed, v.DrawnBy = roundStr(st.DrawSeed), roundStr(st.DrawnBy)
			for _, e := range st.Entries {
				ev := entryView{Code: results.DisplayCode(er.st.Contestants[results.Key(e.ContestantID)]), Station: roundStr(e.Station), Reason: e.Reason}
				if e.Appearance != nil {
					ev.Appearance = *e.Appearance
				}
				v.Entries = append(v.Entries, ev)
			}
		}
		v.StatusName = roundStatusNames[v.Status]
		v.Open = v.Status == store.RoundOpen
		last := i == len(er.res.Rounds)-1
		v.Confirmable = v.Open && !last
		// a round's draw is refused once its first mark is in: no form then
		v.Drawable = v.Open && i > 0 && !roundMarked(er.st, rd)
		if !last {
			v.NextName = er.res.Rounds[i+1].Name
		}
		v.Advancing = strings.Join(rr.Advancing, ",")
		for _, x := range rr.Standings {
			texts := make([]string, len(x.Reasons))
			for j, re := range x.Reasons {
				texts[j] = re.Text
			}
			row := roundRow{Code: code(x.ID), Group: groupName[x.Group], Rank: x.Rank, Shared: x.Shared, Advances: x.Advances,
				Complete: x.Complete, Score: x.Score.Format(places), Own: x.Own.Format(places), Reasons: strings.Join(texts, "；")}
			if x.CarriedFrom != "" {
				row.Carried = x.Carried.Format(places)
			}
			v.Rows = append(v.Rows, row)
		}
		for _, u := range rr.Units {
			uv := unitView{Name: u.Name}
			for _, row := range u.Rows {
				uv.Rows = append(uv.Rows, unitRowView{Code: code(row.ID), Score: row.Score.Format(places), Rank: row.Rank})
			}
			v.Units = append(v.Units, uv)
		}
		out = append(out, v)
	}
	return out
}

// roundMarked reports whether any judge's mark of the round is in.
func roundMarked(st *results.Standings, rd scoring.Round) bool {
	for _, m := range st.Snapshot.Marks {
		if slices.Contains(rd.Modules, m.ModuleCode) {
			return true
		}
	}
	return false
}

func roundStr(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// handleConfirmRound confirms the computed advancement of an open round.
// The form carries the list the chief saw: if the marks changed since, the
// list differs and nothing is confirmed.
func (s *Server) handleConfirmRound(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	code := r.PathValue("round")
	er, err := s.loadRounds(r.Context(), ev)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if er.res == nil {
		s.fail(w, r, skillscore.Errorf(skillscore.ENotFound, "本赛事的评分规则没有分轮次"))
		return
	}
	var rr *scoring.RoundResult
	for i := range er.res.Rounds {
		if er.res.Rounds[i].Code == code {
			rr = &er.res.Rounds[i]
		}
	}
	switch {
	case rr == nil:
		s.fail(w, r, skillscore.Errorf(skillscore.ENotFound, "本赛事没有轮次 %q", code))
		return
	case !rr.Complete:
		s.fail(w, r, skillscore.Errorf(skillscore.EConflict, "%s还有选手的成绩不完整，不能确认晋级名单", rr.Name))
		return
	case r.PostFormValue("advancing") != strings.Join(rr.Advancing, ","):
		s.fail(w, r, skillscore.Errorf(skillscore.EConflict, "%s的成绩在您查看后有变动，晋级名单已不同：请刷新页面核对后再确认", rr.Name))
		return
	}
	entries := make([]store.RoundEntry, 0, len(rr.Advancing))
	for _, x := range rr.Standings {
		if !x.Advances {
			continue
		}
		c := er.st.Contestants[x.ID]
		entries = append(entries, store.RoundEntry{ContestantID: c.ID, Reason: x.Reasons[len(x.Reasons)-1].Text})
	}
	rs, err := s.roundsStore()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := rs.ConfirmRound(r.Context(), ev.ID, code, entries, u.User.Username); err != nil {
		s.fail(w, r, err)
		return
	}
	s.roundsChanged(r, ev)
	s.log.Info("round confirmed", "event", ev.Code, "round", code, "advancing", len(entries), "by", u.User.Username)
	http.Redirect(w, r, noticeURL("/events/"+ev.Code+"/rounds", "round-confirmed", len(entries)), http.StatusSeeOther)
}

// handleDrawRound draws a later round's order of appearance and stations;
// an empty seed field means a fresh random seed.
func (s *Server) handleDrawRound(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	rs, err := s.roundsStore()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	seed := strings.TrimSpace(r.PostFormValue("seed"))
	if seed == "" {
		if seed, err = draw.NewSeed(); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	rd, err := rs.DrawRound(r.Context(), ev.ID, r.PathValue("round"), seed, u.User.Username)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.roundsChanged(r, ev)
	s.log.Info("round drawn", "event", ev.Code, "round", rd.Code, "by", u.User.Username)
	http.Redirect(w, r, noticeURL("/events/"+ev.Code+"/rounds", "round-drawn", len(rd.Entries)), http.StatusSeeOther)
}

// roundsChanged has the tablets reload: what is stored is done, so a failure
// here only delays the new round's sheets until the tablet reconnects.
func (s *Server) roundsChanged(r *http.Request, ev store.Event) {
	if err := s.judges.RoundsChanged(r.Context(), ev.ID); err != nil {
		s.log.Warn("rounds: reload tablets", "event", ev.Code, "err", err)
	}
}
