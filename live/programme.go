package live

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"skillscore"
	"skillscore/programme"
	"skillscore/results"
	"skillscore/store"
)

// ProgrammeSource is what the programme board reads besides Source.
type ProgrammeSource interface {
	ProgrammeByCode(ctx context.Context, code string) (store.Programme, error)
	ProgrammeEvents(ctx context.Context, programmeID int64) ([]store.Event, error)
	Delegations(ctx context.Context, programmeID int64) ([]store.Delegation, error)
	Workflow(ctx context.Context, eventID int64) (store.Workflow, error)
}

// Programme board statuses of an event (赛项).
const (
	StatusSetup       = "setup"       // no marks yet
	StatusRunning     = "running"     // marks coming in
	StatusFrozen      = "frozen"      // public board frozen (封榜 or the award ceremony)
	StatusPublication = "publication" // results published (公示)
	StatusFinal       = "final"       // final results
)

var statusNames = map[string]string{StatusSetup: "准备中", StatusRunning: "比赛中", StatusFrozen: "封榜",
	StatusPublication: "公示中", StatusFinal: "成绩已确认"}

// ProgrammeBoard is the programme's public board: every event's live
// status and the delegation table of the events whose results are public.
type ProgrammeBoard struct {
	Programme ProgrammeInfo   `json:"programme"`
	Events    []EventStatus   `json:"events"`
	Table     DelegationTable `json:"table"`
}

// ProgrammeInfo names the programme.
type ProgrammeInfo struct {
	Code string `json:"code"`
	Name string `json:"name"`
	Year int    `json:"year"`
}

// EventStatus is one event's line on the programme board. Progress is the
// public board's ("已完成评分"), absent while that board is frozen.
type EventStatus struct {
	Code        string    `json:"code"`
	Name        string    `json:"name"`
	Occupation  string    `json:"occupation"`
	Status      string    `json:"status"`
	StatusName  string    `json:"status_name"`
	Contestants int       `json:"contestants"`
	Progress    *Progress `json:"progress,omitempty"`
	Counted     bool      `json:"counted"` // its awards are in the table
}

// DelegationTable is programme.Table as sent to viewers.
type DelegationTable struct {
	Bands      []BandHead      `json:"bands"`
	Order      string          `json:"order"`
	Team       bool            `json:"team"`
	Rows       []DelegationRow `json:"rows"`
	Counted    int             `json:"counted"`
	Pending    int             `json:"pending"`
	Unassigned []int           `json:"unassigned"`
}

// BandHead heads a count column.
type BandHead struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// DelegationRow is one delegation's line.
type DelegationRow struct {
	Position int      `json:"position"`
	Shared   bool     `json:"shared,omitempty"`
	Code     string   `json:"code"`
	Name     string   `json:"name"`
	Counts   []int    `json:"counts"`
	Awards   int      `json:"awards"`
	Points   int      `json:"points"`
	TeamRank int      `json:"team_rank,omitempty"`
	Prize    string   `json:"prize,omitempty"`
	Reasons  []string `json:"reasons"`
}

// progEvent is one event as last read, kept until its revision moves.
type progEvent struct {
	rev     int64
	status  EventStatus
	final   bool
	live    store.LiveState
	entries []programme.Entry // only once the results are published or final
	people  map[string]*int64 // scoring key → delegation id
}

// progHub keeps one programme's board. Its goroutine re-reads only the
// events whose revision moved, rebuilds the table (a few milliseconds for
// 85 events) and encodes the board once; every viewer gets the same bytes.
type progHub struct {
	svc   *Service
	code  string
	epoch string
	wake  chan struct{}
	ready chan struct{}

	mu      sync.Mutex
	version int64
	data    []byte
	err     error
	changed chan struct{} // closed and replaced at each new version
	events  map[int64]*progEvent
	key     string // what the current board was built from (inputs)
	waiting int    // long polls waiting for the next version
}

