package supervision

import (
	"strings"
	"testing"
	"time"

	"skillscore"
	"skillscore/scoring"
	"skillscore/sessions"
)

func TestObservationsCheck(t *testing.T) {
	good := func() Observations {
		return Observations{Values: map[string]string{"order": "good", "examiners": "all", "conduct": "compliant", "violations": "none"}}
	}
	o := good()
	o.Values["order"], o.Notes = " good ", map[string]string{"order": " ", "stray": "x"}
	o.Values["stray"] = "x"
	if err := o.Check(); err != nil {
		t.Fatal(err)
	}
	if _, stray := o.Notes["stray"]; o.Values["order"] != "good" || len(o.Values) != 4 || stray || o.Notes["order"] != "" {
		t.Errorf("checked: %+v", o)
	}
	for _, c := range []struct {
		change func(*Observations)
		phrase string
	}{
		{func(o *Observations) { delete(o.Values, "conduct") }, "请选择“考务执行”"},
		{func(o *Observations) { o.Values["order"] = "chaos" }, "选项"},
		{func(o *Observations) { o.Values["violations"] = "found" }, "“违纪情况”为“发现违纪”时须写明具体情况"},
		{func(o *Observations) {
			o.Values["examiners"] = "partial"
			o.Notes = map[string]string{"examiners": strings.Repeat("迟", MaxNote+1)}
		}, "不能超过"},
		{func(o *Observations) { o.Remarks = strings.Repeat("好", MaxRemarks+1) }, "其他情况"},
	} {
		o := good()
		c.change(&o)
		err := o.Check()
		if skillscore.ErrorCode(err) != skillscore.EInvalid || !strings.Contains(skillscore.ErrorMessage(err), c.phrase) {
			t.Errorf("want %q, got %v", c.phrase, err)
		}
	}
	if Label("violations", "found") != "发现违纪" || Label("order", "x") != "" {
		t.Error("labels")
	}
}

func TestCheckNewPIN(t *testing.T) {
	for pin, ok := range map[string]bool{"480213": true, "905518273301": true, "12345": false, "1234567890123": false,
		"48021a": false, "000000": false, "123456": false, "987654": false, "890123": false} {
		if err := CheckNewPIN(pin, pin); (err == nil) != ok {
			t.Errorf("%s: %v", pin, err)
		}
	}
	if err := CheckNewPIN("480213", "480214"); err == nil || !strings.Contains(skillscore.ErrorMessage(err), "不一致") {
		t.Errorf("mismatch: %v", err)
	}
}

func TestDigestCoversEverySignedField(t *testing.T) {
	at := time.Date(2026, 7, 10, 3, 0, 0, 0, time.UTC)
	r := Record{Event: "jx", No: 1, RoomCode: "K01", RoomName: "第一考场", Session: "S02", SessionLabel: "S02 …",
		Obs:      Observations{Values: map[string]string{"order": "good"}, Notes: map[string]string{"order": ""}, Remarks: "无"},
		Progress: Progress{Expected: 3}, Signer: "sup1", SignerName: "督导甲", SignerID: 7, PINSetAt: at, SignedAt: at}
	base := Digest(r)
	if Digest(r) != base || len(base) != 64 {
		t.Fatal("digest not stable")
	}
	for name, change := range map[string]func(*Record){
		"room":      func(r *Record) { r.RoomCode = "K02" },
		"choice":    func(r *Record) { r.Obs.Values = map[string]string{"order": "poor"} },
		"note":      func(r *Record) { r.Obs.Notes = map[string]string{"order": "乱"} },
		"remarks":   func(r *Record) { r.Obs.Remarks = "有" },
		"progress":  func(r *Record) { r.Progress.Absent = 1 },
		"signer":    func(r *Record) { r.SignerName = "督导乙" },
		"time":      func(r *Record) { r.SignedAt = at.Add(time.Microsecond) },
		"pin":       func(r *Record) { r.PINSetAt = at.Add(time.Second) },
		"corrects":  func(r *Record) { r.Supersedes = 2 },
		"reason":    func(r *Record) { r.CorrectionReason = "x" },
		"event":     func(r *Record) { r.Event = "other" },
		"number":    func(r *Record) { r.No = 2 },
		"sitting":   func(r *Record) { r.SessionLabel = "S02 改" },
		"signer id": func(r *Record) { r.SignerID = 8 },
	} {
		c := r
		change(&c)
		if Digest(c) == base {
			t.Errorf("changing the %s keeps the digest", name)
		}
	}
	c := r
	c.ID, c.SupersededBy, c.Digest = 9, 10, "x"
	if Digest(c) != base {
		t.Error("the digest covers fields that are not signed")
	}
}

