package web_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"skillscore/exports"
	"skillscore/internal/testenv"
	"skillscore/report"
	"skillscore/report/reporttest"
	"skillscore/store"
	"skillscore/templates"
	"skillscore/web"
)

type reportOffice struct {
	t   *testing.T
	f   *reporttest.Fixture
	srv *httptest.Server
}

// newReportOffice serves the report fixture's batch with the users org
// (organizer), sup (督导员 of the batch) and chief (裁判长, site-wide).
func newReportOffice(t *testing.T, opt reporttest.Options) *reportOffice {
	t.Helper()
	st := testenv.SQLite(t)
	f := reporttest.New(t, st, t.TempDir(), opt)
	addStaff(t, st, "org", "chief")
	hash, err := web.HashPassword("pass-sup")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateUserWithGrant(context.Background(), store.User{Username: "sup", Name: "督导甲", Role: web.RoleSupervisor, PasswordHash: hash},
		store.Grant{Role: web.RoleSupervisor, EventID: &f.Event.ID}, "test"); err != nil {
		t.Fatal(err)
	}
	tmpl, err := templates.New()
	if err != nil {
		t.Fatal(err)
	}
	reports := report.New(report.Config{Store: st, Photos: f.Photos, Body: report.BodyOf(reporttest.Issuer, reporttest.Numbering()),
		Now: func() time.Time { return time.Date(2026, 7, 2, 1, 30, 0, 0, time.UTC) }})
	w := web.New(web.Config{Store: st, Templates: tmpl, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Judging: st,
		Personal: st, Reports: reports})
	srv := httptest.NewServer(w)
	t.Cleanup(w.Close)
	t.Cleanup(srv.Close)
	return &reportOffice{t: t, f: f, srv: srv}
}

func (o *reportOffice) as(user string) *browser {
	b := (&certOffice{t: o.t, srv: o.srv}).browser()
	if code := b.login(user, "pass-"+user); code != http.StatusSeeOther {
		o.t.Fatalf("login %s: %d", user, code)
	}
	return b
}

func (b *browser) download(path string) (int, http.Header, []byte) {
	b.t.Helper()
	resp, err := b.c.Get(b.base + path)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, data
}

