package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"skillscore"
	"skillscore/certificates"
	"skillscore/exports"
)

// runExport is `skillscore export`: one of the organizer's files.
func runExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", envOr("SKILLSCORE_DB", "sqlite:./skillscore.db"), "数据库 sqlite:PATH 或 mysql:DSN")
	keyFile := bindKeyFile(fs)
	event := fs.String("event", "", "赛事代码或编号")
	what := fs.String("what", "", "导出内容 results-xlsx|results-pdf|promotions-xlsx|audit-csv")
	out := fs.String("out", "", "输出文件")
	actor := fs.String("by", "cli", "导出人（含完整证件号码的导出写入审计日志）")
	song := fs.String("font-song", envOr("SKILLSCORE_FONT_SONG", certificates.DefaultSongFont), "宋体 TrueType 字体（PDF 用）")
	kai := fs.String("font-kai", envOr("SKILLSCORE_FONT_KAI", certificates.DefaultKaiFont), "楷体 TrueType 字体（PDF 用）")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *event == "" || *what == "" || *out == "" {
		return usagef("export", "需要 --event、--what 和 --out", "--event, --what and --out are required")
	}
	st, ev, err := openEvent(ctx, *db, *keyFile, *event)
	if err != nil {
		return err
	}
	defer st.Close()
	f, err := exports.New(st, *song, *kai).Build(ctx, ev, *what, *actor)
	if err != nil {
		return err
	}
	if err := os.WriteFile(*out, f.Data, 0o644); err != nil {
		return skillscore.Wrap(skillscore.EInvalid, err, fmt.Sprintf("无法写入 %s: %v", *out, err))
	}
	fmt.Fprintf(stdout, "已导出 %s：%s（%d 字节）\n", *what, *out, len(f.Data))
	return nil
}
