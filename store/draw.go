package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

	"skillscore"
	"skillscore/draw"
	"skillscore/privacy"
)

// DrawRecord is one recorded draw layer of an event.
type DrawRecord struct {
	ID        int64  `db:"id"`
	EventID   int64  `db:"event_id"`
	Layer     int    `db:"layer"`
	Seed      string `db:"seed"`
	CreatedAt Time   `db:"created_at"`
	CreatedBy string `db:"created_by"`
}

// DrawRow is one contestant's line of the sealed draw sheet.
type DrawRow struct {
	ContestantID int64   `db:"id"`
	Name         string  `db:"name"`
	Organization string  `db:"organization"`
	City         string  `db:"city"`
	GroupCode    string  `db:"group_code"`
	Code1        string  `db:"code1"`
	Station      *string `db:"station"`
	Code2        *string `db:"code2"`
}

// DrawState is everything the draw page shows: the layers drawn, the
// sealed rows, the decryption if done, and what still blocks it.
type DrawState struct {
	Draws       []DrawRecord
	Rows        []DrawRow
	Marks       int      // marks already given: once > 0 codes can no longer change
	Unsigned    []string // judged modules not yet signed off by their chief judge
	DecryptedAt Time
	DecryptedBy string
	Contestants int
	Coded       int // contestants holding an anonymous code
	Decryptable bool
}

// Draw runs (or re-runs) one layer of the draw from seed and stores it:
// layer 1 deals codes and stations, layer 2 re-deals the codes judges see
// and keeps the layer-1 codes in draw_deals. Refused once any mark exists,
// since judges already use the current codes, and after decryption.
func (s *Store) Draw(ctx context.Context, eventID int64, layer int, seed, actor string) (DrawRecord, error) {
	now := s.now()
	rec := DrawRecord{EventID: eventID, Layer: layer, Seed: strings.ToLower(seed), CreatedAt: Time{now}, CreatedBy: actor}
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := drawAllowed(ctx, tx, eventID, layer); err != nil {
			return err
		}
		var people []struct {
			ID       int64  `db:"id"`
			IDType   string `db:"id_type"`
			IDCipher string `db:"id_cipher"`
		}
		if err := tx.SelectContext(ctx, &people, "SELECT id, id_type, id_cipher FROM contestants WHERE event_id = ? AND kind <> 'member'", eventID); err != nil {
			return fmt.Errorf("draw roster: %w", err)
		}
		if len(people) == 0 {
			return skillscore.Errorf(skillscore.EInvalid, "本赛事名单为空：请先导入选手名单再抽签")
		}
		if layer == 2 {
			var dealt int
			if err := tx.GetContext(ctx, &dealt, "SELECT COUNT(*) FROM draw_deals WHERE event_id = ? AND layer = 1", eventID); err != nil {
				return err
			}
			// Every contestant needs a layer-1 code and station for the
			// sealed sheet to map the second codes back.
			if dealt != len(people) {
				return skillscore.Errorf(skillscore.EConflict, "第一次抽签后名单有变动（抽签时 %d 人，现在 %d 人）：请重新进行第一次抽签", dealt, len(people))
			}
		}
		ps := make([]draw.Person, len(people))
		for i, p := range people {
			// The draw orders people by 证件号码 (so a recorded seed
			// replays the same deal): it opens them here, in memory only.
			id, err := s.keys.Open(privacy.IDNumber, p.IDCipher)
			if err != nil {
				return err
			}
			ps[i] = draw.Person{ID: p.ID, IDType: p.IDType, IDNumber: id}
		}
		deals, err := draw.Run(rec.Seed, layer, ps)
		if err != nil {
			return err
		}
		var prev []string
		if err := tx.SelectContext(ctx, &prev, "SELECT seed FROM draws WHERE event_id = ? AND layer = ?", eventID, layer); err != nil {
			return err
		}
		for _, q := range []string{"DELETE FROM draws WHERE event_id = ? AND layer = ?",
			"DELETE FROM draw_deals WHERE event_id = ? AND layer = ?"} {
			if _, err := tx.ExecContext(ctx, q, eventID, layer); err != nil {
				return fmt.Errorf("clear previous draw: %w", err)
			}
		}
		res, err := tx.ExecContext(ctx, "INSERT INTO draws (event_id, layer, seed, created_at, created_by) VALUES (?, ?, ?, ?, ?)",
			eventID, layer, rec.Seed, micros(now), actor)
		if err != nil {
			return fmt.Errorf("insert draw: %w", err)
		}
		if rec.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		rows := make([][]any, len(deals))
		for i, d := range deals {
			var station any
			if layer == 1 {
				station = d.Station
			}
			rows[i] = []any{eventID, layer, d.ID, d.Code, station}
		}
		if err := insertRows(ctx, tx, "draw_deals", []string{"event_id", "layer", "contestant_id", "code", "station"}, rows); err != nil {
			return fmt.Errorf("insert deals: %w", err)
		}
		// Codes are unique per event: clear them all before dealing the new
		// ones so a code moving between two people never collides midway.
		if _, err := tx.ExecContext(ctx, "UPDATE contestants SET code = NULL WHERE event_id = ?", eventID); err != nil {
			return err
		}
		for _, d := range deals {
			q, args := "UPDATE contestants SET code = ? WHERE id = ?", []any{d.Code, d.ID}
			if layer == 1 {
				q, args = "UPDATE contestants SET code = ?, station = ? WHERE id = ?", []any{d.Code, d.Station, d.ID}
			}
			if _, err := tx.ExecContext(ctx, q, args...); err != nil {
				return fmt.Errorf("deal code: %w", err)
			}
		}
		if _, err := bumpRevision(ctx, tx, eventID); err != nil {
			return err
		}
		detail := map[string]any{"layer": layer, "seed": rec.Seed, "contestants": len(deals)}
		if len(prev) > 0 {
			detail["replaced_seed"] = prev[0]
		}
		return s.appendAudit(ctx, tx, &eventID, actor, "draw.run", fmt.Sprintf("layer %d", layer), detail, now)
	})
	if err != nil {
		return DrawRecord{}, err
	}
	return rec, nil
}

