package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/jmoiron/sqlx"

	"skillscore"
	"skillscore/draw"
	"skillscore/scoring"
)

// Round statuses: a round is pending until the one before it is confirmed,
// then open (marks go in) until its own advancement is confirmed.
const (
	RoundPending   = "pending"
	RoundOpen      = "open"
	RoundConfirmed = "confirmed"
)

// RoundState is one round of an event as stored (migration 024).
type RoundState struct {
	EventID     int64   `db:"event_id"`
	Code        string  `db:"code"`
	Name        string  `db:"name"`
	Position    int     `db:"position"`
	Status      string  `db:"status"`
	OpenedAt    Time    `db:"opened_at"`
	ConfirmedAt Time    `db:"confirmed_at"`
	ConfirmedBy *string `db:"confirmed_by"`
	DrawSeed    *string `db:"draw_seed"`
	DrawnAt     Time    `db:"drawn_at"`
	DrawnBy     *string `db:"drawn_by"`
	// Entries are who takes part (later rounds only; the first round is
	// the whole roster), by order of appearance once drawn.
	Entries []RoundEntry `db:"-"`
}

// RoundEntry is one contestant of a later round.
type RoundEntry struct {
	RoundCode    string  `db:"round_code"`
	ContestantID int64   `db:"contestant_id"`
	Reason       string  `db:"reason"`
	Appearance   *int    `db:"appearance"`
	Station      *string `db:"station"`
	Code         *string `db:"code"` // the contestant's anonymous code
}

// syncRounds keeps event_rounds and round_modules in step with the rules
// document: called wherever an event's rules are written. Rounds that stay
// keep their state; the first round of a new set opens at once.
func (s *Store) syncRounds(ctx context.Context, tx *sqlx.Tx, eventID int64, rulesJSON string) error {
	var doc struct {
		Rounds []scoring.Round `json:"rounds"`
	}
	if rulesJSON != "" {
		if err := json.Unmarshal([]byte(rulesJSON), &doc); err != nil {
			return skillscore.Wrap(skillscore.EInvalid, err, "评分规则不是有效的 JSON")
		}
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM round_modules WHERE event_id = ?", eventID); err != nil {
		return fmt.Errorf("sync rounds: %w", err)
	}
	var have []string
	if err := tx.SelectContext(ctx, &have, "SELECT code FROM event_rounds WHERE event_id = ?", eventID); err != nil {
		return fmt.Errorf("sync rounds: %w", err)
	}
	keep := map[string]bool{}
	now := micros(s.now())
	for i, rd := range doc.Rounds {
		keep[rd.Code] = true
		for _, m := range rd.Modules {
			if _, err := tx.ExecContext(ctx, "INSERT INTO round_modules (event_id, module_code, round_code, round_position) VALUES (?, ?, ?, ?)",
				eventID, m, rd.Code, i); err != nil {
				return fmt.Errorf("sync round modules: %w", err)
			}
		}
		if containsString(have, rd.Code) {
			if _, err := tx.ExecContext(ctx, "UPDATE event_rounds SET name = ?, position = ? WHERE event_id = ? AND code = ?",
				rd.Name, i, eventID, rd.Code); err != nil {
				return fmt.Errorf("sync rounds: %w", err)
			}
			continue
		}
		status, opened := RoundPending, any(nil)
		if i == 0 {
			status, opened = RoundOpen, now
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO event_rounds (event_id, code, name, position, status, opened_at) VALUES (?, ?, ?, ?, ?, ?)",
			eventID, rd.Code, rd.Name, i, status, opened); err != nil {
			return fmt.Errorf("sync rounds: %w", err)
		}
	}
	for _, c := range have {
		if keep[c] {
			continue
		}
		for _, q := range []string{"DELETE FROM round_entries WHERE event_id = ? AND round_code = ?", "DELETE FROM event_rounds WHERE event_id = ? AND code = ?"} {
			if _, err := tx.ExecContext(ctx, q, eventID, c); err != nil {
				return fmt.Errorf("sync rounds: %w", err)
			}
		}
	}
	return nil
}

