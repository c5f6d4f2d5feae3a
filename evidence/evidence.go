// Package evidence keeps the photos and short clips attached to a score
// sheet, a 公示 appeal, a 赛场记录 entry or an on-site 仲裁 case as
// evidence (issue 16, docs/oversight-evidence.md). Files are
// received as a stream — never held whole in memory — checked by their
// content (never their name), bounded in size per kind, and kept in a
// content-addressed directory beside the database, named by their SHA-256,
// which is checked again on every read. The database (store.Evidence) says
// what each file is attached to and who attached it. Evidence is for the
// chief judge, 监督, 仲裁 and the organizer: nothing here is public.
package evidence

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"skillscore"
	"skillscore/store"
)

// Limits are the evidence settings: the largest photo and clip, and how
// many files one target holds. Zero fields take the defaults.
type Limits struct {
	PhotoBytes int64
	ClipBytes  int64
	PerTarget  int
}

// Default limits: a 12-megapixel tablet photo is 3–6 MB as JPEG; a clip of
// about 30 s at 720p is 15–40 MB.
const (
	DefaultPhotoBytes = 10 << 20
	DefaultClipBytes  = 50 << 20
	DefaultPerTarget  = 20
)

// WithDefaults fills the zero fields.
func (l Limits) WithDefaults() Limits {
	if l.PhotoBytes <= 0 {
		l.PhotoBytes = DefaultPhotoBytes
	}
	if l.ClipBytes <= 0 {
		l.ClipBytes = DefaultClipBytes
	}
	if l.PerTarget <= 0 {
		l.PerTarget = DefaultPerTarget
	}
	return l
}

// Largest is the largest file of any kind: the bound on a request body.
func (l Limits) Largest() int64 { return max(l.PhotoBytes, l.ClipBytes) }

func (l Limits) of(media string) int64 {
	if media == store.MediaClip {
		return l.ClipBytes
	}
	return l.PhotoBytes
}

// Store is what evidence needs from the database.
type Store interface {
	CheckEvidenceTarget(ctx context.Context, c store.EvidenceCheck) (string, error)
	AddEvidence(ctx context.Context, c store.EvidenceCheck, e store.Evidence, actor string) (store.Evidence, bool, error)
	EvidenceByID(ctx context.Context, eventID, id int64) (store.Evidence, error)
	DeleteEvidence(ctx context.Context, eventID, id int64, reason, actor string) (store.Evidence, bool, error)
	EvidenceFileUsed(ctx context.Context, sha string) (bool, error)
	EventEvidence(ctx context.Context, eventID int64, kind string, targetID int64) ([]store.Evidence, error)
	JudgeSheetID(ctx context.Context, judgeID int64, moduleCode, contestant string) (int64, error)
}

// Service receives, keeps and serves evidence files.
type Service struct {
	st     Store
	dir    string
	limits Limits
}

// New returns the service over dir ("" is a server without an evidence
// store: uploads are refused, as are reads).
func New(st Store, dir string, limits Limits) *Service {
	return &Service{st: st, dir: dir, limits: limits.WithDefaults()}
}

// Limits are the service's settings.
func (s *Service) Limits() Limits { return s.limits }

// List returns an event's attachments (kind "" every kind, targetID 0
// every target of the kind), each with its target's label.
func (s *Service) List(ctx context.Context, eventID int64, kind string, targetID int64) ([]store.Evidence, error) {
	return s.st.EventEvidence(ctx, eventID, kind, targetID)
}

// JudgeSheet is the id of a judge's own sheet, named as the tablet names
// it (module code, contestant code).
func (s *Service) JudgeSheet(ctx context.Context, judgeID int64, moduleCode, contestant string) (int64, error) {
	return s.st.JudgeSheetID(ctx, judgeID, moduleCode, contestant)
}

// Dir is the evidence store's directory.
func (s *Service) Dir() string { return s.dir }

// DefaultDir is the evidence store beside a SQLite database file:
// sqlite:/srv/skillscore/skillscore.db keeps its evidence in
// /srv/skillscore/evidence. A MySQL database has none of its own ("": the
// --evidence flag must name one).
func DefaultDir(dbURL string) string {
	if path, ok := strings.CutPrefix(dbURL, "sqlite:"); ok && path != "" {
		return filepath.Join(filepath.Dir(path), "evidence")
	}
	return ""
}

func noDir() error {
	return skillscore.Errorf(skillscore.EUnavailable,
		"未配置证据库目录：请用 --evidence DIR（或环境变量 SKILLSCORE_EVIDENCE）指定；MySQL 数据库必须指定 (no evidence store directory)")
}

