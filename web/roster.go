package web

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"

	"skillscore"
	"skillscore/exports"
	"skillscore/roster"
	"skillscore/scoring"
	"skillscore/store"
)

// RosterStore is what the organizer's roster page needs: the import, and
// the notice the organizer confirms before it.
type RosterStore interface {
	roster.Store
	RosterImports(ctx context.Context, eventID int64) ([]store.RosterImport, error)
	EventPrivacy(ctx context.Context, eventID int64) (store.Privacy, error)
	PrivacyNotices(ctx context.Context, eventID int64) ([]store.Notice, error)
	// Candidates are an assessment batch's candidate details (民族,
	// 文化程度, 考生来源 …) by contestant id.
	Candidates(ctx context.Context, eventID int64) (map[int64]store.Candidate, error)
}

// maxRosterFile bounds an uploaded roster: a 5,000-row workbook is well
// under 1 MB.
const maxRosterFile = 20 << 20

// rosterPage is the data of templates/html/roster.html.
type rosterPage struct {
	Title     string
	EventCode string
	EventName string
	User      string
	CSRF      string
	Message   string
	Groups    map[string]string
	Roster    []rosterRow
	Imports   []rosterImportRow
	Job       *rosterJobView
	Verdicts  []verdictRow
	// CanConfirm: the job is a clean dry run, so "确认导入" may follow.
	CanConfirm bool
	// OnlyProblems: the verdicts are filtered to the rejected rows
	// (?show=problems); Rejected counts those rows, CanDownload says
	// their .xlsx can still be made (the dry run's file is held).
	OnlyProblems bool
	Rejected     int
	CanDownload  bool
	Reasons      []roster.ReasonInfo
	Exports      []exports.Kind
	// The confirmation of a clean dry run: the legal bases to choose from,
	// the notice in force (its hash travels with the form, so the import
	// records the words the organizer saw), and after a refused
	// confirmation its error and the choices made.
	Bases        []store.Basis
	Notice       store.Notice
	ConfirmError string
	Basis        string
	Notified     bool
	// People counts the persons on the roster, Teams the team entries
	// (each listed with its members below it).
	People, Teams int
	// StatusChoices feed the status dialog (缺考, 弃权, 取消资格, 不参与评奖).
	StatusChoices []statusChoice
	// Assessment: the event is an assessment batch, whose roster lists
	// each candidate's 民族, 文化程度 and 考生来源 and links to the batch.
	Assessment bool
	// Ignored are the columns of the job's file the import knew but did
	// not read for this event (a competition's 民族, 文化程度 …).
	Ignored []roster.Column
}

type rosterRow struct {
	ID                                                                                  int64
	Code, Name, Gender, IDType, IDMasked, Organization, City, Group, Level, PhoneMasked string
	// Kind is store.KindPerson, KindTeam or KindMember; a member row names
	// its Team, a team row counts its Members.
	Kind, Team               string
	Members                  int
	StatusName, StatusReason string
	// An assessment candidate's 民族, 文化程度 and 考生来源.
	Ethnicity, Education, Source string
}

type rosterImportRow struct {
	File, Actor, At string
	Contestants     int
	// Basis and Notice: the legal basis and notice version recorded, or
	// 未记录 for an import made before they were.
	Basis, Notice string
}

// rosterConfirm is a refused confirmation, shown again on the page.
type rosterConfirm struct {
	Error, Basis string
	Notified     bool
}

type verdictRow struct {
	Sheet    string
	Row      int
	Accepted bool
	Name     string
	Problems []roster.Problem
}

func (s *Server) needRoster(w http.ResponseWriter, r *http.Request) (store.Event, bool) {
	return s.pathEvent(w, r, s.roster != nil, "本服务未启用名单导入")
}

// handleRosterPage is the organizer's roster: everyone on it with their
// 证件号码 and phone masked (查看 shows one in full, audited), the files
// imported, the upload form, and the verdicts of the latest dry run or
// import.
func (s *Server) handleRosterPage(w http.ResponseWriter, r *http.Request, u *authed) {
	ev, ok := s.needRoster(w, r)
	if !ok {
		return
	}
	s.rosterPage(w, r, u, ev, r.URL.Query().Get("job"), http.StatusOK, rosterConfirm{})
}

