package web_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"skillscore/idnumber"
	"skillscore/internal/testenv"
	"skillscore/photos"
	"skillscore/roster"
	"skillscore/store"
	"skillscore/templates"
	"skillscore/web"
)

// batchOffice serves the demo event (a competition) and the batch pages
// to an organizer, with a photo store.
type batchOffice struct {
	t   *testing.T
	st  *store.Store
	srv *httptest.Server
	web *web.Server
}

func newBatchOffice(t *testing.T) *batchOffice {
	t.Helper()
	st, _ := testenv.Demo(t)
	addStaff(t, st, "org", "chief")
	tmpl, err := templates.New()
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	w := web.New(web.Config{Store: st, Templates: tmpl, Logger: log, Judging: st, Roster: st, Personal: st,
		Photos: photos.New(st, filepath.Join(t.TempDir(), "photos"))})
	srv := httptest.NewServer(w)
	t.Cleanup(w.Close)
	t.Cleanup(srv.Close)
	return &batchOffice{t: t, st: st, srv: srv, web: w}
}

func (o *batchOffice) browser() *browser {
	return (&certOffice{t: o.t, srv: o.srv}).browser()
}

// batchForm is a complete new-batch form with two rooms of 3 and 2 seats.
func batchForm(csrf string) url.Values {
	return url.Values{"csrf": {csrf}, "preset": {"assessment"}, "code": {"jx-rd-2026-06"}, "name": {"2026年6月养老护理员四级认定"},
		"occupation": {"养老护理员"}, "occupation_code": {"4-10-01-05"}, "specialty": {""}, "level": {"4"},
		"starts_on": {"2026-06-10"}, "ends_on": {"2026-06-11"}, "venue": {"江西卫生职业学院"}, "batch_no": {"2026-KY-06"},
		"publicity_days": {"5"}, "retake_months": {"12"}, "photo": {"358x441"}, "photo_kb": {"100"},
		"room.code": {"K01", "K02", ""}, "room.site": {"江西卫生职业学院", "江西卫生职业学院", ""}, "room.name": {"第一考场", "第二考场", ""},
		"room.seats": {"3", "2", ""}}
}

// candidates imports n candidates (every third a 补考) through the roster
// import, as the roster page's job does.
func (o *batchOffice) candidates(code string, n int) {
	o.t.Helper()
	ctx := context.Background()
	ev, err := o.st.EventByCode(ctx, code)
	if err != nil {
		o.t.Fatal(err)
	}
	var csv strings.Builder
	csv.WriteString("姓名,证件号码,民族,文化程度,设区市,考生来源,申报条件\n")
	for i := range n {
		id, err := idnumber.Make("360102", time.Date(1984, 2, 1+i, 0, 0, 0, 0, time.UTC), 31+2*i)
		if err != nil {
			o.t.Fatal(err)
		}
		src := "新考"
		if i%3 == 2 {
			src = "补考"
		}
		fmt.Fprintf(&csv, "考生%02d,%s,汉族,高中,南昌,%s,从事本职业 5 年\n", i+1, id, src)
	}
	if _, err := roster.Import(ctx, o.st, ev.ID, "考生.csv", []byte(csv.String()), roster.Options{Actor: "org", Basis: store.BasisDuty}); err != nil {
		o.t.Fatal(err)
	}
}

