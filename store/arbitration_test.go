package store

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"skillscore"
	"skillscore/arbitration"
)

// TestArbitrationWindowFilingHearingDecision takes on-site appeals of the
// seeded event through filing (the window after the module's end, the
// late filing refused naming its deadline and storing nothing), hearing
// and the final decision, with a re-mark through the chief judge.
func TestArbitrationWindowFilingHearingDecision(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		cst := skillscore.China()
		now := time.Date(2026, 5, 18, 9, 0, 0, 0, cst)
		s := open(Options{Now: func() time.Time { return now }})
		ctx := context.Background()
		d := seed(t, s)
		assignAll(t, s, d)
		count := func() int {
			t.Helper()
			cs, err := s.Arbitrations(ctx, d.ev.ID)
			if err != nil {
				t.Fatal(err)
			}
			return len(cs)
		}

		// The window: 2 hours unless set; bounded.
		if w, err := s.ArbitrationWindow(ctx, d.ev.ID); err != nil || w != 2*time.Hour {
			t.Fatalf("default window: %v %v", w, err)
		}
		wantRefused(t, "window too short", s.SetArbitrationWindow(ctx, d.ev.ID, 10, "organizer"), skillscore.EInvalid, "30 分钟")
		wantRefused(t, "window too long", s.SetArbitrationWindow(ctx, d.ev.ID, 60*49, "organizer"), skillscore.EInvalid, "48 小时")

		score := arbitration.Filing{Kind: arbitration.KindScore, ModuleID: d.pra.ID, ContestantID: d.cs[0].ID,
			AppellantRole: arbitration.ByContestant, Facts: "沟通评估项被扣 4 分，选手认为已完成全部沟通步骤。证件号 36010219900307002X"}
		// Refusals of an incomplete filing store nothing.
		for _, c := range []struct {
			name   string
			edit   func(*arbitration.Filing)
			phrase string
		}{
			{"no kind", func(f *arbitration.Filing) { f.Kind = "bogus" }, "申诉类别"},
			{"score without contestant", func(f *arbitration.Filing) {
				f.ContestantID, f.AppellantRole, f.Appellant = 0, arbitration.ByLeader, "王领队"
			}, "涉及的选手"},
			{"leader without name", func(f *arbitration.Filing) { f.AppellantRole = arbitration.ByLeader }, "领队姓名"},
			{"no facts", func(f *arbitration.Filing) { f.Facts = "  " }, "事实和理由"},
			{"facts too long", func(f *arbitration.Filing) { f.Facts = strings.Repeat("字", arbitration.MaxFacts+1) }, "2000"},
		} {
			f := score
			c.edit(&f)
			_, err := s.FileArbitration(ctx, d.ev.ID, f, "organizer")
			wantRefused(t, c.name, err, skillscore.EInvalid, c.phrase)
		}
		other := score
		other.ModuleID = 999999
		_, err := s.FileArbitration(ctx, d.ev.ID, other, "organizer")
		wantRefused(t, "foreign module", err, skillscore.ENotFound, "模块")

		// While sheets are open the module has not ended: no deadline yet.
		ends, _, err := s.ModuleEnds(ctx, d.ev.ID)
		if err != nil || len(ends) != 2 || ends[1].End.Known || !ends[1].Deadline.IsZero() {
			t.Fatalf("module under way: %+v %v", ends, err)
		}
		// Both contestants' sheets submitted: the last at 10:00.
		for i, c := range d.cs {
			now = time.Date(2026, 5, 18, 9, 30+30*i, 0, 0, cst)
			for j, kind := range []string{OpMark, OpMark, OpSubmit} {
				op := SheetOp{OpID: fmt.Sprintf("arb-%d-%d", i, j), Kind: kind, EventID: d.ev.ID, ModuleID: d.pra.ID,
					ContestantID: c.ID, JudgeID: d.judge.ID, Actor: "judge:1", Subject: "x"}
				if kind == OpMark {
					op.AspectID, op.Value = d.pra.Aspects[j].ID, 80000*int64(1-j)
				}
				if res, err := s.ApplyOps(ctx, []SheetOp{op}); err != nil || res[0].Err != nil {
					t.Fatalf("score: %v %v", err, res)
				}
			}
		}
		ends, win, err := s.ModuleEnds(ctx, d.ev.ID)
		if err != nil || !ends[1].End.Known || !ends[1].End.At.Equal(time.Date(2026, 5, 18, 10, 0, 0, 0, cst)) ||
			!ends[1].Deadline.Equal(time.Date(2026, 5, 18, 12, 0, 0, 0, cst)) || win != 2*time.Hour {
			t.Fatalf("module ended: %+v %v %v", ends, win, err)
		}

		// In time: 11:59.
		now = time.Date(2026, 5, 18, 11, 59, 0, 0, cst)
		c1, err := s.FileArbitration(ctx, d.ev.ID, score, "arbiter1")
		if err != nil {
			t.Fatal(err)
		}
		if c1.No != 1 || c1.Appellant != "李秀英" || c1.Status != arbitration.StatusFiled || !c1.Deadline.Equal(ends[1].Deadline) ||
			strings.Contains(c1.Facts, "36010219900307002X") || !strings.Contains(c1.EndBasis, "最后一份评分表提交于 2026-05-18 10:00") {
			t.Fatalf("filed: %+v", c1)
		}
		equipment := arbitration.Filing{Kind: arbitration.KindEquipment, ModuleID: d.pra.ID, AppellantRole: arbitration.ByLeader,
			Appellant: "王领队", AppellantOrg: "九江市代表队", Facts: "3 号工位护理床升降故障，耽误约 5 分钟。"}
		c2, err := s.FileArbitration(ctx, d.ev.ID, equipment, "organizer")
		if err != nil || c2.No != 2 || c2.ContestantID != 0 || c2.AppellantText() != "领队 王领队（九江市代表队）" {
			t.Fatalf("equipment: %+v %v", c2, err)
		}
		// Late: 12:01 is refused, naming the deadline; nothing stored.
		now = time.Date(2026, 5, 18, 12, 1, 0, 0, cst)
		_, err = s.FileArbitration(ctx, d.ev.ID, equipment, "organizer")
		wantRefused(t, "late", err, skillscore.EInvalid, "申诉须在 2026-05-18 12:00 前提出（时限 2 小时）")
		if n := count(); n != 2 {
			t.Fatalf("a late filing was stored: %d", n)
		}
		// A longer window set by the organizer admits it.
		if err := s.SetArbitrationWindow(ctx, d.ev.ID, 180, "organizer"); err != nil {
			t.Fatal(err)
		}
		c3, err := s.FileArbitration(ctx, d.ev.ID, equipment, "organizer")
		if err != nil || !c3.Deadline.Equal(time.Date(2026, 5, 18, 13, 0, 0, 0, cst)) {
			t.Fatalf("with 3 hours: %+v %v", c3, err)
		}

		// A schedule for the module makes its planned end the end.
		if _, err := s.w.ExecContext(ctx, `INSERT INTO sessions (event_id, code, name, venue, module, stations, day, starts, ends, position)
			VALUES (?, 'S01', '第一场', '', 'A', '1', '2026-05-18', '08:00', '09:00', 1), (?, 'S02', '第二场', '', 'A', '1', '2026-05-18', '13:30', '15:00', 2)`,
			d.ev.ID, d.ev.ID); err != nil {
			t.Fatal(err)
		}
		ends, _, err = s.ModuleEnds(ctx, d.ev.ID)
		if err != nil || !ends[1].Deadline.Equal(time.Date(2026, 5, 18, 18, 0, 0, 0, cst)) || !strings.Contains(ends[1].End.Basis, "S02") {
			t.Fatalf("scheduled end: %+v %v", ends, err)
		}

		// Hearing: refused before the filing or in the future, then recorded.
		now = time.Date(2026, 5, 18, 12, 30, 0, 0, cst)
		h := arbitration.Hearing{HeardAt: time.Date(2026, 5, 18, 12, 10, 0, 0, cst), Heard: "申诉人李秀英；当值裁判陈裁判",
			Findings: "调阅评分表与现场录像：沟通评估第 3 步确未完成。"}
		early := h
		early.HeardAt = time.Date(2026, 5, 18, 11, 0, 0, 0, cst)
		wantRefused(t, "hearing before filing", s.RecordHearing(ctx, d.ev.ID, c1.ID, early, "arbiter1"), skillscore.EInvalid, "早于申诉受理时间")
		late := h
		late.HeardAt = now.Add(time.Hour)
		wantRefused(t, "hearing in the future", s.RecordHearing(ctx, d.ev.ID, c1.ID, late, "arbiter1"), skillscore.EInvalid, "晚于现在")
		// No decision before a hearing.
		reject := arbitration.Decision{Outcome: arbitration.StatusRejected, Reasons: "经调阅录像，评分符合评分标准。"}
		wantRefused(t, "decide unheard", s.DecideArbitration(ctx, d.ev.ID, c1.ID, reject, "arbiter1"), skillscore.EConflict, "尚无听证记录")
		if err := s.RecordHearing(ctx, d.ev.ID, c1.ID, h, "arbiter1"); err != nil {
			t.Fatal(err)
		}
		got, err := s.Arbitration(ctx, d.ev.ID, c1.ID)
		if err != nil || got.Status != arbitration.StatusHeard || len(got.Hearings) != 1 || got.Hearings[0].Heard != h.Heard ||
			!got.Hearings[0].HeardAt.Equal(h.HeardAt) || got.Hearings[0].RecordedBy != "arbiter1" {
			t.Fatalf("heard: %+v %v", got, err)
		}
		// Decision: incomplete ones refused; a re-mark only of an upheld
		// score appeal, only of the contestant's sheets of the module.
		wantRefused(t, "no reasons", s.DecideArbitration(ctx, d.ev.ID, c1.ID, arbitration.Decision{Outcome: arbitration.StatusRejected}, "arbiter1"),
			skillscore.EInvalid, "理由")
		wantRefused(t, "upheld without measures", s.DecideArbitration(ctx, d.ev.ID, c1.ID,
			arbitration.Decision{Outcome: arbitration.StatusUpheld, Reasons: "x"}, "arbiter1"), skillscore.EInvalid, "处理措施")
		sheets, err := s.Sheets(ctx, d.ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		var own, others int64
		for _, sh := range sheets {
			if sh.ContestantID == d.cs[0].ID {
				own = sh.ID
			} else {
				others = sh.ID
			}
		}
		upheld := arbitration.Decision{Outcome: arbitration.StatusUpheld, Reasons: "录像显示第 3 步已完成，扣分有误。",
			Measures: "由裁判长重新开放该评分表复评。", RemarkSheets: []int64{others}}
		wantRefused(t, "other's sheet", s.DecideArbitration(ctx, d.ev.ID, c1.ID, upheld, "arbiter1"), skillscore.EInvalid, "不是该选手")
		// The module signed off: the re-mark withdraws the sign-off.
		for _, sh := range sheets {
			if _, _, err := s.SetSheetStatus(ctx, d.ev.ID, sh.ID, "locked", "", "chief"); err != nil {
				t.Fatal(err)
			}
		}
		chief, err := s.CreateUser(ctx, User{Username: "chief", Name: "裁判长", Role: RoleChief, PasswordHash: "x"}, "test")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SignOffModule(ctx, d.ev.ID, d.pra.ID, chief.ID, "chief"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateUser(ctx, User{Username: "arbiter1", Name: "仲裁甲", Role: RoleArbiter, PasswordHash: "x"}, "test"); err != nil {
			t.Fatal(err)
		}
		upheld.RemarkSheets = []int64{own}
		if err := s.DecideArbitration(ctx, d.ev.ID, c1.ID, upheld, "arbiter1"); err != nil {
			t.Fatal(err)
		}
		mods, err := s.Modules(ctx, d.ev.ID)
		if err != nil || mods[1].SignedOffAt.Valid() {
			t.Fatalf("sign-off not withdrawn: %+v %v", mods[1], err)
		}
		got, err = s.Arbitration(ctx, d.ev.ID, c1.ID)
		if err != nil || got.Status != arbitration.StatusUpheld || got.DeciderName != "仲裁甲" || len(got.RemarkSheets) != 1 ||
			got.RemarkSheets[0] != own || !got.DecidedAt.Equal(now) || got.Measures != upheld.Measures {
			t.Fatalf("decided: %+v %v", got, err)
		}
		// Final: no second decision, no hearing after it.
		wantRefused(t, "decide twice", s.DecideArbitration(ctx, d.ev.ID, c1.ID, reject, "arbiter1"), skillscore.EConflict, "最终决定")
		h.HeardAt = now
		wantRefused(t, "hear after decision", s.RecordHearing(ctx, d.ev.ID, c1.ID, h, "arbiter1"), skillscore.EConflict, "最终决定")
		// A non-score appeal cannot order a re-mark.
		if err := s.RecordHearing(ctx, d.ev.ID, c2.ID, arbitration.Hearing{HeardAt: now, Heard: "王领队；设备技术员",
			Findings: "护理床故障属实，已补时 5 分钟。"}, "arbiter1"); err != nil {
			t.Fatal(err)
		}
		wantRefused(t, "remark of equipment", s.DecideArbitration(ctx, d.ev.ID, c2.ID, arbitration.Decision{Outcome: arbitration.StatusUpheld,
			Reasons: "x", Measures: "y", RemarkSheets: []int64{own}}, "arbiter1"), skillscore.EInvalid, "只有成立的成绩评判类")
		if err := s.DecideArbitration(ctx, d.ev.ID, c2.ID, arbitration.Decision{Outcome: arbitration.StatusRejected,
			Reasons: "故障已当场补时处理，对成绩无影响。"}, "arbiter1"); err != nil {
			t.Fatal(err)
		}
		all, err := s.Arbitrations(ctx, d.ev.ID)
		if err != nil || len(all) != 3 || all[1].Status != arbitration.StatusRejected || all[2].Status != arbitration.StatusFiled {
			t.Fatalf("list: %+v %v", all, err)
		}

		// Every step audited.
		trail, err := s.AuditTrail(ctx, d.ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]int{}
		for _, e := range trail {
			seen[e.Action]++
		}
		for action, n := range map[string]int{"arbitration.window": 1, "arbitration.file": 3, "arbitration.hearing": 2,
			"arbitration.upheld": 1, "arbitration.rejected": 1} {
			if seen[action] != n {
				t.Errorf("audit %s: %d entries, want %d", action, seen[action], n)
			}
		}
	})
}

