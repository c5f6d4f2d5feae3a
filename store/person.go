package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"

	"skillscore"
	"skillscore/privacy"
)

// A person's own requests (个人信息查阅与更正): everything stored about one
// person, found by 证件号码 + 姓名 across events, and corrections of a
// wrong name or number. The business rules (what a valid number is, how a
// certificate is signed again) are the caller's; the store finds, stores
// and audits.

// PersonData is everything the database holds about one person: their
// contestant rows in every event (证件号码 and phone opened), the events,
// their certificates, appeals and the audit entries that concern them.
type PersonData struct {
	Contestants  []Contestant
	Events       map[int64]Event
	Certificates []Certificate
	Appeals      []Appeal
	Audit        []AuditEntry
}

// PersonData finds a person by 证件号码 (through the keyed index, under
// every key) and exact 姓名 (the caller normalises both as the roster
// does) in every event, and reads what is stored about them in one read
// transaction, so the parts agree with each other.
func (s *Store) PersonData(ctx context.Context, idNumber, name string) (PersonData, error) {
	idx, err := s.idIndexes(idNumber)
	if err != nil {
		return PersonData{}, err
	}
	tx, err := s.r.BeginTxx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return PersonData{}, fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	out := PersonData{Events: map[int64]Event{}}
	args := append([]any{name}, anys(idx)...)
	if err := tx.SelectContext(ctx, &out.Contestants, "SELECT * FROM contestants WHERE name = ? AND id_index IN ("+inList(len(idx))+") ORDER BY event_id, id",
		args...); err != nil {
		return PersonData{}, fmt.Errorf("person contestants: %w", err)
	}
	if err := s.OpenPersonal(out.Contestants); err != nil {
		return PersonData{}, err
	}
	ids := make([]int64, len(out.Contestants))
	for i, c := range out.Contestants {
		ids[i] = c.ID
		if _, ok := out.Events[c.EventID]; ok {
			continue
		}
		var ev Event
		if err := tx.GetContext(ctx, &ev, "SELECT * FROM events WHERE id = ?", c.EventID); err != nil {
			return PersonData{}, fmt.Errorf("person event: %w", err)
		}
		out.Events[ev.ID] = ev
	}
	// Certificates by holder: those of the contestant rows, and any other
	// issued under the same number and name (a certificate outlives its
	// contestant row's data only by a purge, which clears its index too).
	q := "SELECT * FROM certificates WHERE (id_index IN (" + inList(len(idx)) + ") AND name = ?)"
	cargs := append(anys(idx), name)
	if len(ids) > 0 {
		q += " OR contestant_id IN (" + inList(len(ids)) + ")"
		cargs = append(cargs, anys(ids)...)
	}
	if err := tx.SelectContext(ctx, &out.Certificates, q+" ORDER BY id", cargs...); err != nil {
		return PersonData{}, fmt.Errorf("person certificates: %w", err)
	}
	if err := s.openCertificates(out.Certificates); err != nil {
		return PersonData{}, err
	}
	if len(ids) > 0 {
		if err := tx.SelectContext(ctx, &out.Appeals, `SELECT a.*, c.name AS contestant_name, c.code AS contestant_code
			FROM appeals a JOIN contestants c ON c.id = a.contestant_id WHERE a.contestant_id IN (`+inList(len(ids))+`) ORDER BY a.id`,
			anys(ids)...); err != nil {
			return PersonData{}, fmt.Errorf("person appeals: %w", err)
		}
	}
	if len(ids) > 0 || len(out.Certificates) > 0 {
		if out.Audit, err = personAudit(ctx, tx, out.Contestants, out.Certificates); err != nil {
			return PersonData{}, err
		}
	}
	return out, nil
}

// codeSpan is an anonymous code a contestant held, from one draw until the
// next (to == 0: still held).
type codeSpan struct {
	code     string
	from, to int64 // microseconds
}

