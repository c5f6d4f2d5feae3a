package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"skillscore/internal/testenv"
	"skillscore/judges"
	"skillscore/store"
	"skillscore/templates"
	"skillscore/web"
)

// supervisedOffice is a server on the 督导 test batch (testenv.Supervised)
// beside the demo competition, with a login per role, each with the
// password "pass-" + its name: sup (督导员 of the batch), sup2 (another
// 督导员 of it), org (site organizer), chief, keeper1, obs (observer of
// the batch) and far (督导员 of the demo competition only).
type supervisedOffice struct {
	office
	batch testenv.SupervisedBatch
}

func newSupervisedOffice(t *testing.T) *supervisedOffice {
	t.Helper()
	st, demoEv := testenv.Demo(t)
	b := testenv.Supervised(t, st)
	addStaff(t, st, "org", "chief", "keeper1")
	for name, g := range map[string]store.Grant{
		"sup":  {Role: web.RoleSupervisor, EventCode: b.Event.Code},
		"sup2": {Role: web.RoleSupervisor, EventCode: b.Event.Code},
		"obs":  {Role: web.RoleObserver, EventCode: b.Event.Code},
		"far":  {Role: web.RoleSupervisor, EventCode: demoEv.Code},
	} {
		hash, err := web.HashPassword("pass-" + name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.CreateUserWithGrant(context.Background(), store.User{Username: name, Name: "督导" + name, Role: g.Role, PasswordHash: hash}, g, "test"); err != nil {
			t.Fatal(err)
		}
	}
	tmpl, err := templates.New()
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := judges.New(st, judges.Config{Logger: log})
	t.Cleanup(svc.Close)
	srv := httptest.NewServer(web.New(web.Config{Store: st, Templates: tmpl, Logger: log, Judges: svc, Judging: st}))
	t.Cleanup(srv.Close)
	return &supervisedOffice{office: office{t: t, st: st, srv: srv, ev: demoEv}, batch: b}
}

func (o *supervisedOffice) as(name string) *browser {
	b := o.browser()
	if code := b.login(name, "pass-"+name); code != http.StatusSeeOther {
		o.t.Fatalf("login %s: %d", name, code)
	}
	return b
}

// recordForm is a complete 督导记录 for a sitting.
func recordForm(csrf, session string, pins ...string) url.Values {
	f := url.Values{"csrf": {csrf}, "session": {session}, "v_order": {"fair"}, "n_order": {"开考后仍有考生走动"},
		"v_examiners": {"all"}, "v_conduct": {"compliant"}, "v_violations": {"none"}, "remarks": {"考场布置符合要求"}}
	if len(pins) > 0 {
		f.Set("pin", pins[0])
	}
	if len(pins) > 1 {
		f.Set("pin2", pins[1])
	}
	return f
}

func webPDFText(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "out.pdf")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", path, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	return string(out)
}

var digestRE = regexp.MustCompile(`<td class="digest">([0-9a-f]{64})</td>`)

