package live

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"skillscore/results"
	"skillscore/scoring"
	"skillscore/store"
)

// View names one audience of an event's board.
type View int

const (
	// Public is what the hall's big screen, phones and the JSON endpoint
	// show: frozen from the freeze time, revealed step by step in the
	// ceremony, names only after publication.
	Public View = iota
	// Chief is the chief judge's view: the same board, never frozen.
	Chief
	numViews
)

// ParseView reads a view name from a URL ("" is the public view).
func ParseView(s string) (View, bool) {
	switch s {
	case "", "public":
		return Public, true
	case "chief":
		return Chief, true
	}
	return 0, false
}

func (v View) String() string {
	if v == Chief {
		return "chief"
	}
	return "public"
}

// Board modes.
const (
	ModeLive     = "live"
	ModeFrozen   = "frozen"
	ModeCeremony = "ceremony"
)

// Board is one view of an event's standings, as sent to spectators. Scores
// are exact decimals rendered as text ("88.50"), never floats.
type Board struct {
	Event     EventInfo    `json:"event"`
	Mode      string       `json:"mode"`
	Published bool         `json:"published"`
	Progress  Progress     `json:"progress"`
	Modules   []ModuleInfo `json:"modules"`
	Groups    []Group      `json:"groups"`
	Round     *RoundInfo   `json:"round,omitempty"` // the round shown, for an event with rounds (live/rounds.go)
}

// EventInfo names the event on the board.
type EventInfo struct {
	Code       string `json:"code"`
	Name       string `json:"name"`
	Occupation string `json:"occupation"`
}

// Progress is "已完成评分 done/expected": (contestant, module) pairs scored.
type Progress struct {
	Done     int `json:"done"`
	Expected int `json:"expected"`
}

// ModuleInfo heads a score column.
type ModuleInfo struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// Group is one ranked group's rows in board order. Hidden counts rows the
// ceremony has not revealed yet.
type Group struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	Rows   []Row  `json:"rows"`
	Hidden int    `json:"hidden,omitempty"`
}

// Row is one contestant on the board. Key is stable for the contestant and
// reveals nothing (the anonymous code, or "#id" before the draw). Name and
// Org appear only after publication, the name masked (张*); the 证件号码
// never appears. Draft is set on the chief judge's view when a mark of an
// unsubmitted sheet (草稿) counts in the row.
type Row struct {
	Key      string `json:"key"`
	Code     string `json:"code"`
	Name     string `json:"name,omitempty"`
	Org      string `json:"org,omitempty"`
	Rank     int    `json:"rank"`
	Total    string `json:"total"`
	Award    string `json:"award,omitempty"`
	Complete bool   `json:"complete"`
	Draft    bool   `json:"draft,omitempty"`
	// Scores are the module scores in the board's module order; "" is a
	// module with no marks yet (shown as "—"), unlike a real "0.00".
	Scores []string `json:"scores"`
	// Status is the contestant's status (缺考, 弃权, 取消资格, 不参与评奖), ""
	// when competing; Total and Award already show it (results.TotalText).
	Status string `json:"status,omitempty"`
	// StatusReason is why, shown beneath the award.
	StatusReason string `json:"status_reason,omitempty"`
}

// entry is a computed row with the contestant's stored id, the form a frozen
// board is kept in: names are applied when it is shown, so publishing during
// a freeze still shows them. Detail is the contestant's result for the
// standings document, already without judges' marks unless they were
// public when it was computed (and sealed again when shown, if they are no
// longer).
type entry struct {
	ID       int64                     `json:"id"`
	Group    string                    `json:"group"`
	Rank     int                       `json:"rank"`
	Total    string                    `json:"total"`
	Award    string                    `json:"award,omitempty"`
	Complete bool                      `json:"complete"`
	Draft    bool                      `json:"draft,omitempty"`
	Scores   []string                  `json:"scores"`
	Detail   *scoring.ContestantResult `json:"detail,omitempty"`
	Status   string                    `json:"status,omitempty"`
	Reason   string                    `json:"status_reason,omitempty"`
}

