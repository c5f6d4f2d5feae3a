package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	"skillscore"
	"skillscore/arbitration"
	"skillscore/incidents"
)

func testEvidence(n int) Evidence {
	sum := sha256.Sum256([]byte(fmt.Sprint(n)))
	return Evidence{SHA256: hex.EncodeToString(sum[:]), Media: MediaPhoto, ContentType: "image/jpeg", Size: 1000 + int64(n), Note: " 赛位 3 设备故障 "}
}

// Evidence on both databases: attached to a sheet and to a 公示 appeal,
// the same file twice on one target is one row (no second audit entry),
// the count per target is bounded, a judge attaches only to their own
// sheet, targets of another event are not found, every attachment is
// audited, and deletion is the organizer's before publication only.
func TestEvidenceRecords(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Second)
		s := open(Options{})
		d := seed(t, s)
		// Published: every sheet submitted and locked, codes drawn. Evidence
		// may still be attached (a 仲裁 hearing after publication).
		toPublication(t, s, d, now)
		sheets, err := s.Sheets(ctx, d.ev.ID)
		if err != nil || len(sheets) != 2 {
			t.Fatalf("sheets: %v %d", err, len(sheets))
		}
		sheet := sheets[0].ID
		check := EvidenceCheck{EventID: d.ev.ID, TargetKind: "sheet", TargetID: sheet, MaxPerTarget: 2}
		label, err := s.CheckEvidenceTarget(ctx, check)
		if err != nil || !strings.Contains(label, "评分表") || !strings.Contains(label, "J01") {
			t.Fatalf("check sheet: %q %v", label, err)
		}
		first, dup, err := s.AddEvidence(ctx, check, testEvidence(1), "chief")
		if err != nil || dup || first.ID == 0 || first.Note != "赛位 3 设备故障" || first.Target != label {
			t.Fatalf("add: %+v %v %v", first, dup, err)
		}
		again, dup, err := s.AddEvidence(ctx, check, testEvidence(1), "monitor")
		if err != nil || !dup || again.ID != first.ID || again.CreatedBy != "chief" {
			t.Fatalf("the same file again: %+v dup=%v %v", again, dup, err)
		}
		if _, _, err := s.AddEvidence(ctx, check, testEvidence(2), "chief"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CheckEvidenceTarget(ctx, check); skillscore.ErrorCode(err) != skillscore.EConflict || !strings.Contains(err.Error(), "上限") {
			t.Errorf("check a full target: %v, want EConflict naming the bound", err)
		}
		if _, _, err := s.AddEvidence(ctx, check, testEvidence(3), "chief"); skillscore.ErrorCode(err) != skillscore.EConflict {
			t.Errorf("a third file over a bound of 2: %v, want EConflict", err)
		}
		// The bound of 2 is full, yet the same file again is still the
		// row it was, not a refusal.
		if _, dup, err := s.AddEvidence(ctx, check, testEvidence(2), "chief"); err != nil || !dup {
			t.Errorf("a duplicate on a full target: dup=%v %v", dup, err)
		}

		// A judge: their own sheet yes, another judge's no (as not found).
		own := check
		own.JudgeID, own.TargetID, own.MaxPerTarget = d.judge.ID, sheets[1].ID, 20
		if _, _, err := s.AddEvidence(ctx, own, testEvidence(4), "judge:1"); err != nil {
			t.Fatalf("judge on own sheet: %v", err)
		}
		other := own
		other.JudgeID = d.outsider.ID
		if _, err := s.CheckEvidenceTarget(ctx, other); skillscore.ErrorCode(err) != skillscore.ENotFound {
			t.Errorf("another judge's sheet: %v, want ENotFound", err)
		}
		cs, err := s.Contestants(ctx, d.ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			if c.ID == sheets[1].ContestantID {
				if id, err := s.JudgeSheetID(ctx, d.judge.ID, "A", *c.Code); err != nil || id != sheets[1].ID {
					t.Errorf("judge sheet id of %s: %d %v, want %d", *c.Code, id, err, sheets[1].ID)
				}
			}
		}
		if _, err := s.JudgeSheetID(ctx, d.outsider.ID, "A", "nobody"); skillscore.ErrorCode(err) != skillscore.ENotFound {
			t.Errorf("no sheet: %v", err)
		}

		// Unknown kinds, unknown targets, bad records.
		for name, c := range map[string]EvidenceCheck{
			"unknown kind":         {EventID: d.ev.ID, TargetKind: "contestant", TargetID: 1},
			"missing sheet":        {EventID: d.ev.ID, TargetKind: "sheet", TargetID: 999_999},
			"missing appeal":       {EventID: d.ev.ID, TargetKind: "appeal", TargetID: 999_999},
			"sheet of other event": {EventID: d.ev.ID + 1000, TargetKind: "sheet", TargetID: sheet},
		} {
			if _, err := s.CheckEvidenceTarget(ctx, c); err == nil {
				t.Errorf("%s: accepted", name)
			}
		}
		for name, e := range map[string]Evidence{
			"no checksum": func() Evidence { e := testEvidence(5); e.SHA256 = "abc"; return e }(),
			"a GIF":       func() Evidence { e := testEvidence(6); e.ContentType = "image/gif"; return e }(),
			"clip as photo": func() Evidence {
				e := testEvidence(7)
				e.ContentType = "video/mp4"
				return e
			}(),
			"empty":     func() Evidence { e := testEvidence(8); e.Size = 0; return e }(),
			"long note": func() Evidence { e := testEvidence(9); e.Note = strings.Repeat("字", 201); return e }(),
		} {
			if _, _, err := s.AddEvidence(ctx, own, e, "x"); skillscore.ErrorCode(err) != skillscore.EInvalid {
				t.Errorf("%s: %v, want EInvalid", name, err)
			}
		}

		// A 公示 appeal.
		ap, err := s.FileAppeal(ctx, d.ev.ID, AppealFiling{ContestantID: d.cs[0].ID, Body: "对评分有异议"}, "organizer")
		if err != nil {
			t.Fatal(err)
		}
		onAppeal := EvidenceCheck{EventID: d.ev.ID, TargetKind: "appeal", TargetID: ap.ID, MaxPerTarget: 20}
		clip := testEvidence(1)
		clip.Media, clip.ContentType = MediaClip, "video/mp4"
		ea, dup, err := s.AddEvidence(ctx, onAppeal, clip, "arbiter")
		if err != nil || dup || !strings.Contains(ea.Target, "公示申诉") {
			t.Fatalf("appeal evidence: %+v %v %v", ea, dup, err)
		}
		// A judge never attaches to an appeal.
		judgeOnAppeal := onAppeal
		judgeOnAppeal.JudgeID = d.judge.ID
		if _, err := s.CheckEvidenceTarget(ctx, judgeOnAppeal); skillscore.ErrorCode(err) != skillscore.ENotFound {
			t.Errorf("judge on appeal: %v", err)
		}

		all, err := s.EventEvidence(ctx, d.ev.ID, "", 0)
		if err != nil || len(all) != 4 {
			t.Fatalf("event evidence: %d %v", len(all), err)
		}
		onSheet, err := s.EventEvidence(ctx, d.ev.ID, "sheet", sheet)
		if err != nil || len(onSheet) != 2 || onSheet[0].Target != label {
			t.Fatalf("sheet evidence: %+v %v", onSheet, err)
		}
		got, err := s.EvidenceByID(ctx, d.ev.ID, ea.ID)
		if err != nil || got.SHA256 != clip.SHA256 || got.Media != MediaClip {
			t.Fatalf("by id: %+v %v", got, err)
		}
		if _, err := s.EvidenceByID(ctx, d.ev.ID+1000, ea.ID); skillscore.ErrorCode(err) != skillscore.ENotFound {
			t.Errorf("by id in another event: %v", err)
		}

		// Published: deletion refused.
		if _, _, err := s.DeleteEvidence(ctx, d.ev.ID, first.ID, "拍错了", "organizer"); skillscore.ErrorCode(err) != skillscore.EConflict {
			t.Errorf("delete after publication: %v, want EConflict", err)
		}

		trail, err := s.AuditTrail(ctx, d.ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		adds := 0
		for _, a := range trail {
			if a.Action == "evidence.add" {
				adds++
			}
		}
		if adds != 4 {
			t.Errorf("%d evidence.add entries, want 4 (duplicates are not audited again)", adds)
		}
		if bad, _, err := s.VerifyAudit(ctx); err != nil || bad != 0 {
			t.Errorf("audit chain: %d bad, %v", bad, err)
		}
	})
}

