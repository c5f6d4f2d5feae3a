package live

import (
	"encoding/json"
	"strings"
	"testing"

	"skillscore/scoring"
)

// TestStandingsCarryRunningTotals: the standings API embeds each
// contestant's result, so its running totals (rules with running_totals)
// reach the JSON beside the document's own progress counts.
func TestStandingsCarryRunningTotals(t *testing.T) {
	d := &Standings{}
	it := StandingsItem{Key: "k", Code: "A01"}
	it.Progress = []scoring.UnitStanding{{Unit: "第1轮", Total: scoring.MustDecimal("145.4"), Rank: 2}, {Unit: "第2轮", Total: scoring.Points(275), Rank: 1}}
	d.Contestants = append(d.Contestants, it)
	b, _, err := encodeStandings(d)
	if err != nil {
		t.Fatal(err)
	}
	if s := string(b); !strings.Contains(s, `"progress":[{"unit":"第1轮","total":145.4,"rank":2},{"unit":"第2轮","total":275,"rank":1}]`) {
		t.Errorf("no running totals in %s", s)
	}
	var back struct {
		Contestants []struct {
			Progress []scoring.UnitStanding `json:"progress"`
		} `json:"contestants"`
	}
	if err := json.Unmarshal(b, &back); err != nil || len(back.Contestants[0].Progress) != 2 {
		t.Errorf("%v %+v", err, back)
	}
}
