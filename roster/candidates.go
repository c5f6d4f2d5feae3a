package roster

import (
	"strings"

	"skillscore"
	"skillscore/certificates"
	"skillscore/scoring"
	"skillscore/store"
)

// The columns an assessment office asks of a candidate (考生) beyond a
// contestant's: read for an assessment batch only. A competition's roster
// may carry them too (many 报名表 have 民族 and 文化程度): there they are
// not read, and the report lists them as ignored.
const (
	fEthnicity     field = "ethnicity"
	fEducation     field = "education"
	fSource        field = "source"
	fQualification field = "qualification"
	fLevelCertNo   field = "level_cert_no"
)

// candidateFields are the assessment-only columns, in report order.
func candidateFields() []field {
	return []field{fEthnicity, fEducation, fSource, fQualification, fLevelCertNo}
}

// Reasons of the candidate columns (docs/roster.md).
const (
	EthnicityUnknown   Reason = "ethnicity_unknown"
	EducationUnknown   Reason = "education_unknown"
	SourceUnknown      Reason = "source_unknown"
	QualificationEmpty Reason = "qualification_empty"
	CertNoInvalid      Reason = "cert_no_invalid"
)

// CandidateReasons lists the reasons of the candidate columns with their
// meanings.
func CandidateReasons() []ReasonInfo {
	return []ReasonInfo{
		{EthnicityUnknown, "民族为空或不是 GB 3304 所列的 56 个民族、“其他”或“外国血统中国籍人士”"},
		{EducationUnknown, "文化程度为空或不是可接受的文化程度"},
		{SourceUnknown, "考生来源为空或不是“新考”或“补考”"},
		{QualificationEmpty, "申报条件为空"},
		{CertNoInvalid, "现等级证书编号格式不对，或与现等级不一致"},
	}
}

// Ethnicities are the names of GB 3304-1991 (中国各民族名称的罗马字母拼写法和
// 代码) in its code order: 01 汉族 … 56 基诺族, then 97 其他 and 98
// 外国血统中国籍人士.
func Ethnicities() []string {
	return []string{"汉族", "蒙古族", "回族", "藏族", "维吾尔族", "苗族", "彝族", "壮族", "布依族", "朝鲜族",
		"满族", "侗族", "瑶族", "白族", "土家族", "哈尼族", "哈萨克族", "傣族", "黎族", "傈僳族",
		"佤族", "畲族", "高山族", "拉祜族", "水族", "东乡族", "纳西族", "景颇族", "柯尔克孜族", "土族",
		"达斡尔族", "仫佬族", "羌族", "布朗族", "撒拉族", "毛南族", "仡佬族", "锡伯族", "阿昌族", "普米族",
		"塔吉克族", "怒族", "乌孜别克族", "俄罗斯族", "鄂温克族", "德昂族", "保安族", "裕固族", "京族", "塔塔尔族",
		"独龙族", "鄂伦春族", "赫哲族", "门巴族", "珞巴族", "基诺族", "其他", "外国血统中国籍人士"}
}

// Ethnicity normalises a 民族 and reports whether GB 3304 lists it: the
// name with or without 族 (汉, 汉族), its two-digit code (01 … 56, 97, 98),
// and the short forms offices write (蒙族, 维族, 外国血统, 其它).
func Ethnicity(s string) (string, bool) {
	s = strings.ReplaceAll(Text(s), " ", "")
	all := Ethnicities()
	other, foreign := all[len(all)-2], all[len(all)-1]
	switch s {
	case "":
		return "", false
	case "蒙族":
		return "蒙古族", true
	case "维族":
		return "维吾尔族", true
	case "其它", "97":
		return other, true
	case "外国血统", "外国血统中国籍", "98":
		return foreign, true
	}
	if len(s) == 2 && s[0] >= '0' && s[0] <= '5' && s[1] >= '0' && s[1] <= '9' {
		if n := int(s[0]-'0')*10 + int(s[1]-'0'); n >= 1 && n <= 56 {
			return all[n-1], true
		}
	}
	for _, e := range all {
		if s == e || s+"族" == e {
			return e, true
		}
	}
	return s, false
}

// Educations are the 文化程度 a candidate may declare, as stored.
func Educations() []string {
	return []string{"博士研究生", "硕士研究生", "研究生", "大学本科", "大学专科", "中等专科", "技工学校", "职业高中", "普通高中", "初中", "小学", "其他"}
}

// educationAliases maps what offices write to Educations.
var educationAliases = map[string]string{
	"博士": "博士研究生", "博士研究生": "博士研究生",
	"硕士": "硕士研究生", "硕士研究生": "硕士研究生",
	"研究生": "研究生",
	"本科":  "大学本科", "大学本科": "大学本科", "大本": "大学本科",
	"大专": "大学专科", "专科": "大学专科", "大学专科": "大学专科", "高职": "大学专科", "高职高专": "大学专科",
	"中专": "中等专科", "中等专科": "中等专科", "中等专业学校": "中等专科", "中职": "中等专科",
	"技校": "技工学校", "技工": "技工学校", "技工学校": "技工学校",
	"职高": "职业高中", "职业高中": "职业高中",
	"高中": "普通高中", "普通高中": "普通高中",
	"初中": "初中", "初级中学": "初中",
	"小学": "小学",
	"其他": "其他", "其它": "其他",
}

