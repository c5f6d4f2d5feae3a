package testenv

import (
	"context"
	"fmt"
	"testing"
	"time"

	"skillscore/examples"
	"skillscore/idnumber"
	"skillscore/scoring"
	"skillscore/sessions"
	"skillscore/store"
)

// SupervisedBatch is an assessment batch under way, for the 督导 tests.
type SupervisedBatch struct {
	Event      store.Event
	Candidates []store.Contestant // 24, with their 证件号码
	EntryNo    map[int64]string   // 准考证号 by contestant id
}

// supervisedNames are invented.
var supervisedNames = []string{"刘秀兰", "陈桂芳", "黄丽华", "吴春梅", "张玉珍", "李冬梅", "王淑英", "杨海燕", "赵小红", "周美玲", "徐红霞", "孙静",
	"胡晓燕", "朱丽娟", "高秀英", "林玉兰", "何春华", "郭慧", "马玉梅", "罗桂英", "梁小燕", "宋丽萍", "郑秋菊", "谢金凤"}

// Supervised adds to st the batch 2026-KY-07 (养老护理员 二级/技师, the rules
// of examples/assessment-yanglao-technician.json): exam rooms K01 and K02
// of twelve seats; 24 candidates with 准考证号; in each room a theory
// sitting (L01, L02, 08:00–09:30, sign-in closed: one 缺考 in L01) and a
// skills sitting (P01, P02, 10:00–11:30) with three 考评员 each (J01–J03
// in K01, J04–J06 in K02). P01 is under way: nine signed in, one held as
// 人证不符, two not yet, and J01 has submitted three sheets, J02 one. P02 has
// not begun.
func Supervised(tb testing.TB, st *store.Store) SupervisedBatch {
	tb.Helper()
	ctx := context.Background()
	raw, err := examples.Files.ReadFile("assessment-yanglao-technician.json")
	if err != nil {
		tb.Fatal(err)
	}
	rules, err := scoring.ParseRules(raw)
	if err != nil {
		tb.Fatal(err)
	}
	var mods []store.Module
	for _, m := range rules.Modules {
		sm := store.Module{Code: m.Code, Name: m.Name, Kind: m.Part, MaxMarks: int64(m.Max), Imported: m.Imported}
		if m.Weight != nil {
			sm.Weight = int64(*m.Weight)
		}
		for _, a := range m.Aspects {
			sm.Aspects = append(sm.Aspects, store.Aspect{Code: a.Code, Name: a.Name, Kind: string(a.Kind), MaxMarks: int64(a.Max)})
		}
		mods = append(mods, sm)
	}
	ev, err := st.CreateEvent(ctx, store.NewEvent{Event: store.Event{Code: "jx-rd-2026-07", Name: "2026年第7批养老护理员职业技能等级认定",
		Kind: "assessment", Occupation: "养老护理员", OccupationCode: "4-10-01-05", Specialty: "--", Level: 2, Year: 2026,
		Venue: "江西卫生职业学院", StartsOn: "2026-07-10", Status: "running", Rules: string(raw)},
		Groups: []store.Group{{Code: "all", Name: "考生"}}, Modules: mods}, "testenv")
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := st.SaveBatch(ctx, store.Batch{EventID: ev.ID, BatchNo: "2026-KY-07", PublicityDays: 5, RetakeMonths: 12}, "testenv"); err != nil {
		tb.Fatal(err)
	}
	if err := st.SetExamRooms(ctx, ev.ID, []store.ExamRoom{{Code: "K01", Site: "江西卫生职业学院", Name: "第一考场（实训楼 301）", Seats: 12},
		{Code: "K02", Site: "江西卫生职业学院", Name: "第二考场（实训楼 302）", Seats: 12}}, "testenv"); err != nil {
		tb.Fatal(err)
	}
	var add []store.Contestant
	for i, name := range supervisedNames {
		id, err := idnumber.Make("360102", time.Date(1980+i%15, time.Month(1+i%12), 1+i, 0, 0, 0, 0, time.UTC), 200+2*i)
		if err != nil {
			tb.Fatal(err)
		}
		add = append(add, store.Contestant{Name: name, Gender: "女", IDType: "居民身份证", IDNumber: id, Organization: "南昌市第一社会福利院",
			City: "南昌", GroupCode: "all", Level: 3})
	}
	cs, err := st.AddContestants(ctx, ev.ID, add, "testenv")
	if err != nil {
		tb.Fatal(err)
	}
	for i := range cs {
		cs[i].IDNumber = add[i].IDNumber
	}
	if _, err := st.AssignEntryNumbers(ctx, ev.ID, "testenv"); err != nil {
		tb.Fatal(err)
	}
	people, err := st.SchedulePeople(ctx, ev.ID)
	if err != nil {
		tb.Fatal(err)
	}
	entryNo := map[int64]string{}
	for _, p := range people {
		entryNo[p.ContestantID] = p.EntryNo
	}
	stored, err := st.Modules(ctx, ev.ID)
	if err != nil {
		tb.Fatal(err)
	}
	var skill store.Module
	for _, m := range stored {
		if m.Code == "skill" {
			skill = m
		}
	}
	names := []string{"周慧敏", "欧阳立群", "熊国平", "万丽萍", "黎志刚", "邹海燕"}
	var judges []store.Judge
	for i, n := range names {
		j, err := st.AddJudge(ctx, store.Judge{EventID: ev.ID, Code: fmt.Sprintf("J%02d", i+1), Name: n, Organization: "九江市养老服务指导中心", City: "九江"},
			[]store.PanelMember{{ModuleID: skill.ID, Chief: i == 0}}, "testenv")
		if err != nil {
			tb.Fatal(err)
		}
		judges = append(judges, j)
	}
	var as []store.Assignment
	for i, c := range cs {
		for _, j := range judges[i/12*3 : i/12*3+3] {
			as = append(as, store.Assignment{ModuleID: skill.ID, JudgeID: j.ID, ContestantID: c.ID})
		}
	}
	if err := st.AddAssignments(ctx, ev.ID, as, "testenv"); err != nil {
		tb.Fatal(err)
	}
	seats := make([]string, 12)
	for i := range seats {
		seats[i] = fmt.Sprintf("%02d", i+1)
	}
	sitting := func(code, name, room, module, starts, ends string, from int) sessions.Session {
		s := sessions.Session{Code: code, Name: name, Venue: room, Module: module, Stations: seats, Day: "2026-07-10", Starts: starts, Ends: ends}
		for i := 0; i < 12; i++ {
			s.Entries = append(s.Entries, sessions.Entry{ContestantID: cs[from+i].ID, Station: seats[i], Order: i + 1})
		}
		return s
	}
	if err := st.SaveSchedule(ctx, ev.ID, []sessions.Session{
		sitting("L01", "理论知识考试（机考）", "K01", "theory", "08:00", "09:30", 0),
		sitting("L02", "理论知识考试（机考）", "K02", "theory", "08:00", "09:30", 12),
		sitting("P01", "操作技能考核 第1场", "K01", "skill", "10:00", "11:30", 0),
		sitting("P02", "操作技能考核 第1场", "K02", "skill", "10:00", "11:30", 12),
	}, "testenv"); err != nil {
		tb.Fatal(err)
	}
	checkIn := func(session string, c store.Contestant, digits string) {
		tb.Helper()
		if _, err := st.CheckIn(ctx, store.CheckinRequest{EventID: ev.ID, Session: session, EntryNo: entryNo[c.ID], Digits: digits, Actor: "keeper1"}); err != nil {
			tb.Fatal(err)
		}
	}
	last4 := func(c store.Contestant) string { return c.IDNumber[len(c.IDNumber)-4:] }
	for i, c := range cs {
		if i == 7 {
			continue // 缺考 in L01
		}
		checkIn(map[bool]string{true: "L01", false: "L02"}[i < 12], c, last4(c))
	}
	for _, s := range []string{"L01", "L02"} {
		if _, err := st.CloseSession(ctx, ev.ID, s, "chief"); err != nil {
			tb.Fatal(err)
		}
	}
	for i, c := range cs[:10] {
		digits := last4(c)
		if i == 9 {
			digits = "0000"
			if digits == last4(c) {
				digits = "1111"
			}
		}
		checkIn("P01", c, digits)
	}
	var ops []store.SheetOp
	sheet := func(j store.Judge, c store.Contestant) {
		for _, a := range skill.Aspects {
			ops = append(ops, store.SheetOp{OpID: fmt.Sprintf("sv-%d", len(ops)), Kind: store.OpMark, EventID: ev.ID, ModuleID: skill.ID,
				ContestantID: c.ID, JudgeID: j.ID, AspectID: a.ID, Value: 10000, Actor: "judge:" + j.Code, Subject: entryNo[c.ID]})
		}
		ops = append(ops, store.SheetOp{OpID: fmt.Sprintf("sv-%d", len(ops)), Kind: store.OpSubmit, EventID: ev.ID, ModuleID: skill.ID,
			ContestantID: c.ID, JudgeID: j.ID, Actor: "judge:" + j.Code, Subject: entryNo[c.ID]})
	}
	for _, c := range cs[:3] {
		sheet(judges[0], c)
	}
	sheet(judges[1], cs[0])
	res, err := st.ApplyOps(ctx, ops)
	if err != nil {
		tb.Fatal(err)
	}
	for _, r := range res {
		if r.Err != nil {
			tb.Fatal(r.Err)
		}
	}
	return SupervisedBatch{Event: ev, Candidates: cs, EntryNo: entryNo}
}
