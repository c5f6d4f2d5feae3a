// Package levels is the one place that knows the 职业技能等级 (skill
// levels): the code each is stored as, its names, their order and the next
// level up. Scoring, rosters, certificates and statistics ask it instead of
// comparing codes as numbers.
//
// It is pure (no I/O, no package-level mutable state), so package scoring
// may use it.
package levels

import (
	"fmt"
	"strings"
)

// Level is a skill level as stored: in the database column level, in rule
// and result JSON and in certificate numbers. 0 is no level.
//
// The codes 1..5 are the 级 numbers (1 = 一级/高级技师 … 5 = 五级/初级工)
// that databases, rules and certificate numbers have always held, so they
// keep their meaning. The eight-level sequence (学徒工 … 首席技师) added
// three levels, which take codes no older value used: 6 学徒工, 7 特级技师,
// 8 首席技师. A code is therefore not an order: a higher level is not a
// smaller (or larger) number. Compare with Compare, Above and AtLeast,
// never with < or >.
type Level int

// The levels, by code.
const (
	None              Level = 0
	SeniorTechnician  Level = 1 // 一级/高级技师
	Technician        Level = 2 // 二级/技师
	Senior            Level = 3 // 三级/高级工
	Intermediate      Level = 4 // 四级/中级工
	Junior            Level = 5 // 五级/初级工
	Apprentice        Level = 6 // 学徒工
	SpecialTechnician Level = 7 // 特级技师
	ChiefTechnician   Level = 8 // 首席技师
)

// Lowest and Highest are the ends of the sequence.
const (
	Lowest  = Apprentice
	Highest = ChiefTechnician
)

// info is what the package knows of one level.
type info struct {
	rank  int    // 1 学徒工 … 8 首席技师; 0 none
	name  string // 职业技能等级名称: 高级工
	grade string // 级 name: 三级; "" for the levels without one
}

// table is indexed by code.
var table = [...]info{
	None:              {0, "", ""},
	SeniorTechnician:  {6, "高级技师", "一级"},
	Technician:        {5, "技师", "二级"},
	Senior:            {4, "高级工", "三级"},
	Intermediate:      {3, "中级工", "四级"},
	Junior:            {2, "初级工", "五级"},
	Apprentice:        {1, "学徒工", ""},
	SpecialTechnician: {7, "特级技师", ""},
	ChiefTechnician:   {8, "首席技师", ""},
}

// ascending is every level from the lowest to the highest.
var ascending = [...]Level{Apprentice, Junior, Intermediate, Senior, Technician, SeniorTechnician, SpecialTechnician, ChiefTechnician}

// All returns the eight levels from the lowest (学徒工) to the highest (首席技师).
func All() []Level { return ascending[:] }

// FromCode is the level stored as n; false for a code no level has (0 is
// None, which is a valid stored value).
func FromCode(n int) (Level, bool) {
	if n < 0 || n >= len(table) {
		return None, false
	}
	return Level(n), true
}

// Valid reports whether l is one of the eight levels (not None).
func (l Level) Valid() bool { return l > None && int(l) < len(table) }

// ValidOrNone reports whether l is a level or None: a value a contestant's
// current level may hold.
func (l Level) ValidOrNone() bool { return l == None || l.Valid() }

// Rank is l's place in the sequence: 1 学徒工 … 8 首席技师, 0 for None.
// Invalid codes rank -1, below everything.
func (l Level) Rank() int {
	if !l.ValidOrNone() {
		return -1
	}
	return table[l].rank
}

// Compare orders levels: -1 when a is lower than b, 0 when they are the
// same, +1 when a is higher. None is below every level.
func Compare(a, b Level) int {
	ra, rb := a.Rank(), b.Rank()
	switch {
	case ra < rb:
		return -1
	case ra > rb:
		return 1
	}
	return 0
}

// Above reports whether l is a higher level than m.
func (l Level) Above(m Level) bool { return Compare(l, m) > 0 }

// AtLeast reports whether l is m or higher.
func (l Level) AtLeast(m Level) bool { return Compare(l, m) >= 0 }

// Next is the level one above l (what a one-level promotion grants); the
// level above None is the lowest, 学徒工. False at the top (首席技师) and
// for an invalid code.
func (l Level) Next() (Level, bool) { return l.Up(1) }

// Up is the level n steps above l; false when that is past the top, or
// for an invalid code or a negative n.
func (l Level) Up(n int) (Level, bool) {
	r := l.Rank()
	if r < 0 || n < 0 || r+n > len(ascending) {
		return None, false
	}
	if r+n == 0 {
		return None, true
	}
	return ascending[r+n-1], true
}

// Name is the 职业技能等级 name: 初级工, 高级技师, 学徒工, 特级技师; "" for None.
func (l Level) Name() string {
	if !l.ValidOrNone() {
		return ""
	}
	return table[l].name
}

