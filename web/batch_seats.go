package web

import (
	"cmp"
	"net/http"
	"net/url"
	"strings"

	"skillscore"
	"skillscore/seating"
	"skillscore/store"
)

// batchSeatsPage is the data of templates/html/batchseats.html.
type batchSeatsPage struct {
	Title, CSRF, User, Message string
	EventCode, EventName       string
	Facts                      batchFacts
	People, Seats              int
	// Short is how many seats are missing for everyone to sit (0: enough).
	Short  int
	Rooms  []seatRoom
	Parts  []partForm
	Method string
	Seed   string
	Error  string
	// Seating is the latest seating, nil before the first.
	Seating    *store.Seating
	MethodName string
}

// seatRoom is a room with its candidates in seat order.
type seatRoom struct {
	roomUse
	Venue   string
	Entries []seatEntry
}

type seatEntry struct{ Seat, EntryNo, Name string }

// partForm is one module's sitting as the form shows it.
type partForm struct {
	Module, Name, Part, PartName string
	Day, Starts, Ends            string
	// SessionCode is the session this part gets in the first room.
	SessionCode string
}

var partNames = map[string]string{"theory": "理论", "practical": "实操", "review": "综合评审"}

func (s *Server) handleBatchSeatsPage(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, b store.Batch, st BatchStore) {
	s.renderBatchSeats(w, r, u, ev, b, st, nil, "", http.StatusOK)
}

