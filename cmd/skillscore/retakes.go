package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"

	"skillscore/retakes"
	"skillscore/scoring"
	"skillscore/store"
)

const retakesUsage = `用法 (usage):
  skillscore retakes check --event 批次代码 [--dry-run] [--json] [--by 姓名] [--db URL] [--key-file FILE]
      核对补考：为考生来源为“补考”的考生，按证件号码（加密索引）查找同职业、同等级的以往认定成绩，
      列出可沿用的合格部分（来源批次、日期、有效期）和不能沿用的考生及原因，并保存沿用记录（记入审计日志）。
      --dry-run 只列出，不保存。docs/retakes.md
`

// retakesOutput is the --json form of a check.
type retakesOutput struct {
	Event   string             `json:"event"`
	BatchNo string             `json:"batch_no"`
	Saved   bool               `json:"saved"`
	Found   []retakesCandidate `json:"found"`
	Refused []retakesCandidate `json:"refused"`
}

type retakesCandidate struct {
	Contestant int64               `json:"contestant"`
	Name       string              `json:"name"`
	Carried    []store.CarriedPart `json:"carried,omitempty"`
	Reason     string              `json:"reason,omitempty"`
	Notes      []string            `json:"notes,omitempty"`
}

func runRetakes(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "check" {
		return actionError("retakes", args, retakesUsage)
	}
	fs := flag.NewFlagSet("retakes", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, retakesUsage); fs.PrintDefaults() }
	db := fs.String("db", envOr("SKILLSCORE_DB", "sqlite:./skillscore.db"), "数据库 sqlite:PATH 或 mysql:DSN")
	keyFile := bindKeyFile(fs)
	event := fs.String("event", "", "批次的赛事代码或编号")
	dry := fs.Bool("dry-run", false, "只列出核对结果，不保存")
	asJSON := fs.Bool("json", false, "以 JSON 输出")
	by := fs.String("by", envOr("USER", "cli"), "操作人（写入审计日志）")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if *event == "" {
		return usagef("retakes", "需要 --event", "--event is required")
	}
	st, ev, err := openEvent(ctx, *db, *keyFile, *event)
	if err != nil {
		return err
	}
	defer st.Close()
	var rep retakes.Report
	if *dry {
		rep, err = retakes.Check(ctx, st, ev.ID)
	} else {
		rep, err = retakes.Apply(ctx, st, ev.ID, *by)
	}
	if err != nil {
		return err
	}
	out := retakesOutput{Event: ev.Code, BatchNo: rep.Batch.BatchNo, Saved: !*dry, Found: []retakesCandidate{}, Refused: []retakesCandidate{}}
	for _, c := range rep.Candidates {
		rc := retakesCandidate{Contestant: c.ContestantID, Name: c.Name, Carried: c.Carried, Reason: c.Refused, Notes: c.Notes}
		if c.Refused != "" {
			out.Refused = append(out.Refused, rc)
		} else {
			out.Found = append(out.Found, rc)
		}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	fmt.Fprintf(stdout, "%s（批次号 %s）核对补考：可沿用 %d 人，不能沿用 %d 人\n", ev.Name, rep.Batch.BatchNo, len(out.Found), len(out.Refused))
	for _, c := range out.Found {
		var parts []string
		for _, cp := range c.Carried {
			src := scoring.CarrySource{BatchNo: cp.SourceBatchNo, Date: cp.SourceDate}
			parts = append(parts, fmt.Sprintf("%s %s 分 %s，有效期至 %s", retakes.PartName(cp.Part), scoring.Decimal(cp.Score),
				scoring.PartVerdict{Verdict: scoring.VerdictCarried, Source: &src}.Text(), cp.ValidUntil))
		}
		fmt.Fprintf(stdout, "  沿用  %s（考生 %d）：%s\n", c.Name, c.Contestant, strings.Join(parts, "；"))
	}
	for _, c := range out.Refused {
		fmt.Fprintf(stdout, "  不能  %s（考生 %d）：%s\n", c.Name, c.Contestant, c.Reason)
	}
	if *dry {
		fmt.Fprintln(stdout, "（--dry-run：未保存）")
	} else {
		fmt.Fprintln(stdout, "已保存沿用记录，并记入审计日志")
	}
	return nil
}
