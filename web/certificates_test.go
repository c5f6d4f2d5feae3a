package web_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	pngenc "image/png"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"skillscore"
	"skillscore/certificates"
	"skillscore/idnumber"
	"skillscore/internal/testenv"
	"skillscore/photos"
	"skillscore/store"
	"skillscore/templates"
	"skillscore/web"
)

// certOffice serves the demo event with its certificates issued: a real
// SQLite store, keys, fonts and layouts.
type certOffice struct {
	t     *testing.T
	st    *store.Store
	svc   *certificates.Service
	lib   *photos.Library
	srv   *httptest.Server
	ev    store.Event
	certs []store.Certificate
}

func newCertOffice(t *testing.T) *certOffice {
	t.Helper()
	return newCertOfficeWith(t, certificates.Numbering{Letter: "S", BodyCode: "0000", Province: "36", BodySerial: "000001"}, true)
}

// newCertOfficeWith serves the demo event under a numbering, its
// certificates issued when issue is true.
func newCertOfficeWith(t *testing.T, numbering certificates.Numbering, issue bool) *certOffice {
	t.Helper()
	ctx := context.Background()
	st, ev := testenv.Demo(t)
	addStaff(t, st, "org", "chief")
	keys := filepath.Join(t.TempDir(), "keys")
	if _, err := certificates.GenerateKey(keys, time.Now()); err != nil {
		t.Fatal(err)
	}
	kr, err := certificates.LoadKeyring(keys)
	if err != nil {
		t.Fatal(err)
	}
	fonts, err := certificates.LoadFonts(certificates.DefaultSongFont, certificates.DefaultKaiFont)
	if err != nil {
		t.Fatal(err)
	}
	layouts, err := certificates.LoadLayouts(templates.CertificateLayouts())
	if err != nil {
		t.Fatal(err)
	}
	rend, err := certificates.NewRenderer(fonts, layouts, nil)
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := templates.New()
	if err != nil {
		t.Fatal(err)
	}
	o := &certOffice{t: t, st: st, ev: ev, lib: photos.New(st, filepath.Join(t.TempDir(), "photos"))}
	srv := httptest.NewUnstartedServer(nil)
	o.srv = srv
	svc, err := certificates.New(certificates.Config{Store: st, Numbering: numbering,
		Issuer: "江西省康养职业技能评价中心（演示）", AwardIssuers: "竞赛组委会（演示）",
		VerifyURL: "http://" + srv.Listener.Addr().String() + "/verify", Keys: kr, Renderer: rend,
		AssetsDir: t.TempDir(), Photos: o.lib})
	if err != nil {
		t.Fatal(err)
	}
	svc.EnableBatches(t.TempDir())
	t.Cleanup(svc.Close)
	o.svc = svc
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv.Config.Handler = web.New(web.Config{Store: st, Templates: tmpl, Logger: log, Judging: st, Verifier: svc, Certificates: svc,
		Photos: o.lib, Personal: st})
	srv.Start()
	t.Cleanup(srv.Close)
	if !issue {
		return o
	}
	res, err := svc.Issue(ctx, ev.ID, "org")
	if err != nil {
		t.Fatal(err)
	}
	o.certs = res.Certificates
	return o
}

func (o *certOffice) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: o.t, base: o.srv.URL, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

func apiJSON(t *testing.T, resp *http.Response, err error, v any) int {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("decode %d response: %v", resp.StatusCode, err)
	}
	return resp.StatusCode
}

type apiResult struct {
	Certificates []certificates.View `json:"certificates"`
	Error        struct{ Code, Message string }
}

