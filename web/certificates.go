package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"skillscore"
	"skillscore/certificates"
	"skillscore/store"
)

// CertificateAdmin is what the organizer's certificate pages need.
type CertificateAdmin interface {
	List(ctx context.Context, eventID int64) ([]store.Certificate, error)
	Revoke(ctx context.Context, number, reason, actor string) (certificates.View, error)
	StartBatch(eventID int64, actor string) error
	BatchStatus(eventID int64) (certificates.BatchStatus, bool)
	BatchFile(eventID int64, name string) (string, error)
	RenderOne(ctx context.Context, eventID int64, number string) (certificates.Document, []byte, error)
	AssetNames() (names []string, present map[string]bool)
	SaveAsset(name string, data []byte) error
	Numbering() certificates.Numbering
}

// certificatesPage is the data of templates/html/certificates.html.
type certificatesPage struct {
	Title     string
	EventCode string
	EventName string
	User      string
	CSRF      string
	Message   string
	Rows      []certificateRow
	Batch     *certificates.BatchStatus
	Files     []string
	Assets    []assetRow
	// PhotoUpload shows the photo upload (a photo store is configured);
	// Photos is the outcome of the upload just made.
	PhotoUpload bool
	Photos      *photoReport
	// BodyUnset says why level certificates cannot be issued (the
	// 评价机构代码 or 序列码 is not set); DemoBody shows the demo's stand-in
	// codes, which its level certificates carry.
	BodyUnset string
	DemoBody  string
	// ApprovalRefused says why an assessment batch's level certificates
	// cannot be issued yet (the supervising office has not approved it).
	ApprovalRefused string
}

type assetRow struct {
	Name, Label string
	Present     bool
}

// assetLabels names the layouts' images in Chinese.
var assetLabels = map[string]string{
	"seal.png":             "印章（透明背景 PNG）",
	"level-background.png": "职业技能等级证书底图",
	"award-background.png": "获奖证书底图",
}

type certificateRow struct {
	ContestantID                                     int64
	Number, KindName, Name, IDType, IDMasked, Issued string
	Revoked                                          bool
	RevokedOn, Reason                                string
	Demo                                             bool // numbered with the demo's stand-in body codes
}

func (s *Server) needCertificates(w http.ResponseWriter, r *http.Request) (store.Event, bool) {
	return s.pathEvent(w, r, s.certs != nil, "本服务未启用证书管理")
}

// handleCertificates is the organizer's certificate page: every issued
// certificate (holders' numbers masked; 查看 shows one, audited),
// revocation, and the batch with its progress and downloads.
func (s *Server) handleCertificates(w http.ResponseWriter, r *http.Request, u *authed) {
	ev, ok := s.needCertificates(w, r)
	if !ok {
		return
	}
	page, err := s.certificatesPage(r, u, ev)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, "certificates", page)
}

// certificatesPage gathers the certificate page's data (the photo upload
// shows the same page with its outcome).
func (s *Server) certificatesPage(r *http.Request, u *authed, ev store.Event) (certificatesPage, error) {
	list, err := s.certs.List(r.Context(), ev.ID)
	if err != nil {
		return certificatesPage{}, err
	}
	page := certificatesPage{Title: "证书管理", EventCode: ev.Code, EventName: ev.Name, User: u.User.Name, CSRF: u.CSRF,
		Message: r.URL.Query().Get("msg"), PhotoUpload: s.photos != nil}
	numbering := s.certs.Numbering()
	if err := numbering.RequireBody(); err != nil {
		page.BodyUnset = skillscore.ErrorMessage(err)
	} else if numbering.Demo {
		page.DemoBody = strings.Join([]string{numbering.Letter, numbering.BodyCode, numbering.Province, numbering.BodySerial}, " ")
	}
	for _, c := range list {
		row := certificateRow{ContestantID: c.ContestantID, Number: c.Number, KindName: "获奖证书", Name: c.Name, IDType: c.IDType,
			IDMasked: maskID(c.IDNumber), Issued: c.IssuedAt.In(skillscore.China()).Format("2006-01-02"), Revoked: c.Revoked(), Reason: c.RevokedReason}
		if c.Kind == certificates.KindLevel {
			row.KindName = "职业技能等级证书"
			row.Demo = numbering.Demo && numbering.Numbers(c.Number)
		}
		if c.Revoked() {
			row.RevokedOn = c.RevokedAt.In(skillscore.China()).Format("2006-01-02")
		}
		page.Rows = append(page.Rows, row)
	}
	if ev.Kind == "assessment" && s.judging != nil {
		page.ApprovalRefused = refusal(s.requireApproval(r.Context(), ev))
	}
	names, present := s.certs.AssetNames()
	for _, n := range names {
		page.Assets = append(page.Assets, assetRow{Name: n, Label: nameOr(assetLabels, n), Present: present[n]})
	}
	if st, ok := s.certs.BatchStatus(ev.ID); ok {
		page.Batch = &st
		if st.State == "done" {
			page.Files = []string{certificates.BatchZip, certificates.BatchCombined}
		}
	}
	return page, nil
}

