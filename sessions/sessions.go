// Package sessions is an event's schedule of sessions (场次) and what 检录
// (check-in) needs around it: validation of a schedule (nobody in two
// sessions at once, no station double-booked), a schedule generated from
// the draw, the organizer's .xlsx import, and the signed token an entry
// card (参赛证) carries in its QR code. It has no I/O: no database,
// network or clock.
package sessions

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"skillscore"
)

// Session is one sitting at a venue. Day and times are local calendar
// values with no zone, as the printed timetable shows them.
type Session struct {
	Code     string
	Name     string
	Venue    string   // 赛场
	Module   string   // module code, "" for none
	Stations []string // the stations in use
	Day      string   // YYYY-MM-DD
	Starts   string   // HH:MM
	Ends     string   // HH:MM
	Entries  []Entry
}

// Entry is one contestant's place in a session.
type Entry struct {
	ContestantID int64
	Name         string // for messages
	EntryNo      string // 参赛证号, for messages
	Station      string
	Order        int // 1-based order of 检录
}

// Check-in outcomes and methods, as stored.
const (
	Present          = "present"
	Absent           = "absent"
	IdentityMismatch = "identity_mismatch"

	MethodCode  = "code"  // 参赛证号 + last 4 of the 证件号码
	MethodQR    = "qr"    // the entry card's QR code
	MethodChief = "chief" // the chief's decision on 人证不符
	MethodClose = "close" // absent when the session closed

	// The keeper's answer to the identity check at an assessment's 签到:
	// the person, their ID card and the photo on the roster agree, or not.
	VerdictMatch    = "match"
	VerdictMismatch = "mismatch"
)

// OutcomeNames are the outcomes as the pages and printed sheets show them.
var OutcomeNames = map[string]string{"": "待检录", Present: "已检录", Absent: "缺考", IdentityMismatch: "人证不符"}

var (
	codePattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)
	dayPattern  = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	timePattern = regexp.MustCompile(`^\d{2}:\d{2}$`)
)

// minutes parses HH:MM into minutes after midnight.
func minutes(s string) (int, bool) {
	if !timePattern.MatchString(s) {
		return 0, false
	}
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, false
	}
	return t.Hour()*60 + t.Minute(), true
}

func validDay(s string) bool {
	if !dayPattern.MatchString(s) {
		return false
	}
	_, err := time.Parse("2006-01-02", s)
	return err == nil
}

// overlaps reports whether two sessions share some minute of the same day.
func overlaps(a, b Session) bool {
	if a.Day != b.Day {
		return false
	}
	as, _ := minutes(a.Starts)
	ae, _ := minutes(a.Ends)
	bs, _ := minutes(b.Starts)
	be, _ := minutes(b.Ends)
	return as < be && bs < ae
}

// overlap is the time two overlapping sessions share.
func overlap(a, b Session) (from, to string) {
	as, _ := minutes(a.Starts)
	ae, _ := minutes(a.Ends)
	bs, _ := minutes(b.Starts)
	be, _ := minutes(b.Ends)
	return hhmm(max(as, bs)), hhmm(min(ae, be))
}

func who(e Entry) string {
	switch {
	case e.Name != "" && e.EntryNo != "":
		return fmt.Sprintf("%s（参赛证号 %s）", e.Name, e.EntryNo)
	case e.Name != "":
		return e.Name
	case e.EntryNo != "":
		return "参赛证号 " + e.EntryNo
	}
	return fmt.Sprintf("选手 #%d", e.ContestantID)
}

// Problems lists everything wrong with a schedule, one Chinese sentence
// each, in schedule order; none means it may be stored.
func Problems(ss []Session) []string {
	var out []string
	codes := map[string]bool{}
	for _, s := range ss {
		at := "场次 " + s.Code
		switch {
		case !codePattern.MatchString(s.Code):
			out = append(out, fmt.Sprintf("场次编号“%s”无效：只能用 1–32 位字母、数字、-、_", s.Code))
			continue
		case codes[s.Code]:
			out = append(out, fmt.Sprintf("场次编号 %s 重复", s.Code))
			continue
		}
		codes[s.Code] = true
		if strings.TrimSpace(s.Name) == "" {
			out = append(out, at+" 没有名称")
		}
		st, ok1 := minutes(s.Starts)
		en, ok2 := minutes(s.Ends)
		switch {
		case !validDay(s.Day):
			out = append(out, fmt.Sprintf("%s 的日期“%s”无效：应为 2026-05-20 这样的日期", at, s.Day))
		case !ok1 || !ok2:
			out = append(out, fmt.Sprintf("%s 的时间“%s–%s”无效：应为 08:30 这样的时间", at, s.Starts, s.Ends))
		case en <= st:
			out = append(out, fmt.Sprintf("%s 的结束时间 %s 不晚于开始时间 %s", at, s.Ends, s.Starts))
		}
		inUse := map[string]bool{}
		for _, st := range s.Stations {
			if inUse[st] {
				out = append(out, fmt.Sprintf("%s 的赛位 %s 列了两次", at, st))
			}
			inUse[st] = true
		}
		people, seats, orders := map[int64]bool{}, map[string]Entry{}, map[int]bool{}
		for _, e := range s.Entries {
			if people[e.ContestantID] {
				out = append(out, fmt.Sprintf("%s 中 %s 出现了两次", at, who(e)))
				continue
			}
			people[e.ContestantID] = true
			if e.Station != "" {
				if len(s.Stations) > 0 && !inUse[e.Station] {
					out = append(out, fmt.Sprintf("%s 中 %s 的赛位 %s 不在本场次的赛位中", at, who(e), e.Station))
				}
				if o, dup := seats[e.Station]; dup {
					out = append(out, fmt.Sprintf("%s 的赛位 %s 同时安排了 %s 和 %s", at, e.Station, who(o), who(e)))
				}
				seats[e.Station] = e
			}
			if e.Order < 1 || orders[e.Order] {
				out = append(out, fmt.Sprintf("%s 中 %s 的检录顺序 %d 无效或重复", at, who(e), e.Order))
			}
			orders[e.Order] = true
		}
	}
	if len(out) > 0 {
		return out
	}
	// Two sessions at the same time may not share a contestant, nor a
	// station of the same venue.
	for i, a := range ss {
		for _, b := range ss[i+1:] {
			if !overlaps(a, b) {
				continue
			}
			inA := map[int64]Entry{}
			for _, e := range a.Entries {
				inA[e.ContestantID] = e
			}
			for _, e := range b.Entries {
				if _, ok := inA[e.ContestantID]; ok {
					out = append(out, fmt.Sprintf("%s同时在场次 %s（%s %s–%s）和场次 %s（%s–%s）", who(e),
						a.Code, a.Day, a.Starts, a.Ends, b.Code, b.Starts, b.Ends))
				}
			}
			if a.Venue != b.Venue {
				continue
			}
			from, to := overlap(a, b)
			for _, st := range a.Stations {
				if slices.Contains(b.Stations, st) {
					out = append(out, fmt.Sprintf("赛场“%s”的赛位 %s 同时被场次 %s 和 %s 占用（%s %s–%s）", a.Venue, st,
						a.Code, b.Code, a.Day, from, to))
				}
			}
		}
	}
	return out
}