func TestVerifyPageAndAPI(t *testing.T) {
	o := newCertOffice(t)
	c := o.certs[0]
	b := o.browser()

	code, body := b.get("/verify?t=" + url.QueryEscape(c.Token))
	if code != 200 || !strings.Contains(body, "有效") || !strings.Contains(body, c.Name) || !strings.Contains(body, c.Number) ||
		!strings.Contains(body, "数字签名核验通过") {
		t.Fatalf("QR lookup: %d\n%s", code, body)
	}
	if strings.Contains(body, c.IDNumber) {
		t.Fatal("the verify page shows an unmasked ID number")
	}
	code, body = b.post("/verify", url.Values{"mode": {"id"}, "id_number": {strings.ToLower(c.IDNumber)}, "name": {c.Name}})
	if code != 200 || !strings.Contains(body, c.Number) || strings.Contains(body, c.IDNumber) {
		t.Fatalf("ID lookup: %d, unmasked=%v", code, strings.Contains(body, c.IDNumber))
	}
	code, body = b.post("/verify", url.Values{"mode": {"number"}, "number": {c.Number}, "name": {"张冒名"}})
	if code != 404 || !strings.Contains(body, "未查到符合条件的证书") {
		t.Fatalf("wrong name: %d\n%s", code, body)
	}
	// One changed character of the token is refused.
	bad := []byte(c.Token)
	bad[len(bad)/2] ^= 1
	code, body = b.get("/verify?t=" + url.QueryEscape(string(bad)))
	if code != 400 || !strings.Contains(body, "证书验证码") {
		t.Fatalf("tampered token: %d\n%s", code, body)
	}

	var r apiResult
	resp, err := http.Get(o.srv.URL + "/api/v1/certificates/verify?number=" + c.Number + "&name=" + url.QueryEscape(c.Name))
	if st := apiJSON(t, resp, err, &r); st != 200 || len(r.Certificates) != 1 || r.Certificates[0].Status != "valid" {
		t.Fatalf("API by number: %d %+v", st, r)
	}
	resp, err = http.Post(o.srv.URL+"/api/v1/certificates/verify", "application/json",
		strings.NewReader(`{"id_number":"`+c.IDNumber+`","name":"`+c.Name+`"}`))
	r = apiResult{}
	if st := apiJSON(t, resp, err, &r); st != 200 || len(r.Certificates) == 0 || r.Certificates[0].Facts.IDMasked == c.IDNumber {
		t.Fatalf("API by ID: %d %+v", st, r)
	}
	resp, err = http.Get(o.srv.URL + "/api/v1/certificates/verify?id_number=" + c.IDNumber + "&name=x")
	r = apiResult{}
	if st := apiJSON(t, resp, err, &r); st != 400 || r.Error.Code != "invalid" {
		t.Fatalf("ID number in a URL: %d %+v", st, r)
	}

	// The published keys verify the token offline.
	resp, err = http.Get(o.srv.URL + web.KeysPath)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	keys, err := certificates.ParsePublicKeys(raw)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := certificates.VerifyToken(c.Token, keys); err != nil {
		t.Fatalf("token does not verify with the published keys: %v", err)
	}
}

func TestVerifyLookupsByIDAreRateLimited(t *testing.T) {
	o := newCertOffice(t)
	c := o.certs[0]
	b := o.browser()
	limited := 0
	for i := 0; i < 8; i++ {
		code, body := b.post("/verify", url.Values{"mode": {"id"}, "id_number": {c.IDNumber}, "name": {c.Name}})
		if code == 429 {
			limited++
			if !strings.Contains(body, "查询过于频繁") {
				t.Fatalf("429 page without its message:\n%s", body)
			}
		}
	}
	if limited != 3 {
		t.Fatalf("%d of 8 rapid ID lookups were refused, want 3 (burst of 5)", limited)
	}
	// The API shares the budget of the address.
	var r apiResult
	resp, err := http.Post(o.srv.URL+"/api/v1/certificates/verify", "application/json",
		strings.NewReader(`{"id_number":"`+c.IDNumber+`","name":"`+c.Name+`"}`))
	if st := apiJSON(t, resp, err, &r); st != 429 || r.Error.Code != "rate_limited" {
		t.Fatalf("API after the page used the budget: %d %+v", st, r)
	}
}

