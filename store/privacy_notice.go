package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"skillscore"
)

// Legal bases a roster import may rest on (个人信息保护法 art. 13): the
// organizer confirms one for each file, and it is recorded with the import.
const (
	BasisConsent  = "consent"  // 报名同意: the person agreed when registering
	BasisContract = "contract" // 履行合同: needed for a contract the person is party to
	BasisDuty     = "duty"     // 法定职责: needed for a legal duty or obligation
)

// Basis is a legal basis as the organizer chooses it.
type Basis struct {
	Code, Name, Meaning string
}

// Bases lists the legal bases in the order the import form offers them.
func Bases() []Basis {
	return []Basis{
		{BasisConsent, "报名同意", "选手报名时已阅读告知书并同意处理其个人信息（报名表上签字确认）"},
		{BasisContract, "履行合同", "为订立、履行选手作为一方当事人的合同所必需（如培训或劳动合同约定参赛）"},
		{BasisDuty, "法定职责", "为履行法定职责或者法定义务所必需（如人社部门依规组织的竞赛或等级认定）"},
	}
}

// BasisName is a basis's Chinese name; "" for an unknown code (imports made
// before the basis was recorded).
func BasisName(code string) string {
	for _, b := range Bases() {
		if b.Code == code {
			return b.Name
		}
	}
	return ""
}

// Retention of an event's personal data, in days after its final results.
const (
	// DefaultRetentionDays is 3 years, the archive rule for an assessment
	// body's paper records (DESIGN.md, Archive).
	DefaultRetentionDays = 1095
	MinRetentionDays     = 30
	MaxRetentionDays     = 3650
)

// Limits of the organizer's texts, well inside the columns (TEXT holds
// 64 KiB on MySQL: 10,000 characters of at most 4 bytes each).
const (
	maxNoticeRunes    = 10000
	maxOrganizerRunes = 200
)

// Placeholders a notice may carry; they are filled each time it is shown,
// so a changed retention or organizer name reaches the text by itself.
const (
	PlaceholderEvent     = "{赛事名称}"
	PlaceholderOrganizer = "{组织单位}"
	PlaceholderContact   = "{联系方式}"
	PlaceholderRetention = "{保存期限}"
)

// DefaultNoticeTemplate is the notice (告知书) of an event whose organizer
// has not written one. It says who processes what, why, on which basis, how
// it is protected, for how long, and how a person exercises their rights.
const DefaultNoticeTemplate = `{赛事名称}
个人信息处理告知书

一、个人信息处理者
本赛事的个人信息处理者为{组织单位}（以下简称“组织单位”）。

二、收集哪些信息
组织单位通过报名表和报名名单收集您的姓名、性别、证件类型及号码、工作单位或学校、所在设区市、手机号码和照片。其中证件号码属于敏感个人信息。

三、用于什么目的
上述信息仅用于：报名资格审核；赛事组织（检录核验身份、抽签、评分、成绩公示和申诉处理）；成绩与证书的发放及查验。处理证件号码是为了核验您的身份和参赛资格、签发证书并供查验证书真伪；不提供证件号码将无法报名。组织单位不将您的信息用于其他目的，也不向无关第三方提供。

四、处理依据
组织单位依据《中华人民共和国个人信息保护法》第十三条处理上述信息：基于您报名时的同意（您在报名表上签字，即表示同意本告知书，并单独同意处理您的证件号码），或为履行职业技能竞赛、职业技能等级认定相关规定所要求的法定职责、法定义务所必需。

五、如何保护
证件号码和手机号码加密存储，只有组织单位授权的工作人员可以查看完整号码；评分时裁判只看到参赛编号，看不到您的姓名和单位；成绩公示、证书查询等公开页面只显示脱敏后的信息（姓名只显示姓氏，证件号码隐去中间位）。

六、保存多久
您的个人信息保存至本赛事最终成绩确认后 {保存期限}，期满后删除或者作匿名化处理。成绩和统计数据以不能识别您个人的形式保留；已颁发证书的证书编号、姓名等查验信息在证书有效期内保留，以便他人查验证书真伪。

七、您的权利
您有权查阅、复制、更正、删除您的个人信息，有权要求组织单位解释本告知书的内容，也可以撤回同意；撤回同意不影响此前已进行的处理，但可能导致无法继续参赛（参加考评）或者领取证书。

八、如何行使权利
请通过{联系方式}联系{组织单位}。组织单位核实您的身份后，将及时处理并答复。`

