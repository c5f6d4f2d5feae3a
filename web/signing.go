package web

// Judges' own signing keys (docs/oversight-signing.md): the tablet's call
// that sets one, the organizer's reset of a forgotten or locked one, and the
// event's setting that requires one before a sheet is submitted.

import (
	"context"
	"net/http"
	"strconv"

	"skillscore"
	"skillscore/store"
)

// JudgeSigningAdmin is what the organizer's side of judges' signing keys
// needs from the database (the judging store provides it).
type JudgeSigningAdmin interface {
	JudgeSigningKeys(ctx context.Context, eventID int64) (map[int64]store.SigningKey, error)
	ResetJudgeSigningKey(ctx context.Context, eventID, judgeID int64, reason, actor string) error
	JudgeSigningRequired(ctx context.Context, eventID int64) (bool, error)
	SetJudgeSigningRequired(ctx context.Context, eventID int64, required bool, actor string) error
}

func (s *Server) signingAdmin() (JudgeSigningAdmin, error) {
	st, ok := s.judging.(JudgeSigningAdmin)
	if !ok {
		return nil, skillscore.Errorf(skillscore.EUnavailable, "签名密钥功能未启用")
	}
	return st, nil
}

// handleJudgeSigningKey: a logged-in tablet sets its judge's own signing
// PIN or passphrase (bearer token, like the protocol's other calls).
func (s *Server) handleJudgeSigningKey(w http.ResponseWriter, r *http.Request) {
	if !s.needJudging(w, r) {
		return
	}
	s.judges.ServeSigningKey(w, r, s.clientIP(r), func(err error) { s.fail(w, r, err) })
}

// handleResetSigningKey retires a judge's signing key with a reason: the
// judge sets a new one on the tablet before signing again. The organizer
// never learns either.
func (s *Server) handleResetSigningKey(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	st, err := s.signingAdmin()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	id, err := strconv.ParseInt(r.PathValue("judge"), 10, 64)
	if err != nil {
		s.fail(w, r, skillscore.Errorf(skillscore.EInvalid, "裁判编号无效"))
		return
	}
	if err := st.ResetJudgeSigningKey(r.Context(), ev.ID, id, r.PostFormValue("reason"), u.User.Username); err != nil {
		s.fail(w, r, err)
		return
	}
	// The judge's tablets show the set-up screen at once.
	s.judges.PeerChanged(id, false)
	http.Redirect(w, r, noticeURL("/events/"+ev.Code+"/judges", "signing-key-reset"), http.StatusSeeOther)
}

// handleJudgeSigningSetting sets whether the event's judges must sign with
// their own key.
func (s *Server) handleJudgeSigningSetting(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	st, err := s.signingAdmin()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var required bool
	switch r.PostFormValue("required") {
	case "1":
		required = true
	case "0":
	default:
		s.fail(w, r, skillscore.Errorf(skillscore.EInvalid, "请选择是否要求本人签名密码"))
		return
	}
	if err := st.SetJudgeSigningRequired(r.Context(), ev.ID, required, u.User.Username); err != nil {
		s.fail(w, r, err)
		return
	}
	key := "judge-signing-optional"
	if required {
		key = "judge-signing-required"
	}
	http.Redirect(w, r, noticeURL("/events/"+ev.Code+"/judges", key), http.StatusSeeOther)
}

// requireSigningForNewEvent: an event made on the organizer's page requires
// judges' own signing keys from the start (docs/oversight-signing.md);
// events made otherwise (imports, the demo, tests) keep the card PIN until
// the organizer switches it on.
func (s *Server) requireSigningForNewEvent(ctx context.Context, eventID int64, actor string) {
	st, err := s.signingAdmin()
	if err == nil {
		err = st.SetJudgeSigningRequired(ctx, eventID, true, actor)
	}
	if err != nil {
		s.log.Warn("new event: judge signing setting", "event", eventID, "err", err)
	}
}

// signingRow is a judge's signing key as the judges page shows it.
type signingRow struct {
	Set, Locked bool
	KeyID       string
	Failures    int
}

// fillSigning adds the judges' signing keys and the event's setting to the
// judges page.
func (s *Server) fillSigning(ctx context.Context, eventID int64, page *judgesPage) error {
	st, err := s.signingAdmin()
	if err != nil {
		return nil // a store without signing keys: the page shows none
	}
	keys, err := st.JudgeSigningKeys(ctx, eventID)
	if err != nil {
		return err
	}
	if page.SigningRequired, err = st.JudgeSigningRequired(ctx, eventID); err != nil {
		return err
	}
	page.SigningShown = true
	for i := range page.Judges {
		if k, ok := keys[page.Judges[i].ID]; ok {
			page.Judges[i].Signing = signingRow{Set: true, Locked: k.Locked(), KeyID: k.KeyID, Failures: k.Failures}
		}
	}
	return nil
}