var shaRE = regexp.MustCompile(`^[0-9a-f]{64}$`)

// path is a file's place in the content-addressed store.
func (s *Service) path(sha string) string { return filepath.Join(s.dir, sha[:2], sha) }

// tmpPrefix marks a file being received.
const tmpPrefix = ".incoming-"

// Upload is one attachment on its way in.
type Upload struct {
	store.EvidenceCheck
	Note  string
	Actor string
	// Body is the file's bytes; it is read once, in chunks, to its end or
	// to one byte past the bound of its kind.
	Body io.Reader
}

// Check says, before any byte of the file is read, whether the target can
// take one more file.
func (s *Service) Check(ctx context.Context, c store.EvidenceCheck) (string, error) {
	if s.dir == "" {
		return "", noDir()
	}
	c.MaxPerTarget = s.limits.PerTarget
	return s.st.CheckEvidenceTarget(ctx, c)
}

// Attach checks the target, receives the file into the store and records
// it. A refusal stores nothing: the partial file is removed, and no row is
// written. The same file already on the target is its row again (dup).
func (s *Service) Attach(ctx context.Context, u Upload) (store.Evidence, bool, error) {
	u.MaxPerTarget = s.limits.PerTarget
	if _, err := s.Check(ctx, u.EvidenceCheck); err != nil {
		return store.Evidence{}, false, err
	}
	got, created, err := s.receive(ctx, u.Body)
	if err != nil {
		return store.Evidence{}, false, err
	}
	got.Note = u.Note
	e, dup, err := s.st.AddEvidence(ctx, u.EvidenceCheck, got, u.Actor)
	if err != nil && created {
		// The file came in for nothing; another attachment of the same
		// content, committed meanwhile, keeps it.
		if used, uerr := s.st.EvidenceFileUsed(context.WithoutCancel(ctx), got.SHA256); uerr == nil && !used {
			os.Remove(s.path(got.SHA256))
		}
	}
	if err != nil {
		return store.Evidence{}, false, err
	}
	return e, dup, nil
}

