package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"skillscore"
	"skillscore/certificates"
	"skillscore/photos"
	batchreport "skillscore/report"
	"skillscore/store"
)

const reportUsage = `用法 (usage):
  skillscore report --batch 批次号 --out FILE.xlsx|FILE.json [--format xlsx|json] [--photos FILE.zip]
                    证书数据报送：全部证书的必填项齐全才导出，照片打包为 ZIP
                    (certificate data for the provincial/national system, and the photos)
  skillscore report --batch 批次号 --doc summary|register --out FILE.xlsx|FILE.pdf
                    成绩汇总表、证书发放登记表 (results summary, certificate register)
  skillscore report --batch 批次号 --doc transcripts --out FILE.pdf
  skillscore report --batch 批次号 --doc transcript --candidate 准考证号 --out FILE.pdf
                    成绩单：全部考生每人一页，或一名考生 (transcripts)
`

// reportBody is the 评价机构 the report names: the one reading of the
// certificate settings (report.BodyOf).
func (c *certConfig) reportBody() batchreport.Body { return batchreport.BodyOf(c.issuer, c.numbering) }

// runReport is `skillscore report`: an assessment batch's certificate data
// and its papers (docs/reporting.md).
func runReport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, reportUsage); fs.PrintDefaults() }
	db := fs.String("db", envOr("SKILLSCORE_DB", "sqlite:./skillscore.db"), "数据库 sqlite:PATH 或 mysql:DSN")
	keyFile := bindKeyFile(fs)
	batch := fs.String("batch", "", "批次号")
	out := fs.String("out", "", "输出文件")
	format := fs.String("format", "", "xlsx|json（证书数据）或 xlsx|pdf（文书）；默认按 --out 的扩展名")
	zipOut := fs.String("photos", "", "证书数据之外另写照片压缩包 FILE.zip（文件名即数据中的照片文件名）")
	photoDir := fs.String("photo-dir", envOr("SKILLSCORE_PHOTOS", ""), "照片库目录 (env SKILLSCORE_PHOTOS；默认 SQLite 数据库旁的 photos/)")
	doc := fs.String("doc", "", "文书：summary 成绩汇总表 | register 证书发放登记表 | transcripts 全部成绩单 | transcript 一名考生的成绩单")
	candidate := fs.String("candidate", "", "--doc transcript 的考生准考证号")
	actor := fs.String("by", "cli", "导出人（含完整证件号码或照片的导出写入审计日志）")
	song := fs.String("font-song", envOr("SKILLSCORE_FONT_SONG", certificates.DefaultSongFont), "宋体 TrueType 字体（PDF 用）")
	kai := fs.String("font-kai", envOr("SKILLSCORE_FONT_KAI", certificates.DefaultKaiFont), "楷体 TrueType 字体（PDF 用）")
	var cc certConfig
	cc.bindBody(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *batch == "" || *out == "" {
		return usagef("report", "需要 --batch 和 --out", "--batch and --out are required")
	}
	*format = cmp.Or(*format, strings.TrimPrefix(strings.ToLower(filepath.Ext(*out)), "."))
	kind, err := reportKind(*doc, *format, *zipOut, *candidate)
	if err != nil {
		return err
	}
	st, err := openExisting(ctx, *db, *keyFile)
	if err != nil {
		return err
	}
	defer st.Close()
	ev, err := batchreport.FindBatch(ctx, st, *batch)
	if err != nil {
		return err
	}
	cfg := batchreport.Config{Store: st, Body: cc.reportBody(), SongFont: *song, KaiFont: *kai}
	if dir := cmp.Or(*photoDir, photos.DefaultDir(*db)); dir != "" {
		if cfg.Photos, err = photoLibrary(st, dir); err != nil {
			return err
		}
	}
	svc := batchreport.New(cfg)
	var f batchreport.File
	switch kind {
	case "data":
		zipName := "" // the data then names the page's default
		if *zipOut != "" {
			zipName = filepath.Base(*zipOut)
		}
		f, err = svc.Export(ctx, ev, *format, zipName, *actor)
		if ps := batchreport.ProblemsOf(err); ps != nil {
			for _, p := range ps {
				fmt.Fprintln(stderr, p.String())
			}
			return skillscore.Errorf(skillscore.EInvalid, "批次 %s 有 %d 张证书的数据不全或不符（见上），未导出任何数据", *batch, len(ps))
		}
	case "transcript":
		f, err = transcriptOf(ctx, svc, ev, *candidate)
	default:
		f, err = svc.Document(ctx, ev, kind)
	}
	if err != nil {
		return err
	}
	if err := os.WriteFile(*out, f.Data, 0o644); err != nil {
		return skillscore.Wrap(skillscore.EInvalid, err, fmt.Sprintf("无法写入 %s: %v", *out, err))
	}
	fmt.Fprintf(stdout, "已导出 %s：%s（%d 字节）\n", f.Name, *out, len(f.Data))
	if kind != "data" || *zipOut == "" {
		return nil
	}
	_, write, err := svc.Photos(ctx, ev, *actor)
	if err != nil {
		return err
	}
	if err := writeFileWith(*zipOut, func(w io.Writer) error { return write(ctx, w) }); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "已导出照片：%s\n", *zipOut)
	return nil
}

