package imports

import (
	"context"

	"skillscore/scoring"
	"skillscore/sessions"
	"skillscore/store"
)

// ScoresReader reads what a theory-score file is checked against.
type ScoresReader interface {
	Modules(ctx context.Context, eventID int64) ([]store.Module, error)
	Contestants(ctx context.Context, eventID int64) ([]store.Contestant, error)
	SchedulePeople(ctx context.Context, eventID int64) ([]sessions.Person, error)
}

// LoadScoresInput reads an event's modules, roster and 准考证号 (参赛证号)
// for Scores, in the words of its kind: an assessment's file must have a
// row for every candidate (Complete) unless the caller allows otherwise;
// module names the imported module ("" for the event's only one).
func LoadScoresInput(ctx context.Context, r ScoresReader, ev store.Event, module string) (ScoresInput, error) {
	t := scoring.TermsFor(ev.Kind)
	in := ScoresInput{Module: module, Rules: ev.Rules, Terms: t, Complete: t.Assessment(), EntryNos: map[int64]string{}}
	var err error
	if in.Modules, err = r.Modules(ctx, ev.ID); err != nil {
		return ScoresInput{}, err
	}
	if in.Contestants, err = r.Contestants(ctx, ev.ID); err != nil {
		return ScoresInput{}, err
	}
	people, err := r.SchedulePeople(ctx, ev.ID)
	if err != nil {
		return ScoresInput{}, err
	}
	for _, p := range people {
		if p.EntryNo != "" {
			in.EntryNos[p.ContestantID] = p.EntryNo
		}
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