// Deletion before publication: a reason, audited; the file stays in use
// while another row names it.
func TestEvidenceDeleteBeforePublication(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		ctx := context.Background()
		s := open(Options{})
		d := seed(t, s)
		assignAll(t, s, d)
		for n, c := range d.cs {
			op := SheetOp{OpID: fmt.Sprintf("del-%d", n), Kind: OpMark, EventID: d.ev.ID, ModuleID: d.pra.ID, ContestantID: c.ID,
				JudgeID: d.judge.ID, AspectID: d.pra.Aspects[0].ID, Value: 20000, Actor: "judge:1", Subject: "x"}
			if res, err := s.ApplyOps(ctx, []SheetOp{op}); err != nil || res[0].Err != nil {
				t.Fatalf("mark: %v %v", err, res)
			}
		}
		sheets, _ := s.Sheets(ctx, d.ev.ID)
		a := EvidenceCheck{EventID: d.ev.ID, TargetKind: "sheet", TargetID: sheets[0].ID, MaxPerTarget: 20}
		b := a
		b.TargetID = sheets[1].ID
		ea, _, err := s.AddEvidence(ctx, a, testEvidence(1), "chief")
		if err != nil {
			t.Fatal(err)
		}
		eb, _, err := s.AddEvidence(ctx, b, testEvidence(1), "chief")
		if err != nil || eb.ID == ea.ID {
			t.Fatalf("the same file on another target is its own row: %+v %v", eb, err)
		}
		if files, err := s.EvidenceFiles(ctx); err != nil || len(files) != 1 || files[0] != ea.SHA256 {
			t.Errorf("evidence files: %v %v, want the one shared file", files, err)
		}
		if _, _, err := s.DeleteEvidence(ctx, d.ev.ID, ea.ID, " ", "organizer"); skillscore.ErrorCode(err) != skillscore.EInvalid {
			t.Errorf("no reason: %v", err)
		}
		gone, used, err := s.DeleteEvidence(ctx, d.ev.ID, ea.ID, "拍错了选手", "organizer")
		if err != nil || gone.ID != ea.ID || !used {
			t.Fatalf("delete one of two: %+v used=%v %v", gone, used, err)
		}
		if _, used, err = s.DeleteEvidence(ctx, d.ev.ID, eb.ID, "拍错了选手", "organizer"); err != nil || used {
			t.Fatalf("delete the last: used=%v %v", used, err)
		}
		if u, err := s.EvidenceFileUsed(ctx, ea.SHA256); err != nil || u {
			t.Errorf("file still used: %v %v", u, err)
		}
		if _, _, err := s.DeleteEvidence(ctx, d.ev.ID, ea.ID, "再删", "organizer"); skillscore.ErrorCode(err) != skillscore.ENotFound {
			t.Errorf("delete twice: %v", err)
		}
		trail, _ := s.AuditTrail(ctx, d.ev.ID)
		dels := 0
		for _, e := range trail {
			if e.Action == "evidence.delete" && strings.Contains(e.Detail, "拍错了选手") {
				dels++
			}
		}
		if dels != 2 {
			t.Errorf("%d evidence.delete entries with the reason, want 2", dels)
		}
	})
}

