// Package livetest helps tests and the load tool drive live streams for
// real: a Marker writes judges' marks that move the standings, and a Client
// is a real websocket spectator that applies what it receives the way the
// pages do and checks the protocol's order as it goes.
package livetest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"skillscore/live"
	"skillscore/scoring"
	"skillscore/store"
)

// MarkStore is what a Marker needs from the database.
type MarkStore interface {
	EventByCode(ctx context.Context, code string) (store.Event, error)
	Modules(ctx context.Context, eventID int64) ([]store.Module, error)
	Contestants(ctx context.Context, eventID int64) ([]store.Contestant, error)
	Panels(ctx context.Context, eventID int64) ([]store.PanelMember, error)
	Marks(ctx context.Context, eventID int64) ([]store.MarkRow, error)
	RecordMark(ctx context.Context, op store.MarkOp) (store.MarkAck, error)
}

// Marker writes the chief judge's marks on the first judgement aspect of an
// event's last judged module, for the contestants nobody has marked there
// yet, cycling through them and alternating 1 and 3 points, so every mark
// changes somebody's total.
type Marker struct {
	st     MarkStore
	Event  store.Event
	module store.Module
	aspect store.Aspect
	judge  int64
	cs     []store.Contestant
	n      atomic.Int64
	opsTag string
}

// NewMarker prepares marks for the event with the given code.
func NewMarker(ctx context.Context, st MarkStore, code string) (*Marker, error) {
	ev, err := st.EventByCode(ctx, code)
	if err != nil {
		return nil, err
	}
	mods, err := st.Modules(ctx, ev.ID)
	if err != nil {
		return nil, err
	}
	m := &Marker{st: st, Event: ev, opsTag: fmt.Sprintf("lt%d", time.Now().UnixNano())}
	for _, mod := range mods {
		if mod.Imported {
			continue
		}
		for _, a := range mod.Aspects {
			if a.Kind == string(scoring.Judgement) {
				m.module, m.aspect = mod, a
				break
			}
		}
	}
	if m.aspect.ID == 0 {
		return nil, fmt.Errorf("livetest: event %s has no judgement aspect", code)
	}
	panels, err := st.Panels(ctx, ev.ID)
	if err != nil {
		return nil, err
	}
	for _, p := range panels {
		if p.ModuleID == m.module.ID && p.Chief {
			m.judge = p.JudgeID
		}
	}
	cs, err := st.Contestants(ctx, ev.ID)
	if err != nil {
		return nil, err
	}
	marks, err := st.Marks(ctx, ev.ID)
	if err != nil {
		return nil, err
	}
	marked := map[int64]bool{}
	for _, mk := range marks {
		if mk.ModuleCode == m.module.Code && mk.AspectCode == m.aspect.Code {
			marked[mk.ContestantID] = true
		}
	}
	for _, c := range cs {
		if !marked[c.ID] {
			m.cs = append(m.cs, c)
		}
	}
	if m.judge == 0 || len(m.cs) == 0 {
		return nil, fmt.Errorf("livetest: event %s has no chief judge or no contestants for module %s", code, m.module.Code)
	}
	return m, nil
}

// Next writes the next mark and returns the revision it committed.
func (m *Marker) Next(ctx context.Context) (int64, error) {
	i := m.n.Add(1) - 1
	c := m.cs[int(i)%len(m.cs)]
	v := scoring.Points(1)
	if (i/int64(len(m.cs)))%2 == 1 {
		v = scoring.Points(3)
	}
	ack, err := m.st.RecordMark(ctx, store.MarkOp{
		OpID: fmt.Sprintf("%s-%d", m.opsTag, i), EventID: m.Event.ID, ModuleID: m.module.ID, ContestantID: c.ID,
		JudgeID: m.judge, AspectID: m.aspect.ID, Value: int64(v), Actor: "livetest",
	})
	if err != nil {
		return 0, err
	}
	return ack.Revision, nil
}

// Message is any frame of the spectator stream (docs/live.md).
type Message struct {
	Type     string           `json:"type"`
	Epoch    string           `json:"epoch"`
	View     string           `json:"view"`
	From     int64            `json:"from"`
	Revision int64            `json:"revision"`
	At       int64            `json:"at"`
	Board    *live.Board      `json:"board"`
	Progress live.Progress    `json:"progress"`
	Groups   []live.GroupDiff `json:"groups"`
	Raw      []byte           `json:"-"`
}

// Client is one spectator websocket.
type Client struct {
	Conn     *websocket.Conn
	Epoch    string
	Revision int64
	Board    *live.Board
}

// Dial opens a spectator websocket at url (ws://…/live?…).
func Dial(ctx context.Context, url string) (*Client, *http.Response, error) {
	conn, resp, err := websocket.DefaultDialer.DialContext(ctx, url, nil)
	if err != nil {
		return nil, resp, err
	}
	return &Client{Conn: conn, Revision: -1}, resp, nil
}

// Read reads the next frame, within timeout.
func (c *Client) Read(timeout time.Duration) (*Message, error) {
	c.Conn.SetReadDeadline(time.Now().Add(timeout))
	_, data, err := c.Conn.ReadMessage()
	if err != nil {
		return nil, err
	}
	var m Message
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("frame is not JSON: %w: %s", err, data)
	}
	m.Raw = data
	return &m, nil
}

