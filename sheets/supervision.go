package sheets

import (
	"fmt"
	"io"
	"strings"
	"time"

	"skillscore"
	"skillscore/certificates"
	"skillscore/supervision"
)

// SupervisionHeader is the batch a 督导记录 belongs to, as printed above it.
type SupervisionHeader struct {
	EventName string
	BatchNo   string // "" when the batch details are not set
	Work      string // 职业（工种） and level, e.g. 养老护理员（--） 三级/高级工
}

// RecordLines are a 督导记录's rows as printed (and shown on the records
// page): label and text, the signature last. byID numbers the batch's
// records by id, to name the record a correction corrects.
func RecordLines(r supervision.Record, byID map[int64]int) [][2]string {
	room := r.RoomCode + " " + r.RoomName
	if r.RoomCode == "" {
		room = "（场次地点未对应考场）"
	}
	p := r.Progress
	lines := [][2]string{
		{"考场", strings.TrimSpace(room)},
		{"场次", r.SessionLabel},
		{"签名时考场情况", fmt.Sprintf("应考 %d 人，已签到 %d 人，缺考 %d 人；评分表已提交 %d / %d 份", p.Expected, p.Present, p.Absent, p.SheetsDone, p.SheetsDue)},
	}
	for _, it := range supervision.Items {
		text := supervision.Label(it.Key, r.Obs.Values[it.Key])
		if note := r.Obs.Notes[it.Key]; note != "" {
			text += "：" + note
		}
		lines = append(lines, [2]string{it.Label, text})
	}
	remarks := r.Obs.Remarks
	if remarks == "" {
		remarks = "无"
	}
	lines = append(lines, [2]string{"其他情况", remarks})
	if r.Supersedes != 0 {
		lines = append(lines, [2]string{"更正", fmt.Sprintf("本记录更正第 %d 号督导记录。更正原因：%s", byID[r.Supersedes], r.CorrectionReason)})
	}
	lines = append(lines,
		[2]string{"电子签名", fmt.Sprintf("督导员 %s（账号 %s）于 %s 以本人设定的签名 PIN 签名（该 PIN 设定于 %s）",
			r.SignerName, r.Signer, r.SignedAt.In(skillscore.China()).Format("2006-01-02 15:04:05"), r.PINSetAt.In(skillscore.China()).Format("2006-01-02 15:04"))},
		[2]string{"内容摘要 SHA-256", r.Digest})
	return lines
}

// Summary is a record's observations in a few words: the items that were
// not unremarkable, or 均正常.
func Summary(r supervision.Record) string {
	var odd []string
	for _, it := range supervision.Items {
		v := r.Obs.Values[it.Key]
		if len(it.Choices) > 0 && v != it.Choices[0].Value {
			odd = append(odd, it.Label+supervision.Label(it.Key, v))
		}
	}
	if len(odd) == 0 {
		return "各项正常"
	}
	return strings.Join(odd, "；")
}

// supersededNote is what a record's page says when a later one corrects it.
func supersededNote(r supervision.Record, byNo map[int64]int) string {
	if r.SupersededBy == 0 {
		return ""
	}
	if no, ok := byNo[r.SupersededBy]; ok {
		return fmt.Sprintf("本记录已被第 %d 号督导记录更正", no)
	}
	return "本记录已被更正"
}

