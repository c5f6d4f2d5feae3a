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
	"regexp"
	"slices"
	"strings"
	"syscall"
	"time"
	"unicode"
	"unicode/utf8"

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
  skillscore scores import --event CODE [--db URL] [--module CODE] [--allow-missing] [--json] FILE.xlsx|FILE.csv
                                                       导入理论成绩，与名单核对、全部合格才导入 (theory scores import)
  skillscore judges import|cards --event CODE [--db URL] FILE.xlsx | --url BASE --out FILE.pdf
                                                       导入裁判及裁判组；打印裁判登录卡 (judges import, judge cards)
  skillscore photos  import --event CODE [--db URL] [--photos DIR] [--dry-run] 目录|FILE.zip | prune
                                                       导入以证件号码命名的照片，照片库中改以随机编号保存 (photo store import)
  skillscore person  export --id 证件号码 --name 姓名 --reason 原因 --out FILE.json|.xlsx | correct --event CODE ...
                                                       本人信息查阅导出、更正姓名或证件号码 (subject access export, corrections)
  skillscore purge   --event CODE [--dry-run] [--by NAME] [--db URL]
                                                       保存期限届满后永久清除赛事的个人信息 (retention purge)

  skillscore sessions import|template|list|cards|sheet --event CODE [--db URL] ...
                                                       场次表导入、检录进度、参赛证、检录表与场次时间表 (sessions and 检录)
  skillscore admission numbers|tickets|signin|doors --event CODE [--db URL] [--photos DIR] --out FILE.pdf
                                                       认定批次：准考证号、准考证、签到表、门贴 (assessment admission papers)
  skillscore programme new|add-event|rules|delegations import|table --programme CODE [--db URL]
                                                       大赛：加入赛项、导入代表队、代表队奖牌榜 (programmes, delegation table)
  skillscore batch   new|rooms|show|seats [--event CODE] [--db URL] ...
                                                       职业技能等级认定批次：新建、考场、总览、分配座位 (assessment batches)
  skillscore status  --event CODE --contestant CODE_OR_ID --set absent|withdrew|disqualified|ineligible|clear [--reason R]
                                                       选手缺考、弃权、取消资格、不参与评奖 (contestant status)
  skillscore batch   status|publish|submit|approve|return --event CODE [--by 用户名] [--reason 原因] | calendar list|set|remove
                                                       认定批次报审、监管部门批准或退回；公示用的工作日历 (batch review, working-day calendar)
  skillscore report  --batch 批次号 --out FILE.xlsx|.json [--photos FILE.zip] | --doc summary|register|transcripts ...
                                                       认定批次的证书数据报送、成绩汇总表、证书发放登记表、成绩单 (batch report)
  skillscore retakes check --event CODE [--dry-run] [--json] [--db URL]
                                                       核对补考：沿用以往批次已合格的部分 (carry passed parts into a 补考)
  skillscore sheets  record|signin|duties|settings --event CODE [--db URL] ... --out FILE.pdf
                                                       评分记录表（空白/已填）、签到表、裁判分工表 (signed paper trail)
  skillscore recheck start|show|report --event CODE [--seed HEX] [--out FILE.pdf]
                                                       成绩复核：抽样、进度、复核报告 (result re-check before publication)
  skillscore archive --event CODE --out FILE.zip [--years 5] | verify (--pubkeys FILE|--fingerprint HEX) FILE.zip
                                                       归档赛事记录并签名、离线核验归档 (signed archive, offline check)
  skillscore event   delete --event CODE --confirm CODE 删除赛事（归档保存期内拒绝）(delete an event)
  skillscore keys    new|status|rotate --key-file PATH [--db URL]
                                                       个人信息加密密钥：生成、查看、轮换 (personal-data keys)
