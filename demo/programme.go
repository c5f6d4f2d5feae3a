package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"skillscore/store"
)

// ProgrammeCode is the demo programme's code (its URL slug).
const ProgrammeCode = "jx-zyjn-2026-ky"

// The demo programme's events, one function each (later parts turn one into
// a team event and one into a two-round event).
const (
	ProgrammeElderCode  = "jx-zyjn-2026-ylhly" // 养老护理员: results final
	ProgrammeHealthCode = "jx-zyjn-2026-jkzhs" // 健康照护师: results published (公示)
	ProgrammeInfantCode = "jx-zyjn-2026-yyy"   // 育婴员: marks coming in, sealed
)

// ProgrammeStore is what building the demo programme needs.
type ProgrammeStore interface {
	FinishedStore
	ProgrammeByCode(ctx context.Context, code string) (store.Programme, error)
	CreateProgramme(ctx context.Context, p store.Programme, actor string) (store.Programme, error)
	CreateEventInProgramme(ctx context.Context, programmeID int64, ne store.NewEvent, actor string) (store.Event, error)
	ImportDelegations(ctx context.Context, programmeID int64, ds []store.Delegation, rows []int, actor string) (int, int, error)
	Delegations(ctx context.Context, programmeID int64) ([]store.Delegation, error)
}

// programmeRules: the default award bands, sorted by medals, with a 团体奖
// by points per place (best 3 per 赛项).
const programmeRules = `{
  "bands": [
    {"code": "first", "name": "一等奖", "awards": ["first", "gold"]},
    {"code": "second", "name": "二等奖", "awards": ["second", "silver"]},
    {"code": "third", "name": "三等奖", "awards": ["third", "bronze"]}
  ],
  "order": "medals",
  "team_award": {
    "by": "place",
    "points": {"1": 15, "2": 12, "3": 10, "4": 8, "5": 6, "6": 4, "7": 3, "8": 2, "9": 1},
    "best": 3,
    "ties": "medals",
    "prizes": [{"name": "团体一等奖", "count": 1}, {"name": "团体二等奖", "count": 2}]
  }
}`

// The five delegations: four 设区市 and one industry delegation that takes
// the contestants of the other cities.
var programmeDelegations = []store.Delegation{
	{Code: "nc", Name: "南昌市代表队", Kind: "city"},
	{Code: "jj", Name: "九江市代表队", Kind: "city"},
	{Code: "gz", Name: "赣州市代表队", Kind: "city"},
	{Code: "sr", Name: "上饶市代表队", Kind: "city"},
	{Code: "mz", Name: "省民政系统代表队", Kind: "industry"},
}

var delegationOfCity = map[string]string{"南昌": "nc", "九江": "jj", "赣州": "gz", "上饶": "sr"}

// EnsureProgramme makes the demo programme unless the store holds it. The
// store must have been opened with clock; the clock is left at the real time.
func EnsureProgramme(ctx context.Context, st ProgrammeStore, clock *Clock, p People) (store.Programme, bool, error) {
	if pr, err := st.ProgrammeByCode(ctx, ProgrammeCode); err == nil {
		return pr, false, nil
	}
	pr, err := CreateProgramme(ctx, st, clock, p)
	if err != nil {
		return store.Programme{}, false, fmt.Errorf("demo programme: %w", err)
	}
	return pr, true, nil
}

// CreateProgramme makes 江西省第二届职业技能大赛（康养赛区）: five delegations
// and three events, one final, one published, one in progress, so the
// delegation table has data and the overview shows every status.
func CreateProgramme(ctx context.Context, st ProgrammeStore, clock *Clock, p People) (store.Programme, error) {
	clock.Set(FinishedAt(10, 9))
	pr, err := st.CreateProgramme(ctx, store.Programme{Code: ProgrammeCode, Name: "江西省第二届职业技能大赛（康养赛区）",
		Year: 2026, Rules: programmeRules}, p.Organizer)
	if err != nil {
		return store.Programme{}, err
	}
	if _, _, err := st.ImportDelegations(ctx, pr.ID, programmeDelegations, nil, p.Organizer); err != nil {
		return store.Programme{}, err
	}
	dels, err := st.Delegations(ctx, pr.ID)
	if err != nil {
		return store.Programme{}, err
	}
	ids := map[string]int64{}
	for _, d := range dels {
		ids[d.Code] = d.ID
	}
	if err := programmeElderCare(ctx, st, clock, p, pr.ID, ids); err != nil {
		return store.Programme{}, err
	}
	if err := programmeHealthCare(ctx, st, clock, p, pr.ID, ids); err != nil {
		return store.Programme{}, err
	}
	if err := programmeInfantCare(ctx, st, clock, p, pr.ID, ids); err != nil {
		return store.Programme{}, err
	}
	clock.Set(time.Time{})
	return pr, nil
}

