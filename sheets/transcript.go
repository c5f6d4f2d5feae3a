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

// Transcript is one candidate's 成绩单 of an assessment batch: who, in
// which batch of which body, each part's score against its pass mark with
// the verdict, the overall verdict and the certificate it led to. The
// 证件号码 is masked: the paper goes to the candidate and into files.
type Transcript struct {
	Body       string // 评价机构名称（代码）
	Batch      string // 批次号
	Dates      string // 考评日期
	Occupation string // 职业（编码）
	Specialty  string // 工种, "--" for none
	Level      string // the level assessed, "二级/技师"
	Venue      string // 考点

	// The candidate: 证件号码 masked, 准考证号, 考生来源 (新考 | 补考).
	Name, Gender, IDType, IDMasked, EntryNo, Source string

	Parts   []TranscriptPart
	Verdict string // 合格 | 不合格 | 缺考 …
	Note    string // a status's reason
	// Certificate is the level certificate's number and date, "" without one.
	Certificate string
}

// TranscriptPart is one part's line: 理论知识 78 ≥ 60 合格.
type TranscriptPart struct {
	Name, Score, Standard, Verdict string
}

// Page geometry of a transcript, in mm: A4 portrait.
const (
	trLeft  = 20.0
	trWidth = 170.0
	trLine  = 8.0
)

// trFixed are the transcript's own words: the font subset must hold them.
const trFixed = "职业技能等级认定成绩单评价机构批次号考评日期职业（编码）工种申报等级考点姓名性别证件类型证件号码准考证号考生来源" +
	"考核项目成绩合格标准结论总评证书编号说明（盖章）：日期＿年月日打印于第页·未发证"

// WriteTranscripts prints one page per candidate.
func WriteTranscripts(w io.Writer, fonts certificates.Fonts, ts []Transcript, printed time.Time) error {
	var text strings.Builder
	text.WriteString(trFixed)
	for _, t := range ts {
		text.WriteString(strings.Join([]string{t.Body, t.Batch, t.Dates, t.Occupation, t.Specialty, t.Level, t.Venue, t.Name, t.Gender,
			t.IDType, t.IDMasked, t.EntryNo, t.Source, t.Verdict, t.Note, t.Certificate}, ""))
		for _, pt := range t.Parts {
			text.WriteString(pt.Name + pt.Score + pt.Standard + pt.Verdict)
		}
	}
	p, err := newPDF(fonts, text.String(), "P", printed)
	if err != nil {
		return err
	}
	// A page's footer is drawn as the next page starts (or the document
	// ends): it names the candidate whose page it closes.
	var cur *Transcript
	p.SetFooterFunc(func() {
		p.SetFont("song", "", 8)
		p.Text(trLeft, 287, fmt.Sprintf("%s · 批次 %s 成绩单 · 打印于 %s · 第 %d 页", cur.Name, cur.Batch, printed.In(skillscore.China()).Format("2006-01-02 15:04"), p.PageNo()))
	})
	for i := range ts {
		p.AddPage()
		cur = &ts[i]
		drawTranscript(p, cur)
	}
	if err := p.Error(); err != nil {
		return fmt.Errorf("transcripts: %w", err)
	}
	return p.Output(w)
}

func drawTranscript(p *gofpdf.Fpdf, t *Transcript) {
	p.SetFont("kai", "", 20)
	title := "职业技能等级认定成绩单"
	p.Text(trLeft+(trWidth-p.GetStringWidth(title))/2, 32, title)
	p.SetFont("song", "", 11)
	y := 42.0
	// The facts: label and value pairs, two to a line.
	const label, value = 27.0, 58.0
	pairs := [][2]string{{"评价机构", t.Body}, {"批次号", t.Batch}, {"考评日期", t.Dates},
		{"职业（编码）", t.Occupation}, {"工种", t.Specialty}, {"申报等级", t.Level}, {"考点", t.Venue},
		{"姓名", t.Name}, {"性别", t.Gender}, {"证件类型", t.IDType}, {"证件号码", t.IDMasked},
		{"准考证号", t.EntryNo}, {"考生来源", t.Source}}
	// The body's name is long: it takes a line of its own.
	y = infoRow(p, y, []float64{label, trWidth - label}, []string{pairs[0][0], pairs[0][1]})
	for i := 1; i < len(pairs); i += 2 {
		y = infoRow(p, y, []float64{label, value, label, value}, []string{pairs[i][0], pairs[i][1], pairs[i+1][0], pairs[i+1][1]})
	}
	y += 6
	widths := []float64{50, 40, 40, 40}
	p.SetFont("kai", "", 12)
	y = infoRow(p, y, widths, []string{"考核项目", "成绩", "合格标准", "结论"})
	p.SetFont("song", "", 12)
	for _, pt := range t.Parts {
		y = infoRow(p, y, widths, []string{pt.Name, pt.Score, pt.Standard, pt.Verdict})
	}
	p.SetFont("kai", "", 12)
	y = infoRow(p, y, []float64{50, 120}, []string{"总评", t.Verdict})
	cert := t.Certificate
	if cert == "" {
		cert = "未发证"
	}
	p.SetFont("song", "", 11)
	y = infoRow(p, y, []float64{50, 120}, []string{"证书编号", cert})
	if t.Note != "" {
		y += 4
		p.SetFont("song", "", 10)
		y += cell(p, trLeft, y, trWidth, 5.5, "说明："+t.Note)
	}
	y = max(y+20, 230)
	p.SetFont("kai", "", 12)
	p.Text(trLeft+90, y, "评价机构（盖章）：")
	p.Text(trLeft+90, y+14, "日期：＿＿＿＿年＿＿月＿＿日")
}

// infoRow draws one line of boxed cells, labels and values alike, each
// text wrapped inside its box, and returns the y below it.
func infoRow(p *gofpdf.Fpdf, y float64, widths []float64, texts []string) float64 {
	_, size := p.GetFontSize()
	lh := size * 1.35 // size is in mm
	h := trLine
	for i, w := range widths {
		h = max(h, lh*float64(len(certificates.WrapText(p, texts[i], w-2)))+2.5)
	}
	x := trLeft
	for i, w := range widths {
		p.Rect(x, y, w, h, "D")
		n := float64(len(certificates.WrapText(p, texts[i], w-2)))
		cell(p, x, y+(h-n*lh)/2, w, lh, texts[i])
		x += w
	}
	return y + h
}
