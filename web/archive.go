package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"skillscore"
	"skillscore/archive"
	"skillscore/store"
)

// The organizer's archive page (issue 16, docs/oversight-archive.md): the
// button that builds the event's signed ZIP in the background with its
// progress, the archives made so far and the retention lock they hold,
// and the event's deletion once the lock has expired.

// Archiver builds and records an event's archive; *archive.Archiver
// satisfies it.
type Archiver interface {
	Ready(ctx context.Context, ev store.Event) error
	WriteFile(ctx context.Context, ev store.Event, path string, years int, opts archive.Options) (archive.Result, store.EventArchive, error)
	PublicKey() []byte
}

var _ Archiver = (*archive.Archiver)(nil)

// ArchiveStore reads an event's archives and deletes events; *store.Store
// satisfies it.
type ArchiveStore interface {
	EventArchives(ctx context.Context, eventID int64) ([]store.EventArchive, error)
	RetentionLock(ctx context.Context, eventID int64) (store.RetentionLock, error)
	DeleteEvent(ctx context.Context, eventID int64, actor string) (store.DeletedEvent, error)
	RetentionEnds(ctx context.Context, eventID int64) (time.Time, bool, error)
}

var _ ArchiveStore = (*store.Store)(nil)

// archiveJobs builds archives in the background, one at a time per event,
// each into a file of the server's own temporary folder that the organizer
// then downloads. The server owns the goroutines: close cancels, waits and
// removes the folder.
type archiveJobs struct {
	a      Archiver
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu      sync.Mutex
	dir     string                // made at the first job
	byEvent map[int64]*archiveJob // the latest job of each event
}

type archiveJob struct {
	ID      string
	EventID int64
	Code    string
	path    string
	// Guarded by archiveJobs.mu.
	state    string // running | done | failed
	progress archive.Progress
	rec      store.EventArchive
	err      error
}

// archiveJobView is a consistent copy of a job for the page or the JSON.
type archiveJobView struct {
	ID       string           `json:"id"`
	State    string           `json:"state"`
	Progress archive.Progress `json:"progress"`
	Error    string           `json:"error,omitempty"`
	ZipSHA   string           `json:"zip_sha256,omitempty"`
	Bytes    int64            `json:"bytes,omitempty"`
}

func newArchiveJobs(a Archiver) *archiveJobs {
	ctx, cancel := context.WithCancel(context.Background())
	return &archiveJobs{a: a, ctx: ctx, cancel: cancel, byEvent: map[int64]*archiveJob{}}
}

// start runs a build unless one is already running for the event; the
// event's previous file is removed.
func (j *archiveJobs) start(ev store.Event, years int, actor string) (*archiveJob, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.ctx.Err() != nil {
		return nil, skillscore.Errorf(skillscore.EUnavailable, "服务正在停止，请稍后重试")
	}
	if prev := j.byEvent[ev.ID]; prev != nil {
		if prev.state == "running" {
			return nil, skillscore.Errorf(skillscore.EConflict, "本赛事的归档正在生成中，请等它完成")
		}
		os.Remove(prev.path)
	}
	if j.dir == "" {
		dir, err := os.MkdirTemp("", "skillscore-archives-")
		if err != nil {
			return nil, skillscore.Wrap(skillscore.EUnavailable, err, "无法创建归档临时目录")
		}
		j.dir = dir
	}
	job := &archiveJob{ID: randomString(12), EventID: ev.ID, Code: ev.Code, state: "running"}
	job.path = filepath.Join(j.dir, job.ID+".zip")
	j.byEvent[ev.ID] = job
	j.wg.Add(1)
	go j.run(job, ev, years, actor)
	return job, nil
}

