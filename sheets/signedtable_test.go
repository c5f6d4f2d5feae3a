package sheets

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestSignedTableSignsEveryPage: a table longer than a page continues
// under the heading, and every page carries the signature lines, the date
// and its number of all.
func TestSignedTableSignsEveryPage(t *testing.T) {
	st := SignedTable{Title: "2026年第一批养老护理员认定 成绩汇总表", Lines: []string{"批次号 RD2026-001", "评价机构 江西省康养职业技能评价中心"},
		Columns: []Column{{"序号", 10}, {"姓名", 20}, {"总评", 16}, {"备注", 60}},
		Signers: []string{"考评组长", "督导员", "评价机构负责人"}, Footer: "批次 RD2026-001 成绩汇总表",
		Printed: time.Date(2026, 7, 2, 9, 30, 0, 0, time.UTC)}
	for i := 1; i <= 40; i++ {
		st.Rows = append(st.Rows, []string{fmt.Sprint(i), fmt.Sprintf("考生%02d号", i), "合格", ""})
	}
	var buf bytes.Buffer
	if err := WriteSignedTable(&buf, fonts(t), st); err != nil {
		t.Fatal(err)
	}
	pages := strings.Split(strings.TrimSuffix(pdfText(t, buf.Bytes()), "\f"), "\f")
	if len(pages) < 2 {
		t.Fatalf("%d pages for 40 rows", len(pages))
	}
	for i, pg := range pages {
		for _, s := range []string{"成绩汇总表", "序号", "考评组长（签字）", "督导员（签字）", "评价机构负责人（签字）", "日期：",
			fmt.Sprintf("第 %d 页 / 共 %d 页", i+1, len(pages)), "RD2026-001"} {
			if !strings.Contains(pg, s) {
				t.Errorf("page %d lacks %q", i+1, s)
			}
		}
	}
	all := strings.Join(pages, "")
	for i := 1; i <= 40; i++ {
		if !strings.Contains(all, fmt.Sprintf("考生%02d号", i)) {
			t.Errorf("row %d missing", i)
		}
	}
	if t.Failed() {
		t.Log(all)
	}
}
