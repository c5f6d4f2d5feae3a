package sheets

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"skillscore"
	"skillscore/idnumber"
	"skillscore/scoring"
	"skillscore/sessions"
	"skillscore/store"
)

// BatchRoster is an assessment batch as its admission papers see it: the
// event, its batch details and rooms, the candidates (their personal data
// opened), their 准考证号 and the sittings (sessions whose venue is a room
// and whose stations are its seats, as the seat assignment makes them).
type BatchRoster struct {
	Event      store.Event
	Batch      store.Batch // zero when the batch details are not yet saved
	Rooms      []store.ExamRoom
	Modules    []store.Module
	Candidates []store.Contestant
	EntryNos   map[int64]string // contestant id → 准考证号
	Schedule   []store.SessionState
}

// BatchReader reads what the admission papers are built from
// (*store.Store).
type BatchReader interface {
	Batch(ctx context.Context, eventID int64) (store.Batch, error)
	ExamRooms(ctx context.Context, eventID int64) ([]store.ExamRoom, error)
	Modules(ctx context.Context, eventID int64) ([]store.Module, error)
	Contestants(ctx context.Context, eventID int64) ([]store.Contestant, error)
	SchedulePeople(ctx context.Context, eventID int64) ([]sessions.Person, error)
	Schedule(ctx context.Context, eventID int64) ([]store.SessionState, error)
}

// LoadBatchRoster reads an assessment batch for its admission papers; an
// event of another kind is refused (a competition has 参赛证, not 准考证).
func LoadBatchRoster(ctx context.Context, r BatchReader, ev store.Event) (BatchRoster, error) {
	b := BatchRoster{Event: ev, EntryNos: map[int64]string{}}
	if !scoring.TermsFor(ev.Kind).Assessment() {
		return b, skillscore.Errorf(skillscore.EInvalid, "%s 是竞赛，不是等级认定批次：准考证只用于认定批次，竞赛请打印参赛证", ev.Code)
	}
	var err error
	if b.Batch, err = r.Batch(ctx, ev.ID); err != nil && skillscore.ErrorCode(err) != skillscore.ENotFound {
		return b, err
	}
	if b.Rooms, err = r.ExamRooms(ctx, ev.ID); err != nil {
		return b, err
	}
	if b.Modules, err = r.Modules(ctx, ev.ID); err != nil {
		return b, err
	}
	if b.Candidates, err = r.Contestants(ctx, ev.ID); err != nil {
		return b, err
	}
	people, err := r.SchedulePeople(ctx, ev.ID)
	if err != nil {
		return b, err
	}
	for _, p := range people {
		if p.EntryNo != "" {
			b.EntryNos[p.ContestantID] = p.EntryNo
		}
	}
	b.Schedule, err = r.Schedule(ctx, ev.ID)
	return b, err
}

// Admission is what the batch's 准考证 share; rules "" is the default.
func (b BatchRoster) Admission(rules string, printed time.Time) Admission {
	return Admission{EventName: b.Event.Name, BatchNo: b.Batch.BatchNo, Occupation: b.Event.Occupation,
		OccupationCode: b.Event.OccupationCode, Specialty: b.Event.Specialty, Level: b.Event.Level.String(),
		Rules: rules, Printed: printed}
}

// Sitting is where and when a session sits: its room found by the
// session's venue (a room's code or name; another venue prints as it is,
// at the batch's own venue), its subject the module's name.
func (b BatchRoster) Sitting(s store.SessionState) Sitting {
	out := Sitting{Subject: s.Name, Session: s.Code, Day: s.Day, Starts: s.Starts, Ends: s.Ends, Site: b.Event.Venue, Room: s.Venue}
	for _, m := range b.Modules {
		if s.Module != "" && m.Code == s.Module {
			out.Subject = m.Name
		}
	}
	for _, r := range b.Rooms {
		if s.Venue != "" && (r.Code == s.Venue || r.Name == s.Venue) {
			out.Room = r.Name
			if r.Site != "" {
				out.Site = r.Site
			}
		}
	}
	return out
}

// Unnumbered counts the candidates still without a 准考证号.
func (b BatchRoster) Unnumbered() int {
	n := 0
	for _, c := range b.candidates() {
		if b.EntryNos[c.ID] == "" {
			n++
		}
	}
	return n
}

// Unseated counts the candidates in no sitting yet.
func (b BatchRoster) Unseated() int {
	seated := map[int64]bool{}
	for _, s := range b.Schedule {
		for _, r := range s.Rows {
			seated[r.ContestantID] = true
		}
	}
	n := 0
	for _, c := range b.candidates() {
		if !seated[c.ID] {
			n++
		}
	}
	return n
}

// candidates are the batch's people: a team entry has no 准考证.
func (b BatchRoster) candidates() []store.Contestant {
	out := make([]store.Contestant, 0, len(b.Candidates))
	for _, c := range b.Candidates {
		if c.Kind != store.KindTeam {
			out = append(out, c)
		}
	}
	return out
}

// byEntryNo orders 准考证号 as numbers when both are (0002 before 0010).
func byEntryNo(a, b string) int {
	x, errX := strconv.Atoi(a)
	y, errY := strconv.Atoi(b)
	if errX == nil && errY == nil {
		return cmp.Compare(x, y)
	}
	return strings.Compare(a, b)
}

