package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"skillscore"
	"skillscore/live"
)

func TestProgrammeCommands(t *testing.T) {
	ctx := context.Background()
	db, st, ev, _ := drawEvent(t)
	cmd := func(args ...string) (string, error) {
		var out, errOut bytes.Buffer
		err := run(ctx, append(args, "--db", db), &out, &errOut)
		return out.String() + errOut.String(), err
	}
	if out, err := cmd("programme", "new", "--code", "jx-2026", "--name", "江西省第二届职业技能大赛", "--year", "2026"); err != nil ||
		!strings.Contains(out, "已新建大赛") {
		t.Fatalf("new: %v %s", err, out)
	}
	if _, err := cmd("programme", "add-event", "--programme", "jx-2026", "--event", ev.Code); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "代表队.csv")
	if err := os.WriteFile(file, []byte("代码,名称,类别\nnc,南昌市代表队,设区市\njj,九江市代表队,设区市\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// The file comes after the flags, as for the roster import.
	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"programme", "delegations", "import", "--programme", "jx-2026", "--db", db, file}, &out, &errOut); err != nil ||
		!strings.Contains(out.String(), "新增 2 个") {
		t.Fatalf("import: %v %s %s", err, out.String(), errOut.String())
	}
	bad := filepath.Join(t.TempDir(), "bad.csv")
	if err := os.WriteFile(bad, []byte("代码,名称,类别\ngz,赣州市代表队,火星\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := run(ctx, []string{"programme", "delegations", "import", "--programme", "jx-2026", "--db", db, bad}, &out, &errOut)
	if skillscore.ErrorCode(err) != skillscore.EInvalid || !strings.Contains(skillscore.ErrorMessage(err), "第 2 行：代表队 gz 的类别") {
		t.Fatalf("bad kind: %v", err)
	}
	text, err := cmd("programme", "table", "--programme", "jx-2026")
	if err != nil || !strings.Contains(text, "南昌市代表队：暂无获奖") || !strings.Contains(text, "1 个赛项成绩未公示") {
		t.Fatalf("table: %v\n%s", err, text)
	}
	js, err := cmd("programme", "table", "--programme", "jx-2026", "--json")
	var b live.ProgrammeBoard
	if err != nil || json.Unmarshal([]byte(js), &b) != nil || len(b.Table.Rows) != 2 || b.Events[0].Code != ev.Code {
		t.Fatalf("json: %v %s", err, js)
	}
	p, err := st.ProgrammeByCode(ctx, "jx-2026")
	if err != nil {
		t.Fatal(err)
	}
	if ds, err := st.Delegations(ctx, p.ID); err != nil || len(ds) != 2 {
		t.Fatalf("the refused file changed the delegations: %v %v", ds, err)
	}
}