// Privacy is an event's personal-data settings with the notice in force.
type Privacy struct {
	EventID int64
	// Organizer is the 个人信息处理者 the notice names; "" shows as
	// "{赛事名称}组委会" (OrganizerName). Contact is how a person reaches
	// them; "" shows as a pointer to the registration announcement.
	Organizer, Contact string
	// RetentionDays is how long personal data is kept after the event's
	// final results: DefaultRetentionDays unless the organizer set it.
	RetentionDays int
	// UpdatedAt and UpdatedBy say who last changed the settings (zero
	// while they are the defaults).
	UpdatedAt Time
	UpdatedBy string
	// Notice is the notice in force: the newest version, or the default
	// template (Notice.ID 0).
	Notice Notice
	// EventName fills the notice's {赛事名称}.
	EventName string
}

// OrganizerName is the 个人信息处理者 as the notice names it.
func (p Privacy) OrganizerName() string {
	if p.Organizer != "" {
		return p.Organizer
	}
	return p.EventName + "组委会"
}

// ContactText is the notice's {联系方式}.
func (p Privacy) ContactText() string {
	if p.Contact != "" {
		return p.Contact
	}
	return "报名通知中公布的联系方式"
}

// RetentionText is the notice's {保存期限}: "3 年（1095 天）" or "200 天".
func RetentionText(days int) string {
	if days%365 == 0 {
		return fmt.Sprintf("%d 年（%d 天）", days/365, days)
	}
	return fmt.Sprintf("%d 天", days)
}

// Render fills a notice body's placeholders with these settings.
func (p Privacy) Render(body string) string {
	return strings.NewReplacer(PlaceholderEvent, p.EventName, PlaceholderOrganizer, p.OrganizerName(),
		PlaceholderContact, p.ContactText(), PlaceholderRetention, RetentionText(p.RetentionDays)).Replace(body)
}

// Notice is one version of an event's notice (告知书) to contestants.
type Notice struct {
	ID      int64 // 0: the default template
	Version int   // 1, 2, … per event; 0: the default template
	// Body is the notice as written, placeholders included; Text is what
	// contestants read (placeholders filled with the current settings) and
	// SHA256 the hex SHA-256 of Text, which a roster import records.
	Body, Text, SHA256 string
	CreatedAt          Time
	CreatedBy          string
}

// Default reports whether this is the built-in template, no version saved.
func (n Notice) Default() bool { return n.ID == 0 }

// Label names the notice for people: "第 3 版" or "默认模板".
func (n Notice) Label() string {
	if n.Default() {
		return "默认模板"
	}
	return "第 " + strconv.Itoa(n.Version) + " 版"
}

type privacyRow struct {
	Organizer     string `db:"organizer"`
	Contact       string `db:"contact"`
	RetentionDays int    `db:"retention_days"`
	UpdatedAt     Time   `db:"updated_at"`
	UpdatedBy     string `db:"updated_by"`
}

type noticeRow struct {
	ID        int64  `db:"id"`
	Version   int    `db:"version"`
	Body      string `db:"body"`
	CreatedAt Time   `db:"created_at"`
	CreatedBy string `db:"created_by"`
}

// EventPrivacy returns an event's personal-data settings and the notice in
// force, its text filled in. An event whose organizer changed nothing gets
// the defaults: the built-in notice and DefaultRetentionDays.
func (s *Store) EventPrivacy(ctx context.Context, eventID int64) (Privacy, error) {
	return privacyOf(ctx, s.r, eventID)
}

