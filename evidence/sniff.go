package evidence

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	_ "image/jpeg" // photos: JPEG, PNG (WebP checked by its header)
	_ "image/png"
	"io"
	"net/http"

	"skillscore/store"
)

// sniffLen is how much of a file's head the type is decided from.
const sniffLen = 512

// kind is what the content says a file is.
type kind struct {
	Media       string // store.MediaPhoto | store.MediaClip
	ContentType string
}

// sniff decides a file's type from its first bytes, never its name. The
// accepted types are what tablets and phones write: JPEG, PNG, WebP
// photos; MP4, QuickTime (iPhone .mov) and WebM clips. "" with why when
// the head is none of them.
func sniff(head []byte) (kind, string) {
	if len(head) == 0 {
		return kind{}, "文件是空的（0 字节）"
	}
	if brand, ok := ftypBrand(head); ok {
		switch {
		case brand == "qt  ":
			return kind{store.MediaClip, "video/quicktime"}, ""
		case isHEIF(head):
			return kind{}, "HEIC/HEIF 图片暂不支持：请在相机设置中选择“兼容性最佳”（JPEG），或另存为 JPEG 后上传"
		case isMP4(head):
			return kind{store.MediaClip, "video/mp4"}, ""
		}
		return kind{}, fmt.Sprintf("不支持的视频格式（%q）：请上传 MP4、MOV 或 WebM 视频", brand)
	}
	switch ct := http.DetectContentType(head); ct {
	case "image/jpeg", "image/png", "image/webp":
		return kind{store.MediaPhoto, ct}, ""
	case "video/webm":
		return kind{store.MediaClip, ct}, ""
	case "image/gif", "image/bmp", "image/x-icon":
		return kind{}, fmt.Sprintf("不支持的图片格式（%s）：请上传 JPEG、PNG 或 WebP 照片", ct)
	case "video/avi", "audio/wave", "audio/mpeg", "video/ogg", "audio/ogg":
		return kind{}, fmt.Sprintf("不支持的音视频格式（%s）：请上传 MP4、MOV 或 WebM 视频", ct)
	}
	return kind{}, "文件内容不是照片或视频（按文件内容判断，与扩展名无关）：请上传 JPEG、PNG、WebP 照片或 MP4、MOV、WebM 视频"
}

// ftypBrand reads an ISO base media file's first box: ftyp and its major
// brand.
func ftypBrand(head []byte) (string, bool) {
	if len(head) < 12 || string(head[4:8]) != "ftyp" {
		return "", false
	}
	return string(head[8:12]), true
}

// brands lists the major and compatible brands of the ftyp box.
func brands(head []byte) []string {
	size := int(binary.BigEndian.Uint32(head[:4]))
	if size > len(head) {
		size = len(head)
	}
	out := []string{string(head[8:12])}
	for i := 16; i+4 <= size; i += 4 {
		out = append(out, string(head[i:i+4]))
	}
	return out
}

func isHEIF(head []byte) bool {
	switch string(head[8:12]) {
	case "heic", "heix", "hevc", "hevx", "heim", "heis", "mif1", "msf1", "avif":
		return true
	}
	return false
}

func isMP4(head []byte) bool {
	for _, b := range brands(head) {
		switch b {
		case "isom", "iso2", "iso4", "iso5", "iso6", "mp41", "mp42", "avc1", "M4V ", "M4VH", "M4VP", "3gp4", "3gp5", "3gp6", "dash", "MSNV":
			return true
		}
	}
	return false
}

// MaxPixels bounds a photo's declared size: a 200-megapixel phone camera
// fits; a small file declaring 60000×60000 pixels (3.6 gigapixels), which
// would stall the staff browser that shows it, does not.
const MaxPixels = 250_000_000

// checkContent looks past the head, at the whole received file: a photo's
// header must decode (so random bytes behind a JPEG marker, or a
// truncated PNG header, are refused) and a clip's top-level boxes must
// tile the file and hold a movie header (moov), or a WebM's EBML header
// must name the webm doc type. Nothing is decoded beyond headers: no
// pixel buffer, no frame, whatever the file declares.
func checkContent(f io.ReadSeeker, k kind, size int64) string {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return "文件无法读取"
	}
	switch k.ContentType {
	case "image/jpeg", "image/png":
		cfg, _, err := image.DecodeConfig(f)
		if err != nil || cfg.Width <= 0 || cfg.Height <= 0 {
			return "图片已损坏，无法读取尺寸"
		}
		if int64(cfg.Width)*int64(cfg.Height) > MaxPixels {
			return fmt.Sprintf("图片 %d×%d 像素，超过 %d 万像素上限", cfg.Width, cfg.Height, MaxPixels/10000)
		}
	case "image/webp":
		var h [12]byte
		if _, err := io.ReadFull(f, h[:]); err != nil || int64(binary.LittleEndian.Uint32(h[4:8]))+8 != size {
			return "WebP 图片已损坏或不完整"
		}
	case "video/mp4", "video/quicktime":
		return checkBoxes(f, size)
	case "video/webm":
		head := make([]byte, 64)
		n, _ := io.ReadFull(f, head)
		if !bytes.Contains(head[:n], []byte("webm")) {
			return "WebM 视频已损坏，无法读取文件头"
		}
	}
	return ""
}

// checkBoxes walks an MP4/QuickTime file's top-level boxes by seeking:
// each box's size must fit in what is left and the boxes must end exactly
// at the end of the file, and one must be the movie header. A hostile
// size field costs a seek, never a buffer.
func checkBoxes(f io.ReadSeeker, size int64) string {
	var pos int64
	moov := false
	var h [16]byte
	for boxes := 0; pos < size; boxes++ {
		if boxes > 10000 {
			return "视频文件结构异常（顶层数据块过多）"
		}
		if _, err := f.Seek(pos, io.SeekStart); err != nil {
			return "视频文件无法读取"
		}
		if _, err := io.ReadFull(f, h[:8]); err != nil {
			return "视频文件不完整（数据块头被截断）"
		}
		n := int64(binary.BigEndian.Uint32(h[:4]))
		typ := string(h[4:8])
		switch n {
		case 0: // to the end of the file
			n = size - pos
		case 1: // 64-bit size follows
			if _, err := io.ReadFull(f, h[8:16]); err != nil {
				return "视频文件不完整（数据块头被截断）"
			}
			u := binary.BigEndian.Uint64(h[8:16])
			if u > uint64(size) {
				return "视频文件不完整或已损坏（数据块长度超出文件）"
			}
			n = int64(u)
		}
		if n < 8 || n > size-pos {
			return "视频文件不完整或已损坏（数据块长度超出文件）"
		}
		if typ == "moov" {
			moov = true
		}
		pos += n
	}
	if !moov {
		return "视频文件不完整：缺少 moov 数据块（录制可能被中断）"
	}
	return ""
}
