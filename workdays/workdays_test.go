package workdays

import (
	"slices"
	"testing"
	"time"

	"skillscore"
)

// cal2026 is the 2026 schedule (国务院办公厅关于2026年部分节假日安排的通知),
// as migration 033 seeds it.
func cal2026(t *testing.T) Calendar {
	t.Helper()
	var days []Day
	span := func(kind, name, from, to string) {
		a, _ := time.Parse(time.DateOnly, from)
		b, _ := time.Parse(time.DateOnly, to)
		for d := a; !d.After(b); d = d.AddDate(0, 0, 1) {
			days = append(days, Day{Date: d.Format(time.DateOnly), Kind: kind, Name: name})
		}
	}
	span(Holiday, "元旦", "2026-01-01", "2026-01-03")
	span(Holiday, "春节", "2026-02-15", "2026-02-23")
	span(Holiday, "清明节", "2026-04-04", "2026-04-06")
	span(Holiday, "劳动节", "2026-05-01", "2026-05-05")
	span(Holiday, "端午节", "2026-06-19", "2026-06-21")
	span(Holiday, "中秋节", "2026-09-25", "2026-09-27")
	span(Holiday, "国庆节", "2026-10-01", "2026-10-07")
	for _, d := range []string{"2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"} {
		days = append(days, Day{Date: d, Kind: Workday, Name: "调休上班"})
	}
	c, err := New(days)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, skillscore.China())
	if err != nil {
		panic(err)
	}
	return t
}

func dates(ts []time.Time) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Format("01-02")
	}
	return out
}

func TestFromCountsWorkingDays(t *testing.T) {
	c := cal2026(t)
	for _, tc := range []struct {
		name, start string
		n           int
		days        []string
		end         string
		unknown     []int
	}{
		{"plain week, the start day counts", "2026-03-02 09:00", 5, []string{"03-02", "03-03", "03-04", "03-05", "03-06"}, "2026-03-07 00:00", nil},
		{"published on a Saturday", "2026-03-07 10:00", 5, []string{"03-09", "03-10", "03-11", "03-12", "03-13"}, "2026-03-14 00:00", nil},
		{"中秋 holiday skipped", "2026-09-23 08:30", 5, []string{"09-23", "09-24", "09-28", "09-29", "09-30"}, "2026-10-01 00:00", nil},
		{"国庆 skipped, 调休 Saturday worked", "2026-09-28 09:00", 10,
			[]string{"09-28", "09-29", "09-30", "10-08", "10-09", "10-10", "10-12", "10-13", "10-14", "10-15"}, "2026-10-16 00:00", nil},
		{"春节: the Saturday before is worked", "2026-02-12 16:00", 5, []string{"02-12", "02-13", "02-14", "02-24", "02-25"}, "2026-02-26 00:00", nil},
		{"into a year not yet announced", "2026-12-29 09:00", 5, []string{"12-29", "12-30", "12-31", "01-01", "01-04"}, "2027-01-05 00:00", []int{2027}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := at(tc.start)
			p, err := c.From(start, tc.n)
			if err != nil {
				t.Fatal(err)
			}
			if got := dates(p.Days); !slices.Equal(got, tc.days) {
				t.Errorf("days %v, want %v", got, tc.days)
			}
			if !p.End.Equal(at(tc.end)) {
				t.Errorf("end %v, want %s", p.End, tc.end)
			}
			if !slices.Equal(p.Unknown, tc.unknown) {
				t.Errorf("unknown years %v, want %v", p.Unknown, tc.unknown)
			}
			if n, unknown := c.Count(start, p.End); n != tc.n || !slices.Equal(unknown, tc.unknown) {
				t.Errorf("Count back: %d %v, want %d", n, unknown, tc.n)
			}
		})
	}
}

func TestCountWholeDaysOnly(t *testing.T) {
	c := cal2026(t)
	if n, _ := c.Count(at("2026-03-02 09:00"), at("2026-03-06 17:00")); n != 4 {
		t.Errorf("a period ending Friday afternoon counts %d whole working days, want 4", n)
	}
	if n, _ := c.Count(at("2026-03-02 09:00"), at("2026-03-02 09:00")); n != 0 {
		t.Errorf("an empty period counts %d", n)
	}
	// The same instant given in UTC counts the same CST days.
	if n, _ := c.Count(at("2026-03-02 09:00"), at("2026-03-07 00:00").UTC()); n != 5 {
		t.Errorf("end in UTC: %d, want 5", n)
	}
}

func TestNewRefusesMalformedDays(t *testing.T) {
	for _, d := range []Day{{Date: "2026-2-1", Kind: Holiday}, {Date: "2026-02-30", Kind: Holiday}, {Date: "2026-02-01", Kind: "off"}} {
		if _, err := New([]Day{d}); err == nil {
			t.Errorf("%+v accepted", d)
		}
	}
	if _, err := (Calendar{}).From(at("2026-03-02 09:00"), 0); err == nil {
		t.Error("a count of 0 accepted")
	}
}

func TestKnownAndListed(t *testing.T) {
	c := cal2026(t)
	if !c.Known(2026) || c.Known(2027) {
		t.Fatal("known years")
	}
	if d, ok := c.Listed(at("2026-02-14 12:00")); !ok || d.Kind != Workday || !c.IsWorkday(at("2026-02-14 12:00")) {
		t.Fatalf("2026-02-14: %+v %v", d, ok)
	}
	if c.IsWorkday(at("2026-10-05 12:00")) || !c.IsWorkday(at("2026-10-09 12:00")) || c.IsWorkday(at("2026-10-11 12:00")) {
		t.Fatal("October days")
	}
}
