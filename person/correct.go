package person

import (
	"context"

	"skillscore/roster"
	"skillscore/store"
)

// Change is a correction asked for: the fields to set (nil leaves one as
// it is; an empty phone clears it) and the reason.
type Change struct {
	EventID, ContestantID int64
	Name, Gender, IDType  *string
	IDNumber, Phone       *string
	Reason                string
}

// Correct corrects one contestant's name, gender, 证件类型, 证件号码 or
// phone. The result is checked as a roster row is (the same normalisers,
// document rules and messages), the event's roster keeps one row per
// person, and certificates whose attested holder changes are signed again
// (see certificates.Service.Reissuer). The reason is audited with the
// changed fields' names; a reason that repeats a name, 证件号码 or phone,
// old or new, is refused.
func (s *Service) Correct(ctx context.Context, ch Change, actor string) (store.CorrectionResult, error) {
	cur, err := s.st.Contestant(ctx, ch.EventID, ch.ContestantID)
	if err != nil {
		return store.CorrectionResult{}, err
	}
	id := roster.Identity{Name: cur.Name, Gender: cur.Gender, IDType: cur.IDType, IDNumber: cur.IDNumber, Phone: cur.Phone}
	for _, f := range []struct {
		to  *string
		set *string
	}{{&id.Name, ch.Name}, {&id.Gender, ch.Gender}, {&id.IDType, ch.IDType}, {&id.IDNumber, ch.IDNumber}, {&id.Phone, ch.Phone}} {
		if f.set != nil {
			*f.to = *f.set
		}
	}
	next, err := roster.CheckIdentity(id)
	if err != nil {
		return store.CorrectionResult{}, err
	}
	reason, err := checkReason(ch.Reason, cur.Name, cur.IDNumber, cur.Phone, next.Name, next.IDNumber, next.Phone)
	if err != nil {
		return store.CorrectionResult{}, err
	}
	return s.st.CorrectContestant(ctx, store.Correction{EventID: ch.EventID, ContestantID: ch.ContestantID, Name: next.Name,
		Gender: next.Gender, IDType: next.IDType, IDNumber: next.IDNumber, Phone: next.Phone, Reason: reason}, s.reissue, actor)
}

// FieldNames name the fields a correction may change, in Chinese.
var FieldNames = map[string]string{"name": "姓名", "gender": "性别", "id_type": "证件类型", "id_number": "证件号码", "phone": "手机号码"}
