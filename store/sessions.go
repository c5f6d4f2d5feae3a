package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"skillscore"
	"skillscore/idnumber"
	"skillscore/privacy"
	"skillscore/scoring"
	"skillscore/sessions"
)

// SessionState is one stored session with each entry's 检录 state.
type SessionState struct {
	ID int64
	sessions.Session
	Position int
	ClosedAt Time
	ClosedBy string
	Rows     []EntryState // the entries in 检录 order
}

// EntryState is one contestant of a session and their latest check-in.
type EntryState struct {
	sessions.Entry
	Organization string
	Outcome      string // "" (not yet) | present | absent | identity_mismatch
	Method       string
	Note         string
	At           Time
	By           string
}

// Counts tallies a session's entries by outcome ("" = not yet checked in).
func (s SessionState) Counts() map[string]int {
	out := map[string]int{}
	for _, r := range s.Rows {
		out[r.Outcome]++
	}
	return out
}

// SchedulePeople lists an event's contestants as scheduling sees them:
// their 参赛证号 ("" until assigned) and drawn 赛位号.
func (s *Store) SchedulePeople(ctx context.Context, eventID int64) ([]sessions.Person, error) {
	return schedulePeople(ctx, s.r, eventID)
}

func schedulePeople(ctx context.Context, q sqlx.QueryerContext, eventID int64) ([]sessions.Person, error) {
	var rows []struct {
		ID      int64   `db:"id"`
		Name    string  `db:"name"`
		Org     string  `db:"organization"`
		EntryNo *string `db:"entry_no"`
		Station *string `db:"station"`
	}
	if err := sqlx.SelectContext(ctx, q, &rows, `SELECT c.id, c.name, c.organization, e.entry_no, c.station FROM contestants c
		LEFT JOIN entry_cards e ON e.contestant_id = c.id WHERE c.event_id = ? ORDER BY c.id`, eventID); err != nil {
		return nil, fmt.Errorf("schedule people: %w", err)
	}
	out := make([]sessions.Person, len(rows))
	for i, r := range rows {
		out[i] = sessions.Person{ContestantID: r.ID, Name: r.Name, Organization: r.Org}
		if r.EntryNo != nil {
			out[i].EntryNo = *r.EntryNo
		}
		if r.Station != nil {
			out[i].Station = *r.Station
		}
	}
	return out, nil
}

// AssignEntryNumbers gives every contestant of the event without a 参赛证号
// the next free number (0001, 0002 … in roster order) and returns how many
// it gave. Numbers already printed on cards never change.
func (s *Store) AssignEntryNumbers(ctx context.Context, eventID int64, actor string) (int, error) {
	var given int
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		given, err = s.assignEntryNumbersTx(ctx, tx, eventID, actor, s.now())
		return err
	})
	return given, err
}

// assignEntryNumbersTx is AssignEntryNumbers inside a caller's transaction
// (seating gives the numbers it orders by, store/seating.go).
func (s *Store) assignEntryNumbersTx(ctx context.Context, tx *sqlx.Tx, eventID int64, actor string, now time.Time) (int, error) {
	people, err := schedulePeople(ctx, tx, eventID)
	if err != nil {
		return 0, err
	}
	next := 1
	for _, p := range people {
		if n, err := strconv.Atoi(p.EntryNo); err == nil && n >= next {
			next = n + 1
		}
	}
	var rows [][]any
	for _, p := range people {
		if p.EntryNo == "" {
			rows = append(rows, []any{eventID, p.ContestantID, fmt.Sprintf("%04d", next), micros(now)})
			next++
		}
	}
	if len(rows) == 0 {
		return 0, nil
	}
	if err := insertRows(ctx, tx, "entry_cards", []string{"event_id", "contestant_id", "entry_no", "created_at"}, rows); err != nil {
		return 0, fmt.Errorf("insert entry numbers: %w", err)
	}
	return len(rows), s.appendAudit(ctx, tx, &eventID, actor, "sessions.entry_numbers", "参赛证号", map[string]any{"assigned": len(rows)}, now)
}

