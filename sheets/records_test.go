package sheets_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"skillscore"
	"skillscore/certificates"
	"skillscore/internal/testenv"
	"skillscore/results"
	"skillscore/scoring"
	"skillscore/sheets"
	"skillscore/signkeys"
	"skillscore/store"
)

func loadFonts(t *testing.T) certificates.Fonts {
	t.Helper()
	f, err := certificates.LoadFonts(certificates.DefaultSongFont, certificates.DefaultKaiFont)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// kept numbers the PDFs kept for looking at.
var kept struct{ n int }

// readBack reads a PDF back with pdftotext, its pages split. With
// PAPERTRAIL_PDF_DIR set the PDF is kept there too, to be rendered and
// looked at (docs/oversight-papertrail.md).
func readBack(t *testing.T, pdf []byte) []string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "out.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	if dir := os.Getenv("PAPERTRAIL_PDF_DIR"); dir != "" {
		kept.n++
		name := fmt.Sprintf("%s-%d.pdf", strings.ReplaceAll(t.Name(), "/", "-"), kept.n)
		if err := os.WriteFile(filepath.Join(dir, name), pdf, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	out, err := exec.Command("pdftotext", "-layout", path, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	return strings.Split(strings.TrimSuffix(string(out), "\f"), "\f")
}

func write(t *testing.T, ss []sheets.ScoreSheet) []string {
	t.Helper()
	var buf bytes.Buffer
	if err := sheets.WriteScoreSheets(&buf, loadFonts(t), ss, time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	return readBack(t, buf.Bytes())
}

func contains(t *testing.T, what, text string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
}

func records(t *testing.T, st *store.Store, ev store.Event) *sheets.Records {
	t.Helper()
	d, err := sheets.LoadRecords(context.Background(), st, ev)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestBlankScoreSheetsPerAssignment: the blank 评分记录表 of a module are
// one page per assigned judge and contestant, each with the module, the
// contestant's code and station, the judge, every aspect with its marks
// and kind, and the judge's and chief judge's signature lines; no name
// (sealed), no contestant's line (the setting is off by default).
func TestBlankScoreSheetsPerAssignment(t *testing.T) {
	st, ev := testenv.Demo(t)
	d := records(t, st, ev)
	if !d.Sealed {
		t.Fatal("the demo event is decrypted already")
	}
	ss, err := d.ScoreSheets(sheets.RecordQuery{Module: "A", Blank: true})
	if err != nil {
		t.Fatal(err)
	}
	var modID int64
	for _, m := range d.Snap.Modules {
		if m.Code == "A" {
			modID = m.ID
		}
	}
	// Who was absent or withdrew is judged by nobody: no sheet.
	gone := map[int64]bool{}
	for _, c := range d.Snap.Contestants {
		gone[c.ID] = c.Status == scoring.StatusAbsent || c.Status == scoring.StatusWithdrew
	}
	want := 0
	for _, a := range d.Snap.Assignments {
		if a.ModuleID == modID && !gone[a.ContestantID] {
			want++
		}
	}
	if len(ss) != want || want == 0 {
		t.Fatalf("%d blank sheets for %d assignments", len(ss), want)
	}
	pages := write(t, ss)
	if len(pages) != len(ss) {
		t.Fatalf("%d pages for %d sheets", len(pages), len(ss))
	}
	first := pages[0]
	contains(t, "blank sheet", first, "评分记录表", "空白表（纸质评分用）", ev.Name, "A 实操A 生活照护（满分 100）", "加密号", ss[0].Code,
		"赛位号", ss[0].Seat, ss[0].JudgeCode+" "+ss[0].JudgeName, "A1 评估与沟通", "A8 超时扣分", "0～3 整数", "1 达到 / 0 未达到",
		"合计（本表得分）", "裁判（签字）：", "裁判长（签字）：", "日期：", "第 1 页")
	for _, c := range d.Snap.Contestants {
		for i, pg := range pages {
			if strings.Contains(pg, c.Name) {
				t.Errorf("page %d names %s while the results are sealed", i+1, c.Name)
			}
		}
	}
	if strings.Contains(strings.Join(pages, ""), "选手（签字）") {
		t.Error("a contestant's signature line without the setting")
	}
	// One judge's stack, one contestant's page.
	one, err := d.ScoreSheets(sheets.RecordQuery{Module: "A", Blank: true, Judge: ss[0].JudgeCode, Contestant: ss[0].Code})
	if err != nil || len(one) != 1 {
		t.Fatalf("one sheet: %d %v", len(one), err)
	}
	for _, q := range []sheets.RecordQuery{{Module: "Z", Blank: true}, {Module: "A", Blank: true, Judge: "J99"}, {Module: "A", Blank: true, Contestant: "Q000"}} {
		if _, err := d.ScoreSheets(q); err == nil || !strings.Contains(err.Error(), "没有") {
			t.Errorf("%+v: %v", q, err)
		}
	}
	if _, err := d.ScoreSheets(sheets.RecordQuery{Module: "theory", Blank: true}); err == nil || !strings.Contains(err.Error(), "导入") {
		t.Errorf("imported module: %v", err)
	}
}

// TestFilledScoreSheetsShowMarksTotalsSignature: a filled sheet prints the
// judge's marks as the rubric reads them, what they make alone, the
// panel's aspect and module results exactly as the results page computes
// them (from the submitted sheets), the submission time and how it was
// signed.
func TestFilledScoreSheetsShowMarksTotalsSignature(t *testing.T) {
	st, ev := testenv.Demo(t)
	d := records(t, st, ev)
	ss, err := d.ScoreSheets(sheets.RecordQuery{Module: "A"})
	if err != nil {
		t.Fatal(err)
	}
	submitted := 0
	for _, sh := range d.Sheets {
		if d.Snap.Modules[1].ID == sh.ModuleID && sh.Status != "open" {
			submitted++
		}
	}
	if len(ss) != submitted {
		t.Fatalf("%d filled sheets, %d submitted", len(ss), submitted)
	}
	// The panel's figures, computed here the way the results page does.
	res, err := results.Compute(results.WithoutDrafts(d.Snap))
	if err != nil {
		t.Fatal(err)
	}
	byCode := map[string]string{}
	for _, c := range d.Snap.Contestants {
		if c.Code != nil {
			byCode[*c.Code] = results.Key(c.ID)
		}
	}
	panel := func(code string) scoring.ModuleScore {
		for _, c := range res.Result.Contestants {
			if c.ID == byCode[code] {
				for _, m := range c.Modules {
					if m.Code == "A" {
						return m
					}
				}
			}
		}
		t.Fatalf("no panel result for %s", code)
		return scoring.ModuleScore{}
	}
	pages := write(t, ss)
	if len(pages) != len(ss) {
		t.Fatalf("%d pages for %d sheets", len(pages), len(ss))
	}
	for i, s := range ss {
		p := panel(s.Code)
		if s.PanelTotal != p.Score.Format(2) && s.PanelTotal != p.Score.String() {
			t.Errorf("%s/%s: panel total %s, results say %s", s.JudgeCode, s.Code, s.PanelTotal, p.Score)
		}
		for k, l := range s.Lines {
			if k < len(p.Aspects) && len(p.Aspects[k].Marks) > 0 && p.Aspects[k].Kind != scoring.Veto && p.Aspects[k].Kind != scoring.Deduction &&
				l.Panel != p.Aspects[k].Score.String() {
				t.Errorf("%s/%s aspect %s: panel %s, results say %s", s.JudgeCode, s.Code, l.Code, l.Panel, p.Aspects[k].Score)
			}
		}
		// This sheet alone: its aspect scores less its deductions make
		// its total.
		var sum scoring.Decimal
		for _, l := range s.Lines {
			if v, err := scoring.ParseDecimal(l.Score); err == nil {
				sum += v
			} else if v, err := scoring.ParseDecimal(strings.TrimPrefix(l.Score, "扣 ")); err == nil {
				sum -= v
			}
		}
		if got := sum.Format(2); got != s.SheetTotal && sum.String() != s.SheetTotal {
			t.Errorf("%s/%s: aspects add to %s, total printed %s", s.JudgeCode, s.Code, got, s.SheetTotal)
		}
		pg := pages[i]
		contains(t, "filled sheet "+s.Code, pg, "已提交", s.Code, s.JudgeCode, "本表得分", "裁判组结果", s.SheetTotal, s.PanelTotal,
			"提交时间", s.SubmittedAt, "签名方式：", "登录卡 PIN", "裁判（签字）：", "裁判长（签字）：")
		for _, l := range s.Lines {
			contains(t, "filled sheet "+s.Code, pg, l.Mark)
		}
	}
	if t.Failed() {
		t.Log(pages[0])
	}
}

// TestFilledScoreSheetsAfterDecryption: once decrypted the sheet names the
// contestant, and with the setting on carries the contestant's line;
// locked sheets say who locked them.
func TestFilledScoreSheetsAfterDecryption(t *testing.T) {
	st, ev := testenv.Demo(t)
	testenv.Decrypted(t, st, ev.ID)
	if err := st.SetPaperSettings(context.Background(), ev.ID, store.PaperSettings{ContestantSigns: true}, "organizer"); err != nil {
		t.Fatal(err)
	}
	d := records(t, st, ev)
	if d.Sealed {
		t.Fatal("still sealed after decryption")
	}
	ss, err := d.ScoreSheets(sheets.RecordQuery{Module: "B"})
	if err != nil {
		t.Fatal(err)
	}
	pages := write(t, ss)
	for i, s := range ss {
		if s.Name == "" {
			t.Fatalf("sheet %s names nobody", s.Code)
		}
		contains(t, "decrypted sheet "+s.Code, pages[i], "已锁定", "姓名", s.Name, "选手（签字）：", "锁定：testenv 于")
	}
	// Blank sheets never carry the contestant's line: it is for the
	// marks the contestant saw.
	blank, err := d.ScoreSheets(sheets.RecordQuery{Module: "B", Blank: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := write(t, blank[:1]); strings.Contains(got[0], "选手（签字）") {
		t.Error("a blank sheet with the contestant's line")
	}
}

// TestSignedHow: the 签名方式 line says what the records show, for a
// tablet, a paper transcription and an unknown submitter.
func TestSignedHow(t *testing.T) {
	j := store.Judge{ID: 7, Code: "J07", Name: "刘评"}
	at := time.Date(2026, 5, 20, 10, 32, 5, 0, skillscore.China())
	for actor, want := range map[string]string{
		"judge:7":             "J07 刘评 以本人平板登录",
		"paper:keeper1+keep2": "由记分员 keeper1 与 keep2 双人录入一致后",
		"":                    "审计记录中未找到提交人",
	} {
		got := sheets.SignedHow(j, store.SheetSignature{SubmittedBy: actor}, store.SheetVerification{}, at)
		if !strings.Contains(got, want) || !strings.Contains(got, "2026-05-20 10:32:05") && actor != "" {
			t.Errorf("%q: %s", actor, got)
		}
	}
	// With a signature recorded (signkeys): the judge's own key, verified
	// or not; the card's PIN keeps the card's wording.
	own := store.SheetSigning{Method: signkeys.MethodOwnKey, Digest: "0123456789abcdef0123", KeyID: "KEY-7F3A"}
	for _, c := range []struct {
		g         store.SheetVerification
		want, not []string
	}{
		{store.SheetVerification{SheetSigning: own, OK: true}, []string{"J07 刘评", "KEY-7F3A", "0123456789abcdef", "签名有效", "2026-05-20 10:32:05"},
			[]string{"0123456789abcdef0", "不符", "登录卡"}},
		{store.SheetVerification{SheetSigning: own, Reason: "评分表内容与签名时不一致（评分被改动）"}, []string{"KEY-7F3A", "签名与当前内容不符", "评分被改动"},
			[]string{"签名有效"}},
		{store.SheetVerification{SheetSigning: store.SheetSigning{Method: signkeys.MethodCardPIN}}, []string{"J07 刘评 以本人平板登录", "登录卡 PIN"},
			[]string{"签名有效", "密钥"}},
	} {
		got := sheets.SignedHow(j, store.SheetSignature{SubmittedBy: "judge:7"}, c.g, at)
		for _, w := range c.want {
			if !strings.Contains(got, w) {
				t.Errorf("%+v: %s lacks %q", c.g, got, w)
			}
		}
		for _, w := range c.not {
			if strings.Contains(got, w) {
				t.Errorf("%+v: %s shows %q", c.g, got, w)
			}
		}
	}
}

// TestThreeHundredSheetsOnePDF: a module of 300 sheets prints as one PDF
// of 300 pages, every code on its page, with memory bounded by the
// document (gofpdf keeps it whole): the peak heap is measured and must
// stay under 64 MB (measured: see docs/oversight-papertrail.md).
func TestThreeHundredSheetsOnePDF(t *testing.T) {
	st, ev := testenv.Demo(t)
	d := records(t, st, ev)
	one, err := d.ScoreSheets(sheets.RecordQuery{Module: "A"})
	if err != nil {
		t.Fatal(err)
	}
	ss := make([]sheets.ScoreSheet, 300)
	for i := range ss {
		ss[i] = one[i%len(one)]
		ss[i].Code = fmt.Sprintf("Z%03d", i+1)
	}
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	peak := make(chan uint64)
	stop := make(chan struct{})
	go func() {
		var m runtime.MemStats
		var top uint64
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				peak <- top
				return
			case <-tick.C:
				runtime.ReadMemStats(&m)
				top = max(top, m.HeapInuse)
			}
		}
	}()
	var buf bytes.Buffer
	start := time.Now()
	err = sheets.WriteScoreSheets(&buf, loadFonts(t), ss, time.Now())
	took := time.Since(start)
	close(stop)
	top := <-peak
	if err != nil {
		t.Fatal(err)
	}
	grew := int64(top) - int64(before.HeapInuse)
	t.Logf("300 sheets: PDF %.1f MB in %v; heap in use %.1f MB before, peak %.1f MB (+%.1f MB)",
		float64(buf.Len())/1e6, took.Round(time.Millisecond), float64(before.HeapInuse)/1e6, float64(top)/1e6, float64(grew)/1e6)
	if grew > 64<<20 {
		t.Errorf("printing 300 sheets took %.1f MB of heap", float64(grew)/1e6)
	}
	pages := readBack(t, buf.Bytes())
	if len(pages) != 300 {
		t.Fatalf("%d pages", len(pages))
	}
	for i, pg := range pages {
		if code := fmt.Sprintf("Z%03d", i+1); !strings.Contains(pg, code) || !strings.Contains(pg, "裁判长（签字）") {
			t.Errorf("page %d lacks its code %s or the chief's line", i+1, code)
		}
	}
}
