package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/go-sql-driver/mysql"
	"github.com/jmoiron/sqlx"

	"skillscore"
	"skillscore/privacy"
)

// Certificate is one issued certificate (获奖证书 or 职业技能等级证书).
// Facts and Token are kept exactly as signed.
type Certificate struct {
	ID            int64  `db:"id"`
	Number        string `db:"number"`
	Kind          string `db:"kind"` // level | award
	EventID       int64  `db:"event_id"`
	ContestantID  int64  `db:"contestant_id"`
	Name          string `db:"name"`
	IDType        string `db:"id_type"`
	IDNumber      string `db:"-"`         // sensitive: never shown unmasked outside the organizer's view; opened from IDCipher
	IDCipher      string `db:"id_cipher"` // sealed 证件号码
	IDIndex       string `db:"id_index"`  // keyed HMAC of the 证件号码, for lookups by 证件号码 + 姓名
	Facts         string `db:"facts"`
	Token         string `db:"token"`
	KeyID         string `db:"key_id"`
	IssuedAt      Time   `db:"issued_at"`
	IssuedBy      string `db:"issued_by"`
	RevokedAt     Time   `db:"revoked_at"`
	RevokedReason string `db:"revoked_reason"`
	RevokedBy     string `db:"revoked_by"`
	// ReissuedAt is the last time a correction of the holder's data signed
	// the certificate again under the same number (zero for never): every
	// paper printed before then is replaced.
	ReissuedAt Time `db:"reissued_at"`
}

// Revoked reports whether the certificate has been withdrawn.
func (c Certificate) Revoked() bool { return !c.RevokedAt.IsZero() }

// CertificateIssue asks for one certificate. Scope is the numbering scope the
// serial comes from: the certificate number without its serial.
type CertificateIssue struct {
	Kind         string
	EventID      int64
	ContestantID int64
	Name         string
	IDType       string
	IDNumber     string
	Scope        string
}

// SealedCertificate is what the caller makes of a request once it has its
// serial: the number, and the facts signed under it.
type SealedCertificate struct {
	Number string
	Facts  string
	Token  string
	KeyID  string
}

// SealFunc numbers and signs one certificate given its allocated serial.
type SealFunc func(req CertificateIssue, serial int64) (SealedCertificate, error)

// IssueCertificates issues every requested certificate that does not exist
// yet, all in one transaction, and returns the certificates of all requests
// in order (existing ones as they were) with the count of new ones. Serials
// come from certificate_serials inside the same transaction, so concurrent
// issuers (other goroutines or other instances on the same database) never
// get the same serial, and a failure leaves neither a certificate nor a gap.
func (s *Store) IssueCertificates(ctx context.Context, reqs []CertificateIssue, seal SealFunc, actor string) ([]Certificate, int, error) {
	if err := s.ensureSerialScopes(ctx, reqs); err != nil {
		return nil, 0, err
	}
	var out []Certificate
	var issued int
	var err error
	// Another instance may insert the same (event, contestant, kind) or win
	// a deadlock between our reads and writes; the retry then finds its
	// certificate and issues nothing twice.
	for attempt := 0; attempt < 5; attempt++ {
		out, issued, err = s.issueCertificates(ctx, reqs, seal, actor)
		if !retryable(err) {
			break
		}
	}
	return out, issued, err
}

// auditNumbers bounds the certificate numbers one audit entry lists: 1,000
// numbers of up to 32 characters stay well inside a TEXT column.
const auditNumbers = 1000

// errIssueRace marks a lost race on certificates_once, worth a retry.
var errIssueRace = errors.New("certificate issued concurrently")

func retryable(err error) bool {
	var me *mysql.MySQLError
	if errors.As(err, &me) && (me.Number == 1213 || me.Number == 1205) {
		return true // deadlock or lock wait timeout: the transaction rolled back
	}
	return errors.Is(err, errIssueRace)
}

