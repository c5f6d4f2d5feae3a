package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

	"skillscore"
	"skillscore/privacy"
)

// Personal data at rest. A 证件号码 is stored twice, neither in plain text:
// sealed (id_cipher, AES-256-GCM under a named key) for the organizer's
// audited views, and as a keyed HMAC index (id_index) for equality lookups
// and the roster's uniqueness constraint. A phone number is only sealed
// (phone_cipher): nothing looks people up by phone. Sealing and opening
// happen here, at the one border with the database, so no other package
// ever handles ciphertext.

// sealContestant fills the sealed columns of a contestant about to be stored.
func sealContestant(keys *privacy.Keyring, c *Contestant) error {
	var err error
	if c.IDCipher, err = keys.Seal(privacy.IDNumber, c.IDNumber); err != nil {
		return err
	}
	if c.IDIndex, err = keys.Index(privacy.IDNumber, c.IDNumber); err != nil {
		return err
	}
	c.PhoneCipher, err = keys.Seal(privacy.Phone, c.Phone)
	return err
}

// OpenPersonal decrypts the 证件号码 and phone of contestants read sealed
// (a Snapshot leaves them sealed: scoring and live boards never need them).
func (s *Store) OpenPersonal(cs []Contestant) error {
	for i := range cs {
		if err := s.openContestant(&cs[i]); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) openContestant(c *Contestant) error {
	var err error
	if c.IDNumber, err = s.keys.Open(privacy.IDNumber, c.IDCipher); err != nil {
		return fmt.Errorf("contestant %d: %w", c.ID, err)
	}
	if c.Phone, err = s.keys.Open(privacy.Phone, c.PhoneCipher); err != nil {
		return fmt.Errorf("contestant %d: %w", c.ID, err)
	}
	return nil
}

func (s *Store) openCertificates(cs []Certificate) error {
	for i := range cs {
		var err error
		if cs[i].IDNumber, err = s.keys.Open(privacy.IDNumber, cs[i].IDCipher); err != nil {
			return fmt.Errorf("certificate %s: %w", cs[i].Number, err)
		}
	}
	return nil
}

// idIndexes normalises a typed 证件号码 the way the roster stores it and
// returns its index under every key (a rotation may be under way).
func (s *Store) idIndexes(idNumber string) ([]string, error) {
	return s.keys.Indexes(privacy.IDNumber, strings.ToUpper(strings.Join(strings.Fields(idNumber), "")))
}

// inList returns "?, ?, …" for n placeholders.
func inList(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// PersonalKeys counts the sealed values under each key id, for `keys
// status`, a rotation's progress and the start-up check that the key file
// holds every key the data needs.
func (s *Store) PersonalKeys(ctx context.Context) (map[string]int64, error) {
	out := map[string]int64{}
	for _, q := range sealedColumns {
		rows, err := s.r.QueryContext(ctx, fmt.Sprintf(`SELECT SUBSTR(%[1]s, 1, INSTR(%[1]s, '$') - 1) AS k, COUNT(*)
			FROM %[2]s WHERE %[1]s <> '' GROUP BY k`, q.column, q.table))
		if err != nil {
			return nil, fmt.Errorf("personal keys: %w", err)
		}
		for rows.Next() {
			var id string
			var n int64
			if err := rows.Scan(&id, &n); err != nil {
				rows.Close()
				return nil, err
			}
			out[id] += n
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// CheckKeys proves the keyring opens the data: every key id in use is in
// it, and one value sealed under each opens (a key file of another
// installation can hold a key of the same id). With no keyring and sealed
// data, it says so in one line: the server must not start without its key.
func (s *Store) CheckKeys(ctx context.Context) error {
	used, err := s.PersonalKeys(ctx)
	if err != nil {
		return err
	}
	if len(used) == 0 {
		return nil
	}
	if s.keys == nil {
		return skillscore.Errorf(skillscore.EUnavailable,
			"数据库中有加密的个人信息，但没有提供密钥：请用 --key-file 或环境变量 %s 指定密钥文件", privacy.EnvKeyFile)
	}
	for id := range used {
		for _, q := range sealedColumns {
			var sample string
			err := s.r.GetContext(ctx, &sample, fmt.Sprintf("SELECT %s FROM %s WHERE %[1]s LIKE ? LIMIT 1", q.column, q.table), id+"$%")
			if err == sql.ErrNoRows {
				continue
			}
			if err != nil {
				return fmt.Errorf("check keys: %w", err)
			}
			if _, err := s.keys.Open(q.field, sample); err != nil {
				return err
			}
			break
		}
	}
	return nil
}

// sealedColumns are every column holding sealed personal data.
var sealedColumns = []struct {
	table, column string
	field         privacy.Field
}{
	{"contestants", "id_cipher", privacy.IDNumber},
	{"contestants", "phone_cipher", privacy.Phone},
	{"certificates", "id_cipher", privacy.IDNumber},
}

// sealPlaintext is the Go step of the upgrade from plaintext (migration
// 017): every contestant's and certificate's 证件号码 and phone are sealed,
// the old column keeps the lookup index in place of the number (migration
// 018 renames it id_index), and the phone column is emptied (018 drops it).
// Without a key it refuses only if there is something to seal.
func sealPlaintext(ctx context.Context, tx *sql.Tx, keys *privacy.Keyring) (sealed int, err error) {
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT (SELECT COUNT(*) FROM contestants) + (SELECT COUNT(*) FROM certificates)").Scan(&n); err != nil {
		return 0, err
	}
	if n == 0 {
		return 0, nil
	}
	if keys == nil {
		return 0, skillscore.Errorf(skillscore.EUnavailable,
			"升级需要加密数据库中 %d 条个人信息，但没有提供密钥：请先用 skillscore keys new 生成密钥文件，再以 --key-file 或环境变量 %s 指定", n, privacy.EnvKeyFile)
	}
	type row struct {
		ID    int64
		Plain string
		Phone string
	}
	read := func(q string, withPhone bool) ([]row, error) {
		rows, err := tx.QueryContext(ctx, q)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []row
		for rows.Next() {
			var r row
			dest := []any{&r.ID, &r.Plain}
			if withPhone {
				dest = append(dest, &r.Phone)
			}
			if err := rows.Scan(dest...); err != nil {
				return nil, err
			}
			out = append(out, r)
		}
		return out, rows.Err()
	}
	people, err := read("SELECT id, id_number, phone FROM contestants", true)
	if err != nil {
		return 0, fmt.Errorf("read contestants: %w", err)
	}
	for _, p := range people {
		c := Contestant{IDNumber: p.Plain, Phone: p.Phone}
		if err := sealContestant(keys, &c); err != nil {
			return 0, err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE contestants SET id_cipher = ?, phone_cipher = ?, id_number = ?, phone = '' WHERE id = ?",
			c.IDCipher, c.PhoneCipher, c.IDIndex, p.ID); err != nil {
			return 0, fmt.Errorf("seal contestant %d: %w", p.ID, err)
		}
	}
	certs, err := read("SELECT id, id_number FROM certificates", false)
	if err != nil {
		return 0, fmt.Errorf("read certificates: %w", err)
	}
	for _, c := range certs {
		ciphered, err := keys.Seal(privacy.IDNumber, c.Plain)
		if err != nil {
			return 0, err
		}
		idx, err := keys.Index(privacy.IDNumber, c.Plain)
		if err != nil {
			return 0, err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE certificates SET id_cipher = ?, id_number = ? WHERE id = ?", ciphered, idx, c.ID); err != nil {
			return 0, fmt.Errorf("seal certificate %d: %w", c.ID, err)
		}
	}
	return len(people) + len(certs), nil
}

// scrubFreedSpace rewrites the database after plaintext was overwritten, so
// no copy of it survives in freed pages: SQLite is vacuumed and its WAL
// truncated; InnoDB rebuilds the named tables into fresh pages.
func (s *Store) scrubFreedSpace(ctx context.Context, conn *sql.Conn, tables ...string) error {
	var stmts []string
	if s.dialect == SQLite {
		stmts = []string{"VACUUM", "PRAGMA wal_checkpoint(TRUNCATE)"}
	} else {
		for _, t := range tables {
			stmts = append(stmts, "ALTER TABLE "+t+" FORCE")
		}
	}
	for _, q := range stmts {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	return nil
}

// contestantIDsByIndex finds the ids of an event's contestants of a name whose 证件号码 has one of
// the given indexes.
func contestantIDsByIndex(ctx context.Context, tx *sqlx.Tx, eventID int64, name string, idx []string) ([]int64, error) {
	args := []any{eventID, name}
	for _, i := range idx {
		args = append(args, i)
	}
	var out []int64
	err := tx.SelectContext(ctx, &out, "SELECT id FROM contestants WHERE event_id = ? AND name = ? AND id_index IN ("+inList(len(idx))+")", args...)
	return out, err
}

// PersonalAccess is one full view of personal data: who saw whose
// 证件号码 or phone, where and why. Organizers see masked numbers; showing
// one in full, or exporting a file that carries full numbers, records one.
type PersonalAccess struct {
	EventID     int64
	Actor       string
	Kind        string  // reveal (a number shown in full on a page) | export (a file with full numbers)
	What        string  // the page or file: roster, certificates, promotions-xlsx, subject-access …
	Contestants []int64 // whose numbers; ids, never the numbers or names
	Reason      string
}

// maxAccessReason bounds a reason in characters.
const maxAccessReason = 200

// RecordPersonalAccess writes a full view into the audit trail. A reveal
// needs a reason; an export's reason is the export itself unless given.
// The entry names people by contestant id only, so it holds no personal
// data and survives a purge unchanged (the chain still verifies).
func (s *Store) RecordPersonalAccess(ctx context.Context, a PersonalAccess) error {
	a.Reason = strings.TrimSpace(a.Reason)
	switch {
	case a.Kind != "reveal" && a.Kind != "export":
		return skillscore.Errorf(skillscore.EInvalid, "未知的个人信息查看方式 %q", a.Kind)
	case a.Kind == "reveal" && a.Reason == "":
		return skillscore.Errorf(skillscore.EInvalid, "查看完整证件号码或手机号码必须填写原因")
	case len([]rune(a.Reason)) > maxAccessReason:
		return skillscore.Errorf(skillscore.EInvalid, "原因不能超过 %d 字", maxAccessReason)
	}
	ids := a.Contestants
	if ids == nil {
		ids = []int64{}
	}
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		return s.appendAudit(ctx, tx, &a.EventID, a.Actor, "personal."+a.Kind, a.What,
			map[string]any{"contestants": ids, "count": len(ids), "reason": a.Reason}, s.now())
	})
}

// Contestant returns one contestant of an event with the 证件号码 and phone
// opened; an id of another event is not found.
func (s *Store) Contestant(ctx context.Context, eventID, id int64) (Contestant, error) {
	var c Contestant
	err := s.r.GetContext(ctx, &c, "SELECT * FROM contestants WHERE id = ? AND event_id = ?", id, eventID)
	if err == sql.ErrNoRows {
		return Contestant{}, skillscore.Errorf(skillscore.ENotFound, "本赛事没有该选手")
	}
	if err != nil {
		return Contestant{}, fmt.Errorf("load contestant: %w", err)
	}
	return c, s.openContestant(&c)
}
