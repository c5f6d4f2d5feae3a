// Package archive builds one signed ZIP of an event's records for keeping
// (归档, issue 16, docs/oversight-archive.md) and checks such a ZIP offline.
//
// The ZIP holds one folder per part (results, appeals, sign-in sheets, the
// certificate register, the audit trail, 督导记录, the rules document, the
// 复核 report, 仲裁 decisions, 赛场记录, the filled 评分记录表 and the
// evidence files),
// then manifest.json (every file's path, size and SHA-256, the event's
// audit chain head, who built it when with which software) and
// manifest.sig, an Ed25519 signature over manifest.json's exact bytes made
// with the certificate signing key. It is written as a stream: one file at
// a time, never the whole archive in memory.
//
// The parts are listed in one place, parts(); each is a small function
// from the event to its files. Building records the archive in the store,
// which starts the event's retention lock.
package archive

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"skillscore"
	"skillscore/certificates"
	"skillscore/evidence"
	"skillscore/exports"
	"skillscore/report"
	"skillscore/sheets"
	"skillscore/store"
)

// Names of the files the archive itself adds at its root.
const (
	ManifestName  = "manifest.json"
	SignatureName = "manifest.sig"
	// Format names this layout in the manifest.
	Format = "skillscore-archive/1"
)

// Reports builds an assessment batch's papers; *report.Service satisfies it.
type Reports interface {
	Document(ctx context.Context, ev store.Event, what string) (report.File, error)
}

var _ Reports = (*report.Service)(nil)

// Config is what building an archive reads.
type Config struct {
	// Store is the whole store on purpose: a part added later calls what
	// it needs without widening an interface here.
	Store   *store.Store
	Exports *exports.Exporter
	// Reports prints a batch's 成绩汇总表 and 证书发放登记表; nil leaves
	// them out (the register is still there as CSV).
	Reports Reports
	// Photo reads a candidate's photo for the sign-in sheets; nil prints an
	// empty frame.
	Photo func(ctx context.Context, contestantID int64) ([]byte, error)
	// RecheckReport gathers the event's 复核 report (web.RecheckReportFor:
	// package archive cannot import web). nil refuses an event that had a
	// 复核 rather than archive it without its report.
	RecheckReport func(ctx context.Context, ev store.Event) (sheets.RecheckReport, error)
	// Evidence reads the evidence store; nil refuses an event with
	// evidence rather than archive it without its files.
	Evidence *evidence.Service
	// Signer is the certificate signing key's active signer.
	Signer            *certificates.Signer
	SongFont, KaiFont string
	Now               func() time.Time
}

// Archiver builds archives.
type Archiver struct {
	cfg   Config
	parts []Part // parts(); a test of the streaming gives its own
	mu    sync.Mutex
	fonts *certificates.Fonts
}

