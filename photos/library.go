// Package photos keeps holders' photos (持证人照片) so that no file name
// carries personal data: the photo store is a directory of files named by
// an opaque random id and the extension of their content, and the database
// (store.Photo) ties each file to its contestant with its checksum. It
// imports an organizer's photos named by 证件号码, 准考证号 (entry card
// number) or 参赛编号 from a directory or a ZIP, checking each (an
// assessment batch's photo spec too), and serves a holder's photo to the
// certificates by contestant id. It never writes a 证件号码 or a name into
// a file name, an audit entry or a message unmasked.
package photos

import (
	"context"
	"crypto/rand"
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
	"skillscore/sessions"
	"skillscore/store"
)

// Store is what photos need from the database. Contestants come back with
// their fields readable (decrypted), so matching a file to a contestant
// happens here and never in SQL on the 证件号码.
type Store interface {
	Contestants(ctx context.Context, eventID int64) ([]store.Contestant, error)
	PhotoOf(ctx context.Context, contestantID int64) (store.Photo, error)
	EventPhotos(ctx context.Context, eventID int64) ([]store.Photo, error)
	SetPhotos(ctx context.Context, eventID int64, ps []store.Photo, actor string) ([]store.Photo, error)
	DeletePhoto(ctx context.Context, eventID, contestantID int64, actor string) (store.Photo, error)
	PhotoFiles(ctx context.Context) ([]string, error)
	// SchedulePeople gives each contestant's 准考证号 / 参赛证号 (entry
	// card number), a name a photo file may have.
	SchedulePeople(ctx context.Context, eventID int64) ([]sessions.Person, error)
	// Batch is an assessment batch's details, its photo spec among them
	// (ENotFound for an event that is no batch).
	Batch(ctx context.Context, eventID int64) (store.Batch, error)
}

// Library is the photo store: a directory and the records naming its files.
type Library struct {
	st  Store
	dir string
}

// New returns the library over dir; "" is a server without a photo store,
// which prints no photos and refuses imports.
func New(st Store, dir string) *Library { return &Library{st: st, dir: dir} }

// Dir is the photo store's directory ("" when there is none).
func (l *Library) Dir() string { return l.dir }

// DefaultDir is the photo store beside a SQLite database file (the data
// directory): sqlite:/srv/skillscore/skillscore.db keeps its photos in
// /srv/skillscore/photos. A MySQL database has no directory of its own:
// "" (the --photos flag must name one).
func DefaultDir(dbURL string) string {
	if path, ok := strings.CutPrefix(dbURL, "sqlite:"); ok && path != "" {
		return filepath.Join(filepath.Dir(path), "photos")
	}
	return ""
}

// noDir refuses a write to a library without a directory.
func noDir() error {
	return skillscore.Errorf(skillscore.EUnavailable,
		"未配置照片库目录：请用 --photos DIR（或环境变量 SKILLSCORE_PHOTOS）指定；MySQL 数据库必须指定 (no photo store directory)")
}

// Photo returns a holder's photo by contestant id, or nil when the holder
// has none. A recorded photo whose file is missing or changed is an error,
// not a blank frame: a certificate must not quietly print without the
// photo that was imported.
func (l *Library) Photo(ctx context.Context, contestantID int64) ([]byte, error) {
	p, err := l.st.PhotoOf(ctx, contestantID)
	if skillscore.ErrorCode(err) == skillscore.ENotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return l.read(ctx, p)
}

