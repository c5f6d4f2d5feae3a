package sessions

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"skillscore"
	"skillscore/privacy"
	"skillscore/scoring"
)

func people(n int) []Person {
	out := make([]Person, n)
	for i := range out {
		out[i] = Person{ContestantID: int64(i + 1), Name: fmt.Sprintf("选手%02d", i+1), EntryNo: fmt.Sprintf("%04d", i+1),
			Station: fmt.Sprint(n - i)}
	}
	return out
}

// Property: a generated schedule never double-books a station or a person,
// seats everyone exactly once, in the order of the draw.
func TestGenerateNeverDoubleBooks(t *testing.T) {
	r := rand.New(rand.NewPCG(14, 26))
	for i := 0; i < 500; i++ {
		n, k := 1+r.IntN(60), 1+r.IntN(8)
		var stations []string
		for j := range k {
			stations = append(stations, fmt.Sprintf("%02d", j+1))
		}
		p := Plan{Prefix: "S", Name: "实操", Venue: "一号赛场", Stations: stations, Day: "2026-05-20",
			First: fmt.Sprintf("%02d:%02d", 7+r.IntN(3), 15*r.IntN(4)), Minutes: 20 + r.IntN(60), Gap: r.IntN(20)}
		ss, err := Generate(p, people(n))
		if err != nil {
			if !strings.Contains(err.Error(), "24:00") {
				t.Fatalf("plan %+v: %v", p, err)
			}
			continue
		}
		if ps := Problems(ss); len(ps) > 0 {
			t.Fatalf("plan %+v, %d people: %v", p, n, ps)
		}
		if got := conflicts(ss); got {
			t.Fatalf("brute force finds a double booking in %+v", ss)
		}
		seen := map[int64]int{}
		for _, s := range ss {
			if len(s.Entries) > k {
				t.Fatalf("session %s seats %d at %d stations", s.Code, len(s.Entries), k)
			}
			for _, e := range s.Entries {
				seen[e.ContestantID]++
			}
		}
		if len(seen) != n {
			t.Fatalf("%d of %d seated", len(seen), n)
		}
		// Draw order: 赛位号 n is contestant 1, so the first seat goes to contestant n.
		if ss[0].Entries[0].ContestantID != int64(n) {
			t.Fatalf("first seat %d, want %d", ss[0].Entries[0].ContestantID, n)
		}
	}
}

// conflicts checks a schedule minute by minute: the reference Problems is
// compared against.
func conflicts(ss []Session) bool {
	type slot struct {
		day  string
		min  int
		what string
	}
	used := map[slot]bool{}
	for _, s := range ss {
		from, _ := minutes(s.Starts)
		to, _ := minutes(s.Ends)
		for m := from; m < to; m++ {
			var keys []string
			for _, st := range s.Stations {
				keys = append(keys, "station "+s.Venue+"/"+st)
			}
			for _, e := range s.Entries {
				keys = append(keys, fmt.Sprint("person ", e.ContestantID))
			}
			for _, k := range keys {
				sl := slot{s.Day, m, k}
				if used[sl] {
					return true
				}
				used[sl] = true
			}
		}
	}
	return false
}

// Property: on random small schedules Problems finds a double booking
// exactly when the minute-by-minute check does.
func TestProblemsMatchBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 7))
	for i := 0; i < 2000; i++ {
		var ss []Session
		for j := range 1 + r.IntN(4) {
			from := 8*60 + 30*r.IntN(8)
			s := Session{Code: fmt.Sprintf("S%d", j), Name: "场", Venue: []string{"甲", "乙"}[r.IntN(2)],
				Day: []string{"2026-05-20", "2026-05-21"}[r.IntN(2)], Starts: hhmm(from), Ends: hhmm(from + 30 + 30*r.IntN(3))}
			for st := range 1 + r.IntN(3) {
				s.Stations = append(s.Stations, fmt.Sprint(1+st+r.IntN(2)))
			}
			s.Stations = slices.Compact(s.Stations)
			for o, c := range r.Perm(5)[:r.IntN(3)] {
				s.Entries = append(s.Entries, Entry{ContestantID: int64(c + 1), Order: o + 1})
			}
			ss = append(ss, s)
		}
		if got, want := len(Problems(ss)) > 0, conflicts(ss); got != want {
			t.Fatalf("Problems %v, brute force %v, for %+v", Problems(ss), want, ss)
		}
	}
}