func containsString(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// Rounds returns an event's rounds in order with their entries; none for an
// event without rounds.
func (s *Store) Rounds(ctx context.Context, eventID int64) ([]RoundState, error) {
	return readRounds(ctx, s.r, eventID)
}

func readRounds(ctx context.Context, q sqlx.QueryerContext, eventID int64) ([]RoundState, error) {
	var out []RoundState
	if err := sqlx.SelectContext(ctx, q, &out, "SELECT * FROM event_rounds WHERE event_id = ? ORDER BY position", eventID); err != nil {
		return nil, fmt.Errorf("rounds: %w", err)
	}
	if len(out) == 0 {
		return nil, nil
	}
	var entries []RoundEntry
	if err := sqlx.SelectContext(ctx, q, &entries, `SELECT re.round_code, re.contestant_id, re.reason, re.appearance, re.station, c.code
		FROM round_entries re JOIN contestants c ON c.id = re.contestant_id
		WHERE re.event_id = ? ORDER BY re.round_code, CASE WHEN re.appearance IS NULL THEN 1 ELSE 0 END, re.appearance, c.code, re.contestant_id`, eventID); err != nil {
		return nil, fmt.Errorf("round entries: %w", err)
	}
	for i := range out {
		for _, e := range entries {
			if e.RoundCode == out[i].Code {
				out[i].Entries = append(out[i].Entries, e)
			}
		}
	}
	return out, nil
}

// ConfirmedAdvancement maps each confirmed round's code to the stored ids of
// who advanced from it (the entries of the round after it), for
// scoring.ComputeRounds.
func ConfirmedAdvancement(rounds []RoundState) map[string][]int64 {
	out := map[string][]int64{}
	for i, r := range rounds {
		if r.Status != RoundConfirmed || i+1 >= len(rounds) {
			continue
		}
		ids := make([]int64, 0, len(rounds[i+1].Entries))
		for _, e := range rounds[i+1].Entries {
			ids = append(ids, e.ContestantID)
		}
		out[r.Code] = ids
	}
	return out
}

func roundOf(ctx context.Context, tx *sqlx.Tx, eventID int64, code string) (RoundState, error) {
	var r RoundState
	err := tx.GetContext(ctx, &r, "SELECT * FROM event_rounds WHERE event_id = ? AND code = ?", eventID, code)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return r, skillscore.Errorf(skillscore.ENotFound, "本赛事没有轮次 %q", code)
		}
		return r, fmt.Errorf("round: %w", err)
	}
	return r, nil
}

