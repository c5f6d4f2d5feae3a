package idnumber

import "strings"

// ID document types (证件类型) as rosters and certificates name them.
const (
	ResidentCard        = "居民身份证"
	HKMacaoPermit       = "港澳居民来往内地通行证"
	TaiwanPermit        = "台湾居民来往大陆通行证"
	Passport            = "护照"
	ForeignerPermanent  = "外国人永久居留身份证"
	HKMacaoTaiwanPermit = "港澳台居民居住证"
)

// BadType is the problem of a document type no rule knows.
const BadType Problem = "id_type_unknown"

// Types lists the document types CheckType knows, resident card first.
func Types() []string {
	return []string{ResidentCard, HKMacaoPermit, TaiwanPermit, Passport, ForeignerPermanent, HKMacaoTaiwanPermit}
}

// typeAliases maps the names people type in spreadsheets to a type.
func typeAliases(name string) string {
	switch name {
	case ResidentCard, "身份证", "二代身份证", "居民身份证号", "中华人民共和国居民身份证":
		return ResidentCard
	case HKMacaoPermit, "港澳居民来往内地通行证（回乡证）", "回乡证", "港澳通行证", "港澳居民通行证":
		return HKMacaoPermit
	case TaiwanPermit, "台胞证", "台湾通行证", "台湾居民通行证":
		return TaiwanPermit
	case Passport, "中国护照", "外国护照", "普通护照":
		return Passport
	case ForeignerPermanent, "外国人永久居留证", "永久居留证", "永久居留身份证", "外国人永久居留身份证（新版）":
		return ForeignerPermanent
	case HKMacaoTaiwanPermit, "港澳居民居住证", "台湾居民居住证", "居住证":
		return HKMacaoTaiwanPermit
	}
	return ""
}

// CanonicalType returns the type a spreadsheet's 证件类型 names (an empty
// name means the resident card, the usual default), or false if unknown.
func CanonicalType(name string) (string, bool) {
	if name == "" {
		return ResidentCard, true
	}
	t := typeAliases(name)
	return t, t != ""
}

// CheckType validates a number (already normalised: ASCII, upper case, no
// spaces) by the rule of its document type.
func CheckType(idType, id string) Problem {
	switch idType {
	case ResidentCard:
		return Check(id)
	case HKMacaoTaiwanPermit:
		// Numbered like the resident card, with region 810000 (HK), 820000
		// (Macao) or 830000 (Taiwan).
		if p := Check(id); p != OK {
			return p
		}
		if r := id[:6]; r != "810000" && r != "820000" && r != "830000" {
			return BadChars
		}
		return OK
	case ForeignerPermanent:
		return checkForeigner(id)
	case HKMacaoPermit:
		// H (Hong Kong) or M (Macao) + 8 digits on the card since 2013;
		// the older booklets carried 10 digits.
		if p := alnum(id); p != OK {
			return p
		}
		if len(id) != 9 && len(id) != 11 {
			return BadLength
		}
		if (id[0] != 'H' && id[0] != 'M') || !digits(id[1:]) {
			return BadChars
		}
		return OK
	case TaiwanPermit:
		// 8 digits on the card since 2015; 10 on older booklets.
		if p := alnum(id); p != OK {
			return p
		}
		if len(id) != 8 && len(id) != 10 {
			return BadLength
		}
		if !digits(id) {
			return BadChars
		}
		return OK
	case Passport:
		// Chinese passports are E/G + 8 characters; foreign ones vary, so
		// only the machine-readable alphabet and a sane length are checked.
		if p := alnum(id); p != OK {
			return p
		}
		if len(id) < 5 || len(id) > 17 {
			return BadLength
		}
		if strings.IndexFunc(id, func(r rune) bool { return r >= '0' && r <= '9' }) < 0 {
			return BadChars
		}
		return OK
	}
	return BadType
}

// checkForeigner accepts the 2023 card (18 characters: 9, province, country
// code, birth date, sequence, GB 11643 check character) and the 2017 one
// (3-letter nationality code + 12 digits).
func checkForeigner(id string) Problem {
	if p := alnum(id); p != OK {
		return p
	}
	switch len(id) {
	case 18:
		if id[0] != '9' {
			return BadChars
		}
		return Check(id)
	case 15:
		for i := 0; i < 3; i++ {
			if id[i] < 'A' || id[i] > 'Z' {
				return BadChars
			}
		}
		if !digits(id[3:]) {
			return BadChars
		}
		return OK
	}
	return BadLength
}

// GenderOf returns the gender a valid number encodes ("男" or "女"), or
// false for document types that do not encode one.
func GenderOf(idType, id string) (string, bool) {
	if len(id) != 18 {
		return "", false
	}
	switch idType {
	case ResidentCard, HKMacaoTaiwanPermit, ForeignerPermanent:
		return Gender(id), true
	}
	return "", false
}

func alnum(s string) Problem {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'A' || c > 'Z') {
			return BadChars
		}
	}
	return OK
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
