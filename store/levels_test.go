package store

import (
	"context"
	"testing"

	"skillscore/levels"
)

// The levels the eight-level sequence added are stored under their own
// codes and read back as the same levels, beside the old 1..5.
func TestLevelsRoundTrip(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		s := open(Options{})
		ctx := context.Background()
		ev, err := s.CreateEvent(ctx, NewEvent{
			Event:  Event{Code: "lv", Name: "特级技师评价", Kind: "assessment", Occupation: "养老护理员", Level: levels.SpecialTechnician, Year: 2026, Rules: "{}"},
			Groups: []Group{{Code: "g", Name: "考生"}},
		}, "测试员")
		if err != nil {
			t.Fatal(err)
		}
		if got, err := s.EventByCode(ctx, "lv"); err != nil || got.Level != levels.SpecialTechnician {
			t.Fatalf("event level %v %v", got.Level, err)
		}
		held := []levels.Level{levels.None, levels.Apprentice, levels.Junior, levels.SeniorTechnician, levels.SpecialTechnician, levels.ChiefTechnician}
		var cs []Contestant
		for i, l := range held {
			cs = append(cs, Contestant{Name: "考生" + string(rune('甲'+i)), Gender: "女", IDType: "其他", IDNumber: "LV" + string(rune('A'+i)),
				GroupCode: "g", Level: l})
		}
		if _, err := s.AddContestants(ctx, ev.ID, cs, "测试员"); err != nil {
			t.Fatal(err)
		}
		snap, err := s.Snapshot(ctx, ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		got := map[levels.Level]int{}
		for _, c := range snap.Contestants {
			got[c.Level]++
		}
		for _, l := range held {
			if got[l] != 1 {
				t.Errorf("level %v read back %d times (%v)", l, got[l], got)
			}
		}
	})
}
