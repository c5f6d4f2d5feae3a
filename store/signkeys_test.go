package store

import (
	"context"
	"strings"
	"testing"

	"skillscore"
	"skillscore/signkeys"
)

// TestJudgeSigningKeys: a judge sets a key, signs a sheet with it, the
// signature verifies until a mark changes; wrong secrets lock the key; the
// organizer's reset retires it (the old signature still verifies) and the
// judge must set a new one. On both databases.
func TestJudgeSigningKeys(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		s := open(Options{})
		ctx := context.Background()
		d := seed(t, s)
		assignAll(t, s, d)
		actor := "judge:1"
		if _, err := s.JudgeSigningKey(ctx, d.judge.ID); skillscore.ErrorCode(err) != skillscore.ENotFound {
			t.Fatalf("a judge without a key: %v", err)
		}
		sealed, err := signkeys.New("482913")
		if err != nil {
			t.Fatal(err)
		}
		k, err := s.SetJudgeSigningKey(ctx, d.judge.ID, sealed, actor)
		if err != nil || k.KeyID != sealed.KeyID || k.Locked() {
			t.Fatalf("set key: %+v %v", k, err)
		}
		other, _ := signkeys.New("735162")
		if _, err := s.SetJudgeSigningKey(ctx, d.judge.ID, other, actor); skillscore.ErrorCode(err) != skillscore.EConflict {
			t.Fatalf("a second key while one is current: %v", err)
		}

		// Sign: the stored key opens with the secret and signs the submission.
		stored, _ := s.JudgeSigningKey(ctx, d.judge.ID)
		sl, err := stored.Sealed()
		if err != nil {
			t.Fatal(err)
		}
		priv, err := signkeys.Open(sl, "482913")
		if err != nil {
			t.Fatal(err)
		}
		base := SheetOp{EventID: d.ev.ID, ModuleID: d.pra.ID, ContestantID: d.cs[0].ID, JudgeID: d.judge.ID, Actor: actor, Subject: "Y001"}
		var ops []SheetOp
		for i, a := range d.pra.Aspects {
			o := base
			o.OpID, o.Kind, o.AspectID, o.Value = "m"+string(rune('a'+i)), OpMark, a.ID, int64(10000*(i+1))
			ops = append(ops, o)
		}
		sub := base
		sub.OpID, sub.Kind, sub.SignWith = "sub1", OpSubmit, &SheetSigner{KeyRef: stored.Ref, Key: priv}
		ops = append(ops, sub)
		res, err := s.ApplyOps(ctx, ops)
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range res {
			if r.Err != nil {
				t.Fatalf("op %d: %v", i, r.Err)
			}
		}
		sheets, _ := s.JudgeSheets(ctx, d.judge.ID)
		var sheetID int64
		for _, sh := range sheets {
			if sh.ContestantID == d.cs[0].ID && sh.ModuleID == d.pra.ID {
				sheetID = sh.ID
			}
		}
		v, err := s.VerifySheet(ctx, sheetID)
		if err != nil || !v.OK || v.Method != signkeys.MethodOwnKey || v.KeyID != sealed.KeyID || len(v.DigestPrefix()) != 16 {
			t.Fatalf("verify a signed sheet: %+v %v", v, err)
		}
		g, _ := s.SheetSigning(ctx, sheetID)
		if g.Method != signkeys.MethodOwnKey || g.SignedAt.IsZero() || !strings.Contains(g.Describe(), sealed.KeyID) {
			t.Fatalf("sheet signing for the PDF: %+v", g)
		}
		if all, err := s.SheetSignings(ctx, d.ev.ID); err != nil || len(all) != 1 || all[sheetID] != g {
			t.Fatalf("the event's sheet signings: %+v %v", all, err)
		}
		var stray int
		if err := s.r.GetContext(ctx, &stray, "SELECT COUNT(*) FROM judge_signing_keys WHERE sealed LIKE '%482913%' OR kdf LIKE '%482913%'"); err != nil || stray != 0 {
			t.Fatalf("the secret appears in the stored key (%d, %v)", stray, err)
		}

		// Lockout: 4 wrong secrets leave it usable, the 5th locks it.
		for i := 1; i <= signkeys.MaxFailures; i++ {
			k, err = s.SigningKeyFailed(ctx, stored.Ref, actor)
			if err != nil {
				t.Fatal(err)
			}
			if k.Failures != i || k.Locked() != (i == signkeys.MaxFailures) {
				t.Fatalf("after %d wrong secrets: failures %d, locked %v", i, k.Failures, k.Locked())
			}
		}
		if err := s.SigningKeyGood(ctx, stored.Ref); err != nil {
			t.Fatal(err)
		}
		if k, _ = s.JudgeSigningKey(ctx, d.judge.ID); !k.Locked() || k.Failures != signkeys.MaxFailures {
			t.Fatalf("a locked key unlocked itself: %+v", k)
		}

		// Reset: a reason is needed; afterwards the judge has no key, the
		// old signature still verifies, and a new key can be set.
		if err := s.ResetJudgeSigningKey(ctx, d.ev.ID, d.judge.ID, " ", "organizer"); skillscore.ErrorCode(err) != skillscore.EInvalid {
			t.Fatalf("reset without a reason: %v", err)
		}
		if err := s.ResetJudgeSigningKey(ctx, d.ev.ID, d.judge.ID, "忘记签名密码", "organizer"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.JudgeSigningKey(ctx, d.judge.ID); skillscore.ErrorCode(err) != skillscore.ENotFound {
			t.Fatalf("a reset key is still current: %v", err)
		}
		if err := s.ResetJudgeSigningKey(ctx, d.ev.ID, d.judge.ID, "再次重置", "organizer"); skillscore.ErrorCode(err) != skillscore.ENotFound {
			t.Fatalf("reset of a judge without a key: %v", err)
		}
		if v, err := s.VerifySheet(ctx, sheetID); err != nil || !v.OK {
			t.Fatalf("a retired key's signature: %+v %v", v, err)
		}
		if _, err := s.SetJudgeSigningKey(ctx, d.judge.ID, other, actor); err != nil {
			t.Fatalf("a new key after the reset: %v", err)
		}

		// Tamper: one mark changed behind the store's back fails the check.
		if _, err := s.w.ExecContext(ctx, "UPDATE marks SET value = value + 1 WHERE sheet_id = ? AND aspect_id = ?", sheetID, d.pra.Aspects[0].ID); err != nil {
			t.Fatal(err)
		}
		if v, err := s.VerifySheet(ctx, sheetID); err != nil || v.OK || !strings.Contains(v.Reason, "不一致") {
			t.Fatalf("verify a changed sheet: %+v %v", v, err)
		}
		if _, err := s.w.ExecContext(ctx, "UPDATE marks SET value = value - 1 WHERE sheet_id = ? AND aspect_id = ?", sheetID, d.pra.Aspects[0].ID); err != nil {
			t.Fatal(err)
		}
		// A forged signature (one byte changed) fails too.
		if _, err := s.w.ExecContext(ctx, "UPDATE sheet_signatures SET signature = ? WHERE sheet_id = ?", strings.Repeat("00", 64), sheetID); err != nil {
			t.Fatal(err)
		}
		if v, err := s.VerifySheet(ctx, sheetID); err != nil || v.OK || !strings.Contains(v.Reason, "签名无效") {
			t.Fatalf("verify a forged signature: %+v %v", v, err)
		}

		// The audit names each step.
		var actions []string
		if err := s.r.SelectContext(ctx, &actions, "SELECT action FROM audit_log WHERE action LIKE 'judge.signing%' ORDER BY id"); err != nil {
			t.Fatal(err)
		}
		want := "judge.signing_key_set judge.signing_pin_failed judge.signing_pin_failed judge.signing_pin_failed judge.signing_pin_failed judge.signing_key_locked judge.signing_key_reset judge.signing_key_set"
		if strings.Join(actions, " ") != want {
			t.Errorf("audit: %v", actions)
		}
		if bad, _, err := s.VerifyAudit(ctx); err != nil || bad != 0 {
			t.Fatalf("audit chain: %d bad, %v", bad, err)
		}
		// A judge removed with their keys takes the signatures along, in
		// whichever order the database cascades.
		if _, err := s.w.ExecContext(ctx, "DELETE FROM judges WHERE id = ?", d.judge.ID); err != nil {
			t.Fatalf("delete a judge with keys and signatures: %v", err)
		}
		var left int
		if err := s.r.GetContext(ctx, &left, "SELECT COUNT(*) FROM sheet_signatures"); err != nil || left != 0 {
			t.Fatalf("%d signatures left after the judge went (%v)", left, err)
		}
	})
}

// TestJudgeSigningSetting: not required without a setting; set and unset,
// audited, on both databases (MySQL's zero-rows-affected update included).
func TestJudgeSigningSetting(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		s := open(Options{})
		ctx := context.Background()
		d := seed(t, s)
		if req, err := s.JudgeSigningRequired(ctx, d.ev.ID); err != nil || req {
			t.Fatalf("default: %v %v", req, err)
		}
		for _, want := range []bool{true, true, false, false, true} {
			if err := s.SetJudgeSigningRequired(ctx, d.ev.ID, want, "organizer"); err != nil {
				t.Fatal(err)
			}
			if req, err := s.JudgeSigningRequired(ctx, d.ev.ID); err != nil || req != want {
				t.Fatalf("after setting %v: %v %v", want, req, err)
			}
		}
		if err := s.SetJudgeSigningRequired(ctx, 999999, true, "organizer"); skillscore.ErrorCode(err) != skillscore.ENotFound {
			t.Fatalf("an unknown event: %v", err)
		}
	})
}
