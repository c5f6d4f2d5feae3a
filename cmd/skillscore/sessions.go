package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"skillscore/certificates"
	"skillscore/sessions"
	"skillscore/sheets"
	"skillscore/store"
)

const sessionsUsage = `用法 (usage):
  skillscore sessions import   --event 代码 [--db URL] [--dry-run] [--by 姓名] FILE.xlsx|.csv
      导入场次表（场次编号、场次名称、赛场、模块、日期、开始时间、结束时间、赛位号、检录顺序、参赛证号、姓名），
      替换全部场次；任何一行有误则逐行列出、不导入。尚无参赛证号的选手先自动分配。已开始检录后不能替换。
  skillscore sessions template --event 代码 [--db URL] --out FILE.xlsx
      输出场次表模板（列出每位选手的参赛证号和姓名）。
  skillscore sessions list     --event 代码 [--db URL] [--session 场次编号] [--json]
      列出场次及检录进度；给 --session 时列出该场次的选手及检录状态。
  skillscore sessions cards    --event 代码 [--db URL] --out FILE.pdf
      打印全部选手的参赛证（含签名二维码，不含证件号码）。
  skillscore sessions sheet    --event 代码 [--db URL] (--session 场次编号 | --timetable) --out FILE.pdf
      打印某场次的检录表，或裁判用的场次时间表。
`

func runSessions(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	action, err := pickAction("sessions", args, sessionsUsage, "import", "template", "list", "cards", "sheet")
	if err != nil {
		return err
	}
	name := "sessions " + action
	f := newEventFlags(name, sessionsUsage, "赛事代码或编号", "输出文件", stderr)
	fs := f.fs
	actor := fs.String("by", "cli", "操作人（写入审计日志）")
	session := fs.String("session", "", "场次编号")
	timetable := fs.Bool("timetable", false, "输出场次时间表")
	dryRun := fs.Bool("dry-run", false, "只检查，不导入")
	asJSON := fs.Bool("json", false, "以 JSON 输出")
	if err := parseFlagArgs(fs, args[1:]); err != nil {
		return err
	}
	if *f.event == "" {
		return usagef(name, "需要 --event CODE", "--event is required")
	}
	switch {
	case action == "import" && fs.NArg() != 1:
		return usagef(name, "需要一个场次表文件", "one FILE.xlsx is required")
	case action != "import" && fs.NArg() != 0:
		return usagef(name, "多余的参数 "+fs.Arg(0), "unexpected argument")
	case (action == "template" || action == "cards" || action == "sheet") && *f.out == "":
		return usagef(name, "需要 --out FILE", "--out is required")
	case action == "sheet" && (*session == "") == !*timetable:
		return usagef(name, "需要 --session 场次编号 或 --timetable（二选一）", "give --session or --timetable")
	}
	st, ev, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	switch action {
	case "import":
		path := fs.Arg(0)
		data, err := readImportFile(path)
		if err != nil {
			return err
		}
		if !*dryRun {
			if _, err := st.AssignEntryNumbers(ctx, ev.ID, *actor); err != nil {
				return err
			}
		}
		people, err := st.SchedulePeople(ctx, ev.ID)
		if err != nil {
			return err
		}
		ss, bad, err := sessions.Read(filepath.Base(path), data, people)
		if err != nil {
			return err
		}
		if len(bad) > 0 {
			return sessions.ImportError(bad)
		}
		if err := sessions.Validate(ss); err != nil {
			return err
		}
		entries := 0
		for _, s := range ss {
			entries += len(s.Entries)
		}
		if *dryRun {
			fmt.Fprintf(stdout, "检查通过：%d 个场次，%d 人次（未导入）\n", len(ss), entries)
			return nil
		}
		if err := st.SaveSchedule(ctx, ev.ID, ss, *actor); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s：已导入 %d 个场次，%d 人次\n", ev.Name, len(ss), entries)
	case "template":
		people, err := st.SchedulePeople(ctx, ev.ID)
		if err != nil {
			return err
		}
		data, err := sessions.Template(people)
		if err != nil {
			return err
		}
		if err := writeFileWith(*f.out, func(w io.Writer) error { _, err := w.Write(data); return err }); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "场次表模板已写入 %s（%d 名选手）\n", *f.out, len(people))
	case "list":
		return listSessions(ctx, st, ev, *session, *asJSON, stdout)
	case "cards":
		if _, err := st.AssignEntryNumbers(ctx, ev.ID, *actor); err != nil {
			return err
		}
		people, err := st.SchedulePeople(ctx, ev.ID)
		if err != nil {
			return err
		}
		all, err := st.Schedule(ctx, ev.ID)
		if err != nil {
			return err
		}
		cards, err := sheets.EntryCardsFor(people, all, func(id int64) (string, error) { return st.CardToken(ev.ID, id) })
		if err != nil {
			return err
		}
		if err := f.writePDF(func(w io.Writer, fonts certificates.Fonts) error {
			return sheets.WriteEntryCards(w, fonts, ev.Name, cards, time.Now())
		}); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "参赛证已写入 %s（%d 张）\n", *f.out, len(cards))
	case "sheet":
		if *timetable {
			all, err := st.Schedule(ctx, ev.ID)
			if err != nil {
				return err
			}
			if err := f.writePDF(func(w io.Writer, fonts certificates.Fonts) error {
				return sheets.WriteTimetable(w, fonts, ev.Name, all, time.Now())
			}); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "场次时间表已写入 %s（%d 个场次）\n", *f.out, len(all))
			return nil
		}
		s, err := st.Session(ctx, ev.ID, *session)
		if err != nil {
			return err
		}
		if err := f.writePDF(func(w io.Writer, fonts certificates.Fonts) error {
			return sheets.WriteCheckinSheet(w, fonts, ev.Name, s, time.Now())
		}); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "场次 %s 检录表已写入 %s（%d 人）\n", s.Code, *f.out, len(s.Rows))
	}
	return nil
}

