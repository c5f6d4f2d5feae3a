// Package workdays counts working days (工作日) on the Chinese calendar:
// Monday to Friday, less the public holidays (法定节假日), plus the weekend
// days worked in exchange (调休上班) that the State Council announces for
// each year. It holds no dates of its own: the calendar is data the
// organizer keeps (store table calendar_days), so a new year's schedule
// needs no new release. No I/O, no clock.
package workdays

import (
	"fmt"
	"time"
)

// Kinds of a listed day.
const (
	Holiday = "holiday" // a day off, even on a weekday
	Workday = "workday" // a working day, even on a weekend (调休上班)
)

// Day is one listed day of the calendar.
type Day struct {
	Date string // YYYY-MM-DD
	Kind string // Holiday | Workday
	Name string // 春节, 春节调休上班
}

// Calendar answers whether a date is a working day. A year is known once
// any of its days is listed; for an unknown year the answer would only be
// a guess, so the counting functions name the unknown years they met.
type Calendar struct {
	days  map[string]Day
	years map[int]bool
}

// New builds a calendar from its listed days; a malformed date or kind is
// an error naming the day.
func New(days []Day) (Calendar, error) {
	c := Calendar{days: make(map[string]Day, len(days)), years: map[int]bool{}}
	for _, d := range days {
		t, err := time.Parse(time.DateOnly, d.Date)
		if err != nil || t.Format(time.DateOnly) != d.Date {
			return Calendar{}, fmt.Errorf("workdays: date %q is not YYYY-MM-DD", d.Date)
		}
		if d.Kind != Holiday && d.Kind != Workday {
			return Calendar{}, fmt.Errorf("workdays: %s: kind %q is neither %s nor %s", d.Date, d.Kind, Holiday, Workday)
		}
		c.days[d.Date] = d
		c.years[t.Year()] = true
	}
	return c, nil
}

// Known reports whether the calendar lists any day of year.
func (c Calendar) Known(year int) bool { return c.years[year] }

// Listed returns the listed day of date t (its date in t's location), if any.
func (c Calendar) Listed(t time.Time) (Day, bool) {
	d, ok := c.days[t.Format(time.DateOnly)]
	return d, ok
}

// IsWorkday reports whether t's date (in t's location) is a working day.
func (c Calendar) IsWorkday(t time.Time) bool {
	if d, ok := c.Listed(t); ok {
		return d.Kind == Workday
	}
	wd := t.Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// midnight is the start of t's date in t's location.
func midnight(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, t.Location())
}

// Period is a span of n working days from a start.
type Period struct {
	// End is midnight after the last working day, in the start's
	// location: the period is [start, End).
	End time.Time
	// Days are the working days, each at its midnight.
	Days []time.Time
	// Unknown are the years the count passed through whose schedule is not
	// in the calendar (the count treated them as Monday–Friday).
	Unknown []int
}

// maxSpan bounds the days a count looks at: 30 working days never take a
// year, so a longer walk means a calendar with no working days at all.
const maxSpan = 400

// From counts n working days from start: the start's own date counts when
// it is a working day (a notice dated that day reads "X月X日至Y月Y日"),
// otherwise the count begins with the next working day.
func (c Calendar) From(start time.Time, n int) (Period, error) {
	if n < 1 {
		return Period{}, fmt.Errorf("workdays: count %d is not positive", n)
	}
	var p Period
	unknown := map[int]bool{}
	day := midnight(start)
	for i := 0; len(p.Days) < n; i++ {
		if i > maxSpan {
			return Period{}, fmt.Errorf("workdays: no %d working days within %d days of %s", n, maxSpan, start.Format(time.DateOnly))
		}
		if !c.Known(day.Year()) && !unknown[day.Year()] {
			unknown[day.Year()] = true
			p.Unknown = append(p.Unknown, day.Year())
		}
		if c.IsWorkday(day) {
			p.Days = append(p.Days, day)
		}
		day = day.AddDate(0, 0, 1)
	}
	p.End = day
	return p, nil
}

// maxCount bounds the days Count walks (ten years): a period is days or
// weeks long, and a mistyped year must not make a page loop for long.
const maxCount = 3660

// Count returns how many whole working days lie in [start, end): a day
// counts once the period reaches its end, and the start's own date counts
// as From counts it, so Count(start, From(start, n).End) is n. Unknown
// lists the years passed through that the calendar does not know.
func (c Calendar) Count(start, end time.Time) (n int, unknown []int) {
	seen := map[int]bool{}
	end = end.In(start.Location())
	for i, day := 0, midnight(start); i < maxCount && !day.AddDate(0, 0, 1).After(end); i, day = i+1, day.AddDate(0, 0, 1) {
		if !c.Known(day.Year()) && !seen[day.Year()] {
			seen[day.Year()] = true
			unknown = append(unknown, day.Year())
		}
		if c.IsWorkday(day) {
			n++
		}
	}
	return n, unknown
}
