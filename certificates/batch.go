package certificates

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"skillscore"
	"skillscore/store"
)

// Batch file names, as the organizer downloads them.
const (
	BatchZip      = "certificates.zip"
	BatchCombined = "certificates-print.pdf"
)

// BatchStatus is the progress of an event's batch: issue what is missing,
// then render the ZIP of single PDFs and the printable PDF.
type BatchStatus struct {
	State    string    `json:"state"` // running | done | failed
	Issued   int       `json:"issued"`
	Total    int       `json:"total"`
	ZipDone  int       `json:"zip_done"`
	PDFDone  int       `json:"pdf_done"`
	Error    string    `json:"error,omitempty"`
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished,omitzero"`
}

// batches runs one batch per event at a time in the background. The
// Service owns its goroutines: Close cancels and waits for them.
type batches struct {
	dir    string
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	mu     sync.Mutex
	jobs   map[int64]*BatchStatus
}

// EnableBatches lets the service run background batches whose files go
// under dir (created by the first batch). Call it once, before serving.
func (s *Service) EnableBatches(dir string) {
	ctx, cancel := context.WithCancel(context.Background())
	s.batch = &batches{dir: dir, ctx: ctx, cancel: cancel, jobs: map[int64]*BatchStatus{}}
}

// Close stops running batches and waits for them.
func (s *Service) Close() {
	if s.batch == nil {
		return
	}
	s.batch.cancel()
	s.batch.wg.Wait()
}

// StartBatch starts an event's batch in the background; one at a time per
// event.
func (s *Service) StartBatch(eventID int64, actor string) error {
	b := s.batch
	if b == nil {
		return skillscore.Errorf(skillscore.EUnavailable, "本服务未启用证书批量生成")
	}
	if _, err := s.renderer(); err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if st, ok := b.jobs[eventID]; ok && st.State == "running" {
		return skillscore.Errorf(skillscore.EConflict, "本赛事的证书正在生成中，请等待完成")
	}
	if b.ctx.Err() != nil {
		return skillscore.Errorf(skillscore.EUnavailable, "服务正在停止")
	}
	st := &BatchStatus{State: "running", Started: s.cfg.Now()}
	b.jobs[eventID] = st
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		err := s.runBatch(b.ctx, eventID, actor, st)
		b.mu.Lock()
		defer b.mu.Unlock()
		st.Finished = s.cfg.Now()
		if err != nil {
			st.State, st.Error = "failed", skillscore.ErrorMessage(err)
			return
		}
		st.State = "done"
	}()
	return nil
}

// update changes a running job's status under the lock.
func (s *Service) update(st *BatchStatus, fn func(st *BatchStatus)) {
	s.batch.mu.Lock()
	defer s.batch.mu.Unlock()
	fn(st)
}

func (s *Service) runBatch(ctx context.Context, eventID int64, actor string, st *BatchStatus) error {
	res, err := s.Issue(ctx, eventID, actor)
	if err != nil {
		return err
	}
	docs, err := s.Documents(ctx, eventID)
	if err != nil {
		return err
	}
	s.update(st, func(st *BatchStatus) { st.Issued, st.Total = res.New, len(docs) })
	if len(docs) == 0 {
		return skillscore.Errorf(skillscore.EConflict, "本赛事还没有需要发放的证书（尚无获奖、晋升或合格人员）")
	}
	dir := filepath.Join(s.batch.dir, fmt.Sprint(eventID))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return skillscore.Wrap(skillscore.EUnavailable, err, fmt.Sprintf("无法创建证书批量文件目录 %s: %v", dir, err))
	}
	if err := writeAtomic(filepath.Join(dir, BatchZip), func(w io.Writer) error {
		return s.WriteZip(ctx, w, docs, func(n int) { s.update(st, func(st *BatchStatus) { st.ZipDone = n }) })
	}); err != nil {
		return err
	}
	return writeAtomic(filepath.Join(dir, BatchCombined), func(w io.Writer) error {
		return s.WriteCombined(w, docs, func(n int) { s.update(st, func(st *BatchStatus) { st.PDFDone = n }) })
	})
}

// writeAtomic writes a file under a temporary name and renames it into
// place, so a download never gets half a batch.
func writeAtomic(path string, fn func(w io.Writer) error) error {
	tmp := path + ".part"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	err = fn(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

// BatchStatus returns an event's batch progress, if one has run.
func (s *Service) BatchStatus(eventID int64) (BatchStatus, bool) {
	if s.batch == nil {
		return BatchStatus{}, false
	}
	s.batch.mu.Lock()
	defer s.batch.mu.Unlock()
	st, ok := s.batch.jobs[eventID]
	if !ok {
		return BatchStatus{}, false
	}
	return *st, true
}

// BatchFile returns the path of a finished batch's file.
func (s *Service) BatchFile(eventID int64, name string) (string, error) {
	if name != BatchZip && name != BatchCombined {
		return "", skillscore.Errorf(skillscore.ENotFound, "没有文件 %s", name)
	}
	st, ok := s.BatchStatus(eventID)
	if !ok || st.State != "done" {
		return "", skillscore.Errorf(skillscore.ENotFound, "本赛事的证书尚未生成完毕")
	}
	return filepath.Join(s.batch.dir, fmt.Sprint(eventID), name), nil
}

// List returns an event's certificates for the organizer, unmasked.
func (s *Service) List(ctx context.Context, eventID int64) ([]store.Certificate, error) {
	return s.cfg.Store.EventCertificates(ctx, eventID)
}