URL: sqlite:PATH (默认 sqlite:./skillscore.db) 或 mysql:DSN
     例如 mysql:root@tcp(127.0.0.1:3306)/skillscore
     只有 serve、demo、migrate、restore 会新建 SQLite 文件；其他命令要求文件已存在
     (only serve, demo, migrate and restore create a SQLite file)
运行 "skillscore COMMAND -h" 查看各命令的参数。
`

// errUsage marks a command-line mistake: exit status 2 instead of 1.
var errUsage = errors.New("usage")

// usageError is a command-line mistake, reported by main in one line,
// Chinese first with the English after it as help shows it, and exit status 2.
type usageError struct {
	cmd    string // "stats", "live status": the command the line names
	zh, en string
	help   string // printed after the line; empty means a hint to run -h
}

func (e *usageError) Error() string {
	prefix := "skillscore"
	if e.cmd != "" {
		prefix += " " + e.cmd
	}
	return fmt.Sprintf("%s: %s (%s)", prefix, e.zh, e.en)
}

func (e *usageError) Is(target error) bool { return target == errUsage }

// usagef reports a command-line mistake of cmd.
func usagef(cmd, zh, en string) error { return &usageError{cmd: cmd, zh: zh, en: en} }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(report(err, os.Stderr))
}

// report is the one place that turns a command's error into what the user
// sees and the exit status: 0 for help, 2 for a command-line mistake, 1 for
// a failure. Every line starts with Chinese.
func report(err error, stderr io.Writer) int {
	var ue *usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintln(stderr, ue.Error())
		switch {
		case ue.help != "":
			fmt.Fprint(stderr, "\n"+ue.help)
		case ue.cmd != "":
			fmt.Fprintf(stderr, "运行 \"skillscore %s -h\" 查看参数 (run it with -h for its flags)\n", ue.cmd)
		}
		return 2
	case errors.Is(err, errUsage):
		return 2 // the command has printed its own lines
	}
	fmt.Fprintln(stderr, "skillscore:", chineseFirst(oneLine(err)))
	return 1
}

// chineseFirst leads a message with Chinese: one that names a flag first
// (--at "x" 无效) gets "参数", any other (an unexpected error from a
// library, in English) "操作失败：".
func chineseFirst(msg string) string {
	r, _ := utf8.DecodeRuneInString(msg)
	switch {
	case unicode.Is(unicode.Han, r):
		return msg
	case strings.HasPrefix(msg, "-"):
		return "参数 " + msg
	}
	return "操作失败：" + msg
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return &usageError{zh: "缺少命令", en: "missing command", help: usage}
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
	case "person":
		return runPerson(ctx, args[1:], os.Stdin, stdout, stderr)
	case "purge":
		return runPurge(ctx, args[1:], stdout, stderr)
	case "keys":
		return runKeys(ctx, args[1:], stdout, stderr)
	case "photos":
		return runPhotos(ctx, args[1:], stdout, stderr)
	// Sessions (场次) and 检录 (issue 14).
	case "sessions":
		return runSessions(ctx, args[1:], stdout, stderr)
	case "admission": // an assessment batch's 准考证, 签到表, 门贴 (issue 15)
		return runAdmission(ctx, args[1:], stdout, stderr)
	// issue 14 programme: the 大赛 level
	case "programme":
		return runProgramme(ctx, args[1:], stdout, stderr)
	case "batch": // assessment batches (issue 15)
		return runBatch(ctx, args[1:], stdout, stderr)
	case "status": // contestant statuses (issue 14)
		return runStatus(ctx, args[1:], stdout, stderr)
	case "report": // an assessment batch's certificate data and papers (issue 15)
		return runReport(ctx, args[1:], stdout, stderr)
	case "archive": // issue 16 archive: the signed ZIP of an event's records and its check
		return runArchive(ctx, args[1:], stdout, stderr)
	case "event": // issue 16 archive: deleting an event, refused while retention-locked
		return runEvent(ctx, args[1:], stdout, stderr)
	case "retakes": // 核对补考 (issue 15)
		return runRetakes(ctx, args[1:], stdout, stderr)
	case "sheets": // the signed paper trail: 评分记录表, 签到表, 裁判分工表 (issue 16)
		return runSheets(ctx, args[1:], stdout, stderr)
	case "recheck": // 成绩复核 (issue 16)
		return runRecheck(ctx, args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		return &usageError{zh: fmt.Sprintf("未知命令 %q", args[0]), en: "unknown command", help: usage}
	}
}

// actionError reports a command whose action (roster import, audit verify)
// is missing or unknown, followed by its usage.
func actionError(cmd string, args []string, help string) error {
	if len(args) == 0 {
		return &usageError{cmd: cmd, zh: "缺少操作", en: "missing action", help: help}
	}
	return &usageError{cmd: cmd, zh: fmt.Sprintf("未知操作 %q", args[0]), en: "unknown action", help: help}
}

// pickAction returns a command's action, args[0], when it is one of
// actions; otherwise the error actionError gives.
func pickAction(cmd string, args []string, help string, actions ...string) (string, error) {
	if len(args) == 0 || !slices.Contains(actions, args[0]) {
		return "", actionError(cmd, args, help)
	}
	return args[0], nil
}

// parseFlags parses a subcommand's flags and rejects stray positional
// arguments.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := parseFlagArgs(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef(fs.Name(), fmt.Sprintf("多余的参数 %q", fs.Args()), "unexpected arguments")
	}
	return nil
}

// parseFlagArgs parses a subcommand's flags, leaving positional arguments to
// the caller. The flag package's own English message and usage are
// silenced; a mistake comes back as a usage error in Chinese, and -h still
// prints the command's usage.
func parseFlagArgs(fs *flag.FlagSet, args []string) error {
	out, usage := fs.Output(), fs.Usage
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	err := fs.Parse(args)
	fs.SetOutput(out)
	fs.Usage = usage
	switch {
	case err == nil:
		return nil
	case errors.Is(err, flag.ErrHelp):
		fs.Usage()
		return err
	}
	return flagError(fs, err)
}

// flagValueRE takes the value and flag name out of the flag package's
// "invalid value" and "invalid boolean value" messages.
var flagValueRE = regexp.MustCompile(`^invalid (?:boolean )?value ("(?:[^"\\]|\\.)*") for (?:flag )?(-\S+): (.*)$`)

