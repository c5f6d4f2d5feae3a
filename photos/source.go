package photos

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"

	"skillscore"
	"skillscore/tabular"
)

// Bounds of one import, whatever its files are built like: a roster of
// 10,000 people with a photo each, and room around it.
const (
	MaxFiles = 20_000
	// MaxUnzipped bounds the decompressed size a ZIP's directory declares
	// in all: 10,000 photos of 200 KB is 2 GB.
	MaxUnzipped = 4 << 30
	// MaxRatio is the highest compression ratio of an entry over 1 MB:
	// JPEG and PNG are compressed already and barely shrink again, so a
	// photo at 100:1 is no photo.
	MaxRatio = 100
)

// entry is one file of an import.
type entry struct {
	name    string // the path inside the directory or ZIP, slash-separated
	open    func() (io.ReadCloser, error)
	problem string // a refusal decided before reading (size, ratio)
}

// Source is the files of one import: a directory, a ZIP or one image.
type Source struct {
	entries []entry
	closer  io.Closer
}

// Close releases an open ZIP.
func (s *Source) Close() error {
	if s.closer != nil {
		return s.closer.Close()
	}
	return nil
}

// Len is the number of files the import will look at.
func (s *Source) Len() int { return len(s.entries) }

// skipped reports names that are no one's photo and no mistake either:
// hidden files, macOS's resource forks and the thumbnails Windows leaves.
func skipped(name string) bool {
	for _, part := range strings.Split(name, "/") {
		if strings.HasPrefix(part, ".") || part == "__MACOSX" {
			return true
		}
	}
	switch strings.ToLower(path.Base(name)) {
	case "thumbs.db", "desktop.ini":
		return true
	}
	return false
}

// Open opens a directory, a .zip file or a single image for import.
func Open(ctx context.Context, p string) (*Source, error) {
	fi, err := os.Stat(p)
	if err != nil {
		return nil, skillscore.Wrap(skillscore.ENotFound, err, fmt.Sprintf("无法读取照片目录或文件 %s (cannot read)", p))
	}
	if fi.IsDir() {
		return OpenDir(ctx, p)
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, skillscore.Wrap(skillscore.EInvalid, err, fmt.Sprintf("无法读取 %s", p))
	}
	head := make([]byte, 4)
	n, _ := io.ReadFull(f, head)
	if n == 4 && string(head) == "PK\x03\x04" || strings.EqualFold(filepath.Ext(p), ".zip") {
		src, err := readZip(ctx, filepath.Base(p), f, fi.Size())
		if err != nil {
			f.Close()
			return nil, err
		}
		src.closer = f
		return src, nil
	}
	f.Close()
	return &Source{entries: []entry{fileEntry(filepath.Base(p), p, fi.Size())}}, nil
}

func fileEntry(name, full string, size int64) entry {
	e := entry{name: name, open: func() (io.ReadCloser, error) { return os.Open(full) }}
	if size > MaxBytes {
		e.problem = fmt.Sprintf("文件大小 %s，超过 %s 上限", sizeText(size), sizeText(MaxBytes))
	}
	return e
}

// OpenDir lists a directory's files, its subdirectories' too (photos sorted
// into a folder per 设区市), without following symbolic links.
func OpenDir(ctx context.Context, dir string) (*Source, error) {
	src := &Source{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if rel != "." && skipped(rel) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		if len(src.entries) >= MaxFiles {
			return skillscore.Errorf(skillscore.EUnprocessable, "照片目录 %s 中的文件超过 %d 个：超过上限", dir, MaxFiles)
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		src.entries = append(src.entries, fileEntry(rel, p, fi.Size()))
		return nil
	})
	var se *skillscore.Error
	switch {
	case errors.As(err, &se), errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return nil, err
	case err != nil:
		return nil, skillscore.Wrap(skillscore.EInvalid, err, fmt.Sprintf("无法读取照片目录 %s: %v", dir, err))
	}
	return src, nil
}

// ZipBytes reads an uploaded ZIP held in memory.
func ZipBytes(ctx context.Context, name string, data []byte) (*Source, error) {
	return readZip(ctx, name, bytes.NewReader(data), int64(len(data)))
}

// readZip lists a ZIP's entries within bounds checked from its central
// directory before anything is decompressed: the number of entries (counted
// before archive/zip allocates one record each), the declared decompressed
// size in all, and each entry's size and ratio, an entry past them refused
// on its own. archive/zip then refuses an entry that decompresses to more
// than the directory says, so no entry is read past MaxBytes.
func readZip(ctx context.Context, name string, r io.ReaderAt, size int64) (*Source, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if n := tabular.CountZipEntries(r, size, MaxFiles); n > MaxFiles {
		return nil, skillscore.Errorf(skillscore.EUnprocessable, "压缩包 %s 中的文件超过 %d 个：超过上限", name, MaxFiles)
	}
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, skillscore.Wrap(skillscore.EInvalid, err, fmt.Sprintf("%s 不是有效的 ZIP 压缩包（文件已损坏？）", name))
	}
	src := &Source{}
	var total uint64
	for _, f := range zr.File {
		if f.FileInfo().IsDir() {
			continue
		}
		n := entryName(f)
		if skipped(n) {
			continue
		}
		if total += f.UncompressedSize64; total > MaxUnzipped {
			return nil, skillscore.Errorf(skillscore.ETooLarge, "压缩包 %s 解压后超过 %s 上限：请分成几个压缩包导入", name, sizeText(MaxUnzipped))
		}
		e := entry{name: n, open: func() (io.ReadCloser, error) { return f.Open() }}
		switch un := f.UncompressedSize64; {
		case un > MaxBytes:
			e.problem = fmt.Sprintf("解压后 %s，超过 %s 上限", sizeText(int64(min(un, 1<<62))), sizeText(MaxBytes))
		case un > 1<<20 && un/max(f.CompressedSize64, 1) > MaxRatio:
			e.problem = fmt.Sprintf("压缩比 %d:1，超过 %d:1：不是正常的照片文件", un/max(f.CompressedSize64, 1), MaxRatio)
		}
		src.entries = append(src.entries, e)
	}
	sort.Slice(src.entries, func(i, j int) bool { return src.entries[i].name < src.entries[j].name })
	return src, nil
}

// entryName is an entry's path as its maker wrote it: ZIPs made on Chinese
// Windows name their files in GBK without saying so. A name that is valid
// UTF-8 is taken as UTF-8 (some tools write it without the flag).
func entryName(f *zip.File) string {
	n := f.Name
	if !utf8.ValidString(n) {
		if s, err := simplifiedchinese.GB18030.NewDecoder().String(n); err == nil {
			n = s
		}
	}
	return strings.TrimPrefix(strings.ReplaceAll(n, `\`, "/"), "/")
}

// FileBytes is one uploaded photo held in memory.
func FileBytes(name string, data []byte) *Source {
	e := entry{name: path.Base(strings.ReplaceAll(name, `\`, "/")),
		open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }}
	if len(data) > MaxBytes {
		e.problem = fmt.Sprintf("文件大小 %s，超过 %s 上限", sizeText(int64(len(data))), sizeText(MaxBytes))
	}
	return &Source{entries: []entry{e}}
}
