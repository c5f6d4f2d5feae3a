package web

import (
	"context"
	"net/http"
	"net/url"

	"skillscore"
	"skillscore/exports"
	"skillscore/store"
)

// Exporter builds the organizer's files; *exports.Exporter satisfies it.
type Exporter interface {
	Build(ctx context.Context, ev store.Event, what, actor string) (exports.File, error)
}

var _ Exporter = (*exports.Exporter)(nil)

// handleExport downloads one export of an event (results .xlsx or PDF, the
// promotion list, the audit trail).
func (s *Server) handleExport(w http.ResponseWriter, r *http.Request, a *authed) {
	if s.exports == nil {
		s.fail(w, r, skillscore.Errorf(skillscore.EUnavailable, "本服务未启用导出"))
		return
	}
	ev, err := s.store.EventByCode(r.Context(), r.PathValue("code"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f, err := s.exports.Build(r.Context(), ev, r.PathValue("what"), a.User.Username)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", f.ContentType)
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(f.Name))
	w.Header().Set("Cache-Control", "no-store")
	// A write error means the client went away.
	_, _ = w.Write(f.Data)
}
