package demo

import (
	"cmp"
	"context"
	"fmt"
	"time"

	"skillscore/incidents"
	"skillscore/store"
)

// IncidentsStore is what the finished event's 赛场记录 needs besides
// FinishedStore: the schedule, the judges and the incident log.
type IncidentsStore interface {
	Schedule(ctx context.Context, eventID int64) ([]store.SessionState, error)
	Judges(ctx context.Context, eventID int64) ([]store.Judge, error)
	Contestant(ctx context.Context, eventID, id int64) (store.Contestant, error)
	IncidentStations(ctx context.Context, judgeID int64) ([]store.IncidentStation, error)
	RecordIncident(ctx context.Context, n store.NewIncident) (store.Incident, error)
	AckIncident(ctx context.Context, eventID, id int64, ack, note, actor string) (store.Incident, error)
	AckIncidentPIN(ctx context.Context, eventID, id int64, digits, actor string) (store.Incident, error)
}

// OversightIncidents gives the finished event its 赛场记录 on the
// competition day (18 April): an equipment fault at station 03 of the first
// session with 6 分 30 秒 added, entered by a judge of that station and
// acknowledged by the contestant on the tablet (the last 4 of the 证件号码),
// and a rule breach at station 07 entered by the chief judge, to be signed
// on the printed log (待签字). An event without a schedule first gets one
// (ten stations a session of the first practical module, as the event in
// progress). The clock is set back to where it was.
func OversightIncidents(ctx context.Context, st FinishedStore, clock *Clock, ev store.Event, p People) error {
	is, ok := st.(IncidentsStore)
	if !ok {
		return fmt.Errorf("demo incidents: the store keeps no incident log")
	}
	prev := clock.Now()
	defer clock.Set(prev)
	day := FinishedAt(18, 8)
	clock.Set(day)
	sched, err := is.Schedule(ctx, ev.ID)
	if err != nil {
		return err
	}
	if len(sched) == 0 {
		if err := finishedSchedule(ctx, st, ev); err != nil {
			return err
		}
		if sched, err = is.Schedule(ctx, ev.ID); err != nil {
			return err
		}
	}
	if len(sched) == 0 || len(sched[0].Rows) < 7 {
		return fmt.Errorf("demo incidents: the first session has too few stations")
	}
	first := sched[0]
	fault, breach := first.Rows[2], first.Rows[6]

	// The equipment fault, entered by a judge who scores that station.
	js, err := is.Judges(ctx, ev.ID)
	if err != nil {
		return err
	}
	var judge *store.Judge
	for i := range js {
		stations, err := is.IncidentStations(ctx, js[i].ID)
		if err != nil {
			return err
		}
		for _, x := range stations {
			if x.Session == first.Code && x.Station == fault.Station {
				judge = &js[i]
			}
		}
		if judge != nil {
			break
		}
	}
	if judge == nil {
		return fmt.Errorf("demo incidents: no judge scores station %s of %s", fault.Station, first.Code)
	}
	clock.Set(day.Add(65 * time.Minute))
	by := fmt.Sprintf("judge:%d", judge.ID)
	e, err := is.RecordIncident(ctx, store.NewIncident{EventID: ev.ID, Session: first.Code, Station: fault.Station,
		Input: incidents.Input{Kind: incidents.Equipment, Occurred: "09:02", AddedMin: 6, AddedSec: 30,
			Description: "护理床升降摇杆卡死，无法完成体位转换操作；技术保障人员更换备用护理床，停机 6 分 30 秒，按规定补时。"},
		Actor: by, EnteredName: judge.Name, EnteredRole: "judge"})
	if err != nil {
		return fmt.Errorf("demo incident: %w", err)
	}
	c, err := is.Contestant(ctx, ev.ID, fault.ContestantID)
	if err != nil {
		return err
	}
	clock.Set(day.Add(67 * time.Minute))
	if _, err := is.AckIncidentPIN(ctx, ev.ID, e.ID, last4(c.IDNumber), by); err != nil {
		return fmt.Errorf("demo incident acknowledgment: %w", err)
	}

	// The rule breach, entered by the chief judge; the contestant signs the
	// printed log.
	clock.Set(day.Add(95 * time.Minute))
	b, err := is.RecordIncident(ctx, store.NewIncident{EventID: ev.ID, Session: first.Code, Station: breach.Station,
		Input: incidents.Input{Kind: incidents.Breach, Occurred: "09:30",
			Description: "操作过程中未按规定佩戴口罩，裁判提醒后立即改正；按技术文件第 7 条记录，不影响评分。"},
		Actor: p.Chief, EnteredName: cmp.Or(p.ChiefName, p.Chief), EnteredRole: "chief"})
	if err != nil {
		return fmt.Errorf("demo incident: %w", err)
	}
	if _, err := is.AckIncident(ctx, ev.ID, b.ID, incidents.Paper, "", p.Chief); err != nil {
		return fmt.Errorf("demo incident acknowledgment: %w", err)
	}
	return nil
}

// finishedSchedule gives the finished event its 参赛证号 and a schedule of
// the first practical module, ten stations a session, on its first day.
func finishedSchedule(ctx context.Context, st FinishedStore, ev store.Event) error {
	mods, err := st.Modules(ctx, ev.ID)
	if err != nil {
		return err
	}
	_, err = firstPracticalSchedule(ctx, st, ev, mods)
	return err
}