func (l *Library) read(ctx context.Context, p store.Photo) ([]byte, error) {
	if l.dir == "" {
		return nil, skillscore.Errorf(skillscore.EUnavailable,
			"已导入照片，但本服务未配置照片库目录（--photos DIR / SKILLSCORE_PHOTOS），无法读取 (no photo store directory)")
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	data, err := os.ReadFile(filepath.Join(l.dir, p.File))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, skillscore.Wrap(skillscore.EUnavailable, err, fmt.Sprintf(
			"照片库 %s 中缺少照片文件 %s（选手 %d）：请从备份恢复照片库目录，或重新导入照片", l.dir, p.File, p.ContestantID))
	}
	if err != nil {
		return nil, skillscore.Wrap(skillscore.EUnavailable, err, fmt.Sprintf("无法读取照片文件 %s", p.File))
	}
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != p.SHA256 {
		return nil, skillscore.Errorf(skillscore.EConflict,
			"照片文件 %s（选手 %d）与导入时的校验值不符，可能已被改动：请重新导入该选手的照片", p.File, p.ContestantID)
	}
	return data, nil
}

// newID is an opaque photo id: 128 random bits, which say nothing about
// the person and cannot be guessed from anything that does.
func newID() string {
	b := make([]byte, 16)
	rand.Read(b) // never fails (crypto/rand panics rather than return short)
	return hex.EncodeToString(b)
}

// put writes a checked photo into the store under a new opaque name and
// returns its record (not yet in the database). The file is written whole
// under a temporary name, synced and renamed, so the store never holds half
// a photo under a real name.
func (l *Library) put(ctx context.Context, data []byte, info Info) (store.Photo, error) {
	if l.dir == "" {
		return store.Photo{}, noDir()
	}
	if err := ctx.Err(); err != nil {
		return store.Photo{}, err
	}
	// Photos are personal data: only the server's own user reads them.
	if err := os.MkdirAll(l.dir, 0o700); err != nil {
		return store.Photo{}, skillscore.Wrap(skillscore.EUnavailable, err, fmt.Sprintf("无法创建照片库目录 %s", l.dir))
	}
	id := newID()
	p := store.Photo{ID: id, File: id + info.Ext, SHA256: info.SHA256, ContentType: info.ContentType,
		Width: info.Width, Height: info.Height, Size: info.Size}
	tmp, err := os.CreateTemp(l.dir, tmpPrefix+"*") // mode 0600
	if err != nil {
		return store.Photo{}, skillscore.Wrap(skillscore.EUnavailable, err, fmt.Sprintf("无法写入照片库目录 %s", l.dir))
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), filepath.Join(l.dir, p.File))
	}
	if err != nil {
		os.Remove(tmp.Name())
		return store.Photo{}, skillscore.Wrap(skillscore.EUnavailable, err, fmt.Sprintf("无法写入照片库目录 %s", l.dir))
	}
	return p, nil
}

// tmpPrefix marks a photo being written; prune removes old ones.
const tmpPrefix = ".incoming-"

// syncDir makes the new names durable before the database records them.
func (l *Library) syncDir() error {
	d, err := os.Open(l.dir)
	if err != nil {
		return skillscore.Wrap(skillscore.EUnavailable, err, fmt.Sprintf("无法同步照片库目录 %s", l.dir))
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return skillscore.Wrap(skillscore.EUnavailable, err, fmt.Sprintf("无法同步照片库目录 %s", l.dir))
	}
	return nil
}

// remove deletes photo files whose records are gone (replaced, deleted, or
// never committed). A file that cannot be removed stays for prune.
func (l *Library) remove(ps []store.Photo) {
	for _, p := range ps {
		if photoFileRE.MatchString(p.File) {
			os.Remove(filepath.Join(l.dir, p.File))
		}
	}
}

// Discard deletes the files of photo records already deleted (a retention
// purge) and returns how many could not be: those stay until a prune.
func (l *Library) Discard(ps []store.Photo) (left int) {
	for _, p := range ps {
		if !photoFileRE.MatchString(p.File) {
			continue
		}
		if err := os.Remove(filepath.Join(l.dir, p.File)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			left++
		}
	}
	return left
}

// photoFileRE is a photo store file name: the opaque id and its extension.
var photoFileRE = regexp.MustCompile(`^[0-9a-f]{32}\.(jpg|png)$`)

