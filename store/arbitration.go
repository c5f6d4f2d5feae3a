package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"skillscore"
	"skillscore/arbitration"
	"skillscore/idnumber"
)

// 仲裁 (on-site arbitration, issue 16): the appeals filed at the venue
// within a window after a module ends, their hearings and final decisions
// (package arbitration, docs/oversight-arbitration.md). Apart from the 公示
// appeals of appeals.go.

// ArbitrationWindow is the event's filing window (arbitration.DefaultWindow
// unless set).
func (s *Store) ArbitrationWindow(ctx context.Context, eventID int64) (time.Duration, error) {
	return arbitrationWindow(ctx, s.r, eventID)
}

func arbitrationWindow(ctx context.Context, q sqlx.QueryerContext, eventID int64) (time.Duration, error) {
	var m int
	err := sqlx.GetContext(ctx, q, &m, "SELECT window_minutes FROM arbitration_settings WHERE event_id = ?", eventID)
	if errors.Is(err, sql.ErrNoRows) {
		return arbitration.DefaultWindow, nil
	}
	if err != nil {
		return 0, fmt.Errorf("arbitration window: %w", err)
	}
	return time.Duration(m) * time.Minute, nil
}

// SetArbitrationWindow sets the event's filing window in minutes. Filings
// already made keep the deadline they were given.
func (s *Store) SetArbitrationWindow(ctx context.Context, eventID int64, minutes int, actor string) error {
	if err := arbitration.CheckWindow(minutes); err != nil {
		return err
	}
	now := s.now()
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE arbitration_settings SET window_minutes = ?, updated_at = ?, updated_by = ? WHERE event_id = ?",
			minutes, micros(now), actor, eventID)
		if err != nil {
			return fmt.Errorf("arbitration window: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			if _, err := tx.ExecContext(ctx, "INSERT INTO arbitration_settings (event_id, window_minutes, updated_at, updated_by) VALUES (?, ?, ?, ?)",
				eventID, minutes, micros(now), actor); err != nil {
				return fmt.Errorf("arbitration window: %w", err)
			}
		}
		return s.appendAudit(ctx, tx, &eventID, actor, "arbitration.window", "event", map[string]any{"minutes": minutes}, now)
	})
}

// ModuleEndInfo is a module of the event with when it ended, as the filing
// form shows it.
type ModuleEndInfo struct {
	ModuleID   int64
	Code, Name string
	End        arbitration.End
	Deadline   time.Time // zero while the module has not ended
}

type endModule struct {
	ID       int64  `db:"id"`
	Code     string `db:"code"`
	Name     string `db:"name"`
	Imported bool   `db:"imported"`
}

func moduleEnd(ctx context.Context, q sqlx.QueryerContext, eventID int64, m endModule) (arbitration.End, error) {
	var in arbitration.EndInput
	var ss []struct {
		Code string `db:"code"`
		Day  string `db:"day"`
		Ends string `db:"ends"`
	}
	if err := sqlx.SelectContext(ctx, q, &ss, "SELECT code, day, ends FROM sessions WHERE event_id = ? AND module = ?", eventID, m.Code); err != nil {
		return arbitration.End{}, fmt.Errorf("module sessions: %w", err)
	}
	for _, x := range ss {
		in.Sessions = append(in.Sessions, arbitration.SessionEnd{Code: x.Code, Day: x.Day, Ends: x.Ends})
	}
	if m.Imported {
		// An import replaces a contestant's row with one stamped now, so
		// the latest stamp is the module's last import.
		var last sql.NullInt64
		if err := sqlx.GetContext(ctx, q, &last, "SELECT MAX(imported_at) FROM imported_scores WHERE module_id = ?", m.ID); err != nil {
			return arbitration.End{}, fmt.Errorf("module import: %w", err)
		}
		in.Imported = true
		if last.Valid {
			in.LastImported = time.UnixMicro(last.Int64)
		}
		return arbitration.ModuleEnd(in)
	}
	// A sheet of a contestant who is absent, withdrew or was disqualified
	// stays open without holding the module up.
	var sh struct {
		N    int           `db:"n"`
		Open sql.NullInt64 `db:"open"`
		Last sql.NullInt64 `db:"last"`
	}
	if err := sqlx.GetContext(ctx, q, &sh, `SELECT COUNT(*) AS n,
			SUM(CASE WHEN sh.status = 'open' AND c.status = '' THEN 1 ELSE 0 END) AS open, MAX(sh.submitted_at) AS last
		FROM sheets sh JOIN contestants c ON c.id = sh.contestant_id WHERE sh.module_id = ?`, m.ID); err != nil {
		return arbitration.End{}, fmt.Errorf("module sheets: %w", err)
	}
	in.Sheets, in.Open = sh.N, int(sh.Open.Int64)
	if sh.Last.Valid {
		in.LastSubmitted = time.UnixMicro(sh.Last.Int64)
	}
	return arbitration.ModuleEnd(in)
}

