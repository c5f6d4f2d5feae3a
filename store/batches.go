package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"skillscore"
)

// Batch is what an assessment body records about one assessment sitting
// (认定批次) beside its event: the event holds occupation, its code, 工种
// (Specialty), level, first day and venue.
type Batch struct {
	EventID       int64  `db:"event_id"`
	BatchNo       string `db:"batch_no"`
	EndsOn        string `db:"ends_on"`        // YYYY-MM-DD, "" = one day
	PublicityDays int    `db:"publicity_days"` // 公示 in working days
	RetakeMonths  int    `db:"retake_months"`  // how long a passed part carries to a 补考
	CreatedAt     Time   `db:"created_at"`
	UpdatedAt     Time   `db:"updated_at"`
}

// ExamRoom is a 考场 of a batch at a site (考点), with its seats.
type ExamRoom struct {
	ID       int64  `db:"id"`
	EventID  int64  `db:"event_id"`
	Code     string `db:"code"`
	Site     string `db:"site"`
	Name     string `db:"name"`
	Seats    int    `db:"seats"`
	Position int    `db:"position"`
}

// Candidate sources (考生来源).
const (
	SourceNew    = "new"    // 新考
	SourceRetake = "retake" // 补考
)

// SourceName is the Chinese name of a candidate source.
func SourceName(source string) string {
	if source == SourceRetake {
		return "补考"
	}
	return "新考"
}

// Candidate is what an office asks of a 考生 beyond the contestant row.
type Candidate struct {
	ContestantID  int64  `db:"contestant_id"`
	EventID       int64  `db:"event_id"`
	Ethnicity     string `db:"ethnicity"`     // 民族
	Education     string `db:"education"`     // 文化程度
	Source        string `db:"source"`        // SourceNew | SourceRetake
	Qualification string `db:"qualification"` // 申报条件
	LevelCertNo   string `db:"level_cert_no"` // the current level's certificate number
}

var (
	batchNo  = regexp.MustCompile(`^[0-9A-Za-z][0-9A-Za-z-]{0,31}$`)
	roomCode = regexp.MustCompile(`^[0-9A-Za-z][0-9A-Za-z-]{0,31}$`)
	isoDay   = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
)

func batchSubject(code string) string { return "event:" + code }

// SaveBatch records (or updates) the batch details of an assessment event;
// an event of another kind is refused.
func (s *Store) SaveBatch(ctx context.Context, b Batch, actor string) (Batch, error) {
	b.BatchNo, b.EndsOn = strings.TrimSpace(b.BatchNo), strings.TrimSpace(b.EndsOn)
	if !batchNo.MatchString(b.BatchNo) {
		return Batch{}, skillscore.Errorf(skillscore.EInvalid, "批次号 %q 无效：只能用字母、数字和连字符，1–32 个字符", b.BatchNo)
	}
	if b.EndsOn != "" {
		if _, err := time.Parse(time.DateOnly, b.EndsOn); err != nil || !isoDay.MatchString(b.EndsOn) {
			return Batch{}, skillscore.Errorf(skillscore.EInvalid, "结束日期 %q 无效：应为 YYYY-MM-DD", b.EndsOn)
		}
	}
	if b.PublicityDays < 1 || b.PublicityDays > 30 {
		return Batch{}, skillscore.Errorf(skillscore.EInvalid, "公示期应为 1–30 个工作日，而不是 %d", b.PublicityDays)
	}
	if b.RetakeMonths < 1 || b.RetakeMonths > 60 {
		return Batch{}, skillscore.Errorf(skillscore.EInvalid, "补考有效期应为 1–60 个月，而不是 %d", b.RetakeMonths)
	}
	now := s.now()
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var ev Event
		err := tx.GetContext(ctx, &ev, "SELECT * FROM events WHERE id = ?", b.EventID)
		if errors.Is(err, sql.ErrNoRows) {
			return skillscore.Errorf(skillscore.ENotFound, "考评活动 %d 不存在", b.EventID)
		}
		if err != nil {
			return fmt.Errorf("load event %d: %w", b.EventID, err)
		}
		if ev.Kind != "assessment" {
			return skillscore.Errorf(skillscore.EInvalid, "%s 是竞赛，不是等级认定，不能设为认定批次", ev.Code)
		}
		if b.EndsOn != "" && ev.StartsOn != "" && b.EndsOn < ev.StartsOn {
			return skillscore.Errorf(skillscore.EInvalid, "结束日期 %s 早于开始日期 %s", b.EndsOn, ev.StartsOn)
		}
		var old Batch
		err = tx.GetContext(ctx, &old, "SELECT * FROM batches WHERE event_id = ?", b.EventID)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			b.CreatedAt, b.UpdatedAt = Time{now}, Time{now}
			_, err = tx.NamedExecContext(ctx, `INSERT INTO batches (event_id, batch_no, ends_on, publicity_days, retake_months, created_at, updated_at)
				VALUES (:event_id, :batch_no, :ends_on, :publicity_days, :retake_months, :created_at, :updated_at)`, b)
		case err != nil:
			return fmt.Errorf("load batch: %w", err)
		default:
			b.CreatedAt, b.UpdatedAt = old.CreatedAt, Time{now}
			_, err = tx.NamedExecContext(ctx, `UPDATE batches SET batch_no = :batch_no, ends_on = :ends_on,
				publicity_days = :publicity_days, retake_months = :retake_months, updated_at = :updated_at WHERE event_id = :event_id`, b)
		}
		if isUniqueViolation(err) {
			return skillscore.Errorf(skillscore.EConflict, "批次号 %s 已被另一批次使用", b.BatchNo)
		}
		if err != nil {
			return fmt.Errorf("save batch: %w", err)
		}
		return s.appendAudit(ctx, tx, &ev.ID, actor, "batch.save", batchSubject(ev.Code), map[string]any{
			"batch_no": b.BatchNo, "ends_on": b.EndsOn, "publicity_days": b.PublicityDays, "retake_months": b.RetakeMonths}, now)
	})
	if err != nil {
		return Batch{}, err
	}
	return b, nil
}

