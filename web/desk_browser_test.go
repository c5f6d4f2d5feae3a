package web_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"skillscore/internal/browsertest"
	"skillscore/store"
)

// TestDeskInBrowser: at a tablet's 1024×768 the chief judge, sent to the
// login page when not logged in, sees each sheet's score so far and the
// spread flag in its cell, and reopens a sheet from a popover that leaves
// the column's width as it was.
func TestDeskInBrowser(t *testing.T) {
	o := newOffice(t)
	ctx := context.Background()
	// J01's module-A drafts all become 0 on the judgement aspects: far
	// from J02's and J03's marks, so the panel's spread is flagged.
	mods, _ := o.st.Modules(ctx, o.ev.ID)
	js, _ := o.st.Judges(ctx, o.ev.ID)
	var modA store.Module
	for _, m := range mods {
		if m.Code == "A" {
			modA = m
		}
	}
	var j01 store.Judge
	for _, j := range js {
		if j.Code == "J01" {
			j01 = j
		}
	}
	sheets, _ := o.st.Sheets(ctx, o.ev.ID)
	n := 0
	for _, sh := range sheets {
		if sh.ModuleID != modA.ID || sh.JudgeID != j01.ID {
			continue
		}
		for _, a := range modA.Aspects {
			if a.Kind != "judgement" {
				continue
			}
			n++
			if _, err := o.st.RecordMark(ctx, store.MarkOp{OpID: fmt.Sprintf("spread-%d", n), EventID: o.ev.ID, ModuleID: modA.ID,
				ContestantID: sh.ContestantID, JudgeID: j01.ID, AspectID: a.ID, Value: 0, Actor: "judge:J01"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if n == 0 {
		t.Fatal("no J01 draft to change")
	}

	b := browsertest.New(t, 1024, 768)
	desk := o.srv.URL + "/events/" + o.ev.Code + "/desk"
	browsertest.Navigates(t, b, chromedp.Navigate(desk))
	if loc := browsertest.Eval[string](t, b, `location.pathname + location.search`); !strings.HasPrefix(loc, "/login?next=") {
		t.Fatalf("not logged in, the desk went to %q, want the login page", loc)
	}
	browsertest.Navigates(t, b,
		chromedp.SendKeys(chromedp.CSS(`input[name=username]`), "chief"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "pass-chief"),
		chromedp.Submit(chromedp.CSS(`input[name=password]`)),
	)
	browsertest.WaitTrue(t, b, `document.querySelector('table.grid[data-module="A"]')`)
	if text := browsertest.Eval[string](t, b, `document.querySelector('#desk .meta').innerText`); regexp.MustCompile(`第 ?\d+ ?版`).MatchString(text) {
		t.Errorf("the desk shows an internal revision number: %q", text)
	}

	// A flagged cell of J01 shows its score (a decimal) and the flag.
	flagged := browsertest.Eval[string](t, b, `(function(){
		var c = document.querySelector('table.grid[data-module="A"] td.cell.flagged');
		return c ? c.innerText : '';
	})()`)
	if !strings.Contains(flagged, "差异") {
		t.Fatalf("no cell of module A carries the spread flag (cell text %q)", flagged)
	}
	scores := browsertest.Eval[int](t, b, `[].filter.call(document.querySelectorAll('table.grid td.cell .score'),
		function(s){ return /^\d+(\.\d+)? 分$/.test(s.textContent.trim()); }).length`)
	if scores == 0 {
		t.Fatal("no cell shows a sheet's score")
	}
	if !browsertest.Eval[bool](t, b, `!!document.querySelector('table.grid td.cell.flagged .score')`) {
		t.Fatal("the flagged cell shows no score")
	}

	// The reopen control of a submitted sheet opens over the grid: its
	// column keeps its width, and the reason field shows only when opened.
	cellJS := `document.querySelector('table.grid td.cell.submitted details.reopen').closest('td')`
	width := `(function(){ var td = ` + cellJS + `; return td.getBoundingClientRect().width; })()`
	if browsertest.Eval[bool](t, b, `(function(){ var i = `+cellJS+`.querySelector('input[name=reason]'); return i.checkVisibility(); })()`) {
		t.Fatal("the reopen reason field shows before the chief judge opens the control")
	}
	before := browsertest.Eval[float64](t, b, width)
	if !browsertest.Eval[bool](t, b, `(function(){ var td = `+cellJS+`; td.id = 'reopen-cell'; td.querySelector('summary').click(); return true; })()`) {
		t.Fatal("no reopen control")
	}
	browsertest.WaitTrue(t, b, `document.querySelector('#reopen-cell input[name=reason]').checkVisibility()`)
	after := browsertest.Eval[float64](t, b, `document.getElementById('reopen-cell').getBoundingClientRect().width`)
	if before != after {
		t.Fatalf("opening the reopen control changed the column's width from %.1f to %.1f px", before, after)
	}
	if before > 1024/3 {
		t.Fatalf("a cell is %.1f px wide at 1024 px", before)
	}
	browsertest.Navigates(t, b,
		chromedp.SendKeys(chromedp.CSS(`#reopen-cell input[name=reason]`), "裁判误触，需复核"),
		chromedp.Click(chromedp.CSS(`#reopen-cell details.reopen button`)),
	)
	trail, _ := o.st.AuditTrail(ctx, o.ev.ID)
	if last := trail[len(trail)-1]; last.Action != "sheet.reopen" || !strings.Contains(last.Detail, "裁判误触") {
		t.Fatalf("last audit entry %s %s", last.Action, last.Detail)
	}
}

// TestDeskAsksToLogInWhenTheSessionEnds: the desk refreshes itself every
// 3 s; once its session has ended (a logout in another tab) it goes to the
// login page with the desk as next, instead of showing a stale grid.
func TestDeskAsksToLogInWhenTheSessionEnds(t *testing.T) {
	o := newOffice(t)
	b := browsertest.New(t, 1024, 768)
	browsertest.Navigates(t, b, chromedp.Navigate(o.srv.URL+"/events/"+o.ev.Code+"/desk"))
	browsertest.Navigates(t, b,
		chromedp.SendKeys(chromedp.CSS(`input[name=username]`), "chief"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "pass-chief"),
		chromedp.Submit(chromedp.CSS(`input[name=password]`)),
	)
	browsertest.WaitTrue(t, b, `document.getElementById('desk')`)
	// Log out behind the page's back, as another tab would.
	browsertest.Eval[bool](t, b, `(function(){
		fetch('/logout', {method: 'POST', credentials: 'same-origin', redirect: 'manual',
			body: new URLSearchParams({csrf: document.querySelector('input[name=csrf]').value})})
			.then(function(){ window.__loggedOut = true; });
		return true; })()`)
	browsertest.WaitTrue(t, b, `location.pathname === '/login' && decodeURIComponent(location.search).indexOf('/events/`+o.ev.Code+`/desk') >= 0`)
}