func TestProblemsInChinese(t *testing.T) {
	ss := []Session{
		{Code: "S01", Name: "第一场", Venue: "一号赛场", Stations: []string{"01"}, Day: "2026-05-20", Starts: "08:30", Ends: "10:00",
			Entries: []Entry{{ContestantID: 1, Name: "李秀英", EntryNo: "0001", Station: "01", Order: 1}}},
		{Code: "S02", Name: "第二场", Venue: "二号赛场", Stations: []string{"01"}, Day: "2026-05-20", Starts: "09:00", Ends: "11:00",
			Entries: []Entry{{ContestantID: 1, Name: "李秀英", EntryNo: "0001", Station: "01", Order: 1}}},
		{Code: "S03", Name: "", Day: "2026-5-20", Starts: "8:00", Ends: "07:00"},
	}
	err := Validate(ss)
	for _, want := range []string{"场次 S03 没有名称", "场次 S03 的日期“2026-5-20”无效"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%v lacks %q", err, want)
		}
	}
	ss = ss[:2]
	if err := Validate(ss); err == nil || !strings.Contains(err.Error(), "李秀英（参赛证号 0001）同时在场次 S01（2026-05-20 08:30–10:00）和场次 S02（09:00–11:00）") {
		t.Errorf("person in two sessions: %v", err)
	}
	ss[1].Entries[0].ContestantID = 2
	if err := Validate(ss); err != nil {
		t.Errorf("different venues, different people: %v", err)
	}
	ss[1].Venue = "一号赛场"
	if err := Validate(ss); err == nil || !strings.Contains(err.Error(), "赛场“一号赛场”的赛位 01 同时被场次 S01 和 S02 占用（2026-05-20 09:00–10:00）") {
		t.Errorf("station double-booked: %v", err)
	}
}

