package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"skillscore"
	"skillscore/store"
)

const liveUsage = `skillscore live — 实时成绩的公示、封榜与颁奖揭晓 (organizer's live controls)

  skillscore live status    --event CODE   显示当前状态
  skillscore live publish   --event CODE [--until 2026-12-05T17:00:00+08:00]
                                           成绩解密公示：显示姓名（张*）与单位；
                                           有 --until 时为正式公示期（须已锁定、签字、解密），期内受理申诉
  skillscore live unpublish --event CODE   撤回公示：只显示参赛编号
  skillscore live freeze    --event CODE [--at 2026-11-30T15:00:00+08:00] [--reason 理由]
                                           封榜：自该时刻起公众成绩不再变化（默认立即）；
                                           须全部评分表已锁定，否则须以 --reason 写明理由（记入审计日志）
  skillscore live unfreeze  --event CODE   解除封榜
  skillscore live reveal    --event CODE [--step N | --end] [--reason 理由]
                                           颁奖揭晓：从最后一名起逐步揭晓（默认再揭晓一名）；
                                           同样须全部锁定或写明理由
  skillscore live settings  --event CODE --judge-marks on|off --draft-marks on|off
                                           公开范围：公示后是否公开各裁判评分；
                                           未提交评分表的评分是否计入公开成绩（体育赛事式实时评分）；默认均为 off

共同参数: --db URL (env SKILLSCORE_DB)。运行中的服务在 1 秒内显示变化。
`

// runLive changes what spectators see of an event. Running servers pick
// the change up by their revision poll within a second.
func runLive(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return actionError("live", args, liveUsage)
	}
	if args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stderr, liveUsage)
		return nil
	}
	action := args[0]
	fs := flag.NewFlagSet("live "+action, flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", envOr("SKILLSCORE_DB", "sqlite:./skillscore.db"), "数据库 sqlite:PATH 或 mysql:DSN")
	keyFile := bindKeyFile(fs)
	code := fs.String("event", "", "赛事代码")
	at := fs.String("at", "", "封榜时刻 (RFC 3339，如 2026-11-30T15:00:00+08:00；默认立即)")
	step := fs.Int("step", -2, "揭晓到第 N 步：每组最后 N 名")
	end := fs.Bool("end", false, "结束颁奖揭晓")
	until := fs.String("until", "", "公示期结束时刻 (RFC 3339)；公示期自现在开始")
	actor := fs.String("actor", envOr("USER", "organizer"), "操作人（记入审计日志）")
	reason := fs.String("reason", "", "未全部锁定时封榜或揭晓的理由（记入审计日志）")
	judgeMarks := fs.String("judge-marks", "", "公示后公开各裁判评分：on 或 off")
	draftMarks := fs.String("draft-marks", "", "未提交评分表的评分计入公开成绩：on 或 off")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	switch action {
	case "status", "publish", "unpublish", "freeze", "unfreeze", "reveal", "settings":
	default:
		return actionError("live", args, liveUsage)
	}
	if *code == "" {
		return usagef("live "+action, "缺少 --event CODE", "--event is required")
	}
	st, err := openExisting(ctx, *db, *keyFile)
	if err != nil {
		return err
	}
	defer st.Close()
	ev, err := st.EventByCode(ctx, *code)
	if err != nil {
		return err
	}
	switch action {
	case "publish":
		if *until == "" {
			_, err = st.SetPublished(ctx, ev.ID, true, *actor)
			break
		}
		ends, perr := time.Parse(time.RFC3339, *until)
		if perr != nil {
			return skillscore.Errorf(skillscore.EInvalid, "--until %q 无效：应为 RFC 3339 时刻，如 2026-12-05T17:00:00+08:00", *until)
		}
		_, err = st.PublishResults(ctx, ev.ID, time.Now(), ends, *actor)
	case "unpublish":
		_, err = st.SetPublished(ctx, ev.ID, false, *actor)
	case "freeze":
		when := time.Now()
		if *at != "" {
			if when, err = time.Parse(time.RFC3339, *at); err != nil {
				return skillscore.Errorf(skillscore.EInvalid, "--at %q 无效：应为 RFC 3339 时刻，如 2026-11-30T15:00:00+08:00", *at)
			}
		}
		_, err = st.SetFreeze(ctx, ev.ID, when, *reason, *actor)
	case "unfreeze":
		_, err = st.SetFreeze(ctx, ev.ID, time.Time{}, "", *actor)
	case "reveal":
		err = reveal(ctx, st, ev.ID, *step, *end, *reason, *actor)
	case "settings":
		err = liveSettings(ctx, st, ev.ID, *judgeMarks, *draftMarks, *actor)
	}
	if err != nil {
		return err
	}
	l, err := st.LiveState(ctx, ev.ID)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, liveStatus(ev, l, time.Now()))
	return nil
}

