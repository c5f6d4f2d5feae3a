package roster

import (
	"testing"

	"skillscore/levels"
)

// A roster's 现等级 reads every name of the eight levels, however the cell
// was typed (full-width, spaces, the 国家职业资格 prefix).
func TestLevelReadsEveryLevel(t *testing.T) {
	for _, l := range levels.All() {
		for _, name := range l.Names() {
			for _, cell := range []string{name, "  " + name + "\u3000", "国家职业资格" + name} {
				if got, ok := Level(cell); !ok || got != l {
					t.Errorf("Level(%q) = %v %v, want %v", cell, got, ok, l)
				}
			}
		}
	}
	for _, cell := range []string{"", "无", "-", "暂无"} {
		if got, ok := Level(cell); !ok || got != levels.None {
			t.Errorf("Level(%q) = %v %v, want none", cell, got, ok)
		}
	}
}

// A workbook with the new levels is accepted, each read as its level.
func TestCheckAcceptsTheNewLevels(t *testing.T) {
	cells := []string{"学徒工", "特级技师", "首席技师", "一级/高级技师"}
	want := []levels.Level{levels.Apprentice, levels.SpecialTechnician, levels.ChiefTechnician, levels.SeniorTechnician}
	rows := [][]any{header()}
	for i, c := range cells {
		rows = append(rows, []any{i + 1, "选手" + string(rune('甲'+i)), "女", "居民身份证", makeID(t, "360102", 1980, 3, 3, 2*i+2),
			"单位", "南昌", "职工组", c, ""})
	}
	rep := check(t, "名单.xlsx", workbook(t, sheetSpec{name: "名单", rows: rows}), Event{Groups: testGroups()})
	if rep.Accepted != len(cells) {
		for _, v := range rep.Verdicts {
			t.Logf("row %d: %s %+v", v.Row, reasonsOf(v), v.Problems)
		}
		t.Fatalf("accepted %d of %d", rep.Accepted, len(cells))
	}
	for i, v := range rep.Verdicts {
		if v.Person.Level != want[i] {
			t.Errorf("%s read as %v, want %v", cells[i], v.Person.Level, want[i])
		}
	}
}
