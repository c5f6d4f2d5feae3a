package sheets

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jung-kurt/gofpdf"

	"skillscore"
	"skillscore/certificates"
)

// ScoreSheet is one judge's 评分记录表 for one contestant in one module:
// blank, for judging on paper (the rubric with a box per aspect), or
// filled from a submitted sheet (every mark, what the rubric makes of it,
// the panel's result, when and how it was signed). Either way it carries
// signature lines for the judge and the chief judge, and the contestant
// when the event's paper settings ask. While results are sealed it names
// the contestant by anonymous code only (Name is then "").
type ScoreSheet struct {
	EventName string
	Judge     string // the words: 裁判 | 考评员
	Chief     string // 裁判长 | 考评组长
	Station   string // 赛位 | 座位
	Person    string // 选手 | 考生

	Module    string // "B 生活照护"
	ModuleMax string // "100"
	Code      string // 加密号
	Seat      string // the contestant's 赛位号, "" unknown
	Name      string // the contestant's name once decrypted; "" while sealed
	Session   string // "S01 05-20 08:30–10:00", "" unknown
	JudgeCode string // "" on a blank sheet for any judge of the panel
	JudgeName string

	Lines []SheetLine

	Filled      bool
	Status      string // 已提交 | 已锁定 (filled)
	SheetTotal  string // this sheet alone as the rubric scores it (filled)
	PanelTotal  string // the module score the panel's marks make (filled)
	PanelNote   string // how the panel combines, and whether it is complete
	SubmittedAt string // "2026-04-18 10:32:05" (filled)
	SignedHow   string // the 签名方式 line (filled; SignedHow)
	LockedBy    string // who locked it and when, "" not locked

	// Signers sign at the foot: the judge, the chief judge, and the
	// contestant where the settings say so.
	Signers []string
}

// SheetLine is one aspect of a 评分记录表.
type SheetLine struct {
	Code, Name string
	Kind       string // 评价 / 测量 / 扣分 / 否决
	Max        string // the aspect's marks (a deduction's largest)
	Hint       string // what to write: "0–3 整数", "1 达到 / 0 未达到"
	Mark       string // the judge's entry as the rubric shows it (filled)
	Score      string // marks it earns on this sheet (filled)
	Panel      string // the panel's result for the aspect (filled)
}

// Page geometry of a 评分记录表, in mm: A4 portrait, the same margins as
// the transcript so infoRow's boxes line up.
const (
	ssBottom = 277.0 // the footer below
	ssRowMin = 14.0  // a box to write a mark in by hand
)

// ssFixed are the sheet's own words: the font subset must hold them.
const ssFixed = "评分记录表空白纸质评分用已提交锁定赛项模块满分场次加密号姓名赛位号裁判序号评分项类型分值评分本表得分组结果合计" +
	"提交时间签名方式（签字）：日期＿年月日打印于第页说明请用黑色笔填写修改处须划改并由签字确认本表只记录一位对一名的评分" +
	"未解密前不写由汇总计算人去掉最高最低平均中位数尚未完成份共之一—·，。、；（）0123456789.–×/+-"

// The notes under the table.
const (
	ssFilledNote = "说明：“本表得分”是本表各项评分按评分标准折算的得分；“裁判组结果”是"
	ssBlankNote  = "说明：本表只记录一位%s对一名%s的评分。请用黑色笔填写；修改处须划改并由%s签字确认。未解密前不写姓名。"
)

