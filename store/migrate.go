package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"skillscore/privacy"
)

// migration is one numbered step of the schema. Version 1 is schema.sql;
// a later release appends its changes as further steps and never edits a
// shipped one, so any older database upgrades in order.
type migration struct {
	version int
	name    string
	sql     string
	// run is a step done in Go instead of SQL (sealing plaintext needs the
	// keys); it returns how many rows it rewrote.
	run func(ctx context.Context, tx *sql.Tx, keys *privacy.Keyring) (int, error)
}

// migrate applies the steps an existing database lacks, each in its own
// transaction, recording them in schema_migrations. On MySQL a named lock
// keeps two instances starting together from migrating at once (MySQL
// commits DDL implicitly, so the transaction alone would not).
func (s *Store) migrate(ctx context.Context) error {
	conn, err := s.w.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if s.dialect == MySQL {
		var got sql.NullInt64
		if err := conn.QueryRowContext(ctx, "SELECT GET_LOCK('skillscore_migrate', 60)").Scan(&got); err != nil {
			return fmt.Errorf("migration lock: %w", err)
		}
		if got.Int64 != 1 {
			return fmt.Errorf("migration lock: another instance held it for 60 s")
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT RELEASE_LOCK('skillscore_migrate')")
	}
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER      NOT NULL PRIMARY KEY,
		name       VARCHAR(200) NOT NULL,
		applied_at BIGINT       NOT NULL
	) /*!40101 ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 */`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	applied := map[int]bool{}
	rows, err := conn.QueryContext(ctx, "SELECT version FROM schema_migrations")
	if err != nil {
		return fmt.Errorf("read schema_migrations: %w", err)
	}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return err
		}
		applied[v] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	known := migrations()
	for v := range applied {
		if v > known[len(known)-1].version {
			return fmt.Errorf("database schema version %d is newer than this program knows (%d): upgrade skillscore", v, known[len(known)-1].version)
		}
	}
	rewrote := 0
	for _, m := range known {
		if applied[m.version] {
			continue
		}
		n, err := s.applyMigration(ctx, conn, m)
		if err != nil {
			return fmt.Errorf("migration %d (%s): %w", m.version, m.name, err)
		}
		rewrote += n
	}
	if rewrote > 0 {
		// Plaintext personal data was overwritten: leave no copy of it in
		// freed pages.
		return s.scrubFreedSpace(ctx, conn, "contestants", "certificates")
	}
	return nil
}

func (s *Store) applyMigration(ctx context.Context, conn *sql.Conn, m migration) (rewrote int, err error) {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	for _, stmt := range splitStatements(m.sql) {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return 0, fmt.Errorf("%w\n%s", err, firstLine(stmt))
		}
	}
	if m.run != nil {
		if rewrote, err = m.run(ctx, tx, s.keys); err != nil {
			return 0, err
		}
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
		m.version, m.name, micros(s.now())); err != nil {
		return 0, err
	}
	return rewrote, tx.Commit()
}

// splitStatements splits a SQL script at the semicolons that end statements,
// ignoring those inside quotes and comments. Comments stay in the text: the
// MySQL-only clauses of schema.sql live in executable comments.
func splitStatements(script string) []string {
	var out []string
	start := 0
	inQuote, inLine, inBlock := false, false, false
	for i := 0; i < len(script); i++ {
		c := script[i]
		switch {
		case inLine:
			if c == '\n' {
				inLine = false
			}
		case inBlock:
			if c == '*' && i+1 < len(script) && script[i+1] == '/' {
				inBlock = false
				i++
			}
		case inQuote:
			if c == '\'' {
				inQuote = false
			}
		case c == '\'':
			inQuote = true
		case c == '-' && i+1 < len(script) && script[i+1] == '-':
			inLine = true
		case c == '/' && i+1 < len(script) && script[i+1] == '*':
			inBlock = true
			i++
		case c == ';':
			if stmt := strings.TrimSpace(script[start:i]); hasCode(stmt) {
				out = append(out, stmt)
			}
			start = i + 1
		}
	}
	if stmt := strings.TrimSpace(script[start:]); hasCode(stmt) {
		out = append(out, stmt)
	}
	return out
}

// hasCode reports whether a chunk holds more than comments and blank lines.
func hasCode(stmt string) bool {
	for _, line := range strings.Split(stmt, "\n") {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "--") {
			return true
		}
	}
	return false
}

func firstLine(s string) string {
	for _, line := range strings.Split(s, "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "--") {
			return line
		}
	}
	return ""
}
