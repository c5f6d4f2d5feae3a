package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"skillscore"
	"skillscore/idnumber"
	"skillscore/person"
	"skillscore/store"
)

// PersonRequests answers a person's own requests on the organizer's page
// 个人信息查阅与更正 (what is stored about them, corrections) and purges an
// event's personal data once its retention period has ended.
type PersonRequests interface {
	Summary(ctx context.Context, q person.Query) (person.Summary, error)
	Export(ctx context.Context, q person.Query, reason, actor string) (*person.Export, error)
	Correct(ctx context.Context, ch person.Change, actor string) (store.CorrectionResult, error)
	PurgePlan(ctx context.Context, eventID int64) (person.PurgePlan, error)
	Purge(ctx context.Context, eventID int64, actor string) (store.PurgeCounts, error)
}

// personPage is the data of templates/html/person.html.
type personPage struct {
	Title, CSRF, User, Message, Error string
	// The form as typed: the page is only ever posted, so the number
	// stays out of URLs, logs and history.
	IDNumber, Name, Reason string
	Found                  *person.Summary
	IDTypes                []string
}

func (s *Server) needPerson(w http.ResponseWriter, r *http.Request) bool {
	if s.person == nil {
		s.fail(w, r, skillscore.Errorf(skillscore.EUnavailable, "本服务未启用个人信息查阅"))
		return false
	}
	return true
}

func (s *Server) personPage(w http.ResponseWriter, r *http.Request, u *authed, status int, page personPage) {
	page.Title, page.CSRF, page.User, page.IDTypes = "个人信息查阅与更正", u.CSRF, u.User.Name, idnumber.Types()
	// Personal data: no shared cache may keep the page.
	w.Header().Set("Cache-Control", "no-store")
	s.renderStatus(w, r, status, "person", page)
}

// handlePersonPage is the empty form (and the notice after a correction).
func (s *Server) handlePersonPage(w http.ResponseWriter, r *http.Request, u *authed) {
	if !s.needPerson(w, r) {
		return
	}
	s.personPage(w, r, u, http.StatusOK, personPage{Message: r.URL.Query().Get("msg")})
}

func personQuery(r *http.Request) person.Query {
	return person.Query{IDNumber: r.PostFormValue("id_number"), Name: r.PostFormValue("name")}
}

// handlePersonLookup finds a person by 证件号码 + 姓名 and shows where they
// took part, numbers masked: not a full view, so nothing is recorded.
func (s *Server) handlePersonLookup(w http.ResponseWriter, r *http.Request, u *authed) {
	if !s.needPerson(w, r) {
		return
	}
	q := personQuery(r)
	page := personPage{IDNumber: q.IDNumber, Name: q.Name, Reason: r.PostFormValue("reason")}
	found, err := s.person.Summary(r.Context(), q)
	if err != nil {
		status := HTTPStatus(err)
		if status >= 500 {
			s.fail(w, r, err)
			return
		}
		page.Error = skillscore.ErrorMessage(err)
		s.personPage(w, r, u, status, page)
		return
	}
	page.Found = &found
	s.personPage(w, r, u, http.StatusOK, page)
}

// personRefused shows a refused correction on the page it came from: the
// person as looked up (the correction form carries the lookup along) with
// the reason above it, so the organizer can mend the form and try again.
func (s *Server) personRefused(w http.ResponseWriter, r *http.Request, u *authed, err error) {
	status := HTTPStatus(err)
	if status >= 500 {
		s.fail(w, r, err)
		return
	}
	q := personQuery(r)
	page := personPage{IDNumber: q.IDNumber, Name: q.Name, Error: skillscore.ErrorMessage(err)}
	if found, ferr := s.person.Summary(r.Context(), q); ferr == nil {
		page.Found = &found
	}
	s.personPage(w, r, u, status, page)
}

// handlePersonExport answers a subject access request with the file of
// everything stored about the person, recorded as a full view first.
func (s *Server) handlePersonExport(w http.ResponseWriter, r *http.Request, u *authed) {
	if !s.needPerson(w, r) {
		return
	}
	q := personQuery(r)
	format := r.PostFormValue("format")
	if format != "json" && format != "xlsx" {
		s.fail(w, r, skillscore.Errorf(skillscore.EInvalid, "导出格式只能是 JSON 或 Excel"))
		return
	}
	x, err := s.person.Export(r.Context(), q, r.PostFormValue("reason"), u.User.Username)
	if err != nil {
		status := HTTPStatus(err)
		if status >= 500 {
			s.fail(w, r, err)
			return
		}
		s.personPage(w, r, u, status, personPage{IDNumber: q.IDNumber, Name: q.Name, Reason: r.PostFormValue("reason"),
			Error: skillscore.ErrorMessage(err)})
		return
	}
	var data []byte
	ctype := "application/json; charset=utf-8"
	if format == "xlsx" {
		data, err = x.XLSX()
		ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	} else {
		data, err = x.JSON()
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// The file name names no one: it may end up in a download list.
	name := "个人信息-" + time.Now().In(skillscore.China()).Format("20060102-150405") + "." + format
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(name))
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(data) // a write error means the client went away
}

// handlePersonCorrect corrects one contestant's name, gender, document or
// phone. A field left empty stays as it is; "清除手机号码" empties the phone.
func (s *Server) handlePersonCorrect(w http.ResponseWriter, r *http.Request, u *authed) {
	if !s.needPerson(w, r) {
		return
	}
	ctx := r.Context()
	ev, err := s.store.EventByCode(ctx, r.PostFormValue("event"))
	if err != nil {
		s.personRefused(w, r, u, err)
		return
	}
	id, err := strconv.ParseInt(r.PostFormValue("contestant"), 10, 64)
	if err != nil {
		s.personRefused(w, r, u, skillscore.Errorf(skillscore.ENotFound, "本赛事没有该选手"))
		return
	}
	set := func(field string) *string {
		if v := strings.TrimSpace(r.PostFormValue(field)); v != "" {
			return &v
		}
		return nil
	}
	ch := person.Change{EventID: ev.ID, ContestantID: id, Name: set("new_name"), Gender: set("new_gender"),
		IDType: set("new_id_type"), IDNumber: set("new_id_number"), Phone: set("new_phone"), Reason: r.PostFormValue("reason")}
	if r.PostFormValue("clear_phone") != "" {
		if ch.Phone != nil {
			s.personRefused(w, r, u, skillscore.Errorf(skillscore.EInvalid, "填写了新手机号码又勾选了清除手机号码：请只选一项"))
			return
		}
		empty := ""
		ch.Phone = &empty
	}
	res, err := s.person.Correct(ctx, ch, u.User.Username)
	if err != nil {
		s.personRefused(w, r, u, err)
		return
	}
	// Which fields changed, never to what: the log is not the place for
	// personal data.
	s.log.Info("contestant corrected", "event", ev.Code, "contestant", id, "fields", strings.Join(res.Fields, ","),
		"reissued", len(res.Reissued), "by", u.User.Username)
	next := noticeURL("/person", "person-corrected", len(res.Fields))
	if len(res.Reissued) > 0 {
		next = noticeURL("/person", "person-reissued", len(res.Fields), len(res.Reissued))
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}
