package sheets

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"skillscore/sessions"
	"skillscore/store"
)

// testPhoto is a 300×400 JPEG: a face-sized oval on a light background.
func testPhoto(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 300, 400))
	for y := range 400 {
		for x := range 300 {
			c := color.RGBA{225, 235, 245, 255}
			if dx, dy := float64(x-150)/90, float64(y-170)/120; dx*dx+dy*dy < 1 {
				c = color.RGBA{200, 150, 120, 255}
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 80}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// keep writes a rendered PDF to $SKILLSCORE_SCREENSHOTS, when set, for a
// person to look at.
func keep(t *testing.T, name string, pdf []byte) {
	t.Helper()
	if dir := os.Getenv("SKILLSCORE_SCREENSHOTS"); dir != "" {
		if err := os.WriteFile(filepath.Join(dir, name), pdf, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

var testAdmission = Admission{EventName: "2026年第7批养老护理员职业技能等级认定", BatchNo: "2026-KY-07", Occupation: "养老护理员",
	OccupationCode: "4-10-01-05", Level: "三级/高级工", Printed: time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)}

func testTickets(t *testing.T, n int) []AdmissionTicket {
	photo := testPhoto(t)
	var out []AdmissionTicket
	for i := 1; i <= n; i++ {
		tk := AdmissionTicket{Name: fmt.Sprintf("考生%02d号", i), Gender: "女", IDType: "居民身份证", IDMasked: fmt.Sprintf("360***********%04d", i),
			EntryNo: fmt.Sprintf("%04d", i), Organization: "南昌市社会福利院", Token: fmt.Sprintf("SKC1:7:%d:0123456789ABCDEF0123456789ABCDEF", i),
			Sittings: []Sitting{
				{Subject: "理论知识", Session: "T01", Day: "2026-07-10", Starts: "09:00", Ends: "10:30", Site: "江西卫生职业学院", Room: "第一考场", Seat: fmt.Sprintf("%02d", i)},
				{Subject: "操作技能", Session: "P01", Day: "2026-07-10", Starts: "14:00", Ends: "15:00", Site: "江西卫生职业学院", Room: "实训楼 301", Seat: fmt.Sprintf("%02d", i)},
			}}
		if i%2 == 1 {
			tk.Photo = photo
		}
		out = append(out, tk)
	}
	return out
}

// TestAdmissionTicketsReadBack: one page per candidate with every fact,
// each sitting, the rules and a QR code that decodes to the candidate's
// token; the full 证件号码 is never there.
func TestAdmissionTicketsReadBack(t *testing.T) {
	tickets := testTickets(t, 3)
	var buf bytes.Buffer
	if err := WriteAdmissionTickets(&buf, fonts(t), testAdmission, tickets); err != nil {
		t.Fatal(err)
	}
	keep(t, "准考证.pdf", buf.Bytes())
	text := pdfText(t, buf.Bytes())
	if n := strings.Count(text, "准 考 证"); n != 3 {
		t.Errorf("%d tickets, want 3 (one a page)", n)
	}
	for _, want := range []string{"2026年第7批养老护理员职业技能等级认定", "批次号 2026-KY-07", "考生01号", "考生03号", "居民身份证",
		"360***********0002", "准考证号", "0003", "养老护理员（4-10-01-05）", "工     种      --", "三级/高级工", "南昌市社会福利院",
		"理论知识", "2026-07-10", "09:00-10:30", "江西卫生职业学院", "第一考场", "操作技能", "14:00-15:00", "实训楼 301",
		"考生须知", "二者缺一不得入场", "仅限本人使用", "第 3 页"} {
		if !strings.Contains(text, want) {
			t.Errorf("tickets lack %q", want)
		}
	}
	if t.Failed() {
		t.Log(text)
	}
	got := decodeQRs(t, buf.Bytes())
	if len(got) != 3 {
		t.Fatalf("decoded %v, want 3 QR codes", got)
	}
	for i, tk := range tickets {
		if got[i] != tk.Token {
			t.Errorf("page %d QR %q, want %q", i+1, got[i], tk.Token)
		}
	}
	// The batch's own rules replace the default; a single ticket is one page.
	a := testAdmission
	a.Rules = "1. 本批次考生须自带黑色签字笔。\n2. 操作技能考核着白色工作服。"
	buf.Reset()
	if err := WriteAdmissionTickets(&buf, fonts(t), a, tickets[:1]); err != nil {
		t.Fatal(err)
	}
	text = pdfText(t, buf.Bytes())
	if !strings.Contains(text, "着白色工作服") || strings.Contains(text, "二者缺一不得入场") || strings.Contains(text, "第 2 页") {
		t.Errorf("own rules, one page:\n%s", text)
	}
}

// TestAdmissionRulesFitThePage: the longest notice a batch may write still
// ends above the footer (the font shrinks).
func TestAdmissionRulesFitThePage(t *testing.T) {
	a := testAdmission
	a.Rules = strings.Repeat("考生须知的一条很长的规定。", 92) // 1,196 characters
	tk := testTickets(t, 1)
	var buf bytes.Buffer
	if err := WriteAdmissionTickets(&buf, fonts(t), a, tk); err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, buf.Bytes())
	if strings.Contains(text, "第 2 页") || !strings.Contains(text, "第 1 页") {
		t.Errorf("the notice spilled over:\n%s", text)
	}
}

// TestSignInSheetsReadBack: a 签到表 per sitting, every candidate with the
// masked number, a signature column and the foot to sign; a long room runs
// on to more pages that repeat the head, and the next sitting starts its
// own page.
func TestSignInSheetsReadBack(t *testing.T) {
	photo := testPhoto(t)
	s1 := SignInSheet{Sitting: Sitting{Subject: "理论知识", Session: "T01", Day: "2026-07-10", Starts: "09:00", Ends: "10:30",
		Site: "江西卫生职业学院", Room: "第一考场"}}
	for i := 1; i <= 20; i++ {
		r := SignInRow{Seat: fmt.Sprintf("%02d", i), Name: fmt.Sprintf("考生%02d号", i), Gender: "男", EntryNo: fmt.Sprintf("%04d", i),
			IDMasked: fmt.Sprintf("360***********%04d", i)}
		if i%3 != 0 {
			r.Photo = photo
		}
		if i == 5 {
			r.Remark = "缺考"
		}
		s1.Rows = append(s1.Rows, r)
	}
	s2 := SignInSheet{Sitting: Sitting{Subject: "操作技能", Session: "P01", Day: "2026-07-10", Starts: "14:00", Ends: "15:00",
		Site: "江西卫生职业学院", Room: "实训楼 301"}, Rows: s1.Rows[:2]}
	var buf bytes.Buffer
	if err := WriteSignInSheets(&buf, fonts(t), testAdmission.EventName, []SignInSheet{s1, s2}, testAdmission.Printed); err != nil {
		t.Fatal(err)
	}
	keep(t, "签到表.pdf", buf.Bytes())
	text := pdfText(t, buf.Bytes())
	// Printed is 09:00 UTC, which the footers give in China time.
	for _, want := range []string{"考场签到表", "考点：江西卫生职业学院", "考场：第一考场", "场次：T01", "科目：理论知识", "2026-07-10 09:00-10:30",
		"座位号", "照片", "考生签名", "考生01号", "考生20号", "360***********0020", "缺考", "应到 20 人", "督导员（签字）",
		"实训楼 301", "应到 2 人", "第一考场 T01 签到表 · 打印于 2026-07-01 17:00 · 第 3 页", "实训楼 301 P01 签到表 · 打印于 2026-07-01 17:00 · 第 1 页"} {
		if !strings.Contains(text, want) {
			t.Errorf("sign-in sheets lack %q", want)
		}
	}
	if n := strings.Count(text, "考场签到表"); n != 4 {
		t.Errorf("%d pages with the head, want 4 (3 for T01, 1 for P01)", n)
	}
	if t.Failed() {
		t.Log(text)
	}
}

// TestDoorListsReadBack: the room, the sitting and its candidates in two
// column blocks, continued on a second page past 48; no 证件号码.
func TestDoorListsReadBack(t *testing.T) {
	l := DoorList{Sitting: Sitting{Subject: "理论知识", Session: "T01", Day: "2026-07-10", Starts: "09:00", Ends: "10:30",
		Site: "江西卫生职业学院", Room: "第一考场"}}
	for i := 1; i <= 50; i++ {
		l.Rows = append(l.Rows, DoorRow{Seat: fmt.Sprintf("%02d", i), Name: fmt.Sprintf("考生%02d号", i), EntryNo: fmt.Sprintf("%04d", i)})
	}
	small := DoorList{Sitting: Sitting{Subject: "操作技能", Session: "P01", Day: "2026-07-10", Starts: "14:00", Ends: "15:00", Room: "实训楼 301"},
		Rows: l.Rows[:3]}
	var buf bytes.Buffer
	if err := WriteDoorLists(&buf, fonts(t), testAdmission.EventName, []DoorList{l, small}, testAdmission.Printed); err != nil {
		t.Fatal(err)
	}
	keep(t, "门贴.pdf", buf.Bytes())
	text := pdfText(t, buf.Bytes())
	for _, want := range []string{"第一考场", "考点：江西卫生职业学院", "2026-07-10 09:00-10:30", "场次 T01", "考生名单（共 50 人）",
		"考生名单（共 50 人）（续）", "考生01号", "考生48号", "考生50号", "0050", "实训楼 301", "考生名单（共 3 人）",
		"实训楼 301 P01 门贴", "第一考场 T01 门贴"} {
		if !strings.Contains(text, want) {
			t.Errorf("door lists lack %q", want)
		}
	}
	if strings.Contains(text, "360") || strings.Contains(text, "证件号码") {
		t.Error("a door list shows 证件号码")
	}
	if t.Failed() {
		t.Log(text)
	}
}

// TestBatchSittings: a sitting's room is the batch's room named by the
// session's venue (its code or its name), at the room's 考点 or else the
// batch's venue; its subject is the module's name; another venue prints
// as written.
func TestBatchSittings(t *testing.T) {
	b := BatchRoster{Event: store.Event{Venue: "南昌市职业技能鉴定中心"},
		Rooms:   []store.ExamRoom{{Code: "K01", Site: "江西卫生职业学院", Name: "第一考场"}, {Code: "K02", Name: "第二考场"}},
		Modules: []store.Module{{Code: "T", Name: "理论知识"}}}
	for _, c := range []struct {
		s          store.SessionState
		room, site string
		subject    string
	}{
		{store.SessionState{Session: sessions.Session{Code: "T01", Name: "上午场", Venue: "K01", Module: "T"}}, "第一考场", "江西卫生职业学院", "理论知识"},
		{store.SessionState{Session: sessions.Session{Code: "T02", Name: "上午场", Venue: "第二考场", Module: "T"}}, "第二考场", "南昌市职业技能鉴定中心", "理论知识"},
		{store.SessionState{Session: sessions.Session{Code: "P01", Name: "操作技能", Venue: "实训楼 301"}}, "实训楼 301", "南昌市职业技能鉴定中心", "操作技能"},
	} {
		got := b.Sitting(c.s)
		if got.Room != c.room || got.Site != c.site || got.Subject != c.subject || got.Session != c.s.Code {
			t.Errorf("%s: %+v, want room %s at %s, subject %s", c.s.Code, got, c.room, c.site, c.subject)
		}
	}
}
