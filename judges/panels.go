package judges

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"skillscore"
	"skillscore/store"
)

// Conflict is why a judge may not score a contestant (回避).
type Conflict struct {
	JudgeID      int64  `json:"judge_id"`
	JudgeCode    string `json:"judge"`
	ContestantID int64  `json:"contestant_id"`
	Contestant   string `json:"contestant"` // anonymous code
	Reason       string `json:"reason"`
}

// ConflictReason says why judge j must not score contestant c, or "" when
// nothing stands in the way: the same 单位, the same 设区市, or a relation the
// judge declared.
func ConflictReason(j store.Judge, c store.Contestant, relation string) string {
	var why []string
	if j.Organization != "" && strings.TrimSpace(j.Organization) == strings.TrimSpace(c.Organization) {
		why = append(why, "同一单位（"+j.Organization+"）")
	}
	if j.City != "" && strings.TrimSuffix(j.City, "市") == strings.TrimSuffix(c.City, "市") {
		why = append(why, "同一设区市（"+j.City+"）")
	}
	if relation != "" {
		why = append(why, "申报的关系："+relation)
	}
	return strings.Join(why, "；")
}

// EntryConflict is ConflictReason for an entry: for a team entry, every
// member's reason, each naming the member (relations are declared per
// person, by contestant id).
func EntryConflict(j store.Judge, entry store.Contestant, members []store.Contestant, relation map[int64]string) string {
	if entry.Kind != store.KindTeam {
		return ConflictReason(j, entry, relation[entry.ID])
	}
	var why []string
	if r := relation[entry.ID]; r != "" {
		why = append(why, "申报的关系："+r)
	}
	for _, m := range members {
		if r := ConflictReason(j, m, relation[m.ID]); r != "" {
			why = append(why, "队员 "+m.Name+"："+r)
		}
	}
	return strings.Join(why, "；")
}

// AssignRequest assigns one panel judge to contestants of a module.
type AssignRequest struct {
	EventID       int64
	ModuleID      int64
	JudgeID       int64
	ContestantIDs []int64 // nil: every contestant of the event
	// Override, when not empty, is the organizer's written reason to assign
	// despite conflicts; it is stored with each conflicting assignment and
	// audited. Without it a conflicting request stores nothing.
	Override string
	// SkipConflicts assigns everyone else and leaves the conflicting
	// contestants out (the usual way to set up a panel with 回避).
	SkipConflicts bool
	Actor         string
}

// Assign checks conflicts and stores the assignments, all or none.
func (s *Service) Assign(ctx context.Context, req AssignRequest) (assigned int, conflicts []Conflict, err error) {
	j, err := s.st.Judge(ctx, req.JudgeID)
	if err != nil {
		return 0, nil, err
	}
	if j.EventID != req.EventID {
		return 0, nil, skillscore.Errorf(skillscore.ENotFound, "裁判不属于本赛事")
	}
	cs, err := s.st.Contestants(ctx, req.EventID)
	if err != nil {
		return 0, nil, err
	}
	rels, err := s.st.Relations(ctx, req.EventID)
	if err != nil {
		return 0, nil, err
	}
	relation := map[int64]string{}
	for _, r := range rels {
		if r.JudgeID == j.ID {
			relation[r.ContestantID] = r.Relation
		}
	}
	want := map[int64]bool{}
	for _, id := range req.ContestantIDs {
		want[id] = true
	}
	// A team entry is judged as one: its members are never assigned, and
	// the judge must 回避 the team when any member calls for it.
	members := map[int64][]store.Contestant{}
	for _, c := range cs {
		if c.Kind == store.KindMember && c.TeamID != nil {
			members[*c.TeamID] = append(members[*c.TeamID], c)
		}
	}
	var as []store.Assignment
	found := 0
	for _, c := range cs {
		if req.ContestantIDs != nil && !want[c.ID] || c.Kind == store.KindMember {
			continue
		}
		found++
		a := store.Assignment{ModuleID: req.ModuleID, JudgeID: j.ID, ContestantID: c.ID}
		if why := EntryConflict(j, c, members[c.ID], relation); why != "" {
			code := ""
			if c.Code != nil {
				code = *c.Code
			}
			conflicts = append(conflicts, Conflict{JudgeID: j.ID, JudgeCode: j.Code, ContestantID: c.ID, Contestant: code, Reason: why})
			switch {
			case req.Override != "":
				a.OverrideReason = req.Override
			case req.SkipConflicts:
				continue
			}
		}
		as = append(as, a)
	}
	if req.ContestantIDs != nil && found != len(want) {
		return 0, nil, skillscore.Errorf(skillscore.ENotFound, "有 %d 名选手不属于本赛事", len(want)-found)
	}
	if len(conflicts) > 0 && req.Override == "" && !req.SkipConflicts {
		parts := make([]string, 0, len(conflicts))
		for _, c := range conflicts {
			parts = append(parts, fmt.Sprintf("%s：%s", orDash(c.Contestant), c.Reason))
		}
		return 0, conflicts, skillscore.Errorf(skillscore.EConflict, "裁判 %s 需回避 %d 名选手（%s）；如确需分配，请填写书面理由",
			j.Code, len(conflicts), strings.Join(parts, "，"))
	}
	if len(as) > 0 {
		if err := s.st.AddAssignments(ctx, req.EventID, as, req.Actor); err != nil {
			return 0, conflicts, err
		}
	}
	s.hub.reload(j.ID)
	s.tellPeers(ctx, req.EventID, j.ID, false)
	return len(as), conflicts, nil
}

