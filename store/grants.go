package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"

	"skillscore"
)

// Roles a grant can hold (docs/roles.md). An organizer over a scope may do
// everything in it; an observer may only read its staff pages. A 督导员
// (supervisor) and an 审核员 (reviewer of the supervising office) read like
// an observer and each has the one action of its own: filing a 督导记录,
// approving or returning an assessment batch. A 监督 (monitor) of the
// 监督仲裁组 re-checks results before publication (复核) and an 仲裁
// (arbiter) hears the appeals filed at the venue; both read like an
// observer besides.
const (
	RoleOrganizer   = "organizer"
	RoleChief       = "chief"
	RoleScorekeeper = "scorekeeper"
	RoleObserver    = "observer"
	RoleSupervisor  = "supervisor"
	RoleReviewer    = "reviewer"
	RoleMonitor     = "monitor"
	RoleArbiter     = "arbiter"
)

// ReadOnlyRoles read every staff page of their scope and change nothing
// beyond the routes that name them.
var ReadOnlyRoles = []string{RoleObserver, RoleSupervisor, RoleReviewer, RoleMonitor, RoleArbiter}

// Grant is a role held over one scope: the whole site (no programme, no
// event), a programme (all its events) or one event. On the way in the
// scope is named by ProgrammeCode or EventCode; on the way out both ids and
// codes are filled.
type Grant struct {
	ID            int64  `db:"id"`
	UserID        int64  `db:"user_id"`
	Username      string `db:"username"`
	Role          string `db:"role"`
	ProgrammeID   *int64 `db:"programme_id"`
	EventID       *int64 `db:"event_id"`
	ProgrammeCode string `db:"programme_code"`
	EventCode     string `db:"event_code"`
	CreatedAt     Time   `db:"created_at"`
	CreatedBy     string `db:"created_by"`
}

// Site reports whether the grant covers the whole site.
func (g Grant) Site() bool { return g.ProgrammeID == nil && g.EventID == nil }

// scopeName is how the audit trail and messages name a grant's scope.
func (g Grant) scopeName() string {
	switch {
	case g.EventCode != "":
		return "event:" + g.EventCode
	case g.ProgrammeCode != "":
		return "programme:" + g.ProgrammeCode
	}
	return "site"
}

// checkGrant refuses a role that does not exist or a scope it cannot have:
// a chief judge and a scorekeeper work at one event (or, as before
// programmes, site-wide), never over a whole programme.
func checkGrant(g Grant) error {
	switch g.Role {
	case RoleOrganizer, RoleObserver, RoleSupervisor, RoleReviewer, RoleMonitor, RoleArbiter:
	case RoleChief, RoleScorekeeper:
		if g.ProgrammeCode != "" {
			return skillscore.Errorf(skillscore.EInvalid, "裁判长和记分员只能授予某个赛项（或全站），不能授予整个大赛")
		}
	default:
		return skillscore.Errorf(skillscore.EInvalid, "角色 %q 无效：应为 organizer、chief、scorekeeper、observer、supervisor、reviewer、monitor 或 arbiter", g.Role)
	}
	if g.ProgrammeCode != "" && g.EventCode != "" {
		return skillscore.Errorf(skillscore.EInvalid, "授权范围只能是一个赛项或一个大赛，不能同时指定")
	}
	return nil
}

// resolveScope fills a grant's ids from its codes.
func resolveScope(ctx context.Context, tx *sqlx.Tx, g *Grant) error {
	g.ProgrammeID, g.EventID = nil, nil
	if g.EventCode != "" {
		var id int64
		err := tx.GetContext(ctx, &id, "SELECT id FROM events WHERE code = ?", g.EventCode)
		if errors.Is(err, sql.ErrNoRows) {
			return skillscore.Errorf(skillscore.ENotFound, "赛项 %s 不存在", g.EventCode)
		}
		if err != nil {
			return fmt.Errorf("grant event: %w", err)
		}
		g.EventID = &id
	}
	if g.ProgrammeCode != "" {
		var id int64
		err := tx.GetContext(ctx, &id, "SELECT id FROM programmes WHERE code = ?", g.ProgrammeCode)
		if errors.Is(err, sql.ErrNoRows) {
			return skillscore.Errorf(skillscore.ENotFound, "大赛 %s 不存在", g.ProgrammeCode)
		}
		if err != nil {
			return fmt.Errorf("grant programme: %w", err)
		}
		g.ProgrammeID = &id
	}
	return nil
}

// CreateUser adds a user with a site-wide grant of its role, as every user
// had before roles per scope; a taken username is a conflict.
func (s *Store) CreateUser(ctx context.Context, u User, actor string) (User, error) {
	return s.CreateUserWithGrant(ctx, u, Grant{Role: u.Role}, actor)
}

