package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strconv"
	"strings"

	"skillscore"
	"skillscore/exports"
	"skillscore/scoring"
)

// runCompute is `skillscore compute`: the whole scoring core offline, from a
// rules JSON and a marks CSV to results on stdout.
func runCompute(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("compute", flag.ContinueOnError)
	fs.SetOutput(stderr)
	rubric := fs.String("rubric", "", "rules JSON `file` (docs/rules.md)")
	marksPath := fs.String("marks", "", "marks CSV `file`: contestant,module,aspect,judge,value[,multiplier][,completion_time]")
	contPath := fs.String("contestants", "", "optional contestants CSV `file`: id[,group][,level][,last_promotion_year][,completion_time][,target_level]")
	recPath := fs.String("recusals", "", "optional recusals CSV `file`: contestant,module,judge")
	carriedPath := fs.String("carried", "", "optional carried-parts CSV `file` (补考): contestant,part,score[,batch_no][,date][,event]")
	seated := fs.String("seated", "", "panels seated within a rule's range, `MODULE=N[,MODULE=N]` (e.g. review=3)")
	format := fs.String("format", "table", "output format: table, json or csv")
	year := fs.Int("year", 0, "event year for the once-a-year promotion rule (default: the rules' year)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *rubric == "" || *marksPath == "" {
		return usagef("compute", "需要 --rubric 和 --marks", "--rubric and --marks are required")
	}
	if *format != "table" && *format != "json" && *format != "csv" {
		return usagef("compute", fmt.Sprintf("输出格式 --format %q 无效：应为 table、json 或 csv", *format),
			fmt.Sprintf("unknown --format %q (table, json, csv)", *format))
	}
	raw, err := os.ReadFile(*rubric)
	if err != nil {
		return readError(*rubric, err)
	}
	rules, err := scoring.ParseRules(raw)
	if err != nil {
		return computeError(*rubric, err)
	}
	mt, err := readWith(*marksPath, scoring.ReadMarksCSV)
	if err != nil {
		return err
	}
	in := scoring.Input{Year: *year, Marks: mt.Marks, Absences: mt.Absences}
	if *seated != "" {
		if in.Seated, err = parseSeated(*seated); err != nil {
			return err
		}
	}
	if *carriedPath != "" {
		if in.Carried, err = readWith(*carriedPath, scoring.ReadCarriedCSV); err != nil {
			return err
		}
	}
	if *contPath != "" {
		if in.Contestants, err = readWith(*contPath, scoring.ReadContestantsCSV); err != nil {
			return err
		}
	} else {
		// without a roster every contestant in the marks, in first-seen order
		seen := map[string]bool{}
		add := func(id string) {
			if !seen[id] {
				seen[id] = true
				in.Contestants = append(in.Contestants, scoring.Contestant{ID: id})
			}
		}
		for _, m := range mt.Marks {
			add(m.Contestant)
		}
		for _, a := range mt.Absences {
			add(a.Contestant)
		}
	}
	for i := range in.Contestants {
		c := &in.Contestants[i]
		if t, ok := mt.Times[c.ID]; ok {
			if c.CompletionTime != 0 && c.CompletionTime != t {
				return skillscore.Errorf(skillscore.EInvalid, "选手 %s 的用时在 %s 与 %s 中不一致 (contestant %s: completion time differs between %s and %s)",
					c.ID, *contPath, *marksPath, c.ID, *contPath, *marksPath)
			}
			c.CompletionTime = t
		}
	}
	if *recPath != "" {
		if in.Recusals, err = readWith(*recPath, readRecusalsCSV); err != nil {
			return err
		}
	}
	res, err := scoring.Compute(rules, in)
	if err != nil {
		var ie *scoring.InputError
		if errors.As(err, &ie) && ie.Kind == "mark" && ie.Index >= 0 && ie.Index < len(in.Marks) {
			m := in.Marks[ie.Index]
			return skillscore.Wrap(skillscore.EInvalid, err, fmt.Sprintf("评分文件 %s 第 %d 条评分（%s/%s/%s/%s）：%s (%s: mark %d: %s)",
				*marksPath, ie.Index+1, m.Contestant, m.Module, m.Aspect, m.Judge, ie.Message, *marksPath, ie.Index+1, ie.English))
		}
		return computeError("", err)
	}
	switch *format {
	case "json":
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	case "csv":
		return writeResultCSV(stdout, rules, res)
	}
	return writeResultTable(stdout, rules, res)
}

