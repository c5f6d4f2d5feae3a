package certificates

import (
	"bytes"
	"compress/zlib"
	"context"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jung-kurt/gofpdf"

	"skillscore"
)

// Document is one certificate to render: its signed facts and token, plus
// what the paper shows beyond them.
type Document struct {
	Facts     Facts
	Token     string
	IDNumber  string // the full 证件号码, printed on the holder's own paper only
	VerifyURL string // the public verification page, e.g. https://host/verify
	Photo     []byte // JPEG or PNG; nil draws an empty photo frame
}

// QRContent is what the QR code carries: the verification URL with the
// signed token, which the page checks without trusting the paper.
func (d Document) QRContent() string { return d.VerifyURL + "?t=" + d.Token }

// fields are the values layouts can place with {name} placeholders.
func (d Document) fields() map[string]string {
	f := d.Facts
	date := f.Date
	if t, err := time.Parse("2006-01-02", f.Date); err == nil {
		date = t.Format("2006年01月02日")
	}
	rank := ""
	if f.Rank > 0 {
		rank = strconv.Itoa(f.Rank)
	}
	return map[string]string{
		"number": f.Number, "name": f.Name, "id_type": f.IDType, "id_number": d.IDNumber, "id_masked": f.IDMasked,
		"occupation": f.Occupation, "specialty": f.Specialty, "level": f.Level, "issuer": f.Issuer, "date": date,
		"date_cn": date, "event": f.Event, "group": f.Group, "award": f.Award, "rank": rank, "promotion": f.Promotion,
		"organization": f.Organization, "verify_url": d.VerifyURL, "team": f.Team,
	}
}

// expand fills {field} placeholders.
func expand(text string, fields map[string]string) string {
	if !strings.Contains(text, "{") {
		return text
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(text, '{')
		if i < 0 {
			break
		}
		j := strings.IndexByte(text[i:], '}')
		if j < 0 {
			break
		}
		b.WriteString(text[:i])
		b.WriteString(fields[text[i+1:i+j]])
		text = text[i+j+1:]
	}
	b.WriteString(text)
	return b.String()
}

// Brand mark text, drawn by brand().
const (
	brandName  = "江西表嫂"
	brandLatin = "JIANGXI BIAOSAO"
)

// Renderer draws certificates. It is safe for concurrent use: each call
// builds its own gofpdf document from the shared, read-only font bytes.
type Renderer struct {
	fonts   Fonts
	layouts map[string]*Layout
	assets  map[string][]byte
	// pngs reuses the compressors of QR code PNGs: a fresh one allocates
	// its state each time, which costs more than the QR code.
	pngs *pngPool
	qr   *qrEncoder
}

// pngPool keeps zlib writers for qrCode.writePNG.
type pngPool struct{ p sync.Pool }

func (p *pngPool) writer(w io.Writer) *zlib.Writer {
	if z, ok := p.p.Get().(*zlib.Writer); ok {
		z.Reset(w)
		return z
	}
	z, _ := zlib.NewWriterLevel(w, zlib.BestSpeed) // the level is valid
	return z
}

// NewRenderer prepares a renderer. assets holds the organizer's images
// (seal, backgrounds) that layouts name; nil means none.
func NewRenderer(fonts Fonts, layouts map[string]*Layout, assets fs.FS) (*Renderer, error) {
	r := &Renderer{fonts: fonts, layouts: layouts, pngs: &pngPool{}, qr: newQREncoder()}
	return r.WithAssets(assets)
}

// WithAssets returns the renderer with the organizer's images read again
// from assets (after an upload).
func (r *Renderer) WithAssets(assets fs.FS) (*Renderer, error) {
	out := *r
	out.assets = map[string][]byte{}
	for _, name := range r.AssetNames() {
		if assets == nil {
			break
		}
		b, err := fs.ReadFile(assets, name)
		if err != nil {
			continue // an optional image the organizer has not uploaded
		}
		if ct := http.DetectContentType(b); ct != "image/png" && ct != "image/jpeg" {
			return nil, skillscore.Errorf(skillscore.EInvalid, "证书素材 %s 应为 PNG 或 JPEG 图片", name)
		}
		out.assets[name] = b
	}
	return &out, nil
}

