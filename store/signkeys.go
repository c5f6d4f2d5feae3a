package store

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"skillscore"
	"skillscore/signkeys"
)

// SigningKey is a judge's own signing key as stored (docs/oversight-signing.md):
// the public key and the private key sealed under the judge's secret. The
// store never sees the secret.
type SigningKey struct {
	Ref        int64  `db:"id"`
	JudgeID    int64  `db:"judge_id"`
	KeyID      string `db:"key_id"`
	PublicKey  string `db:"public_key"` // hex
	KDF        string `db:"kdf"`
	SealedSeed string `db:"sealed"`
	Failures   int    `db:"failures"`
	LockedAt   Time   `db:"locked_at"`
	CreatedAt  Time   `db:"created_at"`
	RetiredAt  Time   `db:"retired_at"`
	RetiredBy  string `db:"retired_by"`
}

// Locked reports whether too many wrong secrets locked the key.
func (k SigningKey) Locked() bool { return k.LockedAt.Valid() }

// Sealed is the key as signkeys opens it.
func (k SigningKey) Sealed() (signkeys.Sealed, error) {
	pub, err := hex.DecodeString(k.PublicKey)
	if err != nil {
		return signkeys.Sealed{}, fmt.Errorf("signing key %s: %w", k.KeyID, err)
	}
	return signkeys.Sealed{PublicKey: pub, KeyID: k.KeyID, KDF: k.KDF, Sealed: k.SealedSeed}, nil
}

// SheetSigner is what a submit operation signs with: the judge's key, opened
// by the judges package with the secret the judge just typed. The store signs
// the sheet's canonical content with it inside the submitting transaction,
// so the signature covers exactly what was stored.
type SheetSigner struct {
	KeyRef int64
	Key    ed25519.PrivateKey
}

const signingKeyColumns = "id, judge_id, key_id, public_key, kdf, sealed, failures, locked_at, created_at, retired_at, retired_by"

// JudgeSigningKey returns the judge's current key; ENotFound when they
// have none (never set, or reset by the organizer).
func (s *Store) JudgeSigningKey(ctx context.Context, judgeID int64) (SigningKey, error) {
	return judgeSigningKey(ctx, s.r, judgeID)
}

func judgeSigningKey(ctx context.Context, q sqlx.QueryerContext, judgeID int64) (SigningKey, error) {
	var k SigningKey
	err := sqlx.GetContext(ctx, q, &k, "SELECT "+signingKeyColumns+" FROM judge_signing_keys WHERE judge_id = ? AND retired_at IS NULL ORDER BY id DESC LIMIT 1", judgeID)
	if errors.Is(err, sql.ErrNoRows) {
		return SigningKey{}, skillscore.Errorf(skillscore.ENotFound, "尚未设置签名密码")
	}
	if err != nil {
		return SigningKey{}, fmt.Errorf("signing key: %w", err)
	}
	return k, nil
}

// JudgeSigningKeys returns the current key of each judge of an event that
// has one, by judge id.
func (s *Store) JudgeSigningKeys(ctx context.Context, eventID int64) (map[int64]SigningKey, error) {
	var ks []SigningKey
	if err := s.r.SelectContext(ctx, &ks, `SELECT k.id, k.judge_id, k.key_id, k.public_key, k.kdf, k.sealed, k.failures,
		k.locked_at, k.created_at, k.retired_at, k.retired_by FROM judge_signing_keys k JOIN judges j ON j.id = k.judge_id
		WHERE j.event_id = ? AND k.retired_at IS NULL`, eventID); err != nil {
		return nil, fmt.Errorf("signing keys: %w", err)
	}
	out := make(map[int64]SigningKey, len(ks))
	for _, k := range ks {
		out[k.JudgeID] = k
	}
	return out, nil
}