// Validate is Problems as one error naming the first few.
func Validate(ss []Session) error {
	ps := Problems(ss)
	if len(ps) == 0 {
		return nil
	}
	shown := ps[:min(len(ps), 10)]
	more := ""
	if len(ps) > len(shown) {
		more = fmt.Sprintf("（另有 %d 处）", len(ps)-len(shown))
	}
	return skillscore.Errorf(skillscore.EInvalid, "场次安排有 %d 处问题：%s%s", len(ps), strings.Join(shown, "；"), more)
}

// Person is a contestant as scheduling sees them.
type Person struct {
	ContestantID int64
	Name         string
	EntryNo      string
	Organization string
	Station      string // drawn 赛位号, "" before the draw
}

// Plan is how a schedule is generated from the draw: the stations of one
// venue used slot after slot.
type Plan struct {
	Prefix   string // session codes are Prefix01, Prefix02 …
	Name     string // session names are "Name 第N场"
	Venue    string
	Module   string
	Stations []string
	Day      string
	First    string // HH:MM the first slot starts
	Minutes  int    // length of a slot
	Gap      int    // minutes between slots
}

// Generate fills stations × slots in draw order: contestants sorted by their
// drawn 赛位号 (then 参赛证号), each slot taking as many as there are
// stations. Slots run on from First on Day; a slot that would pass
// midnight is refused.
func Generate(p Plan, people []Person) ([]Session, error) {
	if len(p.Stations) == 0 {
		return nil, skillscore.Errorf(skillscore.EInvalid, "请至少填写一个赛位")
	}
	if p.Minutes <= 0 || p.Gap < 0 {
		return nil, skillscore.Errorf(skillscore.EInvalid, "每场时长应大于 0 分钟，间隔不能为负")
	}
	start, ok := minutes(p.First)
	if !ok || !validDay(p.Day) {
		return nil, skillscore.Errorf(skillscore.EInvalid, "开始日期或时间无效：应为 2026-05-20 和 08:30 这样的值")
	}
	if len(people) == 0 {
		return nil, skillscore.Errorf(skillscore.EInvalid, "名单为空：请先导入选手名单")
	}
	ps := slices.Clone(people)
	slices.SortStableFunc(ps, func(a, b Person) int {
		return cmp.Or(naturalCompare(a.Station, b.Station), naturalCompare(a.EntryNo, b.EntryNo), cmp.Compare(a.ContestantID, b.ContestantID))
	})
	var out []Session
	for i := 0; i*len(p.Stations) < len(ps); i++ {
		from := start + i*(p.Minutes+p.Gap)
		to := from + p.Minutes
		if to >= 24*60 {
			return nil, skillscore.Errorf(skillscore.EInvalid, "%d 名选手、%d 个赛位需要 %d 场，第 %d 场将超过当天 24:00：请增加赛位或缩短时长",
				len(ps), len(p.Stations), (len(ps)+len(p.Stations)-1)/len(p.Stations), i+1)
		}
		s := Session{Code: fmt.Sprintf("%s%02d", p.Prefix, i+1), Name: strings.TrimSpace(fmt.Sprintf("%s 第%d场", p.Name, i+1)),
			Venue: p.Venue, Module: p.Module, Stations: slices.Clone(p.Stations), Day: p.Day,
			Starts: hhmm(from), Ends: hhmm(to)}
		for j, st := range p.Stations {
			k := i*len(p.Stations) + j
			if k >= len(ps) {
				break
			}
			s.Entries = append(s.Entries, Entry{ContestantID: ps[k].ContestantID, Name: ps[k].Name, EntryNo: ps[k].EntryNo,
				Station: st, Order: j + 1})
		}
		out = append(out, s)
	}
	return out, nil
}

func hhmm(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

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
