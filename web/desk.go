package web

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"skillscore"
	"skillscore/results"
	"skillscore/scoring"
	"skillscore/store"
)

// ---- the chief judge's desk ---------------------------------------------

// Desk is the chief judge's live view of an event (also served as JSON).
type Desk struct {
	Event    string               `json:"event"`
	Name     string               `json:"name"`
	Revision int64                `json:"revision"`
	Modules  []deskModule         `json:"modules"`
	Flags    []scoring.Flag       `json:"flags"`
	Judges   []scoring.JudgeStats `json:"judges"`
	// Contestants are everyone by code with their status, for 取消资格.
	Contestants []deskContestant `json:"contestants"`
}

// deskContestant is one contestant's status on the desk (by code: the
// chief judge does not see names).
type deskContestant struct {
	ID           int64  `json:"id"`
	Code         string `json:"code"`
	Station      string `json:"station"`
	Status       string `json:"status,omitempty"`
	StatusName   string `json:"status_name,omitempty"`
	StatusReason string `json:"status_reason,omitempty"`
}

type deskModule struct {
	ID        int64      `json:"id"`
	Code      string     `json:"code"`
	Name      string     `json:"name"`
	Aspects   int        `json:"aspects"`
	SignedOff bool       `json:"signed_off"`
	Judges    []string   `json:"judges"`
	Rows      []deskRow  `json:"rows"`
	Counts    deskCounts `json:"counts"`
}

type deskCounts struct {
	Open, Progress, Submitted, Locked int
}

type deskRow struct {
	Contestant string     `json:"contestant"`
	Station    string     `json:"station"`
	Cells      []deskCell `json:"cells"`
	Status     string     `json:"status,omitempty"` // 缺考 … ("" competing)
}

type deskCell struct {
	Sheet  int64  `json:"sheet,omitempty"`
	Status string `json:"status"` // recused | todo | progress | submitted | locked
	Label  string `json:"label"`
	Marked int    `json:"marked"`
	// Score is what this judge's marks on the sheet are worth so far, as
	// the rubric prints the module score; "" before the first mark.
	Score string `json:"score,omitempty"`
	// Flag is the spread warning naming this judge as the panel's low or
	// high mark for this contestant ("" when none).
	Flag string `json:"flag,omitempty"`
}

// sheetScores scores every judge's sheets alone with the scoring core: each
// module's panel becomes a one-judge mean, so a sheet's score is exactly
// what the rubric makes of that judge's marks (weights, bands, vetoes and
// deductions included). Keyed by module code, judge code, contestant key.
func sheetScores(snap store.Snapshot) map[[3]string]string {
	out := map[[3]string]string{}
	rules, err := scoring.ParseRules([]byte(snap.Event.Rules))
	if err != nil {
		return out
	}
	in, _ := results.Input(snap)
	byJudge := map[string][]scoring.Mark{}
	for _, m := range in.Marks {
		if m.Judge != "" {
			byJudge[m.Judge] = append(byJudge[m.Judge], m)
		}
	}
	places := map[string]int{}
	one := *rules
	one.Modules = append([]scoring.Module(nil), rules.Modules...)
	for i, m := range one.Modules {
		places[m.Code] = -1
		if m.Rounding != nil {
			places[m.Code] = m.Rounding.Places
		}
		if m.Imported {
			continue
		}
		p := scoring.Panel{Judges: 1, Method: "mean", Missing: "present", MinJudges: 1}
		if m.Panel != nil {
			p.Level, p.Rounding = m.Panel.Level, m.Panel.Rounding
		}
		one.Modules[i].Panel = &p
	}
	for judge, marks := range byJudge {
		jin := in
		jin.Marks, jin.Recusals = marks, nil
		res, err := scoring.Compute(&one, jin)
		if err != nil {
			continue
		}
		for _, c := range res.Contestants {
			for _, ms := range c.Modules {
				s := ms.Score.String()
				if p := places[ms.Code]; p >= 0 {
					s = ms.Score.Format(p)
				}
				out[[3]string{ms.Code, judge, c.ID}] = s
			}
		}
	}
	return out
}