// ModuleEnds lists the event's modules with their ends and the deadlines
// under the event's window.
func (s *Store) ModuleEnds(ctx context.Context, eventID int64) ([]ModuleEndInfo, time.Duration, error) {
	win, err := arbitrationWindow(ctx, s.r, eventID)
	if err != nil {
		return nil, 0, err
	}
	var mods []endModule
	if err := s.r.SelectContext(ctx, &mods, "SELECT id, code, name, imported FROM modules WHERE event_id = ? ORDER BY position", eventID); err != nil {
		return nil, 0, fmt.Errorf("modules: %w", err)
	}
	out := make([]ModuleEndInfo, len(mods))
	for i, m := range mods {
		e, err := moduleEnd(ctx, s.r, eventID, m)
		if err != nil {
			return nil, 0, err
		}
		out[i] = ModuleEndInfo{ModuleID: m.ID, Code: m.Code, Name: m.Name, End: e, Deadline: e.Deadline(win)}
	}
	return out, win, nil
}

// FileArbitration records an appeal filed at the venue desk. It is refused
// after the module's end plus the event's window, naming the deadline.
func (s *Store) FileArbitration(ctx context.Context, eventID int64, f arbitration.Filing, actor string) (arbitration.Case, error) {
	f, err := f.Check()
	if err != nil {
		return arbitration.Case{}, err
	}
	// A 证件号码 typed into the facts is kept masked, as in a 公示 appeal.
	f.Facts = idnumber.MaskWithin(f.Facts)
	now := s.now()
	var id int64
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		// Numbers are given one filing at a time per event: the event's
		// row is locked first (InnoDB; SQLite's write lock already is).
		if _, err := tx.ExecContext(ctx, "UPDATE events SET revision = revision WHERE id = ?", eventID); err != nil {
			return fmt.Errorf("lock event: %w", err)
		}
		var m endModule
		err := tx.GetContext(ctx, &m, "SELECT id, code, name, imported FROM modules WHERE id = ? AND event_id = ?", f.ModuleID, eventID)
		if errors.Is(err, sql.ErrNoRows) {
			return skillscore.Errorf(skillscore.ENotFound, "本赛事没有该模块")
		}
		if err != nil {
			return fmt.Errorf("arbitration module: %w", err)
		}
		var contestant any
		if f.ContestantID > 0 {
			var name string
			err := tx.GetContext(ctx, &name, "SELECT name FROM contestants WHERE id = ? AND event_id = ?", f.ContestantID, eventID)
			if errors.Is(err, sql.ErrNoRows) {
				return skillscore.Errorf(skillscore.ENotFound, "本赛事没有该选手")
			}
			if err != nil {
				return fmt.Errorf("arbitration contestant: %w", err)
			}
			contestant = f.ContestantID
			if f.AppellantRole == arbitration.ByContestant {
				f.Appellant = name
			}
		}
		win, err := arbitrationWindow(ctx, tx, eventID)
		if err != nil {
			return err
		}
		end, err := moduleEnd(ctx, tx, eventID, m)
		if err != nil {
			return err
		}
		if err := arbitration.CheckFiledInTime(now, m.Code+" "+m.Name, end, win); err != nil {
			return err
		}
		var no int
		if err := tx.GetContext(ctx, &no, "SELECT COALESCE(MAX(case_no), 0) + 1 FROM arbitrations WHERE event_id = ?", eventID); err != nil {
			return fmt.Errorf("arbitration number: %w", err)
		}
		var endAt, deadline any
		if end.Known {
			endAt, deadline = micros(end.At), micros(end.Deadline(win))
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO arbitrations (event_id, case_no, kind, module_id, contestant_id, appellant_role,
				appellant, appellant_org, facts, module_end, end_basis, deadline, filed_at, filed_by, status)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, eventID, no, f.Kind, m.ID, contestant, f.AppellantRole,
			f.Appellant, f.AppellantOrg, f.Facts, endAt, end.Basis, deadline, micros(now), actor, arbitration.StatusFiled)
		if err != nil {
			return fmt.Errorf("insert arbitration: %w", err)
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, &eventID, actor, "arbitration.file", arbitrationSubject(ctx, tx, f.ContestantID, no),
			map[string]any{"arbitration_id": id, "no": no, "kind": f.Kind, "module": m.Code, "appellant_role": f.AppellantRole}, now)
	})
	if err != nil {
		return arbitration.Case{}, err
	}
	return s.Arbitration(ctx, eventID, id)
}