// CreateUserWithGrant adds a user and its first grant in one transaction
// (g.Role empty means u.Role); nothing is stored when either is refused.
func (s *Store) CreateUserWithGrant(ctx context.Context, u User, g Grant, actor string) (User, error) {
	if g.Role == "" {
		g.Role = u.Role
	}
	if err := checkGrant(g); err != nil {
		return User{}, err
	}
	now := s.now()
	u.CreatedAt = Time{now}
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.NamedExecContext(ctx, `INSERT INTO users (username, name, role, password_hash, created_at)
			VALUES (:username, :name, :role, :password_hash, :created_at)`, u)
		if isUniqueViolation(err) {
			return skillscore.Errorf(skillscore.EConflict, "用户名 %s 已存在", u.Username)
		}
		if err != nil {
			return fmt.Errorf("insert user: %w", err)
		}
		if u.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		if err := s.appendAudit(ctx, tx, nil, actor, "user.add", u.Username, map[string]any{"name": u.Name, "role": u.Role}, now); err != nil {
			return err
		}
		g.UserID, g.Username = u.ID, u.Username
		_, err = s.grantTx(ctx, tx, g, actor)
		return err
	})
	return u, err
}

// Grant gives a user a role over a scope (g.UserID, g.Role and at most one
// of g.EventCode, g.ProgrammeCode), audited as user.grant. Granting what
// the user already holds is a conflict.
func (s *Store) Grant(ctx context.Context, g Grant, actor string) (Grant, error) {
	if err := checkGrant(g); err != nil {
		return Grant{}, err
	}
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := tx.GetContext(ctx, &g.Username, "SELECT username FROM users WHERE id = ?", g.UserID); errors.Is(err, sql.ErrNoRows) {
			return skillscore.Errorf(skillscore.ENotFound, "用户不存在")
		} else if err != nil {
			return fmt.Errorf("grant user: %w", err)
		}
		var err error
		g, err = s.grantTx(ctx, tx, g, actor)
		return err
	})
	return g, err
}

func (s *Store) grantTx(ctx context.Context, tx *sqlx.Tx, g Grant, actor string) (Grant, error) {
	if err := resolveScope(ctx, tx, &g); err != nil {
		return Grant{}, err
	}
	// The unique key does not catch a repeated site-wide grant (NULLs are
	// distinct on both databases), so the same grant is looked for first.
	var n int
	if err := tx.GetContext(ctx, &n, `SELECT COUNT(*) FROM user_grants WHERE user_id = ? AND role = ?
		AND COALESCE(programme_id, 0) = ? AND COALESCE(event_id, 0) = ?`,
		g.UserID, g.Role, idOr0(g.ProgrammeID), idOr0(g.EventID)); err != nil {
		return Grant{}, fmt.Errorf("find grant: %w", err)
	}
	if n > 0 {
		return Grant{}, skillscore.Errorf(skillscore.EConflict, "用户 %s 已有该授权", g.Username)
	}
	now := s.now()
	g.CreatedAt, g.CreatedBy = Time{now}, actor
	res, err := tx.ExecContext(ctx, `INSERT INTO user_grants (user_id, role, programme_id, event_id, created_at, created_by)
		VALUES (?, ?, ?, ?, ?, ?)`, g.UserID, g.Role, g.ProgrammeID, g.EventID, micros(now), actor)
	if isUniqueViolation(err) {
		return Grant{}, skillscore.Errorf(skillscore.EConflict, "用户 %s 已有该授权", g.Username)
	}
	if err != nil {
		return Grant{}, fmt.Errorf("insert grant: %w", err)
	}
	if g.ID, err = res.LastInsertId(); err != nil {
		return Grant{}, err
	}
	return g, s.appendAudit(ctx, tx, g.EventID, actor, "user.grant", g.Username,
		map[string]any{"role": g.Role, "scope": g.scopeName()}, now)
}

func idOr0(id *int64) int64 {
	if id == nil {
		return 0
	}
	return *id
}

// Revoke removes a grant by its id, audited as user.revoke.
func (s *Store) Revoke(ctx context.Context, grantID int64, actor string) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		var g Grant
		err := tx.GetContext(ctx, &g, grantSelect+" WHERE g.id = ?", grantID)
		if errors.Is(err, sql.ErrNoRows) {
			return skillscore.Errorf(skillscore.ENotFound, "授权不存在")
		}
		if err != nil {
			return fmt.Errorf("load grant: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM user_grants WHERE id = ?", grantID); err != nil {
			return fmt.Errorf("revoke: %w", err)
		}
		return s.appendAudit(ctx, tx, g.EventID, actor, "user.revoke", g.Username,
			map[string]any{"role": g.Role, "scope": g.scopeName()}, s.now())
	})
}

const grantSelect = `SELECT g.id, g.user_id, u.username, g.role, g.programme_id, g.event_id,
		COALESCE(p.code, '') AS programme_code, COALESCE(e.code, '') AS event_code, g.created_at, g.created_by
	FROM user_grants g JOIN users u ON u.id = g.user_id
	LEFT JOIN programmes p ON p.id = g.programme_id
	LEFT JOIN events e ON e.id = g.event_id`

