package programme

import (
	"strings"
	"testing"

	"skillscore"
)

func TestReadDelegationsCSV(t *testing.T) {
	rows, err := ReadDelegations("d.csv", []byte("江西省第二届职业技能大赛代表队\n代码,名称,类别\nnc,南昌市代表队,设区市\n\njj,九江市代表队,\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0] != (SheetRow{Row: 3, Code: "nc", Name: "南昌市代表队", Kind: "设区市"}) || rows[1].Row != 5 {
		t.Fatalf("rows %+v", rows)
	}
	_, err = ReadDelegations("x.csv", []byte("甲,乙\n1,2\n"))
	if skillscore.ErrorCode(err) != skillscore.EInvalid || !strings.Contains(skillscore.ErrorMessage(err), "没有找到表头") {
		t.Fatalf("no header: %v", err)
	}
}