func (s *Server) desk(ctx context.Context, ev store.Event) (Desk, error) {
	snap, err := s.judging.Snapshot(ctx, ev.ID)
	if err != nil {
		return Desk{}, err
	}
	sheets, err := s.judging.Sheets(ctx, ev.ID)
	if err != nil {
		return Desk{}, err
	}
	d := Desk{Event: ev.Code, Name: ev.Name, Revision: snap.Event.Revision, Modules: []deskModule{}}
	scores := sheetScores(snap)
	var entrants map[string]map[int64]store.RoundEntry // rounds: a later round's rows are its entrants only
	if st, err := results.Compute(snap); err == nil {
		entrants = results.RoundEntrants(st)
		d.Flags, d.Judges = st.Result.Flags, st.Result.Judges
		// The flags name contestants by internal id; the desk shows codes.
		for i := range d.Flags {
			if c, ok := st.Contestants[d.Flags[i].Contestant]; ok {
				code := results.DisplayCode(c)
				d.Flags[i].Text = strings.Replace(d.Flags[i].Text, "选手 "+d.Flags[i].Contestant+" ", "选手 "+code+" ", 1)
				d.Flags[i].Contestant = code
			}
		}
	}
	type key struct{ m, j, c int64 }
	sheetOf := map[key]store.Sheet{}
	for _, sh := range sheets {
		sheetOf[key{sh.ModuleID, sh.JudgeID, sh.ContestantID}] = sh
	}
	assigned := map[key]bool{}
	for _, a := range snap.Assignments {
		assigned[key{a.ModuleID, a.JudgeID, a.ContestantID}] = true
	}
	judgeByID := map[int64]store.Judge{}
	for _, j := range snap.Judges {
		judgeByID[j.ID] = j
	}
	// A part a 补考 candidate carries from an earlier batch is not marked
	// here: its cells say so and count in no column.
	carried := map[[2]any]bool{}
	for _, cp := range snap.Carried {
		carried[[2]any{cp.ContestantID, cp.Part}] = true
	}
	cs := append([]store.Contestant(nil), snap.Contestants...)
	sort.Slice(cs, func(i, k int) bool { return results.DisplayCode(cs[i]) < results.DisplayCode(cs[k]) })
	d.Contestants = make([]deskContestant, 0, len(cs))
	for _, c := range cs {
		dc := deskContestant{ID: c.ID, Code: results.DisplayCode(c), Status: c.Status, StatusName: scoring.StatusName(c.Status), StatusReason: c.StatusReason}
		if c.Station != nil {
			dc.Station = *c.Station
		}
		d.Contestants = append(d.Contestants, dc)
	}
	for _, m := range snap.Modules {
		if m.Imported {
			continue
		}
		dm := deskModule{ID: m.ID, Code: m.Code, Name: m.Name, Aspects: len(m.Aspects), SignedOff: m.SignedOffAt.Valid()}
		var panel []int64
		for _, p := range snap.Panels {
			if p.ModuleID == m.ID {
				panel = append(panel, p.JudgeID)
				dm.Judges = append(dm.Judges, judgeByID[p.JudgeID].Code)
			}
		}
		for _, c := range cs {
			row := deskRow{Contestant: results.DisplayCode(c), Status: scoring.StatusName(c.Status)}
			if c.Station != nil {
				row.Station = *c.Station
			}
			if in, ok := entrants[m.Code]; ok {
				e, entered := in[c.ID]
				if !entered {
					continue
				}
				if e.Station != nil {
					row.Station = *e.Station
				}
			}
			for _, jid := range panel {
				k := key{m.ID, jid, c.ID}
				sh, has := sheetOf[k]
				cell := deskCell{}
				switch {
				case carried[[2]any{c.ID, m.Kind}]:
					cell = deskCell{Status: "carried", Label: "补考沿用"}
				case has && sh.Status == "locked":
					cell = deskCell{Sheet: sh.ID, Status: "locked", Label: "已锁定"}
					dm.Counts.Locked++
				case has && sh.Status == "submitted":
					cell = deskCell{Sheet: sh.ID, Status: "submitted", Label: "已提交"}
					dm.Counts.Submitted++
				case !assigned[k] && len(snap.Assignments) > 0 && !has:
					cell = deskCell{Status: "recused", Label: "回避"}
				case has && sh.Marked >= len(m.Aspects):
					cell = deskCell{Sheet: sh.ID, Status: "progress", Label: fmt.Sprintf("待提交 %d/%d", sh.Marked, len(m.Aspects))}
					dm.Counts.Progress++
				case has && sh.Marked > 0:
					cell = deskCell{Sheet: sh.ID, Status: "progress", Label: fmt.Sprintf("进行中 %d/%d", sh.Marked, len(m.Aspects))}
					dm.Counts.Progress++
				default:
					cell = deskCell{Sheet: sh.ID, Status: "todo", Label: "未评"}
					dm.Counts.Open++
				}
				cell.Marked = sh.Marked
				if has && sh.Marked > 0 {
					cell.Score = scores[[3]string{m.Code, judgeByID[jid].Code, results.Key(c.ID)}]
				}
				for _, f := range d.Flags {
					if f.Module == m.Code && f.Contestant == row.Contestant && (f.Low == judgeByID[jid].Code || f.High == judgeByID[jid].Code) {
						cell.Flag = f.Text
					}
				}
				row.Cells = append(row.Cells, cell)
			}
			dm.Rows = append(dm.Rows, row)
		}
		d.Modules = append(d.Modules, dm)
	}
	return d, nil
}

