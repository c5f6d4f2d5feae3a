package sheets_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"skillscore/internal/testenv"
	"skillscore/sheets"
)

func writeTable(t *testing.T, tab sheets.SignedTable) string {
	t.Helper()
	var buf bytes.Buffer
	if err := sheets.WriteSignedTable(&buf, loadFonts(t), tab); err != nil {
		t.Fatal(err)
	}
	return strings.Join(readBack(t, buf.Bytes()), "\f")
}

// TestSignInSheetsAndDuties: a session's 签到表 for judges lists the
// panel of its module, the chief first and marked, for contestants every
// entry in 检录 order; the 裁判分工表 gives every judge's module, role,
// stations and sessions; each with its signature column and lines.
func TestSignInSheetsAndDuties(t *testing.T) {
	st, ev := testenv.Demo(t)
	staff, err := sheets.LoadStaff(context.Background(), st, ev)
	if err != nil {
		t.Fatal(err)
	}
	if len(staff.Schedule) == 0 {
		t.Fatal("the demo has no sessions")
	}
	s := staff.Schedule[0]
	printed := time.Date(2026, 12, 5, 8, 0, 0, 0, time.UTC)

	judges, err := staff.JudgeSignIn(s.Code, printed)
	if err != nil {
		t.Fatal(err)
	}
	text := writeTable(t, judges)
	contains(t, "judges' sign-in", text, ev.Name+" 裁判签到表", "场次 "+s.Code, "08:30–10:00", "裁判签名", "签到时间",
		"裁判长（签字）：", "监督（签字）：", "日期：")
	var modID int64
	for _, m := range staff.Modules {
		if m.Code == s.Module {
			modID = m.ID
		}
	}
	onPanel := 0
	for _, p := range staff.Panels {
		if p.ModuleID != modID {
			continue
		}
		onPanel++
		for _, j := range staff.Judges {
			if j.ID == p.JudgeID {
				contains(t, "judges' sign-in", text, j.Code, j.Name)
			}
		}
	}
	if len(judges.Rows) != onPanel || !strings.Contains(judges.Rows[0][4], "（裁判长）") {
		t.Errorf("judges' rows %v for %d on the panel (chief first)", judges.Rows, onPanel)
	}

	people, err := staff.ContestantSignIn(s.Code, printed)
	if err != nil {
		t.Fatal(err)
	}
	text = writeTable(t, people)
	contains(t, "contestants' sign-in", text, ev.Name+" 选手签到表", "参赛证号", "选手签名", "检录员（签字）：", "裁判长（签字）：")
	for _, r := range s.Rows {
		contains(t, "contestants' sign-in", text, r.Name, r.EntryNo)
	}
	for _, c := range staff.Contestants {
		if c.Code != nil && strings.Contains(text, " "+*c.Code+" ") {
			t.Errorf("the contestants' sign-in shows the anonymous code %s", *c.Code)
		}
	}

	duties, err := staff.Duties(printed)
	if err != nil {
		t.Fatal(err)
	}
	text = writeTable(t, duties)
	contains(t, "duties", text, ev.Name+" 裁判分工表", "职务", "赛位与场次", "评分份数", "本人签名", "编制人（签字）：", "裁判长（签字）：", "监督（签字）：")
	chiefs := 0
	for _, r := range duties.Rows {
		if r[4] == "裁判长" {
			chiefs++
		}
	}
	if len(duties.Rows) != len(staff.Panels) || chiefs == 0 {
		t.Errorf("%d duty rows for %d panel places, %d chiefs", len(duties.Rows), len(staff.Panels), chiefs)
	}
	for _, j := range staff.Judges {
		contains(t, "duties", text, j.Name)
	}
	if !strings.Contains(text, "场次 "+s.Code) {
		t.Errorf("duties do not name session %s", s.Code)
	}
	if _, err := staff.JudgeSignIn("NOPE", printed); err == nil {
		t.Error("an unknown session printed")
	}
}

func TestStationRanges(t *testing.T) {
	for in, want := range map[string]string{"01,02,03,05": "01～03、05", "3,1,2": "1～3", "A1,A2": "A1、A2", "07,08": "07、08", "": ""} {
		var ss []string
		if in != "" {
			ss = strings.Split(in, ",")
		}
		if got := sheets.StationRanges(ss); got != want {
			t.Errorf("%q → %q, want %q", in, got, want)
		}
	}
}