// receive streams the body into a temporary file of the store, hashing as
// it goes, decides the type from the first bytes, enforces the kind's
// bound, checks the whole file's structure, and moves it to its
// content-addressed name. created is false when the store held the same
// content already.
func (s *Service) receive(ctx context.Context, body io.Reader) (e store.Evidence, created bool, err error) {
	head := make([]byte, sniffLen)
	n, rerr := io.ReadFull(body, head)
	head = head[:n]
	if rerr != nil && !errors.Is(rerr, io.ErrUnexpectedEOF) && !errors.Is(rerr, io.EOF) {
		return e, false, readError(rerr, s.limits.Largest())
	}
	k, why := sniff(head)
	if why != "" {
		return e, false, skillscore.Errorf(skillscore.EInvalid, "证据文件不合格：%s", why)
	}
	limit := s.limits.of(k.Media)
	if int64(n) > limit {
		return e, false, tooLarge(k.Media, limit)
	}
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return e, false, skillscore.Wrap(skillscore.EUnavailable, err, fmt.Sprintf("无法创建证据库目录 %s", s.dir))
	}
	tmp, err := os.CreateTemp(s.dir, tmpPrefix+"*") // mode 0600
	if err != nil {
		return e, false, skillscore.Wrap(skillscore.EUnavailable, err, fmt.Sprintf("无法写入证据库目录 %s", s.dir))
	}
	keep := false
	defer func() {
		if !keep {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	w := io.MultiWriter(tmp, h)
	if _, err := w.Write(head); err != nil {
		return e, false, skillscore.Wrap(skillscore.EUnavailable, err, "无法写入证据文件")
	}
	// One byte past the bound tells an oversize file from one that fits,
	// without reading more of it.
	rest, err := io.Copy(w, io.LimitReader(ctxReader{ctx, body}, limit-int64(n)+1))
	size := int64(n) + rest
	if err != nil {
		return e, false, readError(err, limit)
	}
	if size > limit {
		return e, false, tooLarge(k.Media, limit)
	}
	if why := checkContent(tmp, k, size); why != "" {
		return e, false, skillscore.Errorf(skillscore.EInvalid, "证据文件不合格：%s", why)
	}
	if err := tmp.Sync(); err != nil {
		return e, false, skillscore.Wrap(skillscore.EUnavailable, err, "无法写入证据文件")
	}
	if err := tmp.Close(); err != nil {
		return e, false, skillscore.Wrap(skillscore.EUnavailable, err, "无法写入证据文件")
	}
	sha := hex.EncodeToString(h.Sum(nil))
	e = store.Evidence{SHA256: sha, Media: k.Media, ContentType: k.ContentType, Size: size}
	final := s.path(sha)
	if _, err := os.Stat(final); err == nil {
		// The same content is in the store already (another target, or
		// the same one): this copy goes.
		return e, false, nil
	}
	if err := os.MkdirAll(filepath.Dir(final), 0o700); err != nil {
		return e, false, skillscore.Wrap(skillscore.EUnavailable, err, "无法写入证据库目录")
	}
	if err := os.Rename(tmp.Name(), final); err != nil {
		return e, false, skillscore.Wrap(skillscore.EUnavailable, err, "无法写入证据库目录")
	}
	keep = true
	syncDir(filepath.Dir(final))
	return e, true, nil
}

// syncDir makes a new name durable before the database records it; a
// failure leaves a file the record may outlive, which a read reports.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// ctxReader stops a long upload when its request is cancelled.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

func tooLarge(media string, limit int64) error {
	what := "照片"
	if media == store.MediaClip {
		what = "视频"
	}
	return skillscore.Errorf(skillscore.ETooLarge, "证据文件不合格：%s超过 %s 上限，请压缩或截短后重试", what, sizeText(limit))
}

// readError explains a body that could not be read: over the request's
// bound (http.MaxBytesError, "request body too large") or cut off.
func readError(err error, limit int64) error {
	if strings.Contains(err.Error(), "request body too large") {
		return skillscore.Errorf(skillscore.ETooLarge, "证据文件不合格：文件超过 %s 上限", sizeText(limit))
	}
	return skillscore.Wrap(skillscore.EInvalid, err, "上传中断，文件未完整收到，请重试（未保存）")
}

// sizeText gives a byte count as people read it: 10 MB, 300 KB.
func sizeText(n int64) string {
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

// File is an evidence file opened for reading, its checksum verified.
type File struct {
	*os.File
	Evidence store.Evidence
	ModTime  time.Time
}

// Open returns an attachment's file after checking that its content still
// hashes to the recorded SHA-256: a changed or missing file is an error,
// never served.
func (s *Service) Open(ctx context.Context, eventID, id int64) (*File, error) {
	e, err := s.st.EvidenceByID(ctx, eventID, id)
	if err != nil {
		return nil, err
	}
	if s.dir == "" {
		return nil, noDir()
	}
	if !shaRE.MatchString(e.SHA256) {
		return nil, skillscore.Errorf(skillscore.EConflict, "证据 %d 的校验值无效", id)
	}
	f, err := os.Open(s.path(e.SHA256))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, skillscore.Wrap(skillscore.EUnavailable, err, fmt.Sprintf(
			"证据库 %s 中缺少证据 %d 的文件：请从备份恢复证据库目录", s.dir, id))
	}
	if err != nil {
		return nil, skillscore.Wrap(skillscore.EUnavailable, err, fmt.Sprintf("无法读取证据 %d 的文件", id))
	}
	h := sha256.New()
	if _, err := io.Copy(h, ctxReader{ctx, f}); err != nil {
		f.Close()
		return nil, skillscore.Wrap(skillscore.EUnavailable, err, fmt.Sprintf("无法读取证据 %d 的文件", id))
	}
	if hex.EncodeToString(h.Sum(nil)) != e.SHA256 {
		f.Close()
		return nil, skillscore.Errorf(skillscore.EConflict,
			"证据 %d 的文件与上传时的 SHA-256 校验值不符，可能已被改动：不予显示，请从备份恢复证据库目录", id)
	}
	fi, err := f.Stat()
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		f.Close()
		return nil, skillscore.Wrap(skillscore.EUnavailable, err, fmt.Sprintf("无法读取证据 %d 的文件", id))
	}
	return &File{File: f, Evidence: e, ModTime: fi.ModTime()}, nil
}

// Delete removes an attachment (the store decides whether it may: the
// organizer, before publication) and its file when no other attachment
// names it.
func (s *Service) Delete(ctx context.Context, eventID, id int64, reason, actor string) (store.Evidence, error) {
	e, used, err := s.st.DeleteEvidence(ctx, eventID, id, reason, actor)
	if err != nil {
		return store.Evidence{}, err
	}
	if !used && s.dir != "" && shaRE.MatchString(e.SHA256) {
		os.Remove(s.path(e.SHA256))
	}
	return e, nil
}
