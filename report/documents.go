package report

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"strconv"
	"strings"

	"skillscore"
	"skillscore/exports"
	"skillscore/idnumber"
	"skillscore/scoring"
	"skillscore/sheets"
	"skillscore/store"
)

// The batch's papers, as the web route and the CLI's --doc name them.
const (
	SummaryXLSX    = "summary-xlsx"    // 成绩汇总表
	SummaryPDF     = "summary-pdf"     // 成绩汇总表, signed
	RegisterXLSX   = "register-xlsx"   // 证书发放登记表
	RegisterPDF    = "register-pdf"    // 证书发放登记表, signed on receipt
	TranscriptsPDF = "transcripts-pdf" // every candidate's 成绩单, a page each
)

// Documents lists the papers with their Chinese names, in page order.
func Documents() []Kind {
	return []Kind{
		{SummaryXLSX, "成绩汇总表（.xlsx）"}, {SummaryPDF, "成绩汇总表（PDF，含签字栏）"},
		{RegisterXLSX, "证书发放登记表（.xlsx）"}, {RegisterPDF, "证书发放登记表（PDF，领取人签字）"},
		{TranscriptsPDF, "全部考生成绩单（PDF，每人一页）"},
	}
}

// Kind is one paper with its Chinese name.
type Kind struct{ Code, Name string }

// The people who sign each paper at the foot of every page.
var (
	summarySigners  = []string{"考评组长", "督导员", "评价机构负责人"}
	registerSigners = []string{"发放人", "复核人"}
)

// Document builds one of the batch's papers. They carry names and masked
// 证件号码 only, as the results export does, so they record no full view.
func (s *Service) Document(ctx context.Context, ev store.Event, what string) (File, error) {
	b, err := s.Load(ctx, ev)
	if err != nil {
		return File{}, err
	}
	name := b.Info.BatchNo + "-"
	switch what {
	case SummaryXLSX:
		data, err := exports.WriteXLSX("成绩汇总表", b.title("成绩汇总表"), b.summaryHeader(true), b.summaryRows(true))
		return File{name + "成绩汇总表.xlsx", xlsxType, data}, err
	case RegisterXLSX:
		data, err := exports.WriteXLSX("证书发放登记表", b.title("证书发放登记表"), registerHeader, b.registerRows())
		return File{name + "证书发放登记表.xlsx", xlsxType, data}, err
	case SummaryPDF, RegisterPDF, TranscriptsPDF:
	default:
		return File{}, skillscore.Errorf(skillscore.EInvalid,
			"未知的文书 %q：应为 summary-xlsx、summary-pdf、register-xlsx、register-pdf 或 transcripts-pdf", what)
	}
	fonts, err := s.loadFonts()
	if err != nil {
		return File{}, err
	}
	var buf bytes.Buffer
	printed := s.cfg.Now().In(skillscore.China())
	switch what {
	case SummaryPDF:
		cols := columns(b.summaryHeader(false), summaryWidths(len(b.partNames())))
		err = sheets.WriteSignedTable(&buf, fonts, sheets.SignedTable{Title: b.title("成绩汇总表"), Lines: b.lines(b.tally()),
			Columns: cols, Rows: b.summaryRows(false), Signers: summarySigners, Footer: "批次 " + b.Info.BatchNo + " 成绩汇总表",
			Printed: printed})
		name += "成绩汇总表.pdf"
	case RegisterPDF:
		err = sheets.WriteSignedTable(&buf, fonts, sheets.SignedTable{Title: b.title("证书发放登记表"),
			Lines:   b.lines(fmt.Sprintf("共 %d 张职业技能等级证书；领取人核对证书无误后本人签字", len(b.Records))),
			Columns: columns(registerHeader, registerWidths), Rows: b.registerRows(), Signers: registerSigners,
			Footer: "批次 " + b.Info.BatchNo + " 证书发放登记表", Printed: printed})
		name += "证书发放登记表.pdf"
	case TranscriptsPDF:
		if len(b.Candidates) == 0 {
			return File{}, skillscore.Errorf(skillscore.EConflict, "批次 %s 还没有考生", b.Info.BatchNo)
		}
		ts := make([]sheets.Transcript, len(b.Candidates))
		for i := range b.Candidates {
			ts[i] = b.transcript(&b.Candidates[i])
		}
		err = sheets.WriteTranscripts(&buf, fonts, ts, printed)
		name += "成绩单.pdf"
	}
	if err != nil {
		return File{}, err
	}
	return File{name, pdfType, buf.Bytes()}, nil
}

// Transcript is one candidate's 成绩单 as its own PDF.
func (s *Service) Transcript(ctx context.Context, ev store.Event, contestantID int64) (File, error) {
	b, err := s.Load(ctx, ev)
	if err != nil {
		return File{}, err
	}
	for i := range b.Candidates {
		c := &b.Candidates[i]
		if c.ContestantID != contestantID {
			continue
		}
		fonts, err := s.loadFonts()
		if err != nil {
			return File{}, err
		}
		var buf bytes.Buffer
		if err := sheets.WriteTranscripts(&buf, fonts, []sheets.Transcript{b.transcript(c)}, s.cfg.Now().In(skillscore.China())); err != nil {
			return File{}, err
		}
		return File{fmt.Sprintf("%s-成绩单-%s.pdf", b.Info.BatchNo, cmp.Or(c.EntryNo, strconv.FormatInt(c.ContestantID, 10))), pdfType, buf.Bytes()}, nil
	}
	return File{}, skillscore.Errorf(skillscore.ENotFound, "本批次没有该考生")
}

