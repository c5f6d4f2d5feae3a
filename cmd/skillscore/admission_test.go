package main

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"skillscore/internal/testenv"
	"skillscore/photos"
	"skillscore/sessions"
	"skillscore/store"
)

// TestAdmissionCommand scripts a batch's admission as an office would:
// 准考证号, every 准考证 (with the photo from the photo store), one room's
// 签到表 and door list; the theory file from the exam system, by 准考证号,
// imported with the candidate it lacks named; a competition is refused.
func TestAdmissionCommand(t *testing.T) {
	bin := binary(t)
	ctx := context.Background()
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "batch.db")
	st, err := store.Open(ctx, db, store.Options{Keys: testenv.Keys(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ev, err := st.CreateEvent(ctx, store.NewEvent{Event: store.Event{Code: "jx-rd-07", Name: "2026年第7批养老护理员职业技能等级认定",
		Kind: "assessment", Occupation: "养老护理员", OccupationCode: "4-10-01-05", Level: 3, Year: 2026, Rules: `{"modules":[]}`},
		Groups: []store.Group{{Code: "g", Name: "考生"}},
		Modules: []store.Module{{Code: "T", Name: "理论知识", Kind: "theory", Weight: 1000000, MaxMarks: 1000000, Imported: true,
			Aspects: []store.Aspect{{Code: "T", Name: "理论考试", Kind: "measurement", MaxMarks: 1000000}}}}}, "tester")
	if err != nil {
		t.Fatal(err)
	}
	cs, err := st.AddContestants(ctx, ev.ID, []store.Contestant{
		{Name: "李秀英", Gender: "女", IDType: "居民身份证", IDNumber: cliID(t, 1), GroupCode: "g", Level: 4},
		{Name: "王建华", Gender: "男", IDType: "居民身份证", IDNumber: cliID(t, 2), GroupCode: "g", Level: 4},
	}, "tester")
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetExamRooms(ctx, ev.ID, []store.ExamRoom{{Code: "K01", Site: "江西卫生职业学院", Name: "第一考场", Seats: 30}}, "tester"); err != nil {
		t.Fatal(err)
	}
	if err := st.SaveSchedule(ctx, ev.ID, []sessions.Session{{Code: "T01", Name: "理论知识", Venue: "K01", Module: "T", Stations: []string{"01", "02"},
		Day: "2026-07-10", Starts: "09:00", Ends: "10:30", Entries: []sessions.Entry{{ContestantID: cs[0].ID, Station: "01", Order: 1},
			{ContestantID: cs[1].ID, Station: "02", Order: 2}}}}, "tester"); err != nil {
		t.Fatal(err)
	}
	img := image.NewRGBA(image.Rect(0, 0, 300, 400))
	for i := range img.Pix {
		img.Pix[i] = 0xc0
	}
	img.Set(1, 1, color.Black)
	var jpg bytes.Buffer
	if err := jpeg.Encode(&jpg, img, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := photos.New(st, filepath.Join(dir, "photos")).Import(ctx, ev.ID, photos.FileBytes(cliID(t, 1)+".jpg", jpg.Bytes()), photos.Options{Actor: "tester"}); err != nil {
		t.Fatal(err)
	}
	runFail(t, exec.Command(bin, "admission", "tickets", "--db", db, "--event", ev.Code, "--out", filepath.Join(dir, "x.pdf")), "还有 2 名考生没有准考证号")
	if out, err := exec.Command(bin, "admission", "numbers", "--db", db, "--event", ev.Code).CombinedOutput(); err != nil ||
		!strings.Contains(string(out), "已为 2 名考生分配准考证号") {
		t.Fatalf("numbers: %v %s", err, out)
	}
	read := func(path string) string {
		t.Helper()
		text, err := exec.Command("pdftotext", "-layout", path, "-").CombinedOutput()
		if err != nil {
			t.Fatalf("pdftotext: %v %s", err, text)
		}
		return string(text)
	}
	tickets := filepath.Join(dir, "准考证.pdf")
	if out, err := exec.Command(bin, "admission", "tickets", "--db", db, "--event", ev.Code, "--out", tickets).CombinedOutput(); err != nil ||
		!strings.Contains(string(out), "准考证 2 张") {
		t.Fatalf("tickets: %v %s", err, out)
	}
	if text := read(tickets); strings.Count(text, "准 考 证") != 2 || !strings.Contains(text, "第一考场") || strings.Contains(text, cliID(t, 1)) {
		t.Fatalf("tickets:\n%s", text)
	}
	// The photo from the store (the data directory's photos/) is in the PDF.
	if out, err := exec.Command("pdfimages", "-list", tickets).CombinedOutput(); err != nil || strings.Count(string(out), " jpeg ") != 1 {
		t.Errorf("pdfimages: %v\n%s", err, out)
	}
	one := filepath.Join(dir, "one.pdf")
	if out, err := exec.Command(bin, "admission", "tickets", "--db", db, "--event", ev.Code, "--entry", "0002", "--out", one).CombinedOutput(); err != nil {
		t.Fatalf("one ticket: %v %s", err, out)
	}
	if text := read(one); strings.Count(text, "准 考 证") != 1 || !strings.Contains(text, "王建华") {
		t.Fatalf("one ticket:\n%s", text)
	}
	signin := filepath.Join(dir, "签到表.pdf")
	if out, err := exec.Command(bin, "admission", "signin", "--db", db, "--event", ev.Code, "--session", "T01", "--out", signin).CombinedOutput(); err != nil {
		t.Fatalf("signin: %v %s", err, out)
	}
	if text := read(signin); !strings.Contains(text, "考场签到表") || !strings.Contains(text, "李秀英") || !strings.Contains(text, "应到 2 人") {
		t.Fatalf("signin:\n%s", text)
	}
	runFail(t, exec.Command(bin, "admission", "doors", "--db", db, "--event", ev.Code, "--session", "T99", "--out", filepath.Join(dir, "d.pdf")), "没有场次 T99")
	doors := filepath.Join(dir, "门贴.pdf")
	if out, err := exec.Command(bin, "admission", "doors", "--db", db, "--event", ev.Code, "--out", doors).CombinedOutput(); err != nil {
		t.Fatalf("doors: %v %s", err, out)
	}
	if text := read(doors); !strings.Contains(text, "第一考场") || !strings.Contains(text, "0002") || strings.Contains(text, "360") {
		t.Fatalf("doors:\n%s", text)
	}
	entries, err := st.AuditTrail(ctx, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	exports := 0
	for _, e := range entries {
		if e.Action == "personal.export" {
			exports++
		}
	}
	if exports != 3 {
		t.Errorf("%d personal.export entries, want 3 (two ticket files, one sign-in sheet)", exports)
	}

	// The exam system's .csv: 王建华 has no row; refused, then allowed.
	csv := filepath.Join(dir, "理论成绩.csv")
	if err := os.WriteFile(csv, []byte("准考证号,姓名,成绩\n0001,李秀英,缺考\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	runFail(t, exec.Command(bin, "scores", "import", "--db", db, "--event", ev.Code, csv), "成绩文件有 1 处错误")
	out, err := exec.Command(bin, "scores", "import", "--db", db, "--event", ev.Code, "--allow-missing", csv).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "已导入 理论知识 成绩 1 条（其中缺考 1 条）") || !strings.Contains(string(out), "王建华（0002）") {
		t.Fatalf("allowed: %v %s", err, out)
	}
	if got, err := st.ImportedScores(ctx, ev.ID); err != nil || len(got) != 1 || !got[0].Absent {
		t.Fatalf("stored %+v %v", got, err)
	}

	comp, err := st.CreateEvent(ctx, store.NewEvent{Event: store.Event{Code: "jx-comp", Name: "竞赛", Kind: "competition", Occupation: "养老护理员",
		Year: 2026, Rules: `{"modules":[]}`}, Groups: []store.Group{{Code: "g", Name: "职工组"}}}, "tester")
	if err != nil {
		t.Fatal(err)
	}
	runFail(t, exec.Command(bin, "admission", "doors", "--db", db, "--event", comp.Code, "--out", filepath.Join(dir, "c.pdf")), "不是等级认定批次")
}
