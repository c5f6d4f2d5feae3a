package demo_test

import (
	"context"
	"path/filepath"
	"testing"

	"skillscore/demo"
	"skillscore/internal/testenv"
	"skillscore/recheck"
	"skillscore/store"
)

// TestFinishedEventHasSignedOffRecheck: the finished demo event's 复核 is
// signed off before its publication, with the recorded seed, one flagged
// sheet corrected by the chief judge, everything else confirmed; and
// re-drawing from the seed gives the stored sample (the ranking has not
// moved: the correction changed no mark).
func TestFinishedEventHasSignedOffRecheck(t *testing.T) {
	ctx := context.Background()
	var clock demo.Clock
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "demo.db"), store.Options{Keys: testenv.Keys(t), Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ev, err := demo.CreateFinished(ctx, st, &clock, demo.People{Organizer: "organizer", Chief: "chief", ChiefUserID: 1})
	if err != nil {
		t.Fatal(err)
	}
	r, items, err := st.Recheck(ctx, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r.Seed != demo.RecheckSeed || !r.SignedOffAt.Valid() || r.SignedOffName == nil || *r.SignedOffName != demo.MonitorName {
		t.Fatalf("round: %+v", r)
	}
	w, err := st.Workflow(ctx, ev.ID)
	if err != nil || !w.PublishedAt.Valid() || !r.SignedOffAt.Before(w.PublishedAt.Time) {
		t.Fatalf("signed off %v, published %v (%v)", r.SignedOffAt, w.PublishedAt, err)
	}
	flagged, corrected := 0, 0
	for _, it := range items {
		switch {
		case it.Verdict == store.VerdictFlagged:
			flagged++
			if it.CorrectedAt.Valid() && it.Category == recheck.CategoryArithmetic {
				corrected++
			}
		case it.Verdict != store.VerdictConfirmed:
			t.Errorf("item %d unchecked", it.ID)
		}
	}
	if flagged != 1 || corrected != 1 {
		t.Fatalf("flagged %d, corrected %d", flagged, corrected)
	}
	set, err := st.RecheckSettings(ctx, ev.ID)
	if err != nil || set != recheck.Defaults("competition") {
		t.Fatalf("settings %+v %v", set, err)
	}
	if r.TopN != 10 || r.TopCount == 0 || r.DrawnCount == 0 {
		t.Fatalf("draw counts: %+v", r)
	}
	sheets, err := st.RecheckSheets(ctx, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r.TopCount+r.RestCount != len(sheets) || recheck.SampleSize(r.RestCount, set.SamplePercent) != r.DrawnCount {
		t.Fatalf("counts %+v of %d sheets", r, len(sheets))
	}
}
