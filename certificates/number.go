package certificates

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"skillscore"
	"skillscore/levels"
)

// Numbering configures the 22-character national certificate number:
//
//	S 0000 36 000001 26 2 000001
//	│ │    │  │      │  │ └ serial (6 digits), allocated by the store
//	│ │    │  │      │  └ level: 1 (一级/高级技师) … 5 (五级/初级工); a letter
//	│ │    │  │      │    for the levels without a 级 (levelCodes)
//	│ │    │  │      └ year, last two digits
//	│ │    │  └ the body's 序列码 (6 digits), from its filing
//	│ │    └ province code (江西 36)
//	│ └ 评价机构代码 (4 digits), from its filing: 0000 when the body filed
//	│   with the province, the ministry's code when it filed there
//	└ Y 用人单位 (employer) / S 社会培训评价组织 (training and assessment body)
//
// BodyCode and BodySerial are the body's own, given when it filed
// (备案): they have no default, and level certificates are refused while
// either is unset (RequireBody), so no real certificate carries a
// placeholder. Award certificates do not use them.
type Numbering struct {
	Letter     string `json:"letter"`
	BodyCode   string `json:"body_code"`
	Province   string `json:"province"`
	BodySerial string `json:"body_serial"`
	// Demo marks the demo's stand-in BodyCode and BodySerial: pages that
	// show a certificate numbered with them say 演示.
	Demo bool `json:"demo,omitempty"`
}

// DefaultNumbering is a training and assessment body in Jiangxi whose own
// codes are not set yet.
func DefaultNumbering() Numbering {
	return Numbering{Letter: "S", Province: "36"}
}

// DemoNumbering is the demo's: a provincially filed body (0000) with the
// stand-in 序列码 000001, marked Demo.
func DemoNumbering() Numbering {
	return Numbering{Letter: "S", BodyCode: "0000", Province: "36", BodySerial: "000001", Demo: true}
}

// Body settings, named in the error that asks for them.
const (
	BodyCodeSetting   = "评价机构代码（4 位，先向省级人社部门备案的为 0000；--cert-body 或环境变量 SKILLSCORE_CERT_BODY）"
	BodySerialSetting = "评价机构序列码（6 位；--cert-body-serial 或环境变量 SKILLSCORE_CERT_BODY_SERIAL）"
)

// Validate checks each part that is set: its length and alphabet. The
// letter and province are always set.
func (n Numbering) Validate() error {
	if n.Letter != "Y" && n.Letter != "S" {
		return skillscore.Errorf(skillscore.EInvalid, "证书编号首字母应为 Y（用人单位）或 S（社会培训评价组织），而不是 %q", n.Letter)
	}
	for _, p := range []struct {
		name, value string
		digits      int
		optional    bool
	}{{"评价机构代码", n.BodyCode, 4, true}, {"省份代码", n.Province, 2, false}, {"评价机构序列码", n.BodySerial, 6, true}} {
		if p.optional && p.value == "" {
			continue
		}
		if !isDigits(p.value, p.digits) {
			return skillscore.Errorf(skillscore.EInvalid, "%s应为 %d 位数字，而不是 %q", p.name, p.digits, p.value)
		}
	}
	return nil
}

// BodySet reports whether the body's own codes are set.
func (n Numbering) BodySet() bool { return n.BodyCode != "" && n.BodySerial != "" }

// RequireBody refuses while the body's codes are unset, naming the
// settings that give them.
func (n Numbering) RequireBody() error {
	var missing []string
	if n.BodyCode == "" {
		missing = append(missing, BodyCodeSetting)
	}
	if n.BodySerial == "" {
		missing = append(missing, BodySerialSetting)
	}
	if len(missing) == 0 {
		return nil
	}
	return skillscore.Wrap(skillscore.EUnavailable, ErrBodyUnset, fmt.Sprintf(
		"尚未设置%s：这是评价机构备案时赋予的编码，印在每张职业技能等级证书的编号里，不能用占位值。请按备案填写后再签发职业技能等级证书（获奖证书不用它）",
		strings.Join(missing, "和")))
}

// ErrBodyUnset is the cause of RequireBody's refusal, for errors.Is.
var ErrBodyUnset = errors.New("certificates: the assessment body's codes are not set")

// Numbers reports whether a level certificate number was made with n's
// letter, body codes and province.
func (n Numbering) Numbers(number string) bool {
	p, err := ParseLevelNumber(number)
	return err == nil && p.Letter == n.Letter && p.BodyCode == n.BodyCode && p.Province == n.Province && p.BodySerial == n.BodySerial
}