// renderBatchSeats shows the seating page; form is what was typed after a
// refusal (nil: the latest seating's sittings, or a proposal).
func (s *Server) renderBatchSeats(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, b store.Batch, st BatchStore,
	form url.Values, errMsg string, status int) {
	ctx := r.Context()
	rooms, err := st.ExamRooms(ctx, ev.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	people, err := st.SchedulePeople(ctx, ev.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	mods, err := st.Modules(ctx, ev.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := batchSeatsPage{Title: ev.Name + " · 考场座位", CSRF: u.CSRF, User: u.User.Name, Message: r.URL.Query().Get("msg"),
		EventCode: ev.Code, EventName: ev.Name, Facts: factsOf(ev, b), People: len(people), Error: errMsg, Method: seating.ByEntryNo}
	rec, seats, err := st.SeatingOf(ctx, ev.ID)
	switch {
	case err == nil:
		page.Seating, page.MethodName, page.Method = &rec, seating.MethodName(rec.Method), rec.Method
	case skillscore.ErrorCode(err) != skillscore.ENotFound:
		s.fail(w, r, err)
		return
	}
	uses, total, _ := roomUses(rooms, seats)
	page.Seats = total
	page.Short = max(0, len(people)-total)
	who := map[int64][2]string{}
	for _, p := range people {
		who[p.ContestantID] = [2]string{p.EntryNo, p.Name}
	}
	byRoom := map[int64][]seatEntry{}
	for _, a := range seats {
		w := who[a.ContestantID]
		byRoom[a.RoomID] = append(byRoom[a.RoomID], seatEntry{Seat: a.Seat, EntryNo: w[0], Name: w[1]})
	}
	for _, x := range uses {
		page.Rooms = append(page.Rooms, seatRoom{roomUse: x, Venue: seating.Venue(seating.Room{Site: x.Site, Name: x.Name}), Entries: byRoom[x.ID]})
	}
	// The sittings: as typed, else as last seated, else a proposal (the
	// theory in the morning of the first day, practical parts after).
	last := map[string]seating.Sitting{}
	if page.Seating != nil {
		for _, p := range page.Seating.Parts() {
			last[p.Module] = p
		}
	}
	for i, m := range mods {
		pf := partForm{Module: m.Code, Name: m.Name, Part: m.Kind, PartName: partNames[m.Kind]}
		if len(rooms) > 0 {
			pf.SessionCode = seating.SessionCode(rooms[0].Code, m.Code)
		}
		switch p, ok := last[m.Code]; {
		case form != nil:
			pf.Day, pf.Starts, pf.Ends = form.Get("day."+m.Code), form.Get("starts."+m.Code), form.Get("ends."+m.Code)
		case ok:
			pf.Day, pf.Starts, pf.Ends = p.Day, p.Starts, p.Ends
		case page.Seating == nil && m.Kind == "theory":
			pf.Day, pf.Starts, pf.Ends = ev.StartsOn, "09:00", "10:30"
		case page.Seating == nil && m.Kind == "practical":
			pf.Day, pf.Starts, pf.Ends = ev.StartsOn, "13:30", "15:30"
			if i > 0 && mods[i-1].Kind == "practical" {
				pf.Day = cmp.Or(b.EndsOn, ev.StartsOn) // a second practical part: the next day
			}
		}
		page.Parts = append(page.Parts, pf)
	}
	if form != nil {
		page.Method, page.Seed = form.Get("method"), form.Get("seed")
	} else if page.Seating != nil {
		page.Seed = page.Seating.Seed
	}
	w.Header().Set("Cache-Control", "no-store")
	if status != http.StatusOK {
		s.renderStatus(w, r, status, "batchseats", page)
		return
	}
	s.render(w, r, "batchseats", page)
}

// handleBatchSeats seats every candidate (giving missing 准考证号 first)
// and makes a session per room and sitting: in 准考证号 order, or shuffled
// from a seed (typed, or a fresh one, recorded either way). A refusal
// (seats run out, a day outside the batch, two sittings at once) shows the
// page again with its reason and what was typed; nothing is stored.
func (s *Server) handleBatchSeats(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, b store.Batch, st BatchStore) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, skillscore.Errorf(skillscore.EInvalid, "表单无法解析"))
		return
	}
	f := r.PostForm
	mods, err := st.Modules(r.Context(), ev.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var sits []seating.Sitting
	for _, m := range mods {
		day := strings.TrimSpace(f.Get("day." + m.Code))
		if day == "" {
			continue // this part is not sat in the rooms (综合评审, say)
		}
		sits = append(sits, seating.Sitting{Module: m.Code, Day: day, Starts: strings.TrimSpace(f.Get("starts." + m.Code)),
			Ends: strings.TrimSpace(f.Get("ends." + m.Code))})
	}
	method := f.Get("method")
	seed := strings.TrimSpace(f.Get("seed"))
	rec, err := st.AssignSeats(r.Context(), ev.ID, method, seed, sits, u.User.Username)
	if err != nil {
		if HTTPStatus(err) >= 500 {
			s.fail(w, r, err)
			return
		}
		s.renderBatchSeats(w, r, u, ev, b, st, f, skillscore.ErrorMessage(err), HTTPStatus(err))
		return
	}
	s.log.Info("batch seated", "event", ev.Code, "seated", rec.Seated, "method", rec.Method, "by", u.User.Username)
	key := "batch-seated"
	if rec.Method == seating.BySeed {
		key = "batch-seated-seed"
	}
	http.Redirect(w, r, noticeURL("/events/"+ev.Code+"/batch/seats", key, rec.Seated), http.StatusSeeOther)
}

// handleBatchSeatsWithdraw withdraws the seating and its sessions, so the
// rooms may change; refused once 检录 has begun.
func (s *Server) handleBatchSeatsWithdraw(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, b store.Batch, st BatchStore) {
	if err := st.WithdrawSeating(r.Context(), ev.ID, u.User.Username); err != nil {
		if HTTPStatus(err) >= 500 {
			s.fail(w, r, err)
			return
		}
		s.renderBatchSeats(w, r, u, ev, b, st, nil, skillscore.ErrorMessage(err), HTTPStatus(err))
		return
	}
	http.Redirect(w, r, noticeURL("/events/"+ev.Code+"/batch/seats", "batch-seating-withdrawn"), http.StatusSeeOther)
}