// New returns an Archiver; it refuses a configuration without a signing key.
func New(cfg Config) (*Archiver, error) {
	if cfg.Signer == nil {
		return nil, skillscore.Errorf(skillscore.EUnavailable,
			"没有证书签名密钥：归档清单须用证书签名密钥签名，请先运行 skillscore certs keygen --keys DIR 并用 --keys 指定")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.SongFont == "" {
		cfg.SongFont = certificates.DefaultSongFont
	}
	if cfg.KaiFont == "" {
		cfg.KaiFont = certificates.DefaultKaiFont
	}
	if cfg.Exports == nil {
		cfg.Exports = exports.New(cfg.Store, cfg.SongFont, cfg.KaiFont)
	}
	return &Archiver{cfg: cfg, parts: parts()}, nil
}

// WithClock returns a copy of the archiver reading time from now (the
// demo builds its past events on a clock of its own).
func (a *Archiver) WithClock(now func() time.Time) *Archiver {
	cfg := a.cfg
	cfg.Now = now
	return &Archiver{cfg: cfg, parts: a.parts}
}

// KeyID is the signing key's id.
func (a *Archiver) KeyID() string { return a.cfg.Signer.KeyID() }

// PublicKey is the signing key's public half, whose Fingerprint the
// organizer publishes for verifiers.
func (a *Archiver) PublicKey() []byte { return a.cfg.Signer.PublicKey() }

// Env is what a part reads: the configuration and the building's facts.
type Env struct {
	Config
	Actor string
	// Head is the event's audit chain head the manifest names; the audit
	// part cuts the trail there.
	Head    store.AuditHead
	BuiltAt time.Time
	fonts   func() (certificates.Fonts, error)
}

// Fonts loads the PDF fonts (once per archiver).
func (e *Env) Fonts() (certificates.Fonts, error) { return e.fonts() }

// File is one file of a part: its name inside the part's folder and how
// to write it. Write is called once, when the file's turn comes, so a part
// with many files holds none of them in memory ahead of time.
type File struct {
	Name  string
	Write func(w io.Writer) error
}

// Bytes is a File of bytes already built.
func Bytes(name string, data []byte) File {
	return File{Name: name, Write: func(w io.Writer) error { _, err := w.Write(data); return err }}
}

// Part is one kind of record in the archive.
type Part struct {
	Name  string // its folder in the ZIP
	Title string // its Chinese name, in the manifest and on the page
	Files func(ctx context.Context, env *Env, ev store.Event) ([]File, error)
}

// parts is the one list of what an archive holds, in order. A part with
// nothing to hold for an event (no 督导 outside assessment batches)
// returns no files and shows in the manifest with 0.
func parts() []Part {
	return []Part{
		{"rules", "赛项规则与评分标准", rulesPart},
		{"results", "成绩汇总表", resultsPart},
		{"appeals", "公示期申诉", appealsPart},
		{"signin", "签到表、检录表", signinPart},
		{"certificates", "证书发放登记表", certificatesPart},
		{"supervision", "督导记录", supervisionPart},
		{"audit", "审计记录", auditPart},
		// Issue 16's other parts (oversight_parts.go).
		{"recheck", "复核报告", recheckPart},
		{"arbitration", "仲裁决定", arbitrationPart},
		{"incidents", "赛场记录", incidentsPart},
		{"scoresheets", "评分记录表", scoreSheetsPart},
		{"evidence", "证据文件", evidencePart},
	}
}

// PartTitles lists the parts' names and titles, for the page.
func PartTitles() [][2]string {
	var out [][2]string
	for _, p := range parts() {
		out = append(out, [2]string{p.Name, p.Title})
	}
	return out
}

// Manifest is manifest.json.
type Manifest struct {
	Format    string          `json:"format"`
	Event     ManifestEvent   `json:"event"`
	BuiltAt   time.Time       `json:"built_at"`
	BuiltBy   string          `json:"built_by"`
	Software  string          `json:"software"`
	AuditHead store.AuditHead `json:"audit_head"`
	Parts     []ManifestPart  `json:"parts"`
	Files     []ManifestFile  `json:"files"`
}

// ManifestEvent names the archived event.
type ManifestEvent struct {
	ID   int64  `json:"id"`
	Code string `json:"code"`
	Name string `json:"name"`
	Kind string `json:"kind"`
	Year int    `json:"year"`
}

// ManifestPart is one part with how many files it holds.
type ManifestPart struct {
	Name  string `json:"name"`
	Title string `json:"title"`
	Files int    `json:"files"`
}

// ManifestFile is one file's path, size and SHA-256 (hex).
type ManifestFile struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Signature is manifest.sig: the signature over manifest.json's bytes and
// the key that made it. The key is carried so the archive can be checked
// anywhere; it is trusted only once matched against a key or fingerprint
// obtained apart from the archive (Verify).
type Signature struct {
	Alg         string `json:"alg"` // "Ed25519"
	KeyID       string `json:"kid"`
	PublicKey   string `json:"public_key"`  // base64, 32 bytes
	Fingerprint string `json:"fingerprint"` // hex SHA-256 of the raw public key
	Signature   string `json:"signature"`   // base64, over manifest.json
}

// Fingerprint is the hex SHA-256 of a raw Ed25519 public key: what an
// organizer reads out or prints for a verifier to compare.
func Fingerprint(pub []byte) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:])
}