// SetJudgeSigningKey stores a judge's new key; EConflict when they have
// one already (a second tablet set one first). Audited with the key's
// fingerprint.
func (s *Store) SetJudgeSigningKey(ctx context.Context, judgeID int64, k signkeys.Sealed, actor string) (SigningKey, error) {
	var out SigningKey
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		j, err := lockJudge(ctx, tx, judgeID)
		if err != nil {
			return err
		}
		if _, err := judgeSigningKey(ctx, tx, judgeID); err == nil {
			return skillscore.Errorf(skillscore.EConflict, "您已设置签名密码，请直接用它提交评分表")
		} else if skillscore.ErrorCode(err) != skillscore.ENotFound {
			return err
		}
		now := s.now()
		if _, err := tx.ExecContext(ctx, `INSERT INTO judge_signing_keys (judge_id, key_id, public_key, kdf, sealed, failures, created_at)
			VALUES (?, ?, ?, ?, ?, 0, ?)`, judgeID, k.KeyID, hex.EncodeToString(k.PublicKey), k.KDF, k.Sealed, micros(now)); err != nil {
			return fmt.Errorf("store signing key: %w", err)
		}
		if out, err = judgeSigningKey(ctx, tx, judgeID); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, &j.EventID, actor, "judge.signing_key_set", j.Code, map[string]any{"key_id": k.KeyID}, now)
	})
	return out, err
}

// lockJudge reads a judge's row and locks it (InnoDB; SQLite's write
// transaction holds the lock already), so two tablets of one judge setting
// a key at once take turns.
func lockJudge(ctx context.Context, tx *sqlx.Tx, judgeID int64) (Judge, error) {
	if _, err := tx.ExecContext(ctx, "UPDATE judges SET id = id WHERE id = ?", judgeID); err != nil {
		return Judge{}, fmt.Errorf("lock judge: %w", err)
	}
	var j Judge
	if err := tx.GetContext(ctx, &j, "SELECT * FROM judges WHERE id = ?", judgeID); errors.Is(err, sql.ErrNoRows) {
		return Judge{}, skillscore.Errorf(skillscore.ENotFound, "裁判不存在")
	} else if err != nil {
		return Judge{}, fmt.Errorf("load judge: %w", err)
	}
	return j, nil
}

// SigningKeyFailed counts a wrong secret against a key and returns the key
// as it now is: at signkeys.MaxFailures in a row it locks, until the
// organizer resets it. Each wrong secret is audited.
func (s *Store) SigningKeyFailed(ctx context.Context, keyRef int64, actor string) (SigningKey, error) {
	var k SigningKey
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		now := s.now()
		if _, err := tx.ExecContext(ctx, "UPDATE judge_signing_keys SET failures = failures + 1 WHERE id = ? AND retired_at IS NULL", keyRef); err != nil {
			return fmt.Errorf("count failure: %w", err)
		}
		if err := tx.GetContext(ctx, &k, "SELECT "+signingKeyColumns+" FROM judge_signing_keys WHERE id = ?", keyRef); errors.Is(err, sql.ErrNoRows) {
			return skillscore.Errorf(skillscore.ENotFound, "签名密钥不存在")
		} else if err != nil {
			return fmt.Errorf("load signing key: %w", err)
		}
		action := "judge.signing_pin_failed"
		if k.Failures >= signkeys.MaxFailures && !k.Locked() {
			if _, err := tx.ExecContext(ctx, "UPDATE judge_signing_keys SET locked_at = ? WHERE id = ?", micros(now), keyRef); err != nil {
				return fmt.Errorf("lock key: %w", err)
			}
			k.LockedAt = Time{now}
			action = "judge.signing_key_locked"
		}
		var j Judge
		if err := tx.GetContext(ctx, &j, "SELECT * FROM judges WHERE id = ?", k.JudgeID); err != nil {
			return fmt.Errorf("load judge: %w", err)
		}
		return s.appendAudit(ctx, tx, &j.EventID, actor, action, j.Code, map[string]any{"key_id": k.KeyID, "failures": k.Failures}, now)
	})
	return k, err
}

// SigningKeyGood clears the count of wrong secrets after a right one.
func (s *Store) SigningKeyGood(ctx context.Context, keyRef int64) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE judge_signing_keys SET failures = 0 WHERE id = ? AND locked_at IS NULL", keyRef)
		return err
	})
}

