// Package demo creates the demonstration event: 江西省养老护理员职业技能竞赛
// (省级二类) with fictitious contestants from the 11 设区市 of Jiangxi, nine
// judges, a rubric mixing every aspect kind, imported theory scores and part
// of the practical marks entered, so every page has something real to show.
// Everything it makes up is deterministic (a fixed seed), so two runs give the
// same event, and every person in it is invented.
package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"skillscore/examples"
	"skillscore/idnumber"
	"skillscore/judges"
	"skillscore/levels"
	"skillscore/scoring"
	"skillscore/store"
)

// EventCode is the demo event's code (its URL slug).
const EventCode = "jx-ylhly-2026"

// RulesFile is the example rule document the demo event uses.
const RulesFile = "jiangxi-yanglao-provincial.json"

// Store is what the demo needs from the database.
type Store interface {
	EventByCode(ctx context.Context, code string) (store.Event, error)
	CreateEvent(ctx context.Context, ne store.NewEvent, actor string) (store.Event, error)
	Modules(ctx context.Context, eventID int64) ([]store.Module, error)
	AddContestants(ctx context.Context, eventID int64, cs []store.Contestant, actor string) ([]store.Contestant, error)
	AddJudge(ctx context.Context, j store.Judge, panels []store.PanelMember, actor string) (store.Judge, error)
	ImportScores(ctx context.Context, eventID, moduleID int64, scores []store.ImportedScore, source, actor string) (int64, error)
	RecordMark(ctx context.Context, op store.MarkOp) (store.MarkAck, error)
	ApplyOps(ctx context.Context, ops []store.SheetOp) ([]store.OpResult, error)
	AddAssignments(ctx context.Context, eventID int64, as []store.Assignment, actor string) error
	// Sessions (场次) and 检录 (issue 14).
	SessionsStore
	SetContestantStatus(ctx context.Context, eventID, contestantID int64, status, reason, actor string) error
}

const actor = "demo"

// city is one 设区市 with the prefecture code its ID numbers start with.
type city struct {
	name   string
	region string // a district code under the prefecture
	orgs   []string
}

// The 11 设区市 of the seed's annex 2, in its order.
var cities = []city{
	{"南昌", "360102", []string{"南昌市颐康养老服务中心", "南昌红谷滩社区居家养老服务站"}},
	{"九江", "360402", []string{"九江市庐山区福寿康养院", "九江浔阳颐养之家"}},
	{"宜春", "360902", []string{"宜春市明月山康养中心", "宜春袁州区惠民养老院"}},
	{"上饶", "361102", []string{"上饶市信州区康宁护理院", "上饶婺源乡村养老服务中心"}},
	{"抚州", "361002", []string{"抚州市临川区夕阳红养护院", "抚州市社会福利中心"}},
	{"景德镇", "360202", []string{"景德镇市瓷都颐养院", "景德镇珠山区居家养老服务中心"}},
	{"萍乡", "360302", []string{"萍乡市安源区康乐养老院", "萍乡湘东颐和护理院"}},
	{"吉安", "360802", []string{"吉安市井冈山康养中心", "吉安市吉州区长青养老院"}},
	{"新余", "360502", []string{"新余市仙女湖颐养院", "新余渝水区康泰养老中心"}},
	{"鹰潭", "360602", []string{"鹰潭市月湖区安康养老院", "鹰潭龙虎山康养中心"}},
	{"赣州", "360702", []string{"赣州市章贡区福康养老院", "赣州市社会福利院"}},
}

// Schools for the 学生组 (invented names).
var schools = []string{"江西康养职业技术学校", "赣南卫生健康技工学校", "赣北健康职业学校", "赣中护理职业技术学校"}

var surnames = []rune("王李张刘陈杨黄赵吴周徐孙胡朱高林何郭罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕")

var givenNames = []string{"秀英", "桂兰", "玉梅", "淑珍", "丽华", "建华", "晓燕", "春梅", "海燕", "志强",
	"文静", "佳怡", "雨涵", "思琪", "子涵", "欣怡", "梓萱", "浩然", "宇轩", "俊杰", "红梅", "小芳", "金凤", "国庆",
	"美玲", "雪梅", "丽娟", "伟", "芳", "敏", "静", "磊"}

// Counts of the demo roster.
const (
	employees = 16
	students  = 12
)

// The demo's statuses, by roster position, chosen so that the demo's
// promotions stay as they were: a student with no award is 缺考 (the theory
// file says so and no judge scores them); an employee placed for an award competes
// but is 不参与评奖, so the 三等奖 its place holds passes to the next (递补).
const (
	Absent           = employees + 6
	Ineligible       = 2
	IneligibleReason = "上届一等奖获得者，按竞赛规程本届参赛但不参与评奖"
)