// levelCodes is the character a level takes in position 16 of the number.
// The national rule has a digit for each 级 (1–5). 特级技师 and 首席技师
// certificates are numbered with two capital letters and 20 digits, the
// same seven parts (docs/certificates.md, "Numbering", says what was found
// and what is chosen): their level part is the letter, T (特, te) and
// S (首, shou), pinyin initials as the rule's own Y and S are. 学徒工 has
// no 级 either and takes X (学, xue) the same way.
var levelCodes = map[levels.Level]byte{
	levels.SeniorTechnician: '1', levels.Technician: '2', levels.Senior: '3', levels.Intermediate: '4', levels.Junior: '5',
	levels.Apprentice: 'X', levels.SpecialTechnician: 'T', levels.ChiefTechnician: 'S',
}

// LevelCode is the character of level l in a certificate number.
func LevelCode(l levels.Level) (byte, bool) {
	c, ok := levelCodes[l]
	return c, ok
}

// levelOfCode is the level a number's position 16 names.
func levelOfCode(c byte) (levels.Level, bool) {
	for l, lc := range levelCodes {
		if lc == c {
			return l, true
		}
	}
	return levels.None, false
}

// LevelScope is the number of a level certificate without its serial: the
// scope the serial counts in. It needs the body's codes (RequireBody).
func (n Numbering) LevelScope(year int, level levels.Level) (string, error) {
	if err := n.Validate(); err != nil {
		return "", err
	}
	if err := n.RequireBody(); err != nil {
		return "", err
	}
	code, ok := LevelCode(level)
	if !ok {
		return "", skillscore.Errorf(skillscore.EInvalid, "职业技能等级 %d 未知", int(level))
	}
	if year < 2000 || year > 2099 {
		return "", skillscore.Errorf(skillscore.EInvalid, "发证年份 %d 超出范围", year)
	}
	return fmt.Sprintf("%s%s%s%s%02d%c", n.Letter, n.BodyCode, n.Province, n.BodySerial, year%100, code), nil
}

// AwardScope is the prefix of award certificate numbers, which have no
// national format: HJ, province, year, then a 6-digit serial
// (HJ362026000001).
func (n Numbering) AwardScope(year int) (string, error) {
	if err := n.Validate(); err != nil {
		return "", err
	}
	if year < 2000 || year > 2099 {
		return "", skillscore.Errorf(skillscore.EInvalid, "发证年份 %d 超出范围", year)
	}
	return fmt.Sprintf("HJ%s%04d", n.Province, year), nil
}

// maxSerial is the largest 6-digit serial.
const maxSerial = 999999

// WithSerial appends a 6-digit serial to a scope.
func WithSerial(scope string, serial int64) (string, error) {
	if serial < 1 || serial > maxSerial {
		return "", skillscore.Errorf(skillscore.EConflict, "编号段 %s 的 6 位流水号已用完 (%d)", scope, serial)
	}
	return fmt.Sprintf("%s%06d", scope, serial), nil
}

// LevelNumber is a parsed 22-character level certificate number.
type LevelNumber struct {
	Numbering
	Year   int // two digits
	Level  levels.Level
	Serial int
}

// String formats the number back.
func (n LevelNumber) String() string {
	c, _ := LevelCode(n.Level)
	return fmt.Sprintf("%s%s%s%s%02d%c%06d", n.Letter, n.BodyCode, n.Province, n.BodySerial, n.Year, c, n.Serial)
}

// ParseLevelNumber checks a 22-character level certificate number: one
// letter and 21 digits for 五级 … 一级, two letters and 20 digits for
// 学徒工, 特级技师 and 首席技师 (the level letter in position 16).
func ParseLevelNumber(s string) (LevelNumber, error) {
	bad := func(why string) (LevelNumber, error) {
		return LevelNumber{}, skillscore.Errorf(skillscore.EInvalid, "证书编号 %q 格式不对：%s", s, why)
	}
	if len(s) != 22 {
		return bad(fmt.Sprintf("应为 22 位，实为 %d 位", len([]rune(s))))
	}
	if s[0] != 'Y' && s[0] != 'S' {
		return bad("首字母应为 Y 或 S")
	}
	if !isDigits(s[1:15], 14) || !isDigits(s[16:], 6) {
		return bad("除首字母和第 16 位（等级）外应为数字")
	}
	level, ok := levelOfCode(s[15])
	if !ok {
		return bad("第 16 位（等级）应为 1–5（一级 … 五级），或 X 学徒工、T 特级技师、S 首席技师")
	}
	n := LevelNumber{Numbering: Numbering{Letter: s[:1], BodyCode: s[1:5], Province: s[5:7], BodySerial: s[7:13]}, Level: level}
	n.Year, _ = strconv.Atoi(s[13:15])
	n.Serial, _ = strconv.Atoi(s[16:])
	if n.Serial == 0 {
		return bad("流水号不能为 000000")
	}
	return n, nil
}

func isDigits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