// reportKind checks the flags' combination and names what to build:
// "data", "transcript", or one of report's documents.
func reportKind(doc, format, zipOut, candidate string) (string, error) {
	if doc == "" {
		if format != batchreport.FormatXLSX && format != batchreport.FormatJSON {
			return "", usagef("report", fmt.Sprintf("证书数据的格式应为 xlsx 或 json，而不是 %q", format), "--format must be xlsx or json")
		}
		if zipOut != "" && !strings.EqualFold(filepath.Ext(zipOut), ".zip") {
			return "", usagef("report", "--photos 应为 .zip 文件", "--photos names a .zip file")
		}
		return "data", nil
	}
	if zipOut != "" {
		return "", usagef("report", "--photos 只用于证书数据，不用于 --doc", "--photos goes with the data, not --doc")
	}
	switch {
	case doc == "transcript" && format == "pdf":
		if candidate == "" {
			return "", usagef("report", "--doc transcript 需要 --candidate 准考证号", "--doc transcript needs --candidate")
		}
		return "transcript", nil
	case doc == "transcripts" && format == "pdf":
		return batchreport.TranscriptsPDF, nil
	case (doc == "summary" || doc == "register") && (format == "xlsx" || format == "pdf"):
		return doc + "-" + format, nil
	case doc == "summary" || doc == "register":
		return "", usagef("report", fmt.Sprintf("%s 的格式应为 xlsx 或 pdf，而不是 %q", doc, format), "--format must be xlsx or pdf")
	case doc == "transcript" || doc == "transcripts":
		return "", usagef("report", fmt.Sprintf("成绩单只有 PDF，而不是 %q", format), "transcripts are PDF only")
	}
	return "", usagef("report", fmt.Sprintf("未知的文书 %q：应为 summary、register、transcripts 或 transcript", doc),
		"--doc must be summary, register, transcripts or transcript")
}

// transcriptOf is one candidate's 成绩单, found by 准考证号.
func transcriptOf(ctx context.Context, svc *batchreport.Service, ev store.Event, entryNo string) (batchreport.File, error) {
	b, err := svc.Load(ctx, ev)
	if err != nil {
		return batchreport.File{}, err
	}
	for _, c := range b.Candidates {
		if c.EntryNo == strings.TrimSpace(entryNo) {
			return svc.Transcript(ctx, ev, c.ContestantID)
		}
	}
	return batchreport.File{}, skillscore.Errorf(skillscore.ENotFound, "批次 %s 没有准考证号为 %s 的考生", b.Info.BatchNo, entryNo)
}