// Save checks one photo and makes it the contestant's, replacing any
// photo they had (the organizer's upload of a single file).
func (l *Library) Save(ctx context.Context, eventID, contestantID int64, data []byte, actor string) (store.Photo, error) {
	info, why := Check(data)
	if why != "" {
		return store.Photo{}, skillscore.Errorf(skillscore.EInvalid, "照片不合格：%s", why)
	}
	p, err := l.put(ctx, data, info)
	if err != nil {
		return store.Photo{}, err
	}
	p.ContestantID = contestantID
	if err := l.syncDir(); err != nil {
		l.remove([]store.Photo{p})
		return store.Photo{}, err
	}
	replaced, err := l.st.SetPhotos(ctx, eventID, []store.Photo{p}, actor)
	if err != nil {
		l.remove([]store.Photo{p})
		return store.Photo{}, err
	}
	l.remove(replaced)
	return p, nil
}

// Delete removes a contestant's photo: the record, then the file.
func (l *Library) Delete(ctx context.Context, eventID, contestantID int64, actor string) error {
	p, err := l.st.DeletePhoto(ctx, eventID, contestantID, actor)
	if err != nil {
		return err
	}
	l.remove([]store.Photo{p})
	return nil
}

// PruneAge is how old an unrecorded file must be before prune removes it:
// an import on another server sharing the directory writes its files
// before its transaction commits, and must not lose them meanwhile.
const PruneAge = time.Hour

// Prune removes files of the photo store that no record names and that
// are older than PruneAge (imports cut short, replaced photos whose removal
// failed), and reports them. With dryRun it only reports.
func (l *Library) Prune(ctx context.Context, now time.Time, dryRun bool) ([]string, error) {
	if l.dir == "" {
		return nil, noDir()
	}
	known, err := l.st.PhotoFiles(ctx)
	if err != nil {
		return nil, err
	}
	keep := make(map[string]bool, len(known))
	for _, f := range known {
		keep[f] = true
	}
	entries, err := os.ReadDir(l.dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, skillscore.Wrap(skillscore.EUnavailable, err, fmt.Sprintf("无法读取照片库目录 %s", l.dir))
	}
	var out []string
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		name := e.Name()
		if !e.Type().IsRegular() || keep[name] || !(photoFileRE.MatchString(name) || strings.HasPrefix(name, tmpPrefix)) {
			continue
		}
		fi, err := e.Info()
		if err != nil || now.Sub(fi.ModTime()) < PruneAge {
			continue
		}
		if !dryRun {
			if err := os.Remove(filepath.Join(l.dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return out, skillscore.Wrap(skillscore.EUnavailable, err, fmt.Sprintf("无法删除照片文件 %s", name))
			}
		}
		out = append(out, name)
	}
	return out, nil
}

// LegacyFiles counts the files of dir named like a 居民身份证 number
// (<证件号码>.jpg, the layout read before the photo store), so a server
// pointed at such a directory says what to do instead of printing no
// photos. The shape is enough (18 characters, the last a digit or X, or
// the old 15 digits): a mistyped number is still a number. A missing
// directory has none.
func LegacyFiles(dir string) int {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0
	}
	n := 0
	for _, e := range entries {
		stem, ext := splitExt(e.Name())
		if isPhotoExt(ext) && idShapeRE.MatchString(stem) {
			n++
		}
	}
	return n
}

var idShapeRE = regexp.MustCompile(`^(\d{17}[\dXx]|\d{15})$`)

// splitExt splits a base name at its last dot.
func splitExt(name string) (stem, ext string) {
	ext = filepath.Ext(name)
	return strings.TrimSuffix(name, ext), strings.ToLower(ext)
}

func isPhotoExt(ext string) bool { return ext == ".jpg" || ext == ".jpeg" || ext == ".png" }

// readLimited reads at most MaxBytes+1 bytes: enough to refuse a file
// over the bound without holding it.
func readLimited(r io.Reader) ([]byte, error) {
	return io.ReadAll(io.LimitReader(r, MaxBytes+1))
}
