package web

import (
	"net/http"

	"skillscore/photos"
	"skillscore/store"
)

// batchPhotosPage is the data of templates/html/batchphotos.html.
type batchPhotosPage struct {
	Title, CSRF, User    string
	EventCode, EventName string
	Facts                batchFacts
	Enabled              bool // a photo store is configured
	People, WithPhoto    int
	// Missing names the candidates still without a photo (准考证号 and
	// name; never the 证件号码), the first MissingShown of them.
	Missing      []missingPhoto
	MissingCount int
	Report       *photoReport
}

type missingPhoto struct{ EntryNo, Name string }

// missingShown bounds the list of candidates without a photo on the page.
const missingShown = 200

func (s *Server) handleBatchPhotosPage(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, b store.Batch, st BatchStore) {
	s.renderBatchPhotos(w, r, u, ev, b, st, nil, http.StatusOK)
}

func (s *Server) renderBatchPhotos(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, b store.Batch, st BatchStore, rep *photos.Report, status int) {
	ctx := r.Context()
	people, err := st.SchedulePeople(ctx, ev.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	have, err := st.EventPhotos(ctx, ev.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	with := map[int64]bool{}
	for _, p := range have {
		with[p.ContestantID] = true
	}
	page := batchPhotosPage{Title: ev.Name + " · 考生照片", CSRF: u.CSRF, User: u.User.Name, EventCode: ev.Code, EventName: ev.Name,
		Facts: factsOf(ev, b), Enabled: s.photos != nil, People: len(people)}
	for _, p := range people {
		if with[p.ContestantID] {
			page.WithPhoto++
			continue
		}
		page.MissingCount++
		if len(page.Missing) < missingShown {
			page.Missing = append(page.Missing, missingPhoto{EntryNo: p.EntryNo, Name: p.Name})
		}
	}
	if rep != nil {
		page.Report = &photoReport{Report: *rep}
		// Refused files first: they are what the office acts on.
		for _, rejected := range []bool{true, false} {
			for _, f := range rep.Files {
				if (f.Status == photos.Rejected) != rejected {
					continue
				}
				page.Report.Rows = append(page.Report.Rows, photoRow{Status: photoStatusNames[f.Status], File: f.File,
					Holder: f.Holder, Reason: f.Reason, Rejected: rejected})
			}
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	if status != http.StatusOK {
		s.renderStatus(w, r, status, "batchphotos", page)
		return
	}
	s.render(w, r, "batchphotos", page)
}

// handleBatchPhotos takes a ZIP of candidates' photos (or one photo) named
// by 证件号码 or 准考证号, checks each file against the photo store's
// bounds and the batch's spec, stores the good ones and lists every file's
// outcome. The upload is bounded like every organizer upload (20 MB); a
// larger set goes in several ZIPs or through `skillscore photos import`.
func (s *Server) handleBatchPhotos(w http.ResponseWriter, r *http.Request, u *authed, ev store.Event, b store.Batch, st BatchStore) {
	rep, ok := s.importUploadedPhotos(w, r, ev, u.User.Username)
	if !ok {
		return
	}
	s.log.Info("batch photos", "event", ev.Code, "imported", rep.Imported, "replaced", rep.Replaced, "rejected", rep.Rejected, "by", u.User.Username)
	// As on the certificate page: the good files are in, each refused one
	// is listed with its reason.
	s.renderBatchPhotos(w, r, u, ev, b, st, rep, http.StatusOK)
}
