package store

import (
	"context"
	"database/sql"
	"strings"

	"github.com/jmoiron/sqlx"
)

// execer is what the statement helpers need of a transaction: *sqlx.Tx, or
// a stmtCache over one.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	GetContext(ctx context.Context, dest any, query string, args ...any) error
	SelectContext(ctx context.Context, dest any, query string, args ...any) error
}

// stmtCache runs statements of one transaction through prepared statements,
// each prepared on first use. A batch of judges' operations repeats the
// same statements hundreds of times; SQLite's parser was most of its cost.
type stmtCache struct {
	tx    *sqlx.Tx
	stmts map[string]*sqlx.Stmt
	// all: prepare statements without arguments too (SAVEPOINT …). SQLite
	// accepts any statement prepared; MySQL's prepared protocol does not
	// take every statement, so there they go as text.
	all bool
}

func newStmtCache(tx *sqlx.Tx, d Dialect) *stmtCache {
	return &stmtCache{tx: tx, stmts: map[string]*sqlx.Stmt{}, all: d == SQLite}
}

func (c *stmtCache) prepared(ctx context.Context, query string) (*sqlx.Stmt, error) {
	if st, ok := c.stmts[query]; ok {
		return st, nil
	}
	st, err := c.tx.PreparexContext(ctx, query)
	if err != nil {
		return nil, err
	}
	c.stmts[query] = st
	return st, nil
}

// ExecContext runs a statement; one without arguments (SAVEPOINT …) goes
// as text, which every driver accepts.
func (c *stmtCache) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if len(args) == 0 && !c.all {
		return c.tx.ExecContext(ctx, query)
	}
	st, err := c.prepared(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// GetContext runs a query and scans its one row into dest.
func (c *stmtCache) GetContext(ctx context.Context, dest any, query string, args ...any) error {
	st, err := c.prepared(ctx, query)
	if err != nil {
		return err
	}
	return st.GetContext(ctx, dest, args...)
}

// SelectContext runs a query and scans its rows into dest.
func (c *stmtCache) SelectContext(ctx context.Context, dest any, query string, args ...any) error {
	st, err := c.prepared(ctx, query)
	if err != nil {
		return err
	}
	return st.SelectContext(ctx, dest, args...)
}

func (c *stmtCache) close() {
	for _, st := range c.stmts {
		st.Close()
	}
}

// insertRows inserts rows (each holding one value per column): on MySQL
// with multi-row INSERTs of up to 100 rows, one round trip instead of one per
// row.
func insertRows(ctx context.Context, tx execer, table string, cols []string, rows [][]any) error {
	per := 100
	if c, ok := tx.(*stmtCache); ok && c.all {
		// SQLite has no round trips to save; one prepared single-row
		// statement beats parsing a long one per batch.
		per = 1
	}
	one := "(?" + strings.Repeat(", ?", len(cols)-1) + ")"
	for start := 0; start < len(rows); start += per {
		chunk := rows[start:min(start+per, len(rows))]
		q := "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES " + one + strings.Repeat(", "+one, len(chunk)-1)
		args := make([]any, 0, len(chunk)*len(cols))
		for _, r := range chunk {
			args = append(args, r...)
		}
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return err
		}
	}
	return nil
}
