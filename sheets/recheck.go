package sheets

import (
	"fmt"
	"io"
	"strings"
	"time"

	"skillscore"
	"skillscore/certificates"
)

// RecheckReport is the 成绩复核 report as printed: the draw (seed and
// thresholds, so anyone can re-run it), each checked sheet with its verdict
// and the chief judge's correction, and lines for the 监督 and the 裁判长.
type RecheckReport struct {
	EventName, EventCode string
	Seed                 string
	Rules                string // 前 10 名全部复核，其余抽取 15%（向上取整）……
	Started              string // who started the 复核, when
	Counts               string // 抽样 … 份，标记有误 … 份 …
	Escalation           string // "" when none
	SignedOff            string // "" while not signed off
	Rows                 []RecheckReportRow
}

// RecheckReportRow is one checked sheet.
type RecheckReportRow struct {
	No                     int
	Module, Contestant     string
	Judge, Reason, Verdict string
	Note, Correction       string
}

// WriteRecheckReport prints the 复核 report, A4 landscape.
func WriteRecheckReport(w io.Writer, fonts certificates.Fonts, rep RecheckReport, printed time.Time) error {
	var text strings.Builder
	text.WriteString("成绩复核报告赛事代码随机种子复核规则开始抽样结果全面复核监督签字确认尚未序号模块选手裁判抽取方式核对结果差错说明裁判长更正（签字）：＿日期打印于第页本报告列出全部复核评分表。")
	text.WriteString(rep.EventName + rep.EventCode + rep.Seed + rep.Rules + rep.Started + rep.Counts + rep.Escalation + rep.SignedOff)
	rows := make([][]string, len(rep.Rows))
	for i, r := range rep.Rows {
		rows[i] = []string{fmt.Sprint(r.No), r.Module, r.Contestant, r.Judge, r.Reason, r.Verdict, r.Note, r.Correction}
		text.WriteString(strings.Join(rows[i], ""))
	}
	p, err := newPDF(fonts, text.String(), "L", printed)
	if err != nil {
		return err
	}
	const left, top, width, bottom, lh = 15.0, 12.0, 267.0, 190.0, 5.5
	p.SetFooterFunc(func() {
		p.SetFont("song", "", 8)
		p.Text(left, 203, fmt.Sprintf("%s · 成绩复核报告 · 打印于 %s · 第 %d 页", rep.EventName, printed.In(skillscore.China()).Format("2006-01-02 15:04"), p.PageNo()))
	})
	first := true
	head := func() float64 {
		y := top
		p.SetFont("kai", "", 16)
		p.Text(left, y+6, rep.EventName+" · 成绩复核报告")
		y += 10
		if !first {
			return y + 2
		}
		first = false
		p.SetFont("song", "", 10)
		signed := rep.SignedOff
		if signed == "" {
			signed = "尚未签字确认"
		}
		for _, l := range [][2]string{{"赛事代码", rep.EventCode}, {"复核规则", rep.Rules}, {"随机种子", rep.Seed}, {"开始", rep.Started},
			{"抽样结果", rep.Counts}, {"全面复核", rep.Escalation}, {"监督签字确认", signed}} {
			if l[1] == "" {
				continue
			}
			p.SetFont("kai", "", 10)
			p.Text(left, y+lh-1.2, l[0]+"：")
			p.SetFont("song", "", 10)
			y += cell(p, left+28, y, width-28, lh, l[1])
		}
		return y + 3
	}
	cols := []column{{"序号", 11}, {"模块", 36}, {"选手", 20}, {"裁判", 30}, {"抽取方式", 22}, {"核对结果", 24}, {"差错说明", 62}, {"裁判长更正", 62}}
	y := table(p, cols, rows, left, bottom, lh, 10, head)
	if y+30 > bottom {
		p.AddPage()
		y = head()
	}
	p.SetFont("kai", "", 12)
	for _, who := range []string{"监督", "裁判长"} {
		y += 12
		label := who + "（签字）："
		p.Text(left, y, label)
		p.Line(left+p.GetStringWidth(label)+1, y+1, left+110, y+1)
		p.Text(left+120, y, "日期：")
		p.Line(left+120+p.GetStringWidth("日期：")+1, y+1, left+175, y+1)
	}
	if err := p.Error(); err != nil {
		return fmt.Errorf("recheck report: %w", err)
	}
	return p.Output(w)
}
