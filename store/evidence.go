package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"skillscore"
	"skillscore/arbitration"
)

// Evidence is one photo or clip attached to a target of an event (issue
// 16). The file is in the evidence store (package evidence), named by its
// SHA-256; this row says what it is attached to, what it is and who
// attached it.
type Evidence struct {
	ID          int64  `db:"id"`
	EventID     int64  `db:"event_id"`
	TargetKind  string `db:"target_kind"` // a kind of EvidenceTargets
	TargetID    int64  `db:"target_id"`
	SHA256      string `db:"sha256"`
	Media       string `db:"media"` // photo | clip
	ContentType string `db:"content_type"`
	Size        int64  `db:"size_bytes"`
	Note        string `db:"note"`
	CreatedAt   Time   `db:"created_at"`
	CreatedBy   string `db:"created_by"`
	// Target describes the target as the staff pages show it (filled by
	// the reads, not stored).
	Target string `db:"-"`
}

const evidenceCols = "id, event_id, target_kind, target_id, sha256, media, content_type, size_bytes, note, created_at, created_by"

// Media kinds and their content types: what the evidence package's
// content sniffing may hand the store.
const (
	MediaPhoto = "photo"
	MediaClip  = "clip"
)

var evidenceTypes = map[string]string{
	"image/jpeg": MediaPhoto, "image/png": MediaPhoto, "image/webp": MediaPhoto,
	"video/mp4": MediaClip, "video/webm": MediaClip, "video/quicktime": MediaClip,
}

// maxEvidenceNote bounds an attachment's note in characters.
const maxEvidenceNote = 200

var sha256RE = regexp.MustCompile(`^[0-9a-f]{64}$`)

// EvidenceTarget is one kind of thing evidence may be attached to: the
// registry below is the only place that knows the kinds, so adding the
// incidents (赛场记录) and the on-site 仲裁 appeals is one entry each.
type EvidenceTarget struct {
	Kind string // in URLs and rows: sheet, appeal, …
	Name string // in Chinese, for pages and messages
	// Viewers may see (and download) the target's evidence, Uploaders
	// may attach to it from the staff pages; an organizer of the event
	// always may. Judges never see evidence; JudgeOwn lets a judge attach
	// from the tablet to a target that describe says is theirs, and
	// judgeMay (when set) to one they otherwise answer for.
	Viewers, Uploaders []string
	JudgeOwn           bool
	judgeMay           func(ctx context.Context, q sqlx.QueryerContext, eventID, id, judgeID int64) (bool, error)
	// describe checks that target id belongs to the event and says what it
	// is (ENotFound otherwise); judgeID is the judge it belongs to (0 when
	// it is no judge's).
	describe func(ctx context.Context, q sqlx.QueryerContext, eventID, id int64) (label string, judgeID int64, err error)
}

// oversight are the roles that see evidence: 裁判长, 监督 and 仲裁 (the
// organizer always does).
var oversight = []string{RoleChief, RoleMonitor, RoleArbiter}

// EvidenceTargets is the registry of target kinds, in the order pages list
// them. A fresh slice each call: no shared mutable state.
func EvidenceTargets() []EvidenceTarget {
	return []EvidenceTarget{
		{Kind: "sheet", Name: "评分表", Viewers: oversight, Uploaders: oversight, JudgeOwn: true, describe: describeSheet},
		{Kind: "appeal", Name: "公示申诉", Viewers: oversight, Uploaders: oversight, describe: describeAppeal},
		// Incidents: from the staff pages, and from the tablet of the judge
		// who entered one or who scores its station (the rule for entering
		// one there).
		{Kind: "incident", Name: "赛场记录", Viewers: oversight, Uploaders: oversight, JudgeOwn: true, describe: describeIncident,
			judgeMay: incidentAtJudgeStation},
		{Kind: "arbitration", Name: "现场仲裁", Viewers: oversight, Uploaders: oversight, describe: describeArbitration},
	}
}