func (s *Service) programmeHub(ctx context.Context, code string) (*progHub, error) {
	if s.cfg.Programmes == nil {
		return nil, skillscore.Errorf(skillscore.EUnavailable, "本服务未启用大赛实时看板")
	}
	if s.ctx.Err() != nil {
		return nil, skillscore.Errorf(skillscore.EUnavailable, "实时成绩服务已停止")
	}
	s.mu.Lock()
	h := s.progs[code]
	s.mu.Unlock()
	if h == nil {
		p, err := s.cfg.Programmes.ProgrammeByCode(ctx, code)
		if err != nil {
			return nil, err
		}
		s.mu.Lock()
		created := false
		if h = s.progs[p.Code]; h == nil {
			h = &progHub{svc: s, code: p.Code, epoch: newEpoch(), wake: make(chan struct{}, 1), ready: make(chan struct{}),
				changed: make(chan struct{}), events: map[int64]*progEvent{}}
			s.progs[p.Code], created = h, true
		}
		s.mu.Unlock()
		if created {
			s.goRun(h.run)
		}
	}
	select {
	case <-h.ready:
	case <-ctx.Done():
		return nil, skillscore.Wrap(skillscore.EUnavailable, ctx.Err(), "大赛看板暂不可用，请稍后重试")
	case <-s.ctx.Done():
		return nil, skillscore.Errorf(skillscore.EUnavailable, "实时成绩服务已停止")
	}
	return h, nil
}

// ProgrammeBoard returns the programme's board as JSON and its ETag. When
// since is the current ETag it waits (long poll) until the board changes,
// wait passes or ctx ends, and then returns the board as it is.
func (s *Service) ProgrammeBoard(ctx context.Context, code, since string, wait time.Duration) (data []byte, etag string, err error) {
	h, err := s.programmeHub(ctx, code)
	if err != nil {
		return nil, "", err
	}
	h.mu.Lock()
	data, etag, changed, err := h.data, h.etag(), h.changed, h.err
	if data == nil {
		h.mu.Unlock()
		return nil, "", skillscore.Wrap(skillscore.EUnavailable, fmt.Errorf("programme %s: %w", code, err), "大赛看板暂不可用，请稍后重试")
	}
	if since != etag || wait <= 0 {
		h.mu.Unlock()
		return data, etag, nil
	}
	h.waiting++
	h.mu.Unlock()
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-changed:
	case <-t.C:
	case <-ctx.Done():
	case <-s.ctx.Done():
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.waiting--
	return h.data, h.etag(), nil
}

