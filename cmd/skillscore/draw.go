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
	"skillscore/draw"
	"skillscore/sheets"
)

const drawUsage = `用法 (usage):
  skillscore draw --db URL --event 代码 [--layer 1|2] [--seed HEX] [--sheet FILE.pdf] [--by 姓名]
      抽签加密：用随机种子为选手抽取加密号和赛位号（--layer 2 为二次加密，只重抽加密号）。
      不给 --seed 时随机生成并打印；同一种子和名单总得到同一结果，算法见 draw 包文档。
      --sheet 同时输出密封的抽签结果表 PDF。已有裁判评分或已解密后不能再抽签。
  skillscore draw --db URL --event 代码 --sheet FILE.pdf --print-only
      只重新打印抽签结果表。
`

func runDraw(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("draw", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, drawUsage); fs.PrintDefaults() }
	db := fs.String("db", envOr("SKILLSCORE_DB", "sqlite:./skillscore.db"), "数据库 sqlite:PATH 或 mysql:DSN")
	keyFile := bindKeyFile(fs)
	event := fs.String("event", "", "赛事代码或编号")
	layer := fs.Int("layer", 1, "1 第一次加密，2 二次加密")
	seed := fs.String("seed", "", "十六进制随机种子（默认随机生成）")
	sheet := fs.String("sheet", "", "抽签结果表 PDF 输出路径")
	printOnly := fs.Bool("print-only", false, "不抽签，只输出 --sheet")
	actor := fs.String("by", "cli", "抽签人（写入审计日志）")
	song := fs.String("font-song", certificates.DefaultSongFont, "宋体 TrueType 字体")
	kai := fs.String("font-kai", certificates.DefaultKaiFont, "楷体 TrueType 字体")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *event == "" {
		return usagef("draw", "需要 --event CODE", "--event is required")
	}
	if *printOnly && *sheet == "" {
		return usagef("draw", "只打印抽签结果表（--print-only）时需要 --sheet FILE.pdf", "--print-only needs --sheet")
	}
	st, ev, err := openEvent(ctx, *db, *keyFile, *event)
	if err != nil {
		return err
	}
	defer st.Close()
	if !*printOnly {
		if *seed == "" {
			if *seed, err = draw.NewSeed(); err != nil {
				return err
			}
		}
		rec, err := st.Draw(ctx, ev.ID, *layer, *seed, *actor)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s：第 %d 层抽签完成，种子 %s\n", ev.Name, rec.Layer, rec.Seed)
	}
	if *sheet == "" {
		return nil
	}
	ds, err := st.DrawState(ctx, ev.ID)
	if err != nil {
		return err
	}
	if len(ds.Draws) == 0 {
		return skillscore.Errorf(skillscore.EConflict, "本赛事尚未抽签，没有抽签结果表")
	}
	fonts, err := certificates.LoadFonts(*song, *kai)
	if err != nil {
		return err
	}
	f, err := os.Create(*sheet)
	if err != nil {
		return skillscore.Wrap(skillscore.EInvalid, err, fmt.Sprintf("无法写入 %s: %v", *sheet, err))
	}
	if err := sheets.WriteDrawSheet(f, fonts, sheets.DrawSheetFor(ev, ds, time.Now())); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", *sheet, err)
	}
	fmt.Fprintf(stdout, "抽签结果表已写入 %s（%d 名选手）\n", *sheet, len(ds.Rows))
	return nil
}

const decryptUsage = `用法 (usage):
  skillscore decrypt --db URL --event 代码 [--by 姓名]
      解密：所有裁判评分模块均经裁判长签字确认后，由组织者公开加密号对应的选手姓名（记入审计日志）。
`

func runDecrypt(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("decrypt", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, decryptUsage); fs.PrintDefaults() }
	db := fs.String("db", envOr("SKILLSCORE_DB", "sqlite:./skillscore.db"), "数据库 sqlite:PATH 或 mysql:DSN")
	keyFile := bindKeyFile(fs)
	event := fs.String("event", "", "赛事代码或编号")
	actor := fs.String("by", "cli", "解密人（写入审计日志）")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *event == "" {
		return usagef("decrypt", "需要 --event CODE", "--event is required")
	}
	st, ev, err := openEvent(ctx, *db, *keyFile, *event)
	if err != nil {
		return err
	}
	defer st.Close()
	at, err := st.Decrypt(ctx, ev.ID, *actor)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s：已于 %s 解密\n", ev.Name, at.In(skillscore.China()).Format("2006-01-02 15:04:05"))
	return nil
}
