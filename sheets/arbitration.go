package sheets

import (
	"fmt"
	"io"
	"strings"
	"time"

	"skillscore"
	"skillscore/arbitration"
	"skillscore/certificates"
)

// ArbitrationLines are a decided case's rows as printed in its 仲裁决定书:
// label and text.
func ArbitrationLines(c arbitration.Case) [][2]string {
	at := func(t time.Time) string { return t.In(skillscore.China()).Format("2006-01-02 15:04") }
	contestant := "（未涉及具体选手）"
	if c.ContestantID != 0 {
		contestant = c.ContestantName
		if c.ContestantCode != "" {
			contestant += "（加密号 " + c.ContestantCode + "）"
		}
	}
	limit := c.EndBasis + "；受理时模块尚未结束，不计时限"
	if !c.Deadline.IsZero() {
		limit = c.EndBasis + "；申诉时限至 " + at(c.Deadline)
	}
	lines := [][2]string{
		{"申诉类别", arbitration.KindLabel(c.Kind)},
		{"涉及模块", c.ModuleCode + " " + c.ModuleName},
		{"涉及选手", contestant},
		{"申诉人", c.AppellantText()},
		{"受理", fmt.Sprintf("%s 于赛场申诉受理处登记（登记人 %s）", at(c.FiledAt), c.FiledBy)},
		{"申诉时限", limit},
		{"申诉事实和理由", c.Facts},
	}
	for i, h := range c.Hearings {
		lines = append(lines, [2]string{fmt.Sprintf("听证 %d", i+1),
			fmt.Sprintf("%s 听取：%s。调查核实：%s", at(h.HeardAt), h.Heard, h.Findings)})
	}
	lines = append(lines, [2]string{"仲裁结果", arbitration.StatusLabels[c.Status]}, [2]string{"决定理由", c.Reasons})
	if c.Measures != "" {
		lines = append(lines, [2]string{"处理措施", c.Measures})
	}
	if len(c.RemarkSheets) > 0 {
		ids := make([]string, len(c.RemarkSheets))
		for i, id := range c.RemarkSheets {
			ids[i] = fmt.Sprint(id)
		}
		lines = append(lines, [2]string{"复评", "评分表 " + strings.Join(ids, "、") + " 交裁判长重新开放复评，复评后重新锁定并签字确认"})
	}
	lines = append(lines, [2]string{"决定", fmt.Sprintf("%s 由仲裁 %s（账号 %s）作出。本决定为最终决定。", at(c.DecidedAt), c.DeciderName, c.DecidedBy)})
	return lines
}

// WriteArbitrationDecisions prints the 仲裁决定书 of the decided cases, each
// from a new page, with lines for the signatures of the 仲裁组长 and two
// members and for the appellant's acknowledgment of receipt. An event's
// decisions print together in one PDF; with none decided, one page says so.
func WriteArbitrationDecisions(w io.Writer, fonts certificates.Fonts, eventName string, cases []arbitration.Case, printed time.Time) error {
	var text strings.Builder
	text.WriteString("仲裁决定书第号打印于页（签字）：＿日期暂无已作出的仲裁决定本人已收到本决定申诉人确认仲裁组长仲裁组成员。0123456789")
	text.WriteString(eventName)
	lines := make([][][2]string, len(cases))
	for i, c := range cases {
		lines[i] = ArbitrationLines(c)
		for _, l := range lines[i] {
			text.WriteString(l[0] + l[1])
		}
	}
	p, err := newPDF(fonts, text.String(), "P", printed)
	if err != nil {
		return err
	}
	const left, top, width, bottom, lh = 15.0, 15.0, 180.0, 268.0, 6.0
	footer := "仲裁决定书"
	p.SetFooterFunc(func() {
		p.SetFont("song", "", 8)
		p.Text(left, 288, fmt.Sprintf("%s · %s · 打印于 %s · 第 %d 页", eventName, footer, printed.In(skillscore.China()).Format("2006-01-02 15:04"), p.PageNo()))
	})
	title := func(sub string) float64 {
		p.SetFont("kai", "", 16)
		p.Text(left, top+6, eventName)
		p.SetFont("kai", "", 14)
		p.Text(left, top+14, sub)
		return top + 20
	}
	signLine := func(y float64, label string, dated bool) {
		p.Text(left, y, label)
		end := left + 95
		if !dated {
			end = left + 150
		}
		p.Line(left+p.GetStringWidth(label)+1, y+1, end, y+1)
		if dated {
			p.Text(left+100, y, "日期：")
			p.Line(left+100+p.GetStringWidth("日期：")+1, y+1, left+150, y+1)
		}
	}
	for i, c := range cases {
		p.AddPage()
		footer = fmt.Sprintf("仲裁决定书 第 %d 号", c.No)
		y := title(fmt.Sprintf("仲裁决定书　第 %d 号", c.No))
		const lw = 34.0
		for _, l := range lines[i] {
			p.SetFont("song", "", 10.5)
			h := lh*float64(max(1, len(certificates.WrapText(p, l[1], width-lw-2)))) + 2
			if y+h > bottom {
				p.AddPage()
				y = top
			}
			p.Rect(left, y, lw, h, "D")
			p.Rect(left+lw, y, width-lw, h, "D")
			p.SetFont("kai", "", 10.5)
			cell(p, left, y+1, lw, lh, l[0])
			p.SetFont("song", "", 10.5)
			cell(p, left+lw, y+1, width-lw, lh, l[1])
			y += h
		}
		// The 仲裁组's signatures, then the appellant's receipt.
		if y+60 > bottom {
			p.AddPage()
			y = top
		}
		p.SetFont("kai", "", 12)
		for _, who := range []string{"仲裁组长", "仲裁组成员", "仲裁组成员"} {
			y += 12
			signLine(y, who+"（签字）：", true)
		}
		y += 16
		p.Text(left, y, "申诉人确认：本人已收到本决定。")
		y += 10
		signLine(y, "申诉人（签字）：", true)
	}
	if len(cases) == 0 {
		p.AddPage()
		y := title("仲裁决定书")
		p.SetFont("song", "", 11)
		p.Text(left, y+6, "暂无已作出的仲裁决定。")
	}
	if err := p.Error(); err != nil {
		return fmt.Errorf("arbitration decisions: %w", err)
	}
	return p.Output(w)
}
