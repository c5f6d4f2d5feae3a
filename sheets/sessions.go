package sheets

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/jung-kurt/gofpdf"

	"skillscore"
	"skillscore/certificates"
	"skillscore/sessions"
	"skillscore/store"
)

// column is one column of a printed table: its title and width in mm.
type column struct {
	title string
	w     float64
}

// table prints rows under a repeated header, a new page when one is full;
// head draws the page's title block and returns where the table starts.
// The body is set in song at size pt, lh apart. A row is as tall as its
// longest cell's wrapped lines plus 1.5 mm above and below (a one-line row
// leaves room for a signature), so a long cell grows its row instead of
// spilling over the rule below. It returns where the table ends on its
// last page.
func table(p *gofpdf.Fpdf, cols []column, rows [][]string, left, bottom, lh, size float64, head func() float64) float64 {
	const pad = 1.5
	var y float64
	header := func() {
		p.AddPage()
		y = head()
		p.SetFont("kai", "", 11)
		x := left
		for _, c := range cols {
			p.Rect(x, y, c.w, lh+1, "D")
			cell(p, x, y, c.w, lh+1, c.title)
			x += c.w
		}
		y += lh + 1
		p.SetFont("song", "", size)
	}
	header()
	for _, r := range rows {
		lines := 1
		for i, c := range cols {
			lines = max(lines, len(certificates.WrapText(p, r[i], c.w-2)))
		}
		h := lh*float64(lines) + 2*pad
		if y+h > bottom {
			header()
		}
		x := left
		for i, c := range cols {
			p.Rect(x, y, c.w, h, "D")
			cell(p, x, y+pad, c.w, lh, r[i])
			x += c.w
		}
		y += h
	}
	return y
}

func sessionLine(s store.SessionState) string {
	line := fmt.Sprintf("场次 %s %s　%s %s–%s", s.Code, s.Name, s.Day, s.Starts, s.Ends)
	if s.Venue != "" {
		line += "　赛场：" + s.Venue
	}
	if s.Module != "" {
		line += "　模块：" + s.Module
	}
	return line
}

// WriteCheckinSheet prints a session's 检录表: each contestant with their
// 参赛证号, 赛位号, the 检录 time and result so far, and a column to sign.
func WriteCheckinSheet(w io.Writer, fonts certificates.Fonts, eventName string, s store.SessionState, printed time.Time) error {
	var text strings.Builder
	text.WriteString("检录表顺序参赛证号姓名单位赛位号检录时间结果签名检录员裁判长签字日期打印于第页场次赛场模块：　–")
	text.WriteString(eventName + sessionLine(s))
	for _, o := range sessions.OutcomeNames {
		text.WriteString(o)
	}
	rows := make([][]string, len(s.Rows))
	for i, r := range s.Rows {
		at := ""
		if r.At.Valid() {
			at = r.At.In(skillscore.China()).Format("15:04")
		}
		result := ""
		if r.Outcome != "" {
			result = sessions.OutcomeNames[r.Outcome]
		}
		rows[i] = []string{fmt.Sprint(r.Order), r.EntryNo, r.Name, r.Organization, r.Station, at, result, ""}
		text.WriteString(strings.Join(rows[i], ""))
	}
	p, err := newPDF(fonts, text.String(), "P", printed)
	if err != nil {
		return err
	}
	const left, top, bottom, lh = 12.0, 15.0, 262.0, 6.0
	p.SetFooterFunc(func() {
		p.SetFont("song", "", 10)
		p.Text(left, 274, "检录员（签字）：＿＿＿＿＿＿　　裁判长（签字）：＿＿＿＿＿＿　　日期：＿＿＿＿")
		p.SetFont("song", "", 8)
		p.Text(left, 290, fmt.Sprintf("%s · 场次 %s 检录表 · 打印于 %s · 第 %d 页", eventName, s.Code, printed.In(skillscore.China()).Format("2006-01-02 15:04"), p.PageNo()))
	})
	cols := []column{{"顺序", 11}, {"参赛证号", 20}, {"姓名", 24}, {"单位", 50}, {"赛位号", 15}, {"检录时间", 18}, {"结果", 18}, {"签名", 30}}
	table(p, cols, rows, left, bottom, lh, 10.5, func() float64 {
		p.SetFont("kai", "", 16)
		p.Text(left, top+6, eventName+" 检录表")
		p.SetFont("song", "", 10)
		return top + 10 + cell(p, left, top+10, 186, 5, sessionLine(s)) + 2
	})
	if err := p.Error(); err != nil {
		return fmt.Errorf("check-in sheet: %w", err)
	}
	return p.Output(w)
}