// EvidenceTargetOf returns the registry entry of a kind; EInvalid for a
// kind that is none.
func EvidenceTargetOf(kind string) (EvidenceTarget, error) {
	for _, t := range EvidenceTargets() {
		if t.Kind == kind {
			return t, nil
		}
	}
	return EvidenceTarget{}, skillscore.Errorf(skillscore.EInvalid, "证据不能附在 %q 上：只能附在评分表、公示申诉、赛场记录或现场仲裁上", clipText(kind, 20))
}

// Sees reports whether a role may see this kind's evidence.
func (t EvidenceTarget) Sees(role string) bool {
	return role == RoleOrganizer || contains(t.Viewers, role)
}

// Attaches reports whether a staff role may attach evidence to this kind.
func (t EvidenceTarget) Attaches(role string) bool {
	return role == RoleOrganizer || contains(t.Uploaders, role)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func clipText(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

func describeSheet(ctx context.Context, q sqlx.QueryerContext, eventID, id int64) (string, int64, error) {
	var row struct {
		ModuleCode string         `db:"module_code"`
		ModuleName string         `db:"module_name"`
		Contestant int64          `db:"contestant_id"`
		Code       sql.NullString `db:"code"`
		JudgeID    int64          `db:"judge_id"`
		JudgeCode  string         `db:"judge_code"`
	}
	err := sqlx.GetContext(ctx, q, &row, `SELECT m.code AS module_code, m.name AS module_name, sh.contestant_id, c.code,
		sh.judge_id, j.code AS judge_code
		FROM sheets sh JOIN modules m ON m.id = sh.module_id JOIN contestants c ON c.id = sh.contestant_id
		JOIN judges j ON j.id = sh.judge_id WHERE sh.id = ? AND m.event_id = ?`, id, eventID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", 0, skillscore.Errorf(skillscore.ENotFound, "本赛事没有编号为 %d 的评分表", id)
	}
	if err != nil {
		return "", 0, fmt.Errorf("evidence sheet: %w", err)
	}
	return fmt.Sprintf("评分表 %d：模块 %s %s · 选手 %s · 裁判 %s", id, row.ModuleCode, row.ModuleName,
		contestantLabel(row.Contestant, row.Code), row.JudgeCode), row.JudgeID, nil
}

func describeAppeal(ctx context.Context, q sqlx.QueryerContext, eventID, id int64) (string, int64, error) {
	var row struct {
		Contestant int64          `db:"contestant_id"`
		Code       sql.NullString `db:"code"`
		Status     string         `db:"status"`
	}
	err := sqlx.GetContext(ctx, q, &row, `SELECT a.contestant_id, c.code, a.status
		FROM appeals a JOIN contestants c ON c.id = a.contestant_id WHERE a.id = ? AND a.event_id = ?`, id, eventID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", 0, skillscore.Errorf(skillscore.ENotFound, "本赛事没有编号为 %d 的申诉", id)
	}
	if err != nil {
		return "", 0, fmt.Errorf("evidence appeal: %w", err)
	}
	status := map[string]string{"open": "处理中", "rejected": "已驳回", "remark": "已复评"}[row.Status]
	return fmt.Sprintf("公示申诉 %d：选手 %s（%s）", id, contestantLabel(row.Contestant, row.Code), status), 0, nil
}

// describeIncident names a 赛场记录 entry (migration 037) of the event and
// the judge who entered it (0 when the chief or the organizer did).
func describeIncident(ctx context.Context, q sqlx.QueryerContext, eventID, id int64) (string, int64, error) {
	var row struct {
		No      int    `db:"incident_no"`
		Session string `db:"session_code"`
		Station string `db:"station"`
		By      string `db:"entered_by"`
	}
	err := sqlx.GetContext(ctx, q, &row, "SELECT incident_no, session_code, station, entered_by FROM incidents WHERE id = ? AND event_id = ?", id, eventID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", 0, skillscore.Errorf(skillscore.ENotFound, "本赛事没有编号为 %d 的赛场记录", id)
	}
	if err != nil {
		return "", 0, fmt.Errorf("evidence incident: %w", err)
	}
	var judgeID int64
	if rest, ok := strings.CutPrefix(row.By, "judge:"); ok {
		judgeID, _ = strconv.ParseInt(rest, 10, 64)
	}
	return fmt.Sprintf("赛场记录第 %d 号：场次 %s · 赛位 %s", row.No, row.Session, row.Station), judgeID, nil
}

// incidentAtJudgeStation reports whether the judge scores the entry's
// station: a contestant assigned to them sits there in that session, a
// session of that module or of none (as IncidentStations lists them).
func incidentAtJudgeStation(ctx context.Context, q sqlx.QueryerContext, eventID, id, judgeID int64) (bool, error) {
	var n int
	err := sqlx.GetContext(ctx, q, &n, `SELECT COUNT(*) FROM incidents i
		JOIN sessions x ON x.event_id = i.event_id AND x.code = i.session_code
		JOIN session_entries se ON se.session_id = x.id AND se.station = i.station
		JOIN assignments a ON a.contestant_id = se.contestant_id AND a.judge_id = ?
		JOIN modules m ON m.id = a.module_id AND m.event_id = x.event_id AND (x.module = m.code OR x.module = '')
		WHERE i.id = ? AND i.event_id = ?`, judgeID, id, eventID)
	if err != nil {
		return false, fmt.Errorf("evidence incident station: %w", err)
	}
	return n > 0, nil
}

// describeArbitration names an on-site 仲裁 case (migration 036) of the
// event; it is no judge's.
func describeArbitration(ctx context.Context, q sqlx.QueryerContext, eventID, id int64) (string, int64, error) {
	var row struct {
		No     int    `db:"case_no"`
		Kind   string `db:"kind"`
		Module string `db:"module_code"`
		Status string `db:"status"`
	}
	err := sqlx.GetContext(ctx, q, &row, `SELECT a.case_no, a.kind, m.code AS module_code, a.status
		FROM arbitrations a JOIN modules m ON m.id = a.module_id WHERE a.id = ? AND a.event_id = ?`, id, eventID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", 0, skillscore.Errorf(skillscore.ENotFound, "本赛事没有编号为 %d 的现场仲裁", id)
	}
	if err != nil {
		return "", 0, fmt.Errorf("evidence arbitration: %w", err)
	}
	return fmt.Sprintf("现场仲裁第 %d 号：%s · 模块 %s（%s）", row.No, arbitration.KindLabel(row.Kind), row.Module,
		arbitration.StatusLabels[row.Status]), 0, nil
}

// contestantLabel names a contestant to the oversight pages: the anonymous
// code once drawn (the chief judge never sees a name before decryption),
// else the row number.
func contestantLabel(id int64, code sql.NullString) string {
	if code.Valid && code.String != "" {
		return code.String
	}
	return "#" + strconv.FormatInt(id, 10)
}

// EvidenceCheck is who wants to attach evidence to which target, checked
// before the file is received (so a refused upload costs nothing) and again
// in the transaction that records it.
type EvidenceCheck struct {
	EventID    int64
	TargetKind string
	TargetID   int64
	// JudgeID is the judge attaching from the tablet (0 for staff): the
	// target must be theirs.
	JudgeID int64
	// MaxPerTarget bounds the files a target holds (a setting).
	MaxPerTarget int
}

// checkEvidenceTarget describes the target, checks a judge's ownership and
// returns how many files it holds.
func checkEvidenceTarget(ctx context.Context, q sqlx.QueryerContext, c EvidenceCheck) (EvidenceTarget, string, int, error) {
	t, err := EvidenceTargetOf(c.TargetKind)
	if err != nil {
		return t, "", 0, err
	}
	label, judgeID, err := t.describe(ctx, q, c.EventID, c.TargetID)
	if err != nil {
		return t, "", 0, err
	}
	if c.JudgeID != 0 {
		may := t.JudgeOwn && judgeID == c.JudgeID
		if !may && t.JudgeOwn && t.judgeMay != nil {
			if may, err = t.judgeMay(ctx, q, c.EventID, c.TargetID, c.JudgeID); err != nil {
				return t, "", 0, err
			}
		}
		if !may {
			// The same answer as for a target that does not exist: a judge
			// learns nothing of other judges' sheets.
			return t, "", 0, skillscore.Errorf(skillscore.ENotFound, "本赛事没有编号为 %d 的%s", c.TargetID, t.Name)
		}
	}
	var n int
	if err := sqlx.GetContext(ctx, q, &n, "SELECT COUNT(*) FROM evidence WHERE event_id = ? AND target_kind = ? AND target_id = ?",
		c.EventID, c.TargetKind, c.TargetID); err != nil {
		return t, "", 0, fmt.Errorf("evidence count: %w", err)
	}
	return t, label, n, nil
}

// CheckEvidenceTarget says whether the target exists in the event, belongs
// to the judge (when one attaches) and has room for one more file; it
// returns the target's label.
func (s *Store) CheckEvidenceTarget(ctx context.Context, c EvidenceCheck) (string, error) {
	_, label, n, err := checkEvidenceTarget(ctx, s.r, c)
	if err != nil {
		return "", err
	}
	if c.MaxPerTarget > 0 && n >= c.MaxPerTarget {
		return "", skillscore.Errorf(skillscore.EConflict, "%s已有 %d 个证据文件，达到每项 %d 个的上限", label, n, c.MaxPerTarget)
	}
	return label, nil
}

// AddEvidence records a received file against its target and audits it
// (evidence.add: target, checksum, type, size; never the picture). The
// same file already attached to the same target is that row again, with
// duplicate true and nothing written.
func (s *Store) AddEvidence(ctx context.Context, c EvidenceCheck, e Evidence, actor string) (Evidence, bool, error) {
	e.Note = strings.TrimSpace(e.Note)
	switch {
	case !sha256RE.MatchString(e.SHA256):
		return Evidence{}, false, skillscore.Errorf(skillscore.EInvalid, "证据文件缺少 SHA-256 校验值")
	case evidenceTypes[e.ContentType] == "" || evidenceTypes[e.ContentType] != e.Media:
		return Evidence{}, false, skillscore.Errorf(skillscore.EInvalid, "证据文件类型 %q 无效", clipText(e.ContentType, 40))
	case e.Size <= 0:
		return Evidence{}, false, skillscore.Errorf(skillscore.EInvalid, "证据文件是空的")
	case utf8.RuneCountInString(e.Note) > maxEvidenceNote:
		return Evidence{}, false, skillscore.Errorf(skillscore.EInvalid, "说明不能超过 %d 字", maxEvidenceNote)
	case !utf8.ValidString(e.Note):
		return Evidence{}, false, skillscore.Errorf(skillscore.EInvalid, "说明含有无效字符")
	}
	now := s.now()
	e.EventID, e.TargetKind, e.TargetID = c.EventID, c.TargetKind, c.TargetID
	e.CreatedAt, e.CreatedBy = Time{now}, actor
	dup := false
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		dup = false
		_, label, n, err := checkEvidenceTarget(ctx, tx, c)
		if err != nil {
			return err
		}
		e.Target = label
		var old Evidence
		err = tx.GetContext(ctx, &old, "SELECT "+evidenceCols+` FROM evidence
			WHERE event_id = ? AND target_kind = ? AND target_id = ? AND sha256 = ?`, c.EventID, c.TargetKind, c.TargetID, e.SHA256)
		if err == nil {
			old.Target, e, dup = label, old, true
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("evidence duplicate: %w", err)
		}
		if c.MaxPerTarget > 0 && n >= c.MaxPerTarget {
			return skillscore.Errorf(skillscore.EConflict, "%s已有 %d 个证据文件，达到每项 %d 个的上限", label, n, c.MaxPerTarget)
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO evidence (event_id, target_kind, target_id, sha256, media, content_type,
			size_bytes, note, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, e.EventID, e.TargetKind, e.TargetID,
			e.SHA256, e.Media, e.ContentType, e.Size, e.Note, micros(now), actor)
		if isUniqueViolation(err) {
			return skillscore.Errorf(skillscore.EConflict, "同一文件正在附到%s，请刷新页面查看", label)
		}
		if err != nil {
			return fmt.Errorf("insert evidence: %w", err)
		}
		if e.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, &c.EventID, actor, "evidence.add", evidenceSubject(e.TargetKind, e.TargetID),
			map[string]any{"evidence_id": e.ID, "sha256": e.SHA256, "media": e.Media, "content_type": e.ContentType,
				"size_bytes": e.Size, "note": e.Note}, now)
	})
	if err != nil {
		return Evidence{}, false, err
	}
	return e, dup, nil
}

