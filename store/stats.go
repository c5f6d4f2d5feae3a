package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

	"skillscore"
	"skillscore/levels"
)

// StatCount is how many people of one 设区市 took part in the events of one
// kind, occupation and level in a year, and how many certificates (not
// revoked) those events issued to them.
type StatCount struct {
	City         string       `db:"city"`
	Occupation   string       `db:"occupation"`
	Level        levels.Level `db:"level"`
	Kind         string       `db:"kind"` // competition | assessment
	Contestants  int          `db:"contestants"`
	Certificates int          `db:"certificates"`
}

// Target is the number of people a 设区市 is expected to reach in one
// occupation and year.
type Target struct {
	Year       int    `db:"year"`
	City       string `db:"city"`
	Occupation string `db:"occupation"`
	Target     int64  `db:"target"`
	UpdatedAt  int64  `db:"updated_at"` // unix microseconds, 0 for the seeded annex
	UpdatedBy  string `db:"updated_by"`
}

// StatCounts counts the contestants and issued certificates of the year's
// events per city, occupation, level and kind, in that order.
func (s *Store) StatCounts(ctx context.Context, year int) ([]StatCount, error) {
	var out []StatCount
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := tx.SelectContext(ctx, &out, `
			SELECT c.city, e.occupation, e.level, e.kind, COUNT(*) AS contestants, 0 AS certificates
			FROM contestants c JOIN events e ON e.id = c.event_id
			WHERE e.year = ?
			GROUP BY c.city, e.occupation, e.level, e.kind
			ORDER BY c.city, e.occupation, e.level, e.kind`, year); err != nil {
			return fmt.Errorf("count contestants: %w", err)
		}
		var certs []StatCount
		if err := tx.SelectContext(ctx, &certs, `
			SELECT c.city, e.occupation, e.level, e.kind, 0 AS contestants, COUNT(*) AS certificates
			FROM certificates k
			JOIN contestants c ON c.id = k.contestant_id
			JOIN events e ON e.id = k.event_id
			WHERE e.year = ? AND k.revoked_at IS NULL
			GROUP BY c.city, e.occupation, e.level, e.kind`, year); err != nil {
			return fmt.Errorf("count certificates: %w", err)
		}
		// every certificate belongs to a contestant, so its group exists
		for _, k := range certs {
			for i := range out {
				o := &out[i]
				if o.City == k.City && o.Occupation == k.Occupation && o.Level == k.Level && o.Kind == k.Kind {
					o.Certificates = k.Certificates
				}
			}
		}
		return nil
	})
	return out, err
}

// Targets lists the targets of a year by city and occupation.
func (s *Store) Targets(ctx context.Context, year int) ([]Target, error) {
	var out []Target
	if err := s.r.SelectContext(ctx, &out,
		"SELECT * FROM targets WHERE year = ? ORDER BY city, occupation", year); err != nil {
		return nil, fmt.Errorf("list targets: %w", err)
	}
	return out, nil
}

// SetTarget enters or replaces one target, audited.
func (s *Store) SetTarget(ctx context.Context, t Target, actor string) (Target, error) {
	t.City = strings.TrimSpace(t.City)
	t.Occupation = strings.TrimSpace(t.Occupation)
	switch {
	case t.Year < 2000 || t.Year > 2100:
		return Target{}, skillscore.Errorf(skillscore.EInvalid, "年份 %d 无效：应为 2000 至 2100 之间的四位年份", t.Year)
	case t.City == "" || len([]rune(t.City)) > 16:
		return Target{}, skillscore.Errorf(skillscore.EInvalid, "请填写设区市（不超过 16 个字）")
	case t.Occupation == "" || len([]rune(t.Occupation)) > 100:
		return Target{}, skillscore.Errorf(skillscore.EInvalid, "请填写职业（不超过 100 个字）")
	case t.Target < 0 || t.Target > 10_000_000:
		return Target{}, skillscore.Errorf(skillscore.EInvalid, "目标人数 %d 无效：应为 0 至 10000000 之间的整数", t.Target)
	}
	now := s.now()
	t.UpdatedAt, t.UpdatedBy = micros(now), actor
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		// delete then insert: one portable upsert for SQLite and MySQL
		if _, err := tx.ExecContext(ctx, "DELETE FROM targets WHERE year = ? AND city = ? AND occupation = ?",
			t.Year, t.City, t.Occupation); err != nil {
			return fmt.Errorf("replace target: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO targets (year, city, occupation, target, updated_at, updated_by)
			VALUES (?, ?, ?, ?, ?, ?)`, t.Year, t.City, t.Occupation, t.Target, t.UpdatedAt, t.UpdatedBy); err != nil {
			return fmt.Errorf("insert target: %w", err)
		}
		return s.appendAudit(ctx, tx, nil, actor, "target.set",
			fmt.Sprintf("%d/%s/%s", t.Year, t.City, t.Occupation), map[string]int64{"target": t.Target}, now)
	})
	if err != nil {
		return Target{}, err
	}
	return t, nil
}
