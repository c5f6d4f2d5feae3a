package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"skillscore"
	"skillscore/roster"
	"skillscore/store"
)

const rosterUsage = `用法 (usage):
  skillscore roster import --db URL --event ID或代码 --basis consent|contract|duty [--json] [--by 姓名] FILE
  skillscore roster import --db URL --event ID或代码 --dry-run [--json] FILE
      从 .xlsx 或 .csv 导入选手名单（全部合格才导入，一行不合格则一行也不导入）
      import a roster, all or nothing; --dry-run only checks and lists each row's verdict

  --basis 处理选手个人信息的合法性基础，正式导入必填 (legal basis, required unless --dry-run)：
      consent  报名同意：选手报名时已阅读告知书并同意
      contract 履行合同：为订立、履行选手作为一方当事人的合同所必需
      duty     法定职责：为履行法定职责或者法定义务所必需
  导入记录同时记下赛事当前的告知书版本（组织者在网页“个人信息保护”中编辑）。

退出状态：0 全部合格（并已导入，或 --dry-run 预检通过）；1 有不合格的行或其他错误，未导入任何数据。
原因代码见 docs/roster.md。
`

// runRoster is `skillscore roster`: for now its one action, import.
func runRoster(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "import" {
		return actionError("roster", args, rosterUsage)
	}
	return runRosterImport(ctx, args[1:], stdout, stderr)
}

func runRosterImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("roster import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, rosterUsage); fs.PrintDefaults() }
	db := fs.String("db", envOr("SKILLSCORE_DB", "sqlite:./skillscore.db"), "数据库 sqlite:PATH 或 mysql:DSN")
	keyFile := bindKeyFile(fs)
	event := fs.String("event", "", "赛事代码或编号")
	dryRun := fs.Bool("dry-run", false, "只检查并列出每行结果，不写入数据库")
	asJSON := fs.Bool("json", false, "以 JSON 输出每行结果")
	actor := fs.String("by", "cli", "导入人（写入审计日志）")
	basis := fs.String("basis", "", "合法性基础 consent|contract|duty（报名同意/履行合同/法定职责），正式导入必填")
	// FILE may come before or between the flags: parse, take one
	// positional argument, parse the rest.
	var files []string
	for rest := args; ; {
		if err := parseFlagArgs(fs, rest); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if len(files) != 1 || *event == "" {
		return usagef("roster import", "需要 --event 和一个名单文件", "--event and one roster file are required")
	}
	switch {
	case *basis != "" && store.BasisName(*basis) == "":
		return usagef("roster import", fmt.Sprintf("--basis %q 无效：应为 consent（报名同意）、contract（履行合同）或 duty（法定职责）", *basis),
			"--basis must be consent, contract or duty")
	case *basis == "" && !*dryRun:
		return usagef("roster import", "正式导入需要 --basis consent|contract|duty：处理选手个人信息的合法性基础（报名同意、履行合同或法定职责）；只预检请加 --dry-run",
			"--basis consent|contract|duty (the legal basis for the contestants' personal data) is required unless --dry-run")
	}
	path := files[0]
	data, err := os.ReadFile(path)
	if err != nil {
		return skillscore.Wrap(skillscore.EInvalid, err, fmt.Sprintf("无法读取名单文件 %s: %v", path, err))
	}
	st, ev, err := openEvent(ctx, *db, *keyFile, *event)
	if err != nil {
		return err
	}
	defer st.Close()
	rep, err := roster.Import(ctx, st, ev.ID, filepath.Base(path), data, roster.Options{DryRun: *dryRun, Actor: *actor, Basis: *basis})
	switch {
	case *asJSON:
		// Always one JSON document, so a script can read even a refusal.
		if werr := writeRosterJSON(stdout, ev, *dryRun, rep, err); werr != nil {
			return werr
		}
	case rep != nil:
		if werr := writeRosterTable(stdout, rep); werr != nil {
			return werr
		}
	}
	if err != nil {
		return err
	}
	if !*asJSON {
		if *dryRun {
			fmt.Fprintf(stdout, "预检通过：%d 行全部合格，未写入数据库（去掉 --dry-run 即可导入）\n", rep.Accepted)
		} else {
			teams := ""
			if rep.TeamCount > 0 {
				teams = fmt.Sprintf("，%d 支队伍", rep.TeamCount)
			}
			fmt.Fprintf(stdout, "已导入 %d 名选手%s到赛事 %s（导入记录 #%d）\n", rep.Stored.Contestants, teams, ev.Code, rep.Stored.ID)
			fmt.Fprintf(stdout, "合法性基础：%s；告知书：%s（SHA-256 %s）\n", store.BasisName(rep.Stored.Basis),
				noticeLabel(ctx, st, ev.ID, rep.Stored.NoticeID), rep.Stored.NoticeSHA256[:12])
		}
	}
	return nil
}

// noticeLabel names the notice an import recorded: "第 N 版" or "默认模板".
func noticeLabel(ctx context.Context, st *store.Store, eventID int64, id *int64) string {
	if id == nil {
		return "默认模板"
	}
	ns, err := st.PrivacyNotices(ctx, eventID)
	if err != nil {
		return fmt.Sprintf("#%d", *id) // the import is stored; only its label failed
	}
	for _, n := range ns {
		if n.ID == *id {
			return n.Label()
		}
	}
	return fmt.Sprintf("#%d", *id)
}

func writeRosterJSON(w io.Writer, ev store.Event, dryRun bool, rep *roster.Report, err error) error {
	out := struct {
		Event    string         `json:"event"`
		DryRun   bool           `json:"dry_run"`
		Imported bool           `json:"imported"`
		Error    string         `json:"error,omitempty"`
		Code     string         `json:"error_code,omitempty"`
		Report   *roster.Report `json:"report"`
	}{Event: ev.Code, DryRun: dryRun, Imported: rep != nil && rep.Stored != nil, Report: rep}
	if err != nil {
		out.Error, out.Code = skillscore.ErrorMessage(err), skillscore.ErrorCode(err)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// writeRosterTable prints one line per row (and per further problem of a
// row), aligned for a terminal with Chinese text.
func writeRosterTable(w io.Writer, rep *roster.Report) error {
	var b strings.Builder
	var where []string
	for _, sh := range rep.Sheets {
		if sh.Name != "" {
			where = append(where, fmt.Sprintf("工作表“%s”表头在第 %d 行", sh.Name, sh.HeaderRow))
		} else {
			where = append(where, fmt.Sprintf("表头在第 %d 行", sh.HeaderRow))
		}
	}
	enc := rep.Format
	if rep.Encoding != "" {
		enc += ", " + rep.Encoding
	}
	fmt.Fprintf(&b, "名单文件 %s（%s）：%s；共 %d 行，合格 %d 行，不合格 %d 行\n",
		rep.File, enc, strings.Join(where, "，"), rep.Rows, rep.Accepted, rep.Rejected)
	if len(rep.Skipped) > 0 {
		fmt.Fprintf(&b, "未读取的工作表（隐藏或没有表头）：%s\n", strings.Join(rep.Skipped, "、"))
	}
	var ignored []string
	for _, sh := range rep.Sheets {
		for _, c := range sh.Ignored {
			ignored = append(ignored, fmt.Sprintf("%s（%s 列）", strings.Join(strings.Fields(c.Header), ""), c.Column))
		}
	}
	if len(ignored) > 0 {
		fmt.Fprintf(&b, "仅用于职业技能等级认定、本赛事未读取的列：%s\n", strings.Join(ignored, "、"))
	}
	rows := [][]string{{"行号", "结果", "姓名", "列", "原因", "说明"}}
	for _, v := range rep.Verdicts {
		row := strconv.Itoa(v.Row)
		if len(rep.Sheets) > 1 {
			row = v.Sheet + "!" + row
		}
		if v.Accepted {
			rows = append(rows, []string{row, "合格", v.Person.Name, "", "", ""})
			continue
		}
		for i, p := range v.Problems {
			col := p.Column
			if p.Header != "" {
				col += " " + strings.Join(strings.Fields(p.Header), "")
			}
			if i == 0 {
				rows = append(rows, []string{row, "不合格", v.Person.Name, col, string(p.Reason), p.Message})
			} else {
				rows = append(rows, []string{"", "", "", col, string(p.Reason), p.Message})
			}
		}
	}
	widths := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, f := range r[:len(r)-1] {
			widths[i] = max(widths[i], width(f))
		}
	}
	for _, r := range rows {
		var line strings.Builder
		for i, f := range r {
			line.WriteString(f)
			if i < len(r)-1 {
				line.WriteString(strings.Repeat(" ", widths[i]-width(f)+2))
			}
		}
		b.WriteString(strings.TrimRight(line.String(), " ") + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}
