package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strconv"

	"github.com/jmoiron/sqlx"

	"skillscore"
)

// Photo is a contestant's photo in the photo store (package photos). The
// store keeps only this record; the image is a file named by the opaque ID,
// so neither a file name nor a row here carries the 证件号码 or the name.
type Photo struct {
	ID           string `db:"id"` // 32 hex digits from crypto/rand
	ContestantID int64  `db:"contestant_id"`
	File         string `db:"file_name"` // ID + ".jpg" or ".png"
	SHA256       string `db:"sha256"`    // hex, of the file's bytes
	ContentType  string `db:"content_type"`
	Width        int    `db:"width"`
	Height       int    `db:"height"`
	Size         int64  `db:"size_bytes"`
	CreatedAt    Time   `db:"created_at"`
	CreatedBy    string `db:"created_by"`
}

// photoCols lists the columns by name, so a later column does not break
// the reads (sqlx refuses a column the struct lacks).
const photoCols = "id, contestant_id, file_name, sha256, content_type, width, height, size_bytes, created_at, created_by"

// photoFileRE is the only shape a photo file may have: the opaque ID and
// the extension of its content. Anything else (a 证件号码, a path) is
// refused before it reaches the table.
var photoFileRE = regexp.MustCompile(`^([0-9a-f]{32})\.(jpg|png)$`)

func checkPhoto(p Photo) error {
	m := photoFileRE.FindStringSubmatch(p.File)
	switch {
	case m == nil || m[1] != p.ID:
		return skillscore.Errorf(skillscore.EInvalid, "照片文件名 %q 无效：应为 32 位随机编号加 .jpg 或 .png", p.File)
	case len(p.SHA256) != 64:
		return skillscore.Errorf(skillscore.EInvalid, "照片 %s 缺少 SHA-256 校验值", p.ID)
	case p.ContentType != "image/jpeg" && p.ContentType != "image/png":
		return skillscore.Errorf(skillscore.EInvalid, "照片 %s 的类型 %q 无效：应为 JPEG 或 PNG", p.ID, p.ContentType)
	case p.Width <= 0 || p.Height <= 0 || p.Size <= 0:
		return skillscore.Errorf(skillscore.EInvalid, "照片 %s 的尺寸或大小无效", p.ID)
	}
	return nil
}

// SetPhotos records photos of an event's contestants, all or none, each
// replacing the contestant's current photo, and audits each (contestant id
// and checksums only). It returns the replaced records: their files are the
// caller's to remove once this has committed.
func (s *Store) SetPhotos(ctx context.Context, eventID int64, ps []Photo, actor string) ([]Photo, error) {
	now := s.now()
	seen := map[int64]bool{}
	for _, p := range ps {
		if err := checkPhoto(p); err != nil {
			return nil, err
		}
		if seen[p.ContestantID] {
			return nil, skillscore.Errorf(skillscore.EInvalid, "同一批照片中选手 %d 出现不止一次", p.ContestantID)
		}
		seen[p.ContestantID] = true
	}
	var replaced []Photo
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		replaced = nil
		c, err := openChain(ctx, tx, &eventID)
		if err != nil {
			return err
		}
		for _, p := range ps {
			var n int
			if err := tx.GetContext(ctx, &n, "SELECT COUNT(*) FROM contestants WHERE id = ? AND event_id = ?",
				p.ContestantID, eventID); err != nil {
				return fmt.Errorf("photo contestant: %w", err)
			}
			if n == 0 {
				return skillscore.Errorf(skillscore.ENotFound, "选手 %d 不属于本赛事", p.ContestantID)
			}
			old, had, err := photoOf(ctx, tx, p.ContestantID)
			if err != nil {
				return err
			}
			detail := map[string]any{"contestant_id": p.ContestantID, "photo_id": p.ID, "sha256": p.SHA256}
			if had {
				if _, err := tx.ExecContext(ctx, "DELETE FROM photos WHERE id = ?", old.ID); err != nil {
					return fmt.Errorf("replace photo: %w", err)
				}
				replaced = append(replaced, old)
				detail["replaced_sha256"] = old.SHA256
			}
			p.CreatedAt, p.CreatedBy = Time{now}, actor
			_, err = tx.NamedExecContext(ctx, "INSERT INTO photos ("+photoCols+`) VALUES (:id, :contestant_id, :file_name,
				:sha256, :content_type, :width, :height, :size_bytes, :created_at, :created_by)`, p)
			if isUniqueViolation(err) {
				return skillscore.Errorf(skillscore.EConflict, "照片编号 %s 已被使用", p.ID)
			}
			if err != nil {
				return fmt.Errorf("insert photo: %w", err)
			}
			if err := c.append(ctx, actor, "photo.set", contestantKey(p.ContestantID), detail, now); err != nil {
				return err
			}
		}
		return c.close(ctx)
	})
	if err != nil {
		return nil, err
	}
	return replaced, nil
}

