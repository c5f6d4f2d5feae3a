package store

import (
	"context"
	"strings"
	"testing"

	"skillscore"
)

func TestImportJudgesAllOrNothing(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		s := open(Options{})
		ctx := context.Background()
		d := seed(t, s) // J01 is the chief of the practical module
		count := func() (int, int) {
			js, err := s.Judges(ctx, d.ev.ID)
			if err != nil {
				t.Fatal(err)
			}
			ps, err := s.Panels(ctx, d.ev.ID)
			if err != nil {
				t.Fatal(err)
			}
			return len(js), len(ps)
		}
		j0, p0 := count()
		good := NewJudge{Row: 3, Judge: Judge{Code: "J10", Name: "刘芳", Organization: "九江学院", City: "九江"},
			Panels: []PanelMember{{ModuleID: d.pra.ID}}}
		for _, c := range []struct {
			name string
			bad  NewJudge
			code string
			msg  string
		}{
			{"code taken", NewJudge{Row: 4, Judge: Judge{Code: "J01", Name: "甲"}}, skillscore.EConflict, "第 4 行：裁判编号 J01"},
			{"second chief", NewJudge{Row: 5, Judge: Judge{Code: "J11", Name: "乙"},
				Panels: []PanelMember{{ModuleID: d.pra.ID, Chief: true}}}, skillscore.EConflict, "已有裁判长"},
			{"foreign module", NewJudge{Row: 6, Judge: Judge{Code: "J12", Name: "丙"},
				Panels: []PanelMember{{ModuleID: 99999}}}, skillscore.ENotFound, "第 6 行"},
		} {
			_, err := s.ImportJudges(ctx, d.ev.ID, []NewJudge{good, c.bad}, "judges.xlsx", "organizer")
			if skillscore.ErrorCode(err) != c.code || !strings.Contains(skillscore.ErrorMessage(err), c.msg) {
				t.Errorf("%s: %v", c.name, err)
			}
			if j, p := count(); j != j0 || p != p0 {
				t.Fatalf("%s: a rejected import stored judges (%d→%d) or panels (%d→%d)", c.name, j0, j, p0, p)
			}
		}
		out, err := s.ImportJudges(ctx, d.ev.ID, []NewJudge{good, {Row: 4, Judge: Judge{Code: "J11", Name: "黄伟"},
			Panels: []PanelMember{{ModuleID: d.pra.ID}}}}, "judges.xlsx", "organizer")
		if err != nil || len(out) != 2 || out[0].ID == 0 {
			t.Fatalf("import: %v %+v", err, out)
		}
		if j, p := count(); j != j0+2 || p != p0+2 {
			t.Fatalf("after import: %d judges, %d panel places", j, p)
		}
		trail, _ := s.AuditTrail(ctx, d.ev.ID)
		if last := trail[len(trail)-1]; last.Action != "judges.import" || last.Subject != "judges.xlsx" {
			t.Fatalf("audit: %+v", last)
		}
	})
}
