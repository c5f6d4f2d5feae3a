package live

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"skillscore/results"
	"skillscore/scoring"
	"skillscore/store"
)

// Standings is the standings document of one view (the standings API and
// the leaderboard page): the same rows as the view's board, frozen and
// revealed alike, with each contestant's explained result. On the public
// view the results carry no judge's marks before publication (after it only
// when the event's setting allows), and no reason that names a judge or
// counts missing ones.
type Standings struct {
	Event struct {
		Code       string `json:"code"`
		Name       string `json:"name"`
		Occupation string `json:"occupation,omitempty"`
		Revision   int64  `json:"revision"`
	} `json:"event"`
	View        string           `json:"view"`
	Mode        string           `json:"mode"`
	Published   bool             `json:"published"`
	Progress    Progress         `json:"progress"`
	Modules     []ModuleHead     `json:"modules"`
	Groups      []StandingsGroup `json:"groups"`
	Contestants []StandingsItem  `json:"contestants"`
	Round       *RoundInfo       `json:"round,omitempty"` // the round shown (live/rounds.go)
}

// StandingsGroup is one group with its counts (contestants, ranked,
// complete, awards), which the ceremony leaves out since they would tell
// what is still hidden, and the number of rows it has not revealed yet.
type StandingsGroup struct {
	*scoring.GroupSummary
	Code   string `json:"code"`
	Name   string `json:"name"`
	Hidden int    `json:"hidden,omitempty"`
}

// ModuleHead heads a module column: how the module counts ("30%", "×0.5").
type ModuleHead struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	Weight string `json:"weight,omitempty"`
}

// StandingsItem is one contestant's result by anonymous code; name (masked)
// and 单位 only after publication.
type StandingsItem struct {
	Key   string `json:"key"` // the board row's key
	Code  string `json:"code"`
	Name  string `json:"name,omitempty"`
	Org   string `json:"org,omitempty"`
	Draft bool   `json:"draft,omitempty"`
	// Scores are the board's module scores ("" when a module has no marks).
	Scores []string `json:"scores"`
	scoring.ContestantResult
	ID struct{} `json:"id,omitzero"` // hides the internal id of the embedded result
}

// standingsDoc builds the document of what a view shows. sealed strips
// judges' marks again from results captured while they were public.
func (c *computed) standingsDoc(v View, sh *shown, sealed bool, published bool) *Standings {
	d := &Standings{View: v.String(), Mode: sh.board.Mode, Published: published, Progress: sh.board.Progress,
		Modules: c.heads, Round: sh.board.Round}
	d.Event.Code, d.Event.Name, d.Event.Occupation = c.event.Code, c.event.Name, c.event.Occupation
	for _, g := range sh.board.Groups {
		sg := StandingsGroup{Code: g.Code, Name: g.Name, Hidden: g.Hidden}
		for i := range sh.summaries {
			if sh.summaries[i].Code == g.Code {
				sg.GroupSummary = &sh.summaries[i]
			}
		}
		d.Groups = append(d.Groups, sg)
	}
	d.Contestants = make([]StandingsItem, 0, len(sh.entries))
	for _, e := range sh.entries {
		row := c.row(e, published)
		it := StandingsItem{Key: row.Key, Code: row.Code, Name: row.Name, Org: row.Org, Draft: row.Draft, Scores: row.Scores}
		if e.Detail != nil {
			it.ContestantResult = *e.Detail
		} else {
			// A board captured before results were kept with it.
			it.ContestantResult = scoring.ContestantResult{Group: e.Group, Rank: e.Rank, AwardName: e.Award, Complete: e.Complete}
			it.Total, _ = scoring.ParseDecimal(e.Total)
		}
		if sealed {
			it.ContestantResult = results.Redact(it.ContestantResult, c.displayKey)
		}
		if it.Reasons == nil {
			it.Reasons = []scoring.Reason{}
		}
		d.Contestants = append(d.Contestants, it)
	}
	return d
}

// encodeStandings encodes a document with its ETag (a hash of the bytes:
// a document may change while its board's revision does not).
func encodeStandings(d *Standings) (data []byte, etag string, err error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // "<" in a reason stays readable
	if err = enc.Encode(d); err != nil {
		return nil, "", fmt.Errorf("encode standings: %w", err)
	}
	data = b.Bytes()
	sum := sha256.Sum256(data)
	return data, `"` + hex.EncodeToString(sum[:12]) + `"`, nil
}

// Standings returns the view's standings document, with its encoding
// (made once per change and shared) and ETag.
func (f *Feed) Standings() (doc *Standings, data []byte, etag string, err error) {
	h := f.h
	h.mu.Lock()
	defer h.mu.Unlock()
	s := h.streams[f.view]
	if s.doc == nil {
		return nil, nil, "", h.unavailable()
	}
	if s.docData == nil {
		if s.docData, s.docETag, err = encodeStandings(s.doc); err != nil {
			return nil, nil, "", err
		}
	}
	return s.doc, s.docData, s.docETag, nil
}

// show builds what view v shows, capturing the frozen board when a public
// view's freeze has begun and none is stored yet (the first instance to
// capture wins; the others show its board). It returns the live state after
// a capture and whether this call stored one.
func (c *computed) show(ctx context.Context, src Source, eventID int64, v View, state store.LiveState, now time.Time) (*shown, store.LiveState, bool, error) {
	sh, err := c.board(v, state, now)
	if err != nil || sh.capture == nil {
		return sh, state, false, err
	}
	data, err := json.Marshal(sh.capture)
	if err != nil {
		return nil, state, false, fmt.Errorf("encode frozen board: %w", err)
	}
	if state, err = src.CaptureFrozenBoard(ctx, eventID, c.revision, string(data)); err != nil {
		return nil, state, false, err
	}
	sh, err = c.board(v, state, now)
	return sh, state, true, err
}

// StandingsOnce computes a view's standings document without a hub, for a
// server that runs no live service: sealed, frozen (capturing the frozen
// board when its time has come) and revealed exactly as a hub's.
func StandingsOnce(ctx context.Context, src Source, code string, v View, now time.Time) (*Standings, []byte, string, error) {
	ev, err := src.EventByCode(ctx, code)
	if err != nil {
		return nil, nil, "", err
	}
	snap, err := src.Snapshot(ctx, ev.ID)
	if err != nil {
		return nil, nil, "", err
	}
	// The state read after the scores is at least as new as they are.
	state, err := src.LiveState(ctx, ev.ID)
	if err != nil {
		return nil, nil, "", err
	}
	c, err := compute(snap, state)
	if err != nil {
		return nil, nil, "", err
	}
	sh, state, _, err := c.show(ctx, src, ev.ID, v, state, now)
	if err != nil {
		return nil, nil, "", err
	}
	doc := c.standingsDoc(v, sh, v == Public && !state.JudgeMarksPublic(), state.Published())
	// Without a hub there is no stream revision: the frozen revision stands
	// for a frozen board, so that marks after the freeze do not show here.
	doc.Event.Revision = snap.Event.Revision
	if v == Public && state.Frozen(now) && state.FrozenRevision > 0 {
		doc.Event.Revision = state.FrozenRevision
	}
	data, etag, err := encodeStandings(doc)
	return doc, data, etag, err
}
