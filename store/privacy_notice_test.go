package store

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"skillscore"
	"skillscore/internal/testdb"
)

// lastAudit returns an event's newest audit entry.
func lastAudit(t *testing.T, s *Store, eventID int64) AuditEntry {
	t.Helper()
	trail, err := s.AuditTrail(context.Background(), eventID)
	if err != nil || len(trail) == 0 {
		t.Fatalf("audit trail: %v (%d entries)", err, len(trail))
	}
	return trail[len(trail)-1]
}

func TestEventPrivacyDefaults(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		s := open(Options{})
		ctx := context.Background()
		d := seed(t, s)
		p, err := s.EventPrivacy(ctx, d.ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		if p.RetentionDays != DefaultRetentionDays || p.Organizer != "" || !p.Notice.Default() || p.Notice.Label() != "默认模板" ||
			p.Notice.Body != DefaultNoticeTemplate || !p.UpdatedAt.IsZero() {
			t.Fatalf("defaults = %+v", p)
		}
		text := p.Notice.Text
		// Who, what, why, basis, protection, how long, rights and how.
		for _, want := range []string{
			d.ev.Name + "组委会", "姓名、性别、证件类型及号码、工作单位或学校、所在设区市、手机号码和照片",
			"报名资格审核", "赛事组织", "成绩与证书的发放及查验", "个人信息保护法", "第十三条",
			"加密存储", "脱敏", "3 年（1095 天）", "查阅、复制、更正、删除", "报名通知中公布的联系方式",
		} {
			if !strings.Contains(text, want) {
				t.Errorf("default notice lacks %q", want)
			}
		}
		if strings.Contains(text, "{") {
			t.Errorf("a placeholder is left unfilled:\n%s", text)
		}
		if p.Notice.SHA256 != textSHA256(text) || len(p.Notice.SHA256) != 64 {
			t.Errorf("notice hash %q", p.Notice.SHA256)
		}
		if days, err := s.RetentionDays(ctx, d.ev.ID); err != nil || days != 1095 {
			t.Errorf("RetentionDays = %d, %v", days, err)
		}
		if _, ok, err := s.RetentionEnds(ctx, d.ev.ID); err != nil || ok {
			t.Errorf("RetentionEnds before the final results: ok %v, %v", ok, err)
		}
		if _, err := s.EventPrivacy(ctx, d.ev.ID+99); skillscore.ErrorCode(err) != skillscore.ENotFound {
			t.Errorf("unknown event: %v", err)
		}
		if _, _, err := s.RetentionEnds(ctx, d.ev.ID+99); skillscore.ErrorCode(err) != skillscore.ENotFound {
			t.Errorf("RetentionEnds of an unknown event: %v", err)
		}
	})
}

func TestSetPrivacyNoticeAddsVersions(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		at := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
		s := open(Options{Now: func() time.Time { return at }})
		ctx := context.Background()
		d := seed(t, s)
		v1, err := s.SetPrivacyNotice(ctx, d.ev.ID, "  {赛事名称}告知书\r\n第一版，保存{保存期限}。  \r\n\r\n", "org1")
		if err != nil {
			t.Fatal(err)
		}
		if v1.Version != 1 || v1.ID == 0 || v1.Body != "{赛事名称}告知书\n第一版，保存{保存期限}。" ||
			v1.Text != d.ev.Name+"告知书\n第一版，保存3 年（1095 天）。" || v1.CreatedBy != "org1" || !v1.CreatedAt.Equal(at) {
			t.Fatalf("v1 = %+v", v1)
		}
		e := lastAudit(t, s, d.ev.ID)
		if e.Action != "privacy.notice" || e.Subject != "第 1 版" || e.Actor != "org1" ||
			!strings.Contains(e.Detail, `"version":1`) || strings.Contains(e.Detail, "告知书") {
			t.Fatalf("audit entry = %+v", e)
		}
		// The same words again (other line ends): no new version, no entry.
		same, err := s.SetPrivacyNotice(ctx, d.ev.ID, "{赛事名称}告知书\n第一版，保存{保存期限}。", "org2")
		if err != nil || same.ID != v1.ID || same.Version != 1 {
			t.Fatalf("unchanged text: %+v, %v", same, err)
		}
		if e2 := lastAudit(t, s, d.ev.ID); e2.ID != e.ID {
			t.Fatalf("an unchanged notice was audited: %+v", e2)
		}
		v2, err := s.SetPrivacyNotice(ctx, d.ev.ID, "第二版", "org2")
		if err != nil || v2.Version != 2 {
			t.Fatalf("v2 = %+v, %v", v2, err)
		}
		p, err := s.EventPrivacy(ctx, d.ev.ID)
		if err != nil || p.Notice.ID != v2.ID || p.Notice.Text != "第二版" || p.Notice.Label() != "第 2 版" {
			t.Fatalf("in force: %+v, %v", p.Notice, err)
		}
		hist, err := s.PrivacyNotices(ctx, d.ev.ID)
		if err != nil || len(hist) != 2 || hist[0].Version != 2 || hist[1].Version != 1 || hist[1].CreatedBy != "org1" {
			t.Fatalf("history = %+v, %v", hist, err)
		}
		// Back to the default template: a version of its own.
		v3, err := s.SetPrivacyNotice(ctx, d.ev.ID, DefaultNoticeTemplate, "org1")
		if err != nil || v3.Version != 3 || !strings.Contains(v3.Text, "查阅、复制、更正、删除") {
			t.Fatalf("v3 = %+v, %v", v3, err)
		}
		for _, bad := range []string{" \n\t", strings.Repeat("告", maxNoticeRunes+1), "\xff\xfe"} {
			if _, err := s.SetPrivacyNotice(ctx, d.ev.ID, bad, "org1"); skillscore.ErrorCode(err) != skillscore.EInvalid {
				t.Errorf("notice of %d bytes: %v, want invalid", len(bad), err)
			}
		}
		if _, err := s.SetPrivacyNotice(ctx, d.ev.ID+99, "x", "org1"); skillscore.ErrorCode(err) != skillscore.ENotFound {
			t.Errorf("unknown event: %v", err)
		}
		if bad, _, err := s.VerifyAudit(ctx); err != nil || bad != 0 {
			t.Errorf("audit chain broken at %d: %v", bad, err)
		}
	})
}

