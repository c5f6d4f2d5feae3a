package sheets

import (
	"fmt"
	"io"
	"strings"
	"time"

	"skillscore"
	"skillscore/certificates"
)

// SignedTable is a printed list that people sign: an assessment batch's
// 成绩汇总表 (vouched for by the signers at the foot of every page) and its
// 证书发放登记表 (a column where each holder signs on receipt). It is laid
// out on A4 landscape by the same table printer as the 检录表.
type SignedTable struct {
	Title   string   // the heading of every page
	Lines   []string // under the heading: batch, occupation, body …
	Columns []Column
	Rows    [][]string // one cell per column
	// Signers sign at the foot of every page ("考评组长", "督导员"); the
	// date line follows them.
	Signers []string
	Footer  string // small print before the page number
	Printed time.Time
}

// Column is one column of a SignedTable: its title and its width, in
// parts of the page's width (the columns share the page in proportion).
type Column struct {
	Title string
	Width float64
}

// Page geometry of a SignedTable, in mm: A4 landscape.
const (
	stLeft, stTop = 12.0, 12.0
	stWidth       = 297.0 - 2*stLeft
	stBottom      = 210.0 - 30 // the signature lines and the page number below
	stLine        = 6.0
)

// WriteSignedTable prints t to w.
func WriteSignedTable(w io.Writer, fonts certificates.Fonts, t SignedTable) error {
	var text strings.Builder
	text.WriteString("（签字）：日期：＿年月日打印于第页共·" + t.Title + t.Footer + strings.Join(t.Lines, "") + strings.Join(t.Signers, ""))
	for _, c := range t.Columns {
		text.WriteString(c.Title)
	}
	for _, r := range t.Rows {
		text.WriteString(strings.Join(r, ""))
	}
	p, err := newPDF(fonts, text.String(), "L", t.Printed)
	if err != nil {
		return err
	}
	p.AliasNbPages("{nb}")
	p.SetFooterFunc(func() {
		p.SetFont("kai", "", 11)
		y := 210.0 - 24
		x := stLeft
		for _, who := range t.Signers {
			p.Text(x, y, who+"（签字）：")
			x += p.GetStringWidth(who+"（签字）：") + 1
			p.Line(x, y+1, x+42, y+1)
			x += 50
		}
		date := "日期：＿＿＿＿年＿＿月＿＿日"
		if x+p.GetStringWidth(date) > stLeft+stWidth {
			x, y = stLeft, y+8 // many signers: the date goes under them
		}
		p.Text(x, y, date)
		p.SetFont("song", "", 8)
		p.Text(stLeft, 210-9, fmt.Sprintf("%s · 打印于 %s · 第 %d 页 / 共 {nb} 页", t.Footer, t.Printed.In(skillscore.China()).Format("2006-01-02 15:04"), p.PageNo()))
	})
	total := 0.0
	for _, c := range t.Columns {
		total += c.Width
	}
	cols := make([]column, len(t.Columns))
	for i, c := range t.Columns {
		cols[i] = column{c.Title, c.Width / total * stWidth}
	}
	rows := make([][]string, len(t.Rows))
	for i, r := range t.Rows {
		rows[i] = make([]string, len(cols))
		copy(rows[i], r)
	}
	table(p, cols, rows, stLeft, stBottom, stLine, 10.5, func() float64 {
		p.SetFont("kai", "", 16)
		p.Text(stLeft, stTop+6, t.Title)
		p.SetFont("song", "", 10)
		y := stTop + 10
		for _, l := range t.Lines {
			y += cell(p, stLeft, y, stWidth, 5, l)
		}
		return y + 2
	})
	if err := p.Error(); err != nil {
		return fmt.Errorf("%s: %w", t.Title, err)
	}
	return p.Output(w)
}