// contestantKey is a photo's audit subject: the contestant's row id, never
// the anonymous code (a face tied to a code would undo the anonymity) and
// never the name or 证件号码.
func contestantKey(id int64) string { return "contestant:" + strconv.FormatInt(id, 10) }

func photoOf(ctx context.Context, q sqlx.QueryerContext, contestantID int64) (Photo, bool, error) {
	var p Photo
	err := sqlx.GetContext(ctx, q, &p, "SELECT "+photoCols+" FROM photos WHERE contestant_id = ?", contestantID)
	if errors.Is(err, sql.ErrNoRows) {
		return Photo{}, false, nil
	}
	if err != nil {
		return Photo{}, false, fmt.Errorf("load photo: %w", err)
	}
	return p, true, nil
}

// PhotoOf returns a contestant's photo record; ENotFound when there is none.
func (s *Store) PhotoOf(ctx context.Context, contestantID int64) (Photo, error) {
	p, ok, err := photoOf(ctx, s.r, contestantID)
	if err != nil {
		return Photo{}, err
	}
	if !ok {
		return Photo{}, skillscore.Errorf(skillscore.ENotFound, "选手 %d 没有照片", contestantID)
	}
	return p, nil
}

// EventPhotos returns the photo records of an event's contestants, in
// contestant order.
func (s *Store) EventPhotos(ctx context.Context, eventID int64) ([]Photo, error) {
	var out []Photo
	err := s.r.SelectContext(ctx, &out, `SELECT p.id, p.contestant_id, p.file_name, p.sha256, p.content_type, p.width,
		p.height, p.size_bytes, p.created_at, p.created_by
		FROM photos p JOIN contestants c ON c.id = p.contestant_id WHERE c.event_id = ? ORDER BY p.contestant_id`, eventID)
	if err != nil {
		return nil, fmt.Errorf("event photos: %w", err)
	}
	return out, nil
}

// DeletePhoto removes a contestant's photo record, audited, and returns it:
// its file is the caller's to remove once this has committed.
func (s *Store) DeletePhoto(ctx context.Context, eventID, contestantID int64, actor string) (Photo, error) {
	now := s.now()
	var old Photo
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var n int
		if err := tx.GetContext(ctx, &n, "SELECT COUNT(*) FROM contestants WHERE id = ? AND event_id = ?",
			contestantID, eventID); err != nil {
			return fmt.Errorf("photo contestant: %w", err)
		}
		if n == 0 {
			return skillscore.Errorf(skillscore.ENotFound, "选手 %d 不属于本赛事", contestantID)
		}
		p, ok, err := photoOf(ctx, tx, contestantID)
		if err != nil {
			return err
		}
		if !ok {
			return skillscore.Errorf(skillscore.ENotFound, "选手 %d 没有照片", contestantID)
		}
		old = p
		if _, err := tx.ExecContext(ctx, "DELETE FROM photos WHERE id = ?", p.ID); err != nil {
			return fmt.Errorf("delete photo: %w", err)
		}
		return s.appendAudit(ctx, tx, &eventID, actor, "photo.delete", contestantKey(contestantID),
			map[string]any{"contestant_id": contestantID, "photo_id": p.ID, "sha256": p.SHA256}, now)
	})
	if err != nil {
		return Photo{}, err
	}
	return old, nil
}

// PhotoFiles lists every file the photo records name, across all events:
// what the photo store must hold, so a file not among them is an orphan
// (an import that failed, a replaced photo whose removal was cut short).
func (s *Store) PhotoFiles(ctx context.Context) ([]string, error) {
	var out []string
	if err := s.r.SelectContext(ctx, &out, "SELECT file_name FROM photos ORDER BY file_name"); err != nil {
		return nil, fmt.Errorf("photo files: %w", err)
	}
	return out, nil
}
