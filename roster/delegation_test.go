package roster

import (
	"context"
	"strings"
	"testing"

	"skillscore"
	"skillscore/store"
)

func TestDelegationColumn(t *testing.T) {
	a, b, c := makeID(t, "360102", 1980, 1, 2, 12), makeID(t, "360402", 1985, 3, 4, 24), makeID(t, "360702", 1990, 5, 6, 36)
	rows := [][]any{
		append(header(), "代表队"),
		{1, "张三", "女", "居民身份证", a, "颐康", "南昌", "职工组", "", "", "南昌市代表队"},
		{2, "李四", "女", "居民身份证", b, "福寿", "九江", "职工组", "", "", "jj"},
		{3, "王五", "女", "居民身份证", c, "福康", "赣州", "职工组", "", "", "赣州队"},
	}
	data := workbook(t, sheetSpec{name: "名单", rows: rows})
	dels := []store.Delegation{{ID: 1, Code: "nc", Name: "南昌市代表队"}, {ID: 2, Code: "jj", Name: "九江市代表队"}}
	rep := check(t, "d.xlsx", data, Event{Groups: testGroups(), InProgramme: true, Delegations: dels})
	if rep.Accepted != 2 || rep.Rejected != 1 {
		t.Fatalf("verdicts %+v", rep.Verdicts)
	}
	if got := rep.Verdicts[2].Problems; len(got) != 1 || got[0].Reason != DelegationUnknown ||
		got[0].Column != "K" || !strings.Contains(got[0].Message, "代表队“赣州队”不是本大赛的代表队：请填写 南昌市代表队、九江市代表队 之一") {
		t.Fatalf("problem %+v", got)
	}
	cs := rep.Contestants()
	if *cs[0].DelegationID != 1 || *cs[1].DelegationID != 2 {
		t.Fatalf("delegations %v %v", *cs[0].DelegationID, *cs[1].DelegationID)
	}

	// An event in no programme refuses the column before any row.
	_, err := Check(context.Background(), "d.xlsx", data, Event{Groups: testGroups()}, nil)
	if skillscore.ErrorCode(err) != skillscore.EInvalid || !strings.Contains(skillscore.ErrorMessage(err), "本赛事不属于任何大赛") ||
		!strings.Contains(skillscore.ErrorMessage(err), "K 列") {
		t.Fatalf("no programme: %v", err)
	}
}