// personAudit returns the audit entries that concern the given contestant
// rows: those whose subject names them (their id, or an anonymous code
// while they held it: a second draw hands codes to other people) or one of
// their certificates, and the personal-data views and certificate batches
// whose details list them.
func personAudit(ctx context.Context, tx *sqlx.Tx, cs []Contestant, certs []Certificate) ([]AuditEntry, error) {
	ids := map[int64]bool{}
	subjects := map[string]bool{}
	spans := map[string][]codeSpan{} // "eventID/code" → when it was theirs
	events := map[int64]bool{}
	for _, c := range cs {
		ids[c.ID] = true
		events[c.EventID] = true
		subjects["contestant:"+strconv.FormatInt(c.ID, 10)] = true
		var deals []struct {
			Code string `db:"code"`
			At   int64  `db:"created_at"`
			Next *int64 `db:"next_at"`
		}
		// Each draw's codes hold from that draw until the next layer's.
		if err := tx.SelectContext(ctx, &deals, `SELECT d.code, w.created_at,
			(SELECT MIN(w2.created_at) FROM draws w2 WHERE w2.event_id = w.event_id AND w2.layer > w.layer) AS next_at
			FROM draw_deals d JOIN draws w ON w.event_id = d.event_id AND w.layer = d.layer
			WHERE d.contestant_id = ?`, c.ID); err != nil {
			return nil, fmt.Errorf("person codes: %w", err)
		}
		for _, d := range deals {
			sp := codeSpan{code: d.Code, from: d.At}
			if d.Next != nil {
				sp.to = *d.Next
			}
			k := strconv.FormatInt(c.EventID, 10) + "/" + d.Code
			spans[k] = append(spans[k], sp)
		}
		if c.Code != nil && len(deals) == 0 {
			// A code given with the roster (no recorded draw) is theirs throughout.
			k := strconv.FormatInt(c.EventID, 10) + "/" + *c.Code
			spans[k] = append(spans[k], codeSpan{code: *c.Code})
		}
	}
	numbers := map[string]bool{}
	for _, c := range certs {
		numbers[c.Number] = true
		subjects[c.Number] = true
		events[c.EventID] = true
	}
	evIDs := make([]any, 0, len(events))
	for id := range events {
		evIDs = append(evIDs, id)
	}
	// The SQL narrows an event's trail (a judge's every mark is an entry)
	// to the candidates; the checks below decide.
	names := make([]any, 0, len(subjects)+len(spans))
	for s := range subjects {
		names = append(names, s)
	}
	for _, ss := range spans {
		names = append(names, ss[0].code)
	}
	var cand []AuditEntry
	if err := tx.SelectContext(ctx, &cand, `SELECT * FROM audit_log WHERE event_id IN (`+inList(len(evIDs))+`)
		AND (subject IN (`+inList(len(names))+`) OR action = 'certificates.issue' OR action LIKE 'personal.%')
		ORDER BY id`, append(evIDs, names...)...); err != nil {
		return nil, fmt.Errorf("person audit: %w", err)
	}
	var out []AuditEntry
	for _, e := range cand {
		if subjects[e.Subject] {
			out = append(out, e)
			continue
		}
		if detail, ok := concerns(e, ids, numbers); ok {
			e.Detail = detail
			out = append(out, e)
			continue
		}
		if e.EventID == nil {
			continue
		}
		at := micros(e.At.Time)
		for _, sp := range spans[strconv.FormatInt(*e.EventID, 10)+"/"+e.Subject] {
			if at >= sp.from && (sp.to == 0 || at < sp.to) {
				out = append(out, e)
				break
			}
		}
	}
	return out, nil
}

