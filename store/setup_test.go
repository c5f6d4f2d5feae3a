package store

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"skillscore"
)

// setupOf returns the seeded event's structure, as a set-up edit starts.
func setupOf(t *testing.T, s *Store, eventID int64) EventSetup {
	t.Helper()
	ctx := context.Background()
	mods, err := s.Modules(ctx, eventID)
	if err != nil {
		t.Fatal(err)
	}
	gs, err := s.Groups(ctx, eventID)
	if err != nil {
		t.Fatal(err)
	}
	return EventSetup{Rules: `{"modules":[]}`, Groups: gs, Modules: mods}
}

func TestReplaceRulesBeforeAndAfterMarks(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		s := open(Options{})
		ctx := context.Background()
		d := seed(t, s)
		// Before marks: a new aspect, a renamed module, a new group and a
		// dropped aspect are all allowed.
		es := setupOf(t, s, d.ev.ID)
		es.Rules = `{"v":2}`
		es.Modules[1].Name = "实操A 生活照护"
		es.Modules[1].Aspects = []Aspect{es.Modules[1].Aspects[0], {Code: "A3", Name: "健康教育", Kind: "judgement", MaxMarks: 50000}}
		es.Groups = append(es.Groups, Group{Code: "open", Name: "公开组"})
		if err := s.ReplaceRules(ctx, d.ev.ID, es, "organizer"); err != nil {
			t.Fatal(err)
		}
		mods, _ := s.Modules(ctx, d.ev.ID)
		if mods[1].Name != "实操A 生活照护" || len(mods[1].Aspects) != 2 || mods[1].Aspects[1].Code != "A3" ||
			mods[1].Aspects[0].ID != d.pra.Aspects[0].ID {
			t.Fatalf("modules after edit: %+v", mods[1])
		}
		ev, _ := s.Event(ctx, d.ev.ID)
		if ev.Rules != `{"v":2}` || ev.Revision != d.ev.Revision+1 {
			t.Fatalf("event after edit: rules %s revision %d", ev.Rules, ev.Revision)
		}
		gs, _ := s.Groups(ctx, d.ev.ID)
		if len(gs) != 3 {
			t.Fatalf("groups: %+v", gs)
		}
		// A group in use cannot go; nothing changes.
		bad := setupOf(t, s, d.ev.ID)
		bad.Rules = `{"v":"bad"}`
		bad.Groups = bad.Groups[1:]
		if err := s.ReplaceRules(ctx, d.ev.ID, bad, "organizer"); skillscore.ErrorCode(err) != skillscore.EConflict {
			t.Fatalf("dropping a used group: %v", err)
		}
		if ev2, _ := s.Event(ctx, d.ev.ID); ev2.Rules != `{"v":2}` || ev2.Revision != ev.Revision {
			t.Fatalf("refused edit changed the event: %s %d", ev2.Rules, ev2.Revision)
		}

		// After a mark: weights may change, the structure may not.
		if _, err := s.RecordMark(ctx, MarkOp{OpID: "t:1", EventID: d.ev.ID, ModuleID: d.pra.ID, ContestantID: d.cs[0].ID,
			JudgeID: d.judge.ID, AspectID: d.pra.Aspects[0].ID, Value: 20000, Actor: "J01"}); err != nil {
			t.Fatal(err)
		}
		es = setupOf(t, s, d.ev.ID)
		es.Modules[1].Aspects[1].MaxMarks = 80000
		if err := s.ReplaceRules(ctx, d.ev.ID, es, "organizer"); skillscore.ErrorCode(err) != skillscore.EConflict {
			t.Fatalf("structure change after marks: %v", err)
		}
		es = setupOf(t, s, d.ev.ID)
		es.Rules = `{"v":3}`
		es.Modules[0].Weight, es.Modules[1].Weight = 400000, 600000
		if err := s.ReplaceRules(ctx, d.ev.ID, es, "organizer"); err != nil {
			t.Fatalf("weight change after marks: %v", err)
		}
		mods, _ = s.Modules(ctx, d.ev.ID)
		if mods[0].Weight != 400000 || mods[1].Weight != 600000 || len(mods[1].Aspects) != 2 {
			t.Fatalf("weights: %+v", mods)
		}
		if bad, _, err := s.VerifyAudit(ctx); err != nil || bad != 0 {
			t.Fatalf("audit chain: bad entry %d, %v", bad, err)
		}
	})
}

func TestUpdateEventDetails(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		s := open(Options{})
		ctx := context.Background()
		d := seed(t, s)
		want := EventDetails{Name: "2027年江西省养老护理员职业技能竞赛", Venue: "江西卫生职业学院实训楼", StartsOn: "2027-05-20"}
		if err := s.UpdateEventDetails(ctx, d.ev.ID, want, "organizer"); err != nil {
			t.Fatal(err)
		}
		ev, err := s.Event(ctx, d.ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		if ev.Name != want.Name || ev.Venue != want.Venue || ev.StartsOn != want.StartsOn || ev.Revision != d.ev.Revision+1 {
			t.Fatalf("event after the edit: %+v", ev)
		}
		trail, err := s.AuditFor(ctx, d.ev.ID, fmt.Sprint(d.ev.ID), "organizer")
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, e := range trail {
			found = found || e.Action == "event.details" && strings.Contains(e.Detail, d.ev.Name) && strings.Contains(e.Detail, want.Venue)
		}
		if !found {
			t.Fatalf("no event.details audit entry with the old name and the new venue: %+v", trail)
		}
		if err := s.UpdateEventDetails(ctx, 9999, want, "organizer"); skillscore.ErrorCode(err) != skillscore.ENotFound {
			t.Fatalf("unknown event: %v", err)
		}
	})
}
