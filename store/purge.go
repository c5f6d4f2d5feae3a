package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"github.com/jmoiron/sqlx"

	"skillscore"
)

// The retention purge (个人信息到期清除): once an event's retention period
// has ended (the caller checks it), its people's personal data is removed
// for good, while what the event produced stays: results, marks,
// statistics, certificates (verifiable by number + 姓名) and the audit chain.

// purgedIndexPrefix starts the id_index placeholder of a purged contestant:
// "purged-" + the row's id, unique (so contestants_identity holds), stable
// (so a second purge changes nothing) and derived from nothing personal.
const purgedIndexPrefix = "purged-"

// PurgedName is what a purged contestant's name becomes, followed by their
// anonymous code (or "#" and their row id when they never had one), so
// results and appeals stay readable row by row.
const PurgedName = "已清除"

// PurgedAppeal replaces the text of a purged contestant's appeal: the
// appellant's own words may hold anything about them.
const PurgedAppeal = "（申诉内容已按个人信息保存期限清除）"

// PurgeCounts counts what a purge removes (a dry run) or removed.
type PurgeCounts struct {
	Contestants  int `json:"contestants"`  // names and 证件号码 cleared
	Phones       int `json:"phones"`       // phone numbers cleared
	Certificates int `json:"certificates"` // sealed 证件号码 cleared (number and name kept)
	Appeals      int `json:"appeals"`      // appeal texts cleared
	Photos       int `json:"photos"`       // photo records deleted (their files go after the commit)
}

// Empty reports whether there is nothing (left) to purge.
func (c PurgeCounts) Empty() bool {
	return c.Contestants+c.Phones+c.Certificates+c.Appeals+c.Photos == 0
}

// PurgeState is an event's purge: what is left to purge, and when the
// first purge ran (zero for never).
type PurgeState struct {
	Pending  PurgeCounts
	PurgedAt Time
	PurgedBy string
}

// PurgeState reads what a purge of the event would remove now.
func (s *Store) PurgeState(ctx context.Context, eventID int64) (PurgeState, error) {
	tx, err := s.r.BeginTxx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return PurgeState{}, fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	return purgeState(ctx, tx, eventID)
}

func purgeState(ctx context.Context, tx *sqlx.Tx, eventID int64) (PurgeState, error) {
	var st PurgeState
	var n int
	if err := tx.GetContext(ctx, &n, "SELECT COUNT(*) FROM events WHERE id = ?", eventID); err != nil {
		return st, fmt.Errorf("event: %w", err)
	}
	if n == 0 {
		return st, skillscore.Errorf(skillscore.ENotFound, "赛事 %d 不存在", eventID)
	}
	for _, q := range []struct {
		dest *int
		sql  string
	}{
		{&st.Pending.Contestants, "SELECT COUNT(*) FROM contestants WHERE event_id = ? AND id_index NOT LIKE '" + purgedIndexPrefix + "%'"},
		{&st.Pending.Phones, "SELECT COUNT(*) FROM contestants WHERE event_id = ? AND phone_cipher <> ''"},
		{&st.Pending.Certificates, "SELECT COUNT(*) FROM certificates WHERE event_id = ? AND (id_cipher <> '' OR id_index <> '')"},
	} {
		if err := tx.GetContext(ctx, q.dest, q.sql, eventID); err != nil {
			return st, fmt.Errorf("purge count: %w", err)
		}
	}
	if err := tx.GetContext(ctx, &st.Pending.Appeals, "SELECT COUNT(*) FROM appeals WHERE event_id = ? AND body <> ?", eventID, PurgedAppeal); err != nil {
		return st, fmt.Errorf("purge count: %w", err)
	}
	if err := tx.GetContext(ctx, &st.Pending.Photos, `SELECT COUNT(*) FROM photos p JOIN contestants c ON c.id = p.contestant_id
		WHERE c.event_id = ?`, eventID); err != nil {
		return st, fmt.Errorf("purge count: %w", err)
	}
	var p struct {
		At Time   `db:"purged_at"`
		By string `db:"purged_by"`
	}
	err := tx.GetContext(ctx, &p, "SELECT purged_at, purged_by FROM event_purges WHERE event_id = ?", eventID)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return st, fmt.Errorf("event purge: %w", err)
	}
	st.PurgedAt, st.PurgedBy = p.At, p.By
	return st, nil
}

