package web_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"skillscore/certificates"
	"skillscore/internal/testdb"
	"skillscore/internal/testenv"
	"skillscore/store"
	"skillscore/templates"
	"skillscore/web"
)

// benchHolders is the load of the /verify benchmark: one large event's
// 5,000 contestants, each holding a certificate.
const benchHolders = 5000

// BenchmarkVerifyByIDNumber measures the server's answer to the public
// lookup by 证件号码 + 姓名 (POST /verify, the page as rendered), in
// process, on SQLite and, with SKILLSCORE_TEST_MYSQL_DSN set, MariaDB. The
// target is under 5 ms; the lookup goes through the keyed index and opens
// the matching certificates' sealed numbers.
//
//	go test ./web -run '^$' -bench VerifyByIDNumber -benchtime 2000x
func BenchmarkVerifyByIDNumber(b *testing.B) {
	targets := map[string]string{"sqlite": "sqlite:" + filepath.Join(b.TempDir(), "verify.db")}
	if dsn := testdb.DSN(b); dsn != "" {
		targets["mysql"] = "mysql:" + testdb.Scratch(b, dsn, "skillscore_vb_")
	}
	for _, name := range []string{"sqlite", "mysql"} {
		dbURL, ok := targets[name]
		if !ok {
			continue
		}
		b.Run(name, func(b *testing.B) {
			st, err := store.Open(context.Background(), dbURL, store.Options{Keys: testenv.Keys(b)})
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			ids, names := benchCertificates(b, st)
			svc, err := certificates.New(certificates.Config{Store: st, Numbering: certificates.Numbering{Letter: "S", BodyCode: "0000", Province: "36", BodySerial: "000001"}})
			if err != nil {
				b.Fatal(err)
			}
			tmpl, err := templates.New()
			if err != nil {
				b.Fatal(err)
			}
			h := web.New(web.Config{Store: st, Templates: tmpl, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Verifier: svc})
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				k := i * 7919 % benchHolders
				form := "mode=id&id_number=" + ids[k] + "&name=" + url.QueryEscape(names[k])
				req := httptest.NewRequest(http.MethodPost, "/verify", strings.NewReader(form))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				// A different visitor each time: the per-address limit on
				// lookups by 证件号码 is not what is measured.
				req.RemoteAddr = fmt.Sprintf("10.%d.%d.%d:40000", i>>16&255, i>>8&255, i&255)
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != 200 || !strings.Contains(rec.Body.String(), fmt.Sprintf("HJ36%09d", k+1)) {
					b.Fatalf("lookup %d: %d", k, rec.Code)
				}
			}
		})
	}
}

// benchCertificates fills one event with benchHolders contestants and a
// certificate each; it returns their 证件号码 and names.
func benchCertificates(b *testing.B, st *store.Store) (ids, names []string) {
	b.Helper()
	ctx := context.Background()
	ev, err := st.CreateEvent(ctx, store.NewEvent{
		Event:  store.Event{Code: "bench-verify", Name: "基准", Kind: "competition", Occupation: "养老护理员", Year: 2026, Rules: "{}"},
		Groups: []store.Group{{Code: "employee", Name: "职工组"}},
	}, "bench")
	if err != nil {
		b.Fatal(err)
	}
	cs := make([]store.Contestant, benchHolders)
	for i := range cs {
		ids = append(ids, fmt.Sprintf("3601021990%08d", i))
		names = append(names, fmt.Sprintf("选手%04d", i))
		cs[i] = store.Contestant{Name: names[i], Gender: "女", IDType: "居民身份证", IDNumber: ids[i], City: "南昌",
			GroupCode: "employee", Phone: fmt.Sprintf("139%08d", i)}
	}
	stored, err := st.AddContestants(ctx, ev.ID, cs, "bench")
	if err != nil {
		b.Fatal(err)
	}
	reqs := make([]store.CertificateIssue, len(stored))
	for i, c := range stored {
		reqs[i] = store.CertificateIssue{Kind: "award", EventID: ev.ID, ContestantID: c.ID, Name: c.Name, IDType: c.IDType,
			IDNumber: ids[i], Scope: "HJ36"}
	}
	seal := func(req store.CertificateIssue, serial int64) (store.SealedCertificate, error) {
		n := fmt.Sprintf("HJ36%09d", serial)
		facts := fmt.Sprintf(`{"v":1,"kind":"award","no":%q,"name":%q,"idt":"居民身份证","id":"360***********%s"}`,
			n, req.Name, req.IDNumber[14:])
		return store.SealedCertificate{Number: n, Facts: facts, Token: "t" + n, KeyID: "bench"}, nil
	}
	// In parts, as an organizer's batches go (and as the release before
	// issue 13 needed on MariaDB, whose baseline this benchmark also runs).
	for start := 0; start < len(reqs); start += 1000 {
		if _, _, err := st.IssueCertificates(ctx, reqs[start:min(start+1000, len(reqs))], seal, "bench"); err != nil {
			b.Fatal(err)
		}
	}
	return ids, names
}
