package web_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"skillscore/demo"
	"skillscore/store"
)

func TestDrawPageDrawsPrintsAndDecrypts(t *testing.T) {
	o := newOffice(t)
	ctx := context.Background()
	ev, err := o.st.CreateEvent(ctx, store.NewEvent{
		Event: store.Event{Code: "jx-web-draw", Name: "江西省养老护理员职业技能竞赛（抽签）", Kind: "competition",
			Occupation: "养老护理员", Year: 2026, Rules: `{"modules":[]}`},
		Groups: []store.Group{{Code: "employee", Name: "职工组"}},
		Modules: []store.Module{{Code: "A", Name: "生活照护", Kind: "practical", Weight: 1000000, MaxMarks: 1000000,
			Aspects: []store.Aspect{{Code: "A1", Name: "沟通评估", Kind: "judgement", MaxMarks: 100000}}}},
	}, "test")
	if err != nil {
		t.Fatal(err)
	}
	var cs []store.Contestant
	for i := 0; i < 12; i++ {
		cs = append(cs, store.Contestant{Name: fmt.Sprintf("选手%02d", i+1), Gender: "女", IDType: "护照",
			IDNumber: fmt.Sprintf("E%08d", i+1), Organization: "九江市康养中心", City: "九江", GroupCode: "employee"})
	}
	if _, err := o.st.AddContestants(ctx, ev.ID, cs, "test"); err != nil {
		t.Fatal(err)
	}
	base := "/events/" + ev.Code
	chief := o.browser()
	chief.login("chief", "pass-chief")
	if code, _ := chief.get(base + "/draw"); code != 403 {
		t.Fatalf("chief on the draw page: %d", code)
	}
	org := o.browser()
	org.login("org", "pass-org")
	code, body := org.get(base + "/draw")
	if code != 200 || !strings.Contains(body, "尚未抽签") || !strings.Contains(body, "生活照护") {
		t.Fatalf("draw page: %d\n%s", code, body)
	}
	if code, _ := org.post(base+"/draw", url.Values{"layer": {"1"}}); code != 403 {
		t.Fatalf("draw without the form token: %d", code)
	}
	if code, body := org.post(base+"/draw", url.Values{"csrf": {org.csrf}, "layer": {"1"}, "seed": {"nothex"}}); code != 400 || !strings.Contains(body, "十六进制") {
		t.Fatalf("bad seed: %d %s", code, body)
	}
	if code, _ := org.post(base+"/draw", url.Values{"csrf": {org.csrf}, "layer": {"1"}}); code != 303 {
		t.Fatalf("draw: %d", code)
	}
	_, body = org.get(base + "/draw")
	seed := regexp.MustCompile(`class="seed">([0-9a-f]{64})<`).FindStringSubmatch(body)
	if seed == nil {
		t.Fatalf("page shows no seed:\n%s", body)
	}
	if code, _ := org.post(base+"/draw", url.Values{"csrf": {org.csrf}, "layer": {"2"}, "seed": {strings.Repeat("5a", 32)}}); code != 303 {
		t.Fatalf("second draw: %d", code)
	}
	resp, err := org.c.Get(o.srv.URL + base + "/draw/sheet.pdf")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "sheet.pdf")
	f, _ := os.Create(path)
	f.ReadFrom(resp.Body)
	f.Close()
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("sheet: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	text, err := exec.Command("pdftotext", "-layout", path, "-").CombinedOutput()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"抽签结果表", "二次加密号", "选手01", "选手12", "九江市康养中心", seed[1], strings.Repeat("5a", 32), "B012", "监督员"} {
		if !strings.Contains(string(text), want) {
			t.Errorf("sheet lacks %q", want)
		}
	}

	// Decryption waits for the chief judge's sign-off, then happens once.
	if code, body := org.post(base+"/decrypt", url.Values{"csrf": {org.csrf}}); code != 409 || !strings.Contains(body, "生活照护") {
		t.Fatalf("decrypt before sign-off: %d", code)
	}
	mods, _ := o.st.Modules(ctx, ev.ID)
	if err := o.st.SignOffModule(ctx, ev.ID, mods[0].ID, 1, "chief"); err != nil {
		t.Fatal(err)
	}
	_, body = org.get(base + "/draw")
	if !strings.Contains(body, `id="decrypt"`) {
		t.Fatalf("decrypt button missing after sign-off:\n%s", body)
	}
	if code, _ := org.post(base+"/decrypt", url.Values{"csrf": {org.csrf}}); code != 303 {
		t.Fatalf("decrypt: %d", code)
	}
	_, body = org.get(base + "/draw")
	if !strings.Contains(body, `id="decrypted"`) || strings.Contains(body, `name="layer"`) {
		t.Fatalf("page after decryption:\n%s", body)
	}
	if code, _ := org.post(base+"/draw", url.Values{"csrf": {org.csrf}, "layer": {"2"}}); code != 409 {
		t.Fatalf("draw after decryption: %d", code)
	}
}

// TestDrawRefusedOnceJudgesMarked: the demo event already has marks, so a
// draw would change codes judges use.
func TestDrawRefusedOnceJudgesMarked(t *testing.T) {
	o := newOffice(t)
	before, _ := o.st.Contestants(context.Background(), o.ev.ID)
	org := o.browser()
	org.login("org", "pass-org")
	// The page offers no draw form once marks exist; post with the token
	// from another organizer page as a stale tab would.
	if _, body := org.get("/events/" + demo.EventCode + "/draw"); strings.Contains(body, `name="layer"`) || !strings.Contains(body, "不能再抽签") {
		t.Fatalf("draw page of a marked event offers a draw:\n%s", body)
	}
	org.get("/events/" + demo.EventCode + "/judges")
	code, body := org.post("/events/"+demo.EventCode+"/draw", url.Values{"csrf": {org.csrf}, "layer": {"1"}})
	if code != 409 || !strings.Contains(body, "裁判已按现有加密号评分") {
		t.Fatalf("draw on a marked event: %d %s", code, body)
	}
	after, _ := o.st.Contestants(context.Background(), o.ev.ID)
	for i := range before {
		if *before[i].Code != *after[i].Code {
			t.Fatal("refused draw changed a code")
		}
	}
}
