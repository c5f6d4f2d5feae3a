package store

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"skillscore"
	"skillscore/idnumber"
)

// wantRefused fails unless err has the code and its message the phrase.
func wantRefused(t *testing.T, step string, err error, code, phrase string) {
	t.Helper()
	if skillscore.ErrorCode(err) != code || !strings.Contains(skillscore.ErrorMessage(err), phrase) {
		t.Fatalf("%s: got %v (%s), want %s containing %q", step, err, skillscore.ErrorCode(err), code, phrase)
	}
}

func TestResultsWorkflowRefusalsAndHappyPath(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		now := time.Date(2026, 5, 20, 9, 0, 0, 0, time.UTC)
		s := open(Options{Now: func() time.Time { return now }})
		ctx := context.Background()
		d := seed(t, s)
		assignAll(t, s, d)
		if _, err := s.Draw(ctx, d.ev.ID, 1, "0123456789abcdef0123456789abcdef", "organizer"); err != nil {
			t.Fatal(err)
		}
		ops := 0
		score := func(c Contestant, value int64) {
			t.Helper()
			for i, kind := range []string{OpMark, OpMark, OpSubmit} {
				ops++
				op := SheetOp{OpID: fmt.Sprintf("op%d", ops), Kind: kind, EventID: d.ev.ID, ModuleID: d.pra.ID,
					ContestantID: c.ID, JudgeID: d.judge.ID, Actor: "judge:1", Subject: "x"}
				if kind == OpMark {
					op.AspectID, op.Value = d.pra.Aspects[i].ID, value*int64(1-i)
				}
				res, err := s.ApplyOps(ctx, []SheetOp{op})
				if err != nil || res[0].Err != nil {
					t.Fatalf("score %s: %v %v", kind, err, res)
				}
			}
		}
		stage := func(want string) Workflow {
			t.Helper()
			w, err := s.Workflow(ctx, d.ev.ID)
			if err != nil || w.Stage != want {
				t.Fatalf("stage: %+v %v, want %s", w, err, want)
			}
			return w
		}
		publish := func() error {
			_, err := s.PublishResults(ctx, d.ev.ID, now, now.Add(72*time.Hour), "organizer")
			return err
		}
		appealRefused := func(step, phrase string) {
			t.Helper()
			_, err := s.FileAppeal(ctx, d.ev.ID, AppealFiling{ContestantID: d.cs[0].ID, Body: "分数有误"}, "organizer")
			wantRefused(t, step, err, skillscore.EConflict, phrase)
		}

		// progress: one assignment has no sheet, the other is only submitted.
		if w := stage(StageProgress); w.Unlocked != 2 {
			t.Fatalf("unlocked: %+v", w)
		}
		wantRefused(t, "publish before any score", publish(), skillscore.EConflict, "2 份评分表未锁定")
		score(d.cs[0], 20000)
		score(d.cs[1], 10000)
		wantRefused(t, "publish before locks", publish(), skillscore.EConflict, "未锁定")
		appealRefused("appeal before publication", "尚未公示")
		sheets, err := s.Sheets(ctx, d.ev.ID)
		if err != nil || len(sheets) != 2 {
			t.Fatalf("sheets: %v %v", sheets, err)
		}
		sheetOf := map[int64]int64{}
		for _, sh := range sheets {
			sheetOf[sh.ContestantID] = sh.ID
			if _, _, err := s.SetSheetStatus(ctx, d.ev.ID, sh.ID, "locked", "", "chief"); err != nil {
				t.Fatal(err)
			}
		}
		stage(StageLocked)
		wantRefused(t, "publish before sign-off", publish(), skillscore.EConflict, d.pra.Name)
		if err := s.SignOffModule(ctx, d.ev.ID, d.pra.ID, 1, "chief"); err != nil {
			t.Fatal(err)
		}
		stage(StageSignedOff)
		wantRefused(t, "publish before decryption", publish(), skillscore.EConflict, "尚未解密")
		if _, err := s.Decrypt(ctx, d.ev.ID, "organizer"); err != nil {
			t.Fatal(err)
		}
		stage(StageDecrypted)
		wantRefused(t, "final before publication", s.Finalize(ctx, d.ev.ID, "organizer"), skillscore.EConflict, "尚未公示")
		wantRefused(t, "certificates before final", s.RequireFinal(ctx, d.ev.ID), skillscore.EConflict, "尚未最终确认")
		_, err = s.PublishResults(ctx, d.ev.ID, now, now, "organizer")
		wantRefused(t, "empty period", err, skillscore.EInvalid, "结束时间")
		if err := publish(); err != nil {
			t.Fatalf("publish: %v", err)
		}
		w := stage(StagePublication)
		if !w.PublicationEnd.Time.Equal(now.Add(72 * time.Hour)) {
			t.Fatalf("publication end: %+v", w)
		}
		l, _ := s.LiveState(ctx, d.ev.ID)
		if !l.Published() || !l.PublicationEnd.Valid() {
			t.Fatalf("live state not published: %+v", l)
		}

		// Appeals within the period: the contestant's own by 证件号码 + 姓名.
		_, err = s.FileAppeal(ctx, d.ev.ID, AppealFiling{IDNumber: d.cs[0].IDNumber, Name: "李秀", Body: "技能操作分数偏低"}, "public")
		wantRefused(t, "wrong name", err, skillscore.ENotFound, "不匹配")
		if strings.Contains(skillscore.ErrorMessage(err), d.cs[0].IDNumber) {
			t.Fatal("refusal echoes the ID number")
		}
		_, err = s.FileAppeal(ctx, d.ev.ID, AppealFiling{IDNumber: d.cs[0].IDNumber, Name: d.cs[0].Name, Body: "  "}, "public")
		wantRefused(t, "empty appeal", err, skillscore.EInvalid, "申诉内容")
		own, err := s.FileAppeal(ctx, d.ev.ID, AppealFiling{IDNumber: " " + strings.ToLower(d.cs[0].IDNumber), Name: d.cs[0].Name,
			Body: "技能操作分数偏低"}, "public")
		if err != nil || own.Source != "contestant" || own.ContestantID != d.cs[0].ID {
			t.Fatalf("contestant's appeal: %+v %v", own, err)
		}
		_, err = s.FileAppeal(ctx, d.ev.ID, AppealFiling{ContestantID: d.cs[0].ID, Body: "再次申诉"}, "organizer")
		wantRefused(t, "second open appeal", err, skillscore.EConflict, "正在处理")
		other, err := s.FileAppeal(ctx, d.ev.ID, AppealFiling{ContestantID: d.cs[1].ID,
			Body: "选手（证件号码 " + d.cs[1].IDNumber + "）对名次有异议"}, "organizer")
		if err != nil || other.Source != "organizer" {
			t.Fatalf("organizer's appeal: %+v %v", other, err)
		}
		// A 证件号码 written into the appeal's words is stored masked.
		if list, _ := s.Appeals(ctx, d.ev.ID); len(list) == 0 || !strings.Contains(list[0].Body+list[len(list)-1].Body, idnumber.Mask(d.cs[1].IDNumber)) ||
			strings.Contains(list[0].Body+list[len(list)-1].Body, d.cs[1].IDNumber) {
			t.Errorf("appeal bodies %+v: want the number masked", list)
		}
		if w := stage(StagePublication); w.OpenAppeals != 2 || w.Appeals != 2 {
			t.Fatalf("appeals counted: %+v", w)
		}
		wantRefused(t, "final within the period", s.Finalize(ctx, d.ev.ID, "organizer"), skillscore.EConflict, "公示期至")

		// Decisions.
		wantRefused(t, "reject without reason", s.DecideAppeal(ctx, d.ev.ID, other.ID, AppealDecision{Outcome: "rejected"}, "organizer"),
			skillscore.EInvalid, "理由")
		wantRefused(t, "unknown outcome", s.DecideAppeal(ctx, d.ev.ID, other.ID, AppealDecision{Outcome: "maybe", Reason: "x"}, "organizer"),
			skillscore.EInvalid, "驳回或复评")
		if err := s.DecideAppeal(ctx, d.ev.ID, other.ID, AppealDecision{Outcome: "rejected", Reason: "经复核评分无误"}, "organizer"); err != nil {
			t.Fatal(err)
		}
		wantRefused(t, "decide twice", s.DecideAppeal(ctx, d.ev.ID, other.ID, AppealDecision{Outcome: "rejected", Reason: "x"}, "organizer"),
			skillscore.EConflict, "已处理")
		wantRefused(t, "remark another's sheet", s.DecideAppeal(ctx, d.ev.ID, own.ID,
			AppealDecision{Outcome: "remark", Reason: "复评", SheetIDs: []int64{sheetOf[d.cs[1].ID]}}, "organizer"), skillscore.EInvalid, "不是该申诉选手")
		if w := stage(StagePublication); len(w.Unsigned) != 0 || w.OpenAppeals != 1 {
			t.Fatalf("a refused decision changed the state: %+v", w)
		}
		if err := s.DecideAppeal(ctx, d.ev.ID, own.ID, AppealDecision{Outcome: "remark", Reason: "操作评分需复评",
			SheetIDs: []int64{sheetOf[d.cs[0].ID]}}, "organizer"); err != nil {
			t.Fatal(err)
		}
		appeals, err := s.Appeals(ctx, d.ev.ID)
		if err != nil || len(appeals) != 2 || appeals[1].Status != "remark" || *appeals[1].Sheets != fmt.Sprint(sheetOf[d.cs[0].ID]) ||
			appeals[0].Status != "rejected" {
			t.Fatalf("appeals: %+v %v", appeals, err)
		}

		// After the period: no more appeals; final waits for the re-mark.
		now = now.Add(73 * time.Hour)
		appealRefused("appeal after the period", "已于")
		wantRefused(t, "final during a re-mark", s.Finalize(ctx, d.ev.ID, "organizer"), skillscore.EConflict, d.pra.Name)
		if _, _, err := s.SetSheetStatus(ctx, d.ev.ID, sheetOf[d.cs[0].ID], "open", "申诉复评", "chief"); err != nil {
			t.Fatalf("chief reopens for the re-mark: %v", err)
		}
		wantRefused(t, "final with a reopened sheet", s.Finalize(ctx, d.ev.ID, "organizer"), skillscore.EConflict, "未锁定")
		score(d.cs[0], 30000)
		if _, _, err := s.SetSheetStatus(ctx, d.ev.ID, sheetOf[d.cs[0].ID], "locked", "", "chief"); err != nil {
			t.Fatal(err)
		}
		if err := s.SignOffModule(ctx, d.ev.ID, d.pra.ID, 1, "chief"); err != nil {
			t.Fatal(err)
		}
		if err := s.Finalize(ctx, d.ev.ID, "organizer"); err != nil {
			t.Fatalf("finalize: %v", err)
		}
		if w := stage(StageFinal); w.FinalizedBy != "organizer" {
			t.Fatalf("final: %+v", w)
		}
		if err := s.RequireFinal(ctx, d.ev.ID); err != nil {
			t.Fatal(err)
		}
		wantRefused(t, "final twice", s.Finalize(ctx, d.ev.ID, "organizer"), skillscore.EConflict, "已于")
		wantRefused(t, "publish after final", publish(), skillscore.EConflict, "已最终确认")
		appealRefused("appeal after final", "已最终确认")

		trail, err := s.AuditTrail(ctx, d.ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]int{}
		for _, e := range trail {
			seen[e.Action]++
			if strings.Contains(e.Detail, d.cs[0].IDNumber) || strings.Contains(e.Detail, d.cs[0].Name) {
				t.Fatalf("audit entry exposes the contestant: %+v", e)
			}
		}
		for _, a := range []string{"results.publish", "appeal.file", "appeal.rejected", "appeal.remark", "results.final"} {
			if seen[a] == 0 {
				t.Fatalf("no %s in the audit trail: %v", a, seen)
			}
		}
		if bad, _, err := s.VerifyAudit(ctx); err != nil || bad != 0 {
			t.Fatalf("audit chain: %d %v", bad, err)
		}
	})
}