// TestBoardCounts: an unassigned module (every panel judge scores everyone),
// a sitting without module, a withdrawn candidate, a sheet that exists for
// someone absent, and a venue that names no room.
func TestBoardCounts(t *testing.T) {
	in := Input{
		Rooms: []InRoom{{Code: "K01", Name: "第一考场", Seats: 4}},
		Sittings: []InSitting{
			{Code: "S1", Name: "实操", Venue: "第一考场", Module: "", Day: "2026-07-10", Starts: "08:00", Ends: "09:00", Entries: []InEntry{
				{ContestantID: 1, EntryNo: "0001", Name: "甲", Seat: "01", Outcome: sessions.Present},
				{ContestantID: 2, EntryNo: "0002", Name: "乙", Seat: "02", Outcome: sessions.Absent},
				{ContestantID: 3, EntryNo: "0003", Name: "丙", Seat: "03"},
				{ContestantID: 4, EntryNo: "0004", Name: "丁", Seat: "04", Outcome: sessions.IdentityMismatch},
			}},
			{Code: "S2", Name: "别处", Venue: "操场", Module: "B", Entries: []InEntry{{ContestantID: 1, Name: "甲"}}},
		},
		Modules: []InModule{{Code: "T", Name: "理论", Imported: true}, {Code: "A", Name: "模块A"}, {Code: "B", Name: "模块B"}},
		Panels: []InPanelSeat{{Module: "A", JudgeID: 1, JudgeCode: "J1", Name: "一"}, {Module: "A", JudgeID: 2, JudgeCode: "J2", Name: "二"},
			{Module: "B", JudgeID: 3, JudgeCode: "J3", Name: "三"}},
		Assignments: []InAssignment{{Module: "B", JudgeID: 3, ContestantID: 9}},
		Sheets: []InSheet{{Module: "A", JudgeID: 1, ContestantID: 1, Status: "locked"}, {Module: "A", JudgeID: 2, ContestantID: 1, Status: "open"},
			{Module: "A", JudgeID: 1, ContestantID: 2, Status: "submitted"}},
		Statuses: map[int64]string{3: scoring.StatusWithdrew},
		Records:  []Record{{Session: "S1"}, {Session: "S1"}},
	}
	rooms := Board(in)
	if len(rooms) != 2 || rooms[1].Code != "" || rooms[1].Sittings[0].Code != "S2" {
		t.Fatalf("rooms: %+v", rooms)
	}
	s := rooms[0].Sittings[0]
	// Module A: 2 judges × {甲, 丁} + the sheet of absent 乙 = 5 expected;
	// 丙 withdrew. Submitted: J1's on 甲 (locked) and on 乙.
	want := Counts{Expected: 4, Present: 1, Absent: 1, Mismatch: 1, Pending: 1, SheetsDone: 2, SheetsDue: 5}
	if s.Counts != want {
		t.Errorf("counts %+v, want %+v", s.Counts, want)
	}
	if len(s.Modules) != 2 || s.Modules[0].Code != "A" || s.Modules[1].Code != "B" || s.Modules[1].Expected != 0 {
		t.Errorf("modules: %+v", s.Modules)
	}
	if len(s.Examiners) != 2 || s.Records != 2 || s.Candidates[2].StateName != "弃权" {
		t.Errorf("sitting: %+v", s)
	}
	if rooms[1].Sittings[0].Examiners != nil || rooms[1].Sittings[0].Counts.SheetsDue != 0 {
		t.Errorf("S2, module B assigned elsewhere only: %+v", rooms[1].Sittings[0])
	}
	if got := s.Label(); got != "S1 实操 2026-07-10 08:00至09:00" {
		t.Errorf("label %q", got)
	}
}

// A 补考 candidate who carries a module's part from an earlier batch owes no
// sheet in it, assigned or not.
func TestBoardCarriedPartOwesNoSheet(t *testing.T) {
	in := Input{
		Rooms: []InRoom{{Code: "K01", Name: "第一考场", Seats: 2}},
		Sittings: []InSitting{{Code: "S1", Name: "实操", Venue: "第一考场", Module: "A", Entries: []InEntry{
			{ContestantID: 1, Name: "甲", Outcome: sessions.Present}, {ContestantID: 2, Name: "乙", Outcome: sessions.Present}}}},
		Modules:     []InModule{{Code: "A", Name: "模块A"}},
		Panels:      []InPanelSeat{{Module: "A", JudgeID: 1, JudgeCode: "J1"}},
		Assignments: []InAssignment{{Module: "A", JudgeID: 1, ContestantID: 1}, {Module: "A", JudgeID: 1, ContestantID: 2}},
		Carried:     []InCarried{{Module: "A", ContestantID: 2}},
	}
	if got := Board(in)[0].Sittings[0].Counts.SheetsDue; got != 1 {
		t.Fatalf("%d sheets due, want 1 (乙 carries module A)", got)
	}
}