// Tickets builds the 准考证 of the candidates whose 准考证号 are given
// (every candidate when entryNos is empty), in 准考证号 order; photo reads
// a candidate's photo (nil for none), sign their QR token. Every candidate
// must have a 准考证号 first: a card without one cannot be scanned in.
func (b BatchRoster) Tickets(entryNos []string, photo func(int64) ([]byte, error), sign func(int64) (string, error)) ([]AdmissionTicket, []int64, error) {
	if n := b.Unnumbered(); n > 0 {
		return nil, nil, skillscore.Errorf(skillscore.EConflict, "还有 %d 名考生没有准考证号：请先“分配准考证号”", n)
	}
	sittings := map[int64][]Sitting{}
	for _, s := range b.Schedule {
		at := b.Sitting(s)
		for _, r := range s.Rows {
			st := at
			st.Seat = r.Station
			sittings[r.ContestantID] = append(sittings[r.ContestantID], st)
		}
	}
	for _, ss := range sittings {
		slices.SortStableFunc(ss, func(x, y Sitting) int {
			return cmp.Or(strings.Compare(x.Day, y.Day), strings.Compare(x.Starts, y.Starts))
		})
	}
	want := map[string]bool{}
	for _, no := range entryNos {
		want[strings.TrimSpace(no)] = true
	}
	var picked []store.Contestant
	found := map[string]bool{}
	for _, c := range b.candidates() {
		if len(want) == 0 || want[b.EntryNos[c.ID]] {
			picked = append(picked, c)
			found[b.EntryNos[c.ID]] = true
		}
	}
	maps.DeleteFunc(want, func(no string, _ bool) bool { return found[no] })
	if len(want) > 0 {
		missing := slices.Sorted(maps.Keys(want))
		return nil, nil, skillscore.Errorf(skillscore.ENotFound, "本批次没有准考证号为 %s 的考生", strings.Join(missing, "、"))
	}
	slices.SortFunc(picked, func(x, y store.Contestant) int { return byEntryNo(b.EntryNos[x.ID], b.EntryNos[y.ID]) })
	out := make([]AdmissionTicket, 0, len(picked))
	ids := make([]int64, 0, len(picked))
	for _, c := range picked {
		tok, err := sign(c.ID)
		if err != nil {
			return nil, nil, err
		}
		ph, err := photo(c.ID)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, AdmissionTicket{Name: c.Name, Gender: c.Gender, IDType: c.IDType, IDMasked: masked(c.IDNumber),
			EntryNo: b.EntryNos[c.ID], Organization: c.Organization, Photo: ph, Sittings: sittings[c.ID], Token: tok})
		ids = append(ids, c.ID)
	}
	return out, ids, nil
}

func masked(id string) string {
	if id == "" {
		return ""
	}
	return idnumber.Mask(id)
}

// sessionsNamed picks the sittings by code, all of them for none; an
// unknown code is not found.
func (b BatchRoster) sessionsNamed(code string) ([]store.SessionState, error) {
	if code == "" {
		return b.Schedule, nil
	}
	for _, s := range b.Schedule {
		if s.Code == code {
			return []store.SessionState{s}, nil
		}
	}
	return nil, skillscore.Errorf(skillscore.ENotFound, "本批次没有场次 %s", code)
}

// SignInSheets builds the 签到表 of one sitting (by session code) or, for
// "", of every sitting, and the ids of the candidates on them.
func (b BatchRoster) SignInSheets(session string, photo func(int64) ([]byte, error)) ([]SignInSheet, []int64, error) {
	ss, err := b.sessionsNamed(session)
	if err != nil {
		return nil, nil, err
	}
	byID := map[int64]store.Contestant{}
	for _, c := range b.Candidates {
		byID[c.ID] = c
	}
	var out []SignInSheet
	var ids []int64
	for _, s := range ss {
		sh := SignInSheet{Sitting: b.Sitting(s)}
		for _, r := range s.Rows {
			c := byID[r.ContestantID]
			ph, err := photo(r.ContestantID)
			if err != nil {
				return nil, nil, err
			}
			remark := ""
			if r.Outcome == sessions.Absent || r.Outcome == sessions.IdentityMismatch {
				remark = sessions.OutcomeNames[r.Outcome]
			}
			sh.Rows = append(sh.Rows, SignInRow{Seat: r.Station, Name: r.Name, Gender: c.Gender, EntryNo: r.EntryNo,
				IDMasked: masked(c.IDNumber), Photo: ph, Remark: remark})
			ids = append(ids, r.ContestantID)
		}
		out = append(out, sh)
	}
	return out, ids, nil
}

// DoorLists builds the door lists of one sitting or of every one.
func (b BatchRoster) DoorLists(session string) ([]DoorList, error) {
	ss, err := b.sessionsNamed(session)
	if err != nil {
		return nil, err
	}
	out := make([]DoorList, 0, len(ss))
	for _, s := range ss {
		l := DoorList{Sitting: b.Sitting(s)}
		for _, r := range s.Rows {
			l.Rows = append(l.Rows, DoorRow{Seat: r.Station, Name: r.Name, EntryNo: r.EntryNo})
		}
		out = append(out, l)
	}
	return out, nil
}

// FileName is a paper's download name: the event code, what, and the
// session when there is one.
func FileName(eventCode, what, session string) string {
	if session != "" {
		return fmt.Sprintf("%s-%s-%s.pdf", eventCode, session, what)
	}
	return fmt.Sprintf("%s-%s.pdf", eventCode, what)
}