// AssignPanels assigns every panel judge of every judged module to every
// contestant they have no conflict with, and returns the conflicts left out.
func (s *Service) AssignPanels(ctx context.Context, eventID int64, actor string) (int, []Conflict, error) {
	panels, err := s.st.Panels(ctx, eventID)
	if err != nil {
		return 0, nil, err
	}
	total := 0
	var all []Conflict
	for _, p := range panels {
		n, cs, err := s.Assign(ctx, AssignRequest{EventID: eventID, ModuleID: p.ModuleID, JudgeID: p.JudgeID,
			SkipConflicts: true, Actor: actor})
		if err != nil {
			return total, all, err
		}
		total += n
		all = append(all, cs...)
	}
	sort.Slice(all, func(i, k int) bool {
		if all[i].JudgeCode != all[k].JudgeCode {
			return all[i].JudgeCode < all[k].JudgeCode
		}
		return all[i].Contestant < all[k].Contestant
	})
	return total, all, nil
}

func orDash(s string) string {
	if s == "" {
		return "未抽签"
	}
	return s
}

// LockSubmitted locks every submitted sheet of a module at once (the
// chief judge's 全部锁定) and tells each judge's tablets about their sheets.
func (s *Service) LockSubmitted(ctx context.Context, eventID, moduleID int64, actor string) (int, error) {
	sheets, rev, err := s.st.LockSubmitted(ctx, eventID, moduleID, actor)
	if err != nil || len(sheets) == 0 {
		return 0, err
	}
	if s.cfg.OnCommit != nil {
		s.cfg.OnCommit(eventID, rev)
	}
	told := map[int64]bool{}
	for _, sh := range sheets {
		code := ""
		if sh.ContestantCode != nil {
			code = *sh.ContestantCode
		}
		s.hub.send(sh.JudgeID, SheetPush{Type: TypeSheet, Module: sh.ModuleCode, Contestant: code, Status: sh.Status, Revision: rev})
		if !told[sh.JudgeID] {
			told[sh.JudgeID] = true
			s.tellPeers(ctx, eventID, sh.JudgeID, false)
		}
	}
	return len(sheets), nil
}

// SetSheetStatus is the chief judge's lock ("locked") or reopen ("open",
// with a reason). The judge's tablets are told at once.
func (s *Service) SetSheetStatus(ctx context.Context, eventID, sheetID int64, status, reason, actor string) (store.Sheet, error) {
	sh, rev, err := s.st.SetSheetStatus(ctx, eventID, sheetID, status, reason, actor)
	if err != nil {
		return store.Sheet{}, err
	}
	if s.cfg.OnCommit != nil {
		s.cfg.OnCommit(eventID, rev)
	}
	code := ""
	if sh.ContestantCode != nil {
		code = *sh.ContestantCode
	}
	s.hub.send(sh.JudgeID, SheetPush{Type: TypeSheet, Module: sh.ModuleCode, Contestant: code, Status: sh.Status, Reason: reason, Revision: rev})
	s.tellPeers(ctx, eventID, sh.JudgeID, false)
	return sh, nil
}
