package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"skillscore"
)

// certSeed adds n contestants to a seeded event for certificate tests.
func certSeed(t *testing.T, s *Store, n int) (Event, []Contestant) {
	t.Helper()
	sd := seed(t, s)
	var cs []Contestant
	for i := 0; i < n; i++ {
		cs = append(cs, Contestant{Name: fmt.Sprintf("证书%02d", i), Gender: "女", IDType: "居民身份证",
			IDNumber: fmt.Sprintf("3601021990%08d", i), GroupCode: "employee"})
	}
	added, err := s.AddContestants(context.Background(), sd.ev.ID, cs, "tester")
	if err != nil {
		t.Fatalf("add contestants: %v", err)
	}
	return sd.ev, added
}

func issueReq(ev Event, c Contestant, kind, scope string) CertificateIssue {
	return CertificateIssue{Kind: kind, EventID: ev.ID, ContestantID: c.ID, Name: c.Name, IDType: c.IDType,
		IDNumber: c.IDNumber, Scope: scope}
}

// testSeal numbers a certificate as scope + 6-digit serial.
func testSeal(req CertificateIssue, serial int64) (SealedCertificate, error) {
	n := fmt.Sprintf("%s%06d", req.Scope, serial)
	return SealedCertificate{Number: n, Facts: `{"no":"` + n + `"}`, Token: "tok-" + n, KeyID: "k1"}, nil
}

const testScope = "S0000360000012620"

func TestIssueCertificatesConcurrentlyHasNoGapOrDuplicate(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		s := open(Options{})
		ctx := context.Background()
		ev, cs := certSeed(t, s, 50)
		// 50 issuers at once, each its own transaction, as 50 organizers'
		// clicks or several instances would be.
		var wg sync.WaitGroup
		numbers := make([]string, len(cs))
		errs := make([]error, len(cs))
		for i, c := range cs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				out, n, err := s.IssueCertificates(ctx, []CertificateIssue{issueReq(ev, c, "level", testScope)}, testSeal, "tester")
				if err == nil && n != 1 {
					err = fmt.Errorf("issued %d, want 1", n)
				}
				if err == nil {
					numbers[i] = out[0].Number
				}
				errs[i] = err
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("issuer %d: %v", i, err)
			}
		}
		sort.Strings(numbers)
		for i, n := range numbers {
			if want := fmt.Sprintf("%s%06d", testScope, i+1); n != want {
				t.Fatalf("numbers[%d] = %s, want %s (gap or duplicate)", i, n, want)
			}
		}
		// Re-running the whole batch issues nothing and returns the same numbers.
		var reqs []CertificateIssue
		for _, c := range cs {
			reqs = append(reqs, issueReq(ev, c, "level", testScope))
		}
		out, n, err := s.IssueCertificates(ctx, reqs, testSeal, "tester")
		if err != nil || n != 0 || len(out) != len(cs) {
			t.Fatalf("re-run: n=%d len=%d err=%v, want nothing new", n, len(out), err)
		}
		all, err := s.EventCertificates(ctx, ev.ID)
		if err != nil || len(all) != 50 {
			t.Fatalf("event certificates: %d %v", len(all), err)
		}
		if bad, _, err := s.VerifyAudit(ctx); err != nil || bad != 0 {
			t.Fatalf("audit chain broken at %d: %v", bad, err)
		}
	})
}

func TestIssueCertificatesFailureLeavesNoGap(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		s := open(Options{})
		ctx := context.Background()
		ev, cs := certSeed(t, s, 3)
		reqs := []CertificateIssue{issueReq(ev, cs[0], "award", "HJ362026"), issueReq(ev, cs[1], "award", "HJ362026"),
			issueReq(ev, cs[2], "award", "HJ362026")}
		boom := errors.New("signing failed")
		failThird := func(req CertificateIssue, serial int64) (SealedCertificate, error) {
			if req.ContestantID == cs[2].ID {
				return SealedCertificate{}, boom
			}
			return testSeal(req, serial)
		}
		if _, _, err := s.IssueCertificates(ctx, reqs, failThird, "tester"); !errors.Is(err, boom) {
			t.Fatalf("err = %v, want the seal error", err)
		}
		if all, _ := s.EventCertificates(ctx, ev.ID); len(all) != 0 {
			t.Fatalf("%d certificates stored after a failed batch", len(all))
		}
		out, n, err := s.IssueCertificates(ctx, reqs, testSeal, "tester")
		if err != nil || n != 3 {
			t.Fatalf("issue: %d %v", n, err)
		}
		if out[0].Number != "HJ362026000001" || out[2].Number != "HJ362026000003" {
			t.Fatalf("numbers %s..%s, want HJ362026000001..3", out[0].Number, out[2].Number)
		}
		// A second kind for the same contestant is its own certificate.
		out2, n, err := s.IssueCertificates(ctx, []CertificateIssue{issueReq(ev, cs[0], "level", testScope)}, testSeal, "tester")
		if err != nil || n != 1 || out2[0].Number != testScope+"000001" {
			t.Fatalf("level certificate: %+v %d %v", out2, n, err)
		}
	})
}

