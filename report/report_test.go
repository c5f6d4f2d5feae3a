package report_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"image"
	_ "image/png"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"skillscore"
	"skillscore/certificates"
	"skillscore/exports"
	"skillscore/idnumber"
	"skillscore/internal/testenv"
	"skillscore/report"
	"skillscore/report/reporttest"
	"skillscore/store"
)

var exportedAt = time.Date(2026, 7, 2, 1, 30, 0, 0, time.UTC)

func service(f *reporttest.Fixture, body report.Body) *report.Service {
	return report.New(report.Config{Store: f.Store, Photos: f.Photos, Body: body,
		Now: func() time.Time { return exportedAt }})
}

func body() report.Body { return report.BodyOf(reporttest.Issuer, reporttest.Numbering()) }

// want is what each holder's record must say, worked out from the
// fixture's own inputs rather than from the report's code.
func want(t *testing.T, f *reporttest.Fixture) []map[string]string {
	t.Helper()
	var out []map[string]string
	for _, c := range f.Certs {
		var p reporttest.Person
		for i, row := range f.Contestants {
			if row.ID == c.ContestantID {
				p = f.People[i]
			}
		}
		ext := ".jpg"
		if p.Photo == "png" {
			ext = ".png"
		}
		dec := func(v int64) string {
			return strings.TrimSuffix(strings.TrimRight(strconv.FormatFloat(float64(v)/10000, 'f', 4, 64), "0"), ".")
		}
		out = append(out, map[string]string{
			"certificate_number": c.Number, "name": p.Name, "gender": p.Gender, "id_type": "居民身份证", "id_number": p.IDNumber,
			"occupation": "养老护理员", "occupation_code": "4-10-01-05", "specialty": "", "level": "二级/技师",
			"theory_score": dec(p.Theory), "skills_score": dec(p.Skill), "review_score": dec(p.Review),
			"issuer_name": reporttest.Issuer, "issuer_code": "S000036000001", "issued_on": "2026-06-30",
			"photo_file": c.Number + ext,
		})
	}
	return out
}

func fixture(t *testing.T, opt reporttest.Options) *reporttest.Fixture {
	t.Helper()
	return reporttest.New(t, testenv.SQLite(t), t.TempDir(), opt)
}

// exportsOf lists the personal.export entries of the batch's audit trail.
func exportsOf(t *testing.T, f *reporttest.Fixture) []store.AuditEntry {
	t.Helper()
	trail, err := f.Store.AuditTrail(context.Background(), f.Event.ID)
	if err != nil {
		t.Fatal(err)
	}
	var out []store.AuditEntry
	for _, e := range trail {
		if e.Action == "personal.export" {
			out = append(out, e)
		}
	}
	return out
}

// holdersIn checks an audit entry names exactly the certificate holders,
// by contestant id.
func holdersIn(t *testing.T, f *reporttest.Fixture, e store.AuditEntry, what string) {
	t.Helper()
	var d struct {
		Contestants []int64 `json:"contestants"`
		Reason      string  `json:"reason"`
	}
	if err := json.Unmarshal([]byte(e.Detail), &d); err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, c := range f.Certs {
		ids = append(ids, c.ContestantID)
	}
	if e.Subject != what || !slices.Equal(d.Contestants, ids) || !strings.Contains(d.Reason, "RD2026-001") || e.Actor != "organizer" {
		t.Errorf("audit entry %s %s by %s %+v, want %s of %v", e.Action, e.Subject, e.Actor, d, what, ids)
	}
}

