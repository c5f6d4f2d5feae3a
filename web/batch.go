package web

import (
	"context"
	"net/http"
	"strconv"

	"skillscore"
	"skillscore/photos"
	"skillscore/scoring"
	"skillscore/seating"
	"skillscore/sessions"
	"skillscore/store"
)

// BatchStore is what the pages of an assessment batch (认定批次) need. The
// judging store provides it (the same *store.Store), as with
// SessionsStore.
type BatchStore interface {
	CreateBatch(ctx context.Context, ne store.NewEvent, b store.Batch, rooms []store.ExamRoom, actor string) (store.Event, store.Batch, error)
	SaveBatch(ctx context.Context, b store.Batch, actor string) (store.Batch, error)
	Batch(ctx context.Context, eventID int64) (store.Batch, error)
	Batches(ctx context.Context) ([]store.Batch, error)
	Event(ctx context.Context, id int64) (store.Event, error)
	SetExamRooms(ctx context.Context, eventID int64, rooms []store.ExamRoom, actor string) error
	ExamRooms(ctx context.Context, eventID int64) ([]store.ExamRoom, error)
	BatchProgressOf(ctx context.Context, eventID int64) (store.BatchProgress, error)
	SeatingOf(ctx context.Context, eventID int64) (store.Seating, []store.SeatAssignment, error)
	AssignSeats(ctx context.Context, eventID int64, method, seed string, sittings []seating.Sitting, actor string) (store.Seating, error)
	WithdrawSeating(ctx context.Context, eventID int64, actor string) error
	Modules(ctx context.Context, eventID int64) ([]store.Module, error)
	SchedulePeople(ctx context.Context, eventID int64) ([]sessions.Person, error)
	EventPhotos(ctx context.Context, eventID int64) ([]store.Photo, error)
}

var _ BatchStore = (*store.Store)(nil)

func (s *Server) batchStore() (BatchStore, error) {
	st, ok := s.judging.(BatchStore)
	if !ok {
		return nil, skillscore.Errorf(skillscore.EUnavailable, "认定批次功能未启用")
	}
	return st, nil
}

