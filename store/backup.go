package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"skillscore"
	"skillscore/privacy"
)

// A backup is itself a SQLite database made by Open, so it has the schema of
// the program that wrote it and a later program upgrades a copy of it through
// the ordinary migrations before restoring. It holds every row of every table
// (schema_migrations aside: each database has its own) read in one read
// transaction of the source, and one table of its own, backupInfoTable,
// describing the copy. Rows are copied column by column as integers, text or
// bytes, never through float or time conversions, so fixed-point values,
// microsecond timestamps, 4-byte text and the audit chain's ids and hashes
// come back exactly: the chain verifies on any database it is restored to.

// BackupFormat is the version of the backup file's own layout (the info
// table); the schema inside is versioned by its schema_migrations.
const BackupFormat = 1

const (
	backupInfoTable  = "skillscore_backup"
	migrationsTable  = "schema_migrations"
	backupBatchRows  = 100
	backupBatchBytes = 1 << 20 // keeps a multi-row INSERT well under MySQL's max_allowed_packet
)

// BackupInfo describes a backup: where it came from and the consistency
// point it was read at. Every change committed before that point is in the
// backup and none after it.
type BackupInfo struct {
	Format        int
	CreatedAt     time.Time
	Source        Dialect
	SchemaVersion int
	// AuditLastID is the newest audit entry's id at the snapshot, AuditHash
	// a digest of every audit chain's head then.
	AuditLastID int64
	AuditHash   string
	// Revisions holds every event's revision (by event code) at the snapshot;
	// a judge's operation is in the backup exactly when the revision it
	// produced (client_ops.revision) is at most its event's revision here.
	Revisions map[string]int64
	// Rows counts the rows copied per table.
	Rows map[string]int64
}

// colKind is how a column's values are carried across databases.
type colKind int

const (
	colInt colKind = iota + 1
	colText
	colBytes
)

type backupColumn struct {
	name string
	kind colKind
}

type backupTable struct {
	name    string
	cols    []backupColumn
	parents []string // tables its foreign keys reference
}

// Backup writes a consistent copy of the whole database to a new SQLite file
// at path, replacing any file there only once the copy is complete. It reads
// in one read transaction (SQLite: one WAL snapshot; MySQL/MariaDB: InnoDB's
// REPEATABLE READ snapshot), so the server keeps taking marks meanwhile and
// the copy is the database as it was at one instant.
func (s *Store) Backup(ctx context.Context, path string) (BackupInfo, error) {
	path = filepath.Clean(path)
	if fi, err := os.Stat(filepath.Dir(path)); err != nil || !fi.IsDir() {
		return BackupInfo{}, skillscore.Errorf(skillscore.EInvalid, "备份目录 %s 不存在 (backup directory missing)", filepath.Dir(path))
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return BackupInfo{}, skillscore.Wrap(skillscore.EUnavailable, err, fmt.Sprintf("无法在 %s 写备份文件 (cannot write backup)", filepath.Dir(path)))
	}
	// SQLite takes the empty file as an empty database.
	tmpPath := tmp.Name()
	tmp.Close()
	done := false
	defer func() {
		if !done {
			for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
				os.Remove(tmpPath + suffix)
			}
		}
	}()
	info, err := s.backupTo(ctx, tmpPath)
	if err != nil {
		return BackupInfo{}, err
	}
	if err := os.Rename(tmpPath, path); err != nil {
		return BackupInfo{}, skillscore.Wrap(skillscore.EUnavailable, err, fmt.Sprintf("无法写入备份文件 %s (cannot write backup)", path))
	}
	done = true
	// The file's content is synced by SQLite; its new name needs the
	// directory synced too, or a power cut could leave the old file.
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		err = d.Sync()
		d.Close()
		if err != nil {
			return BackupInfo{}, skillscore.Wrap(skillscore.EUnavailable, err, fmt.Sprintf("无法写入备份文件 %s (cannot sync backup)", path))
		}
	}
	return info, nil
}