// ConfirmRound records the advancement from round code: the given
// contestants (with the reason each advanced) take part in the next round,
// which opens. Only an open round that is not the last can be confirmed,
// once; the advancing must have taken part in the round.
func (s *Store) ConfirmRound(ctx context.Context, eventID int64, code string, advancing []RoundEntry, actor string) error {
	if len(advancing) == 0 {
		return skillscore.Errorf(skillscore.EInvalid, "晋级名单为空，不能确认")
	}
	now := s.now()
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := nextRevision(ctx, tx, eventID); err != nil {
			return err
		}
		r, err := roundOf(ctx, tx, eventID, code)
		if err != nil {
			return err
		}
		switch r.Status {
		case RoundPending:
			return skillscore.Errorf(skillscore.EConflict, "%s尚未开始，不能确认晋级名单", r.Name)
		case RoundConfirmed:
			return skillscore.Errorf(skillscore.EConflict, "%s的晋级名单已经确认", r.Name)
		}
		// Advancement stands on submitted marks only: no judge may still be
		// changing a sheet of the round.
		var open int
		if err := tx.GetContext(ctx, &open, `SELECT COUNT(*) FROM sheets sh JOIN modules m ON m.id = sh.module_id
			JOIN round_modules rm ON rm.event_id = m.event_id AND rm.module_code = m.code
			WHERE m.event_id = ? AND rm.round_code = ? AND sh.status = 'open'`, eventID, code); err != nil {
			return fmt.Errorf("round sheets: %w", err)
		}
		if open > 0 {
			return skillscore.Errorf(skillscore.EConflict, "%s还有 %d 份评分表未提交，不能确认晋级名单", r.Name, open)
		}
		var next RoundState
		err = tx.GetContext(ctx, &next, "SELECT * FROM event_rounds WHERE event_id = ? AND position = ?", eventID, r.Position+1)
		if errors.Is(err, sql.ErrNoRows) {
			return skillscore.Errorf(skillscore.EConflict, "%s是最后一轮，没有晋级", r.Name)
		}
		if err != nil {
			return fmt.Errorf("next round: %w", err)
		}
		seen := map[int64]bool{}
		ids := make([]int64, 0, len(advancing))
		for _, a := range advancing {
			if seen[a.ContestantID] {
				return skillscore.Errorf(skillscore.EInvalid, "晋级名单中选手重复")
			}
			seen[a.ContestantID] = true
			var n int
			q := "SELECT COUNT(*) FROM contestants WHERE id = ? AND event_id = ?"
			args := []any{a.ContestantID, eventID}
			if r.Position > 0 {
				q = "SELECT COUNT(*) FROM round_entries WHERE contestant_id = ? AND event_id = ? AND round_code = ?"
				args = append(args, r.Code)
			}
			if err := tx.GetContext(ctx, &n, q, args...); err != nil {
				return fmt.Errorf("check advancing: %w", err)
			}
			if n == 0 {
				return skillscore.Errorf(skillscore.EInvalid, "晋级名单中有未参加%s的选手", r.Name)
			}
			if _, err := tx.ExecContext(ctx, "INSERT INTO round_entries (event_id, round_code, contestant_id, reason) VALUES (?, ?, ?, ?)",
				eventID, next.Code, a.ContestantID, truncateRunes(a.Reason, 400)); err != nil {
				return fmt.Errorf("insert round entry: %w", err)
			}
			ids = append(ids, a.ContestantID)
		}
		if _, err := tx.ExecContext(ctx, "UPDATE event_rounds SET status = ?, confirmed_at = ?, confirmed_by = ? WHERE event_id = ? AND code = ?",
			RoundConfirmed, micros(now), actor, eventID, code); err != nil {
			return fmt.Errorf("confirm round: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "UPDATE event_rounds SET status = ?, opened_at = ? WHERE event_id = ? AND code = ?",
			RoundOpen, micros(now), eventID, next.Code); err != nil {
			return fmt.Errorf("open round: %w", err)
		}
		if _, err := bumpRevision(ctx, tx, eventID); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, &eventID, actor, "round.confirm", code,
			map[string]any{"round": r.Name, "next": next.Code, "advancing": ids}, now)
	})
}

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}

