// Package sheets prints the organizer's working papers as PDF: the sealed
// draw sheet (抽签结果表) and the judges' login cards. It sets them in the
// certificates package's fonts and wraps text with its CJK-safe wrapper.
package sheets

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jung-kurt/gofpdf"

	"skillscore"
	"skillscore/certificates"
	"skillscore/store"
)

// DrawSheet is what the sealed draw sheet shows.
type DrawSheet struct {
	EventName string
	Seeds     []string // "第一次加密 种子 … 抽签人 … 时间 …", one line per layer
	TwoLayers bool
	Rows      []DrawSheetRow
	Printed   time.Time
}

// DrawSheetRow is one contestant's line.
type DrawSheetRow struct {
	Station      string
	Code1        string
	Code2        string
	Name         string
	Organization string
}

// newPDF starts an A4 document with the fonts subset to text.
func newPDF(fonts certificates.Fonts, text string, orientation string, at time.Time) (*gofpdf.Fpdf, error) {
	sub, err := fonts.Subset(text)
	if err != nil {
		return nil, err
	}
	p := gofpdf.New(orientation, "mm", "A4", "")
	p.SetCreationDate(at)
	p.SetCatalogSort(true)
	p.SetCreator("skillscore", false)
	p.AddUTF8FontFromBytes("song", "", sub.Song)
	p.AddUTF8FontFromBytes("kai", "", sub.Kai)
	p.SetAutoPageBreak(false, 0)
	return p, nil
}

// cell writes text wrapped into a box of width w starting at (x, y) and
// returns the height used.
func cell(p *gofpdf.Fpdf, x, y, w, lh float64, text string) float64 {
	lines := certificates.WrapText(p, text, w-2)
	for i, l := range lines {
		p.Text(x+1, y+lh*float64(i+1)-1.2, l)
	}
	return lh * float64(len(lines))
}

// WriteDrawSheet renders the draw sheet to w.
func WriteDrawSheet(w io.Writer, fonts certificates.Fonts, d DrawSheet) error {
	var text strings.Builder
	text.WriteString("抽签结果表（密封）赛位号加密号二次加密号姓名单位抽签人监督员签字日期年月日第页共种子时间打印于")
	fmt.Fprint(&text, d.EventName, strings.Join(d.Seeds, ""))
	for _, r := range d.Rows {
		text.WriteString(r.Name + r.Organization)
	}
	p, err := newPDF(fonts, text.String(), "P", d.Printed)
	if err != nil {
		return err
	}
	cols := []struct {
		title string
		w     float64
	}{{"赛位号", 22}, {"加密号", 25}, {"姓名", 30}, {"单位", 103}}
	if d.TwoLayers {
		cols = []struct {
			title string
			w     float64
		}{{"赛位号", 20}, {"加密号", 22}, {"二次加密号", 26}, {"姓名", 28}, {"单位", 84}}
	}
	const left, top, bottom, lh = 15.0, 15.0, 262.0, 6.0
	p.SetFooterFunc(func() {
		p.SetFont("song", "", 8)
		p.Text(left, 290, fmt.Sprintf("打印于 %s  第 %d 页", d.Printed.In(skillscore.China()).Format("2006-01-02 15:04"), p.PageNo()))
	})
	var y float64
	header := func() {
		p.AddPage()
		p.SetFont("kai", "", 16)
		p.Text(left, top+6, d.EventName+" 抽签结果表（密封）")
		p.SetFont("song", "", 9)
		y = top + 12
		for _, s := range d.Seeds {
			y += cell(p, left, y, 180, 4.5, s)
		}
		y += 2
		p.SetFont("kai", "", 11)
		x := left
		for _, c := range cols {
			p.Rect(x, y, c.w, lh+1, "D")
			cell(p, x, y, c.w, lh+1, c.title)
			x += c.w
		}
		y += lh + 1
		p.SetFont("song", "", 10.5)
	}
	header()
	for _, r := range d.Rows {
		vals := []string{r.Station, r.Code1, r.Name, r.Organization}
		if d.TwoLayers {
			vals = []string{r.Station, r.Code1, r.Code2, r.Name, r.Organization}
		}
		h := lh
		for i, c := range cols {
			h = max(h, lh*float64(len(certificates.WrapText(p, vals[i], c.w-2))))
		}
		if y+h > bottom {
			header()
		}
		x := left
		for i, c := range cols {
			p.Rect(x, y, c.w, h, "D")
			cell(p, x, y, c.w, lh, vals[i])
			x += c.w
		}
		y += h
	}
	// Signature lines: on the last page, below the table.
	if y+28 > 285 {
		header()
	}
	p.SetFont("kai", "", 12)
	y += 14
	p.Text(left, y, "抽签人（签字）：")
	p.Line(left+34, y+1, left+84, y+1)
	p.Text(left+95, y, "监督员（签字）：")
	p.Line(left+129, y+1, left+180, y+1)
	y += 10
	p.Text(left, y, "日期：        年    月    日")
	if err := p.Error(); err != nil {
		return fmt.Errorf("draw sheet: %w", err)
	}
	return p.Output(w)
}

// DrawSheetFor builds the sheet from an event's stored draw.
func DrawSheetFor(ev store.Event, st store.DrawState, printed time.Time) DrawSheet {
	d := DrawSheet{EventName: ev.Name, Printed: printed}
	for _, dr := range st.Draws {
		name := "第一次加密"
		if dr.Layer == 2 {
			name, d.TwoLayers = "二次加密", true
		}
		d.Seeds = append(d.Seeds, fmt.Sprintf("%s 种子 %s（抽签人 %s，时间 %s）", name, dr.Seed, dr.CreatedBy,
			dr.CreatedAt.In(skillscore.China()).Format("2006-01-02 15:04:05")))
	}
	for _, r := range st.Rows {
		row := DrawSheetRow{Code1: r.Code1, Name: r.Name, Organization: r.Organization}
		if r.Station != nil {
			row.Station = *r.Station
		}
		if r.Code2 != nil {
			row.Code2 = *r.Code2
		}
		d.Rows = append(d.Rows, row)
	}
	return d
}
