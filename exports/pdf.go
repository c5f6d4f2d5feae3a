package exports

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/jung-kurt/gofpdf"

	"skillscore/certificates"
	"skillscore/results"
	"skillscore/scoring"
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
	// A 说明 longer than its cell's one line moves to the annex after the
	// table; the cell keeps the note's number.
	pdfNote      = "注%d"
	pdfAnnex     = "附：说明（表中“注”所指）"
	pdfNoteEntry = "注%d　%s%s：%s"
	pdfDigits    = "0123456789"
	pdfDate      = "日期：____年__月__日    第 %d 页 / 共 {nb} 页"
	// Who signs every page: the judges, the chief judge, the supervisor.
	pdfSigners = "裁判员 裁判长 监督员"
)

// PDF renders the results table on A4 landscape with signature lines for
// the judges, the chief judge and the supervisor on every page. Scores are
// printed to the decimals their rule's rounding states (79.00 beside
// 90.79, not 79). A 说明 that would not fit its cell's one line is moved to
// an annex after the table, the cell keeping the note's number (注3), so a
// page holds some twenty rows to sign rather than a few tall ones. Cells
// are wrapped by certificates.WrapText; a row taller than the room left on
// a page continues on the next one.
func (t *Table) PDF(fonts certificates.Fonts) ([]byte, error) {
	rows := t.pdfRows()
	text := t.Event.Name
	for _, h := range t.Header {
		text += h
	}
	for _, r := range rows {
		for _, c := range r {
			text += c
		}
	}
	fonts, err := fonts.Subset(text + pdfTitle + pdfUnpublished + pdfSignLabel + pdfContinued + pdfDate + pdfSigners +
		pdfNote + pdfAnnex + pdfNoteEntry + pdfDigits)
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
	title := func() {
		p.AddPage()
		p.SetFont("kai", "", 14)
		p.Text(margin, margin+5, t.Event.Name+" "+pdfTitle)
		if !t.Published {
			p.SetFont("song", "", 8)
			p.Text(margin+180, margin+5, pdfUnpublished)
		}
	}
	header := func() {
		title()
		p.SetFont("kai", "", bodySize+0.5)
		p.SetXY(margin, margin+9)
		t.drawRow(p, widths, t.Header)
		p.SetFont("song", "", bodySize)
	}
	header()
	bottom := pageH - margin - footerH
	// Long reasons become numbered notes (measured in the body font).
	reasons := len(t.Header) - 1
	var notes []string
	for i, row := range rows {
		if reasons < len(row) && len(certificates.WrapText(p, row[reasons], widths[reasons]-1.5)) > 1 {
			name := ""
			if row[ColName] != "" {
				name = " " + row[ColName]
			}
			notes = append(notes, fmt.Sprintf(pdfNoteEntry, len(notes)+1, row[ColCode], name, row[reasons]))
			rows[i][reasons] = fmt.Sprintf(pdfNote, len(notes))
		}
	}
	for _, row := range rows {
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
	if len(notes) > 0 {
		t.drawAnnex(p, notes, bottom, title)
	}
	var buf bytes.Buffer
	if err := p.Output(&buf); err != nil {
		return nil, fmt.Errorf("results pdf: %w", err)
	}
	return buf.Bytes(), nil
}

// drawAnnex prints the notes after the table, across the page's width,
// continuing on new pages (each with its signature lines) as needed.
func (t *Table) drawAnnex(p *gofpdf.Fpdf, notes []string, bottom float64, title func()) {
	heading := func(cont bool) {
		p.SetFont("kai", "", 10)
		h := pdfAnnex
		if cont {
			h += pdfContinued
		}
		p.Text(margin, p.GetY()+4.5, h)
		p.SetY(p.GetY() + 7)
		p.SetFont("song", "", bodySize)
	}
	w := pageW - 2*margin
	if bottom-p.GetY() < 7+2*lineH {
		title()
		p.SetY(margin + 9)
	} else {
		p.SetY(p.GetY() + 3)
	}
	heading(false)
	for _, n := range notes {
		lines := certificates.WrapText(p, n, w-6)
		for i, line := range lines {
			if p.GetY()+lineH > bottom {
				title()
				p.SetY(margin + 9)
				heading(true)
			}
			x := margin
			if i > 0 {
				x += 6 // continuation lines indented under the note's text
			}
			p.Text(x, p.GetY()+lineH-0.5, line)
			p.SetY(p.GetY() + lineH)
		}
		p.SetY(p.GetY() + 0.8)
	}
}

// pdfRows are the table's rows with every score printed to the decimals
// its rule states: a module's score to its rounding, else to its panel's
// (else the total's), raised to what any score of the column needs so no
// digit is lost; the total to the total's rounding.
func (t *Table) pdfRows() [][]string {
	rows := make([][]string, len(t.Rows))
	for i, r := range t.Rows {
		rows[i] = append([]string(nil), r...)
	}
	if t.Rules == nil || len(t.Results) != len(rows) {
		return rows
	}
	total := -1
	if t.Rules.Total.Rounding != nil {
		total = t.Rules.Total.Rounding.Places
	}
	mods := t.Rules.Modules
	places := make([]int, len(mods))
	for j, m := range mods {
		switch {
		case m.Rounding != nil:
			places[j] = m.Rounding.Places
			continue
		case m.Panel != nil && m.Panel.Rounding != nil:
			places[j] = m.Panel.Rounding.Places
		default:
			// No rounding stated for the module (an imported theory
			// score): the total's decimals, so the row reads alike.
			places[j] = max(total, 0)
		}
		for _, c := range t.Results {
			if j < len(c.Modules) {
				places[j] = max(places[j], decimalsOf(c.Modules[j].Score))
			}
		}
	}
	for i, c := range t.Results {
		row := rows[i]
		if len(c.Modules) != len(mods) || len(row) != len(t.Header) {
			continue
		}
		for j, m := range c.Modules {
			if row[colModules+j] != "" && !results.ModuleAbsent(m) {
				row[colModules+j] = m.Score.Format(places[j])
			}
		}
		if at := colModules + len(mods); total >= 0 && row[at] != "" && !results.NoScore(c) {
			row[at] = c.Total.Format(total)
		}
		// The award column is narrow: the status's reason is in 说明.
		if at := colModules + len(mods) + 1; c.AwardName == "" && len(row) > at {
			row[at] = c.StatusName
		}
	}
	return rows
}

// decimalsOf is how many decimals d needs to be printed exactly.
func decimalsOf(d scoring.Decimal) int {
	frac := int64(d) % scoring.DecimalScale
	if frac < 0 {
		frac = -frac
	}
	n := 4
	for n > 0 && frac%10 == 0 && frac != 0 {
		frac /= 10
		n--
	}
	if frac == 0 {
		return 0
	}
	return n
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