func TestRetentionDaysAndEnds(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		s := open(Options{})
		ctx := context.Background()
		d := seed(t, s)
		for _, bad := range []int{0, 29, 3651, -1} {
			if err := s.SetRetentionDays(ctx, d.ev.ID, bad, "org1"); skillscore.ErrorCode(err) != skillscore.EInvalid {
				t.Errorf("%d days: %v, want invalid", bad, err)
			}
		}
		for _, days := range []int{30, 3650, 730} {
			if err := s.SetRetentionDays(ctx, d.ev.ID, days, "org1"); err != nil {
				t.Fatalf("%d days: %v", days, err)
			}
		}
		e := lastAudit(t, s, d.ev.ID)
		if e.Action != "privacy.retention" || e.Subject != "730 天" {
			t.Fatalf("audit entry = %+v", e)
		}
		var detail map[string]int
		if err := json.Unmarshal([]byte(e.Detail), &detail); err != nil || detail["days"] != 730 || detail["was"] != 3650 {
			t.Fatalf("audit detail %s (%v)", e.Detail, err)
		}
		// Unchanged: nothing written.
		if err := s.SetRetentionDays(ctx, d.ev.ID, 730, "org2"); err != nil {
			t.Fatal(err)
		}
		if e2 := lastAudit(t, s, d.ev.ID); e2.ID != e.ID {
			t.Errorf("an unchanged retention was audited: %+v", e2)
		}
		p, err := s.EventPrivacy(ctx, d.ev.ID)
		if err != nil || p.RetentionDays != 730 || p.UpdatedBy != "org1" || !strings.Contains(p.Notice.Text, "2 年（730 天）") {
			t.Fatalf("after setting 730 days: %+v, %v", p, err)
		}
		if err := s.SetRetentionDays(ctx, d.ev.ID, 200, "org1"); err != nil {
			t.Fatal(err)
		}
		if p, _ := s.EventPrivacy(ctx, d.ev.ID); !strings.Contains(p.Notice.Text, "确认后 200 天") {
			t.Errorf("200 days reads %q", p.Notice.Text[strings.Index(p.Notice.Text, "六、"):][:120])
		}

		// The period runs from the final results.
		final := time.Date(2026, 6, 30, 10, 15, 0, 0, time.UTC)
		if _, err := s.w.ExecContext(ctx, "INSERT INTO finals (event_id, finalized_at, finalized_by) VALUES (?, ?, ?)",
			d.ev.ID, micros(final), "org1"); err != nil {
			t.Fatal(err)
		}
		ends, ok, err := s.RetentionEnds(ctx, d.ev.ID)
		if err != nil || !ok || !ends.Equal(final.AddDate(0, 0, 200)) {
			t.Fatalf("RetentionEnds = %v %v %v, want %v", ends, ok, err, final.AddDate(0, 0, 200))
		}
		if bad, _, err := s.VerifyAudit(ctx); err != nil || bad != 0 {
			t.Errorf("audit chain broken at %d: %v", bad, err)
		}
	})
}