// TestExportXLSXReadsBack reads the workbook back with excelize and checks
// every field of every record against the fixture.
func TestExportXLSXReadsBack(t *testing.T) {
	f := fixture(t, reporttest.Complete)
	file, err := service(f, body()).Export(context.Background(), f.Event, report.FormatXLSX, "", "organizer")
	if err != nil {
		t.Fatal(err)
	}
	if file.Name != "RD2026-001-证书数据.xlsx" {
		t.Errorf("file name %q", file.Name)
	}
	x, err := excelize.OpenReader(bytes.NewReader(file.Data))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	rows, err := x.GetRows("证书数据")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(rows[0][0], "RD2026-001") || !strings.Contains(rows[0][0], "RD2026-001-照片.zip") {
		t.Errorf("title %q names neither the batch nor the photo ZIP", rows[0][0])
	}
	header := rows[exports.HeaderRow-1]
	wantHeader := []string{"证书编号", "姓名", "性别", "证件类型", "证件号码", "职业名称", "职业编码", "工种", "等级",
		"理论知识成绩", "操作技能成绩", "综合评审成绩", "评价机构名称", "评价机构代码", "发证日期", "照片文件名"}
	if !slices.Equal(header, wantHeader) {
		t.Fatalf("header %q,\nwant %q", header, wantHeader)
	}
	ws := want(t, f)
	if len(rows) != exports.HeaderRow+len(ws) {
		t.Fatalf("%d rows, want title, header and %d records", len(rows), len(ws))
	}
	for i, w := range ws {
		for j, fi := range report.Fields() {
			cell, _ := excelize.CoordinatesToCellName(j+1, exports.HeaderRow+1+i)
			got, err := x.GetCellValue("证书数据", cell)
			if err != nil {
				t.Fatal(err)
			}
			if got != w[fi.Key] {
				t.Errorf("record %d %s (%s) = %q, want %q", i+1, fi.Title, cell, got, w[fi.Key])
			}
			// Text cells: a 证件号码 must not become a number.
			if typ, _ := x.GetCellType("证书数据", cell); got != "" && typ != excelize.CellTypeSharedString && typ != excelize.CellTypeInlineString {
				t.Errorf("%s is stored as %v, not text", cell, typ)
			}
		}
	}
	es := exportsOf(t, f)
	if len(es) != 1 {
		t.Fatalf("%d personal.export entries, want 1", len(es))
	}
	holdersIn(t, f, es[0], "report-xlsx")
}

// TestExportJSONReadsBack decodes the JSON: its envelope, and each record
// with exactly the documented keys in order and the fixture's values.
func TestExportJSONReadsBack(t *testing.T) {
	f := fixture(t, reporttest.Complete)
	file, err := service(f, body()).Export(context.Background(), f.Event, report.FormatJSON, "报送照片.zip", "organizer")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Schema, BatchNo, Event, IssuerName, IssuerCode, ExportedAt, Photos string
		Count                                                              int
		Certificates                                                       []json.RawMessage
	}
	dec := json.NewDecoder(bytes.NewReader(file.Data))
	dec.DisallowUnknownFields()
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(file.Data, &raw); err != nil {
		t.Fatal(err)
	}
	for k, v := range raw {
		var dst any
		switch k {
		case "schema":
			dst = &doc.Schema
		case "batch_no":
			dst = &doc.BatchNo
		case "event":
			dst = &doc.Event
		case "issuer_name":
			dst = &doc.IssuerName
		case "issuer_code":
			dst = &doc.IssuerCode
		case "exported_at":
			dst = &doc.ExportedAt
		case "photos":
			dst = &doc.Photos
		case "count":
			dst = &doc.Count
		case "certificates":
			dst = &doc.Certificates
		default:
			t.Errorf("unexpected key %q", k)
			continue
		}
		if err := json.Unmarshal(v, dst); err != nil {
			t.Fatalf("%s: %v", k, err)
		}
	}
	ws := want(t, f)
	if doc.Schema != "skillscore.report/v1" || doc.BatchNo != "RD2026-001" || doc.Event != f.Event.Code ||
		doc.IssuerName != reporttest.Issuer || doc.IssuerCode != "S000036000001" || doc.ExportedAt != "2026-07-02T09:30:00+08:00" ||
		doc.Photos != "报送照片.zip" || doc.Count != len(ws) || len(doc.Certificates) != len(ws) {
		t.Fatalf("envelope %+v", doc)
	}
	var keys []string
	for _, fi := range report.Fields() {
		keys = append(keys, fi.Key)
	}
	for i, rec := range doc.Certificates {
		d := json.NewDecoder(bytes.NewReader(rec))
		if _, err := d.Token(); err != nil {
			t.Fatal(err)
		}
		var got []string
		vals := map[string]string{}
		for d.More() {
			k, _ := d.Token()
			var v string
			if err := d.Decode(&v); err != nil {
				t.Fatalf("record %d %v: %v", i, k, err)
			}
			got = append(got, k.(string))
			vals[k.(string)] = v
		}
		if !slices.Equal(got, keys) {
			t.Errorf("record %d keys %q,\nwant %q", i, got, keys)
		}
		for k, v := range ws[i] {
			if vals[k] != v {
				t.Errorf("record %d %s = %q, want %q", i, k, vals[k], v)
			}
		}
	}
	if es := exportsOf(t, f); len(es) != 1 {
		t.Fatalf("%d personal.export entries, want 1", len(es))
	} else {
		holdersIn(t, f, es[0], "report-json")
	}
}

