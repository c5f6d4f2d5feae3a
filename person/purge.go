package person

import (
	"context"
	"fmt"
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
	PurgeEvent(ctx context.Context, eventID int64, actor string) (store.PurgeCounts, []store.Photo, error)
}

// Photos is the photo store (package photos): a holder's photo for the
// export, and the deletion of the files of photo records a purge deleted
// (saying how many it could not delete).
type Photos interface {
	Photo(ctx context.Context, contestantID int64) ([]byte, error)
	Discard(ps []store.Photo) (left int)
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
	t = t.In(skillscore.China())
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
// period has ended (store.PurgeEvent: names, 证件号码, phones, photo
// records, the certificates' sealed numbers, appeal texts; audited with the
// counts only), then the photos' files. Run again it finds nothing left and
// changes nothing.
func (s *Service) Purge(ctx context.Context, eventID int64, actor string) (store.PurgeCounts, error) {
	p, err := s.PurgePlan(ctx, eventID)
	if err != nil {
		return store.PurgeCounts{}, err
	}
	if !p.Due {
		return store.PurgeCounts{}, skillscore.Errorf(skillscore.EConflict, "%s", p.Refusal)
	}
	done, photos, err := s.purge.PurgeEvent(ctx, eventID, actor)
	if err != nil {
		return done, err
	}
	left := len(photos)
	if s.photos != nil {
		left = s.photos.Discard(photos)
	}
	if left > 0 {
		return done, skillscore.Errorf(skillscore.EUnavailable,
			"个人信息已清除，但有 %d 个照片文件未能删除：请检查照片库目录（--photos）后运行 skillscore photos prune", left)
	}
	return done, nil
}
