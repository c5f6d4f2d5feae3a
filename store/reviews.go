package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"skillscore"
	"skillscore/levels"
	"skillscore/workdays"
)

// An assessment batch's results are published (公示) for a number of working
// days, then submitted (报审) to the supervising office, whose reviewer
// (审核员) approves the batch or returns it with reasons. Level certificates
// are numbered and issued only after approval. This follows the results
// workflow (workflow.go): submitting makes the results final if they are
// not yet, and a return takes that back so the body's corrections (statuses,
// re-marks, imports) are open again until it submits anew.

// Steps of a batch's review.
const (
	ReviewSubmit  = "submit"  // 报审, by the assessment body
	ReviewApprove = "approve" // 批准, by a reviewer
	ReviewReturn  = "return"  // 退回, by a reviewer, with reasons
)

// States of a batch's review: its last step.
const (
	ReviewNone      = ""          // 未报审
	ReviewSubmitted = "submitted" // 待审核
	ReviewApproved  = "approved"  // 已批准
	ReviewReturned  = "returned"  // 已退回
)

// DefaultPublicityDays is the 公示 of a training-evaluation body (社会培训
// 评价组织), in working days; an employer's is usually 10. A batch sets its
// own (Batch.PublicityDays); an assessment event without batch details uses
// this.
const DefaultPublicityDays = 5

// maxReturnReason bounds a return's reasons, in characters.
const maxReturnReason = 1000

// ReviewStateName is the Chinese name of a review state.
func ReviewStateName(state string) string {
	switch state {
	case ReviewSubmitted:
		return "待审核"
	case ReviewApproved:
		return "已批准"
	case ReviewReturned:
		return "已退回"
	}
	return "未报审"
}

// ReviewActionName is the Chinese name of a review step.
func ReviewActionName(action string) string {
	switch action {
	case ReviewSubmit:
		return "报审"
	case ReviewApprove:
		return "批准"
	case ReviewReturn:
		return "退回"
	}
	return action
}

// ReviewStep is one step of a batch's review, kept for good.
type ReviewStep struct {
	ID      int64   `db:"id"`
	EventID int64   `db:"event_id"`
	Seq     int     `db:"seq"`
	Action  string  `db:"action"`
	Actor   string  `db:"actor"`
	ActedAt Time    `db:"acted_at"`
	Reason  string  `db:"reason"`
	Detail  *string `db:"detail"`
}

// Review is where an assessment batch stands in 公示 and approval, and what
// the refusals below are decided on, so pages and the store refuse alike.
type Review struct {
	Event         Event
	BatchNo       string
	PublicityDays int
	State         string
	Steps         []ReviewStep // oldest first
	Workflow      Workflow
	// Required is the 公示 the batch needs: PublicityDays working days from
	// the publication's start (zero before publication). WorkingDays is how
	// many whole working days the period set holds; Unknown the years it
	// touches that the calendar does not know yet.
	Required    workdays.Period
	WorkingDays int
	Unknown     []int
}

// Last returns the batch's last review step, if any.
func (r Review) Last() (ReviewStep, bool) {
	if len(r.Steps) == 0 {
		return ReviewStep{}, false
	}
	return r.Steps[len(r.Steps)-1], true
}

// LastOf returns the batch's last step of one action, if any.
func (r Review) LastOf(action string) (ReviewStep, bool) {
	for i := len(r.Steps) - 1; i >= 0; i-- {
		if r.Steps[i].Action == action {
			return r.Steps[i], true
		}
	}
	return ReviewStep{}, false
}

// Short reports whether the 公示 period set ends before the batch's
// working days do.
func (r Review) Short() bool {
	return r.Published() && r.Workflow.PublicationEnd.Before(r.Required.End)
}

// Published reports whether a 公示 period is set.
func (r Review) Published() bool {
	return r.Workflow.PublishedAt.Valid() && r.Workflow.PublicationEnd.Valid()
}

// unknownYears names years the calendar lacks, for refusals.
func unknownYears(years []int) string {
	parts := make([]string, len(years))
	for i, y := range years {
		parts[i] = strconv.Itoa(y)
	}
	return strings.Join(parts, "、")
}

