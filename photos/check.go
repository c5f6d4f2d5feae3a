package photos

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"image"
	_ "image/jpeg" // photos are JPEG or PNG
	_ "image/png"
	"net/http"

	"skillscore/store"
)

// Bounds of an accepted photo. A 2-inch ID photo (35×49 mm) scanned at
// 300 dpi is about 413×579 pixels and 50–300 KB; the minimum still prints
// the certificate's 25×35 mm frame at about 100 dpi, the maximum keeps a
// decoded image under 64 MB of memory.
const (
	MaxBytes  = 2 << 20
	MinWidth  = 100
	MinHeight = 130
	MaxSide   = 4000
)

// Info is what the checks learn of an accepted photo.
type Info struct {
	ContentType string // image/jpeg | image/png
	Ext         string // .jpg | .png, from the content
	Width       int
	Height      int
	Size        int64
	SHA256      string // hex
}

// Check decides whether data can be a holder's photo and, if not, says why
// in Chinese for the organizer. The type comes from the content, never the
// file name; the image is decoded in full (a truncated file would otherwise
// pass and print half a face), and a PNG must be one the certificate PDF
// writer takes.
func Check(data []byte) (Info, string) { return CheckSpec(data, store.PhotoSpec{}) }

// CheckSpec is Check with a batch's photo spec (store.PhotoSpec) on top of
// the bounds above: its size and pixel bounds are checked from the header,
// before the image is decoded, so a photo a batch refuses costs no decoding.
func CheckSpec(data []byte, spec store.PhotoSpec) (Info, string) {
	if len(data) > MaxBytes {
		return Info{}, fmt.Sprintf("文件大小 %s，超过 %s 上限", sizeText(int64(len(data))), sizeText(MaxBytes))
	}
	if len(data) == 0 {
		return Info{}, "文件是空的"
	}
	info := Info{Size: int64(len(data))}
	switch info.ContentType = http.DetectContentType(data); info.ContentType {
	case "image/jpeg":
		info.Ext = ".jpg"
	case "image/png":
		info.Ext = ".png"
	default:
		return Info{}, "不是 JPEG 或 PNG 图片（按文件内容判断，与扩展名无关）"
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return Info{}, "图片已损坏，无法读取尺寸"
	}
	info.Width, info.Height = cfg.Width, cfg.Height
	switch {
	case cfg.Width < MinWidth || cfg.Height < MinHeight:
		return Info{}, fmt.Sprintf("照片 %d×%d 像素，太小：至少 %d×%d（宽×高）", cfg.Width, cfg.Height, MinWidth, MinHeight)
	case cfg.Width > MaxSide || cfg.Height > MaxSide:
		return Info{}, fmt.Sprintf("照片 %d×%d 像素，太大：宽和高都不能超过 %d", cfg.Width, cfg.Height, MaxSide)
	}
	if why := specProblem(spec, cfg.Width, cfg.Height, len(data)); why != "" {
		return Info{}, why
	}
	if info.ContentType == "image/png" {
		if why := pngPrintable(data); why != "" {
			return Info{}, why
		}
	}
	// Bounded by the dimensions checked above.
	if _, _, err := image.Decode(bytes.NewReader(data)); err != nil {
		return Info{}, "图片已损坏或不完整，无法完整读取"
	}
	sum := sha256.Sum256(data)
	info.SHA256 = hex.EncodeToString(sum[:])
	return info, ""
}

// specProblem says why a photo of w×h pixels and size bytes does not meet
// a batch's spec, "" when it does.
func specProblem(spec store.PhotoSpec, w, h, size int) string {
	if spec.MaxKB > 0 && size > spec.MaxKB<<10 {
		return fmt.Sprintf("文件大小 %s，超过本批次要求的 %d KB", sizeText(int64(size)), spec.MaxKB)
	}
	tooSmall := w < spec.MinWidth || h < spec.MinHeight
	tooLarge := spec.MaxWidth > 0 && w > spec.MaxWidth || spec.MaxHeight > 0 && h > spec.MaxHeight
	if !tooSmall && !tooLarge {
		return ""
	}
	return fmt.Sprintf("照片 %d×%d 像素，本批次要求%s（宽×高）", w, h, SpecText(spec))
}

// SpecText states a spec's pixel bounds as a message does: 358×441 when
// exact, else the range (不限 for an open bound).
func SpecText(spec store.PhotoSpec) string {
	side := func(lo, hi int) string {
		switch {
		case lo == hi && lo > 0:
			return fmt.Sprint(lo)
		case hi == 0 && lo == 0:
			return "不限"
		case hi == 0:
			return fmt.Sprintf("≥%d", lo)
		case lo == 0:
			return fmt.Sprintf("≤%d", hi)
		}
		return fmt.Sprintf("%d–%d", lo, hi)
	}
	if spec.MinWidth == spec.MaxWidth && spec.MinHeight == spec.MaxHeight && spec.MinWidth > 0 && spec.MinHeight > 0 {
		return fmt.Sprintf(" %d×%d 像素", spec.MinWidth, spec.MinHeight)
	}
	return fmt.Sprintf("宽 %s、高 %s 像素", side(spec.MinWidth, spec.MaxWidth), side(spec.MinHeight, spec.MaxHeight))
}

// pngPrintable refuses the PNGs gofpdf, which writes the certificates,
// cannot embed: 16 bits a channel and interlaced (Adam7) images. Their
// header is fixed: the signature, then IHDR's length, type, width, height,
// bit depth, colour type, compression, filter and interlace method.
func pngPrintable(data []byte) string {
	if len(data) < 29 || string(data[12:16]) != "IHDR" {
		return "PNG 图片已损坏，无法读取"
	}
	if binary.BigEndian.Uint32(data[8:12]) != 13 {
		return "PNG 图片已损坏，无法读取"
	}
	switch {
	case data[24] > 8:
		return fmt.Sprintf("PNG 为每通道 %d 位，证书无法打印：请另存为 8 位 PNG 或 JPEG", data[24])
	case data[28] != 0:
		return "PNG 为隔行扫描（interlaced），证书无法打印：请另存为非隔行 PNG 或 JPEG"
	}
	return ""
}

// sizeText gives a byte count as people read it: 1.5 MB, 300 KB.
func sizeText(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d 字节", n)
}
