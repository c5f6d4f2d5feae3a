package roster

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

func encode(t *testing.T, enc encoding.Encoding, s string) []byte {
	t.Helper()
	b, err := enc.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The same roster saved the ways Excel on Chinese Windows saves it must
// read the same: "CSV" (GBK), "CSV UTF-8" (with a BOM), plain UTF-8, and
// "Unicode text" (UTF-16, tab-separated).
func TestCSVEncodings(t *testing.T) {
	a := makeID(t, "360102", 1970, 12, 31, 1)
	b := makeID(t, "362102", 2005, 2, 28, 2)
	text := "江西省养老护理员职业技能竞赛报名表,,,,\r\n" +
		"姓名,性别,身份证号,单位,地市,组别,原等级\r\n" +
		"赵　敏,男," + a + ",赣州市颐养院,赣州市,职工组,四级/中级工\r\n" +
		"\r\n" +
		"\"钱 多多\",女," + strings.ToLower(b) + ",\"赣南卫生健康职业学院, 护理系\",赣州,学生组,\r\n"
	// Tab-separated: only the delimiters change, not the comma inside quotes.
	utf16 := strings.ReplaceAll(strings.ReplaceAll(strings.ReplaceAll(text, ", 护", "\x00"), ",", "\t"), "\x00", ", 护")
	files := []struct {
		name, enc string
		data      []byte
	}{
		{"utf8.csv", "utf-8", []byte(text)},
		{"bom.csv", "utf-8-bom", append([]byte("\xEF\xBB\xBF"), text...)},
		{"gbk.csv", "gb18030", encode(t, simplifiedchinese.GBK, text)},
		{"gb18030.csv", "gb18030", encode(t, simplifiedchinese.GB18030, text)},
		{"unicode.txt", "utf-16", encode(t, unicode.UTF16(unicode.LittleEndian, unicode.UseBOM), utf16)},
	}
	for _, f := range files {
		rep := check(t, f.name, f.data, Event{Groups: testGroups()})
		if rep.Format != "csv" || rep.Encoding != f.enc {
			t.Errorf("%s: format %s encoding %s, want csv %s", f.name, rep.Format, rep.Encoding, f.enc)
		}
		if rep.Sheets[0].HeaderRow != 2 || rep.Rows != 2 || rep.Accepted != 2 {
			t.Fatalf("%s: header row %d, rows %d, accepted %d: %+v", f.name, rep.Sheets[0].HeaderRow, rep.Rows, rep.Accepted, rep.Verdicts)
		}
		v0, v1 := rep.Verdicts[0], rep.Verdicts[1]
		if v0.Row != 3 || v0.Person.Name != "赵敏" || v0.Person.City != "赣州" || v0.Person.Level != 4 || v0.Person.Organization != "赣州市颐养院" {
			t.Errorf("%s: first row %d %+v", f.name, v0.Row, v0.Person)
		}
		if v1.Row != 5 || v1.Person.Name != "钱多多" || v1.Person.IDNumber != b || v1.Person.Group != "student" ||
			v1.Person.Organization != "赣南卫生健康职业学院, 护理系" {
			t.Errorf("%s: second row %d %+v", f.name, v1.Row, v1.Person)
		}
	}
}

// Excel writes a long number to CSV in scientific notation: the ID's
// digits are gone, and the row must say so.
func TestCSVScientificIDIsNotText(t *testing.T) {
	csv := "姓名,身份证号码,设区市,组别\n孙悟空,3.60102E+17,南昌,职工组\n猪八戒,3.60102199003070E+17,南昌,职工组\n"
	rep := check(t, "sci.csv", []byte(csv), Event{Groups: testGroups()})
	for _, v := range rep.Verdicts {
		if reasonsOf(v) != "id_not_text" || v.Problems[0].Column != "B" {
			t.Errorf("row %d: %s %+v", v.Row, reasonsOf(v), v.Problems)
		}
	}
}

func TestCSVTooManyRows(t *testing.T) {
	var buf bytes.Buffer
	buf.WriteString("姓名,身份证号码,设区市,组别\n")
	for i := 0; i <= MaxRows+60; i++ {
		buf.WriteString("x,1,南昌,职工组\n")
	}
	_, err := Check(context.Background(), "big.csv", buf.Bytes(), Event{Groups: testGroups()}, nil)
	if err == nil || !strings.Contains(err.Error(), "超过") {
		t.Fatalf("got %v, want a too-large error", err)
	}
}
