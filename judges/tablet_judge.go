package judges

import (
	"context"
	"net/http"

	"skillscore"
	"skillscore/store"
)

// TabletJudge returns the judge a tablet's HTTP request is logged in as
// (its bearer token), for the routes beside the protocol that act for the
// judge (赛场记录 and evidence photos from the tablet camera, issue 16).
// Each call is one message of the address's and the login's sync
// allowance, like a state request.
func (s *Service) TabletJudge(ctx context.Context, r *http.Request, remote string) (store.Judge, error) {
	limited := skillscore.Errorf(skillscore.ERateLimited, "请求过于频繁，请稍后重试")
	if s.syncAddrs.take(remote, 1, s.now()) == 0 {
		return store.Judge{}, limited
	}
	tok := bearer(r)
	sess, err := s.authenticate(ctx, tok)
	if err != nil {
		return store.Judge{}, err
	}
	if s.syncLogins.take(hashToken(tok), 1, s.now()) == 0 {
		return store.Judge{}, limited
	}
	return sess.judge, nil
}
