package store

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// Snapshot is everything scoring needs about one event, read in one
// transaction so that it is consistent with Event.Revision.
type Snapshot struct {
	Event       Event
	Groups      []Group
	Modules     []Module
	Contestants []Contestant
	Judges      []Judge
	Panels      []PanelMember
	Marks       []MarkRow
	Imported    []ImportedScore
	Assignments []Assignment
	// Drafts are the sheets their judges have not submitted: their marks
	// are drafts, which the public views leave out (docs/live.md).
	Drafts []DraftSheet
	// Members are the members of the team entries in Contestants (teams.go),
	// by entry and roster order, sealed like Contestants.
	Members []Contestant
	// Rounds are the event's rounds with their entries (store/rounds.go);
	// none without rounds.
	Rounds []RoundState
	// Carried are the parts 补考 candidates carry from an earlier batch
	// (store/retakes.go); none outside assessments.
	Carried []CarriedPart
}

// DraftSheet names an open (unsubmitted) sheet by the codes of its marks.
type DraftSheet struct {
	ContestantID int64  `db:"contestant_id"`
	ModuleCode   string `db:"module_code"`
	JudgeCode    string `db:"judge_code"`
}

// Snapshot reads an event and all its scoring data at one revision.
func (s *Store) Snapshot(ctx context.Context, eventID int64) (Snapshot, error) {
	var snap Snapshot
	var err error
	if snap.Event, err = s.Event(ctx, eventID); err != nil {
		return Snapshot{}, err
	}
	// Default isolation: a WAL read transaction on SQLite and REPEATABLE READ
	// on InnoDB both read one consistent state.
	tx, err := s.r.BeginTxx(ctx, nil)
	if err != nil {
		return Snapshot{}, fmt.Errorf("snapshot: %w", err)
	}
	defer tx.Rollback()
	// Re-read the event inside the transaction: its revision is the one the
	// rest of the snapshot matches.
	if err := tx.GetContext(ctx, &snap.Event, "SELECT * FROM events WHERE id = ?", eventID); err != nil {
		return Snapshot{}, fmt.Errorf("snapshot event: %w", err)
	}
	queries := []struct {
		dest  any
		query string
	}{
		{&snap.Groups, "SELECT * FROM event_groups WHERE event_id = ? ORDER BY position"},
		{&snap.Modules, "SELECT * FROM modules WHERE event_id = ? ORDER BY position"},
		{&snap.Contestants, "SELECT * FROM contestants WHERE event_id = ? AND kind <> 'member' ORDER BY id"}, // entries only (teams.go)
		{&snap.Members, "SELECT * FROM contestants WHERE event_id = ? AND kind = 'member' ORDER BY team_id, id"},
		{&snap.Judges, "SELECT * FROM judges WHERE event_id = ? ORDER BY code"},
		{&snap.Panels, `SELECT p.* FROM panel_members p JOIN modules m ON m.id = p.module_id
			WHERE m.event_id = ? ORDER BY m.position, p.chief DESC, p.judge_id`},
		{&snap.Marks, marksQuery},
		{&snap.Imported, importedQuery},
		{&snap.Drafts, `SELECT sh.contestant_id, m.code AS module_code, j.code AS judge_code
			FROM sheets sh JOIN modules m ON m.id = sh.module_id JOIN judges j ON j.id = sh.judge_id
			WHERE m.event_id = ? AND sh.status = 'open' ORDER BY sh.contestant_id, m.position, j.code`},
		{&snap.Assignments, `SELECT a.* FROM assignments a JOIN modules m ON m.id = a.module_id
			WHERE m.event_id = ? ORDER BY a.module_id, a.judge_id, a.contestant_id`},
		{&snap.Carried, carriedQuery},
	}
	for _, q := range queries {
		if err := tx.SelectContext(ctx, q.dest, q.query, eventID); err != nil {
			return Snapshot{}, fmt.Errorf("snapshot: %w", err)
		}
	}
	if err := attachAspects(ctx, tx, eventID, snap.Modules); err != nil {
		return Snapshot{}, err
	}
	if snap.Rounds, err = readRounds(ctx, tx, eventID); err != nil {
		return Snapshot{}, err
	}
	return snap, nil
}

func attachAspects(ctx context.Context, q sqlx.QueryerContext, eventID int64, mods []Module) error {
	var aspects []Aspect
	if err := sqlx.SelectContext(ctx, q, &aspects, `SELECT a.* FROM aspects a JOIN modules m ON m.id = a.module_id
		WHERE m.event_id = ? ORDER BY a.module_id, a.position`, eventID); err != nil {
		return fmt.Errorf("list aspects: %w", err)
	}
	byID := make(map[int64]int, len(mods))
	for i, m := range mods {
		byID[m.ID] = i
	}
	for _, a := range aspects {
		i := byID[a.ModuleID]
		mods[i].Aspects = append(mods[i].Aspects, a)
	}
	return nil
}
