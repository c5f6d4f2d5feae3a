package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"skillscore"
	"skillscore/certificates"
	"skillscore/imports"
	"skillscore/judges"
	"skillscore/scoring"
	"skillscore/sheets"
	"skillscore/store"
)

const scoresUsage = `用法 (usage):
  skillscore scores import --db URL --event 代码 [--module 模块代码或名称] [--allow-missing] [--json] [--by 姓名] FILE.xlsx|FILE.csv
      导入理论知识等导入模块的成绩（.xlsx 或考试系统导出的 .csv）：按证件号码、准考证号（参赛证号）或加密号
      匹配，成绩 0 到模块满分、最多 4 位小数，未参加考试的填“缺考”。与名单逐一核对：名单中没有的人、
      姓名不符、同一人多行、成绩超出范围，有任何一处则一行也不导入，逐行列出行号、列号和原因（--json 输出 JSON）。
      等级认定批次的文件须包含名单中的每名考生；--allow-missing 只导入文件中的成绩，并列出缺少的考生。
`

const judgesUsage = `用法 (usage):
  skillscore judges import --db URL --event 代码 [--json] [--by 姓名] FILE.xlsx
      导入裁判：列 姓名、单位、设区市、模块（多个用“、”分隔）、裁判长（是/否）、编号（可空，自动编 J01…）。
      全部合格才导入，否则逐行列出原因。
  skillscore judges cards --db URL --event 代码 --url http://服务器地址:端口 --out FILE.pdf [--by 姓名]
      为所有已分组的裁判各发放一次性平板登录（二维码 + 6 位 PIN），输出为一个 PDF，每页 6 张。
`

// importFlags are the flags every import shares.
type importFlags struct {
	fs      *flag.FlagSet
	db      *string
	event   *string
	actor   *string
	asJSON  *bool
	keyFile *string
}

func newImportFlags(name, usage string, stderr io.Writer) importFlags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage); fs.PrintDefaults() }
	return importFlags{fs: fs,
		db:     fs.String("db", envOr("SKILLSCORE_DB", "sqlite:./skillscore.db"), "数据库 sqlite:PATH 或 mysql:DSN"),
		event:  fs.String("event", "", "赛事代码或编号"),
		actor:  fs.String("by", "cli", "导入人（写入审计日志）"),
		asJSON: fs.Bool("json", false, "以 JSON 输出结果"), keyFile: bindKeyFile(fs)}
}

// parse parses the flags with exactly one FILE after them.
func (f importFlags) parse(args []string) (string, error) {
	if err := parseFlagArgs(f.fs, args); err != nil {
		return "", err
	}
	if *f.event == "" || f.fs.NArg() != 1 {
		return "", usagef(f.fs.Name(), "需要 --event CODE 和一个 .xlsx 文件", "--event and one FILE.xlsx are required")
	}
	return f.fs.Arg(0), nil
}

func (f importFlags) open(ctx context.Context) (*store.Store, store.Event, error) {
	st, err := openExisting(ctx, *f.db, *f.keyFile)
	if err != nil {
		return nil, store.Event{}, err
	}
	ev, err := eventByIDOrCode(ctx, st, *f.event)
	if err != nil {
		st.Close()
		return nil, store.Event{}, err
	}
	return st, ev, nil
}

func readImportFile(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, skillscore.Wrap(skillscore.EInvalid, err, fmt.Sprintf("无法读取文件 %s: %v", path, err))
	}
	return data, nil
}

// reportProblems prints every bad row and returns the one-line error.
func reportProblems(stdout io.Writer, asJSON bool, what string, ps []imports.Problem) error {
	if asJSON {
		json.NewEncoder(stdout).Encode(map[string]any{"imported": 0, "problems": ps})
	} else {
		for _, p := range ps {
			fmt.Fprintln(stdout, p)
		}
	}
	return skillscore.Errorf(skillscore.EInvalid, "%s有 %d 处错误，未导入任何数据", what, len(ps))
}

