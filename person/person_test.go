package person_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"skillscore"
	"skillscore/certificates"
	"skillscore/demo"
	"skillscore/idnumber"
	"skillscore/internal/testdb"
	"skillscore/internal/testenv"
	"skillscore/person"
	"skillscore/photos"
	"skillscore/store"
)

// office is the demo event on one database with its certificates issued
// by a real signing key.
type office struct {
	st    *store.Store
	ev    store.Event
	certs *certificates.Service
	svc   *person.Service
	// holder holds a level certificate; others are everyone else.
	holder store.Contestant
	cert   store.Certificate
	others []store.Contestant
}

// forEachDB runs fn on SQLite and, when SKILLSCORE_TEST_MYSQL_DSN is set,
// on MySQL/MariaDB.
func forEachDB(t *testing.T, fn func(t *testing.T, o *office)) {
	urls := map[string]string{"sqlite": ""}
	if dsn := testdb.DSN(t); dsn != "" {
		urls["mysql"] = dsn
	}
	for name, dsn := range urls {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			var st *store.Store
			if dsn == "" {
				st = testenv.SQLite(t)
			} else {
				var err error
				if st, err = store.Open(ctx, "mysql:"+testdb.Scratch(t, dsn, "skillscore_person_"), store.Options{Keys: testenv.Keys(t)}); err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { st.Close() })
			}
			ev, err := demo.Create(ctx, st)
			if err != nil {
				t.Fatal(err)
			}
			dir := filepath.Join(t.TempDir(), "keys")
			if _, err := certificates.GenerateKey(dir, time.Now()); err != nil {
				t.Fatal(err)
			}
			kr, err := certificates.LoadKeyring(dir)
			if err != nil {
				t.Fatal(err)
			}
			certs, err := certificates.New(certificates.Config{Store: st, Numbering: certificates.Numbering{Letter: "S", BodyCode: "0000", Province: "36", BodySerial: "000001"},
				Issuer: "评价中心", AwardIssuers: "组委会", VerifyURL: "https://x.example/verify", Keys: kr})
			if err != nil {
				t.Fatal(err)
			}
			res, err := certs.Issue(ctx, ev.ID, "organizer")
			if err != nil {
				t.Fatal(err)
			}
			o := &office{st: st, ev: ev, certs: certs, svc: person.New(person.Config{Store: st, Reissue: certs.Reissuer()})}
			for _, c := range res.Certificates {
				if c.Kind == certificates.KindLevel {
					o.cert = c
					break
				}
			}
			cs, err := st.Contestants(ctx, ev.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range cs {
				if c.ID == o.cert.ContestantID {
					o.holder = c
				} else {
					o.others = append(o.others, c)
				}
			}
			if o.holder.ID == 0 {
				t.Fatal("no level certificate in the demo event")
			}
			fn(t, o)
		})
	}
}