// WriteSupervisionRecords prints 督导记录 for the archive, each on its own
// page with its rows, its electronic signature and digest, and lines for
// the handwritten signatures. With summary, a first page lists them all
// (the batch's 督导记录汇总) with its own signature lines. all are every
// record of the batch, to name corrections by number.
func WriteSupervisionRecords(w io.Writer, fonts certificates.Fonts, h SupervisionHeader, recs, all []supervision.Record, summary bool,
	printed time.Time) error {
	byNo := map[int64]int{}
	for _, r := range all {
		byNo[r.ID] = r.No
	}
	var text strings.Builder
	text.WriteString("督导记录汇总第号编号考场场次督导员签名时间结论更正批次号职业工种等级打印于页共份（签字）：＿日期评价机构负责人考点本记录已被更正原始各项正常无以更正后的记录为准，本页仅供存档。")
	text.WriteString(h.EventName + h.BatchNo + h.Work)
	lines := make([][][2]string, len(recs))
	for i, r := range recs {
		lines[i] = RecordLines(r, byNo)
		for _, l := range lines[i] {
			text.WriteString(l[0] + l[1])
		}
		text.WriteString(Summary(r) + supersededNote(r, byNo) + fmt.Sprint(r.No, r.Supersedes))
	}
	p, err := newPDF(fonts, text.String(), "P", printed)
	if err != nil {
		return err
	}
	const left, top, width, bottom, lh = 15.0, 15.0, 180.0, 268.0, 6.0
	footer := ""
	p.SetFooterFunc(func() {
		p.SetFont("song", "", 8)
		p.Text(left, 288, fmt.Sprintf("%s · %s · 打印于 %s · 第 %d 页", h.EventName, footer, printed.In(skillscore.China()).Format("2006-01-02 15:04"), p.PageNo()))
	})
	title := func(sub string) float64 {
		p.SetFont("kai", "", 16)
		p.Text(left, top+6, h.EventName)
		p.SetFont("kai", "", 14)
		p.Text(left, top+14, sub)
		p.SetFont("song", "", 10)
		var meta []string
		if h.BatchNo != "" {
			meta = append(meta, "批次号 "+h.BatchNo)
		}
		if h.Work != "" {
			meta = append(meta, h.Work)
		}
		return top + 18 + cell(p, left, top+17, width, 5, strings.Join(meta, "　")) + 2
	}
	signatures := func(y float64, second string) {
		if y+24 > bottom {
			p.AddPage()
			y = top
		}
		p.SetFont("kai", "", 12)
		for _, who := range []string{"督导员", second} {
			y += 12
			label := who + "（签字）："
			p.Text(left, y, label)
			p.Line(left+p.GetStringWidth(label)+1, y+1, left+95, y+1)
			p.Text(left+100, y, "日期：")
			p.Line(left+100+p.GetStringWidth("日期：")+1, y+1, left+150, y+1)
		}
	}
	if summary {
		footer = "督导记录汇总"
		rows := make([][]string, len(recs))
		for i, r := range recs {
			fix := ""
			if r.Supersedes != 0 {
				fix = fmt.Sprintf("更正第 %d 号", byNo[r.Supersedes])
			}
			if n := supersededNote(r, byNo); n != "" {
				fix = strings.TrimSpace(fix + " " + strings.Replace(n, "本记录", "", 1))
			}
			rows[i] = []string{fmt.Sprint(r.No), strings.TrimSpace(r.RoomCode + " " + r.RoomName), r.SessionLabel, r.SignerName,
				r.SignedAt.In(skillscore.China()).Format("01-02 15:04"), Summary(r), fix}
		}
		cols := []column{{"编号", 11}, {"考场", 27}, {"场次", 42}, {"督导员", 18}, {"签名时间", 24}, {"结论", 35}, {"更正", 23}}
		y := table(p, cols, rows, left, bottom, lh, 10.5, func() float64 { return title(fmt.Sprintf("督导记录汇总（共 %d 份）", len(recs))) })
		signatures(y, "评价机构负责人")
	}
	for i, r := range recs {
		p.AddPage()
		footer = fmt.Sprintf("督导记录 第 %d 号", r.No)
		y := title(fmt.Sprintf("督导记录　第 %d 号", r.No))
		if n := supersededNote(r, byNo); n != "" {
			p.SetFont("kai", "", 12)
			p.SetTextColor(160, 0, 0)
			y += cell(p, left, y, width, lh, n+"：以更正后的记录为准，本页仅供存档。") + 1
			p.SetTextColor(0, 0, 0)
		}
		const lw = 38.0
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
		signatures(y, "考点负责人")
	}
	if len(recs) == 0 && !summary {
		p.AddPage()
		title("督导记录")
	}
	if err := p.Error(); err != nil {
		return fmt.Errorf("supervision records: %w", err)
	}
	return p.Output(w)
}
