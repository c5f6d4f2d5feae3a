package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"skillscore"
	"skillscore/privacy"
)

// RosterImport records one roster file stored for an event (名单导入).
type RosterImport struct {
	ID          int64  `db:"id"`
	EventID     int64  `db:"event_id"`
	FileName    string `db:"file_name"`
	SHA256      string `db:"sha256"` // hex SHA-256 of the file's bytes
	Contestants int    `db:"contestants"`
	Actor       string `db:"actor"`
	ImportedAt  Time   `db:"imported_at"`
	// Basis is the legal basis the organizer confirmed (BasisConsent …);
	// NoticeID the notice version shown to the contestants (nil: the
	// default template) and NoticeSHA256 the SHA-256 of its text as it then
	// read. See privacy_notice.go.
	Basis        string `db:"basis"`
	NoticeID     *int64 `db:"notice_id"`
	NoticeSHA256 string `db:"notice_sha256"`
}

// rosterBatch is the number of contestants per multi-row INSERT: 16
// placeholders each keeps a batch far below both databases' limits (SQLite
// 32766, MySQL 65535) while cutting round trips by that factor.
const rosterBatch = 500

// ImportRoster stores the contestants of one roster file and records the
// file, all or nothing, in one transaction: a file already imported into the
// event (same SHA-256) is refused as a duplicate roster, and so is any
// person already on the event's roster or twice in the batch. imp.Basis,
// the legal basis the organizer confirmed, is required; the notice in force
// is recorded with it (pinRosterNotice). progress, if
// not nil, is called with the number of contestants stored so far after
// each batch (the commit follows the last call).
func (s *Store) ImportRoster(ctx context.Context, imp RosterImport, cs []Contestant, progress func(stored int)) (RosterImport, error) {
	return s.importRoster(ctx, imp, len(cs), nil, func(tx *sqlx.Tx, now time.Time) error {
		return s.addPeople(ctx, tx, imp.EventID, cs, progress, now)
	})
}

// ImportCandidates is ImportRoster for an assessment batch: each person
// comes with the candidate details the offices ask for (details[i] is
// cs[i]'s: 民族, 文化程度, 考生来源, 申报条件, the current level's
// certificate), stored in the same transaction, all or nothing. A
// competition is refused: its roster goes through ImportRoster.
func (s *Store) ImportCandidates(ctx context.Context, imp RosterImport, cs []Contestant, details []Candidate, progress func(stored int)) (RosterImport, error) {
	if len(details) != len(cs) {
		return RosterImport{}, skillscore.Errorf(skillscore.EInvalid, "%d 名考生却有 %d 份考生信息", len(cs), len(details))
	}
	return s.importRoster(ctx, imp, len(cs), map[string]any{"candidates": len(details)}, func(tx *sqlx.Tx, now time.Time) error {
		if _, err := batchEvent(ctx, tx, imp.EventID); err != nil {
			return err
		}
		if err := s.addPeople(ctx, tx, imp.EventID, cs, progress, now); err != nil {
			return err
		}
		// The multi-row INSERT gives no ids: each new row is found again
		// by its keyed index under the current key, which it was just
		// written with.
		rows, err := tx.QueryContext(ctx, "SELECT id, id_type, id_index FROM contestants WHERE event_id = ?", imp.EventID)
		if err != nil {
			return fmt.Errorf("new candidates: %w", err)
		}
		defer rows.Close()
		ids := map[[2]string]int64{}
		for rows.Next() {
			var id int64
			var k [2]string
			if err := rows.Scan(&id, &k[0], &k[1]); err != nil {
				return err
			}
			ids[k] = id
		}
		if err := rows.Err(); err != nil {
			return err
		}
		out := make([]Candidate, len(details))
		for i, c := range cs {
			idx, err := s.keys.Index(privacy.IDNumber, c.IDNumber)
			if err != nil {
				return err
			}
			id, ok := ids[[2]string{c.IDType, idx}]
			if !ok {
				return fmt.Errorf("candidate %d (%s) not found after insert", i+1, c.Name)
			}
			out[i] = details[i]
			out[i].ContestantID = id
		}
		return s.saveCandidatesTx(ctx, tx, imp.EventID, out)
	})
}