// AssetNames lists the image files the layouts can print, sorted.
func (r *Renderer) AssetNames() []string {
	seen := map[string]bool{}
	var names []string
	for _, l := range r.layouts {
		for _, e := range l.Elements {
			if e.Kind == "image" && !seen[e.File] {
				seen[e.File] = true
				names = append(names, e.File)
			}
		}
	}
	sort.Strings(names)
	return names
}

// runesOf is every character a document's page can show: its layout's
// text, its fields and the brand mark.
func (r *Renderer) runesOf(d Document) map[rune]bool {
	out := map[rune]bool{}
	add := func(s string) {
		for _, c := range s {
			out[c] = true
		}
	}
	if l, ok := r.layouts[d.Facts.Kind]; ok {
		add(l.texts())
	}
	for _, v := range d.fields() {
		add(v)
	}
	add(brandName + brandLatin)
	return out
}

// ForBatch returns a renderer whose fonts hold only the characters the
// documents and layouts use (see Fonts.Subset).
func (r *Renderer) ForBatch(docs []Document) (*Renderer, error) {
	fonts, err := r.fonts.Subset(textOf(r.layouts, docs) + brandName + brandLatin)
	if err != nil {
		return nil, err
	}
	return &Renderer{fonts: fonts, layouts: r.layouts, assets: r.assets, pngs: r.pngs, qr: r.qr}, nil
}

// newPDF starts a document with the fonts added.
func (r *Renderer) newPDF(orientation string, date time.Time) *gofpdf.Fpdf {
	p := gofpdf.New(orientation, "mm", "A4", "")
	p.SetAutoPageBreak(false, 0)
	p.SetMargins(0, 0, 0)
	// A fixed date and sorted catalogue make the same certificate the same
	// bytes on every run.
	p.SetCreationDate(date)
	p.SetCatalogSort(true)
	p.SetCreator("skillscore", false)
	p.AddUTF8FontFromBytes("song", "", r.fonts.Song)
	p.AddUTF8FontFromBytes("kai", "", r.fonts.Kai)
	return p
}

func docDate(d Document) time.Time {
	t, err := time.Parse("2006-01-02", d.Facts.Date)
	if err != nil {
		return time.Unix(0, 0).UTC()
	}
	return t
}

// Single renders one certificate as its own PDF.
func (r *Renderer) Single(d Document) ([]byte, error) {
	l, err := r.layout(d)
	if err != nil {
		return nil, err
	}
	qr, err := r.qrPNG(d)
	if err != nil {
		return nil, err
	}
	p := r.newPDF(l.Orientation, docDate(d))
	if err := r.page(p, l, d, qr); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := p.Output(&buf); err != nil {
		return nil, fmt.Errorf("render %s: %w", d.Facts.Number, err)
	}
	return buf.Bytes(), nil
}

// Combined renders all certificates as the pages of one printable PDF,
// calling progress after each page.
func (r *Renderer) Combined(w io.Writer, docs []Document, progress func(done int)) error {
	if len(docs) == 0 {
		return skillscore.Errorf(skillscore.EInvalid, "没有可打印的证书")
	}
	first, err := r.layout(docs[0])
	if err != nil {
		return err
	}
	p := r.newPDF(first.Orientation, docDate(docs[0]))
	// gofpdf compresses each page with a compressor of its own, whose set-up
	// costs more than the page; a print file can afford a few kilobytes of
	// plain drawing operators per page instead (fonts stay compressed).
	p.SetCompression(false)
	// The QR codes are most of the work of a page: encode them on every
	// CPU ahead of the one goroutine that assembles the document.
	err = inOrder(context.Background(), len(docs),
		func(i int) ([]byte, error) { return r.qrPNG(docs[i]) },
		func(i int, png []byte) error {
			l, err := r.layout(docs[i])
			if err != nil {
				return err
			}
			if err := r.page(p, l, docs[i], png); err != nil {
				return err
			}
			if progress != nil {
				progress(i + 1)
			}
			return nil
		})
	if err != nil {
		return err
	}
	if err := p.Output(w); err != nil {
		return fmt.Errorf("render combined PDF: %w", err)
	}
	return nil
}

