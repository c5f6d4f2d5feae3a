package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"skillscore/exports"
	"skillscore/idnumber"
	"skillscore/results"
)

// TestExportDownloads: the organizer downloads the results workbook (its
// totals are results.Compute's) and the audit CSV; the promotion list is
// refused before publication; a chief judge may not export.
func TestExportDownloads(t *testing.T) {
	o := newRosterOffice(t)
	base := "/events/" + o.demo.Code + "/exports/"
	chief := o.browser()
	chief.login("chief", "pass-chief")
	if code, _ := chief.get(base + "results-xlsx"); code != http.StatusForbidden {
		t.Fatalf("chief exports: %d, want 403", code)
	}
	org := o.browser()
	if code := org.login("org", "pass-org"); code != http.StatusSeeOther {
		t.Fatalf("organizer login: %d", code)
	}
	if _, body := org.get("/events/" + o.demo.Code + "/roster"); !strings.Contains(body, `href="/events/`+o.demo.Code+`/exports/results-pdf"`) {
		t.Fatal("the roster page has no export links")
	}
	resp, err := org.c.Get(org.base + base + "results-xlsx")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	buf.ReadFrom(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") ||
		!strings.Contains(resp.Header.Get("Content-Type"), "spreadsheetml") {
		t.Fatalf("results-xlsx: %d %v", resp.StatusCode, resp.Header)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows("成绩汇总表")
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	snap, err := o.st.Snapshot(context.Background(), o.demo.ID)
	if err != nil {
		t.Fatal(err)
	}
	want, err := results.Compute(snap)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != exports.HeaderRow+len(want.Result.Contestants) {
		t.Fatalf("%d rows for %d contestants", len(rows), len(want.Result.Contestants))
	}
	tc := 5 + len(want.Rules.Modules)
	for i, c := range want.Result.Contestants {
		if got, total := rows[exports.HeaderRow+i][tc], results.TotalText(c, results.Plain); got != total {
			t.Errorf("row %d total %q, want %q", i, got, total)
		}
	}
	if code, body := org.get(base + "audit-csv"); code != 200 || !strings.HasPrefix(body, "\uFEFF序号,") {
		t.Fatalf("audit-csv: %d %.40q", code, body)
	}
	if code, body := org.get(base + "promotions-xlsx"); code != http.StatusConflict || !strings.Contains(body, "尚未最终确认") {
		t.Fatalf("promotions before the final results: %d", code)
	}
	if code, body := org.get(base + "names"); code != http.StatusBadRequest || !strings.Contains(body, "未知的导出类型") {
		t.Fatalf("unknown export: %d", code)
	}
}

// TestRosterUploadOverHTTP: the progress endpoint reports a finished dry
// run, and out-of-order or forged requests are refused with nothing stored.
func TestRosterUploadOverHTTP(t *testing.T) {
	o := newRosterOffice(t)
	page := "/events/" + o.ev.Code + "/roster"
	chief := o.browser()
	chief.login("chief", "pass-chief")
	if code, _ := chief.get(page); code != http.StatusForbidden {
		t.Fatalf("chief on the roster page: %d", code)
	}
	org := o.browser()
	org.login("org", "pass-org")
	if code, _ := org.get(page); code != 200 {
		t.Fatalf("roster page: %d", code)
	}
	csv := "\uFEFF姓名,性别,身份证号码,工作单位,设区市,组别\r\n赵六,男," + testID(t, 41) + ",萍乡养老院,萍乡,职工组\r\n钱七,女,12345,新余福利院,新余,职工组\r\n"
	token := org.csrf
	org.csrf = "forged"
	if code, _ := org.upload(page+"/upload", "名单.csv", []byte(csv)); code != http.StatusForbidden {
		t.Fatalf("upload without the CSRF token: %d", code)
	}
	org.csrf = token
	if code, body := org.post(page+"/upload", url.Values{"csrf": {org.csrf}}); code != http.StatusBadRequest || !strings.Contains(body, "请选择") {
		t.Fatalf("upload without a file: %d", code)
	}
	resp := org.uploadResp(page+"/upload", "名单.csv", []byte(csv))
	loc := resp.Header.Get("Location")
	job := strings.TrimPrefix(loc, page+"?job=")
	if resp.StatusCode != http.StatusSeeOther || job == loc || job == "" {
		t.Fatalf("upload: %d Location %q", resp.StatusCode, loc)
	}
	var st struct {
		State    string `json:"state"`
		DryRun   bool   `json:"dry_run"`
		Error    string `json:"error"`
		Progress struct {
			Stage       string
			Done, Total int
		} `json:"progress"`
	}
	status := "/api/v1/events/" + o.ev.Code + "/roster/jobs/" + job
	deadline := time.Now().Add(10 * time.Second)
	for st.State == "" || st.State == "running" {
		if time.Now().After(deadline) {
			t.Fatalf("the dry run is still %q", st.State)
		}
		code, body := org.get(status)
		if code != 200 {
			t.Fatalf("status: %d %s", code, body)
		}
		if err := json.Unmarshal([]byte(body), &st); err != nil {
			t.Fatal(err)
		}
	}
	if st.State != "failed" || !st.DryRun || st.Progress.Total != 2 || st.Progress.Done != 2 || !strings.Contains(st.Error, "不合格") {
		t.Fatalf("status %+v, want a failed dry run of 2 rows", st)
	}
	if _, body := org.get(page + "?job=" + job); !strings.Contains(body, "id_length") || !strings.Contains(body, `data-row="3"`) {
		t.Fatal("the page does not show row 3's id_length")
	}
	if code, body := org.post(page+"/jobs/"+job+"/import", url.Values{"csrf": {org.csrf}}); code != http.StatusConflict || !strings.Contains(body, "未通过预检") {
		t.Fatalf("import after a failed dry run: %d", code)
	}
	if code, _ := org.post(page+"/jobs/nosuchjob/import", url.Values{"csrf": {org.csrf}}); code != http.StatusConflict {
		t.Fatalf("import of an unknown job: %d", code)
	}
	if code, _ := org.get("/api/v1/events/" + o.ev.Code + "/roster/jobs/nosuchjob"); code != http.StatusNotFound {
		t.Fatalf("status of an unknown job: %d", code)
	}
	if n := rosterCount(t, o); n != 0 {
		t.Fatalf("%d contestants stored", n)
	}
}

// uploadResp posts a roster file as the page's form does and returns the
// response (its redirect names the job).
func (b *browser) uploadResp(path, name string, data []byte) *http.Response {
	b.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf", b.csrf)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	resp, err := b.c.Post(b.base+path, mw.FormDataContentType(), &body)
	if err != nil {
		b.t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// TestRosterImportStopsWithServer: Close cancels the background check of a
// large file and waits for it (the job is no longer running when Close
// returns), nothing is stored, and later uploads are refused.
func TestRosterImportStopsWithServer(t *testing.T) {
	o := newRosterOffice(t)
	page := "/events/" + o.ev.Code + "/roster"
	org := o.browser()
	org.login("org", "pass-org")
	org.get(page)
	var csv strings.Builder
	csv.WriteString("姓名,性别,身份证号码,工作单位,设区市,组别\n")
	const rows = 3000
	for i := range rows {
		id, err := idnumber.Make("360102", time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i/500), i%500*2+1)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&csv, "选手%d,男,%s,南昌养老院,南昌,职工组\n", i, id)
	}
	resp := org.uploadResp(page+"/upload", "large.csv", []byte(csv.String()))
	job := strings.TrimPrefix(resp.Header.Get("Location"), page+"?job=")
	closed := make(chan struct{})
	go func() {
		o.web.Close()
		close(closed)
	}()
	select {
	case <-closed:
	case <-time.After(20 * time.Second):
		t.Fatal("Close did not return: the import goroutine was not stopped")
	}
	code, body := org.get("/api/v1/events/" + o.ev.Code + "/roster/jobs/" + job)
	cancelled := strings.Contains(body, `"state":"failed"`) && strings.Contains(body, "名单处理已取消")
	if code != 200 || !cancelled && !strings.Contains(body, `"state":"done"`) {
		t.Fatalf("after Close the job is %d %s, want cancelled (or done)", code, body)
	}
	t.Logf("cancelled mid-check: %v", cancelled)
	if n := rosterCount(t, o); n != 0 {
		t.Fatalf("%d contestants stored by a dry run", n)
	}
	if code, body := org.upload(page+"/upload", "other.csv", []byte("x")); code != http.StatusServiceUnavailable || !strings.Contains(body, "服务正在停止") {
		t.Fatalf("upload after Close: %d", code)
	}
}