// TestPhotosZIPAsTheExportNamesThem lists the ZIP: one entry per record,
// named as its photo_file says, holding the imported image unchanged.
func TestPhotosZIPAsTheExportNamesThem(t *testing.T) {
	f := fixture(t, reporttest.Complete)
	svc := service(f, body())
	ctx := context.Background()
	name, write, err := svc.Photos(ctx, f.Event, "organizer")
	if err != nil {
		t.Fatal(err)
	}
	if name != "RD2026-001-照片.zip" {
		t.Errorf("zip name %q", name)
	}
	var buf bytes.Buffer
	if err := write(ctx, &buf); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	ws := want(t, f)
	if len(zr.File) != len(ws) {
		t.Fatalf("%d entries, want %d", len(zr.File), len(ws))
	}
	for i, e := range zr.File {
		if e.Name != ws[i]["photo_file"] {
			t.Errorf("entry %d %q, want %q", i, e.Name, ws[i]["photo_file"])
		}
		rc, err := e.Open()
		if err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		got.ReadFrom(rc)
		rc.Close()
		if !bytes.Equal(got.Bytes(), f.Images[f.Certs[i].ContestantID]) {
			t.Errorf("entry %s is not the imported photo", e.Name)
		}
		if strings.Contains(e.Name, f.People[0].IDNumber[:6]+"1") {
			t.Errorf("entry %s looks like a 证件号码", e.Name)
		}
	}
	es := exportsOf(t, f)
	if len(es) != 1 {
		t.Fatalf("%d personal.export entries, want 1", len(es))
	}
	holdersIn(t, f, es[0], "report-photos")
}

