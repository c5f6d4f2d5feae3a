package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"skillscore/certificates"
	"skillscore/internal/testenv"
)

// The demo's stand-in 评价机构代码 is marked 演示 on the public verify page,
// in its JSON and on the organizer's certificate page; award certificates,
// which do not carry it, are not.
func TestDemoBodyCodesAreMarked(t *testing.T) {
	o := newCertOfficeWith(t, certificates.DemoNumbering(), true)
	var level, award *int
	for i, c := range o.certs {
		switch {
		case c.Kind == certificates.KindLevel && level == nil:
			level = &i
		case c.Kind == certificates.KindAward && award == nil:
			award = &i
		}
	}
	if level == nil || award == nil {
		t.Fatalf("the demo event issued %d certificates, not both kinds", len(o.certs))
	}
	b := o.browser()
	lc, ac := o.certs[*level], o.certs[*award]
	if _, body := b.get("/verify?t=" + url.QueryEscape(lc.Token)); !strings.Contains(body, `<span class="demo-tag">演示</span>`) ||
		!strings.Contains(body, "演示证书：编号中的评价机构代码和序列码为演示值") {
		t.Fatalf("verify page of a demo level certificate is not marked:\n%s", body)
	}
	if _, body := b.get("/verify?t=" + url.QueryEscape(ac.Token)); strings.Contains(body, `<span class="demo-tag">`) || strings.Contains(body, "演示证书") {
		t.Fatal("an award certificate is marked 演示")
	}
	var r apiResult
	resp, err := http.Get(o.srv.URL + "/api/v1/certificates/verify?number=" + url.QueryEscape(lc.Number) + "&name=" + url.QueryEscape(lc.Name))
	if code := apiJSON(t, resp, err, &r); code != 200 || len(r.Certificates) != 1 || !r.Certificates[0].Demo {
		t.Fatalf("API: %d %+v", code, r)
	}
	org := o.browser()
	if code := org.login("org", "pass-org"); code != 303 {
		t.Fatalf("organizer login: %d", code)
	}
	_, body := org.get("/events/" + o.ev.Code + "/certificates")
	if !strings.Contains(body, `id="demo-body"`) || !strings.Contains(body, "评价机构代码为演示值（S 0000 36 000001）") ||
		!strings.Contains(body, `职业技能等级证书<span class="demo-tag">演示</span>`) || strings.Contains(body, `id="body-unset"`) {
		t.Fatalf("certificate page does not mark the demo codes:\n%s", body)
	}
}

// While the 评价机构代码 and 序列码 are unset the certificate page says so,
// naming the settings, and the batch fails with the same words.
func TestBodyUnsetIsNamedOnTheCertificatePage(t *testing.T) {
	o := newCertOfficeWith(t, certificates.DefaultNumbering(), false)
	org := o.browser()
	if code := org.login("org", "pass-org"); code != 303 {
		t.Fatalf("organizer login: %d", code)
	}
	page := "/events/" + o.ev.Code + "/certificates"
	_, body := org.get(page)
	if !strings.Contains(body, `id="body-unset"`) || !strings.Contains(body, "不能签发职业技能等级证书：尚未设置评价机构代码") ||
		!strings.Contains(body, "--cert-body-serial") || strings.Contains(body, `id="demo-body"`) {
		t.Fatalf("certificate page does not name the unset codes:\n%s", body)
	}
	testenv.Final(t, o.st, o.ev.ID)
	if code, _ := org.post(page+"/batch", url.Values{"csrf": {org.csrf}}); code != 303 {
		t.Fatalf("start batch: %d", code)
	}
	var st certificates.BatchStatus
	deadline := time.Now().Add(60 * time.Second)
	for st.State == "" || st.State == "running" {
		if time.Now().After(deadline) {
			t.Fatalf("batch still %+v after 60 s", st)
		}
		resp, err := org.c.Get(o.srv.URL + "/api/v1/events/" + o.ev.Code + "/certificates/batch")
		if code := apiJSON(t, resp, err, &st); code != 200 {
			t.Fatalf("batch status %d %+v", code, st)
		}
		if st.State == "running" {
			time.Sleep(50 * time.Millisecond) // polling the condition, as the page does
		}
	}
	if st.State != "failed" || !strings.Contains(st.Error, "张职业技能等级证书待签发，未签发任何证书：尚未设置评价机构代码") {
		t.Fatalf("batch %+v, want failed naming the codes", st)
	}
	if certs, _ := o.st.EventCertificates(t.Context(), o.ev.ID); len(certs) != 0 {
		t.Fatalf("%d certificates issued", len(certs))
	}
}
