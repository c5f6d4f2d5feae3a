package web

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"skillscore"
	"skillscore/certificates"
	"skillscore/recheck"
	"skillscore/results"
	"skillscore/scoring"
	"skillscore/sheets"
	"skillscore/store"
)

// RecheckStore is what the 成绩复核 page needs (docs/oversight-recheck.md);
// the judging store provides it, as with SupervisionStore.
type RecheckStore interface {
	Snapshot(ctx context.Context, eventID int64) (store.Snapshot, error)
	Workflow(ctx context.Context, eventID int64) (store.Workflow, error)
	RecheckSettings(ctx context.Context, eventID int64) (recheck.Settings, error)
	SetRecheckSettings(ctx context.Context, eventID int64, set recheck.Settings, actor string) error
	RecheckSheets(ctx context.Context, eventID int64) ([]recheck.Sheet, error)
	StartRecheck(ctx context.Context, eventID int64, seed string, set recheck.Settings, sample recheck.Sample, actor string) (store.RecheckRound, error)
	Recheck(ctx context.Context, eventID int64) (store.RecheckRound, []store.RecheckItem, error)
	SetRecheckVerdict(ctx context.Context, eventID, itemID int64, v store.RecheckVerdict, actor string) (bool, error)
	CorrectRecheckItem(ctx context.Context, eventID, itemID int64, reason, actor string) (store.RecheckItem, error)
	AddRecheckItems(ctx context.Context, eventID int64, sheetIDs []int64, actor string) error
	SignOffRecheck(ctx context.Context, eventID int64, actor, name string) error
}

func (s *Server) recheckRoute(h func(http.ResponseWriter, *http.Request, *authed, store.Event, RecheckStore), roles ...string) http.HandlerFunc {
	return s.eventRoute(func(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
		st, ok := s.judging.(RecheckStore)
		if !ok {
			s.fail(w, r, skillscore.Errorf(skillscore.EUnavailable, "成绩复核功能未启用"))
			return
		}
		h(w, r, u, ev, st)
	}, roles...)
}

// monitorOnly refuses everyone but a 监督 of the event: the verdicts and
// the sign-off are the 监督's own statement, which an organizer may read
// and print but not make.
func monitorOnly(r *http.Request, u *authed) error {
	if !scopeHas(r, u.Access, RoleMonitor) {
		return skillscore.Errorf(skillscore.EForbidden, "只有本赛事的监督可以抽样、核对和签字确认成绩复核；组织者、裁判长等只能查看")
	}
	return nil
}

// ---- the page ---------------------------------------------------------------

type recheckPage struct {
	Title, CSRF, EventCode, EventName, User string
	Terms                                   scoring.Terms
	Monitor, Chief, Organizer               bool
	Settings                                recheck.Settings
	SampleText, EscalationText              string
	Flow                                    store.Workflow
	StartRefused                            string
	Round                                   *store.RecheckRound
	Rules, Started, Signed                  string
	Escalated                               string
	Total, Checked, Flagged, Corrected      int
	Percent                                 int // checked of total, for the bar
	Items                                   []recheckRow
	Categories                              []recheckChoice
	SignRefused                             string
	Message, Error                          string
}

type recheckChoice struct{ Value, Label string }

type recheckRow struct {
	store.RecheckItem
	No                         int
	Contestant, Group, Reason  string
	VerdictText, CategoryText  string
	Aspects                    []recheckAspect
	JudgeTotal, ModuleScore    string
	PanelNote                  string
	CorrectedByText, CheckedBy string
}

type recheckAspect struct {
	Code, Name, Mark, Panel string
}