// TestExportRefusesEveryProblem: records missing required fields are all
// named, each with every field it lacks; nothing is exported or recorded.
func TestExportRefusesEveryProblem(t *testing.T) {
	f := fixture(t, reporttest.Options{NoGender: true, NoPhoto: true})
	ctx := context.Background()
	svc := service(f, body())
	for _, format := range []string{report.FormatXLSX, report.FormatJSON} {
		_, err := svc.Export(ctx, f.Event, format, "", "organizer")
		if skillscore.ErrorCode(err) != skillscore.EInvalid {
			t.Fatalf("%s: %v, want a refusal", format, err)
		}
		ps := report.ProblemsOf(err)
		got := map[string][]string{}
		for _, p := range ps {
			got[p.Name] = p.Missing
		}
		wantMissing := map[string][]string{"李秀英": {"职业编码"}, "王建国": {"性别", "职业编码"}, "陈静": {"职业编码", "照片文件名"}}
		if len(ps) != 3 {
			t.Fatalf("%d problems %v, want 3", len(ps), ps)
		}
		for name, fs := range wantMissing {
			if !slices.Equal(got[name], fs) {
				t.Errorf("%s lacks %q, want %q", name, got[name], fs)
			}
		}
		msg := skillscore.ErrorMessage(err)
		for _, p := range ps {
			if !strings.Contains(msg, p.Number) {
				t.Errorf("message does not name %s: %s", p.Number, msg)
			}
		}
		for _, s := range []string{"王建国）：缺少性别、职业编码", "陈静）：缺少职业编码、照片文件名", "3 张证书"} {
			if !strings.Contains(msg, s) {
				t.Errorf("message lacks %q: %s", s, msg)
			}
		}
	}
	if _, _, err := svc.Photos(ctx, f.Event, "organizer"); report.ProblemsOf(err) == nil {
		t.Errorf("photos: %v, want the same refusal", err)
	}
	if es := exportsOf(t, f); len(es) != 0 {
		t.Errorf("refused exports recorded %d personal.export entries", len(es))
	}

	// The body's settings: a code part unset, and a name other than the
	// one the certificates were signed with.
	n := reporttest.Numbering()
	n.BodySerial = ""
	other := report.BodyOf("另一个评价机构", n)
	complete := fixture(t, reporttest.Complete)
	_, err := service(complete, other).Export(ctx, complete.Event, report.FormatJSON, "", "organizer")
	ps := report.ProblemsOf(err)
	if len(ps) != 3 {
		t.Fatalf("%d problems, want 3: %v", len(ps), err)
	}
	for _, p := range ps {
		if !slices.Equal(p.Missing, []string{"评价机构代码"}) || len(p.Wrong) != 1 ||
			!strings.Contains(p.Wrong[0], "证书上为“"+reporttest.Issuer+"”") {
			t.Errorf("problem %+v", p)
		}
	}
}

// TestRevokedCertificateLeftOut: a revoked certificate is not reported
// and not on the register, and the rest still are.
func TestRevokedCertificateLeftOut(t *testing.T) {
	f := fixture(t, reporttest.Complete)
	ctx := context.Background()
	if _, err := f.Store.RevokeCertificate(ctx, f.Certs[0].Number, "信息有误", "organizer"); err != nil {
		t.Fatal(err)
	}
	b, err := service(f, body()).Load(ctx, f.Event)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Records) != 2 || b.Revoked != 1 || b.Records[0].Number != f.Certs[1].Number {
		t.Fatalf("%d records, %d revoked", len(b.Records), b.Revoked)
	}
}

// TestNoCertificatesNothingToReport: a batch before issue has nothing to
// report, and says so; a competition is no batch.
func TestNoCertificatesNothingToReport(t *testing.T) {
	st, ev := testenv.Demo(t)
	svc := report.New(report.Config{Store: st, Body: body()})
	if _, err := svc.Export(context.Background(), ev, report.FormatXLSX, "", "organizer"); skillscore.ErrorCode(err) != skillscore.EInvalid {
		t.Errorf("a competition: %v", err)
	}
	f := fixture(t, reporttest.Complete)
	for _, c := range f.Certs {
		if _, err := f.Store.RevokeCertificate(context.Background(), c.Number, "测试", "organizer"); err != nil {
			t.Fatal(err)
		}
	}
	_, err := service(f, body()).Export(context.Background(), f.Event, report.FormatXLSX, "", "organizer")
	if skillscore.ErrorCode(err) != skillscore.EConflict || !strings.Contains(skillscore.ErrorMessage(err), "尚未发放") {
		t.Errorf("no certificates: %v", err)
	}
}

func TestFindBatch(t *testing.T) {
	f := fixture(t, reporttest.Complete)
	ev, err := report.FindBatch(context.Background(), f.Store, " RD2026-001 ")
	if err != nil || ev.ID != f.Event.ID {
		t.Fatalf("find: %v %v", ev.Code, err)
	}
	if _, err := report.FindBatch(context.Background(), f.Store, "RD2026-999"); skillscore.ErrorCode(err) != skillscore.ENotFound {
		t.Errorf("unknown batch: %v", err)
	}
}

