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
	// PhotoSpec is the photo the batch's office asks for (migration 030).
	PhotoSpec
}

// PhotoSpec bounds a batch's candidate photos in pixels and KB; a zero
// bound leaves the photo store's own (package photos). An exact size, such
// as the 358×441 photo many offices ask for, is a minimum equal to the
// maximum.
type PhotoSpec struct {
	MinWidth  int `db:"photo_min_width" json:"min_width"`
	MinHeight int `db:"photo_min_height" json:"min_height"`
	MaxWidth  int `db:"photo_max_width" json:"max_width"`
	MaxHeight int `db:"photo_max_height" json:"max_height"`
	MaxKB     int `db:"photo_max_kb" json:"max_kb"`
}

// IsZero reports a spec that adds nothing to the photo store's bounds.
func (p PhotoSpec) IsZero() bool { return p == PhotoSpec{} }

// Bounds of a photo spec a person may set: the photo store itself takes
// 100×130 to 4000×4000 pixels and 2 MB.
const (
	photoSideMin = 50
	photoSideMax = 4000
	photoKBMax   = 2048
)

func checkPhotoSpec(p PhotoSpec) error {
	for _, v := range []struct {
		name string
		n    int
	}{{"照片最小宽度", p.MinWidth}, {"照片最小高度", p.MinHeight}, {"照片最大宽度", p.MaxWidth}, {"照片最大高度", p.MaxHeight}} {
		if v.n != 0 && (v.n < photoSideMin || v.n > photoSideMax) {
			return skillscore.Errorf(skillscore.EInvalid, "%s应为 %d–%d 像素（0 表示不限），而不是 %d", v.name, photoSideMin, photoSideMax, v.n)
		}
	}
	if p.MaxWidth != 0 && p.MinWidth > p.MaxWidth || p.MaxHeight != 0 && p.MinHeight > p.MaxHeight {
		return skillscore.Errorf(skillscore.EInvalid, "照片的最小尺寸 %d×%d 大于最大尺寸 %d×%d", p.MinWidth, p.MinHeight, p.MaxWidth, p.MaxHeight)
	}
	if p.MaxKB != 0 && (p.MaxKB < 10 || p.MaxKB > photoKBMax) {
		return skillscore.Errorf(skillscore.EInvalid, "照片大小上限应为 10–%d KB（0 表示不限），而不是 %d", photoKBMax, p.MaxKB)
	}
	return nil
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
	if err := checkBatch(&b); err != nil {
		return Batch{}, err
	}
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		b, err = s.saveBatchTx(ctx, tx, b, actor, s.now())
		return err
	})
	if err != nil {
		return Batch{}, err
	}
	return b, nil
}

// checkBatch trims and checks what SaveBatch checks before any SQL.
func checkBatch(b *Batch) error {
	b.BatchNo, b.EndsOn = strings.TrimSpace(b.BatchNo), strings.TrimSpace(b.EndsOn)
	if !batchNo.MatchString(b.BatchNo) {
		return skillscore.Errorf(skillscore.EInvalid, "批次号 %q 无效：只能用字母、数字和连字符，1–32 个字符", b.BatchNo)
	}
	if b.EndsOn != "" {
		if _, err := time.Parse(time.DateOnly, b.EndsOn); err != nil || !isoDay.MatchString(b.EndsOn) {
			return skillscore.Errorf(skillscore.EInvalid, "结束日期 %q 无效：应为 YYYY-MM-DD", b.EndsOn)
		}
	}
	if b.PublicityDays < 1 || b.PublicityDays > 30 {
		return skillscore.Errorf(skillscore.EInvalid, "公示期应为 1–30 个工作日，而不是 %d", b.PublicityDays)
	}
	if b.RetakeMonths < 1 || b.RetakeMonths > 60 {
		return skillscore.Errorf(skillscore.EInvalid, "补考有效期应为 1–60 个月，而不是 %d", b.RetakeMonths)
	}
	return checkPhotoSpec(b.PhotoSpec)
}