// Ensure returns the demo event, creating it first if the store lacks it.
func Ensure(ctx context.Context, st Store) (ev store.Event, created bool, err error) {
	ev, err = st.EventByCode(ctx, EventCode)
	if err == nil {
		return ev, false, nil
	}
	ev, err = Create(ctx, st)
	return ev, err == nil, err
}

// Create makes the demo event and its data.
func Create(ctx context.Context, st Store) (store.Event, error) {
	rules, raw, err := demoRules()
	if err != nil {
		return store.Event{}, err
	}
	rng := rand.New(rand.NewPCG(2026, 11))
	ne := newEvent(rules, raw)
	ev, err := st.CreateEvent(ctx, ne, actor)
	if err != nil {
		return store.Event{}, fmt.Errorf("demo event: %w", err)
	}
	mods, err := st.Modules(ctx, ev.ID)
	if err != nil {
		return store.Event{}, err
	}
	cs, err := st.AddContestants(ctx, ev.ID, roster(rng), actor)
	if err != nil {
		return store.Event{}, fmt.Errorf("demo roster: %w", err)
	}
	panels, err := addJudges(ctx, st, ev.ID, mods)
	if err != nil {
		return store.Event{}, err
	}
	if err := assign(ctx, st, ev.ID, panels, cs); err != nil {
		return store.Event{}, err
	}
	if err := importTheory(ctx, st, ev.ID, mods, cs, rng); err != nil {
		return store.Event{}, err
	}
	if err := enterMarks(ctx, st, "demo", ev.ID, rules, mods, panels, cs, rng); err != nil {
		return store.Event{}, err
	}
	// Sessions (场次) and 检录 (issue 14).
	if err := addSessions(ctx, st, ev, mods, cs); err != nil {
		return store.Event{}, err
	}
	if err := st.SetContestantStatus(ctx, ev.ID, cs[Ineligible].ID, scoring.StatusIneligible, IneligibleReason, actor); err != nil {
		return store.Event{}, fmt.Errorf("demo status: %w", err)
	}
	return st.EventByCode(ctx, EventCode)
}

// demoRules reads the demo's rule document, parsed and as written.
func demoRules() (*scoring.Rules, []byte, error) {
	raw, err := examples.Files.ReadFile(RulesFile)
	if err != nil {
		return nil, nil, fmt.Errorf("demo rules: %w", err)
	}
	rules, err := scoring.ParseRules(raw)
	if err != nil {
		return nil, nil, fmt.Errorf("demo rules: %w", err)
	}
	return rules, raw, nil
}

// Modules converts a rule document's modules to store rows.
func Modules(rules *scoring.Rules) []store.Module {
	var out []store.Module
	for _, m := range rules.Modules {
		sm := store.Module{Code: m.Code, Name: m.Name, Kind: m.Part, MaxMarks: int64(m.Max), Imported: m.Imported}
		if m.Weight != nil {
			sm.Weight = int64(*m.Weight)
		}
		for _, a := range m.Aspects {
			sm.Aspects = append(sm.Aspects, store.Aspect{Code: a.Code, Name: a.Name, Kind: string(a.Kind), MaxMarks: int64(a.Max)})
		}
		out = append(out, sm)
	}
	return out
}

func newEvent(rules *scoring.Rules, raw []byte) store.NewEvent {
	ne := store.NewEvent{
		Event: store.Event{
			Code:           EventCode,
			Name:           "2026年江西省养老护理员职业技能竞赛",
			Kind:           "competition",
			Occupation:     "养老护理员",
			OccupationCode: "4-10-01-05",
			Specialty:      "--",
			Tier:           "provincial",
			Class:          "two",
			Year:           2026,
			Venue:          "南昌 · 江西省康养职业技能实训基地（演示）",
			StartsOn:       "2026-12-05",
			Status:         "running",
			Rules:          string(raw),
		},
		Modules: Modules(rules),
	}
	for _, g := range rules.Groups {
		ne.Groups = append(ne.Groups, store.Group{Code: g.Code, Name: g.Name})
	}
	return ne
}