// The 赛场记录 incidents and the on-site 仲裁 cases are evidence targets
// (both databases): each checks that its target is of the event (another
// event's incident or case is not found), is labelled as the pages show
// it; a judge attaches from the tablet to an incident they entered or at
// a station they score, never to one elsewhere nor to a case.
func TestEvidenceOnIncidentsAndArbitration(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		ctx := context.Background()
		s := open(Options{})
		sup := seedSupervised(t, s)
		d := seed(t, s)

		inc, err := s.RecordIncident(ctx, NewIncident{EventID: sup.ev.ID, Session: "S02", Station: "02",
			Actor: fmt.Sprintf("judge:%d", sup.j1.ID), EnteredName: "周考评", EnteredRole: "judge",
			Input: incidents.Input{Kind: incidents.Equipment, Occurred: "10:20", AddedMin: 5, Description: "护理床摇杆卡死，更换床位"}})
		if err != nil {
			t.Fatal(err)
		}
		c, err := s.FileArbitration(ctx, d.ev.ID, arbitration.Filing{Kind: arbitration.KindEquipment, ModuleID: d.pra.ID,
			AppellantRole: arbitration.ByLeader, Appellant: "王领队", Facts: "3 号工位护理床升降故障。"}, "organizer")
		if err != nil {
			t.Fatal(err)
		}

		onInc := EvidenceCheck{EventID: sup.ev.ID, TargetKind: "incident", TargetID: inc.ID, MaxPerTarget: 20}
		label, err := s.CheckEvidenceTarget(ctx, onInc)
		if err != nil || label != "赛场记录第 1 号：场次 S02 · 赛位 02" {
			t.Fatalf("incident label: %q %v", label, err)
		}
		onCase := EvidenceCheck{EventID: d.ev.ID, TargetKind: "arbitration", TargetID: c.ID, MaxPerTarget: 20}
		caseLabel, err := s.CheckEvidenceTarget(ctx, onCase)
		if err != nil || !strings.HasPrefix(caseLabel, "现场仲裁第 1 号：") || !strings.Contains(caseLabel, "模块 A") {
			t.Fatalf("case label: %q %v", caseLabel, err)
		}

		for name, c := range map[string]EvidenceCheck{
			"incident of another event": {EventID: d.ev.ID, TargetKind: "incident", TargetID: inc.ID},
			"case of another event":     {EventID: sup.ev.ID, TargetKind: "arbitration", TargetID: c.ID},
			"missing incident":          {EventID: sup.ev.ID, TargetKind: "incident", TargetID: 999_999},
			"missing case":              {EventID: d.ev.ID, TargetKind: "arbitration", TargetID: 999_999},
			"judge not at its station":  {EventID: sup.ev.ID, TargetKind: "incident", TargetID: inc.ID, JudgeID: sup.j3.ID},
			"judge on a case":           {EventID: d.ev.ID, TargetKind: "arbitration", TargetID: c.ID, JudgeID: d.judge.ID},
		} {
			if _, err := s.CheckEvidenceTarget(ctx, c); skillscore.ErrorCode(err) != skillscore.ENotFound {
				t.Errorf("%s: %v, want ENotFound", name, err)
			}
			if _, _, err := s.AddEvidence(ctx, c, testEvidence(9), "chief"); skillscore.ErrorCode(err) != skillscore.ENotFound {
				t.Errorf("%s, add: %v, want ENotFound", name, err)
			}
		}

		ei, dup, err := s.AddEvidence(ctx, onInc, testEvidence(1), "chief")
		if err != nil || dup || ei.Target != label {
			t.Fatalf("incident evidence: %+v %v %v", ei, dup, err)
		}
		// From the tablet: the judge who entered it, and another judge who
		// scores its station (J02 shares S02's stations with J01).
		for _, j := range []Judge{sup.j1, sup.j2} {
			c := onInc
			c.JudgeID = j.ID
			if got, err := s.CheckEvidenceTarget(ctx, c); err != nil || got != label {
				t.Errorf("%s on the incident: %q %v", j.Code, got, err)
			}
		}
		byJ2 := onInc
		byJ2.JudgeID = sup.j2.ID
		if ej, dup, err := s.AddEvidence(ctx, byJ2, testEvidence(2), fmt.Sprintf("judge:%d", sup.j2.ID)); err != nil || dup || ej.TargetID != inc.ID {
			t.Fatalf("J02's photo of the incident: %+v %v %v", ej, dup, err)
		}
		ec, _, err := s.AddEvidence(ctx, onCase, testEvidence(1), "arbiter")
		if err != nil || ec.Target != caseLabel {
			t.Fatalf("case evidence: %+v %v", ec, err)
		}
		if got, err := s.EventEvidence(ctx, sup.ev.ID, "incident", inc.ID); err != nil || len(got) != 2 || got[0].Target != label {
			t.Errorf("incident's evidence: %+v %v", got, err)
		}
		if got, err := s.EventEvidence(ctx, d.ev.ID, "", 0); err != nil || len(got) != 1 || got[0].TargetKind != "arbitration" {
			t.Errorf("the other event's evidence: %+v %v", got, err)
		}
		for _, kind := range []string{"incident", "arbitration"} {
			tk, err := EvidenceTargetOf(kind)
			if err != nil || tk.JudgeOwn != (kind == "incident") || tk.Sees(RoleObserver) || !tk.Sees(RoleMonitor) || !tk.Sees(RoleArbiter) || !tk.Attaches(RoleChief) {
				t.Errorf("%s roles: %+v %v", kind, tk, err)
			}
		}
	})
}