// addPeople checks and inserts a roster file's people in batches.
func (s *Store) addPeople(ctx context.Context, tx *sqlx.Tx, eventID int64, cs []Contestant, progress func(stored int), now time.Time) error {
	if err := checkRosterBatch(ctx, tx, s.keys, eventID, cs); err != nil {
		return err
	}
	if err := checkContestantDelegations(ctx, tx, eventID, cs); err != nil {
		return err
	}
	for start := 0; start < len(cs); start += rosterBatch {
		end := min(start+rosterBatch, len(cs))
		if err := insertContestants(ctx, tx, s.keys, eventID, cs[start:end], now); err != nil {
			return err
		}
		if progress != nil {
			progress(end)
		}
	}
	return nil
}

// importRoster records a roster file of people contestants around add, which checks
// and stores them inside the transaction; detail adds to the audit entry.
func (s *Store) importRoster(ctx context.Context, imp RosterImport, people int, detail map[string]any, add func(tx *sqlx.Tx, now time.Time) error) (RosterImport, error) {
	now := s.now()
	imp.ImportedAt, imp.Contestants = Time{now}, people
	if len(imp.SHA256) != 64 {
		return RosterImport{}, skillscore.Errorf(skillscore.EInvalid, "名单文件的 SHA-256 摘要无效")
	}
	if people == 0 {
		return RosterImport{}, skillscore.Errorf(skillscore.EInvalid, "名单文件 %s 中没有选手", imp.FileName)
	}
	if err := checkBasis(imp.Basis); err != nil {
		return RosterImport{}, err
	}
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var n int
		if err := tx.GetContext(ctx, &n, "SELECT COUNT(*) FROM events WHERE id = ?", imp.EventID); err != nil {
			return fmt.Errorf("event: %w", err)
		}
		if n == 0 {
			return skillscore.Errorf(skillscore.ENotFound, "赛事 %d 不存在", imp.EventID)
		}
		if prev, ok, err := rosterImportByHash(ctx, tx, imp.EventID, imp.SHA256); err != nil {
			return err
		} else if ok {
			return duplicateRoster(prev)
		}
		notice, err := pinRosterNotice(ctx, tx, &imp)
		if err != nil {
			return err
		}
		if err := add(tx, now); err != nil {
			return err
		}
		res, err := tx.NamedExecContext(ctx, `INSERT INTO roster_imports
			(event_id, file_name, sha256, contestants, actor, imported_at, basis, notice_id, notice_sha256)
			VALUES (:event_id, :file_name, :sha256, :contestants, :actor, :imported_at, :basis, :notice_id, :notice_sha256)`, imp)
		if isUniqueViolation(err) {
			return skillscore.Errorf(skillscore.EConflict, "名单文件 %s 已导入过本赛事（重复名单），未再导入", imp.FileName)
		}
		if err != nil {
			return fmt.Errorf("record roster import: %w", err)
		}
		if imp.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		d := map[string]any{"import_id": imp.ID, "sha256": imp.SHA256, "contestants": people}
		for k, v := range detail {
			d[k] = v
		}
		return s.appendAudit(ctx, tx, &imp.EventID, imp.Actor, "roster.import", imp.FileName, rosterNoticeDetail(d, imp, notice), now)
	})
	if err != nil {
		return RosterImport{}, err
	}
	return imp, nil
}

// checkRosterBatch refuses unknown groups and identities already on the
// roster or repeated in the batch, naming the first offender, before
// anything is inserted.
func checkRosterBatch(ctx context.Context, tx *sqlx.Tx, keys *privacy.Keyring, eventID int64, cs []Contestant) error {
	var codes []string
	if err := tx.SelectContext(ctx, &codes, "SELECT code FROM event_groups WHERE event_id = ?", eventID); err != nil {
		return fmt.Errorf("groups: %w", err)
	}
	groups := make(map[string]bool, len(codes))
	for _, g := range codes {
		groups[g] = true
	}
	// Identities held are compared by keyed index: under every key, since a
	// rotation may have left rows under an older one.
	rows, err := tx.QueryContext(ctx, "SELECT id_type, id_index FROM contestants WHERE event_id = ?", eventID)
	if err != nil {
		return fmt.Errorf("roster identities: %w", err)
	}
	defer rows.Close()
	held := map[[2]string]bool{}
	for rows.Next() {
		var k [2]string
		if err := rows.Scan(&k[0], &k[1]); err != nil {
			return err
		}
		held[k] = true
	}
	if err := rows.Err(); err != nil {
		return err
	}
	batch := make(map[[2]string]int, len(cs))
	for i, c := range cs {
		if !groups[c.GroupCode] {
			return skillscore.Errorf(skillscore.EInvalid, "第 %d 名选手 %s 的组别 %q 不属于本赛事", i+1, c.Name, c.GroupCode)
		}
		idx, err := keys.Indexes(privacy.IDNumber, c.IDNumber)
		if err != nil {
			return err
		}
		for _, x := range idx {
			if held[[2]string{c.IDType, x}] {
				return skillscore.Errorf(skillscore.EConflict, "第 %d 名选手 %s 的证件号码已在本赛事名单中（重复名单），未导入任何选手", i+1, c.Name)
			}
		}
		k := [2]string{c.IDType, c.IDNumber}
		if j, ok := batch[k]; ok {
			return skillscore.Errorf(skillscore.EInvalid, "第 %d 名与第 %d 名选手的证件号码相同，未导入任何选手", j+1, i+1)
		}
		batch[k] = i
	}
	return nil
}