// ProgrammeWaiters counts the long polls waiting on a programme's board on
// this instance.
func (s *Service) ProgrammeWaiters(code string) int {
	s.mu.Lock()
	h := s.progs[code]
	s.mu.Unlock()
	if h == nil {
		return 0
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.waiting
}

// etag names the current version; called with h.mu held.
func (h *progHub) etag() string { return `"` + h.epoch + "-" + strconv.FormatInt(h.version, 10) + `"` }

// kickProgrammes wakes the programme hubs that show eventID.
func (s *Service) kickProgrammes(eventID int64) {
	s.mu.Lock()
	hubs := make([]*progHub, 0, len(s.progs))
	for _, h := range s.progs {
		hubs = append(hubs, h)
	}
	s.mu.Unlock()
	for _, h := range hubs {
		h.mu.Lock()
		_, ok := h.events[eventID]
		h.mu.Unlock()
		if ok {
			h.poke()
		}
	}
}

func (h *progHub) poke() {
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

// run refreshes on every change heard of and each PollInterval (the safety
// net for changes made elsewhere, and for freeze times passing), at most
// once per MinInterval.
func (h *progHub) run(ctx context.Context) {
	poll := time.NewTicker(h.svc.cfg.PollInterval)
	defer poll.Stop()
	var last time.Time
	lastErr := ""
	for first := true; ; first = false {
		if !first {
			select {
			case <-ctx.Done():
				return
			case <-h.wake:
			case <-poll.C:
			}
			if wait := h.svc.cfg.MinInterval - time.Since(last); wait > 0 {
				select {
				case <-ctx.Done():
					return
				case <-time.After(wait):
				}
			}
		}
		last = time.Now()
		err := h.refresh(ctx)
		h.mu.Lock()
		h.err = err
		h.mu.Unlock()
		if first {
			close(h.ready)
		}
		switch {
		case err == nil:
			lastErr = ""
		case ctx.Err() == nil && err.Error() != lastErr:
			lastErr = err.Error()
			h.svc.log.Error("live: programme refresh failed", "programme", h.code, "err", err)
		}
	}
}

// refresh re-reads the events whose revision moved and publishes a new
// board when anything shown changed.
func (h *progHub) refresh(ctx context.Context) error {
	psrc, src := h.svc.cfg.Programmes, h.svc.cfg.Source
	p, err := psrc.ProgrammeByCode(ctx, h.code)
	if err != nil {
		return err
	}
	rules, err := programme.ParseRules([]byte(p.Rules))
	if err != nil {
		return fmt.Errorf("programme %s rules: %w", p.Code, err)
	}
	evs, err := psrc.ProgrammeEvents(ctx, p.ID)
	if err != nil {
		return err
	}
	dels, err := psrc.Delegations(ctx, p.ID)
	if err != nil {
		return err
	}
	h.mu.Lock()
	old := h.events
	h.mu.Unlock()
	cur := make(map[int64]*progEvent, len(evs))
	for _, ev := range evs {
		if pe := old[ev.ID]; pe != nil && pe.rev == ev.Revision {
			cur[ev.ID] = pe
			continue
		}
		pe, err := readProgEvent(ctx, src, psrc, ev)
		if err != nil {
			return err
		}
		cur[ev.ID] = pe
	}
	now := h.svc.now()
	// A poll that finds nothing moved (no revision, delegation, rule or
	// freeze state) rebuilds nothing: one computation per change.
	var key strings.Builder
	fmt.Fprintf(&key, "%d|%s|", p.UpdatedAt.UnixMicro(), p.Name)
	for _, d := range dels {
		fmt.Fprintf(&key, "%d:%s:%s|", d.ID, d.Code, d.Name)
	}
	for _, ev := range evs {
		fmt.Fprintf(&key, "%d:%d:%t|", ev.ID, cur[ev.ID].rev, cur[ev.ID].live.Frozen(now))
	}
	h.mu.Lock()
	same := key.String() == h.key && h.data != nil
	h.events = cur
	h.mu.Unlock()
	if same {
		return nil
	}
	b := buildProgrammeBoard(p, rules, dels, evs, cur, now)
	data, err := json.Marshal(b)
	if err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.key = key.String()
	if bytes.Equal(data, h.data) {
		return nil
	}
	h.version++
	h.data = data
	close(h.changed)
	h.changed = make(chan struct{})
	return nil
}

// readProgEvent computes one event's public standings: marks of submitted
// sheets only unless the event shows drafts live, like the event's board.
func readProgEvent(ctx context.Context, src Source, psrc ProgrammeSource, ev store.Event) (*progEvent, error) {
	state, err := src.LiveState(ctx, ev.ID)
	if err != nil {
		return nil, err
	}
	snap, err := src.Snapshot(ctx, ev.ID)
	if err != nil {
		return nil, err
	}
	w, err := psrc.Workflow(ctx, ev.ID)
	if err != nil {
		return nil, err
	}
	pe := &progEvent{rev: snap.Event.Revision, live: state, final: w.Stage == store.StageFinal,
		status: EventStatus{Code: ev.Code, Name: ev.Name, Occupation: ev.Occupation, Contestants: len(snap.Contestants)}}
	if !state.LiveDraftMarks {
		snap = results.WithoutDrafts(snap)
	}
	st, err := results.Compute(snap)
	if err != nil {
		// An event whose rules are still being written has no standings
		// yet; it shows as 准备中 rather than failing the whole board.
		if skillscore.ErrorCode(err) == skillscore.EConflict {
			return pe, nil
		}
		return nil, err
	}
	pe.status.Progress = &Progress{Done: st.Done, Expected: st.Expected}
	if !state.Published() && !pe.final {
		return pe, nil // sealed: nothing of its ranks or awards is kept
	}
	pe.people = make(map[string]*int64, len(st.Contestants))
	for key, c := range st.Contestants {
		pe.people[key] = c.DelegationID
	}
	for _, r := range st.Result.Contestants {
		pe.entries = append(pe.entries, programme.Entry{ID: r.ID, Group: r.Group, GroupName: r.GroupName, Rank: r.Rank, Award: r.Award})
	}
	return pe, nil
}

// buildProgrammeBoard puts the statuses and the table together at time now.
// An event counts once its results are final, or published with its public
// board not frozen: a freeze or an award ceremony keeps its awards off the
// table until the board is unfrozen, so the table never tells what the
// event's own board still hides.
func buildProgrammeBoard(p store.Programme, rules *programme.Rules, dels []store.Delegation, evs []store.Event,
	cur map[int64]*progEvent, now time.Time) *ProgrammeBoard {
	b := &ProgrammeBoard{Programme: ProgrammeInfo{Code: p.Code, Name: p.Name, Year: p.Year}, Events: []EventStatus{}}
	codeOf := make(map[int64]string, len(dels))
	pdels := make([]programme.Delegation, len(dels))
	for i, d := range dels {
		codeOf[d.ID] = d.Code
		pdels[i] = programme.Delegation{Code: d.Code, Name: d.Name}
	}
	pevs := make([]programme.Event, 0, len(evs))
	for _, ev := range evs {
		pe := cur[ev.ID]
		st := pe.status
		frozen := pe.live.Frozen(now)
		switch {
		case pe.final:
			st.Status = StatusFinal
		case frozen:
			st.Status = StatusFrozen
		case pe.live.Published():
			st.Status = StatusPublication
		case st.Progress != nil && st.Progress.Done > 0:
			st.Status = StatusRunning
		default:
			st.Status = StatusSetup
		}
		if frozen {
			st.Progress = nil
		}
		st.StatusName = statusNames[st.Status]
		st.Counted = pe.final || (pe.live.Published() && !frozen)
		pev := programme.Event{Code: ev.Code, Name: ev.Name, Counted: st.Counted}
		if st.Counted {
			pev.Entries = make([]programme.Entry, len(pe.entries))
			for i, e := range pe.entries {
				if id := pe.people[e.ID]; id != nil {
					e.Delegation = codeOf[*id]
				}
				pev.Entries[i] = e
			}
		}
		pevs = append(pevs, pev)
		b.Events = append(b.Events, st)
	}
	t := programme.Compute(rules, pdels, pevs)
	b.Table = DelegationTable{Order: t.Order, Team: t.Team, Rows: []DelegationRow{}, Counted: len(t.Counted),
		Pending: len(t.Pending), Unassigned: t.Unassigned}
	for _, band := range t.Bands {
		b.Table.Bands = append(b.Table.Bands, BandHead{Code: band.Code, Name: band.Name})
	}
	for _, r := range t.Rows {
		b.Table.Rows = append(b.Table.Rows, DelegationRow{Position: r.Position, Shared: r.Shared, Code: r.Code, Name: r.Name,
			Counts: r.Counts, Awards: r.Awards, Points: r.Points, TeamRank: r.TeamRank, Prize: r.Prize,
			Reasons: slices.Clone(r.Reasons)})
	}
	return b
}

// ProgrammeTable computes a programme's delegation table once, from the
// store, under the same rules as the board (the command line's table).
func ProgrammeTable(ctx context.Context, src Source, psrc ProgrammeSource, code string, now time.Time) (*ProgrammeBoard, error) {
	p, err := psrc.ProgrammeByCode(ctx, code)
	if err != nil {
		return nil, err
	}
	rules, err := programme.ParseRules([]byte(p.Rules))
	if err != nil {
		return nil, skillscore.Wrap(skillscore.EConflict, err, "大赛规则无效："+err.Error())
	}
	evs, err := psrc.ProgrammeEvents(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	dels, err := psrc.Delegations(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	cur := make(map[int64]*progEvent, len(evs))
	for _, ev := range evs {
		if cur[ev.ID], err = readProgEvent(ctx, src, psrc, ev); err != nil {
			return nil, err
		}
	}
	return buildProgrammeBoard(p, rules, dels, evs, cur, now), nil
}
