package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"skillscore"
	"skillscore/judges"
	"skillscore/scoring"
	"skillscore/store"
)

// FinishedCode is the finished demo event's code: held in April 2026 and
// taken through every step of the results workflow, so each step's page has
// something to show beside the event in progress.
const FinishedCode = "jx-ylhly-2026-spring"

// FinishedStore is what building the finished event needs: the same store
// methods the judges' tablets, the chief judge's desk and the organizer's
// pages call.
type FinishedStore interface {
	Store
	Sheets(ctx context.Context, eventID int64) ([]store.Sheet, error)
	SetSheetStatus(ctx context.Context, eventID, sheetID int64, status, reason, actor string) (store.Sheet, int64, error)
	SignOffModule(ctx context.Context, eventID, moduleID, userID int64, actor string) error
	Decrypt(ctx context.Context, eventID int64, actor string) (store.Time, error)
	PublishResults(ctx context.Context, eventID int64, start, end time.Time, actor string) (int64, error)
	FileAppeal(ctx context.Context, eventID int64, f store.AppealFiling, actor string) (store.Appeal, error)
	DecideAppeal(ctx context.Context, eventID, appealID int64, d store.AppealDecision, actor string) error
	Finalize(ctx context.Context, eventID int64, actor string) error
}

// Clock is the clock the store is opened with while the demo is built. The
// workflow checks the time (appeals only within the publication period,
// final only after it), so the finished event's steps are taken at fixed
// past dates; unset, it reads the real time.
type Clock struct {
	mu sync.Mutex
	at time.Time
}

// Now is the store's clock.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.at.IsZero() {
		return time.Now()
	}
	return c.at
}

// Set fixes the clock at t; the zero time returns it to the real time.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.at = t
}

// People are the demo's staff accounts that act in the finished event.
type People struct {
	Organizer   string // username of the organizer
	Chief       string // username of the chief judge
	ChiefName   string // the chief judge's name, as records show who entered them
	ChiefUserID int64
}

// FinishedAt is when each step of the finished event happened (China
// Standard Time, April 2026).
func FinishedAt(day, hour int) time.Time {
	return time.Date(2026, time.April, day, hour, 0, 0, 0, skillscore.China())
}

// The finished event's dates: held on 18 April, 公示 from 20 to 25 April,
// final on 25 April, certificates on 28 April.
var (
	publishStart = FinishedAt(20, 9)
	publishEnd   = FinishedAt(25, 9)
	// CertificatesAt is when the demo issues the finished event's certificates.
	CertificatesAt = FinishedAt(28, 9)
)

// EnsureFinished makes the finished event unless the store holds it. The
// store must have been opened with clock (see Clock).
func EnsureFinished(ctx context.Context, st FinishedStore, clock *Clock, p People) (store.Event, bool, error) {
	if ev, err := st.EventByCode(ctx, FinishedCode); err == nil {
		return ev, false, nil
	}
	ev, err := CreateFinished(ctx, st, clock, p)
	if err != nil {
		return store.Event{}, false, fmt.Errorf("demo finished event: %w", err)
	}
	return ev, true, nil
}

