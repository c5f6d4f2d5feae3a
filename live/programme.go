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

	"github.com/gorilla/websocket"

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
// 85 events) and encodes the board once; every long poll gets the same
// bytes. Websocket viewers get the board once, then each change as one
// update frame (the event lines and table rows that changed), encoded and
// framed once and written to every socket by the event board's fan-out.
type progHub struct {
	svc   *Service
	code  string
	epoch string
	wake  chan struct{}
	ready chan struct{}

	// heard is apart from mu, which a fan-out holds for a while: a writer's
	// EventChanged must never wait for viewers.
	heard   sync.Mutex
	shows   map[int64]bool // the events on the board
	heardAt time.Time      // when the oldest change not yet shown was heard of

	mu      sync.Mutex
	version int64 // the board's number; the websocket's "revision"
	data    []byte
	board   *ProgrammeBoard // data as built, for the next change's diff
	at      int64           // µs: when the change data shows was heard of
	snap    *frame          // the websocket snapshot of data, encoded on first need
	history []*frame        // the latest updates, oldest first
	audience
	stopped bool // shut down: no viewer may join
	err     error
	changed chan struct{} // closed and replaced at each new version
	events  map[int64]*progEvent
	key     string // what the current board was built from (inputs)
	waiting int    // long polls waiting for the next version
}