// concerns reports whether an entry's detail lists one of the contestants
// (a view of several people's data) or certificates (a batch issue), and
// returns the detail narrowed to them: the others on the list are not the
// person's business. (A narrowed entry no longer matches its hash; the
// chain is verified on the database, never on an export.)
func concerns(e AuditEntry, ids map[int64]bool, numbers map[string]bool) (string, bool) {
	if !strings.HasPrefix(e.Action, "personal.") && e.Action != "certificates.issue" {
		return "", false
	}
	var d map[string]json.RawMessage
	if json.Unmarshal([]byte(e.Detail), &d) != nil {
		return "", false
	}
	var cs []int64
	var ns []string
	_ = json.Unmarshal(d["contestants"], &cs)
	_ = json.Unmarshal(d["numbers"], &ns)
	cs = slices.DeleteFunc(cs, func(id int64) bool { return !ids[id] })
	ns = slices.DeleteFunc(ns, func(n string) bool { return !numbers[n] })
	if len(cs) == 0 && len(ns) == 0 {
		return "", false
	}
	if _, ok := d["contestants"]; ok {
		d["contestants"], _ = json.Marshal(cs)
	}
	if _, ok := d["numbers"]; ok {
		d["numbers"], _ = json.Marshal(ns)
	}
	raw, err := json.Marshal(d)
	if err != nil {
		return "", false
	}
	return string(raw), true
}

func anys[T any](xs []T) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

// Correction is the corrected data of one contestant: every field as it
// should be (the caller has normalised and checked them), and the reason.
type Correction struct {
	EventID      int64
	ContestantID int64
	Name         string
	Gender       string
	IDType       string
	IDNumber     string
	Phone        string
	Reason       string
}

// Holder is who a certificate is issued to, as it attests them.
type Holder struct {
	Name, IDType, IDNumber string
}

// Reissue is a certificate signed again for its corrected holder: the new
// signed facts and token, and the fingerprint of the token it replaces
// (what the holder's old paper carries).
type Reissue struct {
	SealedCertificate
	Replaced string
}

// ReissueFunc signs a certificate again for its corrected holder. changed
// is false when the signed facts would stay the same (a new number with
// the same masked form): the old paper then stays correct.
type ReissueFunc func(c Certificate, h Holder) (r Reissue, changed bool, err error)

// CorrectionResult says what a correction changed: the fields (name,
// gender, id_type, id_number, phone) and the certificates signed again.
type CorrectionResult struct {
	Contestant Contestant
	Fields     []string
	Reissued   []string
}

// maxCorrectionReason bounds a correction's reason in characters.
const maxCorrectionReason = 200