// WriteTimetable prints the session timetable for judges: every session by
// day, time and venue with its stations and head count. It names nobody:
// judges score by anonymous code.
func WriteTimetable(w io.Writer, fonts certificates.Fonts, eventName string, ss []store.SessionState, printed time.Time) error {
	var text strings.Builder
	text.WriteString("场次时间表（裁判用）日期时间赛场场次名称模块赛位人数打印于第页共–")
	text.WriteString(eventName)
	// By day, then start, then venue: what a judge reads down the page.
	ss = slices.Clone(ss)
	slices.SortStableFunc(ss, func(a, b store.SessionState) int {
		return cmp.Or(strings.Compare(a.Day, b.Day), strings.Compare(a.Starts, b.Starts), strings.Compare(a.Venue, b.Venue))
	})
	rows := make([][]string, len(ss))
	for i, s := range ss {
		rows[i] = []string{s.Day, s.Starts + "–" + s.Ends, s.Venue, s.Code, s.Name, s.Module, strings.Join(s.Stations, "、"), fmt.Sprint(len(s.Rows))}
		text.WriteString(strings.Join(rows[i], ""))
	}
	p, err := newPDF(fonts, text.String(), "L", printed)
	if err != nil {
		return err
	}
	const left, top, bottom, lh = 12.0, 12.0, 190.0, 6.0
	p.SetFooterFunc(func() {
		p.SetFont("song", "", 8)
		p.Text(left, 203, fmt.Sprintf("%s · 场次时间表 · 打印于 %s · 第 %d 页", eventName, printed.In(skillscore.China()).Format("2006-01-02 15:04"), p.PageNo()))
	})
	cols := []column{{"日期", 26}, {"时间", 28}, {"赛场", 40}, {"场次", 18}, {"名称", 50}, {"模块", 18}, {"赛位", 77}, {"人数", 16}}
	table(p, cols, rows, left, bottom, lh, 10.5, func() float64 {
		p.SetFont("kai", "", 16)
		p.Text(left, top+6, eventName+" 场次时间表（裁判用）")
		return top + 11
	})
	if err := p.Error(); err != nil {
		return fmt.Errorf("timetable: %w", err)
	}
	return p.Output(w)
}

// EntryCard is one contestant's 参赛证: who, their number, where and when
// to report, and the signed token its QR code carries. No 证件号码.
type EntryCard struct {
	Name         string
	EntryNo      string
	Organization string
	Sessions     []string // "05-20 08:30–10:00 一号赛场 S01 赛位 03"
	Token        string
}

// WriteEntryCards renders the 参赛证, six to an A4 page, with cutting borders.
func WriteEntryCards(w io.Writer, fonts certificates.Fonts, eventName string, cards []EntryCard, printed time.Time) error {
	var text strings.Builder
	text.WriteString("参赛证号检录时请出示本证和身份证件场次未安排打印于第页")
	text.WriteString(eventName)
	for _, c := range cards {
		text.WriteString(c.Name + c.EntryNo + c.Organization + strings.Join(c.Sessions, ""))
	}
	p, err := newPDF(fonts, text.String(), "P", printed)
	if err != nil {
		return err
	}
	p.SetFooterFunc(func() {
		p.SetFont("song", "", 8)
		p.Text(10, 292, fmt.Sprintf("%s · 参赛证 · 打印于 %s · 第 %d 页", eventName, printed.In(skillscore.China()).Format("2006-01-02 15:04"), p.PageNo()))
	})
	if err := layCards(p, len(cards), func(x, y float64, i int) error { return drawEntryCard(p, x, y, eventName, cards[i], i) }); err != nil {
		return fmt.Errorf("entry cards: %w", err)
	}
	return p.Output(w)
}

func drawEntryCard(p *gofpdf.Fpdf, x, y float64, eventName string, c EntryCard, i int) error {
	const pad, qr = cardPad, 36.0
	ly := cardHead(p, x, y, "参赛证", 18, 6, eventName)
	qy := ly + 3
	if err := cardQR(p, fmt.Sprintf("eqr%d", i), []byte(c.Token), x+cardW-pad-qr, qy, qr); err != nil {
		return fmt.Errorf("QR code of %s: %w", c.EntryNo, err)
	}
	tw := cardW - 2*pad - qr - 3
	ty := qy + 7
	p.SetFont("kai", "", 20)
	p.Text(x+pad, ty, c.Name)
	ty += 8
	p.SetFont("song", "", 11)
	p.Text(x+pad, ty, "参赛证号 "+c.EntryNo)
	ty += 5
	p.SetFont("song", "", 9)
	for _, l := range certificates.WrapText(p, c.Organization, tw) {
		ty += 4.2
		p.Text(x+pad, ty, l)
	}
	sy := qy + qr + 5
	lines := c.Sessions
	if len(lines) == 0 {
		lines = []string{"场次未安排"}
	}
	for _, s := range lines {
		for _, l := range certificates.WrapText(p, s, cardW-2*pad) {
			p.Text(x+pad, sy, l)
			sy += 4.2
		}
	}
	p.SetFont("song", "", 8)
	p.Text(x+pad, y+cardH-4, "检录时请出示本证和身份证件")
	return nil
}

// EntryCardsFor builds every contestant's card from the schedule; sign
// gives each contestant's QR token.
func EntryCardsFor(people []sessions.Person, ss []store.SessionState, sign func(contestantID int64) (string, error)) ([]EntryCard, error) {
	where := map[int64][]string{}
	for _, s := range ss {
		for _, r := range s.Rows {
			line := fmt.Sprintf("%s %s–%s %s 场次 %s", s.Day[5:], s.Starts, s.Ends, s.Venue, s.Code)
			if r.Station != "" {
				line += " 赛位 " + r.Station
			}
			where[r.ContestantID] = append(where[r.ContestantID], strings.Join(strings.Fields(line), " "))
		}
	}
	out := make([]EntryCard, 0, len(people))
	for _, p := range people {
		tok, err := sign(p.ContestantID)
		if err != nil {
			return nil, err
		}
		out = append(out, EntryCard{Name: p.Name, EntryNo: p.EntryNo, Organization: p.Organization, Sessions: where[p.ContestantID], Token: tok})
	}
	return out, nil
}