// CreateFinished makes the finished event and takes it through the whole
// results workflow: every sheet marked and submitted by its judge, locked and
// signed off by the chief judge, decrypted, published for a period that has
// ended, one appeal rejected and one re-marked (the sheet reopened, re-scored,
// locked and signed off again), and final. Certificates follow in the caller,
// which holds the signing key. The clock is left at the final step.
func CreateFinished(ctx context.Context, st FinishedStore, clock *Clock, p People) (store.Event, error) {
	rules, raw, err := demoRules()
	if err != nil {
		return store.Event{}, err
	}
	rng := rand.New(rand.NewPCG(2026, 4))
	ne := newEvent(rules, raw)
	ne.Event.Code, ne.Event.Name = FinishedCode, "2026年江西省养老护理员职业技能竞赛（春季赛）"
	ne.Event.Venue, ne.Event.StartsOn, ne.Event.Status = "九江 · 江西省康养职业技能实训基地九江分基地（演示）", "2026-04-18", "final"

	clock.Set(FinishedAt(16, 9))
	ev, err := st.CreateEvent(ctx, ne, p.Organizer)
	if err != nil {
		return store.Event{}, fmt.Errorf("demo event: %w", err)
	}
	mods, err := st.Modules(ctx, ev.ID)
	if err != nil {
		return store.Event{}, err
	}
	cs, err := st.AddContestants(ctx, ev.ID, roster(rng), p.Organizer)
	if err != nil {
		return store.Event{}, fmt.Errorf("demo roster: %w", err)
	}
	panels, err := addJudges(ctx, st, ev.ID, mods)
	if err != nil {
		return store.Event{}, err
	}
	if err := assign(ctx, st, ev.ID, panels, cs); err != nil {
		return store.Event{}, err
	}
	clock.Set(FinishedAt(18, 8))
	if err := importTheory(ctx, st, ev.ID, mods, cs, rng); err != nil {
		return store.Event{}, err
	}
	if err := OversightIncidents(ctx, st, clock, ev, p); err != nil {
		return store.Event{}, err
	}
	clock.Set(FinishedAt(18, 10))
	if err := markAll(ctx, st, "final", ev.ID, rules, panels, cs, rng); err != nil {
		return store.Event{}, err
	}
	if err := FinishedArbitration(ctx, st, clock, ev.ID); err != nil { // 仲裁 (issue 16): one decided on-site appeal
		return store.Event{}, err
	}
	clock.Set(FinishedAt(18, 17))
	if err := lockAndSignOff(ctx, st, ev.ID, panels, p); err != nil {
		return store.Event{}, err
	}
	clock.Set(FinishedAt(19, 9))
	if _, err := st.Decrypt(ctx, ev.ID, p.Organizer); err != nil {
		return store.Event{}, fmt.Errorf("demo decrypt: %w", err)
	}
	if err := FinishedRecheck(ctx, st, clock, ev.ID, p); err != nil { // 成绩复核 (issue 16, demo/oversight_recheck.go)
		return store.Event{}, err
	}
	clock.Set(publishStart)
	if _, err := st.PublishResults(ctx, ev.ID, publishStart, publishEnd, p.Organizer); err != nil {
		return store.Event{}, fmt.Errorf("demo publish: %w", err)
	}
	if err := appeals(ctx, st, clock, ev.ID, rules, panels, cs, p); err != nil {
		return store.Event{}, err
	}
	clock.Set(FinishedAt(25, 10))
	if err := st.Finalize(ctx, ev.ID, p.Organizer); err != nil {
		return store.Event{}, fmt.Errorf("demo final: %w", err)
	}
	return st.EventByCode(ctx, FinishedCode)
}

