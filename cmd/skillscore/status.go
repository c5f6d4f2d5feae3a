package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"

	"skillscore"
	"skillscore/scoring"
)

const statusUsage = `用法 (usage):
  skillscore status --event 代码 --contestant 参赛编号或选手编号 --set absent|withdrew|disqualified|ineligible|clear
                    [--reason 原因] [--by 姓名] [--db URL] [--key-file FILE]
      设置选手状态：absent 缺考、withdrew 弃权、disqualified 取消资格、ineligible 不参与评奖，clear 恢复参赛。
      取消资格与不参与评奖须有 --reason（随成绩公示）。成绩最终确认后拒绝。记入审计日志。
`

func runStatus(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("status", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, statusUsage); fs.PrintDefaults() }
	db := fs.String("db", envOr("SKILLSCORE_DB", "sqlite:./skillscore.db"), "数据库 sqlite:PATH 或 mysql:DSN")
	keyFile := bindKeyFile(fs)
	event := fs.String("event", "", "赛事代码或编号")
	who := fs.String("contestant", "", "参赛编号（抽签后的编号）或选手编号")
	set := fs.String("set", "", "absent|withdrew|disqualified|ineligible|clear")
	reason := fs.String("reason", "", "原因（取消资格、不参与评奖必填）")
	by := fs.String("by", envOr("USER", "cli"), "操作人（写入审计日志）")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *event == "" || *who == "" || *set == "" {
		return usagef("status", "需要 --event、--contestant 和 --set", "--event, --contestant and --set are required")
	}
	status := *set
	if status == "clear" {
		status = ""
	} else if !scoring.ValidStatus(status) {
		return usagef("status", fmt.Sprintf("--set %q 未知：须为 absent、withdrew、disqualified、ineligible 或 clear", *set), "unknown status")
	}
	st, ev, err := openEvent(ctx, *db, *keyFile, *event)
	if err != nil {
		return err
	}
	defer st.Close()
	cs, err := st.Contestants(ctx, ev.ID)
	if err != nil {
		return err
	}
	var id int64
	name := ""
	for _, c := range cs {
		if c.Code != nil && *c.Code == *who {
			id, name = c.ID, *c.Code
		}
	}
	if id == 0 {
		n, perr := strconv.ParseInt(*who, 10, 64)
		for _, c := range cs {
			if perr == nil && c.ID == n {
				id, name = c.ID, "选手 "+*who
			}
		}
	}
	if id == 0 {
		return skillscore.Errorf(skillscore.ENotFound, "赛事 %s 没有参赛编号或选手编号为 %s 的选手", ev.Code, *who)
	}
	if err := st.SetContestantStatus(ctx, ev.ID, id, status, *reason, *by); err != nil {
		return err
	}
	if status == "" {
		fmt.Fprintf(stdout, "%s：%s 已恢复参赛；已记入审计日志\n", ev.Name, name)
		return nil
	}
	fmt.Fprintf(stdout, "%s：%s 已设为%s；已记入审计日志\n", ev.Name, name, scoring.StatusName(status))
	return nil
}