// TestArbitrationImportedModuleEnds: a module whose scores are imported
// (the theory test) and has no schedule ends when its scores were last
// imported; before the first import it has not ended.
func TestArbitrationImportedModuleEnds(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		cst := skillscore.China()
		now := time.Date(2026, 5, 18, 14, 5, 0, 0, cst)
		s := open(Options{Now: func() time.Time { return now }})
		ctx := context.Background()
		d := seed(t, s)
		theory := func() ModuleEndInfo {
			t.Helper()
			ends, _, err := s.ModuleEnds(ctx, d.ev.ID)
			if err != nil || len(ends) != 2 || ends[0].ModuleID != d.theory.ID {
				t.Fatalf("ends: %+v %v", ends, err)
			}
			return ends[0]
		}
		if e := theory(); e.End.Known || !e.Deadline.IsZero() || !strings.Contains(e.End.Basis, "成绩尚未导入") {
			t.Fatalf("before the import: %+v", e)
		}
		imp := func(c Contestant) {
			t.Helper()
			if _, err := s.ImportScores(ctx, d.ev.ID, d.theory.ID, []ImportedScore{{ContestantID: c.ID, Value: 850000}}, "理论.xlsx", "organizer"); err != nil {
				t.Fatal(err)
			}
		}
		imp(d.cs[0])
		now = time.Date(2026, 5, 18, 14, 35, 0, 0, cst)
		imp(d.cs[1]) // the last import ends the module
		if e := theory(); !e.End.Known || !e.End.At.Equal(now) || e.End.Basis != "成绩导入于 2026-05-18 14:35" ||
			!e.Deadline.Equal(time.Date(2026, 5, 18, 16, 35, 0, 0, cst)) {
			t.Fatalf("after the import: %+v", e)
		}
		f := arbitration.Filing{Kind: arbitration.KindScore, ModuleID: d.theory.ID, ContestantID: d.cs[0].ID,
			AppellantRole: arbitration.ByContestant, Facts: "理论成绩与机考系统显示不符。"}
		now = time.Date(2026, 5, 18, 16, 35, 0, 0, cst)
		c, err := s.FileArbitration(ctx, d.ev.ID, f, "organizer")
		if err != nil || c.EndBasis != "成绩导入于 2026-05-18 14:35" || !c.Deadline.Equal(time.Date(2026, 5, 18, 16, 35, 0, 0, cst)) {
			t.Fatalf("in time: %+v %v", c, err)
		}
		now = time.Date(2026, 5, 18, 16, 36, 0, 0, cst)
		_, err = s.FileArbitration(ctx, d.ev.ID, f, "organizer")
		wantRefused(t, "late", err, skillscore.EInvalid, "模块「T 理论知识」成绩导入于 2026-05-18 14:35，申诉须在 2026-05-18 16:35 前提出")
	})
}