// evidenceSubject is an attachment's audit subject: the target, by kind
// and row id.
func evidenceSubject(kind string, id int64) string { return kind + ":" + strconv.FormatInt(id, 10) }

// describeAll fills each row's Target label, one description per target.
func describeAll(ctx context.Context, q sqlx.QueryerContext, eventID int64, es []Evidence) error {
	labels := map[string]string{}
	for i := range es {
		k := evidenceSubject(es[i].TargetKind, es[i].TargetID)
		if _, ok := labels[k]; !ok {
			t, err := EvidenceTargetOf(es[i].TargetKind)
			if err != nil {
				labels[k] = k // a kind of a later version, read by this one
			} else if label, _, err := t.describe(ctx, q, eventID, es[i].TargetID); err == nil {
				labels[k] = label
			} else if skillscore.ErrorCode(err) == skillscore.ENotFound {
				labels[k] = t.Name + " " + strconv.FormatInt(es[i].TargetID, 10) + "（已不存在）"
			} else {
				return err
			}
		}
		es[i].Target = labels[k]
	}
	return nil
}

// EventEvidence lists an event's evidence, by target then upload, each
// with its target's label; kind "" lists every kind, targetID 0 every
// target of the kind.
func (s *Store) EventEvidence(ctx context.Context, eventID int64, kind string, targetID int64) ([]Evidence, error) {
	q := "SELECT " + evidenceCols + " FROM evidence WHERE event_id = ?"
	args := []any{eventID}
	if kind != "" {
		q += " AND target_kind = ?"
		args = append(args, kind)
		if targetID != 0 {
			q += " AND target_id = ?"
			args = append(args, targetID)
		}
	}
	var out []Evidence
	if err := s.r.SelectContext(ctx, &out, q+" ORDER BY target_kind, target_id, id", args...); err != nil {
		return nil, fmt.Errorf("event evidence: %w", err)
	}
	if err := describeAll(ctx, s.r, eventID, out); err != nil {
		return nil, err
	}
	return out, nil
}

