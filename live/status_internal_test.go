package live

import (
	"context"
	"testing"
	"time"

	"skillscore/demo"
	"skillscore/internal/testenv"
	"skillscore/results"
	"skillscore/store"
)

// The board shows 缺考 where the demo's absent contestant has no score, and
// a status with its reason in the award column.
func TestBoardShowsStatuses(t *testing.T) {
	st, ev := testenv.Demo(t)
	snap, err := st.Snapshot(context.Background(), ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	c, err := compute(snap, store.LiveState{})
	if err != nil {
		t.Fatal(err)
	}
	sh, err := c.board(Public, store.LiveState{}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	absent := results.DisplayCode(snap.Contestants[demo.Absent])
	ineligible := results.DisplayCode(snap.Contestants[demo.Ineligible])
	seen := 0
	for _, g := range sh.board.Groups {
		for _, r := range g.Rows {
			switch r.Code {
			case absent:
				seen++
				if r.Total != "缺考" || r.Rank != 0 || r.Status != "缺考" || r.Award != "缺考" || r.StatusReason == "" {
					t.Errorf("absent row %+v", r)
				}
			case ineligible:
				seen++
				if r.Rank == 0 || r.Award != "不参与评奖" || r.StatusReason != demo.IneligibleReason || r.Total == "" {
					t.Errorf("ineligible row %+v", r)
				}
			}
		}
	}
	if seen != 2 {
		t.Fatalf("found %d of the 2 demo statuses on the board", seen)
	}
}
