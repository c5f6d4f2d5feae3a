package web

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestAuditActionsHaveChineseNames reads the store's sources for every
// action kind written into the audit trail and wants a Chinese name for
// each on the audit page.
func TestAuditActionsHaveChineseNames(t *testing.T) {
	files, err := filepath.Glob("../store/*.go")
	if err != nil {
		t.Fatal(err)
	}
	lit := regexp.MustCompile(`"([a-z]{2,}\.[a-z_]+)"`)
	// Kinds built from a prefix and a value: "sheet."+op.Kind, "appeal."+d.Outcome.
	kinds := map[string]bool{"sheet.mark": true, "sheet.clear": true, "sheet.submit": true,
		"appeal.rejected": true, "appeal.remark": true, "batch.submit": true, "batch.approve": true, "batch.return": true}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range lit.FindAllStringSubmatch(string(src), -1) {
			if ext := filepath.Ext(m[1]); ext == ".db" || ext == ".sql" {
				continue
			}
			kinds[m[1]] = true
		}
	}
	if len(kinds) < 30 {
		t.Fatalf("found only %d action kinds in the store: %v", len(kinds), kinds)
	}
	for k := range kinds {
		name := auditActions[k]
		if name == "" || !regexp.MustCompile(`\p{Han}`).MatchString(name) {
			t.Errorf("audit action %q has no Chinese name", k)
		}
	}
}