func privacyOf(ctx context.Context, q sqlx.QueryerContext, eventID int64) (Privacy, error) {
	p := Privacy{EventID: eventID, RetentionDays: DefaultRetentionDays}
	err := sqlx.GetContext(ctx, q, &p.EventName, "SELECT name FROM events WHERE id = ?", eventID)
	if errors.Is(err, sql.ErrNoRows) {
		return Privacy{}, skillscore.Errorf(skillscore.ENotFound, "赛事 %d 不存在", eventID)
	}
	if err != nil {
		return Privacy{}, fmt.Errorf("privacy: event: %w", err)
	}
	var row privacyRow
	err = sqlx.GetContext(ctx, q, &row, `SELECT organizer, contact, retention_days, updated_at, updated_by
		FROM privacy_settings WHERE event_id = ?`, eventID)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return Privacy{}, fmt.Errorf("privacy settings: %w", err)
	default:
		p.Organizer, p.Contact, p.RetentionDays, p.UpdatedAt, p.UpdatedBy = row.Organizer, row.Contact, row.RetentionDays, row.UpdatedAt, row.UpdatedBy
	}
	var n noticeRow
	err = sqlx.GetContext(ctx, q, &n, `SELECT id, version, body, created_at, created_by FROM privacy_notices
		WHERE event_id = ? ORDER BY version DESC LIMIT 1`, eventID)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		p.Notice = Notice{Body: DefaultNoticeTemplate}
	case err != nil:
		return Privacy{}, fmt.Errorf("privacy notice: %w", err)
	default:
		p.Notice = Notice{ID: n.ID, Version: n.Version, Body: n.Body, CreatedAt: n.CreatedAt, CreatedBy: n.CreatedBy}
	}
	p.Notice.Text = p.Render(p.Notice.Body)
	p.Notice.SHA256 = textSHA256(p.Notice.Text)
	return p, nil
}

func textSHA256(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// PrivacyNotices lists the saved versions of an event's notice, newest
// first, each with its text filled in with the current settings. An event
// that only ever used the default template has none.
func (s *Store) PrivacyNotices(ctx context.Context, eventID int64) ([]Notice, error) {
	p, err := privacyOf(ctx, s.r, eventID)
	if err != nil {
		return nil, err
	}
	var rows []noticeRow
	if err := s.r.SelectContext(ctx, &rows, `SELECT id, version, body, created_at, created_by FROM privacy_notices
		WHERE event_id = ? ORDER BY version DESC`, eventID); err != nil {
		return nil, fmt.Errorf("privacy notices: %w", err)
	}
	out := make([]Notice, len(rows))
	for i, n := range rows {
		text := p.Render(n.Body)
		out[i] = Notice{ID: n.ID, Version: n.Version, Body: n.Body, Text: text, SHA256: textSHA256(text),
			CreatedAt: n.CreatedAt, CreatedBy: n.CreatedBy}
	}
	return out, nil
}

// normalizeNotice keeps the organizer's lines but not Windows line ends or
// blanks around the whole text, so the same words give the same version.
func normalizeNotice(body string) string {
	body = strings.ReplaceAll(body, "\r\n", "\n")
	body = strings.ReplaceAll(body, "\r", "\n")
	lines := strings.Split(body, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}

// SetPrivacyNotice saves a new version of an event's notice, audited as
// privacy.notice with the version and the SHA-256 of the body (never the
// text: the audit trail must outlive a purge unchanged). A body the same as
// the notice in force adds no version and returns the one in force.
func (s *Store) SetPrivacyNotice(ctx context.Context, eventID int64, body, actor string) (Notice, error) {
	body = normalizeNotice(body)
	switch n := utf8.RuneCountInString(body); {
	case !utf8.ValidString(body):
		return Notice{}, skillscore.Errorf(skillscore.EInvalid, "告知书含有无效字符")
	case n == 0:
		return Notice{}, skillscore.Errorf(skillscore.EInvalid, "告知书内容不能为空")
	case n > maxNoticeRunes:
		return Notice{}, skillscore.Errorf(skillscore.EInvalid, "告知书最多 %d 字，现为 %d 字", maxNoticeRunes, n)
	}
	now := s.now()
	var out Notice
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		// The audit head's lock first: it queues concurrent edits, so two
		// never take the same version number.
		c, err := openChain(ctx, tx, &eventID)
		if err != nil {
			return err
		}
		p, err := privacyOf(ctx, tx, eventID)
		if err != nil {
			return err
		}
		if p.Notice.Body == body {
			out = p.Notice
			return c.close(ctx)
		}
		out = Notice{Version: p.Notice.Version + 1, Body: body, CreatedAt: Time{now}, CreatedBy: actor}
		res, err := tx.ExecContext(ctx, `INSERT INTO privacy_notices (event_id, version, body, created_at, created_by)
			VALUES (?, ?, ?, ?, ?)`, eventID, out.Version, body, micros(now), actor)
		if err != nil {
			return fmt.Errorf("insert privacy notice: %w", err)
		}
		if out.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		out.Text = p.Render(body)
		out.SHA256 = textSHA256(out.Text)
		if err := c.append(ctx, actor, "privacy.notice", out.Label(),
			map[string]any{"notice_id": out.ID, "version": out.Version, "body_sha256": textSHA256(body)}, now); err != nil {
			return err
		}
		return c.close(ctx)
	})
	if err != nil {
		return Notice{}, err
	}
	return out, nil
}

