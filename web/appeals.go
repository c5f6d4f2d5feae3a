package web

import (
	"context"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"time"

	"skillscore"
	"skillscore/arbitration"
	"skillscore/store"
)

// AppealStore is what the appeal pages need; the judging store provides it.
type AppealStore interface {
	Workflow(ctx context.Context, eventID int64) (store.Workflow, error)
	FileAppeal(ctx context.Context, eventID int64, f store.AppealFiling, actor string) (store.Appeal, error)
	Appeals(ctx context.Context, eventID int64) ([]store.Appeal, error)
	DecideAppeal(ctx context.Context, eventID, appealID int64, d store.AppealDecision, actor string) error
	Contestants(ctx context.Context, eventID int64) ([]store.Contestant, error)
	Sheets(ctx context.Context, eventID int64) ([]store.Sheet, error)
}

func (s *Server) appealStore() (AppealStore, error) {
	as, ok := s.judging.(AppealStore)
	if !ok {
		return nil, skillscore.Errorf(skillscore.EUnavailable, "申诉功能未启用")
	}
	return as, nil
}

// appealRow is one appeal on the organizer's list, with the appellant's
// sheets a re-mark may name.
type appealRow struct {
	store.Appeal
	Filed, Decided string
	Sheets         []store.Sheet
}

type appealsPage struct {
	Title, CSRF, EventCode, EventName, User, Message string
	Refused                                          string // why no appeal can be filed now
	// CanDecide: an organizer of the event, who files and decides the 公示
	// appeals; the others admitted (chief judge, 监督, 仲裁, observer) read.
	CanDecide   bool
	Appeals     []appealRow
	Contestants []store.Contestant
	// All is every appeal of the event, of both kinds: the 公示 appeals
	// above and the on-site ones heard by the 仲裁 (web/arbitration.go).
	All []jointAppeal
	// Evidence: the evidence store is configured (each appeal links to
	// its photos and clips).
	Evidence bool
}

// jointAppeal is one row of the appeals page's joint list.
type jointAppeal struct {
	Kind, Ref, Link, Who, About, Filed, Status, Decision string
	Open                                                 bool
	// EvidenceLink is the evidence page narrowed to this appeal.
	EvidenceLink string
}

// jointAppeals lists both kinds of appeal, newest first by filing.
func (s *Server) jointAppeals(ctx context.Context, ev store.Event, list []store.Appeal) ([]jointAppeal, error) {
	type dated struct {
		at time.Time
		jointAppeal
	}
	var rows []dated
	for _, a := range list {
		j := jointAppeal{Kind: "公示申诉", Ref: "第 " + strconv.FormatInt(a.ID, 10) + " 号", Link: "#appeal-" + strconv.FormatInt(a.ID, 10),
			EvidenceLink: "/events/" + url.PathEscape(ev.Code) + "/evidence?kind=appeal&target=" + strconv.FormatInt(a.ID, 10),
			Who:          a.ContestantName, About: "公示成绩", Filed: cnFormat(a.FiledAt), Open: a.Status == "open"}
		switch a.Status {
		case "open":
			j.Status = "待处理"
		case "rejected":
			j.Status = "已驳回"
		case "remark":
			j.Status = "已决定复评"
		}
		if a.Reason != nil {
			j.Decision = *a.Reason
		}
		rows = append(rows, dated{a.FiledAt.Time, j})
	}
	if st, ok := s.judging.(ArbitrationStore); ok {
		cs, err := st.Arbitrations(ctx, ev.ID)
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			j := jointAppeal{Kind: "现场仲裁", Ref: "第 " + strconv.Itoa(c.No) + " 号",
				Link: "/events/" + ev.Code + "/arbitration/" + strconv.FormatInt(c.ID, 10), Who: c.AppellantText(),
				EvidenceLink: "/events/" + url.PathEscape(ev.Code) + "/evidence?kind=arbitration&target=" + strconv.FormatInt(c.ID, 10),
				About:        arbitration.KindLabel(c.Kind) + " · 模块 " + c.ModuleCode, Filed: fmtCST(c.FiledAt),
				Status: arbitration.StatusLabels[c.Status], Decision: c.Reasons, Open: !arbitration.Decided(c.Status)}
			rows = append(rows, dated{c.FiledAt, j})
		}
	}
	sort.SliceStable(rows, func(i, k int) bool { return rows[i].at.After(rows[k].at) })
	out := make([]jointAppeal, len(rows))
	for i, r := range rows {
		out[i] = r.jointAppeal
	}
	return out, nil
}

