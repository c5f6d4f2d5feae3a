package web

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"skillscore"
	"skillscore/examples"
	"skillscore/levels"
	"skillscore/scoring"
	"skillscore/store"
)

// occupationCodePattern is a 职业编码 of the 职业分类大典 (2022): major
// group, middle, small and detailed codes (4-10-01-05), and a 工种's two
// more digits where an office uses them (4-10-01-05-01).
var occupationCodePattern = regexp.MustCompile(`^[1-8]-\d{2}-\d{2}-\d{2}(-\d{2})?$`)

// ValidOccupationCode reports whether s is shaped as a 职业编码.
func ValidOccupationCode(s string) bool { return occupationCodePattern.MatchString(s) }

// batchGroup is the one group of a batch's candidates: an assessment ranks
// no one, but a roster row needs a group.
var batchGroup = scoring.Group{Code: "all", Name: "考生"}

// photoPresets are the photo sizes offices commonly ask for, offered on
// the new-batch form (the set-up page takes any bounds).
var photoPresets = []struct{ Value, Label string }{
	{"", "不限（照片库通用要求：100×130 至 4000×4000 像素）"},
	{"358x441", "358×441 像素（常见报名照片规格）"},
	{"295x413", "295×413 像素（一寸证件照）"},
	{"413x579", "413×579 像素（二寸证件照）"},
}

// batchListRow is one batch on the list.
type batchListRow struct {
	Code, Name, BatchNo, Occupation, OccupationCode, Level, Days string
}

type batchesPage struct {
	Title, CSRF, User string
	Batches           []batchListRow
}

