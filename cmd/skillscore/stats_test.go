package main

import (
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"skillscore/demo"
	"skillscore/internal/testenv"
	"skillscore/levels"
	"skillscore/stats"
	"skillscore/store"
)

// assessmentRules: one imported theory module; 60 of 100 passes.
const assessmentRules = `{"schema":"skillscore.rules/v1","name":"养老护理员四级认定","kind":"assessment",
"occupation":"养老护理员","level":4,"year":2026,"groups":[{"code":"all","name":"考生"}],
"modules":[{"code":"theory","name":"理论知识考试","part":"theory","weight":100,"max":100,"imported":true}],
"total":{"rounding":{"mode":"half_up","places":1}},
"pass":{"conditions":[{"part":"theory","min":60}]}}`

// statsDB holds the demo competition (28 contestants, 3 in 南昌, 3 in 九江)
// and a level-4 assessment: 南昌 75, 59.5 and 60 (two pass), 九江 90.
func statsDB(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	db := "sqlite:" + filepath.Join(t.TempDir(), "stats.db")
	st, err := store.Open(ctx, db, store.Options{Keys: testenv.Keys(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := demo.Create(ctx, st); err != nil {
		t.Fatal(err)
	}
	ev, err := st.CreateEvent(ctx, store.NewEvent{
		Event: store.Event{Code: "jx-rd-2026", Name: "养老护理员四级认定", Kind: "assessment", Occupation: "养老护理员",
			Level: 4, Year: 2026, Rules: assessmentRules},
		Groups:  []store.Group{{Code: "all", Name: "考生"}},
		Modules: []store.Module{{Code: "theory", Name: "理论知识考试", Kind: "theory", Weight: 1000000, MaxMarks: 1000000, Imported: true}},
	}, "tester")
	if err != nil {
		t.Fatal(err)
	}
	var cs []store.Contestant
	for i, city := range []string{"南昌", "南昌", "南昌", "九江"} {
		cs = append(cs, store.Contestant{Name: "考生" + string(rune('甲'+i)), Gender: "女", IDType: "居民身份证",
			IDNumber: cliID(t, 100+i), City: city, GroupCode: "all"})
	}
	added, err := st.AddContestants(ctx, ev.ID, cs, "tester")
	if err != nil {
		t.Fatal(err)
	}
	mods, err := st.Modules(ctx, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	var scores []store.ImportedScore
	for i, v := range []int64{750000, 595000, 600000, 900000} {
		scores = append(scores, store.ImportedScore{ContestantID: added[i].ID, ModuleCode: "theory", Value: v})
	}
	if _, err := st.ImportScores(ctx, ev.ID, mods[0].ID, scores, "test", "tester"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SetTarget(ctx, store.Target{Year: 2026, City: "南昌", Occupation: "养老护理员", Target: 10}, "tester"); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestStatsCommand(t *testing.T) {
	bin := binary(t)
	db := statsDB(t)
	out, err := exec.Command(bin, "stats", "--db", db, "--year", "2026", "--json").CombinedOutput()
	if err != nil {
		t.Fatalf("stats --json: %v\n%s", err, out)
	}
	var rep stats.Report
	if err := json.Unmarshal(out, &rep); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	find := func(city string, level levels.Level) stats.Row {
		for _, r := range rep.Rows {
			if r.City == city && r.Level == level && r.Occupation == "养老护理员" {
				return r
			}
		}
		t.Fatalf("no row %s level %d in %+v", city, level, rep.Rows)
		return stats.Row{}
	}
	if r := find("南昌", 0); r.Contestants != 3 || r.Assessed != 0 || r.Passed != 0 {
		t.Errorf("南昌 competition row %+v", r)
	}
	if r := find("南昌", 4); r.Contestants != 0 || r.Assessed != 3 || r.Passed != 2 {
		t.Errorf("南昌 assessment row %+v, want 3 assessed, 2 passed", r)
	}
	if r := find("九江", 4); r.Assessed != 1 || r.Passed != 1 {
		t.Errorf("九江 assessment row %+v", r)
	}
	var nanchang, province stats.Progress
	for _, p := range rep.Progress {
		switch p.City {
		case "南昌":
			nanchang = p
		case stats.Province:
			province = p
		}
	}
	if nanchang.Achieved != 6 || nanchang.Target != 10 || province.Achieved != 32 || province.Target != 10 {
		t.Errorf("progress 南昌 %+v, 全省 %+v; want 6/10 and 32/10", nanchang, province)
	}

	out, err = exec.Command(bin, "stats", "--db", db, "--year", "2026").Output()
	if err != nil {
		t.Fatalf("stats: %v\n%s", err, out)
	}
	text := string(out)
	for _, want := range []string{"认定考生", "四级/中级工", "60.0%", "全省"} {
		if !strings.Contains(text, want) {
			t.Errorf("table lacks %q:\n%s", want, text)
		}
	}
	runFail(t, exec.Command(bin, "stats", "--db", db, "--year", "99"), "年份")
}
