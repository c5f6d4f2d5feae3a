package web

import (
	"context"
	"net/http"
	"sort"
	"strings"

	"skillscore"
	"skillscore/scoring"
	"skillscore/store"
)

// ---- paper fallback: double entry ---------------------------------------

type paperPage struct {
	Title, CSRF, EventCode, User string
	Modules                      []paperModule
	Judges                       []store.Judge
	// JudgeModules lists, per judge code, the module codes of the panels
	// the judge sits on: the judge list follows the chosen module.
	JudgeModules              map[string]string
	Codes                     []string
	Module, Judge, Contestant string
	Values                    map[string]string
	Outcome                   string
	Mismatch                  map[string]bool
	Error                     string
}

type paperModule struct {
	ID      int64
	Code    string
	Name    string
	Aspects []paperAspect
}

type paperAspect struct {
	Code, Name, Kind, Hint string
}

func (s *Server) paperPage(r *http.Request, u *authed, ev store.Event) (paperPage, map[string]scoring.Module, error) {
	ctx := r.Context()
	page := paperPage{Title: ev.Name + " · 纸质评分表录入", CSRF: u.CSRF, EventCode: ev.Code, User: u.User.Name,
		Values: map[string]string{}, Mismatch: map[string]bool{}, JudgeModules: map[string]string{}}
	rules, err := scoring.ParseRules([]byte(ev.Rules))
	if err != nil {
		return page, nil, skillscore.Wrap(skillscore.EConflict, err, "赛事评分规则无效")
	}
	ruleMods := map[string]scoring.Module{}
	for _, m := range rules.Modules {
		ruleMods[m.Code] = m
	}
	mods, err := s.judging.Modules(ctx, ev.ID)
	if err != nil {
		return page, nil, err
	}
	for _, m := range mods {
		if m.Imported {
			continue
		}
		pm := paperModule{ID: m.ID, Code: m.Code, Name: m.Name}
		for _, a := range ruleMods[m.Code].Aspects {
			pm.Aspects = append(pm.Aspects, paperAspect{Code: a.Code, Name: a.Name, Kind: a.Kind.Name(), Hint: paperHint(a)})
		}
		page.Modules = append(page.Modules, pm)
	}
	if page.Judges, err = s.judging.Judges(ctx, ev.ID); err != nil {
		return page, nil, err
	}
	panels, err := s.judging.Panels(ctx, ev.ID)
	if err != nil {
		return page, nil, err
	}
	modCode, judgeCode := map[int64]string{}, map[int64]string{}
	for _, m := range mods {
		modCode[m.ID] = m.Code
	}
	for _, j := range page.Judges {
		judgeCode[j.ID] = j.Code
	}
	for _, p := range panels {
		jc := judgeCode[p.JudgeID]
		page.JudgeModules[jc] = strings.TrimSpace(page.JudgeModules[jc] + " " + modCode[p.ModuleID])
	}
	cs, err := s.judging.Contestants(ctx, ev.ID)
	if err != nil {
		return page, nil, err
	}
	for _, c := range cs {
		if c.Code != nil {
			page.Codes = append(page.Codes, *c.Code)
		}
	}
	sort.Strings(page.Codes)
	return page, ruleMods, nil
}

// paperHint is the aspect's hint, with a deduction's cap, which the
// paper sheet prints in a column of its own and this page has nowhere else.
func paperHint(a scoring.Aspect) string {
	if a.Kind == scoring.Deduction && a.Unit == nil {
		return a.Hint() + "，最多 " + a.Max.String()
	}
	return a.Hint()
}

func (s *Server) handlePaper(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	page, _, err := s.paperPage(r, u, ev)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, "paper", page)
}

