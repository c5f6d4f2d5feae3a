package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/jmoiron/sqlx"

	"skillscore"
	"skillscore/programme"
)

// Programme is a 大赛: many events (赛项) sharing delegations and result
// rules (programme.Rules as JSON).
type Programme struct {
	ID        int64  `db:"id"`
	Code      string `db:"code"`
	Name      string `db:"name"`
	Year      int    `db:"year"`
	Rules     string `db:"rules"`
	CreatedAt Time   `db:"created_at"`
	UpdatedAt Time   `db:"updated_at"`
}

// Delegation is a 代表队 of a programme.
type Delegation struct {
	ID          int64  `db:"id"`
	ProgrammeID int64  `db:"programme_id"`
	Code        string `db:"code"`
	Name        string `db:"name"`
	Kind        string `db:"kind"` // city | industry | unit
	Position    int    `db:"position"`
}

// Delegation kinds.
var delegationKinds = map[string]string{"city": "设区市", "industry": "行业", "unit": "单位"}

// DelegationKindName is the Chinese name of a delegation kind.
func DelegationKindName(kind string) string { return delegationKinds[kind] }

var programmeCode = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,63}$`)

func programmeSubject(code string) string { return "programme:" + code }

// CreateProgramme stores a new programme; empty rules store the default
// rules (一/二/三等奖 by medals).
func (s *Store) CreateProgramme(ctx context.Context, p Programme, actor string) (Programme, error) {
	p.Code, p.Name = strings.TrimSpace(p.Code), strings.TrimSpace(p.Name)
	if !programmeCode.MatchString(p.Code) {
		return Programme{}, skillscore.Errorf(skillscore.EInvalid, "大赛代码 %q 无效：只能用小写字母、数字和连字符，2–64 个字符", p.Code)
	}
	if p.Name == "" {
		return Programme{}, skillscore.Errorf(skillscore.EInvalid, "大赛名称不能为空")
	}
	if p.Year < 2000 || p.Year > 2100 {
		return Programme{}, skillscore.Errorf(skillscore.EInvalid, "大赛年份 %d 无效", p.Year)
	}
	if strings.TrimSpace(p.Rules) == "" {
		p.Rules = programme.DefaultJSON()
	}
	if _, err := programme.ParseRules([]byte(p.Rules)); err != nil {
		return Programme{}, skillscore.Wrap(skillscore.EInvalid, err, "大赛规则无效："+err.Error())
	}
	now := s.now()
	p.CreatedAt, p.UpdatedAt = Time{now}, Time{now}
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.NamedExecContext(ctx, `INSERT INTO programmes (code, name, year, rules, created_at, updated_at)
			VALUES (:code, :name, :year, :rules, :created_at, :updated_at)`, p)
		if isUniqueViolation(err) {
			return skillscore.Errorf(skillscore.EConflict, "大赛代码 %s 已存在", p.Code)
		}
		if err != nil {
			return fmt.Errorf("insert programme: %w", err)
		}
		if p.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, nil, actor, "programme.create", programmeSubject(p.Code),
			map[string]any{"name": p.Name, "year": p.Year}, now)
	})
	if err != nil {
		return Programme{}, err
	}
	return p, nil
}

// Programme returns the programme with the given id.
func (s *Store) Programme(ctx context.Context, id int64) (Programme, error) {
	return oneProgramme(ctx, s.r, "SELECT * FROM programmes WHERE id = ?", id)
}

// ProgrammeByCode returns the programme with the given code.
func (s *Store) ProgrammeByCode(ctx context.Context, code string) (Programme, error) {
	return oneProgramme(ctx, s.r, "SELECT * FROM programmes WHERE code = ?", code)
}

func oneProgramme(ctx context.Context, q sqlx.QueryerContext, query string, arg any) (Programme, error) {
	var p Programme
	err := sqlx.GetContext(ctx, q, &p, query, arg)
	if errors.Is(err, sql.ErrNoRows) {
		return Programme{}, skillscore.Errorf(skillscore.ENotFound, "大赛 %v 不存在", arg)
	}
	if err != nil {
		return Programme{}, fmt.Errorf("load programme %v: %w", arg, err)
	}
	return p, nil
}

// Programmes lists all programmes, newest first.
func (s *Store) Programmes(ctx context.Context) ([]Programme, error) {
	var out []Programme
	if err := s.r.SelectContext(ctx, &out, "SELECT * FROM programmes ORDER BY id DESC"); err != nil {
		return nil, fmt.Errorf("list programmes: %w", err)
	}
	return out, nil
}

// SetProgrammeRules replaces a programme's result rules after validating
// them; the old and new documents are audited.
func (s *Store) SetProgrammeRules(ctx context.Context, programmeID int64, rules, actor string) error {
	if _, err := programme.ParseRules([]byte(rules)); err != nil {
		return skillscore.Wrap(skillscore.EInvalid, err, "大赛规则无效："+err.Error())
	}
	now := s.now()
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		p, err := oneProgramme(ctx, tx, "SELECT * FROM programmes WHERE id = ?", programmeID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE programmes SET rules = ?, updated_at = ? WHERE id = ?",
			rules, Time{now}, programmeID); err != nil {
			return fmt.Errorf("update programme rules: %w", err)
		}
		return s.appendAudit(ctx, tx, nil, actor, "programme.rules", programmeSubject(p.Code),
			map[string]any{"old": p.Rules, "new": rules}, now)
	})
}

// ProgrammeEvents lists a programme's events in the order they were added.
func (s *Store) ProgrammeEvents(ctx context.Context, programmeID int64) ([]Event, error) {
	var out []Event
	if err := s.r.SelectContext(ctx, &out, "SELECT * FROM events WHERE programme_id = ? ORDER BY id", programmeID); err != nil {
		return nil, fmt.Errorf("list programme events: %w", err)
	}
	return out, nil
}

// AddEventToProgramme puts a standing-alone event into a programme. An
// event already in a programme stays where it is: its contestants'
// delegations belong to that programme.
func (s *Store) AddEventToProgramme(ctx context.Context, programmeID, eventID int64, actor string) error {
	now := s.now()
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		p, err := oneProgramme(ctx, tx, "SELECT * FROM programmes WHERE id = ?", programmeID)
		if err != nil {
			return err
		}
		var ev Event
		if err := tx.GetContext(ctx, &ev, "SELECT * FROM events WHERE id = ?", eventID); errors.Is(err, sql.ErrNoRows) {
			return skillscore.Errorf(skillscore.ENotFound, "赛事 %d 不存在", eventID)
		} else if err != nil {
			return fmt.Errorf("load event: %w", err)
		}
		switch {
		case ev.ProgrammeID != nil && *ev.ProgrammeID == programmeID:
			return skillscore.Errorf(skillscore.EConflict, "赛项 %s 已在大赛 %s 中", ev.Code, p.Name)
		case ev.ProgrammeID != nil:
			return skillscore.Errorf(skillscore.EConflict, "赛项 %s 已属于另一个大赛，不能再加入 %s", ev.Code, p.Name)
		}
		if _, err := tx.ExecContext(ctx, "UPDATE events SET programme_id = ? WHERE id = ?", programmeID, eventID); err != nil {
			return fmt.Errorf("add event to programme: %w", err)
		}
		return s.appendAudit(ctx, tx, &eventID, actor, "programme.add_event", programmeSubject(p.Code),
			map[string]any{"event": ev.Code}, now)
	})
}

// CreateEventInProgramme creates an event inside a programme in one step.
func (s *Store) CreateEventInProgramme(ctx context.Context, programmeID int64, ne NewEvent, actor string) (Event, error) {
	if _, err := s.Programme(ctx, programmeID); err != nil {
		return Event{}, err
	}
	ne.Event.ProgrammeID = &programmeID
	return s.CreateEvent(ctx, ne, actor)
}

// Delegations lists a programme's delegations in display order.
func (s *Store) Delegations(ctx context.Context, programmeID int64) ([]Delegation, error) {
	var out []Delegation
	if err := s.r.SelectContext(ctx, &out,
		"SELECT * FROM delegations WHERE programme_id = ? ORDER BY position, id", programmeID); err != nil {
		return nil, fmt.Errorf("list delegations: %w", err)
	}
	return out, nil
}

func checkDelegation(i int, d *Delegation) error {
	d.Code, d.Name, d.Kind = strings.TrimSpace(d.Code), strings.TrimSpace(d.Name), strings.TrimSpace(d.Kind)
	if d.Kind == "" {
		d.Kind = "city"
	}
	where := ""
	if i > 0 {
		where = fmt.Sprintf("第 %d 行：", i)
	}
	switch {
	case d.Code == "" || len(d.Code) > 32 || strings.ContainsAny(d.Code, " \t/"):
		return skillscore.Errorf(skillscore.EInvalid, "%s代表队代码 %q 无效（1–32 个字符，不含空格和斜杠）", where, d.Code)
	case d.Name == "":
		return skillscore.Errorf(skillscore.EInvalid, "%s代表队 %s 缺少名称", where, d.Code)
	case len([]rune(d.Name)) > 100:
		return skillscore.Errorf(skillscore.EInvalid, "%s代表队名称过长（最多 100 个字）", where)
	case delegationKinds[d.Kind] == "":
		return skillscore.Errorf(skillscore.EInvalid, "%s代表队 %s 的类别 %q 无效，应为 设区市/行业/单位（city/industry/unit）", where, d.Code, d.Kind)
	}
	return nil
}

// ParseDelegationKind reads a kind as written in a sheet: 设区市/行业/单位 or
// city/industry/unit ("" = city).
func ParseDelegationKind(s string) string {
	s = strings.TrimSpace(s)
	for k, zh := range delegationKinds {
		if s == zh {
			return k
		}
	}
	return s
}

// SaveDelegation adds a delegation (ID 0) or changes one's code, name or
// kind.
func (s *Store) SaveDelegation(ctx context.Context, d Delegation, actor string) (Delegation, error) {
	if err := checkDelegation(0, &d); err != nil {
		return Delegation{}, err
	}
	now := s.now()
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		p, err := oneProgramme(ctx, tx, "SELECT * FROM programmes WHERE id = ?", d.ProgrammeID)
		if err != nil {
			return err
		}
		action := "delegation.update"
		if d.ID == 0 {
			action = "delegation.create"
			if err := tx.GetContext(ctx, &d.Position,
				"SELECT COALESCE(MAX(position), 0) + 1 FROM delegations WHERE programme_id = ?", d.ProgrammeID); err != nil {
				return fmt.Errorf("delegation position: %w", err)
			}
			res, err := tx.NamedExecContext(ctx, `INSERT INTO delegations (programme_id, code, name, kind, position)
				VALUES (:programme_id, :code, :name, :kind, :position)`, d)
			if isUniqueViolation(err) {
				return skillscore.Errorf(skillscore.EConflict, "代表队代码 %s 或名称 %s 已在本大赛中", d.Code, d.Name)
			}
			if err != nil {
				return fmt.Errorf("insert delegation: %w", err)
			}
			if d.ID, err = res.LastInsertId(); err != nil {
				return err
			}
		} else {
			res, err := tx.NamedExecContext(ctx, `UPDATE delegations SET code = :code, name = :name, kind = :kind
				WHERE id = :id AND programme_id = :programme_id`, d)
			if isUniqueViolation(err) {
				return skillscore.Errorf(skillscore.EConflict, "代表队代码 %s 或名称 %s 已在本大赛中", d.Code, d.Name)
			}
			if err != nil {
				return fmt.Errorf("update delegation: %w", err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				var exists int
				if err := tx.GetContext(ctx, &exists, "SELECT COUNT(*) FROM delegations WHERE id = ? AND programme_id = ?",
					d.ID, d.ProgrammeID); err != nil {
					return err
				}
				if exists == 0 {
					return skillscore.Errorf(skillscore.ENotFound, "代表队 %d 不在大赛 %s 中", d.ID, p.Code)
				}
			}
		}
		return s.appendAudit(ctx, tx, nil, actor, action, programmeSubject(p.Code),
			map[string]any{"id": d.ID, "code": d.Code, "name": d.Name, "kind": d.Kind}, now)
	})
	if err != nil {
		return Delegation{}, err
	}
	return d, nil
}

// DeleteDelegation removes a delegation nobody belongs to.
func (s *Store) DeleteDelegation(ctx context.Context, programmeID, delegationID int64, actor string) error {
	now := s.now()
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		var d Delegation
		err := tx.GetContext(ctx, &d, "SELECT * FROM delegations WHERE id = ? AND programme_id = ?", delegationID, programmeID)
		if errors.Is(err, sql.ErrNoRows) {
			return skillscore.Errorf(skillscore.ENotFound, "代表队 %d 不在本大赛中", delegationID)
		}
		if err != nil {
			return fmt.Errorf("load delegation: %w", err)
		}
		var n int
		if err := tx.GetContext(ctx, &n, "SELECT COUNT(*) FROM contestants WHERE delegation_id = ?", delegationID); err != nil {
			return fmt.Errorf("delegation members: %w", err)
		}
		if n > 0 {
			return skillscore.Errorf(skillscore.EConflict, "代表队 %s 还有 %d 名选手，不能删除", d.Name, n)
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM delegations WHERE id = ?", delegationID); err != nil {
			return fmt.Errorf("delete delegation: %w", err)
		}
		p, err := oneProgramme(ctx, tx, "SELECT * FROM programmes WHERE id = ?", programmeID)
		if err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, nil, actor, "delegation.delete", programmeSubject(p.Code),
			map[string]any{"id": d.ID, "code": d.Code, "name": d.Name}, now)
	})
}

// ImportDelegations adds the delegations of a sheet, all or none: a code
// already in the programme updates its name and kind, a new code is added
// at the end. rows[i] is the sheet row of ds[i] for error messages (nil:
// the i-th line).
func (s *Store) ImportDelegations(ctx context.Context, programmeID int64, ds []Delegation, rows []int, actor string) (added, updated int, err error) {
	if len(ds) == 0 {
		return 0, 0, skillscore.Errorf(skillscore.EInvalid, "表格中没有代表队")
	}
	rowOf := func(i int) int {
		if i < len(rows) {
			return rows[i]
		}
		return i + 1
	}
	codes, names := map[string]int{}, map[string]int{}
	for i := range ds {
		row := rowOf(i)
		if err := checkDelegation(row, &ds[i]); err != nil {
			return 0, 0, err
		}
		if prev, ok := codes[ds[i].Code]; ok {
			return 0, 0, skillscore.Errorf(skillscore.EInvalid, "第 %d 行：代表队代码 %s 与第 %d 行重复", row, ds[i].Code, prev)
		}
		if prev, ok := names[ds[i].Name]; ok {
			return 0, 0, skillscore.Errorf(skillscore.EInvalid, "第 %d 行：代表队名称 %s 与第 %d 行重复", row, ds[i].Name, prev)
		}
		codes[ds[i].Code], names[ds[i].Name] = row, row
	}
	now := s.now()
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		p, err := oneProgramme(ctx, tx, "SELECT * FROM programmes WHERE id = ?", programmeID)
		if err != nil {
			return err
		}
		var have []Delegation
		if err := tx.SelectContext(ctx, &have, "SELECT * FROM delegations WHERE programme_id = ? ORDER BY position", programmeID); err != nil {
			return fmt.Errorf("delegations: %w", err)
		}
		byCode := map[string]Delegation{}
		next := 1
		for _, d := range have {
			byCode[d.Code] = d
			next = max(next, d.Position+1)
		}
		// Names move between codes in one import (a swap), so the kept rows
		// get a placeholder name first and their new one after.
		for _, d := range ds {
			if old, ok := byCode[d.Code]; ok && old.Name != d.Name {
				if _, err := tx.ExecContext(ctx, "UPDATE delegations SET name = ? WHERE id = ?", fmt.Sprintf("#%d", old.ID), old.ID); err != nil {
					return fmt.Errorf("rename delegation: %w", err)
				}
			}
		}
		for i, d := range ds {
			d.ProgrammeID = programmeID
			if old, ok := byCode[d.Code]; ok {
				d.ID = old.ID
				if _, err := tx.ExecContext(ctx, "UPDATE delegations SET name = ?, kind = ? WHERE id = ?", d.Name, d.Kind, d.ID); err != nil {
					if isUniqueViolation(err) {
						return skillscore.Errorf(skillscore.EConflict, "第 %d 行：代表队名称 %s 已被本大赛另一代表队使用", rowOf(i), d.Name)
					}
					return fmt.Errorf("update delegation: %w", err)
				}
				updated++
				continue
			}
			d.Position = next
			next++
			if _, err := tx.NamedExecContext(ctx, `INSERT INTO delegations (programme_id, code, name, kind, position)
				VALUES (:programme_id, :code, :name, :kind, :position)`, d); err != nil {
				if isUniqueViolation(err) {
					return skillscore.Errorf(skillscore.EConflict, "第 %d 行：代表队名称 %s 已被本大赛另一代表队使用", rowOf(i), d.Name)
				}
				return fmt.Errorf("insert delegation: %w", err)
			}
			added++
		}
		return s.appendAudit(ctx, tx, nil, actor, "delegation.import", programmeSubject(p.Code),
			map[string]any{"added": added, "updated": updated}, now)
	})
	if err != nil {
		return 0, 0, err
	}
	return added, updated, nil
}

// EventDelegations lists the delegations a contestant of the event may
// belong to: its programme's, or none when it stands alone.
func (s *Store) EventDelegations(ctx context.Context, eventID int64) ([]Delegation, error) {
	var out []Delegation
	if err := s.r.SelectContext(ctx, &out, `SELECT d.* FROM delegations d JOIN events e ON e.programme_id = d.programme_id
		WHERE e.id = ? ORDER BY d.position, d.id`, eventID); err != nil {
		return nil, fmt.Errorf("event delegations: %w", err)
	}
	return out, nil
}

// SetContestantDelegation puts a contestant into one of its event's
// programme's delegations (nil: none).
func (s *Store) SetContestantDelegation(ctx context.Context, eventID, contestantID int64, delegationID *int64, actor string) error {
	now := s.now()
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		var n int
		if err := tx.GetContext(ctx, &n, "SELECT COUNT(*) FROM contestants WHERE id = ? AND event_id = ?", contestantID, eventID); err != nil {
			return fmt.Errorf("contestant: %w", err)
		}
		if n == 0 {
			return skillscore.Errorf(skillscore.ENotFound, "选手 %d 不在本赛事中", contestantID)
		}
		if err := checkDelegationIDs(ctx, tx, eventID, []*int64{delegationID}); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE contestants SET delegation_id = ? WHERE id = ?", delegationID, contestantID); err != nil {
			return fmt.Errorf("set delegation: %w", err)
		}
		// Boards showing the delegation table catch up with the change.
		if _, err := bumpRevision(ctx, tx, eventID); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, &eventID, actor, "contestant.delegation", fmt.Sprintf("contestant:%d", contestantID),
			map[string]any{"delegation_id": delegationID}, now)
	})
}

// checkDelegationIDs refuses a delegation that is not of the event's
// programme (or any delegation for an event in no programme).
func checkDelegationIDs(ctx context.Context, tx *sqlx.Tx, eventID int64, ids []*int64) error {
	var pid *int64
	wanted := false
	for _, id := range ids {
		wanted = wanted || id != nil
	}
	if !wanted {
		return nil
	}
	if err := tx.GetContext(ctx, &pid, "SELECT programme_id FROM events WHERE id = ?", eventID); err != nil {
		return fmt.Errorf("event programme: %w", err)
	}
	if pid == nil {
		return skillscore.Errorf(skillscore.EInvalid, "本赛事不属于任何大赛，选手不能有代表队")
	}
	var own []int64
	if err := tx.SelectContext(ctx, &own, "SELECT id FROM delegations WHERE programme_id = ?", *pid); err != nil {
		return fmt.Errorf("delegations: %w", err)
	}
	for _, id := range ids {
		if id != nil && !slices.Contains(own, *id) {
			return skillscore.Errorf(skillscore.EInvalid, "代表队 %d 不属于本赛事所在的大赛", *id)
		}
	}
	return nil
}

// checkContestantDelegations refuses a batch of contestants naming a
// delegation outside the event's programme.
func checkContestantDelegations(ctx context.Context, tx *sqlx.Tx, eventID int64, cs []Contestant) error {
	ids := make([]*int64, len(cs))
	for i := range cs {
		ids[i] = cs[i].DelegationID
	}
	return checkDelegationIDs(ctx, tx, eventID, ids)
}

// ProgrammeAudit returns the audit entries about a programme (its rules,
// delegations and events joining it) in order.
func (s *Store) ProgrammeAudit(ctx context.Context, code string) ([]AuditEntry, error) {
	var out []AuditEntry
	if err := s.r.SelectContext(ctx, &out, "SELECT * FROM audit_log WHERE subject = ? ORDER BY id", programmeSubject(code)); err != nil {
		return nil, fmt.Errorf("programme audit: %w", err)
	}
	return out, nil
}
