package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"time"

	"skillscore"
	"skillscore/store"
)

const batchReviewUsage = `用法 (usage): 等级认定批次的报审与审核、工作日历
  skillscore batch status   --event 代码 [--json]
      审核状态、公示期（按工作日计算）与审核记录。
  skillscore batch publish  --event 代码 [--start 2026-03-02T09:00:00+08:00] [--by 用户名]
      成绩公示：自 --start（默认现在）起，按批次规定的工作日数计算结束时间（扣除节假日、计入调休上班日）。
  skillscore batch submit   --event 代码 [--by 用户名]
      报审：公示期满（按批次规定的工作日数）、申诉处理完毕后提交监管部门审核；同时确认最终成绩。
  skillscore batch approve  --event 代码 --by 审核员用户名
      批准（只限持有该批次审核员授权的用户，且不能是报审人）。批准后才能编号并签发职业技能等级证书。
  skillscore batch return   --event 代码 --by 审核员用户名 --reason 原因
      退回评价机构并写明原因；最终成绩随之撤回确认，修改后可重新报审。
  skillscore batch calendar list   [--year 年份]
  skillscore batch calendar set    --day YYYY-MM-DD | --from YYYY-MM-DD --to YYYY-MM-DD
                                   --kind holiday|workday --name 名称 [--source 依据] [--by 姓名]
  skillscore batch calendar remove --day YYYY-MM-DD [--by 姓名]
      工作日历：周一至周五为工作日，holiday（放假）除外，workday（调休上班的周末）计入。
      每年按国务院办公厅公布的节假日安排录入；尚未录入的年份不能按工作日计算公示期。

共同参数: --db URL (env SKILLSCORE_DB)，--key-file FILE。每一步都记入审计日志。
`

// runBatchReview runs the 报审 and review actions of an assessment batch
// and the working-day calendar, for offices that script them.
func runBatchReview(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return actionError("batch", args, batchReviewUsage)
	}
	switch args[0] {
	case "-h", "--help", "help":
		fmt.Fprint(stderr, batchReviewUsage)
		return nil
	case "calendar":
		return runCalendar(ctx, args[1:], stdout, stderr)
	case "status", "publish", "submit", "approve", "return":
	default:
		return actionError("batch", args, batchReviewUsage)
	}
	action := args[0]
	cmd := "batch " + action
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, batchReviewUsage); fs.PrintDefaults() }
	db := fs.String("db", envOr("SKILLSCORE_DB", "sqlite:./skillscore.db"), "数据库 sqlite:PATH 或 mysql:DSN")
	keyFile := bindKeyFile(fs)
	event := fs.String("event", "", "批次（等级认定考评活动）代码或编号")
	by := fs.String("by", "", "操作人用户名（写入审计日志）；批准与退回须为该批次的审核员")
	reason := fs.String("reason", "", "退回原因（必填）")
	asJSON := fs.Bool("json", false, "以 JSON 输出审核状态")
	start := fs.String("start", "", "publish：公示开始时刻 (RFC 3339)，默认现在")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if *event == "" {
		return usagef(cmd, "需要 --event 代码", "--event is required")
	}
	switch {
	case (action == "approve" || action == "return") && *by == "":
		return usagef(cmd, "需要 --by 审核员用户名", "--by (the reviewer's username) is required")
	case action == "return" && *reason == "":
		return usagef(cmd, "退回须写明 --reason 原因", "--reason is required")
	case (action == "submit" || action == "publish") && *by == "":
		*by = envOr("USER", "cli")
	}
	from := time.Now()
	if *start != "" {
		var perr error
		if from, perr = time.Parse(time.RFC3339, *start); perr != nil {
			return usagef(cmd, fmt.Sprintf("--start %q 无效：应为 RFC 3339 时刻，如 2026-03-02T09:00:00+08:00", *start), "--start must be RFC 3339")
		}
	}
	st, ev, err := openEvent(ctx, *db, *keyFile, *event)
	if err != nil {
		return err
	}
	defer st.Close()
	switch action {
	case "publish":
		if ev.Kind != "assessment" {
			return skillscore.Errorf(skillscore.EInvalid, "%s 是竞赛，不是等级认定批次：竞赛的公示用 skillscore live publish --until", ev.Code)
		}
		_, err = st.PublishResults(ctx, ev.ID, from, time.Time{}, *by)
	case "submit":
		err = st.SubmitBatch(ctx, ev.ID, *by)
	case "approve":
		err = st.ApproveBatch(ctx, ev.ID, *by)
	case "return":
		err = st.ReturnBatch(ctx, ev.ID, *reason, *by)
	}
	if err != nil {
		return err
	}
	r, err := st.BatchReview(ctx, ev.ID)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeReviewJSON(stdout, r)
	}
	writeReview(stdout, r, time.Now())
	return nil
}

// writeReview prints a batch's review for a person: state, 公示, history.
func writeReview(w io.Writer, r store.Review, now time.Time) {
	fmt.Fprintf(w, "%s %s：%s\n", r.Event.Code, r.Event.Name, store.ReviewStateName(r.State))
	if r.Published() {
		fmt.Fprintf(w, "公示期 %s 至 %s（北京时间），%d 个工作日（本批次规定 %d 个，应至 %s）\n",
			cliTime(r.Workflow.PublishedAt.Time), cliTime(r.Workflow.PublicationEnd.Time), r.WorkingDays, r.PublicityDays, cliTime(r.Required.End))
	} else {
		fmt.Fprintf(w, "尚未公示（本批次公示 %d 个工作日）\n", r.PublicityDays)
	}
	if len(r.Unknown) > 0 {
		fmt.Fprintf(w, "注意：工作日历中还没有 %v 年的节假日安排\n", r.Unknown)
	}
	for _, s := range r.Steps {
		line := fmt.Sprintf("  %s %s %s", cliTime(s.ActedAt.Time), store.ReviewActionName(s.Action), s.Actor)
		if s.Reason != "" {
			line += "：" + s.Reason
		}
		fmt.Fprintln(w, line)
	}
	if err := r.SubmitAllowed(now); err == nil {
		fmt.Fprintln(w, "可以报审：skillscore batch submit --event "+r.Event.Code)
	}
}

