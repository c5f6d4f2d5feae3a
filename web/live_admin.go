package web

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"skillscore"
	"skillscore/store"
)

// LiveAdmin is what the organizer's live controls need from the database.
type LiveAdmin interface {
	EventByCode(ctx context.Context, code string) (store.Event, error)
	LiveState(ctx context.Context, eventID int64) (store.LiveState, error)
	SetPublished(ctx context.Context, eventID int64, published bool, actor string) (int64, error)
	SetFreeze(ctx context.Context, eventID int64, at time.Time, reason, actor string) (int64, error)
	SetCeremonyStep(ctx context.Context, eventID int64, step int, reason, actor string) (int64, error)
	SetLiveSettings(ctx context.Context, eventID int64, showJudgeMarks, liveDraftMarks bool, actor string) (int64, error)
}

// liveStateJSON answers a live control: what spectators now see.
type liveStateJSON struct {
	Revision     int64      `json:"revision"`
	Published    bool       `json:"published"`
	FreezeAt     *time.Time `json:"freeze_at,omitempty"`
	Frozen       bool       `json:"frozen"`
	CeremonyStep int        `json:"ceremony_step"` // -1: no ceremony
	// The event's settings of what the public may see.
	ShowJudgeMarks bool `json:"show_judge_marks"`
	LiveDraftMarks bool `json:"live_draft_marks"`
}

// handleLiveControl is the organizer's publication, freeze and ceremony:
// POST /api/v1/events/{code}/live/{publish|unpublish|freeze|unfreeze|reveal|settings}
// with the form fields at (RFC 3339, freeze; default now), step (reveal;
// default one more) or end=1 (reveal: end the ceremony), reason (freeze and
// reveal while sheets are unlocked: why it cannot wait; audited), and
// judge_marks=1 / draft_marks=1 (settings; absent means off). The change
// is in the audit trail under the organizer's username, and viewers see it
// at once.
func (s *Server) handleLiveControl(w http.ResponseWriter, r *http.Request, u *authed) {
	admin := s.live.admin
	if admin == nil {
		s.fail(w, r, skillscore.Errorf(skillscore.EUnavailable, "本服务未启用实时成绩管理"))
		return
	}
	ctx := r.Context()
	ev, err := admin.EventByCode(ctx, r.PathValue("code"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	actor := u.User.Username
	var rev int64
	switch action := r.PathValue("action"); action {
	case "publish", "unpublish":
		rev, err = admin.SetPublished(ctx, ev.ID, action == "publish", actor)
	case "freeze":
		at := time.Now()
		if v := r.PostFormValue("at"); v != "" {
			if at, err = time.Parse(time.RFC3339, v); err != nil {
				s.fail(w, r, skillscore.Errorf(skillscore.EInvalid, "封榜时刻 %q 无效：应为 RFC 3339，如 2026-11-30T15:00:00+08:00", v))
				return
			}
		}
		rev, err = admin.SetFreeze(ctx, ev.ID, at, r.PostFormValue("reason"), actor)
	case "unfreeze":
		rev, err = admin.SetFreeze(ctx, ev.ID, time.Time{}, "", actor)
	case "reveal":
		var step int
		if step, err = revealStep(ctx, admin, ev.ID, r); err == nil {
			rev, err = admin.SetCeremonyStep(ctx, ev.ID, step, r.PostFormValue("reason"), actor)
		}
	case "settings":
		var judgeMarks, draftMarks bool
		if judgeMarks, err = onOff(r, "judge_marks"); err == nil {
			if draftMarks, err = onOff(r, "draft_marks"); err == nil {
				rev, err = admin.SetLiveSettings(ctx, ev.ID, judgeMarks, draftMarks, actor)
			}
		}
	default:
		err = skillscore.Errorf(skillscore.ENotFound, "未知操作 %q：应为 publish、unpublish、freeze、unfreeze、reveal 或 settings", action)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if s.live.svc != nil {
		s.live.svc.EventChanged(ctx, ev.ID, rev)
	}
	l, err := admin.LiveState(ctx, ev.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := liveStateJSON{Revision: l.Revision, Published: l.Published(), Frozen: l.Frozen(time.Now()), CeremonyStep: l.CeremonyStep,
		ShowJudgeMarks: l.ShowJudgeMarks, LiveDraftMarks: l.LiveDraftMarks}
	if !l.FreezeAt.IsZero() {
		out.FreezeAt = &l.FreezeAt.Time
	}
	writeJSON(w, http.StatusOK, out)
}

// onOff reads a checkbox-like field: absent or "0" is off, "1" is on.
func onOff(r *http.Request, field string) (bool, error) {
	switch v := r.PostFormValue(field); v {
	case "", "0":
		return false, nil
	case "1":
		return true, nil
	default:
		return false, skillscore.Errorf(skillscore.EInvalid, "%s 参数 %q 无效：应为 1（开）或 0（关）", field, v)
	}
}

// revealStep reads the ceremony step a reveal asks for: end=1 ends it,
// step=N goes to step N, nothing reveals one more place in every group.
func revealStep(ctx context.Context, admin LiveAdmin, eventID int64, r *http.Request) (int, error) {
	if r.PostFormValue("end") == "1" {
		return -1, nil
	}
	if v := r.PostFormValue("step"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return 0, skillscore.Errorf(skillscore.EInvalid, "揭晓步数 %q 无效：应为整数", v)
		}
		return n, nil
	}
	l, err := admin.LiveState(ctx, eventID)
	if err != nil {
		return 0, err
	}
	return l.CeremonyStep + 1, nil
}

// screenPage is the organizer's control of the big screen: freeze the
// public board, then reveal the final standings from the last place up.
type screenPage struct {
	Title, CSRF, EventCode, EventName, User string
	Published, Frozen                       bool
	ShowJudgeMarks, LiveDraftMarks          bool
	FreezeAt                                string // RFC 3339, "" when none is set
	Step                                    int
	DefaultFreeze                           string // the datetime-local field's value, Beijing time
}

// handleScreenControl serves the page; its buttons call the live control
// API (handleLiveControl) and show the state it answers.
func (s *Server) handleScreenControl(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	admin := s.live.admin
	if admin == nil {
		s.fail(w, r, skillscore.Errorf(skillscore.EUnavailable, "本服务未启用实时成绩管理"))
		return
	}
	l, err := admin.LiveState(r.Context(), ev.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	now := time.Now()
	p := screenPage{Title: ev.Name + " · 大屏控制", CSRF: u.CSRF, EventCode: ev.Code, EventName: ev.Name, User: u.User.Name,
		Published: l.Published(), Frozen: l.Frozen(now), Step: l.CeremonyStep,
		ShowJudgeMarks: l.ShowJudgeMarks, LiveDraftMarks: l.LiveDraftMarks,
		DefaultFreeze: now.Add(30 * time.Minute).In(skillscore.China()).Format("2006-01-02T15:04")}
	if !l.FreezeAt.IsZero() {
		p.FreezeAt = l.FreezeAt.Time.Format(time.RFC3339)
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, "screen", p)
}
