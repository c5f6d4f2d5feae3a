package sheets_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"skillscore/internal/testenv"
	"skillscore/signkeys"
	"skillscore/store"
)

// submitOpen marks every aspect of a practical sheet not yet submitted
// (open, or assigned and not begun) and submits it as its judge: with the
// judge's own key (signer) or from a bound tablet (device: the login
// card's PIN). It returns the sheet.
func submitOpen(t *testing.T, st *store.Store, ev store.Event, skip int64, sign func(judgeID int64) (*store.SheetSigner, string)) store.Sheet {
	t.Helper()
	ctx := context.Background()
	snap, err := st.Snapshot(ctx, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	mods := map[int64]store.Module{}
	for _, m := range snap.Modules {
		mods[m.ID] = m
	}
	all, err := st.Sheets(ctx, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	done := map[[3]int64]bool{}
	for _, sh := range all {
		done[[3]int64{sh.ModuleID, sh.ContestantID, sh.JudgeID}] = sh.Status != "open"
	}
	as, err := st.Assignments(ctx, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range as {
		mod := mods[a.ModuleID]
		if done[[3]int64{a.ModuleID, a.ContestantID, a.JudgeID}] || a.JudgeID == skip || mod.Kind != "practical" {
			continue
		}
		signer, device := sign(a.JudgeID)
		actor := fmt.Sprintf("judge:%d", a.JudgeID)
		base := store.SheetOp{EventID: ev.ID, ModuleID: mod.ID, ContestantID: a.ContestantID, JudgeID: a.JudgeID, Actor: actor, Subject: "x", Device: device}
		var ops []store.SheetOp
		for i, asp := range mod.Aspects {
			o := base
			o.OpID, o.Kind, o.AspectID, o.Value = fmt.Sprintf("sig-%d-%d-%d", a.ModuleID, a.ContestantID, i), store.OpMark, asp.ID, 0
			ops = append(ops, o)
		}
		sub := base
		sub.OpID, sub.Kind, sub.SignWith = fmt.Sprintf("sig-%d-%d-submit", a.ModuleID, a.ContestantID), store.OpSubmit, signer
		res, err := st.ApplyOps(ctx, append(ops, sub))
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range res {
			if r.Err != nil {
				t.Fatalf("assignment %+v op %d: %v", a, i, r.Err)
			}
		}
		all, err := st.Sheets(ctx, ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, sh := range all {
			if sh.ModuleID == a.ModuleID && sh.ContestantID == a.ContestantID && sh.JudgeID == a.JudgeID {
				return sh
			}
		}
	}
	t.Fatal("the demo has no practical sheet left to submit")
	return store.Sheet{}
}

// TestFilledScoreSheetsSayHowSigned: read back from the PDF, a sheet
// submitted with the judge's own signing key says so, with the key's
// fingerprint, the content digest's prefix and "签名有效"; a sheet
// submitted from a tablet with the login card's PIN keeps the card's
// wording (weak evidence) and names no key.
func TestFilledScoreSheetsSayHowSigned(t *testing.T) {
	st, ev := testenv.Demo(t)
	ctx := context.Background()
	var keyID string
	keyed := submitOpen(t, st, ev, 0, func(judgeID int64) (*store.SheetSigner, string) {
		sealed, err := signkeys.New("482913")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.SetJudgeSigningKey(ctx, judgeID, sealed, fmt.Sprintf("judge:%d", judgeID)); err != nil {
			t.Fatal(err)
		}
		k, err := st.JudgeSigningKey(ctx, judgeID)
		if err != nil {
			t.Fatal(err)
		}
		sl, err := k.Sealed()
		if err != nil {
			t.Fatal(err)
		}
		priv, err := signkeys.Open(sl, "482913")
		if err != nil {
			t.Fatal(err)
		}
		keyID = k.KeyID
		return &store.SheetSigner{KeyRef: k.Ref, Key: priv}, ""
	})
	carded := submitOpen(t, st, ev, keyed.JudgeID, func(judgeID int64) (*store.SheetSigner, string) {
		tk, err := st.IssueTicket(ctx, store.JudgeTicket{JudgeID: judgeID, TicketHash: "t-sig", PINHash: "x",
			ExpiresAt: store.Time{Time: time.Now().Add(time.Hour)}}, "org")
		if err != nil {
			t.Fatal(err)
		}
		if err := st.RedeemTicket(ctx, tk.ID, store.JudgeDevice{TokenHash: "device-sig", JudgeID: judgeID, TicketID: tk.ID,
			Label: "test", CreatedAt: store.Time{Time: time.Now()}}); err != nil {
			t.Fatal(err)
		}
		return nil, "device-sig"
	})
	g, err := st.SheetSigning(ctx, keyed.ID)
	if err != nil || g.Method != signkeys.MethodOwnKey || keyID == "" || g.KeyID != keyID {
		t.Fatalf("keyed sheet's signing: %+v %v", g, err)
	}
	if g, err := st.SheetSigning(ctx, carded.ID); err != nil || g.Method != signkeys.MethodCardPIN {
		t.Fatalf("carded sheet's signing: %+v %v", g, err)
	}

	d := records(t, st, ev)
	for _, c := range []struct {
		sheet     store.Sheet
		want, not []string
	}{
		{keyed, []string{"签名方式：", "本人设置的签名密码", keyID, g.DigestPrefix(), "签名有效"}, []string{"登录卡 PIN", "签名与当前内容不符"}},
		{carded, []string{"签名方式：", "登录卡 PIN", "不是本人专有的电子签名"}, []string{"签名有效", "密钥指纹"}},
	} {
		q, err := d.SheetQuery(c.sheet.ID)
		if err != nil {
			t.Fatal(err)
		}
		ss, err := d.ScoreSheets(q)
		if err != nil || len(ss) != 1 {
			t.Fatalf("sheet %d: %d sheets, %v", c.sheet.ID, len(ss), err)
		}
		// pdftotext may break the line anywhere: compare without
		// whitespace.
		page := strings.Join(strings.Fields(write(t, ss)[0]), "")
		for _, w := range c.want {
			if !strings.Contains(page, strings.Join(strings.Fields(w), "")) {
				t.Errorf("sheet %d lacks %q:\n%s", c.sheet.ID, w, page)
			}
		}
		for _, w := range c.not {
			if strings.Contains(page, strings.Join(strings.Fields(w), "")) {
				t.Errorf("sheet %d shows %q", c.sheet.ID, w)
			}
		}
	}
}