func (s *Store) backupTo(ctx context.Context, tmpPath string) (BackupInfo, error) {
	dst, err := Open(ctx, "sqlite:"+tmpPath, Options{Now: s.now})
	if err != nil {
		return BackupInfo{}, err
	}
	defer dst.Close()

	opts := &sql.TxOptions{ReadOnly: true}
	if s.dialect == MySQL {
		// InnoDB's REPEATABLE READ reads every statement of the transaction
		// from the snapshot its first read takes, whatever commits meanwhile.
		opts.Isolation = sql.LevelRepeatableRead
	}
	src, err := s.r.BeginTxx(ctx, opts)
	if err != nil {
		return BackupInfo{}, fmt.Errorf("backup: begin snapshot: %w", err)
	}
	defer src.Rollback()

	// The first reads fix the snapshot (SQLite and InnoDB both take it at
	// the first read, not at BEGIN), so the recorded point is the copy's.
	info := BackupInfo{Format: BackupFormat, CreatedAt: s.now().UTC().Truncate(time.Microsecond), Source: s.dialect,
		Revisions: map[string]int64{}, Rows: map[string]int64{}}
	if info.AuditLastID, info.AuditHash, err = auditPoint(ctx, src); err != nil {
		return BackupInfo{}, fmt.Errorf("backup: audit head: %w", err)
	}
	if err := src.QueryRowxContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&info.SchemaVersion); err != nil {
		return BackupInfo{}, fmt.Errorf("backup: schema version: %w", err)
	}
	var revs []struct {
		Code     string `db:"code"`
		Revision int64  `db:"revision"`
	}
	if err := sqlx.SelectContext(ctx, src, &revs, "SELECT code, revision FROM events"); err != nil {
		return BackupInfo{}, fmt.Errorf("backup: event revisions: %w", err)
	}
	for _, r := range revs {
		info.Revisions[r.Code] = r.Revision
	}

	tables, err := schemaTables(ctx, src, s.dialect)
	if err != nil {
		return BackupInfo{}, err
	}
	dstTables, err := schemaTables(ctx, dst.w, SQLite)
	if err != nil {
		return BackupInfo{}, err
	}
	if err := sameSchema(tables, dstTables); err != nil {
		return BackupInfo{}, err
	}
	err = dst.inTx(ctx, func(tx *sqlx.Tx) error {
		// The fresh file holds the rows its migrations seed; the source's
		// own versions of them replace them.
		if err := emptyTables(ctx, tx, dstTables); err != nil {
			return err
		}
		if err := copyTables(ctx, src, tx, SQLite, tables, info.Rows); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "CREATE TABLE "+backupInfoTable+" (name VARCHAR(64) NOT NULL PRIMARY KEY, value TEXT NOT NULL)"); err != nil {
			return fmt.Errorf("backup: info table: %w", err)
		}
		for name, v := range info.fields() {
			if _, err := tx.ExecContext(ctx, "INSERT INTO "+backupInfoTable+" (name, value) VALUES (?, ?)", name, v); err != nil {
				return fmt.Errorf("backup: info: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return BackupInfo{}, err
	}
	src.Rollback() // the snapshot is copied: let the source's WAL checkpoint past it
	if err := dst.Close(); err != nil {
		return BackupInfo{}, fmt.Errorf("backup: close: %w", err)
	}
	// One self-contained file: fold the WAL in and leave WAL mode, so the
	// file can be copied or mailed alone.
	if err := sqliteLeaveWAL(ctx, tmpPath); err != nil {
		return BackupInfo{}, fmt.Errorf("backup: finish file: %w", err)
	}
	return info, nil
}

func sqliteLeaveWAL(ctx context.Context, path string) error {
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		return err
	}
	defer db.Close()
	var mode string
	if err := db.QueryRowContext(ctx, "PRAGMA journal_mode=DELETE").Scan(&mode); err != nil {
		return err
	}
	if mode != "delete" {
		return fmt.Errorf("journal mode is %s, not delete", mode)
	}
	return db.Close()
}

func (b BackupInfo) fields() map[string]string {
	revs, _ := json.Marshal(b.Revisions)
	rows, _ := json.Marshal(b.Rows)
	return map[string]string{
		"format":         strconv.Itoa(b.Format),
		"created_at":     strconv.FormatInt(micros(b.CreatedAt), 10),
		"source":         string(b.Source),
		"schema_version": strconv.Itoa(b.SchemaVersion),
		"audit_last_id":  strconv.FormatInt(b.AuditLastID, 10),
		"audit_hash":     b.AuditHash,
		"revisions":      string(revs),
		"rows":           string(rows),
	}
}

func parseBackupInfo(f map[string]string) (BackupInfo, error) {
	var b BackupInfo
	var errs []error
	atoi := func(k string) int64 {
		v, err := strconv.ParseInt(f[k], 10, 64)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", k, err))
		}
		return v
	}
	b.Format = int(atoi("format"))
	b.CreatedAt = fromMicros(atoi("created_at"))
	b.Source = Dialect(f["source"])
	b.SchemaVersion = int(atoi("schema_version"))
	b.AuditLastID = atoi("audit_last_id")
	b.AuditHash = f["audit_hash"]
	if err := json.Unmarshal([]byte(f["revisions"]), &b.Revisions); err != nil {
		errs = append(errs, fmt.Errorf("revisions: %w", err))
	}
	if err := json.Unmarshal([]byte(f["rows"]), &b.Rows); err != nil {
		errs = append(errs, fmt.Errorf("rows: %w", err))
	}
	return b, errors.Join(errs...)
}

