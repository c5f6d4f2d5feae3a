package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"skillscore"
	"skillscore/arbitration"
)

// Workflow stages of an event's results, in order.
const (
	StageProgress    = "progress"    // sheets still open or submitted
	StageLocked      = "locked"      // every sheet locked, a module not signed off
	StageSignedOff   = "signed_off"  // every judged module signed off, names still encrypted
	StageDecrypted   = "decrypted"   // names revealed, results not yet published
	StagePublication = "publication" // published (公示), appeals possible within the period
	StageFinal       = "final"       // final results: promotions and certificates may follow
)

// Workflow is where an event stands in the results workflow and what still
// blocks each next step; the refusals are the methods below, so the
// organizer's page and the store refuse for the same reasons.
type Workflow struct {
	Stage          string
	Unlocked       int      // sheets (or assignments without one) not locked
	Unsigned       []string // judged modules not signed off
	Coded          int      // contestants holding an anonymous code
	DecryptedAt    Time
	PublishedAt    Time
	PublicationEnd Time
	OpenAppeals    int
	Appeals        int
	FinalizedAt    Time
	FinalizedBy    string
	// The 成绩复核 (store/recheck.go): required by the event's settings,
	// started, its sheets still to check, signed off by the 监督.
	RecheckRequired  bool
	RecheckStarted   bool
	RecheckUnchecked int
	RecheckSignedOff Time
	// UndecidedArbitrations are the numbers of the on-site appeals
	// (store/arbitration.go) filed and not yet decided.
	UndecidedArbitrations []int
}

// Workflow reads an event's results workflow state.
func (s *Store) Workflow(ctx context.Context, eventID int64) (Workflow, error) {
	tx, err := s.r.BeginTxx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return Workflow{}, fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	return workflow(ctx, tx, eventID)
}

func workflow(ctx context.Context, tx *sqlx.Tx, eventID int64) (Workflow, error) {
	var w Workflow
	l, err := liveState(ctx, tx, eventID)
	if err != nil {
		return w, err
	}
	w.PublishedAt, w.PublicationEnd = l.PublishedAt, l.PublicationEnd
	var open, missing int
	if err := tx.GetContext(ctx, &open, `SELECT COUNT(*) FROM sheets sh JOIN modules m ON m.id = sh.module_id
		WHERE m.event_id = ? AND sh.status <> 'locked'`, eventID); err != nil {
		return w, fmt.Errorf("unlocked sheets: %w", err)
	}
	// A contestant who was absent or withdrew gets no sheet, nor does a 补考
	// candidate in a part carried from an earlier batch; that blocks nothing.
	if err := tx.GetContext(ctx, &missing, `SELECT COUNT(*) FROM assignments a JOIN modules m ON m.id = a.module_id
		JOIN contestants c ON c.id = a.contestant_id
		LEFT JOIN sheets sh ON sh.module_id = a.module_id AND sh.contestant_id = a.contestant_id AND sh.judge_id = a.judge_id
		WHERE m.event_id = ? AND sh.id IS NULL AND c.status NOT IN ('absent', 'withdrew')
			AND NOT EXISTS (SELECT 1 FROM carried_parts cp WHERE cp.contestant_id = a.contestant_id AND cp.part = m.kind)`, eventID); err != nil {
		return w, fmt.Errorf("missing sheets: %w", err)
	}
	w.Unlocked = open + missing
	if w.Unsigned, err = unsignedModules(ctx, tx, eventID); err != nil {
		return w, err
	}
	if err := tx.GetContext(ctx, &w.Coded, "SELECT COUNT(*) FROM contestants WHERE event_id = ? AND code IS NOT NULL", eventID); err != nil {
		return w, err
	}
	err = tx.GetContext(ctx, &w.DecryptedAt, "SELECT decrypted_at FROM decryptions WHERE event_id = ?", eventID)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return w, fmt.Errorf("decryption: %w", err)
	}
	if err := tx.GetContext(ctx, &w.Appeals, "SELECT COUNT(*) FROM appeals WHERE event_id = ?", eventID); err != nil {
		return w, fmt.Errorf("appeals: %w", err)
	}
	if err := tx.GetContext(ctx, &w.OpenAppeals, "SELECT COUNT(*) FROM appeals WHERE event_id = ? AND status = 'open'", eventID); err != nil {
		return w, fmt.Errorf("open appeals: %w", err)
	}
	var fin struct {
		At Time   `db:"finalized_at"`
		By string `db:"finalized_by"`
	}
	err = tx.GetContext(ctx, &fin, "SELECT finalized_at, finalized_by FROM finals WHERE event_id = ?", eventID)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return w, fmt.Errorf("final: %w", err)
	}
	w.FinalizedAt, w.FinalizedBy = fin.At, fin.By
	if err := recheckState(ctx, tx, eventID, &w); err != nil {
		return w, err
	}
	if w.UndecidedArbitrations, err = undecidedArbitrations(ctx, tx, eventID); err != nil {
		return w, err
	}
	switch {
	case w.FinalizedAt.Valid():
		w.Stage = StageFinal
	case w.PublishedAt.Valid() && w.PublicationEnd.Valid():
		w.Stage = StagePublication
	case w.DecryptedAt.Valid():
		w.Stage = StageDecrypted
	case w.Unlocked > 0:
		w.Stage = StageProgress
	case len(w.Unsigned) > 0:
		w.Stage = StageLocked
	default:
		w.Stage = StageSignedOff
	}
	return w, nil
}

