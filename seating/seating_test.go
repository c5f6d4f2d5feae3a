package seating

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"skillscore"
	"skillscore/sessions"
)

func rooms(seats ...int) []Room {
	out := make([]Room, len(seats))
	for i, n := range seats {
		out[i] = Room{ID: int64(100 + i), Code: fmt.Sprintf("K%02d", i+1), Site: "江西卫生职业学院", Name: fmt.Sprintf("第%d考场", i+1), Seats: n}
	}
	return out
}

func people(n int) []Candidate {
	out := make([]Candidate, n)
	for i := range out {
		// Listed out of order: Assign sorts by 准考证号.
		k := n - 1 - i
		out[i] = Candidate{ContestantID: int64(k + 1), Name: fmt.Sprintf("考生%d", k+1), EntryNo: fmt.Sprintf("%04d", k+1)}
	}
	return out
}

func TestAssignInEntryNumberOrder(t *testing.T) {
	seats, err := Assign(rooms(3, 2), people(4), ByEntryNo, "")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range seats {
		got = append(got, fmt.Sprintf("%d:%s/%s", s.ContestantID, s.Room, s.Seat))
	}
	if want := "1:K01/01 2:K01/02 3:K01/03 4:K02/01"; strings.Join(got, " ") != want {
		t.Errorf("seats = %s, want %s", strings.Join(got, " "), want)
	}
}

func TestAssignRefusesNamingTheMissingSeats(t *testing.T) {
	_, err := Assign(rooms(30, 20), people(57), ByEntryNo, "")
	if skillscore.ErrorCode(err) != skillscore.EConflict || !strings.Contains(err.Error(), "还差 7 个座位") ||
		!strings.Contains(err.Error(), "57 名考生") || !strings.Contains(err.Error(), "共 50 个座位") {
		t.Fatalf("err = %v, want a conflict naming 7 missing seats", err)
	}
	if _, err := Assign(nil, people(1), ByEntryNo, ""); skillscore.ErrorCode(err) != skillscore.EInvalid {
		t.Errorf("no rooms: %v", err)
	}
	if _, err := Assign(rooms(3), nil, ByEntryNo, ""); skillscore.ErrorCode(err) != skillscore.EInvalid {
		t.Errorf("no candidates: %v", err)
	}
	if _, err := Assign(rooms(3), []Candidate{{ContestantID: 1, Name: "甲"}}, ByEntryNo, ""); err == nil || !strings.Contains(err.Error(), "准考证号") {
		t.Errorf("candidate without 准考证号: %v", err)
	}
	if _, err := Assign(rooms(3), people(2), BySeed, "zz"); skillscore.ErrorCode(err) != skillscore.EInvalid {
		t.Errorf("bad seed: %v", err)
	}
	if _, err := Assign(rooms(3), people(2), "alphabet", ""); skillscore.ErrorCode(err) != skillscore.EInvalid {
		t.Errorf("bad method: %v", err)
	}
}

// TestAssignSeatsEveryoneOnce checks on random batches that each candidate
// gets exactly one seat, no seat is given twice, every seat is within its
// room, and a seed replays the same seating.
func TestAssignSeatsEveryoneOnce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	seed := strings.Repeat("5a", 32)
	for trial := 0; trial < 200; trial++ {
		var sizes []int
		for range 1 + rng.IntN(5) {
			sizes = append(sizes, 1+rng.IntN(120))
		}
		rs := rooms(sizes...)
		n := 1 + rng.IntN(Capacity(rs))
		for _, method := range []string{ByEntryNo, BySeed} {
			seats, err := Assign(rs, people(n), method, seed)
			if err != nil {
				t.Fatalf("trial %d %s: %v", trial, method, err)
			}
			if len(seats) != n {
				t.Fatalf("trial %d: %d seats for %d candidates", trial, len(seats), n)
			}
			who, where := map[int64]bool{}, map[string]bool{}
			for _, s := range seats {
				var room Room
				for _, r := range rs {
					if r.Code == s.Room {
						room = r
					}
				}
				if who[s.ContestantID] || where[s.Room+"/"+s.Seat] || room.ID != s.RoomID {
					t.Fatalf("trial %d %s: %+v seated twice, a seat given twice or in the wrong room", trial, method, s)
				}
				k, _ := strconv.Atoi(s.Seat)
				if k < 1 || k > room.Seats || s.Seat != SeatLabel(k, room.Seats) {
					t.Fatalf("trial %d %s: seat %s outside room %s of %d", trial, method, s.Seat, s.Room, room.Seats)
				}
				who[s.ContestantID], where[s.Room+"/"+s.Seat] = true, true
			}
			again, _ := Assign(rs, people(n), method, seed)
			if !slices.Equal(seats, again) {
				t.Fatalf("trial %d %s: the same input seated differently", trial, method)
			}
		}
	}
}