// DrawRound deals the order of appearance and the stations of an open later
// round from a hex seed, recorded so anyone can replay it: the entries are
// sorted by anonymous code (then stored id), and draw.Permutation with the
// purposes "round-CODE-order" and "round-CODE-station" numbers them. It can
// be run again until the first mark of the round.
func (s *Store) DrawRound(ctx context.Context, eventID int64, code, seed, actor string) (RoundState, error) {
	seed = strings.ToLower(strings.TrimSpace(seed))
	b, err := draw.ParseSeed(seed)
	if err != nil {
		return RoundState{}, err
	}
	now := s.now()
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		r, err := roundOf(ctx, tx, eventID, code)
		if err != nil {
			return err
		}
		if r.Position == 0 {
			return skillscore.Errorf(skillscore.EInvalid, "第一轮使用赛事抽签（加密抽签），不在此抽签")
		}
		if r.Status != RoundOpen {
			return skillscore.Errorf(skillscore.EConflict, "%s尚未开始或已结束，不能抽签", r.Name)
		}
		var marked int
		if err := tx.GetContext(ctx, &marked, `SELECT COUNT(*) FROM sheets sh JOIN modules m ON m.id = sh.module_id
			JOIN round_modules rm ON rm.event_id = m.event_id AND rm.module_code = m.code
			WHERE m.event_id = ? AND rm.round_code = ?`, eventID, code); err != nil {
			return fmt.Errorf("round marks: %w", err)
		}
		if marked > 0 {
			return skillscore.Errorf(skillscore.EConflict, "%s已开始评分，不能重新抽签", r.Name)
		}
		var es []RoundEntry
		if err := tx.SelectContext(ctx, &es, `SELECT re.round_code, re.contestant_id, re.reason, re.appearance, re.station, c.code
			FROM round_entries re JOIN contestants c ON c.id = re.contestant_id
			WHERE re.event_id = ? AND re.round_code = ?`, eventID, code); err != nil {
			return fmt.Errorf("round entries: %w", err)
		}
		sort.Slice(es, func(i, j int) bool {
			ci, cj := deref(es[i].Code), deref(es[j].Code)
			if ci != cj {
				return ci < cj
			}
			return es[i].ContestantID < es[j].ContestantID
		})
		order := draw.Permutation(b, "round-"+code+"-order", len(es))
		stations := draw.Permutation(b, "round-"+code+"-station", len(es))
		width := max(2, len(fmt.Sprint(len(es))))
		for i, e := range es {
			if _, err := tx.ExecContext(ctx, "UPDATE round_entries SET appearance = ?, station = ? WHERE event_id = ? AND round_code = ? AND contestant_id = ?",
				order[i]+1, fmt.Sprintf("%0*d", width, stations[i]+1), eventID, code, e.ContestantID); err != nil {
				return fmt.Errorf("round draw: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, "UPDATE event_rounds SET draw_seed = ?, drawn_at = ?, drawn_by = ? WHERE event_id = ? AND code = ?",
			seed, micros(now), actor, eventID, code); err != nil {
			return fmt.Errorf("round draw: %w", err)
		}
		if _, err := bumpRevision(ctx, tx, eventID); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, &eventID, actor, "round.draw", code, map[string]any{"round": r.Name, "seed": seed, "entries": len(es)}, now)
	})
	if err != nil {
		return RoundState{}, err
	}
	rs, err := s.Rounds(ctx, eventID)
	if err != nil {
		return RoundState{}, err
	}
	for _, r := range rs {
		if r.Code == code {
			return r, nil
		}
	}
	return RoundState{}, skillscore.Errorf(skillscore.ENotFound, "本赛事没有轮次 %q", code)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// roundBarred is the check of checkTarget: 1 when the module belongs to a
// later round the contestant did not advance to.
const roundBarredQuery = `(SELECT COUNT(*) FROM round_modules rm JOIN modules m ON m.event_id = rm.event_id AND m.code = rm.module_code
		WHERE m.id = ? AND rm.round_position > 0 AND NOT EXISTS (SELECT 1 FROM round_entries re
			WHERE re.event_id = rm.event_id AND re.round_code = rm.round_code AND re.contestant_id = ?)) AS barred`

// notAdvanced is the refusal of a mark for a contestant outside a later round.
func notAdvanced(ctx context.Context, tx execer, moduleID int64) error {
	var name string
	if err := tx.GetContext(ctx, &name, `SELECT r.name FROM event_rounds r JOIN round_modules rm ON rm.event_id = r.event_id AND rm.round_code = r.code
		JOIN modules m ON m.event_id = rm.event_id AND m.code = rm.module_code WHERE m.id = ?`, moduleID); err != nil {
		return fmt.Errorf("round name: %w", err)
	}
	return skillscore.Errorf(skillscore.ENotAdvanced, "该选手未晋级%s，不能在本轮评分", name)
}