// ReadBackupInfo returns what a backup file records about itself, without
// changing the file.
func ReadBackupInfo(ctx context.Context, path string) (BackupInfo, error) {
	bk, cleanup, err := openBackupCopy(ctx, path, nil)
	if err != nil {
		return BackupInfo{}, err
	}
	defer cleanup()
	return backupInfoOf(ctx, bk, path)
}

// openBackupCopy opens a private copy of a backup file: Open upgrades a
// backup written by an older release through the migrations, and the
// organizer's file must stay as it was.
func openBackupCopy(ctx context.Context, path string, keys *privacy.Keyring) (*Store, func(), error) {
	in, err := os.Open(path)
	if err != nil {
		return nil, nil, skillscore.Wrap(skillscore.ENotFound, err, fmt.Sprintf("无法读取备份文件 %s (cannot read backup file)", path))
	}
	defer in.Close()
	dir, err := os.MkdirTemp("", "skillscore-restore-")
	if err != nil {
		return nil, nil, fmt.Errorf("restore: temp dir: %w", err)
	}
	cleanup := func() { os.RemoveAll(dir) }
	cp := filepath.Join(dir, "backup.db")
	out, err := os.Create(cp)
	if err == nil {
		_, err = io.Copy(out, in)
		if cerr := out.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		cleanup()
		return nil, nil, fmt.Errorf("restore: copy backup: %w", err)
	}
	// The keys seal an older backup's plaintext during its upgrade.
	bk, err := Open(ctx, "sqlite:"+cp, Options{Keys: keys})
	if err != nil {
		cleanup()
		switch msg := err.Error(); {
		case strings.Contains(msg, "不是 SQLite"):
			return nil, nil, skillscore.Wrap(skillscore.EInvalid, err, fmt.Sprintf("%s 不是 skillscore 备份文件 (not a skillscore backup)", path))
		case strings.Contains(msg, "newer than this program knows"):
			return nil, nil, skillscore.Wrap(skillscore.EInvalid, err,
				fmt.Sprintf("备份文件 %s 来自更新版本的 skillscore：请先升级本程序 (backup made by a newer skillscore)", path))
		}
		return nil, nil, skillscore.Wrap(skillscore.EInvalid, err, fmt.Sprintf("无法打开备份文件 %s (cannot open backup)", path))
	}
	return bk, func() { bk.Close(); cleanup() }, nil
}

func backupInfoOf(ctx context.Context, bk *Store, path string) (BackupInfo, error) {
	var kv []struct {
		Name  string `db:"name"`
		Value string `db:"value"`
	}
	if err := bk.r.SelectContext(ctx, &kv, "SELECT name, value FROM "+backupInfoTable); err != nil {
		return BackupInfo{}, skillscore.Wrap(skillscore.EInvalid, err, fmt.Sprintf("%s 不是 skillscore 备份文件 (not a skillscore backup)", path))
	}
	f := map[string]string{}
	for _, r := range kv {
		f[r.Name] = r.Value
	}
	info, err := parseBackupInfo(f)
	if err != nil {
		return BackupInfo{}, skillscore.Wrap(skillscore.EInvalid, err, fmt.Sprintf("备份文件 %s 的说明信息已损坏 (backup info damaged)", path))
	}
	if info.Format > BackupFormat {
		return BackupInfo{}, skillscore.Errorf(skillscore.EInvalid,
			"备份文件 %s 的格式版本 %d 比本程序新，请升级 skillscore (backup format too new)", path, info.Format)
	}
	return info, nil
}