// Grade is the 级 name, 五级 … 一级; "" for 学徒工, 特级技师, 首席技师 and None.
func (l Level) Grade() string {
	if !l.ValidOrNone() {
		return ""
	}
	return table[l].grade
}

// String is the full name certificates and tables print: "三级/高级工",
// and for the levels without a 级, the name alone ("特级技师"); "无等级" for None.
func (l Level) String() string {
	switch {
	case l == None:
		return "无等级"
	case !l.Valid():
		return fmt.Sprintf("未知等级 %d", int(l))
	case l.Grade() != "":
		return l.Grade() + "/" + l.Name()
	}
	return l.Name()
}

// gradeDigits are the ways a 级 is written besides its name: 3级, 3, 三.
var gradeDigits = map[Level][]string{
	SeniorTechnician: {"1级", "1", "一"},
	Technician:       {"2级", "2", "二"},
	Senior:           {"3级", "3", "三"},
	Intermediate:     {"4级", "4", "四"},
	Junior:           {"5级", "5", "五"},
}

// shortNames are the short forms rosters use for a level's name.
var shortNames = map[Level][]string{
	Junior:            {"初级"},
	Intermediate:      {"中级"},
	Senior:            {"高级"},
	Apprentice:        {"学徒"},
	SpecialTechnician: {"特级"},
	ChiefTechnician:   {"首席"},
}

// Names lists every way Parse reads as l: the full name, the name, the 级
// name and their short and combined forms ("三级/高级工", "高级工（三级）",
// "三级高级工", "3级", "高级" …). None has none.
func (l Level) Names() []string {
	if !l.Valid() {
		return nil
	}
	var words []string
	if l.Grade() != "" { // else String is the name
		words = append(words, l.Name())
	}
	words = append(words, shortNames[l]...)
	var grades []string
	if g := l.Grade(); g != "" {
		grades = append([]string{g}, gradeDigits[l]...)
	}
	out := append([]string{l.String()}, words...)
	out = append(out, grades...)
	if len(grades) > 0 {
		n, g := l.Name(), l.Grade()
		out = append(out, n+"/"+g, n+"（"+g+"）", g+"（"+n+"）", n+"("+g+")", g+n)
	}
	return out
}

// words maps each single word to its level (built from the tables above,
// never changed after).
var words = func() map[string]Level {
	m := make(map[string]Level)
	for _, l := range ascending {
		m[l.Name()] = l
		for _, s := range shortNames[l] {
			m[s] = l
		}
		if g := l.Grade(); g != "" {
			m[g] = l
			for _, s := range gradeDigits[l] {
				m[s] = l
			}
		}
	}
	return m
}()

// noneWords are the cells that mean "no level".
var noneWords = map[string]bool{"": true, "无": true, "-": true, "—": true, "/": true, "0": true, "未取得": true, "暂无": true, "none": true, "无等级": true}

// Parse reads a level as people write it in rosters and forms: the full
// name ("三级/高级工"), the name ("高级工", "特级技师"), the 级 name ("三级",
// "3级", "3") and short forms ("高级", "学徒", "首席"), combined with a slash
// or brackets in either order ("高级工（三级）") or run together ("三级高级工"),
// with or without a leading 国家职业资格 / 职业技能等级. Every part of a
// combined name must name the same level. Empty, "无", "-" and the like are
// None. Bare digits are 级 numbers (1–5); a stored code such as 7 is read by
// FromCode, not here. False for anything else.
func Parse(s string) (Level, bool) {
	s = normalize(s)
	if noneWords[strings.ToLower(s)] {
		return None, true
	}
	parts := strings.FieldsFunc(s, func(r rune) bool {
		return r == '/' || r == '、' || r == '(' || r == ')' || r == '|'
	})
	level := None
	for _, p := range parts {
		l, ok := word(strings.TrimPrefix(strings.TrimPrefix(p, "国家职业资格"), "职业技能等级"))
		if !ok || (level != None && l != level) {
			return None, false
		}
		level = l
	}
	return level, level != None
}

// word reads one part: a single word, or a 级 name run together with the
// level's name ("二级技师").
func word(p string) (Level, bool) {
	if l, ok := words[p]; ok {
		return l, true
	}
	for _, l := range ascending {
		if g := l.Grade(); g != "" && strings.HasPrefix(p, g) {
			if w, ok := words[p[len(g):]]; ok && w == l {
				return l, true
			}
		}
	}
	return None, false
}

// normalize drops blanks and turns full-width forms (digits, slash,
// brackets) into the ASCII ones.
func normalize(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == ' ' || r == '\t' || r == '\u3000' || r == '\u00a0' || r == '\n' || r == '\r':
			continue
		case r >= '０' && r <= '９':
			r = r - '０' + '0'
		case r == '／':
			r = '/'
		case r == '（':
			r = '('
		case r == '）':
			r = ')'
		case r == '｜':
			r = '|'
		}
		b.WriteRune(r)
	}
	return b.String()
}