// scored refuses while any sheet is unlocked or module unsigned: a re-mark
// during publication takes the event back there until the chief judge has
// locked and signed off again.
func (w Workflow) scored() error {
	if w.Unlocked > 0 {
		return skillscore.Errorf(skillscore.EConflict, "还有 %d 份评分表未锁定：请裁判长先锁定全部评分表", w.Unlocked)
	}
	if len(w.Unsigned) > 0 {
		return skillscore.Errorf(skillscore.EConflict, "以下模块的裁判长尚未签字确认：%s", strings.Join(w.Unsigned, "、"))
	}
	return nil
}

// PublishAllowed says why the results cannot be published (公示) now, or nil.
func (w Workflow) PublishAllowed() error {
	if w.FinalizedAt.Valid() {
		return skillscore.Errorf(skillscore.EConflict, "成绩已最终确认，不能再公示")
	}
	if err := w.scored(); err != nil {
		return err
	}
	if w.Coded > 0 && !w.DecryptedAt.Valid() {
		return skillscore.Errorf(skillscore.EConflict, "尚未解密：请先在抽签页解密，再公示成绩")
	}
	if err := w.recheckDone(); err != nil {
		return err
	}
	return w.arbitrationsDecided()
}

// AppealAllowed says why no appeal (申诉) can be filed at time now, or nil.
func (w Workflow) AppealAllowed(now time.Time) error {
	switch {
	case w.FinalizedAt.Valid():
		return skillscore.Errorf(skillscore.EConflict, "成绩已最终确认，申诉期已结束")
	case !w.PublishedAt.Valid() || !w.PublicationEnd.Valid():
		return skillscore.Errorf(skillscore.EConflict, "成绩尚未公示，暂不受理申诉")
	case now.Before(w.PublishedAt.Time):
		return skillscore.Errorf(skillscore.EConflict, "公示期尚未开始（%s 开始），暂不受理申诉", cnTime(w.PublishedAt.Time))
	case !now.Before(w.PublicationEnd.Time):
		return skillscore.Errorf(skillscore.EConflict, "公示期已于 %s 结束，不再受理申诉", cnTime(w.PublicationEnd.Time))
	}
	return nil
}

// FinalizeAllowed says why the results cannot be made final at time now, or nil.
func (w Workflow) FinalizeAllowed(now time.Time) error {
	switch {
	case w.FinalizedAt.Valid():
		return skillscore.Errorf(skillscore.EConflict, "成绩已于 %s 最终确认", cnTime(w.FinalizedAt.Time))
	case !w.PublishedAt.Valid() || !w.PublicationEnd.Valid():
		return skillscore.Errorf(skillscore.EConflict, "成绩尚未公示：须先公示，公示期结束后才能最终确认")
	case now.Before(w.PublicationEnd.Time):
		return skillscore.Errorf(skillscore.EConflict, "公示期至 %s 才结束，期间不能最终确认", cnTime(w.PublicationEnd.Time))
	case w.OpenAppeals > 0:
		return skillscore.Errorf(skillscore.EConflict, "还有 %d 件申诉未处理，不能最终确认", w.OpenAppeals)
	case len(w.UndecidedArbitrations) > 0:
		return skillscore.Errorf(skillscore.EConflict, "现场仲裁申诉%s尚未作出决定，不能最终确认成绩", arbitration.Numbers(w.UndecidedArbitrations))
	}
	return w.scored()
}