// TestUndecidedArbitrationHoldsResults: publication (公示, and the live
// page's publish) is refused while an on-site appeal is undecided, naming
// the cases; so is making the results final when a case is filed during
// the 公示. A decision lets them through.
func TestUndecidedArbitrationHoldsResults(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		now := time.Date(2026, 5, 20, 9, 0, 0, 0, time.UTC)
		s := open(Options{Now: func() time.Time { return now }})
		ctx := context.Background()
		d := seed(t, s)
		assignAll(t, s, d)
		if _, err := s.Draw(ctx, d.ev.ID, 1, "0123456789abcdef0123456789abcdef", "organizer"); err != nil {
			t.Fatal(err)
		}
		for n, c := range d.cs {
			for i, kind := range []string{OpMark, OpMark, OpSubmit} {
				op := SheetOp{OpID: fmt.Sprintf("op%d-%d", n, i), Kind: kind, EventID: d.ev.ID, ModuleID: d.pra.ID,
					ContestantID: c.ID, JudgeID: d.judge.ID, Actor: "judge:1", Subject: "x"}
				if kind == OpMark {
					op.AspectID, op.Value = d.pra.Aspects[i].ID, 20000*int64(1-i)
				}
				if res, err := s.ApplyOps(ctx, []SheetOp{op}); err != nil || res[0].Err != nil {
					t.Fatalf("score %s: %v %v", kind, err, res)
				}
			}
		}
		sheets, err := s.Sheets(ctx, d.ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, sh := range sheets {
			if _, _, err := s.SetSheetStatus(ctx, d.ev.ID, sh.ID, "locked", "", "chief"); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.SignOffModule(ctx, d.ev.ID, d.pra.ID, 1, "chief"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Decrypt(ctx, d.ev.ID, "organizer"); err != nil {
			t.Fatal(err)
		}
		publish := func() error {
			_, err := s.PublishResults(ctx, d.ev.ID, now, now.Add(72*time.Hour), "organizer")
			return err
		}
		file := func() arbitration.Case {
			t.Helper()
			c, err := s.FileArbitration(ctx, d.ev.ID, arbitration.Filing{Kind: arbitration.KindEquipment, ModuleID: d.pra.ID,
				AppellantRole: arbitration.ByLeader, Appellant: "王领队", Facts: "护理床故障。"}, "arbiter1")
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		decide := func(c arbitration.Case) {
			t.Helper()
			if err := s.RecordHearing(ctx, d.ev.ID, c.ID, arbitration.Hearing{HeardAt: now, Heard: "王领队", Findings: "故障属实，已补时。"}, "arbiter1"); err != nil {
				t.Fatal(err)
			}
			if err := s.DecideArbitration(ctx, d.ev.ID, c.ID, arbitration.Decision{Outcome: arbitration.StatusRejected, Reasons: "已当场补时。"}, "arbiter1"); err != nil {
				t.Fatal(err)
			}
		}
		c1, c2 := file(), file()
		if err := s.RecordHearing(ctx, d.ev.ID, c2.ID, arbitration.Hearing{HeardAt: now, Heard: "王领队", Findings: "待查。"}, "arbiter1"); err != nil {
			t.Fatal(err)
		}
		// Filed and heard alike hold the results.
		w, err := s.Workflow(ctx, d.ev.ID)
		if err != nil || len(w.UndecidedArbitrations) != 2 {
			t.Fatalf("workflow: %+v %v", w, err)
		}
		wantRefused(t, "publish", publish(), skillscore.EConflict, "现场仲裁申诉第 1、2 号尚未作出决定，不能发布成绩")
		_, err = s.SetPublished(ctx, d.ev.ID, true, "organizer")
		wantRefused(t, "live publish", err, skillscore.EConflict, "现场仲裁申诉第 1、2 号尚未作出决定")
		decide(c1)
		wantRefused(t, "publish with one left", publish(), skillscore.EConflict, "现场仲裁申诉第 2 号尚未作出决定")
		if err := s.DecideArbitration(ctx, d.ev.ID, c2.ID, arbitration.Decision{Outcome: arbitration.StatusRejected, Reasons: "不影响成绩。"}, "arbiter1"); err != nil {
			t.Fatal(err)
		}
		if err := publish(); err != nil {
			t.Fatalf("publish after the decisions: %v", err)
		}
		// A case filed during the 公示 holds the final results.
		c3 := file()
		now = now.Add(73 * time.Hour)
		wantRefused(t, "final", s.Finalize(ctx, d.ev.ID, "organizer"), skillscore.EConflict, "现场仲裁申诉第 3 号尚未作出决定，不能最终确认")
		decide(c3)
		if err := s.Finalize(ctx, d.ev.ID, "organizer"); err != nil {
			t.Fatalf("final after the decision: %v", err)
		}
	})
}
