package tabular

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"io"

	"skillscore"
)

// countEntries walks the zip's central directory as archive/zip will and
// counts its entries, stopping past max: zip.NewReader allocates a File for
// every entry before anyone can look, and 20 MB of empty entries is
// hundreds of thousands of them. It returns -1 when the directory cannot
// be found (archive/zip then reports the file as corrupt).
func countEntries(data []byte, max int) int {
	return CountZipEntries(bytes.NewReader(data), int64(len(data)), max)
}

// CountZipEntries is countEntries for a zip read in place (a file on disk,
// which the photo import opens without loading it): only the end records
// and the directory's fixed headers are read.
func CountZipEntries(r io.ReaderAt, size int64, limit int) int {
	const eocdLen, sigEOCD, sigDir = 22, 0x06054b50, 0x02014b50
	if size < eocdLen {
		return -1
	}
	// The end record sits in the last 64 KB (its comment is at most that).
	from := max(size-eocdLen-0xffff, 0)
	tail := make([]byte, size-from)
	if _, err := r.ReadAt(tail, from); err != nil && err != io.EOF {
		return -1
	}
	i := bytes.LastIndex(tail, []byte("PK\x05\x06"))
	if i < 0 {
		return -1
	}
	end, rec := from+int64(i), tail[i:]
	if len(rec) < eocdLen || binary.LittleEndian.Uint32(rec) != sigEOCD {
		return -1
	}
	dirSize := int64(binary.LittleEndian.Uint32(rec[12:]))
	offset := int64(binary.LittleEndian.Uint32(rec[16:]))
	start := end - dirSize
	if dirSize == 0xffffffff || offset == 0xffffffff || binary.LittleEndian.Uint16(rec[10:]) == 0xffff {
		// Zip64: the real figures are in the zip64 end record, which its
		// locator (just before the end record) points at.
		var loc [20]byte
		if end < 20 || !readAt(r, loc[:], end-20) || binary.LittleEndian.Uint32(loc[:]) != 0x07064b50 {
			return -1
		}
		at := binary.LittleEndian.Uint64(loc[8:])
		var z64 [56]byte
		if size < 56 || at > uint64(size-56) || !readAt(r, z64[:], int64(at)) || binary.LittleEndian.Uint32(z64[:]) != 0x06064b50 {
			return -1
		}
		dirSize = int64(binary.LittleEndian.Uint64(z64[40:]) & 0x7fffffffffffffff)
		offset = int64(binary.LittleEndian.Uint64(z64[48:]) & 0x7fffffffffffffff)
		start = int64(at) - dirSize
	}
	var hdr [46]byte
	if start < 0 || start >= size || !readAt(r, hdr[:4], start) || binary.LittleEndian.Uint32(hdr[:]) != sigDir {
		// Where archive/zip looks when the file has nothing prepended.
		start = offset
	}
	n := 0
	for p := start; p >= 0 && p+46 <= size; n++ {
		if !readAt(r, hdr[:], p) || binary.LittleEndian.Uint32(hdr[:]) != sigDir {
			break
		}
		if n > limit {
			return n
		}
		p += 46 + int64(binary.LittleEndian.Uint16(hdr[28:])) + int64(binary.LittleEndian.Uint16(hdr[30:])) +
			int64(binary.LittleEndian.Uint16(hdr[32:]))
	}
	return n
}

// readAt fills b from off, reporting whether it could.
func readAt(r io.ReaderAt, b []byte, off int64) bool {
	n, err := r.ReadAt(b, off)
	return n == len(b) && (err == nil || err == io.EOF)
}

// parts opens the workbook's zip after checking, from its central
// directory and before decompressing anything, the number of entries and
// each one's decompressed size and ratio. archive/zip then refuses any
// entry that decompresses to more than its directory says.
func parts(file string, data []byte, c *counter) (map[string]*zip.File, error) {
	lim := c.lim
	if n := countEntries(data, lim.Parts); n > lim.Parts {
		return nil, skillscore.Errorf(skillscore.EUnprocessable, "%s的压缩包有超过 %s 个部件：超过上限，不是正常的 .xlsx 工作簿", c.prefix(), thousands(lim.Parts))
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, skillscore.Wrap(skillscore.EInvalid, err, c.prefix()+"不是有效的 .xlsx 工作簿（文件已损坏？）")
	}
	out := make(map[string]*zip.File, len(zr.File))
	var total uint64
	for _, f := range zr.File {
		size := f.UncompressedSize64
		if size > uint64(lim.PartBytes) {
			return nil, skillscore.Errorf(skillscore.ETooLarge, "%s中的 %s 解压后有 %d MB：超过每个部件 %s 上限", c.prefix(), f.Name, size>>20, mb(lim.PartBytes))
		}
		if total += size; total > uint64(lim.UnzipBytes) {
			return nil, skillscore.Errorf(skillscore.ETooLarge, "%s解压后超过 %s 上限", c.prefix(), mb(lim.UnzipBytes))
		}
		if size > 1<<20 && size/max(f.CompressedSize64, 1) > uint64(lim.Ratio) {
			return nil, skillscore.Errorf(skillscore.EUnprocessable, "%s中的 %s 压缩比为 %d:1：超过 %d:1 上限，不是正常的 .xlsx 工作簿",
				c.prefix(), f.Name, size/max(f.CompressedSize64, 1), lim.Ratio)
		}
		out[normPart(f.Name)] = f
	}
	return out, nil
}

// openPart opens an entry for reading no more than its checked size.
func openPart(f *zip.File) (io.ReadCloser, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	return struct {
		io.Reader
		io.Closer
	}{io.LimitReader(rc, int64(f.UncompressedSize64)+1), rc}, nil
}
