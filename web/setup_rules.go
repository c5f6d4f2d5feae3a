package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"skillscore"
	"skillscore/demo"
	"skillscore/rubric"
	"skillscore/scoring"
	"skillscore/store"
)

// setupField is one structured input of the set-up page with the core's
// problems that belong to it.
type setupField struct {
	Label, Name, Value string
	Errors             []string
	index              int // the module or award band it edits
}

type setupPage struct {
	Title, CSRF, EventCode, EventName, User, Message string
	Weights, Bands                                   []setupField
	WeightErrors, BandErrors                         []string
	Preset                                           setupField
	Presets                                          []presetOption
	KindName                                         string
	Raw                                              string
	RawErrors                                        []string
	Cells                                            []cellProblem
	// The event's name, venue and start date, and their problems by field.
	Details      store.EventDetails
	DetailErrors map[string]string
	// Groups and modules as rows to rename, remove and add (setup_structure.go).
	Groups                     []groupRow
	Modules                    []moduleRow
	NewGroupCode, NewGroupName string
	NewModule                  newModule
	StructureErrors            []string
}

// cellProblem is a rubric spreadsheet problem at its cell (row as the
// spreadsheet shows it, column letter).
type cellProblem struct {
	Cell, Message string
}

func (s *Server) handleSetupPage(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	var doc scoring.Rules
	// A stored document that no longer parses is still shown raw to be fixed.
	_ = json.Unmarshal([]byte(ev.Rules), &doc)
	page := s.newSetupPage(u, ev, &doc, nil)
	page.Raw, page.Message = ev.Rules, r.URL.Query().Get("msg")
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, "setup", page)
}

func (s *Server) newSetupPage(u *authed, ev store.Event, doc *scoring.Rules, form url.Values) setupPage {
	p := setupPage{Title: ev.Name + " · 赛事设置", CSRF: u.CSRF, EventCode: ev.Code, EventName: ev.Name, User: u.User.Name,
		Presets: promotionPresets, KindName: nameOr(kindNames, ev.Kind), Details: store.EventDetails{Name: ev.Name, Venue: ev.Venue, StartsOn: ev.StartsOn}}
	val := func(name, v string) string { return formOr(form, name, v) }
	for i, m := range doc.Modules {
		v := ""
		if m.Weight != nil {
			v = m.Weight.String()
		}
		name := "weight." + m.Code
		p.Weights = append(p.Weights, setupField{Label: m.Code + " " + m.Name, Name: name, Value: val(name, v), index: i})
	}
	if doc.Awards != nil {
		for i, b := range doc.Awards.Bands {
			if b.Percent == nil {
				continue
			}
			name := "band." + b.Code
			p.Bands = append(p.Bands, setupField{Label: b.Name, Name: name, Value: val(name, b.Percent.String()), index: i})
		}
	}
	preset := ""
	if doc.Promotion != nil {
		preset = doc.Promotion.Preset
	}
	p.Preset = setupField{Label: "晋升规则预设", Name: "promotion_preset", Value: val("promotion_preset", preset)}
	structureRows(&p, doc, form)
	return p
}

var (
	weightPath = regexp.MustCompile(`^modules\[(\d+)\]\.weight$`)
	bandPath   = regexp.MustCompile(`^awards\.bands\[(\d+)\]\.percent$`)
)

// handleSetupSave applies the structured fields to the raw document, has
// the core validate the result and stores it; each problem is shown next
// to the field its path names, the rest next to the raw document.
func (s *Server) handleSetupSave(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, skillscore.Errorf(skillscore.EInvalid, "表单无法解析"))
		return
	}
	raw := r.PostForm.Get("rules")
	// The body cap allows 21 MB; decoding that much JSON would cost the
	// server hundreds of MB, so the field gets an uploaded document's bound.
	if len(raw) > rubric.MaxRulesBytes {
		s.fail(w, r, skillscore.Errorf(skillscore.ETooLarge, "规则文档超过 %d KB 上限", rubric.MaxRulesBytes>>10))
		return
	}
	var doc scoring.Rules
	if err := json.Unmarshal([]byte(raw), &doc); err != nil {
		page := s.newSetupPage(u, ev, &doc, r.PostForm)
		page.Raw = raw
		page.RawErrors = []string{"规则文档不是有效的 JSON：" + err.Error()}
		s.setupFailed(w, r, page)
		return
	}
	page := s.newSetupPage(u, ev, &doc, r.PostForm)
	page.Raw = raw
	bad := false
	for i := range page.Weights {
		f := &page.Weights[i]
		if f.Value == "" {
			doc.Modules[f.index].Weight = nil
			continue
		}
		d, err := scoring.ParseDecimal(strings.TrimSpace(f.Value))
		if err != nil {
			f.Errors, bad = append(f.Errors, "请填写数字，如 25 或 12.5"), true
			continue
		}
		doc.Modules[f.index].Weight = &d
	}
	for i := range page.Bands {
		f := &page.Bands[i]
		d, err := scoring.ParseDecimal(strings.TrimSpace(f.Value))
		if err != nil {
			f.Errors, bad = append(f.Errors, "请填写百分比数字，如 10"), true
			continue
		}
		doc.Awards.Bands[f.index].Percent = &d
	}
	if p := page.Preset.Value; p != "" {
		if doc.Promotion == nil {
			doc.Promotion = &scoring.PromotionRule{}
		}
		doc.Promotion.Preset, doc.Promotion.Rules = p, nil
	}
	// Weights were set by the modules' places above; now modules may go
	// and come.
	pl, fine := applyStructure(r, &page, &doc)
	if bad || !fine {
		s.setupFailed(w, r, page)
		return
	}
	s.saveRules(w, r, u, ev, &doc, page, pl)
}

