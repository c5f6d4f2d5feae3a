package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"skillscore"
	"skillscore/store"
)

// PrivacyStore is what the organizer's privacy page and the printable
// registration form need. The judging store provides it (the same
// *store.Store), as for the set-up pages.
type PrivacyStore interface {
	EventPrivacy(ctx context.Context, eventID int64) (store.Privacy, error)
	PrivacyNotices(ctx context.Context, eventID int64) ([]store.Notice, error)
	SetPrivacyNotice(ctx context.Context, eventID int64, body, actor string) (store.Notice, error)
	SetRetentionDays(ctx context.Context, eventID int64, days int, actor string) error
	SetPrivacyOrganizer(ctx context.Context, eventID int64, organizer, contact, actor string) error
	RetentionEnds(ctx context.Context, eventID int64) (time.Time, bool, error)
	Groups(ctx context.Context, eventID int64) ([]store.Group, error)
}

var _ PrivacyStore = (*store.Store)(nil)

func (s *Server) privacyStore() (PrivacyStore, error) {
	ps, ok := s.judging.(PrivacyStore)
	if !ok {
		return nil, skillscore.Errorf(skillscore.EUnavailable, "个人信息保护设置未启用")
	}
	return ps, nil
}

// privacyPage is the data of templates/html/privacy.html.
type privacyPage struct {
	Title, EventCode, EventName, User, CSRF, Message string
	Privacy                                          store.Privacy
	// CurrentBy and CurrentAt say who saved the notice in force.
	CurrentBy, CurrentAt string
	// RetentionText is the period as the notice says it; Retention when
	// it ends, or why it has not started.
	RetentionText, Retention string
	History                  []noticeVersionRow
	// DefaultText is the built-in template filled with the current
	// settings; IsDefaultBody says the notice in force has its words.
	DefaultText   string
	IsDefaultBody bool
	Placeholders  []placeholderRow
	// The forms' values (the stored ones, or what was sent with an error).
	Body, Days, Organizer, Contact string
	Errors                         map[string]string
}

type noticeVersionRow struct {
	Label, By, At, Body string
	Chars               int
	Current             bool
}

type placeholderRow struct{ Name, Value string }

// handlePrivacyPage is the organizer's personal-data page of an event: the
// notice (告知书) with its versions and a preview, the organizer and
// contact it names, and the retention period.
func (s *Server) handlePrivacyPage(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	s.privacyPage(w, r, u, ev, http.StatusOK, nil, nil)
}

