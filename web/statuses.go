package web

import (
	"net/http"
	"strconv"
	"strings"

	"skillscore"
	"skillscore/scoring"
	"skillscore/store"
)

// statusChoice is one option of the status dialog (templates/html/layout.html
// "statusdialog", static/status.js).
type statusChoice struct {
	Value, Name string
	NeedsReason bool
}

// statusChoices are the statuses a role may set: the organizer every one,
// the chief judge only 取消资格 (and clearing it).
func statusChoices(role string) []statusChoice {
	var out []statusChoice
	for _, st := range scoring.Statuses() {
		if statusAllowed(role, "", st) == nil {
			out = append(out, statusChoice{Value: st, Name: scoring.StatusName(st), NeedsReason: scoring.StatusNeedsReason(st)})
		}
	}
	return append(out, statusChoice{Value: "clear", Name: "恢复参赛（清除状态）"})
}

// statusAllowed says whether role may change a contestant's status from
// `from` to `to` ("" = competing): 取消资格 is the chief judge's (or the
// organizer's) decision; 缺考, 弃权 and 不参与评奖 are the organizer's.
// Clearing a status needs the right to set it.
func statusAllowed(role, from, to string) error {
	if role == RoleOrganizer {
		return nil
	}
	if role == RoleChief && (to == scoring.StatusDisqualified || to == "" && from == scoring.StatusDisqualified) {
		return nil
	}
	if role == RoleChief {
		return skillscore.Errorf(skillscore.EForbidden, "裁判长只能取消选手资格或撤销取消资格；缺考、弃权、不参与评奖由组织者设置")
	}
	return skillscore.Errorf(skillscore.EForbidden, "您的角色（%s）无权更改选手状态", RoleNames[role])
}

// scopeRole is the strongest role the user holds over the request's event
// (or programme, or the site): statuses and check-in decisions depend on
// it, not on the role the user was created with.
func scopeRole(r *http.Request, a store.Access) string {
	for _, role := range []string{RoleOrganizer, RoleChief, RoleScorekeeper} {
		if scopeHas(r, a, role) {
			return role
		}
	}
	return RoleObserver
}

// statusRoute admits chief judges and organizers to one event's status
// change; unlike eventRoute it needs no judges service, since the roster
// page offers it too.
func (s *Server) statusRoute(h func(http.ResponseWriter, *http.Request, *authed, store.Event)) http.HandlerFunc {
	return s.requireRole(func(w http.ResponseWriter, r *http.Request, u *authed) {
		if s.judging == nil {
			s.fail(w, r, skillscore.Errorf(skillscore.EUnavailable, "选手状态功能未启用"))
			return
		}
		ev, err := s.eventFor(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		h(w, r, u, ev)
	}, RoleChief)
}

// handleContestantStatus sets or clears a contestant's status (the status
// dialog on the roster page and the chief judge's desk): form fields status
// (absent | withdrew | disqualified | ineligible | clear) and reason.
func (s *Server) handleContestantStatus(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.fail(w, r, skillscore.Errorf(skillscore.EInvalid, "选手编号无效"))
		return
	}
	status := strings.TrimSpace(r.PostFormValue("status"))
	switch status {
	case "clear":
		status = ""
	case "":
		s.fail(w, r, skillscore.Errorf(skillscore.EInvalid, "请选择选手状态"))
		return
	}
	people, err := s.judging.Contestants(r.Context(), ev.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	from, found := "", false
	for _, c := range people {
		if c.ID == id {
			from, found = c.Status, true
		}
	}
	if !found {
		s.fail(w, r, skillscore.Errorf(skillscore.ENotFound, "本赛事没有该选手"))
		return
	}
	if err := statusAllowed(scopeRole(r, u.Access), from, status); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.judging.SetContestantStatus(r.Context(), ev.ID, id, status, r.PostFormValue("reason"), u.User.Username); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"contestant": id, "status": status, "status_name": scoring.StatusName(status)})
}