// SubmitAllowed says why the batch cannot be submitted (报审) at time now,
// or nil.
func (r Review) SubmitAllowed(now time.Time) error {
	if r.Event.Kind != "assessment" {
		return skillscore.Errorf(skillscore.EInvalid, "%s 是竞赛，不是等级认定批次，无需报审", r.Event.Code)
	}
	last, _ := r.Last()
	switch r.State {
	case ReviewSubmitted:
		return skillscore.Errorf(skillscore.EConflict, "本批次已于 %s 报审，正在等待审核", cnTime(last.ActedAt.Time))
	case ReviewApproved:
		return skillscore.Errorf(skillscore.EConflict, "本批次已于 %s 批准，无需再报审", cnTime(last.ActedAt.Time))
	}
	w := r.Workflow
	switch {
	case !r.Published():
		return skillscore.Errorf(skillscore.EConflict, "成绩尚未公示：须先在成绩发布页公示 %d 个工作日，公示期满后才能报审", r.PublicityDays)
	case len(r.Required.Unknown) > 0:
		// The days required reach into a year the calendar does not know:
		// counted as plain weekdays they might end too early.
		return skillscore.Errorf(skillscore.EConflict, "工作日历中还没有 %s 年的节假日安排，无法确认公示期的工作日：请先录入（skillscore batch calendar set）",
			unknownYears(r.Required.Unknown))
	case r.Short():
		return skillscore.Errorf(skillscore.EConflict, "公示期只有 %d 个工作日，少于本批次规定的 %d 个：请在成绩发布页把公示期延长到 %s 或以后",
			r.WorkingDays, r.PublicityDays, cnTime(r.Required.End))
	case now.Before(w.PublicationEnd.Time):
		return skillscore.Errorf(skillscore.EConflict, "公示期至 %s 才结束（%d 个工作日），期满后才能报审", cnTime(w.PublicationEnd.Time), r.WorkingDays)
	}
	if !w.FinalizedAt.Valid() {
		return w.FinalizeAllowed(now)
	}
	return nil
}

// DecideAllowed says why a reviewer cannot approve or return the batch now,
// or nil.
func (r Review) DecideAllowed() error {
	last, _ := r.Last()
	switch r.State {
	case ReviewNone:
		return skillscore.Errorf(skillscore.EConflict, "本批次尚未报审，没有可审核的内容")
	case ReviewApproved:
		return skillscore.Errorf(skillscore.EConflict, "本批次已于 %s 由 %s 批准，不能重复审核", cnTime(last.ActedAt.Time), last.Actor)
	case ReviewReturned:
		return skillscore.Errorf(skillscore.EConflict, "本批次已于 %s 退回，须由评价机构修改后重新报审", cnTime(last.ActedAt.Time))
	}
	return nil
}

// IssueAllowed says why the batch's level certificates cannot be numbered
// and issued yet, or nil. A competition's certificates never wait for it.
func (r Review) IssueAllowed() error {
	if r.Event.Kind != "assessment" || r.State == ReviewApproved {
		return nil
	}
	return skillscore.Errorf(skillscore.EConflict,
		"本批次%s：职业技能等级证书须在监管部门审核员批准后才能编号和签发（报审页 /events/%s/batch/review）",
		ReviewStateName(r.State), r.Event.Code)
}

// BatchReview reads an event's review and 公示 state.
func (s *Store) BatchReview(ctx context.Context, eventID int64) (Review, error) {
	tx, err := s.r.BeginTxx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return Review{}, fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	return batchReview(ctx, tx, eventID)
}

func batchReview(ctx context.Context, tx *sqlx.Tx, eventID int64) (Review, error) {
	var r Review
	err := tx.GetContext(ctx, &r.Event, "SELECT * FROM events WHERE id = ?", eventID)
	if errors.Is(err, sql.ErrNoRows) {
		return Review{}, skillscore.Errorf(skillscore.ENotFound, "考评活动 %d 不存在", eventID)
	}
	if err != nil {
		return Review{}, fmt.Errorf("load event %d: %w", eventID, err)
	}
	var b Batch
	err = tx.GetContext(ctx, &b, "SELECT * FROM batches WHERE event_id = ?", eventID)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		r.PublicityDays = DefaultPublicityDays
	case err != nil:
		return Review{}, fmt.Errorf("load batch: %w", err)
	default:
		r.BatchNo, r.PublicityDays = b.BatchNo, b.PublicityDays
	}
	if err := tx.SelectContext(ctx, &r.Steps, "SELECT * FROM batch_reviews WHERE event_id = ? ORDER BY seq", eventID); err != nil {
		return Review{}, fmt.Errorf("batch reviews: %w", err)
	}
	if last, ok := r.Last(); ok {
		r.State = map[string]string{ReviewSubmit: ReviewSubmitted, ReviewApprove: ReviewApproved, ReviewReturn: ReviewReturned}[last.Action]
	}
	if r.Workflow, err = workflow(ctx, tx, eventID); err != nil {
		return Review{}, err
	}
	if r.Published() {
		cal, err := loadCalendar(ctx, tx)
		if err != nil {
			return Review{}, err
		}
		start := r.Workflow.PublishedAt.In(skillscore.China())
		if r.Required, err = cal.From(start, r.PublicityDays); err != nil {
			return Review{}, err
		}
		var unknown []int
		r.WorkingDays, unknown = cal.Count(start, r.Workflow.PublicationEnd.Time)
		r.Unknown = mergeYears(r.Required.Unknown, unknown)
	}
	return r, nil
}