// Batch returns the batch details of an event (ENotFound when the event is
// no assessment batch).
func (s *Store) Batch(ctx context.Context, eventID int64) (Batch, error) {
	var b Batch
	err := s.r.GetContext(ctx, &b, "SELECT * FROM batches WHERE event_id = ?", eventID)
	if errors.Is(err, sql.ErrNoRows) {
		return Batch{}, skillscore.Errorf(skillscore.ENotFound, "考评活动 %d 没有批次信息", eventID)
	}
	if err != nil {
		return Batch{}, fmt.Errorf("load batch %d: %w", eventID, err)
	}
	return b, nil
}

// Batches lists every assessment batch, newest first.
func (s *Store) Batches(ctx context.Context) ([]Batch, error) {
	var out []Batch
	if err := s.r.SelectContext(ctx, &out, "SELECT * FROM batches ORDER BY created_at DESC, event_id DESC"); err != nil {
		return nil, fmt.Errorf("list batches: %w", err)
	}
	return out, nil
}

// SetExamRooms replaces a batch's exam rooms, all or nothing: codes unique,
// every room named with at least one seat.
func (s *Store) SetExamRooms(ctx context.Context, eventID int64, rooms []ExamRoom, actor string) error {
	seen := map[string]bool{}
	for i := range rooms {
		r := &rooms[i]
		r.EventID, r.Position = eventID, i+1
		r.Code, r.Site, r.Name = strings.TrimSpace(r.Code), strings.TrimSpace(r.Site), strings.TrimSpace(r.Name)
		switch {
		case !roomCode.MatchString(r.Code):
			return skillscore.Errorf(skillscore.EInvalid, "第 %d 个考场的代码 %q 无效：只能用字母、数字和连字符", i+1, r.Code)
		case seen[r.Code]:
			return skillscore.Errorf(skillscore.EInvalid, "考场代码 %s 重复", r.Code)
		case r.Name == "":
			return skillscore.Errorf(skillscore.EInvalid, "考场 %s 没有名称", r.Code)
		case r.Seats < 1 || r.Seats > 500:
			return skillscore.Errorf(skillscore.EInvalid, "考场 %s 的座位数应为 1–500，而不是 %d", r.Code, r.Seats)
		}
		seen[r.Code] = true
	}
	now := s.now()
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		ev, err := batchEvent(ctx, tx, eventID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM exam_rooms WHERE event_id = ?", eventID); err != nil {
			return fmt.Errorf("clear exam rooms: %w", err)
		}
		seats := 0
		for _, r := range rooms {
			if _, err := tx.NamedExecContext(ctx, `INSERT INTO exam_rooms (event_id, code, site, name, seats, position)
				VALUES (:event_id, :code, :site, :name, :seats, :position)`, r); err != nil {
				return fmt.Errorf("insert exam room %s: %w", r.Code, err)
			}
			seats += r.Seats
		}
		return s.appendAudit(ctx, tx, &eventID, actor, "batch.rooms", batchSubject(ev.Code),
			map[string]any{"rooms": len(rooms), "seats": seats}, now)
	})
}

