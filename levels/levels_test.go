package levels

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// every is None and the eight levels.
func every() []Level { return append([]Level{None}, All()...) }

// The codes databases and certificate numbers already hold keep their
// meaning; the new levels take codes of their own.
func TestCodesKeepTheirMeaning(t *testing.T) {
	want := map[int]string{0: "无等级", 1: "一级/高级技师", 2: "二级/技师", 3: "三级/高级工", 4: "四级/中级工", 5: "五级/初级工",
		6: "学徒工", 7: "特级技师", 8: "首席技师"}
	for code, name := range want {
		l, ok := FromCode(code)
		if !ok || l.String() != name || int(l) != code {
			t.Errorf("FromCode(%d) = %v %v, want %s", code, l, ok, name)
		}
	}
	for _, code := range []int{-1, 9, 10, 100} {
		if _, ok := FromCode(code); ok {
			t.Errorf("FromCode(%d) accepted", code)
		}
		if Level(code).Valid() || Level(code).ValidOrNone() {
			t.Errorf("Level(%d) valid", code)
		}
	}
	if got := names(All()); !slices.Equal(got, []string{"学徒工", "初级工", "中级工", "高级工", "技师", "高级技师", "特级技师", "首席技师"}) {
		t.Errorf("order %v", got)
	}
}

func names(ls []Level) []string {
	var out []string
	for _, l := range ls {
		out = append(out, l.Name())
	}
	return out
}

// Compare is a total order over None and the eight levels, None lowest.
func TestOrderIsTotal(t *testing.T) {
	all := every()
	for _, a := range all {
		if Compare(a, a) != 0 || a.Above(a) || !a.AtLeast(a) {
			t.Errorf("%v not equal to itself", a)
		}
		if a != None && !a.Above(None) {
			t.Errorf("%v not above None", a)
		}
		for _, b := range all {
			if a != b && Compare(a, b) == 0 {
				t.Errorf("%v and %v compare equal", a, b)
			}
			if Compare(a, b) != -Compare(b, a) {
				t.Errorf("Compare(%v, %v) not antisymmetric", a, b)
			}
			if a.Above(b) != (Compare(a, b) > 0) || a.AtLeast(b) != (Compare(a, b) >= 0) {
				t.Errorf("Above/AtLeast(%v, %v) disagree with Compare", a, b)
			}
			for _, c := range all {
				if Compare(a, b) < 0 && Compare(b, c) < 0 && Compare(a, c) >= 0 {
					t.Errorf("not transitive: %v < %v < %v", a, b, c)
				}
			}
		}
	}
	if !slices.IsSortedFunc(All(), Compare) {
		t.Error("All() is not ascending")
	}
}

// Next is consistent with the order: the least level above l.
func TestNextIsTheLevelJustAbove(t *testing.T) {
	all := every()
	for _, l := range all {
		n, ok := l.Next()
		if l == Highest {
			if ok {
				t.Errorf("Next(%v) = %v past the top", l, n)
			}
			continue
		}
		if !ok || !n.Above(l) {
			t.Fatalf("Next(%v) = %v %v", l, n, ok)
		}
		for _, m := range all {
			if m.Above(l) && n.Above(m) {
				t.Errorf("%v lies between %v and its next %v", m, l, n)
			}
		}
	}
	// Walking up from None visits every level once, in order.
	var walk []Level
	for l, ok := None.Next(); ok; l, ok = l.Next() {
		walk = append(walk, l)
	}
	if !slices.Equal(walk, All()) {
		t.Errorf("walk %v", walk)
	}
	if _, ok := Level(42).Next(); ok {
		t.Error("invalid code has a next level")
	}
}

// Up(n) is Next applied n times.
func TestUpIsRepeatedNext(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 500 {
		l := every()[rng.IntN(9)]
		n := rng.IntN(10)
		want, wantOK := l, true
		for range n {
			if want, wantOK = want.Next(); !wantOK {
				break
			}
		}
		got, ok := l.Up(n)
		if ok != wantOK || (ok && got != want) {
			t.Fatalf("%v.Up(%d) = %v %v, want %v %v", l, n, got, ok, want, wantOK)
		}
		if ok && n > 0 && !got.Above(l) {
			t.Fatalf("%v.Up(%d) = %v is not above", l, n, got)
		}
	}
	if _, ok := Junior.Up(-1); ok {
		t.Error("Up(-1) accepted")
	}
}

// parse(name(l)) == l for every name form, written as rosters write it.
func TestParseEveryName(t *testing.T) {
	seen := map[string]Level{}
	for _, l := range All() {
		forms := l.Names()
		if len(forms) < 2 || forms[0] != l.String() {
			t.Fatalf("%v names %v", l, forms)
		}
		for _, f := range forms {
			if o, dup := seen[f]; dup {
				t.Errorf("%q names both %v and %v", f, o, l)
			}
			seen[f] = l
			for _, written := range []string{f, " " + f + " ", "国家职业资格" + f, "职业技能等级" + f, fullWidth(f)} {
				if got, ok := Parse(written); !ok || got != l {
					t.Errorf("Parse(%q) = %v %v, want %v", written, got, ok, l)
				}
			}
		}
	}
	for _, s := range []string{"", "无", "-", "—", "/", "0", "未取得", "暂无", "None", " 无 "} {
		if got, ok := Parse(s); !ok || got != None {
			t.Errorf("Parse(%q) = %v %v, want None", s, got, ok)
		}
	}
}

func fullWidth(s string) string {
	out := []rune(s)
	for i, r := range out {
		switch {
		case r >= '0' && r <= '9':
			out[i] = r - '0' + '０'
		case r == '/':
			out[i] = '／'
		}
	}
	return string(out)
}

func TestParseRefuses(t *testing.T) {
	for _, s := range []string{"三级/技师", "高级工（二级）", "六级", "6", "7", "8", "9", "高级技工", "特级工", "技师技师x", "abc", "三级高级技师"} {
		if got, ok := Parse(s); ok {
			t.Errorf("Parse(%q) = %v, want refused", s, got)
		}
	}
}

// Whatever Parse accepts is a level or None and reads back the same.
func FuzzParse(f *testing.F) {
	for _, l := range All() {
		for _, n := range l.Names() {
			f.Add(n)
		}
	}
	f.Add("三级/技师")
	f.Fuzz(func(t *testing.T, s string) {
		l, ok := Parse(s)
		if !ok {
			return
		}
		if !l.ValidOrNone() {
			t.Fatalf("Parse(%q) = invalid %d", s, int(l))
		}
		if back, ok := Parse(l.String()); l != None && (!ok || back != l) {
			t.Fatalf("Parse(%q) = %v, but %q reads %v", s, l, l.String(), back)
		}
	})
}