// frozen is the captured public board of a freeze.
type frozen struct {
	Progress Progress               `json:"progress"`
	Entries  []entry                `json:"entries"`
	Groups   []scoring.GroupSummary `json:"groups,omitempty"`
}

// standings is one audience's computed standings.
type standings struct {
	progress  Progress
	entries   []entry // by group, then rank
	summaries []scoring.GroupSummary
	round     *RoundInfo
}

// computed is one revision's standings: the public's (marks of submitted
// sheets only, judges' marks sealed) and the chief judge's (every mark,
// drafts flagged), the same object when they cannot differ.
type computed struct {
	revision int64
	event    EventInfo
	modules  []ModuleInfo
	heads    []ModuleHead
	groups   []Group // codes and names only
	views    [numViews]*standings
	people   map[int64]store.Contestant
	teams    map[int64]string // a team entry's published name (teamName)
	roundIdx int              // the round shown, -1 without rounds
}

func compute(snap store.Snapshot, l store.LiveState) (*computed, error) {
	all, err := results.Compute(snap)
	if err != nil {
		return nil, err
	}
	// The public sees drafts only when the event allows sports-style live
	// marks; otherwise a second computation without them.
	pub := all
	if !l.LiveDraftMarks && len(snap.Drafts) > 0 {
		if pub, err = results.Compute(results.WithoutDrafts(snap)); err != nil {
			return nil, err
		}
	}
	ev := snap.Event
	c := &computed{
		revision: ev.Revision,
		event:    EventInfo{Code: ev.Code, Name: ev.Name, Occupation: ev.Occupation},
		people:   make(map[int64]store.Contestant, len(snap.Contestants)),
		roundIdx: -1,
	}
	if len(all.Rules.Rounds) > 0 {
		c.roundIdx = currentRound(snap.Rounds)
	}
	for _, m := range all.Rules.Modules {
		if c.roundIdx >= 0 && !slices.Contains(all.Rules.Rounds[c.roundIdx].Modules, m.Code) {
			continue // a board of rounds shows the current round's modules
		}
		c.modules = append(c.modules, ModuleInfo{Code: m.Code, Name: m.Name})
		c.heads = append(c.heads, ModuleHead{Code: m.Code, Name: m.Name, Weight: weightText(m)})
	}
	for _, g := range snap.Groups {
		c.groups = append(c.groups, Group{Code: g.Code, Name: g.Name})
	}
	for _, p := range snap.Contestants {
		c.people[p.ID] = p
	}
	c.teams = teamNames(snap)
	drafts := results.DraftContestants(snap)
	sealed := !l.JudgeMarksPublic()
	if c.views[Chief], err = c.standings(all, drafts, false); err != nil {
		return nil, err
	}
	if pub == all && !sealed && l.LiveDraftMarks {
		c.views[Public] = c.views[Chief]
	} else {
		publicDrafts := drafts
		if !l.LiveDraftMarks {
			publicDrafts = nil
		}
		if c.views[Public], err = c.standings(pub, publicDrafts, sealed); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func (c *computed) standings(st *results.Standings, drafts map[int64]bool, sealed bool) (*standings, error) {
	if c.roundIdx >= 0 {
		return c.roundStandings(st, drafts, sealed)
	}
	out := &standings{progress: Progress{Done: st.Done, Expected: st.Expected}, summaries: st.Result.Groups}
	// A module nobody has marked yet scores 0 in the core, like a real 0;
	// the board shows it as "" (no marks) so viewers can tell them apart.
	type pair struct {
		id     int64
		module string
	}
	marked := make(map[pair]bool)
	for _, m := range st.Snapshot.Marks {
		marked[pair{m.ContestantID, m.ModuleCode}] = true
	}
	for _, m := range st.Snapshot.Imported {
		marked[pair{m.ContestantID, m.ModuleCode}] = true
	}
	for _, r := range st.Result.Contestants {
		p := st.Contestants[r.ID]
		e := entry{ID: p.ID, Group: r.Group, Rank: r.Rank, Total: results.TotalText(r, results.Fixed2), Award: results.AwardText(r),
			Complete: r.Complete, Draft: drafts[p.ID], Status: r.StatusName, Reason: r.StatusReason}
		for _, m := range r.Modules {
			score := ""
			if marked[pair{p.ID, m.Code}] {
				score = results.ModuleText(m, results.Fixed2)
			}
			e.Scores = append(e.Scores, score)
		}
		d := r
		if sealed {
			d = results.Redact(r, c.displayKey)
		}
		e.Detail = &d
		if !slices.ContainsFunc(c.groups, func(g Group) bool { return g.Code == r.Group }) {
			c.groups = append(c.groups, Group{Code: r.Group, Name: r.GroupName})
		}
		out.entries = append(out.entries, e)
	}
	return out, nil
}

// displayKey is a scoring key's public code.
func (c *computed) displayKey(key string) string {
	id, err := strconv.ParseInt(key, 10, 64)
	if err != nil {
		return key
	}
	return results.DisplayCode(c.people[id])
}

// weightText shows how a module counts: "30%" or "×0.5".
func weightText(m scoring.Module) string {
	switch {
	case m.Weight != nil:
		return m.Weight.String() + "%"
	case m.Factor != nil:
		return "×" + m.Factor.String()
	}
	return ""
}

// shown is what a view shows at one moment: its board, the entries on it
// (for the standings document) and, for a public view in a freeze that has
// no captured board yet, the board to capture.
type shown struct {
	board     *Board
	entries   []entry
	summaries []scoring.GroupSummary
	capture   *frozen
}

// board builds a view's board from the computed standings and the live
// state at time now.
func (c *computed) board(v View, l store.LiveState, now time.Time) (*shown, error) {
	st := c.views[v]
	b := &Board{Event: c.event, Mode: ModeLive, Published: l.Published(), Progress: st.progress, Modules: c.modules, Round: st.round}
	out := &shown{board: b, summaries: st.summaries}
	entries := st.entries
	reveal := -1
	if v == Public && l.Frozen(now) {
		switch {
		case l.FrozenBoard == "":
			// A ceremony always follows a capture (it needs a frozen board
			// that some instance has seen), but capture here too rather
			// than show the live board.
			out.capture = &frozen{Progress: st.progress, Entries: st.entries, Groups: st.summaries}
			b.Mode = ModeFrozen
		default:
			var f frozen
			if err := json.Unmarshal([]byte(l.FrozenBoard), &f); err != nil {
				return nil, fmt.Errorf("frozen board of event %s: %w", c.event.Code, err)
			}
			b.Mode, b.Progress, entries, out.summaries = ModeFrozen, f.Progress, f.Entries, f.Groups
		}
		if l.Ceremony() {
			b.Mode, reveal = ModeCeremony, l.CeremonyStep
		}
	}
	index := make(map[string]int, len(c.groups))
	for _, g := range c.groups {
		index[g.Code] = len(b.Groups)
		b.Groups = append(b.Groups, Group{Code: g.Code, Name: g.Name, Rows: []Row{}})
	}
	byGroup := make([][]entry, len(b.Groups))
	for _, e := range entries {
		i, ok := index[e.Group]
		if !ok {
			continue // a group removed since the freeze
		}
		b.Groups[i].Rows = append(b.Groups[i].Rows, c.row(e, l.Published()))
		byGroup[i] = append(byGroup[i], e)
	}
	if reveal >= 0 {
		// The ceremony reveals each group from the last place up: only the
		// bottom `reveal` rows are shown, the rest counted as hidden.
		for i := range b.Groups {
			rows := b.Groups[i].Rows
			n := min(reveal, len(rows))
			b.Groups[i].Hidden = len(rows) - n
			b.Groups[i].Rows = rows[len(rows)-n:]
			byGroup[i] = byGroup[i][len(rows)-n:]
		}
		// Award counts and ranked numbers would tell what is still hidden.
		out.summaries = nil
	}
	for _, g := range byGroup {
		out.entries = append(out.entries, g...)
	}
	return out, nil
}

func (c *computed) row(e entry, published bool) Row {
	p := c.people[e.ID]
	r := Row{Code: results.DisplayCode(p), Rank: e.Rank, Total: e.Total, Award: e.Award, Complete: e.Complete,
		Draft: e.Draft, Scores: e.Scores, Status: e.Status, StatusReason: e.Reason}
	r.Key = r.Code
	if p.Code == nil || *p.Code == "" {
		r.Key = fmt.Sprintf("#%d", e.ID)
	}
	if published {
		r.Name, r.Org = MaskName(p.Name), p.Organization
		if t, ok := c.teams[e.ID]; ok {
			r.Name = t
		}
	}
	return r
}

// teamNames are the published names of the snapshot's team entries: the
// team's name, which is no one's personal data, in full, and its members'
// masked as every published name is: 南昌康养一队（张*、李*）.
func teamNames(snap store.Snapshot) map[int64]string {
	if len(snap.Members) == 0 {
		return nil
	}
	members := map[int64][]string{}
	for _, m := range snap.Members {
		if m.TeamID != nil {
			members[*m.TeamID] = append(members[*m.TeamID], MaskName(m.Name))
		}
	}
	out := map[int64]string{}
	for _, p := range snap.Contestants {
		if p.Kind == store.KindTeam {
			out[p.ID] = p.Name + "（" + strings.Join(members[p.ID], "、") + "）"
		}
	}
	return out
}

// MaskName shows a published name as its first character and one asterisk
// (张*), whatever its length, so the mask does not reveal the length either.
func MaskName(name string) string {
	r, size := utf8.DecodeRuneInString(name)
	if size == 0 {
		return ""
	}
	return string(r) + "*"
}

// sameShape reports whether an update can carry the change from a to b;
// otherwise a fresh snapshot is sent.
func sameShape(a, b *Board) bool {
	if a.Event != b.Event || a.Mode != b.Mode || a.Published != b.Published ||
		len(a.Groups) != len(b.Groups) || !slices.Equal(a.Modules, b.Modules) || !sameRound(a.Round, b.Round) {
		return false
	}
	for i := range a.Groups {
		if a.Groups[i].Code != b.Groups[i].Code || a.Groups[i].Name != b.Groups[i].Name {
			return false
		}
	}
	return true
}

// GroupDiff is the change of one group: Order lists every row key in board
// order when the order or the set of rows changed; Rows holds the rows that
// are new or changed.
type GroupDiff struct {
	Code   string   `json:"code"`
	Order  []string `json:"order,omitempty"`
	Rows   []Row    `json:"rows,omitempty"`
	Hidden int      `json:"hidden"`
}

// diff returns the changed groups from a to b (same shape) and whether
// anything changed at all.
func diff(a, b *Board) ([]GroupDiff, bool) {
	changed := a.Progress != b.Progress
	var out []GroupDiff
	for i := range b.Groups {
		ga, gb := &a.Groups[i], &b.Groups[i]
		d := GroupDiff{Code: gb.Code, Hidden: gb.Hidden}
		old := make(map[string]*Row, len(ga.Rows))
		sameOrder := len(ga.Rows) == len(gb.Rows)
		for j := range ga.Rows {
			old[ga.Rows[j].Key] = &ga.Rows[j]
			if sameOrder && ga.Rows[j].Key != gb.Rows[j].Key {
				sameOrder = false
			}
		}
		if !sameOrder {
			d.Order = make([]string, len(gb.Rows))
			for j, r := range gb.Rows {
				d.Order[j] = r.Key
			}
		}
		for _, r := range gb.Rows {
			if o, ok := old[r.Key]; !ok || !sameRow(o, &r) {
				d.Rows = append(d.Rows, r)
			}
		}
		if d.Order != nil || d.Rows != nil || ga.Hidden != gb.Hidden {
			out = append(out, d)
			changed = true
		}
	}
	return out, changed
}

func sameRow(a, b *Row) bool {
	return a.Key == b.Key && a.Code == b.Code && a.Name == b.Name && a.Org == b.Org && a.Rank == b.Rank &&
		a.Draft == b.Draft && a.Total == b.Total && a.Award == b.Award && a.Complete == b.Complete && slices.Equal(a.Scores, b.Scores)
}
