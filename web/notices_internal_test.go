package web

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestNoticeKeysExist: every notice key a redirect names in the web
// package's code is in the notices table (a typo would show nothing), and
// noticeText reads back what noticeURL writes.
func TestNoticeKeysExist(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	call := regexp.MustCompile(`(?:noticeURL|noticeValue|appealsRedirect|resultsRedirect)\(.*`)
	literal := regexp.MustCompile(`"([a-z]+(?:-[a-z]+)*-?)"`)
	seen := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || f == "notices.go" {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range call.FindAllString(string(src), -1) {
			for _, m := range literal.FindAllStringSubmatch(c, -1) {
				key, found := m[1], false
				if prefix, ok := strings.CutSuffix(key, "-"); ok { // "sheet-"+status
					for k := range notices {
						found = found || strings.HasPrefix(k, prefix+"-")
					}
				} else {
					_, found = notices[key]
				}
				if !found {
					t.Errorf("%s: notice key %q is not in the notices table", f, key)
				}
				seen++
			}
		}
	}
	if seen < 15 {
		t.Fatalf("found %d notice keys in the code: the pattern no longer reads them", seen)
	}
	for key, text := range notices {
		counts := make([]int, strings.Count(text, "%d"))
		for i := range counts {
			counts[i] = 10 + i
		}
		u := noticeURL("/x?year=2026", key, counts...)
		v, ok := strings.CutPrefix(u, "/x?year=2026&msg=")
		if !ok || noticeText(v) == "" || strings.Contains(noticeText(v), "%!") {
			t.Errorf("%s: %q reads back as %q", key, u, noticeText(v))
		}
	}
}