// pdfPages reads a PDF back with pdftotext, page by page.
func pdfPages(t *testing.T, pdf []byte) []string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", path, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	return strings.Split(strings.TrimSuffix(string(out), "\f"), "\f")
}

// renderInk rasterises a PDF's first page with pdftoppm and returns the
// share of its pixels that are ink: a page drawn off its paper, or blank,
// has none.
func renderInk(t *testing.T, pdf []byte) float64 {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "doc.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("pdftoppm", "-r", "50", "-f", "1", "-l", "1", "-png", path, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	pages, _ := filepath.Glob(filepath.Join(dir, "page*.png"))
	if len(pages) != 1 {
		t.Fatalf("%d pages rendered", len(pages))
	}
	fh, err := os.Open(pages[0])
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	img, _, err := image.Decode(fh)
	if err != nil {
		t.Fatal(err)
	}
	ink, all := 0, 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			all++
			if r+g+bl < 3*0x8000 {
				ink++
			}
		}
	}
	return float64(ink) / float64(all)
}

func document(t *testing.T, f *reporttest.Fixture, what string) report.File {
	t.Helper()
	file, err := service(f, body()).Document(context.Background(), f.Event, what)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return file
}

// TestSummaryReadsBack: the 成绩汇总表 workbook and PDF list every
// candidate with each part's score and verdict and the overall verdict;
// the PDF has the signature lines; neither carries a full 证件号码.
func TestSummaryReadsBack(t *testing.T) {
	f := fixture(t, reporttest.Complete)
	x, err := excelize.OpenReader(bytes.NewReader(document(t, f, report.SummaryXLSX).Data))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := x.GetRows("成绩汇总表")
	x.Close()
	if err != nil {
		t.Fatal(err)
	}
	wantHeader := []string{"序号", "准考证号", "姓名", "性别", "证件号码", "考生来源", "理论知识成绩", "理论知识结论",
		"操作技能成绩", "操作技能结论", "综合评审成绩", "综合评审结论", "总评", "证书编号", "备注"}
	if !slices.Equal(rows[exports.HeaderRow-1], wantHeader) {
		t.Fatalf("header %q", rows[exports.HeaderRow-1])
	}
	cert := map[int64]string{}
	for _, c := range f.Certs {
		cert[c.ContestantID] = c.Number
	}
	wantRows := [][]string{
		{"1", "0001", "李秀英", "女", idnumber.Mask(f.People[0].IDNumber), "新考", "78", "合格", "82.5", "合格", "75", "合格", "合格", cert[f.Contestants[0].ID]},
		{"2", "0002", "王建国", "男", idnumber.Mask(f.People[1].IDNumber), "新考", "90", "合格", "88", "合格", "80", "合格", "合格", cert[f.Contestants[1].ID]},
		{"3", "0003", "张丽", "女", idnumber.Mask(f.People[2].IDNumber), "新考", "85", "合格", "55", "不合格", "70", "合格", "不合格"},
		{"4", "0004", "刘洋", "男", idnumber.Mask(f.People[3].IDNumber), "新考", "缺考", "不合格", "缺考", "不合格", "缺考", "不合格", "缺考"},
		{"5", "0005", "陈静", "女", idnumber.Mask(f.People[4].IDNumber), "补考", "66", "合格", "72", "合格", "61", "合格", "合格", cert[f.Contestants[4].ID]},
	}
	for i, w := range wantRows {
		got := rows[exports.HeaderRow+i]
		if !slices.Equal(got, w) {
			t.Errorf("row %d %q,\nwant %q", i+1, got, w)
		}
	}
	pdf := document(t, f, report.SummaryPDF).Data
	pages := pdfPages(t, pdf)
	text := strings.Join(pages, "")
	for _, s := range []string{"成绩汇总表", "批次号 RD2026-001", "养老护理员（4-10-01-05）", "二级/技师", "2026-05-20 至 2026-05-21",
		reporttest.Issuer, "S000036000001", "李秀英", "82.5 合格", "55 不合格", "缺考", "补考", cert[f.Contestants[4].ID],
		"考评组长（签字）", "督导员（签字）", "评价机构负责人（签字）", "共 5 人：合格 3，不合格 1，缺考 1；已发证 3", "第 1 页 / 共 1 页",
		idnumber.Mask(f.People[1].IDNumber)} {
		if !strings.Contains(text, s) {
			t.Errorf("summary PDF lacks %q", s)
		}
	}
	for _, p := range f.People {
		if strings.Contains(text, p.IDNumber) {
			t.Errorf("summary PDF carries %s's full 证件号码", p.Name)
		}
	}
	if t.Failed() {
		t.Log(text)
	}
	if ink := renderInk(t, pdf); ink < 0.005 || ink > 0.3 {
		t.Errorf("summary page 1 ink %.3f", ink)
	}
}

