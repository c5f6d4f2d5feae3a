package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"

	"skillscore"
	"skillscore/judges"
	"skillscore/store"
	"skillscore/templates"
)

// Roles of users who are not judges, each held over a scope (docs/roles.md).
const (
	RoleOrganizer   = store.RoleOrganizer
	RoleChief       = store.RoleChief
	RoleScorekeeper = store.RoleScorekeeper
	RoleObserver    = store.RoleObserver
	RoleSupervisor  = store.RoleSupervisor
	RoleReviewer    = store.RoleReviewer
	RoleMonitor     = store.RoleMonitor
	RoleArbiter     = store.RoleArbiter
)

// StaffRoles are the roles in the order pages list them, strongest first.
var StaffRoles = []string{RoleOrganizer, RoleChief, RoleScorekeeper, RoleObserver, RoleSupervisor, RoleReviewer, RoleMonitor, RoleArbiter}

// RoleNames are the roles' names in Chinese.
var RoleNames = map[string]string{RoleOrganizer: "组织者", RoleChief: "裁判长", RoleScorekeeper: "记分员", RoleObserver: "观察员",
	RoleSupervisor: "督导员", RoleReviewer: "审核员", RoleMonitor: "监督", RoleArbiter: "仲裁"}

const (
	sessionCookie = "skillscore_session"
	loginCookie   = "skillscore_login" // the login form's CSRF token, before there is a session
	sessionTTL    = 12 * time.Hour     // one venue day
)

// HashPassword returns the bcrypt hash of a password; shorter than 8
// characters is refused.
func HashPassword(pw string) (string, error) {
	if len([]rune(pw)) < 8 {
		return "", skillscore.Errorf(skillscore.EInvalid, "密码至少 8 个字符")
	}
	if len(pw) > 72 {
		return "", skillscore.Errorf(skillscore.EInvalid, "密码最多 72 个字节")
	}
	h, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.DefaultCost)
	return string(h), err
}

// AccountStore is what logins need from the database.
type AccountStore interface {
	UserByUsername(ctx context.Context, username string) (store.User, error)
	CreateSession(ctx context.Context, sess store.UserSession, username string) error
	SessionUser(ctx context.Context, tokenHash string) (store.UserSession, store.User, error)
	DeleteSession(ctx context.Context, tokenHash string) error
	UserAccess(ctx context.Context, userID int64) (store.Access, error)
	UserAdmin
}

// authed is a logged-in user with the session's CSRF token and what its
// grants let it do.
type authed struct {
	User   store.User
	CSRF   string
	Access store.Access
}

