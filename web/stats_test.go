package web_test

import (
	"bytes"
	"io"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"skillscore/stats"
)

// demoPerCity: the demo deals its 28 contestants to the cities in annex
// order, so the first six get 3 and the other five 2.
var demoPerCity = map[string]int{"南昌": 3, "九江": 3, "宜春": 3, "上饶": 3, "抚州": 3, "景德镇": 3,
	"萍乡": 2, "吉安": 2, "新余": 2, "鹰潭": 2, "赣州": 2}

var barRE = regexp.MustCompile(`<rect class="bar (achieved|target)" data-city="([^"]+)" data-value="(\d+)"`)

// bars maps kind → city → value for the chart of one occupation.
func bars(t *testing.T, body, occupation string) map[string]map[string]int {
	t.Helper()
	_, fig, ok := strings.Cut(body, `data-occupation="`+occupation+`"`)
	if !ok {
		t.Fatalf("no chart for %s", occupation)
	}
	fig, _, _ = strings.Cut(fig, "</svg>")
	out := map[string]map[string]int{"achieved": {}, "target": {}}
	for _, m := range barRE.FindAllStringSubmatch(fig, -1) {
		n, _ := strconv.Atoi(m[3])
		if _, dup := out[m[1]][m[2]]; dup {
			t.Errorf("two %s bars for %s", m[1], m[2])
		}
		out[m[1]][m[2]] = n
	}
	return out
}

func TestStatisticsPage(t *testing.T) {
	o := newOffice(t)
	chief := o.browser()
	chief.login("chief", "pass-chief")
	if code, _ := chief.get("/statistics"); code != 403 {
		t.Fatalf("chief on statistics: %d", code)
	}
	org := o.browser()
	org.login("org", "pass-org")

	code, body := org.get("/statistics?year=2026")
	if code != 200 || !strings.Contains(body, "2026 年竞赛与等级认定统计") {
		t.Fatalf("statistics 2026: %d\n%s", code, body)
	}
	b := bars(t, body, "养老护理员")
	for _, city := range stats.Cities() {
		if got, ok := b["achieved"][city]; !ok || got != demoPerCity[city] {
			t.Errorf("achieved bar %s = %d (present %v), want %d", city, got, ok, demoPerCity[city])
		}
		if got, ok := b["target"][city]; !ok || got != 0 {
			t.Errorf("target bar %s = %d (present %v), want 0: no 2026 targets", city, got, ok)
		}
	}
	if len(b["achieved"]) != 11 || len(b["target"]) != 11 {
		t.Errorf("bars %v: want one achieved and one target bar per city", b)
	}
	if !strings.Contains(body, "<td>南昌</td><td>养老护理员</td><td>不分等级</td><td class=\"n\">3</td>") {
		t.Errorf("counts table lacks 南昌's 3 contestants:\n%s", body)
	}

	// 2021: the annex's targets, one chart per occupation
	_, body = org.get("/statistics?year=2021")
	if b := bars(t, body, "养老护理员"); b["target"]["赣州"] != 6000 || b["target"]["鹰潭"] != 600 || len(b["target"]) != 11 {
		t.Errorf("2021 养老护理员 targets %v", b["target"])
	}
	if b := bars(t, body, "育婴员/保育员"); b["target"]["景德镇"] != 1000 || len(b["target"]) != 11 {
		t.Errorf("2021 育婴员/保育员 targets %v", b["target"])
	}
	if !strings.Contains(body, `<td>全省</td><td>养老护理员</td><td class="n">0</td><td class="n target">28400</td>`) {
		t.Errorf("no 全省 total of 28400")
	}

	// editing a target: the token is required, bad input changes nothing
	form := func(city, target string) url.Values {
		return url.Values{"csrf": {org.csrf}, "year": {"2021"}, "city": {city}, "occupation": {"养老护理员"}, "target": {target}}
	}
	noToken := form("南昌", "1")
	noToken.Del("csrf")
	if code, _ := org.post("/statistics/targets", noToken); code != 403 {
		t.Errorf("target without the form token: %d", code)
	}
	for _, bad := range []struct{ city, target, msg string }{
		{"南昌", "很多", "目标人数"}, {"南昌", "-5", "目标人数"}, {"北京", "10", "设区市"},
	} {
		if code, body := org.post("/statistics/targets", form(bad.city, bad.target)); code != 400 || !strings.Contains(body, bad.msg) {
			t.Errorf("target %s=%q: %d, want 400 mentioning %s\n%s", bad.city, bad.target, code, bad.msg, body)
		}
	}
	_, body = org.get("/statistics?year=2021")
	if b := bars(t, body, "养老护理员"); b["target"]["南昌"] != 2400 {
		t.Fatalf("南昌 target changed by bad input: %d", b["target"]["南昌"])
	}
	if code, _ := org.post("/statistics/targets", form("南昌市", "2600")); code != 303 {
		t.Fatalf("set target: %d", code)
	}
	_, body = org.get("/statistics?year=2021")
	if b := bars(t, body, "养老护理员"); b["target"]["南昌"] != 2600 {
		t.Errorf("南昌 target after edit: %d, want 2600", b["target"]["南昌"])
	}

	// the workbook
	resp, err := org.c.Get(o.srv.URL + "/statistics.xlsx?year=2026")
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Type"), "spreadsheetml") {
		t.Fatalf("xlsx: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(stats.CountsSheet)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range rows[2:] {
		got[r[0]] = r[3]
	}
	for city, n := range demoPerCity {
		if got[city] != strconv.Itoa(n) {
			t.Errorf("xlsx %s contestants %q, want %d", city, got[city], n)
		}
	}
	prog, err := f.GetRows(stats.ProgressSheet)
	if err != nil || len(prog) != 2+12 {
		t.Errorf("progress sheet: %d rows, %v; want header rows + 11 cities + 全省", len(prog), err)
	}
	if code, body := org.get("/statistics?year=20x6"); code != 400 || !strings.Contains(body, "年份") {
		t.Errorf("bad year: %d", code)
	}
}
