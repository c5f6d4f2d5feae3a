package roster

import (
	"strings"
	"unicode"

	"skillscore/levels"
	"skillscore/store"
)

// The normalisers below are pure and idempotent: applying one twice gives
// the same text as applying it once (FuzzNormalize checks this).

// isBlank reports the characters trimmed from every value: Unicode spaces
// (including the ideographic space U+3000 and no-break space) and the
// zero-width characters that copy-paste from web pages and WeChat leaves.
func isBlank(r rune) bool {
	return unicode.IsSpace(r) || r == '\u200b' || r == '\u200c' || r == '\u200d' || r == '\ufeff' || r == '\u2060'
}

// asciiWidth turns full-width digits and Latin letters (０-９, Ａ-Ｚ, ａ-ｚ),
// as a Chinese input method types them, into ASCII.
// Invalid UTF-8 becomes U+FFFD first, so that removing a blank can never
// join stray bytes into a new character.
func asciiWidth(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if !strings.ContainsFunc(s, isFullWidthAlnum) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isFullWidthAlnum(r) {
			return r - 0xFEE0
		}
		return r
	}, s)
}

func isFullWidthAlnum(r rune) bool {
	return (r >= '０' && r <= '９') || (r >= 'Ａ' && r <= 'Ｚ') || (r >= 'ａ' && r <= 'ｚ')
}

// Text normalises a free-text value (单位): ASCII digits and letters, trimmed,
// runs of blanks inside folded to one space.
func Text(s string) string {
	return strings.Join(strings.FieldsFunc(asciiWidth(s), isBlank), " ")
}

// Name normalises a person's name. A Chinese name loses every blank inside,
// because spreadsheets pad two-character names to line up ("张　三" is 张三);
// a name in Latin letters keeps single spaces between its words.
func Name(s string) string {
	s = Text(s)
	if strings.ContainsFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) }) {
		return strings.ReplaceAll(s, " ", "")
	}
	return s
}

// IDNumber normalises a document number: ASCII, upper case (a lower-case x
// check character becomes X), every blank and the apostrophe Excel users
// type to force text removed.
func IDNumber(s string) string {
	s = strings.Map(func(r rune) rune {
		if isBlank(r) || r == '\'' || r == '‘' || r == '’' || r == '`' {
			return -1
		}
		return r
	}, asciiWidth(s))
	return strings.ToUpper(s)
}

// Phone normalises a phone number: ASCII digits, blanks, hyphens and a
// leading +86 removed.
func Phone(s string) string {
	s = strings.Map(func(r rune) rune {
		if isBlank(r) || r == '-' || r == '－' || r == '—' {
			return -1
		}
		return r
	}, asciiWidth(s))
	for strings.HasPrefix(s, "+86") {
		s = s[len("+86"):]
	}
	return s
}

// Cities are the 11 设区市 of Jiangxi (the seed's annex 2), as stored.
func Cities() []string {
	return []string{"南昌", "九江", "景德镇", "萍乡", "新余", "鹰潭", "赣州", "宜春", "上饶", "吉安", "抚州"}
}

// City normalises a 设区市 and reports whether it is one of Jiangxi's 11:
// "江西省南昌市", "南昌市" and "南昌" are all 南昌.
func City(s string) (string, bool) {
	s = strings.ReplaceAll(Text(s), " ", "")
	short := strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(s, "江西省"), "江西"), "市")
	for _, c := range Cities() {
		if short == c {
			return c, true
		}
	}
	return s, false
}

// Gender normalises 性别; "" means empty, false means not a gender.
func Gender(s string) (string, bool) {
	switch strings.ToLower(strings.ReplaceAll(Text(s), " ", "")) {
	case "":
		return "", true
	case "男", "男性", "m", "male":
		return "男", true
	case "女", "女性", "f", "female":
		return "女", true
	}
	return "", false
}