func TestSetPrivacyOrganizer(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		s := open(Options{})
		ctx := context.Background()
		d := seed(t, s)
		if err := s.SetRetentionDays(ctx, d.ev.ID, 365, "org1"); err != nil {
			t.Fatal(err)
		}
		if err := s.SetPrivacyOrganizer(ctx, d.ev.ID, "  江西省职业技能鉴定指导中心 ", "0791-8888 1234  或 privacy@example.cn", "org1"); err != nil {
			t.Fatal(err)
		}
		p, err := s.EventPrivacy(ctx, d.ev.ID)
		if err != nil || p.Organizer != "江西省职业技能鉴定指导中心" || p.Contact != "0791-8888 1234 或 privacy@example.cn" ||
			p.RetentionDays != 365 {
			t.Fatalf("settings = %+v, %v", p, err)
		}
		if !strings.Contains(p.Notice.Text, "个人信息处理者为江西省职业技能鉴定指导中心") ||
			!strings.Contains(p.Notice.Text, "请通过0791-8888 1234 或 privacy@example.cn联系江西省职业技能鉴定指导中心") ||
			!strings.Contains(p.Notice.Text, "1 年（365 天）") {
			t.Errorf("notice with the organizer:\n%s", p.Notice.Text)
		}
		e := lastAudit(t, s, d.ev.ID)
		if e.Action != "privacy.organizer" || strings.Contains(e.Detail, "0791") || strings.Contains(e.Detail, "鉴定") ||
			!strings.Contains(e.Detail, `"contact_changed":true`) {
			t.Fatalf("audit entry = %+v", e)
		}
		if err := s.SetPrivacyOrganizer(ctx, d.ev.ID, strings.Repeat("单", 201), "", "org1"); skillscore.ErrorCode(err) != skillscore.EInvalid {
			t.Errorf("a 201-character organizer: %v", err)
		}
		// Back to empty: the notice names the event's 组委会 again.
		if err := s.SetPrivacyOrganizer(ctx, d.ev.ID, "", "", "org1"); err != nil {
			t.Fatal(err)
		}
		if p, _ := s.EventPrivacy(ctx, d.ev.ID); !strings.Contains(p.Notice.Text, d.ev.Name+"组委会") || p.RetentionDays != 365 {
			t.Errorf("after clearing: %+v", p)
		}
	})
}

