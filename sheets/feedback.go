package sheets

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jung-kurt/gofpdf"

	"skillscore"
	"skillscore/certificates"
	"skillscore/feedback"
)

// The feedback papers (issue 16): a contestant's own 成绩单 of a
// competition or assessment, per module and aspect with the reasons, and a
// judge's self-review report (评分自评报告) with signature lines for the
// judge and the chief judge. A4 portrait, in the transcript's boxed rows.

// fbBottom is where a page's rows end: the footer sits below.
const fbBottom = 297.0 - 22

// fbNote says what a judge's report's figures are.
const fbNote = "本人评分、组平均和偏差为原始评分（评价项 0–3）；偏差 = 本人评分减去裁判组全部评分的平均，负数表示比裁判组严；裁判组得分为该评分项折算后计入模块的分数；本人折合为只按本人评分算出的模块成绩。"

// fbFixed are the papers' own words: the font subset must hold them.
const fbFixed = "成绩单赛事职业姓名加密号组别单位队伍模块成绩满分计入总分评分项类型裁判组结果说明总分名次奖项晋升称号状态结论" +
	"各裁判评分本表由选手本人查询生成，以公示为准最终打印于第页·评分自评报告裁判员选手本人评分组平均偏差备注去掉" +
	"折合模块汇总：与裁判组平均的个主观偏严偏宽波动大尚未锁定的（签字）：日期＿年月日（）精确值续"

// boxRow draws a row of boxed cells like infoRow, starting a new page (and
// calling head on it) when the row would cross the bottom margin; font is
// the family the row is set in, set again after head.
func boxRow(p *gofpdf.Fpdf, font string, y float64, widths []float64, texts []string, head func() float64) float64 {
	pt, size := p.GetFontSize()
	lh := size * 1.35
	h := trLine
	for i, w := range widths {
		h = max(h, lh*float64(len(certificates.WrapText(p, texts[i], w-2)))+2.5)
	}
	if y+h > fbBottom {
		p.AddPage()
		y = head()
		p.SetFont(font, "", pt)
	}
	return infoRow(p, y, widths, texts)
}