func (s *Store) issueCertificates(ctx context.Context, reqs []CertificateIssue, seal SealFunc, actor string) ([]Certificate, int, error) {
	now := s.now()
	out := make([]Certificate, len(reqs))
	var numbers []string
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		numbers = numbers[:0]
		// Lock the event's audit head before any read: on InnoDB the first
		// plain read fixes the transaction's snapshot, and a snapshot taken
		// before the lock could miss a certificate issued meanwhile.
		var ev *int64
		if len(reqs) > 0 {
			ev = &reqs[0].EventID // one event's requests
		}
		chain, err := openChain(ctx, tx, ev)
		if err != nil {
			return err
		}
		// An assessment batch's level certificates are numbered only after
		// the supervising office approved the batch (reviews.go); award
		// certificates and competitions never wait for it.
		for _, req := range reqs {
			if req.Kind == "level" {
				if err := requireApprovalTx(ctx, tx, req.EventID); err != nil {
					return err
				}
				break
			}
		}
		existing, err := issuedCertificates(ctx, tx, reqs)
		if err != nil {
			return err
		}
		serials, err := allocateSerials(ctx, tx, reqs, existing)
		if err != nil {
			return err
		}
		for i, req := range reqs {
			if c, ok := existing[certificateKey{req.EventID, req.ContestantID, req.Kind}]; ok {
				c.IDNumber = req.IDNumber
				out[i] = c
				continue
			}
			sealed, err := seal(req, serials[i])
			if err != nil {
				return err
			}
			c := Certificate{Number: sealed.Number, Kind: req.Kind, EventID: req.EventID, ContestantID: req.ContestantID,
				Name: req.Name, IDType: req.IDType, IDNumber: req.IDNumber, Facts: sealed.Facts, Token: sealed.Token,
				KeyID: sealed.KeyID, IssuedAt: Time{now}, IssuedBy: actor}
			if c.IDCipher, err = s.keys.Seal(privacy.IDNumber, c.IDNumber); err != nil {
				return err
			}
			if c.IDIndex, err = s.keys.Index(privacy.IDNumber, c.IDNumber); err != nil {
				return err
			}
			res, err := tx.NamedExecContext(ctx, `INSERT INTO certificates
				(number, kind, event_id, contestant_id, name, id_type, id_cipher, id_index, facts, token, key_id, issued_at, issued_by)
				VALUES (:number, :kind, :event_id, :contestant_id, :name, :id_type, :id_cipher, :id_index, :facts, :token, :key_id,
				 :issued_at, :issued_by)`, c)
			if isUniqueViolation(err) {
				if strings.Contains(err.Error(), "number") {
					return skillscore.Errorf(skillscore.EConflict, "证书编号 %s 已被使用：编号规则配置与已发证书冲突", c.Number)
				}
				return fmt.Errorf("%w: %v", errIssueRace, err)
			}
			if err != nil {
				return fmt.Errorf("insert certificate: %w", err)
			}
			if c.ID, err = res.LastInsertId(); err != nil {
				return err
			}
			out[i] = c
			existing[certificateKey{req.EventID, req.ContestantID, req.Kind}] = c
			numbers = append(numbers, c.Number)
		}
		if len(numbers) == 0 {
			return chain.close(ctx) // restores the head openChain parked
		}
		// One entry per auditNumbers certificates: a large event's numbers
		// in one entry would pass MySQL's TEXT limit (64 KB) and fail the
		// whole issue.
		for start := 0; start < len(numbers); start += auditNumbers {
			part := numbers[start:min(start+auditNumbers, len(numbers))]
			if err := chain.append(ctx, actor, "certificates.issue", "",
				map[string]any{"count": len(part), "numbers": part}, now); err != nil {
				return err
			}
		}
		return chain.close(ctx)
	})
	if err != nil {
		return nil, 0, err
	}
	return out, len(numbers), nil
}

// certificateKey is what makes a certificate one of a kind: one per
// event, contestant and kind (certificates_once).
type certificateKey struct {
	eventID, contestantID int64
	kind                  string
}