// TestIssueCertificatesMixedAndRepeated: in one call, the ones already
// issued come back as they were, the new ones take consecutive serials
// per scope in request order, and a request named twice is issued once.
func TestIssueCertificatesMixedAndRepeated(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		s := open(Options{})
		ctx := context.Background()
		ev, cs := certSeed(t, s, 4)
		first, _, err := s.IssueCertificates(ctx, []CertificateIssue{issueReq(ev, cs[1], "award", "HJ362026")}, testSeal, "tester")
		if err != nil {
			t.Fatal(err)
		}
		reqs := []CertificateIssue{issueReq(ev, cs[0], "award", "HJ362026"), issueReq(ev, cs[1], "award", "HJ362026"),
			issueReq(ev, cs[2], "level", testScope), issueReq(ev, cs[3], "award", "HJ362026"), issueReq(ev, cs[0], "award", "HJ362026")}
		out, n, err := s.IssueCertificates(ctx, reqs, testSeal, "tester")
		if err != nil || n != 3 {
			t.Fatalf("issued %d (%v), want 3", n, err)
		}
		got := []string{out[0].Number, out[1].Number, out[2].Number, out[3].Number, out[4].Number}
		want := []string{"HJ362026000002", first[0].Number, testScope + "000001", "HJ362026000003", "HJ362026000002"}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Fatalf("numbers %v, want %v", got, want)
		}
		if all, _ := s.EventCertificates(ctx, ev.ID); len(all) != 4 {
			t.Fatalf("%d certificates stored, want 4", len(all))
		}
	})
}

func TestRevokeCertificate(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		s := open(Options{})
		ctx := context.Background()
		ev, cs := certSeed(t, s, 1)
		out, _, err := s.IssueCertificates(ctx, []CertificateIssue{issueReq(ev, cs[0], "level", testScope)}, testSeal, "tester")
		if err != nil {
			t.Fatal(err)
		}
		number := out[0].Number
		if _, err := s.RevokeCertificate(ctx, number, "  ", "organizer"); skillscore.ErrorCode(err) != skillscore.EInvalid {
			t.Fatalf("empty reason: %v, want EInvalid", err)
		}
		if c, _ := s.CertificateByNumber(ctx, number); c.Revoked() {
			t.Fatal("a refused revocation changed the certificate")
		}
		if _, err := s.RevokeCertificate(ctx, "S000036000001262099999", "x", "organizer"); skillscore.ErrorCode(err) != skillscore.ENotFound {
			t.Fatalf("unknown number: %v, want ENotFound", err)
		}
		c, err := s.RevokeCertificate(ctx, number, "冒用他人身份参赛", "organizer")
		if err != nil || !c.Revoked() || c.RevokedReason != "冒用他人身份参赛" {
			t.Fatalf("revoke: %+v %v", c, err)
		}
		if _, err := s.RevokeCertificate(ctx, number, "再次撤销", "organizer"); skillscore.ErrorCode(err) != skillscore.EConflict {
			t.Fatalf("second revoke: %v, want EConflict", err)
		}
		got, err := s.CertificateByNumber(ctx, number)
		if err != nil || !got.Revoked() || got.RevokedReason != "冒用他人身份参赛" || got.RevokedBy != "organizer" {
			t.Fatalf("stored: %+v %v", got, err)
		}
		byID, err := s.CertificatesByIDNumber(ctx, cs[0].IDNumber)
		if err != nil || len(byID) != 1 || !byID[0].Revoked() {
			t.Fatalf("by id number: %+v %v", byID, err)
		}
		trail, err := s.AuditTrail(ctx, ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range trail {
			actions = append(actions, e.Action+":"+e.Subject)
		}
		if joined := strings.Join(actions, " "); !strings.Contains(joined, "certificates.issue") ||
			!strings.Contains(joined, "certificate.revoke:"+number) {
			t.Fatalf("audit trail %v lacks the issue and the revocation", actions)
		}
	})
}

// Two instances on one SQLite file (as two processes would be) share the
// serials through the database, not through memory.
func TestIssueCertificatesFromTwoInstances(t *testing.T) {
	ctx := context.Background()
	path := "sqlite:" + filepath.Join(t.TempDir(), "shared.db")
	opts := withTestKeys(t, Options{})
	a, err := Open(ctx, path, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Open(ctx, path, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ev, cs := certSeed(t, a, 40)
	var wg sync.WaitGroup
	errs := make(chan error, len(cs))
	for i, c := range cs {
		s := a
		if i%2 == 1 {
			s = b
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, err := s.IssueCertificates(ctx, []CertificateIssue{issueReq(ev, c, "award", "HJ362026")}, testSeal, "tester")
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	all, err := b.EventCertificates(ctx, ev.ID)
	if err != nil || len(all) != len(cs) {
		t.Fatalf("%d certificates (%v), want %d", len(all), err, len(cs))
	}
	var numbers []string
	for _, c := range all {
		numbers = append(numbers, c.Number)
	}
	sort.Strings(numbers)
	for i, n := range numbers {
		if want := fmt.Sprintf("HJ362026%06d", i+1); n != want {
			t.Fatalf("numbers[%d] = %s, want %s", i, n, want)
		}
	}
}

// TestIssueALargeEventAuditsInParts: one batch of 2,500 certificates (a
// large event's) issues on both databases; its numbers are audited 1,000 to
// an entry, where one entry of all of them would pass MySQL's TEXT limit.
func TestIssueALargeEventAuditsInParts(t *testing.T) {
	forEach(t, func(t *testing.T, open func(Options) *Store) {
		ctx := context.Background()
		s := open(Options{})
		ev, cs := certSeed(t, s, 2500)
		reqs := make([]CertificateIssue, len(cs))
		for i, c := range cs {
			reqs[i] = issueReq(ev, c, "award", testScope)
		}
		if _, n, err := s.IssueCertificates(ctx, reqs, testSeal, "tester"); err != nil || n != 2500 {
			t.Fatalf("issue 2,500: %d, %v", n, err)
		}
		trail, err := s.AuditTrail(ctx, ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		var counts []string
		for _, e := range trail {
			if e.Action == "certificates.issue" {
				counts = append(counts, e.Detail[:strings.Index(e.Detail, ",")])
			}
		}
		if strings.Join(counts, " ") != `{"count":1000 {"count":1000 {"count":500` {
			t.Errorf("issue entries %q", counts)
		}
	})
}