// WriteScoreTranscript prints a contestant's 成绩单.
func WriteScoreTranscript(w io.Writer, fonts certificates.Fonts, t feedback.Transcript, printed time.Time) error {
	var text strings.Builder
	text.WriteString(fbFixed + t.EventName + t.Occupation + t.Name + t.Code + t.Group + t.Org + t.Team + t.Total + t.TotalExact +
		t.Award + t.Promotion + t.Status + strings.Join(t.Titles, "") + strings.Join(t.Verdicts, "") + strings.Join(t.Reasons, "") + t.RankText())
	for _, m := range t.Modules {
		text.WriteString(m.Name + m.Score + m.Max + m.Contribution + strings.Join(m.Reasons, ""))
		for _, a := range m.Aspects {
			text.WriteString(a.Name + a.Kind + a.Score + strings.Join(a.Marks, "") + strings.Join(a.Reasons, ""))
		}
	}
	p, err := newPDF(fonts, text.String(), "P", printed)
	if err != nil {
		return err
	}
	p.SetFooterFunc(func() {
		p.SetFont("song", "", 8)
		p.Text(trLeft, 287, fmt.Sprintf("%s · %s 成绩单 · 本表由选手本人查询生成，以公示为准 · 打印于 %s · 第 %d 页", t.Name, t.EventName, printed.In(skillscore.China()).Format("2006-01-02 15:04"), p.PageNo()))
	})
	head := func() float64 {
		p.SetFont("kai", "", 12)
		p.Text(trLeft, 20, t.EventName+" 成绩单（续）")
		return 26
	}
	p.AddPage()
	p.SetFont("kai", "", 20)
	title := "成绩单"
	p.Text(trLeft+(trWidth-p.GetStringWidth(title))/2, 28, title)
	p.SetFont("song", "", 11)
	y := 36.0
	const label, value = 27.0, 58.0
	y = infoRow(p, y, []float64{label, trWidth - label}, []string{"赛事", t.EventName})
	y = infoRow(p, y, []float64{label, value, label, value}, []string{"姓名", t.Name, "加密号", t.Code})
	y = infoRow(p, y, []float64{label, value, label, value}, []string{"组别", dash(t.Group), "单位", dash(t.Org)})
	if t.Team != "" {
		y = infoRow(p, y, []float64{label, trWidth - label}, []string{"队伍", t.Team})
	}
	y += 4
	widths := []float64{40, 18, 30, 82}
	for _, m := range t.Modules {
		p.SetFont("kai", "", 12)
		y = boxRow(p, "kai", y, []float64{70, 50, 50}, []string{m.Name, "成绩 " + m.Score + " / 满分 " + m.Max, "计入总分 " + m.Contribution}, head)
		p.SetFont("song", "", 10)
		if len(m.Aspects) > 0 {
			y = boxRow(p, "song", y, widths, []string{"评分项", "类型", "裁判组结果", "说明"}, head)
		}
		for _, a := range m.Aspects {
			note := strings.Join(a.Reasons, "；")
			if len(a.Marks) > 0 {
				note = strings.TrimPrefix(note+"；各裁判评分 "+strings.Join(a.Marks, "、"), "；")
			}
			y = boxRow(p, "song", y, widths, []string{a.Name, a.Kind, a.Score, note}, head)
		}
		if len(m.Reasons) > 0 {
			y = boxRow(p, "song", y, []float64{40, 130}, []string{"说明", strings.Join(m.Reasons, "；")}, head)
		}
		y += 3
	}
	p.SetFont("kai", "", 12)
	total := t.Total
	if t.TotalExact != "" {
		total += "（精确值 " + t.TotalExact + "）"
	}
	y = boxRow(p, "kai", y, []float64{40, 130}, []string{"总分", total}, head)
	p.SetFont("song", "", 11)
	if r := t.RankText(); r != "" {
		y = boxRow(p, "song", y, []float64{40, 130}, []string{"名次", r}, head)
	}
	for _, l := range [][2]string{{"奖项", t.Award}, {"晋升", t.Promotion}, {"称号", strings.Join(t.Titles, "、")},
		{"结论", strings.Join(t.Verdicts, "；")}, {"状态", t.Status}} {
		if l[1] != "" {
			y = boxRow(p, "song", y, []float64{40, 130}, []string{l[0], l[1]}, head)
		}
	}
	if len(t.Reasons) > 0 {
		p.SetFont("song", "", 10)
		boxRow(p, "song", y, []float64{40, 130}, []string{"说明", strings.Join(t.Reasons, "；")}, head)
	}
	if err := p.Error(); err != nil {
		return fmt.Errorf("score transcript: %w", err)
	}
	return p.Output(w)
}

// WriteJudgeReports prints judges' self-review reports, each from a new
// page, with lines for the judge and the chief judge to sign.
func WriteJudgeReports(w io.Writer, fonts certificates.Fonts, reps []feedback.JudgeReport, printed time.Time) error {
	if len(reps) == 0 {
		return fmt.Errorf("judge reports: none to print")
	}
	var text strings.Builder
	text.WriteString(fbFixed + fbNote)
	for _, r := range reps {
		text.WriteString(r.EventName + r.Judge + r.JudgeName + strings.Join(r.Pending, "") + JudgeStatsText(r))
		for _, m := range r.Modules {
			text.WriteString(m.Name)
			for _, row := range m.Rows {
				text.WriteString(row.Contestant + row.Aspect + row.Kind + row.Mine + row.PanelMean + row.Deviation + row.Panel +
					row.SheetScore + row.ModuleScore + row.Flag)
			}
		}
	}
	p, err := newPDF(fonts, text.String(), "P", printed)
	if err != nil {
		return err
	}
	var cur *feedback.JudgeReport
	p.SetFooterFunc(func() {
		p.SetFont("song", "", 8)
		p.Text(trLeft, 287, fmt.Sprintf("%s · 裁判员 %s 评分自评报告 · 打印于 %s · 第 %d 页", cur.EventName, cur.Judge, printed.In(skillscore.China()).Format("2006-01-02 15:04"), p.PageNo()))
	})
	for i := range reps {
		cur = &reps[i]
		drawJudgeReport(p, cur)
	}
	if err := p.Error(); err != nil {
		return fmt.Errorf("judge reports: %w", err)
	}
	return p.Output(w)
}

