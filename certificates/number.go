package certificates

import (
	"fmt"
	"strconv"

	"skillscore"
)

// Numbering configures the 22-character national certificate number:
//
//	S 0000 36 000001 26 2 000001
//	│ │    │  │      │  │ └ serial (6 digits), allocated by the store
//	│ │    │  │      │  └ level 1 (一级/高级技师) … 5 (五级/初级工)
//	│ │    │  │      └ year, last two digits
//	│ │    │  └ the assessment body's own serial (6 digits)
//	│ │    └ province code (江西 36)
//	│ └ body code (0000 when registered with the province)
//	└ Y 用人单位 (employer) / S 社会培训评价组织 (training and assessment body)
type Numbering struct {
	Letter     string `json:"letter"`
	BodyCode   string `json:"body_code"`
	Province   string `json:"province"`
	BodySerial string `json:"body_serial"`
}

// DefaultNumbering is a provincially registered training and assessment body
// in Jiangxi; real deployments set their own codes.
func DefaultNumbering() Numbering {
	return Numbering{Letter: "S", BodyCode: "0000", Province: "36", BodySerial: "000001"}
}

// Validate checks each part's length and alphabet.
func (n Numbering) Validate() error {
	if n.Letter != "Y" && n.Letter != "S" {
		return skillscore.Errorf(skillscore.EInvalid, "证书编号首字母应为 Y（用人单位）或 S（社会培训评价组织），而不是 %q", n.Letter)
	}
	for _, p := range []struct {
		name, value string
		digits      int
	}{{"评价机构代码", n.BodyCode, 4}, {"省份代码", n.Province, 2}, {"机构序号", n.BodySerial, 6}} {
		if !isDigits(p.value, p.digits) {
			return skillscore.Errorf(skillscore.EInvalid, "%s应为 %d 位数字，而不是 %q", p.name, p.digits, p.value)
		}
	}
	return nil
}

// LevelScope is the number of a level certificate without its serial: the
// scope the serial counts in.
func (n Numbering) LevelScope(year, level int) (string, error) {
	if err := n.Validate(); err != nil {
		return "", err
	}
	if level < 1 || level > 5 {
		return "", skillscore.Errorf(skillscore.EInvalid, "职业技能等级应为 1–5，而不是 %d", level)
	}
	if year < 2000 || year > 2099 {
		return "", skillscore.Errorf(skillscore.EInvalid, "发证年份 %d 超出范围", year)
	}
	return fmt.Sprintf("%s%s%s%s%02d%d", n.Letter, n.BodyCode, n.Province, n.BodySerial, year%100, level), nil
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
	Level  int
	Serial int
}

// ParseLevelNumber checks a 22-character level certificate number.
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
	if !isDigits(s[1:], 21) {
		return bad("第 2–22 位应为数字")
	}
	n := LevelNumber{Numbering: Numbering{Letter: s[:1], BodyCode: s[1:5], Province: s[5:7], BodySerial: s[7:13]}}
	n.Year, _ = strconv.Atoi(s[13:15])
	n.Level = int(s[15] - '0')
	n.Serial, _ = strconv.Atoi(s[16:])
	if n.Level < 1 || n.Level > 5 {
		return bad("第 16 位（等级）应为 1–5")
	}
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