// WriteScoreSheets prints each sheet on a page of its own (more when its
// rubric is long), one PDF for a whole module. The font subset is made
// once for all of them, so the file grows with the sheets' pages, not
// with a copy of the fonts per sheet.
func WriteScoreSheets(w io.Writer, fonts certificates.Fonts, ss []ScoreSheet, printed time.Time) error {
	var text strings.Builder
	text.WriteString(ssFixed + ssFilledNote + ssBlankNote + "锁定：签名方式：")
	seen := map[string]bool{}
	add := func(parts ...string) {
		for _, s := range parts {
			if !seen[s] {
				seen[s] = true
				text.WriteString(s)
			}
		}
	}
	for _, s := range ss {
		add(s.EventName, s.Judge, s.Chief, s.Station, s.Person, s.Module, s.ModuleMax, s.Code, s.Seat, s.Name, s.Session, s.JudgeCode,
			s.JudgeName, s.Status, s.SheetTotal, s.PanelTotal, s.PanelNote, s.SubmittedAt, s.SignedHow, s.LockedBy)
		add(s.Signers...)
		for _, l := range s.Lines {
			add(l.Code, l.Name, l.Kind, l.Max, l.Hint, l.Mark, l.Score, l.Panel)
		}
	}
	p, err := newPDF(fonts, text.String(), "P", printed)
	if err != nil {
		return err
	}
	var cur *ScoreSheet
	p.SetFooterFunc(func() {
		p.SetFont("song", "", 8)
		p.Text(trLeft, 287, fmt.Sprintf("%s · %s · 加密号 %s · 评分记录表 · 打印于 %s · 第 %d 页",
			cur.EventName, cur.Module, cur.Code, printed.In(skillscore.China()).Format("2006-01-02 15:04"), p.PageNo()))
	})
	for i := range ss {
		// The footer of a page is drawn as the next one starts: the
		// sheet changes only once its first page is added.
		p.AddPage()
		cur = &ss[i]
		drawScoreSheet(p, cur)
		if err := p.Error(); err != nil {
			return fmt.Errorf("评分记录表 %s %s: %w", cur.Module, cur.Code, err)
		}
	}
	if len(ss) == 0 {
		return fmt.Errorf("评分记录表: no sheets")
	}
	return p.Output(w)
}

// ssColumn is one column of the aspect table.
type ssColumn struct {
	title string
	w     float64
	text  func(l SheetLine, i int) string
}

