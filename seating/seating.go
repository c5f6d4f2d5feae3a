// Package seating seats an assessment batch's candidates in its exam rooms
// (考场) and makes a session (场次) per room for each sitting (a module with
// its day and times): the rooms' seats are the sessions' stations, and a
// candidate keeps one room and seat for every sitting. Candidates are taken
// in 准考证号 order, or shuffled from a recorded seed so anyone holding the
// seed re-runs the same seating. It has no I/O: no database, network or
// clock.
//
// The seeded order, fixed so a third party can re-implement it: the
// candidates sorted by 准考证号 (numbers by value), then the permutation
// p = draw.Permutation(seed, "seat", n) (package draw: SHA-256 counter
// stream and Fisher–Yates); the candidate at sorted position s takes seat
// p[s] of the seats counted room after room, seat after seat.
package seating

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"skillscore"
	"skillscore/draw"
	"skillscore/sessions"
)

// Methods of ordering the candidates.
const (
	ByEntryNo = "entry_no" // in 准考证号 order
	BySeed    = "seed"     // shuffled from a recorded seed
)

// MethodName is a method as the pages show it.
func MethodName(m string) string {
	if m == BySeed {
		return "随机种子打乱"
	}
	return "按准考证号顺序"
}

// Room is an exam room with its seats, in the batch's order.
type Room struct {
	ID    int64
	Code  string
	Site  string // 考点
	Name  string
	Seats int
}

// Candidate is a candidate to seat: the 准考证号 decides the order.
type Candidate struct {
	ContestantID int64
	Name         string
	EntryNo      string
}

// Sitting is one module sat in every room at a time.
type Sitting struct {
	Module string `json:"module"` // the module's code
	Name   string `json:"name"`   // the module's name, for session names
	Day    string `json:"day"`    // YYYY-MM-DD
	Starts string `json:"starts"` // HH:MM
	Ends   string `json:"ends"`   // HH:MM
}

// Seat is one candidate's place.
type Seat struct {
	ContestantID int64
	RoomID       int64
	Room         string // the room's code
	Seat         string // 01, 02 …
}

// SeatLabel is the label of seat n (1-based) of a room with seats seats:
// zero-padded to the width of the largest, at least two digits.
func SeatLabel(n, seats int) string {
	return fmt.Sprintf("%0*d", max(2, len(fmt.Sprint(seats))), n)
}

// Capacity counts the seats of the rooms.
func Capacity(rooms []Room) int {
	n := 0
	for _, r := range rooms {
		n += r.Seats
	}
	return n
}

// Assign seats every candidate, filling the rooms in order, each from its
// first seat. It refuses, naming how many seats are missing, when the rooms
// hold fewer seats than there are candidates; a candidate without a
// 准考证号 is refused too (numbers are given before seating).
func Assign(rooms []Room, cands []Candidate, method, seed string) ([]Seat, error) {
	if len(cands) == 0 {
		return nil, skillscore.Errorf(skillscore.EInvalid, "本批次还没有考生：请先导入考生名单")
	}
	if len(rooms) == 0 {
		return nil, skillscore.Errorf(skillscore.EInvalid, "本批次还没有考场：请先设置考场和座位数")
	}
	if have := Capacity(rooms); have < len(cands) {
		return nil, skillscore.Errorf(skillscore.EConflict, "座位不足：%d 名考生，%d 个考场共 %d 个座位，还差 %d 个座位：请增加考场或座位后再分配",
			len(cands), len(rooms), have, len(cands)-have)
	}
	for _, c := range cands {
		if c.EntryNo == "" {
			return nil, skillscore.Errorf(skillscore.EInvalid, "考生 %s 还没有准考证号：请先分配准考证号", c.Name)
		}
	}
	sorted := slices.Clone(cands)
	slices.SortStableFunc(sorted, func(a, b Candidate) int {
		return cmp.Or(naturalCompare(a.EntryNo, b.EntryNo), cmp.Compare(a.ContestantID, b.ContestantID))
	})
	place := make([]int, len(sorted)) // sorted position → seat index
	for i := range place {
		place[i] = i
	}
	switch method {
	case ByEntryNo:
	case BySeed:
		b, err := draw.ParseSeed(seed)
		if err != nil {
			return nil, err
		}
		place = draw.Permutation(b, "seat", len(sorted))
	default:
		return nil, skillscore.Errorf(skillscore.EInvalid, "排座方式 %q 无效：应为 %s 或 %s", method, ByEntryNo, BySeed)
	}
	type spot struct {
		room Room
		n    int
	}
	spots := make([]spot, 0, len(sorted))
	for _, r := range rooms {
		for n := 1; n <= r.Seats && len(spots) < len(sorted); n++ {
			spots = append(spots, spot{r, n})
		}
	}
	out := make([]Seat, len(sorted))
	for i, c := range sorted {
		sp := spots[place[i]]
		out[i] = Seat{ContestantID: c.ContestantID, RoomID: sp.room.ID, Room: sp.room.Code, Seat: SeatLabel(sp.n, sp.room.Seats)}
	}
	// In seat order, as the rooms' lists read.
	index := map[string]int{}
	for i, r := range rooms {
		index[r.Code] = i
	}
	slices.SortFunc(out, func(a, b Seat) int {
		return cmp.Or(cmp.Compare(index[a.Room], index[b.Room]), naturalCompare(a.Seat, b.Seat))
	})
	return out, nil
}

