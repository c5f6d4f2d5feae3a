package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"skillscore"
	"skillscore/stats"
)

const statsUsage = `用法 (usage):
  skillscore stats --db URL [--year Y] [--json]
      按设区市、职业、等级统计竞赛选手、认定考生、合格和发证人数，
      以及各设区市完成数（选手 + 考生，人次）与年度目标的对比。
      --year 默认为今年；--json 输出 JSON。
`

func runStats(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("stats", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, statsUsage); fs.PrintDefaults() }
	db := fs.String("db", envOr("SKILLSCORE_DB", "sqlite:./skillscore.db"), "数据库 sqlite:PATH 或 mysql:DSN")
	keyFile := bindKeyFile(fs)
	year := fs.Int("year", time.Now().In(skillscore.China()).Year(), "统计年度")
	asJSON := fs.Bool("json", false, "输出 JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return errUsage
	}
	if *year < 2000 || *year > 2100 {
		return skillscore.Errorf(skillscore.EInvalid, "年份 %d 无效：应为 2000 至 2100 之间的四位年份", *year)
	}
	st, err := openExisting(ctx, *db, *keyFile)
	if err != nil {
		return err
	}
	defer st.Close()
	rep, err := stats.Build(ctx, st, *year)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "%d 年\t设区市\t职业\t等级\t竞赛选手\t认定考生\t合格\t发证\t\n", rep.Year)
	for _, r := range rep.Rows {
		fmt.Fprintf(tw, "\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t\n", r.City, r.Occupation, stats.LevelName(r.Level),
			r.Contestants, r.Assessed, r.Passed, r.Certificates)
	}
	fmt.Fprintf(tw, "\n目标完成\t设区市\t职业\t完成\t目标\t完成率\t\n")
	for _, p := range rep.Progress {
		fmt.Fprintf(tw, "\t%s\t%s\t%d\t%d\t%s\t\n", p.City, p.Occupation, p.Achieved, p.Target, stats.Rate(p.Achieved, p.Target))
	}
	return tw.Flush()
}
