package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"skillscore"
	"skillscore/idnumber"
	"skillscore/store"
)

// PersonalViews is what a full view of one person's numbers needs: the
// person, opened, and the audit entry that records who saw them and why.
type PersonalViews interface {
	Contestant(ctx context.Context, eventID, id int64) (store.Contestant, error)
	RecordPersonalAccess(ctx context.Context, a store.PersonalAccess) error
}

// revealPages are the organizer's pages that show masked numbers with a
// 查看 button; the audit entry names the page.
var revealPages = map[string]bool{"roster": true, "certificates": true}

// handleReveal shows one contestant's full 证件号码 and phone to the
// organizer, after writing who asked, on which page and why into the audit
// trail. Pages show numbers masked; this is the only way to see one whole.
// The answer is never cached.
func (s *Server) handleReveal(w http.ResponseWriter, r *http.Request, u *authed) {
	ev, ok := s.pathEvent(w, r, s.personal != nil, "本服务未启用个人信息查看")
	if !ok {
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.fail(w, r, skillscore.Errorf(skillscore.ENotFound, "本赛事没有该选手"))
		return
	}
	page := r.PostFormValue("page")
	if !revealPages[page] {
		s.fail(w, r, skillscore.Errorf(skillscore.EInvalid, "未知的页面 %q", page))
		return
	}
	ctx := r.Context()
	c, err := s.personal.Contestant(ctx, ev.ID, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.personal.RecordPersonalAccess(ctx, store.PersonalAccess{EventID: ev.ID, Actor: u.User.Username, Kind: "reveal",
		What: page, Contestants: []int64{c.ID}, Reason: r.PostFormValue("reason")}); err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]string{"id_type": c.IDType, "id_number": c.IDNumber, "phone": c.Phone})
}

// maskPhone hides the middle of a phone number: 139****0001, 0791-****1234.
func maskPhone(p string) string {
	r := []rune(strings.TrimSpace(p))
	if len(r) == 0 {
		return ""
	}
	if len(r) <= 7 {
		return "****"
	}
	keepHead := 3
	if i := strings.IndexRune(string(r), '-'); i > 0 && i < 6 {
		keepHead = len([]rune(string(r)[:i])) + 1 // the area code and its hyphen
	}
	out := make([]rune, len(r))
	for i := range r {
		if i < keepHead || i >= len(r)-4 {
			out[i] = r[i]
		} else {
			out[i] = '*'
		}
	}
	return string(out)
}

// maskID is the organizer pages' form of a 证件号码 (the public pages' too);
// "" for a number purged at the end of its retention period, which has
// nothing left to show and so no 查看.
func maskID(id string) string {
	if id == "" {
		return ""
	}
	return idnumber.Mask(id)
}
