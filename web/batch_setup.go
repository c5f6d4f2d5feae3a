package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"skillscore"
	"skillscore/store"
)

// batchSetupPage is the data of templates/html/batchsetup.html.
type batchSetupPage struct {
	Title, CSRF, User, Message string
	EventCode, EventName       string
	Facts                      batchFacts
	// Form holds the batch's details as typed; Rooms its rooms (and empty
	// rows to add more).
	Form          url.Values
	Rooms         []roomForm
	Seated        int
	FormError     string
	RoomsError    string
	EventSetupURL string
}

func (s *Server) handleBatchSetupPage(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, b store.Batch, st BatchStore) {
	s.renderBatchSetup(w, r, u, ev, b, st, nil, nil, "", "", http.StatusOK)
}

// renderBatchSetup shows the set-up page; form and rooms are what was typed
// after a refusal (nil: the stored values).
func (s *Server) renderBatchSetup(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, b store.Batch, st BatchStore,
	form url.Values, rooms []roomForm, formErr, roomsErr string, status int) {
	ctx := r.Context()
	page := batchSetupPage{Title: ev.Name + " · 批次设置", CSRF: u.CSRF, User: u.User.Name, Message: r.URL.Query().Get("msg"),
		EventCode: ev.Code, EventName: ev.Name, Facts: factsOf(ev, b), Form: form, FormError: formErr, RoomsError: roomsErr,
		EventSetupURL: "/events/" + ev.Code + "/setup"}
	if form == nil {
		n := func(v int) string {
			if v == 0 {
				return ""
			}
			return strconv.Itoa(v)
		}
		page.Form = url.Values{"batch_no": {b.BatchNo}, "ends_on": {b.EndsOn}, "publicity_days": {strconv.Itoa(b.PublicityDays)},
			"retake_months": {strconv.Itoa(b.RetakeMonths)}, "photo_min_width": {n(b.MinWidth)}, "photo_min_height": {n(b.MinHeight)},
			"photo_max_width": {n(b.MaxWidth)}, "photo_max_height": {n(b.MaxHeight)}, "photo_kb": {n(b.MaxKB)}}
	}
	if rooms == nil {
		stored, err := st.ExamRooms(ctx, ev.ID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for _, x := range stored {
			rooms = append(rooms, roomForm{Code: x.Code, Site: x.Site, Name: x.Name, Seats: strconv.Itoa(x.Seats)})
		}
	}
	page.Rooms = blankRooms(rooms, len(rooms)+3)
	prog, err := st.BatchProgressOf(ctx, ev.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page.Seated = prog.Seated.Total()
	w.Header().Set("Cache-Control", "no-store")
	if status != http.StatusOK {
		s.renderStatus(w, r, status, "batchsetup", page)
		return
	}
	s.render(w, r, "batchsetup", page)
}

// handleBatchSave saves the batch's details: number, last day, 公示 and
// 补考 periods and the photo spec.
func (s *Server) handleBatchSave(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, b store.Batch, st BatchStore) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, skillscore.Errorf(skillscore.EInvalid, "表单无法解析"))
		return
	}
	f := r.PostForm
	get := func(k string) string { return strings.TrimSpace(f.Get(k)) }
	var bad []string
	num := func(k, what string) int {
		v := get(k)
		if v == "" {
			return 0
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			bad = append(bad, what+"“"+v+"”不是整数")
		}
		return n
	}
	nb := store.Batch{EventID: ev.ID, BatchNo: get("batch_no"), EndsOn: get("ends_on"),
		PublicityDays: num("publicity_days", "公示期"), RetakeMonths: num("retake_months", "补考有效期"),
		PhotoSpec: store.PhotoSpec{MinWidth: num("photo_min_width", "照片最小宽度"), MinHeight: num("photo_min_height", "照片最小高度"),
			MaxWidth: num("photo_max_width", "照片最大宽度"), MaxHeight: num("photo_max_height", "照片最大高度"), MaxKB: num("photo_kb", "照片大小上限")}}
	var err error
	if len(bad) > 0 {
		err = skillscore.Errorf(skillscore.EInvalid, "%s", strings.Join(bad, "；"))
	} else {
		_, err = st.SaveBatch(r.Context(), nb, u.User.Username)
	}
	if err != nil {
		if HTTPStatus(err) >= 500 {
			s.fail(w, r, err)
			return
		}
		s.renderBatchSetup(w, r, u, ev, b, st, f, nil, skillscore.ErrorMessage(err), "", HTTPStatus(err))
		return
	}
	http.Redirect(w, r, noticeURL("/events/"+ev.Code+"/batch/setup", "batch-saved"), http.StatusSeeOther)
}

// handleBatchRooms replaces the batch's exam rooms (refused while anyone is
// seated: the seating is withdrawn first).
func (s *Server) handleBatchRooms(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, b store.Batch, st BatchStore) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, skillscore.Errorf(skillscore.EInvalid, "表单无法解析"))
		return
	}
	rooms, typed, problem := parseRooms(r.PostForm)
	var err error
	switch {
	case problem != "":
		err = skillscore.Errorf(skillscore.EInvalid, "%s", problem)
	case len(rooms) == 0:
		err = skillscore.Errorf(skillscore.EInvalid, "请至少填写一个考场")
	default:
		err = st.SetExamRooms(r.Context(), ev.ID, rooms, u.User.Username)
	}
	if err != nil {
		if HTTPStatus(err) >= 500 {
			s.fail(w, r, err)
			return
		}
		s.renderBatchSetup(w, r, u, ev, b, st, nil, typed, "", skillscore.ErrorMessage(err), HTTPStatus(err))
		return
	}
	seats := 0
	for _, x := range rooms {
		seats += x.Seats
	}
	http.Redirect(w, r, noticeURL("/events/"+ev.Code+"/batch/setup", "batch-rooms-saved", len(rooms), seats), http.StatusSeeOther)
}
