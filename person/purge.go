package person

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"skillscore"
	"skillscore/store"
)

// Retention says when an event's retention period for personal data ends;
// false while it has not begun (the results are not final yet).
type Retention interface {
	RetentionEnds(ctx context.Context, eventID int64) (time.Time, bool, error)
}

// PurgeStore is what a purge needs from the database.
type PurgeStore interface {
	PurgeState(ctx context.Context, eventID int64) (store.PurgeState, error)
	PurgeEvent(ctx context.Context, eventID int64, photos int, actor string) (store.PurgeCounts, error)
}

// Photos finds and deletes the photos of an event's people that a purge
// removes.
type Photos interface {
	Count(ctx context.Context, eventID int64) (int, error)
	Remove(ctx context.Context, eventID int64) (int, error)
}

// PurgePlan is where an event stands towards its purge: when its retention
// period ends, what is left to remove, and whether it may be removed now
// (Refusal says why not, in Chinese).
type PurgePlan struct {
	Ends     time.Time // zero while the period has not begun
	Due      bool
	Refusal  string
	Pending  store.PurgeCounts
	PurgedAt store.Time
	PurgedBy string
}

// CNDate writes a day the way the organizer reads it: 2027年5月20日.
func CNDate(t time.Time) string {
	t = t.In(cst)
	return fmt.Sprintf("%d年%d月%d日", t.Year(), int(t.Month()), t.Day())
}

// PurgePlan reads an event's purge plan.
func (s *Service) PurgePlan(ctx context.Context, eventID int64) (PurgePlan, error) {
	if s.purge == nil {
		return PurgePlan{}, skillscore.Errorf(skillscore.EUnavailable, "本服务未启用个人信息清除")
	}
	st, err := s.purge.PurgeState(ctx, eventID)
	if err != nil {
		return PurgePlan{}, err
	}
	p := PurgePlan{Pending: st.Pending, PurgedAt: st.PurgedAt, PurgedBy: st.PurgedBy}
	if s.photos != nil {
		if p.Pending.Photos, err = s.photos.Count(ctx, eventID); err != nil {
			return PurgePlan{}, err
		}
	}
	if s.retention == nil {
		p.Refusal = "未启用个人信息保存期限设置，无法判断保存期限是否届满，不能清除"
		return p, nil
	}
	ends, started, err := s.retention.RetentionEnds(ctx, eventID)
	if err != nil {
		return PurgePlan{}, err
	}
	switch {
	case !started:
		p.Refusal = "本赛事的成绩尚未确认为最终成绩，个人信息保存期限尚未开始计算，不能清除"
	case s.now().Before(ends):
		p.Ends = ends
		p.Refusal = fmt.Sprintf("个人信息保存期限至 %s，届满后方可清除", CNDate(ends))
	default:
		p.Ends, p.Due = ends, true
	}
	return p, nil
}

// Purge removes an event's personal data for good once its retention
// period has ended: photos first (a purge that fails after them is simply
// run again), then the database (store.PurgeEvent: names, 证件号码, phones,
// the certificates' sealed numbers, appeal texts), audited with the counts
// only. Run again it finds nothing left and changes nothing.
func (s *Service) Purge(ctx context.Context, eventID int64, actor string) (store.PurgeCounts, error) {
	p, err := s.PurgePlan(ctx, eventID)
	if err != nil {
		return store.PurgeCounts{}, err
	}
	if !p.Due {
		return store.PurgeCounts{}, skillscore.Errorf(skillscore.EConflict, "%s", p.Refusal)
	}
	photos := 0
	if s.photos != nil {
		if photos, err = s.photos.Remove(ctx, eventID); err != nil {
			return store.PurgeCounts{}, err
		}
	}
	return s.purge.PurgeEvent(ctx, eventID, photos, actor)
}

// DirPhotos are holders' photos kept in a directory as <证件号码>.jpg,
// .jpeg or .png (the certificates' --photos). A person's photo is removed
// with the last event that still holds their number: another event, not
// purged, would print it again.
type DirPhotos struct {
	Dir   string
	Store interface {
		PhotoKeys(ctx context.Context, eventID int64) ([]string, error)
	}
}

var photoExts = []string{".jpg", ".jpeg", ".png"}

func (d DirPhotos) each(ctx context.Context, eventID int64, fn func(path string) error) (int, error) {
	if d.Dir == "" {
		return 0, nil
	}
	keys, err := d.Store.PhotoKeys(ctx, eventID)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, k := range keys {
		for _, ext := range photoExts {
			path := filepath.Join(d.Dir, k+ext)
			if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
				continue
			} else if err != nil {
				// The cause names the file, whose name is a 证件号码: not for the log.
				return n, skillscore.Errorf(skillscore.EUnavailable, "无法读取照片目录 %s", d.Dir)
			}
			if err := fn(path); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, nil
}

// Count counts the photo files a purge of the event deletes.
func (d DirPhotos) Count(ctx context.Context, eventID int64) (int, error) {
	return d.each(ctx, eventID, func(string) error { return nil })
}

// Remove deletes them. The error names no file: its name is a 证件号码.
func (d DirPhotos) Remove(ctx context.Context, eventID int64) (int, error) {
	return d.each(ctx, eventID, func(path string) error {
		if err := os.Remove(path); err != nil {
			return skillscore.Errorf(skillscore.EUnavailable, "无法删除照片目录 %s 中的照片，请检查目录权限后再次清除", d.Dir)
		}
		return nil
	})
}