func drawAllowed(ctx context.Context, tx *sqlx.Tx, eventID int64, layer int) error {
	if layer != 1 && layer != 2 {
		return skillscore.Errorf(skillscore.EInvalid, "抽签层次只能是 1（第一次加密）或 2（二次加密）")
	}
	var n int
	if err := tx.GetContext(ctx, &n, "SELECT COUNT(*) FROM decryptions WHERE event_id = ?", eventID); err != nil {
		return err
	}
	if n > 0 {
		return skillscore.Errorf(skillscore.EConflict, "本赛事已解密，不能再抽签")
	}
	if err := tx.GetContext(ctx, &n, eventMarksQuery, eventID); err != nil {
		return err
	}
	if n > 0 {
		return skillscore.Errorf(skillscore.EConflict, "裁判已按现有加密号评分（%d 条分数），不能再抽签：重新抽签会改变裁判正在使用的加密号", n)
	}
	var layers []int
	if err := tx.SelectContext(ctx, &layers, "SELECT layer FROM draws WHERE event_id = ?", eventID); err != nil {
		return err
	}
	has := map[int]bool{}
	for _, l := range layers {
		has[l] = true
	}
	if layer == 2 && !has[1] {
		return skillscore.Errorf(skillscore.EConflict, "还没有第一次抽签，不能进行二次加密")
	}
	if layer == 1 && has[2] {
		return skillscore.Errorf(skillscore.EConflict, "已进行二次加密，不能再重做第一次抽签")
	}
	return nil
}

const eventMarksQuery = `SELECT COUNT(*) FROM marks mk JOIN sheets sh ON sh.id = mk.sheet_id
	JOIN modules m ON m.id = sh.module_id WHERE m.event_id = ?`