// ExamRooms lists a batch's exam rooms in order.
func (s *Store) ExamRooms(ctx context.Context, eventID int64) ([]ExamRoom, error) {
	var out []ExamRoom
	if err := s.r.SelectContext(ctx, &out, "SELECT * FROM exam_rooms WHERE event_id = ? ORDER BY position", eventID); err != nil {
		return nil, fmt.Errorf("list exam rooms: %w", err)
	}
	return out, nil
}

// SaveCandidates stores (or replaces) the candidate details of contestants
// of a batch, all or nothing: each must be a contestant of that event.
func (s *Store) SaveCandidates(ctx context.Context, eventID int64, cs []Candidate, actor string) error {
	now := s.now()
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		ev, err := batchEvent(ctx, tx, eventID)
		if err != nil {
			return err
		}
		if err := s.saveCandidatesTx(ctx, tx, eventID, cs); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, &eventID, actor, "batch.candidates", batchSubject(ev.Code),
			map[string]any{"candidates": len(cs)}, now)
	})
}

// saveCandidatesTx is SaveCandidates inside a caller's transaction (the
// roster import stores candidates with their contestants).
func (s *Store) saveCandidatesTx(ctx context.Context, tx *sqlx.Tx, eventID int64, cs []Candidate) error {
	for i := range cs {
		c := &cs[i]
		c.EventID = eventID
		if c.Source == "" {
			c.Source = SourceNew
		}
		if c.Source != SourceNew && c.Source != SourceRetake {
			return skillscore.Errorf(skillscore.EInvalid, "考生来源 %q 无效：应为新考或补考", c.Source)
		}
		var n int
		if err := tx.GetContext(ctx, &n, "SELECT COUNT(*) FROM contestants WHERE id = ? AND event_id = ?", c.ContestantID, eventID); err != nil {
			return fmt.Errorf("check contestant %d: %w", c.ContestantID, err)
		}
		if n == 0 {
			return skillscore.Errorf(skillscore.ENotFound, "考生 %d 不在本批次", c.ContestantID)
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM candidates WHERE contestant_id = ?", c.ContestantID); err != nil {
			return fmt.Errorf("replace candidate %d: %w", c.ContestantID, err)
		}
		if _, err := tx.NamedExecContext(ctx, `INSERT INTO candidates (contestant_id, event_id, ethnicity, education, source, qualification, level_cert_no)
			VALUES (:contestant_id, :event_id, :ethnicity, :education, :source, :qualification, :level_cert_no)`, c); err != nil {
			return fmt.Errorf("insert candidate %d: %w", c.ContestantID, err)
		}
	}
	return nil
}

// Candidates returns a batch's candidate details by contestant id.
func (s *Store) Candidates(ctx context.Context, eventID int64) (map[int64]Candidate, error) {
	var rows []Candidate
	if err := s.r.SelectContext(ctx, &rows, "SELECT * FROM candidates WHERE event_id = ?", eventID); err != nil {
		return nil, fmt.Errorf("list candidates: %w", err)
	}
	out := make(map[int64]Candidate, len(rows))
	for _, c := range rows {
		out[c.ContestantID] = c
	}
	return out, nil
}

// batchEvent loads an assessment event inside a transaction, refusing a
// competition.
func batchEvent(ctx context.Context, tx *sqlx.Tx, eventID int64) (Event, error) {
	var ev Event
	err := tx.GetContext(ctx, &ev, "SELECT * FROM events WHERE id = ?", eventID)
	if errors.Is(err, sql.ErrNoRows) {
		return Event{}, skillscore.Errorf(skillscore.ENotFound, "考评活动 %d 不存在", eventID)
	}
	if err != nil {
		return Event{}, fmt.Errorf("load event %d: %w", eventID, err)
	}
	if ev.Kind != "assessment" {
		return Event{}, skillscore.Errorf(skillscore.EInvalid, "%s 是竞赛，不是等级认定批次", ev.Code)
	}
	return ev, nil
}