func randomString(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// secureRequest: the cookie gets Secure when the browser reached us over
// HTTPS (directly or through a proxy that says so). A venue LAN on plain
// HTTP still works; production sits behind TLS.
func secureRequest(r *http.Request) bool {
	return r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

// currentUser returns the logged-in user of a request, or unauthorized.
func (s *Server) currentUser(r *http.Request) (*authed, error) {
	if s.accounts == nil {
		return nil, skillscore.Errorf(skillscore.EUnavailable, "账户功能未启用")
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return nil, skillscore.Errorf(skillscore.EUnauthorized, "请先登录")
	}
	sess, u, err := s.accounts.SessionUser(r.Context(), sha(c.Value))
	if err != nil {
		return nil, err
	}
	acc, err := s.accounts.UserAccess(r.Context(), u.ID)
	if err != nil {
		return nil, err
	}
	return &authed{User: u, CSRF: sess.CSRF, Access: acc}, nil
}

// The scope of a route is named by its path values: {code} is an event's
// code, {programme} a programme's code; a route with neither is site-wide.
// Every staff route is checked against that scope (docs/roles.md).

// scopeHas reports whether the access holds role over the request's scope.
func scopeHas(r *http.Request, a store.Access, role string) bool {
	if code := r.PathValue("code"); code != "" {
		return a.InEvent(code, role)
	}
	if prog := r.PathValue("programme"); prog != "" {
		return a.InProgramme(prog, role)
	}
	return a.InSite(role)
}

// outOfScope is the answer for an event or programme the user holds no
// role over: the same 404 as for one that does not exist, so a user of
// another event learns nothing about it. Nil when the user holds some role
// over the scope (or the route is site-wide).
func outOfScope(r *http.Request, a store.Access) error {
	if code := r.PathValue("code"); code != "" && !a.AnyInEvent(code) {
		return skillscore.Errorf(skillscore.ENotFound, "赛事 %s 不存在", code)
	}
	if prog := r.PathValue("programme"); prog != "" && len(a.Site) == 0 && len(a.Programmes[prog]) == 0 {
		return skillscore.Errorf(skillscore.ENotFound, "大赛 %s 不存在", prog)
	}
	return nil
}

// permit decides a staff request: an organizer of the scope may do
// everything, the listed roles of the scope may use the route, and an
// observer of the scope may read (GET) but never change anything.
func permit(r *http.Request, a store.Access, roles []string) error {
	if err := outOfScope(r, a); err != nil {
		return err
	}
	if scopeHas(r, a, RoleOrganizer) {
		return nil
	}
	for _, role := range roles {
		if scopeHas(r, a, role) {
			return nil
		}
	}
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		for _, role := range store.ReadOnlyRoles {
			if scopeHas(r, a, role) {
				return nil
			}
		}
	}
	return skillscore.Errorf(skillscore.EForbidden, "您在此范围内的角色无权进行此操作")
}

// organizerOnly keeps observers from a GET that hands out personal data
// (exports, certificate files, rejected roster rows): an observer reads the
// scope's pages, it does not take 证件号码 home. Only an organizer of the
// scope passes.
func (s *Server) organizerOnly(h func(http.ResponseWriter, *http.Request, *authed)) func(http.ResponseWriter, *http.Request, *authed) {
	return func(w http.ResponseWriter, r *http.Request, u *authed) {
		if !scopeHas(r, u.Access, RoleOrganizer) {
			s.fail(w, r, skillscore.Errorf(skillscore.EForbidden, "只读角色（观察员、督导员、审核员、监督、仲裁）不能下载含个人信息的文件"))
			return
		}
		h(w, r, u)
	}
}

// requireRole wraps a handler: not logged in → the login page (or 401 for
// the API), an event or programme outside the user's grants → 404, a role
// the route does not admit in its scope → 403 (permit), and every non-GET
// request must carry the session's CSRF token (form field "csrf" or header
// X-CSRF-Token).
func (s *Server) requireRole(h func(http.ResponseWriter, *http.Request, *authed), roles ...string) http.HandlerFunc {
	return s.requireAccess(h, func(r *http.Request, a store.Access) error { return permit(r, a, roles) })
}

// requireAccess is requireRole with the access decision given: check
// returns the refusal, nil to admit.
func (s *Server) requireAccess(h func(http.ResponseWriter, *http.Request, *authed), check func(*http.Request, store.Access) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u, err := s.currentUser(r)
		if err != nil {
			if skillscore.ErrorCode(err) == skillscore.EUnauthorized && r.Method == http.MethodGet && !strings.HasPrefix(r.URL.Path, "/api/") {
				http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			s.fail(w, r, err)
			return
		}
		// The page's header shows who is logged in and the logout form, a
		// refusal's error page too: a keeper at the wrong page can still
		// log out of a shared venue PC.
		r = r.WithContext(context.WithValue(r.Context(), authedKey{}, u))
		if err := check(r, u.Access); err != nil {
			s.fail(w, r, err)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			// Every form of a logged-in user, uploads included, is capped
			// before anything reads it.
			r.Body = http.MaxBytesReader(w, r.Body, maxImportBody)
			tok := r.Header.Get("X-CSRF-Token")
			if tok == "" {
				if err := parseForm(r); err != nil {
					s.fail(w, r, err)
					return
				}
				tok = r.PostFormValue("csrf")
			}
			if subtle.ConstantTimeCompare([]byte(tok), []byte(u.CSRF)) != 1 {
				s.fail(w, r, skillscore.Errorf(skillscore.EForbidden, "表单已过期或来源不明（CSRF 校验失败），请刷新页面后重试"))
				return
			}
		}
		h(w, r, u)
	}
}

// authedKey carries a request's logged-in user from requireRole to the
// page header (chrome).
type authedKey struct{}

// chrome is the page header of a request: the logged-in user with the
// logout form on routes that required a login, nothing elsewhere.
func chrome(r *http.Request) *templates.Chrome {
	u, ok := r.Context().Value(authedKey{}).(*authed)
	if !ok {
		return nil
	}
	return &templates.Chrome{User: u.User.Name, Role: roleLabel(u), CSRF: u.CSRF, NavHidden: navHidden(r, u.Access)}
}

// roleLabel names a user's role in the page header, an organizer by its
// widest scope (组织者 site-wide, else 大赛组织者 or 赛项组织者).
func roleLabel(u *authed) string {
	if u.User.Role != RoleOrganizer || u.Access.InSite(RoleOrganizer) {
		return RoleNames[u.User.Role]
	}
	for _, roles := range u.Access.Programmes {
		if roles[RoleOrganizer] {
			return "大赛组织者"
		}
	}
	return "赛项组织者"
}

// parseForm reads a POST's form, multipart or not. A body over the limit
// (maxImportBody, or the route's limitBody) is "too large", not a failed
// CSRF check: the token sits after the file in the form and was never read.
func parseForm(r *http.Request) error {
	err := r.ParseMultipartForm(8 << 20)
	if errors.Is(err, http.ErrNotMultipart) {
		err = r.ParseForm()
	}
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge) && tooLarge.Limit > formAllowance:
		return skillscore.Errorf(skillscore.ETooLarge, "文件超过 %d MB 上限，请缩小文件后重试", (tooLarge.Limit-formAllowance)>>20)
	case errors.As(err, &tooLarge):
		return skillscore.Errorf(skillscore.ETooLarge, "提交的内容超过 %d KB 上限", tooLarge.Limit>>10)
	case err != nil:
		return skillscore.Wrap(skillscore.EInvalid, err, "表单无法解析，请刷新页面后重试")
	}
	return nil
}