// ResetJudgeSigningKey retires a judge's key (forgotten or locked), with a
// reason: the judge must set a new one before signing again. The old key
// is kept, so what it signed stays verifiable. Audited; ENotFound when the
// judge has no key.
func (s *Store) ResetJudgeSigningKey(ctx context.Context, eventID, judgeID int64, reason, actor string) error {
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > 200 {
		return skillscore.Errorf(skillscore.EInvalid, "请填写重置原因（1–200 字）")
	}
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		j, err := lockJudge(ctx, tx, judgeID)
		if err != nil {
			return err
		}
		if j.EventID != eventID {
			return skillscore.Errorf(skillscore.ENotFound, "裁判不存在")
		}
		k, err := judgeSigningKey(ctx, tx, judgeID)
		if err != nil {
			return skillscore.Errorf(skillscore.ENotFound, "该裁判尚未设置签名密码，无需重置")
		}
		now := s.now()
		if _, err := tx.ExecContext(ctx, "UPDATE judge_signing_keys SET retired_at = ?, retired_by = ? WHERE id = ?", micros(now), clipActor(actor), k.Ref); err != nil {
			return fmt.Errorf("retire key: %w", err)
		}
		return s.appendAudit(ctx, tx, &j.EventID, actor, "judge.signing_key_reset", j.Code,
			map[string]any{"key_id": k.KeyID, "reason": reason, "failures": k.Failures, "locked": k.Locked()}, now)
	})
}

func clipActor(a string) string {
	if len(a) > 100 {
		return a[:100]
	}
	return a
}

// JudgeSigningRequired reports whether the event's judges must sign with
// their own key (no setting: not required).
func (s *Store) JudgeSigningRequired(ctx context.Context, eventID int64) (bool, error) {
	var req int
	err := s.r.GetContext(ctx, &req, "SELECT required FROM judge_signing_settings WHERE event_id = ?", eventID)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("signing setting: %w", err)
	}
	return req != 0, nil
}

// SetJudgeSigningRequired sets whether the event's judges must sign with
// their own key. Audited.
func (s *Store) SetJudgeSigningRequired(ctx context.Context, eventID int64, required bool, actor string) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		now := s.now()
		v := 0
		if required {
			v = 1
		}
		res, err := tx.ExecContext(ctx, "UPDATE judge_signing_settings SET required = ?, updated_at = ?, updated_by = ? WHERE event_id = ?",
			v, micros(now), clipActor(actor), eventID)
		if err != nil {
			return fmt.Errorf("signing setting: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			var exists int
			if err := tx.GetContext(ctx, &exists, "SELECT COUNT(*) FROM events WHERE id = ?", eventID); err != nil {
				return err
			}
			if exists == 0 {
				return skillscore.Errorf(skillscore.ENotFound, "赛事不存在")
			}
			// MySQL reports 0 rows affected when the row holds these values
			// already; the insert then meets the primary key, which is fine.
			if _, err := tx.ExecContext(ctx, "INSERT INTO judge_signing_settings (event_id, required, updated_at, updated_by) VALUES (?, ?, ?, ?)",
				eventID, v, micros(now), clipActor(actor)); err != nil && !isUniqueViolation(err) {
				return fmt.Errorf("signing setting: %w", err)
			}
		}
		return s.appendAudit(ctx, tx, &eventID, actor, "event.judge_signing", "", map[string]any{"required": required}, now)
	})
}

