package web

// Evidence (issue 16, docs/oversight-evidence.md): photos and short clips
// attached to a score sheet or an appeal, from the judge's tablet camera
// or an upload on the staff page. Seen by the chief judge, 监督, 仲裁 and
// the organizer only; never on a public page.

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"skillscore"
	"skillscore/evidence"
	"skillscore/store"
)

// EvidenceService receives, lists, serves and deletes evidence (package
// evidence).
type EvidenceService interface {
	Limits() evidence.Limits
	Check(ctx context.Context, c store.EvidenceCheck) (string, error)
	Attach(ctx context.Context, u evidence.Upload) (store.Evidence, bool, error)
	List(ctx context.Context, eventID int64, kind string, targetID int64) ([]store.Evidence, error)
	Open(ctx context.Context, eventID, id int64) (*evidence.File, error)
	Delete(ctx context.Context, eventID, id int64, reason, actor string) (store.Evidence, error)
	JudgeSheet(ctx context.Context, judgeID int64, moduleCode, contestant string) (int64, error)
}

// evidenceRoles are the roles that see evidence at all; each target kind
// then says which of them see it (store.EvidenceTargets).
var evidenceRoles = []string{RoleOrganizer, RoleChief, RoleMonitor, RoleArbiter}

// evidenceAccess admits the chief judge, 监督, 仲裁 and organizer of the
// event; another event's users get its 404, the event's other roles
// (observers, scorekeepers…) a 403.
func evidenceAccess(r *http.Request, a store.Access) error {
	if err := outOfScope(r, a); err != nil {
		return err
	}
	for _, role := range evidenceRoles {
		if scopeHas(r, a, role) {
			return nil
		}
	}
	return skillscore.Errorf(skillscore.EForbidden, "证据仅裁判长、监督、仲裁和组织者可以查看")
}

// rolesIn are the user's roles over the request's event.
func rolesIn(r *http.Request, a store.Access) []string {
	var out []string
	for _, role := range StaffRoles {
		if scopeHas(r, a, role) {
			out = append(out, role)
		}
	}
	return out
}

func anyRole(roles []string, ok func(string) bool) bool {
	for _, r := range roles {
		if ok(r) {
			return true
		}
	}
	return false
}

