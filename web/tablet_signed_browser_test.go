package web_test

import (
	"context"
	"encoding/json"
	"testing"

	"skillscore/demo"
	"skillscore/internal/browsertest"
	"skillscore/scoring"
	"skillscore/store"
)

// TestTabletTakesSignedMeasuredValue: when the rules let a measured value
// be negative (measure.min below 0, as ski jumping's wind points), the
// tablet's field offers a keyboard with a minus sign, a typed negative value
// is stored as typed, and one below the minimum is still refused at the
// field. The demo's A3 (degrees 0–90) is given the range −10–90 for this.
func TestTabletTakesSignedMeasuredValue(t *testing.T) {
	r := newTabletRig(t)
	ctx := context.Background()
	rules, err := scoring.ParseRules([]byte(r.ev.Rules))
	if err != nil {
		t.Fatal(err)
	}
	for i := range rules.Modules {
		for j := range rules.Modules[i].Aspects {
			if a := &rules.Modules[i].Aspects[j]; rules.Modules[i].Code == "A" && a.Code == "A3" {
				lo := scoring.Points(-10)
				a.Measure.Min = &lo
			}
		}
	}
	if err := rules.Validate(); err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(rules)
	es := store.EventSetup{Rules: string(raw), Modules: demo.Modules(rules)}
	for _, g := range rules.Groups {
		es.Groups = append(es.Groups, store.Group{Code: g.Code, Name: g.Name})
	}
	if err := r.st.ReplaceRules(ctx, r.ev.ID, es, "test"); err != nil {
		t.Fatal(err)
	}
	r.tabletSizes(t, func(t *testing.T, tb *tabletTab) {
		b := tb.b
		tb.logIn(t)
		tb.open(t, tb.sheet)
		if m := browsertest.Eval[string](t, b, `document.querySelector(`+"`"+fieldA3+"`"+`).getAttribute('inputmode')`); m != "text" {
			t.Errorf("A3 takes negatives, yet its field asks for the %q keyboard", m)
		}
		if m := browsertest.Eval[string](t, b, `document.querySelector(`+"`"+fieldA8+"`"+`).getAttribute('inputmode')`); m != "decimal" {
			t.Errorf("A8 takes no negatives, yet its field asks for the %q keyboard", m)
		}
		scrollTo(t, b, fieldA3)
		typeInto(t, b, fieldA3, "−7.5") // a tablet keyboard's minus sign
		browsertest.WaitTrue(t, b, `window.__tablet.pending.length === 0 && !document.querySelector('#aspects [data-aspect="A3"] .field-error')`)
		if got := tb.marks(t, tb.sheet); got["A3"] != -75000 {
			t.Errorf("A3 typed −7.5, stored %d", got["A3"])
		}
		typeInto(t, b, fieldA3, "-10.5")
		browsertest.WaitTrue(t, b, `(function(){var e=document.querySelector('#aspects [data-aspect="A3"] .field-error');return e&&e.textContent.indexOf('超出允许范围 -10–90')>=0})()`)
		if got := tb.marks(t, tb.sheet); got["A3"] != -75000 {
			t.Errorf("−10.5 refused, yet A3 is stored as %d", got["A3"])
		}
	})
}