// title is a paper's heading.
func (b *Batch) title(what string) string { return b.Event.Name + " " + what }

// occupation is "养老护理员（4-10-01-05）".
func (b *Batch) occupation() string {
	if b.Event.OccupationCode == "" {
		return b.Event.Occupation
	}
	return b.Event.Occupation + "（" + b.Event.OccupationCode + "）"
}

func (b *Batch) specialty() string { return cmp.Or(b.Event.Specialty, "--") }

// body is "江西省…中心（代码 S000036000001）".
func (b *Batch) body() string {
	if b.Body.Code == "" {
		return b.Body.Name
	}
	return b.Body.Name + "（代码 " + b.Body.Code + "）"
}

// lines are the facts under a paper's heading.
func (b *Batch) lines(extra string) []string {
	return []string{
		fmt.Sprintf("批次号 %s　职业 %s　工种 %s　等级 %s　考评日期 %s", b.Info.BatchNo, b.occupation(), b.specialty(),
			scoring.LevelName(b.Level), b.Dates()),
		"评价机构 " + b.body(),
		extra,
	}
}

// partNames are the parts the batch's candidates are assessed in.
func (b *Batch) partNames() []string {
	if len(b.Candidates) == 0 {
		return nil
	}
	var out []string
	for _, p := range b.Candidates[0].Parts {
		out = append(out, p.Name)
	}
	return out
}

// summaryHeader: the workbook gives each part a score and a verdict
// column (for a program to read); the PDF one cell "78 合格".
func (b *Batch) summaryHeader(xlsx bool) []string {
	h := []string{"序号", "准考证号", "姓名", "性别", "证件号码", "考生来源"}
	for _, n := range b.partNames() {
		if xlsx {
			h = append(h, n+"成绩", n+"结论")
		} else {
			h = append(h, n)
		}
	}
	return append(h, "总评", "证书编号", "备注")
}

func summaryWidths(parts int) []float64 {
	// Wide enough for each header's title on one line: the table's
	// header row is one line tall.
	w := []float64{11, 19, 20, 12, 36, 19}
	for range parts {
		w = append(w, 22)
	}
	return append(w, 16, 48, 24)
}

func (b *Batch) summaryRows(xlsx bool) [][]string {
	rows := make([][]string, len(b.Candidates))
	for i, c := range b.Candidates {
		r := []string{strconv.Itoa(i + 1), c.EntryNo, c.Name, c.Gender, c.IDMasked, c.Source}
		for _, p := range c.Parts {
			switch {
			case xlsx:
				r = append(r, p.Score, p.Verdict)
			case p.Score == "缺考":
				r = append(r, p.Score) // 不合格 goes without saying, and would not fit
			default:
				r = append(r, strings.TrimSpace(p.Score+" "+p.Verdict))
			}
		}
		rows[i] = append(r, c.Verdict, c.Certificate, c.Note)
	}
	return rows
}

// tally is the summary's count line.
func (b *Batch) tally() string {
	n := map[string]int{}
	for _, c := range b.Candidates {
		n[c.Verdict]++
	}
	s := fmt.Sprintf("共 %d 人：合格 %d，不合格 %d", len(b.Candidates), n["合格"], n["不合格"])
	for _, v := range []string{"缺考", "弃权", "取消资格"} {
		if n[v] > 0 {
			s += fmt.Sprintf("，%s %d", v, n[v])
		}
	}
	if n[""] > 0 {
		s += fmt.Sprintf("，成绩未全 %d", n[""])
	}
	return s + fmt.Sprintf("；已发证 %d", len(b.Records))
}

var (
	registerHeader = []string{"序号", "证书编号", "姓名", "证件号码", "等级", "发证日期", "领取人签名", "领取日期", "备注"}
	registerWidths = []float64{10, 46, 22, 38, 24, 24, 45, 30, 34}
)

// registerRows are the valid level certificates in issue order, with the
// receipt's columns left empty for the holder.
func (b *Batch) registerRows() [][]string {
	rows := make([][]string, len(b.Records))
	for i, r := range b.Records {
		rows[i] = []string{strconv.Itoa(i + 1), r.Number, r.Name, idnumber.Mask(r.IDNumber), r.Level, r.IssuedOn, "", "", ""}
	}
	return rows
}

func columns(titles []string, widths []float64) []sheets.Column {
	out := make([]sheets.Column, len(titles))
	for i, t := range titles {
		out[i] = sheets.Column{Title: t, Width: widths[i]}
	}
	return out
}

func (b *Batch) transcript(c *Candidate) sheets.Transcript {
	t := sheets.Transcript{Body: b.body(), Batch: b.Info.BatchNo, Dates: b.Dates(), Occupation: b.occupation(),
		Specialty: b.specialty(), Level: scoring.LevelName(b.Level), Venue: cmp.Or(b.Event.Venue, "--"), Name: c.Name, Gender: c.Gender, IDType: c.IDType,
		IDMasked: c.IDMasked, EntryNo: c.EntryNo, Source: c.Source, Verdict: cmp.Or(c.Verdict, "成绩未全"), Note: c.Note}
	for _, p := range c.Parts {
		t.Parts = append(t.Parts, sheets.TranscriptPart{Name: p.Name, Score: cmp.Or(p.Score, "—"), Standard: p.Standard, Verdict: p.Verdict})
	}
	if c.Certificate != "" {
		t.Certificate = c.Certificate + "（发证日期 " + c.IssuedOn + "）"
	}
	return t
}
