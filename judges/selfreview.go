package judges

import (
	"context"

	"skillscore/store"
)

// JudgeFor returns the judge a tablet's device token belongs to, for the
// judge's own pages beside the protocol (the self-review report, issue 16):
// the same check as every protocol request, and the same refusal.
func (s *Service) JudgeFor(ctx context.Context, token string) (store.Judge, error) {
	sess, err := s.authenticate(ctx, token)
	if err != nil {
		return store.Judge{}, err
	}
	return sess.judge, nil
}