// DrawState reads an event's draw, sealed rows and decryption precondition.
func (s *Store) DrawState(ctx context.Context, eventID int64) (DrawState, error) {
	var st DrawState
	tx, err := s.r.BeginTxx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return st, fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	if err := tx.SelectContext(ctx, &st.Draws, "SELECT * FROM draws WHERE event_id = ? ORDER BY layer", eventID); err != nil {
		return st, fmt.Errorf("draws: %w", err)
	}
	if err := tx.SelectContext(ctx, &st.Rows, `SELECT c.id, c.name, c.organization, c.city, c.group_code,
			d1.code AS code1, d1.station, d2.code AS code2
		FROM draw_deals d1 JOIN contestants c ON c.id = d1.contestant_id
		LEFT JOIN draw_deals d2 ON d2.event_id = d1.event_id AND d2.layer = 2 AND d2.contestant_id = d1.contestant_id
		WHERE d1.event_id = ? AND d1.layer = 1 ORDER BY d1.station, d1.code`, eventID); err != nil {
		return st, fmt.Errorf("draw rows: %w", err)
	}
	if err := tx.GetContext(ctx, &st.Marks, eventMarksQuery, eventID); err != nil {
		return st, err
	}
	if err := tx.GetContext(ctx, &st.Contestants, "SELECT COUNT(*) FROM contestants WHERE event_id = ? AND kind <> 'member'", eventID); err != nil {
		return st, err
	}
	if err := tx.GetContext(ctx, &st.Coded, "SELECT COUNT(*) FROM contestants WHERE event_id = ? AND code IS NOT NULL", eventID); err != nil {
		return st, err
	}
	if st.Unsigned, err = unsignedModules(ctx, tx, eventID); err != nil {
		return st, err
	}
	var dec struct {
		At Time   `db:"decrypted_at"`
		By string `db:"decrypted_by"`
	}
	err = tx.GetContext(ctx, &dec, "SELECT decrypted_at, decrypted_by FROM decryptions WHERE event_id = ?", eventID)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return st, err
	}
	st.DecryptedAt, st.DecryptedBy = dec.At, dec.By
	st.Decryptable = st.Coded > 0 && len(st.Unsigned) == 0 && !st.DecryptedAt.Valid()
	return st, nil
}

// unsignedModules names the judged (not imported) modules of an event that
// their chief judge has not signed off.
func unsignedModules(ctx context.Context, q sqlx.QueryerContext, eventID int64) ([]string, error) {
	var out []string
	err := sqlx.SelectContext(ctx, q, &out, `SELECT name FROM modules
		WHERE event_id = ? AND imported = 0 AND signed_off_at IS NULL ORDER BY position`, eventID)
	if err != nil {
		return nil, fmt.Errorf("unsigned modules: %w", err)
	}
	return out, nil
}

// Decrypt records the organizer revealing the names behind the codes (解密):
// allowed once, after codes are dealt, and only when every judged module is signed
// off by its chief judge; otherwise refused naming the modules still open.
func (s *Store) Decrypt(ctx context.Context, eventID int64, actor string) (Time, error) {
	now := s.now()
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var n int
		if err := tx.GetContext(ctx, &n, "SELECT COUNT(*) FROM decryptions WHERE event_id = ?", eventID); err != nil {
			return err
		}
		if n > 0 {
			return skillscore.Errorf(skillscore.EConflict, "本赛事已解密")
		}
		// Codes dealt outside a recorded draw (the demo's) count as a draw.
		if err := tx.GetContext(ctx, &n, "SELECT COUNT(*) FROM contestants WHERE event_id = ? AND code IS NOT NULL", eventID); err != nil {
			return err
		}
		if n == 0 {
			return skillscore.Errorf(skillscore.EConflict, "本赛事尚未抽签加密，无需解密")
		}
		unsigned, err := unsignedModules(ctx, tx, eventID)
		if err != nil {
			return err
		}
		if len(unsigned) > 0 {
			return skillscore.Errorf(skillscore.EConflict, "以下模块的裁判长尚未签字确认，不能解密：%s", strings.Join(unsigned, "、"))
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO decryptions (event_id, decrypted_at, decrypted_by) VALUES (?, ?, ?)",
			eventID, micros(now), actor); err != nil {
			return fmt.Errorf("insert decryption: %w", err)
		}
		if _, err := bumpRevision(ctx, tx, eventID); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, &eventID, actor, "draw.decrypt", "", map[string]any{}, now)
	})
	if err != nil {
		return Time{}, err
	}
	return Time{now}, nil
}
