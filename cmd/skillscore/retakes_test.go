package main

import (
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"skillscore/demo"
	"skillscore/examples"
	"skillscore/internal/testenv"
	"skillscore/scoring"
	"skillscore/store"
)

// TestRetakesCommand: `retakes check` lists who carries what and who is
// refused; --dry-run saves nothing, without it the parts are saved.
func TestRetakesCommand(t *testing.T) {
	bin := binary(t)
	ctx := context.Background()
	db := "sqlite:" + filepath.Join(t.TempDir(), "r.db")
	st, err := store.Open(ctx, db, store.Options{Keys: testenv.Keys(t)})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := examples.Files.ReadFile("assessment-yanglao-technician.json")
	rules, _ := scoring.ParseRules(raw)
	batch := func(code, no, day string, people [][3]string) (store.Event, []store.Contestant, []store.Module) {
		ev, err := st.CreateEvent(ctx, store.NewEvent{Event: store.Event{Code: code, Name: "技师认定 " + no, Kind: "assessment",
			Occupation: "养老护理员", Level: 2, Year: 2026, StartsOn: day, Rules: string(raw)},
			Groups: []store.Group{{Code: "", Name: "考生"}}, Modules: demo.Modules(rules)}, "tester")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.SaveBatch(ctx, store.Batch{EventID: ev.ID, BatchNo: no, PublicityDays: 5, RetakeMonths: 12}, "org"); err != nil {
			t.Fatal(err)
		}
		var in []store.Contestant
		for _, p := range people {
			in = append(in, store.Contestant{Name: p[0], Gender: "女", IDType: "居民身份证", IDNumber: p[1], Level: 3})
		}
		cs, err := st.AddContestants(ctx, ev.ID, in, "tester")
		if err != nil {
			t.Fatal(err)
		}
		var cands []store.Candidate
		for i, c := range cs {
			cands = append(cands, store.Candidate{ContestantID: c.ID, Source: people[i][2]})
		}
		if err := st.SaveCandidates(ctx, ev.ID, cands, "org"); err != nil {
			t.Fatal(err)
		}
		mods, _ := st.Modules(ctx, ev.ID)
		return ev, cs, mods
	}
	early, ecs, emods := batch("jd-2025-10", "2025-KY-07", "2025-10-18", [][3]string{{"李华", "360103199001010028", store.SourceNew}})
	if _, err := st.ImportScores(ctx, early.ID, emods[0].ID, []store.ImportedScore{{ContestantID: ecs[0].ID, ModuleCode: "theory", Value: 780000}}, "理论.xlsx", "org"); err != nil {
		t.Fatal(err)
	}
	for _, m := range emods {
		if !m.Imported {
			if err := st.SignOffModule(ctx, early.ID, m.ID, 0, "chief"); err != nil {
				t.Fatal(err)
			}
		}
	}
	// An assessment's 公示 runs its working days (store/reviews.go): one
	// published in a past week has ended.
	if _, err := st.PublishResults(ctx, early.ID, testenv.PublicityStart, time.Time{}, "org"); err != nil {
		t.Fatal(err)
	}
	if err := st.Finalize(ctx, early.ID, "org"); err != nil {
		t.Fatal(err)
	}
	cur, _, _ := batch("jd-2026-06", "2026-KY-01", "2026-06-10", [][3]string{
		{"李华", "360103199001010028", store.SourceRetake}, {"钱多", "360102198806060047", store.SourceRetake}})
	st.Close()

	retakes := func(args ...string) *exec.Cmd {
		return exec.Command(bin, append([]string{"retakes", "check", "--db", db, "--event", cur.Code, "--by", "张组织"}, args...)...)
	}
	out, err := retakes("--dry-run", "--json").Output()
	if err != nil {
		t.Fatalf("dry run: %v %s", err, out)
	}
	var got retakesOutput
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	if got.Saved || len(got.Found) != 1 || got.Found[0].Name != "李华" || got.Found[0].Carried[0].SourceBatchNo != "2025-KY-07" ||
		len(got.Refused) != 1 || !strings.Contains(got.Refused[0].Reason, "未找到") {
		t.Fatalf("dry run: %s", out)
	}
	count := func() int {
		st, err := store.Open(ctx, db, store.Options{Keys: testenv.Keys(t)})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		parts, err := st.CarriedParts(ctx, cur.ID)
		if err != nil {
			t.Fatal(err)
		}
		return len(parts)
	}
	if n := count(); n != 0 {
		t.Fatalf("--dry-run saved %d parts", n)
	}
	out, err = retakes().Output()
	if err != nil || !strings.Contains(string(out), "可沿用 1 人，不能沿用 1 人") ||
		!strings.Contains(string(out), "沿用  李华") || !strings.Contains(string(out), "理论知识 78 分 合格（沿用 2025-KY-07 批次，2025-10-18），有效期至 2026-10-18") ||
		!strings.Contains(string(out), "已保存沿用记录") {
		t.Fatalf("check: %v\n%s", err, out)
	}
	if n := count(); n != 1 {
		t.Fatalf("saved %d parts, want 1", n)
	}
	runFail(t, exec.Command(bin, "retakes", "check", "--db", db, "--event", "no-such"), "no-such")
}
