package roster

import (
	"context"
	"os"
	"strings"
	"testing"

	"skillscore"
	"skillscore/store"
)

// newTeamEvent creates an event whose rules make entries teams of 2–3.
func newTeamEvent(tb testing.TB, st *store.Store) store.Event {
	tb.Helper()
	ev, err := st.CreateEvent(context.Background(), store.NewEvent{
		Event: store.Event{Code: "jx-team", Name: "江西省健康照护职业技能竞赛", Kind: "competition",
			Occupation: "健康照护师", Year: 2026, Rules: `{"modules":[],"team":{"min":2,"max":3}}`},
		Groups: testGroups(),
	}, "tester")
	if err != nil {
		tb.Fatalf("create event: %v", err)
	}
	return ev
}

func teamHeader() []any { return append(header(), "队伍名称") }

// teamRow is one member of team; seq makes the 证件号码.
func teamRow(t testing.TB, seq int, name, group, level, team string) []any {
	return []any{seq, name, "", "居民身份证", makeID(t, "360102", 1990, 1, 1+seq, seq*2+1), "南昌护理学院", "南昌市", group, level, "", team}
}

func TestImportTeams(t *testing.T) {
	forEachStore(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		ev := newTeamEvent(t, st)
		data := workbook(t, sheetSpec{name: "名单", rows: [][]any{teamHeader(),
			teamRow(t, 1, "张三", "职工组", "三级/高级工", "南昌一队"),
			teamRow(t, 2, "李四", "职工组", "", "南昌一队"),
			teamRow(t, 3, "王五", "学生组", "", "赣州队"),
			teamRow(t, 4, "赵六", "学生组", "四级", "赣州队"),
			teamRow(t, 5, "孙七", "学生组", "", "赣州队"),
		}})
		rep, err := Import(ctx, st, ev.ID, "团体.xlsx", data, Options{Actor: "组织者", Basis: store.BasisConsent})
		if err != nil || rep.Stored == nil || rep.Stored.Contestants != 5 || rep.TeamCount != 2 {
			t.Fatalf("import: %v %+v", err, rep)
		}
		snap, err := st.Snapshot(ctx, ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(snap.Contestants) != 2 || snap.Contestants[0].Name != "南昌一队" || snap.Contestants[0].Kind != store.KindTeam ||
			snap.Contestants[1].Name != "赣州队" || snap.Contestants[1].GroupCode != "student" {
			t.Fatalf("the snapshot's entries are %+v, want the two teams", snap.Contestants)
		}
		members, err := st.TeamMembers(ctx, ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		nc := members[snap.Contestants[0].ID]
		gz := members[snap.Contestants[1].ID]
		if len(nc) != 2 || len(gz) != 3 || nc[0].Name != "张三" || nc[0].Level != 3 || gz[1].Name != "赵六" || gz[1].Level != 4 ||
			nc[0].IDNumber != makeID(t, "360102", 1990, 1, 2, 3) || nc[0].Kind != store.KindMember {
			t.Fatalf("members: %+v / %+v", nc, gz)
		}
		// A member already on the roster is a duplicate in a later file.
		again := workbook(t, sheetSpec{name: "名单", rows: [][]any{teamHeader(),
			teamRow(t, 1, "张三", "职工组", "", "南昌二队"),
			teamRow(t, 9, "周九", "职工组", "", "南昌二队"),
		}})
		rep, err = Import(ctx, st, ev.ID, "补报.xlsx", again, Options{DryRun: true})
		if skillscore.ErrorCode(err) != skillscore.EInvalid || reasonsOf(rep.Verdicts[0]) != string(IDDuplicate) {
			t.Fatalf("duplicate member: %v %+v", err, rep)
		}
	})
}

func TestImportBadTeamSheets(t *testing.T) {
	forEachStore(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		ev := newTeamEvent(t, st)
		for _, tc := range []struct {
			name  string
			rows  [][]any
			want  []string // reasons per row
			words string   // in the first rejected row's message
		}{
			{"too many", [][]any{teamHeader(),
				teamRow(t, 1, "甲", "职工组", "", "大队"), teamRow(t, 2, "乙", "职工组", "", "大队"),
				teamRow(t, 3, "丙", "职工组", "", "大队"), teamRow(t, 4, "丁", "职工组", "", "大队"),
				teamRow(t, 5, "戊", "职工组", "", "小队"), teamRow(t, 6, "己", "职工组", "", "小队"),
			}, []string{"team_size", "team_size", "team_size", "team_size", "ok", "ok"},
				"队伍“大队”有 4 名队员（第 2、3、4、5 行），本赛项每队须为 2–3 人"},
			{"alone", [][]any{teamHeader(),
				teamRow(t, 1, "甲", "职工组", "", "独行队"), teamRow(t, 2, "乙", "职工组", "", "双人队"), teamRow(t, 3, "丙", "职工组", "", "双人队"),
			}, []string{"team_size", "ok", "ok"}, "队伍“独行队”有 1 名队员（第 2 行）"},
			{"split groups", [][]any{teamHeader(),
				teamRow(t, 1, "甲", "职工组", "", "混合队"), teamRow(t, 2, "乙", "学生组", "", "混合队"),
			}, []string{"team_split", "team_split"}, "队伍“混合队”的队员不在同一组别（第 2 行为“职工组”，第 3 行为“学生组”）"},
			{"no team", [][]any{teamHeader(),
				teamRow(t, 1, "甲", "职工组", "", ""), teamRow(t, 2, "乙", "职工组", "", "一队"), teamRow(t, 3, "丙", "职工组", "", "一队"),
			}, []string{"team_missing", "ok", "ok"}, "队伍名称为空：本赛项是团体赛项（每队 2–3 人）"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				rep, err := Import(ctx, st, ev.ID, tc.name+".xlsx", workbook(t, sheetSpec{name: "名单", rows: tc.rows}),
					Options{Actor: "组织者", Basis: store.BasisConsent})
				if skillscore.ErrorCode(err) != skillscore.EInvalid || rep == nil || rep.Stored != nil {
					t.Fatalf("err = %v, report %+v: want the file refused", err, rep)
				}
				var got []string
				msg := ""
				for _, v := range rep.Verdicts {
					got = append(got, reasonsOf(v))
					if !v.Accepted && msg == "" {
						msg = v.Problems[0].Message
						if v.Problems[0].Column != "K" || v.Problems[0].Header != "队伍名称" {
							t.Errorf("problem cell %s %s, want K 队伍名称", v.Problems[0].Column, v.Problems[0].Header)
						}
					}
				}
				if strings.Join(got, " ") != strings.Join(tc.want, " ") {
					t.Errorf("reasons %v, want %v", got, tc.want)
				}
				if !strings.Contains(msg, tc.words) {
					t.Errorf("message %q, want %q in it", msg, tc.words)
				}
				if cs, _ := st.Contestants(ctx, ev.ID); len(cs) != 0 {
					t.Errorf("%d contestants stored from a refused file", len(cs))
				}
			})
		}
	})
}

// An individual event refuses a sheet that names teams: the organizer
// either meant a team event or filled the wrong column.
func TestImportTeamColumnInIndividualEvent(t *testing.T) {
	forEachStore(t, func(t *testing.T, st *store.Store) {
		ev := newEvent(t, st)
		data := workbook(t, sheetSpec{name: "名单", rows: [][]any{teamHeader(),
			teamRow(t, 1, "甲", "职工组", "", "一队"), teamRow(t, 2, "乙", "职工组", "", ""),
		}})
		rep, err := Import(context.Background(), st, ev.ID, "x.xlsx", data, Options{DryRun: true})
		if skillscore.ErrorCode(err) != skillscore.EInvalid || reasonsOf(rep.Verdicts[0]) != string(TeamNotAllowed) || !rep.Verdicts[1].Accepted {
			t.Fatalf("err = %v, verdicts %+v", err, rep.Verdicts)
		}
	})
}

func TestDocsListEveryTeamReason(t *testing.T) {
	doc, err := os.ReadFile("../docs/roster.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range TeamReasons() {
		if !strings.Contains(string(doc), "`"+string(r.Code)+"`") {
			t.Errorf("docs/roster.md does not document reason %s", r.Code)
		}
	}
}