// TestRegisterReadsBack: the 证书发放登记表 lists each valid certificate
// with an empty column for the holder's signature.
func TestRegisterReadsBack(t *testing.T) {
	f := fixture(t, reporttest.Complete)
	x, err := excelize.OpenReader(bytes.NewReader(document(t, f, report.RegisterXLSX).Data))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := x.GetRows("证书发放登记表")
	x.Close()
	if err != nil {
		t.Fatal(err)
	}
	if h := rows[exports.HeaderRow-1]; !slices.Equal(h, []string{"序号", "证书编号", "姓名", "证件号码", "等级", "发证日期", "领取人签名", "领取日期", "备注"}) {
		t.Fatalf("header %q", h)
	}
	if len(rows) != exports.HeaderRow+len(f.Certs) {
		t.Fatalf("%d rows", len(rows))
	}
	for i, c := range f.Certs {
		_, row := f.Holder(c.Name)
		w := []string{strconv.Itoa(i + 1), c.Number, c.Name, idnumber.Mask(row.IDNumber), "二级/技师", "2026-06-30"}
		if got := rows[exports.HeaderRow+i]; !slices.Equal(got, w) {
			t.Errorf("row %d %q, want %q", i+1, got, w)
		}
	}
	pdf := document(t, f, report.RegisterPDF).Data
	text := strings.Join(pdfPages(t, pdf), "")
	for _, s := range []string{"证书发放登记表", "领取人签名", "领取日期", "发放人（签字）", "复核人（签字）", "共 3 张职业技能等级证书",
		f.Certs[0].Number, f.Certs[2].Number, "陈静"} {
		if !strings.Contains(text, s) {
			t.Errorf("register PDF lacks %q", s)
		}
	}
	if strings.Contains(text, "张丽") || strings.Contains(text, f.People[0].IDNumber) {
		t.Error("register PDF lists a candidate without a certificate or a full 证件号码")
	}
	if t.Failed() {
		t.Log(text)
	}
	if ink := renderInk(t, pdf); ink < 0.005 || ink > 0.3 {
		t.Errorf("register page 1 ink %.3f", ink)
	}
}