// ChiefAuth admits a logged-in chief judge or organizer of the event named
// by the request's {code} (for other packages' routes, such as the chief's
// unfrozen live view); another event's users get its 404.
func (s *Server) ChiefAuth(r *http.Request) error {
	u, err := s.currentUser(r)
	if err != nil {
		return err
	}
	if err := outOfScope(r, u.Access); err != nil {
		return err
	}
	if !scopeHas(r, u.Access, RoleChief) && !scopeHas(r, u.Access, RoleOrganizer) {
		return skillscore.Errorf(skillscore.EForbidden, "仅裁判长和组织者可以查看")
	}
	return nil
}

type loginPage struct {
	Title, Next, CSRF, Error, Username, Message string
}

func (s *Server) handleLoginForm(w http.ResponseWriter, r *http.Request) {
	tok := randomString(24)
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: tok, Path: "/login", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: secureRequest(r), MaxAge: 3600})
	next := ""
	if q := r.URL.Query().Get("next"); q != "" {
		next = safeNext(q)
	}
	s.render(w, r, "login", loginPage{Title: "登录", Next: next, CSRF: tok, Message: r.URL.Query().Get("msg")})
}

// safeNext keeps a post-login redirect on this site.
func safeNext(next string) string {
	// Browsers drop tabs and newlines from a URL, so "/\t/evil.com" would
	// become "//evil.com": any control character sends the user home.
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") ||
		strings.ContainsFunc(next, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return "/"
	}
	return next
}