// arbitrationSubject is an audit entry's subject: the contestant's code
// when one is named (as the 公示 appeals), else the case's number.
func arbitrationSubject(ctx context.Context, tx *sqlx.Tx, contestantID int64, no int) string {
	if contestantID > 0 {
		return contestantSubject(ctx, tx, contestantID)
	}
	return "arbitration:" + strconv.Itoa(no)
}

type arbitrationRow struct {
	ID             int64          `db:"id"`
	EventID        int64          `db:"event_id"`
	No             int            `db:"case_no"`
	Kind           string         `db:"kind"`
	ModuleID       int64          `db:"module_id"`
	ModuleCode     string         `db:"module_code"`
	ModuleName     string         `db:"module_name"`
	ContestantID   sql.NullInt64  `db:"contestant_id"`
	ContestantName sql.NullString `db:"contestant_name"`
	ContestantCode sql.NullString `db:"contestant_code"`
	AppellantRole  string         `db:"appellant_role"`
	Appellant      string         `db:"appellant"`
	AppellantOrg   string         `db:"appellant_org"`
	Facts          string         `db:"facts"`
	ModuleEnd      Time           `db:"module_end"`
	EndBasis       string         `db:"end_basis"`
	Deadline       Time           `db:"deadline"`
	FiledAt        Time           `db:"filed_at"`
	FiledBy        string         `db:"filed_by"`
	Status         string         `db:"status"`
	Reasons        sql.NullString `db:"reasons"`
	Measures       sql.NullString `db:"measures"`
	RemarkSheets   sql.NullString `db:"remark_sheets"`
	DecidedAt      Time           `db:"decided_at"`
	DecidedBy      sql.NullString `db:"decided_by"`
	DeciderName    sql.NullString `db:"decider_name"`
}

const arbitrationSelect = `SELECT a.id, a.event_id, a.case_no, a.kind, a.module_id, m.code AS module_code, m.name AS module_name,
		a.contestant_id, c.name AS contestant_name, c.code AS contestant_code, a.appellant_role, a.appellant, a.appellant_org,
		a.facts, a.module_end, a.end_basis, a.deadline, a.filed_at, a.filed_by, a.status, a.reasons, a.measures, a.remark_sheets,
		a.decided_at, a.decided_by, a.decider_name
	FROM arbitrations a JOIN modules m ON m.id = a.module_id LEFT JOIN contestants c ON c.id = a.contestant_id`

func (r arbitrationRow) toCase() arbitration.Case {
	c := arbitration.Case{ID: r.ID, EventID: r.EventID, No: r.No, Kind: r.Kind, ModuleID: r.ModuleID, ModuleCode: r.ModuleCode,
		ModuleName: r.ModuleName, ContestantID: r.ContestantID.Int64, ContestantName: r.ContestantName.String,
		ContestantCode: r.ContestantCode.String, AppellantRole: r.AppellantRole, Appellant: r.Appellant, AppellantOrg: r.AppellantOrg,
		Facts: r.Facts, ModuleEnd: r.ModuleEnd.Time, EndBasis: r.EndBasis, Deadline: r.Deadline.Time, FiledAt: r.FiledAt.Time,
		FiledBy: r.FiledBy, Status: r.Status, Reasons: r.Reasons.String, Measures: r.Measures.String, DecidedAt: r.DecidedAt.Time,
		DecidedBy: r.DecidedBy.String, DeciderName: r.DeciderName.String}
	if r.RemarkSheets.Valid {
		for _, v := range strings.Split(r.RemarkSheets.String, ",") {
			if id, err := strconv.ParseInt(v, 10, 64); err == nil {
				c.RemarkSheets = append(c.RemarkSheets, id)
			}
		}
	}
	return c
}