// saveRules validates doc and stores it with its rows, or re-renders the
// page with each problem placed: at a rubric sheet's cell when pl (the
// imported sheet, or nil) wrote that part, else at its field.
func (s *Server) saveRules(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, doc *scoring.Rules, page setupPage, pl *rubric.Placement) {
	ss, err := s.setupStore()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rules, out, err := validRules(doc)
	if err != nil {
		probs := problemsOf(err)
		if probs == nil {
			s.fail(w, r, err)
			return
		}
		var rest []scoring.Problem
		for _, p := range probs {
			if pl != nil {
				if c, ok := pl.Place(p.Path, p.Message); ok {
					page.Cells = append(page.Cells, cellProblem{Cell: c.Cell(), Message: c.Message})
					continue
				}
			}
			rest = append(rest, p)
		}
		placeProblems(&page, doc, rest)
		s.setupFailed(w, r, page)
		return
	}
	es := store.EventSetup{Rules: string(out), Modules: demo.Modules(rules)}
	for _, g := range rules.Groups {
		es.Groups = append(es.Groups, store.Group{Code: g.Code, Name: g.Name})
	}
	if err := ss.ReplaceRules(r.Context(), ev.ID, es, u.User.Username); err != nil {
		if c := skillscore.ErrorCode(err); c != skillscore.EConflict && c != skillscore.EInvalid {
			s.fail(w, r, err)
			return
		}
		page.RawErrors = append(page.RawErrors, skillscore.ErrorMessage(err))
		w.WriteHeader(HTTPStatus(err))
		s.render(w, r, "setup", page)
		return
	}
	s.log.Info("rules saved", "event", ev.Code, "by", u.User.Username)
	http.Redirect(w, r, noticeURL("/events/"+ev.Code+"/setup", "rules-saved"), http.StatusSeeOther)
}

func (s *Server) setupFailed(w http.ResponseWriter, r *http.Request, page setupPage) {
	w.WriteHeader(http.StatusBadRequest)
	s.render(w, r, "setup", page)
}

func problemsOf(err error) []scoring.Problem {
	var re *scoring.RulesError
	if errors.As(err, &re) {
		return re.Problems
	}
	return nil
}

// placeProblems puts each problem of doc (as validated: modules may have
// been removed or added since the page's fields were made) at its field.
func placeProblems(page *setupPage, doc *scoring.Rules, probs []scoring.Problem) {
	for _, p := range probs {
		if m := weightPath.FindStringSubmatch(p.Path); m != nil {
			if i, _ := strconv.Atoi(m[1]); i < len(doc.Modules) {
				if f := weightField(page, doc.Modules[i].Code); f != nil {
					f.Errors = append(f.Errors, p.Message)
					continue
				}
				if doc.Modules[i].Code == page.NewModule.Code {
					page.NewModule.Errors["weight"] = p.Message
					continue
				}
			}
		}
		if m := bandPath.FindStringSubmatch(p.Path); m != nil {
			if f := bandField(page.Bands, m[1]); f != nil {
				f.Errors = append(f.Errors, p.Message)
				continue
			}
		}
		switch {
		case p.Path == "modules":
			page.WeightErrors = append(page.WeightErrors, p.Message)
		case p.Path == "awards.bands":
			page.BandErrors = append(page.BandErrors, p.Message)
		case strings.HasPrefix(p.Path, "promotion"):
			page.Preset.Errors = append(page.Preset.Errors, p.Path+"："+p.Message)
		case p.Path == "":
			page.RawErrors = append(page.RawErrors, p.Message)
		default:
			page.RawErrors = append(page.RawErrors, p.Path+"："+p.Message)
		}
	}
}

// formOr is a field as typed in a refused submit (form), else def: the
// page shows again what the organizer typed.
func formOr(form url.Values, name, def string) string {
	if fv, ok := form[name]; ok {
		return strings.Join(fv, "")
	}
	return def
}

func weightField(page *setupPage, code string) *setupField {
	for i := range page.Weights {
		if page.Weights[i].Name == "weight."+code {
			return &page.Weights[i]
		}
	}
	return nil
}

func bandField(fs []setupField, index string) *setupField {
	n, _ := strconv.Atoi(index)
	for i := range fs {
		if fs[i].index == n {
			return &fs[i]
		}
	}
	return nil
}