// evidenceRoute is requireAccess for the evidence pages, with the event
// loaded.
func (s *Server) evidenceRoute(h func(http.ResponseWriter, *http.Request, *authed, store.Event)) http.HandlerFunc {
	return s.requireAccess(func(w http.ResponseWriter, r *http.Request, u *authed) {
		if !s.needEvidence(w, r) {
			return
		}
		ev, err := s.eventFor(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		h(w, r, u, ev)
	}, evidenceAccess)
}

func (s *Server) needEvidence(w http.ResponseWriter, r *http.Request) bool {
	if s.evidence == nil || s.judging == nil {
		s.fail(w, r, skillscore.Errorf(skillscore.EUnavailable, "本服务未配置证据库（--evidence DIR）"))
		return false
	}
	return true
}

type evidencePage struct {
	Title, CSRF, User, EventCode, EventName string
	Message, Error                          string
	// Kinds are the targets the user may attach to (the upload form).
	Kinds []evidenceKind
	// Kind and TargetID narrow the page to one target (?kind=&target=);
	// Target is its label.
	Kind     string
	TargetID int64
	Target   string
	Note     string
	Items    []evidenceRow
	// Limits as the form states them.
	PhotoLimit, ClipLimit string
	PerTarget             int
	// CanDelete: an organizer, before publication.
	CanDelete bool
}

type evidenceKind struct{ Kind, Name string }

type evidenceRow struct {
	store.Evidence
	URL, At, Size string
	Photo         bool
}

func (s *Server) handleEvidencePage(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	s.renderEvidence(w, r, u, ev, evidenceForm{kind: r.URL.Query().Get("kind"), target: r.URL.Query().Get("target")}, r.URL.Query().Get("msg"), "", http.StatusOK)
}

// evidenceForm is what the upload form carried (kept on a refusal).
type evidenceForm struct{ kind, target, note string }

func (s *Server) renderEvidence(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, f evidenceForm, msg, errMsg string, status int) {
	ctx := r.Context()
	roles := rolesIn(r, u.Access)
	lim := s.evidence.Limits()
	page := evidencePage{Title: ev.Name + " · 证据", CSRF: u.CSRF, User: u.User.Name, EventCode: ev.Code, EventName: ev.Name,
		Message: msg, Error: errMsg, Note: f.note, PhotoLimit: sizeLabel(lim.PhotoBytes), ClipLimit: sizeLabel(lim.ClipBytes),
		PerTarget: lim.PerTarget}
	visible := map[string]bool{}
	for _, t := range store.EvidenceTargets() {
		if anyRole(roles, t.Sees) {
			visible[t.Kind] = true
		}
		if anyRole(roles, t.Attaches) {
			page.Kinds = append(page.Kinds, evidenceKind{t.Kind, t.Name})
		}
	}
	if t, err := store.EvidenceTargetOf(f.kind); err == nil && visible[t.Kind] {
		page.Kind = t.Kind
		if id, err := strconv.ParseInt(f.target, 10, 64); err == nil && id > 0 {
			page.TargetID = id
		}
	}
	kind := page.Kind
	if page.TargetID == 0 {
		kind = ""
	}
	items, err := s.evidence.List(ctx, ev.ID, kind, page.TargetID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, e := range items {
		if !visible[e.TargetKind] {
			continue
		}
		if page.TargetID != 0 {
			page.Target = e.Target
		}
		page.Items = append(page.Items, evidenceRow{Evidence: e, URL: fmt.Sprintf("/events/%s/evidence/%d", url.PathEscape(ev.Code), e.ID),
			At: e.CreatedAt.In(skillscore.China()).Format("2006-01-02 15:04"), Size: sizeLabel(e.Size), Photo: e.Media == store.MediaPhoto})
	}
	if page.TargetID != 0 && page.Target == "" {
		if label, err := s.evidence.Check(ctx, store.EvidenceCheck{EventID: ev.ID, TargetKind: page.Kind, TargetID: page.TargetID}); err == nil {
			page.Target = label
		}
	}
	if as, ok := s.judging.(AppealStore); ok && scopeHas(r, u.Access, RoleOrganizer) {
		if wf, err := as.Workflow(ctx, ev.ID); err == nil && !wf.PublishedAt.Valid() {
			page.CanDelete = true
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := s.tmpl.RenderChrome(w, "evidence", page, chrome(r)); err != nil {
		s.log.ErrorContext(ctx, "render evidence", "err", err)
	}
}

// sizeLabel gives a byte count as people read it.
func sizeLabel(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d 字节", n)
}

// uploadTime is how long an evidence upload may take to arrive: a 50 MB
// clip over a venue's busy Wi-Fi needs more than the server's 30 s read
// timeout.
const uploadTime = 10 * time.Minute

// maxFormField bounds each text field of the upload form.
const maxFormField = 4 << 10

// handleEvidenceUpload takes the staff page's upload form as a stream: the
// fields before the file (csrf, kind, target, note — the form puts them
// first) are read and checked, the target is checked, and only then is
// the file read, in chunks, into the evidence store. A login, the scope, a
// CSRF token and the target are all checked before a byte of the file is
// read. Registered without requireRole, which would parse the whole form
// first.
func (s *Server) handleEvidenceUpload(w http.ResponseWriter, r *http.Request) {
	u, err := s.currentUser(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	r = r.WithContext(context.WithValue(r.Context(), authedKey{}, u))
	if err := evidenceAccess(r, u.Access); err != nil {
		s.fail(w, r, err)
		return
	}
	if !s.needEvidence(w, r) {
		return
	}
	ev, err := s.eventFor(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	lim := s.evidence.Limits()
	r.Body = http.MaxBytesReader(w, r.Body, lim.Largest()+formAllowance)
	http.NewResponseController(w).SetReadDeadline(time.Now().Add(uploadTime))
	// A refusal first drains what is left of the (bounded) body: the
	// browser then reads the answer instead of a reset connection, and
	// the server cannot read a body once it has begun to answer.
	drain := func() { io.Copy(io.Discard, r.Body) }
	var f evidenceForm
	refuse := func(err error) {
		drain()
		s.renderEvidence(w, r, u, ev, f, "", skillscore.ErrorMessage(err), HTTPStatus(err))
	}
	fail := func(err error) {
		drain()
		s.fail(w, r, err)
	}
	mr, err := r.MultipartReader()
	if err != nil {
		fail(skillscore.Wrap(skillscore.EInvalid, err, "表单无法解析，请刷新页面后重试"))
		return
	}
	fields := map[string]string{}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			fail(readFormError(err, lim.Largest()))
			return
		}
		name := part.FormName()
		if name != "file" {
			b, err := io.ReadAll(io.LimitReader(part, maxFormField+1))
			if err != nil {
				fail(readFormError(err, lim.Largest()))
				return
			}
			if len(b) > maxFormField || len(fields) >= 8 {
				fail(skillscore.Errorf(skillscore.ETooLarge, "表单内容超过上限"))
				return
			}
			fields[name] = string(b)
			continue
		}
		// The file: everything it needs has come before it.
		if subtle.ConstantTimeCompare([]byte(fields["csrf"]), []byte(u.CSRF)) != 1 {
			fail(skillscore.Errorf(skillscore.EForbidden, "表单已过期或来源不明（CSRF 校验失败），请刷新页面后重试"))
			return
		}
		f = evidenceForm{kind: fields["kind"], target: strings.TrimSpace(fields["target"]), note: fields["note"]}
		t, err := store.EvidenceTargetOf(f.kind)
		if err != nil {
			refuse(err)
			return
		}
		if !anyRole(rolesIn(r, u.Access), t.Attaches) {
			refuse(skillscore.Errorf(skillscore.EForbidden, "您的角色不能给%s附证据", t.Name))
			return
		}
		id, err := strconv.ParseInt(f.target, 10, 64)
		if err != nil || id <= 0 {
			refuse(skillscore.Errorf(skillscore.EInvalid, "请填写%s编号（正整数）", t.Name))
			return
		}
		if part.FileName() == "" {
			refuse(skillscore.Errorf(skillscore.EInvalid, "请选择要上传的照片或视频"))
			return
		}
		e, dup, err := s.evidence.Attach(r.Context(), evidence.Upload{
			EvidenceCheck: store.EvidenceCheck{EventID: ev.ID, TargetKind: t.Kind, TargetID: id},
			Note:          f.note, Actor: u.User.Username, Body: part})
		if err != nil {
			refuse(err)
			return
		}
		key := "evidence-added"
		if dup {
			key = "evidence-duplicate"
		}
		http.Redirect(w, r, fmt.Sprintf("/events/%s/evidence?kind=%s&target=%d&msg=%s#evidence-%d", url.PathEscape(ev.Code),
			url.QueryEscape(t.Kind), id, noticeValue(key, int(e.ID)), e.ID), http.StatusSeeOther)
		return
	}
	if subtle.ConstantTimeCompare([]byte(fields["csrf"]), []byte(u.CSRF)) != 1 {
		fail(skillscore.Errorf(skillscore.EForbidden, "表单已过期或来源不明（CSRF 校验失败），请刷新页面后重试"))
		return
	}
	f = evidenceForm{kind: fields["kind"], target: fields["target"], note: fields["note"]}
	refuse(skillscore.Errorf(skillscore.EInvalid, "请选择要上传的照片或视频"))
}

// readFormError explains a multipart body that could not be read.
func readFormError(err error, limit int64) error {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return skillscore.Errorf(skillscore.ETooLarge, "证据文件不合格：文件超过 %s 上限", sizeLabel(limit))
	}
	return skillscore.Wrap(skillscore.EInvalid, err, "上传中断，文件未完整收到，请重试（未保存）")
}

// handleEvidenceFile serves one attachment to those who may see its kind,
// after its SHA-256 is checked: inline (a photo or clip opens in the
// browser), never cached, never sniffed, sandboxed.
func (s *Server) handleEvidenceFile(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	id, err := strconv.ParseInt(r.PathValue("evidence"), 10, 64)
	if err != nil {
		s.fail(w, r, skillscore.Errorf(skillscore.ENotFound, "证据不存在"))
		return
	}
	f, err := s.evidence.Open(r.Context(), ev.ID, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer f.Close()
	t, err := store.EvidenceTargetOf(f.Evidence.TargetKind)
	if err != nil || !anyRole(rolesIn(r, u.Access), t.Sees) {
		s.fail(w, r, skillscore.Errorf(skillscore.EForbidden, "您的角色不能查看这项证据"))
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", f.Evidence.ContentType)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Cache-Control", "private, no-store")
	hd.Set("Content-Security-Policy", "default-src 'none'; sandbox; frame-ancestors 'self'")
	hd.Set("Content-Disposition", mime.FormatMediaType("inline", map[string]string{"filename": fmt.Sprintf("evidence-%d%s", id, extOf(f.Evidence.ContentType))}))
	http.ServeContent(w, r, "", f.ModTime, f)
}

func extOf(ct string) string {
	return map[string]string{"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp",
		"video/mp4": ".mp4", "video/quicktime": ".mov", "video/webm": ".webm"}[ct]
}

// handleEvidenceDelete removes an attachment: the organizer, before
// publication, with a reason (the store refuses otherwise).
func (s *Server) handleEvidenceDelete(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	if !scopeHas(r, u.Access, RoleOrganizer) {
		s.fail(w, r, skillscore.Errorf(skillscore.EForbidden, "只有组织者可以删除证据（成绩公示前）"))
		return
	}
	id, err := strconv.ParseInt(r.PathValue("evidence"), 10, 64)
	if err != nil {
		s.fail(w, r, skillscore.Errorf(skillscore.ENotFound, "证据不存在"))
		return
	}
	e, err := s.evidence.Delete(r.Context(), ev.ID, id, r.PostFormValue("reason"), u.User.Username)
	if err != nil {
		s.renderEvidence(w, r, u, ev, evidenceForm{}, "", skillscore.ErrorMessage(err), HTTPStatus(err))
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/events/%s/evidence?kind=%s&target=%d&msg=%s", url.PathEscape(ev.Code),
		url.QueryEscape(e.TargetKind), e.TargetID, noticeValue("evidence-deleted", int(e.ID))), http.StatusSeeOther)
}

// judgeEvidence is the tablet's answer to an upload.
type judgeEvidence struct {
	ID        int64  `json:"id"`
	Duplicate bool   `json:"duplicate"`
	Media     string `json:"media"`
	SHA256    string `json:"sha256"`
	Message   string `json:"message"`
}

// handleJudgeEvidence takes a photo or clip from the tablet camera for
// the judge's own sheet (?module=CODE&contestant=CODE): the body is the
// file itself, streamed into the evidence store. The tablet's login
// authorises it; another judge's sheet is "not found".
func (s *Server) handleJudgeEvidence(w http.ResponseWriter, r *http.Request) {
	if !s.needJudging(w, r) || !s.needEvidence(w, r) {
		return
	}
	lim := s.evidence.Limits()
	r.Body = http.MaxBytesReader(w, r.Body, lim.Largest()+1)
	j, module, contestant, ok := s.tabletSheetQuery(w, r)
	if !ok {
		return
	}
	sheet, err := s.evidence.JudgeSheet(r.Context(), j.ID, module, contestant)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.attachFromTablet(w, r, store.EvidenceCheck{EventID: j.EventID, TargetKind: "sheet", TargetID: sheet, JudgeID: j.ID},
		"judge:"+strconv.FormatInt(j.ID, 10), fmt.Sprintf("附在 %s 的评分表上", contestant))
}

// tabletSheetQuery reads who a tablet request is logged in as and the
// sheet it names (?module=CODE&contestant=CODE); on a refusal it has
// answered and ok is false.
func (s *Server) tabletSheetQuery(w http.ResponseWriter, r *http.Request) (j store.Judge, module, contestant string, ok bool) {
	j, err := s.judges.TabletJudge(r.Context(), r, s.clientIP(r))
	if err != nil {
		s.fail(w, r, err)
		return j, "", "", false
	}
	q := r.URL.Query()
	module, contestant = q.Get("module"), q.Get("contestant")
	if module == "" || contestant == "" || len(module) > 64 || len(contestant) > 64 {
		s.fail(w, r, skillscore.Errorf(skillscore.EInvalid, "缺少模块或选手编号"))
		return j, "", "", false
	}
	return j, module, contestant, true
}

// sheetEvidenceCount is what the tablet shows beside its camera button:
// how many photos and clips the judge's sheet carries, so a judge who
// reloads or comes back to the sheet sees what is already attached.
type sheetEvidenceCount struct {
	Photos int `json:"photos"`
	Clips  int `json:"clips"`
}

// handleJudgeEvidenceCount counts the evidence on the judge's own sheet
// (?module=CODE&contestant=CODE); a sheet not begun has none. It never
// lists or serves the files: a tablet does not read evidence back.
func (s *Server) handleJudgeEvidenceCount(w http.ResponseWriter, r *http.Request) {
	if !s.needJudging(w, r) || !s.needEvidence(w, r) {
		return
	}
	j, module, contestant, ok := s.tabletSheetQuery(w, r)
	if !ok {
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	sheet, err := s.evidence.JudgeSheet(r.Context(), j.ID, module, contestant)
	if skillscore.ErrorCode(err) == skillscore.ENotFound {
		writeJSON(w, http.StatusOK, sheetEvidenceCount{})
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	media, err := s.evidenceMedia(r.Context(), j.EventID, "sheet", sheet)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, sheetEvidenceCount{Photos: media[sheet][store.MediaPhoto], Clips: media[sheet][store.MediaClip]})
}

// attachFromTablet streams the request's body (the file, its size already
// bounded) into the evidence store against a target the judge may attach
// to, and answers the tablet with where it went (where: "附在…上").
func (s *Server) attachFromTablet(w http.ResponseWriter, r *http.Request, c store.EvidenceCheck, actor, where string) {
	http.NewResponseController(w).SetReadDeadline(time.Now().Add(uploadTime))
	e, dup, err := s.evidence.Attach(r.Context(), evidence.Upload{EvidenceCheck: c, Actor: actor, Body: r.Body})
	if err != nil {
		// Drained (bounded) before the answer, which the tablet then reads.
		io.Copy(io.Discard, r.Body)
		s.fail(w, r, err)
		return
	}
	what := map[string]string{store.MediaPhoto: "照片", store.MediaClip: "视频"}[e.Media]
	msg := fmt.Sprintf("%s已上传，%s（%s）", what, where, sizeLabel(e.Size))
	if dup {
		msg = fmt.Sprintf("这张%s已经上传过，未重复保存", what)
	}
	writeJSON(w, http.StatusOK, judgeEvidence{ID: e.ID, Duplicate: dup, Media: e.Media, SHA256: e.SHA256, Message: msg})
}