// privacyPage renders the page; form, when not nil, holds the values sent
// with errs (status 400), so nothing the organizer typed is lost.
func (s *Server) privacyPage(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, status int, form map[string]string, errs map[string]string) {
	ps, err := s.privacyStore()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ctx := r.Context()
	p, err := ps.EventPrivacy(ctx, ev.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	versions, err := ps.PrivacyNotices(ctx, ev.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ends, final, err := ps.RetentionEnds(ctx, ev.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	names := map[string]string{}
	page := privacyPage{Title: ev.Name + " · 个人信息保护", EventCode: ev.Code, EventName: ev.Name, User: u.User.Name, CSRF: u.CSRF,
		Message: r.URL.Query().Get("msg"), Privacy: p, DefaultText: p.Render(store.DefaultNoticeTemplate),
		RetentionText: store.RetentionText(p.RetentionDays),
		IsDefaultBody: p.Notice.Body == store.DefaultNoticeTemplate,
		Body:          p.Notice.Body, Days: strconv.Itoa(p.RetentionDays), Organizer: p.Organizer, Contact: p.Contact, Errors: errs,
		Placeholders: []placeholderRow{
			{store.PlaceholderEvent, p.EventName}, {store.PlaceholderOrganizer, p.OrganizerName()},
			{store.PlaceholderContact, p.ContactText()}, {store.PlaceholderRetention, store.RetentionText(p.RetentionDays)},
		}}
	if !p.Notice.Default() {
		page.CurrentBy = s.staffDisplay(ctx, names, p.Notice.CreatedBy)
		page.CurrentAt = p.Notice.CreatedAt.In(skillscore.China()).Format("2006-01-02 15:04")
	}
	if final {
		finalAt := ends.Add(-time.Duration(p.RetentionDays) * 24 * time.Hour)
		page.Retention = "最终成绩于 " + finalAt.In(skillscore.China()).Format("2006-01-02") + " 确认，保存期限至 " + ends.In(skillscore.China()).Format("2006-01-02") + " 届满"
		if !ends.After(time.Now()) {
			page.Retention += "（已届满：应删除选手个人信息或作匿名化处理）"
		}
	} else {
		page.Retention = "最终成绩尚未确认，确认后开始计算"
	}
	for _, n := range versions {
		page.History = append(page.History, noticeVersionRow{Label: n.Label(), By: s.staffDisplay(ctx, names, n.CreatedBy),
			At: n.CreatedAt.In(skillscore.China()).Format("2006-01-02 15:04"), Body: n.Body, Chars: utf8.RuneCountInString(n.Body), Current: n.ID == p.Notice.ID})
	}
	for k, v := range form {
		switch k {
		case "body":
			page.Body = v
		case "days":
			page.Days = v
		case "organizer":
			page.Organizer = v
		case "contact":
			page.Contact = v
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	if status != http.StatusOK {
		s.renderStatus(w, r, status, "privacy", page)
		return
	}
	s.render(w, r, "privacy", page)
}

// staffDisplay names a staff username as the audit page does: the user's
// name and login, or the bare username when it names no account.
func (s *Server) staffDisplay(ctx context.Context, cache map[string]string, username string) string {
	if name, ok := cache[username]; ok {
		return name
	}
	name := username
	if u, err := s.judging.UserByUsername(ctx, username); err == nil {
		name = u.Name + "（" + username + "）"
	}
	cache[username] = name
	return name
}

// handlePrivacyNotice saves the notice as a new version; reset=1 saves the
// default template's words as one (a version of its own, so the history
// shows when the organizer went back to it).
func (s *Server) handlePrivacyNotice(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	ps, err := s.privacyStore()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	body := r.PostFormValue("body")
	if r.PostFormValue("reset") == "1" {
		body = store.DefaultNoticeTemplate
	}
	before, err := ps.EventPrivacy(r.Context(), ev.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	n, err := ps.SetPrivacyNotice(r.Context(), ev.ID, body, u.User.Username)
	if skillscore.ErrorCode(err) == skillscore.EInvalid {
		s.privacyPage(w, r, u, ev, http.StatusBadRequest, map[string]string{"body": body}, map[string]string{"body": skillscore.ErrorMessage(err)})
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	msg := noticeURL("/events/"+ev.Code+"/privacy", "privacy-notice-saved", n.Version)
	if n.ID == before.Notice.ID {
		msg = noticeURL("/events/"+ev.Code+"/privacy", "privacy-notice-unchanged")
	}
	s.log.Info("privacy notice saved", "event", ev.Code, "version", n.Version, "by", u.User.Username)
	http.Redirect(w, r, msg, http.StatusSeeOther)
}

// handlePrivacyRetention sets how many days personal data is kept after
// the final results.
func (s *Server) handlePrivacyRetention(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	ps, err := s.privacyStore()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	raw := strings.TrimSpace(r.PostFormValue("days"))
	days, convErr := strconv.Atoi(raw)
	if convErr != nil {
		s.privacyPage(w, r, u, ev, http.StatusBadRequest, map[string]string{"days": raw},
			map[string]string{"days": "保存期限须为 " + strconv.Itoa(store.MinRetentionDays) + " 至 " + strconv.Itoa(store.MaxRetentionDays) + " 之间的整数天数"})
		return
	}
	err = ps.SetRetentionDays(r.Context(), ev.ID, days, u.User.Username)
	if skillscore.ErrorCode(err) == skillscore.EInvalid {
		s.privacyPage(w, r, u, ev, http.StatusBadRequest, map[string]string{"days": raw}, map[string]string{"days": skillscore.ErrorMessage(err)})
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.log.Info("retention saved", "event", ev.Code, "days", days, "by", u.User.Username)
	http.Redirect(w, r, noticeURL("/events/"+ev.Code+"/privacy", "retention-saved", days), http.StatusSeeOther)
}

// handlePrivacyOrganizer sets the organizer and contact the notice names.
func (s *Server) handlePrivacyOrganizer(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	ps, err := s.privacyStore()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	organizer, contact := r.PostFormValue("organizer"), r.PostFormValue("contact")
	err = ps.SetPrivacyOrganizer(r.Context(), ev.ID, organizer, contact, u.User.Username)
	if skillscore.ErrorCode(err) == skillscore.EInvalid {
		s.privacyPage(w, r, u, ev, http.StatusBadRequest, map[string]string{"organizer": organizer, "contact": contact},
			map[string]string{"organizer": skillscore.ErrorMessage(err)})
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.log.Info("privacy organizer saved", "event", ev.Code, "by", u.User.Username)
	http.Redirect(w, r, noticeURL("/events/"+ev.Code+"/privacy", "privacy-organizer-saved"), http.StatusSeeOther)
}