func (s *Server) recheckPageData(ctx context.Context, r *http.Request, u *authed, ev store.Event, st RecheckStore) (recheckPage, error) {
	page := recheckPage{Title: ev.Name + " · 成绩复核", CSRF: u.CSRF, EventCode: ev.Code, EventName: ev.Name, User: u.User.Name,
		Terms: scoring.TermsFor(ev.Kind), Monitor: monitorOnly(r, u) == nil, Chief: scopeHas(r, u.Access, RoleChief) || scopeHas(r, u.Access, RoleOrganizer),
		Organizer: scopeHas(r, u.Access, RoleOrganizer), Message: r.URL.Query().Get("msg")}
	for _, c := range recheck.Categories {
		page.Categories = append(page.Categories, recheckChoice{c, recheck.CategoryNames[c]})
	}
	var err error
	if page.Settings, err = st.RecheckSettings(ctx, ev.ID); err != nil {
		return page, err
	}
	page.SampleText, page.EscalationText = page.Settings.SamplePercent.String(), page.Settings.EscalationPercent.String()
	if page.Flow, err = st.Workflow(ctx, ev.ID); err != nil {
		return page, err
	}
	round, items, err := st.Recheck(ctx, ev.ID)
	switch {
	case skillscore.ErrorCode(err) == skillscore.ENotFound:
		if e := startRefusal(page.Flow); e != "" {
			page.StartRefused = e
		}
		return page, nil
	case err != nil:
		return page, err
	}
	page.Round = &round
	page.Rules, page.Started, page.Signed, page.Escalated = recheckTexts(round)
	snap, err := st.Snapshot(ctx, ev.ID)
	if err != nil {
		return page, err
	}
	sd, _ := results.Compute(snap) // a broken rule shows no computation; the marks still show
	page.Items = recheckRows(items, snap, sd)
	for _, it := range items {
		page.Total++
		if it.Verdict != "" {
			page.Checked++
		}
		if it.Verdict == store.VerdictFlagged {
			page.Flagged++
			if it.CorrectedAt.Valid() {
				page.Corrected++
			}
		}
	}
	if page.Total > 0 {
		page.Percent = page.Checked * 100 / page.Total
	}
	page.SignRefused = signRefusal(page)
	return page, nil
}

// startRefusal says why no 复核 can start yet, "" when it can.
func startRefusal(w store.Workflow) string {
	switch {
	case w.PublishedAt.Valid() || w.FinalizedAt.Valid():
		return "成绩已公示，不再进行发布前的复核"
	case w.Unlocked > 0:
		return fmt.Sprintf("还有 %d 份评分表未锁定：评分全部锁定并由裁判长签字确认后才能开始复核", w.Unlocked)
	case len(w.Unsigned) > 0:
		return "以下模块的裁判长尚未签字确认：" + strings.Join(w.Unsigned, "、")
	}
	return ""
}

// signRefusal is what still keeps the 监督 from signing off, "" when
// nothing does (the store checks again).
func signRefusal(p recheckPage) string {
	relock := 0
	for _, it := range p.Items {
		if it.CorrectedAt.Valid() && it.SheetStatus != "locked" {
			relock++
		}
	}
	switch {
	case p.Round.SignedOffAt.Valid():
		return ""
	case p.Total > p.Checked:
		return fmt.Sprintf("还有 %d 份评分表未核对", p.Total-p.Checked)
	case p.Flagged > p.Corrected:
		return fmt.Sprintf("还有 %d 份标记有误的评分表等待裁判长更正", p.Flagged-p.Corrected)
	case relock > 0:
		return fmt.Sprintf("还有 %d 份更正后的评分表未重新锁定", relock)
	case len(p.Flow.Unsigned) > 0:
		return "更正后以下模块的裁判长尚未重新签字确认：" + strings.Join(p.Flow.Unsigned, "、")
	}
	return ""
}

func recheckTexts(r store.RecheckRound) (rules, started, signed, escalated string) {
	rules = fmt.Sprintf("每组前 %d 名的全部评分表必查；其余评分表随机抽取不少于 %s%%（向上取整）；抽查差错率超过 %s%% 时全部评分表复核",
		r.TopN, r.SamplePercent, r.EscalationPct)
	started = fmt.Sprintf("%s 于 %s 开始；前列必查 %d 份，其余 %d 份中抽取 %d 份，共 %d 份", r.StartedBy,
		r.StartedAt.In(skillscore.China()).Format("2006-01-02 15:04"), r.TopCount, r.RestCount, r.DrawnCount, r.Sampled())
	if r.SignedOffAt.Valid() {
		name := ""
		if r.SignedOffName != nil {
			name = *r.SignedOffName
		}
		by := ""
		if r.SignedOffBy != nil {
			by = *r.SignedOffBy
		}
		signed = fmt.Sprintf("监督 %s（账号 %s）于 %s 签字确认", name, by, r.SignedOffAt.In(skillscore.China()).Format("2006-01-02 15:04"))
	}
	if r.EscalatedAt.Valid() {
		escalated = fmt.Sprintf("抽查的 %d 份中 %d 份有误，超过 %s%%：已于 %s 转为全部评分表复核", r.Sampled(), r.EscalatedFlagged,
			r.EscalationPct, r.EscalatedAt.In(skillscore.China()).Format("2006-01-02 15:04"))
	}
	return
}

