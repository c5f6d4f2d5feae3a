package main

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"skillscore/internal/testenv"
	"skillscore/store"
)

// drawEvent makes a database with a practical module and three contestants.
func drawEvent(t *testing.T) (db string, st *store.Store, ev store.Event, mod store.Module) {
	t.Helper()
	ctx := context.Background()
	db = "sqlite:" + filepath.Join(t.TempDir(), "draw.db")
	st, err := store.Open(ctx, db, store.Options{Keys: testenv.Keys(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ev, err = st.CreateEvent(ctx, store.NewEvent{
		Event: store.Event{Code: "jx-draw", Name: "江西省养老护理员职业技能竞赛", Kind: "competition", Occupation: "养老护理员",
			Year: 2026, Rules: `{"modules":[]}`},
		Groups: []store.Group{{Code: "employee", Name: "职工组"}},
		Modules: []store.Module{{Code: "A", Name: "生活照护", Kind: "practical", Weight: 1000000, MaxMarks: 1000000,
			Aspects: []store.Aspect{{Code: "A1", Name: "沟通评估", Kind: "judgement", MaxMarks: 100000}}}},
	}, "tester")
	if err != nil {
		t.Fatal(err)
	}
	var cs []store.Contestant
	for i, name := range []string{"李秀英", "王建华", "张丽"} {
		cs = append(cs, store.Contestant{Name: name, Gender: "女", IDType: "居民身份证", IDNumber: cliID(t, i+1),
			Organization: "南昌市社会福利院", City: "南昌", GroupCode: "employee"})
	}
	if _, err := st.AddContestants(ctx, ev.ID, cs, "tester"); err != nil {
		t.Fatal(err)
	}
	mods, err := st.Modules(ctx, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	return db, st, ev, mods[0]
}

func codesOf(t *testing.T, st *store.Store, eventID int64) map[string]string {
	t.Helper()
	cs, err := st.Contestants(context.Background(), eventID)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, c := range cs {
		out[c.IDNumber] = *c.Code + "/" + *c.Station
	}
	return out
}

func TestDrawAndDecryptCommands(t *testing.T) {
	bin := binary(t)
	const seed = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"
	db1, st1, ev1, mod := drawEvent(t)
	db2, st2, ev2, _ := drawEvent(t)
	sheet := filepath.Join(t.TempDir(), "sheet.pdf")
	out, err := exec.Command(bin, "draw", "--db", db1, "--event", "jx-draw", "--seed", seed, "--sheet", sheet, "--by", "组织者").CombinedOutput()
	if err != nil || !strings.Contains(string(out), seed) {
		t.Fatalf("draw: %v\n%s", err, out)
	}
	if out, err := exec.Command(bin, "draw", "--db", db2, "--event", "jx-draw", "--seed", seed).CombinedOutput(); err != nil {
		t.Fatalf("draw 2: %v\n%s", err, out)
	}
	a, b := codesOf(t, st1, ev1.ID), codesOf(t, st2, ev2.ID)
	if len(a) != 3 || len(b) != 3 {
		t.Fatalf("draws: %v %v", a, b)
	}
	for id, v := range a {
		if b[id] != v {
			t.Fatalf("same seed, different draws for %s: %s vs %s", id, v, b[id])
		}
	}
	text, err := exec.Command("pdftotext", "-layout", sheet, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	for _, want := range []string{"抽签结果表", "李秀英", "南昌市社会福利院", seed[:32], "监督员"} {
		if !strings.Contains(string(text), want) {
			t.Errorf("sheet lacks %q:\n%s", want, text)
		}
	}

	runFail(t, exec.Command(bin, "draw", "--db", db1, "--event", "jx-draw", "--seed", "xyz"), "十六进制")
	runFail(t, exec.Command(bin, "decrypt", "--db", db1, "--event", "jx-draw"), "生活照护")
	if err := st1.SignOffModule(context.Background(), ev1.ID, mod.ID, 1, "chief"); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "decrypt", "--db", db1, "--event", "jx-draw", "--by", "组织者").CombinedOutput(); err != nil ||
		!strings.Contains(string(out), "已于") {
		t.Fatalf("decrypt: %v\n%s", err, out)
	}
	runFail(t, exec.Command(bin, "decrypt", "--db", db1, "--event", "jx-draw"), "已解密")
	runFail(t, exec.Command(bin, "draw", "--db", db1, "--event", "jx-draw", "--layer", "2"), "已解密")
	// The sealed sheet can still be printed again after decryption.
	again := filepath.Join(t.TempDir(), "again.pdf")
	if out, err := exec.Command(bin, "draw", "--db", db1, "--event", "jx-draw", "--print-only", "--sheet", again).CombinedOutput(); err != nil ||
		!strings.Contains(string(out), "3 名选手") {
		t.Fatalf("reprint: %v %s", err, out)
	}
}
