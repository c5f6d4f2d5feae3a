package store

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"skillscore"
	"skillscore/workdays"
)

// CalendarDay is one listed day of the working-day calendar (工作日历): a
// holiday (even on a weekday) or a weekend day worked in exchange (调休上班).
type CalendarDay struct {
	Day       string `db:"calendar_day"` // YYYY-MM-DD
	Kind      string `db:"kind"`         // workdays.Holiday | workdays.Workday
	Name      string `db:"name"`
	Source    string `db:"source"`
	UpdatedAt Time   `db:"updated_at"`
	UpdatedBy string `db:"updated_by"`
}

// KindName is the Chinese name of a calendar day's kind.
func (d CalendarDay) KindName() string {
	if d.Kind == workdays.Workday {
		return "调休上班"
	}
	return "放假"
}

// calendarDays reads listed days, of one year or (year 0) all.
func calendarDays(ctx context.Context, q sqlx.QueryerContext, year int) ([]CalendarDay, error) {
	query, args := "SELECT * FROM calendar_days ORDER BY calendar_day", []any{}
	if year != 0 {
		query, args = "SELECT * FROM calendar_days WHERE calendar_day LIKE ? ORDER BY calendar_day", []any{fmt.Sprintf("%04d-%%", year)}
	}
	var out []CalendarDay
	if err := sqlx.SelectContext(ctx, q, &out, query, args...); err != nil {
		return nil, fmt.Errorf("calendar: %w", err)
	}
	return out, nil
}

// loadCalendar builds the working-day calendar from every listed day.
func loadCalendar(ctx context.Context, q sqlx.QueryerContext) (workdays.Calendar, error) {
	rows, err := calendarDays(ctx, q, 0)
	if err != nil {
		return workdays.Calendar{}, err
	}
	days := make([]workdays.Day, len(rows))
	for i, r := range rows {
		days[i] = workdays.Day{Date: r.Day, Kind: r.Kind, Name: r.Name}
	}
	return workdays.New(days)
}

// CalendarDays lists the calendar's listed days of a year (0: every year).
func (s *Store) CalendarDays(ctx context.Context, year int) ([]CalendarDay, error) {
	return calendarDays(ctx, s.r, year)
}

// Calendar returns the working-day calendar.
func (s *Store) Calendar(ctx context.Context) (workdays.Calendar, error) {
	return loadCalendar(ctx, s.r)
}

// SetCalendarDays lists days (or changes listed ones), all or nothing: each
// a real date, a holiday or a 调休 working day, named. Audited as
// calendar.set with the days.
func (s *Store) SetCalendarDays(ctx context.Context, days []CalendarDay, actor string) error {
	if len(days) == 0 {
		return skillscore.Errorf(skillscore.EInvalid, "没有要录入的日期")
	}
	for i := range days {
		d := &days[i]
		d.Day, d.Name, d.Source = strings.TrimSpace(d.Day), strings.TrimSpace(d.Name), strings.TrimSpace(d.Source)
		t, err := time.Parse(time.DateOnly, d.Day)
		switch {
		case err != nil || t.Format(time.DateOnly) != d.Day:
			return skillscore.Errorf(skillscore.EInvalid, "日期 %q 无效：应为 YYYY-MM-DD", d.Day)
		case d.Kind != workdays.Holiday && d.Kind != workdays.Workday:
			return skillscore.Errorf(skillscore.EInvalid, "%s 的类型 %q 无效：应为 holiday（放假）或 workday（调休上班）", d.Day, d.Kind)
		case d.Name == "":
			return skillscore.Errorf(skillscore.EInvalid, "%s 没有名称（如 春节、春节调休上班）", d.Day)
		case utf8.RuneCountInString(d.Name) > 50 || utf8.RuneCountInString(d.Source) > 300:
			return skillscore.Errorf(skillscore.EInvalid, "%s 的名称（至多 50 字）或来源（至多 300 字）过长", d.Day)
		}
	}
	now := s.now()
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		listed := make([]string, len(days))
		for i, d := range days {
			if _, err := tx.ExecContext(ctx, "DELETE FROM calendar_days WHERE calendar_day = ?", d.Day); err != nil {
				return fmt.Errorf("calendar: %w", err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO calendar_days (calendar_day, kind, name, source, updated_at, updated_by)
				VALUES (?, ?, ?, ?, ?, ?)`, d.Day, d.Kind, d.Name, d.Source, micros(now), actor); err != nil {
				return fmt.Errorf("calendar: %w", err)
			}
			listed[i] = d.Day + " " + d.Kind + " " + d.Name
		}
		return s.appendAudit(ctx, tx, nil, actor, "calendar.set", "calendar", map[string]any{"days": listed}, now)
	})
}

// RemoveCalendarDay takes a listed day off the calendar (it becomes an
// ordinary weekday or weekend day again), audited as calendar.remove.
func (s *Store) RemoveCalendarDay(ctx context.Context, day, actor string) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM calendar_days WHERE calendar_day = ?", day)
		if err != nil {
			return fmt.Errorf("calendar: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return skillscore.Errorf(skillscore.ENotFound, "工作日历中没有 %s", day)
		}
		return s.appendAudit(ctx, tx, nil, actor, "calendar.remove", "calendar", map[string]any{"day": day}, s.now())
	})
}