// RetentionDays is how many days an event's personal data is kept after
// its final results (table finals): DefaultRetentionDays (1095, three
// years) unless the organizer set another value in MinRetentionDays..
// MaxRetentionDays. Purging counts from the final results, not from the
// event's date, because appeals and certificates need the data until then.
// RetentionEnds gives the resulting moment.
func (s *Store) RetentionDays(ctx context.Context, eventID int64) (int, error) {
	p, err := privacyOf(ctx, s.r, eventID)
	if err != nil {
		return 0, err
	}
	return p.RetentionDays, nil
}

// RetentionEnds is the moment an event's retention period ends: its final
// results' time plus RetentionDays × 24 h (China keeps no daylight saving,
// so this is the same clock time that many days later). ok is false while
// the results are not final: the period has not started, and nothing may
// be purged.
func (s *Store) RetentionEnds(ctx context.Context, eventID int64) (ends time.Time, ok bool, err error) {
	days, err := s.RetentionDays(ctx, eventID)
	if err != nil {
		return time.Time{}, false, err
	}
	var fin Time
	err = s.r.GetContext(ctx, &fin, "SELECT finalized_at FROM finals WHERE event_id = ?", eventID)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("retention: final results: %w", err)
	}
	return fin.Add(time.Duration(days) * 24 * time.Hour), true, nil
}

// SetRetentionDays sets how long an event's personal data is kept after its
// final results, audited as privacy.retention with the old and new number
// of days. Outside MinRetentionDays..MaxRetentionDays it is refused.
func (s *Store) SetRetentionDays(ctx context.Context, eventID int64, days int, actor string) error {
	if days < MinRetentionDays || days > MaxRetentionDays {
		return skillscore.Errorf(skillscore.EInvalid, "保存期限须为 %d 至 %d 天，现为 %d 天", MinRetentionDays, MaxRetentionDays, days)
	}
	return s.updatePrivacy(ctx, eventID, actor, func(p *Privacy) (string, string, any) {
		was := p.RetentionDays
		if was == days {
			return "", "", nil
		}
		p.RetentionDays = days
		return "privacy.retention", strconv.Itoa(days) + " 天", map[string]int{"days": days, "was": was}
	})
}

