package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"skillscore"
	"skillscore/arbitration"
	"skillscore/privacy"
)

// clock is a test's settable time.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// toPublication takes the seeded event through the results workflow to
// its publication period (now .. now+72h): every assigned contestant
// scored, sheets locked, the module signed off, names decrypted.
func toPublication(t *testing.T, s *Store, d seeded, now time.Time) {
	t.Helper()
	ctx := context.Background()
	assignAll(t, s, d)
	if _, err := s.Draw(ctx, d.ev.ID, 1, "0123456789abcdef0123456789abcdef", "organizer"); err != nil {
		t.Fatal(err)
	}
	for n, c := range d.cs {
		for i, kind := range []string{OpMark, OpMark, OpSubmit} {
			op := SheetOp{OpID: fmt.Sprintf("pub-%d-%d", n, i), Kind: kind, EventID: d.ev.ID, ModuleID: d.pra.ID,
				ContestantID: c.ID, JudgeID: d.judge.ID, Actor: "judge:1", Subject: "x"}
			if kind == OpMark {
				op.AspectID, op.Value = d.pra.Aspects[i].ID, int64(20000*(1-i))
			}
			if res, err := s.ApplyOps(ctx, []SheetOp{op}); err != nil || res[0].Err != nil {
				t.Fatalf("score: %v %v", err, res)
			}
		}
	}
	sheets, err := s.Sheets(ctx, d.ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, sh := range sheets {
		if _, _, err := s.SetSheetStatus(ctx, d.ev.ID, sh.ID, "locked", "", "chief"); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SignOffModule(ctx, d.ev.ID, d.pra.ID, 1, "chief"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Decrypt(ctx, d.ev.ID, "organizer"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PublishResults(ctx, d.ev.ID, now, now.Add(72*time.Hour), "organizer"); err != nil {
		t.Fatal(err)
	}
}

// fakeReissue signs "facts" naming the holder, like the certificates
// service does with real keys, and fingerprints the old token.
func fakeReissue(c Certificate, h Holder) (Reissue, bool, error) {
	facts := fmt.Sprintf(`{"no":%q,"name":%q,"id":%q}`, c.Number, h.Name, h.IDNumber[:3]+"***")
	if facts == c.Facts {
		return Reissue{}, false, nil
	}
	sum := sha256.Sum256([]byte(c.Token))
	return Reissue{SealedCertificate: SealedCertificate{Number: c.Number, Facts: facts, Token: "tok2-" + h.Name, KeyID: "k1"},
		Replaced: hex.EncodeToString(sum[:])}, true, nil
}

func TestPersonDataHoldsThePersonAndNobodyElse(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		ctx := context.Background()
		clk := &clock{time.Date(2026, 5, 20, 9, 0, 0, 0, time.UTC)}
		s := open(Options{Now: clk.now})
		d := seed(t, s)
		me, other := d.cs[0], d.cs[1]
		toPublication(t, s, d, clk.t)
		if _, err := s.FileAppeal(ctx, d.ev.ID, AppealFiling{IDNumber: me.IDNumber, Name: me.Name, Body: "技能操作分数偏低"}, "public"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.FileAppeal(ctx, d.ev.ID, AppealFiling{ContestantID: other.ID, Body: "对名次有异议"}, "organizer"); err != nil {
			t.Fatal(err)
		}
		certs, _, err := s.IssueCertificates(ctx, []CertificateIssue{issueReq(d.ev, me, "award", "JX-A"), issueReq(d.ev, other, "award", "JX-A")},
			testSeal, "organizer")
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []Contestant{me, other} {
			if err := s.RecordPersonalAccess(ctx, PersonalAccess{EventID: d.ev.ID, Actor: "organizer", Kind: "reveal", What: "roster",
				Contestants: []int64{c.ID}, Reason: "核对"}); err != nil {
				t.Fatal(err)
			}
		}
		// The same person in a second event, beside a stranger.
		ev2, err := s.CreateEvent(ctx, NewEvent{Event: Event{Code: "jx-test-2", Name: "第二场", Kind: "assessment", Occupation: "养老护理员",
			Year: 2027, Rules: `{"modules":[]}`}, Groups: []Group{{Code: "g", Name: "考生"}}}, "tester")
		if err != nil {
			t.Fatal(err)
		}
		again := me
		again.GroupCode = "g"
		if _, err := s.AddContestants(ctx, ev2.ID, []Contestant{again,
			{Name: "赵敏", Gender: "女", IDType: "居民身份证", IDNumber: "360103199001011523", GroupCode: "g", Phone: "13600000000"}}, "tester"); err != nil {
			t.Fatal(err)
		}

		got, err := s.PersonData(ctx, strings.ToLower(me.IDNumber), me.Name)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Contestants) != 2 || got.Contestants[0].EventID != d.ev.ID || got.Contestants[1].EventID != ev2.ID ||
			got.Contestants[0].IDNumber != me.IDNumber || len(got.Events) != 2 {
			t.Fatalf("contestants: %+v", got.Contestants)
		}
		if len(got.Certificates) != 1 || got.Certificates[0].Number != certs[0].Number || got.Certificates[0].IDNumber != me.IDNumber {
			t.Fatalf("certificates: %+v", got.Certificates)
		}
		if len(got.Appeals) != 1 || got.Appeals[0].ContestantID != me.ID {
			t.Fatalf("appeals: %+v", got.Appeals)
		}
		var mine []string
		myCode := *got.Contestants[0].Code
		for _, e := range got.Audit {
			mine = append(mine, e.Action)
			switch {
			case e.Subject == myCode, e.Subject == "contestant:"+strconv.FormatInt(me.ID, 10), e.Subject == certs[0].Number:
			case strings.Contains(e.Detail, fmt.Sprintf("[%d]", me.ID)), strings.Contains(e.Detail, certs[0].Number):
			default:
				t.Errorf("entry %d (%s %s %s) does not concern them", e.ID, e.Action, e.Subject, e.Detail)
			}
		}
		for _, want := range []string{"sheet.lock", "appeal.file", "certificates.issue", "personal.reveal"} {
			if !slices.Contains(mine, want) {
				t.Errorf("no %s among their audit entries %v", want, mine)
			}
		}
		// Nothing of the other person, in any form.
		raw, err := json.Marshal(got)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range []string{other.Name, other.IDNumber, *mustContestant(t, s, d.ev.ID, other.ID).Code, certs[1].Number, "赵敏",
			"360103199001011523", "对名次有异议"} {
			if strings.Contains(string(raw), v) {
				t.Errorf("the person's data holds %q, another person's", v)
			}
		}
		// Number and name must both match.
		for _, q := range [][2]string{{me.IDNumber, other.Name}, {other.IDNumber, me.Name}} {
			if got, err := s.PersonData(ctx, q[0], q[1]); err != nil || len(got.Contestants)+len(got.Certificates) != 0 {
				t.Errorf("mismatched %v found %+v (%v)", q, got, err)
			}
		}
	})
}

func mustContestant(t *testing.T, s *Store, eventID, id int64) Contestant {
	t.Helper()
	c, err := s.Contestant(context.Background(), eventID, id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCorrectionReissuesAndAuditsOnlyFieldNames(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		ctx := context.Background()
		s := open(Options{})
		d := seed(t, s)
		me, other := d.cs[0], d.cs[1]
		certs, _, err := s.IssueCertificates(ctx, []CertificateIssue{issueReq(d.ev, me, "level", "JX-L")}, testSeal, "organizer")
		if err != nil {
			t.Fatal(err)
		}
		oldToken := certs[0].Token
		fix := Correction{EventID: d.ev.ID, ContestantID: me.ID, Name: "李秀瑛", Gender: me.Gender, IDType: me.IDType,
			IDNumber: "360102199003070046", Phone: "13907910002", Reason: "报名表录入错误"}

		// Refusals first: nothing stored by any of them.
		same := fix
		same.Name, same.IDNumber, same.Phone = me.Name, me.IDNumber, me.Phone
		wantRefused(t, "no change", func() error { _, err := s.CorrectContestant(ctx, same, fakeReissue, "org"); return err }(),
			skillscore.EInvalid, "没有需要更正的内容")
		dup := fix
		dup.IDNumber = other.IDNumber
		wantRefused(t, "another's number", func() error { _, err := s.CorrectContestant(ctx, dup, fakeReissue, "org"); return err }(),
			skillscore.EConflict, "已在本赛事名单中")
		wantRefused(t, "no signer", func() error { _, err := s.CorrectContestant(ctx, fix, nil, "org"); return err }(),
			skillscore.EUnavailable, "签名密钥")
		noReason := fix
		noReason.Reason = " "
		wantRefused(t, "no reason", func() error { _, err := s.CorrectContestant(ctx, noReason, fakeReissue, "org"); return err }(),
			skillscore.EInvalid, "原因")
		if c := mustContestant(t, s, d.ev.ID, me.ID); c.Name != me.Name || c.IDNumber != me.IDNumber {
			t.Fatalf("a refused correction changed %+v", c)
		}

		res, err := s.CorrectContestant(ctx, fix, fakeReissue, "org")
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(res.Fields, []string{"name", "id_number", "phone"}) || !slices.Equal(res.Reissued, []string{certs[0].Number}) {
			t.Fatalf("result %+v", res)
		}
		c := mustContestant(t, s, d.ev.ID, me.ID)
		if c.Name != fix.Name || c.IDNumber != fix.IDNumber || c.Phone != fix.Phone {
			t.Fatalf("corrected contestant %+v", c)
		}
		// The certificate: same number, the new holder, found by the new
		// number and not the old, its old token remembered as replaced.
		byNew, err := s.CertificatesByIDNumber(ctx, fix.IDNumber)
		if err != nil || len(byNew) != 1 || byNew[0].Number != certs[0].Number || byNew[0].Name != fix.Name ||
			!byNew[0].ReissuedAt.Valid() || byNew[0].Token == oldToken || !strings.Contains(byNew[0].Facts, fix.Name) {
			t.Fatalf("certificate by the new number: %+v %v", byNew, err)
		}
		if byOld, err := s.CertificatesByIDNumber(ctx, me.IDNumber); err != nil || len(byOld) != 0 {
			t.Fatalf("certificate by the old number: %+v %v", byOld, err)
		}
		sum := sha256.Sum256([]byte(oldToken))
		if at, ok, err := s.CertificateReplaced(ctx, certs[0].Number, hex.EncodeToString(sum[:])); err != nil || !ok || !at.Valid() {
			t.Fatalf("old token replaced: %v %v %v", at, ok, err)
		}
		cur := sha256.Sum256([]byte(byNew[0].Token))
		if _, ok, _ := s.CertificateReplaced(ctx, certs[0].Number, hex.EncodeToString(cur[:])); ok {
			t.Fatal("the current token is reported replaced")
		}
		// The audit names the fields and the reason, never a value.
		trail, err := s.AuditTrail(ctx, d.ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		last := trail[len(trail)-1]
		want := fmt.Sprintf(`{"contestant":%d,"fields":["name","id_number","phone"],"reason":"报名表录入错误","reissued":["%s"]}`, me.ID, certs[0].Number)
		if last.Action != "person.correct" || last.Subject != "contestant:"+strconv.FormatInt(me.ID, 10) || last.Detail != want {
			t.Fatalf("audit %+v, want %s", last, want)
		}
		// Undone and made again: the same token replaced twice is fine.
		back := fix
		back.Name, back.IDNumber, back.Phone = me.Name, me.IDNumber, me.Phone
		for _, c := range []Correction{back, fix} {
			if _, err := s.CorrectContestant(ctx, c, fakeReissue, "org"); err != nil {
				t.Fatal(err)
			}
		}
		if bad, _, err := s.VerifyAudit(ctx); err != nil || bad != 0 {
			t.Fatalf("chain: %d %v", bad, err)
		}
	})
}

// eventSecrets are the forms an event's people's numbers and phones take
// at rest before a purge: in plain text, sealed, and as lookup indexes
// under the store's key.
func eventSecrets(t *testing.T, s *Store, eventID int64) []string {
	t.Helper()
	var cs []Contestant
	if err := s.r.SelectContext(context.Background(), &cs, "SELECT * FROM contestants WHERE event_id = ?", eventID); err != nil {
		t.Fatal(err)
	}
	if err := s.OpenPersonal(cs); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, c := range cs {
		out = append(out, c.IDNumber, c.IDCipher, c.IDIndex)
		if c.Phone != "" {
			out = append(out, c.Phone, c.PhoneCipher)
		}
	}
	var certs []Certificate
	if err := s.r.SelectContext(context.Background(), &certs, "SELECT * FROM certificates WHERE event_id = ?", eventID); err != nil {
		t.Fatal(err)
	}
	for _, c := range certs {
		out = append(out, c.IDCipher, c.IDIndex)
	}
	return out
}

func TestPurgeRemovesPersonalDataAndKeepsResultsAndChain(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		ctx := context.Background()
		clk := &clock{time.Date(2026, 5, 20, 9, 0, 0, 0, time.UTC)}
		s := open(Options{Now: clk.now})
		d := seed(t, s)
		phoned, err := s.AddContestants(ctx, d.ev.ID, []Contestant{
			{Name: "钱美玲", Gender: "女", IDType: "居民身份证", IDNumber: "36010219850615402X", Phone: "13907910001", City: "南昌", GroupCode: "employee"},
			{Name: "孙国强", Gender: "男", IDType: "居民身份证", IDNumber: "360781199208080517", Phone: "0791-86661234", City: "九江", GroupCode: "student"},
		}, "tester")
		if err != nil {
			t.Fatal(err)
		}
		// Enough further people to span many pages, so a value left in a
		// freed page would show in the file unless the purge scrubs it.
		crowded, err := s.AddContestants(ctx, d.ev.ID, crowd(), "tester")
		if err != nil {
			t.Fatal(err)
		}
		toPublication(t, s, d, clk.t)
		if _, err := s.FileAppeal(ctx, d.ev.ID, AppealFiling{IDNumber: d.cs[0].IDNumber, Name: d.cs[0].Name,
			Body: "本人李秀英，电话 13907910001，对分数有异议"}, "public"); err != nil {
			t.Fatal(err)
		}
		appeals, err := s.Appeals(ctx, d.ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.DecideAppeal(ctx, d.ev.ID, appeals[0].ID, AppealDecision{Outcome: "rejected", Reason: "经复核评分无误"}, "organizer"); err != nil {
			t.Fatal(err)
		}
		// An on-site appeal (仲裁) whose appellant and texts name people.
		arb, err := s.FileArbitration(ctx, d.ev.ID, arbitration.Filing{Kind: arbitration.KindScore, ModuleID: d.pra.ID, ContestantID: d.cs[0].ID,
			AppellantRole: arbitration.ByContestant, Facts: "李秀英（电话 13907910001）认为扣分有误"}, "arbiter")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.RecordHearing(ctx, d.ev.ID, arb.ID, arbitration.Hearing{HeardAt: clk.t, Heard: "李秀英；钱美玲", Findings: "李秀英陈述属实"}, "arbiter"); err != nil {
			t.Fatal(err)
		}
		if err := s.DecideArbitration(ctx, d.ev.ID, arb.ID, arbitration.Decision{Outcome: arbitration.StatusUpheld, Reasons: "李秀英的操作符合标准",
			Measures: "补记李秀英该项得分"}, "arbiter"); err != nil {
			t.Fatal(err)
		}
		clk.t = clk.t.Add(80 * time.Hour)
		if err := s.Finalize(ctx, d.ev.ID, "organizer"); err != nil {
			t.Fatal(err)
		}
		certs, _, err := s.IssueCertificates(ctx, []CertificateIssue{issueReq(d.ev, d.cs[0], "award", "JX-A"), issueReq(d.ev, phoned[0], "level", "JX-L")},
			testSeal, "organizer")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.RecordPersonalAccess(ctx, PersonalAccess{EventID: d.ev.ID, Actor: "organizer", Kind: "export", What: "subject-access",
			Contestants: []int64{d.cs[0].ID}, Reason: "申请 2026-1"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CorrectContestant(ctx, Correction{EventID: d.ev.ID, ContestantID: phoned[0].ID, Name: "钱美琳", Gender: "女",
			IDType: "居民身份证", IDNumber: phoned[0].IDNumber, Phone: phoned[0].Phone, Reason: "姓名录错"}, fakeReissue, "organizer"); err != nil {
			t.Fatal(err)
		}
		// Numbers and phones go everywhere; names everywhere but on the
		// certificates, which keep their holder's name for verification
		// by number + 姓名: d.cs[1] and phoned[1] hold none, and phoned[0]'s
		// name before the correction is on none.
		// One holder's photo record (package photos keeps the file).
		photoID := strings.Repeat("ab", 16)
		if _, err := s.SetPhotos(ctx, d.ev.ID, []Photo{{ID: photoID, ContestantID: phoned[1].ID, File: photoID + ".jpg",
			SHA256: strings.Repeat("0", 64), ContentType: "image/jpeg", Width: 300, Height: 400, Size: 1000}}, "organizer"); err != nil {
			t.Fatal(err)
		}
		secrets := eventSecrets(t, s, d.ev.ID)
		for _, c := range append(slices.Clone(d.cs), phoned...) {
			secrets = append(secrets, c.IDNumber, strings.ToLower(c.IDNumber))
			if c.Phone != "" {
				secrets = append(secrets, c.Phone)
			}
			idx, _ := s.keys.Indexes(privacy.IDNumber, c.IDNumber)
			secrets = append(secrets, idx...)
		}
		names := []string{d.cs[0].Name, d.cs[1].Name, phoned[0].Name, "钱美琳", phoned[1].Name}
		unheld := []string{d.cs[1].Name, phoned[0].Name, phoned[1].Name}
		for _, c := range crowded {
			secrets = append(secrets, c.IDNumber, c.Phone)
			names = append(names, c.Name)
			unheld = append(unheld, c.Name)
		}
		for _, v := range append(secrets, names...) {
			if v == "" {
				t.Fatal("an empty secret")
			}
		}
		marksBefore, _ := s.Marks(ctx, d.ev.ID)
		statsBefore, _ := s.StatCounts(ctx, d.ev.Year)
		flowBefore, _ := s.Workflow(ctx, d.ev.ID)

		st, err := s.PurgeState(ctx, d.ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := PurgeCounts{Contestants: 4 + len(crowded), Phones: 2 + len(crowded), Certificates: 2, Appeals: 1, Photos: 1}
		if st.Pending != want || st.PurgedAt.Valid() {
			t.Fatalf("pending %+v, want %+v", st, want)
		}
		done, gone, err := s.PurgeEvent(ctx, d.ev.ID, "organizer")
		if err != nil || done != want || len(gone) != 1 || gone[0].File != photoID+".jpg" {
			t.Fatalf("purge %+v %v %v, want %+v and the photo", done, gone, err, want)
		}
		if ps, err := s.EventPhotos(ctx, d.ev.ID); err != nil || len(ps) != 0 {
			t.Fatalf("photos after the purge: %v %v", ps, err)
		}
		dump := dumpTables(t, s.r, s.dialect)
		for _, v := range secrets {
			if strings.Contains(dump, v) {
				t.Errorf("%q is still in the tables after the purge", v)
			}
		}
		for _, line := range strings.Split(dump, "\n") {
			for _, v := range names {
				if strings.Contains(line, v) && !strings.HasPrefix(line, "certificates ") {
					t.Errorf("name %q is still in the tables after the purge: %.200s", v, line)
				}
			}
		}
		// What the event produced stays: marks, statistics, the workflow,
		// codes, the certificates by number and name, the audit chain.
		marksAfter, _ := s.Marks(ctx, d.ev.ID)
		statsAfter, _ := s.StatCounts(ctx, d.ev.Year)
		flowAfter, _ := s.Workflow(ctx, d.ev.ID)
		if len(marksBefore) == 0 || fmt.Sprint(marksBefore) != fmt.Sprint(marksAfter) {
			t.Errorf("marks changed: %v → %v", marksBefore, marksAfter)
		}
		if len(statsBefore) == 0 || fmt.Sprint(statsBefore) != fmt.Sprint(statsAfter) {
			t.Errorf("statistics changed: %v → %v", statsBefore, statsAfter)
		}
		if flowAfter.Stage != StageFinal || flowAfter.Appeals != flowBefore.Appeals {
			t.Errorf("workflow %+v", flowAfter)
		}
		cs, err := s.Contestants(ctx, d.ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			if c.IDNumber != "" || c.Phone != "" || !strings.HasPrefix(c.Name, PurgedName) {
				t.Errorf("purged contestant %+v", c)
			}
			if c.Code != nil && c.Name != PurgedName+*c.Code {
				t.Errorf("purged name %q, want %s and the code", c.Name, PurgedName)
			}
		}
		for _, c := range certs {
			got, err := s.CertificateByNumber(ctx, c.Number)
			if err != nil || got.Name == "" || got.Name == PurgedName || got.Facts == "" || got.IDCipher != "" || got.IDIndex != "" {
				t.Errorf("certificate after the purge: %+v %v", got, err)
			}
		}
		if got, err := s.CertificatesByIDNumber(ctx, d.cs[0].IDNumber); err != nil || len(got) != 0 {
			t.Errorf("a purged certificate found by 证件号码: %+v %v", got, err)
		}
		if got, err := s.PersonData(ctx, d.cs[0].IDNumber, d.cs[0].Name); err != nil || len(got.Contestants)+len(got.Certificates) != 0 {
			t.Errorf("a purged person found: %+v %v", got, err)
		}
		if bad, n, err := s.VerifyAudit(ctx); err != nil || bad != 0 || n == 0 {
			t.Fatalf("chain after the purge: bad %d of %d, %v", bad, n, err)
		}
		trail, _ := s.AuditTrail(ctx, d.ev.ID)
		if last := trail[len(trail)-1]; last.Action != "personal.purge" ||
			last.Detail != fmt.Sprintf(`{"contestants":%d,"phones":%d,"certificates":2,"appeals":1,"photos":1}`, want.Contestants, want.Phones) {
			t.Errorf("purge entry %+v", last)
		}
		_, err = s.CorrectContestant(ctx, Correction{EventID: d.ev.ID, ContestantID: d.cs[0].ID, Name: "某某", Gender: "女",
			IDType: "居民身份证", IDNumber: d.cs[0].IDNumber, Reason: "x"}, fakeReissue, "organizer")
		wantRefused(t, "correct after the purge", err, skillscore.EConflict, "已按保存期限清除")

		// Again: nothing left, nothing changed but one more audit entry.
		st, err = s.PurgeState(ctx, d.ev.ID)
		if err != nil || !st.Pending.Empty() || !st.PurgedAt.Valid() || st.PurgedBy != "organizer" {
			t.Fatalf("state after the purge: %+v %v", st, err)
		}
		withoutAudit := func(dump string) string {
			var keep []string
			for _, l := range strings.Split(dump, "\n") {
				if !strings.HasPrefix(l, "audit_") {
					keep = append(keep, l)
				}
			}
			return strings.Join(keep, "\n")
		}
		if done, gone, err := s.PurgeEvent(ctx, d.ev.ID, "organizer"); err != nil || !done.Empty() || len(gone) != 0 {
			t.Fatalf("second purge: %+v %v", done, err)
		}
		if again := dumpTables(t, s.r, s.dialect); withoutAudit(again) != withoutAudit(dump) {
			t.Error("a second purge changed the data")
		}
		if bad, _, err := s.VerifyAudit(ctx); err != nil || bad != 0 {
			t.Fatalf("chain after the second purge: bad %d, %v", bad, err)
		}
		if s.dialect != SQLite {
			return
		}
		// The file itself, WAL included: no page keeps an old value.
		var path string
		if err := s.r.GetContext(ctx, &path, "SELECT file FROM pragma_database_list WHERE name = 'main'"); err != nil {
			t.Fatal(err)
		}
		s.Close()
		for _, f := range []string{path, path + "-wal"} {
			raw, err := os.ReadFile(f)
			if err != nil {
				continue
			}
			for _, v := range append(secrets, unheld...) {
				if bytes.Contains(raw, []byte(v)) {
					t.Errorf("%q in the bytes of %s after the purge", v, filepath.Base(f))
				}
			}
		}
	})
}