// recheckRows adds to each item what the 监督 compares with the paper:
// the judge's marks as stored, the panel's score of each aspect and module.
func recheckRows(items []store.RecheckItem, snap store.Snapshot, sd *results.Standings) []recheckRow {
	groups := map[string]string{}
	for _, g := range snap.Groups {
		groups[g.Code] = g.Name
	}
	type mk struct {
		c        int64
		mod, asp string
		judge    string
	}
	marks := map[mk]store.MarkRow{}
	for _, m := range snap.Marks {
		marks[mk{m.ContestantID, m.ModuleCode, m.AspectCode, m.JudgeCode}] = m
	}
	scores := map[int64]map[string]scoring.ModuleScore{}
	if sd != nil {
		for _, c := range sd.Result.Contestants {
			row, ok := sd.Contestants[c.ID]
			if !ok {
				continue
			}
			ms := map[string]scoring.ModuleScore{}
			for _, m := range c.Modules {
				ms[m.Code] = m
			}
			scores[row.ID] = ms
		}
	}
	var mods = map[string]store.Module{}
	for _, m := range snap.Modules {
		mods[m.Code] = m
	}
	out := make([]recheckRow, len(items))
	for i, it := range items {
		row := recheckRow{RecheckItem: it, No: i + 1, Group: groups[it.GroupCode], Reason: recheck.ReasonNames[it.Reason],
			CategoryText: recheck.CategoryNames[it.Category]}
		row.Contestant = "#" + strconv.FormatInt(it.ContestantID, 10)
		if it.ContestantCode != nil {
			row.Contestant = *it.ContestantCode
		}
		switch it.Verdict {
		case store.VerdictConfirmed:
			row.VerdictText = "无误"
		case store.VerdictFlagged:
			row.VerdictText = "有误（" + row.CategoryText + "）"
		default:
			row.VerdictText = "待核对"
		}
		if it.CheckedBy != nil {
			row.CheckedBy = *it.CheckedBy
		}
		if it.CorrectedBy != nil {
			row.CorrectedByText = *it.CorrectedBy
		}
		ms, hasScore := scores[it.ContestantID][it.ModuleCode]
		panel := map[string]scoring.AspectScore{}
		for _, a := range ms.Aspects {
			panel[a.Code] = a
		}
		for _, a := range mods[it.ModuleCode].Aspects {
			ra := recheckAspect{Code: a.Code, Name: a.Name, Mark: "—", Panel: "—"}
			if m, ok := marks[mk{it.ContestantID, it.ModuleCode, a.Code, it.JudgeCode}]; ok {
				ra.Mark = scoring.Decimal(m.Value).String()
				if m.Multiplier != 0 {
					ra.Mark += " × " + scoring.Decimal(m.Multiplier).String()
				}
			}
			if p, ok := panel[a.Code]; ok && p.Complete {
				ra.Panel = p.Score.String()
			}
			row.Aspects = append(row.Aspects, ra)
		}
		if hasScore {
			row.ModuleScore = ms.Score.String()
			if ms.ScoreExact != "" {
				row.ModuleScore += "（" + ms.ScoreExact + "）"
			}
			for _, jt := range ms.JudgeTotals {
				if jt.Judge == it.JudgeCode {
					row.JudgeTotal = jt.Total.String()
					if jt.Dropped {
						row.PanelNote = "该裁判总分为最高或最低分，已去掉"
					}
				}
			}
		}
		out[i] = row
	}
	return out
}

// handleRecheck is the 成绩复核 page: for the 监督, progress, each sheet
// with its stored marks and the panel's computation to compare against the
// paper, confirm / flag, the escalation banner and the sign-off; for the
// chief judge, the flagged sheets to correct with a reason.
func (s *Server) handleRecheck(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, st RecheckStore) {
	page, err := s.recheckPageData(r.Context(), r, u, ev, st)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, "recheck", page)
}

