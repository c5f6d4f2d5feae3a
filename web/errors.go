package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"skillscore"
)

// statusOf is the one table from error codes to HTTP status.
var statusOf = map[string]int{
	skillscore.EInvalid:       http.StatusBadRequest,
	skillscore.ENotFound:      http.StatusNotFound,
	skillscore.EConflict:      http.StatusConflict,
	skillscore.EUnauthorized:  http.StatusUnauthorized,
	skillscore.EForbidden:     http.StatusForbidden,
	skillscore.ENotAdvanced:   http.StatusForbidden,
	skillscore.ETooLarge:      http.StatusRequestEntityTooLarge,
	skillscore.EUnprocessable: http.StatusUnprocessableEntity,
	skillscore.ERateLimited:   http.StatusTooManyRequests,
	skillscore.EUnavailable:   http.StatusServiceUnavailable,
	skillscore.EInternal:      http.StatusInternalServerError,
}

// HTTPStatus maps an error to its HTTP status.
func HTTPStatus(err error) int {
	if st, ok := statusOf[skillscore.ErrorCode(err)]; ok {
		return st
	}
	return http.StatusInternalServerError
}

// apiError is the JSON body of every API error.
type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// fail reports err to the client (JSON under /api/, a Chinese page
// elsewhere) and logs internal ones with their cause.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := HTTPStatus(err)
	var se *skillscore.Error
	if status >= 500 || !errors.As(err, &se) {
		s.log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "status", status, "err", err)
	}
	if strings.HasPrefix(r.URL.Path, "/api/") {
		var body apiError
		body.Error.Code = skillscore.ErrorCode(err)
		body.Error.Message = skillscore.ErrorMessage(err)
		writeJSON(w, status, body)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if rerr := s.tmpl.RenderChrome(w, "error", errorPage{Title: "出错了", Status: status, Message: skillscore.ErrorMessage(err)}, chrome(r)); rerr != nil {
		s.log.ErrorContext(r.Context(), "render error page", "err", rerr)
	}
}

type errorPage struct {
	Title   string
	Status  int
	Message string
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	// An encode error here means the client went away; there is no one to tell.
	_ = enc.Encode(v)
}