// saveBatchTx is SaveBatch inside a caller's transaction, b checked.
func (s *Store) saveBatchTx(ctx context.Context, tx *sqlx.Tx, b Batch, actor string, now time.Time) (Batch, error) {
	var ev Event
	err := tx.GetContext(ctx, &ev, "SELECT * FROM events WHERE id = ?", b.EventID)
	if errors.Is(err, sql.ErrNoRows) {
		return Batch{}, skillscore.Errorf(skillscore.ENotFound, "考评活动 %d 不存在", b.EventID)
	}
	if err != nil {
		return Batch{}, fmt.Errorf("load event %d: %w", b.EventID, err)
	}
	if ev.Kind != "assessment" {
		return Batch{}, skillscore.Errorf(skillscore.EInvalid, "%s 是竞赛，不是等级认定，不能设为认定批次", ev.Code)
	}
	if b.EndsOn != "" && ev.StartsOn != "" && b.EndsOn < ev.StartsOn {
		return Batch{}, skillscore.Errorf(skillscore.EInvalid, "结束日期 %s 早于开始日期 %s", b.EndsOn, ev.StartsOn)
	}
	var old Batch
	err = tx.GetContext(ctx, &old, "SELECT * FROM batches WHERE event_id = ?", b.EventID)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		b.CreatedAt, b.UpdatedAt = Time{now}, Time{now}
		_, err = tx.NamedExecContext(ctx, `INSERT INTO batches (event_id, batch_no, ends_on, publicity_days, retake_months, created_at, updated_at,
			photo_min_width, photo_min_height, photo_max_width, photo_max_height, photo_max_kb)
			VALUES (:event_id, :batch_no, :ends_on, :publicity_days, :retake_months, :created_at, :updated_at,
			:photo_min_width, :photo_min_height, :photo_max_width, :photo_max_height, :photo_max_kb)`, b)
	case err != nil:
		return Batch{}, fmt.Errorf("load batch: %w", err)
	default:
		b.CreatedAt, b.UpdatedAt = old.CreatedAt, Time{now}
		_, err = tx.NamedExecContext(ctx, `UPDATE batches SET batch_no = :batch_no, ends_on = :ends_on,
			publicity_days = :publicity_days, retake_months = :retake_months, updated_at = :updated_at,
			photo_min_width = :photo_min_width, photo_min_height = :photo_min_height, photo_max_width = :photo_max_width,
			photo_max_height = :photo_max_height, photo_max_kb = :photo_max_kb WHERE event_id = :event_id`, b)
	}
	if isUniqueViolation(err) {
		return Batch{}, skillscore.Errorf(skillscore.EConflict, "批次号 %s 已被另一批次使用", b.BatchNo)
	}
	if err != nil {
		return Batch{}, fmt.Errorf("save batch: %w", err)
	}
	return b, s.appendAudit(ctx, tx, &ev.ID, actor, "batch.save", batchSubject(ev.Code), map[string]any{
		"batch_no": b.BatchNo, "ends_on": b.EndsOn, "publicity_days": b.PublicityDays, "retake_months": b.RetakeMonths,
		"photo": b.PhotoSpec}, now)
}

// CreateBatch creates an assessment batch in one step, all or nothing: its
// event (kind assessment, with its groups and modules), its batch details
// and its exam rooms.
func (s *Store) CreateBatch(ctx context.Context, ne NewEvent, b Batch, rooms []ExamRoom, actor string) (Event, Batch, error) {
	if ne.Event.Kind != "assessment" {
		return Event{}, Batch{}, skillscore.Errorf(skillscore.EInvalid, "认定批次的考评活动须为等级认定（assessment），而不是 %q", ne.Event.Kind)
	}
	if err := checkBatch(&b); err != nil {
		return Event{}, Batch{}, err
	}
	if err := checkRooms(rooms); err != nil {
		return Event{}, Batch{}, err
	}
	var ev Event
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		now := s.now()
		var err error
		if ev, err = s.createEventTx(ctx, tx, ne, actor, now); err != nil {
			return err
		}
		b.EventID = ev.ID
		if b, err = s.saveBatchTx(ctx, tx, b, actor, now); err != nil {
			return err
		}
		if len(rooms) == 0 {
			return nil
		}
		return s.setExamRoomsTx(ctx, tx, ev, rooms, actor, now)
	})
	if err != nil {
		return Event{}, Batch{}, err
	}
	return ev, b, nil
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

// Lengths of a room's site and name: a session's venue joins them and
// has 100 characters.
const (
	maxRoomSite = 40
	maxRoomName = 40
)

// SetExamRooms replaces a batch's exam rooms, all or nothing: codes unique,
// every room named (site and name unique too: they are its sessions'
// venue) with at least one seat. Refused while candidates are seated: the
// seating is withdrawn first.
func (s *Store) SetExamRooms(ctx context.Context, eventID int64, rooms []ExamRoom, actor string) error {
	if err := checkRooms(rooms); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		ev, err := batchEvent(ctx, tx, eventID)
		if err != nil {
			return err
		}
		return s.setExamRoomsTx(ctx, tx, ev, rooms, actor, s.now())
	})
}

