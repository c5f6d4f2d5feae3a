package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"io"

	"skillscore/person"
	"skillscore/photos"
	"skillscore/store"
)

const purgeUsage = `用法 (usage):
  skillscore purge --event 代码 [--dry-run] [--by 姓名] [--photos 照片库目录] [--db URL] [--key-file FILE]
      个人信息保存期限届满后，永久清除本赛事选手的个人信息：姓名（改为“已清除”加参赛编号）、证件号码、
      手机号码、照片、申诉内容，以及证书上加密保存的证件号码（证书编号和姓名保留，仍可按编号 + 姓名核验）。
      成绩、评分、统计和审计链保留。保存期限届满前拒绝并给出届满日期；--dry-run 只列出将清除的数量。
      清除不可恢复，可重复运行（已清除的不再变化）。
`

func runPurge(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("purge", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, purgeUsage); fs.PrintDefaults() }
	db := fs.String("db", envOr("SKILLSCORE_DB", "sqlite:./skillscore.db"), "数据库 sqlite:PATH 或 mysql:DSN")
	keyFile := bindKeyFile(fs)
	event := fs.String("event", "", "赛事代码或编号")
	dryRun := fs.Bool("dry-run", false, "只列出将清除的数量，不清除")
	photoDir := fs.String("photos", envOr("SKILLSCORE_PHOTOS", ""), "照片库目录 (默认 SQLite 数据库旁的 photos/；MySQL 须指定)：本赛事人员的照片一并删除")
	by := fs.String("by", envOr("USER", "cli"), "操作人（写入审计日志）")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *event == "" {
		return usagef("purge", "需要 --event CODE", "--event is required")
	}
	st, ev, err := openEvent(ctx, *db, *keyFile, *event)
	if err != nil {
		return err
	}
	defer st.Close()
	svc := person.New(person.Config{Store: st, Purge: st, Retention: st, Photos: photos.New(st, cmp.Or(*photoDir, photos.DefaultDir(*db)))})
	if *dryRun {
		p, err := svc.PurgePlan(ctx, ev.ID)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s（%s）\n", ev.Name, ev.Code)
		switch {
		case p.Due:
			fmt.Fprintf(stdout, "个人信息保存期限已于 %s 届满，可以清除\n", person.CNDate(p.Ends))
		default:
			fmt.Fprintln(stdout, p.Refusal)
		}
		if p.PurgedAt.Valid() {
			fmt.Fprintf(stdout, "已于 %s 由 %s 清除过一次\n", person.CNDate(p.PurgedAt.Time), p.PurgedBy)
		}
		fmt.Fprintf(stdout, "清除将处理：%s（试运行，未清除任何数据）\n", countsText(p.Pending))
		return nil
	}
	done, err := svc.Purge(ctx, ev.ID, *by)
	if err != nil {
		return err
	}
	if done.Empty() {
		fmt.Fprintf(stdout, "%s：没有需要清除的个人信息（已清除过）；已记入审计日志\n", ev.Name)
		return nil
	}
	fmt.Fprintf(stdout, "%s：已永久清除 %s；成绩、统计和审计链保留，已记入审计日志\n", ev.Name, countsText(done))
	return nil
}

// countsText says what a purge removes, in Chinese.
func countsText(c store.PurgeCounts) string {
	return fmt.Sprintf("选手 %d 人的姓名和证件号码，手机号码 %d 个，证书 %d 张上的证件号码（编号与姓名保留），申诉内容 %d 件，照片 %d 张",
		c.Contestants, c.Phones, c.Certificates, c.Appeals, c.Photos)
}
