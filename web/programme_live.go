package web

import (
	"net/http"
	"strconv"

	"skillscore"
)

type programmeLivePage struct {
	Title, Code, Name string
}

func (s *Server) programmeLivePage(w http.ResponseWriter, r *http.Request, page string) {
	if s.live.svc == nil {
		s.fail(w, r, skillscore.Errorf(skillscore.EUnavailable, "本服务未启用实时成绩"))
		return
	}
	pa, err := s.programmeAdmin()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p, err := pa.ProgrammeByCode(r.Context(), r.PathValue("programme"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, page, programmeLivePage{Title: p.Name, Code: p.Code, Name: p.Name})
}

// handleProgrammePhone is the public overview for phones: every 赛项's
// status and the delegation table.
func (s *Server) handleProgrammePhone(w http.ResponseWriter, r *http.Request) {
	s.programmeLivePage(w, r, "programmephone")
}

// handleProgrammeBigScreen is the hall's 1920×1080 programme screen.
func (s *Server) handleProgrammeBigScreen(w http.ResponseWriter, r *http.Request) {
	s.programmeLivePage(w, r, "programmescreen")
}

// handleProgrammeBoard is the programme board as JSON. With ?since=ETAG
// (the version the viewer has) it is a long poll: the answer comes when the
// board changes, or after programmeWait with the same version. Every viewer
// gets the same bytes, encoded once per change.
func (s *Server) handleProgrammeBoard(w http.ResponseWriter, r *http.Request) {
	if s.live.svc == nil {
		s.fail(w, r, skillscore.Errorf(skillscore.EUnavailable, "本服务未启用实时成绩"))
		return
	}
	since := r.URL.Query().Get("since")
	if len(since) > 64 {
		s.fail(w, r, skillscore.Errorf(skillscore.EInvalid, "since 参数过长"))
		return
	}
	wait := programmeWait
	if since == "" {
		wait = 0
	}
	data, etag, err := s.live.svc.ProgrammeBoard(r.Context(), r.PathValue("programme"), since, wait)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	h := w.Header()
	h.Set("ETag", etag)
	if since == "" {
		// Like the event board: a front cache absorbs a hall of phones.
		h.Set("Cache-Control", "public, max-age=1, stale-while-revalidate=2")
	} else {
		h.Set("Cache-Control", "no-store")
	}
	if match := r.Header.Get("If-None-Match"); match != "" && match == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(data)))
	w.Write(data)
}

// handleProgrammeSocket is the programme board's websocket: the board, then
// each change as an update of the lines that changed, one frame shared by
// every viewer (docs/programme.md). ?epoch=E&since=V resumes where a viewer
// left off; V is the version of the long poll's ETag "E-V", so a page can
// move between the two without starting over. The board is the long poll's
// very board: what it seals, this seals.
func (s *Server) handleProgrammeSocket(w http.ResponseWriter, r *http.Request) {
	if s.live.svc == nil {
		s.fail(w, r, skillscore.Errorf(skillscore.EUnavailable, "本服务未启用实时成绩"))
		return
	}
	epoch, since, err := resumeAt(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	feed, err := s.live.svc.ProgrammeFeed(r.Context(), r.PathValue("programme"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	conn, err := s.live.upgrader.Upgrade(hijacker(w), r, nil)
	if err != nil {
		return // the upgrader has answered with an HTTP error
	}
	// The live service owns the connection from here, as for the event
	// board: the request's memory goes while the viewer watches.
	feed.Attach(conn, epoch, since)
}
