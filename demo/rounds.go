package demo

import (
	"context"
	"fmt"
	"math/rand/v2"

	"skillscore/examples"
	"skillscore/judges"
	"skillscore/results"
	"skillscore/scoring"
	"skillscore/store"
)

// RoundsCode is the two-round demo event's code.
const RoundsCode = "jx-ylhly-rounds-2026"

// RoundsFile is the example rule document of the two-round demo event:
// 预赛 (one module), the top 6 go on to the 决赛 (two modules) carrying
// 预赛 × 0.3.
const RoundsFile = "yanglao-two-rounds.json"

// RoundsSeed is the recorded seed of the demo 决赛's draw.
const RoundsSeed = "5eed0f2026a11ce0b0b0cafe5eed0f20"

// RoundsStore is what the two-round demo needs from the database.
type RoundsStore interface {
	Store
	Snapshot(ctx context.Context, eventID int64) (store.Snapshot, error)
	Rounds(ctx context.Context, eventID int64) ([]store.RoundState, error)
	ConfirmRound(ctx context.Context, eventID int64, code string, advancing []store.RoundEntry, actor string) error
	DrawRound(ctx context.Context, eventID int64, code, seed, actor string) (store.RoundState, error)
}

// CreateRounds makes a two-round event under code: ten contestants, the
// 预赛 fully marked; with confirm, chief also confirms its advancement and
// draws the 决赛, whose first module is marked, so the rounds page and the
// tablets show a final under way.
func CreateRounds(ctx context.Context, st RoundsStore, code, chief string, confirm bool) (store.Event, error) {
	raw, err := examples.Files.ReadFile(RoundsFile)
	if err != nil {
		return store.Event{}, fmt.Errorf("demo rounds rules: %w", err)
	}
	rules, err := scoring.ParseRules(raw)
	if err != nil {
		return store.Event{}, fmt.Errorf("demo rounds rules: %w", err)
	}
	ev, err := st.CreateEvent(ctx, store.NewEvent{
		Event: store.Event{Code: code, Name: "2026年江西省养老护理员职业技能竞赛（预赛、决赛）", Kind: "competition",
			Occupation: "养老护理员", OccupationCode: "4-10-01-05", Specialty: "--", Tier: "provincial", Class: "two", Year: 2026,
			Venue: "南昌 · 江西省康养职业技能实训基地（演示）", StartsOn: "2026-12-06", Status: "running", Rules: string(raw)},
		Groups:  []store.Group{{Code: rules.Groups[0].Code, Name: rules.Groups[0].Name}},
		Modules: Modules(rules),
	}, actor)
	if err != nil {
		return store.Event{}, fmt.Errorf("demo rounds event: %w", err)
	}
	rng := rand.New(rand.NewPCG(2026, 24))
	all := roster(rng)[:10]
	for i := range all {
		c, station := fmt.Sprintf("R%03d", 101+i), fmt.Sprintf("%02d", 1+i)
		all[i].GroupCode, all[i].Code, all[i].Station = rules.Groups[0].Code, &c, &station
	}
	cs, err := st.AddContestants(ctx, ev.ID, all, actor)
	if err != nil {
		return store.Event{}, fmt.Errorf("demo rounds roster: %w", err)
	}
	mods, err := st.Modules(ctx, ev.ID)
	if err != nil {
		return store.Event{}, err
	}
	panels, err := addJudges(ctx, st, ev.ID, mods)
	if err != nil {
		return store.Event{}, err
	}
	if err := assign(ctx, st, ev.ID, panels, cs); err != nil {
		return store.Event{}, err
	}
	skill := make([]int, len(cs))
	for i := range skill {
		skill[i] = rng.IntN(3)
	}
	// The 预赛 (module P), every sheet submitted.
	if err := roundMarks(ctx, st, ev.ID, rules, panels[0], cs, skill, rng, true); err != nil {
		return store.Event{}, err
	}
	if !confirm {
		return ev, nil
	}
	if err := confirmComputed(ctx, st, ev.ID, "prelim", chief); err != nil {
		return store.Event{}, err
	}
	if _, err := st.DrawRound(ctx, ev.ID, "final", RoundsSeed, chief); err != nil {
		return store.Event{}, fmt.Errorf("demo rounds draw: %w", err)
	}
	// The 决赛: its first module marked (drafts), the second still to come.
	rs, err := st.Rounds(ctx, ev.ID)
	if err != nil {
		return store.Event{}, err
	}
	var finalists []store.Contestant
	for _, e := range rs[1].Entries {
		for _, c := range cs {
			if c.ID == e.ContestantID {
				finalists = append(finalists, c)
			}
		}
	}
	if err := roundMarks(ctx, st, ev.ID, rules, panels[1], finalists, skill, rng, false); err != nil {
		return store.Event{}, err
	}
	return st.EventByCode(ctx, code)
}