func roster(rng *rand.Rand) []store.Contestant {
	n := employees + students
	// The draw: a seeded permutation gives codes and stations that do not
	// follow the roster order, as a real 加密 draw would.
	perm := rng.Perm(n)
	used := map[string]bool{}
	var out []store.Contestant
	for i := 0; i < n; i++ {
		c := cities[i%len(cities)]
		group, org := "employee", c.orgs[rng.IntN(len(c.orgs))]
		birth := time.Date(1972+rng.IntN(26), time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC)
		level := []levels.Level{0, 5, 4, 4, 3}[rng.IntN(5)]
		if i >= employees {
			group, org = "student", schools[rng.IntN(len(schools))]
			birth = time.Date(2004+rng.IntN(4), time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC)
			level = []levels.Level{0, 5}[rng.IntN(2)]
		}
		// 养老护理员 competitors are mostly women; keep a few men.
		female := rng.IntN(10) < 8
		seq := 2*rng.IntN(400) + 100
		gender := "女"
		if !female {
			seq++
			gender = "男"
		}
		id, err := idnumber.Make(c.region, birth, seq)
		if err != nil {
			panic(err) // the inputs above are always in range
		}
		var name string
		for name == "" || used[name] {
			name = string(surnames[rng.IntN(len(surnames))]) + givenNames[rng.IntN(len(givenNames))]
		}
		used[name] = true
		code := fmt.Sprintf("Y%03d", 101+perm[i])
		station := fmt.Sprintf("%02d", 1+perm[i])
		out = append(out, store.Contestant{
			Name: name, Gender: gender, IDType: "居民身份证", IDNumber: id, Organization: org, City: c.name,
			GroupCode: group, Level: level, Code: &code, Station: &station,
			CompletionMillis: int64(20*60_000 + rng.IntN(10*60_000)),
		})
	}
	return out
}

// judgeNames are invented; three per practical module, the first its 裁判长.
var judgeNames = []string{"周慧敏", "欧阳立群", "熊国平", "万丽萍", "黎志刚", "邹海燕", "胡春华", "钟玉兰", "赖建新"}
var judgeCities = []string{"南昌", "九江", "赣州", "上饶", "宜春", "吉安", "抚州", "景德镇", "萍乡"}

// panel is a practical module with its judges' codes and ids.
type panel struct {
	module store.Module
	judges []store.Judge
}

func addJudges(ctx context.Context, st Store, eventID int64, mods []store.Module) ([]panel, error) {
	var out []panel
	k := 0
	for _, m := range mods {
		if m.Imported {
			continue
		}
		p := panel{module: m}
		for j := 0; j < 3 && k < len(judgeNames); j++ {
			jd, err := st.AddJudge(ctx, store.Judge{
				EventID: eventID, Code: fmt.Sprintf("J%02d", k+1), Name: judgeNames[k],
				Organization: judgeCities[k] + "市养老服务指导中心", City: judgeCities[k],
			}, []store.PanelMember{{ModuleID: m.ID, Chief: j == 0}}, actor)
			if err != nil {
				return nil, fmt.Errorf("demo judge: %w", err)
			}
			p.judges = append(p.judges, jd)
			k++
		}
		out = append(out, p)
	}
	return out, nil
}

// assign gives each panel judge every contestant they have no conflict with
// (回避: the same 设区市 or 单位), so a judge never sees a contestant from home.
func assign(ctx context.Context, st Store, eventID int64, panels []panel, cs []store.Contestant) error {
	var as []store.Assignment
	for _, p := range panels {
		for _, j := range p.judges {
			for _, c := range cs {
				if judges.ConflictReason(j, c, "") == "" {
					as = append(as, store.Assignment{ModuleID: p.module.ID, JudgeID: j.ID, ContestantID: c.ID})
				}
			}
		}
	}
	if err := st.AddAssignments(ctx, eventID, as, actor); err != nil {
		return fmt.Errorf("demo assignments: %w", err)
	}
	return nil
}

func importTheory(ctx context.Context, st Store, eventID int64, mods []store.Module, cs []store.Contestant, rng *rand.Rand) error {
	for _, m := range mods {
		if !m.Imported {
			continue
		}
		var scores []store.ImportedScore
		for ci, c := range cs {
			// 58.0–97.5 in half points, as a computer-based test reports them.
			v := int64(116+rng.IntN(80)) * int64(scoring.DecimalScale) / 2
			if ci == Absent {
				// The row says 缺考, which makes the contestant 缺考.
				scores = append(scores, store.ImportedScore{ContestantID: c.ID, Absent: true})
				continue
			}
			scores = append(scores, store.ImportedScore{ContestantID: c.ID, Value: v})
		}
		if _, err := st.ImportScores(ctx, eventID, m.ID, scores, "理论考试成绩（演示）.xlsx", actor); err != nil {
			return fmt.Errorf("demo theory scores: %w", err)
		}
	}
	return nil
}

