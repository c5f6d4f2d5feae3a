package store

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"skillscore"
)

// A contestant's own 成绩单 (issue 16, feedback): the public lookup by
// 证件号码 + 姓名. The number is matched through its keyed index under
// every key, never by opening sealed values; the lookup is audited with
// neither the number nor its index, found or not.

// Bounds of the lookup's inputs, in characters: longer than any 证件号码 or
// name the roster accepts.
const (
	maxLookupID   = 40
	maxLookupName = 50
)

// errNoOwnResults is the one answer to a pair that matches nobody: a wrong
// number, a wrong name and a person of another event read the same, so
// the form cannot be used to learn who took part.
func errNoOwnResults() error {
	return skillscore.Errorf(skillscore.ENotFound, "证件号码与姓名不匹配本赛事的任何选手，请核对后重新填写")
}

// FindOwnResults finds the contestant of an event whose 证件号码 and 姓名
// are those given, for their own 成绩单, and records the lookup in the
// event's audit chain (action feedback.lookup: whether it matched and
// whom, by contestant id; client is the caller's address). A pair that
// matches nobody is recorded too — a sweep shows in the trail — and
// answered with errNoOwnResults.
func (s *Store) FindOwnResults(ctx context.Context, eventID int64, idNumber, name, client string) (int64, error) {
	idNumber, name = strings.TrimSpace(idNumber), strings.TrimSpace(name)
	switch {
	case idNumber == "" || name == "":
		return 0, skillscore.Errorf(skillscore.EInvalid, "请填写证件号码和姓名")
	case utf8.RuneCountInString(idNumber) > maxLookupID:
		return 0, skillscore.Errorf(skillscore.EInvalid, "证件号码不能超过 %d 个字符", maxLookupID)
	case utf8.RuneCountInString(name) > maxLookupName:
		return 0, skillscore.Errorf(skillscore.EInvalid, "姓名不能超过 %d 个字", maxLookupName)
	}
	idx, err := s.idIndexes(idNumber)
	if err != nil {
		return 0, err
	}
	if len(client) > 64 {
		client = client[:64]
	}
	var found int64
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		ids, err := contestantIDsByIndex(ctx, tx, eventID, name, idx)
		if err != nil {
			return err
		}
		subject, detail := "", map[string]any{"found": false, "client": client}
		if len(ids) > 0 {
			found = ids[0]
			subject = contestantSubject(ctx, tx, found)
			detail = map[string]any{"found": true, "contestant": found, "client": client}
		}
		return s.appendAudit(ctx, tx, &eventID, "public", "feedback.lookup", subject, detail, s.now())
	})
	if err != nil {
		return 0, err
	}
	if found == 0 {
		return 0, errNoOwnResults()
	}
	return found, nil
}
