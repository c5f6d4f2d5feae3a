package roster

import (
	"strings"

	"skillscore"
	"skillscore/idnumber"
)

// Identity is who a contestant is: the fields a correction of a wrong name
// or number may change.
type Identity struct {
	Name, Gender, IDType, IDNumber, Phone string
}

// CheckIdentity normalises an identity and checks it by the rules a roster
// row meets (the same normalisers, document rules and messages), for a
// correction of one contestant: the first problem is an EInvalid error.
// An empty gender is taken from a number that encodes one.
func CheckIdentity(in Identity) (Identity, error) {
	bad := func(msg string) (Identity, error) {
		return Identity{}, skillscore.Errorf(skillscore.EInvalid, "%s", msg)
	}
	out := Identity{Name: Name(in.Name), IDNumber: IDNumber(in.IDNumber), Phone: Phone(in.Phone)}
	switch n := len([]rune(out.Name)); {
	case n == 0:
		return bad("姓名为空：请填写选手姓名")
	case n > maxName:
		return bad("姓名超过 100 个字")
	}
	typ, ok := idnumber.CanonicalType(Text(in.IDType))
	if !ok {
		return bad("证件类型“" + Text(in.IDType) + "”无法识别：请填写 " + strings.Join(idnumber.Types(), "、") + " 之一")
	}
	out.IDType = typ
	if out.IDNumber == "" {
		return bad("证件号码为空：请填写" + typ + "号码")
	}
	if reason, msg := idProblem(typ, out.IDNumber); reason != "" {
		return bad(msg)
	}
	g, ok := Gender(in.Gender)
	if !ok {
		return bad("性别“" + Text(in.Gender) + "”无法识别：请填写“男”或“女”")
	}
	fromID, encodes := idnumber.GenderOf(typ, out.IDNumber)
	switch {
	case g == "" && encodes:
		g = fromID
	case g == "":
		return bad("性别为空，" + typ + "号码不含性别：请填写“男”或“女”")
	case encodes && g != fromID:
		return bad("性别是“" + g + "”，但身份证号码表明是“" + fromID + "”：请核对性别或证件号码")
	}
	out.Gender = g
	if out.Phone != "" && !validPhone(out.Phone) {
		return bad("手机号码“" + out.Phone + "”格式不对：应为 11 位手机号（1 开头）或带区号的固定电话")
	}
	return out, nil
}