func TestBatchCreateSetupAndSeats(t *testing.T) {
	o := newBatchOffice(t)
	b := o.browser()
	if code := b.login("org", "pass-org"); code != http.StatusSeeOther {
		t.Fatalf("login: %d", code)
	}
	if code, body := b.get("/batches"); code != 200 || !strings.Contains(body, "还没有认定批次") {
		t.Fatalf("empty list: %d", code)
	}
	b.get("/batches/new")
	// Refused: each field's problem at the field, nothing created.
	bad := batchForm(b.csrf)
	bad.Set("occupation_code", "养老")
	bad.Set("room.seats", "很多")
	code, body := b.post("/batches/new", bad)
	if code != 400 || !strings.Contains(body, `id="err-occupation_code"`) || !strings.Contains(body, "座位数“很多”不是整数") {
		t.Fatalf("bad form: %d\n%s", code, body)
	}
	if _, err := o.st.EventByCode(context.Background(), "jx-rd-2026-06"); err == nil {
		t.Fatal("a refused batch was created")
	}
	code, _ = b.post("/batches/new", batchForm(b.csrf))
	if code != http.StatusSeeOther {
		t.Fatalf("create: %d", code)
	}
	// The same batch number again: refused at its field.
	again := batchForm(b.csrf)
	again.Set("code", "jx-rd-2026-07")
	if code, body := b.post("/batches/new", again); code != 400 || !strings.Contains(body, `id="err-batch_no"`) {
		t.Fatalf("batch number twice: %d", code)
	}

	ctx := context.Background()
	ev, err := o.st.EventByCode(ctx, "jx-rd-2026-06")
	if err != nil || ev.Kind != "assessment" || ev.OccupationCode != "4-10-01-05" || ev.Level != 4 || ev.Year != 2026 {
		t.Fatalf("event %+v %v", ev, err)
	}
	groups, _ := o.st.Groups(ctx, ev.ID)
	if len(groups) != 1 || groups[0].Name != "考生" {
		t.Errorf("groups %+v", groups)
	}
	if !strings.Contains(ev.Rules, `"to": 4`) {
		t.Errorf("a pass should grant the batch's level: %s", ev.Rules)
	}

	o.candidates("jx-rd-2026-06", 6)
	code, body = b.get("/events/jx-rd-2026-06/batch")
	for _, want := range []string{"2026-KY-06", "养老护理员（4-10-01-05）", "四级/中级工", "2026-06-10 至 2026-06-11", "358×441 像素，100 KB 以内",
		`data-stage="imported"><td class="stage"><a href="/events/jx-rd-2026-06/roster">已导入名单</a></td><td class="num new">4</td><td class="num retake">2</td>`, `2 个考场，5 个座位，已用 0`,
		`href="/events/jx-rd-2026-06/batch/photos"`, `href="/events/jx-rd-2026-06/batch/seats"`} {
		if !strings.Contains(body, want) {
			t.Errorf("overview lacks %q", want)
		}
	}
	if code != 200 {
		t.Fatalf("overview %d", code)
	}
	// A competition has no batch page.
	if code, _ := b.get("/events/" + "jx-ylhly-2026" + "/batch"); code != 404 {
		t.Errorf("competition batch page: %d", code)
	}

	// Six candidates, five seats: refused naming the missing seat.
	b.get("/events/jx-rd-2026-06/batch/seats")
	seats := url.Values{"csrf": {b.csrf}, "method": {"entry_no"}, "day.theory": {"2026-06-10"}, "starts.theory": {"09:00"}, "ends.theory": {"10:30"},
		"day.skill": {"2026-06-11"}, "starts.skill": {"08:30"}, "ends.skill": {"11:30"}, "day.review": {""}}
	if code, body := b.post("/events/jx-rd-2026-06/batch/seats", seats); code != 409 || !strings.Contains(body, "还差 1 个座位") ||
		!strings.Contains(body, `value="2026-06-11"`) {
		t.Fatalf("short of seats: %d", code)
	}
	b.get("/events/jx-rd-2026-06/batch/setup")
	rooms := url.Values{"csrf": {b.csrf}, "room.code": {"K01", "K02"}, "room.site": {"江西卫生职业学院", "江西卫生职业学院"},
		"room.name": {"第一考场", "第二考场"}, "room.seats": {"3", "4"}}
	if code, _ := b.post("/events/jx-rd-2026-06/batch/rooms", rooms); code != http.StatusSeeOther {
		t.Fatalf("rooms: %d", code)
	}
	if code, _ := b.post("/events/jx-rd-2026-06/batch/seats", seats); code != http.StatusSeeOther {
		t.Fatalf("seats: %d", code)
	}
	code, body = b.get("/events/jx-rd-2026-06/batch/seats")
	if code != 200 || !strings.Contains(body, `<span class="used">3/3</span>`) || !strings.Contains(body, `<span class="used">3/4</span>`) ||
		!strings.Contains(body, "<td>01</td><td>0001</td><td>考生01</td>") {
		t.Errorf("rooms filled: %d\n%s", code, body)
	}
	if code, body := b.post("/events/jx-rd-2026-06/batch/rooms", rooms); code != 409 || !strings.Contains(body, "撤销座位安排") {
		t.Errorf("rooms while seated: %d", code)
	}
	_, body = b.get("/events/jx-rd-2026-06/batch")
	if !strings.Contains(body, `data-stage="seated"><td class="stage"><a href="/events/jx-rd-2026-06/batch/seats">已分配考场座位</a></td><td class="num new">4</td><td class="num retake">2</td>`) ||
		!strings.Contains(body, "操作技能考核：2026-06-11 08:30–11:30") {
		t.Errorf("overview after seating:\n%s", body)
	}
	sched, _ := o.st.Schedule(ctx, ev.ID)
	if len(sched) != 4 || sched[0].Code != "K01-theory" {
		t.Errorf("sessions %d", len(sched))
	}
	// The batch's details: a spec upside down is refused at the form.
	b.get("/events/jx-rd-2026-06/batch/setup")
	details := url.Values{"csrf": {b.csrf}, "batch_no": {"2026-KY-06"}, "ends_on": {"2026-06-11"}, "publicity_days": {"7"}, "retake_months": {"12"},
		"photo_min_width": {"400"}, "photo_max_width": {"300"}}
	if code, body := b.post("/events/jx-rd-2026-06/batch/setup", details); code != 400 || !strings.Contains(body, "大于最大尺寸") {
		t.Errorf("bad spec: %d", code)
	}
	details.Set("photo_min_width", "295")
	details.Set("photo_max_width", "")
	if code, _ := b.post("/events/jx-rd-2026-06/batch/setup", details); code != http.StatusSeeOther {
		t.Errorf("save details: %d", code)
	}
	if bt, _ := o.st.Batch(ctx, ev.ID); bt.PublicityDays != 7 || bt.MinWidth != 295 || bt.MaxWidth != 0 {
		t.Errorf("saved %+v", bt)
	}
	if code, _ := b.post("/events/jx-rd-2026-06/batch/seats/withdraw", url.Values{"csrf": {b.csrf}}); code != http.StatusSeeOther {
		t.Errorf("withdraw: %d", code)
	}
	if code, _ := b.post("/events/jx-rd-2026-06/batch/rooms", rooms); code != http.StatusSeeOther {
		t.Errorf("rooms after withdrawing: %d", code)
	}
	if code, body := b.get("/batches"); code != 200 || !strings.Contains(body, `data-batch="jx-rd-2026-06"`) {
		t.Errorf("list: %d", code)
	}
}