// handleAppealsPage is the organizer's appeals: the list, filing one
// received on paper, and deciding each.
func (s *Server) handleAppealsPage(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	as, err := s.appealStore()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ctx := r.Context()
	f, err := as.Workflow(ctx, ev.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	list, err := as.Appeals(ctx, ev.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	cs, err := as.Contestants(ctx, ev.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sheets, err := as.Sheets(ctx, ev.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := appealsPage{Title: ev.Name + " · 申诉处理", CSRF: u.CSRF, EventCode: ev.Code, EventName: ev.Name,
		User: u.User.Name, Message: r.URL.Query().Get("msg"), Refused: refusal(f.AppealAllowed(time.Now())), Contestants: cs,
		Evidence: s.evidence != nil, CanDecide: scopeHas(r, u.Access, RoleOrganizer)}
	if page.All, err = s.jointAppeals(ctx, ev, list); err != nil {
		s.fail(w, r, err)
		return
	}
	for _, a := range list {
		row := appealRow{Appeal: a, Filed: cnFormat(a.FiledAt), Decided: cnFormat(a.DecidedAt)}
		for _, sh := range sheets {
			if sh.ContestantID == a.ContestantID {
				row.Sheets = append(row.Sheets, sh)
			}
		}
		page.Appeals = append(page.Appeals, row)
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, "appeals", page)
}

// handleFileAppeal records an appeal the organizer received.
func (s *Server) handleFileAppeal(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	as, err := s.appealStore()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	id, err := strconv.ParseInt(r.PostFormValue("contestant"), 10, 64)
	if err != nil || id <= 0 {
		s.fail(w, r, skillscore.Errorf(skillscore.EInvalid, "请选择申诉的选手"))
		return
	}
	if _, err := as.FileAppeal(r.Context(), ev.ID, store.AppealFiling{ContestantID: id, Body: r.PostFormValue("body")}, u.User.Username); err != nil {
		s.fail(w, r, err)
		return
	}
	s.appealsRedirect(w, r, ev, "appeal-filed")
}

// handleDecideAppeal rejects an appeal with a reason or orders a re-mark of
// the checked sheets.
func (s *Server) handleDecideAppeal(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	as, err := s.appealStore()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	appealID, err := strconv.ParseInt(r.PathValue("appeal"), 10, 64)
	if err != nil {
		s.fail(w, r, skillscore.Errorf(skillscore.ENotFound, "申诉不存在"))
		return
	}
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, skillscore.Errorf(skillscore.EInvalid, "表单无效"))
		return
	}
	d := store.AppealDecision{Outcome: r.PostFormValue("outcome"), Reason: r.PostFormValue("reason")}
	for _, v := range r.PostForm["sheet"] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			s.fail(w, r, skillscore.Errorf(skillscore.EInvalid, "评分表编号 %q 无效", v))
			return
		}
		d.SheetIDs = append(d.SheetIDs, id)
	}
	if err := as.DecideAppeal(r.Context(), ev.ID, appealID, d, u.User.Username); err != nil {
		s.fail(w, r, err)
		return
	}
	notice := "appeal-rejected"
	if d.Outcome == "remark" {
		notice = "appeal-remark"
	}
	s.log.Info("appeal decided", "event", ev.Code, "appeal", appealID, "outcome", d.Outcome, "by", u.User.Username)
	s.appealsRedirect(w, r, ev, notice)
}

func (s *Server) appealsRedirect(w http.ResponseWriter, r *http.Request, ev store.Event, notice string) {
	http.Redirect(w, r, noticeURL("/events/"+ev.Code+"/appeals", notice), http.StatusSeeOther)
}

// maxAppealForm bounds the public form's body: three short fields.
const maxAppealForm = 64 << 10

type appealFormPage struct {
	Title, EventCode, EventName string
	Refused, Error, Done        string
	Name, Body                  string // kept after a refusal; the ID number never is
}

// handleAppealForm is the contestant's public appeal form.
func (s *Server) handleAppealForm(w http.ResponseWriter, r *http.Request) {
	s.appealForm(w, r, http.StatusOK, appealFormPage{})
}

func (s *Server) appealForm(w http.ResponseWriter, r *http.Request, status int, page appealFormPage) {
	as, err := s.appealStore()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ev, err := s.store.EventByCode(r.Context(), r.PathValue("code"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f, err := as.Workflow(r.Context(), ev.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page.Title, page.EventCode, page.EventName = ev.Name+" · 成绩申诉", ev.Code, ev.Name
	page.Refused = refusal(f.AppealAllowed(time.Now()))
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := s.tmpl.Render(w, "appeal", page); err != nil {
		s.log.Error("render appeal form", "err", err)
	}
}

// handleAppealSubmit files a contestant's appeal by 证件号码 + 姓名. The
// lookups share the certificate check's per-address budget for ID numbers,
// so neither can be used to sweep them; the ID number is never echoed.
func (s *Server) handleAppealSubmit(w http.ResponseWriter, r *http.Request) {
	as, err := s.appealStore()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !s.verify.byID.allow(s.clientIP(r)) {
		s.fail(w, r, skillscore.Errorf(skillscore.ERateLimited, "提交过于频繁，请稍后再试"))
		return
	}
	ev, err := s.store.EventByCode(r.Context(), r.PathValue("code"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	name, body := r.PostFormValue("name"), r.PostFormValue("body")
	a, err := as.FileAppeal(r.Context(), ev.ID, store.AppealFiling{IDNumber: r.PostFormValue("id_number"), Name: name, Body: body}, "public")
	if err != nil {
		if skillscore.ErrorCode(err) == skillscore.EInternal {
			s.fail(w, r, err)
			return
		}
		s.appealForm(w, r, HTTPStatus(err), appealFormPage{Error: skillscore.ErrorMessage(err), Name: name, Body: body})
		return
	}
	s.log.Info("appeal filed", "event", ev.Code, "appeal", a.ID, "source", "contestant")
	s.appealForm(w, r, http.StatusOK, appealFormPage{Done: "申诉已提交（受理编号 " + strconv.FormatInt(a.ID, 10) + "）。组委会将逐件处理，处理结果另行通知。"})
}