// recheckFailed shows a refused action on the page itself, the form's
// words kept, with the error's status.
func (s *Server) recheckFailed(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, st RecheckStore, cause error) {
	page, err := s.recheckPageData(r.Context(), r, u, ev, st)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page.Error = skillscore.ErrorMessage(cause)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(HTTPStatus(cause))
	if err := s.tmpl.RenderChrome(w, "recheck", page, chrome(r)); err != nil {
		s.log.ErrorContext(r.Context(), "render recheck", "err", err)
	}
}

func recheckURL(ev store.Event, key string, counts ...int) string {
	return noticeURL("/events/"+ev.Code+"/recheck", key, counts...)
}

// handleRecheckSettings is the organizer's settings form.
func (s *Server) handleRecheckSettings(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, st RecheckStore) {
	set := recheck.Settings{Required: r.PostFormValue("required") == "1"}
	var err error
	if set.TopN, err = strconv.Atoi(strings.TrimSpace(r.PostFormValue("top_n"))); err != nil {
		s.recheckFailed(w, r, u, ev, st, skillscore.Errorf(skillscore.EInvalid, "前几名全部复核的名次数须为整数"))
		return
	}
	for _, f := range []struct {
		name, label string
		to          *scoring.Decimal
	}{{"sample_pct", "抽样比例", &set.SamplePercent}, {"escalation_pct", "全面复核阈值", &set.EscalationPercent}} {
		v := strings.TrimSuffix(strings.TrimSpace(r.PostFormValue(f.name)), "%")
		d, perr := scoring.ParseDecimal(v)
		if perr != nil || len(v) > 12 {
			s.recheckFailed(w, r, u, ev, st, skillscore.Errorf(skillscore.EInvalid, "%s须为百分数（如 15 或 12.5），最多四位小数", f.label))
			return
		}
		*f.to = d
	}
	if err := st.SetRecheckSettings(r.Context(), ev.ID, set, u.User.Username); err != nil {
		s.recheckFailed(w, r, u, ev, st, err)
		return
	}
	http.Redirect(w, r, recheckURL(ev, "recheck-settings"), http.StatusSeeOther)
}

// handleRecheckStart draws the sample: the 监督 only.
func (s *Server) handleRecheckStart(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, st RecheckStore) {
	if err := monitorOnly(r, u); err != nil {
		s.fail(w, r, err)
		return
	}
	round, err := results.StartRecheck(r.Context(), st, ev.ID, "", u.User.Username)
	if err != nil {
		s.recheckFailed(w, r, u, ev, st, err)
		return
	}
	http.Redirect(w, r, recheckURL(ev, "recheck-started", round.Sampled()), http.StatusSeeOther)
}

func itemID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("item"), 10, 64)
	if err != nil {
		return 0, skillscore.Errorf(skillscore.ENotFound, "复核中没有这一项")
	}
	return id, nil
}