// Progress is how far a build has got.
type Progress struct {
	Parts     int    `json:"parts"`      // parts in all
	PartsDone int    `json:"parts_done"` // parts written
	Part      string `json:"part"`       // the part being written (its title)
	Files     int    `json:"files"`      // files written so far
	Bytes     int64  `json:"bytes"`      // uncompressed bytes written so far
}

// Options are one build's.
type Options struct {
	Actor    string
	Progress func(Progress) // called as parts and files are written; may be nil
}

// Result is a built archive.
type Result struct {
	Manifest       Manifest
	ManifestSHA256 string
	ZipSHA256      string
	Size           int64 // the ZIP's size in bytes
}

// Build writes the event's archive to w as a ZIP, one file at a time. It
// does not record the archive: WriteFile does, once the file is complete.
func (a *Archiver) Build(ctx context.Context, ev store.Event, w io.Writer, opts Options) (Result, error) {
	if err := a.Ready(ctx, ev); err != nil {
		return Result{}, err
	}
	head, err := a.cfg.Store.EventAuditHead(ctx, ev.ID)
	if err != nil {
		return Result{}, err
	}
	env := &Env{Config: a.cfg, Actor: opts.Actor, Head: head, BuiltAt: a.cfg.Now().UTC().Truncate(time.Second), fonts: a.loadFonts}
	sum := sha256.New()
	cw := &countWriter{w: io.MultiWriter(w, sum)}
	zw := zip.NewWriter(cw)
	m := Manifest{Format: Format, Event: ManifestEvent{ID: ev.ID, Code: ev.Code, Name: ev.Name, Kind: ev.Kind, Year: ev.Year},
		BuiltAt: env.BuiltAt, BuiltBy: opts.Actor, Software: Software(), AuditHead: head}
	all := a.parts
	prog := Progress{Parts: len(all)}
	report := func() {
		if opts.Progress != nil {
			opts.Progress(prog)
		}
	}
	seen := map[string]bool{}
	for _, p := range all {
		if err := ctx.Err(); err != nil {
			return Result{}, err
		}
		prog.Part = p.Title
		report()
		files, err := p.Files(ctx, env, ev)
		if err != nil {
			return Result{}, fmt.Errorf("归档 %s：%w", p.Title, err)
		}
		for _, f := range files {
			if err := ctx.Err(); err != nil {
				return Result{}, err
			}
			name := p.Name + "/" + safeName(f.Name)
			if seen[name] {
				return Result{}, fmt.Errorf("archive: two files named %s", name)
			}
			seen[name] = true
			mf, err := writeEntry(zw, name, env.BuiltAt, f.Write)
			if err != nil {
				return Result{}, fmt.Errorf("归档 %s（%s）：%w", p.Title, name, err)
			}
			m.Files = append(m.Files, mf)
			prog.Files++
			prog.Bytes += mf.Size
			report()
		}
		m.Parts = append(m.Parts, ManifestPart{Name: p.Name, Title: p.Title, Files: len(files)})
		prog.PartsDone++
	}
	raw, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return Result{}, fmt.Errorf("manifest: %w", err)
	}
	raw = append(raw, '\n')
	if _, err := writeEntry(zw, ManifestName, env.BuiltAt, func(w io.Writer) error { _, err := w.Write(raw); return err }); err != nil {
		return Result{}, err
	}
	pub := a.cfg.Signer.PublicKey()
	sig := Signature{Alg: "Ed25519", KeyID: a.cfg.Signer.KeyID(), PublicKey: base64.StdEncoding.EncodeToString(pub),
		Fingerprint: Fingerprint(pub), Signature: base64.StdEncoding.EncodeToString(a.cfg.Signer.Sign(raw))}
	sigRaw, err := json.MarshalIndent(sig, "", "  ")
	if err != nil {
		return Result{}, fmt.Errorf("signature: %w", err)
	}
	if _, err := writeEntry(zw, SignatureName, env.BuiltAt, func(w io.Writer) error { _, err := w.Write(append(sigRaw, '\n')); return err }); err != nil {
		return Result{}, err
	}
	if err := zw.Close(); err != nil {
		return Result{}, fmt.Errorf("archive zip: %w", err)
	}
	prog.Part = ""
	report()
	ms := sha256.Sum256(raw)
	return Result{Manifest: m, ManifestSHA256: hex.EncodeToString(ms[:]), ZipSHA256: hex.EncodeToString(sum.Sum(nil)), Size: cw.n}, nil
}

