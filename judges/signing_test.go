package judges_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"skillscore"
	"skillscore/judges"
	"skillscore/signkeys"
)

// setSecret posts a signing secret for the tablet's judge: the status and
// the error code ("" on success).
func (e *env) setSecret(token, secret string) (int, string, judges.SigningInfo) {
	e.t.Helper()
	body, _ := json.Marshal(judges.SigningKeyRequest{Secret: secret})
	req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/judge/signing-key", strings.NewReader(string(body)))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		judges.SigningInfo
		Error struct{ Code, Message string }
	}
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out.Error.Code, out.SigningInfo
}

// signingEnv mounts the signing-key call beside the protocol.
func signingEnv(t *testing.T) *env {
	e := newEnv(t, judges.Config{})
	mux := http.NewServeMux()
	mux.Handle("/", e.srv.Config.Handler)
	mux.HandleFunc("POST /api/v1/judge/signing-key", func(w http.ResponseWriter, r *http.Request) {
		e.svc.ServeSigningKey(w, r, "10.0.0.1", func(err error) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(map[string]int{skillscore.EInvalid: 400, skillscore.EConflict: 409, skillscore.EUnauthorized: 401}[skillscore.ErrorCode(err)])
			json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": skillscore.ErrorCode(err), "message": skillscore.ErrorMessage(err)}})
		})
	})
	e.srv.Config.Handler = mux
	return e
}

func (e *env) sheetOf(judgeID int64, code string) int64 {
	e.t.Helper()
	ctx := context.Background()
	cs, _ := e.st.Contestants(ctx, e.ev.ID)
	sheets, _ := e.st.JudgeSheets(ctx, judgeID)
	for _, c := range cs {
		if c.Code == nil || *c.Code != code {
			continue
		}
		for _, sh := range sheets {
			if sh.ContestantID == c.ID && sh.ModuleID == e.mods["A"].ID {
				return sh.ID
			}
		}
	}
	e.t.Fatalf("no sheet of %s", code)
	return 0
}

// TestOwnSigningKeyFromSetToLockout: a judge sets their own signing PIN
// (not the card's, not a trivial one), submits with it (the card PIN no
// longer signs), the store's signature verifies; five wrong PINs lock the
// key, the organizer's reset asks for a new one. Existing sheets keep
// their signatures.
func TestOwnSigningKeyFromSetToLockout(t *testing.T) {
	e := signingEnv(t)
	ctx := context.Background()
	tok, cardPIN := e.login(e.judge)
	c := e.dial()
	if w := c.hello(tok); w.Signing.Set || w.Signing.Required {
		t.Fatalf("welcome before any key: %+v", w.Signing)
	}
	for _, bad := range []string{"12345", "111111", "123456", cardPIN, "abc", strings.Repeat("很", 65)} {
		if st, code, _ := e.setSecret(tok, bad); st != 400 || code != skillscore.EInvalid {
			t.Errorf("secret %q: %d %s", bad, st, code)
		}
	}
	if st, code, _ := e.setSecret("not-a-token", "583920"); code != skillscore.EUnauthorized {
		t.Fatalf("set without a login: %d %s", st, code)
	}
	st, code, info := e.setSecret(tok, "583920")
	if st != 200 || !info.Set || info.KeyID == "" {
		t.Fatalf("set: %d %s %+v", st, code, info)
	}
	// The tablet is told with a fresh welcome.
	if r := c.recv(); r.Type != "welcome" || !strings.Contains(string(r.raw), `"set":true`) {
		t.Fatalf("after set: %s", r.raw)
	}
	if st, code, _ := e.setSecret(tok, "771903"); st != 409 || code != skillscore.EConflict {
		t.Fatalf("second set: %d %s", st, code)
	}

	// The card PIN no longer signs; the own PIN does.
	code0 := e.codes[0]
	c.send(map[string]any{"type": "submit", "op": "s1", "contestant": code0, "module": "A", "pin": cardPIN})
	if r := c.recv(); r.Type != "reject" || r.Code != skillscore.EUnauthorized || !strings.Contains(r.Message, "还可尝试 4 次") {
		t.Fatalf("submit with the card PIN: %s", r.raw)
	}
	c.send(map[string]any{"type": "submit", "op": "s2", "contestant": code0, "module": "A", "pin": "583920"})
	if r := c.recv(); r.Type != "ack" {
		t.Fatalf("submit with the own PIN: %s", r.raw)
	}
	// A resend (ack lost) is a duplicate, signed once.
	c.send(map[string]any{"type": "submit", "op": "s2", "contestant": code0, "module": "A", "pin": "583920"})
	if r := c.recv(); r.Type != "ack" || !r.Dup {
		t.Fatalf("resent submit: %s", r.raw)
	}
	sheet0 := e.sheetOf(e.judge.ID, code0)
	v, err := e.st.VerifySheet(ctx, sheet0)
	if err != nil || !v.OK || v.Method != signkeys.MethodOwnKey || v.KeyID != info.KeyID {
		t.Fatalf("verify: %+v %v", v, err)
	}
	k, _ := e.st.JudgeSigningKey(ctx, e.judge.ID)
	if k.Failures != 0 {
		t.Errorf("a right PIN left %d failures counted", k.Failures)
	}

	// Five wrong PINs in a row lock the key; then even the right one is refused.
	code1 := e.codes[1]
	before := e.state()
	for i := 1; i <= signkeys.MaxFailures; i++ {
		c.send(map[string]any{"type": "submit", "op": "w" + string(rune('0'+i)), "contestant": code1, "module": "A", "pin": "000999"})
		r := c.recv()
		if r.Type == "welcome" { // the lock reloads the tablet's view
			r = c.recv()
		}
		if i < signkeys.MaxFailures && (r.Code != skillscore.EUnauthorized || r.Type != "reject") {
			t.Fatalf("wrong PIN %d: %s", i, r.raw)
		}
		if i == signkeys.MaxFailures && (r.Code != skillscore.EForbidden || !strings.Contains(r.Message, "已锁定")) {
			t.Fatalf("fifth wrong PIN: %s", r.raw)
		}
	}
	c.send(map[string]any{"type": "submit", "op": "s3", "contestant": code1, "module": "A", "pin": "583920"})
	r := c.recv()
	if r.Type == "welcome" {
		r = c.recv()
	}
	if r.Code != skillscore.EForbidden {
		t.Fatalf("right PIN on a locked key: %s", r.raw)
	}
	if e.state() != before {
		t.Fatal("refused submits changed data")
	}

	// The organizer resets: the judge sets a new PIN and signs again; the
	// first sheet still verifies under the retired key.
	if err := e.st.ResetJudgeSigningKey(ctx, e.ev.ID, e.judge.ID, "裁判忘记签名密码", "organizer"); err != nil {
		t.Fatal(err)
	}
	c2 := e.dial()
	if w := c2.hello(tok); w.Signing.Set || w.Signing.Locked {
		t.Fatalf("welcome after the reset: %+v", w.Signing)
	}
	if _, code, info2 := e.setSecret(tok, "wo de mi ma 2026"); code != "" || info2.KeyID == info.KeyID {
		t.Fatalf("new key after reset: %s %+v", code, info2)
	}
	c2.send(map[string]any{"type": "submit", "op": "s4", "contestant": code1, "module": "A", "pin": "wo de mi ma 2026"})
	if r := c2.recv(); r.Type != "ack" {
		if r.Type == "welcome" {
			r = c2.recv()
		}
		if r.Type != "ack" {
			t.Fatalf("submit with the new passphrase: %s", r.raw)
		}
	}
	for _, id := range []int64{sheet0, e.sheetOf(e.judge.ID, code1)} {
		if v, err := e.st.VerifySheet(ctx, id); err != nil || !v.OK {
			t.Fatalf("sheet %d after the reset: %+v %v", id, v, err)
		}
	}
}