// handleRecheckVerdict records confirm or flag: the 监督 only.
func (s *Server) handleRecheckVerdict(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, st RecheckStore) {
	if err := monitorOnly(r, u); err != nil {
		s.fail(w, r, err)
		return
	}
	id, err := itemID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := store.RecheckVerdict{Verdict: r.PostFormValue("verdict"), Category: r.PostFormValue("category"), Note: r.PostFormValue("note")}
	up, err := st.SetRecheckVerdict(r.Context(), ev.ID, id, v, u.User.Username)
	if err != nil {
		s.recheckFailed(w, r, u, ev, st, err)
		return
	}
	key := "recheck-" + v.Verdict
	if up {
		key = "recheck-escalated"
	}
	http.Redirect(w, r, recheckURL(ev, key)+"#i"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

// handleRecheckCorrect is the chief judge's correction of a flagged sheet:
// recorded on the item, then the sheet is reopened by the usual path so the
// judge (or the chief from the paper) enters the right marks.
func (s *Server) handleRecheckCorrect(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, st RecheckStore) {
	id, err := itemID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if monitorOnly(r, u) == nil && !scopeHas(r, u.Access, RoleChief) {
		s.fail(w, r, skillscore.Errorf(skillscore.EForbidden, "监督只核对，不更正：更正由裁判长填写原因后进行"))
		return
	}
	it, err := st.CorrectRecheckItem(r.Context(), ev.ID, id, r.PostFormValue("reason"), u.User.Username)
	if err != nil {
		s.recheckFailed(w, r, u, ev, st, err)
		return
	}
	if it.SheetStatus != "open" {
		reason := "成绩复核更正：" + it.Correction
		if _, err := s.judges.SetSheetStatus(r.Context(), ev.ID, it.SheetID, "open", reason, u.User.Username); err != nil {
			s.recheckFailed(w, r, u, ev, st, err)
			return
		}
	}
	http.Redirect(w, r, recheckURL(ev, "recheck-corrected")+"#i"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

// handleRecheckSignOff is the 监督's sign-off. A correction may have moved
// a contestant into the top N: their sheets join the 复核 first, and the
// sign-off waits until they are checked.
func (s *Server) handleRecheckSignOff(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, st RecheckStore) {
	if err := monitorOnly(r, u); err != nil {
		s.fail(w, r, err)
		return
	}
	round, items, err := st.Recheck(r.Context(), ev.ID)
	if err != nil {
		s.recheckFailed(w, r, u, ev, st, err)
		return
	}
	standings, err := results.CurrentRecheckStandings(r.Context(), st, ev.ID)
	if err != nil {
		s.recheckFailed(w, r, u, ev, st, err)
		return
	}
	all, err := st.RecheckSheets(r.Context(), ev.ID)
	if err != nil {
		s.recheckFailed(w, r, u, ev, st, err)
		return
	}
	checked := map[int64]bool{}
	for _, it := range items {
		checked[it.SheetID] = true
	}
	set := recheck.Settings{TopN: round.TopN}
	if missing := recheck.Missing(set, all, standings, checked); len(missing) > 0 {
		if err := st.AddRecheckItems(r.Context(), ev.ID, missing, u.User.Username); err != nil {
			s.recheckFailed(w, r, u, ev, st, err)
			return
		}
		http.Redirect(w, r, recheckURL(ev, "recheck-added", len(missing)), http.StatusSeeOther)
		return
	}
	if err := st.SignOffRecheck(r.Context(), ev.ID, u.User.Username, u.User.Name); err != nil {
		s.recheckFailed(w, r, u, ev, st, err)
		return
	}
	http.Redirect(w, r, recheckURL(ev, "recheck-signed"), http.StatusSeeOther)
}

// handleRecheckReport prints the 复核 report with signature lines.
func (s *Server) handleRecheckReport(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, st RecheckStore) {
	rep, err := RecheckReportFor(r.Context(), st, ev)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writePDF(w, r, ev.Code+"-成绩复核报告.pdf", func(buf *bytes.Buffer, fonts certificates.Fonts) error {
		return sheets.WriteRecheckReport(buf, fonts, rep, time.Now())
	})
}

// RecheckReportFor gathers the 复核 report of an event (page and command).
func RecheckReportFor(ctx context.Context, st RecheckStore, ev store.Event) (sheets.RecheckReport, error) {
	round, items, err := st.Recheck(ctx, ev.ID)
	if err != nil {
		return sheets.RecheckReport{}, err
	}
	snap, err := st.Snapshot(ctx, ev.ID)
	if err != nil {
		return sheets.RecheckReport{}, err
	}
	rows := recheckRows(items, snap, nil)
	rep := sheets.RecheckReport{EventName: ev.Name, EventCode: ev.Code, Seed: round.Seed}
	rep.Rules, rep.Started, rep.SignedOff, rep.Escalation = recheckTexts(round)
	flagged := 0
	for _, row := range rows {
		note := row.Note
		if row.Verdict == store.VerdictFlagged {
			flagged++
		}
		correction := ""
		if row.CorrectedAt.Valid() {
			correction = fmt.Sprintf("%s（%s，%s）", row.Correction, row.CorrectedByText, row.CorrectedAt.In(skillscore.China()).Format("01-02 15:04"))
		}
		rep.Rows = append(rep.Rows, sheets.RecheckReportRow{No: row.No, Module: row.ModuleName, Contestant: row.Contestant,
			Judge: row.JudgeCode + " " + row.JudgeName, Reason: row.Reason, Verdict: row.VerdictText, Note: note, Correction: correction})
	}
	rep.Counts = fmt.Sprintf("复核评分表共 %d 份，标记有误 %d 份", len(rows), flagged)
	return rep, nil
}