// Restore loads a backup file into this database, which must hold nothing
// beyond what a fresh database holds (force: whatever it holds is replaced).
// The whole restore is one transaction: the target ends either restored or
// unchanged. Serve nothing from the target while it runs.
func (s *Store) Restore(ctx context.Context, path string, force bool) (BackupInfo, error) {
	bk, cleanup, err := openBackupCopy(ctx, path, s.keys)
	if err != nil {
		return BackupInfo{}, err
	}
	defer cleanup()
	info, err := backupInfoOf(ctx, bk, path)
	if err != nil {
		return BackupInfo{}, err
	}
	src, err := bk.r.BeginTxx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return BackupInfo{}, fmt.Errorf("restore: read backup: %w", err)
	}
	defer src.Rollback()
	tables, err := schemaTables(ctx, src, SQLite)
	if err != nil {
		return BackupInfo{}, err
	}
	target, err := schemaTables(ctx, s.w, s.dialect)
	if err != nil {
		return BackupInfo{}, err
	}
	if err := sameSchema(tables, target); err != nil {
		return BackupInfo{}, err
	}
	if !force {
		if err := s.checkFresh(ctx, target); err != nil {
			return BackupInfo{}, err
		}
	}
	copied := map[string]int64{}
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := emptyTables(ctx, tx, target); err != nil {
			return err
		}
		if err := copyTables(ctx, src, tx, s.dialect, tables, copied); err != nil {
			return err
		}
		for _, t := range tables {
			// A backup that lost rows (a truncated or edited file) is refused
			// before anything commits.
			if want, ok := info.Rows[t.name]; ok && want != copied[t.name] {
				return skillscore.Errorf(skillscore.EInvalid,
					"备份文件 %s 不完整：表 %s 应有 %d 行，实有 %d 行 (backup incomplete)", path, t.name, want, copied[t.name])
			}
		}
		return nil
	})
	if err != nil {
		return BackupInfo{}, err
	}
	return info, nil
}

// checkFresh refuses a target that holds anything a freshly migrated
// database does not: restoring over real data would destroy it. The fresh
// row counts come from a scratch database, so rows seeded by migrations
// (the audit head, the statistics targets) need no list kept here.
func (s *Store) checkFresh(ctx context.Context, tables []backupTable) error {
	dir, err := os.MkdirTemp("", "skillscore-fresh-")
	if err != nil {
		return fmt.Errorf("restore: temp dir: %w", err)
	}
	defer os.RemoveAll(dir)
	fresh, err := Open(ctx, "sqlite:"+filepath.Join(dir, "fresh.db"), Options{})
	if err != nil {
		return fmt.Errorf("restore: scratch database: %w", err)
	}
	defer fresh.Close()
	freshTables, err := schemaTables(ctx, fresh.r, SQLite)
	if err != nil {
		return err
	}
	seededTable := map[string]bool{}
	for _, t := range freshTables {
		seededTable[t.name] = true
	}
	for _, t := range tables {
		var have, seeded int64
		if err := s.r.QueryRowxContext(ctx, "SELECT COUNT(*) FROM `"+t.name+"`").Scan(&have); err != nil {
			return fmt.Errorf("restore: count %s: %w", t.name, err)
		}
		if seededTable[t.name] {
			if err := fresh.r.QueryRowxContext(ctx, "SELECT COUNT(*) FROM `"+t.name+"`").Scan(&seeded); err != nil {
				return fmt.Errorf("restore: count %s: %w", t.name, err)
			}
		}
		if have != seeded {
			return skillscore.Errorf(skillscore.EConflict,
				"目标数据库不是空的（表 %s 有 %d 行）：请恢复到新建的空数据库，或加 --force 覆盖其全部数据 (target database is not empty)", t.name, have)
		}
	}
	return nil
}