func listSessions(ctx context.Context, st *store.Store, ev store.Event, code string, asJSON bool, stdout io.Writer) error {
	type row struct {
		Order   int    `json:"order"`
		EntryNo string `json:"entry_no"`
		Name    string `json:"name"`
		Station string `json:"station"`
		Status  string `json:"status"`
	}
	type item struct {
		Code     string   `json:"code"`
		Name     string   `json:"name"`
		Venue    string   `json:"venue"`
		Module   string   `json:"module"`
		Day      string   `json:"day"`
		Starts   string   `json:"starts"`
		Ends     string   `json:"ends"`
		Stations []string `json:"stations"`
		Entries  int      `json:"entries"`
		Present  int      `json:"present"`
		Absent   int      `json:"absent"`
		Closed   bool     `json:"closed"`
		Rows     []row    `json:"rows,omitempty"`
	}
	var all []store.SessionState
	if code != "" {
		s, err := st.Session(ctx, ev.ID, code)
		if err != nil {
			return err
		}
		all = []store.SessionState{s}
	} else {
		var err error
		if all, err = st.Schedule(ctx, ev.ID); err != nil {
			return err
		}
	}
	items := make([]item, len(all))
	for i, s := range all {
		c := s.Counts()
		items[i] = item{Code: s.Code, Name: s.Name, Venue: s.Venue, Module: s.Module, Day: s.Day, Starts: s.Starts, Ends: s.Ends,
			Stations: s.Stations, Entries: len(s.Rows), Present: c[sessions.Present], Absent: c[sessions.Absent], Closed: s.ClosedAt.Valid()}
		if code != "" {
			for _, r := range s.Rows {
				items[i].Rows = append(items[i].Rows, row{r.Order, r.EntryNo, r.Name, r.Station, sessions.OutcomeNames[r.Outcome]})
			}
		}
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(items)
	}
	if len(items) == 0 {
		fmt.Fprintf(stdout, "%s：尚未安排场次\n", ev.Name)
	}
	for _, it := range items {
		closed := ""
		if it.Closed {
			closed = " 已结束检录"
		}
		fmt.Fprintf(stdout, "%s\t%s\t%s %s–%s\t%s\t赛位 %s\t%d 人，已检录 %d，缺考 %d%s\n", it.Code, it.Name, it.Day, it.Starts, it.Ends,
			it.Venue, strings.Join(it.Stations, "、"), it.Entries, it.Present, it.Absent, closed)
		for _, r := range it.Rows {
			fmt.Fprintf(stdout, "  %d\t%s\t%s\t%s\t%s\n", r.Order, r.EntryNo, r.Name, r.Station, r.Status)
		}
	}
	return nil
}
