package retakes

import (
	"context"
	"strings"
	"testing"
	"time"

	"skillscore/demo"
	"skillscore/examples"
	"skillscore/internal/testenv"
	"skillscore/results"
	"skillscore/scoring"
	"skillscore/store"
)

type batch struct {
	ev   store.Event
	mods map[string]store.Module
	cs   map[string]store.Contestant
}

// newBatch creates a 技师 batch of the technician preset with the people
// (name → 证件号码) and their 考生来源.
func newBatch(t *testing.T, st *store.Store, code, batchNo, day string, months int, people [][3]string) batch {
	t.Helper()
	ctx := context.Background()
	raw, _ := examples.Files.ReadFile("assessment-yanglao-technician.json")
	rules, err := scoring.ParseRules(raw)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := st.CreateEvent(ctx, store.NewEvent{Event: store.Event{Code: code, Name: "养老护理员二级/技师认定 " + batchNo, Kind: "assessment",
		Occupation: "养老护理员", OccupationCode: "4-10-01-05", Level: 2, Year: 2026, StartsOn: day, Rules: string(raw)},
		Groups: []store.Group{{Code: "", Name: "考生"}}, Modules: demo.Modules(rules)}, "tester")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.SaveBatch(ctx, store.Batch{EventID: ev.ID, BatchNo: batchNo, PublicityDays: 5, RetakeMonths: months}, "organizer"); err != nil {
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
	b := batch{ev: ev, mods: map[string]store.Module{}, cs: map[string]store.Contestant{}}
	var cands []store.Candidate
	for i, c := range cs {
		b.cs[c.Name] = c
		cands = append(cands, store.Candidate{ContestantID: c.ID, Source: people[i][2]})
	}
	if err := st.SaveCandidates(ctx, ev.ID, cands, "organizer"); err != nil {
		t.Fatal(err)
	}
	mods, _ := st.Modules(ctx, ev.ID)
	for _, m := range mods {
		b.mods[m.Code] = m
	}
	return b
}

// theory imports theory scores by name.
func (b batch) theory(t *testing.T, st *store.Store, scores map[string]int64) {
	t.Helper()
	var in []store.ImportedScore
	for name, v := range scores {
		in = append(in, store.ImportedScore{ContestantID: b.cs[name].ID, ModuleCode: "theory", Value: v * scoring.DecimalScale})
	}
	if _, err := st.ImportScores(context.Background(), b.ev.ID, b.mods["theory"].ID, in, "理论成绩.xlsx", "organizer"); err != nil {
		t.Fatal(err)
	}
}

// final confirms a batch's results the way its organizer would: modules
// signed off, published for a period that has ended, final. (Candidates
// have no drawn codes, so there is nothing to decrypt.)
func final(t *testing.T, st *store.Store, eventID int64) {
	t.Helper()
	ctx := context.Background()
	mods, _ := st.Modules(ctx, eventID)
	for _, m := range mods {
		if !m.Imported {
			if err := st.SignOffModule(ctx, eventID, m.ID, 0, "chief"); err != nil {
				t.Fatal(err)
			}
		}
	}
	// An assessment's 公示 runs its working days (store/reviews.go): one
	// published in a past week has ended.
	if _, err := st.PublishResults(ctx, eventID, testenv.PublicityStart, time.Time{}, "organizer"); err != nil {
		t.Fatal(err)
	}
	if err := st.Finalize(ctx, eventID, "organizer"); err != nil {
		t.Fatal(err)
	}
}

const (
	li    = "360103199001010028"
	wang  = "36010219900307002X"
	zhang = "360402200101010013"
	zhao  = "360102198805050021"
	qian  = "360102198806060047"
)

func outcome(rep Report, name string) Candidate {
	for _, c := range rep.Candidates {
		if c.Name == name {
			return c
		}
	}
	return Candidate{}
}

func TestCheckAndApply(t *testing.T) {
	st := testenv.SQLite(t)
	ctx := context.Background()
	old := newBatch(t, st, "jd-2024-05", "2024-KY-01", "2024-05-01", 12, [][3]string{{"赵敏", zhao, store.SourceNew}})
	old.theory(t, st, map[string]int64{"赵敏": 88})
	final(t, st, old.ev.ID)
	first := newBatch(t, st, "jd-2025-10", "2025-KY-07", "2025-10-18", 12, [][3]string{
		{"李华", li, store.SourceNew}, {"王芳", wang, store.SourceNew}, {"张伟", zhang, store.SourceNew}})
	first.theory(t, st, map[string]int64{"李华": 78, "王芳": 50, "张伟": 90})
	final(t, st, first.ev.ID)

	cur := newBatch(t, st, "jd-2026-06", "2026-KY-01", "2026-06-10", 12, [][3]string{
		{"李华", li, store.SourceRetake}, {"王芳", wang, store.SourceRetake}, {"张伟伟", zhang, store.SourceRetake},
		{"赵敏", zhao, store.SourceRetake}, {"钱多", qian, store.SourceRetake}, {"孙丽", "360102199001020020", store.SourceNew}})
	rep, err := Apply(ctx, st, cur.ev.ID, "organizer")
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Candidates) != 5 || len(rep.Found()) != 1 || len(rep.Refused()) != 4 {
		t.Fatalf("report: %+v", rep)
	}
	got := outcome(rep, "李华")
	if len(got.Carried) != 1 || got.Carried[0].Part != "theory" || got.Carried[0].Score != 780000 || got.Carried[0].SourceBatchNo != "2025-KY-07" ||
		got.Carried[0].SourceDate != "2025-10-18" || got.Carried[0].ValidUntil != "2026-10-18" || got.Carried[0].SourceEvent != "jd-2025-10" {
		t.Fatalf("李华: %+v", got)
	}
	for name, why := range map[string]string{
		"王芳":  "没有合格的部分",
		"张伟伟": "证件号码相同但姓名不同",
		"赵敏":  "2024-KY-01 批次（2024-05-01）合格，补考有效期至 2025-05-01，已过期",
		"钱多":  "未找到本职业（养老护理员）、本等级的以往认定成绩",
	} {
		if c := outcome(rep, name); !strings.Contains(c.Refused, why) || len(c.Carried) != 0 {
			t.Errorf("%s: refused %q, want %q", name, c.Refused, why)
		}
	}
	// The results of this batch hold 李华's theory as carried: passed,
	// shown with its source, not waited for.
	snap, err := st.Snapshot(ctx, cur.ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	sd, err := results.Compute(snap)
	if err != nil {
		t.Fatal(err)
	}
	x := find(sd, cur.cs["李华"].ID)
	if v := x.Verdicts[0]; v.Text() != "合格（沿用 2025-KY-07 批次，2025-10-18）" || !x.Modules[0].Complete {
		t.Fatalf("李华's theory in this batch: %+v %+v", v, x.Modules[0])
	}
	if y := find(sd, cur.cs["王芳"].ID); y.Modules[0].Complete {
		t.Error("王芳 carries nothing, yet her theory is complete without a score")
	}

	// A chain: 李华 retakes again after this batch is final; the theory
	// still carries from 2025-KY-07, valid until 2026-10-18 and no longer.
	final(t, st, cur.ev.ID)
	next := newBatch(t, st, "jd-2026-09", "2026-KY-09", "2026-09-01", 24, [][3]string{{"李华", li, store.SourceRetake}})
	rep, err = Check(ctx, st, next.ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	if c := outcome(rep, "李华"); len(c.Carried) != 1 || c.Carried[0].SourceBatchNo != "2025-KY-07" || c.Carried[0].ValidUntil != "2026-10-18" {
		t.Fatalf("chained carry: %+v", c)
	}
	late := newBatch(t, st, "jd-2026-11", "2026-KY-11", "2026-11-01", 12, [][3]string{{"李华", li, store.SourceRetake}})
	rep, err = Check(ctx, st, late.ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	if c := outcome(rep, "李华"); len(c.Carried) != 0 || !strings.Contains(c.Refused, "有效期至 2026-10-18，已过期") {
		t.Fatalf("a chain extended the validity: %+v", c)
	}
	// A part sat in this batch counts: it is not carried over.
	next.theory(t, st, map[string]int64{"李华": 55})
	rep, err = Check(ctx, st, next.ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	if c := outcome(rep, "李华"); len(c.Carried) != 0 || !strings.Contains(c.Refused, "本批次已有该部分成绩") {
		t.Fatalf("a part sat here: %+v", c)
	}
	// A final batch is not checked again.
	if _, err := Apply(ctx, st, cur.ev.ID, "organizer"); err == nil || !strings.Contains(err.Error(), "已确认") {
		t.Fatalf("核对补考 of a final batch: %v", err)
	}
}

func TestAddMonths(t *testing.T) {
	for _, c := range []struct {
		day    string
		months int
		want   string
	}{{"2025-10-18", 12, "2026-10-18"}, {"2026-01-31", 1, "2026-02-28"}, {"2024-02-29", 12, "2025-02-28"}, {"2025-11-30", 3, "2026-02-28"}} {
		if got, err := AddMonths(c.day, c.months); err != nil || got != c.want {
			t.Errorf("%s + %d months = %s %v, want %s", c.day, c.months, got, err, c.want)
		}
	}
	if _, err := AddMonths("2025-13-01", 1); err == nil {
		t.Error("a bad date was accepted")
	}
}
