package roster

import (
	"bytes"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"skillscore/idnumber"
	"skillscore/store"
)

// sheetSpec is one worksheet of a workbook built in a test. A string cell
// is stored as text, an int or float64 as a number (what Excel does with an
// ID typed into a General-format cell).
type sheetSpec struct {
	name       string
	hidden     bool
	veryHidden bool // hidden so that Excel's Unhide dialog does not list it
	rows       [][]any
}

func workbook(t testing.TB, sheets ...sheetSpec) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, sh := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", sh.name); err != nil {
				t.Fatal(err)
			}
		} else if _, err := f.NewSheet(sh.name); err != nil {
			t.Fatal(err)
		}
		for r, row := range sh.rows {
			for c, v := range row {
				if v == nil {
					continue
				}
				cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
				var err error
				if s, ok := v.(string); ok {
					err = f.SetCellStr(sh.name, cell, s)
				} else {
					err = f.SetCellValue(sh.name, cell, v)
				}
				if err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	// Hide after all sheets exist: Excel refuses to hide the only visible one.
	for _, sh := range sheets {
		if sh.hidden || sh.veryHidden {
			if err := f.SetSheetVisible(sh.name, false, sh.veryHidden); err != nil {
				t.Fatal(err)
			}
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// makeID returns a valid resident-card number; odd seq is a man.
func makeID(t testing.TB, region string, y, m, d, seq int) string {
	t.Helper()
	id, err := idnumber.Make(region, time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC), seq)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func testGroups() []store.Group {
	return []store.Group{{Code: "employee", Name: "职工组"}, {Code: "student", Name: "学生组"}}
}

func header() []any {
	return []any{"序号", "姓名", "性别", "证件类型", "证件号码", "工作单位", "设区市", "组别", "现等级", "手机"}
}

// reasonsOf returns the reason codes of a verdict, or "ok".
func reasonsOf(v Verdict) string {
	if v.Accepted {
		return "ok"
	}
	var s string
	for i, p := range v.Problems {
		if i > 0 {
			s += ","
		}
		s += string(p.Reason)
	}
	return s
}
