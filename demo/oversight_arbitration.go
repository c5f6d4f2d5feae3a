package demo

import (
	"context"
	"fmt"
	"time"

	"skillscore/arbitration"
	"skillscore/store"
)

// ArbiterUsername is the demo's 仲裁 (监督仲裁组), who hears and decides
// the finished event's on-site appeal.
const ArbiterUsername = "arbiter"

// arbitrationStore is what the finished event's 仲裁 needs beyond the
// FinishedStore: the store's 仲裁 methods (docs/oversight-arbitration.md).
type arbitrationStore interface {
	Contestants(ctx context.Context, eventID int64) ([]store.Contestant, error)
	FileArbitration(ctx context.Context, eventID int64, f arbitration.Filing, actor string) (arbitration.Case, error)
	RecordHearing(ctx context.Context, eventID, id int64, h arbitration.Hearing, actor string) error
	DecideArbitration(ctx context.Context, eventID, id int64, d arbitration.Decision, actor string) error
}

// FinishedArbitration gives the finished event its one decided 仲裁: on the
// competition day, 40 minutes after the last sheet of the first judged
// module was submitted (10:00), a contestant appeals a deduction at the
// venue desk; the 仲裁 hears the contestant and the judges at 11:15 and
// rejects the appeal at 11:40, a final decision that changes no score. It
// is called after the judges' marks (markAll), before the chief judge's
// sign-off; the clock is left at the decision.
func FinishedArbitration(ctx context.Context, st FinishedStore, clock *Clock, eventID int64) error {
	as, ok := st.(arbitrationStore)
	if !ok {
		return fmt.Errorf("demo arbitration: the store has no 仲裁")
	}
	mods, err := st.Modules(ctx, eventID)
	if err != nil {
		return err
	}
	var mod store.Module
	for _, m := range mods {
		if !m.Imported {
			mod = m
			break
		}
	}
	cs, err := as.Contestants(ctx, eventID)
	if err != nil {
		return err
	}
	if mod.ID == 0 || len(cs) < 3 {
		return fmt.Errorf("demo arbitration: no judged module or too few contestants")
	}
	c := cs[2]
	at := func(h, m int) time.Time { return FinishedAt(18, h).Add(time.Duration(m) * time.Minute) }
	clock.Set(at(10, 40))
	filed, err := as.FileArbitration(ctx, eventID, arbitration.Filing{Kind: arbitration.KindScore, ModuleID: mod.ID, ContestantID: c.ID,
		AppellantRole: arbitration.ByContestant,
		Facts:         "选手认为“操作后整理与安全检查（床挡、呼叫器、清洁）”一项被扣分有误：操作结束时已拉起床挡并将呼叫器放在老人手边，请求复核该项评分。"}, ArbiterUsername)
	if err != nil {
		return fmt.Errorf("demo arbitration: %w", err)
	}
	clock.Set(at(11, 20))
	if err := as.RecordHearing(ctx, eventID, filed.ID, arbitration.Hearing{HeardAt: at(11, 15),
		Heard:    "申诉人" + c.Name + "；本模块当值裁判组；赛场录像管理员",
		Findings: "调阅该工位现场录像：操作结束时选手拉起了近侧床挡，对侧床挡未拉起、呼叫器未放在老人可及处，与评分标准该项的扣分情形相符；各裁判的扣分一致。"}, ArbiterUsername); err != nil {
		return fmt.Errorf("demo arbitration hearing: %w", err)
	}
	clock.Set(at(11, 40))
	if err := as.DecideArbitration(ctx, eventID, filed.ID, arbitration.Decision{Outcome: arbitration.StatusRejected,
		Reasons: "经听取申诉人及裁判陈述并调阅现场录像，扣分事实清楚，符合评分标准，申诉不成立，维持原评分。"}, ArbiterUsername); err != nil {
		return fmt.Errorf("demo arbitration decision: %w", err)
	}
	return nil
}