// flagError says in Chinese what the flag package found wrong; its English
// message follows in parentheses.
func flagError(fs *flag.FlagSet, err error) error {
	msg := err.Error()
	var zh string
	if m := flagValueRE.FindStringSubmatch(msg); m != nil {
		zh = fmt.Sprintf("参数 %s 的值 %s 无效", m[2], m[1])
		if want := flagWant(fs.Lookup(strings.TrimLeft(m[2], "-")), m[3]); want != "" {
			zh += "：" + want
		}
	} else if name, ok := strings.CutPrefix(msg, "flag provided but not defined: "); ok {
		zh = "未知参数 " + name
	} else if name, ok := strings.CutPrefix(msg, "flag needs an argument: "); ok {
		zh = "参数 " + name + " 缺少值"
	} else if arg, ok := strings.CutPrefix(msg, "bad flag syntax: "); ok {
		zh = "参数格式错误：" + arg
	} else {
		zh = "参数错误"
	}
	return usagef(fs.Name(), zh, msg)
}

// flagWant names what a flag takes, from its type.
func flagWant(f *flag.Flag, cause string) string {
	if f == nil {
		return ""
	}
	if cause == "value out of range" {
		return "超出范围"
	}
	g, ok := f.Value.(flag.Getter)
	if !ok {
		return ""
	}
	switch g.Get().(type) {
	case int, int64, uint, uint64:
		return "应为整数"
	case float64:
		return "应为数字"
	case bool:
		return "应为 true 或 false"
	case time.Duration:
		return "应为时长，如 30s、5m"
	}
	return ""
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