func checkRooms(rooms []ExamRoom) error {
	seen, names := map[string]bool{}, map[string]string{}
	for i := range rooms {
		r := &rooms[i]
		r.Position = i + 1
		r.Code, r.Site, r.Name = strings.TrimSpace(r.Code), strings.TrimSpace(r.Site), strings.TrimSpace(r.Name)
		place := r.Site + " " + r.Name
		switch {
		case !roomCode.MatchString(r.Code):
			return skillscore.Errorf(skillscore.EInvalid, "第 %d 个考场的代码 %q 无效：只能用字母、数字和连字符", i+1, r.Code)
		case seen[r.Code]:
			return skillscore.Errorf(skillscore.EInvalid, "考场代码 %s 重复", r.Code)
		case r.Name == "":
			return skillscore.Errorf(skillscore.EInvalid, "考场 %s 没有名称", r.Code)
		case len([]rune(r.Name)) > maxRoomName || len([]rune(r.Site)) > maxRoomSite:
			return skillscore.Errorf(skillscore.EInvalid, "考场 %s 的考点或名称太长：考点最多 %d 字，名称最多 %d 字", r.Code, maxRoomSite, maxRoomName)
		case names[place] != "":
			return skillscore.Errorf(skillscore.EInvalid, "考场 %s 与 %s 的考点和名称相同（%s）：同一考点的考场名称须不同", r.Code, names[place], strings.TrimSpace(place))
		case r.Seats < 1 || r.Seats > 500:
			return skillscore.Errorf(skillscore.EInvalid, "考场 %s 的座位数应为 1–500，而不是 %d", r.Code, r.Seats)
		}
		seen[r.Code], names[place] = true, r.Code
	}
	return nil
}