// schemaTables lists the database's tables with their columns, parents
// first (foreign-key order), from the database's own catalogue: a table a
// later migration adds is backed up without anyone editing a list.
func schemaTables(ctx context.Context, q sqlx.QueryerContext, d Dialect) ([]backupTable, error) {
	type colRow struct {
		Table string `db:"t"`
		Name  string `db:"c"`
		Type  string `db:"ty"`
	}
	type fkRow struct {
		Table  string `db:"t"`
		Parent string `db:"p"`
	}
	var cols []colRow
	var fks []fkRow
	switch d {
	case SQLite:
		var names []string
		if err := sqlx.SelectContext(ctx, q, &names,
			"SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name"); err != nil {
			return nil, fmt.Errorf("backup: list tables: %w", err)
		}
		for _, n := range names {
			var cs []colRow
			if err := sqlx.SelectContext(ctx, q, &cs, "SELECT ? AS t, name AS c, type AS ty FROM pragma_table_info(?) ORDER BY cid", n, n); err != nil {
				return nil, fmt.Errorf("backup: columns of %s: %w", n, err)
			}
			cols = append(cols, cs...)
			var ps []fkRow
			if err := sqlx.SelectContext(ctx, q, &ps, `SELECT DISTINCT ? AS t, "table" AS p FROM pragma_foreign_key_list(?)`, n, n); err != nil {
				return nil, fmt.Errorf("backup: foreign keys of %s: %w", n, err)
			}
			fks = append(fks, ps...)
		}
	case MySQL:
		if err := sqlx.SelectContext(ctx, q, &cols, `SELECT c.TABLE_NAME AS t, c.COLUMN_NAME AS c, c.DATA_TYPE AS ty
			FROM information_schema.COLUMNS c JOIN information_schema.TABLES tb
			  ON tb.TABLE_SCHEMA = c.TABLE_SCHEMA AND tb.TABLE_NAME = c.TABLE_NAME AND tb.TABLE_TYPE = 'BASE TABLE'
			WHERE c.TABLE_SCHEMA = DATABASE() ORDER BY c.TABLE_NAME, c.ORDINAL_POSITION`); err != nil {
			return nil, fmt.Errorf("backup: list columns: %w", err)
		}
		if err := sqlx.SelectContext(ctx, q, &fks, `SELECT DISTINCT TABLE_NAME AS t, REFERENCED_TABLE_NAME AS p
			FROM information_schema.KEY_COLUMN_USAGE
			WHERE TABLE_SCHEMA = DATABASE() AND REFERENCED_TABLE_NAME IS NOT NULL`); err != nil {
			return nil, fmt.Errorf("backup: list foreign keys: %w", err)
		}
	default:
		return nil, fmt.Errorf("backup: unknown dialect %q", d)
	}
	byName := map[string]*backupTable{}
	var order []string
	for _, c := range cols {
		if c.Table == migrationsTable || c.Table == backupInfoTable {
			continue
		}
		t := byName[c.Table]
		if t == nil {
			t = &backupTable{name: c.Table}
			byName[c.Table] = t
			order = append(order, c.Table)
		}
		k, ok := kindOf(c.Type)
		if !ok {
			return nil, skillscore.Errorf(skillscore.EInternal,
				"列 %s.%s 的类型 %s 无法备份 (column type not supported by backup)", c.Table, c.Name, c.Type)
		}
		t.cols = append(t.cols, backupColumn{name: c.Name, kind: k})
	}
	for _, fk := range fks {
		if t := byName[fk.Table]; t != nil && fk.Parent != fk.Table {
			t.parents = append(t.parents, fk.Parent)
		}
	}
	return fkOrder(byName, order)
}

// fkOrder sorts tables so each comes after the tables it references; ties
// keep name order, so the order is the same on every database.
func fkOrder(byName map[string]*backupTable, names []string) ([]backupTable, error) {
	sort.Strings(names)
	var out []backupTable
	placed := map[string]bool{}
	for len(out) < len(names) {
		progress := false
		for _, n := range names {
			if placed[n] {
				continue
			}
			ready := true
			for _, p := range byName[n].parents {
				if _, known := byName[p]; known && !placed[p] {
					ready = false
				}
			}
			if ready {
				out = append(out, *byName[n])
				placed[n] = true
				progress = true
			}
		}
		if !progress {
			return nil, fmt.Errorf("backup: foreign keys form a cycle among the remaining tables")
		}
	}
	return out, nil
}

// kindOf maps a declared column type (SQLite's as written, MySQL's
// DATA_TYPE) to how its values are carried. Anything else (a float, a
// decimal, a date) is refused rather than copied approximately.
func kindOf(decl string) (colKind, bool) {
	t := strings.ToUpper(strings.TrimSpace(decl))
	if i := strings.IndexByte(t, '('); i >= 0 {
		t = strings.TrimSpace(t[:i])
	}
	switch {
	case t == "INTEGER" || strings.HasSuffix(t, "INT"):
		return colInt, true
	case strings.HasSuffix(t, "CHAR") || strings.HasSuffix(t, "TEXT") || t == "CLOB":
		return colText, true
	case strings.HasSuffix(t, "BLOB") || strings.HasSuffix(t, "BINARY"):
		return colBytes, true
	}
	return 0, false
}