func TestCorrectionReissuesAndTheOldPaperIsReplaced(t *testing.T) {
	forEachDB(t, func(t *testing.T, o *office) {
		ctx := context.Background()
		h := o.holder
		oldToken := o.cert.Token
		str := func(s string) *string { return &s }
		refused := func(step string, ch person.Change, code, phrase string) {
			t.Helper()
			_, err := o.svc.Correct(ctx, ch, "organizer")
			if skillscore.ErrorCode(err) != code || !strings.Contains(skillscore.ErrorMessage(err), phrase) {
				t.Fatalf("%s: %v, want %s with %q", step, err, code, phrase)
			}
		}
		base := person.Change{EventID: o.ev.ID, ContestantID: h.ID, Reason: "报名表录入错误，本人申请更正"}
		ch := base
		ch.IDNumber = str(h.IDNumber[:17] + map[bool]string{true: "0", false: "1"}[h.IDNumber[17] != '0'])
		refused("a bad check character", ch, skillscore.EInvalid, "校验位错误")
		ch = base
		ch.Gender = str(map[string]string{"男": "女", "女": "男"}[h.Gender])
		refused("a gender the number contradicts", ch, skillscore.EInvalid, "身份证号码表明是")
		ch = base
		ch.IDNumber = str(o.others[0].IDNumber)
		refused("another's number", ch, skillscore.EConflict, "已在本赛事名单中")
		ch = base
		ch.Name, ch.Reason = str("张新名"), "改为张新名"
		refused("a reason naming the person", ch, skillscore.EInvalid, "不要在原因中写姓名")
		ch = base
		ch.Reason = ""
		ch.Name = str("张新名")
		refused("no reason", ch, skillscore.EInvalid, "原因")

		ch = base
		ch.Name = str(" 张　新名 ")
		res, err := o.svc.Correct(ctx, ch, "organizer")
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Fields) != 1 || res.Fields[0] != "name" || !slices.Contains(res.Reissued, o.cert.Number) {
			t.Fatalf("correction %+v", res)
		}
		// The holder's old paper: signed, but replaced.
		v, err := o.certs.ByToken(ctx, oldToken)
		if err != nil {
			t.Fatal(err)
		}
		if v.Status != certificates.StatusReplaced || v.StatusName != "已更正换发，请以新证书为准" || v.Facts.Name != h.Name ||
			v.ReplacedOn == "" || !v.Signed {
			t.Fatalf("old token: %+v", v)
		}
		// The new paper under the same number.
		c, err := o.st.CertificateByNumber(ctx, o.cert.Number)
		if err != nil {
			t.Fatal(err)
		}
		if c.Token == oldToken || c.Name != "张新名" {
			t.Fatalf("re-issued certificate %+v", c)
		}
		if v, err := o.certs.ByToken(ctx, c.Token); err != nil || v.Status != certificates.StatusValid || v.Facts.Name != "张新名" ||
			v.ReissuedOn == "" || v.Facts.IDMasked != idnumber.Mask(h.IDNumber) {
			t.Fatalf("new token: %+v %v", v, err)
		}
		if _, err := o.certs.ByNumber(ctx, o.cert.Number, h.Name); skillscore.ErrorCode(err) != skillscore.ENotFound {
			t.Fatalf("by number and the old name: %v", err)
		}
		if vs, err := o.certs.ByIDNumber(ctx, h.IDNumber, "张新名"); err != nil || len(vs) == 0 {
			t.Fatalf("by 证件号码 and the new name: %v %v", vs, err)
		}
		// A number whose masked form is the same needs no new paper, but
		// the certificate is then found under the new number.
		var same string
		// Two digits of the birth day (one alone always moves the check
		// character); the mask shows neither.
		for d1 := byte('0'); d1 <= '9' && same == ""; d1++ {
			for d2 := byte('0'); d2 <= '9' && same == ""; d2++ {
				cand := []byte(h.IDNumber)
				cand[12], cand[13] = d1, d2
				if string(cand) != h.IDNumber && idnumber.Check(string(cand)) == idnumber.OK {
					same = string(cand)
				}
			}
		}
		if same == "" {
			t.Fatal("no other valid number with the same masked form")
		}
		before, _ := o.st.CertificateByNumber(ctx, o.cert.Number)
		ch = base
		ch.IDNumber = str(same)
		if res, err := o.svc.Correct(ctx, ch, "organizer"); err != nil || len(res.Reissued) != 0 {
			t.Fatalf("same masked number: %+v %v", res, err)
		}
		after, _ := o.st.CertificateByNumber(ctx, o.cert.Number)
		if after.Token != before.Token {
			t.Fatal("the token changed though the facts did not")
		}
		if vs, err := o.certs.ByIDNumber(ctx, same, "张新名"); err != nil || len(vs) == 0 {
			t.Fatalf("by the new number: %v %v", vs, err)
		}
		if bad, _, err := o.st.VerifyAudit(ctx); err != nil || bad != 0 {
			t.Fatalf("chain %d %v", bad, err)
		}
	})
}