func TestSupervisionPagesAndRoles(t *testing.T) {
	o := newSupervisedOffice(t)
	base := "/events/" + o.batch.Event.Code + "/batch/supervision"
	sup := o.as("sup")

	// The board: per room and sitting, names and 准考证号 only.
	code, body := sup.get(base)
	if code != 200 {
		t.Fatalf("board: %d %s", code, body)
	}
	for _, want := range []string{"K01 第一考场（实训楼 301）", `data-sitting="P01"`, "周慧敏", "评分表已提交 <b class=\"sheets\">4 / 36</b>",
		o.batch.EntryNo[o.batch.Candidates[0].ID], o.batch.Candidates[0].Name, "机考，成绩导入", "填写督导记录", "批次号 2026-KY-07"} {
		if !strings.Contains(body, want) {
			t.Errorf("board lacks %q", want)
		}
	}
	for _, c := range o.batch.Candidates {
		if strings.Contains(body, c.IDNumber) || strings.Contains(body, c.IDNumber[len(c.IDNumber)-4:]+"<") {
			t.Fatalf("board shows %s's 证件号码", c.Name)
		}
	}
	if strings.Contains(body, "南昌市第一社会福利院") || strings.Contains(body, "居民身份证") {
		t.Error("board shows a candidate's 单位 or 证件类型")
	}

	// The events page leads a 督导员 to the board.
	if code, body := sup.get("/"); code != 200 || !strings.Contains(body, `href="/events/`+o.batch.Event.Code+`/batch/supervision" class="supervision"`) {
		t.Errorf("events page for a 督导员: %d", code)
	}

	// Who reads, who files.
	chief, org, obs, keeper, far := o.as("chief"), o.as("org"), o.as("obs"), o.as("keeper1"), o.as("far")
	for name, b := range map[string]*browser{"chief": chief, "org": org, "obs": obs} {
		if code, body := b.get(base); code != 200 || strings.Contains(body, "填写督导记录") {
			t.Errorf("%s on the board: %d (form link shown: %v)", name, code, strings.Contains(body, "填写督导记录"))
		}
		if code, _ := b.get(base + "/records"); code != 200 {
			t.Errorf("%s on the records: %d", name, code)
		}
		if code, _ := b.get(base + "/new?session=P01"); code != 403 {
			t.Errorf("%s opens the record form: %d", name, code)
		}
		if code, _ := b.post(base+"/records", recordForm(b.csrf, "P01", "480213", "480213")); code != 403 {
			t.Errorf("%s files a record: %d", name, code)
		}
	}
	if code, _ := keeper.get(base); code != 403 {
		t.Errorf("scorekeeper on the board: %d", code)
	}
	if code, _ := far.get(base); code != 404 {
		t.Errorf("another event's 督导员 on the board: %d", code)
	}
	if code, _ := org.get("/events/" + o.ev.Code + "/batch/supervision"); code != 400 {
		t.Errorf("board of a competition: %d", code)
	}

	// The first signature: the form asks for a new PIN, twice.
	code, body = sup.get(base + "/new?session=P01")
	if code != 200 || !strings.Contains(body, `id="first-pin"`) || !strings.Contains(body, `name="pin2"`) {
		t.Fatalf("first form: %d", code)
	}
	incomplete := recordForm(sup.csrf, "P01", "480213", "480213")
	incomplete.Set("v_violations", "found")
	if code, body := sup.post(base+"/records", incomplete); code != 400 || !strings.Contains(body, "须写明具体情况") || !strings.Contains(body, "开考后仍有考生走动") {
		t.Fatalf("incomplete record: %d", code)
	}
	if code, body := sup.post(base+"/records", recordForm(sup.csrf, "P01", "480213", "480214")); code != 400 || !strings.Contains(body, "不一致") {
		t.Fatalf("PINs that differ: %d", code)
	}
	if code, body := sup.post(base+"/records", recordForm(sup.csrf, "P01", "123456", "123456")); code != 400 || !strings.Contains(body, "过于简单") {
		t.Fatalf("a guessable PIN: %d", code)
	}
	if _, err := o.st.SigningPIN(context.Background(), userID(t, o.st, "sup")); err == nil {
		t.Fatal("a refused signature set the PIN")
	}
	if code, body := sup.post(base+"/records", recordForm(sup.csrf, "P01", "480213", "480213")); code != 303 {
		t.Fatalf("first record: %d %s", code, body)
	}
	pin, err := o.st.SigningPIN(context.Background(), userID(t, o.st, "sup"))
	if err != nil || strings.Contains(pin.Hash, "480213") {
		t.Fatalf("stored PIN: %+v %v", pin, err)
	}

	// Later signatures take the PIN once; a wrong one is counted.
	code, body = sup.get(base + "/new?session=P02")
	if code != 200 || strings.Contains(body, `name="pin2"`) {
		t.Fatalf("second form: %d", code)
	}
	if code, body := sup.post(base+"/records", recordForm(sup.csrf, "P02", "999999")); code != 400 || !strings.Contains(body, "再错 4 次") {
		t.Fatalf("wrong PIN: %d", code)
	}
	if code, _ := sup.post(base+"/records", recordForm(sup.csrf, "P02", "480213")); code != 303 {
		t.Fatalf("second record: %d", code)
	}
	// Another 督导员 cannot correct it, nor use sup's PIN.
	sup2 := o.as("sup2")
	recs, err := o.st.SupervisionRecords(context.Background(), o.batch.Event.ID)
	if err != nil || len(recs) != 2 {
		t.Fatalf("records: %d %v", len(recs), err)
	}
	first := recs[0]
	if code, _ := sup2.get(base + "/new?corrects=" + strconv.FormatInt(first.ID, 10)); code != 403 {
		t.Errorf("another 督导员 corrects: %d", code)
	}
	// A correction: the form comes filled; without a reason it is refused.
	code, body = sup.get(base + "/new?corrects=" + strconv.FormatInt(first.ID, 10))
	if code != 200 || !strings.Contains(body, "更正第 1 号督导记录") || !strings.Contains(body, `value="fair" required checked`) {
		t.Fatalf("correction form: %d", code)
	}
	fix := recordForm(sup.csrf, "P01", "480213")
	fix.Set("corrects", strconv.FormatInt(first.ID, 10))
	fix.Set("v_order", "good")
	if code, body := sup.post(base+"/records", fix); code != 400 || !strings.Contains(body, "更正原因") {
		t.Fatalf("correction without reason: %d", code)
	}
	fix.Set("reason", "误选“一般”")
	if code, _ := sup.post(base+"/records", fix); code != 303 {
		t.Fatalf("correction: %d", code)
	}
	if code, _ := sup.post(base+"/records", fix); code != 409 {
		t.Fatalf("second correction of the same record: %d", code)
	}

	// The records page, as the chief reads it.
	code, body = chief.get(base + "/records")
	if code != 200 || !strings.Contains(body, "更正第 1 号") || !strings.Contains(body, "已被第 3 号更正") || strings.Contains(body, "提交更正") {
		t.Fatalf("records for the chief: %d", code)
	}
	digests := digestRE.FindAllStringSubmatch(body, -1)
	if len(digests) != 3 || strings.Count(body, "摘要核对一致") != 3 || strings.Contains(body, "data-problem") {
		t.Fatalf("digests on the records page: %d, verified %d", len(digests), strings.Count(body, "摘要核对一致"))
	}

	// The PDFs, read back.
	code, pdf := chief.get(base + "/records/" + strconv.FormatInt(first.ID, 10) + "/pdf")
	if code != 200 {
		t.Fatalf("record PDF: %d", code)
	}
	text := webPDFText(t, pdf)
	for _, want := range []string{"督导记录", "第 1 号", "P01 操作技能考核 第1场", "考场秩序", "一般：开考后仍有考生走动", "督导员 督导sup（账号 sup）",
		"本记录已被第 3 号督导记录更正", "督导员（签字）", "考点负责人（签字）", "2026-KY-07", first.Digest} {
		if !strings.Contains(text, want) {
			t.Errorf("record PDF lacks %q", want)
		}
	}
	code, pdf = obs.get(base + "/records.pdf")
	if code != 200 {
		t.Fatalf("batch PDF: %d", code)
	}
	text = webPDFText(t, pdf)
	for _, want := range []string{"督导记录汇总（共 3 份）", "评价机构负责人（签字）", "第 3 号", "更正原因：误选“一般”"} {
		if !strings.Contains(text, want) {
			t.Errorf("batch PDF lacks %q", want)
		}
	}
	if t.Failed() {
		t.Log(text)
	}
	if code, _ := sup.get(base + "/records/999999/pdf"); code != 404 {
		t.Errorf("unknown record's PDF: %d", code)
	}

	// Audited.
	trail, err := o.st.AuditTrail(context.Background(), o.batch.Event.ID)
	if err != nil {
		t.Fatal(err)
	}
	n := map[string]int{}
	for _, e := range trail {
		n[e.Action]++
	}
	if n["supervision.record"] != 3 || n["supervision.pin_set"] != 1 || n["supervision.pin_failed"] != 1 {
		t.Errorf("audit: %v", n)
	}
}

func userID(t *testing.T, st *store.Store, username string) int64 {
	t.Helper()
	u, err := st.UserByUsername(context.Background(), username)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}
