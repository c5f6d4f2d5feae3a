package sheets

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"skillscore"
	"skillscore/certificates"
	"skillscore/sessions"
	"skillscore/store"
)

func sampleSession() store.SessionState {
	s := store.SessionState{Session: sessions.Session{Code: "S01", Name: "生活照护 第1场", Venue: "一号实训楼", Module: "A",
		Stations: []string{"01", "02"}, Day: "2026-05-20", Starts: "08:30", Ends: "10:00"}}
	for i := 1; i <= 45; i++ {
		r := store.EntryState{Entry: sessions.Entry{ContestantID: int64(i), Name: fmt.Sprintf("选手%02d号", i), EntryNo: fmt.Sprintf("%04d", i),
			Station: fmt.Sprintf("%02d", i), Order: i}, Organization: "南昌市社会福利院"}
		switch i {
		case 1:
			r.Outcome, r.At = sessions.Present, store.Time{Time: time.Date(2026, 5, 20, 0, 12, 0, 0, time.UTC)}
		case 2:
			r.Outcome = sessions.IdentityMismatch
		case 3:
			r.Outcome = sessions.Absent
		}
		s.Rows = append(s.Rows, r)
	}
	return s
}

func TestCheckinSheetAndTimetableReadBack(t *testing.T) {
	cst := skillscore.China()
	printed := time.Date(2026, 5, 20, 7, 0, 0, 0, cst)
	s := sampleSession()
	var buf bytes.Buffer
	if err := WriteCheckinSheet(&buf, fonts(t), "2026年江西省养老护理员职业技能竞赛", s, printed); err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, buf.Bytes())
	for _, want := range []string{"检录表", "场次 S01 生活照护 第1场", "一号实训楼", "签名", "选手01号", "选手45号", "0045",
		"08:12", "已检录", "人证不符", "缺考", "检录员（签字）", "第 2 页"} {
		if !strings.Contains(text, want) {
			t.Errorf("check-in sheet lacks %q", want)
		}
	}
	if t.Failed() {
		t.Log(text)
	}
	s2 := s
	s2.Code, s2.Name, s2.Venue, s2.Starts, s2.Ends = "S02", "生活照护 第2场", "二号实训楼", "10:30", "12:00"
	buf.Reset()
	if err := WriteTimetable(&buf, fonts(t), "2026年江西省养老护理员职业技能竞赛", []store.SessionState{s, s2}, printed); err != nil {
		t.Fatal(err)
	}
	text = pdfText(t, buf.Bytes())
	for _, want := range []string{"场次时间表（裁判用）", "2026-05-20", "08:30–10:00", "10:30–12:00", "二号实训楼", "S02", "01、02", "45"} {
		if !strings.Contains(text, want) {
			t.Errorf("timetable lacks %q", want)
		}
	}
	// Judges score anonymously: the timetable names nobody.
	if strings.Contains(text, "选手01号") || strings.Contains(text, "福利院") {
		t.Error("timetable names contestants")
	}
	if t.Failed() {
		t.Log(text)
	}
}

func TestEntryCardsReadBack(t *testing.T) {
	s := sampleSession()
	var people []sessions.Person
	for _, r := range s.Rows[:7] {
		people = append(people, sessions.Person{ContestantID: r.ContestantID, Name: r.Name, EntryNo: r.EntryNo, Organization: r.Organization})
	}
	cards, err := EntryCardsFor(people, []store.SessionState{s}, func(id int64) (string, error) {
		return fmt.Sprintf("SKC1:7:%d:0123456789ABCDEF0123456789ABCDEF", id), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteEntryCards(&buf, fonts(t), "2026年江西省养老护理员职业技能竞赛", cards, time.Date(2026, 5, 19, 9, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, buf.Bytes())
	for _, want := range []string{"参赛证", "选手01号", "选手07号", "参赛证号 0007", "05-20 08:30–10:00 一号实训楼 场次 S01 赛位 07", "第 2 页"} {
		if !strings.Contains(text, want) {
			t.Errorf("cards lack %q", want)
		}
	}
	got := decodeQRs(t, buf.Bytes())
	seen := map[string]bool{}
	for _, g := range got {
		seen[g] = true
	}
	for _, c := range cards {
		if !seen[c.Token] {
			t.Errorf("QR %s not decoded; got %v", c.Token, got)
		}
	}
}

// A cell that wraps grows its row by its lines, with the margin a one-line
// row has: the rule under it stays below its last line.
func TestTableRowsGrowWithWrappedCells(t *testing.T) {
	long := strings.Repeat("评分记录与纸质原件不一致，", 6)
	p, err := newPDF(fonts(t), "序号说明"+long, "P", time.Date(2026, 5, 20, 7, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	const lh, top = 6.0, 20.0
	cols := []column{{"序号", 15}, {"说明", 60}}
	end := table(p, cols, [][]string{{"1", "一行"}, {"2", long}}, 10, 280, lh, 10.5, func() float64 { return top })
	lines := len(certificates.WrapText(p, long, 60-2))
	if lines < 3 {
		t.Fatalf("the long cell wraps to %d lines; the test wants at least 3", lines)
	}
	// Header, a one-line row, then the wrapped row.
	if want := top + (lh + 1) + (lh + 3) + (lh*float64(lines) + 3); end != want {
		t.Errorf("table ends at %.2f mm, want %.2f (a %d-line row of %.1f mm)", end, want, lines, lh*float64(lines)+3)
	}
	if err := p.Error(); err != nil {
		t.Fatal(err)
	}
}
