package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"skillscore"
	"skillscore/rubric"
	"skillscore/scoring"
	"skillscore/store"
)

// handleRubricTemplate downloads the rubric workbook, its example rows the
// event's own rubric.
func (s *Server) handleRubricTemplate(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	var doc scoring.Rules
	// A stored document that no longer parses still gives the blank template.
	_ = json.Unmarshal([]byte(ev.Rules), &doc)
	data, err := rubric.Template(&doc)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(ev.Code+"-评分细则模板.xlsx"))
	// A write error means the client went away.
	_, _ = w.Write(data)
}

// handleRubricImport takes a rule document (.json) in place of the current
// one, or a rubric sheet (.xlsx) whose rows replace the aspects of the
// modules it names; either way the result is validated and stored as a
// set-up edit, each problem shown at its field or cell.
func (s *Server) handleRubricImport(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	name, data, err := uploaded(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if strings.HasSuffix(strings.ToLower(name), ".json") {
		if len(data) > rubric.MaxRulesBytes {
			s.fail(w, r, skillscore.Errorf(skillscore.ETooLarge, "规则文件超过 %d KB 上限", rubric.MaxRulesBytes>>10))
			return
		}
		var doc scoring.Rules
		if err := json.Unmarshal(data, &doc); err != nil {
			page := s.newSetupPage(u, ev, &doc, nil)
			page.Raw = string(data)
			page.RawErrors = []string{"上传的 " + name + " 不是有效的规则 JSON：" + err.Error()}
			s.setupFailed(w, r, page)
			return
		}
		page := s.newSetupPage(u, ev, &doc, nil)
		page.Raw = string(data)
		s.saveRules(w, r, u, ev, &doc, page, nil)
		return
	}
	sheet, probs, err := rubric.Read(data)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var doc scoring.Rules
	if err := json.Unmarshal([]byte(ev.Rules), &doc); err != nil {
		s.fail(w, r, skillscore.Errorf(skillscore.EConflict, "本赛事的规则文档无法解析，请先在设置页修正后再导入评分细则"))
		return
	}
	pl, more := rubric.Apply(&doc, sheet)
	probs = append(probs, more...)
	page := s.newSetupPage(u, ev, &doc, nil)
	page.Raw = ev.Rules
	if len(probs) > 0 {
		page.Cells = cellProblems(probs)
		s.setupFailed(w, r, page)
		return
	}
	s.saveRules(w, r, u, ev, &doc, page, pl)
}

func cellProblems(ps []rubric.Problem) []cellProblem {
	out := make([]cellProblem, len(ps))
	for i, p := range ps {
		out[i] = cellProblem{Cell: p.Cell(), Message: p.Message}
	}
	return out
}