func (j *archiveJobs) run(job *archiveJob, ev store.Event, years int, actor string) {
	defer j.wg.Done()
	_, rec, err := j.a.WriteFile(j.ctx, ev, job.path, years, archive.Options{Actor: actor, Progress: func(p archive.Progress) {
		j.mu.Lock()
		job.progress = p
		j.mu.Unlock()
	}})
	if errors.Is(err, context.Canceled) {
		err = skillscore.Wrap(skillscore.EUnavailable, err, "服务停止，归档已取消，未记录归档，请稍后重新生成")
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	job.rec, job.err, job.state = rec, err, "done"
	if err != nil {
		job.state = "failed"
	}
}

func (j *archiveJobs) view(job *archiveJob) archiveJobView {
	v := archiveJobView{ID: job.ID, State: job.state, Progress: job.progress, ZipSHA: job.rec.ZipSHA256, Bytes: job.rec.Bytes}
	if job.err != nil {
		v.Error = skillscore.ErrorMessage(job.err)
	}
	return v
}

// latest is the event's latest job, if any.
func (j *archiveJobs) latest(eventID int64) (archiveJobView, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	job := j.byEvent[eventID]
	if job == nil {
		return archiveJobView{}, false
	}
	return j.view(job), true
}

// get returns the event's job with this id.
func (j *archiveJobs) get(eventID int64, id string) (archiveJobView, string, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	job := j.byEvent[eventID]
	if job == nil || job.ID != id {
		return archiveJobView{}, "", false
	}
	return j.view(job), job.path, true
}

func (j *archiveJobs) close() {
	j.mu.Lock()
	j.cancel()
	j.mu.Unlock()
	j.wg.Wait()
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.dir != "" {
		os.RemoveAll(j.dir)
	}
}

// archivePage is the data of templates/html/archive.html.
type archivePage struct {
	Title, EventCode, EventName, User, CSRF, Message, Error string
	Parts                                                   [][2]string
	Refusal                                                 string // why no archive can be built now
	Years, MinYears, MaxYears                               int
	Job                                                     *archiveJobView
	Archives                                                []archiveRow
	LockUntil                                               string // "" when never archived
	Locked                                                  bool
	Fingerprint                                             string
	PrivacyEnds                                             string
}

type archiveRow struct {
	At, By, Until, ZipSHA, ManifestSHA, AuditHash, KeyID string
	AuditSeq                                             int64
	Files                                                int
	Bytes                                                int64
}

func cnDay(t time.Time) string { return t.In(skillscore.China()).Format("2006年1月2日") }

func (s *Server) archiveStore() (ArchiveStore, error) {
	as, ok := s.store.(ArchiveStore)
	if !ok || s.archiveJobs == nil {
		return nil, skillscore.Errorf(skillscore.EUnavailable, "本服务未启用归档（需要证书签名密钥）")
	}
	return as, nil
}

func (s *Server) renderArchive(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, status int, errMsg string) {
	ctx := r.Context()
	as, err := s.archiveStore()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := archivePage{Title: ev.Name + " · 归档", EventCode: ev.Code, EventName: ev.Name, User: u.User.Name, CSRF: u.CSRF,
		Message: r.URL.Query().Get("msg"), Error: errMsg, Parts: archive.PartTitles(),
		Years: store.DefaultArchiveYears, MinYears: store.MinArchiveYears, MaxYears: store.MaxArchiveYears,
		Fingerprint: archive.Fingerprint(s.archiver.PublicKey())}
	if err := s.archiver.Ready(ctx, ev); err != nil {
		page.Refusal = skillscore.ErrorMessage(err)
	}
	if v, ok := s.archiveJobs.latest(ev.ID); ok {
		page.Job = &v
	}
	list, err := as.EventArchives(ctx, ev.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, a := range list {
		page.Archives = append(page.Archives, archiveRow{At: a.ArchivedAt.In(skillscore.China()).Format("2006-01-02 15:04"), By: a.ArchivedBy,
			Until: cnDay(a.RetainUntil.Time), ZipSHA: a.ZipSHA256, ManifestSHA: a.ManifestSHA256, AuditHash: a.AuditHash,
			AuditSeq: a.AuditSeq, KeyID: a.KeyID, Files: a.Files, Bytes: a.Bytes})
	}
	lock, err := as.RetentionLock(ctx, ev.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if lock.Until.Valid() {
		page.LockUntil, page.Locked = cnDay(lock.Until.Time), lock.Locked(time.Now())
	}
	if ends, ok, err := as.RetentionEnds(ctx, ev.ID); err == nil && ok {
		page.PrivacyEnds = cnDay(ends)
	}
	w.Header().Set("Cache-Control", "no-store")
	s.renderStatus(w, r, status, "archive", page)
}

// handleArchivePage shows the event's archives, the lock and the button.
func (s *Server) handleArchivePage(w http.ResponseWriter, r *http.Request, u *authed) {
	ev, err := s.store.EventByCode(r.Context(), r.PathValue("code"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderArchive(w, r, u, ev, http.StatusOK, "")
}

// handleArchiveStart starts building the event's archive.
func (s *Server) handleArchiveStart(w http.ResponseWriter, r *http.Request, u *authed) {
	ev, err := s.store.EventByCode(r.Context(), r.PathValue("code"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if _, err := s.archiveStore(); err != nil {
		s.fail(w, r, err)
		return
	}
	years, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("years")))
	if err != nil {
		s.renderArchive(w, r, u, ev, http.StatusBadRequest, fmt.Sprintf("保存年限应为 %d 至 %d 的整数", store.MinArchiveYears, store.MaxArchiveYears))
		return
	}
	if err := store.CheckArchiveYears(years); err != nil {
		s.renderArchive(w, r, u, ev, http.StatusBadRequest, skillscore.ErrorMessage(err))
		return
	}
	if err := s.archiver.Ready(r.Context(), ev); err != nil {
		s.renderArchive(w, r, u, ev, HTTPStatus(err), skillscore.ErrorMessage(err))
		return
	}
	if _, err := s.archiveJobs.start(ev, years, u.User.Username); err != nil {
		s.renderArchive(w, r, u, ev, HTTPStatus(err), skillscore.ErrorMessage(err))
		return
	}
	http.Redirect(w, r, "/events/"+ev.Code+"/archive", http.StatusSeeOther)
}

// handleArchiveJobStatus is a build's progress as JSON, which the page polls.
func (s *Server) handleArchiveJobStatus(w http.ResponseWriter, r *http.Request, _ *authed) {
	ev, err := s.store.EventByCode(r.Context(), r.PathValue("code"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if _, err := s.archiveStore(); err != nil {
		s.fail(w, r, err)
		return
	}
	v, _, ok := s.archiveJobs.get(ev.ID, r.PathValue("job"))
	if !ok {
		s.fail(w, r, skillscore.Errorf(skillscore.ENotFound, "没有这次归档：可能已被新的归档替代，或服务已重启"))
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, v)
}

// handleArchiveDownload downloads a finished build's ZIP.
func (s *Server) handleArchiveDownload(w http.ResponseWriter, r *http.Request, _ *authed) {
	ev, err := s.store.EventByCode(r.Context(), r.PathValue("code"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if _, err := s.archiveStore(); err != nil {
		s.fail(w, r, err)
		return
	}
	v, path, ok := s.archiveJobs.get(ev.ID, r.PathValue("job"))
	if !ok || v.State != "done" {
		s.fail(w, r, skillscore.Errorf(skillscore.ENotFound, "这次归档没有可下载的文件：未完成、失败，或已被新的归档替代"))
		return
	}
	name := fmt.Sprintf("%s-归档-%s.zip", ev.Code, time.Now().In(skillscore.China()).Format("20060102"))
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(name))
	w.Header().Set("Cache-Control", "no-store")
	http.ServeFile(w, r, path)
}

// handleEventDelete deletes the event once its retention lock has expired,
// after the organizer typed its code.
func (s *Server) handleEventDelete(w http.ResponseWriter, r *http.Request, u *authed) {
	ev, err := s.store.EventByCode(r.Context(), r.PathValue("code"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	as, err := s.archiveStore()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if r.PostFormValue("confirm") != "1" || strings.TrimSpace(r.PostFormValue("code")) != ev.Code {
		s.renderArchive(w, r, u, ev, http.StatusBadRequest, "请勾选确认，并输入赛事代码 "+ev.Code+"：删除后无法恢复")
		return
	}
	del, err := as.DeleteEvent(r.Context(), ev.ID, u.User.Username)
	if err != nil {
		if status := HTTPStatus(err); status < 500 {
			s.renderArchive(w, r, u, ev, status, skillscore.ErrorMessage(err))
			return
		}
		s.fail(w, r, err)
		return
	}
	if d, ok := s.photos.(interface{ Discard([]store.Photo) int }); ok {
		d.Discard(del.Photos)
	}
	s.log.Info("event deleted", "event", ev.Code, "by", u.User.Username)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}
