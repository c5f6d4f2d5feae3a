package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"skillscore/certificates"
	"skillscore/idnumber"
	"skillscore/internal/testenv"
	"skillscore/person"
	"skillscore/store"
	"skillscore/templates"
	"skillscore/web"
)

// lockedBuffer is a log sink tests read while the server writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// personOffice serves the demo event, its certificates issued, with the
// person pages on; its log is kept to be searched.
type personOffice struct {
	t     *testing.T
	st    *store.Store
	ev    store.Event
	srv   *httptest.Server
	log   *lockedBuffer
	certs []store.Certificate
}

func newPersonOffice(t *testing.T, ret person.Retention) *personOffice {
	t.Helper()
	ctx := context.Background()
	st, ev := testenv.Demo(t)
	addStaff(t, st, "org", "chief")
	dir := filepath.Join(t.TempDir(), "keys")
	if _, err := certificates.GenerateKey(dir, time.Now()); err != nil {
		t.Fatal(err)
	}
	kr, err := certificates.LoadKeyring(dir)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := certificates.New(certificates.Config{Store: st, Numbering: certificates.Numbering{Letter: "S", BodyCode: "0000", Province: "36", BodySerial: "000001"}, Issuer: "评价中心",
		AwardIssuers: "组委会", VerifyURL: "http://x/verify", Keys: kr})
	if err != nil {
		t.Fatal(err)
	}
	res, err := svc.Issue(ctx, ev.ID, "org")
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := templates.New()
	if err != nil {
		t.Fatal(err)
	}
	logs := &lockedBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv := httptest.NewServer(web.New(web.Config{Store: st, Templates: tmpl, Logger: log, Judging: st, Verifier: svc,
		Certificates: svc, Personal: st, Person: person.New(person.Config{Store: st, Reissue: svc.Reissuer(), Purge: st, Retention: ret})}))
	t.Cleanup(srv.Close)
	return &personOffice{t: t, st: st, ev: ev, srv: srv, log: logs, certs: res.Certificates}
}

func (o *personOffice) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: o.t, base: o.srv.URL, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