func TestOrganizerRevokesAndRunsBatch(t *testing.T) {
	o := newCertOffice(t)
	c := o.certs[0]
	chief := o.browser()
	if code := chief.login("chief", "pass-chief"); code != 303 {
		t.Fatalf("chief login: %d", code)
	}
	if code, _ := chief.get("/events/" + o.ev.Code + "/certificates"); code != 403 {
		t.Fatalf("chief judge on the certificate page: %d, want 403", code)
	}
	org := o.browser()
	if code := org.login("org", "pass-org"); code != 303 {
		t.Fatalf("organizer login: %d", code)
	}
	code, body := org.get("/events/" + o.ev.Code + "/certificates")
	if code != 200 || !strings.Contains(body, c.Number) || !strings.Contains(body, idnumber.Mask(c.IDNumber)) ||
		strings.Contains(body, c.IDNumber) {
		t.Fatalf("certificate page: %d, want the holder's number masked", code)
	}
	revoke := "/events/" + o.ev.Code + "/certificates/" + c.Number + "/revoke"
	if code, _ := org.post(revoke, url.Values{"csrf": {org.csrf}, "reason": {" "}}); code != 400 {
		t.Fatalf("revoke without reason: %d, want 400", code)
	}
	if code, _ := org.post(revoke, url.Values{"csrf": {"forged"}, "reason": {"伪造"}}); code != 403 {
		t.Fatalf("revoke with a forged CSRF token: %d, want 403", code)
	}
	if v, _ := o.svc.ByNumber(context.Background(), c.Number, c.Name); v.Status != "valid" {
		t.Fatal("a refused revocation changed the certificate")
	}
	if code, _ := org.post(revoke, url.Values{"csrf": {org.csrf}, "reason": {"获奖资格经复核取消"}}); code != 303 {
		t.Fatalf("revoke: %d", code)
	}
	// The public page shows it at once.
	pub := o.browser()
	_, body = pub.get("/verify?t=" + url.QueryEscape(c.Token))
	today := time.Now().In(skillscore.China()).Format("2006-01-02")
	if !strings.Contains(body, "已撤销（"+today+" 撤销）") || !strings.Contains(body, "获奖资格经复核取消") {
		t.Fatalf("verify page after revocation:\n%s", body)
	}

	// Certificates follow the final results only.
	if code, body := org.post("/events/"+o.ev.Code+"/certificates/batch", url.Values{"csrf": {org.csrf}}); code != 409 ||
		!strings.Contains(body, "尚未最终确认") {
		t.Fatalf("batch before final results: %d\n%s", code, body)
	}
	testenv.Final(t, o.st, o.ev.ID)
	if code, _ := org.post("/events/"+o.ev.Code+"/certificates/batch", url.Values{"csrf": {org.csrf}}); code != 303 {
		t.Fatalf("start batch: %d", code)
	}
	var st certificates.BatchStatus
	deadline := time.Now().Add(60 * time.Second)
	for st.State != "done" {
		if time.Now().After(deadline) {
			t.Fatalf("batch still %+v after 60 s", st)
		}
		resp, err := org.c.Get(o.srv.URL + "/api/v1/events/" + o.ev.Code + "/certificates/batch")
		if code := apiJSON(t, resp, err, &st); code != 200 || st.State == "failed" {
			t.Fatalf("batch status %d %+v", code, st)
		}
		if st.State == "running" {
			time.Sleep(50 * time.Millisecond) // polling the condition, as the page does
		}
	}
	if st.Total != len(o.certs) || st.ZipDone != st.Total || st.PDFDone != st.Total {
		t.Fatalf("finished batch %+v, want %d documents", st, len(o.certs))
	}
	resp, err := org.c.Get(o.srv.URL + "/events/" + o.ev.Code + "/certificates/files/certificates.zip")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("download zip: %v %v", err, resp.Status)
	}
	zipped, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	zr, err := zip.NewReader(bytes.NewReader(zipped), int64(len(zipped)))
	if err != nil || len(zr.File) != len(o.certs) {
		t.Fatalf("zip: %v, %d files", err, len(zr.File))
	}
	resp, err = org.c.Get(o.srv.URL + "/events/" + o.ev.Code + "/certificates/pdf/" + o.certs[1].Number)
	if err != nil || resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("single certificate download: %v %v", err, resp.Status)
	}
	one, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.HasPrefix(one, []byte("%PDF-")) {
		t.Fatal("the single download is not a PDF")
	}
	// Level certificates print the full 证件号码: each download is a full
	// view of their holders', recorded with their contestant ids.
	var levelHolders []int64
	for _, c := range o.certs {
		if c.Kind == certificates.KindLevel {
			levelHolders = append(levelHolders, c.ContestantID)
		}
	}
	trail, err := o.st.AuditTrail(context.Background(), o.ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	var exportsSeen []string
	for _, e := range trail {
		if e.Action == "personal.export" {
			exportsSeen = append(exportsSeen, e.Subject+" "+e.Detail)
		}
	}
	ids, _ := json.Marshal(levelHolders)
	wantZip := fmt.Sprintf(`certificates-certificates.zip {"contestants":%s,"count":%d,"reason":"下载职业技能等级证书"}`, ids, len(levelHolders))
	if len(levelHolders) == 0 || len(exportsSeen) < 1 || exportsSeen[0] != wantZip {
		t.Errorf("audited exports %q, want first %q", exportsSeen, wantZip)
	}
	if code, _ := pub.get("/events/" + o.ev.Code + "/certificates/files/certificates.zip"); code != 303 {
		t.Fatalf("anonymous download: %d, want a redirect to the login", code)
	}
}