// handleBatches lists every assessment batch, newest first.
func (s *Server) handleBatches(w http.ResponseWriter, r *http.Request, u *authed) {
	st, err := s.batchStore()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	bs, err := st.Batches(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := batchesPage{Title: "认定批次", CSRF: u.CSRF, User: u.User.Name}
	for _, b := range bs {
		ev, err := st.Event(r.Context(), b.EventID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		f := factsOf(ev, b)
		page.Batches = append(page.Batches, batchListRow{Code: ev.Code, Name: ev.Name, BatchNo: b.BatchNo, Occupation: ev.Occupation,
			OccupationCode: ev.OccupationCode, Level: f.Level, Days: f.Days})
	}
	s.render(w, r, "batches", page)
}

type batchNewPage struct {
	Title, CSRF, User string
	Presets           []eventPreset
	PhotoPresets      []struct{ Value, Label string }
	Levels            []levelOption
	Form              url.Values
	Rooms             []roomForm
	Errors            map[string]string
	Error             string
}

// roomForm is one row of the rooms table of a form, as typed.
type roomForm struct{ Code, Site, Name, Seats string }

// assessmentPresets are the rule documents written for an assessment.
func assessmentPresets() []eventPreset {
	var out []eventPreset
	for _, p := range eventPresets {
		if p.Kind == "assessment" {
			out = append(out, p)
		}
	}
	return out
}

// blankRooms pads a form's rooms with empty rows to type into.
func blankRooms(rooms []roomForm, n int) []roomForm {
	for len(rooms) < n {
		rooms = append(rooms, roomForm{})
	}
	return rooms
}

func (s *Server) handleBatchNew(w http.ResponseWriter, r *http.Request, u *authed) {
	form := url.Values{"occupation": {"养老护理员"}, "occupation_code": {"4-10-01-05"}, "level": {"4"},
		"publicity_days": {"5"}, "retake_months": {"12"}}
	s.render(w, r, "batchnew", batchNewPage{Title: "新建认定批次", CSRF: u.CSRF, User: u.User.Name, Presets: assessmentPresets(),
		PhotoPresets: photoPresets, Levels: levelOptions(), Form: form, Rooms: blankRooms(nil, 4)})
}

// handleBatchCreate creates an assessment batch in one step: its event
// from the chosen assessment template (one group 考生; passing grants the
// batch's level), its batch details and its rooms, all or nothing.
func (s *Server) handleBatchCreate(w http.ResponseWriter, r *http.Request, u *authed) {
	st, err := s.batchStore()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, skillscore.Errorf(skillscore.EInvalid, "表单无法解析"))
		return
	}
	f := r.PostForm
	get := func(k string) string { return strings.TrimSpace(f.Get(k)) }
	errs := map[string]string{}
	ev := store.Event{Code: get("code"), Name: get("name"), Kind: "assessment", Occupation: get("occupation"),
		OccupationCode: get("occupation_code"), Specialty: get("specialty"), Venue: get("venue"), StartsOn: get("starts_on"), Status: "setup"}
	if !eventCodePattern.MatchString(ev.Code) {
		errs["code"] = "代码须为 3–40 位小写字母、数字或连字符，如 jx-rd-2027-06"
	}
	if ev.Name == "" {
		errs["name"] = "请填写批次名称，如 2027年6月养老护理员四级认定"
	}
	if ev.Occupation == "" {
		errs["occupation"] = "请填写职业，如 养老护理员"
	}
	if !occupationCodePattern.MatchString(ev.OccupationCode) {
		errs["occupation_code"] = "职业编码如 4-10-01-05（职业分类大典）"
	}
	// The select sends a level's code; a name typed by a script reads too.
	lv := get("level")
	l, ok := levels.Parse(lv)
	if n, err := strconv.Atoi(lv); err == nil {
		l, ok = levels.FromCode(n)
	}
	if !ok || !l.Valid() {
		errs["level"] = "请选择认定等级"
	} else {
		ev.Level = l
	}
	if ev.StartsOn == "" || !validDate(ev.StartsOn) {
		errs["starts_on"] = "请填写考核日期，如 2027-06-10"
	} else {
		ev.Year, _ = strconv.Atoi(ev.StartsOn[:4])
	}
	b := store.Batch{BatchNo: get("batch_no"), EndsOn: get("ends_on")}
	if b.EndsOn != "" && !validDate(b.EndsOn) {
		errs["ends_on"] = "日期格式为 2027-06-11"
	}
	if b.PublicityDays, err = strconv.Atoi(get("publicity_days")); err != nil {
		errs["publicity_days"] = "公示期为工作日数，如 5"
	}
	if b.RetakeMonths, err = strconv.Atoi(get("retake_months")); err != nil {
		errs["retake_months"] = "补考有效期为月数，如 12"
	}
	if kb := get("photo_kb"); kb != "" {
		if b.MaxKB, err = strconv.Atoi(kb); err != nil {
			errs["photo_kb"] = "照片大小上限为 KB 数，如 100；不限留空"
		}
	}
	switch p := get("photo"); p {
	case "":
	case "358x441", "295x413", "413x579":
		var wd, ht int
		fmt.Sscanf(p, "%dx%d", &wd, &ht)
		b.MinWidth, b.MaxWidth, b.MinHeight, b.MaxHeight = wd, wd, ht, ht
	default:
		errs["photo"] = "请选择照片规格"
	}
	rooms, typed, roomErr := parseRooms(f)
	if roomErr != "" {
		errs["rooms"] = roomErr
	}
	var raw []byte
	for _, p := range assessmentPresets() {
		if p.Value == get("preset") {
			raw, err = examples.Files.ReadFile(p.File)
			if err != nil {
				s.fail(w, r, fmt.Errorf("read preset %s: %w", p.File, err))
				return
			}
		}
	}
	if raw == nil {
		errs["preset"] = "请选择一个等级认定模板"
	}
	page := batchNewPage{Title: "新建认定批次", CSRF: u.CSRF, User: u.User.Name, Presets: assessmentPresets(), PhotoPresets: photoPresets,
		Levels: levelOptions(), Form: f, Rooms: blankRooms(typed, 4), Errors: errs}
	var ne store.NewEvent
	if len(errs) == 0 {
		if ne, err = NewBatchEvent(ev, raw); err != nil {
			errs["preset"] = skillscore.ErrorMessage(err)
		}
	}
	if len(errs) == 0 {
		created, _, err := st.CreateBatch(r.Context(), ne, b, rooms, u.User.Username)
		switch {
		case err == nil:
			s.log.Info("batch created", "event", created.Code, "batch", b.BatchNo, "by", u.User.Username)
			http.Redirect(w, r, noticeURL("/events/"+created.Code+"/batch", "batch-created"), http.StatusSeeOther)
			return
		case skillscore.ErrorCode(err) == skillscore.EConflict && strings.Contains(skillscore.ErrorMessage(err), "批次号"):
			errs["batch_no"] = skillscore.ErrorMessage(err)
		case skillscore.ErrorCode(err) == skillscore.EConflict:
			errs["code"] = skillscore.ErrorMessage(err)
		case HTTPStatus(err) < 500:
			page.Error = skillscore.ErrorMessage(err)
		default:
			s.fail(w, r, err)
			return
		}
	}
	w.WriteHeader(http.StatusBadRequest)
	s.render(w, r, "batchnew", page)
}

