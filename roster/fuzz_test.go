package roster

import (
	"context"
	"errors"
	"slices"
	"testing"

	"skillscore"
	"skillscore/idnumber"
)

// FuzzNormalize feeds arbitrary text as the data rows of a CSV roster:
// reading and checking must never panic, every row gets exactly one verdict,
// an accepted row holds only valid, normalised values, and every normaliser
// is idempotent.
func FuzzNormalize(f *testing.F) {
	for _, seed := range []string{
		"张　三,男,360102197505200131,南昌市,职工组,三级/高级工,138 0000 1234",
		"李四,,３６０１０２１９７５０５２００１３１,江西省南昌市,student,,",
		"\"王,五\",女性,36010219750520013x,赣州,学生组,高级工（三级）,+8613800001234",
		"Anna  Lee,F,E12345678,九江,职工,5,0790-6666666",
		"\ufeff\u200b,\u3000,3.60102E+17,上海,教师组,特级,1",
		"a,b,c\n\n\"unterminated,x",
	} {
		f.Add(seed)
	}
	ev := Event{Groups: testGroups()}
	f.Fuzz(func(t *testing.T, rows string) {
		for _, s := range []string{rows} {
			if Text(Text(s)) != Text(s) || Name(Name(s)) != Name(s) || IDNumber(IDNumber(s)) != IDNumber(s) || Phone(Phone(s)) != Phone(s) {
				t.Fatalf("a normaliser is not idempotent on %q", s)
			}
			if c, _ := City(s); func() string { c2, _ := City(c); return c2 }() != c {
				t.Fatalf("City not idempotent on %q", s)
			}
		}
		data := []byte("姓名,性别,证件号码,设区市,组别,现等级,手机\n" + rows)
		rep, err := Check(context.Background(), "fuzz.csv", data, ev, nil)
		if err != nil {
			var se *skillscore.Error
			if !errors.As(err, &se) || se.Message == "" {
				t.Fatalf("file error is not a coded error with a message: %v", err)
			}
			return
		}
		if len(rep.Verdicts) != rep.Rows || rep.Accepted+rep.Rejected != rep.Rows {
			t.Fatalf("rows %d, verdicts %d, accepted %d, rejected %d", rep.Rows, len(rep.Verdicts), rep.Accepted, rep.Rejected)
		}
		known := map[Reason]bool{}
		for _, r := range Reasons() {
			known[r.Code] = true
		}
		for _, v := range rep.Verdicts {
			if v.Accepted != (len(v.Problems) == 0) {
				t.Fatalf("row %d: accepted %v with problems %+v", v.Row, v.Accepted, v.Problems)
			}
			for _, p := range v.Problems {
				if !known[p.Reason] || p.Message == "" {
					t.Fatalf("row %d: undocumented reason or empty message %+v", v.Row, p)
				}
			}
			if !v.Accepted {
				continue
			}
			p := v.Person
			if p.Name == "" || Name(p.Name) != p.Name || idnumber.CheckType(p.IDType, p.IDNumber) != idnumber.OK ||
				(p.Gender != "男" && p.Gender != "女") || !slices.Contains(Cities(), p.City) ||
				(p.Group != "employee" && p.Group != "student") || p.Level < 0 || p.Level > 5 {
				t.Fatalf("row %d accepted with %+v", v.Row, p)
			}
		}
	})
}