// roundMarks has every unrecused judge of a panel mark the contestants.
func roundMarks(ctx context.Context, st RoundsStore, eventID int64, rules *scoring.Rules, p panel, cs []store.Contestant,
	skill []int, rng *rand.Rand, submit bool) error {
	var rm scoring.Module
	for _, m := range rules.Modules {
		if m.Code == p.module.Code {
			rm = m
		}
	}
	var ops []store.SheetOp
	var submits []store.SheetOp
	for ci, c := range cs {
		for _, j := range p.judges {
			if judges.ConflictReason(j, c, "") != "" {
				continue
			}
			for ai, a := range rm.Aspects {
				ops = append(ops, store.SheetOp{OpID: fmt.Sprintf("demo-r-%s-%d-%d-%d", p.module.Code, c.ID, j.ID, ai), Kind: store.OpMark,
					EventID: eventID, ModuleID: p.module.ID, ContestantID: c.ID, JudgeID: j.ID, AspectID: p.module.Aspects[ai].ID,
					Value: int64(markValue(a, skill[ci%len(skill)], rng)), Actor: j.Code})
			}
			if submit {
				submits = append(submits, store.SheetOp{OpID: fmt.Sprintf("demo-r-submit-%s-%d-%d", p.module.Code, c.ID, j.ID), Kind: store.OpSubmit,
					EventID: eventID, ModuleID: p.module.ID, ContestantID: c.ID, JudgeID: j.ID, Actor: j.Code})
			}
		}
	}
	for _, batch := range [][]store.SheetOp{ops, submits} {
		if len(batch) == 0 {
			continue
		}
		res, err := st.ApplyOps(ctx, batch)
		if err != nil {
			return fmt.Errorf("demo rounds marks: %w", err)
		}
		for _, r := range res {
			if r.Err != nil {
				return fmt.Errorf("demo rounds marks: %w", r.Err)
			}
		}
	}
	return nil
}

// confirmComputed confirms a round's advancement as the rules compute it
// from the stored marks, the way the chief's confirm button does.
func confirmComputed(ctx context.Context, st RoundsStore, eventID int64, round, chief string) error {
	snap, err := st.Snapshot(ctx, eventID)
	if err != nil {
		return err
	}
	sd, err := results.Compute(snap)
	if err != nil {
		return err
	}
	res, err := results.Rounds(sd)
	if err != nil {
		return err
	}
	var entries []store.RoundEntry
	for _, rr := range res.Rounds {
		if rr.Code != round {
			continue
		}
		for _, s := range rr.Standings {
			if s.Advances {
				entries = append(entries, store.RoundEntry{ContestantID: sd.Contestants[s.ID].ID, Reason: s.Reasons[len(s.Reasons)-1].Text})
			}
		}
	}
	if err := st.ConfirmRound(ctx, eventID, round, entries, chief); err != nil {
		return fmt.Errorf("demo rounds confirm: %w", err)
	}
	return nil
}