func TestSeedShufflesAndIsRecorded(t *testing.T) {
	plain, _ := Assign(rooms(40, 40), people(60), ByEntryNo, "")
	a, err := Assign(rooms(40, 40), people(60), BySeed, strings.Repeat("01", 32))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Assign(rooms(40, 40), people(60), BySeed, strings.Repeat("02", 32))
	if slices.Equal(a, plain) || slices.Equal(a, b) {
		t.Error("a seed does not shuffle, or two seeds seat alike")
	}
	// The seats used are the same front seats either way: the seed only
	// changes who sits where.
	used := func(ss []Seat) []string {
		var out []string
		for _, s := range ss {
			out = append(out, s.Room+"/"+s.Seat)
		}
		slices.Sort(out)
		return out
	}
	if !slices.Equal(used(a), used(plain)) {
		t.Error("the seeded seating uses other seats than the ordered one")
	}
}

func TestSessionsPerRoomAndSitting(t *testing.T) {
	rs := rooms(3, 3, 5)
	cs := people(5)
	seats, err := Assign(rs, cs, ByEntryNo, "")
	if err != nil {
		t.Fatal(err)
	}
	sits := []Sitting{{Module: "theory", Name: "理论知识考试", Day: "2026-06-10", Starts: "09:00", Ends: "10:30"},
		{Module: "skill", Name: "操作技能考核", Day: "2026-06-10", Starts: "13:30", Ends: "15:30"}}
	ss, err := Sessions(rs, seats, cs, sits)
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, s := range ss {
		codes = append(codes, fmt.Sprintf("%s(%d/%d)", s.Code, len(s.Entries), len(s.Stations)))
	}
	// The third room has no one: no session.
	if want := "K01-theory(3/3) K02-theory(2/3) K01-skill(3/3) K02-skill(2/3)"; strings.Join(codes, " ") != want {
		t.Errorf("sessions = %s, want %s", strings.Join(codes, " "), want)
	}
	if ss[0].Name != "第1考场 理论知识考试" || ss[0].Venue != "江西卫生职业学院 第1考场" || ss[0].Entries[2].Station != "03" || ss[0].Entries[2].Order != 3 {
		t.Errorf("first session = %+v", ss[0])
	}
	if ps := sessions.Problems(ss); len(ps) > 0 {
		t.Errorf("problems: %v", ps)
	}
	// Both sittings at once: each candidate would be in two rooms' sessions.
	sits[1].Starts, sits[1].Ends = "10:00", "11:00"
	ss, _ = Sessions(rs, seats, cs, sits)
	if ps := sessions.Problems(ss); len(ps) == 0 || !strings.Contains(strings.Join(ps, ""), "同时在场次") {
		t.Errorf("overlapping sittings: %v", ps)
	}
	if _, err := Sessions(rs, seats, cs, nil); err == nil {
		t.Error("no sitting accepted")
	}
	if _, err := Sessions(rs, seats, cs, []Sitting{sits[0], sits[0]}); err == nil {
		t.Error("a module sat twice accepted")
	}
}
