package imports

import (
	"context"

	"skillscore/store"
)

// ScoresReader reads what a theory-score file is checked against.
type ScoresReader interface {
	Modules(ctx context.Context, eventID int64) ([]store.Module, error)
	Contestants(ctx context.Context, eventID int64) ([]store.Contestant, error)
}

// LoadScoresInput reads an event's modules and roster for Scores; module
// names the imported module ("" for the event's only one).
func LoadScoresInput(ctx context.Context, r ScoresReader, eventID int64, module string) (ScoresInput, error) {
	in := ScoresInput{Module: module}
	var err error
	if in.Modules, err = r.Modules(ctx, eventID); err != nil {
		return ScoresInput{}, err
	}
	if in.Contestants, err = r.Contestants(ctx, eventID); err != nil {
		return ScoresInput{}, err
	}
	return in, nil
}

// JudgesReader reads what a judges file is checked against.
type JudgesReader interface {
	Modules(ctx context.Context, eventID int64) ([]store.Module, error)
	Judges(ctx context.Context, eventID int64) ([]store.Judge, error)
	Panels(ctx context.Context, eventID int64) ([]store.PanelMember, error)
}

// LoadJudgesInput reads an event's modules, judges and panels for Judges.
func LoadJudgesInput(ctx context.Context, r JudgesReader, eventID int64) (JudgesInput, error) {
	var in JudgesInput
	var err error
	if in.Modules, err = r.Modules(ctx, eventID); err != nil {
		return JudgesInput{}, err
	}
	if in.Judges, err = r.Judges(ctx, eventID); err != nil {
		return JudgesInput{}, err
	}
	if in.Panels, err = r.Panels(ctx, eventID); err != nil {
		return JudgesInput{}, err
	}
	return in, nil
}
