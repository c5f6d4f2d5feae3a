package certificates

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	_ "image/jpeg" // decodes uploaded seals and backgrounds
	_ "image/png"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"skillscore"
	"skillscore/idnumber"
	"skillscore/levels"
	"skillscore/results"
	"skillscore/scoring"
	"skillscore/store"
)

// Store is what certificates need from the database.
type Store interface {
	Snapshot(ctx context.Context, eventID int64) (store.Snapshot, error)
	OpenPersonal(cs []store.Contestant) error
	IssueCertificates(ctx context.Context, reqs []store.CertificateIssue, seal store.SealFunc, actor string) ([]store.Certificate, int, error)
	CertificateByNumber(ctx context.Context, number string) (store.Certificate, error)
	CertificatesByIDNumber(ctx context.Context, idNumber string) ([]store.Certificate, error)
	EventCertificates(ctx context.Context, eventID int64) ([]store.Certificate, error)
	RevokeCertificate(ctx context.Context, number, reason, actor string) (store.Certificate, error)
	CertificateReplaced(ctx context.Context, number, fingerprint string) (store.Time, bool, error)
	// RequireApproval refuses while an assessment batch awaits the
	// supervising office's approval (nil for a competition).
	RequireApproval(ctx context.Context, eventID int64) error
}

// PhotoSource gives a holder's photo by contestant id: nil bytes and no
// error when the holder has none; an error when a recorded photo cannot be
// read, so a certificate never prints without the photo it should carry.
type PhotoSource interface {
	Photo(ctx context.Context, contestantID int64) ([]byte, error)
}

// Config wires a Service.
type Config struct {
	Store     Store
	Numbering Numbering
	// Issuer is the 评价机构名称 printed on level certificates; AwardIssuers
	// the bodies that sign award certificates (one per line).
	Issuer       string
	AwardIssuers string
	// VerifyURL is the public verification page the QR codes point at.
	VerifyURL string
	Keys      *Keyring
	// Renderer draws PDFs; nil when the server only verifies, and then
	// RendererErr says why (a missing font names its package).
	Renderer    *Renderer
	RendererErr error
	// Photos gives holders' photos by contestant id (the photo store, package
	// photos, whose files are named by opaque ids); nil for none.
	Photos PhotoSource
	// RequirePhotos refuses to issue level certificates while a holder's
	// photo is missing (the issuing body's rule); without it a level
	// certificate without a photo prints a labelled empty frame.
	RequirePhotos bool
	// AssetsDir holds the organizer's uploaded images (seal, backgrounds)
	// that the renderer prints; "" disables uploads.
	AssetsDir string
	Now       func() time.Time
}

// Service issues, renders, verifies and revokes certificates.
type Service struct {
	cfg   Config
	batch *batches // nil until EnableBatches
	// mu guards rend, which an asset upload replaces.
	mu   sync.RWMutex
	rend *Renderer
}

