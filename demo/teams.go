package demo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"

	"skillscore/judges"
	"skillscore/scoring"
	"skillscore/store"
)

// TeamsCode is the demo team event's code: 健康照护 for teams of two, every
// sheet marked and submitted, so its results, awards and each member's
// certificates and promotion are there to see.
const TeamsCode = "jx-jkzh-2026-team"

// TeamsStore is what building the team event needs.
type TeamsStore interface {
	Store
	ImportTeams(ctx context.Context, imp store.RosterImport, teams []store.Team, progress func(stored int)) (store.RosterImport, error)
	Draw(ctx context.Context, eventID int64, layer int, seed, actor string) (store.DrawRecord, error)
	Contestants(ctx context.Context, eventID int64) ([]store.Contestant, error)
}

// teamNames name the demo's six teams (invented).
var teamNames = []string{"南昌康养一队", "九江康养队", "赣州照护队", "上饶照护队", "宜春康养队", "吉安照护队"}

// CreateTeams makes the team event (the demo programme's team 赛项, and on
// its own a fixture of tests): the demo rules with teams of two, six
// teams of the 职工组 imported as a roster sheet would be (members with
// their own levels), a draw of the teams' codes, theory scores and every
// practical sheet marked and submitted.
func CreateTeams(ctx context.Context, st TeamsStore) (store.Event, error) {
	rules, _, err := demoRules()
	if err != nil {
		return store.Event{}, err
	}
	rules.Name, rules.Occupation = "2026年江西省健康照护职业技能竞赛（团体赛）", "健康照护师"
	rules.Team = &scoring.TeamRule{Min: 2, Max: 2}
	if err := rules.Validate(); err != nil {
		return store.Event{}, err
	}
	raw, err := json.Marshal(rules)
	if err != nil {
		return store.Event{}, err
	}
	rng := rand.New(rand.NewPCG(2026, 25))
	ne := newEvent(rules, raw)
	ne.Event.Code, ne.Event.Name, ne.Event.Occupation, ne.Event.OccupationCode = TeamsCode, rules.Name, "健康照护师", "4-14-01-03"
	ev, err := st.CreateEvent(ctx, ne, actor)
	if err != nil {
		return store.Event{}, err
	}
	people := roster(rng)
	var teams []store.Team
	for i, name := range teamNames {
		ms := []store.Contestant{people[2*i], people[2*i+1]}
		teams = append(teams, store.Team{Name: name, GroupCode: ms[0].GroupCode, Members: ms})
	}
	sum := sha256.Sum256([]byte(TeamsCode + " roster"))
	if _, err := st.ImportTeams(ctx, store.RosterImport{EventID: ev.ID, FileName: "健康照护团体赛名单（演示）.xlsx",
		SHA256: hex.EncodeToString(sum[:]), Actor: actor, Basis: store.BasisConsent}, teams, nil); err != nil {
		return store.Event{}, fmt.Errorf("demo team roster: %w", err)
	}
	if _, err := st.Draw(ctx, ev.ID, 1, hex.EncodeToString(sum[:16]), actor); err != nil {
		return store.Event{}, fmt.Errorf("demo team draw: %w", err)
	}
	all, err := st.Contestants(ctx, ev.ID)
	if err != nil {
		return store.Event{}, err
	}
	var entries []store.Contestant
	members := map[int64][]store.Contestant{}
	for _, c := range all {
		switch c.Kind {
		case store.KindTeam:
			entries = append(entries, c)
		case store.KindMember:
			members[*c.TeamID] = append(members[*c.TeamID], c)
		}
	}
	// A judge 回避s a team when any member calls for it.
	conflict := func(j store.Judge, c store.Contestant) bool {
		return judges.EntryConflict(j, c, members[c.ID], nil) != ""
	}
	mods, err := st.Modules(ctx, ev.ID)
	if err != nil {
		return store.Event{}, err
	}
	panels, err := addJudges(ctx, st, ev.ID, mods)
	if err != nil {
		return store.Event{}, err
	}
	var as []store.Assignment
	for _, p := range panels {
		for _, j := range p.judges {
			for _, c := range entries {
				if !conflict(j, c) {
					as = append(as, store.Assignment{ModuleID: p.module.ID, JudgeID: j.ID, ContestantID: c.ID})
				}
			}
		}
	}
	if err := st.AddAssignments(ctx, ev.ID, as, actor); err != nil {
		return store.Event{}, fmt.Errorf("demo team assignments: %w", err)
	}
	if err := importTheory(ctx, st, ev.ID, mods, entries, rng); err != nil {
		return store.Event{}, err
	}
	if err := markTeams(ctx, st, ev.ID, rules, panels, entries, conflict, rng); err != nil {
		return store.Event{}, err
	}
	return st.EventByCode(ctx, TeamsCode)
}

// markTeams has every judge mark and submit every team's sheet they are
// not recused from.
func markTeams(ctx context.Context, st Store, eventID int64, rules *scoring.Rules, panels []panel, entries []store.Contestant,
	conflict func(store.Judge, store.Contestant) bool, rng *rand.Rand) error {
	ruleMods := map[string]scoring.Module{}
	for _, m := range rules.Modules {
		ruleMods[m.Code] = m
	}
	n := 0
	for _, p := range panels {
		rm := ruleMods[p.module.Code]
		for ci, c := range entries {
			for _, j := range p.judges {
				if conflict(j, c) {
					continue
				}
				by := fmt.Sprintf("judge:%d", j.ID)
				var ops []store.SheetOp
				for ai, a := range rm.Aspects {
					v := markValue(a, ci%3, rng)
					if a.Kind == scoring.Veto {
						v = 0
					}
					n++
					ops = append(ops, store.SheetOp{OpID: fmt.Sprintf("team-%05d", n), Kind: store.OpMark, EventID: eventID,
						ModuleID: p.module.ID, ContestantID: c.ID, JudgeID: j.ID, AspectID: p.module.Aspects[ai].ID,
						Value: int64(v), Actor: by, Subject: *c.Code})
				}
				n++
				ops = append(ops, store.SheetOp{OpID: fmt.Sprintf("team-%05d", n), Kind: store.OpSubmit, EventID: eventID,
					ModuleID: p.module.ID, ContestantID: c.ID, JudgeID: j.ID, Actor: by, Subject: *c.Code})
				res, err := st.ApplyOps(ctx, ops)
				if err != nil {
					return fmt.Errorf("demo team marks: %w", err)
				}
				for _, r := range res {
					if r.Err != nil {
						return fmt.Errorf("demo team marks: %w", r.Err)
					}
				}
			}
		}
	}
	return nil
}
