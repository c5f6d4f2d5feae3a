package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"skillscore"
	"skillscore/store"
)

// UserAdmin is what the user administration page (/users) needs.
type UserAdmin interface {
	Users(ctx context.Context) ([]store.User, error)
	UserByUsername(ctx context.Context, username string) (store.User, error)
	Grants(ctx context.Context) ([]store.Grant, error)
	GrantByID(ctx context.Context, id int64) (store.Grant, error)
	Grant(ctx context.Context, g store.Grant, actor string) (store.Grant, error)
	Revoke(ctx context.Context, grantID int64, actor string) error
	CreateUserWithGrant(ctx context.Context, u store.User, g store.Grant, actor string) (store.User, error)
}

// canAdminUsers: an organizer of any scope administers the users of its
// scope (site, programme or event).
func canAdminUsers(a store.Access) bool {
	if a.InSite(RoleOrganizer) {
		return true
	}
	for _, m := range []map[string]map[string]bool{a.Programmes, a.Events} {
		for _, roles := range m {
			if roles[RoleOrganizer] {
				return true
			}
		}
	}
	return false
}

func userAdminAccess(_ *http.Request, a store.Access) error {
	if !canAdminUsers(a) {
		return skillscore.Errorf(skillscore.EForbidden, "仅组织者可以管理用户与授权")
	}
	return nil
}

// mayGrant decides whether a user with access a may give or take away g:
// a site organizer anything; a programme organizer any role over its
// programme or one of its events; an event organizer (only) a chief
// judge, scorekeeper or observer of its own event.
func mayGrant(a store.Access, g store.Grant) error {
	switch {
	case a.InSite(RoleOrganizer):
		return nil
	case g.ProgrammeCode != "":
		if a.Programmes[g.ProgrammeCode][RoleOrganizer] {
			return nil
		}
	case g.EventCode != "":
		if programmeOrganizerOf(a, g.EventCode) {
			return nil
		}
		if a.Events[g.EventCode][RoleOrganizer] && g.Role != RoleOrganizer {
			return nil
		}
	}
	return skillscore.Errorf(skillscore.EForbidden, "您无权授予或撤销此授权（%s · %s）", RoleNames[g.Role], ScopeLabel(g))
}

// programmeOrganizerOf: is a an organizer of the programme the event
// belongs to?
func programmeOrganizerOf(a store.Access, eventCode string) bool {
	p, ok := a.ProgrammeOf[eventCode]
	return ok && a.Programmes[p][RoleOrganizer]
}

// ScopeLabel names a grant's scope in Chinese.
func ScopeLabel(g store.Grant) string {
	switch {
	case g.EventCode != "":
		return "赛项 " + g.EventCode
	case g.ProgrammeCode != "":
		return "大赛 " + g.ProgrammeCode
	}
	return "全站"
}

// GrantName is a grant's role as the UI names it: an organizer is 组织者
// site-wide, 大赛组织者 over a programme, 赛项组织者 over an event.
func GrantName(g store.Grant) string {
	if g.Role == RoleOrganizer {
		switch {
		case g.EventCode != "":
			return "赛项组织者"
		case g.ProgrammeCode != "":
			return "大赛组织者"
		}
	}
	return RoleNames[g.Role]
}

type usersPage struct {
	Title, CSRF, Message string
	Site                 bool
	Users                []userRow
	// Events and Programmes are the scopes the page may grant over.
	Events, Programmes []string
	Roles              []roleOption
}

type userRow struct {
	Username, Name string
	Grants         []grantRow
}

type grantRow struct {
	ID              int64
	Name, Scope     string
	MayRevoke       bool
	EventCode, Prog string
}

type roleOption struct{ Value, Name string }

// visible: a grant the page lists to a user with access a (site
// organizers see all; others the grants over their scopes).
func visible(a store.Access, g store.Grant) bool {
	return mayGrant(a, g) == nil ||
		(g.EventCode != "" && a.Events[g.EventCode][RoleOrganizer]) ||
		(g.ProgrammeCode != "" && a.Programmes[g.ProgrammeCode][RoleOrganizer])
}

