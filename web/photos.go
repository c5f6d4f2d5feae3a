package web

import (
	"bytes"
	"context"
	"io"
	"net/http"

	"skillscore"
	"skillscore/imports"
	"skillscore/photos"
	"skillscore/store"
)

// PhotoAdmin imports holders' photos into the photo store (package photos),
// where files are named by opaque ids, never by 证件号码.
type PhotoAdmin interface {
	Import(ctx context.Context, eventID int64, src *photos.Source, opts photos.Options) (*photos.Report, error)
}

// photoReport is an upload's outcome as the certificate page shows it.
type photoReport struct {
	photos.Report
	Rows []photoRow
}

type photoRow struct {
	Status, File, Holder, Reason string
	Rejected                     bool
}

var photoStatusNames = map[string]string{
	photos.Imported: "已导入", photos.Replaced: "已替换", photos.Unchanged: "未变", photos.Rejected: "不合格",
}

// handlePhotoUpload takes a ZIP of photos, or one photo, named by 证件号码
// or 参赛编号, stores the good ones and shows the certificate page with
// each file's outcome. The upload is bounded like every organizer upload
// (20 MB); a larger set goes in several ZIPs or through photos import.
func (s *Server) handlePhotoUpload(w http.ResponseWriter, r *http.Request, u *authed) {
	ev, ok := s.needCertificates(w, r)
	if !ok {
		return
	}
	rep, ok := s.importUploadedPhotos(w, r, ev, u.User.Username)
	if !ok {
		return
	}
	page, err := s.certificatesPage(r, u, ev)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page.Photos = &photoReport{Report: *rep}
	for _, f := range rep.Files {
		page.Photos.Rows = append(page.Photos.Rows, photoRow{Status: photoStatusNames[f.Status], File: f.File,
			Holder: f.Holder, Reason: f.Reason, Rejected: f.Status == photos.Rejected})
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, "certificates", page)
}

// importUploadedPhotos reads the request's "file" (a ZIP of photos or one
// photo), bounded like every organizer upload (20 MB; a larger set goes in
// several ZIPs or through photos import), and imports it. On an error it
// has answered the request and reports false.
func (s *Server) importUploadedPhotos(w http.ResponseWriter, r *http.Request, ev store.Event, actor string) (*photos.Report, bool) {
	if s.photos == nil {
		s.fail(w, r, skillscore.Errorf(skillscore.EUnavailable, "本服务未配置照片库"))
		return nil, false
	}
	f, hdr, err := r.FormFile("file")
	if err != nil {
		s.fail(w, r, skillscore.Wrap(skillscore.EInvalid, err, "请选择要上传的照片压缩包（.zip）或照片"))
		return nil, false
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, imports.MaxFileBytes+1))
	if err != nil {
		s.fail(w, r, skillscore.Wrap(skillscore.EInvalid, err, "文件无法读取，请重新上传"))
		return nil, false
	}
	if len(data) > imports.MaxFileBytes {
		s.fail(w, r, skillscore.Errorf(skillscore.ETooLarge, "文件超过 %d MB 上限：请分成几个压缩包上传，或用 skillscore photos import 导入", imports.MaxFileBytes>>20))
		return nil, false
	}
	src := photos.FileBytes(hdr.Filename, data)
	if bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		if src, err = photos.ZipBytes(r.Context(), hdr.Filename, data); err != nil {
			s.fail(w, r, err)
			return nil, false
		}
	}
	rep, err := s.photos.Import(r.Context(), ev.ID, src, photos.Options{Actor: actor})
	if err != nil {
		s.fail(w, r, err)
		return nil, false
	}
	return rep, true
}
