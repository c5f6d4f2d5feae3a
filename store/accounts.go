package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"

	"skillscore"
)

// User is a person who is not a judge: an organizer (组织者), a chief judge
// (裁判长) or a scorekeeper (记分员). PasswordHash is a bcrypt hash made by
// the caller; the store never sees a password.
type User struct {
	ID           int64  `db:"id"`
	Username     string `db:"username"`
	Name         string `db:"name"`
	Role         string `db:"role"` // the role it was created with; grants decide what it may do
	PasswordHash string `db:"password_hash"`
	CreatedAt    Time   `db:"created_at"`
}

// UserSession is a logged-in browser, keyed by the hash of its cookie token.
type UserSession struct {
	TokenHash string `db:"token_hash"`
	UserID    int64  `db:"user_id"`
	CSRF      string `db:"csrf"`
	CreatedAt Time   `db:"created_at"`
	ExpiresAt Time   `db:"expires_at"`
}

// UserByUsername returns the user with that username.
func (s *Store) UserByUsername(ctx context.Context, username string) (User, error) {
	var u User
	err := s.r.GetContext(ctx, &u, "SELECT * FROM users WHERE username = ?", username)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, skillscore.Errorf(skillscore.ENotFound, "用户 %s 不存在", username)
	}
	if err != nil {
		return User{}, fmt.Errorf("load user: %w", err)
	}
	return u, nil
}

// Users lists every user by username.
func (s *Store) Users(ctx context.Context) ([]User, error) {
	var out []User
	if err := s.r.SelectContext(ctx, &out, "SELECT * FROM users ORDER BY username"); err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return out, nil
}

// CreateSession stores a new login session and audits the login.
func (s *Store) CreateSession(ctx context.Context, sess UserSession, username string) error {
	now := s.now()
	sess.CreatedAt = Time{now}
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.NamedExecContext(ctx, `INSERT INTO user_sessions (token_hash, user_id, csrf, created_at, expires_at)
			VALUES (:token_hash, :user_id, :csrf, :created_at, :expires_at)`, sess); err != nil {
			return fmt.Errorf("insert session: %w", err)
		}
		// Expired sessions of anyone are cleared on the way.
		if _, err := tx.ExecContext(ctx, "DELETE FROM user_sessions WHERE expires_at < ?", micros(now)); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, nil, username, "user.login", username, map[string]any{}, now)
	})
}

// SessionUser returns the live session with that token hash and its user;
// a missing or expired one is unauthorized.
func (s *Store) SessionUser(ctx context.Context, tokenHash string) (UserSession, User, error) {
	var row struct {
		UserSession
		User `db:"u"`
	}
	err := s.r.GetContext(ctx, &row, `SELECT s.token_hash, s.user_id, s.csrf, s.created_at, s.expires_at,
			u.id AS "u.id", u.username AS "u.username", u.name AS "u.name", u.role AS "u.role",
			u.password_hash AS "u.password_hash", u.created_at AS "u.created_at"
		FROM user_sessions s JOIN users u ON u.id = s.user_id
		WHERE s.token_hash = ? AND s.expires_at > ?`, tokenHash, micros(s.now()))
	if errors.Is(err, sql.ErrNoRows) {
		return UserSession{}, User{}, skillscore.Errorf(skillscore.EUnauthorized, "请先登录")
	}
	if err != nil {
		return UserSession{}, User{}, fmt.Errorf("load session: %w", err)
	}
	return row.UserSession, row.User, nil
}

// DeleteSession ends a login session.
func (s *Store) DeleteSession(ctx context.Context, tokenHash string) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, "DELETE FROM user_sessions WHERE token_hash = ?", tokenHash)
		return err
	})
}