func newProgHub(s *Service, code string) *progHub {
	return &progHub{svc: s, code: code, epoch: newEpoch(), wake: make(chan struct{}, 1), ready: make(chan struct{}),
		changed: make(chan struct{}), events: map[int64]*progEvent{}, audience: newAudience()}
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
			h = newProgHub(s, p.Code)
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

// ProgrammeViewers counts the websocket viewers of a programme's board on
// this instance.
func (s *Service) ProgrammeViewers(code string) int {
	s.mu.Lock()
	h := s.progs[code]
	s.mu.Unlock()
	if h == nil {
		return 0
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.viewers)
}

// kickProgrammes wakes the programme hubs that show eventID, which changed
// (heard of at at).
func (s *Service) kickProgrammes(eventID int64, at time.Time) {
	s.mu.Lock()
	hubs := make([]*progHub, 0, len(s.progs))
	for _, h := range s.progs {
		hubs = append(hubs, h)
	}
	s.mu.Unlock()
	for _, h := range hubs {
		if h.heardOf(eventID, at) {
			h.poke()
		}
	}
}

// heardOf records a change of eventID, if the board shows it.
func (h *progHub) heardOf(eventID int64, at time.Time) bool {
	h.heard.Lock()
	defer h.heard.Unlock()
	if !h.shows[eventID] {
		return false
	}
	if h.heardAt.IsZero() {
		h.heardAt = at
	}
	return true
}

func (h *progHub) poke() {
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

// run refreshes on every change heard of and each PollInterval (the safety
// net for changes made elsewhere, and for freeze times passing), at most
// once per MinInterval, and pings the websocket viewers.
func (h *progHub) run(ctx context.Context) {
	defer h.shutdown()
	poll := time.NewTicker(h.svc.cfg.PollInterval)
	defer poll.Stop()
	ping := time.NewTicker(h.svc.cfg.PingInterval)
	defer ping.Stop()
	var last time.Time
	lastErr := ""
	for first := true; ; first = false {
		if !first {
			select {
			case <-ctx.Done():
				return
			case <-h.wake:
			case <-poll.C:
			case <-ping.C:
				h.mu.Lock()
				h.broadcast(h.svc, pingFrame)
				h.mu.Unlock()
				continue
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

// shutdown tells every websocket viewer the server is going away.
func (h *progHub) shutdown() {
	h.mu.Lock()
	h.stopped = true
	all := h.takeAll()
	h.mu.Unlock()
	for _, v := range all {
		v.goodbye(websocket.CloseGoingAway, "服务器正在停止")
	}
}

// refresh re-reads the events whose revision moved and publishes a new
// board when anything shown changed.
func (h *progHub) refresh(ctx context.Context) error {
	h.heard.Lock()
	at := h.heardAt
	h.heardAt = time.Time{}
	h.heard.Unlock()
	if at.IsZero() {
		at = time.Now() // a poll found it
	}
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
	shows := make(map[int64]bool, len(evs))
	for _, ev := range evs {
		shows[ev.ID] = true
	}
	h.heard.Lock()
	h.shows = shows
	h.heard.Unlock()
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
	prev := h.board
	h.version++
	h.data, h.board, h.at, h.snap = data, b, at.UnixMicro(), nil
	close(h.changed)
	h.changed = make(chan struct{})
	if prev == nil {
		return nil // the first board: nobody watches yet
	}
	return h.advance(prev, b)
}

// advance sends the change from prev to the current board to every
// websocket viewer: an update when the board kept its shape, else a
// snapshot. Called with h.mu held, after version moved.
func (h *progHub) advance(prev, b *ProgrammeBoard) error {
	var msg any
	if u, ok := diffProgramme(prev, b); ok {
		u.Type, u.Epoch, u.From, u.Revision, u.At = "update", h.epoch, h.version-1, h.version, h.at
		msg = u
	} else {
		msg = h.snapshotMsg()
	}
	f, err := h.svc.newFrame(h.version-1, h.version, msg, false)
	if err != nil {
		return err
	}
	h.history = append(h.history, f)
	if n := len(h.history) - h.svc.cfg.History; n > 0 {
		h.history = append(h.history[:0:0], h.history[n:]...)
	}
	start := time.Now()
	h.broadcast(h.svc, f)
	h.svc.metrics.fanOut.Observe(time.Since(start).Seconds())
	h.svc.metrics.delay.Observe(time.Since(time.UnixMicro(h.at)).Seconds())
	return nil
}

// Websocket messages of the programme board (docs/programme.md): the same
// envelope as the event board's (epoch, revision, from, at), the board the
// long poll sends, and updates that carry only what changed.

type progSnapshotMsg struct {
	Type     string          `json:"type"` // "snapshot"
	Epoch    string          `json:"epoch"`
	Revision int64           `json:"revision"` // the board's version, as in its ETag
	At       int64           `json:"at"`
	Board    json.RawMessage `json:"board"` // the long poll's very bytes: one build, one seal
}

type progUpdateMsg struct {
	Type     string        `json:"type"` // "update"
	Epoch    string        `json:"epoch"`
	From     int64         `json:"from"`
	Revision int64         `json:"revision"`
	At       int64         `json:"at"`
	Events   []EventStatus `json:"events,omitempty"` // the changed event lines, whole
	Table    *TableChange  `json:"table,omitempty"`  // absent: the table did not change
}

// TableChange is a change of the delegation table: its counts, the rows
// that are new or changed (whole), and, when the order or the set of rows
// changed, every delegation code in table order.
type TableChange struct {
	Counted    int             `json:"counted"`
	Pending    int             `json:"pending"`
	Unassigned []int           `json:"unassigned"`
	RowOrder   []string        `json:"row_order,omitempty"`
	Rows       []DelegationRow `json:"rows,omitempty"`
}

// snapshotMsg is the current board as a snapshot. Called with h.mu held.
func (h *progHub) snapshotMsg() *progSnapshotMsg {
	return &progSnapshotMsg{Type: "snapshot", Epoch: h.epoch, Revision: h.version, At: h.at, Board: h.data}
}

// snapshot returns the encoded snapshot of the current board. Called with
// h.mu held.
func (h *progHub) snapshot() (*frame, error) {
	if h.snap == nil {
		f, err := h.svc.newFrame(0, h.version, h.snapshotMsg(), true)
		if err != nil {
			return nil, err
		}
		h.snap = f
	}
	return h.snap, nil
}

// catchUp returns what a viewer at (epoch, since) needs to reach the
// current board: nothing, the updates it missed, or a snapshot. Called with
// h.mu held.
func (h *progHub) catchUp(epoch string, since int64) ([]*frame, error) {
	if frames, ok := missed(h.epoch, h.version, h.history, h.svc.cfg.SendQueue/2, epoch, since); ok {
		return frames, nil
	}
	f, err := h.snapshot()
	if err != nil {
		return nil, err
	}
	return []*frame{f}, nil
}

// join, resync, leave and name make the board a room (viewer.go).

func (h *progHub) join(v *viewer, epoch string, since int64) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.stopped {
		return fmt.Errorf("live: programme %s: service stopping", h.code)
	}
	if h.data == nil {
		if h.err != nil {
			return h.err
		}
		return fmt.Errorf("live: programme %s has no board yet", h.code)
	}
	frames, err := h.catchUp(epoch, since)
	if err != nil {
		return err
	}
	for _, f := range frames {
		v.enqueue(f)
	}
	h.add(v)
	return nil
}

func (h *progHub) resync(v *viewer, epoch string, since int64) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.viewers[v]; !ok {
		return nil // already dropped
	}
	frames, err := h.catchUp(epoch, since)
	if err != nil {
		return err
	}
	for _, f := range frames {
		if !v.enqueue(f) {
			h.remove(v)
			h.svc.metrics.dropped("slow")
			v.kill()
			return nil
		}
	}
	return nil
}

func (h *progHub) leave(v *viewer) {
	h.mu.Lock()
	h.remove(v)
	h.mu.Unlock()
}

func (h *progHub) name() string { return "programme " + h.code }

// ProgrammeFeed is a programme board's websocket stream, found before the
// upgrade so that an unknown programme is a plain HTTP error.
type ProgrammeFeed struct{ h *progHub }

// ProgrammeFeed returns the board's stream, starting the programme's hub on
// first use and waiting for its first board.
func (s *Service) ProgrammeFeed(ctx context.Context, code string) (*ProgrammeFeed, error) {
	h, err := s.programmeHub(ctx, code)
	if err != nil {
		return nil, err
	}
	h.mu.Lock()
	ok, err := h.data != nil, h.err
	h.mu.Unlock()
	if !ok {
		return nil, skillscore.Wrap(skillscore.EUnavailable, fmt.Errorf("programme %s: %w", code, err), "大赛看板暂不可用，请稍后重试")
	}
	return &ProgrammeFeed{h: h}, nil
}

// Attach streams the board to one websocket: the board (or, for a viewer
// that left off at epoch and since, what it missed), then every change,
// until the viewer leaves, is dropped or the service stops. It returns at
// once, like Feed.Attach; the viewer is held to the same limits (backlog,
// pings, what it may send).
func (f *ProgrammeFeed) Attach(conn *websocket.Conn, epoch string, since int64) {
	attach(f.h.svc, f.h, conn, epoch, since, nil)
}

// diffProgramme returns the update from board a to board b, or false when
// an update cannot carry it (the programme, its events or the table's
// columns changed) and a snapshot must.
func diffProgramme(a, b *ProgrammeBoard) (*progUpdateMsg, bool) {
	if !sameProgrammeShape(a, b) {
		return nil, false
	}
	u := &progUpdateMsg{}
	for i := range b.Events {
		if !sameEventStatus(&a.Events[i], &b.Events[i]) {
			u.Events = append(u.Events, b.Events[i])
		}
	}
	ta, tb := &a.Table, &b.Table
	tc := &TableChange{Counted: tb.Counted, Pending: tb.Pending, Unassigned: tb.Unassigned}
	old := make(map[string]*DelegationRow, len(ta.Rows))
	sameOrder := len(ta.Rows) == len(tb.Rows)
	for i := range ta.Rows {
		old[ta.Rows[i].Code] = &ta.Rows[i]
		if sameOrder && ta.Rows[i].Code != tb.Rows[i].Code {
			sameOrder = false
		}
	}
	if !sameOrder {
		tc.RowOrder = make([]string, len(tb.Rows))
		for i, r := range tb.Rows {
			tc.RowOrder[i] = r.Code
		}
	}
	for i := range tb.Rows {
		if o, ok := old[tb.Rows[i].Code]; !ok || !sameDelegationRow(o, &tb.Rows[i]) {
			tc.Rows = append(tc.Rows, tb.Rows[i])
		}
	}
	if tc.RowOrder != nil || tc.Rows != nil || ta.Counted != tb.Counted || ta.Pending != tb.Pending ||
		!slices.Equal(ta.Unassigned, tb.Unassigned) {
		u.Table = tc
	}
	if u.Events == nil && u.Table == nil {
		// The bytes differ yet no line did: a snapshot is right whatever
		// the difference was.
		return nil, false
	}
	return u, true
}

func sameProgrammeShape(a, b *ProgrammeBoard) bool {
	if a.Programme != b.Programme || len(a.Events) != len(b.Events) || !slices.Equal(a.Table.Bands, b.Table.Bands) ||
		a.Table.Order != b.Table.Order || a.Table.Team != b.Table.Team {
		return false
	}
	for i := range a.Events {
		if a.Events[i].Code != b.Events[i].Code {
			return false
		}
	}
	return true
}

func sameEventStatus(a, b *EventStatus) bool {
	if (a.Progress == nil) != (b.Progress == nil) || (a.Progress != nil && *a.Progress != *b.Progress) {
		return false
	}
	x, y := *a, *b
	x.Progress, y.Progress = nil, nil
	return x == y
}

func sameDelegationRow(a, b *DelegationRow) bool {
	return a.Position == b.Position && a.Shared == b.Shared && a.Code == b.Code && a.Name == b.Name &&
		a.Awards == b.Awards && a.Points == b.Points && a.TeamRank == b.TeamRank && a.Prize == b.Prize &&
		slices.Equal(a.Counts, b.Counts) && slices.Equal(a.Reasons, b.Reasons)
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
