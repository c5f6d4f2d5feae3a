package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"skillscore"
	"skillscore/certificates"
	"skillscore/results"
	"skillscore/sheets"
	"skillscore/web"
)

const recheckUsage = `用法 (usage):
  skillscore recheck start --event 代码 [--seed HEX] [--by 监督账号] [--db URL]
      成绩复核：按当前排名抽样（每组前 N 名的全部评分表，其余按比例随机抽取），记录随机种子。
      不给 --seed 时随机生成；同一种子和评分表总得到同一样本（docs/oversight-recheck.md）。
  skillscore recheck show --event 代码 [--db URL]
      列出复核设置、进度和每份评分表的核对结果。
  skillscore recheck report --event 代码 --out FILE.pdf [--db URL]
      打印成绩复核报告（样本、种子、核对结果、更正，监督和裁判长签字栏）。
  核对、标记、更正和签字确认在“成绩复核”页进行：/events/代码/recheck
`

func runRecheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "start" && args[0] != "show" && args[0] != "report") {
		return actionError("recheck", args, recheckUsage)
	}
	action := args[0]
	fs := flag.NewFlagSet("recheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, recheckUsage); fs.PrintDefaults() }
	db := fs.String("db", envOr("SKILLSCORE_DB", "sqlite:./skillscore.db"), "数据库 sqlite:PATH 或 mysql:DSN")
	keyFile := bindKeyFile(fs)
	event := fs.String("event", "", "赛事代码或编号")
	seed := fs.String("seed", "", "十六进制随机种子（默认随机生成）")
	by := fs.String("by", envOr("USER", "cli"), "开始复核的监督（写入审计日志）")
	out := fs.String("out", "", "复核报告 PDF 输出路径")
	song := fs.String("font-song", certificates.DefaultSongFont, "宋体 TrueType 字体")
	kai := fs.String("font-kai", certificates.DefaultKaiFont, "楷体 TrueType 字体")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if *event == "" {
		return usagef("recheck", "需要 --event CODE", "--event is required")
	}
	if action == "report" && *out == "" {
		return usagef("recheck", "打印复核报告需要 --out FILE.pdf", "report needs --out")
	}
	st, ev, err := openEvent(ctx, *db, *keyFile, *event)
	if err != nil {
		return err
	}
	defer st.Close()
	switch action {
	case "start":
		r, err := results.StartRecheck(ctx, st, ev.ID, *seed, *by)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s：成绩复核已开始，前列必查 %d 份，其余 %d 份中抽取 %d 份，共 %d 份；随机种子 %s\n",
			ev.Name, r.TopCount, r.RestCount, r.DrawnCount, r.Sampled(), r.Seed)
		return nil
	case "show":
		set, err := st.RecheckSettings(ctx, ev.ID)
		if err != nil {
			return err
		}
		required := "否"
		if set.Required {
			required = "是"
		}
		fmt.Fprintf(stdout, "%s（%s）\n公示前必须复核：%s；前 %d 名全查，抽样 %s%%，差错率超过 %s%% 全部复核\n",
			ev.Name, ev.Code, required, set.TopN, set.SamplePercent, set.EscalationPercent)
		rep, err := web.RecheckReportFor(ctx, st, ev)
		if skillscore.ErrorCode(err) == skillscore.ENotFound {
			fmt.Fprintln(stdout, "尚未开始成绩复核")
			return nil
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "随机种子：%s\n开始：%s\n%s\n", rep.Seed, rep.Started, rep.Counts)
		if rep.Escalation != "" {
			fmt.Fprintln(stdout, "全面复核："+rep.Escalation)
		}
		signed := rep.SignedOff
		if signed == "" {
			signed = "尚未签字确认"
		}
		fmt.Fprintln(stdout, "监督签字确认："+signed)
		for _, r := range rep.Rows {
			line := fmt.Sprintf("%3d  %s  %s  %s  %s  %s", r.No, r.Module, r.Contestant, r.Judge, r.Reason, r.Verdict)
			if r.Note != "" {
				line += "  " + r.Note
			}
			if r.Correction != "" {
				line += "  更正：" + r.Correction
			}
			fmt.Fprintln(stdout, line)
		}
		return nil
	}
	rep, err := web.RecheckReportFor(ctx, st, ev)
	if err != nil {
		return err
	}
	fonts, err := certificates.LoadFonts(*song, *kai)
	if err != nil {
		return err
	}
	f, err := os.Create(*out)
	if err != nil {
		return fmt.Errorf("create %s: %w", *out, err)
	}
	if err := sheets.WriteRecheckReport(f, fonts, rep, time.Now()); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "已写出成绩复核报告 %s（%d 份评分表）\n", *out, len(rep.Rows))
	return nil
}