// New checks the configuration and returns a Service.
func New(cfg Config) (*Service, error) {
	if err := cfg.Numbering.Validate(); err != nil {
		return nil, err
	}
	if cfg.Keys == nil {
		cfg.Keys = &Keyring{} // revokes and looks up; cannot sign or check tokens
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Service{cfg: cfg, rend: cfg.Renderer}, nil
}

// PublicKeys is the published key set.
func (s *Service) PublicKeys() PublicKeys { return s.cfg.Keys.Public }

// VerifyURL is the public verification page.
func (s *Service) VerifyURL() string { return s.cfg.VerifyURL }

// IssueResult reports a batch issue.
type IssueResult struct {
	Certificates []store.Certificate
	New          int
}

// Issue issues every certificate an event's results call for: an award
// certificate to each contestant with an award (a promotion alone earns the
// level certificate, not a 获奖证书 reading "荣获" with nothing after), and a level
// certificate to each contestant promoted (competition) or passed
// (assessment). Certificates already issued are returned as they are, so
// running it again issues nothing twice.
func (s *Service) Issue(ctx context.Context, eventID int64, actor string) (IssueResult, error) {
	if s.cfg.Keys.Signer == nil {
		return IssueResult{}, skillscore.Errorf(skillscore.EUnavailable,
			"密钥目录中没有可用的签名私钥（active）：请先运行 skillscore certs keygen")
	}
	snap, err := s.cfg.Store.Snapshot(ctx, eventID)
	if err != nil {
		return IssueResult{}, err
	}
	// An assessment batch's certificates are all level certificates and
	// wait for approval: say so before photos or anything else is checked
	// (the store refuses again inside the issuing transaction).
	if snap.Event.Kind == "assessment" {
		if err := s.cfg.Store.RequireApproval(ctx, eventID); err != nil {
			return IssueResult{}, err
		}
	}
	// A certificate carries its holder's masked number, and the holder's
	// own paper the full one: open them (a snapshot leaves them sealed).
	if err := s.cfg.Store.OpenPersonal(snap.Contestants); err != nil {
		return IssueResult{}, err
	}
	if err := s.cfg.Store.OpenPersonal(snap.Members); err != nil {
		return IssueResult{}, err
	}
	st, err := results.Compute(snap)
	if err != nil {
		return IssueResult{}, err
	}
	date := s.cfg.Now().In(skillscore.China())
	type want struct {
		req   store.CertificateIssue
		facts Facts
	}
	var wants []want
	ev := snap.Event
	specialty := ev.Specialty
	if specialty == "" {
		specialty = "--"
	}
	// A team entry's certificates go to each member: the entry's award,
	// naming the team, and the level the member's own promotion grants.
	type holder struct {
		c    scoring.ContestantResult
		row  store.Contestant
		team string
	}
	var holders []holder
	for _, c := range st.Result.Contestants {
		row, ok := st.Contestants[c.ID]
		if !ok {
			continue
		}
		if ms, ok := st.Members[c.ID]; ok {
			for _, m := range ms {
				holders = append(holders, holder{m.Result, m.Row, row.Name})
			}
			continue
		}
		holders = append(holders, holder{c, row, ""})
	}
	// unnumbered counts the level certificates due while the body's codes
	// are unset: the batch is then refused whole, as for missing photos.
	unnumbered := 0
	for _, h := range holders {
		c, row := h.c, h.row
		base := Facts{Version: 1, Name: row.Name, IDType: row.IDType, IDMasked: idnumber.Mask(row.IDNumber),
			Occupation: ev.Occupation, Specialty: specialty, Date: date.Format("2006-01-02")}
		req := store.CertificateIssue{EventID: ev.ID, ContestantID: row.ID, Name: row.Name, IDType: row.IDType,
			IDNumber: row.IDNumber}
		level := levels.None
		switch {
		case ev.Kind == "assessment" && c.Pass != nil && *c.Pass:
			level = ev.Level
			if level == levels.None {
				level = st.Rules.Level
			}
		case c.Promotion != nil:
			level = c.Promotion.To
		}
		if ev.Kind != "assessment" && c.AwardName != "" {
			f := base
			f.Kind, f.Issuer, f.Event, f.Group, f.Award, f.Rank, f.Organization = KindAward, s.cfg.AwardIssuers,
				ev.Name, c.GroupName, c.AwardName, c.Rank, row.Organization
			f.Team = h.team
			if c.Promotion != nil {
				f.Promotion = c.Promotion.ToName
			}
			r := req
			r.Kind = KindAward
			if r.Scope, err = s.cfg.Numbering.AwardScope(date.Year()); err != nil {
				return IssueResult{}, err
			}
			wants = append(wants, want{r, f})
		}
		if level.Valid() {
			if !s.cfg.Numbering.BodySet() {
				unnumbered++
				continue
			}
			f := base
			f.Kind, f.Issuer, f.Level = KindLevel, s.cfg.Issuer, level.String()
			r := req
			r.Kind = KindLevel
			if r.Scope, err = s.cfg.Numbering.LevelScope(date.Year(), level); err != nil {
				return IssueResult{}, err
			}
			wants = append(wants, want{r, f})
		}
	}
	if unnumbered > 0 {
		err := s.cfg.Numbering.RequireBody()
		return IssueResult{}, skillscore.Wrap(skillscore.ErrorCode(err), err,
			fmt.Sprintf("本批有 %d 张职业技能等级证书待签发，未签发任何证书：%s", unnumbered, skillscore.ErrorMessage(err)))
	}
	if len(wants) == 0 {
		return IssueResult{}, nil
	}
	if s.cfg.RequirePhotos {
		var missing []string
		for _, w := range wants {
			if w.req.Kind != KindLevel {
				continue
			}
			photo, err := s.photo(ctx, w.req.ContestantID)
			if err != nil {
				return IssueResult{}, err
			}
			if photo == nil {
				missing = append(missing, w.req.Name+"（"+idnumber.Mask(w.req.IDNumber)+"）")
			}
		}
		if len(missing) > 0 {
			return IssueResult{}, skillscore.Errorf(skillscore.EInvalid,
				"评价机构要求职业技能等级证书贴照片，以下 %d 人缺少照片（请用 skillscore photos import 导入照片库），未签发任何证书：%s",
				len(missing), strings.Join(missing, "、"))
		}
	}
	type key struct {
		contestant int64
		kind       string
	}
	facts := make(map[key]Facts, len(wants))
	reqs := make([]store.CertificateIssue, len(wants))
	for i, w := range wants {
		facts[key{w.req.ContestantID, w.req.Kind}] = w.facts
		reqs[i] = w.req
	}
	signer := s.cfg.Keys.Signer
	seal := func(req store.CertificateIssue, serial int64) (store.SealedCertificate, error) {
		number, err := WithSerial(req.Scope, serial)
		if err != nil {
			return store.SealedCertificate{}, err
		}
		f := facts[key{req.ContestantID, req.Kind}]
		f.Number = number
		token, err := signer.Seal(f)
		if err != nil {
			return store.SealedCertificate{}, err
		}
		facts, err := json.Marshal(f)
		if err != nil {
			return store.SealedCertificate{}, err
		}
		return store.SealedCertificate{Number: number, Facts: string(facts), Token: token, KeyID: signer.KeyID()}, nil
	}
	certs, n, err := s.cfg.Store.IssueCertificates(ctx, reqs, seal, actor)
	if err != nil {
		return IssueResult{}, err
	}
	return IssueResult{Certificates: certs, New: n}, nil
}

// Status of a certificate as the public sees it. A QR token a correction
// replaced is "replaced": correctly signed, but no longer what the
// certificate attests.
const (
	StatusValid    = "valid"
	StatusRevoked  = "revoked"
	StatusReplaced = "replaced"
)

// replacedName is what the public is told about a replaced paper.
const replacedName = "已更正换发，请以新证书为准"

// View is a certificate as the public verification shows it: the signed
// facts (with the 证件号码 masked) and the current status.
type View struct {
	Facts         Facts  `json:"facts"`
	Status        string `json:"status"`      // valid | revoked
	StatusName    string `json:"status_name"` // 有效 | 已撤销
	RevokedOn     string `json:"revoked_on,omitempty"`
	RevokedReason string `json:"revoked_reason,omitempty"`
	// ReissuedOn is the day a correction last signed the certificate
	// again: papers printed before then are replaced. ReplacedOn, on a
	// replaced token's answer, is the day it was replaced.
	ReissuedOn string `json:"reissued_on,omitempty"`
	ReplacedOn string `json:"replaced_on,omitempty"`
	IssuedOn   string `json:"issued_on"`
	KeyID      string `json:"key_id"`
	// Signed is true when the facts were checked against the signature
	// (lookups by QR token).
	Signed bool `json:"signature_verified"`
	// Demo is true for a level certificate numbered with the demo's
	// stand-in 评价机构代码 and 序列码 (Numbering.Demo): pages say 演示.
	Demo bool `json:"demo,omitempty"`
}

// viewOf is a certificate as the public sees it from this service.
func (s *Service) viewOf(c store.Certificate) (View, error) {
	v, err := viewOf(c)
	if err != nil {
		return v, err
	}
	v.Demo = s.demoNumber(v.Facts)
	return v, nil
}

// demoNumber reports whether a certificate's number carries the demo's
// stand-in body codes.
func (s *Service) demoNumber(f Facts) bool {
	return s.cfg.Numbering.Demo && f.Kind == KindLevel && s.cfg.Numbering.Numbers(f.Number)
}

// Numbering is the numbering the service issues with: pages warn while the
// body's codes are unset and say 演示 for the demo's.
func (s *Service) Numbering() Numbering { return s.cfg.Numbering }

func viewOf(c store.Certificate) (View, error) {
	var f Facts
	if err := json.Unmarshal([]byte(c.Facts), &f); err != nil {
		return View{}, fmt.Errorf("certificate %s facts: %w", c.Number, err)
	}
	v := View{Facts: f, Status: StatusValid, StatusName: "有效", KeyID: c.KeyID,
		IssuedOn: c.IssuedAt.In(skillscore.China()).Format("2006-01-02")}
	if c.Revoked() {
		v.Status, v.StatusName = StatusRevoked, "已撤销"
		v.RevokedOn = c.RevokedAt.In(skillscore.China()).Format("2006-01-02")
		v.RevokedReason = c.RevokedReason
	}
	if c.ReissuedAt.Valid() {
		v.ReissuedOn = c.ReissuedAt.In(skillscore.China()).Format("2006-01-02")
	}
	return v, nil
}

// notFound is the one answer to every lookup that does not match, whether
// the number is unknown or the name is wrong, so the page cannot be used to
// learn which numbers exist.
func notFound() error {
	return skillscore.Errorf(skillscore.ENotFound, "未查到符合条件的证书：请核对证书编号（或证件号码）与姓名")
}

// NormalizeName trims what people type around a name.
func NormalizeName(s string) string { return strings.Join(strings.Fields(s), "") }

// NormalizeIDNumber upper-cases the check character and drops spaces.
func NormalizeIDNumber(s string) string { return strings.ToUpper(strings.Join(strings.Fields(s), "")) }

// ByNumber looks a certificate up by its number and the holder's name.
func (s *Service) ByNumber(ctx context.Context, number, name string) (View, error) {
	number, name = strings.ToUpper(strings.TrimSpace(number)), NormalizeName(name)
	if number == "" || name == "" {
		return View{}, skillscore.Errorf(skillscore.EInvalid, "请填写证书编号和姓名")
	}
	if len(number) > 32 || len(name) > 100 {
		return View{}, notFound()
	}
	c, err := s.cfg.Store.CertificateByNumber(ctx, number)
	if skillscore.ErrorCode(err) == skillscore.ENotFound || (err == nil && c.Name != name) {
		return View{}, notFound()
	}
	if err != nil {
		return View{}, err
	}
	return s.viewOf(c)
}

// ByIDNumber looks up every certificate of a 证件号码 and name.
func (s *Service) ByIDNumber(ctx context.Context, id, name string) ([]View, error) {
	id, name = NormalizeIDNumber(id), NormalizeName(name)
	if id == "" || name == "" {
		return nil, skillscore.Errorf(skillscore.EInvalid, "请填写证件号码和姓名")
	}
	if len(id) > 32 || len(name) > 100 {
		return nil, notFound()
	}
	certs, err := s.cfg.Store.CertificatesByIDNumber(ctx, id)
	if err != nil {
		return nil, err
	}
	var out []View
	for _, c := range certs {
		if c.Name != name {
			continue
		}
		v, err := s.viewOf(c)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if len(out) == 0 {
		return nil, notFound()
	}
	return out, nil
}

// ByToken verifies a QR token's signature and returns the certificate's
// current status. A token that verifies but whose certificate the database
// does not hold, or holds with other facts, is refused.
func (s *Service) ByToken(ctx context.Context, token string) (View, error) {
	t, err := VerifyToken(TokenFromText(token), s.cfg.Keys.Public)
	if err != nil {
		return View{}, err
	}
	c, err := s.cfg.Store.CertificateByNumber(ctx, t.Facts.Number)
	if skillscore.ErrorCode(err) == skillscore.ENotFound {
		return View{}, skillscore.Errorf(skillscore.ENotFound, "证书 %s 的签名有效，但本系统没有它的发证记录", t.Facts.Number)
	}
	if err != nil {
		return View{}, err
	}
	v, err := s.viewOf(c)
	if err != nil {
		return View{}, err
	}
	if v.Facts != t.Facts {
		// The holder's old paper after a correction: correctly signed,
		// and answered as replaced, showing what that paper says.
		at, replaced, err := s.cfg.Store.CertificateReplaced(ctx, t.Facts.Number, t.Fingerprint())
		if err != nil {
			return View{}, err
		}
		if !replaced {
			return View{}, skillscore.Errorf(skillscore.EConflict, "证书 %s 的二维码内容与发证记录不符", t.Facts.Number)
		}
		return View{Facts: t.Facts, Status: StatusReplaced, StatusName: replacedName, IssuedOn: v.IssuedOn, KeyID: t.KeyID,
			ReplacedOn: at.In(skillscore.China()).Format("2006-01-02"), Signed: true, Demo: v.Demo}, nil
	}
	v.Signed = true
	return v, nil
}

// Reissuer returns what signs a certificate again when a correction
// changed its holder's data. The number, the award or level and the 发证日期
// stay; the name, 证件类型 and masked 证件号码 become the corrected ones
// and the facts are signed with the active key. The old token's
// fingerprint goes with it, so the holder's old paper verifies as
// replaced (已更正换发) rather than valid. A change the facts do not show
// (a number with the same masked form) needs no new paper.
func (s *Service) Reissuer() store.ReissueFunc {
	return func(c store.Certificate, h store.Holder) (store.Reissue, bool, error) {
		var f Facts
		if err := json.Unmarshal([]byte(c.Facts), &f); err != nil {
			return store.Reissue{}, false, fmt.Errorf("certificate %s facts: %w", c.Number, err)
		}
		next := f
		next.Name, next.IDType, next.IDMasked = h.Name, h.IDType, idnumber.Mask(h.IDNumber)
		if next == f {
			return store.Reissue{}, false, nil
		}
		signer := s.cfg.Keys.Signer
		if signer == nil {
			return store.Reissue{}, false, skillscore.Errorf(skillscore.EUnavailable,
				"证书 %s 须按更正后的信息重新签发，但密钥目录中没有可用的签名私钥（active）", c.Number)
		}
		old, err := ParseToken(c.Token)
		if err != nil {
			return store.Reissue{}, false, fmt.Errorf("certificate %s token: %w", c.Number, err)
		}
		token, err := signer.Seal(next)
		if err != nil {
			return store.Reissue{}, false, err
		}
		raw, err := json.Marshal(next)
		if err != nil {
			return store.Reissue{}, false, err
		}
		return store.Reissue{SealedCertificate: store.SealedCertificate{Number: c.Number, Facts: string(raw), Token: token,
			KeyID: signer.KeyID()}, Replaced: old.Fingerprint()}, true, nil
	}
}

// Revoke withdraws a certificate with a reason; the store audits it.
func (s *Service) Revoke(ctx context.Context, number, reason, actor string) (View, error) {
	c, err := s.cfg.Store.RevokeCertificate(ctx, strings.ToUpper(strings.TrimSpace(number)), reason, actor)
	if err != nil {
		return View{}, err
	}
	return s.viewOf(c)
}

// Documents returns the renderable documents of an event's certificates.
func (s *Service) Documents(ctx context.Context, eventID int64) ([]Document, error) {
	certs, err := s.cfg.Store.EventCertificates(ctx, eventID)
	if err != nil {
		return nil, err
	}
	docs := make([]Document, 0, len(certs))
	for _, c := range certs {
		var f Facts
		if err := json.Unmarshal([]byte(c.Facts), &f); err != nil {
			return nil, fmt.Errorf("certificate %s facts: %w", c.Number, err)
		}
		d := Document{Facts: f, Token: c.Token, IDNumber: c.IDNumber, VerifyURL: s.cfg.VerifyURL}
		if d.Photo, err = s.photo(ctx, c.ContestantID); err != nil {
			return nil, err
		}
		docs = append(docs, d)
	}
	return docs, nil
}

// photo is a holder's photo, read from the photo store by contestant id:
// never by the 证件号码, which no photo file is named by.
func (s *Service) photo(ctx context.Context, contestantID int64) ([]byte, error) {
	if s.cfg.Photos == nil {
		return nil, nil
	}
	return s.cfg.Photos.Photo(ctx, contestantID)
}

func (s *Service) renderer() (*Renderer, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.rend != nil {
		return s.rend, nil
	}
	if s.cfg.RendererErr != nil {
		return nil, s.cfg.RendererErr
	}
	return nil, skillscore.Errorf(skillscore.EUnavailable, "本服务未配置证书字体与版式，无法生成 PDF")
}

// maxAssetBytes bounds an uploaded seal or background image.
const maxAssetBytes = 5 << 20

// AssetNames lists the images the organizer can upload (those the layouts
// print) and whether each is present.
func (s *Service) AssetNames() (names []string, present map[string]bool) {
	r, err := s.renderer()
	if err != nil {
		return nil, nil
	}
	present = map[string]bool{}
	for _, n := range r.AssetNames() {
		_, present[n] = r.assets[n]
	}
	return r.AssetNames(), present
}

// SaveAsset stores an organizer's image (a seal or a background) under one
// of the names the layouts print, and prints it from the next document on.
func (s *Service) SaveAsset(name string, data []byte) error {
	if s.cfg.AssetsDir == "" {
		return skillscore.Errorf(skillscore.EUnavailable, "本服务未配置素材目录（--cert-assets），不能上传印章或底图")
	}
	r, err := s.renderer()
	if err != nil {
		return err
	}
	if !slices.Contains(r.AssetNames(), name) {
		return skillscore.Errorf(skillscore.EInvalid, "版式中没有素材 %q：可上传 %s", name, strings.Join(r.AssetNames(), "、"))
	}
	if len(data) > maxAssetBytes {
		return skillscore.Errorf(skillscore.ETooLarge, "图片不能超过 %d MB", maxAssetBytes>>20)
	}
	if ct := http.DetectContentType(data); ct != "image/png" && ct != "image/jpeg" {
		return skillscore.Errorf(skillscore.EInvalid, "%s 应为 PNG 或 JPEG 图片", name)
	}
	if _, err := imageConfig(data); err != nil {
		return skillscore.Wrap(skillscore.EInvalid, err, fmt.Sprintf("%s 无法作为图片读取", name))
	}
	if err := os.MkdirAll(s.cfg.AssetsDir, 0o755); err != nil {
		return skillscore.Wrap(skillscore.EUnavailable, err, "无法创建素材目录")
	}
	if err := writeAtomic(filepath.Join(s.cfg.AssetsDir, name), func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	}); err != nil {
		return skillscore.Wrap(skillscore.EUnavailable, err, "无法保存素材")
	}
	next, err := r.WithAssets(os.DirFS(s.cfg.AssetsDir))
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.rend = next
	s.mu.Unlock()
	return nil
}

// RenderOne renders one certificate of an event as its own PDF (the
// organizer's download of a single certificate).
func (s *Service) RenderOne(ctx context.Context, eventID int64, number string) (Document, []byte, error) {
	r, err := s.renderer()
	if err != nil {
		return Document{}, nil, err
	}
	docs, err := s.Documents(ctx, eventID)
	if err != nil {
		return Document{}, nil, err
	}
	for _, d := range docs {
		if d.Facts.Number != number {
			continue
		}
		br, err := r.ForBatch([]Document{d})
		if err != nil {
			return Document{}, nil, err
		}
		pdf, err := br.Single(d)
		return d, pdf, err
	}
	return Document{}, nil, skillscore.Errorf(skillscore.ENotFound, "证书 %s 不属于本赛事", number)
}

// FileName is a single certificate's file name: number and holder.
func FileName(d Document) string {
	return d.Facts.Number + "-" + d.Facts.Name + ".pdf"
}

// EachSingle renders every document as its own PDF, on every CPU, and hands
// them to emit in order. It returns when all are emitted, ctx ends or one
// fails; no goroutine outlives it.
func (s *Service) EachSingle(ctx context.Context, docs []Document, emit func(i int, pdf []byte) error) error {
	r, err := s.renderer()
	if err != nil {
		return err
	}
	return renderEach(ctx, r, docs, emit)
}

// renderEach draws the batch once as one document and splits it into a PDF
// per page (see split.go), the splitting on every CPU, emitting in order.
func renderEach(ctx context.Context, r *Renderer, docs []Document, emit func(i int, pdf []byte) error) error {
	if len(docs) == 0 {
		return nil
	}
	br, err := r.ForBatch(docs)
	if err != nil {
		return err
	}
	var all bytes.Buffer
	if err := br.Combined(&all, docs, nil); err != nil {
		return err
	}
	doc, err := readPDF(all.Bytes())
	if err != nil {
		return err
	}
	if len(doc.pages) != len(docs) {
		return fmt.Errorf("split: %d pages for %d documents", len(doc.pages), len(docs))
	}
	sp := &splitter{doc: doc}
	return inOrder(ctx, len(docs),
		func(i int) ([]byte, error) { return sp.page(i, br.runesOf(docs[i])) },
		emit)
}

// WriteZip writes every document as a single PDF into a ZIP, calling
// progress after each.
func (s *Service) WriteZip(ctx context.Context, w io.Writer, docs []Document, progress func(done int)) error {
	zw := zip.NewWriter(w)
	err := s.EachSingle(ctx, docs, func(i int, pdf []byte) error {
		// PDFs are compressed already: store them as they are.
		f, err := zw.CreateHeader(&zip.FileHeader{Name: FileName(docs[i]), Method: zip.Store,
			Modified: docDate(docs[i])})
		if err != nil {
			return err
		}
		if _, err := f.Write(pdf); err != nil {
			return err
		}
		if progress != nil {
			progress(i + 1)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return zw.Close()
}

// WriteCombined writes every document as a page of one printable PDF.
func (s *Service) WriteCombined(w io.Writer, docs []Document, progress func(done int)) error {
	r, err := s.renderer()
	if err != nil {
		return err
	}
	br, err := r.ForBatch(docs)
	if err != nil {
		return err
	}
	return br.Combined(w, docs, progress)
}

// imageConfig checks that data decodes as an image.
func imageConfig(data []byte) (image.Config, error) {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	return cfg, err
}

// LevelHolders are the contestants whose full 证件号码 a set of certificates
// prints: level certificates carry it (the holder's own paper), award
// certificates do not. Writing such certificates out is a full view of
// these people's numbers and is recorded as one.
func LevelHolders(certs []store.Certificate) []int64 {
	var ids []int64
	for _, c := range certs {
		if c.Kind == KindLevel {
			ids = append(ids, c.ContestantID)
		}
	}
	return ids
}
