// Package person answers a person's own requests about their data
// (个人信息保护法 articles 44–47): everything stored about them as one file,
// corrections of a wrong name or number (certificates re-issued where they
// change), and the purge of an event's personal data once its retention
// period has ended. It holds the rules; the store holds the SQL and the
// audit trail. It never logs, and never writes into the audit trail, a
// 证件号码, phone number or name.
package person

import (
	"context"
	"strings"
	"time"

	"skillscore"
	"skillscore/roster"
	"skillscore/store"
)

// Store is what the service needs from the database.
type Store interface {
	PersonData(ctx context.Context, idNumber, name string) (store.PersonData, error)
	RecordPersonalAccess(ctx context.Context, a store.PersonalAccess) error
	Snapshot(ctx context.Context, eventID int64) (store.Snapshot, error)
	Workflow(ctx context.Context, eventID int64) (store.Workflow, error)
	Groups(ctx context.Context, eventID int64) ([]store.Group, error)
	Contestant(ctx context.Context, eventID, id int64) (store.Contestant, error)
	CorrectContestant(ctx context.Context, c store.Correction, reissue store.ReissueFunc, actor string) (store.CorrectionResult, error)
}

// Config wires a Service.
type Config struct {
	Store Store
	// Reissue signs certificates again after a correction; nil refuses a
	// correction that touches a certificate.
	Reissue store.ReissueFunc
	// Purge, Retention and Photos serve the retention purge: without
	// Purge it is unavailable, without Retention always refused (no one
	// can tell the period has ended); Photos deletes the purged photos'
	// files, and without it any are reported left for a prune.
	Purge     PurgeStore
	Retention Retention
	Photos    Photos
	// Now is the clock the retention period is read against; nil means
	// time.Now.
	Now func() time.Time
}

// Service answers the requests.
type Service struct {
	st        Store
	reissue   store.ReissueFunc
	purge     PurgeStore
	retention Retention
	photos    Photos
	now       func() time.Time
}

// New returns a Service.
func New(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Service{st: cfg.Store, reissue: cfg.Reissue, purge: cfg.Purge, retention: cfg.Retention, photos: cfg.Photos, now: cfg.Now}
}

// Query names a person as they identify themself: 证件号码 and 姓名,
// normalised as the roster stores them.
type Query struct {
	IDNumber, Name string
}

// Normal returns the query normalised as the roster stores numbers and
// names, or why it cannot be looked up.
func (q Query) Normal() (Query, error) {
	q = Query{IDNumber: roster.IDNumber(q.IDNumber), Name: roster.Name(q.Name)}
	if q.IDNumber == "" || q.Name == "" {
		return q, skillscore.Errorf(skillscore.EInvalid, "请填写证件号码和姓名")
	}
	if len(q.IDNumber) > 32 || len([]rune(q.Name)) > 100 {
		return q, skillscore.Errorf(skillscore.EInvalid, "证件号码或姓名过长")
	}
	return q, nil
}

// notFound is the answer when nobody matches both the number and the name.
func notFound() error {
	return skillscore.Errorf(skillscore.ENotFound, "没有找到证件号码与姓名都相符的人员：请核对后重新填写")
}

// maxReason bounds a reason in characters (the audit's bound).
const maxReason = 200

// checkReason requires a reason that names no one: it goes into the audit
// trail, which can never be edited or purged.
func checkReason(reason string, personal ...string) (string, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return "", skillscore.Errorf(skillscore.EInvalid, "请填写原因（如申请的编号或来函文号），它会写入审计记录")
	}
	if len([]rune(reason)) > maxReason {
		return "", skillscore.Errorf(skillscore.EInvalid, "原因不能超过 %d 字", maxReason)
	}
	r := strings.ToUpper(strings.Join(strings.Fields(reason), ""))
	for _, v := range personal {
		v = strings.ToUpper(strings.Join(strings.Fields(v), ""))
		if len([]rune(v)) >= 2 && strings.Contains(r, v) {
			return "", skillscore.Errorf(skillscore.EInvalid, "原因会写入不可修改的审计记录：请不要在原因中写姓名、证件号码或手机号码")
		}
	}
	return reason, nil
}