// SessionCode is the code of a room's session for a module: K01-theory.
func SessionCode(room, module string) string { return room + "-" + module }

// Venue is a room as a session's venue (赛场): its site and name, which
// the store keeps unique within a batch, so two rooms never share seats.
func Venue(r Room) string { return strings.TrimSpace(r.Site + " " + r.Name) }

// Sessions makes one session per room and sitting for the rooms that have
// candidates: the room's seats are the stations, its candidates in seat
// order the entries. The sittings are checked here (module named, not
// twice); days and times by sessions.Problems when the schedule is saved.
func Sessions(rooms []Room, seats []Seat, cands []Candidate, sittings []Sitting) ([]sessions.Session, error) {
	if len(sittings) == 0 {
		return nil, skillscore.Errorf(skillscore.EInvalid, "请至少为一个科目（理论或实操）填写日期和时间")
	}
	seen := map[string]bool{}
	for _, s := range sittings {
		switch {
		case s.Module == "":
			return nil, skillscore.Errorf(skillscore.EInvalid, "有一个科目没有模块代码")
		case seen[s.Module]:
			return nil, skillscore.Errorf(skillscore.EInvalid, "科目 %s 填了两次", s.Module)
		}
		seen[s.Module] = true
	}
	who := map[int64]Candidate{}
	for _, c := range cands {
		who[c.ContestantID] = c
	}
	byRoom := map[string][]Seat{}
	for _, s := range seats {
		byRoom[s.Room] = append(byRoom[s.Room], s)
	}
	var out []sessions.Session
	for _, sit := range sittings {
		for _, r := range rooms {
			in := byRoom[r.Code]
			if len(in) == 0 {
				continue
			}
			x := sessions.Session{Code: SessionCode(r.Code, sit.Module), Name: clip(strings.TrimSpace(r.Name+" "+cmp.Or(sit.Name, sit.Module)), 100),
				Venue: Venue(r), Module: sit.Module, Day: sit.Day, Starts: sit.Starts, Ends: sit.Ends}
			for n := 1; n <= r.Seats; n++ {
				x.Stations = append(x.Stations, SeatLabel(n, r.Seats))
			}
			for i, s := range in {
				c := who[s.ContestantID]
				x.Entries = append(x.Entries, sessions.Entry{ContestantID: s.ContestantID, Name: c.Name, EntryNo: c.EntryNo,
					Station: s.Seat, Order: i + 1})
			}
			out = append(out, x)
		}
	}
	return out, nil
}

// clip cuts s to n characters (the sessions table's column sizes).
func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

// naturalCompare orders "2" before "10": numbers by value, text as text.
func naturalCompare(a, b string) int {
	if len(a) != len(b) && allDigits(a) && allDigits(b) {
		return cmp.Compare(len(a), len(b))
	}
	return strings.Compare(a, b)
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}
