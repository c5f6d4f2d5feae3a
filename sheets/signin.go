package sheets

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"skillscore"
	"skillscore/scoring"
	"skillscore/sessions"
	"skillscore/store"
)

// Staff is an event's judges and their panels, as the 签到表 and the
// 裁判分工表 list them.
type Staff struct {
	Event       store.Event
	Modules     []store.Module
	Judges      []store.Judge
	Panels      []store.PanelMember
	Assignments []store.Assignment
	Contestants []store.Contestant
	Schedule    []store.SessionState
}

func (st Staff) session(code string) (store.SessionState, error) {
	for _, s := range st.Schedule {
		if s.Code == code {
			return s, nil
		}
	}
	return store.SessionState{}, skillscore.Errorf(skillscore.ENotFound, "没有场次 %s", code)
}

// JudgeSignIn is a session's 签到表 for judges: the judges of the panel
// of the session's module (of every panel when the session names no
// module), the chief first, each with a box for the time and a signature.
func (st Staff) JudgeSignIn(session string, printed time.Time) (SignedTable, error) {
	t := scoring.TermsFor(st.Event.Kind)
	s, err := st.session(session)
	if err != nil {
		return SignedTable{}, err
	}
	judgeByID := map[int64]store.Judge{}
	for _, j := range st.Judges {
		judgeByID[j.ID] = j
	}
	type duty struct {
		j     store.Judge
		chief bool
		mods  []string
	}
	var duties []*duty
	byJudge := map[int64]*duty{}
	for _, m := range st.Modules {
		if s.Module != "" && m.Code != s.Module {
			continue
		}
		for _, p := range st.Panels {
			if p.ModuleID != m.ID {
				continue
			}
			d := byJudge[p.JudgeID]
			if d == nil {
				d = &duty{j: judgeByID[p.JudgeID]}
				byJudge[p.JudgeID] = d
				duties = append(duties, d)
			}
			d.chief = d.chief || p.Chief
			role := t.Judge
			if p.Chief {
				role = t.Chief
			}
			d.mods = append(d.mods, m.Name+"（"+role+"）")
		}
	}
	if len(duties) == 0 {
		return SignedTable{}, skillscore.Errorf(skillscore.EConflict, "场次 %s 的模块还没有%s组：请先导入%s并分组", s.Code, t.Judge, t.Judge)
	}
	slices.SortStableFunc(duties, func(a, b *duty) int {
		if a.chief != b.chief {
			if a.chief {
				return -1
			}
			return 1
		}
		return strings.Compare(a.j.Code, b.j.Code)
	})
	tab := SignedTable{Title: st.Event.Name + " " + t.Judge + "签到表", Lines: []string{sessionLine(s)},
		Columns: []Column{{"序号", 8}, {"编号", 14}, {"姓名", 20}, {"单位", 44}, {"组别与职务", 44}, {"签到时间", 20}, {t.Judge + "签名", 34}, {"备注", 18}},
		Signers: []string{t.Chief, "监督"}, Footer: fmt.Sprintf("%s · 场次 %s %s签到表", st.Event.Code, s.Code, t.Judge), Printed: printed}
	for i, d := range duties {
		tab.Rows = append(tab.Rows, []string{fmt.Sprint(i + 1), d.j.Code, d.j.Name, d.j.Organization, strings.Join(d.mods, "、"), "", "", ""})
	}
	return tab, nil
}

// ContestantSignIn is a session's 签到表 for contestants, in 检录 order,
// with a box for the time and the contestant's own signature. It names
// the contestant beside the 参赛证号 and 赛位号, never the anonymous code.
func (st Staff) ContestantSignIn(session string, printed time.Time) (SignedTable, error) {
	t := scoring.TermsFor(st.Event.Kind)
	s, err := st.session(session)
	if err != nil {
		return SignedTable{}, err
	}
	if len(s.Rows) == 0 {
		return SignedTable{}, skillscore.Errorf(skillscore.EConflict, "场次 %s 还没有%s", s.Code, t.Contestant)
	}
	tab := SignedTable{Title: st.Event.Name + " " + t.Contestant + "签到表", Lines: []string{sessionLine(s)},
		Columns: []Column{{"序号", 8}, {t.CardNo, 16}, {"姓名", 20}, {"单位", 50}, {t.Station + "号", 12}, {"签到时间", 20}, {t.Contestant + "签名", 36}, {"备注", 20}},
		Signers: []string{t.CheckIn + "员", t.Chief}, Footer: fmt.Sprintf("%s · 场次 %s %s签到表", st.Event.Code, s.Code, t.Contestant), Printed: printed}
	for _, r := range s.Rows {
		remark := ""
		if r.Outcome == sessions.Absent || r.Outcome == sessions.IdentityMismatch {
			remark = sessions.OutcomeNames[r.Outcome]
		}
		tab.Rows = append(tab.Rows, []string{fmt.Sprint(r.Order), r.EntryNo, r.Name, r.Organization, r.Station, "", "", remark})
	}
	return tab, nil
}

