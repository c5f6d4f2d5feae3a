package demo

import (
	"context"
	"fmt"
	"time"

	"skillscore/recheck"
	"skillscore/results"
	"skillscore/store"
)

// RecheckStore is what the finished event's 成绩复核 needs.
type RecheckStore interface {
	FinishedStore
	results.RecheckStarter
	SetRecheckSettings(ctx context.Context, eventID int64, set recheck.Settings, actor string) error
	Recheck(ctx context.Context, eventID int64) (store.RecheckRound, []store.RecheckItem, error)
	SetRecheckVerdict(ctx context.Context, eventID, itemID int64, v store.RecheckVerdict, actor string) (bool, error)
	CorrectRecheckItem(ctx context.Context, eventID, itemID int64, reason, actor string) (store.RecheckItem, error)
	SignOffRecheck(ctx context.Context, eventID int64, actor, name string) error
}

// The finished event's 监督 and the seed of its 复核 (recorded, so the
// sample can be re-drawn by anyone: docs/oversight-recheck.md).
const (
	MonitorUser = "monitor"
	MonitorName = "邹卫东"
	RecheckSeed = "6a1f3c9e20b74d58a0c1e7f24b9d3a6c"
)

// FinishedRecheck gives the finished event its signed-off 成绩复核, between
// the decryption and the publication (the day after the competition): the
// settings a new competition gets, the sample drawn with RecheckSeed, one
// sheet flagged for an arithmetic error on the paper and corrected by the
// chief judge through a reopen and resubmission, every other sheet
// confirmed, the 监督's sign-off. Call it after Decrypt, before
// PublishResults.
func FinishedRecheck(ctx context.Context, fs FinishedStore, clock *Clock, eventID int64, p People) error {
	st, ok := fs.(RecheckStore)
	if !ok {
		return fmt.Errorf("demo recheck: the store keeps no 成绩复核")
	}
	at := func(h, m int) { clock.Set(FinishedAt(19, h).Add(time.Duration(m) * time.Minute)) }
	at(10, 0)
	if err := st.SetRecheckSettings(ctx, eventID, recheck.Defaults("competition"), p.Organizer); err != nil {
		return fmt.Errorf("demo recheck settings: %w", err)
	}
	at(10, 5)
	if _, err := results.StartRecheck(ctx, st, eventID, RecheckSeed, MonitorUser); err != nil {
		return fmt.Errorf("demo recheck: %w", err)
	}
	_, items, err := st.Recheck(ctx, eventID)
	if err != nil {
		return err
	}
	var flagged store.RecheckItem
	for _, it := range items {
		if it.Reason == recheck.ReasonSample {
			flagged = it
			break
		}
	}
	if flagged.ID == 0 {
		flagged = items[0]
	}
	at(10, 40)
	if _, err := st.SetRecheckVerdict(ctx, eventID, flagged.ID, store.RecheckVerdict{Verdict: store.VerdictFlagged,
		Category: recheck.CategoryArithmetic, Note: "纸质评分表合计栏少计 1 分，与各项之和不符；系统各项分数与纸质一致"}, MonitorUser); err != nil {
		return fmt.Errorf("demo recheck flag: %w", err)
	}
	// Every other sheet, re-read in case the flag sent the whole event to
	// be checked.
	if _, items, err = st.Recheck(ctx, eventID); err != nil {
		return err
	}
	for i, it := range items {
		if it.Verdict != "" {
			continue
		}
		at(11, min(i/4, 59))
		if _, err := st.SetRecheckVerdict(ctx, eventID, it.ID, store.RecheckVerdict{Verdict: store.VerdictConfirmed}, MonitorUser); err != nil {
			return fmt.Errorf("demo recheck confirm: %w", err)
		}
	}
	at(14, 0)
	it, err := st.CorrectRecheckItem(ctx, eventID, flagged.ID, "核对纸质评分表：合计栏笔误，已当面更正并由裁判员签字；系统分数无需改动，评分表重新提交、锁定", p.Chief)
	if err != nil {
		return fmt.Errorf("demo recheck correction: %w", err)
	}
	if _, _, err := st.SetSheetStatus(ctx, eventID, it.SheetID, "open", "成绩复核更正："+it.Correction, p.Chief); err != nil {
		return fmt.Errorf("demo recheck reopen: %w", err)
	}
	at(14, 10)
	res, err := st.ApplyOps(ctx, []store.SheetOp{{OpID: fmt.Sprintf("demo-recheck-%d", it.SheetID), Kind: store.OpSubmit, EventID: eventID,
		ModuleID: it.ModuleID, ContestantID: it.ContestantID, JudgeID: it.JudgeID, Actor: "judge:" + it.JudgeCode, Subject: itemCode(it)}})
	if err != nil {
		return fmt.Errorf("demo recheck resubmit: %w", err)
	}
	if res[0].Err != nil {
		return fmt.Errorf("demo recheck resubmit: %w", res[0].Err)
	}
	at(14, 20)
	if _, _, err := st.SetSheetStatus(ctx, eventID, it.SheetID, "locked", "", p.Chief); err != nil {
		return fmt.Errorf("demo recheck lock: %w", err)
	}
	if err := st.SignOffModule(ctx, eventID, it.ModuleID, p.ChiefUserID, p.Chief); err != nil {
		return fmt.Errorf("demo recheck module sign-off: %w", err)
	}
	at(15, 0)
	if err := st.SignOffRecheck(ctx, eventID, MonitorUser, MonitorName); err != nil {
		return fmt.Errorf("demo recheck sign-off: %w", err)
	}
	return nil
}

func itemCode(it store.RecheckItem) string {
	if it.ContestantCode != nil {
		return *it.ContestantCode
	}
	return ""
}