// batchRoute is requireRole for the pages of one assessment batch: it
// loads the event named in the path (after the login check, so no one
// learns which exist) and its batch, answering 404 for an event that is no
// batch (a competition, or an assessment made without its batch details).
func (s *Server) batchRoute(h func(http.ResponseWriter, *http.Request, *authed, store.Event, store.Batch, BatchStore), roles ...string) http.HandlerFunc {
	return s.requireRole(func(w http.ResponseWriter, r *http.Request, u *authed) {
		st, err := s.batchStore()
		if err != nil {
			s.fail(w, r, err)
			return
		}
		ev, ok := s.pathEvent(w, r, true, "")
		if !ok {
			return
		}
		b, err := st.Batch(r.Context(), ev.ID)
		if skillscore.ErrorCode(err) == skillscore.ENotFound {
			err = skillscore.Errorf(skillscore.ENotFound, "%s 不是认定批次（没有批次信息）", ev.Name)
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		h(w, r, u, ev, b, st)
	}, roles...)
}

// batchFacts is a batch as every batch page heads it.
type batchFacts struct {
	Code, Name, BatchNo                   string
	Occupation, OccupationCode, Specialty string
	Level, Days, Venue                    string
	PublicityDays, RetakeMonths           int
	Photo                                 string // the photo spec in words
}

func factsOf(ev store.Event, b store.Batch) batchFacts {
	days := ev.StartsOn
	if b.EndsOn != "" && b.EndsOn != ev.StartsOn {
		days += " 至 " + b.EndsOn
	}
	photo := "照片库通用要求（100×130 至 4000×4000 像素，2 MB 以内）"
	if !b.PhotoSpec.IsZero() {
		photo = photoSpecWords(b.PhotoSpec)
	}
	return batchFacts{Code: ev.Code, Name: ev.Name, BatchNo: b.BatchNo, Occupation: ev.Occupation, OccupationCode: ev.OccupationCode,
		Specialty: ev.Specialty, Level: scoring.LevelName(ev.Level), Days: days, Venue: ev.Venue,
		PublicityDays: b.PublicityDays, RetakeMonths: b.RetakeMonths, Photo: photo}
}

// photoSpecWords states a batch's photo spec: 358×441 像素，100 KB 以内.
func photoSpecWords(p store.PhotoSpec) string {
	out := "不限尺寸"
	if p.MinWidth+p.MinHeight+p.MaxWidth+p.MaxHeight > 0 {
		out = photos.SpecText(p)
	}
	if p.MaxKB > 0 {
		out += "，" + strconv.Itoa(p.MaxKB) + " KB 以内"
	}
	return out
}

// batchStage is one row of the overview's count of candidates: how many
// of each 考生来源 have reached a stage, and the page where it is done.
type batchStage struct {
	Key, Name   string
	New, Retake int
	Link        string
}

// Total is both sources together.
func (st batchStage) Total() int { return st.New + st.Retake }

// roomUse is a room with its seats in use.
type roomUse struct {
	store.ExamRoom
	Used int
}

// Free is the room's seats left.
func (r roomUse) Free() int { return r.Seats - r.Used }

// Percent is the share of its seats in use, for the bar.
func (r roomUse) Percent() int {
	if r.Seats == 0 {
		return 0
	}
	return r.Used * 100 / r.Seats
}

type batchPage struct {
	Title, CSRF, User, Message string
	EventCode, EventName       string
	Facts                      batchFacts
	Rooms                      []roomUse
	Seats, Used, Free          int
	Stages                     []batchStage
	// Seating is the latest seating (nil before the first), with its
	// sittings.
	Seating  *store.Seating
	Sittings []seating.Sitting
	Method   string
	SeatedAt string
}

// handleBatchPage is a batch's overview: its facts, its rooms with seats
// in use, and its candidates counted by 考生来源 and by stage, with the
// pages where each stage is done.
func (s *Server) handleBatchPage(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, b store.Batch, st BatchStore) {
	ctx := r.Context()
	rooms, err := st.ExamRooms(ctx, ev.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	prog, err := st.BatchProgressOf(ctx, ev.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := batchPage{Title: ev.Name + " · 认定批次", CSRF: u.CSRF, User: u.User.Name, Message: r.URL.Query().Get("msg"),
		EventCode: ev.Code, EventName: ev.Name, Facts: factsOf(ev, b)}
	rec, seats, err := st.SeatingOf(ctx, ev.ID)
	switch {
	case err == nil:
		page.Seating, page.Sittings, page.Method = &rec, rec.Parts(), seating.MethodName(rec.Method)
		page.SeatedAt = rec.CreatedAt.In(skillscore.China()).Format("2006-01-02 15:04")
	case skillscore.ErrorCode(err) != skillscore.ENotFound:
		s.fail(w, r, err)
		return
	}
	page.Rooms, page.Seats, page.Used = roomUses(rooms, seats)
	page.Free = page.Seats - page.Used
	base := "/events/" + ev.Code
	// The stages of a batch in the order the work is done. Later work
	// (准考证, 检录, results, approval) adds its own rows here.
	page.Stages = []batchStage{
		{Key: "imported", Name: "已导入名单", New: prog.Imported.New, Retake: prog.Imported.Retake, Link: base + "/roster"},
		{Key: "photo", Name: "已有照片", New: prog.Photo.New, Retake: prog.Photo.Retake, Link: base + "/batch/photos"},
		{Key: "numbered", Name: "已有准考证号", New: prog.Numbered.New, Retake: prog.Numbered.Retake, Link: base + "/batch/seats"},
		{Key: "seated", Name: "已分配考场座位", New: prog.Seated.New, Retake: prog.Seated.Retake, Link: base + "/batch/seats"},
		{Key: "absent", Name: "缺考", New: prog.Absent.New, Retake: prog.Absent.Retake, Link: base + "/checkin"},
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, "batch", page)
}

// roomUses counts each room's seats in use and the totals.
func roomUses(rooms []store.ExamRoom, seats []store.SeatAssignment) ([]roomUse, int, int) {
	used := map[int64]int{}
	for _, a := range seats {
		used[a.RoomID]++
	}
	out := make([]roomUse, len(rooms))
	total, inUse := 0, 0
	for i, r := range rooms {
		out[i] = roomUse{ExamRoom: r, Used: used[r.ID]}
		total += r.Seats
		inUse += used[r.ID]
	}
	return out, total, inUse
}