// Education normalises a 文化程度 and reports whether it is one of
// Educations (本科 is 大学本科, 大专 大学专科, 中专 中等专科 …).
func Education(s string) (string, bool) {
	s = strings.ReplaceAll(Text(s), " ", "")
	if e, ok := educationAliases[s]; ok {
		return e, true
	}
	return s, false
}

// Source reads a 考生来源: 新考 (also 首考, 正考) or 补考.
func Source(s string) (string, bool) {
	switch strings.ReplaceAll(Text(s), " ", "") {
	case "新考", "首考", "正考":
		return store.SourceNew, true
	case "补考":
		return store.SourceRetake, true
	}
	return "", false
}

// checkCandidate reads and checks the candidate columns of a row of an
// assessment's roster into p; fail records a problem. A column the file
// lacks is not asked for: 考生来源 is then 新考.
func checkCandidate(p *Person, cols map[field]int, get func(field) string, fail func(field, Reason, string, ...any)) {
	has := func(f field) bool { _, ok := cols[f]; return ok }
	p.Source = store.SourceNew
	if has(fEthnicity) {
		raw := Text(get(fEthnicity))
		if e, ok := Ethnicity(raw); ok {
			p.Ethnicity = e
		} else if raw == "" {
			fail(fEthnicity, EthnicityUnknown, "民族为空：请填写如“汉族”“畲族”，其他民族见 GB 3304")
		} else {
			p.Ethnicity = raw
			fail(fEthnicity, EthnicityUnknown, "民族“%s”不是 GB 3304 所列的民族名称：请填写如“汉族”“畲族”“回族”，未识别的填“其他”", raw)
		}
	}
	if has(fEducation) {
		raw := Text(get(fEducation))
		if e, ok := Education(raw); ok {
			p.Education = e
		} else if raw == "" {
			fail(fEducation, EducationUnknown, "文化程度为空：请填写 %s 之一", strings.Join(Educations(), "、"))
		} else {
			p.Education = raw
			fail(fEducation, EducationUnknown, "文化程度“%s”无法识别：请填写 %s 之一", raw, strings.Join(Educations(), "、"))
		}
	}
	if has(fSource) {
		raw := Text(get(fSource))
		if src, ok := Source(raw); ok {
			p.Source = src
		} else if raw == "" {
			fail(fSource, SourceUnknown, "考生来源为空：请填写“新考”或“补考”")
		} else {
			fail(fSource, SourceUnknown, "考生来源“%s”无法识别：请填写“新考”或“补考”", raw)
		}
	}
	if has(fQualification) {
		p.Qualification = Text(get(fQualification))
		switch n := len([]rune(p.Qualification)); {
		case n == 0:
			fail(fQualification, QualificationEmpty, "申报条件为空：请填写考生符合的申报条件（如“取得本职业四级证书后从事本职业 4 年”）")
		case n > maxQualification:
			fail(fQualification, TooLong, "申报条件有 %d 个字，超过 %d 个字：请简写", n, maxQualification)
		}
	}
	if has(fLevelCertNo) {
		p.LevelCertNo = IDNumber(get(fLevelCertNo))
		if p.LevelCertNo == "" {
			return
		}
		n, err := certificates.ParseLevelNumber(p.LevelCertNo)
		switch {
		case err != nil:
			// The certificates package says which part is wrong.
			fail(fLevelCertNo, CertNoInvalid, "现%s：请按证书核对", skillscore.ErrorMessage(err))
		case p.Level == 0:
			fail(fLevelCertNo, CertNoInvalid, "填了现等级证书编号 %s，但现等级为空：请填写现等级", p.LevelCertNo)
		case n.Level != p.Level:
			fail(fLevelCertNo, CertNoInvalid, "现等级证书编号 %s 第 16 位表示%s，与现等级“%s”不一致：请核对", p.LevelCertNo,
				scoring.LevelName(n.Level), scoring.LevelName(p.Level))
		}
	}
}

// maxQualification is the candidates table's 申报条件 size.
const maxQualification = 200

// Candidates turns the accepted rows into the candidate details stored
// with them, in the order of Contestants.
func (r *Report) Candidates() []store.Candidate {
	out := make([]store.Candidate, 0, r.Accepted)
	for _, v := range r.Verdicts {
		if !v.Accepted {
			continue
		}
		p := v.Person
		out = append(out, store.Candidate{Ethnicity: p.Ethnicity, Education: p.Education, Source: p.Source,
			Qualification: p.Qualification, LevelCertNo: p.LevelCertNo})
	}
	return out
}
