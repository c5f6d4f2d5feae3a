package demo

import (
	"context"
	"fmt"

	"skillscore/sessions"
	"skillscore/store"
)

// SessionsStore is what the demo's schedule and 检录 need.
type SessionsStore interface {
	AssignEntryNumbers(ctx context.Context, eventID int64, actor string) (int, error)
	SchedulePeople(ctx context.Context, eventID int64) ([]sessions.Person, error)
	SaveSchedule(ctx context.Context, eventID int64, ss []sessions.Session, actor string) error
	CheckIn(ctx context.Context, req store.CheckinRequest) (store.CheckinResult, error)
	CardToken(eventID, contestantID int64) (string, error)
}

// scheduler is what giving an event a schedule needs.
type scheduler interface {
	AssignEntryNumbers(ctx context.Context, eventID int64, actor string) (int, error)
	SchedulePeople(ctx context.Context, eventID int64) ([]sessions.Person, error)
	SaveSchedule(ctx context.Context, eventID int64, ss []sessions.Session, actor string) error
}

// firstPracticalSchedule gives an event its 参赛证号 and a schedule of its
// first practical module, ten stations a session, on its first day, and
// returns the sessions.
func firstPracticalSchedule(ctx context.Context, st scheduler, ev store.Event, mods []store.Module) ([]sessions.Session, error) {
	if _, err := st.AssignEntryNumbers(ctx, ev.ID, actor); err != nil {
		return nil, fmt.Errorf("demo entry numbers: %w", err)
	}
	people, err := st.SchedulePeople(ctx, ev.ID)
	if err != nil {
		return nil, err
	}
	var mod store.Module
	for _, m := range mods {
		if m.Kind == "practical" {
			mod = m
			break
		}
	}
	var stations []string
	for i := 1; i <= 10; i++ {
		stations = append(stations, fmt.Sprintf("%02d", i))
	}
	ss, err := sessions.Generate(sessions.Plan{Prefix: "S", Name: mod.Name, Venue: "实训楼 A 区", Module: mod.Code,
		Stations: stations, Day: ev.StartsOn, First: "08:30", Minutes: 90, Gap: 30}, people)
	if err != nil {
		return nil, fmt.Errorf("demo sessions: %w", err)
	}
	if err := st.SaveSchedule(ctx, ev.ID, ss, actor); err != nil {
		return nil, fmt.Errorf("demo sessions: %w", err)
	}
	return ss, nil
}

// addSessions gives the running event its 参赛证号 and a schedule of the
// first practical module, ten stations a session, on its first day; in the
// first session, under way, six contestants have checked in (one by the
// entry card's QR code) and one is held as 人证不符 for the chief.
func addSessions(ctx context.Context, st SessionsStore, ev store.Event, mods []store.Module, cs []store.Contestant) error {
	ss, err := firstPracticalSchedule(ctx, st, ev, mods)
	if err != nil {
		return err
	}
	ids := map[int64]string{}
	for _, c := range cs {
		ids[c.ID] = c.IDNumber
	}
	for i, e := range ss[0].Entries[:7] {
		req := store.CheckinRequest{EventID: ev.ID, Session: ss[0].Code, EntryNo: e.EntryNo, Digits: last4(ids[e.ContestantID]), Actor: "keeper1"}
		switch i {
		case 5:
			if req.Token, err = st.CardToken(ev.ID, e.ContestantID); err != nil {
				return err
			}
		case 6:
			req.Digits = "0000"
			if req.Digits == last4(ids[e.ContestantID]) {
				req.Digits = "1111"
			}
		}
		if _, err := st.CheckIn(ctx, req); err != nil {
			return fmt.Errorf("demo check-in: %w", err)
		}
	}
	return nil
}

func last4(id string) string { return id[len(id)-4:] }
