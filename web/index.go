package web

import (
	"net/http"

	"skillscore/store"
)

type indexPage struct {
	Title  string
	Events []eventItem
}

type eventItem struct {
	Code, Name, Occupation, KindName, StatusName string
	Year                                         int
}

func eventItems(evs []store.Event) []eventItem {
	out := make([]eventItem, len(evs))
	for i, ev := range evs {
		out[i] = eventItem{Code: ev.Code, Name: ev.Name, Occupation: ev.Occupation, Year: ev.Year,
			KindName: nameOr(kindNames, ev.Kind), StatusName: nameOr(statusNames, ev.Status)}
	}
	return out
}

func (s *Server) handleIndex(w http.ResponseWriter, r *http.Request) {
	evs, err := s.store.Events(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, "index", indexPage{Title: "首页", Events: eventItems(evs)})
}

// handleAPIEvents lists events as JSON.
func (s *Server) handleAPIEvents(w http.ResponseWriter, r *http.Request) {
	evs, err := s.store.Events(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	type item struct {
		Code       string `json:"code"`
		Name       string `json:"name"`
		Kind       string `json:"kind"`
		Occupation string `json:"occupation"`
		Year       int    `json:"year"`
		Status     string `json:"status"`
		Revision   int64  `json:"revision"`
	}
	out := make([]item, len(evs))
	for i, ev := range evs {
		out[i] = item{ev.Code, ev.Name, ev.Kind, ev.Occupation, ev.Year, ev.Status, ev.Revision}
	}
	writeJSON(w, http.StatusOK, map[string]any{"events": out})
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, page string, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := s.tmpl.Render(w, page, data); err != nil {
		s.fail(w, r, err)
	}
}