// parseSeated reads --seated: module=N pairs separated by commas.
func parseSeated(v string) (map[string]int, error) {
	out := map[string]int{}
	for _, f := range strings.Split(v, ",") {
		code, n, ok := strings.Cut(strings.TrimSpace(f), "=")
		k, err := strconv.Atoi(n)
		if !ok || code == "" || err != nil || k < 1 {
			return nil, usagef("compute", fmt.Sprintf("--seated %q 无效：应为 模块=人数，如 review=3", f),
				fmt.Sprintf("bad --seated %q: want MODULE=N, e.g. review=3", f))
		}
		out[code] = k
	}
	return out, nil
}

func readWith[T any](path string, read func(io.Reader) (T, error)) (T, error) {
	var zero T
	f, err := os.Open(path)
	if err != nil {
		return zero, readError(path, err)
	}
	defer f.Close()
	v, err := read(f)
	if err != nil {
		return zero, computeError(path, err)
	}
	return v, nil
}

// readError says in Chinese why an input file could not be read.
func readError(path string, err error) error {
	why := "无法读取"
	switch {
	case errors.Is(err, fs.ErrNotExist):
		why = "不存在"
	case errors.Is(err, fs.ErrPermission):
		why = "没有读取权限"
	}
	return skillscore.Wrap(skillscore.EInvalid, err, fmt.Sprintf("文件 %s %s (%v)", path, why, err))
}

// computeError renders the scoring core's errors Chinese first, the
// English after each, naming the file they come from.
func computeError(path string, err error) error {
	// Lead with Chinese: 文件 marks.csv 第 3 行…, 文件 c.csv：…
	in, at := "", ""
	if path != "" {
		in, at = "文件 "+path+" ", "文件 "+path+"："
	}
	var (
		re  *scoring.RulesError
		ce  *scoring.CSVError
		ie  *scoring.InputError
		rce *recusalsError
	)
	var msg string
	switch {
	case errors.As(err, &re):
		var b strings.Builder
		b.WriteString("规则无效 (invalid rules):")
		if path != "" {
			b.Reset()
			fmt.Fprintf(&b, "规则文件 %s 无效 (invalid rules):", path)
		}
		for _, p := range re.Problems {
			b.WriteString("\n  " + p.String())
		}
		msg = b.String()
	case errors.As(err, &ce):
		col, colEn := "", ""
		if ce.Column != "" {
			col, colEn = "（"+ce.Column+" 列）", " column "+ce.Column
		}
		msg = fmt.Sprintf("%s第 %d 行%s：%s (row %d%s: %s)", in, ce.Row, col, ce.Message, ce.Row, colEn, ce.English)
	case errors.As(err, &ie):
		msg = fmt.Sprintf("%s%s (%s)", at, ie.Message, ie.English)
	case errors.As(err, &rce):
		msg = fmt.Sprintf("%s%s (%s)", at, rce.zh, rce.en)
	default:
		msg = fmt.Sprintf("%s无法计算 (%v)", at, err)
	}
	return skillscore.Wrap(skillscore.EInvalid, err, msg)
}

// recusalsError is a bad recusals CSV, in both languages like the core's.
type recusalsError struct{ zh, en string }

func (e *recusalsError) Error() string { return e.en + " / " + e.zh }