// FinalRequired refuses what may only follow the final results (the
// promotion list, certificates).
func (w Workflow) FinalRequired() error {
	if !w.FinalizedAt.Valid() {
		return skillscore.Errorf(skillscore.EConflict, "成绩尚未最终确认：须完成公示、处理全部申诉并确认最终成绩后，才能生成晋升名单和证书")
	}
	return nil
}

// cnTime formats a time for refusals, in China Standard Time.
func cnTime(t time.Time) string {
	return t.In(skillscore.China()).Format("2006-01-02 15:04")
}

// PublishResults publishes the results (公示) for the period [start, end):
// masked names on the public page, appeals accepted until end. Setting it
// again (to extend the period) is allowed until the results are final.
//
// An assessment batch's 公示 runs a number of working days (its
// PublicityDays, counted on the working-day calendar, reviews.go): a zero
// end is the end those days give, an earlier end is refused, and so is a
// period reaching into a year whose holidays the calendar does not know.
func (s *Store) PublishResults(ctx context.Context, eventID int64, start, end time.Time, actor string) (int64, error) {
	if start.IsZero() || (!end.IsZero() && !end.After(start)) {
		return 0, skillscore.Errorf(skillscore.EInvalid, "公示期无效：结束时间必须晚于开始时间")
	}
	detail := map[string]any{"start": start.UTC().Format(time.RFC3339)}
	return s.changeLive(ctx, eventID, actor, "results.publish", detail, s.now(), func(tx *sqlx.Tx, _ LiveState) error {
		w, err := workflow(ctx, tx, eventID)
		if err != nil {
			return err
		}
		if err := w.PublishAllowed(); err != nil {
			return err
		}
		p, days, byWorkdays, err := publicityPeriod(ctx, tx, eventID, start)
		if err != nil {
			return err
		}
		switch {
		case !byWorkdays && end.IsZero():
			return skillscore.Errorf(skillscore.EInvalid, "公示期无效：请给出结束时间")
		case byWorkdays && len(p.Unknown) > 0:
			return skillscore.Errorf(skillscore.EConflict, "工作日历中还没有 %s 年的节假日安排，无法按工作日计算公示期：请先录入（skillscore batch calendar set）",
				unknownYears(p.Unknown))
		case byWorkdays && end.IsZero():
			end = p.End
		case byWorkdays && end.Before(p.End):
			return skillscore.Errorf(skillscore.EInvalid, "公示期不足 %d 个工作日：自 %s 起至少应到 %s", days, cnTime(start), cnTime(p.End))
		}
		detail["end"] = end.UTC().Format(time.RFC3339)
		if byWorkdays {
			detail["working_days"] = days
		}
		_, err = tx.ExecContext(ctx, "UPDATE live_states SET published_at = ?, publication_ends_at = ?, updated_at = ? WHERE event_id = ?",
			micros(start), micros(end), micros(s.now()), eventID)
		return err
	})
}

// Finalize records the final results: refused before the publication
// period has ended, while an appeal is open, or while a re-mark is unfinished.
func (s *Store) Finalize(ctx context.Context, eventID int64, actor string) error {
	now := s.now()
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		w, err := workflow(ctx, tx, eventID)
		if err != nil {
			return err
		}
		if err := w.FinalizeAllowed(now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO finals (event_id, finalized_at, finalized_by) VALUES (?, ?, ?)",
			eventID, micros(now), actor); err != nil {
			return fmt.Errorf("insert final: %w", err)
		}
		if _, err := bumpRevision(ctx, tx, eventID); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, &eventID, actor, "results.final", "", map[string]any{"appeals": w.Appeals}, now)
	})
}

// RequireFinal refuses unless the event's results are final.
func (s *Store) RequireFinal(ctx context.Context, eventID int64) error {
	w, err := s.Workflow(ctx, eventID)
	if err != nil {
		return err
	}
	return w.FinalRequired()
}