func TestExportHoldsThePersonAndIsAudited(t *testing.T) {
	forEachDB(t, func(t *testing.T, o *office) {
		ctx := context.Background()
		h := o.holder
		q := person.Query{IDNumber: strings.ToLower(h.IDNumber), Name: h.Name}
		if _, err := o.svc.Export(ctx, q, "", "organizer"); skillscore.ErrorCode(err) != skillscore.EInvalid {
			t.Fatalf("export without a reason: %v", err)
		}
		if _, err := o.svc.Export(ctx, q, "申请人 "+h.IDNumber, "organizer"); skillscore.ErrorCode(err) != skillscore.EInvalid {
			t.Fatalf("a reason with the number: %v", err)
		}
		if _, err := o.svc.Export(ctx, person.Query{IDNumber: h.IDNumber, Name: o.others[0].Name}, "申请 2026-1", "organizer"); skillscore.ErrorCode(err) != skillscore.ENotFound {
			t.Fatalf("the wrong name: %v", err)
		}
		trail, _ := o.st.AuditTrail(ctx, o.ev.ID)
		before := len(trail) + 1 // the photo's photo.set below

		// Their photo goes with it.
		lib := photos.New(o.st, t.TempDir())
		img := testPhoto(t, 3)
		if _, err := lib.Save(ctx, o.ev.ID, h.ID, img, "organizer"); err != nil {
			t.Fatal(err)
		}
		o.svc = person.New(person.Config{Store: o.st, Reissue: o.certs.Reissuer(), Photos: lib})
		x, err := o.svc.Export(ctx, q, "申请 2026-015", "organizer")
		if err != nil {
			t.Fatal(err)
		}
		if len(x.Photos) != 1 || !bytes.Equal(x.Photos[0].Data, img) || x.Photos[0].ContentType != "image/png" {
			t.Fatalf("photos in the export: %d", len(x.Photos))
		}
		raw, err := x.JSON()
		if err != nil {
			t.Fatal(err)
		}
		var back map[string]any
		if err := json.Unmarshal(raw, &back); err != nil {
			t.Fatal(err)
		}
		if len(x.Contestants) != 1 || x.Contestants[0].IDNumber != h.IDNumber || x.Contestants[0].Name != h.Name ||
			len(x.Certificates) == 0 || x.Certificates[0].IDNumber != h.IDNumber || len(x.Results) != 1 || len(x.Audit) == 0 {
			t.Fatalf("export %s", raw)
		}
		if !strings.Contains(string(raw), o.cert.Number) {
			t.Error("the export lacks their certificate")
		}
		for _, c := range o.others {
			for _, v := range []string{c.Name, c.IDNumber} {
				if strings.Contains(string(raw), `"`+v+`"`) {
					t.Errorf("the export holds %q, another person's", v)
				}
			}
		}
		// One record, by contestant id, with the reason and nothing else.
		trail, _ = o.st.AuditTrail(ctx, o.ev.ID)
		if len(trail) != before+1 {
			t.Fatalf("%d audit entries for one export", len(trail)-before)
		}
		last := trail[len(trail)-1]
		if last.Action != "personal.export" || last.Subject != "subject-access" || !strings.Contains(last.Detail, "申请 2026-015") ||
			strings.Contains(last.Detail, h.Name) || strings.Contains(last.Detail, h.IDNumber) {
			t.Fatalf("audit entry %+v", last)
		}
		// The workbook: one sheet per kind, the number as text.
		data, err := x.XLSX()
		if err != nil {
			t.Fatal(err)
		}
		f, err := excelize.OpenReader(strings.NewReader(string(data)))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		want := []string{"说明", "参赛登记", "成绩", "证书", "申诉", "照片", "审计记录"}
		if got := f.GetSheetList(); strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("sheets %v, want %v", got, want)
		}
		if v, _ := f.GetCellValue("参赛登记", "F2"); v != h.IDNumber {
			t.Fatalf("参赛登记 F2 = %q, want the full number", v)
		}
		// The organizer's preview masks the number and records nothing.
		sum, err := o.svc.Summary(ctx, q)
		if err != nil || sum.IDMasked != idnumber.Mask(h.IDNumber) || len(sum.Contestants) != 1 ||
			strings.Contains(sum.Contestants[0].IDNumber, h.IDNumber) {
			t.Fatalf("summary %+v %v", sum, err)
		}
		if trail, _ = o.st.AuditTrail(ctx, o.ev.ID); len(trail) != before+1 {
			t.Fatal("the preview was recorded as a full view")
		}
		// Scores appear once published, never before.
		if r := x.Results[0]; r.Stage != "unpublished" || len(r.Modules) != 0 || r.Total != "" {
			t.Fatalf("results before publication: %+v", r)
		}
		testenv.Final(t, o.st, o.ev.ID)
		if x, err = o.svc.Export(ctx, q, "申请 2026-015", "organizer"); err != nil {
			t.Fatal(err)
		}
		if r := x.Results[0]; r.Stage != "final" || r.StageName != "最终成绩" || len(r.Modules) == 0 || r.Total == "" || r.Modules[0].Score == "" {
			t.Fatalf("results after final: %+v", r)
		}
	})
}

