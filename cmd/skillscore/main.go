// Command skillscore runs the skillscore scoring system.
//
//	skillscore serve   --addr HOST:PORT --db URL   the server
//	skillscore demo    --addr HOST:PORT --data DIR the server with the demo event
//	skillscore migrate --db URL                    bring a database's schema up to date
//	skillscore compute --rubric FILE --marks FILE  the scoring core, offline
//	skillscore roster import --event ID FILE       import a roster, all or nothing
//	skillscore export --event CODE --what W --out F the organizer's exports
//
// Every failure ends with one line on stderr and a non-zero exit.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"skillscore"
)

const usage = `skillscore — 职业技能竞赛与等级认定评分系统

用法 (usage):
  skillscore serve   [--addr HOST:PORT] [--db URL]     启动服务 (start the server)
  skillscore demo    [--addr HOST:PORT] [--data DIR]   启动演示赛事 (serve the demo event)
  skillscore migrate [--db URL]                        升级数据库结构 (migrate the schema)
  skillscore compute --rubric FILE --marks FILE [--contestants FILE] [--format table|json|csv]
                                                       离线计算成绩 (the scoring core, offline)
  skillscore roster import --event ID_OR_CODE [--db URL] [--dry-run] [--json] FILE
                                                       导入选手名单 .xlsx/.csv，全部合格才导入 (roster import)
  skillscore user add --username U --name N --role organizer|chief|scorekeeper [--db URL] [--password-stdin]
                                                       创建组织者、裁判长、记分员账户 (add a user)
  skillscore audit verify [--db URL]                   校验审计链 (verify the audit chain)
  skillscore backup  --out FILE [--db URL] [--force]   服务运行时备份整个数据库 (consistent backup, server may run)
  skillscore restore [--db URL] [--force] FILE         把备份恢复到空数据库，可跨 SQLite/MySQL (restore into an empty database)
  skillscore certs   --demo --out DIR | --event CODE --keys DIR --out DIR | keygen | revoke
                                                       签发、生成、撤销证书 (certificates)
  skillscore verify-cert [--keys DIR | --pubkeys FILE] TOKEN
                                                       离线核验证书签名 (check a certificate token offline)
  skillscore live    status|publish|unpublish|freeze|unfreeze|reveal --event CODE [--db URL]
                                                       公示、封榜、颁奖揭晓 (publication, freeze, ceremony)
  skillscore export  --event CODE --what results-xlsx|results-pdf|promotions-xlsx|audit-csv --out FILE [--db URL]
                                                       导出成绩汇总表、晋升名单、审计记录 (exports)
  skillscore draw    --event CODE [--db URL] [--layer 2] [--seed HEX] [--sheet FILE.pdf]
                                                       抽签加密、二次加密、抽签结果表 (draw)
  skillscore decrypt --event CODE [--db URL]           全部模块签字确认后解密 (decrypt)
  skillscore stats   [--db URL] [--year Y] [--json]    按设区市统计人数与年度目标 (statistics against targets)
  skillscore scores import --event CODE [--db URL] [--module CODE] [--json] FILE.xlsx
                                                       导入理论成绩，全部合格才导入 (theory scores import)
  skillscore judges import|cards --event CODE [--db URL] FILE.xlsx | --url BASE --out FILE.pdf
                                                       导入裁判及裁判组；打印裁判登录卡 (judges import, judge cards)

URL: sqlite:PATH (默认 sqlite:./skillscore.db) 或 mysql:DSN
     例如 mysql:root@tcp(127.0.0.1:3306)/skillscore
运行 "skillscore COMMAND -h" 查看各命令的参数。
`

// errUsage marks a command-line mistake: exit status 2 instead of 1.
var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		if !errors.Is(err, errUsage) {
			fmt.Fprintln(os.Stderr, "skillscore:", oneLine(err))
			os.Exit(1)
		}
		os.Exit(2)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	switch args[0] {
	case "serve":
		return runServe(ctx, args[1:], stdout, stderr)
	case "demo":
		return runDemo(ctx, args[1:], stdout, stderr)
	case "migrate":
		return runMigrate(ctx, args[1:], stdout, stderr)
	case "compute":
		return runCompute(args[1:], stdout, stderr)
	case "roster":
		return runRoster(ctx, args[1:], stdout, stderr)
	case "user":
		return runUser(ctx, args[1:], os.Stdin, stdout, stderr)
	case "audit":
		return runAudit(ctx, args[1:], stdout, stderr)
	case "backup":
		return runBackup(ctx, args[1:], stdout, stderr)
	case "restore":
		return runRestore(ctx, args[1:], stdout, stderr)
	case "certs":
		return runCerts(ctx, args[1:], stdout, stderr)
	case "verify-cert":
		return runVerifyCert(args[1:], stdout, stderr)
	case "live":
		return runLive(ctx, args[1:], stdout, stderr)
	case "export":
		return runExport(ctx, args[1:], stdout, stderr)
	case "draw":
		return runDraw(ctx, args[1:], stdout, stderr)
	case "stats":
		return runStats(ctx, args[1:], stdout, stderr)
	case "decrypt":
		return runDecrypt(ctx, args[1:], stdout, stderr)
	case "scores":
		return runScores(ctx, args[1:], stdout, stderr)
	case "judges":
		return runJudges(ctx, args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprintf(stderr, "skillscore: 未知命令 %q\n\n%s", args[0], usage)
		return errUsage
	}
}

// parseFlags parses a subcommand's flags, printing usage on error, and
// rejects stray positional arguments.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "skillscore %s: 多余的参数 %q\n", fs.Name(), fs.Args())
		return errUsage
	}
	return nil
}

// oneLine renders an error for the terminal: the human message of a
// skillscore.Error (its cause stays in the logs), any other error as is.
func oneLine(err error) string {
	var se *skillscore.Error
	if errors.As(err, &se) {
		return se.Message
	}
	return err.Error()
}

// envOr returns the environment variable's value, or def when it is unset.
func envOr(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}
