package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"skillscore"
	"skillscore/live"
	"skillscore/programme"
	"skillscore/store"
)

const programmeUsage = `skillscore programme — 大赛：赛项、代表队与代表队奖牌榜 (programmes)

  skillscore programme new --code CODE --name 名称 --year 2026 [--rules FILE.json]
                                           新建大赛（规则见 docs/programme.md；默认按一/二/三等奖计数）
  skillscore programme add-event --programme CODE --event CODE
                                           把一个赛项加入大赛
  skillscore programme rules --programme CODE --rules FILE.json
                                           更换大赛规则（代表队榜排序、团体奖）
  skillscore programme delegations import --programme CODE FILE.xlsx|.csv
                                           导入代表队（代码、名称、类别 设区市/行业/单位；全部合格才导入）
  skillscore programme table --programme CODE [--json]
                                           打印代表队奖牌榜与团体积分（只计已公示或已确认成绩的赛项）

共同参数: --db URL (env SKILLSCORE_DB)，--by 操作人（记入审计日志）。
`

func runProgramme(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return actionError("programme", args, programmeUsage)
	}
	if args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stderr, programmeUsage)
		return nil
	}
	action := args[0]
	rest := args[1:]
	if action == "delegations" {
		if len(rest) == 0 || rest[0] != "import" {
			return actionError("programme delegations", rest, programmeUsage)
		}
		action, rest = "delegations import", rest[1:]
	}
	fs := flag.NewFlagSet("programme "+action, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, programmeUsage); fs.PrintDefaults() }
	db := fs.String("db", envOr("SKILLSCORE_DB", "sqlite:./skillscore.db"), "数据库 sqlite:PATH 或 mysql:DSN")
	keyFile := bindKeyFile(fs)
	code := fs.String("code", "", "大赛代码（new）")
	name := fs.String("name", "", "大赛名称（new）")
	year := fs.Int("year", 0, "年份（new）")
	rulesFile := fs.String("rules", "", "大赛规则 JSON 文件")
	prog := fs.String("programme", "", "大赛代码")
	event := fs.String("event", "", "赛项（赛事）代码或编号")
	asJSON := fs.Bool("json", false, "以 JSON 输出（table）")
	actor := fs.String("by", envOr("USER", "organizer"), "操作人（记入审计日志）")
	switch action {
	case "new", "add-event", "rules", "table":
		if err := parseFlags(fs, rest); err != nil {
			return err
		}
	case "delegations import":
		if err := parseFlagArgs(fs, rest); err != nil {
			return err
		}
		if fs.NArg() != 1 {
			return usagef(fs.Name(), "需要一个代表队表文件 FILE.xlsx 或 .csv", "one delegations file is required")
		}
	default:
		return actionError("programme", args, programmeUsage)
	}
	if action != "new" && *prog == "" {
		return usagef(fs.Name(), "需要 --programme CODE", "--programme is required")
	}
	st, err := openExisting(ctx, *db, *keyFile)
	if err != nil {
		return err
	}
	defer st.Close()
	switch action {
	case "new":
		rules := ""
		if *rulesFile != "" {
			b, err := os.ReadFile(*rulesFile)
			if err != nil {
				return skillscore.Wrap(skillscore.EInvalid, err, "无法读取规则文件 "+*rulesFile)
			}
			rules = string(b)
		}
		p, err := st.CreateProgramme(ctx, store.Programme{Code: *code, Name: *name, Year: *year, Rules: rules}, *actor)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "已新建大赛 %s（%s）\n", p.Name, p.Code)
		return nil
	}
	p, err := st.ProgrammeByCode(ctx, *prog)
	if err != nil {
		return err
	}
	switch action {
	case "add-event":
		if *event == "" {
			return usagef(fs.Name(), "需要 --event CODE", "--event is required")
		}
		ev, err := eventByIDOrCode(ctx, st, *event)
		if err != nil {
			return err
		}
		if err := st.AddEventToProgramme(ctx, p.ID, ev.ID, *actor); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "赛项 %s 已加入大赛 %s\n", ev.Name, p.Name)
	case "rules":
		if *rulesFile == "" {
			return usagef(fs.Name(), "需要 --rules FILE.json", "--rules is required")
		}
		b, err := os.ReadFile(*rulesFile)
		if err != nil {
			return skillscore.Wrap(skillscore.EInvalid, err, "无法读取规则文件 "+*rulesFile)
		}
		if err := st.SetProgrammeRules(ctx, p.ID, string(b), *actor); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "大赛 %s 的规则已更新\n", p.Name)
	case "delegations import":
		file := fs.Arg(0)
		data, err := os.ReadFile(file)
		if err != nil {
			return skillscore.Wrap(skillscore.EInvalid, err, "无法读取代表队表 "+file)
		}
		added, updated, err := importDelegations(ctx, st, p.ID, file, data, *actor)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "代表队已导入：新增 %d 个，更新 %d 个\n", added, updated)
	case "table":
		b, err := live.ProgrammeTable(ctx, st, st, p.Code, time.Now())
		if err != nil {
			return err
		}
		if *asJSON {
			enc := json.NewEncoder(stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(b)
		}
		printTable(stdout, b)
	}
	return nil
}

// importDelegations reads a delegations sheet and stores it all or none.
func importDelegations(ctx context.Context, st *store.Store, programmeID int64, file string, data []byte, actor string) (int, int, error) {
	rows, err := programme.ReadDelegations(file, data)
	if err != nil {
		return 0, 0, err
	}
	ds := make([]store.Delegation, len(rows))
	nums := make([]int, len(rows))
	for i, r := range rows {
		ds[i] = store.Delegation{ProgrammeID: programmeID, Code: r.Code, Name: r.Name, Kind: store.ParseDelegationKind(r.Kind)}
		nums[i] = r.Row
	}
	return st.ImportDelegations(ctx, programmeID, ds, nums, actor)
}

// printTable writes the delegation table as text, each row with its reasons.
func printTable(w io.Writer, b *live.ProgrammeBoard) {
	fmt.Fprintf(w, "%s（%d）代表队奖牌榜：计入 %d 个赛项，%d 个赛项成绩未公示\n\n", b.Programme.Name, b.Programme.Year,
		b.Table.Counted, b.Table.Pending)
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	head := []string{"名次", "代表队"}
	for _, band := range b.Table.Bands {
		head = append(head, band.Name)
	}
	head = append(head, "合计")
	if b.Table.Team {
		head = append(head, "团体积分", "团体名次", "团体奖")
	}
	fmt.Fprintln(tw, strings.Join(head, "\t"))
	for _, r := range b.Table.Rows {
		pos := fmt.Sprint(r.Position)
		if r.Shared {
			pos += "="
		}
		cells := []string{pos, r.Name}
		for _, n := range r.Counts {
			cells = append(cells, fmt.Sprint(n))
		}
		cells = append(cells, fmt.Sprint(r.Awards))
		if b.Table.Team {
			cells = append(cells, fmt.Sprint(r.Points), fmt.Sprint(r.TeamRank), r.Prize)
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	tw.Flush()
	fmt.Fprintln(w, "\n依据 (reasons):")
	for _, r := range b.Table.Rows {
		for _, why := range r.Reasons {
			fmt.Fprintln(w, "  "+why)
		}
	}
	fmt.Fprintln(w, "\n赛项 (events):")
	for _, e := range b.Events {
		fmt.Fprintf(w, "  %s  %s  %s  选手 %d 人\n", e.Code, e.Name, e.StatusName, e.Contestants)
	}
}
