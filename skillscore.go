// Package skillscore holds what every part of the system shares and nothing
// else: the error type with its codes, the embedded database schema, and the
// one time zone people read times in (China).
//
// The work is done in the sub-packages: scoring (the pure core), store (the
// only user of database/sql), judges, live, web, certificates, templates.
package skillscore

import _ "embed"

// Schema is schema.sql, the one schema for SQLite and MySQL/MariaDB.
//
//go:embed schema.sql
var Schema string
