package certificates

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"skillscore"
	"skillscore/demo"
	"skillscore/internal/testenv"
	"skillscore/photos"
	"skillscore/results"
	"skillscore/scoring"
	"skillscore/store"
)

// demoService issues the demo event's certificates on a real SQLite store.
func demoService(t *testing.T) (*Service, *store.Store, store.Event, IssueResult) {
	t.Helper()
	ctx := context.Background()
	st, ev := testenv.Demo(t)
	kr, _ := testKeys(t)
	svc, err := New(Config{Store: st, Numbering: testNumbering(), Issuer: "江西省康养职业技能评价中心（演示）",
		AwardIssuers: "江西省康养职业技能竞赛组委会（演示）", VerifyURL: "https://cert.example.cn/verify", Keys: kr,
		Renderer: testRenderer(t), Now: func() time.Time { return time.Date(2026, 12, 6, 2, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	res, err := svc.Issue(ctx, ev.ID, "organizer")
	if err != nil {
		t.Fatal(err)
	}
	return svc, st, ev, res
}

func TestIssueLookupRevoke(t *testing.T) {
	svc, st, ev, res := demoService(t)
	ctx := context.Background()
	if res.New == 0 || res.New != len(res.Certificates) {
		t.Fatalf("issued %d new of %d", res.New, len(res.Certificates))
	}
	kinds := map[string]int{}
	for _, c := range res.Certificates {
		kinds[c.Kind]++
		if c.Kind == KindLevel {
			if _, err := ParseLevelNumber(c.Number); err != nil {
				t.Fatalf("level number %s: %v", c.Number, err)
			}
		}
		if strings.Contains(c.Facts, c.IDNumber) {
			t.Fatalf("signed facts of %s carry the unmasked ID number", c.Number)
		}
	}
	if kinds[KindAward] == 0 || kinds[KindLevel] == 0 {
		t.Fatalf("kinds issued %v, want both", kinds)
	}
	again, err := svc.Issue(ctx, ev.ID, "organizer")
	if err != nil || again.New != 0 || len(again.Certificates) != len(res.Certificates) {
		t.Fatalf("re-run issued %d new (err %v), want 0", again.New, err)
	}

	c := res.Certificates[0]
	v, err := svc.ByNumber(ctx, " "+strings.ToLower(c.Number)+" ", c.Name)
	if err != nil || v.Status != StatusValid || v.Facts.Number != c.Number || v.Facts.IDMasked == c.IDNumber {
		t.Fatalf("by number: %+v %v", v, err)
	}
	for _, q := range [][2]string{{c.Number, "王某某"}, {"HJ362026999999", c.Name}} {
		if _, err := svc.ByNumber(ctx, q[0], q[1]); skillscore.ErrorCode(err) != skillscore.ENotFound {
			t.Fatalf("by number %v: %v, want ENotFound", q, err)
		}
	}
	views, err := svc.ByIDNumber(ctx, strings.ToLower(c.IDNumber), c.Name)
	if err != nil || len(views) == 0 {
		t.Fatalf("by id number: %v", err)
	}
	for _, v := range views {
		if v.Facts.IDMasked == c.IDNumber || !strings.Contains(v.Facts.IDMasked, "*") {
			t.Fatalf("lookup returned an unmasked ID number: %+v", v.Facts)
		}
	}
	v, err = svc.ByToken(ctx, "https://cert.example.cn/verify?t="+c.Token)
	if err != nil || !v.Signed || v.Facts.Name != c.Name {
		t.Fatalf("by token: %+v %v", v, err)
	}

	if _, err := svc.Revoke(ctx, c.Number, "", "organizer"); skillscore.ErrorCode(err) != skillscore.EInvalid {
		t.Fatalf("revoke without reason: %v", err)
	}
	if _, err := svc.Revoke(ctx, c.Number, "获奖资格经复核被取消", "organizer"); err != nil {
		t.Fatal(err)
	}
	for name, lookup := range map[string]func() (View, error){
		"number": func() (View, error) { return svc.ByNumber(ctx, c.Number, c.Name) },
		"token":  func() (View, error) { return svc.ByToken(ctx, c.Token) },
	} {
		v, err := lookup()
		if err != nil || v.Status != StatusRevoked || v.StatusName != "已撤销" || v.RevokedReason != "获奖资格经复核被取消" ||
			v.RevokedOn == "" {
			t.Fatalf("by %s after revocation: %+v %v", name, v, err)
		}
	}
	if bad, _, err := st.VerifyAudit(ctx); bad != 0 || err != nil {
		t.Fatalf("audit chain broken at %d: %v", bad, err)
	}
}

func TestBatchZipAndCombined(t *testing.T) {
	svc, _, ev, res := demoService(t)
	ctx := context.Background()
	docs, err := svc.Documents(ctx, ev.ID)
	if err != nil || len(docs) != len(res.Certificates) {
		t.Fatalf("documents: %d %v", len(docs), err)
	}
	var zbuf bytes.Buffer
	done := 0
	if err := svc.WriteZip(ctx, &zbuf, docs, func(n int) { done = n }); err != nil {
		t.Fatal(err)
	}
	if done != len(docs) {
		t.Fatalf("zip progress %d of %d", done, len(docs))
	}
	zr, err := zip.NewReader(bytes.NewReader(zbuf.Bytes()), int64(zbuf.Len()))
	if err != nil || len(zr.File) != len(docs) {
		t.Fatalf("zip holds %d files (%v), want %d", len(zr.File), err, len(docs))
	}
	for i, f := range zr.File {
		if f.Name != FileName(docs[i]) {
			t.Fatalf("zip entry %d is %s, want %s", i, f.Name, FileName(docs[i]))
		}
	}
	rc, _ := zr.File[0].Open()
	var first bytes.Buffer
	first.ReadFrom(rc)
	rc.Close()
	if text := pdfText(t, first.Bytes()); !strings.Contains(compact(text), docs[0].Facts.Number) {
		t.Fatalf("first PDF of the zip lacks its number %s", docs[0].Facts.Number)
	}
	var cbuf bytes.Buffer
	if err := svc.WriteCombined(&cbuf, docs, nil); err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, cbuf.Bytes())
	if pages := strings.Count(text, "\f"); pages != len(docs) {
		t.Fatalf("combined PDF has %d pages, want %d", pages, len(docs))
	}
	for _, d := range docs {
		if !strings.Contains(compact(text), d.Facts.Number) {
			t.Fatalf("combined PDF lacks %s", d.Facts.Number)
		}
	}
	// A cancelled batch stops and returns the context's error.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := svc.EachSingle(cctx, docs, func(int, []byte) error { return nil }); err == nil {
		t.Fatal("a cancelled batch reported success")
	}
}

// TestNoAwardCertificateWithoutAward: a contestant the results give no
// award (a promotion alone, or nothing) gets no 获奖证书, so no certificate
// reads "荣获。" with nothing after it; the promoted still get their level
// certificate. The PDFs are read back with pdftotext.
func TestNoAwardCertificateWithoutAward(t *testing.T) {
	ctx := context.Background()
	st, ev := testenv.Demo(t)
	// Only the 一等奖 band: ranks 2–5 are still promoted (provincial class
	// two) but win no award.
	var doc map[string]any
	if err := json.Unmarshal([]byte(ev.Rules), &doc); err != nil {
		t.Fatal(err)
	}
	awards := doc["awards"].(map[string]any)
	awards["bands"] = awards["bands"].([]any)[:1]
	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	rules, err := scoring.ParseRules(out)
	if err != nil {
		t.Fatal(err)
	}
	es := store.EventSetup{Rules: string(out), Modules: demo.Modules(rules)}
	for _, g := range rules.Groups {
		es.Groups = append(es.Groups, store.Group{Code: g.Code, Name: g.Name})
	}
	if err := st.ReplaceRules(ctx, ev.ID, es, "organizer"); err != nil {
		t.Fatal(err)
	}
	kr, _ := testKeys(t)
	svc, err := New(Config{Store: st, Numbering: testNumbering(), Issuer: "江西省康养职业技能评价中心（演示）",
		AwardIssuers: "江西省康养职业技能竞赛组委会（演示）", VerifyURL: "https://cert.example.cn/verify", Keys: kr,
		Renderer: testRenderer(t), Now: func() time.Time { return time.Date(2026, 12, 6, 2, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	res, err := svc.Issue(ctx, ev.ID, "organizer")
	if err != nil {
		t.Fatal(err)
	}
	snap, err := st.Snapshot(ctx, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	computed, err := results.Compute(snap)
	if err != nil {
		t.Fatal(err)
	}
	awarded, promotedOnly := map[int64]bool{}, map[int64]bool{}
	for _, c := range computed.Result.Contestants {
		row, ok := computed.Contestants[c.ID]
		if !ok {
			continue
		}
		awarded[row.ID] = c.AwardName != ""
		if c.AwardName == "" && c.Promotion != nil {
			promotedOnly[row.ID] = true
		}
	}
	if len(promotedOnly) == 0 {
		t.Fatal("the demo event has no contestant promoted without an award: the test proves nothing")
	}
	levels := map[int64]bool{}
	for _, c := range res.Certificates {
		switch c.Kind {
		case KindAward:
			if !awarded[c.ContestantID] {
				t.Errorf("award certificate %s issued to a contestant without an award", c.Number)
			}
		case KindLevel:
			levels[c.ContestantID] = true
		}
	}
	for id := range promotedOnly {
		if !levels[id] {
			t.Errorf("contestant %d promoted without an award got no level certificate", id)
		}
	}
	docs, err := svc.Documents(ctx, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	var award []Document
	for _, d := range docs {
		if d.Facts.Kind == KindAward {
			award = append(award, d)
		}
	}
	var buf bytes.Buffer
	if err := svc.WriteCombined(&buf, award, nil); err != nil {
		t.Fatal(err)
	}
	text := compact(pdfText(t, buf.Bytes()))
	if n := strings.Count(text, "荣获"); n != len(award) {
		t.Fatalf("%d award certificates but %d read 荣获", len(award), n)
	}
	if strings.Contains(text, "荣获。") {
		t.Errorf("an award certificate reads 荣获。 with no award:\n%s", text)
	}
}

// When the issuing body requires photos, a batch with a level certificate
// whose holder has no photo is refused, naming the holder, and nothing is
// issued; with every photo present it issues.
func TestIssueRefusedWhenRequiredPhotoMissing(t *testing.T) {
	ctx := context.Background()
	st, ev := testenv.Demo(t)
	snap, err := st.Snapshot(ctx, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	computed, err := results.Compute(snap)
	if err != nil {
		t.Fatal(err)
	}
	var holders []store.Contestant
	for _, c := range computed.Result.Contestants {
		if row, ok := computed.Contestants[c.ID]; ok && c.Promotion != nil {
			holders = append(holders, row)
		}
	}
	if len(holders) < 2 {
		t.Fatalf("the demo promotes %d contestants: the test needs two", len(holders))
	}
	if err := st.OpenPersonal(holders); err != nil {
		t.Fatal(err)
	}
	lib := photos.New(st, t.TempDir())
	for i, h := range holders[1:] {
		if _, err := lib.Save(ctx, ev.ID, h.ID, idPhoto(t, i+1), "organizer"); err != nil {
			t.Fatal(err)
		}
	}
	kr, _ := testKeys(t)
	svc, err := New(Config{Store: st, Numbering: testNumbering(), Issuer: "江西省康养职业技能评价中心（演示）",
		AwardIssuers: "江西省康养职业技能竞赛组委会（演示）", VerifyURL: "https://cert.example.cn/verify", Keys: kr,
		Renderer: testRenderer(t), Photos: lib, RequirePhotos: true,
		Now: func() time.Time { return time.Date(2026, 12, 6, 2, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	_, err = svc.Issue(ctx, ev.ID, "organizer")
	msg := skillscore.ErrorMessage(err)
	if skillscore.ErrorCode(err) != skillscore.EInvalid || !strings.Contains(msg, holders[0].Name) || !strings.Contains(msg, "照片") {
		t.Fatalf("issue without %s's photo: %v, want EInvalid naming %s", holders[0].Name, err, holders[0].Name)
	}
	if strings.Contains(msg, holders[1].Name) || strings.Contains(msg, holders[0].IDNumber) {
		t.Fatalf("the refusal names someone with a photo or shows the full ID number: %s", msg)
	}
	if certs, err := st.EventCertificates(ctx, ev.ID); err != nil || len(certs) != 0 {
		t.Fatalf("a refused batch stored %d certificates (%v)", len(certs), err)
	}
	if _, err := lib.Save(ctx, ev.ID, holders[0].ID, idPhoto(t, 0), "organizer"); err != nil {
		t.Fatal(err)
	}
	if res, err := svc.Issue(ctx, ev.ID, "organizer"); err != nil || res.New == 0 {
		t.Fatalf("with every photo: %v, %d new", err, res.New)
	}
}