func batchPhoto(t *testing.T, w, h, n int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{R: byte(x + 37*n), G: byte(y + 11*n), B: byte(90 + n), A: 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// The batch's photo page takes a ZIP named by 准考证号 or 证件号码 and
// names every refused file with its reason.
func TestBatchPhotosPage(t *testing.T) {
	o := newBatchOffice(t)
	b := o.browser()
	b.login("org", "pass-org")
	b.get("/batches/new")
	if code, _ := b.post("/batches/new", batchForm(b.csrf)); code != http.StatusSeeOther {
		t.Fatalf("create: %d", code)
	}
	o.candidates("jx-rd-2026-06", 3)
	ctx := context.Background()
	ev, _ := o.st.EventByCode(ctx, "jx-rd-2026-06")
	if _, err := o.st.AssignEntryNumbers(ctx, ev.ID, "org"); err != nil {
		t.Fatal(err)
	}
	people, _ := o.st.Contestants(ctx, ev.ID)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, data := range map[string][]byte{
		"0001.jpg":                  batchPhoto(t, 358, 441, 1),
		people[1].IDNumber + ".jpg": batchPhoto(t, 358, 441, 2),
		"0003.jpg":                  batchPhoto(t, 413, 579, 3),
		"9999.jpg":                  batchPhoto(t, 358, 441, 4),
		"说明.txt":                    []byte("照片说明"),
	} {
		w, _ := zw.Create(name)
		w.Write(data)
	}
	zw.Close()
	b.get("/events/jx-rd-2026-06/batch/photos")
	code, body := b.upload("/events/jx-rd-2026-06/batch/photos", "照片.zip", buf.Bytes())
	if code != 200 {
		t.Fatalf("upload: %d\n%s", code, body)
	}
	for _, want := range []string{"导入 2，替换 0，未变 0，不合格 <strong>3</strong>", "照片 413×579 像素，本批次要求 358×441 像素",
		"文件名不是本赛事任何选手的证件号码、准考证号", `<td class="file">说明.txt</td>`, "已有照片 <strong>2</strong> 人，缺 <strong>1</strong> 人",
		"<td>0003</td><td>考生03</td>"} {
		if !strings.Contains(body, want) {
			t.Errorf("photos page lacks %q", want)
		}
	}
	if strings.Contains(body, people[1].IDNumber) {
		t.Error("the page shows a full 证件号码")
	}
	_, body = b.get("/events/jx-rd-2026-06/batch")
	if !strings.Contains(body, `data-stage="photo"><td class="stage"><a href="/events/jx-rd-2026-06/batch/photos">已有照片</a></td><td class="num new">2</td>`) {
		t.Errorf("overview photo stage:\n%s", body)
	}
}

// A batch's roster goes through the roster page's job like any other: a
// bad 民族 is named at its row and column, and a good file stores each
// candidate's office fields, shown on the roster.
func TestBatchRosterThroughThePage(t *testing.T) {
	o := newBatchOffice(t)
	b := o.browser()
	b.login("org", "pass-org")
	b.get("/batches/new")
	if code, _ := b.post("/batches/new", batchForm(b.csrf)); code != http.StatusSeeOther {
		t.Fatalf("create: %d", code)
	}
	id := func(seq int) string {
		s, err := idnumber.Make("360102", time.Date(1990, 3, 3, 0, 0, 0, 0, time.UTC), seq)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	file := func(eth string) []byte {
		return []byte("姓名,证件号码,民族,文化程度,设区市,考生来源,申报条件\n" +
			"甲," + id(1) + ",汉族,本科,南昌,新考,从事本职业 3 年\n" +
			"乙," + id(3) + "," + eth + ",中专,九江,补考,从事本职业 6 年\n")
	}
	job := func(data []byte) (string, string) {
		t.Helper()
		b.get("/events/jx-rd-2026-06/roster")
		resp := b.uploadResp("/events/jx-rd-2026-06/roster/upload", "考生.csv", data)
		loc := resp.Header.Get("Location")
		_, jobID, ok := strings.Cut(loc, "job=")
		if resp.StatusCode != http.StatusSeeOther || !ok {
			t.Fatalf("upload: %d %q", resp.StatusCode, loc)
		}
		deadline := time.Now().Add(time.Minute)
		for {
			_, body := b.get("/api/v1/events/jx-rd-2026-06/roster/jobs/" + jobID)
			if !strings.Contains(body, `"state":"running"`) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the roster job did not end within a minute")
			}
			time.Sleep(20 * time.Millisecond) // polling the job's state, bounded by the deadline
		}
		_, page := b.get("/events/jx-rd-2026-06/roster?job=" + jobID)
		return jobID, page
	}
	_, page := job(file("火星族"))
	if !strings.Contains(page, "民族“火星族”不是 GB 3304 所列的民族名称") || !strings.Contains(page, `<td class="reason">ethnicity_unknown</td>`) ||
		!strings.Contains(page, "C（民族）") {
		t.Fatalf("bad 民族 not named on the page:\n%s", page)
	}
	jobID, page := job(file("畲"))
	if !strings.Contains(page, `id="confirm"`) {
		t.Fatalf("clean dry run cannot be confirmed:\n%s", page)
	}
	_, confirm := b.get("/events/jx-rd-2026-06/roster?job=" + jobID)
	notice := regexp.MustCompile(`name="notice_sha256" value="([0-9a-f]{64})"`).FindStringSubmatch(confirm)
	if notice == nil {
		t.Fatal("no notice hash on the page")
	}
	code, _ := b.post("/events/jx-rd-2026-06/roster/jobs/"+jobID+"/import", url.Values{"csrf": {b.csrf}, "basis": {"duty"},
		"notified": {"1"}, "notice_sha256": {notice[1]}})
	if code != http.StatusSeeOther {
		t.Fatalf("confirm: %d", code)
	}
	ev, _ := o.st.EventByCode(context.Background(), "jx-rd-2026-06")
	deadline := time.Now().Add(time.Minute)
	for {
		if cs, _ := o.st.Candidates(context.Background(), ev.ID); len(cs) == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the import did not store the candidates within a minute")
		}
		time.Sleep(20 * time.Millisecond) // polling the store, bounded by the deadline
	}
	_, page = b.get("/events/jx-rd-2026-06/roster")
	if !strings.Contains(page, "<td>畲族</td><td>中等专科</td><td class=\"source\">补考</td>") || !strings.Contains(page, "考生名单") {
		t.Errorf("roster lacks the office fields:\n%s", page)
	}
}