// landing is where a user goes after a login that names no page: the
// organizer to the events, a chief judge to the desk and a scorekeeper to
// the paper sheets of the one event of theirs under way (their grants,
// store.Access), or to the events (each with those links) when there are
// several or none.
func (s *Server) landing(ctx context.Context, u store.User) string {
	page := map[string]string{RoleChief: "desk", RoleScorekeeper: "paper"}[u.Role]
	if page == "" {
		return "/"
	}
	acc, err := s.accounts.UserAccess(ctx, u.ID)
	if err != nil {
		s.log.ErrorContext(ctx, "landing: access", "err", err)
		return "/"
	}
	evs, err := s.store.Events(ctx)
	if err != nil {
		s.log.ErrorContext(ctx, "landing: list events", "err", err)
		return "/"
	}
	var open []store.Event
	for _, ev := range evs {
		if ev.Status != "final" && acc.InEvent(ev.Code, u.Role) {
			open = append(open, ev)
		}
	}
	if len(open) != 1 {
		return "/"
	}
	return "/events/" + open[0].Code + "/" + page
}

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	if s.accounts == nil {
		s.fail(w, r, skillscore.Errorf(skillscore.EUnavailable, "账户功能未启用"))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	username, password := strings.TrimSpace(r.PostFormValue("username")), r.PostFormValue("password")
	page := loginPage{Title: "登录", Username: username}
	if next := r.PostFormValue("next"); next != "" {
		page.Next = safeNext(next)
	}
	again := func(status int, msg string) {
		page.CSRF = randomString(24)
		http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: page.CSRF, Path: "/login", HttpOnly: true,
			SameSite: http.SameSiteStrictMode, Secure: secureRequest(r), MaxAge: 3600})
		page.Error = msg
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(status)
		if err := s.tmpl.Render(w, "login", page); err != nil {
			s.log.Error("render login", "err", err)
		}
	}
	c, err := r.Cookie(loginCookie)
	if err != nil || subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.PostFormValue("csrf"))) != 1 {
		again(http.StatusForbidden, "登录表单已过期，请重新输入")
		return
	}
	if !s.loginLimit.Allow(s.clientIP(r)) {
		again(http.StatusTooManyRequests, "登录尝试过多，请一分钟后再试")
		return
	}
	u, err := s.accounts.UserByUsername(r.Context(), username)
	if err != nil && skillscore.ErrorCode(err) != skillscore.ENotFound {
		s.fail(w, r, err)
		return
	}
	hash := u.PasswordHash
	if hash == "" {
		// Compare against a dummy hash so an unknown user takes as long.
		hash = dummyHash()
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) != nil || u.ID == 0 {
		again(http.StatusUnauthorized, "用户名或密码错误")
		return
	}
	tok := randomString(32)
	sess := store.UserSession{TokenHash: sha(tok), UserID: u.ID, CSRF: randomString(24),
		ExpiresAt: store.Time{Time: time.Now().Add(sessionTTL)}}
	if err := s.accounts.CreateSession(r.Context(), sess, u.Username); err != nil {
		s.fail(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: tok, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: secureRequest(r), MaxAge: int(sessionTTL.Seconds())})
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: "", Path: "/login", MaxAge: -1})
	next := page.Next
	if next == "" || next == "/" {
		// No page asked for (the login link, the form's default): each
		// role's own page, not the events list a keeper cannot manage.
		next = s.landing(r.Context(), u)
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// handleLogout ends the session and returns to the login page with a
// notice. A session that has already expired is simply forgotten: the
// person pressing 退出登录 wants to be logged out, not an error page.
func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	if s.accounts == nil {
		s.fail(w, r, skillscore.Errorf(skillscore.EUnavailable, "账户功能未启用"))
		return
	}
	u, err := s.currentUser(r)
	switch {
	case skillscore.ErrorCode(err) == skillscore.EUnauthorized:
	case err != nil:
		s.fail(w, r, err)
		return
	default:
		// A live session is ended only by its own pages' form (CSRF), so
		// another site cannot log a venue PC out.
		r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
		if subtle.ConstantTimeCompare([]byte(r.PostFormValue("csrf")), []byte(u.CSRF)) != 1 {
			s.fail(w, r, skillscore.Errorf(skillscore.EForbidden, "表单已过期或来源不明（CSRF 校验失败），请刷新页面后重试"))
			return
		}
		c, _ := r.Cookie(sessionCookie)
		if err := s.accounts.DeleteSession(r.Context(), sha(c.Value)); err != nil {
			s.fail(w, r, err)
			return
		}
		s.log.Info("logout", "user", u.User.Username)
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: secureRequest(r)})
	http.Redirect(w, r, noticeURL("/login", "logged-out"), http.StatusSeeOther)
}

// dummyHash is a bcrypt hash of nothing anyone knows, made once.
var dummyHash = sync.OnceValue(func() string {
	h, err := bcrypt.GenerateFromPassword([]byte(randomString(16)), bcrypt.DefaultCost)
	if err != nil {
		panic(err)
	}
	return string(h)
})

// newLoginLimiter: 10 password attempts a minute per address.
func newLoginLimiter() *judges.Limiter { return judges.NewLimiter(10, time.Minute, time.Now) }