// TestTranscriptsReadBack: one 成绩单 page per candidate with the batch,
// the body, each part's score, pass mark and verdict, and the overall
// verdict; a single candidate's alone.
func TestTranscriptsReadBack(t *testing.T) {
	f := fixture(t, reporttest.Complete)
	pdf := document(t, f, report.TranscriptsPDF).Data
	pages := pdfPages(t, pdf)
	if len(pages) != len(f.People) {
		t.Fatalf("%d pages for %d candidates", len(pages), len(f.People))
	}
	type part struct{ name, score, verdict string }
	wantPages := []struct {
		name, verdict string
		parts         []part
	}{
		{"李秀英", "合格", []part{{"理论知识", "78", "合格"}, {"操作技能", "82.5", "合格"}, {"综合评审", "75", "合格"}}},
		{"王建国", "合格", []part{{"理论知识", "90", "合格"}, {"操作技能", "88", "合格"}, {"综合评审", "80", "合格"}}},
		{"张丽", "不合格", []part{{"操作技能", "55", "不合格"}}},
		{"刘洋", "缺考", []part{{"理论知识", "缺考", "不合格"}}},
		{"陈静", "合格", []part{{"综合评审", "61", "合格"}}},
	}
	for i, w := range wantPages {
		page := pages[i]
		for _, s := range []string{"职业技能等级认定成绩单", reporttest.Issuer, "S000036000001", "RD2026-001", "2026-05-20 至 2026-05-21",
			"养老护理员（4-10-01-05）", "二级/技师", w.name, "≥ 60", "评价机构（盖章）"} {
			if !strings.Contains(page, s) {
				t.Errorf("page %d lacks %q", i+1, s)
			}
		}
		for _, p := range w.parts {
			if !lineHas(page, p.name, p.score, "≥ 60", p.verdict) {
				t.Errorf("page %d: no line %s %s ≥ 60 %s", i+1, p.name, p.score, p.verdict)
			}
		}
		if !lineHas(page, "总评", w.verdict) {
			t.Errorf("page %d: 总评 is not %s", i+1, w.verdict)
		}
		if t.Failed() {
			t.Logf("page %d:\n%s", i+1, page)
		}
	}
	_, li := f.Holder("李秀英")
	var liCert string
	for _, c := range f.Certs {
		if c.ContestantID == li.ID {
			liCert = c.Number
		}
	}
	if !strings.Contains(pages[0], liCert+"（发证日期 2026-06-30）") || !strings.Contains(pages[2], "未发证") {
		t.Error("certificate lines")
	}
	if !strings.Contains(pages[4], "补考") {
		t.Error("陈静's page does not say 补考")
	}
	if ink := renderInk(t, pdf); ink < 0.005 || ink > 0.3 {
		t.Errorf("transcript page 1 ink %.3f", ink)
	}

	_, zhang := f.Holder("张丽")
	one, err := service(f, body()).Transcript(context.Background(), f.Event, zhang.ID)
	if err != nil {
		t.Fatal(err)
	}
	if ps := pdfPages(t, one.Data); len(ps) != 1 || !strings.Contains(ps[0], "张丽") || one.Name != "RD2026-001-成绩单-0003.pdf" {
		t.Errorf("single transcript %s: %d pages", one.Name, len(ps))
	}
	if _, err := service(f, body()).Transcript(context.Background(), f.Event, 999999); skillscore.ErrorCode(err) != skillscore.ENotFound {
		t.Errorf("unknown candidate: %v", err)
	}
}

// lineHas reports whether one line of text holds every word, in order.
func lineHas(text string, words ...string) bool {
	for _, line := range strings.Split(text, "\n") {
		rest, ok := line, true
		for _, w := range words {
			i := strings.Index(rest, w)
			if i < 0 {
				ok = false
				break
			}
			rest = rest[i+len(w):]
		}
		if ok {
			return true
		}
	}
	return false
}

// TestDocsDescribeEveryField: docs/reporting.md has a line for every
// reported field naming its key and its title.
func TestDocsDescribeEveryField(t *testing.T) {
	doc, err := os.ReadFile("../docs/reporting.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range report.Fields() {
		if !lineHas(string(doc), "`"+f.Key+"`", f.Title) {
			t.Errorf("docs/reporting.md has no line for %s (%s)", f.Key, f.Title)
		}
	}
}

// TestBodyOf: the code is the numbers' first 13 characters, and nothing
// while a part is unset.
func TestBodyOf(t *testing.T) {
	b := report.BodyOf(" 某评价中心 ", certificates.Numbering{Letter: "Y", BodyCode: "0012", Province: "36", BodySerial: "000105"})
	if b.Name != "某评价中心" || b.Code != "Y001236000105" {
		t.Errorf("%+v", b)
	}
	if b := report.BodyOf("某评价中心", certificates.Numbering{Letter: "S", Province: "36"}); b.Code != "" {
		t.Errorf("unset codes gave %q", b.Code)
	}
}
