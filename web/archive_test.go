package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"skillscore"
	"skillscore/archive"
	"skillscore/certificates"
	"skillscore/demo"
	"skillscore/internal/testenv"
	"skillscore/store"
	"skillscore/templates"
	"skillscore/web"
)

// TestArchivePageRefusalsAndDeletion: before final results the page says
// why no archive can be built; a bad retention is refused in Chinese;
// deletion is refused without the code typed and while the lock holds,
// and done once the store's clock has passed the retention date.
func TestArchivePageRefusalsAndDeletion(t *testing.T) {
	ctx := context.Background()
	var mu sync.Mutex
	at := time.Time{}
	now := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		if at.IsZero() {
			return time.Now()
		}
		return at
	}
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "a.db"), store.Options{Keys: testenv.Keys(t), Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ev, err := demo.Create(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	addStaff(t, st, "org")
	keys := filepath.Join(t.TempDir(), "keys")
	certificates.GenerateKey(keys, time.Now())
	kr, _ := certificates.LoadKeyring(keys)
	a, err := archive.New(archive.Config{Store: st, Signer: kr.Signer, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := templates.New()
	if err != nil {
		t.Fatal(err)
	}
	w := web.New(web.Config{Store: st, Templates: tmpl, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Judging: st, Archiver: a})
	srv := httptest.NewServer(w)
	t.Cleanup(w.Close)
	t.Cleanup(srv.Close)
	jar, _ := cookiejar.New(nil)
	b := &browser{t: t, base: srv.URL, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
	if code := b.login("org", "pass-org"); code != http.StatusSeeOther {
		t.Fatalf("login: %d", code)
	}
	page := "/events/" + ev.Code + "/archive"
	if code, body := b.get(page); code != 200 || !strings.Contains(body, "的成绩尚未最终确认：确认最终成绩后才能归档") || strings.Contains(body, `id="start-archive"`) {
		t.Fatalf("page before final: %d", code)
	}
	if code, body := b.post(page, url.Values{"csrf": {b.csrf}, "years": {"5"}}); code != http.StatusConflict || !strings.Contains(body, "确认最终成绩后才能归档") {
		t.Fatalf("start before final: %d", code)
	}
	testenv.Final(t, st, ev.ID)
	for _, y := range []string{"0", "31", "五"} {
		code, body := b.post(page, url.Values{"csrf": {b.csrf}, "years": {y}})
		if code != http.StatusBadRequest || !strings.Contains(body, "1 至 30") {
			t.Errorf("years %q: %d", y, code)
		}
	}
	if as, _ := st.EventArchives(ctx, ev.ID); len(as) != 0 {
		t.Fatalf("a refused start stored an archive: %+v", as)
	}
	if _, _, err := a.WriteFile(ctx, ev, filepath.Join(t.TempDir(), "a.zip"), 5, archive.Options{Actor: "org"}); err != nil {
		t.Fatal(err)
	}
	del := "/events/" + ev.Code + "/delete"
	b.get(page)
	if code, body := b.post(del, url.Values{"csrf": {b.csrf}, "confirm": {"1"}, "code": {"x"}}); code != http.StatusBadRequest ||
		!strings.Contains(body, "请勾选确认，并输入赛事代码 "+ev.Code+"：删除后无法恢复") {
		t.Fatalf("delete without the code: %d", code)
	}
	code, body := b.post(del, url.Values{"csrf": {b.csrf}, "confirm": {"1"}, "code": {ev.Code}})
	if code != http.StatusConflict || !strings.Contains(body, "期满前不能删除") {
		t.Fatalf("delete while locked: %d", code)
	}
	// An event archived six years ago for five: the page offers the
	// deletion, which removes it.
	small, err := st.CreateEvent(ctx, store.NewEvent{Event: store.Event{Code: "jx-old", Name: "旧赛事", Kind: "competition",
		Occupation: "养老护理员", Year: 2020, Rules: `{"modules":[]}`}, Groups: []store.Group{{Code: "all", Name: "全体"}}}, "t")
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	at = time.Now().AddDate(-6, 0, 0)
	mu.Unlock()
	if _, err := st.RecordArchive(ctx, store.ArchiveRecord{EventID: small.ID, ZipSHA256: strings.Repeat("a", 64)}, "org"); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	at = time.Time{}
	mu.Unlock()
	if code, body := b.get("/events/jx-old/archive"); code != 200 || !strings.Contains(body, `id="delete-form"`) || !strings.Contains(body, "届满，可以删除本赛事") {
		t.Fatalf("page of an expired archive: %d", code)
	}
	if code, body := b.get(page); code != 200 || strings.Contains(body, `id="delete-form"`) {
		t.Fatalf("the locked event's page offers deletion: %d", code)
	}
	if code, _ := b.post("/events/jx-old/delete", url.Values{"csrf": {b.csrf}, "confirm": {"1"}, "code": {"jx-old"}}); code != http.StatusSeeOther {
		t.Fatalf("delete after the retention: %d", code)
	}
	if _, err := st.EventByCode(ctx, "jx-old"); skillscore.ErrorCode(err) != skillscore.ENotFound {
		t.Fatalf("event after deletion: %v", err)
	}
	if _, err := st.EventByCode(ctx, ev.Code); err != nil {
		t.Fatalf("the locked event: %v", err)
	}
}