func TestImportRosterRecordsBasisAndNotice(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		s := open(Options{})
		ctx := context.Background()
		d := seed(t, s)
		cs := rosterOf(t, 3, "employee")
		before, _ := s.AuditTrail(ctx, d.ev.ID)
		for _, basis := range []string{"", "同意", "Consent"} {
			_, err := s.ImportRoster(ctx, RosterImport{EventID: d.ev.ID, FileName: "a.xlsx", SHA256: sha(1), Actor: "org1", Basis: basis}, cs, nil)
			if skillscore.ErrorCode(err) != skillscore.EInvalid || !strings.Contains(skillscore.ErrorMessage(err), "合法性基础") {
				t.Fatalf("basis %q: %v, want invalid", basis, err)
			}
		}
		if after, _ := s.AuditTrail(ctx, d.ev.ID); len(after) != len(before) {
			t.Fatal("a refused import was audited")
		}

		// The default template in force: no notice id, its hash recorded.
		def, err := s.EventPrivacy(ctx, d.ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		imp, err := s.ImportRoster(ctx, RosterImport{EventID: d.ev.ID, FileName: "a.xlsx", SHA256: sha(1), Actor: "org1", Basis: BasisConsent}, cs, nil)
		if err != nil {
			t.Fatal(err)
		}
		if imp.Basis != BasisConsent || imp.NoticeID != nil || imp.NoticeSHA256 != def.Notice.SHA256 {
			t.Fatalf("import = %+v", imp)
		}
		e := lastAudit(t, s, d.ev.ID)
		var detail map[string]any
		if err := json.Unmarshal([]byte(e.Detail), &detail); err != nil {
			t.Fatal(err)
		}
		if e.Action != "roster.import" || detail["basis"] != "consent" || detail["notice_version"] != float64(0) ||
			detail["notice_sha256"] != def.Notice.SHA256 {
			t.Fatalf("audit detail %s", e.Detail)
		}
		for _, c := range cs {
			if strings.Contains(e.Detail, c.IDNumber) || strings.Contains(e.Detail, c.Name) {
				t.Fatalf("the audit detail holds personal data: %s", e.Detail)
			}
		}

		// A saved version: pinned by the hash the organizer saw.
		v1, err := s.SetPrivacyNotice(ctx, d.ev.ID, "第一版告知书，保存{保存期限}", "org1")
		if err != nil {
			t.Fatal(err)
		}
		cs2 := rosterOf(t, 6, "student")[3:]
		_, err = s.ImportRoster(ctx, RosterImport{EventID: d.ev.ID, FileName: "b.xlsx", SHA256: sha(2), Actor: "org1", Basis: BasisDuty,
			NoticeSHA256: def.Notice.SHA256}, cs2, nil)
		if skillscore.ErrorCode(err) != skillscore.EConflict {
			t.Fatalf("a notice changed since it was shown: %v, want conflict", err)
		}
		// A new retention changes the words too.
		if err := s.SetRetentionDays(ctx, d.ev.ID, 400, "org1"); err != nil {
			t.Fatal(err)
		}
		_, err = s.ImportRoster(ctx, RosterImport{EventID: d.ev.ID, FileName: "b.xlsx", SHA256: sha(2), Actor: "org1", Basis: BasisDuty,
			NoticeSHA256: v1.SHA256}, cs2, nil)
		if skillscore.ErrorCode(err) != skillscore.EConflict {
			t.Fatalf("the retention changed since the notice was shown: %v, want conflict", err)
		}
		now, _ := s.EventPrivacy(ctx, d.ev.ID)
		imp2, err := s.ImportRoster(ctx, RosterImport{EventID: d.ev.ID, FileName: "b.xlsx", SHA256: sha(2), Actor: "org1", Basis: BasisDuty,
			NoticeSHA256: now.Notice.SHA256}, cs2, nil)
		if err != nil {
			t.Fatal(err)
		}
		if imp2.NoticeID == nil || *imp2.NoticeID != v1.ID || !strings.Contains(now.Notice.Text, "400 天") {
			t.Fatalf("import = %+v", imp2)
		}
		imps, err := s.RosterImports(ctx, d.ev.ID)
		if err != nil || len(imps) != 2 || imps[0].Basis != BasisConsent || imps[0].NoticeID != nil ||
			imps[1].Basis != BasisDuty || imps[1].NoticeID == nil || *imps[1].NoticeID != v1.ID || imps[1].NoticeSHA256 != now.Notice.SHA256 {
			t.Fatalf("stored imports = %+v, %v", imps, err)
		}
		if n := lastAudit(t, s, d.ev.ID); !strings.Contains(n.Detail, `"notice_version":1`) || !strings.Contains(n.Detail, `"basis":"duty"`) {
			t.Fatalf("audit detail %s", n.Detail)
		}
		if bad, _, err := s.VerifyAudit(ctx); err != nil || bad != 0 {
			t.Errorf("audit chain broken at %d: %v", bad, err)
		}
	})
}

// TestPrivacyMigrationKeepsOlderImports builds a database as the release
// before migration 015 left it, with one roster import, and opens it: the
// import reads back with no basis recorded and the event gets the defaults.
func TestPrivacyMigrationKeepsOlderImports(t *testing.T) {
	type target struct{ name, url string }
	targets := []target{{"sqlite", "sqlite:" + filepath.Join(t.TempDir(), "old.db")}}
	if dsn := testdb.DSN(t); dsn != "" {
		targets = append(targets, target{"mysql", "mysql:" + testdb.Scratch(t, dsn, "skillscore_t_")})
	}
	for _, tg := range targets {
		t.Run(tg.name, func(t *testing.T) {
			ctx := context.Background()
			exec, done := olderRelease(t, tg.url, 14)
			exec(`INSERT INTO events (id, code, name, kind, occupation, year, rules, created_at, updated_at)
				VALUES (1, 'old', '旧赛事', 'competition', '养老护理员', 2025, '{}', 0, 0)`)
			exec(`INSERT INTO roster_imports (event_id, file_name, sha256, contestants, actor, imported_at)
				VALUES (1, '旧名单.xlsx', '` + sha(7) + `', 3, 'org1', 1)`)
			done()

			s, err := Open(ctx, tg.url, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			imps, err := s.RosterImports(ctx, 1)
			if err != nil || len(imps) != 1 || imps[0].Basis != "" || imps[0].NoticeID != nil || imps[0].NoticeSHA256 != "" ||
				imps[0].FileName != "旧名单.xlsx" {
				t.Fatalf("older import after the upgrade: %+v, %v", imps, err)
			}
			p, err := s.EventPrivacy(ctx, 1)
			if err != nil || p.RetentionDays != DefaultRetentionDays || !p.Notice.Default() || !strings.Contains(p.Notice.Text, "旧赛事组委会") {
				t.Fatalf("privacy after the upgrade: %+v, %v", p, err)
			}
		})
	}
}