// handleCertificateBatch starts issuing and rendering an event's
// certificates in the background.
func (s *Server) handleCertificateBatch(w http.ResponseWriter, r *http.Request, u *authed) {
	ev, ok := s.needCertificates(w, r)
	if !ok {
		return
	}
	if err := s.requireFinal(r.Context(), ev.ID); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.requireApproval(r.Context(), ev); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.certs.StartBatch(ev.ID, u.User.Username); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/events/"+ev.Code+"/certificates", http.StatusSeeOther)
}

// handleCertificateBatchStatus is the batch's progress as JSON, which the
// page polls.
func (s *Server) handleCertificateBatchStatus(w http.ResponseWriter, r *http.Request, _ *authed) {
	ev, ok := s.needCertificates(w, r)
	if !ok {
		return
	}
	st, ok := s.certs.BatchStatus(ev.ID)
	if !ok {
		s.fail(w, r, skillscore.Errorf(skillscore.ENotFound, "本赛事尚未开始生成证书"))
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, st)
}

// handleCertificateFile downloads a finished batch's ZIP or printable PDF.
func (s *Server) handleCertificateFile(w http.ResponseWriter, r *http.Request, u *authed) {
	ev, ok := s.needCertificates(w, r)
	if !ok {
		return
	}
	name := r.PathValue("name")
	path, err := s.certs.BatchFile(ev.ID, name)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	list, err := s.certs.List(r.Context(), ev.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.recordCertificateExport(r.Context(), ev.ID, u.User.Username, "certificates-"+name, list); err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-%s"`, ev.Code, name))
	http.ServeFile(w, r, path)
}

// handleRevokeCertificate withdraws a certificate with the organizer's
// reason; the verification page shows it at once.
func (s *Server) handleRevokeCertificate(w http.ResponseWriter, r *http.Request, u *authed) {
	ev, ok := s.needCertificates(w, r)
	if !ok {
		return
	}
	number := r.PathValue("number")
	list, err := s.certs.List(r.Context(), ev.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	found := false
	for _, c := range list {
		found = found || c.Number == number
	}
	if !found {
		s.fail(w, r, skillscore.Errorf(skillscore.ENotFound, "证书 %s 不属于本赛事", number))
		return
	}
	if _, err := s.certs.Revoke(r.Context(), number, r.PostFormValue("reason"), u.User.Username); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, noticeURL("/events/"+ev.Code+"/certificates", "cert-revoked"), http.StatusSeeOther)
}

// handleCertificatePDF downloads one certificate as PDF.
func (s *Server) handleCertificatePDF(w http.ResponseWriter, r *http.Request, u *authed) {
	ev, ok := s.needCertificates(w, r)
	if !ok {
		return
	}
	d, pdf, err := s.certs.RenderOne(r.Context(), ev.ID, r.PathValue("number"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	list, err := s.certs.List(r.Context(), ev.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var one []store.Certificate
	for _, c := range list {
		if c.Number == d.Facts.Number {
			one = append(one, c)
		}
	}
	if err := s.recordCertificateExport(r.Context(), ev.ID, u.User.Username, "certificate-pdf", one); err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(certificates.FileName(d)))
	w.Header().Set("Cache-Control", "no-store")
	// A write error means the client went away.
	_, _ = w.Write(pdf)
}

// handleCertificateAsset stores an uploaded seal or background image.
func (s *Server) handleCertificateAsset(w http.ResponseWriter, r *http.Request, _ *authed) {
	ev, ok := s.needCertificates(w, r)
	if !ok {
		return
	}
	f, _, err := r.FormFile("file")
	if err != nil {
		s.fail(w, r, skillscore.Wrap(skillscore.EInvalid, err, "请选择要上传的图片"))
		return
	}
	defer f.Close()
	// One byte over the limit is enough to refuse it.
	data, err := io.ReadAll(io.LimitReader(f, 5<<20+1))
	if err != nil {
		s.fail(w, r, skillscore.Wrap(skillscore.EInvalid, err, "图片无法读取"))
		return
	}
	name := r.FormValue("name")
	if err := s.certs.SaveAsset(name, data); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, noticeURL("/events/"+ev.Code+"/certificates", "asset-"+strings.TrimSuffix(name, ".png")), http.StatusSeeOther)
}

// recordCertificateExport records a download of certificate PDFs as a full
// view of their holders' numbers: a level certificate prints the whole
// 证件号码 (templates/certificates/level.json). Award certificates print
// none, so a file of them alone records nothing. Without the audit there
// is no download.
func (s *Server) recordCertificateExport(ctx context.Context, eventID int64, actor, what string, certs []store.Certificate) error {
	ids := certificates.LevelHolders(certs)
	if len(ids) == 0 {
		return nil
	}
	if s.personal == nil {
		return skillscore.Errorf(skillscore.EUnavailable, "本服务未启用个人信息审计，不能下载含完整证件号码的证书")
	}
	return s.personal.RecordPersonalAccess(ctx, store.PersonalAccess{EventID: eventID, Actor: actor, Kind: "export",
		What: what, Contestants: ids, Reason: "下载职业技能等级证书"})
}
