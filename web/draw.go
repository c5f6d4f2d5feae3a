package web

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"skillscore"
	"skillscore/certificates"
	"skillscore/draw"
	"skillscore/sheets"
	"skillscore/store"
)

// DrawStore is what the organizer's draw page needs. The judging store
// provides it (the same *store.Store), so it is found on Config.Judging
// rather than wired separately.
type DrawStore interface {
	Draw(ctx context.Context, eventID int64, layer int, seed, actor string) (store.DrawRecord, error)
	DrawState(ctx context.Context, eventID int64) (store.DrawState, error)
	Decrypt(ctx context.Context, eventID int64, actor string) (store.Time, error)
}

func (s *Server) drawStore() (DrawStore, error) {
	ds, ok := s.judging.(DrawStore)
	if !ok {
		return nil, skillscore.Errorf(skillscore.EUnavailable, "抽签功能未启用")
	}
	return ds, nil
}

type drawPage struct {
	Title, CSRF, EventCode, EventName, User, Message string
	State                                            store.DrawState
	Layer1, Layer2                                   *store.DrawRecord
	Decrypted                                        string
}

func (s *Server) handleDrawPage(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	ds, err := s.drawStore()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	st, err := ds.DrawState(r.Context(), ev.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := drawPage{Title: ev.Name + " · 抽签加密", CSRF: u.CSRF, EventCode: ev.Code, EventName: ev.Name,
		User: u.User.Name, Message: r.URL.Query().Get("msg"), State: st}
	for i := range st.Draws {
		if st.Draws[i].Layer == 1 {
			page.Layer1 = &st.Draws[i]
		} else {
			page.Layer2 = &st.Draws[i]
		}
	}
	if st.DecryptedAt.Valid() {
		page.Decrypted = st.DecryptedAt.In(skillscore.China()).Format("2006-01-02 15:04:05")
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, "draw", page)
}

// handleDraw runs a draw layer; an empty seed field means a fresh random seed.
func (s *Server) handleDraw(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	ds, err := s.drawStore()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	layer, err := strconv.Atoi(r.PostFormValue("layer"))
	if err != nil {
		s.fail(w, r, skillscore.Errorf(skillscore.EInvalid, "抽签层次只能是 1（第一次加密）或 2（二次加密）"))
		return
	}
	seed := strings.TrimSpace(r.PostFormValue("seed"))
	if seed == "" {
		if seed, err = draw.NewSeed(); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	rec, err := ds.Draw(r.Context(), ev.ID, layer, seed, u.User.Username)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.log.Info("draw", "event", ev.Code, "layer", rec.Layer, "by", u.User.Username)
	http.Redirect(w, r, noticeURL("/events/"+ev.Code+"/draw", "draw-done", rec.Layer), http.StatusSeeOther)
}

func (s *Server) handleDecrypt(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	ds, err := s.drawStore()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if _, err := ds.Decrypt(r.Context(), ev.ID, u.User.Username); err != nil {
		s.fail(w, r, err)
		return
	}
	s.log.Info("decrypt", "event", ev.Code, "by", u.User.Username)
	http.Redirect(w, r, noticeURL("/events/"+ev.Code+"/draw", "decrypted"), http.StatusSeeOther)
}

// handleDrawSheet prints the sealed draw sheet (names and 单位 included).
func (s *Server) handleDrawSheet(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event) {
	ds, err := s.drawStore()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	st, err := ds.DrawState(r.Context(), ev.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if len(st.Draws) == 0 {
		s.fail(w, r, skillscore.Errorf(skillscore.EConflict, "本赛事尚未抽签，没有抽签结果表"))
		return
	}
	fonts, err := certificates.LoadFonts(s.fonts[0], s.fonts[1])
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := sheets.WriteDrawSheet(&buf, fonts, sheets.DrawSheetFor(ev, st, time.Now())); err != nil {
		s.fail(w, r, err)
		return
	}
	s.log.Info("draw sheet printed", "event", ev.Code, "by", u.User.Username)
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`inline; filename="draw-%s.pdf"`, ev.Code))
	// A write error means the client went away.
	_, _ = buf.WriteTo(w)
}