// enterMarks scores the first practical module for everyone, the second for
// half the roster and the third for a few, so the board shows an event in
// progress; one contestant triggers the veto item. Every judge but the
// first submits the sheets: the public board counts submitted sheets only,
// so J01's stay drafts (草稿), shown on the chief judge's view, and J01,
// whose tablet login the demo prints, still has sheets to finish.
func enterMarks(ctx context.Context, st Store, prefix string, eventID int64, rules *scoring.Rules, mods []store.Module,
	panels []panel, cs []store.Contestant, rng *rand.Rand) error {
	ruleMods := map[string]scoring.Module{}
	for _, m := range rules.Modules {
		ruleMods[m.Code] = m
	}
	skill := make([]int, len(cs)) // 0..2: how well each contestant performs
	for i := range skill {
		skill[i] = rng.IntN(3)
	}
	op := 0
	var submits []store.SheetOp
	for pi, p := range panels {
		scored := len(cs)
		switch pi {
		case 1:
			scored = len(cs) / 2
		case 2:
			scored = 5
		}
		rm := ruleMods[p.module.Code]
		for ci := 0; ci < scored; ci++ {
			for ji, j := range p.judges {
				if judges.ConflictReason(j, cs[ci], "") != "" {
					continue // recused
				}
				for ai, a := range rm.Aspects {
					v := markValue(a, skill[ci], rng)
					if a.Kind == scoring.Veto && pi == 1 && ci == 3 {
						v = scoring.Points(1)
					}
					if err := a.CheckValue(v); err != nil {
						return fmt.Errorf("demo mark %s/%s: %w", p.module.Code, a.Code, err)
					}
					if ci == Absent {
						continue // drawn all the same, so everyone else's marks stay as they were
					}
					op++
					if _, err := st.RecordMark(ctx, store.MarkOp{
						OpID:    fmt.Sprintf("%s-%05d", prefix, op),
						EventID: eventID, ModuleID: p.module.ID, ContestantID: cs[ci].ID, JudgeID: j.ID,
						AspectID: p.module.Aspects[ai].ID, Value: int64(v), Actor: j.Code,
					}); err != nil {
						return fmt.Errorf("demo mark: %w", err)
					}
				}
				if pi == 0 && ji == 0 || ci == Absent {
					continue // J01's sheets stay drafts; the absent contestant has none
				}
				submits = append(submits, store.SheetOp{OpID: fmt.Sprintf("%s-submit-%05d", prefix, len(submits)), Kind: store.OpSubmit,
					EventID: eventID, ModuleID: p.module.ID, ContestantID: cs[ci].ID, JudgeID: j.ID, Actor: j.Code})
			}
		}
	}
	res, err := st.ApplyOps(ctx, submits)
	if err != nil {
		return fmt.Errorf("demo submit: %w", err)
	}
	for _, r := range res {
		if r.Err != nil {
			return fmt.Errorf("demo submit: %w", r.Err)
		}
	}
	return nil
}

// wholeUnits is d rounded up (or down) to a whole number.
func wholeUnits(d scoring.Decimal, up bool) int64 {
	n := int64(d) / scoring.DecimalScale
	if up && int64(d) > n*scoring.DecimalScale {
		n++
	}
	if !up && int64(d) < n*scoring.DecimalScale {
		n--
	}
	return n
}

// bestBand is the bounded band worth the most marks: [from, to).
func bestBand(bands []scoring.Band) (from, to scoring.Decimal, ok bool) {
	var top scoring.Decimal
	for _, b := range bands {
		if b.From != nil && b.To != nil && (!ok || b.Marks > top) {
			from, to, top, ok = *b.From, *b.To, b.Marks, true
		}
	}
	return from, to, ok
}

// markValue invents one judge's plausible mark for an aspect.
func markValue(a scoring.Aspect, skill int, rng *rand.Rand) scoring.Decimal {
	switch a.Kind {
	case scoring.Judgement:
		top := a.Scale
		if top == 0 {
			top = 3
		}
		v := min(top, max(0, skill+1+rng.IntN(3)-1))
		return scoring.Points(int64(v))
	case scoring.Measurement:
		if m := a.Measure; m != nil && m.Min != nil && m.Max != nil {
			// A judge reads a protractor or a scale to whole units, and the
			// better contestants land in the best band more often.
			lo, hi := wholeUnits(*m.Min, true), wholeUnits(*m.Max, false)
			if from, to, ok := bestBand(m.Bands); ok && rng.IntN(10) < 6+skill {
				lo, hi = max(lo, wholeUnits(from, true)), min(hi, wholeUnits(to, true)-1)
			}
			return scoring.Points(lo + rng.Int64N(hi-lo+1))
		}
		if rng.IntN(10) < 8+skill/2 {
			return scoring.Points(1)
		}
		return 0
	case scoring.Deduction:
		if rng.IntN(4) != 0 {
			return 0
		}
		if a.Unit != nil && *a.Unit > 0 {
			return scoring.Points(1)
		}
		return min(a.Max, scoring.Points(1))
	}
	return 0
}