type hearingRow struct {
	ArbitrationID int64  `db:"arbitration_id"`
	HeardAt       Time   `db:"heard_at"`
	Heard         string `db:"heard"`
	Findings      string `db:"findings"`
	RecordedAt    Time   `db:"recorded_at"`
	RecordedBy    string `db:"recorded_by"`
}

// Arbitrations lists the event's on-site appeals by number, each with its
// hearings.
func (s *Store) Arbitrations(ctx context.Context, eventID int64) ([]arbitration.Case, error) {
	return arbitrations(ctx, s.r, eventID, 0)
}

// Arbitration is one case of the event.
func (s *Store) Arbitration(ctx context.Context, eventID, id int64) (arbitration.Case, error) {
	cs, err := arbitrations(ctx, s.r, eventID, id)
	if err != nil {
		return arbitration.Case{}, err
	}
	if len(cs) == 0 {
		return arbitration.Case{}, skillscore.Errorf(skillscore.ENotFound, "仲裁申诉不存在")
	}
	return cs[0], nil
}

func arbitrations(ctx context.Context, q sqlx.QueryerContext, eventID, id int64) ([]arbitration.Case, error) {
	query, args := arbitrationSelect+" WHERE a.event_id = ? ORDER BY a.case_no", []any{eventID}
	hq, hargs := `SELECT h.arbitration_id, h.heard_at, h.heard, h.findings, h.recorded_at, h.recorded_by
		FROM arbitration_hearings h JOIN arbitrations a ON a.id = h.arbitration_id WHERE a.event_id = ?`, []any{eventID}
	if id != 0 {
		query, args = arbitrationSelect+" WHERE a.event_id = ? AND a.id = ?", []any{eventID, id}
		hq, hargs = hq+" AND a.id = ?", []any{eventID, id}
	}
	var rows []arbitrationRow
	if err := sqlx.SelectContext(ctx, q, &rows, query, args...); err != nil {
		return nil, fmt.Errorf("arbitrations: %w", err)
	}
	var hs []hearingRow
	if err := sqlx.SelectContext(ctx, q, &hs, hq+" ORDER BY h.id", hargs...); err != nil {
		return nil, fmt.Errorf("arbitration hearings: %w", err)
	}
	byID := map[int64][]arbitration.HeardRecord{}
	for _, h := range hs {
		byID[h.ArbitrationID] = append(byID[h.ArbitrationID], arbitration.HeardRecord{
			Hearing:    arbitration.Hearing{HeardAt: h.HeardAt.Time, Heard: h.Heard, Findings: h.Findings},
			RecordedAt: h.RecordedAt.Time, RecordedBy: h.RecordedBy})
	}
	out := make([]arbitration.Case, len(rows))
	for i, r := range rows {
		out[i] = r.toCase()
		out[i].Hearings = byID[r.ID]
	}
	return out, nil
}

// openCase loads a case inside tx and refuses one already decided: the
// decision is final, nothing of the case changes after it.
func openCase(ctx context.Context, tx *sqlx.Tx, eventID, id int64) (arbitration.Case, error) {
	// The case's row is locked first, so a hearing and a decision of the
	// same case do not cross.
	if _, err := tx.ExecContext(ctx, "UPDATE arbitrations SET status = status WHERE id = ? AND event_id = ?", id, eventID); err != nil {
		return arbitration.Case{}, fmt.Errorf("lock arbitration: %w", err)
	}
	cs, err := arbitrations(ctx, tx, eventID, id)
	if err != nil {
		return arbitration.Case{}, err
	}
	if len(cs) == 0 {
		return arbitration.Case{}, skillscore.Errorf(skillscore.ENotFound, "仲裁申诉不存在")
	}
	c := cs[0]
	if arbitration.Decided(c.Status) {
		return c, skillscore.Errorf(skillscore.EConflict, "第 %d 号仲裁申诉已于 %s 作出决定（%s）：仲裁决定为最终决定，不能再修改或补充",
			c.No, c.DecidedAt.In(skillscore.China()).Format("2006-01-02 15:04"), arbitration.StatusLabels[c.Status])
	}
	return c, nil
}

