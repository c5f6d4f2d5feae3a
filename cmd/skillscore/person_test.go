package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"skillscore/certificates"
	"skillscore/demo"
	"skillscore/internal/testenv"
	"skillscore/person"
	"skillscore/store"
)

// TestPersonCommands runs `skillscore person export` and `person correct`
// on the demo event with its certificates issued: the export is the
// person's, readable by its owner only and audited; a correction of a
// certificate holder needs the signing key, then re-issues, and the old QR
// token verifies as replaced.
func TestPersonCommands(t *testing.T) {
	bin := binary(t)
	ctx := context.Background()
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "p.db")
	keys := filepath.Join(dir, "keys")
	if _, err := certificates.GenerateKey(keys, time.Now()); err != nil {
		t.Fatal(err)
	}
	kr, err := certificates.LoadKeyring(keys)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, db, store.Options{Keys: testenv.Keys(t)})
	if err != nil {
		t.Fatal(err)
	}
	ev, err := demo.Create(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := certificates.New(certificates.Config{Store: st, Numbering: certificates.Numbering{Letter: "S", BodyCode: "0000", Province: "36", BodySerial: "000001"}, Keys: kr})
	if err != nil {
		t.Fatal(err)
	}
	res, err := svc.Issue(ctx, ev.ID, "organizer")
	if err != nil || len(res.Certificates) == 0 {
		t.Fatalf("issue: %v", err)
	}
	cert := res.Certificates[0]
	holder, err := st.Contestant(ctx, ev.ID, cert.ContestantID)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()

	out := filepath.Join(dir, "本人.json")
	cmd := exec.Command(bin, "person", "export", "--db", db, "--id", "-", "--name", holder.Name, "--reason", "查阅申请 2026-015",
		"--out", out, "--by", "张组织")
	cmd.Stdin = strings.NewReader(strings.ToLower(holder.IDNumber) + "\n")
	if msg, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(msg), "已导出") {
		t.Fatalf("person export: %v %s", err, msg)
	}
	fi, err := os.Stat(out)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("export file: %v %v", fi, err)
	}
	raw, _ := os.ReadFile(out)
	var x person.Export
	if err := json.Unmarshal(raw, &x); err != nil || len(x.Contestants) != 1 || x.Contestants[0].IDNumber != holder.IDNumber ||
		len(x.Certificates) == 0 {
		t.Fatalf("export %v %s", err, raw)
	}
	cmd = exec.Command(bin, "person", "export", "--db", db, "--id", holder.IDNumber, "--name", "查无此人", "--reason", "r",
		"--out", filepath.Join(dir, "none.json"))
	runFail(t, cmd, "没有找到证件号码与姓名都相符的人员")

	// Without the signing key a holder's correction is refused whole.
	fix := []string{"person", "correct", "--db", db, "--event", ev.Code, "--id", holder.IDNumber, "--name", holder.Name,
		"--new-name", "张更正", "--reason", "报名表录入错误"}
	runFail(t, exec.Command(bin, fix...), "没有可用的签名私钥")
	msg, err := exec.Command(bin, append(fix, "--keys", keys)...).CombinedOutput()
	if err != nil || !strings.Contains(string(msg), "已更正选手 "+strconv.FormatInt(holder.ID, 10)+" 的姓名") ||
		!strings.Contains(string(msg), cert.Number) {
		t.Fatalf("person correct: %v %s", err, msg)
	}
	if strings.Contains(string(msg), holder.IDNumber) || strings.Contains(string(msg), holder.Name) {
		t.Errorf("the output repeats personal data: %s", msg)
	}

	st, err = store.Open(ctx, db, store.Options{Keys: testenv.Keys(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc, err = certificates.New(certificates.Config{Store: st, Numbering: certificates.Numbering{Letter: "S", BodyCode: "0000", Province: "36", BodySerial: "000001"}, Keys: kr})
	if err != nil {
		t.Fatal(err)
	}
	v, err := svc.ByToken(ctx, cert.Token)
	if err != nil || v.Status != certificates.StatusReplaced {
		t.Fatalf("old token after the correction: %+v %v", v, err)
	}
	trail, err := st.AuditTrail(ctx, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range trail {
		if strings.HasPrefix(e.Action, "person.") || e.Subject == "subject-access" {
			actions = append(actions, e.Action+"/"+e.Actor)
			if strings.Contains(e.Detail, holder.Name) || strings.Contains(e.Detail, "张更正") || strings.Contains(e.Detail, holder.IDNumber) {
				t.Errorf("audit detail holds personal data: %s", e.Detail)
			}
		}
	}
	if len(actions) != 2 || actions[0] != "personal.export/张组织" || !strings.HasPrefix(actions[1], "person.correct/") {
		t.Errorf("audit %v, want the export by 张组织 and the correction", actions)
	}
}