// TestCardPINSubmissionsAndTheRequiredSetting: without an own key a judge
// submits with the card PIN (recorded as such, digest only) unless the
// event requires an own key, which refuses the submit and stores nothing.
func TestCardPINSubmissionsAndTheRequiredSetting(t *testing.T) {
	e := signingEnv(t)
	ctx := context.Background()
	tok, cardPIN := e.login(e.judge)
	c := e.dial()
	c.hello(tok)
	c.send(map[string]any{"type": "submit", "op": "s1", "contestant": e.codes[0], "module": "A", "pin": cardPIN})
	if r := c.recv(); r.Type != "ack" {
		t.Fatalf("card PIN submit: %s", r.raw)
	}
	g, err := e.st.SheetSigning(ctx, e.sheetOf(e.judge.ID, e.codes[0]))
	if err != nil || g.Method != signkeys.MethodCardPIN || g.KeyID != "" || len(g.Digest) != 64 {
		t.Fatalf("card PIN signing: %+v %v", g, err)
	}

	if err := e.st.SetJudgeSigningRequired(ctx, e.ev.ID, true, "organizer"); err != nil {
		t.Fatal(err)
	}
	c2 := e.dial()
	if w := c2.hello(tok); !w.Signing.Required || w.Signing.Set {
		t.Fatalf("welcome of a required event: %+v", w.Signing)
	}
	before := e.state()
	c2.send(map[string]any{"type": "submit", "op": "s2", "contestant": e.codes[1], "module": "A", "pin": cardPIN})
	if r := c2.recv(); r.Type != "reject" || r.Code != skillscore.EForbidden || !strings.Contains(r.Message, "签名密码") {
		t.Fatalf("card PIN submit where an own key is required: %s", r.raw)
	}
	if e.state() != before {
		t.Fatal("a refused submit changed data")
	}
	// Over HTTP sync the same.
	if _, rs := e.sync(tok, []map[string]any{{"type": "submit", "op": "s3", "contestant": e.codes[1], "module": "A", "pin": cardPIN}}); rs[0].Code != skillscore.EForbidden {
		t.Fatalf("HTTP submit: %+v", rs)
	}
}