// sameSchema checks that two databases have the same tables with the same
// columns, so every row has somewhere to go.
func sameSchema(a, b []backupTable) error {
	cols := func(ts []backupTable) map[string]string {
		m := map[string]string{}
		for _, t := range ts {
			var cs []string
			for _, c := range t.cols {
				cs = append(cs, c.name+":"+strconv.Itoa(int(c.kind)))
			}
			sort.Strings(cs)
			m[t.name] = strings.Join(cs, ",")
		}
		return m
	}
	ca, cb := cols(a), cols(b)
	for n, c := range ca {
		if cb[n] != c {
			return skillscore.Errorf(skillscore.EInvalid,
				"备份与目标数据库的结构不一致（表 %s）：请用同一版本的 skillscore 备份和恢复 (schema mismatch)", n)
		}
	}
	for n := range cb {
		if _, ok := ca[n]; !ok {
			return skillscore.Errorf(skillscore.EInvalid,
				"备份与目标数据库的结构不一致（表 %s）：请用同一版本的 skillscore 备份和恢复 (schema mismatch)", n)
		}
	}
	return nil
}

// emptyTables deletes every row of tables, children before parents.
func emptyTables(ctx context.Context, tx *sqlx.Tx, tables []backupTable) error {
	for i := len(tables) - 1; i >= 0; i-- {
		if _, err := tx.ExecContext(ctx, "DELETE FROM `"+tables[i].name+"`"); err != nil {
			return fmt.Errorf("empty %s: %w", tables[i].name, err)
		}
	}
	return nil
}

// copyTables copies every row of tables, in order, from src into dst,
// counting rows per table into n.
func copyTables(ctx context.Context, src sqlx.QueryerContext, dst *sqlx.Tx, dstDialect Dialect, tables []backupTable, n map[string]int64) error {
	cache := newStmtCache(dst, dstDialect)
	defer cache.close()
	for _, t := range tables {
		c, err := copyTable(ctx, src, cache, t)
		if err != nil {
			return fmt.Errorf("backup: table %s: %w", t.name, err)
		}
		n[t.name] = c
	}
	return nil
}

func copyTable(ctx context.Context, src sqlx.QueryerContext, dst *stmtCache, t backupTable) (int64, error) {
	names := make([]string, len(t.cols))
	for i, c := range t.cols {
		names[i] = "`" + c.name + "`"
	}
	rows, err := src.QueryxContext(ctx, "SELECT "+strings.Join(names, ", ")+" FROM `"+t.name+"`")
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	per := backupBatchRows
	if dst.all {
		per = 1 // SQLite: one prepared single-row statement (see insertRows)
	}
	one := "(?" + strings.Repeat(", ?", len(t.cols)-1) + ")"
	var batch []any
	batchRows, batchBytes := 0, 0
	flush := func() error {
		if batchRows == 0 {
			return nil
		}
		q := "INSERT INTO `" + t.name + "` (" + strings.Join(names, ", ") + ") VALUES " + one + strings.Repeat(", "+one, batchRows-1)
		if _, err := dst.ExecContext(ctx, q, batch...); err != nil {
			return err
		}
		batch, batchRows, batchBytes = batch[:0], 0, 0
		return nil
	}
	ints := make([]sql.NullInt64, len(t.cols))
	texts := make([]sql.NullString, len(t.cols))
	blobs := make([]nullBytes, len(t.cols))
	dest := make([]any, len(t.cols))
	for i, c := range t.cols {
		switch c.kind {
		case colInt:
			dest[i] = &ints[i]
		case colText:
			dest[i] = &texts[i]
		case colBytes:
			dest[i] = &blobs[i]
		}
	}
	var n int64
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return n, err
		}
		for i, c := range t.cols {
			switch {
			case c.kind == colInt && ints[i].Valid:
				batch = append(batch, ints[i].Int64)
			case c.kind == colText && texts[i].Valid:
				batch = append(batch, texts[i].String)
				batchBytes += len(texts[i].String)
			case c.kind == colBytes && blobs[i].valid:
				batch = append(batch, append([]byte{}, blobs[i].b...)) // never nil: empty stays empty, not NULL
				batchBytes += len(blobs[i].b)
			default:
				batch = append(batch, nil)
			}
		}
		batchRows++
		n++
		if batchRows >= per || batchBytes >= backupBatchBytes {
			if err := flush(); err != nil {
				return n, err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return n, err
	}
	return n, flush()
}

// nullBytes scans a binary column keeping NULL apart from an empty value,
// which a plain []byte does not.
type nullBytes struct {
	b     []byte
	valid bool
}

func (n *nullBytes) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		n.b, n.valid = n.b[:0], false
	case []byte:
		n.b, n.valid = append(n.b[:0], v...), true
	case string:
		n.b, n.valid = append(n.b[:0], v...), true
	default:
		return fmt.Errorf("binary column: cannot scan %T", src)
	}
	return nil
}