func TestPersonPageExportAndCorrection(t *testing.T) {
	o := newPersonOffice(t, nil)
	ctx := context.Background()
	var c store.Certificate
	for _, x := range o.certs {
		if x.Kind == certificates.KindLevel {
			c = x
		}
	}
	holder, err := o.st.Contestant(ctx, o.ev.ID, c.ContestantID)
	if err != nil {
		t.Fatal(err)
	}

	anon := o.browser()
	if code, _ := anon.get("/person"); code != http.StatusSeeOther {
		t.Fatalf("person page without login: %d", code)
	}
	chief := o.browser()
	loginTo(t, chief, "chief")
	if code, _ := chief.get("/person"); code != http.StatusForbidden {
		t.Fatalf("person page as chief judge: %d", code)
	}

	b := o.browser()
	loginTo(t, b, "org")
	code, body := b.get("/person")
	if code != 200 || !strings.Contains(body, "个人信息查阅与更正") || !strings.Contains(body, `action="/person"`) {
		t.Fatalf("person page: %d\n%s", code, body)
	}
	if code, _ := b.get("/"); code != 200 {
		t.Fatal("index")
	}
	if _, idx := b.get("/"); !strings.Contains(idx, `href="/person"`) {
		t.Fatal("the organizer's index does not link the person page")
	}
	form := func(extra url.Values) url.Values {
		v := url.Values{"csrf": {b.csrf}, "id_number": {strings.ToLower(holder.IDNumber)}, "name": {holder.Name}}
		for k, vs := range extra {
			v[k] = vs
		}
		return v
	}
	if code, _ := b.post("/person", url.Values{"id_number": {holder.IDNumber}, "name": {holder.Name}}); code != http.StatusForbidden {
		t.Fatalf("lookup without the CSRF token: %d", code)
	}
	code, body = b.post("/person", form(nil))
	if code != 200 || !strings.Contains(body, idnumber.Mask(holder.IDNumber)) || !strings.Contains(body, c.Number) ||
		!strings.Contains(body, `name="contestant" value=`) {
		t.Fatalf("lookup: %d\n%s", code, body)
	}
	if strings.Count(body, holder.IDNumber) > 1 {
		t.Error("the lookup shows the full number beyond the form's own field")
	}
	code, body = b.post("/person", form(url.Values{"name": {"查无此人"}}))
	if code != 404 || !strings.Contains(body, "没有找到证件号码与姓名都相符的人员") {
		t.Fatalf("lookup of nobody: %d", code)
	}

	// The export: refused without a reason, then a file, recorded first.
	code, body = b.post("/person/export", form(url.Values{"format": {"json"}}))
	if code != 400 || !strings.Contains(body, "请填写原因") {
		t.Fatalf("export without a reason: %d", code)
	}
	trail, _ := o.st.AuditTrail(ctx, o.ev.ID)
	before := len(trail)
	resp, err := b.c.PostForm(b.base+"/person/export", form(url.Values{"format": {"json"}, "reason": {"查阅申请 2026-015"}}))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") ||
		resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("export: %d %v", resp.StatusCode, resp.Header)
	}
	if strings.Contains(resp.Header.Get("Content-Disposition"), url.PathEscape(holder.Name)) {
		t.Error("the file name names the person")
	}
	var x person.Export
	if err := json.Unmarshal(raw, &x); err != nil || len(x.Contestants) != 1 || x.Contestants[0].IDNumber != holder.IDNumber {
		t.Fatalf("export body: %v %s", err, raw)
	}
	trail, _ = o.st.AuditTrail(ctx, o.ev.ID)
	if len(trail) != before+1 || trail[len(trail)-1].Action != "personal.export" || trail[len(trail)-1].Actor != "org" {
		t.Fatalf("export audit: %+v", trail[before:])
	}
	resp, err = b.c.PostForm(b.base+"/person/export", form(url.Values{"format": {"xlsx"}, "reason": {"查阅申请 2026-015"}}))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Type"), "spreadsheetml") {
		t.Fatalf("xlsx export: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}

	// A correction: refused with a bad number, then done; the old paper
	// verifies as replaced.
	correct := url.Values{"csrf": {b.csrf}, "event": {o.ev.Code}, "contestant": {strconv.FormatInt(holder.ID, 10)}, "reason": {"报名表录入错误"},
		"id_number": {holder.IDNumber}, "name": {holder.Name}}
	bad := url.Values{"new_id_number": {"36010219900307002"}}
	for k, v := range correct {
		bad[k] = v
	}
	if code, body := b.post("/person/correct", bad); code != 400 || !strings.Contains(body, "应为 18 位") || !strings.Contains(body, `id="found"`) {
		t.Fatalf("a short number: %d (the page should show the person again with the reason)", code)
	}
	fix := url.Values{"new_name": {"张更正"}, "new_phone": {"13907910099"}}
	for k, v := range correct {
		fix[k] = v
	}
	resp, err = b.c.PostForm(b.base+"/person/correct", fix)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/person?msg=person-reissued.2.") {
		t.Fatalf("correction: %d %s", resp.StatusCode, loc)
	}
	if code, body := b.get(loc); code != 200 || !strings.Contains(body, "已更正 2 项信息") {
		t.Fatalf("after the correction: %d", code)
	}
	code, body = b.get("/verify?t=" + url.QueryEscape(c.Token))
	if code != 200 || !strings.Contains(body, "已更正换发，请以新证书为准") || !strings.Contains(body, `data-status="replaced"`) {
		t.Fatalf("old token after the correction: %d\n%s", code, body)
	}
	now, err := o.st.CertificateByNumber(ctx, c.Number)
	if err != nil {
		t.Fatal(err)
	}
	if code, body := b.get("/verify?t=" + url.QueryEscape(now.Token)); code != 200 || !strings.Contains(body, "张更正") ||
		!strings.Contains(body, "更正换发：此前印制的证书作废") {
		t.Fatalf("new token: %d\n%s", code, body)
	}
	// The log names neither the person nor their numbers, old or new.
	logs := o.log.String()
	for _, v := range []string{holder.IDNumber, strings.ToLower(holder.IDNumber), holder.Name, "张更正", "13907910099"} {
		if strings.Contains(logs, v) {
			t.Errorf("the log holds %q", v)
		}
	}
	if !strings.Contains(logs, "contestant corrected") {
		t.Error("the correction was not logged")
	}
}