// NewBatchEvent is the event of a new assessment batch (kind assessment)
// from a rule document, an assessment template's or the office's own: the
// document's name, occupation, year and level are the event's, and it is
// fitted to a batch (batchRules) and validated as the set-up page does.
// The command line's batch new uses it too.
func NewBatchEvent(ev store.Event, rules []byte) (store.NewEvent, error) {
	ev.Kind, ev.Tier, ev.Class = "assessment", "", ""
	raw, err := batchRules(rules, ev.Level)
	if err != nil {
		return store.NewEvent{}, err
	}
	return newEventFromRules(ev, raw)
}

// AssessmentPreset is the rule document of an assessment template by its
// value ("" for the first), as the new-batch page offers them.
func AssessmentPreset(value string) ([]byte, error) {
	for _, p := range assessmentPresets() {
		if value == "" || p.Value == value {
			return examples.Files.ReadFile(p.File)
		}
	}
	return nil, skillscore.Errorf(skillscore.EInvalid, "没有等级认定模板 %q", value)
}

// batchRules fits an assessment template to a batch: one group of
// candidates when it names none, and a pass grants the batch's level
// (the template's promotion table may name another).
func batchRules(raw []byte, level levels.Level) ([]byte, error) {
	var doc scoring.Rules
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, skillscore.Wrap(skillscore.EInvalid, err, "评分规则文件不是有效的 JSON")
	}
	if doc.Kind != "" && doc.Kind != scoring.Assessment {
		return nil, skillscore.Errorf(skillscore.EInvalid, "评分规则是竞赛（%s）的，不是等级认定的", doc.Kind)
	}
	if len(doc.Groups) == 0 {
		doc.Groups = []scoring.Group{batchGroup}
	}
	if doc.Promotion != nil {
		for i := range doc.Promotion.Rules {
			if st := &doc.Promotion.Rules[i]; st.Passed && st.To != 0 {
				st.To = level
			}
		}
	}
	return json.Marshal(doc)
}

// parseRooms reads a form's rooms table (room.code, room.site, room.name,
// room.seats, one value per row): rows left empty are skipped. It returns
// the rooms, the rows as typed (to show again) and the first problem.
func parseRooms(f url.Values) ([]store.ExamRoom, []roomForm, string) {
	codes, sites, names, seats := f["room.code"], f["room.site"], f["room.name"], f["room.seats"]
	at := func(vs []string, i int) string {
		if i < len(vs) {
			return strings.TrimSpace(vs[i])
		}
		return ""
	}
	var rooms []store.ExamRoom
	var typed []roomForm
	problem := ""
	for i := 0; i < len(codes) || i < len(names); i++ {
		rf := roomForm{Code: at(codes, i), Site: at(sites, i), Name: at(names, i), Seats: at(seats, i)}
		if rf == (roomForm{}) {
			continue
		}
		typed = append(typed, rf)
		n, err := strconv.Atoi(rf.Seats)
		if err != nil && problem == "" {
			problem = fmt.Sprintf("考场 %s 的座位数“%s”不是整数", cmp.Or(rf.Code, rf.Name), rf.Seats)
		}
		rooms = append(rooms, store.ExamRoom{Code: rf.Code, Site: rf.Site, Name: rf.Name, Seats: n})
	}
	return rooms, typed, problem
}