// Ready refuses an event whose results are not final: an archive is the
// record of a finished event, and starts its retention lock.
func (a *Archiver) Ready(ctx context.Context, ev store.Event) error {
	w, err := a.cfg.Store.Workflow(ctx, ev.ID)
	if err != nil {
		return err
	}
	if !w.FinalizedAt.Valid() {
		return skillscore.Errorf(skillscore.EConflict, "赛事 %s 的成绩尚未最终确认：确认最终成绩后才能归档", ev.Code)
	}
	return nil
}

// WriteFile builds the event's archive into path (written beside it and
// renamed into place when complete) and records it in the store with a
// retention of years (0: store.DefaultArchiveYears), which starts the
// event's retention lock.
func (a *Archiver) WriteFile(ctx context.Context, ev store.Event, path string, years int, opts Options) (Result, store.EventArchive, error) {
	if years == 0 {
		years = store.DefaultArchiveYears
	}
	if err := store.CheckArchiveYears(years); err != nil {
		return Result{}, store.EventArchive{}, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return Result{}, store.EventArchive{}, skillscore.Wrap(skillscore.EInvalid, err, fmt.Sprintf("无法写入 %s：%v", path, err))
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	res, err := a.Build(ctx, ev, tmp, opts)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return Result{}, store.EventArchive{}, err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return Result{}, store.EventArchive{}, skillscore.Wrap(skillscore.EInvalid, err, fmt.Sprintf("无法写入 %s：%v", path, err))
	}
	rec, err := a.cfg.Store.RecordArchive(ctx, store.ArchiveRecord{EventID: ev.ID, ZipSHA256: res.ZipSHA256,
		ManifestSHA256: res.ManifestSHA256, AuditSeq: res.Manifest.AuditHead.Seq, AuditHash: res.Manifest.AuditHead.Hash,
		KeyID: a.cfg.Signer.KeyID(), Files: len(res.Manifest.Files), Bytes: res.Size, Years: years}, opts.Actor)
	if err != nil {
		return Result{}, store.EventArchive{}, err
	}
	return res, rec, nil
}

func (a *Archiver) loadFonts() (certificates.Fonts, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.fonts == nil {
		f, err := certificates.LoadFonts(a.cfg.SongFont, a.cfg.KaiFont)
		if err != nil {
			return certificates.Fonts{}, err
		}
		a.fonts = &f
	}
	return *a.fonts, nil
}

// writeEntry writes one ZIP entry, hashing and counting what it writes.
func writeEntry(zw *zip.Writer, name string, at time.Time, write func(io.Writer) error) (ManifestFile, error) {
	ew, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: at})
	if err != nil {
		return ManifestFile{}, fmt.Errorf("archive zip: %w", err)
	}
	h := sha256.New()
	cw := &countWriter{w: io.MultiWriter(ew, h)}
	if err := write(cw); err != nil {
		return ManifestFile{}, err
	}
	return ManifestFile{Path: name, Size: cw.n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// safeName keeps a file name to one path element without separators.
func safeName(s string) string {
	s = strings.NewReplacer("/", "-", "\\", "-", "\x00", "").Replace(s)
	s = path.Clean(s)
	if s == "." || s == ".." || s == "" {
		return "_"
	}
	return s
}

// Software names the running build: module version, VCS revision (with
// "+dirty" for uncommitted changes) and the Go version.
func Software() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "skillscore (unknown build)"
	}
	var b bytes.Buffer
	b.WriteString("skillscore " + bi.Main.Version)
	var rev, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		b.WriteString(" " + rev)
		if modified == "true" {
			b.WriteString("+dirty")
		}
	}
	b.WriteString(" " + bi.GoVersion)
	return b.String()
}