type deskPage struct {
	Title, CSRF, EventCode, User, Message string
	Organizer                             bool
	Desk                                  Desk
	StatusChoices                         []statusChoice
	Paper                                 paperDesk // papertrail.go
}

func (s *Server) handleDesk(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	d, err := s.desk(r.Context(), ev)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, "desk", deskPage{Title: ev.Name + " · 裁判长工作台", CSRF: u.CSRF, EventCode: ev.Code,
		User: u.User.Name, Message: r.URL.Query().Get("msg"), Organizer: scopeHas(r, u.Access, RoleOrganizer), Desk: d,
		StatusChoices: statusChoices(scopeRole(r, u.Access)), Paper: s.deskPaper(r.Context(), ev)})
}

func (s *Server) handleDeskAPI(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	d, err := s.desk(r.Context(), ev)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

// handleSheetAction locks or reopens a sheet (POST, form or JSON client with
// X-CSRF-Token).
func (s *Server) handleSheetAction(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	id, err := strconv.ParseInt(r.PathValue("sheet"), 10, 64)
	if err != nil {
		s.fail(w, r, skillscore.Errorf(skillscore.EInvalid, "评分表编号无效"))
		return
	}
	status := map[string]string{"lock": "locked", "reopen": "open"}[r.PathValue("action")]
	if status == "" {
		s.fail(w, r, skillscore.Errorf(skillscore.ENotFound, "未知操作"))
		return
	}
	sh, err := s.judges.SetSheetStatus(r.Context(), ev.ID, id, status, strings.TrimSpace(r.PostFormValue("reason")), u.User.Username)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if strings.HasPrefix(r.URL.Path, "/api/") {
		writeJSON(w, http.StatusOK, map[string]any{"sheet": sh.ID, "status": sh.Status})
		return
	}
	http.Redirect(w, r, noticeURL("/events/"+ev.Code+"/desk", "sheet-"+status), http.StatusSeeOther)
}

// handleLockSubmitted locks every submitted sheet of a module at once.
func (s *Server) handleLockSubmitted(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	moduleID, err := strconv.ParseInt(r.PathValue("module"), 10, 64)
	if err != nil {
		s.fail(w, r, skillscore.Errorf(skillscore.EInvalid, "模块编号无效"))
		return
	}
	n, err := s.judges.LockSubmitted(r.Context(), ev.ID, moduleID, u.User.Username)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, noticeURL("/events/"+ev.Code+"/desk", "sheets-locked", n), http.StatusSeeOther)
}

func (s *Server) handleSignOff(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	moduleID, err := strconv.ParseInt(r.PathValue("module"), 10, 64)
	if err != nil {
		s.fail(w, r, skillscore.Errorf(skillscore.EInvalid, "模块编号无效"))
		return
	}
	if err := s.judging.SignOffModule(r.Context(), ev.ID, moduleID, u.User.ID, u.User.Username); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, noticeURL("/events/"+ev.Code+"/desk", "signed-off"), http.StatusSeeOther)
}
