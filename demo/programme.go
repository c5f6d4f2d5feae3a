package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"skillscore/scoring"
	"skillscore/store"
)

// ProgrammeCode is the demo programme's code (its URL slug).
const ProgrammeCode = "jx-zyjn-2026-ky"

// ProgrammeElderCode is the programme's individual event (养老护理员:
// results final, one 缺考 and one 不参与评奖). The team event (TeamsCode,
// 公示中) and the two-round event (RoundsCode, 决赛 under way) are its other
// two 赛项.
const ProgrammeElderCode = "jx-zyjn-2026-ylhly"

// ProgrammeStore is what building the demo programme needs.
type ProgrammeStore interface {
	FinishedStore
	TeamsStore
	RoundsStore
	AddEventToProgramme(ctx context.Context, programmeID, eventID int64, actor string) error
	SetContestantDelegation(ctx context.Context, eventID, contestantID int64, delegationID *int64, actor string) error
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
// and three events: an individual one final, the team event published and
// the two-round event in progress, so the delegation table has data from
// individual and team entries and the overview shows every status.
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
	if err := programmeTeams(ctx, st, clock, p, pr.ID, ids); err != nil {
		return store.Programme{}, err
	}
	if err := programmeRounds(ctx, st, clock, p, pr.ID, ids); err != nil {
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
		people[i].DelegationID = delegationOf(ids, people[i].City)
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
// The theory file makes the contestant at roster position Absent 缺考 (as
// in the demo's other events); the chief marks one more 不参与评奖 before
// the results are published, so the place passes to the next.
func programmeElderCare(ctx context.Context, st ProgrammeStore, clock *Clock, p People, programmeID int64, ids map[string]int64) error {
	clock.Set(FinishedAt(12, 9))
	ev, panels, cs, rng, err := programmeEvent(ctx, st, p, programmeID, ids, ProgrammeElderCode,
		"养老护理员（大赛赛项）", "养老护理员", "L", 21)
	if err != nil {
		return err
	}
	clock.Set(FinishedAt(18, 10))
	if err := st.SetContestantStatus(ctx, ev.ID, cs[Ineligible].ID, scoring.StatusIneligible, ProgrammeIneligibleReason, p.Chief); err != nil {
		return fmt.Errorf("demo status %s: %w", ev.Code, err)
	}
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

// ProgrammeIneligibleReason is why the programme event's 不参与评奖
// contestant takes no award.
const ProgrammeIneligibleReason = "省级技术能手已获者，按大赛规程参赛但不参与评奖"

// delegationOf is the delegation of a contestant from city: that city's,
// else the industry delegation.
func delegationOf(ids map[string]int64, city string) *int64 {
	d, ok := delegationOfCity[city]
	if !ok {
		d = "mz"
	}
	id := ids[d]
	return &id
}

// joinProgramme adds an event made on its own to the programme and puts
// each of its contestants in the delegation delegation returns, as an
// organizer does after the fact.
func joinProgramme(ctx context.Context, st ProgrammeStore, p People, programmeID, eventID int64,
	delegation func(store.Contestant) *int64) error {
	if err := st.AddEventToProgramme(ctx, programmeID, eventID, p.Organizer); err != nil {
		return fmt.Errorf("demo programme event: %w", err)
	}
	cs, err := st.Contestants(ctx, eventID)
	if err != nil {
		return err
	}
	for _, c := range cs {
		if err := st.SetContestantDelegation(ctx, eventID, c.ID, delegation(c), p.Organizer); err != nil {
			return fmt.Errorf("demo delegation %s: %w", c.Name, err)
		}
	}
	return nil
}

// programmeTeams: the team event joins the programme, each team (and its
// members) in the delegation of the city its name starts with; scored,
// decrypted and published with a period that runs until a year after the
// demo is built, so it stays 公示中 and its awards count in the table.
func programmeTeams(ctx context.Context, st ProgrammeStore, clock *Clock, p People, programmeID int64, ids map[string]int64) error {
	clock.Set(FinishedAt(12, 10))
	ev, err := CreateTeams(ctx, st)
	if err != nil {
		return err
	}
	cs, err := st.Contestants(ctx, ev.ID)
	if err != nil {
		return err
	}
	team := map[int64]*int64{}
	for _, c := range cs {
		if c.Kind == store.KindTeam {
			team[c.ID] = delegationOf(ids, string([]rune(c.Name)[:2]))
		}
	}
	err = joinProgramme(ctx, st, p, programmeID, ev.ID, func(c store.Contestant) *int64 {
		if c.Kind == store.KindMember {
			return team[*c.TeamID]
		}
		return team[c.ID]
	})
	if err != nil {
		return err
	}
	mods, err := st.Modules(ctx, ev.ID)
	if err != nil {
		return err
	}
	panels := make([]panel, len(mods))
	for i, m := range mods {
		panels[i].module = m
	}
	clock.Set(FinishedAt(19, 11))
	if err := lockAndSignOff(ctx, st, ev.ID, panels, p); err != nil {
		return err
	}
	if _, err := st.Decrypt(ctx, ev.ID, p.Organizer); err != nil {
		return fmt.Errorf("demo decrypt %s: %w", ev.Code, err)
	}
	start := FinishedAt(20, 11)
	clock.Set(start)
	if _, err := st.PublishResults(ctx, ev.ID, start, time.Now().AddDate(1, 0, 0), p.Organizer); err != nil {
		return fmt.Errorf("demo publish %s: %w", ev.Code, err)
	}
	return nil
}

// programmeRounds: the two-round event joins the programme, each
// contestant in the delegation of their city; its 决赛 is under way, so it
// is out of the table until its results are published.
func programmeRounds(ctx context.Context, st ProgrammeStore, clock *Clock, p People, programmeID int64, ids map[string]int64) error {
	clock.Set(FinishedAt(12, 11))
	ev, err := CreateRounds(ctx, st, RoundsCode, p.Chief, true)
	if err != nil {
		return err
	}
	return joinProgramme(ctx, st, p, programmeID, ev.ID, func(c store.Contestant) *int64 { return delegationOf(ids, c.City) })
}