func (s *Server) handleUsersPage(w http.ResponseWriter, r *http.Request, u *authed) {
	ctx := r.Context()
	users, err := s.accounts.Users(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	grants, err := s.accounts.Grants(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := usersPage{Title: "用户与授权", CSRF: u.CSRF, Site: u.Access.InSite(RoleOrganizer),
		Message: r.URL.Query().Get("msg")}
	byUser := map[string][]grantRow{}
	for _, g := range grants {
		if !visible(u.Access, g) {
			continue
		}
		byUser[g.Username] = append(byUser[g.Username], grantRow{ID: g.ID, Name: GrantName(g), Scope: ScopeLabel(g),
			MayRevoke: mayGrant(u.Access, g) == nil, EventCode: g.EventCode, Prog: g.ProgrammeCode})
	}
	for _, usr := range users {
		if gs, ok := byUser[usr.Username]; ok || page.Site {
			page.Users = append(page.Users, userRow{Username: usr.Username, Name: usr.Name, Grants: gs})
		}
	}
	evs, err := s.store.Events(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, ev := range evs {
		if u.Access.InEvent(ev.Code, RoleOrganizer) {
			page.Events = append(page.Events, ev.Code)
		}
	}
	for code, roles := range u.Access.Programmes {
		if roles[RoleOrganizer] {
			page.Programmes = append(page.Programmes, code)
		}
	}
	for _, role := range StaffRoles {
		page.Roles = append(page.Roles, roleOption{role, RoleNames[role]})
	}
	s.render(w, r, "users", page)
}

// grantForm reads a grant's role and scope: scope "site", "event:CODE"
// or "programme:CODE".
func grantForm(r *http.Request) (store.Grant, error) {
	g := store.Grant{Role: r.PostFormValue("role")}
	if _, ok := RoleNames[g.Role]; !ok {
		return g, skillscore.Errorf(skillscore.EInvalid, "请选择角色")
	}
	scope := r.PostFormValue("scope")
	switch {
	case scope == "site":
	case strings.HasPrefix(scope, "event:") && len(scope) > len("event:"):
		g.EventCode = strings.TrimPrefix(scope, "event:")
	case strings.HasPrefix(scope, "programme:") && len(scope) > len("programme:"):
		g.ProgrammeCode = strings.TrimPrefix(scope, "programme:")
	default:
		return g, skillscore.Errorf(skillscore.EInvalid, "请选择授权范围（全站、大赛或赛项）")
	}
	return g, nil
}

// handleUserAdd creates a user with its first grant.
func (s *Server) handleUserAdd(w http.ResponseWriter, r *http.Request, u *authed) {
	g, err := grantForm(r)
	if err == nil {
		err = mayGrant(u.Access, g)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	username := strings.TrimSpace(r.PostFormValue("username"))
	name := strings.TrimSpace(r.PostFormValue("name"))
	if username == "" || len(username) > 64 || strings.ContainsAny(username, " \t\r\n") {
		s.fail(w, r, skillscore.Errorf(skillscore.EInvalid, "用户名必须是 1–64 个字符，不含空格"))
		return
	}
	if name == "" {
		name = username
	}
	hash, err := HashPassword(r.PostFormValue("password"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if _, err := s.accounts.CreateUserWithGrant(r.Context(), store.User{Username: username, Name: name, Role: g.Role, PasswordHash: hash},
		g, u.User.Username); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, noticeURL("/users", "user-added"), http.StatusSeeOther)
}

// handleUserGrant gives an existing user a role over a scope.
func (s *Server) handleUserGrant(w http.ResponseWriter, r *http.Request, u *authed) {
	g, err := grantForm(r)
	if err == nil {
		err = mayGrant(u.Access, g)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	target, err := s.accounts.UserByUsername(r.Context(), strings.TrimSpace(r.PostFormValue("username")))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	g.UserID = target.ID
	if _, err := s.accounts.Grant(r.Context(), g, u.User.Username); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, noticeURL("/users", "user-granted"), http.StatusSeeOther)
}

// handleUserRevoke takes a grant away.
func (s *Server) handleUserRevoke(w http.ResponseWriter, r *http.Request, u *authed) {
	id, err := strconv.ParseInt(r.PathValue("grant"), 10, 64)
	if err != nil {
		s.fail(w, r, skillscore.Errorf(skillscore.ENotFound, "授权不存在"))
		return
	}
	g, err := s.accounts.GrantByID(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := mayGrant(u.Access, g); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.accounts.Revoke(r.Context(), id, u.User.Username); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, noticeURL("/users", "user-revoked"), http.StatusSeeOther)
}