// RecordHearing adds a hearing to an undecided case.
func (s *Store) RecordHearing(ctx context.Context, eventID, id int64, h arbitration.Hearing, actor string) error {
	now := s.now()
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		c, err := openCase(ctx, tx, eventID, id)
		if err != nil {
			return err
		}
		if h, err = h.Check(c.FiledAt, now); err != nil {
			return err
		}
		h.Findings = idnumber.MaskWithin(h.Findings)
		if _, err := tx.ExecContext(ctx, `INSERT INTO arbitration_hearings (arbitration_id, heard_at, heard, findings, recorded_at, recorded_by)
			VALUES (?, ?, ?, ?, ?, ?)`, id, micros(h.HeardAt), h.Heard, h.Findings, micros(now), actor); err != nil {
			return fmt.Errorf("insert hearing: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "UPDATE arbitrations SET status = ? WHERE id = ?", arbitration.StatusHeard, id); err != nil {
			return fmt.Errorf("arbitration heard: %w", err)
		}
		// Who was heard and what was found stay in the case (and go with
		// a purge); the audit chain, never purged, keeps their digest.
		return s.appendAudit(ctx, tx, &eventID, actor, "arbitration.hearing", arbitrationSubject(ctx, tx, c.ContestantID, c.No),
			map[string]any{"arbitration_id": id, "no": c.No, "heard_at": h.HeardAt.UTC().Format(time.RFC3339),
				"sha256": textDigest(h.Heard, h.Findings)}, now)
	})
}

// DecideArbitration records the 仲裁's final decision on a heard case. An
// upheld score appeal may name the contestant's sheets of the module for
// re-mark: as for a 公示 appeal sent for re-mark, the module's sign-off is
// withdrawn so the chief judge reopens the sheets (the usual reopen), the
// judges re-score and the chief signs off again.
func (s *Store) DecideArbitration(ctx context.Context, eventID, id int64, d arbitration.Decision, actor string) error {
	now := s.now()
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		c, err := openCase(ctx, tx, eventID, id)
		if err != nil {
			return err
		}
		if d, err = d.Check(c.Kind); err != nil {
			return err
		}
		if len(c.Hearings) == 0 {
			return skillscore.Errorf(skillscore.EConflict, "第 %d 号仲裁申诉尚无听证记录：请先记录听证（调查）情况，再作出决定", c.No)
		}
		ids := make([]string, len(d.RemarkSheets))
		for i, sid := range d.RemarkSheets {
			var n int
			if err := tx.GetContext(ctx, &n, "SELECT COUNT(*) FROM sheets WHERE id = ? AND module_id = ? AND contestant_id = ?",
				sid, c.ModuleID, c.ContestantID); err != nil {
				return fmt.Errorf("remark sheet: %w", err)
			}
			if n == 0 {
				return skillscore.Errorf(skillscore.EInvalid, "评分表 %d 不是该选手在模块 %s 的评分表", sid, c.ModuleCode)
			}
			ids[i] = strconv.FormatInt(sid, 10)
		}
		var sheets any
		if len(ids) > 0 {
			var final int
			if err := tx.GetContext(ctx, &final, "SELECT COUNT(*) FROM finals WHERE event_id = ?", eventID); err != nil {
				return fmt.Errorf("finals: %w", err)
			}
			if final > 0 {
				return skillscore.Errorf(skillscore.EConflict, "本赛事成绩已最终确认，不能再复评；请只写明处理措施")
			}
			if _, err := tx.ExecContext(ctx, "UPDATE modules SET signed_off_at = NULL, signed_off_by = NULL WHERE id = ?", c.ModuleID); err != nil {
				return fmt.Errorf("withdraw sign-off: %w", err)
			}
			if _, err := bumpRevision(ctx, tx, eventID); err != nil {
				return err
			}
			sheets = strings.Join(ids, ",")
		}
		name := actor
		if err := tx.GetContext(ctx, &name, "SELECT name FROM users WHERE username = ?", actor); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("decider: %w", err)
		}
		var measures any
		if d.Measures != "" {
			measures = d.Measures
		}
		res, err := tx.ExecContext(ctx, `UPDATE arbitrations SET status = ?, reasons = ?, measures = ?, remark_sheets = ?, decided_at = ?,
				decided_by = ?, decider_name = ? WHERE id = ? AND status IN (?, ?)`, d.Outcome, d.Reasons, measures, sheets, micros(now),
			actor, name, id, arbitration.StatusFiled, arbitration.StatusHeard)
		if err != nil {
			return fmt.Errorf("decide arbitration: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != 1 {
			return skillscore.Errorf(skillscore.EConflict, "第 %d 号仲裁申诉已作出决定", c.No)
		}
		return s.appendAudit(ctx, tx, &eventID, actor, "arbitration."+d.Outcome, arbitrationSubject(ctx, tx, c.ContestantID, c.No),
			map[string]any{"arbitration_id": id, "no": c.No, "sheets": ids, "sha256": textDigest(d.Outcome, d.Reasons, d.Measures)}, now)
	})
}

