package supervision

import (
	"strings"

	"skillscore/scoring"
	"skillscore/sessions"
)

// Input is what the progress board is counted from, as the store reads it.
type Input struct {
	Rooms       []InRoom
	Sittings    []InSitting // in schedule order
	Modules     []InModule
	Panels      []InPanelSeat
	Assignments []InAssignment
	Sheets      []InSheet
	// Statuses are the candidates' statuses (scoring.StatusAbsent …) by
	// contestant id; absent from the map when competing.
	Statuses map[int64]string
	Records  []Record
	// Carried are the modules 补考 candidates do not sit: their part is
	// carried from an earlier batch (docs/retakes.md), so no sheet is due.
	Carried []InCarried
}

// InCarried is a module a candidate does not sit in this batch.
type InCarried struct {
	Module       string
	ContestantID int64
}

// InRoom is an exam room (考场).
type InRoom struct {
	Code, Site, Name string
	Seats            int
}

// InSitting is a session: a sitting at a venue, which names its room.
type InSitting struct {
	Code, Name, Venue, Module, Day, Starts, Ends string
	Closed                                       bool // sign-in ended: the rest recorded 缺考
	Entries                                      []InEntry
}

// InEntry is a candidate of a sitting with their latest sign-in outcome
// (sessions.Present …, "" not yet).
type InEntry struct {
	ContestantID        int64
	EntryNo, Name, Seat string
	Outcome             string
}

// InModule is a module of the batch; an imported one (computer-based
// theory) has no score sheets.
type InModule struct {
	Code, Name string
	Imported   bool
}

// InPanelSeat is a 考评员 on a module's panel.
type InPanelSeat struct {
	Module          string
	JudgeID         int64
	JudgeCode, Name string
}

// InAssignment is a 考评员 assigned to score a candidate in a module.
type InAssignment struct {
	Module                string
	JudgeID, ContestantID int64
}

// InSheet is a score sheet and its status (open | submitted | locked).
type InSheet struct {
	Module                string
	JudgeID, ContestantID int64
	Status                string
}

// Room is one exam room's progress: its sittings in schedule order.
type Room struct {
	Code, Site, Name string
	Seats            int
	Sittings         []Sitting
	Counts           Counts // over its sittings
}

// Sitting is one sitting's progress.
type Sitting struct {
	Code, Name, Venue, Day, Starts, Ends string
	Closed                               bool
	Counts                               Counts
	Modules                              []ModuleProgress
	Examiners                            []Examiner
	Candidates                           []Candidate
	Records                              int // 督导记录 filed on it (corrections included)
}

// Label names a sitting as a record keeps it: code, name, day and times.
func (s Sitting) Label() string { return label(s.Code, s.Name, s.Day, s.Starts, s.Ends) }

// Label names a sitting as a record keeps it: code, name, day and times.
func (s InSitting) Label() string { return label(s.Code, s.Name, s.Day, s.Starts, s.Ends) }

// label joins the times with 至, not a dash: the printed record must show
// what was signed, and the CJK fonts the PDFs embed have no en dash.
func label(code, name, day, starts, ends string) string {
	return strings.Join(strings.Fields(code+" "+name+" "+day+" "+starts+"至"+ends), " ")
}

// Counts are the candidates of a sitting (or room) by sign-in state.
type Counts struct {
	Expected, Present, Absent, Mismatch, Pending int
	// SheetsDone of SheetsDue: the score sheets of the judged modules.
	SheetsDone, SheetsDue int
}

func (c *Counts) add(o Counts) {
	c.Expected += o.Expected
	c.Present += o.Present
	c.Absent += o.Absent
	c.Mismatch += o.Mismatch
	c.Pending += o.Pending
	c.SheetsDone += o.SheetsDone
	c.SheetsDue += o.SheetsDue
}

// Progress is what a record keeps of the counts.
func (c Counts) Progress() Progress {
	return Progress{Expected: c.Expected, Present: c.Present, Absent: c.Absent, SheetsDone: c.SheetsDone, SheetsDue: c.SheetsDue}
}

// ModuleProgress is the score sheets of one module in a sitting: Submitted
// (locked ones included) of Expected. An imported module has none.
type ModuleProgress struct {
	Code, Name          string
	Imported            bool
	Submitted, Expected int
}

// Percent is how much of the expected sheets are submitted, 0–100.
func (m ModuleProgress) Percent() int {
	if m.Expected == 0 {
		return 0
	}
	return min(100, m.Submitted*100/m.Expected)
}

// Examiner is a 考评员 on a sitting.
type Examiner struct {
	Code, Name string
}

// Candidate is a candidate as the 督导员 sees them: name, 准考证号 and seat,
// nothing else of theirs.
type Candidate struct {
	EntryNo, Name, Seat string
	State               string // sessions outcome, or scoring.StatusAbsent … for a status set elsewhere
	StateName           string
}

// StateNames are the sign-in states as an assessment calls them (签到, not
// a competition's 检录).
var StateNames = map[string]string{"": "待签到", sessions.Present: "已签到", sessions.Absent: "缺考", sessions.IdentityMismatch: "人证不符"}