// sheetContent reads a sheet's canonical content as it is stored now.
func sheetContent(ctx context.Context, q execer, sheetID int64) (signkeys.Sheet, error) {
	var h struct {
		ID          int64   `db:"id"`
		SubmittedAt Time    `db:"submitted_at"`
		Event       string  `db:"event"`
		Module      string  `db:"module"`
		Contestant  *string `db:"contestant"`
		Judge       string  `db:"judge"`
	}
	if err := q.GetContext(ctx, &h, `SELECT sh.id, sh.submitted_at, e.code AS event, m.code AS module, c.code AS contestant, j.code AS judge
		FROM sheets sh JOIN modules m ON m.id = sh.module_id JOIN events e ON e.id = m.event_id
		JOIN contestants c ON c.id = sh.contestant_id JOIN judges j ON j.id = sh.judge_id WHERE sh.id = ?`, sheetID); errors.Is(err, sql.ErrNoRows) {
		return signkeys.Sheet{}, skillscore.Errorf(skillscore.ENotFound, "评分表不存在")
	} else if err != nil {
		return signkeys.Sheet{}, fmt.Errorf("sheet content: %w", err)
	}
	var marks []struct {
		Aspect     string `db:"aspect"`
		Value      int64  `db:"value"`
		Multiplier int64  `db:"multiplier"`
	}
	if err := q.SelectContext(ctx, &marks, `SELECT a.code AS aspect, mk.value, mk.multiplier FROM marks mk
		JOIN aspects a ON a.id = mk.aspect_id WHERE mk.sheet_id = ?`, sheetID); err != nil {
		return signkeys.Sheet{}, fmt.Errorf("sheet marks: %w", err)
	}
	c := signkeys.Sheet{SheetID: h.ID, Event: h.Event, Module: h.Module, Judge: h.Judge, SubmittedAt: h.SubmittedAt.Time}
	if h.Contestant != nil {
		c.Contestant = *h.Contestant
	}
	for _, m := range marks {
		c.Marks = append(c.Marks, signkeys.Mark{Aspect: m.Aspect, Value: m.Value, Multiplier: m.Multiplier})
	}
	slices.SortFunc(c.Marks, func(a, b signkeys.Mark) int { return strings.Compare(a.Aspect, b.Aspect) })
	return c, nil
}