// issuedCertificates are the certificates already issued to the
// requests' contestants, by key: one read per issueLookup contestants,
// not one per request.
func issuedCertificates(ctx context.Context, tx *sqlx.Tx, reqs []CertificateIssue) (map[certificateKey]Certificate, error) {
	out := map[certificateKey]Certificate{}
	seen := map[[2]int64]bool{}
	var events []int64
	ids := map[int64][]any{} // by event: certificates_once leads with event_id
	for _, req := range reqs {
		if seen[[2]int64{req.EventID, req.ContestantID}] {
			continue
		}
		seen[[2]int64{req.EventID, req.ContestantID}] = true
		if ids[req.EventID] == nil {
			events = append(events, req.EventID)
		}
		ids[req.EventID] = append(ids[req.EventID], req.ContestantID)
	}
	for _, ev := range events {
		for start := 0; start < len(ids[ev]); start += issueLookup {
			part := ids[ev][start:min(start+issueLookup, len(ids[ev]))]
			var cs []Certificate
			if err := tx.SelectContext(ctx, &cs, "SELECT * FROM certificates WHERE event_id = ? AND contestant_id IN ("+inList(len(part))+")",
				append([]any{ev}, part...)...); err != nil {
				return nil, fmt.Errorf("look up certificates: %w", err)
			}
			for _, c := range cs {
				out[certificateKey{c.EventID, c.ContestantID, c.Kind}] = c
			}
		}
	}
	return out, nil
}

// issueLookup bounds the contestants one look-up names.
const issueLookup = 500

// allocateSerials takes from each scope's counter as many serials as the
// requests not yet issued need and hands them out in request order
// (serials[i] is reqs[i]'s; 0 for one already issued): two statements per
// scope, not per certificate. The counter row stays locked to the commit,
// so concurrent issuers never share a serial.
func allocateSerials(ctx context.Context, tx *sqlx.Tx, reqs []CertificateIssue, existing map[certificateKey]Certificate) ([]int64, error) {
	need := map[string]int64{}
	var scopes []string
	first := map[certificateKey]int{} // a request repeated in reqs is issued once, at its first place
	for i, req := range reqs {
		key := certificateKey{req.EventID, req.ContestantID, req.Kind}
		if _, ok := existing[key]; ok {
			continue
		}
		if _, ok := first[key]; ok {
			continue
		}
		first[key] = i
		if need[req.Scope] == 0 {
			scopes = append(scopes, req.Scope)
		}
		need[req.Scope]++
	}
	next := map[string]int64{}
	for _, scope := range scopes {
		if _, err := tx.ExecContext(ctx, "UPDATE certificate_serials SET last_serial = last_serial + ? WHERE scope = ?",
			need[scope], scope); err != nil {
			return nil, fmt.Errorf("allocate serials: %w", err)
		}
		var last int64
		if err := tx.GetContext(ctx, &last, "SELECT last_serial FROM certificate_serials WHERE scope = ?", scope); err != nil {
			return nil, fmt.Errorf("allocate serials: %w", err)
		}
		next[scope] = last - need[scope] + 1
	}
	serials := make([]int64, len(reqs))
	for i, req := range reqs {
		if first[certificateKey{req.EventID, req.ContestantID, req.Kind}] != i {
			continue
		}
		serials[i] = next[req.Scope]
		next[req.Scope]++
	}
	return serials, nil
}

// ensureSerialScopes creates the counter rows the requests need, each in its
// own statement outside the issuing transaction: a row another issuer
// created first is fine, and the issuing transaction then only ever updates
// existing rows, which is what serialises issuers on both databases.
func (s *Store) ensureSerialScopes(ctx context.Context, reqs []CertificateIssue) error {
	seen := map[string]bool{}
	for _, r := range reqs {
		if seen[r.Scope] {
			continue
		}
		seen[r.Scope] = true
		var n int
		if err := s.r.GetContext(ctx, &n, "SELECT COUNT(*) FROM certificate_serials WHERE scope = ?", r.Scope); err != nil {
			return fmt.Errorf("serial scope: %w", err)
		}
		if n > 0 {
			continue
		}
		_, err := s.w.ExecContext(ctx, "INSERT INTO certificate_serials (scope, last_serial) VALUES (?, 0)", r.Scope)
		if err != nil && !isUniqueViolation(err) {
			return fmt.Errorf("serial scope: %w", err)
		}
	}
	return nil
}

// CertificateByNumber returns the certificate with that 证书编号.
func (s *Store) CertificateByNumber(ctx context.Context, number string) (Certificate, error) {
	var c Certificate
	err := s.r.GetContext(ctx, &c, "SELECT * FROM certificates WHERE number = ?", number)
	if errors.Is(err, sql.ErrNoRows) {
		return Certificate{}, skillscore.Errorf(skillscore.ENotFound, "证书 %s 不存在", number)
	}
	if err != nil {
		return Certificate{}, fmt.Errorf("load certificate: %w", err)
	}
	return c, nil
}