// retention is a settable retention period.
type retention struct {
	ends    time.Time
	started bool
}

func (r *retention) RetentionEnds(context.Context, int64) (time.Time, bool, error) {
	return r.ends, r.started, nil
}

func TestPurgeWaitsForTheRetentionEndThenRemovesForGood(t *testing.T) {
	forEachDB(t, func(t *testing.T, o *office) {
		ctx := context.Background()
		now := time.Date(2027, 6, 1, 10, 0, 0, 0, time.UTC)
		ret := &retention{}
		lib := photos.New(o.st, t.TempDir())
		svc := person.New(person.Config{Store: o.st, Reissue: o.certs.Reissuer(), Purge: o.st, Retention: ret,
			Photos: lib, Now: func() time.Time { return now }})
		// Photos of two of this event's people, and of one of them again in
		// a second event not purged, whose photo stays.
		shared := o.others[0]
		ev2, err := o.st.CreateEvent(ctx, store.NewEvent{Event: store.Event{Code: "jx-later", Name: "后一场", Kind: "assessment",
			Occupation: "养老护理员", Year: 2027, Rules: `{"modules":[]}`}, Groups: []store.Group{{Code: "g", Name: "考生"}}}, "t")
		if err != nil {
			t.Fatal(err)
		}
		again := shared
		again.GroupCode, again.Code, again.Station = "g", nil, nil
		later, err := o.st.AddContestants(ctx, ev2.ID, []store.Contestant{again}, "t")
		if err != nil {
			t.Fatal(err)
		}
		files := map[string]bool{} // photo file → should stay
		for i, p := range []struct {
			ev, id int64
			stays  bool
		}{{o.ev.ID, o.holder.ID, false}, {o.ev.ID, shared.ID, false}, {ev2.ID, later[0].ID, true}} {
			saved, err := lib.Save(ctx, p.ev, p.id, testPhoto(t, i), "organizer")
			if err != nil {
				t.Fatal(err)
			}
			files[filepath.Join(lib.Dir(), saved.File)] = p.stays
		}

		refused := func(step, phrase string) {
			t.Helper()
			p, err := svc.PurgePlan(ctx, o.ev.ID)
			if err != nil || p.Due || !strings.Contains(p.Refusal, phrase) {
				t.Fatalf("%s: plan %+v %v", step, p, err)
			}
			_, err = svc.Purge(ctx, o.ev.ID, "organizer")
			if skillscore.ErrorCode(err) != skillscore.EConflict || !strings.Contains(skillscore.ErrorMessage(err), phrase) {
				t.Fatalf("%s: purge %v", step, err)
			}
		}
		refused("before the results are final", "尚未确认为最终成绩")
		ret.started, ret.ends = true, now.Add(24*time.Hour)
		refused("a day before the end", "个人信息保存期限至 2027年6月2日，届满后方可清除")
		for f := range files {
			if _, err := os.Stat(f); err != nil {
				t.Fatal("a refused purge deleted a photo")
			}
		}

		ret.ends = now.Add(-time.Hour)
		p, err := svc.PurgePlan(ctx, o.ev.ID)
		if err != nil || !p.Due || p.Pending.Photos != 2 || p.Pending.Contestants == 0 || p.Pending.Certificates == 0 {
			t.Fatalf("plan when due: %+v %v", p, err)
		}
		done, err := svc.Purge(ctx, o.ev.ID, "organizer")
		if err != nil || done.Photos != 2 || done.Contestants != p.Pending.Contestants {
			t.Fatalf("purge: %+v %v", done, err)
		}
		for f, stays := range files {
			if _, err := os.Stat(f); (err == nil) != stays {
				t.Errorf("photo %s kept=%v, want %v", filepath.Base(f), err == nil, stays)
			}
		}
		if ps, _ := o.st.EventPhotos(ctx, ev2.ID); len(ps) != 1 {
			t.Errorf("the later event's photos: %v", ps)
		}
		// The certificate lives on: by number + name, by its QR; not by 证件号码.
		if v, err := o.certs.ByNumber(ctx, o.cert.Number, o.holder.Name); err != nil || v.Status != certificates.StatusValid {
			t.Fatalf("by number after the purge: %+v %v", v, err)
		}
		if v, err := o.certs.ByToken(ctx, o.cert.Token); err != nil || v.Status != certificates.StatusValid {
			t.Fatalf("by QR after the purge: %+v %v", v, err)
		}
		if _, err := o.certs.ByIDNumber(ctx, o.holder.IDNumber, o.holder.Name); skillscore.ErrorCode(err) != skillscore.ENotFound {
			t.Fatalf("by 证件号码 after the purge: %v", err)
		}
		if _, err := svc.Export(ctx, person.Query{IDNumber: o.holder.IDNumber, Name: o.holder.Name}, "申请 1", "organizer"); skillscore.ErrorCode(err) != skillscore.ENotFound {
			t.Fatalf("export after the purge: %v", err)
		}
		// The person in the later event is still found there.
		if x, err := svc.Export(ctx, person.Query{IDNumber: shared.IDNumber, Name: shared.Name}, "申请 2", "organizer"); err != nil ||
			len(x.Contestants) != 1 || x.Contestants[0].EventCode != "jx-later" {
			t.Fatalf("the later event's person: %+v %v", x, err)
		}
		if done, err := svc.Purge(ctx, o.ev.ID, "organizer"); err != nil || !done.Empty() {
			t.Fatalf("second purge: %+v %v", done, err)
		}
		if bad, _, err := o.st.VerifyAudit(ctx); err != nil || bad != 0 {
			t.Fatalf("chain: %d %v", bad, err)
		}
	})
}