// GrantsOf lists one user's grants: site-wide first, then by programme and
// event code.
func (s *Store) GrantsOf(ctx context.Context, userID int64) ([]Grant, error) {
	var out []Grant
	if err := s.r.SelectContext(ctx, &out, grantSelect+` WHERE g.user_id = ?
		ORDER BY programme_code, event_code, g.role`, userID); err != nil {
		return nil, fmt.Errorf("list grants: %w", err)
	}
	return out, nil
}

// Grants lists every grant, by username then scope.
func (s *Store) Grants(ctx context.Context) ([]Grant, error) {
	var out []Grant
	if err := s.r.SelectContext(ctx, &out, grantSelect+` ORDER BY u.username, programme_code, event_code, g.role`); err != nil {
		return nil, fmt.Errorf("list grants: %w", err)
	}
	return out, nil
}

// GrantByID returns one grant.
func (s *Store) GrantByID(ctx context.Context, id int64) (Grant, error) {
	var g Grant
	err := s.r.GetContext(ctx, &g, grantSelect+" WHERE g.id = ?", id)
	if errors.Is(err, sql.ErrNoRows) {
		return Grant{}, skillscore.Errorf(skillscore.ENotFound, "授权不存在")
	}
	if err != nil {
		return Grant{}, fmt.Errorf("load grant: %w", err)
	}
	return g, nil
}

// UserByID returns the user with that id.
func (s *Store) UserByID(ctx context.Context, id int64) (User, error) {
	var u User
	err := s.r.GetContext(ctx, &u, "SELECT * FROM users WHERE id = ?", id)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, skillscore.Errorf(skillscore.ENotFound, "用户不存在")
	}
	if err != nil {
		return User{}, fmt.Errorf("load user: %w", err)
	}
	return u, nil
}

// Access is what one user may do, by role and scope: the roles held
// site-wide, over each programme (by code) and over each event (by code,
// whether granted on the event itself or through its programme).
type Access struct {
	Site       map[string]bool
	Programmes map[string]map[string]bool
	Events     map[string]map[string]bool
	// ProgrammeOf names the programme of each event reached through a
	// programme grant.
	ProgrammeOf map[string]string
}

// InSite reports whether the user holds role site-wide.
func (a Access) InSite(role string) bool { return a.Site[role] }

// InEvent reports whether the user holds role over the event with that
// code: site-wide, through its programme or on the event itself.
func (a Access) InEvent(code, role string) bool { return a.Site[role] || a.Events[code][role] }

// InProgramme reports whether the user holds role over the programme with
// that code, or site-wide.
func (a Access) InProgramme(code, role string) bool {
	return a.Site[role] || a.Programmes[code][role]
}

// AnyInEvent reports whether the user holds any role over that event.
func (a Access) AnyInEvent(code string) bool { return len(a.Site) > 0 || len(a.Events[code]) > 0 }

// AllEvents reports whether the user sees every event (any site-wide role).
func (a Access) AllEvents() bool { return len(a.Site) > 0 }

// UserAccess loads a user's access in one query: each grant joined with
// the events it covers (its event, or every event of its programme).
func (s *Store) UserAccess(ctx context.Context, userID int64) (Access, error) {
	var rows []struct {
		Role          string         `db:"role"`
		Site          bool           `db:"site"`
		ProgrammeCode sql.NullString `db:"programme_code"`
		EventCode     sql.NullString `db:"event_code"`
	}
	err := s.r.SelectContext(ctx, &rows, `SELECT g.role,
			(CASE WHEN g.programme_id IS NULL AND g.event_id IS NULL THEN 1 ELSE 0 END) AS site,
			p.code AS programme_code, e.code AS event_code
		FROM user_grants g
		LEFT JOIN programmes p ON p.id = g.programme_id
		LEFT JOIN events e ON e.id = g.event_id OR (g.programme_id IS NOT NULL AND e.programme_id = g.programme_id)
		WHERE g.user_id = ?`, userID)
	if err != nil {
		return Access{}, fmt.Errorf("load access: %w", err)
	}
	a := Access{Site: map[string]bool{}, Programmes: map[string]map[string]bool{}, Events: map[string]map[string]bool{},
		ProgrammeOf: map[string]string{}}
	add := func(m map[string]map[string]bool, code, role string) {
		if m[code] == nil {
			m[code] = map[string]bool{}
		}
		m[code][role] = true
	}
	for _, r := range rows {
		if r.Site {
			a.Site[r.Role] = true
		}
		if r.ProgrammeCode.Valid {
			add(a.Programmes, r.ProgrammeCode.String, r.Role)
		}
		if r.EventCode.Valid {
			add(a.Events, r.EventCode.String, r.Role)
			if r.ProgrammeCode.Valid {
				a.ProgrammeOf[r.EventCode.String] = r.ProgrammeCode.String
			}
		}
	}
	return a, nil
}