func writeReviewJSON(w io.Writer, r store.Review) error {
	type step struct {
		At     string `json:"at"`
		Action string `json:"action"`
		Actor  string `json:"actor"`
		Reason string `json:"reason,omitempty"`
	}
	out := struct {
		Event         string `json:"event"`
		BatchNo       string `json:"batch_no"`
		State         string `json:"state"`
		PublicityDays int    `json:"publicity_days"`
		PublishedAt   string `json:"published_at,omitempty"`
		PublicationTo string `json:"publication_end,omitempty"`
		WorkingDays   int    `json:"working_days"`
		RequiredEnd   string `json:"required_end,omitempty"`
		Steps         []step `json:"steps"`
	}{Event: r.Event.Code, BatchNo: r.BatchNo, State: r.State, PublicityDays: r.PublicityDays, WorkingDays: r.WorkingDays, Steps: []step{}}
	if r.State == "" {
		out.State = "none"
	}
	if r.Published() {
		out.PublishedAt = r.Workflow.PublishedAt.Format(time.RFC3339)
		out.PublicationTo = r.Workflow.PublicationEnd.Format(time.RFC3339)
		out.RequiredEnd = r.Required.End.Format(time.RFC3339)
	}
	for _, s := range r.Steps {
		out.Steps = append(out.Steps, step{s.ActedAt.Format(time.RFC3339), s.Action, s.Actor, s.Reason})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func cliTime(t time.Time) string { return t.In(skillscore.China()).Format("2006-01-02 15:04") }

// runCalendar lists and extends the working-day calendar.
func runCalendar(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return actionError("batch calendar", args, batchReviewUsage)
	}
	action := args[0]
	switch action {
	case "list", "set", "remove":
	default:
		return actionError("batch calendar", args, batchReviewUsage)
	}
	cmd := "batch calendar " + action
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, batchReviewUsage); fs.PrintDefaults() }
	db := fs.String("db", envOr("SKILLSCORE_DB", "sqlite:./skillscore.db"), "数据库 sqlite:PATH 或 mysql:DSN")
	keyFile := bindKeyFile(fs)
	year := fs.Int("year", 0, "list：只列这一年")
	day := fs.String("day", "", "日期 YYYY-MM-DD")
	from := fs.String("from", "", "set：起始日期（与 --to 一起录入连续的日期）")
	to := fs.String("to", "", "set：结束日期（含）")
	kind := fs.String("kind", "", "holiday（放假）或 workday（调休上班）")
	name := fs.String("name", "", "名称，如 春节、春节调休上班")
	source := fs.String("source", "", "依据，如 国务院办公厅关于2027年部分节假日安排的通知")
	by := fs.String("by", envOr("USER", "cli"), "操作人（写入审计日志）")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	st, err := openExisting(ctx, *db, *keyFile)
	if err != nil {
		return err
	}
	defer st.Close()
	switch action {
	case "remove":
		if *day == "" {
			return usagef(cmd, "需要 --day YYYY-MM-DD", "--day is required")
		}
		if err := st.RemoveCalendarDay(ctx, *day, *by); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "已从工作日历删除 %s\n", *day)
		return nil
	case "set":
		days, err := calendarSpan(*day, *from, *to)
		if err != nil {
			return usagef(cmd, skillscore.ErrorMessage(err), "give --day, or --from and --to")
		}
		rows := make([]store.CalendarDay, len(days))
		for i, d := range days {
			rows[i] = store.CalendarDay{Day: d, Kind: *kind, Name: *name, Source: *source}
		}
		if err := st.SetCalendarDays(ctx, rows, *by); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "已录入 %d 天（%s）：%s 至 %s\n", len(rows), rows[0].KindName(), days[0], days[len(days)-1])
		return nil
	}
	days, err := st.CalendarDays(ctx, *year)
	if err != nil {
		return err
	}
	if len(days) == 0 {
		fmt.Fprintln(stdout, "工作日历中没有录入的日期")
	}
	for _, d := range days {
		t, _ := time.Parse(time.DateOnly, d.Day)
		fmt.Fprintf(stdout, "%s %s %s %s\n", d.Day, "周"+string([]rune("日一二三四五六")[t.Weekday()]), d.KindName(), d.Name)
	}
	return nil
}

// calendarSpan is the dates a calendar set names: one --day, or every date
// from --from to --to (at most 31).
func calendarSpan(day, from, to string) ([]string, error) {
	switch {
	case day != "" && from == "" && to == "":
		return []string{day}, nil
	case day == "" && from != "" && to != "":
	default:
		return nil, skillscore.Errorf(skillscore.EInvalid, "请给出 --day，或同时给出 --from 和 --to")
	}
	a, err1 := time.Parse(time.DateOnly, from)
	b, err2 := time.Parse(time.DateOnly, to)
	if err1 != nil || err2 != nil || b.Before(a) || b.Sub(a) > 30*24*time.Hour {
		return nil, skillscore.Errorf(skillscore.EInvalid, "--from %q --to %q 无效：应为 YYYY-MM-DD，结束不早于开始，至多 31 天", from, to)
	}
	var out []string
	for d := a; !d.After(b); d = d.AddDate(0, 0, 1) {
		out = append(out, d.Format(time.DateOnly))
	}
	return out, nil
}