// Apply applies a frame as the pages do. An update that does not follow
// the client's revision (a gap) is an error and changes nothing.
func (c *Client) Apply(m *Message) error {
	switch m.Type {
	case "snapshot":
		if m.Board == nil {
			return fmt.Errorf("snapshot without a board")
		}
		c.Epoch, c.Revision, c.Board = m.Epoch, m.Revision, m.Board
		return nil
	case "update":
		if c.Board == nil || m.Epoch != c.Epoch || m.From != c.Revision {
			return fmt.Errorf("gap: update %d→%d (epoch %s) on revision %d (epoch %s)", m.From, m.Revision, m.Epoch, c.Revision, c.Epoch)
		}
		if m.Revision <= m.From {
			return fmt.Errorf("update goes backwards: %d→%d", m.From, m.Revision)
		}
		ApplyUpdate(c.Board, m.Progress, m.Groups)
		c.Revision = m.Revision
		return nil
	}
	return fmt.Errorf("unknown frame type %q", m.Type)
}

// ApplyUpdate applies an update's changes to a board.
func ApplyUpdate(b *live.Board, p live.Progress, groups []live.GroupDiff) {
	b.Progress = p
	for _, d := range groups {
		i := slices.IndexFunc(b.Groups, func(g live.Group) bool { return g.Code == d.Code })
		if i < 0 {
			continue
		}
		g := &b.Groups[i]
		byKey := map[string]live.Row{}
		order := make([]string, 0, len(g.Rows))
		for _, r := range g.Rows {
			byKey[r.Key] = r
			order = append(order, r.Key)
		}
		for _, r := range d.Rows {
			byKey[r.Key] = r
		}
		if d.Order != nil {
			order = d.Order
		}
		g.Rows = g.Rows[:0:0]
		for _, k := range order {
			if r, ok := byKey[k]; ok {
				g.Rows = append(g.Rows, r)
			}
		}
		g.Hidden = d.Hidden
	}
}

// Resync asks the server for what the client missed since its revision.
func (c *Client) Resync(epoch string, revision int64) error {
	return c.Conn.WriteJSON(map[string]any{"type": "resync", "epoch": epoch, "revision": revision})
}

// Close closes the websocket.
func (c *Client) Close() error { return c.Conn.Close() }

// ProgrammeMessage is any frame of a programme board's stream
// (docs/programme.md).
type ProgrammeMessage struct {
	Type     string               `json:"type"`
	Epoch    string               `json:"epoch"`
	From     int64                `json:"from"`
	Revision int64                `json:"revision"`
	At       int64                `json:"at"`
	Board    *live.ProgrammeBoard `json:"board"`
	Events   []live.EventStatus   `json:"events"`
	Table    *live.TableChange    `json:"table"`
	Raw      []byte               `json:"-"`
}

// ProgrammeClient is one websocket viewer of a programme board.
type ProgrammeClient struct {
	Conn     *websocket.Conn
	Epoch    string
	Revision int64
	Board    *live.ProgrammeBoard
}

// DialProgramme opens a programme board's websocket at url
// (ws://…/api/v1/programmes/{code}/live?…).
func DialProgramme(ctx context.Context, url string) (*ProgrammeClient, *http.Response, error) {
	conn, resp, err := websocket.DefaultDialer.DialContext(ctx, url, nil)
	if err != nil {
		return nil, resp, err
	}
	return &ProgrammeClient{Conn: conn, Revision: -1}, resp, nil
}

// Read reads the next frame, within timeout.
func (c *ProgrammeClient) Read(timeout time.Duration) (*ProgrammeMessage, error) {
	c.Conn.SetReadDeadline(time.Now().Add(timeout))
	_, data, err := c.Conn.ReadMessage()
	if err != nil {
		return nil, err
	}
	var m ProgrammeMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("frame is not JSON: %w: %s", err, data)
	}
	m.Raw = data
	return &m, nil
}

// Apply applies a frame as the programme pages do. An update that does not
// follow the client's revision (a gap) is an error and changes nothing.
func (c *ProgrammeClient) Apply(m *ProgrammeMessage) error {
	switch m.Type {
	case "snapshot":
		if m.Board == nil {
			return fmt.Errorf("snapshot without a board")
		}
		c.Epoch, c.Revision, c.Board = m.Epoch, m.Revision, m.Board
		return nil
	case "update":
		if c.Board == nil || m.Epoch != c.Epoch || m.From != c.Revision {
			return fmt.Errorf("gap: update %d→%d (epoch %s) on revision %d (epoch %s)", m.From, m.Revision, m.Epoch, c.Revision, c.Epoch)
		}
		if m.Revision <= m.From {
			return fmt.Errorf("update goes backwards: %d→%d", m.From, m.Revision)
		}
		ApplyProgrammeUpdate(c.Board, m.Events, m.Table)
		c.Revision = m.Revision
		return nil
	}
	return fmt.Errorf("unknown frame type %q", m.Type)
}