func mergeYears(a, b []int) []int {
	out := append([]int(nil), a...)
	for _, y := range b {
		found := false
		for _, x := range out {
			found = found || x == y
		}
		if !found {
			out = append(out, y)
		}
	}
	return out
}

// PublicityPeriod is the 公示 an assessment event published at start needs:
// its batch's working days counted on the calendar. ok is false for a
// competition, whose period the organizer sets.
func (s *Store) PublicityPeriod(ctx context.Context, eventID int64, start time.Time) (p workdays.Period, days int, ok bool, err error) {
	tx, err := s.r.BeginTxx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return p, 0, false, fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	return publicityPeriod(ctx, tx, eventID, start)
}

func publicityPeriod(ctx context.Context, tx *sqlx.Tx, eventID int64, start time.Time) (workdays.Period, int, bool, error) {
	var rule struct {
		Kind string        `db:"kind"`
		Days sql.NullInt64 `db:"publicity_days"`
	}
	err := tx.GetContext(ctx, &rule, `SELECT e.kind, b.publicity_days FROM events e LEFT JOIN batches b ON b.event_id = e.id
		WHERE e.id = ?`, eventID)
	if errors.Is(err, sql.ErrNoRows) {
		return workdays.Period{}, 0, false, skillscore.Errorf(skillscore.ENotFound, "考评活动 %d 不存在", eventID)
	}
	if err != nil {
		return workdays.Period{}, 0, false, fmt.Errorf("publicity rule: %w", err)
	}
	if rule.Kind != "assessment" {
		return workdays.Period{}, 0, false, nil
	}
	days := DefaultPublicityDays
	if rule.Days.Valid {
		days = int(rule.Days.Int64)
	}
	cal, err := loadCalendar(ctx, tx)
	if err != nil {
		return workdays.Period{}, 0, false, err
	}
	p, err := cal.From(start.In(skillscore.China()), days)
	if err != nil {
		return workdays.Period{}, 0, false, err
	}
	return p, days, true, nil
}

// SubmitBatch submits an assessment batch for review (报审) once its 公示
// has run its working days: the results become final in the same
// transaction if they were not. Audited as batch.submit.
func (s *Store) SubmitBatch(ctx context.Context, eventID int64, actor string) error {
	now := s.now()
	return s.reviewStep(ctx, eventID, func(tx *sqlx.Tx, r Review) (ReviewStep, map[string]any, error) {
		if err := r.SubmitAllowed(now); err != nil {
			return ReviewStep{}, nil, err
		}
		if !r.Workflow.FinalizedAt.Valid() {
			if _, err := tx.ExecContext(ctx, "INSERT INTO finals (event_id, finalized_at, finalized_by) VALUES (?, ?, ?)",
				eventID, micros(now), actor); err != nil {
				return ReviewStep{}, nil, fmt.Errorf("insert final: %w", err)
			}
			if _, err := bumpRevision(ctx, tx, eventID); err != nil {
				return ReviewStep{}, nil, err
			}
			if err := s.appendAudit(ctx, tx, &eventID, actor, "results.final", "", map[string]any{"appeals": r.Workflow.Appeals,
				"by": "batch.submit"}, now); err != nil {
				return ReviewStep{}, nil, err
			}
		}
		var candidates int
		if err := tx.GetContext(ctx, &candidates, "SELECT COUNT(*) FROM contestants WHERE event_id = ?", eventID); err != nil {
			return ReviewStep{}, nil, fmt.Errorf("count candidates: %w", err)
		}
		return ReviewStep{Action: ReviewSubmit, Actor: actor, ActedAt: Time{now}}, map[string]any{
			"candidates": candidates, "appeals": r.Workflow.Appeals, "publicity_days": r.PublicityDays, "working_days": r.WorkingDays,
			"published_at": r.Workflow.PublishedAt.UTC().Format(time.RFC3339), "publication_end": r.Workflow.PublicationEnd.UTC().Format(time.RFC3339)}, nil
	})
}

