package store

import (
	"context"
	"testing"

	"skillscore/scoring"
	"skillscore/seating"
)

// The overview's 缺考 counts each candidate absent from any part once: one
// absent when the theory sitting's sign-in closed (who may still sit the
// skills, so has no status), one 缺考 only in the theory file, one with the
// status 缺考, and one absent both at the sitting and in the file.
func TestBatchProgressCountsEveryAbsence(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		s := open(Options{})
		ctx := context.Background()
		ev, cs := newBatch(t, s, "jx-rd-absent", "2026-KY-09", twoRooms(), 6) // cs[2] and cs[5] are 补考
		if _, err := s.AssignSeats(ctx, ev.ID, seating.ByEntryNo, "", []seating.Sitting{
			{Module: "theory", Day: "2026-06-10", Starts: "08:30", Ends: "10:00"},
			{Module: "skill", Day: "2026-06-10", Starts: "13:30", Ends: "15:00"}}, "organizer"); err != nil {
			t.Fatal(err)
		}
		people, err := s.SchedulePeople(ctx, ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		entry := map[int64]string{}
		for _, p := range people {
			entry[p.ContestantID] = p.EntryNo
		}
		ss, err := s.Schedule(ctx, ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		// cs[0] (新考) and cs[2] (补考) stay away from the theory; the others
		// sign in.
		for _, x := range ss {
			if x.Module != "theory" {
				continue
			}
			for _, e := range x.Entries {
				if e.ContestantID == cs[0].ID || e.ContestantID == cs[2].ID {
					continue
				}
				id := byID(cs, e.ContestantID).IDNumber
				if _, err := s.CheckIn(ctx, CheckinRequest{EventID: ev.ID, Session: x.Code, EntryNo: entry[e.ContestantID],
					Digits: id[len(id)-4:], Actor: "keeper"}); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := s.CloseSession(ctx, ev.ID, x.Code, "chief"); err != nil {
				t.Fatal(err)
			}
		}
		mods, err := s.Modules(ctx, ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		var rows []ImportedScore
		for i, c := range cs {
			rows = append(rows, ImportedScore{ContestantID: c.ID, Value: 700000, Absent: i == 0 || i == 3})
		}
		if _, err := s.ImportScores(ctx, ev.ID, mods[0].ID, rows, "理论.xlsx", "organizer"); err != nil {
			t.Fatal(err)
		}
		if err := s.SetContestantStatus(ctx, ev.ID, cs[4].ID, scoring.StatusAbsent, "未到考点", "organizer"); err != nil {
			t.Fatal(err)
		}
		p, err := s.BatchProgressOf(ctx, ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		// 新考 cs[0] (sitting and file), cs[3] (file), cs[4] (status);
		// 补考 cs[2] (sitting).
		if p.Absent != (BatchStage{New: 3, Retake: 1}) || p.Imported != (BatchStage{New: 4, Retake: 2}) {
			t.Errorf("progress: absent %+v of %+v", p.Absent, p.Imported)
		}
	})
}

func byID(cs []Contestant, id int64) Contestant {
	for _, c := range cs {
		if c.ID == id {
			return c
		}
	}
	return Contestant{}
}
