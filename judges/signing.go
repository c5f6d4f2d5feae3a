package judges

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"skillscore"
	"skillscore/signkeys"
	"skillscore/store"
)

// SigningInfo tells the tablet where the judge stands with their own
// signing key (docs/oversight-signing.md): whether the event requires one
// before a sheet is submitted, whether it is set, and whether too many
// wrong secrets locked it.
type SigningInfo struct {
	Required bool   `json:"required"`
	Set      bool   `json:"set"`
	Locked   bool   `json:"locked"`
	KeyID    string `json:"key_id,omitempty"`
}

// signingInfo reads the judge's signing state for the welcome.
func (s *Service) signingInfo(ctx context.Context, j store.Judge) (SigningInfo, error) {
	req, err := s.st.JudgeSigningRequired(ctx, j.EventID)
	if err != nil {
		return SigningInfo{}, err
	}
	info := SigningInfo{Required: req}
	k, err := s.st.JudgeSigningKey(ctx, j.ID)
	switch {
	case err == nil:
		info.Set, info.Locked, info.KeyID = true, k.Locked(), k.KeyID
	case skillscore.ErrorCode(err) != skillscore.ENotFound:
		return SigningInfo{}, err
	}
	return info, nil
}

// SetSigningSecret makes the judge's own signing key from the secret they
// chose on their tablet: a PIN of 6–12 digits or a passphrase, never the
// login card's PIN. Only the public key and the private key sealed under
// the secret are stored; the secret itself is neither stored nor logged.
func (s *Service) SetSigningSecret(ctx context.Context, token, secret, remote string) (SigningInfo, error) {
	// Counted like a sync request, per address and per login: a venue's
	// judges behind one NAT setting theirs at once are not refused.
	limited := skillscore.Errorf(skillscore.ERateLimited, "请求过于频繁，请稍后再试")
	if s.syncAddrs.take(remote, 1, s.now()) == 0 {
		return SigningInfo{}, limited
	}
	sess, err := s.authenticate(ctx, token)
	if err != nil {
		return SigningInfo{}, err
	}
	if s.syncLogins.take(hashToken(token), 1, s.now()) == 0 {
		return SigningInfo{}, limited
	}
	if err := signkeys.CheckSecret(secret); err != nil {
		return SigningInfo{}, skillscore.Errorf(skillscore.EInvalid, "%s", err.Error())
	}
	if checkPIN(sess.ticket.PINHash, secret) {
		return SigningInfo{}, skillscore.Errorf(skillscore.EInvalid, "签名密码不能与登录卡上的 PIN 相同：登录卡 PIN 组织者也知道，请另设一个只有您知道的")
	}
	var sealed signkeys.Sealed
	err = s.withKDF(ctx, func() (err error) { sealed, err = signkeys.New(secret); return err })
	if err != nil {
		return SigningInfo{}, err
	}
	if _, err := s.st.SetJudgeSigningKey(ctx, sess.judge.ID, sealed, actorOf(sess.judge)); err != nil {
		return SigningInfo{}, err
	}
	// The judge's other tablets learn it with a fresh welcome.
	s.hub.reload(sess.judge.ID)
	s.tellPeers(ctx, sess.judge.EventID, sess.judge.ID, false)
	return s.signingInfo(ctx, sess.judge)
}

// SigningKeyRequest is the body of POST /api/v1/judge/signing-key.
type SigningKeyRequest struct {
	Secret string `json:"secret"`
}

// ServeSigningKey is the HTTP handler of POST /api/v1/judge/signing-key;
// remote is the client's address.
func (s *Service) ServeSigningKey(w http.ResponseWriter, r *http.Request, remote string, fail func(error)) {
	var req SigningKeyRequest
	if err := json.NewDecoder(io.LimitReader(r.Body, 4096)).Decode(&req); err != nil {
		fail(skillscore.Wrap(skillscore.EInvalid, err, "请求不是有效的 JSON"))
		return
	}
	info, err := s.SetSigningSecret(r.Context(), bearer(r), req.Secret, remote)
	if err != nil {
		fail(err)
		return
	}
	writeJSON(w, info)
}