// retentionAt is a settable retention period for the purge page.
type retentionAt struct{ ends time.Time }

func (r *retentionAt) RetentionEnds(context.Context, int64) (time.Time, bool, error) {
	return r.ends, true, nil
}

func TestPurgePageConfirmsAndRefusesBeforeTheEnd(t *testing.T) {
	ret := &retentionAt{ends: time.Now().Add(48 * time.Hour)}
	o := newPersonOffice(t, ret)
	ctx := context.Background()
	page := "/events/" + o.ev.Code + "/purge"
	chief := o.browser()
	loginTo(t, chief, "chief")
	if code, _ := chief.get(page); code != http.StatusForbidden {
		t.Fatalf("purge page as chief judge: %d", code)
	}
	b := o.browser()
	loginTo(t, b, "org")
	code, body := b.get(page)
	if code != 200 || !strings.Contains(body, "个人信息保存期限至 "+person.CNDate(ret.ends)+"，届满后方可清除") || strings.Contains(body, `id="purge-form"`) {
		t.Fatalf("before the end: %d\n%s", code, body)
	}
	// A forged post before the end is refused with the date too.
	code, body = b.post(page, url.Values{"csrf": {b.csrf}, "confirm": {"1"}, "code": {o.ev.Code}})
	if code != http.StatusConflict || !strings.Contains(body, person.CNDate(ret.ends)) {
		t.Fatalf("purge before the end: %d", code)
	}
	cs, _ := o.st.Contestants(ctx, o.ev.ID)
	if cs[0].IDNumber == "" {
		t.Fatal("a refused purge cleared data")
	}

	ret.ends = time.Now().Add(-time.Hour)
	code, body = b.get(page)
	if code != 200 || !strings.Contains(body, `id="purge-form"`) || !strings.Contains(body, "已于 "+person.CNDate(ret.ends)+" 届满") {
		t.Fatalf("after the end: %d\n%s", code, body)
	}
	if code, body := b.post(page, url.Values{"csrf": {b.csrf}, "confirm": {"1"}, "code": {"wrong"}}); code != 400 || !strings.Contains(body, "请勾选确认") {
		t.Fatalf("a wrong code: %d", code)
	}
	resp, err := b.c.PostForm(b.base+page, url.Values{"csrf": {b.csrf}, "confirm": {"1"}, "code": {o.ev.Code}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, page+"?msg=purged.") {
		t.Fatalf("purge: %d %s", resp.StatusCode, loc)
	}
	code, body = b.get(loc)
	if code != 200 || !strings.Contains(body, "已永久清除：选手 ") || !strings.Contains(body, `id="purged-at"`) ||
		!strings.Contains(body, `id="nothing-left"`) || strings.Contains(body, `id="purge-form"`) {
		t.Fatalf("after the purge: %d\n%s", code, body)
	}
	cs, _ = o.st.Contestants(ctx, o.ev.ID)
	for _, c := range cs {
		if c.IDNumber != "" || !strings.HasPrefix(c.Name, "已清除") {
			t.Fatalf("after the purge: %+v", c)
		}
	}
	if bad, _, err := o.st.VerifyAudit(ctx); err != nil || bad != 0 {
		t.Fatalf("chain: %d %v", bad, err)
	}
	// A purged number has nothing left to show: no 查看, which would only
	// record a view of nothing.
	code, body = b.get("/events/" + o.ev.Code + "/certificates")
	if code != 200 || !strings.Contains(body, "已清除") || strings.Contains(body, `class="reveal"`) {
		t.Fatalf("certificate page after the purge: %d, 查看 still offered or 已清除 missing", code)
	}
}