// SetPrivacyOrganizer sets the 个人信息处理者 and the contact the notice
// names, audited as privacy.organizer saying which changed (not the words:
// a contact may be a staff member's own phone number).
func (s *Store) SetPrivacyOrganizer(ctx context.Context, eventID int64, organizer, contact, actor string) error {
	organizer, contact = strings.Join(strings.Fields(organizer), " "), strings.Join(strings.Fields(contact), " ")
	if n := utf8.RuneCountInString(organizer); n > maxOrganizerRunes {
		return skillscore.Errorf(skillscore.EInvalid, "组织单位名称最多 %d 字，现为 %d 字", maxOrganizerRunes, n)
	}
	if n := utf8.RuneCountInString(contact); n > maxOrganizerRunes {
		return skillscore.Errorf(skillscore.EInvalid, "联系方式最多 %d 字，现为 %d 字", maxOrganizerRunes, n)
	}
	return s.updatePrivacy(ctx, eventID, actor, func(p *Privacy) (string, string, any) {
		detail := map[string]bool{"organizer_changed": p.Organizer != organizer, "contact_changed": p.Contact != contact}
		if !detail["organizer_changed"] && !detail["contact_changed"] {
			return "", "", nil
		}
		p.Organizer, p.Contact = organizer, contact
		return "privacy.organizer", "个人信息处理者", detail
	})
}

// updatePrivacy changes an event's settings row in one transaction: change
// edits the settings and names the audit entry, or returns "" when nothing
// changed (nothing written, nothing audited).
func (s *Store) updatePrivacy(ctx context.Context, eventID int64, actor string, change func(*Privacy) (action, subject string, detail any)) error {
	now := s.now()
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		// The audit head's lock queues concurrent changes, so the row is
		// read and written by one transaction at a time.
		c, err := openChain(ctx, tx, &eventID)
		if err != nil {
			return err
		}
		p, err := privacyOf(ctx, tx, eventID)
		if err != nil {
			return err
		}
		action, subject, detail := change(&p)
		if action == "" {
			return c.close(ctx)
		}
		// Delete then insert: one portable upsert for SQLite and MySQL.
		if _, err := tx.ExecContext(ctx, "DELETE FROM privacy_settings WHERE event_id = ?", eventID); err != nil {
			return fmt.Errorf("replace privacy settings: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO privacy_settings (event_id, organizer, contact, retention_days, updated_at, updated_by)
			VALUES (?, ?, ?, ?, ?, ?)`, eventID, p.Organizer, p.Contact, p.RetentionDays, micros(now), actor); err != nil {
			return fmt.Errorf("insert privacy settings: %w", err)
		}
		if err := c.append(ctx, actor, action, subject, detail, now); err != nil {
			return err
		}
		return c.close(ctx)
	})
}

// checkBasis refuses a roster import without a legal basis.
func checkBasis(code string) error {
	if BasisName(code) == "" {
		return skillscore.Errorf(skillscore.EInvalid, "请选择处理选手个人信息的合法性基础（报名同意、履行合同或法定职责），未导入任何选手")
	}
	return nil
}

// pinRosterNotice records on imp the notice in force, inside the import's
// transaction. A caller that showed the organizer a notice passes its
// SHA-256 in imp.NoticeSHA256: if the notice changed since (another edit,
// a new retention), the import is refused, so the record never names words
// the organizer did not confirm. An empty hash takes the notice in force
// (the command line, which has no page to show it on).
func pinRosterNotice(ctx context.Context, tx *sqlx.Tx, imp *RosterImport) (Notice, error) {
	p, err := privacyOf(ctx, tx, imp.EventID)
	if err != nil {
		return Notice{}, err
	}
	n := p.Notice
	if imp.NoticeSHA256 != "" && imp.NoticeSHA256 != n.SHA256 {
		return Notice{}, skillscore.Errorf(skillscore.EConflict, "告知书在您确认后已修改（现为%s），未导入任何选手：请核对新的告知书后重新确认导入", n.Label())
	}
	imp.NoticeSHA256, imp.NoticeID = n.SHA256, nil
	if !n.Default() {
		id := n.ID
		imp.NoticeID = &id
	}
	return n, nil
}

// rosterNoticeDetail is what a roster.import audit entry says about the
// basis and notice: codes and a hash, no personal data.
func rosterNoticeDetail(detail map[string]any, imp RosterImport, n Notice) map[string]any {
	detail["basis"] = imp.Basis
	detail["notice_version"] = n.Version // 0: the default template
	detail["notice_sha256"] = imp.NoticeSHA256
	return detail
}
