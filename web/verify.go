package web

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"time"

	"skillscore"
	"skillscore/certificates"
)

// Verifier answers the public certificate lookups.
type Verifier interface {
	ByNumber(ctx context.Context, number, name string) (certificates.View, error)
	ByIDNumber(ctx context.Context, id, name string) ([]certificates.View, error)
	ByToken(ctx context.Context, token string) (certificates.View, error)
	PublicKeys() certificates.PublicKeys
}

// verifyConfig is the public verification side of the server.
type verifyConfig struct {
	svc Verifier
	// byID limits lookups by 证件号码 tightly (a sweep of ID numbers is the
	// privacy risk); byNumber limits lookups by number or QR token, which
	// need a secret-free but unguessable input, more loosely.
	byID     *rateLimiter
	byNumber *rateLimiter
}

func newVerifyConfig(svc Verifier) verifyConfig {
	return verifyConfig{
		svc:      svc,
		byID:     newRateLimiter(12*time.Second, 5, time.Now),
		byNumber: newRateLimiter(time.Second, 30, time.Now),
	}
}

// KeysPath is where the public verification keys are published.
const KeysPath = "/.well-known/skillscore-certificate-keys.json"

// verifyQuery is one lookup, from a query string, a form or JSON.
type verifyQuery struct {
	Token    string `json:"token"`
	Number   string `json:"number"`
	IDNumber string `json:"id_number"`
	Name     string `json:"name"`
}

func (q verifyQuery) empty() bool { return q.Token == "" && q.Number == "" && q.IDNumber == "" }

// lookup runs a query under the rate limits.
func (s *Server) lookup(r *http.Request, q verifyQuery) ([]certificates.View, error) {
	if s.verify.svc == nil {
		return nil, skillscore.Errorf(skillscore.EUnavailable, "本服务未启用证书查询")
	}
	limiter := s.verify.byNumber
	if q.IDNumber != "" && q.Token == "" && q.Number == "" {
		limiter = s.verify.byID
	}
	if !limiter.allow(s.clientIP(r)) {
		return nil, skillscore.Errorf(skillscore.ERateLimited, "查询过于频繁，请稍后再试")
	}
	ctx := r.Context()
	switch {
	case q.Token != "":
		v, err := s.verify.svc.ByToken(ctx, q.Token)
		return []certificates.View{v}, err
	case q.Number != "":
		v, err := s.verify.svc.ByNumber(ctx, q.Number, q.Name)
		return []certificates.View{v}, err
	case q.IDNumber != "":
		return s.verify.svc.ByIDNumber(ctx, q.IDNumber, q.Name)
	}
	return nil, skillscore.Errorf(skillscore.EInvalid, "请填写证书编号和姓名，或证件号码和姓名，或扫描证书二维码")
}

// verifyPage is the data of templates/html/verify.html.
type verifyPage struct {
	Title    string
	Mode     string // number | id: which form was used
	Number   string
	Name     string
	Results  []certificates.View
	Error    string
	Searched bool
	KeysPath string
}

// handleVerify serves the public verification page: the two lookup forms
// and, for a QR token or a number in the query string, the result.
func (s *Server) handleVerify(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	// The ID number never travels in a URL (it would end up in logs and
	// browser history): the page posts it.
	s.verifyPage(w, r, verifyQuery{Token: q.Get("t"), Number: q.Get("number"), Name: q.Get("name")})
}

// handleVerifyPost answers the lookup forms.
func (s *Server) handleVerifyPost(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, skillscore.Wrap(skillscore.EInvalid, err, "表单无法解析"))
		return
	}
	q := verifyQuery{Name: r.PostForm.Get("name")}
	if r.PostForm.Get("mode") == "id" {
		q.IDNumber = r.PostForm.Get("id_number")
	} else {
		q.Number = r.PostForm.Get("number")
	}
	s.verifyPage(w, r, q)
}

func (s *Server) verifyPage(w http.ResponseWriter, r *http.Request, q verifyQuery) {
	page := verifyPage{Title: "证书查询", Mode: "number", Number: q.Number, Name: q.Name, KeysPath: KeysPath}
	if q.IDNumber != "" {
		page.Mode = "id"
	}
	status := http.StatusOK
	if !q.empty() {
		page.Searched = true
		views, err := s.lookup(r, q)
		if err != nil {
			status = HTTPStatus(err)
			if status >= 500 {
				s.log.ErrorContext(r.Context(), "certificate lookup", "err", err)
			}
			page.Error = skillscore.ErrorMessage(err)
		} else {
			page.Results = views
		}
	}
	// Lookups are personal: no shared cache may keep them.
	w.Header().Set("Cache-Control", "no-store")
	s.renderStatus(w, r, status, "verify", page)
}

// apiVerifyResponse is the JSON answer of a lookup.
type apiVerifyResponse struct {
	Certificates []certificates.View `json:"certificates"`
}

// handleAPIVerify answers GET lookups by token or by number and name.
func (s *Server) handleAPIVerify(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("id_number") != "" {
		s.fail(w, r, skillscore.Errorf(skillscore.EInvalid, "按证件号码查询请用 POST，证件号码不应出现在网址中"))
		return
	}
	s.apiVerify(w, r, verifyQuery{Token: q.Get("token"), Number: q.Get("number"), Name: q.Get("name")})
}

// handleAPIVerifyPost answers lookups posted as JSON.
func (s *Server) handleAPIVerifyPost(w http.ResponseWriter, r *http.Request) {
	var q verifyQuery
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 8<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&q); err != nil {
		s.fail(w, r, skillscore.Wrap(skillscore.EInvalid, err, "请求应为 JSON：{\"number\"|\"id_number\"|\"token\", \"name\"}"))
		return
	}
	s.apiVerify(w, r, q)
}

func (s *Server) apiVerify(w http.ResponseWriter, r *http.Request, q verifyQuery) {
	w.Header().Set("Cache-Control", "no-store")
	views, err := s.lookup(r, q)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, apiVerifyResponse{Certificates: views})
}

// handleKeys publishes the public keys that certificate tokens are signed
// with, old ones included, for offline checks (skillscore verify-cert).
func (s *Server) handleKeys(w http.ResponseWriter, r *http.Request) {
	if s.verify.svc == nil {
		s.fail(w, r, skillscore.Errorf(skillscore.EUnavailable, "本服务未启用证书查询"))
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	writeJSON(w, http.StatusOK, s.verify.svc.PublicKeys())
}

// renderStatus renders a page with a status other than 200 (a lookup that
// found nothing is a 404 page that still shows the forms).
func (s *Server) renderStatus(w http.ResponseWriter, r *http.Request, status int, page string, data any) {
	var buf bytes.Buffer
	if err := s.tmpl.RenderChrome(&buf, page, data, chrome(r)); err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	// A write error means the client went away.
	_, _ = buf.WriteTo(w)
}
