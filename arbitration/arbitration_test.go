package arbitration

import (
	"strings"
	"testing"
	"time"

	"skillscore"
)

func TestModuleEndAndDeadline(t *testing.T) {
	at := func(h, m int) time.Time { return time.Date(2026, 4, 18, h, m, 0, 0, skillscore.China()) }
	// Sheets only: the last submission, once none is open.
	e, err := ModuleEnd(EndInput{Sheets: 6, Open: 1, LastSubmitted: at(10, 0)})
	if err != nil || e.Known || !e.Deadline(DefaultWindow).IsZero() {
		t.Fatalf("one sheet open: %+v %v", e, err)
	}
	if err := CheckFiledInTime(at(23, 0), "A", e, DefaultWindow); err != nil {
		t.Fatalf("no end, no deadline: %v", err)
	}
	e, err = ModuleEnd(EndInput{Sheets: 6, LastSubmitted: at(10, 0).UTC()})
	if err != nil || !e.Known || !e.At.Equal(at(10, 0)) || e.Basis != "最后一份评分表提交于 2026-04-18 10:00" {
		t.Fatalf("all submitted: %+v %v", e, err)
	}
	// The deadline itself is in time; a minute later is not, and says when.
	if err := CheckFiledInTime(at(12, 0), "A 生活照护", e, DefaultWindow); err != nil {
		t.Fatalf("at the deadline: %v", err)
	}
	err = CheckFiledInTime(at(12, 1), "A 生活照护", e, DefaultWindow)
	if skillscore.ErrorCode(err) != skillscore.EInvalid || !strings.Contains(skillscore.ErrorMessage(err), "申诉须在 2026-04-18 12:00 前提出（时限 2 小时）") {
		t.Fatalf("late: %v", err)
	}
	// A schedule wins over the sheets: its last sitting's planned end.
	e, err = ModuleEnd(EndInput{Sessions: []SessionEnd{{"S02", "2026-04-18", "16:30"}, {"S01", "2026-04-18", "11:00"}}, Sheets: 6, LastSubmitted: at(10, 0)})
	if err != nil || !e.At.Equal(at(16, 30)) || !strings.Contains(e.Basis, "S02") || !e.Deadline(90*time.Minute).Equal(at(18, 0)) {
		t.Fatalf("scheduled: %+v %v", e, err)
	}
	// An imported module (the theory test) without a schedule ends when its
	// scores were last imported; before that it has not ended.
	e, err = ModuleEnd(EndInput{Imported: true})
	if err != nil || e.Known || !strings.Contains(e.Basis, "成绩尚未导入") {
		t.Fatalf("imported, not yet: %+v %v", e, err)
	}
	e, err = ModuleEnd(EndInput{Imported: true, LastImported: at(14, 5).UTC()})
	if err != nil || !e.Known || !e.At.Equal(at(14, 5)) || e.Basis != "成绩导入于 2026-04-18 14:05" {
		t.Fatalf("imported: %+v %v", e, err)
	}
	err = CheckFiledInTime(at(16, 6), "T 理论知识", e, DefaultWindow)
	if skillscore.ErrorCode(err) != skillscore.EInvalid ||
		!strings.Contains(skillscore.ErrorMessage(err), "模块「T 理论知识」成绩导入于 2026-04-18 14:05，申诉须在 2026-04-18 16:05 前提出") {
		t.Fatalf("late after the import: %v", err)
	}
	// A schedule of the imported module still wins.
	e, err = ModuleEnd(EndInput{Imported: true, LastImported: at(14, 5), Sessions: []SessionEnd{{"S01", "2026-04-18", "09:30"}}})
	if err != nil || !e.At.Equal(at(9, 30)) || !strings.Contains(e.Basis, "S01") {
		t.Fatalf("imported with a schedule: %+v %v", e, err)
	}
	if _, err := ModuleEnd(EndInput{Sessions: []SessionEnd{{"S01", "2026-04-18", "25:00"}}}); skillscore.ErrorCode(err) != skillscore.EInvalid {
		t.Fatalf("bad session end: %v", err)
	}
	if WindowText(90*time.Minute) != "90 分钟" || WindowText(2*time.Hour) != "2 小时" {
		t.Fatal("window text")
	}
	for _, m := range []int{29, 2881} {
		if CheckWindow(m) == nil {
			t.Errorf("window %d accepted", m)
		}
	}
	if CheckWindow(30) != nil || CheckWindow(2880) != nil {
		t.Error("window bounds refused")
	}
}

func TestDecisionChecks(t *testing.T) {
	for _, c := range []struct {
		d      Decision
		kind   string
		phrase string
	}{
		{Decision{Outcome: "maybe", Reasons: "x"}, KindScore, "只能是"},
		{Decision{Outcome: StatusRejected, Reasons: " "}, KindScore, "理由"},
		{Decision{Outcome: StatusUpheld, Reasons: "x"}, KindScore, "处理措施"},
		{Decision{Outcome: StatusRejected, Reasons: "x", RemarkSheets: []int64{1}}, KindScore, "只有成立的成绩评判类"},
		{Decision{Outcome: StatusUpheld, Reasons: "x", Measures: "y", RemarkSheets: []int64{1}}, KindEquipment, "只有成立的成绩评判类"},
	} {
		if _, err := c.d.Check(c.kind); skillscore.ErrorCode(err) != skillscore.EInvalid || !strings.Contains(skillscore.ErrorMessage(err), c.phrase) {
			t.Errorf("%+v: %v, want %q", c.d, err, c.phrase)
		}
	}
	if _, err := (Decision{Outcome: StatusUpheld, Reasons: "x", Measures: "复评", RemarkSheets: []int64{1}}).Check(KindScore); err != nil {
		t.Errorf("upheld with re-mark: %v", err)
	}
}