// PurgeEvent irreversibly removes the event's personal data: each
// contestant's 证件号码 (sealed value cleared, index replaced by a
// placeholder), phone, name (PurgedName + code) and photo records, the
// sealed 证件号码 of its certificates, which keep number, holder name and
// signed facts so they verify by number + 姓名 for their lifetime, its
// appeals' texts, and its candidates' 申报条件 and certificate numbers.
// Results, marks, codes, gender, city, level and 单位 stay, so statistics
// and published results do too, and the audit trail is only appended to
// (its entries hold no personal data, so the chain still verifies). It is
// idempotent: a second run finds nothing left and changes nothing but the
// trail, where each run is recorded with its counts. It returns the photo
// records it deleted: their files are the caller's to remove once this has
// committed (package photos; a file left behind names no one and goes with
// the next prune). On SQLite the file is then vacuumed, on MySQL the
// tables rebuilt, so no freed page keeps a copy.
func (s *Store) PurgeEvent(ctx context.Context, eventID int64, actor string) (PurgeCounts, []Photo, error) {
	now := s.now()
	var done PurgeCounts
	var photos []Photo
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		// The audit head first, before any read (see issueCertificates).
		chain, err := openChain(ctx, tx, &eventID)
		if err != nil {
			return err
		}
		st, err := purgeState(ctx, tx, eventID)
		if err != nil {
			return err
		}
		done = st.Pending
		photos = nil
		if err := tx.SelectContext(ctx, &photos, `SELECT `+photoCols+` FROM photos WHERE contestant_id IN
			(SELECT id FROM contestants WHERE event_id = ?)`, eventID); err != nil {
			return fmt.Errorf("purge photos: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM photos WHERE contestant_id IN (SELECT id FROM contestants WHERE event_id = ?)",
			eventID); err != nil {
			return fmt.Errorf("purge photos: %w", err)
		}
		var rows []struct {
			ID   int64   `db:"id"`
			Code *string `db:"code"`
		}
		if err := tx.SelectContext(ctx, &rows, "SELECT id, code FROM contestants WHERE event_id = ? AND id_index NOT LIKE '"+
			purgedIndexPrefix+"%'", eventID); err != nil {
			return fmt.Errorf("purge contestants: %w", err)
		}
		for _, r := range rows {
			id := strconv.FormatInt(r.ID, 10)
			name := PurgedName + "#" + id
			if r.Code != nil {
				name = PurgedName + *r.Code
			}
			if _, err := tx.ExecContext(ctx, "UPDATE contestants SET name = ?, id_cipher = '', id_index = ?, phone_cipher = '' WHERE id = ?",
				name, purgedIndexPrefix+id, r.ID); err != nil {
				return fmt.Errorf("purge contestant: %w", err)
			}
		}
		// Anyone purged before keeps their placeholders; a phone can only
		// be left on a row purged by an older release, so clear all.
		for _, q := range []string{
			"UPDATE contestants SET phone_cipher = '' WHERE event_id = ? AND phone_cipher <> ''",
			"UPDATE certificates SET id_cipher = '', id_index = '' WHERE event_id = ? AND (id_cipher <> '' OR id_index <> '')",
			// A candidate's 申报条件 and certificate number point at the
			// person; 民族 and 文化程度 stay for statistics, as gender does.
			"UPDATE candidates SET qualification = '', level_cert_no = '' WHERE event_id = ? AND (qualification <> '' OR level_cert_no <> '')",
		} {
			if _, err := tx.ExecContext(ctx, q, eventID); err != nil {
				return fmt.Errorf("purge: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, "UPDATE appeals SET body = ? WHERE event_id = ? AND body <> ?", PurgedAppeal, eventID, PurgedAppeal); err != nil {
			return fmt.Errorf("purge appeals: %w", err)
		}
		if err := purgeArbitrations(ctx, tx, eventID); err != nil { // 仲裁 (issue 16), store/arbitration.go
			return err
		}
		if !st.PurgedAt.Valid() {
			if _, err := tx.ExecContext(ctx, "INSERT INTO event_purges (event_id, purged_at, purged_by) VALUES (?, ?, ?)",
				eventID, micros(now), actor); err != nil {
				return fmt.Errorf("record purge: %w", err)
			}
		}
		if err := chain.append(ctx, actor, "personal.purge", strconv.FormatInt(eventID, 10), done, now); err != nil {
			return err
		}
		return chain.close(ctx)
	})
	if err != nil {
		return PurgeCounts{}, nil, err
	}
	// Scrubbed on every run, so a run that cleared everything but failed
	// here is completed by the next.
	conn, err := s.w.Conn(ctx)
	if err != nil {
		return done, photos, fmt.Errorf("purge scrub: %w", err)
	}
	defer conn.Close()
	if err := s.scrubFreedSpace(ctx, conn, "contestants", "certificates", "appeals", "photos", "candidates", "arbitrations", "arbitration_hearings"); err != nil {
		return done, photos, skillscore.Wrap(skillscore.EUnavailable, err, "个人信息已清除，但整理数据库空间失败：请再运行一次清除")
	}
	return done, photos, nil
}
