package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"skillscore/idnumber"
	"skillscore/store"
	"skillscore/web"
)

// maxUploadPeakKB is the ceiling on the server's peak resident memory
// (VmHWM) through every hostile upload: it starts near 40 MB.
const maxUploadPeakKB = 300 << 10

// hostileXLSX is a workbook with a header row and 20,000 rows that each
// hold one cell in column XFD, the last Excel allows: about 100 KB, and a
// reader that pads every row to its last column holds 16,384 cells a row.
func hostileXLSX(t *testing.T) []byte {
	t.Helper()
	var rows strings.Builder
	rows.WriteString(`<row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c><c r="B1" t="inlineStr"><is><t>证件号码</t></is></c></row>`)
	for r := 2; r <= 20001; r++ {
		fmt.Fprintf(&rows, `<row r="%d"><c r="XFD%d" t="inlineStr"><is><t>x</t></is></c></row>`, r, r)
	}
	return xlsxOf(t, rows.String())
}

// xlsxOf wraps a worksheet's rows (the XML inside <sheetData>) in the
// least of a workbook Excel opens.
func xlsxOf(t *testing.T, rows string) []byte {
	t.Helper()
	sheet := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
		`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` + rows + `</sheetData></worksheet>`
	parts := []struct{ name, body string }{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
			`<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
			`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
			`<Default Extension="xml" ContentType="application/xml"/>` +
			`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
			`<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>` +
			`</Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
			`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>` +
			`</Relationships>`},
		{"xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
			`<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">` +
			`<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`},
		{"xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
			`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>` +
			`</Relationships>`},
		{"xl/worksheets/sheet1.xml", sheet},
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range parts {
		w, err := zw.Create(p.name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(w, p.body); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// commaCSVs are two 19 MB files of commas: a header and one line of 19
// million commas, and 1,160 lines of 16,383 commas (what Excel writes for
// a sheet with a stray cell in its last column).
func commaCSVs() map[string][]byte {
	one := append([]byte("姓名,证件号码\n"), bytes.Repeat([]byte{','}, 19_000_000)...)
	line := append(bytes.Repeat([]byte{','}, 16383), '\n')
	many := append([]byte("姓名,证件号码"+strings.Repeat(",", 16381)+"\n"), bytes.Repeat(line, 1160)...)
	return map[string][]byte{"一行逗号.csv": one, "多行逗号.csv": many}
}

// peakKB reads the process's peak resident set size (VmHWM).
func peakKB(t *testing.T, pid int) int {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatalf("read the server's status (did it die?): %v", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			n, err := strconv.Atoi(f[1])
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatal("no VmHWM in /proc status")
	return 0
}

// stored is everything an import could have written for the event.
type stored struct {
	Audit, Contestants, Judges, Scores, RosterImports int
	Rules                                             string
}

func storedOf(t *testing.T, st *store.Store, eventID int64) stored {
	t.Helper()
	ctx := context.Background()
	var s stored
	au, err := st.AuditTrail(ctx, eventID)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := st.Contestants(ctx, eventID)
	if err != nil {
		t.Fatal(err)
	}
	js, err := st.Judges(ctx, eventID)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := st.ImportedScores(ctx, eventID)
	if err != nil {
		t.Fatal(err)
	}
	ri, err := st.RosterImports(ctx, eventID)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := st.Event(ctx, eventID)
	if err != nil {
		t.Fatal(err)
	}
	s.Audit, s.Contestants, s.Judges, s.Scores, s.RosterImports, s.Rules = len(au), len(cs), len(js), len(sc), len(ri), ev.Rules
	return s
}

// TestHostileUploadsKeepServerMemoryBounded uploads the workbook and the
// comma files to every import of the real server (roster, theory scores,
// judges, rubric): each is refused naming the limit it passed, the server's
// peak memory stays under 300 MB, it still answers /healthz and nothing is
// stored.
func TestHostileUploadsKeepServerMemoryBounded(t *testing.T) {
	db, st, ev := importEvent(t)
	hash, err := web.HashPassword("organizer-pass")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateUser(context.Background(), store.User{Username: "org", Name: "组织者", Role: web.RoleOrganizer, PasswordHash: hash}, "test"); err != nil {
		t.Fatal(err)
	}
	before := storedOf(t, st, ev.ID)
	xlsx := hostileXLSX(t)
	t.Logf("workbook %d KB", len(xlsx)>>10)
	files := []struct {
		name string
		data []byte
	}{{"名单.xlsx", xlsx}}
	for _, name := range []string{"一行逗号.csv", "多行逗号.csv"} {
		files = append(files, struct {
			name string
			data []byte
		}{name, commaCSVs()[name]})
	}
	imps := []struct {
		what, path string
		fields     map[string]string
	}{
		{"roster", "/events/" + ev.Code + "/roster/upload", nil},
		{"scores", "/events/" + ev.Code + "/imports/scores", map[string]string{"module": "T"}},
		{"judges", "/events/" + ev.Code + "/imports/judges", nil},
		{"rubric", "/events/" + ev.Code + "/setup/rubric", nil},
		// The set-up form's new judged module comes with its rubric sheet.
		{"setup", "/events/" + ev.Code + "/setup", map[string]string{"rules": before.Rules, "module.new.code": "D",
			"module.new.name": "实操D 心理支持", "module.new.part": "practical", "module.new.max": "100", "module.new.weight": "10"}},
	}
	// A fresh server for each upload, so each peak is that upload's own.
	for _, imp := range imps {
		for _, f := range files {
			t.Run(imp.what+"/"+f.name, func(t *testing.T) {
				hostileUpload(t, db, ev.Code, imp.what, imp.path, imp.fields, f.name, f.data)
			})
		}
	}

	if after := storedOf(t, st, ev.ID); !reflect.DeepEqual(after, before) {
		t.Errorf("refused uploads changed what is stored:\nbefore %+v\nafter  %+v", before, after)
	}
}

// largestRoster is a roster at the bounds: 49,990 people (a title row
// above the header) with 20 columns, every cell its own text, a 63 MB
// worksheet: the most a file may hold.
func largestRoster(t *testing.T) []byte {
	t.Helper()
	const rows, cols = 49_990, 20
	var b strings.Builder
	cell := func(col, row int, v string) {
		fmt.Fprintf(&b, `<c r="%s%d" t="inlineStr"><is><t>%s</t></is></c>`, string(rune('A'+col)), row, v)
	}
	b.WriteString(`<row r="1">`)
	cell(0, 1, "2026年江西省养老护理员职业技能竞赛报名表")
	b.WriteString(`</row><row r="2">`)
	for c, h := range []string{"姓名", "身份证号码", "设区市", "组别"} {
		cell(c, 2, h)
	}
	for c := 4; c < cols; c++ {
		cell(c, 2, fmt.Sprintf("备注%d", c))
	}
	b.WriteString(`</row>`)
	for r := 3; r < rows+3; r++ {
		fmt.Fprintf(&b, `<row r="%d">`, r)
		cell(0, r, fmt.Sprintf("选手%05d", r))
		id, err := idnumber.Make("360102", time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, r/500), r%500)
		if err != nil {
			t.Fatal(err)
		}
		cell(1, r, id)
		cell(2, r, "南昌")
		cell(3, r, "职工组")
		for c := 4; c < cols; c++ {
			cell(c, r, fmt.Sprintf("第%05d行第%02d列", r, c))
		}
		b.WriteString(`</row>`)
	}
	return xlsxOf(t, b.String())
}

// TestLargestRosterKeepsServerMemoryBounded checks the bounds themselves:
// a roster as large as they allow is read and checked whole by the real
// server's dry run with its peak memory under 300 MB.
func TestLargestRosterKeepsServerMemoryBounded(t *testing.T) {
	db, st, ev := importEvent(t)
	hash, err := web.HashPassword("organizer-pass")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateUser(context.Background(), store.User{Username: "org", Name: "组织者", Role: web.RoleOrganizer, PasswordHash: hash}, "test"); err != nil {
		t.Fatal(err)
	}
	data := largestRoster(t)
	hostileUpload(t, db, ev.Code, "roster", "/events/"+ev.Code+"/roster/upload", nil, "最大名单.xlsx", data)
}

// hostileUpload starts a server, sends one file to one import and checks
// the refusal, the server's peak memory and that it still serves.
func hostileUpload(t *testing.T, db, event, what, path string, fields map[string]string, name string, data []byte) {
	t.Helper()
	p := start(t, "serve", "--addr", "127.0.0.1:0", "--db", db)
	stuck := false
	defer func() {
		if !stuck {
			p.stop(t)
			return
		}
		// A server stuck reading the file does not stop on SIGTERM.
		p.cmd.Process.Kill()
		<-p.done
	}()
	org, csrf := session(t, p.base, "org", "organizer-pass", "/events/"+event+"/roster")
	org.Timeout = 2 * time.Minute
	org.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	pid := p.cmd.Process.Pid
	idle := peakKB(t, pid)
	peak := func() int {
		t.Helper()
		kb := peakKB(t, pid)
		t.Logf("%s %s (%d KB): server peak %d MB (idle %d MB)", what, name, len(data)>>10, kb>>10, idle>>10)
		if kb > maxUploadPeakKB {
			t.Errorf("%s %s: server peak memory %d MB, over %d MB", what, name, kb>>10, maxUploadPeakKB>>10)
		}
		return kb
	}

	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf", csrf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	field := "file"
	if what == "setup" {
		field = "module.new.rubric"
	}
	fw, err := mw.CreateFormFile(field, name)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(data)
	mw.Close()
	resp, err := org.Post(p.base+path, mw.FormDataContentType(), &body)
	if err != nil {
		peak()
		stuck = true
		t.Errorf("%s %s (did the server die?): %v\nstderr tail: %s", what, name, err, tail(p.stderr.String()))
		return
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	status, msg := resp.StatusCode, string(b)
	if what == "roster" {
		// The roster runs its dry run in the background: the upload
		// answers with the job, whose status tells the verdict.
		loc := resp.Header.Get("Location")
		i := strings.Index(loc, "job=")
		if status != http.StatusSeeOther || i < 0 {
			t.Fatalf("roster upload %s: %d %q", name, status, loc)
		}
		job := loc[i+len("job="):]
		var v struct{ State, Error, Code string }
		deadline := time.Now().Add(2 * time.Minute)
		for {
			resp, err := org.Get(p.base + "/api/v1/events/" + event + "/roster/jobs/" + job)
			if err != nil {
				peak()
				stuck = true
				t.Errorf("roster job %s (did the server die?): %v\nstderr tail: %s", name, err, tail(p.stderr.String()))
				return
			}
			err = json.NewDecoder(resp.Body).Decode(&v)
			resp.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			if v.State != "running" {
				break
			}
			if time.Now().After(deadline) {
				peak()
				stuck = true
				t.Errorf("roster job %s still running after 2 minutes", name)
				return
			}
			time.Sleep(50 * time.Millisecond) // polling the job's state, bounded by the deadline
		}
		status, msg = map[string]int{"too_large": 413, "unprocessable": 422, "invalid": 400}[v.Code], v.State+" "+v.Error
	}
	limit := map[string]string{"名单.xlsx": "64 列上限", "一行逗号.csv": "每行 64 KB 上限"}[name]
	switch {
	case name == "最大名单.xlsx":
		// Within every bound: the dry run checks every row.
		if !strings.HasPrefix(msg, "done") {
			t.Errorf("%s %s: %s, want the dry run done", what, name, tail(msg))
		}
	case strings.HasSuffix(name, ".xlsx") || what == "roster" && name == "一行逗号.csv":
		// Read, and past a bound: refused naming it.
		if what == "setup" {
			// A problem of the set-up form is shown at its field, the
			// form answering 400 as for any other field.
			if status != 400 || !strings.Contains(msg, limit) {
				t.Errorf("%s %s: %d, want the form refused naming %q:\n%s", what, name, status, limit, tail(msg))
			}
		} else if status != 413 && status != 422 || !strings.Contains(msg, limit) {
			t.Errorf("%s %s: %d, want 413/422 naming %q:\n%s", what, name, status, limit, tail(msg))
		}
	case status < 400 || status >= 500:
		// Lines padded with commas are within the bounds (the empty
		// fields are dropped) and lack the roster's columns; the other
		// imports take only workbooks. Either way: refused.
		t.Errorf("%s %s: %d, want refused:\n%s", what, name, status, tail(msg))
	}
	peak()
	if code, body := get(t, p.base+"/healthz"); code != 200 {
		t.Fatalf("%s %s: /healthz %d %s", what, name, code, body)
	}
}

func tail(s string) string {
	if len(s) > 2000 {
		return s[len(s)-2000:]
	}
	return s
}