func (r *Renderer) layout(d Document) (*Layout, error) {
	l, ok := r.layouts[d.Facts.Kind]
	if !ok {
		return nil, skillscore.Errorf(skillscore.EInvalid, "没有 %q 证书的版式", d.Facts.Kind)
	}
	return l, nil
}

// page adds one certificate page to p; qr is the QR code as PNG.
func (r *Renderer) page(p *gofpdf.Fpdf, l *Layout, d Document, qr []byte) error {
	p.AddPageFormat(l.Orientation, gofpdf.SizeType{Wd: 210, Ht: 297})
	fields := d.fields()
	fields["salutation"] = l.salutationFor(d.Facts.Group)
	for _, e := range l.Elements {
		if e.If != "" && fields[e.If] == "" {
			continue
		}
		setColors(p, e)
		switch e.Kind {
		case "text":
			text := expand(e.Text, fields)
			size := e.Size
			p.SetFont(e.Font, "", size)
			// Shrink a value that would overflow its box (a long 单位
			// name) rather than run into the next element.
			if wd := p.GetStringWidth(text); wd > e.W {
				size = size * e.W / wd
				p.SetFont(e.Font, "", size)
			}
			p.SetXY(e.X, e.Y)
			p.CellFormat(e.W, size*ptToMM*1.25, text, "", 0, align(e.Align), false, 0, "")
		case "wrap":
			p.SetFont(e.Font, "", e.Size)
			for i, line := range wrapText(p, expand(e.Text, fields), e.W) {
				p.SetXY(e.X, e.Y+float64(i)*e.Leading)
				p.CellFormat(e.W, e.Leading, line, "", 0, align(e.Align), false, 0, "")
			}
		case "rect":
			p.SetLineWidth(lineWidth(e))
			style := "D"
			if e.Fill != "" {
				style = "FD"
			}
			p.Rect(e.X, e.Y, e.W, e.H, style)
		case "line":
			p.SetLineWidth(lineWidth(e))
			p.Line(e.X, e.Y, e.X2, e.Y2)
		case "qr":
			name := "qr-" + d.Facts.Number
			opts := gofpdf.ImageOptions{ImageType: "PNG"}
			p.RegisterImageOptionsReader(name, opts, bytes.NewReader(qr))
			p.ImageOptions(name, e.X, e.Y, e.Size, e.Size, false, opts, 0, "")
		case "brand":
			brand(p, e.X, e.Y, e.Size)
		case "photo":
			if err := drawPhoto(p, d, e); err != nil {
				return err
			}
		case "image":
			if b, ok := r.assets[e.File]; ok {
				opts := gofpdf.ImageOptions{ImageType: imageType(b)}
				p.RegisterImageOptionsReader(e.File, opts, bytes.NewReader(b))
				p.ImageOptions(e.File, e.X, e.Y, e.W, e.H, false, opts, 0, "")
			}
		}
	}
	if err := p.Error(); err != nil {
		return fmt.Errorf("render %s: %w", d.Facts.Number, err)
	}
	return nil
}

const ptToMM = 25.4 / 72

func align(a string) string {
	if a == "" {
		return "L"
	}
	return a + "M"
}

func lineWidth(e Element) float64 {
	if e.Line > 0 {
		return e.Line
	}
	return 0.3
}

func setColors(p *gofpdf.Fpdf, e Element) {
	r, g, b, ok := parseColor(e.Color)
	if !ok {
		r, g, b = 0x1a, 0x1a, 0x1a
	}
	p.SetTextColor(r, g, b)
	p.SetDrawColor(r, g, b)
	if fr, fg, fb, ok := parseColor(e.Fill); ok {
		p.SetFillColor(fr, fg, fb)
	}
}

func imageType(b []byte) string {
	if http.DetectContentType(b) == "image/png" {
		return "PNG"
	}
	return "JPG"
}