// testPhoto is a small PNG the photo checks accept, different for each i.
func testPhoto(t *testing.T, i int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 150, 200))
	for y := 0; y < 200; y++ {
		for x := 0; x < 150; x++ {
			img.Set(x, y, color.RGBA{uint8(x + i*40), uint8(y), uint8(i * 90), 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// A team member's own data: their registration, the team's scores once
// final, and the promotion their own level earned, with the team named.
func TestExportOfATeamMember(t *testing.T) {
	ctx := context.Background()
	st := testenv.SQLite(t)
	ev, err := demo.CreateTeams(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	svc := person.New(person.Config{Store: st})
	members, err := st.TeamMembers(ctx, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	testenv.Final(t, st, ev.ID)
	snap, err := st.Snapshot(ctx, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, entry := range snap.Contestants {
		for _, m := range members[entry.ID] {
			x, err := svc.Export(ctx, person.Query{IDNumber: m.IDNumber, Name: m.Name}, "申请 2026-020", "organizer")
			if err != nil {
				t.Fatal(err)
			}
			if len(x.Contestants) != 1 || x.Contestants[0].Name != m.Name || len(x.Results) != 1 {
				t.Fatalf("export of %s: %+v", m.Name, x)
			}
			r := x.Results[0]
			if r.Stage != "final" || len(r.Modules) == 0 || r.Total == "" || !strings.Contains(r.Notes, "所在队伍："+entry.Name) {
				t.Fatalf("%s's result: %+v", m.Name, r)
			}
			if strings.Contains(r.Notes, "晋升为") != (r.Promotion != "") {
				t.Errorf("%s: promotion %q, notes %q", m.Name, r.Promotion, r.Notes)
			}
			if r.Promotion != "" {
				checked++
			}
		}
	}
	if checked == 0 {
		t.Fatal("no member's export shows a promotion")
	}
}
