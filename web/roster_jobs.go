package web

import (
	"context"
	"errors"
	"sync"

	"skillscore"
	"skillscore/roster"
	"skillscore/store"
)

// rosterJobs runs roster checks and imports in the background, one at a
// time per event, so a large file shows a progress bar instead of holding a
// request open. The server owns the goroutines: Close cancels and waits.
type rosterJobs struct {
	st     RosterStore
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu      sync.Mutex
	byEvent map[int64]*rosterJob // the latest job of each event
}

// rosterJob is one dry run or import of an uploaded file.
type rosterJob struct {
	ID      string
	EventID int64
	File    string
	DryRun  bool
	Actor   string
	data    []byte
	// basis and noticeSHA are the legal basis and the notice's hash the
	// organizer confirmed for an import (empty for a dry run).
	basis, noticeSHA string

	// Guarded by rosterJobs.mu.
	state    string // running | done | failed
	progress roster.Progress
	report   *roster.Report
	err      error
}

// rosterJobView is a consistent copy of a job for a page or the JSON status.
type rosterJobView struct {
	ID       string          `json:"id"`
	File     string          `json:"file"`
	DryRun   bool            `json:"dry_run"`
	State    string          `json:"state"`
	Progress roster.Progress `json:"progress"`
	Error    string          `json:"error,omitempty"`
	Code     string          `json:"code,omitempty"`
	Report   *roster.Report  `json:"-"`
}

func newRosterJobs(st RosterStore) *rosterJobs {
	ctx, cancel := context.WithCancel(context.Background())
	return &rosterJobs{st: st, ctx: ctx, cancel: cancel, byEvent: map[int64]*rosterJob{}}
}

// start runs a job unless one is already running for its event.
func (j *rosterJobs) start(job *rosterJob) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.ctx.Err() != nil {
		return skillscore.Errorf(skillscore.EUnavailable, "服务正在停止，请稍后重试")
	}
	if prev := j.byEvent[job.EventID]; prev != nil && prev.state == "running" {
		return skillscore.Errorf(skillscore.EConflict, "名单文件 %s 正在处理中，请等它完成后再上传", prev.File)
	}
	job.state = "running"
	j.byEvent[job.EventID] = job
	j.wg.Add(1)
	go j.run(job)
	return nil
}

func (j *rosterJobs) run(job *rosterJob) {
	defer j.wg.Done()
	rep, err := roster.Import(j.ctx, j.st, job.EventID, job.File, job.data, roster.Options{
		DryRun: job.DryRun, Actor: job.Actor, Basis: job.basis, NoticeSHA256: job.noticeSHA,
		Progress: func(p roster.Progress) {
			j.mu.Lock()
			job.progress = p
			j.mu.Unlock()
		},
	})
	if errors.Is(err, context.Canceled) {
		err = skillscore.Wrap(skillscore.EUnavailable, err, "服务停止，名单处理已取消，未导入任何选手，请稍后重新上传")
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	job.report, job.err, job.state = rep, err, "done"
	if err != nil {
		job.state = "failed"
	}
	keep := job.DryRun && (err == nil || rep != nil && rep.Rejected > 0)
	if !keep {
		// Stored, or refused as a whole file: the bytes are no longer
		// needed and are not kept in memory until the next upload. A dry
		// run keeps them for the import it allows, or for the download
		// of its rejected rows (one file per event at most).
		job.data = nil
	}
}

// get returns a copy of an event's job with this id.
func (j *rosterJobs) get(eventID int64, id string) (rosterJobView, *rosterJob, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	job := j.byEvent[eventID]
	if job == nil || job.ID != id {
		return rosterJobView{}, nil, false
	}
	v := rosterJobView{ID: job.ID, File: job.File, DryRun: job.DryRun, State: job.state, Progress: job.progress, Report: job.report}
	if job.err != nil {
		v.Error, v.Code = skillscore.ErrorMessage(job.err), skillscore.ErrorCode(job.err)
	}
	return v, job, true
}

// rejected returns the file of an event's finished dry run with its
// report, for the download of its rejected rows.
func (j *rosterJobs) rejected(eventID int64, id string) (string, []byte, *roster.Report, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	job := j.byEvent[eventID]
	if job == nil || job.ID != id || job.data == nil || job.report == nil {
		return "", nil, nil, false
	}
	return job.File, job.data, job.report, true
}

// close cancels running jobs and waits for them; an import cancelled
// before its commit stores nothing.
func (j *rosterJobs) close() {
	j.mu.Lock()
	j.cancel()
	j.mu.Unlock()
	j.wg.Wait()
}

// newRosterJob makes a job with a fresh id.
func newRosterJob(eventID int64, file string, data []byte, dryRun bool, actor, basis, noticeSHA string) *rosterJob {
	return &rosterJob{ID: randomString(12), EventID: eventID, File: file, data: data, DryRun: dryRun, Actor: actor,
		basis: basis, noticeSHA: noticeSHA}
}

// Close stops the server's background work (roster imports) and waits for
// it. Call it after the HTTP server has shut down.
func (s *Server) Close() {
	if s.rosterJobs != nil {
		s.rosterJobs.close()
	}
	if s.archiveJobs != nil {
		s.archiveJobs.close()
	}
}

var _ RosterStore = (*store.Store)(nil)
