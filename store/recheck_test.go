package store

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"skillscore"
	"skillscore/internal/testdb"
	"skillscore/recheck"
	"skillscore/scoring"
)

// TestRecheckFlagEscalateCorrectSignOff walks a 复核 on both databases:
// refused before the marks are final; publication waits for it; a flag
// without a category or a note stores nothing; a flagged sheet past the 5 %
// threshold brings in every other sheet; sign-off waits for every verdict,
// the chief judge's correction with a reason and the sheet locked again;
// then publication goes through, and every step is in the audit chain.
func TestRecheckFlagEscalateCorrectSignOff(t *testing.T) {
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
				if res, err := s.ApplyOps(ctx, []SheetOp{op}); err != nil || res[0].Err != nil {
					t.Fatalf("score %s: %v %v", kind, err, res)
				}
			}
		}
		publish := func() error {
			_, err := s.PublishResults(ctx, d.ev.ID, now, now.Add(72*time.Hour), "organizer")
			return err
		}
		set := recheck.Settings{Required: true, TopN: 0, SamplePercent: scoring.Points(50), EscalationPercent: recheck.DefaultEscalationPercent}
		if got, err := s.RecheckSettings(ctx, d.ev.ID); err != nil || got.Required || got.TopN != 10 {
			t.Fatalf("settings of an event without a row: %+v %v", got, err)
		}
		if err := s.SetRecheckSettings(ctx, d.ev.ID, recheck.Settings{TopN: 10}, "organizer"); skillscore.ErrorCode(err) != skillscore.EInvalid {
			t.Fatalf("0 %% sample accepted: %v", err)
		}
		if err := s.SetRecheckSettings(ctx, d.ev.ID, set, "organizer"); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.RecheckSettings(ctx, d.ev.ID); got != set {
			t.Fatalf("settings: %+v", got)
		}
		score(d.cs[0], 20000)
		score(d.cs[1], 10000)
		sheets, err := s.RecheckSheets(ctx, d.ev.ID)
		if err != nil || len(sheets) != 2 {
			t.Fatalf("sheets: %v %v", sheets, err)
		}
		standings := []recheck.Standing{{ContestantID: d.cs[0].ID, Group: "employee", Rank: 1}, {ContestantID: d.cs[1].ID, Group: "student", Rank: 1}}
		const seedHex = "0123456789abcdef0123456789abcdef"
		sample, err := recheck.Draw(seedHex, set, sheets, standings)
		if err != nil || len(sample.Picks) != 1 {
			t.Fatalf("sample: %+v %v", sample, err)
		}
		_, err = s.StartRecheck(ctx, d.ev.ID, seedHex, set, sample, "mon")
		wantRefused(t, "start before locks", err, skillscore.EConflict, "评分尚未全部锁定")
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
		wantRefused(t, "publish before the 复核", publish(), skillscore.EConflict, "成绩复核尚未开始")
		other := set
		other.TopN = 3
		_, err = s.StartRecheck(ctx, d.ev.ID, seedHex, other, sample, "mon")
		wantRefused(t, "start with other settings", err, skillscore.EConflict, "复核设置刚被修改")
		r, err := s.StartRecheck(ctx, d.ev.ID, seedHex, set, sample, "mon")
		if err != nil || r.Seed != seedHex || r.TopCount != 0 || r.RestCount != 2 || r.DrawnCount != 1 || r.StartedBy != "mon" {
			t.Fatalf("round: %+v %v", r, err)
		}
		_, err = s.StartRecheck(ctx, d.ev.ID, seedHex, set, sample, "mon")
		wantRefused(t, "second start", err, skillscore.EConflict, "已经开始")
		wantRefused(t, "settings after start", s.SetRecheckSettings(ctx, d.ev.ID, set, "organizer"), skillscore.EConflict, "已经开始")
		wantRefused(t, "publish while checking", publish(), skillscore.EConflict, "还有 1 份评分表未核对")
		_, items, err := s.Recheck(ctx, d.ev.ID)
		if err != nil || len(items) != 1 || items[0].SheetID != sample.Picks[0].SheetID || items[0].Reason != recheck.ReasonSample ||
			items[0].ModuleCode != "A" || items[0].JudgeCode != d.judge.Code {
			t.Fatalf("items: %+v %v", items, err)
		}
		flagged := items[0]

		_, err = s.SetRecheckVerdict(ctx, d.ev.ID, flagged.ID, RecheckVerdict{Verdict: VerdictFlagged, Note: "A1 纸质 3 分"}, "mon")
		wantRefused(t, "flag without category", err, skillscore.EInvalid, "差错类别")
		_, err = s.SetRecheckVerdict(ctx, d.ev.ID, flagged.ID, RecheckVerdict{Verdict: VerdictFlagged, Category: recheck.CategoryTranscription}, "mon")
		wantRefused(t, "flag without note", err, skillscore.EInvalid, "写明差错")
		if _, items, _ = s.Recheck(ctx, d.ev.ID); items[0].Verdict != "" {
			t.Fatalf("a refused verdict was stored: %+v", items[0])
		}
		wantRefused(t, "correct unflagged", func() error {
			_, err := s.CorrectRecheckItem(ctx, d.ev.ID, flagged.ID, "改", "chief")
			return err
		}(), skillscore.EConflict, "标记有误")
		up, err := s.SetRecheckVerdict(ctx, d.ev.ID, flagged.ID, RecheckVerdict{Verdict: VerdictFlagged, Category: recheck.CategoryTranscription,
			Note: "A1 纸质 3 分，系统 2 分"}, "mon")
		if err != nil || !up {
			t.Fatalf("1 of 1 flagged is over 5 %%: escalated %v, %v", up, err)
		}
		r, items, _ = s.Recheck(ctx, d.ev.ID)
		if !r.EscalatedAt.Valid() || r.EscalatedFlagged != 1 || len(items) != 2 {
			t.Fatalf("escalation: %+v %+v", r, items)
		}
		var added RecheckItem
		for _, it := range items {
			if it.ID != flagged.ID {
				added = it
			}
		}
		if added.Reason != recheck.ReasonEscalation {
			t.Fatalf("added: %+v", added)
		}
		wantRefused(t, "sign-off with a sheet unchecked", s.SignOffRecheck(ctx, d.ev.ID, "mon", "监督甲"), skillscore.EConflict, "1 份评分表未核对")
		if _, err := s.SetRecheckVerdict(ctx, d.ev.ID, added.ID, RecheckVerdict{Verdict: VerdictConfirmed, Note: "与纸质一致"}, "mon"); err != nil {
			t.Fatal(err)
		}
		wantRefused(t, "sign-off before correction", s.SignOffRecheck(ctx, d.ev.ID, "mon", "监督甲"), skillscore.EConflict, "未经裁判长更正")
		_, err = s.CorrectRecheckItem(ctx, d.ev.ID, flagged.ID, "  ", "chief")
		wantRefused(t, "correction without reason", err, skillscore.EInvalid, "原因")
		it, err := s.CorrectRecheckItem(ctx, d.ev.ID, flagged.ID, "按纸质评分表更正 A1 为 3 分", "chief")
		if err != nil || !it.CorrectedAt.Valid() {
			t.Fatalf("correct: %+v %v", it, err)
		}
		_, err = s.CorrectRecheckItem(ctx, d.ev.ID, flagged.ID, "再改", "chief")
		wantRefused(t, "second correction", err, skillscore.EConflict, "已更正")
		_, err = s.SetRecheckVerdict(ctx, d.ev.ID, flagged.ID, RecheckVerdict{Verdict: VerdictConfirmed}, "mon")
		wantRefused(t, "verdict after correction", err, skillscore.EConflict, "已由裁判长更正")
		// The usual reopen path now works: the module's sign-off is withdrawn.
		if _, _, err := s.SetSheetStatus(ctx, d.ev.ID, flagged.SheetID, "open", "成绩复核更正", "chief"); err != nil {
			t.Fatal(err)
		}
		wantRefused(t, "sign-off before the sheet is locked again", s.SignOffRecheck(ctx, d.ev.ID, "mon", "监督甲"), skillscore.EConflict, "未重新锁定")
		var c Contestant
		for _, x := range d.cs {
			if x.ID == flagged.ContestantID {
				c = x
			}
		}
		score(c, 30000)
		if _, _, err := s.SetSheetStatus(ctx, d.ev.ID, flagged.SheetID, "locked", "", "chief"); err != nil {
			t.Fatal(err)
		}
		wantRefused(t, "sign-off before the module is signed off again", s.SignOffRecheck(ctx, d.ev.ID, "mon", "监督甲"), skillscore.EConflict, d.pra.Name)
		if err := s.SignOffModule(ctx, d.ev.ID, d.pra.ID, 1, "chief"); err != nil {
			t.Fatal(err)
		}
		wantRefused(t, "publish before sign-off", publish(), skillscore.EConflict, "尚未签字确认")
		if err := s.SignOffRecheck(ctx, d.ev.ID, "mon", "监督甲"); err != nil {
			t.Fatal(err)
		}
		wantRefused(t, "second sign-off", s.SignOffRecheck(ctx, d.ev.ID, "mon", "监督甲"), skillscore.EConflict, "已于")
		_, err = s.SetRecheckVerdict(ctx, d.ev.ID, added.ID, RecheckVerdict{Verdict: VerdictFlagged, Category: "rule", Note: "x"}, "mon")
		wantRefused(t, "verdict after sign-off", err, skillscore.EConflict, "已签字确认")
		if w, err := s.Workflow(ctx, d.ev.ID); err != nil || !w.RecheckSignedOff.Valid() {
			t.Fatalf("workflow: %+v %v", w, err)
		}
		if err := publish(); err != nil {
			t.Fatalf("publish after the 复核: %v", err)
		}
		trail, err := s.AuditTrail(ctx, d.ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]int{}
		for _, e := range trail {
			seen[e.Action]++
		}
		for _, a := range []string{"recheck.settings", "recheck.start", "recheck.flagged", "recheck.escalate", "recheck.confirmed",
			"recheck.correct", "sheet.reopen", "recheck.signoff"} {
			if seen[a] != 1 {
				t.Errorf("audit %s: %d entries", a, seen[a])
			}
		}
	})
}