// JudgeStatsText is the desk's figures for a report's judge, in words.
func JudgeStatsText(r feedback.JudgeReport) string {
	if r.Stats == nil {
		if len(r.Pending) > 0 {
			return "汇总偏差待全部模块锁定后给出（尚未锁定的模块：" + strings.Join(r.Pending, "、") + "）"
		}
		return "没有计入偏差统计的主观评分"
	}
	s := r.Stats
	t := fmt.Sprintf("%d 个主观评分，与裁判组平均的偏差平均 %s，绝对偏差平均 %s，最大 %s", s.Marks, s.MeanSigned, s.MeanAbs, s.MaxAbs)
	for _, f := range s.Flags {
		t += "；" + feedback.FlagNames[f]
	}
	return t
}

func drawJudgeReport(p *gofpdf.Fpdf, r *feedback.JudgeReport) {
	head := func() float64 {
		p.SetFont("kai", "", 12)
		p.Text(trLeft, 20, r.EventName+" · 裁判员 "+r.Judge+" 评分自评报告（续）")
		return 26
	}
	p.AddPage()
	p.SetFont("kai", "", 18)
	title := "裁判员评分自评报告"
	p.Text(trLeft+(trWidth-p.GetStringWidth(title))/2, 28, title)
	p.SetFont("song", "", 11)
	y := 36.0
	y = infoRow(p, y, []float64{27, trWidth - 27}, []string{"赛事", r.EventName})
	y = infoRow(p, y, []float64{27, 58, 27, 58}, []string{"裁判员", r.Judge, "姓名", r.JudgeName})
	y = infoRow(p, y, []float64{27, trWidth - 27}, []string{"汇总", JudgeStatsText(*r)})
	p.SetFont("song", "", 9)
	y += 1 + cell(p, trLeft, y+1, trWidth, 4.5, fbNote)
	y += 3
	widths := []float64{36, 44, 16, 17, 18, 19, 20}
	for _, m := range r.Modules {
		p.SetFont("kai", "", 12)
		y = boxRow(p, "kai", y, []float64{trWidth}, []string{m.Name}, head)
		p.SetFont("song", "", 9.5)
		y = boxRow(p, "song", y, widths, []string{"选手", "评分项", "本人评分", "组平均", "偏差", "裁判组得分", "备注"}, head)
		for _, row := range m.Rows {
			who := ""
			if row.First {
				who = row.Contestant + "（本人折合 " + dash(row.SheetScore) + "，裁判组 " + row.ModuleScore + "）"
			}
			note := row.Flag
			if row.Dropped {
				note = strings.TrimSuffix("去掉；"+note, "；")
			}
			y = boxRow(p, "song", y, widths, []string{who, row.Aspect, row.Mine, dash(row.PanelMean), dash(row.Deviation), row.Panel, note}, head)
		}
		y += 3
	}
	if y+30 > fbBottom {
		p.AddPage()
		y = head()
	}
	y += 12
	p.SetFont("kai", "", 12)
	p.Text(trLeft, y, "裁判员（签字）：")
	p.Line(trLeft+34, y+1, trLeft+78, y+1)
	p.Text(trLeft+90, y, "裁判长（签字）：")
	p.Line(trLeft+124, y+1, trLeft+168, y+1)
	p.Text(trLeft, y+12, "日期：＿＿＿＿年＿＿月＿＿日")
}