// ApproveBatch records a reviewer's approval of a submitted batch: actor
// must hold the reviewer role over the event (site-wide, through its
// programme or on the event) and must not be who submitted it. Audited as
// batch.approve.
func (s *Store) ApproveBatch(ctx context.Context, eventID int64, actor string) error {
	now := s.now()
	return s.reviewStep(ctx, eventID, func(tx *sqlx.Tx, r Review) (ReviewStep, map[string]any, error) {
		if err := s.reviewerMayDecide(ctx, tx, r, actor); err != nil {
			return ReviewStep{}, nil, err
		}
		return ReviewStep{Action: ReviewApprove, Actor: actor, ActedAt: Time{now}}, nil, nil
	})
}

// ReturnBatch returns a submitted batch to the body with the reviewer's
// reasons (required): the results are no longer final, so the body can
// correct them and submit again. Audited as batch.return.
func (s *Store) ReturnBatch(ctx context.Context, eventID int64, reason, actor string) error {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return skillscore.Errorf(skillscore.EInvalid, "退回须写明原因，评价机构将据此修改")
	}
	if utf8.RuneCountInString(reason) > maxReturnReason {
		return skillscore.Errorf(skillscore.EInvalid, "退回原因过长：至多 %d 字", maxReturnReason)
	}
	now := s.now()
	return s.reviewStep(ctx, eventID, func(tx *sqlx.Tx, r Review) (ReviewStep, map[string]any, error) {
		if err := s.reviewerMayDecide(ctx, tx, r, actor); err != nil {
			return ReviewStep{}, nil, err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM finals WHERE event_id = ?", eventID); err != nil {
			return ReviewStep{}, nil, fmt.Errorf("reopen results: %w", err)
		}
		if _, err := bumpRevision(ctx, tx, eventID); err != nil {
			return ReviewStep{}, nil, err
		}
		return ReviewStep{Action: ReviewReturn, Actor: actor, ActedAt: Time{now}, Reason: reason}, map[string]any{
			"reopened_final": r.Workflow.FinalizedAt.UTC().Format(time.RFC3339)}, nil
	})
}

// reviewerMayDecide refuses a decision on a batch not awaiting one, by a
// user who is not a reviewer of the event, or by the user who submitted it.
func (s *Store) reviewerMayDecide(ctx context.Context, tx *sqlx.Tx, r Review, actor string) error {
	if err := r.DecideAllowed(); err != nil {
		return err
	}
	ok, err := holdsRole(ctx, tx, actor, r.Event.ID, RoleReviewer)
	if err != nil {
		return err
	}
	if !ok {
		return skillscore.Errorf(skillscore.EForbidden, "%s 不是本批次的审核员：只有监管部门的审核员可以批准或退回认定批次", actor)
	}
	if last, _ := r.Last(); last.Actor == actor {
		return skillscore.Errorf(skillscore.EForbidden, "审核员不能审核自己报审的批次")
	}
	return nil
}

// holdsRole reports whether the user named username holds role over the
// event: site-wide, through the event's programme or on the event itself.
func holdsRole(ctx context.Context, tx *sqlx.Tx, username string, eventID int64, role string) (bool, error) {
	var n int
	err := tx.GetContext(ctx, &n, `SELECT COUNT(*) FROM user_grants g
		JOIN users u ON u.id = g.user_id
		JOIN events e ON e.id = ?
		WHERE u.username = ? AND g.role = ? AND (
			(g.programme_id IS NULL AND g.event_id IS NULL)
			OR g.event_id = e.id
			OR (g.programme_id IS NOT NULL AND g.programme_id = e.programme_id))`, eventID, username, role)
	if err != nil {
		return false, fmt.Errorf("check role: %w", err)
	}
	return n > 0, nil
}

