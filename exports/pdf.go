package exports

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/jung-kurt/gofpdf"

	"skillscore/certificates"
)

// Page geometry of the PDF results table, in mm: A4 landscape.
const (
	pageW, pageH = 297.0, 210.0
	margin       = 10.0
	lineH        = 3.6
	bodySize     = 7.5
	footerH      = 22.0 // the signature lines
)

// The PDF's fixed texts: the font subset must hold their characters too.
const (
	pdfTitle       = "成绩汇总表"
	pdfUnpublished = "（未解密：仅显示编号）"
	pdfSignLabel   = "（签字）："
	pdfContinued   = "（续）"
	pdfDate        = "日期：____年__月__日    第 %d 页 / 共 {nb} 页"
	// Who signs every page: the judges, the chief judge, the supervisor.
	pdfSigners = "裁判员 裁判长 监督员"
)

// PDF renders the results table on A4 landscape with signature lines for
// the judges, the chief judge and the supervisor on every page. Cells are
// wrapped by certificates.WrapText; a row taller than the room left on a
// page continues on the next one.
func (t *Table) PDF(fonts certificates.Fonts) ([]byte, error) {
	text := t.Event.Name
	for _, h := range t.Header {
		text += h
	}
	for _, r := range t.Rows {
		for _, c := range r {
			text += c
		}
	}
	fonts, err := fonts.Subset(text + pdfTitle + pdfUnpublished + pdfSignLabel + pdfContinued + pdfDate + pdfSigners)
	if err != nil {
		return nil, err
	}
	p := gofpdf.New("L", "mm", "A4", "")
	p.SetMargins(margin, margin, margin)
	p.SetAutoPageBreak(false, 0)
	p.SetCreator("skillscore", false)
	p.AddUTF8FontFromBytes("song", "", fonts.Song)
	p.AddUTF8FontFromBytes("kai", "", fonts.Kai)
	p.AliasNbPages("{nb}")
	p.SetFooterFunc(func() {
		p.SetFont("kai", "", 11)
		y := pageH - margin - 10
		x := margin
		for _, who := range strings.Fields(pdfSigners) {
			p.Text(x, y, who+pdfSignLabel)
			p.Line(x+28, y+1, x+78, y+1)
			x += 88
		}
		p.SetFont("song", "", 8)
		p.Text(margin, pageH-margin, fmt.Sprintf(pdfDate, p.PageNo()))
	})
	widths := t.columnWidths()
	header := func() {
		p.AddPage()
		p.SetFont("kai", "", 14)
		p.Text(margin, margin+5, t.Event.Name+" "+pdfTitle)
		if !t.Published {
			p.SetFont("song", "", 8)
			p.Text(margin+180, margin+5, pdfUnpublished)
		}
		p.SetFont("kai", "", bodySize+0.5)
		p.SetXY(margin, margin+9)
		t.drawRow(p, widths, t.Header)
		p.SetFont("song", "", bodySize)
	}
	header()
	bottom := pageH - margin - footerH
	for _, row := range t.Rows {
		cells := make([][]string, len(row))
		for i, c := range row {
			cells[i] = certificates.WrapText(p, c, widths[i]-1.5)
		}
		first := true
		for {
			room := int((bottom - p.GetY()) / lineH)
			if room < 2 {
				header()
				continue
			}
			n := 0
			for _, c := range cells {
				n = max(n, len(c))
			}
			take := min(n, room)
			part := make([][]string, len(cells))
			for i, c := range cells {
				k := min(take, len(c))
				part[i], cells[i] = c[:k], c[k:]
			}
			if !first && len(part[ColCode]) == 0 {
				// A continued row names its contestant again.
				part[ColCode] = []string{row[ColCode] + pdfContinued}
			}
			first = false
			t.drawLines(p, widths, part, take)
			if take == n {
				break
			}
			header()
		}
	}
	var buf bytes.Buffer
	if err := p.Output(&buf); err != nil {
		return nil, fmt.Errorf("results pdf: %w", err)
	}
	return buf.Bytes(), nil
}

// columnWidths gives the fixed columns their room and the 说明 column the
// rest, narrowing the module columns when there are many of them.
func (t *Table) columnWidths() []float64 {
	fixed := []float64{16, 12, 16, 18, 30}
	tail := []float64{16, 16, 22}
	mod := 16.0
	avail := pageW - 2*margin
	used := func() float64 {
		s := float64(len(t.Modules)) * mod
		for _, w := range append(append([]float64{}, fixed...), tail...) {
			s += w
		}
		return s
	}
	for avail-used() < 60 && mod > 10 {
		mod--
	}
	w := append([]float64{}, fixed...)
	for range t.Modules {
		w = append(w, mod)
	}
	w = append(w, tail...)
	return append(w, avail-used())
}

func (t *Table) drawRow(p *gofpdf.Fpdf, widths []float64, row []string) {
	cells := make([][]string, len(row))
	n := 0
	for i, c := range row {
		cells[i] = certificates.WrapText(p, c, widths[i]-1.5)
		n = max(n, len(cells[i]))
	}
	t.drawLines(p, widths, cells, n)
}

// drawLines draws one band of a row: n lines tall, each cell's lines in its
// box, and moves below it.
func (t *Table) drawLines(p *gofpdf.Fpdf, widths []float64, cells [][]string, n int) {
	x0, y := p.GetX(), p.GetY()
	h := float64(n)*lineH + 1
	x := x0
	for i, w := range widths {
		p.Rect(x, y, w, h, "D")
		for j, line := range cells[i] {
			p.Text(x+0.75, y+lineH*float64(j+1)-0.5, line)
		}
		x += w
	}
	p.SetXY(x0, y+h)
}