// Duties is the 裁判分工表: every judged module's panel, the chief
// marked, each judge's stations (from the assignments) and sessions,
// how many sheets each judge has, and a column where each judge signs
// to accept their duty.
func (st Staff) Duties(printed time.Time) (SignedTable, error) {
	t := scoring.TermsFor(st.Event.Kind)
	judgeByID := map[int64]store.Judge{}
	for _, j := range st.Judges {
		judgeByID[j.ID] = j
	}
	seat := map[int64]string{}
	for _, c := range st.Contestants {
		if c.Station != nil {
			seat[c.ID] = *c.Station
		}
	}
	tab := SignedTable{Title: st.Event.Name + " " + t.Judge + "分工表",
		Columns: []Column{{"模块", 30}, {"编号", 14}, {"姓名", 20}, {"单位", 40}, {"职务", 18}, {t.Station + "与场次", 58}, {"评分份数", 18}, {"本人签名", 30}},
		Signers: []string{"编制人", t.Chief, "监督"}, Footer: fmt.Sprintf("%s · %s分工表", st.Event.Code, t.Judge), Printed: printed}
	judges := map[int64]bool{}
	for _, m := range st.Modules {
		if m.Imported {
			continue
		}
		var panel []store.PanelMember
		for _, p := range st.Panels {
			if p.ModuleID == m.ID {
				panel = append(panel, p)
			}
		}
		slices.SortStableFunc(panel, func(a, b store.PanelMember) int {
			if a.Chief != b.Chief {
				if a.Chief {
					return -1
				}
				return 1
			}
			return cmp.Compare(judgeByID[a.JudgeID].Code, judgeByID[b.JudgeID].Code)
		})
		var sess []string
		for _, s := range st.Schedule {
			if s.Module == m.Code {
				sess = append(sess, s.Code)
			}
		}
		hasAssignments := slices.ContainsFunc(st.Assignments, func(a store.Assignment) bool { return a.ModuleID == m.ID })
		for _, p := range panel {
			j := judgeByID[p.JudgeID]
			judges[j.ID] = true
			role := t.Judge
			if p.Chief {
				role = t.Chief
			}
			where := "全部" + t.Station
			count := ""
			if hasAssignments {
				var seats []string
				n := 0
				for _, a := range st.Assignments {
					if a.ModuleID == m.ID && a.JudgeID == j.ID {
						n++
						if s := seat[a.ContestantID]; s != "" {
							seats = append(seats, s)
						}
					}
				}
				where = t.Station + " " + stationRanges(seats)
				if len(seats) == 0 {
					where = "（" + t.Station + "未定）"
				}
				count = fmt.Sprint(n)
			}
			if len(sess) > 0 {
				where += "；场次 " + strings.Join(sess, "、")
			}
			tab.Rows = append(tab.Rows, []string{m.Code + " " + m.Name, j.Code, j.Name, j.Organization, role, where, count, ""})
		}
	}
	if len(tab.Rows) == 0 {
		return SignedTable{}, skillscore.Errorf(skillscore.EConflict, "还没有%s组：请先导入%s并分组", t.Judge, t.Judge)
	}
	tab.Lines = []string{fmt.Sprintf("%s：%s　共 %d 名%s　“%s”标明各组%s", t.Event, st.Event.Name, len(judges), t.Judge, t.Chief, t.Chief)}
	return tab, nil
}

// stationRanges writes stations compactly: numbers in runs ("01～05、07"),
// anything else as it is, in order.
func stationRanges(ss []string) string {
	ss = slices.Clone(ss)
	slices.SortFunc(ss, byEntryNo)
	ss = slices.Compact(ss)
	var out []string
	for i := 0; i < len(ss); {
		k := i
		a, err := strconv.Atoi(ss[i])
		for err == nil && k+1 < len(ss) {
			b, err2 := strconv.Atoi(ss[k+1])
			if err2 != nil || b != a+(k+1-i) {
				break
			}
			k++
		}
		if k > i+1 {
			out = append(out, ss[i]+"～"+ss[k])
		} else {
			out = append(out, ss[i:k+1]...)
		}
		i = k + 1
	}
	return strings.Join(out, "、")
}

// StaffReader reads what the 签到表 and 裁判分工表 are built from
// (*store.Store).
type StaffReader interface {
	Snapshot(ctx context.Context, eventID int64) (store.Snapshot, error)
	Schedule(ctx context.Context, eventID int64) ([]store.SessionState, error)
}

// LoadStaff reads an event's judges, panels and sessions.
func LoadStaff(ctx context.Context, r StaffReader, ev store.Event) (Staff, error) {
	snap, err := r.Snapshot(ctx, ev.ID)
	if err != nil {
		return Staff{}, err
	}
	staff := Staff{Event: ev, Modules: snap.Modules, Judges: snap.Judges, Panels: snap.Panels,
		Assignments: snap.Assignments, Contestants: snap.Contestants}
	if staff.Schedule, err = r.Schedule(ctx, ev.ID); err != nil {
		return Staff{}, err
	}
	return staff, nil
}