// RoomOf is the exam room a sitting's venue names: by the room's code, its
// name, or its site and name as the batch's seating writes them
// (seating.Venue: "江西卫生职业学院 第一考场"). -1 when it names none.
func RoomOf(rooms []InRoom, venue string) int {
	v := strings.TrimSpace(venue)
	if v == "" {
		return -1
	}
	for i, r := range rooms {
		if v == r.Code || v == r.Name || v == strings.TrimSpace(r.Site+" "+r.Name) {
			return i
		}
	}
	return -1
}

// out reports whether a candidate's status takes them out of the sitting
// (缺考, 弃权, 取消资格): no sheet is expected for them.
func out(status string) bool {
	return status == scoring.StatusAbsent || status == scoring.StatusWithdrew || status == scoring.StatusDisqualified
}

// Board counts every room's progress. A sitting whose venue names no room
// goes to a last room with no code, 未对应考场.
//
// Counting: a candidate is absent (缺考) when sign-in recorded them absent
// or their status is 缺考; a score sheet is expected for each 考评员 of the
// sitting's module panel and each candidate they score (every candidate
// when the module has no assignments, as on the chief judge's desk) who is
// not out (缺考, 弃权, 取消资格) and does not carry the module's part from an
// earlier batch (补考); a sheet that exists is always expected. A
// sitting without a module counts every judged module of the batch.
func Board(in Input) []Room {
	rooms := make([]Room, len(in.Rooms))
	for i, r := range in.Rooms {
		rooms[i] = Room{Code: r.Code, Site: r.Site, Name: r.Name, Seats: r.Seats}
	}
	unplaced := Room{Name: "未对应考场的场次"}
	type key struct {
		module   string
		judge, c int64
	}
	assigned := map[key]bool{}
	hasAssignments := map[string]bool{}
	for _, a := range in.Assignments {
		assigned[key{a.Module, a.JudgeID, a.ContestantID}] = true
		hasAssignments[a.Module] = true
	}
	carried := map[key]bool{}
	for _, c := range in.Carried {
		carried[key{module: c.Module, c: c.ContestantID}] = true
	}
	sheet := map[key]string{}
	for _, s := range in.Sheets {
		sheet[key{s.Module, s.JudgeID, s.ContestantID}] = s.Status
	}
	records := map[string]int{}
	for _, r := range in.Records {
		records[r.Session]++
	}
	for _, x := range in.Sittings {
		s := Sitting{Code: x.Code, Name: x.Name, Venue: x.Venue, Day: x.Day, Starts: x.Starts, Ends: x.Ends, Closed: x.Closed,
			Records: records[x.Code]}
		for _, e := range x.Entries {
			st := in.Statuses[e.ContestantID]
			c := Candidate{EntryNo: e.EntryNo, Name: e.Name, Seat: e.Seat, State: e.Outcome}
			s.Counts.Expected++
			switch {
			case e.Outcome == sessions.Absent || (st == scoring.StatusAbsent && e.Outcome != sessions.Present):
				c.State = sessions.Absent
				s.Counts.Absent++
			case e.Outcome == sessions.Present:
				s.Counts.Present++
			case e.Outcome == sessions.IdentityMismatch:
				s.Counts.Mismatch++
			default:
				s.Counts.Pending++
			}
			c.StateName = StateNames[c.State]
			if out(st) && st != scoring.StatusAbsent {
				c.State, c.StateName = st, scoring.StatusName(st)
			}
			s.Candidates = append(s.Candidates, c)
		}
		var mods []InModule
		for _, m := range in.Modules {
			if m.Code == x.Module || (x.Module == "" && !m.Imported) {
				mods = append(mods, m)
			}
		}
		seen := map[int64]bool{}
		for _, m := range mods {
			mp := ModuleProgress{Code: m.Code, Name: m.Name, Imported: m.Imported}
			if !m.Imported {
				for _, p := range in.Panels {
					if p.Module != m.Code {
						continue
					}
					on := false
					for _, e := range x.Entries {
						k := key{m.Code, p.JudgeID, e.ContestantID}
						st, has := sheet[k]
						scores := (!hasAssignments[m.Code] || assigned[k]) && !carried[key{module: m.Code, c: e.ContestantID}]
						on = on || scores || has
						if has || (scores && !out(in.Statuses[e.ContestantID]) && e.Outcome != sessions.Absent) {
							mp.Expected++
							if st == "submitted" || st == "locked" {
								mp.Submitted++
							}
						}
					}
					if on && !seen[p.JudgeID] {
						seen[p.JudgeID] = true
						s.Examiners = append(s.Examiners, Examiner{Code: p.JudgeCode, Name: p.Name})
					}
				}
			}
			s.Counts.SheetsDone += mp.Submitted
			s.Counts.SheetsDue += mp.Expected
			s.Modules = append(s.Modules, mp)
		}
		if i := RoomOf(in.Rooms, x.Venue); i >= 0 {
			rooms[i].Sittings = append(rooms[i].Sittings, s)
			rooms[i].Counts.add(s.Counts)
		} else {
			unplaced.Sittings = append(unplaced.Sittings, s)
			unplaced.Counts.add(s.Counts)
		}
	}
	if len(unplaced.Sittings) > 0 {
		rooms = append(rooms, unplaced)
	}
	return rooms
}
