package store

import (
	"database/sql/driver"
	"fmt"
	"time"

	"skillscore/levels"
)

// Time is a time.Time stored as BIGINT microseconds since the Unix epoch, the
// schema's one timestamp format. It reads back in UTC, identical on SQLite
// and MySQL; the zero Time is stored as NULL.
type Time struct{ time.Time }

// Scan implements sql.Scanner.
func (t *Time) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		t.Time = time.Time{}
	case int64:
		t.Time = fromMicros(v)
	case []byte:
		var us int64
		if _, err := fmt.Sscan(string(v), &us); err != nil {
			return fmt.Errorf("store.Time: %q is not microseconds: %w", v, err)
		}
		t.Time = fromMicros(us)
	default:
		return fmt.Errorf("store.Time: cannot scan %T", src)
	}
	return nil
}

// Value implements driver.Valuer.
func (t Time) Value() (driver.Value, error) {
	if t.IsZero() {
		return nil, nil
	}
	return micros(t.Time), nil
}

// Event is one competition or assessment sitting (赛事 / 考评活动).
type Event struct {
	ID             int64        `db:"id"`
	Code           string       `db:"code"`
	Name           string       `db:"name"`
	Kind           string       `db:"kind"` // competition | assessment
	Occupation     string       `db:"occupation"`
	OccupationCode string       `db:"occupation_code"`
	Specialty      string       `db:"specialty"`
	Level          levels.Level `db:"level"` // assessment: the level assessed; 0 for a competition
	Tier           string       `db:"tier"`
	Class          string       `db:"class"`
	Year           int          `db:"year"`
	Venue          string       `db:"venue"`
	StartsOn       string       `db:"starts_on"`
	Status         string       `db:"status"`
	Rules          string       `db:"rules"` // the rule document, JSON
	Revision       int64        `db:"revision"`
	ProgrammeID    *int64       `db:"programme_id"` // the programme (大赛) it belongs to, nil = stands alone
	CreatedAt      Time         `db:"created_at"`
	UpdatedAt      Time         `db:"updated_at"`
}

// Group is a ranked group of an event (职工组 / 学生组).
type Group struct {
	EventID  int64  `db:"event_id"`
	Code     string `db:"code"`
	Name     string `db:"name"`
	Position int    `db:"position"`
}

// Module is a weighted part of an event. Weight and MaxMarks are fixed-point
// with 4 decimals (scoring.Decimal's unit).
type Module struct {
	ID          int64    `db:"id"`
	EventID     int64    `db:"event_id"`
	Code        string   `db:"code"`
	Name        string   `db:"name"`
	Kind        string   `db:"kind"` // theory | practical | review
	Weight      int64    `db:"weight"`
	MaxMarks    int64    `db:"max_marks"`
	Imported    bool     `db:"imported"`
	Position    int      `db:"position"`
	SignedOffAt Time     `db:"signed_off_at"`
	SignedOffBy *int64   `db:"signed_off_by"`
	Aspects     []Aspect `db:"-"`
}

// Aspect is one line of a module's rubric.
type Aspect struct {
	ID       int64  `db:"id"`
	ModuleID int64  `db:"module_id"`
	Code     string `db:"code"`
	Name     string `db:"name"`
	Kind     string `db:"kind"`
	MaxMarks int64  `db:"max_marks"`
	Position int    `db:"position"`
}

// Contestant is a person scored in an event (选手 / 考生).
type Contestant struct {
	ID                int64        `db:"id"`
	EventID           int64        `db:"event_id"`
	Name              string       `db:"name"`
	Gender            string       `db:"gender"`
	IDType            string       `db:"id_type"`
	IDNumber          string       `db:"-"`         // opened from IDCipher; "" in a Snapshot until OpenPersonal
	IDCipher          string       `db:"id_cipher"` // sealed 证件号码 (privacy.Keyring)
	IDIndex           string       `db:"id_index"`  // keyed HMAC of the 证件号码, for lookups and uniqueness
	Organization      string       `db:"organization"`
	City              string       `db:"city"`
	Phone             string       `db:"-"` // sensitive: the organizer's pages only; opened from PhoneCipher
	PhoneCipher       string       `db:"phone_cipher"`
	GroupCode         string       `db:"group_code"`
	Level             levels.Level `db:"level"` // current level, 0 = none
	LastPromotionYear int          `db:"last_promotion_year"`
	Code              *string      `db:"code"`
	Station           *string      `db:"station"`
	CompletionMillis  int64        `db:"completion_ms"`
	DelegationID      *int64       `db:"delegation_id"` // 代表队 in a programme, nil = none
	CreatedAt         Time         `db:"created_at"`
	// Team entries (teams.go): Kind is KindPerson, KindTeam (an entry
	// with no personal data) or KindMember (TeamID is its entry).
	Kind         string `db:"kind"`
	TeamID       *int64 `db:"team_id"`
	Status       string `db:"status"` // "" competing, or a scoring.Status* constant
	StatusReason string `db:"status_reason"`
	StatusBy     string `db:"status_by"`
	StatusAt     Time   `db:"status_at"`
}

// Judge is a 裁判员 / 考评员 of one event.
type Judge struct {
	ID           int64  `db:"id"`
	EventID      int64  `db:"event_id"`
	Code         string `db:"code"`
	Name         string `db:"name"`
	Organization string `db:"organization"`
	City         string `db:"city"`
	CreatedAt    Time   `db:"created_at"`
}

// PanelMember places a judge on a module's panel; Chief marks the 裁判长.
type PanelMember struct {
	ModuleID int64 `db:"module_id"`
	JudgeID  int64 `db:"judge_id"`
	Chief    bool  `db:"chief"`
}