// SaveSchedule replaces the event's sessions with ss after checking them
// (sessions.Problems) and that every contestant is the event's own.
// Refused once 检录 has begun: check-ins refer to the sessions.
func (s *Store) SaveSchedule(ctx context.Context, eventID int64, ss []sessions.Session, actor string) error {
	if err := sessions.Validate(ss); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		return s.saveScheduleTx(ctx, tx, eventID, ss, actor, s.now())
	})
}

// scheduleStarted refuses once 检录 has begun: check-ins refer to the
// sessions.
func scheduleStarted(ctx context.Context, tx *sqlx.Tx, eventID int64) error {
	var n int
	if err := tx.GetContext(ctx, &n, "SELECT COUNT(*) FROM checkins WHERE event_id = ?", eventID); err != nil {
		return fmt.Errorf("count check-ins: %w", err)
	}
	if n > 0 {
		return skillscore.Errorf(skillscore.EConflict, "本赛项已开始检录（%d 条记录），不能再替换场次安排", n)
	}
	return nil
}

// saveScheduleTx is SaveSchedule inside a caller's transaction, ss already
// validated (seating stores its sessions with the seats, store/seating.go).
func (s *Store) saveScheduleTx(ctx context.Context, tx *sqlx.Tx, eventID int64, ss []sessions.Session, actor string, now time.Time) error {
	if err := scheduleStarted(ctx, tx, eventID); err != nil {
		return err
	}
	var ids []int64
	if err := tx.SelectContext(ctx, &ids, "SELECT id FROM contestants WHERE event_id = ?", eventID); err != nil {
		return fmt.Errorf("event contestants: %w", err)
	}
	own := make(map[int64]bool, len(ids))
	for _, id := range ids {
		own[id] = true
	}
	for _, x := range ss {
		for _, e := range x.Entries {
			if !own[e.ContestantID] {
				return skillscore.Errorf(skillscore.EInvalid, "场次 %s 中的选手 #%d 不是本赛项的选手", x.Code, e.ContestantID)
			}
		}
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE event_id = ?", eventID); err != nil {
		return fmt.Errorf("clear sessions: %w", err)
	}
	entries := 0
	for i, x := range ss {
		res, err := tx.ExecContext(ctx, `INSERT INTO sessions (event_id, code, name, venue, module, stations, day, starts, ends, position)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, eventID, x.Code, x.Name, x.Venue, x.Module, strings.Join(x.Stations, ","),
			x.Day, x.Starts, x.Ends, i+1)
		if err != nil {
			return fmt.Errorf("insert session: %w", err)
		}
		id, err := res.LastInsertId()
		if err != nil {
			return err
		}
		rows := make([][]any, len(x.Entries))
		for j, e := range x.Entries {
			rows[j] = []any{id, e.ContestantID, e.Station, e.Order}
		}
		if err := insertRows(ctx, tx, "session_entries", []string{"session_id", "contestant_id", "station", "position"}, rows); err != nil {
			return fmt.Errorf("insert session entries: %w", err)
		}
		entries += len(rows)
	}
	return s.appendAudit(ctx, tx, &eventID, actor, "sessions.save", "场次安排",
		map[string]any{"sessions": len(ss), "entries": entries}, now)
}

type sessionRow struct {
	ID       int64   `db:"id"`
	Code     string  `db:"code"`
	Name     string  `db:"name"`
	Venue    string  `db:"venue"`
	Module   string  `db:"module"`
	Stations string  `db:"stations"`
	Day      string  `db:"day"`
	Starts   string  `db:"starts"`
	Ends     string  `db:"ends"`
	Position int     `db:"position"`
	ClosedAt Time    `db:"closed_at"`
	ClosedBy *string `db:"closed_by"`
}

// Schedule is the event's sessions in order, each with its entries' 检录
// states.
func (s *Store) Schedule(ctx context.Context, eventID int64) ([]SessionState, error) {
	return schedule(ctx, s.r, eventID, "")
}

// Session is one session of the event by code.
func (s *Store) Session(ctx context.Context, eventID int64, code string) (SessionState, error) {
	out, err := schedule(ctx, s.r, eventID, code)
	if err != nil {
		return SessionState{}, err
	}
	if len(out) == 0 {
		return SessionState{}, skillscore.Errorf(skillscore.ENotFound, "本赛项没有场次 %s", code)
	}
	return out[0], nil
}

func schedule(ctx context.Context, q sqlx.QueryerContext, eventID int64, code string) ([]SessionState, error) {
	query, args := "SELECT id, code, name, venue, module, stations, day, starts, ends, position, closed_at, closed_by FROM sessions WHERE event_id = ?", []any{eventID}
	if code != "" {
		query, args = query+" AND code = ?", append(args, code)
	}
	var rows []sessionRow
	if err := sqlx.SelectContext(ctx, q, &rows, query+" ORDER BY position", args...); err != nil {
		return nil, fmt.Errorf("sessions: %w", err)
	}
	out := make([]SessionState, len(rows))
	at := map[int64]int{}
	for i, r := range rows {
		out[i] = SessionState{ID: r.ID, Position: r.Position, ClosedAt: r.ClosedAt, Session: sessions.Session{Code: r.Code,
			Name: r.Name, Venue: r.Venue, Module: r.Module, Day: r.Day, Starts: r.Starts, Ends: r.Ends}}
		if r.Stations != "" {
			out[i].Stations = strings.Split(r.Stations, ",")
		}
		if r.ClosedBy != nil {
			out[i].ClosedBy = *r.ClosedBy
		}
		at[r.ID] = i
	}
	if len(rows) == 0 {
		return out, nil
	}
	filter, fargs := "s.event_id = ?", []any{eventID}
	if code != "" {
		filter, fargs = "s.id = ?", []any{rows[0].ID}
	}
	var entries []struct {
		SessionID    int64   `db:"session_id"`
		ContestantID int64   `db:"contestant_id"`
		Station      string  `db:"station"`
		Position     int     `db:"position"`
		Name         string  `db:"name"`
		Organization string  `db:"organization"`
		EntryNo      *string `db:"entry_no"`
	}
	if err := sqlx.SelectContext(ctx, q, &entries, `SELECT x.session_id, x.contestant_id, x.station, x.position, c.name, c.organization, e.entry_no
		FROM session_entries x JOIN sessions s ON s.id = x.session_id JOIN contestants c ON c.id = x.contestant_id
		LEFT JOIN entry_cards e ON e.contestant_id = c.id WHERE `+filter+` ORDER BY x.session_id, x.position`, fargs...); err != nil {
		return nil, fmt.Errorf("session entries: %w", err)
	}
	var checks []checkinRow
	if err := sqlx.SelectContext(ctx, q, &checks, `SELECT c.session_id, c.contestant_id, c.outcome, c.method, c.note, c.at, c.by_user
		FROM checkins c JOIN sessions s ON s.id = c.session_id WHERE `+filter+` ORDER BY c.id`, fargs...); err != nil {
		return nil, fmt.Errorf("check-ins: %w", err)
	}
	latest := map[[2]int64]checkinRow{}
	for _, c := range checks {
		latest[[2]int64{c.SessionID, c.ContestantID}] = c
	}
	for _, e := range entries {
		st := EntryState{Entry: sessions.Entry{ContestantID: e.ContestantID, Name: e.Name, Station: e.Station, Order: e.Position},
			Organization: e.Organization}
		if e.EntryNo != nil {
			st.EntryNo = *e.EntryNo
		}
		if c, ok := latest[[2]int64{e.SessionID, e.ContestantID}]; ok {
			st.Outcome, st.Method, st.Note, st.At, st.By = c.Outcome, c.Method, c.Note, c.At, c.By
		}
		i := at[e.SessionID]
		out[i].Entries = append(out[i].Entries, st.Entry)
		out[i].Rows = append(out[i].Rows, st)
	}
	return out, nil
}

type checkinRow struct {
	SessionID    int64  `db:"session_id"`
	ContestantID int64  `db:"contestant_id"`
	Outcome      string `db:"outcome"`
	Method       string `db:"method"`
	Note         string `db:"note"`
	At           Time   `db:"at"`
	By           string `db:"by_user"`
}

// CheckinRequest is one 检录 at the tablet: either an entry card's QR token,
// or the 参赛证号 with the last 4 characters of the 证件号码.
type CheckinRequest struct {
	EventID int64
	Session string // session code
	Token   string
	EntryNo string
	Digits  string
	Actor   string
	// AskIdentity holds a good card or number for the keeper's identity
	// check (the person against the photo on the roster and their ID card)
	// instead of recording it: nothing is stored and the result has
	// NeedsIdentity. A wrong last 4 is a failed check in itself and is
	// recorded at once, as without AskIdentity.
	AskIdentity bool
	// Verdict is the keeper's answer to that check: sessions.VerdictMatch
	// records present, sessions.VerdictMismatch identity_mismatch. Empty:
	// the card (or the right last 4) is enough, as at a competition.
	Verdict string
}

// CheckinResult is what the tablet shows after a 检录.
type CheckinResult struct {
	EntryState
	Already bool // was already checked in: nothing new stored
	// NeedsIdentity: nothing stored yet, the keeper is to compare the
	// person with what follows and answer with a Verdict.
	NeedsIdentity bool
	Gender        string
	IDType        string
	IDMasked      string // 360***********002X: the full number never leaves the store here
	Photo         bool   // the contestant has a photo in the photo store
}

var digitsPattern = regexp.MustCompile(`^[0-9X]{4}$`)

// CardToken signs the QR token of a contestant's entry card.
func (s *Store) CardToken(eventID, contestantID int64) (string, error) {
	if s.keys == nil {
		return "", privacy.NoKeyError()
	}
	return sessions.CardToken(s.keys, eventID, contestantID)
}

// eventTerms are the words of an event's pages and messages, by its kind.
func eventTerms(ctx context.Context, q sqlx.QueryerContext, eventID int64) (scoring.Terms, error) {
	var kind string
	err := sqlx.GetContext(ctx, q, &kind, "SELECT kind FROM events WHERE id = ?", eventID)
	if errors.Is(err, sql.ErrNoRows) {
		return scoring.Terms{}, skillscore.Errorf(skillscore.ENotFound, "赛事 %d 不存在", eventID)
	}
	if err != nil {
		return scoring.Terms{}, fmt.Errorf("event kind: %w", err)
	}
	return scoring.TermsFor(kind), nil
}

// CheckIn records one 检录. A 证件号码 whose last 4 characters differ is
// recorded as identity_mismatch (人证不符) for the chief to decide; a bad
// request (unknown number, another event's card, someone not in this
// session, a closed session) is refused with nothing stored. The full
// 证件号码 is opened here only, never returned. Messages use the event's
// words (参赛证/选手 or 准考证/考生).
func (s *Store) CheckIn(ctx context.Context, req CheckinRequest) (CheckinResult, error) {
	if req.Verdict != "" && req.Verdict != sessions.VerdictMatch && req.Verdict != sessions.VerdictMismatch {
		return CheckinResult{}, skillscore.Errorf(skillscore.EInvalid, "人证核验结果 %q 无效", req.Verdict)
	}
	now := s.now()
	var res CheckinResult
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		t, err := eventTerms(ctx, tx, req.EventID)
		if err != nil {
			return err
		}
		sess, err := openSession(ctx, tx, req.EventID, req.Session, t)
		if err != nil {
			return err
		}
		var cid int64
		method := sessions.MethodCode
		digits := strings.ToUpper(strings.TrimSpace(req.Digits))
		if strings.TrimSpace(req.Token) != "" {
			method = sessions.MethodQR
			if s.keys == nil {
				return privacy.NoKeyError()
			}
			evID, id, err := sessions.ParseCardToken(s.keys, req.Token, t)
			if err != nil {
				return err
			}
			if evID != req.EventID {
				var name string
				if err := tx.GetContext(ctx, &name, "SELECT name FROM events WHERE id = ?", evID); errors.Is(err, sql.ErrNoRows) {
					name = fmt.Sprintf("#%d", evID)
				} else if err != nil {
					return err
				}
				return skillscore.Errorf(skillscore.EInvalid, "这张%s属于另一%s（%s），不是本%s的%s：未记录%s",
					t.Card, t.Event, name, t.Event, t.Contestant, t.CheckIn)
			}
			cid = id
		} else {
			no := strings.TrimSpace(req.EntryNo)
			if no == "" {
				return skillscore.Errorf(skillscore.EInvalid, "请输入%s", t.CardNo)
			}
			if !digitsPattern.MatchString(digits) {
				return skillscore.Errorf(skillscore.EInvalid, "请输入证件号码的后 4 位（数字或 X）")
			}
			err := tx.GetContext(ctx, &cid, "SELECT contestant_id FROM entry_cards WHERE event_id = ? AND entry_no = ?", req.EventID, no)
			if errors.Is(err, sql.ErrNoRows) {
				return skillscore.Errorf(skillscore.ENotFound, "本%s没有%s为 %s 的%s：未记录%s", t.Event, t.CardNo, no, t.Contestant, t.CheckIn)
			}
			if err != nil {
				return fmt.Errorf("entry number: %w", err)
			}
		}
		var who struct {
			Name         string  `db:"name"`
			Gender       string  `db:"gender"`
			IDType       string  `db:"id_type"`
			Organization string  `db:"organization"`
			IDCipher     string  `db:"id_cipher"`
			EntryNo      *string `db:"entry_no"`
		}
		err = tx.GetContext(ctx, &who, `SELECT c.name, c.gender, c.id_type, c.organization, c.id_cipher, e.entry_no FROM contestants c
			LEFT JOIN entry_cards e ON e.contestant_id = c.id WHERE c.id = ? AND c.event_id = ?`, cid, req.EventID)
		if errors.Is(err, sql.ErrNoRows) {
			return skillscore.Errorf(skillscore.ENotFound, "%s上的%s已不在本%s名单中：未记录%s", t.Card, t.Contestant, t.Event, t.CheckIn)
		}
		if err != nil {
			return fmt.Errorf("contestant: %w", err)
		}
		var entry struct {
			Station  string `db:"station"`
			Position int    `db:"position"`
		}
		err = tx.GetContext(ctx, &entry, "SELECT station, position FROM session_entries WHERE session_id = ? AND contestant_id = ?", sess.ID, cid)
		if errors.Is(err, sql.ErrNoRows) {
			return notInSession(ctx, tx, who.Name, cid, sess, t)
		}
		if err != nil {
			return fmt.Errorf("session entry: %w", err)
		}
		res.EntryState = EntryState{Entry: sessions.Entry{ContestantID: cid, Name: who.Name, Station: entry.Station, Order: entry.Position},
			Organization: who.Organization}
		res.Gender, res.IDType = who.Gender, who.IDType
		if who.EntryNo != nil {
			res.EntryNo = *who.EntryNo
		}
		last, ok, err := latestCheckin(ctx, tx, sess.ID, cid)
		if err != nil {
			return err
		}
		if ok && last.Outcome == sessions.Present {
			res.Outcome, res.Method, res.At, res.By, res.Already = last.Outcome, last.Method, last.At, last.By, true
			return nil
		}
		id, err := s.keys.Open(privacy.IDNumber, who.IDCipher)
		if err != nil {
			return err
		}
		id = strings.ToUpper(id)
		if id != "" {
			res.IDMasked = idnumber.Mask(id)
		}
		outcome, note := sessions.Present, ""
		if method == sessions.MethodCode && (len(id) < 4 || id[len(id)-4:] != digits) {
			outcome = sessions.IdentityMismatch
		}
		if outcome == sessions.Present {
			switch {
			case req.Verdict == sessions.VerdictMatch:
				note = "人证核验一致"
			case req.Verdict == sessions.VerdictMismatch:
				outcome, note = sessions.IdentityMismatch, "人证核验不符"
			case req.AskIdentity:
				// A good card or number: the keeper compares the person with
				// the photo and the ID card before anything is recorded.
				var photos int
				if err := tx.GetContext(ctx, &photos, "SELECT COUNT(*) FROM photos WHERE contestant_id = ?", cid); err != nil {
					return fmt.Errorf("photo: %w", err)
				}
				res.NeedsIdentity, res.Photo = true, photos > 0
				return nil
			}
		}
		res.Outcome, res.Method, res.Note, res.At, res.By = outcome, method, note, Time{now}, req.Actor
		if err := s.recordCheckin(ctx, tx, req.EventID, sess, cid, outcome, method, note, req.Actor, now); err != nil {
			return err
		}
		// Subject the contestant, so their own data request (PersonData) finds it.
		detail := map[string]any{"session": sess.Code, "outcome": outcome, "method": method}
		if req.Verdict != "" {
			detail["verdict"] = req.Verdict
		}
		return s.appendAudit(ctx, tx, &req.EventID, req.Actor, "checkin.record", "contestant:"+strconv.FormatInt(cid, 10), detail, now)
	})
	return res, err
}

func (s *Store) recordCheckin(ctx context.Context, tx *sqlx.Tx, eventID int64, sess sessionRow, cid int64, outcome, method, note, actor string, now time.Time) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO checkins (event_id, session_id, contestant_id, outcome, method, note, at, by_user)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, eventID, sess.ID, cid, outcome, method, note, micros(now), actor); err != nil {
		return fmt.Errorf("insert check-in: %w", err)
	}
	return nil
}

func openSession(ctx context.Context, tx *sqlx.Tx, eventID int64, code string, t scoring.Terms) (sessionRow, error) {
	var r sessionRow
	if code == "" {
		return r, skillscore.Errorf(skillscore.EInvalid, "请先选择场次")
	}
	err := tx.GetContext(ctx, &r, "SELECT id, code, name, venue, module, stations, day, starts, ends, position, closed_at, closed_by FROM sessions WHERE event_id = ? AND code = ?", eventID, code)
	if errors.Is(err, sql.ErrNoRows) {
		return r, skillscore.Errorf(skillscore.ENotFound, "本赛项没有场次 %s", code)
	}
	if err != nil {
		return r, fmt.Errorf("session: %w", err)
	}
	if r.ClosedAt.Valid() {
		return r, skillscore.Errorf(skillscore.EConflict, "场次 %s 已结束%s（%s）：不能再记录", code, t.CheckIn, r.ClosedAt.In(skillscore.China()).Format("01-02 15:04"))
	}
	return r, nil
}

// notInSession names where the contestant should be instead.
func notInSession(ctx context.Context, tx *sqlx.Tx, name string, cid int64, sess sessionRow, t scoring.Terms) error {
	var others []struct {
		Code   string `db:"code"`
		Day    string `db:"day"`
		Starts string `db:"starts"`
		Ends   string `db:"ends"`
	}
	if err := tx.SelectContext(ctx, &others, `SELECT s.code, s.day, s.starts, s.ends FROM session_entries x JOIN sessions s ON s.id = x.session_id
		WHERE x.contestant_id = ? ORDER BY s.position`, cid); err != nil {
		return err
	}
	if len(others) == 0 {
		return skillscore.Errorf(skillscore.EConflict, "%s 不在场次 %s，也没有安排任何场次：未记录%s", name, sess.Code, t.CheckIn)
	}
	var where []string
	for _, o := range others {
		where = append(where, fmt.Sprintf("%s（%s %s–%s）", o.Code, o.Day, o.Starts, o.Ends))
	}
	return skillscore.Errorf(skillscore.EConflict, "%s 不在场次 %s，应在场次 %s：未记录%s", name, sess.Code, strings.Join(where, "、"), t.CheckIn)
}

func latestCheckin(ctx context.Context, tx *sqlx.Tx, sessionID, cid int64) (checkinRow, bool, error) {
	var r checkinRow
	err := tx.GetContext(ctx, &r, `SELECT session_id, contestant_id, outcome, method, note, at, by_user FROM checkins
		WHERE session_id = ? AND contestant_id = ? ORDER BY id DESC LIMIT 1`, sessionID, cid)
	if errors.Is(err, sql.ErrNoRows) {
		return r, false, nil
	}
	return r, err == nil, err
}

// DecideMismatch is the chief's decision on a 人证不符: admit the contestant
// (present) or confirm the refusal (stays identity_mismatch, absent at
// close). Only a contestant whose latest 检录 is a mismatch can be decided.
func (s *Store) DecideMismatch(ctx context.Context, eventID int64, session string, contestantID int64, admit bool, note, actor string) error {
	note = strings.TrimSpace(note)
	if note == "" {
		return skillscore.Errorf(skillscore.EInvalid, "请写明处理理由（如：核对身份证原件无误）")
	}
	if len([]rune(note)) > 200 {
		return skillscore.Errorf(skillscore.EInvalid, "处理理由不能超过 200 字")
	}
	now := s.now()
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		t, err := eventTerms(ctx, tx, eventID)
		if err != nil {
			return err
		}
		sess, err := openSession(ctx, tx, eventID, session, t)
		if err != nil {
			return err
		}
		last, ok, err := latestCheckin(ctx, tx, sess.ID, contestantID)
		if err != nil {
			return err
		}
		if !ok || last.Outcome != sessions.IdentityMismatch {
			return skillscore.Errorf(skillscore.EConflict, "该%s在场次 %s 没有待处理的人证不符记录", t.Contestant, session)
		}
		outcome := sessions.IdentityMismatch
		if admit {
			outcome = sessions.Present
		}
		if err := s.recordCheckin(ctx, tx, eventID, sess, contestantID, outcome, sessions.MethodChief, note, actor, now); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, &eventID, actor, "checkin.decide", "contestant:"+strconv.FormatInt(contestantID, 10),
			map[string]any{"session": session, "admit": admit, "note": note}, now)
	})
}

// CloseSession ends a session's 检录: everyone not checked in is recorded
// absent (缺考) and the session takes no more check-ins. It returns the
// contestants recorded absent.
func (s *Store) CloseSession(ctx context.Context, eventID int64, session, actor string) ([]int64, error) {
	now := s.now()
	var absent []int64
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		t, err := eventTerms(ctx, tx, eventID)
		if err != nil {
			return err
		}
		sess, err := openSession(ctx, tx, eventID, session, t)
		if err != nil {
			return err
		}
		var ids []int64
		if err := tx.SelectContext(ctx, &ids, "SELECT contestant_id FROM session_entries WHERE session_id = ? ORDER BY position", sess.ID); err != nil {
			return err
		}
		// A 补考 candidate who carries the sitting's part from an earlier
		// batch (store/retakes.go) was never due: not 缺考 for staying away.
		var carried []int64
		if err := tx.SelectContext(ctx, &carried, `SELECT cp.contestant_id FROM carried_parts cp
			JOIN modules m ON m.event_id = cp.event_id AND m.kind = cp.part WHERE cp.event_id = ? AND m.code = ?`, eventID, sess.Module); err != nil {
			return fmt.Errorf("carried parts: %w", err)
		}
		for _, cid := range ids {
			if slices.Contains(carried, cid) {
				continue
			}
			last, ok, err := latestCheckin(ctx, tx, sess.ID, cid)
			if err != nil {
				return err
			}
			if ok && last.Outcome == sessions.Present {
				continue
			}
			if err := s.recordCheckin(ctx, tx, eventID, sess, cid, sessions.Absent, sessions.MethodClose, "", actor, now); err != nil {
				return err
			}
			absent = append(absent, cid)
		}
		if _, err := tx.ExecContext(ctx, "UPDATE sessions SET closed_at = ?, closed_by = ? WHERE id = ?", micros(now), actor, sess.ID); err != nil {
			return fmt.Errorf("close session: %w", err)
		}
		return s.appendAudit(ctx, tx, &eventID, actor, "checkin.close", session,
			map[string]any{"entries": len(ids), "absent": absent}, now)
	})
	return absent, err
}