// Level parses a current skill level (现等级) with levels.Parse:
// "三级/高级工", "高级工", "三级", "3", "高级工（三级）" are all 三级/高级工, and
// 学徒工, 特级技师 and 首席技师 are read the same way; "", "无" and "-" are
// levels.None. Every part of a combined name must name the same level.
func Level(s string) (levels.Level, bool) {
	return levels.Parse(Text(s))
}

// headerField maps a header cell to the field it names, or "" for a column
// the import ignores (序号, 备注 …). Blanks, line breaks, required-markers
// (*) and notes in brackets ("证件号码（必填）") do not matter.
func headerField(s string) field {
	s = strings.Map(func(r rune) rune {
		if isBlank(r) || r == '*' || r == '＊' || r == ':' || r == '：' {
			return -1
		}
		return r
	}, asciiWidth(s))
	for _, open := range []string{"（", "("} {
		if i := strings.Index(s, open); i > 0 {
			s = s[:i]
		}
	}
	switch s {
	case "姓名", "选手姓名", "考生姓名", "参赛选手", "参赛选手姓名", "学员姓名":
		return fName
	case "性别":
		return fGender
	case "证件类型", "证件种类", "身份证件类型":
		return fIDType
	case "证件号码", "证件号", "身份证号", "身份证号码", "身份证", "公民身份号码", "身份证件号码", "身份证件号":
		return fIDNumber
	case "单位", "工作单位", "学校", "单位名称", "所在单位", "工作单位/学校", "单位/学校", "所在单位/学校", "推荐单位", "工作单位或学校", "所在学校":
		return fOrganization
	case "设区市", "地市", "所在市", "所在设区市", "所属设区市", "所属市", "地区", "市", "所在地市":
		return fCity
	case "组别", "参赛组别", "组":
		return fGroup
	case "现等级", "现有等级", "原等级", "现职业技能等级", "现有职业技能等级", "原职业技能等级", "职业技能等级", "等级", "现职业资格等级", "原有等级":
		return fLevel
	case "手机", "手机号", "手机号码", "联系电话", "电话", "联系方式":
		return fPhone
	case "队伍名称", "队伍", "队名", "队号", "参赛队", "参赛队伍":
		return fTeam
	case "代表队", "参赛代表队", "所属代表队", "代表团", "代表队名称":
		return fDelegation
	case "民族", "民族名称":
		return fEthnicity
	case "文化程度", "学历", "最高学历", "学历层次", "文化程度/学历", "学历/文化程度":
		return fEducation
	case "考生来源", "考生类别", "考生类型", "报考类型", "报考类别", "考试类型", "考试类别", "新考/补考", "新考或补考", "新考补考":
		return fSource
	case "申报条件", "报考条件", "申报资格", "报考资格", "申报条件类别", "符合申报条件":
		return fQualification
	case "现等级证书编号", "现有等级证书编号", "原等级证书编号", "原证书编号", "证书编号", "现有证书编号", "原有证书编号",
		"现职业技能等级证书编号", "原职业技能等级证书编号", "职业技能等级证书编号", "现等级证书号", "原证书号", "等级证书编号":
		return fLevelCertNo
	}
	return ""
}

// matchDelegation finds the delegation a cell names: its name or code, or
// its name without the "代表队" every name ends with ("南昌市" for 南昌市代表队).
func matchDelegation(s string, ds []store.Delegation) (store.Delegation, bool) {
	if s == "" {
		return store.Delegation{}, false
	}
	for _, d := range ds {
		if s == d.Name || strings.EqualFold(s, d.Code) || s+"代表队" == d.Name {
			return d, true
		}
	}
	return store.Delegation{}, false
}

// delegationList names the delegations for an error message.
func delegationList(ds []store.Delegation) string {
	if len(ds) == 0 {
		return "本大赛的代表队（大赛还没有代表队，请先导入代表队）"
	}
	names := make([]string, len(ds))
	for i, d := range ds {
		names[i] = d.Name
	}
	return strings.Join(names, "、")
}
