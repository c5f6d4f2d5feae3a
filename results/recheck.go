package results

import (
	"context"

	"skillscore/draw"
	"skillscore/recheck"
	"skillscore/store"
)

// RecheckStandings is the current ranking as the 复核 draw sees it: each
// contestant's rank in their group (0 when unranked).
func RecheckStandings(st *Standings) []recheck.Standing {
	out := make([]recheck.Standing, 0, len(st.Result.Contestants))
	for _, c := range st.Result.Contestants {
		row, ok := st.Contestants[c.ID]
		if !ok {
			continue // a team entry: its members' sheets carry their own ids
		}
		out = append(out, recheck.Standing{ContestantID: row.ID, Group: c.Group, Rank: c.Rank})
	}
	return out
}

// RecheckStarter is what drawing a 复核 needs of the store.
type RecheckStarter interface {
	Snapshot(ctx context.Context, eventID int64) (store.Snapshot, error)
	RecheckSettings(ctx context.Context, eventID int64) (recheck.Settings, error)
	RecheckSheets(ctx context.Context, eventID int64) ([]recheck.Sheet, error)
	StartRecheck(ctx context.Context, eventID int64, seed string, set recheck.Settings, sample recheck.Sample, actor string) (store.RecheckRound, error)
}

// CurrentRecheckStandings computes the event's ranking now.
func CurrentRecheckStandings(ctx context.Context, st RecheckStarter, eventID int64) ([]recheck.Standing, error) {
	snap, err := st.Snapshot(ctx, eventID)
	if err != nil {
		return nil, err
	}
	sd, err := Compute(snap)
	if err != nil {
		return nil, err
	}
	return RecheckStandings(sd), nil
}

// StartRecheck draws the 复核 sample from the current ranking with the
// given hex seed (a fresh one when empty) under the event's settings and
// records it: the one path of the page, the command and the demo.
func StartRecheck(ctx context.Context, st RecheckStarter, eventID int64, seed, actor string) (store.RecheckRound, error) {
	if seed == "" {
		var err error
		if seed, err = draw.NewSeed(); err != nil {
			return store.RecheckRound{}, err
		}
	}
	set, err := st.RecheckSettings(ctx, eventID)
	if err != nil {
		return store.RecheckRound{}, err
	}
	standings, err := CurrentRecheckStandings(ctx, st, eventID)
	if err != nil {
		return store.RecheckRound{}, err
	}
	sheets, err := st.RecheckSheets(ctx, eventID)
	if err != nil {
		return store.RecheckRound{}, err
	}
	sample, err := recheck.Draw(seed, set, sheets, standings)
	if err != nil {
		return store.RecheckRound{}, err
	}
	return st.StartRecheck(ctx, eventID, seed, set, sample, actor)
}