func drawScoreSheet(p *gofpdf.Fpdf, s *ScoreSheet) {
	first := true
	title := func() float64 {
		if !first {
			p.AddPage()
		}
		first = false
		p.SetFont("kai", "", 20)
		t := "评分记录表"
		p.Text(trLeft+(trWidth-p.GetStringWidth(t))/2, 22, t)
		p.SetFont("song", "", 9)
		tag := "空白表（纸质评分用）"
		if s.Filled {
			tag = s.Status
		}
		p.Text(trLeft+trWidth-p.GetStringWidth(tag), 22, tag)
		p.SetFont("song", "", 11)
		y := 26.0
		y += cell(p, trLeft, y, trWidth, 5.5, s.EventName)
		return y + 2
	}
	y := title()
	const label, value = 22.0, 63.0
	p.SetFont("song", "", 11)
	session := s.Session
	if session == "" {
		session = "—"
	}
	y = infoRow(p, y, []float64{label, value, label, value}, []string{"模块", s.Module + "（满分 " + s.ModuleMax + "）", "场次", session})
	y = infoRow(p, y, []float64{label, value, label, value}, []string{"加密号", s.Code, s.Station + "号", dash(s.Seat)})
	if s.Name != "" {
		y = infoRow(p, y, []float64{label, trWidth - label}, []string{"姓名", s.Name})
	}
	judge := strings.TrimSpace(s.JudgeCode + " " + s.JudgeName)
	if s.Filled {
		y = infoRow(p, y, []float64{label, value, label, value}, []string{s.Judge, judge, "提交时间", s.SubmittedAt})
	} else {
		// A blank sheet for any judge of the panel leaves room to write
		// the judge's code and name.
		y = infoRow(p, y, []float64{label, trWidth - label}, []string{s.Judge, judge})
	}
	y += 4

	cols := []ssColumn{
		{"序号", 10, func(_ SheetLine, i int) string { return fmt.Sprint(i + 1) }},
		{"评分项", 0, func(l SheetLine, _ int) string { return strings.TrimSpace(l.Code + " " + l.Name) }},
		{"类型", 30, func(l SheetLine, _ int) string { return l.Kind + "\n" + l.Hint }},
		{"分值", 15, func(l SheetLine, _ int) string { return l.Max }},
	}
	if s.Filled {
		cols = append(cols,
			ssColumn{"评分", 22, func(l SheetLine, _ int) string { return l.Mark }},
			ssColumn{"本表得分", 19, func(l SheetLine, _ int) string { return l.Score }},
			ssColumn{"裁判组结果", 21, func(l SheetLine, _ int) string { return l.Panel }})
	} else {
		cols = append(cols, ssColumn{"评分", 42, func(SheetLine, int) string { return "" }})
	}
	used := 0.0
	for _, c := range cols {
		used += c.w
	}
	cols[1].w = trWidth - used
	const lh = 5.0
	header := func() {
		p.SetFont("kai", "", 10.5)
		x := trLeft
		for _, c := range cols {
			p.Rect(x, y, c.w, 8, "D")
			cell(p, x, y+1.2, c.w, lh, c.title)
			x += c.w
		}
		y += 8
	}
	header()
	rowMin := ssRowMin
	if s.Filled {
		rowMin = 9
	}
	for i, l := range s.Lines {
		p.SetFont("song", "", 10)
		h := rowMin
		texts := make([]string, len(cols))
		for k, c := range cols {
			texts[k] = c.text(l, i)
			n := 0
			for _, part := range strings.Split(texts[k], "\n") {
				n += len(certificates.WrapText(p, part, c.w-2))
			}
			h = max(h, lh*float64(n)+3)
		}
		if y+h > ssBottom-10 {
			y = title() + 2
			header()
			p.SetFont("song", "", 10)
		}
		x := trLeft
		for k, c := range cols {
			p.Rect(x, y, c.w, h, "D")
			ty := y + 1.5
			for j, part := range strings.Split(texts[k], "\n") {
				if j > 0 {
					p.SetFont("song", "", 8.5) // the hint under the kind
				}
				ty += cell(p, x, ty, c.w, lh, part)
			}
			p.SetFont("song", "", 10)
			x += c.w
		}
		y += h
	}
	// The totals: the judge writes the sheet's total on a blank sheet; a
	// filled one prints it and the panel's module score.
	p.SetFont("kai", "", 11)
	totalW := trWidth - cols[len(cols)-1].w
	if s.Filled {
		totalW = trWidth - cols[len(cols)-1].w - cols[len(cols)-2].w
	}
	need := 12.0
	if y+need > ssBottom-10 {
		y = title() + 2
	}
	p.Rect(trLeft, y, totalW, need, "D")
	cell(p, trLeft, y+3.5, totalW, lh, "合计（本表得分）")
	if s.Filled {
		w1, w2 := cols[len(cols)-2].w, cols[len(cols)-1].w
		p.Rect(trLeft+totalW, y, w1, need, "D")
		cell(p, trLeft+totalW, y+3.5, w1, lh, s.SheetTotal)
		p.Rect(trLeft+totalW+w1, y, w2, need, "D")
		cell(p, trLeft+totalW+w1, y+3.5, w2, lh, s.PanelTotal)
	} else {
		p.Rect(trLeft+totalW, y, cols[len(cols)-1].w, need, "D")
	}
	y += need + 3

	// Notes: what the figures are and how the sheet was signed, or, on a
	// blank sheet, how to fill it in.
	p.SetFont("song", "", 9.5)
	var notes []string
	if s.Filled {
		notes = append(notes, "签名方式："+s.SignedHow)
		if s.LockedBy != "" {
			notes = append(notes, "锁定："+s.LockedBy)
		}
		notes = append(notes, ssFilledNote+s.PanelNote)
	} else {
		notes = append(notes, fmt.Sprintf(ssBlankNote, s.Judge, s.Person, s.Judge))
	}
	for _, n := range notes {
		lines := float64(len(certificates.WrapText(p, n, trWidth-2)))
		if y+lines*4.8 > ssBottom-10 {
			y = title() + 2
		}
		y += cell(p, trLeft, y, trWidth, 4.8, n) + 1
	}
	// The signature lines, two to a row, each with its date.
	y += 6
	rows := (len(s.Signers) + 1) / 2
	if y+float64(rows)*16 > ssBottom {
		y = title() + 6
	}
	p.SetFont("kai", "", 12)
	for i, who := range s.Signers {
		x := trLeft + float64(i%2)*(trWidth/2)
		yy := y + float64(i/2)*16 + 6
		lab := who + "（签字）："
		p.Text(x, yy, lab)
		lx := x + p.GetStringWidth(lab) + 1
		p.Line(lx, yy+1, x+trWidth/2-6, yy+1)
		p.SetFont("song", "", 9)
		p.Text(lx, yy+6.5, "日期：＿＿＿＿年＿＿月＿＿日")
		p.SetFont("kai", "", 12)
	}
}

// dash prints an empty field as a dash.
func dash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