// undecidedArbitrations lists the numbers of the event's on-site appeals
// filed and not yet decided, for the workflow: the results wait for them.
func undecidedArbitrations(ctx context.Context, tx *sqlx.Tx, eventID int64) ([]int, error) {
	var nos []int
	if err := tx.SelectContext(ctx, &nos, "SELECT case_no FROM arbitrations WHERE event_id = ? AND status IN (?, ?) ORDER BY case_no",
		eventID, arbitration.StatusFiled, arbitration.StatusHeard); err != nil {
		return nil, fmt.Errorf("undecided arbitrations: %w", err)
	}
	return nos, nil
}

// arbitrationsDecided refuses publication while an on-site appeal is
// undecided: its decision is final and may send sheets for re-mark, which
// is refused once the results are final, so the results wait for it as
// they wait for the 复核 (recheckDone).
func (w Workflow) arbitrationsDecided() error {
	if len(w.UndecidedArbitrations) == 0 {
		return nil
	}
	return skillscore.Errorf(skillscore.EConflict, "现场仲裁申诉%s尚未作出决定，不能发布成绩：请仲裁听证并作出决定后再公示（现场仲裁页）",
		arbitration.Numbers(w.UndecidedArbitrations))
}

// PurgedArbitration replaces every typed text of an on-site appeal when the
// event's personal data are purged (purge.go).
const PurgedArbitration = "（已按个人信息保存期限清除）"

// purgeArbitrations clears what an on-site appeal holds about people: the
// appellant's name and unit, the facts, who was heard and the findings,
// the decision's reasons and measures. Kind, module, dates, status and
// the re-marked sheets stay, as the 公示 appeals keep their decision.
func purgeArbitrations(ctx context.Context, tx *sqlx.Tx, eventID int64) error {
	if _, err := tx.ExecContext(ctx, `UPDATE arbitrations SET appellant = ?, appellant_org = '', facts = ?,
			reasons = CASE WHEN reasons IS NULL THEN NULL ELSE ? END, measures = CASE WHEN measures IS NULL THEN NULL ELSE ? END
		WHERE event_id = ?`, PurgedName, PurgedArbitration, PurgedArbitration, PurgedArbitration, eventID); err != nil {
		return fmt.Errorf("purge arbitrations: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE arbitration_hearings SET heard = ?, findings = ?
		WHERE arbitration_id IN (SELECT id FROM arbitrations WHERE event_id = ?)`, PurgedArbitration, PurgedArbitration, eventID); err != nil {
		return fmt.Errorf("purge arbitration hearings: %w", err)
	}
	return nil
}

// textDigest is the SHA-256 of a case's texts as recorded, for the audit
// chain: it proves what was written without holding the words, which may
// name people and go with a purge.
func textDigest(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}