// wrapText breaks text into lines no wider than w, at any character (Chinese
// has no spaces) and at newlines, never losing a character: gofpdf's own
// MultiCell and SplitText drop one CJK character at each automatic break.
// A closing punctuation mark is kept on the line before rather than
// starting a new one (禁则).
func wrapText(p *gofpdf.Fpdf, text string, w float64) []string {
	var lines []string
	for _, para := range strings.Split(text, "\n") {
		var line []rune
		width := 0.0
		for _, r := range para {
			cw := p.GetStringWidth(string(r))
			if len(line) > 0 && width+cw > w && !strings.ContainsRune(closingPunct, r) {
				lines = append(lines, string(line))
				line, width = line[:0], 0
			}
			line = append(line, r)
			width += cw
		}
		lines = append(lines, string(line))
	}
	return lines
}

// WrapText is wrapText for the other printed sheets (draw sheet, judge
// cards), so every PDF of the system breaks CJK lines the same safe way.
func WrapText(p *gofpdf.Fpdf, text string, w float64) []string { return wrapText(p, text, w) }

const closingPunct = "，。、；：？！）》」』”’】,.;:?!)"

// qrPixelsPerModule is how many image pixels a QR module gets: about
// 300 dpi at the printed size. At one pixel per module Poppler (and other
// renderers) smooth any enlargement under 4×, so a 150 dpi render blurred
// the modules into grey and zbarimg read nothing; an image finer than the
// render is averaged down instead, which keeps every module's centre sharp.
// Repeated rows and pixels deflate to a couple of kilobytes.
const qrPixelsPerModule = 8

// qrPNG encodes a document's QR code as a bilevel image: a few kilobytes
// per page, where vector squares would cost thousands of path operators on
// every page of a printed batch.
func (r *Renderer) qrPNG(d Document) ([]byte, error) {
	q, err := r.qr.encode([]byte(d.QRContent()))
	if err != nil {
		return nil, skillscore.Wrap(skillscore.EInvalid, err, fmt.Sprintf("证书 %s 的二维码内容过长", d.Facts.Number))
	}
	var buf bytes.Buffer
	if err := q.writePNG(&buf, qrPixelsPerModule, r.pngs); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func drawPhoto(p *gofpdf.Fpdf, d Document, e Element) error {
	p.SetLineWidth(lineWidth(e))
	if len(d.Photo) == 0 {
		// An empty frame says what goes in it, so the paper reads as a
		// photo to paste, not as a box left over.
		p.Rect(e.X, e.Y, e.W, e.H, "D")
		label := e.Text
		if label == "" {
			label = defaultPhotoLabel
		}
		font, size := e.Font, e.Size
		if font == "" {
			font = "song"
		}
		if size <= 0 {
			size = 12
		}
		p.SetFont(font, "", size)
		p.SetXY(e.X, e.Y)
		p.CellFormat(e.W, e.H, label, "", 0, "CM", false, 0, "")
		return nil
	}
	ct := http.DetectContentType(d.Photo)
	if ct != "image/png" && ct != "image/jpeg" {
		return skillscore.Errorf(skillscore.EInvalid, "%s 的照片应为 JPEG 或 PNG", d.Facts.Name)
	}
	name := "photo-" + d.Facts.Number
	opts := gofpdf.ImageOptions{ImageType: imageType(d.Photo)}
	info := p.RegisterImageOptionsReader(name, opts, bytes.NewReader(d.Photo))
	if info == nil || p.Err() {
		return skillscore.Wrap(skillscore.EInvalid, p.Error(), fmt.Sprintf("%s 的照片无法读取", d.Facts.Name))
	}
	// Fit inside the frame, keeping the photo's proportions.
	w, h := e.W, e.W*info.Height()/info.Width()
	if h > e.H {
		w, h = e.H*info.Width()/info.Height(), e.H
	}
	p.ImageOptions(name, e.X+(e.W-w)/2, e.Y+(e.H-h)/2, w, h, false, opts, 0, "")
	return nil
}