// liveSettings changes the event's public settings; a flag left out keeps
// its current value.
func liveSettings(ctx context.Context, st *store.Store, eventID int64, judgeMarks, draftMarks, actor string) error {
	if judgeMarks == "" && draftMarks == "" {
		return skillscore.Errorf(skillscore.EInvalid, "live settings 需要 --judge-marks on|off 或 --draft-marks on|off")
	}
	l, err := st.LiveState(ctx, eventID)
	if err != nil {
		return err
	}
	parse := func(flag, v string, cur bool) (bool, error) {
		switch v {
		case "":
			return cur, nil
		case "on":
			return true, nil
		case "off":
			return false, nil
		}
		return false, skillscore.Errorf(skillscore.EInvalid, "--%s %q 无效：应为 on 或 off", flag, v)
	}
	show, err := parse("judge-marks", judgeMarks, l.ShowJudgeMarks)
	if err != nil {
		return err
	}
	drafts, err := parse("draft-marks", draftMarks, l.LiveDraftMarks)
	if err != nil {
		return err
	}
	_, err = st.SetLiveSettings(ctx, eventID, show, drafts, actor)
	return err
}

func reveal(ctx context.Context, st *store.Store, eventID int64, step int, end bool, reason, actor string) error {
	switch {
	case end:
		step = -1
	case step == -2:
		l, err := st.LiveState(ctx, eventID)
		if err != nil {
			return err
		}
		step = l.CeremonyStep + 1
	}
	_, err := st.SetCeremonyStep(ctx, eventID, step, reason, actor)
	return err
}

// liveStatus is one line a person reads after each command.
func liveStatus(ev store.Event, l store.LiveState, now time.Time) string {
	s := fmt.Sprintf("%s 第 %d 版：", ev.Code, l.Revision)
	if l.Published() {
		s += "已公示（显示姓名与单位）"
		if l.PublicationEnd.Valid() {
			s += "，公示期至 " + l.PublicationEnd.In(skillscore.China()).Format("2006-01-02 15:04:05")
		}
	} else {
		s += "未公示（只显示参赛编号）"
	}
	switch {
	case l.FreezeAt.IsZero():
		s += "；未封榜"
	case !l.Frozen(now):
		s += "；将于 " + l.FreezeAt.In(skillscore.China()).Format("2006-01-02 15:04:05") + " 封榜"
	default:
		s += "；已封榜（" + l.FreezeAt.In(skillscore.China()).Format("2006-01-02 15:04:05") + " 起）"
	}
	if l.Ceremony() {
		s += fmt.Sprintf("；颁奖揭晓第 %d 步（每组已揭晓最后 %d 名）", l.CeremonyStep, l.CeremonyStep)
	}
	if l.ShowJudgeMarks {
		s += "；公示后公开各裁判评分"
	}
	if l.LiveDraftMarks {
		s += "；未提交的评分计入公开成绩"
	}
	return s
}