// EvidenceByID returns one attachment of the event; ENotFound when the
// event has none with that id.
func (s *Store) EvidenceByID(ctx context.Context, eventID, id int64) (Evidence, error) {
	var e Evidence
	err := s.r.GetContext(ctx, &e, "SELECT "+evidenceCols+" FROM evidence WHERE id = ? AND event_id = ?", id, eventID)
	if errors.Is(err, sql.ErrNoRows) {
		return Evidence{}, skillscore.Errorf(skillscore.ENotFound, "本赛事没有编号为 %d 的证据", id)
	}
	if err != nil {
		return Evidence{}, fmt.Errorf("evidence: %w", err)
	}
	es := []Evidence{e}
	if err := describeAll(ctx, s.r, eventID, es); err != nil {
		return Evidence{}, err
	}
	return es[0], nil
}

// DeleteEvidence removes an attachment, audited with the reason: only the
// organizer (the caller checks the role) and only before the results are
// published (公示) — from then on evidence is part of the record. It
// returns the row and whether any row (of any event) still names its
// file: if none, the file is the caller's to remove once this committed.
func (s *Store) DeleteEvidence(ctx context.Context, eventID, id int64, reason, actor string) (Evidence, bool, error) {
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "":
		return Evidence{}, false, skillscore.Errorf(skillscore.EInvalid, "请填写删除理由")
	case utf8.RuneCountInString(reason) > maxEvidenceNote:
		return Evidence{}, false, skillscore.Errorf(skillscore.EInvalid, "删除理由不能超过 %d 字", maxEvidenceNote)
	}
	now := s.now()
	var e Evidence
	var used bool
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		w, err := workflow(ctx, tx, eventID)
		if err != nil {
			return err
		}
		if w.PublishedAt.Valid() {
			return skillscore.Errorf(skillscore.EConflict, "成绩已于 %s 公示，证据已成为记录的一部分，不能删除", cnTime(w.PublishedAt.Time))
		}
		err = tx.GetContext(ctx, &e, "SELECT "+evidenceCols+" FROM evidence WHERE id = ? AND event_id = ?", id, eventID)
		if errors.Is(err, sql.ErrNoRows) {
			return skillscore.Errorf(skillscore.ENotFound, "本赛事没有编号为 %d 的证据", id)
		}
		if err != nil {
			return fmt.Errorf("evidence: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM evidence WHERE id = ?", id); err != nil {
			return fmt.Errorf("delete evidence: %w", err)
		}
		var n int
		if err := tx.GetContext(ctx, &n, "SELECT COUNT(*) FROM evidence WHERE sha256 = ?", e.SHA256); err != nil {
			return fmt.Errorf("evidence file use: %w", err)
		}
		used = n > 0
		return s.appendAudit(ctx, tx, &eventID, actor, "evidence.delete", evidenceSubject(e.TargetKind, e.TargetID),
			map[string]any{"evidence_id": e.ID, "sha256": e.SHA256, "reason": reason}, now)
	})
	if err != nil {
		return Evidence{}, false, err
	}
	return e, used, nil
}