func (s *Server) handlePaperSubmit(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	ctx := r.Context()
	page, ruleMods, err := s.paperPage(r, u, ev)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page.Module, page.Judge, page.Contestant = r.PostFormValue("module"), r.PostFormValue("judge"), strings.TrimSpace(r.PostFormValue("contestant"))
	// Whatever is refused, the scorekeeper gets the typed values back.
	for _, a := range ruleMods[page.Module].Aspects {
		page.Values[a.Code] = strings.TrimSpace(r.PostFormValue("v_" + a.Code))
	}
	status := http.StatusOK
	outcome, err := s.paperEntry(ctx, r, u, ev, ruleMods, &page)
	switch {
	case err != nil && skillscore.ErrorCode(err) == skillscore.EInternal:
		s.fail(w, r, err)
		return
	case err != nil:
		page.Error = skillscore.ErrorMessage(err)
		status = HTTPStatus(err)
	case outcome.Status == "waiting":
		page.Outcome = "已保存第一遍录入。请另一位记分员独立录入同一张纸质评分表；两遍一致后成绩才生效。"
		page.Values = map[string]string{}
	case outcome.Status == "mismatch":
		page.Error = "两遍录入不一致（另一遍由 " + outcome.Other + " 录入），标红的评分项请对照纸质评分表核对后重新录入。成绩未生效。"
		status = http.StatusConflict
	case outcome.Status == "agreed":
		page.Outcome = "两遍录入一致，成绩已生效并代裁判提交。"
		page.Values = map[string]string{}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := s.tmpl.RenderChrome(w, "paper", page, chrome(r)); err != nil {
		s.log.Error("render paper", "err", err)
	}
}

// paperEntry validates a transcription against the rubric and stores it.
func (s *Server) paperEntry(ctx context.Context, r *http.Request, u *authed, ev store.Event, ruleMods map[string]scoring.Module,
	page *paperPage) (store.PaperOutcome, error) {
	mods, err := s.judging.Modules(ctx, ev.ID)
	if err != nil {
		return store.PaperOutcome{}, err
	}
	var mod *store.Module
	for i := range mods {
		if mods[i].Code == page.Module && !mods[i].Imported {
			mod = &mods[i]
		}
	}
	if mod == nil {
		return store.PaperOutcome{}, skillscore.Errorf(skillscore.EInvalid, "请选择模块")
	}
	var judge *store.Judge
	for i := range page.Judges {
		if page.Judges[i].Code == page.Judge {
			judge = &page.Judges[i]
		}
	}
	if judge == nil {
		return store.PaperOutcome{}, skillscore.Errorf(skillscore.EInvalid, "请选择裁判")
	}
	cs, err := s.judging.Contestants(ctx, ev.ID)
	if err != nil {
		return store.PaperOutcome{}, err
	}
	var contestant *store.Contestant
	for i := range cs {
		if cs[i].Code != nil && *cs[i].Code == page.Contestant {
			contestant = &cs[i]
		}
	}
	if contestant == nil {
		return store.PaperOutcome{}, skillscore.Errorf(skillscore.ENotFound, "参赛编号 %q 不存在", clipText(page.Contestant))
	}
	// A paper sheet obeys the same assignments (回避) as a tablet.
	as, err := s.judging.Assignments(ctx, ev.ID)
	if err != nil {
		return store.PaperOutcome{}, err
	}
	assigned, moduleAssigned := false, false
	for _, a := range as {
		if a.ModuleID == mod.ID {
			moduleAssigned = true
			assigned = assigned || a.JudgeID == judge.ID && a.ContestantID == contestant.ID
		}
	}
	if moduleAssigned && !assigned {
		return store.PaperOutcome{}, skillscore.Errorf(skillscore.EForbidden, "裁判 %s 未被分配评选手 %s 的%s（回避或不在裁判组），不能录入",
			judge.Code, page.Contestant, mod.Name)
	}
	aspectID := map[string]int64{}
	codeOf := map[int64]string{}
	for _, a := range mod.Aspects {
		aspectID[a.Code] = a.ID
		codeOf[a.ID] = a.Code
	}
	marks := map[int64]int64{}
	var problems []string
	for _, a := range ruleMods[mod.Code].Aspects {
		raw := strings.TrimSpace(r.PostFormValue("v_" + a.Code))
		page.Values[a.Code] = raw
		if raw == "" {
			problems = append(problems, a.Name+"：未填写")
			continue
		}
		v, err := scoring.ParseDecimal(raw)
		if err != nil {
			problems = append(problems, a.Name+"：不是有效的数字")
			continue
		}
		if err := a.CheckValue(v); err != nil {
			msg := err.Error()
			if ve, ok := err.(*scoring.ValueError); ok {
				msg = ve.Message
			}
			problems = append(problems, a.Name+"："+msg)
			continue
		}
		marks[aspectID[a.Code]] = int64(v)
	}
	if len(problems) > 0 {
		return store.PaperOutcome{}, skillscore.Errorf(skillscore.EInvalid, "录入有误，未保存：%s", strings.Join(problems, "；"))
	}
	out, err := s.judging.SubmitPaperEntry(ctx, store.PaperEntry{EventID: ev.ID, ModuleID: mod.ID, ContestantID: contestant.ID,
		JudgeID: judge.ID, UserID: u.User.ID, Username: u.User.Username, Subject: page.Contestant, Marks: marks})
	if err != nil {
		return out, err
	}
	for _, id := range out.Mismatch {
		page.Mismatch[codeOf[id]] = true
	}
	return out, nil
}

func clipText(s string) string {
	if r := []rune(s); len(r) > 32 {
		return string(r[:32]) + "…"
	}
	return s
}