// OpenCertificate decrypts the holder's 证件号码 of a certificate read by
// number, for the holder's own paper (verification by number never needs it).
func (s *Store) OpenCertificate(c *Certificate) error {
	cs := []Certificate{*c}
	if err := s.openCertificates(cs); err != nil {
		return err
	}
	*c = cs[0]
	return nil
}

// CertificatesByIDNumber returns every certificate issued to a 证件号码,
// found by its keyed index; the numbers come back opened.
func (s *Store) CertificatesByIDNumber(ctx context.Context, idNumber string) ([]Certificate, error) {
	idx, err := s.idIndexes(idNumber)
	if err != nil {
		return nil, err
	}
	args := make([]any, len(idx))
	for i, v := range idx {
		args[i] = v
	}
	var out []Certificate
	if err := s.r.SelectContext(ctx, &out, "SELECT * FROM certificates WHERE id_index IN ("+inList(len(idx))+") ORDER BY id", args...); err != nil {
		return nil, fmt.Errorf("certificates by id number: %w", err)
	}
	return out, s.openCertificates(out)
}

// EventCertificates returns an event's certificates in issue order, with
// the holders' 证件号码 opened.
func (s *Store) EventCertificates(ctx context.Context, eventID int64) ([]Certificate, error) {
	var out []Certificate
	if err := s.r.SelectContext(ctx, &out, "SELECT * FROM certificates WHERE event_id = ? ORDER BY id", eventID); err != nil {
		return nil, fmt.Errorf("event certificates: %w", err)
	}
	return out, s.openCertificates(out)
}

// RevokeCertificate withdraws a certificate with a reason, audited. A
// certificate is revoked once: a second revocation is a conflict and keeps
// the first one's date and reason.
func (s *Store) RevokeCertificate(ctx context.Context, number, reason, actor string) (Certificate, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return Certificate{}, skillscore.Errorf(skillscore.EInvalid, "撤销证书必须填写原因")
	}
	if len([]rune(reason)) > 500 {
		return Certificate{}, skillscore.Errorf(skillscore.EInvalid, "撤销原因不能超过 500 字")
	}
	now := s.now()
	// The certificate's event names the audit chain to lock; a
	// certificate's event never changes, so it is read before the
	// transaction.
	var eventID int64
	err := s.w.GetContext(ctx, &eventID, "SELECT event_id FROM certificates WHERE number = ?", number)
	if errors.Is(err, sql.ErrNoRows) {
		return Certificate{}, skillscore.Errorf(skillscore.ENotFound, "证书 %s 不存在", number)
	}
	if err != nil {
		return Certificate{}, fmt.Errorf("load certificate: %w", err)
	}
	var c Certificate
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		// The audit head first, before any read (see issueCertificates).
		chain, err := openChain(ctx, tx, &eventID)
		if err != nil {
			return err
		}
		err = tx.GetContext(ctx, &c, "SELECT * FROM certificates WHERE number = ?", number)
		if errors.Is(err, sql.ErrNoRows) {
			return skillscore.Errorf(skillscore.ENotFound, "证书 %s 不存在", number)
		}
		if err != nil {
			return fmt.Errorf("load certificate: %w", err)
		}
		if c.Revoked() {
			return skillscore.Errorf(skillscore.EConflict, "证书 %s 已于 %s 撤销", number,
				c.RevokedAt.In(skillscore.China()).Format("2006-01-02"))
		}
		c.RevokedAt, c.RevokedReason, c.RevokedBy = Time{now}, reason, actor
		if _, err := tx.ExecContext(ctx, `UPDATE certificates SET revoked_at = ?, revoked_reason = ?, revoked_by = ?
			WHERE id = ? AND revoked_at IS NULL`, c.RevokedAt, reason, actor, c.ID); err != nil {
			return fmt.Errorf("revoke certificate: %w", err)
		}
		if err := chain.append(ctx, actor, "certificate.revoke", number, map[string]any{"reason": reason}, now); err != nil {
			return err
		}
		return chain.close(ctx)
	})
	if err != nil {
		return Certificate{}, err
	}
	return c, nil
}