func readRecusalsCSV(r io.Reader) ([]scoring.Recusal, error) {
	recs, err := csv.NewReader(r).ReadAll()
	if err != nil {
		return nil, &recusalsError{zh: "回避 CSV 格式错误：" + err.Error(), en: "recusals CSV: " + err.Error()}
	}
	if len(recs) == 0 || strings.Join(recs[0], ",") != "contestant,module,judge" {
		return nil, &recusalsError{zh: "回避 CSV 的表头应为 contestant,module,judge", en: "recusals CSV header must be contestant,module,judge"}
	}
	var out []scoring.Recusal
	for _, rec := range recs[1:] {
		out = append(out, scoring.Recusal{Contestant: rec[0], Module: rec[1], Judge: rec[2]})
	}
	return out, nil
}

func yesNo(b *bool) string {
	switch {
	case b == nil:
		return ""
	case *b:
		return "合格"
	}
	return "不合格"
}

func promotionText(p *scoring.Promotion) string {
	if p == nil {
		return ""
	}
	return p.ToName
}

func places(rules *scoring.Rules) int { return rules.Total.Rounding.Places }

func writeResultCSV(w io.Writer, rules *scoring.Rules, res *scoring.Result) error {
	cw := csv.NewWriter(w)
	head := []string{"id", "group", "rank"}
	for _, m := range rules.Modules {
		head = append(head, "module:"+m.Code)
	}
	head = append(head, "total", "award", "promotion_to", "pass", "complete", "disqualified")
	subjects := verdictSubjects(rules)
	for _, sub := range subjects {
		head = append(head, "verdict:"+sub)
	}
	if err := cw.Write(head); err != nil {
		return err
	}
	for _, c := range res.Contestants {
		row := []string{c.ID, c.Group, strconv.Itoa(c.Rank)}
		for _, m := range c.Modules {
			row = append(row, m.Score.String())
		}
		promo := ""
		if c.Promotion != nil {
			promo = strconv.Itoa(int(c.Promotion.To)) // the stored code (levels), as the contestants CSV reads it
		}
		pass := ""
		if c.Pass != nil {
			pass = strconv.FormatBool(*c.Pass)
		}
		row = append(row, c.Total.Format(places(rules)), c.Award, promo, pass, strconv.FormatBool(c.Complete), strconv.FormatBool(c.Disqualified))
		for _, sub := range subjects {
			row = append(row, verdictOf(c, sub, func(v scoring.PartVerdict) string { return v.Verdict }))
		}
		// Contestant ids and groups come from the marks file: a spreadsheet
		// must show them, never run them.
		if err := cw.Write(exports.CSVRecord(row...)); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// width is the terminal width of s: CJK and full-width characters take two
// columns.
func width(s string) int {
	n := 0
	for _, r := range s {
		switch {
		case r >= 0x1100 && (r <= 0x115f || r >= 0x2e80 && r <= 0xa4cf || r >= 0xac00 && r <= 0xd7a3 ||
			r >= 0xf900 && r <= 0xfaff || r >= 0xfe30 && r <= 0xfe4f || r >= 0xff00 && r <= 0xff60 || r >= 0xffe0 && r <= 0xffe6):
			n += 2
		default:
			n++
		}
	}
	return n
}

func writeResultTable(w io.Writer, rules *scoring.Rules, res *scoring.Result) error {
	head := []string{"组别", "名次", "选手"}
	for _, m := range rules.Modules {
		head = append(head, m.Name)
	}
	head = append(head, "总分", "奖项", "晋升", "合格", "状态")
	subjects := verdictSubjects(rules)
	for _, sub := range subjects {
		head = append(head, verdictHead(rules, sub))
	}
	rows := [][]string{head}
	for _, c := range res.Contestants {
		rank := ""
		if c.Rank > 0 {
			rank = strconv.Itoa(c.Rank)
			if c.SharedRank {
				rank += "="
			}
		}
		row := []string{c.GroupName, rank, c.ID}
		for _, m := range c.Modules {
			s := m.Score.String()
			if m.ScoreExact != "" {
				s = "≈" + s
			}
			if moduleAbsent(m) {
				s = "缺考"
			}
			row = append(row, s)
		}
		status := "完成"
		switch {
		case c.Disqualified:
			status = "取消资格"
		case !c.Complete:
			status = "未完成"
		}
		row = append(row, c.Total.Format(places(rules)), c.AwardName, promotionText(c.Promotion), yesNo(c.Pass), status)
		for _, sub := range subjects {
			row = append(row, verdictOf(c, sub, scoring.PartVerdict.Text))
		}
		rows = append(rows, row)
	}
	widths := make([]int, len(head))
	for _, r := range rows {
		for i, f := range r {
			widths[i] = max(widths[i], width(f))
		}
	}
	var b bytes.Buffer
	b.WriteString(res.Event + "\n")
	for _, r := range rows {
		for i, f := range r {
			if i > 0 {
				b.WriteString("  ")
			}
			pad := widths[i] - width(f)
			if i >= 3 && i < 3+len(rules.Modules)+1 || i == 1 { // numbers right-aligned
				b.WriteString(strings.Repeat(" ", pad) + f)
			} else if i < len(r)-1 {
				b.WriteString(f + strings.Repeat(" ", pad))
			} else {
				b.WriteString(f)
			}
		}
		b.WriteString("\n")
	}
	if len(res.Units) > 0 {
		b.WriteString("逐单元累计（单元后的总分与名次）\n")
		for _, c := range res.Contestants {
			b.WriteString(c.ID)
			for i, u := range c.Progress {
				sep := "  "
				if i > 0 {
					sep = " → "
				}
				b.WriteString(sep + u.Unit + " " + u.Total.Format(places(rules)))
				if u.Rank > 0 {
					b.WriteString("（第 " + strconv.Itoa(u.Rank) + " 名")
					if u.Shared {
						b.WriteString("，并列")
					}
					b.WriteString("）")
				}
			}
			b.WriteString("\n")
		}
	}
	for _, f := range res.Flags {
		b.WriteString("⚑ " + f.Text + "\n")
	}
	for _, j := range res.Judges {
		if len(j.Flags) > 0 {
			b.WriteString("⚑ " + j.Text + "\n")
		}
	}
	_, err := w.Write(b.Bytes())
	return err
}

// verdictSubjects are the parts (theory …) and modules (module:CODE) the
// pass conditions judge, one column each in the outputs.
func verdictSubjects(rules *scoring.Rules) []string {
	if rules.Pass == nil {
		return nil
	}
	var out []string
	for _, pc := range rules.Pass.Conditions {
		sub := pc.Part
		if pc.Module != "" {
			sub = "module:" + pc.Module
		}
		if !slices.Contains(out, sub) {
			out = append(out, sub)
		}
	}
	return out
}

// verdictHead is a subject's column heading in the table: its name and 判定.
func verdictHead(rules *scoring.Rules, sub string) string {
	for _, pc := range rules.Pass.Conditions {
		if (pc.Part == sub || "module:"+pc.Module == sub) && pc.Name != "" {
			return pc.Name + "判定"
		}
	}
	if code, ok := strings.CutPrefix(sub, "module:"); ok {
		for _, m := range rules.Modules {
			if m.Code == code {
				return m.Name + "判定"
			}
		}
	}
	return map[string]string{"theory": "理论", "practical": "实操", "review": "综合评审", "other": "其他"}[sub] + "判定"
}

// verdictOf is a contestant's verdict on a subject as show gives it, ""
// when no condition applied.
func verdictOf(c scoring.ContestantResult, sub string, show func(scoring.PartVerdict) string) string {
	for _, v := range c.Verdicts {
		if v.Module != "" && "module:"+v.Module == sub || v.Module == "" && v.Part == sub {
			return show(v)
		}
	}
	return ""
}

// moduleAbsent: the module was recorded as not sat (缺考).
func moduleAbsent(m scoring.ModuleScore) bool {
	for _, r := range m.Reasons {
		if r.Code == "module.absent" {
			return true
		}
	}
	return false
}