// EvidenceFileUsed reports whether any attachment names the file (a file
// received for a refused attachment is removed only when none does).
func (s *Store) EvidenceFileUsed(ctx context.Context, sha string) (bool, error) {
	var n int
	if err := s.r.GetContext(ctx, &n, "SELECT COUNT(*) FROM evidence WHERE sha256 = ?", sha); err != nil {
		return false, fmt.Errorf("evidence file use: %w", err)
	}
	return n > 0, nil
}

// JudgeSheetID is the id of a judge's sheet of a module and contestant,
// named as the tablet names them (module code, anonymous code or the
// contestant's row id as the tablet shows it); ENotFound when the judge
// has no such sheet (yet: a sheet begins with its first mark).
func (s *Store) JudgeSheetID(ctx context.Context, judgeID int64, moduleCode, contestant string) (int64, error) {
	var id int64
	err := s.r.GetContext(ctx, &id, `SELECT sh.id FROM sheets sh JOIN modules m ON m.id = sh.module_id
		JOIN contestants c ON c.id = sh.contestant_id JOIN judges j ON j.id = sh.judge_id
		WHERE sh.judge_id = ? AND m.event_id = j.event_id AND m.code = ? AND c.code = ?`, judgeID, moduleCode, contestant)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, skillscore.Errorf(skillscore.ENotFound, "这份评分表还没有任何评分：请先评分，再拍照附证据")
	}
	if err != nil {
		return 0, fmt.Errorf("judge sheet: %w", err)
	}
	return id, nil
}

// EvidenceFiles lists every file (by SHA-256) the evidence rows of all
// events name, once each: what the evidence store must hold (for backups,
// the archive, a prune).
func (s *Store) EvidenceFiles(ctx context.Context) ([]string, error) {
	var out []string
	if err := s.r.SelectContext(ctx, &out, "SELECT DISTINCT sha256 FROM evidence ORDER BY sha256"); err != nil {
		return nil, fmt.Errorf("evidence files: %w", err)
	}
	return out, nil
}
