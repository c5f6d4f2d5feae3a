package web_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"skillscore/incidents"
	"skillscore/internal/browsertest"
	"skillscore/store"
)

// TestIncidentEvidenceOnTabletInBrowser: a judge records an incident on
// the tablet and, before the contestant answers, photographs it with the
// entry's camera input: a text file named .jpg is refused beside the
// button with nothing stored, the photo is stored on that entry with its
// SHA-256 and counted on the entry's card. After the answer a second photo
// adds to it (the entry itself unchanged), and an entry the chief recorded
// at the judge's station takes one too. Another judge, not on that
// station, is refused by the endpoint with nothing stored. The chief sees
// the count on the incidents page and the photos, with their checksums,
// behind its link; the page fits the chief's tablet upright, landscape and
// a phone.
func TestIncidentEvidenceOnTabletInBrowser(t *testing.T) {
	o := newEvidenceOffice(t)
	ctx := context.Background()
	good, fake := evidenceFiles(t)
	second := filepath.Join(t.TempDir(), "第二张.jpg")
	if err := os.WriteFile(second, photo(t, 78), 0o600); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(good)
	sum := sha256.Sum256(data)
	goodSHA := hex.EncodeToString(sum[:])

	js, err := o.st.Judges(ctx, o.ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	judge := js[0]
	stations, err := o.st.IncidentStations(ctx, judge.ID)
	if err != nil || len(stations) == 0 {
		t.Fatalf("%s has no stations in the demo's sessions: %v", judge.Code, err)
	}
	at := stations[len(stations)-1]
	var other store.Judge // a judge who does not score that station
	for _, j := range js[1:] {
		theirs, _ := o.st.IncidentStations(ctx, j.ID)
		scores := false
		for _, x := range theirs {
			scores = scores || x.Session == at.Session && x.Station == at.Station
		}
		if !scores {
			other = j
			break
		}
	}
	if other.ID == 0 {
		t.Fatal("every judge of the demo scores that station")
	}
	c, err := o.st.Contestant(ctx, o.ev.ID, at.ContestantID)
	if err != nil {
		t.Fatal(err)
	}
	// The chief's entry at the judge's station, still pending.
	chiefs, err := o.st.RecordIncident(ctx, store.NewIncident{EventID: o.ev.ID, Session: at.Session, Station: at.Station,
		Input: incidents.Input{Kind: incidents.LeftFloor, Occurred: "09:05", Description: "选手离开赛场 3 分钟，经允许"},
		Actor: "chief", EnteredName: "裁判长", EnteredRole: "chief"})
	if err != nil {
		t.Fatal(err)
	}

	login, err := o.svc.IssueLogin(ctx, judge.ID, "organizer")
	if err != nil {
		t.Fatal(err)
	}
	root := browsertest.NewWithin(t, 1024, 768, 150*time.Second)
	b := browsertest.Device(t, root, 1024, 768)
	browsertest.Navigates(t, b, chromedp.Navigate(o.srv.URL+"/judge?t="+login.Ticket))
	browsertest.WaitTrue(t, b, `document.querySelector('#pinpad button')`)
	typePad(t, b, login.PIN)
	tap(t, b, `#login-go`)
	browsertest.WaitTrue(t, b, `document.getElementById('sync').textContent === '已同步' && !document.getElementById('list').hidden`)

	tap(t, b, `#incident-open`)
	tap(t, b, `#inc-stations button[data-session="`+at.Session+`"][data-station="`+at.Station+`"]`)
	tap(t, b, `#inc-kinds button[data-kind=breach]`)
	typeInto(t, b, `#inc-desc`, "未按规定佩戴手套接触器械")
	tap(t, b, `#inc-save`)
	browsertest.WaitTrue(t, b, `!document.getElementById('inc-ack').hidden`)
	all, _ := o.st.Incidents(ctx, o.ev.ID, "")
	if len(all) != 2 || all[1].EnteredRole != "judge" {
		t.Fatalf("stored entries: %+v", all)
	}
	e := all[1]
	id := strconv.FormatInt(e.ID, 10)
	upload := func(sel, file string) {
		t.Helper()
		browsertest.WaitTrue(t, b, `document.querySelector(`+strconv.Quote(sel)+`)`)
		if err := chromedp.Do(b, chromedp.SetUploadFiles(chromedp.CSS(sel), []string{file})); err != nil {
			t.Fatal(err)
		}
	}
	// The camera is the sheet's: a capture input for photos and clips.
	type input struct{ Accept, Capture string }
	if in := browsertest.Eval[input](t, b, `(function(){var e=document.getElementById('inc-ack-ev-`+id+`');return {Accept:e.accept,Capture:e.getAttribute('capture')}})()`); in.Accept != "image/*,video/*" || in.Capture != "environment" {
		t.Fatalf("the entry's camera input: %+v", in)
	}

	// Before the contestant answers: a text file named .jpg, refused
	// beside the button, nothing stored; then the photo.
	upload(`#inc-ack-ev-`+id, fake)
	ackMsg := `document.querySelector('#inc-ack-evidence .evidence-msg')`
	browsertest.WaitTrue(t, b, ackMsg+`.textContent.indexOf('文件内容不是照片或视频（按文件内容判断') >= 0 && `+ackMsg+`.classList.contains('error')`)
	if rows, files := o.stored(); rows != 0 || files != 0 {
		t.Fatalf("a refused file stored %d rows, %d files", rows, files)
	}
	screenshot(t, b, "incident-evidence-refused-1024x768.png")
	upload(`#inc-ack-ev-`+id, good)
	card := `document.querySelector('#inc-list [data-no="` + strconv.Itoa(e.No) + `"]')`
	browsertest.WaitTrue(t, b, ackMsg+`.textContent.indexOf('照片已上传，附在赛场记录第 `+strconv.Itoa(e.No)+` 号上') >= 0`)
	browsertest.WaitTrue(t, b, card+`.querySelector('.evidence-count').textContent === '已附证据：1 张照片'`)
	browsertest.WaitTrue(t, b, `(function(){var i=`+card+`.querySelector('.thumbs img');return i&&i.complete&&i.naturalWidth===64})()`)
	es, err := o.st.EventEvidence(ctx, o.ev.ID, "incident", e.ID)
	if err != nil || len(es) != 1 || es[0].SHA256 != goodSHA || es[0].Media != store.MediaPhoto ||
		es[0].CreatedBy != "judge:"+strconv.FormatInt(judge.ID, 10) {
		t.Fatalf("stored on the entry: %+v %v", es, err)
	}
	if rows, files := o.stored(); rows != 1 || files != 1 {
		t.Fatalf("stored %d rows, %d files, want 1 and 1", rows, files)
	}
	screenshot(t, b, "incident-evidence-ack-1024x768.png")

	// The contestant answers; a second photo after it adds to the entry.
	right := c.IDNumber[len(c.IDNumber)-4:]
	for _, d := range right {
		tap(t, b, `#inc-pad button[data-key="`+string(d)+`"]`)
	}
	tap(t, b, `#inc-ack-go`)
	browsertest.WaitTrue(t, b, `document.getElementById('inc-ack').hidden && `+card+`.dataset.ack === 'pin'`)
	upload(`#inc-ev-`+id, second)
	browsertest.WaitTrue(t, b, card+`.querySelector('.evidence-count').textContent === '已附证据：2 张照片'`)
	// The chief's pending entry at the judge's station takes one too.
	chiefCard := `document.querySelector('#inc-list [data-no="` + strconv.Itoa(chiefs.No) + `"]')`
	upload(`#inc-ev-`+strconv.FormatInt(chiefs.ID, 10), good)
	browsertest.WaitTrue(t, b, chiefCard+`.querySelector('.evidence-count').textContent === '已附证据：1 张照片'`)
	after, _ := o.st.Incident(ctx, o.ev.ID, e.ID)
	if after.Ack != incidents.PIN || after.Description != e.Description || after.Kind != e.Kind {
		t.Fatalf("the entry changed: %+v", after)
	}
	if rows, files := o.stored(); rows != 3 || files != 2 {
		t.Fatalf("stored %d rows, %d files, want 3 and 2 (one photo on two entries)", rows, files)
	}
	if sw := browsertest.Eval[int](t, b, `document.documentElement.scrollWidth`); sw > 1024 {
		t.Errorf("the incident screen is %d px wide on a 1024 px tablet", sw)
	}
	small := browsertest.Eval[[]string](t, b, `[...document.querySelectorAll('#inc-list button, #inc-list label')]
		.filter(e => e.getClientRects().length && e.getBoundingClientRect().height < 44).map(e => e.textContent.trim())`)
	if len(small) > 0 {
		t.Errorf("targets under 44 px: %v", small)
	}
	browsertest.Eval[bool](t, b, `(function(){document.getElementById('inc-list').scrollIntoView();return true})()`)
	shot(t, b, "incident-evidence-tablet-1024x768")
	if err := chromedp.Do(b, chromedp.EmulateViewport(768, 1024)); err != nil {
		t.Fatal(err)
	}
	if sw := browsertest.Eval[int](t, b, `document.documentElement.scrollWidth`); sw > 768 {
		t.Errorf("the incident screen is %d px wide on a 768 px tablet", sw)
	}
	shot(t, b, "incident-evidence-tablet-768x1024")

	// Another judge, not on that station: refused, nothing stored.
	resp, err := (&http.Client{}).Do(func() *http.Request {
		req, _ := http.NewRequest("POST", o.srv.URL+"/api/v1/judge/incidents/"+id+"/evidence", strings.NewReader(string(photo(t, 90))))
		req.Header.Set("Authorization", "Bearer "+o.tabletToken(other.ID))
		return req
	}())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("a judge not on the station: %d", resp.StatusCode)
	}
	if rows, files := o.stored(); rows != 3 || files != 2 {
		t.Fatalf("after the refusal: %d rows, %d files", rows, files)
	}

	// The chief, on the tablet held upright.
	chief := browsertest.Device(t, root, 768, 1024)
	browsertest.Navigates(t, chief, chromedp.Navigate(o.srv.URL+"/events/"+o.ev.Code+"/incidents?s="+at.Session))
	browsertest.Navigates(t, chief,
		chromedp.SendKeys(chromedp.CSS(`input[name=username]`), "chief"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "pass-chief"),
		chromedp.Submit(chromedp.CSS(`input[name=password]`)),
	)
	link := `document.querySelector('#i` + id + ` a.evidence-link')`
	browsertest.WaitTrue(t, chief, link)
	if text := browsertest.Eval[string](t, chief, link+`.textContent`); text != "证据：2 张照片" {
		t.Errorf("the entry's evidence link reads %q", text)
	}
	for _, size := range [][2]int64{{768, 1024}, {1024, 768}, {390, 844}} {
		if err := chromedp.Do(chief, chromedp.EmulateViewport(size[0], size[1])); err != nil {
			t.Fatal(err)
		}
		name := strconv.FormatInt(size[0], 10) + "x" + strconv.FormatInt(size[1], 10)
		if sw := browsertest.Eval[int64](t, chief, `document.documentElement.scrollWidth`); sw > size[0] {
			t.Errorf("the incidents page is %d px wide at %s", sw, name)
		}
		// Every entry's text stays inside the screen.
		out := browsertest.Eval[[]string](t, chief, `[...document.querySelectorAll('#log td')].filter(e => e.getClientRects().length &&
			e.getBoundingClientRect().right > document.documentElement.clientWidth + 1).map(e => e.textContent.trim().slice(0, 20))`)
		if len(out) > 0 {
			t.Errorf("at %s, cells past the screen's edge: %v", name, out)
		}
		shot(t, chief, "incident-evidence-chief-"+name)
	}
	browsertest.Navigates(t, chief, chromedp.Evaluate[chromedp.Void](link+`.click()`))
	browsertest.WaitTrue(t, chief, `(function(){var i=[...document.querySelectorAll('#evidence-list img')];return i.length===2&&i.every(x=>x.complete&&x.naturalWidth===64)})()`)
	if text := browsertest.Eval[string](t, chief, `document.getElementById('evidence-list').innerText`); !strings.Contains(text, goodSHA) ||
		!strings.Contains(text, "赛场记录第 "+strconv.Itoa(e.No)+" 号") {
		t.Errorf("the entry's evidence page reads %q", text)
	}
}