// TestBatchReportPageAndDownloads: the organizer sees the check and takes
// the data, the photos and every paper; each data file is recorded; a
// 督导员 sees the page without the files, a chief judge not even that.
func TestBatchReportPageAndDownloads(t *testing.T) {
	o := newReportOffice(t, reporttest.Complete)
	base := "/events/" + o.f.Event.Code + "/batch/report"
	org := o.as("org")
	code, body := org.get(base)
	if code != 200 || !strings.Contains(body, "3 张证书的必填项齐全") || !strings.Contains(body, `id="data-xlsx"`) ||
		!strings.Contains(body, "RD2026-001") || !strings.Contains(body, "S000036000001") {
		t.Fatalf("page %d:\n%s", code, body)
	}
	for _, p := range o.f.People {
		if !strings.Contains(body, p.Name) {
			t.Errorf("page does not list %s", p.Name)
		}
		if strings.Contains(body, p.IDNumber) {
			t.Errorf("page shows %s's full 证件号码", p.Name)
		}
	}

	code, hdr, data := org.download(base + "/data-xlsx")
	if code != 200 || !strings.Contains(hdr.Get("Content-Disposition"), "attachment") {
		t.Fatalf("data-xlsx: %d %v", code, hdr)
	}
	x, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := x.GetRows("证书数据")
	x.Close()
	if len(rows) != exports.HeaderRow+len(o.f.Certs) {
		t.Fatalf("%d rows", len(rows))
	}
	var doc report.Document
	code, _, data = org.download(base + "/data-json")
	if err := json.Unmarshal(data, &doc); code != 200 || err != nil || doc.Count != len(o.f.Certs) {
		t.Fatalf("data-json: %d %v %+v", code, err, doc)
	}
	code, hdr, data = org.download(base + "/photos-zip")
	if code != 200 || hdr.Get("Content-Type") != "application/zip" {
		t.Fatalf("photos-zip: %d %v", code, hdr)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range zr.File {
		if e.Name != doc.Certificates[i].PhotoFile {
			t.Errorf("zip entry %s, the data names %s", e.Name, doc.Certificates[i].PhotoFile)
		}
	}
	for _, k := range report.Documents() {
		code, hdr, data := org.download(base + "/" + k.Code)
		if code != 200 || len(data) == 0 || !strings.Contains(hdr.Get("Content-Disposition"), "RD2026-001-") {
			t.Errorf("%s: %d %v", k.Code, code, hdr)
		}
		if !strings.Contains(body, `data-doc="`+k.Code+`"`) {
			t.Errorf("page has no link to %s", k.Code)
		}
	}
	_, zhang := o.f.Holder("张丽")
	one := base + "/transcripts/" + strconv.FormatInt(zhang.ID, 10)
	if !strings.Contains(body, `href="`+one+`"`) {
		t.Error("page has no link to 张丽's 成绩单")
	}
	if code, hdr, _ := org.download(one); code != 200 || hdr.Get("Content-Type") != "application/pdf" {
		t.Errorf("transcript: %d %v", code, hdr)
	}
	if code, _ := org.get(base + "/transcripts/999999"); code != http.StatusNotFound {
		t.Errorf("unknown candidate: %d", code)
	}
	if code, _ := org.get(base + "/rooms-pdf"); code != http.StatusBadRequest {
		t.Errorf("unknown file: %d", code)
	}

	trail, err := o.f.Store.AuditTrail(context.Background(), o.f.Event.ID)
	if err != nil {
		t.Fatal(err)
	}
	var what []string
	for _, e := range trail {
		if e.Action == "personal.export" {
			what = append(what, e.Actor+" "+e.Subject)
		}
	}
	if strings.Join(what, ",") != "org report-xlsx,org report-json,org report-photos" {
		t.Errorf("personal.export entries %q", what)
	}

	sup := o.as("sup")
	code, body = sup.get(base)
	if code != 200 || !strings.Contains(body, "必填项齐全") || strings.Contains(body, `id="data-xlsx"`) || !strings.Contains(body, `id="organizer-only"`) {
		t.Errorf("督导员's page %d", code)
	}
	for _, p := range []string{"/data-xlsx", "/data-json", "/photos-zip", "/summary-pdf", "/transcripts/" + strconv.FormatInt(zhang.ID, 10)} {
		if code, _ := sup.get(base + p); code != http.StatusForbidden {
			t.Errorf("督导员 GET %s: %d, want 403", p, code)
		}
	}
	chief := o.as("chief")
	if code, _ := chief.get(base); code != http.StatusForbidden {
		t.Errorf("chief: %d", code)
	}
	if code, _ := chief.get(base + "/data-json"); code != http.StatusForbidden {
		t.Errorf("chief data-json: %d, want 403", code)
	}
}

// TestBatchReportPageNamesEveryProblem: the page lists every incomplete
// certificate and offers no data download; a download asked for anyway
// is refused with the problems and records nothing.
func TestBatchReportPageNamesEveryProblem(t *testing.T) {
	o := newReportOffice(t, reporttest.Options{NoGender: true, NoPhoto: true})
	base := "/events/" + o.f.Event.Code + "/batch/report"
	org := o.as("org")
	code, body := org.get(base)
	if code != 200 || !strings.Contains(body, "3 张证书的数据不全或不符") || strings.Contains(body, `id="data-xlsx"`) {
		t.Fatalf("page %d:\n%s", code, body)
	}
	for _, s := range []string{"李秀英）：缺少职业编码", "王建国）：缺少性别、职业编码", "陈静）：缺少职业编码、照片文件名", "（未填职业编码）"} {
		if !strings.Contains(body, s) {
			t.Errorf("page lacks %q", s)
		}
	}
	code, body = org.get(base + "/data-xlsx")
	if code != http.StatusBadRequest || !strings.Contains(body, "王建国）：缺少性别、职业编码") {
		t.Errorf("refused download: %d", code)
	}
	if code, _ := org.get(base + "/photos-zip"); code != http.StatusBadRequest {
		t.Errorf("refused photos: %d", code)
	}
	trail, _ := o.f.Store.AuditTrail(context.Background(), o.f.Event.ID)
	for _, e := range trail {
		if e.Action == "personal.export" {
			t.Errorf("a refused download recorded %s", e.Subject)
		}
	}
	// The papers need no complete certificate data.
	if code, _, _ := org.download(base + "/summary-pdf"); code != 200 {
		t.Errorf("summary-pdf: %d", code)
	}
}

// TestBatchReportOnlyForBatches: a competition has no batch report.
func TestBatchReportOnlyForBatches(t *testing.T) {
	o := newReportOffice(t, reporttest.Complete)
	org := o.as("org")
	ev, err := o.f.Store.CreateEvent(context.Background(), store.NewEvent{Event: store.Event{Code: "jx-comp", Name: "竞赛", Kind: "competition",
		Occupation: "养老护理员", Year: 2026, Rules: `{"modules":[]}`}, Groups: []store.Group{{Code: "all", Name: "全体"}}}, "test")
	if err != nil {
		t.Fatal(err)
	}
	if code, _ := org.get("/events/" + ev.Code + "/batch/report"); code != http.StatusBadRequest {
		t.Errorf("competition: %d", code)
	}
}