// CorrectContestant stores a contestant's corrected data, keeps the
// roster's uniqueness (the same document twice in one event is refused,
// under every key a rotation may have left), brings their certificates'
// holder data along (signing a certificate again through reissue when what
// it attests changed) and audits the change: the contestant's id, the
// fields that changed and the reason (which the caller has checked names
// no one), never an old or new value. An event whose personal data was
// purged refuses corrections: it holds none to correct.
func (s *Store) CorrectContestant(ctx context.Context, c Correction, reissue ReissueFunc, actor string) (CorrectionResult, error) {
	c.Reason = strings.TrimSpace(c.Reason)
	switch {
	case c.Reason == "":
		return CorrectionResult{}, skillscore.Errorf(skillscore.EInvalid, "更正个人信息必须填写原因")
	case len([]rune(c.Reason)) > maxCorrectionReason:
		return CorrectionResult{}, skillscore.Errorf(skillscore.EInvalid, "原因不能超过 %d 字", maxCorrectionReason)
	}
	now := s.now()
	var res CorrectionResult
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		res = CorrectionResult{}
		// The audit head first, before any read (see issueCertificates).
		chain, err := openChain(ctx, tx, &c.EventID)
		if err != nil {
			return err
		}
		if purged, err := eventPurged(ctx, tx, c.EventID); err != nil {
			return err
		} else if purged {
			return skillscore.Errorf(skillscore.EConflict, "本赛事的个人信息已按保存期限清除，不能再更正")
		}
		var old Contestant
		err = tx.GetContext(ctx, &old, "SELECT * FROM contestants WHERE id = ? AND event_id = ?", c.ContestantID, c.EventID)
		if errors.Is(err, sql.ErrNoRows) {
			return skillscore.Errorf(skillscore.ENotFound, "本赛事没有该选手")
		}
		if err != nil {
			return fmt.Errorf("load contestant: %w", err)
		}
		if err := s.openContestant(&old); err != nil {
			return err
		}
		for _, f := range []struct {
			name     string
			old, new string
		}{
			{"name", old.Name, c.Name}, {"gender", old.Gender, c.Gender}, {"id_type", old.IDType, c.IDType},
			{"id_number", old.IDNumber, c.IDNumber}, {"phone", old.Phone, c.Phone},
		} {
			if f.old != f.new {
				res.Fields = append(res.Fields, f.name)
			}
		}
		if len(res.Fields) == 0 {
			return skillscore.Errorf(skillscore.EInvalid, "没有需要更正的内容：填写的与现有信息相同")
		}
		next := old
		next.Name, next.Gender, next.IDType, next.IDNumber, next.Phone = c.Name, c.Gender, c.IDType, c.IDNumber, c.Phone
		if err := sealContestant(s.keys, &next); err != nil {
			return err
		}
		idx, err := s.keys.Indexes(privacy.IDNumber, next.IDNumber)
		if err != nil {
			return err
		}
		var dup []string
		if err := tx.SelectContext(ctx, &dup, "SELECT name FROM contestants WHERE event_id = ? AND id_type = ? AND id <> ? AND id_index IN ("+
			inList(len(idx))+")", append([]any{c.EventID, next.IDType, c.ContestantID}, anys(idx)...)...); err != nil {
			return fmt.Errorf("identity check: %w", err)
		}
		if len(dup) > 0 {
			return skillscore.Errorf(skillscore.EConflict, "该证件号码已在本赛事名单中（%s），同一人只能报名一次：请核对号码", dup[0])
		}
		_, err = tx.ExecContext(ctx, `UPDATE contestants SET name = ?, gender = ?, id_type = ?, id_cipher = ?, id_index = ?, phone_cipher = ?
			WHERE id = ?`, next.Name, next.Gender, next.IDType, next.IDCipher, next.IDIndex, next.PhoneCipher, next.ID)
		if isUniqueViolation(err) {
			return skillscore.Errorf(skillscore.EConflict, "该证件号码已在本赛事名单中，同一人只能报名一次：请核对号码")
		}
		if err != nil {
			return fmt.Errorf("correct contestant: %w", err)
		}
		res.Contestant = next
		if next.Name != old.Name || next.IDType != old.IDType || next.IDNumber != old.IDNumber {
			if res.Reissued, err = s.correctCertificates(ctx, tx, next, reissue, actor); err != nil {
				return err
			}
		}
		detail := map[string]any{"contestant": c.ContestantID, "fields": res.Fields, "reason": c.Reason}
		if len(res.Reissued) > 0 {
			detail["reissued"] = res.Reissued
		}
		if err := chain.append(ctx, actor, "person.correct", "contestant:"+strconv.FormatInt(c.ContestantID, 10), detail, now); err != nil {
			return err
		}
		return chain.close(ctx)
	})
	if err != nil {
		return CorrectionResult{}, err
	}
	return res, nil
}