// programmeEvent creates one of the programme's events with its roster
// (each contestant in the delegation of their city, else the industry
// delegation), judges, assignments and theory scores.
func programmeEvent(ctx context.Context, st ProgrammeStore, p People, programmeID int64, ids map[string]int64,
	code, name, occupation, letter string, seed uint64) (store.Event, []panel, []store.Contestant, *rand.Rand, error) {
	rules, raw, err := demoRules()
	if err != nil {
		return store.Event{}, nil, nil, nil, err
	}
	rng := rand.New(rand.NewPCG(2026, seed))
	ne := newEvent(rules, raw)
	ne.Event.Code, ne.Event.Name, ne.Event.Occupation = code, name, occupation
	ne.Event.Venue, ne.Event.StartsOn = "南昌 · 江西省康养职业技能实训基地（演示）", "2026-04-18"
	ev, err := st.CreateEventInProgramme(ctx, programmeID, ne, p.Organizer)
	if err != nil {
		return store.Event{}, nil, nil, nil, fmt.Errorf("demo event %s: %w", code, err)
	}
	mods, err := st.Modules(ctx, ev.ID)
	if err != nil {
		return store.Event{}, nil, nil, nil, err
	}
	people := roster(rng)
	for i := range people {
		d, ok := delegationOfCity[people[i].City]
		if !ok {
			d = "mz"
		}
		id := ids[d]
		people[i].DelegationID = &id
		// A letter per event tells the events' contestant codes apart.
		c := letter + (*people[i].Code)[1:]
		people[i].Code = &c
	}
	cs, err := st.AddContestants(ctx, ev.ID, people, p.Organizer)
	if err != nil {
		return store.Event{}, nil, nil, nil, fmt.Errorf("demo roster %s: %w", code, err)
	}
	panels, err := addJudges(ctx, st, ev.ID, mods)
	if err != nil {
		return store.Event{}, nil, nil, nil, err
	}
	if err := assign(ctx, st, ev.ID, panels, cs); err != nil {
		return store.Event{}, nil, nil, nil, err
	}
	if err := importTheory(ctx, st, ev.ID, mods, cs, rng); err != nil {
		return store.Event{}, nil, nil, nil, err
	}
	return ev, panels, cs, rng, nil
}

// scoreAndDecrypt marks every sheet, locks and signs off, and decrypts.
func scoreAndDecrypt(ctx context.Context, st ProgrammeStore, p People, prefix string, ev store.Event, panels []panel,
	cs []store.Contestant, rng *rand.Rand) error {
	rules, _, err := demoRules()
	if err != nil {
		return err
	}
	if err := markAll(ctx, st, prefix, ev.ID, rules, panels, cs, rng); err != nil {
		return err
	}
	if err := lockAndSignOff(ctx, st, ev.ID, panels, p); err != nil {
		return err
	}
	if _, err := st.Decrypt(ctx, ev.ID, p.Organizer); err != nil {
		return fmt.Errorf("demo decrypt %s: %w", ev.Code, err)
	}
	return nil
}

// programmeElderCare: 养老护理员, held on 18 April, published and final.
func programmeElderCare(ctx context.Context, st ProgrammeStore, clock *Clock, p People, programmeID int64, ids map[string]int64) error {
	clock.Set(FinishedAt(12, 9))
	ev, panels, cs, rng, err := programmeEvent(ctx, st, p, programmeID, ids, ProgrammeElderCode,
		"养老护理员（大赛赛项）", "养老护理员", "L", 21)
	if err != nil {
		return err
	}
	clock.Set(FinishedAt(18, 10))
	if err := scoreAndDecrypt(ctx, st, p, "prog-yl", ev, panels, cs, rng); err != nil {
		return err
	}
	clock.Set(publishStart)
	if _, err := st.PublishResults(ctx, ev.ID, publishStart, publishEnd, p.Organizer); err != nil {
		return fmt.Errorf("demo publish %s: %w", ev.Code, err)
	}
	clock.Set(FinishedAt(25, 10))
	if err := st.Finalize(ctx, ev.ID, p.Organizer); err != nil {
		return fmt.Errorf("demo final %s: %w", ev.Code, err)
	}
	return nil
}

// programmeHealthCare: 健康照护师, scored and published; its publication
// period runs until a year after the demo is built, so it stays 公示中.
func programmeHealthCare(ctx context.Context, st ProgrammeStore, clock *Clock, p People, programmeID int64, ids map[string]int64) error {
	clock.Set(FinishedAt(12, 10))
	ev, panels, cs, rng, err := programmeEvent(ctx, st, p, programmeID, ids, ProgrammeHealthCode,
		"健康照护师（大赛赛项）", "健康照护师", "H", 22)
	if err != nil {
		return err
	}
	clock.Set(FinishedAt(19, 10))
	if err := scoreAndDecrypt(ctx, st, p, "prog-jk", ev, panels, cs, rng); err != nil {
		return err
	}
	start := FinishedAt(20, 10)
	clock.Set(start)
	if _, err := st.PublishResults(ctx, ev.ID, start, time.Now().AddDate(1, 0, 0), p.Organizer); err != nil {
		return fmt.Errorf("demo publish %s: %w", ev.Code, err)
	}
	return nil
}

// programmeInfantCare: 育婴员, marks coming in: its results stay sealed and
// out of the delegation table.
func programmeInfantCare(ctx context.Context, st ProgrammeStore, clock *Clock, p People, programmeID int64, ids map[string]int64) error {
	clock.Set(FinishedAt(12, 11))
	ev, panels, cs, rng, err := programmeEvent(ctx, st, p, programmeID, ids, ProgrammeInfantCode,
		"育婴员（大赛赛项）", "育婴员", "B", 23)
	if err != nil {
		return err
	}
	rules, _, err := demoRules()
	if err != nil {
		return err
	}
	mods, err := st.Modules(ctx, ev.ID)
	if err != nil {
		return err
	}
	clock.Set(time.Time{})
	return enterMarks(ctx, st, "prog-yy", ev.ID, rules, mods, panels, cs, rng)
}