func runScores(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "import" {
		return actionError("scores", args, scoresUsage)
	}
	f := newImportFlags("scores import", scoresUsage, stderr)
	module := f.fs.String("module", "", "导入成绩的模块（代码或名称；赛事只有一个时可省略）")
	allowMissing := f.fs.Bool("allow-missing", false, "等级认定批次：允许文件缺少名单中的考生（只导入文件中的成绩）")
	path, err := f.parse(args[1:])
	if err != nil {
		return err
	}
	data, err := readImportFile(path)
	if err != nil {
		return err
	}
	st, ev, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	in, err := imports.LoadScoresInput(ctx, st, ev, *module)
	if err != nil {
		return err
	}
	in.AllowMissing = *allowMissing
	plan, ps, err := imports.Scores(filepath.Base(path), data, in)
	if err != nil {
		return err
	}
	if len(ps) > 0 {
		return reportProblems(stdout, *f.asJSON, "成绩文件", ps)
	}
	if _, err := st.ImportScores(ctx, ev.ID, plan.Module.ID, plan.Scores, filepath.Base(path), *f.actor); err != nil {
		return err
	}
	missing := plan.Missing
	if missing == nil {
		missing = []imports.Missing{}
	}
	if *f.asJSON {
		return json.NewEncoder(stdout).Encode(map[string]any{"imported": len(plan.Scores), "absent": plan.Absent, "module": plan.Module.Code,
			"missing": missing, "problems": []any{}})
	}
	fmt.Fprintf(stdout, "%s：已导入 %s 成绩 %d 条（其中缺考 %d 条）\n", ev.Name, plan.Module.Name, len(plan.Scores), plan.Absent)
	if len(missing) > 0 {
		t := in.Terms
		fmt.Fprintf(stdout, "名单中有 %d 名%s在文件中没有成绩，未导入：\n", len(missing), t.Contestant)
		for _, m := range missing {
			fmt.Fprintln(stdout, "  "+m.String())
		}
	}
	return nil
}

func runJudges(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "cards" {
		return runJudgeCards(ctx, args[1:], stdout, stderr)
	}
	if len(args) == 0 || args[0] != "import" {
		return actionError("judges", args, judgesUsage)
	}
	f := newImportFlags("judges import", judgesUsage, stderr)
	path, err := f.parse(args[1:])
	if err != nil {
		return err
	}
	data, err := readImportFile(path)
	if err != nil {
		return err
	}
	st, ev, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	in, err := imports.LoadJudgesInput(ctx, st, ev.ID)
	if err != nil {
		return err
	}
	js, ps, err := imports.Judges(filepath.Base(path), data, in)
	if err != nil {
		return err
	}
	if len(ps) > 0 {
		return reportProblems(stdout, *f.asJSON, "裁判文件", ps)
	}
	out, err := st.ImportJudges(ctx, ev.ID, js, filepath.Base(path), *f.actor)
	if err != nil {
		return err
	}
	if *f.asJSON {
		return json.NewEncoder(stdout).Encode(map[string]any{"imported": len(out), "problems": []any{}})
	}
	for _, j := range out {
		fmt.Fprintf(stdout, "%s\t%s\t%s\n", j.Code, j.Name, j.Organization)
	}
	fmt.Fprintf(stdout, "%s：已导入裁判 %d 名\n", ev.Name, len(out))
	return nil
}

func runJudgeCards(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("judges cards", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, judgesUsage); fs.PrintDefaults() }
	db := fs.String("db", envOr("SKILLSCORE_DB", "sqlite:./skillscore.db"), "数据库 sqlite:PATH 或 mysql:DSN")
	keyFile := bindKeyFile(fs)
	event := fs.String("event", "", "赛事代码或编号")
	base := fs.String("url", "", "平板访问服务器的地址，如 http://10.0.0.5:8080")
	out := fs.String("out", "", "输出 PDF 路径")
	actor := fs.String("by", "cli", "发放人（写入审计日志）")
	song := fs.String("font-song", certificates.DefaultSongFont, "宋体 TrueType 字体")
	kai := fs.String("font-kai", certificates.DefaultKaiFont, "楷体 TrueType 字体")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *event == "" || *base == "" || *out == "" {
		return usagef("judges cards", "需要 --event、--url 和 --out", "--event, --url and --out are required")
	}
	fonts, err := certificates.LoadFonts(*song, *kai)
	if err != nil {
		return err
	}
	st, ev, err := openEvent(ctx, *db, *keyFile, *event)
	if err != nil {
		return err
	}
	defer st.Close()
	in, err := imports.LoadJudgesInput(ctx, st, ev.ID)
	if err != nil {
		return err
	}
	svc := judges.New(st, judges.Config{})
	defer svc.Close()
	cards, err := sheets.IssueJudgeCards(ctx, svc, ev, in.Judges, in.Panels, in.Modules, *base, *actor)
	if err != nil {
		return err
	}
	file, err := os.Create(*out)
	if err != nil {
		return skillscore.Wrap(skillscore.EInvalid, err, fmt.Sprintf("无法写入 %s: %v", *out, err))
	}
	if err := sheets.WriteJudgeCards(file, fonts, ev.Name, scoring.TermsFor(ev.Kind), cards, time.Now()); err != nil {
		file.Close()
		return err
	}
	if err := file.Close(); err != nil {
		return fmt.Errorf("write %s: %w", *out, err)
	}
	fmt.Fprintf(stdout, "已为 %d 名裁判发放登录卡：%s\n", len(cards), *out)
	return nil
}