// insertContestants adds one batch with a single multi-row INSERT.
func insertContestants(ctx context.Context, tx *sqlx.Tx, keys *privacy.Keyring, eventID int64, cs []Contestant, now time.Time) error {
	const cols = 19
	var q strings.Builder
	q.WriteString(`INSERT INTO contestants (event_id, name, gender, id_type, id_cipher, id_index, organization, city, phone_cipher,
		group_code, level, last_promotion_year, code, station, completion_ms, created_at, delegation_id, kind, team_id) VALUES `)
	args := make([]any, 0, cols*len(cs))
	for i, c := range cs {
		if err := sealContestant(keys, &c); err != nil {
			return err
		}
		if i > 0 {
			q.WriteByte(',')
		}
		q.WriteString("(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
		if c.Kind == "" {
			c.Kind = KindPerson
		}
		args = append(args, eventID, c.Name, c.Gender, c.IDType, c.IDCipher, c.IDIndex, c.Organization, c.City, c.PhoneCipher,
			c.GroupCode, c.Level, c.LastPromotionYear, c.Code, c.Station, c.CompletionMillis, Time{now}, c.DelegationID, c.Kind, c.TeamID)
	}
	if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
		if isUniqueViolation(err) {
			return skillscore.Errorf(skillscore.EConflict, "证件号码已在本赛事名单中（重复名单），未导入任何选手")
		}
		return fmt.Errorf("insert contestants: %w", err)
	}
	return nil
}

// RosterImports lists the roster files stored for an event, oldest first.
func (s *Store) RosterImports(ctx context.Context, eventID int64) ([]RosterImport, error) {
	var out []RosterImport
	if err := s.r.SelectContext(ctx, &out, "SELECT * FROM roster_imports WHERE event_id = ? ORDER BY id", eventID); err != nil {
		return nil, fmt.Errorf("list roster imports: %w", err)
	}
	return out, nil
}

// CheckRosterFile refuses a file already imported into the event, so a dry
// run says "duplicate roster" up front instead of one id_duplicate per row.
func (s *Store) CheckRosterFile(ctx context.Context, eventID int64, sha256 string) error {
	prev, ok, err := rosterImportByHash(ctx, s.r, eventID, sha256)
	if err != nil {
		return err
	}
	if ok {
		return duplicateRoster(prev)
	}
	return nil
}

func rosterImportByHash(ctx context.Context, q sqlx.QueryerContext, eventID int64, sha256 string) (RosterImport, bool, error) {
	var prev RosterImport
	err := sqlx.GetContext(ctx, q, &prev, "SELECT * FROM roster_imports WHERE event_id = ? AND sha256 = ?", eventID, sha256)
	if errors.Is(err, sql.ErrNoRows) {
		return RosterImport{}, false, nil
	}
	if err != nil {
		return RosterImport{}, false, fmt.Errorf("roster import by hash: %w", err)
	}
	return prev, true, nil
}

func duplicateRoster(prev RosterImport) error {
	at := prev.ImportedAt.In(skillscore.China()).Format("2006-01-02 15:04")
	return skillscore.Errorf(skillscore.EConflict, "重复名单：此文件已于 %s 由 %s 导入本赛事（%s，%d 名选手），未再导入",
		at, prev.Actor, prev.FileName, prev.Contestants)
}