// ApplyProgrammeUpdate applies an update's changes to a programme board:
// event lines replace the lines of the same code; the table's rows are
// replaced or added by delegation code and put in row_order when it is
// given.
func ApplyProgrammeUpdate(b *live.ProgrammeBoard, events []live.EventStatus, t *live.TableChange) {
	for _, e := range events {
		if i := slices.IndexFunc(b.Events, func(x live.EventStatus) bool { return x.Code == e.Code }); i >= 0 {
			b.Events[i] = e
		}
	}
	if t == nil {
		return
	}
	b.Table.Counted, b.Table.Pending, b.Table.Unassigned = t.Counted, t.Pending, t.Unassigned
	byCode := map[string]live.DelegationRow{}
	order := make([]string, 0, len(b.Table.Rows))
	for _, r := range b.Table.Rows {
		byCode[r.Code] = r
		order = append(order, r.Code)
	}
	for _, r := range t.Rows {
		byCode[r.Code] = r
	}
	if t.RowOrder != nil {
		order = t.RowOrder
	}
	b.Table.Rows = b.Table.Rows[:0:0]
	for _, code := range order {
		if r, ok := byCode[code]; ok {
			b.Table.Rows = append(b.Table.Rows, r)
		}
	}
}

// Resync asks the server for what the client missed since its revision.
func (c *ProgrammeClient) Resync(epoch string, revision int64) error {
	return c.Conn.WriteJSON(map[string]any{"type": "resync", "epoch": epoch, "revision": revision})
}

// Close closes the websocket.
func (c *ProgrammeClient) Close() error { return c.Conn.Close() }

// progEventRules are the rules of a running programme event: one judged
// module of one aspect, one judge, so each mark on a contestant not yet
// marked completes one (contestant, module) pair.
const progEventRules = `{"schema":"skillscore.rules/v1","name":"大赛看板测试","kind":"competition","groups":[{"code":"g","name":"职工组"}],` +
	`"modules":[{"code":"P","name":"实操","part":"practical","weight":100,"max":10,` +
	`"panel":{"judges":1,"method":"mean","missing":"present","min_judges":1},` +
	`"aspects":[{"code":"P1","name":"操作要点","kind":"judgement","max":10}]}],` +
	`"total":{"rounding":{"mode":"half_up","places":2}}}`

// AddProgrammeEvent adds a running event to a programme, with contestants
// contestants spread over the delegations (starting at the n-th), its chief
// judge assigned to all of them and live draft marks on, and returns a
// Marker for it: each mark moves the event's line on the programme board
// ("done" grows by one) and nothing else.
func AddProgrammeEvent(ctx context.Context, st *store.Store, programmeID int64, dels []store.Delegation, n int, code, name string, contestants int) (*Marker, error) {
	ev, err := st.CreateEventInProgramme(ctx, programmeID, store.NewEvent{
		Event: store.Event{Code: code, Name: name, Kind: "competition", Occupation: "养老护理员",
			Year: 2026, Status: "running", Rules: progEventRules},
		Groups: []store.Group{{Code: "g", Name: "职工组"}},
		Modules: []store.Module{{Code: "P", Name: "实操", Kind: "practical", Weight: 1000000, MaxMarks: 100000,
			Aspects: []store.Aspect{{Code: "P1", Name: "操作要点", Kind: "judgement", MaxMarks: 100000}}}},
	}, "livetest")
	if err != nil {
		return nil, fmt.Errorf("event %s: %w", code, err)
	}
	mods, err := st.Modules(ctx, ev.ID)
	if err != nil {
		return nil, err
	}
	var cs []store.Contestant
	for i := range contestants {
		c, s := fmt.Sprintf("%s-%04d", code, i+1), fmt.Sprintf("%04d", i+1)
		cs = append(cs, store.Contestant{Name: fmt.Sprintf("看板选手%d", i+1), Gender: "女", IDType: "其他",
			IDNumber: fmt.Sprintf("PROG-%s-%d", code, i+1), GroupCode: "g", Code: &c, Station: &s,
			DelegationID: &dels[(n+i)%len(dels)].ID})
	}
	if cs, err = st.AddContestants(ctx, ev.ID, cs, "livetest"); err != nil {
		return nil, fmt.Errorf("event %s roster: %w", code, err)
	}
	jd, err := st.AddJudge(ctx, store.Judge{EventID: ev.ID, Code: "J001", Name: "看板裁判长"},
		[]store.PanelMember{{ModuleID: mods[0].ID, Chief: true}}, "livetest")
	if err != nil {
		return nil, err
	}
	as := make([]store.Assignment, len(cs))
	for i, c := range cs {
		as[i] = store.Assignment{ModuleID: mods[0].ID, JudgeID: jd.ID, ContestantID: c.ID}
	}
	if err := st.AddAssignments(ctx, ev.ID, as, "livetest"); err != nil {
		return nil, err
	}
	// Unsubmitted marks move the public boards only as sports-style live
	// marks (docs/live.md).
	if _, err := st.SetLiveSettings(ctx, ev.ID, false, true, "livetest"); err != nil {
		return nil, err
	}
	return NewMarker(ctx, st, code)
}