// setExamRoomsTx is SetExamRooms inside a caller's transaction, the rooms
// checked.
func (s *Store) setExamRoomsTx(ctx context.Context, tx *sqlx.Tx, ev Event, rooms []ExamRoom, actor string, now time.Time) error {
	var seated int
	if err := tx.GetContext(ctx, &seated, "SELECT COUNT(*) FROM seat_assignments WHERE event_id = ?", ev.ID); err != nil {
		return fmt.Errorf("count seats: %w", err)
	}
	if seated > 0 {
		return skillscore.Errorf(skillscore.EConflict, "已有 %d 名考生分配了座位：请先撤销座位安排，再修改考场", seated)
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM exam_rooms WHERE event_id = ?", ev.ID); err != nil {
		return fmt.Errorf("clear exam rooms: %w", err)
	}
	seats := 0
	for _, r := range rooms {
		r.EventID = ev.ID
		if _, err := tx.NamedExecContext(ctx, `INSERT INTO exam_rooms (event_id, code, site, name, seats, position)
			VALUES (:event_id, :code, :site, :name, :seats, :position)`, r); err != nil {
			return fmt.Errorf("insert exam room %s: %w", r.Code, err)
		}
		seats += r.Seats
	}
	return s.appendAudit(ctx, tx, &ev.ID, actor, "batch.rooms", batchSubject(ev.Code),
		map[string]any{"rooms": len(rooms), "seats": seats}, now)
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

// Column sizes of the candidates table, in characters.
const (
	maxEthnicity     = 20
	maxEducation     = 20
	maxQualification = 200
	maxLevelCertNo   = 32
)

// saveCandidatesTx is SaveCandidates inside a caller's transaction (the
// roster import stores candidates with their contestants). It takes a few
// statements whatever the count: a batch of thousands is imported at once.
func (s *Store) saveCandidatesTx(ctx context.Context, tx *sqlx.Tx, eventID int64, cs []Candidate) error {
	if len(cs) == 0 {
		return nil
	}
	var ids []int64
	if err := tx.SelectContext(ctx, &ids, "SELECT id FROM contestants WHERE event_id = ?", eventID); err != nil {
		return fmt.Errorf("batch contestants: %w", err)
	}
	own := make(map[int64]bool, len(ids))
	for _, id := range ids {
		own[id] = true
	}
	seen := make(map[int64]bool, len(cs))
	rows := make([][]any, len(cs))
	for i := range cs {
		c := &cs[i]
		c.EventID = eventID
		if c.Source == "" {
			c.Source = SourceNew
		}
		switch {
		case c.Source != SourceNew && c.Source != SourceRetake:
			return skillscore.Errorf(skillscore.EInvalid, "考生来源 %q 无效：应为新考或补考", c.Source)
		case !own[c.ContestantID]:
			return skillscore.Errorf(skillscore.ENotFound, "考生 %d 不在本批次", c.ContestantID)
		case seen[c.ContestantID]:
			return skillscore.Errorf(skillscore.EInvalid, "考生 %d 的考生信息出现了两次", c.ContestantID)
		case len([]rune(c.Ethnicity)) > maxEthnicity || len([]rune(c.Education)) > maxEducation ||
			len([]rune(c.Qualification)) > maxQualification || len([]rune(c.LevelCertNo)) > maxLevelCertNo:
			return skillscore.Errorf(skillscore.EInvalid, "考生 %d 的民族、文化程度、申报条件或证书编号超过长度上限（%d、%d、%d、%d 字）",
				c.ContestantID, maxEthnicity, maxEducation, maxQualification, maxLevelCertNo)
		}
		seen[c.ContestantID] = true
		rows[i] = []any{c.ContestantID, eventID, c.Ethnicity, c.Education, c.Source, c.Qualification, c.LevelCertNo}
	}
	for start := 0; start < len(cs); start += rosterBatch {
		chunk := cs[start:min(start+rosterBatch, len(cs))]
		q, args := "DELETE FROM candidates WHERE contestant_id IN (?"+strings.Repeat(",?", len(chunk)-1)+")", make([]any, len(chunk))
		for i, c := range chunk {
			args[i] = c.ContestantID
		}
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("replace candidates: %w", err)
		}
	}
	if err := insertRows(ctx, tx, "candidates", []string{"contestant_id", "event_id", "ethnicity", "education", "source",
		"qualification", "level_cert_no"}, rows); err != nil {
		return fmt.Errorf("insert candidates: %w", err)
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

// BatchStage counts a batch's candidates who have reached one stage, by
// 考生来源.
type BatchStage struct {
	New, Retake int
}

// Total is both sources together.
func (c BatchStage) Total() int { return c.New + c.Retake }

// BatchProgress counts a batch's candidates at each stage of its set-up,
// by 考生来源 (a candidate without details counts as 新考). Stages that
// later work adds (准考证, 检录, results …) count themselves.
type BatchProgress struct {
	Imported BatchStage // on the roster
	Photo    BatchStage // with a photo
	Numbered BatchStage // with a 准考证号
	Seated   BatchStage // with a room and seat
	Absent   BatchStage // status 缺考
}

// BatchProgressOf counts a batch's candidates by stage and source in one
// query.
func (s *Store) BatchProgressOf(ctx context.Context, eventID int64) (BatchProgress, error) {
	var rows []struct {
		Source   string `db:"source"`
		Imported int    `db:"imported"`
		Photo    int    `db:"photo"`
		Numbered int    `db:"numbered"`
		Seated   int    `db:"seated"`
		Absent   int    `db:"absent"`
	}
	err := s.r.SelectContext(ctx, &rows, `SELECT COALESCE(cd.source, 'new') AS source, COUNT(*) AS imported,
		COUNT(p.contestant_id) AS photo, COUNT(e.contestant_id) AS numbered, COUNT(sa.contestant_id) AS seated,
		COALESCE(SUM(CASE WHEN c.status = 'absent' THEN 1 ELSE 0 END), 0) AS absent
		FROM contestants c
		LEFT JOIN candidates cd ON cd.contestant_id = c.id
		LEFT JOIN photos p ON p.contestant_id = c.id
		LEFT JOIN entry_cards e ON e.contestant_id = c.id
		LEFT JOIN seat_assignments sa ON sa.contestant_id = c.id
		WHERE c.event_id = ? AND c.kind <> 'team'
		GROUP BY COALESCE(cd.source, 'new')`, eventID)
	if err != nil {
		return BatchProgress{}, fmt.Errorf("batch progress: %w", err)
	}
	var out BatchProgress
	for _, r := range rows {
		add := func(st *BatchStage, n int) {
			if r.Source == SourceRetake {
				st.Retake += n
			} else {
				st.New += n
			}
		}
		add(&out.Imported, r.Imported)
		add(&out.Photo, r.Photo)
		add(&out.Numbered, r.Numbered)
		add(&out.Seated, r.Seated)
		add(&out.Absent, r.Absent)
	}
	return out, nil
}