// TestRecheckRequiredAtCreation: an event created with recheck.Defaults of a
// competition cannot publish before its 复核.
func TestRecheckRequiredAtCreation(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		s := open(Options{})
		ctx := context.Background()
		def := recheck.Defaults("competition")
		ev, err := s.CreateEvent(ctx, NewEvent{Event: Event{Code: "jx-new", Name: "新赛项", Kind: "competition", Occupation: "养老护理员",
			Year: 2026, Rules: `{"modules":[]}`}, Groups: []Group{{Code: "g", Name: "职工组"}}, Recheck: &def}, "organizer")
		if err != nil {
			t.Fatal(err)
		}
		if got, err := s.RecheckSettings(ctx, ev.ID); err != nil || got != def {
			t.Fatalf("settings: %+v %v", got, err)
		}
		w, err := s.Workflow(ctx, ev.ID)
		if err != nil || !w.RecheckRequired {
			t.Fatalf("workflow: %+v %v", w, err)
		}
		wantRefused(t, "publish", w.PublishAllowed(), skillscore.EConflict, "成绩复核尚未开始")
	})
}

// TestRecheckMigrationKeepsPublishedEvents builds a database as step 034
// left it and opens it: a competition not yet published gets the required
// 复核 with the defaults; a published one, a final one and an assessment
// batch stay as they were (no settings: not required).
func TestRecheckMigrationKeepsPublishedEvents(t *testing.T) {
	type target struct{ name, url string }
	targets := []target{{"sqlite", "sqlite:" + filepath.Join(t.TempDir(), "old.db")}}
	if dsn := testdb.DSN(t); dsn != "" {
		targets = append(targets, target{"mysql", "mysql:" + testdb.Scratch(t, dsn, "skillscore_t_")})
	}
	for _, tg := range targets {
		t.Run(tg.name, func(t *testing.T) {
			ctx := context.Background()
			exec, done := olderRelease(t, tg.url, 34)
			for id, kind := range map[int]string{1: "competition", 2: "competition", 3: "competition", 4: "assessment"} {
				exec(`INSERT INTO events (id, code, name, kind, occupation, year, rules, revision, created_at, updated_at)
					VALUES (?, ?, '旧赛事', ?, '养老护理员', 2025, '{}', 1, 0, 0)`, id, fmt.Sprintf("old-%d", id), kind)
				var published any
				if id == 2 {
					published = int64(5)
				}
				exec(`INSERT INTO live_states (event_id, published_at, updated_at) VALUES (?, ?, 0)`, id, published)
			}
			exec(`INSERT INTO finals (event_id, finalized_at, finalized_by) VALUES (3, 9, 'org')`)
			done()

			s, err := Open(ctx, tg.url, withTestKeys(t, Options{}))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			for id, want := range map[int64]bool{1: true, 2: false, 3: false, 4: false} {
				set, err := s.RecheckSettings(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				if set.Required != want || set.TopN != 10 || set.SamplePercent != recheck.DefaultSamplePercent ||
					set.EscalationPercent != recheck.DefaultEscalationPercent {
					t.Errorf("event %d after the upgrade: %+v, want required %v", id, set, want)
				}
			}
		})
	}
}