// markAll has every judge mark and submit every sheet assigned to them, a
// sheet per batch as a tablet sends it; one contestant triggers the veto of
// the second module, as in the event in progress.
func markAll(ctx context.Context, st FinishedStore, prefix string, eventID int64, rules *scoring.Rules, panels []panel,
	cs []store.Contestant, rng *rand.Rand) error {
	ruleMods := map[string]scoring.Module{}
	for _, m := range rules.Modules {
		ruleMods[m.Code] = m
	}
	skill := make([]int, len(cs))
	for i := range skill {
		skill[i] = rng.IntN(3)
	}
	n := 0
	for pi, p := range panels {
		rm := ruleMods[p.module.Code]
		for ci, c := range cs {
			for _, j := range p.judges {
				if judges.ConflictReason(j, c, "") != "" {
					continue // recused
				}
				actor := fmt.Sprintf("judge:%d", j.ID)
				var ops []store.SheetOp
				for ai, a := range rm.Aspects {
					v := markValue(a, skill[ci], rng)
					if a.Kind == scoring.Veto && pi == 1 && ci == 3 {
						v = scoring.Points(1)
					}
					if err := a.CheckValue(v); err != nil {
						return fmt.Errorf("demo mark %s/%s: %w", p.module.Code, a.Code, err)
					}
					n++
					ops = append(ops, store.SheetOp{OpID: fmt.Sprintf("%s-%05d", prefix, n), Kind: store.OpMark, EventID: eventID,
						ModuleID: p.module.ID, ContestantID: c.ID, JudgeID: j.ID, AspectID: p.module.Aspects[ai].ID,
						Value: int64(v), Actor: actor, Subject: *c.Code})
				}
				n++
				ops = append(ops, store.SheetOp{OpID: fmt.Sprintf("%s-%05d", prefix, n), Kind: store.OpSubmit, EventID: eventID,
					ModuleID: p.module.ID, ContestantID: c.ID, JudgeID: j.ID, Actor: actor, Subject: *c.Code})
				if err := apply(ctx, st, ops); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func apply(ctx context.Context, st FinishedStore, ops []store.SheetOp) error {
	res, err := st.ApplyOps(ctx, ops)
	if err != nil {
		return fmt.Errorf("demo marks: %w", err)
	}
	for _, r := range res {
		if r.Err != nil {
			return fmt.Errorf("demo marks: %w", r.Err)
		}
	}
	return nil
}

// lockAndSignOff is the chief judge locking every submitted sheet and
// signing off every judged module whose sheets are all locked.
func lockAndSignOff(ctx context.Context, st FinishedStore, eventID int64, panels []panel, p People) error {
	sheets, err := st.Sheets(ctx, eventID)
	if err != nil {
		return err
	}
	for _, sh := range sheets {
		if sh.Status != "submitted" {
			continue
		}
		if _, _, err := st.SetSheetStatus(ctx, eventID, sh.ID, "locked", "", p.Chief); err != nil {
			return fmt.Errorf("demo lock: %w", err)
		}
	}
	for _, pn := range panels {
		if err := st.SignOffModule(ctx, eventID, pn.module.ID, p.ChiefUserID, p.Chief); err != nil {
			return fmt.Errorf("demo sign-off: %w", err)
		}
	}
	return nil
}

// appeals files two appeals within the publication period: one the
// organizer received and rejects, one the contestant files on the public
// page that is sent for re-mark. The judge whose sheet is re-marked finds an
// aspect under-scored, the chief judge locks it and signs the module off
// again.
func appeals(ctx context.Context, st FinishedStore, clock *Clock, eventID int64, rules *scoring.Rules,
	panels []panel, cs []store.Contestant, p People) error {
	clock.Set(FinishedAt(21, 10))
	rejected, err := st.FileAppeal(ctx, eventID, store.AppealFiling{ContestantID: cs[7].ID,
		Body: "选手所在单位来电：认为理论知识考试成绩偏低，申请复核。"}, p.Organizer)
	if err != nil {
		return fmt.Errorf("demo appeal: %w", err)
	}
	clock.Set(FinishedAt(21, 15))
	c := cs[5]
	remark, err := st.FileAppeal(ctx, eventID, store.AppealFiling{IDNumber: c.IDNumber, Name: c.Name,
		Body: "我对实操模块二的评分有异议：老年人转移照护中我已按流程完成安全检查，评分表记为未完成。"}, "public")
	if err != nil {
		return fmt.Errorf("demo appeal: %w", err)
	}
	clock.Set(FinishedAt(22, 10))
	if err := st.DecideAppeal(ctx, eventID, rejected.ID, store.AppealDecision{Outcome: "rejected",
		Reason: "理论知识考试为机考，经复核答题记录与成绩导入文件一致，维持原成绩。"}, p.Organizer); err != nil {
		return fmt.Errorf("demo appeal decision: %w", err)
	}
	// The re-marked sheet: the second module's first judge's sheet for the
	// appellant, or the next judge's when that one was recused.
	pn := panels[1]
	sheets, err := st.Sheets(ctx, eventID)
	if err != nil {
		return err
	}
	var sheet store.Sheet
	var judge store.Judge
	for _, j := range pn.judges {
		for _, sh := range sheets {
			if sh.ModuleID == pn.module.ID && sh.ContestantID == c.ID && sh.JudgeID == j.ID {
				sheet, judge = sh, j
				break
			}
		}
		if sheet.ID != 0 {
			break
		}
	}
	if sheet.ID == 0 {
		return fmt.Errorf("demo appeal: no sheet of module %s for the appellant", pn.module.Code)
	}
	if err := st.DecideAppeal(ctx, eventID, remark.ID, store.AppealDecision{Outcome: "remark",
		Reason: "经查看现场录像，安全检查步骤已完成，交由该评分表的裁判复评。", SheetIDs: []int64{sheet.ID}}, p.Organizer); err != nil {
		return fmt.Errorf("demo appeal decision: %w", err)
	}
	clock.Set(FinishedAt(23, 9))
	if _, _, err := st.SetSheetStatus(ctx, eventID, sheet.ID, "open", fmt.Sprintf("申诉复评（申诉 %d）", remark.ID), p.Chief); err != nil {
		return fmt.Errorf("demo reopen: %w", err)
	}
	// The judge gives the first judgement aspect its top mark and submits
	// again.
	var rm scoring.Module
	for _, m := range rules.Modules {
		if m.Code == pn.module.Code {
			rm = m
		}
	}
	actor := fmt.Sprintf("judge:%d", judge.ID)
	var ops []store.SheetOp
	for ai, a := range rm.Aspects {
		if a.Kind != scoring.Judgement {
			continue
		}
		top := a.Scale
		if top == 0 {
			top = 3
		}
		ops = append(ops, store.SheetOp{OpID: "final-remark-mark", Kind: store.OpMark, EventID: eventID,
			ModuleID: pn.module.ID, ContestantID: c.ID, JudgeID: judge.ID, AspectID: pn.module.Aspects[ai].ID,
			Value: int64(scoring.Points(int64(top))), Actor: actor, Subject: *c.Code})
		break
	}
	ops = append(ops, store.SheetOp{OpID: "final-remark-submit", Kind: store.OpSubmit, EventID: eventID,
		ModuleID: pn.module.ID, ContestantID: c.ID, JudgeID: judge.ID, Actor: actor, Subject: *c.Code})
	if err := apply(ctx, st, ops); err != nil {
		return err
	}
	clock.Set(FinishedAt(23, 11))
	if _, _, err := st.SetSheetStatus(ctx, eventID, sheet.ID, "locked", "", p.Chief); err != nil {
		return fmt.Errorf("demo lock: %w", err)
	}
	if err := st.SignOffModule(ctx, eventID, pn.module.ID, p.ChiefUserID, p.Chief); err != nil {
		return fmt.Errorf("demo sign-off: %w", err)
	}
	return nil
}