func mustDocs(t *testing.T, o *certOffice) []certificates.Document {
	t.Helper()
	docs, err := o.svc.Documents(context.Background(), o.ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	return docs
}

// upload posts a file as the organizer's multipart form does.
func (b *browser) upload(path, name string, data []byte) (int, string) {
	b.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf", b.csrf)
	mw.WriteField("name", name)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	resp, err := b.c.Post(b.base+path, mw.FormDataContentType(), &body)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(out)
}

func TestOrganizerUploadsSeal(t *testing.T) {
	o := newCertOffice(t)
	org := o.browser()
	if code := org.login("org", "pass-org"); code != 303 {
		t.Fatalf("organizer login: %d", code)
	}
	code, body := org.get("/events/" + o.ev.Code + "/certificates")
	if code != 200 || !strings.Contains(body, "印章（透明背景 PNG）") {
		t.Fatalf("certificate page without the upload form: %d", code)
	}
	seal := image.NewNRGBA(image.Rect(0, 0, 40, 40))
	for i := range seal.Pix {
		seal.Pix[i] = 0x90
	}
	var png bytes.Buffer
	if err := pngenc.Encode(&png, seal); err != nil {
		t.Fatal(err)
	}
	path := "/events/" + o.ev.Code + "/certificates/assets"
	if code, _ := org.upload(path, "../../etc/seal.png", png.Bytes()); code != 400 {
		t.Fatalf("upload under a path: %d, want 400", code)
	}
	if code, _ := org.upload(path, "seal.png", []byte("<html>not an image</html>")); code != 400 {
		t.Fatalf("upload of a non-image: %d, want 400", code)
	}
	images := func() int {
		resp, err := org.c.Get(o.srv.URL + "/events/" + o.ev.Code + "/certificates/pdf/" + o.certs[0].Number)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("download: %v %v", err, resp.Status)
		}
		pdf, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return bytes.Count(pdf, []byte("/Subtype /Image"))
	}
	before := images()
	if code, body := org.upload(path, "seal.png", png.Bytes()); code != 303 {
		t.Fatalf("upload: %d\n%s", code, body)
	}
	if after := images(); after != before+2 { // the seal and its transparency mask
		t.Fatalf("%d images after the seal upload, %d before", after, before)
	}
}

// TestRateLimitBehindTrustedProxy: behind a trusted reverse proxy each
// client has its own budget, read from X-Forwarded-For; without the trust
// the header is ignored (anyone can write it) and the budget is the peer's.
func TestRateLimitBehindTrustedProxy(t *testing.T) {
	o := newCertOffice(t)
	c := o.certs[0]
	tmpl, err := templates.New()
	if err != nil {
		t.Fatal(err)
	}
	proxies, err := web.ParseTrustedProxies("127.0.0.0/8, ::1")
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	lookup := func(base, forwarded string) int {
		t.Helper()
		req, _ := http.NewRequest("POST", base+"/api/v1/certificates/verify",
			strings.NewReader(`{"id_number":"`+c.IDNumber+`","name":"`+c.Name+`"}`))
		req.Header.Set("Content-Type", "application/json")
		if forwarded != "" {
			req.Header.Set("X-Forwarded-For", forwarded)
		}
		var r apiResult
		resp, err := http.DefaultClient.Do(req)
		return apiJSON(t, resp, err, &r)
	}
	behind := httptest.NewServer(web.New(web.Config{Store: o.st, Templates: tmpl, Logger: log, Judging: o.st, Verifier: o.svc, Personal: o.st,
		TrustedProxies: proxies}))
	t.Cleanup(behind.Close)
	for i := 0; i < 5; i++ {
		if code := lookup(behind.URL, "203.0.113.7"); code != 200 {
			t.Fatalf("lookup %d of client A: %d", i+1, code)
		}
	}
	if code := lookup(behind.URL, "203.0.113.7"); code != 429 {
		t.Fatalf("client A's sixth lookup: %d, want 429", code)
	}
	// Client B through the same proxy (a chain: B, then an inner trusted
	// proxy) still has its budget.
	if code := lookup(behind.URL, "198.51.100.9, 127.0.0.9"); code != 200 {
		t.Fatalf("client B behind the proxy: %d, want 200", code)
	}
	// A client cannot pick its own key by writing the header: the server
	// that trusts no proxy keys on the peer, whatever the header says.
	direct := httptest.NewServer(web.New(web.Config{Store: o.st, Templates: tmpl, Logger: log, Judging: o.st, Verifier: o.svc}))
	t.Cleanup(direct.Close)
	for i := 0; i < 5; i++ {
		lookup(direct.URL, fmt.Sprintf("192.0.2.%d", i+1))
	}
	if code := lookup(direct.URL, "192.0.2.99"); code != 429 {
		t.Fatalf("a forged X-Forwarded-For bought a fresh budget: %d", code)
	}
	if _, err := web.ParseTrustedProxies("10.0.0.0/8, nginx"); err == nil || !strings.Contains(err.Error(), `"nginx"`) {
		t.Fatalf("a bad proxy entry: %v", err)
	}
}
