package store

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"

	"skillscore/privacy"
)

// resealBatch is the rows re-sealed per transaction: small enough that a
// running server's writers wait at most a few milliseconds for each.
const resealBatch = 200

// ResealProgress reports a re-seal: rows done so far and rows still under
// an older key when the pass began.
type ResealProgress struct {
	Done, Left int
}

// Reseal re-encrypts every sealed value not under the keyring's current key
// and recomputes its lookup index, in small transactions, while the server
// keeps running. It is resumable: an interrupted run leaves each row under
// the old or the new key, whole, and the next run carries on with the rows
// left. A row changed by someone else between the read and the write is
// skipped in that batch and taken up by the next pass. It returns the rows
// re-sealed.
func (s *Store) Reseal(ctx context.Context, progress func(ResealProgress)) (int, error) {
	if s.keys == nil {
		return 0, privacy.NoKeyError()
	}
	done := 0
	for {
		cur := s.keys.Current() + "$%"
		left, err := s.countStale(ctx, cur)
		if err != nil {
			return done, err
		}
		if left == 0 {
			return done, nil
		}
		if progress != nil {
			progress(ResealProgress{Done: done, Left: left})
		}
		n, err := s.resealContestants(ctx, cur)
		if err != nil {
			return done, err
		}
		m, err := s.resealCertificates(ctx, cur)
		if err != nil {
			return done, err
		}
		done += n + m
		if err := ctx.Err(); err != nil {
			return done, err
		}
	}
}

const (
	staleContestants  = "(id_cipher <> '' AND id_cipher NOT LIKE ?) OR (phone_cipher <> '' AND phone_cipher NOT LIKE ?)"
	staleCertificates = "id_cipher <> '' AND id_cipher NOT LIKE ?"
)

func (s *Store) countStale(ctx context.Context, cur string) (int, error) {
	var a, b int
	if err := s.r.GetContext(ctx, &a, "SELECT COUNT(*) FROM contestants WHERE "+staleContestants, cur, cur); err != nil {
		return 0, fmt.Errorf("reseal count: %w", err)
	}
	if err := s.r.GetContext(ctx, &b, "SELECT COUNT(*) FROM certificates WHERE "+staleCertificates, cur); err != nil {
		return 0, fmt.Errorf("reseal count: %w", err)
	}
	return a + b, nil
}

// resealContestants re-seals one batch of contestants.
func (s *Store) resealContestants(ctx context.Context, cur string) (int, error) {
	n := 0
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var rows []Contestant
		if err := tx.SelectContext(ctx, &rows, "SELECT * FROM contestants WHERE "+staleContestants+" ORDER BY id LIMIT ?",
			cur, cur, resealBatch); err != nil {
			return fmt.Errorf("reseal contestants: %w", err)
		}
		for _, c := range rows {
			oldID, oldPhone := c.IDCipher, c.PhoneCipher
			if err := s.openContestant(&c); err != nil {
				return err
			}
			if err := sealContestant(s.keys, &c); err != nil {
				return err
			}
			res, err := tx.ExecContext(ctx, `UPDATE contestants SET id_cipher = ?, id_index = ?, phone_cipher = ?
				WHERE id = ? AND id_cipher = ? AND phone_cipher = ?`, c.IDCipher, c.IDIndex, c.PhoneCipher, c.ID, oldID, oldPhone)
			if err != nil {
				return fmt.Errorf("reseal contestant %d: %w", c.ID, err)
			}
			if k, _ := res.RowsAffected(); k == 1 {
				n++
			}
		}
		return nil
	})
	return n, err
}

// resealCertificates re-seals one batch of certificates' holder numbers.
func (s *Store) resealCertificates(ctx context.Context, cur string) (int, error) {
	n := 0
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var rows []Certificate
		if err := tx.SelectContext(ctx, &rows, "SELECT * FROM certificates WHERE "+staleCertificates+" ORDER BY id LIMIT ?",
			cur, resealBatch); err != nil {
			return fmt.Errorf("reseal certificates: %w", err)
		}
		for _, c := range rows {
			plain, err := s.keys.Open(privacy.IDNumber, c.IDCipher)
			if err != nil {
				return fmt.Errorf("certificate %s: %w", c.Number, err)
			}
			sealed, err := s.keys.Seal(privacy.IDNumber, plain)
			if err != nil {
				return err
			}
			idx, err := s.keys.Index(privacy.IDNumber, plain)
			if err != nil {
				return err
			}
			res, err := tx.ExecContext(ctx, "UPDATE certificates SET id_cipher = ?, id_index = ? WHERE id = ? AND id_cipher = ?",
				sealed, idx, c.ID, c.IDCipher)
			if err != nil {
				return fmt.Errorf("reseal certificate %s: %w", c.Number, err)
			}
			if k, _ := res.RowsAffected(); k == 1 {
				n++
			}
		}
		return nil
	})
	return n, err
}

// RecordKeyRotation notes a finished rotation in the audit trail: which key
// is now current and how many values moved to it.
func (s *Store) RecordKeyRotation(ctx context.Context, actor, key string, resealed int) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		return s.appendAudit(ctx, tx, nil, actor, "keys.rotate", key, map[string]any{"resealed": resealed}, s.now())
	})
}