func TestCardToken(t *testing.T) {
	k, err := privacy.NewMemory()
	if err != nil {
		t.Fatal(err)
	}
	tok, err := CardToken(k, 12, 345)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(tok, "SKC1:12:345:") || strings.ToUpper(tok) != tok {
		t.Fatalf("token %q", tok)
	}
	ev, c, err := ParseCardToken(k, " "+strings.ToLower(tok)+"\n", scoring.TermsFor("competition"))
	if err != nil || ev != 12 || c != 345 {
		t.Fatalf("parse: %d %d %v", ev, c, err)
	}
	for _, bad := range []string{strings.Replace(tok, ":345:", ":346:", 1), strings.Replace(tok, ":12:", ":012:", 1),
		tok[:len(tok)-1] + "0", "SKC1:12:345", "hello", ""} {
		if bad == tok {
			continue
		}
		if _, _, err := ParseCardToken(k, bad, scoring.TermsFor("competition")); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	// Another keyring's token does not verify.
	k2, _ := privacy.NewMemory()
	_, _, err = ParseCardToken(k2, tok, scoring.TermsFor("assessment"))
	if err == nil {
		t.Error("token of another key accepted")
	}
	// The refusal names the card as the event kind calls it.
	if msg := skillscore.ErrorMessage(err); !strings.Contains(msg, "准考证二维码的签名不符") {
		t.Errorf("assessment refusal: %q", msg)
	}
}

func sheet(t *testing.T, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	b, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestReadNamesEveryBadRow(t *testing.T) {
	ps := people(4)
	ps = append(ps, Person{ContestantID: 9, Name: "选手01", EntryNo: "0009"})
	head := []any{}
	for _, c := range Columns {
		head = append(head, c)
	}
	data := sheet(t, [][]any{head,
		{"S01", "第一场", "一号赛场", "A", "2026-05-20", "08:30", "10:00", "01", "", "0002", "选手02"},
		{"S01", "第一场", "一号赛场", "A", "2026-05-20", "08:30", "10:00", "02", "", "0003", ""},
		{"S01", "第一场", "二号赛场", "A", "2026-05-20", "08:30", "10:00", "03", "", "0004", ""},
		{"S02", "第二场", "一号赛场", "A", "2026/5/20", "8:30", "10:00", "01", "", "", "选手01"},
		{"S02", "第二场", "一号赛场", "A", "2026-05-20", "25:00", "10:00", "01", "", "0004", ""},
		{"S02", "第二场", "一号赛场", "A", "2026-05-20", "08:30", "10:00", "02", "", "0077", ""},
		{"S02", "第二场", "一号赛场", "A", "2026-05-20", "08:30", "10:00", "02", "", "0002", "选手03"},
		{"", "", "", "", "", "", "", "", "", "0001", "选手01"},
	})
	_, bad, err := Read("场次.xlsx", data, ps)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, b := range bad {
		got = append(got, b.String())
	}
	want := []string{
		"第 4 行：场次 S01 的名称、赛场、模块、日期或时间与第 2 行不一致",
		"第 5 行：名单中有 2 位 选手01：请填写参赛证号",
		"第 6 行：时间“25:00–10:00”无效：应为 08:30 这样的时间",
		"第 7 行：本赛项没有参赛证号为 0077 的选手",
		"第 8 行：参赛证号 0002 是 选手02，不是 选手03",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if err := ImportError(bad); !strings.Contains(err.Error(), "5 行有误，未导入任何内容") {
		t.Fatal(err)
	}
	// The template reads back (filled in) into sessions.
	tmpl, err := Template(ps[:2])
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(strings.NewReader(string(tmpl)))
	if err != nil {
		t.Fatal(err)
	}
	for row := 2; row <= 3; row++ {
		if err := f.SetSheetRow("场次安排", fmt.Sprintf("A%d", row), &[]any{"S01", "第一场", "一号赛场", "A", "2026-05-20", "08:30", "10:00", fmt.Sprint(row - 1)}); err != nil {
			t.Fatal(err)
		}
	}
	b, _ := f.WriteToBuffer()
	ss, bad, err := Read("场次.xlsx", b.Bytes(), ps)
	if err != nil || len(bad) > 0 || len(ss) != 1 || len(ss[0].Entries) != 2 || ss[0].Entries[1].EntryNo != "0002" ||
		!slices.Equal(ss[0].Stations, []string{"1", "2"}) || ss[0].Entries[1].Order != 2 {
		t.Fatalf("template filled: %+v %v %v", ss, bad, err)
	}
	if err := Validate(ss); err != nil {
		t.Fatal(err)
	}
}

// Date and time cells (Excel serials) read as the day and HH:MM they show.
func TestReadDateAndTimeCells(t *testing.T) {
	head := []any{}
	for _, c := range Columns {
		head = append(head, c)
	}
	data := sheet(t, [][]any{head,
		{"S01", "第一场", "一号赛场", "", time.Date(2026, 5, 20, 0, 0, 0, 0, time.UTC), 0.354166666667, 0.4166666666667, "01", 1, "0001", ""},
	})
	ss, bad, err := Read("场次.xlsx", data, people(2))
	if err != nil || len(bad) > 0 || len(ss) != 1 || ss[0].Day != "2026-05-20" || ss[0].Starts != "08:30" || ss[0].Ends != "10:00" {
		t.Fatalf("%+v %v %v", ss, bad, err)
	}
}

// Whatever is scanned, parsing never panics, and what it accepts is exactly
// a token the key signed.
func FuzzParseCardToken(f *testing.F) {
	k, err := privacy.NewMemory()
	if err != nil {
		f.Fatal(err)
	}
	tok, _ := CardToken(k, 3, 41)
	f.Add(tok)
	f.Add("SKC1:3:41:")
	f.Add("skc1:0:0:00")
	f.Fuzz(func(t *testing.T, s string) {
		ev, c, err := ParseCardToken(k, s, scoring.TermsFor("competition"))
		if err != nil {
			return
		}
		want, _ := CardToken(k, ev, c)
		if strings.ToUpper(strings.TrimSpace(s)) != want {
			t.Fatalf("accepted %q as %d/%d, whose token is %q", s, ev, c, want)
		}
	})
}