// reviewStep runs one review step in a transaction: it loads the review,
// lets step decide (refusing, or returning the step and its detail), stores
// the step with the next seq and audits it as batch.<action>. Two steps at
// once on one batch get the same seq; the unique key lets only one commit.
func (s *Store) reviewStep(ctx context.Context, eventID int64, step func(tx *sqlx.Tx, r Review) (ReviewStep, map[string]any, error)) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		r, err := batchReview(ctx, tx, eventID)
		if err != nil {
			return err
		}
		if _, err := batchEvent(ctx, tx, eventID); err != nil {
			return err
		}
		st, detail, err := step(tx, r)
		if err != nil {
			return err
		}
		st.EventID, st.Seq = eventID, len(r.Steps)+1
		if len(detail) > 0 {
			raw, err := json.Marshal(detail)
			if err != nil {
				return fmt.Errorf("review detail: %w", err)
			}
			text := string(raw)
			st.Detail = &text
		} else {
			detail = map[string]any{}
		}
		if _, err := tx.NamedExecContext(ctx, `INSERT INTO batch_reviews (event_id, seq, action, actor, acted_at, reason, detail)
			VALUES (:event_id, :seq, :action, :actor, :acted_at, :reason, :detail)`, st); err != nil {
			if isUniqueViolation(err) {
				return skillscore.Errorf(skillscore.EConflict, "本批次刚刚由他人审核或报审，请刷新页面查看")
			}
			return fmt.Errorf("insert review step: %w", err)
		}
		detail["seq"] = st.Seq
		if st.Reason != "" {
			detail["reason"] = st.Reason
		}
		return s.appendAudit(ctx, tx, &eventID, st.Actor, "batch."+st.Action, batchSubject(r.Event.Code), detail, st.ActedAt.Time)
	})
}

// ReviewItem is one assessment batch with review steps, as the reviewers'
// list shows it: its last step.
type ReviewItem struct {
	EventID    int64        `db:"event_id"`
	Code       string       `db:"code"`
	Name       string       `db:"name"`
	Occupation string       `db:"occupation"`
	Level      levels.Level `db:"level"`
	BatchNo    string       `db:"batch_no"`
	Action     string       `db:"action"`
	Actor      string       `db:"actor"`
	ActedAt    Time         `db:"acted_at"`
	Reason     string       `db:"reason"`
}

// State is the batch's review state.
func (i ReviewItem) State() string {
	return map[string]string{ReviewSubmit: ReviewSubmitted, ReviewApprove: ReviewApproved, ReviewReturn: ReviewReturned}[i.Action]
}

// ReviewQueue lists every batch that has been submitted at least once, by
// its last step, the most recent first; callers keep the ones in a user's
// scope.
func (s *Store) ReviewQueue(ctx context.Context) ([]ReviewItem, error) {
	var out []ReviewItem
	err := s.r.SelectContext(ctx, &out, `SELECT e.id AS event_id, e.code, e.name, e.occupation, e.level,
			COALESCE(b.batch_no, '') AS batch_no, r.action, r.actor, r.acted_at, r.reason
		FROM batch_reviews r
		JOIN events e ON e.id = r.event_id
		LEFT JOIN batches b ON b.event_id = e.id
		WHERE r.seq = (SELECT MAX(r2.seq) FROM batch_reviews r2 WHERE r2.event_id = r.event_id)
		ORDER BY r.acted_at DESC, r.id DESC`)
	if err != nil {
		return nil, fmt.Errorf("review queue: %w", err)
	}
	return out, nil
}

// RequireApproval refuses while an assessment event's batch is not
// approved (level certificates wait for it); nil for a competition.
func (s *Store) RequireApproval(ctx context.Context, eventID int64) error {
	r, err := s.BatchReview(ctx, eventID)
	if err != nil {
		return err
	}
	return r.IssueAllowed()
}

// requireApprovalTx is RequireApproval inside the issuing transaction.
func requireApprovalTx(ctx context.Context, tx *sqlx.Tx, eventID int64) error {
	var kind string
	if err := tx.GetContext(ctx, &kind, "SELECT kind FROM events WHERE id = ?", eventID); err != nil {
		return fmt.Errorf("event kind: %w", err)
	}
	if kind != "assessment" {
		return nil
	}
	r, err := batchReview(ctx, tx, eventID)
	if err != nil {
		return err
	}
	return r.IssueAllowed()
}