// checkSubmitPIN checks the secret a submit carries, the judge's signature
// on the sheet. A judge with their own key signs with it: the secret must
// open it (wrong ones count against the key, which locks at
// signkeys.MaxFailures until the organizer resets it), and the opened key
// goes with the operation for the store to sign with. Without one the
// login card's PIN confirms, unless the event requires an own key; wrong
// card PINs count against the device's ticket and too many revoke it.
func (s *Service) checkSubmitPIN(ctx context.Context, sess *session, pin string) (*store.SheetSigner, error) {
	k, err := s.st.JudgeSigningKey(ctx, sess.judge.ID)
	if err == nil {
		return s.openSigningKey(ctx, sess, k, pin)
	}
	if skillscore.ErrorCode(err) != skillscore.ENotFound {
		return nil, err
	}
	req, err := s.st.JudgeSigningRequired(ctx, sess.judge.EventID)
	if err != nil {
		return nil, err
	}
	if req {
		return nil, skillscore.Errorf(skillscore.EForbidden, "请先设置您自己的签名密码，再提交评分表（评分表未提交）")
	}
	if checkPIN(sess.ticket.PINHash, pin) {
		return nil, nil
	}
	n, err := s.st.TicketFailed(ctx, sess.ticket.ID)
	if err != nil {
		return nil, err
	}
	if n >= 2*maxPINFailures {
		if _, err := s.Revoke(ctx, sess.judge.ID, "system:pin-failures"); err != nil {
			return nil, err
		}
		return nil, skillscore.Errorf(skillscore.EUnauthorized, "PIN 错误次数过多，该平板已被撤销登录")
	}
	return nil, skillscore.Errorf(skillscore.EUnauthorized, "PIN 错误，评分表未提交")
}

func (s *Service) openSigningKey(ctx context.Context, sess *session, k store.SigningKey, secret string) (*store.SheetSigner, error) {
	locked := skillscore.Errorf(skillscore.EForbidden, "签名密码已连续输错 %d 次，已锁定，评分表未提交。请联系组织者重置，再设置新的签名密码", signkeys.MaxFailures)
	if k.Locked() {
		return nil, locked
	}
	if secret == "" || len(secret) > 256 {
		return nil, skillscore.Errorf(skillscore.EInvalid, "请输入您自己设置的签名密码（评分表未提交）")
	}
	sealed, err := k.Sealed()
	if err != nil {
		return nil, err
	}
	var priv ed25519.PrivateKey
	err = s.withKDF(ctx, func() (err error) { priv, err = signkeys.Open(sealed, secret); return err })
	if errors.Is(err, signkeys.ErrWrongSecret) {
		k, err := s.st.SigningKeyFailed(ctx, k.Ref, actorOf(sess.judge))
		if err != nil {
			return nil, err
		}
		if k.Locked() {
			s.hub.reload(sess.judge.ID) // the tablets show the lock
			return nil, locked
		}
		return nil, skillscore.Errorf(skillscore.EUnauthorized, "签名密码错误，还可尝试 %d 次（评分表未提交）", signkeys.MaxFailures-k.Failures)
	}
	if err != nil {
		return nil, err
	}
	if k.Failures > 0 {
		if err := s.st.SigningKeyGood(ctx, k.Ref); err != nil {
			return nil, err
		}
	}
	return &store.SheetSigner{KeyRef: k.Ref, Key: priv}, nil
}

// withKDF runs fn, which derives a key from a secret, in one of the
// Service's few KDF slots, waiting for one as long as ctx allows.
func (s *Service) withKDF(ctx context.Context, fn func() error) error {
	select {
	case s.kdfSlots <- struct{}{}:
	case <-ctx.Done():
		return skillscore.Errorf(skillscore.EUnavailable, "服务器繁忙，请稍后重试（未保存）")
	}
	defer func() { <-s.kdfSlots }()
	return fn()
}