// correctCertificates brings a corrected contestant's certificates along:
// the holder's name, 证件类型 and sealed number always (lookups by 证件号码 +
// 姓名 find them under the right data), and the signed facts where they
// change, keeping the number; the replaced token is remembered so the old
// paper verifies as replaced. Revoked certificates too: they stay revoked,
// but under the right person.
func (s *Store) correctCertificates(ctx context.Context, tx *sqlx.Tx, holder Contestant, reissue ReissueFunc, actor string) ([]string, error) {
	var certs []Certificate
	if err := tx.SelectContext(ctx, &certs, "SELECT * FROM certificates WHERE contestant_id = ? ORDER BY id", holder.ID); err != nil {
		return nil, fmt.Errorf("holder certificates: %w", err)
	}
	var reissued []string
	now := s.now()
	for _, c := range certs {
		if err := s.OpenCertificate(&c); err != nil {
			return nil, err
		}
		h := Holder{Name: holder.Name, IDType: holder.IDType, IDNumber: holder.IDNumber}
		if reissue == nil {
			return nil, skillscore.Errorf(skillscore.EUnavailable, "该选手已有证书 %s，更正后须重新签发，但没有可用的证书签名密钥", c.Number)
		}
		r, changed, err := reissue(c, h)
		if err != nil {
			return nil, err
		}
		cipher, err := s.keys.Seal(privacy.IDNumber, h.IDNumber)
		if err != nil {
			return nil, err
		}
		index, err := s.keys.Index(privacy.IDNumber, h.IDNumber)
		if err != nil {
			return nil, err
		}
		if !changed {
			if _, err := tx.ExecContext(ctx, "UPDATE certificates SET name = ?, id_type = ?, id_cipher = ?, id_index = ? WHERE id = ?",
				h.Name, h.IDType, cipher, index, c.ID); err != nil {
				return nil, fmt.Errorf("correct certificate: %w", err)
			}
			continue
		}
		if r.Number != c.Number || r.Replaced == "" {
			return nil, fmt.Errorf("reissue of %s: number %q, replaced %q", c.Number, r.Number, r.Replaced)
		}
		// A correction undone and made again replaces the same token twice
		// (signatures are deterministic): the record then moves its date.
		var seen int
		if err := tx.GetContext(ctx, &seen, "SELECT COUNT(*) FROM certificate_reissues WHERE replaced_token = ?", r.Replaced); err != nil {
			return nil, fmt.Errorf("record reissue: %w", err)
		}
		q := "INSERT INTO certificate_reissues (reissued_at, reissued_by, certificate_id, replaced_token) VALUES (?, ?, ?, ?)"
		if seen > 0 {
			q = "UPDATE certificate_reissues SET reissued_at = ?, reissued_by = ? WHERE certificate_id = ? AND replaced_token = ?"
		}
		if _, err := tx.ExecContext(ctx, q, micros(now), actor, c.ID, r.Replaced); err != nil {
			return nil, fmt.Errorf("record reissue: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE certificates SET name = ?, id_type = ?, id_cipher = ?, id_index = ?, facts = ?, token = ?,
			key_id = ?, reissued_at = ? WHERE id = ?`, h.Name, h.IDType, cipher, index, r.Facts, r.Token, r.KeyID, micros(now), c.ID); err != nil {
			return nil, fmt.Errorf("reissue certificate: %w", err)
		}
		reissued = append(reissued, c.Number)
	}
	return reissued, nil
}

// CertificateReplaced reports when a certificate's token with this
// fingerprint was replaced by a re-issue; false when it never was.
func (s *Store) CertificateReplaced(ctx context.Context, number, fingerprint string) (Time, bool, error) {
	var at Time
	err := s.r.GetContext(ctx, &at, `SELECT r.reissued_at FROM certificate_reissues r JOIN certificates c ON c.id = r.certificate_id
		WHERE c.number = ? AND r.replaced_token = ?`, number, fingerprint)
	if errors.Is(err, sql.ErrNoRows) {
		return Time{}, false, nil
	}
	if err != nil {
		return Time{}, false, fmt.Errorf("certificate reissue: %w", err)
	}
	return at, true, nil
}

// eventPurged reports whether an event's personal data has been purged.
func eventPurged(ctx context.Context, tx *sqlx.Tx, eventID int64) (bool, error) {
	var n int
	if err := tx.GetContext(ctx, &n, "SELECT COUNT(*) FROM event_purges WHERE event_id = ?", eventID); err != nil {
		return false, fmt.Errorf("event purge: %w", err)
	}
	return n > 0, nil
}