// rosterPage renders the roster page with a job's verdicts (job "" for
// none) and, after a refused confirmation, its error.
func (s *Server) rosterPage(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, jobID string, status int, confirm rosterConfirm) {
	ctx := r.Context()
	groups, err := s.roster.Groups(ctx, ev.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	people, err := s.roster.Contestants(ctx, ev.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	imports, err := s.roster.RosterImports(ctx, ev.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	privacy, err := s.roster.EventPrivacy(ctx, ev.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	versions, err := s.roster.PrivacyNotices(ctx, ev.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := rosterPage{Title: "选手名单", EventCode: ev.Code, EventName: ev.Name, User: u.User.Name, CSRF: u.CSRF,
		Message: r.URL.Query().Get("msg"), Groups: map[string]string{},
		Reasons: append(append(roster.Reasons(), roster.TeamReasons()...), roster.CandidateReasons()...), Assessment: ev.Kind == "assessment",
		Bases: store.Bases(), Notice: privacy.Notice, ConfirmError: confirm.Error, Basis: confirm.Basis, Notified: confirm.Notified,
		StatusChoices: statusChoices(scopeRole(r, u.Access))}
	if s.exports != nil {
		page.Exports = exports.Kinds()
	}
	for _, g := range groups {
		page.Groups[g.Code] = g.Name
	}
	var cands map[int64]store.Candidate
	if page.Assessment {
		page.Title = "考生名单"
		if cands, err = s.roster.Candidates(ctx, ev.ID); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	// A team's members follow its row (roster.go's teams).
	members := map[int64][]store.Contestant{}
	for _, c := range people {
		if c.Kind == store.KindMember && c.TeamID != nil {
			members[*c.TeamID] = append(members[*c.TeamID], c)
		}
	}
	for _, c := range people {
		switch c.Kind {
		case store.KindMember:
			continue
		case store.KindTeam:
			row := rosterRow{ID: c.ID, Name: c.Name, Kind: c.Kind, Group: nameOr(page.Groups, c.GroupCode), Members: len(members[c.ID]),
				StatusName: scoring.StatusName(c.Status), StatusReason: c.StatusReason}
			if c.Code != nil {
				row.Code = *c.Code
			}
			page.Roster = append(page.Roster, row)
			page.Teams++
			for _, m := range members[c.ID] {
				row := rosterPerson(m, page.Groups)
				row.Team = c.Name
				page.Roster = append(page.Roster, row)
				page.People++
			}
		default:
			row := rosterPerson(c, page.Groups)
			if d, ok := cands[c.ID]; ok {
				row.Ethnicity, row.Education, row.Source = d.Ethnicity, d.Education, store.SourceName(d.Source)
			}
			page.Roster = append(page.Roster, row)
			page.People++
		}
	}
	labels := map[int64]string{}
	for _, n := range versions {
		labels[n.ID] = n.Label()
	}
	for _, im := range imports {
		row := rosterImportRow{File: im.FileName, Actor: im.Actor, Contestants: im.Contestants,
			At: im.ImportedAt.In(skillscore.China()).Format("2006-01-02 15:04"), Basis: "未记录", Notice: "未记录"}
		if name := store.BasisName(im.Basis); name != "" {
			row.Basis, row.Notice = name, store.Notice{}.Label()
			if im.NoticeID != nil {
				row.Notice = labels[*im.NoticeID]
			}
		}
		page.Imports = append(page.Imports, row)
	}
	if id := jobID; id != "" {
		if v, _, ok := s.rosterJobs.get(ev.ID, id); ok {
			page.Job = &v
			page.OnlyProblems = r.URL.Query().Get("show") == "problems"
			if v.Report != nil {
				// Rejected rows first: they are what the organizer acts on,
				// and a long file's few bad rows would hide among the good.
				for _, accepted := range []bool{false, true} {
					for _, vd := range v.Report.Verdicts {
						if vd.Accepted != accepted || accepted && page.OnlyProblems {
							continue
						}
						page.Verdicts = append(page.Verdicts, verdictRow{Sheet: vd.Sheet, Row: vd.Row, Accepted: vd.Accepted,
							Name: vd.Person.Name, Problems: vd.Problems})
					}
				}
				page.Rejected = v.Report.Rejected
				for _, sh := range v.Report.Sheets {
					page.Ignored = append(page.Ignored, sh.Ignored...)
				}
				_, _, _, held := s.rosterJobs.rejected(ev.ID, v.ID)
				page.CanDownload = v.DryRun && v.Report.Rejected > 0 && held
			}
			page.CanConfirm = v.DryRun && v.State == "done"
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	if status != http.StatusOK {
		s.renderStatus(w, r, status, "roster", page)
		return
	}
	s.render(w, r, "roster", page)
}

// handleRosterUpload takes a roster file and starts its dry run.
func (s *Server) handleRosterUpload(w http.ResponseWriter, r *http.Request, u *authed) {
	ev, ok := s.needRoster(w, r)
	if !ok {
		return
	}
	f, hdr, err := r.FormFile("file")
	if err != nil {
		s.fail(w, r, skillscore.Wrap(skillscore.EInvalid, err, "请选择要上传的名单文件（.xlsx 或 .csv）"))
		return
	}
	defer f.Close()
	// One byte over the limit is enough to refuse it.
	data, err := io.ReadAll(io.LimitReader(f, maxRosterFile+1))
	if err != nil {
		s.fail(w, r, skillscore.Wrap(skillscore.EInvalid, err, "名单文件无法读取，请重新上传"))
		return
	}
	if len(data) > maxRosterFile {
		s.fail(w, r, skillscore.Errorf(skillscore.ETooLarge, "名单文件超过 %d MB 上限，请拆分后分别导入", maxRosterFile>>20))
		return
	}
	job := newRosterJob(ev.ID, filepath.Base(hdr.Filename), data, true, u.User.Username, "", "")
	if err := s.rosterJobs.start(job); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, rosterURL(ev.Code, job.ID, ""), http.StatusSeeOther)
}

// handleRosterConfirm imports a file whose dry run passed: all or nothing,
// in the background, with the same bytes the dry run checked. The organizer
// must choose the legal basis and confirm that the contestants were told the
// notice the page showed; otherwise the page comes back with the reason and
// nothing is imported.
func (s *Server) handleRosterConfirm(w http.ResponseWriter, r *http.Request, u *authed) {
	ev, ok := s.needRoster(w, r)
	if !ok {
		return
	}
	v, job, ok := s.rosterJobs.get(ev.ID, r.PathValue("job"))
	if !ok {
		s.fail(w, r, skillscore.Errorf(skillscore.EConflict, "这次预检已过期（之后又上传了文件或服务已重启），请重新上传名单文件"))
		return
	}
	if !v.DryRun || v.State != "done" {
		s.fail(w, r, skillscore.Errorf(skillscore.EConflict, "名单文件 %s 未通过预检，不能导入：请按每行的提示修改后重新上传", v.File))
		return
	}
	basis, notified := r.PostFormValue("basis"), r.PostFormValue("notified") == "1"
	noticeSHA := r.PostFormValue("notice_sha256")
	var missing []string
	if store.BasisName(basis) == "" {
		missing = append(missing, "请选择处理选手个人信息的合法性基础（报名同意、履行合同或法定职责）")
	}
	if !notified {
		missing = append(missing, "请在向选手说明告知书内容后，再勾选“已向选手告知上述告知书内容”")
	}
	if len(noticeSHA) != 64 {
		missing = append(missing, "页面已过期，请刷新后重新确认")
	}
	if len(missing) > 0 {
		s.rosterPage(w, r, u, ev, v.ID, http.StatusBadRequest,
			rosterConfirm{Error: strings.Join(missing, "；") + "。未导入任何选手。", Basis: basis, Notified: notified})
		return
	}
	next := newRosterJob(ev.ID, job.File, job.data, false, u.User.Username, basis, noticeSHA)
	if err := s.rosterJobs.start(next); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, rosterURL(ev.Code, next.ID, ""), http.StatusSeeOther)
}

// handleRosterJobStatus is a job's progress as JSON, which the page polls.
func (s *Server) handleRosterJobStatus(w http.ResponseWriter, r *http.Request, _ *authed) {
	ev, ok := s.needRoster(w, r)
	if !ok {
		return
	}
	v, _, ok := s.rosterJobs.get(ev.ID, r.PathValue("job"))
	if !ok {
		s.fail(w, r, skillscore.Errorf(skillscore.ENotFound, "没有这次名单导入"))
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, v)
}

// handleRosterRejected downloads the rejected rows of a dry run as .xlsx:
// the file's own columns plus 问题, to send back to the cities.
func (s *Server) handleRosterRejected(w http.ResponseWriter, r *http.Request, _ *authed) {
	ev, ok := s.needRoster(w, r)
	if !ok {
		return
	}
	file, data, rep, ok := s.rosterJobs.rejected(ev.ID, r.PathValue("job"))
	if !ok {
		s.fail(w, r, skillscore.Errorf(skillscore.ENotFound, "这次预检已过期（之后又上传了文件或服务已重启），请重新上传名单文件"))
		return
	}
	out, err := roster.RejectedXLSX(file, data, rep)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	name := "问题行-" + strings.TrimSuffix(file, filepath.Ext(file)) + ".xlsx"
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(name))
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(out) // a write error means the client went away
}

func rosterURL(code, job, msg string) string {
	q := url.Values{}
	if job != "" {
		q.Set("job", job)
	}
	if msg != "" {
		q.Set("msg", msg)
	}
	u := "/events/" + code + "/roster"
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

// rosterPerson is a person's row, masked by default: a full number is shown
// only through 查看, which asks why and records it (handleReveal).
func rosterPerson(c store.Contestant, groups map[string]string) rosterRow {
	row := rosterRow{ID: c.ID, Name: c.Name, Gender: c.Gender, IDType: c.IDType, IDMasked: maskID(c.IDNumber), Kind: c.Kind,
		Organization: c.Organization, City: c.City, Group: nameOr(groups, c.GroupCode), Level: scoring.LevelName(c.Level),
		PhoneMasked: maskPhone(c.Phone), StatusName: scoring.StatusName(c.Status), StatusReason: c.StatusReason}
	if c.Code != nil {
		row.Code = *c.Code
	}
	return row
}
