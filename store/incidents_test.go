package store

import (
	"context"
	"strings"
	"testing"
	"time"

	"skillscore"
	"skillscore/incidents"
)

// TestIncidentsRecordAckCorrect: the 赛场记录 on both databases — a judge's
// stations, an entry checked against the session's stations, the
// contestant's PIN (wrong ones counted, then only paper), paper turned
// refusal, no second acknowledgment, corrections as linked entries, the
// time added per session from current entries only, and the audit trail.
func TestIncidentsRecordAckCorrect(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		now := time.Date(2026, 7, 10, 2, 30, 0, 0, time.UTC)
		s := open(Options{Now: func() time.Time { return now }})
		ctx := context.Background()
		d := seedSupervised(t, s)

		st, err := s.IncidentStations(ctx, d.j3.ID)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, x := range st {
			got = append(got, x.Session+"/"+x.Station)
		}
		if strings.Join(got, " ") != "S03/01 S03/02 S03/03 S04/01" {
			t.Fatalf("J03's stations: %v", got)
		}

		equip := NewIncident{EventID: d.ev.ID, Session: "S02", Station: "02", Actor: "judge:1", EnteredName: "周考评", EnteredRole: "judge",
			Input: incidents.Input{Kind: incidents.Equipment, Occurred: "10:20", AddedMin: 5, AddedSec: 30, Description: "护理床摇杆卡死，更换床位"}}
		// Refused with nothing stored: a station the session does not have,
		// an unknown session, a bad entry.
		for _, bad := range []NewIncident{
			func() NewIncident { n := equip; n.Station = "09"; return n }(),
			func() NewIncident { n := equip; n.Session = "S99"; return n }(),
			func() NewIncident { n := equip; n.AddedMin, n.AddedSec = 0, 0; return n }(),
		} {
			if _, err := s.RecordIncident(ctx, bad); err == nil {
				t.Fatalf("accepted %+v", bad)
			}
		}
		if all, _ := s.Incidents(ctx, d.ev.ID, ""); len(all) != 0 {
			t.Fatalf("refusals stored %d entries", len(all))
		}

		a, err := s.RecordIncident(ctx, equip)
		if err != nil {
			t.Fatal(err)
		}
		if a.No != 1 || a.ContestantID != d.cs[1].ID || a.Name != "考生2" || a.AddedSeconds != 330 || a.Ack != incidents.Pending ||
			a.SessionLabel != "操作技能 第1场" || a.EntryNo == "" || !a.EnteredAt.Equal(now) {
			t.Fatalf("entry: %+v", a)
		}
		breach := NewIncident{EventID: d.ev.ID, Session: "S02", Station: "03", Actor: "chief1", EnteredName: "裁判长甲", EnteredRole: "chief",
			Input: incidents.Input{Kind: incidents.Breach, Occurred: "10:40", Description: "未按要求佩戴手套"}}
		b, err := s.RecordIncident(ctx, breach)
		if err != nil {
			t.Fatal(err)
		}

		// The contestant of station 02 is 考生2 (证件号码 …0022).
		for i := 1; i < incidents.MaxPINFailures; i++ {
			_, err := s.AckIncidentPIN(ctx, d.ev.ID, a.ID, "0011", "judge:1")
			if skillscore.ErrorCode(err) != skillscore.EInvalid || !strings.Contains(skillscore.ErrorMessage(err), "还可再试") {
				t.Fatalf("wrong digits %d: %v", i, err)
			}
		}
		if _, err := s.AckIncidentPIN(ctx, d.ev.ID, a.ID, "12", "judge:1"); skillscore.ErrorCode(err) != skillscore.EInvalid {
			t.Fatalf("short digits: %v", err)
		}
		ok, err := s.AckIncidentPIN(ctx, d.ev.ID, a.ID, "0022", "judge:1")
		if err != nil || ok.Ack != incidents.PIN || ok.AckBy != "judge:1" || ok.AckFailures != incidents.MaxPINFailures-1 {
			t.Fatalf("right digits: %+v %v", ok, err)
		}
		// Acknowledged: no second answer.
		if _, err := s.AckIncident(ctx, d.ev.ID, a.ID, incidents.Refused, "", "chief1"); skillscore.ErrorCode(err) != skillscore.EConflict {
			t.Fatalf("refusal after acknowledgment: %v", err)
		}
		if _, err := s.AckIncidentPIN(ctx, d.ev.ID, a.ID, "0022", "judge:1"); skillscore.ErrorCode(err) != skillscore.EConflict {
			t.Fatalf("second acknowledgment: %v", err)
		}

		// Five wrong digits leave only the printed log.
		for i := 0; i < incidents.MaxPINFailures; i++ {
			if _, err := s.AckIncidentPIN(ctx, d.ev.ID, b.ID, "9999", "chief1"); skillscore.ErrorCode(err) != skillscore.EInvalid {
				t.Fatalf("wrong digits: %v", err)
			}
		}
		if _, err := s.AckIncidentPIN(ctx, d.ev.ID, b.ID, "0033", "chief1"); skillscore.ErrorCode(err) != skillscore.ERateLimited {
			t.Fatalf("digits after %d failures: %v", incidents.MaxPINFailures, err)
		}
		p, err := s.AckIncident(ctx, d.ev.ID, b.ID, incidents.Paper, "", "chief1")
		if err != nil || p.Ack != incidents.Paper {
			t.Fatalf("paper: %+v %v", p, err)
		}
		r, err := s.AckIncident(ctx, d.ev.ID, b.ID, incidents.Refused, "选手拒绝在纸质记录上签字", "chief1")
		if err != nil || r.Ack != incidents.Refused || r.AckNote != "选手拒绝在纸质记录上签字" {
			t.Fatalf("refused: %+v %v", r, err)
		}

		// A correction: a new entry linked to the old, same station; the
		// time added counts the current entry only.
		fix := equip
		fix.AddedMin, fix.AddedSec = 8, 0
		fix.Corrects, fix.Reason = a.ID, "补时按实际停机时间更正"
		wrongStation := fix
		wrongStation.Station = "01"
		if _, err := s.RecordIncident(ctx, wrongStation); skillscore.ErrorCode(err) != skillscore.EInvalid {
			t.Fatalf("correction at another station: %v", err)
		}
		c, err := s.RecordIncident(ctx, fix)
		if err != nil || c.No != 3 || c.Corrects == nil || *c.Corrects != a.ID {
			t.Fatalf("correction: %+v %v", c, err)
		}
		if _, err := s.RecordIncident(ctx, fix); skillscore.ErrorCode(err) != skillscore.EConflict {
			t.Fatalf("second correction of the same entry: %v", err)
		}
		added, err := s.SessionTimeAdded(ctx, d.ev.ID, "S02")
		if err != nil || len(added) != 1 || added[d.cs[1].ID] != 480 {
			t.Fatalf("time added: %v %v", added, err)
		}
		old, _ := s.Incident(ctx, d.ev.ID, a.ID)
		if old.Current() || old.Ack != incidents.PIN || old.AddedSeconds != 330 {
			t.Fatalf("corrected entry changed: %+v", old)
		}
		if list, _ := s.Incidents(ctx, d.ev.ID, "S03"); len(list) != 0 {
			t.Fatalf("S03: %d entries", len(list))
		}

		var actions []string
		entries, err := s.AuditFor(ctx, d.ev.ID, "", "")
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if strings.HasPrefix(e.Action, "incident.") {
				actions = append(actions, e.Action)
			}
		}
		want := "incident.record incident.record" + strings.Repeat(" incident.ack_failed", incidents.MaxPINFailures-1) + " incident.ack" +
			strings.Repeat(" incident.ack_failed", incidents.MaxPINFailures) + " incident.ack incident.ack incident.record"
		if strings.Join(actions, " ") != want {
			t.Fatalf("audit:\n%s\nwant\n%s", strings.Join(actions, " "), want)
		}
		if rep, err := s.VerifyEventAudit(ctx, d.ev.ID); err != nil || rep.Break != nil {
			t.Fatalf("audit chain: %+v %v", rep, err)
		}
	})
}
