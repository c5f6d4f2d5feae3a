package testenv

import (
	"context"
	"fmt"
	"testing"
	"time"

	"skillscore/store"
)

// Final takes an event through the results workflow the way its people
// would: Decrypted, then a publication period that has already ended,
// final. Tests of what may only follow final results (certificates) start here.
func Final(tb testing.TB, st *store.Store, eventID int64) {
	tb.Helper()
	Decrypted(tb, st, eventID)
	end := time.Now().Add(-time.Second)
	if _, err := st.PublishResults(context.Background(), eventID, end.Add(-72*time.Hour), end, "testenv"); err != nil {
		tb.Fatalf("publish for final: %v", err)
	}
	if err := st.Finalize(context.Background(), eventID, "testenv"); err != nil {
		tb.Fatalf("finalize: %v", err)
	}
}

// Decrypted submits and locks every sheet (a judge who never opened one
// gives the lowest mark of each aspect), signs off every judged module and
// decrypts: the event is ready to publish.
func Decrypted(tb testing.TB, st *store.Store, eventID int64) {
	tb.Helper()
	ctx := context.Background()
	sheets, err := st.Sheets(ctx, eventID)
	if err != nil {
		tb.Fatal(err)
	}
	mods, err := st.Modules(ctx, eventID)
	if err != nil {
		tb.Fatal(err)
	}
	byID := map[int64]store.Module{}
	for _, m := range mods {
		byID[m.ID] = m
	}
	assigned, err := st.Assignments(ctx, eventID)
	if err != nil {
		tb.Fatal(err)
	}
	type key struct{ module, contestant, judge int64 }
	status := map[key]string{}
	for _, sh := range sheets {
		status[key{sh.ModuleID, sh.ContestantID, sh.JudgeID}] = sh.Status
	}
	var ops []store.SheetOp
	op := func(kind string, a store.Assignment, aspect int64) {
		ops = append(ops, store.SheetOp{OpID: fmt.Sprintf("final-%d", len(ops)), Kind: kind, EventID: eventID,
			ModuleID: a.ModuleID, ContestantID: a.ContestantID, JudgeID: a.JudgeID, AspectID: aspect,
			Actor: "testenv", Subject: "final"})
	}
	for _, a := range assigned {
		switch status[key{a.ModuleID, a.ContestantID, a.JudgeID}] {
		case "":
			for _, asp := range byID[a.ModuleID].Aspects {
				op(store.OpMark, a, asp.ID)
			}
			op(store.OpSubmit, a, 0)
		case "open":
			op(store.OpSubmit, a, 0)
		}
	}
	res, err := st.ApplyOps(ctx, ops)
	if err != nil {
		tb.Fatal(err)
	}
	for _, r := range res {
		if r.Err != nil {
			tb.Fatalf("submit for final: %v", r.Err)
		}
	}
	if sheets, err = st.Sheets(ctx, eventID); err != nil {
		tb.Fatal(err)
	}
	for _, sh := range sheets {
		if sh.Status != "locked" {
			if _, _, err := st.SetSheetStatus(ctx, eventID, sh.ID, "locked", "", "testenv"); err != nil {
				tb.Fatalf("lock for final: %v", err)
			}
		}
	}
	for _, m := range mods {
		if !m.Imported && !m.SignedOffAt.Valid() {
			if err := st.SignOffModule(ctx, eventID, m.ID, 0, "testenv"); err != nil {
				tb.Fatalf("sign off for final: %v", err)
			}
		}
	}
	if _, err := st.Decrypt(ctx, eventID, "testenv"); err != nil {
		tb.Fatalf("decrypt for final: %v", err)
	}
}
