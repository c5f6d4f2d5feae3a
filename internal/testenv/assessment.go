package testenv

import (
	"context"
	"testing"
	"time"

	"skillscore"
	"skillscore/idnumber"
	"skillscore/store"
)

// AssessmentRules: theory and skills imported, 50/50, each passing at 60.
const AssessmentRules = `{"schema":"skillscore.rules/v1","name":"养老护理员四级认定","kind":"assessment",
"occupation":"养老护理员","level":4,"year":2026,"groups":[{"code":"all","name":"考生"}],
"modules":[{"code":"theory","name":"理论知识考试","part":"theory","weight":50,"max":100,"imported":true},
{"code":"skills","name":"操作技能考核","part":"practical","weight":50,"max":100,"imported":true}],
"total":{"rounding":{"mode":"half_up","places":1}},
"pass":{"conditions":[{"part":"theory","min":60},{"part":"practical","min":60}]}}`

// Assessment creates an assessment batch (level 4, 公示 of 5 working days)
// with its theory and skills scores imported: 李华 and 王芳 pass, 张敏
// fails theory, 刘洋 missed the theory exam (缺考).
func Assessment(tb testing.TB, st *store.Store, code string) (store.Event, []store.Contestant) {
	tb.Helper()
	ctx := context.Background()
	ev, err := st.CreateEvent(ctx, store.NewEvent{
		Event: store.Event{Code: code, Name: "养老护理员四级认定 " + code, Kind: "assessment", Occupation: "养老护理员",
			OccupationCode: "4-10-01-05", Level: 4, Year: 2026, StartsOn: "2026-02-26", Rules: AssessmentRules},
		Groups: []store.Group{{Code: "all", Name: "考生"}},
		Modules: []store.Module{
			{Code: "theory", Name: "理论知识考试", Kind: "theory", Weight: 500000, MaxMarks: 1000000, Imported: true},
			{Code: "skills", Name: "操作技能考核", Kind: "practical", Weight: 500000, MaxMarks: 1000000, Imported: true}},
	}, "testenv")
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := st.SaveBatch(ctx, store.Batch{EventID: ev.ID, BatchNo: code, PublicityDays: 5, RetakeMonths: 12}, "testenv"); err != nil {
		tb.Fatal(err)
	}
	names := []string{"李华", "王芳", "张敏", "刘洋"}
	var cs []store.Contestant
	for i, name := range names {
		id, err := idnumber.Make("360102", time.Date(1988, 3, 1+i, 0, 0, 0, 0, time.UTC), 20+2*i)
		if err != nil {
			tb.Fatal(err)
		}
		cs = append(cs, store.Contestant{Name: name, Gender: "女", IDType: "居民身份证", IDNumber: id, City: "南昌",
			Organization: "南昌市第一福利院", GroupCode: "all", Level: 5})
	}
	added, err := st.AddContestants(ctx, ev.ID, cs, "testenv")
	if err != nil {
		tb.Fatal(err)
	}
	mods, err := st.Modules(ctx, ev.ID)
	if err != nil {
		tb.Fatal(err)
	}
	scores := map[string][]int64{"theory": {820000, 750000, 585000, -1}, "skills": {880000, 660000, 710000, -1}}
	for _, m := range mods {
		var rows []store.ImportedScore
		for i, v := range scores[m.Code] {
			rows = append(rows, store.ImportedScore{ContestantID: added[i].ID, ModuleCode: m.Code, Value: max(v, 0), Absent: v < 0})
		}
		if _, err := st.ImportScores(ctx, ev.ID, m.ID, rows, m.Code+".xlsx", "testenv"); err != nil {
			tb.Fatal(err)
		}
	}
	return ev, added
}

// PublicityStart is a Monday of a year the seeded calendar knows: a 公示
// published then has ended (2026-03-07 00:00) whatever day a test runs.
var PublicityStart = time.Date(2026, 3, 2, 9, 0, 0, 0, skillscore.China())

// Published publishes an assessment's results from PublicityStart for its
// working days: the 公示 is over, the batch may be submitted.
func Published(tb testing.TB, st *store.Store, eventID int64) {
	tb.Helper()
	if _, err := st.PublishResults(context.Background(), eventID, PublicityStart, time.Time{}, "testenv"); err != nil {
		tb.Fatalf("publish: %v", err)
	}
}

// Submitted publishes an assessment (Published) and submits it for review
// (报审) as actor.
func Submitted(tb testing.TB, st *store.Store, eventID int64, actor string) {
	tb.Helper()
	Published(tb, st, eventID)
	if err := st.SubmitBatch(context.Background(), eventID, actor); err != nil {
		tb.Fatalf("submit: %v", err)
	}
}

// Approved publishes an assessment (Published), submits it as testenv and
// has a reviewer of the batch (testenv-reviewer, created if missing)
// approve it: its level certificates may be issued.
func Approved(tb testing.TB, st *store.Store, eventID int64) {
	tb.Helper()
	ctx := context.Background()
	Submitted(tb, st, eventID, "testenv")
	ev, err := st.Event(ctx, eventID)
	if err != nil {
		tb.Fatal(err)
	}
	const reviewer = "testenv-reviewer"
	g := store.Grant{Role: store.RoleReviewer, EventCode: ev.Code}
	u, err := st.UserByUsername(ctx, reviewer)
	if err != nil {
		_, err = st.CreateUserWithGrant(ctx, store.User{Username: reviewer, Name: "审核员（测试）", Role: store.RoleReviewer,
			PasswordHash: "x"}, g, "testenv")
	} else {
		g.UserID = u.ID
		_, err = st.Grant(ctx, g, "testenv")
	}
	if err != nil {
		tb.Fatal(err)
	}
	if err := st.ApproveBatch(ctx, eventID, reviewer); err != nil {
		tb.Fatalf("approve: %v", err)
	}
}
