package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"skillscore"
	"skillscore/demo"
	"skillscore/examples"
	"skillscore/levels"
	"skillscore/recheck"
	"skillscore/scoring"
	"skillscore/store"
)

// SetupStore is what the organizer's event set-up pages need. The judging
// store provides it (the same *store.Store), as for the draw.
type SetupStore interface {
	CreateEvent(ctx context.Context, ne store.NewEvent, actor string) (store.Event, error)
	ReplaceRules(ctx context.Context, eventID int64, es store.EventSetup, actor string) error
	UpdateEventDetails(ctx context.Context, eventID int64, d store.EventDetails, actor string) error
}

func (s *Server) setupStore() (SetupStore, error) {
	ss, ok := s.judging.(SetupStore)
	if !ok {
		return nil, skillscore.Errorf(skillscore.EUnavailable, "赛事设置功能未启用")
	}
	return ss, nil
}

// eventPreset is a rule document an event can start from. Kind is the
// kind of event the document is written for (its modules, pass lines and
// promotion fit only that kind); "" lets the form's 类型 decide.
type eventPreset struct{ Value, Label, File, Kind string }

// eventPresets are the rule documents an event can start from.
var eventPresets = []eventPreset{
	{"provincial", "江西省养老护理员职业技能竞赛（省级二类）", "jiangxi-yanglao-provincial.json", "competition"},
	{"assessment", "养老护理员二级/技师职业技能等级认定", "assessment-yanglao-technician.json", "assessment"},
	{"scratch", "从空白开始（仅理论一个模块，之后在设置页补充）", "", ""},
}

// presetOption is a promotion preset as the set-up page offers it: the
// scoring core's code (stored in the rule document) and its Chinese name.
type presetOption struct{ Value, Label string }

// promotionPresets are the scoring core's promotion presets with the
// names organizers know them by (赣人社发〔2021〕2号 and DESIGN.md).
var promotionPresets = []presetOption{
	{scoring.PresetNational, "国家级竞赛：获奖者晋升技师，已是技师的晋升高级技师"},
	{scoring.PresetProvincialClassOne, "省级一类竞赛：第 1–3 名晋升高级技师，第 4–10 名晋升技师，其余合格者晋升高级工"},
	{scoring.PresetProvincialClassTwo, "省级二类竞赛：第 1 名晋升高级技师，第 2–5 名晋升技师"},
	{scoring.PresetTianjin, "职工组前 10 名晋升技师（已是技师的晋升高级技师），学生组合格者晋升高级工"},
	{scoring.PresetOneLevelUp, "合格者晋升一级（最高至技师）"},
}

// scratchRules is the smallest valid document: the set-up page grows it.
const scratchRules = `{"schema":"skillscore.rules/v1","name":"","kind":"competition",
"modules":[{"code":"theory","name":"理论知识","part":"theory","weight":100,"max":100,"imported":true}],
"total":{"rounding":{"mode":"half_up","places":2}}}`

var eventCodePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{2,39}$`)

type eventNewPage struct {
	Title, CSRF, User string
	Presets           []eventPreset
	Levels            []levelOption
	Form              url.Values
	Errors            map[string]string
}

// levelOption is one level in the 认定等级 select: its stored code and name.
type levelOption struct {
	Value, Label string
}

// levelOptions lists the eight levels, lowest first.
func levelOptions() []levelOption {
	var out []levelOption
	for _, l := range levels.All() {
		out = append(out, levelOption{strconv.Itoa(int(l)), l.String()})
	}
	return out
}

func (s *Server) handleEventNew(w http.ResponseWriter, r *http.Request, u *authed) {
	form := url.Values{"preset": {"provincial"}, "kind": {"competition"}, "occupation": {"养老护理员"},
		"tier": {"provincial"}, "class": {"two"}}
	s.render(w, r, "eventnew", eventNewPage{Title: "新建赛事", CSRF: u.CSRF, User: u.User.Name, Presets: eventPresets, Levels: levelOptions(), Form: form})
}

func (s *Server) handleEventCreate(w http.ResponseWriter, r *http.Request, u *authed) {
	ss, err := s.setupStore()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, skillscore.Errorf(skillscore.EInvalid, "表单无法解析"))
		return
	}
	f := r.PostForm
	for k, v := range f {
		f[k] = []string{strings.TrimSpace(strings.Join(v, ""))}
	}
	errs := map[string]string{}
	ev := store.Event{Code: f.Get("code"), Name: f.Get("name"), Kind: f.Get("kind"), Occupation: f.Get("occupation"),
		Specialty: f.Get("specialty"), Tier: f.Get("tier"), Class: f.Get("class"), Venue: f.Get("venue"),
		StartsOn: f.Get("starts_on"), Status: "setup"}
	if !eventCodePattern.MatchString(ev.Code) {
		errs["code"] = "赛事代码须为 3–40 位小写字母、数字或连字符，如 jx-ylhly-2027"
	}
	if ev.Name == "" {
		errs["name"] = "请填写赛事名称"
	}
	if ev.Occupation == "" {
		errs["occupation"] = "请填写职业，如 养老护理员"
	}
	if _, ok := kindNames[ev.Kind]; !ok {
		errs["kind"] = "请选择竞赛或等级认定"
	}
	if y, err := strconv.Atoi(f.Get("year")); err != nil || y < 2000 || y > 2100 {
		errs["year"] = "年度须为 2000–2100 之间的四位数字"
	} else {
		ev.Year = y
	}
	if lv := f.Get("level"); lv != "" {
		// The select sends a level's code; a name typed by a script reads too.
		l, ok := levels.Parse(lv)
		if n, err := strconv.Atoi(lv); err == nil {
			l, ok = levels.FromCode(n)
		}
		if !ok || !l.Valid() {
			errs["level"] = "请选择认定等级：学徒工、五级/初级工 … 一级/高级技师、特级技师或首席技师"
		} else {
			ev.Level = l
		}
	}
	if !validDate(ev.StartsOn) {
		errs["starts_on"] = "日期格式为 2027-05-20"
	}
	raw := []byte(scratchRules)
	found := false
	for _, p := range eventPresets {
		if p.Value == f.Get("preset") {
			found = true
			if p.Kind != "" {
				// The 等级认定 template makes an assessment whatever the
				// 类型 select said: its modules and pass lines are an
				// assessment's (the page's script keeps the two in step).
				ev.Kind = p.Kind
				f.Set("kind", p.Kind)
				delete(errs, "kind")
			}
			if p.File != "" {
				if raw, err = examples.Files.ReadFile(p.File); err != nil {
					s.fail(w, r, fmt.Errorf("read preset %s: %w", p.File, err))
					return
				}
			}
		}
	}
	if !found {
		errs["preset"] = "请选择一个模板"
	}
	if ev.Kind == "assessment" {
		ev.Tier, ev.Class = "", "" // a competition's 级别 and 类别; the form sends them whatever the kind
	}
	var ne store.NewEvent
	if len(errs) == 0 {
		ne, err = newEventFromRules(ev, raw)
		if err != nil {
			errs["preset"] = skillscore.ErrorMessage(err)
		}
	}
	if len(errs) == 0 {
		// A new competition requires the 成绩复核 before publication
		// (docs/oversight-recheck.md); the organizer may change it.
		rc := recheck.Defaults(ev.Kind)
		ne.Recheck = &rc
		created, err := ss.CreateEvent(r.Context(), ne, u.User.Username)
		if skillscore.ErrorCode(err) == skillscore.EConflict {
			errs["code"] = skillscore.ErrorMessage(err)
		} else if err != nil {
			s.fail(w, r, err)
			return
		} else {
			s.log.Info("event created", "event", created.Code, "by", u.User.Username)
			s.requireSigningForNewEvent(r.Context(), created.ID, u.User.Username)
			http.Redirect(w, r, noticeURL("/events/"+created.Code+"/setup", "event-created"), http.StatusSeeOther)
			return
		}
	}
	w.WriteHeader(http.StatusBadRequest)
	s.render(w, r, "eventnew", eventNewPage{Title: "新建赛事", CSRF: u.CSRF, User: u.User.Name, Presets: eventPresets, Levels: levelOptions(), Form: f, Errors: errs})
}

// newEventFromRules fills the rule document's own fields from the event
// form and mirrors its groups and modules as rows.
func newEventFromRules(ev store.Event, raw []byte) (store.NewEvent, error) {
	var doc scoring.Rules
	if err := json.Unmarshal(raw, &doc); err != nil {
		return store.NewEvent{}, fmt.Errorf("preset: %w", err)
	}
	doc.Name, doc.Kind, doc.Occupation, doc.Year = ev.Name, scoring.EventKind(ev.Kind), ev.Occupation, ev.Year
	if ev.Kind == "competition" {
		doc.Tier = ev.Tier
		doc.Level = 0
		switch ev.Class {
		case "one":
			doc.Class = 1
		case "two":
			doc.Class = 2
		}
	} else {
		doc.Tier, doc.Class = "", 0
		if ev.Level != 0 {
			doc.Level = ev.Level
		}
	}
	rules, out, err := validRules(&doc)
	if err != nil {
		var msgs []string
		for _, p := range problemsOf(err) {
			msgs = append(msgs, p.Path+" "+p.Message)
		}
		return store.NewEvent{}, skillscore.Wrap(skillscore.EInvalid, err, "模板与所填信息不一致："+strings.Join(msgs, "；"))
	}
	ev.Rules = string(out)
	ne := store.NewEvent{Event: ev, Modules: demo.Modules(rules)}
	for _, g := range rules.Groups {
		ne.Groups = append(ne.Groups, store.Group{Code: g.Code, Name: g.Name})
	}
	return ne, nil
}

// validRules marshals a document and runs it through the core's parser,
// so what is stored is exactly what was validated.
func validRules(doc *scoring.Rules) (*scoring.Rules, []byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, nil, fmt.Errorf("encode rules: %w", err)
	}
	rules, err := scoring.ParseRules(buf.Bytes())
	if err != nil {
		return nil, nil, err
	}
	return rules, bytes.TrimSpace(buf.Bytes()), nil
}

// handleSetupDetails saves the event's name, venue and start date; they may
// change at any stage (a venue moves, a date slips), unlike the rubric.
func (s *Server) handleSetupDetails(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	ss, err := s.setupStore()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, skillscore.Errorf(skillscore.EInvalid, "表单无法解析"))
		return
	}
	f := r.PostForm
	d := store.EventDetails{Name: strings.TrimSpace(f.Get("name")), Venue: strings.TrimSpace(f.Get("venue")),
		StartsOn: strings.TrimSpace(f.Get("starts_on"))}
	errs := map[string]string{}
	switch n := utf8.RuneCountInString(d.Name); {
	case n == 0:
		errs["name"] = "请填写赛事名称"
	case n > 200:
		errs["name"] = fmt.Sprintf("赛事名称最多 200 字，现为 %d 字", n)
	}
	if n := utf8.RuneCountInString(d.Venue); n > 200 {
		errs["venue"] = fmt.Sprintf("地点最多 200 字，现为 %d 字", n)
	}
	if !validDate(d.StartsOn) {
		errs["starts_on"] = "日期格式为 2027-05-20"
	}
	if len(errs) == 0 {
		if err := ss.UpdateEventDetails(r.Context(), ev.ID, d, u.User.Username); err != nil {
			s.fail(w, r, err)
			return
		}
		s.log.Info("event details saved", "event", ev.Code, "by", u.User.Username)
		http.Redirect(w, r, noticeURL("/events/"+ev.Code+"/setup", "details-saved"), http.StatusSeeOther)
		return
	}
	var doc scoring.Rules
	_ = json.Unmarshal([]byte(ev.Rules), &doc)
	page := s.newSetupPage(u, ev, &doc, nil)
	page.Raw = ev.Rules
	page.Details, page.DetailErrors = d, errs
	s.setupFailed(w, r, page)
}

// validDate: empty, or a real calendar date as YYYY-MM-DD (not 2027-02-30).
func validDate(s string) bool {
	if s == "" {
		return true
	}
	_, err := time.Parse("2006-01-02", s)
	return err == nil
}
