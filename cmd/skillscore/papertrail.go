package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"skillscore/certificates"
	"skillscore/scoring"
	"skillscore/sheets"
	"skillscore/store"
)

// The signed paper trail (issue 16, docs/oversight-papertrail.md).
const sheetsUsage = `用法 (usage):
  skillscore sheets record   --event 代码 [--db URL] --module 模块代码 (--blank | --filled) [--judge 裁判编号] [--contestant 加密号] --out FILE.pdf
      打印评分记录表：空白表（纸质评分用，按裁判组分工每位裁判每名选手一页）或已提交评分表的已填表
      （每项评分、本表得分、裁判组结果、提交时间与签名方式），一个模块一个 PDF；解密前只印加密号。
  skillscore sheets signin   --event 代码 [--db URL] --session 场次编号 --who judges|contestants --out FILE.pdf
      打印某场次的裁判签到表或选手签到表（含签名栏）。
  skillscore sheets duties   --event 代码 [--db URL] --out FILE.pdf
      打印裁判分工表：各模块裁判组、裁判长、赛位与场次、评分份数，每位裁判签名确认。
  skillscore sheets settings --event 代码 [--db URL] [--contestant-signs on|off] [--by 姓名]
      查看或设置已填评分记录表是否加印选手签字栏（默认不印）。
`

func runSheets(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	action, err := pickAction("sheets", args, sheetsUsage, "record", "signin", "duties", "settings")
	if err != nil {
		return err
	}
	name := "sheets " + action
	f := newEventFlags(name, sheetsUsage, "赛事代码或编号", "输出 PDF 文件", stderr)
	fs := f.fs
	module := fs.String("module", "", "模块代码")
	blank := fs.Bool("blank", false, "空白评分记录表")
	filled := fs.Bool("filled", false, "已填评分记录表")
	judge := fs.String("judge", "", "只打印该裁判的")
	contestant := fs.String("contestant", "", "只打印该加密号的")
	session := fs.String("session", "", "场次编号")
	who := fs.String("who", "", "judges（裁判）或 contestants（选手）")
	signs := fs.String("contestant-signs", "", "on 加印选手签字栏，off 不印")
	actor := fs.String("by", "cli", "操作人（写入审计日志）")
	if err := f.parse(args[1:], action != "settings"); err != nil {
		return err
	}
	switch {
	case action == "record" && *module == "":
		return usagef(name, "需要 --module 模块代码", "--module is required")
	case action == "record" && *blank == *filled:
		return usagef(name, "需要 --blank 或 --filled（二选一）", "give --blank or --filled")
	case action == "signin" && *session == "":
		return usagef(name, "需要 --session 场次编号", "--session is required")
	case action == "signin" && *who != "judges" && *who != "contestants":
		return usagef(name, "--who 只能是 judges（裁判）或 contestants（选手）", "--who is judges or contestants")
	case action == "settings" && *signs != "" && *signs != "on" && *signs != "off":
		return usagef(name, "--contestant-signs 只能是 on 或 off", "--contestant-signs is on or off")
	}
	st, ev, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	t := scoring.TermsFor(ev.Kind)
	switch action {
	case "record":
		d, err := sheets.LoadRecords(ctx, st, ev)
		if err != nil {
			return err
		}
		ss, err := d.ScoreSheets(sheets.RecordQuery{Module: *module, Blank: *blank, Judge: *judge, Contestant: *contestant})
		if err != nil {
			return err
		}
		if err := f.writePDF(func(w io.Writer, fonts certificates.Fonts) error {
			return sheets.WriteScoreSheets(w, fonts, ss, time.Now())
		}); err != nil {
			return err
		}
		kind := "已填"
		if *blank {
			kind = "空白"
		}
		sealed := ""
		if d.Sealed {
			sealed = "；尚未解密，只印加密号"
		}
		fmt.Fprintf(stdout, "模块 %s 的%s评分记录表已写入 %s（%d 份%s）\n", *module, kind, *f.out, len(ss), sealed)
	case "signin", "duties":
		staff, err := sheets.LoadStaff(ctx, st, ev)
		if err != nil {
			return err
		}
		var tab sheets.SignedTable
		what := t.Judge + "分工表"
		switch {
		case action == "duties":
			tab, err = staff.Duties(time.Now())
		case *who == "judges":
			tab, err = staff.JudgeSignIn(*session, time.Now())
			what = "场次 " + *session + " " + t.Judge + "签到表"
		default:
			tab, err = staff.ContestantSignIn(*session, time.Now())
			what = "场次 " + *session + " " + t.Contestant + "签到表"
		}
		if err != nil {
			return err
		}
		if err := f.writePDF(func(w io.Writer, fonts certificates.Fonts) error { return sheets.WriteSignedTable(w, fonts, tab) }); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s已写入 %s（%d 行）\n", what, *f.out, len(tab.Rows))
	case "settings":
		if *signs != "" {
			if err := st.SetPaperSettings(ctx, ev.ID, store.PaperSettings{ContestantSigns: *signs == "on"}, *actor); err != nil {
				return err
			}
		}
		p, err := st.PaperSettings(ctx, ev.ID)
		if err != nil {
			return err
		}
		state := "不印"
		if p.ContestantSigns {
			state = "加印"
		}
		fmt.Fprintf(stdout, "%s：已填评分记录表%s%s签字栏\n", ev.Name, state, t.Contestant)
	}
	return nil
}