// recordSignature records how a sheet just submitted was signed: with the
// judge's own key (op.SignWith) or, from a tablet without one, the login
// card's PIN (digest only). A scorekeeper's transcription of a paper sheet
// records nothing: the paper carries the signature.
func recordSignature(ctx context.Context, tx execer, op SheetOp, sheetID int64, at time.Time) error {
	if op.SignWith == nil && op.Device == "" {
		return nil
	}
	c, err := sheetContent(ctx, tx, sheetID)
	if err != nil {
		return err
	}
	method, sig := signkeys.MethodCardPIN, ""
	var ref *int64
	if op.SignWith != nil {
		method, sig, ref = signkeys.MethodOwnKey, hex.EncodeToString(signkeys.Sign(op.SignWith.Key, c)), &op.SignWith.KeyRef
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO sheet_signatures (sheet_id, judge_id, method, key_ref, digest, signature, signed_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, sheetID, op.JudgeID, method, ref, c.Digest(), sig, micros(at)); err != nil {
		return fmt.Errorf("record signature: %w", err)
	}
	return nil
}

// SheetSigning is how a sheet's latest submission was signed, for the
// paper trail's PDFs: Method is signkeys.MethodOwnKey, signkeys.MethodCardPIN,
// or "" when no signature is recorded (a paper sheet transcribed by the
// score office, or a sheet never submitted).
type SheetSigning struct {
	Method   string
	SignedAt time.Time
	Digest   string // hex SHA-256 of the canonical content
	KeyID    string // the judge key's fingerprint (own key only)
}

// DigestPrefix is the first 16 hex digits of the digest, printable on a
// sheet.
func (g SheetSigning) DigestPrefix() string {
	if len(g.Digest) < 16 {
		return g.Digest
	}
	return g.Digest[:16]
}

// Describe says in Chinese what the signature proves, for a PDF line.
func (g SheetSigning) Describe() string {
	switch g.Method {
	case signkeys.MethodOwnKey:
		return "裁判本人签名密码电子签名（密钥 " + g.KeyID + "）"
	case signkeys.MethodCardPIN:
		return "登录卡 PIN 确认（组织者知悉该 PIN，仅为弱证据）"
	}
	return "无电子签名（以纸质签名为准）"
}

type sheetSignatureRow struct {
	ID        int64   `db:"id"`
	SheetID   int64   `db:"sheet_id"`
	Method    string  `db:"method"`
	Digest    string  `db:"digest"`
	Signature string  `db:"signature"`
	SignedAt  Time    `db:"signed_at"`
	KeyID     *string `db:"key_id"`
	PublicKey *string `db:"public_key"`
}

func latestSignature(ctx context.Context, q sqlx.QueryerContext, sheetID int64) (sheetSignatureRow, bool, error) {
	var r sheetSignatureRow
	err := sqlx.GetContext(ctx, q, &r, `SELECT g.id, g.sheet_id, g.method, g.digest, g.signature, g.signed_at, k.key_id, k.public_key
		FROM sheet_signatures g LEFT JOIN judge_signing_keys k ON k.id = g.key_ref
		WHERE g.sheet_id = ? ORDER BY g.id DESC LIMIT 1`, sheetID)
	if errors.Is(err, sql.ErrNoRows) {
		return r, false, nil
	}
	if err != nil {
		return r, false, fmt.Errorf("sheet signature: %w", err)
	}
	return r, true, nil
}

// SheetSigning says how a sheet's latest submission was signed (method,
// time, digest, key); Method "" when none is recorded.
func (s *Store) SheetSigning(ctx context.Context, sheetID int64) (SheetSigning, error) {
	r, ok, err := latestSignature(ctx, s.r, sheetID)
	if err != nil || !ok {
		return SheetSigning{}, err
	}
	g := SheetSigning{Method: r.Method, SignedAt: r.SignedAt.Time, Digest: r.Digest}
	if r.KeyID != nil {
		g.KeyID = *r.KeyID
	}
	return g, nil
}

// SheetVerification is VerifySheet's answer.
type SheetVerification struct {
	SheetSigning
	// OK: the sheet as stored now is what was signed (own key: the
	// signature checks with the judge's public key; card PIN: the digest
	// matches, which proves no signer).
	OK     bool
	Reason string // why not, in Chinese
}

// VerifySheet checks a sheet as stored now against its latest signature:
// any change of a mark, of the submission time or of the codes since the
// signature makes it fail. ENotFound when no signature is recorded.
func (s *Store) VerifySheet(ctx context.Context, sheetID int64) (SheetVerification, error) {
	r, ok, err := latestSignature(ctx, s.r, sheetID)
	if err != nil {
		return SheetVerification{}, err
	}
	if !ok {
		return SheetVerification{}, skillscore.Errorf(skillscore.ENotFound, "该评分表没有电子签名记录")
	}
	g, err := s.SheetSigning(ctx, sheetID)
	if err != nil {
		return SheetVerification{}, err
	}
	v := SheetVerification{SheetSigning: g}
	c, err := sheetContent(ctx, s.r, sheetID)
	if err != nil {
		return v, err
	}
	switch {
	case !c.SubmittedAt.Equal(r.SignedAt.Time):
		v.Reason = "评分表在签名后被重新开放或再次提交，当前内容未经此签名"
	case c.Digest() != r.Digest:
		v.Reason = "评分表内容与签名时不一致（评分被改动）"
	case r.Method == signkeys.MethodOwnKey:
		pub, err1 := hex.DecodeString(deref(r.PublicKey))
		sig, err2 := hex.DecodeString(r.Signature)
		if err1 != nil || err2 != nil || !signkeys.Verify(pub, c, sig) {
			v.Reason = "签名无效：与裁判的公钥不符"
			break
		}
		v.OK = true
	default:
		v.OK = true
	}
	return v, nil
}

// SheetSignings is SheetSigning for every signed sheet of an event, by
// sheet id, in one query: for a module's batch of 评分记录表.
func (s *Store) SheetSignings(ctx context.Context, eventID int64) (map[int64]SheetSigning, error) {
	var rows []sheetSignatureRow
	if err := s.r.SelectContext(ctx, &rows, `SELECT g.id, g.sheet_id, g.method, g.digest, g.signature, g.signed_at, k.key_id, k.public_key
		FROM sheet_signatures g JOIN sheets sh ON sh.id = g.sheet_id JOIN modules m ON m.id = sh.module_id
		LEFT JOIN judge_signing_keys k ON k.id = g.key_ref WHERE m.event_id = ? ORDER BY g.id`, eventID); err != nil {
		return nil, fmt.Errorf("sheet signatures: %w", err)
	}
	out := make(map[int64]SheetSigning, len(rows))
	for _, r := range rows { // in id order: the latest of each sheet wins
		g := SheetSigning{Method: r.Method, SignedAt: r.SignedAt.Time, Digest: r.Digest}
		if r.KeyID != nil {
			g.KeyID = *r.KeyID
		}
		out[r.SheetID] = g
	}
	return out, nil
}
